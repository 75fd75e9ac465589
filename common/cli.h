/* cli: the conventions every program shares (SPEC 8).
 *
 * Errors are one line on stderr, "mc-TOOL: FILE:LINE: what", exit 1; usage
 * errors exit 2; --help prints usage with an example, --version the version.
 * Progress goes to stderr only when it is a terminal or --progress is given. */
#ifndef MC_CLI_H
#define MC_CLI_H

#include <stdio.h>
#include "err.h"

#define MC_VERSION "0.1.0"

typedef struct cli {
    const char *tool;        /* "mc-info" */
    const char *usage;       /* full --help text, ending with an example */
    int progress;            /* report progress on stderr */
} cli;

/* Handle --help and --version anywhere in argv (prints and exits 0). */
void cli_init(cli *c, int argc, char **argv);
/* Print "tool: MSG" for a usage error, then the usage line hint, exit 2. */
void cli_usage_error(const cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));
/* Print "tool: e->msg" and return 1 (for `return cli_fail(&c, &e);` in main). */
int cli_fail(const cli *c, const mc_err *e);

/* The value of --threads N (1-256), or a usage error. */
int cli_threads(const cli *c, const char *arg);
/* The value of OPTION's ARG, a non-negative decimal integer, or a usage error. */
unsigned long long cli_count(const cli *c, const char *option, const char *arg);

/* Progress: a line on stderr overwritten with '\r'; no-ops unless c->progress. */
void cli_progress(const cli *c, const char *what, unsigned long long done, unsigned long long total);
void cli_progress_done(const cli *c);

#endif
