/* fuzz_mtx: the Matrix Market scanner (banner, size line, entries, count check). */
#include "fuzz.h"
#include "mtx.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
    mc_err e = {{0}};
    mtx_reader *r = mtx_open(fuzz_file("m.mtx", d, n), &e);
    if (!r) {
        fuzz_one_line(&e);
        return 0;
    }
    uint32_t row, col;
    uint64_t v;
    int rc;
    while ((rc = mtx_next(r, &row, &col, &v, &e)) == 1)
        if (row >= mtx_rows(r) || col >= mtx_cols(r)) abort();   /* the reader promised in range */
    if (rc < 0) fuzz_one_line(&e);
    mtx_close(r);
    return 0;
}
