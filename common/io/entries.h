/* entries: a sparse profile as a growable list of (gene, value), the one form every
 * reader gives and every writer takes (HDF5, Matrix Market, MMM, containers). */
#ifndef MC_ENTRIES_H
#define MC_ENTRIES_H

#include <stddef.h>
#include <stdint.h>

/* Below this many entries insertion sort beats the radix sort's counters. */
#define ENTRIES_SMALL_SORT 48

/* One non-zero of a profile. */
typedef struct mc_entry {
    uint32_t gene;
    uint64_t value;
} mc_entry;

/* A growable list of entries (a sparse profile). */
typedef struct mc_entries {
    mc_entry *v;
    size_t n, cap;
    mc_entry *tmp;           /* sorting scratch, kept for the next profile */
    size_t tmp_cap;
} mc_entries;

int entries_push(mc_entries *es, uint32_t gene, uint64_t value);
/* Room for N entries in all: 0, or -1 when out of memory. */
int entries_reserve(mc_entries *es, size_t n);
/* Sort by gene, sum duplicates, drop zeros: the canonical form of a profile.
 * 0, or -1 when out of memory for the sorting scratch. */
int entries_canonicalize(mc_entries *es);
/* Sort entries [from, n) by gene and sum those of one gene (saturating at
 * UINT64_MAX), keeping zeros: what a reader does to a profile holding more
 * entries than genes, so that duplicates cannot grow its memory.  0, or -1
 * when out of memory for the sorting scratch. */
int entries_fold(mc_entries *es, size_t from);
void entries_free(mc_entries *es);

#endif
