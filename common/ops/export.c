/* export: what every export format shares: its outputs guarded, its passes
 * reported, the gene labels and the arrays (frames) exported. */
#include "export.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "datum.h"
#include "genes.h"
#include "guard.h"
#include "npy.h"
#include "path.h"
#include "genenames.h"
#include "txt.h"

#define PROGRESS_EVERY 256

/* A pass is over when done == total. */
void export_report(const export_opts *o, const char *what, size_t done, size_t total)
{
    if (done % PROGRESS_EVERY == 0 || done == total) progress_report(o->progress, what, done, total);
    if (done == total) progress_end(o->progress);
}

int export_cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Each named output PATHS[i] (NULL: not asked for) may be written from C (guard.h). */
int export_guard(const container *c, const char *const *paths, size_t n, int force, mc_err *e)
{
    const char *in = c->path;
    for (size_t i = 0; i < n; i++)
        if (paths[i] && guard_output(paths[i], GUARD_FILE, &in, 1, force, e) < 0) return -1;
    return 0;
}

/* Non-zeros and the largest value, for headers and index widths. */
int export_scan(container *c, mc_entries *es, uint64_t *nnz, uint64_t *max, const export_opts *o, mc_err *e)
{
    *nnz = *max = 0;
    for (size_t p = 0; p < c->profiles_count; p++) {
        if (container_profile_entries(c, p, es, e) < 0) return -1;
        *nnz += es->n;
        for (size_t i = 0; i < es->n; i++)
            if (es->v[i].value > *max) *max = es->v[i].value;
        export_report(o, "counting", p + 1, c->profiles_count);
    }
    return 0;
}

/* KIND.NAME of C, or an error saying it is not there. */
int export_datum(container *c, const data_kind *k, const char *name, mc_array *a, mc_err *e)
{
    int rc = datum_load(c, k, name, a, e);
    if (rc == 0) return mc_err_fail(e, "%s: %s.%s: no such data (mc-info lists what there is)", c->path, k->name, name);
    return rc < 0 ? -1 : 0;
}

/* --- names ------------------------------------------------------------------- */

/* out[i] = all[index[i]] (index NULL: identity) for i < n, in one buffer (strvec_pick). */
int export_gather(const strvec *all, const int32_t *index, size_t n, const char *what, strvec *out, mc_err *e)
{
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < n; i++)
        if ((index ? (size_t)index[i] : i) >= all->count)
            return mc_err_fail(e, "%s: has %zu genes, fewer than the container's gene index needs", what, all->count);
    return strvec_pick(out, all, index, n) < 0 ? mc_err_oom(e, what) : 0;
}

/* --- arrays ------------------------------------------------------------------ */

void export_frame_free(export_frame *fr)
{
    for (size_t i = 0; i < fr->n; i++) {
        free(fr->v[i].name);
        container_array_free(&fr->v[i].a);
    }
    free(fr->v);
    strvec_free(&fr->index);
    memset(fr, 0, sizeof *fr);
}

/* Append NAME with array *a (taken over, *a emptied). */
int export_frame_add(export_frame *fr, const char *name, mc_array *a, mc_err *e)
{
    export_column *v = mc_alloc_resize(fr->v, fr->n + 1, sizeof *v);
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

int export_frame_has(const export_frame *fr, const char *name)
{
    for (size_t i = 0; i < fr->n; i++)
        if (!strcmp(fr->v[i].name, name)) return 1;
    return 0;
}

void export_labels_free(export_labels *g)
{
    strvec_free(&g->names);
    export_frame_free(&g->set);
}

static const strvec *set_array(const export_labels *g, const char *name)
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
    if (!(out->data = mc_alloc_array(n, w))) return mc_err_oom(e, what);
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
static int set_array_load(const gene_set *gs, const char *file, const int32_t *index, size_t n, export_labels *g,
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
    if (rc == 0)
        rc = text ? export_gather(&all, index, n, path, &a.text, e) : gather_numbers(&num, index, n, path, &a.num, e);
    snprintf(name, sizeof name, "%.*s", (int)(strlen(file) - 6), file + 2);
    if (rc == 0) rc = export_frame_add(&g->set, name, &a, e);
    strvec_free(&all);
    npy_free(&num);
    free(path);
    return rc;
}

/* Every g.*.txt and g.*.npy of the gene set but g.name.txt (and a subset's base_index), in name order. */
static int set_arrays_load(const gene_set *gs, const int32_t *index, size_t n, export_labels *g, mc_err *e)
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
    if (files.count) qsort(files.v, files.count, sizeof *files.v, export_cmp_str);
    for (size_t i = 0; rc == 0 && i < files.count; i++) rc = set_array_load(gs, files.v[i], index, n, g, e);
    strvec_free(&files);
    return rc;
}

/* The container's gene names and the gene set's other arrays, from its full gene
 * set, found and checked by the one gene-name loader (genenames_open). */
int export_labels_load(container *c, const char *dir, export_labels *g, mc_err *e)
{
    gene_names gn;
    memset(g, 0, sizeof *g);
    if (genenames_open(c, dir, &gn, e) < 0) return -1;
    int rc = export_gather(&gn.set.names, gn.full_index, c->genes_count, gn.set.path, &g->names, e);
    if (rc == 0) rc = set_arrays_load(&gn.set, gn.full_index, c->genes_count, g, e);
    if (rc < 0) export_labels_free(g);
    g->shown = set_array(g, "original_name");
    if (!g->shown) g->shown = &g->names;
    g->ids = set_array(g, "ensembl");
    g->genome = set_array(g, "genome");
    genenames_close(&gn);
    return rc;
}

/* The arrays NAMES of KIND (every visible one but base_index when names is
 * NULL; then one that cannot be read is left out, told to o->warn). */
int export_frame_arrays(container *c, char kind, char *const *names, size_t n, export_frame *fr, const export_opts *o,
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
        else if (found) rc = export_frame_add(fr, names[i], &a, e);
        else if (!all) rc = mc_err_fail(e, "%s: %c.%s: no such data", c->path, kind, names[i]);
    }
    strvec_free(&avail);
    if (rc < 0) export_frame_free(fr);
    return rc;
}
