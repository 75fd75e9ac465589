/* fuzz_select: the selection and group files of mc-make-view and mc-group,
 * against a fixture collection built from the shipped 10x data (the make rule
 * builds it; MC_FUZZ_FIXTURE names it).  Input: one byte choosing what the
 * file is (profiles, genes, exclusions, groups), then the file. */
#include "fuzz.h"
#include "group.h"
#include "select.h"

static container *fixture;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    const char *dir = getenv("MC_FUZZ_FIXTURE");
    mc_err e = {{0}};
    if (!dir || !(fixture = container_open(dir, &e))) {
        fprintf(stderr, "fuzz_select: MC_FUZZ_FIXTURE must name a container: %s\n", e.msg);
        exit(1);
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
    if (n < 1) return 0;
    const char *path = fuzz_file("lines.txt", d + 1, n - 1);
    mc_err e = {{0}};
    if (d[0] % 5 == 4) {
        grouping g;
        if (group_labels_read(fixture, path, 0, &g, &e) < 0) fuzz_one_line(&e);
        else group_labels_free(&g);
        return 0;
    }
    view_request r = {0};
    const char **slot[] = {&r.profiles, &r.genes, &r.exclude_profiles, &r.exclude_genes};
    *slot[d[0] % 5] = path;
    int32_t *pi, *gi;
    size_t pn, gn;
    if (select_view(fixture, &r, &pi, &pn, &gi, &gn, &e) < 0) fuzz_one_line(&e);
    else {
        free(pi);
        free(gi);
    }
    return 0;
}
