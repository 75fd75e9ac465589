/* mc.h: the public interface of libmc, for programs and bindings outside mc.
 *
 * Everything here is prefixed mc_; it is all libmc.so exports (the rest of
 * the library is hidden).  It is a thin facade over the modules the tools use
 * (common/api/mc.c): opening, resolving data through views and collections,
 * decoding, the totals cache and writing are the tools' own code, so what
 * this interface gives equals what mc-export, mc-sum and mc-write-data give.
 *
 * Conventions (doc/api.md):
 *   - A function that can fail takes an mc_err * last and returns -1 (or
 *     NULL) with one line in it, "FILE[:LINE]: what is wrong" as the tools
 *     print it after their name.  Nothing here prints or exits.
 *   - Handles (mc_genes, mc_container) are opaque; their _close is safe on
 *     NULL.  Structs filled for the caller (mc_text, mc_data) are valid
 *     zeroed, and their _free is safe on a zeroed one and leaves it zeroed.
 *   - Strings the library returns stay valid until the handle is closed (or
 *     the struct freed).  A handle may be used by one thread at a time; the
 *     decoders use every core themselves (THREADS, 0: every core).
 *   - Profiles and genes are 0-based indices in the container's own order;
 *     a view's genes are only those it keeps. */
#ifndef MC_PUBLIC_H
#define MC_PUBLIC_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MC_API __attribute__((visibility("default")))

#ifndef MC_ERR_DEFINED
#define MC_ERR_DEFINED
/* The error of the last failing call: one line, NUL-terminated. */
typedef struct mc_err {
    char msg[1024];
} mc_err;
#endif

/* The version of libmc ("MAJOR.MINOR"); MAJOR is the soname's. */
MC_API const char *mc_version(void);
/* E's message (for bindings that cannot reach the struct). */
MC_API const char *mc_err_message(const mc_err *e);

/* Value types of data and of decoded matrices. */
typedef enum mc_dtype {
    MC_BOOL = 1,                /* one byte, 0 or 1 */
    MC_INT32, MC_INT64, MC_FLOAT32, MC_FLOAT64,
    MC_TEXT                     /* an mc_text */
} mc_dtype;

/* COUNT strings: v[i] NUL-terminated, packed back to back in DATA (BYTES
 * bytes, each string's NUL included), so a binding may take them all at once. */
typedef struct mc_text {
    size_t count;
    const char *const *v;
    const char *data;
    size_t bytes;
} mc_text;
MC_API void mc_text_free(mc_text *t);

/* --- gene sets (SPEC 5) ------------------------------------------------------ */

typedef struct mc_genes mc_genes;

MC_API mc_genes *mc_genes_open(const char *dir, mc_err *e);
MC_API void mc_genes_close(mc_genes *g);
MC_API size_t mc_genes_count(const mc_genes *g);
/* Gene I's canonical name (upper case; the set is sorted), NULL out of range. */
MC_API const char *mc_genes_name(const mc_genes *g, size_t i);
MC_API const char *mc_genes_uuid(const mc_genes *g);
MC_API const char *mc_genes_organism(const mc_genes *g);
MC_API const char *mc_genes_path(const mc_genes *g);

/* --- containers (SPEC 7) ----------------------------------------------------- */

typedef struct mc_container mc_container;

/* Open DIR, a batch, view, collection or groups container (the kind is read
 * from its profiles.yaml), with its chain of bases and members, every
 * recorded uuid checked.  GENES_DIR names its gene set; NULL: the first
 * genes/ directory above DIR with its uuid, as the tools find it (looked up
 * only when gene names are asked for). */
MC_API mc_container *mc_open(const char *dir, const char *genes_dir, mc_err *e);
MC_API void mc_close(mc_container *c);

MC_API const char *mc_path(const mc_container *c);
/* "batch", "view", "collection" or "groups". */
MC_API const char *mc_kind(const mc_container *c);
MC_API const char *mc_container_uuid(const mc_container *c);
MC_API const char *mc_container_genes_uuid(const mc_container *c);
MC_API const char *mc_organism(const mc_container *c);
/* What a profile is: "cells", "metacells", ... */
MC_API const char *mc_profiles_kind(const mc_container *c);
MC_API size_t mc_profiles_count(const mc_container *c);
MC_API size_t mc_container_genes_count(const mc_container *c);

/* The profile names (SPEC 7, as mc-sum and mc-export print them) and the
 * container's own genes' names (through its gene set) into *OUT. */
MC_API int mc_profile_names(mc_container *c, mc_text *out, mc_err *e);
MC_API int mc_gene_names(mc_container *c, mc_text *out, mc_err *e);

/* Sorted names of the data of KIND ("g", "p", "gp", "gg", "pp") visible in
 * C, as mc-info lists them: its own, and what its base or members show
 * (data that depends on an axis a view slices is hidden). */
MC_API int mc_available(mc_container *c, const char *kind, mc_text *out, mc_err *e);

/* One datum: a g or p array (ROWS values, COLS 0) or a gg, pp or dense gp
 * matrix (ROWS x COLS in C order; gp: genes x profiles). */
typedef struct mc_data {
    mc_dtype dtype;
    size_t rows, cols;
    const void *values;         /* numbers; NULL for text */
    mc_text text;               /* MC_TEXT */
    void *impl;                 /* the library's */
} mc_data;
/* Load ID, "KIND.NAME" (e.g. "p.barcode", "gg.correlation"), resolved as the
 * tools resolve it: 1 found, 0 not visible in C, -1 error. */
MC_API int mc_data_load(mc_container *c, const char *id, mc_data *out, mc_err *e);
MC_API void mc_data_free(mc_data *d);

/* The names of gene set G's arrays (g.NAME.txt or .npy: "name", "ensembl",
 * "original_name", "genome", ...), sorted, into *OUT. */
MC_API int mc_genes_available(mc_genes *g, mc_text *out, mc_err *e);
/* Gene set G's array NAME (a value a gene, in the set's order): 1 found, 0
 * absent, -1 error. */
MC_API int mc_genes_data_load(mc_genes *g, const char *name, mc_data *out, mc_err *e);

/* The table mc-export --h5ad writes as obs (KIND "p") or var ("g"): INDEX
 * names each profile (gene: the input's names made unique), COUNT columns
 * NAMES[i] with values COLUMNS[i] (obs: every visible p array but
 * base_index; var: gene_ids, the gene set's annotations, the g arrays). */
typedef struct mc_frame {
    mc_text index;
    size_t count;
    const char *const *names;
    mc_data *columns;
    void *impl;                 /* the library's */
} mc_frame;
MC_API int mc_frame_load(mc_container *c, const char *kind, mc_frame *out, mc_err *e);
MC_API void mc_frame_free(mc_frame *f);

/* Write ID ("KIND.NAME") into C's own directory, atomically, through
 * mc-write-data's code: the same checks (reserved names, shape, an existing
 * datum of C or shown by its chain only with FORCE).  Numbers: DTYPE (not
 * MC_TEXT), ROWS values (COLS 0) or a ROWS x COLS matrix in C order.  Text:
 * COUNT strings of a g or p array, without line breaks. */
MC_API int mc_write_numbers(mc_container *c, const char *id, mc_dtype dtype, size_t rows, size_t cols,
                            const void *values, int force, mc_err *e);
MC_API int mc_write_text(mc_container *c, const char *id, const char *const *values, size_t count, int force,
                         mc_err *e);

/* Exact total UMIs per profile (PROFILES, profiles_count values) and per gene
 * (GENES, genes_count), either may be NULL: from C's totals cache when its
 * stamp proves it current, else computed on THREADS threads and cached as
 * mc-sum caches them (a cache that cannot be written is no error). */
MC_API int mc_total_umis(mc_container *c, uint64_t *profiles, uint64_t *genes, int threads, mc_err *e);

/* --- decoding ---------------------------------------------------------------- */

/* One MMM file (SPEC 6) by itself, as the seed's MemoryMappedMatrix: mapped,
 * its header and offsets checked on opening, every pair while decoding. */
typedef struct mc_mmm mc_mmm;
MC_API mc_mmm *mc_mmm_open(const char *path, mc_err *e);
MC_API void mc_mmm_close(mc_mmm *m);
MC_API size_t mc_mmm_profiles_count(const mc_mmm *m);
MC_API size_t mc_mmm_genes_count(const mc_mmm *m);
/* The number of non-zero entries (every profile decoded, so checked). */
MC_API int mc_mmm_entries_count(mc_mmm *m, uint64_t *count, mc_err *e);
/* Profile P's non-zero genes (ascending) and counts, as mc_profile_sparse. */
MC_API int mc_mmm_profile_sparse(mc_mmm *m, size_t p, uint32_t *genes, uint64_t *counts, size_t cap, size_t *n,
                                 mc_err *e);
/* Profile P added into ROW (genes_count values). */
MC_API int mc_mmm_profile_add(mc_mmm *m, size_t p, uint64_t *row, mc_err *e);
/* Write PATH, an MMM of GENES_COUNT genes and PROFILES_COUNT profiles, profile
 * P's entries GENES[i], VALUES[i] for INDPTR[P] <= i < INDPTR[P + 1], in any
 * order, zeros and repeats allowed (summed), as the tools write it: the
 * canonical pairs, byte-exact.  A partial file is removed on failure. */
MC_API int mc_mmm_write(const char *path, size_t genes_count, size_t profiles_count, const int64_t *indptr,
                        const uint32_t *genes, const uint64_t *values, mc_err *e);

/* Profile P's non-zero genes (ascending) and their counts into GENES and
 * COUNTS (each of CAP entries; genes_count always suffices), their number in
 * *N.  A profile with more than CAP is an error. */
MC_API int mc_profile_sparse(mc_container *c, size_t p, uint32_t *genes, uint64_t *counts, size_t cap, size_t *n,
                             mc_err *e);
/* Profile P added into ROW (genes_count values): the seed's add_profile_data. */
MC_API int mc_profile_add(mc_container *c, size_t p, uint64_t *row, mc_err *e);

/* A selection: the profiles PROFILES[0..profiles_count) in that order
 * (repeats allowed), NULL: every profile; the genes GENES[0..genes_count),
 * each at most once, as the columns in that order, NULL: every gene. */
typedef struct mc_selection {
    const int64_t *profiles;
    size_t profiles_count;
    const int64_t *genes;
    size_t genes_count;
} mc_selection;

/* The selection's UMIs as a CSR matrix (rows the profiles, columns the
 * genes), decoded on THREADS threads straight into the caller's arrays, in
 * two calls: mc_csr_indptr fills INDPTR (rows + 1 values, from 0), then the
 * caller allocates indptr[rows] non-zeros and mc_csr_fill writes each row's
 * column INDICES (ascending) and DATA.  INDEX_TYPE (MC_INT32 or MC_INT64) is
 * that of INDPTR and INDICES in mc_csr_fill; DATA_TYPE any number type
 * (counts beyond an integer type are an error; float32 is exact to 2^24). */
MC_API int mc_csr_indptr(mc_container *c, const mc_selection *s, int threads, int64_t *indptr, mc_err *e);
MC_API int mc_csr_fill(mc_container *c, const mc_selection *s, int threads, mc_dtype index_type, const void *indptr,
                       void *indices, mc_dtype data_type, void *data, mc_err *e);

/* The same in one decoding: mc_csr_bound fills BOUND (rows + 1 values, from
 * 0) with each row's end were it as long as its stored pairs allow, without
 * decoding; the caller allocates bound[rows] values for INDICES and DATA
 * (pages never touched cost no memory), and mc_csr_fill_once decodes each
 * row once into them, packs them, fills INDPTR (rows + 1 of INDEX_TYPE) and
 * sets *NNZ: the matrix is the first *NNZ values, the pages of the rest are
 * given back.  INDEX_TYPE MC_INT32 needs bound[rows] below 2^31. */
MC_API int mc_csr_bound(mc_container *c, const mc_selection *s, int64_t *bound, mc_err *e);
MC_API int mc_csr_fill_once(mc_container *c, const mc_selection *s, int threads, const int64_t *bound,
                            mc_dtype index_type, void *indptr, void *indices, mc_dtype data_type, void *data,
                            int64_t *nnz, mc_err *e);

#ifdef __cplusplus
}
#endif

#endif
