/* entries: sparse profiles as growable lists of (gene, value), and their canonical form. */
#include "entries.h"
#include "alloc.h"

#include <stdlib.h>
#include <string.h>

int entries_reserve(mc_entries *es, size_t n)
{
    if (n <= es->cap) return 0;
    size_t cap = es->cap ? es->cap : 256;
    while (cap < n) {
        if (cap > SIZE_MAX / 2 / sizeof *es->v) return -1;
        cap *= 2;
    }
    mc_entry *v = mc_alloc_resize(es->v, cap, sizeof *v);
    if (!v) return -1;
    es->v = v;
    es->cap = cap;
    return 0;
}

int entries_push(mc_entries *es, uint32_t gene, uint64_t value)
{
    if (es->n == es->cap && entries_reserve(es, es->n + 1) < 0) return -1;
    es->v[es->n++] = (mc_entry){gene, value};
    return 0;
}

static void insertion_sort(mc_entry *v, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        mc_entry x = v[i];
        size_t j = i;
        for (; j > 0 && v[j - 1].gene > x.gene; j--) v[j] = v[j - 1];
        v[j] = x;
    }
}

/* A stable LSD radix sort on the gene, a byte a pass, skipping the bytes all
 * genes share (so ~30,000 genes take two passes); tmp holds n entries.  qsort
 * was half of mc-write-matrix's time, its profiles arriving in STD gene order. */
static void radix_sort(mc_entry *v, size_t n, mc_entry *tmp)
{
    size_t count[4][256] = {{0}};
    uint32_t any = 0;
    int digits = 1;
    for (size_t i = 0; i < n; i++) any |= v[i].gene;
    while (digits < 4 && any >> 8 * digits) digits++;   /* the bytes above are all zero */
    for (size_t i = 0; i < n; i++)
        for (int d = 0; d < digits; d++) count[d][v[i].gene >> 8 * d & 255]++;
    mc_entry *from = v, *to = tmp;
    for (int d = 0; d < digits; d++) {
        size_t *c = count[d], sum = 0;
        if (c[v[0].gene >> 8 * d & 255] == n) continue;   /* every gene has this byte: nothing moves */
        for (int b = 0; b < 256; b++) {
            size_t k = c[b];
            c[b] = sum;
            sum += k;
        }
        for (size_t i = 0; i < n; i++) to[c[from[i].gene >> 8 * d & 255]++] = from[i];
        mc_entry *t = from;
        from = to;
        to = t;
    }
    if (from != v) memcpy(v, from, n * sizeof *v);
}

static int sort_by_gene(mc_entries *es)
{
    if (es->n < ENTRIES_SMALL_SORT) {
        insertion_sort(es->v, es->n);
        return 0;
    }
    if (es->tmp_cap < es->n) {
        mc_entry *t = mc_alloc_resize(es->tmp, es->cap, sizeof *t);
        if (!t) return -1;
        es->tmp = t;
        es->tmp_cap = es->cap;
    }
    radix_sort(es->v, es->n, es->tmp);
    return 0;
}

int entries_canonicalize(mc_entries *es)
{
    int sorted = 1;
    for (size_t i = 1; i < es->n && sorted; i++) sorted = es->v[i - 1].gene <= es->v[i].gene;
    if (!sorted && sort_by_gene(es) < 0) return -1;
    size_t k = 0;
    for (size_t i = 0; i < es->n; i++) {
        if (k && es->v[k - 1].gene == es->v[i].gene) es->v[k - 1].value += es->v[i].value;
        else es->v[k++] = es->v[i];
    }
    es->n = k;
    k = 0;
    for (size_t i = 0; i < es->n; i++)
        if (es->v[i].value) es->v[k++] = es->v[i];
    es->n = k;
    return 0;
}

int entries_fold(mc_entries *es, size_t from)
{
    mc_entries part = {.v = es->v + from, .n = es->n - from, .cap = es->n - from, .tmp = es->tmp,
                       .tmp_cap = es->tmp_cap};
    int rc = sort_by_gene(&part);
    es->tmp = part.tmp, es->tmp_cap = part.tmp_cap;
    if (rc < 0) return -1;
    size_t k = 0;
    for (size_t i = 0; i < part.n; i++) {
        mc_entry *last = k ? &part.v[k - 1] : NULL;
        if (last && last->gene == part.v[i].gene)   /* saturating: a later plausibility check refuses it */
            last->value = last->value > UINT64_MAX - part.v[i].value ? UINT64_MAX : last->value + part.v[i].value;
        else
            part.v[k++] = part.v[i];
    }
    es->n = from + k;
    return 0;
}

void entries_free(mc_entries *es)
{
    free(es->v);
    free(es->tmp);
    memset(es, 0, sizeof *es);
}
