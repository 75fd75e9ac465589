/* batchwrite: a BATCH container (SPEC 3) written from an STD directory (SPEC 4).
 *
 * - gp.umis.mmm: the STD's matrix with its gene rows in the gene set's order.
 *   Each STD gene is matched by its canonical name (genes_canonical_names, as
 *   mc-make-genes made the set); a gene the set lacks is an error naming its
 *   CSV line.  A value above 2^24 is not a count: an error naming its matrix
 *   line.
 * - p.FIELD.txt (str) or p.FIELD.npy (int, float) for every profile field
 *   (column_write, column.h).
 * - profiles.yaml: kind batch, the gene set's organism and uuid, the counts,
 *   and the uuid of gp.umis.mmm.
 *
 * A matrix sorted by profile (10x, mc-import-hca, mc-delane) is streamed
 * profile after profile: 8 bytes per profile.  When a profile turns up out of
 * order the pass goes on only counting each profile's entries, and a second
 * pass places every entry in its profile's slot (4 bytes of gene and 4 or 8 of
 * value each) before writing them: such a matrix wants delaning first.
 *
 * BATCH is written atomically (outdir.h); an existing one is refused before
 * any reading unless force. */
#ifndef MC_BATCHWRITE_H
#define MC_BATCHWRITE_H

#include <stddef.h>
#include <stdint.h>

#include "progress.h"
#include "err.h"
#include "genes.h"
#include "table.h"
#include "uuid.h"


typedef struct batch_options {
    const char *genes;       /* the gene set; NULL: the nearest genes/ walking up from BATCH's parent */
    const char *kind;        /* profiles_kind ("cells") */
    const char *organism;    /* NULL, or the organism the gene set must be of */
    const char *format;      /* how to read STD; NULL: STD/format.yaml */
    int force;               /* replace an existing BATCH */
} batch_options;

/* Write BATCH from the STD directory STD, reporting progress through C. */
int batch_write(progress *pr, const char *std, const char *batch, const batch_options *o, mc_err *e);

/* The pieces, for writers of batches from other sources (mc-import-cells). */

/* The gene set a BATCH at BATCH uses: GENES_DIR, or else the nearest genes/
 * walking up from BATCH's parent; of ORGANISM when not NULL. */
int batch_gene_set(const char *genes_dir, const char *batch, const char *organism, gene_set *g, mc_err *e);
/* Each row of the genes table T (its canonical name, genes_canonical_names) as its
 * index in G; a gene G lacks is an error naming it.  *map is malloc'd. */
int batch_gene_map(const gene_set *g, const std_table *t, uint32_t **map, mc_err *e);
/* Finish the BATCH in directory DIR whose matrix MMM is written: a p.FIELD
 * array of every column of PROFILES for the N rows ROWS (NULL: all), then
 * profiles.yaml of kind KIND.  MMM_UUID: the matrix's file uuid when already
 * known, else NULL to hash it. */
int batch_finish(const char *dir, const char *mmm, const mc_uuid *mmm_uuid, const gene_set *g, const char *kind,
                 const std_table *profiles, const size_t *rows, size_t n, mc_err *e);

#endif
