/* alloc: overflow-checked sizes, never malloc(0), doubling growth. */
#include "alloc.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

/* An overflowing size is out of memory (errno ENOMEM, as malloc's own failure), so that
 * mc_err_errno names it the same way. */
int mc_alloc_size_mul(size_t a, size_t b, size_t *out)
{
    if (b && a > SIZE_MAX / b) {
        errno = ENOMEM;
        return -1;
    }
    *out = a * b;
    return 0;
}

/* n * size bytes, at least one: malloc(0) may return NULL, which would read as a failure. */
static int array_bytes(size_t n, size_t size, size_t *bytes)
{
    if (mc_alloc_size_mul(n, size, bytes) < 0) return -1;
    if (!*bytes) *bytes = 1;
    return 0;
}

void *mc_alloc_array(size_t n, size_t size)
{
    size_t bytes;
    return array_bytes(n, size, &bytes) < 0 ? NULL : malloc(bytes);
}

void *mc_alloc_zeroed(size_t n, size_t size)
{
    size_t bytes;
    return array_bytes(n, size, &bytes) < 0 ? NULL : calloc(1, bytes);
}

void *mc_alloc_resize(void *p, size_t n, size_t size)
{
    size_t bytes;
    return array_bytes(n, size, &bytes) < 0 ? NULL : realloc(p, bytes);
}

int mc_alloc_grow(void **v, size_t *alloc, size_t need, size_t size)
{
    if (need <= *alloc) return 0;
    size_t cap = *alloc ? *alloc : 16;
    while (cap < need)
        if (mc_alloc_size_mul(cap, 2, &cap) < 0) return -1;
    void *p = mc_alloc_resize(*v, cap, size);
    if (!p) return -1;
    *v = p;
    *alloc = cap;
    return 0;
}

void mc_alloc_advise_huge(void *p, size_t n)
{
    uintptr_t from = ((uintptr_t)p + MC_HUGE_PAGE - 1) & ~(uintptr_t)(MC_HUGE_PAGE - 1), to = (uintptr_t)p + n;
    if (to >= from + MC_HUGE_PAGE) madvise((void *)from, (to - from) & ~(uintptr_t)(MC_HUGE_PAGE - 1), MADV_HUGEPAGE);
}

void *mc_alloc_zeroed_huge(size_t n, size_t size)
{
    void *p = mc_alloc_zeroed(n, size);
    if (p) mc_alloc_advise_huge(p, n * size);   /* n * size did not overflow: it was allocated */
    return p;
}
