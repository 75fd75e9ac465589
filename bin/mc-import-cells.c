/* mc-import-cells: an HCA / 10x HDF5 file straight to per-lane batches and their collection. */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"
#include "h5import.h"

static const char usage[] =
    "Usage: mc-import-cells [--genes DIR] [--organism NAME] [--genome NAME] [--all-features]\n"
    "                       [--layer NAME] [--lane-column C]\n"
    "                       [--totals] [--threads N] [--force] [--progress] H5 CELLS\n"
    "Import an HCA or 10x HDF5 matrix (as mc-import-hca reads it) straight into\n"
    "CELLS/LANE/, one BATCH of cells per lane, and CELLS/profiles.yaml, their\n"
    "COLLECTION: in one read of the file and with no text in between, the same\n"
    "files and uuids as mc-import-hca, mc-delane, mc-write-matrix of each lane and\n"
    "mc-collect give.  Lanes come from HCA barcodes (LANE-BARCODE-N; see\n"
    "mc-import-hca), in order of first appearance; plain 10x barcodes make one\n"
    "lane 'all'.  The gene set must exist first (mc-make-genes reads the genes\n"
    "of HDF5 files too).\n"
    "\n"
    "  --genes DIR      the gene set (default: the nearest genes/ above CELLS)\n"
    "  --organism NAME  require the gene set to be of this organism\n"
    "  --genome NAME    v2: the genome group to read; v3: keep only its features\n"
    "  --all-features   v3: keep every feature type, not only Gene Expression\n"
    "  --layer NAME     .h5ad: the counts in layers/NAME, or raw (raw/X with\n"
    "                   raw/var); Loom: layers/NAME (default: X, /matrix)\n"
    "  --lane-column C  .h5ad / Loom: lanes from the obs / col_attrs column C\n"
    "                   (default: from HCA barcodes, else one lane 'all')\n"
    "  --totals         also write CELLS's totals cache (p.total_umis.npy,\n"
    "                   g.total_umis.npy, total_umis.uuid: what mc-sum CELLS\n"
    "                   writes), summed while encoding\n"
    "  --threads N      threads inflating the HDF5 chunks (default: every core)\n"
    "  --force          replace an existing CELLS\n"
    "  --progress       report progress on stderr (default: when a terminal)\n"
    "\n"
    "Memory: the names and indptr, a few compressed chunks per thread, 4 bytes\n"
    "per profile of matrix offsets and 1 MB of buffer per lane; never in\n"
    "proportion to the non-zeros.  CELLS is written atomically.\n"
    "\n"
    "Example:\n"
    "  mc-make-genes --organism human raw/bone_marrow.h5 genes\n"
    "  mc-import-cells --genes genes raw/bone_marrow.h5 cells/bone_marrow\n";

int main(int argc, char **argv)
{
    cli c = {.tool = "mc-import-cells", .usage = usage};
    static const struct option opts[] = {
        {"genes", required_argument, NULL, 'G'},  {"organism", required_argument, NULL, 'o'},
        {"genome", required_argument, NULL, 'g'}, {"all-features", no_argument, NULL, 'a'},
        {"layer", required_argument, NULL, 'L'}, {"lane-column", required_argument, NULL, 'C'},
        {"threads", required_argument, NULL, 't'}, {"force", no_argument, NULL, 'f'},
        {"progress", no_argument, NULL, 'p'},     {"totals", no_argument, NULL, 'T'},
        {NULL, 0, NULL, 0},
    };
    h5_opts o = {0};
    cells_options co = {0};
    int ch;
    mc_err e;
    cli_init(&c, argc, argv);
    opterr = 0;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (ch) {
        case 'G': co.genes = optarg; break;
        case 'o': co.organism = optarg; break;
        case 'g': o.genome = optarg; break;
        case 'a': o.all_features = 1; break;
        case 'L': o.layer = optarg; break;
        case 'C': o.lane_column = optarg; break;
        case 't': o.threads = cli_threads(&c, optarg); break;
        case 'f': co.force = 1; break;
        case 'p': break;
        case 'T': co.totals = 1; break;
        default: cli_usage_error(&c, "unknown option or missing value: %s", argv[optind - 1]);
        }
    }
    if (argc - optind != 2) cli_usage_error(&c, "expected H5 and CELLS, got %d arguments", argc - optind);
    if (h5import_cells(&c, argv[optind], argv[optind + 1], &o, &co, &e) < 0) return cli_fail(&c, &e);
    return 0;
}
