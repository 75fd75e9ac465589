/* outdir: atomic output directories and files, and the path helpers they need. */
#include "outdir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *path_join(const char *dir, const char *name)
{
    if (name[0] == '/' || !dir[0]) return strdup(name);
    size_t dl = strlen(dir), nl = strlen(name);
    int slash = dir[dl - 1] != '/';
    char *p = malloc(dl + slash + nl + 1);
    if (!p) return NULL;
    memcpy(p, dir, dl);
    if (slash) p[dl] = '/';
    memcpy(p + dl + slash, name, nl + 1);
    return p;
}

int path_exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

/* Split PATH into a malloc'd parent directory and a pointer to its last component. */
static char *parent_of(const char *path, const char **base)
{
    size_t n = strlen(path);
    while (n > 1 && path[n - 1] == '/') n--;   /* "a/b/" names b */
    char *copy = strndup(path, n);
    if (!copy) return NULL;
    char *slash = strrchr(copy, '/');
    if (!slash) {
        *base = path + 0;
        free(copy);
        return strdup(".");
    }
    *base = path + (slash - copy) + 1;
    if (slash == copy) slash[1] = 0;
    else *slash = 0;
    return copy;
}

char *path_existing_parent(const char *path)
{
    const char *base;
    char *p = parent_of(path, &base);
    while (p && strcmp(p, ".") && strcmp(p, "/") && !path_exists(p)) {
        char *up = parent_of(p, &base);
        free(p);
        p = up;
    }
    return p;
}

/* mkdir -p */
static int make_dirs(const char *dir, mc_err *e)
{
    struct stat st;
    if (stat(dir, &st) == 0) return S_ISDIR(st.st_mode) ? 0 : mc_fail(e, "%s: exists and is not a directory", dir);
    const char *base;
    char *parent = parent_of(dir, &base);
    if (!parent) return mc_fail(e, "%s: out of memory", dir);
    int rc = strcmp(parent, dir) ? make_dirs(parent, e) : 0;
    free(parent);
    if (rc == 0 && mkdir(dir, 0777) < 0 && errno != EEXIST) rc = mc_fail_errno(e, dir, "cannot create directory");
    return rc;
}

/* "PARENT/.BASE.WHAT-PID" beside PATH. */
static char *sibling(const char *path, const char *what)
{
    const char *base;
    char *parent = parent_of(path, &base);
    if (!parent) return NULL;
    size_t n = strlen(parent) + strlen(base) + strlen(what) + 32;
    char *s = malloc(n);
    if (s) {
        size_t bl = strlen(base);
        while (bl > 0 && base[bl - 1] == '/') bl--;
        snprintf(s, n, "%s/.%.*s.%s-%ld", parent, (int)bl, base, what, (long)getpid());
    }
    free(parent);
    return s;
}

/* Remove ".BASE.tmp-*" and ".BASE.old-*" beside PATH: what a killed run of the same
 * output left.  make and Snakemake never run two jobs for one output at once. */
static void sweep_leftovers(const char *path)
{
    const char *base;
    char *parent = parent_of(path, &base);
    DIR *d = parent ? opendir(parent) : NULL;
    size_t bl = strcspn(base, "/");
    struct dirent *de;
    while (d && (de = readdir(d))) {
        const char *f = de->d_name;
        if (f[0] != '.' || strncmp(f + 1, base, bl) || (strncmp(f + 1 + bl, ".tmp-", 5) && strncmp(f + 1 + bl, ".old-", 5)))
            continue;
        char *p = path_join(parent, f);
        mc_err ignored;
        if (p) remove_tree(p, &ignored);
        free(p);
    }
    if (d) closedir(d);
    free(parent);
}

int outdir_check(const char *final, int force, mc_err *e)
{
    if (!force && path_exists(final)) return mc_fail(e, "%s: already exists (use --force to replace it)", final);
    return 0;
}

static int prepare(const char *final, int force, char **tmp, mc_err *e)
{
    if (outdir_check(final, force, e) < 0) return -1;
    const char *base;
    char *parent = parent_of(final, &base);
    if (!parent) return mc_fail(e, "%s: out of memory", final);
    int rc = make_dirs(parent, e);
    free(parent);
    if (rc < 0) return -1;
    sweep_leftovers(final);
    if (!(*tmp = sibling(final, "tmp"))) return mc_fail(e, "%s: out of memory", final);
    return 0;
}

int outdir_begin(outdir *o, const char *final, int force, mc_err *e)
{
    memset(o, 0, sizeof *o);
    o->force = force;
    if (prepare(final, force, &o->tmp, e) < 0) return -1;
    if (!(o->final = strdup(final))) {
        free(o->tmp);
        return mc_fail(e, "%s: out of memory", final);
    }
    if (mkdir(o->tmp, 0777) < 0) {
        mc_fail_errno(e, o->tmp, "cannot create directory");
        free(o->tmp);
        free(o->final);
        memset(o, 0, sizeof *o);
        return -1;
    }
    return 0;
}

char *outdir_file(const outdir *o, const char *file)
{
    return path_join(o->tmp, file);
}

static void outdir_free(outdir *o)
{
    free(o->final);
    free(o->tmp);
    memset(o, 0, sizeof *o);
}

/* Move tmp into final; an old final (force) is moved aside first and removed after. */
static int replace(const char *tmp, const char *final, int force, mc_err *e)
{
    char *old = NULL;
    int rc = 0;
    if (path_exists(final)) {
        if (!force) return mc_fail(e, "%s: already exists (use --force to replace it)", final);
        if (!(old = sibling(final, "old"))) return mc_fail(e, "%s: out of memory", final);
        remove_tree(old, e);
        if (rename(final, old) < 0) {
            rc = mc_fail_errno(e, final, "cannot move the old output aside");
            free(old);
            return rc;
        }
    }
    if (rename(tmp, final) < 0) {
        rc = mc_fail_errno(e, final, "cannot rename the output into place");
        if (old) rename(old, final);
    } else if (old) {
        mc_err ignored;
        remove_tree(old, &ignored);
    }
    free(old);
    return rc;
}

int outdir_commit(outdir *o, mc_err *e)
{
    int rc = replace(o->tmp, o->final, o->force, e);
    if (rc < 0) {
        outdir_abort(o);
        return -1;
    }
    outdir_free(o);
    return 0;
}

void outdir_abort(outdir *o)
{
    mc_err ignored;
    if (o->tmp) remove_tree(o->tmp, &ignored);
    outdir_free(o);
}

int outfile_is_direct(const char *path)
{
    struct stat st;
    if (!strncmp(path, "/dev/", 5)) return 1;
    return stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode);
}

int outfile_begin(outfile *o, const char *final, int force, mc_err *e)
{
    memset(o, 0, sizeof *o);
    if (outfile_is_direct(final)) {
        /* A stream or device cannot be renamed over, and its reader wants the bytes as they come. */
        o->direct = 1;
        o->final = strdup(final);
        o->tmp = strdup(final);
        if (o->final && o->tmp) return 0;
        outfile_abort(o);
        return mc_fail(e, "%s: out of memory", final);
    }
    if (prepare(final, force, &o->tmp, e) < 0) return -1;
    if (!(o->final = strdup(final))) {
        free(o->tmp);
        o->tmp = NULL;
        return mc_fail(e, "%s: out of memory", final);
    }
    return 0;
}

int outfile_commit(outfile *o, mc_err *e)
{
    int rc = 0;
    if (o->direct) {
        outfile_abort(o);
        return 0;
    }
    if (rename(o->tmp, o->final) < 0) rc = mc_fail_errno(e, o->final, "cannot rename the output into place");
    if (rc < 0) unlink(o->tmp);
    free(o->tmp);
    free(o->final);
    memset(o, 0, sizeof *o);
    return rc;
}

void outfile_abort(outfile *o)
{
    if (o->tmp && !o->direct) unlink(o->tmp);
    free(o->tmp);
    free(o->final);
    memset(o, 0, sizeof *o);
}

/* --- removal ---------------------------------------------------------------------- */

static int remove_at(int dirfd, const char *name, const char *shown, mc_err *e)
{
    if (unlinkat(dirfd, name, 0) == 0 || errno == ENOENT) return 0;
    if (errno != EISDIR && errno != EPERM) return mc_fail_errno(e, shown, "cannot remove");
    int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    if (fd < 0) return mc_fail_errno(e, shown, "cannot open");
    DIR *d = fdopendir(fd);
    if (!d) {
        close(fd);
        return mc_fail_errno(e, shown, "cannot list");
    }
    struct dirent *de;
    int rc = 0;
    while (rc == 0 && (de = readdir(d)))
        if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) rc = remove_at(fd, de->d_name, shown, e);
    closedir(d);
    if (rc == 0 && unlinkat(dirfd, name, AT_REMOVEDIR) < 0) rc = mc_fail_errno(e, shown, "cannot remove");
    return rc;
}

int remove_tree(const char *path, mc_err *e)
{
    return remove_at(AT_FDCWD, path, path, e);
}

/* --- relative paths --------------------------------------------------------------- */

/* Absolute, symlink-free form of PATH, which may not exist yet if its parent does. */
static char *resolve(const char *path, mc_err *e)
{
    char *r = realpath(path, NULL);
    if (r) return r;
    const char *base;
    char *parent = parent_of(path, &base);
    char *rp = parent ? realpath(parent, NULL) : NULL;
    free(parent);
    if (!rp) {
        mc_fail_errno(e, path, "cannot resolve");
        return NULL;
    }
    r = path_join(rp, base);
    free(rp);
    return r;
}

char *path_relative(const char *from_dir, const char *to, mc_err *e)
{
    char *f = resolve(from_dir, e), *t = f ? resolve(to, e) : NULL;
    if (!t) {
        free(f);
        return NULL;
    }
    /* common prefix, by whole components */
    size_t i = 0, common = 0;
    while (f[i] && f[i] == t[i]) {
        i++;
        if (f[i - 1] == '/') common = i;
    }
    if (!f[i] && (t[i] == '/' || !t[i])) common = i;
    else if (!t[i] && f[i] == '/') common = i;
    size_t ups = 0;
    for (const char *p = f + common; *p; p++)
        if (*p == '/' && p[1]) ups++;
    if (f[common] && f[common] != '/') ups++;
    const char *rest = t + common;
    while (*rest == '/') rest++;
    size_t n = 3 * ups + strlen(rest) + 2;
    char *r = malloc(n);
    if (r) {
        r[0] = 0;
        for (size_t k = 0; k < ups; k++) strcat(r, k + 1 < ups || *rest ? "../" : "..");
        strcat(r, rest);
        if (!r[0]) strcpy(r, ".");
    } else mc_fail(e, "%s: out of memory", to);
    free(f);
    free(t);
    return r;
}
