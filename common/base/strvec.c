/* strvec: a vector of strings, owned one by one or through one buffer. */
#include "strvec.h"

#include <stdlib.h>
#include <string.h>

#include "alloc.h"

void strvec_free(strvec *s)
{
    if (!s->buf && s->v)
        for (size_t i = 0; i < s->count; i++) free(s->v[i]);
    free(s->buf);
    free(s->v);
    memset(s, 0, sizeof *s);
}

/* A vector whose strings point into buf gets every string of its own, so that it can grow. */
static int own_strings(strvec *s)
{
    size_t alloc = 0;
    char **v = NULL;
    if (MC_GROW(v, s->count, alloc) < 0) return -1;
    for (size_t i = 0; i < s->count; i++)
        if (!(v[i] = strdup(s->v[i]))) {
            while (i--) free(v[i]);
            free(v);
            return -1;
        }
    free(s->v);
    free(s->buf);
    s->v = v;
    s->buf = NULL;
    s->alloc = alloc;
    return 0;
}

int strvec_pushn(strvec *s, const char *str, size_t len)
{
    if (s->buf && own_strings(s) < 0) return -1;
    if (MC_GROW(s->v, s->count + 1, s->alloc) < 0) return -1;
    if (!(s->v[s->count] = strndup(str, len))) return -1;
    s->count++;
    return 0;
}

int strvec_push(strvec *s, const char *str)
{
    return strvec_pushn(s, str, strlen(str));
}

int strvec_concat(strvec *out, const strvec *parts, size_t n)
{
    size_t count = 0, bytes = 0;
    for (size_t k = 0; k < n; k++) {
        count += parts[k].count;
        for (size_t i = 0; i < parts[k].count; i++) bytes += strlen(parts[k].v[i]) + 1;
    }
    char *buf = mc_alloc_array(bytes ? bytes : 1, 1), **v = mc_alloc_array(count ? count : 1, sizeof *v), *at = buf;
    if (!buf || !v) {
        free(buf);
        free(v);
        return -1;
    }
    for (size_t k = 0, j = 0; k < n; k++)
        for (size_t i = 0; i < parts[k].count; i++) {
            v[j++] = at;
            at = stpcpy(at, parts[k].v[i]) + 1;
        }
    *out = (strvec){.count = count, .v = v, .buf = buf};
    return 0;
}

int strvec_pick(strvec *out, const strvec *all, const int32_t *index, size_t n)
{
    size_t bytes = 0;
    for (size_t i = 0; i < n; i++) bytes += strlen(all->v[index ? (size_t)index[i] : i]) + 1;
    char *buf = mc_alloc_array(bytes ? bytes : 1, 1), **v = mc_alloc_array(n ? n : 1, sizeof *v), *at = buf;
    if (!buf || !v) {
        free(buf);
        free(v);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        v[i] = at;
        at = stpcpy(at, all->v[index ? (size_t)index[i] : i]) + 1;
    }
    *out = (strvec){.count = n, .v = v, .buf = buf};
    return 0;
}

long strvec_find(const strvec *s, const char *str)
{
    for (size_t i = 0; i < s->count; i++)
        if (!strcmp(s->v[i], str)) return (long)i;
    return -1;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void strvec_sort(strvec *s)
{
    if (s->count) qsort(s->v, s->count, sizeof *s->v, cmp_str);
}
