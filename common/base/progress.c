/* progress: reports throttled to about ten a second. */
#include "progress.h"

#include <stddef.h>
#include <time.h>

#define PROGRESS_INTERVAL_NS 100000000ull

static uint64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

void progress_report(progress *p, const char *what, uint64_t done, uint64_t total)
{
    if (!p || !p->fn) return;
    uint64_t now = now_ns();
    if (now < p->due_ns && done != total) return;
    p->due_ns = now + PROGRESS_INTERVAL_NS;
    p->reported = 1;
    p->fn(p->ctx, what, done, total);
}

void progress_end(progress *p)
{
    if (!p || !p->fn || !p->reported) return;
    p->reported = 0;
    p->due_ns = 0;
    p->fn(p->ctx, NULL, 0, 0);
}
