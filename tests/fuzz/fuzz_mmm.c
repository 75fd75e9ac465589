/* fuzz_mmm: the MMM reader and validator: open (header and offsets index),
 * count (validates every profile), then decode profiles three ways. */
#include "fuzz.h"
#include "mmm.h"

#define MAX_PROFILES 4096          /* decode no more per input: keeps runs fast */
#define MAX_DENSE_GENES (1u << 16) /* a dense row larger than this is not worth its memset */

static void decode(const mmm_file *m)
{
    mc_entries es = {0};
    mc_err e = {{0}};
    uint64_t *row = m->genes_count <= MAX_DENSE_GENES ? calloc(m->genes_count + 1, sizeof *row) : NULL;
    for (uint32_t p = 0; p < m->profiles_count && p < MAX_PROFILES; p++) {
        uint64_t total;
        if (mmm_profile_entries(m, p, &es, &e) < 0) fuzz_one_line(&e);
        if (mmm_profile_total(m, p, &total, &e) < 0) fuzz_one_line(&e);
        if (row && mmm_add_profile(m, p, row, &e) < 0) fuzz_one_line(&e);
    }
    free(row);
    entries_free(&es);
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
    mc_err e = {{0}};
    mmm_file m;
    if (mmm_open(&m, fuzz_file("gp.umis.mmm", d, n), &e) < 0) {
        fuzz_one_line(&e);
        return 0;
    }
    uint64_t count;
    if (mmm_entries_count(&m, &count, &e) < 0) fuzz_one_line(&e);
    decode(&m);
    mmm_close(&m);
    return 0;
}
