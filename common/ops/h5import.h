/* h5import: an HCA / 10x HDF5 file (h5.h) imported, either as the canonical
 * STD text directory (mc-import-hca) or straight to one BATCH per lane and
 * their COLLECTION (mc-import-cells), with no text in between.
 *
 * Both routes derive the same tables from the file, so they agree byte for
 * byte: the STD route's batches (mc-delane, mc-write-matrix, mc-collect) and
 * the direct route's have the same files and uuids.
 *
 * - Profiles (barcode, lane, batch): when every barcode has the HCA form
 *   LANE-BARCODE-N (MantonBM1_HiSeq_1-AAACCTGAGAAGGCCT-1, hca.h), lane is the part
 *   before the first '-', batch the lane up to its first '_', barcode the
 *   rest; otherwise every barcode is kept whole, lane and batch "all".
 * - Genes (ensembl, name, and with all_features the v3 feature_type).
 * - Then the annotations of .h5ad and Loom files (m->profile_fields,
 *   m->gene_fields: obs / var columns, col / row attributes), as their
 *   str, int, float or bool columns; both routes write them as p.* / g.*
 *   arrays (column.h). */
#ifndef MC_H5IMPORT_H
#define MC_H5IMPORT_H

#include "progress.h"
#include "err.h"
#include "h5.h"
#include "table.h"

/* The profiles and genes tables of an open file, refusing what every tool
 * reading an STD refuses (stdread_check_genes, stdread_check_profiles), named by the
 * HDF5 dataset. */
int h5import_profiles(const h5_matrix *m, std_table *t, mc_err *e);
int h5import_genes(const h5_matrix *m, int all_features, std_table *t, mc_err *e);

/* H5 to the STD directory OUT (atomic; an existing OUT needs force). */
int h5import_std(progress *pr, const char *h5, const char *out, const h5_opts *o, int force, mc_err *e);

typedef struct cells_options {
    const char *genes;       /* the gene set; NULL: the nearest genes/ walking up from OUT's parent */
    const char *organism;    /* NULL, or the organism the gene set must be of */
    int force;
    int totals;              /* also OUT's totals cache (totals.h), summed while encoding */
} cells_options;

/* H5 to OUT/LANE/, one BATCH of cells per lane (lanes as lanes.h splits
 * them), and OUT/profiles.yaml, their COLLECTION in lane order: what
 * mc-delane, mc-write-matrix per lane and mc-collect give, in one read of
 * the file.  OUT is written atomically as a whole. */
int h5import_cells(progress *pr, const char *h5, const char *out, const h5_opts *o, const cells_options *co,
                   mc_err *e);

#endif
