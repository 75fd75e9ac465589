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
#include "err.h"

typedef enum { NPY_I4, NPY_I8, NPY_F4, NPY_F8 } npy_dtype;

typedef struct npy_array {
    npy_dtype dtype;
    int ndim;              /* 1 or 2 */
    size_t shape[2];       /* shape[1] is 1 when ndim == 1 */
    int fortran_order;
    size_t count;          /* number of elements */
    void *data;            /* malloc'd, count elements of dtype (NULL after header-only read) */
} npy_array;

size_t npy_dtype_size(npy_dtype t);
const char *npy_dtype_descr(npy_dtype t);       /* "<i4" ... */

/* Read a whole file (header validated, data size checked against the file size). */
int npy_read(const char *path, npy_array *a, mc_err *e);
/* Read and validate only the header (dtype, shape, file size); a->data stays NULL. */
int npy_read_header(const char *path, npy_array *a, mc_err *e);
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
