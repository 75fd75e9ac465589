/* fuzz_npy: the .npy reader (header parser, size checks, data). */
#include "fuzz.h"
#include "npy.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
    mc_err e = {{0}};
    npy_array a;
    if (npy_read(fuzz_file("a.npy", d, n), &a, &e) == 0) npy_free(&a);
    else fuzz_one_line(&e);
    return 0;
}
