/* meta: profiles.yaml and genes.yaml, their schemas over yamltree. */
#include "meta.h"

#include <stdlib.h>
#include <string.h>

#include "alloc.h"

const char *meta_kind_name(container_kind k)
{
    static const char *const names[] = {"batch", "view", "collection", "groups"};
    return names[k];
}

/* --- typed keys --------------------------------------------------------------------- */

typedef struct loader {
    const char *path;
    ytree *root;
    mc_err *e;
} loader;

static const ytree *required(loader *l, const char *key)
{
    const ytree *v = yamltree_get(l->root, key);
    if (!v) mc_err_fail(l->e, "%s: missing required key '%s'", l->path, key);
    return v;
}

static int wrong_type(loader *l, const char *key, const char *type)
{
    return mc_err_fail(l->e, "%s:%zu: key '%s' must be %s", l->path, yamltree_key_line(l->root, key), key, type);
}

static int get_str(loader *l, const char *key, char **out)
{
    const ytree *v = required(l, key);
    if (!v) return -1;
    if (!yamltree_is_string(v)) return wrong_type(l, key, "a string");
    if (!(*out = strdup(v->scalar))) return mc_err_oom(l->e, l->path);
    return 0;
}

static int get_int(loader *l, const char *key, long *out)
{
    const ytree *v = required(l, key);
    if (!v) return -1;
    if (!yamltree_is_integer(v, out) || *out < 0) return wrong_type(l, key, "a non-negative integer");
    return 0;
}

static int check_uuid(loader *l, const char *key, const char *s, char out[MC_UUID_STRLEN])
{
    mc_uuid u;
    if (uuid_parse(s, &u) < 0) return wrong_type(l, key, "a uuid (8-4-4-4-12 hex digits)");
    uuid_format(&u, out);
    return 0;
}

static int get_uuid(loader *l, const char *key, char out[MC_UUID_STRLEN])
{
    char *s;
    if (get_str(l, key, &s) < 0) return -1;
    int rc = check_uuid(l, key, s, out);
    free(s);
    return rc;
}

/* Move the root's keys not in KNOWN into a new mapping, in file order. */
static int keep_unknown(loader *l, const char *const *known, ytree **extra)
{
    *extra = NULL;
    for (size_t i = 0; i < l->root->n; i++) {
        int is_known = 0;
        for (const char *const *k = known; *k && !is_known; k++) is_known = !strcmp(*k, l->root->keys[i]);
        if (is_known) continue;
        if (!*extra && !(*extra = yamltree_new(YT_MAP))) return mc_err_oom(l->e, l->path);
        if (yamltree_add(*extra, l->root->keys[i], l->root->lines[i], l->root->items[i]) < 0)
            return mc_err_oom(l->e, l->path);
        l->root->keys[i] = NULL;
        l->root->items[i] = NULL;
    }
    return 0;
}

static int loader_open(loader *l, const char *path, mc_err *e)
{
    memset(l, 0, sizeof *l);
    l->path = path;
    l->e = e;
    if (yamltree_load(path, &l->root, e) < 0) return -1;
    if (l->root->type != YT_MAP) return mc_err_fail(e, "%s: must be a YAML mapping", path);
    return 0;
}

static void loader_close(loader *l)
{
    yamltree_free(l->root);
    memset(l, 0, sizeof *l);
}

/* --- profiles.yaml ------------------------------------------------------------------ */

static int load_members(loader *l, profiles_meta *m)
{
    const ytree *v = yamltree_get(l->root, "combined_profiles");
    if (v->type != YT_SEQ) return wrong_type(l, "combined_profiles", "a list of {name, uuid, profiles_count}");
    m->members = mc_alloc_zeroed(v->n, sizeof *m->members);
    if (!m->members) return mc_err_oom(l->e, l->path);
    for (size_t i = 0; i < v->n; i++) {
        const ytree *it = v->items[i], *name = yamltree_get(it, "name"), *uuid = yamltree_get(it, "uuid"),
                         *count = yamltree_get(it, "profiles_count");
        meta_member *mm = &m->members[m->members_count];
        if (!name || !uuid || !count || !yamltree_is_string(name) || !yamltree_is_string(uuid) ||
            !yamltree_is_integer(count, &mm->profiles_count) || mm->profiles_count < 0)
            return mc_err_fail(l->e, "%s:%zu: combined_profiles item %zu must have name, uuid and profiles_count",
                               l->path, yamltree_key_line(l->root, "combined_profiles"), i + 1);
        if (!name->scalar[0] || strchr(name->scalar, '/') || !strcmp(name->scalar, ".") || !strcmp(name->scalar, ".."))
            return mc_err_fail(l->e, "%s:%zu: combined_profiles item %zu: '%s' is not a subdirectory name", l->path,
                           yamltree_key_line(l->root, "combined_profiles"), i + 1, name->scalar);
        if (check_uuid(l, "combined_profiles", uuid->scalar, mm->uuid) < 0) return -1;
        if (!(mm->name = strdup(name->scalar))) return mc_err_oom(l->e, l->path);
        m->members_count++;
    }
    return 0;
}

static int detect_kind(loader *l, profiles_meta *m)
{
    int view = !!yamltree_get(l->root, "base_profiles"), coll = !!yamltree_get(l->root, "combined_profiles"),
        groups = !!yamltree_get(l->root, "grouped_profiles");
    if (view + coll + groups > 1)
        return mc_err_fail(l->e,
                       "%s: has keys of several container kinds (base_profiles, combined_profiles, grouped_profiles)",
                       l->path);
    m->kind = view ? KIND_VIEW : coll ? KIND_COLLECTION : groups ? KIND_GROUPS : KIND_BATCH;
    return 0;
}

int meta_profiles_load(const char *yaml_path, profiles_meta *m, mc_err *e)
{
    static const char *const known[] = {"uuid", "organism", "genes_count", "genes_uuid", "profiles_count",
                                        "profiles_kind", "base_profiles", "base_uuid", "combined_profiles",
                                        "grouped_profiles", "grouped_uuid", NULL};
    loader l;
    memset(m, 0, sizeof *m);
    int rc = loader_open(&l, yaml_path, e);
    if (rc == 0)
        rc = (get_uuid(&l, "uuid", m->uuid) || get_str(&l, "organism", &m->organism) ||
              get_int(&l, "genes_count", &m->genes_count) || get_uuid(&l, "genes_uuid", m->genes_uuid) ||
              get_int(&l, "profiles_count", &m->profiles_count) || get_str(&l, "profiles_kind", &m->profiles_kind) ||
              detect_kind(&l, m))
                 ? -1
                 : 0;
    if (rc == 0 && m->kind == KIND_VIEW)
        rc = get_str(&l, "base_profiles", &m->base_profiles) || get_uuid(&l, "base_uuid", m->base_uuid) ? -1 : 0;
    if (rc == 0 && m->kind == KIND_GROUPS)
        rc = get_str(&l, "grouped_profiles", &m->grouped_profiles) || get_uuid(&l, "grouped_uuid", m->grouped_uuid) ? -1
                                                                                                                    : 0;
    if (rc == 0 && m->kind == KIND_COLLECTION) rc = load_members(&l, m);
    if (rc == 0) rc = keep_unknown(&l, known, &m->extra);
    loader_close(&l);
    if (rc < 0) meta_profiles_free(m);
    return rc;
}

void meta_profiles_free(profiles_meta *m)
{
    free(m->organism);
    free(m->profiles_kind);
    free(m->base_profiles);
    free(m->grouped_profiles);
    for (size_t i = 0; i < m->members_count; i++) free(m->members[i].name);
    free(m->members);
    yamltree_free(m->extra);
    memset(m, 0, sizeof *m);
}

/* --- genes.yaml --------------------------------------------------------------------- */

int meta_genes_load(const char *yaml_path, genes_meta *m, mc_err *e)
{
    static const char *const known[] = {"uuid", "organism", "genes_count", NULL};
    loader l;
    memset(m, 0, sizeof *m);
    int rc = loader_open(&l, yaml_path, e);
    if (rc == 0)
        rc = get_uuid(&l, "uuid", m->uuid) || get_str(&l, "organism", &m->organism) ||
                     get_int(&l, "genes_count", &m->genes_count) || keep_unknown(&l, known, &m->extra)
                 ? -1
                 : 0;
    loader_close(&l);
    if (rc < 0) meta_genes_free(m);
    return rc;
}

void meta_genes_free(genes_meta *m)
{
    free(m->organism);
    yamltree_free(m->extra);
    memset(m, 0, sizeof *m);
}

/* --- dumping ------------------------------------------------------------------------ */

static void emit_key_str(yemit *y, const char *k, const char *v)
{
    yamltree_emit_str(y, k);
    yamltree_emit_str(y, v);
}

static void emit_key_long(yemit *y, const char *k, long v)
{
    yamltree_emit_str(y, k);
    yamltree_emit_long(y, v);
}

/* Unknown keys kept from the file read, written back after the known ones. */
static void emit_extra(yemit *y, const ytree *extra)
{
    for (size_t i = 0; extra && i < extra->n; i++) {
        yamltree_emit_str(y, extra->keys[i]);
        yamltree_emit_tree(y, extra->items[i]);
    }
}

static int dump_profiles(yemit *d, const char *shown, const profiles_meta *m, mc_err *e)
{
    emit_key_str(d, "uuid", m->uuid);
    emit_key_str(d, "organism", m->organism);
    emit_key_str(d, "profiles_kind", m->profiles_kind);
    emit_key_long(d, "profiles_count", m->profiles_count);
    emit_key_long(d, "genes_count", m->genes_count);
    emit_key_str(d, "genes_uuid", m->genes_uuid);
    if (m->kind == KIND_VIEW) {
        emit_key_str(d, "base_profiles", m->base_profiles);
        emit_key_str(d, "base_uuid", m->base_uuid);
    } else if (m->kind == KIND_GROUPS) {
        emit_key_str(d, "grouped_profiles", m->grouped_profiles);
        emit_key_str(d, "grouped_uuid", m->grouped_uuid);
    } else if (m->kind == KIND_COLLECTION) {
        yamltree_emit_str(d, "combined_profiles");
        yamltree_emit_seq_start(d);
        for (size_t i = 0; i < m->members_count; i++) {
            yamltree_emit_map_start(d, YAML_BLOCK_MAPPING_STYLE);
            emit_key_str(d, "name", m->members[i].name);
            emit_key_str(d, "uuid", m->members[i].uuid);
            emit_key_long(d, "profiles_count", m->members[i].profiles_count);
            yamltree_emit_map_end(d);
        }
        yamltree_emit_seq_end(d);
    }
    emit_extra(d, m->extra);
    return yamltree_emit_close(d, shown, e);
}

int meta_profiles_dump(const char *yaml_path, const profiles_meta *m, mc_err *e)
{
    yemit d;
    if (yamltree_emit_open(&d, yaml_path, e) < 0) return -1;
    return dump_profiles(&d, yaml_path, m, e);
}

int meta_profiles_dump_stream(FILE *f, const char *shown, const profiles_meta *m, mc_err *e)
{
    yemit d;
    if (yamltree_emit_open_stream(&d, f, shown, e) < 0) return -1;
    return dump_profiles(&d, shown, m, e);
}

int meta_genes_dump(const char *yaml_path, const genes_meta *m, mc_err *e)
{
    yemit d;
    if (yamltree_emit_open(&d, yaml_path, e) < 0) return -1;
    emit_key_str(&d, "uuid", m->uuid);
    emit_key_str(&d, "organism", m->organism);
    emit_key_long(&d, "genes_count", m->genes_count);
    emit_extra(&d, m->extra);
    return yamltree_emit_close(&d, yaml_path, e);
}
