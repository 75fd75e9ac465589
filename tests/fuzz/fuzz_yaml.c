/* fuzz_yaml: YAML metadata (profiles.yaml, genes.yaml) and format.yaml.
 * What loads must also survive a dump and load again unchanged in its fields. */
#include "fuzz.h"
#include "meta.h"
#include "stdread.h"

static void profiles_roundtrip(const char *path)
{
    mc_err e = {{0}};
    profiles_meta m, again;
    if (meta_profiles_load(path, &m, &e) < 0) {
        fuzz_one_line(&e);
        return;
    }
    const char *out = fuzz_path("again.yaml");
    if (meta_profiles_dump(out, &m, &e) < 0 || meta_profiles_load(out, &again, &e) < 0) {
        fprintf(stderr, "dumped profiles.yaml does not load back: %s\n", e.msg);
        abort();
    }
    if (strcmp(m.uuid, again.uuid) || m.kind != again.kind || m.profiles_count != again.profiles_count ||
        m.genes_count != again.genes_count || strcmp(m.organism, again.organism) ||
        m.members_count != again.members_count)
        abort();
    meta_profiles_free(&again);
    meta_profiles_free(&m);
}

static void genes_roundtrip(const char *path)
{
    mc_err e = {{0}};
    genes_meta m, again;
    if (meta_genes_load(path, &m, &e) < 0) {
        fuzz_one_line(&e);
        return;
    }
    const char *out = fuzz_path("again.yaml");
    if (meta_genes_dump(out, &m, &e) < 0 || meta_genes_load(out, &again, &e) < 0) {
        fprintf(stderr, "dumped genes.yaml does not load back: %s\n", e.msg);
        abort();
    }
    if (strcmp(m.uuid, again.uuid) || m.genes_count != again.genes_count || strcmp(m.organism, again.organism)) abort();
    meta_genes_free(&again);
    meta_genes_free(&m);
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
    const char *path = fuzz_file("in.yaml", d, n);
    profiles_roundtrip(path);
    genes_roundtrip(path);
    mc_err e = {{0}};
    std_dir s;
    if (stdread_open(&s, fuzz_path(""), path, &e) < 0) fuzz_one_line(&e);
    else stdread_close(&s);
    return 0;
}
