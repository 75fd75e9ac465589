/* formats: the format files shipped with mc (formats/), found from the running
 * tool, and the one a raw directory's layout needs.
 *
 * Shipped formats live in formats/ of the mc tree the tool belongs to: an
 * installed tool PREFIX/bin/mc-X reads PREFIX/share/mc/formats/, a tool of a
 * built repository bin/mc-X reads formats/ beside bin/.  The tree is found
 * from /proc/self/exe, so a tree staged with DESTDIR and moved still works. */
#ifndef MC_FORMATS_H
#define MC_FORMATS_H

#include "err.h"

/* A --format NAME (malloc'd path): NAME itself when it exists; else, for a
 * relative NAME, the shipped formats/NAME (or NAME relative to the mc tree,
 * so "formats/10x-v3.yaml" works from anywhere).  An error names NAME. */
char *formats_find(const char *name, mc_err *e);

/* The format of the raw directory DIR (malloc'd path): DIR/format.yaml when
 * it exists; else the shipped format of its layout, recognised by its files
 * whether each is plain or .gz: features.tsv (10x v3), genes.tsv (10x v2),
 * gene_count.txt (MOCA).  None of them: an error naming DIR. */
char *formats_detect(const char *dir, mc_err *e);

/* PATH when it exists, else PATH with ".gz" added or removed when that exists,
 * else PATH (malloc'd): a format's file may be stored either way. */
char *formats_gz_either(const char *path);

#endif
