/* stdwrite: a canonical STD: format.yaml through yamltree, the CSVs by hand. */
#include "stdwrite.h"

#include <csv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "path.h"
#include "yamltree.h"

/* Columns in canonical order: the known fields first, the rest as they are. */
static size_t *column_order(const std_table *t)
{
    static const char *const first[] = {"ensembl", "name", "barcode", "lane", "batch", NULL};
    size_t *order = mc_alloc_array(t->ncolumns, sizeof *order), n = 0;
    if (!order) return NULL;
    for (const char *const *f = first; *f; f++) {
        long c = table_column_index(t, *f);
        if (c >= 0) order[n++] = (size_t)c;
    }
    for (size_t c = 0; c < t->ncolumns; c++) {
        const char *const *f = first;
        while (*f && strcmp(*f, t->columns[c].name)) f++;
        if (!*f) order[n++] = c;
    }
    return order;
}

/* Quote only where a reader would otherwise see something else (libcsv quotes all). */
static int put_field(FILE *f, const char *s, char sep)
{
    size_t n = strlen(s);
    int quote = n && (s[0] == ' ' || s[n - 1] == ' ');
    for (const char *p = s; !quote && *p; p++) quote = *p == sep || *p == '"' || *p == '\n' || *p == '\r';
    if (quote) return csv_fwrite(f, s, n);
    return fwrite(s, 1, n, f) == n ? 0 : -1;
}

/* Bytes of S as put_field writes it. */
static size_t field_bytes(const char *s, char sep)
{
    size_t n = strlen(s), quotes = 0;
    int quote = n && (s[0] == ' ' || s[n - 1] == ' ');
    for (const char *p = s; *p; p++) {
        quotes += *p == '"';
        quote |= *p == sep || *p == '"' || *p == '\n' || *p == '\r';
    }
    return quote ? n + quotes + 2 : n;
}

size_t stdwrite_csv_row_bytes(const std_table *t, size_t row)
{
    size_t n = t->ncolumns;   /* the separators and the '\n' */
    for (size_t c = 0; c < t->ncolumns; c++) n += field_bytes(table_value(t, c, row), ',');
    return n;
}

int stdwrite_csv(const char *path, const std_table *t, const size_t *rows, size_t n, mc_err *e)
{
    size_t *order = column_order(t);
    if (!order) return mc_err_oom(e, path);
    FILE *f = fopen(path, "wb");
    if (!f) {
        free(order);
        return mc_err_errno(e, path, "cannot create");
    }
    /* A buffer of its own: glibc's setvbuf with none keeps its 4 KiB (one write a 4 KiB). */
    static const size_t iobuf_bytes = 1u << 16;
    char *iobuf = malloc(iobuf_bytes);
    if (iobuf) setvbuf(f, iobuf, _IOFBF, iobuf_bytes);
    int bad = 0;
    for (size_t c = 0; c < t->ncolumns; c++) {
        if (c) bad |= putc(',', f) == EOF;
        bad |= put_field(f, t->columns[order[c]].name, ',') < 0;
    }
    bad |= putc('\n', f) == EOF;
    if (!rows) n = t->count;
    for (size_t i = 0; !bad && i < n; i++) {
        size_t row = rows ? rows[i] : i;
        for (size_t c = 0; c < t->ncolumns; c++) {
            if (c) bad |= putc(',', f) == EOF;
            bad |= put_field(f, table_value(t, order[c], row), ',') < 0;
        }
        bad |= putc('\n', f) == EOF;
    }
    free(order);
    bad |= ferror(f);
    int closed = fclose(f);
    free(iobuf);
    if (closed != 0 || bad) return mc_err_errno(e, path, "cannot write");
    return 0;
}

static void emit_csv(yemit *y, const char *section, const char *file, const std_table *t, const size_t *order)
{
    yamltree_emit_scalar(y, section, YAML_PLAIN_SCALAR_STYLE);
    yamltree_emit_map_start(y, YAML_FLOW_MAPPING_STYLE);
    yamltree_emit_scalar(y, "path", YAML_PLAIN_SCALAR_STYLE);
    yamltree_emit_scalar(y, file, YAML_PLAIN_SCALAR_STYLE);
    yamltree_emit_scalar(y, "separator", YAML_PLAIN_SCALAR_STYLE);
    yamltree_emit_scalar(y, ",", YAML_DOUBLE_QUOTED_SCALAR_STYLE);
    yamltree_emit_scalar(y, "header", YAML_PLAIN_SCALAR_STYLE);
    yamltree_emit_scalar(y, "true", YAML_PLAIN_SCALAR_STYLE);
    yamltree_emit_scalar(y, "field_types", YAML_PLAIN_SCALAR_STYLE);
    yamltree_emit_map_start(y, YAML_FLOW_MAPPING_STYLE);
    for (size_t c = 0; c < t->ncolumns; c++) {
        yamltree_emit_scalar(y, t->columns[order[c]].name, YAML_ANY_SCALAR_STYLE);
        yamltree_emit_scalar(y, table_type_name(t->columns[order[c]].type), YAML_PLAIN_SCALAR_STYLE);
    }
    yamltree_emit_map_end(y);
    yamltree_emit_map_end(y);
}

int stdwrite_format(const char *path, const std_table *genes, const std_table *profiles, mc_err *e)
{
    size_t *gorder = column_order(genes), *porder = column_order(profiles);
    yemit y;
    int rc = -1;
    if (!gorder || !porder) mc_err_oom(e, path);
    else if (yamltree_emit_open(&y, path, e) == 0) {
        yamltree_emit_scalar(&y, "matrix", YAML_PLAIN_SCALAR_STYLE);
        yamltree_emit_map_start(&y, YAML_FLOW_MAPPING_STYLE);
        yamltree_emit_scalar(&y, "path", YAML_PLAIN_SCALAR_STYLE);
        yamltree_emit_scalar(&y, STD_MATRIX, YAML_PLAIN_SCALAR_STYLE);
        yamltree_emit_map_end(&y);
        emit_csv(&y, "genes", STD_GENES, genes, gorder);
        emit_csv(&y, "profiles", STD_PROFILES, profiles, porder);
        rc = yamltree_emit_close(&y, path, e);
    }
    free(gorder);
    free(porder);
    return rc;
}

int stdwrite(const char *dir, const std_table *genes, const std_table *profiles, mc_err *e)
{
    return stdwrite_rows(dir, genes, profiles, NULL, 0, e);
}

int stdwrite_rows(const char *dir, const std_table *genes, const std_table *profiles, const size_t *rows, size_t n,
                   mc_err *e)
{
    char *fmt = path_join(dir, STD_FORMAT), *g = path_join(dir, STD_GENES), *p = path_join(dir, STD_PROFILES);
    int rc = !fmt || !g || !p ? mc_err_oom(e, dir) : 0;
    if (rc == 0 && (stdwrite_format(fmt, genes, profiles, e) < 0 || stdwrite_csv(g, genes, NULL, 0, e) < 0 ||
                    stdwrite_csv(p, profiles, rows, n, e) < 0))
        rc = -1;
    free(fmt);
    free(g);
    free(p);
    return rc;
}

