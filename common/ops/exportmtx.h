/* exportmtx: a container as Matrix Market (SPEC 8).
 *
 * "%%MatrixMarket matrix coordinate integer general", rows genes, columns
 * profiles, 1-based, entries profile after profile (column-major, as 10x
 * writes them); two passes over the matrix (counting non-zeros first, for the
 * header).  Companion TSVs as 10x: barcodes (profile names, one a line) and
 * features (ENSEMBL<TAB>NAME<TAB>Gene Expression; the name stands for the id
 * when the gene set has no g.ensembl.txt). */
#ifndef MC_EXPORTMTX_H
#define MC_EXPORTMTX_H

#include "export.h"

/* Matrix Market to OUT ("-" or NULL: stdout); BARCODES and FEATURES (NULL: not written) the 10x TSVs. */
int exportmtx_write(container *c, const char *out, const char *barcodes, const char *features, const export_opts *o,
                    mc_err *e);

#endif
