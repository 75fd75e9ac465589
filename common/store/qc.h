/* qc: per-profile quality metrics as scanpy's sc.pp.calculate_qc_metrics
 * names them (mc-qc), and the selection of profiles by them (mc-make-view).
 *
 * Per profile, in the container's own genes (a view counts only its genes):
 *   n_genes_by_counts      genes with a non-zero count
 *   total_counts           the sum of its counts
 *   total_counts_NAME      the sum over the genes of list NAME
 *   pct_counts_NAME        total_counts_NAME / total_counts * 100, in float64
 *                          and in that order, as scanpy computes it (NaN when
 *                          total_counts is 0)
 *   log1p_*                log1p of n_genes_by_counts, total_counts and
 *                          total_counts_NAME (C's log1p, numpy's too)
 * Counts are exact integers.  A gene list is the union of the genes named in
 * files (--list NAME=FILE, read as a --keep-genes file) and of the genes whose
 * gene set name matches a shell pattern (--pattern NAME=GLOB, fnmatch,
 * case-insensitive: 'MT-*' is scanpy's var_names.str.startswith("MT-")).
 * One pass over the profiles, on threads, each writing only its profiles'
 * rows: the result does not depend on the thread count. */
#ifndef MC_QC_H
#define MC_QC_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "container.h"
#include "progress.h"
#include "strvec.h"

#define QC_MAX_LISTS 64   /* a gene's lists are one 64-bit mask */

/* What the options ask for: NAME=FILE and NAME=GLOB values, in any order. */
typedef struct qc_request {
    strvec lists, patterns;
    const char *gene_set;       /* the gene set naming the genes, or NULL: found */
} qc_request;

/* Profiles kept by their metrics (mc-make-view): -1 where not given. */
typedef struct qc_filter {
    long long min_genes, max_genes;
    strvec max_pct;             /* NAME=PERCENT: pct_counts_NAME <= PERCENT */
} qc_filter;

/* Check the form of R's values and F's (names of letters, digits and '_',
 * a list F names defined by R, percentages numbers): 0, or -1 with a message
 * naming the option (a usage error for the tool). */
int qc_request_check(const qc_request *r, const qc_filter *f, mc_err *e);
/* Does a --list of R read stdin ("-")? */
int qc_request_stdin(const qc_request *r);
/* Does F select anything (else a view is written without computing metrics)? */
int qc_filter_active(const qc_filter *f);
void qc_request_free(qc_request *r);
void qc_filter_free(qc_filter *f);

/* The gene lists of R resolved in C's genes, their names in byte order. */
typedef struct qc_lists {
    strvec names;
    size_t *sizes;              /* genes in each list */
    uint64_t *member;           /* per gene of C: bit k when in list k */
} qc_lists;

int qc_lists_open(container *c, const qc_request *r, qc_lists *l, mc_err *e);
void qc_lists_free(qc_lists *l);

typedef struct qc_metrics {
    size_t profiles_count, lists_count;
    uint64_t *total;            /* per profile */
    uint64_t *genes;            /* per profile: genes detected */
    uint64_t *in_list;          /* profile p, list k at p * lists_count + k */
} qc_metrics;

/* Every profile's metrics on THREADS threads (0: every core); PR may be NULL. */
int qc_compute(container *c, const qc_lists *l, progress *pr, int threads, qc_metrics *m, mc_err *e);
void qc_metrics_free(qc_metrics *m);
/* The non-zeros of C (the seed's entries_count), its own genes only: every
 * profile decoded once, on THREADS threads (MMM stores no count). */
int qc_entries_count(container *c, int threads, uint64_t *count, mc_err *e);
/* pct_counts of list K for profile P, as scanpy computes it. */
double qc_pct(const qc_metrics *m, size_t p, size_t k);

/* The table: a header "name" and the columns in scanpy's order, then a line
 * per profile named NAMES[p].  LOG1P: with the log1p_ columns.  Numbers as
 * mc-export --tsv writes them (shortest text read back exactly).  0, or -1
 * when OUT cannot be written (named SHOWN). */
int qc_write_tsv(FILE *out, const char *shown, const strvec *names, const qc_lists *l, const qc_metrics *m,
                 int log1p, mc_err *e);

/* The table's columns as p arrays of C (p.n_genes_by_counts.npy ...: counts
 * <i8, log1p_ and pct_counts_ <f8), through mc-write-data's code: written
 * into C itself, never a base, all or none; replacing needs FORCE. */
int qc_store(container *c, const qc_lists *l, const qc_metrics *m, int log1p, int force, mc_err *e);

/* Keep of *P_INDEX (NULL: every profile of BASE) those passing F, by their
 * metrics in BASE; *P_INDEX is replaced (a new sorted array, possibly empty). */
int qc_keep(container *base, const qc_request *r, const qc_filter *f, int32_t **p_index, size_t *pn, mc_err *e);

#endif
