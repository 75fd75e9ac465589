/* container: any directory holding profiles (SPEC 7), opened with its whole
 * chain of bases, members and grouped containers.
 *
 *   BATCH       gp.umis.mmm and per-profile data
 *   VIEW        a base container, optionally sliced by p/g.base_index.npy
 *   COLLECTION  members in subdirectories, profiles concatenated in order
 *   GROUPS      gp.umis.mmm of group sums of a grouped container
 *
 * Opening checks every recorded uuid against what it references (a mismatch
 * means the data changed underneath) and every count.  Rows and arrays are
 * resolved through any chain of views and collections. */
#ifndef MC_CONTAINER_H
#define MC_CONTAINER_H

#include <stddef.h>
#include <stdint.h>
#include "err.h"
#include "meta.h"
#include "mmm.h"
#include "npy.h"
#include "txt.h"

typedef struct container container;
struct container {
    char *path;                 /* as given / as reached from the parent */
    char *name;                 /* member name inside a collection, else NULL */
    profiles_meta meta;
    container_kind kind;
    size_t profiles_count, genes_count;

    mmm_file umis;              /* BATCH, GROUPS */

    container *base;            /* VIEW */
    int32_t *p_index;           /* VIEW: profiles_count base indices, or NULL */
    int32_t *g_index;           /* VIEW: genes_count base gene indices, or NULL */
    int32_t *g_reverse;         /* VIEW: base genes -> own gene or -1, or NULL */

    container **members;        /* COLLECTION */
    size_t members_count;
    size_t *first_profile;      /* COLLECTION: members_count + 1 starts */

    container *grouped;         /* GROUPS: the grouped container */

};

/* Open DIR (any kind) and everything it refers to. */
container *container_open(const char *dir, mc_err *e);
/* Safe on NULL and on a container half opened. */
void container_close(container *c);

/* The chain walk, shared by opening and verifying.  A container at DEPTH
 * (0: the one named) refers to others at DEPTH + 1; beyond
 * CONTAINER_MAX_DEPTH (deeper than any sane chain: a view that is its own
 * base) container_depth_check fails with one line naming DIR. */
#define CONTAINER_MAX_DEPTH 64
int container_depth_check(const char *dir, int depth, mc_err *e);
/* VISIT each container that the one in DIR, described by M, refers to, in
 * order: its base (VIEW), its grouped container (GROUPS) or each member I
 * with its NAME (COLLECTION; NAME is NULL otherwise), with its directory and
 * DEPTH + 1.  Stops at the first VISIT returning < 0: -1; 0 once all are visited. */
typedef int (*container_visit)(void *ctx, const char *dir, size_t i, const char *name, int depth);
int container_walk(const char *dir, const profiles_meta *m, int depth, container_visit visit, void *ctx, mc_err *e);

/* Is a data kind ("g", "p", "gp", "gg", "pp") and name visible, and where. */
typedef struct mc_array {
    int is_text;
    strvec text;             /* is_text */
    npy_array num;              /* !is_text: 1-D */
} mc_array;
void container_array_free(mc_array *a);

/* Load a 1-D g or p array by NAME, resolved as SPEC 7: own directory first,
 * then base (sliced through base_index; hidden when it depends on a sliced
 * axis) or members (concatenated; present only if every member has it).  A
 * collection's p.member is each profile's member name (its own file wins).
 * Returns 1 if found, 0 if not visible, -1 on error. */
int container_array(container *c, char kind, const char *name, mc_array *out, mc_err *e);

/* KIND.NAME.txt or .npy in DIR alone (a gene set's g arrays): 1 found (LENGTH
 * values, else an error), 0 absent, -1 error. */
int container_array_in(const char *dir, char kind, const char *name, size_t length, mc_array *out, mc_err *e);
/* Sorted names of the KIND.NAME.{txt,npy,mmm} files in DIR alone. */
int container_list_in(const char *dir, const char *kind, strvec *names, mc_err *e);

/* Sorted, unique names of the visible data of a kind ("g", "p", "gp", "gg",
 * "pp"): e.g. "barcode" for p.barcode.txt.  Free with strvec_free. */
int container_available(container *c, const char *kind, strvec *names, mc_err *e);

/* Profile p's gp.umis as sorted non-zero entries in this container's gene space. */
int container_profile_entries(const container *c, size_t p, mc_entries *es, mc_err *e);
/* Let the pages of every matrix C reads leave this process's resident set
 * (they stay in the page cache): decoders call it every so many bytes, so
 * that decoding a 2 GB collection does not show as 2 GB of RSS. */
void container_forget(const container *c);
/* Count BYTES more decoded from C in *SEEN (a thread's own count) and let
 * the pages go every CONTAINER_FORGET_BYTES (32 MB).  A decoder adds to a
 * profile's bytes a weight for the pages mapped around it, so that a view
 * picking profiles far apart lets them go every so many profiles too. */
#define CONTAINER_FORGET_BYTES ((size_t)32 << 20)
void container_forget_every(const container *c, size_t *seen, size_t bytes);

/* Where profile P's counts are stored: the MMM *M, its profile *Q there, and
 * *GMAP mapping that matrix's genes to C's (-1: not in C), NULL for the
 * identity.  0; 1 when two gene slices are stacked (decode through
 * container_profile_entries then); -1 on error.  Reads C only, so threads may
 * call it at once. */
int container_locate(const container *c, size_t p, const mmm_file **m, uint32_t *q, const int32_t **gmap, mc_err *e);

/* Profiles added into dense rows of genes_count values, the one way totals and
 * group sums decode them.  A cursor is one thread's: it holds its own decoding
 * buffer and the bytes decoded since the pages were last let go
 * (container_forget_every), so threads share only the read-only container.
 * WEIGHT is what a profile weighs besides its bytes: small when profiles come in
 * storage order (they share pages), larger when they jump about. */
typedef struct container_cursor {
    const container *c;
    mc_entries es;
    size_t seen, weight;
    int reads;                  /* container_cursor_reads */
    const mmm_file *file;       /* the matrix whose bytes [from, from + len) */
    uint8_t *buf;               /* buf holds a copy of (none when NULL) */
    size_t from, len;
} container_cursor;

void container_cursor_init(container_cursor *k, const container *c, size_t weight);
/* For a cursor reading profiles in storage order (a full scan): copy their
 * bytes CONTAINER_CURSOR_READ at a time (mmm_copy) and decode the copy,
 * rather than touch the map (on a virtual machine three times the cost).
 * Not for profiles far apart: it would copy the bytes between them. */
#define CONTAINER_CURSOR_READ ((size_t)1 << 20)
void container_cursor_reads(container_cursor *k);
/* Where profile P's counts are (container_locate), its bytes counted toward letting
 * the pages go: 0 in *M, 1 when it decodes only through K->es (container_profile_entries), -1. */
int container_cursor_locate(container_cursor *k, size_t p, const mmm_file **m, uint32_t *q, const int32_t **gmap,
                            mc_err *e);
/* Add profile P into ROW and its total into *TOTAL (when not NULL). */
int container_cursor_add(container_cursor *k, size_t p, uint64_t *row, uint64_t *total, mc_err *e);
void container_cursor_free(container_cursor *k);

/* Profile names (SPEC 7): p.name.txt, barcode, group label or index; a collection adds
 * "MEMBER:" only when its members' names would collide. */
int container_profile_names(container *c, strvec *out, mc_err *e);
/* FN(CTX, I, PREFIX, NAME) for each profile I in order: its name as
 * container_profile_names gives it is PREFIX ":" NAME, or NAME when PREFIX
 * is NULL.  A collection's names come straight from its members' (files),
 * not copied into one vector (mc-sum prints 100k of them).  Stops at the
 * first FN that returns -1 (E set by it). */
typedef int (*container_name_fn)(void *ctx, size_t i, const char *prefix, const char *name, mc_err *e);
int container_profile_names_each(container *c, container_name_fn fn, void *ctx, mc_err *e);

/* Index of each of this container's genes in the full gene set (NULL when
 * identity); *full_uuid is the full gene set's uuid.  Caller frees. */
int container_full_genes(container *c, int32_t **index, char full_uuid[MC_UUID_STRLEN], mc_err *e);


/* Recompute the container's own uuid from its files (SPEC 3). */
int container_compute_uuid(const char *dir, const profiles_meta *m, char out[MC_UUID_STRLEN], mc_err *e);

/* The genes uuid of a view slicing genes (SPEC 3): combine(the base's genes
 * uuid, file_uuid(g.base_index.npy)). */
int container_genes_uuid(const char *base_genes_uuid, const char *g_index_path, char out[MC_UUID_STRLEN], mc_err *e);

#endif
