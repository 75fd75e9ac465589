/* lanerule: lane and batch columns derived by format.yaml's rules. */
#include "lanerule.h"

#include <stdlib.h>
#include <string.h>

#include "hca.h"

/* Split V at SEP: the last SEP for a suffix, the first for a prefix.  *part is
 * the derived text, *rest the remainder (both point into V, not terminated).
 * The HCA rule splits by hca.h: from the barcode its lane, from the lane its batch. */
static int split(const char *v, const lane_rule *d, const char **part, size_t *plen, const char **rest, size_t *rlen)
{
    size_t n = strlen(v);
    if (d->hca) {
        size_t l = strcmp(d->from, "barcode") ? hca_batch_len(v, n) : hca_lane_len(v), cut = l < n;
        *part = v, *plen = l;
        *rest = v + l + cut, *rlen = n - l - cut;
        return 0;
    }
    size_t k = strlen(d->sep);
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

/* Add column NAME derived from column SRC by D (a copy when D has no separator);
 * when STRIP, replace SRC by what remains. */
static int derive_column(std_table *t, const char *name, long src, const lane_rule *d, int strip, mc_err *e)
{
    size_t col = t->ncolumns, rest_col = col + 1;
    if (table_add_column(t, name, FIELD_STR) < 0) return mc_err_oom(e, t->path);
    if (strip && table_add_column(t, "rest", FIELD_STR) < 0) return mc_err_oom(e, t->path);
    for (size_t i = 0; i < t->count; i++) {
        const char *v = table_value(t, (size_t)src, i), *part = v, *rest = v;
        size_t plen = strlen(v), rlen = plen;
        if ((d->sep || d->hca) && split(v, d, &part, &plen, &rest, &rlen) < 0 && strip)   /* else the whole value */
            return mc_err_fail(e, "%s:%llu: %s '%s' has no '%s' to take the %s from", t->path,
                           (unsigned long long)t->line[i], t->columns[src].name, v, d->sep, name);
        if (!plen) return mc_err_fail(e, "%s:%llu: empty %s in %s '%s'", t->path, (unsigned long long)t->line[i], name,
                                  t->columns[src].name, v);
        if (table_put(t, col, i, part, plen) < 0 || (strip && table_put(t, rest_col, i, rest, rlen) < 0))
            return mc_err_oom(e, t->path);
    }
    if (strip) {
        table_swap_values(t, (size_t)src, rest_col);
        table_drop_last_column(t);
    }
    return 0;
}

/* Whether every barcode of T has the HCA form (hca.h). */
static int all_hca(const std_table *t)
{
    long b = table_column_index(t, "barcode");
    for (size_t i = 0; i < t->count; i++)
        if (!hca_is_barcode(table_value(t, (size_t)b, i))) return 0;
    return t->count > 0;
}

int lanerule_apply(std_table *t, const lane_rule *lane_in, const lane_rule *batch_in, mc_err *e)
{
    lane_rule copy = {0}, hca_lane = {.given = 1, .from = "barcode", .hca = 1},
              hca_batch = {.given = 1, .from = "lane", .hca = 1};
    const lane_rule *lane = lane_in->hca ? (all_hca(t) ? &hca_lane : &copy) : lane_in,
                    *batch = lane_in->hca && lane->given && !batch_in->given ? &hca_batch : batch_in;
    if (table_column_index(t, "lane") < 0) {
        if (lane->given) {
            long src = table_column_index(t, lane->from);
            int strip = (lane->sep || lane->hca) && !strcmp(lane->from, "barcode");
            /* The barcode loses its lane: "name" keeps it whole, the profile's name (SPEC 7). */
            if (strip && table_column_index(t, "name") < 0 && derive_column(t, "name", src, &copy, 0, e) < 0)
                return -1;
            if (derive_column(t, "lane", src, lane, strip, e) < 0) return -1;
        } else {
            size_t col = t->ncolumns;
            if (table_add_column(t, "lane", FIELD_STR) < 0) return mc_err_oom(e, t->path);
            for (size_t i = 0; i < t->count; i++)
                if (table_put(t, col, i, "all", 3) < 0) return mc_err_oom(e, t->path);
        }
    }
    if (table_column_index(t, "batch") < 0) {
        const lane_rule *d = batch->given ? batch : &copy;
        long src = table_column_index(t, batch->given ? batch->from : "lane");
        if (derive_column(t, "batch", src, d, 0, e) < 0) return -1;
    }
    return 0;
}

