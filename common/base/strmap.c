/* strmap: open-addressing hash map from borrowed strings to indices. */
#include "strmap.h"
#include "alloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t hash(const char *s)   /* FNV-1a */
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

int strmap_first_repeat(const char *const *keys, size_t n, size_t *repeat, size_t *first)
{
    size_t cap = 16;
    while (cap < 2 * n) cap *= 2;
    uint64_t *slot = mc_alloc_zeroed_huge(cap, sizeof *slot);
    if (!slot) return -1;
    int found = 0;
    for (size_t j = 0; !found && j < n; j++) {
        uint64_t h = hash(keys[j]), tag = h >> 32 << 32;
        size_t at = (size_t)h & (cap - 1);
        for (; slot[at] && !found; at = (at + 1) & (cap - 1)) {
            size_t i = (size_t)(slot[at] & UINT32_MAX) - 1;
            found = (slot[at] & ~(uint64_t)UINT32_MAX) == tag && !strcmp(keys[i], keys[j]);
            if (found) *repeat = j, *first = i;
        }
        if (!found) slot[at] = tag | (j + 1);
    }
    free(slot);
    return found;
}

int strmap_init(strmap *m, size_t expected)
{
    memset(m, 0, sizeof *m);
    m->cap = 16;
    while (m->cap < 2 * expected) m->cap *= 2;
    m->keys = mc_alloc_zeroed_huge(m->cap, sizeof *m->keys);
    m->values = mc_alloc_zeroed_huge(m->cap, sizeof *m->values);
    if (!m->keys || !m->values) {
        strmap_free(m);
        return -1;
    }
    return 0;
}

void strmap_free(strmap *m)
{
    free(m->keys);
    free(m->values);
    memset(m, 0, sizeof *m);
}

static size_t slot(const strmap *m, const char *key)
{
    size_t i = (size_t)hash(key) & (m->cap - 1);
    while (m->keys[i] && strcmp(m->keys[i], key)) i = (i + 1) & (m->cap - 1);
    return i;
}

static int grow(strmap *m)
{
    strmap bigger;
    if (strmap_init(&bigger, m->cap) < 0) return -1;
    for (size_t i = 0; i < m->cap; i++)
        if (m->keys[i]) {
            size_t j = slot(&bigger, m->keys[i]);
            bigger.keys[j] = m->keys[i];
            bigger.values[j] = m->values[i];
        }
    bigger.n = m->n;
    strmap_free(m);
    *m = bigger;
    return 0;
}

int strmap_put(strmap *m, const char *key, size_t value, size_t *old)
{
    size_t i = slot(m, key);
    if (m->keys[i]) {
        if (old) *old = m->values[i];
        return 0;
    }
    if (2 * (m->n + 1) > m->cap) {
        if (grow(m) < 0) return -1;
        i = slot(m, key);
    }
    m->keys[i] = key;
    m->values[i] = value;
    m->n++;
    return 1;
}

int strmap_get(const strmap *m, const char *key, size_t *value)
{
    if (!m->cap) return 0;
    size_t i = slot(m, key);
    if (!m->keys[i]) return 0;
    *value = m->values[i];
    return 1;
}
