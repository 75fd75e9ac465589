/* unit: the checks of the C unit tests (tests/unit/NAME.c, run by tests/unit.bats).
 *
 * Each program declares `unit u = {0};`, checks exact values with the macros
 * below (each names the failing expression, its file and line, and both
 * values) and ends with `return unit_done(&u, "NAME");`: one line
 * "NAME: N checks ok" and status 0, or the failures and status 1. */
#ifndef MC_UNIT_H
#define MC_UNIT_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct unit {
    long checks, failed;
} unit;

static inline int unit_check(unit *u, int ok, const char *file, int line, const char *what)
{
    u->checks++;
    if (!ok) {
        u->failed++;
        printf("%s:%d: check failed: %s\n", file, line, what);
    }
    return ok;
}

#define CHECK(cond) unit_check(u, (cond) != 0, __FILE__, __LINE__, #cond)

/* Integers (as long long, unsigned as unsigned long long) and strings, both values shown on failure. */
#define CHECK_INT(a, b)                                                                                  \
    do {                                                                                                 \
        long long a_ = (long long)(a), b_ = (long long)(b);                                              \
        if (!unit_check(u, a_ == b_, __FILE__, __LINE__, #a " == " #b)) printf("  %lld != %lld\n", a_, b_); \
    } while (0)
#define CHECK_UINT(a, b)                                                                                 \
    do {                                                                                                 \
        unsigned long long a_ = (unsigned long long)(a), b_ = (unsigned long long)(b);                   \
        if (!unit_check(u, a_ == b_, __FILE__, __LINE__, #a " == " #b)) printf("  %llu != %llu\n", a_, b_); \
    } while (0)
#define CHECK_STR(a, b)                                                                                   \
    do {                                                                                                  \
        const char *a_ = (a), *b_ = (b);                                                                  \
        if (!unit_check(u, a_ && b_ && !strcmp(a_, b_), __FILE__, __LINE__, #a " == " #b))                \
            printf("  '%s' != '%s'\n", a_ ? a_ : "(null)", b_ ? b_ : "(null)");                           \
    } while (0)
/* N bytes at A equal the M bytes of B (a string literal may hold NULs: pass sizeof - 1). */
#define CHECK_MEM(a, n, b, m) unit_check_mem(u, (const void *)(a), (n), (const void *)(b), (m), __FILE__, __LINE__, #a)

static inline void unit_check_mem(unit *u, const void *a, size_t n, const void *b, size_t m, const char *file,
                                  int line, const char *what)
{
    if (unit_check(u, n == m && (!n || !memcmp(a, b, n)), file, line, what)) return;
    size_t i = 0;
    while (i < n && i < m && ((const unsigned char *)a)[i] == ((const unsigned char *)b)[i]) i++;
    printf("  %zu bytes, expected %zu; first difference at byte %zu\n", n, m, i);
}

/* The whole of file PATH, malloc'd, its size in *n; NULL if unreadable. */
static inline char *unit_slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16;
    char *b = malloc(cap);
    *n = b ? fread(b, 1, cap, f) : 0;
    fclose(f);
    return b;
}

/* Write N bytes B to PATH; 0 or -1. */
static inline int unit_spill(const char *path, const void *b, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    int rc = fwrite(b, 1, n, f) == n ? 0 : -1;
    return fclose(f) == 0 ? rc : -1;
}

static inline int unit_done(const unit *u, const char *name)
{
    if (u->failed) {
        printf("%s: %ld of %ld checks failed\n", name, u->failed, u->checks);
        return 1;
    }
    printf("%s: %ld checks ok\n", name, u->checks);
    return 0;
}

#endif
