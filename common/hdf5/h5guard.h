/* h5guard: what an HDF5 input may hold for mc to read it (SPEC 9).
 *
 * Every dataset the readers (h5.c, h5x.c, h5ad.c, loom.c) read is opened or
 * checked here, so one place decides:
 *   - the data is in the file itself: a dataset stored externally (HDF5's
 *     external storage, H5Pget_external_count > 0) or virtual (mapped from
 *     other files) is refused, as is a file holding an external link
 *     anywhere (h5guard_file): mc imports one file, and a file that reads
 *     another (/etc/passwd as obs/_index) would put it in the output;
 *   - a chunk is at most H5GUARD_CHUNK_MAX bytes as read (values at 8 bytes
 *     each, strings at their width), so no declared chunk size sets the
 *     memory HDF5 or h5chunks.c inflate it into;
 *   - a fixed-length string is at most H5GUARD_STRING_MAX bytes (a longer
 *     one could not be in an STD row anyway, SPEC 9);
 *   - with H5GUARD_INTEGER, the values are integers (indptr, indices,
 *     categorical codes: floats would be truncated silently);
 *   - with H5GUARD_STORED, every value is stored (no chunk left to the fill
 *     value): names have no meaningful fill value, and a file of a few
 *     kilobytes must not declare 10^8 cells whose names are then made up.
 * Each refusal is one line, "FILE: DATASET: what is wrong". */
#ifndef MC_H5GUARD_H
#define MC_H5GUARD_H

#include <hdf5.h>

#include "err.h"

#define H5GUARD_CHUNK_MAX ((size_t)16 << 20)
#define H5GUARD_STRING_MAX ((size_t)1 << 20)

#define H5GUARD_INTEGER 1u
#define H5GUARD_STORED 2u

/* Refuse FILE (open as F) when it holds an external link or a link of a
 * user-defined class anywhere. */
int h5guard_file(hid_t f, const char *file, mc_err *e);

/* Check dataset D, shown as SHOWN ("/X/indptr") in errors, as above with FLAGS. */
int h5guard_check(hid_t d, const char *file, const char *shown, unsigned flags, mc_err *e);

/* Open LOC/NAME as a dataset (with access list DAPL, or H5P_DEFAULT) and check
 * it: the dataset, or -1 with e set ("cannot open" when it is none). */
hid_t h5guard_open(hid_t loc, const char *name, hid_t dapl, const char *file, const char *shown, unsigned flags,
                   mc_err *e);

#endif
