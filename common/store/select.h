/* select: a view's profiles and genes named in text, for mc-make-view's
 * selections and --keep-genes lists, from files or stdin.
 *
 * A line names a profile or gene by its 0-based index (an optionally negative
 * integer, so "-1" is an index out of range rather than an unknown name) or
 * by name: a profile as profilelookup finds it (its name, or its bare
 * barcode when only one profile has it), a gene as genenames does (the gene
 * set's name, case-insensitive, SPEC 5).  Names are looked up in hash maps
 * built once: O(profiles) / O(genes). */
#ifndef MC_SELECT_H
#define MC_SELECT_H

#include <stddef.h>
#include <stdint.h>
#include "container.h"

/* Set MARK[i] to 1 (genes_count bytes) for each gene of C that PATH names,
 * read as a --keep-genes file is (TSV or CSV, the first field, a header line
 * skipped): an unknown name or an index out of range is an error naming the line. */
int select_mark_genes(container *c, const char *gene_set, const char *path, uint8_t *mark, mc_err *e);

/* A view's selection: files (or "-") of lines naming profiles / genes of BASE,
 * each NULL when not given.  Of a line only the first TAB-separated field
 * counts (so `mc-sum` output can be fed back), blank lines are skipped.
 * An axis with neither its file nor its exclusion is not sliced. */
typedef struct view_request {
    const char *profiles, *exclude_profiles;
    const char *genes, *exclude_genes;
    const char *gene_set;       /* gene set directory for gene names, or NULL */
    int by_umis;                /* keep only profiles with at least min_umis UMIs in BASE */
    unsigned long long min_umis;   /* (view_make, view.h) */
    const struct qc_request *qc;        /* the gene lists qc_keep names (qc.h), or NULL */
    const struct qc_filter *qc_keep;    /* keep only profiles of these QC metrics in BASE, or NULL */
} view_request;

/* Sorted unique indices of what R selects: *p_index NULL when profiles are not
 * sliced (likewise genes).  Unknown names and indices out of range are errors
 * naming the file and line. */
int select_view(container *base, const view_request *r, int32_t **p_index, size_t *pn, int32_t **g_index,
                size_t *gn, mc_err *e);

#endif
