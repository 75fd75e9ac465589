/* outdir: atomic outputs.
 *
 * A tool writes its output directory (or file) under a temporary name beside
 * the destination and renames it into place only when complete, so a crash,
 * kill -9 or full disk never leaves something make or Snakemake would take as
 * up to date.  An existing destination is an error unless force is set.
 *
 * A temporary is ".NAME.tmp-HOST-RANDOM" (RANDOM from getrandom(2), so two
 * writers never share one, whatever their PIDs, PID namespaces or hosts),
 * created exclusively (O_CREAT|O_EXCL|O_NOFOLLOW, or mkdir and a check that
 * it is the directory we made: a planted symlink is never written through),
 * and locked (flock) by its writer until it is committed or removed.
 * Beginning an output removes what killed runs of the same output left beside
 * it (".NAME.tmp-*", ".NAME.old-*") whose lock no one holds; a live writer's,
 * here or on another host, are left alone, so of two runs on one output the
 * second to commit finds the first's and fails as "already exists".  A
 * temporary is removed when the tool is stopped by SIGINT, SIGTERM or SIGHUP
 * (outdir_clean_on_signals).
 *
 * An output written inside a container (mc-group's groups in a view, a cache)
 * holds a shared flock on the container until it is committed or removed, and
 * replacing an output (--force) takes an exclusive one on the old output first:
 * a run replacing a container (another host's) waits for those writing in it,
 * rather than taking their outputs away half made. */
#ifndef MC_OUTDIR_H
#define MC_OUTDIR_H

#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include "err.h"

/* The longest output name whose temporaries (".NAME.tmp-HOST-RANDOM", HOST at
 * most 16 characters, RANDOM 16) still fit a file name, whatever the host. */
#define OUTDIR_NAME_MAX (NAME_MAX - 39)

/* outdir_begin's FORCE: nonzero replaces an existing output; OUTDIR_KEEP_SAME
 * (which implies it) keeps an existing output whose files are the same as the
 * new one's, times and all, so what make built from it is not rebuilt
 * (mc-make-genes --if-changed, the pipelines' gene set). */
#define OUTDIR_KEEP_SAME 2

typedef struct outdir {
    char *final;      /* destination path */
    char *tmp;        /* where to write: "DIR/.NAME.tmp-HOST-RANDOM" */
    int force;
    int fd;           /* the temporary, locked while it is being written; valid when tmp is set */
    int held;         /* the container the output is written in, locked shared (-1: none); valid when tmp is set */
} outdir;

/* Check the destination (exists and !force: error), create the temporary directory. */
int outdir_begin(outdir *o, const char *final, int force, mc_err *e);
/* That check alone, for a tool to make before its long reading, not after. */
int outdir_check(const char *final, int force, mc_err *e);
/* Path of FILE inside the temporary directory (malloc'd). */
char *outdir_path(const outdir *o, const char *file);
/* fsync every file and directory of the temporary, and its parent; rename
 * into place (replacing an old output when force); fsync the parent again, so
 * a power loss never leaves a committed-looking output with missing bytes
 * (MC_NO_FSYNC=1 skips the syncs).  Frees o; on failure the temporary is
 * removed and an old output left as it was.  With OUTDIR_KEEP_SAME, an
 * existing output of the same files (names not starting with "." compared,
 * byte for byte) is kept and the temporary removed. */
int outdir_commit(outdir *o, mc_err *e);
/* Remove the temporary directory and everything in it; frees o.  Safe on a
 * zeroed outdir, after a failed begin and after commit (err.h). */
void outdir_abort(outdir *o);

/* The same for one file: outdir_file_begin creates the temporary file, which the
 * writer reaches through outdir_file_stream or outdir_file_fd (never by opening tmp,
 * which could have been replaced), then commit syncs and renames it.
 * A destination that is not a regular file (a FIFO, /dev/null, a terminal, any
 * path under /dev/) is written directly: tmp is the destination itself, there
 * is no "exists" check, and commit/abort neither rename nor remove it. */
typedef struct outfile {
    char *final;
    char *tmp;
    int direct;
    int fd;           /* the temporary, locked; valid when tmp is set and not direct */
    int held;         /* as outdir's; valid when tmp is set and not direct */
} outfile;
int outdir_file_begin(outfile *o, const char *final, int force, mc_err *e);
/* The same for a file a container holds (profiles.yaml, a cache): never
 * written directly; a FIFO or device at FINAL (or a symlink to one) is refused
 * as "not a regular file" (a stream there is not what the container needs,
 * and opening it for writing would wait for a reader). */
int outdir_file_begin_regular(outfile *o, const char *final, int force, mc_err *e);
/* A stream on the temporary (on the destination itself when direct), for the
 * caller to fclose before commit; NULL with e set. */
FILE *outdir_file_stream(outfile *o, mc_err *e);
/* The temporary's file descriptor (owned by o; -1 when direct). */
int outdir_file_fd(const outfile *o);
int outdir_file_commit(outfile *o, mc_err *e);
/* Whether PATH is written directly (see outfile): under /dev/ but /dev/shm/, or existing and not
 * a regular file or directory. */
int outdir_file_is_direct(const char *path);
void outdir_file_abort(outfile *o);

/* Several outputs that stand or fall together (mc-group: groups, outliers,
 * p.group.npy): each commit keeps the output it replaced until outdir_set_done
 * drops them all; outdir_set_undo removes the new ones and puts the old back.
 * A failed commit aborts its own output (and frees o) but undoes no other;
 * done or undo frees the set. */
typedef struct outdir_old outdir_old;
typedef struct commit_set {
    char **final;
    outdir_old *old;
    size_t n, cap;
} commit_set;
int outdir_set_dir(commit_set *s, outdir *o, mc_err *e);
int outdir_set_file(commit_set *s, outfile *o, mc_err *e);
void outdir_set_done(commit_set *s);
void outdir_set_undo(commit_set *s);

/* Start writing back what FD holds so far, without waiting, so the fsync at
 * commit finds little left to write (writers call it as they go). */
void outdir_write_behind(int fd);

/* Remove every live temporary of this process when it gets SIGINT, SIGTERM or
 * SIGHUP (one ignored stays ignored), then die of the signal as before.  The
 * tools call it once, from options_parse. */
void outdir_clean_on_signals(void);

/* How many output files a writer of many (lanes) may keep open at once: well
 * under the soft limit of open files; past it, each is closed between flushes. */
size_t outdir_open_files_budget(void);

/* rm -rf PATH (no symlink following); 0 or -1 with e set. */
int outdir_remove_tree(const char *path, mc_err *e);

#endif
