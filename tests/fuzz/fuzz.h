/* fuzz.h: what every libFuzzer harness of tests/fuzz shares.
 *
 * The parsers read files, so each input is written to a file in a scratch
 * directory of this process (removed at exit) and handed to the parser by path. */
#ifndef MC_FUZZ_H
#define MC_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "outdir.h"

static char fuzz_dir[64];

static inline void fuzz_cleanup(void)
{
    mc_err ignored;
    if (fuzz_dir[0]) outdir_remove_tree(fuzz_dir, &ignored);
}

/* The path of NAME in the scratch directory (static storage, one at a time per slot). */
static inline const char *fuzz_path(const char *name)
{
    static char paths[4][256];
    static int next;
    if (!fuzz_dir[0]) {
        snprintf(fuzz_dir, sizeof fuzz_dir, "/tmp/mc-fuzz-XXXXXX");
        if (!mkdtemp(fuzz_dir)) abort();
        atexit(fuzz_cleanup);
    }
    char *p = paths[next++ & 3];
    snprintf(p, sizeof paths[0], "%s/%s", fuzz_dir, name);
    return p;
}

/* Write N bytes of D to NAME in the scratch directory; its path. */
static inline const char *fuzz_file(const char *name, const uint8_t *d, size_t n)
{
    const char *p = fuzz_path(name);
    FILE *f = fopen(p, "wb");
    if (!f || (n && fwrite(d, 1, n, f) != n) || fclose(f)) abort();
    return p;
}

/* A failure must leave exactly one line: no line break in the message. */
static inline void fuzz_one_line(const mc_err *e)
{
    if (strchr(e->msg, '\n') || !e->msg[0]) {
        fprintf(stderr, "not a one-line error: [%s]\n", e->msg);
        abort();
    }
}

#endif
