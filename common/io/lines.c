/* lines: a text file (or stdin) a line or a CSV record at a time. */
#include "lines.h"
#include "alloc.h"
#include "lineread.h"

#include <csv.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *lines_shown(const char *path)
{
    return strcmp(path, "-") ? path : "stdin";
}

int lines_each(const char *path, line_fn fn, void *ctx, mc_err *e)
{
    const char *shown = lines_shown(path);
    FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
    if (!f) return mc_err_errno(e, path, "cannot open");
    linebuf b = {0};
    size_t line = 0;
    ssize_t len;
    int rc = 0;
    while (rc == 0 && (len = lineread_next(f, &b, shown, line + 1, e)) >= 0) {
        line++;
        if (len && b.buf[len - 1] == '\r') b.buf[--len] = 0;
        if (strlen(b.buf) != (size_t)len) rc = mc_err_fail(e, "%s:%zu: NUL byte in the line", shown, line);
        else rc = fn(ctx, shown, line, b.buf, e);
    }
    if (rc == 0 && len == -2) rc = -1;
    lineread_free(&b);
    if (f != stdin) fclose(f);
    return rc;
}

/* A CSV read a line at a time: each line's fields, parsed by libcsv, joined by TABs. */
typedef struct csv_lines {
    line_fn fn;
    void *ctx;
    int decided, csv;
    struct csv_parser p;
    char *out;
    size_t len, alloc, fields;
    int tab, oom;               /* a field held a TAB; out of memory */
} csv_lines;

static void csv_lines_field(void *s, size_t n, void *ctx)
{
    csv_lines *c = ctx;
    if (memchr(s, '\t', n)) c->tab = 1;
    if (c->oom || MC_GROW(c->out, c->len + n + 2, c->alloc) < 0) {
        c->oom = 1;
        return;
    }
    if (c->fields++) c->out[c->len++] = '\t';
    memcpy(c->out + c->len, s, n);
    c->len += n;
    c->out[c->len] = 0;
}

static void csv_lines_record(int end, void *ctx)
{
    (void)end;
    (void)ctx;
}

static int csv_lines_line(void *ctx, const char *shown, size_t line, char *text, mc_err *e)
{
    csv_lines *c = ctx;
    if (!c->decided) c->csv |= strchr(text, ',') && !strchr(text, '\t');
    c->decided = 1;
    if (!c->csv) return c->fn(c->ctx, shown, line, text, e);
    size_t n = strlen(text);
    c->len = c->fields = 0;
    c->tab = 0;
    if (MC_GROW(c->out, 1, c->alloc) < 0) return mc_err_oom(e, shown);
    c->out[0] = 0;
    if (csv_parse(&c->p, text, n, csv_lines_field, csv_lines_record, c) != n ||
        csv_fini(&c->p, csv_lines_field, csv_lines_record, c) != 0)
        return csv_error(&c->p) == CSV_EPARSE
                   ? mc_err_fail(e, "%s:%zu: malformed CSV (a quote not closed on its line, or a stray quote)", shown,
                                 line)
                   : mc_err_fail(e, "%s:%zu: malformed CSV (%s)", shown, line, csv_strerror(csv_error(&c->p)));
    if (c->oom) return mc_err_oom(e, shown);
    if (c->tab) return mc_err_fail(e, "%s:%zu: a CSV field holds a TAB", shown, line);
    return c->fn(c->ctx, shown, line, c->out, e);
}

static int ends_with(const char *s, const char *end)
{
    size_t n = strlen(s), k = strlen(end);
    return n >= k && !strcmp(s + n - k, end);
}

int lines_records_each(const char *path, line_fn fn, void *ctx, mc_err *e)
{
    csv_lines c = {.fn = fn, .ctx = ctx, .csv = ends_with(path, ".csv")};
    if (csv_init(&c.p, CSV_STRICT | CSV_STRICT_FINI) != 0) return mc_err_oom(e, lines_shown(path));
    int rc = lines_each(path, csv_lines_line, &c, e);
    csv_free(&c.p);
    free(c.out);
    return rc;
}

int lines_is_integer(const char *s, long long *v)
{
    const char *p = s + (*s == '-');
    if (*p < '0' || *p > '9') return 0;
    for (; *p; p++)
        if (*p < '0' || *p > '9') return 0;
    char *end;
    errno = 0;
    *v = strtoll(s, &end, 10);
    return errno == 0 && !*end;
}
