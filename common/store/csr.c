/* csr: a container selection decoded in parallel into caller-allocated CSR arrays. */
#include "csr.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "alloc.h"
#include "parallel.h"

/* Bytes counted for a profile besides its pairs, so that rows far apart let
 * their pages go every so many profiles (container_forget_every). */
#define ROW_WEIGHT ((size_t)8 << 10)

typedef struct csr_job {
    container *c;
    const csr_selection *s;
    size_t rows;
    int32_t *column;            /* own gene -> column or -1; NULL: every gene, in order */
    int ascending;              /* the columns ascend with the genes: a row needs no sort */
    int64_t *lengths;           /* pass 1: indptr */
    npy_dtype index, value;     /* pass 2 */
    const void *indptr;
    void *indices, *data;
    const int64_t *bound;       /* one pass: each row's room */
    void *lengths_out;          /* one pass: the INDEX-typed indptr, each row's length at i + 1 until packed */
    size_t *part_from, *part_n; /* one pass: each part's first row and the values it wrote */
} csr_job;

static int job_init(csr_job *j, container *c, const csr_selection *s, mc_err *e)
{
    size_t P = c->profiles_count, G = c->genes_count;
    memset(j, 0, sizeof *j);
    j->c = c;
    j->s = s;
    j->rows = s->profiles ? s->profiles_count : P;
    j->ascending = 1;
    for (size_t i = 0; s->profiles && i < s->profiles_count; i++)
        if (s->profiles[i] < 0 || (uint64_t)s->profiles[i] >= P)
            return mc_err_fail(e, "%s: profile %lld out of range (it has %zu)", c->path, (long long)s->profiles[i], P);
    if (!s->genes) return 0;
    if (!(j->column = mc_alloc_array(G ? G : 1, sizeof *j->column))) return mc_err_oom(e, c->path);
    for (size_t g = 0; g < G; g++) j->column[g] = -1;
    for (size_t i = 0; i < s->genes_count; i++) {
        int64_t g = s->genes[i];
        if (g < 0 || (uint64_t)g >= G)
            return mc_err_fail(e, "%s: gene %lld out of range (it has %zu)", c->path, (long long)g, G);
        if (j->column[g] >= 0) return mc_err_fail(e, "%s: gene %lld selected twice", c->path, (long long)g);
        j->column[g] = (int32_t)i;
        if (i && g < s->genes[i - 1]) j->ascending = 0;
    }
    return 0;
}

static int by_gene(const void *a, const void *b)
{
    uint32_t x = ((const mc_entry *)a)->gene, y = ((const mc_entry *)b)->gene;
    return (x > y) - (x < y);
}

/* Row I's profile. */
static size_t profile_of(const csr_job *j, size_t i)
{
    return j->s->profiles ? (size_t)j->s->profiles[i] : i;
}

/* row_decode of row I, its profile located (container_cursor_locate's WHERE, M, Q, GMAP). */
static int row_decode_at(const csr_job *j, size_t i, int where, const mmm_file *m, uint32_t q, const int32_t *gmap,
                         int count_only, container_cursor *cur, mc_err *e)
{
    mc_entries *es = &cur->es;
    if (where == 0) {
        int write = !count_only || j->column;
        if (write && entries_reserve(es, m->genes_count) < 0) return mc_err_oom(e, j->c->path);
        if (mmm_profile_mapped(m, q, gmap, write ? es->v : NULL, &es->n, e) < 0) return -1;
        if (!write) return 0;
    } else if (container_profile_entries(j->c, profile_of(j, i), es, e) < 0)
        return -1;
    if (!j->column) return 0;
    size_t k = 0;
    for (size_t n = 0; n < es->n; n++) {
        int32_t col = j->column[es->v[n].gene];
        if (col >= 0) es->v[k++] = (mc_entry){(uint32_t)col, es->v[n].value};
    }
    es->n = k;
    if (!j->ascending && !count_only) qsort(es->v, es->n, sizeof *es->v, by_gene);
    return 0;
}

/* Row I's entries into ES (only their number, ES->n, when COUNT_ONLY and no genes are selected),
 * their genes the selection's columns, ascending.  A profile stored in one matrix is decoded
 * straight from its pairs (mmm_profile_mapped); one behind two gene slices through entries. */
static int row_decode(const csr_job *j, size_t i, int count_only, container_cursor *cur, mc_err *e)
{
    const mmm_file *m;
    const int32_t *gmap;
    uint32_t q;
    int where = container_cursor_locate(cur, profile_of(j, i), &m, &q, &gmap, e);
    return where < 0 ? -1 : row_decode_at(j, i, where, m, q, gmap, count_only, cur, e);
}

static int count_part(void *ctx, int part, size_t from, size_t to, mc_err *e)
{
    (void)part;
    const csr_job *j = ctx;
    container_cursor k;
    container_cursor_init(&k, j->c, ROW_WEIGHT);
    int rc = 0;
    for (size_t i = from; rc == 0 && i < to; i++)
        if ((rc = row_decode(j, i, 1, &k, e)) == 0) j->lengths[i + 1] = (int64_t)k.es.n;
    container_cursor_free(&k);
    return rc;
}

/* Threads for ROWS rows: THREADS (0: every core), not more than a few hundred rows each are worth. */
static int threads_for(int threads, size_t rows)
{
    if (threads < 1) threads = parallel_cores();
    if ((size_t)threads > rows / 256 + 1) threads = (int)(rows / 256 + 1);
    return threads;
}

int csr_indptr(container *c, const csr_selection *s, int threads, int64_t *indptr, mc_err *e)
{
    csr_job j;
    int rc = job_init(&j, c, s, e);
    j.lengths = indptr;
    indptr[0] = 0;
    if (rc == 0) rc = parallel_for(threads_for(threads, j.rows), j.rows, count_part, &j, e);
    for (size_t i = 0; rc == 0 && i < j.rows; i++) indptr[i + 1] += indptr[i];
    free(j.column);
    return rc;
}

static int64_t indptr_at(const csr_job *j, size_t i)
{
    return j->index == NPY_I4 ? ((const int32_t *)j->indptr)[i] : ((const int64_t *)j->indptr)[i];
}

/* ES's columns at AT of the indices. */
static void put_columns(const csr_job *j, int64_t at, const mc_entries *es)
{
    if (j->index == NPY_I4)
        for (size_t k = 0; k < es->n; k++) ((int32_t *)j->indices)[at + (int64_t)k] = (int32_t)es->v[k].gene;
    else
        for (size_t k = 0; k < es->n; k++) ((int64_t *)j->indices)[at + (int64_t)k] = es->v[k].gene;
}

/* ES's counts at AT of the data, in its type; -1 when one does not fit an integer type. */
static int put_values(const csr_job *j, int64_t at, const mc_entries *es, size_t row, mc_err *e)
{
    uint64_t max = j->value == NPY_I4 ? INT32_MAX : INT64_MAX;
    for (size_t k = 0; (j->value == NPY_I4 || j->value == NPY_I8) && k < es->n; k++)
        if (es->v[k].value > max)
            return mc_err_fail(e, "%s: row %zu: a count of %llu does not fit in %s", j->c->path, row,
                           (unsigned long long)es->v[k].value, j->value == NPY_I4 ? "int32" : "int64");
    /* One loop per type, the switch outside it; floats from int64 (a count is below 2^41: 255 a pair),
     * a conversion the processor has, unlike uint64's. */
    const mc_entry *v = es->v;
    size_t n = es->n;
    switch (j->value) {
    case NPY_I4: {
        int32_t *d = (int32_t *)j->data + at;
        for (size_t k = 0; k < n; k++) d[k] = (int32_t)v[k].value;
        break;
    }
    case NPY_I8: {
        int64_t *d = (int64_t *)j->data + at;
        for (size_t k = 0; k < n; k++) d[k] = (int64_t)v[k].value;
        break;
    }
    case NPY_F4: {
        float *d = (float *)j->data + at;
        for (size_t k = 0; k < n; k++) d[k] = (float)(int64_t)v[k].value;
        break;
    }
    default: {
        double *d = (double *)j->data + at;
        for (size_t k = 0; k < n; k++) d[k] = (double)(int64_t)v[k].value;
        break;
    }
    }
    return 0;
}

static int fill_part(void *ctx, int part, size_t from, size_t to, mc_err *e)
{
    (void)part;
    const csr_job *j = ctx;
    container_cursor k;
    container_cursor_init(&k, j->c, ROW_WEIGHT);
    int rc = 0;
    for (size_t i = from; rc == 0 && i < to; i++) {
        int64_t at = indptr_at(j, i);
        if ((rc = row_decode(j, i, 0, &k, e)) < 0) break;
        if ((uint64_t)(indptr_at(j, i + 1) - at) != k.es.n)
            rc = mc_err_fail(e, "%s: row %zu has %zu non-zeros, not the %lld of its row pointers", j->c->path, i,
                             k.es.n, (long long)(indptr_at(j, i + 1) - at));
        else if ((rc = put_values(j, at, &k.es, i, e)) == 0)
            put_columns(j, at, &k.es);
    }
    container_cursor_free(&k);
    return rc;
}

int csr_fill(container *c, const csr_selection *s, int threads, npy_dtype index, const void *indptr, void *indices,
             npy_dtype value, void *data, mc_err *e)
{
    csr_job j;
    int rc = job_init(&j, c, s, e);
    j.index = index;
    j.value = value;
    j.indptr = indptr;
    j.indices = indices;
    j.data = data;
    if (rc == 0 && index != NPY_I4 && index != NPY_I8) rc = mc_err_fail(e, "%s: indices are int32 or int64", c->path);
    if (rc == 0 && value != NPY_I4 && value != NPY_I8 && value != NPY_F4 && value != NPY_F8)
        rc = mc_err_fail(e, "%s: CSR data are int32, int64, float32 or float64", c->path);
    /* Row pointers from 0, never decreasing: no row is written outside the arrays they describe. */
    if (rc == 0 && indptr_at(&j, 0) != 0) rc = mc_err_fail(e, "%s: row pointers start at 0", c->path);
    for (size_t i = 0; rc == 0 && i < j.rows; i++)
        if (indptr_at(&j, i + 1) < indptr_at(&j, i))
            rc = mc_err_fail(e, "%s: row pointer %zu decreases", c->path, i + 1);
    if (rc == 0 && index == NPY_I4 && c->genes_count > INT32_MAX)
        rc = mc_err_fail(e, "%s: more genes than int32 indices hold", c->path);
    if (rc == 0) rc = parallel_for(threads_for(threads, j.rows), j.rows, fill_part, &j, e);
    free(j.column);
    return rc;
}

/* --- one pass ------------------------------------------------------------------ */

int csr_bound(container *c, const csr_selection *s, int64_t *bound, mc_err *e)
{
    csr_job j;
    int rc = job_init(&j, c, s, e);
    size_t cap = s->genes ? s->genes_count : c->genes_count;
    bound[0] = 0;
    for (size_t i = 0; rc == 0 && i < j.rows; i++) {
        const mmm_file *m;
        const int32_t *gmap;
        uint32_t q;
        size_t p = s->profiles ? (size_t)s->profiles[i] : i, n = cap;
        int where = container_locate(c, p, &m, &q, &gmap, e);
        if (where < 0) rc = -1;
        else if (where == 0 && mmm_profile_bytes(m, q) / 2 < n) n = mmm_profile_bytes(m, q) / 2;
        bound[i + 1] = bound[i] + (int64_t)n;
    }
    free(j.column);
    return rc;
}

static size_t value_size(npy_dtype t)
{
    return t == NPY_I4 || t == NPY_F4 ? 4 : 8;
}

static void set_at(const csr_job *j, void *a, size_t i, int64_t v)
{
    if (j->index == NPY_I4) ((int32_t *)a)[i] = (int32_t)v;
    else ((int64_t *)a)[i] = v;
}

/* Row I (its profile located: WHERE, M, Q, GMAP) at *AT through entries: a profile behind two gene slices
 * or a selection of genes, or one longer than its bound (an error). */
static int once_entries(const csr_job *j, size_t i, int where, const mmm_file *m, uint32_t q, const int32_t *gmap,
                        container_cursor *cur, int64_t *at, mc_err *e)
{
    int64_t room = j->bound[i + 1] - j->bound[i];
    if (row_decode_at(j, i, where, m, q, gmap, 0, cur, e) < 0) return -1;
    if ((int64_t)cur->es.n > room)
        return mc_err_fail(e, "%s: row %zu has %zu non-zeros, more than its bound of %lld", j->c->path, i,
                           cur->es.n, (long long)room);
    if (put_values(j, *at, &cur->es, i, e) < 0) return -1;
    put_columns(j, *at, &cur->es);
    set_at(j, j->lengths_out, i + 1, (int64_t)cur->es.n);
    *at += (int64_t)cur->es.n;
    return 0;
}

/* R's rows (rows FIRST.., their profiles following each other in one matrix, every gene selected, each within its
 * bound) at *AT, decoded straight into them from one copy of their pairs in BUF (MMM_RUN_BYTES; a single longer
 * profile from the map). */
static int run_decode(const csr_job *j, mmm_run *r, uint8_t *buf, int64_t *at, mc_err *e)
{
    size_t is = value_size(j->index), vs = value_size(j->value), n;
    const uint8_t *b = mmm_run_pairs(r, buf, &n);
    for (size_t t = 0; t < r->count; t++) {
        size_t bytes = mmm_profile_bytes(r->m, r->q + (uint32_t)t), len;
        uint64_t max;
        if (mmm_pairs_csr(r->m, r->q + (uint32_t)t, b, bytes, r->gmap, j->index, (char *)j->indices + (size_t)*at * is,
                          j->value, (char *)j->data + (size_t)*at * vs, &len, &max, e) < 0)
            return -1;
        if (j->value == NPY_I4 && max > INT32_MAX)
            return mc_err_fail(e, "%s: row %zu: a count of %llu does not fit in int32", j->c->path, r->first + t,
                               (unsigned long long)max);
        set_at(j, j->lengths_out, r->first + t + 1, (int64_t)len);
        *at += (int64_t)len;
        b += bytes;
    }
    r->count = r->bytes = 0;
    return 0;
}

/* Row I into the part at *AT: added to the run R (decoded when it ends), or through entries. */
static int once_row(const csr_job *j, size_t i, container_cursor *cur, mmm_run *r, uint8_t *buf, int64_t *at,
                    mc_err *e)
{
    const mmm_file *m;
    const int32_t *gmap;
    uint32_t q;
    int where = container_cursor_locate(cur, profile_of(j, i), &m, &q, &gmap, e);
    if (where < 0) return -1;
    size_t bytes = where == 0 ? mmm_profile_bytes(m, q) : 0;
    int direct = where == 0 && !j->column && bytes / 2 <= (uint64_t)(j->bound[i + 1] - j->bound[i]);
    if (!direct) {
        if (r->count && run_decode(j, r, buf, at, e) < 0) return -1;
        return once_entries(j, i, where, m, q, gmap, cur, at, e);
    }
    if (mmm_run_add(r, m, gmap, q, i, bytes)) return 0;
    if (run_decode(j, r, buf, at, e) < 0) return -1;
    mmm_run_add(r, m, gmap, q, i, bytes);   /* the first of a new run */
    return 0;
}

/* A part's rows packed from its first row's bound, each row's length at i + 1 of the indptr. */
static int once_part(void *ctx, int part, size_t from, size_t to, mc_err *e)
{
    const csr_job *j = ctx;
    container_cursor k;
    container_cursor_init(&k, j->c, ROW_WEIGHT);
    mmm_run r = {0};
    uint8_t *buf = mc_alloc_array(MMM_RUN_BYTES, 1);
    int64_t at = j->bound[from];
    int rc = buf ? 0 : mc_err_oom(e, j->c->path);
    for (size_t i = from; rc == 0 && i < to; i++) rc = once_row(j, i, &k, &r, buf, &at, e);
    if (rc == 0 && r.count) rc = run_decode(j, &r, buf, &at, e);
    j->part_from[part] = from;
    j->part_n[part] = (size_t)(at - j->bound[from]);
    free(buf);
    container_cursor_free(&k);
    return rc;
}

/* Give back the whole pages of A (SIZE bytes a value) from value FROM to value TO. */
static void forget_tail(void *a, size_t size, int64_t from, int64_t to)
{
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t lo = ((uintptr_t)a + (size_t)from * size + page - 1) / page * page;
    uintptr_t hi = ((uintptr_t)a + (size_t)to * size) / page * page;
    if (hi > lo) madvise((void *)lo, hi - lo, MADV_DONTNEED);   /* advice: its failure costs only memory */
}

/* The parts moved down into place, in order (each lands below the next's start), and the indptr summed. */
static int64_t once_pack(const csr_job *j, int parts)
{
    size_t is = value_size(j->index), vs = value_size(j->value);
    int64_t to = 0;
    for (int p = 0; p < parts; p++) {
        if (j->part_from[p] == SIZE_MAX) continue;   /* parallel_for ran fewer parts */
        int64_t from = j->bound[j->part_from[p]];
        if (from != to) {
            memmove((char *)j->indices + (size_t)to * is, (char *)j->indices + (size_t)from * is, j->part_n[p] * is);
            memmove((char *)j->data + (size_t)to * vs, (char *)j->data + (size_t)from * vs, j->part_n[p] * vs);
        }
        to += (int64_t)j->part_n[p];
    }
    set_at(j, j->lengths_out, 0, 0);
    for (size_t i = 0; i < j->rows; i++)
        set_at(j, j->lengths_out, i + 1, indptr_at(j, i) + indptr_at(j, i + 1));
    forget_tail(j->indices, is, to, j->bound[j->rows]);
    forget_tail(j->data, vs, to, j->bound[j->rows]);
    return to;
}

int csr_fill_once(container *c, const csr_selection *s, int threads, const int64_t *bound, npy_dtype index,
                  void *indptr, void *indices, npy_dtype value, void *data, int64_t *nnz, mc_err *e)
{
    csr_job j;
    int rc = job_init(&j, c, s, e);
    j.index = index;
    j.value = value;
    j.indptr = j.lengths_out = indptr;
    j.indices = indices;
    j.data = data;
    j.bound = bound;
    *nnz = 0;
    int parts = threads_for(threads, j.rows);
    if (rc == 0 && index != NPY_I4 && index != NPY_I8) rc = mc_err_fail(e, "%s: indices are int32 or int64", c->path);
    if (rc == 0 && value != NPY_I4 && value != NPY_I8 && value != NPY_F4 && value != NPY_F8)
        rc = mc_err_fail(e, "%s: CSR data are int32, int64, float32 or float64", c->path);
    if (rc == 0 && bound[0] != 0) rc = mc_err_fail(e, "%s: row bounds start at 0", c->path);
    for (size_t i = 0; rc == 0 && i < j.rows; i++)
        if (bound[i + 1] < bound[i]) rc = mc_err_fail(e, "%s: row bound %zu decreases", c->path, i + 1);
    if (rc == 0 && index == NPY_I4 && (c->genes_count > INT32_MAX || bound[j.rows] > INT32_MAX))
        rc = mc_err_fail(e, "%s: more values than int32 indices hold", c->path);
    if (rc == 0 && (!(j.part_from = mc_alloc_array((size_t)parts, sizeof *j.part_from)) ||
                    !(j.part_n = mc_alloc_array((size_t)parts, sizeof *j.part_n))))
        rc = mc_err_oom(e, c->path);
    for (int p = 0; rc == 0 && p < parts; p++) j.part_from[p] = SIZE_MAX;
    if (rc == 0) rc = parallel_for(parts, j.rows, once_part, &j, e);
    if (rc == 0) *nnz = once_pack(&j, parts);
    free(j.part_from);
    free(j.part_n);
    free(j.column);
    return rc;
}
