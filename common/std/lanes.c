/* lanes: the profiles of a table grouped by lane. */
#include "lanes.h"

#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "strmap.h"

void lanes_free(lanes *l)
{
    for (size_t i = 0; i < l->n; i++) free(l->dir[i]);
    free(l->dir);
    free(l->first);
    free(l->count);
    free(l->lane_of);
    free(l->index_in_lane);
    free(l->rows);
    free(l->start);
    memset(l, 0, sizeof *l);
}

/* "/" anywhere and "." at the start cannot be a directory name. */
static char *safe_name(const char *lane)
{
    char *s = strdup(*lane ? lane : "_");
    if (!s) return NULL;
    for (char *p = s; *p; p++)
        if (*p == '/') *p = '_';
    if (s[0] == '.') s[0] = '_';
    return s;
}

static int grow(lanes *l)
{
    if (l->n < l->cap) return 0;
    size_t cap = l->cap ? 2 * l->cap : 16;
    char **d = mc_alloc_resize(l->dir, cap, sizeof *d);
    if (d) l->dir = d;
    size_t *f = d ? mc_alloc_resize(l->first, cap, sizeof *f) : NULL;
    if (f) l->first = f;
    size_t *c = f ? mc_alloc_resize(l->count, cap, sizeof *c) : NULL;
    if (!c) return -1;
    l->count = c;
    l->cap = cap;
    return 0;
}

/* Lane NAME, new at profile I (column LC of T): its directory must be its own. */
static int add_lane(lanes *l, strmap *by_dir, const std_table *t, size_t lc, size_t i, mc_err *e)
{
    const char *name = table_value(t, lc, i);
    size_t id = l->n, other;
    if (grow(l) < 0 || !(l->dir[id] = safe_name(name))) return mc_err_oom(e, t->path);
    l->first[id] = i;
    l->count[id] = 0;
    l->n++;
    int fresh = strmap_put(by_dir, l->dir[id], id, &other);
    if (fresh < 0) return mc_err_oom(e, t->path);
    if (!fresh && t->line)
        return mc_err_fail(e, "%s:%llu: lanes '%s' and '%s' would both be the directory '%s'", t->path,
                       (unsigned long long)t->line[i], table_value(t, lc, l->first[other]), name, l->dir[id]);
    if (!fresh)
        return mc_err_fail(e, "%s: profile %zu: lanes '%s' and '%s' would both be the directory '%s'", t->path, i + 1,
                       table_value(t, lc, l->first[other]), name, l->dir[id]);
    return 0;
}

/* Each profile's lane and index in it, and the profiles grouped by lane. */
static int assign(lanes *l, const std_table *t, size_t lc, strmap *by_name, strmap *by_dir, mc_err *e)
{
    if (!(l->lane_of = mc_alloc_array(t->count, sizeof *l->lane_of)) ||
        !(l->index_in_lane = mc_alloc_array(t->count, sizeof *l->index_in_lane)) ||
        !(l->rows = mc_alloc_array(t->count, sizeof *l->rows)))
        return mc_err_oom(e, t->path);
    for (size_t i = 0; i < t->count; i++) {
        const char *name = table_value(t, lc, i);
        size_t id;
        int put = strmap_put(by_name, name, l->n, &id);
        if (put < 0) return mc_err_oom(e, t->path);
        if (put) {
            if (add_lane(l, by_dir, t, lc, i, e) < 0) return -1;
            id = l->n - 1;
        }
        if (l->count[id] == UINT32_MAX)
            return mc_err_fail(e, "%s: lane '%s' has more than %u profiles", t->path, name, UINT32_MAX);
        l->lane_of[i] = (uint32_t)id;
        l->index_in_lane[i] = (uint32_t)l->count[id]++;
    }
    if (!(l->start = mc_alloc_zeroed(l->n + 1, sizeof *l->start))) return mc_err_oom(e, t->path);
    for (size_t k = 0; k < l->n; k++) l->start[k + 1] = l->start[k] + l->count[k];
    for (size_t i = 0; i < t->count; i++) l->rows[l->start[l->lane_of[i]] + l->index_in_lane[i]] = i;
    return 0;
}

int lanes_find(const std_table *t, lanes *l, mc_err *e)
{
    strmap by_name, by_dir;
    memset(l, 0, sizeof *l);
    int by_name_rc = strmap_init(&by_name, 64), by_dir_rc = strmap_init(&by_dir, 64);   /* both, so both free */
    int rc = by_name_rc < 0 || by_dir_rc < 0
                 ? mc_err_oom(e, NULL)
                 : assign(l, t, (size_t)table_column_index(t, "lane"), &by_name, &by_dir, e);
    strmap_free(&by_name);
    strmap_free(&by_dir);
    return rc;
}

