/* h5chunks: a one-dimensional HDF5 dataset read block after block, its
 * compressed chunks inflated on worker threads.
 *
 * HDF5's own read path inflates with zlib on the calling thread.  Here the
 * calling thread only fetches each raw chunk (H5Dread_chunk: HDF5 is called
 * from that thread alone) and worker threads inflate it with libdeflate, undo
 * the shuffle filter and convert the values; blocks come back in file order.
 * The fast path takes chunked datasets whose filters are deflate and/or
 * shuffle and whose type is a little-endian integer or IEEE float of 1 to 8
 * bytes; any other dataset (contiguous, another filter, another type) is read
 * through H5Dread in slabs of H5CHUNKS_SLAB values, on the calling thread.
 *
 * Memory: at most 2 * threads + 2 chunks in flight per dataset (raw and
 * decoded), whatever the dataset's length.  The values are the same whatever
 * the thread count. */
#ifndef MC_H5CHUNKS_H
#define MC_H5CHUNKS_H

#include <stddef.h>
#include <stdint.h>

#include <hdf5.h>

#define H5CHUNKS_SLAB ((size_t)1 << 20)

/* What the values become in memory. */
typedef enum { H5V_INT64, H5V_UINT64, H5V_DOUBLE } h5v_type;

/* Worker threads, shared by the readers of one file.  A pool of 0 or 1
 * thread decodes on the calling thread.  NULL with errno set if it cannot start. */
typedef struct h5pool h5pool;
h5pool *h5chunks_pool_start(int threads);
void h5chunks_pool_stop(h5pool *p);          /* p may be NULL */

typedef struct h5chunks h5chunks;

/* Read the LEN values of dataset D (not owned) as TYPE.  NULL on failure
 * (out of memory), with WHY set. */
h5chunks *h5chunks_open(h5pool *p, hid_t d, uint64_t len, h5v_type type, char why[256]);
/* The next block: *values (8 bytes each, valid until the next call) and *n > 0.
 * 1, 0 at the end, -1 on error with WHY set ("chunk 3: corrupt compressed data"). */
int h5chunks_next(h5chunks *r, const void **values, size_t *n, char why[256]);
/* 1 when the fast path is used (for tests and benchmarks). */
int h5chunks_fast(const h5chunks *r);
void h5chunks_close(h5chunks *r);     /* r may be NULL; waits for its chunks in flight */

/* A sparse matrix's indices and data read side by side (10x files, .h5ad CSR): the current block of each
 * and the position in it; zeroed before the first load. */
typedef struct h5chunks_pair {
    h5chunks *ir, *vr;
    const int64_t *ib;          /* the current block of indices ... */
    const void *vb;             /* ... and of data, as its type asked */
    size_t ipos, ilen, vpos, vlen;
    const char *failed;         /* after a failed load: "indices" or "data" */
    int failed_hdf5;            /* ... which HDF5 read (not the fast path): HDF5's error says why */
} h5chunks_pair;
/* Refill whichever current block is used up, opening the readers of INDICES (as int64) and DATA (as
 * VTYPE), LEN values each, on POOL at the first call: 0, or -1 with p->failed and WHY ("ends early"
 * when a dataset holds fewer values). */
int h5chunks_pair_load(h5chunks_pair *p, h5pool *pool, hid_t indices, hid_t data, uint64_t len, h5v_type vtype,
                       char why[256]);
int h5chunks_pair_fast(const h5chunks_pair *p);   /* both readers open on the fast path */
void h5chunks_pair_close(h5chunks_pair *p);       /* zeroed again */

#endif
