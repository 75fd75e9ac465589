/* err: how the library reports a failure.
 *
 * Library functions never print or exit.  They return -1 (or NULL) and leave
 * one line in an mc_err, already in the form "FILE:LINE: what is wrong" (or
 * "FILE: what is wrong" where no line applies).  Only a program's main()
 * prints it, prefixed with the program name, and chooses the exit status. */
#ifndef MC_ERR_H
#define MC_ERR_H

typedef struct mc_err {
    char msg[1024];
} mc_err;

/* Format msg into e; always returns -1 so callers can `return mc_fail(...)`. */
int mc_fail(mc_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* "PATH: WHAT: strerror(errno)"; returns -1. */
int mc_fail_errno(mc_err *e, const char *path, const char *what);

#endif
