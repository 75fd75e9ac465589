/* exporth5: what the .h5ad and the 10x v3 HDF5 exports share: the HDF5 file
 * written atomically in place of its output, and the matrix as a compressed
 * sparse group (data, indices, indptr) written profile after profile. */
#ifndef MC_EXPORTH5_H
#define MC_EXPORTH5_H

#include <stddef.h>
#include <stdint.h>
#include "export.h"
#include "h5write.h"
#include "outdir.h"

/* Begin the atomic output PATH and create the HDF5 file in its place.  The
 * temporary file is made first with open(2), so a failure names its reason. */
h5w *exporth5_begin(outfile *of, const char *path, int force, mc_err *e);
/* Close F and commit the output if rc is 0, else throw both away. */
int exporth5_end(outfile *of, h5w *f, int rc, mc_err *e);
/* BUF[i] = V as the type T. */
void exporth5_store(void *buf, h5w_type t, size_t i, int64_t v);
/* The largest count type T holds exactly. */
uint64_t exporth5_limit(h5w_type t);
/* The deflate level of HDF5 matrices: the format's default unless chosen. */
int exporth5_gzip(const export_opts *o, int format_default);
/* The matrix profile after profile: values into GROUP/data as DT, genes into
 * GROUP/indices as IT, and GROUP/indptr as IT (P + 1 offsets); SHOWN names
 * the output in errors. */
int exporth5_sparse(h5w *f, container *c, const char *group, h5w_type dt, h5w_type it, int gzip, const char *shown,
                    const export_opts *o, mc_err *e);

#endif
