/* table: an in-memory table of text columns, the form every STD table takes
 * (genes, profiles) whether read from a CSV (csvread.h), derived from an
 * HDF5 file (h5import.h) or built row by row.
 *
 * A column keeps its values NUL-terminated and back to back in one text
 * arena, with an offset per row, so a million rows are a few allocations.
 * Values are text whatever the column's field type; int and float say how a
 * writer stores the column (column.h) and were checked by whoever filled it.
 *
 * Memory: the values, an offset per row and column, and (read from a file)
 * a line number per row and a row map when filtering. */
#ifndef MC_TABLE_H
#define MC_TABLE_H

#include <stddef.h>
#include <stdint.h>
#include "err.h"

/* bool values are true or false (written so; read also as True/False, 1/0). */
typedef enum { FIELD_STR, FIELD_INT, FIELD_FLOAT, FIELD_BOOL } field_type;
#define FIELD_TYPES 4
const char *table_type_name(field_type t);       /* "str", "int", "float", "bool" */
/* A bool value S as 0 or 1; -1 when S is not one. */
int table_field_bool(const char *s);

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
static inline const char *table_value(const std_table *t, size_t c, size_t i)
{
    return t->columns[c].text + t->columns[c].offset[i];
}
/* Index of the column named NAME, or -1. */
long table_column_index(const std_table *t, const char *name);

/* Build a table in memory (importers, mc-delane): columns NAMES of TYPES. */
int table_init(std_table *t, const char *path, char *const *names, const field_type *types, size_t n, mc_err *e);
/* Append a row of ncolumns values (int/float values are not re-validated). */
int table_add(std_table *t, const char *const *values, mc_err *e);
void table_free(std_table *t);

/* The pieces readers and derivations fill a table with, a value at a time;
 * each -1 when out of memory (the caller names the file).  A new column has
 * room for the rows allocated and no values: its filler puts one per row. */
int table_add_column(std_table *t, const char *name, field_type type);
/* Room for one more row in every column's offsets (and the line numbers). */
int table_reserve_row(std_table *t);
/* Append S (N bytes) to column c as the value of row ROW. */
int table_put(std_table *t, size_t c, size_t row, const char *s, size_t n);
/* Swap the values of columns a and b, their names staying (so a derived
 * column can replace another in its place). */
void table_swap_values(std_table *t, size_t a, size_t b);
void table_drop_last_column(std_table *t);

#endif
