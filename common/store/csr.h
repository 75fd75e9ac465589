/* csr: a selection of a container's UMIs as a CSR matrix, rows the profiles
 * and columns the genes (scipy's csr_matrix, AnnData's X), decoded on every
 * core straight into arrays the caller allocated (libmc's mc_csr_*).
 *
 * Two passes, so that the caller allocates exactly the matrix and nothing
 * else holds it: csr_indptr decodes every selected profile to count its
 * non-zeros, csr_fill decodes them again into their rows.  Or one pass:
 * csr_bound bounds each row by its stored pairs without decoding, the caller
 * allocates that much (pages it never touches cost no memory), and
 * csr_fill_once decodes every profile once, each thread packing its rows
 * from its first row's bound, then moves the parts down into place and gives
 * back the pages past the last non-zero.  Each thread
 * decodes a contiguous range of rows with its own entries buffer (the
 * container is only read), so memory beyond the caller's arrays is a
 * profile's entries per thread and a column per gene.  csr_fill_once
 * decodes a run of profiles that follow each other in one matrix, every
 * gene selected, from one copy of their pairs (256 KiB a thread) straight
 * into the rows: each value written once, and the map's pages not touched
 * from user space, which on a virtual machine costs a fault of its monitor
 * per page (3x the decoding of the page). */
#ifndef MC_CSR_H
#define MC_CSR_H

#include <stddef.h>
#include <stdint.h>
#include "container.h"
#include "err.h"
#include "npy.h"

/* The profiles PROFILES[0..profiles_count) as rows in that order (repeats
 * allowed), NULL: every one; the genes GENES[0..genes_count) as columns in
 * that order (each at most once), NULL: every one. */
typedef struct csr_selection {
    const int64_t *profiles;
    size_t profiles_count;
    const int64_t *genes;
    size_t genes_count;
} csr_selection;

/* INDPTR (rows + 1 values): 0, then each row's end.  An index out of range
 * or a gene selected twice is an error naming C. */
int csr_indptr(container *c, const csr_selection *s, int threads, int64_t *indptr, mc_err *e);
/* Each row's columns (ascending) into INDICES and counts into DATA at
 * INDPTR's offsets.  INDEX (NPY_I4 or NPY_I8) is the type of INDPTR and
 * INDICES, VALUE (NPY_I4, NPY_I8, NPY_F4, NPY_F8) that of DATA; a count an
 * integer type cannot hold, or a row whose length is not INDPTR's, is an error. */
int csr_fill(container *c, const csr_selection *s, int threads, npy_dtype index, const void *indptr, void *indices,
             npy_dtype value, void *data, mc_err *e);
/* BOUND (rows + 1 values): 0, then each row's end were it as long as it may
 * be: its profile's pairs (SPEC 6: a non-zero takes at least one), at most
 * the columns selected.  Reads only the offsets indexes. */
int csr_bound(container *c, const csr_selection *s, int64_t *bound, mc_err *e);
/* Every row decoded once into INDICES and DATA (room for BOUND[rows] values
 * each), then packed: INDPTR (rows + 1 values of type INDEX) and *NNZ are
 * the matrix's, INDICES and DATA hold it in their first *NNZ values, and the
 * pages of the rest are given back (their contents unspecified). */
int csr_fill_once(container *c, const csr_selection *s, int threads, const int64_t *bound, npy_dtype index,
                  void *indptr, void *indices, npy_dtype value, void *data, int64_t *nnz, mc_err *e);

#endif
