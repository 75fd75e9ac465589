/* h5backend: the layouts behind h5.h, each a table of functions, as htslib's
 * hFILE backends.
 *
 * h5_open (h5.c, the front end) opens the file, refuses what h5guard_file
 * refuses, then asks each backend in h5_backends order whether the file is
 * its layout (probe) and hands it over (open); h5_count_entries,
 * h5_next, h5_next_profile, h5_fast and h5_close dispatch through
 * m->backend.  Backends: .h5ad (h5ad.c) and Loom (loom.c), both read by
 * h5x.c; 10x v3 and 10x v2 / HCA (h5tenx.c).  Every backend reads its
 * datasets with h5ds.h, every one opened through h5guard.h.
 *
 * Ownership: the front end owns everything h5_matrix's fields point to and
 * h5_close frees it; a backend never frees a field.  A backend hands every
 * allocation behind a field to the matrix as soon as it is made: a string
 * vector with h5_hold (its strings and its array, which a field may show
 * directly), a further array of pointers into held strings (a filtered
 * view, an annotation's values) with h5_hold_array.  The fields are then
 * views, any number of them may show the same array, and h5_close frees
 * each held thing once.  profile_fields / gene_fields and each field's name
 * are the matrix's too (grown by the backend, freed by h5_close).
 * m->state is the backend's alone: its close frees it and nothing else. */
#ifndef MC_H5BACKEND_H
#define MC_H5BACKEND_H

#include <hdf5.h>

#include "h5.h"
#include "strvec.h"

typedef struct h5_backend {
    const char *name;
    /* 1 when FILE is this layout.  The last backend claims any file, and its open says what is missing. */
    int (*probe)(hid_t file);
    /* Fill m's counts and fields and m->state from FILE (open, kept open by the front end).  On failure
     * m->state may be set: close frees it. */
    int (*open)(h5_matrix *m, hid_t file, const h5_opts *o, mc_err *e);
    int (*count_entries)(h5_matrix *m, uint64_t *n, mc_err *e);
    int (*next)(h5_matrix *m, h5_entry *x, mc_err *e);
    int (*next_profile)(h5_matrix *m, size_t *profile, mc_entries *es, mc_err *e);
    int (*fast)(const h5_matrix *m);     /* NULL: never */
    void (*close)(h5_matrix *m);         /* free m->state (NULL or half set up) */
} h5_backend;

extern const h5_backend h5ad_backend, loom_backend, h5tenx_v3, h5tenx_v2;

/* Entries of one profile a reader holds before summing its duplicates
 * (entries_fold): more than there are genes only with duplicates, so memory
 * stays bounded by the genes and the chunk budget, whatever a file repeats. */
#define H5_FOLD(genes) (2 * (size_t)(genes) + ((size_t)1 << 16))
/* The most entries one of the N rows of INDPTR (N + 1 offsets, ascending) holds. */
uint64_t h5_longest(const int64_t *indptr, size_t n);

/* The strings of S and its array become the matrix's (S is left empty); *VIEW
 * (when VIEW is set) shows them.  0, or -1 out of memory (S freed, *VIEW NULL). */
int h5_hold(h5_matrix *m, strvec *s, char ***view);
/* ARRAY (pointers into held strings; may be NULL) becomes the matrix's.  0, or -1 out of memory (ARRAY freed). */
int h5_hold_array(h5_matrix *m, void *array);

#endif
