/* cli: --help, --version, usage errors, failures and progress for every program. */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void cli_init(cli *c, int argc, char **argv)
{
    c->progress = isatty(STDERR_FILENO);
    for (int i = 1; i < argc && strcmp(argv[i], "--"); i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(c->usage, stdout);
            exit(0);
        }
        if (!strcmp(argv[i], "--version")) {
            printf("%s %s\n", c->tool, MC_VERSION);
            exit(0);
        }
        if (!strcmp(argv[i], "--progress")) c->progress = 1;
    }
}

void cli_usage_error(const cli *c, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s: ", c->tool);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry '%s --help'.\n", c->tool);
    exit(2);
}

int cli_fail(const cli *c, const mc_err *e)
{
    fprintf(stderr, "%s: %s\n", c->tool, e->msg);
    return 1;
}

void cli_progress(const cli *c, const char *what, unsigned long long done, unsigned long long total)
{
    if (!c->progress) return;
    if (total) fprintf(stderr, "\r%s: %s %llu/%llu (%.0f%%)", c->tool, what, done, total, 100.0 * done / total);
    else fprintf(stderr, "\r%s: %s %llu", c->tool, what, done);
}

void cli_progress_done(const cli *c)
{
    if (c->progress) fputc('\n', stderr);
}

int cli_threads(const cli *c, const char *arg)
{
    char *end;
    long n = strtol(arg, &end, 10);
    if (end == arg || *end || n < 1 || n > 256) cli_usage_error(c, "--threads: '%s' is not a number of threads (1-256)", arg);
    return (int)n;
}

unsigned long long cli_count(const cli *c, const char *option, const char *arg)
{
    char *end;
    errno = 0;
    unsigned long long n = arg[0] >= '0' && arg[0] <= '9' ? strtoull(arg, &end, 10) : 0;
    if (arg[0] < '0' || arg[0] > '9' || *end || errno)
        cli_usage_error(c, "%s: '%s' is not a count (a non-negative integer)", option, arg);
    return n;
}
