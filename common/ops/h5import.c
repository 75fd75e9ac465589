/* h5import: an HDF5 file to STD text, or straight to per-lane batches. */
#include "h5import.h"

#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "alloc.h"
#include "batch.h"
#include "collect.h"
#include "hca.h"
#include "lanes.h"
#include "mmm.h"
#include "mtx.h"
#include "guard.h"
#include "outdir.h"
#include "parallel.h"
#include "path.h"
#include "stdread.h"
#include "stdwrite.h"
#include "totals.h"
#include "uuid.h"

/* --- the tables -------------------------------------------------------------------- */

/* Check T as the STD check CHECK does (what every later tool would refuse),
 * naming the HDF5 dataset DATASET its rows came from. */
static int check_rows(const h5_matrix *m, std_table *t, const char *dataset, int (*check)(const std_table *, mc_err *),
                      mc_err *e)
{
    char *csv = t->path, where[1200];
    snprintf(where, sizeof where, "%s: %s/%s", m->path, m->group, dataset);
    t->path = where;
    int rc = check(t, e);
    t->path = csv;
    return rc;
}

/* A table of the BASE columns NAMES (str), then the NF annotations F (h5_field). */
static int fields_table_init(std_table *t, const char *path, const char *const *names, size_t base, const h5_field *f,
                      size_t nf, mc_err *e)
{
    char **all = mc_alloc_zeroed(base + nf + 1, sizeof *all);
    field_type *types = mc_alloc_zeroed(base + nf + 1, sizeof *types);
    int rc = all && types ? 0 : mc_err_oom(e, path);
    for (size_t i = 0; rc == 0 && i < base + nf; i++) {
        all[i] = (char *)(i < base ? names[i] : f[i - base].name);
        types[i] = i < base ? FIELD_STR : f[i - base].type;
    }
    if (rc == 0) rc = table_init(t, path, all, types, base + nf, e);
    free(all);
    free(types);
    return rc;
}

/* Row I: the BASE values in ROW, then the annotations'. */
static int fields_table_add(std_table *t, const char **row, size_t base, const h5_field *f, size_t nf, size_t i,
                            mc_err *e)
{
    for (size_t k = 0; k < nf; k++) row[base + k] = f[k].v[i];
    return table_add(t, row, e);
}

/* With HCA barcodes the lane is cut off the barcode; "name" keeps the whole
 * barcode, the profile's name as the file gave it (SPEC 7).  The annotations
 * (.h5ad obs, Loom col_attrs) follow. */
int h5import_profiles(const h5_matrix *m, std_table *t, mc_err *e)
{
    static const char *const names[] = {"barcode", "lane", "batch", "name"};
    int hca = !m->lanes;     /* a lane column (.h5ad / Loom) keeps the barcodes whole */
    size_t n = m->profiles_count, longest = 0, nf = m->profile_fields_count;
    for (size_t i = 0; i < n; i++) {
        hca &= hca_is_barcode(m->barcodes[i]);
        size_t l = strlen(m->barcodes[i]);
        if (l > longest) longest = l;
    }
    size_t base = hca ? 4 : 3;
    if (fields_table_init(t, m->path, names, base, m->profile_fields, nf, e) < 0) return -1;
    char *lane = malloc(2 * longest + 2), *batch = lane + longest + 1;
    const char **row = mc_alloc_zeroed(4 + nf, sizeof *row);   /* row[3]: the name, kept with HCA barcodes */
    int rc = lane && row ? 0 : mc_err_oom(e, m->path);
    for (size_t i = 0; i < n && rc == 0; i++) {
        const char *bc = m->barcodes[i];
        row[0] = row[3] = bc;
        row[1] = row[2] = m->lanes ? m->lanes[i] : "all";
        if (hca) {
            size_t l = hca_lane_len(bc), b = hca_batch_len(bc, l);
            memcpy(lane, bc, l);
            lane[l] = 0;
            memcpy(batch, bc, b);
            batch[b] = 0;
            row[0] = bc + l + 1;
            row[1] = lane;
            row[2] = batch;
        }
        rc = fields_table_add(t, row, base, m->profile_fields, nf, i, e);
    }
    free(lane);
    free(row);
    return rc < 0 ? -1 : check_rows(m, t, "barcodes", stdread_check_profiles, e);
}

/* The genome each gene belongs to, when the file says: v3 features/genome, v2 the
 * genome group's name (exports write it back, as 10x files carry it).  The
 * annotations (.h5ad var, Loom row_attrs) follow. */
int h5import_genes(const h5_matrix *m, int all_features, std_table *t, mc_err *e)
{
    const char *names[] = {"ensembl", "name", "genome", "feature_type"};
    int with_type = all_features && m->gene_types, with_genome = m->gene_genomes || m->version == 2;
    int with_ids = m->gene_ids != NULL;     /* .h5ad / Loom files may have none */
    size_t n = 2, nf = m->gene_fields_count;
    if (with_genome) n++;
    if (with_type) names[n++] = "feature_type";
    size_t base = n - !with_ids;
    if (fields_table_init(t, m->path, names + !with_ids, base, m->gene_fields, nf, e) < 0) return -1;
    const char **row = mc_alloc_zeroed(4 + nf, sizeof *row);
    int rc = row ? 0 : mc_err_oom(e, m->path);
    for (size_t i = 0; rc == 0 && i < m->genes_count; i++) {
        size_t k = 0;
        if (with_ids) row[k++] = m->gene_ids[i];
        row[k++] = m->gene_names[i];
        if (with_genome) row[k++] = m->gene_genomes ? m->gene_genomes[i] : m->genome;
        if (with_type) row[k++] = m->gene_types[i];
        rc = fields_table_add(t, row, base, m->gene_fields, nf, i, e);
    }
    free(row);
    return rc < 0 ? -1 : check_rows(m, t, m->version == 3 ? "features/name" : "gene_names", stdread_check_genes, e);
}

/* A count every later tool would refuse. */
static int implausible(const h5_matrix *m, size_t p, uint64_t v, mc_err *e)
{
    return mc_err_fail(e, "%s: %s/data: value %" PRIu64 " of profile %zu is not a plausible count (more than %u)",
                       m->path, m->group, v, p + 1, STD_MAX_COUNT);
}

static int check_size(const h5_matrix *m, mc_err *e)
{
    if (m->genes_count <= UINT32_MAX - 1 && m->profiles_count <= UINT32_MAX - 1) return 0;
    return mc_err_fail(e, "%s: %zu genes x %zu profiles is too large for one STD", m->path, m->genes_count,
                   m->profiles_count);
}

/* --- the STD route ------------------------------------------------------------------ */

/* umis.mtx: every entry, profile after profile. */
static int write_mtx(progress *pr, h5_matrix *m, const char *path, mc_err *e)
{
    uint64_t n;
    if (h5_count_entries(m, &n, e) < 0) return -1;
    mtx_writer *w = mtx_writer_open(path, (uint32_t)m->genes_count, (uint32_t)m->profiles_count,
                                    n == H5_UNCOUNTED ? -1 : (int64_t)n, e);
    if (!w) return -1;
    mc_entries es = {0};
    size_t p;
    int r;
    while ((r = h5_next_profile(m, &p, &es, e)) > 0) {
        for (size_t i = 0; r > 0 && i < es.n; i++)
            if (es.v[i].value > STD_MAX_COUNT) r = implausible(m, p, es.v[i].value, e);
            else if (mtx_writer_add(w, es.v[i].gene, (uint32_t)p, es.v[i].value, e) < 0) r = -1;
        if (r < 0) break;
        es.n = 0;
        if (!((p + 1) & 0xff) || p + 1 == m->profiles_count) progress_report(pr, "profiles", p + 1, m->profiles_count);
    }
    entries_free(&es);
    progress_end(pr);
    if (r < 0) {
        mtx_writer_abort(w);
        return -1;
    }
    return mtx_writer_close(w, e);
}

int h5import_std(progress *pr, const char *in, const char *out, const h5_opts *o, int force, mc_err *e)
{
    h5_matrix m;
    std_table genes = {0}, profiles = {0};
    outdir od = {0};
    int rc = -1;
    if (guard_output(out, GUARD_STD, &in, 1, force, e) < 0) return -1;
    if (h5_open(&m, in, o, e) < 0) return -1;
    if (check_size(&m, e) < 0) goto out;
    if (h5import_genes(&m, o->all_features, &genes, e) < 0 || h5import_profiles(&m, &profiles, e) < 0) goto out;
    if (outdir_begin(&od, out, force, e) < 0) goto out;
    char *umis = outdir_path(&od, STD_MATRIX);
    int ok = umis && stdwrite(od.tmp, &genes, &profiles, e) == 0 && write_mtx(pr, &m, umis, e) == 0;
    if (!umis) mc_err_oom(e, out);
    free(umis);
    if (!ok) goto out;
    rc = outdir_commit(&od, e);
out:
    outdir_abort(&od);   /* nothing left to remove after a commit */
    table_free(&genes);
    table_free(&profiles);
    h5_close(&m);
    return rc;
}

/* --- the direct route ---------------------------------------------------------------- */

typedef struct cells_job {
    h5_matrix m;
    std_table genes, profiles;
    lanes l;
    gene_set gs;
    uint32_t *gene_map;
    outdir o;
    char **dirs;             /* per lane: its directory in o.tmp */
    char **mmm;              /* ... and its matrix */
    mmm_writer **w;
    uint64_t *p_total;       /* with totals: per profile of the file, its UMIs */
    uint64_t *g_total;       /* ... and per gene of the gene set */
    size_t *written;         /* per lane: profiles written */
    mc_uuid *uuid;           /* per lane: its matrix's MD5, hashed as it is written */
} cells_job;

/* Lane K's last profile is written: close its matrix, its MD5 taken from the
 * bytes as they went out (reading the file back was a tenth of the time). */
static int lane_complete(cells_job *j, size_t k, mc_err *e)
{
    mmm_writer *w = j->w[k];
    j->w[k] = NULL;
    return mmm_writer_close_md5(w, &j->uuid[k], e);
}

#define BUFFERS_TOTAL ((size_t)32 << 20)   /* bytes of buffers shared by the lanes' closed writers */

/* Every lane's directory and a matrix writer: open, or with more lanes than
 * files may be open (ulimit -n), closed between appends of its buffer. */
static int open_lanes(cells_job *j, mc_err *e)
{
    size_t n = j->l.n;
    if (!(j->dirs = mc_alloc_zeroed(n, sizeof *j->dirs)) || !(j->mmm = mc_alloc_zeroed(n, sizeof *j->mmm)) ||
        !(j->w = mc_alloc_zeroed(n, sizeof *j->w)) || !(j->written = mc_alloc_zeroed(n, sizeof *j->written)) ||
        !(j->uuid = mc_alloc_zeroed(n, sizeof *j->uuid)))
        return mc_err_oom(e, j->o.final);
    size_t buffer = n <= outdir_open_files_budget() ? 0 : BUFFERS_TOTAL / n;
    if (buffer && buffer < ((size_t)16 << 10)) buffer = (size_t)16 << 10;
    if (buffer > ((size_t)1 << 20)) buffer = (size_t)1 << 20;
    for (size_t k = 0; k < n; k++) {
        if (!(j->dirs[k] = outdir_path(&j->o, j->l.dir[k])) || !(j->mmm[k] = path_join(j->dirs[k], "gp.umis.mmm")))
            return mc_err_oom(e, j->o.final);
        if (mkdir(j->dirs[k], 0777) < 0) return mc_err_errno(e, j->dirs[k], "cannot create directory");
        if (!(j->w[k] = mmm_writer_open_closed(j->mmm[k], (uint32_t)j->gs.names.count, buffer, e))) return -1;
        if (mmm_writer_hash(j->w[k], (uint32_t)j->l.count[k], e) < 0) return -1;
    }
    return 0;
}

/* Profiles are read a block at a time (BLOCK profiles or BLOCK_ENTRIES
 * entries, whichever comes first, so memory stays bounded), sorted and
 * encoded on every core while the next block is read, then appended to their
 * lanes in order: the encoding was most of the time.  The encoders take a
 * block's profiles ENCODE_RUN at a time, and the reading thread joins them
 * when it has read the next block: a block's reading, encoding and writing
 * each went at its own pace, and a core waited while one stage ended. */
#define BLOCK 1024
#define BLOCK_ENTRIES ((size_t)1 << 21)
#define ENCODE_RUN 16

/* What one encoding thread (or the reading thread, part THREADS) keeps: its profiles' pairs, back to back, its
 * gene totals, and its failure. */
typedef struct block_part {
    mmm_bytes out;
    uint64_t *g_total;       /* with totals: this part's, by gene of the file (gene_map'd when added up) */
    size_t failed_at;        /* the profile this part failed at (its error in err), or SIZE_MAX */
    mc_err err;
} block_part;

typedef struct block {
    size_t n;
    size_t profile[BLOCK];
    size_t start[BLOCK + 1];   /* profile i's entries: flat.v[start[i] .. start[i + 1]) */
    size_t bytes[BLOCK], end[BLOCK];   /* ... and its pairs: in its part's out, [bytes[i], end[i]) */
    int part[BLOCK];
    atomic_size_t taken;       /* profiles handed to the encoders so far */
    mc_entries flat;
    uint32_t genes_count;    /* of the gene set */
    size_t file_genes;       /* of the file */
    int threads;             /* encoding threads; the reading thread is part THREADS */
    block_part *parts;
    uint64_t *p_total;       /* the job's, or NULL without totals */
    const cells_job *j;      /* its gene map, and the file for messages */
} block;

_Static_assert(STD_MAX_COUNT < (uint64_t)1 << MMM_PACKED_BITS, "a plausible count packs");

/* Profile I of block B to its pairs in BP's output.  The 10x gene order is
 * not the gene set's, so the mapped genes must be sorted again: one pass over
 * the entries checks the counts, sums the totals and packs each entry in 8
 * bytes over the 16 it came from (key k ends where entry k / 2 did, read
 * already), then mmm_encode_packed sorts them in the other half and encodes
 * them (a dense row of the genes and its scan were twice the time). */
static int encode_profile(block *b, block_part *bp, size_t i, mc_err *e)
{
    const cells_job *j = b->j;
    mc_entry *v = b->flat.v + b->start[i];
    uint64_t *keys = (uint64_t *)(void *)v;
    size_t n = b->start[i + 1] - b->start[i], p = b->profile[i], first = bp->out.n;
    uint64_t sum = 0, *g_total = bp->g_total;
    const uint32_t *map = j->gene_map;
    for (size_t k = 0; k < n; k++) {
        uint32_t f = v[k].gene;   /* ascending in a 10x file: the totals' adds go in order */
        uint64_t x = v[k].value;
        if (x > STD_MAX_COUNT) return implausible(&j->m, p, x, e);
        sum += x;
        if (g_total) g_total[f] += x;
        keys[k] = MMM_PACK(map[f], x);
    }
    if (mmm_encode_packed(keys, keys + n, n, b->genes_count, &bp->out) < 0) return mc_err_oom(e, NULL);
    if (bp->out.n - first > UINT32_MAX) return mc_err_fail(e, "profile %zu: too large for one MMM", p + 1);
    if (b->p_total) b->p_total[p] = sum;
    return 0;
}

/* Encode block B's profiles as part PART, ENCODE_RUN at a time, until none is left; a failure is kept in
 * the part.  The runs are taken in order, so every profile before one that failed was taken: the first
 * failure is the least failed_at, whoever met it. */
static void encode_runs(block *b, int part)
{
    block_part *bp = &b->parts[part];
    bp->out.n = 0;
    if (b->p_total && !bp->g_total && !(bp->g_total = mc_alloc_zeroed(b->file_genes, sizeof *bp->g_total))) {
        bp->failed_at = 0;
        mc_err_oom(&bp->err, NULL);
        return;
    }
    for (size_t from; (from = atomic_fetch_add(&b->taken, ENCODE_RUN)) < b->n;)
        for (size_t i = from; i < from + ENCODE_RUN && i < b->n; i++) {
            b->bytes[i] = bp->out.n;
            b->part[i] = part;
            if (encode_profile(b, bp, i, &bp->err) < 0) {
                bp->failed_at = i;
                return;
            }
            b->end[i] = bp->out.n;
        }
}

static int encode_part(void *ctx, int part, size_t from, size_t to, mc_err *e)
{
    (void)from, (void)to, (void)e;
    encode_runs(ctx, part);
    return 0;
}

/* Encode what the encoding threads left of block B on this thread (if RC is 0), and wait for them: RC, or
 * -1 with e set to the block's first failure. */
static int encode_finish(block *b, parallel_job *enc, int rc, mc_err *e)
{
    mc_err ignored;
    if (rc == 0) encode_runs(b, b->threads);
    parallel_wait(enc, &ignored);   /* encode_part never fails: its part does */
    const block_part *first = NULL;
    for (int t = 0; t <= b->threads; t++)
        if (b->parts[t].failed_at != SIZE_MAX && (!first || b->parts[t].failed_at < first->failed_at))
            first = &b->parts[t];
    if (rc == 0 && first) {
        *e = first->err;
        rc = -1;
    }
    return rc;
}

/* Append an encoded block's profiles to their lanes, in order. */
static int write_block(cells_job *j, block *b, mc_err *e)
{
    for (size_t i = 0; i < b->n; i++) {
        const mmm_bytes *out = &b->parts[b->part[i]].out;
        size_t lane = j->l.lane_of[b->profile[i]];
        if (mmm_writer_add_bytes(j->w[lane], out->b + b->bytes[i], b->end[i] - b->bytes[i], e) < 0) return -1;
        if (++j->written[lane] == j->l.count[lane] && lane_complete(j, lane, e) < 0) return -1;
    }
    b->n = 0;
    b->flat.n = 0;
    return 0;
}

static block *block_new(const cells_job *j, uint32_t genes_count, int threads, uint64_t *p_total)
{
    block *b = calloc(1, sizeof *b);
    if (b && !(b->parts = mc_alloc_zeroed((size_t)threads + 1, sizeof *b->parts))) {
        free(b);
        return NULL;
    }
    if (b) {
        b->genes_count = genes_count, b->file_genes = j->m.genes_count;
        b->threads = threads, b->p_total = p_total, b->j = j;
    }
    return b;
}

/* Add block B's gene totals into TOTAL, by gene of the gene set. */
static void block_gene_totals(const block *b, uint64_t *total)
{
    const uint32_t *map = b->j->gene_map;
    for (int t = 0; t <= b->threads; t++)
        for (size_t f = 0; b->parts[t].g_total && f < b->file_genes; f++) total[map[f]] += b->parts[t].g_total[f];
}

static void block_free(block *b)
{
    if (!b) return;
    for (int t = 0; t <= b->threads; t++) {
        mmm_bytes_free(&b->parts[t].out);
        free(b->parts[t].g_total);
    }
    free(b->parts);
    entries_free(&b->flat);
    free(b);
}

/* Read block B from the file: 1 full, 0 the last (maybe empty), -1 error. */
static int read_block(cells_job *j, block *b, mc_err *e)
{
    int r = 1;
    b->start[0] = 0;
    while (b->n < BLOCK && b->flat.n < BLOCK_ENTRIES &&
           (r = h5_next_profile(&j->m, &b->profile[b->n], &b->flat, e)) > 0) {
        b->start[++b->n] = b->flat.n;   /* mapped and checked when encoded */
    }
    return r < 0 ? -1 : r > 0;
}

/* A block's profiles appended to their lanes on a thread of its own (MD5 and
 * writes were a fifth of the main thread, the one the import waits for). */
typedef struct block_writing {
    cells_job *j;
    block *b;
} block_writing;

static int write_part(void *ctx, int part, size_t from, size_t to, mc_err *e)
{
    block_writing *w = ctx;
    (void)part, (void)from, (void)to;
    return write_block(w->j, w->b, e);
}

/* Wait for JOB if BUSY: -1 with e set (unless RC already failed), else RC. */
static int job_done(parallel_job *job, int *busy, int rc, mc_err *e)
{
    mc_err ignored;
    if (*busy && parallel_wait(job, rc == 0 ? e : &ignored) < 0) rc = -1;
    *busy = 0;
    return rc;
}

#define BLOCKS 3   /* one read, one encoded, one written, at once */

/* One read of the file, each profile appended to its lane's matrix: one block
 * is read while the one before is encoded on THREADS threads and the one
 * before that appended to its lanes. */
static int split_profiles(progress *pr, cells_job *j, int threads, mc_err *e)
{
    uint32_t genes = (uint32_t)j->gs.names.count;
    block *b[BLOCKS];
    int rc = 0;
    for (int i = 0; i < BLOCKS; i++)
        if (!(b[i] = block_new(j, genes, threads, j->p_total))) rc = mc_err_oom(e, j->m.path);
    size_t total = j->m.profiles_count, done = 0;
    parallel_job enc, wr;
    block_writing w = {j, NULL};
    block *encoded = NULL;   /* the block being encoded */
    int encoding = 0, writing = 0, more = 1, k = 0;
    while (rc == 0 && (more || encoding)) {
        int r = more ? read_block(j, b[k], e) : 0;   /* b[k]'s write was waited for before */
        if (r < 0) rc = -1;
        more = r > 0;
        if (encoding) rc = encode_finish(encoded, &enc, rc, e);
        encoding = 0;
        rc = job_done(&wr, &writing, rc, e);
        if (rc == 0 && encoded) {
            w.b = encoded;
            if (parallel_start(&wr, 1, 1, write_part, &w) < 0) rc = write_block(j, encoded, e);   /* no thread */
            else writing = 1;
        }
        encoded = NULL;
        if (rc == 0 && b[k]->n) {
            done += b[k]->n;
            atomic_store(&b[k]->taken, 0);
            for (int t = 0; t <= threads; t++) b[k]->parts[t].failed_at = SIZE_MAX;
            if (parallel_start(&enc, threads, b[k]->n, encode_part, b[k]) < 0) rc = mc_err_oom(e, NULL);
            encoding = rc == 0;
            encoded = encoding ? b[k] : NULL;
            progress_report(pr, "profiles", done, total);
        }
        k = (k + 1) % BLOCKS;
    }
    if (encoding) rc = encode_finish(encoded, &enc, rc, e);
    rc = job_done(&wr, &writing, rc, e);
    for (int i = 0; rc == 0 && j->g_total && i < BLOCKS; i++) block_gene_totals(b[i], j->g_total);
    for (int i = 0; i < BLOCKS; i++) block_free(b[i]);
    progress_end(pr);
    return rc;
}

/* The collection's totals cache, in its profile order (lane after lane). */
static int store_totals(cells_job *j, mc_err *e)
{
    container *c = container_open(j->o.tmp, e);
    totals t = {mc_alloc_array(j->m.profiles_count, sizeof *t.p), j->g_total};
    int rc = !c ? -1 : !t.p ? mc_err_oom(e, j->o.final) : 0;
    if (rc == 0 && c->profiles_count != j->l.start[j->l.n])
        rc = mc_err_fail(e, "%s: %zu profiles collected of %zu", j->o.final, c->profiles_count, j->l.start[j->l.n]);
    for (size_t i = 0; rc == 0 && i < c->profiles_count; i++) t.p[i] = j->p_total[j->l.rows[i]];
    if (rc == 0) rc = totals_store(c, &t, e);
    free(t.p);
    container_close(c);
    return rc;
}

static int finish_lanes(cells_job *j, mc_err *e)
{
    collect_member *members = mc_alloc_zeroed(j->l.n, sizeof *members);
    int rc = members ? 0 : mc_err_oom(e, j->o.final);
    for (size_t k = 0; rc == 0 && k < j->l.n; k++)
        if (j->w[k]) rc = lane_complete(j, k, e);   /* every lane's count was written: none is left open */
    for (size_t k = 0; rc == 0 && k < j->l.n; k++) {
        rc = batch_finish(j->dirs[k], j->mmm[k], &j->uuid[k], &j->gs, "cells", &j->profiles,
                          j->l.rows + j->l.start[k], j->l.count[k], e);
        members[k] = (collect_member){j->l.dir[k], j->dirs[k]};
    }
    if (rc == 0) rc = collect_write(j->o.tmp, members, j->l.n, 0, e);
    if (rc == 0 && j->p_total) rc = store_totals(j, e);
    free(members);
    return rc;
}

static void cells_job_free(cells_job *j)
{
    for (size_t k = 0; k < j->l.n; k++) {
        if (j->w) mmm_writer_abort(j->w[k]);
        if (j->dirs) free(j->dirs[k]);
        if (j->mmm) free(j->mmm[k]);
    }
    free(j->w);
    free(j->dirs);
    free(j->mmm);
    free(j->gene_map);
    free(j->p_total);
    free(j->g_total);
    free(j->written);
    free(j->uuid);
    lanes_free(&j->l);
    genes_close(&j->gs);
    table_free(&j->genes);
    table_free(&j->profiles);
    h5_close(&j->m);
}

int h5import_cells(progress *pr, const char *in, const char *out, const h5_opts *o, const cells_options *co,
                   mc_err *e)
{
    cells_job j = {0};
    int rc = -1;
    const char *inputs[] = {in, co->genes};
    if (guard_output(out, GUARD_COLLECTION, inputs, co->genes ? 2 : 1, co->force, e) < 0) return -1;
    if (h5_open(&j.m, in, o, e) < 0) return -1;
    if (check_size(&j.m, e) < 0 || h5import_genes(&j.m, o->all_features, &j.genes, e) < 0 ||
        h5import_profiles(&j.m, &j.profiles, e) < 0 || lanes_find(&j.profiles, &j.l, e) < 0)
        goto out;
    if (!j.l.n) {
        mc_err_fail(e, "%s: no profiles", in);
        goto out;
    }
    if (batch_gene_set(co->genes, out, co->organism, &j.gs, e) < 0 ||
        batch_gene_map(&j.gs, &j.genes, &j.gene_map, e) < 0)
        goto out;
    if (co->totals && (!(j.p_total = mc_alloc_zeroed(j.m.profiles_count, sizeof *j.p_total)) ||
                       !(j.g_total = mc_alloc_zeroed(j.gs.names.count, sizeof *j.g_total)))) {
        mc_err_oom(e, in);
        goto out;
    }
    if (outdir_begin(&j.o, out, co->force, e) < 0) goto out;
    /* Half as many encoders as inflating threads: as many, on 2 cores (6 threads), were no faster at 1M
     * cells and took 20 % more system time, in switches between them. */
    int threads = o->threads > 0 ? o->threads : parallel_cores(), encoders = (threads + 1) / 2;
    if (open_lanes(&j, e) < 0 || split_profiles(pr, &j, encoders, e) < 0 || finish_lanes(&j, e) < 0) goto out;
    rc = outdir_commit(&j.o, e);
out:
    cells_job_free(&j);   /* first: its writers' files closed, so removing the temporary needs no more */
    outdir_abort(&j.o);   /* nothing left to remove after a commit */
    return rc;
}
