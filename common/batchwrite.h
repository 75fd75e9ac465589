/* batchwrite: a BATCH container (SPEC 3) written from an STD directory (SPEC 4).
 *
 * - gp.umis.mmm: the STD's matrix with its gene rows in the gene set's order.
 *   Each STD gene is matched by its canonical name (std_gene_names, as
 *   mc-make-genes made the set); a gene the set lacks is an error naming its
 *   CSV line.  A value above 2^24 is not a count: an error naming its matrix
 *   line.
 * - p.FIELD.txt (str) or p.FIELD.npy (int, float) for every profile field
 *   (std_write_column).
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

#include "cli.h"
#include "err.h"

typedef struct batch_options {
    const char *genes;       /* the gene set; NULL: the nearest genes/ walking up from BATCH's parent */
    const char *kind;        /* profiles_kind ("cells") */
    const char *organism;    /* NULL, or the organism the gene set must be of */
    const char *format;      /* how to read STD; NULL: STD/format.yaml */
    int force;               /* replace an existing BATCH */
} batch_options;

/* Write BATCH from the STD directory STD, reporting progress through C. */
int batch_write(const cli *c, const char *std, const char *batch, const batch_options *o, mc_err *e);

#endif
