/* mc: the public interface (mc.h) as a facade over the modules the tools
 * use; nothing here reads a format itself. */
#include "mc.h"

#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "container.h"
#include "csr.h"
#include "datum.h"
#include "exporth5ad.h"
#include "genes.h"
#include "mmm.h"
#include "parallel.h"
#include "genenames.h"
#include "totals.h"

#define MC_VERSION "0.1"

struct mc_genes {
    gene_set set;
};

struct mc_container {
    container *c;
    char *genes_dir;            /* the gene set given at opening, or NULL: found as the tools find it */
    mc_entries es;              /* mc_profile_sparse's buffer */
};

const char *mc_version(void)
{
    return MC_VERSION;
}

const char *mc_err_message(const mc_err *e)
{
    return e->msg;
}

/* --- text ---------------------------------------------------------------------- */

void mc_text_free(mc_text *t)
{
    free((void *)t->v);
    free((void *)t->data);
    memset(t, 0, sizeof *t);
}

/* N strings, each V(i), packed into *OUT. */
typedef const char *(*text_at)(const void *ctx, size_t i);
static int text_pack(const void *ctx, text_at at, size_t n, mc_text *out, const char *what, mc_err *e)
{
    memset(out, 0, sizeof *out);
    size_t bytes = 0;
    for (size_t i = 0; i < n; i++) bytes += strlen(at(ctx, i)) + 1;
    char *data = malloc(bytes ? bytes : 1);
    const char **v = mc_alloc_array(n ? n : 1, sizeof *v);
    if (!data || !v) {
        free(data);
        free(v);
        return mc_err_oom(e, what);
    }
    char *to = data;
    for (size_t i = 0; i < n; i++) {
        size_t l = strlen(at(ctx, i)) + 1;
        memcpy(to, at(ctx, i), l);
        v[i] = to;
        to += l;
    }
    *out = (mc_text){n, v, data, bytes};
    return 0;
}

static const char *strvec_at(const void *ctx, size_t i)
{
    return ((const strvec *)ctx)->v[i];
}

static int text_of(const strvec *s, mc_text *out, const char *what, mc_err *e)
{
    return text_pack(s, strvec_at, s->count, out, what, e);
}

/* --- gene sets ----------------------------------------------------------------- */

mc_genes *mc_genes_open(const char *dir, mc_err *e)
{
    mc_genes *g = calloc(1, sizeof *g);
    if (!g) {
        mc_err_oom(e, dir);
        return NULL;
    }
    if (genes_open(dir, &g->set, e) == 0) return g;
    free(g);
    return NULL;
}

void mc_genes_close(mc_genes *g)
{
    if (!g) return;
    genes_close(&g->set);
    free(g);
}

size_t mc_genes_count(const mc_genes *g)
{
    return g->set.names.count;
}

const char *mc_genes_name(const mc_genes *g, size_t i)
{
    return i < g->set.names.count ? g->set.names.v[i] : NULL;
}

const char *mc_genes_uuid(const mc_genes *g)
{
    return g->set.meta.uuid;
}

const char *mc_genes_organism(const mc_genes *g)
{
    return g->set.meta.organism;
}

const char *mc_genes_path(const mc_genes *g)
{
    return g->set.path;
}

/* --- containers ---------------------------------------------------------------- */

mc_container *mc_open(const char *dir, const char *genes_dir, mc_err *e)
{
    mc_container *h = calloc(1, sizeof *h);
    if (!h || (genes_dir && !(h->genes_dir = strdup(genes_dir)))) {
        free(h);
        mc_err_oom(e, dir);
        return NULL;
    }
    if ((h->c = container_open(dir, e))) return h;
    mc_close(h);
    return NULL;
}

void mc_close(mc_container *h)
{
    if (!h) return;
    container_close(h->c);
    entries_free(&h->es);
    free(h->genes_dir);
    free(h);
}

const char *mc_path(const mc_container *h)
{
    return h->c->path;
}

const char *mc_kind(const mc_container *h)
{
    return meta_kind_name(h->c->kind);
}

const char *mc_container_uuid(const mc_container *h)
{
    return h->c->meta.uuid;
}

const char *mc_container_genes_uuid(const mc_container *h)
{
    return h->c->meta.genes_uuid;
}

const char *mc_organism(const mc_container *h)
{
    return h->c->meta.organism;
}

const char *mc_profiles_kind(const mc_container *h)
{
    return h->c->meta.profiles_kind;
}

size_t mc_profiles_count(const mc_container *h)
{
    return h->c->profiles_count;
}

size_t mc_container_genes_count(const mc_container *h)
{
    return h->c->genes_count;
}

int mc_profile_names(mc_container *h, mc_text *out, mc_err *e)
{
    strvec names;
    memset(out, 0, sizeof *out);
    if (container_profile_names(h->c, &names, e) < 0) return -1;
    int rc = text_of(&names, out, h->c->path, e);
    strvec_free(&names);
    return rc;
}

static const char *gene_at(const void *ctx, size_t i)
{
    return genenames_get(ctx, i);
}

int mc_gene_names(mc_container *h, mc_text *out, mc_err *e)
{
    gene_names g;
    memset(out, 0, sizeof *out);
    if (genenames_open(h->c, h->genes_dir, &g, e) < 0) return -1;
    int rc = text_pack(&g, gene_at, g.count, out, h->c->path, e);
    genenames_close(&g);
    return rc;
}

int mc_available(mc_container *h, const char *kind, mc_text *out, mc_err *e)
{
    strvec names;
    memset(out, 0, sizeof *out);
    if (!datakind_find(kind)) return mc_err_fail(e, "'%s': a data kind is one of g, p, gp, gg, pp", kind);
    if (container_available(h->c, kind, &names, e) < 0) return -1;
    int rc = text_of(&names, out, h->c->path, e);
    strvec_free(&names);
    return rc;
}

/* --- data ---------------------------------------------------------------------- */

static const struct {
    mc_dtype mc;
    npy_dtype npy;
} dtypes[] = {{MC_BOOL, NPY_B1}, {MC_INT32, NPY_I4}, {MC_INT64, NPY_I8}, {MC_FLOAT32, NPY_F4}, {MC_FLOAT64, NPY_F8}};

static int npy_of(mc_dtype t, npy_dtype *out)
{
    for (size_t i = 0; i < sizeof dtypes / sizeof *dtypes; i++)
        if (dtypes[i].mc == t) {
            *out = dtypes[i].npy;
            return 0;
        }
    return -1;
}

static mc_dtype mc_of(npy_dtype t)
{
    for (size_t i = 0; i < sizeof dtypes / sizeof *dtypes; i++)
        if (dtypes[i].npy == t) return dtypes[i].mc;
    return MC_TEXT;
}

void mc_data_free(mc_data *d)
{
    if (d->impl) container_array_free(d->impl);
    free(d->impl);
    mc_text_free(&d->text);
    memset(d, 0, sizeof *d);
}

/* *A (the caller's allocation, taken over) as *OUT. */
static int data_of(mc_array *a, mc_data *out, const char *what, mc_err *e)
{
    memset(out, 0, sizeof *out);
    out->impl = a;
    if (a->is_text) {
        out->dtype = MC_TEXT;
        out->rows = a->text.count;
        return text_of(&a->text, &out->text, what, e);
    }
    out->dtype = mc_of(a->num.dtype);
    out->rows = a->num.shape[0];
    out->cols = a->num.ndim == 2 ? a->num.shape[1] : 0;
    out->values = a->num.data;
    return 0;
}

int mc_data_load(mc_container *h, const char *id, mc_data *out, mc_err *e)
{
    const data_kind *k;
    const char *name;
    memset(out, 0, sizeof *out);
    if (datum_parse_id(id, &k, &name, e) < 0) return -1;
    mc_array *a = calloc(1, sizeof *a);
    if (!a) return mc_err_oom(e, h->c->path);
    int rc = datum_load(h->c, k, name, a, e);
    if (rc == 1 && data_of(a, out, h->c->path, e) < 0) rc = -1;
    out->impl = a;
    if (rc != 1) mc_data_free(out);
    return rc;
}

/* A gene set's array name: a file name's part, nothing that walks out of the directory. */
static int set_name_ok(const mc_genes *g, const char *name, mc_err *e)
{
    if (!*name || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, ".."))
        return mc_err_fail(e, "%s: '%s' is not the name of a gene set's array", g->set.path, name);
    return 0;
}

int mc_genes_available(mc_genes *g, mc_text *out, mc_err *e)
{
    strvec names;
    memset(out, 0, sizeof *out);
    if (container_list_in(g->set.path, "g", &names, e) < 0) return -1;
    int rc = text_of(&names, out, g->set.path, e);
    strvec_free(&names);
    return rc;
}

int mc_genes_data_load(mc_genes *g, const char *name, mc_data *out, mc_err *e)
{
    memset(out, 0, sizeof *out);
    if (set_name_ok(g, name, e) < 0) return -1;
    mc_array *a = calloc(1, sizeof *a);
    if (!a) return mc_err_oom(e, g->set.path);
    int rc = container_array_in(g->set.path, 'g', name, g->set.names.count, a, e);
    if (rc == 1 && data_of(a, out, g->set.path, e) < 0) rc = -1;
    out->impl = a;
    if (rc != 1) mc_data_free(out);
    return rc;
}

void mc_frame_free(mc_frame *f)
{
    for (size_t i = 0; f->columns && i < f->count; i++) {
        f->columns[i].impl = NULL;   /* the frame's own arrays */
        mc_data_free(&f->columns[i]);
    }
    free(f->columns);
    free((void *)f->names);
    mc_text_free(&f->index);
    if (f->impl) export_frame_free(f->impl);
    free(f->impl);
    memset(f, 0, sizeof *f);
}

int mc_frame_load(mc_container *h, const char *kind, mc_frame *out, mc_err *e)
{
    memset(out, 0, sizeof *out);
    if (strcmp(kind, "p") && strcmp(kind, "g")) return mc_err_fail(e, "'%s': a frame is of kind p or g", kind);
    export_frame *fr = calloc(1, sizeof *fr);
    export_opts o = {.genes_dir = h->genes_dir};
    if (!fr) return mc_err_oom(e, h->c->path);
    out->impl = fr;
    int rc = exporth5ad_frame_load(h->c, kind[0], &o, fr, e);
    if (rc == 0) rc = text_of(&fr->index, &out->index, h->c->path, e);
    if (rc == 0 && (!(out->columns = mc_alloc_zeroed(fr->n ? fr->n : 1, sizeof *out->columns)) ||
                    !(out->names = mc_alloc_array(fr->n ? fr->n : 1, sizeof *out->names))))
        rc = mc_err_oom(e, h->c->path);
    for (size_t i = 0; rc == 0 && i < fr->n; i++) {
        ((const char **)out->names)[i] = fr->v[i].name;
        rc = data_of(&fr->v[i].a, &out->columns[i], h->c->path, e);
        out->count = i + 1;
    }
    if (rc < 0) mc_frame_free(out);
    return rc;
}

int mc_write_numbers(mc_container *h, const char *id, mc_dtype dtype, size_t rows, size_t cols, const void *values,
                     int force, mc_err *e)
{
    const data_kind *k;
    const char *name;
    mc_array a = {0};
    if (datum_parse_id(id, &k, &name, e) < 0) return -1;
    if (npy_of(dtype, &a.num.dtype) < 0)
        return mc_err_fail(e, "%s: values of type %d are not numbers mc stores", id, (int)dtype);
    a.num.ndim = cols ? 2 : 1;
    a.num.shape[0] = rows;
    a.num.shape[1] = cols ? cols : 1;
    if (mc_alloc_size_mul(rows, a.num.shape[1], &a.num.count) < 0) return mc_err_fail(e, "%s: too many values", id);
    a.num.data = (void *)values;   /* the caller's: read, never freed (C order needs no conversion) */
    return datum_write_values(h->c, k, name, &a, id, force, e);
}

int mc_write_text(mc_container *h, const char *id, const char *const *values, size_t count, int force, mc_err *e)
{
    const data_kind *k;
    const char *name;
    mc_array a = {.is_text = 1, .text = {.count = count, .v = (char **)values}};   /* the caller's, never freed */
    if (datum_parse_id(id, &k, &name, e) < 0) return -1;
    return datum_write_values(h->c, k, name, &a, id, force, e);
}

int mc_total_umis(mc_container *h, uint64_t *profiles, uint64_t *genes, int threads, mc_err *e)
{
    totals t = {0};
    int rc = totals_load(h->c, &t, e);
    if (rc == 0) {
        rc = totals_compute(h->c, NULL, threads, &t, e);
        mc_err ignored;   /* as mc-sum: an unwritable cache is no error */
        if (rc == 0) totals_store(h->c, &t, &ignored);
    }
    if (rc >= 0 && profiles) memcpy(profiles, t.p, h->c->profiles_count * sizeof *profiles);
    if (rc >= 0 && genes) memcpy(genes, t.g, h->c->genes_count * sizeof *genes);
    totals_free(&t);
    return rc < 0 ? -1 : 0;
}

/* --- decoding ------------------------------------------------------------------ */

/* A profile's entries ES into the caller's GENES and COUNTS of CAP (WHAT names the matrix). */
static int sparse_out(const mc_entries *es, const char *what, size_t p, uint32_t *genes, uint64_t *counts, size_t cap,
                      size_t *n, mc_err *e)
{
    if (es->n > cap)
        return mc_err_fail(e, "%s: profile %zu has %zu non-zeros, more than the %zu of the buffer", what, p, es->n,
                           cap);
    for (size_t i = 0; i < es->n; i++) {
        genes[i] = es->v[i].gene;
        counts[i] = es->v[i].value;
    }
    *n = es->n;
    return 0;
}

int mc_profile_sparse(mc_container *h, size_t p, uint32_t *genes, uint64_t *counts, size_t cap, size_t *n,
                      mc_err *e)
{
    *n = 0;
    if (container_profile_entries(h->c, p, &h->es, e) < 0) return -1;
    return sparse_out(&h->es, h->c->path, p, genes, counts, cap, n, e);
}

int mc_profile_add(mc_container *h, size_t p, uint64_t *row, mc_err *e)
{
    container_cursor k;
    container_cursor_init(&k, h->c, 0);
    k.es = h->es;   /* the handle's decoding buffer, kept for the next call */
    int rc = container_cursor_add(&k, p, row, NULL, e);
    h->es = k.es;
    return rc;
}

/* --- a matrix by itself ---------------------------------------------------------- */

struct mc_mmm {
    mmm_file m;
    mc_entries es;              /* mc_mmm_profile_sparse's buffer */
};

mc_mmm *mc_mmm_open(const char *path, mc_err *e)
{
    mc_mmm *h = calloc(1, sizeof *h);
    if (!h) {
        mc_err_oom(e, path);
        return NULL;
    }
    if (mmm_open(&h->m, path, e) == 0) return h;
    free(h);
    return NULL;
}

void mc_mmm_close(mc_mmm *h)
{
    if (!h) return;
    mmm_close(&h->m);
    entries_free(&h->es);
    free(h);
}

size_t mc_mmm_profiles_count(const mc_mmm *h)
{
    return h->m.profiles_count;
}

size_t mc_mmm_genes_count(const mc_mmm *h)
{
    return h->m.genes_count;
}

int mc_mmm_entries_count(mc_mmm *h, uint64_t *count, mc_err *e)
{
    *count = 0;
    return mmm_entries_count(&h->m, count, e);
}

int mc_mmm_profile_sparse(mc_mmm *h, size_t p, uint32_t *genes, uint64_t *counts, size_t cap, size_t *n, mc_err *e)
{
    *n = 0;
    if (p >= h->m.profiles_count)
        return mc_err_fail(e, "%s: profile %zu out of range (it has %u)", h->m.path, p, h->m.profiles_count);
    if (mmm_profile_entries(&h->m, (uint32_t)p, &h->es, e) < 0) return -1;
    return sparse_out(&h->es, h->m.path, p, genes, counts, cap, n, e);
}

int mc_mmm_profile_add(mc_mmm *h, size_t p, uint64_t *row, mc_err *e)
{
    if (p >= h->m.profiles_count)
        return mc_err_fail(e, "%s: profile %zu out of range (it has %u)", h->m.path, p, h->m.profiles_count);
    return mmm_add_profile(&h->m, (uint32_t)p, row, e);
}

int mc_mmm_write(const char *path, size_t genes_count, size_t profiles_count, const int64_t *indptr,
                 const uint32_t *genes, const uint64_t *values, mc_err *e)
{
    if (genes_count > UINT32_MAX || profiles_count >= UINT32_MAX)
        return mc_err_fail(e, "%s: %zu genes and %zu profiles are beyond an MMM file's", path, genes_count,
                           profiles_count);
    for (size_t p = 0; p < profiles_count; p++)
        if (indptr[0] < 0 || indptr[p + 1] < indptr[p])
            return mc_err_fail(e, "%s: profile %zu: its entries' range decreases", path, p);
    mmm_writer *w = mmm_writer_open(path, (uint32_t)genes_count, e);
    if (!w) return -1;
    mc_entries es = {0};
    int rc = 0;
    for (size_t p = 0; rc == 0 && p < profiles_count; p++) {
        es.n = 0;
        for (int64_t i = indptr[p]; rc == 0 && i < indptr[p + 1]; i++)
            if (entries_push(&es, genes[i], values[i]) < 0) rc = mc_err_oom(e, path);
        if (rc == 0) rc = mmm_writer_add(w, &es, e);
    }
    entries_free(&es);
    if (rc == 0) return mmm_writer_close(w, e);
    mmm_writer_abort(w);
    return -1;
}

static csr_selection selection_of(const mc_selection *s)
{
    csr_selection r = {0};
    if (s) r = (csr_selection){s->profiles, s->profiles_count, s->genes, s->genes_count};
    return r;
}

int mc_csr_indptr(mc_container *h, const mc_selection *s, int threads, int64_t *indptr, mc_err *e)
{
    csr_selection r = selection_of(s);
    return csr_indptr(h->c, &r, threads, indptr, e);
}

/* The CSR's index and data types as npy's. */
static int csr_types(const mc_container *h, mc_dtype index_type, mc_dtype data_type, npy_dtype *index,
                     npy_dtype *value, mc_err *e)
{
    if ((index_type != MC_INT32 && index_type != MC_INT64) || npy_of(index_type, index) < 0)
        return mc_err_fail(e, "%s: CSR indices are MC_INT32 or MC_INT64", h->c->path);
    if (data_type == MC_BOOL || npy_of(data_type, value) < 0)
        return mc_err_fail(e, "%s: CSR data are MC_INT32, MC_INT64, MC_FLOAT32 or MC_FLOAT64", h->c->path);
    return 0;
}

int mc_csr_fill(mc_container *h, const mc_selection *s, int threads, mc_dtype index_type, const void *indptr,
                void *indices, mc_dtype data_type, void *data, mc_err *e)
{
    csr_selection r = selection_of(s);
    npy_dtype index, value;
    if (csr_types(h, index_type, data_type, &index, &value, e) < 0) return -1;
    return csr_fill(h->c, &r, threads, index, indptr, indices, value, data, e);
}

int mc_csr_bound(mc_container *h, const mc_selection *s, int64_t *bound, mc_err *e)
{
    csr_selection r = selection_of(s);
    return csr_bound(h->c, &r, bound, e);
}

int mc_csr_fill_once(mc_container *h, const mc_selection *s, int threads, const int64_t *bound, mc_dtype index_type,
                     void *indptr, void *indices, mc_dtype data_type, void *data, int64_t *nnz, mc_err *e)
{
    csr_selection r = selection_of(s);
    npy_dtype index, value;
    *nnz = 0;
    if (csr_types(h, index_type, data_type, &index, &value, e) < 0) return -1;
    return csr_fill_once(h->c, &r, threads, bound, index, indptr, indices, value, data, nnz, e);
}
