/* exportnpy: one datum of a container as .npy (SPEC 8). */
#ifndef MC_EXPORTNPY_H
#define MC_EXPORTNPY_H

#include "export.h"

/* KIND.NAME of any kind as .npy to OUT ("-": stdout): numbers as the store
 * keeps them (gp in fortran order), text as a '<U' array. */
int exportnpy_write(container *c, const data_kind *k, const char *name, const char *out, const export_opts *o,
                    mc_err *e);

#endif
