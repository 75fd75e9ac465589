/* csvread: a genes or profiles CSV read into a table by its csv_spec
 * (stdformat.h), through libcsv.
 *
 * - The file may be gzipped; a UTF-8 BOM before the header is skipped.
 * - Only the kept columns are stored, under their field names, and only the
 *   rows every filter keeps (the table's keep map says where the others went).
 * - A value that does not parse as its field type, a row with the wrong
 *   number of fields, a missing kept or filter column, a row longer than
 *   MC_MAX_LINE or malformed CSV is an error "FILE:LINE: ...".
 *
 * Memory: the kept values (table.h), a line number per kept row and a row
 * map when filtering. */
#ifndef MC_CSVREAD_H
#define MC_CSVREAD_H

#include <stdint.h>
#include "err.h"
#include "stdformat.h"
#include "table.h"

/* Read C's file into T (initialised here; freed on failure).  A file of more
 * than MAX_ROWS data rows (UINT64_MAX: no limit) is refused at the first one
 * too many, naming MATRIX, whose size line announced them. */
int csvread_table(const csv_spec *c, std_table *t, const char *matrix, uint64_t max_rows, mc_err *e);

#endif
