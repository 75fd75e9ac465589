/* group: sums of groups of a container's profiles (SPEC 7; mc-group).
 *
 * Group i of CONTAINER holds the profiles whose group is i (negative: an
 * outlier, in no group).  CONTAINER/groups is a GROUPS container whose
 * profile i is the sum of group i; CONTAINER/outliers is a view of CONTAINER
 * selecting the outliers.  When the groups are few (a row of genes per group
 * within 4 MB a thread) every profile is added into its group's row in one
 * pass in container order.  Otherwise the groups are summed one after the
 * other, each into a row of its thread that stays in cache, straight from the
 * matrices, whose pages stay mapped while a block of consecutive groups is
 * summed (blocks of at most 1 GiB of pairs, or MC_GROUP_BUDGET bytes from the
 * environment; 0 sums group by group, letting pages go as it goes).  Memory:
 * O(profiles + groups + threads x genes) on the heap, plus the mapped pages
 * of a block (file pages, shared with the page cache), never groups x genes. */
#ifndef MC_GROUP_H
#define MC_GROUP_H

#include <stddef.h>
#include <stdint.h>
#include "progress.h"
#include "container.h"

typedef struct grouping {
    int32_t *group;         /* per profile: its group, or -1 for an outlier */
    size_t profiles_count, groups_count;
    strvec labels;       /* a label per group when read from labels, else empty */
    char *source;           /* where the groups came from, for messages */
} grouping;

/* Groups from C's own p.group.npy (an integer array, one per profile). */
int group_labels_load(container *c, grouping *g, mc_err *e);

/* Groups from PATH ("-" = stdin) in one of two forms, told by the first line:
 *   one integer per line, a line per profile (negative = outlier); or
 *   NAME<TAB>LABEL lines (a profile name or index, see profilelookup.h): labels
 *   number the groups 0, 1, ... in order of first appearance; profiles not
 *   listed, and those whose label is empty or a negative integer, are outliers.
 * Groups must be numbered without gaps.  IGNORE_UNKNOWN: a NAME<TAB>LABEL
 * line whose name is no profile of C is skipped (its label numbers no group),
 * for labels written for every cell of a container C is a view of. */
int group_labels_read(container *c, const char *path, int ignore_unknown, grouping *g, mc_err *e);
void group_labels_free(grouping *g);

/* Write C/groups and C/outliers, and C/p.group.npy when WRITE_GROUP (an
 * existing p.group.npy with other content needs force).  All three are
 * complete under temporary names before any is renamed into place.
 * THREADS: decoding threads, 0 for every core. */
int group_write(container *c, const grouping *g, int write_group, int force, int threads, progress *pr, mc_err *e);

/* The profiles_kind of groups of KIND (SPEC 7): cells -> metacells -> 1_zones ->
 * 2_zones ...; any other kind K gives "K_groups".  Writes into buf. */
const char *group_kind(const char *kind, char *buf, size_t size);

#endif
