/* err: one-line failures carried up to main(). */
#include "err.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int mc_err_fail(mc_err *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    /* One line whatever it quotes (a file name, a key, a library's text). */
    for (char *p = e->msg; *p; p++)
        if (*p == '\n' || *p == '\r') *p = ' ';
    return -1;
}

int mc_err_oom(mc_err *e, const char *what)
{
    return what ? mc_err_fail(e, "%s: " MC_OOM, what) : mc_err_fail(e, MC_OOM);
}

int mc_err_errno(mc_err *e, const char *path, const char *what)
{
    /* the one message, whichever call ran out */
    if (errno == ENOMEM) return mc_err_oom(e, path);
    return mc_err_fail(e, "%s: %s: %s", path, what, strerror(errno));
}
