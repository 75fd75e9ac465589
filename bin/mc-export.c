/* mc-export: a container's data out as Matrix Market, .h5ad, 10x v3 HDF5 or TSV. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "container.h"
#include "export.h"

static const char usage[] =
    "Usage: mc-export [options] CONTAINER --mtx [-o FILE|-] [--barcodes FILE] [--features FILE]\n"
    "       mc-export [options] CONTAINER --h5ad FILE [--dtype TYPE] [--gzip LEVEL]\n"
    "       mc-export [options] CONTAINER --10x FILE [--genome NAME] [--gzip LEVEL]\n"
    "       mc-export [options] CONTAINER --tsv p|g [-o FILE|-] [NAME...]\n"
    "Write the data of any container (batch, view, collection, groups) for other tools.\n"
    "\n"
    "  --mtx            Matrix Market, coordinate integer general: rows genes,\n"
    "                   columns profiles, 1-based, entries profile after profile\n"
    "  --barcodes FILE  with --mtx: the profile names, one a line (10x barcodes.tsv)\n"
    "  --features FILE  with --mtx: ENSEMBL<TAB>NAME<TAB>Gene Expression per gene\n"
    "                   (10x features.tsv; the name stands for a missing id)\n"
    "  --h5ad FILE      AnnData for anndata/scanpy: X (profiles x genes, CSR),\n"
    "                   obs = profile names and every p array, var = gene names,\n"
    "                   gene_ids (ensembl) and every g array\n"
    "  --dtype TYPE     X/data type: float32 (default, as scanpy reads 10x\n"
    "                   counts; exact up to 2^24), float64, int32 or int64\n"
    "  --10x FILE       10x v3 HDF5 (matrix/ as Cell Ranger writes it); reads\n"
    "                   back with mc-import-hca, scanpy.read_10x_h5, Seurat\n"
    "  --genome NAME    with --10x: features/genome (default: each gene's genome\n"
    "                   from the input file, else the organism)\n"
    "  --gzip LEVEL     deflate level 0-9 of the HDF5 matrix (default: 4 for\n"
    "                   --10x as Cell Ranger, 0 (none) for --h5ad as anndata)\n"
    "  --tsv p|g        per-profile or per-gene arrays as TSV: a header 'name'\n"
    "                   and the arrays, then a row per profile or gene; NAMEs\n"
    "                   choose the arrays (default: all but base_index; g: the\n"
    "                   gene set's ensembl, original_name, genome... first)\n"
    "  -o, --output FILE  where --mtx and --tsv write (default: stdout, also '-');\n"
    "                   a name ending in .gz is gzip-compressed\n"
    "\n"
    "Options:\n"
    "  --genes DIR      the gene set (default: the genes/ directory found walking\n"
    "                   up from CONTAINER whose uuid matches)\n"
    "  --force          replace existing output files\n"
    "  --progress       report progress on stderr (default: when a terminal)\n"
    "\n"
    "Files are written atomically; FIFOs and devices (/dev/null, /dev/stdout)\n"
    "directly.  Memory: the profile and gene names, an\n"
    "offset per profile, the arrays exported and a few MB of buffers, never\n"
    "the matrix; --mtx and --h5ad read the matrix twice (counting first).\n"
    "\n"
    "Example:\n"
    "  mc-export cells/pbmc --mtx --barcodes barcodes.tsv --features features.tsv | gzip > matrix.mtx.gz\n"
    "  mc-export views/good/groups --h5ad metacells.h5ad\n"
    "  mc-export cells/pbmc --tsv p lane total_umis > profiles.tsv\n";

enum { OPT_MTX = 256, OPT_H5AD, OPT_10X, OPT_TSV, OPT_BARCODES, OPT_FEATURES, OPT_DTYPE, OPT_GENOME, OPT_GENES, OPT_FORCE, OPT_GZIP };

typedef struct args {
    int mode;                  /* OPT_MTX, OPT_H5AD, OPT_10X, OPT_TSV */
    const char *file;          /* --h5ad / --10x FILE */
    const char *output, *barcodes, *features;
    char kind;                 /* --tsv */
    char **names;
    size_t names_count;
    const char *container;
} args;

static void on_progress(void *ctx, const char *what, unsigned long long done, unsigned long long total)
{
    cli_progress(ctx, what, done, total);
    if (done == total) cli_progress_done(ctx);
}

static void set_mode(const cli *c, args *a, int mode, const char *file)
{
    if (a->mode) cli_usage_error(c, "choose one of --mtx, --h5ad, --10x, --tsv");
    a->mode = mode;
    a->file = file;
}

static void parse(cli *c, int argc, char **argv, args *a, export_opts *o)
{
    static const struct option options[] = {
        {"mtx", no_argument, 0, OPT_MTX},           {"h5ad", required_argument, 0, OPT_H5AD},
        {"10x", required_argument, 0, OPT_10X},     {"tsv", required_argument, 0, OPT_TSV},
        {"output", required_argument, 0, 'o'},      {"barcodes", required_argument, 0, OPT_BARCODES},
        {"features", required_argument, 0, OPT_FEATURES}, {"dtype", required_argument, 0, OPT_DTYPE},
        {"genome", required_argument, 0, OPT_GENOME}, {"genes", required_argument, 0, OPT_GENES},
        {"force", no_argument, 0, OPT_FORCE},       {"progress", no_argument, 0, 'p'},
        {"gzip", required_argument, 0, OPT_GZIP},
        {0, 0, 0, 0}};
    int opt;
    h5w_type ignored;
    while ((opt = getopt_long(argc, argv, "o:", options, NULL)) != -1) {
        switch (opt) {
        case OPT_MTX:
        case OPT_H5AD:
        case OPT_10X: set_mode(c, a, opt, optarg); break;
        case OPT_TSV:
            set_mode(c, a, opt, NULL);
            if (strcmp(optarg, "p") && strcmp(optarg, "g")) cli_usage_error(c, "--tsv takes p or g, not '%s'", optarg);
            a->kind = optarg[0];
            break;
        case 'o': a->output = optarg; break;
        case OPT_BARCODES: a->barcodes = optarg; break;
        case OPT_FEATURES: a->features = optarg; break;
        case OPT_DTYPE:
            if (export_dtype(optarg, &ignored) < 0) cli_usage_error(c, "--dtype takes float32, float64, int32 or int64");
            o->dtype = optarg;
            break;
        case OPT_GENOME: o->genome = optarg; break;
        case OPT_GENES: o->genes_dir = optarg; break;
        case OPT_FORCE: o->force = 1; break;
        case OPT_GZIP:
            if (strlen(optarg) != 1 || optarg[0] < '0' || optarg[0] > '9') cli_usage_error(c, "--gzip takes a level 0-9");
            o->gzip = optarg[0] == '0' ? -1 : optarg[0] - '0';
            break;
        case 'p': break;   /* cli_init saw it */
        default: cli_usage_error(c, "unknown option");
        }
    }
    if (!a->mode) cli_usage_error(c, "choose one of --mtx, --h5ad, --10x, --tsv");
    if (optind >= argc) cli_usage_error(c, "expected a CONTAINER");
    a->container = argv[optind];
    a->names = argv + optind + 1;
    a->names_count = (size_t)(argc - optind - 1);
    if (a->names_count && a->mode != OPT_TSV) cli_usage_error(c, "expected one CONTAINER");
    if ((a->barcodes || a->features) && a->mode != OPT_MTX) cli_usage_error(c, "--barcodes and --features go with --mtx");
    if (a->output && a->mode != OPT_MTX && a->mode != OPT_TSV) cli_usage_error(c, "-o goes with --mtx or --tsv");
    if (o->dtype && a->mode != OPT_H5AD) cli_usage_error(c, "--dtype goes with --h5ad");
    if (o->genome && a->mode != OPT_10X) cli_usage_error(c, "--genome goes with --10x");
    if (o->gzip && a->mode != OPT_10X && a->mode != OPT_H5AD) cli_usage_error(c, "--gzip goes with --h5ad or --10x");
    if (a->file && !strcmp(a->file, "-")) cli_usage_error(c, "HDF5 needs a file, not stdout");
}

static int run(const args *a, const export_opts *o, mc_err *e)
{
    container *c = container_open(a->container, e);
    if (!c) return -1;
    int rc;
    switch (a->mode) {
    case OPT_MTX: rc = export_mtx(c, a->output, a->barcodes, a->features, o, e); break;
    case OPT_H5AD: rc = export_h5ad(c, a->file, o, e); break;
    case OPT_10X: rc = export_10x(c, a->file, o, e); break;
    default: rc = export_tsv(c, a->kind, a->names, a->names_count, a->output, o, e); break;
    }
    container_close(c);
    return rc;
}

int main(int argc, char **argv)
{
    cli c = {.tool = "mc-export", .usage = usage};
    args a = {0};
    export_opts o = {.progress = on_progress, .progress_ctx = &c};
    mc_err e;
    cli_init(&c, argc, argv);
    parse(&c, argc, argv, &a, &o);
    return run(&a, &o, &e) < 0 ? cli_fail(&c, &e) : 0;
}
