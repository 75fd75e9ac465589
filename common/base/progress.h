/* progress: how far long work is, told to whoever watches (SPEC 8).
 *
 * A module takes a `progress *` and calls progress_report as often as is cheap
 * for it (every few thousand items); the watcher hears at most about ten
 * reports a second, and always the last one (done == total).  A zeroed
 * progress, or a NULL pointer, watches nothing: every call is a no-op.  Only
 * the thread that owns the work reports. */
#ifndef MC_PROGRESS_H
#define MC_PROGRESS_H

#include <stdint.h>

/* WHAT (e.g. "profiles") is DONE of TOTAL (0: unknown); WHAT is NULL once the
 * work is over, so a terminal line can end. */
typedef void progress_fn(void *ctx, const char *what, uint64_t done, uint64_t total);

typedef struct progress {
    progress_fn *fn;     /* NULL: nobody watches */
    void *ctx;
    uint64_t due_ns;     /* monotonic time before which reports are skipped */
    int reported;        /* something was reported since the last end */
} progress;

void progress_report(progress *p, const char *what, uint64_t done, uint64_t total);
/* The work is over: tells the watcher, if anything was reported. */
void progress_end(progress *p);

#endif
