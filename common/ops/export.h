/* export: a container's data out, in the formats other tools read (SPEC 8): the
 * front end every format shares.  One module a format: Matrix Market
 * (exportmtx), .h5ad (exporth5ad), 10x v3 HDF5 (export10x), both HDF5 formats'
 * matrix (exporth5), TSV (exporttsv), .npy (exportnpy).
 *
 * Every container kind works (through container.c): profiles are read one at
 * a time, in order, as sorted non-zero entries.
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
#include <stdint.h>
#include "container.h"
#include "datakind.h"
#include "entries.h"
#include "err.h"
#include "progress.h"
#include "strvec.h"

typedef struct export_opts {
    const char *genes_dir;      /* the gene set; NULL: the genes/ found walking up */
    int force;                  /* replace existing outputs */
    const char *dtype;          /* .h5ad X/data: a name exporth5ad_dtype knows; NULL: float32 */
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
    strvec index;       /* unused but by exporth5ad_frame_load */
} export_frame;
void export_frame_free(export_frame *f);
/* Append NAME with array *a (taken over, *a emptied). */
int export_frame_add(export_frame *fr, const char *name, mc_array *a, mc_err *e);
int export_frame_has(const export_frame *fr, const char *name);
/* The arrays NAMES of KIND (every visible one but base_index when names is
 * NULL; then one that cannot be read is left out, told to o->warn). */
int export_frame_arrays(container *c, char kind, char *const *names, size_t n, export_frame *fr, const export_opts *o,
                        mc_err *e);

/* The gene labels of a container, from its full gene set. */
typedef struct export_labels {
    strvec names;         /* the gene set's canonical names (g.name.txt): mc's key for genes */
    export_frame set;     /* the gene set's other text arrays (original_name, ensembl, genome,
                           * ...), sliced to the container's genes, in name order */
    const strvec *shown;  /* the names other tools get: the input's (original_name), else names */
    const strvec *ids;    /* ensembl ids, or NULL */
    const strvec *genome; /* each gene's genome, or NULL */
} export_labels;
/* The container's gene names and the gene set's other arrays, from its full gene
 * set (DIR, or the genes/ found walking up), found and checked by the one
 * gene-name loader (genenames_open). */
int export_labels_load(container *c, const char *dir, export_labels *g, mc_err *e);
void export_labels_free(export_labels *g);

/* out[i] = all[index[i]] (index NULL: identity) for i < n. */
int export_gather(const strvec *all, const int32_t *index, size_t n, const char *what, strvec *out, mc_err *e);
/* strcmp of two char *, for qsort and bsearch. */
int export_cmp_str(const void *a, const void *b);

/* Each named output PATHS[i] (NULL: not asked for) may be written from C (guard.h). */
int export_guard(const container *c, const char *const *paths, size_t n, int force, mc_err *e);
/* Profile DONE of TOTAL of the pass WHAT; a pass is over when done == total. */
void export_report(const export_opts *o, const char *what, size_t done, size_t total);
/* A pass over the matrix: its non-zeros and largest value, for headers and index widths. */
int export_scan(container *c, mc_entries *es, uint64_t *nnz, uint64_t *max, const export_opts *o, mc_err *e);
/* KIND.NAME of C, or an error saying it is not there. */
int export_datum(container *c, const data_kind *k, const char *name, mc_array *a, mc_err *e);

#endif
