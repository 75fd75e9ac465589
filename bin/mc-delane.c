/* mc-delane: split an STD by lane, in one streaming pass over the matrix. */
#include <getopt.h>

#include "cli.h"
#include "delane.h"

static const char usage[] =
    "Usage: mc-delane [--format FILE] [--force] [--progress] STD OUT\n"
    "Split the STD directory by lane: OUT/LANE/ is a canonical STD directory\n"
    "holding the lane's profiles (renumbered 1..n in their original order) and\n"
    "every gene; OUT/lanes.txt lists the lane directories in order of first\n"
    "appearance.  Lane names are made safe as directory names ('/' and a\n"
    "leading '.' become '_').  The matrix is read once, in any order.\n"
    "\n"
    "  --format FILE  how to read STD (default STD/format.yaml, else a 10x or\n"
    "                 MOCA layout recognised by its files, plain or .gz; a\n"
    "                 relative FILE not found is looked for in the shipped formats/)\n"
    "  --force        replace an existing OUT\n"
    "  --progress     report progress on stderr even when it is not a terminal\n"
    "\n"
    "Memory: the profiles' CSV values plus 16 bytes per profile and at most\n"
    "~32 MiB of per-lane output buffers; never proportional to the entries.\n"
    "\n"
    "Example:\n"
    "  mc-delane raw/pbmc delaned/pbmc     # a 10x directory: recognised by its files\n"
    "  for lane in $(cat delaned/pbmc/lanes.txt); do mc-write-matrix delaned/pbmc/$lane cells/pbmc/$lane; done\n";

int main(int argc, char **argv)
{
    cli c = {.tool = "mc-delane", .usage = usage};
    static const struct option options[] = {
        {"format", required_argument, 0, 'f'}, {"force", no_argument, 0, 'F'}, {"progress", no_argument, 0, 'p'}, {0, 0, 0, 0}};
    const char *format = NULL;
    int force = 0, opt;
    cli_init(&c, argc, argv);
    while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
        if (opt == 'f') format = optarg;
        else if (opt == 'F') force = 1;
        else if (opt != 'p') cli_usage_error(&c, "unknown option");
    }
    if (optind != argc - 2) cli_usage_error(&c, "expected STD and OUT");
    mc_err e;
    if (delane(&c, argv[optind], format, argv[optind + 1], force, &e) < 0) return cli_fail(&c, &e);
    return 0;
}
