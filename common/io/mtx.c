/* mtx: Matrix Market coordinate files, read and written fast. */
#include "mtx.h"

#include "alloc.h"
#include "outdir.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <zlib.h>

#define READ_CHUNK (256u << 10)        /* bytes read at a time: a size the parser finds in the cache */
#define GZ_BUFFER (64u << 10)          /* zlib's buffer: under half of READ_CHUNK, so gzread fills ours directly */
#define CHUNKS 4                       /* READ_CHUNKs inflated ahead of the scanner (gzip input) */
#define BATCH (16u << 10)              /* entries parsed ahead in one batch */
#define SLOTS 4                        /* batches in flight between the scanner and mtx_next */
#define MAX_LINE (64u << 20)           /* a longer line is not Matrix Market */
#define WRITE_BUFFER (1u << 20)
#define ENTRY_MAX 64                   /* "ROW COL VALUE\n" never needs more */
#define NUMBERS_MAX (1u << 20)         /* number text kept for 0..NUMBERS_MAX-1 at most (9 bytes each) */

/* --- reader ------------------------------------------------------------------ */

/* Entries parsed ahead: those of consecutive lines, from LINE on.  END: 0 more
 * batches follow, 1 the file ended well, -1 the scanner failed (its error). */
typedef struct batch {
    uint32_t *row, *col;
    uint64_t *value;
    size_t n;
    uint64_t line;
    int end;
} batch;

/* The scanner (the text buffer, gz, line and seen) belongs to the thread that
 * fills batches: mtx_open's, then the scanner thread once mtx_next starts one.
 * mtx_next reads batches in order, so entries and errors come as without it. */
struct mtx_reader {
    char *path;
    gzFile gz;
    char *buf;          /* cap + 1 bytes: room for a '\n' added after a last line without one */
    size_t cap;
    char *pos;          /* next unread byte */
    char *lim;          /* one past the last '\n' in the buffer: [pos, lim) holds whole lines */
    char *end;          /* end of the data read */
    int eof;
    uint64_t line;      /* number of the line last consumed */
    uint32_t rows, cols;
    uint64_t entries, seen;
    int is_real;
    mc_err scan_err;    /* the scanner's error, read after a batch with end -1 */
    /* mtx_next's side */
    batch slot[SLOTS];
    int started, threaded, stop;
    unsigned produced, consumed;   /* batches filled and released: slot = count % SLOTS */
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t ready, freed;
    batch *cur;         /* the batch mtx_next reads, NULL before the first */
    size_t next;        /* its next entry */
    uint64_t out_line;  /* the line of the entry mtx_next returned last */
    int finished;       /* 1 at the end, -1 after an error: what mtx_next returns again */
    /* the inflater (gzip input only): a thread running gzread CHUNKS ahead of fill */
    char *chunk[CHUNKS];
    size_t chunk_n[CHUNKS], chunk_pos;   /* bytes in each; those of the oldest already taken */
    unsigned inflated, taken;            /* chunks made and used up: chunk = count % CHUNKS */
    int inflating, in_stop, in_end;      /* in_end: 1 after the last chunk, -1 then a read error */
    int in_errnum, in_errno;             /* the error: gzerror's number (and errno for Z_ERRNO) */
    char in_msg[200];                    /* and its text */
    pthread_t inflater;
    pthread_mutex_t in_lock;
    pthread_cond_t in_ready, in_freed;
};

static int read_error(mtx_reader *r, int errnum, int errno_then, const char *msg, mc_err *e)
{
    if (errnum == Z_ERRNO)
        return mc_err_fail(e, "%s:%llu: read error: %s", r->path, (unsigned long long)r->line + 1,
                           strerror(errno_then));
    if (errnum == Z_BUF_ERROR)
        return mc_err_fail(e, "%s:%llu: truncated gzip data", r->path, (unsigned long long)r->line + 1);
    return mc_err_fail(e, "%s:%llu: corrupt gzip data: %s", r->path, (unsigned long long)r->line + 1, msg);
}

static int read_failed(mtx_reader *r, mc_err *e)
{
    int errnum, errno_then = errno;
    const char *msg = gzerror(r->gz, &errnum);
    return read_error(r, errnum, errno_then, msg, e);
}

/* Up to WANT bytes of text at DST: the count, 0 at the end of the file, -1 on error. */
static int read_direct(mtx_reader *r, char *dst, size_t want, mc_err *e)
{
    int n = gzread(r->gz, dst, (unsigned)want);
    if (n < 0) return read_failed(r, e);
    if (n == 0) {
        int errnum;
        gzerror(r->gz, &errnum);
        if (errnum != Z_OK && errnum != Z_STREAM_END) return read_failed(r, e);
    }
    return n;
}

static void *inflater(void *arg)
{
    mtx_reader *r = arg;
    for (int end = 0; !end;) {
        pthread_mutex_lock(&r->in_lock);
        while (r->inflated - r->taken == CHUNKS && !r->in_stop) pthread_cond_wait(&r->in_freed, &r->in_lock);
        int stop = r->in_stop;
        pthread_mutex_unlock(&r->in_lock);
        if (stop) break;
        unsigned k = r->inflated % CHUNKS;
        int n = gzread(r->gz, r->chunk[k], READ_CHUNK), errnum = Z_OK, errno_then = errno;
        const char *msg = n <= 0 ? gzerror(r->gz, &errnum) : NULL;
        if (n < 0 || (n == 0 && errnum != Z_OK && errnum != Z_STREAM_END)) {
            end = -1;
            r->in_errnum = errnum;
            r->in_errno = errno_then;
            snprintf(r->in_msg, sizeof r->in_msg, "%s", msg);
        } else if (n == 0) end = 1;
        pthread_mutex_lock(&r->in_lock);
        r->chunk_n[k] = n > 0 ? (size_t)n : 0;
        if (end) r->in_end = end;
        else r->inflated++;
        pthread_cond_signal(&r->in_ready);
        pthread_mutex_unlock(&r->in_lock);
    }
    return NULL;
}

/* Up to WANT bytes from the inflater's chunks, as read_direct. */
static int read_inflated(mtx_reader *r, char *dst, size_t want, mc_err *e)
{
    pthread_mutex_lock(&r->in_lock);
    while (r->inflated == r->taken && !r->in_end) pthread_cond_wait(&r->in_ready, &r->in_lock);
    int end = r->inflated == r->taken ? r->in_end : 0;
    pthread_mutex_unlock(&r->in_lock);
    if (end > 0) return 0;
    if (end < 0) return read_error(r, r->in_errnum, r->in_errno, r->in_msg, e);
    unsigned k = r->taken % CHUNKS;
    size_t n = r->chunk_n[k] - r->chunk_pos;
    if (n > want) n = want;
    memcpy(dst, r->chunk[k] + r->chunk_pos, n);
    r->chunk_pos += n;
    if (r->chunk_pos == r->chunk_n[k]) {
        pthread_mutex_lock(&r->in_lock);
        r->taken++;
        r->chunk_pos = 0;
        pthread_cond_signal(&r->in_freed);
        pthread_mutex_unlock(&r->in_lock);
    }
    return (int)n;
}

/* A thread running FN(ARG) with its lock and two conditions made first: 1 when
 * it runs; 0 (nothing left made) when any of them cannot be, and the reader
 * then does that work itself. */
static int thread_start(pthread_t *t, pthread_mutex_t *lock, pthread_cond_t *a, pthread_cond_t *b,
                        void *(*fn)(void *), void *arg)
{
    if (pthread_mutex_init(lock, NULL)) return 0;
    if (pthread_cond_init(a, NULL)) goto no_a;
    if (pthread_cond_init(b, NULL)) goto no_b;
    if (pthread_create(t, NULL, fn, arg) == 0) return 1;
    pthread_cond_destroy(b);
no_b:
    pthread_cond_destroy(a);
no_a:
    pthread_mutex_destroy(lock);
    return 0;
}

/* thread_start's undoing: *STOP set under LOCK and B signalled (the thread waits on B
 * for room), the thread joined, then its lock and conditions unmade. */
static void thread_stop(pthread_t t, pthread_mutex_t *lock, pthread_cond_t *a, pthread_cond_t *b, int *stop)
{
    pthread_mutex_lock(lock);
    *stop = 1;
    pthread_cond_signal(b);
    pthread_mutex_unlock(lock);
    pthread_join(t, NULL);
    pthread_cond_destroy(b);
    pthread_cond_destroy(a);
    pthread_mutex_destroy(lock);
}

/* The inflater, for gzip input (plain files are only copied: no thread for
 * that); without it (it could not start) fill reads directly. */
static int start_inflater(mtx_reader *r, mc_err *e)
{
    if (gzdirect(r->gz)) return 0;
    for (int k = 0; k < CHUNKS; k++)
        if (!(r->chunk[k] = malloc(READ_CHUNK))) return mc_err_oom(e, r->path);
    r->inflating = thread_start(&r->inflater, &r->in_lock, &r->in_ready, &r->in_freed, inflater, r);
    return 0;
}

static void stop_inflater(mtx_reader *r)
{
    if (r->inflating) thread_stop(r->inflater, &r->in_lock, &r->in_ready, &r->in_freed, &r->in_stop);
    r->inflating = 0;
    for (int k = 0; k < CHUNKS; k++) free(r->chunk[k]);
}

/* Refill so that [pos, lim) holds at least one whole line, unless the file is
 * exhausted (then pos == lim == end).  A last line without '\n' gets one. */
static int fill(mtx_reader *r, mc_err *e)
{
    for (;;) {
        size_t keep = (size_t)(r->end - r->pos);
        memmove(r->buf, r->pos, keep);
        r->pos = r->buf;
        r->end = r->buf + keep;
        if (r->eof) {
            if (keep) *r->end++ = '\n';
            r->lim = r->end;
            return 0;
        }
        if (r->cap - keep < READ_CHUNK / 2) {
            if (r->cap >= MAX_LINE)
                return mc_err_fail(e, "%s:%llu: line longer than %u bytes", r->path, (unsigned long long)r->line + 1,
                               MAX_LINE);
            char *b = realloc(r->buf, 2 * r->cap + 1);
            if (!b) return mc_err_oom(e, r->path);
            r->pos = r->buf = b;
            r->end = b + keep;
            r->cap *= 2;
        }
        size_t want = r->cap - keep;
        int n = r->inflating ? read_inflated(r, r->end, want, e) : read_direct(r, r->end, want, e);
        if (n < 0) return -1;
        if (n == 0) {
            r->eof = 1;
            continue;
        }
        char *old_end = r->end;
        r->end += n;
        char *nl = memrchr(old_end, '\n', (size_t)n);
        if (nl) {
            r->lim = nl + 1;
            return 0;
        }
    }
}

/* The next line as [*s, *t) without its '\n' (and '\r'); 0 at the end of the file. */
static int next_line(mtx_reader *r, char **s, char **t, mc_err *e)
{
    if (r->pos == r->lim) {
        if (fill(r, e) < 0) return -1;
        if (r->pos == r->lim) return 0;
    }
    char *nl = memchr(r->pos, '\n', (size_t)(r->lim - r->pos));
    *s = r->pos;
    *t = nl > r->pos && nl[-1] == '\r' ? nl - 1 : nl;
    r->pos = nl + 1;
    r->line++;
    return 1;
}

static int is_blank(char c) { return c == ' ' || c == '\t'; }

/* Up to 3 words of at most 31 chars from [s, t). Returns the number found, or 4 if more. */
static int split_words(const char *s, const char *t, char w[][32], int max)
{
    int n = 0;
    while (s < t) {
        while (s < t && is_blank(*s)) s++;
        if (s == t) break;
        if (n == max) return max + 1;
        size_t k = 0;
        while (s < t && !is_blank(*s)) {
            if (k < 31) w[n][k++] = *s;
            s++;
        }
        w[n++][k] = 0;
    }
    return n;
}

static int parse_banner(mtx_reader *r, const char *s, const char *t, mc_err *e)
{
    char w[6][32];
    const char *f = r->path;
    int n = split_words(s, t, w, 5);
    if (n < 1 || strcasecmp(w[0], "%%MatrixMarket"))
        return mc_err_fail(e, "%s:1: not a Matrix Market file (no %%%%MatrixMarket banner)", f);
    if (n != 5)
        return mc_err_fail(e, "%s:1: banner must be '%%%%MatrixMarket matrix coordinate integer|real general'", f);
    if (strcasecmp(w[1], "matrix")) return mc_err_fail(e, "%s:1: object '%s' is not supported, only 'matrix'", f, w[1]);
    if (!strcasecmp(w[2], "array"))
        return mc_err_fail(e, "%s:1: array (dense) Matrix Market files are not supported, only coordinate", f);
    if (strcasecmp(w[2], "coordinate"))
        return mc_err_fail(e, "%s:1: unknown format '%s', expected coordinate", f, w[2]);
    if (!strcasecmp(w[3], "pattern"))
        return mc_err_fail(e, "%s:1: pattern matrices have no values (need integer or real)", f);
    if (!strcasecmp(w[3], "complex"))
        return mc_err_fail(e, "%s:1: complex values are not supported (need integer or real)", f);
    if (!strcasecmp(w[3], "real")) r->is_real = 1;
    else if (strcasecmp(w[3], "integer"))
        return mc_err_fail(e, "%s:1: unknown field '%s', expected integer or real", f, w[3]);
    if (strcasecmp(w[4], "general"))
        return mc_err_fail(e, "%s:1: %s matrices are not supported (need general)", f, w[4]);
    return 0;
}

#define U64_LIMIT (UINT64_MAX / 10)

/* Parse decimal digits at *p (at least one); 0, or -1 on none or on overflow.
 * Up to 19 digits cannot overflow, so only a 20th is checked: the scanner's
 * hot loop. */
static int parse_u64(char **p, uint64_t *v)
{
    char *s = *p, *fast_end = s + 19;
    uint64_t x = 0;
    if ((unsigned)(*s - '0') >= 10) return -1;
    for (; s < fast_end && (unsigned)(*s - '0') < 10; s++) x = x * 10 + (unsigned)(*s - '0');
    for (; (unsigned)(*s - '0') < 10; s++) {
        unsigned d = (unsigned)(*s - '0');
        if (x > U64_LIMIT || (x == U64_LIMIT && d > UINT64_MAX % 10)) return -1;
        x = x * 10 + d;
    }
    *p = s;
    *v = x;
    return 0;
}

/* A real number that must be integral: [digits][.digits][(e|E)[+-]digits].
 * The digits are kept as text so "2.50e1" is exactly 25. */
enum { REAL_OK, REAL_SYNTAX, REAL_FRACTION, REAL_BIG };
static int parse_real(char **p, uint64_t *v)
{
    char digits[64];
    int n = 0, frac = 0, seen = 0;
    char *s = *p;
    for (; (unsigned)(*s - '0') < 10; s++, seen = 1)
        if (n || *s != '0') {
            if (n == 63) return REAL_BIG;
            digits[n++] = *s;
        }
    if (*s == '.') {
        for (s++; (unsigned)(*s - '0') < 10; s++, seen = 1) {
            if (n == 63) return REAL_BIG;
            if (n || *s != '0') digits[n++] = *s;
            frac++;
        }
    }
    if (!seen) return REAL_SYNTAX;
    long exp = 0;
    if (*s == 'e' || *s == 'E') {
        int neg = 0;
        s++;
        if (*s == '+' || *s == '-') neg = *s++ == '-';
        if ((unsigned)(*s - '0') >= 10) return REAL_SYNTAX;
        for (; (unsigned)(*s - '0') < 10; s++)
            if (exp < 100000) exp = exp * 10 + (*s - '0');
        if (neg) exp = -exp;
    }
    *p = s;
    long scale = exp - frac;                  /* value = digits * 10^scale */
    while (n && digits[n - 1] == '0' && scale < 0) n--, scale++;
    if (!n) return *v = 0, REAL_OK;
    if (scale < 0) return REAL_FRACTION;
    if (n + scale > 20) return REAL_BIG;
    uint64_t x = 0;
    for (long i = 0; i < n + scale; i++) {
        unsigned d = i < n ? (unsigned)(digits[i] - '0') : 0;
        if (x > U64_LIMIT || (x == U64_LIMIT && d > UINT64_MAX % 10)) return REAL_BIG;
        x = x * 10 + d;
    }
    *v = x;
    return REAL_OK;
}

/* The token at s for messages: up to the next blank or end of line. */
static const char *token(const char *s, char out[40])
{
    size_t k = 0;
    while (k < 39 && *s && *s != '\n' && *s != '\r' && !is_blank(*s)) out[k++] = *s++;
    out[k] = 0;
    return out;
}

static int parse_size(mtx_reader *r, char *s, char *t, mc_err *e)
{
    uint64_t v[3];
    char save = *t;
    *t = '\n';                                 /* a sentinel the digit loops stop at */
    int ok = 1;
    for (int i = 0; ok && i < 3; i++) {
        while (is_blank(*s)) s++;
        ok = parse_u64(&s, &v[i]) == 0 && (is_blank(*s) || *s == '\n');
    }
    while (is_blank(*s)) s++;
    ok = ok && *s == '\n';
    *t = save;
    if (!ok)
        return mc_err_fail(e, "%s:%llu: size line must be 'ROWS COLS ENTRIES'", r->path, (unsigned long long)r->line);
    if (v[0] > UINT32_MAX || v[1] > UINT32_MAX)
        return mc_err_fail(e, "%s:%llu: %llu x %llu matrix is too large (at most %u rows and columns)", r->path,
                       (unsigned long long)r->line, (unsigned long long)v[0], (unsigned long long)v[1], UINT32_MAX);
    r->rows = (uint32_t)v[0];
    r->cols = (uint32_t)v[1];
    r->entries = v[2];
    return 0;
}

static int read_header(mtx_reader *r, mc_err *e)
{
    char *s, *t;
    int rc = next_line(r, &s, &t, e);
    if (rc < 0) return -1;
    if (rc == 0) return mc_err_fail(e, "%s:1: empty file, not a Matrix Market file", r->path);
    if (parse_banner(r, s, t, e) < 0) return -1;
    for (;;) {
        rc = next_line(r, &s, &t, e);
        if (rc < 0) return -1;
        if (rc == 0) return mc_err_fail(e, "%s:%llu: no size line", r->path, (unsigned long long)r->line + 1);
        char *b = s;
        while (b < t && is_blank(*b)) b++;
        if (b < t && *b != '%') return parse_size(r, s, t, e);
    }
}

mtx_reader *mtx_open(const char *path, mc_err *e)
{
    mtx_reader *r = calloc(1, sizeof *r);
    if (!r || !(r->path = strdup(path)) || !(r->buf = malloc(READ_CHUNK + 1))) {
        mc_err_oom(e, path);
        mtx_close(r);
        return NULL;
    }
    r->cap = READ_CHUNK;
    r->pos = r->lim = r->end = r->buf;
    errno = 0;
    r->gz = gzopen(path, "rb");
    if (!r->gz) {
        if (errno) mc_err_errno(e, path, "cannot open");
        else mc_err_fail(e, "%s: cannot open", path);
        mtx_close(r);
        return NULL;
    }
    gzbuffer(r->gz, GZ_BUFFER);
    if (read_header(r, e) < 0) {
        mtx_close(r);
        return NULL;
    }
    r->out_line = r->line;
    return r;
}

uint32_t mtx_rows(const mtx_reader *r) { return r->rows; }
uint32_t mtx_cols(const mtx_reader *r) { return r->cols; }
uint64_t mtx_entries(const mtx_reader *r) { return r->entries; }
int mtx_is_real(const mtx_reader *r) { return r->is_real; }
uint64_t mtx_line(const mtx_reader *r) { return r->out_line; }
const char *mtx_path(const mtx_reader *r) { return r->path; }


static int entry_error(mtx_reader *r, mc_err *e, const char *what, const char *at)
{
    char tok[40];
    if (at) return mc_err_fail(e, "%s:%llu: %s '%s'", r->path, (unsigned long long)r->line, what, token(at, tok));
    return mc_err_fail(e, "%s:%llu: %s", r->path, (unsigned long long)r->line, what);
}

static int check_index(mtx_reader *r, const char *axis, uint64_t v, uint32_t size, mc_err *e)
{
    if (v == 0)
        return mc_err_fail(e, "%s:%llu: %s index 0 (indices are 1-based)", r->path, (unsigned long long)r->line, axis);
    return mc_err_fail(e, "%s:%llu: %s index %llu out of range 1..%u", r->path, (unsigned long long)r->line, axis,
                   (unsigned long long)v, size);
}

/* A row or column index at *p and the blanks after it. */
static int parse_index(mtx_reader *r, char **p, uint64_t *v, mc_err *e)
{
    char *s = *p;
    if (*s == '\n' || *s == '\r') return entry_error(r, e, "incomplete entry (expected 'ROW COL VALUE')", NULL);
    if (*s == '-') return entry_error(r, e, "negative index", s);
    if (parse_u64(&s, v) < 0) {
        if ((unsigned)(*s - '0') < 10) return entry_error(r, e, "index too large:", s);
        return entry_error(r, e, "expected 'ROW COL VALUE', found", s);
    }
    if (!is_blank(*s)) {
        if (*s == '\n' || *s == '\r') return entry_error(r, e, "incomplete entry (expected 'ROW COL VALUE')", NULL);
        return entry_error(r, e, "expected 'ROW COL VALUE', found", *p);
    }
    while (is_blank(*s)) s++;
    *p = s;
    return 0;
}

/* The value at *p: integer fast path, else an integral real. */
static int parse_value(mtx_reader *r, char **p, uint64_t *value, mc_err *e)
{
    char *s = *p;
    int neg = 0;
    if (*s == '-' || *s == '+') neg = *s++ == '-';
    char *digits = s;
    if (parse_u64(&s, value) < 0 || *s == '.' || *s == 'e' || *s == 'E') {
        s = digits;
        switch (parse_real(&s, value)) {
        case REAL_SYNTAX: return entry_error(r, e, "value is not a number:", *p);
        case REAL_FRACTION: return entry_error(r, e, "value is not an integer:", *p);
        case REAL_BIG: return entry_error(r, e, "value too large:", *p);
        }
    }
    if (neg && *value) return entry_error(r, e, "negative value", *p);
    *p = s;
    return 0;
}

static int at_end(mtx_reader *r, mc_err *e)
{
    if (r->seen != r->entries)
        return mc_err_fail(e, "%s:%llu: file ends after %llu of %llu entries", r->path, (unsigned long long)r->line,
                       (unsigned long long)r->seen, (unsigned long long)r->entries);
    return 0;
}

/* Digits at *p, at most 19 (no overflow), then the byte END: 1 and past END, else 0. */
static inline int quick_u64(const char **p, char end, uint64_t *v)
{
    const char *s = *p, *stop = s + 19;
    uint64_t x = 0;
    unsigned d = (unsigned)(*s - '0');
    if (d >= 10) return 0;
    do {
        x = x * 10 + d;
        d = (unsigned)(*++s - '0');
    } while (d < 10 && s < stop);
    if (*s != end) return 0;
    *v = x;
    *p = s + 1;
    return 1;
}

/* The common line "ROW COL VALUE\n" (single spaces, plain digits) in one
 * pass; anything else (blanks, '\r', reals, signs, errors) goes the careful way. */
static inline int quick_entry(mtx_reader *r, uint32_t *row, uint32_t *col, uint64_t *value)
{
    const char *p = r->pos;
    uint64_t i, j, v;
    if (r->is_real || !quick_u64(&p, ' ', &i) || !quick_u64(&p, ' ', &j) || !quick_u64(&p, '\n', &v)) return 0;
    if (i - 1 >= r->rows || j - 1 >= r->cols || r->seen == r->entries) return 0;
    r->pos = (char *)p;
    r->line++;
    r->seen++;
    *row = (uint32_t)(i - 1);
    *col = (uint32_t)(j - 1);
    *value = v;
    return 1;
}

/* The line at pos the careful way: 1 and an entry, 0 for a blank or comment
 * line, -1 on error (any line: blanks, '\r', reals, signs). */
static int careful_entry(mtx_reader *r, uint32_t *row, uint32_t *col, uint64_t *value, mc_err *e)
{
    char *p = r->pos;
    r->line++;
    while (is_blank(*p)) p++;
    if (*p == '\n' || *p == '\r' || *p == '%') {          /* blank or comment line */
        r->pos = (char *)memchr(p, '\n', (size_t)(r->lim - p)) + 1;
        return 0;
    }
    if (r->seen == r->entries)
        return mc_err_fail(e, "%s:%llu: more entries than the %llu of the size line", r->path,
                           (unsigned long long)r->line, (unsigned long long)r->entries);
    uint64_t i, j;
    if (parse_index(r, &p, &i, e) < 0 || parse_index(r, &p, &j, e) < 0) return -1;
    if (*p == '\n' || *p == '\r') return entry_error(r, e, "incomplete entry (expected 'ROW COL VALUE')", NULL);
    if (parse_value(r, &p, value, e) < 0) return -1;
    while (is_blank(*p) || *p == '\r') p++;
    if (*p != '\n') return entry_error(r, e, "unexpected text after the value:", p);
    r->pos = p + 1;
    if (i - 1 >= r->rows) return check_index(r, "row", i, r->rows, e);
    if (j - 1 >= r->cols) return check_index(r, "column", j, r->cols, e);
    *row = (uint32_t)(i - 1);
    *col = (uint32_t)(j - 1);
    r->seen++;
    return 1;
}

/* Fill B with the entries of the next lines: up to BATCH, ending early at a
 * blank or comment line after some (so B's lines are consecutive), at the
 * end of the file or at an error (then the entries before it stay). */
static void fill_batch(mtx_reader *r, batch *b)
{
    size_t n = 0;
    b->end = 0;
    b->line = r->line + 1;
    while (n < BATCH) {
        if (r->pos == r->lim) {
            if (fill(r, &r->scan_err) < 0) b->end = -1;
            else if (r->pos == r->lim) b->end = at_end(r, &r->scan_err) < 0 ? -1 : 1;
            if (b->end) break;
        }
        while (n < BATCH && r->pos < r->lim && quick_entry(r, &b->row[n], &b->col[n], &b->value[n])) n++;
        if (n == BATCH || r->pos == r->lim) continue;
        int rc = careful_entry(r, &b->row[n], &b->col[n], &b->value[n], &r->scan_err);
        if (rc < 0) {
            b->end = -1;
            break;
        }
        if (rc == 1) n++;
        else if (n) break;
        else b->line = r->line + 1;
    }
    b->n = n;
}

static void *scanner(void *arg)
{
    mtx_reader *r = arg;
    for (int end = 0; !end;) {
        pthread_mutex_lock(&r->lock);
        while (r->produced - r->consumed == SLOTS && !r->stop) pthread_cond_wait(&r->freed, &r->lock);
        int stop = r->stop;
        pthread_mutex_unlock(&r->lock);
        if (stop) break;
        batch *b = &r->slot[r->produced % SLOTS];
        fill_batch(r, b);
        end = b->end;
        pthread_mutex_lock(&r->lock);
        r->produced++;
        pthread_cond_signal(&r->ready);
        pthread_mutex_unlock(&r->lock);
    }
    return NULL;
}

/* The batches, and the scanner thread when one can start (else mtx_next fills
 * them itself, one at a time): the first mtx_next's, so that a reader opened
 * only for its size line costs neither. */
static int start(mtx_reader *r, mc_err *e)
{
    for (int k = 0; k < SLOTS; k++) {
        batch *b = &r->slot[k];
        if (!(b->row = mc_alloc_array(BATCH, sizeof *b->row)) || !(b->col = mc_alloc_array(BATCH, sizeof *b->col)) ||
            !(b->value = mc_alloc_array(BATCH, sizeof *b->value)))
            return mc_err_oom(e, r->path);
    }
    r->started = 1;
    if (start_inflater(r, e) < 0) return -1;
    r->threaded = thread_start(&r->thread, &r->lock, &r->ready, &r->freed, scanner, r);
    return 0;
}

/* The next batch (NULL with e set when the batches cannot be made). */
static batch *next_batch(mtx_reader *r, mc_err *e)
{
    if (!r->started && start(r, e) < 0) return NULL;
    if (!r->threaded) {
        fill_batch(r, &r->slot[0]);
        return &r->slot[0];
    }
    pthread_mutex_lock(&r->lock);
    if (r->cur) {
        r->consumed++;
        pthread_cond_signal(&r->freed);
    }
    while (r->produced == r->consumed) pthread_cond_wait(&r->ready, &r->lock);
    pthread_mutex_unlock(&r->lock);
    return &r->slot[r->consumed % SLOTS];
}

int mtx_next(mtx_reader *r, uint32_t *row, uint32_t *col, uint64_t *value, mc_err *e)
{
    for (;;) {
        batch *b = r->cur;
        if (b && r->next < b->n) {
            size_t i = r->next++;
            *row = b->row[i];
            *col = b->col[i];
            *value = b->value[i];
            r->out_line = b->line + i;
            return 1;
        }
        if (b && b->end) r->finished = b->end;
        if (r->finished) {
            if (r->finished > 0) return 0;
            *e = r->scan_err;
            return -1;
        }
        if (!(r->cur = next_batch(r, e))) {
            r->finished = -1;
            r->scan_err = *e;
            return -1;
        }
        r->next = 0;
    }
}

/* Stop the scanner thread and free the batches. */
static void stop_scanner(mtx_reader *r)
{
    if (r->threaded) thread_stop(r->thread, &r->lock, &r->ready, &r->freed, &r->stop);
    r->threaded = 0;
    for (int k = 0; k < SLOTS; k++) {
        free(r->slot[k].row);
        free(r->slot[k].col);
        free(r->slot[k].value);
    }
}

void mtx_close(mtx_reader *r)
{
    if (!r) return;
    stop_scanner(r);
    stop_inflater(r);
    if (r->gz) gzclose(r->gz);
    free(r->buf);
    free(r->path);
    free(r);
}

/* --- writer ------------------------------------------------------------------ */

struct mtx_writer {
    char *path;
    char *body_path;        /* when the count is unknown: the body, header prepended at close */
    int fd;                 /* -1 while closed between flushes */
    int keep_open;
    int created;            /* the file being filled exists (truncate only at first open) */
    int made_path;          /* we created path (so abort may remove it) */
    char *buf;
    size_t len, cap;
    uint32_t rows, cols;
    int64_t expected;
    uint64_t count;
    uint32_t last_col;      /* the column of the last entry, and its text: entries come a column at a time */
    char col_text[24];
    size_t col_len;
    const mtx_numbers *numbers;   /* the text of rows and small values, or NULL */
    mtx_numbers *own_numbers;
};

struct mtx_numbers {
    uint32_t count;
    uint64_t *text;         /* number i's digits, left-aligned in 8 bytes */
    uint8_t *len;
};

static const char two_digits[] = "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
                                 "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
                                 "8081828384858687888990919293949596979899";

static inline int decimal_digits(uint64_t v)
{
    int n = 1;
    for (; v >= 10000; v /= 10000) n += 4;
    return n + (v >= 10) + (v >= 100) + (v >= 1000);
}

/* V in decimal, two digits a step from the end: the writer's hot loop. */
static inline __attribute__((always_inline)) char *put_u64(char *p, uint64_t v)
{
    char *end = p + decimal_digits(v), *q = end;
    for (; v >= 100; v /= 100) {
        q -= 2;
        memcpy(q, two_digits + 2 * (v % 100), 2);
    }
    if (v >= 10) memcpy(q - 2, two_digits + 2 * v, 2);
    else q[-1] = (char)('0' + v);
    return end;
}

mtx_numbers *mtx_numbers_new(uint32_t largest, mc_err *e)
{
    uint32_t count = largest < NUMBERS_MAX ? largest + 1 : NUMBERS_MAX;   /* larger ones are formatted */
    mtx_numbers *n = calloc(1, sizeof *n);
    if (n && (n->text = mc_alloc_array(count, sizeof *n->text)) && (n->len = mc_alloc_array(count, 1))) {
        n->count = count;
        for (uint32_t i = 0; i < count; i++) {
            char digits[24] = {0};
            n->len[i] = (uint8_t)(put_u64(digits, i) - digits);
            memcpy(&n->text[i], digits, 8);
        }
        return n;
    }
    mtx_numbers_free(n);
    mc_err_oom(e, NULL);
    return NULL;
}

void mtx_numbers_free(mtx_numbers *n)
{
    if (!n) return;
    free(n->text);
    free(n->len);
    free(n);
}

/* V's text: copied when the table has it (8 bytes; the buffer has room). */
static inline __attribute__((always_inline)) char *put_number(char *p, const mtx_numbers *n, uint64_t v)
{
    if (n && v < n->count) {
        memcpy(p, &n->text[v], 8);
        return p + n->len[v];
    }
    return put_u64(p, v);
}

size_t mtx_format_header(char *out, uint64_t rows, uint64_t cols, uint64_t entries)
{
    static const char banner[] = "%%MatrixMarket matrix coordinate integer general\n";
    char *p = out;
    memcpy(p, banner, sizeof banner - 1);
    p += sizeof banner - 1;
    return (size_t)(mtx_format_entry(p, rows, cols, entries) - out);
}

char *mtx_format_entry(char *out, uint64_t a, uint64_t b, uint64_t c)
{
    char *p = put_u64(out, a);
    *p++ = ' ';
    p = put_u64(p, b);
    *p++ = ' ';
    p = put_u64(p, c);
    *p++ = '\n';
    return p;
}

static int write_all(int fd, const char *path, const char *s, size_t n, mc_err *e)
{
    while (n) {
        ssize_t k = write(fd, s, n);
        if (k < 0 && errno == EINTR) continue;
        if (k < 0) return mc_err_errno(e, path, "write");
        s += k;
        n -= (size_t)k;
    }
    return 0;
}

static const char *target(const mtx_writer *w) { return w->body_path ? w->body_path : w->path; }

static int flush(mtx_writer *w, mc_err *e)
{
    if (w->fd < 0) {
        int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (w->created ? O_APPEND : O_TRUNC);
        w->fd = open(target(w), flags, 0666);
        if (w->fd < 0) return mc_err_errno(e, target(w), "cannot create");
        w->created = 1;
        if (!w->body_path) w->made_path = 1;
    }
    if (write_all(w->fd, target(w), w->buf, w->len, e) < 0) return -1;
    outdir_write_behind(w->fd);   /* the commit's fsync then waits for little */
    w->len = 0;
    if (!w->keep_open) {
        int rc = close(w->fd);
        w->fd = -1;
        if (rc < 0) return mc_err_errno(e, target(w), "close");
    }
    return 0;
}

mtx_writer *mtx_writer_open_ex(const char *path, uint32_t rows, uint32_t cols, int64_t entries,
                               size_t buffer_bytes, int keep_open, const mtx_numbers *numbers, mc_err *e)
{
    mtx_writer *w = calloc(1, sizeof *w);
    if (buffer_bytes < 4 * ENTRY_MAX) buffer_bytes = 4 * ENTRY_MAX;
    if (!w || !(w->path = strdup(path)) || !(w->buf = malloc(buffer_bytes))) goto oom;
    if (!numbers && !(numbers = w->own_numbers = mtx_numbers_new(rows, e))) goto oom;
    w->numbers = numbers;
    w->fd = -1;
    w->cap = buffer_bytes;
    w->keep_open = keep_open;
    w->rows = rows;
    w->cols = cols;
    w->expected = entries;
    if (entries < 0) {
        if (!(w->body_path = malloc(strlen(path) + 6))) goto oom;
        sprintf(w->body_path, "%s.body", path);
    } else {
        w->len = mtx_format_header(w->buf, rows, cols, (uint64_t)entries);
    }
    if (flush(w, e) < 0) {          /* create the file now: fail early, not at the first flush */
        mtx_writer_abort(w);
        return NULL;
    }
    return w;
oom:
    mc_err_oom(e, path);
    mtx_writer_abort(w);
    return NULL;
}

mtx_writer *mtx_writer_open(const char *path, uint32_t rows, uint32_t cols, int64_t entries, mc_err *e)
{
    return mtx_writer_open_ex(path, rows, cols, entries, WRITE_BUFFER, 1, NULL, e);
}

int mtx_writer_add(mtx_writer *w, uint32_t row, uint32_t col, uint64_t value, mc_err *e)
{
    if (row >= w->rows || col >= w->cols)
        return mc_err_fail(e, "%s: entry (%u, %u) outside the %u x %u matrix", w->path, row + 1, col + 1, w->rows,
                           w->cols);
    if (w->cap - w->len < ENTRY_MAX && flush(w, e) < 0) return -1;
    if (col != w->last_col || !w->col_len) {
        char *t = w->col_text;
        *t++ = ' ';
        t = put_u64(t, (uint64_t)col + 1);
        *t++ = ' ';
        w->col_len = (size_t)(t - w->col_text);
        w->last_col = col;
    }
    char *p = put_number(w->buf + w->len, w->numbers, (uint64_t)row + 1);
    memcpy(p, w->col_text, 16);   /* col_len <= 12; the buffer has ENTRY_MAX free */
    p = put_number(p + w->col_len, w->numbers, value);
    *p++ = '\n';
    w->len = (size_t)(p - w->buf);
    w->count++;
    return 0;
}

uint64_t mtx_writer_count(const mtx_writer *w) { return w->count; }

/* Write the header to PATH, then the body file's bytes after it. */
static int prepend_header(mtx_writer *w, mc_err *e)
{
    char head[128];
    size_t n = mtx_format_header(head, w->rows, w->cols, w->count);
    int in = open(w->body_path, O_RDONLY | O_CLOEXEC);
    if (in < 0) return mc_err_errno(e, w->body_path, "cannot open");
    int out = open(w->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (out < 0) {
        close(in);
        return mc_err_errno(e, w->path, "cannot create");
    }
    w->made_path = 1;
    int rc = write_all(out, w->path, head, n, e);
    while (rc == 0) {
        ssize_t k = read(in, w->buf, w->cap);
        if (k < 0 && errno == EINTR) continue;
        if (k < 0) rc = mc_err_errno(e, w->body_path, "read");
        if (k <= 0) break;
        rc = write_all(out, w->path, w->buf, (size_t)k, e);
    }
    close(in);
    if (close(out) < 0 && rc == 0) rc = mc_err_errno(e, w->path, "close");
    if (rc == 0 && unlink(w->body_path) < 0) rc = mc_err_errno(e, w->body_path, "cannot remove");
    return rc;
}

int mtx_writer_close(mtx_writer *w, mc_err *e)
{
    if (w->expected >= 0 && (uint64_t)w->expected != w->count) {
        mc_err_fail(e, "%s: wrote %llu entries but the size line says %lld", w->path, (unsigned long long)w->count,
                (long long)w->expected);
        mtx_writer_abort(w);
        return -1;
    }
    int rc = 0;
    if (w->len || w->fd >= 0) {
        int keep = w->keep_open;
        w->keep_open = 0;              /* this flush closes */
        rc = flush(w, e);
        w->keep_open = keep;
    }
    if (rc == 0 && w->body_path) rc = prepend_header(w, e);
    if (rc < 0) {
        mtx_writer_abort(w);
        return -1;
    }
    free(w->body_path);
    free(w->path);
    free(w->buf);
    mtx_numbers_free(w->own_numbers);
    free(w);
    return 0;
}

void mtx_writer_abort(mtx_writer *w)
{
    if (!w) return;
    if (w->fd >= 0) close(w->fd);
    if (w->made_path) unlink(w->path);
    if (w->body_path && w->created) unlink(w->body_path);
    free(w->body_path);
    free(w->path);
    free(w->buf);
    mtx_numbers_free(w->own_numbers);
    free(w);
}
