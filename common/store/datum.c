/* datum: one datum of any kind read through a container's chain, or written into it. */
#include "datum.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc.h"
#include "outdir.h"
#include "path.h"
#include "genenames.h"
#include "lines.h"
#include "profilelookup.h"

int datum_parse_id(const char *id, const data_kind **kind, const char **name, mc_err *e)
{
    const char *dot = strchr(id, '.');
    char k[3] = {0};
    if (dot && dot - id <= 2) memcpy(k, id, (size_t)(dot - id));
    *kind = dot ? datakind_find(k) : NULL;
    *name = dot ? dot + 1 : NULL;
    if (!*kind) return mc_err_fail(e, "'%s': expected KIND.NAME, KIND one of g, p, gp, gg, pp", id);
    if (!**name || strchr(*name, '/') || **name == '.' || strlen(*name) > 200)
        return mc_err_fail(e, "'%s': a name is 1 to 200 characters, no '/', not starting with '.'", id);
    return 0;
}

size_t datum_axis_length(const container *c, char axis)
{
    return axis == 'g' ? c->genes_count : axis == 'p' ? c->profiles_count : 1;
}

/* --- reading ------------------------------------------------------------------ */

static int is_matrix(const data_kind *k)
{
    return k->cols != 0;
}

/* A (rows, cols) array in fortran order turned into C order, in place. */
static int to_c_order(npy_array *a, const char *path, mc_err *e)
{
    if (!a->fortran_order) return 0;
    size_t w = npy_item_size(a), r = a->shape[0], n = a->shape[1];
    char *d = mc_alloc_array(a->count, w);
    if (!d) return mc_err_oom(e, path);
    for (size_t j = 0; j < n; j++)
        for (size_t i = 0; i < r; i++) memcpy(d + (i * n + j) * w, (char *)a->data + (j * r + i) * w, w);
    free(a->data);
    a->data = d;
    a->fortran_order = 0;
    return 0;
}

/* DIR/KIND.NAME.npy as a (rows, cols) matrix: 1 found, 0 absent, -1 error. */
static int own_matrix(const char *dir, const data_kind *k, const char *name, size_t rows, size_t cols, mc_array *out,
                      mc_err *e)
{
    char file[300];
    memset(out, 0, sizeof *out);
    snprintf(file, sizeof file, "%s.%s.npy", k->name, name);
    char *path = path_join(dir, file);
    if (!path) return mc_err_oom(e, dir);
    int rc = 0;
    if (path_exists(path)) {
        rc = npy_read(path, &out->num, e) < 0 ? -1 : 1;
        if (rc == 1 && (out->num.ndim != 2 || out->num.shape[0] != rows || out->num.shape[1] != cols))
            rc = mc_err_fail(e, "%s: shape (%zu, %zu), expected (%zu, %zu)", path, out->num.shape[0],
                         out->num.ndim == 2 ? out->num.shape[1] : 0, rows, cols);
        else if (rc == 1 && out->num.dtype == NPY_U) rc = mc_err_fail(e, "%s: a matrix holds numbers, not text", path);
        else if (rc == 1 && to_c_order(&out->num, path, e) < 0) rc = -1;
    }
    if (rc < 0) container_array_free(out);
    free(path);
    return rc;
}

/* out = in[rows][:, cols] (an index NULL: every one). */
static int slice(const npy_array *in, const int32_t *ri, size_t rn, const int32_t *ci, size_t cn, npy_array *out,
                 mc_err *e)
{
    size_t w = npy_item_size(in), n = in->shape[1];
    *out = *in;
    out->shape[0] = rn;
    out->shape[1] = cn;
    out->count = rn * cn;
    out->data = mc_alloc_array(out->count, w);
    if (!out->data) return mc_err_oom(e, NULL);
    char *d = out->data;
    for (size_t i = 0; i < rn; i++) {
        const char *row = (const char *)in->data + (ri ? (size_t)ri[i] : i) * n * w;
        for (size_t j = 0; j < cn; j++, d += w) memcpy(d, row + (ci ? (size_t)ci[j] : j) * w, w);
    }
    return 0;
}

static int view_hides(const container *c, const data_kind *k, const char *name)
{
    return (c->p_index && datakind_depends_on_profiles(k->name, name)) ||
           (c->g_index && datakind_depends_on_genes(k->name, name));
}

static const int32_t *view_index(const container *c, char axis)
{
    return axis == 'g' ? c->g_index : c->p_index;
}

static int matrix_load(container *c, const data_kind *k, const char *name, mc_array *out, mc_err *e);

/* A collection's gp matrix: its members' side by side (each must have it, in one dtype). */
static int members_matrix(container *c, const data_kind *k, const char *name, mc_array *out, mc_err *e)
{
    mc_array *parts = mc_alloc_zeroed(c->members_count, sizeof *parts);
    size_t rows = c->genes_count, w = 0;
    int rc = parts ? 1 : mc_err_oom(e, c->path);
    for (size_t m = 0; rc == 1 && m < c->members_count; m++) {
        rc = matrix_load(c->members[m], k, name, &parts[m], e);
        if (rc == 1 && m && parts[m].num.dtype != parts[0].num.dtype)
            rc = mc_err_fail(e, "%s: %s.%s: members store it with different dtypes; cannot concatenate", c->path,
                             k->name, name);
    }
    if (rc == 1 && c->members_count) {
        out->num = parts[0].num;
        out->num.shape[1] = c->profiles_count;
        out->num.count = rows * c->profiles_count;
        w = npy_item_size(&out->num);
        out->num.data = mc_alloc_array(out->num.count, w);
        if (!out->num.data) rc = mc_err_oom(e, c->path);
    }
    for (size_t m = 0; rc == 1 && m < c->members_count; m++) {
        size_t n = parts[m].num.shape[1], at = c->first_profile[m];
        for (size_t i = 0; i < rows; i++)
            memcpy((char *)out->num.data + (i * c->profiles_count + at) * w, (char *)parts[m].num.data + i * n * w,
                   n * w);
    }
    for (size_t m = 0; parts && m < c->members_count; m++) container_array_free(&parts[m]);
    free(parts);
    if (rc != 1) container_array_free(out);
    return c->members_count ? rc : 0;
}

static int matrix_load(container *c, const data_kind *k, const char *name, mc_array *out, mc_err *e)
{
    size_t rows = datum_axis_length(c, k->rows), cols = datum_axis_length(c, k->cols);
    int rc = own_matrix(c->path, k, name, rows, cols, out, e);
    if (rc != 0) return rc;
    if (c->kind == KIND_COLLECTION && k->from_members) return members_matrix(c, k, name, out, e);
    if (c->kind != KIND_VIEW || !k->from_base || view_hides(c, k, name)) return 0;
    mc_array whole;
    rc = matrix_load(c->base, k, name, &whole, e);
    if (rc <= 0) return rc;
    if (slice(&whole.num, view_index(c, k->rows), rows, view_index(c, k->cols), cols, &out->num, e) < 0) rc = -1;
    container_array_free(&whole);
    return rc;
}

int datum_load(container *c, const data_kind *k, const char *name, mc_array *out, mc_err *e)
{
    memset(out, 0, sizeof *out);
    if (!is_matrix(k)) return container_array(c, k->rows, name, out, e);
    return matrix_load(c, k, name, out, e);
}

/* --- keys: rows and columns named by name or index ----------------------------- */

typedef struct keys {
    container *c;
    const char *gene_set;
    profile_lookup profiles;
    gene_names genes;
    int profiles_open, genes_open;
} keys;

static void keys_close(keys *k)
{
    if (k->profiles_open) profilelookup_close(&k->profiles);
    if (k->genes_open) genenames_close(&k->genes);
}

/* Index of KEY along AXIS; -1 with e set ("SHOWN:LINE: ...") if none. */
static long key_find(keys *k, char axis, const char *key, const char *shown, size_t line, mc_err *e)
{
    const char *what = axis == 'g' ? "gene" : "profile";
    size_t n = datum_axis_length(k->c, axis);
    long long v;
    if (lines_is_integer(key, &v)) {
        if (v >= 0 && (unsigned long long)v < n) return (long)v;
        mc_err_fail(e, "%s:%zu: index %s out of range (%s has %zu %ss)", shown, line, key, k->c->path, n, what);
        return -1;
    }
    long i;
    if (axis == 'g') {
        if (!k->genes_open && genenames_open(k->c, k->gene_set, &k->genes, e) < 0) return -1;
        k->genes_open = 1;
        i = genenames_own_index(&k->genes, key);
    } else {
        if (!k->profiles_open && profilelookup_open(k->c, &k->profiles, e) < 0) return -1;
        k->profiles_open = 1;
        i = profilelookup_find(&k->profiles, key);
    }
    if (i == -2)
        mc_err_fail(e, "%s:%zu: '%s' names several profiles of %s; give the full name or the index", shown, line, key,
                k->c->path);
    else if (i < 0) mc_err_fail(e, "%s:%zu: no %s named '%s' in %s", shown, line, what, key, k->c->path);
    return i;
}

/* --- reading the input --------------------------------------------------------- */

/* The values being read: text per cell of a (rows, cols) grid, and the line each row came from (0: none yet). */
typedef struct grid {
    keys *keys;
    const data_kind *k;
    size_t rows, cols;
    char **cell;                /* rows * cols strings */
    size_t *row_line;           /* per row: the line that gave it */
    long *col;                  /* matrix: column j of the input -> column of the datum */
    size_t in_cols;             /* matrix: columns of the input */
    int header_seen;
} grid;

static void grid_free(grid *g)
{
    for (size_t i = 0; g->cell && i < g->rows * g->cols; i++) free(g->cell[i]);
    free(g->cell);
    free(g->row_line);
    free(g->col);
}

/* Split TEXT at its TABs into at most MAX fields; the count, or MAX + 1 when there are more. */
static size_t split_tabs(char *text, char **f, size_t max)
{
    size_t n = 0;
    for (char *p = text;; p++) {
        char *tab = strchr(p, '\t');
        if (n == max) return max + 1;
        f[n++] = p;
        if (!tab) return n;
        *tab = 0;
        p = tab;
    }
}

static int header_line(grid *g, const char *shown, size_t line, char *text, mc_err *e)
{
    size_t most = g->cols + 1;
    char **f = mc_alloc_array(most + 1, sizeof *f);
    uint8_t *seen = mc_alloc_zeroed(g->cols, 1);
    g->col = mc_alloc_array(most, sizeof *g->col);
    int rc = f && seen && g->col ? 0 : mc_err_oom(e, shown);
    size_t n = rc == 0 ? split_tabs(text, f, most) : 0;
    const char *what = g->k->cols == 'g' ? "gene" : "profile";
    if (rc == 0 && n != most)
        rc = mc_err_fail(e, "%s:%zu: the header names %s%zu columns, %s has %zu %ss", shown, line,
                     n > most ? "more than " : "",
                     n > most ? most - 1 : n - 1, g->keys->c->path, g->cols, what);
    for (size_t j = 1; rc == 0 && j < n; j++) {
        long at = key_find(g->keys, g->k->cols, f[j], shown, line, e);
        if (at < 0) rc = -1;
        else if (seen[at]) rc = mc_err_fail(e, "%s:%zu: %s '%s' named twice in the header", shown, line, what, f[j]);
        else {
            seen[at] = 1;
            g->col[j - 1] = at;
        }
    }
    g->in_cols = g->cols;
    g->header_seen = 1;
    free(f);
    free(seen);
    return rc;
}

/* Whether an array's first line, keyed KEY, is a header: "name" or "" (pandas'
 * unnamed index) when no gene or profile is called that. */
static int is_header(grid *g, const char *key)
{
    mc_err ignored;
    if (*key && strcmp(key, "name")) return 0;
    return key_find(g->keys, g->k->rows, key, "", 0, &ignored) < 0;
}

static int grid_line(void *ctx, const char *shown, size_t line, char *text, mc_err *e)
{
    grid *g = ctx;
    if (!text[0]) return 0;
    if (is_matrix(g->k) && !g->header_seen) return header_line(g, shown, line, text, e);
    size_t want = is_matrix(g->k) ? g->in_cols + 1 : 2;
    char **f = mc_alloc_array(want + 1, sizeof *f);
    if (!f) return mc_err_oom(e, shown);
    size_t n = split_tabs(text, f, want);
    int rc = 0;
    long r = -1;
    int header = !is_matrix(g->k) && !g->header_seen && n == want && is_header(g, f[0]);
    g->header_seen = 1;
    if (header) {
        free(f);   /* the header mc-export --tsv and pandas' to_csv write */
        return 0;
    }
    if (n != want)
        rc = is_matrix(g->k) ? mc_err_fail(e, "%s:%zu: %s%zu values, the header names %zu", shown, line,
                                       n > want ? "more than " : "", n > want ? want - 1 : n - 1, want - 1)
                             : mc_err_fail(e, "%s:%zu: expected KEY<TAB>VALUE", shown, line);
    else if ((r = key_find(g->keys, g->k->rows, f[0], shown, line, e)) < 0) rc = -1;
    else if (g->row_line[r])
        rc = mc_err_fail(e, "%s:%zu: %s '%s' given twice (first on line %zu)", shown, line,
                     g->k->rows == 'g' ? "gene" : "profile", f[0], g->row_line[r]);
    for (size_t j = 1; rc == 0 && j < n; j++) {
        size_t at = (size_t)r * g->cols + (is_matrix(g->k) ? (size_t)g->col[j - 1] : 0);
        if (!(g->cell[at] = strdup(f[j]))) rc = mc_err_oom(e, shown);
    }
    if (rc == 0) g->row_line[r] = line;
    free(f);
    return rc;
}

/* The name of row or column I along AXIS, for messages ("" if it has none to hand). */
static const char *key_name(keys *k, char axis, size_t i)
{
    mc_err ignored;
    if (axis == 'g') {
        if (!k->genes_open && genenames_open(k->c, k->gene_set, &k->genes, &ignored) < 0) return "";
        k->genes_open = 1;
        return genenames_get(&k->genes, i);
    }
    if (!k->profiles_open && profilelookup_open(k->c, &k->profiles, &ignored) < 0) return "";
    k->profiles_open = 1;
    return k->profiles.names.v[i];
}

/* Every row given (and, for a matrix, the header). */
static int grid_complete(const grid *g, const char *shown, mc_err *e)
{
    if (is_matrix(g->k) && !g->header_seen)
        return mc_err_fail(e, "%s: empty; a matrix needs a header of column keys", shown);
    size_t given = 0, missing = g->rows;
    for (size_t i = 0; i < g->rows; i++) {
        if (g->row_line[i]) given++;
        else if (missing == g->rows) missing = i;
    }
    if (missing == g->rows) return 0;
    const char *what = g->k->rows == 'g' ? "gene" : "profile";
    return mc_err_fail(e, "%s: values for %zu of the %zu %ss of %s; none for %s %zu '%s'", shown, given, g->rows, what,
                   g->keys->c->path, what, missing, key_name(g->keys, g->k->rows, missing));
}

static int is_bool(const char *s)
{
    return !strcmp(s, "True") || !strcmp(s, "False") || !strcmp(s, "true") || !strcmp(s, "false") ||
           !strcmp(s, "TRUE") || !strcmp(s, "FALSE");
}

static int is_number(const char *s, double *v)
{
    if (!*s || !strcmp(s, "nan") || !strcmp(s, "NaN") || !strcmp(s, "NA")) {
        *v = NAN;
        return 1;
    }
    char *end;
    errno = 0;
    *v = strtod(s, &end);
    return !*end && !(errno && fabs(*v) > 1);
}

/* The dtype of all of G's values: NPY_B1, NPY_I8, NPY_F8, or NPY_U for text. */
static npy_dtype grid_type(const grid *g)
{
    int b = 1, i = 1, f = 1, blank = 1;
    for (size_t c = 0; c < g->rows * g->cols; c++) {
        const char *s = g->cell[c];
        long long iv;
        double dv;
        b = b && is_bool(s);
        i = i && lines_is_integer(s, &iv);
        f = f && is_number(s, &dv);
        blank = blank && !*s;
    }
    if (g->rows * g->cols == 0 || blank) return NPY_U;
    return b ? NPY_B1 : i ? NPY_I8 : f ? NPY_F8 : NPY_U;
}

/* G's values as OUT, typed. */
static int grid_values(grid *g, const char *shown, mc_array *out, mc_err *e)
{
    npy_dtype t = grid_type(g);
    size_t n = g->rows * g->cols;
    memset(out, 0, sizeof *out);
    if (t == NPY_U) {
        if (is_matrix(g->k)) {
            for (size_t c = 0; c < n; c++) {
                double v;
                if (!is_number(g->cell[c], &v))
                    return mc_err_fail(e, "%s:%zu: '%s' is not a number (a matrix holds numbers)", shown,
                                   g->row_line[c / g->cols], g->cell[c]);
            }
        }
        out->is_text = 1;
        out->text.v = g->cell;      /* the strings move to OUT */
        out->text.count = out->text.alloc = n;
        g->cell = NULL;
        return 0;
    }
    npy_array *a = &out->num;
    a->dtype = t;
    a->ndim = is_matrix(g->k) ? 2 : 1;
    a->shape[0] = g->rows;
    a->shape[1] = g->cols;
    a->count = n;
    a->data = mc_alloc_array(n, npy_dtype_size(t));
    if (!a->data) return mc_err_oom(e, shown);
    for (size_t c = 0; c < n; c++) {
        const char *s = g->cell[c];
        long long iv;
        double dv;
        if (t == NPY_B1) ((uint8_t *)a->data)[c] = s[0] == 'T' || s[0] == 't';
        else if (t == NPY_I8 && lines_is_integer(s, &iv)) ((int64_t *)a->data)[c] = iv;
        else if (is_number(s, &dv)) ((double *)a->data)[c] = dv;
    }
    return 0;
}

static int read_tsv(keys *ks, const data_kind *k, const char *input, mc_array *out, mc_err *e)
{
    grid g = {.keys = ks, .k = k, .rows = datum_axis_length(ks->c, k->rows)};
    g.cols = is_matrix(k) ? datum_axis_length(ks->c, k->cols) : 1;
    if (g.cols && g.rows > SIZE_MAX / 16 / g.cols) return mc_err_fail(e, "%s: too large a matrix", ks->c->path);
    g.cell = mc_alloc_zeroed(g.rows * g.cols, sizeof *g.cell);
    g.row_line = mc_alloc_zeroed(g.rows, sizeof *g.row_line);
    const char *shown = lines_shown(input);
    int rc = g.cell && g.row_line ? 0 : mc_err_oom(e, shown);
    if (rc == 0) rc = lines_each(input, grid_line, &g, e);
    if (rc == 0) rc = grid_complete(&g, shown, e);
    if (rc == 0) rc = grid_values(&g, shown, out, e);
    grid_free(&g);
    return rc;
}

/* A, read from SHOWN (a .npy or the caller's memory), checked against the container: shape, and text for
 * arrays only; a matrix in C order, a '<U' array as text.  On failure A is left to the caller to free. */
static int values_check(container *c, const data_kind *k, mc_array *out, const char *shown, mc_err *e)
{
    npy_array *a = &out->num;
    size_t rows = datum_axis_length(c, k->rows), cols = datum_axis_length(c, k->cols);
    int rc = 0;
    if (out->is_text) rc = 0;   /* text is counted below */
    else if (is_matrix(k) && (a->ndim != 2 || a->shape[0] != rows || a->shape[1] != cols))
        rc = mc_err_fail(e, "%s: shape (%zu%s%.0zu), %s.NAME of %s is (%zu, %zu)", shown, a->shape[0],
                     a->ndim == 2 ? ", " : ",", a->ndim == 2 ? a->shape[1] : 0, k->name, c->path, rows, cols);
    else if (!is_matrix(k) && (a->ndim != 1 || a->count != rows))
        rc = mc_err_fail(e, "%s: shape (%zu%s%.0zu), %s.NAME of %s holds %zu values", shown, a->shape[0],
                     a->ndim == 2 ? ", " : ",", a->ndim == 2 ? a->shape[1] : 0, k->name, c->path, rows);
    else if (is_matrix(k) && a->dtype == NPY_U) rc = mc_err_fail(e, "%s: a matrix holds numbers, not text", shown);
    else if (is_matrix(k)) rc = to_c_order(a, shown, e);
    else if (a->dtype == NPY_U) {
        for (size_t i = 0; rc == 0 && i < a->count; i++) {
            char *s = npy_ustr(a, i, shown, e);
            if (!s) rc = -1;
            else if (strvec_push(&out->text, s) < 0) rc = mc_err_oom(e, shown);
            free(s);
        }
        npy_free(a);
        out->is_text = 1;
    }
    if (rc == 0 && out->is_text && is_matrix(k)) rc = mc_err_fail(e, "%s: a matrix holds numbers, not text", shown);
    if (rc == 0 && out->is_text && out->text.count != rows)
        rc = mc_err_fail(e, "%s: %zu values, %s.NAME of %s holds %zu", shown, out->text.count, k->name, c->path, rows);
    for (size_t i = 0; rc == 0 && out->is_text && i < out->text.count; i++)
        if (strchr(out->text.v[i], '\n'))
            rc = mc_err_fail(e, "%s: value %zu holds a line break, which .txt cannot", shown, i);
    return rc;
}

/* A .npy input checked against the container. */
static int read_npy(container *c, const data_kind *k, FILE *f, const char *shown, mc_array *out, mc_err *e)
{
    memset(out, 0, sizeof *out);
    if (npy_read_stream(f, shown, &out->num, e) < 0) return -1;
    int rc = values_check(c, k, out, shown, e);
    if (rc < 0) container_array_free(out);
    return rc;
}

/* INPUT as a .npy (by its magic) or a TSV. */
static int read_input(keys *ks, const data_kind *k, const char *input, mc_array *out, mc_err *e)
{
    const char *shown = lines_shown(input);
    FILE *f = strcmp(input, "-") ? fopen(input, "rb") : stdin;
    if (!f) return mc_err_errno(e, input, "cannot open");
    int ch = getc(f);
    int rc;
    if (ch == 0x93) {
        ungetc(ch, f);
        rc = read_npy(ks->c, k, f, shown, out, e);
    } else if (f == stdin) {
        if (ch != EOF) ungetc(ch, f);
        rc = read_tsv(ks, k, input, out, e);
    } else rc = 1;
    if (f != stdin) fclose(f);
    if (rc == 1) rc = read_tsv(ks, k, input, out, e);
    return rc;
}

/* --- storing ------------------------------------------------------------------- */

static char *data_path(const container *c, const data_kind *k, const char *name, const char *ext)
{
    char file[300];
    snprintf(file, sizeof file, "%s.%s.%s", k->name, name, ext);
    return path_join(c->path, file);
}

/* The container's own file of KIND.NAME (either extension) or what its chain shows must be replaced knowingly. */
static int check_existing(container *c, const data_kind *k, const char *name, int force, mc_err *e)
{
    static const char *const exts[] = {"npy", "txt", "mmm"};
    for (size_t i = 0; i < 3; i++) {
        char *p = data_path(c, k, name, exts[i]);
        int there = p && path_exists(p);
        if (there && !force) mc_err_fail(e, "%s: %s.%s exists; --force replaces it", p, k->name, name);
        free(p);
        if (!p) return mc_err_oom(e, c->path);
        if (there) return force ? 0 : -1;
    }
    if (c->kind == KIND_BATCH || force) return 0;
    mc_array seen;
    int rc = datum_load(c, k, name, &seen, e);
    container_array_free(&seen);
    if (rc < 0) return -1;
    if (rc == 1)
        return mc_err_fail(e, "%s: %s.%s is its %s's; --force writes the %s's own, hiding it (a base is never written)",
                       c->path, k->name, name, c->kind == KIND_COLLECTION ? "members" : "base",
                       c->kind == KIND_COLLECTION ? "collection" : "view");
    return 0;
}

int datum_save(const char *path, const data_kind *k, const mc_array *a, mc_err *e)
{
    if (a->is_text) return k->rows == 'p' || k->rows == 'g' ? txt_write(path, a->text.v, a->text.count, e) : -1;
    if (!is_matrix(k)) return npy_write(path, a->num.dtype, 1, a->num.shape, 0, a->num.data, e);
    if (k->rows != 'g' || k->cols != 'p') return npy_write(path, a->num.dtype, 2, a->num.shape, 0, a->num.data, e);
    /* gp: each profile's column contiguous (SPEC 2) */
    const npy_array *t = &a->num;
    size_t w = npy_item_size(t), r = t->shape[0], n = t->shape[1];
    char *d = mc_alloc_array(t->count, w);
    if (!d) return mc_err_oom(e, path);
    for (size_t i = 0; i < r; i++)
        for (size_t j = 0; j < n; j++) memcpy(d + (j * r + i) * w, (char *)t->data + (i * n + j) * w, w);
    int rc = npy_write(path, t->dtype, 2, t->shape, 1, d, e);
    free(d);
    return rc;
}

static int store_file(const char *final, const data_kind *k, const mc_array *a, mc_err *e)
{
    outfile of;
    if (outdir_file_begin(&of, final, 1, e) < 0) return -1;
    if (datum_save(of.tmp, k, a, e) == 0) return outdir_file_commit(&of, e);
    outdir_file_abort(&of);
    return -1;
}

/* May KIND.NAME be written into C: not reserved, and replacing only with force. */
static int check_writable(container *c, const data_kind *k, const char *name, int force, mc_err *e)
{
    const char *writer = datakind_reserved(k, name);
    if (writer) return mc_err_fail(e, "%s.%s is reserved: %s writes it; choose another name", k->name, name, writer);
    return check_existing(c, k, name, force, e);
}

/* The other form of KIND.NAME than A's would win over (or lose to) the new one: it goes. */
static int drop_other_form(container *c, const data_kind *k, const char *name, const mc_array *a, mc_err *e)
{
    char *other = data_path(c, k, name, a->is_text ? "npy" : "txt");
    int rc = !other ? mc_err_oom(e, c->path)
             : path_exists(other) && unlink(other) < 0 ? mc_err_errno(e, other, "cannot remove")
                                                       : 0;
    free(other);
    return rc;
}

/* NAMES[i]'s file complete under OF[i]'s temporary name. */
static int prepare_file(container *c, const data_kind *k, const char *name, const mc_array *a, outfile *of,
                        mc_err *e)
{
    char *final = data_path(c, k, name, a->is_text ? "txt" : "npy");
    int rc = final ? outdir_file_begin(of, final, 1, e) : mc_err_oom(e, c->path);
    free(final);
    if (rc == 0 && (rc = datum_save(of->tmp, k, a, e)) < 0) outdir_file_abort(of);
    return rc;
}

int datum_store_all(container *c, const data_kind *k, char *const *names, const mc_array *a, size_t n, int force,
                    mc_err *e)
{
    for (size_t i = 0; i < n; i++)
        if (check_writable(c, k, names[i], force, e) < 0) return -1;
    outfile *of = mc_alloc_zeroed(n ? n : 1, sizeof *of);
    if (!of) return mc_err_oom(e, c->path);
    commit_set set = {0};
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) rc = prepare_file(c, k, names[i], &a[i], &of[i], e);
    for (size_t i = 0; rc == 0 && i < n; i++) rc = outdir_set_file(&set, &of[i], e);
    if (rc == 0) outdir_set_done(&set);
    else outdir_set_undo(&set);
    for (size_t i = 0; i < n; i++) outdir_file_abort(&of[i]);   /* a committed or zeroed output holds nothing */
    free(of);
    for (size_t i = 0; rc == 0 && i < n; i++) rc = drop_other_form(c, k, names[i], &a[i], e);
    return rc;
}

/* A, checked, stored as KIND.NAME of C; the other form (.txt / .npy) would win over (or lose to) it, so it goes. */
static int store_values(container *c, const data_kind *k, const char *name, const mc_array *a, mc_err *e)
{
    char *final = data_path(c, k, name, a->is_text ? "txt" : "npy");
    int rc = final ? store_file(final, k, a, e) : mc_err_oom(e, c->path);
    if (rc == 0) rc = drop_other_form(c, k, name, a, e);
    free(final);
    return rc;
}

int datum_write(container *c, const data_kind *k, const char *name, const char *input, const datum_write_opts *o,
                mc_err *e)
{
    if (check_writable(c, k, name, o->force, e) < 0) return -1;
    keys ks = {.c = c, .gene_set = o->gene_set};
    mc_array a;
    int rc = read_input(&ks, k, input, &a, e);
    keys_close(&ks);
    if (rc < 0) return -1;
    rc = store_values(c, k, name, &a, e);
    container_array_free(&a);
    return rc;
}

int datum_write_values(container *c, const data_kind *k, const char *name, mc_array *a, const char *shown, int force,
                       mc_err *e)
{
    if (check_writable(c, k, name, force, e) < 0 || values_check(c, k, a, shown, e) < 0) return -1;
    return store_values(c, k, name, a, e);
}
