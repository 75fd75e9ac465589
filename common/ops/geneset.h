/* geneset: a gene set directory (SPEC 5) made from the genes of its inputs,
 * what mc-make-genes does; reading one is genes.h's.
 *
 * Every input, an STD directory or an HCA / 10x HDF5, .h5ad or Loom file,
 * must list the same genes: the same rows, names and ensembl ids, in the same
 * order; else an error names the first difference (FILE:LINE of both, or
 * "FILE: gene N" for HDF5).  Or, asked to unite them, the set is the union of
 * their genes matched by canonical name (the key the importers match by, so
 * a sample's missing genes import as zeros); the first input holding a gene
 * gives its values, "" where it lacks a column.  The set is written from the
 * first input:
 * g.name.txt (canonical names, genes_canonical_names, sorted by bytes),
 * g.original_name.txt (the names as the input wrote them), g.FIELD.txt/.npy
 * for every other gene field (column.h), all in that order, and genes.yaml
 * (its uuid that of g.name.txt).  OUT is written atomically (outdir.h).
 *
 * Memory: the gene tables of all inputs at once. */
#ifndef MC_GENESET_H
#define MC_GENESET_H

#include <stddef.h>
#include "err.h"
#include "h5.h"
#include "table.h"

/* Check the N INPUTS agree (STDs read by FORMAT, NULL: each its own; HDF5
 * files by O), or UNITE them, and write their gene set of ORGANISM to OUT.
 * An existing OUT is refused before any reading unless FORCE; with FORCE
 * OUTDIR_KEEP_SAME, one of the same files is left untouched (outdir.h). */
int geneset_make(char **inputs, size_t n, const char *format, const h5_opts *o, const char *organism, int unite,
                 const char *out, int force, mc_err *e);

/* The gene set of the genes table GENES (its "name" column and any others) to OUT. */
int geneset_write(const std_table *genes, const char *organism, const char *out, int force, mc_err *e);

#endif
