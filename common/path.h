/* path: path strings joined, split and made relative, and whether a path exists.
 *
 * Strings only (and lstat): nothing here creates or removes files; atomic
 * outputs are outdir.h's. */
#ifndef MC_PATH_H
#define MC_PATH_H

#include "err.h"

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
