/* cli: the conventions every program shares (SPEC 8).
 *
 * Errors are one line on stderr, "mc-TOOL: FILE:LINE: what", exit 1; usage
 * errors one line too, exit 2; --help prints usage with an example, --version
 * the version.  Progress goes to stderr only when it is a terminal or
 * --progress is given.  The options themselves are read by options.h. */
#ifndef MC_CLI_H
#define MC_CLI_H

#include <stdio.h>
#include "err.h"
#include "progress.h"

#define MC_VERSION "0.1.0"

typedef struct cli {
    const char *tool;        /* "mc-info" */
    const char *operands;    /* after "Usage: TOOL [OPTION]... "; '\n' separates forms */
    const char *about;       /* what the program does, under the usage line */
    const char *more;        /* after the option list: details, then an example */
    int progress;            /* report progress on stderr */
} cli;

/* Print "TOOL: MSG (see TOOL --help)" and exit 2. */
void cli_usage_error(const cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));
/* Print "TOOL: e->msg" and return 1 (for `return cli_fail(&c, &e);` in main). */
int cli_fail(const cli *c, const mc_err *e);
/* Print "TOOL: warning: MSG". */
void cli_warn(const cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Progress for the library: a line on stderr overwritten with '\r', when
 * c->progress; otherwise a progress that watches nothing. */
progress cli_progress(const cli *c);

#endif
