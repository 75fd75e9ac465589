/* export: a container's data out, in the formats other tools read (SPEC 8).
 *
 * Every container kind works (through container.c): profiles are read one at
 * a time, in order, as sorted non-zero entries.
 *
 *   Matrix Market   "%%MatrixMarket matrix coordinate integer general", rows
 *                   genes, columns profiles, 1-based, entries profile after
 *                   profile (column-major, as 10x writes them).  Companion
 *                   TSVs as 10x: barcodes (profile names, one a line) and
 *                   features (ENSEMBL<TAB>NAME<TAB>Gene Expression; the name
 *                   stands for the id when the gene set has no g.ensembl.txt).
 *   .h5ad           AnnData (the layout anndata 0.8 writes, encoding 0.1.0 /
 *                   0.2.0): X a CSR matrix, rows profiles (obs), columns genes
 *                   (var); X/data float32 by default (what scanpy reads from
 *                   10x files; exact up to 2^24) or as chosen; X/indices and
 *                   X/indptr int32, both int64 when the non-zeros exceed
 *                   2^31-1.  obs: index the profile names, a column per
 *                   visible p array (a collection's p.member too; text:
 *                   categorical when some value repeats, as anndata stores
 *                   pandas strings, categories sorted, by value when all are
 *                   integers, "" missing; else a string array; numbers as
 *                   stored, bools as h5py's).  var: index the gene names,
 *                   gene_ids (ensembl) when the gene set has them, the gene
 *                   set's other arrays (genome, annotations), a column per
 *                   visible g array.  base_index arrays are left out.
 *   10x v3 HDF5     matrix/{barcodes, data (int32), indices (int64), indptr
 *                   (int64), shape (int32 genes, profiles), features/{id,
 *                   name, feature_type, genome, _all_tag_keys}} with
 *                   fixed-length strings, the matrix shuffled and deflated
 *                   (level 4), as Cell Ranger writes it; genome is
 *                   the container's organism unless chosen.
 *   TSV             a header "name<TAB>ARRAY..." then a row per profile or
 *                   gene: its name, then the arrays' values (numbers in the
 *                   shortest form that reads back exactly; NaN as nan).
 *
 * Gene names come from the gene set (genes_open_for, the full set's uuid), sliced
 * through the container's gene index; they are needed for the features TSV,
 * the .h5ad, the 10x file and g TSVs, not for the Matrix Market file alone.
 *
 * Outputs named by a path are atomic (outdir_file_begin/commit): nothing appears
 * unless everything was written; an existing one is an error unless force.
 * OUT "-" or NULL is stdout (Matrix Market and TSV).
 *
 * Memory: the profile names and an offset per profile, the gene names, the
 * arrays exported, and buffers (a profile's entries, 1 MiB of output, 2^20
 * values per HDF5 stream); never the matrix.  The Matrix Market file and the
 * .h5ad take two passes over the matrix (counting non-zeros first: the
 * header, the index width); the 10x file one. */
#ifndef MC_EXPORT_H
#define MC_EXPORT_H

#include <stddef.h>
#include "container.h"
#include "datakind.h"
#include "err.h"
#include "h5write.h"
#include "progress.h"

typedef struct export_opts {
    const char *genes_dir;      /* the gene set; NULL: the genes/ found walking up */
    int force;                  /* replace existing outputs */
    const char *dtype;          /* .h5ad X/data: a name export_dtype knows; NULL: float32 */
    const char *genome;         /* 10x features/genome; NULL: the container's organism */
    int gzip;                   /* deflate level 1-9 of the HDF5 matrix datasets; 0: the
                                 * format's default (10x: 4 as Cell Ranger, .h5ad: none
                                 * as anndata); -1: none */
    progress *progress;         /* told of each pass; NULL: nobody watches */
    /* Told of each array left out of an export of every array because it
     * cannot be read (NULL: such an array is an error). */
    void (*warn)(void *ctx, const char *msg);
    void *warn_ctx;
} export_opts;

/* A table as the .h5ad's obs or var: INDEX names a row each, V[0..n) the
 * columns in order (name, values). */
typedef struct export_column {
    char *name;
    mc_array a;
} export_column;
typedef struct export_frame {
    export_column *v;
    size_t n;
    strvec index;
} export_frame;
/* KIND 'p': obs (profile names; every visible p array but base_index), 'g':
 * var (unique gene names; gene_ids, the gene set's annotations, the g
 * arrays), exactly as export_h5ad writes them. */
int export_frame_load(container *c, char kind, const export_opts *o, export_frame *out, mc_err *e);
void export_frame_free(export_frame *f);

/* The .h5ad X/data type named "float32", "float64", "int32" or "int64"; -1 if none. */
int export_dtype(const char *name, h5w_type *t);

/* Matrix Market to OUT; BARCODES and FEATURES (NULL: not written) the 10x TSVs. */
int export_mtx(container *c, const char *out, const char *barcodes, const char *features, const export_opts *o,
               mc_err *e);
int export_h5ad(container *c, const char *out, const export_opts *o, mc_err *e);
int export_10x(container *c, const char *out, const export_opts *o, mc_err *e);
/* KIND 'p' or 'g'; NAMES the arrays (n == 0: every visible one but base_index). */
int export_tsv(container *c, char kind, char *const *names, size_t n, const char *out, const export_opts *o,
               mc_err *e);

/* Matrix KIND.NAME (gg, pp, dense gp) as TSV: a header 'name' and the column
 * names, then a row per gene or profile, its name and its values. */
int export_matrix_tsv(container *c, const data_kind *k, const char *name, const char *out, const export_opts *o,
                      mc_err *e);
/* KIND.NAME of any kind as .npy to OUT ("-": stdout): numbers as the store
 * keeps them (gp in fortran order), text as a '<U' array. */
int export_npy(container *c, const data_kind *k, const char *name, const char *out, const export_opts *o, mc_err *e);

#endif
