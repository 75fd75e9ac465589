/* mc-write-matrix: an STD directory to a BATCH container, genes in the gene set's order. */

#include "batch.h"
#include "cli.h"
#include "options.h"

static const char about[] =
    "Convert the STD directory to the BATCH container BATCH: gp.umis.mmm with the\n"
    "genes in the gene set's order (STD genes matched by their canonical names,\n"
    "as mc-make-genes made them), every profile field as p.FIELD.txt (str) or\n"
    "p.FIELD.npy (int: <i4 or <i8, float: <f8), and profiles.yaml.\n";

static const char more[] =
    "Memory: the profiles' CSV values and 8 bytes per profile when the matrix is\n"
    "sorted by profile (column), as 10x and mc-import-hca write it.  A matrix in\n"
    "another order (gene-major, as MOCA) is read twice and its entries held in\n"
    "memory, 8 bytes each (12 when a value exceeds 2^32-1): delane it first.\n"
    "\n"
    "Example:\n"
    "  mc-write-matrix delaned/pbmc/1 cells/pbmc/1\n";

int main(int argc, char **argv)
{
    cli c = {.tool = "mc-write-matrix", .operands = "STD BATCH", .about = about, .more = more};
    batch_options opt = {.kind = "cells"};
    const option_spec options[] = {
        OPT_GENES(&opt.genes, "the gene set (default: the nearest genes/ directory\nwalking up from BATCH's parent)"),
        OPT_STRING("profiles-kind", &opt.kind, "KIND", "the profiles_kind recorded (default cells)"),
        OPT_RENAMED("kind", "profiles-kind"),
        OPT_STRING("organism", &opt.organism, "NAME", "check that the gene set is of this organism"),
        OPT_FORMAT(&opt.format),
        OPT_FORCE(&opt.force, "replace an existing BATCH"),
        OPT_END(),
    };
    char **args;
    if (options_parse(&c, options, argc, argv, &args) != 2) cli_usage_error(&c, "expected STD and BATCH");
    if (!*opt.kind) cli_usage_error(&c, "--profiles-kind needs a name");
    progress pr = cli_progress(&c);
    mc_err e;
    return batch_write(&pr, args[0], args[1], &opt, &e) < 0 ? cli_fail(&c, &e) : 0;
}
