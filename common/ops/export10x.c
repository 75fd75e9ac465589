/* export10x: the 10x v3 HDF5 file out of any container. */
#include "export10x.h"

#include <stdlib.h>

#include "alloc.h"
#include "exporth5.h"

#define TENX_GZIP 4           /* what Cell Ranger's h5py writes with */

static int repeated(h5w *f, const char *path, const char *value, size_t n, mc_err *e)
{
    char **v = mc_alloc_array(n, sizeof *v);
    if (!v) return mc_err_oom(e, path);
    for (size_t i = 0; i < n; i++) v[i] = (char *)value;
    int rc = h5write_strings(f, path, v, n, 1, e);
    free(v);
    return rc;
}

/* features/genome: GENOME when chosen, else each gene's from the gene set, else the organism. */
static int write_genomes(h5w *f, container *c, const export_labels *g, const char *genome, mc_err *e)
{
    const char *path = "/matrix/features/genome";
    if (!genome && g->genome) return h5write_strings(f, path, g->genome->v, c->genes_count, 1, e);
    return repeated(f, path, genome ? genome : c->meta.organism, c->genes_count, e);
}

static int write_10x(h5w *f, container *c, const export_labels *g, const char *genome, const char *shown,
                     const export_opts *o, mc_err *e)
{
    static char *const tag_keys[] = {"genome"};
    const int64_t version = 2;
    int32_t shape[2] = {(int32_t)c->genes_count, (int32_t)c->profiles_count};
    strvec names;
    if (c->genes_count > INT32_MAX || c->profiles_count > INT32_MAX)
        return mc_err_fail(e, "%s: too many profiles or genes for a 10x file's int32 shape", shown);
    if (h5write_attr_str(f, "/", "filetype", "matrix", e) < 0 ||
        h5write_attr_i64(f, "/", "version", &version, 1, 1, e) < 0 || h5write_group(f, "/matrix/features", e) < 0)
        return -1;
    if (container_profile_names(c, &names, e) < 0) return -1;
    int rc = h5write_strings(f, "/matrix/barcodes", names.v, names.count, 1, e);
    strvec_free(&names);
    const strvec *ids = g->ids ? g->ids : g->shown;
    size_t G = c->genes_count;
    if (rc < 0 || h5write_array(f, "/matrix/shape", H5W_I32, shape, 2, e) < 0 ||
        h5write_strings(f, "/matrix/features/_all_tag_keys", tag_keys, 1, 1, e) < 0 ||
        h5write_strings(f, "/matrix/features/id", ids->v, G, 1, e) < 0 ||
        h5write_strings(f, "/matrix/features/name", g->shown->v, G, 1, e) < 0 ||
        repeated(f, "/matrix/features/feature_type", "Gene Expression", G, e) < 0 ||
        write_genomes(f, c, g, genome, e) < 0)
        return -1;
    return exporth5_sparse(f, c, "/matrix", H5W_I32, H5W_I64, exporth5_gzip(o, TENX_GZIP), shown, o, e);
}

int export10x_write(container *c, const char *out, const export_opts *o, mc_err *e)
{
    export_labels g;
    outfile of;
    if (export_guard(c, &out, 1, o->force, e) < 0 || export_labels_load(c, o->genes_dir, &g, e) < 0) return -1;
    h5w *f = exporth5_begin(&of, out, o->force, e);
    int rc = f ? exporth5_end(&of, f, write_10x(f, c, &g, o->genome, out, o, e), e) : -1;
    export_labels_free(&g);
    return rc;
}
