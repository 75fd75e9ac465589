/* uuid: content identifiers (SPEC 3), MD5 digests shown as 8-4-4-4-12 hex. */
#ifndef MC_UUID_H
#define MC_UUID_H

#include <stddef.h>
#include "err.h"

typedef struct mc_uuid {
    unsigned char b[16];
} mc_uuid;

#define MC_UUID_STRLEN 37   /* 36 chars + NUL */

int uuid_of_file(const char *path, mc_uuid *u, mc_err *e);          /* MD5 of the bytes */
void uuid_combine(const mc_uuid *us, size_t n, mc_uuid *out);      /* MD5 of the 16-byte values */
void uuid_format(const mc_uuid *u, char out[MC_UUID_STRLEN]);
int uuid_parse(const char *s, mc_uuid *u);                         /* 0, or -1 if malformed */
int uuid_equal(const mc_uuid *a, const mc_uuid *b);

#endif
