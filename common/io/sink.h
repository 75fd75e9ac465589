/* sink: a text output, buffered: stdout, or a file written atomically through
 * outdir (directly when it is a FIFO or device, see outfile); gzip-compressed
 * when its name ends in ".gz".
 *
 * sink_open, then sink_put / sink_str / sink_field, then sink_finish (flush and
 * close) and sink_commit (the file appears); sink_abort on any path throws an
 * unfinished file away.  Errors name the output ("stdout" or the final path). */
#ifndef MC_SINK_H
#define MC_SINK_H

#include <stddef.h>
#include <stdio.h>
#include <zlib.h>

#include "err.h"
#include "outdir.h"

/* A text output: stdout, or a file written atomically (directly when it is a
 * FIFO or device, see outfile); gzip-compressed when its name ends in ".gz". */
typedef struct sink {
    FILE *f;
    gzFile gz;               /* set instead of f for a .gz name */
    const char *shown;       /* "stdout" or the final path */
    outfile of;              /* of.tmp is set for a file */
    char *buf;
    size_t len;
} sink;

/* PATH "-", NULL or "/dev/stdout": stdout; else the file PATH, replacing one only when FORCE. */
int sink_open(sink *s, const char *path, int force, mc_err *e);
int sink_put(sink *s, const char *p, size_t n, mc_err *e);
int sink_str(sink *s, const char *str, mc_err *e);
/* VALUE as a TSV field (WHAT names it in the error): a tab or line break is an error. */
int sink_field(sink *s, const char *value, const char *what, mc_err *e);
/* Flush and close the file (stdout stays open, flushed). */
int sink_finish(sink *s, mc_err *e);
int sink_commit(sink *s, mc_err *e);
/* Safe on a zeroed sink, after a failure, after finish and after commit (err.h). */
void sink_abort(sink *s);

#endif
