/* datakind: the kinds of data a container holds (SPEC 7), in one table.
 *
 * A data file is KIND.NAME.EXT: g holds one value per gene, p one per
 * profile, gp a genes x profiles matrix, gg and pp square matrices.  "Data
 * kind" is this; a container's own kind (BATCH, VIEW, COLLECTION, GROUPS) is
 * its container_kind (meta.h). */
#ifndef MC_DATAKIND_H
#define MC_DATAKIND_H

typedef struct data_kind {
    const char *name;           /* "g", "p", "gp", "gg", "pp": the file name's prefix */
    char rows, cols;            /* the axis of each dimension, 'g' or 'p'; cols 0: one-dimensional */
    int from_base;              /* a view shows its base's data of this kind */
    int from_members;           /* a collection shows its members' data of this kind, concatenated */
    /* The seed's GENES_/PROFILES_DEPENDENT_DATA: names whose values depend on
     * every gene / profile being there (NULL-terminated). */
    const char *const *genes_dependent;
    const char *const *profiles_dependent;
} data_kind;

#define DATA_KINDS 5
/* g, p, gp, gg, pp: the order mc-info lists them in. */
extern const data_kind datakind_table[DATA_KINDS];

/* The kind named NAME; NULL when there is none. */
const data_kind *datakind_find(const char *name);

/* What writes KIND.NAME when mc itself does (gp.umis, base_index, the totals
 * cache, the import's and mc-group's arrays, the gene set's): a phrase naming
 * the tool, for "reserved" errors; NULL for a name users may write. */
const char *datakind_reserved(const data_kind *k, const char *name);

/* The data-dependency rule of SPEC 7 (the seed's GENES_/PROFILES_DEPENDENT_DATA). */
int datakind_depends_on_genes(const char *kind, const char *name);
int datakind_depends_on_profiles(const char *kind, const char *name);

#endif
