/* stdread: an STD directory read (SPEC 4): its format.yaml (stdformat.h,
 * which documents it), the genes and profiles CSVs (csvread.h) with the
 * profiles' lanes and batches (lanerule.h), and the matrix through the
 * filters, all checked against each other.
 *
 * Memory: the kept CSV values (one text arena per column), a line number per
 * kept row and a row map when filtering; never the matrix. */
#ifndef MC_STDREAD_H
#define MC_STDREAD_H

#include <stdint.h>
#include "err.h"
#include "mtx.h"
#include "table.h"

/* An STD directory and its format. */
typedef struct std_format std_format;
typedef struct std_dir {
    char *dir;
    char *format_path;       /* the format file read */
    char *matrix_path;
    std_table genes, profiles;
    int genes_loaded, profiles_loaded;
    std_format *format;      /* private */
} std_dir;

/* Read DIR's format (FORMAT, or DIR/format.yaml when NULL); loads nothing else yet. */
int stdread_open(std_dir *s, const char *dir, const char *format, mc_err *e);
/* Read and validate the genes CSV (columns: name, ensembl if listed, the rest). */
int stdread_load_genes(std_dir *s, mc_err *e);
/* Read and validate the profiles CSV; adds the lane and batch columns if derived or absent. */
int stdread_load_profiles(std_dir *s, mc_err *e);
void stdread_close(std_dir *s);

/* The matrix, read through the filters: gene and profile indices are those of
 * the kept rows.  Needs both tables loaded; checks the size line against the
 * CSV row counts. */
typedef struct std_matrix std_matrix;
std_matrix *stdread_matrix_open(const std_dir *s, mc_err *e);
/* 1 and an entry, 0 at the end (after the entry count check), -1 on error. */
int stdread_matrix_next(std_matrix *m, uint32_t *gene, uint32_t *profile, uint64_t *value, mc_err *e);
mtx_reader *stdread_matrix_reader(std_matrix *m);   /* for line numbers and the size line */
void stdread_matrix_close(std_matrix *m);

/* What every tool that reads or writes an STD refuses (doc/import.md), so an
 * STD that one tool accepts no later tool refuses: a count above
 * STD_MAX_COUNT (stdread_matrix_next), an empty gene name, an empty barcode or a
 * barcode twice in one lane ("FILE:LINE: ..." or "FILE: row N: ..."). */
#define STD_MAX_COUNT (1u << 24)
int stdread_check_genes(const std_table *t, mc_err *e);
int stdread_check_profiles(const std_table *t, mc_err *e);

#endif
