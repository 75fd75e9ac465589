/* h5write: writing HDF5 files (AnnData .h5ad, 10x v3), one object at a time.
 *
 * Objects are named by absolute paths ("/obs/lane/codes"); groups are made
 * with their parents.  Strings are variable-length UTF-8 (as h5py writes str)
 * or fixed-length ASCII null-padded (as Cell Ranger writes |S).  Large
 * arrays are written through streams: 1-D chunked datasets with an unlimited
 * maximum size, extended one buffer at a time, so memory does not depend on
 * the array's length.
 *
 * HDF5's own error printing is off while a file is open; every failure is one
 * line "SHOWN: /OBJECT: what is wrong: HDF5's reason", SHOWN being the name
 * given at create (the final output path, not the temporary one written). */
#ifndef MC_H5WRITE_H
#define MC_H5WRITE_H

#include <stddef.h>
#include <stdint.h>
#include "err.h"

/* Elements per chunk of a stream, and per buffered write. */
#define H5W_CHUNK ((size_t)1 << 16)
#define H5W_BUFFER ((size_t)1 << 20)

/* Stored types: little-endian integers and IEEE floats; memory is native. */
typedef enum { H5W_I8, H5W_I16, H5W_I32, H5W_I64, H5W_F32, H5W_F64 } h5w_type;
size_t h5write_type_size(h5w_type t);

typedef struct h5w h5w;

/* Create (truncate) PATH; SHOWN names the file in messages. */
h5w *h5write_create(const char *path, const char *shown, mc_err *e);
/* Close, flushing everything; frees f.  On failure the file is unusable. */
int h5write_close(h5w *f, mc_err *e);
/* Close without reporting (on a failure path); f may be NULL. */
void h5write_abort(h5w *f);

/* A group (and any missing parents). */
int h5write_group(h5w *f, const char *path, mc_err *e);

/* Attributes of the object at OBJ ("/" for the root). */
int h5write_attr_str(h5w *f, const char *obj, const char *name, const char *value, mc_err *e);
/* A 1-D array of strings; n == 0 gives the empty float64 array h5py writes for []. */
int h5write_attr_strs(h5w *f, const char *obj, const char *name, char *const *v, size_t n, mc_err *e);
/* A 1-D int64 array, or a scalar when scalar is set (n must then be 1). */
int h5write_attr_i64(h5w *f, const char *obj, const char *name, const int64_t *v, size_t n, int scalar, mc_err *e);
/* A boolean as h5py stores numpy.bool_: an int8 enum {FALSE, TRUE}. */
int h5write_attr_bool(h5w *f, const char *obj, const char *name, int value, mc_err *e);

/* A whole 1-D dataset of n numbers of type t (native in memory). */
int h5write_array(h5w *f, const char *path, h5w_type t, const void *v, size_t n, mc_err *e);
/* N bools (0 / 1) as h5py writes numpy's bool: an enum FALSE / TRUE of one byte. */
int h5write_bools(h5w *f, const char *path, const unsigned char *v, size_t n, mc_err *e);
/* A whole 1-D dataset of n strings: variable-length UTF-8, or fixed-length
 * ASCII null-padded to the longest (fixed != 0). */
int h5write_strings(h5w *f, const char *path, char *const *v, size_t n, int fixed, mc_err *e);

/* A 1-D dataset filled by appending; chunks byte-shuffled and compressed
 * with deflate at GZIP (1-9; 0: stored as they are), as Cell Ranger does. */
typedef struct h5w_stream h5w_stream;
h5w_stream *h5write_stream_open(h5w *f, const char *path, h5w_type t, int gzip, mc_err *e);
/* Append n values of the stream's type (native). */
int h5write_stream_append(h5w_stream *s, const void *v, size_t n, mc_err *e);
/* Write what is buffered and close; frees s. */
int h5write_stream_close(h5w_stream *s, mc_err *e);
/* Close without writing the buffer; s may be NULL. */
void h5write_stream_abort(h5w_stream *s);

#endif
