/* mc-group: sum a container's profiles by group into CONTAINER/groups. */
#include <stdio.h>

#include "cli.h"
#include "options.h"
#include "container.h"
#include "group.h"

static const char about[] =
    "Sum the profiles of CONTAINER (any kind) by group into CONTAINER/groups\n"
    "(profile i = the sum of group i; p.grouped_count.npy holds group sizes) and\n"
    "write CONTAINER/outliers, a view of the profiles in no group.  Groups of\n"
    "cells are metacells, of metacells 1_zones, of N_zones N+1_zones.\n";

static const char more[] =
    "The groups are CONTAINER/p.group.npy (negative = outlier), or FILE, which is\n"
    "then also saved as CONTAINER/p.group.npy.  FILE is either\n"
    "  one integer per line, a line per profile (negative = outlier); or\n"
    "  NAME<TAB>LABEL lines (e.g. clusters exported from scanpy; further fields\n"
    "  are ignored):\n"
    "  NAME is a profile name as mc-sum prints it (or the bare barcode, or an\n"
    "  index), labels become groups 0, 1, ... in order of first appearance and\n"
    "  are kept in groups/p.group_label.txt and name the groups (mc-sum,\n"
    "  mc-export, mc-make-view); profiles not listed, or with an\n"
    "  empty or negative-integer label (e.g. -1), are outliers.\n"
    "FILE may be CSV (named *.csv, or a comma and no TAB in its first line; quoted\n"
    "fields as pandas writes them) and may start with a header line, recognised as\n"
    "naming no profile (pandas' '\\tcluster', 'barcode,cluster'), so\n"
    "df.to_csv(\"clusters.csv\") of a frame indexed by profile name is read as is.\n"
    "Group numbers must have no gaps.  Memory: O(profiles + groups + threads x\n"
    "genes), plus up to 4 MB of rows a thread when few groups are summed in one\n"
    "pass; more groups are summed one by one from the matrices, whose pages stay\n"
    "mapped (file pages) while a block of groups holding at most 1 GiB of pairs\n"
    "(MC_GROUP_BUDGET=BYTES in the environment) is summed.\n"
    "\n"
    "Example:\n"
    "  mc-group --groups clusters.tsv views/good\n"
    "  mc-group --groups clusters.csv views/good\n"
    "  mc-group --ignore-unknown --groups raw/pbmc.groups.tsv views/good\n"
    "  mc-group --groups zones.txt views/good/groups     # 1_zones\n";

static int group(progress *pr, const char *dir, const char *file, int unknown, int threads, int force, mc_err *e)
{
    container *c = container_open(dir, e);
    grouping g;
    int rc = !c ? -1 : file ? group_labels_read(c, file, unknown, &g, e) : group_labels_load(c, &g, e);
    if (rc == 0) {
        rc = group_write(c, &g, file != NULL, force, threads, pr, e);
        group_labels_free(&g);
    }
    container_close(c);
    return rc;
}

int main(int argc, char **argv)
{
    cli c = {.tool = "mc-group", .operands = "CONTAINER", .about = about, .more = more};
    const char *file = NULL;
    int force = 0, threads = 0, unknown = 0;
    const option_spec options[] = {
        OPT_INPUT("groups", &file, "FILE", "the groups ('-' = stdin)"),
        OPT_FLAG("ignore-unknown", &unknown, "skip the NAME<TAB>LABEL lines of FILE whose NAME is no\n"
                                             "profile of CONTAINER (labels of every cell, for a view)"),
        OPT_THREADS(&threads, "threads decoding profiles (default: every core)"),
        OPT_FORCE(&force, "replace existing groups, outliers and p.group.npy"),
        OPT_END(),
    };
    char **args;
    if (options_parse(&c, options, argc, argv, &args) != 1) cli_usage_error(&c, "expected one CONTAINER");
    progress pr = cli_progress(&c);
    mc_err e;
    return group(&pr, args[0], file, unknown, threads, force, &e) < 0 ? cli_fail(&c, &e) : 0;
}
