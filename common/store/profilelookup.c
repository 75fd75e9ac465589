/* profilelookup: a container's profiles found by name or barcode. */
#include "profilelookup.h"
#include "alloc.h"

#include <stdlib.h>
#include <string.h>

/* Map every line of T to its index; a line seen twice marks both with BIT. */
static int map_lines(const strvec *t, strmap *m, uint8_t *ambiguous, uint8_t bit)
{
    if (strmap_init(m, t->count) < 0) return -1;
    for (size_t i = 0; i < t->count; i++) {
        size_t first;
        int put = strmap_put(m, t->v[i], i, &first);
        if (put < 0) return -1;
        if (put == 0) ambiguous[first] |= bit;
    }
    return 0;
}

/* Are the barcodes something other than the names (a collection prefixes them)? */
static int barcodes_differ(const profile_lookup *l)
{
    if (!l->barcodes.is_text) return 0;
    for (size_t i = 0; i < l->names.count; i++)
        if (strcmp(l->names.v[i], l->barcodes.text.v[i])) return 1;
    return 0;
}

int profilelookup_open(container *c, profile_lookup *l, mc_err *e)
{
    memset(l, 0, sizeof *l);
    if (container_profile_names(c, &l->names, e) < 0) return -1;
    int has = container_array(c, 'p', "barcode", &l->barcodes, e);
    if (has < 0) {
        profilelookup_close(l);
        return -1;
    }
    if (has && !barcodes_differ(l)) container_array_free(&l->barcodes);
    l->ambiguous = mc_alloc_zeroed(l->names.count, 1);
    if (!l->ambiguous || map_lines(&l->names, &l->by_name, l->ambiguous, 1) < 0 ||
        (l->barcodes.is_text && map_lines(&l->barcodes.text, &l->by_barcode, l->ambiguous, 2) < 0)) {
        profilelookup_close(l);
        return mc_err_oom(e, c->path);
    }
    return 0;
}

long profilelookup_find(const profile_lookup *l, const char *name)
{
    size_t i;
    if (strmap_get(&l->by_name, name, &i)) return l->ambiguous[i] & 1 ? -2 : (long)i;
    if (l->barcodes.is_text && strmap_get(&l->by_barcode, name, &i)) return l->ambiguous[i] & 2 ? -2 : (long)i;
    return -1;
}

void profilelookup_close(profile_lookup *l)
{
    strmap_free(&l->by_name);
    strmap_free(&l->by_barcode);
    strvec_free(&l->names);
    container_array_free(&l->barcodes);
    free(l->ambiguous);
    memset(l, 0, sizeof *l);
}
