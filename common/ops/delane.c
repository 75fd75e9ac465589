/* delane: an STD directory split by lane. */
#include "delane.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "alloc.h"
#include "mtx.h"
#include "guard.h"
#include "outdir.h"
#include "path.h"
#include "stdread.h"
#include "stdwrite.h"
#include "lanes.h"
#include "txt.h"

#define BUFFERS_TOTAL (32u << 20)     /* bytes of output buffers shared by all lanes */

/* Write every lane's directory except the matrix; open the matrix writers. */
static int write_lane_dirs(const outdir *o, const std_dir *s, const lanes *l, const mtx_numbers *num, mtx_writer **w,
                           mc_err *e)
{
    size_t buffer = BUFFERS_TOTAL / (l->n ? l->n : 1);
    if (buffer > (256u << 10)) buffer = 256u << 10;
    if (buffer < (16u << 10)) buffer = 16u << 10;
    int keep_open = l->n <= outdir_open_files_budget();
    for (size_t k = 0; k < l->n; k++) {
        char *dir = outdir_path(o, l->dir[k]), *matrix = dir ? path_join(dir, STD_MATRIX) : NULL;
        int rc = -1;
        if (!matrix) mc_err_oom(e, o->tmp);
        else if (mkdir(dir, 0777) < 0) mc_err_errno(e, dir, "cannot create directory");
        else if (stdwrite_rows(dir, &s->genes, &s->profiles, l->rows + l->start[k], l->count[k], e) == 0 &&
                 (w[k] = mtx_writer_open_ex(matrix, (uint32_t)s->genes.count, (uint32_t)l->count[k], -1, buffer,
                                            keep_open, num, e)))
            rc = 0;
        free(dir);
        free(matrix);
        if (rc < 0) return -1;
    }
    return 0;
}

static int split_matrix(progress *pr, const std_dir *s, const lanes *l, mtx_writer **w, mc_err *e)
{
    std_matrix *m = stdread_matrix_open(s, e);
    if (!m) return -1;
    uint64_t total = mtx_entries(stdread_matrix_reader(m)), done = 0;
    uint32_t g, p;
    uint64_t v;
    int rc;
    while ((rc = stdread_matrix_next(m, &g, &p, &v, e)) == 1) {
        if (mtx_writer_add(w[l->lane_of[p]], g, l->index_in_lane[p], v, e) < 0) {
            rc = -1;
            break;
        }
        if ((++done & 0xffff) == 0) progress_report(pr, "entries", done, total);
    }
    stdread_matrix_close(m);
    progress_end(pr);
    return rc;
}

static int write_lanes_txt(const outdir *o, const lanes *l, mc_err *e)
{
    char *path = outdir_path(o, "lanes.txt");
    int rc = path ? txt_write(path, l->dir, l->n, e) : mc_err_oom(e, o->tmp);
    free(path);
    return rc;
}

int delane(progress *pr, const char *in, const char *format, const char *out, int force, mc_err *e)
{
    std_dir s;
    lanes l = {0};
    outdir o = {0};
    mtx_writer **w = NULL;
    mtx_numbers *num = NULL;   /* the text of gene numbers, shared by the lanes' writers */
    int rc = -1;
    if (guard_output(out, GUARD_LANES, &in, 1, force, e) < 0) return -1;   /* before the long reading, not after */
    if (stdread_open(&s, in, format, e) < 0) return -1;
    if (stdread_load_genes(&s, e) < 0 || stdread_load_profiles(&s, e) < 0 || lanes_find(&s.profiles, &l, e) < 0)
        goto done;
    if (outdir_begin(&o, out, force, e) < 0) goto done;
    if (!(w = mc_alloc_zeroed(l.n + 1, sizeof *w))) {
        mc_err_oom(e, out);
        goto done;
    }
    if (!(num = mtx_numbers_new((uint32_t)s.genes.count, e))) goto done;
    if (write_lane_dirs(&o, &s, &l, num, w, e) < 0 || split_matrix(pr, &s, &l, w, e) < 0) goto done;
    for (size_t k = 0; k < l.n; k++) {
        mtx_writer *lane = w[k];
        w[k] = NULL;
        if (mtx_writer_close(lane, e) < 0) goto done;
    }
    if (write_lanes_txt(&o, &l, e) < 0 || outdir_commit(&o, e) < 0) goto done;
    rc = 0;
done:
    for (size_t k = 0; w && k < l.n; k++) mtx_writer_abort(w[k]);
    free(w);
    mtx_numbers_free(num);
    outdir_abort(&o);   /* nothing left to remove after a commit */
    lanes_free(&l);
    stdread_close(&s);
    return rc;
}

