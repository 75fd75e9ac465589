/* mmm.c's unit test: the canonical pair stream of SPEC 6 byte for byte (the
 * vectors of tests/mmm.bats, laid out by hand), the same bytes through every
 * encoder, a whole file, its readers, and corrupt files refused. */
#include "mmm.h"
#include "unit.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* mmm_encode of "gene:value ..." pairs (any order) into X, from empty. */
static int encode(mmm_bytes *x, uint32_t genes, size_t n, const uint32_t *gv)
{
    mc_entries es = {0};
    for (size_t i = 0; i < n; i++) entries_push(&es, gv[2 * i], gv[2 * i + 1]);
    x->n = 0;
    int rc = mmm_encode(&es, genes, UINT64_MAX, x);
    entries_free(&es);
    return rc;
}

#define PAIRS(...) (sizeof((uint32_t[]){__VA_ARGS__}) / sizeof(uint32_t) / 2), (uint32_t[]){__VA_ARGS__}
#define CHECK_ENCODED(x, genes, want, ...)                         \
    do {                                                           \
        CHECK_INT(encode(&(x), (genes), PAIRS(__VA_ARGS__)), 0); \
        CHECK_MEM((x).b, (x).n, want, sizeof want - 1);            \
    } while (0)

static void canonical(unit *u)
{
    mmm_bytes x = {0};
    CHECK_ENCODED(x, 601, "\xff\x01", 255, 1);
    CHECK_ENCODED(x, 601, "\xff\x00\x01\x01", 256, 1);
    CHECK_ENCODED(x, 601, "\xff\x00\x2d\x02", 300, 2);
    CHECK_ENCODED(x, 601, "\xff\x00\xff\x00\x5a\x03", 600, 3);
    CHECK_ENCODED(x, 601, "\x00\x01\xff\x01\xff\x00\x01\x01", 0, 1, 255, 1, 511, 1);
    CHECK_ENCODED(x, 4, "\x00\xff\x01\xff\x00\x01\x01\xff\x00\xff\x00\x5a", 0, 255, 1, 256, 2, 600);
    /* any order, duplicates summed, zeros dropped */
    CHECK_ENCODED(x, 9, "\x00\x01\x05\x05", 5, 2, 1, 0, 5, 3, 0, 1, 8, 0);
    CHECK_ENCODED(x, 9, "", 3, 0);
    /* 70000 = 274 x 255 + 130: (d, 255), then 273 x (0, 255), then (0, 130) */
    CHECK_INT(encode(&x, 4, PAIRS(3, 70000)), 0);
    CHECK_UINT(x.n, 2 * 275);
    CHECK(x.b[0] == 3 && x.b[1] == 255 && x.b[546] == 0 && x.b[547] == 255 && x.b[548] == 0 && x.b[549] == 130);
    long odd = 0;
    for (size_t i = 2; i < 548; i += 2) odd += x.b[i] != 0 || x.b[i + 1] != 255;
    CHECK_INT(odd, 0);
    /* a gene out of range: nothing appended, the gene noted */
    x.n = 0;
    CHECK_INT(encode(&x, 4, PAIRS(1, 1, 4, 1)), 0);
    CHECK(x.bad_gene == 1 && x.gene == 4 && x.n == 0);
    CHECK_INT(encode(&x, 4, PAIRS(1, 1)), 0);
    CHECK(x.bad_gene == 0);
    mc_entries es = {0};
    entries_push(&es, 0, 70000);
    x.n = 0;
    CHECK_INT(mmm_encode(&es, 1, 100, &x), -2);   /* 550 bytes: beyond a limit of 100 */
    entries_free(&es);
    mmm_bytes_free(&x);
}

/* The reference encoder, SPEC 6 as written, for profiles too long to lay out by hand. */
static size_t spec_encode(const uint64_t *row, uint32_t genes, uint8_t *out)
{
    size_t n = 0;
    uint64_t current = 0;
    for (uint32_t g = 0; g < genes; g++) {
        uint64_t v = row[g], d = g - current;
        if (!v) continue;
        for (; d > 255; d -= 255) out[n++] = 255, out[n++] = 0;
        for (; v > 255; v -= 255, d = 0) out[n++] = (uint8_t)d, out[n++] = 255;
        out[n++] = (uint8_t)d, out[n++] = (uint8_t)v;
        current = g;
    }
    return n;
}

/* A long unsorted profile (packed and radix-sorted), the same with a value too large to pack
 * (sorted as a list) and a dense row: the same bytes as the spec's encoder, the entries left canonical. */
static void encoders(unit *u)
{
    enum { G = 3000, BIG = 1 << 25 };
    static uint64_t row[G], row2[G], bits[G / 64 + 1];
    static uint8_t want[8 * G], want_big[8 * G + 2 * (BIG / 255 + 1)];
    mc_entries es = {0}, big = {0};
    for (uint32_t i = 0; i < 500; i++) {
        uint32_t g = (i * 7919u) % G, v = i % 5 == 0 ? 0 : (i * 37u) % 1000;
        entries_push(&es, g, v);
        entries_push(&es, g, 1);   /* every gene twice */
        row[g] += v + 1;
    }
    uint32_t absent = 0;
    while (row[absent]) absent++;
    entries_push(&es, absent, 0);   /* a gene present with zeros only: dropped */
    entries_push(&es, absent, 0);
    for (size_t i = 0; i < es.n; i++) entries_push(&big, es.v[i].gene, es.v[i].value);
    entries_push(&big, 7, BIG);
    size_t n = spec_encode(row, G, want);
    row[7] += BIG;
    size_t n_big = spec_encode(row, G, want_big);
    row[7] -= BIG;
    mmm_bytes x = {0}, y = {0}, z = {0};
    CHECK_INT(mmm_encode(&es, G, UINT64_MAX, &x), 0);
    CHECK_MEM(x.b, x.n, want, n);
    long bad = 0;   /* canonical: genes ascending, no zeros, the sums */
    for (size_t i = 0; i < es.n; i++)
        bad += (i && es.v[i - 1].gene >= es.v[i].gene) || es.v[i].value != row[es.v[i].gene];
    CHECK_INT(bad, 0);
    CHECK_INT(mmm_encode(&big, G, UINT64_MAX, &y), 0);
    CHECK_MEM(y.b, y.n, want_big, n_big);
    for (uint32_t g = 0; g < G; g++)
        if ((row2[g] = row[g])) bits[g / 64] |= 1ull << (g % 64);
    CHECK_INT(mmm_encode_row(row2, bits, G, &z), 0);
    CHECK_MEM(z.b, z.n, want, n);
    long left = 0;   /* the row and its bits are left zero */
    for (uint32_t g = 0; g < G; g++) left += row2[g] != 0 || bits[g / 64] != 0;
    CHECK_INT(left, 0);
    entries_push(&big, G, 1);   /* a gene out of range, unsorted and long: nothing appended, the gene noted */
    entries_push(&big, 0, 1);
    y.n = 0;
    CHECK_INT(mmm_encode(&big, G, UINT64_MAX, &y), 0);
    CHECK(y.bad_gene == 1 && y.gene == G && y.n == 0);
    entries_free(&es);
    entries_free(&big);
    mmm_bytes_free(&x);
    mmm_bytes_free(&y);
    mmm_bytes_free(&z);
}

/* mmm_encode_packed of N entries of genes below G (any order, duplicates, zeros, values up to 2^24,
 * gaps past 255), appended after a byte already in X: the bytes of the spec's encoder of their sums. */
static void packed_one(unit *u, uint32_t G, size_t n, uint32_t seed)
{
    uint64_t *row = calloc(G, sizeof *row), *keys = calloc(n + 1, 8), *tmp = calloc(n + 1, 8);
    uint8_t *want = NULL;
    mmm_bytes x = {0};
    CHECK(row && keys && tmp);
    if (!row || !keys || !tmp) goto out;
    uint32_t r = seed;
    for (size_t i = 0; i < n; i++) {
        r = r * 1103515245u + 12345u;
        uint32_t g = i % 7 == 3 ? (uint32_t)(keys[i - 1] >> MMM_PACKED_BITS) : (r >> 8) % G;   /* some duplicates */
        uint64_t v = i % 5 == 0 ? 0 : i % 97 == 1 ? (uint64_t)1 << 24 : (r >> 4) % 300;
        keys[i] = MMM_PACK(g, v);
        row[g] += v;
    }
    uint64_t most = 2 * (G + n + 1);   /* pairs: gaps of 255, values of 255, one more an entry */
    for (uint32_t g = 0; g < G; g++) most += 2 * (row[g] / 255);
    CHECK((want = malloc(most)) != NULL);
    if (!want) goto out;
    want[0] = 0x7f;
    size_t m = 1 + spec_encode(row, G, want + 1);
    uint64_t first[2] = {MMM_PACK(0, 0x7f)};
    CHECK_INT(mmm_encode_packed(first, first + 1, 1, 1, &x), 0);   /* the pair (0, 0x7f); its second byte kept */
    CHECK_UINT(x.n, 2);
    x.n = 1;
    x.b[0] = 0x7f;
    CHECK_INT(mmm_encode_packed(keys, tmp, n, G, &x), 0);
    CHECK_MEM(x.b, x.n, want, m);
    CHECK(x.bad_gene == 0);
out:
    free(row), free(keys), free(tmp), free(want);
    mmm_bytes_free(&x);
}

/* The import's encoder: sorted in place when short, by a radix sort of 1, 2 and 3 bytes of gene when long. */
static void packed(unit *u)
{
    packed_one(u, 200, 0, 1);
    packed_one(u, 200, 1, 2);
    packed_one(u, 200, 40, 3);      /* insertion sort */
    packed_one(u, 200, 3000, 4);    /* one byte of gene */
    packed_one(u, 33000, 47, 5);
    packed_one(u, 33000, 2000, 6);  /* two */
    packed_one(u, 70000, 5000, 7);  /* three */
    uint64_t one[2] = {MMM_PACK(0, 0), MMM_PACK(0, 0)}, t[2];
    mmm_bytes x = {0};
    CHECK_INT(mmm_encode_packed(one, t, 2, 1, &x), 0);   /* only zeros: nothing */
    CHECK_UINT(x.n, 0);
    mmm_bytes_free(&x);
}

#define MAGIC "METACELL SPARSE MEMORY MAPPED MATRIX VERSION 0\0\0"

/* Profiles {}, {0:1}, {2:300} of 3 genes: header, 2 + 4 bytes of pairs, 2 of padding, 4 offsets. */
static const char FILE3[] = MAGIC "\003\000\000\000\003\000\000\000"
                                  "\000\001"
                                  "\002\377\000\055"
                                  "\000\000"
                                  "\070\000\000\000\070\000\000\000\072\000\000\000\076\000\000\000";

static void file(unit *u)
{
    mc_err e = {{0}};
    mmm_writer *w = mmm_writer_open("m.mmm", 3, &e);
    CHECK(w != NULL);
    if (!w) return;
    mc_entries es = {0};
    CHECK_INT(mmm_writer_add(w, &es, &e), 0);
    entries_push(&es, 0, 1);
    CHECK_INT(mmm_writer_add(w, &es, &e), 0);
    CHECK_INT(mmm_writer_add_dense(w, (uint64_t[]){0, 0, 300}, &e), 0);
    CHECK_INT(mmm_writer_close(w, &e), 0);
    size_t n = 0;
    char *got = unit_slurp("m.mmm", &n);
    CHECK_MEM(got, n, FILE3, sizeof FILE3 - 1);
    free(got);

    mmm_file m = {0};
    CHECK_INT(mmm_open(&m, "m.mmm", &e), 0);
    CHECK(m.profiles_count == 3 && m.genes_count == 3);
    CHECK_UINT(mmm_profile_bytes(&m, 2), 4);
    CHECK_UINT(mmm_profile_bytes(&m, 3), 0);
    CHECK_INT(mmm_profile_entries(&m, 2, &es, &e), 0);
    CHECK(es.n == 1 && es.v[0].gene == 2 && es.v[0].value == 300);
    uint64_t total = 0, count = 0, row[3] = {5, 5, 5};
    CHECK_INT(mmm_profile_total(&m, 2, &total, &e), 0);
    CHECK_UINT(total, 300);
    CHECK_INT(mmm_entries_count(&m, &count, &e), 0);
    CHECK_UINT(count, 2);
    CHECK_INT(mmm_add_profile(&m, 1, row, &e), 0);
    CHECK(row[0] == 6 && row[1] == 5 && row[2] == 5);
    int32_t gmap[3] = {-1, 0, 1};   /* gene 2 into slot 1, gene 0 skipped */
    uint64_t two[2] = {0, 0};
    CHECK_INT(mmm_sum_profile(&m, 2, gmap, two, &total, &e), 0);
    CHECK(two[0] == 0 && two[1] == 300 && total == 300);
    CHECK_INT(mmm_sum_profile(&m, 1, gmap, two, &total, &e), 0);
    CHECK(two[1] == 300 && total == 0);
    /* gathered copies, in any order and more than one call's worth, added from the copies */
    enum { COPIES = MMM_GATHER_MAX + 3 };
    static uint8_t buf[COPIES * 4];
    static uint8_t *to[COPIES];
    static const uint8_t *from[COPIES];
    static size_t len[COPIES];
    for (size_t i = 0; i < COPIES; i++) {
        from[i] = mmm_profile_pairs(&m, i % 2 ? 1 : 2, &len[i]);
        to[i] = buf + 4 * (COPIES - 1 - i);
    }
    mmm_pairs_gather(to, from, len, COPIES);
    long wrong = 0;
    for (size_t i = 0; i < COPIES; i++) wrong += memcmp(to[i], from[i], len[i]) != 0;
    CHECK_INT(wrong, 0);
    uint64_t added[2] = {0, 0};
    CHECK_INT(mmm_add_pairs(&m, 2, to[0], len[0], gmap, added, &e), 0);
    CHECK_INT(mmm_add_pairs(&m, 1, to[1], len[1], gmap, added, &e), 0);
    CHECK(added[0] == 0 && added[1] == 300);
    uint64_t three[3] = {0, 0, 0};
    CHECK_INT(mmm_add_pairs(&m, 2, to[2], len[2], NULL, three, &e), 0);
    CHECK(three[0] == 0 && three[1] == 0 && three[2] == 300);
    CHECK_INT(mmm_add_pairs(&m, 0, (const uint8_t *)"\x01\x01\x02\x01", 4, NULL, three, &e), -1);
    CHECK_STR(e.msg, "m.mmm: profile 0: gene 3 out of range (3 genes)");
    CHECK_INT(mmm_profile_entries(&m, 3, &es, &e), -1);
    CHECK_STR(e.msg, "m.mmm: profile 3 out of range (3 profiles)");
    mmm_close(&m);
    mmm_close(&m);
    entries_free(&es);

    w = mmm_writer_open("g.mmm", 2, &e);
    entries_push(&es, 2, 1);
    CHECK_INT(mmm_writer_add(w, &es, &e), -1);
    CHECK_STR(e.msg, "g.mmm: profile 0: gene 2 out of range (2 genes)");
    mmm_writer_abort(w);
    entries_free(&es);
    CHECK(fopen("g.mmm", "r") == NULL);   /* aborted: no file left */
}

/* FILE3 once more, hashed as written and its last two profiles appended as
 * one run: the same bytes, its MD5 that of the file; a count other than the
 * one announced is refused. */
static void hashed(unit *u)
{
    mc_err e = {{0}};
    mc_uuid md5 = {{0}}, want;
    mmm_writer *w = mmm_writer_open("h.mmm", 3, &e);
    CHECK(w != NULL);
    if (!w) return;
    CHECK_INT(mmm_writer_hash(w, 3, &e), 0);
    CHECK_INT(mmm_writer_add_bytes(w, NULL, 0, &e), 0);
    /* profile 1: gene 0 = 1; profile 2: gene 2 = 300 (2, 255), (0, 45) */
    CHECK_INT(mmm_writer_add_run(w, (const uint8_t *)"\000\001\002\377\000\055", (size_t[]){2, 6}, 2, &e), 0);
    CHECK_INT(mmm_writer_close_md5(w, &md5, &e), 0);
    size_t n = 0;
    char *got = unit_slurp("h.mmm", &n);
    CHECK_MEM(got, n, FILE3, sizeof FILE3 - 1);
    free(got);
    CHECK_INT(uuid_of_file("h.mmm", &want, &e), 0);
    CHECK(uuid_equal(&md5, &want));

    w = mmm_writer_open("h2.mmm", 3, &e);
    CHECK_INT(mmm_writer_hash(w, 2, &e), 0);
    CHECK_INT(mmm_writer_add_bytes(w, NULL, 0, &e), 0);
    CHECK_INT(mmm_writer_close_md5(w, &md5, &e), -1);
    CHECK_STR(e.msg, "h2.mmm: 1 profiles written, 2 announced");
    CHECK(fopen("h2.mmm", "r") == NULL);
}

/* FILE3 with byte AT set to V is refused with MSG. */
static void corrupt(unit *u, size_t at, char v, size_t len, const char *msg)
{
    char b[sizeof FILE3];
    memcpy(b, FILE3, sizeof b);
    b[at] = v;
    mc_err e = {{0}};
    mmm_file m = {0};
    CHECK_INT(unit_spill("bad.mmm", b, len), 0);
    uint64_t count;
    int rc = mmm_open(&m, "bad.mmm", &e);
    if (rc == 0) rc = mmm_entries_count(&m, &count, &e);
    CHECK_INT(rc, -1);
    CHECK_STR(e.msg, msg);
    mmm_close(&m);
}

static void refused(unit *u)
{
    size_t n = sizeof FILE3 - 1;
    corrupt(u, 0, 'X', n, "bad.mmm: not an MMM file (bad magic)");
    corrupt(u, 0, 'M', 40, "bad.mmm: truncated MMM file (40 bytes)");
    corrupt(u, 48, 9, n, "bad.mmm: truncated MMM file (80 bytes for 9 profiles)");
    corrupt(u, 64, 0x3a, n, "bad.mmm: profile 0: data offset 58 is not 56");
    corrupt(u, 72, 0x37, n, "bad.mmm: profile 1: offsets decrease (55 after 56)");
    corrupt(u, 72, 0x3b, n, "bad.mmm: profile 1: odd data length 3");
    corrupt(u, 76, 0x50, n, "bad.mmm: profile 2: offset 80 outside the data");
    corrupt(u, 76, 0x3a, n, "bad.mmm: 6 stray bytes between the profile data and the offsets index");
    corrupt(u, 58, 5, n, "bad.mmm: profile 2: gene 5 out of range (3 genes)");
}

int main(void)
{
    unit t = {0}, *u = &t;
    canonical(u);
    encoders(u);
    packed(u);
    file(u);
    hashed(u);
    refused(u);
    return unit_done(u, "mmm");
}
