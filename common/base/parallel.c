/* parallel: a range of work split over threads. */
#include "parallel.h"
#include "alloc.h"

#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_PARTS 256

struct parallel_part {
    parallel_fn fn;
    void *ctx;
    int index;
    size_t from, to;
    int rc;
    int started, done;
    pthread_t tid;
    mc_err e;
};

static void *run(void *arg)
{
    struct parallel_part *p = arg;
    p->rc = p->fn(p->ctx, p->index, p->from, p->to, &p->e);
    p->done = 1;
    return NULL;
}

int parallel_cores(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0) return CPU_COUNT(&set);
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

/* Parts [first, threads) on threads of their own; part 0 too when FIRST is 0. */
static int start(parallel_job *j, int threads, size_t n, parallel_fn fn, void *ctx, int first)
{
    memset(j, 0, sizeof *j);
    if (threads > MAX_PARTS) threads = MAX_PARTS;
    if (threads < 1) threads = 1;
    if ((size_t)threads > n) threads = n ? (int)n : 1;
    if (!(j->parts = mc_alloc_zeroed((size_t)threads, sizeof *j->parts))) return -1;
    j->count = threads;
    for (int i = 0; i < threads; i++)
        j->parts[i] = (struct parallel_part){.fn = fn, .ctx = ctx, .index = i,
                                             .from = n * (size_t)i / (size_t)threads,
                                             .to = n * ((size_t)i + 1) / (size_t)threads};
    for (int i = first; i < threads; i++)
        j->parts[i].started = pthread_create(&j->parts[i].tid, NULL, run, &j->parts[i]) == 0;
    return 0;
}

int parallel_start(parallel_job *j, int threads, size_t n, parallel_fn fn, void *ctx)
{
    return start(j, threads, n, fn, ctx, 0);
}

int parallel_wait(parallel_job *j, mc_err *e)
{
    int rc = 0;
    /* A part whose thread could not start runs here. */
    for (int i = 0; i < j->count; i++) {
        if (j->parts[i].started) pthread_join(j->parts[i].tid, NULL);
        else if (!j->parts[i].done) run(&j->parts[i]);
    }
    for (int i = 0; i < j->count && rc == 0; i++)
        if (j->parts[i].rc < 0) {
            *e = j->parts[i].e;
            rc = -1;
        }
    free(j->parts);
    memset(j, 0, sizeof *j);
    return rc;
}

int parallel_for(int threads, size_t n, parallel_fn fn, void *ctx, mc_err *e)
{
    parallel_job j;
    if (threads < 2 || n < 2 || start(&j, threads, n, fn, ctx, 1) < 0) return fn(ctx, 0, 0, n, e);
    run(&j.parts[0]);   /* part 0 on the calling thread */
    return parallel_wait(&j, e);
}
