/* mc-delane: split an STD by lane, in one streaming pass over the matrix. */

#include "cli.h"
#include "options.h"
#include "delane.h"

static const char about[] =
    "Split the STD directory by lane: OUT/LANE/ is a canonical STD directory\n"
    "holding the lane's profiles (renumbered 1..n in their original order) and\n"
    "every gene; OUT/lanes.txt lists the lane directories in order of first\n"
    "appearance.  Lane names are made safe as directory names ('/' and a\n"
    "leading '.' become '_').  The matrix is read once, in any order.\n";

static const char more[] =
    "Memory: the profiles' CSV values plus 16 bytes per profile and at most\n"
    "~32 MiB of per-lane output buffers; never proportional to the entries.\n"
    "\n"
    "Example:\n"
    "  mc-delane raw/pbmc delaned/pbmc     # a 10x directory: recognised by its files\n"
    "  for lane in $(cat delaned/pbmc/lanes.txt); do mc-write-matrix delaned/pbmc/$lane cells/pbmc/$lane; done\n";

int main(int argc, char **argv)
{
    cli c = {.tool = "mc-delane", .operands = "STD OUT", .about = about, .more = more};
    const char *format = NULL;
    int force = 0;
    const option_spec options[] = {
        OPT_FORMAT(&format),
        OPT_FORCE(&force, "replace an existing OUT"),
        OPT_END(),
    };
    char **args;
    if (options_parse(&c, options, argc, argv, &args) != 2) cli_usage_error(&c, "expected STD and OUT");
    progress pr = cli_progress(&c);
    mc_err e;
    return delane(&pr, args[0], format, args[1], force, &e) < 0 ? cli_fail(&c, &e) : 0;
}
