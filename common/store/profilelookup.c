/* profilelookup: a container's profiles found by name or barcode. */
#include "profilelookup.h"
#include "alloc.h"

#include <stdint.h>
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

#define NOT_FOUND SIZE_MAX
#define AMBIGUOUS (SIZE_MAX - 1)

/* Record in AT[j] profile I for each asked name J among the lines of T. */
static void find_asked(const strmap *asked, const strvec *t, size_t *at)
{
    size_t j;
    for (size_t i = 0; i < t->count; i++)
        if (strmap_get(asked, t->v[i], &j)) at[j] = at[j] == NOT_FOUND ? i : AMBIGUOUS;
}

/* Whether every asked name is a profile's name: then no barcode is looked at. */
static int all_named(const profile_lookup *l, size_t n)
{
    for (size_t j = 0; j < n; j++)
        if (l->name_at[j] == NOT_FOUND) return 0;
    return 1;
}

int profilelookup_open_for(container *c, char *const *asked, size_t n, profile_lookup *l, mc_err *e)
{
    memset(l, 0, sizeof *l);
    l->for_asked = 1;
    l->name_at = mc_alloc_array(n ? n : 1, sizeof *l->name_at);
    l->barcode_at = mc_alloc_array(n ? n : 1, sizeof *l->barcode_at);
    int rc = l->name_at && l->barcode_at && strmap_init(&l->by_name, n) == 0 ? 0 : -1;
    for (size_t j = 0; rc == 0 && j < n; j++) {
        l->name_at[j] = l->barcode_at[j] = NOT_FOUND;
        if (strmap_put(&l->by_name, asked[j], j, NULL) < 0) rc = -1;
    }
    if (rc < 0) {
        profilelookup_close(l);
        return mc_err_oom(e, c->path);
    }
    if (container_profile_names(c, &l->names, e) < 0) {
        profilelookup_close(l);
        return -1;
    }
    find_asked(&l->by_name, &l->names, l->name_at);
    /* The barcodes answer only for names that are no profile's name: read them only then. */
    int has = all_named(l, n) ? 0 : container_array(c, 'p', "barcode", &l->barcodes, e);
    if (has < 0) {
        profilelookup_close(l);
        return -1;
    }
    if (has && !barcodes_differ(l)) container_array_free(&l->barcodes);
    if (l->barcodes.is_text) find_asked(&l->by_name, &l->barcodes.text, l->barcode_at);
    strvec_free(&l->names);   /* the answers are in name_at, barcode_at */
    container_array_free(&l->barcodes);
    return 0;
}

/* What AT says of an asked name: its profile, -2 if several, or -1 if none. */
static long asked_answer(size_t at)
{
    return at == NOT_FOUND ? -1 : at == AMBIGUOUS ? -2 : (long)at;
}

long profilelookup_find(const profile_lookup *l, const char *name)
{
    size_t i;
    if (l->for_asked) {
        if (!strmap_get(&l->by_name, name, &i)) return -1;
        return l->name_at[i] != NOT_FOUND ? asked_answer(l->name_at[i]) : asked_answer(l->barcode_at[i]);
    }
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
    free(l->name_at);
    free(l->barcode_at);
    memset(l, 0, sizeof *l);
}
