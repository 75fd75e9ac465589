/* fault: an LD_PRELOAD shim that fails the Nth write point of a process, so a
 * test can make every place a tool writes fail once (tests/faults.bats).
 *
 *   MC_FAULT_AT=N     fail the Nth call (from 1) of the calls below; 0 or unset: none
 *   MC_FAULT_LOG=F    append "N CALL" to F when it fails, and "calls N" at exit
 *   MC_FAULT_KILL=1   die of SIGKILL at that call instead, before making it (a crash)
 *
 * Write points: opening for writing (open, openat, creat, fopen), mkdir,
 * rename, renameat, renameat2, link, symlink, write, pwrite, writev, ftruncate, fsync,
 * fdatasync, fflush and fclose of a stream open for writing.  Writes to
 * stdout and stderr (fds 0-2) are not counted: errors must get out.  stdio's
 * own buffer flushes call the kernel from inside libc, out of reach; fflush
 * and fclose stand for them, and a full tmpfs covers the rest. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

static long at = -1, calls;

static long fault_at(void)
{
    if (at < 0) {
        const char *v = getenv("MC_FAULT_AT");
        at = v ? atol(v) : 0;
    }
    return at;
}

static void note(const char *what)
{
    const char *log = getenv("MC_FAULT_LOG");
    if (!log) return;
    int (*real_open)(const char *, int, ...) = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, "open");
    int fd = real_open(log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
    if (fd < 0) return;
    char line[128];
    int n = snprintf(line, sizeof line, "%s\n", what);
    ssize_t (*real_write)(int, const void *, size_t) = (ssize_t(*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
    if (real_write(fd, line, (size_t)n) < 0) {}
    close(fd);
}

/* Count one write point; 1 if this is the one to fail (errno set to ERR). */
static int fail_now(const char *call, int err)
{
    if (++calls != fault_at()) return 0;
    char what[96];
    snprintf(what, sizeof what, "%ld %s", calls, call);
    note(what);
    if (getenv("MC_FAULT_KILL")) raise(SIGKILL);
    errno = err;
    return 1;
}

__attribute__((destructor)) static void report(void)
{
    char what[64];
    snprintf(what, sizeof what, "calls %ld", calls);
    note(what);
}

/* The next definition of NAME (libc's), looked up once. */
#define REAL(name)                                  \
    static __typeof__(&name) real_##name;           \
    if (!real_##name) real_##name = (__typeof__(&name))dlsym(RTLD_NEXT, #name)

static int writing(int flags) { return (flags & (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_APPEND)) != 0; }

int open(const char *path, int flags, ...)
{
    REAL(open);
    va_list ap;
    va_start(ap, flags);
    mode_t mode = (flags & (O_CREAT | O_TMPFILE)) ? va_arg(ap, mode_t) : 0;
    va_end(ap);
    if (writing(flags) && fail_now("open", ENOSPC)) return -1;
    return real_open(path, flags, mode);
}
int open64(const char *path, int flags, ...) __attribute__((alias("open")));

int openat(int dir, const char *path, int flags, ...)
{
    REAL(openat);
    va_list ap;
    va_start(ap, flags);
    mode_t mode = (flags & (O_CREAT | O_TMPFILE)) ? va_arg(ap, mode_t) : 0;
    va_end(ap);
    if (writing(flags) && fail_now("openat", ENOSPC)) return -1;
    return real_openat(dir, path, flags, mode);
}
int openat64(int dir, const char *path, int flags, ...) __attribute__((alias("openat")));

int creat(const char *path, mode_t mode)
{
    REAL(creat);
    if (fail_now("creat", ENOSPC)) return -1;
    return real_creat(path, mode);
}

FILE *fopen(const char *path, const char *mode)
{
    REAL(fopen);
    if (strpbrk(mode, "wa+") && fail_now("fopen", ENOSPC)) return NULL;
    return real_fopen(path, mode);
}
FILE *fopen64(const char *path, const char *mode) __attribute__((alias("fopen")));

int mkdir(const char *path, mode_t mode)
{
    REAL(mkdir);
    if (fail_now("mkdir", ENOSPC)) return -1;
    return real_mkdir(path, mode);
}

int rename(const char *from, const char *to)
{
    REAL(rename);
    if (fail_now("rename", EIO)) return -1;
    return real_rename(from, to);
}

int renameat(int fd1, const char *from, int fd2, const char *to)
{
    REAL(renameat);
    if (fail_now("renameat", EIO)) return -1;
    return real_renameat(fd1, from, fd2, to);
}

int renameat2(int fd1, const char *from, int fd2, const char *to, unsigned flags)
{
    REAL(renameat2);
    if (fail_now("renameat2", EIO)) return -1;
    return real_renameat2(fd1, from, fd2, to, flags);
}

int link(const char *from, const char *to)
{
    REAL(link);
    if (fail_now("link", ENOSPC)) return -1;
    return real_link(from, to);
}

int symlink(const char *from, const char *to)
{
    REAL(symlink);
    if (fail_now("symlink", ENOSPC)) return -1;
    return real_symlink(from, to);
}

ssize_t write(int fd, const void *buf, size_t n)
{
    REAL(write);
    if (fd > 2 && fail_now("write", ENOSPC)) return -1;
    return real_write(fd, buf, n);
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
    REAL(pwrite);
    if (fd > 2 && fail_now("pwrite", ENOSPC)) return -1;
    return real_pwrite(fd, buf, n, off);
}
ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off) __attribute__((alias("pwrite")));

ssize_t writev(int fd, const struct iovec *v, int n)
{
    REAL(writev);
    if (fd > 2 && fail_now("writev", ENOSPC)) return -1;
    return real_writev(fd, v, n);
}

int ftruncate(int fd, off_t len)
{
    REAL(ftruncate);
    if (fail_now("ftruncate", ENOSPC)) return -1;
    return real_ftruncate(fd, len);
}
int ftruncate64(int fd, off_t len) __attribute__((alias("ftruncate")));

int fsync(int fd)
{
    REAL(fsync);
    if (fail_now("fsync", EIO)) return -1;
    return real_fsync(fd);
}

int fdatasync(int fd)
{
    REAL(fdatasync);
    if (fail_now("fdatasync", EIO)) return -1;
    return real_fdatasync(fd);
}

/* A stream open for writing, other than stdout and stderr (glibc's flags). */
static int counted_stream(FILE *f)
{
    return f && f != stdout && f != stderr && !(f->_flags & 0x8 /* _IO_NO_WRITES */);
}

int fflush(FILE *f)
{
    REAL(fflush);
    if (counted_stream(f) && fail_now("fflush", ENOSPC)) return EOF;
    return real_fflush(f);
}

int fclose(FILE *f)
{
    REAL(fclose);
    int fail = counted_stream(f) && fail_now("fclose", ENOSPC);
    int rc = real_fclose(f);   /* closed all the same, as a failed flush at close does */
    if (fail) {
        errno = ENOSPC;
        return EOF;
    }
    return rc;
}
