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

const data_kind data_kinds[DATA_KINDS] = {
    {"g", 'g', 0, 1, 0, g_on_genes, g_on_profiles},
    {"p", 'p', 0, 1, 1, p_on_genes, none},
    {"gp", 'g', 'p', 1, 1, none, gp_on_profiles},
    {"gg", 'g', 'g', 0, 0, none, none},
    {"pp", 'p', 'p', 0, 0, pp_on_both, pp_on_both},
};

const data_kind *data_kind_find(const char *name)
{
    for (size_t k = 0; k < DATA_KINDS; k++)
        if (!strcmp(data_kinds[k].name, name)) return &data_kinds[k];
    return NULL;
}
