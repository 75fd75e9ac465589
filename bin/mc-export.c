/* mc-export: a container's data out as Matrix Market, .h5ad, 10x v3 HDF5 or TSV. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "options.h"
#include "container.h"
#include "datum.h"
#include "export10x.h"
#include "exporth5ad.h"
#include "exportmtx.h"
#include "exportnpy.h"
#include "exporttsv.h"

static const char about[] =
    "Write the data of any container (batch, view, collection, groups) for other tools.\n";

static const char more[] =
    "Files are written atomically; FIFOs and devices (/dev/null, /dev/stdout)\n"
    "directly.  Memory: the profile and gene names, an\n"
    "offset per profile, the arrays exported and a few MB of buffers, never\n"
    "the matrix; --mtx and --h5ad read the matrix twice (counting first).\n"
    "\n"
    "Example:\n"
    "  mc-export cells/pbmc --mtx --barcodes barcodes.tsv --features features.tsv | gzip > matrix.mtx.gz\n"
    "  mc-export views/good/groups --h5ad metacells.h5ad\n"
    "  mc-export cells/pbmc --tsv p lane total_umis > profiles.tsv\n"
    "  mc-export views/good --tsv pp similarity -o similarity.tsv\n"
    "  mc-export views/good --npy cluster.npy p.cluster\n";

static const char *const dtypes[] = {"float32", "float64", "int32", "int64", NULL};
static const char *const tsv_kinds[] = {"p", "g", "gg", "pp", "gp", NULL};

typedef struct args {
    int mtx, tsv, dtype, gzip;   /* tsv, dtype: an index of tsv_kinds, dtypes, or -1; gzip -1: not given */
    const char *h5ad, *tenx;     /* --h5ad / --10x FILE */
    const char *npy;             /* --npy FILE */
    const data_kind *kind;       /* --npy, and --tsv of a matrix: the datum */
    const char *datum;
    const char *output, *barcodes, *features;
    char **names;                /* --tsv NAMEs */
    size_t names_count;
    const char *container;
} args;

/* The datum of --npy (KIND.NAME) or of --tsv of a matrix (NAME). */
static void pick_datum(const cli *c, args *a)
{
    mc_err e;
    char id[300];
    snprintf(id, sizeof id, "%s.%s", a->npy ? "p" : tsv_kinds[a->tsv], a->names[0]);
    if (datum_parse_id(a->npy ? a->names[0] : id, &a->kind, &a->datum, &e) < 0) cli_usage_error(c, "%s", e.msg);
    if (!a->npy) a->datum = a->names[0];
    if (!strcmp(a->kind->name, "gp") && !strcmp(a->datum, "umis"))
        cli_usage_error(c, "gp.umis is the UMI matrix: export it with --mtx, --h5ad or --10x");
}

/* The combinations the table cannot say: one format, and the options that go with it. */
static void check(const cli *c, args *a, export_opts *o, char **operands, int n)
{
    int formats = a->mtx + (a->h5ad != NULL) + (a->tenx != NULL) + (a->tsv >= 0) + (a->npy != NULL);
    if (formats != 1) cli_usage_error(c, "choose one of --mtx, --h5ad, --10x, --tsv, --npy");
    if (n < 1) cli_usage_error(c, "expected a CONTAINER");
    a->container = operands[0];
    a->names = operands + 1;
    a->names_count = (size_t)(n - 1);
    if (a->names_count && a->tsv < 0 && !a->npy) cli_usage_error(c, "expected one CONTAINER");
    if (a->tsv >= 2 && a->names_count != 1) cli_usage_error(c, "--tsv %s takes one NAME", tsv_kinds[a->tsv]);
    if (a->npy && a->names_count != 1) cli_usage_error(c, "--npy takes one KIND.NAME");
    if (a->tsv >= 2 || a->npy) pick_datum(c, a);
    if ((a->barcodes || a->features) && !a->mtx) cli_usage_error(c, "--barcodes and --features go with --mtx");
    if (a->output && !a->mtx && a->tsv < 0) cli_usage_error(c, "-o goes with --mtx or --tsv");
    if (a->npy && !strcmp(a->npy, "")) cli_usage_error(c, "--npy needs a file");
    if (a->dtype >= 0 && !a->h5ad) cli_usage_error(c, "--dtype goes with --h5ad");
    if (o->genome && !a->tenx) cli_usage_error(c, "--genome goes with --10x");
    if (a->gzip >= 0 && !a->tenx && !a->h5ad) cli_usage_error(c, "--gzip goes with --h5ad or --10x");
    const char *file = a->h5ad ? a->h5ad : a->tenx;
    if (file && !strcmp(file, "-")) cli_usage_error(c, "HDF5 needs a file, not stdout");
    if (a->dtype >= 0) o->dtype = dtypes[a->dtype];
    if (a->gzip >= 0) o->gzip = a->gzip == 0 ? -1 : a->gzip;
}

/* An array that cannot be read is left out of an export of every array, with a warning. */
static void warn(void *ctx, const char *msg)
{
    cli_warn(ctx, "%s (left out)", msg);
}

static int run(const args *a, const export_opts *o, mc_err *e)
{
    container *c = container_open(a->container, e);
    if (!c) return -1;
    int rc;
    if (a->mtx) rc = exportmtx_write(c, a->output, a->barcodes, a->features, o, e);
    else if (a->h5ad) rc = exporth5ad_write(c, a->h5ad, o, e);
    else if (a->tenx) rc = export10x_write(c, a->tenx, o, e);
    else if (a->npy) rc = exportnpy_write(c, a->kind, a->datum, a->npy, o, e);
    else if (a->kind) rc = exporttsv_matrix(c, a->kind, a->datum, a->output, o, e);
    else rc = exporttsv_arrays(c, tsv_kinds[a->tsv][0], a->names, a->names_count, a->output, o, e);
    container_close(c);
    return rc;
}

int main(int argc, char **argv)
{
    cli c = {.tool = "mc-export",
             .operands = "CONTAINER --mtx [-o FILE|-] [--barcodes FILE] [--features FILE]\n"
                         "CONTAINER --h5ad FILE [--dtype TYPE] [--gzip LEVEL]\n"
                         "CONTAINER --10x FILE [--genome NAME] [--gzip LEVEL]\n"
                         "CONTAINER --tsv p|g [-o FILE|-] [NAME...]\n"
                         "CONTAINER --tsv gg|pp|gp [-o FILE|-] NAME\n"
                         "CONTAINER --npy FILE|- KIND.NAME",
             .about = about,
             .more = more};
    progress pr = {0};
    args a = {.tsv = -1, .dtype = -1, .gzip = -1};
    export_opts o = {.progress = &pr, .warn = warn, .warn_ctx = &c};
    const option_spec options[] = {
        OPT_FLAG("mtx", &a.mtx, "Matrix Market, coordinate integer general: rows genes,\n"
                                "columns profiles, 1-based, entries profile after profile"),
        OPT_STRING("barcodes", &a.barcodes, "FILE", "with --mtx: the profile names, one a line (10x barcodes.tsv)"),
        OPT_STRING("features", &a.features, "FILE", "with --mtx: ENSEMBL<TAB>NAME<TAB>Gene Expression per gene\n"
                                                    "(10x features.tsv; the name stands for a missing id)"),
        OPT_STRING("h5ad", &a.h5ad, "FILE", "AnnData for anndata/scanpy: X (profiles x genes, CSR),\n"
                                            "obs = profile names and every p array, var = gene names,\n"
                                            "gene_ids (ensembl) and every g array"),
        OPT_CHOICE("dtype", &a.dtype, "TYPE", dtypes, "X/data type: float32 (default, as scanpy reads 10x\n"
                                                      "counts; exact up to 2^24), float64, int32 or int64"),
        OPT_STRING("10x", &a.tenx, "FILE", "10x v3 HDF5 (matrix/ as Cell Ranger writes it); reads\n"
                                           "back with mc-import-hca, scanpy.read_10x_h5, Seurat"),
        OPT_STRING("genome", &o.genome, "NAME", "with --10x: features/genome (default: each gene's genome\n"
                                                "from the input file, else the organism)"),
        OPT_INT("gzip", &a.gzip, "LEVEL", 0, 9, "deflate level 0-9 of the HDF5 matrix (default: 4 for\n"
                                                "--10x as Cell Ranger, 0 (none) for --h5ad as anndata)"),
        OPT_CHOICE("tsv", &a.tsv, "KIND", tsv_kinds, "p or g: arrays as TSV, a header 'name' and the arrays,\n"
                                                     "then a row per profile or gene; NAMEs choose the arrays\n"
                                                     "(default: all but base_index; g: the gene set's ensembl,\n"
                                                     "original_name, genome... first).  gg, pp or gp: the\n"
                                                     "matrix NAME, a header 'name' and the column names, then\n"
                                                     "a row per gene or profile"),
        OPT_STRING("npy", &a.npy, "FILE", "the datum KIND.NAME (any kind, as seen through the\n"
                                          "container's views) as .npy ('-': stdout); text as '<U'"),
        OPT_SHORT_STRING('o', "output", &a.output, "FILE", "where --mtx and --tsv write (default: stdout, also '-');\n"
                                                           "a name ending in .gz is gzip-compressed"),
        OPT_GROUP("Options:"),
        OPT_GENES(&o.genes_dir, "the gene set (default: the genes/ directory found walking\n"
                                "up from CONTAINER whose uuid matches)"),
        OPT_FORCE(&o.force, "replace existing output files"),
        OPT_END(),
    };
    char **operands;
    int n = options_parse(&c, options, argc, argv, &operands);
    check(&c, &a, &o, operands, n);
    pr = cli_progress(&c);
    mc_err e;
    return run(&a, &o, &e) < 0 ? cli_fail(&c, &e) : 0;
}
