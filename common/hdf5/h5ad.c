/* h5ad: AnnData files (the layouts anndata 0.7-0.10 write) behind h5.h.
 *
 * Counts from X, raw/X (--layer raw) or layers/NAME: a CSR group (rows are
 * profiles: streamed as stored), a CSC group (columns are profiles: read per
 * gene, h5x.c) or a dense dataset.  Profiles are obs (names: the index
 * column obs/_index or the one the "_index" attribute names), genes var (or
 * raw/var with raw/X): names the index, ids the first of gene_ids, gene_id,
 * ensembl_id, ensembl, id present; every other obs and var column an
 * annotation (h5x_fields), var/genome the genes' genome.  Lanes: the obs column --lane-column
 * (text, numbers or categorical), else the HCA barcode rule (h5import.c). */
#include "h5x.h"

#include "h5backend.h"
#include "h5ds.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "h5backend.h"
#include "h5ds.h"
#include "h5guard.h"

/* AnnData: the root attribute encoding-type "anndata", or X with obs and var. */
static int h5ad_probe(hid_t file)
{
    char *t = h5ds_attr_str(file, "encoding-type");
    int anndata = t && !strcmp(t, "anndata");
    free(t);
    return anndata || (h5ds_exists(file, "X") && h5ds_exists(file, "obs") && h5ds_exists(file, "var"));
}

/* The rows of a dataframe group: the length of its index column, whose name is read into INDEX. */
static int frame_rows(h5_matrix *m, hid_t g, const char *where, char *index, size_t size, size_t *n, mc_err *e)
{
    char *name = h5ds_attr_str(g, "_index");
    snprintf(index, size, "%s", name ? name : "_index");
    free(name);
    if (!h5ds_exists(g, index)) return mc_err_fail(e, "%s: %s: no index column '%s'", m->path, where, index);
    char shown[600];
    snprintf(shown, sizeof shown, "%s/%s", where, index);
    /* Every name stored: the count of rows is what the file declares. */
    hid_t d = h5guard_open(g, index, H5P_DEFAULT, m->path, shown, H5GUARD_STORED, e);
    if (d < 0) return -1;
    hid_t s = H5Dget_space(d);
    hsize_t dims[1] = {0};
    int ok = s >= 0 && H5Sget_simple_extent_ndims(s) == 1 && H5Sget_simple_extent_dims(s, dims, NULL) == 1;
    if (s >= 0) H5Sclose(s);
    if (d >= 0) H5Dclose(d);
    if (!ok) return mc_err_fail(e, "%s: %s/%s: not a one-dimensional index", m->path, where, index);
    *n = (size_t)dims[0];
    return 0;
}

/* The matrix to read and the var that goes with it, by --layer. */
static int choose(h5_matrix *m, hid_t file, const char *layer, char x[300], char var[32], mc_err *e)
{
    snprintf(var, 32, "var");
    if (!layer || !strcmp(layer, "X")) snprintf(x, 300, "X");
    else if (!strcmp(layer, "raw") || !strcmp(layer, "raw/X")) snprintf(x, 300, "raw/X"), snprintf(var, 32, "raw/var");
    else snprintf(x, 300, "layers/%s", layer);
    if (h5ds_exists(file, x)) return 0;
    if (!layer) return mc_err_fail(e, "%s: no X (give the counts with --layer)", m->path);
    return mc_err_fail(e, "%s: no layer '%s' (--layer takes X, raw or a name under layers/)", m->path, layer);
}

static int gene_ids(h5_matrix *m, hid_t var, const char *where, mc_err *e)
{
    static const char *const names[] = {"gene_ids", "gene_id", "ensembl_id", "ensembl", "id"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (h5ds_exists(var, names[i])) return h5x_strings(m, var, where, names[i], m->genes_count, 0, &m->gene_ids, e);
    return 0;
}

/* The other obs and var columns (h5x_fields).  gene_ids is the genes' ids
 * (exports write them back under that name) and a text genome column their
 * genome (g.genome, as 10x files give it). */
static int annotations(h5_matrix *m, hid_t obs, hid_t var, const char *vw, const char *oi, const char *vi, mc_err *e)
{
    const char *const oskip[] = {oi, "__categories", NULL}, *const vskip[] = {vi, "__categories", "gene_ids", "genome",
                                                                               NULL};
    int rc = h5x_fields(m, obs, "/obs", 'p', oskip, e);
    if (rc == 0) rc = h5x_fields(m, var, vw, 'g', vskip, e);
    if (rc == 0 && h5ds_exists(var, "genome"))
        rc = h5x_strings(m, var, vw, "genome", m->genes_count, 0, &m->gene_genomes, e);
    return rc;
}

/* The names: obs and var, their index columns, ids and lanes. */
static int read_names(h5_matrix *m, hid_t file, const char *varname, const h5_opts *o, mc_err *e)
{
    char oi[256], vi[256], vw[64];
    snprintf(vw, sizeof vw, "/%s", varname);
    hid_t obs = h5ds_exists(file, "obs") ? H5Gopen2(file, "obs", H5P_DEFAULT) : -1;
    hid_t var = h5ds_exists(file, varname) ? H5Gopen2(file, varname, H5P_DEFAULT) : -1;
    int rc = 0;
    if (obs < 0 || var < 0)
        rc = mc_err_fail(e, "%s: %s: not a dataframe group (as anndata 0.7 and later write)", m->path,
                     obs < 0 ? "/obs" : vw);
    if (rc == 0) rc = frame_rows(m, obs, "/obs", oi, sizeof oi, &m->profiles_count, e);
    if (rc == 0) rc = frame_rows(m, var, vw, vi, sizeof vi, &m->genes_count, e);
    if (rc == 0) rc = h5x_strings(m, obs, "/obs", oi, m->profiles_count, 0, &m->barcodes, e);
    if (rc == 0) rc = h5x_strings(m, var, vw, vi, m->genes_count, 0, &m->gene_names, e);
    if (rc == 0) rc = gene_ids(m, var, vw, e);
    if (rc == 0) rc = h5x_lane_column(m, obs, "/obs", o->lane_column, e);
    if (rc == 0) rc = annotations(m, obs, var, vw, oi, vi, e);
    if (obs >= 0) H5Gclose(obs);
    if (var >= 0) H5Gclose(var);
    return rc;
}

/* A sparse group: CSR (anndata's encoding-type csr_matrix, or h5sparse_format csr
 * before 0.7.x) or CSC; its shape attribute, when there, must match obs x var. */
static int sparse_kind(h5_matrix *m, hid_t g, const char *where, h5x_storage *st, mc_err *e)
{
    char *type = h5ds_attr_str(g, "encoding-type"), *old = h5ds_attr_str(g, "h5sparse_format");
    int csr = (type && !strcmp(type, "csr_matrix")) || (old && !strcmp(old, "csr")),
        csc = (type && !strcmp(type, "csc_matrix")) || (old && !strcmp(old, "csc"));
    free(type);
    free(old);
    if (!csr && !csc) return mc_err_fail(e, "%s: %s: neither a CSR nor a CSC matrix", m->path, where);
    *st = csr ? H5X_BY_PROFILE : H5X_BY_GENE;
    const char *shape_attr = H5Aexists(g, "shape") > 0            ? "shape"
                             : H5Aexists(g, "h5sparse_shape") > 0 ? "h5sparse_shape"
                                                                  : NULL;
    int64_t shape[2] = {0, 0};
    if (!shape_attr) return 0;
    hid_t a = H5Aopen(g, shape_attr, H5P_DEFAULT);
    int ok = a >= 0 && H5Aread(a, H5T_NATIVE_INT64, shape) >= 0;
    if (a >= 0) H5Aclose(a);
    if (ok && shape[0] == (int64_t)m->profiles_count && shape[1] == (int64_t)m->genes_count) return 0;
    return mc_err_fail(e, "%s: %s: shape (%lld, %lld), but obs has %zu rows and var %zu", m->path, where,
                   (long long)shape[0], (long long)shape[1], m->profiles_count, m->genes_count);
}

static int open_matrix(h5_matrix *m, hid_t file, const char *x, mc_err *e)
{
    H5O_info_t info;
#if H5_VERSION_GE(1, 12, 0)
    herr_t r = H5Oget_info_by_name3(file, x, &info, H5O_INFO_BASIC, H5P_DEFAULT);
#else
    herr_t r = H5Oget_info_by_name(file, x, &info, H5P_DEFAULT);
#endif
    if (r < 0) return mc_err_fail(e, "%s: %s: cannot open", m->path, m->group);
    if (info.type == H5O_TYPE_DATASET) {
        hid_t d = H5Dopen2(file, x, H5P_DEFAULT);
        return d >= 0 ? h5x_dense(m, d, m->group, H5X_DENSE_PG, e)
                      : mc_err_fail(e, "%s: %s: cannot open", m->path, m->group);
    }
    hid_t g = H5Gopen2(file, x, H5P_DEFAULT);
    h5x_storage st = H5X_BY_PROFILE;
    int rc = g >= 0 ? sparse_kind(m, g, m->group, &st, e) : mc_err_fail(e, "%s: %s: cannot open", m->path, m->group);
    if (rc == 0) rc = h5x_sparse(m, g, m->group, st, e);
    if (g >= 0) H5Gclose(g);
    return rc;
}

static int h5ad_open(h5_matrix *m, hid_t file, const h5_opts *o, mc_err *e)
{
    char x[300], var[32];
    if (h5x_begin(m, o->threads, e) < 0 || choose(m, file, o->layer, x, var, e) < 0)
        return -1;
    if (!(m->group = mc_alloc_array(strlen(x) + 2, 1))) return mc_err_oom(e, m->path);
    sprintf(m->group, "/%s", x);
    if (read_names(m, file, var, o, e) < 0) return -1;
    m->genes_stored = m->genes_count;
    return open_matrix(m, file, x, e);
}

const h5_backend h5ad_backend = {"h5ad", h5ad_probe, h5ad_open, h5x_count_entries, h5x_next, h5x_next_profile, NULL,
                                 h5x_close};
