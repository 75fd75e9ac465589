/* loom: Loom files (loompy 2 and 3, the HCA data portal's) behind h5.h.
 *
 * /matrix (or layers/NAME with --layer) is genes x profiles, dense, usually
 * chunked: read a block of profiles at a time (h5x.c).  Genes: names from
 * row_attrs/Gene (or gene_names), ids from row_attrs/Accession (or
 * ensembl_ids, gene_ids) when present; profiles: col_attrs/CellID (or
 * cell_names, obs_names); lanes: col_attrs/--lane-column, else the HCA
 * barcode rule.  The other attributes are annotations (h5x_fields). */
#include "h5x.h"

#include "h5backend.h"
#include "h5ds.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "h5backend.h"
#include "h5ds.h"
/* Loom: a /matrix dataset with row_attrs and col_attrs. */
static int loom_probe(hid_t file)
{
    if (!h5ds_exists(file, "matrix") || !h5ds_exists(file, "row_attrs") || !h5ds_exists(file, "col_attrs")) return 0;
    H5O_info_t info;
#if H5_VERSION_GE(1, 12, 0)
    int ok = H5Oget_info_by_name3(file, "matrix", &info, H5O_INFO_BASIC, H5P_DEFAULT) >= 0;
#else
    int ok = H5Oget_info_by_name(file, "matrix", &info, H5P_DEFAULT) >= 0;
#endif
    return ok && info.type == H5O_TYPE_DATASET;
}

/* The first of NAMES under LOC (NULL: none). */
static const char *first_of(hid_t loc, const char *const *names)
{
    for (; *names; names++)
        if (h5ds_exists(loc, *names)) return *names;
    return NULL;
}

static int read_attrs(h5_matrix *m, hid_t file, const h5_opts *o, mc_err *e)
{
    static const char *const gene[] = {"Gene", "gene_names", "var_names", NULL},
                             *ids[] = {"Accession", "ensembl_ids", "gene_ids", NULL},
                             *cell[] = {"CellID", "cell_names", "obs_names", NULL};
    hid_t rows = H5Gopen2(file, "row_attrs", H5P_DEFAULT), cols = H5Gopen2(file, "col_attrs", H5P_DEFAULT);
    const char *gn = rows >= 0 ? first_of(rows, gene) : NULL, *id = rows >= 0 ? first_of(rows, ids) : NULL,
               *cn = cols >= 0 ? first_of(cols, cell) : NULL;
    int rc = 0;
    if (!gn) rc = mc_err_fail(e, "%s: /row_attrs: no gene names (Gene or gene_names)", m->path);
    else if (!cn) rc = mc_err_fail(e, "%s: /col_attrs: no cell names (CellID or cell_names)", m->path);
    if (rc == 0) rc = h5x_strings(m, rows, "/row_attrs", gn, m->genes_count, 0, &m->gene_names, e);
    if (rc == 0 && id) rc = h5x_strings(m, rows, "/row_attrs", id, m->genes_count, 0, &m->gene_ids, e);
    if (rc == 0) rc = h5x_strings(m, cols, "/col_attrs", cn, m->profiles_count, 0, &m->barcodes, e);
    if (rc == 0) rc = h5x_lane_column(m, cols, "/col_attrs", o->lane_column, e);
    const char *const rskip[] = {gn, id, NULL}, *const cskip[] = {cn, NULL};
    if (rc == 0) rc = h5x_fields(m, cols, "/col_attrs", 'p', cskip, e);
    if (rc == 0) rc = h5x_fields(m, rows, "/row_attrs", 'g', rskip, e);
    if (rows >= 0) H5Gclose(rows);
    if (cols >= 0) H5Gclose(cols);
    return rc;
}

static int loom_open(h5_matrix *m, hid_t file, const h5_opts *o, mc_err *e)
{
    char x[300];
    if (h5x_begin(m, o->threads, e) < 0) return -1;
    if (!o->layer || !strcmp(o->layer, "matrix")) snprintf(x, sizeof x, "/matrix");
    else snprintf(x, sizeof x, "/layers/%s", o->layer);
    if (!h5ds_exists(file, x + 1))
        return mc_err_fail(e, "%s: no layer '%s' (--layer takes a name under /layers)", m->path, o->layer);
    if (!(m->group = strdup(x))) return mc_err_oom(e, m->path);
    hid_t d = H5Dopen2(file, x, H5P_DEFAULT), s = d >= 0 ? H5Dget_space(d) : -1;
    hsize_t dims[2] = {0, 0};
    int ok = s >= 0 && H5Sget_simple_extent_ndims(s) == 2 && H5Sget_simple_extent_dims(s, dims, NULL) == 2;
    if (s >= 0) H5Sclose(s);
    if (!ok) {
        if (d >= 0) H5Dclose(d);
        return mc_err_fail(e, "%s: %s: not a two-dimensional dataset", m->path, x);
    }
    m->genes_stored = m->genes_count = (size_t)dims[0];
    m->profiles_count = (size_t)dims[1];
    if (read_attrs(m, file, o, e) < 0) {
        H5Dclose(d);
        return -1;
    }
    return h5x_dense(m, d, x, H5X_DENSE_GP, e);
}

const h5_backend loom_backend = {"loom", loom_probe, loom_open, h5x_count_entries, h5x_next, h5x_next_profile, NULL,
                                 h5x_close};
