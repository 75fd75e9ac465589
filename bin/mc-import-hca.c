/* mc-import-hca: an HCA / 10x HDF5 file to the canonical STD directory. */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "h5.h"
#include "mtx.h"
#include "outdir.h"
#include "stdfmt.h"

static const char usage[] =
    "Usage: mc-import-hca [--genome NAME] [--all-features] [--force] [--progress] H5 STD\n"
    "Convert an HCA or 10x HDF5 matrix (Cell Ranger v2 genome groups, or v3\n"
    "matrix/) into the canonical STD directory: format.yaml, genes.csv\n"
    "(ensembl,name), profiles.csv (barcode,lane,batch) and umis.mtx (genes x\n"
    "profiles, entries profile after profile, so the STD streams downstream).\n"
    "\n"
    "  --genome NAME    v2: the genome group to read (required when there are\n"
    "                   several); v3: keep only features of this genome\n"
    "  --all-features   v3: keep every feature type, not only Gene Expression,\n"
    "                   and add their feature_type column to genes.csv\n"
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
    "16 MB of read buffers; it does not depend on the number of non-zeros.\n"
    "\n"
    "Example:\n"
    "  mc-import-hca raw/ica_bone_marrow_h5.h5 std/bone_marrow\n"
    "  mc-import-hca --genome GRCh38 raw/pbmc_10k.h5 std/pbmc_10k\n";

/* HCA form: at least two '-', so LANE-BARCODE-N. */
static int is_hca(const char *b)
{
    const char *d = strchr(b, '-');
    return d && strchr(d + 1, '-');
}

/* profiles.csv rows: every barcode split as the usage text says (one rule for the whole file). */
static int profiles_table(const h5_matrix *m, std_table *t, mc_err *e)
{
    static char *const names[] = {"barcode", "lane", "batch"};
    static const field_type types[] = {FIELD_STR, FIELD_STR, FIELD_STR};
    int hca = 1;
    size_t n = m->profiles_count, longest = 0;
    for (size_t i = 0; i < n; i++) {
        hca &= is_hca(m->barcodes[i]);
        size_t l = strlen(m->barcodes[i]);
        if (l > longest) longest = l;
    }
    if (std_table_init(t, STD_PROFILES, names, types, 3, e) < 0) return -1;
    char *lane = malloc(2 * longest + 2), *batch = lane + longest + 1;
    if (!lane) return mc_fail(e, "%s: out of memory", m->path);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        const char *bc = m->barcodes[i], *row[3] = {bc, "all", "all"};
        if (hca) {
            size_t l = strcspn(bc, "-"), b = strcspn(bc, "_");
            memcpy(lane, bc, l);
            lane[l] = 0;
            memcpy(batch, bc, b < l ? b : l);
            batch[b < l ? b : l] = 0;
            row[0] = bc + l + 1;
            row[1] = lane;
            row[2] = batch;
        }
        rc = std_table_add(t, row, e);
    }
    free(lane);
    return rc;
}

/* genes.csv rows: ensembl, name, and with --all-features the v3 feature type. */
static int genes_table(const h5_matrix *m, int with_type, std_table *t, mc_err *e)
{
    static char *const names[] = {"ensembl", "name", "feature_type"};
    static const field_type types[] = {FIELD_STR, FIELD_STR, FIELD_STR};
    with_type = with_type && m->gene_types;
    if (std_table_init(t, STD_GENES, names, types, with_type ? 3 : 2, e) < 0) return -1;
    for (size_t i = 0; i < m->genes_count; i++) {
        const char *row[3] = {m->gene_ids[i], m->gene_names[i], with_type ? m->gene_types[i] : NULL};
        if (std_table_add(t, row, e) < 0) return -1;
    }
    return 0;
}

/* What every later tool would refuse in the STD, refused now; messages name
 * the HDF5 datasets the rows came from. */
static int check_tables(const h5_matrix *m, std_table *genes, std_table *profiles, mc_err *e)
{
    char *csv_genes = genes->path, *csv_profiles = profiles->path, g[1200], p[1200];
    snprintf(g, sizeof g, "%s: %s/%s", m->path, m->group, m->version == 3 ? "features/name" : "gene_names");
    snprintf(p, sizeof p, "%s: %s/barcodes", m->path, m->group);
    genes->path = g;
    profiles->path = p;
    int rc = std_check_genes(genes, e) < 0 || std_check_profiles(profiles, e) < 0 ? -1 : 0;
    genes->path = csv_genes;
    profiles->path = csv_profiles;
    return rc;
}

/* umis.mtx: every entry, profile after profile. */
static int write_matrix(const cli *c, h5_matrix *m, const char *path, mc_err *e)
{
    uint64_t n, done = 0;
    if (h5_count_entries(m, &n, e) < 0) return -1;
    mtx_writer *w = mtx_writer_open(path, (uint32_t)m->genes_count, (uint32_t)m->profiles_count, (int64_t)n, e);
    if (!w) return -1;
    h5_entry x;
    int r;
    while ((r = h5_next(m, &x, e)) > 0) {
        if (x.value > STD_MAX_COUNT) {   /* the STD would be refused by every later tool */
            mc_fail(e, "%s: %s/data: value %llu of profile %zu is not a plausible count (more than %u)", m->path,
                    m->group, (unsigned long long)x.value, x.profile + 1, STD_MAX_COUNT);
            r = -1;
            break;
        }
        if (mtx_writer_add(w, (uint32_t)x.gene, (uint32_t)x.profile, x.value, e) < 0) {
            r = -1;
            break;
        }
        if (!(++done & 0xfffff)) cli_progress(c, "entries", done, n);
    }
    if (r == 0) cli_progress(c, "entries", done, n);
    cli_progress_done(c);
    if (r < 0) {
        mtx_writer_abort(w);
        return -1;
    }
    return mtx_writer_close(w, e);
}

static int import(const cli *c, const char *in, const char *out, const h5_opts *o, int force, mc_err *e)
{
    h5_matrix m;
    std_table genes = {0}, profiles = {0};
    outdir od;
    int rc = -1, begun = 0;
    if (h5_open(&m, in, o, e) < 0) return -1;
    if (m.genes_count > UINT32_MAX - 1 || m.profiles_count > UINT32_MAX - 1) {
        mc_fail(e, "%s: %zu genes x %zu profiles is too large for one STD", in, m.genes_count, m.profiles_count);
        goto out;
    }
    if (genes_table(&m, o->all_features, &genes, e) < 0 || profiles_table(&m, &profiles, e) < 0 ||
        check_tables(&m, &genes, &profiles, e) < 0)
        goto out;
    if (outdir_begin(&od, out, force, e) < 0) goto out;
    begun = 1;
    char *umis = outdir_file(&od, STD_MATRIX);
    int ok = umis && std_write(od.tmp, &genes, &profiles, e) == 0 && write_matrix(c, &m, umis, e) == 0;
    if (!umis) mc_fail(e, "%s: out of memory", out);
    free(umis);
    if (!ok) goto out;
    begun = 0;
    rc = outdir_commit(&od, e);
out:
    if (begun) outdir_abort(&od);
    std_table_free(&genes);
    std_table_free(&profiles);
    h5_close(&m);
    return rc;
}

int main(int argc, char **argv)
{
    cli c = {.tool = "mc-import-hca", .usage = usage};
    static const struct option opts[] = {
        {"genome", required_argument, NULL, 'g'}, {"all-features", no_argument, NULL, 'a'},
        {"force", no_argument, NULL, 'f'},        {"progress", no_argument, NULL, 'p'},
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
        case 'f': force = 1; break;
        case 'p': break;
        default: cli_usage_error(&c, "unknown option or missing value: %s", argv[optind - 1]);
        }
    }
    if (argc - optind != 2) cli_usage_error(&c, "expected H5 and STD, got %d arguments", argc - optind);
    if (import(&c, argv[optind], argv[optind + 1], &o, force, &e) < 0) return cli_fail(&c, &e);
    return 0;
}
