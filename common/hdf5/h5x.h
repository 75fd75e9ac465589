/* h5x: the count matrices of HDF5 files that are not 10x, read behind h5.h:
 * the reader the .h5ad (h5ad.c) and Loom (loom.c) backends (h5backend.h)
 * share: their open fills the names and sets up the matrix reader here,
 * whose count_entries, next, next_profile and close are theirs too.
 *
 * Storages, all streamed in profile order with bounded memory:
 *   by profile   sparse, compressed by profile (AnnData CSR X): indptr over
 *                profiles, entries read in order through h5chunks.h (chunks
 *                inflated on worker threads, as for 10x files).
 *   by gene      sparse, compressed by gene (AnnData CSC X): a cursor and a
 *                buffer per gene (H5X_BUF entries over all genes, 16 to 65536
 *                each) and a 2 MiB chunk cache; rows ascending in each
 *                gene (as scipy keeps them); profiles come out a block at a time.
 *   dense        profiles x genes (AnnData dense X) or genes x profiles
 *                (Loom /matrix), read a block of profiles at a time
 *                (at most H5X_DENSE values).
 * Values are read as doubles whatever their storage: a count must be a
 * non-negative integer (below 2^53); the first that is not is an error
 * naming the dataset, entry, profile and gene. */
#ifndef MC_H5X_H
#define MC_H5X_H

#include <hdf5.h>

#include "h5.h"

#define H5X_BUF (1u << 21)   /* entries buffered over all genes, by gene */
#define H5X_DENSE (1u << 21)

typedef enum { H5X_BY_PROFILE, H5X_BY_GENE, H5X_DENSE_PG, H5X_DENSE_GP } h5x_storage;

/* The reader's state, m->state (first thing a layout's open does); a by-profile
 * matrix's chunks are inflated on THREADS threads (0: every core). */
int h5x_begin(h5_matrix *m, int threads, mc_err *e);

/* The matrix reader, set up by h5ad_open / loom_open.  WHERE names the
 * dataset or group in messages ("/X", "/layers/counts", "/matrix"). */
int h5x_sparse(h5_matrix *m, hid_t group, const char *where, h5x_storage storage, mc_err *e);
int h5x_dense(h5_matrix *m, hid_t dataset, const char *where, h5x_storage storage, mc_err *e);

int h5x_count_entries(h5_matrix *m, uint64_t *n, mc_err *e);
int h5x_next(h5_matrix *m, h5_entry *x, mc_err *e);
int h5x_next_profile(h5_matrix *m, size_t *profile, mc_entries *es, mc_err *e);
void h5x_close(h5_matrix *m);

/* --- helpers for the layouts ---------------------------------------------------- */

/* N strings of dataset LOC/NAME (variable or fixed length; a categorical
 * group of categories and codes is expanded), held by m (h5backend.h).
 * *v is NULL and 0 returned when the dataset does not exist and OPTIONAL;
 * else missing is an error.  A wrong length is an error. */
int h5x_strings(h5_matrix *m, hid_t loc, const char *where, const char *name, size_t n, int optional, char ***v,
                mc_err *e);
/* The lanes from column COLUMN (--lane-column; NULL: none) of the per-profile
 * group LOC, shown as WHERE: into m->lanes; a missing column is an error. */
int h5x_lane_column(h5_matrix *m, hid_t loc, const char *where, const char *column, mc_err *e);
/* The annotation columns of the per-profile (KIND 'p': obs, col_attrs) or
 * per-gene ('g': var, row_attrs) group LOC, shown as WHERE, into
 * m->profile_fields / m->gene_fields: every one-dimensional column of a value
 * per row but those named in SKIP (NULL-terminated), in name order.
 * Categorical and text columns are str (a missing categorical value ""),
 * integers int, floats float, h5py's bools bool; anndata's nullable arrays
 * as read_nullable says; columns of other encodings (nested groups, 2-D
 * attributes) are left out.  A column
 * named like one of mc's own arrays (p: barcode, lane, batch, name, member,
 * base_index, total_umis, group, grouped_count, group_label; g: name,
 * original_name, ensembl, genome, feature_type, base_index, total_umis) is
 * stored as obs_NAME / var_NAME. */
int h5x_fields(h5_matrix *m, hid_t loc, const char *where, char kind, const char *const *skip, mc_err *e);

#endif
