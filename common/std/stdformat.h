/* stdformat: format.yaml, how to read an STD (SPEC 4: a Matrix Market file,
 * rows genes and columns profiles, a genes CSV and a profiles CSV), parsed
 * and checked before any of them is read.
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
 *   stays "CB1"), or lane: hca, the same rule applied when every barcode has
 *   the HCA form (hca.h).  No lane: one lane "all".  No batch: the batch is
 *   the lane.
 * - Fields name, ensembl, barcode, lane, batch are always str.
 *
 * The CSVs are read by csvread.h, the lanes and batches derived by lanerule.h,
 * the whole directory by stdread.h. */
#ifndef MC_STDFORMAT_H
#define MC_STDFORMAT_H

#include <stddef.h>
#include "err.h"
#include "lanerule.h"
#include "strvec.h"
#include "table.h"

/* How to read one CSV (genes or profiles): its file, separator and header,
 * the columns kept (each with its field name and type) and the filters. */
typedef struct csv_spec {
    const char *section;       /* "genes" or "profiles" */
    char *path;
    unsigned char separator;
    int header;
    strvec field_names;        /* header: false */
    strvec column, field;      /* kept columns and their field names, in step */
    field_type *type;          /* column.count: the kept columns' types */
    strvec filter_column, filter_value;   /* in step */
} csv_spec;

typedef struct std_format {
    csv_spec genes, profiles;
    lane_rule lane, batch;
} std_format;

/* Parse the format file PATH of the STD directory DIR into F (zeroed by the
 * caller) and the matrix's path into *matrix (malloc'd); an error names PATH
 * and the section.  F holds what stdformat_free frees, whatever happens. */
int stdformat_parse(const char *path, const char *dir, std_format *f, char **matrix, mc_err *e);
/* Free F and what it holds; safe on NULL. */
void stdformat_free(std_format *f);

#endif
