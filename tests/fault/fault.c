/* fault: an LD_PRELOAD shim that fails the Nth write point of a process, so a
 * test can make every place a tool writes fail once (tests/faults.bats).
 *
 *   MC_FAULT_AT=N     fail the Nth call (from 1) of the calls below; 0 or unset: none
 *   MC_FAULT_LOG=F    append "N CALL" to F when it fails, and "calls N" at exit
 *   MC_FAULT_KILL=1   die of SIGKILL at that call instead, before making it (a crash)
 *   MC_FAULT_SIGNAL=S make that call, then raise signal number S (Ctrl-C right after it:
 *                     a temporary just made must be removed by the tool's handler); S's
 *                     action is the default from the start, whatever the caller's
 *   MC_FAULT_NO_EXCHANGE=1  renameat2 with flags fails with EINVAL, uncounted, as on a
 *                     filesystem that has neither RENAME_EXCHANGE nor RENAME_NOREPLACE
 *   MC_CRASH_LOG=DIR  record what a power loss could keep, for tests/helpers/crash.py:
 *   MC_CRASH_ROOT=R   for every fsync/fdatasync of a file or directory under R (absolute,
 *                     no symlinks), the file's bytes or the directory's entries as they
 *                     are when it returns; and every file or directory created under R
 *                     (its inode number: a reused number is a new file), and with each
 *                     sync the whole tree's names as they are.  DIR/log holds
 *                     the records in order, DIR/b* the bytes; DIR/lock orders the records
 *                     of every thread and process (creations are made under it too).
 *                     The real fsync is skipped: the model says what is durable.
 *   MC_FAULT_ALLOC_AT=N  (libfault-alloc.so) fail the Nth allocation point (from 1, counted
 *                     apart) with ENOMEM; MC_FAULT_LOG then gets "N malloc" (or calloc, ...)
 *                     and "allocs N" at exit
 *
 * Write points: opening for writing (open, openat, creat, fopen), mkdir, mkdirat,
 * rename, renameat, renameat2, link, symlink, write, pwrite, writev, ftruncate, fsync,
 * fdatasync, fflush and fclose of a stream open for writing.  Writes to
 * stdout and stderr (fds 0-2) are not counted: errors must get out.  stdio's
 * own buffer flushes call the kernel from inside libc, out of reach; fflush
 * and fclose stand for them, and a full tmpfs covers the rest.
 *
 * Allocation points, in libfault-alloc.so (this file built with FAULT_ALLOC;
 * apart, because its malloc would bypass AddressSanitizer's under make
 * sanitize): malloc, calloc, realloc, strdup and strndup called by
 * the program itself (mc's code, linked into it), not by the libraries under
 * it (libc, HDF5, libyaml), whose own handling of a failed allocation is not
 * mc's to test; the caller is told by its return address, inside or outside
 * the program's executable segments, less HDF5's functions where the program
 * links HDF5's archive (the span of its H5* functions in the program's symbol
 * table, their cold parts aside: gcc places those before everything).  The
 * real allocator is glibc's __libc_malloc family, which needs no dlsym
 * (itself an allocator). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <link.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

static long at = -1, calls;
static int pending;   /* MC_FAULT_SIGNAL's signal, to raise once the call is made */
#ifdef FAULT_ALLOC
static long alloc_at = -1, allocs;
/* The program's executable segments: [text_lo, text_hi). */
static uintptr_t text_lo, text_hi;
/* HDF5's functions among them, when the program links its archive: [hdf5_lo, hdf5_hi). */
static uintptr_t hdf5_lo, hdf5_hi;
#endif

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
    const char *sig = getenv("MC_FAULT_SIGNAL");
    if (sig) {   /* the call is made: signal_pending raises it after */
        pending = atoi(sig);
        return 0;
    }
    errno = err;
    return 1;
}

/* MC_FAULT_SIGNAL's signal is delivered as a terminal's would be: its action the default at
 * start, as in a foreground job (a suite started in the background finds SIGINT ignored,
 * and the tools keep an ignored signal ignored). */
__attribute__((constructor)) static void signal_default(void)
{
    const char *sig = getenv("MC_FAULT_SIGNAL");
    if (sig && atoi(sig) > 0) signal(atoi(sig), SIG_DFL);
}

/* After a call: the signal MC_FAULT_SIGNAL asked for at it, if it was the one. */
static void signal_pending(void)
{
    if (!pending) return;
    int sig = pending, saved = errno;
    pending = 0;
    raise(sig);
    errno = saved;
}
#define AFTER(call)                     \
    ({                                  \
        __typeof__(call) after_ = call; \
        signal_pending();               \
        after_;                         \
    })

__attribute__((destructor)) static void report(void)
{
    char what[64];
    snprintf(what, sizeof what, "calls %ld", calls);
    note(what);
#ifdef FAULT_ALLOC
    snprintf(what, sizeof what, "allocs %ld", allocs);
    note(what);
#endif
}

/* --- the power-loss recorder (MC_CRASH_LOG) ------------------------------------------------ */

static int crash_on(void) { return getenv("MC_CRASH_LOG") && getenv("MC_CRASH_ROOT"); }

static int real_open_(const char *path, int flags, mode_t mode)
{
    int (*o)(const char *, int, ...) = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, "open");
    return o(path, flags, mode);
}

static ssize_t real_write_(int fd, const void *b, size_t n)
{
    ssize_t (*w)(int, const void *, size_t) = (ssize_t(*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
    return w(fd, b, n);
}

static void write_all(int fd, const char *b, size_t n)
{
    while (n > 0) {
        ssize_t k = real_write_(fd, b, n);
        if (k <= 0) abort();   /* a lost record would make the model wrong: stop the run */
        b += k;
        n -= (size_t)k;
    }
}

/* The recorder's lock: every record, and every creation it records, under it.  A
 * descriptor of its own each time, so it also orders the threads of one process. */
static int crash_lock(void)
{
    char p[4096];
    snprintf(p, sizeof p, "%s/lock", getenv("MC_CRASH_LOG"));
    int fd = real_open_(p, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (fd < 0 || flock(fd, LOCK_EX) < 0) abort();
    return fd;
}

static void crash_append(const char *b, size_t n)
{
    char p[4096];
    snprintf(p, sizeof p, "%s/log", getenv("MC_CRASH_LOG"));
    int fd = real_open_(p, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
    if (fd < 0) abort();
    write_all(fd, b, n);
    close(fd);
}

/* Is FD's file under MC_CRASH_ROOT? */
static int fd_in_root(int fd)
{
    char link[64], p[4096];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, p, sizeof p - 1);
    if (n < 0) return 0;
    p[n] = 0;
    const char *root = getenv("MC_CRASH_ROOT");
    size_t rl = strlen(root);
    return !strncmp(p, root, rl) && (p[rl] == '/' || !p[rl]);
}

/* A growing text buffer (the shim's own; aborts when memory runs out). */
typedef struct {
    char *b;
    size_t n, cap;
} buf;

static void put(buf *o, const char *fmt, ...)
{
    va_list ap;
    for (;;) {
        va_start(ap, fmt);
        int k = vsnprintf(o->b + o->n, o->cap - o->n, fmt, ap);
        va_end(ap);
        if (k < 0) abort();
        if (o->n + (size_t)k < o->cap) {
            o->n += (size_t)k;
            return;
        }
        o->cap = 2 * (o->cap + (size_t)k) + 256;
        if (!(o->b = realloc(o->b, o->cap))) abort();
    }
}

/* Modification time in ns (make decides by it). */
static long long mtime_ns(const struct stat *st)
{
    return (long long)st->st_mtim.tv_sec * 1000000000LL + st->st_mtim.tv_nsec;
}

/* "D INO N" and a line per entry, "TYPE INO MTIME NAME[\tTARGET]" (f, d, l, o). */
static void record_dir(int fd, const struct stat *st, buf *o)
{
    int (*oa)(int, const char *, int, ...) = (int (*)(int, const char *, int, ...))dlsym(RTLD_NEXT, "openat");
    int dfd = oa(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
    if (!d) abort();
    buf lines = {0};
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        struct stat e;
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue;
        if (fstatat(dirfd(d), de->d_name, &e, AT_SYMLINK_NOFOLLOW) < 0) continue;   /* gone meanwhile */
        if (strpbrk(de->d_name, "\t\n")) abort();
        char t = S_ISREG(e.st_mode) ? 'f' : S_ISDIR(e.st_mode) ? 'd' : S_ISLNK(e.st_mode) ? 'l' : 'o';
        put(&lines, "%c %lu %lld %s", t, (unsigned long)e.st_ino, mtime_ns(&e), de->d_name);
        if (t == 'l') {
            char target[4096];
            ssize_t k = readlinkat(dirfd(d), de->d_name, target, sizeof target - 1);
            put(&lines, "\t%.*s", (int)(k < 0 ? 0 : k), target);
        }
        put(&lines, "\n");
        n++;
    }
    closedir(d);
    put(o, "D %lu %zu\n%.*s", (unsigned long)st->st_ino, n, (int)lines.n, lines.b ? lines.b : "");
    free(lines.b);
}

/* "F INO SIZE BLOB MTIME": the file's bytes now, copied to DIR/BLOB, named by the log's
 * length (the lock is held: unique, whatever the PIDs of the run's processes). */
static void record_file(int fd, const struct stat *st, buf *o)
{
    char name[64], p[4096], link[64];
    struct stat log;
    snprintf(p, sizeof p, "%s/log", getenv("MC_CRASH_LOG"));
    snprintf(name, sizeof name, "b%lld", stat(p, &log) == 0 ? (long long)log.st_size : 0LL);
    snprintf(p, sizeof p, "%s/%s", getenv("MC_CRASH_LOG"), name);
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    int in = real_open_(link, O_RDONLY | O_CLOEXEC, 0);
    int out = real_open_(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (in < 0 || out < 0) abort();
    char b[65536];
    off_t at = 0, size = 0;
    ssize_t k;
    while ((k = pread(in, b, sizeof b, at)) > 0) {
        write_all(out, b, (size_t)k);
        at += k;
        size += k;
    }
    close(in);
    close(out);
    put(o, "F %lu %lld %s %lld\n", (unsigned long)st->st_ino, (long long)size, name, mtime_ns(st));
}

/* "TYPE INO MTIME PATH[\tTARGET]" for everything under DFD (PREFIX its path), recursively. */
static size_t record_tree(int dfd, const char *prefix, buf *o, int depth)
{
    int (*oa)(int, const char *, int, ...) = (int (*)(int, const char *, int, ...))dlsym(RTLD_NEXT, "openat");
    int fd = oa(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (!d || depth > 64) abort();
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        struct stat e;
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue;
        if (fstatat(dirfd(d), de->d_name, &e, AT_SYMLINK_NOFOLLOW) < 0) continue;
        if (strpbrk(de->d_name, "\t\n")) abort();
        char t = S_ISREG(e.st_mode) ? 'f' : S_ISDIR(e.st_mode) ? 'd' : S_ISLNK(e.st_mode) ? 'l' : 'o';
        put(o, "%c %lu %lld %s%s", t, (unsigned long)e.st_ino, mtime_ns(&e), prefix, de->d_name);
        if (t == 'l') {
            char target[4096];
            ssize_t k = readlinkat(dirfd(d), de->d_name, target, sizeof target - 1);
            put(o, "\t%.*s", (int)(k < 0 ? 0 : k), target);
        }
        put(o, "\n");
        n++;
        if (t == 'd') {
            char sub[4096];
            snprintf(sub, sizeof sub, "%s%s/", prefix, de->d_name);
            int c = oa(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (c >= 0) {
                n += record_tree(c, sub, o, depth + 1);
                close(c);
            }
        }
    }
    closedir(d);
    return n;
}

/* "L N" and the whole tree under the root as it is now, N lines (the names a
 * power loss keeps when the filesystem keeps every change of names in order). */
static void record_listing(buf *o)
{
    int (*oa)(int, const char *, int, ...) = (int (*)(int, const char *, int, ...))dlsym(RTLD_NEXT, "openat");
    int r = oa(AT_FDCWD, getenv("MC_CRASH_ROOT"), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (r < 0) abort();
    buf t = {0};
    size_t n = record_tree(r, "", &t, 0);
    close(r);
    put(o, "L %zu\n%.*s", n, (int)t.n, t.b ? t.b : "");
    free(t.b);
}

/* After FD was synced: what it holds now survives a power loss. */
static void record_sync(int fd)
{
    struct stat st;
    if (!crash_on() || fstat(fd, &st) < 0 || (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) || !fd_in_root(fd))
        return;
    int lock = crash_lock();
    buf o = {0};
    if (S_ISDIR(st.st_mode)) record_dir(fd, &st, &o);
    else record_file(fd, &st, &o);
    record_listing(&o);
    crash_append(o.b, o.n);
    free(o.b);
    close(lock);
}

/* A creation: LOCK (-1: not recording) taken before it, and whether its name existed before. */
typedef struct {
    int lock, existed;
} creation;

static creation creating(int dir, const char *path, int creates)
{
    creation c = {-1, 1};
    if (!creates || !crash_on()) return c;
    c.lock = crash_lock();
    struct stat st;
    c.existed = fstatat(dir, path, &st, AT_SYMLINK_NOFOLLOW) == 0;
    return c;
}

/* "B INO" for a file or directory that is new under the root (FD open on it, or -1 and DIR/PATH;
 * -1 and no PATH: the creation failed). */
static void created(creation c, int fd, int dir, const char *path)
{
    if (c.lock < 0) return;
    struct stat st;
    int ok = fd >= 0 ? fstat(fd, &st) == 0 && fd_in_root(fd) : 0;
    if (fd < 0 && path) {
        int (*oa)(int, const char *, int, ...) = (int (*)(int, const char *, int, ...))dlsym(RTLD_NEXT, "openat");
        int d = oa(dir, path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        ok = d >= 0 && fstat(d, &st) == 0 && fd_in_root(d);
        if (d >= 0) close(d);
    }
    if (ok && !c.existed) {
        char line[64];
        int n = snprintf(line, sizeof line, "B %lu\n", (unsigned long)st.st_ino);
        crash_append(line, (size_t)n);
    }
    close(c.lock);
}

#ifdef FAULT_ALLOC

/* --- allocation points ----------------------------------------------------------- */

/* The span [*LO, *HI) of the functions named H5* in the program's symbol
 * table, at load bias BIAS: HDF5 linked from its archive, a library's code
 * inside the program.  Nothing when the program has no symbol table. */
static void hdf5_text(uintptr_t bias, uintptr_t *lo, uintptr_t *hi)
{
    int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0) return;
    const unsigned char *f = fstat(fd, &st) == 0 && st.st_size > (off_t)sizeof(ElfW(Ehdr))
                                 ? mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0)
                                 : MAP_FAILED;
    close(fd);
    if (f == MAP_FAILED) return;
    size_t size = (size_t)st.st_size;
    const ElfW(Ehdr) *eh = (const ElfW(Ehdr) *)f;
    if (eh->e_shoff && eh->e_shoff + (size_t)eh->e_shnum * sizeof(ElfW(Shdr)) <= size) {
        const ElfW(Shdr) *sh = (const ElfW(Shdr) *)(f + eh->e_shoff);
        for (int i = 0; i < eh->e_shnum; i++) {
            if (sh[i].sh_type != SHT_SYMTAB || sh[i].sh_link >= eh->e_shnum) continue;
            const ElfW(Shdr) *str = &sh[sh[i].sh_link];
            if (sh[i].sh_offset + sh[i].sh_size > size || str->sh_offset + str->sh_size > size) continue;
            const ElfW(Sym) *sym = (const ElfW(Sym) *)(f + sh[i].sh_offset);
            for (size_t k = 0; k < sh[i].sh_size / sizeof *sym; k++) {
                if (ELF64_ST_TYPE(sym[k].st_info) != STT_FUNC || !sym[k].st_value || sym[k].st_name >= str->sh_size)
                    continue;
                const char *name = (const char *)f + str->sh_offset + sym[k].st_name;
                if (name[0] != 'H' || name[1] != '5' || strchr(name, '.')) continue;   /* not f.cold: placed apart */
                uintptr_t a = bias + sym[k].st_value, b = a + sym[k].st_size;
                if (!*lo || a < *lo) *lo = a;
                if (b > *hi) *hi = b;
            }
        }
    }
    munmap((void *)f, size);
}

/* The first object dl_iterate_phdr lists is the program: its executable PT_LOAD segments. */
static int program_text(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    (void)data;
    hdf5_text(info->dlpi_addr, &hdf5_lo, &hdf5_hi);
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X)) continue;
        uintptr_t lo = info->dlpi_addr + ph->p_vaddr, hi = lo + ph->p_memsz;
        if (!text_lo || lo < text_lo) text_lo = lo;
        if (hi > text_hi) text_hi = hi;
    }
    return 1;
}

/* Before the program runs, and before any allocation point is counted. */
__attribute__((constructor)) static void find_program(void)
{
    const char *v = getenv("MC_FAULT_ALLOC_AT");
    alloc_at = v ? atol(v) : 0;
    if (alloc_at > 0) dl_iterate_phdr(program_text, NULL);
}

/* Count an allocation point when CALLER is the program's; 1 if this is the one to fail (errno ENOMEM). */
static int alloc_fails(void *caller, const char *call)
{
    uintptr_t c = (uintptr_t)caller;
    if (alloc_at <= 0 || c < text_lo || c >= text_hi || (c >= hdf5_lo && c < hdf5_hi)) return 0;
    if (__atomic_add_fetch(&allocs, 1, __ATOMIC_RELAXED) != alloc_at) return 0;
    char what[96];
    snprintf(what, sizeof what, "%ld %s", alloc_at, call);
    note(what);
    errno = ENOMEM;
    return 1;
}

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);

void *malloc(size_t n)
{
    if (alloc_fails(__builtin_return_address(0), "malloc")) return NULL;
    return __libc_malloc(n);
}

void *calloc(size_t n, size_t size)
{
    if (alloc_fails(__builtin_return_address(0), "calloc")) return NULL;
    return __libc_calloc(n, size);
}

void *realloc(void *p, size_t n)
{
    if (alloc_fails(__builtin_return_address(0), "realloc")) return NULL;
    return __libc_realloc(p, n);
}

char *strndup(const char *s, size_t n)
{
    if (alloc_fails(__builtin_return_address(0), "strndup")) return NULL;
    size_t len = strnlen(s, n);
    char *d = __libc_malloc(len + 1);
    if (!d) return NULL;
    memcpy(d, s, len);
    d[len] = 0;
    return d;
}

char *strdup(const char *s)
{
    if (alloc_fails(__builtin_return_address(0), "strdup")) return NULL;
    size_t len = strlen(s);
    char *d = __libc_malloc(len + 1);
    if (d) memcpy(d, s, len + 1);
    return d;
}
#endif

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
    creation c = creating(AT_FDCWD, path, flags & O_CREAT);
    int fd = real_open(path, flags, mode);
    created(c, fd, AT_FDCWD, NULL);
    signal_pending();
    return fd;
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
    creation c = creating(dir, path, flags & O_CREAT);
    int fd = real_openat(dir, path, flags, mode);
    created(c, fd, dir, NULL);
    signal_pending();
    return fd;
}
int openat64(int dir, const char *path, int flags, ...) __attribute__((alias("openat")));

int creat(const char *path, mode_t mode)
{
    REAL(creat);
    if (fail_now("creat", ENOSPC)) return -1;
    creation c = creating(AT_FDCWD, path, 1);
    int fd = real_creat(path, mode);
    created(c, fd, AT_FDCWD, NULL);
    signal_pending();
    return fd;
}

FILE *fopen(const char *path, const char *mode)
{
    REAL(fopen);
    if (strpbrk(mode, "wa+") && fail_now("fopen", ENOSPC)) return NULL;
    creation c = creating(AT_FDCWD, path, strpbrk(mode, "wa") != NULL);
    FILE *f = real_fopen(path, mode);
    created(c, f ? fileno(f) : -1, AT_FDCWD, NULL);
    signal_pending();
    return f;
}
FILE *fopen64(const char *path, const char *mode) __attribute__((alias("fopen")));

int mkdir(const char *path, mode_t mode)
{
    REAL(mkdir);
    if (fail_now("mkdir", ENOSPC)) return -1;
    creation c = creating(AT_FDCWD, path, 1);
    int rc = real_mkdir(path, mode);
    created(c, -1, AT_FDCWD, rc == 0 ? path : NULL);
    signal_pending();
    return rc;
}

int mkdirat(int dir, const char *path, mode_t mode)
{
    REAL(mkdirat);
    if (fail_now("mkdirat", ENOSPC)) return -1;
    creation c = creating(dir, path, 1);
    int rc = real_mkdirat(dir, path, mode);
    created(c, -1, dir, rc == 0 ? path : NULL);
    signal_pending();
    return rc;
}

int rename(const char *from, const char *to)
{
    REAL(rename);
    if (fail_now("rename", EIO)) return -1;
    return AFTER(real_rename(from, to));
}

int renameat(int fd1, const char *from, int fd2, const char *to)
{
    REAL(renameat);
    if (fail_now("renameat", EIO)) return -1;
    return AFTER(real_renameat(fd1, from, fd2, to));
}

int renameat2(int fd1, const char *from, int fd2, const char *to, unsigned flags)
{
    REAL(renameat2);
    const char *no_exchange = getenv("MC_FAULT_NO_EXCHANGE");
    if (flags && no_exchange && *no_exchange) {   /* a filesystem without RENAME_EXCHANGE and _NOREPLACE */
        errno = EINVAL;
        return -1;
    }
    if (fail_now("renameat2", EIO)) return -1;
    return AFTER(real_renameat2(fd1, from, fd2, to, flags));
}

int link(const char *from, const char *to)
{
    REAL(link);
    if (fail_now("link", ENOSPC)) return -1;
    return AFTER(real_link(from, to));
}

int symlink(const char *from, const char *to)
{
    REAL(symlink);
    if (fail_now("symlink", ENOSPC)) return -1;
    return AFTER(real_symlink(from, to));
}

ssize_t write(int fd, const void *buf, size_t n)
{
    REAL(write);
    if (fd > 2 && fail_now("write", ENOSPC)) return -1;
    return AFTER(real_write(fd, buf, n));
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
    REAL(pwrite);
    if (fd > 2 && fail_now("pwrite", ENOSPC)) return -1;
    return AFTER(real_pwrite(fd, buf, n, off));
}
ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off) __attribute__((alias("pwrite")));

ssize_t writev(int fd, const struct iovec *v, int n)
{
    REAL(writev);
    if (fd > 2 && fail_now("writev", ENOSPC)) return -1;
    return AFTER(real_writev(fd, v, n));
}

int ftruncate(int fd, off_t len)
{
    REAL(ftruncate);
    if (fail_now("ftruncate", ENOSPC)) return -1;
    return AFTER(real_ftruncate(fd, len));
}
int ftruncate64(int fd, off_t len) __attribute__((alias("ftruncate")));

int fsync(int fd)
{
    REAL(fsync);
    if (fail_now("fsync", EIO)) return -1;
    int rc = crash_on() ? 0 : real_fsync(fd);   /* recorded, durability is the model's: no wait for the disk */
    if (rc == 0) record_sync(fd);
    signal_pending();
    return rc;
}

int fdatasync(int fd)
{
    REAL(fdatasync);
    if (fail_now("fdatasync", EIO)) return -1;
    int rc = crash_on() ? 0 : real_fdatasync(fd);
    if (rc == 0) record_sync(fd);
    signal_pending();
    return rc;
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
    return AFTER(real_fflush(f));
}

int fclose(FILE *f)
{
    REAL(fclose);
    int fail = counted_stream(f) && fail_now("fclose", ENOSPC);
    int rc = AFTER(real_fclose(f));   /* closed all the same, as a failed flush at close does */
    if (fail) {
        errno = ENOSPC;
        return EOF;
    }
    return rc;
}
