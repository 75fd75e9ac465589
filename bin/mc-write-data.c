/* mc-write-data: any datum (g, p, gg, pp, dense gp) into a container. */
#include <stdio.h>

#include "cli.h"
#include "options.h"
#include "container.h"
#include "datum.h"

static const char about[] =
    "Write the datum KIND.NAME into CONTAINER (any kind) from FILE or stdin ('-'\n"
    "or no FILE): KIND g or p, an array (one value per gene or profile); gg,\n"
    "pp or gp, a matrix (genes x genes, profiles x profiles, genes x\n"
    "profiles).  FILE is a .npy (known by its first bytes) of that length or\n"
    "shape, or TSV keyed by gene or profile name or 0-based index: an array\n"
    "as KEY<TAB>VALUE lines (after a header 'name<TAB>...' or '<TAB>...', as\n"
    "mc-export --tsv and pandas write), a matrix as a header line (a first field, then\n"
    "column keys) and a line per row (KEY, then its values); every gene or\n"
    "profile exactly once, in any order.\n";

static const char more[] =
    "TSV values are typed together: all True/False is bool, all integers int64,\n"
    "all numbers float64 (empty or nan: NaN), anything else text (arrays only,\n"
    "kept as KIND.NAME.txt).  A .npy keeps its dtype: int32, int64, float32,\n"
    "float64, bool (big-endian ones are swapped), a '<U' string array becomes\n"
    "text; other dtypes are refused (convert with a.astype('<f8')).\n"
    "\n"
    "The datum goes into CONTAINER's own directory, atomically: a view keeps its\n"
    "own data and its base is never written, so the datum shows through the\n"
    "view (and views and collections of it), not through the base.  What mc\n"
    "writes itself (gp.umis, base_index, total_umis, the import's p.barcode,\n"
    "p.name, p.lane, p.batch, mc-group's p.group...) is refused.  An existing\n"
    "datum of CONTAINER, or one it shows from its base or members, is\n"
    "replaced (hidden) only with --force.  Memory: the datum a few times over\n"
    "(from TSV: its text).\n"
    "\n"
    "Example:\n"
    "  mc-export views/good --tsv p | awk -F'\\t' 'NR > 1 {print $1 \"\\t\" ($2 > 40)}' |\n"
    "      mc-write-data views/good p.high -\n"
    "  mc-write-data views/good gg.correlation correlation.npy\n";

int main(int argc, char **argv)
{
    cli c = {.tool = "mc-write-data", .operands = "CONTAINER KIND.NAME [FILE|-]", .about = about, .more = more};
    datum_write_opts o = {0};
    const option_spec options[] = {
        OPT_GENES(&o.gene_set, "the gene set naming genes (default: the genes/ directory\n"
                               "found walking up from CONTAINER whose uuid matches)"),
        OPT_FORCE(&o.force, "replace the container's datum, or hide its base's"),
        OPT_END(),
    };
    char **args;
    int n = options_parse(&c, options, argc, argv, &args);
    if (n < 2 || n > 3) cli_usage_error(&c, "expected CONTAINER KIND.NAME [FILE|-]");
    mc_err e;
    const data_kind *k;
    const char *name;
    if (datum_parse_id(args[1], &k, &name, &e) < 0) cli_usage_error(&c, "%s", e.msg);
    container *ct = container_open(args[0], &e);
    int rc = ct ? datum_write(ct, k, name, n == 3 ? args[2] : "-", &o, &e) : -1;
    container_close(ct);
    return rc < 0 ? cli_fail(&c, &e) : 0;
}
