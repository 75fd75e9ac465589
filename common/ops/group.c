/* group: reading group assignments and writing group sums. */
#include "group.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "view.h"
#include "guard.h"
#include "outdir.h"
#include "parallel.h"
#include "path.h"
#include "lines.h"
#include "profilelookup.h"
#include "strmap.h"
#include "uuid.h"

void group_labels_free(grouping *g)
{
    free(g->group);
    strvec_free(&g->labels);
    free(g->source);
    memset(g, 0, sizeof *g);
}

/* Count the groups; every one of 0..max must have a profile. */
static int check_groups(grouping *g, mc_err *e)
{
    int32_t max = -1;
    for (size_t i = 0; i < g->profiles_count; i++)
        if (g->group[i] > max) max = g->group[i];
    g->groups_count = (size_t)max + 1;
    uint8_t *seen = mc_alloc_zeroed(g->groups_count, 1);
    if (!seen) return mc_err_oom(e, g->source);
    for (size_t i = 0; i < g->profiles_count; i++)
        if (g->group[i] >= 0) seen[g->group[i]] = 1;
    size_t gap = 0;
    while (gap < g->groups_count && seen[gap]) gap++;
    free(seen);
    if (gap < g->groups_count)
        return mc_err_fail(e, "%s: group %zu has no profiles (groups must be numbered 0..%zu without gaps)", g->source,
                       gap, g->groups_count - 1);
    return 0;
}

static int grouping_init(grouping *g, const container *c, const char *source, mc_err *e)
{
    memset(g, 0, sizeof *g);
    g->profiles_count = c->profiles_count;
    g->source = strdup(source);
    g->group = mc_alloc_array(c->profiles_count, sizeof *g->group);
    if (!g->source || !g->group) {
        group_labels_free(g);
        return mc_err_oom(e, source);
    }
    for (size_t i = 0; i < c->profiles_count; i++) g->group[i] = -1;
    return 0;
}

int group_labels_load(container *c, grouping *g, mc_err *e)
{
    char *path = path_join(c->path, "p.group.npy");
    npy_array a = {0};
    int rc = -1;
    if (!path) return mc_err_oom(e, c->path);
    if (!path_exists(path)) mc_err_fail(e, "%s: not found; give the groups with --groups FILE", path);
    else if (npy_read(path, &a, e) < 0)
        ;
    else if (a.ndim != 1 || (a.dtype != NPY_I4 && a.dtype != NPY_I8))
        mc_err_fail(e, "%s: must be a 1-D integer array", path);
    else if (a.count != c->profiles_count)
        mc_err_fail(e, "%s: holds %zu values, expected %zu (one per profile)", path, a.count, c->profiles_count);
    else if (grouping_init(g, c, path, e) == 0) {
        rc = 0;
        for (size_t i = 0; rc == 0 && i < a.count; i++) {
            int64_t v = npy_get_i64(&a, i);
            if (v > INT32_MAX) rc = mc_err_fail(e, "%s: entry %zu: group %lld is too large", path, i, (long long)v);
            g->group[i] = v < 0 ? -1 : (int32_t)v;
        }
        if (rc == 0) rc = check_groups(g, e);
        if (rc < 0) group_labels_free(g);
    }
    npy_free(&a);
    free(path);
    return rc;
}

/* --- groups files ------------------------------------------------------------- */

typedef struct reader {
    container *c;
    grouping *g;
    int labelled;           /* decided by the first line */
    int ignore_unknown;     /* skip lines naming no profile */
    size_t header;          /* 1 when the first line is a header (pandas' "cluster") */
    size_t lines;
    /* labelled */
    profile_lookup names;
    size_t *listed_at;      /* per profile: the line listing it, 0 if none */
    strmap label_of;        /* label -> group, keys in g->labels */
} reader;

static int integer_line(reader *r, const char *shown, size_t line, const char *text, mc_err *e)
{
    long long v;
    if (!lines_is_integer(text, &v))
        return mc_err_fail(e, "%s:%zu: '%s' is not a group index (an integer; negative for an outlier)", shown, line,
                           text);
    if (v > INT32_MAX) return mc_err_fail(e, "%s:%zu: group %s is too large", shown, line, text);
    if (line - r->header > r->g->profiles_count)   /* stop here: the input may not end (yes 0 | mc-group) */
        return mc_err_fail(e, "%s:%zu: expected %zu lines (one group per profile of %s), found more", shown, line,
                       r->g->profiles_count, r->c->path);
    r->g->group[line - r->header - 1] = v < 0 ? -1 : (int32_t)v;
    return 0;
}

/* The group of LABEL, numbering new labels in order of appearance; -1 for an outlier. */
static long label_group(reader *r, const char *label)
{
    long long v;
    size_t k;
    if (!label[0] || (lines_is_integer(label, &v) && v < 0)) return -1;
    if (strmap_get(&r->label_of, label, &k)) return (long)k;
    strvec *l = &r->g->labels;
    if (l->count >= INT32_MAX || strvec_push(l, label) < 0 ||
        strmap_put(&r->label_of, l->v[l->count - 1], l->count - 1, NULL) < 0)
        return -2;
    return (long)(l->count - 1);
}

/* Whether a base on C's chain of views has a profile called NAME (labels of every
 * cell given for a view): read only on the way to an error. */
static int base_has_profile(container *c, const char *name, mc_err *e)
{
    for (container *b = c->base; b; b = b->base) {
        profile_lookup l;
        if (profilelookup_open(b, &l, e) < 0) return -1;
        long p = profilelookup_find(&l, name);
        profilelookup_close(&l);
        if (p != -1) return 1;
    }
    return 0;
}

static int labelled_line(reader *r, const char *shown, size_t line, char *text, mc_err *e)
{
    char *tab = strchr(text, '\t');
    if (!tab) return mc_err_fail(e, "%s:%zu: expected NAME<TAB>LABEL", shown, line);
    *tab = 0;
    char *label = tab + 1;
    label[strcspn(label, "\t")] = 0;
    long long v;
    long p;
    if (lines_is_integer(text, &v)) {
        if (v < 0 || (unsigned long long)v >= r->c->profiles_count)
            return mc_err_fail(e, "%s:%zu: index %s out of range (%s has %zu profiles)", shown, line, text, r->c->path,
                           r->c->profiles_count);
        p = (long)v;
    } else if ((p = profilelookup_find(&r->names, text)) == -1 && r->ignore_unknown)
        return 0;
    else if (p == -1) {
        int in_base = base_has_profile(r->c, text, e);
        if (in_base < 0) return -1;
        if (!in_base && line == 1) return 0;   /* a header: pandas' "\tcluster", "barcode\tcluster" */
        return mc_err_fail(e, "%s:%zu: no profile named '%s' in %s%s", shown, line, text, r->c->path,
                       in_base ? " (labels of other cells: --ignore-unknown)" : "");
    } else if (p == -2)
        return mc_err_fail(e, "%s:%zu: '%s' names several profiles of %s; give the full name or the index", shown, line,
                       text, r->c->path);
    if (r->listed_at[p])
        return mc_err_fail(e, "%s:%zu: profile '%s' is listed twice (first at line %zu)", shown, line, text,
                       r->listed_at[p]);
    r->listed_at[p] = line;
    long group = label_group(r, label);
    if (group == -2) return mc_err_oom(e, shown);
    r->g->group[p] = (int32_t)group;
    return 0;
}

static int open_labelled(reader *r, mc_err *e)
{
    if (profilelookup_open(r->c, &r->names, e) < 0) return -1;
    r->listed_at = mc_alloc_zeroed(r->c->profiles_count, sizeof *r->listed_at);
    if (!r->listed_at || strmap_init(&r->label_of, 64) < 0) return mc_err_oom(e, r->c->path);
    return 0;
}

static int read_line(void *ctx, const char *shown, size_t line, char *text, mc_err *e)
{
    reader *r = ctx;
    r->lines = line;
    if (line == 1) {
        r->labelled = strchr(text, '\t') != NULL;
        if (r->labelled && open_labelled(r, e) < 0) return -1;
        long long v;
        if (!r->labelled && !lines_is_integer(text, &v)) {
            r->header = 1;   /* a column name, as pandas' Series.to_csv(index=False) writes */
            return 0;
        }
    }
    return r->labelled ? labelled_line(r, shown, line, text, e) : integer_line(r, shown, line, text, e);
}

int group_labels_read(container *c, const char *path, int ignore_unknown, grouping *g, mc_err *e)
{
    const char *shown = lines_shown(path);
    if (grouping_init(g, c, shown, e) < 0) return -1;
    reader r = {.c = c, .g = g, .ignore_unknown = ignore_unknown};
    int rc = lines_records_each(path, read_line, &r, e);
    size_t P = c->profiles_count;
    size_t n = r.lines - r.header;
    if (rc == 0 && !r.labelled && n != P)
        rc = mc_err_fail(e, "%s:%zu: expected %zu lines (one group per profile of %s), found %zu", shown,
                     (n < P ? n : P) + 1 + r.header, P, c->path, n);
    if (rc == 0) rc = check_groups(g, e);
    profilelookup_close(&r.names);
    free(r.listed_at);
    strmap_free(&r.label_of);
    if (rc < 0) group_labels_free(g);
    return rc;
}

/* --- writing ------------------------------------------------------------------ */

/* The profiles of each group, as one array ordered by group: O(profiles). */
typedef struct members {
    size_t *start;          /* groups_count + 1 */
    int32_t *profile;
} members;

static int members_build(const grouping *g, members *m)
{
    size_t G = g->groups_count;
    m->start = mc_alloc_zeroed(G + 2, sizeof *m->start);
    m->profile = mc_alloc_array(g->profiles_count, sizeof *m->profile);
    if (!m->start || !m->profile) return -1;
    for (size_t i = 0; i < g->profiles_count; i++)
        if (g->group[i] >= 0) m->start[g->group[i] + 2]++;
    for (size_t k = 2; k < G + 2; k++) m->start[k] += m->start[k - 1];
    for (size_t i = 0; i < g->profiles_count; i++)   /* start[k + 1] is the fill point of group k */
        if (g->group[i] >= 0) m->profile[m->start[g->group[i] + 1]++] = (int32_t)i;
    return 0;
}

/* What a profile weighs besides its bytes for container_forget_every: the
 * pages are let go at least every 512 profiles (each may map 64 KB around it). */
#define PROFILE_WEIGHT ((size_t)64 << 10)

/* One group's profiles split over threads, each into its own row. */
typedef struct group_sum {
    container *c;
    const int32_t *profiles;
    uint64_t **rows;
    container_cursor *cursors;   /* per part, kept from group to group */
} group_sum;

static int sum_part(void *ctx, int part, size_t from, size_t to, mc_err *e)
{
    group_sum *s = ctx;
    int rc = 0;
    for (size_t i = from; rc == 0 && i < to; i++)
        rc = container_cursor_add(&s->cursors[part], (size_t)s->profiles[i], s->rows[part], NULL, e);
    return rc;
}

/* Below this many profiles a group is summed on one thread: starting threads would cost more. */
#define PARALLEL_GROUP 2048

static int sum_group(group_sum *s, int threads, size_t n, size_t genes, mc_err *e)
{
    if (n < PARALLEL_GROUP) threads = 1;
    for (int t = 0; t < threads; t++) memset(s->rows[t], 0, genes * sizeof **s->rows);
    if (parallel_for(threads, n, sum_part, s, e) < 0) return -1;
    for (int t = 1; t < threads; t++)
        for (size_t g = 0; g < genes; g++) s->rows[0][g] += s->rows[t][g];
    return 0;
}

/* Few groups: one pass over the profiles in container order, each thread adding
 * them into a row per group of its own.  Every page of the matrices is then
 * mapped once, where summing group by group maps a page once per group that
 * has a profile on it (most of mc-group's time at 20,000 cells in 8 groups).
 * Used while a thread's rows take at most DENSE_ROWS bytes: beyond, rows
 * leave the cache and adding a profile misses it at nearly every non-zero
 * (one pass took 1.3 s at 200 groups of 100,000 cells, 4x the time at 8), and
 * groups are summed by blocks (below). */
#define DENSE_ROWS ((size_t)4 << 20)
#define PASS_FORGET_WEIGHT ((size_t)8 << 10)   /* in order, profiles share their pages */

typedef struct pass_sum {
    container *c;
    progress *pr;
    const int32_t *group;    /* per profile, -1 for an outlier */
    uint64_t **rows;         /* per part: groups x genes */
    size_t genes;
} pass_sum;

/* Pairs copied at once for a run of profiles (as csr.c's, MMM_RUN_BYTES): decoding them from the map
 * first-touches its pages from user space, a fault each that costs this VM's monitor ~3x the decoding of
 * their bytes; the copy is made by the kernel (mmm_pairs_read). */

/* R's profiles (profiles FIRST.. of the container) added into their groups' rows from one copy of their pairs in
 * BUF (MMM_RUN_BYTES; a single longer profile from the map). */
static int pass_run_sum(const pass_sum *s, int part, mmm_run *r, uint8_t *buf, mc_err *e)
{
    size_t n;
    const uint8_t *b = mmm_run_pairs(r, buf, &n);
    for (size_t t = 0; t < r->count; t++) {
        uint32_t q = r->q + (uint32_t)t;
        size_t bytes = mmm_profile_bytes(r->m, q);
        int32_t g = s->group[r->first + t];
        if (g >= 0 && mmm_add_pairs(r->m, q, b, bytes, r->gmap, s->rows[part] + (size_t)g * s->genes, e) < 0)
            return -1;
        b += bytes;
    }
    r->count = r->bytes = 0;
    return 0;
}

/* Profile P into the part's rows: added to the run R (summed when it ends), or through entries.  An outlier
 * joins the run, copied but not summed: cheaper than a run broken in two. */
static int pass_profile(const pass_sum *s, int part, size_t p, container_cursor *k, mmm_run *r, uint8_t *buf,
                        mc_err *e)
{
    const mmm_file *m;
    const int32_t *gmap;
    uint32_t q;
    int where = container_cursor_locate(k, p, &m, &q, &gmap, e);
    if (where < 0) return -1;
    if (where != 0) {
        if (r->count && pass_run_sum(s, part, r, buf, e) < 0) return -1;
        if (s->group[p] < 0) return 0;
        return container_cursor_add(k, p, s->rows[part] + (size_t)s->group[p] * s->genes, NULL, e);
    }
    size_t bytes = mmm_profile_bytes(m, q);
    if (mmm_run_add(r, m, gmap, q, p, bytes)) return 0;
    if (pass_run_sum(s, part, r, buf, e) < 0) return -1;
    mmm_run_add(r, m, gmap, q, p, bytes);   /* the first of a new run */
    return 0;
}

static int pass_part(void *ctx, int part, size_t from, size_t to, mc_err *e)
{
    pass_sum *s = ctx;
    container_cursor k;
    container_cursor_init(&k, s->c, PASS_FORGET_WEIGHT);
    mmm_run r = {0};
    uint8_t *buf = mc_alloc_array(MMM_RUN_BYTES, 1);
    int rc = buf ? 0 : mc_err_oom(e, s->c->path);
    for (size_t p = from; rc == 0 && p < to; p++) {
        if (part == 0 && ((p - from) % 64 == 0 || p + 1 == to))
            progress_report(s->pr, "summing profiles", p + 1 - from, to - from);
        rc = pass_profile(s, part, p, &k, &r, buf, e);
    }
    if (rc == 0 && r.count) rc = pass_run_sum(s, part, &r, buf, e);
    free(buf);
    container_cursor_free(&k);
    return rc;
}

/* The groups' sums in one pass, into W: 1 done, 0 too many groups for it (a
 * thread's rows beyond DENSE_ROWS or BUDGET bytes), -1 error. */
static int sum_groups_in_one_pass(container *c, const grouping *g, int threads, size_t budget, progress *pr,
                                  mmm_writer *w, mc_err *e)
{
    size_t genes = c->genes_count, row = (g->groups_count ? g->groups_count : 1) * (genes ? genes : 1);
    if (row > (budget < DENSE_ROWS ? budget : DENSE_ROWS) / sizeof(uint64_t)) return 0;
    if ((size_t)threads > g->profiles_count / 1024 + 1) threads = (int)(g->profiles_count / 1024 + 1);
    pass_sum s = {c, pr, g->group, mc_alloc_zeroed((size_t)threads, sizeof *s.rows), genes};
    /* The threads' rows in one allocation from a huge page's boundary: fresh, they are mostly huge pages. */
    uint64_t *mem = mc_alloc_zeroed((size_t)threads * row + MC_HUGE_PAGE / sizeof *mem, sizeof *mem);
    int rc = s.rows && mem ? 0 : -1;
    if (rc == 0) {
        uint64_t *at = (uint64_t *)(((uintptr_t)mem + MC_HUGE_PAGE - 1) & ~(uintptr_t)(MC_HUGE_PAGE - 1));
        mc_alloc_advise_huge(at, (size_t)threads * row * sizeof *mem);
        for (int t = 0; t < threads; t++) s.rows[t] = at + (size_t)t * row;
    }
    if (rc < 0) mc_err_oom(e, c->path);
    else rc = parallel_for(threads, g->profiles_count, pass_part, &s, e);
    progress_end(pr);
    for (int t = 1; rc == 0 && t < threads; t++)
        for (size_t i = 0; i < row; i++) s.rows[0][i] += s.rows[t][i];
    for (size_t k = 0; rc == 0 && k < g->groups_count; k++) rc = mmm_writer_add_dense(w, s.rows[0] + k * genes, e);
    free(mem);
    free(s.rows);
    return rc < 0 ? -1 : 1;
}

/* Groups [FROM, TO) one at a time straight from the matrices, into W: the
 * profiles of a large group split over the threads, pages let go as they go. */
static int sum_groups_direct(container *c, const members *m, size_t from, size_t to, int threads, progress *pr,
                             mmm_writer *w, mc_err *e)
{
    size_t G = c->genes_count ? c->genes_count : 1;
    group_sum s = {c, m->profile, mc_alloc_zeroed((size_t)threads, sizeof *s.rows),
                   mc_alloc_zeroed((size_t)threads, sizeof *s.cursors)};
    int rc = s.rows && s.cursors ? 0 : -1;
    for (int t = 0; rc == 0 && t < threads; t++) {
        container_cursor_init(&s.cursors[t], c, PROFILE_WEIGHT);
        if (!(s.rows[t] = mc_alloc_array(G, sizeof **s.rows))) rc = -1;
    }
    if (rc < 0) mc_err_oom(e, c->path);
    for (size_t k = from; rc == 0 && k < to; k++) {
        s.profiles = m->profile + m->start[k];
        rc = sum_group(&s, threads, m->start[k + 1] - m->start[k], c->genes_count, e);
        if (rc == 0) rc = mmm_writer_add_dense(w, s.rows[0], e);
        progress_report(pr, "summing groups", k + 1, to);
    }
    for (int t = 0; s.rows && t < threads; t++) free(s.rows[t]);
    for (int t = 0; s.cursors && t < threads; t++) container_cursor_free(&s.cursors[t]);
    free(s.rows);
    free(s.cursors);
    return rc;
}

/* Many groups.  One pass into a row per group misses the cache on nearly
 * every non-zero once the rows outgrow it (1,000 groups x 33,000 genes: 264 MB
 * a thread), and summing group by group while letting the pages go every
 * 32 MB maps a page again for nearly every profile (a group's profiles lie
 * far apart): that was 5 s at 1,000 groups of 100,000 cells, against 0.5 s
 * at 8.  So groups are summed one after the other into a row of their thread
 * that stays in cache, with the matrices' pages kept mapped: each page is
 * mapped once.  What stays mapped is bounded: consecutive groups form blocks
 * whose profiles' pairs take at most the budget (BLOCK_BUDGET, or
 * MC_GROUP_BUDGET bytes), and the pages are let go after each block; a group
 * alone larger than the budget is summed with sum_groups_direct.  Threads take
 * the groups of a chunk (CHUNK_BYTES of pairs), whose members' pairs are first
 * copied by the kernel into one buffer in group order (blocks_gather): read
 * from the map, each page first touched costs this VM's monitor a fault.  Their
 * encoded sums are written in order; a row is read back through a bit per gene
 * touched, so that a small group costs its non-zeros, not the genes. */
#define BLOCK_BUDGET ((size_t)1 << 30)
#define CHUNK_BYTES ((size_t)8 << 20)

typedef struct source {   /* where a member's pairs are */
    const mmm_file *m;
    const int32_t *gmap;
    uint32_t q;
} source;

/* A chunk's encoded sums, per part, and where each group's end: summed into
 * by the parts, then written by a thread of its own while the next chunk is
 * summed into the other batch. */
typedef struct batch {
    mmm_writer *w;
    int parts;
    mmm_bytes *out;              /* per part */
    size_t *ends;                /* per group of the chunk: end of its sums in its part's out */
    size_t part_from[256], part_to[256];
} batch;

typedef struct blocks {
    container *c;
    const members *mb;
    const int32_t *group;    /* per profile, -1 for an outlier */
    size_t profiles_count;
    int32_t *member_of;      /* per profile in a group: its member */
    int32_t *unit_of;        /* per group of the block: its chunk among the block's, -1 when larger than one */
    size_t *unit_start;      /* per chunk of the block + 2: where its members start in order */
    int32_t *order;          /* the block's chunks' members, chunk after chunk, each's in profile order */
    source *src;             /* per member */
    uint8_t *pairs;          /* a chunk's (or piece of a large group's) pairs, copied in member order */
    size_t pairs_cap, pairs_base;   /* pairs_base: the offset of the first member copied */
    size_t piece;            /* a large group's piece being summed: its first member */
    size_t *off;             /* per member + 1: its pairs' offset among all members' */
    size_t groups_count, chunk;   /* chunk: CHUNK_BYTES, less under a budget below 8 chunks */
    uint32_t genes;
    uint64_t **rows, **bits;     /* per part: a row and its bits */
    batch batches[2], *fill;     /* fill: the batch the parts sum into */
    size_t first_group;          /* of the chunk being summed */
    parallel_job writer;         /* writing the other batch, while writing */
    int writing;
} blocks;

/* Group G's pairs, bytes. */
static size_t group_bytes(const blocks *s, size_t g)
{
    return s->off[s->mb->start[g + 1]] - s->off[s->mb->start[g]];
}

/* Every member's source and offset: 1; 0 when two gene slices are stacked (sum group by group then); -1 error. */
static int blocks_index(blocks *s, size_t members_count, mc_err *e)
{
    s->off[0] = 0;
    for (size_t i = 0; i < members_count; i++) {
        source *f = &s->src[i];
        int where = container_locate(s->c, (size_t)s->mb->profile[i], &f->m, &f->q, &f->gmap, e);
        if (where != 0) return where < 0 ? -1 : 0;
        s->off[i + 1] = s->off[i] + mmm_profile_bytes(f->m, f->q);
        s->member_of[s->mb->profile[i]] = (int32_t)i;
    }
    return 1;
}

/* Member I's pairs, in the block's copy. */
static const uint8_t *member_pairs(const blocks *s, size_t i, size_t *n)
{
    *n = s->off[i + 1] - s->off[i];
    return s->pairs + (s->off[i] - s->pairs_base);
}

/* The pairs of COUNT members (LIST[t], or FIRST + t when LIST is NULL; in profile order, storage order
 * mostly), BYTES in all, copied into s->pairs in member order from s->pairs_base, so that each group's are
 * read from one stretch of memory that stays in cache: by the kernel, MMM_GATHER_MAX profiles a call
 * (mmm_pairs_gather), never first-touching the map's pages from user space (a fault each, which costs
 * this VM's monitor ~3x the decoding of their bytes).  The copy maps them for the block, as decoding did. */
static int blocks_gather(blocks *s, const int32_t *list, size_t first, size_t count, size_t bytes, mc_err *e)
{
    if (bytes > s->pairs_cap || !s->pairs) {   /* never NULL: member_pairs adds to it */
        size_t cap = bytes > s->chunk ? bytes : s->chunk;   /* a chunk's at once: fresh memory costs */
        free(s->pairs);
        s->pairs_cap = 0;
        if (!(s->pairs = mc_alloc_array(cap ? cap : 1, 1))) return mc_err_oom(e, s->c->path);
        s->pairs_cap = cap;
        mc_alloc_advise_huge(s->pairs, cap);
    }
    uint8_t *dst[MMM_GATHER_MAX];
    const uint8_t *src[MMM_GATHER_MAX];
    size_t len[MMM_GATHER_MAX], k = 0;
    for (size_t t = 0; t < count; t++) {
        size_t i = list ? (size_t)list[t] : first + t;
        src[k] = mmm_profile_pairs(s->src[i].m, s->src[i].q, &len[k]);
        dst[k] = s->pairs + (s->off[i] - s->pairs_base);
        if (++k == MMM_GATHER_MAX) {
            mmm_pairs_gather(dst, src, len, k);
            k = 0;
        }
    }
    mmm_pairs_gather(dst, src, len, k);
    return 0;
}

/* The chunks of the block [FROM, TO) (groups of at most s->chunk bytes of pairs, each group larger than one
 * alone) and their members, chunk after chunk in s->order, each chunk's in profile order: one pass over the
 * profiles.  A large group's members are in profile order already, as its own. */
static void blocks_plan(blocks *s, size_t from, size_t to)
{
    size_t units = 0, *at = s->unit_start;
    for (size_t k = from, end = from + 1; k < to; k = end++, units++) {
        size_t bytes = group_bytes(s, k);
        if (bytes > s->chunk) s->unit_of[k] = -1;
        else {
            while (end < to && (bytes += group_bytes(s, end)) <= s->chunk) end++;
            for (size_t g = k; g < end; g++) s->unit_of[g] = (int32_t)units;
        }
    }
    memset(at, 0, (units + 2) * sizeof *at);
    for (size_t p = 0; p < s->profiles_count; p++) {   /* at[u + 2]: chunk u's members */
        int32_t g = s->group[p];
        if (g >= 0 && (size_t)g >= from && (size_t)g < to && s->unit_of[g] >= 0) at[s->unit_of[g] + 2]++;
    }
    for (size_t u = 2; u < units + 2; u++) at[u] += at[u - 1];
    for (size_t p = 0; p < s->profiles_count; p++) {   /* at[u + 1]: chunk u's fill point */
        int32_t g = s->group[p];
        if (g >= 0 && (size_t)g >= from && (size_t)g < to && s->unit_of[g] >= 0)
            s->order[at[s->unit_of[g] + 1]++] = s->member_of[p];
    }
}

/* Sum group K into the part's row and append its encoding to the part's out. */
static int blocks_sum_group(blocks *s, int part, size_t k, mc_err *e)
{
    uint64_t *row = s->rows[part], *bits = s->bits[part];
    for (size_t i = s->mb->start[k]; i < s->mb->start[k + 1]; i++) {
        const source *f = &s->src[i];
        size_t n;
        const uint8_t *b = member_pairs(s, i, &n);
        if (mmm_sum_pairs(f->m, f->q, b, n, f->gmap, row, bits, e) < 0) return -1;
    }
    if (mmm_encode_row(row, bits, s->genes, &s->fill->out[part]) < 0) return mc_err_oom(e, s->c->path);
    s->fill->ends[k - s->first_group] = s->fill->out[part].n;
    return 0;
}

static int blocks_sum_part(void *ctx, int part, size_t from, size_t to, mc_err *e)
{
    blocks *s = ctx;
    s->fill->out[part].n = 0;
    s->fill->part_from[part] = from;
    s->fill->part_to[part] = to;
    for (size_t k = from; k < to; k++)
        if (blocks_sum_group(s, part, s->first_group + k, e) < 0) return -1;
    return 0;
}

/* A batch's sums, part after part, into its writer (hashing them on the way). */
static int batch_write(void *ctx, int part, size_t from, size_t to, mc_err *e)
{
    (void)part, (void)from, (void)to;
    batch *b = ctx;
    for (int t = 0; t < b->parts; t++)
        if (mmm_writer_add_run(b->w, b->out[t].b, b->ends + b->part_from[t], b->part_to[t] - b->part_from[t], e) < 0)
            return -1;
    return 0;
}

/* Wait for the writing of a batch, if any: its error, else 0. */
static int blocks_written(blocks *s, mc_err *e)
{
    if (!s->writing) return 0;
    s->writing = 0;
    return parallel_wait(&s->writer, e);
}

/* Groups [FROM, TO) summed over the threads into the batch to fill, then
 * written in order on a thread of its own while the caller goes on to the
 * next chunk: encoding, writing and hashing 20,000 groups' sums (as much as
 * their input) then overlap the summing instead of following it. */
static int blocks_sum_chunk(blocks *s, size_t from, size_t to, int threads, mc_err *e)
{
    size_t n = to - from;
    if (s->off[s->mb->start[to]] - s->off[s->mb->start[from]] < CHUNK_BYTES / 16 && s->chunk == CHUNK_BYTES)
        threads = 1;   /* too little to start threads for (but under a small budget, as tests want, do) */
    if ((size_t)threads > n) threads = (int)n;
    s->first_group = from;
    batch *b = s->fill;
    b->parts = threads;
    for (int t = 0; t < threads; t++)   /* empty unless run: short of memory, parallel_for runs one part */
        b->part_from[t] = b->part_to[t] = 0;
    mc_err ignored;
    int rc = parallel_for(threads, n, blocks_sum_part, s, e);
    if (blocks_written(s, rc < 0 ? &ignored : e) < 0 || rc < 0) return -1;
    s->fill = b == &s->batches[0] ? &s->batches[1] : &s->batches[0];
    if (parallel_start(&s->writer, 1, 1, batch_write, b) < 0) return batch_write(b, 0, 0, 1, e);
    s->writing = 1;
    return 0;
}

/* A piece of a large group's profiles split over the threads, each into its own row. */
static int blocks_large_part(void *ctx, int part, size_t from, size_t to, mc_err *e)
{
    blocks *s = ctx;
    for (size_t i = s->piece + from; i < s->piece + to; i++) {
        const source *f = &s->src[i];
        size_t n;
        const uint8_t *b = member_pairs(s, i, &n);
        if (mmm_sum_pairs(f->m, f->q, b, n, f->gmap, s->rows[part], s->bits[part], e) < 0) return -1;
    }
    return 0;
}

static int blocks_sum_large(blocks *s, size_t k, int threads, mc_err *e)
{
    if (blocks_written(s, e) < 0) return -1;   /* its sums come after theirs */
    for (size_t a = s->mb->start[k], b; a < s->mb->start[k + 1]; a = b) {   /* by pieces of a chunk's bytes */
        for (b = a + 1; b < s->mb->start[k + 1] && s->off[b + 1] - s->off[a] <= s->chunk; b++)
            ;
        s->pairs_base = s->off[a];
        s->piece = a;
        if (blocks_gather(s, NULL, a, b - a, s->off[b] - s->off[a], e) < 0 ||
            parallel_for(threads < (int)(b - a) ? threads : (int)(b - a), b - a, blocks_large_part, s, e) < 0)
            return -1;
    }
    uint64_t *row = s->rows[0], *bits = s->bits[0];
    for (int t = 1; t < threads; t++)
        for (size_t v = 0; v <= s->genes / 64; v++) {
            for (uint64_t m = s->bits[t][v]; m; m &= m - 1) {
                size_t gene = v * 64 + (size_t)__builtin_ctzll(m);
                row[gene] += s->rows[t][gene];
                s->rows[t][gene] = 0;
            }
            bits[v] |= s->bits[t][v];
            s->bits[t][v] = 0;
        }
    mmm_bytes *out = &s->fill->out[0];
    out->n = 0;
    if (mmm_encode_row(row, bits, s->genes, out) < 0) return mc_err_oom(e, s->c->path);
    return mmm_writer_add_bytes(s->fill->w, out->b, out->n, e);
}

/* Groups [FROM, TO), a block, into W by chunks; then the block's pages are let go. */
static int blocks_sum(blocks *s, size_t from, size_t to, int threads, progress *pr, mc_err *e)
{
    blocks_plan(s, from, to);
    size_t u = 0;
    for (size_t k = from, end = from + 1; k < to; k = end++, u++) {
        if (s->unit_of[k] < 0) {
            if (blocks_sum_large(s, k, threads, e) < 0) return -1;
        } else {
            while (end < to && s->unit_of[end] == (int32_t)u) end++;
            s->pairs_base = s->off[s->mb->start[k]];   /* the batch being written holds sums, not pairs */
            if (blocks_gather(s, s->order + s->unit_start[u], 0, s->unit_start[u + 1] - s->unit_start[u],
                              s->off[s->mb->start[end]] - s->pairs_base, e) < 0 ||
                blocks_sum_chunk(s, k, end, threads, e) < 0)
                return -1;
        }
        progress_report(pr, "summing groups", end, s->groups_count);
    }
    container_forget(s->c);   /* the pages the copies mapped */
    return 0;
}

static void blocks_free(blocks *s, int threads)
{
    mc_err ignored;
    blocks_written(s, &ignored);
    for (int t = 0; t < threads; t++) {
        if (s->rows) free(s->rows[t]);
        if (s->bits) free(s->bits[t]);
        for (int i = 0; i < 2; i++)
            if (s->batches[i].out) mmm_bytes_free(&s->batches[i].out[t]);
    }
    for (int i = 0; i < 2; i++) {
        free(s->batches[i].out);
        free(s->batches[i].ends);
    }
    free(s->rows);
    free(s->bits);
    free(s->src);
    free(s->off);
    free(s->member_of);
    free(s->unit_of);
    free(s->unit_start);
    free(s->order);
    free(s->pairs);
}

static int blocks_alloc(blocks *s, size_t members_count, size_t groups_count, int threads, mmm_writer *w)
{
    s->src = mc_alloc_array(members_count, sizeof *s->src);
    s->off = mc_alloc_array(members_count + 1, sizeof *s->off);
    s->member_of = mc_alloc_array(s->profiles_count ? s->profiles_count : 1, sizeof *s->member_of);
    s->unit_of = mc_alloc_array(groups_count ? groups_count : 1, sizeof *s->unit_of);
    s->unit_start = mc_alloc_array(groups_count + 2, sizeof *s->unit_start);
    s->order = mc_alloc_array(members_count ? members_count : 1, sizeof *s->order);
    s->rows = mc_alloc_zeroed((size_t)threads, sizeof *s->rows);
    s->bits = mc_alloc_zeroed((size_t)threads, sizeof *s->bits);
    if (!s->src || !s->off || !s->member_of || !s->unit_of || !s->unit_start || !s->order || !s->rows || !s->bits)
        return -1;
    for (int i = 0; i < 2; i++) {
        batch *b = &s->batches[i];
        b->w = w;
        b->ends = mc_alloc_array(groups_count, sizeof *b->ends);
        b->out = mc_alloc_zeroed((size_t)threads, sizeof *b->out);
        if (!b->ends || !b->out) return -1;
        for (int t = 0; t < threads; t++) {   /* a part's sums take at most a chunk's bytes, mostly */
            if (!(b->out[t].b = mc_alloc_array(s->chunk, 1))) return -1;
            b->out[t].cap = s->chunk;
            mc_alloc_advise_huge(b->out[t].b, s->chunk);
        }
    }
    s->fill = &s->batches[0];
    for (int t = 0; t < threads; t++)
        if (!(s->rows[t] = mc_alloc_zeroed((size_t)s->genes + 1, sizeof **s->rows)) ||
            !(s->bits[t] = mc_alloc_zeroed((size_t)s->genes / 64 + 1, sizeof **s->bits)))
            return -1;
    return 0;
}

/* Every group into W by blocks of at most BUDGET bytes of pairs: 1 done, 0 two gene slices are stacked (the
 * caller sums group by group), -1 error. */
static int sum_groups_by_blocks(container *c, const grouping *g, const members *m, int threads, size_t budget,
                                progress *pr, mmm_writer *w, mc_err *e)
{
    size_t G = g->groups_count, n = m->start[G];
    blocks s = {.c = c, .mb = m, .group = g->group, .profiles_count = g->profiles_count, .groups_count = G,
                .chunk = budget / 8 < CHUNK_BYTES ? budget / 8 : CHUNK_BYTES, .genes = (uint32_t)c->genes_count};
    int rc = blocks_alloc(&s, n, G, threads, w) < 0 ? mc_err_oom(e, c->path) : blocks_index(&s, n, e);
    for (size_t k = 0, end; rc == 1 && k < G; k = end) {
        for (end = k; end < G && s.off[m->start[end + 1]] - s.off[m->start[k]] <= budget; end++)
            ;
        if (end == k)   /* too large */
            rc = blocks_written(&s, e) < 0 || sum_groups_direct(c, m, k, ++end, threads, NULL, w, e) < 0 ? -1 : 1;
        else if (blocks_sum(&s, k, end, threads, pr, e) < 0) rc = -1;
    }
    if (rc == 1 && blocks_written(&s, e) < 0) rc = -1;
    progress_end(pr);
    blocks_free(&s, threads);
    return rc;
}

/* MC_GROUP_BUDGET, bytes (tests lower it to reach small blocks and the group-by-group path), else BLOCK_BUDGET. */
static size_t group_budget(void)
{
    const char *v = getenv("MC_GROUP_BUDGET");
    char *end;
    unsigned long long b = v && *v ? strtoull(v, &end, 10) : 0;
    return v && *v && !*end ? (size_t)b : BLOCK_BUDGET;
}

/* The groups' sums into PATH, and its MD5 in *MD5, hashed as it is written. */
static int sum_groups(container *c, const grouping *g, const members *m, const char *path, int threads, progress *pr,
                      mc_uuid *md5, mc_err *e)
{
    if (threads < 1) threads = parallel_cores();
    if (threads > 256) threads = 256;
    mmm_writer *w = mmm_writer_open(path, (uint32_t)c->genes_count, e);
    if (!w) return -1;
    size_t budget = group_budget();
    int rc = mmm_writer_hash(w, (uint32_t)g->groups_count, e);   /* group numbers are int32_t */
    if (rc == 0) rc = sum_groups_in_one_pass(c, g, threads, budget, pr, w, e);
    if (rc == 0) rc = sum_groups_by_blocks(c, g, m, threads, budget, pr, w, e);
    if (rc == 0) rc = sum_groups_direct(c, m, 0, g->groups_count, threads, pr, w, e) < 0 ? -1 : 1;
    progress_end(pr);
    if (rc < 0) {
        mmm_writer_abort(w);
        return -1;
    }
    return mmm_writer_close_md5(w, md5, e);
}

/* The GROUPS container's files in O's temporary directory. */
static int groups_fill(container *c, const grouping *g, const outdir *o, int threads, progress *pr, mc_err *e)
{
    char *mmm = outdir_path(o, "gp.umis.mmm"), *counts = outdir_path(o, "p.grouped_count.npy"),
         *labels = outdir_path(o, "p.group_label.txt"), *yaml = outdir_path(o, "profiles.yaml"), kind[64];
    members m = {0};
    profiles_meta meta = {.kind = KIND_GROUPS, .organism = c->meta.organism,
                          .profiles_kind = (char *)group_kind(c->meta.profiles_kind, kind, sizeof kind),
                          .profiles_count = (long)g->groups_count, .genes_count = (long)c->genes_count,
                          .grouped_profiles = ".."};
    int32_t *count = NULL;
    int rc = -1;
    if (!mmm || !counts || !labels || !yaml || members_build(g, &m) < 0 ||
        !(count = mc_alloc_array(g->groups_count, sizeof *count))) {
        mc_err_oom(e, o->final);
        goto done;
    }
    mc_uuid md5;
    if (sum_groups(c, g, &m, mmm, threads, pr, &md5, e) < 0) goto done;
    for (size_t k = 0; k < g->groups_count; k++) count[k] = (int32_t)(m.start[k + 1] - m.start[k]);
    if (npy_write_i32(counts, count, g->groups_count, e) < 0) goto done;
    if (g->labels.count && txt_write(labels, g->labels.v, g->labels.count, e) < 0) goto done;
    memcpy(meta.genes_uuid, c->meta.genes_uuid, MC_UUID_STRLEN);
    memcpy(meta.grouped_uuid, c->meta.uuid, MC_UUID_STRLEN);
    uuid_format(&md5, meta.uuid);   /* a groups container's uuid: its matrix's MD5 (container_compute_uuid) */
    if (meta_profiles_dump(yaml, &meta, e) < 0) goto done;
    rc = 0;
done:
    free(m.start);
    free(m.profile);
    free(count);
    free(mmm);
    free(counts);
    free(labels);
    free(yaml);
    return rc;
}

/* C/p.group.npy under its temporary name; an existing one must be identical unless force. */
static int group_file_prepare(container *c, const grouping *g, int force, outfile *f, mc_err *e)
{
    char *path = path_join(c->path, "p.group.npy");
    int rc = -1;
    if (!path) return mc_err_oom(e, c->path);
    if (outdir_file_begin_regular(f, path, 1, e) == 0) {
        FILE *out = outdir_file_stream(f, e);
        size_t n = g->profiles_count;
        rc = out ? npy_write_stream(out, path, NPY_I4, 1, &n, 0, g->group, e) : -1;
        if (rc == 0 && !force && path_exists(path)) {
            mc_uuid old, new;
            rc = uuid_of_file(path, &old, e) < 0 || uuid_of_file(f->tmp, &new, e) < 0 ? -1 : 0;
            if (rc == 0 && !uuid_equal(&old, &new))
                rc = mc_err_fail(e, "%s: already exists with other groups (use --force to replace it)", path);
        }
        if (rc < 0) outdir_file_abort(f);
    }
    free(path);
    return rc;
}


int group_write(container *c, const grouping *g, int write_group, int force, int threads, progress *pr, mc_err *e)
{
    char *groups_dir = path_join(c->path, "groups"), *outliers_dir = path_join(c->path, "outliers");
    outdir groups = {0}, outliers = {0};
    outfile group_file = {0};
    int32_t *outlier = mc_alloc_array(g->profiles_count, sizeof *outlier);
    size_t n = 0;
    int rc = -1;
    if (!groups_dir || !outliers_dir || !outlier) {
        mc_err_oom(e, c->path);
        goto done;
    }
    for (size_t i = 0; i < g->profiles_count; i++)
        if (g->group[i] < 0) outlier[n++] = (int32_t)i;
    const char *input = c->path;
    if (guard_output(groups_dir, GUARD_GROUPS, &input, 1, force, e) < 0 ||
        guard_output(outliers_dir, GUARD_VIEW, &input, 1, force, e) < 0)
        goto done;   /* before the long part */
    if (write_group && group_file_prepare(c, g, force, &group_file, e) < 0) goto done;
    if (outdir_begin(&groups, groups_dir, force, e) < 0) goto done;
    if (groups_fill(c, g, &groups, threads, pr, e) < 0 ||
        view_prepare(c, outliers_dir, outlier, n, NULL, 0, force, &outliers, e) < 0)
        goto done;
    /* All three or none: a failed rename undoes the others.  groups/ goes last,
     * as make and Snakemake judge the set by groups/profiles.yaml: after a
     * crash anywhere before it, groups/ is older than what it was made from
     * (or absent) and the set is made again. */
    commit_set set = {0};
    if ((!write_group || outdir_set_file(&set, &group_file, e) == 0) && outdir_set_dir(&set, &outliers, e) == 0 &&
        outdir_set_dir(&set, &groups, e) == 0)
        rc = 0;
    if (rc == 0) outdir_set_done(&set);
    else outdir_set_undo(&set);
done:
    outdir_abort(&groups);   /* no-ops after a commit */
    outdir_abort(&outliers);
    outdir_file_abort(&group_file);
    free(outlier);
    free(groups_dir);
    free(outliers_dir);
    return rc;
}

const char *group_kind(const char *kind, char *buf, size_t size)
{
    if (!strcmp(kind, "cells")) snprintf(buf, size, "metacells");
    else if (!strcmp(kind, "metacells")) snprintf(buf, size, "1_zones");
    else {
        const char *p = kind;
        unsigned long long n = 0;
        while (isdigit((unsigned char)*p) && n < 1000000000ULL) n = 10 * n + (unsigned long long)(*p++ - '0');
        if (p > kind && !strcmp(p, "_zones")) snprintf(buf, size, "%llu_zones", n + 1);
        else snprintf(buf, size, "%s_groups", kind);
    }
    return buf;
}
