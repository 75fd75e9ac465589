/* alloc: checked allocation, the one way the library asks for memory by count.
 *
 * Every size that is a count times an element size is multiplied with an
 * overflow check; an allocation of zero elements still returns a unique
 * pointer (one byte), so NULL always means failure; arrays grow by doubling
 * through MC_GROW.  A failure is reported by the caller with mc_err_oom() (err.h),
 * the one out-of-memory message, and carried up like any other error. */
#ifndef MC_ALLOC_H
#define MC_ALLOC_H

#include <stddef.h>

/* *out = a * b; -1 (and *out untouched) when that overflows size_t. */
int mc_alloc_size_mul(size_t a, size_t b, size_t *out);

/* malloc / calloc / realloc of N elements of SIZE bytes; NULL on overflow or
 * failure (realloc then leaves P as it was). */
void *mc_alloc_array(size_t n, size_t size);
void *mc_alloc_zeroed(size_t n, size_t size);
void *mc_alloc_resize(void *p, size_t n, size_t size);

/* Fresh memory costs a fault a page first touched (~12 us a 4 KB page on this VM, ~30x the copying of
 * its bytes): a large buffer about to be filled asks for huge pages, a fault each 2 MB (advice: the
 * kernel may refuse it, and the whole 2 MB pages inside [P, P + N) only are advised). */
#define MC_HUGE_PAGE ((size_t)2 << 20)
void mc_alloc_advise_huge(void *p, size_t n);
/* mc_alloc_zeroed, huge pages advised when large.  Free with free(). */
void *mc_alloc_zeroed_huge(size_t n, size_t size);

/* Make room for NEED elements in *V (*ALLOC of them allocated), doubling;
 * 0, or -1 with *V and *ALLOC unchanged.  Use MC_GROW. */
int mc_alloc_grow(void **v, size_t *alloc, size_t need, size_t size);
#define MC_GROW(v, need, alloc) mc_alloc_grow((void **)&(v), &(alloc), (need), sizeof *(v))

#endif
