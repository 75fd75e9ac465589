/* txt: .txt arrays, one UTF-8 value per line, every line ending in '\n'. */
#ifndef MC_TXT_H
#define MC_TXT_H

#include <stddef.h>
#include "err.h"
#include "strvec.h"

/* Read into A (its lines, without '\n', pointing into A->buf); a last line
 * without '\n' is an error naming the file and line.  Free with strvec_free. */
int txt_read(const char *path, strvec *a, mc_err *e);
/* Count lines only (for verification); same rules as txt_read. */
int txt_count_lines(const char *path, size_t *count, mc_err *e);
int txt_write(const char *path, char *const *lines, size_t n, mc_err *e);
/* V as text in the shortest form that reads back exactly (as a float32 when
 * F4): "nan", "inf", an integral value without exponent, else the fewest
 * digits of %g (at most 17) that strtod reads back as V. */
size_t txt_format_double(char *out, size_t size, double v, int f4);

#endif
