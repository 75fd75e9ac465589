/* h5x: sparse and dense count matrices of .h5ad and Loom files, in profile order. */
#include "h5x.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "datakind.h"
#include "h5backend.h"
#include "h5chunks.h"
#include "h5ds.h"
#include "h5guard.h"
#include "parallel.h"
#include "strvec.h"

#define H5X_BLOCK 1024       /* profiles per block of a by-gene matrix */

struct h5x {
    h5x_storage storage;
    char *where;
    hid_t data, indices, dense;
    int64_t *indptr;          /* by profile: P + 1; by gene: G + 1 */
    size_t next;              /* next profile */
    /* by profile: the entries' chunks inflated on THREADS threads (h5chunks.h), started at the first
     * entry; the current blocks of indices and data, and the entry at their positions */
    int threads;
    h5pool *pool;
    h5chunks_pair rd;
    uint64_t pos;
    /* by gene: per gene a cursor and a buffer; the current block's profiles */
    int64_t *cursor;
    int64_t *gi;
    double *gv;
    uint32_t *gpos, *glen;
    size_t kbuf;              /* entries buffered per gene */
    mc_entries *blk;
    /* dense: a block of profiles */
    double *block;
    /* both blocked storages: the block's first profile and length */
    size_t block_at, block_n;
    /* h5_next: the current profile's entries */
    mc_entries cur;
    size_t cur_i, cur_profile;
};

/* --- small helpers ---------------------------------------------------------------- */

int h5x_lane_column(h5_matrix *m, hid_t loc, const char *where, const char *column, mc_err *e)
{
    if (!column) return 0;
    if (!h5ds_exists(loc, column))
        return mc_err_fail(e, "%s: %s: no column '%s' (--lane-column)", m->path, where, column);
    return h5x_strings(m, loc, where, column, m->profiles_count, 0, &m->lanes, e);
}

static int fail_read(h5_matrix *m, const char *what, mc_err *e)
{
    struct h5x *x = m->state;
    char shown[600];
    hid_t d = !strcmp(what, "data") ? x->data : !strcmp(what, "indices") ? x->indices : x->dense;
    snprintf(shown, sizeof shown, "%s%s%s", x->where, *what ? "/" : "", what);
    return h5ds_fail_read(e, m->path, shown, d);
}

/* Why V is no count, naming where it is (ENTRY is UINT64_MAX for dense data). */
static int not_count(h5_matrix *m, double v, uint64_t entry, size_t profile, size_t gene, mc_err *e)
{
    const char *where = ((const struct h5x *)m->state)->where;
    char at[128];
    if (entry == UINT64_MAX) snprintf(at, sizeof at, "profile %zu, gene %zu", profile, gene);
    else snprintf(at, sizeof at, "entry %llu (profile %zu, gene %zu)", (unsigned long long)entry, profile, gene);
    if (v < 0) return mc_err_fail(e, "%s: %s: %s: %g is negative, not a count", m->path, where, at, v);
    return mc_err_fail(e,
                       "%s: %s: %s: %g is not an integer count (normalised data? choose the raw counts with --layer)",
                       m->path, where, at, v);
}

/* V as a count (a non-negative integer below 2^53), or not_count's error: inlined, as it runs an entry. */
static inline int to_count(h5_matrix *m, double v, uint64_t entry, size_t profile, size_t gene, uint64_t *out,
                           mc_err *e)
{
    uint64_t u = v >= 0 && v < 9007199254740992.0 ? (uint64_t)v : 0;   /* NaN fails both tests */
    *out = u;
    return v >= 0 && (double)u == v ? 0 : not_count(m, v, entry, profile, gene, e);   /* integral: kept whole */
}

/* --- strings --------------------------------------------------------------------- */

/* V's N strings (each malloc'd) and V itself become the matrix's (h5backend.h); freed there on failure. */
static int hold_texts(h5_matrix *m, char **v, size_t n)
{
    strvec s = {.count = n, .v = v};
    return h5_hold(m, &s, NULL);
}

/* N strings of dataset D, each malloc'd (numbers printed as text); -1 on
 * failure, which the caller names. */
static int read_texts(hid_t d, size_t n, char **v)
{
    hid_t t = H5Dget_type(d);
    H5T_class_t c = t >= 0 ? H5Tget_class(t) : H5T_NO_CLASS;
    int rc = -1;
    if (t >= 0) H5Tclose(t);
    if (c == H5T_STRING) {
        strvec s;
        mc_err unused;
        if (h5ds_strings(d, n, &s, "", "", &unused) < 0) return -1;
        rc = 0;
        for (size_t i = 0; i < n; i++)
            if (!(v[i] = strdup(s.v[i]))) rc = -1;
        strvec_free(&s);
    } else if (c == H5T_INTEGER || c == H5T_FLOAT) {
        double *buf = mc_alloc_array(n, sizeof *buf);
        if (buf && h5ds_read_all(d, H5T_NATIVE_DOUBLE, n, buf) == 0) {
            rc = 0;
            for (size_t i = 0; i < n; i++) {
                char num[64];
                snprintf(num, sizeof num, "%.17g", buf[i]);
                if (!(v[i] = strdup(num))) rc = -1;
            }
        }
        free(buf);
    }
    return rc;
}

/* N strings, each malloc'd, and V itself (V may be NULL, its strings NULL). */
static void free_texts(char **v, size_t n)
{
    strvec s = {.count = n, .v = v};
    strvec_free(&s);
}

/* v[i] = categories[codes[i]] for N codes; a code out of range (-1: missing) is an error, or with
 * MISSING_EMPTY (annotations) a missing value is "". */
static int expand_codes(h5_matrix *m, const char *shown, hid_t codes, char **cats, size_t ncats, size_t n,
                        int missing_empty, char **v, mc_err *e)
{
    int64_t *c = mc_alloc_array(n, sizeof *c);
    int rc = c && h5ds_read_all(codes, H5T_NATIVE_INT64, n, c) == 0
                 ? 0
                 : mc_err_fail(e, "%s: %s/codes: cannot read", m->path, shown);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (c[i] == -1 && missing_empty) {
            if (!(v[i] = strdup(""))) rc = mc_err_oom(e, m->path);
        } else if (c[i] < 0 || (uint64_t)c[i] >= ncats)
            rc = mc_err_fail(e, "%s: %s: value %zu is missing (code %lld)", m->path, shown, i, (long long)c[i]);
        else if (!(v[i] = strdup(cats[c[i]])))
            rc = mc_err_oom(e, m->path);
    }
    free(c);
    return rc;
}

/* A categorical column: anndata >= 0.8 writes a group {categories, codes};
 * 0.7 the codes as a dataset whose "categories" attribute references the
 * categories dataset. */
static int read_categorical(h5_matrix *m, hid_t codes, hid_t cats_ds, const char *shown, size_t n, int missing_empty,
                            char **v, mc_err *e)
{
    int64_t k = h5ds_length(cats_ds);
    char **cats = k >= 0 ? mc_alloc_zeroed((size_t)k + 1, sizeof *cats) : NULL;
    int rc = cats && read_texts(cats_ds, (size_t)k, cats) == 0
                 ? expand_codes(m, shown, codes, cats, (size_t)k, n, missing_empty, v, e)
                 : mc_err_fail(e, "%s: %s: cannot read its categories", m->path, shown);
    free_texts(cats, k > 0 ? (size_t)k : 0);
    return rc;
}

/* A column opened and checked (h5guard.h): a dataset of text or numbers (d),
 * or categorical codes and the categories they index. */
typedef struct column {
    hid_t d, codes, cats;
} column;

static void column_close(column *c)
{
    if (c->d >= 0) H5Dclose(c->d);
    if (c->codes >= 0) H5Dclose(c->codes);
    if (c->cats >= 0) H5Oclose(c->cats);
    c->d = c->codes = c->cats = -1;
}

/* anndata >= 0.8's categorical group {categories, codes}. */
static int open_categorical(h5_matrix *m, hid_t loc, const char *name, const char *shown, size_t n, unsigned flags,
                            column *c, mc_err *e)
{
    char codes[600], cats[600];
    snprintf(codes, sizeof codes, "%s/codes", shown);
    snprintf(cats, sizeof cats, "%s/categories", shown);
    hid_t g = H5Gopen2(loc, name, H5P_DEFAULT);
    int rc = 0;
    if (g < 0 || !h5ds_exists(g, "codes") || !h5ds_exists(g, "categories"))
        rc = mc_err_fail(e, "%s: %s: not a column of %zu values (nor a categorical one)", m->path, shown, n);
    if (rc == 0 && (c->codes = h5guard_open(g, "codes", H5P_DEFAULT, m->path, codes, flags | H5GUARD_INTEGER, e)) < 0)
        rc = -1;
    if (rc == 0 && (c->cats = h5guard_open(g, "categories", H5P_DEFAULT, m->path, cats, 0, e)) < 0) rc = -1;
    if (rc == 0 && h5ds_length(c->codes) != (int64_t)n)
        rc = mc_err_fail(e, "%s: %s: not a column of %zu values (nor a categorical one)", m->path, shown, n);
    if (g >= 0) H5Gclose(g);
    return rc;
}

/* Open column NAME of N values, checked with FLAGS (codes are integers too);
 * anndata 0.7 writes a categorical column as the codes whose "categories"
 * attribute references the categories dataset. */
static int open_column(h5_matrix *m, hid_t loc, const char *name, const char *shown, size_t n, unsigned flags,
                       column *c, mc_err *e)
{
    H5O_info_t info;
    c->d = c->codes = c->cats = -1;
#if H5_VERSION_GE(1, 12, 0)
    if (H5Oget_info_by_name3(loc, name, &info, H5O_INFO_BASIC, H5P_DEFAULT) < 0)
#else
    if (H5Oget_info_by_name(loc, name, &info, H5P_DEFAULT) < 0)
#endif
        return mc_err_fail(e, "%s: %s: cannot open", m->path, shown);
    int rc = info.type == H5O_TYPE_GROUP ? open_categorical(m, loc, name, shown, n, flags, c, e) : 0;
    if (info.type == H5O_TYPE_GROUP) goto out;
    hid_t d = H5Dopen2(loc, name, H5P_DEFAULT);
    if (d < 0 || h5ds_length(d) != (int64_t)n) {
        if (d >= 0) H5Dclose(d);
        rc = mc_err_fail(e, "%s: %s: not a column of %zu values", m->path, shown, n);
    } else if (H5Aexists(d, "categories") > 0) {
        hobj_ref_t ref;
        hid_t a = H5Aopen(d, "categories", H5P_DEFAULT);
        c->codes = d;
        c->cats = a >= 0 && H5Aread(a, H5T_STD_REF_OBJ, &ref) >= 0 ? H5Rdereference2(d, H5P_DEFAULT, H5R_OBJECT, &ref)
                                                                   : -1;
        if (a >= 0) H5Aclose(a);
        if (c->cats < 0) rc = mc_err_fail(e, "%s: %s: cannot follow its categories", m->path, shown);
        else if (h5guard_check(d, m->path, shown, flags | H5GUARD_INTEGER, e) < 0) rc = -1;
        else rc = h5guard_check(c->cats, m->path, shown, 0, e);
    } else {
        c->d = d;
        rc = h5guard_check(d, m->path, shown, flags, e);
    }
out:
    if (rc < 0) column_close(c);
    return rc;
}

/* The N values of the open column C as text into V. */
static int read_open_column(h5_matrix *m, const column *c, const char *shown, size_t n, int missing_empty, char **v,
                            mc_err *e)
{
    if (c->codes >= 0) return read_categorical(m, c->codes, c->cats, shown, n, missing_empty, v, e);
    if (read_texts(c->d, n, v) == 0) return 0;
    char why[160];
    return mc_err_fail(e, "%s: %s: cannot read as text%s", m->path, shown, h5ds_missing_filter(c->d, why, sizeof why));
}

static int read_column(h5_matrix *m, hid_t loc, const char *name, const char *shown, size_t n, int missing_empty,
                       char **v, mc_err *e)
{
    column c;
    if (open_column(m, loc, name, shown, n, 0, &c, e) < 0) return -1;
    int rc = read_open_column(m, &c, shown, n, missing_empty, v, e);
    column_close(&c);
    return rc;
}

int h5x_strings(h5_matrix *m, hid_t loc, const char *where, const char *name, size_t n, int optional, char ***out,
                mc_err *e)
{
    char shown[512];
    snprintf(shown, sizeof shown, "%s/%s", where, name);
    *out = NULL;
    if (!h5ds_exists(loc, name)) return optional ? 0 : mc_err_fail(e, "%s: %s: missing", m->path, shown);
    column c;
    /* Checked before N pointers are allocated: N may be what a lying file declares. */
    if (open_column(m, loc, name, shown, n, H5GUARD_STORED, &c, e) < 0) return -1;
    char **v = mc_alloc_zeroed(n + 1, sizeof *v);
    int rc = v ? read_open_column(m, &c, shown, n, 0, v, e) : mc_err_oom(e, m->path);
    column_close(&c);
    if (!v) return -1;
    if (rc == 0) rc = h5ds_check_lines(v, n, m->path, shown, e);
    if (rc < 0) {
        free_texts(v, n);
        return -1;
    }
    if (hold_texts(m, v, n) < 0) return mc_err_oom(e, m->path);
    *out = v;
    return 0;
}

/* --- annotations ----------------------------------------------------------------- */

static herr_t add_link(hid_t loc, const char *name, const H5L_info_t *info, void *arg)
{
    (void)loc, (void)info;
    return strvec_push(arg, name) < 0 ? -1 : 0;
}

/* h5py's bool: an enum of one byte whose members are FALSE (0) and TRUE (1). */
static int is_bool(hid_t t)
{
    if (H5Tget_class(t) != H5T_ENUM || H5Tget_size(t) != 1 || H5Tget_nmembers(t) != 2) return 0;
    char *a = H5Tget_member_name(t, 0), *b = H5Tget_member_name(t, 1);
    int ok = a && b && !strcmp(a, "FALSE") && !strcmp(b, "TRUE");
    H5free_memory(a);
    H5free_memory(b);
    return ok;
}

/* column_type of anndata's nullable arrays (values and mask), whose type depends on the mask. */
#define NULLABLE 100

/* The field type column NAME of LOC is imported as, or -1 when it is left out:
 * not one value per row, or an encoding mc does not store. */
static int column_type(hid_t loc, const char *name, size_t n)
{
    H5O_info_t info;
#if H5_VERSION_GE(1, 12, 0)
    if (H5Oget_info_by_name3(loc, name, &info, H5O_INFO_BASIC, H5P_DEFAULT) < 0) return -1;
#else
    if (H5Oget_info_by_name(loc, name, &info, H5P_DEFAULT) < 0) return -1;
#endif
    if (info.type == H5O_TYPE_GROUP) {
        hid_t g = H5Gopen2(loc, name, H5P_DEFAULT);
        char *type = g >= 0 ? h5ds_attr_str(g, "encoding-type") : NULL;
        int cat = g >= 0 && ((type && !strcmp(type, "categorical")) ||
                             (!type && h5ds_exists(g, "codes") && h5ds_exists(g, "categories")));
        int nullable = g >= 0 && type && !strncmp(type, "nullable-", 9) && h5ds_exists(g, "values") &&
                       h5ds_exists(g, "mask");
        free(type);
        if (g >= 0) H5Gclose(g);
        return cat ? FIELD_STR : nullable ? NULLABLE : -1;
    }
    if (info.type != H5O_TYPE_DATASET) return -1;
    hid_t d = H5Dopen2(loc, name, H5P_DEFAULT), t = d >= 0 ? H5Dget_type(d) : -1;
    int r = -1;
    if (t >= 0 && h5ds_length(d) == (int64_t)n) {
        H5T_class_t c = H5Tget_class(t);
        r = H5Aexists(d, "categories") > 0 || c == H5T_STRING ? FIELD_STR
            : c == H5T_INTEGER                                 ? FIELD_INT
            : c == H5T_FLOAT                                   ? FIELD_FLOAT
            : is_bool(t)                                       ? FIELD_BOOL
                                                               : -1;
    }
    if (t >= 0) H5Tclose(t);
    if (d >= 0) H5Dclose(d);
    return r;
}

/* N numbers (or bools) of dataset LOC/NAME as text, into v. */
static int read_numbers(h5_matrix *m, hid_t loc, const char *name, const char *shown, field_type type, size_t n,
                        char **v, mc_err *e)
{
    hid_t d = h5guard_open(loc, name, H5P_DEFAULT, m->path, shown, 0, e), ft = d >= 0 ? H5Dget_type(d) : -1;
    if (d < 0) return -1;
    hid_t mt = type == FIELD_INT ? H5Tcopy(H5T_NATIVE_INT64)
               : type == FIELD_FLOAT ? H5Tcopy(H5T_NATIVE_DOUBLE)
               : ft >= 0 ? H5Tget_native_type(ft, H5T_DIR_ASCEND) : -1;
    void *buf = mc_alloc_array(n ? n : 1, 8);
    int rc = d >= 0 && mt >= 0 && buf && h5ds_read_all(d, mt, n, buf) == 0
                 ? 0
                 : mc_err_fail(e, "%s: %s: cannot read", m->path, shown);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        char num[64];
        if (type == FIELD_INT) snprintf(num, sizeof num, "%lld", (long long)((int64_t *)buf)[i]);
        else if (type == FIELD_FLOAT) snprintf(num, sizeof num, "%.17g", ((double *)buf)[i]);
        else snprintf(num, sizeof num, "%s", ((unsigned char *)buf)[i] ? "true" : "false");
        if (!(v[i] = strdup(num))) rc = mc_err_oom(e, m->path);
    }
    free(buf);
    if (mt >= 0) H5Tclose(mt);
    if (ft >= 0) H5Tclose(ft);
    if (d >= 0) H5Dclose(d);
    return rc;
}

/* anndata's nullable-integer, nullable-boolean and nullable-string-array
 * (values and a bool mask, true where missing): integers are int, or float
 * with NaN where missing; bools bool, or text true / false / "" when some are
 * missing; strings text, "" where missing. */
static int read_nullable(h5_matrix *m, hid_t loc, const char *name, const char *shown, size_t n, field_type *type,
                         char **v, mc_err *e)
{
    char sub[600];
    snprintf(sub, sizeof sub, "%s/mask", shown);
    hid_t g = H5Gopen2(loc, name, H5P_DEFAULT);
    hid_t md = g >= 0 ? h5guard_open(g, "mask", H5P_DEFAULT, m->path, sub, 0, e) : -1;
    if (md < 0) {
        if (g >= 0) H5Gclose(g);
        return g >= 0 ? -1 : mc_err_fail(e, "%s: %s: cannot open", m->path, shown);
    }
    hid_t ft = H5Dget_type(md), mt = ft >= 0 ? H5Tget_native_type(ft, H5T_DIR_ASCEND) : -1;
    char *enc = h5ds_attr_str(g, "encoding-type");
    unsigned char *mask = mc_alloc_array(n ? n : 1, 1);
    size_t missing = 0;
    int rc = mask ? 0 : mc_err_oom(e, m->path);
    if (rc == 0 && (mt < 0 || H5Tget_size(mt) != 1 || h5ds_length(md) != (int64_t)n ||
                    h5ds_read_all(md, mt, n, mask) < 0))
        rc = mc_err_fail(e, "%s: %s/mask: not a mask of %zu bools", m->path, shown, n);
    for (size_t i = 0; rc == 0 && i < n; i++) missing += mask[i] != 0;
    int ints = enc && !strcmp(enc, "nullable-integer"), bools = enc && !strcmp(enc, "nullable-boolean");
    *type = ints ? (missing ? FIELD_FLOAT : FIELD_INT) : bools ? (missing ? FIELD_STR : FIELD_BOOL) : FIELD_STR;
    if (rc == 0)
        rc = ints || bools ? read_numbers(m, g, "values", shown, ints ? *type : FIELD_BOOL, n, v, e)
                           : read_column(m, g, "values", shown, n, 1, v, e);
    for (size_t i = 0; rc == 0 && i < n; i++)
        if (mask[i]) {
            free(v[i]);
            if (!(v[i] = strdup(*type == FIELD_FLOAT ? "nan" : ""))) rc = mc_err_oom(e, m->path);
        }
    free(mask);
    free(enc);
    if (mt >= 0) H5Tclose(mt);
    if (ft >= 0) H5Tclose(ft);
    if (md >= 0) H5Dclose(md);
    if (g >= 0) H5Gclose(g);
    return rc;
}

static int in_names(const char *name, const char *const *list)
{
    for (; list && *list; list++)
        if (!strcmp(name, *list)) return 1;
    return 0;
}

/* The name column NAME is stored under: PREFIX + NAME when NAME is one of mc's own arrays. */
static int stored_name(h5_matrix *m, hid_t loc, const char *shown, const char *name, char kind, char *out,
                       size_t size, mc_err *e)
{
    for (const char *c = name; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            return mc_err_fail(e, "%s: %s: a column name with a control character cannot name a file", m->path, shown);
    if (!*name) return mc_err_fail(e, "%s: %s: an empty column name cannot name a file", m->path, shown);
    const char k[2] = {kind, 0};
    if (!datakind_reserved(datakind_find(k), name)) return snprintf(out, size, "%s", name), 0;
    snprintf(out, size, "%s_%s", kind == 'p' ? "obs" : "var", name);
    if (h5ds_exists(loc, out))
        return mc_err_fail(e, "%s: %s: stored as %s (mc's own array is %s), but there is a column %s too", m->path,
                           shown, out, name, out);
    return 0;
}

/* One column of TYPE (or NULLABLE) into *f. */
static int read_field(h5_matrix *m, hid_t loc, const char *where, const char *name, char kind, int type, h5_field *f,
                      mc_err *e)
{
    char shown[512], stored[300];
    size_t n = kind == 'p' ? m->profiles_count : m->genes_count;
    snprintf(shown, sizeof shown, "%s/%s", where, name);
    if (stored_name(m, loc, shown, name, kind, stored, sizeof stored, e) < 0) return -1;
    char **v = mc_alloc_zeroed(n + 1, sizeof *v);
    if (!v) return mc_err_oom(e, m->path);
    field_type t = type == NULLABLE ? FIELD_STR : (field_type)type;
    int rc = type == NULLABLE ? read_nullable(m, loc, name, shown, n, &t, v, e)
             : t == FIELD_STR ? read_column(m, loc, name, shown, n, 1, v, e)
                              : read_numbers(m, loc, name, shown, t, n, v, e);
    if (rc == 0 && t == FIELD_STR) rc = h5ds_check_lines(v, n, m->path, shown, e);
    if (rc < 0) {
        free_texts(v, n);
        return -1;
    }
    if (hold_texts(m, v, n) < 0) return mc_err_oom(e, m->path);
    if (!(f->name = strdup(stored))) return mc_err_oom(e, m->path);
    f->type = t;
    f->v = v;
    return 0;
}

int h5x_fields(h5_matrix *m, hid_t loc, const char *where, char kind, const char *const *skip, mc_err *e)
{
    strvec names = STRVEC_INIT;
    h5_field **out = kind == 'p' ? &m->profile_fields : &m->gene_fields;
    size_t *count = kind == 'p' ? &m->profile_fields_count : &m->gene_fields_count,
           n = kind == 'p' ? m->profiles_count : m->genes_count;
    int rc = H5Literate(loc, H5_INDEX_NAME, H5_ITER_INC, NULL, add_link, &names) < 0
                 ? mc_err_fail(e, "%s: %s: cannot list its columns", m->path, where)
                 : 0;
    for (size_t i = 0; rc == 0 && i < names.count; i++) {
        int type = in_names(names.v[i], skip) ? -1 : column_type(loc, names.v[i], n);
        if (type < 0) continue;
        h5_field *f = mc_alloc_resize(*out, *count + 1, sizeof *f);
        if (!f) rc = mc_err_oom(e, m->path);
        else if ((*out = f), (rc = read_field(m, loc, where, names.v[i], kind, type, &f[*count], e)) == 0)
            ++*count;
    }
    strvec_free(&names);
    return rc;
}

/* --- opening a matrix -------------------------------------------------------------- */

int h5x_begin(h5_matrix *m, int threads, mc_err *e)
{
    struct h5x *x = mc_alloc_zeroed(1, sizeof *x);
    if (!x) return mc_err_oom(e, m->path);
    x->data = x->indices = x->dense = -1;
    x->threads = threads > 0 ? threads : parallel_cores();
    m->state = x;
    return 0;
}

static int open_x(h5_matrix *m, const char *where, h5x_storage storage, mc_err *e)
{
    struct h5x *x = m->state;
    x->storage = storage;
    if (!(x->where = strdup(where))) return mc_err_oom(e, m->path);
    return 0;
}

static int read_indptr(h5_matrix *m, hid_t g, size_t n, uint64_t *entries, mc_err *e)
{
    struct h5x *x = m->state;
    char shown[600];
    snprintf(shown, sizeof shown, "%s/indptr", x->where);
    hid_t d = h5guard_open(g, "indptr", H5P_DEFAULT, m->path, shown, H5GUARD_INTEGER, e);
    if (d < 0) return -1;
    int64_t len = h5ds_length(d);
    int rc = 0;
    if (len != (int64_t)n + 1)
        rc = mc_err_fail(e, "%s: %s/indptr: %lld values, expected %zu", m->path, x->where, (long long)len, n + 1);
    else if (!(x->indptr = mc_alloc_array(n + 1, sizeof *x->indptr)))
        rc = mc_err_oom(e, m->path);
    else if (h5ds_read_all(d, H5T_NATIVE_INT64, n + 1, x->indptr) < 0)
        rc = fail_read(m, "indptr", e);
    if (d >= 0) H5Dclose(d);
    if (rc < 0) return -1;
    if (x->indptr[0] != 0)
        return mc_err_fail(e, "%s: %s/indptr: starts at %lld, not 0", m->path, x->where, (long long)x->indptr[0]);
    for (size_t i = 0; i < n; i++)
        if (x->indptr[i + 1] < x->indptr[i])
            return mc_err_fail(e, "%s: %s/indptr: decreases at index %zu", m->path, x->where, i + 1);
    int64_t nd = h5ds_length(x->data), ni = h5ds_length(x->indices);
    if (nd < x->indptr[n] || ni < x->indptr[n])
        return mc_err_fail(e, "%s: %s: indptr ends at %lld but data has %lld and indices %lld values", m->path,
                           x->where, (long long)x->indptr[n], (long long)nd, (long long)ni);
    *entries = (uint64_t)x->indptr[n];
    return 0;
}

/* Bytes of one chunk of D as stored uncompressed (0: not chunked). */
static size_t chunk_bytes(hid_t d)
{
    hid_t p = H5Dget_create_plist(d), t = H5Dget_type(d);
    hsize_t dims[H5S_MAX_RANK];
    int rank = p >= 0 && H5Pget_layout(p) == H5D_CHUNKED ? H5Pget_chunk(p, H5S_MAX_RANK, dims) : 0;
    size_t bytes = t >= 0 && rank > 0 ? H5Tget_size(t) : 0;   /* at most H5GUARD_CHUNK_MAX: checked */
    for (int i = 0; i < rank; i++) bytes *= (size_t)dims[i];
    if (p >= 0) H5Pclose(p);
    if (t >= 0) H5Tclose(t);
    return bytes;
}

/* Data or indices of a sparse matrix, read in slabs (by profile, unless h5chunks.h inflates its chunks) or a refill
 * per gene (by gene): HDF5 caches no chunk larger than its chunk cache, and
 * would inflate such a chunk again for every slab of it (for ever, on a file
 * of one gene repeated in chunks of 4 MiB), so the cache holds two chunks.
 * By gene, neighbouring genes' refills read the same chunks: at least 2 MiB,
 * evicting least recently used chunks first (w0 0: HDF5 otherwise keeps
 * fully read chunks, and memory grows with the file). */
static hid_t open_sparse(h5_matrix *m, hid_t g, const char *name, const char *shown, unsigned flags,
                         h5x_storage storage, mc_err *e)
{
    hid_t d = h5guard_open(g, name, H5P_DEFAULT, m->path, shown, flags, e);
    if (d < 0) return -1;
    size_t least = storage == H5X_BY_GENE ? (size_t)2 << 20 : (size_t)1 << 20, cache = 2 * chunk_bytes(d);
    if (cache <= least && storage == H5X_BY_PROFILE) return d;   /* HDF5's default cache: 1 MiB */
    H5Dclose(d);
    hid_t dapl = H5Pcreate(H5P_DATASET_ACCESS);
    if (dapl >= 0) H5Pset_chunk_cache(dapl, 10007, cache > least ? cache : least, storage == H5X_BY_GENE ? 0.0 : 0.75);
    d = H5Dopen2(g, name, dapl >= 0 ? dapl : H5P_DEFAULT);   /* checked above */
    if (dapl >= 0) H5Pclose(dapl);
    if (d < 0) mc_err_fail(e, "%s: %s: cannot open as a dataset", m->path, shown);
    return d;
}

int h5x_sparse(h5_matrix *m, hid_t g, const char *where, h5x_storage storage, mc_err *e)
{
    if (open_x(m, where, storage, e) < 0) return -1;
    struct h5x *x = m->state;
    if (!h5ds_exists(g, "data") || !h5ds_exists(g, "indices") || !h5ds_exists(g, "indptr"))
        return mc_err_fail(e, "%s: %s: a sparse matrix needs data, indices and indptr", m->path, where);
    char data[600], indices[600];
    snprintf(data, sizeof data, "%s/data", where);
    snprintf(indices, sizeof indices, "%s/indices", where);
    if ((x->data = open_sparse(m, g, "data", data, 0, storage, e)) < 0 ||
        (x->indices = open_sparse(m, g, "indices", indices, H5GUARD_INTEGER, storage, e)) < 0)
        return -1;
    size_t n = storage == H5X_BY_PROFILE ? m->profiles_count : m->genes_count;
    if (read_indptr(m, g, n, &m->stored_entries, e) < 0) return -1;
    if (storage == H5X_BY_PROFILE) return 0;
    size_t G = m->genes_count ? m->genes_count : 1;
    x->kbuf = H5X_BUF / G < 16 ? 16 : H5X_BUF / G > 65536 ? 65536 : H5X_BUF / G;   /* few reads, 32 MiB at most */
    x->cursor = mc_alloc_array(G, sizeof *x->cursor);
    x->gi = mc_alloc_array(G * x->kbuf, sizeof *x->gi);   /* G * kbuf <= H5X_BUF + 16 G: no overflow */
    x->gv = mc_alloc_array(G * x->kbuf, sizeof *x->gv);
    x->gpos = mc_alloc_zeroed(G, sizeof *x->gpos);
    x->glen = mc_alloc_zeroed(G, sizeof *x->glen);
    x->blk = mc_alloc_zeroed(H5X_BLOCK, sizeof *x->blk);
    if (!x->cursor || !x->gi || !x->gv || !x->gpos || !x->glen || !x->blk) return mc_err_oom(e, m->path);
    memcpy(x->cursor, x->indptr, m->genes_count * sizeof *x->cursor);
    return 0;
}

int h5x_dense(h5_matrix *m, hid_t d, const char *where, h5x_storage storage, mc_err *e)
{
    if (open_x(m, where, storage, e) < 0 || h5guard_check(d, m->path, where, 0, e) < 0) {
        H5Dclose(d);
        return -1;
    }
    struct h5x *x = m->state;
    hid_t s = H5Dget_space(d);
    hsize_t dims[2] = {0, 0};
    int nd = s >= 0 ? H5Sget_simple_extent_ndims(s) : -1;
    if (nd == 2) H5Sget_simple_extent_dims(s, dims, NULL);
    if (s >= 0) H5Sclose(s);
    size_t want0 = storage == H5X_DENSE_PG ? m->profiles_count : m->genes_count,
           want1 = storage == H5X_DENSE_PG ? m->genes_count : m->profiles_count;
    if (nd != 2 || dims[0] != want0 || dims[1] != want1) {
        H5Dclose(d);
        return mc_err_fail(e, "%s: %s: shape (%llu, %llu), expected (%zu, %zu)", m->path, where,
                       (unsigned long long)dims[0], (unsigned long long)dims[1], want0, want1);
    }
    x->dense = d;
    size_t per = m->genes_count ? m->genes_count : 1, rows = H5X_DENSE / per ? H5X_DENSE / per : 1;
    /* rows * per <= H5X_DENSE + per: no overflow */
    if (!(x->block = mc_alloc_array(rows * per, sizeof *x->block))) return mc_err_oom(e, m->path);
    return 0;
}

/* --- reading ------------------------------------------------------------------------- */

/* Make the current blocks of a by-profile matrix hold entry x->pos. */
static int load_blocks(h5_matrix *m, mc_err *e)
{
    struct h5x *x = m->state;
    char why[256];
    if (!x->pool && !(x->pool = h5chunks_pool_start(x->threads)))
        return mc_err_errno(e, m->path, "cannot start the decoding threads");
    if (h5chunks_pair_load(&x->rd, x->pool, x->indices, x->data, m->stored_entries, H5V_DOUBLE, why) == 0) return 0;
    if (x->rd.failed_hdf5) return fail_read(m, x->rd.failed, e);   /* HDF5's reason: a filter it lacks is named */
    return mc_err_fail(e, "%s: %s/%s: %s", m->path, x->where, x->rd.failed, why);
}

/* Profile P of a by-profile matrix into ES: its entries run by run of the current blocks, each checked. */
static int profile_sparse(h5_matrix *m, size_t p, mc_entries *es, mc_err *e)
{
    struct h5x *x = m->state;
    uint64_t end = (uint64_t)x->indptr[p + 1];   /* profiles are read in order: x->pos is indptr[p] */
    size_t from = es->n, fold = H5_FOLD(m->genes_count);
    int folded = 0;
    while (x->pos < end) {
        if (es->n - from >= fold) {   /* duplicates: sum them (h5backend.h) */
            folded = 1;
            if (entries_fold(es, from) < 0) return mc_err_oom(e, m->path);
        }
        h5chunks_pair *r = &x->rd;
        if ((r->ipos == r->ilen || r->vpos == r->vlen) && load_blocks(m, e) < 0) return -1;
        size_t n = end - x->pos < fold - (es->n - from) ? (size_t)(end - x->pos) : fold - (es->n - from);
        if (n > r->ilen - r->ipos) n = r->ilen - r->ipos;
        if (n > r->vlen - r->vpos) n = r->vlen - r->vpos;
        if (entries_reserve(es, es->n + n) < 0) return mc_err_oom(e, m->path);
        const int64_t *g = r->ib + r->ipos;
        const double *v = (const double *)r->vb + r->vpos;
        mc_entry *out = es->v + es->n;
        for (size_t i = 0; i < n; i++) {
            if (g[i] < 0 || (uint64_t)g[i] >= m->genes_count)
                return mc_err_fail(e, "%s: %s/indices: entry %llu: gene index %lld out of range (%zu genes)", m->path,
                                   x->where, (unsigned long long)(x->pos + i), (long long)g[i], m->genes_count);
            if (to_count(m, v[i], x->pos + i, p, (size_t)g[i], &out[i].value, e) < 0) return -1;
            out[i].gene = (uint32_t)g[i];
        }
        es->n += n;
        r->ipos += n, r->vpos += n, x->pos += n;
    }
    return folded && entries_fold(es, from) < 0 ? mc_err_oom(e, m->path) : 0;   /* every gene once */
}

/* Gene G's next buffered entries of a by-gene matrix. */
static int refill(h5_matrix *m, size_t g, mc_err *e)
{
    struct h5x *x = m->state;
    uint64_t at = (uint64_t)x->cursor[g], left = (uint64_t)x->indptr[g + 1] - at;
    size_t n = left < x->kbuf ? (size_t)left : x->kbuf;
    if (h5ds_read(x->indices, at, n, H5T_NATIVE_INT64, x->gi + g * x->kbuf) < 0) return fail_read(m, "indices", e);
    if (h5ds_read(x->data, at, n, H5T_NATIVE_DOUBLE, x->gv + g * x->kbuf) < 0) return fail_read(m, "data", e);
    x->gpos[g] = 0;
    x->glen[g] = (uint32_t)n;
    return 0;
}

/* Gene G's entries for profiles [block_at, block_at + block_n) into their lists. */
static int gene_into_block(h5_matrix *m, size_t g, mc_err *e)
{
    struct h5x *x = m->state;
    size_t end = x->block_at + x->block_n;
    for (;;) {
        if (x->gpos[g] == x->glen[g]) {
            if (x->cursor[g] == x->indptr[g + 1]) return 0;
            if (refill(m, g, e) < 0) return -1;
        }
        int64_t p = x->gi[g * x->kbuf + x->gpos[g]];
        uint64_t k = (uint64_t)x->cursor[g], v;
        if (p >= 0 && (uint64_t)p >= end && (uint64_t)p < m->profiles_count) return 0;
        if (p < 0 || (uint64_t)p >= m->profiles_count)
            return mc_err_fail(e, "%s: %s/indices: entry %llu: profile index %lld out of range (%zu profiles)", m->path,
                           x->where, (unsigned long long)k, (long long)p, m->profiles_count);
        if ((size_t)p < x->block_at)
            return mc_err_fail(e, "%s: %s/indices: entry %llu: profile indices of gene %zu are not ascending", m->path,
                           x->where, (unsigned long long)k, g);
        if (to_count(m, x->gv[g * x->kbuf + x->gpos[g]], k, (size_t)p, g, &v, e) < 0) return -1;
        mc_entries *to = &x->blk[p - (int64_t)x->block_at];
        /* Genes fill the block one after another, so a profile's entry of this
         * gene, if any, is its last: a duplicate is summed there (saturating). */
        if (to->n && to->v[to->n - 1].gene == g)
            to->v[to->n - 1].value = to->v[to->n - 1].value > UINT64_MAX - v ? UINT64_MAX : to->v[to->n - 1].value + v;
        else if (entries_push(to, (uint32_t)g, v) < 0)
            return mc_err_oom(e, m->path);
        x->gpos[g]++;
        x->cursor[g]++;
    }
}

static int load_block(h5_matrix *m, mc_err *e)
{
    struct h5x *x = m->state;
    size_t left = m->profiles_count - x->next;
    x->block_at = x->next;
    if (x->storage == H5X_BY_GENE) {
        x->block_n = left < H5X_BLOCK ? left : H5X_BLOCK;
        for (size_t j = 0; j < x->block_n; j++) x->blk[j].n = 0;
        for (size_t g = 0; g < m->genes_count; g++)
            if (gene_into_block(m, g, e) < 0) return -1;
        return 0;
    }
    size_t G = m->genes_count, rows = H5X_DENSE / (G ? G : 1) ? H5X_DENSE / (G ? G : 1) : 1;
    x->block_n = left < rows ? left : rows;
    hsize_t start[2] = {x->block_at, 0}, count[2] = {x->block_n, G};
    if (x->storage == H5X_DENSE_GP) start[0] = 0, start[1] = x->block_at, count[0] = G, count[1] = x->block_n;
    hid_t fs = H5Dget_space(x->dense), ms = H5Screate_simple(2, count, NULL);
    herr_t r = -1;
    if (fs >= 0 && ms >= 0 && H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL) >= 0)
        r = H5Dread(x->dense, H5T_NATIVE_DOUBLE, ms, fs, H5P_DEFAULT, x->block);
    if (ms >= 0) H5Sclose(ms);
    if (fs >= 0) H5Sclose(fs);
    return r < 0 ? fail_read(m, "", e) : 0;
}

static int profile_dense(h5_matrix *m, size_t p, mc_entries *es, mc_err *e)
{
    struct h5x *x = m->state;
    size_t j = p - x->block_at, G = m->genes_count;
    for (size_t g = 0; g < G; g++) {
        double d = x->storage == H5X_DENSE_PG ? x->block[j * G + g] : x->block[g * x->block_n + j];
        uint64_t v;
        if (d == 0) continue;
        if (to_count(m, d, UINT64_MAX, p, g, &v, e) < 0) return -1;
        if (entries_push(es, (uint32_t)g, v) < 0) return mc_err_oom(e, m->path);
    }
    return 0;
}

int h5x_next_profile(h5_matrix *m, size_t *profile, mc_entries *es, mc_err *e)
{
    struct h5x *x = m->state;
    if (x->next >= m->profiles_count) return 0;
    size_t p = x->next;       /* entries are appended to ES, as h5.c does */
    if (x->storage == H5X_BY_PROFILE) {
        if (profile_sparse(m, p, es, e) < 0) return -1;
    } else {
        if (p >= x->block_at + x->block_n && load_block(m, e) < 0) return -1;
        if (x->storage == H5X_BY_GENE) {
            const mc_entries *b = &x->blk[p - x->block_at];
            if (entries_reserve(es, es->n + b->n) < 0) return mc_err_oom(e, m->path);
            if (b->n) memcpy(es->v + es->n, b->v, b->n * sizeof *b->v);   /* an empty profile has no v */
            es->n += b->n;
        } else if (profile_dense(m, p, es, e) < 0) {
            return -1;
        }
    }
    *profile = p;
    x->next++;
    return 1;
}

int h5x_next(h5_matrix *m, h5_entry *out, mc_err *e)
{
    struct h5x *x = m->state;
    while (x->cur_i == x->cur.n) {
        x->cur.n = 0;
        int r = h5x_next_profile(m, &x->cur_profile, &x->cur, e);
        if (r <= 0) return r;
        x->cur_i = 0;
    }
    out->profile = x->cur_profile;
    out->gene = x->cur.v[x->cur_i].gene;
    out->value = x->cur.v[x->cur_i++].value;
    return 1;
}

/* Back to the first profile. */
static void rewind_x(h5_matrix *m)
{
    struct h5x *x = m->state;
    x->next = x->block_at = x->block_n = 0;
    h5chunks_pair_close(&x->rd);
    x->pos = 0;
    x->cur.n = x->cur_i = 0;
    if (x->storage == H5X_BY_GENE) {
        memcpy(x->cursor, x->indptr, m->genes_count * sizeof *x->cursor);
        memset(x->gpos, 0, m->genes_count * sizeof *x->gpos);
        memset(x->glen, 0, m->genes_count * sizeof *x->glen);
    }
}

int h5x_count_entries(h5_matrix *m, uint64_t *n, mc_err *e)
{
    /* Sparse entries are all passed on (explicit zeros too), as h5.c does, but
     * for duplicates summed as they are read; dense ones only when not zero,
     * which takes a pass (validating the values on the way). */
    const struct h5x *x = m->state;
    if (x->storage == H5X_BY_GENE ||
        (x->storage == H5X_BY_PROFILE && h5_longest(x->indptr, m->profiles_count) > H5_FOLD(m->genes_count))) {
        *n = H5_UNCOUNTED;
        return 0;
    }
    if (x->storage == H5X_BY_PROFILE) {
        *n = m->stored_entries;
        return 0;
    }
    mc_entries es = {0};
    size_t p;
    int r;
    *n = 0;
    rewind_x(m);
    while ((r = h5x_next_profile(m, &p, &es, e)) > 0) {
        *n += es.n;
        es.n = 0;
    }
    entries_free(&es);
    rewind_x(m);
    return r;
}

void h5x_close(h5_matrix *m)
{
    struct h5x *x = m->state;
    if (!x) return;
    h5chunks_pair_close(&x->rd);   /* waits for its chunks in flight, before the pool and datasets go */
    h5chunks_pool_stop(x->pool);
    if (x->data >= 0) H5Dclose(x->data);
    if (x->indices >= 0) H5Dclose(x->indices);
    if (x->dense >= 0) H5Dclose(x->dense);
    for (size_t i = 0; x->blk && i < H5X_BLOCK; i++) entries_free(&x->blk[i]);
    entries_free(&x->cur);
    free(x->blk);
    free(x->where);
    free(x->indptr);
    free(x->cursor);
    free(x->gi);
    free(x->gv);
    free(x->gpos);
    free(x->glen);
    free(x->block);
    free(x);
    m->state = NULL;
}
