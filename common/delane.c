/* delane: an STD directory split by lane. */
#include "delane.h"

#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "mtx.h"
#include "outdir.h"
#include "stdfmt.h"
#include "strmap.h"
#include "txt.h"

#define BUFFERS_TOTAL (32u << 20)     /* bytes of output buffers shared by all lanes */

/* The lanes of the profiles, in order of first appearance. */
typedef struct lanes {
    size_t n, cap;
    char **dir;              /* safe directory name per lane */
    size_t *first;           /* first profile of each lane (for messages) */
    size_t *count;           /* profiles per lane */
    uint32_t *lane_of;       /* per profile */
    uint32_t *index_in_lane; /* per profile */
    size_t *rows;            /* profiles grouped by lane, in order */
    size_t *start;           /* n + 1 offsets into rows */
} lanes;

static void lanes_free(lanes *l)
{
    for (size_t i = 0; i < l->n; i++) free(l->dir[i]);
    free(l->dir);
    free(l->first);
    free(l->count);
    free(l->lane_of);
    free(l->index_in_lane);
    free(l->rows);
    free(l->start);
}

/* "/" anywhere and "." at the start cannot be a directory name. */
static char *safe_name(const char *lane)
{
    char *s = strdup(*lane ? lane : "_");
    if (!s) return NULL;
    for (char *p = s; *p; p++)
        if (*p == '/') *p = '_';
    if (s[0] == '.') s[0] = '_';
    return s;
}

static int grow(lanes *l)
{
    if (l->n < l->cap) return 0;
    size_t cap = l->cap ? 2 * l->cap : 16;
    char **d = realloc(l->dir, cap * sizeof *d);
    if (d) l->dir = d;
    size_t *f = d ? realloc(l->first, cap * sizeof *f) : NULL;
    if (f) l->first = f;
    size_t *c = f ? realloc(l->count, cap * sizeof *c) : NULL;
    if (!c) return -1;
    l->count = c;
    l->cap = cap;
    return 0;
}

/* Lane NAME, new at profile I (column LC of T): its directory must be its own. */
static int add_lane(lanes *l, strmap *by_dir, const std_table *t, size_t lc, size_t i, mc_err *e)
{
    const char *name = std_value(t, lc, i);
    size_t id = l->n, other;
    if (grow(l) < 0 || !(l->dir[id] = safe_name(name))) return mc_fail(e, "%s: out of memory", t->path);
    l->first[id] = i;
    l->count[id] = 0;
    l->n++;
    int fresh = strmap_put(by_dir, l->dir[id], id, &other);
    if (fresh < 0) return mc_fail(e, "%s: out of memory", t->path);
    if (!fresh)
        return mc_fail(e, "%s:%llu: lanes '%s' and '%s' would both be the directory '%s'", t->path,
                       (unsigned long long)t->line[i], std_value(t, lc, l->first[other]), name, l->dir[id]);
    return 0;
}

/* Each profile's lane and index in it, and the profiles grouped by lane. */
static int assign(lanes *l, const std_table *t, size_t lc, strmap *by_name, strmap *by_dir, mc_err *e)
{
    if (!(l->lane_of = malloc((t->count + 1) * sizeof *l->lane_of)) ||
        !(l->index_in_lane = malloc((t->count + 1) * sizeof *l->index_in_lane)) ||
        !(l->rows = malloc((t->count + 1) * sizeof *l->rows)))
        return mc_fail(e, "%s: out of memory", t->path);
    for (size_t i = 0; i < t->count; i++) {
        const char *name = std_value(t, lc, i);
        size_t id;
        int put = strmap_put(by_name, name, l->n, &id);
        if (put < 0) return mc_fail(e, "%s: out of memory", t->path);
        if (put) {
            if (add_lane(l, by_dir, t, lc, i, e) < 0) return -1;
            id = l->n - 1;
        }
        if (l->count[id] == UINT32_MAX)
            return mc_fail(e, "%s: lane '%s' has more than %u profiles", t->path, name, UINT32_MAX);
        l->lane_of[i] = (uint32_t)id;
        l->index_in_lane[i] = (uint32_t)l->count[id]++;
    }
    if (!(l->start = calloc(l->n + 1, sizeof *l->start))) return mc_fail(e, "%s: out of memory", t->path);
    for (size_t k = 0; k < l->n; k++) l->start[k + 1] = l->start[k] + l->count[k];
    for (size_t i = 0; i < t->count; i++) l->rows[l->start[l->lane_of[i]] + l->index_in_lane[i]] = i;
    return 0;
}

static int find_lanes(const std_table *t, lanes *l, mc_err *e)
{
    strmap by_name, by_dir;
    memset(l, 0, sizeof *l);
    int by_name_rc = strmap_init(&by_name, 64), by_dir_rc = strmap_init(&by_dir, 64);   /* both, so both free */
    int rc = by_name_rc < 0 || by_dir_rc < 0 ? mc_fail(e, "out of memory")
                                             : assign(l, t, (size_t)std_column_index(t, "lane"), &by_name, &by_dir, e);
    strmap_free(&by_name);
    strmap_free(&by_dir);
    return rc;
}

/* How many lane files may stay open at once: well under the soft limit. */
static size_t open_files_budget(void)
{
    struct rlimit r;
    if (getrlimit(RLIMIT_NOFILE, &r) < 0 || r.rlim_cur == RLIM_INFINITY) return 256;
    return r.rlim_cur > 64 ? (size_t)(r.rlim_cur - 32) / 2 : 16;
}

/* Write every lane's directory except the matrix; open the matrix writers. */
static int write_lane_dirs(const outdir *o, const std_dir *s, const lanes *l, mtx_writer **w, mc_err *e)
{
    size_t buffer = BUFFERS_TOTAL / (l->n ? l->n : 1);
    if (buffer > (1u << 20)) buffer = 1u << 20;
    if (buffer < (16u << 10)) buffer = 16u << 10;
    int keep_open = l->n <= open_files_budget();
    for (size_t k = 0; k < l->n; k++) {
        char *dir = outdir_file(o, l->dir[k]), *matrix = dir ? path_join(dir, STD_MATRIX) : NULL;
        int rc = -1;
        if (!matrix) mc_fail(e, "%s: out of memory", o->tmp);
        else if (mkdir(dir, 0777) < 0) mc_fail_errno(e, dir, "cannot create directory");
        else if (std_write_rows(dir, &s->genes, &s->profiles, l->rows + l->start[k], l->count[k], e) == 0 &&
                 (w[k] = mtx_writer_open_ex(matrix, (uint32_t)s->genes.count, (uint32_t)l->count[k], -1, buffer,
                                            keep_open, e)))
            rc = 0;
        free(dir);
        free(matrix);
        if (rc < 0) return -1;
    }
    return 0;
}

static int split_matrix(const cli *c, const std_dir *s, const lanes *l, mtx_writer **w, mc_err *e)
{
    std_matrix *m = std_matrix_open(s, e);
    if (!m) return -1;
    uint64_t total = mtx_entries(std_matrix_reader(m)), done = 0;
    uint32_t g, p;
    uint64_t v;
    int rc;
    while ((rc = std_matrix_next(m, &g, &p, &v, e)) == 1) {
        if (mtx_writer_add(w[l->lane_of[p]], g, l->index_in_lane[p], v, e) < 0) {
            rc = -1;
            break;
        }
        if ((++done & 0xfffff) == 0) cli_progress(c, "entries", done, total);
    }
    std_matrix_close(m);
    cli_progress_done(c);
    return rc;
}

static int write_lanes_txt(const outdir *o, const lanes *l, mc_err *e)
{
    char *path = outdir_file(o, "lanes.txt");
    int rc = path ? txt_write(path, l->dir, l->n, e) : mc_fail(e, "%s: out of memory", o->tmp);
    free(path);
    return rc;
}

int delane(const cli *c, const char *in, const char *format, const char *out, int force, mc_err *e)
{
    std_dir s;
    lanes l = {0};
    outdir o = {0};
    mtx_writer **w = NULL;
    int rc = -1, begun = 0;
    if (outdir_check(out, force, e) < 0) return -1;   /* before the long reading, not after */
    if (std_open(&s, in, format, e) < 0) return -1;
    if (std_load_genes(&s, e) < 0 || std_load_profiles(&s, e) < 0 || find_lanes(&s.profiles, &l, e) < 0) goto done;
    if (outdir_begin(&o, out, force, e) < 0) goto done;
    begun = 1;
    if (!(w = calloc(l.n + 1, sizeof *w))) {
        mc_fail(e, "%s: out of memory", out);
        goto done;
    }
    if (write_lane_dirs(&o, &s, &l, w, e) < 0 || split_matrix(c, &s, &l, w, e) < 0) goto done;
    for (size_t k = 0; k < l.n; k++) {
        mtx_writer *lane = w[k];
        w[k] = NULL;
        if (mtx_writer_close(lane, e) < 0) goto done;
    }
    if (write_lanes_txt(&o, &l, e) < 0 || outdir_commit(&o, e) < 0) goto done;
    begun = 0;
    rc = 0;
done:
    for (size_t k = 0; w && k < l.n; k++) mtx_writer_abort(w[k]);
    free(w);
    if (begun) outdir_abort(&o);
    lanes_free(&l);
    std_close(&s);
    return rc;
}

