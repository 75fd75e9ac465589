/* npy: NumPy .npy version 1.0 files, headers byte-identical to numpy.save(). */
#include "npy.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "alloc.h"
#include "path.h"

#define NPY_MAGIC "\x93NUMPY"
#define NPY_ALIGN 64
#define NPY_GROWTH_DIGITS 21   /* numpy leaves room to grow the shape in place */
#define NPY_MAX_HEADER 10000    /* numpy.load's own limit (max_header_size) */

static const struct {
    const char *descr;
    size_t size;
} dtypes[] = {{"<i4", 4}, {"<i8", 8}, {"<f4", 4}, {"<f8", 8}, {"|b1", 1}, {"<U", 4}};

#define NPY_DTYPES (sizeof dtypes / sizeof *dtypes)

size_t npy_dtype_size(npy_dtype t) { return dtypes[t].size; }
const char *npy_dtype_descr(npy_dtype t) { return dtypes[t].descr; }
size_t npy_item_size(const npy_array *a) { return a->dtype == NPY_U ? 4 * a->ustr : dtypes[a->dtype].size; }

/* --- header parsing ------------------------------------------------------------ */

/* The header is a Python dict literal that numpy reads with ast.literal_eval
 * and then requires to hold exactly descr, fortran_order and shape.  It is
 * parsed here as strictly: anything numpy would refuse or read differently
 * (text after the '}', a key twice, an unknown key) is an error. */
typedef struct hscan {
    const char *p;
    int seen[3];                  /* descr, fortran_order, shape */
    char descr[16];
    char unknown[32];             /* the first unknown key ("" if none) */
} hscan;

static void skip_space(hscan *s)
{
    while (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r') s->p++;
}

/* A quoted string without escapes into out (cap bytes); -1 if not one or too long. */
static int scan_string(hscan *s, char *out, size_t cap)
{
    char q = *s->p;
    if (q != '\'' && q != '"') return -1;
    const char *end = strchr(s->p + 1, q);
    if (!end || (size_t)(end - s->p - 1) >= cap || memchr(s->p + 1, '\\', (size_t)(end - s->p - 1))) return -1;
    for (const char *c = s->p + 1; c < end; c++)
        if ((unsigned char)*c < ' ') return -1;   /* Python refuses a line break in a '...' literal */
    memcpy(out, s->p + 1, (size_t)(end - s->p - 1));
    out[end - s->p - 1] = 0;
    s->p = end + 1;
    return 0;
}

/* A shape tuple: "(N,)", "(N, M)", "()" (refused later); Python ints without sign or leading zeros. */
static int scan_shape(hscan *s, npy_array *a)
{
    if (*s->p++ != '(') return -1;
    a->ndim = 0;
    a->shape[0] = a->shape[1] = 1;
    for (;;) {
        skip_space(s);
        if (*s->p == ')') break;
        if (a->ndim == 3 || *s->p < '0' || *s->p > '9' || (s->p[0] == '0' && s->p[1] >= '0' && s->p[1] <= '9'))
            return -1;
        char *end;
        errno = 0;
        unsigned long long v = strtoull(s->p, &end, 10);
        if (errno || v > SIZE_MAX / 16) return -1;
        if (a->ndim < 2) a->shape[a->ndim] = (size_t)v;
        a->ndim++;
        s->p = end;
        skip_space(s);
        if (*s->p == ',') s->p++;
        else if (*s->p != ')') return -1;
        else if (a->ndim == 1) return -1;   /* "(3)" is an int in Python, not a tuple */
    }
    s->p++;
    return 0;
}

/* Past the value of an unknown key (a string, a name or number, or a flat tuple). */
static int skip_value(hscan *s)
{
    char tmp[256];
    skip_space(s);
    if (*s->p == '\'' || *s->p == '"') return scan_string(s, tmp, sizeof tmp);
    if (*s->p == '(') {
        const char *end = strchr(s->p, ')');
        if (!end) return -1;
        s->p = end + 1;
        return 0;
    }
    const char *start = s->p;
    while ((*s->p >= '0' && *s->p <= '9') || (*s->p >= 'A' && *s->p <= 'z') || *s->p == '-' || *s->p == '.') s->p++;
    return s->p > start ? 0 : -1;
}

static int scan_item(hscan *s, npy_array *a, const char *path, mc_err *e)
{
    static const char *const keys[] = {"descr", "fortran_order", "shape"};
    char key[32];
    if (scan_string(s, key, sizeof key) < 0)
        return mc_err_fail(e, "%s: bad .npy header (a key must be a quoted name)", path);
    int k = 0;
    while (k < 3 && strcmp(key, keys[k])) k++;
    if (k < 3 && s->seen[k]++) return mc_err_fail(e, "%s: bad .npy header (key '%s' twice)", path, key);
    skip_space(s);
    if (*s->p++ != ':') return mc_err_fail(e, "%s: bad .npy header (no ':' after '%s')", path, key);
    skip_space(s);
    if (k == 3) {
        if (!s->unknown[0]) snprintf(s->unknown, sizeof s->unknown, "%s", key);
        return skip_value(s) < 0 ? mc_err_fail(e, "%s: bad .npy header", path) : 0;
    }
    if (k == 0 && scan_string(s, s->descr, sizeof s->descr) < 0)
        return mc_err_fail(e, "%s: bad .npy header (descr)", path);
    if (k == 1) {
        if (!strncmp(s->p, "True", 4)) a->fortran_order = 1, s->p += 4;
        else if (!strncmp(s->p, "False", 5)) a->fortran_order = 0, s->p += 5;
        else return mc_err_fail(e, "%s: bad .npy header (fortran_order)", path);
    }
    if (k == 2 && scan_shape(s, a) < 0) return mc_err_fail(e, "%s: bad .npy header (shape must be 1-D or 2-D)", path);
    return 0;
}

/* DESCR as one of the dtypes: "<T" or "|b1" as is, ">T" (numpy's big-endian)
 * byte-swapped (*swap set), "<UN" / ">UN" strings of N characters. */
static int parse_descr(const char *d, npy_array *a, int *swap)
{
    *swap = d[0] == '>';
    if ((d[0] == '<' || d[0] == '>') && d[1] == 'U') {
        char *end;
        if (d[2] < '1' || d[2] > '9') return -1;
        errno = 0;
        unsigned long n = strtoul(d + 2, &end, 10);
        if (*end || errno || n > 1u << 20) return -1;
        a->dtype = NPY_U;
        a->ustr = n;
        return 0;
    }
    for (size_t t = 0; t < NPY_DTYPES - 1; t++) {
        const char *want = dtypes[t].descr;
        if (!strcmp(d, want) || (d[0] == '>' && want[0] == '<' && !strcmp(d + 1, want + 1))) {
            a->dtype = (npy_dtype)t;
            return 0;
        }
    }
    return -1;
}

static int parse_dict(const char *path, const char *h, npy_array *a, int *swap, mc_err *e)
{
    hscan s = {.p = h};
    skip_space(&s);
    if (*s.p++ != '{') return mc_err_fail(e, "%s: bad .npy header", path);
    for (;;) {
        skip_space(&s);
        if (*s.p == '}') break;
        if (scan_item(&s, a, path, e) < 0) return -1;
        skip_space(&s);
        if (*s.p == ',') s.p++;
        else if (*s.p != '}') return mc_err_fail(e, "%s: bad .npy header (expected ',' or '}')", path);
    }
    s.p++;
    skip_space(&s);
    if (*s.p) return mc_err_fail(e, "%s: bad .npy header (text after the dict)", path);
    if (!s.seen[0] || !s.seen[1] || !s.seen[2])
        return mc_err_fail(e, "%s: bad .npy header (needs descr, fortran_order and shape)", path);
    if (s.unknown[0]) return mc_err_fail(e, "%s: bad .npy header (unknown key '%s')", path, s.unknown);
    if (parse_descr(s.descr, a, swap) < 0)
        return mc_err_fail(e,
                       "%s: unsupported .npy dtype '%s' (mc reads int32, int64, float32, float64, bool and str; "
                       "convert it, e.g. with a.astype('<i8') or a.astype('<f8'))",
                       path, s.descr);
    if (a->ndim < 1 || a->ndim > 2) return mc_err_fail(e, "%s: bad .npy header (shape must be 1-D or 2-D)", path);
    if (a->shape[1] && a->shape[0] > SIZE_MAX / 16 / a->shape[1])
        return mc_err_fail(e, "%s: .npy shape too large", path);
    a->count = a->shape[0] * a->shape[1];
    if (a->count && npy_item_size(a) > SIZE_MAX / 16 / a->count)
        return mc_err_fail(e, "%s: .npy shape too large", path);
    return 0;
}

/* Read the header from f; *data_start is where the values begin. */
static int read_header(const char *path, FILE *f, npy_array *a, size_t *data_start, int *swap, mc_err *e)
{
    unsigned char pre[12];
    memset(a, 0, sizeof *a);
    if (fread(pre, 1, 10, f) != 10 || memcmp(pre, NPY_MAGIC, 6))
        return mc_err_fail(e, "%s: not a .npy file (bad magic)", path);
    size_t hlen, plen = 10;
    if (pre[6] == 1) hlen = pre[8] | (size_t)pre[9] << 8;
    else if (pre[6] == 2 || pre[6] == 3) {
        if (fread(pre + 10, 1, 2, f) != 2) return mc_err_fail(e, "%s: truncated .npy header", path);
        hlen = pre[8] | (size_t)pre[9] << 8 | (size_t)pre[10] << 16 | (size_t)pre[11] << 24;
        plen = 12;
    } else return mc_err_fail(e, "%s: unsupported .npy version %d.%d", path, pre[6], pre[7]);
    if (hlen > NPY_MAX_HEADER)
        return mc_err_fail(e, "%s: .npy header of %zu bytes (at most %d)", path, hlen, NPY_MAX_HEADER);
    char *h = malloc(hlen + 1);
    if (!h) return mc_err_oom(e, path);
    int rc = -1;
    if (fread(h, 1, hlen, f) != hlen) mc_err_fail(e, "%s: truncated .npy header", path);
    else {
        h[hlen] = 0;
        if (strlen(h) != hlen || h[0] != '{') mc_err_fail(e, "%s: bad .npy header", path);
        else rc = parse_dict(path, h, a, swap, e);
    }
    free(h);
    *data_start = plen + hlen;
    return rc;
}

/* A regular file must be as long as the header says; a stream is checked as it is read. */
static int check_size(const char *path, FILE *f, const npy_array *a, size_t data_start, mc_err *e)
{
    struct stat st;
    if (fstat(fileno(f), &st) < 0) return mc_err_errno(e, path, "cannot stat");
    if (!S_ISREG(st.st_mode)) return 0;
    size_t want = data_start + a->count * npy_item_size(a);
    if ((size_t)st.st_size != want)
        return mc_err_fail(e, "%s: .npy file is %lld bytes but its header says %zu", path, (long long)st.st_size, want);
    return 0;
}

/* Reverse the bytes of each value (numpy's '>' arrays into the '<' ones mc keeps). */
static void swap_bytes(npy_array *a)
{
    size_t w = a->dtype == NPY_U ? 4 : npy_dtype_size(a->dtype), n = a->count * (a->dtype == NPY_U ? a->ustr : 1);
    unsigned char *p = a->data;
    for (size_t i = 0; i < n; i++, p += w)
        for (size_t j = 0; j < w / 2; j++) {
            unsigned char t = p[j];
            p[j] = p[w - 1 - j];
            p[w - 1 - j] = t;
        }
}

static int read_data(const char *path, FILE *f, npy_array *a, int swap, mc_err *e)
{
    size_t bytes = a->count * npy_item_size(a);
    a->data = mc_alloc_array(bytes, 1);
    if (!a->data) return mc_err_oom(e, path);
    if (fread(a->data, 1, bytes, f) != bytes) return mc_err_fail(e, "%s: truncated .npy data", path);
    if (getc(f) != EOF) return mc_err_fail(e, "%s: data after the .npy array", path);
    if (swap) swap_bytes(a);
    return 0;
}

static int read_open(FILE *f, const char *path, npy_array *a, int with_data, mc_err *e)
{
    size_t start = 0;
    int swap = 0;
    int rc = read_header(path, f, a, &start, &swap, e);
    if (rc == 0) rc = check_size(path, f, a, start, e);
    if (rc == 0 && with_data) rc = read_data(path, f, a, swap, e);
    if (rc < 0) npy_free(a);
    return rc;
}

static int read_file(const char *path, npy_array *a, int with_data, mc_err *e)
{
    FILE *f = path_fopen_file(path, e);
    if (!f) return -1;
    int rc = read_open(f, path, a, with_data, e);
    fclose(f);
    return rc;
}

int npy_read(const char *path, npy_array *a, mc_err *e) { return read_file(path, a, 1, e); }
int npy_read_header(const char *path, npy_array *a, mc_err *e) { return read_file(path, a, 0, e); }
int npy_read_stream(FILE *f, const char *name, npy_array *a, mc_err *e) { return read_open(f, name, a, 1, e); }

/* Append code point U to S as UTF-8; -1 if it is not one. */
static int put_utf8(char *s, size_t *n, uint32_t u)
{
    if (u < 0x80) s[(*n)++] = (char)u;
    else if (u < 0x800) {
        s[(*n)++] = (char)(0xC0 | u >> 6);
        s[(*n)++] = (char)(0x80 | (u & 63));
    } else if (u < 0x10000) {
        if (u >= 0xD800 && u < 0xE000) return -1;
        s[(*n)++] = (char)(0xE0 | u >> 12);
        s[(*n)++] = (char)(0x80 | (u >> 6 & 63));
        s[(*n)++] = (char)(0x80 | (u & 63));
    } else if (u < 0x110000) {
        s[(*n)++] = (char)(0xF0 | u >> 18);
        s[(*n)++] = (char)(0x80 | (u >> 12 & 63));
        s[(*n)++] = (char)(0x80 | (u >> 6 & 63));
        s[(*n)++] = (char)(0x80 | (u & 63));
    } else return -1;
    return 0;
}

char *npy_ustr(const npy_array *a, size_t i, const char *name, mc_err *e)
{
    const unsigned char *p = (const unsigned char *)a->data + i * 4 * a->ustr;
    char *s = mc_alloc_array(a->ustr * 4 + 1, 1);
    size_t n = 0, len = a->ustr;
    if (!s) {
        mc_err_oom(e, name);
        return NULL;
    }
    while (len && !(p[4 * len - 4] | p[4 * len - 3] | p[4 * len - 2] | p[4 * len - 1])) len--;
    for (size_t c = 0; c < len; c++, p += 4) {
        uint32_t u = p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
        if (put_utf8(s, &n, u) < 0) {
            free(s);
            mc_err_fail(e, "%s: value %zu: character U+%X is not Unicode", name, i, u);
            return NULL;
        }
    }
    s[n] = 0;
    return s;
}

void npy_free(npy_array *a)
{
    free(a->data);
    a->data = NULL;
}

/* --- writing ------------------------------------------------------------------- */

/* The header exactly as numpy.save() writes it (numpy >= 1.23). */
static size_t format_header(char *h, size_t cap, const char *descr, int ndim, const size_t *shape, int fortran_order)
{
    char sh[64];
    if (ndim == 1) snprintf(sh, sizeof sh, "(%zu,)", shape[0]);
    else snprintf(sh, sizeof sh, "(%zu, %zu)", shape[0], shape[1]);
    int n = snprintf(h, cap, "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }", descr,
                     fortran_order ? "True" : "False", sh);
    char digits[32];
    int dl = snprintf(digits, sizeof digits, "%zu", shape[fortran_order ? ndim - 1 : 0]);
    for (int i = dl; i < NPY_GROWTH_DIGITS; i++) h[n++] = ' ';
    size_t hlen = (size_t)n + 1;
    size_t pad = NPY_ALIGN - (10 + hlen) % NPY_ALIGN;
    memset(h + n, ' ', pad);
    h[n + pad] = '\n';
    return (size_t)n + pad + 1;
}

static int write_stream(FILE *f, const char *shown, const char *descr, size_t size, int ndim, const size_t *shape,
                        int fortran_order, const void *data, mc_err *e)
{
    char h[256];
    size_t hlen = format_header(h, sizeof h - 80, descr, ndim, shape, fortran_order);
    size_t count = shape[0] * (ndim == 2 ? shape[1] : 1);
    unsigned char pre[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (unsigned char)(hlen & 255),
                             (unsigned char)(hlen >> 8)};
    fwrite(pre, 1, sizeof pre, f);
    fwrite(h, 1, hlen, f);
    if (count && size) fwrite(data, size, count, f);
    if (ferror(f) | fclose(f)) return mc_err_errno(e, shown, "cannot write");
    return 0;
}

static int write_file(const char *path, const char *descr, size_t size, int ndim, const size_t *shape,
                      int fortran_order, const void *data, mc_err *e)
{
    FILE *f = fopen(path, "wb");
    if (!f) return mc_err_errno(e, path, "cannot create");
    return write_stream(f, path, descr, size, ndim, shape, fortran_order, data, e);
}

int npy_write_stream(FILE *f, const char *shown, npy_dtype t, int ndim, const size_t *shape, int fortran_order,
                     const void *data, mc_err *e)
{
    return write_stream(f, shown, dtypes[t].descr, dtypes[t].size, ndim, shape, fortran_order, data, e);
}

int npy_write(const char *path, npy_dtype t, int ndim, const size_t *shape, int fortran_order, const void *data,
              mc_err *e)
{
    return write_file(path, dtypes[t].descr, dtypes[t].size, ndim, shape, fortran_order, data, e);
}

/* The next code point of UTF-8 text *S (advanced past it); -1 if malformed. */
static long next_utf8(const unsigned char **s)
{
    const unsigned char *p = *s;
    int n = p[0] < 0x80 ? 0 : p[0] >= 0xF0 && p[0] < 0xF5 ? 3 : p[0] >= 0xE0 ? 2 : p[0] >= 0xC2 ? 1 : -1;
    if (n < 0) return -1;
    long u = n ? p[0] & (0x3F >> n) : p[0];
    for (int i = 1; i <= n; i++) {
        if ((p[i] & 0xC0) != 0x80) return -1;
        u = u << 6 | (p[i] & 63);
    }
    static const long least[] = {0, 0x80, 0x800, 0x10000};
    if (u < least[n] || u > 0x10FFFF || (u >= 0xD800 && u < 0xE000)) return -1;
    *s = p + n + 1;
    return u;
}

/* Characters of UTF-8 text S; -1 if malformed. */
static long utf8_length(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    long n = 0;
    while (*p) {
        if (next_utf8(&p) < 0) return -1;
        n++;
    }
    return n;
}

int npy_write_text(const char *path, char *const *lines, size_t n, mc_err *e)
{
    size_t width = 1;
    for (size_t i = 0; i < n; i++) {
        long len = utf8_length(lines[i]);
        if (len < 0) return mc_err_fail(e, "%s: value %zu is not UTF-8", path, i);
        if ((size_t)len > width) width = (size_t)len;
    }
    uint8_t *data = mc_alloc_array(n, 4 * width);
    if (!data) return mc_err_oom(e, path);
    memset(data, 0, n * 4 * width);
    for (size_t i = 0; i < n; i++) {
        const unsigned char *p = (const unsigned char *)lines[i];
        for (uint8_t *o = data + i * 4 * width; *p; o += 4) {
            long u = next_utf8(&p);
            o[0] = (uint8_t)u, o[1] = (uint8_t)(u >> 8), o[2] = (uint8_t)(u >> 16), o[3] = (uint8_t)(u >> 24);
        }
    }
    char descr[32];
    snprintf(descr, sizeof descr, "<U%zu", width);
    int rc = write_file(path, descr, 4 * width, 1, &n, 0, data, e);
    free(data);
    return rc;
}

int npy_write_i32(const char *path, const int32_t *v, size_t n, mc_err *e)
{
    return npy_write(path, NPY_I4, 1, &n, 0, v, e);
}

int npy_write_f64(const char *path, const double *v, size_t n, mc_err *e)
{
    return npy_write(path, NPY_F8, 1, &n, 0, v, e);
}

double npy_get_f64(const npy_array *a, size_t i)
{
    switch (a->dtype) {
    case NPY_I4: return ((const int32_t *)a->data)[i];
    case NPY_I8: return (double)((const int64_t *)a->data)[i];
    case NPY_F4: return ((const float *)a->data)[i];
    case NPY_F8: return ((const double *)a->data)[i];
    case NPY_B1: return ((const uint8_t *)a->data)[i] != 0;
    case NPY_U: break;
    }
    return 0;
}

int64_t npy_get_i64(const npy_array *a, size_t i)
{
    switch (a->dtype) {
    case NPY_I4: return ((const int32_t *)a->data)[i];
    case NPY_I8: return ((const int64_t *)a->data)[i];
    case NPY_F4: return (int64_t)((const float *)a->data)[i];
    case NPY_F8: return (int64_t)((const double *)a->data)[i];
    case NPY_B1: return ((const uint8_t *)a->data)[i] != 0;
    case NPY_U: break;
    }
    return 0;
}
