/* alloc.c's unit test: overflow checks, never NULL for zero elements, doubling growth. */
#include "alloc.h"
#include "unit.h"

#include <errno.h>
#include <stdint.h>

static void size_mul(unit *u)
{
    size_t out = 7;
    CHECK_INT(mc_alloc_size_mul(3, 4, &out), 0);
    CHECK_UINT(out, 12);
    CHECK_INT(mc_alloc_size_mul(0, SIZE_MAX, &out), 0);
    CHECK_UINT(out, 0);
    CHECK_INT(mc_alloc_size_mul(SIZE_MAX, 1, &out), 0);
    CHECK_UINT(out, SIZE_MAX);
    errno = 0;
    CHECK_INT(mc_alloc_size_mul(SIZE_MAX / 2 + 1, 2, &out), -1);
    CHECK_UINT(out, SIZE_MAX);   /* untouched */
    CHECK_INT(errno, ENOMEM);    /* read as out of memory by mc_err_errno */
    CHECK_INT(mc_alloc_size_mul((size_t)1 << 32, (size_t)1 << 32, &out), -1);
    CHECK_INT(mc_alloc_size_mul(SIZE_MAX / 3, 3, &out), 0);
    CHECK_UINT(out, SIZE_MAX / 3 * 3);
}

static void arrays(unit *u)
{
    char *a = mc_alloc_array(0, 8), *b = mc_alloc_array(5, 0);
    CHECK(a && b && a != b);   /* zero elements: a unique pointer, not NULL */
    free(a);
    free(b);
    CHECK(!mc_alloc_array(SIZE_MAX, 2));
    CHECK(!mc_alloc_zeroed(2, SIZE_MAX / 2 + 1));
    int *z = mc_alloc_zeroed(100, sizeof *z);
    long sum = 0;
    for (int i = 0; z && i < 100; i++) sum += z[i] != 0;
    CHECK(z && sum == 0);
    for (int i = 0; z && i < 100; i++) z[i] = i;
    CHECK(!mc_alloc_resize(z, SIZE_MAX / 2, sizeof *z));   /* refused: z as it was */
    CHECK_INT(z ? z[99] : -1, 99);
    int *z2 = mc_alloc_resize(z, 1000, sizeof *z);
    CHECK(z2 != NULL);
    if (z2) z = z2;
    CHECK_INT(z[0] + z[42], 42);
    free(z);
}

static void grow(unit *u)
{
    long *v = NULL;
    size_t alloc = 0;
    CHECK_INT(MC_GROW(v, 0, alloc), 0);   /* nothing needed: nothing allocated */
    CHECK(v == NULL);
    CHECK_UINT(alloc, 0);
    CHECK_INT(MC_GROW(v, 1, alloc), 0);
    CHECK_UINT(alloc, 16);
    for (int i = 0; i < 16; i++) v[i] = i * 3;
    long *before = v;
    CHECK_INT(MC_GROW(v, 16, alloc), 0);
    CHECK(v == before);
    CHECK_UINT(alloc, 16);
    CHECK_INT(MC_GROW(v, 17, alloc), 0);
    CHECK_UINT(alloc, 32);
    CHECK_INT(v[15], 45);
    CHECK_INT(MC_GROW(v, 100, alloc), 0);
    CHECK_UINT(alloc, 128);
    CHECK_INT(v[1] + v[15], 48);
    before = v;
    CHECK_INT(MC_GROW(v, SIZE_MAX / 4, alloc), -1);   /* bytes overflow: v and alloc unchanged */
    CHECK(v == before);
    CHECK_UINT(alloc, 128);
    CHECK_INT(MC_GROW(v, SIZE_MAX, alloc), -1);   /* the doubling itself overflows */
    CHECK_UINT(alloc, 128);
    free(v);

    char *c = NULL;
    size_t cap = 5;   /* a count not a power of two doubles from itself */
    c = malloc(5);
    CHECK_INT(MC_GROW(c, 6, cap), 0);
    CHECK_UINT(cap, 10);
    free(c);
}

/* Zeroed as mc_alloc_zeroed (huge pages are only advice), and the same overflow refused. */
static void huge(unit *u)
{
    size_t n = 3 * MC_HUGE_PAGE / 8 + 5;   /* past two whole huge pages wherever it starts */
    uint64_t *p = mc_alloc_zeroed_huge(n, sizeof *p);
    CHECK(p != NULL);
    long nonzero = 0;
    for (size_t i = 0; p && i < n; i++) nonzero += p[i] != 0;
    CHECK_INT(nonzero, 0);
    free(p);
    CHECK(mc_alloc_zeroed_huge(SIZE_MAX / 2, 4) == NULL);
    mc_alloc_advise_huge(&n, sizeof n);   /* less than a huge page: nothing advised, nothing broken */
}

int main(void)
{
    unit t = {0}, *u = &t;
    size_mul(u);
    arrays(u);
    grow(u);
    huge(u);
    return unit_done(u, "alloc");
}
