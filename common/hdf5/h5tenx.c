/* h5tenx: the 10x / HCA layouts behind h5.h (h5backend.h): 10x v3 (matrix/
 * with features/) and 10x v2 / HCA (a group per genome), read as h5.h says:
 * names and indptr at open, entries streamed through h5chunks.h. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>

#include "alloc.h"
#include "h5backend.h"
#include "h5chunks.h"
#include "h5ds.h"
#include "h5err.h"
#include "h5guard.h"
#include "parallel.h"
#include "strvec.h"

enum value_class { VALUE_SIGNED, VALUE_UNSIGNED, VALUE_FLOAT };

/* m->state: the open matrix datasets, buffers and read position. */
struct tenx {
    hid_t indices, data;
    enum value_class type;      /* of the stored data values */
    int64_t *indptr;            /* [profiles_count + 1] */
    int64_t *gene_map;          /* [genes_stored]: kept row or -1; NULL when all are kept */
    h5pool *pool;               /* decoding threads, started at the first entry */
    int threads;
    h5chunks_pair rd;           /* indices and data, block after block (data as int64/uint64/double) */
    uint64_t pos;
    size_t col;
};

/* --- reading datasets -------------------------------------------------------- */

/* "GROUP/NAME", as datasets of the matrix group are shown in messages. */
static const char *shown(const h5_matrix *m, const char *name, char buf[1200])
{
    snprintf(buf, 1200, "%s/%s", m->group, name);
    return buf;
}

/* "FILE: GROUP/NAME: WHY" for a failed block read. */
static int fail_read(mc_err *e, const h5_matrix *m, const char *name, const char *why)
{
    return mc_err_fail(e, "%s: %s/%s: %s", m->path, m->group, name, why);
}

/* The one-dimensional dataset NAME of the matrix group G, checked as h5guard.h says with FLAGS. */
static hid_t open_1d(const h5_matrix *m, hid_t g, const char *name, unsigned flags, uint64_t *len, mc_err *e)
{
    char sh[1200];
    return h5ds_open_1d(g, name, m->path, shown(m, name, sh), flags, len, e);
}

/* A whole small integer dataset (shape, indptr) as int64. */
static int read_ints(const h5_matrix *m, hid_t g, const char *name, int64_t **out, uint64_t *len, mc_err *e)
{
    char sh[1200];
    return h5ds_read_ints(g, name, m->path, shown(m, name, sh), out, len, e);
}

/* A string dataset of names, every one stored, none with a line break, held
 * by the matrix (h5backend.h): *v shows its *n strings. */
static int read_names(h5_matrix *m, hid_t g, const char *name, char ***v, size_t *n, mc_err *e)
{
    char sh[1200];
    uint64_t len;
    strvec s = STRVEC_INIT;
    *v = NULL;
    *n = 0;
    hid_t d = h5ds_open_1d(g, name, m->path, shown(m, name, sh), H5GUARD_STORED, &len, e);
    if (d < 0) return -1;
    int rc = h5ds_strings(d, len, &s, m->path, sh, e);
    if (rc == 0) rc = h5ds_check_lines(s.v, s.count, m->path, sh, e);
    H5Dclose(d);
    if (rc < 0) {
        strvec_free(&s);
        return -1;
    }
    *n = s.count;
    return h5_hold(m, &s, v) < 0 ? mc_err_oom(e, m->path) : 0;
}

/* --- layout ------------------------------------------------------------------ */

/* Add S to L unless L has it already. */
static int names_add(strvec *l, const char *s)
{
    return strvec_find(l, s) >= 0 ? 0 : strvec_push(l, s);
}

/* "A, B, C" into buf. */
static const char *names_join(const strvec *l, char *buf, size_t size)
{
    size_t at = 0;
    buf[0] = 0;
    for (size_t i = 0; i < l->count && at < size; i++)
        at += snprintf(buf + at, size - at, "%s%s", i ? ", " : "", l->v[i]);
    return buf;
}

/* Genome groups: top-level groups holding an indptr. */
static herr_t add_genome(hid_t file, const char *name, const H5L_info_t *info, void *arg)
{
    (void)info;
    char sub[1024];
    snprintf(sub, sizeof sub, "%s/indptr", name);
    if (H5Lexists(file, name, H5P_DEFAULT) > 0 && H5Lexists(file, sub, H5P_DEFAULT) > 0)
        return names_add(arg, name) < 0 ? 1 : 0; /* out of memory: stops the walk, told apart from HDF5's errors */
    return 0;
}

/* v2: set m->version, m->group and m->genome, the genome group chosen. */
static int v2_layout(h5_matrix *m, hid_t f, const h5_opts *o, mc_err *e)
{
    strvec g = STRVEC_INIT;
    char list[768];
    int rc = -1;
    herr_t walked = H5Literate(f, H5_INDEX_NAME, H5_ITER_INC, NULL, add_genome, &g);
    if (walked > 0) {
        mc_err_oom(e, m->path);
        goto out;
    }
    if (walked < 0) {
        char d[H5ERR_SIZE];
        h5err_detail(d);
        mc_err_fail(e, "%s: cannot list the top-level groups%s%s", m->path, *d ? ": " : "", d);
        goto out;
    }
    names_join(&g, list, sizeof list);
    if (!g.count) {
        mc_err_fail(e, "%s: no genome group (10x v2) and no matrix/features (10x v3)", m->path);
        goto out;
    }
    const char *pick = NULL;
    if (o->genome) {
        for (size_t i = 0; i < g.count; i++)
            if (!strcmp(g.v[i], o->genome)) pick = g.v[i];
        if (!pick) {
            mc_err_fail(e, "%s: no genome '%s' (genomes: %s)", m->path, o->genome, list);
            goto out;
        }
    } else if (g.count > 1) {
        mc_err_fail(e, "%s: several genomes (%s); choose one with --genome", m->path, list);
        goto out;
    } else {
        pick = g.v[0];
    }
    m->version = 2;
    m->genome = strdup(pick);
    m->group = mc_alloc_array(strlen(pick) + 2, 1);
    if (!m->genome || !m->group) {
        mc_err_errno(e, m->path, "layout");
        goto out;
    }
    sprintf(m->group, "/%s", pick);
    rc = 0;
out:
    strvec_free(&g);
    return rc;
}

/* --- genes --------------------------------------------------------------------- */

static int expect_len(const h5_matrix *m, const char *name, uint64_t have, uint64_t want,
                      const int64_t shape[2], mc_err *e)
{
    if (have == want) return 0;
    return mc_err_fail(e, "%s: %s/%s: %llu values, expected %llu for shape (%lld, %lld)", m->path, m->group, name,
                   (unsigned long long)have, (unsigned long long)want, (long long)shape[0], (long long)shape[1]);
}

static int read_v2_genes(h5_matrix *m, hid_t g, const int64_t shape[2], mc_err *e)
{
    char **ids, **names;
    size_t n, nn;
    if (read_names(m, g, "genes", &ids, &n, e) < 0) return -1;
    if (expect_len(m, "genes", n, shape[0], shape, e) < 0) return -1;
    if (H5Lexists(g, "gene_names", H5P_DEFAULT) > 0) {
        if (read_names(m, g, "gene_names", &names, &nn, e) < 0) return -1;
        if (expect_len(m, "gene_names", nn, shape[0], shape, e) < 0) return -1;
        m->gene_names = names;
    } else {
        m->gene_names = ids;
    }
    m->gene_ids = ids;
    m->genes_stored = m->genes_count = n;
    return 0;
}

/* The v3 features' ids, names, types and genomes (NULL when not stored). */
typedef struct features {
    char **ids, **names, **types, **genomes;
} features;

/* A view of the kept features of V (NULL stays NULL), held by the matrix. */
static int kept_view(h5_matrix *m, char **v, size_t kept, char ***out)
{
    *out = NULL;
    if (!v) return 0;
    char **k = mc_alloc_array(kept, sizeof *k);
    if (!k || h5_hold_array(m, k) < 0) return -1;
    const int64_t *map = ((const struct tenx *)m->state)->gene_map;
    for (size_t i = 0; i < m->genes_stored; i++)
        if (map[i] >= 0) k[map[i]] = v[i];
    *out = k;
    return 0;
}

/* Keep Gene Expression (or all) features of the chosen genome (or all); renumber. */
static int filter_features(h5_matrix *m, const features *f, const h5_opts *o, mc_err *e)
{
    struct tenx *s = m->state;
    size_t n = m->genes_stored, kept = 0;
    if (o->genome) {
        strvec known = STRVEC_INIT;
        int found = 0;
        for (size_t i = 0; i < n; i++) {
            found |= !strcmp(f->genomes[i], o->genome);
            if (names_add(&known, f->genomes[i]) < 0) {
                strvec_free(&known);
                return mc_err_errno(e, m->path, "genomes");
            }
        }
        if (!found) {
            char list[768];
            mc_err_fail(e, "%s: no genome '%s' (genomes: %s)", m->path, o->genome,
                        names_join(&known, list, sizeof list));
            strvec_free(&known);
            return -1;
        }
        strvec_free(&known);
    }
    if (!(s->gene_map = mc_alloc_array(n, sizeof *s->gene_map))) return mc_err_errno(e, m->path, "features");
    for (size_t i = 0; i < n; i++) {
        int keep = (o->all_features || !strcmp(f->types[i], "Gene Expression")) &&
                   (!o->genome || !strcmp(f->genomes[i], o->genome));
        s->gene_map[i] = keep ? (int64_t)kept++ : -1;
    }
    if (!kept && n)
        return mc_err_fail(e, "%s: %s/features: no feature kept (only 'Gene Expression' without --all-features)",
                       m->path, m->group);
    if (kept == n) {
        free(s->gene_map);
        s->gene_map = NULL;
        m->gene_ids = f->ids;
        m->gene_names = f->names;
        m->gene_types = f->types;
        m->gene_genomes = f->genomes;
        return 0;
    }
    if (kept_view(m, f->ids, kept, &m->gene_ids) < 0 || kept_view(m, f->names, kept, &m->gene_names) < 0 ||
        kept_view(m, f->types, kept, &m->gene_types) < 0 || kept_view(m, f->genomes, kept, &m->gene_genomes) < 0)
        return mc_err_errno(e, m->path, "features");
    m->genes_count = kept;
    return 0;
}

/* One more tag of the kept features: NAME's values as the annotation m->gene_fields[n]. */
static int add_tag(h5_matrix *m, hid_t g, const char *name, const int64_t shape[2], mc_err *e)
{
    static const char *const own[] = {"original_name", "ensembl", "base_index", "total_umis", NULL};
    const struct tenx *s = m->state;
    char path[300], stored[300];
    char **t;
    size_t n;
    snprintf(path, sizeof path, "features/%s", name);
    if (read_names(m, g, path, &t, &n, e) < 0) return -1;
    if (expect_len(m, path, n, shape[0], shape, e) < 0) return -1;
    int reserved = 0;
    for (const char *const *r = own; *r; r++) reserved |= !strcmp(*r, name);
    snprintf(stored, sizeof stored, "%s%s", reserved ? "var_" : "", name);
    h5_field *f = &m->gene_fields[m->gene_fields_count];
    char **v = NULL;
    if (!(f->name = strdup(stored)) || !(v = mc_alloc_zeroed(m->genes_count ? m->genes_count : 1, sizeof *v)) ||
        h5_hold_array(m, v) < 0) {
        free(f->name);
        f->name = NULL;
        return mc_err_errno(e, m->path, "features");
    }
    f->v = v;
    f->type = FIELD_STR;
    m->gene_fields_count++;
    for (size_t i = 0; i < n; i++)
        if (!s->gene_map || s->gene_map[i] >= 0) f->v[s->gene_map ? (size_t)s->gene_map[i] : i] = t[i];
    return 0;
}

/* The v3 feature tags besides genome that features/_all_tag_keys lists (Cell
 * Ranger's pattern, read, sequence of antibody captures, ...): annotations of
 * the kept features, as text (SPEC 2). */
static int read_tags(h5_matrix *m, hid_t g, const int64_t shape[2], mc_err *e)
{
    char **keys;
    size_t n;
    if (H5Lexists(g, "features/_all_tag_keys", H5P_DEFAULT) <= 0) return 0;
    if (read_names(m, g, "features/_all_tag_keys", &keys, &n, e) < 0) return -1;
    int rc = 0;
    if (!(m->gene_fields = mc_alloc_zeroed(n + 1, sizeof *m->gene_fields))) rc = mc_err_errno(e, m->path, "features");
    for (size_t k = 0; rc == 0 && k < n; k++) {
        char path[300];
        snprintf(path, sizeof path, "features/%s", keys[k]);
        if (strcmp(keys[k], "genome") && strcmp(keys[k], "id") && strcmp(keys[k], "name") &&
            strcmp(keys[k], "feature_type") && strchr(keys[k], '/') == NULL && *keys[k] &&
            H5Lexists(g, path, H5P_DEFAULT) > 0)
            rc = add_tag(m, g, keys[k], shape, e);
    }
    return rc;
}

/* features/genome is optional (Cell Ranger 3 writes it; it names each feature's reference). */
static int read_v3_genes(h5_matrix *m, hid_t g, const int64_t shape[2], const h5_opts *o, mc_err *e)
{
    features f = {0};
    size_t ni, nn, nt, ng;
    if (read_names(m, g, "features/id", &f.ids, &ni, e) < 0 ||
        expect_len(m, "features/id", ni, shape[0], shape, e) < 0 ||
        read_names(m, g, "features/name", &f.names, &nn, e) < 0 ||
        expect_len(m, "features/name", nn, shape[0], shape, e) < 0 ||
        read_names(m, g, "features/feature_type", &f.types, &nt, e) < 0 ||
        expect_len(m, "features/feature_type", nt, shape[0], shape, e) < 0)
        return -1;
    int has_genome = H5Lexists(g, "features/genome", H5P_DEFAULT) > 0;
    if (o->genome && !has_genome)
        return mc_err_fail(e, "%s: %s/features/genome: missing (--genome needs it)", m->path, m->group);
    if (has_genome && (read_names(m, g, "features/genome", &f.genomes, &ng, e) < 0 ||
                       expect_len(m, "features/genome", ng, shape[0], shape, e) < 0))
        return -1;
    m->genes_stored = m->genes_count = ni;
    if (filter_features(m, &f, o, e) < 0) return -1;
    return read_tags(m, g, shape, e);
}

/* --- opening ------------------------------------------------------------------- */

static int check_indptr(const h5_matrix *m, const int64_t *p, uint64_t entries, mc_err *e)
{
    size_t n = m->profiles_count;
    if (p[0] != 0) return mc_err_fail(e, "%s: %s/indptr: starts at %lld, not 0", m->path, m->group, (long long)p[0]);
    for (size_t j = 0; j < n; j++)
        if (p[j + 1] < p[j])
            return mc_err_fail(e, "%s: %s/indptr: decreases at index %zu (%lld then %lld)", m->path, m->group, j + 1,
                           (long long)p[j], (long long)p[j + 1]);
    if ((uint64_t)p[n] != entries)
        return mc_err_fail(e, "%s: %s/indptr: ends at %lld but data has %llu values", m->path, m->group,
                       (long long)p[n], (unsigned long long)entries);
    return 0;
}

/* Shape, names, indptr, and the indices/data handles of the matrix group G. */
static int read_matrix(h5_matrix *m, hid_t g, const h5_opts *o, mc_err *e)
{
    struct tenx *s = m->state;
    int64_t *shape = NULL;
    uint64_t n, np, ni;
    int rc = -1;
    if (read_ints(m, g, "shape", &shape, &n, e) < 0) goto out;
    if (n != 2) {
        mc_err_fail(e, "%s: %s/shape: %llu values, expected 2", m->path, m->group, (unsigned long long)n);
        goto out;
    }
    if (shape[0] < 0 || shape[1] < 0) {
        mc_err_fail(e, "%s: %s/shape: negative (%lld, %lld)", m->path, m->group, (long long)shape[0],
                    (long long)shape[1]);
        goto out;
    }
    if (read_names(m, g, "barcodes", &m->barcodes, &m->profiles_count, e) < 0 ||
        expect_len(m, "barcodes", m->profiles_count, shape[1], shape, e) < 0)
        goto out;
    if ((m->version == 2 ? read_v2_genes(m, g, shape, e) : read_v3_genes(m, g, shape, o, e)) < 0) goto out;
    if (read_ints(m, g, "indptr", &s->indptr, &np, e) < 0 ||
        expect_len(m, "indptr", np, (uint64_t)shape[1] + 1, shape, e) < 0)
        goto out;
    if ((s->data = open_1d(m, g, "data", 0, &m->stored_entries, e)) < 0) goto out;
    if ((s->indices = open_1d(m, g, "indices", H5GUARD_INTEGER, &ni, e)) < 0) goto out;
    if (ni != m->stored_entries) {
        mc_err_fail(e, "%s: %s/indices: %llu values but data has %llu", m->path, m->group, (unsigned long long)ni,
                (unsigned long long)m->stored_entries);
        goto out;
    }
    hid_t t = H5Dget_type(s->data);
    H5T_class_t c = t < 0 ? H5T_NO_CLASS : H5Tget_class(t);
    if (c == H5T_INTEGER) s->type = H5Tget_sign(t) == H5T_SGN_NONE ? VALUE_UNSIGNED : VALUE_SIGNED;
    else s->type = VALUE_FLOAT;
    if (t >= 0) H5Tclose(t);
    if (c != H5T_INTEGER && c != H5T_FLOAT) {
        mc_err_fail(e, "%s: %s/data: not a numeric dataset", m->path, m->group);
        goto out;
    }
    if (check_indptr(m, s->indptr, m->stored_entries, e) < 0) goto out;
    rc = 0;
out:
    free(shape);
    return rc;
}

/* The state first (close frees what a failed open leaves); --layer and --lane-column refused. */
static int tenx_begin(h5_matrix *m, const h5_opts *o, mc_err *e)
{
    struct tenx *s = mc_alloc_zeroed(1, sizeof *s);
    if (!s) return mc_err_errno(e, m->path, "open");
    s->indices = s->data = -1;
    s->threads = o->threads > 0 ? o->threads : parallel_cores();
    m->state = s;
    if (o->layer || o->lane_column)
        return mc_err_fail(e, "%s: --layer and --lane-column are for .h5ad and Loom files", m->path);
    return 0;
}

/* The matrix group m->group of FILE, read. */
static int tenx_read(h5_matrix *m, hid_t file, const h5_opts *o, mc_err *e)
{
    hid_t g = H5Gopen2(file, m->group, H5P_DEFAULT);
    if (g < 0) return mc_err_fail(e, "%s: %s: not a group", m->path, m->group);
    int rc = read_matrix(m, g, o, e);
    H5Gclose(g);
    return rc;
}

static int v3_probe(hid_t file)
{
    return H5Lexists(file, "matrix", H5P_DEFAULT) > 0 && H5Lexists(file, "matrix/features", H5P_DEFAULT) > 0;
}

static int v3_open(h5_matrix *m, hid_t file, const h5_opts *o, mc_err *e)
{
    if (tenx_begin(m, o, e) < 0) return -1;
    m->version = 3;
    if (!(m->group = strdup("/matrix"))) return mc_err_errno(e, m->path, "layout");
    if (o->genome && !(m->genome = strdup(o->genome))) return mc_err_errno(e, m->path, "genome");
    return tenx_read(m, file, o, e);
}

/* Any file that is none of the other layouts: its open says what is missing. */
static int v2_probe(hid_t file)
{
    (void)file;
    return 1;
}

static int v2_open(h5_matrix *m, hid_t file, const h5_opts *o, mc_err *e)
{
    if (tenx_begin(m, o, e) < 0 || v2_layout(m, file, o, e) < 0) return -1;
    return tenx_read(m, file, o, e);
}

static void tenx_close(h5_matrix *m)
{
    struct tenx *s = m->state;
    if (!s) return;
    free(s->indptr);
    free(s->gene_map);
    h5chunks_pair_close(&s->rd);
    h5chunks_pool_stop(s->pool);
    if (s->data >= 0) H5Dclose(s->data);
    if (s->indices >= 0) H5Dclose(s->indices);
    free(s);
    m->state = NULL;
}

/* --- entries ------------------------------------------------------------------- */

static int check_gene(const h5_matrix *m, uint64_t entry, int64_t gene, mc_err *e)
{
    if (gene >= 0 && (uint64_t)gene < m->genes_stored) return 0;
    return mc_err_fail(e, "%s: %s/indices: entry %llu: gene index %lld out of range (%zu genes)", m->path, m->group,
                   (unsigned long long)entry, (long long)gene, m->genes_stored);
}

static h5v_type value_type(const struct tenx *s)
{
    return s->type == VALUE_FLOAT ? H5V_DOUBLE : s->type == VALUE_UNSIGNED ? H5V_UINT64 : H5V_INT64;
}

static int start_pool(h5_matrix *m, mc_err *e)
{
    struct tenx *s = m->state;
    if (!s->pool && !(s->pool = h5chunks_pool_start(s->threads)))
        return mc_err_errno(e, m->path, "cannot start the decoding threads");
    return 0;
}

static int tenx_count_entries(h5_matrix *m, uint64_t *n, mc_err *e)
{
    struct tenx *s = m->state;
    if (h5_longest(s->indptr, m->profiles_count) > H5_FOLD(m->genes_count)) {
        *n = H5_UNCOUNTED;
        return 0;
    }
    if (!s->gene_map) {
        *n = m->stored_entries;
        return 0;
    }
    char why[256];
    if (start_pool(m, e) < 0) return -1;
    h5chunks *r = h5chunks_open(s->pool, s->indices, m->stored_entries, H5V_INT64, why);
    if (!r) return fail_read(e, m, "indices", why);
    uint64_t kept = 0, at = 0;
    const void *b;
    size_t len;
    int x;
    while ((x = h5chunks_next(r, &b, &len, why)) > 0) {
        const int64_t *g = b;
        for (size_t i = 0; i < len; i++, at++) {
            if (check_gene(m, at, g[i], e) < 0) {
                h5chunks_close(r);
                return -1;
            }
            kept += s->gene_map[g[i]] >= 0;
        }
    }
    h5chunks_close(r);
    if (x < 0) return fail_read(e, m, "indices", why);
    *n = kept;
    return 0;
}

/* Make the current blocks hold entry s->pos. */
static int load_blocks(h5_matrix *m, mc_err *e)
{
    struct tenx *s = m->state;
    char why[256];
    if (start_pool(m, e) < 0) return -1;
    if (h5chunks_pair_load(&s->rd, s->pool, s->indices, s->data, m->stored_entries, value_type(s), why) < 0)
        return fail_read(e, m, s->rd.failed, why);
    return 0;
}

/* The current value (entry s->pos) as a count. */
static int value_at(const h5_matrix *m, uint64_t *v, mc_err *e)
{
    const struct tenx *s = m->state;
    uint64_t entry = s->pos;
    if (s->type == VALUE_UNSIGNED) {
        *v = ((const uint64_t *)s->rd.vb)[s->rd.vpos];
        return 0;
    }
    if (s->type == VALUE_SIGNED) {
        int64_t x = ((const int64_t *)s->rd.vb)[s->rd.vpos];
        if (x < 0)
            return mc_err_fail(e, "%s: %s/data: entry %llu: negative value %lld", m->path, m->group,
                           (unsigned long long)entry, (long long)x);
        *v = (uint64_t)x;
        return 0;
    }
    double x = ((const double *)s->rd.vb)[s->rd.vpos];
    if (x < 0)
        return mc_err_fail(e, "%s: %s/data: entry %llu: negative value %g", m->path, m->group,
                           (unsigned long long)entry, x);
    /* Integral and exactly representable (2^53). */
    if (!(x <= 9007199254740992.0) || x != floor(x))
        return mc_err_fail(e, "%s: %s/data: entry %llu: value %g is not an integer", m->path, m->group,
                       (unsigned long long)entry, x);
    *v = (uint64_t)x;
    return 0;
}

/* The entry at s->pos, then past it: 1 kept (*gene set), 0 dropped, -1 error. */
static int take_entry(h5_matrix *m, size_t *gene, uint64_t *v, mc_err *e)
{
    struct tenx *s = m->state;
    if ((s->rd.ipos == s->rd.ilen || s->rd.vpos == s->rd.vlen) && load_blocks(m, e) < 0) return -1;
    int64_t g = s->rd.ib[s->rd.ipos];
    if (check_gene(m, s->pos, g, e) < 0 || value_at(m, v, e) < 0) return -1;
    s->rd.ipos++, s->rd.vpos++, s->pos++;
    if (s->gene_map && s->gene_map[g] < 0) return 0;
    *gene = s->gene_map ? (size_t)s->gene_map[g] : (size_t)g;
    return 1;
}

static int tenx_next(h5_matrix *m, h5_entry *x, mc_err *e)
{
    struct tenx *s = m->state;
    while (s->pos < m->stored_entries) {
        /* indptr was checked to end at stored_entries, so this stops. */
        while ((uint64_t)s->indptr[s->col + 1] <= s->pos) s->col++;
        x->profile = s->col;
        int k = take_entry(m, &x->gene, &x->value, e);
        if (k != 0) return k;
    }
    return 0;
}

/* Entries of integer kind in [from, from + n) of the current blocks, with no
 * dropped genes: the common case, one tight loop. */
static int take_run(h5_matrix *m, size_t n, mc_entries *es, mc_err *e)
{
    struct tenx *s = m->state;
    const int64_t *g = s->rd.ib + s->rd.ipos;
    int64_t bad = 0;
    for (size_t i = 0; i < n; i++) bad |= g[i] | ((int64_t)m->genes_stored - 1 - g[i]);
    if (s->type == VALUE_SIGNED) {
        const int64_t *v = (const int64_t *)s->rd.vb + s->rd.vpos;
        for (size_t i = 0; i < n; i++) bad |= v[i];
    }
    if (bad < 0 || entries_reserve(es, es->n + n) < 0) return 0;   /* the careful path finds the culprit */
    const void *vb = (const char *)s->rd.vb + s->rd.vpos * 8;
    mc_entry *out = es->v + es->n;
    for (size_t i = 0; i < n; i++) {
        out[i].gene = (uint32_t)g[i];
        out[i].value = ((const uint64_t *)vb)[i];   /* non-negative int64 or uint64: the same bits */
    }
    es->n += n;
    s->rd.ipos += n, s->rd.vpos += n, s->pos += n;
    (void)e;
    return 1;
}

static int tenx_next_profile(h5_matrix *m, size_t *profile, mc_entries *es, mc_err *e)
{
    struct tenx *s = m->state;
    if (s->col >= m->profiles_count) return 0;
    uint64_t end = (uint64_t)s->indptr[s->col + 1];
    size_t from = es->n;
    int folded = 0;
    *profile = s->col++;
    while (s->pos < end) {
        if (es->n - from >= H5_FOLD(m->genes_count)) {   /* duplicates: sum them (h5backend.h) */
            folded = 1;
            if (entries_fold(es, from) < 0) return mc_err_oom(e, m->path);
        }
        if ((s->rd.ipos == s->rd.ilen || s->rd.vpos == s->rd.vlen) && load_blocks(m, e) < 0) return -1;
        size_t n = (size_t)(end - s->pos);
        if (n > s->rd.ilen - s->rd.ipos) n = s->rd.ilen - s->rd.ipos;
        if (n > s->rd.vlen - s->rd.vpos) n = s->rd.vlen - s->rd.vpos;
        if (!s->gene_map && s->type != VALUE_FLOAT && take_run(m, n, es, e)) continue;
        for (size_t i = 0; i < n; i++) {
            size_t g = 0;
            uint64_t v = 0;
            int k = take_entry(m, &g, &v, e);
            if (k < 0) return -1;
            if (k && entries_push(es, (uint32_t)g, v) < 0) return mc_err_oom(e, m->path);
        }
    }
    return folded && entries_fold(es, from) < 0 ? mc_err_oom(e, m->path) : 1;   /* every gene once */
}

static int tenx_fast(const h5_matrix *m)
{
    const struct tenx *s = m->state;
    return h5chunks_pair_fast(&s->rd);
}

const h5_backend h5tenx_v3 = {"10x v3", v3_probe, v3_open, tenx_count_entries, tenx_next, tenx_next_profile,
                              tenx_fast, tenx_close};
const h5_backend h5tenx_v2 = {"10x v2", v2_probe, v2_open, tenx_count_entries, tenx_next, tenx_next_profile,
                              tenx_fast, tenx_close};
