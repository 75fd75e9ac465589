/* select: a view's profiles and genes named by index or name in text files. */
#include "select.h"
#include "alloc.h"
#include "genenames.h"
#include "lines.h"
#include "profilelookup.h"

#include <stdlib.h>
#include <string.h>

/* A file's lines, kept to be marked once every profile name they hold is known. */
typedef struct records {
    const char *shown;
    strvec text;
    size_t *line;
    size_t alloc;
} records;

/* One axis being selected: a mark per index, names resolved on first need. */
typedef struct axis {
    container *c;
    int genes;                  /* the gene axis, else profiles */
    const char *gene_set;
    size_t count;
    uint8_t *mark, value;       /* lines set mark[i] = value */
    profile_lookup profiles;
    gene_names gene_names;
    int names_open;             /* opened on the first name looked up */
    strvec asked;               /* the profile names the files give (borrowed from their records) */
} axis;

/* Index of NAME on the axis; -1 if none, -2 if several, -3 if the names cannot be read (E set). */
static long axis_find(axis *a, const char *name, mc_err *e)
{
    if (!a->names_open) {
        int rc = a->genes ? genenames_open(a->c, a->gene_set, &a->gene_names, e)
                 : a->asked.v ? profilelookup_open_for(a->c, a->asked.v, a->asked.count, &a->profiles, e)
                              : profilelookup_open(a->c, &a->profiles, e);
        if (rc < 0) return -3;
        a->names_open = 1;
    }
    return a->genes ? genenames_own_index(&a->gene_names, name) : profilelookup_find(&a->profiles, name);
}

static int mark_line(void *ctx, const char *shown, size_t line, char *text, mc_err *e)
{
    axis *a = ctx;
    text[strcspn(text, "\t")] = 0;
    if (!text[0]) return 0;
    long long v;
    long i;
    if (lines_is_integer(text, &v)) {
        if (v < 0 || (unsigned long long)v >= a->count)
            return mc_err_fail(e, "%s:%zu: index %s out of range (%s has %zu %s)", shown, line, text, a->c->path,
                           a->count, a->genes ? "genes" : "profiles");
        i = (long)v;
    } else if ((i = axis_find(a, text, e)) == -1 && line == 1)
        return 0;   /* a header ("name", pandas' "barcode"): no profile or gene is called that */
    else if (i == -1)
        return mc_err_fail(e, "%s:%zu: no %s named '%s' in %s", shown, line, a->genes ? "gene" : "profile", text,
                       a->c->path);
    else if (i == -2)
        return mc_err_fail(e, "%s:%zu: '%s' names several profiles of %s; give the full name or the index", shown, line,
                       text, a->c->path);
    else if (i < 0)
        return -1;
    a->mark[i] = a->value;
    return 0;
}

static int keep_record(void *ctx, const char *shown, size_t line, char *text, mc_err *e)
{
    records *r = ctx;
    text[strcspn(text, "\t")] = 0;
    r->shown = shown;
    if (!text[0]) return 0;
    if (MC_GROW(r->line, r->text.count + 1, r->alloc) < 0 || strvec_push(&r->text, text) < 0)
        return mc_err_oom(e, shown);
    r->line[r->text.count - 1] = line;
    return 0;
}

/* The profile names among R's lines into A's asked names (borrowed). */
static int ask_names(axis *a, const records *r, mc_err *e)
{
    long long v;
    for (size_t i = 0; i < r->text.count; i++) {
        if (lines_is_integer(r->text.v[i], &v)) continue;
        if (MC_GROW(a->asked.v, a->asked.count + 1, a->asked.alloc) < 0) return mc_err_oom(e, a->c->path);
        a->asked.v[a->asked.count++] = r->text.v[i];
    }
    return 0;
}

static int mark_records(axis *a, const records *r, mc_err *e)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < r->text.count; i++) rc = mark_line(a, r->shown, r->line[i], r->text.v[i], e);
    return rc;
}

static void records_free(records *r)
{
    strvec_free(&r->text);
    free(r->line);
}

/* Mark the profiles of the include file (else everything) minus those of the
 * exclude file: both files are read first, so that only the names they give
 * are looked up among the container's (profilelookup_open_for). */
static int mark_profiles(axis *a, const char *include, const char *exclude, mc_err *e)
{
    records in = {0}, out = {0};
    int rc = include ? lines_records_each(include, keep_record, &in, e) : 0;
    if (rc == 0 && exclude) rc = lines_records_each(exclude, keep_record, &out, e);
    if (rc == 0) rc = ask_names(a, &in, e);
    if (rc == 0) rc = ask_names(a, &out, e);
    a->value = 1;
    if (rc == 0) rc = mark_records(a, &in, e);
    a->value = 0;
    if (rc == 0) rc = mark_records(a, &out, e);
    if (a->names_open) profilelookup_close(&a->profiles);   /* before the names it borrows go */
    a->names_open = 0;
    free(a->asked.v);
    memset(&a->asked, 0, sizeof a->asked);
    records_free(&in);
    records_free(&out);
    return rc;
}

/* Mark the axis from its include file (else everything) minus its exclude file;
 * *index stays NULL when neither is given. */
static int select_axis(axis *a, const char *include, const char *exclude, int32_t **index, size_t *n, mc_err *e)
{
    *index = NULL;
    *n = a->count;
    if (!include && !exclude) return 0;
    a->mark = mc_alloc_array(a->count, 1);
    if (!a->mark) return mc_err_oom(e, a->c->path);
    memset(a->mark, include ? 0 : 1, a->count);
    int rc = 0;
    if (!a->genes) rc = mark_profiles(a, include, exclude, e);
    else {
        a->value = 1;
        rc = include ? lines_records_each(include, mark_line, a, e) : 0;
        a->value = 0;
        if (rc == 0 && exclude) rc = lines_records_each(exclude, mark_line, a, e);
    }
    size_t k = 0;
    if (rc == 0) {
        for (size_t i = 0; i < a->count; i++) k += a->mark[i];
        if (!(*index = mc_alloc_array(k, sizeof **index))) rc = mc_err_oom(e, a->c->path);
    }
    if (rc == 0) {
        k = 0;
        for (size_t i = 0; i < a->count; i++)
            if (a->mark[i]) (*index)[k++] = (int32_t)i;
        *n = k;
    }
    return rc;
}

static void axis_free(axis *a)
{
    genenames_close(&a->gene_names);
    profilelookup_close(&a->profiles);
    free(a->mark);
}

int select_mark_genes(container *c, const char *gene_set, const char *path, uint8_t *mark, mc_err *e)
{
    axis g = {.c = c, .genes = 1, .gene_set = gene_set, .count = c->genes_count, .mark = mark, .value = 1};
    int rc = lines_records_each(path, mark_line, &g, e);
    g.mark = NULL;   /* the caller's */
    axis_free(&g);
    return rc;
}

int select_view(container *base, const view_request *r, int32_t **p_index, size_t *pn, int32_t **g_index,
                size_t *gn, mc_err *e)
{
    if (base->profiles_count > INT32_MAX || base->genes_count > INT32_MAX)
        return mc_err_fail(e, "%s: too many profiles or genes for <i4 indices", base->path);
    axis p = {.c = base, .count = base->profiles_count}, g = {.c = base, .genes = 1, .gene_set = r->gene_set,
                                                              .count = base->genes_count};
    *g_index = NULL;
    int rc = select_axis(&p, r->profiles, r->exclude_profiles, p_index, pn, e);
    if (rc == 0) rc = select_axis(&g, r->genes, r->exclude_genes, g_index, gn, e);
    if (rc < 0) {
        free(*p_index);
        free(*g_index);
        *p_index = *g_index = NULL;
    }
    axis_free(&p);
    axis_free(&g);
    return rc;
}

