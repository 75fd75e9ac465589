/* npy: NumPy .npy files, format version 1.0, little-endian.
 *
 * Written headers are byte-identical to numpy.save() (dict, spaces, '\n',
 * total header a multiple of 64 bytes), so a file's uuid does not depend on
 * whether mc or numpy wrote it.  1-D arrays for g/p data; 2-D dense gp
 * matrices are (genes, profiles) with fortran_order True. */
#ifndef MC_NPY_H
#define MC_NPY_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <stdio.h>
#include "err.h"

/* The dtypes mc stores (SPEC 2).  Reading also takes what numpy writes for
 * them on other machines or from other types: big-endian numbers are
 * byte-swapped into these, and '<U' / '>U' strings (NPY_U, ustr characters
 * of UTF-32 each) are read for the caller to turn into text. */
typedef enum { NPY_I4, NPY_I8, NPY_F4, NPY_F8, NPY_B1, NPY_U } npy_dtype;

typedef struct npy_array {
    npy_dtype dtype;
    int ndim;              /* 1 or 2 */
    size_t shape[2];       /* shape[1] is 1 when ndim == 1 */
    int fortran_order;
    size_t ustr;           /* NPY_U: characters per value */
    size_t count;          /* number of elements */
    void *data;            /* malloc'd, count elements of dtype (NULL after header-only read) */
} npy_array;

size_t npy_dtype_size(npy_dtype t);             /* NPY_U: 4, one character */
const char *npy_dtype_descr(npy_dtype t);       /* "<i4" ... ("<U" for NPY_U) */
/* Bytes of one value of A. */
size_t npy_item_size(const npy_array *a);

/* Read a whole file (header validated, data size checked against the file size). */
int npy_read(const char *path, npy_array *a, mc_err *e);
/* Read and validate only the header (dtype, shape, file size); a->data stays NULL. */
int npy_read_header(const char *path, npy_array *a, mc_err *e);
/* Read from an open stream F (stdin) shown as NAME: a regular file is checked
 * against its size, a pipe must end right after the data. */
int npy_read_stream(FILE *f, const char *name, npy_array *a, mc_err *e);
/* Value i of an NPY_U array as UTF-8 into a malloc'd string (trailing NULs
 * dropped); NULL with e set on a code point UTF-8 cannot hold. */
char *npy_ustr(const npy_array *a, size_t i, const char *name, mc_err *e);
/* Write LINES as a 1-D '<U' array (as numpy.save(path, numpy.array(lines))). */
int npy_write_text(const char *path, char *const *lines, size_t n, mc_err *e);
void npy_free(npy_array *a);

/* Write; shape has ndim entries. */
int npy_write(const char *path, npy_dtype t, int ndim, const size_t *shape,
              int fortran_order, const void *data, mc_err *e);
/* The same into F (closed here; SHOWN names it in errors). */
int npy_write_stream(FILE *f, const char *shown, npy_dtype t, int ndim, const size_t *shape, int fortran_order,
                     const void *data, mc_err *e);
int npy_write_i32(const char *path, const int32_t *v, size_t n, mc_err *e);
int npy_write_f64(const char *path, const double *v, size_t n, mc_err *e);

/* Element i converted to double / int64, whatever the dtype. */
double npy_get_f64(const npy_array *a, size_t i);
int64_t npy_get_i64(const npy_array *a, size_t i);

#endif
