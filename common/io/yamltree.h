/* yamltree: any YAML file read into a tree of scalars, sequences and mappings,
 * and a YAML document written back, both through libyaml.
 *
 * The tree keeps what a reader needs to type a scalar as YAML 1.1 would
 * (whether it was plain) and the line of each mapping key, for messages.
 * Reading is bounded (doc/SPEC.md 9): a file of at most 4 MiB, a tree of at
 * most a million nodes and 16 MiB of scalar text with aliases expanded, 64
 * levels deep.  The emitter writes one document whose top is a block mapping,
 * in UTF-8 with no line width limit; its calls after a failure do nothing, and
 * yamltree_emit_close says whether everything was written.
 *
 * Metadata schemas (profiles.yaml, genes.yaml) are meta.h's; format.yaml's
 * is stdformat.h's. */
#ifndef MC_YAMLTREE_H
#define MC_YAMLTREE_H

#include <stddef.h>
#include <stdio.h>
#include <yaml.h>
#include "err.h"

/* A YAML value kept as-is: a scalar, a sequence or a mapping. */
typedef struct ytree ytree;
struct ytree {
    enum { YT_SCALAR, YT_SEQ, YT_MAP } type;
    char *scalar;               /* YT_SCALAR */
    int plain;                  /* scalar was unquoted (so "12" is an int, '"12"' a string) */
    size_t n;                   /* YT_SEQ / YT_MAP: number of items */
    char **keys;                /* YT_MAP: n keys */
    size_t *lines;              /* YT_MAP: the line of each key (1-based) */
    ytree **items;              /* n values */
};

/* Parse the YAML file PATH into *root (one line of error naming PATH and the line). */
int yamltree_load(const char *path, ytree **root, mc_err *e);
void yamltree_free(ytree *v);
/* Look up KEY in a mapping; NULL if absent or v is not a mapping. */
const ytree *yamltree_get(const ytree *v, const char *key);
/* The line of KEY in mapping V, or 0 if absent. */
size_t yamltree_key_line(const ytree *v, const char *key);
/* An empty value of TYPE, and ITEM appended to a sequence or, under KEY at
 * LINE, to a mapping (V takes KEY and ITEM); NULL / -1 when out of memory. */
ytree *yamltree_new(int type);
int yamltree_add(ytree *v, char *key, size_t line, ytree *item);

/* Typing a scalar as YAML 1.1 would: a string is anything but a plain scalar
 * that reads as null, a boolean or a number; an integer is plain, untagged
 * and decimal as mc writes it, -?(0|[1-9][0-9]*) (no leading zeros: 1.1
 * reads 050 as octal, 1.2 as 50). */
int yamltree_is_string(const ytree *v);
int yamltree_is_integer(const ytree *v, long *out);

/* Writing one YAML document to a file. */
typedef struct yemit {
    yaml_emitter_t em;
    FILE *f;
    int ok;
} yemit;

/* Create PATH and open the document's top-level block mapping. */
int yamltree_emit_open(yemit *y, const char *path, mc_err *e);
/* The same into F, which yamltree_emit_close (or a failed open) closes; SHOWN names it in errors. */
int yamltree_emit_open_stream(yemit *y, FILE *f, const char *shown, mc_err *e);
/* Close the top-level mapping and the document, flush and close PATH; Y is
 * left zeroed.  On a zeroed Y (its opening failed, or closed already) it does
 * nothing and returns 0 (err.h's lifecycle rule). */
int yamltree_emit_close(yemit *y, const char *path, mc_err *e);
void yamltree_emit_scalar(yemit *y, const char *s, yaml_scalar_style_t style);
/* A string, quoted only where plain would read back as something else. */
void yamltree_emit_str(yemit *y, const char *s);
void yamltree_emit_long(yemit *y, long v);
void yamltree_emit_map_start(yemit *y, yaml_mapping_style_t style);
void yamltree_emit_map_end(yemit *y);
void yamltree_emit_seq_start(yemit *y);   /* block style */
void yamltree_emit_seq_end(yemit *y);
/* A tree as it was read (scalars quoted as they were). */
void yamltree_emit_tree(yemit *y, const ytree *v);

#endif
