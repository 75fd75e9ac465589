/* collect: writing a collection of containers (SPEC 7): link views to its
 * members and its profiles.yaml, atomically (outdir.h). */
#ifndef MC_COLLECT_H
#define MC_COLLECT_H

#include <stddef.h>
#include "container.h"

/* A member to collect: NAME is its subdirectory in the collection, PATH the
 * container.  A container that is already OUT/NAME is used in place; any other
 * gets a link view OUT/NAME, so nothing is copied. */
typedef struct collect_member {
    char *name;
    char *path;
} collect_member;

/* Parse "[NAME=]CONTAINER": NAME when the text before the first '=' is a
 * non-empty name without '/', else the basename of CONTAINER. */
int collect_member_parse(const char *arg, collect_member *m, mc_err *e);
/* The container subdirectories of OUT in name order (hidden ones, and views and
 * groups of OUT itself, are not members). */
int collect_scan(const char *out, collect_member **members, size_t *n, mc_err *e);
void collect_members_free(collect_member *members, size_t n);

/* Write the COLLECTION OUT of MEMBERS, in order: link views first, then
 * OUT/profiles.yaml (atomically; an existing one needs force).  Members must
 * agree on genes_uuid, genes_count, organism and profiles_kind.  On failure the
 * link views made so far are removed. */
int collect_write(const char *out, const collect_member *members, size_t n, int force, mc_err *e);

#endif
