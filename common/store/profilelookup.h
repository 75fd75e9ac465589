/* profilelookup: a container's profiles found by name, for the tools that
 * name profiles in text (mc-make-view, mc-group, mc-write-data).
 *
 * A profile is named by the name container_profile_names gives ("A:AAAC-1"
 * inside a collection), or by its bare barcode ("AAAC-1") when only one
 * profile has it.  Names are looked up in hash maps built once: O(profiles). */
#ifndef MC_PROFILELOOKUP_H
#define MC_PROFILELOOKUP_H

#include <stdint.h>
#include "container.h"
#include "strmap.h"

/* Profile names of a container, for lookup. */
typedef struct profile_lookup {
    strvec names;            /* container_profile_names */
    mc_array barcodes;          /* p.barcode when visible and different from the names */
    strmap by_name, by_barcode;
    uint8_t *ambiguous;         /* per profile: bit 1 its name, bit 2 its barcode is shared */
    /* Opened for some names only (profilelookup_open_for): by_name maps each of
     * them to its place j, and the profiles found are name_at[j] / barcode_at[j]. */
    int for_asked;
    size_t *name_at, *barcode_at;   /* NOT_FOUND, AMBIGUOUS or the profile's index */
} profile_lookup;

int profilelookup_open(container *c, profile_lookup *l, mc_err *e);
/* The lookup of only the N names ASKED (they must outlive it): the
 * container's names and barcodes are read once and each looked up among them,
 * so only the asked names are hashed into a map: O(profiles) reading, O(N)
 * hashing and memory, for a view of a few of many profiles.  profilelookup_find
 * then answers for those names only (any other: -1). */
int profilelookup_open_for(container *c, char *const *asked, size_t n, profile_lookup *l, mc_err *e);
/* Index of the profile called NAME; -1 if none, -2 if several. */
long profilelookup_find(const profile_lookup *l, const char *name);
void profilelookup_close(profile_lookup *l);

#endif
