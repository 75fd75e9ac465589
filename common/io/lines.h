/* lines: a text file (or stdin) read a line at a time, or a record at a time
 * when it is a CSV, for the tools that take selections (mc-make-view),
 * assignments (mc-group) and data (mc-write-data) from files or stdin. */
#ifndef MC_LINES_H
#define MC_LINES_H

#include <stddef.h>
#include "err.h"

/* How errors name PATH: "stdin" for "-". */
const char *lines_shown(const char *path);

/* Call fn for each line of PATH ("-" = stdin), numbered from 1, with the
 * '\n' and a '\r' before it removed; fn may modify the text.  Stops at the
 * first fn that returns -1. */
typedef int (*line_fn)(void *ctx, const char *shown, size_t line, char *text, mc_err *e);
int lines_each(const char *path, line_fn fn, void *ctx, mc_err *e);

/* lines_each for tables as other tools write them: a CSV (PATH ending ".csv",
 * or a first line with a comma and no TAB) has each line's fields, parsed by
 * libcsv (quoted as pandas quotes them), given to fn joined by TABs; any other
 * file its lines as they are.  A field holding a TAB or a quoted newline is an
 * error naming the line. */
int lines_records_each(const char *path, line_fn fn, void *ctx, mc_err *e);

/* 1 if S is an optionally negative decimal integer (fitting in long long), with *v set. */
int lines_is_integer(const char *s, long long *v);

#endif
