/* h5ds: the dataset helpers every HDF5 reader uses (the 10x reader h5tenx.c,
 * the .h5ad / Loom reader h5x.c, h5ad.c, loom.c): looking a link up, reading
 * a one-dimensional dataset whole or a slab of it, reading a string dataset,
 * and the one-line errors naming the file and the dataset.
 *
 * SHOWN is how a dataset is named in messages: its path in the file
 * ("/matrix/indptr", "/obs/_index").  Every dataset is opened through
 * h5guard.h (h5ds_open_1d does), so the helpers here only read. */
#ifndef MC_H5DS_H
#define MC_H5DS_H

#include <stddef.h>
#include <stdint.h>

#include <hdf5.h>

#include "err.h"
#include "strvec.h"

/* Whether LOC has a link NAME (any depth: every intermediate link is looked up first). */
int h5ds_exists(hid_t loc, const char *name);
/* A string attribute of LOC (scalar), malloc'd; NULL when absent or not a string. */
char *h5ds_attr_str(hid_t loc, const char *name);
/* Length of a one-dimensional dataset, or -1 when it is not one. */
int64_t h5ds_length(hid_t d);

/* A transfer list (close it) for N values converted between file type FT and memory type
 * MT, its conversion buffers sized to them: HDF5 callocs the whole default (1 MiB, twice
 * for strings) for every transfer that converts, however few the values, 256 fresh pages
 * each time; a small file's import was a sixth page faults. */
hid_t h5ds_xfer(hid_t ft, hid_t mt, size_t n);

/* Values [AT, AT + N) of the one-dimensional dataset D as MEM into BUF: 0 or -1. */
int h5ds_read(hid_t d, uint64_t at, size_t n, hid_t mem, void *buf);
/* All N values of D as MEM into BUF (nothing read when N is 0): 0 or -1. */
int h5ds_read_all(hid_t d, hid_t mem, size_t n, void *buf);

/* Open the one-dimensional dataset LOC/NAME checked with FLAGS (h5guard.h), its
 * length in *LEN: the dataset, or -1 with e set ("missing", "not one-dimensional"). */
hid_t h5ds_open_1d(hid_t loc, const char *name, const char *file, const char *shown, unsigned flags, uint64_t *len,
                   mc_err *e);
/* The whole integer dataset LOC/NAME (h5ds_open_1d) as int64: *out malloc'd, *len values. */
int h5ds_read_ints(hid_t loc, const char *name, const char *file, const char *shown, int64_t **out, uint64_t *len,
                   mc_err *e);

/* The N strings of string dataset D (fixed-length, as Cell Ranger's |S, or
 * variable-length; a missing one is "") into S, its strings in one buffer
 * (s->buf).  -1 with e set on failure; S then holds nothing. */
int h5ds_strings(hid_t d, size_t n, strvec *s, const char *file, const char *shown, mc_err *e);
/* -1 with e set when one of the N strings V holds a line break (no STD line nor .txt array can). */
int h5ds_check_lines(char *const *v, size_t n, const char *file, const char *shown, mc_err *e);

/* "FILE: SHOWN: WHAT", then ": " and HDF5's own reason when it gave one (h5err.h); returns -1.
 * Call right after the failing HDF5 call. */
int h5ds_fail(mc_err *e, const char *file, const char *shown, const char *what);
/* "FILE: SHOWN: cannot read", naming a compression filter this HDF5 lacks when
 * dataset D (may be -1) uses one; returns -1. */
int h5ds_fail_read(mc_err *e, const char *file, const char *shown, hid_t d);
/* Why dataset D cannot be read when it is a filter this HDF5 lacks (h5py's lzf): " (compressed with ...)", or "". */
const char *h5ds_missing_filter(hid_t d, char *buf, size_t size);

#endif
