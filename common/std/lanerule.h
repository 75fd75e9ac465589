/* lanerule: a profiles table's lane and batch columns, derived as format.yaml
 * says (stdformat.h):
 *
 * - lane / batch: a column of that name, or {from: FIELD} with optional
 *   suffix_after: SEP (the text after the last SEP) or prefix_before: SEP (the
 *   text before the first SEP), or the whole value when it has no SEP.  A
 *   lane derived from the barcode is cut off it and "name" keeps the whole
 *   barcode: "AAAC-2" -> lane "2", barcode "AAAC"; "MantonBM1_HiSeq_1-AAAC-1"
 *   (prefix_before "-") -> lane "MantonBM1_HiSeq_1", barcode "AAAC-1"; there a
 *   barcode without SEP is an error.
 * - lane: hca, the HCA barcode rule (hca.h) when every barcode has its form,
 *   else one lane "all"; the batch then follows the rule too unless given.
 * - No lane: one lane "all".  No batch: the batch is the lane.
 * An empty lane or batch is an error naming the CSV line. */
#ifndef MC_LANERULE_H
#define MC_LANERULE_H

#include "err.h"
#include "table.h"

/* How one column (lane or batch) is derived. */
typedef struct lane_rule {
    int given;                 /* {from: ...} */
    char *from;
    char *sep;
    int suffix;                /* suffix_after (else prefix_before, or a plain copy when sep is NULL) */
    int hca;                   /* lane: hca, the HCA rule of hca.h */
} lane_rule;

/* Add T's lane and batch columns (those it lacks) by LANE and BATCH; T was
 * read from a CSV (its rows have lines). */
int lanerule_apply(std_table *t, const lane_rule *lane, const lane_rule *batch, mc_err *e);

#endif
