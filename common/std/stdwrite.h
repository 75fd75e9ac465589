/* stdwrite: a canonical STD written (SPEC 4), the form every importer gives
 * and every reader accepts with its own format.yaml: format.yaml, genes.csv
 * (ensembl, name, other gene fields) and profiles.csv (barcode, lane, batch,
 * other profile fields), comma-separated with a header, a value quoted only
 * where a reader would otherwise see something else.  The matrix is written
 * apart: mtx_writer_open(DIR/umis.mtx, genes->count, profiles->count, ...). */
#ifndef MC_STDWRITE_H
#define MC_STDWRITE_H

#include <stddef.h>
#include "err.h"
#include "table.h"

#define STD_MATRIX "umis.mtx"
#define STD_GENES "genes.csv"
#define STD_PROFILES "profiles.csv"
#define STD_FORMAT "format.yaml"

/* Into the existing directory DIR.  ROWS selects and orders the profiles
 * written (NULL: all, n ignored). */
int stdwrite(const char *dir, const std_table *genes, const std_table *profiles, mc_err *e);
int stdwrite_rows(const char *dir, const std_table *genes, const std_table *profiles, const size_t *rows, size_t n,
                   mc_err *e);
/* Its pieces: the format file of two tables, and one table as a CSV. */
int stdwrite_format(const char *path, const std_table *genes, const std_table *profiles, mc_err *e);
/* Bytes row ROW of T takes in its CSV, its '\n' included (what csvread bounds). */
size_t stdwrite_csv_row_bytes(const std_table *t, size_t row);
int stdwrite_csv(const char *path, const std_table *t, const size_t *rows, size_t n, mc_err *e);

#endif
