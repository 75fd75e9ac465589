/* txt: .txt arrays, one UTF-8 value per line, every line ending in '\n'. */
#ifndef MC_TXT_H
#define MC_TXT_H

#include <stddef.h>
#include "err.h"

typedef struct txt_array {
    size_t count;
    char **lines;      /* count pointers into buf, each NUL-terminated without '\n' */
    char *buf;         /* owns the text */
} txt_array;

/* Read; a last line without '\n' is an error naming the file and line. */
int txt_read(const char *path, txt_array *a, mc_err *e);
/* Count lines only (for verification); same rules as txt_read. */
int txt_count_lines(const char *path, size_t *count, mc_err *e);
int txt_write(const char *path, char *const *lines, size_t n, mc_err *e);
void txt_free(txt_array *a);

/* Build an array by appending copies of strings (for gathering/concatenating). */
int txt_append(txt_array *a, const char *s);

#endif
