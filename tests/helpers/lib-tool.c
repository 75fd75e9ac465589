/* lib-tool: expose common/ primitives to the tests.
 *   lib-tool mmm-write OUT GENES [LIMIT]  stdin: one profile per line, "gene:value ..." (any order, dups, zeros)
 *   lib-tool mmm-decode FILE          one line per profile, canonical "gene:value ..." (mmm_profile_entries)
 *   lib-tool mmm-dense FILE           one line per profile, GENES values (mmm_add_profile)
 *   lib-tool mmm-count FILE           entries_count
 *   lib-tool npy-write FILE DTYPE N|ROWSxCOLS VALUES...   (2-D: fortran order, values in column order)
 *   lib-tool npy-read FILE            "DTYPE SHAPE fortran" then the values
 *   lib-tool uuid-file FILE... / uuid-combine UUID...
 *   lib-tool relpath FROM TO / unique NAME...   */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "genes.h"
#include "mmm.h"
#include "npy.h"
#include "path.h"
#include "uuid.h"

static int mmm_write(const char *path, uint32_t genes, const char *limit, mc_err *e)
{
    const char *spill = getenv("MMM_SPILL");   /* a closed writer appending every SPILL bytes */
    mmm_writer *w = mmm_writer_open_closed(path, genes, spill ? strtoull(spill, NULL, 10) : 0, e);
    if (!w) return -1;
    if (limit) mmm_writer_set_limit(w, strtoull(limit, NULL, 10));
    char line[1 << 16];
    mc_entries es = {0};
    while (fgets(line, sizeof line, stdin)) {
        es.n = 0;
        for (char *tok = strtok(line, " \n"); tok; tok = strtok(NULL, " \n")) {
            unsigned g;
            unsigned long long v;
            if (sscanf(tok, "%u:%llu", &g, &v) == 2) entries_push(&es, g, v);
        }
        if (mmm_writer_add(w, &es, e) < 0) {
            entries_free(&es);
            mmm_writer_abort(w);
            return -1;
        }
    }
    entries_free(&es);
    return mmm_writer_close(w, e);
}

static int mmm_print(const char *path, const char *how, mc_err *e)
{
    mmm_file m;
    if (mmm_open(&m, path, e) < 0) return -1;
    mc_entries es = {0};
    uint64_t *row = calloc(m.genes_count + 1, sizeof *row), count;
    int rc = 0;
    if (!strcmp(how, "count")) {
        rc = mmm_entries_count(&m, &count, e);
        if (rc == 0) printf("%" PRIu64 "\n", count);
    }
    for (uint32_t p = 0; rc == 0 && p < m.profiles_count && strcmp(how, "count"); p++) {
        if (!strcmp(how, "decode")) {
            rc = mmm_profile_entries(&m, p, &es, e);
            for (size_t i = 0; rc == 0 && i < es.n; i++)
                printf(i ? " %u:%" PRIu64 : "%u:%" PRIu64, es.v[i].gene, es.v[i].value);
        } else {
            memset(row, 0, (m.genes_count + 1) * sizeof *row);
            rc = mmm_add_profile(&m, p, row, e);
            for (uint32_t g = 0; rc == 0 && g < m.genes_count; g++) printf(g ? " %" PRIu64 : "%" PRIu64, row[g]);
        }
        if (rc == 0) printf("\n");
    }
    free(row);
    entries_free(&es);
    mmm_close(&m);
    return rc;
}

static int npy_write_cmd(const char *path, const char *dtype, const char *shape, char **values, int n, mc_err *e)
{
    npy_dtype t = !strcmp(dtype, "<i4")   ? NPY_I4
                  : !strcmp(dtype, "<i8") ? NPY_I8
                  : !strcmp(dtype, "<f4") ? NPY_F4
                                          : NPY_F8;
    size_t dims[2] = {0, 0};
    int ndim = sscanf(shape, "%zux%zu", &dims[0], &dims[1]);
    char *data = malloc((size_t)n * 8 + 8);
    for (int i = 0; i < n; i++) {
        double d = strtod(values[i], NULL);
        int32_t i4 = (int32_t)d;
        int64_t i8 = strtoll(values[i], NULL, 10);
        float f4 = (float)d;
        void *src = t == NPY_I4 ? (void *)&i4 : t == NPY_I8 ? (void *)&i8 : t == NPY_F4 ? (void *)&f4 : (void *)&d;
        memcpy(data + (size_t)i * npy_dtype_size(t), src, npy_dtype_size(t));
    }
    int rc = npy_write(path, t, ndim, dims, ndim == 2, data, e);
    free(data);
    return rc;
}

static int npy_read_cmd(const char *path, mc_err *e)
{
    npy_array a;
    if (npy_read(path, &a, e) < 0) return -1;
    if (a.ndim == 1) printf("%s (%zu,) %d\n", npy_dtype_descr(a.dtype), a.shape[0], a.fortran_order);
    else printf("%s (%zu, %zu) %d\n", npy_dtype_descr(a.dtype), a.shape[0], a.shape[1], a.fortran_order);
    for (size_t i = 0; i < a.count; i++) printf("%.17g\n", npy_get_f64(&a, i));
    npy_free(&a);
    return 0;
}

static int uuid_cmd(int combine, char **args, int n, mc_err *e)
{
    mc_uuid *us = calloc((size_t)n + 1, sizeof *us), out;
    char s[MC_UUID_STRLEN];
    int rc = 0;
    for (int i = 0; rc == 0 && i < n; i++) {
        if (combine) {
            if (uuid_parse(args[i], &us[i]) < 0) rc = mc_err_fail(e, "%s: malformed uuid", args[i]);
        } else if ((rc = uuid_of_file(args[i], &out, e)) == 0) {
            uuid_format(&out, s);
            printf("%s\n", s);
        }
    }
    if (rc == 0 && combine) {
        uuid_combine(us, (size_t)n, &out);
        uuid_format(&out, s);
        printf("%s\n", s);
    }
    free(us);
    return rc;
}

int main(int argc, char **argv)
{
    mc_err e;
    int rc = -1;
    if (argc < 2) {
        fprintf(stderr, "lib-tool: bad usage (see the source)\n");
        return 2;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "mmm-write") && (argc == 4 || argc == 5))
        rc = mmm_write(argv[2], (uint32_t)strtoul(argv[3], NULL, 10), argc == 5 ? argv[4] : NULL, &e);
    else if (!strncmp(cmd, "mmm-", 4) && argc == 3) rc = mmm_print(argv[2], cmd + 4, &e);
    else if (!strcmp(cmd, "npy-write") && argc >= 5)
        rc = npy_write_cmd(argv[2], argv[3], argv[4], argv + 5, argc - 5, &e);
    else if (!strcmp(cmd, "npy-read") && argc == 3) rc = npy_read_cmd(argv[2], &e);
    else if (!strcmp(cmd, "uuid-file")) rc = uuid_cmd(0, argv + 2, argc - 2, &e);
    else if (!strcmp(cmd, "uuid-combine")) rc = uuid_cmd(1, argv + 2, argc - 2, &e);
    else if (!strcmp(cmd, "relpath") && argc == 4) {
        char *r = path_relative(argv[2], argv[3], &e);
        if (r) printf("%s\n", r), rc = 0;
        free(r);
    } else if (!strcmp(cmd, "unique")) {
        char **names = calloc((size_t)argc, sizeof *names);
        for (int i = 2; i < argc; i++) names[i - 2] = strdup(argv[i]);
        rc = genes_make_unique(names, (size_t)argc - 2, &e);
        for (int i = 0; i < argc - 2; i++) {
            if (rc == 0) printf("%s\n", names[i]);
            free(names[i]);
        }
        free(names);
    } else {
        fprintf(stderr, "lib-tool: bad usage (see the source)\n");
        return 2;
    }
    if (rc < 0) fprintf(stderr, "lib-tool: %s\n", e.msg);
    return rc < 0 ? 1 : 0;
}
