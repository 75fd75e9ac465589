/* stdfmt: the STD standard text form: format.yaml, CSV tables via libcsv, the matrix through the filters. */
#include "stdfmt.h"
#include "lineread.h"

#include <csv.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>
#include <zlib.h>

#include "genes.h"
#include "meta.h"
#include "npy.h"
#include "txt.h"
#include "formats.h"
#include "lanes.h"
#include "strmap.h"
#include "outdir.h"

#define READ_CHUNK (1u << 20)

const char *field_type_name(field_type t)
{
    static const char *const names[] = {"str", "int", "float"};
    return names[t];
}

static int parse_field_type(const char *s, field_type *t)
{
    for (int i = 0; i < 3; i++)
        if (!strcmp(s, field_type_name((field_type)i))) return *t = (field_type)i, 0;
    return -1;
}

/* Fields that are always strings whatever the format says. */
static int must_be_str(const char *name)
{
    static const char *const names[] = {"name", "ensembl", "barcode", "lane", "batch", NULL};
    for (const char *const *n = names; *n; n++)
        if (!strcmp(*n, name)) return 1;
    return 0;
}

/* --- tables -------------------------------------------------------------------- */

long std_column_index(const std_table *t, const char *name)
{
    for (size_t c = 0; c < t->ncolumns; c++)
        if (!strcmp(t->columns[c].name, name)) return (long)c;
    return -1;
}

static int oom(mc_err *e, const char *what) { return mc_fail(e, "%s: out of memory", what); }

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap) return 0;
    size_t n = *cap ? *cap : 16;
    while (n < need) n *= 2;
    void *q = realloc(*p, n * size);
    if (!q) return -1;
    *p = q;
    *cap = n;
    return 0;
}

static int add_column(std_table *t, const char *name, field_type type)
{
    std_column *cs = realloc(t->columns, (t->ncolumns + 1) * sizeof *cs);
    if (!cs) return -1;
    t->columns = cs;
    std_column *c = &cs[t->ncolumns];
    memset(c, 0, sizeof *c);
    c->type = type;
    if (!(c->name = strdup(name))) return -1;
    size_t rows = t->cap ? t->cap : 1;
    if (!(c->offset = malloc(rows * sizeof *c->offset))) {
        free(c->name);
        return -1;
    }
    t->ncolumns++;
    return 0;
}

/* Room for one more row in every column's offsets (and the line numbers). */
static int reserve_row(std_table *t)
{
    if (t->count < t->cap) return 0;
    size_t cap = t->cap ? 2 * t->cap : 1024;
    for (size_t c = 0; c < t->ncolumns; c++) {
        size_t *o = realloc(t->columns[c].offset, cap * sizeof *o);
        if (!o) return -1;
        t->columns[c].offset = o;
    }
    if (t->line) {
        uint64_t *l = realloc(t->line, cap * sizeof *l);
        if (!l) return -1;
        t->line = l;
    }
    t->cap = cap;
    return 0;
}

/* Append S (N bytes) to column c as the value of row ROW. */
static int put_value(std_table *t, size_t c, size_t row, const char *s, size_t n)
{
    std_column *col = &t->columns[c];
    size_t need = col->len + n + 1;
    if (need > col->cap) {
        size_t cap = col->cap ? col->cap : 4096;
        while (cap < need) cap *= 2;
        char *text = realloc(col->text, cap);
        if (!text) return -1;
        col->text = text;
        col->cap = cap;
    }
    col->offset[row] = col->len;
    memcpy(col->text + col->len, s, n);
    col->text[col->len + n] = 0;
    col->len = need;
    return 0;
}

int std_table_init(std_table *t, const char *path, char *const *names, const field_type *types, size_t n, mc_err *e)
{
    memset(t, 0, sizeof *t);
    if (!(t->path = strdup(path))) return oom(e, path);
    for (size_t i = 0; i < n; i++)
        if (add_column(t, names[i], types[i]) < 0) {
            std_table_free(t);
            return oom(e, path);
        }
    return 0;
}

int std_table_add(std_table *t, const char *const *values, mc_err *e)
{
    if (reserve_row(t) < 0) return oom(e, t->path);
    for (size_t c = 0; c < t->ncolumns; c++)
        if (put_value(t, c, t->count, values[c], strlen(values[c])) < 0) return oom(e, t->path);
    t->count++;
    t->rows_total++;
    return 0;
}

void std_table_free(std_table *t)
{
    for (size_t c = 0; c < t->ncolumns; c++) {
        free(t->columns[c].name);
        free(t->columns[c].text);
        free(t->columns[c].offset);
    }
    free(t->columns);
    free(t->path);
    free(t->keep);
    free(t->line);
    memset(t, 0, sizeof *t);
}

/* --- format.yaml ---------------------------------------------------------------- */

typedef struct csv_spec {
    const char *section;       /* "genes" or "profiles" */
    char *path;
    unsigned char separator;
    int header;
    char **field_names;        /* header: false */
    size_t nfield_names;
    char **column;             /* kept columns, their field names and types */
    char **field;
    field_type *type;
    size_t nkeep;
    char **filter_column, **filter_value;
    size_t nfilter;
} csv_spec;

typedef struct derive {
    int given;
    char *from;
    char *sep;
    int suffix;                /* suffix_after (else prefix_before, or a plain copy when sep is NULL) */
    int hca;                   /* lane: hca, the HCA rule of lanes.h */
} derive;

struct std_format {
    csv_spec genes, profiles;
    derive lane, batch;
};

static void free_strings(char **v, size_t n)
{
    for (size_t i = 0; v && i < n; i++) free(v[i]);
    free(v);
}

static void spec_free(csv_spec *c)
{
    free(c->path);
    free_strings(c->field_names, c->nfield_names);
    free_strings(c->column, c->nkeep);
    free_strings(c->field, c->nkeep);
    free(c->type);
    free_strings(c->filter_column, c->nfilter);
    free_strings(c->filter_value, c->nfilter);
}

static void format_free(std_format *f)
{
    if (!f) return;
    spec_free(&f->genes);
    spec_free(&f->profiles);
    free(f->lane.from);
    free(f->lane.sep);
    free(f->batch.from);
    free(f->batch.sep);
    free(f);
}

typedef struct fmt_ctx {
    const char *path;          /* the format file */
    const char *dir;           /* the STD directory */
    mc_err *e;
} fmt_ctx;

static int bad(fmt_ctx *x, const char *section, const char *what)
{
    return mc_fail(x->e, "%s: %s: %s", x->path, section, what);
}

static const char *scalar(const ytree *v) { return v && v->type == YT_SCALAR ? v->scalar : NULL; }

static int only_keys(fmt_ctx *x, const char *section, const ytree *m, const char *const *known)
{
    for (size_t i = 0; i < m->n; i++) {
        const char *const *k = known;
        while (*k && strcmp(*k, m->keys[i])) k++;
        if (!*k) return mc_fail(x->e, "%s: %s: unknown key '%s'", x->path, section, m->keys[i]);
    }
    return 0;
}

/* A file named in the format, relative to the STD directory; stored plain or .gz. */
static char *resolve(fmt_ctx *x, const char *p)
{
    char *path = p[0] == '/' ? strdup(p) : path_join(x->dir, p), *either = path ? formats_gz_either(path) : NULL;
    free(path);
    return either;
}

/* A mapping of scalars into two parallel string arrays. */
static int scalar_map(fmt_ctx *x, const char *where, const ytree *m, char ***keys, char ***values, size_t *n)
{
    if (m->type != YT_MAP) return bad(x, where, "must be a mapping");
    *keys = calloc(m->n + 1, sizeof **keys);
    *values = calloc(m->n + 1, sizeof **values);
    *n = m->n;
    if (!*keys || !*values) return oom(x->e, x->path);
    for (size_t i = 0; i < m->n; i++) {
        const char *v = scalar(m->items[i]);
        if (!v) return mc_fail(x->e, "%s: %s.%s: must be a single value", x->path, where, m->keys[i]);
        if (!((*keys)[i] = strdup(m->keys[i])) || !((*values)[i] = strdup(v))) return oom(x->e, x->path);
    }
    return 0;
}

static int parse_csv_spec(fmt_ctx *x, const ytree *root, csv_spec *c)
{
    static const char *const known[] = {"path", "separator", "header", "field_names", "field_types",
                                        "rename", "filter", "lane", "batch", NULL};
    const char *s = c->section;
    const ytree *m = ytree_get(root, s), *v;
    if (!m) return mc_fail(x->e, "%s: no '%s' section", x->path, s);
    if (m->type != YT_MAP) return bad(x, s, "must be a mapping");
    if (only_keys(x, s, m, known) < 0) return -1;
    if (strcmp(s, "profiles") && (ytree_get(m, "lane") || ytree_get(m, "batch")))
        return bad(x, s, "lane and batch belong to profiles");
    const char *p = scalar(ytree_get(m, "path"));
    if (!p) return bad(x, s, "needs 'path'");
    if (!(c->path = resolve(x, p))) return oom(x->e, x->path);
    c->separator = ',';
    if ((v = ytree_get(m, "separator"))) {
        const char *sep = scalar(v);
        if (!sep || strlen(sep) != 1) return bad(x, s, "separator must be one character");
        c->separator = (unsigned char)sep[0];
        if (c->separator == '"' || c->separator == '\n' || c->separator == '\r')
            return bad(x, s, "separator cannot be a quote or a line break");
    }
    c->header = 1;
    if ((v = ytree_get(m, "header"))) {
        const char *h = scalar(v);
        if (h && !strcmp(h, "true")) c->header = 1;
        else if (h && !strcmp(h, "false")) c->header = 0;
        else return bad(x, s, "header must be true or false");
    }
    if ((v = ytree_get(m, "field_names"))) {
        if (c->header) return bad(x, s, "field_names is only for header: false");
        if (v->type != YT_SEQ) return bad(x, s, "field_names must be a list");
        if (!(c->field_names = calloc(v->n + 1, sizeof *c->field_names))) return oom(x->e, x->path);
        for (size_t i = 0; i < v->n; i++, c->nfield_names++) {
            const char *n = scalar(v->items[i]);
            if (!n) return bad(x, s, "field_names must be a list of names");
            if (!(c->field_names[i] = strdup(n))) return oom(x->e, x->path);
        }
    } else if (!c->header) {
        return bad(x, s, "header: false needs field_names");
    }
    const ytree *types = ytree_get(m, "field_types");
    if (!types) return bad(x, s, "needs 'field_types'");
    char **type_names = NULL;
    if (scalar_map(x, "field_types", types, &c->column, &type_names, &c->nkeep) < 0) {
        free_strings(type_names, c->nkeep);
        return -1;
    }
    c->field = calloc(c->nkeep + 1, sizeof *c->field);
    c->type = calloc(c->nkeep + 1, sizeof *c->type);
    int rc = c->field && c->type ? 0 : oom(x->e, x->path);
    for (size_t i = 0; rc == 0 && i < c->nkeep; i++)
        if (parse_field_type(type_names[i], &c->type[i]) < 0)
            rc = mc_fail(x->e, "%s: %s.field_types.%s: '%s' is not str, int or float", x->path, s, c->column[i],
                         type_names[i]);
    free_strings(type_names, c->nkeep);
    if (rc < 0) return -1;
    char **from = NULL, **to = NULL;
    size_t nrename = 0;
    if ((v = ytree_get(m, "rename")) && scalar_map(x, "rename", v, &from, &to, &nrename) < 0) rc = -1;
    for (size_t i = 0; rc == 0 && i < c->nkeep; i++) {
        const char *name = c->column[i];
        for (size_t k = 0; k < nrename; k++)
            if (!strcmp(from[k], c->column[i])) name = to[k];
        if (!(c->field[i] = strdup(name))) rc = oom(x->e, x->path);
    }
    for (size_t k = 0; rc == 0 && k < nrename; k++) {
        size_t i = 0;
        while (i < c->nkeep && strcmp(from[k], c->column[i])) i++;
        if (i == c->nkeep) rc = mc_fail(x->e, "%s: %s.rename: '%s' is not in field_types", x->path, s, from[k]);
    }
    free_strings(from, nrename);
    free_strings(to, nrename);
    for (size_t i = 0; rc == 0 && i < c->nkeep; i++) {
        for (size_t k = 0; rc == 0 && k < i; k++)
            if (!strcmp(c->field[i], c->field[k])) rc = mc_fail(x->e, "%s: %s: field '%s' given twice", x->path, s, c->field[i]);
        if (rc == 0 && must_be_str(c->field[i]) && c->type[i] != FIELD_STR)
            rc = mc_fail(x->e, "%s: %s: field '%s' must be str", x->path, s, c->field[i]);
    }
    if (rc < 0) return -1;
    if ((v = ytree_get(m, "filter")) && scalar_map(x, "filter", v, &c->filter_column, &c->filter_value, &c->nfilter) < 0)
        return -1;
    for (size_t i = 0; i < c->nkeep; i++)
        if (!*c->field[i] || strchr(c->field[i], '/'))
            return mc_fail(x->e, "%s: %s: field '%s' cannot name a file (rename it)", x->path, s, c->field[i]);
    if (!c->header) {
        for (size_t i = 0; i < c->nkeep + c->nfilter; i++) {
            const char *col = i < c->nkeep ? c->column[i] : c->filter_column[i - c->nkeep];
            size_t k = 0;
            while (k < c->nfield_names && strcmp(c->field_names[k], col)) k++;
            if (k == c->nfield_names)
                return mc_fail(x->e, "%s: %s.%s: '%s' is not in field_names", x->path, s,
                               i < c->nkeep ? "field_types" : "filter", col);
        }
    }
    return 0;
}

static long spec_field(const csv_spec *c, const char *field)
{
    for (size_t i = 0; i < c->nkeep; i++)
        if (!strcmp(c->field[i], field)) return (long)i;
    return -1;
}

static int parse_derive(fmt_ctx *x, const ytree *profiles, const char *key, derive *d)
{
    static const char *const known[] = {"from", "suffix_after", "prefix_before", NULL};
    const ytree *m = ytree_get(profiles, key);
    char where[32];
    snprintf(where, sizeof where, "profiles.%s", key);
    if (!m) return 0;
    if (!strcmp(key, "lane") && scalar(m) && !strcmp(scalar(m), "hca")) return d->hca = 1, 0;
    if (m->type != YT_MAP)
        return bad(x, where, "must be hca (lane only) or a mapping {from: FIELD, suffix_after|prefix_before: SEP}");
    if (only_keys(x, where, m, known) < 0) return -1;
    const char *from = scalar(ytree_get(m, "from")), *suffix = scalar(ytree_get(m, "suffix_after")),
               *prefix = scalar(ytree_get(m, "prefix_before"));
    if (!from) return bad(x, where, "needs 'from'");
    if (suffix && prefix) return bad(x, where, "give suffix_after or prefix_before, not both");
    const char *sep = suffix ? suffix : prefix;
    if (sep && !*sep) return bad(x, where, "the separator is empty");
    d->given = 1;
    d->suffix = suffix != NULL;
    if (!(d->from = strdup(from)) || (sep && !(d->sep = strdup(sep)))) return oom(x->e, x->path);
    return 0;
}

static int parse_format(fmt_ctx *x, const ytree *root, std_format *f, char **matrix)
{
    if (!root || root->type != YT_MAP) return mc_fail(x->e, "%s: must be a mapping", x->path);
    const ytree *m = ytree_get(root, "matrix");
    static const char *const known[] = {"path", NULL};
    if (!m) return mc_fail(x->e, "%s: no 'matrix' section", x->path);
    if (m->type != YT_MAP) return bad(x, "matrix", "must be {path: FILE}");
    if (only_keys(x, "matrix", m, known) < 0) return -1;
    if (!scalar(ytree_get(m, "path"))) return bad(x, "matrix", "needs 'path'");
    if (!(*matrix = resolve(x, scalar(ytree_get(m, "path"))))) return oom(x->e, x->path);
    f->genes.section = "genes";
    f->profiles.section = "profiles";
    if (parse_csv_spec(x, root, &f->genes) < 0 || parse_csv_spec(x, root, &f->profiles) < 0) return -1;
    if (spec_field(&f->genes, "name") < 0) return bad(x, "genes", "needs the field 'name' in field_types (or rename)");
    if (spec_field(&f->profiles, "barcode") < 0)
        return bad(x, "profiles", "needs the field 'barcode' in field_types (or rename)");
    const ytree *p = ytree_get(root, "profiles");
    if (parse_derive(x, p, "lane", &f->lane) < 0 || parse_derive(x, p, "batch", &f->batch) < 0) return -1;
    if ((f->lane.given || f->lane.hca) && spec_field(&f->profiles, "lane") >= 0) return bad(x, "profiles", "lane is both a column and derived");
    if (f->batch.given && spec_field(&f->profiles, "batch") >= 0)
        return bad(x, "profiles", "batch is both a column and derived");
    if (f->lane.given && spec_field(&f->profiles, f->lane.from) < 0)
        return mc_fail(x->e, "%s: profiles.lane: from '%s' is not a profiles field", x->path, f->lane.from);
    if (f->batch.given && strcmp(f->batch.from, "lane") && spec_field(&f->profiles, f->batch.from) < 0)
        return mc_fail(x->e, "%s: profiles.batch: from '%s' is not a profiles field", x->path, f->batch.from);
    return 0;
}

/* --- reading a CSV with libcsv ---------------------------------------------------- */

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
    char **header;
    size_t nheader;
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
    mc_fail(r->e, "%s:%llu: %s", r->spec->path, (unsigned long long)r->line, what);
}

static void reader_oom(csv_reader *r)
{
    r->failed = 1;
    oom(r->e, r->spec->path);
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
    return t == FIELD_STR || (t == FIELD_INT ? valid_int(s) : valid_float(s));
}

static void on_field(void *data, size_t len, void *ctx)
{
    csv_reader *r = ctx;
    const char *s = data ? data : "";
    if (r->failed) return;
    size_t col = r->field++;
    if (r->in_header) {
        char **h = realloc(r->header, (r->nheader + 1) * sizeof *h);
        if (!h) return reader_oom(r);
        r->header = h;
        if (col == 0 && len >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3)) s += 3, len -= 3;   /* a UTF-8 BOM */
        if (!(h[r->nheader] = strndup(s, len))) return reader_oom(r);
        r->nheader++;
        return;
    }
    if (col >= r->nmap) return;
    long k = r->slot[col], f = r->filt[col];
    if (f >= 0) {
        const char *want = r->spec->filter_value[f];
        r->fok[f] = strlen(want) == len && !memcmp(want, s, len);
    }
    if (k < 0) return;
    if (r->slen + len + 1 > r->scap) {
        size_t cap = r->scap ? 2 * r->scap : 4096;
        while (cap < r->slen + len + 1) cap *= 2;
        char *b = realloc(r->scratch, cap);
        if (!b) return reader_oom(r);
        r->scratch = b;
        r->scap = cap;
    }
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
    r->slot = malloc((n + 1) * sizeof *r->slot);
    r->filt = malloc((n + 1) * sizeof *r->filt);
    if (!r->slot || !r->filt) return reader_oom(r);
    for (size_t i = 0; i < n; i++) r->slot[i] = r->filt[i] = -1;
    for (size_t k = 0; k < c->nkeep; k++) {
        size_t i = 0;
        while (i < n && strcmp(names[i], c->column[k])) i++;
        if (i == n) {
            fail_at(r, c->header ? "no column '%s' (field_types lists it)" : "no column '%s' in field_names",
                    c->column[k]);
            return;
        }
        if (r->slot[i] < 0) r->slot[i] = (long)k;
    }
    for (size_t f = 0; f < c->nfilter; f++) {
        size_t i = 0;
        while (i < n && strcmp(names[i], c->filter_column[f])) i++;
        if (i == n) {
            fail_at(r, "no column '%s' (filter names it)", c->filter_column[f]);
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
        r->ncols = r->nheader;
        map_columns(r, r->header, r->nheader);
        return;
    }
    if (r->ncols && fields != r->ncols) return fail_at(r, "%zu fields, but the header has %zu", fields, r->ncols);
    if (!r->ncols && fields < c->nfield_names)
        return fail_at(r, "%zu fields, but field_names lists %zu", fields, c->nfield_names);
    int keep = 1;
    for (i = 0; i < c->nfilter; i++) keep &= r->fok[i];
    if (c->nfilter) {
        if (t->rows_total >= UINT32_MAX - 1) return fail_at(r, "more than %u rows", UINT32_MAX - 1);
        if (grow((void **)&t->keep, &r->keep_cap, t->rows_total + 1, sizeof *t->keep) < 0) return reader_oom(r);
        t->keep[t->rows_total] = keep ? (uint32_t)t->count : STD_DROPPED;
    }
    if (t->rows_total >= r->max_rows)   /* refused now, not after reading the rest */
        return fail_at(r, "more rows than the %llu of the size line of %s", (unsigned long long)r->max_rows, r->matrix);
    t->rows_total++;
    r->slen = 0;
    if (!keep) return;
    for (size_t k = 0; k < c->nkeep; k++) {
        const char *v = r->scratch + r->soff[k];
        if (!valid(c->type[k], v))
            return fail_at(r, "column '%s': '%.64s' is not %s", c->column[k], v, c->type[k] == FIELD_INT ? "an int" : "a float");
    }
    if (reserve_row(t) < 0) return reader_oom(r);
    for (size_t k = 0; k < c->nkeep; k++)
        if (put_value(t, k, t->count, r->scratch + r->soff[k], r->slen_of[k]) < 0) return reader_oom(r);
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
    free_strings(r->header, r->nheader);
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
            return mc_fail(r->e, "%s:%llu: read error: %s", r->spec->path, (unsigned long long)r->line, msg);
        }
        if (n == 0) {
            int errnum;
            gzerror(gz, &errnum);
            if (errnum != Z_OK && errnum != Z_STREAM_END)
                return mc_fail(r->e, "%s:%llu: truncated gzip data", r->spec->path, (unsigned long long)r->line);
            break;
        }
        char *s = buf, *end = buf + n;
        while (s < end) {
            char *nl = memchr(s, '\n', (size_t)(end - s));
            char *stop = nl ? nl + 1 : end;
            if (p->pstate == 0) r->record_bytes = 0;   /* libcsv's ROW_NOT_BEGUN: between records */
            if ((r->record_bytes += (size_t)(stop - s)) > MC_MAX_LINE)   /* before libcsv buffers it */
                return mc_fail(r->e, "%s:%llu: a row longer than %u bytes", r->spec->path, (unsigned long long)r->line,
                               MC_MAX_LINE);
            if (csv_parse(p, s, (size_t)(stop - s), on_field, on_record, r) != (size_t)(stop - s) && !r->failed)
                return mc_fail(r->e, "%s:%llu: malformed CSV: %s", r->spec->path, (unsigned long long)r->line,
                               csv_strerror(csv_error(p)));
            if (r->failed) return -1;
            if (nl) r->line++;
            s = stop;
        }
    }
    if (csv_fini(p, on_field, on_record, r) != 0 && !r->failed)
        return mc_fail(r->e, "%s:%llu: malformed CSV: %s", r->spec->path, (unsigned long long)r->line,
                       csv_strerror(csv_error(p)));
    return r->failed ? -1 : 0;
}

static int read_csv(const csv_spec *c, std_table *t, const char *matrix, uint64_t max_rows, mc_err *e)
{
    csv_reader r = {.spec = c, .t = t, .e = e, .line = 1, .in_header = c->header, .max_rows = max_rows, .matrix = matrix};
    struct csv_parser p;
    char *buf = NULL;
    gzFile gz = NULL;
    int rc = -1;
    char **names = malloc((c->nkeep + 1) * sizeof *names);
    field_type *types = malloc((c->nkeep + 1) * sizeof *types);
    if (!names || !types) {
        free(names);
        free(types);
        return oom(e, c->path);
    }
    for (size_t k = 0; k < c->nkeep; k++) names[k] = c->field[k], types[k] = c->type[k];
    rc = std_table_init(t, c->path, names, types, c->nkeep, e);
    free(names);
    free(types);
    if (rc < 0) return -1;
    rc = -1;
    if (!(t->line = malloc(sizeof *t->line)) || !(r.soff = calloc(c->nkeep + 1, sizeof *r.soff)) ||
        !(r.slen_of = calloc(c->nkeep + 1, sizeof *r.slen_of)) || !(r.fok = calloc(c->nfilter + 1, sizeof *r.fok)) ||
        !(buf = malloc(READ_CHUNK))) {
        oom(e, c->path);
        goto done;
    }
    if (!c->header) map_columns(&r, c->field_names, c->nfield_names);
    if (r.failed) goto done;
    errno = 0;
    if (!(gz = gzopen(c->path, "rb"))) {
        if (errno) mc_fail_errno(e, c->path, "cannot open");
        else mc_fail(e, "%s: cannot open", c->path);
        goto done;
    }
    gzbuffer(gz, 1u << 18);
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) {
        oom(e, c->path);
        goto done;
    }
    csv_set_delim(&p, c->separator);
    csv_set_space_func(&p, only_space);
    rc = parse_file(&r, &p, gz, buf);
    csv_free(&p);
    if (rc == 0 && r.in_header) rc = mc_fail(e, "%s:1: empty file, no header line", c->path);
done:
    if (gz) gzclose(gz);
    free(buf);
    reader_free(&r);
    if (rc < 0) std_table_free(t);
    return rc;
}

/* --- lanes and batches ----------------------------------------------------------- */

/* Split V at SEP: the last SEP for a suffix, the first for a prefix.  *part is
 * the derived text, *rest the remainder (both point into V, not terminated). */
static int split(const char *v, const derive *d, const char **part, size_t *plen, const char **rest, size_t *rlen)
{
    size_t n = strlen(v), k = strlen(d->sep);
    const char *at = NULL;
    if (d->suffix) {
        for (const char *p = strstr(v, d->sep); p; p = strstr(p + 1, d->sep)) at = p;
    } else {
        at = strstr(v, d->sep);
    }
    if (!at) return -1;
    if (d->suffix) {
        *part = at + k, *plen = n - (size_t)(at - v) - k;
        *rest = v, *rlen = (size_t)(at - v);
    } else {
        *part = v, *plen = (size_t)(at - v);
        *rest = at + k, *rlen = n - (size_t)(at - v) - k;
    }
    return 0;
}

/* Swap the contents of columns a and b (so a derived column can replace another). */
static void swap_columns(std_table *t, size_t a, size_t b)
{
    std_column tmp = t->columns[a];
    t->columns[a] = t->columns[b];
    t->columns[b] = tmp;
    char *name = t->columns[a].name;
    t->columns[a].name = t->columns[b].name;
    t->columns[b].name = name;
}

static void drop_last_column(std_table *t)
{
    std_column *c = &t->columns[--t->ncolumns];
    free(c->name);
    free(c->text);
    free(c->offset);
}

/* Add column NAME derived from column SRC by D (a copy when D has no separator);
 * when STRIP, replace SRC by what remains. */
static int derive_column(std_table *t, const char *name, long src, const derive *d, int strip, mc_err *e)
{
    size_t col = t->ncolumns, rest_col = col + 1;
    if (add_column(t, name, FIELD_STR) < 0) return oom(e, t->path);
    if (strip && add_column(t, "rest", FIELD_STR) < 0) return oom(e, t->path);
    for (size_t i = 0; i < t->count; i++) {
        const char *v = std_value(t, (size_t)src, i), *part = v, *rest = v;
        size_t plen = strlen(v), rlen = plen;
        if (d->sep && split(v, d, &part, &plen, &rest, &rlen) < 0 && strip)   /* else the whole value */
            return mc_fail(e, "%s:%llu: %s '%s' has no '%s' to take the %s from", t->path, (unsigned long long)t->line[i],
                           t->columns[src].name, v, d->sep, name);
        if (!plen) return mc_fail(e, "%s:%llu: empty %s in %s '%s'", t->path, (unsigned long long)t->line[i], name,
                                  t->columns[src].name, v);
        if (put_value(t, col, i, part, plen) < 0 || (strip && put_value(t, rest_col, i, rest, rlen) < 0))
            return oom(e, t->path);
    }
    if (strip) {
        swap_columns(t, (size_t)src, rest_col);
        drop_last_column(t);
    }
    return 0;
}

/* Whether every barcode of T has the HCA form (lanes.h). */
static int all_hca(const std_table *t)
{
    long b = std_column_index(t, "barcode");
    for (size_t i = 0; i < t->count; i++)
        if (!barcode_is_hca(std_value(t, (size_t)b, i))) return 0;
    return t->count > 0;
}

static int derive_lane_batch(std_dir *s, mc_err *e)
{
    std_table *t = &s->profiles;
    const std_format *f = s->format;
    derive copy = {0}, hca_lane = {.given = 1, .from = "barcode", .sep = "-"},
           hca_batch = {.given = 1, .from = "lane", .sep = "_"};
    const derive *lane = f->lane.hca ? (all_hca(t) ? &hca_lane : &copy) : &f->lane,
                 *batch = f->lane.hca && lane->given && !f->batch.given ? &hca_batch : &f->batch;
    if (std_column_index(t, "lane") < 0) {
        if (lane->given) {
            long src = std_column_index(t, lane->from);
            int strip = lane->sep && !strcmp(lane->from, "barcode");
            /* The barcode loses its lane: "name" keeps it whole, the profile's name (SPEC 7). */
            if (strip && std_column_index(t, "name") < 0 && derive_column(t, "name", src, &copy, 0, e) < 0)
                return -1;
            if (derive_column(t, "lane", src, lane, strip, e) < 0) return -1;
        } else {
            size_t col = t->ncolumns;
            if (add_column(t, "lane", FIELD_STR) < 0) return oom(e, t->path);
            for (size_t i = 0; i < t->count; i++)
                if (put_value(t, col, i, "all", 3) < 0) return oom(e, t->path);
        }
    }
    if (std_column_index(t, "batch") < 0) {
        const derive *d = batch->given ? batch : &copy;
        long src = std_column_index(t, batch->given ? batch->from : "lane");
        if (derive_column(t, "batch", src, d, 0, e) < 0) return -1;
    }
    return 0;
}

/* --- the STD directory ------------------------------------------------------------- */

int std_open(std_dir *s, const char *dir, const char *format, mc_err *e)
{
    memset(s, 0, sizeof *s);
    ytree *root = NULL;
    int rc = -1;
    if (!(s->dir = strdup(dir)) || !(s->format = calloc(1, sizeof *s->format))) {
        oom(e, dir);
        goto done;
    }
    if (!(s->format_path = format ? formats_find(format, e) : formats_detect(dir, e))) goto done;
    if (ytree_load(s->format_path, &root, e) < 0) goto done;
    fmt_ctx x = {.path = s->format_path, .dir = dir, .e = e};
    rc = parse_format(&x, root, s->format, &s->matrix_path);
done:
    ytree_free(root);
    if (rc < 0) std_close(s);
    return rc;
}

/* The rows (COLS: columns) the matrix's size line announces, so a profiles CSV
 * with more rows is refused at the first one too many (genes are never that
 * many, and mc-make-genes reads them without the matrix); UINT64_MAX when the
 * matrix cannot be read yet (std_matrix_open will say why, if it is needed). */
static uint64_t matrix_axis(const std_dir *s, int cols)
{
    mc_err ignored;
    mtx_reader *m = mtx_open(s->matrix_path, &ignored);
    if (!m) return UINT64_MAX;
    uint64_t n = cols ? mtx_cols(m) : mtx_rows(m);
    mtx_close(m);
    return n;
}

/* Where row I of T came from, for messages: "PATH:LINE" when read from a CSV,
 * else "PATH: row I+1". */
static void row_at(const std_table *t, size_t i, char *out, size_t cap)
{
    if (t->line) snprintf(out, cap, "%s:%llu", t->path, (unsigned long long)t->line[i]);
    else snprintf(out, cap, "%s: row %zu", t->path, i + 1);
}

int std_check_genes(const std_table *t, mc_err *e)
{
    long c = std_column_index(t, "name");
    char at[600];
    for (size_t i = 0; c >= 0 && i < t->count; i++)
        if (!std_value(t, (size_t)c, i)[0]) {
            row_at(t, i, at, sizeof at);
            return mc_fail(e, "%s: empty gene name", at);
        }
    return 0;
}

/* "LANE\tBARCODE" of row I into *key (grown as needed). */
static int lane_key(const std_table *t, long lane, long bc, size_t i, char **key, size_t *cap)
{
    const char *l = lane >= 0 ? std_value(t, (size_t)lane, i) : "", *b = std_value(t, (size_t)bc, i);
    size_t n = strlen(l) + strlen(b) + 2;
    if (n > *cap) {
        char *k = realloc(*key, n);
        if (!k) return -1;
        *key = k;
        *cap = n;
    }
    snprintf(*key, n, "%s\t%s", l, b);
    return 0;
}

/* Barcodes of one lane are names: none empty, none twice (profiles are looked
 * up by them).  Keys live in one arena so the map can borrow them. */
int std_check_profiles(const std_table *t, mc_err *e)
{
    long bc = std_column_index(t, "barcode"), lane = std_column_index(t, "lane");
    if (bc < 0) return 0;
    strmap m;
    std_table keys = {0};
    char *key = NULL, at[600], first[600], *const name = "key";
    const field_type str = FIELD_STR;
    size_t cap = 0, old;
    int rc = strmap_init(&m, t->count) < 0 || std_table_init(&keys, t->path, &name, &str, 1, e) < 0 ? -2 : 0;
    for (size_t i = 0; rc == 0 && i < t->count; i++) {
        row_at(t, i, at, sizeof at);
        if (!std_value(t, (size_t)bc, i)[0]) rc = mc_fail(e, "%s: empty barcode", at);
        else if (lane_key(t, lane, bc, i, &key, &cap) < 0 || std_table_add(&keys, (const char *const *)&key, e) < 0)
            rc = -2;
    }
    for (size_t i = 0; rc == 0 && i < t->count; i++) {
        int put = strmap_put(&m, std_value(&keys, 0, i), i, &old);
        if (put < 0) rc = -2;
        else if (put == 0) {
            row_at(t, i, at, sizeof at);
            if (t->line) snprintf(first, sizeof first, "line %llu", (unsigned long long)t->line[old]);
            else snprintf(first, sizeof first, "row %zu", old + 1);
            rc = mc_fail(e, "%s: barcode '%s' twice in lane '%s' (first at %s)", at, std_value(t, (size_t)bc, i),
                         lane >= 0 ? std_value(t, (size_t)lane, i) : "all", first);
        }
    }
    if (rc == -2) rc = oom(e, t->path);
    free(key);
    std_table_free(&keys);
    strmap_free(&m);
    return rc;
}

int std_load_genes(std_dir *s, mc_err *e)
{
    if (read_csv(&s->format->genes, &s->genes, s->matrix_path, UINT64_MAX, e) < 0) return -1;
    s->genes_loaded = 1;
    return std_check_genes(&s->genes, e);
}

int std_load_profiles(std_dir *s, mc_err *e)
{
    if (read_csv(&s->format->profiles, &s->profiles, s->matrix_path, matrix_axis(s, 1), e) < 0) return -1;
    s->profiles_loaded = 1;
    return derive_lane_batch(s, e) < 0 ? -1 : std_check_profiles(&s->profiles, e);
}

void std_close(std_dir *s)
{
    free(s->dir);
    free(s->format_path);
    free(s->matrix_path);
    std_table_free(&s->genes);
    std_table_free(&s->profiles);
    format_free(s->format);
    memset(s, 0, sizeof *s);
}

/* --- the matrix through the filters ------------------------------------------------- */

struct std_matrix {
    mtx_reader *r;
    const uint32_t *gene_keep, *profile_keep;
};

std_matrix *std_matrix_open(const std_dir *s, mc_err *e)
{
    if (!s->genes_loaded || !s->profiles_loaded) {
        mc_fail(e, "%s: the genes and profiles must be loaded before the matrix", s->dir);
        return NULL;
    }
    std_matrix *m = calloc(1, sizeof *m);
    if (!m) {
        oom(e, s->matrix_path);
        return NULL;
    }
    if (!(m->r = mtx_open(s->matrix_path, e))) {
        free(m);
        return NULL;
    }
    unsigned long long line = mtx_line(m->r);
    if (mtx_rows(m->r) != s->genes.rows_total)
        mc_fail(e, "%s:%llu: the size line has %u rows, but %s has %zu genes", s->matrix_path, line, mtx_rows(m->r),
                s->genes.path, s->genes.rows_total);
    else if (mtx_cols(m->r) != s->profiles.rows_total)
        mc_fail(e, "%s:%llu: the size line has %u columns, but %s has %zu profiles", s->matrix_path, line,
                mtx_cols(m->r), s->profiles.path, s->profiles.rows_total);
    else {
        m->gene_keep = s->genes.keep;
        m->profile_keep = s->profiles.keep;
        return m;
    }
    std_matrix_close(m);
    return NULL;
}

int std_matrix_next(std_matrix *m, uint32_t *gene, uint32_t *profile, uint64_t *value, mc_err *e)
{
    for (;;) {
        int rc = mtx_next(m->r, gene, profile, value, e);
        if (rc <= 0) return rc;
        if (*value > STD_MAX_COUNT)   /* refused by every reader of an STD, not only the last */
            return mc_fail(e, "%s:%llu: value %llu is not a plausible count (more than %u)", mtx_path(m->r),
                           (unsigned long long)mtx_line(m->r), (unsigned long long)*value, STD_MAX_COUNT);
        if (m->gene_keep && (*gene = m->gene_keep[*gene]) == STD_DROPPED) continue;
        if (m->profile_keep && (*profile = m->profile_keep[*profile]) == STD_DROPPED) continue;
        return 1;
    }
}

mtx_reader *std_matrix_reader(std_matrix *m) { return m->r; }

void std_matrix_close(std_matrix *m)
{
    if (!m) return;
    mtx_close(m->r);
    free(m);
}

/* --- writing a canonical STD ---------------------------------------------------------- */

/* Columns in canonical order: the known fields first, the rest as they are. */
static size_t *column_order(const std_table *t)
{
    static const char *const first[] = {"ensembl", "name", "barcode", "lane", "batch", NULL};
    size_t *order = malloc((t->ncolumns + 1) * sizeof *order), n = 0;
    if (!order) return NULL;
    for (const char *const *f = first; *f; f++) {
        long c = std_column_index(t, *f);
        if (c >= 0) order[n++] = (size_t)c;
    }
    for (size_t c = 0; c < t->ncolumns; c++) {
        const char *const *f = first;
        while (*f && strcmp(*f, t->columns[c].name)) f++;
        if (!*f) order[n++] = c;
    }
    return order;
}

/* Quote only where a reader would otherwise see something else (libcsv quotes all). */
static int put_field(FILE *f, const char *s, char sep)
{
    size_t n = strlen(s);
    int quote = n && (s[0] == ' ' || s[n - 1] == ' ');
    for (const char *p = s; !quote && *p; p++) quote = *p == sep || *p == '"' || *p == '\n' || *p == '\r';
    if (quote) return csv_fwrite(f, s, n);
    return fwrite(s, 1, n, f) == n ? 0 : -1;
}

int std_write_csv(const char *path, const std_table *t, const size_t *rows, size_t n, mc_err *e)
{
    size_t *order = column_order(t);
    if (!order) return oom(e, path);
    FILE *f = fopen(path, "wb");
    if (!f) {
        free(order);
        return mc_fail_errno(e, path, "cannot create");
    }
    setvbuf(f, NULL, _IOFBF, 1u << 20);
    int bad = 0;
    for (size_t c = 0; c < t->ncolumns; c++) {
        if (c) bad |= putc(',', f) == EOF;
        bad |= put_field(f, t->columns[order[c]].name, ',') < 0;
    }
    bad |= putc('\n', f) == EOF;
    if (!rows) n = t->count;
    for (size_t i = 0; !bad && i < n; i++) {
        size_t row = rows ? rows[i] : i;
        for (size_t c = 0; c < t->ncolumns; c++) {
            if (c) bad |= putc(',', f) == EOF;
            bad |= put_field(f, std_value(t, order[c], row), ',') < 0;
        }
        bad |= putc('\n', f) == EOF;
    }
    free(order);
    bad |= ferror(f);
    if (fclose(f) != 0 || bad) return mc_fail_errno(e, path, "cannot write");
    return 0;
}

typedef struct emitter {
    yaml_emitter_t em;
    int ok;
} emitter;

static void emit(emitter *m, yaml_event_t *ev)
{
    if (m->ok && !yaml_emitter_emit(&m->em, ev)) m->ok = 0;
}

static void emit_str(emitter *m, const char *s, yaml_scalar_style_t style)
{
    yaml_event_t ev;
    if (m->ok && yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s, (int)strlen(s), 1, 1, style))
        emit(m, &ev);
}

static void emit_map(emitter *m, int start, yaml_mapping_style_t style)
{
    yaml_event_t ev;
    if (start ? yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, style) : yaml_mapping_end_event_initialize(&ev))
        emit(m, &ev);
}

static void emit_csv(emitter *m, const char *section, const char *file, const std_table *t, const size_t *order)
{
    emit_str(m, section, YAML_PLAIN_SCALAR_STYLE);
    emit_map(m, 1, YAML_FLOW_MAPPING_STYLE);
    emit_str(m, "path", YAML_PLAIN_SCALAR_STYLE);
    emit_str(m, file, YAML_PLAIN_SCALAR_STYLE);
    emit_str(m, "separator", YAML_PLAIN_SCALAR_STYLE);
    emit_str(m, ",", YAML_DOUBLE_QUOTED_SCALAR_STYLE);
    emit_str(m, "header", YAML_PLAIN_SCALAR_STYLE);
    emit_str(m, "true", YAML_PLAIN_SCALAR_STYLE);
    emit_str(m, "field_types", YAML_PLAIN_SCALAR_STYLE);
    emit_map(m, 1, YAML_FLOW_MAPPING_STYLE);
    for (size_t c = 0; c < t->ncolumns; c++) {
        emit_str(m, t->columns[order[c]].name, YAML_ANY_SCALAR_STYLE);
        emit_str(m, field_type_name(t->columns[order[c]].type), YAML_PLAIN_SCALAR_STYLE);
    }
    emit_map(m, 0, 0);
    emit_map(m, 0, 0);
}

int std_write_format(const char *path, const std_table *genes, const std_table *profiles, mc_err *e)
{
    size_t *gorder = column_order(genes), *porder = column_order(profiles);
    FILE *f = gorder && porder ? fopen(path, "wb") : NULL;
    emitter m = {0};
    yaml_event_t ev;
    int rc = -1;
    if (!gorder || !porder) oom(e, path);
    else if (!f) mc_fail_errno(e, path, "cannot create");
    else if (!yaml_emitter_initialize(&m.em)) oom(e, path);
    else {
        m.ok = 1;
        yaml_emitter_set_output_file(&m.em, f);
        yaml_emitter_set_unicode(&m.em, 1);
        yaml_emitter_set_width(&m.em, -1);
        if (yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING)) emit(&m, &ev);
        if (yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1)) emit(&m, &ev);
        emit_map(&m, 1, YAML_BLOCK_MAPPING_STYLE);
        emit_str(&m, "matrix", YAML_PLAIN_SCALAR_STYLE);
        emit_map(&m, 1, YAML_FLOW_MAPPING_STYLE);
        emit_str(&m, "path", YAML_PLAIN_SCALAR_STYLE);
        emit_str(&m, STD_MATRIX, YAML_PLAIN_SCALAR_STYLE);
        emit_map(&m, 0, 0);
        emit_csv(&m, "genes", STD_GENES, genes, gorder);
        emit_csv(&m, "profiles", STD_PROFILES, profiles, porder);
        emit_map(&m, 0, 0);
        if (yaml_document_end_event_initialize(&ev, 1)) emit(&m, &ev);
        if (yaml_stream_end_event_initialize(&ev)) emit(&m, &ev);
        rc = m.ok && yaml_emitter_flush(&m.em) ? 0 : mc_fail(e, "%s: cannot write YAML", path);
        yaml_emitter_delete(&m.em);
    }
    if (f && (ferror(f) | fclose(f)) && rc == 0) rc = mc_fail_errno(e, path, "cannot write");
    free(gorder);
    free(porder);
    return rc;
}

int std_write(const char *dir, const std_table *genes, const std_table *profiles, mc_err *e)
{
    return std_write_rows(dir, genes, profiles, NULL, 0, e);
}

int std_write_rows(const char *dir, const std_table *genes, const std_table *profiles, const size_t *rows, size_t n,
                   mc_err *e)
{
    char *fmt = path_join(dir, STD_FORMAT), *g = path_join(dir, STD_GENES), *p = path_join(dir, STD_PROFILES);
    int rc = !fmt || !g || !p ? oom(e, dir)
                              : std_write_format(fmt, genes, profiles, e) < 0 || std_write_csv(g, genes, NULL, 0, e) < 0 ||
                                        std_write_csv(p, profiles, rows, n, e) < 0
                                    ? -1
                                    : 0;
    free(fmt);
    free(g);
    free(p);
    return rc;
}

/* --- gene names and per-axis arrays ----------------------------------------------- */

void std_names_free(char **names, size_t n)
{
    free_strings(names, n);
}

int std_gene_names(const std_table *genes, char ***names, mc_err *e)
{
    long c = std_column_index(genes, "name");
    char **v = calloc(genes->count + 1, sizeof *v);
    if (c < 0) {
        free(v);
        return mc_fail(e, "%s: no gene names", genes->path);
    }
    if (!v) return oom(e, genes->path);
    for (size_t i = 0; i < genes->count; i++)
        if (!(v[i] = strdup(std_value(genes, (size_t)c, i)))) {
            free_strings(v, genes->count);
            return oom(e, genes->path);
        }
    if (genes_make_unique(v, genes->count, e) < 0) {
        free_strings(v, genes->count);
        return -1;
    }
    *names = v;
    return 0;
}

static int write_text_column(const char *path, const std_table *t, size_t c, const size_t *order, size_t n,
                             mc_err *e)
{
    char **lines = malloc((n + 1) * sizeof *lines);
    if (!lines) return oom(e, path);
    for (size_t i = 0; i < n; i++) {
        size_t row = order ? order[i] : i;
        lines[i] = (char *)std_value(t, c, row);
        if (strpbrk(lines[i], "\r\n")) {
            free(lines);
            if (t->line)
                return mc_fail(e, "%s:%llu: the %s value has a line break, which a .txt array cannot hold", t->path,
                               (unsigned long long)t->line[row], t->columns[c].name);
            return mc_fail(e, "%s: row %zu: %s has a line break, which a .txt array cannot hold", t->path, row + 1,
                           t->columns[c].name);
        }
    }
    int rc = txt_write(path, lines, n, e);
    free(lines);
    return rc;
}

static int write_number_column(const char *path, const std_table *t, size_t c, const size_t *order, size_t n,
                               mc_err *e)
{
    int is_int = t->columns[c].type == FIELD_INT, wide = 0;
    void *data = malloc((n + 1) * 8);
    if (!data) return oom(e, path);
    for (size_t i = 0; i < n; i++) {
        const char *s = std_value(t, c, order ? order[i] : i);
        if (is_int) {
            int64_t v = strtoll(s, NULL, 10);
            ((int64_t *)data)[i] = v;
            wide |= v < INT32_MIN || v > INT32_MAX;
        } else {
            ((double *)data)[i] = !*s || !strcmp(s, "NA") ? NAN : strtod(s, NULL);
        }
    }
    if (is_int && !wide) {
        int32_t *narrow = data;
        for (size_t i = 0; i < n; i++) narrow[i] = (int32_t)((int64_t *)data)[i];
    }
    int rc = npy_write(path, is_int ? (wide ? NPY_I8 : NPY_I4) : NPY_F8, 1, &n, 0, data, e);
    free(data);
    return rc;
}

int std_write_column(const char *dir, const char *kind, const std_table *t, size_t c, const size_t *order, size_t n,
                     mc_err *e)
{
    if (!order) n = t->count;
    const std_column *col = &t->columns[c];
    size_t len = strlen(kind) + strlen(col->name) + 8;
    char *file = malloc(len), *path;
    if (!file) return oom(e, dir);
    snprintf(file, len, "%s.%s.%s", kind, col->name, col->type == FIELD_STR ? "txt" : "npy");
    path = path_join(dir, file);
    free(file);
    if (!path) return oom(e, dir);
    int rc = col->type == FIELD_STR ? write_text_column(path, t, c, order, n, e)
                                      : write_number_column(path, t, c, order, n, e);
    free(path);
    return rc;
}
