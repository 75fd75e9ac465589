/* mmm: the sparse memory-mapped matrix (SPEC 6), byte-exact.
 *
 * The writer streams profile after profile and keeps only the offsets index
 * (4 bytes per profile) in memory.  The reader maps the file, validates the
 * header and the offsets index on open, and validates every pair while
 * decoding, so a corrupt file is an error naming file and profile, never an
 * out-of-bounds access. */
#ifndef MC_MMM_H
#define MC_MMM_H

#include <stddef.h>
#include <stdint.h>
#include "entries.h"
#include "err.h"
#include "npy.h"
#include "uuid.h"

#define MMM_MAGIC "METACELL SPARSE MEMORY MAPPED MATRIX VERSION 0"
#define MMM_MAGIC_SIZE 48

/* One profile's canonical pair stream (SPEC 6), encoded apart from any file,
 * so that a writer may encode profiles on several threads and append them in
 * order.  Reused from profile to profile. */
typedef struct mmm_bytes {
    uint8_t *b;
    size_t n, cap;
    int bad_gene;            /* a gene >= genes_count was met: gene */
    uint32_t gene;
} mmm_bytes;

/* Canonicalize ES (in place, through its sorting scratch) and append its pairs
 * to X: 0; -1 out of memory; -2 when they would take more than LIMIT bytes.
 * A gene >= genes_count appends nothing and sets x->bad_gene (else cleared). */
int mmm_encode(mc_entries *es, uint32_t genes_count, uint64_t limit, mmm_bytes *x);
/* Append to X the pairs of the dense ROW of GENES_COUNT values whose genes have
 * their bit set in BITS (genes_count / 64 + 1 words), as mmm_encode would
 * encode them, and leave both zero: the way back from a row summed with
 * mmm_sum_pairs.  0, or -1 when out of memory. */
int mmm_encode_row(uint64_t *row, uint64_t *bits, uint32_t genes_count, mmm_bytes *x);
/* A profile's entry packed in 64 bits: gene << MMM_PACKED_BITS | value, for
 * values below 2^MMM_PACKED_BITS (an STD count is at most 2^24). */
#define MMM_PACKED_BITS 25
#define MMM_PACK(gene, value) ((uint64_t)(gene) << MMM_PACKED_BITS | (value))
/* Append to X the pairs of the N packed entries KEYS (genes < genes_count, in
 * any order, with duplicates and zeros), as mmm_encode would encode them:
 * sorted by gene (a radix sort through TMP, room for N keys; KEYS and TMP are
 * left in any order), duplicates summed, zeros dropped.  0, or -1 when out of
 * memory.  The import's encoder: a third of the time of a dense row. */
int mmm_encode_packed(uint64_t *keys, uint64_t *tmp, size_t n, uint32_t genes_count, mmm_bytes *x);
void mmm_bytes_free(mmm_bytes *x);

typedef struct mmm_writer mmm_writer;

/* Create PATH for a matrix of genes_count genes. */
mmm_writer *mmm_writer_open(const char *path, uint32_t genes_count, mc_err *e);
/* The same, for a writer of many files at once: the file is closed between
 * appends of BUFFER_BYTES (> 0) kept in memory, so it holds no descriptor. */
mmm_writer *mmm_writer_open_closed(const char *path, uint32_t genes_count, size_t buffer_bytes, mc_err *e);
/* Lower the offsets limit (default UINT32_MAX), so tests can reach it without 4 GiB. */
void mmm_writer_set_limit(mmm_writer *w, uint64_t max_offset);
/* Append one profile; entries may be in any order, with duplicates and zeros
 * (es is canonicalized in place).  A gene out of range is an error. */
int mmm_writer_add(mmm_writer *w, mc_entries *es, mc_err *e);
/* Append one profile of N bytes of pairs encoded by mmm_encode (for this
 * writer's genes_count). */
int mmm_writer_add_bytes(mmm_writer *w, const uint8_t *b, size_t n, mc_err *e);
/* Append COUNT profiles encoded one after the other in B, profile i ending
 * ENDS[i] bytes into B (the first starts at B): mmm_writer_add_bytes of
 * each, with one write. */
int mmm_writer_add_run(mmm_writer *w, const uint8_t *b, const size_t *ends, size_t count, mc_err *e);
/* Append one profile from a dense row of genes_count values. */
int mmm_writer_add_dense(mmm_writer *w, const uint64_t *row, mc_err *e);
/* Write padding and the offsets index, close.  Refuses offsets beyond 32 bits. */
int mmm_writer_close(mmm_writer *w, mc_err *e);
/* Before the first profile of a writer (open or closed): its
 * header says PROFILES_COUNT profiles now, and every byte written goes
 * through MD5, so that the file's MD5 (its uuid, SPEC 3) needs no second
 * read; then close with mmm_writer_close_md5, after exactly that many
 * profiles. */
int mmm_writer_hash(mmm_writer *w, uint32_t profiles_count, mc_err *e);
/* mmm_writer_close, and the MD5 of the whole file in *MD5. */
int mmm_writer_close_md5(mmm_writer *w, mc_uuid *md5, mc_err *e);
/* Close and delete the partial file (on any failure path); w may be NULL. */
void mmm_writer_abort(mmm_writer *w);

typedef struct mmm_file {
    char *path;
    const uint8_t *map;
    size_t size;
    uint32_t profiles_count, genes_count;
    const uint32_t *offsets;   /* profiles_count + 1, validated non-decreasing and in range */
} mmm_file;

int mmm_open(mmm_file *m, const char *path, mc_err *e);
/* Drop the mapping's pages from the resident set (re-read from the page cache
 * when touched again). */
void mmm_forget(const mmm_file *m);
/* Where profile p's pairs start in the file (its offset), for a reader that
 * copies them (mmm_copy) rather than touch the map (0 when out of range). */
size_t mmm_profile_offset(const mmm_file *m, uint32_t p);
/* Copy bytes [OFF, OFF + N) of the file into BUF, the map's pages untouched
 * from user space: on a virtual machine each page first touched there costs
 * the monitor a fault of its own, about three times the decoding of its bytes
 * (200 MB summed: 0.14 CPU s from the map, 0.05 from copies).  The kernel
 * copies (process_vm_readv of this process); where it may not, memcpy. */
void mmm_copy(const mmm_file *m, size_t off, size_t n, uint8_t *buf);
/* Bytes of profile p's pairs (0 when out of range). */
size_t mmm_profile_bytes(const mmm_file *m, uint32_t p);
void mmm_close(mmm_file *m);

/* Decode profile p into es (replacing its contents): sorted, unique, non-zero. */
int mmm_profile_entries(const mmm_file *m, uint32_t p, mc_entries *es, mc_err *e);
/* Profile p's entries, as mmm_profile_entries gives them, through GMAP (its
 * genes to the caller's; -1 drops a gene; NULL: the identity): their number
 * in *N and, unless OUT is NULL (then only counted), the entries in OUT (room
 * for genes_count).  Straight from the pairs, without an entries list: the
 * CSR decoder's two passes (csr.h). */
int mmm_profile_mapped(const mmm_file *m, uint32_t p, const int32_t *gmap, mc_entry *out, size_t *n, mc_err *e);
/* Profile p's entries, as mmm_profile_mapped gives them, from BYTES of its
 * pairs B (the map's, mmm_profile_pairs, or a copy, mmm_pairs_read) through
 * GMAP straight into a CSR row: their columns into COLS (INDEX: NPY_I4 or
 * NPY_I8) and counts into VALS (VALUE: NPY_I4, NPY_I8, NPY_F4 or NPY_F8; an
 * NPY_I4 count beyond int32 is the caller's to refuse: *MAX is the largest,
 * set for NPY_I4 only), at most BYTES / 2 of each (a pair or more an entry);
 * their number in *N.  The one-pass CSR decoder's, written once, without an
 * entries list. */
int mmm_pairs_csr(const mmm_file *m, uint32_t p, const uint8_t *b, size_t bytes, const int32_t *gmap,
                  npy_dtype index, void *cols, npy_dtype value, void *vals, size_t *n, uint64_t *max, mc_err *e);
/* The pairs of profiles FROM..TO-1 (consecutive in the file) copied into BUF
 * (room for their bytes, *N), which is returned: a decoder reading them
 * there rather than from the map spares the map's pages their first touch. */
const uint8_t *mmm_pairs_read(const mmm_file *m, uint32_t from, uint32_t to, uint8_t *buf, size_t *n);
/* The bytes of a run copied at once by its readers (the CSR's, the group sums'):
 * a few hundred profiles, read again from the cache. */
#define MMM_RUN_BYTES ((size_t)256 << 10)
/* A run of profiles Q.. following each other in one matrix M (through GMAP, which
 * may be NULL), COUNT of them and BYTES of pairs, the first the caller's item
 * FIRST: what its readers decode from one copy. */
typedef struct mmm_run {
    const mmm_file *m;
    const int32_t *gmap;
    uint32_t q;
    size_t first, count, bytes;
} mmm_run;
/* Profile Q of M (BYTES of pairs), the caller's item FIRST, appended to R: 1;
 * 0 when it cannot follow R's profiles (another matrix or map, not the next
 * profile, or over MMM_RUN_BYTES), R then to be decoded and emptied first. */
int mmm_run_add(mmm_run *r, const mmm_file *m, const int32_t *gmap, uint32_t q, size_t first, size_t bytes);
/* R's pairs: copied into BUF (MMM_RUN_BYTES) with mmm_pairs_read, or a single
 * longer profile's from the map; *N their bytes. */
const uint8_t *mmm_run_pairs(const mmm_run *r, uint8_t *buf, size_t *n);
/* Add profile p into a dense row of genes_count values (the seed's add_profile_data). */
int mmm_add_profile(const mmm_file *m, uint32_t p, uint64_t *row, mc_err *e);
/* Add profile p into ROW through GMAP (its genes to ROW's; -1 skips a gene;
 * NULL: the identity) and set *total to what was added: the decoder of
 * mc-sum and mc-group, straight from the pairs into the row. */
int mmm_sum_profile(const mmm_file *m, uint32_t p, const int32_t *gmap, uint64_t *row, uint64_t *total, mc_err *e);
/* mmm_sum_profile of N bytes B, a copy of profile p's pairs. */
int mmm_sum_copy(const mmm_file *m, uint32_t p, const uint8_t *b, size_t n, const int32_t *gmap, uint64_t *row,
                 uint64_t *total, mc_err *e);
/* Profile p's pairs and their count of bytes *N (none when out of range), for
 * a caller that copies them to decode later with mmm_sum_pairs. */
const uint8_t *mmm_profile_pairs(const mmm_file *m, uint32_t p, size_t *n);
/* Add N bytes of pairs B, a copy of profile p of M, into ROW through GMAP as
 * mmm_sum_profile does, and set in BITS the bit of every gene of ROW added to
 * (value 0 included), so that the caller reads the row back by its bits. */
int mmm_sum_pairs(const mmm_file *m, uint32_t p, const uint8_t *b, size_t n, const int32_t *gmap, uint64_t *row,
                  uint64_t *bits, mc_err *e);
/* Add N bytes of pairs B, a copy of profile p of M, into ROW through GMAP as
 * mmm_sum_profile does (without a total): the decoder of runs of pairs copied
 * with mmm_pairs_read or mmm_pairs_gather. */
int mmm_add_pairs(const mmm_file *m, uint32_t p, const uint8_t *b, size_t n, const int32_t *gmap, uint64_t *row,
                  mc_err *e);
/* Profiles at most copied by one call of mmm_pairs_gather's (the kernel's IOV_MAX). */
#define MMM_GATHER_MAX 1024
/* COUNT profiles' pairs, each N[i] bytes at FROM[i] (mmm_profile_pairs, of any
 * matrices), copied to TO[i] as mmm_pairs_read copies a run: profiles
 * scattered through the map gathered without first-touching its pages, one
 * call for MMM_GATHER_MAX of them. */
void mmm_pairs_gather(uint8_t *const *to, const uint8_t *const *from, const size_t *n, size_t count);
/* Sum of profile p's values, without a row. */
int mmm_profile_total(const mmm_file *m, uint32_t p, uint64_t *total, mc_err *e);
/* The non-zero genes of profile p (those GMAP maps to -1 left out; NULL:
 * the identity), as mmm_profile_entries would give them, without a list. */
int mmm_profile_nonzeros(const mmm_file *m, uint32_t p, const int32_t *gmap, uint64_t *count, mc_err *e);
/* Number of non-zero (gene, profile) entries; validates every profile. */
int mmm_entries_count(const mmm_file *m, uint64_t *count, mc_err *e);

#endif
