/* parallel: a range of work split over threads.
 *
 * parallel_for runs FN on THREADS contiguous parts of [0, N), the first on the
 * calling thread, the rest on threads started for the call and joined before
 * it returns; FN gets the part's number so it can use its own accumulator.
 * Starting threads costs tens of microseconds, so callers use it for work of
 * at least milliseconds.  The first failing part's error is returned. */
#ifndef MC_PARALLEL_H
#define MC_PARALLEL_H

#include <stddef.h>
#include "err.h"

typedef int (*parallel_fn)(void *ctx, int part, size_t from, size_t to, mc_err *e);

/* 0, or -1 with e set by the first part (in part order) that failed. */
int parallel_for(int threads, size_t n, parallel_fn fn, void *ctx, mc_err *e);

/* The same without waiting: every part on a thread of its own, while the
 * caller goes on (a part whose thread cannot start runs in parallel_wait).
 * -1 when out of memory (nothing started).  Wait exactly once. */
typedef struct parallel_job {
    int count;
    struct parallel_part *parts;
} parallel_job;
int parallel_start(parallel_job *j, int threads, size_t n, parallel_fn fn, void *ctx);
int parallel_wait(parallel_job *j, mc_err *e);
/* The cores this process may run on (the default --threads). */
int parallel_cores(void);

#endif
