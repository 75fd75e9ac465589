/* formats: shipped format files and layout detection. */
#include "formats.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "path.h"

/* The mc tree holding the running tool: PREFIX/share/mc installed, the
 * repository when built in place; NULL when neither has formats/. */
static char *mc_tree(void)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) return NULL;
    exe[n] = 0;
    char *slash = strrchr(exe, '/');
    if (!slash) return NULL;
    *slash = 0;                                     /* .../bin */
    static const char *const ups[] = {"../share/mc", "..", "../.."};   /* installed, bin/, tests/helpers/ */
    for (size_t i = 0; i < sizeof ups / sizeof *ups; i++) {
        char *tree = path_join(exe, ups[i]), *f = tree ? path_join(tree, "formats") : NULL;
        int ok = f && path_exists(f);
        free(f);
        if (ok) return tree;
        free(tree);
    }
    return NULL;
}

char *formats_find(const char *name, mc_err *e)
{
    if (path_exists(name) || name[0] == '/') {
        char *p = strdup(name);
        if (!p) mc_err_oom(e, name);
        return p;
    }
    char *tree = mc_tree();
    const char *const under[] = {"formats", "."};
    for (size_t i = 0; tree && i < 2; i++) {
        char *dir = path_join(tree, under[i]), *p = dir ? path_join(dir, name) : NULL;
        free(dir);
        if (p && path_exists(p)) {
            free(tree);
            return p;
        }
        free(p);
    }
    free(tree);
    mc_err_fail(e, "%s: no such format file (nor among the shipped formats)", name);
    return NULL;
}

char *formats_gz_either(const char *path)
{
    size_t n = strlen(path);
    char *other = NULL;
    if (path_exists(path)) return strdup(path);
    if (n > 3 && !strcmp(path + n - 3, ".gz")) other = strndup(path, n - 3);
    else if ((other = malloc(n + 4))) memcpy(other, path, n), memcpy(other + n, ".gz", 4);
    if (other && path_exists(other)) return other;
    free(other);
    return strdup(path);
}

/* Whether DIR holds FILE, plain or .gz. */
static int holds(const char *dir, const char *file)
{
    char *p = path_join(dir, file), *q = p ? formats_gz_either(p) : NULL;
    int yes = q && path_exists(q);
    free(p);
    free(q);
    return yes;
}

char *formats_detect(const char *dir, mc_err *e)
{
    static const char *const layout[][2] = {
        {"features.tsv", "10x-v3.yaml"}, {"genes.tsv", "10x-v2.yaml"}, {"gene_count.txt", "moca.yaml"}};
    char *own = path_join(dir, "format.yaml");
    if (!own || path_exists(own)) {
        if (!own) mc_err_oom(e, dir);
        return own;
    }
    free(own);
    for (size_t i = 0; i < sizeof layout / sizeof *layout; i++)
        if (holds(dir, layout[i][0])) return formats_find(layout[i][1], e);
    mc_err_fail(e, "%s: no format.yaml, and not a 10x (features.tsv, genes.tsv) or MOCA (gene_count.txt) directory; "
               "give --format", dir);
    return NULL;
}
