/* strmap.c's unit test: insert once, look up, grow at half full, keys borrowed. */
#include "strmap.h"
#include "unit.h"

static void basic(unit *u)
{
    strmap z = {0};
    size_t v = 99;
    CHECK_INT(strmap_get(&z, "a", &v), 0);   /* a zeroed map is empty */
    strmap_free(&z);

    strmap m;
    CHECK_INT(strmap_init(&m, 0), 0);
    CHECK_UINT(m.cap, 16);
    CHECK_UINT(m.n, 0);
    const char *a = "alpha", *b = "beta";
    char a2[] = "alpha";
    CHECK_INT(strmap_put(&m, a, 1, NULL), 1);
    CHECK_INT(strmap_put(&m, b, 2, &v), 1);
    CHECK_UINT(v, 99);   /* inserted: *old untouched */
    CHECK_INT(strmap_put(&m, a2, 7, &v), 0);   /* present (an equal string): the first value stays */
    CHECK_UINT(v, 1);
    CHECK_INT(strmap_put(&m, a2, 7, NULL), 0);
    CHECK_UINT(m.n, 2);
    CHECK_INT(strmap_get(&m, "alpha", &v), 1);
    CHECK_UINT(v, 1);
    CHECK_INT(strmap_get(&m, "beta", &v), 1);
    CHECK_UINT(v, 2);
    v = 5;
    CHECK_INT(strmap_get(&m, "gamma", &v), 0);
    CHECK_UINT(v, 5);
    CHECK_INT(strmap_get(&m, "", &v), 0);
    CHECK_INT(strmap_put(&m, "", 3, NULL), 1);   /* the empty string is a key like any other */
    CHECK_INT(strmap_get(&m, "", &v), 1);
    CHECK_UINT(v, 3);
    long borrowed = 0;   /* the map holds the caller's pointer, not a copy */
    for (size_t i = 0; i < m.cap; i++) borrowed += m.keys[i] == a;
    CHECK_INT(borrowed, 1);
    strmap_free(&m);
    CHECK(m.keys == NULL && m.values == NULL && m.cap == 0 && m.n == 0);
    strmap_free(&m);
}

static void sizes(unit *u)
{
    strmap m;
    CHECK_INT(strmap_init(&m, 9), 0);
    CHECK_UINT(m.cap, 32);   /* the least power of two >= 16 holding 2 x 9 */
    strmap_free(&m);
    CHECK_INT(strmap_init(&m, 8), 0);
    CHECK_UINT(m.cap, 16);
    static char keys[5000][16];
    for (int i = 0; i < 5000; i++) snprintf(keys[i], sizeof keys[i], "k%d", i);
    long bad = 0;
    for (int i = 0; i < 5000; i++) {
        bad += strmap_put(&m, keys[i], (size_t)i * 2, NULL) != 1;
        bad += 2 * m.n > m.cap;   /* never more than half full */
    }
    CHECK_INT(bad, 0);
    CHECK_UINT(m.n, 5000);
    CHECK_UINT(m.cap, 16384);   /* doubled from 16 at each half: 5000 keys need 10000 < 16384 */
    for (int i = 0; i < 5000; i++) {
        size_t v = 0;
        char k[16];
        snprintf(k, sizeof k, "k%d", i);
        bad += strmap_get(&m, k, &v) != 1 || v != (size_t)i * 2;
    }
    CHECK_INT(bad, 0);
    CHECK_INT(strmap_get(&m, "k5000", &(size_t){0}), 0);
    strmap_free(&m);
}

/* The first string seen twice, and where it was first; none among distinct strings, or none at all. */
static void repeats(unit *u)
{
    const char *keys[] = {"a", "b", "c", "b", "a", "c"};
    size_t r = 99, f = 99;
    CHECK_INT(strmap_first_repeat(keys, 6, &r, &f), 1);
    CHECK(r == 3 && f == 1);
    CHECK_INT(strmap_first_repeat(keys, 3, &r, &f), 0);
    CHECK_INT(strmap_first_repeat(keys, 0, &r, &f), 0);
    static char many[5000][16];
    static const char *p[5001];
    for (int i = 0; i < 5000; i++) snprintf(many[i], sizeof many[i], "k%d", i), p[i] = many[i];
    CHECK_INT(strmap_first_repeat(p, 5000, &r, &f), 0);
    p[5000] = "k4321";
    CHECK_INT(strmap_first_repeat(p, 5001, &r, &f), 1);
    CHECK(r == 5000 && f == 4321);
}

int main(void)
{
    unit t = {0}, *u = &t;
    basic(u);
    sizes(u);
    repeats(u);
    return unit_done(u, "strmap");
}
