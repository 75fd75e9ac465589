/* view: writing a view of a container (SPEC 7): the profiles and genes it
 * selects (select.h says how they are named), its files and uuid.  The output
 * directory is written atomically (outdir.h); an existing one is an error
 * unless force.  uuids are computed from the files written, as SPEC 3 says, so
 * mc-info --verify holds on every output. */
#ifndef MC_VIEW_H
#define MC_VIEW_H

#include <stddef.h>
#include <stdint.h>
#include "container.h"
#include "outdir.h"
#include "select.h"

/* Write VIEW_DIR as a view of BASE selecting the sorted, unique P_INDEX (pn)
 * and G_INDEX (gn); a NULL index leaves that axis unsliced, both NULL make a
 * link view (uuid = the base's).  base_profiles is the path from VIEW_DIR to
 * BASE.  Refuses a VIEW_DIR that is or contains BASE (force would delete it). */
int view_write(container *base, const char *view_dir, const int32_t *p_index, size_t pn, const int32_t *g_index,
               size_t gn, int force, mc_err *e);
/* The same in two steps, for a tool committing several outputs together: the
 * view is complete in O's temporary directory; outdir_commit puts it in place. */
int view_prepare(container *base, const char *view_dir, const int32_t *p_index, size_t pn, const int32_t *g_index,
                 size_t gn, int force, outdir *o, mc_err *e);

/* mc-make-view: VIEW_DIR as the view of BASE that R selects (select_view).
 * With R->by_umis only the profiles with at least R->min_umis UMIs in BASE
 * (its cached totals if valid, else computed; BASE is not written), and VIEW
 * is written with its own totals cache (totals.h), from BASE's totals when it
 * slices no genes: the view and its totals appear together.  With
 * R->qc_keep only the profiles whose QC metrics in BASE pass it (qc_keep). */
int view_make(container *base, const char *view_dir, const view_request *r, int force, mc_err *e);

#endif
