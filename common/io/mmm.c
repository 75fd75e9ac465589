/* mmm: the sparse memory-mapped matrix (SPEC 6). */
#include "mmm.h"
#include "alloc.h"
#include "outdir.h"
#include "path.h"

#include <fcntl.h>
#include <md5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#define MMM_HEADER_SIZE (MMM_MAGIC_SIZE + 8)

/* --- writer --------------------------------------------------------------------- */

struct mmm_writer {
    char *path;
    FILE *f;
    char *iobuf;              /* f's buffer, freed after f is closed */
    uint32_t genes_count;
    uint64_t offset;          /* of the next data byte */
    uint64_t limit;           /* largest offset the index can hold */
    uint32_t *offsets;        /* one per profile written so far */
    size_t profiles, cap;
    mc_entries scratch;       /* for add_dense */
    mmm_bytes bytes;          /* for add */
    size_t spill;             /* 0: f stays open; else f is NULL and pending is appended past this many bytes */
    mmm_bytes pending;        /* ... the bytes not yet in the file */
    int hashing;              /* every byte written goes through md5 too (mmm_writer_hash) */
    uint32_t announced;       /* ... the profiles count its header was written with */
    MD5_CTX md5;
};

static void put_u32(unsigned char *b, uint32_t v)
{
    b[0] = (unsigned char)v;
    b[1] = (unsigned char)(v >> 8);
    b[2] = (unsigned char)(v >> 16);
    b[3] = (unsigned char)(v >> 24);
}

static void header(unsigned char h[MMM_HEADER_SIZE], uint32_t profiles_count, uint32_t genes_count)
{
    memset(h, 0, MMM_HEADER_SIZE);
    memcpy(h, MMM_MAGIC, sizeof MMM_MAGIC - 1);
    put_u32(h + MMM_MAGIC_SIZE, profiles_count);
    put_u32(h + MMM_MAGIC_SIZE + 4, genes_count);
}

/* W's stream buffered by IOBUF_BYTES of its own: glibc's setvbuf without a
 * buffer keeps its default of a page, a write system call every 4 KiB.  Below
 * malloc's mmap threshold: 1 MiB buffers, mapped and unmapped lane after lane,
 * raised that threshold and cost the import 15,000 more page faults. */
#define IOBUF_BYTES ((size_t)64 << 10)
static void buffer_big(mmm_writer *w)
{
    if (!w->iobuf) w->iobuf = malloc(IOBUF_BYTES);
    if (w->iobuf) setvbuf(w->f, w->iobuf, _IOFBF, IOBUF_BYTES);   /* else the default buffer: slower, as right */
}

mmm_writer *mmm_writer_open(const char *path, uint32_t genes_count, mc_err *e)
{
    return mmm_writer_open_closed(path, genes_count, 0, e);
}

mmm_writer *mmm_writer_open_closed(const char *path, uint32_t genes_count, size_t buffer_bytes, mc_err *e)
{
    mmm_writer *w = calloc(1, sizeof *w);
    if (!w || !(w->path = strdup(path))) {
        free(w);
        mc_err_oom(e, path);
        return NULL;
    }
    if (!(w->f = fopen(path, "wb"))) {
        mc_err_errno(e, path, "cannot create");
        free(w->path);
        free(w);
        return NULL;
    }
    if (!buffer_bytes) buffer_big(w);   /* a closed writer writes its buffer in one go */
    unsigned char h[MMM_HEADER_SIZE];
    header(h, 0, genes_count);   /* profiles count is patched in at close */
    fwrite(h, 1, sizeof h, w->f);
    w->genes_count = genes_count;
    w->offset = MMM_HEADER_SIZE;
    w->limit = UINT32_MAX;
    w->spill = buffer_bytes;
    if (buffer_bytes) {
        int bad = ferror(w->f) | fclose(w->f);
        w->f = NULL;
        if (bad) {
            mc_err_errno(e, path, "cannot write");
            mmm_writer_abort(w);
            return NULL;
        }
    }
    return w;
}

/* A closed writer's pending bytes appended to its file, opened for as long. */
static int spill(mmm_writer *w, mc_err *e)
{
    FILE *f = fopen(w->path, "ab");
    if (!f) return mc_err_errno(e, w->path, "cannot open");
    int bad = w->pending.n && fwrite(w->pending.b, 1, w->pending.n, f) != w->pending.n;
    bad |= fflush(f) != 0;
    if (!bad) outdir_write_behind(fileno(f));   /* the commit's fsync then waits for little */
    bad |= fclose(f) != 0;
    w->pending.n = 0;
    return bad ? mc_err_errno(e, w->path, "cannot write") : 0;
}

int mmm_writer_hash(mmm_writer *w, uint32_t profiles_count, mc_err *e)
{
    unsigned char h[MMM_HEADER_SIZE];
    header(h, profiles_count, w->genes_count);
    if (w->profiles) return mc_err_fail(e, "%s: hashed after %zu profiles", w->path, w->profiles);
    /* A closed writer's header is patched at close, like the count of any writer. */
    if (w->f && (fseek(w->f, 0, SEEK_SET) != 0 || fwrite(h, 1, sizeof h, w->f) != sizeof h))
        return mc_err_errno(e, w->path, "cannot write");
    MD5Init(&w->md5);
    MD5Update(&w->md5, h, sizeof h);
    w->hashing = 1;
    w->announced = profiles_count;
    return 0;
}

void mmm_writer_set_limit(mmm_writer *w, uint64_t max_offset)
{
    w->limit = max_offset < UINT32_MAX ? max_offset : UINT32_MAX;
}

static int too_large(const mmm_writer *w, mc_err *e)
{
    return mc_err_fail(
        e, "%s: the matrix would exceed 4 GiB, beyond the 32-bit offsets of the format; split it (by lane)", w->path);
}

/* Record where the next profile starts. */
static int begin_profile(mmm_writer *w, mc_err *e)
{
    if (w->offset > w->limit) return too_large(w, e);
    if (w->profiles == UINT32_MAX) return mc_err_fail(e, "%s: more than 2^32-1 profiles; split it (by lane)", w->path);
    if (w->profiles == w->cap) {
        size_t cap = w->cap ? 2 * w->cap : 1024;
        uint32_t *o = mc_alloc_resize(w->offsets, cap, sizeof *o);
        if (!o) return mc_err_oom(e, w->path);
        w->offsets = o;
        w->cap = cap;
    }
    w->offsets[w->profiles++] = (uint32_t)w->offset;
    if (w->f && (w->profiles & 1023) == 0)
        outdir_write_behind(fileno(w->f));   /* the commit's fsync then waits for little */
    return 0;
}

static int grow_bytes(mmm_bytes *x, size_t need)
{
    return MC_GROW(x->b, need < 4096 ? 4096 : need, x->cap);   /* 4096 bytes at least, doubling */
}

/* One entry's pairs at B, gene D after the previous one, value V (SPEC 6): the end. */
static uint8_t *put_entry(uint8_t *b, uint32_t d, uint64_t v)
{
    if (d <= 255 && v <= 255) {
        b[0] = (uint8_t)d, b[1] = (uint8_t)v;
        return b + 2;
    }
    for (; d > 255; d -= 255) *b++ = 255, *b++ = 0;
    for (; v > 255; v -= 255, d = 0) *b++ = (uint8_t)d, *b++ = 255;
    *b++ = (uint8_t)d, *b++ = (uint8_t)v;
    return b;
}

/* N packed keys sorted by gene: in place below a few dozen, else a stable LSD
 * radix sort, a byte of the gene a pass (bytes every key shares skipped), in
 * KEYS or TMP: the one returned. */
static uint64_t *packed_sort(uint64_t *keys, uint64_t *tmp, size_t n, uint32_t genes_count)
{
    if (n < ENTRIES_SMALL_SORT) {
        for (size_t i = 1; i < n; i++) {   /* by the whole key: equal genes still end up together */
            uint64_t k = keys[i];
            size_t j = i;
            for (; j > 0 && keys[j - 1] > k; j--) keys[j] = keys[j - 1];
            keys[j] = k;
        }
        return keys;
    }
    int digits = 1;
    while (digits < 4 && (uint64_t)(genes_count - 1) >> 8 * digits) digits++;
    size_t count[4][256];
    memset(count, 0, (size_t)digits * sizeof count[0]);
    for (size_t i = 0; i < n; i++)
        for (int d = 0; d < digits; d++) count[d][keys[i] >> (MMM_PACKED_BITS + 8 * d) & 255]++;
    uint64_t *from = keys, *to = tmp;
    for (int d = 0; d < digits; d++) {
        unsigned shift = MMM_PACKED_BITS + 8 * (unsigned)d;
        size_t *c = count[d], sum = 0;
        if (c[keys[0] >> shift & 255] == n) continue;   /* every gene has this byte: nothing moves */
        for (int b = 0; b < 256; b++) {
            size_t k = c[b];
            c[b] = sum;
            sum += k;
        }
        for (size_t i = 0; i < n; i++) to[c[from[i] >> shift & 255]++] = from[i];
        uint64_t *t = from;
        from = to;
        to = t;
    }
    return from;
}

/* The gene of the sorted packed keys at *K and its values summed, *K moved past them (to END at most). */
static inline uint32_t packed_merge(const uint64_t **k, const uint64_t *end, uint64_t *v)
{
    const uint64_t mask = ((uint64_t)1 << MMM_PACKED_BITS) - 1, *p = *k;
    uint32_t gene = (uint32_t)(*p >> MMM_PACKED_BITS);
    uint64_t sum = *p++ & mask;
    for (; p < end && (uint32_t)(*p >> MMM_PACKED_BITS) == gene; p++) sum += *p & mask;
    *k = p, *v = sum;
    return gene;
}

/* ES canonical (sorted by gene, duplicates summed, zeros dropped) through packed keys in its
 * sorting scratch, radix-sorted, then unpacked: 1; 0 when it is short, has a gene out of range or
 * a value too large to pack (then sorting as a list finds what to say); -1 out of memory.  A
 * dense row of the genes scanned back was twice the time. */
static int canonicalize_packed(mc_entries *es, uint32_t genes_count)
{
    size_t n = es->n;
    if (n < ENTRIES_SMALL_SORT) return 0;
    uint64_t any = 0;
    for (size_t i = 0; i < n; i++) any |= (es->v[i].gene >= genes_count) | (es->v[i].value >> MMM_PACKED_BITS);
    if (any) return 0;
    if (es->tmp_cap < n) {   /* n entries of 16 bytes: room for the keys and the sort's other half */
        mc_entry *t = mc_alloc_resize(es->tmp, es->cap, sizeof *t);
        if (!t) return -1;
        es->tmp = t;
        es->tmp_cap = es->cap;
    }
    uint64_t *keys = (uint64_t *)(void *)es->tmp;
    for (size_t i = 0; i < n; i++) keys[i] = MMM_PACK(es->v[i].gene, es->v[i].value);
    const uint64_t *k = packed_sort(keys, keys + n, n, genes_count), *end = k + n;
    size_t m = 0;
    while (k < end) {
        uint64_t v;
        uint32_t gene = packed_merge(&k, end, &v);
        if (v) es->v[m++] = (mc_entry){gene, v};
    }
    es->n = m;
    return 1;
}

int mmm_encode(mc_entries *es, uint32_t genes_count, uint64_t limit, mmm_bytes *x)
{
    size_t first = x->n;
    x->bad_gene = 0;
    int sorted = 1;   /* a dense row's entries (mc-group) need no sorting */
    for (size_t i = 1; i < es->n && sorted; i++) sorted = es->v[i - 1].gene < es->v[i].gene;
    int packed = sorted ? 0 : canonicalize_packed(es, genes_count);
    if (packed < 0 || (!packed && entries_canonicalize(es) < 0)) return -1;
    uint32_t current = 0;
    for (size_t i = 0; i < es->n; i++) {
        uint32_t gene = es->v[i].gene, d = gene - current;
        uint64_t v = es->v[i].value;
        if (gene >= genes_count) {
            x->bad_gene = 1;
            x->gene = gene;
            x->n = first;
            return 0;
        }
        uint64_t most = 2 * ((uint64_t)d / 255 + v / 255 + 1);   /* bytes this entry can take */
        if (most > limit - (x->n - first)) return -2;
        if (x->n + most > x->cap && grow_bytes(x, x->n + most) < 0) return -1;
        x->n = (size_t)(put_entry(x->b + x->n, d, v) - x->b);
        current = gene;
    }
    return 0;
}

int mmm_encode_row(uint64_t *row, uint64_t *bits, uint32_t genes_count, mmm_bytes *x)
{
    uint32_t current = 0;
    x->bad_gene = 0;
    for (size_t w = 0; w <= (size_t)genes_count / 64; w++) {
        uint64_t m = bits[w];
        if (!m) continue;
        bits[w] = 0;
        /* Room for the word's 64 genes at a pair each, checked once; a longer entry makes its own room.  The
         * bytes go through a local pointer: stores through x->b would make the compiler reload x. */
        if (x->n + 128 > x->cap && grow_bytes(x, x->n + 128) < 0) return -1;
        uint8_t *b = x->b + x->n;
        for (; m; m &= m - 1) {
            uint32_t gene = (uint32_t)(w * 64 + (size_t)__builtin_ctzll(m)), d = gene - current;
            uint64_t v = row[gene];
            row[gene] = 0;
            if (!v) continue;
            if (d <= 255 && v <= 255) {
                b[0] = (uint8_t)d, b[1] = (uint8_t)v;
                b += 2;
            } else {
                uint64_t most = 2 * ((uint64_t)d / 255 + v / 255 + 1);
                x->n = (size_t)(b - x->b);
                if (x->n + most + 128 > x->cap && grow_bytes(x, x->n + most + 128) < 0) return -1;
                b = put_entry(x->b + x->n, d, v);
            }
            current = gene;
        }
        x->n = (size_t)(b - x->b);
    }
    return 0;
}

int mmm_encode_packed(uint64_t *keys, uint64_t *tmp, size_t n, uint32_t genes_count, mmm_bytes *x)
{
    const uint64_t *k = packed_sort(keys, tmp, n, genes_count), *end = k + n;
    x->bad_gene = 0;
    /* Room for every entry at a pair, checked once; a longer entry makes its own room and the rest's. */
    if (x->n + 2 * n > x->cap && grow_bytes(x, x->n + 2 * n) < 0) return -1;
    uint8_t *b = x->b + x->n;
    uint32_t current = 0;
    while (k < end) {
        uint64_t v;
        uint32_t gene = packed_merge(&k, end, &v);
        if (!v) continue;
        uint32_t d = gene - current;
        if (d <= 255 && v <= 255) {
            b[0] = (uint8_t)d, b[1] = (uint8_t)v;
            b += 2;
        } else {
            size_t need = 2 * ((size_t)d / 255 + (size_t)(v / 255) + 1) + 2 * (size_t)(end - k);
            x->n = (size_t)(b - x->b);
            if (x->n + need > x->cap && grow_bytes(x, x->n + need) < 0) return -1;
            b = put_entry(x->b + x->n, d, v);
        }
        current = gene;
    }
    x->n = (size_t)(b - x->b);
    return 0;
}

void mmm_bytes_free(mmm_bytes *x)
{
    free(x->b);
    memset(x, 0, sizeof *x);
}

int mmm_writer_add_bytes(mmm_writer *w, const uint8_t *b, size_t n, mc_err *e)
{
    if (begin_profile(w, e) < 0) return -1;
    if (n > w->limit - w->offset) return too_large(w, e);
    w->offset += n;
    if (!n) return 0;   /* an empty profile may come with no buffer at all */
    if (w->hashing) MD5Update(&w->md5, b, n);
    if (w->f) {
        fwrite(b, 1, n, w->f);
        return 0;
    }
    if (grow_bytes(&w->pending, w->pending.n + n) < 0) return mc_err_oom(e, w->path);
    memcpy(w->pending.b + w->pending.n, b, n);
    w->pending.n += n;
    return w->pending.n >= w->spill ? spill(w, e) : 0;
}

int mmm_writer_add_run(mmm_writer *w, const uint8_t *b, const size_t *ends, size_t count, mc_err *e)
{
    size_t from = 0;
    for (size_t i = 0; i < count; from = ends[i++]) {
        if (begin_profile(w, e) < 0) return -1;
        if (ends[i] - from > w->limit - w->offset) return too_large(w, e);
        w->offset += ends[i] - from;
    }
    if (!from) return 0;
    if (w->hashing) MD5Update(&w->md5, b, from);
    if (w->f) {
        fwrite(b, 1, from, w->f);
        return 0;
    }
    if (grow_bytes(&w->pending, w->pending.n + from) < 0) return mc_err_oom(e, w->path);
    memcpy(w->pending.b + w->pending.n, b, from);
    w->pending.n += from;
    return w->pending.n >= w->spill ? spill(w, e) : 0;
}

int mmm_writer_add(mmm_writer *w, mc_entries *es, mc_err *e)
{
    if (w->offset > w->limit) return too_large(w, e);
    w->bytes.n = 0;
    int rc = mmm_encode(es, w->genes_count, w->limit - w->offset, &w->bytes);
    if (rc == -1) return mc_err_oom(e, w->path);
    if (rc == -2) return begin_profile(w, e) < 0 ? -1 : too_large(w, e);
    if (w->bytes.bad_gene) {
        if (begin_profile(w, e) < 0) return -1;
        return mc_err_fail(e, "%s: profile %zu: gene %u out of range (%u genes)", w->path, w->profiles - 1,
                           w->bytes.gene, w->genes_count);
    }
    return mmm_writer_add_bytes(w, w->bytes.b, w->bytes.n, e);
}

int mmm_writer_add_dense(mmm_writer *w, const uint64_t *row, mc_err *e)
{
    w->scratch.n = 0;
    for (uint32_t g = 0; g < w->genes_count; g++)
        if (row[g] && entries_push(&w->scratch, g, row[g]) < 0) return mc_err_oom(e, w->path);
    return mmm_writer_add(w, &w->scratch, e);
}

static void writer_free(mmm_writer *w)
{
    free(w->path);
    free(w->iobuf);   /* f is closed */
    free(w->offsets);
    entries_free(&w->scratch);
    mmm_bytes_free(&w->bytes);
    mmm_bytes_free(&w->pending);
    free(w);
}

/* Write B's N bytes of padding or index after the pairs, through md5 when hashing. */
static void put_tail(mmm_writer *w, const unsigned char *b, size_t n)
{
    if (w->hashing) MD5Update(&w->md5, b, n);
    fwrite(b, 1, n, w->f);
}

int mmm_writer_close(mmm_writer *w, mc_err *e)
{
    return mmm_writer_close_md5(w, NULL, e);
}

int mmm_writer_close_md5(mmm_writer *w, mc_uuid *md5, mc_err *e)
{
    unsigned char b[4] = {0};
    int rc = 0;
    if (w->offset > w->limit) rc = too_large(w, e);
    else if (w->profiles == UINT32_MAX)
        rc = mc_err_fail(e, "%s: more than 2^32-1 profiles; split it (by lane)", w->path);
    else if (w->hashing != !!md5 || (w->hashing && w->profiles != w->announced))
        rc = mc_err_fail(e, "%s: %zu profiles written, %u announced", w->path, w->profiles, w->announced);
    if (rc == 0 && !w->f) {   /* a closed writer: the file once more for the rest and the index */
        if ((w->f = fopen(w->path, "r+b"))) buffer_big(w);
        if (!w->f || fseek(w->f, 0, SEEK_END) != 0) rc = mc_err_errno(e, w->path, "cannot open");
        else if (w->pending.n)
            fwrite(w->pending.b, 1, w->pending.n, w->f);
    }
    if (rc == 0) {
        put_tail(w, b, (4 - w->offset % 4) % 4);
        for (size_t p = 0; p <= w->profiles; p++) {
            put_u32(b, p < w->profiles ? w->offsets[p] : (uint32_t)w->offset);
            put_tail(w, b, 4);
        }
        put_u32(b, (uint32_t)w->profiles);
        if (fseek(w->f, MMM_MAGIC_SIZE, SEEK_SET) == 0) fwrite(b, 1, 4, w->f);
        if (ferror(w->f) | fflush(w->f)) rc = mc_err_errno(e, w->path, "cannot write");
    }
    if (w->f && fclose(w->f) && rc == 0) rc = mc_err_errno(e, w->path, "cannot write");
    w->f = NULL;
    if (rc == 0 && md5) MD5Final(md5->b, &w->md5);
    if (rc < 0) unlink(w->path);
    writer_free(w);
    return rc;
}

void mmm_writer_abort(mmm_writer *w)
{
    if (!w) return;
    if (w->f) fclose(w->f);
    unlink(w->path);
    writer_free(w);
}

/* --- reader --------------------------------------------------------------------- */

static uint32_t get_u32(const uint8_t *b)
{
    return b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

/* The offsets index must describe profile data that tiles [header, index). */
static int check_offsets(const mmm_file *m, size_t index_pos, mc_err *e)
{
    const uint8_t *o = (const uint8_t *)m->offsets;
    if (get_u32(o) != MMM_HEADER_SIZE)
        return mc_err_fail(e, "%s: profile 0: data offset %u is not %d", m->path, get_u32(o), MMM_HEADER_SIZE);
    for (uint32_t p = 0; p < m->profiles_count; p++) {
        uint32_t a = get_u32(o + 4 * (size_t)p), b = get_u32(o + 4 * ((size_t)p + 1));
        if (b < a) return mc_err_fail(e, "%s: profile %u: offsets decrease (%u after %u)", m->path, p, b, a);
        if (b > index_pos) return mc_err_fail(e, "%s: profile %u: offset %u outside the data", m->path, p, b);
        if ((b - a) % 2) return mc_err_fail(e, "%s: profile %u: odd data length %u", m->path, p, b - a);
    }
    size_t end = get_u32(o + 4 * (size_t)m->profiles_count);
    if (index_pos - end > 3)
        return mc_err_fail(e, "%s: %zu stray bytes between the profile data and the offsets index", m->path,
                       index_pos - end);
    return 0;
}

static int map_file(mmm_file *m, const char *path, mc_err *e)
{
    int fd = path_open_file(path, e);
    if (fd < 0) return -1;
    struct stat st;
    if (fstat(fd, &st) < 0) {
        close(fd);
        return mc_err_errno(e, path, "cannot stat");
    }
    m->size = (size_t)st.st_size;
    if (m->size < MMM_HEADER_SIZE + 4) {
        close(fd);
        return mc_err_fail(e, "%s: truncated MMM file (%zu bytes)", path, m->size);
    }
    void *p = mmap(NULL, m->size, PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    if (p == MAP_FAILED) return mc_err_errno(e, path, "cannot map");
    m->map = p;
    return 0;
}

int mmm_open(mmm_file *m, const char *path, mc_err *e)
{
    memset(m, 0, sizeof *m);
    if (!(m->path = strdup(path))) return mc_err_oom(e, path);
    int rc = map_file(m, path, e);
    if (rc == 0 && memcmp(m->map, MMM_MAGIC "\0\0", MMM_MAGIC_SIZE))
        rc = mc_err_fail(e, "%s: not an MMM file (bad magic)", path);
    if (rc == 0) {
        m->profiles_count = get_u32(m->map + MMM_MAGIC_SIZE);
        m->genes_count = get_u32(m->map + MMM_MAGIC_SIZE + 4);
        size_t index_bytes = 4 * ((size_t)m->profiles_count + 1);
        if (index_bytes > m->size - MMM_HEADER_SIZE)
            rc = mc_err_fail(e, "%s: truncated MMM file (%zu bytes for %u profiles)", path, m->size, m->profiles_count);
        else if ((m->size - index_bytes) % 4)
            rc = mc_err_fail(e, "%s: truncated MMM file (offsets index not 4-byte aligned)", path);
        else {
            m->offsets = (const uint32_t *)(m->map + m->size - index_bytes);
            rc = check_offsets(m, m->size - index_bytes, e);
        }
    }
    if (rc < 0) mmm_close(m);
    return rc;
}

void mmm_forget(const mmm_file *m)
{
    madvise((void *)m->map, m->size, MADV_DONTNEED);   /* advice: its failure changes nothing */
}

size_t mmm_profile_offset(const mmm_file *m, uint32_t p)
{
    return p < m->profiles_count ? m->offsets[p] : 0;
}

size_t mmm_profile_bytes(const mmm_file *m, uint32_t p)
{
    return p < m->profiles_count ? (size_t)(m->offsets[p + 1] - m->offsets[p]) : 0;
}

void mmm_close(mmm_file *m)
{
    if (m->map) munmap((void *)m->map, m->size);
    free(m->path);
    memset(m, 0, sizeof *m);
}

/* Profile p's pairs: [*begin, *end). */
static void profile_span(const mmm_file *m, uint32_t p, const uint8_t **begin, const uint8_t **end)
{
    const uint8_t *o = (const uint8_t *)m->offsets;
    *begin = m->map + get_u32(o + 4 * (size_t)p);
    *end = m->map + get_u32(o + 4 * ((size_t)p + 1));
}

static int bad_gene(const mmm_file *m, uint32_t p, uint64_t gene, mc_err *e)
{
    return mc_err_fail(e, "%s: profile %u: gene %llu out of range (%u genes)", m->path, p, (unsigned long long)gene,
                   m->genes_count);
}

static int bad_profile(const mmm_file *m, uint32_t p, mc_err *e)
{
    return mc_err_fail(e, "%s: profile %u out of range (%u profiles)", m->path, p, m->profiles_count);
}

int mmm_add_profile(const mmm_file *m, uint32_t p, uint64_t *row, mc_err *e)
{
    const uint8_t *b, *end;
    if (p >= m->profiles_count) return bad_profile(m, p, e);
    profile_span(m, p, &b, &end);
    uint64_t gene = 0, G = m->genes_count;
    for (; b < end; b += 2) {
        gene += b[0];
        if (gene >= G) return bad_gene(m, p, gene, e);
        row[gene] += b[1];
    }
    return 0;
}

int mmm_profile_entries(const mmm_file *m, uint32_t p, mc_entries *es, mc_err *e)
{
    const uint8_t *b, *end;
    es->n = 0;
    if (p >= m->profiles_count) return bad_profile(m, p, e);
    profile_span(m, p, &b, &end);
    uint64_t gene = 0, G = m->genes_count, sum = 0, at = 0;
    for (; b < end; b += 2) {
        if (b[0]) {
            if (sum && entries_push(es, (uint32_t)at, sum) < 0) return mc_err_oom(e, m->path);
            sum = 0;
            gene += b[0];
        }
        if (gene >= G) return bad_gene(m, p, gene, e);
        at = gene;
        sum += b[1];
    }
    if (sum && entries_push(es, (uint32_t)at, sum) < 0) return mc_err_oom(e, m->path);
    return 0;
}

int mmm_profile_mapped(const mmm_file *m, uint32_t p, const int32_t *gmap, mc_entry *out, size_t *n, mc_err *e)
{
    const uint8_t *b, *end;
    *n = 0;
    if (p >= m->profiles_count) return bad_profile(m, p, e);
    profile_span(m, p, &b, &end);
    uint64_t gene = 0, G = m->genes_count, sum = 0, at = 0;
    size_t k = 0;
    /* mmm_profile_entries' walk; an entry is kept where it would push one (a non-zero sum). */
    for (; b < end; b += 2) {
        if (b[0]) {
            int64_t to = sum ? (gmap ? gmap[at] : (int64_t)at) : -1;
            if (to >= 0 && out) out[k] = (mc_entry){(uint32_t)to, sum};
            k += to >= 0;
            sum = 0;
            gene += b[0];
        }
        if (gene >= G) return bad_gene(m, p, gene, e);
        at = gene;
        sum += b[1];
    }
    int64_t to = sum ? (gmap ? gmap[at] : (int64_t)at) : -1;
    if (to >= 0 && out) out[k] = (mc_entry){(uint32_t)to, sum};
    *n = k + (to >= 0);
    return 0;
}

/* Entry K of a CSR row: column COL as INDEX, count SUM as VALUE (floats from int64: a count is below 2^41,
 * 255 a pair, a conversion the processor has, unlike uint64's). */
static inline __attribute__((always_inline)) void csr_put(npy_dtype index, void *cols, npy_dtype value, void *vals,
                                                           size_t k, int64_t col, uint64_t sum)
{
    if (index == NPY_I4) ((int32_t *)cols)[k] = (int32_t)col;
    else ((int64_t *)cols)[k] = col;
    switch (value) {
    case NPY_I4: ((int32_t *)vals)[k] = (int32_t)sum; break;
    case NPY_I8: ((int64_t *)vals)[k] = (int64_t)sum; break;
    case NPY_F4: ((float *)vals)[k] = (float)(int64_t)sum; break;
    default: ((double *)vals)[k] = (double)(int64_t)sum; break;
    }
}

/* mmm_pairs_csr's walk, inlined once per pair of types so that each loop stores one type and tracks the
 * largest count only for int32. */
static inline __attribute__((always_inline)) int csr_walk(const mmm_file *m, uint32_t p, const uint8_t *b, size_t bytes,
                                                          const int32_t *gmap, npy_dtype index, void *cols,
                                                          npy_dtype value, void *vals, size_t *n, uint64_t *max,
                                                          mc_err *e)
{
    const uint8_t *end = b + (bytes & ~(size_t)1);
    uint64_t gene = 0, G = m->genes_count, sum = 0, at = 0, top = 0;
    size_t k = 0;
    for (; b < end; b += 2) {
        if (b[0]) {
            int64_t to = sum ? (gmap ? gmap[at] : (int64_t)at) : -1;
            if (to >= 0) {
                csr_put(index, cols, value, vals, k++, to, sum);
                if (value == NPY_I4 && sum > top) top = sum;
            }
            sum = 0;
            gene += b[0];
        }
        if (gene >= G) return bad_gene(m, p, gene, e);
        at = gene;
        sum += b[1];
    }
    int64_t to = sum ? (gmap ? gmap[at] : (int64_t)at) : -1;
    if (to >= 0) {
        csr_put(index, cols, value, vals, k++, to, sum);
        if (value == NPY_I4 && sum > top) top = sum;
    }
    *n = k;
    *max = top;
    return 0;
}

int mmm_pairs_csr(const mmm_file *m, uint32_t p, const uint8_t *b, size_t bytes, const int32_t *gmap,
                  npy_dtype index, void *cols, npy_dtype value, void *vals, size_t *n, uint64_t *max, mc_err *e)
{
    *n = 0;
    *max = 0;
    int wide = index != NPY_I4;
    switch (value) {
    case NPY_I4:
        return wide ? csr_walk(m, p, b, bytes, gmap, NPY_I8, cols, NPY_I4, vals, n, max, e)
                    : csr_walk(m, p, b, bytes, gmap, NPY_I4, cols, NPY_I4, vals, n, max, e);
    case NPY_I8:
        return wide ? csr_walk(m, p, b, bytes, gmap, NPY_I8, cols, NPY_I8, vals, n, max, e)
                    : csr_walk(m, p, b, bytes, gmap, NPY_I4, cols, NPY_I8, vals, n, max, e);
    case NPY_F4:
        return wide ? csr_walk(m, p, b, bytes, gmap, NPY_I8, cols, NPY_F4, vals, n, max, e)
                    : csr_walk(m, p, b, bytes, gmap, NPY_I4, cols, NPY_F4, vals, n, max, e);
    default:
        return wide ? csr_walk(m, p, b, bytes, gmap, NPY_I8, cols, NPY_F8, vals, n, max, e)
                    : csr_walk(m, p, b, bytes, gmap, NPY_I4, cols, NPY_F8, vals, n, max, e);
    }
}

const uint8_t *mmm_pairs_read(const mmm_file *m, uint32_t from, uint32_t to, uint8_t *buf, size_t *n)
{
    const uint8_t *b, *end, *last;
    *n = 0;
    if (from >= to || to > m->profiles_count) return m->map;
    profile_span(m, from, &b, &last);
    profile_span(m, to - 1, &last, &end);
    *n = (size_t)(end - b);
    mmm_copy(m, (size_t)(b - m->map), *n, buf);
    return buf;
}

void mmm_copy(const mmm_file *m, size_t off, size_t n, uint8_t *buf)
{
    struct iovec local = {buf, n}, remote = {(void *)(m->map + off), n};
    ssize_t got = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
    if (got < 0) got = 0;   /* not allowed here: the rest by hand */
    if ((size_t)got < n) memcpy(buf + got, m->map + off + got, n - (size_t)got);
}

/* Add the pairs [b, end) of profile p into ROW through GMAP, their sum in *TOTAL. */
static int sum_span(const mmm_file *m, uint32_t p, const uint8_t *b, const uint8_t *end, const int32_t *gmap,
                    uint64_t *row, uint64_t *total, mc_err *e)
{
    uint64_t gene = 0, sum = 0, G = m->genes_count;
    /* Both bytes are read before the store into ROW, which may alias them for
     * the compiler; the bound check is one predictable branch. */
    if (!gmap) {
        for (; b < end; b += 2) {
            unsigned d = b[0], v = b[1];
            gene += d;
            if (gene >= G) return bad_gene(m, p, gene, e);
            row[gene] += v;
            sum += v;
        }
    } else {
        for (; b < end; b += 2) {
            unsigned d = b[0], v = b[1];
            gene += d;
            if (gene >= G) return bad_gene(m, p, gene, e);
            int32_t g = gmap[gene];
            if (g >= 0) row[g] += v, sum += v;
        }
    }
    *total = sum;
    return 0;
}

int mmm_sum_profile(const mmm_file *m, uint32_t p, const int32_t *gmap, uint64_t *row, uint64_t *total, mc_err *e)
{
    const uint8_t *b, *end;
    if (p >= m->profiles_count) return bad_profile(m, p, e);
    profile_span(m, p, &b, &end);
    return sum_span(m, p, b, end, gmap, row, total, e);
}

int mmm_sum_copy(const mmm_file *m, uint32_t p, const uint8_t *b, size_t n, const int32_t *gmap, uint64_t *row,
                 uint64_t *total, mc_err *e)
{
    if (p >= m->profiles_count) return bad_profile(m, p, e);
    return sum_span(m, p, b, b + n, gmap, row, total, e);
}

const uint8_t *mmm_profile_pairs(const mmm_file *m, uint32_t p, size_t *n)
{
    const uint8_t *b, *end;
    if (p >= m->profiles_count) {
        *n = 0;
        return m->map;
    }
    profile_span(m, p, &b, &end);
    *n = (size_t)(end - b);
    return b;
}

int mmm_run_add(mmm_run *r, const mmm_file *m, const int32_t *gmap, uint32_t q, size_t first, size_t bytes)
{
    if (!r->count) *r = (mmm_run){m, gmap, q, first, 0, 0};
    else if (m != r->m || gmap != r->gmap || q != r->q + r->count || r->bytes + bytes > MMM_RUN_BYTES) return 0;
    r->count++;
    r->bytes += bytes;
    return 1;
}

const uint8_t *mmm_run_pairs(const mmm_run *r, uint8_t *buf, size_t *n)
{
    return r->bytes <= MMM_RUN_BYTES ? mmm_pairs_read(r->m, r->q, r->q + (uint32_t)r->count, buf, n)
                                     : mmm_profile_pairs(r->m, r->q, n);
}

int mmm_sum_pairs(const mmm_file *m, uint32_t p, const uint8_t *b, size_t n, const int32_t *gmap, uint64_t *row,
                  uint64_t *bits, mc_err *e)
{
    const uint8_t *end = b + n;
    uint64_t gene = 0, G = m->genes_count;
    if (!gmap) {
        for (; b < end; b += 2) {
            unsigned d = b[0], v = b[1];
            gene += d;
            if (gene >= G) return bad_gene(m, p, gene, e);
            row[gene] += v;
            bits[gene >> 6] |= (uint64_t)1 << (gene & 63);
        }
    } else {
        for (; b < end; b += 2) {
            unsigned d = b[0], v = b[1];
            gene += d;
            if (gene >= G) return bad_gene(m, p, gene, e);
            int32_t g = gmap[gene];
            if (g >= 0) row[g] += v, bits[g >> 6] |= (uint64_t)1 << (g & 63);
        }
    }
    return 0;
}

int mmm_add_pairs(const mmm_file *m, uint32_t p, const uint8_t *b, size_t n, const int32_t *gmap, uint64_t *row,
                  mc_err *e)
{
    const uint8_t *end = b + (n & ~(size_t)1);
    uint64_t gene = 0, G = m->genes_count;
    if (!gmap) {
        for (; b < end; b += 2) {
            unsigned d = b[0], v = b[1];
            gene += d;
            if (gene >= G) return bad_gene(m, p, gene, e);
            row[gene] += v;
        }
    } else {
        for (; b < end; b += 2) {
            unsigned d = b[0], v = b[1];
            gene += d;
            if (gene >= G) return bad_gene(m, p, gene, e);
            int32_t g = gmap[gene];
            if (g >= 0) row[g] += v;
        }
    }
    return 0;
}

void mmm_pairs_gather(uint8_t *const *to, const uint8_t *const *from, const size_t *n, size_t count)
{
    struct iovec local[MMM_GATHER_MAX], remote[MMM_GATHER_MAX];
    for (size_t at = 0; at < count;) {
        size_t k = count - at < MMM_GATHER_MAX ? count - at : MMM_GATHER_MAX, want = 0;
        for (size_t i = 0; i < k; i++) {
            local[i] = (struct iovec){to[at + i], n[at + i]};
            remote[i] = (struct iovec){(void *)from[at + i], n[at + i]};
            want += n[at + i];
        }
        /* One call for up to MMM_GATHER_MAX profiles, the kernel copying from the page cache as mmm_pairs_read's
         * does; what it did not copy (refused, or stopped short), by hand. */
        ssize_t got = want ? process_vm_readv(getpid(), local, k, remote, k, 0) : 0;
        size_t done = got < 0 ? 0 : (size_t)got;
        for (size_t i = 0; i < k; i++) {
            size_t len = n[at + i], skip = done < len ? done : len;
            done -= skip;
            if (skip < len) memcpy(to[at + i] + skip, from[at + i] + skip, len - skip);
        }
        at += k;
    }
}

int mmm_profile_total(const mmm_file *m, uint32_t p, uint64_t *total, mc_err *e)
{
    const uint8_t *b, *end;
    if (p >= m->profiles_count) return bad_profile(m, p, e);
    profile_span(m, p, &b, &end);
    uint64_t gene = 0, sum = 0, G = m->genes_count;
    for (; b < end; b += 2) {
        gene += b[0];
        if (gene >= G) return bad_gene(m, p, gene, e);
        sum += b[1];
    }
    *total = sum;
    return 0;
}

int mmm_profile_nonzeros(const mmm_file *m, uint32_t p, const int32_t *gmap, uint64_t *count, mc_err *e)
{
    const uint8_t *b, *end;
    if (p >= m->profiles_count) return bad_profile(m, p, e);
    profile_span(m, p, &b, &end);
    uint64_t gene = 0, G = m->genes_count, at = 0, n = 0;
    unsigned any = 0;   /* a non-zero value at gene AT: the values are not negative */
    for (; b < end; b += 2) {
        if (b[0]) {   /* the next gene: AT is done */
            n += any && (!gmap || gmap[at] >= 0);
            any = 0;
            gene += b[0];
        }
        if (gene >= G) return bad_gene(m, p, gene, e);
        at = gene;
        any |= b[1];
    }
    *count = n + (any && (!gmap || gmap[at] >= 0));
    return 0;
}

int mmm_entries_count(const mmm_file *m, uint64_t *count, mc_err *e)
{
    mc_entries es = {0};
    uint64_t n = 0;
    int rc = 0;
    for (uint32_t p = 0; rc == 0 && p < m->profiles_count; p++) {
        rc = mmm_profile_entries(m, p, &es, e);
        n += es.n;
    }
    entries_free(&es);
    *count = n;
    return rc;
}
