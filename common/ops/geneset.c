/* geneset: the gene set made from its inputs' genes: compared, then written. */
#include "geneset.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "alloc.h"
#include "column.h"
#include "genes.h"
#include "h5import.h"
#include "meta.h"
#include "guard.h"
#include "outdir.h"
#include "stdread.h"
#include "strmap.h"
#include "txt.h"
#include "uuid.h"

/* One input's genes. */
typedef struct source {
    std_dir std;            /* an STD directory */
    std_table h5;           /* or the genes of an HDF5 file */
    const std_table *genes;
    long name, ensembl;     /* columns */
} source;

/* A regular file is an HDF5 file (h5_open says so if not); a directory an STD. */
static int load(source *s, const char *input, const char *format, const h5_opts *o, mc_err *e)
{
    struct stat st;
    if (stat(input, &st) == 0 && S_ISREG(st.st_mode)) {
        h5_matrix m;
        if (h5_open(&m, input, o, e) < 0) return -1;
        int rc = h5import_genes(&m, o->all_features, &s->h5, e);
        h5_close(&m);
        if (rc < 0) return -1;
        s->genes = &s->h5;
    } else {
        if (stdread_open(&s->std, input, format, e) < 0 || stdread_load_genes(&s->std, e) < 0) return -1;
        s->genes = &s->std.genes;
    }
    s->name = table_column_index(s->genes, "name");
    s->ensembl = table_column_index(s->genes, "ensembl");
    return 0;
}

/* Where row I of T is: "FILE:LINE: gene I+1", or "FILE: gene I+1" for a table read from HDF5. */
static const char *place(const std_table *t, size_t i, char *buf, size_t size)
{
    if (t->line) snprintf(buf, size, "%s:%llu: gene %zu", t->path, (unsigned long long)t->line[i], i + 1);
    else snprintf(buf, size, "%s: gene %zu", t->path, i + 1);
    return buf;
}

/* The file of T, with the line of row I when it has lines: the other side of a difference. */
static const char *where(const std_table *t, size_t i, char *buf, size_t size)
{
    if (t->line) snprintf(buf, size, "%s:%llu", t->path, (unsigned long long)t->line[i]);
    else snprintf(buf, size, "%s", t->path);
    return buf;
}

/* The first difference between two gene lists, or 0. */
static int compare(const source *a, const source *b, mc_err *e)
{
    const std_table *ta = a->genes, *tb = b->genes;
    char pa[1200], pb[1200];
    if ((a->ensembl < 0) != (b->ensembl < 0))
        return mc_err_fail(e, "%s: %s ensembl ids but %s %s", tb->path, b->ensembl < 0 ? "has no" : "has", ta->path,
                       a->ensembl < 0 ? "has none" : "has them");
    size_t n = ta->count < tb->count ? ta->count : tb->count;
    for (size_t i = 0; i < n; i++) {
        const long cols[2][2] = {{a->name, b->name}, {a->ensembl, b->ensembl}};
        const char *what[2] = {"name", "ensembl id"};
        for (int k = 0; k < 2; k++) {
            if (cols[k][0] < 0) continue;
            const char *va = table_value(ta, (size_t)cols[k][0], i), *vb = table_value(tb, (size_t)cols[k][1], i);
            if (strcmp(va, vb))
                return mc_err_fail(e, "%s: %s '%s' differs from %s's '%s' (--union combines different gene lists)",
                               place(tb, i, pb, sizeof pb), what[k], vb, where(ta, i, pa, sizeof pa), va);
        }
    }
    if (ta->count != tb->count) {
        const std_table *longer = ta->count > tb->count ? ta : tb, *shorter = longer == ta ? tb : ta;
        const source *ls = longer == ta ? a : b;
        return mc_err_fail(e, "%s: '%s' is extra: %s has only %zu genes (--union combines different gene lists)",
                       place(longer, n, pa, sizeof pa), table_value(longer, (size_t)ls->name, n), shorter->path,
                       shorter->count);
    }
    return 0;
}

typedef struct named_row {
    const char *name;
    size_t row;
} named_row;

static int by_name(const void *x, const void *y)
{
    return strcmp(((const named_row *)x)->name, ((const named_row *)y)->name);
}

/* Rows in byte order of their (unique) canonical names. */
static int sort_rows(char **names, size_t n, size_t *order)
{
    named_row *v = mc_alloc_array(n, sizeof *v);
    if (!v) return -1;
    for (size_t i = 0; i < n; i++) v[i] = (named_row){names[i], i};
    qsort(v, n, sizeof *v, by_name);
    for (size_t i = 0; i < n; i++) order[i] = v[i].row;
    free(v);
    return 0;
}

/* The names as the input wrote them (case kept), in the set's order: what exports give back. */
static int write_original_names(const outdir *o, const std_table *t, long name, const size_t *order, char **sorted,
                                mc_err *e)
{
    char *path = outdir_path(o, "g.original_name.txt");
    if (!path) return mc_err_oom(e, o->final);
    for (size_t i = 0; i < t->count; i++) sorted[i] = (char *)table_value(t, (size_t)name, order[i]);
    int rc = txt_write(path, sorted, t->count, e);
    free(path);
    return rc;
}

/* The set of the genes of T whose canonical names are NAMES (unique, in T's row order). */
static int write_set(const std_table *t, char **names, const char *organism, const char *out, int force, mc_err *e)
{
    char **sorted = NULL, *name_path = NULL, *yaml = NULL;
    size_t *order = mc_alloc_array(t->count, sizeof *order);
    long name = table_column_index(t, "name");
    outdir o = {0};
    int rc = -1;
    if (!order) return mc_err_oom(e, out);
    if (sort_rows(names, t->count, order) < 0 || !(sorted = mc_alloc_array(t->count, sizeof *sorted))) {
        mc_err_oom(e, out);
        goto done;
    }
    for (size_t i = 0; i < t->count; i++) sorted[i] = names[order[i]];
    if (outdir_begin(&o, out, force, e) < 0) goto done;
    if (!(name_path = outdir_path(&o, "g.name.txt")) || !(yaml = outdir_path(&o, "genes.yaml"))) {
        mc_err_oom(e, out);
        goto done;
    }
    if (txt_write(name_path, sorted, t->count, e) < 0 || write_original_names(&o, t, name, order, sorted, e) < 0)
        goto done;
    for (size_t c = 0; c < t->ncolumns; c++)
        if ((long)c != name && column_write(o.tmp, "g", t, c, order, t->count, e) < 0) goto done;
    mc_uuid u;
    genes_meta m = {.organism = (char *)organism, .genes_count = (long)t->count};
    if (uuid_of_file(name_path, &u, e) < 0) goto done;
    uuid_format(&u, m.uuid);
    if (meta_genes_dump(yaml, &m, e) < 0 || outdir_commit(&o, e) < 0) goto done;
    rc = 0;
done:
    outdir_abort(&o);   /* nothing left to remove once committed (outdir.h) */
    free(sorted);
    free(order);
    free(name_path);
    free(yaml);
    return rc;
}

int geneset_write(const std_table *t, const char *organism, const char *out, int force, mc_err *e)
{
    strvec names = STRVEC_INIT;
    if (genes_canonical_names(t, &names, e) < 0) return -1;   /* and refuses a table without names */
    int rc = write_set(t, names.v, organism, out, force, e);
    strvec_free(&names);
    return rc;
}

/* The columns of the union: "name" first, then every other column of any
 * input in first-seen order.  A column keeps its type only when every input
 * has it with that type: else some genes lack a value, and it is text. */
static int union_columns(const source *s, size_t n, strvec *cols, field_type **types)
{
    if (strvec_push(cols, "name") < 0) return -1;
    size_t *seen = NULL;
    for (size_t i = 0; i < n; i++) {
        const std_table *t = s[i].genes;
        for (size_t c = 0; c < t->ncolumns; c++) {
            if ((long)c == s[i].name || strvec_find(cols, t->columns[c].name) >= 0) continue;
            if (strvec_push(cols, t->columns[c].name) < 0) return -1;
        }
    }
    *types = mc_alloc_zeroed(cols->count, sizeof **types);
    if (!*types || !(seen = mc_alloc_zeroed(cols->count, sizeof *seen))) {
        free(seen);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        for (size_t k = 1; k < cols->count; k++) {
            long c = table_column_index(s[i].genes, cols->v[k]);
            if (c < 0) continue;
            field_type t = s[i].genes->columns[c].type;
            if (!seen[k]++) (*types)[k] = t;
            else if ((*types)[k] != t) (*types)[k] = FIELD_STR;
        }
    for (size_t k = 1; k < cols->count; k++)
        if (seen[k] < n) (*types)[k] = FIELD_STR;
    free(seen);
    return 0;
}

/* Add to U the genes of S not in it yet (by canonical name, NAMES[i] for row
 * i): their values from S, "" where S lacks a column. */
static int unite_source(const source *s, const strvec *names, strmap *known, std_table *u, strvec *canon, mc_err *e)
{
    const std_table *t = s->genes;
    long *col = mc_alloc_array(u->ncolumns, sizeof *col);
    const char **values = mc_alloc_array(u->ncolumns, sizeof *values);
    int rc = col && values ? 0 : mc_err_oom(e, t->path);
    for (size_t k = 0; rc == 0 && k < u->ncolumns; k++)
        col[k] = k ? table_column_index(t, u->columns[k].name) : s->name;
    for (size_t r = 0; rc == 0 && r < t->count; r++) {
        int fresh = strmap_put(known, names->v[r], u->count, NULL);
        if (fresh <= 0) {
            if (fresh < 0) rc = mc_err_oom(e, t->path);
            continue;
        }
        for (size_t k = 0; k < u->ncolumns; k++) values[k] = col[k] < 0 ? "" : table_value(t, (size_t)col[k], r);
        if (table_add(u, values, e) < 0 || strvec_push(canon, names->v[r]) < 0) rc = mc_err_oom(e, t->path);
    }
    free(col);
    free(values);
    return rc;
}

/* The union of the N inputs' genes, matched by canonical name (as the
 * importers match them), the first input that has a gene giving its values. */
static int write_union(const source *s, size_t n, const char *organism, const char *out, int force, mc_err *e)
{
    strvec cols = STRVEC_INIT, canon = STRVEC_INIT, *names = mc_alloc_zeroed(n, sizeof *names);
    field_type *types = NULL;
    std_table u = {0};
    strmap known = {0};
    int rc = names && union_columns(s, n, &cols, &types) == 0 && strmap_init(&known, s[0].genes->count) == 0
                 ? 0 : mc_err_oom(e, out);
    if (rc == 0) rc = table_init(&u, s[0].genes->path, cols.v, types, cols.count, e);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        rc = genes_canonical_names(s[i].genes, &names[i], e);
        if (rc == 0) rc = unite_source(&s[i], &names[i], &known, &u, &canon, e);
    }
    if (rc == 0) rc = write_set(&u, canon.v, organism, out, force, e);
    strmap_free(&known);   /* its keys are in names[] */
    for (size_t i = 0; names && i < n; i++) strvec_free(&names[i]);
    free(names);
    table_free(&u);
    strvec_free(&canon);
    strvec_free(&cols);
    free(types);
    return rc;
}

int geneset_make(char **dirs, size_t n, const char *format, const h5_opts *o, const char *organism, int unite,
                 const char *out, int force, mc_err *e)
{
    if (guard_output(out, GUARD_GENES, (const char *const *)dirs, n, force, e) < 0)
        return -1;   /* before the long reading, not after */
    source *s = mc_alloc_zeroed(n, sizeof *s);
    int rc = s ? 0 : mc_err_oom(e, NULL);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        rc = load(&s[i], dirs[i], format, o, e);
        if (rc == 0 && i && !unite) rc = compare(&s[0], &s[i], e);
    }
    if (rc == 0 && unite) rc = write_union(s, n, organism, out, force, e);
    else if (rc == 0) rc = geneset_write(s[0].genes, organism, out, force, e);
    for (size_t i = 0; s && i < n; i++) {
        stdread_close(&s[i].std);
        table_free(&s[i].h5);
    }
    free(s);
    return rc;
}
