/* select: naming profiles and genes from text, for the tools that take
 * selections (mc-make-view) and assignments (mc-group) from files or stdin.
 *
 * A line names a profile or gene by its 0-based index (an optionally negative
 * integer, so "-1" is an index out of range rather than an unknown name) or
 * by name:
 *   profiles  the name container_profile_names gives ("A:AAAC-1" inside a
 *             collection), or the bare barcode ("AAAC-1") when only one
 *             profile has it;
 *   genes     the gene set's name, case-insensitive (SPEC 5).
 * Names are looked up in hash maps built once: O(profiles) / O(genes). */
#ifndef MC_SELECT_H
#define MC_SELECT_H

#include <stddef.h>
#include <stdint.h>
#include "container.h"
#include "genes.h"
#include "strmap.h"

/* How errors name PATH: "stdin" for "-". */
const char *select_file_shown(const char *path);

/* Call fn for each line of PATH ("-" = stdin), numbered from 1, with the
 * '\n' and a '\r' before it removed; fn may modify the text.  Stops at the
 * first fn that returns -1. */
typedef int (*line_fn)(void *ctx, const char *shown, size_t line, char *text, mc_err *e);
int select_lines_each(const char *path, line_fn fn, void *ctx, mc_err *e);

/* select_lines_each for tables as other tools write them: a CSV (PATH ending ".csv",
 * or a first line with a comma and no TAB) has each line's fields, parsed by
 * libcsv (quoted as pandas quotes them), given to fn joined by TABs; any other
 * file its lines as they are.  A field holding a TAB or a quoted newline is an
 * error naming the line. */
int select_records_each(const char *path, line_fn fn, void *ctx, mc_err *e);

/* 1 if S is an optionally negative decimal integer (fitting in long long), with *v set. */
int select_is_integer(const char *s, long long *v);

/* Profile names of a container, for lookup. */
typedef struct profile_lookup {
    strvec names;            /* container_profile_names */
    mc_array barcodes;          /* p.barcode when visible and different from the names */
    strmap by_name, by_barcode;
    uint8_t *ambiguous;         /* per profile: bit 1 its name, bit 2 its barcode is shared */
} profile_lookup;

int select_profile_open(container *c, profile_lookup *l, mc_err *e);
/* Index of the profile called NAME; -1 if none, -2 if several. */
long select_profile_find(const profile_lookup *l, const char *name);
void select_profile_close(profile_lookup *l);

/* Gene names of a container (which may slice its gene set) through its gene set. */
typedef struct gene_names {
    gene_set set;
    int32_t *full_index;        /* own gene -> gene set index, NULL when identity */
    int32_t *own_of_full;       /* gene set index -> own gene or -1, NULL when identity */
    size_t count;
} gene_names;

/* The gene set is DIR if given, else found walking up from the container (genes_open_for). */
int select_gene_names_open(container *c, const char *dir, gene_names *g, mc_err *e);
const char *select_gene_names_get(const gene_names *g, size_t gene);
/* Index of the gene called NAME (case-insensitive) among the container's own genes, or -1. */
long select_gene_names_own_index(const gene_names *g, const char *name);
void select_gene_names_close(gene_names *g);

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
