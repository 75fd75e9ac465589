/* select: profiles and genes named by index or name in text files. */
#include "select.h"
#include "alloc.h"
#include "lineread.h"

#include <csv.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- lines -------------------------------------------------------------------- */

const char *select_file_shown(const char *path)
{
    return strcmp(path, "-") ? path : "stdin";
}

int select_lines_each(const char *path, line_fn fn, void *ctx, mc_err *e)
{
    const char *shown = select_file_shown(path);
    FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
    if (!f) return mc_err_errno(e, path, "cannot open");
    linebuf b = {0};
    size_t line = 0;
    ssize_t len;
    int rc = 0;
    while (rc == 0 && (len = lineread_next(f, &b, shown, line + 1, e)) >= 0) {
        line++;
        if (len && b.buf[len - 1] == '\r') b.buf[--len] = 0;
        if (strlen(b.buf) != (size_t)len) rc = mc_err_fail(e, "%s:%zu: NUL byte in the line", shown, line);
        else rc = fn(ctx, shown, line, b.buf, e);
    }
    if (rc == 0 && len == -2) rc = -1;
    lineread_free(&b);
    if (f != stdin) fclose(f);
    return rc;
}

/* A CSV read a line at a time: each line's fields, parsed by libcsv, joined by TABs. */
typedef struct csv_lines {
    line_fn fn;
    void *ctx;
    int decided, csv;
    struct csv_parser p;
    char *out;
    size_t len, alloc, fields;
    int tab, oom;               /* a field held a TAB; out of memory */
} csv_lines;

static void csv_lines_field(void *s, size_t n, void *ctx)
{
    csv_lines *c = ctx;
    if (memchr(s, '\t', n)) c->tab = 1;
    if (c->oom || MC_GROW(c->out, c->len + n + 2, c->alloc) < 0) {
        c->oom = 1;
        return;
    }
    if (c->fields++) c->out[c->len++] = '\t';
    memcpy(c->out + c->len, s, n);
    c->len += n;
    c->out[c->len] = 0;
}

static void csv_lines_record(int end, void *ctx)
{
    (void)end;
    (void)ctx;
}

static int csv_lines_line(void *ctx, const char *shown, size_t line, char *text, mc_err *e)
{
    csv_lines *c = ctx;
    if (!c->decided) c->csv |= strchr(text, ',') && !strchr(text, '\t');
    c->decided = 1;
    if (!c->csv) return c->fn(c->ctx, shown, line, text, e);
    size_t n = strlen(text);
    c->len = c->fields = 0;
    c->tab = 0;
    if (MC_GROW(c->out, 1, c->alloc) < 0) return mc_err_oom(e, shown);
    c->out[0] = 0;
    if (csv_parse(&c->p, text, n, csv_lines_field, csv_lines_record, c) != n ||
        csv_fini(&c->p, csv_lines_field, csv_lines_record, c) != 0)
        return csv_error(&c->p) == CSV_EPARSE
                   ? mc_err_fail(e, "%s:%zu: malformed CSV (a quote not closed on its line, or a stray quote)", shown,
                                 line)
                   : mc_err_fail(e, "%s:%zu: malformed CSV (%s)", shown, line, csv_strerror(csv_error(&c->p)));
    if (c->oom) return mc_err_oom(e, shown);
    if (c->tab) return mc_err_fail(e, "%s:%zu: a CSV field holds a TAB", shown, line);
    return c->fn(c->ctx, shown, line, c->out, e);
}

static int ends_with(const char *s, const char *end)
{
    size_t n = strlen(s), k = strlen(end);
    return n >= k && !strcmp(s + n - k, end);
}

int select_records_each(const char *path, line_fn fn, void *ctx, mc_err *e)
{
    csv_lines c = {.fn = fn, .ctx = ctx, .csv = ends_with(path, ".csv")};
    if (csv_init(&c.p, CSV_STRICT | CSV_STRICT_FINI) != 0) return mc_err_oom(e, select_file_shown(path));
    int rc = select_lines_each(path, csv_lines_line, &c, e);
    csv_free(&c.p);
    free(c.out);
    return rc;
}

int select_is_integer(const char *s, long long *v)
{
    const char *p = s + (*s == '-');
    if (*p < '0' || *p > '9') return 0;
    for (; *p; p++)
        if (*p < '0' || *p > '9') return 0;
    char *end;
    errno = 0;
    *v = strtoll(s, &end, 10);
    return errno == 0 && !*end;
}

/* --- profile names ------------------------------------------------------------ */

/* Map every line of T to its index; a line seen twice marks both with BIT. */
static int map_lines(const strvec *t, strmap *m, uint8_t *ambiguous, uint8_t bit)
{
    if (strmap_init(m, t->count) < 0) return -1;
    for (size_t i = 0; i < t->count; i++) {
        size_t first;
        int put = strmap_put(m, t->v[i], i, &first);
        if (put < 0) return -1;
        if (put == 0) ambiguous[first] |= bit;
    }
    return 0;
}

/* Are the barcodes something other than the names (a collection prefixes them)? */
static int barcodes_differ(const profile_lookup *l)
{
    if (!l->barcodes.is_text) return 0;
    for (size_t i = 0; i < l->names.count; i++)
        if (strcmp(l->names.v[i], l->barcodes.text.v[i])) return 1;
    return 0;
}

int select_profile_open(container *c, profile_lookup *l, mc_err *e)
{
    memset(l, 0, sizeof *l);
    if (container_profile_names(c, &l->names, e) < 0) return -1;
    int has = container_array(c, 'p', "barcode", &l->barcodes, e);
    if (has < 0) {
        select_profile_close(l);
        return -1;
    }
    if (has && !barcodes_differ(l)) container_array_free(&l->barcodes);
    l->ambiguous = mc_alloc_zeroed(l->names.count, 1);
    if (!l->ambiguous || map_lines(&l->names, &l->by_name, l->ambiguous, 1) < 0 ||
        (l->barcodes.is_text && map_lines(&l->barcodes.text, &l->by_barcode, l->ambiguous, 2) < 0)) {
        select_profile_close(l);
        return mc_err_oom(e, c->path);
    }
    return 0;
}

long select_profile_find(const profile_lookup *l, const char *name)
{
    size_t i;
    if (strmap_get(&l->by_name, name, &i)) return l->ambiguous[i] & 1 ? -2 : (long)i;
    if (l->barcodes.is_text && strmap_get(&l->by_barcode, name, &i)) return l->ambiguous[i] & 2 ? -2 : (long)i;
    return -1;
}

void select_profile_close(profile_lookup *l)
{
    strmap_free(&l->by_name);
    strmap_free(&l->by_barcode);
    strvec_free(&l->names);
    container_array_free(&l->barcodes);
    free(l->ambiguous);
    memset(l, 0, sizeof *l);
}

/* --- gene names --------------------------------------------------------------- */

int select_gene_names_open(container *c, const char *dir, gene_names *g, mc_err *e)
{
    char full_uuid[MC_UUID_STRLEN];
    memset(g, 0, sizeof *g);
    g->count = c->genes_count;
    if (container_full_genes(c, &g->full_index, full_uuid, e) < 0) return -1;
    if (genes_open_for(c->path, dir, full_uuid, &g->set, e) < 0) {
        free(g->full_index);
        g->full_index = NULL;
        return -1;
    }
    size_t full = g->set.names.count;
    if (!g->full_index) {
        if (full == g->count) return 0;
        mc_err_fail(e, "%s: %zu genes but its gene set %s has %zu", c->path, g->count, g->set.path, full);
        select_gene_names_close(g);
        return -1;
    }
    if (!(g->own_of_full = mc_alloc_array(full, sizeof *g->own_of_full))) {
        select_gene_names_close(g);
        return mc_err_oom(e, c->path);
    }
    for (size_t i = 0; i < full; i++) g->own_of_full[i] = -1;
    for (size_t i = 0; i < g->count; i++) {
        if (g->full_index[i] < 0 || (size_t)g->full_index[i] >= full) {
            mc_err_fail(e, "%s: gene %zu is outside its gene set %s", c->path, i, g->set.path);
            select_gene_names_close(g);
            return -1;
        }
        g->own_of_full[g->full_index[i]] = (int32_t)i;
    }
    return 0;
}

const char *select_gene_names_get(const gene_names *g, size_t gene)
{
    return g->set.names.v[g->full_index ? (size_t)g->full_index[gene] : gene];
}

long select_gene_names_own_index(const gene_names *g, const char *name)
{
    long i = genes_index_of(&g->set, name);
    if (i < 0 || !g->own_of_full) return i;
    return g->own_of_full[i];
}

void select_gene_names_close(gene_names *g)
{
    genes_close(&g->set);
    free(g->full_index);
    free(g->own_of_full);
    memset(g, 0, sizeof *g);
}

/* --- view selections ---------------------------------------------------------- */

/* One axis being selected: a mark per index, names resolved on first need. */
typedef struct axis {
    container *c;
    int genes;                  /* the gene axis, else profiles */
    const char *gene_set;
    size_t count;
    uint8_t *mark, value;       /* lines set mark[i] = value */
    profile_lookup profiles;
    gene_names gene_names;
    int names_open;             /* opened on the first name looked up */
} axis;

/* Index of NAME on the axis; -1 if none, -2 if several, -3 if the names cannot be read (E set). */
static long axis_find(axis *a, const char *name, mc_err *e)
{
    if (!a->names_open) {
        int rc = a->genes ? select_gene_names_open(a->c, a->gene_set, &a->gene_names, e)
                          : select_profile_open(a->c, &a->profiles, e);
        if (rc < 0) return -3;
        a->names_open = 1;
    }
    return a->genes ? select_gene_names_own_index(&a->gene_names, name) : select_profile_find(&a->profiles, name);
}

static int mark_line(void *ctx, const char *shown, size_t line, char *text, mc_err *e)
{
    axis *a = ctx;
    text[strcspn(text, "\t")] = 0;
    if (!text[0]) return 0;
    long long v;
    long i;
    if (select_is_integer(text, &v)) {
        if (v < 0 || (unsigned long long)v >= a->count)
            return mc_err_fail(e, "%s:%zu: index %s out of range (%s has %zu %s)", shown, line, text, a->c->path,
                           a->count, a->genes ? "genes" : "profiles");
        i = (long)v;
    } else if ((i = axis_find(a, text, e)) == -1 && line == 1)
        return 0;   /* a header ("name", pandas' "barcode"): no profile or gene is called that */
    else if (i == -1)
        return mc_err_fail(e, "%s:%zu: no %s named '%s' in %s", shown, line, a->genes ? "gene" : "profile", text,
                       a->c->path);
    else if (i == -2)
        return mc_err_fail(e, "%s:%zu: '%s' names several profiles of %s; give the full name or the index", shown, line,
                       text, a->c->path);
    else if (i < 0)
        return -1;
    a->mark[i] = a->value;
    return 0;
}

/* Mark the axis from its include file (else everything) minus its exclude file;
 * *index stays NULL when neither is given. */
static int select_axis(axis *a, const char *include, const char *exclude, int32_t **index, size_t *n, mc_err *e)
{
    *index = NULL;
    *n = a->count;
    if (!include && !exclude) return 0;
    a->mark = mc_alloc_array(a->count, 1);
    if (!a->mark) return mc_err_oom(e, a->c->path);
    memset(a->mark, include ? 0 : 1, a->count);
    a->value = 1;
    int rc = include ? select_records_each(include, mark_line, a, e) : 0;
    a->value = 0;
    if (rc == 0 && exclude) rc = select_records_each(exclude, mark_line, a, e);
    size_t k = 0;
    if (rc == 0) {
        for (size_t i = 0; i < a->count; i++) k += a->mark[i];
        if (!(*index = mc_alloc_array(k, sizeof **index))) rc = mc_err_oom(e, a->c->path);
    }
    if (rc == 0) {
        k = 0;
        for (size_t i = 0; i < a->count; i++)
            if (a->mark[i]) (*index)[k++] = (int32_t)i;
        *n = k;
    }
    return rc;
}

static void axis_free(axis *a)
{
    select_gene_names_close(&a->gene_names);
    select_profile_close(&a->profiles);
    free(a->mark);
}

int select_mark_genes(container *c, const char *gene_set, const char *path, uint8_t *mark, mc_err *e)
{
    axis g = {.c = c, .genes = 1, .gene_set = gene_set, .count = c->genes_count, .mark = mark, .value = 1};
    int rc = select_records_each(path, mark_line, &g, e);
    g.mark = NULL;   /* the caller's */
    axis_free(&g);
    return rc;
}

int select_view(container *base, const view_request *r, int32_t **p_index, size_t *pn, int32_t **g_index,
                size_t *gn, mc_err *e)
{
    if (base->profiles_count > INT32_MAX || base->genes_count > INT32_MAX)
        return mc_err_fail(e, "%s: too many profiles or genes for <i4 indices", base->path);
    axis p = {.c = base, .count = base->profiles_count}, g = {.c = base, .genes = 1, .gene_set = r->gene_set,
                                                              .count = base->genes_count};
    *g_index = NULL;
    int rc = select_axis(&p, r->profiles, r->exclude_profiles, p_index, pn, e);
    if (rc == 0) rc = select_axis(&g, r->genes, r->exclude_genes, g_index, gn, e);
    if (rc < 0) {
        free(*p_index);
        free(*g_index);
        *p_index = *g_index = NULL;
    }
    axis_free(&p);
    axis_free(&g);
    return rc;
}
