/* mc-import-hca: an HCA / 10x HDF5 file to the canonical STD directory. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "options.h"
#include "h5import.h"

static const char about[] =
    "Convert an HCA or 10x HDF5 matrix (Cell Ranger v2 genome groups, or v3\n"
    "matrix/), an AnnData .h5ad or a Loom file into the canonical STD directory: format.yaml, genes.csv\n"
    "(ensembl,name), profiles.csv (barcode,lane,batch) and umis.mtx (genes x\n"
    "profiles, entries profile after profile, so the STD streams downstream).\n";

static const char more[] =
    "With --all-features, genes.csv also has the feature_type column.  Annotations\n"
    "follow as more columns: .h5ad obs / var columns and Loom col / row attributes\n"
    "(text, categorical, int, float, bool), 10x v3 feature tags (SPEC 2).\n"
    "\n"
    "Barcodes: when every barcode has the HCA form LANE-BARCODE-N\n"
    "(MantonBM1_HiSeq_1-AAACCTGAGAAGGCCT-1), lane is the part before the first\n"
    "'-' (MantonBM1_HiSeq_1), batch the lane up to its first '_' (MantonBM1),\n"
    "barcode the rest (AAACCTGAGAAGGCCT-1).  Otherwise (plain 10x barcodes,\n"
    "AAACCTGAGAAGGCCT-1) every barcode is kept whole, with lane and batch 'all'.\n"
    "\n"
    "Memory: in proportion to the profiles and genes (names, indptr), plus\n"
    "a few compressed chunks per thread (16 MB each at most); it does not depend\n"
    "on the number of non-zeros, nor on duplicates (summed as read).  A file\n"
    "whose data is in other files (external storage or links), or that declares\n"
    "names it does not store, is refused (SPEC 9).  To go straight to per-lane\n"
    "batches, see mc-import-cells.\n"
    "\n"
    "Example:\n"
    "  mc-import-hca raw/ica_bone_marrow_h5.h5 std/bone_marrow\n"
    "  mc-import-hca --genome GRCh38 raw/pbmc_10k.h5 std/pbmc_10k\n";

int main(int argc, char **argv)
{
    cli c = {.tool = "mc-import-hca", .operands = "H5 STD", .about = about, .more = more};
    h5_opts o = {0};
    int force = 0;
    const option_spec options[] = {
        OPT_H5_INPUT(&o),
        OPT_THREADS(&o.threads, "threads inflating the HDF5 chunks (default: every core)"),
        OPT_FORCE(&force, "replace an existing STD"),
        OPT_END(),
    };
    char **args;
    int n = options_parse(&c, options, argc, argv, &args);
    if (n != 2) cli_usage_error(&c, "expected H5 and STD, got %d arguments", n);
    progress pr = cli_progress(&c);
    mc_err e;
    return h5import_std(&pr, args[0], args[1], &o, force, &e) < 0 ? cli_fail(&c, &e) : 0;
}
