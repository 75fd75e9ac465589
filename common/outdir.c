/* outdir: atomic output directories and files. */
#include "outdir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloc.h"
#include "path.h"

/* mkdir -p */
static int make_dirs(const char *dir, mc_err *e)
{
    struct stat st;
    if (stat(dir, &st) == 0) return S_ISDIR(st.st_mode) ? 0 : mc_fail(e, "%s: exists and is not a directory", dir);
    const char *base;
    char *parent = path_parent(dir, &base);
    if (!parent) return mc_oom(e, dir);
    int rc = strcmp(parent, dir) ? make_dirs(parent, e) : 0;
    free(parent);
    if (rc == 0 && mkdir(dir, 0777) < 0 && errno != EEXIST) rc = mc_fail_errno(e, dir, "cannot create directory");
    return rc;
}

/* "PARENT/.BASE.WHAT-PID" beside PATH. */
static char *sibling(const char *path, const char *what)
{
    const char *base;
    char *parent = path_parent(path, &base);
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

/* Is NAME (".BASE.tmp-PID", ".BASE.old-PID", BL the length of BASE) a leftover
 * of a process that no longer runs?  One still running is writing it. */
static int is_dead_leftover(const char *name, const char *base, size_t bl)
{
    if (name[0] != '.' || strncmp(name + 1, base, bl) ||
        (strncmp(name + 1 + bl, ".tmp-", 5) && strncmp(name + 1 + bl, ".old-", 5)))
        return 0;
    const char *digits = name + 1 + bl + 5;
    char *end;
    errno = 0;
    long pid = strtol(digits, &end, 10);
    if (errno || end == digits || *end || pid <= 0 || pid > INT_MAX) return 0;   /* not one of ours */
    return kill((pid_t)pid, 0) < 0 && errno == ESRCH;
}

/* Remove what a killed run of the same output left beside PATH (".BASE.tmp-PID",
 * ".BASE.old-PID" of a dead PID); a live writer's are its own to finish. */
static void sweep_leftovers(const char *path)
{
    const char *base;
    char *parent = path_parent(path, &base);
    DIR *d = parent ? opendir(parent) : NULL;
    size_t bl = strcspn(base, "/");
    struct dirent *de;
    while (d && (de = readdir(d))) {
        if (!is_dead_leftover(de->d_name, base, bl)) continue;
        char *p = path_join(parent, de->d_name);
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
    char *parent = path_parent(final, &base);
    if (!parent) return mc_oom(e, final);
    int rc = make_dirs(parent, e);
    free(parent);
    if (rc < 0) return -1;
    sweep_leftovers(final);
    if (!(*tmp = sibling(final, "tmp"))) return mc_oom(e, final);
    return 0;
}

int outdir_begin(outdir *o, const char *final, int force, mc_err *e)
{
    memset(o, 0, sizeof *o);
    if (prepare(final, force, &o->tmp, e) < 0) return -1;
    if (!(o->final = strdup(final))) {
        free(o->tmp);
        o->tmp = NULL;   /* a failed begin leaves a zeroed outdir, safe to abort */
        return mc_oom(e, final);
    }
    if (mkdir(o->tmp, 0777) < 0) {
        mc_fail_errno(e, o->tmp, "cannot create directory");
        free(o->tmp);
        free(o->final);
        memset(o, 0, sizeof *o);
        return -1;
    }
    o->force = force;
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

/* --- durability ------------------------------------------------------------------ */

/* A committed output must hold all its bytes after a power loss, so its files
 * and directories are fsync'd before the rename and the directory holding it
 * after (not before: only the new name matters).  MC_NO_FSYNC=1 skips this
 * (scratch filesystems; bench/fsync.sh measures what it costs). */
static int sync_wanted(void)
{
    const char *v = getenv("MC_NO_FSYNC");
    return !v || !*v || !strcmp(v, "0");
}

/* fsync PATH, a file or a directory. */
static int sync_path(const char *path, mc_err *e)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) return mc_fail_errno(e, path, "cannot open to sync");
    int rc = fsync(fd) < 0 ? mc_fail_errno(e, path, "cannot sync") : 0;
    close(fd);
    return rc;
}

/* Every regular file and directory under DIR, then DIR itself. */
static int sync_tree(const char *dir, mc_err *e)
{
    DIR *d = opendir(dir);
    if (!d) return mc_fail_errno(e, dir, "cannot list");
    struct dirent *de;
    int rc = 0;
    while (rc == 0 && (de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue;
        char *p = path_join(dir, de->d_name);
        struct stat st;
        if (!p) rc = mc_oom(e, dir);
        else if (lstat(p, &st) < 0) rc = mc_fail_errno(e, p, "cannot stat");
        else if (S_ISDIR(st.st_mode)) rc = sync_tree(p, e);
        else if (S_ISREG(st.st_mode)) rc = sync_path(p, e);
        free(p);
    }
    closedir(d);
    return rc == 0 ? sync_path(dir, e) : rc;
}

void outdir_write_behind(int fd)
{
    if (sync_wanted()) sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);   /* a hint: nothing to report */
}

/* The directory holding PATH. */
static int sync_parent(const char *path, mc_err *e)
{
    const char *base;
    char *parent = path_parent(path, &base);
    int rc = parent ? sync_path(parent, e) : mc_oom(e, path);
    free(parent);
    return rc;
}

/* Move tmp into final and sync its directory; an old final (force) is moved
 * aside to *old (NULL if none), for the caller to drop or put back.  On
 * failure the new one is back at tmp (for the caller to remove) and the old
 * one in place. */
static int swap_in(const char *tmp, const char *final, int force, char **old, mc_err *e)
{
    *old = NULL;
    if (path_exists(final)) {
        if (!force) return mc_fail(e, "%s: already exists (use --force to replace it)", final);
        if (!(*old = sibling(final, "old"))) return mc_oom(e, final);
        mc_err ignored;
        remove_tree(*old, &ignored);
        if (rename(final, *old) < 0) {
            int rc = mc_fail_errno(e, final, "cannot move the old output aside");
            free(*old);
            *old = NULL;
            return rc;
        }
    }
    int rc = 0;
    if (rename(tmp, final) < 0)   /* another run committed the same output since the check */
        rc = errno == ENOTEMPTY || errno == EEXIST ? mc_fail(e, "%s: already exists (use --force to replace it)", final)
                                                   : mc_fail_errno(e, final, "cannot rename the output into place");
    else if (sync_wanted() && sync_parent(final, e) < 0) {
        rename(final, tmp);   /* not durable: not committed either */
        rc = -1;
    }
    if (rc < 0 && *old) {
        rename(*old, final);
        free(*old);
        *old = NULL;
    }
    return rc;
}

static void drop_old(char *old)
{
    mc_err ignored;
    if (old) remove_tree(old, &ignored);
    free(old);
}

/* swap_in, the old output removed once the new one is in place. */
static int replace(const char *tmp, const char *final, int force, mc_err *e)
{
    char *old;
    if (swap_in(tmp, final, force, &old, e) < 0) return -1;
    drop_old(old);
    return 0;
}

int outdir_commit(outdir *o, mc_err *e)
{
    int rc = sync_wanted() && sync_tree(o->tmp, e) < 0 ? -1 : 0;
    if (rc == 0) rc = replace(o->tmp, o->final, o->force, e);
    if (rc < 0) {
        outdir_abort(o);
        return -1;
    }
    outdir_free(o);
    return 0;
}

/* O's file synced, with its directory, and not about to replace a directory. */
static int file_ready(const outfile *o, mc_err *e)
{
    struct stat st;
    if (lstat(o->final, &st) == 0 && S_ISDIR(st.st_mode)) {
        errno = EISDIR;
        return mc_fail_errno(e, o->final, "cannot rename the output into place");
    }
    return sync_wanted() && sync_path(o->tmp, e) < 0 ? -1 : 0;
}

/* --- several outputs at once ------------------------------------------------------- */

static int set_add(commit_set *s, const char *tmp, const char *final, int force, mc_err *e)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 4;
        char **f = mc_realloc_array(s->final, cap, sizeof *f);
        if (f) s->final = f;
        char **o = f ? mc_realloc_array(s->old, cap, sizeof *o) : NULL;
        if (!o) return mc_oom(e, final);
        s->old = o;
        s->cap = cap;
    }
    char *old, *f = strdup(final);
    if (!f) return mc_oom(e, final);
    if (swap_in(tmp, final, force, &old, e) < 0) {
        free(f);
        return -1;
    }
    s->final[s->n] = f;
    s->old[s->n++] = old;
    return 0;
}

int commit_set_dir(commit_set *s, outdir *o, mc_err *e)
{
    int rc = sync_wanted() && sync_tree(o->tmp, e) < 0 ? -1 : 0;
    if (rc == 0) rc = set_add(s, o->tmp, o->final, o->force, e);
    if (rc < 0) outdir_abort(o);
    else outdir_free(o);
    return rc;
}

int commit_set_file(commit_set *s, outfile *o, mc_err *e)
{
    int rc = file_ready(o, e);
    if (rc == 0) rc = set_add(s, o->tmp, o->final, 1, e);
    if (rc < 0) outfile_abort(o);
    else {
        free(o->tmp);
        free(o->final);
        memset(o, 0, sizeof *o);
    }
    return rc;
}

static void set_free(commit_set *s)
{
    free(s->final);
    free(s->old);
    memset(s, 0, sizeof *s);
}

void commit_set_done(commit_set *s)
{
    for (size_t i = 0; i < s->n; i++) {
        drop_old(s->old[i]);
        free(s->final[i]);
    }
    set_free(s);
}

void commit_set_undo(commit_set *s)
{
    for (size_t i = s->n; i-- > 0;) {
        mc_err ignored;
        remove_tree(s->final[i], &ignored);
        if (s->old[i]) rename(s->old[i], s->final[i]);
        free(s->old[i]);
        free(s->final[i]);
    }
    set_free(s);
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
        return mc_oom(e, final);
    }
    if (prepare(final, force, &o->tmp, e) < 0) return -1;
    if (!(o->final = strdup(final))) {
        free(o->tmp);
        o->tmp = NULL;
        return mc_oom(e, final);
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
    if (file_ready(o, e) < 0) rc = -1;
    else rc = replace(o->tmp, o->final, 1, e);   /* begin checked --force; the old file comes back on failure */
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
