/* lineread: bounded line reading. */
#include "lineread.h"

#include <errno.h>
#include <stdlib.h>

static int grow(linebuf *b)
{
    size_t cap = b->cap ? 2 * b->cap : 256;
    if (cap > MC_MAX_LINE + 1) cap = MC_MAX_LINE + 1;
    char *p = realloc(b->buf, cap);
    if (!p) return -1;
    b->buf = p;
    b->cap = cap;
    return 0;
}

ssize_t lineread_next(FILE *f, linebuf *b, const char *shown, size_t line, mc_err *e)
{
    size_t n = 0;
    int c;
    errno = 0;
    while ((c = getc_unlocked(f)) != EOF && c != '\n') {
        if (n == MC_MAX_LINE) return mc_err_fail(e, "%s:%zu: line longer than %u bytes", shown, line, MC_MAX_LINE), -2;
        if (n + 1 >= b->cap && grow(b) < 0) return mc_err_fail(e, "%s:%zu: " MC_OOM, shown, line), -2;
        b->buf[n++] = (char)c;
    }
    if (c == EOF && ferror(f)) return mc_err_errno(e, shown, "cannot read"), -2;
    if (c == EOF && n == 0) return -1;
    if (!b->cap && grow(b) < 0) return mc_err_fail(e, "%s:%zu: " MC_OOM, shown, line), -2;
    b->buf[n] = 0;
    return (ssize_t)n;
}

void lineread_free(linebuf *b)
{
    free(b->buf);
    b->buf = NULL;
    b->cap = 0;
}
