/* batchwrite: a BATCH container written from an STD directory. */
#include "batch.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "column.h"
#include "genes.h"
#include "meta.h"
#include "mmm.h"
#include "mtx.h"
#include "guard.h"
#include "outdir.h"
#include "path.h"
#include "stdread.h"
#include "uuid.h"

/* More UMIs than this in one gene of one profile is not a count (and would
 * take value/128 bytes in the MMM). */

/* One STD being written as a BATCH. */
typedef struct job {
    progress *pr;
    std_dir std;
    gene_set genes;
    uint32_t *gene_map;      /* STD gene -> gene set index */
    size_t profiles;
    mmm_writer *w;
    uint64_t *column_count;  /* per profile: entries (for the unsorted path) */
    uint64_t max_value;
} job;

int batch_gene_set(const char *genes_dir, const char *batch, const char *organism, gene_set *g, mc_err *e)
{
    char *start = genes_dir ? NULL : path_existing_parent(batch);
    if (!genes_dir && !start) return mc_err_oom(e, batch);
    int rc = genes_open_for(start, genes_dir, NULL, g, e);
    free(start);
    if (rc < 0) return -1;
    if (organism && strcmp(organism, g->meta.organism))
        return mc_err_fail(e, "%s: the gene set is of organism '%s', not '%s'", g->path, g->meta.organism, organism);
    return 0;
}

int batch_gene_map(const gene_set *g, const std_table *t, uint32_t **map, mc_err *e)
{
    strvec names = STRVEC_INIT;
    if (genes_canonical_names(t, &names, e) < 0) return -1;
    int rc = (*map = mc_alloc_array(t->count, sizeof **map)) ? 0 : mc_err_oom(e, t->path);
    for (size_t i = 0; rc == 0 && i < t->count; i++) {
        long k = genes_index_of(g, names.v[i]);
        if (k >= 0) (*map)[i] = (uint32_t)k;
        else if (t->line)
            rc = mc_err_fail(e, "%s:%llu: gene '%s' is not in the gene set %s", t->path, (unsigned long long)t->line[i],
                         names.v[i], g->path);
        else rc = mc_err_fail(e, "%s: gene %zu '%s' is not in the gene set %s", t->path, i + 1, names.v[i], g->path);
    }
    strvec_free(&names);
    return rc;
}

static int check_value(std_matrix *m, uint64_t v, mc_err *e)
{
    if (v <= STD_MAX_COUNT) return 0;
    mtx_reader *r = stdread_matrix_reader(m);
    return mc_err_fail(e, "%s:%llu: value %" PRIu64 " is not a plausible count (more than %u)", mtx_path(r),
                   (unsigned long long)mtx_line(r), v, STD_MAX_COUNT);
}

/* Profiles [from, to) have no entries. */
static int add_empty(job *j, size_t from, size_t to, mc_entries *es, mc_err *e)
{
    es->n = 0;
    for (size_t p = from; p < to; p++)
        if (mmm_writer_add(j->w, es, e) < 0) return -1;
    return 0;
}

/* One pass writing profile after profile.  Returns 1 when the matrix turns
 * out not to be sorted by profile: then the pass has still counted every
 * column's entries (column_count) and max_value, and nothing more is written. */
static int stream(job *j, mc_err *e)
{
    std_matrix *m = stdread_matrix_open(&j->std, e);
    if (!m) return -1;
    uint64_t total = mtx_entries(stdread_matrix_reader(m)), done = 0;
    mc_entries es = {0};
    size_t current = 0;
    int sorted = 1, rc;
    uint32_t g, p;
    uint64_t v;
    while ((rc = stdread_matrix_next(m, &g, &p, &v, e)) == 1) {
        if (check_value(m, v, e) < 0) {
            rc = -1;
            break;
        }
        j->column_count[p]++;
        if (v > j->max_value) j->max_value = v;
        if ((++done & 0xffff) == 0) progress_report(j->pr, "entries", done, total);
        if (!sorted) continue;
        if (p < current) {
            sorted = 0;
            continue;
        }
        if (p > current) {
            if (mmm_writer_add(j->w, &es, e) < 0 || add_empty(j, current + 1, p, &es, e) < 0) {
                rc = -1;
                break;
            }
            es.n = 0;
            current = p;
        }
        if (entries_push(&es, j->gene_map[g], v) < 0) {
            rc = mc_err_oom(e, j->std.matrix_path);
            break;
        }
    }
    stdread_matrix_close(m);
    if (rc == 0 && sorted && j->profiles) {
        rc = mmm_writer_add(j->w, &es, e);
        if (rc == 0) rc = add_empty(j, current + 1, j->profiles, &es, e);
    }
    entries_free(&es);
    progress_end(j->pr);
    return rc < 0 ? -1 : !sorted;
}

/* The unsorted path: a second pass places each entry in its profile's slot. */
static int bucket(job *j, mc_err *e)
{
    size_t P = j->profiles;
    uint64_t *start = mc_alloc_array(P + 1, sizeof *start), n = 0;
    int wide = j->max_value > UINT32_MAX;
    if (!start) return mc_err_oom(e, j->std.matrix_path);
    for (size_t p = 0; p < P; p++) start[p] = n, n += j->column_count[p];
    start[P] = n;
    uint32_t *genes = mc_alloc_array(n, sizeof *genes);
    void *values = mc_alloc_array(n, wide ? 8 : 4);
    std_matrix *m = genes && values ? stdread_matrix_open(&j->std, e) : NULL;
    int rc = m ? 0 : -1;
    if (!genes || !values)
        mc_err_fail(e, "%s: " MC_OOM " for %" PRIu64 " entries (delane it first)", j->std.matrix_path, n);
    memset(j->column_count, 0, P * sizeof *j->column_count);   /* now: entries placed per profile */
    uint32_t g, p;
    uint64_t v;
    while (rc == 0 && (rc = stdread_matrix_next(m, &g, &p, &v, e)) == 1) {
        if (start[p] + j->column_count[p] == start[p + 1]) {   /* only if the file changed between the passes */
            rc = mc_err_fail(e, "%s: changed while being read", j->std.matrix_path);
            break;
        }
        uint64_t at = start[p] + j->column_count[p]++;
        genes[at] = j->gene_map[g];
        if (wide) ((uint64_t *)values)[at] = v;
        else ((uint32_t *)values)[at] = (uint32_t)v;
        rc = 0;
    }
    stdread_matrix_close(m);
    mc_entries es = {0};
    for (size_t q = 0; rc == 0 && q < P; q++) {
        es.n = 0;
        for (uint64_t i = start[q]; rc == 0 && i < start[q + 1]; i++)
            if (entries_push(&es, genes[i], wide ? ((uint64_t *)values)[i] : ((uint32_t *)values)[i]) < 0)
                rc = mc_err_oom(e, j->std.matrix_path);
        if (rc == 0) rc = mmm_writer_add(j->w, &es, e);
    }
    entries_free(&es);
    free(start);
    free(genes);
    free(values);
    return rc;
}

static int write_matrix(job *j, const char *path, mc_err *e)
{
    if (!(j->w = mmm_writer_open(path, (uint32_t)j->genes.names.count, e))) return -1;
    int rc = stream(j, e);
    if (rc == 1) {
        mmm_writer_abort(j->w);
        rc = (j->w = mmm_writer_open(path, (uint32_t)j->genes.names.count, e)) ? bucket(j, e) : -1;
    }
    mmm_writer *w = j->w;
    j->w = NULL;
    if (rc < 0) {
        mmm_writer_abort(w);
        return -1;
    }
    return mmm_writer_close(w, e);
}

static int write_meta(const char *dir, const char *mmm, const mc_uuid *known, const gene_set *g, const char *kind,
                      size_t n, mc_err *e)
{
    char *yaml = path_join(dir, "profiles.yaml");
    profiles_meta m = {.kind = KIND_BATCH,
                       .organism = g->meta.organism,
                       .profiles_kind = (char *)kind,
                       .genes_count = (long)g->names.count,
                       .profiles_count = (long)n};
    mc_uuid u;
    int rc = !yaml ? mc_err_oom(e, dir) : known ? (u = *known, 0) : uuid_of_file(mmm, &u, e);
    if (rc == 0) {
        uuid_format(&u, m.uuid);
        memcpy(m.genes_uuid, g->meta.uuid, MC_UUID_STRLEN);
        rc = meta_profiles_dump(yaml, &m, e);
    }
    free(yaml);
    return rc;
}

int batch_finish(const char *dir, const char *mmm, const mc_uuid *mmm_uuid, const gene_set *g, const char *kind,
                 const std_table *profiles, const size_t *rows, size_t n, mc_err *e)
{
    int rc = 0;
    for (size_t col = 0; rc == 0 && col < profiles->ncolumns; col++)
        rc = column_write(dir, "p", profiles, col, rows, n, e);
    return rc == 0 ? write_meta(dir, mmm, mmm_uuid, g, kind, rows ? n : profiles->count, e) : -1;
}

/* The STD read, the gene set found and the genes mapped: all but the matrix. */
static int job_open(job *j, const char *in, const char *out, const batch_options *opt, mc_err *e)
{
    if (stdread_open(&j->std, in, opt->format, e) < 0) return -1;
    if (stdread_load_genes(&j->std, e) < 0 || stdread_load_profiles(&j->std, e) < 0) return -1;
    j->profiles = j->std.profiles.count;
    if (j->profiles > INT32_MAX)
        return mc_err_fail(e, "%s: %zu profiles, more than a batch may hold; split it (by lane)", j->std.profiles.path,
                       j->profiles);
    if (batch_gene_set(opt->genes, out, opt->organism, &j->genes, e) < 0 ||
        batch_gene_map(&j->genes, &j->std.genes, &j->gene_map, e) < 0)
        return -1;
    if (!(j->column_count = mc_alloc_zeroed(j->profiles + 1, sizeof *j->column_count))) return mc_err_oom(e, in);
    return 0;
}

static void job_close(job *j)
{
    free(j->gene_map);
    free(j->column_count);
    genes_close(&j->genes);
    stdread_close(&j->std);
}

/* The batch's files in O's temporary directory. */
static int write_files(job *j, const outdir *o, const char *kind, mc_err *e)
{
    char *mmm = outdir_path(o, "gp.umis.mmm");
    int rc = mmm ? write_matrix(j, mmm, e) : mc_err_oom(e, o->final);
    if (rc == 0) rc = batch_finish(o->tmp, mmm, NULL, &j->genes, kind, &j->std.profiles, NULL, 0, e);
    free(mmm);
    return rc;
}

int batch_write(progress *pr, const char *in, const char *out, const batch_options *opt, mc_err *e)
{
    job j = {.pr = pr};
    outdir o;
    const char *inputs[] = {in, opt->genes};
    if (guard_output(out, GUARD_BATCH, inputs, opt->genes ? 2 : 1, opt->force, e) < 0)
        return -1;   /* before the long reading, not after */
    int rc = job_open(&j, in, out, opt, e);
    if (rc == 0 && (rc = outdir_begin(&o, out, opt->force, e)) == 0) {
        rc = write_files(&j, &o, opt->kind, e);
        if (rc == 0) rc = outdir_commit(&o, e);
        else outdir_abort(&o);
    }
    job_close(&j);
    return rc;
}
