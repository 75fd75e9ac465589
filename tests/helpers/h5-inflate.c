/* h5-inflate: the floor of an HDF5 import: every chunk of the matrix datasets
 * read raw and inflated with libdeflate on every core, and nothing else (no
 * shuffle undone, no values converted, no names read).
 *   h5-inflate [THREADS] FILE.h5    prints "CHUNKS STORED INFLATED SECONDS": the chunks of
 *                                   indptr, indices and data of the matrix group, their
 *                                   stored and inflated bytes, and the seconds from the
 *                                   first chunk fetched to the last inflated (the whole
 *                                   process is what make bench times)
 * The matrix group is the first top-level group holding indices, data and
 * indptr (10x v2 genome group, v3 matrix/, .h5ad X).  As in the import (h5chunks.h),
 * the main thread fetches each raw chunk (H5Dread_chunk: HDF5 is called from
 * one thread) into one of a few slots and THREADS workers inflate them; a
 * contiguous dataset is read whole, nothing to inflate. */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <hdf5.h>
#include <libdeflate.h>

#include "parallel.h"

/* One raw chunk, fetched or being inflated. */
typedef struct slot {
    unsigned char *raw;
    size_t len, cap, plain;   /* stored bytes; the inflated size expected */
    int busy;                 /* queued or being inflated */
} slot;

typedef struct pool {
    pthread_mutex_t mu;
    pthread_cond_t work, done;
    slot *slots;
    size_t nslots, head, tail;   /* queue: slots[head % nslots] .. slots[tail % nslots] */
    int stop, failed;
    uint64_t inflated;
} pool;

static void *worker(void *arg)
{
    pool *p = arg;
    struct libdeflate_decompressor *dec = libdeflate_alloc_decompressor();
    unsigned char *plain = NULL;
    size_t cap = 0;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (p->head == p->tail && !p->stop) pthread_cond_wait(&p->work, &p->mu);
        if (p->head == p->tail) break;
        slot *s = &p->slots[p->head++ % p->nslots];
        pthread_mutex_unlock(&p->mu);
        size_t got = 0;
        if (s->plain > cap) free(plain), plain = malloc(cap = s->plain);
        int ok = dec && plain && libdeflate_zlib_decompress(dec, s->raw, s->len, plain, s->plain, &got) ==
                                     LIBDEFLATE_SUCCESS;
        pthread_mutex_lock(&p->mu);
        p->failed |= !ok;
        p->inflated += got;
        s->busy = 0;
        pthread_cond_signal(&p->done);
    }
    pthread_mutex_unlock(&p->mu);
    free(plain);
    if (dec) libdeflate_free_decompressor(dec);
    return NULL;
}

/* The next free slot, waiting for one, with room for LEN bytes. */
static slot *free_slot(pool *p, size_t len)
{
    pthread_mutex_lock(&p->mu);
    slot *s = &p->slots[p->tail % p->nslots];
    while (s->busy) pthread_cond_wait(&p->done, &p->mu);
    pthread_mutex_unlock(&p->mu);
    if (len > s->cap) {
        free(s->raw);
        s->raw = malloc(s->cap = len);
    }
    return s->raw ? s : NULL;
}

static void queue(pool *p, slot *s)
{
    pthread_mutex_lock(&p->mu);
    s->busy = 1;
    p->tail++;
    pthread_cond_signal(&p->work);
    pthread_mutex_unlock(&p->mu);
}

static int deflate_index(hid_t dcpl)
{
    int n = H5Pget_nfilters(dcpl);
    for (int i = 0; i < n; i++) {
        unsigned flags, conf, cdv[8];
        size_t ncdv = 8;
        if (H5Pget_filter2(dcpl, (unsigned)i, &flags, &ncdv, cdv, 0, NULL, &conf) == H5Z_FILTER_DEFLATE) return i;
    }
    return -1;
}

/* Dataset NAME of group G: each chunk fetched and queued for inflating; a
 * contiguous one (or one without deflate) read whole.  *CHUNKS and *STORED counted. */
static int fetch_dataset(pool *p, hid_t g, const char *name, size_t *chunks, uint64_t *stored)
{
    hid_t d = H5Dopen2(g, name, H5P_DEFAULT), dcpl = d < 0 ? -1 : H5Dget_create_plist(d);
    hid_t t = d < 0 ? -1 : H5Dget_type(d), sp = d < 0 ? -1 : H5Dget_space(d);
    hsize_t cd = 0, len = 0;
    int ok = dcpl >= 0 && H5Sget_simple_extent_dims(sp, &len, NULL) == 1, defl = ok ? deflate_index(dcpl) : -1;
    size_t esize = t >= 0 ? H5Tget_size(t) : 0;
    if (ok && (H5Pget_layout(dcpl) != H5D_CHUNKED || defl < 0)) {   /* nothing to inflate: read it */
        void *all = malloc(len * esize + 1);
        ok = all && H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, all) >= 0;
        free(all);
        *stored += len * esize;
        defl = -1;
    }
    ok = ok && (defl < 0 || H5Pget_chunk(dcpl, 1, &cd) == 1);
    for (hsize_t off = 0; ok && defl >= 0 && off < len; off += cd) {
        hsize_t size = 0;
        uint32_t mask = 0;
        slot *s;
        if (H5Dget_chunk_storage_size(d, &off, &size) < 0 || size == 0 || !(s = free_slot(p, size)) ||
            H5Dread_chunk(d, H5P_DEFAULT, &off, &mask, s->raw) < 0 || (mask & (1u << defl))) {
            ok = 0;
            break;
        }
        s->len = size;
        s->plain = cd * esize;
        *stored += size;
        ++*chunks;
        queue(p, s);
    }
    if (sp >= 0) H5Sclose(sp);
    if (t >= 0) H5Tclose(t);
    if (dcpl >= 0) H5Pclose(dcpl);
    if (d >= 0) H5Dclose(d);
    if (!ok) fprintf(stderr, "h5-inflate: %s: cannot read (or a chunk not deflated)\n", name);
    return ok ? 0 : -1;
}

static herr_t find_group(hid_t root, const char *name, const H5L_info_t *info, void *out)
{
    (void)info;
    static const char *const need[] = {"indptr", "indices", "data"};
    for (size_t i = 0; i < 3; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", name, need[i]);
        if (H5Lexists(root, path, H5P_DEFAULT) <= 0) return 0;
    }
    snprintf(out, 256, "%s", name);
    return 1;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

int main(int argc, char **argv)
{
    if (argc != 2 && argc != 3) {
        fprintf(stderr, "usage: h5-inflate [THREADS] FILE.h5\n");
        return 2;
    }
    const char *path = argv[argc - 1];
    int threads = argc == 3 ? atoi(argv[1]) : parallel_cores();
    if (threads < 1) threads = 1;
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    char group[256] = "";
    hsize_t idx = 0;
    if (f < 0 || H5Literate(f, H5_INDEX_NAME, H5_ITER_INC, &idx, find_group, group) <= 0) {
        fprintf(stderr, "h5-inflate: %s: no group with indptr, indices and data\n", path);
        return 1;
    }
    pool p = {.nslots = 2 * (size_t)threads + 2};
    pthread_t *tids = calloc((size_t)threads, sizeof *tids);
    p.slots = calloc(p.nslots, sizeof *p.slots);
    pthread_mutex_init(&p.mu, NULL);
    pthread_cond_init(&p.work, NULL);
    pthread_cond_init(&p.done, NULL);
    int started = 0;
    while (tids && p.slots && started < threads && pthread_create(&tids[started], NULL, worker, &p) == 0) started++;
    double t0 = now();
    size_t chunks = 0;
    uint64_t stored = 0;
    hid_t g = H5Gopen2(f, group, H5P_DEFAULT);
    int rc = started && g >= 0 && fetch_dataset(&p, g, "indptr", &chunks, &stored) == 0 &&
                     fetch_dataset(&p, g, "indices", &chunks, &stored) == 0 &&
                     fetch_dataset(&p, g, "data", &chunks, &stored) == 0 ? 0 : 1;
    pthread_mutex_lock(&p.mu);
    p.stop = 1;
    pthread_cond_broadcast(&p.work);
    pthread_mutex_unlock(&p.mu);
    for (int i = 0; i < started; i++) pthread_join(tids[i], NULL);
    double t1 = now();
    if (g >= 0) H5Gclose(g);
    H5Fclose(f);
    if (rc == 0 && p.failed) fprintf(stderr, "h5-inflate: %s: a chunk could not be inflated\n", path);
    if (rc == 0 && !p.failed) printf("%zu %" PRIu64 " %" PRIu64 " %.3f\n", chunks, stored, p.inflated, t1 - t0);
    for (size_t i = 0; p.slots && i < p.nslots; i++) free(p.slots[i].raw);
    free(p.slots);
    free(tids);
    return rc || p.failed;
}
