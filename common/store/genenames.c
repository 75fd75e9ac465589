/* genenames: a container's gene names through its gene set. */
#include "genenames.h"
#include "alloc.h"

#include <stdlib.h>
#include <string.h>

int genenames_open(container *c, const char *dir, gene_names *g, mc_err *e)
{
    char full_uuid[MC_UUID_STRLEN];
    memset(g, 0, sizeof *g);
    g->count = c->genes_count;
    if (container_full_genes(c, &g->full_index, full_uuid, e) < 0) return -1;
    if (genes_open_for(c->path, dir, full_uuid, &g->set, e) < 0) {
        free(g->full_index);
        g->full_index = NULL;
        return -1;
    }
    size_t full = g->set.names.count;
    if (!g->full_index) {
        if (full == g->count) return 0;
        mc_err_fail(e, "%s: %zu genes but its gene set %s has %zu", c->path, g->count, g->set.path, full);
        genenames_close(g);
        return -1;
    }
    if (!(g->own_of_full = mc_alloc_array(full, sizeof *g->own_of_full))) {
        genenames_close(g);
        return mc_err_oom(e, c->path);
    }
    for (size_t i = 0; i < full; i++) g->own_of_full[i] = -1;
    for (size_t i = 0; i < g->count; i++) {
        if (g->full_index[i] < 0 || (size_t)g->full_index[i] >= full) {
            mc_err_fail(e, "%s: gene %zu is outside its gene set %s", c->path, i, g->set.path);
            genenames_close(g);
            return -1;
        }
        g->own_of_full[g->full_index[i]] = (int32_t)i;
    }
    return 0;
}

const char *genenames_get(const gene_names *g, size_t gene)
{
    return g->set.names.v[g->full_index ? (size_t)g->full_index[gene] : gene];
}

long genenames_own_index(const gene_names *g, const char *name)
{
    long i = genes_index_of(&g->set, name);
    if (i < 0 || !g->own_of_full) return i;
    return g->own_of_full[i];
}

void genenames_close(gene_names *g)
{
    genes_close(&g->set);
    free(g->full_index);
    free(g->own_of_full);
    memset(g, 0, sizeof *g);
}
