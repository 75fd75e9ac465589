/* colwrite: a table column written as a container's per-axis array (SPEC 3):
 * DIR/KIND.FIELD.txt for a str column, .npy for an int or float one.  The
 * batch writer writes the profiles' fields this way (p.*), mc-make-genes the
 * genes' (g.*). */
#ifndef MC_COLWRITE_H
#define MC_COLWRITE_H

#include <stddef.h>
#include "err.h"
#include "table.h"

/* Write column C of T as DIR/KIND.FIELD.txt (str) or .npy (int: <i4, or <i8
 * when a value needs it; float: <f8 with missing values NaN; bool: |b1), with the N rows
 * ORDER (NULL: every row as they are, N ignored).  A str value with a line break is an error
 * naming the CSV line. */
int column_write(const char *dir, const char *kind, const std_table *t, size_t c, const size_t *order, size_t n,
                     mc_err *e);

#endif
