/* mc-make-genes: check that STD directories agree on their genes and write the gene set. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "geneset.h"

static const char usage[] =
    "Usage: mc-make-genes --organism NAME [--format FILE] [--genome NAME] [--all-features]\n"
    "                     [--layer NAME] [--lane-column C] [--force] INPUT... GENES\n"
    "Check that every INPUT, an STD directory or an HCA / 10x HDF5, .h5ad or Loom file, lists\n"
    "the same genes (the same rows, names and ensembl ids, in the same order;\n"
    "else name the first difference) and\n"
    "write the gene set GENES (SPEC 5): g.name.txt (upper-cased, sorted by\n"
    "bytes, duplicates made unique with -1, -2, ...), g.original_name.txt (the\n"
    "names as the input wrote them), g.ensembl.txt and any other gene field\n"
    "(g.genome.txt from HDF5) as g.FIELD.txt/.npy in the same order, and genes.yaml.\n"
    "\n"
    "  --organism NAME  the organism recorded in genes.yaml (required)\n"
    "  --format FILE    how to read every STD (default STD/format.yaml, else the\n"
    "                   10x or MOCA layout of its files; see mc-delane)\n"
    "  --genome NAME    HDF5 input: as mc-import-hca --genome\n"
    "  --all-features   HDF5 input: as mc-import-hca --all-features\n"
    "  --layer NAME     .h5ad / Loom input: as mc-import-hca --layer (raw: raw/var)\n"
    "  --lane-column C  .h5ad / Loom input: accepted (and checked) as mc-import-hca's\n"
    "  --force          replace an existing GENES\n"
    "\n"
    "Example:\n"
    "  mc-make-genes --organism human delaned/pbmc/*/ genes\n"
    "  mc-make-genes --organism human raw/*.h5 genes\n";

int main(int argc, char **argv)
{
    cli c = {.tool = "mc-make-genes", .usage = usage};
    static const struct option options[] = {{"organism", required_argument, 0, 'o'},
                                            {"format", required_argument, 0, 'f'},
                                            {"force", no_argument, 0, 'F'},
                                            {"progress", no_argument, 0, 'p'},
                                            {"genome", required_argument, 0, 'g'},
                                            {"all-features", no_argument, 0, 'a'},
                                            {"layer", required_argument, 0, 'L'},
                                            {"lane-column", required_argument, 0, 'C'},
                                            {0, 0, 0, 0}};
    const char *format = NULL, *organism = NULL;
    h5_opts o = {.threads = 1};
    int force = 0, opt;
    cli_init(&c, argc, argv);
    while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
        if (opt == 'o') organism = optarg;
        else if (opt == 'f') format = optarg;
        else if (opt == 'F') force = 1;
        else if (opt == 'g') o.genome = optarg;
        else if (opt == 'a') o.all_features = 1;
        else if (opt == 'L') o.layer = optarg;
        else if (opt == 'C') o.lane_column = optarg;   /* accepted as the importers take it */
        else if (opt != 'p') cli_usage_error(&c, "unknown option");
    }
    if (!organism || !*organism) cli_usage_error(&c, "--organism NAME is required");
    if (argc - optind < 2) cli_usage_error(&c, "expected STD... GENES");
    mc_err e;
    if (geneset_make(argv + optind, (size_t)(argc - optind - 1), format, &o, organism, argv[argc - 1], force, &e) < 0)
        return cli_fail(&c, &e);
    return 0;
}
