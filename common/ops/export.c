/* export: Matrix Market, .h5ad, 10x v3 HDF5 and TSV out of any container. */
#include "export.h"

#include <dirent.h>
#include <fcntl.h>
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "alloc.h"
#include "datum.h"
#include "genes.h"
#include "mtx.h"
#include "guard.h"
#include "outdir.h"
#include "path.h"
#include "select.h"
#include "strmap.h"

#define PROGRESS_EVERY 256
#define SINK_BUFFER ((size_t)1 << 20)
#define FLOAT32_EXACT ((uint64_t)1 << 24)
#define FLOAT64_EXACT ((uint64_t)1 << 53)
#define TENX_GZIP 4           /* what Cell Ranger's h5py writes with */

/* A pass is over when done == total. */
static void report(const export_opts *o, const char *what, size_t done, size_t total)
{
    if (done % PROGRESS_EVERY == 0 || done == total) progress_report(o->progress, what, done, total);
    if (done == total) progress_end(o->progress);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A canonical decimal integer of at most 18 digits ("7", "-12"; not "07", "+7", ""). */
static int is_integer_text(const char *s)
{
    const char *d = s + (*s == '-');
    size_t n = strspn(d, "0123456789");
    return n && n <= 18 && !d[n] && (d[0] != '0' || n == 1);
}

/* Integer texts by value (cluster labels 0, 1, 2, ..., 10 as scanpy orders them). */
static int cmp_int_text(const void *a, const void *b)
{
    long long x = strtoll(*(const char *const *)a, NULL, 10), y = strtoll(*(const char *const *)b, NULL, 10);
    return (x > y) - (x < y);
}

int export_dtype(const char *name, h5w_type *t)
{
    static const struct {
        const char *name;
        h5w_type t;
    } types[] = {{"float32", H5W_F32}, {"float64", H5W_F64}, {"int32", H5W_I32}, {"int64", H5W_I64}};
    for (size_t i = 0; i < sizeof types / sizeof *types; i++)
        if (!strcmp(name ? name : "float32", types[i].name)) {
            *t = types[i].t;
            return 0;
        }
    return -1;
}

/* The largest count type T holds exactly. */
static uint64_t exact_limit(h5w_type t)
{
    switch (t) {
    case H5W_F32: return FLOAT32_EXACT;
    case H5W_F64: return FLOAT64_EXACT;
    case H5W_I32: return INT32_MAX;
    default: return INT64_MAX;
    }
}

/* The deflate level of HDF5 matrices: the format's default unless chosen. */
static int gzip_level(const export_opts *o, int format_default)
{
    return o->gzip < 0 ? 0 : o->gzip ? o->gzip : format_default;
}

/* --- text outputs ------------------------------------------------------------ */

/* A text output: stdout, or a file written atomically (directly when it is a
 * FIFO or device, see outfile); gzip-compressed when its name ends in ".gz". */
typedef struct sink {
    FILE *f;
    gzFile gz;               /* set instead of f for a .gz name */
    const char *shown;       /* "stdout" or the final path */
    outfile of;              /* of.tmp is set for a file */
    char *buf;
    size_t len;
} sink;

static int is_gz_name(const char *path)
{
    size_t n = strlen(path);
    return n > 3 && !strcmp(path + n - 3, ".gz");
}

static int sink_open_file(sink *s, const char *path, int force, mc_err *e)
{
    if (outdir_file_begin(&s->of, path, force, e) < 0) return -1;
    s->shown = s->of.final;
    if (!is_gz_name(path)) s->f = outdir_file_stream(&s->of, e);
    else if (s->of.direct) s->gz = gzopen(path, "wb6");
    else {
        int fd = fcntl(outdir_file_fd(&s->of), F_DUPFD_CLOEXEC, 3);
        if (fd >= 0 && !(s->gz = gzdopen(fd, "wb6"))) close(fd);
    }
    if (s->f || s->gz) return 0;
    if (is_gz_name(path)) mc_err_errno(e, path, "cannot create");   /* outdir_file_stream said why otherwise */
    outdir_file_abort(&s->of);
    return -1;
}

/* Each named output PATHS[i] (NULL: not asked for) may be written from C (guard.h). */
static int guard_files(const container *c, const char *const *paths, size_t n, int force, mc_err *e)
{
    const char *in = c->path;
    for (size_t i = 0; i < n; i++)
        if (paths[i] && guard_output(paths[i], GUARD_FILE, &in, 1, force, e) < 0) return -1;
    return 0;
}

static int sink_open(sink *s, const char *path, int force, mc_err *e)
{
    memset(s, 0, sizeof *s);
    if (!(s->buf = malloc(SINK_BUFFER))) return mc_err_oom(e, path ? path : "stdout");
    /* /dev/stdout is our stdout: reopening it would truncate a file opened for appending. */
    if (!path || !strcmp(path, "-") || !strcmp(path, "/dev/stdout")) {
        s->f = stdout;
        s->shown = "stdout";
        return 0;
    }
    if (sink_open_file(s, path, force, e) == 0) return 0;
    free(s->buf);
    s->buf = NULL;
    return -1;
}

static int sink_write(sink *s, const char *p, size_t n, mc_err *e)
{
    int ok = s->gz ? n == 0 || gzwrite(s->gz, p, (unsigned)n) == (int)n : fwrite(p, 1, n, s->f) == n;
    return ok ? 0 : mc_err_errno(e, s->shown, "cannot write");
}

static int sink_flush(sink *s, mc_err *e)
{
    if (s->len && sink_write(s, s->buf, s->len, e) < 0) return -1;
    s->len = 0;
    return 0;
}

static int sink_put(sink *s, const char *p, size_t n, mc_err *e)
{
    if (SINK_BUFFER - s->len < n && sink_flush(s, e) < 0) return -1;
    if (n > SINK_BUFFER) return sink_write(s, p, n, e);
    memcpy(s->buf + s->len, p, n);
    s->len += n;
    return 0;
}

static int sink_str(sink *s, const char *str, mc_err *e)
{
    return sink_put(s, str, strlen(str), e);
}

/* A TSV field: a tab or line break inside would shift the columns. */
static int sink_field(sink *s, const char *value, const char *what, mc_err *e)
{
    if (strpbrk(value, "\t\r\n"))
        return mc_err_fail(e, "%s: %s: value '%s' holds a tab or line break, which TSV cannot carry", s->shown, what,
                       value);
    return sink_str(s, value, e);
}

/* Flush and close the file (stdout stays open, flushed). */
static int sink_finish(sink *s, mc_err *e)
{
    int rc = sink_flush(s, e);
    if (s->gz) {
        if (gzclose(s->gz) != Z_OK && rc == 0) rc = mc_err_errno(e, s->shown, "cannot write");
        s->gz = NULL;
    } else if (rc == 0 && (fflush(s->f) != 0 || ferror(s->f))) rc = mc_err_errno(e, s->shown, "cannot write");
    if (s->of.tmp && s->f) {
        if (fclose(s->f) != 0 && rc == 0) rc = mc_err_errno(e, s->shown, "cannot write");
        s->f = NULL;
    }
    free(s->buf);
    s->buf = NULL;
    return rc;
}

static int sink_commit(sink *s, mc_err *e)
{
    return s->of.tmp ? outdir_file_commit(&s->of, e) : 0;
}

/* Safe on a zeroed sink, after a failure, after finish and after commit (err.h). */
static void sink_abort(sink *s)
{
    if (s->of.tmp) {
        if (s->f) fclose(s->f);
        if (s->gz) gzclose(s->gz);
        outdir_file_abort(&s->of);
    }
    free(s->buf);
    memset(s, 0, sizeof *s);
}

/* --- names ------------------------------------------------------------------- */

/* out[i] = all[index[i]] (index NULL: identity) for i < n. */
static int gather(const strvec *all, const int32_t *index, size_t n, const char *what, strvec *out, mc_err *e)
{
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < n; i++) {
        size_t k = index ? (size_t)index[i] : i;
        if (k >= all->count) {
            strvec_free(out);
            return mc_err_fail(e, "%s: has %zu genes, fewer than the container's gene index needs", what, all->count);
        }
        if (strvec_push(out, all->v[k]) < 0) {
            strvec_free(out);
            return mc_err_oom(e, what);
        }
    }
    return 0;
}

/* --- arrays ------------------------------------------------------------------ */

typedef export_column column;
typedef export_frame frame;   /* its index unused but by export_frame_load */

static void frame_free(frame *fr)
{
    for (size_t i = 0; i < fr->n; i++) {
        free(fr->v[i].name);
        container_array_free(&fr->v[i].a);
    }
    free(fr->v);
    strvec_free(&fr->index);
    memset(fr, 0, sizeof *fr);
}

void export_frame_free(export_frame *fr)
{
    frame_free(fr);
}

/* Append NAME with array *a (taken over, *a emptied). */
static int frame_add(frame *fr, const char *name, mc_array *a, mc_err *e)
{
    column *v = realloc(fr->v, (fr->n + 1) * sizeof *v);
    if (v) fr->v = v;
    if (!v || !(v[fr->n].name = strdup(name))) {
        container_array_free(a);
        return mc_err_oom(e, NULL);
    }
    v[fr->n].a = *a;
    memset(a, 0, sizeof *a);
    fr->n++;
    return 0;
}

static int frame_has(const frame *fr, const char *name)
{
    for (size_t i = 0; i < fr->n; i++)
        if (!strcmp(fr->v[i].name, name)) return 1;
    return 0;
}

typedef struct gene_labels {
    strvec names;         /* the gene set's canonical names (g.name.txt): mc's key for genes */
    frame set;               /* the gene set's other text arrays (original_name, ensembl, genome,
                              * ...), sliced to the container's genes, in name order */
    const strvec *shown;  /* the names other tools get: the input's (original_name), else names */
    const strvec *ids;    /* ensembl ids, or NULL */
    const strvec *genome; /* each gene's genome, or NULL */
} gene_labels;

static void gene_labels_free(gene_labels *g)
{
    strvec_free(&g->names);
    frame_free(&g->set);
}

static const strvec *set_array(const gene_labels *g, const char *name)
{
    for (size_t i = 0; i < g->set.n; i++)
        if (!strcmp(g->set.v[i].name, name) && g->set.v[i].a.is_text) return &g->set.v[i].a.text;
    return NULL;
}

/* Numbers: out = all[index[i]] (index NULL: identity) for i < n. */
static int gather_numbers(const npy_array *all, const int32_t *index, size_t n, const char *what, npy_array *out,
                          mc_err *e)
{
    size_t w = npy_dtype_size(all->dtype);
    *out = *all;
    out->count = out->shape[0] = n;
    if (!(out->data = mc_alloc_array(n ? n : 1, w))) return mc_err_oom(e, what);
    for (size_t i = 0; i < n; i++) {
        size_t k = index ? (size_t)index[i] : i;
        if (k >= all->count) {
            npy_free(out);
            return mc_err_fail(e, "%s: has %zu genes, fewer than the container's gene index needs", what, all->count);
        }
        memcpy((char *)out->data + i * w, (const char *)all->data + k * w, w);
    }
    return 0;
}

/* FILE (g.NAME.txt or .npy of the gene set GS) gathered through INDEX into g->set as NAME. */
static int set_array_load(const gene_set *gs, const char *file, const int32_t *index, size_t n, gene_labels *g,
                          mc_err *e)
{
    char *path = path_join(gs->path, file), name[256];
    int text = !strcmp(file + strlen(file) - 4, ".txt");
    strvec all = {0};
    npy_array num = {0};
    mc_array a = {.is_text = text};
    int rc = !path ? mc_err_oom(e, gs->path) : text ? txt_read(path, &all, e) : npy_read(path, &num, e);
    size_t count = text ? all.count : num.count;
    if (rc == 0 && !text && num.ndim != 1) rc = mc_err_fail(e, "%s: must be one-dimensional", path);
    if (rc == 0 && count != gs->names.count)
        rc = mc_err_fail(e, "%s: %zu values but the gene set has %zu genes", path, count, gs->names.count);
    if (rc == 0) rc = text ? gather(&all, index, n, path, &a.text, e) : gather_numbers(&num, index, n, path, &a.num, e);
    snprintf(name, sizeof name, "%.*s", (int)(strlen(file) - 6), file + 2);
    if (rc == 0) rc = frame_add(&g->set, name, &a, e);
    strvec_free(&all);
    npy_free(&num);
    free(path);
    return rc;
}

/* Every g.*.txt and g.*.npy of the gene set but g.name.txt (and a subset's base_index), in name order. */
static int set_arrays_load(const gene_set *gs, const int32_t *index, size_t n, gene_labels *g, mc_err *e)
{
    DIR *d = opendir(gs->path);
    if (!d) return mc_err_errno(e, gs->path, "cannot list");
    strvec files = {0};
    struct dirent *de;
    int rc = 0;
    while (rc == 0 && (de = readdir(d))) {
        size_t l = strlen(de->d_name);
        if (l > 6 && !strncmp(de->d_name, "g.", 2) &&
            (!strcmp(de->d_name + l - 4, ".txt") || !strcmp(de->d_name + l - 4, ".npy")) &&
            strcmp(de->d_name, "g.name.txt") && strcmp(de->d_name, "g.base_index.npy") &&
            strvec_push(&files, de->d_name) < 0)
            rc = mc_err_oom(e, gs->path);
    }
    closedir(d);
    if (files.count) qsort(files.v, files.count, sizeof *files.v, cmp_str);
    for (size_t i = 0; rc == 0 && i < files.count; i++) rc = set_array_load(gs, files.v[i], index, n, g, e);
    strvec_free(&files);
    return rc;
}

/* The container's gene names and the gene set's other arrays, from its full gene
 * set, found and checked by the one gene-name loader (select_gene_names_open). */
static int gene_labels_load(container *c, const char *dir, gene_labels *g, mc_err *e)
{
    gene_names gn;
    memset(g, 0, sizeof *g);
    if (select_gene_names_open(c, dir, &gn, e) < 0) return -1;
    int rc = gather(&gn.set.names, gn.full_index, c->genes_count, gn.set.path, &g->names, e);
    if (rc == 0) rc = set_arrays_load(&gn.set, gn.full_index, c->genes_count, g, e);
    if (rc < 0) gene_labels_free(g);
    g->shown = set_array(g, "original_name");
    if (!g->shown) g->shown = &g->names;
    g->ids = set_array(g, "ensembl");
    g->genome = set_array(g, "genome");
    select_gene_names_close(&gn);
    return rc;
}

/* The arrays NAMES of KIND (every visible one but base_index when names is
 * NULL; then one that cannot be read is left out, told to o->warn). */
static int frame_load(container *c, char kind, char *const *names, size_t n, frame *fr, const export_opts *o,
                      mc_err *e)
{
    strvec avail = STRVEC_INIT;
    char k[2] = {kind, 0};
    int rc = 0, all = !names;
    if (all) {
        if (container_available(c, k, &avail, e) < 0) return -1;
        names = avail.v;
        n = avail.count;
    }
    for (size_t i = 0; rc == 0 && i < n; i++) {
        mc_array a;
        if (all && !strcmp(names[i], "base_index")) continue;
        int found = container_array(c, kind, names[i], &a, e);
        if (found < 0 && all && o->warn) o->warn(o->warn_ctx, e->msg);   /* one bad array does not block the rest */
        else if (found < 0) rc = -1;
        else if (found) rc = frame_add(fr, names[i], &a, e);
        else if (!all) rc = mc_err_fail(e, "%s: %c.%s: no such data", c->path, kind, names[i]);
    }
    strvec_free(&avail);
    if (rc < 0) frame_free(fr);
    return rc;
}

/* Value i of a numeric array as TSV text, in the shortest form that reads back exactly. */
static size_t format_number(char *out, size_t size, const npy_array *a, size_t i)
{
    if (a->dtype == NPY_B1) return (size_t)snprintf(out, size, "%s", npy_get_i64(a, i) ? "True" : "False");
    if (a->dtype == NPY_I4 || a->dtype == NPY_I8) return (size_t)snprintf(out, size, "%" PRId64, npy_get_i64(a, i));
    return txt_format_double(out, size, npy_get_f64(a, i), a->dtype == NPY_F4);
}

/* --- matrix passes ------------------------------------------------------------- */

/* Non-zeros and the largest value, for headers and index widths. */
static int scan(container *c, mc_entries *es, uint64_t *nnz, uint64_t *max, const export_opts *o, mc_err *e)
{
    *nnz = *max = 0;
    for (size_t p = 0; p < c->profiles_count; p++) {
        if (container_profile_entries(c, p, es, e) < 0) return -1;
        *nnz += es->n;
        for (size_t i = 0; i < es->n; i++)
            if (es->v[i].value > *max) *max = es->v[i].value;
        report(o, "counting", p + 1, c->profiles_count);
    }
    return 0;
}

static int write_mtx_body(container *c, sink *s, const export_opts *o, mc_err *e)
{
    mc_entries es = {0};
    uint64_t nnz, max;
    int rc = scan(c, &es, &nnz, &max, o, e);
    char line[128];
    if (rc == 0) rc = sink_put(s, line, mtx_format_header(line, c->genes_count, c->profiles_count, nnz), e);
    for (size_t j = 0; rc == 0 && j < c->profiles_count; j++) {
        rc = container_profile_entries(c, j, &es, e);
        for (size_t i = 0; rc == 0 && i < es.n; i++) {
            char *end = mtx_format_entry(line, (uint64_t)es.v[i].gene + 1, (uint64_t)j + 1, es.v[i].value);
            rc = sink_put(s, line, (size_t)(end - line), e);
        }
        report(o, "writing", j + 1, c->profiles_count);
    }
    entries_free(&es);
    return rc;
}

static int write_names_tsv(sink *s, const strvec *names, const char *what, mc_err *e)
{
    for (size_t i = 0; i < names->count; i++)
        if (sink_field(s, names->v[i], what, e) < 0 || sink_str(s, "\n", e) < 0) return -1;
    return 0;
}

static int write_features_tsv(sink *s, const gene_labels *g, mc_err *e)
{
    for (size_t i = 0; i < g->names.count; i++) {
        const char *id = (g->ids ? g->ids : g->shown)->v[i];
        if (sink_field(s, id, "ensembl id", e) < 0 || sink_str(s, "\t", e) < 0 ||
            sink_field(s, g->shown->v[i], "gene name", e) < 0 || sink_str(s, "\tGene Expression\n", e) < 0)
            return -1;
    }
    return 0;
}

int export_mtx(container *c, const char *out, const char *barcodes, const char *features, const export_opts *o,
               mc_err *e)
{
    sink s[3] = {0};           /* matrix, barcodes, features: those not asked for stay zeroed */
    const char *paths[3] = {out, barcodes, features};
    int rc = 0;
    gene_labels g = {0};
    strvec names = {0};
    if (guard_files(c, paths, 3, o->force, e) < 0) return -1;
    if (barcodes) rc = container_profile_names(c, &names, e);
    if (rc == 0 && features) rc = gene_labels_load(c, o->genes_dir, &g, e);
    for (int i = 0; rc == 0 && i < 3; i++)
        if (i == 0 || paths[i]) rc = sink_open(&s[i], paths[i], o->force, e);
    if (rc == 0) rc = write_mtx_body(c, &s[0], o, e);
    if (rc == 0 && barcodes) rc = write_names_tsv(&s[1], &names, "profile name", e);
    if (rc == 0 && features) rc = write_features_tsv(&s[2], &g, e);
    for (int i = 0; rc == 0 && i < 3; i++)
        if (i == 0 || paths[i]) rc = sink_finish(&s[i], e);
    for (int i = 0; rc == 0 && i < 3; i++)
        if (i == 0 || paths[i]) rc = sink_commit(&s[i], e);
    for (int i = 0; i < 3; i++) sink_abort(&s[i]);   /* a committed or zeroed sink holds nothing */
    strvec_free(&names);
    gene_labels_free(&g);
    return rc;
}

/* Move the gene set's array NAME from g->set into FR; 0 when it has none. */
static int take_set_array(gene_labels *g, const char *name, frame *fr, mc_err *e)
{
    for (size_t i = 0; i < g->set.n; i++)
        if (!strcmp(g->set.v[i].name, name)) return frame_add(fr, name, &g->set.v[i].a, e) < 0 ? -1 : 1;
    return 0;
}

/* The g arrays of a TSV: the gene set's (ids, original names, genome, ...) and
 * the container's; NAMES (n > 0) chooses among both, the gene set's first. */
static int gene_frame(container *c, gene_labels *g, char *const *names, size_t n, frame *fr, const export_opts *o,
                      mc_err *e)
{
    int rc = 0;
    if (!n) {
        for (size_t i = 0; rc >= 0 && i < g->set.n; i++) rc = take_set_array(g, g->set.v[i].name, fr, e);
        return rc < 0 ? -1 : frame_load(c, 'g', NULL, 0, fr, o, e);
    }
    for (size_t i = 0; rc >= 0 && i < n; i++)
        if ((rc = take_set_array(g, names[i], fr, e)) == 0) rc = frame_load(c, 'g', names + i, 1, fr, o, e);
    return rc < 0 ? -1 : 0;
}

int export_tsv(container *c, char kind, char *const *names, size_t n, const char *out, const export_opts *o,
               mc_err *e)
{
    frame fr = {0};
    strvec rows = {0};
    gene_labels g = {0};
    sink s;
    int rc = guard_files(c, &out, 1, o->force, e);
    if (rc < 0) return -1;
    if (kind == 'p') {
        rc = frame_load(c, kind, n ? names : NULL, n, &fr, o, e);
        if (rc == 0) rc = container_profile_names(c, &rows, e);
    } else {
        rc = gene_labels_load(c, o->genes_dir, &g, e);
        if (rc == 0) rc = gene_frame(c, &g, names, n, &fr, o, e);
    }
    const strvec *labels = kind == 'p' ? &rows : &g.names;
    if (rc < 0 || sink_open(&s, out, o->force, e) < 0) {
        frame_free(&fr);
        strvec_free(&rows);
        gene_labels_free(&g);
        return -1;
    }
    rc = sink_str(&s, "name", e);
    for (size_t j = 0; rc == 0 && j < fr.n; j++)
        if ((rc = sink_str(&s, "\t", e)) == 0) rc = sink_field(&s, fr.v[j].name, "array name", e);
    if (rc == 0) rc = sink_str(&s, "\n", e);
    for (size_t i = 0; rc == 0 && i < labels->count; i++) {
        rc = sink_field(&s, labels->v[i], kind == 'p' ? "profile name" : "gene name", e);
        for (size_t j = 0; rc == 0 && j < fr.n; j++) {
            const mc_array *a = &fr.v[j].a;
            char num[64], what[256];
            snprintf(what, sizeof what, "%c.%s", kind, fr.v[j].name);
            if ((rc = sink_str(&s, "\t", e)) < 0) break;
            if (a->is_text) rc = sink_field(&s, a->text.v[i], what, e);
            else rc = sink_put(&s, num, format_number(num, sizeof num, &a->num, i), e);
        }
        if (rc == 0) rc = sink_str(&s, "\n", e);
    }
    if (rc == 0) rc = sink_finish(&s, e);
    if (rc == 0) rc = sink_commit(&s, e);
    else sink_abort(&s);
    frame_free(&fr);
    strvec_free(&rows);
    gene_labels_free(&g);
    return rc;
}

/* The names along AXIS: profile names, or the gene set's names (loaded into G once). */
static int axis_names(container *c, char axis, const export_opts *o, strvec *profiles, gene_labels *g,
                      const strvec **out, mc_err *e)
{
    if (axis == 'g') {
        if (!g->names.count && c->genes_count && gene_labels_load(c, o->genes_dir, g, e) < 0) return -1;
        *out = &g->names;
        return 0;
    }
    if (!profiles->count && c->profiles_count && container_profile_names(c, profiles, e) < 0) return -1;
    *out = profiles;
    return 0;
}

static int matrix_rows(sink *s, const npy_array *a, const strvec *rows, const strvec *cols, mc_err *e)
{
    int rc = sink_str(s, "name", e);
    for (size_t j = 0; rc == 0 && j < cols->count; j++)
        if ((rc = sink_str(s, "\t", e)) == 0) rc = sink_field(s, cols->v[j], "column name", e);
    if (rc == 0) rc = sink_str(s, "\n", e);
    for (size_t i = 0; rc == 0 && i < rows->count; i++) {
        rc = sink_field(s, rows->v[i], "row name", e);
        for (size_t j = 0; rc == 0 && j < cols->count; j++) {
            char num[64];
            if ((rc = sink_str(s, "\t", e)) == 0)
                rc = sink_put(s, num, format_number(num, sizeof num, a, i * cols->count + j), e);
        }
        if (rc == 0) rc = sink_str(s, "\n", e);
    }
    return rc;
}

/* KIND.NAME of C, or an error saying it is not there. */
static int datum_visible(container *c, const data_kind *k, const char *name, mc_array *a, mc_err *e)
{
    int rc = datum_load(c, k, name, a, e);
    if (rc == 0) return mc_err_fail(e, "%s: %s.%s: no such data (mc-info lists what there is)", c->path, k->name, name);
    return rc < 0 ? -1 : 0;
}

int export_matrix_tsv(container *c, const data_kind *k, const char *name, const char *out, const export_opts *o,
                      mc_err *e)
{
    mc_array a;
    strvec profiles = {0};
    gene_labels g = {0};
    const strvec *rows = NULL, *cols = NULL;
    sink s;
    if (guard_files(c, &out, 1, o->force, e) < 0 || datum_visible(c, k, name, &a, e) < 0) return -1;
    int rc = axis_names(c, k->rows, o, &profiles, &g, &rows, e);
    if (rc == 0) rc = axis_names(c, k->cols, o, &profiles, &g, &cols, e);
    if (rc == 0) rc = sink_open(&s, out, o->force, e);
    if (rc == 0) {
        rc = matrix_rows(&s, &a.num, rows, cols, e);
        if (rc == 0) rc = sink_finish(&s, e);
        if (rc == 0) rc = sink_commit(&s, e);
        else sink_abort(&s);
    }
    strvec_free(&profiles);
    gene_labels_free(&g);
    container_array_free(&a);
    return rc;
}

int export_npy(container *c, const data_kind *k, const char *name, const char *out, const export_opts *o, mc_err *e)
{
    mc_array a;
    outfile of;
    if (guard_files(c, &out, 1, o->force, e) < 0 || datum_visible(c, k, name, &a, e) < 0) return -1;
    int rc = outdir_file_begin(&of, strcmp(out, "-") ? out : "/dev/stdout", o->force, e);
    if (rc == 0) {
        rc = a.is_text ? npy_write_text(of.tmp, a.text.v, a.text.count, e) : datum_save(of.tmp, k, &a, e);
        if (rc == 0) rc = outdir_file_commit(&of, e);
        else outdir_file_abort(&of);
    }
    container_array_free(&a);
    return rc;
}

/* --- HDF5 outputs ----------------------------------------------------------------- */

/* Begin the atomic output PATH and create the HDF5 file in its place.  The
 * temporary file is made first with open(2), so a failure names its reason. */
static h5w *h5_begin(outfile *of, const char *path, int force, mc_err *e)
{
    if (outdir_file_begin(of, path, force, e) < 0) return NULL;
    if (of->direct) {
        /* HDF5 seeks back to write its superblock: a stream cannot carry it. */
        mc_err_fail(e, "%s: not a regular file; HDF5 output needs one (it is written by seeking)", path);
        outdir_file_abort(of);
        return NULL;
    }
    /* HDF5 opens by name: the name of the file outdir_file_begin made, never one put in its place */
    char self[64];
    snprintf(self, sizeof self, "/proc/self/fd/%d", outdir_file_fd(of));
    h5w *f = h5write_create(access(self, F_OK) == 0 ? self : of->tmp, path, e);
    if (!f) outdir_file_abort(of);
    return f;
}

/* Close F and commit the output if rc is 0, else throw both away. */
static int h5_end(outfile *of, h5w *f, int rc, mc_err *e)
{
    if (rc == 0) rc = h5write_close(f, e);
    else h5write_abort(f);
    if (rc == 0) return outdir_file_commit(of, e);
    outdir_file_abort(of);
    return -1;
}

static void store(void *buf, h5w_type t, size_t i, int64_t v)
{
    switch (t) {
    case H5W_I8: ((int8_t *)buf)[i] = (int8_t)v; break;
    case H5W_I16: ((int16_t *)buf)[i] = (int16_t)v; break;
    case H5W_I32: ((int32_t *)buf)[i] = (int32_t)v; break;
    case H5W_I64: ((int64_t *)buf)[i] = v; break;
    case H5W_F32: ((float *)buf)[i] = (float)v; break;
    case H5W_F64: ((double *)buf)[i] = (double)v; break;
    }
}

/* The matrix profile after profile: values into GROUP/data as DT, genes into
 * GROUP/indices as IT, and GROUP/indptr as IT (P + 1 offsets). */
static int write_sparse(h5w *f, container *c, const char *group, h5w_type dt, h5w_type it, int gzip,
                        const char *shown, const export_opts *o, mc_err *e)
{
    char dpath[256], ipath[256];
    snprintf(dpath, sizeof dpath, "%s/data", group);
    snprintf(ipath, sizeof ipath, "%s/indices", group);
    size_t P = c->profiles_count, G = c->genes_count ? c->genes_count : 1;
    uint64_t limit = exact_limit(dt), offset = 0;
    mc_entries es = {0};
    void *vals = malloc(G * 8), *idx = malloc(G * 8), *indptr = malloc((P + 1) * 8);
    h5w_stream *data = vals && idx && indptr ? h5write_stream_open(f, dpath, dt, gzip, e) : NULL;
    h5w_stream *indices = data ? h5write_stream_open(f, ipath, it, gzip, e) : NULL;
    int rc = indices ? 0 : -1;
    if (!vals || !idx || !indptr) mc_err_oom(e, shown);
    if (rc == 0) store(indptr, it, 0, 0);
    for (size_t p = 0; rc == 0 && p < P; p++) {
        rc = container_profile_entries(c, p, &es, e);
        for (size_t i = 0; rc == 0 && i < es.n; i++) {
            if (es.v[i].value > limit)
                rc = mc_err_fail(e, "%s: profile %zu, gene %u: value %" PRIu64 " does not fit %s/data exactly", shown,
                                 p, es.v[i].gene, es.v[i].value, group);
            store(vals, dt, i, (int64_t)es.v[i].value);
            store(idx, it, i, es.v[i].gene);
        }
        if (rc == 0) rc = h5write_stream_append(data, vals, es.n, e);
        if (rc == 0) rc = h5write_stream_append(indices, idx, es.n, e);
        offset += es.n;
        if (it == H5W_I32 && offset > INT32_MAX) rc = mc_err_fail(e, "%s: more than 2^31-1 non-zeros", shown);
        store(indptr, it, p + 1, (int64_t)offset);
        report(o, "writing", p + 1, P);
    }
    if (rc == 0) rc = h5write_stream_close(data, e), data = NULL;
    if (rc == 0) rc = h5write_stream_close(indices, e), indices = NULL;
    if (rc == 0) {   /* extendible like the others, as anndata and Cell Ranger write it */
        snprintf(ipath, sizeof ipath, "%s/indptr", group);
        h5w_stream *ptr = h5write_stream_open(f, ipath, it, gzip, e);
        if (!ptr || h5write_stream_append(ptr, indptr, P + 1, e) < 0) {
            h5write_stream_abort(ptr);
            rc = -1;
        } else rc = h5write_stream_close(ptr, e);
    }
    h5write_stream_abort(data);
    h5write_stream_abort(indices);
    entries_free(&es);
    free(vals);
    free(idx);
    free(indptr);
    return rc;
}

/* --- AnnData --------------------------------------------------------------------- */

static int encoding(h5w *f, const char *obj, const char *type, const char *version, mc_err *e)
{
    if (h5write_attr_str(f, obj, "encoding-type", type, e) < 0) return -1;
    return h5write_attr_str(f, obj, "encoding-version", version, e);
}

static int string_array(h5w *f, const char *path, const strvec *t, mc_err *e)
{
    if (h5write_strings(f, path, t->v, t->count, 0, e) < 0) return -1;
    return encoding(f, path, "string-array", "0.2.0", e);
}

/* Codes as pandas sizes them: the narrowest signed type above the category count. */
static h5w_type codes_type(size_t categories)
{
    return categories < INT8_MAX    ? H5W_I8
           : categories < INT16_MAX ? H5W_I16
           : categories < INT32_MAX ? H5W_I32
                                    : H5W_I64;
}

/* A text column: categorical when some value repeats, as anndata converts
 * strings on writing; else a string array.  Categories sorted as pandas makes
 * them (byte order), or by value when every one is an integer; an empty value
 * is a missing one (code -1), as the import reads a missing categorical value. */
static int text_column(h5w *f, const char *path, const strvec *t, mc_err *e)
{
    size_t n = t->count, k = 0;
    strmap m;
    char **cats = mc_alloc_array(n ? n : 1, sizeof *cats);
    if (!cats || strmap_init(&m, n) < 0) {
        free(cats);
        return mc_err_oom(e, path);
    }
    int rc = 0, seen = 0, integers = 1;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        int put = strmap_put(&m, t->v[i], seen, NULL);
        if (put < 0) rc = mc_err_oom(e, path);
        else if (put) seen++;
        if (put > 0 && *t->v[i]) cats[k++] = t->v[i], integers &= is_integer_text(t->v[i]);
    }
    strmap_free(&m);
    if (rc < 0 || (size_t)seen == n) {
        free(cats);
        return rc < 0 ? -1 : string_array(f, path, t, e);
    }
    int (*cmp)(const void *, const void *) = integers && k ? cmp_int_text : cmp_str;
    qsort(cats, k, sizeof *cats, cmp);
    h5w_type ct = codes_type(k);
    void *codes = mc_alloc_array(n ? n : 1, h5write_type_size(ct));
    char sub[640];
    if (!codes) rc = mc_err_oom(e, path);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        char **at = *t->v[i] ? bsearch(&t->v[i], cats, k, sizeof *cats, cmp) : NULL;
        store(codes, ct, i, at ? at - cats : -1);
    }
    if (rc == 0 && h5write_group(f, path, e) == 0 && encoding(f, path, "categorical", "0.2.0", e) == 0 &&
        h5write_attr_bool(f, path, "ordered", 0, e) == 0) {
        strvec ca = {.count = k, .v = cats};
        snprintf(sub, sizeof sub, "%s/categories", path);
        rc = string_array(f, sub, &ca, e);
        snprintf(sub, sizeof sub, "%s/codes", path);
        if (rc == 0 && h5write_array(f, sub, ct, codes, n, e) == 0) rc = encoding(f, sub, "array", "0.2.0", e);
        else rc = -1;
    } else rc = -1;
    free(codes);
    free(cats);
    return rc;
}

static int frame_column_write(h5w *f, const char *group, const column *col, mc_err *e)
{
    static const h5w_type types[] = {[NPY_I4] = H5W_I32, [NPY_I8] = H5W_I64, [NPY_F4] = H5W_F32,
                                     [NPY_F8] = H5W_F64, [NPY_B1] = H5W_I8,  [NPY_U] = H5W_I8};
    char path[600];
    snprintf(path, sizeof path, "%s/%s", group, col->name);
    if (col->a.is_text) return text_column(f, path, &col->a.text, e);
    if (col->a.num.dtype == NPY_B1) {
        if (h5write_bools(f, path, col->a.num.data, col->a.num.count, e) < 0) return -1;
        return encoding(f, path, "array", "0.2.0", e);
    }
    if (h5write_array(f, path, types[col->a.num.dtype], col->a.num.data, col->a.num.count, e) < 0) return -1;
    return encoding(f, path, "array", "0.2.0", e);
}

/* A dataframe GROUP: index, then the columns in order. */
static int dataframe(h5w *f, const char *group, const strvec *index, const frame *fr, mc_err *e)
{
    char path[600];
    char **order = mc_alloc_array(fr->n, sizeof *order);
    if (!order) return mc_err_oom(e, group);
    for (size_t i = 0; i < fr->n; i++) order[i] = fr->v[i].name;
    snprintf(path, sizeof path, "%s/_index", group);
    int rc = h5write_group(f, group, e) < 0 || encoding(f, group, "dataframe", "0.2.0", e) < 0 ||
                     h5write_attr_str(f, group, "_index", "_index", e) < 0 ||
                     h5write_attr_strs(f, group, "column-order", order, fr->n, e) < 0 ||
                     string_array(f, path, index, e) < 0
                 ? -1
                 : 0;
    for (size_t i = 0; rc == 0 && i < fr->n; i++) rc = frame_column_write(f, group, &fr->v[i], e);
    free(order);
    return rc;
}

/* var_names: the input's names, unique as anndata's var_names_make_unique makes
 * them, with the -1, -2 suffixes of the canonical names (SPEC 5), so that
 * adata[:, NAME] finds one gene. */
static int unique_names(const gene_labels *g, strvec *out, mc_err *e)
{
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < g->names.count; i++) {
        const char *orig = g->shown->v[i], *canon = g->names.v[i];
        size_t lo = strlen(orig), lc = strlen(canon);
        char *s = malloc(lo + (lc > lo ? lc - lo : 0) + 1);
        if (!s || (sprintf(s, "%s%s", orig, lc > lo ? canon + lo : ""), strvec_push(out, s) < 0)) {
            free(s);
            strvec_free(out);
            return mc_err_oom(e, NULL);
        }
        free(s);
    }
    return 0;
}

static int write_h5ad(h5w *f, container *c, const gene_labels *g, frame *obs, frame *var, h5w_type dt, uint64_t nnz,
                      const char *shown, const export_opts *o, mc_err *e)
{
    static const char *const dicts[] = {"/layers", "/obsm", "/obsp", "/uns", "/varm", "/varp"};
    strvec names;
    int64_t shape[2] = {(int64_t)c->profiles_count, (int64_t)c->genes_count};
    h5w_type it = nnz > INT32_MAX ? H5W_I64 : H5W_I32;
    if (encoding(f, "/", "anndata", "0.1.0", e) < 0 || h5write_group(f, "/X", e) < 0 ||
        encoding(f, "/X", "csr_matrix", "0.1.0", e) < 0 || h5write_attr_i64(f, "/X", "shape", shape, 2, 0, e) < 0 ||
        write_sparse(f, c, "/X", dt, it, gzip_level(o, 0), shown, o, e) < 0)
        return -1;
    for (size_t i = 0; i < sizeof dicts / sizeof *dicts; i++)
        if (h5write_group(f, dicts[i], e) < 0 || encoding(f, dicts[i], "dict", "0.1.0", e) < 0) return -1;
    if (container_profile_names(c, &names, e) < 0) return -1;
    int rc = dataframe(f, "/obs", &names, obs, e);
    strvec_free(&names);
    if (rc == 0) rc = unique_names(g, &names, e);
    if (rc == 0) rc = dataframe(f, "/var", &names, var, e);
    strvec_free(&names);
    return rc;
}

/* var's columns: the gene set's ids as gene_ids, its annotations (genome, ...), then each g array of C
 * the gene set has not given. */
static int var_frame(container *c, gene_labels *g, frame *var, const export_opts *o, mc_err *e)
{
    int rc = 0;
    if (g->ids) {
        mc_array ids = {.is_text = 1};
        rc = gather(g->ids, NULL, g->ids->count, "gene_ids", &ids.text, e);
        if (rc == 0) rc = frame_add(var, "gene_ids", &ids, e);
    }
    for (size_t i = 0; rc == 0 && i < g->set.n; i++)   /* the gene set's annotations (genome, ...) */
        if (strcmp(g->set.v[i].name, "original_name") && strcmp(g->set.v[i].name, "ensembl") &&
            strcmp(g->set.v[i].name, "gene_ids"))
            rc = frame_add(var, g->set.v[i].name, &g->set.v[i].a, e);
    if (rc == 0) {
        frame more = {0};
        rc = frame_load(c, 'g', NULL, 0, &more, o, e);
        for (size_t i = 0; rc == 0 && i < more.n; i++)
            if (!frame_has(var, more.v[i].name))   /* the gene set's ids and arrays win */
                rc = frame_add(var, more.v[i].name, &more.v[i].a, e);
        frame_free(&more);
    }
    return rc;
}

int export_frame_load(container *c, char kind, const export_opts *o, export_frame *out, mc_err *e)
{
    gene_labels g = {0};
    memset(out, 0, sizeof *out);
    int rc = kind == 'p' ? frame_load(c, 'p', NULL, 0, out, o, e) : gene_labels_load(c, o->genes_dir, &g, e);
    if (rc == 0 && kind == 'p') rc = container_profile_names(c, &out->index, e);
    else if (rc == 0) {
        rc = var_frame(c, &g, out, o, e);
        if (rc == 0) rc = unique_names(&g, &out->index, e);
    }
    gene_labels_free(&g);
    if (rc < 0) frame_free(out);
    return rc;
}

int export_h5ad(container *c, const char *out, const export_opts *o, mc_err *e)
{
    h5w_type dt;
    if (export_dtype(o->dtype, &dt) < 0) return mc_err_fail(e, "%s: unknown X/data type '%s'", out, o->dtype);
    if (guard_files(c, &out, 1, o->force, e) < 0) return -1;
    gene_labels g;
    frame obs = {0}, var = {0};
    mc_entries es = {0};
    uint64_t nnz, max;
    outfile of;
    h5w *f = NULL;
    if (gene_labels_load(c, o->genes_dir, &g, e) < 0) return -1;
    int rc = frame_load(c, 'p', NULL, 0, &obs, o, e);
    if (rc == 0) rc = var_frame(c, &g, &var, o, e);
    if (rc == 0) rc = scan(c, &es, &nnz, &max, o, e);
    if (rc == 0 && max > exact_limit(dt))
        rc = mc_err_fail(e, "%s: a value of %" PRIu64 " does not fit X/data as %s exactly; choose a wider --dtype",
                         c->path, max, o->dtype ? o->dtype : "float32");
    entries_free(&es);
    if (rc == 0 && !(f = h5_begin(&of, out, o->force, e))) rc = -1;
    if (f) rc = h5_end(&of, f, write_h5ad(f, c, &g, &obs, &var, dt, nnz, out, o, e), e);
    frame_free(&obs);
    frame_free(&var);
    gene_labels_free(&g);
    return rc;
}

/* --- 10x v3 ------------------------------------------------------------------------ */

static int repeated(h5w *f, const char *path, const char *value, size_t n, mc_err *e)
{
    char **v = mc_alloc_array(n, sizeof *v);
    if (!v) return mc_err_oom(e, path);
    for (size_t i = 0; i < n; i++) v[i] = (char *)value;
    int rc = h5write_strings(f, path, v, n, 1, e);
    free(v);
    return rc;
}

/* features/genome: GENOME when chosen, else each gene's from the gene set, else the organism. */
static int write_genomes(h5w *f, container *c, const gene_labels *g, const char *genome, mc_err *e)
{
    const char *path = "/matrix/features/genome";
    if (!genome && g->genome) return h5write_strings(f, path, g->genome->v, c->genes_count, 1, e);
    return repeated(f, path, genome ? genome : c->meta.organism, c->genes_count, e);
}

static int write_10x(h5w *f, container *c, const gene_labels *g, const char *genome, const char *shown,
                     const export_opts *o, mc_err *e)
{
    static char *const tag_keys[] = {"genome"};
    const int64_t version = 2;
    int32_t shape[2] = {(int32_t)c->genes_count, (int32_t)c->profiles_count};
    strvec names;
    if (c->genes_count > INT32_MAX || c->profiles_count > INT32_MAX)
        return mc_err_fail(e, "%s: too many profiles or genes for a 10x file's int32 shape", shown);
    if (h5write_attr_str(f, "/", "filetype", "matrix", e) < 0 ||
        h5write_attr_i64(f, "/", "version", &version, 1, 1, e) < 0 || h5write_group(f, "/matrix/features", e) < 0)
        return -1;
    if (container_profile_names(c, &names, e) < 0) return -1;
    int rc = h5write_strings(f, "/matrix/barcodes", names.v, names.count, 1, e);
    strvec_free(&names);
    const strvec *ids = g->ids ? g->ids : g->shown;
    size_t G = c->genes_count;
    if (rc < 0 || h5write_array(f, "/matrix/shape", H5W_I32, shape, 2, e) < 0 ||
        h5write_strings(f, "/matrix/features/_all_tag_keys", tag_keys, 1, 1, e) < 0 ||
        h5write_strings(f, "/matrix/features/id", ids->v, G, 1, e) < 0 ||
        h5write_strings(f, "/matrix/features/name", g->shown->v, G, 1, e) < 0 ||
        repeated(f, "/matrix/features/feature_type", "Gene Expression", G, e) < 0 ||
        write_genomes(f, c, g, genome, e) < 0)
        return -1;
    return write_sparse(f, c, "/matrix", H5W_I32, H5W_I64, gzip_level(o, TENX_GZIP), shown, o, e);
}

int export_10x(container *c, const char *out, const export_opts *o, mc_err *e)
{
    gene_labels g;
    outfile of;
    if (guard_files(c, &out, 1, o->force, e) < 0 || gene_labels_load(c, o->genes_dir, &g, e) < 0) return -1;
    h5w *f = h5_begin(&of, out, o->force, e);
    int rc = f ? h5_end(&of, f, write_10x(f, c, &g, o->genome, out, o, e), e) : -1;
    gene_labels_free(&g);
    return rc;
}
