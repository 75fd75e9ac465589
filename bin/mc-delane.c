/* mc-delane: split an STD by lane, in one streaming pass over the matrix. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "cli.h"
#include "mtx.h"
#include "outdir.h"
#include "stdfmt.h"
#include "strmap.h"

static const char usage[] =
    "Usage: mc-delane [--format FILE] [--force] [--progress] STD OUT\n"
    "Split the STD directory by lane: OUT/LANE/ is a canonical STD directory\n"
    "holding the lane's profiles (renumbered 1..n in their original order) and\n"
    "every gene; OUT/lanes.txt lists the lane directories in order of first\n"
    "appearance.  Lane names are made safe as directory names ('/' and a\n"
    "leading '.' become '_').  The matrix is read once, in any order.\n"
    "\n"
    "  --format FILE  how to read STD (default STD/format.yaml; see formats/)\n"
    "  --force        replace an existing OUT\n"
    "  --progress     report progress on stderr even when it is not a terminal\n"
    "\n"
    "Memory: the profiles' CSV values plus 16 bytes per profile and at most\n"
    "~32 MiB of per-lane output buffers; never proportional to the entries.\n"
    "\n"
    "Example:\n"
    "  mc-delane --format formats/10x-v3.yaml raw/pbmc delaned/pbmc\n"
    "  for lane in $(cat delaned/pbmc/lanes.txt); do mc-write-matrix delaned/pbmc/$lane cells/pbmc/$lane; done\n";

#define BUFFERS_TOTAL (32u << 20)     /* bytes of output buffers shared by all lanes */

typedef struct lanes {
    size_t n;
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

static int find_lanes(const std_table *t, lanes *l, mc_err *e)
{
    long lc = std_column_index(t, "lane");
    size_t cap = 0;
    strmap by_name, by_dir;
    memset(l, 0, sizeof *l);
    if (strmap_init(&by_name, 64) < 0 || strmap_init(&by_dir, 64) < 0) return mc_fail(e, "out of memory");
    int rc = -1;
    if (!(l->lane_of = malloc((t->count + 1) * sizeof *l->lane_of)) ||
        !(l->index_in_lane = malloc((t->count + 1) * sizeof *l->index_in_lane)) ||
        !(l->rows = malloc((t->count + 1) * sizeof *l->rows)))
        goto oom;
    for (size_t i = 0; i < t->count; i++) {
        const char *name = std_value(t, (size_t)lc, i);
        size_t id;
        int put = strmap_put(&by_name, name, l->n, &id);
        if (put < 0) goto oom;
        if (put) {
            id = l->n;
            if (l->n == cap) {
                cap = cap ? 2 * cap : 16;
                char **d = realloc(l->dir, cap * sizeof *d);
                size_t *f = d ? realloc(l->first, cap * sizeof *f) : NULL;
                if (d) l->dir = d;
                if (f) l->first = f;
                size_t *c = f ? realloc(l->count, cap * sizeof *c) : NULL;
                if (!c) goto oom;
                l->count = c;
            }
            if (!(l->dir[id] = safe_name(name))) goto oom;
            l->first[id] = i;
            l->count[id] = 0;
            l->n++;
            size_t other;
            int fresh = strmap_put(&by_dir, l->dir[id], id, &other);
            if (fresh < 0) goto oom;
            if (!fresh) {
                mc_fail(e, "%s:%llu: lanes '%s' and '%s' would both be the directory '%s'", t->path,
                        (unsigned long long)t->line[i], std_value(t, (size_t)lc, l->first[other]), name, l->dir[id]);
                goto done;
            }
        }
        if (l->count[id] == UINT32_MAX) {
            mc_fail(e, "%s: lane '%s' has more than %u profiles", t->path, name, UINT32_MAX);
            goto done;
        }
        l->lane_of[i] = (uint32_t)id;
        l->index_in_lane[i] = (uint32_t)l->count[id]++;
    }
    if (!(l->start = calloc(l->n + 1, sizeof *l->start))) goto oom;
    for (size_t k = 0; k < l->n; k++) l->start[k + 1] = l->start[k] + l->count[k];
    for (size_t i = 0; i < t->count; i++) l->rows[l->start[l->lane_of[i]] + l->index_in_lane[i]] = i;
    rc = 0;
    goto done;
oom:
    mc_fail(e, "%s: out of memory", t->path);
done:
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
        char *dir = outdir_file(o, l->dir[k]), *fmt = dir ? path_join(dir, STD_FORMAT) : NULL,
             *genes = dir ? path_join(dir, STD_GENES) : NULL, *profiles = dir ? path_join(dir, STD_PROFILES) : NULL,
             *matrix = dir ? path_join(dir, STD_MATRIX) : NULL;
        int rc = -1;
        if (!dir || !fmt || !genes || !profiles || !matrix) mc_fail(e, "%s: out of memory", o->tmp);
        else if (mkdir(dir, 0777) < 0) mc_fail_errno(e, dir, "cannot create directory");
        else if (std_write_format(fmt, &s->genes, &s->profiles, e) == 0 && std_write_csv(genes, &s->genes, NULL, 0, e) == 0 &&
                 std_write_csv(profiles, &s->profiles, l->rows + l->start[k], l->count[k], e) == 0 &&
                 (w[k] = mtx_writer_open_ex(matrix, (uint32_t)s->genes.count, (uint32_t)l->count[k], -1, buffer,
                                            keep_open, e)))
            rc = 0;
        free(dir);
        free(fmt);
        free(genes);
        free(profiles);
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
    FILE *f = path ? fopen(path, "w") : NULL;
    int rc = 0;
    if (!f) rc = path ? mc_fail_errno(e, path, "cannot create") : mc_fail(e, "%s: out of memory", o->tmp);
    for (size_t k = 0; f && k < l->n; k++) fprintf(f, "%s\n", l->dir[k]);
    if (f && (ferror(f) | fclose(f))) rc = mc_fail_errno(e, path, "cannot write");
    free(path);
    return rc;
}

static int delane(const cli *c, const char *in, const char *format, const char *out, int force, mc_err *e)
{
    std_dir s;
    lanes l = {0};
    outdir o = {0};
    mtx_writer **w = NULL;
    int rc = -1, begun = 0;
    if (!force && path_exists(out))   /* before the long reading, not after */
        return mc_fail(e, "%s: already exists (use --force to replace it)", out);
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

int main(int argc, char **argv)
{
    cli c = {.tool = "mc-delane", .usage = usage};
    static const struct option options[] = {
        {"format", required_argument, 0, 'f'}, {"force", no_argument, 0, 'F'}, {"progress", no_argument, 0, 'p'}, {0, 0, 0, 0}};
    const char *format = NULL;
    int force = 0, opt;
    cli_init(&c, argc, argv);
    while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
        if (opt == 'f') format = optarg;
        else if (opt == 'F') force = 1;
        else if (opt != 'p') cli_usage_error(&c, "unknown option");
    }
    if (optind != argc - 2) cli_usage_error(&c, "expected STD and OUT");
    mc_err e;
    if (delane(&c, argv[optind], format, argv[optind + 1], force, &e) < 0) return cli_fail(&c, &e);
    return 0;
}
