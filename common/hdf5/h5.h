/* h5: the matrix of a 10x / HCA HDF5 file, streamed profile by profile.
 *
 * Layouts (detected):
 *   10x v2 / HCA   one top-level group per genome (a group holding `indptr`),
 *                  with barcodes, data, genes, gene_names, indices, indptr, shape;
 *                  gene_names may be missing (the names are then the `genes` ids).
 *   10x v3         matrix/ with barcodes, data, indices, indptr, shape and
 *                  features/ with id, name, feature_type and optionally genome.
 * Either way the matrix is compressed sparse columns: shape = (genes, profiles),
 * profile j holds entries indptr[j] .. indptr[j+1]-1 of indices (gene) and data.
 *
 * Opening reads the barcodes, gene ids/names and indptr (memory in proportion to
 * the profile and gene counts, every dataset checked by h5guard.h: no data in
 * other files, bounded chunks, names stored) and validates shape and indptr; entries are then
 * read through fixed-size hyperslabs (H5_SLAB entries at a time), so memory does
 * not depend on the number of non-zeros.  Each entry is validated as it is read:
 * gene index in range, value a non-negative integer (float data with integral
 * values is accepted).  Strings may be fixed-length (Cell Ranger's |S) or
 * variable-length; one holding a line break is an error.
 *
 * AnnData .h5ad and Loom files are read behind the same interface (h5x.h,
 * h5ad.c, loom.c): version 0, gene_ids NULL when the file has none.  Each
 * layout is a backend of this front end (h5backend.h, which also says who
 * owns what the fields point to: the matrix, freed by h5_close).
 *
 * HDF5's own error printing is switched off while a file is open; every
 * failure is one line "FILE: /DATASET: what is wrong". */
#ifndef MC_H5_H
#define MC_H5_H

#include <stddef.h>
#include <stdint.h>
#include "err.h"
#include "entries.h"
#include "table.h"


typedef struct h5_opts {
    /* v2: the genome group to read; NULL when the file has only one (several is an error).
     * v3: keep only features of this genome; NULL keeps every genome. */
    const char *genome;
    /* v3: keep every feature type; by default only "Gene Expression". */
    int all_features;
    /* Threads inflating the matrix's chunks; 0: every available core. */
    int threads;
    /* .h5ad: the counts in layers/NAME, or "raw" (raw/X with raw/var); NULL: X.
     * Loom: layers/NAME; NULL: /matrix. */
    const char *layer;
    /* .h5ad / Loom: the lanes from this obs / col_attrs column (categorical or
     * text); NULL: from HCA barcodes as for 10x files. */
    const char *lane_column;
} h5_opts;

/* An annotation column: an .h5ad obs / var column or a Loom col / row
 * attribute (h5x.h), its values as text (the form std_table holds). */
typedef struct h5_field {
    char *name;
    field_type type;
    char **v;               /* a value per profile or gene */
} h5_field;

typedef struct h5_entry {
    size_t profile;         /* column, 0-based */
    size_t gene;            /* row among the kept genes, 0-based */
    uint64_t value;
} h5_entry;

struct h5_backend;
struct h5_file;
struct strvec;

typedef struct h5_matrix {
    char *path;
    int version;            /* 2 or 3 */
    char *group;            /* the matrix group: "/GRCh38", "/matrix" */
    char *genome;           /* v2: the genome group's name; v3: --genome or NULL */
    size_t profiles_count;
    size_t genes_count;     /* kept genes (after feature filtering) */
    size_t genes_stored;    /* rows in the file */
    uint64_t stored_entries;/* length of data (all stored entries, kept or not) */
    char **barcodes;        /* [profiles_count] */
    char **gene_ids;        /* [genes_count]: v2 `genes`, v3 `features/id` (Ensembl ids) */
    char **gene_names;      /* [genes_count] */
    char **gene_types;      /* [genes_count] v3 `features/feature_type`; NULL for v2 */
    char **gene_genomes;    /* [genes_count] v3 `features/genome` when stored; else NULL */
    char **lanes;           /* [profiles_count] .h5ad / Loom --lane-column; else NULL */
    h5_field *profile_fields, *gene_fields;   /* .h5ad / Loom annotations; else NULL */
    size_t profile_fields_count, gene_fields_count;
    /* private (h5backend.h): the layout's reader and its state, the open file,
     * and what the fields point into */
    const struct h5_backend *backend;
    void *state;
    struct h5_file *file;
    struct strvec *held;
    size_t held_count;
} h5_matrix;

/* Open PATH, detect the layout, choose the genome, read names and indptr and
 * validate their lengths against shape.  On failure *m holds nothing to free. */
int h5_open(h5_matrix *m, const char *path, const h5_opts *o, mc_err *e);

/* h5_count_entries' count when only reading the entries tells it: a profile
 * stored with more entries than H5_FOLD (h5backend.h) has its duplicates summed
 * as it is read, and a CSC matrix (.h5ad by gene) has them summed always. */
#define H5_UNCOUNTED UINT64_MAX

/* Number of entries h5_next() will give: stored_entries when every gene is
 * kept, else a pass over indices (validating them) counts those in kept genes;
 * or H5_UNCOUNTED.  Does not move the read position. */
int h5_count_entries(h5_matrix *m, uint64_t *n, mc_err *e);

/* Next entry in profile (column) order, in stored order within a profile;
 * entries of dropped genes are skipped.  Explicit zeros are passed through.
 * Returns 1 with *x set, 0 at the end, -1 on error (bad index or value). */
int h5_next(h5_matrix *m, h5_entry *x, mc_err *e);

/* The next profile, in order, every profile once (empty ones too): its index
 * and its entries (kept genes, stored order, explicit zeros passed) appended
 * to ES; a profile stored with more than H5_FOLD entries (duplicates) comes
 * in gene order, its duplicates summed (h5backend.h).
 * 1, 0 at the end, -1 on error.  Use either this or h5_next on one matrix. */
int h5_next_profile(h5_matrix *m, size_t *profile, mc_entries *es, mc_err *e);

/* 1 when indices and data are both read through the parallel raw-chunk
 * path (h5chunks.h); valid once entries were read. */
int h5_fast(const h5_matrix *m);

/* Free everything (also after a failed h5_next; safe on a zeroed matrix); restores HDF5 error printing. */
void h5_close(h5_matrix *m);

#endif
