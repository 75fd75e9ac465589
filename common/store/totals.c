/* totals: exact UMI sums per profile and per gene, with a uuid-checked cache. */
#include "totals.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc.h"
#include "outdir.h"
#include "parallel.h"
#include "path.h"

/* What a profile weighs besides its bytes for container_forget_every: the
 * pages are let go at least every 4096 profiles (a view may pick profiles far apart). */
#define PROFILE_WEIGHT ((size_t)8 << 10)
#define EXACT_LIMIT 9007199254740992.0   /* 2^53: every integer up to it is exact in a double */

void totals_free(totals *t)
{
    free(t->p);
    free(t->g);
    memset(t, 0, sizeof *t);
}

/* --- cache -------------------------------------------------------------------- */

/* The stamp's text for container UUID: the uuid, then each array's file uuid,
 * so the stamp vouches for the arrays' bytes, not only for what they were
 * computed from.  0, or -1 when an array cannot be hashed. */
static int stamp_text(const char *dir, const char *uuid, char *out, size_t cap, mc_err *e)
{
    static const char *const arrays[] = {"p.total_umis.npy", "g.total_umis.npy"};
    char fu[2][MC_UUID_STRLEN];
    for (int i = 0; i < 2; i++) {
        char *path = path_join(dir, arrays[i]);
        mc_uuid u;
        int rc = path ? uuid_of_file(path, &u, e) : mc_err_oom(e, dir);
        free(path);
        if (rc < 0) return -1;
        uuid_format(&u, fu[i]);
    }
    snprintf(out, cap, "%s\n%s %s\n%s %s\n", uuid, arrays[0], fu[0], arrays[1], fu[1]);
    return 0;
}

int totals_stamp_check(const char *dir, const char *uuid, mc_err *e)
{
    char *path = path_join(dir, TOTALS_STAMP), have[4 * TOTALS_STAMP_LINE], want[4 * TOTALS_STAMP_LINE];
    if (!path) return mc_err_oom(e, dir);
    mc_err ignored;
    FILE *f = path_fopen_file(path, &ignored);   /* a FIFO or device there is no stamp, and not waited on */
    size_t n = f ? fread(have, 1, sizeof have - 1, f) : 0;
    if (f) fclose(f);
    have[n] = 0;
    int rc = 1;
    if (!f || (n == MC_UUID_STRLEN && have[n - 1] == '\n')) rc = 0;   /* none, or the uuid alone (mc before 11) */
    else if (strncmp(have, uuid, MC_UUID_STRLEN - 1) || have[MC_UUID_STRLEN - 1] != '\n')
        rc = mc_err_fail(e, "%s: computed for another container than %s", path, uuid);
    else if (stamp_text(dir, uuid, want, sizeof want, e) < 0) rc = -1;
    else if (strcmp(have, want)) rc = mc_err_fail(e, "%s: the totals cache was modified after it was written", path);
    free(path);
    return rc;
}

/* DIR/FILE as N exact totals, or NULL (absent, malformed or not integral). */
static uint64_t *load_array(const char *dir, const char *file, size_t n)
{
    char *path = path_join(dir, file);
    npy_array a = {0};
    mc_err ignored;
    uint64_t *v = NULL;
    if (path && npy_read(path, &a, &ignored) == 0 && a.dtype == NPY_F8 && a.ndim == 1 && a.count == n &&
        (v = mc_alloc_array(n, sizeof *v))) {
        const double *d = a.data;
        for (size_t i = 0; v && i < n; i++) {
            if (!(d[i] >= 0 && d[i] <= EXACT_LIMIT && d[i] == (double)(uint64_t)d[i])) {
                free(v);
                v = NULL;
            } else
                v[i] = (uint64_t)d[i];
        }
    }
    npy_free(&a);
    free(path);
    return v;
}

int totals_load(container *c, totals *t, mc_err *e)
{
    mc_err stale;
    (void)e;
    if (totals_stamp_check(c->path, c->meta.uuid, &stale) != 1) return 0;   /* recomputed, never served */
    uint64_t *p = load_array(c->path, "p.total_umis.npy", c->profiles_count);
    uint64_t *g = p ? load_array(c->path, "g.total_umis.npy", c->genes_count) : NULL;
    if (!g) {
        free(p);
        return 0;
    }
    t->p = p;
    t->g = g;
    return 1;
}

static int store_array(const char *dir, const char *file, const uint64_t *v, size_t n, mc_err *e)
{
    char *path = path_join(dir, file);
    double *d = mc_alloc_array(n, sizeof *d);
    outfile f = {0};
    int rc = -1;
    if (!path || !d) mc_err_oom(e, dir);
    else if (outdir_file_begin_regular(&f, path, 1, e) == 0) {
        for (size_t i = 0; i < n; i++) d[i] = (double)v[i];
        FILE *out = outdir_file_stream(&f, e);
        if (!out || npy_write_stream(out, path, NPY_F8, 1, &n, 0, d, e) < 0) outdir_file_abort(&f);
        else rc = outdir_file_commit(&f, e);
    }
    free(d);
    free(path);
    return rc;
}

static int store_stamp(const char *dir, const char *uuid, mc_err *e)
{
    char *path = path_join(dir, TOTALS_STAMP), text[4 * TOTALS_STAMP_LINE];
    outfile f = {0};
    int rc = -1;
    if (!path) mc_err_oom(e, dir);
    else if (stamp_text(dir, uuid, text, sizeof text, e) == 0 && outdir_file_begin_regular(&f, path, 1, e) == 0) {
        FILE *out = outdir_file_stream(&f, e);
        if (out) {
            int bad = fputs(text, out) < 0;
            bad |= ferror(out);
            bad |= fclose(out);
            rc = bad ? mc_err_errno(e, path, "cannot write") : 0;
        }
        if (rc == 0) rc = outdir_file_commit(&f, e);
        else outdir_file_abort(&f);
    }
    free(path);
    return rc;
}

static int check_exact(const container *c, const uint64_t *v, size_t n, const char *what, mc_err *e)
{
    for (size_t i = 0; i < n; i++)
        if ((double)v[i] > EXACT_LIMIT)
            return mc_err_fail(e, "%s: %s %zu totals %llu UMIs, beyond 2^53: cannot be stored exactly as <f8", c->path,
                           what, i, (unsigned long long)v[i]);
    return 0;
}

int totals_store(container *c, const totals *t, mc_err *e)
{
    if (check_exact(c, t->p, c->profiles_count, "profile", e) < 0 ||
        check_exact(c, t->g, c->genes_count, "gene", e) < 0)
        return -1;
    char *stamp = path_join(c->path, TOTALS_STAMP);
    if (!stamp) return mc_err_oom(e, c->path);
    int rc = unlink(stamp) < 0 && errno != ENOENT ? mc_err_errno(e, stamp, "cannot remove") : 0;
    free(stamp);
    if (rc == 0) rc = store_array(c->path, "p.total_umis.npy", t->p, c->profiles_count, e);
    if (rc == 0) rc = store_array(c->path, "g.total_umis.npy", t->g, c->genes_count, e);
    if (rc == 0) rc = store_stamp(c->path, c->meta.uuid, e);
    return rc;
}

/* --- computing ---------------------------------------------------------------- */

typedef struct summing {
    container *c;
    const int32_t *list;     /* the profiles of c to sum, NULL: every one */
    progress *pr;
    uint64_t *p;             /* per profile summed: its total */
    uint64_t **g;            /* per part: its gene totals (part 0: the result's) */
} summing;

/* Profiles [from, to) of the list, for part PART: their totals, and gene totals into the part's own array. */
static int sum_part(void *ctx, int part, size_t from, size_t to, mc_err *e)
{
    summing *s = ctx;
    container_cursor k;
    container_cursor_init(&k, s->c, PROFILE_WEIGHT);
    if (!s->list) container_cursor_reads(&k);   /* every profile, in storage order */
    int rc = 0;
    for (size_t i = from; rc == 0 && i < to; i++) {
        rc = container_cursor_add(&k, s->list ? (size_t)s->list[i] : i, s->g[part], &s->p[i], e);
        if (part == 0 && ((i - from) % 64 == 0 || i + 1 == to))
            progress_report(s->pr, "summing profiles", i + 1 - from, to - from);
    }
    container_cursor_free(&k);
    return rc;
}

/* Sum the N profiles of C in LIST (NULL: 0..N-1) on THREADS threads: each
 * one's total into P[i], the gene totals into G (genes_count, zeroed). */
static int sum_profiles(container *c, const int32_t *list, size_t n, progress *pr, int threads, uint64_t *p,
                        uint64_t *g, mc_err *e)
{
    size_t G = c->genes_count;
    if (threads < 1) threads = parallel_cores();
    if ((size_t)threads > n / 1024 + 1) threads = (int)(n / 1024 + 1);   /* not worth a thread */
    summing s = {c, list, pr, p, mc_alloc_zeroed((size_t)threads, sizeof *s.g)};
    int rc = s.g ? 0 : -1;
    if (s.g) s.g[0] = g;
    for (int i = 1; rc == 0 && i < threads; i++)
        if (!(s.g[i] = mc_alloc_zeroed(G, sizeof **s.g))) rc = -1;
    if (rc < 0) mc_err_oom(e, c->path);
    else rc = parallel_for(threads, n, sum_part, &s, e);
    progress_end(pr);
    for (int i = 1; s.g && i < threads; i++) {
        for (size_t k = 0; rc == 0 && k < G; k++) g[k] += s.g[i][k];
        free(s.g[i]);
    }
    free(s.g);
    return rc;
}

static int totals_alloc(const container *c, totals *t, mc_err *e)
{
    size_t P = c->profiles_count, G = c->genes_count;
    t->p = mc_alloc_zeroed(P, sizeof *t->p);
    t->g = mc_alloc_zeroed(G, sizeof *t->g);
    if (t->p && t->g) return 0;
    totals_free(t);
    return mc_err_oom(e, c->path);
}

int totals_from_base(container *c, const totals *bt, progress *pr, int threads, totals *t, mc_err *e)
{
    size_t P = c->profiles_count, B = c->base->profiles_count, G = c->genes_count;
    if (totals_alloc(c, t, e) < 0) return -1;
    for (size_t i = 0; i < P; i++) t->p[i] = bt->p[c->p_index ? (size_t)c->p_index[i] : i];
    int rc = 0;
    if (P == B) memcpy(t->g, bt->g, G * sizeof *t->g);   /* p_index sorted and unique: every profile */
    else if (2 * P <= B) {   /* the kept profiles are the fewer: sum them */
        uint64_t *scratch = mc_alloc_zeroed(P, sizeof *scratch);
        rc = scratch ? sum_profiles(c, NULL, P, pr, threads, scratch, t->g, e) : mc_err_oom(e, c->path);
        free(scratch);
    } else {   /* the base's totals less the profiles dropped */
        int32_t *dropped = mc_alloc_array(B - P, sizeof *dropped);
        uint64_t *scratch = mc_alloc_zeroed(B - P, sizeof *scratch), *less = mc_alloc_zeroed(G, sizeof *less);
        size_t n = 0;
        if (!dropped || !scratch || !less) rc = mc_err_oom(e, c->path);
        else {
            for (size_t b = 0, i = 0; b < B; b++)
                if (i < P && (size_t)c->p_index[i] == b) i++;
                else dropped[n++] = (int32_t)b;
            rc = sum_profiles(c->base, dropped, n, pr, threads, scratch, less, e);
        }
        for (size_t k = 0; rc == 0 && k < G; k++) {
            if (less[k] > bt->g[k]) {
                rc =
                    mc_err_fail(e, "%s: gene %zu: the base's totals are less than its profiles' sum", c->base->path, k);
                break;
            }
            t->g[k] = bt->g[k] - less[k];
        }
        free(dropped);
        free(scratch);
        free(less);
    }
    if (rc < 0) totals_free(t);
    return rc;
}

/* A view of its base's profiles and every gene has the base's profile
 * totals; when the base's cache is valid, only the profiles it drops (or
 * those it keeps, if fewer) are decoded, for the gene totals (the
 * pipelines' view: MIN_UMIS 0 drops none).  1 done, 0 not such a view. */
static int from_base(container *c, progress *pr, int threads, totals *t, mc_err *e)
{
    totals bt = {0};
    if (c->kind != KIND_VIEW || c->g_index || totals_load(c->base, &bt, e) != 1) return 0;
    int rc = totals_from_base(c, &bt, pr, threads, t, e);
    totals_free(&bt);
    return rc < 0 ? -1 : 1;
}

int totals_compute(container *c, progress *pr, int threads, totals *t, mc_err *e)
{
    memset(t, 0, sizeof *t);
    int rc = from_base(c, pr, threads, t, e);
    if (rc != 0) return rc < 0 ? -1 : 0;
    if (totals_alloc(c, t, e) < 0) return -1;
    rc = sum_profiles(c, NULL, c->profiles_count, pr, threads, t->p, t->g, e);
    if (rc < 0) totals_free(t);
    return rc;
}
