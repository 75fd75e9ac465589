/* path: path strings joined, split and made relative. */
#include "path.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int path_open_file(const char *path, mc_err *e)
{
    /* O_NONBLOCK: opening a FIFO would wait for a writer; on a regular file it changes nothing */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return mc_err_errno(e, path, "cannot open");
    struct stat st;
    int rc = fstat(fd, &st) < 0 ? mc_err_errno(e, path, "cannot stat")
             : S_ISREG(st.st_mode) ? 0
                                   : mc_err_fail(e, "%s: not a regular file", path);
    if (rc == 0) return fd;
    close(fd);
    return -1;
}

FILE *path_fopen_file(const char *path, mc_err *e)
{
    int fd = path_open_file(path, e);
    FILE *f = fd < 0 ? NULL : fdopen(fd, "rb");
    if (fd >= 0 && !f) {
        mc_err_errno(e, path, "cannot open");
        close(fd);
    }
    return f;
}

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

char *path_parent(const char *path, const char **base)
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
    char *p = path_parent(path, &base);
    while (p && strcmp(p, ".") && strcmp(p, "/") && !path_exists(p)) {
        char *up = path_parent(p, &base);
        free(p);
        p = up;
    }
    return p;
}

char *path_resolve(const char *path, mc_err *e)
{
    char *r = realpath(path, NULL);
    if (r) return r;
    if (errno != ENOENT) {
        mc_err_errno(e, path, "cannot resolve");
        return NULL;
    }
    const char *base;
    char *parent = path_parent(path, &base);
    if (!parent) {
        mc_err_oom(e, path);
        return NULL;
    }
    char *rp = strcmp(parent, path) ? path_resolve(parent, e) : realpath(parent, NULL);
    if (!rp && !strcmp(parent, path)) mc_err_errno(e, path, "cannot resolve");
    free(parent);
    if (!rp) return NULL;
    r = path_join(rp, base);
    free(rp);
    if (!r) mc_err_oom(e, path);
    return r;
}

char *path_relative(const char *from_dir, const char *to, mc_err *e)
{
    char *f = path_resolve(from_dir, e), *t = f ? path_resolve(to, e) : NULL;
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
    } else mc_err_oom(e, to);
    free(f);
    free(t);
    return r;
}
