/* view: views written from an open container. */
#include "view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "guard.h"
#include "outdir.h"
#include "path.h"
#include "qc.h"
#include "totals.h"

/* The view's files inside the temporary directory of O. */
static int view_fill(container *base, const outdir *o, const int32_t *p_index, size_t pn, const int32_t *g_index,
                     size_t gn, mc_err *e)
{
    char *p_path = outdir_path(o, "p.base_index.npy"), *g_path = outdir_path(o, "g.base_index.npy"),
         *yaml = outdir_path(o, "profiles.yaml"), *rel = NULL;
    profiles_meta m = {0};
    int rc = -1;
    if (!p_path || !g_path || !yaml) {
        mc_err_oom(e, o->final);
        goto done;
    }
    if (!(rel = path_relative(o->final, base->path, e))) goto done;
    if (p_index && npy_write_i32(p_path, p_index, pn, e) < 0) goto done;
    if (g_index && npy_write_i32(g_path, g_index, gn, e) < 0) goto done;
    m.kind = KIND_VIEW;
    m.organism = base->meta.organism;
    m.profiles_kind = base->meta.profiles_kind;
    m.profiles_count = (long)(p_index ? pn : base->profiles_count);
    m.genes_count = (long)(g_index ? gn : base->genes_count);
    m.base_profiles = rel;
    memcpy(m.base_uuid, base->meta.uuid, MC_UUID_STRLEN);
    if (g_index) {
        if (container_genes_uuid(base->meta.genes_uuid, g_path, m.genes_uuid, e) < 0) goto done;
    } else
        memcpy(m.genes_uuid, base->meta.genes_uuid, MC_UUID_STRLEN);
    if (container_compute_uuid(o->tmp, &m, m.uuid, e) < 0 || meta_profiles_dump(yaml, &m, e) < 0) goto done;
    rc = 0;
done:
    free(p_path);
    free(g_path);
    free(yaml);
    free(rel);
    return rc;
}

int view_prepare(container *base, const char *view_dir, const int32_t *p_index, size_t pn, const int32_t *g_index,
                 size_t gn, int force, outdir *o, mc_err *e)
{
    const char *input = base->path;
    if (guard_output(view_dir, GUARD_VIEW, &input, 1, force, e) < 0 || outdir_begin(o, view_dir, force, e) < 0)
        return -1;
    if (view_fill(base, o, p_index, pn, g_index, gn, e) < 0) {
        outdir_abort(o);
        return -1;
    }
    return 0;
}

int view_write(container *base, const char *view_dir, const int32_t *p_index, size_t pn, const int32_t *g_index,
               size_t gn, int force, mc_err *e)
{
    outdir o;
    if (view_prepare(base, view_dir, p_index, pn, g_index, gn, force, &o, e) < 0) return -1;
    return outdir_commit(&o, e);
}

/* Keep of *P_INDEX (NULL: every profile of BASE) those with at least MIN UMIs in BT. */
static int keep_by_umis(const container *base, const totals *bt, unsigned long long min, int32_t **p_index,
                        size_t *pn, mc_err *e)
{
    size_t n = *p_index ? *pn : base->profiles_count, k = 0;
    int32_t *kept = mc_alloc_array(n, sizeof *kept);
    if (!kept) return mc_err_oom(e, base->path);
    for (size_t i = 0; i < n; i++) {
        int32_t p = *p_index ? (*p_index)[i] : (int32_t)i;
        if (bt->p[p] >= min) kept[k++] = p;
    }
    free(*p_index);
    *p_index = kept;
    *pn = k;
    return 0;
}

/* The totals cache of the view being written in O, from BT (its base's) when it slices no genes. */
static int view_totals(const outdir *o, const totals *bt, mc_err *e)
{
    container *v = container_open(o->tmp, e);
    totals t = {0};
    int rc = !v ? -1 : v->g_index ? totals_compute(v, NULL, 0, &t, e) : totals_from_base(v, bt, NULL, 0, &t, e);
    if (rc == 0) rc = totals_store(v, &t, e);
    totals_free(&t);
    container_close(v);
    return rc;
}

int view_make(container *base, const char *view_dir, const view_request *r, int force, mc_err *e)
{
    int32_t *p_index = NULL, *g_index = NULL;
    size_t pn = 0, gn = 0;
    totals bt = {0};
    outdir o;
    int rc = select_view(base, r, &p_index, &pn, &g_index, &gn, e);
    if (rc == 0 && r->by_umis) {
        rc = totals_load(base, &bt, e) == 1 ? 0 : totals_compute(base, NULL, 0, &bt, e);
        if (rc == 0) rc = keep_by_umis(base, &bt, r->min_umis, &p_index, &pn, e);
    }
    if (rc == 0 && qc_filter_active(r->qc_keep)) rc = qc_keep(base, r->qc, r->qc_keep, &p_index, &pn, e);
    if (rc == 0) rc = view_prepare(base, view_dir, p_index, pn, g_index, gn, force, &o, e);
    if (rc == 0 && r->by_umis && view_totals(&o, &bt, e) < 0) {
        outdir_abort(&o);
        rc = -1;
    }
    if (rc == 0) rc = outdir_commit(&o, e);
    totals_free(&bt);
    free(p_index);
    free(g_index);
    return rc;
}
