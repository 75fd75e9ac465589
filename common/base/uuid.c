/* uuid: MD5 content identifiers (SPEC 3), MD5 from libmd. */
#include "uuid.h"
#include "path.h"

#include <errno.h>
#include <fcntl.h>
#include <md5.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int uuid_of_file(const char *path, mc_uuid *u, mc_err *e)
{
    int fd = path_open_file(path, e);
    if (fd < 0) return -1;
    MD5_CTX ctx;
    MD5Init(&ctx);
    unsigned char buf[1 << 16];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0) MD5Update(&ctx, buf, (size_t)n);
    int saved = errno;
    close(fd);
    if (n < 0) {
        errno = saved;
        return mc_err_errno(e, path, "cannot read");
    }
    MD5Final(u->b, &ctx);
    return 0;
}

void uuid_combine(const mc_uuid *us, size_t n, mc_uuid *out)
{
    MD5_CTX ctx;
    MD5Init(&ctx);
    for (size_t i = 0; i < n; i++) MD5Update(&ctx, us[i].b, sizeof us[i].b);
    MD5Final(out->b, &ctx);
}

void uuid_format(const mc_uuid *u, char out[MC_UUID_STRLEN])
{
    static const char hex[] = "0123456789abcdef";
    char *o = out;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) *o++ = '-';
        *o++ = hex[u->b[i] >> 4];
        *o++ = hex[u->b[i] & 15];
    }
    *o = 0;
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

int uuid_parse(const char *s, mc_uuid *u)
{
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) {
            if (*s++ != '-') return -1;
        }
        int hi = hex_value(s[0]), lo = hi < 0 ? -1 : hex_value(s[1]);
        if (lo < 0) return -1;
        u->b[i] = (unsigned char)(hi << 4 | lo);
        s += 2;
    }
    return *s ? -1 : 0;
}

int uuid_equal(const mc_uuid *a, const mc_uuid *b)
{
    return !memcmp(a->b, b->b, sizeof a->b);
}
