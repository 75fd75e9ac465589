/* h5-read: read an HDF5 matrix as mc-import-cells does, and nothing else.
 *   h5-read [THREADS] FILE.h5      prints "PROFILES ENTRIES SUM FAST" (FAST: 1 when
 *                                  every dataset took the parallel raw-chunk path)
 * The benchmark's measure of the HDF5 read against h5py's, and a test helper. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "h5.h"

int main(int argc, char **argv)
{
    if (argc != 2 && argc != 3) {
        fprintf(stderr, "usage: h5-read [THREADS] FILE.h5\n");
        return 2;
    }
    h5_opts o = {.threads = argc == 3 ? atoi(argv[1]) : 0};
    h5_matrix m;
    mc_err e;
    if (h5_open(&m, argv[argc - 1], &o, &e) < 0) {
        fprintf(stderr, "h5-read: %s\n", e.msg);
        return 1;
    }
    mc_entries es = {0};
    size_t p;
    uint64_t n = 0, sum = 0;
    int r;
    while ((r = h5_next_profile(&m, &p, &es, &e)) > 0) {
        for (size_t i = 0; i < es.n; i++) n++, sum += es.v[i].value;
        es.n = 0;
    }
    if (r == 0) printf("%zu %" PRIu64 " %" PRIu64 " %d\n", m.profiles_count, n, sum, h5_fast(&m));
    else fprintf(stderr, "h5-read: %s\n", e.msg);
    entries_free(&es);
    h5_close(&m);
    return r < 0;
}
