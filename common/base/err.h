/* err: how the library reports a failure.
 *
 * Library functions never print or exit.  They return -1 (or NULL) and leave
 * one line in an mc_err, already in the form "FILE:LINE: what is wrong" (or
 * "FILE: what is wrong" where no line applies).  Only a program's main()
 * prints it, prefixed with the program name, and chooses the exit status.
 *
 * The lifecycle rule, which every object of the library follows (in the
 * spirit of git's STRBUF_INIT): an object zeroed (`= {0}`, calloc, memset)
 * is valid and empty; its release function (`_free`, `_close`, `_abort`) is
 * safe on a zeroed object, after its opening or writing failed and after it
 * was committed or closed, and leaves it zeroed.  So a caller declares
 * `x = {0}`, has one cleanup path that always releases, and needs no flag
 * saying whether the object was begun.  Objects handed out as pointers
 * (`container *`, `h5w *`, ...) take NULL as their zeroed state. */
#ifndef MC_ERR_H
#define MC_ERR_H

/* mc.h, the public header, declares the same struct (under the same guard). */
#ifndef MC_ERR_DEFINED
#define MC_ERR_DEFINED
typedef struct mc_err {
    char msg[1024];
} mc_err;
#endif

/* Format msg into e; always returns -1 so callers can `return mc_err_fail(...)`. */
int mc_err_fail(mc_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The one out-of-memory message: "WHAT: out of memory" ("out of memory"
 * when WHAT is NULL); returns -1. */
int mc_err_oom(mc_err *e, const char *what);
#define MC_OOM "out of memory"

/* "PATH: WHAT: strerror(errno)", or mc_err_oom(PATH) for ENOMEM; returns -1. */
int mc_err_errno(mc_err *e, const char *path, const char *what);

#endif
