/* h5chunks: raw HDF5 chunks inflated by libdeflate on worker threads. */
#include "h5chunks.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libdeflate.h>

#include "alloc.h"
#include "err.h"
#include "h5err.h"
#include "h5ds.h"

/* gcc vectorises only at -O3 unless asked; clang does at -O2 and has no such attribute. */
#if defined(__GNUC__) && !defined(__clang__)
#define VECTORISED __attribute__((optimize("tree-vectorize")))
#else
#define VECTORISED
#endif

enum { S_FREE, S_QUEUED, S_DONE, S_FAILED };

/* One chunk in flight: its raw bytes, then its values. */
typedef struct slot {
    struct slot *next;          /* the pool's queue */
    h5chunks *r;
    uint64_t index;             /* chunk number */
    unsigned mask;              /* filters skipped for this chunk (bit i: filter i) */
    unsigned char *raw, *plain; /* stored bytes; inflated bytes */
    size_t raw_len, raw_cap;
    void *out;                  /* the chunk's values, 8 bytes each */
    size_t n;
    int state;
    char why[128];
} slot;

struct h5pool {
    pthread_mutex_t mu;
    pthread_cond_t work, done;
    slot *head, *tail;
    int stop;
    int nthreads;
    pthread_t *threads;
    struct libdeflate_decompressor *inline_dec;   /* when there are no workers */
};

struct h5chunks {
    h5pool *p;
    hid_t d;
    uint64_t len;
    h5v_type type;
    int fast;
    /* fast path */
    size_t cd, esize;           /* values per chunk, bytes per stored value */
    int is_float, is_signed;
    int deflate, shuffle;       /* filter index in the pipeline, or -1 */
    uint64_t nchunks, submitted, consumed;
    size_t nslots;
    slot *slots;
    slot *held;                 /* the block the caller holds */
    /* slow path */
    void *buf;
    uint64_t pos;
};

/* --- HDF5's reason ------------------------------------------------------------- */

static void hdf5_reason(char why[256], const char *what)
{
    char d[H5ERR_SIZE];
    h5err_detail(d);
    snprintf(why, 256, "%.64s%s%.180s", what, *d ? ": " : "", d);
}

/* --- decoding ------------------------------------------------------------------ */

/* HDF5's shuffle stores byte k of every value together: plane k = bytes k. */
static void unshuffle(const unsigned char *in, unsigned char *out, size_t n, size_t esize)
{
    for (size_t k = 0; k < esize; k++) {
        const unsigned char *plane = in + k * n;
        unsigned char *o = out + k;
        for (size_t i = 0; i < n; i++) o[i * esize] = plane[i];
    }
}

/* Is every byte of P[0..N) zero?  The high planes of counts and gene indices
 * are, and skipping them halves the decoding. */
static int plane_zero(const unsigned char *p, size_t n)
{
    uint64_t any = 0, w;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) memcpy(&w, p + i, 8), any |= w;
    for (; i < n; i++) any |= p[i];
    return !any;
}

/* Shuffled little-endian integers of ESIZE bytes (planes STRIDE apart)
 * straight to 64-bit values, sign-extended when SIGN: a pass per byte plane
 * that is not all zero, each sequential and vectorisable.  Unshuffling byte
 * by byte, then converting, took longer than the inflating itself. */
VECTORISED static void gather(const unsigned char *in, size_t n, size_t stride,
                                                               size_t esize, int sign, uint64_t *out)
{
    for (size_t i = 0; i < n; i++) out[i] = in[i];
    int top_zero = esize == 1 ? plane_zero(in, n) : 1;   /* of plane esize - 1 */
    for (size_t k = 1; k < esize; k++) {
        const unsigned char *plane = in + k * stride;
        if ((top_zero = plane_zero(plane, n))) continue;
        unsigned shift = 8 * (unsigned)k;
        for (size_t i = 0; i < n; i++) out[i] |= (uint64_t)plane[i] << shift;
    }
    if (sign && esize < 8 && !top_zero) {   /* a negative value has its top byte non-zero */
        unsigned up = 64 - 8 * (unsigned)esize;
        for (size_t i = 0; i < n; i++) out[i] = (uint64_t)((int64_t)(out[i] << up) >> up);
    }
}

#define CONVERT(SRC, DST)                                                   \
    do {                                                                    \
        const SRC *s_ = (const SRC *)in;                                    \
        DST *d_ = out;                                                      \
        for (size_t i_ = 0; i_ < n; i_++) d_[i_] = (DST)s_[i_];            \
    } while (0)

#define CONVERT_INT(DST)                                                    \
    do {                                                                    \
        switch (r->esize * 2 + !r->is_signed) {                             \
        case 2: CONVERT(int8_t, DST); break;                                \
        case 3: CONVERT(uint8_t, DST); break;                               \
        case 4: CONVERT(int16_t, DST); break;                               \
        case 5: CONVERT(uint16_t, DST); break;                              \
        case 8: CONVERT(int32_t, DST); break;                               \
        case 9: CONVERT(uint32_t, DST); break;                              \
        case 16: CONVERT(int64_t, DST); break;                              \
        default: CONVERT(uint64_t, DST); break;                             \
        }                                                                   \
    } while (0)

/* N stored values (little-endian, as this host: checked at open) to the memory type. */
static void convert(const h5chunks *r, const void *in, void *out, size_t n)
{
    if (r->is_float) {
        if (r->type == H5V_DOUBLE) {
            if (r->esize == 4) CONVERT(float, double);
            else memcpy(out, in, n * 8);
        } else if (r->type == H5V_INT64) {
            if (r->esize == 4) CONVERT(float, int64_t);
            else CONVERT(double, int64_t);
        } else {
            if (r->esize == 4) CONVERT(float, uint64_t);
            else CONVERT(double, uint64_t);
        }
        return;
    }
    if (r->type == H5V_DOUBLE) CONVERT_INT(double);
    else if (r->type == H5V_INT64) CONVERT_INT(int64_t);
    else CONVERT_INT(uint64_t);
}

static int filter_on(const slot *s, int index)
{
    return index >= 0 && !(s->mask & (1u << index));
}

/* Inflate, unshuffle and convert one chunk: 0, or -1 with s->why. */
static int decode(slot *s, struct libdeflate_decompressor *dec)
{
    const h5chunks *r = s->r;
    size_t bytes = r->cd * r->esize;
    const unsigned char *at = s->raw;
    if (filter_on(s, r->deflate)) {
        size_t got = 0;
        enum libdeflate_result x = libdeflate_zlib_decompress(dec, s->raw, s->raw_len, s->plain, bytes, &got);
        if (x != LIBDEFLATE_SUCCESS || got != bytes) {
            snprintf(s->why, sizeof s->why, "chunk %llu: corrupt compressed data", (unsigned long long)s->index);
            return -1;
        }
        at = s->plain;
    } else if (s->raw_len != bytes) {
        snprintf(s->why, sizeof s->why, "chunk %llu: %zu bytes stored, expected %zu", (unsigned long long)s->index,
                 s->raw_len, bytes);
        return -1;
    }
    int shuffled = filter_on(s, r->shuffle) && r->esize > 1;
    if (shuffled && !r->is_float && r->type != H5V_DOUBLE) {
        gather(at, s->n, r->cd, r->esize, r->is_signed, s->out);
        return 0;
    }
    if (shuffled) {
        unsigned char *to = at == s->plain ? s->raw : s->plain;   /* raw is no longer needed */
        unshuffle(at, to, r->cd, r->esize);
        at = to;
    }
    convert(r, at, s->out, s->n);
    return 0;
}

/* --- the pool ------------------------------------------------------------------ */

static void *worker(void *arg)
{
    h5pool *p = arg;
    struct libdeflate_decompressor *dec = libdeflate_alloc_decompressor();
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!p->head && !p->stop) pthread_cond_wait(&p->work, &p->mu);
        if (!p->head) break;
        slot *s = p->head;
        if (!(p->head = s->next)) p->tail = NULL;
        pthread_mutex_unlock(&p->mu);
        int ok = dec ? decode(s, dec) == 0 : 0;
        if (!dec) snprintf(s->why, sizeof s->why, MC_OOM " for a decompressor");
        pthread_mutex_lock(&p->mu);
        s->state = ok ? S_DONE : S_FAILED;
        pthread_cond_broadcast(&p->done);
    }
    pthread_mutex_unlock(&p->mu);
    libdeflate_free_decompressor(dec);
    return NULL;
}

h5pool *h5chunks_pool_start(int threads)
{
    h5pool *p = mc_alloc_zeroed(1, sizeof *p);
    if (!p) return NULL;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->work, NULL);
    pthread_cond_init(&p->done, NULL);
    if (!(p->inline_dec = libdeflate_alloc_decompressor())) goto fail;
    if (threads > 1) {
        if (!(p->threads = mc_alloc_zeroed((size_t)threads, sizeof *p->threads))) goto fail;
        int err = 0;
        for (; p->nthreads < threads; p->nthreads++)
            if ((err = pthread_create(&p->threads[p->nthreads], NULL, worker, p))) break;
        if (p->nthreads == 0) {
            errno = err;
            goto fail;
        }
    }
    return p;
fail:;
    int err = errno;   /* the caller's message says why */
    h5chunks_pool_stop(p);
    errno = err;
    return NULL;
}

void h5chunks_pool_stop(h5pool *p)
{
    if (!p) return;
    pthread_mutex_lock(&p->mu);
    p->stop = 1;
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->mu);
    for (int i = 0; i < p->nthreads; i++) pthread_join(p->threads[i], NULL);
    free(p->threads);
    if (p->inline_dec) libdeflate_free_decompressor(p->inline_dec);
    pthread_cond_destroy(&p->work);
    pthread_cond_destroy(&p->done);
    pthread_mutex_destroy(&p->mu);
    free(p);
}

static void pool_submit(h5pool *p, slot *s)
{
    if (!p->nthreads) {
        s->state = decode(s, p->inline_dec) == 0 ? S_DONE : S_FAILED;
        return;
    }
    pthread_mutex_lock(&p->mu);
    s->state = S_QUEUED;
    s->next = NULL;
    if (p->tail) p->tail->next = s;
    else p->head = s;
    p->tail = s;
    pthread_cond_signal(&p->work);
    pthread_mutex_unlock(&p->mu);
}

static void pool_wait(h5pool *p, slot *s)
{
    if (!p->nthreads) return;
    pthread_mutex_lock(&p->mu);
    while (s->state == S_QUEUED) pthread_cond_wait(&p->done, &p->mu);
    pthread_mutex_unlock(&p->mu);
}

/* --- opening ------------------------------------------------------------------- */

static hid_t mem_type(h5v_type t)
{
    return t == H5V_DOUBLE ? H5T_NATIVE_DOUBLE : t == H5V_UINT64 ? H5T_NATIVE_UINT64 : H5T_NATIVE_INT64;
}

/* Filters deflate and/or shuffle, shuffle first: the only pipelines decoded here. */
static int plain_filters(h5chunks *r, hid_t dcpl)
{
    int n = H5Pget_nfilters(dcpl);
    r->deflate = r->shuffle = -1;
    if (n < 0 || n > 2) return 0;
    for (int i = 0; i < n; i++) {
        unsigned flags, conf, cdv[8];
        size_t ncdv = 8;
        H5Z_filter_t f = H5Pget_filter2(dcpl, (unsigned)i, &flags, &ncdv, cdv, 0, NULL, &conf);
        if (f == H5Z_FILTER_DEFLATE && r->deflate < 0) r->deflate = i;
        else if (f == H5Z_FILTER_SHUFFLE && r->shuffle < 0 && r->deflate < 0) r->shuffle = i;
        else return 0;
    }
    return 1;
}

/* A little-endian integer of 1-8 full bytes, or an IEEE float of 4 or 8. */
static int plain_type(h5chunks *r, hid_t t)
{
    H5T_class_t c = H5Tget_class(t);
    r->esize = H5Tget_size(t);
    if (c == H5T_FLOAT) {
        r->is_float = 1;
        return H5Tequal(t, H5T_IEEE_F32LE) > 0 || H5Tequal(t, H5T_IEEE_F64LE) > 0;
    }
    if (c != H5T_INTEGER || H5Tget_order(t) != H5T_ORDER_LE || H5Tget_offset(t) != 0) return 0;
    if (r->esize != 1 && r->esize != 2 && r->esize != 4 && r->esize != 8) return 0;
    if (H5Tget_precision(t) != r->esize * 8) return 0;
    r->is_signed = H5Tget_sign(t) == H5T_SGN_2;
    return 1;
}

static int fast_eligible(h5chunks *r)
{
    hid_t dcpl = H5Dget_create_plist(r->d), t = H5Dget_type(r->d);
    hsize_t cd = 0;
    int ok = dcpl >= 0 && t >= 0 && H5Pget_layout(dcpl) == H5D_CHUNKED && H5Pget_chunk(dcpl, 1, &cd) == 1 &&
             cd > 0 && plain_filters(r, dcpl) && plain_type(r, t) && cd <= ((size_t)1 << 30) / 8;
    r->cd = (size_t)cd;
    if (dcpl >= 0) H5Pclose(dcpl);
    if (t >= 0) H5Tclose(t);
    H5Eclear2(H5E_DEFAULT);
    return ok;
}

/* Bytes of chunks in flight per dataset, past two: large chunks (h5guard.h
 * allows 16 MiB) take fewer slots, so memory does not grow with the threads. */
#define IN_FLIGHT ((size_t)64 << 20)

static int fast_open(h5chunks *r, int threads)
{
    size_t slot_bytes = r->cd * (2 * r->esize + 8), fit = IN_FLIGHT / slot_bytes;
    r->nchunks = (r->len + r->cd - 1) / r->cd;
    r->nslots = (size_t)(threads > 1 ? 2 * threads + 2 : 2);
    if (r->nslots > fit) r->nslots = fit < 2 ? 2 : fit;
    if (!(r->slots = mc_alloc_zeroed(r->nslots, sizeof *r->slots))) return -1;
    size_t bytes = r->cd * r->esize;
    for (size_t i = 0; i < r->nslots; i++) {
        slot *s = &r->slots[i];
        s->r = r;
        s->raw_cap = bytes;
        if (!(s->raw = mc_alloc_array(r->cd, r->esize)) || !(s->plain = mc_alloc_array(r->cd, r->esize)) ||
            !(s->out = mc_alloc_array(r->cd, 8)))
            return -1;
    }
    return 0;
}

h5chunks *h5chunks_open(h5pool *p, hid_t d, uint64_t len, h5v_type type, char why[256])
{
    h5chunks *r = mc_alloc_zeroed(1, sizeof *r);
    if (!r) {
        snprintf(why, 256, MC_OOM);
        return NULL;
    }
    r->p = p;
    r->d = d;
    r->len = len;
    r->type = type;
    r->fast = len > 0 && fast_eligible(r);
    if (r->fast ? fast_open(r, p->nthreads) : !(r->buf = mc_alloc_array(H5CHUNKS_SLAB, 8)) ? -1 : 0) {
        snprintf(why, 256, MC_OOM " for the read buffers");
        h5chunks_close(r);
        return NULL;
    }
    return r;
}

int h5chunks_fast(const h5chunks *r)
{
    return r->fast;
}

/* --- reading ------------------------------------------------------------------- */

/* LEN values from START through H5Dread. */
static int read_slab(h5chunks *r, uint64_t start, size_t len, void *buf, char why[256])
{
    if (h5ds_read(r->d, start, len, mem_type(r->type), buf) == 0) return 0;
    hdf5_reason(why, "cannot read");
    return -1;
}

/* Fetch chunk r->submitted's raw bytes into its slot and hand it to a worker.
 * A chunk never written (the fill value) is read through H5Dread instead. */
static int submit(h5chunks *r, char why[256])
{
    slot *s = &r->slots[r->submitted % r->nslots];
    uint64_t first = r->submitted * r->cd;
    hsize_t off = first, size = 0;
    s->index = r->submitted++;
    s->n = r->len - first < r->cd ? (size_t)(r->len - first) : r->cd;
    if (H5Dget_chunk_storage_size(r->d, &off, &size) < 0 || size == 0) {
        H5Eclear2(H5E_DEFAULT);
        if (read_slab(r, first, s->n, s->out, why) < 0) return -1;
        s->state = S_DONE;
        return 0;
    }
    /* What a chunk's values take, deflated at worst (stored blocks and headers):
     * more is a corrupt chunk index, refused before the memory is spent. */
    size_t bytes = r->cd * r->esize;
    if (size > bytes + bytes / 64 + 1024)
        return snprintf(why, 256, "chunk %llu: %llu bytes stored for %zu bytes of values", (unsigned long long)s->index,
                        (unsigned long long)size, bytes), -1;
    if (size > s->raw_cap) {
        unsigned char *b = mc_alloc_resize(s->raw, size, 1);
        if (!b) return snprintf(why, 256, "chunk %llu: " MC_OOM, (unsigned long long)s->index), -1;
        s->raw = b;
        s->raw_cap = size;
    }
    uint32_t mask = 0;
    if (H5Dread_chunk(r->d, H5P_DEFAULT, &off, &mask, s->raw) < 0) {
        char what[64];
        snprintf(what, sizeof what, "chunk %llu: cannot read", (unsigned long long)s->index);
        hdf5_reason(why, what);
        return -1;
    }
    s->raw_len = size;
    s->mask = mask;
    pool_submit(r->p, s);
    return 0;
}

static int fast_next(h5chunks *r, const void **values, size_t *n, char why[256])
{
    if (r->held) r->held->state = S_FREE, r->held = NULL;
    if (r->consumed == r->nchunks) return 0;
    while (r->submitted < r->nchunks && r->submitted - r->consumed < r->nslots)
        if (submit(r, why) < 0) return -1;
    slot *s = &r->slots[r->consumed++ % r->nslots];
    pool_wait(r->p, s);
    if (s->state == S_FAILED) {
        snprintf(why, 256, "%s", s->why);
        s->state = S_FREE;
        return -1;
    }
    r->held = s;
    *values = s->out;
    *n = s->n;
    return 1;
}

int h5chunks_next(h5chunks *r, const void **values, size_t *n, char why[256])
{
    if (r->fast) return fast_next(r, values, n, why);
    if (r->pos >= r->len) return 0;
    size_t len = r->len - r->pos < H5CHUNKS_SLAB ? (size_t)(r->len - r->pos) : H5CHUNKS_SLAB;
    if (read_slab(r, r->pos, len, r->buf, why) < 0) return -1;
    r->pos += len;
    *values = r->buf;
    *n = len;
    return 1;
}

/* --- a pair: indices and data --------------------------------------------------- */

static int pair_failed(h5chunks_pair *p, const char *name, const h5chunks *r, int x, char why[256])
{
    p->failed = name;
    p->failed_hdf5 = r && x < 0 && !r->fast;
    if (x == 0) snprintf(why, 256, "ends early");
    return -1;
}

int h5chunks_pair_load(h5chunks_pair *p, h5pool *pool, hid_t indices, hid_t data, uint64_t len, h5v_type vtype,
                       char why[256])
{
    if (!p->ir && !(p->ir = h5chunks_open(pool, indices, len, H5V_INT64, why)))
        return pair_failed(p, "indices", NULL, -1, why);
    if (!p->vr && !(p->vr = h5chunks_open(pool, data, len, vtype, why))) return pair_failed(p, "data", NULL, -1, why);
    const void *b;
    if (p->ipos == p->ilen) {
        int x = h5chunks_next(p->ir, &b, &p->ilen, why);
        if (x <= 0) return pair_failed(p, "indices", p->ir, x, why);
        p->ib = b;
        p->ipos = 0;
    }
    if (p->vpos == p->vlen) {
        int x = h5chunks_next(p->vr, &b, &p->vlen, why);
        if (x <= 0) return pair_failed(p, "data", p->vr, x, why);
        p->vb = b;
        p->vpos = 0;
    }
    return 0;
}

int h5chunks_pair_fast(const h5chunks_pair *p)
{
    return p->ir && p->vr && p->ir->fast && p->vr->fast;
}

void h5chunks_pair_close(h5chunks_pair *p)
{
    h5chunks_close(p->ir);
    h5chunks_close(p->vr);
    memset(p, 0, sizeof *p);
}

void h5chunks_close(h5chunks *r)
{
    if (!r) return;
    for (size_t i = 0; r->slots && i < r->nslots; i++) {
        slot *s = &r->slots[i];
        pool_wait(r->p, s);   /* a worker may still be decoding it */
        free(s->raw);
        free(s->plain);
        free(s->out);
    }
    free(r->slots);
    free(r->buf);
    free(r);
}
