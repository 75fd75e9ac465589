/* mtx: Matrix Market coordinate files, read and written fast.
 *
 * The reader is the hot loop of every import: it scans a buffer filled by
 * zlib (gzread reads plain files as they are, so ".gz" is transparent) and
 * parses digits by hand, on a thread of its own once mtx_next is first called
 * (batches of entries parsed ahead, handed over in order, so entries, line
 * numbers and errors are those of a single thread), and a gzip file is
 * inflated on another thread ahead of the parser: the caller's work, the
 * parsing and the inflating overlap.  About 2 MB of buffers.  Accepted:
 *
 *   %%MatrixMarket matrix coordinate integer|real general
 *   % comments (and blank lines)
 *   ROWS COLS ENTRIES
 *   ROW COL VALUE          ENTRIES times, 1-based, fields separated by blanks
 *
 * Values must be non-negative integers; a `real` value (or an `integer` one
 * written like a real) must be integral: "3", "3.0", "3e0", "0.3e1".
 * pattern, complex, array and symmetric files are refused by name.  Every
 * error is "FILE:LINE: what".
 *
 * The writer produces "%%MatrixMarket matrix coordinate integer general",
 * the size line, then "ROW COL VALUE" 1-based, hand-formatted into a large
 * buffer.  When the entry count is not known at open, the body goes to a
 * temporary file beside the output and the header is prepended at close. */
#ifndef MC_MTX_H
#define MC_MTX_H

#include <stddef.h>
#include <stdint.h>
#include "err.h"

typedef struct mtx_reader mtx_reader;

/* Open PATH (plain or gzip) and read the banner and size line. */
mtx_reader *mtx_open(const char *path, mc_err *e);
/* The size line. */
uint32_t mtx_rows(const mtx_reader *r);
uint32_t mtx_cols(const mtx_reader *r);
uint64_t mtx_entries(const mtx_reader *r);
/* The banner said `real` (values still had to be integral). */
int mtx_is_real(const mtx_reader *r);
/* Next entry, 0-based.  Returns 1, or 0 at the end (after checking that the
 * file held exactly the announced number of entries), or -1 with e set. */
int mtx_next(mtx_reader *r, uint32_t *row, uint32_t *col, uint64_t *value, mc_err *e);
/* Line number of the entry last returned (for callers' own messages). */
uint64_t mtx_line(const mtx_reader *r);
const char *mtx_path(const mtx_reader *r);
void mtx_close(mtx_reader *r);

typedef struct mtx_writer mtx_writer;

/* The decimal text of 0..LARGEST (of the first 2^20 numbers at most), made
 * once and shared by writers (mc-delane's lanes): the writer copies a row's or
 * a small value's text instead of formatting it. */
typedef struct mtx_numbers mtx_numbers;
mtx_numbers *mtx_numbers_new(uint32_t largest, mc_err *e);
void mtx_numbers_free(mtx_numbers *n);

/* Create PATH for a ROWS x COLS matrix of ENTRIES entries, or -1 if the count
 * is not known yet (then the body is kept in "PATH.body" until close). */
mtx_writer *mtx_writer_open(const char *path, uint32_t rows, uint32_t cols, int64_t entries, mc_err *e);
/* The same with a chosen buffer size, keep_open = 0 to close the file
 * between buffer flushes (reopened in append mode), for callers that hold
 * more writers than the process may have open files (mc-delane), and NUMBERS
 * shared by the caller (it outlives the writer; NULL: the writer's own). */
mtx_writer *mtx_writer_open_ex(const char *path, uint32_t rows, uint32_t cols, int64_t entries,
                               size_t buffer_bytes, int keep_open, const mtx_numbers *numbers, mc_err *e);
/* Append one entry, 0-based indices (checked against the size). */
/* The canonical text, for writers of their own (e.g. to a stream): the banner and
 * size line (out: at least 128 bytes; returns its length), and one "A B C\n" line
 * of decimal integers (out: at least 64 bytes; returns the end). */
size_t mtx_format_header(char *out, uint64_t rows, uint64_t cols, uint64_t entries);
char *mtx_format_entry(char *out, uint64_t a, uint64_t b, uint64_t c);

int mtx_writer_add(mtx_writer *w, uint32_t row, uint32_t col, uint64_t value, mc_err *e);
uint64_t mtx_writer_count(const mtx_writer *w);
/* Finish the file (checking a count given at open); frees w. */
int mtx_writer_close(mtx_writer *w, mc_err *e);
/* Remove the partial output and any body file; frees w (NULL is fine). */
void mtx_writer_abort(mtx_writer *w);

#endif
