/* verify: recheck a container chain from its files. */
#include "verify.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "container.h"
#include "datakind.h"
#include "genes.h"
#include "meta.h"
#include "mmm.h"
#include "npy.h"
#include "path.h"
#include "totals.h"
#include "txt.h"

typedef struct verifier {
    verify_report report;
    void *ctx;
    size_t problems;
} verifier;

static void problem(verifier *v, const char *msg)
{
    v->report(v->ctx, msg);
    v->problems++;
}

/* Out of memory is a problem too: a check not made never passes. */
static void problem_oom(verifier *v, const char *what)
{
    mc_err e;
    mc_err_oom(&e, what);
    problem(v, e.msg);
}

static void problem_fmt(verifier *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void problem_fmt(verifier *v, const char *fmt, ...)
{
    char msg[1200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    problem(v, msg);
}

/* Length of an axis ('g' or 'p'; 0: none). */
static size_t axis_length(char axis, size_t G, size_t P)
{
    return axis == 'g' ? G : axis == 'p' ? P : 0;
}

static void check_npy(verifier *v, const char *path, const data_kind *kind, size_t rows, size_t cols)
{
    npy_array a = {0};
    mc_err e;
    if (npy_read_header(path, &a, &e) < 0) {
        problem(v, e.msg);
        return;
    }
    if (!cols && (a.ndim != 1 || a.shape[0] != rows))
        problem_fmt(v, "%s: shape (%zu%s) but the container has %zu %s", path, a.shape[0], a.ndim == 1 ? "," : ", ...",
                    rows, !strcmp(kind->name, "g") ? "genes" : "profiles");
    else if (cols && (a.ndim != 2 || a.shape[0] != rows || a.shape[1] != cols))
        problem_fmt(v, "%s: shape is not (%zu, %zu)", path, rows, cols);
    else if (!strcmp(kind->name, "gp") && !a.fortran_order)
        problem_fmt(v, "%s: a dense gp matrix must have fortran_order True", path);
    npy_free(&a);
}

static void check_txt(verifier *v, const char *path, size_t rows)
{
    size_t n;
    mc_err e;
    if (txt_count_lines(path, &n, &e) < 0) problem(v, e.msg);
    else if (n != rows) problem_fmt(v, "%s: %zu lines but the container has %zu", path, n, rows);
}

static void check_mmm(verifier *v, const char *path, size_t G, size_t P)
{
    mmm_file m;
    mc_err e;
    uint64_t entries;
    if (mmm_open(&m, path, &e) < 0) {
        problem(v, e.msg);
        return;
    }
    if (m.genes_count != G || m.profiles_count != P)
        problem_fmt(v, "%s: %u profiles x %u genes but the container has %zu x %zu", path, m.profiles_count,
                    m.genes_count, P, G);
    else if (mmm_entries_count(&m, &entries, &e) < 0)
        problem(v, e.msg);
    mmm_close(&m);
}

/* Every KIND.NAME.EXT file of DIR against the axis lengths. */
static void check_files(verifier *v, const char *dir, size_t G, size_t P)
{
    DIR *d = opendir(dir);
    if (!d) {
        problem_fmt(v, "%s: cannot list the directory", dir);
        return;
    }
    struct dirent *de;
    while ((de = readdir(d))) {
        const char *f = de->d_name, *dot = strrchr(f, '.');
        for (const data_kind *k = datakind_table; k < datakind_table + DATA_KINDS && dot; k++) {
            size_t kl = strlen(k->name), rows = axis_length(k->rows, G, P), cols = axis_length(k->cols, G, P);
            if (strncmp(f, k->name, kl) || f[kl] != '.' || dot <= f + kl + 1) continue;
            char *path = path_join(dir, f);
            if (!path) problem_oom(v, dir);
            else if (!strcmp(dot, ".npy")) check_npy(v, path, k, rows, cols);
            else if (!strcmp(dot, ".txt") && !cols) check_txt(v, path, rows);
            else if (!strcmp(dot, ".mmm") && !strcmp(k->name, "gp")) check_mmm(v, path, G, P);
            free(path);
            break;
        }
    }
    closedir(d);
}

static void verify_dir(verifier *v, const char *dir, int depth);

/* The walk's visit when verifying: every container referred to is verified the same way. */
static int verify_ref(void *ctx, const char *dir, size_t i, const char *name, int depth)
{
    (void)i, (void)name;
    verify_dir(ctx, dir, depth);
    return 0;
}

/* Run after the walk found the base sound, so that a base that cannot be read
 * is one problem, reported there, and every failure here is reported. */
static void check_view_genes(verifier *v, const char *dir, const profiles_meta *m)
{
    char *gi = path_join(dir, "g.base_index.npy"), *base = path_join(dir, m->base_profiles);
    char *yaml = path_join(base, "profiles.yaml"), uuid[MC_UUID_STRLEN];
    profiles_meta bm = {0};
    mc_err e;
    if (!gi || !base || !yaml) problem_oom(v, dir);
    else if (!path_exists(gi)) {}
    else if (meta_profiles_load(yaml, &bm, &e) < 0) problem(v, e.msg);
    else if (container_genes_uuid(bm.genes_uuid, gi, uuid, &e) < 0) problem(v, e.msg);
    else if (strcmp(uuid, m->genes_uuid))
        problem_fmt(v, "%s/profiles.yaml: genes_uuid %s recorded, %s computed", dir, m->genes_uuid, uuid);
    meta_profiles_free(&bm);
    free(yaml);
    free(base);
    free(gi);
}

static void verify_dir(verifier *v, const char *dir, int depth)
{
    profiles_meta m = {0};
    char uuid[MC_UUID_STRLEN], *yaml = path_join(dir, "profiles.yaml");
    mc_err e;
    if (!yaml) problem_oom(v, dir);
    else if (container_depth_check(dir, depth, &e) < 0) problem(v, e.msg);
    else if (meta_profiles_load(yaml, &m, &e) < 0) problem(v, e.msg);
    else {
        if (container_compute_uuid(dir, &m, uuid, &e) < 0) problem(v, e.msg);
        else if (strcmp(uuid, m.uuid)) problem_fmt(v, "%s: uuid %s recorded, %s computed", dir, m.uuid, uuid);
        check_files(v, dir, (size_t)m.genes_count, (size_t)m.profiles_count);
        if (totals_stamp_check(dir, m.uuid, &e) < 0) problem(v, e.msg);   /* a cache is data too */
        size_t before = v->problems;
        if (container_walk(dir, &m, depth, verify_ref, v, &e) < 0) problem(v, e.msg);
        if (m.kind == KIND_VIEW && v->problems == before) check_view_genes(v, dir, &m);
    }
    meta_profiles_free(&m);
    free(yaml);
}

/* The gene set at DIR: genes.yaml against g.name.txt (count, uuid), the names
 * sorted and unique (lookups bisect them), every other g.* file one row per
 * gene; its uuid must be WANT when given. */
static void verify_genes(verifier *v, const char *dir, const char *want)
{
    gene_set g;
    mc_err e;
    if (genes_open(dir, &g, &e) < 0) {
        problem(v, e.msg);
        return;
    }
    if (want && strcmp(g.meta.uuid, want))
        problem_fmt(v, "%s: gene set %s, but the container uses %s", dir, g.meta.uuid, want);
    for (size_t i = 1; i < g.names.count; i++)
        if (strcmp(g.names.v[i - 1], g.names.v[i]) >= 0) {
            problem_fmt(v, "%s/g.name.txt:%zu: '%s' after '%s': the names must be sorted and unique", dir, i + 1,
                        g.names.v[i], g.names.v[i - 1]);
            break;
        }
    check_files(v, dir, g.names.count, 0);
    genes_close(&g);
}

/* The gene set the container at DIR uses, found as the tools find it: when
 * there is none, a genes/ on the way that cannot be read is the likely cause
 * (and none at all is container_open's to say).  A check that cannot be made
 * is a problem, never a pass. */
static void verify_genes_of(verifier *v, const char *dir)
{
    char *yaml = path_join(dir, "profiles.yaml"), *unreadable = NULL, *found = NULL;
    profiles_meta m = {0};
    mc_err e;
    if (!yaml) problem_oom(v, dir);
    else if (meta_profiles_load(yaml, &m, &e) < 0) problem(v, e.msg);
    else if (genes_find(dir, m.genes_uuid, &found, &unreadable, &e) < 0) problem(v, e.msg);
    else if (found) verify_genes(v, found, NULL);
    else if (unreadable) verify_genes(v, unreadable, m.genes_uuid);
    meta_profiles_free(&m);
    free(unreadable);
    free(found);
    free(yaml);
}

size_t verify_container(const char *dir, verify_report report, void *ctx)
{
    verifier v = {report, ctx, 0};
    char *genes_yaml = path_join(dir, "genes.yaml"), *yaml = path_join(dir, "profiles.yaml");
    int gene_set = genes_yaml && yaml && path_exists(genes_yaml) && !path_exists(yaml), oom = !genes_yaml || !yaml;
    free(genes_yaml);
    free(yaml);
    if (oom) {
        problem_oom(&v, dir);
        return v.problems;
    }
    if (gene_set) {
        verify_genes(&v, dir, NULL);
        return v.problems;
    }
    verify_dir(&v, dir, 0);
    if (!v.problems) verify_genes_of(&v, dir);
    if (v.problems) return v.problems;
    /* The files hold; now the links between them (recorded uuids, counts, ranges). */
    mc_err e;
    container *c = container_open(dir, &e);
    if (!c) problem(&v, e.msg);
    container_close(c);
    return v.problems;
}
