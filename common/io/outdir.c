/* outdir: atomic output directories and files. */
#include "outdir.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "alloc.h"
#include "path.h"

static int remove_at(int dirfd, const char *name, const char *shown, mc_err *e);
static int sync_wanted(void);
static int sync_path(const char *path, mc_err *e);

/* mkdir -p, each directory made synced into its parent: a commit syncs only the
 * directory holding the output, and an output in a directory a power loss takes
 * away is lost with it. */
static int make_dirs(const char *dir, mc_err *e)
{
    struct stat st;
    if (stat(dir, &st) == 0) return S_ISDIR(st.st_mode) ? 0 : mc_err_fail(e, "%s: exists and is not a directory", dir);
    const char *base;
    char *parent = path_parent(dir, &base);
    if (!parent) return mc_err_oom(e, dir);
    int rc = strcmp(parent, dir) ? make_dirs(parent, e) : 0;
    if (rc == 0 && mkdir(dir, 0777) < 0) {
        if (errno != EEXIST) rc = mc_err_errno(e, dir, "cannot create directory");
    } else if (rc == 0 && sync_wanted())
        rc = sync_path(parent, e);
    free(parent);
    return rc;
}

/* What a commit replaced: where it is now (NULL: nothing was replaced), a lock
 * on it (-1: none) so no sweep takes it for a leftover while it may still be
 * put back, whether it was exchanged with the new one (it is then at the new
 * one's temporary name) or moved aside, and where it belongs (FINAL, which
 * the caller keeps while it holds this). */
struct outdir_old {
    char *path;
    int fd;
    int exchanged;
    const char *final;
    dev_t new_dev;   /* the new output's file, to tell whether the exchange was made */
    ino_t new_ino;
};

/* --- live temporaries, removed on a signal ------------------------------------------- */

/* The library's one piece of global mutable state, because a signal handler
 * can reach nothing else and a tool stopped by Ctrl-C must not leave its
 * temporaries (hundreds of MB) behind nor an output half replaced: two tables
 * of slots, each claimed and cleared atomically (lanes are written by
 * threads).  live: the temporaries this process is writing, each the outdir's
 * or outfile's own tmp string, removed.  aside: the old outputs a --force
 * commit has replaced and not yet dropped (put_over to drop_old, or a commit
 * set's whole life), each put back at its FINAL, so a tool stopped mid-commit
 * leaves what was there, a set of outputs included: never a mixture, an output
 * missing, or an old one at a temporary name. */
#define SLOTS 256
static _Atomic(const void *) live[SLOTS], aside[SLOTS];

static void slot_put(_Atomic(const void *) *table, const void *p)
{
    for (size_t i = 0; p && i < SLOTS; i++) {
        const void *none = NULL;
        if (atomic_compare_exchange_strong(&table[i], &none, p)) return;
    }
    /* all taken: a temporary is left to a later run's sweep, an old output to take_back */
}

static void slot_take(_Atomic(const void *) *table, const void *p)
{
    for (size_t i = 0; p && i < SLOTS; i++) {
        const void *q = p;
        if (atomic_compare_exchange_strong(&table[i], &q, NULL)) return;
    }
}

static int is_dot_name(const char *n) { return n[0] == '.' && (!n[1] || (n[1] == '.' && !n[2])); }

/* rm -rf NAME in DIRFD with system calls only (async-signal-safe: no malloc,
 * no opendir); DEPTH bounds the recursion and the stack it takes. */
static void purge_at(int dirfd, const char *name, int depth)
{
    if (unlinkat(dirfd, name, 0) == 0 || (errno != EISDIR && errno != EPERM) || depth > 8) return;
    int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return;
    for (int pass = 0; pass < 3; pass++) {   /* entries removed while listing may hide others: list again */
        char buf[2048] __attribute__((aligned(8)));
        long n;
        lseek(fd, 0, SEEK_SET);
        while ((n = syscall(SYS_getdents64, fd, buf, sizeof buf)) > 0)
            for (long off = 0; off < n;) {
                struct dirent64 *d = (struct dirent64 *)(buf + off);
                if (!is_dot_name(d->d_name)) purge_at(fd, d->d_name, depth + 1);
                off += d->d_reclen;
            }
        if (unlinkat(dirfd, name, AT_REMOVEDIR) == 0) break;
    }
    close(fd);
}

static void on_signal(int sig)
{
    int saved = errno;
    for (size_t i = 0; i < SLOTS; i++) {   /* first: the new outputs they give back are temporaries */
        const outdir_old *o = atomic_load(&aside[i]);
        struct stat st;
        if (!o) continue;
        if (o->exchanged) {   /* if made: the new one at FINAL */
            if (lstat(o->final, &st) == 0 && st.st_dev == o->new_dev && st.st_ino == o->new_ino &&
                renameat2(AT_FDCWD, o->path, AT_FDCWD, o->final, RENAME_EXCHANGE) == 0)
                purge_at(AT_FDCWD, o->path, 0);
        } else if (lstat(o->path, &st) == 0) {   /* moved aside (not yet, where it is still at FINAL) */
            purge_at(AT_FDCWD, o->final, 0);   /* the new one, if it got there */
            rename(o->path, o->final);
        }
    }
    for (size_t i = 0; i < SLOTS; i++) {
        const char *p = atomic_load(&live[i]);
        if (p) purge_at(AT_FDCWD, p, 0);
    }
    errno = saved;
    raise(sig);   /* SA_RESETHAND put the default action back: the tool dies of the signal, as it would have */
}

void outdir_clean_on_signals(void)
{
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
    for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++) {
        struct sigaction old, sa;
        if (sigaction(sigs[i], NULL, &old) < 0 || old.sa_handler == SIG_IGN) continue;   /* nohup's stays ignored */
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_signal;
        sigfillset(&sa.sa_mask);
        sa.sa_flags = SA_RESETHAND;
        sigaction(sigs[i], &sa, NULL);
    }
}

/* --- names and locks ------------------------------------------------------------------ */

/* 16 hex digits no other writer picks: getrandom(2), or where it fails the
 * clock, PID and a stack address mixed. */
static void random_part(char out[17])
{
    unsigned char b[8];
    if (getrandom(b, sizeof b, GRND_NONBLOCK) != (ssize_t)sizeof b) {
        struct timespec t;
        clock_gettime(CLOCK_REALTIME, &t);
        uint64_t x = (uint64_t)t.tv_nsec * 0x9E3779B97F4A7C15u ^ (uint64_t)t.tv_sec << 32 ^
                     (uint64_t)getpid() << 12 ^ (uint64_t)(uintptr_t)b;
        memcpy(b, &x, sizeof b);
    }
    for (size_t i = 0; i < sizeof b; i++) snprintf(out + 2 * i, 3, "%02x", b[i]);
}

/* This host's short name as it can stand in a file name ([A-Za-z0-9_-], at
 * most 16 characters, so NAME's limit is barely touched). */
static void host_part(char out[17])
{
    char h[256] = "";
    size_t n = 0;
    if (gethostname(h, sizeof h - 1) < 0) h[0] = 0;
    for (const char *p = h; *p && *p != '.' && n < 16; p++)
        out[n++] = isalnum((unsigned char)*p) || *p == '-' ? *p : '_';
    if (!n) {
        memcpy(out, "host", 4);
        n = 4;
    }
    out[n] = 0;
}

/* "PARENT/.BASE.WHAT-HOST-RANDOM" beside PATH: unique across processes, PID namespaces and hosts. */
static char *sibling(const char *path, const char *what)
{
    const char *base;
    char *parent = path_parent(path, &base);
    if (!parent) return NULL;
    char host[17], rnd[17];
    host_part(host);
    random_part(rnd);
    size_t n = strlen(parent) + strlen(base) + strlen(what) + 48;
    char *s = malloc(n);
    if (s) {
        size_t bl = strlen(base);
        while (bl > 0 && base[bl - 1] == '/') bl--;
        snprintf(s, n, "%s/.%.*s.%s-%s-%s", parent, (int)bl, base, what, host, rnd);
    }
    free(parent);
    return s;
}

/* Is NAME ".BASE.tmp-..." or ".BASE.old-..." (BL the length of BASE)? */
static int is_leftover_name(const char *name, const char *base, size_t bl)
{
    return name[0] == '.' && !strncmp(name + 1, base, bl) &&
           (!strncmp(name + 1 + bl, ".tmp-", 5) || !strncmp(name + 1 + bl, ".old-", 5)) && name[6 + bl];
}

/* Remove NAME in DFD if it is a file or directory no writer holds locked (a
 * symlink or FIFO named like one is not ours: left alone, never followed). */
static void sweep_one(int dfd, const char *name)
{
    int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return;
    struct stat a, b;
    if (fstat(fd, &a) == 0 && (S_ISREG(a.st_mode) || S_ISDIR(a.st_mode)) && flock(fd, LOCK_EX | LOCK_NB) == 0 &&
        fstatat(dfd, name, &b, AT_SYMLINK_NOFOLLOW) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino) {
        mc_err ignored;
        remove_at(dfd, name, name, &ignored);
    }
    close(fd);
}

/* Remove what killed runs of the same output left beside PATH (".BASE.tmp-*",
 * ".BASE.old-*" whose lock is free); a live writer's are its own to finish. */
static void sweep_leftovers(const char *path)
{
    const char *base;
    char *parent = path_parent(path, &base);
    DIR *d = parent ? opendir(parent) : NULL;
    size_t bl = strcspn(base, "/");
    struct dirent *de;
    while (d && (de = readdir(d)))
        if (is_leftover_name(de->d_name, base, bl)) sweep_one(dirfd(d), de->d_name);
    if (d) closedir(d);
    free(parent);
}

int outdir_check(const char *final, int force, mc_err *e)
{
    if (!force && path_exists(final)) return mc_err_fail(e, "%s: already exists (use --force to replace it)", final);
    return 0;
}

static int prepare(const char *final, int force, mc_err *e)
{
    if (outdir_check(final, force, e) < 0) return -1;
    const char *base;
    char *parent = path_parent(final, &base);
    if (!parent) return mc_err_oom(e, final);
    int rc = make_dirs(parent, e);
    free(parent);
    if (rc < 0) return -1;
    sweep_leftovers(final);
    return 0;
}

#define RACED (-2)

/* Create TMP (a directory when DIR, made by mkdir and opened O_NOFOLLOW as one;
 * a file with O_EXCL|O_NOFOLLOW: never through a symlink or into a file
 * someone else made) and lock it: a sweeper that gets the lock knows the
 * writer is gone (killed, here or on another host), whatever its PID.  The fd;
 * RACED when TMP was taken (a planted name) or a sweep took it for a
 * leftover between its creation and the lock (try another name); -1 with e
 * set.  Where the filesystem has no flock the temporary stays unlocked, and
 * a sweeper that cannot lock it either leaves it. */
static int create_locked(const char *tmp, int dir, const char *final, mc_err *e)
{
    int fd;
    if (dir) {
        if (mkdir(tmp, 0777) < 0) return errno == EEXIST ? RACED : mc_err_errno(e, tmp, "cannot create directory");
        fd = open(tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) return errno == ENOENT ? RACED : mc_err_errno(e, tmp, "cannot open the directory just made");
    } else if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666)) < 0)
        return errno == EEXIST ? RACED : mc_err_errno(e, final, "cannot create");
    struct stat a, b;
    int raced = flock(fd, LOCK_EX | LOCK_NB) < 0 && errno == EWOULDBLOCK;   /* a sweep holds it: it is going */
    /* locked, it is ours for good if it is still there */
    raced = raced || fstat(fd, &a) < 0 || lstat(tmp, &b) < 0 || a.st_dev != b.st_dev || a.st_ino != b.st_ino;
    if (raced) close(fd);
    return raced ? RACED : fd;
}

/* A new temporary beside FINAL, in *TMP, locked and among the live ones: its fd, or -1 with e set. */
static int make_tmp(const char *final, int dir, char **tmp, mc_err *e)
{
    for (int attempt = 0; attempt < 8; attempt++) {
        if (!(*tmp = sibling(final, "tmp"))) return mc_err_oom(e, final);
        slot_put(live, *tmp);   /* before it exists: a signal as it is made still removes it */
        int fd = create_locked(*tmp, dir, final, e);
        if (fd >= 0) return fd;
        slot_take(live, *tmp);
        free(*tmp);
        *tmp = NULL;
        if (fd != RACED) return -1;
    }
    return mc_err_fail(e, "%s: cannot create a temporary beside it (its names were taken)", final);
}

/* flock FD with OP, waiting as long as it takes: 0, or -1 where there is no flock. */
static int lock_wait(int fd, int op)
{
    int rc;
    while ((rc = flock(fd, op)) < 0 && errno == EINTR) {}
    return rc;
}

/* Whether DIR is a container (holds a profiles.yaml) and not a temporary or set-aside one (a dot name). */
static int is_container_dir(const char *dir)
{
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/') n--;
    size_t b = n;
    while (b > 0 && dir[b - 1] != '/') b--;
    if (dir[b] == '.') return 0;
    char *yaml = path_join(dir, "profiles.yaml");
    struct stat st;
    int is = yaml && lstat(yaml, &st) == 0;
    free(yaml);
    return is;
}

/* A shared lock on the container FINAL is written in, taken before its
 * temporary is made there: a replacement of the container waits for it
 * (put_over).  The fd, or -1 (no container, or no flock there).  A lock got
 * on a container replaced meanwhile is taken again on the new one. */
static int hold_container(const char *final)
{
    const char *base;
    char *parent = path_parent(final, &base);
    int fd = -1;
    for (int attempt = 0; parent && attempt < 8 && is_container_dir(parent); attempt++) {
        if ((fd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) break;
        struct stat a, b;
        if (lock_wait(fd, LOCK_SH) < 0) {
            close(fd);
            fd = -1;
            break;
        }
        if (fstat(fd, &a) == 0 && stat(parent, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino) break;
        close(fd);
        fd = -1;
    }
    free(parent);
    return fd;
}

int outdir_begin(outdir *o, const char *final, int force, mc_err *e)
{
    memset(o, 0, sizeof *o);
    char *tmp = NULL;
    if (prepare(final, force, e) < 0) return -1;
    if (!(o->final = strdup(final))) return mc_err_oom(e, final);
    int held = hold_container(final);
    if ((o->fd = make_tmp(final, 1, &tmp, e)) < 0) {
        if (held >= 0) close(held);
        free(o->final);
        memset(o, 0, sizeof *o);   /* a failed begin leaves a zeroed outdir, safe to abort */
        return -1;
    }
    o->held = held;
    o->tmp = tmp;
    o->force = force;
    return 0;
}

char *outdir_path(const outdir *o, const char *file)
{
    return path_join(o->tmp, file);
}

static void outdir_free(outdir *o)
{
    slot_take(live, o->tmp);
    if (o->tmp) close(o->fd);   /* the lock goes with it */
    if (o->tmp && o->held >= 0) close(o->held);
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
    if (fd < 0) return mc_err_errno(e, path, "cannot open to sync");
    int rc = fsync(fd) < 0 ? mc_err_errno(e, path, "cannot sync") : 0;
    close(fd);
    return rc;
}

/* Every regular file and directory under DIR, then DIR itself. */
static int sync_tree(const char *dir, mc_err *e)
{
    DIR *d = opendir(dir);
    if (!d) return mc_err_errno(e, dir, "cannot list");
    struct dirent *de;
    int rc = 0;
    while (rc == 0 && (de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue;
        char *p = path_join(dir, de->d_name);
        struct stat st;
        if (!p) rc = mc_err_oom(e, dir);
        else if (lstat(p, &st) < 0) rc = mc_err_errno(e, p, "cannot stat");
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
    int rc = parent ? sync_path(parent, e) : mc_err_oom(e, path);
    free(parent);
    return rc;
}

/* --- putting an output in place -------------------------------------------------------- */

static void old_free(outdir_old *old)
{
    slot_take(aside, old);
    if (old->fd >= 0) close(old->fd);
    free(old->path);
    *old = (outdir_old){.fd = -1};
}

static int already_exists(const char *final, mc_err *e)
{
    return mc_err_fail(e, "%s: already exists (use --force to replace it)", final);
}

/* Where renameat2 lacks a flag (an old kernel, some network filesystems). */
static int unsupported(int err) { return err == EINVAL || err == ENOSYS || err == EOPNOTSUPP; }

/* TMP to FINAL, which does not exist: another run that committed the same output since the check fails us. */
static int put_new(const char *tmp, const char *final, mc_err *e)
{
    int rc = renameat2(AT_FDCWD, tmp, AT_FDCWD, final, RENAME_NOREPLACE);
    if (rc < 0 && unsupported(errno)) rc = rename(tmp, final);
    if (rc == 0) return 0;
    return errno == ENOTEMPTY || errno == EEXIST ? already_exists(final, e)
                                                 : mc_err_errno(e, final, "cannot rename the output into place");
}

/* TMP over FINAL, which exists: exchanged in one step where the filesystem can
 * (FINAL never vanishes, the old output lands at TMP), else the old moved
 * aside first. */
static int put_over(const char *tmp, const char *final, outdir_old *old, mc_err *e)
{
    if (!(old->path = strdup(tmp))) return mc_err_oom(e, final);
    old->fd = open(final, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    /* waits for those writing inside it (hold_container); a sweep passing by leaves it */
    if (old->fd >= 0) lock_wait(old->fd, LOCK_EX);
    struct stat st;
    if (lstat(tmp, &st) == 0) old->new_dev = st.st_dev, old->new_ino = st.st_ino;
    old->final = final;
    old->exchanged = 1;
    slot_put(aside, old);   /* a signal once the exchange is made swaps it back */
    if (renameat2(AT_FDCWD, tmp, AT_FDCWD, final, RENAME_EXCHANGE) == 0) return 0;
    slot_take(aside, old);
    old->exchanged = 0;
    if (!unsupported(errno)) {
        int rc = mc_err_errno(e, final, "cannot rename the output into place");
        old_free(old);
        return rc;
    }
    free(old->path);
    if (!(old->path = sibling(final, "old"))) {
        old_free(old);
        return mc_err_oom(e, final);
    }
    slot_put(aside, old);   /* from here a signal puts it back */
    if (rename(final, old->path) < 0) {
        int rc = mc_err_errno(e, final, "cannot move the old output aside");
        old_free(old);
        return rc;
    }
    if (rename(tmp, final) == 0) return 0;
    int rc = mc_err_errno(e, final, "cannot rename the output into place");
    rename(old->path, final);
    old_free(old);
    return rc;
}

/* Undo a put: the new output back at TMP, the old one (if any) at FINAL. */
static void take_back(const char *tmp, const char *final, outdir_old *old)
{
    slot_take(aside, old);   /* put back here, not by a signal on top */
    if (old->exchanged) renameat2(AT_FDCWD, tmp, AT_FDCWD, final, RENAME_EXCHANGE);
    else {
        rename(final, tmp);
        if (old->path) rename(old->path, final);
    }
    old_free(old);
}

/* Move tmp into final and sync its directory; an old final (force) is kept in
 * *old, for the caller to drop or put back.  On failure the new one is back
 * at tmp (for the caller to remove) and the old one in place. */
static int swap_in(const char *tmp, const char *final, int force, outdir_old *old, mc_err *e)
{
    *old = (outdir_old){.fd = -1};
    struct stat st;
    int rc;
    if (lstat(final, &st) < 0) {
        rc = put_new(tmp, final, e);
        /* another run committed it since: replaced as if it had been there (the last run's stays) */
        if (rc < 0 && force && lstat(final, &st) == 0) rc = put_over(tmp, final, old, e);
    } else if (!force) rc = already_exists(final, e);
    else rc = put_over(tmp, final, old, e);
    if (rc < 0) return -1;
    if (sync_wanted() && sync_parent(final, e) < 0) {
        take_back(tmp, final, old);   /* not durable: not committed either */
        return -1;
    }
    return 0;
}

/* The old output removed: no signal may put back what is half removed, so it
 * goes from those to put back to those to remove as it is being removed. */
static void drop_old(outdir_old *old)
{
    mc_err ignored;
    slot_put(live, old->path);
    slot_take(aside, old);
    if (old->path) outdir_remove_tree(old->path, &ignored);
    slot_take(live, old->path);
    old_free(old);
}

/* swap_in, the old output removed once the new one is in place. */
static int replace(const char *tmp, const char *final, int force, mc_err *e)
{
    outdir_old old;
    if (swap_in(tmp, final, force, &old, e) < 0) return -1;
    drop_old(&old);
    return 0;
}

/* --- an output the same as before ------------------------------------------------------ */

static int is_hidden(const char *name) { return name[0] == '.'; }

/* Whether the regular files A and B hold the same bytes. */
static int same_file(const char *a, const char *b)
{
    FILE *fa = fopen(a, "rb"), *fb = fa ? fopen(b, "rb") : NULL;
    int same = fb != NULL;
    char x[16384], y[16384];
    while (same) {
        size_t n = fread(x, 1, sizeof x, fa);
        same = fread(y, 1, sizeof y, fb) == n && !memcmp(x, y, n) && !ferror(fa) && !ferror(fb);
        if (n < sizeof x) break;
    }
    if (fb) fclose(fb);
    if (fa) fclose(fa);
    return same;
}

static int same_tree(const char *a, const char *b);

/* Whether NAME is the same in the directories A and B (the same type, and files of the same bytes). */
static int same_entry(const char *a, const char *b, const char *name)
{
    char *pa = path_join(a, name), *pb = path_join(b, name);
    struct stat sa, sb;
    int same = pa && pb && lstat(pa, &sa) == 0 && lstat(pb, &sb) == 0 && (sa.st_mode & S_IFMT) == (sb.st_mode & S_IFMT);
    if (same && S_ISDIR(sa.st_mode)) same = same_tree(pa, pb);
    else if (same) same = S_ISREG(sa.st_mode) && sa.st_size == sb.st_size && same_file(pa, pb);
    free(pa);
    free(pb);
    return same;
}

/* How many entries of directory D are not hidden; -1 if it cannot be listed. */
static long count_visible(const char *d)
{
    DIR *dir = opendir(d);
    if (!dir) return -1;
    long n = 0;
    struct dirent *de;
    while ((de = readdir(dir))) n += !is_hidden(de->d_name);
    closedir(dir);
    return n;
}

/* Whether directories A and B hold the same entries, hidden ones (temporaries, stamps) aside. */
static int same_tree(const char *a, const char *b)
{
    DIR *dir = opendir(a);
    if (!dir) return 0;
    long n = 0;
    int same = 1;
    struct dirent *de;
    while (same && (de = readdir(dir)))
        if (!is_hidden(de->d_name)) {
            n++;
            same = same_entry(a, b, de->d_name);
        }
    closedir(dir);
    return same && count_visible(b) == n;
}

int outdir_commit(outdir *o, mc_err *e)
{
    if ((o->force & OUTDIR_KEEP_SAME) && same_tree(o->tmp, o->final)) {
        outdir_abort(o);   /* already there, and durable since its own commit */
        return 0;
    }
    int rc = sync_wanted() && sync_tree(o->tmp, e) < 0 ? -1 : 0;
    if (rc == 0) rc = replace(o->tmp, o->final, o->force, e);
    if (rc < 0) {
        outdir_abort(o);
        return -1;
    }
    outdir_free(o);
    return 0;
}

/* O's file synced and not about to replace a directory. */
static int file_ready(const outfile *o, mc_err *e)
{
    struct stat st;
    if (lstat(o->final, &st) == 0 && S_ISDIR(st.st_mode)) {
        errno = EISDIR;
        return mc_err_errno(e, o->final, "cannot rename the output into place");
    }
    if (sync_wanted() && fsync(o->fd) < 0) return mc_err_errno(e, o->tmp, "cannot sync");
    return 0;
}

/* --- several outputs at once ------------------------------------------------------- */

static int set_add(commit_set *s, const char *tmp, const char *final, int force, mc_err *e)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 4;
        char **f = mc_alloc_resize(s->final, cap, sizeof *f);
        if (f) s->final = f;
        outdir_old *o = f ? mc_alloc_resize(s->old, cap, sizeof *o) : NULL;
        if (!o) return mc_err_oom(e, final);
        s->old = o;
        s->cap = cap;
    }
    char *f = strdup(final);
    if (!f) return mc_err_oom(e, final);
    if (swap_in(tmp, f, force, &s->old[s->n], e) < 0) {   /* f: kept as long as the old one is */
        free(f);
        return -1;
    }
    s->final[s->n++] = f;
    return 0;
}

int outdir_set_dir(commit_set *s, outdir *o, mc_err *e)
{
    int rc = sync_wanted() && sync_tree(o->tmp, e) < 0 ? -1 : 0;
    if (rc == 0) rc = set_add(s, o->tmp, o->final, o->force, e);
    if (rc < 0) outdir_abort(o);
    else outdir_free(o);
    return rc;
}

static void outfile_free(outfile *o)
{
    slot_take(live, o->tmp);
    if (o->tmp && !o->direct) close(o->fd);
    if (o->tmp && !o->direct && o->held >= 0) close(o->held);
    free(o->tmp);
    free(o->final);
    memset(o, 0, sizeof *o);
}

int outdir_set_file(commit_set *s, outfile *o, mc_err *e)
{
    int rc = file_ready(o, e);
    if (rc == 0) rc = set_add(s, o->tmp, o->final, 1, e);
    if (rc < 0) outdir_file_abort(o);
    else outfile_free(o);
    return rc;
}

static void set_free(commit_set *s)
{
    free(s->final);
    free(s->old);
    memset(s, 0, sizeof *s);
}

void outdir_set_done(commit_set *s)
{
    for (size_t i = 0; i < s->n; i++) {
        drop_old(&s->old[i]);
        free(s->final[i]);
    }
    set_free(s);
}

void outdir_set_undo(commit_set *s)
{
    for (size_t i = s->n; i-- > 0;) {
        outdir_old *old = &s->old[i];
        mc_err ignored;
        slot_take(aside, old);
        if (old->exchanged && renameat2(AT_FDCWD, old->path, AT_FDCWD, s->final[i], RENAME_EXCHANGE) == 0)
            outdir_remove_tree(old->path, &ignored);   /* the new one, now at the old one's place */
        else if (!old->exchanged) {
            outdir_remove_tree(s->final[i], &ignored);
            if (old->path) rename(old->path, s->final[i]);
        }
        old_free(old);
        free(s->final[i]);
    }
    set_free(s);
}

void outdir_abort(outdir *o)
{
    mc_err ignored;
    if (o->tmp) outdir_remove_tree(o->tmp, &ignored);   /* still locked: no sweep races us */
    outdir_free(o);
}

/* A stream: under /dev/ (stdout, /dev/fd/N, devices) but for /dev/shm/, a tmpfs of ordinary
 * files (a cluster node's scratch), or an existing FIFO, device or socket. */
int outdir_file_is_direct(const char *path)
{
    struct stat st;
    if (!strncmp(path, "/dev/", 5) && strncmp(path, "/dev/shm/", 9)) return 1;
    return stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode);
}

static int begin_file(outfile *o, const char *final, int force, mc_err *e);

int outdir_file_begin(outfile *o, const char *final, int force, mc_err *e)
{
    memset(o, 0, sizeof *o);
    if (outdir_file_is_direct(final)) {
        /* A stream or device cannot be renamed over, and its reader wants the bytes as they come. */
        o->direct = 1;
        o->final = strdup(final);
        o->tmp = strdup(final);
        if (o->final && o->tmp) return 0;
        outdir_file_abort(o);
        return mc_err_oom(e, final);
    }
    return begin_file(o, final, force, e);
}

int outdir_file_begin_regular(outfile *o, const char *final, int force, mc_err *e)
{
    memset(o, 0, sizeof *o);
    struct stat st;
    if (stat(final, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
        return mc_err_fail(e, "%s: not a regular file", final);
    return begin_file(o, final, force, e);
}

static int begin_file(outfile *o, const char *final, int force, mc_err *e)
{
    char *tmp = NULL;
    if (prepare(final, force, e) < 0) return -1;
    if (!(o->final = strdup(final))) return mc_err_oom(e, final);
    int held = hold_container(final);
    int fd = make_tmp(final, 0, &tmp, e);
    if (fd < 0) {
        if (held >= 0) close(held);
        free(o->final);
        memset(o, 0, sizeof *o);
        return -1;
    }
    o->held = held;
    o->fd = fd;
    o->tmp = tmp;
    return 0;
}

FILE *outdir_file_stream(outfile *o, mc_err *e)
{
    FILE *f = NULL;
    if (o->direct) f = fopen(o->final, "w");
    else {
        int fd = fcntl(o->fd, F_DUPFD_CLOEXEC, 3);
        if (fd >= 0 && !(f = fdopen(fd, "w"))) close(fd);
    }
    if (!f) mc_err_errno(e, o->final, "cannot create");
    return f;
}

int outdir_file_fd(const outfile *o)
{
    return o->direct ? -1 : o->fd;
}

int outdir_file_commit(outfile *o, mc_err *e)
{
    if (o->direct) {
        outdir_file_abort(o);
        return 0;
    }
    int rc = file_ready(o, e) < 0 ? -1 : replace(o->tmp, o->final, 1, e);   /* begin checked --force */
    if (rc < 0) unlink(o->tmp);
    outfile_free(o);
    return rc;
}

void outdir_file_abort(outfile *o)
{
    if (o->tmp && !o->direct) unlink(o->tmp);
    outfile_free(o);
}

/* --- removal ---------------------------------------------------------------------- */

static int remove_at(int dirfd, const char *name, const char *shown, mc_err *e)
{
    if (unlinkat(dirfd, name, 0) == 0 || errno == ENOENT) return 0;
    if (errno != EISDIR && errno != EPERM) return mc_err_errno(e, shown, "cannot remove");
    int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    if (fd < 0) return mc_err_errno(e, shown, "cannot open");
    DIR *d = fdopendir(fd);
    if (!d) {
        close(fd);
        return mc_err_errno(e, shown, "cannot list");
    }
    struct dirent *de;
    int rc = 0;
    while (rc == 0 && (de = readdir(d)))
        if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) rc = remove_at(fd, de->d_name, shown, e);
    closedir(d);
    if (rc == 0 && unlinkat(dirfd, name, AT_REMOVEDIR) < 0) rc = mc_err_errno(e, shown, "cannot remove");
    return rc;
}

int outdir_remove_tree(const char *path, mc_err *e)
{
    return remove_at(AT_FDCWD, path, path, e);
}

size_t outdir_open_files_budget(void)
{
    struct rlimit r;
    if (getrlimit(RLIMIT_NOFILE, &r) < 0 || r.rlim_cur == RLIM_INFINITY) return 256;
    return r.rlim_cur > 64 ? (size_t)(r.rlim_cur - 32) / 2 : 16;
}
