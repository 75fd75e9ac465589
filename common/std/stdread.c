/* stdread: an STD directory, its tables and the matrix through the filters. */
#include "stdread.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "csvread.h"
#include "formats.h"
#include "lanerule.h"
#include "lineread.h"
#include "outdir.h"
#include "stdformat.h"
#include "stdwrite.h"
#include "strmap.h"

int stdread_open(std_dir *s, const char *dir, const char *format, mc_err *e)
{
    memset(s, 0, sizeof *s);
    int rc = -1;
    if (!(s->dir = strdup(dir)) || !(s->format = calloc(1, sizeof *s->format))) {
        mc_err_oom(e, dir);
        goto done;
    }
    if (!(s->format_path = format ? formats_find(format, e) : formats_detect(dir, e))) goto done;
    rc = stdformat_parse(s->format_path, dir, s->format, &s->matrix_path, e);
done:
    if (rc < 0) stdread_close(s);
    return rc;
}

/* The rows (COLS: columns) the matrix's size line announces, so a profiles CSV
 * with more rows is refused at the first one too many (genes are never that
 * many, and mc-make-genes reads them without the matrix); UINT64_MAX when the
 * matrix cannot be read yet (stdread_matrix_open will say why, if it is needed). */
static uint64_t matrix_axis(const std_dir *s, int cols)
{
    mc_err ignored;
    mtx_reader *m = mtx_open(s->matrix_path, &ignored);
    if (!m) return UINT64_MAX;
    uint64_t n = cols ? mtx_cols(m) : mtx_rows(m);
    mtx_close(m);
    return n;
}

/* Where row I of T came from, for messages: "PATH:LINE" when read from a CSV,
 * else "PATH: row I+1". */
static void row_at(const std_table *t, size_t i, char *out, size_t cap)
{
    if (t->line) snprintf(out, cap, "%s:%llu", t->path, (unsigned long long)t->line[i]);
    else snprintf(out, cap, "%s: row %zu", t->path, i + 1);
}

/* Row I of T as an STD row (stdwrite.h) longer than a reader takes (csvread.h):
 * refused wherever it comes from, so that no later tool refuses what an
 * earlier one wrote. */
static int row_too_long(const std_table *t, size_t i, mc_err *e)
{
    size_t most = 0;   /* every field quoted, every byte a quote doubled: counted only if that could be too long */
    for (size_t c = 0; c < t->ncolumns && most <= MC_MAX_LINE; c++) most += 2 * strlen(table_value(t, c, i)) + 3;
    if (most <= MC_MAX_LINE) return 0;
    size_t n = stdwrite_csv_row_bytes(t, i);
    if (n <= MC_MAX_LINE) return 0;
    char at[600];
    row_at(t, i, at, sizeof at);
    return mc_err_fail(e, "%s: %zu bytes as a row of %s, longer than the %u an STD row may take", at, n,
                   table_column_index(t, "barcode") >= 0 ? "profiles.csv" : "genes.csv", MC_MAX_LINE);
}

int stdread_check_genes(const std_table *t, mc_err *e)
{
    long c = table_column_index(t, "name");
    char at[600];
    for (size_t i = 0; i < t->count; i++) {
        if (c >= 0 && !table_value(t, (size_t)c, i)[0]) {
            row_at(t, i, at, sizeof at);
            return mc_err_fail(e, "%s: empty gene name", at);
        }
        if (row_too_long(t, i, e) < 0) return -1;
    }
    return 0;
}

/* Row I's lane becomes a directory (lanes.h) that tools write through a
 * temporary beside it: both must be file names. */
static int lane_too_long(const std_table *t, long lane, size_t i, mc_err *e)
{
    size_t n = lane >= 0 ? strlen(table_value(t, (size_t)lane, i)) : 0;
    if (n <= OUTDIR_NAME_MAX) return 0;
    char at[600];
    row_at(t, i, at, sizeof at);
    return mc_err_fail(e, "%s: lane name of %zu bytes, longer than the %d a lane's directory may take", at, n,
                   OUTDIR_NAME_MAX);
}

/* "LANE\tBARCODE" of row I at K (room made by the caller): past its NUL. */
static char *lane_key(const std_table *t, long lane, long bc, size_t i, char *k)
{
    const char *l = lane >= 0 ? table_value(t, (size_t)lane, i) : "", *b = table_value(t, (size_t)bc, i);
    size_t nl = strlen(l), nb = strlen(b) + 1;
    memcpy(k, l, nl);
    k[nl] = '\t';
    memcpy(k + nl + 1, b, nb);
    return k + nl + 1 + nb;
}

/* Barcodes of one lane are names: none empty, none twice (profiles are looked
 * up by them).  Where a row came from is spelt out only for a message. */
int stdread_check_profiles(const std_table *t, mc_err *e)
{
    long bc = table_column_index(t, "barcode"), lane = table_column_index(t, "lane");
    if (bc < 0) return 0;
    char at[600], first[600];
    size_t bytes = 0, repeat, old;
    for (size_t i = 0; i < t->count; i++) {
        const char *b = table_value(t, (size_t)bc, i);
        if (!b[0]) {
            row_at(t, i, at, sizeof at);
            return mc_err_fail(e, "%s: empty barcode", at);
        }
        if (row_too_long(t, i, e) < 0 || lane_too_long(t, lane, i, e) < 0) return -1;
        bytes += (lane >= 0 ? strlen(table_value(t, (size_t)lane, i)) : 0) + strlen(b) + 2;
    }
    char *text = malloc(bytes ? bytes : 1), *k = text;
    const char **keys = mc_alloc_array(t->count ? t->count : 1, sizeof *keys);
    int rc = text && keys ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < t->count; i++) {
        keys[i] = k;
        k = lane_key(t, lane, bc, i, k);
    }
    if (rc == 0) rc = strmap_first_repeat(keys, t->count, &repeat, &old);
    free(text);
    free(keys);
    if (rc <= 0) return rc < 0 ? mc_err_oom(e, t->path) : 0;
    row_at(t, repeat, at, sizeof at);
    if (t->line) snprintf(first, sizeof first, "line %llu", (unsigned long long)t->line[old]);
    else snprintf(first, sizeof first, "row %zu", old + 1);
    return mc_err_fail(e, "%s: barcode '%s' twice in lane '%s' (first at %s)", at, table_value(t, (size_t)bc, repeat),
                       lane >= 0 ? table_value(t, (size_t)lane, repeat) : "all", first);
}

int stdread_load_genes(std_dir *s, mc_err *e)
{
    if (csvread_table(&s->format->genes, &s->genes, s->matrix_path, UINT64_MAX, e) < 0) return -1;
    s->genes_loaded = 1;
    return stdread_check_genes(&s->genes, e);
}

int stdread_load_profiles(std_dir *s, mc_err *e)
{
    if (csvread_table(&s->format->profiles, &s->profiles, s->matrix_path, matrix_axis(s, 1), e) < 0) return -1;
    s->profiles_loaded = 1;
    if (lanerule_apply(&s->profiles, &s->format->lane, &s->format->batch, e) < 0) return -1;
    return stdread_check_profiles(&s->profiles, e);
}

void stdread_close(std_dir *s)
{
    free(s->dir);
    free(s->format_path);
    free(s->matrix_path);
    table_free(&s->genes);
    table_free(&s->profiles);
    stdformat_free(s->format);
    memset(s, 0, sizeof *s);
}

/* --- the matrix through the filters ------------------------------------------------- */

struct std_matrix {
    mtx_reader *r;
    const uint32_t *gene_keep, *profile_keep;
};

std_matrix *stdread_matrix_open(const std_dir *s, mc_err *e)
{
    if (!s->genes_loaded || !s->profiles_loaded) {
        mc_err_fail(e, "%s: the genes and profiles must be loaded before the matrix", s->dir);
        return NULL;
    }
    std_matrix *m = calloc(1, sizeof *m);
    if (!m) {
        mc_err_oom(e, s->matrix_path);
        return NULL;
    }
    if (!(m->r = mtx_open(s->matrix_path, e))) {
        free(m);
        return NULL;
    }
    unsigned long long line = mtx_line(m->r);
    if (mtx_rows(m->r) != s->genes.rows_total)
        mc_err_fail(e, "%s:%llu: the size line has %u rows, but %s has %zu genes", s->matrix_path, line, mtx_rows(m->r),
                s->genes.path, s->genes.rows_total);
    else if (mtx_cols(m->r) != s->profiles.rows_total)
        mc_err_fail(e, "%s:%llu: the size line has %u columns, but %s has %zu profiles", s->matrix_path, line,
                mtx_cols(m->r), s->profiles.path, s->profiles.rows_total);
    else {
        m->gene_keep = s->genes.keep;
        m->profile_keep = s->profiles.keep;
        return m;
    }
    stdread_matrix_close(m);
    return NULL;
}

int stdread_matrix_next(std_matrix *m, uint32_t *gene, uint32_t *profile, uint64_t *value, mc_err *e)
{
    for (;;) {
        int rc = mtx_next(m->r, gene, profile, value, e);
        if (rc <= 0) return rc;
        if (*value > STD_MAX_COUNT)   /* refused by every reader of an STD, not only the last */
            return mc_err_fail(e, "%s:%llu: value %llu is not a plausible count (more than %u)", mtx_path(m->r),
                           (unsigned long long)mtx_line(m->r), (unsigned long long)*value, STD_MAX_COUNT);
        if (m->gene_keep && (*gene = m->gene_keep[*gene]) == STD_DROPPED) continue;
        if (m->profile_keep && (*profile = m->profile_keep[*profile]) == STD_DROPPED) continue;
        return 1;
    }
}

mtx_reader *stdread_matrix_reader(std_matrix *m) { return m->r; }

void stdread_matrix_close(std_matrix *m)
{
    if (!m) return;
    mtx_close(m->r);
    free(m);
}

