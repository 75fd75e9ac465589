/* mtx-tool: expose common/io/mtx.c to the tests.
 *   mtx-tool read FILE                       "ROWS COLS ENTRIES integer|real", then "row col value" 0-based
 *   mtx-tool write OUT ROWS COLS ENTRIES|-   "row col value" 0-based from stdin into OUT
 *   mtx-tool abort OUT ROWS COLS ENTRIES|-   the same, then mtx_writer_abort (nothing may remain)
 *   mtx-tool scan FILE                       parse only; print "ENTRIES SUM" (the scanner's benchmark)
 *   mtx-tool inflate FILE                    gzread FILE as the reader does, nothing else; print the bytes
 *                                            (the floor of reading a .gz matrix)
 *   mtx-tool random OUT ROWS COLS PER_COL SEED   PER_COL pseudo-random entries per column, column-major
 *                                                (benchmark data, fast to make) */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "mtx.h"

static int read_file(const char *path, mc_err *e)
{
    mtx_reader *r = mtx_open(path, e);
    if (!r) return -1;
    printf("%u %u %" PRIu64 " %s\n", mtx_rows(r), mtx_cols(r), mtx_entries(r), mtx_is_real(r) ? "real" : "integer");
    uint32_t i, j;
    uint64_t v;
    int rc;
    while ((rc = mtx_next(r, &i, &j, &v, e)) == 1) printf("%u %u %" PRIu64 "\n", i, j, v);
    mtx_close(r);
    return rc;
}

static int scan_file(const char *path, mc_err *e)
{
    mtx_reader *r = mtx_open(path, e);
    if (!r) return -1;
    uint32_t i, j;
    uint64_t v, n = 0, sum = 0;
    int rc;
    while ((rc = mtx_next(r, &i, &j, &v, e)) == 1) n++, sum += v + i + j;
    mtx_close(r);
    if (rc == 0) printf("%" PRIu64 " %" PRIu64 "\n", n, sum);
    return rc;
}

static int inflate_file(const char *path, mc_err *e)
{
    gzFile gz = gzopen(path, "rb");
    char *buf = malloc(4u << 20);
    long long n = 0;
    int k = -1;
    if (gz && buf) {
        gzbuffer(gz, 1u << 20);   /* as mtx_open */
        while ((k = gzread(gz, buf, 4u << 20)) > 0) n += k;
    }
    if (gz) gzclose(gz);
    free(buf);
    if (k < 0) return mc_err_fail(e, "%s: cannot inflate", path);
    printf("%lld\n", n);
    return 0;
}

static int write_file(const char *path, char **argv, int abort, mc_err *e)
{
    int64_t entries = strcmp(argv[2], "-") ? strtoll(argv[2], NULL, 10) : -1;
    mtx_writer *w = mtx_writer_open(path, (uint32_t)strtoul(argv[0], NULL, 10), (uint32_t)strtoul(argv[1], NULL, 10),
                                    entries, e);
    if (!w) return -1;
    unsigned i, j;
    unsigned long long v;
    while (scanf("%u %u %llu", &i, &j, &v) == 3)
        if (mtx_writer_add(w, i, j, v, e) < 0) {
            mtx_writer_abort(w);
            return -1;
        }
    if (abort) {
        mtx_writer_abort(w);
        return 0;
    }
    return mtx_writer_close(w, e);
}

static int random_file(const char *path, char **argv, mc_err *e)
{
    uint32_t rows = (uint32_t)strtoul(argv[0], NULL, 10), cols = (uint32_t)strtoul(argv[1], NULL, 10);
    uint64_t per = strtoull(argv[2], NULL, 10), x = strtoull(argv[3], NULL, 10) * 2654435761u + 1;
    mtx_writer *w = mtx_writer_open(path, rows, cols, (int64_t)(per * cols), e);
    if (!w) return -1;
    for (uint32_t j = 0; j < cols; j++)
        for (uint64_t k = 0; k < per; k++) {
            x = x * 6364136223846793005u + 1442695040888963407u;      /* a 64-bit LCG: fine for filler */
            uint32_t row = (uint32_t)((x >> 33) % rows),
                     value = 1 + (uint32_t)((x >> 20) % 7) * (uint32_t)((x >> 12) % 3);
            if (mtx_writer_add(w, row, j, value, e) < 0) {
                mtx_writer_abort(w);
                return -1;
            }
        }
    return mtx_writer_close(w, e);
}

int main(int argc, char **argv)
{
    mc_err e;
    int rc = -1;
    if (argc == 3 && !strcmp(argv[1], "read")) rc = read_file(argv[2], &e);
    else if (argc == 3 && !strcmp(argv[1], "scan")) rc = scan_file(argv[2], &e);
    else if (argc == 3 && !strcmp(argv[1], "inflate")) rc = inflate_file(argv[2], &e);
    else if (argc == 6 && !strcmp(argv[1], "write")) rc = write_file(argv[2], argv + 3, 0, &e);
    else if (argc == 6 && !strcmp(argv[1], "abort")) rc = write_file(argv[2], argv + 3, 1, &e);
    else if (argc == 7 && !strcmp(argv[1], "random")) rc = random_file(argv[2], argv + 3, &e);
    else {
        fprintf(stderr, "usage: mtx-tool read|scan|inflate FILE | write|abort OUT ROWS COLS ENTRIES|- | "
                        "random OUT ROWS COLS PER_COL SEED\n");
        return 2;
    }
    if (rc < 0) {
        fprintf(stderr, "mtx-tool: %s\n", e.msg);
        return 1;
    }
    return 0;
}
