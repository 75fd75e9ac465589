/* profile-totals: libmc's public interface in one program.
 *
 *   cc profile-totals.c $(pkg-config --cflags --libs mc) -o profile-totals
 *   ./profile-totals CONTAINER [GENE...]
 *
 * Prints NAME<TAB>TOTAL for every profile of CONTAINER (any kind), the total
 * summed here from the profile's non-zeros decoded one by one (the same as
 * `mc-sum CONTAINER`), then the same totals again from a CSR matrix of every
 * profile decoded on every core, as a check, restricted to the genes named
 * (all when none). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mc.h>

static int fail(const char *what, const mc_err *e)
{
    fprintf(stderr, "profile-totals: %s: %s\n", what, mc_err_message(e));
    return 1;
}

/* The totals of every profile from the CSR matrix of SEL. */
static int csr_totals(mc_container *c, const mc_selection *sel, uint64_t *totals, mc_err *e)
{
    size_t rows = mc_profiles_count(c);
    int64_t *indptr = malloc((rows + 1) * sizeof *indptr);
    int rc = indptr ? mc_csr_indptr(c, sel, 0, indptr, e) : -1;
    size_t nnz = rc == 0 ? (size_t)indptr[rows] : 0;
    int64_t *indices = malloc((nnz ? nnz : 1) * sizeof *indices);
    double *data = malloc((nnz ? nnz : 1) * sizeof *data);
    if (!indptr || !indices || !data) {
        snprintf(e->msg, sizeof e->msg, "out of memory");
        rc = -1;
    }
    if (rc == 0) rc = mc_csr_fill(c, sel, 0, MC_INT64, indptr, indices, MC_FLOAT64, data, e);
    for (size_t p = 0; rc == 0 && p < rows; p++) {
        totals[p] = 0;
        for (int64_t k = indptr[p]; k < indptr[p + 1]; k++) totals[p] += (uint64_t)data[k];
    }
    free(indptr);
    free(indices);
    free(data);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: profile-totals CONTAINER [GENE...]\n");
        return 2;
    }
    mc_err e;
    mc_container *c = mc_open(argv[1], NULL, &e);
    if (!c) return fail("open", &e);
    size_t P = mc_profiles_count(c), G = mc_container_genes_count(c), n;
    mc_text names = {0}, genes = {0};
    uint32_t *idx = malloc((G ? G : 1) * sizeof *idx);
    uint64_t *counts = malloc((G ? G : 1) * sizeof *counts), *again = malloc((P ? P : 1) * sizeof *again);
    int64_t *chosen = malloc((size_t)argc * sizeof *chosen);
    int rc = idx && counts && again && chosen ? 0 : 1;
    if (rc == 0 && mc_profile_names(c, &names, &e) < 0) rc = fail("profile names", &e);
    for (size_t p = 0; rc == 0 && p < P; p++) {
        uint64_t total = 0;
        if (mc_profile_sparse(c, p, idx, counts, G, &n, &e) < 0) rc = fail("decode", &e);
        for (size_t k = 0; rc == 0 && k < n; k++) total += counts[k];
        if (rc == 0) printf("%s\t%" PRIu64 "\n", names.v[p], total);
    }
    mc_selection sel = {0};
    if (rc == 0 && argc > 2) {   /* genes by name, as the columns */
        if (mc_gene_names(c, &genes, &e) < 0) rc = fail("gene names", &e);
        for (int a = 2; rc == 0 && a < argc; a++) {
            size_t g = 0;
            while (g < genes.count && strcmp(genes.v[g], argv[a])) g++;
            if (g == genes.count) rc = fail(argv[a], &(mc_err){"no such gene"});
            chosen[a - 2] = (int64_t)g;
        }
        sel = (mc_selection){NULL, 0, chosen, (size_t)argc - 2};
    }
    if (rc == 0 && csr_totals(c, &sel, again, &e) < 0) rc = fail("csr", &e);
    for (size_t p = 0; rc == 0 && p < P; p++) printf("csr\t%s\t%" PRIu64 "\n", names.v[p], again[p]);
    mc_text_free(&names);
    mc_text_free(&genes);
    free(idx);
    free(counts);
    free(again);
    free(chosen);
    mc_close(c);
    return rc;
}
