/* mc-write-matrix: an STD directory to a BATCH container, genes in the gene set's order. */
#include <getopt.h>

#include "batchwrite.h"
#include "cli.h"

static const char usage[] =
    "Usage: mc-write-matrix [--genes GENES] [--kind KIND] [--organism NAME] [--format FILE]\n"
    "                       [--force] [--progress] STD BATCH\n"
    "Convert the STD directory to the BATCH container BATCH: gp.umis.mmm with the\n"
    "genes in the gene set's order (STD genes matched by their canonical names,\n"
    "as mc-make-genes made them), every profile field as p.FIELD.txt (str) or\n"
    "p.FIELD.npy (int: <i4 or <i8, float: <f8), and profiles.yaml.\n"
    "\n"
    "  --genes GENES    the gene set (default: the nearest genes/ directory\n"
    "                   walking up from BATCH's parent)\n"
    "  --kind KIND      profiles_kind (default cells)\n"
    "  --organism NAME  check that the gene set is of this organism\n"
    "  --format FILE    how to read STD (default STD/format.yaml, else the 10x\n"
    "                   or MOCA layout of its files; see mc-delane)\n"
    "  --force          replace an existing BATCH\n"
    "\n"
    "Memory: the profiles' CSV values and 8 bytes per profile when the matrix is\n"
    "sorted by profile (column), as 10x and mc-import-hca write it.  A matrix in\n"
    "another order (gene-major, as MOCA) is read twice and its entries held in\n"
    "memory, 8 bytes each (12 when a value exceeds 2^32-1): delane it first.\n"
    "\n"
    "Example:\n"
    "  mc-write-matrix delaned/pbmc/1 cells/pbmc/1\n";

int main(int argc, char **argv)
{
    cli c = {.tool = "mc-write-matrix", .usage = usage};
    static const struct option long_options[] = {
        {"genes", required_argument, 0, 'g'},  {"kind", required_argument, 0, 'k'},
        {"organism", required_argument, 0, 'o'}, {"format", required_argument, 0, 'f'},
        {"force", no_argument, 0, 'F'},        {"progress", no_argument, 0, 'p'},
        {0, 0, 0, 0}};
    batch_options opt = {.kind = "cells"};
    int o;
    cli_init(&c, argc, argv);
    while ((o = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
        if (o == 'g') opt.genes = optarg;
        else if (o == 'k') opt.kind = optarg;
        else if (o == 'o') opt.organism = optarg;
        else if (o == 'f') opt.format = optarg;
        else if (o == 'F') opt.force = 1;
        else if (o != 'p') cli_usage_error(&c, "unknown option");
    }
    if (optind != argc - 2) cli_usage_error(&c, "expected STD and BATCH");
    if (!*opt.kind) cli_usage_error(&c, "--kind needs a name");
    mc_err e;
    if (batch_write(&c, argv[optind], argv[optind + 1], &opt, &e) < 0) return cli_fail(&c, &e);
    return 0;
}
