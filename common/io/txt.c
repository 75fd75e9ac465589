/* txt: .txt arrays, one value per line. */
#include "txt.h"
#include "alloc.h"
#include "lineread.h"
#include "path.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Lines seen so far while reading, so a line over MC_MAX_LINE (/dev/zero as a
 * .txt) is refused as soon as it is, not after the whole file is in memory. */
typedef struct line_scan {
    size_t lines, line_start, scanned;
} line_scan;

static int scan_lines(line_scan *s, const char *buf, size_t n, const char *path, mc_err *e)
{
    const char *p = buf + s->scanned, *end = buf + n, *nl;
    while ((nl = memchr(p, '\n', (size_t)(end - p)))) {
        s->lines++;
        s->line_start = (size_t)(nl + 1 - buf);
        p = nl + 1;
    }
    s->scanned = n;
    if (n - s->line_start > MC_MAX_LINE)
        return mc_err_fail(e, "%s:%zu: line longer than %u bytes", path, s->lines + 1, MC_MAX_LINE);
    return 0;
}

/* The buffer to start with for F: room for all of a regular file and a byte
 * more, so that it is read once into it with no copy on growing (the 100k
 * names of a collection are 16 such files); 64 KiB for a pipe, and at most
 * 64 MiB, so that a file of one endless line is refused before it is all read. */
static size_t first_cap(FILE *f)
{
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 && st.st_size < (64 << 20))
        return (size_t)st.st_size + 1;
    return 1 << 16;
}

/* Whole file into a NUL-terminated buffer. */
static char *slurp(const char *path, size_t *size, mc_err *e)
{
    FILE *f = path_fopen_file(path, e);
    if (!f) return NULL;
    size_t cap = first_cap(f), n = 0, got;
    line_scan ls = {0};
    int too_long = 0;
    char *buf = malloc(cap + 1);
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if ((too_long = scan_lines(&ls, buf, n, path, e) < 0)) break;
        if (n == cap) {
            char *b = realloc(buf, 2 * cap + 1);
            if (!b) {
                free(buf);
                buf = NULL;
            }
            buf = b;
            cap *= 2;
        }
    }
    int bad = ferror(f);
    fclose(f);
    if (too_long) {
        free(buf);
        return NULL;
    }
    if (!buf) {
        mc_err_oom(e, path);
        return NULL;
    }
    if (bad) {
        free(buf);
        mc_err_fail(e, "%s: read error", path);
        return NULL;
    }
    buf[n] = 0;
    *size = n;
    return buf;
}

/* Lines of buf[0..size): count them, check the last one ends in '\n' and none holds a NUL. */
static int check_lines(const char *path, const char *buf, size_t size, size_t *count, mc_err *e)
{
    size_t n = 0;
    const char *p = buf, *end = buf + size;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl) return mc_err_fail(e, "%s:%zu: last line does not end with a newline", path, n + 1);
        if (memchr(p, 0, (size_t)(nl - p))) return mc_err_fail(e, "%s:%zu: NUL byte in a text value", path, n + 1);
        n++;
        p = nl + 1;
    }
    *count = n;
    return 0;
}

int txt_read(const char *path, strvec *a, mc_err *e)
{
    size_t size, n = 0;
    memset(a, 0, sizeof *a);
    char *buf = slurp(path, &size, e);
    if (!buf) return -1;
    if (check_lines(path, buf, size, &n, e) < 0) {
        free(buf);
        return -1;
    }
    a->v = mc_alloc_array(n, sizeof *a->v);
    if (!a->v) {
        free(buf);
        return mc_err_oom(e, path);
    }
    char *p = buf;
    for (size_t i = 0; i < n; i++) {
        char *nl = strchr(p, '\n');
        *nl = 0;
        a->v[i] = p;
        p = nl + 1;
    }
    a->buf = buf;
    a->count = n;
    return 0;
}

int txt_count_lines(const char *path, size_t *count, mc_err *e)
{
    size_t size;
    char *buf = slurp(path, &size, e);
    if (!buf) return -1;
    int rc = check_lines(path, buf, size, count, e);
    free(buf);
    return rc;
}

int txt_write(const char *path, char *const *lines, size_t n, mc_err *e)
{
    FILE *f = fopen(path, "wb");
    if (!f) return mc_err_errno(e, path, "cannot create");
    for (size_t i = 0; i < n; i++) {
        if (strchr(lines[i], '\n')) {
            fclose(f);
            return mc_err_fail(e, "%s:%zu: a value may not contain a newline", path, i + 1);
        }
        fputs(lines[i], f);
        fputc('\n', f);
    }
    if (ferror(f) | fclose(f)) return mc_err_errno(e, path, "cannot write");
    return 0;
}

size_t txt_format_double(char *out, size_t size, double v, int f4)
{
    if (isnan(v)) return (size_t)snprintf(out, size, "nan");
    if (isinf(v)) return (size_t)snprintf(out, size, v < 0 ? "-inf" : "inf");
    if (v == floor(v) && fabs(v) < 0x1p53) return (size_t)snprintf(out, size, "%.0f", v);   /* 70000, not 7e+04 */
    /* A double that some text of p <= 15 digits reads back as is within half a unit of it, far less
     * than half a step of 15 digits: %.15g (trailing zeros dropped) is that shortest text, so a
     * double needs at most three tries.  A float32, or a subnormal double (fewer bits), can be shorter
     * than its %.15g: every p is tried. */
    for (int p = f4 || fabs(v) < DBL_MIN ? 1 : 15; p < 17; p++) {
        int n = snprintf(out, size, "%.*g", p, v);
        double back = strtod(out, NULL);
        if (f4 ? (float)back == (float)v : back == v) return (size_t)n;
    }
    return (size_t)snprintf(out, size, "%.17g", v);
}
