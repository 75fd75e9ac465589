/* exporth5ad: a container as AnnData's .h5ad (SPEC 8).
 *
 * The layout anndata 0.8 writes, encoding 0.1.0 / 0.2.0: X a CSR matrix, rows
 * profiles (obs), columns genes (var); X/data float32 by default (what scanpy
 * reads from 10x files; exact up to 2^24) or as chosen; X/indices and
 * X/indptr int32, both int64 when the non-zeros exceed 2^31-1.  obs: index the
 * profile names, a column per visible p array (a collection's p.member too;
 * text: categorical when some value repeats, as anndata stores pandas strings,
 * categories sorted, by value when all are integers, "" missing; else a string
 * array; numbers as stored, bools as h5py's).  var: index the gene names,
 * gene_ids (ensembl) when the gene set has them, the gene set's other arrays
 * (genome, annotations), a column per visible g array.  base_index arrays are
 * left out. */
#ifndef MC_EXPORTH5AD_H
#define MC_EXPORTH5AD_H

#include "export.h"
#include "h5write.h"

/* The .h5ad X/data type named "float32", "float64", "int32" or "int64"; -1 if none. */
int exporth5ad_dtype(const char *name, h5w_type *t);

int exporth5ad_write(container *c, const char *out, const export_opts *o, mc_err *e);

/* KIND 'p': obs (profile names; every visible p array but base_index), 'g':
 * var (unique gene names; gene_ids, the gene set's annotations, the g
 * arrays), exactly as exporth5ad_write writes them. */
int exporth5ad_frame_load(container *c, char kind, const export_opts *o, export_frame *out, mc_err *e);

#endif
