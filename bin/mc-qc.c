/* mc-qc: scanpy's per-profile QC metrics of a container, as one TSV. */
#include <stdio.h>

#include "cli.h"
#include "options.h"
#include "container.h"
#include "qc.h"

static const char about[] =
    "Print the QC metrics of every profile of CONTAINER (any kind) as TSV, named\n"
    "and computed as scanpy's sc.pp.calculate_qc_metrics(adata, qc_vars=...):\n"
    "a header, then a line per profile, in container order: name,\n"
    "n_genes_by_counts, log1p_n_genes_by_counts, total_counts,\n"
    "log1p_total_counts and, per gene list NAME (in name order),\n"
    "total_counts_NAME, log1p_total_counts_NAME, pct_counts_NAME.\n";

static const char more[] =
    "Counts are exact integers over the container's own genes (a view counts\n"
    "only those it keeps); pct_counts_NAME is total_counts_NAME / total_counts\n"
    "* 100 in float64, as scanpy computes it ('nan' when total_counts is 0).\n"
    "Numbers are printed in the shortest form that reads back exactly, so\n"
    "pandas' read_csv(sep='\\t', index_col=0) gives numpy's float64 values.\n"
    "scanpy's pct_counts_in_top_N_genes columns are not computed.\n"
    "A list FILE holds a gene per line (name or index; TSV or CSV, only the\n"
    "first field counts, a header line skipped), as --keep-genes files do.\n"
    "A PATTERN is a shell pattern matched against the gene set's names in any\n"
    "case: 'MT-*' is scanpy's var_names.str.startswith('MT-').  --list and\n"
    "--pattern may be repeated; a NAME given several times is the union.\n"
    "With --write the columns are p arrays of CONTAINER (counts <i8, the others\n"
    "<f8), written all or none into CONTAINER itself, never into a base or\n"
    "member, as mc-write-data writes; mc-export and mc-make-view see them.\n"
    "Memory: O(profiles x lists + genes).\n"
    "\n"
    "Example:\n"
    "  mc-qc --pattern mt='MT-*' --pattern ribo='RP[SL]*' cells/pbmc >qc.tsv\n"
    "  mc-make-view --pattern mt='MT-*' --min-genes 200 --max-pct mt=20 cells/pbmc views/good\n";

typedef struct qc_opts {
    int threads, log1p, write, force;
} qc_opts;

static int qc(const cli *ui, const char *dir, const qc_request *r, const qc_opts *o, mc_err *e)
{
    progress pr = cli_progress(ui);
    container *c = container_open(dir, e);
    qc_lists l = {0};
    qc_metrics m = {0};
    strvec names = {0};
    int rc = c ? qc_lists_open(c, r, &l, e) : -1;
    for (size_t k = 0; rc == 0 && k < l.names.count; k++)
        if (!l.sizes[k]) cli_warn(ui, "gene list '%s' has no gene of %s", l.names.v[k], dir);
    if (rc == 0) rc = qc_compute(c, &l, &pr, o->threads, &m, e);
    if (rc == 0 && o->write) rc = qc_store(c, &l, &m, o->log1p, o->force, e);
    if (rc == 0 && !o->write) rc = container_profile_names(c, &names, e);
    if (rc == 0 && !o->write) rc = qc_write_tsv(stdout, "stdout", &names, &l, &m, o->log1p, e);
    strvec_free(&names);
    qc_metrics_free(&m);
    qc_lists_free(&l);
    container_close(c);
    return rc;
}

int main(int argc, char **argv)
{
    cli c = {.tool = "mc-qc", .operands = "CONTAINER", .about = about, .more = more};
    qc_request r = {0};
    qc_opts o = {0};
    int no_log1p = 0;
    const option_spec options[] = {
        OPT_LIST("list", &r.lists, "NAME=FILE", "gene list NAME: the genes FILE names ('-' = stdin)"),
        OPT_LIST("pattern", &r.patterns, "NAME=PATTERN", "gene list NAME: the genes whose name matches PATTERN"),
        OPT_FLAG("no-log1p", &no_log1p, "leave out the log1p_ columns (scanpy's log1p=False)"),
        OPT_GENES(&r.gene_set, "the gene set naming the genes (default: the first\n"
                               "genes/ directory above CONTAINER with the right uuid)"),
        OPT_FLAG("write", &o.write, "store the columns in CONTAINER as p arrays instead\n"
                                    "(p.total_counts.npy ...), as mc-write-data would"),
        OPT_FORCE(&o.force, "--write: replace the container's arrays, or hide its base's"),
        OPT_THREADS(&o.threads, "threads decoding profiles (default: every core)"),
        OPT_END(),
    };
    char **args;
    if (options_parse(&c, options, argc, argv, &args) != 1) cli_usage_error(&c, "expected one CONTAINER");
    mc_err e;
    if (qc_request_check(&r, NULL, &e) < 0) cli_usage_error(&c, "%s", e.msg);
    o.log1p = !no_log1p;
    if (o.force && !o.write) cli_usage_error(&c, "--force only goes with --write");
    int rc = qc(&c, args[0], &r, &o, &e) < 0 ? cli_fail(&c, &e) : 0;
    qc_request_free(&r);
    return rc;
}
