/* datakind: the table of the data kinds g, p, gp, gg, pp. */
#include "datakind.h"

#include <stddef.h>
#include <string.h>

static const char *const none[] = {NULL};
static const char *const g_on_profiles[] = {"mean_fraction", "total_umis", NULL};
static const char *const g_on_genes[] = {"mean_fraction", NULL};
static const char *const p_on_genes[] = {"total_umis", NULL};
static const char *const gp_on_profiles[] = {"fold_in_group", NULL};
static const char *const pp_on_both[] = {"balanced_ranks", "correlation", "edge_weights", "pruned_ranks", NULL};

const data_kind datakind_table[DATA_KINDS] = {
    {"g", 'g', 0, 1, 0, g_on_genes, g_on_profiles},
    {"p", 'p', 0, 1, 1, p_on_genes, none},
    {"gp", 'g', 'p', 1, 1, none, gp_on_profiles},
    {"gg", 'g', 'g', 1, 0, none, none},
    {"pp", 'p', 'p', 1, 0, pp_on_both, pp_on_both},
};

const data_kind *datakind_find(const char *name)
{
    for (size_t k = 0; k < DATA_KINDS; k++)
        if (!strcmp(datakind_table[k].name, name)) return &datakind_table[k];
    return NULL;
}

static const struct {
    const char *kind, *name, *writer;
} reserved[] = {
    {"gp", "umis", "the UMI matrix (mc-write-matrix)"},
    {"p", "base_index", "a view's selection (mc-make-view)"},
    {"g", "base_index", "a view's selection (mc-make-view)"},
    {"p", "total_umis", "the totals cache (mc-sum)"},
    {"g", "total_umis", "the totals cache (mc-sum)"},
    {"p", "group", "mc-group's assignment (mc-group --groups)"},
    {"p", "grouped_count", "the group sizes (mc-group)"},
    {"p", "group_label", "the group labels (mc-group)"},
    {"p", "barcode", "the import (mc-write-matrix)"},
    {"p", "name", "the import (mc-write-matrix)"},
    {"p", "lane", "the import (mc-write-matrix)"},
    {"p", "batch", "the import (mc-write-matrix)"},
    {"p", "member", "a collection's member of each profile (mc-collect)"},
    {"g", "feature_type", "the import (--all-features)"},
    {"g", "name", "the gene set (mc-make-genes)"},
    {"g", "original_name", "the gene set (mc-make-genes)"},
    {"g", "ensembl", "the gene set (mc-make-genes)"},
    {"g", "genome", "the gene set (mc-make-genes)"},
};

const char *datakind_reserved(const data_kind *k, const char *name)
{
    for (size_t i = 0; i < sizeof reserved / sizeof *reserved; i++)
        if (!strcmp(reserved[i].kind, k->name) && !strcmp(reserved[i].name, name)) return reserved[i].writer;
    return NULL;
}

static int in_list(const char *name, const char *const *list)
{
    for (; *list; list++)
        if (!strcmp(name, *list)) return 1;
    return 0;
}

int datakind_depends_on_genes(const char *kind, const char *name)
{
    const data_kind *k = datakind_find(kind);
    return k && in_list(name, k->genes_dependent);
}

int datakind_depends_on_profiles(const char *kind, const char *name)
{
    const data_kind *k = datakind_find(kind);
    return k && in_list(name, k->profiles_dependent);
}
