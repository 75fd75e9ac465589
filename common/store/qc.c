/* qc: scanpy's per-profile QC metrics, exact, in one pass over the profiles. */
#include "qc.h"

#include <errno.h>
#include <fnmatch.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "datum.h"
#include "txt.h"
#include "parallel.h"
#include "genenames.h"
#include "select.h"

/* What a profile weighs besides its entries for container_forget_every (as totals.c). */
#define PROFILE_WEIGHT ((size_t)8 << 10)
#define NAME_MAX_LEN 64

/* --- the options' values ------------------------------------------------------ */

/* Length of the list name before '=' in V, or 0 when V is not NAME=VALUE with a
 * non-empty value; *BAD when the name holds something else than [A-Za-z0-9_]. */
static size_t pair_name(const char *v, int *bad)
{
    const char *eq = strchr(v, '=');
    *bad = 0;
    if (!eq || eq == v || !eq[1]) return 0;
    for (const char *s = v; s < eq; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_'))
            *bad = 1;
    if (eq - v > NAME_MAX_LEN) *bad = 1;
    return (size_t)(eq - v);
}

static int check_pairs(const strvec *v, const char *option, const char *form, strvec *names, mc_err *e)
{
    for (size_t i = 0; i < v->count; i++) {
        int bad;
        size_t n = pair_name(v->v[i], &bad);
        if (!n) return mc_err_fail(e, "--%s: expected %s, got '%s'", option, form, v->v[i]);
        if (bad)
            return mc_err_fail(e, "--%s: '%.*s' is not a list name (at most %d letters, digits and '_')", option,
                               (int)n, v->v[i], NAME_MAX_LEN);
        char name[NAME_MAX_LEN + 1];
        snprintf(name, sizeof name, "%.*s", (int)n, v->v[i]);
        if (names && strvec_find(names, name) < 0 && strvec_push(names, name) < 0) return mc_err_oom(e, option);
    }
    return 0;
}

/* The percentage of a NAME=PERCENT value: 0, or -1 when it is no number from 0 to 100. */
static int parse_percent(const char *v, double *pct)
{
    const char *s = strchr(v, '=') + 1;
    char *end;
    errno = 0;
    *pct = strtod(s, &end);
    return end != s && !*end && !errno && *pct >= 0 && *pct <= 100 && *s != ' ' && *s != '+' ? 0 : -1;
}

/* The distinct list names of R, sorted. */
static int request_names(const qc_request *r, strvec *names, mc_err *e)
{
    memset(names, 0, sizeof *names);
    if (check_pairs(&r->lists, "list", "NAME=FILE", names, e) < 0 ||
        check_pairs(&r->patterns, "pattern", "NAME=PATTERN", names, e) < 0) {
        strvec_free(names);
        return -1;
    }
    strvec_sort(names);
    return 0;
}

int qc_request_check(const qc_request *r, const qc_filter *f, mc_err *e)
{
    strvec names;
    if (request_names(r, &names, e) < 0) return -1;
    int rc = 0;
    if (names.count > QC_MAX_LISTS) rc = mc_err_fail(e, "--list, --pattern: more than %d gene lists", QC_MAX_LISTS);
    for (size_t i = 0, from_stdin = 0; rc == 0 && i < r->lists.count; i++)
        if (!strcmp(strchr(r->lists.v[i], '=') + 1, "-") && from_stdin++)
            rc = mc_err_fail(e, "--list: only one list can read stdin ('-')");
    if (rc == 0 && f) rc = check_pairs(&f->max_pct, "max-pct", "NAME=PERCENT", NULL, e);
    for (size_t i = 0; rc == 0 && f && i < f->max_pct.count; i++) {
        const char *v = f->max_pct.v[i];
        double pct;
        size_t n = strcspn(v, "=");
        char name[NAME_MAX_LEN + 1];
        snprintf(name, sizeof name, "%.*s", (int)n, v);
        if (parse_percent(v, &pct) < 0)
            rc = mc_err_fail(e, "--max-pct: expected NAME=PERCENT, a number from 0 to 100, got '%s'", v);
        else if (strvec_find(&names, name) < 0)
            rc = mc_err_fail(e, "--max-pct: no gene list '%s' (give its genes with --list or --pattern)", name);
    }
    strvec_free(&names);
    return rc;
}

int qc_request_stdin(const qc_request *r)
{
    for (size_t i = 0; i < r->lists.count; i++) {
        const char *eq = strchr(r->lists.v[i], '=');
        if (eq && !strcmp(eq + 1, "-")) return 1;
    }
    return 0;
}

int qc_filter_active(const qc_filter *f)
{
    return f && (f->min_genes >= 0 || f->max_genes >= 0 || f->max_pct.count);
}

void qc_request_free(qc_request *r)
{
    strvec_free(&r->lists);
    strvec_free(&r->patterns);
}

void qc_filter_free(qc_filter *f)
{
    strvec_free(&f->max_pct);
}

/* --- gene lists --------------------------------------------------------------- */

void qc_lists_free(qc_lists *l)
{
    strvec_free(&l->names);
    free(l->sizes);
    free(l->member);
    memset(l, 0, sizeof *l);
}

/* Does V, a NAME=VALUE, give list NAME? */
static int names_list(const char *v, const char *name)
{
    size_t n = strlen(name);
    return !strncmp(v, name, n) && v[n] == '=';
}

/* Mark the genes of C whose name matches GLOB; G is opened on first need. */
static int mark_pattern(container *c, const char *gene_set, gene_names *g, int *open, const char *glob,
                        uint8_t *mark, mc_err *e)
{
    if (!*open && genenames_open(c, gene_set, g, e) < 0) return -1;
    *open = 1;
    for (size_t i = 0; i < c->genes_count; i++)
        if (fnmatch(glob, genenames_get(g, i), FNM_CASEFOLD) == 0) mark[i] = 1;
    return 0;
}

/* List K of L, NAME, into MARK and then into L's member bits. */
static int mark_list(container *c, const qc_request *r, qc_lists *l, size_t k, uint8_t *mark, gene_names *g,
                     int *open, mc_err *e)
{
    const char *name = l->names.v[k];
    memset(mark, 0, c->genes_count);
    for (size_t i = 0; i < r->lists.count; i++)
        if (names_list(r->lists.v[i], name) &&
            select_mark_genes(c, r->gene_set, r->lists.v[i] + strlen(name) + 1, mark, e) < 0)
            return -1;
    for (size_t i = 0; i < r->patterns.count; i++)
        if (names_list(r->patterns.v[i], name) &&
            mark_pattern(c, r->gene_set, g, open, r->patterns.v[i] + strlen(name) + 1, mark, e) < 0)
            return -1;
    for (size_t i = 0; i < c->genes_count; i++)
        if (mark[i]) {
            l->member[i] |= (uint64_t)1 << k;
            l->sizes[k]++;
        }
    return 0;
}

int qc_lists_open(container *c, const qc_request *r, qc_lists *l, mc_err *e)
{
    memset(l, 0, sizeof *l);
    if (qc_request_check(r, NULL, e) < 0 || request_names(r, &l->names, e) < 0) return -1;
    if (!l->names.count) return 0;
    size_t G = c->genes_count;
    uint8_t *mark = mc_alloc_array(G ? G : 1, 1);
    l->sizes = mc_alloc_zeroed(l->names.count, sizeof *l->sizes);
    l->member = mc_alloc_zeroed(G ? G : 1, sizeof *l->member);
    gene_names g = {0};
    int open = 0, rc = mark && l->sizes && l->member ? 0 : mc_err_oom(e, c->path);
    for (size_t k = 0; rc == 0 && k < l->names.count; k++) rc = mark_list(c, r, l, k, mark, &g, &open, e);
    genenames_close(&g);
    free(mark);
    if (rc < 0) qc_lists_free(l);
    return rc;
}

/* --- metrics ------------------------------------------------------------------ */

void qc_metrics_free(qc_metrics *m)
{
    free(m->total);
    free(m->genes);
    free(m->in_list);
    memset(m, 0, sizeof *m);
}

typedef struct qc_pass {
    container *c;
    const uint64_t *member;     /* NULL: no lists */
    qc_metrics *m;
    progress *pr;
} qc_pass;

/* Profiles [from, to): each writes only its own rows of the metrics. */
static int qc_part(void *ctx, int part, size_t from, size_t to, mc_err *e)
{
    qc_pass *s = ctx;
    qc_metrics *m = s->m;
    size_t L = m->lists_count, seen = 0;
    mc_entries es = {0};
    int rc = 0;
    for (size_t p = from; rc == 0 && p < to; p++) {
        if ((rc = container_profile_entries(s->c, p, &es, e)) < 0) break;
        container_forget_every(s->c, &seen, 2 * es.n + PROFILE_WEIGHT);
        uint64_t total = 0, *in = m->in_list + p * L;
        for (size_t i = 0; i < es.n; i++) {
            uint64_t v = es.v[i].value;
            total += v;
            for (uint64_t bits = s->member ? s->member[es.v[i].gene] : 0; bits; bits &= bits - 1)
                in[__builtin_ctzll(bits)] += v;
        }
        m->total[p] = total;
        m->genes[p] = es.n;
        if (part == 0 && ((p - from) % 64 == 0 || p + 1 == to))
            progress_report(s->pr, "QC metrics of profiles", p + 1 - from, to - from);
    }
    entries_free(&es);
    return rc;
}

int qc_compute(container *c, const qc_lists *l, progress *pr, int threads, qc_metrics *m, mc_err *e)
{
    size_t P = c->profiles_count, L = l->names.count;
    memset(m, 0, sizeof *m);
    m->profiles_count = P;
    m->lists_count = L;
    size_t cells = L && P <= SIZE_MAX / L ? P * L : 0;   /* 0 for none, or too many (then no allocation) */
    m->total = mc_alloc_zeroed(P ? P : 1, sizeof *m->total);
    m->genes = mc_alloc_zeroed(P ? P : 1, sizeof *m->genes);
    m->in_list = cells || !L || !P ? mc_alloc_zeroed(cells ? cells : 1, sizeof *m->in_list) : NULL;
    if (!m->total || !m->genes || !m->in_list) {
        qc_metrics_free(m);
        return mc_err_oom(e, c->path);
    }
    if (threads < 1) threads = parallel_cores();
    if ((size_t)threads > P / 1024 + 1) threads = (int)(P / 1024 + 1);   /* not worth a thread */
    qc_pass s = {c, L ? l->member : NULL, m, pr};
    int rc = parallel_for(threads, P, qc_part, &s, e);
    progress_end(pr);
    if (rc < 0) qc_metrics_free(m);
    return rc;
}

typedef struct nnz_pass {
    container *c;
    uint64_t *count;            /* per part */
} nnz_pass;

/* The non-zeros of profiles [from, to), straight from the pairs where no two gene slices are stacked. */
static int nnz_part(void *ctx, int part, size_t from, size_t to, mc_err *e)
{
    nnz_pass *s = ctx;
    container_cursor k;
    container_cursor_init(&k, s->c, PROFILE_WEIGHT);
    int rc = 0;
    for (size_t p = from; rc == 0 && p < to; p++) {
        const mmm_file *m;
        const int32_t *gmap;
        uint32_t q;
        uint64_t n = 0;
        int where = container_cursor_locate(&k, p, &m, &q, &gmap, e);
        if (where == 0) rc = mmm_profile_nonzeros(m, q, gmap, &n, e);
        else rc = where < 0 ? -1 : container_profile_entries(s->c, p, &k.es, e), n = k.es.n;
        s->count[part] += n;
    }
    container_cursor_free(&k);
    return rc;
}

int qc_entries_count(container *c, int threads, uint64_t *count, mc_err *e)
{
    size_t P = c->profiles_count;
    if (threads < 1) threads = parallel_cores();
    if ((size_t)threads > P / 1024 + 1) threads = (int)(P / 1024 + 1);   /* not worth a thread */
    nnz_pass s = {c, mc_alloc_zeroed((size_t)threads, sizeof *s.count)};
    if (!s.count) return mc_err_oom(e, c->path);
    int rc = parallel_for(threads, P, nnz_part, &s, e);
    *count = 0;
    for (int i = 0; i < threads; i++) *count += s.count[i];
    free(s.count);
    return rc;
}

double qc_pct(const qc_metrics *m, size_t p, size_t k)
{
    if (!m->total[p]) return NAN;   /* numpy's 0 / 0 */
    return (double)m->in_list[p * m->lists_count + k] / (double)m->total[p] * 100;
}

/* --- the table ---------------------------------------------------------------- */

static void put_double(FILE *out, double v)
{
    char text[64];
    txt_format_double(text, sizeof text, v, 0);
    fputs(text, out);
}

static void put_count(FILE *out, uint64_t v, int log1p_too)
{
    fprintf(out, "\t%llu", (unsigned long long)v);
    if (!log1p_too) return;
    fputc('\t', out);
    put_double(out, log1p((double)v));
}

int qc_write_tsv(FILE *out, const char *shown, const strvec *names, const qc_lists *l, const qc_metrics *m,
                 int log1p, mc_err *e)
{
    const char *lp = log1p ? "\tlog1p_" : "";
    fprintf(out, "name\tn_genes_by_counts%s%s\ttotal_counts%s%s", lp, log1p ? "n_genes_by_counts" : "", lp,
            log1p ? "total_counts" : "");
    for (size_t k = 0; k < m->lists_count; k++) {
        const char *n = l->names.v[k];
        fprintf(out, "\ttotal_counts_%s", n);
        if (log1p) fprintf(out, "\tlog1p_total_counts_%s", n);
        fprintf(out, "\tpct_counts_%s", n);
    }
    fputc('\n', out);
    for (size_t p = 0; p < m->profiles_count && !ferror(out); p++) {
        fputs(names->v[p], out);
        put_count(out, m->genes[p], log1p);
        put_count(out, m->total[p], log1p);
        for (size_t k = 0; k < m->lists_count; k++) {
            put_count(out, m->in_list[p * m->lists_count + k], log1p);
            fputc('\t', out);
            put_double(out, qc_pct(m, p, k));
        }
        fputc('\n', out);
    }
    if (fflush(out) != 0 || ferror(out)) return mc_err_errno(e, shown, "cannot write");
    return 0;
}

/* --- stored as p arrays ------------------------------------------------------- */

/* A new column NAME of P values of type T at A[*N]: its data, or NULL (out of memory). */
static void *add_column(strvec *names, mc_array *a, size_t *n, const char *prefix, const char *name, npy_dtype t,
                        size_t P)
{
    char full[sizeof "log1p_total_counts_" + NAME_MAX_LEN];
    snprintf(full, sizeof full, "%s%s", prefix, name);
    mc_array *c = &a[*n];
    memset(c, 0, sizeof *c);
    c->num = (npy_array){.dtype = t, .ndim = 1, .shape = {P, 1}, .count = P};
    if (strvec_push(names, full) < 0 || !(c->num.data = mc_alloc_zeroed(P ? P : 1, npy_dtype_size(t)))) return NULL;
    (*n)++;
    return c->num.data;
}

/* The counts V of every profile as a column (<i8), and their log1p (<f8) when LOG1P. */
static int add_counts(strvec *names, mc_array *a, size_t *n, const char *name, const uint64_t *v, size_t stride,
                      size_t P, int log1p_too)
{
    int64_t *c = add_column(names, a, n, "", name, NPY_I8, P);
    double *l = c && log1p_too ? add_column(names, a, n, "log1p_", name, NPY_F8, P) : NULL;
    if (!c || (log1p_too && !l)) return -1;
    for (size_t p = 0; p < P; p++) {
        c[p] = (int64_t)v[p * stride];
        if (l) l[p] = log1p((double)v[p * stride]);
    }
    return 0;
}

int qc_store(container *c, const qc_lists *l, const qc_metrics *m, int log1p, int force, mc_err *e)
{
    size_t P = m->profiles_count, L = m->lists_count, n = 0;
    mc_array *a = mc_alloc_zeroed(4 + 3 * L, sizeof *a);
    strvec names = {0};
    char name[sizeof "total_counts_" + NAME_MAX_LEN];
    int rc = a ? 0 : -1;
    if (rc == 0) rc = add_counts(&names, a, &n, "n_genes_by_counts", m->genes, 1, P, log1p);
    if (rc == 0) rc = add_counts(&names, a, &n, "total_counts", m->total, 1, P, log1p);
    for (size_t k = 0; rc == 0 && k < L; k++) {
        snprintf(name, sizeof name, "total_counts_%s", l->names.v[k]);
        rc = add_counts(&names, a, &n, name, m->in_list + k, L, P, log1p);
        double *pct = rc == 0 ? add_column(&names, a, &n, "pct_counts_", l->names.v[k], NPY_F8, P) : NULL;
        for (size_t p = 0; pct && p < P; p++) pct[p] = qc_pct(m, p, k);
        if (!pct) rc = -1;
    }
    const data_kind *pk = datakind_find("p");
    if (rc < 0) mc_err_oom(e, c->path);
    else rc = datum_store_all(c, pk, names.v, a, n, force, e);
    for (size_t i = 0; a && i < n; i++) container_array_free(&a[i]);
    free(a);
    strvec_free(&names);
    return rc;
}

/* --- selection ---------------------------------------------------------------- */

/* Does profile P pass F (its PCT limits already parsed into LIMIT per list, NaN: none)? */
static int passes(const qc_metrics *m, size_t p, const qc_filter *f, const double *limit)
{
    if (f->min_genes >= 0 && m->genes[p] < (unsigned long long)f->min_genes) return 0;
    if (f->max_genes >= 0 && m->genes[p] > (unsigned long long)f->max_genes) return 0;
    for (size_t k = 0; k < m->lists_count; k++)
        if (!isnan(limit[k]) && !(qc_pct(m, p, k) <= limit[k])) return 0;   /* NaN (no counts) fails */
    return 1;
}

/* Per list of L, the tightest --max-pct F gives it, or NaN. */
static double *pct_limits(const qc_lists *l, const qc_filter *f, mc_err *e)
{
    double *limit = mc_alloc_array(l->names.count ? l->names.count : 1, sizeof *limit);
    if (!limit) {
        mc_err_oom(e, "--max-pct");
        return NULL;
    }
    for (size_t k = 0; k < l->names.count; k++) limit[k] = NAN;
    for (size_t i = 0; i < f->max_pct.count; i++) {
        const char *v = f->max_pct.v[i];
        double pct;
        parse_percent(v, &pct);   /* checked by qc_request_check */
        for (size_t k = 0; k < l->names.count; k++)
            if (names_list(v, l->names.v[k]) && (isnan(limit[k]) || pct < limit[k])) limit[k] = pct;
    }
    return limit;
}

int qc_keep(container *base, const qc_request *r, const qc_filter *f, int32_t **p_index, size_t *pn, mc_err *e)
{
    qc_lists l;
    qc_metrics m = {0};
    double *limit = NULL;
    int32_t *kept = NULL;
    size_t n = *p_index ? *pn : base->profiles_count, k = 0;
    if (qc_request_check(r, f, e) < 0 || qc_lists_open(base, r, &l, e) < 0) return -1;
    int rc = qc_compute(base, &l, NULL, 0, &m, e);
    if (rc == 0 && !(limit = pct_limits(&l, f, e))) rc = -1;
    if (rc == 0 && !(kept = mc_alloc_array(n ? n : 1, sizeof *kept))) rc = mc_err_oom(e, base->path);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        int32_t p = *p_index ? (*p_index)[i] : (int32_t)i;
        if (passes(&m, (size_t)p, f, limit)) kept[k++] = p;
    }
    if (rc == 0) {
        free(*p_index);
        *p_index = kept;
        *pn = k;
        kept = NULL;
    }
    free(kept);
    free(limit);
    qc_metrics_free(&m);
    qc_lists_free(&l);
    return rc;
}
