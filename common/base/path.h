/* path: path strings joined, split and made relative, whether a path exists,
 * and opening a file a container holds for reading.
 *
 * Nothing here creates or removes files; atomic outputs are outdir.h's. */
#ifndef MC_PATH_H
#define MC_PATH_H

#include <stdio.h>
#include "err.h"

/* Open PATH, a file that must be a regular file (a container's, a gene set's,
 * a format's), for reading: a FIFO, device or directory there, or a symlink
 * to one such as /dev/stdin, is refused with "PATH: not a regular file", not
 * waited on.  The fd, or -1 with e set. */
int path_open_file(const char *path, mc_err *e);
/* The same as a stream ("rb"); NULL with e set. */
FILE *path_fopen_file(const char *path, mc_err *e);

/* PATH joined with NAME (malloc'd); NAME itself when absolute or DIR is "". */
char *path_join(const char *dir, const char *name);
/* PATH's parent directory (malloc'd; "." when PATH has no '/'), and in *base
 * a pointer to PATH's last component ("a/b/" names b).  NULL when out of memory. */
char *path_parent(const char *path, const char **base);
/* Absolute, symlink-free form of PATH (malloc'd), which need not exist: its
 * nearest existing ancestor resolved and the rest appended. */
char *path_resolve(const char *path, mc_err *e);
/* Relative path from directory FROM to TO (both existing or whose parents exist). */
char *path_relative(const char *from_dir, const char *to, mc_err *e);
int path_exists(const char *path);
/* The nearest existing directory above PATH (its parent, the parent's parent,
 * ...; "." or "/" at the top), malloc'd; NULL when out of memory. */
char *path_existing_parent(const char *path);

#endif
