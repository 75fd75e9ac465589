/* genes: the gene set directory (SPEC 5). */
#include "genes.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "path.h"
#include "strmap.h"
#include "uuid.h"

int genes_open(const char *dir, gene_set *g, mc_err *e)
{
    memset(g, 0, sizeof *g);
    char *yaml = path_join(dir, "genes.yaml"), *names = path_join(dir, "g.name.txt");
    int rc = -1;
    mc_uuid u;
    char computed[MC_UUID_STRLEN];
    if (!yaml || !names) mc_err_oom(e, dir);
    else if (meta_genes_load(yaml, &g->meta, e) < 0 || txt_read(names, &g->names, e) < 0 ||
             uuid_of_file(names, &u, e) < 0)
        ;
    else if ((size_t)g->meta.genes_count != g->names.count)
        mc_err_fail(e, "%s: genes_count %ld but g.name.txt has %zu lines", yaml, g->meta.genes_count, g->names.count);
    else if (uuid_format(&u, computed), strcmp(computed, g->meta.uuid))
        mc_err_fail(e, "%s: uuid %s recorded, %s computed from g.name.txt: the gene set changed", yaml, g->meta.uuid,
                computed);
    else if (!(g->path = strdup(dir))) mc_err_oom(e, dir);
    else rc = 0;
    free(yaml);
    free(names);
    if (rc < 0) genes_close(g);
    return rc;
}

void genes_close(gene_set *g)
{
    free(g->path);
    meta_genes_free(&g->meta);
    strvec_free(&g->names);
    memset(g, 0, sizeof *g);
}

/* The uuid a genes/ directory records, without opening it fully: 0, 1 when
 * DIR has no genes.yaml, -1 when it has one that cannot be read. */
/* 0 and the uuid of the gene set at DIR; 1 when DIR has no genes.yaml; -1
 * when it cannot be read; -2 out of memory. */
static int recorded_uuid(const char *dir, char out[MC_UUID_STRLEN])
{
    char *yaml = path_join(dir, "genes.yaml");
    genes_meta m;
    mc_err ignored;
    int rc = !yaml ? -2 : !path_exists(yaml) ? 1 : meta_genes_load(yaml, &m, &ignored);
    if (rc == 0) {
        memcpy(out, m.uuid, MC_UUID_STRLEN);
        meta_genes_free(&m);
    }
    free(yaml);
    return rc;
}

int genes_find(const char *container_dir, const char *genes_uuid, char **found, char **unreadable, mc_err *e)
{
    char *at = realpath(container_dir, NULL);
    int rc = at ? 0 : mc_err_errno(e, container_dir, "cannot resolve");
    *found = NULL;
    if (unreadable) *unreadable = NULL;
    while (at && !*found && rc == 0) {
        char *candidate = path_join(at, "genes"), uuid[MC_UUID_STRLEN];
        int r = candidate ? recorded_uuid(candidate, uuid) : -2;
        if (r == 0 && (!genes_uuid || !strcmp(uuid, genes_uuid))) *found = candidate;
        else if (r == -1 && unreadable && !*unreadable) *unreadable = candidate;
        else free(candidate);
        if (r == -2) rc = mc_err_oom(e, container_dir);
        char *slash = strrchr(at, '/');
        if (!slash || slash == at) break;
        *slash = 0;
    }
    free(at);
    if (rc < 0) {
        free(*found);
        *found = NULL;
        if (unreadable) {
            free(*unreadable);
            *unreadable = NULL;
        }
    }
    return rc;
}

int genes_open_for(const char *container_dir, const char *dir, const char *genes_uuid, gene_set *g, mc_err *e)
{
    if (dir) {
        if (genes_open(dir, g, e) < 0) return -1;
        if (genes_uuid && strcmp(g->meta.uuid, genes_uuid)) {
            mc_err_fail(e, "%s: gene set %s, but the container uses %s", dir, g->meta.uuid, genes_uuid);
            genes_close(g);
            return -1;
        }
        return 0;
    }
    if (!path_exists(container_dir)) return mc_err_errno(e, container_dir, "cannot resolve");
    char *found;
    if (genes_find(container_dir, genes_uuid, &found, NULL, e) < 0) return -1;
    if (!found)
        return mc_err_fail(e, "%s: no genes/ directory with uuid %s above it; name the gene set directory (see --help)",
                       container_dir, genes_uuid ? genes_uuid : "(any)");
    int rc = genes_open(found, g, e);
    free(found);
    return rc;
}

static void upper(char *s)
{
    for (; *s; s++) *s = (char)toupper((unsigned char)*s);
}

int genes_make_unique(char **names, size_t n, mc_err *e)
{
    /* One map of every name: a name met before maps to its first occurrence (first_of), and a suffixed
     * candidate is checked against every name of the input and every candidate made (a second map of
     * the names for their first occurrences was a fifth of a 33,000-gene import's start). */
    strmap all = {0};
    size_t *first_of = mc_alloc_array(n ? n : 1, sizeof *first_of);
    size_t *suffix = mc_alloc_zeroed(n ? n : 1, sizeof *suffix);   /* per first occurrence: next suffix to try */
    int rc = -1;
    if (!first_of || !suffix || strmap_init(&all, 2 * n) < 0) goto done;
    for (size_t i = 0; i < n; i++) upper(names[i]);
    for (size_t i = 0; i < n; i++) {
        int put = strmap_put(&all, names[i], i, &first_of[i]);
        if (put < 0) goto done;
        if (put) first_of[i] = i;
    }
    for (size_t i = 0; i < n; i++) {
        size_t first = first_of[i];
        if (first == i) continue;   /* the first occurrence keeps its name */
        size_t len = strlen(names[i]) + 24, k = suffix[first] ? suffix[first] : 1;
        char *candidate = malloc(len);
        if (!candidate) goto done;
        for (;; k++) {
            snprintf(candidate, len, "%s-%zu", names[i], k);
            size_t ignored;
            if (!strmap_get(&all, candidate, &ignored)) break;
        }
        suffix[first] = k + 1;
        free(names[i]);
        names[i] = candidate;
        if (strmap_put(&all, candidate, i, NULL) < 0) goto done;
    }
    rc = 0;
done:
    if (rc < 0) mc_err_oom(e, NULL);
    strmap_free(&all);
    free(first_of);
    free(suffix);
    return rc;
}

int genes_canonical_names(const std_table *genes, strvec *names, mc_err *e)
{
    long c = table_column_index(genes, "name");
    if (c < 0) return mc_err_fail(e, "%s: no gene names", genes->path);
    strvec v = STRVEC_INIT;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < genes->count; i++)
        if (strvec_push(&v, table_value(genes, (size_t)c, i)) < 0) rc = mc_err_oom(e, genes->path);
    if (rc == 0) rc = genes_make_unique(v.v, v.count, e);
    if (rc < 0) strvec_free(&v);
    else *names = v;
    return rc;
}

long genes_index_of(const gene_set *g, const char *name)
{
    char key[1024];
    snprintf(key, sizeof key, "%s", name);
    upper(key);
    size_t lo = 0, hi = g->names.count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(g->names.v[mid], key);
        if (!c) return (long)mid;
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return -1;
}
