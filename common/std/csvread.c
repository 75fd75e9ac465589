/* csvread: a CSV read into a table with libcsv, a line at a time. */
#include "csvread.h"

#include <csv.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "alloc.h"
#include "lineread.h"

#define READ_CHUNK (1u << 20)

typedef struct csv_reader {
    const csv_spec *spec;
    std_table *t;
    mc_err *e;
    int failed;
    uint64_t line;             /* the line being parsed (records end on it) */
    int in_header;
    size_t ncols;              /* fields per record from the header (0: headerless) */
    long *slot;                /* per file column: kept column, or -1 */
    long *filt;                /* per file column: filter, or -1 */
    size_t nmap;
    size_t field;              /* fields seen in the current record */
    char *scratch;             /* the current record's kept values */
    size_t slen, scap;
    size_t *soff;              /* per kept column: offset in scratch */
    size_t *slen_of;           /* per kept column: value length */
    int *fok;                  /* per filter: matched */
    strvec header;             /* the header's fields, as read */
    size_t keep_cap;
    size_t record_bytes;       /* of the record being parsed, fed so far */
    uint64_t max_rows;         /* rows the matrix's size line announces (UINT64_MAX: unknown) */
    const char *matrix;        /* its path, for the message */
} csv_reader;

static void fail_at(csv_reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail_at(csv_reader *r, const char *fmt, ...)
{
    char what[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    r->failed = 1;
    mc_err_fail(r->e, "%s:%llu: %s", r->spec->path, (unsigned long long)r->line, what);
}

static void reader_oom(csv_reader *r)
{
    r->failed = 1;
    mc_err_oom(r->e, r->spec->path);
}

static int valid_int(const char *s)
{
    const char *p = s + (*s == '-' || *s == '+');
    if (!*p) return 0;
    for (const char *q = p; *q; q++)
        if (*q < '0' || *q > '9') return 0;
    errno = 0;
    (void)strtoll(s, NULL, 10);
    return errno == 0;
}

static int valid_float(const char *s)
{
    if (!*s || !strcmp(s, "NA")) return 1;
    char *end;
    (void)strtod(s, &end);
    return end != s && !*end;
}

static int valid(field_type t, const char *s)
{
    return t == FIELD_STR || (t == FIELD_INT    ? valid_int(s)
                              : t == FIELD_BOOL ? table_field_bool(s) >= 0
                                                : valid_float(s));
}

static void on_field(void *data, size_t len, void *ctx)
{
    csv_reader *r = ctx;
    const char *s = data ? data : "";
    if (r->failed) return;
    size_t col = r->field++;
    if (r->in_header) {
        if (col == 0 && len >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3)) s += 3, len -= 3;   /* a UTF-8 BOM */
        if (strvec_pushn(&r->header, s, len) < 0) return reader_oom(r);
        return;
    }
    if (col >= r->nmap) return;
    long k = r->slot[col], f = r->filt[col];
    if (f >= 0) {
        const char *want = r->spec->filter_value.v[f];
        r->fok[f] = strlen(want) == len && !memcmp(want, s, len);
    }
    if (k < 0) return;
    size_t need = r->slen + len + 1;
    if (MC_GROW(r->scratch, need < 4096 ? 4096 : need, r->scap) < 0) return reader_oom(r);   /* 4096 bytes at least */
    memcpy(r->scratch + r->slen, s, len);
    r->scratch[r->slen + len] = 0;
    r->soff[k] = r->slen;
    r->slen_of[k] = len;
    r->slen += len + 1;
}

/* Map file columns named NAMES to kept columns and filters. */
static void map_columns(csv_reader *r, char *const *names, size_t n)
{
    const csv_spec *c = r->spec;
    r->nmap = n;
    r->slot = mc_alloc_array(n, sizeof *r->slot);
    r->filt = mc_alloc_array(n, sizeof *r->filt);
    if (!r->slot || !r->filt) return reader_oom(r);
    for (size_t i = 0; i < n; i++) r->slot[i] = r->filt[i] = -1;
    for (size_t k = 0; k < c->column.count; k++) {
        size_t i = 0;
        while (i < n && strcmp(names[i], c->column.v[k])) i++;
        if (i == n) {
            fail_at(r, c->header ? "no column '%s' (field_types lists it)" : "no column '%s' in field_names",
                    c->column.v[k]);
            return;
        }
        if (r->slot[i] < 0) r->slot[i] = (long)k;
    }
    for (size_t f = 0; f < c->filter_column.count; f++) {
        size_t i = 0;
        while (i < n && strcmp(names[i], c->filter_column.v[f])) i++;
        if (i == n) {
            fail_at(r, "no column '%s' (filter names it)", c->filter_column.v[f]);
            return;
        }
        if (r->filt[i] < 0) r->filt[i] = (long)f;
    }
}

static void end_record(csv_reader *r)
{
    const csv_spec *c = r->spec;
    std_table *t = r->t;
    size_t i, fields = r->field;
    r->field = 0;
    if (r->in_header) {
        r->in_header = 0;
        r->ncols = r->header.count;
        map_columns(r, r->header.v, r->header.count);
        return;
    }
    if (r->ncols && fields != r->ncols) return fail_at(r, "%zu fields, but the header has %zu", fields, r->ncols);
    if (!r->ncols && fields < c->field_names.count)
        return fail_at(r, "%zu fields, but field_names lists %zu", fields, c->field_names.count);
    int keep = 1;
    for (i = 0; i < c->filter_column.count; i++) keep &= r->fok[i];
    if (c->filter_column.count) {
        if (t->rows_total >= UINT32_MAX - 1) return fail_at(r, "more than %u rows", UINT32_MAX - 1);
        if (MC_GROW(t->keep, t->rows_total + 1, r->keep_cap) < 0) return reader_oom(r);
        t->keep[t->rows_total] = keep ? (uint32_t)t->count : STD_DROPPED;
    }
    if (t->rows_total >= r->max_rows)   /* refused now, not after reading the rest */
        return fail_at(r, "more rows than the %llu of the size line of %s", (unsigned long long)r->max_rows, r->matrix);
    t->rows_total++;
    r->slen = 0;
    if (!keep) return;
    for (size_t k = 0; k < c->column.count; k++) {
        const char *v = r->scratch + r->soff[k];
        if (!valid(c->type[k], v))
            return fail_at(r, "column '%s': '%.64s' is not %s", c->column.v[k], v,
                           c->type[k] == FIELD_INT ? "an int" : c->type[k] == FIELD_BOOL ? "a bool" : "a float");
    }
    if (table_reserve_row(t) < 0) return reader_oom(r);
    for (size_t k = 0; k < c->column.count; k++)
        if (table_put(t, k, t->count, r->scratch + r->soff[k], r->slen_of[k]) < 0) return reader_oom(r);
    t->line[t->count++] = r->line;
}

static void on_record(int term, void *ctx)
{
    (void)term;
    csv_reader *r = ctx;
    if (!r->failed) end_record(r);
}

static int only_space(unsigned char c) { return c == ' '; }

static void reader_free(csv_reader *r)
{
    free(r->slot);
    free(r->filt);
    free(r->scratch);
    free(r->soff);
    free(r->slen_of);
    free(r->fok);
    strvec_free(&r->header);
    memset(r, 0, sizeof *r);
}

/* Feed the file to libcsv a line at a time so callbacks know their line. */
static int parse_file(csv_reader *r, struct csv_parser *p, gzFile gz, char *buf)
{
    for (;;) {
        int n = gzread(gz, buf, READ_CHUNK);
        if (n < 0) {
            int errnum;
            const char *msg = gzerror(gz, &errnum);
            if (errnum == Z_ERRNO) msg = strerror(errno);
            return mc_err_fail(r->e, "%s:%llu: read error: %s", r->spec->path, (unsigned long long)r->line, msg);
        }
        if (n == 0) {
            int errnum;
            gzerror(gz, &errnum);
            if (errnum != Z_OK && errnum != Z_STREAM_END)
                return mc_err_fail(r->e, "%s:%llu: truncated gzip data", r->spec->path, (unsigned long long)r->line);
            break;
        }
        char *s = buf, *end = buf + n;
        while (s < end) {
            char *nl = memchr(s, '\n', (size_t)(end - s));
            char *stop = nl ? nl + 1 : end;
            if (p->pstate == 0) r->record_bytes = 0;   /* libcsv's ROW_NOT_BEGUN: between records */
            if ((r->record_bytes += (size_t)(stop - s)) > MC_MAX_LINE)   /* before libcsv buffers it */
                return mc_err_fail(r->e, "%s:%llu: a row longer than %u bytes", r->spec->path,
                                   (unsigned long long)r->line, MC_MAX_LINE);
            if (csv_parse(p, s, (size_t)(stop - s), on_field, on_record, r) != (size_t)(stop - s) && !r->failed)
                return mc_err_fail(r->e, "%s:%llu: malformed CSV: %s", r->spec->path, (unsigned long long)r->line,
                               csv_strerror(csv_error(p)));
            if (r->failed) return -1;
            if (nl) r->line++;
            s = stop;
        }
    }
    if (csv_fini(p, on_field, on_record, r) != 0 && !r->failed)
        return mc_err_fail(r->e, "%s:%llu: malformed CSV: %s", r->spec->path, (unsigned long long)r->line,
                       csv_strerror(csv_error(p)));
    return r->failed ? -1 : 0;
}

int csvread_table(const csv_spec *c, std_table *t, const char *matrix, uint64_t max_rows, mc_err *e)
{
    csv_reader r = {.spec = c, .t = t, .e = e, .line = 1, .in_header = c->header, .max_rows = max_rows,
                    .matrix = matrix};
    struct csv_parser p;
    char *buf = NULL;
    gzFile gz = NULL;
    int rc = -1;
    size_t nkeep = c->column.count;
    if (table_init(t, c->path, c->field.v, c->type, nkeep, e) < 0) return -1;
    if (!(t->line = mc_alloc_array(1, sizeof *t->line)) || !(r.soff = mc_alloc_zeroed(nkeep, sizeof *r.soff)) ||
        !(r.slen_of = mc_alloc_zeroed(nkeep, sizeof *r.slen_of)) ||
        !(r.fok = mc_alloc_zeroed(c->filter_column.count, sizeof *r.fok)) || !(buf = malloc(READ_CHUNK))) {
        mc_err_oom(e, c->path);
        goto done;
    }
    if (!c->header) map_columns(&r, c->field_names.v, c->field_names.count);
    if (r.failed) goto done;
    errno = 0;
    if (!(gz = gzopen(c->path, "rb"))) {
        if (errno) mc_err_errno(e, c->path, "cannot open");
        else mc_err_fail(e, "%s: cannot open", c->path);
        goto done;
    }
    gzbuffer(gz, 1u << 18);
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) {
        mc_err_oom(e, c->path);
        goto done;
    }
    csv_set_delim(&p, c->separator);
    csv_set_space_func(&p, only_space);
    rc = parse_file(&r, &p, gz, buf);
    csv_free(&p);
    if (rc == 0 && r.in_header) rc = mc_err_fail(e, "%s:1: empty file, no header line", c->path);
done:
    if (gz) gzclose(gz);
    free(buf);
    reader_free(&r);
    if (rc < 0) table_free(t);
    return rc;
}

