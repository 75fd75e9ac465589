/* exporth5ad: AnnData's .h5ad out of any container. */
#include "exporth5ad.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "exporth5.h"
#include "strmap.h"

/* A canonical decimal integer of at most 18 digits ("7", "-12"; not "07", "+7", ""). */
static int is_integer_text(const char *s)
{
    const char *d = s + (*s == '-');
    size_t n = strspn(d, "0123456789");
    return n && n <= 18 && !d[n] && (d[0] != '0' || n == 1);
}

/* Integer texts by value (cluster labels 0, 1, 2, ..., 10 as scanpy orders them). */
static int cmp_int_text(const void *a, const void *b)
{
    long long x = strtoll(*(const char *const *)a, NULL, 10), y = strtoll(*(const char *const *)b, NULL, 10);
    return (x > y) - (x < y);
}

int exporth5ad_dtype(const char *name, h5w_type *t)
{
    static const struct {
        const char *name;
        h5w_type t;
    } types[] = {{"float32", H5W_F32}, {"float64", H5W_F64}, {"int32", H5W_I32}, {"int64", H5W_I64}};
    for (size_t i = 0; i < sizeof types / sizeof *types; i++)
        if (!strcmp(name ? name : "float32", types[i].name)) {
            *t = types[i].t;
            return 0;
        }
    return -1;
}

static int encoding(h5w *f, const char *obj, const char *type, const char *version, mc_err *e)
{
    if (h5write_attr_str(f, obj, "encoding-type", type, e) < 0) return -1;
    return h5write_attr_str(f, obj, "encoding-version", version, e);
}

static int string_array(h5w *f, const char *path, const strvec *t, mc_err *e)
{
    if (h5write_strings(f, path, t->v, t->count, 0, e) < 0) return -1;
    return encoding(f, path, "string-array", "0.2.0", e);
}

/* Codes as pandas sizes them: the narrowest signed type above the category count. */
static h5w_type codes_type(size_t categories)
{
    return categories < INT8_MAX    ? H5W_I8
           : categories < INT16_MAX ? H5W_I16
           : categories < INT32_MAX ? H5W_I32
                                    : H5W_I64;
}

/* A text column: categorical when some value repeats, as anndata converts
 * strings on writing; else a string array.  Categories sorted as pandas makes
 * them (byte order), or by value when every one is an integer; an empty value
 * is a missing one (code -1), as the import reads a missing categorical value. */
static int text_column(h5w *f, const char *path, const strvec *t, mc_err *e)
{
    size_t n = t->count, k = 0;
    strmap m;
    char **cats = mc_alloc_array(n, sizeof *cats);
    if (!cats || strmap_init(&m, n) < 0) {
        free(cats);
        return mc_err_oom(e, path);
    }
    int rc = 0, seen = 0, integers = 1;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        int put = strmap_put(&m, t->v[i], seen, NULL);
        if (put < 0) rc = mc_err_oom(e, path);
        else if (put) seen++;
        if (put > 0 && *t->v[i]) cats[k++] = t->v[i], integers &= is_integer_text(t->v[i]);
    }
    strmap_free(&m);
    if (rc < 0 || (size_t)seen == n) {
        free(cats);
        return rc < 0 ? -1 : string_array(f, path, t, e);
    }
    int (*cmp)(const void *, const void *) = integers && k ? cmp_int_text : export_cmp_str;
    qsort(cats, k, sizeof *cats, cmp);
    h5w_type ct = codes_type(k);
    void *codes = mc_alloc_array(n, h5write_type_size(ct));
    char sub[640];
    if (!codes) rc = mc_err_oom(e, path);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        char **at = *t->v[i] ? bsearch(&t->v[i], cats, k, sizeof *cats, cmp) : NULL;
        exporth5_store(codes, ct, i, at ? at - cats : -1);
    }
    if (rc == 0 && h5write_group(f, path, e) == 0 && encoding(f, path, "categorical", "0.2.0", e) == 0 &&
        h5write_attr_bool(f, path, "ordered", 0, e) == 0) {
        strvec ca = {.count = k, .v = cats};
        snprintf(sub, sizeof sub, "%s/categories", path);
        rc = string_array(f, sub, &ca, e);
        snprintf(sub, sizeof sub, "%s/codes", path);
        if (rc == 0 && h5write_array(f, sub, ct, codes, n, e) == 0) rc = encoding(f, sub, "array", "0.2.0", e);
        else rc = -1;
    } else rc = -1;
    free(codes);
    free(cats);
    return rc;
}

static int frame_column_write(h5w *f, const char *group, const export_column *col, mc_err *e)
{
    static const h5w_type types[] = {[NPY_I4] = H5W_I32, [NPY_I8] = H5W_I64, [NPY_F4] = H5W_F32,
                                     [NPY_F8] = H5W_F64, [NPY_B1] = H5W_I8,  [NPY_U] = H5W_I8};
    char path[600];
    snprintf(path, sizeof path, "%s/%s", group, col->name);
    if (col->a.is_text) return text_column(f, path, &col->a.text, e);
    if (col->a.num.dtype == NPY_B1) {
        if (h5write_bools(f, path, col->a.num.data, col->a.num.count, e) < 0) return -1;
        return encoding(f, path, "array", "0.2.0", e);
    }
    if (h5write_array(f, path, types[col->a.num.dtype], col->a.num.data, col->a.num.count, e) < 0) return -1;
    return encoding(f, path, "array", "0.2.0", e);
}

/* A dataframe GROUP: index, then the columns in order. */
static int dataframe(h5w *f, const char *group, const strvec *index, const export_frame *fr, mc_err *e)
{
    char path[600];
    char **order = mc_alloc_array(fr->n, sizeof *order);
    if (!order) return mc_err_oom(e, group);
    for (size_t i = 0; i < fr->n; i++) order[i] = fr->v[i].name;
    snprintf(path, sizeof path, "%s/_index", group);
    int rc = h5write_group(f, group, e) < 0 || encoding(f, group, "dataframe", "0.2.0", e) < 0 ||
                     h5write_attr_str(f, group, "_index", "_index", e) < 0 ||
                     h5write_attr_strs(f, group, "column-order", order, fr->n, e) < 0 ||
                     string_array(f, path, index, e) < 0
                 ? -1
                 : 0;
    for (size_t i = 0; rc == 0 && i < fr->n; i++) rc = frame_column_write(f, group, &fr->v[i], e);
    free(order);
    return rc;
}

/* var_names: the input's names, unique as anndata's var_names_make_unique makes
 * them, with the -1, -2 suffixes of the canonical names (SPEC 5), so that
 * adata[:, NAME] finds one gene. */
static int unique_names(const export_labels *g, strvec *out, mc_err *e)
{
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < g->names.count; i++) {
        const char *orig = g->shown->v[i], *canon = g->names.v[i];
        size_t lo = strlen(orig), lc = strlen(canon);
        char *s = malloc(lo + (lc > lo ? lc - lo : 0) + 1);
        if (!s || (sprintf(s, "%s%s", orig, lc > lo ? canon + lo : ""), strvec_push(out, s) < 0)) {
            free(s);
            strvec_free(out);
            return mc_err_oom(e, NULL);
        }
        free(s);
    }
    return 0;
}

static int write_h5ad(h5w *f, container *c, const export_labels *g, export_frame *obs, export_frame *var, h5w_type dt,
                      uint64_t nnz, const char *shown, const export_opts *o, mc_err *e)
{
    static const char *const dicts[] = {"/layers", "/obsm", "/obsp", "/uns", "/varm", "/varp"};
    strvec names;
    int64_t shape[2] = {(int64_t)c->profiles_count, (int64_t)c->genes_count};
    h5w_type it = nnz > INT32_MAX ? H5W_I64 : H5W_I32;
    if (encoding(f, "/", "anndata", "0.1.0", e) < 0 || h5write_group(f, "/X", e) < 0 ||
        encoding(f, "/X", "csr_matrix", "0.1.0", e) < 0 || h5write_attr_i64(f, "/X", "shape", shape, 2, 0, e) < 0 ||
        exporth5_sparse(f, c, "/X", dt, it, exporth5_gzip(o, 0), shown, o, e) < 0)
        return -1;
    for (size_t i = 0; i < sizeof dicts / sizeof *dicts; i++)
        if (h5write_group(f, dicts[i], e) < 0 || encoding(f, dicts[i], "dict", "0.1.0", e) < 0) return -1;
    if (container_profile_names(c, &names, e) < 0) return -1;
    int rc = dataframe(f, "/obs", &names, obs, e);
    strvec_free(&names);
    if (rc == 0) rc = unique_names(g, &names, e);
    if (rc == 0) rc = dataframe(f, "/var", &names, var, e);
    strvec_free(&names);
    return rc;
}

/* var's columns: the gene set's ids as gene_ids, its annotations (genome, ...), then each g array of C
 * the gene set has not given. */
static int var_frame(container *c, export_labels *g, export_frame *var, const export_opts *o, mc_err *e)
{
    int rc = 0;
    if (g->ids) {
        mc_array ids = {.is_text = 1};
        rc = export_gather(g->ids, NULL, g->ids->count, "gene_ids", &ids.text, e);
        if (rc == 0) rc = export_frame_add(var, "gene_ids", &ids, e);
    }
    for (size_t i = 0; rc == 0 && i < g->set.n; i++)   /* the gene set's annotations (genome, ...) */
        if (strcmp(g->set.v[i].name, "original_name") && strcmp(g->set.v[i].name, "ensembl") &&
            strcmp(g->set.v[i].name, "gene_ids"))
            rc = export_frame_add(var, g->set.v[i].name, &g->set.v[i].a, e);
    if (rc == 0) {
        export_frame more = {0};
        rc = export_frame_arrays(c, 'g', NULL, 0, &more, o, e);
        for (size_t i = 0; rc == 0 && i < more.n; i++)
            if (!export_frame_has(var, more.v[i].name))   /* the gene set's ids and arrays win */
                rc = export_frame_add(var, more.v[i].name, &more.v[i].a, e);
        export_frame_free(&more);
    }
    return rc;
}

int exporth5ad_frame_load(container *c, char kind, const export_opts *o, export_frame *out, mc_err *e)
{
    export_labels g = {0};
    memset(out, 0, sizeof *out);
    int rc = kind == 'p' ? export_frame_arrays(c, 'p', NULL, 0, out, o, e) : export_labels_load(c, o->genes_dir, &g, e);
    if (rc == 0 && kind == 'p') rc = container_profile_names(c, &out->index, e);
    else if (rc == 0) {
        rc = var_frame(c, &g, out, o, e);
        if (rc == 0) rc = unique_names(&g, &out->index, e);
    }
    export_labels_free(&g);
    if (rc < 0) export_frame_free(out);
    return rc;
}

int exporth5ad_write(container *c, const char *out, const export_opts *o, mc_err *e)
{
    h5w_type dt;
    if (exporth5ad_dtype(o->dtype, &dt) < 0) return mc_err_fail(e, "%s: unknown X/data type '%s'", out, o->dtype);
    if (export_guard(c, &out, 1, o->force, e) < 0) return -1;
    export_labels g;
    export_frame obs = {0}, var = {0};
    mc_entries es = {0};
    uint64_t nnz, max;
    outfile of;
    h5w *f = NULL;
    if (export_labels_load(c, o->genes_dir, &g, e) < 0) return -1;
    int rc = export_frame_arrays(c, 'p', NULL, 0, &obs, o, e);
    if (rc == 0) rc = var_frame(c, &g, &var, o, e);
    if (rc == 0) rc = export_scan(c, &es, &nnz, &max, o, e);
    if (rc == 0 && max > exporth5_limit(dt))
        rc = mc_err_fail(e, "%s: a value of %" PRIu64 " does not fit X/data as %s exactly; choose a wider --dtype",
                         c->path, max, o->dtype ? o->dtype : "float32");
    entries_free(&es);
    if (rc == 0 && !(f = exporth5_begin(&of, out, o->force, e))) rc = -1;
    if (f) rc = exporth5_end(&of, f, write_h5ad(f, c, &g, &obs, &var, dt, nnz, out, o, e), e);
    export_frame_free(&obs);
    export_frame_free(&var);
    export_labels_free(&g);
    return rc;
}
