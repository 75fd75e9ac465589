/* exporth5: the HDF5 output and its sparse matrix, for .h5ad and 10x. */
#include "exporth5.h"
#include "alloc.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define FLOAT32_EXACT ((uint64_t)1 << 24)
#define FLOAT64_EXACT ((uint64_t)1 << 53)

/* The largest count type T holds exactly. */
uint64_t exporth5_limit(h5w_type t)
{
    switch (t) {
    case H5W_F32: return FLOAT32_EXACT;
    case H5W_F64: return FLOAT64_EXACT;
    case H5W_I32: return INT32_MAX;
    default: return INT64_MAX;
    }
}

/* The deflate level of HDF5 matrices: the format's default unless chosen. */
int exporth5_gzip(const export_opts *o, int format_default)
{
    return o->gzip < 0 ? 0 : o->gzip ? o->gzip : format_default;
}

/* Begin the atomic output PATH and create the HDF5 file in its place.  The
 * temporary file is made first with open(2), so a failure names its reason. */
h5w *exporth5_begin(outfile *of, const char *path, int force, mc_err *e)
{
    if (outdir_file_begin(of, path, force, e) < 0) return NULL;
    if (of->direct) {
        /* HDF5 seeks back to write its superblock: a stream cannot carry it. */
        mc_err_fail(e, "%s: not a regular file; HDF5 output needs one (it is written by seeking)", path);
        outdir_file_abort(of);
        return NULL;
    }
    /* HDF5 opens by name: the name of the file outdir_file_begin made, never one put in its place */
    char self[64];
    snprintf(self, sizeof self, "/proc/self/fd/%d", outdir_file_fd(of));
    h5w *f = h5write_create(access(self, F_OK) == 0 ? self : of->tmp, path, e);
    if (!f) outdir_file_abort(of);
    return f;
}

/* Close F and commit the output if rc is 0, else throw both away. */
int exporth5_end(outfile *of, h5w *f, int rc, mc_err *e)
{
    if (rc == 0) rc = h5write_close(f, e);
    else h5write_abort(f);
    if (rc == 0) return outdir_file_commit(of, e);
    outdir_file_abort(of);
    return -1;
}

void exporth5_store(void *buf, h5w_type t, size_t i, int64_t v)
{
    switch (t) {
    case H5W_I8: ((int8_t *)buf)[i] = (int8_t)v; break;
    case H5W_I16: ((int16_t *)buf)[i] = (int16_t)v; break;
    case H5W_I32: ((int32_t *)buf)[i] = (int32_t)v; break;
    case H5W_I64: ((int64_t *)buf)[i] = v; break;
    case H5W_F32: ((float *)buf)[i] = (float)v; break;
    case H5W_F64: ((double *)buf)[i] = (double)v; break;
    }
}

/* The matrix profile after profile: values into GROUP/data as DT, genes into
 * GROUP/indices as IT, and GROUP/indptr as IT (P + 1 offsets). */
int exporth5_sparse(h5w *f, container *c, const char *group, h5w_type dt, h5w_type it, int gzip, const char *shown,
                    const export_opts *o, mc_err *e)
{
    char dpath[256], ipath[256];
    snprintf(dpath, sizeof dpath, "%s/data", group);
    snprintf(ipath, sizeof ipath, "%s/indices", group);
    size_t P = c->profiles_count, G = c->genes_count;
    uint64_t limit = exporth5_limit(dt), offset = 0;
    mc_entries es = {0};
    void *vals = mc_alloc_array(G, 8), *idx = mc_alloc_array(G, 8), *indptr = mc_alloc_array(P + 1, 8);
    h5w_stream *data = vals && idx && indptr ? h5write_stream_open(f, dpath, dt, gzip, e) : NULL;
    h5w_stream *indices = data ? h5write_stream_open(f, ipath, it, gzip, e) : NULL;
    int rc = indices ? 0 : -1;
    if (!vals || !idx || !indptr) mc_err_oom(e, shown);
    if (rc == 0) exporth5_store(indptr, it, 0, 0);
    for (size_t p = 0; rc == 0 && p < P; p++) {
        rc = container_profile_entries(c, p, &es, e);
        for (size_t i = 0; rc == 0 && i < es.n; i++) {
            if (es.v[i].value > limit)
                rc = mc_err_fail(e, "%s: profile %zu, gene %u: value %" PRIu64 " does not fit %s/data exactly", shown,
                                 p, es.v[i].gene, es.v[i].value, group);
            exporth5_store(vals, dt, i, (int64_t)es.v[i].value);
            exporth5_store(idx, it, i, es.v[i].gene);
        }
        if (rc == 0) rc = h5write_stream_append(data, vals, es.n, e);
        if (rc == 0) rc = h5write_stream_append(indices, idx, es.n, e);
        offset += es.n;
        if (it == H5W_I32 && offset > INT32_MAX) rc = mc_err_fail(e, "%s: more than 2^31-1 non-zeros", shown);
        exporth5_store(indptr, it, p + 1, (int64_t)offset);
        export_report(o, "writing", p + 1, P);
    }
    if (rc == 0) rc = h5write_stream_close(data, e), data = NULL;
    if (rc == 0) rc = h5write_stream_close(indices, e), indices = NULL;
    if (rc == 0) {   /* extendible like the others, as anndata and Cell Ranger write it */
        snprintf(ipath, sizeof ipath, "%s/indptr", group);
        h5w_stream *ptr = h5write_stream_open(f, ipath, it, gzip, e);
        if (!ptr || h5write_stream_append(ptr, indptr, P + 1, e) < 0) {
            h5write_stream_abort(ptr);
            rc = -1;
        } else rc = h5write_stream_close(ptr, e);
    }
    h5write_stream_abort(data);
    h5write_stream_abort(indices);
    entries_free(&es);
    free(vals);
    free(idx);
    free(indptr);
    return rc;
}
