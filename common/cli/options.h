/* options: every program's command line, declared as a table (SPEC 8).
 *
 * A program lists its options with the OPT_* macros; options_parse reads argv
 * against the table, stores each value where the entry points, and leaves the
 * operands (everything that is not an option, in order) for the program.
 * Options and operands may come in any order; "--" ends the options; "-" is an
 * operand (or, for OPT_INPUT values, stdin).  Long options may be abbreviated
 * to any unique prefix and given as --name=VALUE or --name VALUE.
 *
 * The layer itself handles --help (usage and the option list printed from the
 * table, exit 0), --version, and --progress; every usage error is exactly one
 * line, "TOOL: what (see TOOL --help)", with exit status 2. */
#ifndef MC_OPTIONS_H
#define MC_OPTIONS_H

#include "cli.h"

typedef enum option_type {
    OPTION_END,
    OPTION_GROUP,    /* a heading in --help, not an option */
    OPTION_FLAG,     /* int *: set to 1 */
    OPTION_STRING,   /* const char **: the value */
    OPTION_INT,      /* int *: a value from min to max */
    OPTION_COUNT,    /* long long *: a non-negative integer (leave it -1 to tell "not given") */
    OPTION_CHOICE,   /* int *: the index of the value among choices */
    OPTION_LIST,     /* strvec *: every value given, in order (the option may be repeated) */
    OPTION_RENAMED,  /* an old name: using it is a usage error naming the new one */
} option_type;

enum { OPTION_STDIN = 1 };   /* an OPTION_STRING whose "-" means stdin */

typedef struct option_spec {
    option_type type;
    const char *name;               /* long name without "--"; GROUP: the heading */
    char short_name;                /* e.g. 'o' for -o, or 0 */
    void *value;
    const char *arg;                /* the value's name in --help: DIR, FILE, N */
    const char *help;               /* its help; '\n' continues on the next line */
    int flags;
    int min, max;                   /* OPTION_INT */
    const char *const *choices;     /* OPTION_CHOICE: NULL-terminated */
} option_spec;

#define OPT_END() {OPTION_END, NULL, 0, NULL, NULL, NULL, 0, 0, 0, NULL}
#define OPT_GROUP(heading) {OPTION_GROUP, heading, 0, NULL, NULL, NULL, 0, 0, 0, NULL}
#define OPT_FLAG(name, v, help) {OPTION_FLAG, name, 0, v, NULL, help, 0, 0, 0, NULL}
#define OPT_STRING(name, v, arg, help) {OPTION_STRING, name, 0, v, arg, help, 0, 0, 0, NULL}
#define OPT_SHORT_STRING(short_name, name, v, arg, help) {OPTION_STRING, name, short_name, v, arg, help, 0, 0, 0, NULL}
#define OPT_INPUT(name, v, arg, help) {OPTION_STRING, name, 0, v, arg, help, OPTION_STDIN, 0, 0, NULL}
#define OPT_INT(name, v, arg, lo, hi, help) {OPTION_INT, name, 0, v, arg, help, 0, lo, hi, NULL}
#define OPT_COUNT(name, v, arg, help) {OPTION_COUNT, name, 0, v, arg, help, 0, 0, 0, NULL}
#define OPT_CHOICE(name, v, arg, list, help) {OPTION_CHOICE, name, 0, v, arg, help, 0, 0, 0, list}
#define OPT_LIST(name, v, arg, help) {OPTION_LIST, name, 0, v, arg, help, 0, 0, 0, NULL}
#define OPT_RENAMED(old, now) {OPTION_RENAMED, old, 0, NULL, now, NULL, 0, 0, 0, NULL}
/* The options several programs share, meaning the same in each. */
#define OPT_FORCE(v, help) OPT_FLAG("force", v, help)
#define OPT_THREADS(v, help) OPT_INT("threads", v, "N", 1, 256, help)
#define OPT_FORMAT(v)                                                                                          \
    OPT_STRING("format", v, "FILE",                                                                            \
               "how to read STD (default STD/format.yaml, else a 10x or\nMOCA layout recognised by its files, "  \
               "plain or .gz; a\nrelative FILE not found is looked for in the shipped formats/)")
#define OPT_GENES(v, help) OPT_STRING("genes", v, "DIR", help)
/* How to read an HDF5 input (an h5_opts *, h5.h): mc-import-hca, mc-import-cells, mc-make-genes. */
#define OPT_H5_INPUT(o)                                                                                        \
    OPT_STRING("genome", &(o)->genome, "NAME", "v2: the genome group to read (required when there are\n"       \
                                               "several); v3: keep only features of this genome"),             \
    OPT_FLAG("all-features", &(o)->all_features, "v3: keep every feature type, not only Gene Expression"),    \
    OPT_STRING("layer", &(o)->layer, "NAME", ".h5ad: the counts in layers/NAME, or raw (raw/X with\n"          \
                                             "raw/var); Loom: layers/NAME (default: X, /matrix)"),             \
    OPT_STRING("lane-column", &(o)->lane_column, "C", ".h5ad / Loom: lanes from the obs / col_attrs column C\n" \
                                                      "(default: from HCA barcodes, else one lane 'all')")

/* Parse argv: on --help or --version print and exit 0; on a usage error print
 * one line and exit 2.  Returns the number of operands, moved to argv[1...]
 * in their order; *operands points at the first. */
int options_parse(cli *c, const option_spec *opts, int argc, char **argv, char ***operands);

#endif
