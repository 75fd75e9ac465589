/* mc-collect: a collection of containers, linked rather than copied. */
#include <stdio.h>
#include <stdlib.h>

#include "alloc.h"
#include "cli.h"
#include "options.h"
#include "collect.h"

static const char about[] =
    "Write OUT, a collection whose profiles are those of the CONTAINERs (any\n"
    "kind) in the order given.  A CONTAINER that is already the subdirectory\n"
    "OUT/NAME is used in place; any other gets a link view OUT/NAME (NAME is the\n"
    "basename of CONTAINER unless given as NAME=), so nothing is copied.  With no\n"
    "CONTAINER, every container subdirectory of OUT is collected in name order\n"
    "(e.g. the per-lane batches of one sample).  Members must have the same\n"
    "genes, organism and profiles_kind.  Profile names become NAME:BARCODE.\n";

static const char more[] =
    "Example:\n"
    "  mc-collect cells/pbmc                     # cells/pbmc/LANE/ batches\n"
    "  mc-collect all/ pbmc=cells/pbmc bm=cells/bone_marrow\n";

static int collect(const char *out, char **args, int n, int force, mc_err *e)
{
    collect_member *m = NULL;
    size_t count = 0;
    int rc = 0;
    if (n == 0) rc = collect_scan(out, &m, &count, e);
    else if (!(m = mc_alloc_zeroed((size_t)n, sizeof *m))) rc = mc_err_oom(e, out);
    for (int i = 0; rc == 0 && i < n; i++) {
        rc = collect_member_parse(args[i], &m[i], e);
        count += rc == 0;
    }
    if (rc == 0) rc = collect_write(out, m, count, force, e);
    collect_members_free(m, count);
    return rc;
}

int main(int argc, char **argv)
{
    cli c = {.tool = "mc-collect", .operands = "OUT [NAME=]CONTAINER...\nOUT", .about = about, .more = more};
    int force = 0;
    const option_spec options[] = {
        OPT_FORCE(&force, "replace an existing OUT/profiles.yaml and link views"),
        OPT_END(),
    };
    char **args;
    int n = options_parse(&c, options, argc, argv, &args);
    if (n < 1) cli_usage_error(&c, "expected OUT and the CONTAINERs to collect");
    mc_err e;
    return collect(args[0], args + 1, n - 1, force, &e) < 0 ? cli_fail(&c, &e) : 0;
}
