/* genenames: the gene names of a container, which may slice its gene set,
 * through that gene set: the one gene-name loader (exports, mc-sum, QC, data
 * named by gene).  A gene is named by the gene set's name, case-insensitive
 * (SPEC 5), looked up in the set's hash map: O(genes) to open. */
#ifndef MC_GENENAMES_H
#define MC_GENENAMES_H

#include <stddef.h>
#include <stdint.h>
#include "container.h"
#include "genes.h"

/* Gene names of a container (which may slice its gene set) through its gene set. */
typedef struct gene_names {
    gene_set set;
    int32_t *full_index;        /* own gene -> gene set index, NULL when identity */
    int32_t *own_of_full;       /* gene set index -> own gene or -1, NULL when identity */
    size_t count;
} gene_names;

/* The gene set is DIR if given, else found walking up from the container (genes_open_for). */
int genenames_open(container *c, const char *dir, gene_names *g, mc_err *e);
const char *genenames_get(const gene_names *g, size_t gene);
/* Index of the gene called NAME (case-insensitive) among the container's own genes, or -1. */
long genenames_own_index(const gene_names *g, const char *name);
void genenames_close(gene_names *g);

#endif
