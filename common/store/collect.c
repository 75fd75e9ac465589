/* collect: collections written from their members. */
#include "collect.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc.h"
#include "guard.h"
#include "outdir.h"
#include "path.h"
#include "view.h"

static int same_path(const char *a, const char *b)
{
    char *x = realpath(a, NULL), *y = realpath(b, NULL);
    int same = x && y && !strcmp(x, y);
    free(x);
    free(y);
    return same;
}

static int valid_member_name(const char *name)
{
    return name[0] && name[0] != '.' && !strchr(name, '/') && !strchr(name, '\n');
}

/* Last component of PATH, or of its resolved form for ".", ".." and "/". */
static char *base_name(const char *path)
{
    size_t n = strlen(path);
    while (n > 1 && path[n - 1] == '/') n--;
    const char *s = path + n;
    while (s > path && s[-1] != '/') s--;
    size_t len = (size_t)(path + n - s);
    int special = !len || (len == 1 && s[0] == '.') || (len == 2 && !strncmp(s, "..", 2));
    if (!special) return strndup(s, len);
    char *r = realpath(path, NULL), *slash = r ? strrchr(r, '/') : NULL, *name = slash ? strdup(slash + 1) : NULL;
    free(r);
    return name;
}

int collect_member_parse(const char *arg, collect_member *m, mc_err *e)
{
    const char *eq = strchr(arg, '=');
    memset(m, 0, sizeof *m);
    int given = eq && eq > arg && !memchr(arg, '/', (size_t)(eq - arg));
    errno = 0;
    if (given) {
        m->name = strndup(arg, (size_t)(eq - arg));
        m->path = strdup(eq + 1);
    } else {
        m->path = strdup(arg);
        m->name = m->path ? base_name(m->path) : NULL;
    }
    if (m->name && m->path && m->path[0]) return 0;
    /* base_name's realpath may fail for want of the directory: only then is the member unnamable */
    if (!m->path || (!m->name && (given || errno == ENOMEM))) mc_err_oom(e, arg);
    else if (!m->path[0]) mc_err_fail(e, "%s: no container after '='", arg);
    else mc_err_fail(e, "%s: cannot name this member; give NAME=%s", arg, arg);
    free(m->name);
    free(m->path);
    memset(m, 0, sizeof *m);
    return -1;
}

void collect_members_free(collect_member *members, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(members[i].name);
        free(members[i].path);
    }
    free(members);
}

/* Is the container at DIR a view or groups of OUT (so not a member of it)? */
static int refers_to(const char *dir, const profiles_meta *m, const char *out)
{
    const char *rel = m->kind == KIND_VIEW ? m->base_profiles : m->kind == KIND_GROUPS ? m->grouped_profiles : NULL;
    if (!rel) return 0;
    char *target = path_join(dir, rel);
    int same = target && same_path(target, out);
    free(target);
    return same;
}

static int cmp_member(const void *a, const void *b)
{
    return strcmp(((const collect_member *)a)->name, ((const collect_member *)b)->name);
}

/* Add OUT/NAME to the list if it is a member-to-be: 1 added, 0 not, -1 error. */
static int scan_one(const char *out, const char *name, collect_member *m, mc_err *e)
{
    char *dir = path_join(out, name), *yaml = dir ? path_join(dir, "profiles.yaml") : NULL;
    profiles_meta meta;
    int rc = 0;
    if (!yaml) rc = mc_err_oom(e, out);
    else if (path_exists(yaml)) {
        if (meta_profiles_load(yaml, &meta, e) < 0) rc = -1;
        else {
            if (!refers_to(dir, &meta, out)) {
                m->name = strdup(name);
                m->path = dir;
                dir = NULL;
                rc = m->name ? 1 : mc_err_oom(e, out);
            }
            meta_profiles_free(&meta);
        }
    }
    free(yaml);
    free(dir);
    return rc;
}

int collect_scan(const char *out, collect_member **members, size_t *n, mc_err *e)
{
    *members = NULL;
    *n = 0;
    DIR *d = opendir(out);
    if (!d) return mc_err_errno(e, out, "cannot list");
    size_t cap = 0;
    struct dirent *de;
    int rc = 0;
    while (rc == 0 && (de = readdir(d))) {
        if (de->d_name[0] == '.') continue;
        if (MC_GROW(*members, *n + 1, cap) < 0) {
            rc = mc_err_oom(e, out);
            break;
        }
        memset(&(*members)[*n], 0, sizeof **members);
        int got = scan_one(out, de->d_name, &(*members)[*n], e);
        if (got < 0) rc = -1;
        else *n += (size_t)got;
    }
    closedir(d);
    if (rc == 0 && !*n) rc = mc_err_fail(e, "%s: no container subdirectories to collect", out);
    if (rc < 0) {
        collect_members_free(*members, *n);
        *members = NULL;
        *n = 0;
        return -1;
    }
    qsort(*members, *n, sizeof **members, cmp_member);
    return 0;
}

/* What collecting needs to know of each member. */
typedef struct member_state {
    container *c;
    char *dest;         /* OUT/NAME */
    int in_place;       /* the container is OUT/NAME already */
    outdir o;
} member_state;

static int check_names(const collect_member *m, size_t n, mc_err *e)
{
    for (size_t i = 0; i < n; i++) {
        if (!valid_member_name(m[i].name))
            return mc_err_fail(e, "%s: '%s' is not a member name (a subdirectory name not starting with '.')",
                               m[i].path, m[i].name);
        for (size_t j = 0; j < i; j++)
            if (!strcmp(m[i].name, m[j].name))
                return mc_err_fail(e, "%s: member name '%s' is also given to %s; name one with NAME=", m[i].path,
                               m[i].name, m[j].path);
    }
    return 0;
}

/* Members must describe the same genes and the same kind of profiles. */
static int check_agree(const container *a, const container *b, mc_err *e)
{
    const profiles_meta *x = &a->meta, *y = &b->meta;
    if (strcmp(x->genes_uuid, y->genes_uuid) || x->genes_count != y->genes_count)
        return mc_err_fail(e,
                           "%s/profiles.yaml: genes_uuid %s (%ld genes) differs from %s's %s (%ld genes): members of a "
                           "collection must have the same genes",
                           b->path, y->genes_uuid, y->genes_count, a->path, x->genes_uuid, x->genes_count);
    if (strcmp(x->organism, y->organism))
        return mc_err_fail(e, "%s/profiles.yaml: organism '%s' differs from %s's '%s'", b->path, y->organism, a->path,
                       x->organism);
    if (strcmp(x->profiles_kind, y->profiles_kind))
        return mc_err_fail(e, "%s/profiles.yaml: profiles_kind '%s' differs from %s's '%s'", b->path, y->profiles_kind,
                       a->path, x->profiles_kind);
    return 0;
}

/* Open and check every member; decide which need a link view. */
static int collect_prepare(const char *out, const collect_member *m, size_t n, member_state *st, int force, mc_err *e)
{
    if (check_names(m, n, e) < 0) return -1;
    for (size_t i = 0; i < n; i++) {
        if (!(st[i].c = container_open(m[i].path, e))) return -1;
        if (i && check_agree(st[0].c, st[i].c, e) < 0) return -1;
        if (!(st[i].dest = path_join(out, m[i].name))) return mc_err_oom(e, out);
        st[i].in_place = same_path(m[i].path, st[i].dest);
    }
    const char **paths = mc_alloc_array(n, sizeof *paths);
    int rc = paths ? 0 : mc_err_oom(e, out);
    for (size_t i = 0; rc == 0 && i < n; i++) paths[i] = m[i].path;
    if (rc == 0) rc = guard_collection(out, paths, n, e);
    for (size_t i = 0; rc == 0 && i < n; i++)
        if (!st[i].in_place) rc = guard_output(st[i].dest, GUARD_VIEW, paths, n, force, e);
    free(paths);
    return rc;
}

/* OUT/profiles.yaml, written under f's temporary name. */
static int collect_meta(const char *out, const collect_member *m, size_t n, member_state *st, int force, outfile *f,
                        mc_err *e)
{
    profiles_meta meta = {0};
    char *yaml = path_join(out, "profiles.yaml");
    int rc = -1;
    if (!yaml || !(meta.members = mc_alloc_zeroed(n, sizeof *meta.members))) {
        mc_err_oom(e, out);
        goto done;
    }
    meta.kind = KIND_COLLECTION;
    meta.organism = st[0].c->meta.organism;
    meta.profiles_kind = st[0].c->meta.profiles_kind;
    meta.genes_count = st[0].c->meta.genes_count;
    memcpy(meta.genes_uuid, st[0].c->meta.genes_uuid, MC_UUID_STRLEN);
    meta.members_count = n;
    for (size_t i = 0; i < n; i++) {
        meta.members[i].name = m[i].name;
        memcpy(meta.members[i].uuid, st[i].c->meta.uuid, MC_UUID_STRLEN);
        meta.members[i].profiles_count = (long)st[i].c->profiles_count;
        meta.profiles_count += (long)st[i].c->profiles_count;
    }
    if (container_compute_uuid(out, &meta, meta.uuid, e) < 0 || outdir_file_begin_regular(f, yaml, force, e) < 0)
        goto done;
    FILE *stream = outdir_file_stream(f, e);
    if (!stream || meta_profiles_dump_stream(stream, yaml, &meta, e) < 0) {
        outdir_file_abort(f);
        goto done;
    }
    rc = 0;
done:
    free(meta.members);
    free(yaml);
    return rc;
}

int collect_write(const char *out, const collect_member *m, size_t n, int force, mc_err *e)
{
    if (!n) return mc_err_fail(e, "%s: no containers to collect", out);
    member_state *st = mc_alloc_zeroed(n, sizeof *st);
    if (!st) return mc_err_oom(e, out);
    int out_existed = path_exists(out), rc = 0;
    char *yaml = path_join(out, "profiles.yaml");
    if (!yaml) rc = mc_err_oom(e, out);
    else rc = outdir_check(yaml, force, e);
    if (rc == 0) rc = collect_prepare(out, m, n, st, force, e);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (st[i].in_place) continue;
        rc = view_prepare(st[i].c, st[i].dest, NULL, 0, NULL, 0, force, &st[i].o, e);
    }
    outfile f = {0};
    if (rc == 0) rc = collect_meta(out, m, n, st, force, &f, e);
    commit_set set = {0};   /* the link views and profiles.yaml all, or none (old ones back) */
    for (size_t i = 0; rc == 0 && i < n; i++)
        if (!st[i].in_place) rc = outdir_set_dir(&set, &st[i].o, e);
    if (rc == 0 && f.tmp) rc = outdir_set_file(&set, &f, e);
    if (rc == 0) outdir_set_done(&set);
    else outdir_set_undo(&set);
    outdir_file_abort(&f);   /* a committed or zeroed output holds nothing */
    for (size_t i = 0; i < n; i++) {
        outdir_abort(&st[i].o);
        container_close(st[i].c);
        free(st[i].dest);
    }
    if (rc < 0 && !out_existed) rmdir(out);
    free(st);
    free(yaml);
    return rc;
}
