/* strvec.c's unit test: pushing, finding, sorting, and a vector over one buffer. */
#include "strvec.h"
#include "unit.h"

static void pushed(unit *u)
{
    strvec s = STRVEC_INIT;
    CHECK_INT(strvec_find(&s, "a"), -1);
    strvec_sort(&s);   /* empty: nothing to do */
    const char *in[] = {"b", "B", "a", "", "ab", "b"};
    for (int i = 0; i < 6; i++) CHECK_INT(strvec_push(&s, in[i]), 0);
    CHECK_INT(strvec_pushn(&s, "xyz", 2), 0);
    CHECK_UINT(s.count, 7);
    CHECK_STR(s.v[6], "xy");
    CHECK(s.v[0] != in[0]);   /* a copy */
    CHECK_INT(strvec_find(&s, "b"), 0);   /* the first of two */
    CHECK_INT(strvec_find(&s, ""), 3);
    CHECK_INT(strvec_find(&s, "x"), -1);
    strvec_sort(&s);
    const char *want[] = {"", "B", "a", "ab", "b", "b", "xy"};
    for (int i = 0; i < 7; i++) CHECK_STR(s.v[i], want[i]);
    for (int i = 0; i < 100; i++) CHECK_INT(strvec_push(&s, "many"), 0);
    CHECK_UINT(s.count, 107);
    CHECK(s.alloc >= 107);
    strvec_free(&s);
    CHECK(s.count == 0 && s.v == NULL && s.buf == NULL && s.alloc == 0);
    strvec_free(&s);   /* twice: safe */
}

/* Strings pointing into buf (as txt_read leaves them): pushing copies them out first. */
static void buffered(unit *u)
{
    strvec s = STRVEC_INIT;
    s.buf = malloc(6);
    s.v = malloc(2 * sizeof *s.v);
    if (!s.buf || !s.v) {
        CHECK(!"out of memory");
        return;
    }
    memcpy(s.buf, "one\0t", 6);
    s.v[0] = s.buf;
    s.v[1] = s.buf + 4;
    s.count = 2;
    CHECK_INT(strvec_find(&s, "t"), 1);
    CHECK_INT(strvec_push(&s, "three"), 0);
    CHECK(s.buf == NULL);
    CHECK_UINT(s.count, 3);
    CHECK_STR(s.v[0], "one");
    CHECK_STR(s.v[1], "t");
    CHECK_STR(s.v[2], "three");
    strvec_free(&s);
    CHECK(s.v == NULL && s.count == 0);

    /* freed while still over its buffer: the strings are not freed one by one */
    strvec b = STRVEC_INIT;
    b.buf = strdup("x");
    b.v = malloc(sizeof *b.v);
    if (b.v) {
        b.v[0] = b.buf;
        b.count = 1;
    }
    strvec_free(&b);
    CHECK(b.buf == NULL && b.v == NULL);
}

/* strvec_concat and strvec_pick: the strings copied into one buffer, in order. */
static void joined(unit *u)
{
    strvec parts[3] = {STRVEC_INIT, STRVEC_INIT, STRVEC_INIT}, all = STRVEC_INIT, picked = STRVEC_INIT;
    const char *in[] = {"a-1", "", "bb-2"};
    for (int i = 0; i < 3; i++) CHECK_INT(strvec_push(&parts[i % 2 ? 2 : 0], in[i]), 0);
    CHECK_INT(strvec_concat(&all, parts, 3), 0);   /* parts[1] empty */
    CHECK_UINT(all.count, 3);
    for (int i = 0; i < 3; i++) CHECK_STR(all.v[i], in[i == 1 ? 2 : i == 2 ? 1 : 0]);
    CHECK(all.buf != NULL && all.v[0] == all.buf && all.v[1] == all.buf + 4 && all.v[2] == all.buf + 9);
    const int32_t index[] = {2, 0, 2};
    CHECK_INT(strvec_pick(&picked, &all, index, 3), 0);
    const char *want[] = {"", "a-1", ""};
    for (int i = 0; i < 3; i++) CHECK_STR(picked.v[i], want[i]);
    CHECK(picked.buf != NULL && picked.v[1] != all.v[0]);   /* copies */
    CHECK_INT(strvec_push(&picked, "more"), 0);   /* a joined vector grows as a pushed one */
    CHECK_STR(picked.v[3], "more");
    strvec_free(&picked);
    CHECK_INT(strvec_pick(&picked, &all, NULL, 2), 0);   /* no index: the first N */
    CHECK_UINT(picked.count, 2);
    CHECK_STR(picked.v[1], "bb-2");
    strvec_free(&picked);
    CHECK_INT(strvec_concat(&picked, parts, 0), 0);   /* nothing: empty, still freed */
    CHECK_UINT(picked.count, 0);
    strvec_free(&picked);
    strvec_free(&all);
    for (int i = 0; i < 3; i++) strvec_free(&parts[i]);
}

int main(void)
{
    unit t = {0}, *u = &t;
    pushed(u);
    buffered(u);
    joined(u);
    return unit_done(u, "strvec");
}
