/* mc-make-view: a view of a container selecting profiles and/or genes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "options.h"
#include "container.h"
#include "view.h"
#include "qc.h"
#include "select.h"

static const char about[] =
    "Write VIEW, a view of the container BASE (any kind) keeping some of its\n"
    "profiles and/or genes.  Nothing is copied: VIEW holds p.base_index.npy /\n"
    "g.base_index.npy and refers to BASE by a relative path.  With no selection\n"
    "VIEW is a link view of the whole of BASE.\n";

static const char more[] =
    "Each FILE ('-' = stdin) has one profile or gene per line: a 0-based index, or\n"
    "a name.  Profile names are as mc-sum prints them (the barcode, prefixed\n"
    "'MEMBER:' inside a collection; the bare barcode is accepted when only one\n"
    "profile has it); gene names are the gene set's, in any case.  Only the first\n"
    "TAB-separated field of a line counts (pandas' index column), and blank lines\n"
    "are skipped.  A FILE named *.csv, or with a comma and no TAB in its first\n"
    "line, is CSV (quoted fields as pandas writes them); a first line naming no\n"
    "profile or gene ('name', pandas' 'barcode\\ttotal') is a header, skipped.\n"
    "--min-genes, --max-genes and --max-pct keep the profiles by their QC\n"
    "metrics in BASE, over all of BASE's genes, as mc-qc BASE prints them\n"
    "(n_genes_by_counts, pct_counts_NAME; a profile of no UMIs has no\n"
    "percentage, so --max-pct drops it); every selection given applies.\n"
    "\n"
    "Example:\n"
    "  mc-make-view --min-umis 800 cells/pbmc views/good\n"
    "  mc-make-view --pattern mt='MT-*' --min-genes 200 --max-pct mt=20 cells/pbmc views/qc\n"
    "  mc-sum cells/pbmc | awk '$2 >= 800 {print $1}' | mc-make-view --keep-profiles - cells/pbmc views/good\n";

static int make_view(const char *base_dir, const char *view_dir, const view_request *r, int force, mc_err *e)
{
    container *base = container_open(base_dir, e);
    int rc = base ? view_make(base, view_dir, r, force, e) : -1;
    container_close(base);
    return rc;
}

int main(int argc, char **argv)
{
    cli c = {.tool = "mc-make-view", .operands = "BASE VIEW", .about = about, .more = more};
    view_request r = {0};
    qc_request q = {0};
    qc_filter f = {.min_genes = -1, .max_genes = -1};
    int force = 0;
    long long min_umis = -1;
    const option_spec options[] = {
        OPT_INPUT("keep-profiles", &r.profiles, "FILE", "keep only these profiles"),
        OPT_INPUT("exclude-profiles", &r.exclude_profiles, "FILE",
                  "drop these profiles (from --keep-profiles, or from all)"),
        OPT_INPUT("keep-genes", &r.genes, "FILE", "keep only these genes"),
        OPT_INPUT("exclude-genes", &r.exclude_genes, "FILE", "drop these genes (from --keep-genes, or from all)"),
        OPT_COUNT("min-umis", &min_umis, "N",
                  "keep only profiles with at least N UMIs in BASE (its\n"
                  "totals, as mc-sum prints them; BASE's valid cache,\n"
                  "else summed), and write VIEW with its totals cache"),
        OPT_COUNT("min-genes", &f.min_genes, "N", "keep only profiles with at least N genes detected in BASE"),
        OPT_COUNT("max-genes", &f.max_genes, "N", "keep only profiles with at most N genes detected in BASE"),
        OPT_LIST("max-pct", &f.max_pct, "NAME=P",
                 "keep only profiles with at most P percent of their UMIs\n"
                 "in gene list NAME (given by --list or --pattern)"),
        OPT_LIST("list", &q.lists, "NAME=FILE", "gene list NAME: the genes FILE names ('-' = stdin)"),
        OPT_LIST("pattern", &q.patterns, "NAME=PATTERN", "gene list NAME: the genes whose name matches PATTERN"),
        OPT_GENES(&r.gene_set, "the gene set naming the genes (default: the first\n"
                               "genes/ directory above BASE with the right uuid)"),
        OPT_FORCE(&force, "replace an existing VIEW"),
        OPT_RENAMED("profiles", "keep-profiles"),
        OPT_RENAMED("gene-set", "genes"),
        OPT_END(),
    };
    char **args;
    if (options_parse(&c, options, argc, argv, &args) != 2) cli_usage_error(&c, "expected BASE and VIEW");
    if (min_umis >= 0) r.min_umis = (unsigned long long)min_umis, r.by_umis = 1;
    mc_err e;
    if (qc_request_check(&q, &f, &e) < 0) cli_usage_error(&c, "%s", e.msg);
    const char *const selections[] = {r.profiles, r.exclude_profiles, r.genes, r.exclude_genes};
    const char *const names[] = {"keep-profiles", "exclude-profiles", "keep-genes", "exclude-genes"};
    for (size_t i = 0; i < 4 && qc_request_stdin(&q); i++)
        if (selections[i] && !strcmp(selections[i], "-"))
            cli_usage_error(&c, "--%s and --list cannot both read stdin ('-')", names[i]);
    q.gene_set = r.gene_set;
    r.qc = &q;
    r.qc_keep = &f;
    int rc = make_view(args[0], args[1], &r, force, &e) < 0 ? cli_fail(&c, &e) : 0;
    qc_request_free(&q);
    qc_filter_free(&f);
    return rc;
}
