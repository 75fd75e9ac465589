/* genes: the gene set directory (SPEC 5): genes.yaml, g.name.txt, g.ensembl.txt. */
#ifndef MC_GENES_H
#define MC_GENES_H

#include <stddef.h>
#include "err.h"
#include "meta.h"
#include "table.h"
#include "txt.h"

typedef struct gene_set {
    char *path;
    genes_meta meta;
    strvec names;        /* upper-case, sorted, unique */
} gene_set;

int genes_open(const char *dir, gene_set *g, mc_err *e);
void genes_close(gene_set *g);

/* Open the gene set for a container: DIR if given (its uuid must be
 * genes_uuid), else the first genes/ directory walking up from container_dir
 * whose uuid is genes_uuid (any, when NULL). */
int genes_open_for(const char *container_dir, const char *dir, const char *genes_uuid, gene_set *g, mc_err *e);

/* In *FOUND the directory of that gene set (malloc'd), or NULL when there is
 * none; in *UNREADABLE (when not NULL) the first genes/ on the way whose
 * genes.yaml cannot be read, or NULL.  -1 (both NULL) when the walk itself
 * fails (out of memory, container_dir unresolvable): "none" is never a guess. */
int genes_find(const char *container_dir, const char *genes_uuid, char **found, char **unreadable, mc_err *e);

/* Make names canonical as SPEC 5: upper-case, then duplicates get -1, -2, ...
 * in input order, never colliding with an existing name.  names[i] are
 * replaced (realloc'd strings).  Sorting is the caller's business. */
int genes_make_unique(char **names, size_t n, mc_err *e);

/* The canonical names of a genes table's rows (SPEC 5), in row order:
 * upper-cased and made unique by genes_make_unique, as mc-make-genes writes
 * them and mc-write-matrix matches them, into the empty *names (left empty
 * on failure; strvec_free releases it either way). */
int genes_canonical_names(const std_table *genes, strvec *names, mc_err *e);

/* Index of NAME (case-insensitive) in the whole sorted set, or -1 (genenames_own_index
 * gives a container's own index, genenames.h). */
long genes_index_of(const gene_set *g, const char *name);

#endif
