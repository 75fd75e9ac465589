/* parallel: a range of work split over threads. */
#include "parallel.h"

#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <unistd.h>

#define MAX_PARTS 256

typedef struct part {
    parallel_fn fn;
    void *ctx;
    int index;
    size_t from, to;
    int rc;
    mc_err e;
} part;

static void *run(void *arg)
{
    part *p = arg;
    p->rc = p->fn(p->ctx, p->index, p->from, p->to, &p->e);
    return NULL;
}

int parallel_cores(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0) return CPU_COUNT(&set);
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

int parallel_for(int threads, size_t n, parallel_fn fn, void *ctx, mc_err *e)
{
    if (threads > MAX_PARTS) threads = MAX_PARTS;
    if (threads < 2 || n < 2) return fn(ctx, 0, 0, n, e);
    if ((size_t)threads > n) threads = (int)n;
    part *parts = calloc((size_t)threads, sizeof *parts);
    pthread_t *tid = calloc((size_t)threads, sizeof *tid);
    int *started = calloc((size_t)threads, sizeof *started);
    if (!parts || !tid || !started) {
        free(parts), free(tid), free(started);
        return fn(ctx, 0, 0, n, e);   /* no room for threads: do it all here */
    }
    for (int i = 0; i < threads; i++)
        parts[i] = (part){fn, ctx, i, n * (size_t)i / (size_t)threads, n * ((size_t)i + 1) / (size_t)threads, 0, {{0}}};
    for (int i = 1; i < threads; i++) started[i] = pthread_create(&tid[i], NULL, run, &parts[i]) == 0;
    /* A part whose thread could not start runs here, after part 0. */
    run(&parts[0]);
    for (int i = 1; i < threads; i++) {
        if (started[i]) pthread_join(tid[i], NULL);
        else run(&parts[i]);
    }
    int rc = 0;
    for (int i = 0; i < threads && rc == 0; i++)
        if (parts[i].rc < 0) {
            *e = parts[i].e;
            rc = -1;
        }
    free(parts);
    free(tid);
    free(started);
    return rc;
}
