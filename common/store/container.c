/* container: open any container kind with its chain; resolve rows, arrays and names. */
#include "container.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "datakind.h"
#include "path.h"
#include "strmap.h"
#include "totals.h"
#include "uuid.h"

/* A view hides base data that depends on an axis it slices. */
static int view_hides(const container *c, const char *kind, const char *name)
{
    return (c->p_index && datakind_depends_on_profiles(kind, name)) ||
           (c->g_index && datakind_depends_on_genes(kind, name));
}

/* --- opening ------------------------------------------------------------------ */

static container *open_at(const char *dir, const char *name, int depth, mc_err *e);

/* --- the chain walk --------------------------------------------------------------- */

int container_depth_check(const char *dir, int depth, mc_err *e)
{
    if (depth <= CONTAINER_MAX_DEPTH) return 0;
    char *real = realpath(dir, NULL);   /* DIR is a/../b/../a/.. by now: say where, briefly */
    mc_err_fail(e, "%s: the chain of containers refers back to itself (or is deeper than %d)", real ? real : dir,
            CONTAINER_MAX_DEPTH);
    free(real);
    return -1;
}

/* VISIT the container at DIR/REL. */
static int walk_to(const char *dir, const char *rel, size_t i, const char *name, int depth, container_visit visit,
                   void *ctx, mc_err *e)
{
    char *path = path_join(dir, rel);
    if (!path) return mc_err_oom(e, dir);
    int rc = visit(ctx, path, i, name, depth + 1);
    free(path);
    return rc;
}

int container_walk(const char *dir, const profiles_meta *m, int depth, container_visit visit, void *ctx, mc_err *e)
{
    switch (m->kind) {
    case KIND_VIEW: return walk_to(dir, m->base_profiles, 0, NULL, depth, visit, ctx, e);
    case KIND_GROUPS: return walk_to(dir, m->grouped_profiles, 0, NULL, depth, visit, ctx, e);
    case KIND_COLLECTION:
        for (size_t i = 0; i < m->members_count; i++) {
            const char *name = m->members[i].name;
            if (walk_to(dir, name, i, name, depth, visit, ctx, e) < 0) return -1;
        }
        return 0;
    case KIND_BATCH: return 0;
    }
    return 0;
}

/* Read DIR/FILE as a sorted, unique, in-range int32 index, or leave *out NULL if absent. */
static int load_index(const char *dir, const char *file, size_t limit, int32_t **out, size_t *n, mc_err *e)
{
    char *path = path_join(dir, file);
    npy_array a = {0};
    int rc = 0;
    *out = NULL;
    *n = 0;
    if (!path) return mc_err_oom(e, dir);
    if (!path_exists(path)) goto done;
    rc = -1;
    if (npy_read(path, &a, e) < 0) goto done;
    if (a.dtype != NPY_I4 || a.ndim != 1) {
        mc_err_fail(e, "%s: must be a 1-D <i4 array", path);
        goto done;
    }
    const int32_t *v = a.data;
    for (size_t i = 0; i < a.count; i++) {
        if (v[i] < 0 || (size_t)v[i] >= limit) {
            mc_err_fail(e, "%s: entry %zu: index %d out of range (base has %zu)", path, i, v[i], limit);
            goto done;
        }
        if (i && v[i] <= v[i - 1]) {
            mc_err_fail(e, "%s: entry %zu: indices must be sorted and unique", path, i);
            goto done;
        }
    }
    *out = a.data;
    *n = a.count;
    a.data = NULL;
    rc = 0;
done:
    npy_free(&a);
    free(path);
    return rc;
}

/* A member's recorded uuid and counts against what was opened. */
static int check_member(container *c, size_t i, mc_err *e)
{
    const meta_member *mm = &c->meta.members[i];
    const container *m = c->members[i];
    if (strcmp(m->meta.uuid, mm->uuid))
        return mc_err_fail(e, "%s/profiles.yaml: member '%s' uuid %s does not match %s (%s): the member changed",
                       c->path, mm->name, mm->uuid, m->path, m->meta.uuid);
    if ((long)m->profiles_count != mm->profiles_count)
        return mc_err_fail(e, "%s/profiles.yaml: member '%s' has %zu profiles, not %ld", c->path, mm->name,
                       m->profiles_count, mm->profiles_count);
    if (strcmp(m->meta.genes_uuid, c->meta.genes_uuid))
        return mc_err_fail(e, "%s/profiles.yaml: member '%s' has genes %s, the collection %s", c->path, mm->name,
                       m->meta.genes_uuid, c->meta.genes_uuid);
    c->first_profile[i + 1] = c->first_profile[i] + m->profiles_count;
    return 0;
}

/* The grouped container's recorded uuid and genes against what was opened. */
static int check_grouped(const container *c, mc_err *e)
{
    if (strcmp(c->grouped->meta.uuid, c->meta.grouped_uuid))
        return mc_err_fail(e, "%s/profiles.yaml: grouped_uuid %s does not match %s (%s): the grouped data changed",
                       c->path, c->meta.grouped_uuid, c->grouped->path, c->grouped->meta.uuid);
    if (c->grouped->genes_count != c->genes_count)
        return mc_err_fail(e, "%s/profiles.yaml: genes_count %zu differs from the grouped container's %zu", c->path,
                       c->genes_count, c->grouped->genes_count);
    return 0;
}

typedef struct opening {
    container *c;
    mc_err *e;
} opening;

/* The walk's visit when opening: open what C refers to, link it, check it against C's record. */
static int open_ref(void *ctx, const char *dir, size_t i, const char *name, int depth)
{
    opening *o = ctx;
    container *c = o->c, *r = open_at(dir, name, depth, o->e);
    if (!r) return -1;
    switch (c->kind) {
    case KIND_VIEW: c->base = r; return 0;
    case KIND_GROUPS: c->grouped = r; return check_grouped(c, o->e);
    case KIND_COLLECTION: c->members[c->members_count++] = r; return check_member(c, i, o->e);
    case KIND_BATCH: break;
    }
    container_close(r);
    return 0;
}

static int open_refs(container *c, int depth, mc_err *e)
{
    opening o = {c, e};
    return container_walk(c->path, &c->meta, depth, open_ref, &o, e);
}

static int open_view(container *c, int depth, mc_err *e)
{
    size_t n;
    if (open_refs(c, depth, e) < 0) return -1;
    if (strcmp(c->base->meta.uuid, c->meta.base_uuid))
        return mc_err_fail(
            e, "%s/profiles.yaml: base_uuid %s does not match %s (%s): the base changed after the view was made",
            c->path, c->meta.base_uuid, c->base->path, c->base->meta.uuid);
    if (load_index(c->path, "p.base_index.npy", c->base->profiles_count, &c->p_index, &n, e) < 0) return -1;
    if (!c->p_index) n = c->base->profiles_count;
    if (n != c->profiles_count)
        return mc_err_fail(e, "%s/profiles.yaml: profiles_count %zu but the view selects %zu", c->path,
                           c->profiles_count, n);
    if (load_index(c->path, "g.base_index.npy", c->base->genes_count, &c->g_index, &n, e) < 0) return -1;
    if (!c->g_index) n = c->base->genes_count;
    if (n != c->genes_count)
        return mc_err_fail(e, "%s/profiles.yaml: genes_count %zu but the view selects %zu", c->path, c->genes_count, n);
    if (!c->g_index && strcmp(c->meta.genes_uuid, c->base->meta.genes_uuid))
        return mc_err_fail(e, "%s/profiles.yaml: genes_uuid %s differs from its base's %s", c->path, c->meta.genes_uuid,
                       c->base->meta.genes_uuid);
    if (c->g_index) {
        c->g_reverse = mc_alloc_array(c->base->genes_count, sizeof *c->g_reverse);
        if (!c->g_reverse) return mc_err_oom(e, c->path);
        for (size_t g = 0; g < c->base->genes_count; g++) c->g_reverse[g] = -1;
        for (size_t g = 0; g < c->genes_count; g++) c->g_reverse[c->g_index[g]] = (int32_t)g;
    }
    return 0;
}

static int open_collection(container *c, int depth, mc_err *e)
{
    size_t n = c->meta.members_count;
    c->members = mc_alloc_zeroed(n, sizeof *c->members);
    c->first_profile = mc_alloc_zeroed(n + 1, sizeof *c->first_profile);
    if (!c->members || !c->first_profile) return mc_err_oom(e, c->path);
    if (open_refs(c, depth, e) < 0) return -1;
    if (c->first_profile[n] != c->profiles_count)
        return mc_err_fail(e, "%s/profiles.yaml: profiles_count %zu but the members hold %zu", c->path,
                           c->profiles_count, c->first_profile[n]);
    return 0;
}

static int open_matrix(container *c, mc_err *e)
{
    char *path = path_join(c->path, "gp.umis.mmm");
    int rc = path ? mmm_open(&c->umis, path, e) : mc_err_oom(e, c->path);
    free(path);
    if (rc < 0) return -1;
    if (c->umis.profiles_count != c->profiles_count || c->umis.genes_count != c->genes_count)
        return mc_err_fail(e, "%s/profiles.yaml: %zu profiles x %zu genes but gp.umis.mmm holds %u x %u", c->path,
                       c->profiles_count, c->genes_count, c->umis.profiles_count, c->umis.genes_count);
    return 0;
}

static int open_groups(container *c, int depth, mc_err *e)
{
    if (open_refs(c, depth, e) < 0) return -1;
    return open_matrix(c, e);
}

static container *open_at(const char *dir, const char *name, int depth, mc_err *e)
{
    if (container_depth_check(dir, depth, e) < 0) return NULL;
    container *c = calloc(1, sizeof *c);
    if (!c) {
        mc_err_oom(e, dir);
        return NULL;
    }
    c->path = strdup(dir);
    c->name = name ? strdup(name) : NULL;
    char *yaml = path_join(dir, "profiles.yaml");
    int rc = -1;
    if (!c->path || (name && !c->name) || !yaml)
        mc_err_oom(e, dir);
    else if (!path_exists(yaml))
        mc_err_fail(e, "%s: not a container (no profiles.yaml)", dir);
    else if (meta_profiles_load(yaml, &c->meta, e) == 0) {
        rc = 0;
        if (c->meta.profiles_count < 0 || c->meta.genes_count < 0)
            rc = mc_err_fail(e, "%s: negative profiles_count or genes_count", yaml);
    }
    free(yaml);
    if (rc == 0) {
        c->kind = c->meta.kind;
        c->profiles_count = (size_t)c->meta.profiles_count;
        c->genes_count = (size_t)c->meta.genes_count;
        switch (c->kind) {
        case KIND_BATCH: rc = open_matrix(c, e); break;
        case KIND_VIEW: rc = open_view(c, depth, e); break;
        case KIND_COLLECTION: rc = open_collection(c, depth, e); break;
        case KIND_GROUPS: rc = open_groups(c, depth, e); break;
        }
    }
    if (rc < 0) {
        container_close(c);
        return NULL;
    }
    return c;
}

container *container_open(const char *dir, mc_err *e)
{
    return open_at(dir, NULL, 0, e);
}

void container_close(container *c)
{
    if (!c) return;
    mmm_close(&c->umis);
    container_close(c->base);
    container_close(c->grouped);
    for (size_t i = 0; i < c->members_count; i++) container_close(c->members[i]);
    free(c->members);
    free(c->first_profile);
    free(c->p_index);
    free(c->g_index);
    free(c->g_reverse);
    meta_profiles_free(&c->meta);
    free(c->path);
    free(c->name);
    free(c);
}

void container_forget(const container *c)
{
    if (!c) return;
    if (c->umis.map) mmm_forget(&c->umis);
    container_forget(c->base);
    for (size_t i = 0; i < c->members_count; i++) container_forget(c->members[i]);
}

void container_forget_every(const container *c, size_t *seen, size_t bytes)
{
    if ((*seen += bytes) <= CONTAINER_FORGET_BYTES) return;
    container_forget(c);
    *seen = 0;
}

/* --- rows --------------------------------------------------------------------- */

static size_t member_of(const container *c, size_t p)
{
    size_t lo = 0, hi = c->members_count;   /* first_profile[lo] <= p < first_profile[hi] */
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (c->first_profile[mid] <= p) lo = mid;
        else hi = mid;
    }
    return lo;
}

int container_profile_entries(const container *c, size_t p, mc_entries *es, mc_err *e)
{
    if (p >= c->profiles_count) return mc_err_fail(e, "%s: profile %zu out of range", c->path, p);
    switch (c->kind) {
    case KIND_BATCH:
    case KIND_GROUPS: return mmm_profile_entries(&c->umis, (uint32_t)p, es, e);
    case KIND_COLLECTION: {
        size_t m = member_of(c, p);
        return container_profile_entries(c->members[m], p - c->first_profile[m], es, e);
    }
    case KIND_VIEW: break;
    }
    if (container_profile_entries(c->base, c->p_index ? (size_t)c->p_index[p] : p, es, e) < 0) return -1;
    if (c->g_reverse) {   /* g_index is sorted, so the kept entries stay sorted */
        size_t k = 0;
        for (size_t i = 0; i < es->n; i++) {
            int32_t g = c->g_reverse[es->v[i].gene];
            if (g >= 0) es->v[k++] = (mc_entry){(uint32_t)g, es->v[i].value};
        }
        es->n = k;
    }
    return 0;
}

int container_locate(const container *c, size_t p, const mmm_file **m, uint32_t *q, const int32_t **gmap, mc_err *e)
{
    *gmap = NULL;
    for (;;) {
        if (p >= c->profiles_count) return mc_err_fail(e, "%s: profile %zu out of range", c->path, p);
        if (c->kind == KIND_BATCH || c->kind == KIND_GROUPS) {
            *m = &c->umis;
            *q = (uint32_t)p;
            return 0;
        }
        if (c->kind == KIND_COLLECTION) {
            size_t k = member_of(c, p);
            p -= c->first_profile[k];
            c = c->members[k];
            continue;
        }
        if (c->g_reverse) {
            if (*gmap) return 1;   /* a slice of a slice: the caller decodes through entries */
            *gmap = c->g_reverse;
        }
        if (c->p_index) p = (size_t)c->p_index[p];
        c = c->base;
    }
}

void container_cursor_init(container_cursor *k, const container *c, size_t weight)
{
    *k = (container_cursor){.c = c, .weight = weight};
}

void container_cursor_reads(container_cursor *k)
{
    k->reads = 1;
}

int container_cursor_locate(container_cursor *k, size_t p, const mmm_file **m, uint32_t *q, const int32_t **gmap,
                            mc_err *e)
{
    int where = container_locate(k->c, p, m, q, gmap, e);
    if (where == 0 && !k->reads) container_forget_every(k->c, &k->seen, mmm_profile_bytes(*m, *q) + k->weight);
    return where;
}

/* Profile Q of M's N bytes *B, from K's copy of the file, copied anew when they
 * are not in it: 0, or -1 to read them from the map instead. */
static int cursor_copy(container_cursor *k, const mmm_file *m, uint32_t q, const uint8_t **b, size_t *n)
{
    size_t off = mmm_profile_offset(m, q), len = mmm_profile_bytes(m, q), end = m->offsets[m->profiles_count];
    if (len > CONTAINER_CURSOR_READ) return -1;
    if (k->file != m || off < k->from || off + len > k->from + k->len) {
        if (!k->buf && !(k->buf = mc_alloc_array(CONTAINER_CURSOR_READ, 1))) return -1;
        k->file = m;
        k->from = off;
        k->len = end - off < CONTAINER_CURSOR_READ ? end - off : CONTAINER_CURSOR_READ;
        mmm_copy(m, off, k->len, k->buf);
    }
    *b = k->buf + (off - k->from);
    *n = len;
    return 0;
}

int container_cursor_add(container_cursor *k, size_t p, uint64_t *row, uint64_t *total, mc_err *e)
{
    const mmm_file *m;
    const int32_t *gmap;
    const uint8_t *b;
    uint32_t q;
    size_t n;
    uint64_t sum = 0;
    int where = container_cursor_locate(k, p, &m, &q, &gmap, e);
    if (where < 0) return -1;
    if (where == 0 && k->reads && cursor_copy(k, m, q, &b, &n) == 0) {
        if (mmm_sum_copy(m, q, b, n, gmap, row, &sum, e) < 0) return -1;
    } else if (where == 0) {
        if (k->reads) container_forget_every(k->c, &k->seen, mmm_profile_bytes(m, q) + k->weight);   /* mapped */
        if (mmm_sum_profile(m, q, gmap, row, &sum, e) < 0) return -1;
    } else {
        if (container_profile_entries(k->c, p, &k->es, e) < 0) return -1;
        for (size_t i = 0; i < k->es.n; i++) {
            row[k->es.v[i].gene] += k->es.v[i].value;
            sum += k->es.v[i].value;
        }
    }
    if (total) *total += sum;
    return 0;
}

void container_cursor_free(container_cursor *k)
{
    entries_free(&k->es);
    free(k->buf);
    k->file = NULL;
    k->buf = NULL;
}

/* --- arrays ------------------------------------------------------------------- */

void container_array_free(mc_array *a)
{
    strvec_free(&a->text);
    npy_free(&a->num);
    memset(a, 0, sizeof *a);
}

static size_t array_length(const mc_array *a)
{
    return a->is_text ? a->text.count : a->num.count;
}

/* A '<U' array numpy wrote, as the text it holds. */
static int npy_to_text(mc_array *a, const char *path, mc_err *e)
{
    for (size_t i = 0; i < a->num.count; i++) {
        char *s = npy_ustr(&a->num, i, path, e);
        if (!s) return -1;
        int rc = strvec_push(&a->text, s);
        free(s);
        if (rc < 0) return mc_err_oom(e, path);
    }
    npy_free(&a->num);
    a->is_text = 1;
    return 0;
}

/* KIND.NAME.txt or .npy in DIR: 1 found, 0 absent, -1 error. */
static int load_own(const char *dir, char kind, const char *name, size_t length, mc_array *out, mc_err *e)
{
    char file[512];
    int rc = 0;
    memset(out, 0, sizeof *out);
    snprintf(file, sizeof file, "%c.%s.txt", kind, name);
    char *path = path_join(dir, file);
    if (!path) return mc_err_oom(e, dir);
    if (path_exists(path)) {
        out->is_text = 1;
        rc = txt_read(path, &out->text, e) < 0 ? -1 : 1;
    } else {
        free(path);
        snprintf(file, sizeof file, "%c.%s.npy", kind, name);
        path = path_join(dir, file);
        if (!path) return mc_err_oom(e, dir);
        if (path_exists(path)) {
            rc = npy_read(path, &out->num, e) < 0 ? -1 : 1;
            if (rc == 1 && out->num.ndim != 1) rc = mc_err_fail(e, "%s: must be one-dimensional", path);
            if (rc == 1 && out->num.dtype == NPY_U && npy_to_text(out, path, e) < 0) rc = -1;
        }
    }
    if (rc == 1 && array_length(out) != length)
        rc = mc_err_fail(e, "%s: holds %zu values, expected %zu", path, array_length(out), length);
    if (rc < 0) container_array_free(out);
    free(path);
    return rc;
}

/* out = in[index[i]] for i < n. */
static int gather(const mc_array *in, const int32_t *index, size_t n, mc_array *out, mc_err *e)
{
    memset(out, 0, sizeof *out);
    out->is_text = in->is_text;
    if (in->is_text) return strvec_pick(&out->text, &in->text, index, n) < 0 ? mc_err_oom(e, NULL) : 0;
    size_t w = npy_dtype_size(in->num.dtype);
    out->num = in->num;
    out->num.count = out->num.shape[0] = n;
    out->num.data = mc_alloc_array(n, w);
    if (!out->num.data) return mc_err_oom(e, NULL);
    for (size_t i = 0; i < n; i++)
        memcpy((char *)out->num.data + i * w, (const char *)in->num.data + (size_t)index[i] * w, w);
    return 0;
}

/* Append b's numbers to a's (same dtype). */
static int concat(mc_array *a, const mc_array *b, mc_err *e)
{
    size_t w = npy_dtype_size(a->num.dtype);
    void *d = mc_alloc_resize(a->num.data, a->num.count + b->num.count, w);
    if (!d) return mc_err_oom(e, NULL);
    memcpy((char *)d + a->num.count * w, b->num.data, b->num.count * w);
    a->num.data = d;
    a->num.count += b->num.count;
    a->num.shape[0] = a->num.count;
    return 0;
}

static void parts_free(mc_array *parts, size_t n)
{
    for (size_t i = 0; parts && i < n; i++) container_array_free(&parts[i]);
    free(parts);
}

/* The members' p.NAME, one after the other: text joined in one buffer
 * (strvec_concat), not copied a string at a time. */
static int collection_array(container *c, const char *name, mc_array *out, mc_err *e)
{
    char what[600];
    snprintf(what, sizeof what, "%s: p.%s", c->path, name);
    memset(out, 0, sizeof *out);
    size_t n = c->members_count;
    mc_array *parts = mc_alloc_zeroed(n ? n : 1, sizeof *parts);
    if (!parts) return mc_err_oom(e, c->path);
    int rc = n ? 1 : 0;
    for (size_t i = 0; rc == 1 && i < n; i++) {
        rc = container_array(c->members[i], 'p', name, &parts[i], e);
        if (rc == 1 && (parts[i].is_text != parts[0].is_text ||
                        (!parts[0].is_text && parts[i].num.dtype != parts[0].num.dtype)))
            rc = mc_err_fail(e, "%s: members store it with different types; cannot concatenate", what);
    }
    if (rc == 1 && parts[0].is_text) {
        strvec *texts = mc_alloc_array(n, sizeof *texts);
        for (size_t i = 0; texts && i < n; i++) texts[i] = parts[i].text;
        out->is_text = 1;
        if (!texts || strvec_concat(&out->text, texts, n) < 0) rc = mc_err_oom(e, c->path);
        free(texts);
    } else if (rc == 1) {
        *out = parts[0];
        memset(&parts[0], 0, sizeof parts[0]);
        for (size_t i = 1; rc == 1 && i < n; i++)
            if (concat(out, &parts[i], e) < 0) rc = -1;
    }
    parts_free(parts, n);
    if (rc < 0) container_array_free(out);
    return rc;
}

/* A collection's p.member: each profile's member, by its name in combined_profiles. */
static int member_array(container *c, const int32_t *rows, size_t n, mc_array *out, mc_err *e)
{
    memset(out, 0, sizeof *out);
    out->is_text = 1;
    for (size_t i = 0, count = rows ? n : c->profiles_count; i < count; i++)
        if (strvec_push(&out->text, c->members[member_of(c, rows ? (size_t)rows[i] : i)]->name) < 0) {
            container_array_free(out);
            return mc_err_oom(e, c->path);
        }
    return 1;
}

static int is_structural(const char *name)
{
    return !strcmp(name, "base_index");
}

/* Is NAME, of KIND "p" or "g", C's own totals cache with a stamp saying it
 * is stale (totals_stamp_check, the one judge of that cache)?  Then it is
 * not data: hidden, never served, and a view sees its base's instead. */
static int stale_cache(const container *c, const char *kind, const char *name)
{
    mc_err ignored;
    return (!strcmp(kind, "p") || !strcmp(kind, "g")) && !strcmp(name, TOTALS_NAME) &&
           totals_stamp_check(c->path, c->meta.uuid, &ignored) < 0;
}

/* ROWS[0..N) of a collection C split by member: the rows of member m are
 * LOCAL[start[m] .. start[m + 1]) (indices in the member, in the order of
 * ROWS).  0, or -1 when out of memory. */
typedef struct member_rows {
    size_t *start;
    int32_t *local;
} member_rows;

static void member_rows_free(member_rows *r)
{
    free(r->start);
    free(r->local);
}

static int member_rows_split(const container *c, const int32_t *rows, size_t n, member_rows *r)
{
    r->start = mc_alloc_zeroed(c->members_count + 2, sizeof *r->start);
    r->local = mc_alloc_array(n, sizeof *r->local);
    if (!r->start || !r->local) return -1;
    for (size_t i = 0; i < n; i++) r->start[member_of(c, (size_t)rows[i]) + 2]++;
    for (size_t m = 2; m < c->members_count + 2; m++) r->start[m] += r->start[m - 1];
    for (size_t i = 0; i < n; i++) {   /* start[m + 1] is the fill point of member m */
        size_t m = member_of(c, (size_t)rows[i]);
        r->local[r->start[m + 1]++] = (int32_t)((size_t)rows[i] - c->first_profile[m]);
    }
    return 0;
}

static int array_rows(container *c, const char *name, const int32_t *rows, size_t n, mc_array *out, mc_err *e);

/* PARTS, one per member of C (its rows among ROWS, in their order), put back in the order of ROWS into OUT. */
static int collection_rows_join(container *c, const int32_t *rows, size_t n, mc_array *parts, mc_array *out,
                                mc_err *e)
{
    size_t *cursor = mc_alloc_zeroed(c->members_count, sizeof *cursor), w = 0;
    out->is_text = parts[0].is_text;
    if (out->is_text) {
        out->text.v = mc_alloc_zeroed(n, sizeof *out->text.v);
        out->text.count = out->text.alloc = out->text.v ? n : 0;
    } else {
        out->num = parts[0].num;
        out->num.count = out->num.shape[0] = n;
        w = npy_dtype_size(out->num.dtype);
        out->num.data = mc_alloc_array(n, w);
    }
    if (!cursor || (out->is_text ? !out->text.v : !out->num.data)) {
        free(cursor);
        return mc_err_oom(e, c->path);
    }
    for (size_t i = 0; i < n; i++) {
        size_t m = member_of(c, (size_t)rows[i]), j = cursor[m]++;
        if (!out->is_text) memcpy((char *)out->num.data + i * w, (const char *)parts[m].num.data + j * w, w);
        else if (!(out->text.v[i] = strdup(parts[m].text.v[j]))) {
            free(cursor);
            return mc_err_oom(e, c->path);
        }
    }
    free(cursor);
    return 0;
}

/* A collection's p array NAME at ROWS: each member reads only its own rows
 * (every member must have it, as for the whole array). */
static int collection_rows(container *c, const char *name, const int32_t *rows, size_t n, mc_array *out, mc_err *e)
{
    member_rows r = {0};
    mc_array *parts = mc_alloc_zeroed(c->members_count ? c->members_count : 1, sizeof *parts);
    int rc = parts && member_rows_split(c, rows, n, &r) == 0 ? 1 : mc_err_oom(e, c->path);
    for (size_t m = 0; rc == 1 && m < c->members_count; m++) {   /* as concatenating, member after member */
        rc = array_rows(c->members[m], name, r.local + r.start[m], r.start[m + 1] - r.start[m], &parts[m], e);
        if (rc == 1 && (parts[m].is_text != parts[0].is_text ||
                        (!parts[0].is_text && parts[m].num.dtype != parts[0].num.dtype)))
            rc = mc_err_fail(e, "%s: p.%s: members store it with different types; cannot concatenate", c->path, name);
    }
    if (rc == 1 && !c->members_count) rc = 0;
    if (rc == 1 && collection_rows_join(c, rows, n, parts, out, e) < 0) rc = -1;
    for (size_t m = 0; parts && m < c->members_count; m++) container_array_free(&parts[m]);
    free(parts);
    member_rows_free(&r);
    if (rc < 0) container_array_free(out);
    return rc;
}

/* C's p array NAME at ROWS[0..N) only, resolved as container_array: a view of
 * a few profiles of a large collection reads its members' files but copies
 * only the values it keeps.  1 found, 0 not visible, -1 error. */
static int array_rows(container *c, const char *name, const int32_t *rows, size_t n, mc_array *out, mc_err *e)
{
    mc_array whole;
    memset(out, 0, sizeof *out);
    int rc = stale_cache(c, "p", name) ? 0 : load_own(c->path, 'p', name, c->profiles_count, &whole, e);
    if (rc == 0 && c->kind == KIND_COLLECTION && !strcmp(name, "member")) return member_array(c, rows, n, out, e);
    if (rc == 0 && c->kind == KIND_COLLECTION) return collection_rows(c, name, rows, n, out, e);
    if (rc == 0 && (c->kind != KIND_VIEW || is_structural(name) || view_hides(c, "p", name))) return 0;
    if (rc == 0 && !c->p_index) return array_rows(c->base, name, rows, n, out, e);
    if (rc == 0) {
        int32_t *base_rows = mc_alloc_array(n, sizeof *base_rows);
        if (!base_rows) return mc_err_oom(e, c->path);
        for (size_t i = 0; i < n; i++) base_rows[i] = c->p_index[rows[i]];
        rc = array_rows(c->base, name, base_rows, n, out, e);
        free(base_rows);
        return rc;
    }
    if (rc < 0) return -1;
    rc = gather(&whole, rows, n, out, e);
    container_array_free(&whole);
    if (rc < 0) {
        container_array_free(out);
        return -1;
    }
    return 1;
}

int container_array(container *c, char kind, const char *name, mc_array *out, mc_err *e)
{
    size_t length = kind == 'p' ? c->profiles_count : c->genes_count;
    char k[2] = {kind, 0};
    memset(out, 0, sizeof *out);
    int rc = stale_cache(c, k, name) ? 0 : load_own(c->path, kind, name, length, out, e);
    if (rc != 0) return rc;
    if (c->kind == KIND_COLLECTION && kind == 'p')
        return !strcmp(name, "member") ? member_array(c, NULL, 0, out, e) : collection_array(c, name, out, e);
    if (c->kind != KIND_VIEW || is_structural(name) || view_hides(c, k, name)) return 0;
    const int32_t *index = kind == 'p' ? c->p_index : c->g_index;
    if (!index) return container_array(c->base, kind, name, out, e);
    if (kind == 'p') return array_rows(c->base, name, index, length, out, e);
    mc_array whole;
    rc = container_array(c->base, kind, name, &whole, e);
    if (rc <= 0) return rc;
    rc = gather(&whole, index, length, out, e);
    container_array_free(&whole);
    if (rc < 0) {
        container_array_free(out);
        return -1;
    }
    return 1;
}

/* --- available data ----------------------------------------------------------- */

/* Add the first LEN bytes of S to L unless L has it already. */
static int add_name(strvec *l, const char *s, size_t len)
{
    for (size_t i = 0; i < l->count; i++)
        if (strlen(l->v[i]) == len && !strncmp(l->v[i], s, len)) return 0;
    return strvec_pushn(l, s, len);
}

/* Names of KIND.NAME.{txt,npy,mmm} files in DIR, but SKIP (may be NULL). */
static int list_own(const char *dir, const char *kind, const char *skip, strvec *l, mc_err *e)
{
    DIR *d = opendir(dir);
    if (!d) return mc_err_errno(e, dir, "cannot list");
    size_t kl = strlen(kind);
    struct dirent *de;
    int rc = 0;
    while (rc == 0 && (de = readdir(d))) {
        const char *f = de->d_name, *dot = strrchr(f, '.');
        if (strncmp(f, kind, kl) || f[kl] != '.' || !dot || dot <= f + kl + 1) continue;
        if (strcmp(dot, ".txt") && strcmp(dot, ".npy") && strcmp(dot, ".mmm")) continue;
        if (skip && strlen(skip) == (size_t)(dot - f - kl - 1) && !strncmp(f + kl + 1, skip, strlen(skip))) continue;
        if (add_name(l, f + kl + 1, (size_t)(dot - f - kl - 1)) < 0) rc = mc_err_oom(e, NULL);
    }
    closedir(d);
    return rc;
}

static int available_into(container *c, const char *kind, strvec *l, mc_err *e)
{
    if (list_own(c->path, kind, stale_cache(c, kind, TOTALS_NAME) ? TOTALS_NAME : NULL, l, e) < 0) return -1;
    const data_kind *k = datakind_find(kind);
    if (c->kind == KIND_VIEW && (!k || k->from_base)) {
        strvec b = STRVEC_INIT;
        int rc = available_into(c->base, kind, &b, e);
        for (size_t i = 0; rc == 0 && i < b.count; i++)
            if (!is_structural(b.v[i]) && !view_hides(c, kind, b.v[i]) && add_name(l, b.v[i], strlen(b.v[i])) < 0)
                rc = mc_err_oom(e, NULL);
        strvec_free(&b);
        return rc;
    }
    if (c->kind == KIND_COLLECTION && !strcmp(kind, "p") && add_name(l, "member", 6) < 0) return mc_err_oom(e, NULL);
    if (c->kind == KIND_COLLECTION && k && k->from_members && c->members_count) {
        strvec common = STRVEC_INIT;   /* visible only if every member has it */
        int rc = available_into(c->members[0], kind, &common, e);
        for (size_t m = 1; rc == 0 && m < c->members_count; m++) {
            strvec other = STRVEC_INIT;
            rc = available_into(c->members[m], kind, &other, e);
            size_t k = 0;
            for (size_t i = 0; i < common.count; i++) {
                if (strvec_find(&other, common.v[i]) >= 0) common.v[k++] = common.v[i];
                else free(common.v[i]);
            }
            common.count = k;
            strvec_free(&other);
        }
        for (size_t i = 0; rc == 0 && i < common.count; i++)
            if (add_name(l, common.v[i], strlen(common.v[i])) < 0) rc = mc_err_oom(e, NULL);
        strvec_free(&common);
        return rc;
    }
    return 0;
}

int container_array_in(const char *dir, char kind, const char *name, size_t length, mc_array *out, mc_err *e)
{
    return load_own(dir, kind, name, length, out, e);
}

int container_list_in(const char *dir, const char *kind, strvec *names, mc_err *e)
{
    memset(names, 0, sizeof *names);
    if (list_own(dir, kind, NULL, names, e) < 0) {
        strvec_free(names);
        return -1;
    }
    strvec_sort(names);
    return 0;
}

int container_available(container *c, const char *kind, strvec *names, mc_err *e)
{
    memset(names, 0, sizeof *names);
    if (available_into(c, kind, names, e) < 0) {
        strvec_free(names);
        return -1;
    }
    strvec_sort(names);
    return 0;
}

/* --- profile names ------------------------------------------------------------ */

static int prefixed(strvec *out, const char *prefix, const char *leaf)
{
    if (!prefix) return strvec_push(out, leaf);
    size_t len = strlen(prefix) + strlen(leaf) + 2;
    char *s = malloc(len);
    if (!s) return -1;
    snprintf(s, len, "%s:%s", prefix, leaf);
    int rc = strvec_push(out, s);
    free(s);
    return rc;
}

/* The names a container holds itself (SPEC 7): p.name.txt (the input's name
 * when the barcode lost its lane), else p.barcode.txt, else p.group_label.txt
 * (groups made from labels are named by them); 1 when found. */
static int load_own_names(container *c, mc_array *own, mc_err *e)
{
    static const char *const arrays[] = {"name", "barcode", "group_label"};
    for (size_t k = 0; k < sizeof arrays / sizeof *arrays; k++) {
        int rc = load_own(c->path, 'p', arrays[k], c->profiles_count, own, e);
        if (rc < 0) return -1;
        if (rc == 1 && own->is_text) return 1;
        if (rc == 1) container_array_free(own);
    }
    memset(own, 0, sizeof *own);
    return 0;
}

static int names_into(container *c, strvec *out, mc_err *e);

/* Every member's names into NAMES[k] (members_count, zeroed): in its files'
 * buffer when it names its profiles itself, without a copy of every name. */
static int member_names(container *c, strvec *names, mc_err *e)
{
    for (size_t k = 0; k < c->members_count; k++) {
        mc_array own;
        int found = load_own_names(c->members[k], &own, e);
        if (found < 0) return -1;
        if (found) names[k] = own.text;
        else if (names_into(c->members[k], &names[k], e) < 0) return -1;
    }
    return 0;
}

/* Whether the names of C's members, NAMES, are all different (else each is
 * prefixed with its member's name). */
static int names_unique(container *c, const strvec *names, int *unique, mc_err *e)
{
    size_t total = 0, repeat, first;
    for (size_t k = 0; k < c->members_count; k++) total += names[k].count;
    if (total >= UINT32_MAX) return mc_err_fail(e, "%s: too many profiles", c->path);
    const char **flat = mc_alloc_array(total ? total : 1, sizeof *flat);
    if (!flat) return mc_err_oom(e, c->path);
    for (size_t k = 0, j = 0; k < c->members_count; k++)
        for (size_t i = 0; i < names[k].count; i++) flat[j++] = names[k].v[i];
    int rc = strmap_first_repeat(flat, total, &repeat, &first);
    free(flat);
    if (rc < 0) return mc_err_oom(e, c->path);
    *unique = rc == 0;
    return 0;
}

/* The members' NAMES into OUT, each prefixed with its member's name and ':'
 * unless UNIQUE: into an empty OUT as one buffer (strvec's), one allocation
 * rather than one a name. */
static int names_joined(container *c, const strvec *names, int unique, strvec *out, mc_err *e)
{
    size_t bytes = 0, count = 0;
    for (size_t k = 0; k < c->members_count; k++) {
        size_t prefix = unique ? 0 : strlen(c->members[k]->name) + 1;
        for (size_t i = 0; i < names[k].count; i++) bytes += prefix + strlen(names[k].v[i]) + 1;
        count += names[k].count;
    }
    if (out->count || out->v) {   /* not empty: pushed one by one */
        for (size_t k = 0; k < c->members_count; k++)
            for (size_t i = 0; i < names[k].count; i++)
                if (prefixed(out, unique ? NULL : c->members[k]->name, names[k].v[i]) < 0) return mc_err_oom(e, NULL);
        return 0;
    }
    char *buf = mc_alloc_array(bytes ? bytes : 1, 1), **v = mc_alloc_array(count ? count : 1, sizeof *v), *at = buf;
    if (!buf || !v) {
        free(buf);
        free(v);
        return mc_err_oom(e, c->path);
    }
    for (size_t k = 0, j = 0; k < c->members_count; k++)
        for (size_t i = 0; i < names[k].count; i++) {
            v[j++] = at;
            at += unique ? 0 : (size_t)sprintf(at, "%s:", c->members[k]->name);
            at = stpcpy(at, names[k].v[i]) + 1;
        }
    *out = (strvec){.count = count, .v = v, .buf = buf};
    return 0;
}

static void names_free(container *c, strvec *names)
{
    for (size_t k = 0; names && k < c->members_count; k++) strvec_free(&names[k]);
    free(names);
}

/* A collection's names are its members' names, unchanged unless two would be
 * the same: then every name gets its member's name and ':' (SPEC 7). */
static int collection_names(container *c, strvec *out, mc_err *e)
{
    strvec *names = mc_alloc_zeroed(c->members_count ? c->members_count : 1, sizeof *names);
    int unique = 1, rc = names ? member_names(c, names, e) : mc_err_oom(e, c->path);
    if (rc == 0) rc = names_unique(c, names, &unique, e);
    if (rc == 0) rc = names_joined(c, names, unique, out, e);
    names_free(c, names);
    return rc;
}

/* Whether the names of C's members are all different (names_unique). */
static int collection_unique(container *c, int *unique, mc_err *e)
{
    strvec *names = mc_alloc_zeroed(c->members_count ? c->members_count : 1, sizeof *names);
    int rc = names ? member_names(c, names, e) : mc_err_oom(e, c->path);
    if (rc == 0) rc = names_unique(c, names, unique, e);
    names_free(c, names);
    return rc;
}

static int names_rows(container *c, const int32_t *rows, size_t n, strvec *out, mc_err *e);

/* The names of a collection C at ROWS: each member names only its own rows. */
static int collection_names_rows(container *c, const int32_t *rows, size_t n, strvec *out, mc_err *e)
{
    member_rows r = {0};
    strvec *parts = mc_alloc_zeroed(c->members_count ? c->members_count : 1, sizeof *parts);
    size_t *cursor = mc_alloc_zeroed(c->members_count ? c->members_count : 1, sizeof *cursor);
    int unique = 1, rc = parts && cursor && member_rows_split(c, rows, n, &r) == 0 ? 0 : mc_err_oom(e, c->path);
    if (rc == 0) rc = collection_unique(c, &unique, e);
    for (size_t m = 0; rc == 0 && m < c->members_count; m++)
        rc = names_rows(c->members[m], r.local + r.start[m], r.start[m + 1] - r.start[m], &parts[m], e);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        size_t m = member_of(c, (size_t)rows[i]);
        if (prefixed(out, unique ? NULL : c->members[m]->name, parts[m].v[cursor[m]++]) < 0) rc = mc_err_oom(e, NULL);
    }
    for (size_t m = 0; parts && m < c->members_count; m++) strvec_free(&parts[m]);
    free(parts);
    free(cursor);
    member_rows_free(&r);
    return rc;
}

/* The names of C's profiles ROWS[0..N), as names_into gives them all. */
static int names_rows(container *c, const int32_t *rows, size_t n, strvec *out, mc_err *e)
{
    mc_array own;
    int rc = load_own_names(c, &own, e);
    if (rc < 0) return -1;
    if (rc == 1 || c->kind == KIND_BATCH || c->kind == KIND_GROUPS) {
        char num[32];
        for (size_t i = 0; rc >= 0 && i < n; i++) {
            if (!own.is_text) snprintf(num, sizeof num, "%d", rows[i]);
            if (strvec_push(out, own.is_text ? own.text.v[rows[i]] : num) < 0) rc = mc_err_oom(e, NULL);
        }
        if (own.is_text) container_array_free(&own);
        return rc < 0 ? -1 : 0;
    }
    if (c->kind == KIND_COLLECTION) return collection_names_rows(c, rows, n, out, e);
    if (!c->p_index) return names_rows(c->base, rows, n, out, e);
    int32_t *base_rows = mc_alloc_array(n, sizeof *base_rows);
    if (!base_rows) return mc_err_oom(e, c->path);
    for (size_t i = 0; i < n; i++) base_rows[i] = c->p_index[rows[i]];
    rc = names_rows(c->base, base_rows, n, out, e);
    free(base_rows);
    return rc;
}

static int names_into(container *c, strvec *out, mc_err *e)
{
    mc_array own;
    int rc = load_own_names(c, &own, e);
    if (rc < 0) return -1;
    if (rc == 1 || c->kind == KIND_BATCH || c->kind == KIND_GROUPS) {
        char num[32];
        for (size_t i = 0; rc >= 0 && i < c->profiles_count; i++) {
            if (!own.is_text) snprintf(num, sizeof num, "%zu", i);
            if (strvec_push(out, own.is_text ? own.text.v[i] : num) < 0) rc = mc_err_oom(e, NULL);
        }
        if (own.is_text) container_array_free(&own);
        return rc < 0 ? -1 : 0;
    }
    if (c->kind == KIND_COLLECTION) return collection_names(c, out, e);
    if (!c->p_index) return names_into(c->base, out, e);
    return names_rows(c->base, c->p_index, c->profiles_count, out, e);
}

int container_profile_names(container *c, strvec *out, mc_err *e)
{
    memset(out, 0, sizeof *out);
    if (names_into(c, out, e) < 0) {
        strvec_free(out);
        return -1;
    }
    return 0;
}

/* The members' names of collection C, unique or prefixed, to FN. */
static int member_names_each(container *c, container_name_fn fn, void *ctx, mc_err *e)
{
    strvec *names = mc_alloc_zeroed(c->members_count ? c->members_count : 1, sizeof *names);
    int unique = 1, rc = names ? member_names(c, names, e) : mc_err_oom(e, c->path);
    if (rc == 0) rc = names_unique(c, names, &unique, e);
    for (size_t k = 0, j = 0; rc == 0 && k < c->members_count; k++)
        for (size_t i = 0; rc == 0 && i < names[k].count; i++)
            rc = fn(ctx, j++, unique ? NULL : c->members[k]->name, names[k].v[i], e);
    names_free(c, names);
    return rc;
}

int container_profile_names_each(container *c, container_name_fn fn, void *ctx, mc_err *e)
{
    mc_array own;
    int found = c->kind == KIND_COLLECTION ? load_own_names(c, &own, e) : 1;
    if (found < 0) return -1;
    if (found == 0) return member_names_each(c, fn, ctx, e);
    if (c->kind == KIND_COLLECTION) container_array_free(&own);   /* its own names: as container_profile_names */
    strvec all;
    int rc = container_profile_names(c, &all, e);
    for (size_t i = 0; rc == 0 && i < all.count; i++) rc = fn(ctx, i, NULL, all.v[i], e);
    strvec_free(&all);
    return rc;
}

/* --- genes -------------------------------------------------------------------- */

int container_full_genes(container *c, int32_t **index, char full_uuid[MC_UUID_STRLEN], mc_err *e)
{
    *index = NULL;
    switch (c->kind) {
    case KIND_BATCH:
        memcpy(full_uuid, c->meta.genes_uuid, MC_UUID_STRLEN);
        return 0;
    case KIND_GROUPS: return container_full_genes(c->grouped, index, full_uuid, e);
    case KIND_COLLECTION:
        if (!c->members_count) {
            memcpy(full_uuid, c->meta.genes_uuid, MC_UUID_STRLEN);
            return 0;
        }
        return container_full_genes(c->members[0], index, full_uuid, e);
    case KIND_VIEW: break;
    }
    int32_t *base;
    if (container_full_genes(c->base, &base, full_uuid, e) < 0) return -1;
    if (!c->g_index) {
        *index = base;
        return 0;
    }
    int32_t *v = mc_alloc_array(c->genes_count, sizeof *v);
    if (!v) {
        free(base);
        return mc_err_oom(e, NULL);
    }
    for (size_t g = 0; g < c->genes_count; g++) v[g] = base ? base[c->g_index[g]] : c->g_index[g];
    free(base);
    *index = v;
    return 0;
}

/* --- uuids -------------------------------------------------------------------- */

static int file_uuid_if(const char *dir, const char *file, mc_uuid *u, int *present, mc_err *e)
{
    char *path = path_join(dir, file);
    int rc = 0;
    if (!path) return mc_err_oom(e, dir);
    *present = path_exists(path);
    if (*present) rc = uuid_of_file(path, u, e);
    free(path);
    return rc;
}

static int parse_uuid(const char *s, const char *dir, mc_uuid *u, mc_err *e)
{
    if (uuid_parse(s, u) < 0) return mc_err_fail(e, "%s/profiles.yaml: malformed uuid '%s'", dir, s);
    return 0;
}

int container_compute_uuid(const char *dir, const profiles_meta *m, char out[MC_UUID_STRLEN], mc_err *e)
{
    mc_uuid parts[3], u;
    size_t n = 0;
    int present;
    switch (m->kind) {
    case KIND_BATCH:
    case KIND_GROUPS:
        if (file_uuid_if(dir, "gp.umis.mmm", &u, &present, e) < 0) return -1;
        if (!present) return mc_err_fail(e, "%s: gp.umis.mmm is missing", dir);
        break;
    case KIND_VIEW:
        if (parse_uuid(m->base_uuid, dir, &parts[n++], e) < 0) return -1;
        if (file_uuid_if(dir, "p.base_index.npy", &parts[n], &present, e) < 0) return -1;
        n += present;
        if (file_uuid_if(dir, "g.base_index.npy", &parts[n], &present, e) < 0) return -1;
        n += present;
        if (n == 1) u = parts[0];
        else uuid_combine(parts, n, &u);
        break;
    case KIND_COLLECTION: {
        mc_uuid *us = mc_alloc_array(m->members_count, sizeof *us);
        if (!us) return mc_err_oom(e, NULL);
        for (size_t i = 0; i < m->members_count; i++)
            if (parse_uuid(m->members[i].uuid, dir, &us[i], e) < 0) {
                free(us);
                return -1;
            }
        uuid_combine(us, m->members_count, &u);
        free(us);
        break;
    }
    }
    uuid_format(&u, out);
    return 0;
}

int container_genes_uuid(const char *base_genes_uuid, const char *g_index_path, char out[MC_UUID_STRLEN], mc_err *e)
{
    mc_uuid parts[2], u;
    if (uuid_parse(base_genes_uuid, &parts[0]) < 0)
        return mc_err_fail(e, "%s: malformed genes uuid '%s'", g_index_path, base_genes_uuid);
    if (uuid_of_file(g_index_path, &parts[1], e) < 0) return -1;
    uuid_combine(parts, 2, &u);
    uuid_format(&u, out);
    return 0;
}
