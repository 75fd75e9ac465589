/* cli: usage errors, failures, warnings and progress lines for every program. */
#include "cli.h"

#include <stdarg.h>
#include <stdlib.h>

void cli_usage_error(const cli *c, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s: ", c->tool);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " (see %s --help)\n", c->tool);
    exit(2);
}

int cli_fail(const cli *c, const mc_err *e)
{
    fprintf(stderr, "%s: %s\n", c->tool, e->msg);
    return 1;
}

void cli_warn(const cli *c, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s: warning: ", c->tool);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

static void show_progress(void *ctx, const char *what, uint64_t done, uint64_t total)
{
    const cli *c = ctx;
    if (!what) fputc('\n', stderr);
    else if (total) fprintf(stderr, "\r%s: %s %llu/%llu (%.0f%%)", c->tool, what, (unsigned long long)done,
                            (unsigned long long)total, 100.0 * (double)done / (double)total);
    else fprintf(stderr, "\r%s: %s %llu", c->tool, what, (unsigned long long)done);
}

progress cli_progress(const cli *c)
{
    progress p = {0};
    if (c->progress) {
        p.fn = show_progress;
        p.ctx = (void *)c;
    }
    return p;
}
