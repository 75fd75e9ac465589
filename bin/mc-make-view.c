/* mc-make-view: a view of a container selecting profiles and/or genes. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "container.h"
#include "derive.h"
#include "select.h"

static const char usage[] =
    "Usage: mc-make-view [OPTIONS] BASE VIEW\n"
    "Write VIEW, a view of the container BASE (any kind) keeping some of its\n"
    "profiles and/or genes.  Nothing is copied: VIEW holds p.base_index.npy /\n"
    "g.base_index.npy and refers to BASE by a relative path.  With no selection\n"
    "VIEW is a link view of the whole of BASE.\n"
    "\n"
    "Each FILE ('-' = stdin) has one profile or gene per line: a 0-based index, or\n"
    "a name.  Profile names are as mc-sum prints them (the barcode, prefixed\n"
    "'MEMBER:' inside a collection; the bare barcode is accepted when only one\n"
    "profile has it); gene names are the gene set's, in any case.  Only the first\n"
    "TAB-separated field of a line counts, and blank lines are skipped.\n"
    "\n"
    "  --profiles FILE          keep only these profiles\n"
    "  --exclude-profiles FILE  drop these profiles (from --profiles, or from all)\n"
    "  --genes FILE             keep only these genes\n"
    "  --exclude-genes FILE     drop these genes (from --genes, or from all)\n"
    "  --min-umis N             keep only profiles with at least N UMIs in BASE (its\n"
    "                           totals, as mc-sum prints them; BASE's valid cache,\n"
    "                           else summed), and write VIEW with its totals cache\n"
    "  --gene-set DIR           the gene set naming the genes (default: the first\n"
    "                           genes/ directory above BASE with the right uuid)\n"
    "  --force                  replace an existing VIEW\n"
    "  --progress               report progress on stderr (this tool is quick)\n"
    "\n"
    "Example:\n"
    "  mc-make-view --min-umis 800 cells/pbmc views/good\n"
    "  mc-sum cells/pbmc | awk '$2 >= 800 {print $1}' | mc-make-view --profiles - cells/pbmc views/good\n";

enum { OPT_PROFILES = 1, OPT_EXCLUDE_PROFILES, OPT_GENES, OPT_EXCLUDE_GENES, OPT_GENE_SET, OPT_FORCE, OPT_PROGRESS, OPT_MIN_UMIS };

static int make_view(const char *base_dir, const char *view_dir, const view_request *r, int force, mc_err *e)
{
    container *base = container_open(base_dir, e);
    int rc = base ? view_make(base, view_dir, r, force, e) : -1;
    container_close(base);
    return rc;
}

int main(int argc, char **argv)
{
    cli c = {.tool = "mc-make-view", .usage = usage};
    static const struct option options[] = {
        {"profiles", required_argument, 0, OPT_PROFILES}, {"exclude-profiles", required_argument, 0, OPT_EXCLUDE_PROFILES},
        {"genes", required_argument, 0, OPT_GENES},       {"exclude-genes", required_argument, 0, OPT_EXCLUDE_GENES},
        {"gene-set", required_argument, 0, OPT_GENE_SET}, {"force", no_argument, 0, OPT_FORCE},
        {"progress", no_argument, 0, OPT_PROGRESS},       {"min-umis", required_argument, 0, OPT_MIN_UMIS},
        {0, 0, 0, 0}};
    view_request r = {0};
    int force = 0, opt;
    cli_init(&c, argc, argv);
    while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
        switch (opt) {
        case OPT_PROFILES: r.profiles = optarg; break;
        case OPT_EXCLUDE_PROFILES: r.exclude_profiles = optarg; break;
        case OPT_GENES: r.genes = optarg; break;
        case OPT_EXCLUDE_GENES: r.exclude_genes = optarg; break;
        case OPT_GENE_SET: r.gene_set = optarg; break;
        case OPT_FORCE: force = 1; break;
        case OPT_PROGRESS: break;   /* cli_init saw it */
        case OPT_MIN_UMIS: r.min_umis = cli_count(&c, "--min-umis", optarg), r.by_umis = 1; break;
        default: cli_usage_error(&c, "unknown option");
        }
    }
    if (optind != argc - 2) cli_usage_error(&c, "expected BASE and VIEW");
    const char *files[] = {r.profiles, r.exclude_profiles, r.genes, r.exclude_genes};
    int stdin_uses = 0;
    for (size_t i = 0; i < 4; i++) stdin_uses += files[i] && !strcmp(files[i], "-");
    if (stdin_uses > 1) cli_usage_error(&c, "only one selection can be read from stdin ('-')");
    mc_err e;
    return make_view(argv[optind], argv[optind + 1], &r, force, &e) < 0 ? cli_fail(&c, &e) : 0;
}
