/* totals: exact per-profile and per-gene UMI totals of a container (mc-sum).
 *
 * Computed in one pass over the profiles, in its own gene and profile space
 * (a view sums only its genes), accumulated as uint64 and cached in the
 * container's own directory as p.total_umis.npy and g.total_umis.npy (<f8,
 * exact up to 2^53).  The cache is trusted only when the sidecar
 * total_umis.uuid holds the container's current uuid and the file uuids of
 * both arrays (so a cache edited in place is recomputed): a uuid is a content
 * hash of the container and everything it is built on (SPEC 3), and opening
 * checks every recorded uuid along the chain, so data that changed (a batch
 * rewritten, a view's base replaced, a member re-collected) gives a
 * different uuid and the cache is recomputed.  The sidecar is removed before
 * the arrays are replaced and written after them, so it never vouches for
 * arrays of another computation. */
#ifndef MC_TOTALS_H
#define MC_TOTALS_H

#include <stddef.h>
#include <stdint.h>
#include "progress.h"
#include "container.h"

#define TOTALS_NAME "total_umis"   /* p.total_umis.npy, g.total_umis.npy */
#define TOTALS_STAMP "total_umis.uuid"
#define TOTALS_STAMP_LINE 64   /* no line of the stamp is longer */

/* Does DIR's stamp vouch for its cache: 1 yes, 0 no stamp, -1 (e set) a stamp
 * for another uuid than UUID or arrays whose bytes are not those it hashed. */
int totals_stamp_check(const char *dir, const char *uuid, mc_err *e);

typedef struct totals {
    uint64_t *p;     /* profiles_count */
    uint64_t *g;     /* genes_count */
} totals;

/* Load the cache: 1 when valid for C's uuid, 0 when absent or stale (t untouched). */
int totals_load(container *c, totals *t, mc_err *e);
/* Compute by decoding every profile once, on THREADS threads (0: every
 * core) each taking a contiguous range of profiles; memory O(profiles +
 * threads x genes).  The totals are exact integers whatever the thread
 * count.  PR (may be NULL) hears of the progress.  A view slicing no genes whose
 * base's cache is valid takes them from there (totals_from_base). */
int totals_compute(container *c, progress *pr, int threads, totals *t, mc_err *e);
/* The totals of C, a VIEW slicing no genes, from BT, its base's: the
 * profiles' by index; the genes' by decoding only the base profiles C drops
 * and subtracting them (or the profiles C keeps, when they are the fewer). */
int totals_from_base(container *c, const totals *bt, progress *pr, int threads, totals *t, mc_err *e);
/* Write the cache atomically (arrays, then the sidecar). */
int totals_store(container *c, const totals *t, mc_err *e);
void totals_free(totals *t);

#endif
