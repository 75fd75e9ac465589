/* lineread: text read a line at a time, never more than a line's limit.
 *
 * getline() grows its buffer until the line ends, so /dev/zero takes all the
 * memory there is, and its ENOMEM looks like the end of the file.  This
 * reader stops at MC_MAX_LINE bytes (doc/SPEC.md 9) and tells the end of the
 * file from every error. */
#ifndef MC_LINEREAD_H
#define MC_LINEREAD_H

#include <stdio.h>
#include <sys/types.h>
#include "err.h"

#define MC_MAX_LINE (1u << 20)   /* bytes of one line of a text file, without its '\n' */

typedef struct linebuf {
    char *buf;
    size_t cap;
} linebuf;

/* The next line of F into b->buf, NUL-terminated, without its '\n' (it may
 * hold NUL bytes: compare the length).  Returns its length, -1 at the end of
 * the file, or -2 with e set ("SHOWN:LINE: ..."): too long, out of memory,
 * read error.  LINE is the number of the line being read, for messages. */
ssize_t lineread_next(FILE *f, linebuf *b, const char *shown, size_t line, mc_err *e);
void lineread_free(linebuf *b);

#endif
