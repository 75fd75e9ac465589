/* mc-import-cells: an HCA / 10x HDF5 file straight to per-lane batches and their collection. */
#include <stdio.h>

#include "cli.h"
#include "options.h"
#include "h5import.h"

static const char about[] =
    "Import an HCA or 10x HDF5 matrix (as mc-import-hca reads it) straight into\n"
    "CELLS/LANE/, one BATCH of cells per lane, and CELLS/profiles.yaml, their\n"
    "COLLECTION: in one read of the file and with no text in between, the same\n"
    "files and uuids as mc-import-hca, mc-delane, mc-write-matrix of each lane and\n"
    "mc-collect give.  Lanes come from HCA barcodes (LANE-BARCODE-N; see\n"
    "mc-import-hca), in order of first appearance; plain 10x barcodes make one\n"
    "lane 'all'.  The gene set must exist first (mc-make-genes reads the genes\n"
    "of HDF5 files too).  .h5ad obs columns and Loom col attributes become p.NAME\n"
    "arrays of the batches (SPEC 2).\n";

static const char more[] =
    "Memory: the names and indptr, a few compressed chunks per thread (16 MB\n"
    "each at most), 4 bytes per profile of matrix offsets and 1 MB of buffer per\n"
    "lane; never in proportion to the non-zeros or duplicates.  HDF5 inputs are\n"
    "checked as mc-import-hca checks them (SPEC 9).  With more lanes than half the open files\n"
    "allowed (ulimit -n), each lane's matrix is closed between appends of its\n"
    "buffer (32 MB shared by the lanes), so any lane count imports.  CELLS is\n"
    "written atomically.\n"
    "\n"
    "Example:\n"
    "  mc-make-genes --organism human raw/bone_marrow.h5 genes\n"
    "  mc-import-cells --genes genes raw/bone_marrow.h5 cells/bone_marrow\n";

int main(int argc, char **argv)
{
    cli c = {.tool = "mc-import-cells", .operands = "H5 CELLS", .about = about, .more = more};
    h5_opts o = {0};
    cells_options co = {0};
    const option_spec options[] = {
        OPT_GENES(&co.genes, "the gene set (default: the nearest genes/ above CELLS)"),
        OPT_STRING("organism", &co.organism, "NAME", "require the gene set to be of this organism"),
        OPT_H5_INPUT(&o),
        OPT_FLAG("totals", &co.totals, "also write CELLS's totals cache (p.total_umis.npy,\n"
                                       "g.total_umis.npy, total_umis.uuid: what mc-sum CELLS\n"
                                       "writes), summed while encoding"),
        OPT_THREADS(&o.threads, "threads inflating the HDF5 chunks (default: every core)"),
        OPT_FORCE(&co.force, "replace an existing CELLS"),
        OPT_END(),
    };
    char **args;
    int n = options_parse(&c, options, argc, argv, &args);
    if (n != 2) cli_usage_error(&c, "expected H5 and CELLS, got %d arguments", n);
    progress pr = cli_progress(&c);
    mc_err e;
    return h5import_cells(&pr, args[0], args[1], &o, &co, &e) < 0 ? cli_fail(&c, &e) : 0;
}
