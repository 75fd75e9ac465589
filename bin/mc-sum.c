/* mc-sum: exact UMI totals per profile or per gene, cached in the container. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "options.h"
#include "container.h"
#include "genenames.h"
#include "totals.h"

static const char about[] =
    "Print the exact total UMIs of every profile (or gene) of CONTAINER (any\n"
    "kind) as TSV lines NAME<TAB>TOTAL, in container order.  Profile names are\n"
    "barcodes (or indices), prefixed 'MEMBER:' inside a collection; gene names\n"
    "come from the gene set.  A view sums only the genes it keeps.\n";

static const char more[] =
    "The totals are cached in CONTAINER as p.total_umis.npy and g.total_umis.npy\n"
    "(<f8, exact), with total_umis.uuid naming the container uuid they were\n"
    "computed for; a cache whose uuid differs is recomputed.  A view slicing no\n"
    "genes of a base with a valid cache takes the base's proven totals, decoding\n"
    "only the profiles it drops (or keeps, if fewer).  A cache that cannot be\n"
    "written is a warning, not an error.  Memory: O(profiles + threads x genes).\n"
    "\n"
    "Example:\n"
    "  mc-sum cells/pbmc | awk '$2 >= 800 {print $1}' | mc-make-view --keep-profiles - cells/pbmc views/good\n";

static const char *const by_choices[] = {"profile", "gene", NULL};

static int print_profile(void *ctx, size_t i, const char *prefix, const char *name, mc_err *e)
{
    const totals *t = ctx;
    (void)e;
    if (prefix) printf("%s:", prefix);
    printf("%s\t%" PRIu64 "\n", name, t->p[i]);
    return 0;
}

static int print_profiles(container *c, const totals *t, mc_err *e)
{
    return container_profile_names_each(c, print_profile, (void *)t, e);
}

static int print_genes(container *c, const char *gene_set, const totals *t, mc_err *e)
{
    gene_names g;
    if (genenames_open(c, gene_set, &g, e) < 0) return -1;
    for (size_t i = 0; i < c->genes_count; i++) printf("%s\t%" PRIu64 "\n", genenames_get(&g, i), t->g[i]);
    genenames_close(&g);
    return 0;
}

static int sum(const cli *ui, const char *dir, int by_gene, const char *gene_set, int threads, int force, mc_err *e)
{
    progress pr = cli_progress(ui);
    container *c = container_open(dir, e);
    totals t = {0};
    int rc = c ? 0 : -1;
    if (rc == 0 && (force || totals_load(c, &t, e) == 0)) {
        rc = totals_compute(c, &pr, threads, &t, e);
        mc_err w;
        if (rc == 0 && totals_store(c, &t, &w) < 0) cli_warn(ui, "totals not cached: %s", w.msg);
    }
    if (rc == 0) rc = by_gene ? print_genes(c, gene_set, &t, e) : print_profiles(c, &t, e);
    if (rc == 0 && fflush(stdout) != 0) rc = mc_err_errno(e, "stdout", "cannot write");
    totals_free(&t);
    container_close(c);
    return rc;
}

int main(int argc, char **argv)
{
    cli c = {.tool = "mc-sum", .operands = "CONTAINER", .about = about, .more = more};
    const char *gene_set = NULL;
    int by_gene = 0, force = 0, threads = 0;
    const option_spec options[] = {
        OPT_CHOICE("by", &by_gene, "profile|gene", by_choices, "what to print (default: profile)"),
        OPT_GENES(&gene_set, "the gene set naming the genes (default: the first\n"
                      "genes/ directory above CONTAINER with the right uuid)"),
        OPT_THREADS(&threads, "threads decoding profiles (default: every core)"),
        OPT_FORCE(&force, "recompute even when the cache is valid"),
        OPT_END(),
    };
    char **args;
    if (options_parse(&c, options, argc, argv, &args) != 1) cli_usage_error(&c, "expected one CONTAINER");
    mc_err e;
    return sum(&c, args[0], by_gene, gene_set, threads, force, &e) < 0 ? cli_fail(&c, &e) : 0;
}
