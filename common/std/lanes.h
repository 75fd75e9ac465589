/* lanes: the profiles of an STD profiles table grouped by their lane column,
 * lanes in order of first appearance, profiles in their order within a lane.
 * This is how mc-delane and mc-import-cells split a sample, so both give the
 * same lanes.  A lane's directory is its name made safe: '/' and a leading
 * '.' become '_', an empty name is "_"; two lanes made the same directory is
 * an error naming the second one's profile (its CSV line, when read from one).
 *
 * Memory: 16 bytes per profile and the lane names. */
#ifndef MC_LANES_H
#define MC_LANES_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "table.h"

typedef struct lanes {
    size_t n, cap;
    char **dir;              /* safe directory name per lane */
    size_t *first;           /* first profile of each lane (for messages) */
    size_t *count;           /* profiles per lane */
    uint32_t *lane_of;       /* per profile */
    uint32_t *index_in_lane; /* per profile */
    size_t *rows;            /* profiles grouped by lane, in order */
    size_t *start;           /* n + 1 offsets into rows */
} lanes;

/* Group T's rows by its "lane" column.  On failure *l holds what lanes_free frees. */
int lanes_find(const std_table *t, lanes *l, mc_err *e);
/* Free; safe on a zeroed or freed lanes. */
void lanes_free(lanes *l);

#endif
