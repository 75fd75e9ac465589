/* outdir: atomic outputs.
 *
 * A tool writes its output directory (or file) under a temporary name beside
 * the destination and renames it into place only when complete, so a crash,
 * kill -9 or full disk never leaves something make or Snakemake would take as
 * up to date.  An existing destination is an error unless force is set.
 * Beginning an output also removes what a killed run of the same output left
 * beside it (".NAME.tmp-PID", ".NAME.old-PID"). */
#ifndef MC_OUTDIR_H
#define MC_OUTDIR_H

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
/* Rename into place (replacing an old output when force); frees o. */
int outdir_commit(outdir *o, mc_err *e);
/* Remove the temporary directory and everything in it; frees o.  Safe after commit. */
void outdir_abort(outdir *o);

/* The same for one file: write to outfile.tmp, then commit renames it.
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

/* rm -rf PATH (no symlink following); 0 or -1 with e set. */
int remove_tree(const char *path, mc_err *e);
/* PATH joined with NAME (malloc'd). */
char *path_join(const char *dir, const char *name);
/* Relative path from directory FROM to TO (both existing or whose parents exist). */
char *path_relative(const char *from_dir, const char *to, mc_err *e);
int path_exists(const char *path);
/* The nearest existing directory above PATH (its parent, the parent's parent,
 * ...; "." or "/" at the top), malloc'd; NULL when out of memory. */
char *path_existing_parent(const char *path);

#endif
