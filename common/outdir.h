/* outdir: atomic outputs.
 *
 * A tool writes its output directory (or file) under a temporary name beside
 * the destination and renames it into place only when complete, so a crash,
 * kill -9 or full disk never leaves something make or Snakemake would take as
 * up to date.  An existing destination is an error unless force is set.
 * Beginning an output also removes what a killed run of the same output left
 * beside it (".NAME.tmp-PID", ".NAME.old-PID" whose PID no longer runs; a
 * live writer's are left alone, so of two runs on one output the second to
 * commit finds the first's and fails as "already exists"). */
#ifndef MC_OUTDIR_H
#define MC_OUTDIR_H

#include <stddef.h>
#include "err.h"

typedef struct outdir {
    char *final;      /* destination path */
    char *tmp;        /* where to write: "DIR/.NAME.tmp-PID" */
    int force;
} outdir;

/* Check the destination (exists and !force: error), create the temporary directory. */
int outdir_begin(outdir *o, const char *final, int force, mc_err *e);
/* That check alone, for a tool to make before its long reading, not after. */
int outdir_check(const char *final, int force, mc_err *e);
/* Path of FILE inside the temporary directory (malloc'd). */
char *outdir_file(const outdir *o, const char *file);
/* fsync every file and directory of the temporary, and its parent; rename
 * into place (replacing an old output when force); fsync the parent again, so
 * a power loss never leaves a committed-looking output with missing bytes
 * (MC_NO_FSYNC=1 skips the syncs).  Frees o; on failure the temporary is
 * removed and an old output left as it was. */
int outdir_commit(outdir *o, mc_err *e);
/* Remove the temporary directory and everything in it; frees o.  Safe on a
 * zeroed outdir, after a failed begin and after commit (err.h). */
void outdir_abort(outdir *o);

/* The same for one file: write to outfile.tmp, then commit syncs and renames it.
 * A destination that is not a regular file (a FIFO, /dev/null, a terminal, any
 * path under /dev/) is written directly: tmp is the destination itself, there
 * is no "exists" check, and commit/abort neither rename nor remove it. */
typedef struct outfile {
    char *final;
    char *tmp;
    int direct;
} outfile;
int outfile_begin(outfile *o, const char *final, int force, mc_err *e);
int outfile_commit(outfile *o, mc_err *e);
/* Whether PATH is written directly (see outfile): under /dev/, or existing and not a regular file or directory. */
int outfile_is_direct(const char *path);
void outfile_abort(outfile *o);

/* Several outputs that stand or fall together (mc-group: groups, outliers,
 * p.group.npy): each commit keeps the output it replaced until commit_set_done
 * drops them all; commit_set_undo removes the new ones and puts the old back.
 * A failed commit aborts its own output (and frees o) but undoes no other;
 * done or undo frees the set. */
typedef struct commit_set {
    char **final, **old;
    size_t n, cap;
} commit_set;
int commit_set_dir(commit_set *s, outdir *o, mc_err *e);
int commit_set_file(commit_set *s, outfile *o, mc_err *e);
void commit_set_done(commit_set *s);
void commit_set_undo(commit_set *s);

/* Start writing back what FD holds so far, without waiting, so the fsync at
 * commit finds little left to write (writers call it as they go). */
void outdir_write_behind(int fd);

/* rm -rf PATH (no symlink following); 0 or -1 with e set. */
int remove_tree(const char *path, mc_err *e);

#endif
