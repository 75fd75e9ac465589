/* guard: what an output may replace (SPEC 8).
 *
 * No tool, with or without --force, replaces or deletes a directory that is,
 * contains, or lies in the chain (bases, members, grouped containers) of any
 * of its inputs; nor an existing output of another kind than the one it
 * writes (a view never replaces a batch, a gene set never replaces an STD).
 * Since a container's own chain is among its inputs, a tool can never make
 * a chain that refers back to itself.  Every writer calls guard_output before
 * its long reading, in place of outdir_check. */
#ifndef MC_GUARD_H
#define MC_GUARD_H

#include <stddef.h>
#include "err.h"

/* What a tool writes, as guard_kind names what it finds (with the article,
 * for the messages). */
#define GUARD_BATCH "a batch"
#define GUARD_VIEW "a view"
#define GUARD_COLLECTION "a collection"
#define GUARD_GROUPS "a groups container"
#define GUARD_STD "an STD directory"
#define GUARD_LANES "a lanes directory"
#define GUARD_GENES "a gene set"
#define GUARD_FILE "a file"

/* Check that OUT may be written as WRITES (a GUARD_* kind) by a tool whose
 * inputs are the N paths INPUTS (containers with their chains, or any file or
 * directory), then that it does not exist unless FORCE (outdir_check). */
int guard_output(const char *out, const char *writes, const char *const *inputs, size_t n, int force, mc_err *e);

/* The same for a COLLECTION at OUT, written inside the directory OUT (its
 * profiles.yaml; its members' link views each checked by guard_output), which
 * may hold members in place: OUT must not be in a member's chain, and an
 * existing OUT must be a collection or a directory that is no container. */
int guard_collection(const char *out, const char *const *members, size_t n, mc_err *e);

/* What the existing PATH is: a GUARD_* kind, "an empty directory", "a
 * directory" (of other content) or "a special file"; NULL if it does not exist. */
const char *guard_kind(const char *path);

#endif
