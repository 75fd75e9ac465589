/* container-tool: expose common/store/container.c to the tests.
 *   container-tool entries DIR           "profile gene value" for every non-zero
 *   container-tool dense DIR             one line per profile, genes_count values (add-into row)
 *   container-tool array DIR g|p NAME    the values, one per line, or "absent"
 *   container-tool names DIR             profile names
 *   container-tool available DIR KIND    visible data names
 *   container-tool full-genes DIR        full gene set uuid, then the index ("identity" if none) */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "container.h"

static int entries(container *c, mc_err *e)
{
    mc_entries es = {0};
    int rc = 0;
    for (size_t p = 0; rc == 0 && p < c->profiles_count; p++) {
        rc = container_profile_entries(c, p, &es, e);
        for (size_t i = 0; rc == 0 && i < es.n; i++) printf("%zu %u %" PRIu64 "\n", p, es.v[i].gene, es.v[i].value);
    }
    entries_free(&es);
    return rc;
}

static int dense(container *c, mc_err *e)
{
    uint64_t *row = mc_alloc_array(c->genes_count + 1, sizeof *row);
    if (!row) return mc_err_oom(e, c->path);
    container_cursor k;
    container_cursor_init(&k, c, 0);
    int rc = 0;
    for (size_t p = 0; rc == 0 && p < c->profiles_count; p++) {
        memset(row, 0, (c->genes_count + 1) * sizeof *row);
        rc = container_cursor_add(&k, p, row, NULL, e);
        for (size_t g = 0; rc == 0 && g < c->genes_count; g++) printf(g ? " %" PRIu64 : "%" PRIu64, row[g]);
        printf("\n");
    }
    container_cursor_free(&k);
    free(row);
    return rc;
}

static int array(container *c, char kind, const char *name, mc_err *e)
{
    mc_array a;
    int rc = container_array(c, kind, name, &a, e);
    if (rc < 0) return -1;
    if (rc == 0) {
        printf("absent\n");
        return 0;
    }
    size_t n = a.is_text ? a.text.count : a.num.count;
    for (size_t i = 0; i < n; i++) {
        if (a.is_text) printf("%s\n", a.text.v[i]);
        else if (a.num.dtype == NPY_F4 || a.num.dtype == NPY_F8) printf("%.17g\n", npy_get_f64(&a.num, i));
        else printf("%" PRId64 "\n", npy_get_i64(&a.num, i));
    }
    container_array_free(&a);
    return 0;
}

static int run(container *c, int argc, char **argv, mc_err *e)
{
    const char *cmd = argv[1];
    if (!strcmp(cmd, "entries")) return entries(c, e);
    if (!strcmp(cmd, "dense")) return dense(c, e);
    if (!strcmp(cmd, "array") && argc == 5) return array(c, argv[3][0], argv[4], e);
    if (!strcmp(cmd, "names")) {
        strvec t;
        if (container_profile_names(c, &t, e) < 0) return -1;
        for (size_t i = 0; i < t.count; i++) printf("%s\n", t.v[i]);
        strvec_free(&t);
        return 0;
    }
    if (!strcmp(cmd, "available") && argc == 4) {
        strvec names;
        if (container_available(c, argv[3], &names, e) < 0) return -1;
        for (size_t i = 0; i < names.count; i++) printf("%s\n", names.v[i]);
        strvec_free(&names);
        return 0;
    }
    if (!strcmp(cmd, "full-genes")) {
        int32_t *index;
        char uuid[MC_UUID_STRLEN];
        if (container_full_genes(c, &index, uuid, e) < 0) return -1;
        printf("%s\n", uuid);
        if (!index) printf("identity\n");
        for (size_t g = 0; index && g < c->genes_count; g++) printf("%d\n", index[g]);
        free(index);
        return 0;
    }
    return mc_err_fail(e, "unknown command '%s'", cmd);
}

int main(int argc, char **argv)
{
    mc_err e;
    if (argc < 3) {
        fprintf(stderr, "usage: container-tool CMD DIR [ARGS]\n");
        return 2;
    }
    container *c = container_open(argv[2], &e);
    int rc = c ? run(c, argc, argv, &e) : -1;
    container_close(c);
    if (rc < 0) {
        fprintf(stderr, "container-tool: %s\n", e.msg);
        return 1;
    }
    return 0;
}
