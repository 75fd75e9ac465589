/* mc-make-genes: check that STD directories agree on their genes and write the gene set. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "options.h"
#include "geneset.h"
#include "outdir.h"

static const char about[] =
    "Check that every INPUT, an STD directory or an HCA / 10x HDF5, .h5ad or Loom file, lists\n"
    "the same genes (the same rows, names and ensembl ids, in the same order;\n"
    "else name the first difference), or with --union the union of their genes, and\n"
    "write the gene set GENES (SPEC 5): g.name.txt (upper-cased, sorted by\n"
    "bytes, duplicates made unique with -1, -2, ...), g.original_name.txt (the\n"
    "names as the input wrote them), g.ensembl.txt and any other gene field\n"
    "(g.genome.txt from HDF5) as g.FIELD.txt/.npy in the same order, and genes.yaml.\n";

static const char more[] =
    "HDF5 inputs are read as mc-import-hca reads them (--genome, --all-features,\n"
    "--layer; --lane-column is accepted and checked as the importers take it).\n"
    "\n"
    "--union matches genes by their name in g.name.txt, as the importers do, so\n"
    "samples of different Cell Ranger references combine: a gene a sample lacks\n"
    "imports as zero UMIs in its cells.  The first INPUT with a gene gives its\n"
    "ensembl id and other fields; a field some INPUT lacks is stored as text.\n"
    "\n"
    "--if-changed keeps an existing GENES whose files are the same as the new\n"
    "ones, untouched (times and all), and replaces it otherwise: a pipeline\n"
    "re-checks the gene set whenever a sample changes without rebuilding what\n"
    "was made from it (pipelines/mc.mk).\n"
    "\n"
    "Example:\n"
    "  mc-make-genes --organism human delaned/pbmc/*/ genes\n"
    "  mc-make-genes --organism human raw/*.h5 genes\n"
    "  mc-make-genes --organism human --union raw/v2.h5 raw/v3.h5 genes\n";

int main(int argc, char **argv)
{
    cli c = {.tool = "mc-make-genes", .operands = "--organism NAME INPUT... GENES", .about = about, .more = more};
    const char *format = NULL, *organism = NULL;
    h5_opts o = {.threads = 1};
    int force = 0, unite = 0, if_changed = 0;
    const option_spec options[] = {
        OPT_STRING("organism", &organism, "NAME", "the organism recorded in genes.yaml (required)"),
        OPT_FORMAT(&format),
        OPT_H5_INPUT(&o),
        OPT_FLAG("union", &unite, "the union of the inputs' genes, not one list they all share"),
        OPT_FORCE(&force, "replace an existing GENES"),
        OPT_FLAG("if-changed", &if_changed,
                 "replace an existing GENES only if its files change (--force; the same: left as it is)"),
        OPT_END(),
    };
    char **args;
    int n = options_parse(&c, options, argc, argv, &args);
    if (!organism || !*organism) cli_usage_error(&c, "--organism NAME is required");
    if (n < 2) cli_usage_error(&c, "expected STD... GENES");
    mc_err e;
    if (if_changed) force = OUTDIR_KEEP_SAME;
    if (geneset_make(args, (size_t)(n - 1), format, &o, organism, unite, args[n - 1], force, &e) < 0)
        return cli_fail(&c, &e);
    return 0;
}
