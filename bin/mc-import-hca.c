/* mc-import-hca: an HCA / 10x HDF5 file to the canonical STD directory. */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "h5import.h"

static const char usage[] =
    "Usage: mc-import-hca [--genome NAME] [--all-features] [--layer NAME] [--lane-column C]\n"
    "                     [--threads N] [--force] [--progress] H5 STD\n"
    "Convert an HCA or 10x HDF5 matrix (Cell Ranger v2 genome groups, or v3\n"
    "matrix/), an AnnData .h5ad or a Loom file into the canonical STD directory: format.yaml, genes.csv\n"
    "(ensembl,name), profiles.csv (barcode,lane,batch) and umis.mtx (genes x\n"
    "profiles, entries profile after profile, so the STD streams downstream).\n"
    "\n"
    "  --genome NAME    v2: the genome group to read (required when there are\n"
    "                   several); v3: keep only features of this genome\n"
    "  --all-features   v3: keep every feature type, not only Gene Expression,\n"
    "                   and add their feature_type column to genes.csv\n"
    "  --layer NAME     .h5ad: the counts in layers/NAME, or raw (raw/X with\n"
    "                   raw/var); Loom: layers/NAME (default: X, /matrix)\n"
    "  --lane-column C  .h5ad / Loom: lanes from the obs / col_attrs column C\n"
    "                   (default: from HCA barcodes, else one lane 'all')\n"
    "  --threads N      threads inflating the HDF5 chunks (default: every core)\n"
    "  --force          replace an existing STD\n"
    "  --progress       report progress on stderr (default: when a terminal)\n"
    "\n"
    "Barcodes: when every barcode has the HCA form LANE-BARCODE-N\n"
    "(MantonBM1_HiSeq_1-AAACCTGAGAAGGCCT-1), lane is the part before the first\n"
    "'-' (MantonBM1_HiSeq_1), batch the lane up to its first '_' (MantonBM1),\n"
    "barcode the rest (AAACCTGAGAAGGCCT-1).  Otherwise (plain 10x barcodes,\n"
    "AAACCTGAGAAGGCCT-1) every barcode is kept whole, with lane and batch 'all'.\n"
    "\n"
    "Memory: in proportion to the profiles and genes (names, indptr), plus\n"
    "a few compressed chunks per thread; it does not depend on the number of\n"
    "non-zeros.  To go straight to per-lane batches, see mc-import-cells.\n"
    "\n"
    "Example:\n"
    "  mc-import-hca raw/ica_bone_marrow_h5.h5 std/bone_marrow\n"
    "  mc-import-hca --genome GRCh38 raw/pbmc_10k.h5 std/pbmc_10k\n";

int main(int argc, char **argv)
{
    cli c = {.tool = "mc-import-hca", .usage = usage};
    static const struct option opts[] = {
        {"genome", required_argument, NULL, 'g'}, {"all-features", no_argument, NULL, 'a'},
        {"layer", required_argument, NULL, 'L'}, {"lane-column", required_argument, NULL, 'C'},
        {"force", no_argument, NULL, 'f'},        {"progress", no_argument, NULL, 'p'},
        {"threads", required_argument, NULL, 't'},
        {NULL, 0, NULL, 0},
    };
    h5_opts o = {0};
    int force = 0, ch;
    mc_err e;
    cli_init(&c, argc, argv);
    opterr = 0;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (ch) {
        case 'g': o.genome = optarg; break;
        case 'a': o.all_features = 1; break;
        case 'L': o.layer = optarg; break;
        case 'C': o.lane_column = optarg; break;
        case 'f': force = 1; break;
        case 'p': break;
        case 't': o.threads = cli_threads(&c, optarg); break;
        default: cli_usage_error(&c, "unknown option or missing value: %s", argv[optind - 1]);
        }
    }
    if (argc - optind != 2) cli_usage_error(&c, "expected H5 and STD, got %d arguments", argc - optind);
    if (h5import_std(&c, argv[optind], argv[optind + 1], &o, force, &e) < 0) return cli_fail(&c, &e);
    return 0;
}
