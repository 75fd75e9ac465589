/* h5: the front end of the HDF5 readers: opens the file, finds its layout's
 * backend (h5backend.h) and dispatches to it; owns what the fields show. */
#include "h5.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>

#include "alloc.h"
#include "h5backend.h"
#include "h5err.h"
#include "h5guard.h"
#include "strvec.h"

/* In probe order: the last claims any file. */
static const h5_backend *const h5_backends[] = {&h5ad_backend, &loom_backend, &h5tenx_v3, &h5tenx_v2};

/* The open file, and HDF5's error printing to restore at close. */
struct h5_file {
    hid_t id;
    H5E_auto2_t old_func;
    void *old_data;
};

int h5_hold(h5_matrix *m, strvec *s, char ***view)
{
    strvec *h = mc_alloc_resize(m->held, m->held_count + 1, sizeof *h);
    if (view) *view = NULL;
    if (!h) {
        strvec_free(s);
        return -1;
    }
    m->held = h;
    if (view) *view = s->v;
    h[m->held_count++] = *s;
    memset(s, 0, sizeof *s);
    return 0;
}

int h5_hold_array(h5_matrix *m, void *array)
{
    /* Held as a vector of no strings: strvec_free frees the array alone. */
    strvec s = {.v = array};
    return h5_hold(m, &s, NULL);
}

uint64_t h5_longest(const int64_t *indptr, size_t n)
{
    uint64_t most = 0;
    for (size_t i = 0; i < n; i++)
        if ((uint64_t)(indptr[i + 1] - indptr[i]) > most) most = (uint64_t)(indptr[i + 1] - indptr[i]);
    return most;
}

/* Open PATH read-only, HDF5's error printing off; refused as h5guard_file says. */
static int open_file(h5_matrix *m, const char *path, mc_err *e)
{
    struct h5_file *f = mc_alloc_zeroed(1, sizeof *f);
    if (!f) return mc_err_errno(e, path, "open");
    f->id = -1;
    m->file = f;
    /* A file with corrupt metadata may never close; HDF5's exit handler would
     * then print a screenful on stderr.  Everything is freed at exit anyway.
     * (Only effective before the library's first use; harmless after.) */
    H5dont_atexit();
    H5Eget_auto2(H5E_DEFAULT, &f->old_func, &f->old_data);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);

    FILE *c = fopen(path, "rb");
    if (!c) return mc_err_errno(e, path, "cannot open");
    fclose(c);
    if (H5Fis_hdf5(path) <= 0) return mc_err_fail(e, "%s: not an HDF5 file", path);
    if ((f->id = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT)) < 0) {
        char d[H5ERR_SIZE];
        return mc_err_fail(e, "%s: cannot open as HDF5: %s", path, h5err_detail(d));
    }
    return h5guard_file(f->id, path, e);
}

int h5_open(h5_matrix *m, const char *path, const h5_opts *o, mc_err *e)
{
    static const h5_opts none = {0};
    memset(m, 0, sizeof *m);
    if (!o) o = &none;
    if (!(m->path = strdup(path))) return mc_err_errno(e, path, "open");
    if (open_file(m, path, e) < 0) goto fail;
    size_t i = 0;
    while (!h5_backends[i]->probe(m->file->id)) i++;
    m->backend = h5_backends[i];
    if (m->backend->open(m, m->file->id, o, e) < 0) goto fail;
    return 0;
fail:
    h5_close(m);
    return -1;
}

static void free_fields(h5_field *f, size_t n)
{
    for (size_t i = 0; i < n; i++) free(f[i].name);
    free(f);
}

void h5_close(h5_matrix *m)
{
    if (m->backend) m->backend->close(m);
    for (size_t i = 0; i < m->held_count; i++) strvec_free(&m->held[i]);
    free(m->held);
    free_fields(m->profile_fields, m->profile_fields_count);
    free_fields(m->gene_fields, m->gene_fields_count);
    if (m->file) {
        if (m->file->id >= 0) H5Fclose(m->file->id);
        H5Eset_auto2(H5E_DEFAULT, m->file->old_func, m->file->old_data);
        free(m->file);
    }
    free(m->path);
    free(m->group);
    free(m->genome);
    memset(m, 0, sizeof *m);
}

int h5_count_entries(h5_matrix *m, uint64_t *n, mc_err *e)
{
    return m->backend->count_entries(m, n, e);
}

int h5_next(h5_matrix *m, h5_entry *x, mc_err *e)
{
    return m->backend->next(m, x, e);
}

int h5_next_profile(h5_matrix *m, size_t *profile, mc_entries *es, mc_err *e)
{
    return m->backend->next_profile(m, profile, es, e);
}

int h5_fast(const h5_matrix *m)
{
    return m->backend && m->backend->fast ? m->backend->fast(m) : 0;
}
