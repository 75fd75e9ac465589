/* npy.c's unit test: files byte for byte as numpy.save() writes them (the
 * expected bytes below are numpy 1.26's own), read back, and refused when bad. */
#include "npy.h"
#include "unit.h"

#define SP59 "                                                           "
#define SP60 "                                                            "
#define PRE "\223NUMPY\001\000v\000"   /* magic, version 1.0, a header of 118 bytes */

/* File PATH holds exactly the M bytes of WANT. */
#define CHECK_FILE(path, want) check_file(u, path, want, sizeof want - 1, __LINE__)
static void check_file(unit *u, const char *path, const char *want, size_t m, int line)
{
    size_t n = 0;
    char *got = unit_slurp(path, &n);
    unit_check_mem(u, got ? got : "", got ? n : 0, want, m, __FILE__, line, path);
    free(got);
}

static const char I4[] = PRE "{'descr': '<i4', 'fortran_order': False, 'shape': (3,), }" SP60
                             "\012\001\000\000\000\376\377\377\377p\021\001\000";

static void writing(unit *u)
{
    mc_err e = {{0}};
    int32_t i4[] = {1, -2, 70000};
    CHECK_INT(npy_write_i32("i4.npy", i4, 3, &e), 0);
    CHECK_FILE("i4.npy", I4);

    /* [[1.5, 2, 3], [4, 5, -0.25]] in fortran order: column after column */
    double f8[] = {1.5, 4, 2, 5, 3, -0.25};
    CHECK_INT(npy_write("f8.npy", NPY_F8, 2, (size_t[]){2, 3}, 1, f8, &e), 0);
    CHECK_FILE("f8.npy", PRE "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }" SP59
                             "\012\000\000\000\000\000\000\370\077\000\000\000\000\000\000\020@\000\000\000\000"
                             "\000\000\000@\000\000\000\000\000\000\024@\000\000\000\000\000\000\010@\000\000\000"
                             "\000\000\000\320\277");
    uint8_t b1[] = {1, 0, 1};
    CHECK_INT(npy_write("b1.npy", NPY_B1, 1, (size_t[]){3}, 0, b1, &e), 0);
    CHECK_FILE("b1.npy", PRE "{'descr': '|b1', 'fortran_order': False, 'shape': (3,), }" SP60 "\012\001\000\001");
    int64_t i8[] = {1, 2};
    CHECK_INT(npy_write("i8.npy", NPY_I8, 1, (size_t[]){2}, 0, i8, &e), 0);
    CHECK_FILE("i8.npy", PRE "{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }" SP60
                             "\012\001\000\000\000\000\000\000\000\002\000\000\000\000\000\000\000");
    char *text[] = {"a", "bcd"};
    CHECK_INT(npy_write_text("u.npy", text, 2, &e), 0);
    CHECK_FILE("u.npy", PRE "{'descr': '<U3', 'fortran_order': False, 'shape': (2,), }" SP60
                            "\012a\000\000\000\000\000\000\000\000\000\000\000b\000\000\000c\000\000\000d\000\000\000");
    char *bad[] = {"ok", "\377"};
    CHECK_INT(npy_write_text("bad.npy", bad, 2, &e), -1);
    CHECK_STR(e.msg, "bad.npy: value 1 is not UTF-8");
}

static void reading(unit *u)
{
    mc_err e = {{0}};
    npy_array a = {0};
    CHECK_INT(npy_read("f8.npy", &a, &e), 0);
    CHECK(a.dtype == NPY_F8 && a.ndim == 2 && a.fortran_order == 1);
    CHECK_UINT(a.shape[0], 2);
    CHECK_UINT(a.shape[1], 3);
    CHECK_UINT(a.count, 6);
    CHECK(npy_get_f64(&a, 5) == -0.25 && npy_get_f64(&a, 0) == 1.5);
    CHECK_INT(npy_get_i64(&a, 0), 1);   /* truncated toward zero */
    npy_free(&a);
    CHECK(a.data == NULL);

    /* numpy's big-endian '>i4' of [1, 2]: read as native int32 */
    static const char be[] = PRE "{'descr': '>i4', 'fortran_order': False, 'shape': (2,), }" SP60
                                 "\012\000\000\000\001\000\000\000\002";
    CHECK_INT(unit_spill("be.npy", be, sizeof be - 1), 0);
    CHECK_INT(npy_read("be.npy", &a, &e), 0);
    CHECK(a.dtype == NPY_I4 && a.ndim == 1);
    CHECK_UINT(a.shape[1], 1);
    CHECK_INT(npy_get_i64(&a, 0) * 10 + npy_get_i64(&a, 1), 12);
    npy_free(&a);

    CHECK_INT(npy_read_header("i4.npy", &a, &e), 0);
    CHECK(a.dtype == NPY_I4 && a.count == 3 && a.data == NULL);

    CHECK_INT(npy_read("u.npy", &a, &e), 0);
    CHECK(a.dtype == NPY_U && a.ustr == 3 && a.count == 2);
    CHECK_UINT(npy_item_size(&a), 12);
    char *s0 = npy_ustr(&a, 0, "u.npy", &e), *s1 = npy_ustr(&a, 1, "u.npy", &e);
    CHECK_STR(s0, "a");
    CHECK_STR(s1, "bcd");
    free(s0);
    free(s1);
    memcpy((char *)a.data + 4, "\351\000\000\000\000\000\000\000", 8);   /* U+00E9 */
    s0 = npy_ustr(&a, 0, "u.npy", &e);
    CHECK_STR(s0, "a\303\251");
    free(s0);
    memcpy((char *)a.data + 4, "\000\330\000\000", 4);   /* U+D800, a surrogate */
    s0 = npy_ustr(&a, 0, "u.npy", &e);
    CHECK(s0 == NULL);
    free(s0);
    CHECK_STR(e.msg, "u.npy: value 0: character U+D800 is not Unicode");
    npy_free(&a);
}

/* A file of PRE and a header holding DICT (spaces and '\n' to 118 bytes) is refused with MSG. */
static void refused_header(unit *u, const char *dict, const char *msg)
{
    char b[128];
    memset(b, ' ', sizeof b);
    memcpy(b, PRE, 10);
    memcpy(b + 10, dict, strlen(dict));
    b[127] = '\n';
    mc_err e = {{0}};
    npy_array a = {0};
    CHECK_INT(unit_spill("bad.npy", b, sizeof b), 0);
    CHECK_INT(npy_read("bad.npy", &a, &e), -1);
    CHECK_STR(e.msg, msg);
    CHECK(a.data == NULL);
}

static void refused_file(unit *u, const char *bytes, size_t n, const char *msg)
{
    mc_err e = {{0}};
    npy_array a = {0};
    CHECK_INT(unit_spill("bad.npy", bytes, n), 0);
    CHECK_INT(npy_read("bad.npy", &a, &e), -1);
    CHECK_STR(e.msg, msg);
    CHECK(a.data == NULL);
}

static void refused(unit *u)
{
    refused_file(u, I4, sizeof I4 - 2, "bad.npy: .npy file is 139 bytes but its header says 140");
    refused_file(u, "\223NUMPX\001\000", 8, "bad.npy: not a .npy file (bad magic)");
    refused_file(u, "\223NUMPY\004\000\000\000", 10, "bad.npy: unsupported .npy version 4.0");
    refused_file(u, "\223NUMPY\003\000\000\000", 10, "bad.npy: truncated .npy header");
    refused_header(u, "{'descr': '<i4', 'fortran_order': False, 'shape': (3,), }x",
                   "bad.npy: bad .npy header (text after the dict)");
    refused_header(u, "{'descr': '<i4', 'fortran_order': False, 'shape': (3,), 'x': 1}",
                   "bad.npy: bad .npy header (unknown key 'x')");
    refused_header(u, "{'descr': '<i4', 'shape': (3,), 'fortran_order': False, 'shape': (3,)}",
                   "bad.npy: bad .npy header (key 'shape' twice)");
    refused_header(u, "{'descr': '<i4', 'fortran_order': False, 'shape': (3, 1, 1), }",
                   "bad.npy: bad .npy header (shape must be 1-D or 2-D)");
}

int main(void)
{
    unit t = {0}, *u = &t;
    writing(u);
    reading(u);
    refused(u);
    return unit_done(u, "npy");
}
