/* strmap: string -> index hash map (open addressing), for name lookups over
 * millions of barcodes or ~30,000 genes.  Keys are borrowed, not copied: they
 * must outlive the map. */
#ifndef MC_STRMAP_H
#define MC_STRMAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct strmap {
    const char **keys;
    size_t *values;
    size_t cap, n;   /* cap is a power of two, kept at most half full */
} strmap;

/* 0 or -1 (out of memory). */
int strmap_init(strmap *m, size_t expected);
void strmap_free(strmap *m);
/* Insert KEY -> VALUE unless present; returns 1 if inserted, 0 if present
 * (then *old is its value when old is not NULL), -1 if out of memory. */
int strmap_put(strmap *m, const char *key, size_t value, size_t *old);
/* 1 and *value if present, else 0. */
int strmap_get(const strmap *m, const char *key, size_t *value);
/* Whether two of the N strings KEYS (N < 2^32 - 1) are equal: 1, with *repeat
 * the first index whose string came before and *first where; 0 when all
 * differ; -1 when out of memory.  A set of its own shape: a slot is one 64-bit
 * word, the high half of the string's hash over its index + 1, so a probe
 * compares strings only when the hashes agree, in a quarter of a strmap's
 * memory (each page of it a fault to fill). */
int strmap_first_repeat(const char *const *keys, size_t n, size_t *repeat, size_t *first);

#endif
