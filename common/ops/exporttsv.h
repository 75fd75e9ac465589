/* exporttsv: a container's arrays and matrices as TSV (SPEC 8).
 *
 * A header "name<TAB>ARRAY..." then a row per profile or gene: its name, then
 * the arrays' values (numbers in the shortest form that reads back exactly;
 * NaN as nan).  OUT "-" or NULL is stdout; a name ending in ".gz" is gzipped. */
#ifndef MC_EXPORTTSV_H
#define MC_EXPORTTSV_H

#include "export.h"

/* KIND 'p' or 'g'; NAMES the arrays (n == 0: every visible one but base_index). */
int exporttsv_arrays(container *c, char kind, char *const *names, size_t n, const char *out, const export_opts *o,
                     mc_err *e);

/* Matrix KIND.NAME (gg, pp, dense gp) as TSV: a header 'name' and the column
 * names, then a row per gene or profile, its name and its values. */
int exporttsv_matrix(container *c, const data_kind *k, const char *name, const char *out, const export_opts *o,
                     mc_err *e);

#endif
