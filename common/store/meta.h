/* meta: profiles.yaml and genes.yaml (SPEC 3, 5, 7), read and written through yamltree.h.
 *
 * Files are plain block mappings.  Readers check that every required key is
 * present with the right type (naming file and key otherwise), detect the
 * container kind from the keys, and keep unknown keys so that rewriting a
 * file does not lose what another tool put there. */
#ifndef MC_META_H
#define MC_META_H

#include <stddef.h>
#include "err.h"
#include "uuid.h"
#include "yamltree.h"

typedef enum { KIND_BATCH, KIND_VIEW, KIND_COLLECTION, KIND_GROUPS } container_kind;
const char *meta_kind_name(container_kind k);   /* "batch", "view", ... */

/* One member of a collection. */
typedef struct meta_member {
    char *name;
    char uuid[MC_UUID_STRLEN];
    long profiles_count;
} meta_member;

typedef struct profiles_meta {
    container_kind kind;
    char uuid[MC_UUID_STRLEN];
    char genes_uuid[MC_UUID_STRLEN];
    char *organism;
    char *profiles_kind;
    long genes_count, profiles_count;
    /* VIEW */
    char *base_profiles;
    char base_uuid[MC_UUID_STRLEN];
    /* COLLECTION */
    meta_member *members;
    size_t members_count;
    /* GROUPS */
    char *grouped_profiles;
    char grouped_uuid[MC_UUID_STRLEN];
    /* unknown keys, in file order (a YT_MAP, or NULL) */
    ytree *extra;
} profiles_meta;

int meta_profiles_load(const char *yaml_path, profiles_meta *m, mc_err *e);
int meta_profiles_dump(const char *yaml_path, const profiles_meta *m, mc_err *e);
/* The same into F (closed here; SHOWN names it in errors). */
int meta_profiles_dump_stream(FILE *f, const char *shown, const profiles_meta *m, mc_err *e);
void meta_profiles_free(profiles_meta *m);

typedef struct genes_meta {
    char uuid[MC_UUID_STRLEN];
    char *organism;
    long genes_count;
    ytree *extra;
} genes_meta;

int meta_genes_load(const char *yaml_path, genes_meta *m, mc_err *e);
int meta_genes_dump(const char *yaml_path, const genes_meta *m, mc_err *e);
void meta_genes_free(genes_meta *m);

#endif
