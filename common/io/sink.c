/* sink: a buffered text output, stdout or an atomic file, gzip by name. */
#include "sink.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SINK_BUFFER ((size_t)1 << 20)

static int is_gz_name(const char *path)
{
    size_t n = strlen(path);
    return n > 3 && !strcmp(path + n - 3, ".gz");
}

static int sink_open_file(sink *s, const char *path, int force, mc_err *e)
{
    if (outdir_file_begin(&s->of, path, force, e) < 0) return -1;
    s->shown = s->of.final;
    if (!is_gz_name(path)) s->f = outdir_file_stream(&s->of, e);
    else if (s->of.direct) s->gz = gzopen(path, "wb6");
    else {
        int fd = fcntl(outdir_file_fd(&s->of), F_DUPFD_CLOEXEC, 3);
        if (fd >= 0 && !(s->gz = gzdopen(fd, "wb6"))) close(fd);
    }
    if (s->f || s->gz) return 0;
    if (is_gz_name(path)) mc_err_errno(e, path, "cannot create");   /* outdir_file_stream said why otherwise */
    outdir_file_abort(&s->of);
    return -1;
}

int sink_open(sink *s, const char *path, int force, mc_err *e)
{
    memset(s, 0, sizeof *s);
    if (!(s->buf = malloc(SINK_BUFFER))) return mc_err_oom(e, path ? path : "stdout");
    /* /dev/stdout is our stdout: reopening it would truncate a file opened for appending. */
    if (!path || !strcmp(path, "-") || !strcmp(path, "/dev/stdout")) {
        s->f = stdout;
        s->shown = "stdout";
        return 0;
    }
    if (sink_open_file(s, path, force, e) == 0) return 0;
    free(s->buf);
    s->buf = NULL;
    return -1;
}

static int sink_write(sink *s, const char *p, size_t n, mc_err *e)
{
    int ok = s->gz ? n == 0 || gzwrite(s->gz, p, (unsigned)n) == (int)n : fwrite(p, 1, n, s->f) == n;
    return ok ? 0 : mc_err_errno(e, s->shown, "cannot write");
}

static int sink_flush(sink *s, mc_err *e)
{
    if (s->len && sink_write(s, s->buf, s->len, e) < 0) return -1;
    s->len = 0;
    return 0;
}

int sink_put(sink *s, const char *p, size_t n, mc_err *e)
{
    if (SINK_BUFFER - s->len < n && sink_flush(s, e) < 0) return -1;
    if (n > SINK_BUFFER) return sink_write(s, p, n, e);
    memcpy(s->buf + s->len, p, n);
    s->len += n;
    return 0;
}

int sink_str(sink *s, const char *str, mc_err *e)
{
    return sink_put(s, str, strlen(str), e);
}

/* A TSV field: a tab or line break inside would shift the columns. */
int sink_field(sink *s, const char *value, const char *what, mc_err *e)
{
    if (strpbrk(value, "\t\r\n"))
        return mc_err_fail(e, "%s: %s: value '%s' holds a tab or line break, which TSV cannot carry", s->shown, what,
                       value);
    return sink_str(s, value, e);
}

/* Flush and close the file (stdout stays open, flushed). */
int sink_finish(sink *s, mc_err *e)
{
    int rc = sink_flush(s, e);
    if (s->gz) {
        if (gzclose(s->gz) != Z_OK && rc == 0) rc = mc_err_errno(e, s->shown, "cannot write");
        s->gz = NULL;
    } else if (rc == 0 && (fflush(s->f) != 0 || ferror(s->f))) rc = mc_err_errno(e, s->shown, "cannot write");
    if (s->of.tmp && s->f) {
        if (fclose(s->f) != 0 && rc == 0) rc = mc_err_errno(e, s->shown, "cannot write");
        s->f = NULL;
    }
    free(s->buf);
    s->buf = NULL;
    return rc;
}

int sink_commit(sink *s, mc_err *e)
{
    return s->of.tmp ? outdir_file_commit(&s->of, e) : 0;
}

/* Safe on a zeroed sink, after a failure, after finish and after commit (err.h). */
void sink_abort(sink *s)
{
    if (s->of.tmp) {
        if (s->f) fclose(s->f);
        if (s->gz) gzclose(s->gz);
        outdir_file_abort(&s->of);
    }
    free(s->buf);
    memset(s, 0, sizeof *s);
}
