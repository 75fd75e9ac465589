/* stdformat: format.yaml parsed and checked. */
#include "stdformat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "formats.h"
#include "path.h"
#include "yamltree.h"

static int parse_field_type(const char *s, field_type *t)
{
    for (int i = 0; i < FIELD_TYPES; i++)
        if (!strcmp(s, table_type_name((field_type)i))) return *t = (field_type)i, 0;
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

static void spec_free(csv_spec *c)
{
    free(c->path);
    strvec_free(&c->field_names);
    strvec_free(&c->column);
    strvec_free(&c->field);
    free(c->type);
    strvec_free(&c->filter_column);
    strvec_free(&c->filter_value);
    memset(c, 0, sizeof *c);
}

void stdformat_free(std_format *f)
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
    return mc_err_fail(x->e, "%s: %s: %s", x->path, section, what);
}

static const char *scalar(const ytree *v) { return v && v->type == YT_SCALAR ? v->scalar : NULL; }

static int only_keys(fmt_ctx *x, const char *section, const ytree *m, const char *const *known)
{
    for (size_t i = 0; i < m->n; i++) {
        const char *const *k = known;
        while (*k && strcmp(*k, m->keys[i])) k++;
        if (!*k) return mc_err_fail(x->e, "%s: %s: unknown key '%s'", x->path, section, m->keys[i]);
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

/* A mapping of scalars onto two vectors, in step. */
static int scalar_map(fmt_ctx *x, const char *where, const ytree *m, strvec *keys, strvec *values)
{
    if (m->type != YT_MAP) return bad(x, where, "must be a mapping");
    for (size_t i = 0; i < m->n; i++) {
        const char *v = scalar(m->items[i]);
        if (!v) return mc_err_fail(x->e, "%s: %s.%s: must be a single value", x->path, where, m->keys[i]);
        if (strvec_push(keys, m->keys[i]) < 0 || strvec_push(values, v) < 0) return mc_err_oom(x->e, x->path);
    }
    return 0;
}

static int parse_csv_spec(fmt_ctx *x, const ytree *root, csv_spec *c)
{
    static const char *const known[] = {"path", "separator", "header", "field_names", "field_types",
                                        "rename", "filter", "lane", "batch", NULL};
    const char *s = c->section;
    const ytree *m = yamltree_get(root, s), *v;
    if (!m) return mc_err_fail(x->e, "%s: no '%s' section", x->path, s);
    if (m->type != YT_MAP) return bad(x, s, "must be a mapping");
    if (only_keys(x, s, m, known) < 0) return -1;
    if (strcmp(s, "profiles") && (yamltree_get(m, "lane") || yamltree_get(m, "batch")))
        return bad(x, s, "lane and batch belong to profiles");
    const char *p = scalar(yamltree_get(m, "path"));
    if (!p) return bad(x, s, "needs 'path'");
    if (!(c->path = resolve(x, p))) return mc_err_oom(x->e, x->path);
    c->separator = ',';
    if ((v = yamltree_get(m, "separator"))) {
        const char *sep = scalar(v);
        if (!sep || strlen(sep) != 1) return bad(x, s, "separator must be one character");
        c->separator = (unsigned char)sep[0];
        if (c->separator == '"' || c->separator == '\n' || c->separator == '\r')
            return bad(x, s, "separator cannot be a quote or a line break");
    }
    c->header = 1;
    if ((v = yamltree_get(m, "header"))) {
        const char *h = scalar(v);
        if (h && !strcmp(h, "true")) c->header = 1;
        else if (h && !strcmp(h, "false")) c->header = 0;
        else return bad(x, s, "header must be true or false");
    }
    if ((v = yamltree_get(m, "field_names"))) {
        if (c->header) return bad(x, s, "field_names is only for header: false");
        if (v->type != YT_SEQ) return bad(x, s, "field_names must be a list");
        for (size_t i = 0; i < v->n; i++) {
            const char *n = scalar(v->items[i]);
            if (!n) return bad(x, s, "field_names must be a list of names");
            if (strvec_push(&c->field_names, n) < 0) return mc_err_oom(x->e, x->path);
        }
    } else if (!c->header) {
        return bad(x, s, "header: false needs field_names");
    }
    const ytree *types = yamltree_get(m, "field_types");
    if (!types) return bad(x, s, "needs 'field_types'");
    strvec type_names = STRVEC_INIT;
    if (scalar_map(x, "field_types", types, &c->column, &type_names) < 0) {
        strvec_free(&type_names);
        return -1;
    }
    size_t nkeep = c->column.count;
    c->type = mc_alloc_zeroed(nkeep, sizeof *c->type);
    int rc = c->type ? 0 : mc_err_oom(x->e, x->path);
    for (size_t i = 0; rc == 0 && i < nkeep; i++)
        if (parse_field_type(type_names.v[i], &c->type[i]) < 0)
            rc = mc_err_fail(x->e, "%s: %s.field_types.%s: '%s' is not str, int, float or bool", x->path, s,
                             c->column.v[i], type_names.v[i]);
    strvec_free(&type_names);
    if (rc < 0) return -1;
    strvec from = STRVEC_INIT, to = STRVEC_INIT;
    if ((v = yamltree_get(m, "rename")) && scalar_map(x, "rename", v, &from, &to) < 0) rc = -1;
    for (size_t i = 0; rc == 0 && i < nkeep; i++) {
        const char *name = c->column.v[i];
        for (size_t k = 0; k < from.count; k++)
            if (!strcmp(from.v[k], c->column.v[i])) name = to.v[k];
        if (strvec_push(&c->field, name) < 0) rc = mc_err_oom(x->e, x->path);
    }
    for (size_t k = 0; rc == 0 && k < from.count; k++)
        if (strvec_find(&c->column, from.v[k]) < 0)
            rc = mc_err_fail(x->e, "%s: %s.rename: '%s' is not in field_types", x->path, s, from.v[k]);
    strvec_free(&from);
    strvec_free(&to);
    for (size_t i = 0; rc == 0 && i < nkeep; i++) {
        const char *f = c->field.v[i];
        for (size_t k = 0; rc == 0 && k < i; k++)
            if (!strcmp(f, c->field.v[k])) rc = mc_err_fail(x->e, "%s: %s: field '%s' given twice", x->path, s, f);
        if (rc == 0 && must_be_str(f) && c->type[i] != FIELD_STR)
            rc = mc_err_fail(x->e, "%s: %s: field '%s' must be str", x->path, s, f);
    }
    if (rc < 0) return -1;
    if ((v = yamltree_get(m, "filter")) && scalar_map(x, "filter", v, &c->filter_column, &c->filter_value) < 0)
        return -1;
    for (size_t i = 0; i < nkeep; i++)
        if (!*c->field.v[i] || strchr(c->field.v[i], '/'))
            return mc_err_fail(x->e, "%s: %s: field '%s' cannot name a file (rename it)", x->path, s, c->field.v[i]);
    if (!c->header) {
        for (size_t i = 0; i < nkeep + c->filter_column.count; i++) {
            const char *col = i < nkeep ? c->column.v[i] : c->filter_column.v[i - nkeep];
            if (strvec_find(&c->field_names, col) < 0)
                return mc_err_fail(x->e, "%s: %s.%s: '%s' is not in field_names", x->path, s,
                               i < nkeep ? "field_types" : "filter", col);
        }
    }
    return 0;
}

static long spec_field(const csv_spec *c, const char *field) { return strvec_find(&c->field, field); }

static int parse_lane_rule(fmt_ctx *x, const ytree *profiles, const char *key, lane_rule *d)
{
    static const char *const known[] = {"from", "suffix_after", "prefix_before", NULL};
    const ytree *m = yamltree_get(profiles, key);
    char where[32];
    snprintf(where, sizeof where, "profiles.%s", key);
    if (!m) return 0;
    if (!strcmp(key, "lane") && scalar(m) && !strcmp(scalar(m), "hca")) return d->hca = 1, 0;
    if (m->type != YT_MAP)
        return bad(x, where, "must be hca (lane only) or a mapping {from: FIELD, suffix_after|prefix_before: SEP}");
    if (only_keys(x, where, m, known) < 0) return -1;
    const char *from = scalar(yamltree_get(m, "from")), *suffix = scalar(yamltree_get(m, "suffix_after")),
               *prefix = scalar(yamltree_get(m, "prefix_before"));
    if (!from) return bad(x, where, "needs 'from'");
    if (suffix && prefix) return bad(x, where, "give suffix_after or prefix_before, not both");
    const char *sep = suffix ? suffix : prefix;
    if (sep && !*sep) return bad(x, where, "the separator is empty");
    d->given = 1;
    d->suffix = suffix != NULL;
    if (!(d->from = strdup(from)) || (sep && !(d->sep = strdup(sep)))) return mc_err_oom(x->e, x->path);
    return 0;
}

static int parse_format(fmt_ctx *x, const ytree *root, std_format *f, char **matrix)
{
    if (!root || root->type != YT_MAP) return mc_err_fail(x->e, "%s: must be a mapping", x->path);
    const ytree *m = yamltree_get(root, "matrix");
    static const char *const known[] = {"path", NULL};
    if (!m) return mc_err_fail(x->e, "%s: no 'matrix' section", x->path);
    if (m->type != YT_MAP) return bad(x, "matrix", "must be {path: FILE}");
    if (only_keys(x, "matrix", m, known) < 0) return -1;
    if (!scalar(yamltree_get(m, "path"))) return bad(x, "matrix", "needs 'path'");
    if (!(*matrix = resolve(x, scalar(yamltree_get(m, "path"))))) return mc_err_oom(x->e, x->path);
    f->genes.section = "genes";
    f->profiles.section = "profiles";
    if (parse_csv_spec(x, root, &f->genes) < 0 || parse_csv_spec(x, root, &f->profiles) < 0) return -1;
    if (spec_field(&f->genes, "name") < 0) return bad(x, "genes", "needs the field 'name' in field_types (or rename)");
    if (spec_field(&f->profiles, "barcode") < 0)
        return bad(x, "profiles", "needs the field 'barcode' in field_types (or rename)");
    const ytree *p = yamltree_get(root, "profiles");
    if (parse_lane_rule(x, p, "lane", &f->lane) < 0 || parse_lane_rule(x, p, "batch", &f->batch) < 0) return -1;
    if ((f->lane.given || f->lane.hca) && spec_field(&f->profiles, "lane") >= 0)
        return bad(x, "profiles", "lane is both a column and derived");
    if (f->batch.given && spec_field(&f->profiles, "batch") >= 0)
        return bad(x, "profiles", "batch is both a column and derived");
    if (f->lane.given && spec_field(&f->profiles, f->lane.from) < 0)
        return mc_err_fail(x->e, "%s: profiles.lane: from '%s' is not a profiles field", x->path, f->lane.from);
    if (f->batch.given && strcmp(f->batch.from, "lane") && spec_field(&f->profiles, f->batch.from) < 0)
        return mc_err_fail(x->e, "%s: profiles.batch: from '%s' is not a profiles field", x->path, f->batch.from);
    return 0;
}

int stdformat_parse(const char *path, const char *dir, std_format *f, char **matrix, mc_err *e)
{
    ytree *root = NULL;
    if (yamltree_load(path, &root, e) < 0) return -1;
    fmt_ctx x = {.path = path, .dir = dir, .e = e};
    int rc = parse_format(&x, root, f, matrix);
    yamltree_free(root);
    return rc;
}
