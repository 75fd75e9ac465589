/* guard: what an output may replace (SPEC 8). */
#include "guard.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloc.h"
#include "container.h"
#include "meta.h"
#include "outdir.h"
#include "path.h"
#include "strvec.h"

/* The resolved directories of a chain, and the input each came from. */
typedef struct chain {
    strvec dirs;
    const char **from;     /* the input each of dirs came from */
    char *top;             /* whether it is that input itself */
    size_t alloc, top_alloc;
    const char *input;
    mc_err *e;
} chain;

static int add_chain(chain *ch, const char *dir, int depth);

static int visit_ref(void *ctx, const char *dir, size_t i, const char *name, int depth)
{
    (void)i;
    (void)name;
    chain *ch = ctx;
    return add_chain(ch, dir, depth);
}

/* Add DIR and, when it is a container, everything its chain refers to; a
 * directory seen before ends the walk there, so a cycle ends too. */
static int add_chain(chain *ch, const char *dir, int depth)
{
    mc_err ignored;
    char *real = path_resolve(dir, &ignored), *yaml = NULL;
    profiles_meta m = {0};
    int rc = 0;
    if (!real) return 0;   /* what cannot be resolved cannot be replaced either */
    if (strvec_find(&ch->dirs, real) >= 0) goto done;
    if (MC_GROW(ch->from, ch->dirs.count + 1, ch->alloc) < 0 ||
        MC_GROW(ch->top, ch->dirs.count + 1, ch->top_alloc) < 0 || strvec_push(&ch->dirs, real) < 0 ||
        !(yaml = path_join(dir, "profiles.yaml"))) {
        rc = mc_err_oom(ch->e, dir);
        goto done;
    }
    ch->from[ch->dirs.count - 1] = ch->input;
    ch->top[ch->dirs.count - 1] = depth == 0;
    if (depth <= CONTAINER_MAX_DEPTH && path_exists(yaml)) {
        rc = meta_profiles_load(yaml, &m, ch->e);
        if (rc == 0) rc = container_walk(dir, &m, depth, visit_ref, ch, ch->e);
    }
done:
    meta_profiles_free(&m);
    free(yaml);
    free(real);
    return rc;
}

#define EMPTY "an empty directory"

static int is_empty_dir(const char *path)
{
    DIR *d = opendir(path);
    struct dirent *de;
    int empty = d != NULL;
    while (empty && (de = readdir(d)))
        if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) empty = 0;
    if (d) closedir(d);
    return empty;
}

/* Does DIR hold FILE? */
static int holds(const char *dir, const char *file)
{
    char *p = path_join(dir, file);
    int yes = p && path_exists(p);
    free(p);
    return yes;
}

static const char *container_guard_kind(container_kind k)
{
    switch (k) {
    case KIND_BATCH: return GUARD_BATCH;
    case KIND_VIEW: return GUARD_VIEW;
    case KIND_COLLECTION: return GUARD_COLLECTION;
    case KIND_GROUPS: return GUARD_GROUPS;
    }
    return "a directory";
}

const char *guard_kind(const char *path)
{
    struct stat st;
    if (lstat(path, &st) < 0) return NULL;
    if (stat(path, &st) < 0) return "a special file";   /* a dangling symlink */
    if (S_ISREG(st.st_mode)) return GUARD_FILE;
    if (!S_ISDIR(st.st_mode)) return "a special file";
    if (holds(path, "profiles.yaml")) {
        char *yaml = path_join(path, "profiles.yaml");
        profiles_meta m = {0};
        mc_err e;
        const char *kind = !yaml || meta_profiles_load(yaml, &m, &e) < 0 ? "a directory" : container_guard_kind(m.kind);
        meta_profiles_free(&m);
        free(yaml);
        return kind;
    }
    if (holds(path, "genes.yaml")) return GUARD_GENES;
    if (holds(path, "lanes.txt")) return GUARD_LANES;
    if (holds(path, "format.yaml")) return GUARD_STD;
    return is_empty_dir(path) ? EMPTY : "a directory";
}

/* D (resolved) as the user would write it: relative to the working directory when below it. */
static const char *shown(const char *d, const char *cwd)
{
    size_t n = cwd ? strlen(cwd) : 0;
    return n > 1 && !strncmp(d, cwd, n) && d[n] == '/' ? d + n + 1 : d;
}

/* OUT, resolved, must not be (nor contain, unless INSIDE: the tool writes only
 * inside OUT) any directory of the inputs' chains.  A path that cannot be
 * resolved is left to the reading or writing that follows to report. */
static int check_chains(const char *out, int inside, const char *const *inputs, size_t n, mc_err *e)
{
    mc_err ignored;
    chain ch = {.e = e};
    char *o = path_resolve(out, &ignored), *cwd = getcwd(NULL, 0);
    int rc = 0;
    for (size_t i = 0; o && rc == 0 && i < n; i++) {
        ch.input = inputs[i];
        rc = add_chain(&ch, inputs[i], 0);
    }
    size_t len = o ? strlen(o) : 0;
    for (size_t k = 0; o && rc == 0 && k < ch.dirs.count; k++) {
        const char *d = ch.dirs.v[k], *in = ch.from[k];
        if (strncmp(d, o, len) || (d[len] && (inside || (d[len] != '/' && strcmp(o, "/"))))) continue;
        if (!d[len])
            rc = mc_err_fail(e, "%s: is %s %s; write elsewhere", out, ch.top[k] ? "the input" : "in the chain of", in);
        else if (ch.top[k]) rc = mc_err_fail(e, "%s: contains the input %s; write elsewhere", out, in);
        else rc = mc_err_fail(e, "%s: contains %s, in the chain of %s; write elsewhere", out, shown(d, cwd), in);
    }
    strvec_free(&ch.dirs);
    free(ch.from);
    free(ch.top);
    free(cwd);
    free(o);
    return rc;
}

int guard_output(const char *out, const char *writes, const char *const *inputs, size_t n, int force, mc_err *e)
{
    if (check_chains(out, 0, inputs, n, e) < 0) return -1;
    if (!strcmp(out, "-") || outdir_file_is_direct(out)) return 0;   /* stdout, a FIFO, /dev/null: nothing replaced */
    const char *is = guard_kind(out);
    if (is && strcmp(is, writes) && strcmp(is, EMPTY))
        return mc_err_fail(e, "%s: is %s, not %s: not replaced, even with --force (remove it yourself)", out, is,
                           writes);
    return outdir_check(out, force, e);
}

int guard_collection(const char *out, const char *const *members, size_t n, mc_err *e)
{
    if (check_chains(out, 1, members, n, e) < 0) return -1;
    const char *is = guard_kind(out);
    if (is && strcmp(is, GUARD_COLLECTION) && strcmp(is, EMPTY) && strcmp(is, "a directory"))
        return mc_err_fail(e, "%s: is %s, not a collection: not replaced, even with --force (remove it yourself)", out,
                           is);
    return 0;
}
