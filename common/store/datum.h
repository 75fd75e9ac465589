/* datum: any one piece of data of a container (SPEC 2, 7), read through the
 * container's chain or written into the container itself.
 *
 * A datum is KIND.NAME: a g or p array (text or numbers) or a gg, pp or
 * dense gp matrix (numbers).  In memory it is an mc_array: text, or an
 * npy_array of one dimension or, for a matrix, two (rows, cols) in C order,
 * rows along the kind's first axis (gp: genes x profiles).
 *
 * Reading resolves KIND.NAME as container_array does: the container's own
 * file first, then a view's base (sliced along each axis the view slices,
 * hidden when it depends on one, SPEC 7), a collection's members (p arrays
 * and gp matrices, concatenated along the profiles).
 *
 * Writing takes a TSV (KEY<TAB>VALUE lines for an array, after a header
 * "name<TAB>..." or "<TAB>..." if there is one, as mc-export --tsv and
 * pandas' to_csv write; for a matrix a header of column keys, then a row per
 * KEY) or a .npy file, from a file or
 * stdin; keys are names or 0-based indices, every row and column once.
 * Values are typed as a whole: all True/False is bool, all integers <i8,
 * all numbers (empty: NaN) <f8, else text (arrays only).  A .npy keeps its
 * dtype (big-endian swapped, '<U' as text).  The file is written atomically
 * and durably into the container's own directory, never into a base. */
#ifndef MC_DATUM_H
#define MC_DATUM_H

#include "container.h"
#include "datakind.h"
#include "err.h"

/* "KIND.NAME" into its kind and name (pointing into ID); -1 with e set if it is not one. */
int datum_parse_id(const char *id, const data_kind **kind, const char **name, mc_err *e);

/* The length of axis 'g' or 'p' of C. */
size_t datum_axis_length(const container *c, char axis);

/* Load KIND.NAME of C: 1 found, 0 not visible, -1 error. */
int datum_load(container *c, const data_kind *k, const char *name, mc_array *out, mc_err *e);

/* Write A, a datum of kind K, to PATH as the store keeps it: text as .txt
 * lines, numbers as .npy (gp in fortran order).  Not atomic: PATH is a
 * temporary of the caller's (outfile). */
int datum_save(const char *path, const data_kind *k, const mc_array *a, mc_err *e);

typedef struct datum_write_opts {
    const char *gene_set;       /* the gene set naming genes; NULL: the genes/ found walking up */
    int force;                  /* replace the container's own, or hide a base's */
} datum_write_opts;

/* Read KIND.NAME's values from INPUT ("-": stdin) for C and write them into C. */
int datum_write(container *c, const data_kind *k, const char *name, const char *input, const datum_write_opts *o,
                mc_err *e);
/* The same for values already in memory (libmc's mc_write_*): A as read from
 * a .npy (C order) or text, checked and stored as datum_write does; SHOWN
 * names A in errors.  A stays the caller's (a matrix in fortran order is
 * turned to C order in place). */
int datum_write_values(container *c, const data_kind *k, const char *name, mc_array *a, const char *shown, int force,
                       mc_err *e);

/* Write the N arrays A[i] as KIND.NAMES[i] into C, each checked as
 * datum_write checks it (before any is written), all committed together or
 * none (commit_set, outdir.h): mc-qc --write. */
int datum_store_all(container *c, const data_kind *k, char *const *names, const mc_array *a, size_t n, int force,
                    mc_err *e);

#endif
