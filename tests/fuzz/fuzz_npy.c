/* fuzz_npy: the .npy reader (header parser, size checks, data). */
#include <stdlib.h>

#include "fuzz.h"
#include "npy.h"

/* Every value of a string array as UTF-8 (or one line saying why not). */
static void strings(const npy_array *a, mc_err *e)
{
    for (size_t i = 0; i < a->count; i++) {
        char *s = npy_ustr(a, i, "a.npy", e);
        if (!s) {
            fuzz_one_line(e);
            return;
        }
        free(s);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
    mc_err e = {{0}};
    npy_array a;
    if (npy_read(fuzz_file("a.npy", d, n), &a, &e) == 0) {
        if (a.dtype == NPY_U) strings(&a, &e);
        npy_free(&a);
    } else fuzz_one_line(&e);
    return 0;
}
