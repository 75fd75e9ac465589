/* strvec: a vector of strings, the one string-list type of the library (in
 * the spirit of git's strvec).
 *
 * v[0 .. count) are NUL-terminated strings.  They are owned one way or the
 * other: either each is its own allocation (pushed), or, when buf is set,
 * they all point into buf (a .txt file read by txt_read, an HDF5 string
 * dataset), which the vector owns; pushing onto such a vector first copies
 * every string out of buf.
 *
 * Lifecycle (err.h): a zeroed strvec (STRVEC_INIT) is valid and empty;
 * strvec_free is safe on it, on a half-filled one after a failure (v may be
 * NULL or hold NULLs), and twice, and leaves it zeroed. */
#ifndef MC_STRVEC_H
#define MC_STRVEC_H

#include <stddef.h>
#include <stdint.h>

typedef struct strvec {
    size_t count;
    char **v;
    char *buf;         /* when set, owns the text every v[i] points into */
    size_t alloc;      /* pointers allocated in v (pushed vectors) */
} strvec;

#define STRVEC_INIT {0}

/* Append a copy of S (of its first LEN bytes); 0, or -1 when out of memory (s unchanged). */
int strvec_push(strvec *s, const char *str);
int strvec_pushn(strvec *s, const char *str, size_t len);
/* OUT (zeroed on entry) = the strings of PARTS[0..N) in order, copied into
 * one buffer it owns: two allocations, not one a string.  0, or -1 when out
 * of memory (OUT left zeroed). */
int strvec_concat(strvec *out, const strvec *parts, size_t n);
/* OUT (zeroed on entry) = ALL->v[INDEX[i]] for i < N (INDEX NULL: the first
 * N), every index < ALL->count, copied into one buffer as strvec_concat does.
 * 0, or -1 when out of memory (OUT left zeroed). */
int strvec_pick(strvec *out, const strvec *all, const int32_t *index, size_t n);
/* Index of the first string equal to STR, or -1. */
long strvec_find(const strvec *s, const char *str);
/* Sort in strcmp order. */
void strvec_sort(strvec *s);
void strvec_free(strvec *s);

#endif
