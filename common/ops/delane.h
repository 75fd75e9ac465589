/* delane: an STD directory (SPEC 4) split by lane, in one streaming pass over
 * the matrix, which may be in any order.
 *
 * OUT/LANE/ is a canonical STD directory (stdwrite_rows) holding every gene
 * and the lane's profiles, renumbered 1..n in their original order;
 * OUT/lanes.txt lists the lane directories in order of first appearance.  A
 * lane's directory is its name made safe: '/' and a leading '.' become '_', an
 * empty name is "_"; two lanes made the same directory are an error naming the
 * profiles CSV line.
 *
 * Memory: the profiles' CSV values plus 16 bytes per profile, and at most
 * 32 MiB of output buffers shared by the lanes (16 KiB to 1 MiB each); never
 * in proportion to the entries.  With more lanes than the open files limit
 * allows, lane files are closed between buffer flushes.
 *
 * OUT is written atomically (outdir.h); an existing one is refused before any
 * reading unless force. */
#ifndef MC_DELANE_H
#define MC_DELANE_H

#include "progress.h"
#include "err.h"

/* Split the STD directory STD (read by FORMAT; NULL: STD/format.yaml) into
 * OUT, reporting progress through C. */
int delane(progress *pr, const char *std, const char *format, const char *out, int force, mc_err *e);

#endif
