/* stdfmt: STD, the standard text form (SPEC 4): a Matrix Market file (rows
 * genes, columns profiles), a genes CSV, a profiles CSV and format.yaml that
 * says how to read them.
 *
 * format.yaml (or --format FILE; paths inside are relative to the STD dir):
 *
 *   matrix:   {path: umis.mtx}
 *   genes:    {path: genes.csv, separator: ",", header: true,
 *              field_types: {ensembl: str, name: str},
 *              rename: {COLUMN: FIELD, ...},              # optional
 *              filter: {COLUMN: VALUE, ...}}              # optional
 *   profiles: {path: profiles.csv, separator: ",", header: true,
 *              field_types: {barcode: str, lane: str, batch: str},
 *              lane:  {from: barcode, suffix_after: "-"}, # optional
 *              batch: {from: lane, prefix_before: "_"}}   # optional
 *
 * - separator: one character (default ","); header: true (default) or false
 *   with field_names: [..] naming the columns in order (extra columns ignored).
 * - field_types: COLUMN: str|int|float for every column to keep (others are
 *   ignored); a missing listed column is an error, and so is a value that does
 *   not parse as its type ("FILE:LINE: column 'C': ...").  float also accepts
 *   "", NA and nan (missing values).  rename gives a kept column its field
 *   name (MOCA: {sample: barcode}).
 * - filter: keep only the rows whose COLUMN equals VALUE (all of them); the
 *   matrix rows/columns of dropped rows are skipped and the rest renumbered.
 *   10x v3: genes: {filter: {feature_type: Gene Expression}}.
 * - genes need the field name (ensembl optional); profiles need barcode.
 * - lane / batch: a column of that name, or {from: FIELD} with optional
 *   suffix_after: SEP (the text after the last SEP) or prefix_before: SEP (the
 *   text before the first SEP), or the whole value when it has no SEP.  A
 *   lane derived from the barcode is cut off it: "AAAC-2" -> lane "2",
 *   barcode "AAAC"; "MantonBM1_HiSeq_1-AAAC-1" (prefix_before "-") -> lane
 *   "MantonBM1_HiSeq_1", barcode "AAAC-1"; there a barcode without SEP is an
 *   error.  HCA: batch {from: lane, prefix_before: "_"} -> "MantonBM1" ("CB1"
 *   stays "CB1").  No lane: one lane "all".  No batch: the batch is the lane.
 * - Fields name, ensembl, barcode, lane, batch are always str.
 *
 * Memory: the kept CSV values (one text arena per column), a line number per
 * kept row and a row map when filtering; never the matrix. */
#ifndef MC_STDFMT_H
#define MC_STDFMT_H

#include <stddef.h>
#include <stdint.h>
#include "err.h"
#include "mtx.h"

typedef enum { FIELD_STR, FIELD_INT, FIELD_FLOAT } field_type;
const char *field_type_name(field_type t);       /* "str", "int", "float" */

/* One kept column: the values of the kept rows, NUL-terminated, back to back. */
typedef struct std_column {
    char *name;
    field_type type;
    char *text;
    size_t len, cap;
    size_t *offset;          /* count + spare entries: where each value starts in text */
} std_column;

#define STD_DROPPED UINT32_MAX

typedef struct std_table {
    char *path;              /* the CSV file, for messages */
    size_t count;            /* kept rows */
    size_t rows_total;       /* data rows in the file, before filtering: the matrix's axis */
    uint32_t *keep;          /* rows_total entries (index among kept rows, or STD_DROPPED); NULL: all kept */
    uint64_t *line;          /* count entries: the file line each kept row ended on (NULL if built) */
    size_t ncolumns;
    std_column *columns;
    size_t cap;              /* rows allocated */
} std_table;

/* Value of column c in kept row i. */
static inline const char *std_value(const std_table *t, size_t c, size_t i)
{
    return t->columns[c].text + t->columns[c].offset[i];
}
/* Index of the column named NAME, or -1. */
long std_column_index(const std_table *t, const char *name);

/* Build a table in memory (importers, mc-delane): columns NAMES of TYPES. */
int std_table_init(std_table *t, const char *path, char *const *names, const field_type *types, size_t n, mc_err *e);
/* Append a row of ncolumns values (int/float values are not re-validated). */
int std_table_add(std_table *t, const char *const *values, mc_err *e);
void std_table_free(std_table *t);

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
int std_open(std_dir *s, const char *dir, const char *format, mc_err *e);
/* Read and validate the genes CSV (columns: name, ensembl if listed, the rest). */
int std_load_genes(std_dir *s, mc_err *e);
/* Read and validate the profiles CSV; adds the lane and batch columns if derived or absent. */
int std_load_profiles(std_dir *s, mc_err *e);
void std_close(std_dir *s);

/* The matrix, read through the filters: gene and profile indices are those of
 * the kept rows.  Needs both tables loaded; checks the size line against the
 * CSV row counts. */
typedef struct std_matrix std_matrix;
std_matrix *std_matrix_open(const std_dir *s, mc_err *e);
/* 1 and an entry, 0 at the end (after the entry count check), -1 on error. */
int std_matrix_next(std_matrix *m, uint32_t *gene, uint32_t *profile, uint64_t *value, mc_err *e);
mtx_reader *std_matrix_reader(std_matrix *m);   /* for line numbers and the size line */
void std_matrix_close(std_matrix *m);

/* Writing a canonical STD into an existing directory DIR: format.yaml,
 * genes.csv (ensembl, name, other gene fields) and profiles.csv (barcode,
 * lane, batch, other profile fields), exactly the SPEC 4 shape.  The matrix is
 * written apart: mtx_writer_open(DIR/umis.mtx, genes->count, profiles->count, ...).
 * ROWS selects and orders the profiles written (NULL: all, n ignored). */
int std_write_format(const char *path, const std_table *genes, const std_table *profiles, mc_err *e);
int std_write_csv(const char *path, const std_table *t, const size_t *rows, size_t n, mc_err *e);
int std_write(const char *dir, const std_table *genes, const std_table *profiles, mc_err *e);
int std_write_rows(const char *dir, const std_table *genes, const std_table *profiles, const size_t *rows, size_t n,
                   mc_err *e);

/* The kept genes' canonical names (SPEC 5), in row order: upper-cased and
 * made unique by genes_make_unique, as mc-make-genes writes them and
 * mc-write-matrix matches them.  *names is malloc'd, each name too. */
int std_gene_names(const std_table *genes, char ***names, mc_err *e);
void std_names_free(char **names, size_t n);

/* Write column C of T as DIR/KIND.FIELD.txt (str) or .npy (int: <i4, or <i8
 * when a value needs it; float: <f8 with missing values NaN), with the N rows
 * ORDER (NULL: every row as they are, N ignored).  A str value with a line break is an error
 * naming the CSV line. */
int std_write_column(const char *dir, const char *kind, const std_table *t, size_t c, const size_t *order, size_t n,
                     mc_err *e);

/* What every tool that reads or writes an STD refuses (doc/import.md), so an
 * STD that one tool accepts no later tool refuses: a count above
 * STD_MAX_COUNT (std_matrix_next), an empty gene name, an empty barcode or a
 * barcode twice in one lane ("FILE:LINE: ..." or "FILE: row N: ..."). */
#define STD_MAX_COUNT (1u << 24)
int std_check_genes(const std_table *t, mc_err *e);
int std_check_profiles(const std_table *t, mc_err *e);

#define STD_MATRIX "umis.mtx"
#define STD_GENES "genes.csv"
#define STD_PROFILES "profiles.csv"
#define STD_FORMAT "format.yaml"

#endif
