/* derive: writing the containers derived from others (SPEC 3, 7): views and
 * collections.  Each output directory is written atomically (outdir.h); an
 * existing one is an error unless force.  uuids are computed from the files
 * written, as SPEC 3 says, so mc-info --verify holds on every output. */
#ifndef MC_DERIVE_H
#define MC_DERIVE_H

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

/* The profiles_kind of groups of KIND (SPEC 7): cells -> metacells -> 1_zones ->
 * 2_zones ...; any other kind K gives "K_groups".  Writes into buf. */
const char *group_kind(const char *kind, char *buf, size_t size);

#endif
