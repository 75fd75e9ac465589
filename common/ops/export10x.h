/* export10x: a container as a 10x v3 HDF5 file (SPEC 8).
 *
 * matrix/{barcodes, data (int32), indices (int64), indptr (int64), shape
 * (int32 genes, profiles), features/{id, name, feature_type, genome,
 * _all_tag_keys}} with fixed-length strings, the matrix shuffled and deflated
 * (level 4), as Cell Ranger writes it; genome is the container's organism
 * unless chosen.  One pass over the matrix. */
#ifndef MC_EXPORT10X_H
#define MC_EXPORT10X_H

#include "export.h"

int export10x_write(container *c, const char *out, const export_opts *o, mc_err *e);

#endif
