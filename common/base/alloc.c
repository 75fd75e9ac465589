/* alloc: overflow-checked sizes, never malloc(0), doubling growth. */
#include "alloc.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

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
