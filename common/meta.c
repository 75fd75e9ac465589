/* meta: profiles.yaml and genes.yaml through libyaml. */
#include "meta.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

const char *container_kind_name(container_kind k)
{
    static const char *const names[] = {"batch", "view", "collection", "groups"};
    return names[k];
}

/* --- generic tree ----------------------------------------------------------------- */

void yaml_value_free(yaml_value *v)
{
    if (!v) return;
    free(v->scalar);
    for (size_t i = 0; i < v->n; i++) {
        if (v->keys) free(v->keys[i]);
        yaml_value_free(v->items[i]);
    }
    free(v->keys);
    free(v->items);
    free(v);
}

const yaml_value *yaml_get(const yaml_value *v, const char *key)
{
    if (!v || v->type != YV_MAP) return NULL;
    for (size_t i = 0; i < v->n; i++)
        if (!strcmp(v->keys[i], key)) return v->items[i];
    return NULL;
}

/* Hard limits (doc/SPEC.md 9): a metadata or format file is small, and an
 * alias is expanded into a copy at every use, so a few hundred bytes of
 * nested aliases ("billion laughs") would otherwise grow without bound. */
#define YAML_MAX_BYTES (4u << 20)        /* of the file */
#define YAML_MAX_NODES 1000000u          /* of the tree, aliases expanded */
#define YAML_MAX_TEXT (16u << 20)        /* scalar bytes of the tree, aliases expanded */

typedef struct conv {
    yaml_document_t *doc;
    const char *path;
    mc_err *e;
    size_t nodes, text;
} conv;

static yaml_value *convert(conv *c, yaml_node_t *node, int depth);

static yaml_value *new_value(int type)
{
    yaml_value *v = calloc(1, sizeof *v);
    if (v) v->type = type;
    return v;
}

static int add_item(yaml_value *v, char *key, yaml_value *item)
{
    if ((v->n & (v->n - 1)) == 0) {   /* capacity doubles at powers of two */
        size_t cap = v->n ? 2 * v->n : 1;
        yaml_value **items = realloc(v->items, cap * sizeof *items);
        if (!items) return -1;
        v->items = items;
        if (v->type == YV_MAP) {
            char **keys = realloc(v->keys, cap * sizeof *keys);
            if (!keys) return -1;
            v->keys = keys;
        }
    }
    if (v->type == YV_MAP) v->keys[v->n] = key;
    v->items[v->n++] = item;
    return 0;
}

/* Plain and without a tag or anchor: only then may a scalar be a number.
 * libyaml gives `!!str 40` and `40` the same tag, but a node's marks span
 * its properties too, so the span is longer than the text exactly when
 * there are some (a plain scalar on one line). */
static int bare_plain(const yaml_node_t *n)
{
    return n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
           n->end_mark.index - n->start_mark.index == n->data.scalar.length;
}

static yaml_value *convert_scalar(conv *c, yaml_node_t *node)
{
    if ((c->text += node->data.scalar.length) > YAML_MAX_TEXT) {
        mc_fail(c->e, "%s:%zu: YAML text over %u bytes with its aliases expanded", c->path, node->start_mark.line + 1,
                YAML_MAX_TEXT);
        return NULL;
    }
    yaml_value *v = new_value(YV_SCALAR);
    if (!v) return NULL;
    v->scalar = strndup((const char *)node->data.scalar.value, node->data.scalar.length);
    v->plain = bare_plain(node);
    if (!v->scalar) {
        free(v);
        v = NULL;
    }
    return v;
}

static yaml_value *convert_seq(conv *c, yaml_node_t *node, int depth)
{
    yaml_value *v = new_value(YV_SEQ);
    if (!v) return NULL;
    for (yaml_node_item_t *it = node->data.sequence.items.start; it < node->data.sequence.items.top; it++) {
        yaml_value *item = convert(c, yaml_document_get_node(c->doc, *it), depth + 1);
        if (!item || add_item(v, NULL, item) < 0) {
            yaml_value_free(item);
            yaml_value_free(v);
            return NULL;
        }
    }
    return v;
}

static yaml_value *convert_map(conv *c, yaml_node_t *node, int depth)
{
    yaml_value *v = new_value(YV_MAP);
    if (!v) return NULL;
    for (yaml_node_pair_t *p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
        if (k->type != YAML_SCALAR_NODE) {
            mc_fail(c->e, "%s:%zu: mapping keys must be plain strings", c->path, k->start_mark.line + 1);
            yaml_value_free(v);
            return NULL;
        }
        char *key = strndup((const char *)k->data.scalar.value, k->data.scalar.length);
        yaml_value *item = key ? convert(c, yaml_document_get_node(c->doc, p->value), depth + 1) : NULL;
        if (!item || add_item(v, key, item) < 0) {
            free(key);
            yaml_value_free(item);
            yaml_value_free(v);
            return NULL;
        }
    }
    return v;
}

static yaml_value *convert(conv *c, yaml_node_t *node, int depth)
{
    if (depth > 64) {
        mc_fail(c->e, "%s:%zu: YAML nested too deeply", c->path, node->start_mark.line + 1);
        return NULL;
    }
    if (++c->nodes > YAML_MAX_NODES) {
        mc_fail(c->e, "%s:%zu: YAML of more than %u nodes with its aliases expanded", c->path,
                node->start_mark.line + 1, YAML_MAX_NODES);
        return NULL;
    }
    yaml_value *v = NULL;
    switch (node->type) {
    case YAML_SCALAR_NODE: v = convert_scalar(c, node); break;
    case YAML_SEQUENCE_NODE: v = convert_seq(c, node, depth); break;
    case YAML_MAPPING_NODE: v = convert_map(c, node, depth); break;
    default: mc_fail(c->e, "%s:%zu: empty YAML node", c->path, node->start_mark.line + 1); return NULL;
    }
    if (!v && !c->e->msg[0]) mc_fail(c->e, "%s: out of memory", c->path);
    return v;
}

/* Lines of the root mapping's values, for messages naming the line of a bad key. */
typedef struct key_lines {
    char **keys;
    size_t *lines, n;
} key_lines;

static void key_lines_free(key_lines *kl)
{
    for (size_t i = 0; i < kl->n; i++) free(kl->keys[i]);
    free(kl->keys);
    free(kl->lines);
}

static void record_key_lines(yaml_document_t *doc, yaml_node_t *root, key_lines *kl)
{
    if (!kl || root->type != YAML_MAPPING_NODE) return;
    size_t n = (size_t)(root->data.mapping.pairs.top - root->data.mapping.pairs.start);
    kl->keys = calloc(n + 1, sizeof *kl->keys);
    kl->lines = calloc(n + 1, sizeof *kl->lines);
    if (!kl->keys || !kl->lines) return;
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(doc, p->key);
        if (k->type != YAML_SCALAR_NODE) continue;
        kl->keys[kl->n] = strndup((const char *)k->data.scalar.value, k->data.scalar.length);
        kl->lines[kl->n++] = k->start_mark.line + 1;
    }
}

static size_t key_line(const key_lines *kl, const char *key)
{
    for (size_t i = 0; i < kl->n; i++)
        if (kl->keys[i] && !strcmp(kl->keys[i], key)) return kl->lines[i];
    return 0;
}

/* libyaml reads through this, so a file over the limit (or /dev/zero) stops there. */
typedef struct bounded {
    FILE *f;
    size_t read;
    int over;
} bounded;

static int read_bounded(void *data, unsigned char *buf, size_t size, size_t *got)
{
    bounded *b = data;
    *got = fread(buf, 1, size, b->f);
    if ((b->read += *got) > YAML_MAX_BYTES) b->over = 1;
    return !b->over && !ferror(b->f);
}

static int load_tree(const char *path, yaml_value **root, key_lines *kl, mc_err *e)
{
    *root = NULL;
    e->msg[0] = 0;
    FILE *f = fopen(path, "rb");
    if (!f) return mc_fail_errno(e, path, "cannot open");
    yaml_parser_t parser;
    yaml_document_t doc;
    int rc = -1;
    if (!yaml_parser_initialize(&parser)) {
        fclose(f);
        return mc_fail(e, "%s: out of memory", path);
    }
    bounded in = {.f = f};
    yaml_parser_set_input(&parser, read_bounded, &in);
    if (!yaml_parser_load(&parser, &doc)) {
        if (in.over) mc_fail(e, "%s: larger than %u bytes, the limit for YAML", path, YAML_MAX_BYTES);
        else if (ferror(f)) mc_fail_errno(e, path, "cannot read");
        else
            mc_fail(e, "%s:%zu: invalid YAML: %s", path, parser.problem_mark.line + 1,
                    parser.problem ? parser.problem : "syntax error");
    } else {
        yaml_node_t *top = yaml_document_get_root_node(&doc);
        conv c = {.doc = &doc, .path = path, .e = e};
        if (!top) mc_fail(e, "%s: empty YAML file", path);
        else if ((*root = convert(&c, top, 0))) {
            record_key_lines(&doc, top, kl);
            rc = 0;
        }
        yaml_document_delete(&doc);
    }
    yaml_parser_delete(&parser);
    fclose(f);
    return rc;
}

int yaml_load_file(const char *path, yaml_value **root, mc_err *e)
{
    return load_tree(path, root, NULL, e);
}

/* --- typed keys --------------------------------------------------------------------- */

/* Would a plain scalar be read as something other than a string (YAML 1.1 core)? */
static int plain_non_string(const char *s)
{
    static const char *const words[] = {"", "~", "null", "Null", "NULL", "true", "True", "TRUE", "false", "False",
                                        "FALSE", "yes", "Yes", "YES", "no", "No", "NO", "on", "On", "ON", "off",
                                        "Off", "OFF", ".inf", ".Inf", "-.inf", ".nan", ".NaN", NULL};
    for (const char *const *w = words; *w; w++)
        if (!strcmp(s, *w)) return 1;
    char *end;
    errno = 0;
    strtod(s, &end);
    return *s && !*end;
}

/* An integer is plain, untagged and decimal as mc writes it: -?(0|[1-9][0-9]*).
 * YAML 1.1 reads 050 as octal 40 and 1.2 as 50, so no leading zeros; no '+'. */
static int is_integer(const yaml_value *v, long *out)
{
    if (v->type != YV_SCALAR || !v->plain) return 0;
    const char *s = v->scalar, *d = s + (*s == '-');
    if (*d < '0' || *d > '9' || (d[0] == '0' && d[1])) return 0;
    char *end;
    errno = 0;
    long x = strtol(s, &end, 10);
    if (*end || errno) return 0;
    *out = x;
    return 1;
}

static int is_string(const yaml_value *v)
{
    return v->type == YV_SCALAR && !(v->plain && plain_non_string(v->scalar));
}

typedef struct loader {
    const char *path;
    yaml_value *root;
    key_lines kl;
    mc_err *e;
} loader;

static const yaml_value *required(loader *l, const char *key)
{
    const yaml_value *v = yaml_get(l->root, key);
    if (!v) mc_fail(l->e, "%s: missing required key '%s'", l->path, key);
    return v;
}

static int wrong_type(loader *l, const char *key, const char *type)
{
    return mc_fail(l->e, "%s:%zu: key '%s' must be %s", l->path, key_line(&l->kl, key), key, type);
}

static int get_str(loader *l, const char *key, char **out)
{
    const yaml_value *v = required(l, key);
    if (!v) return -1;
    if (!is_string(v)) return wrong_type(l, key, "a string");
    if (!(*out = strdup(v->scalar))) return mc_fail(l->e, "%s: out of memory", l->path);
    return 0;
}

static int get_int(loader *l, const char *key, long *out)
{
    const yaml_value *v = required(l, key);
    if (!v) return -1;
    if (!is_integer(v, out) || *out < 0) return wrong_type(l, key, "a non-negative integer");
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
static int keep_unknown(loader *l, const char *const *known, yaml_value **extra)
{
    *extra = NULL;
    for (size_t i = 0; i < l->root->n; i++) {
        int is_known = 0;
        for (const char *const *k = known; *k && !is_known; k++) is_known = !strcmp(*k, l->root->keys[i]);
        if (is_known) continue;
        if (!*extra && !(*extra = new_value(YV_MAP))) return mc_fail(l->e, "%s: out of memory", l->path);
        if (add_item(*extra, l->root->keys[i], l->root->items[i]) < 0) return mc_fail(l->e, "%s: out of memory", l->path);
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
    if (load_tree(path, &l->root, &l->kl, e) < 0) return -1;
    if (l->root->type != YV_MAP) return mc_fail(e, "%s: must be a YAML mapping", path);
    return 0;
}

static void loader_close(loader *l)
{
    yaml_value_free(l->root);
    key_lines_free(&l->kl);
}

/* --- profiles.yaml ------------------------------------------------------------------ */

static int load_members(loader *l, profiles_meta *m)
{
    const yaml_value *v = yaml_get(l->root, "combined_profiles");
    if (v->type != YV_SEQ) return wrong_type(l, "combined_profiles", "a list of {name, uuid, profiles_count}");
    m->members = calloc(v->n ? v->n : 1, sizeof *m->members);
    if (!m->members) return mc_fail(l->e, "%s: out of memory", l->path);
    for (size_t i = 0; i < v->n; i++) {
        const yaml_value *it = v->items[i], *name = yaml_get(it, "name"), *uuid = yaml_get(it, "uuid"),
                         *count = yaml_get(it, "profiles_count");
        meta_member *mm = &m->members[m->members_count];
        if (!name || !uuid || !count || !is_string(name) || !is_string(uuid) || !is_integer(count, &mm->profiles_count) ||
            mm->profiles_count < 0)
            return mc_fail(l->e, "%s:%zu: combined_profiles item %zu must have name, uuid and profiles_count", l->path,
                           key_line(&l->kl, "combined_profiles"), i + 1);
        if (!name->scalar[0] || strchr(name->scalar, '/') || !strcmp(name->scalar, ".") || !strcmp(name->scalar, ".."))
            return mc_fail(l->e, "%s:%zu: combined_profiles item %zu: '%s' is not a subdirectory name", l->path,
                           key_line(&l->kl, "combined_profiles"), i + 1, name->scalar);
        if (check_uuid(l, "combined_profiles", uuid->scalar, mm->uuid) < 0) return -1;
        if (!(mm->name = strdup(name->scalar))) return mc_fail(l->e, "%s: out of memory", l->path);
        m->members_count++;
    }
    return 0;
}

static int detect_kind(loader *l, profiles_meta *m)
{
    int view = !!yaml_get(l->root, "base_profiles"), coll = !!yaml_get(l->root, "combined_profiles"),
        groups = !!yaml_get(l->root, "grouped_profiles");
    if (view + coll + groups > 1)
        return mc_fail(l->e, "%s: has keys of several container kinds (base_profiles, combined_profiles, grouped_profiles)",
                       l->path);
    m->kind = view ? KIND_VIEW : coll ? KIND_COLLECTION : groups ? KIND_GROUPS : KIND_BATCH;
    return 0;
}

int profiles_meta_load(const char *yaml_path, profiles_meta *m, mc_err *e)
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
    if (rc < 0) profiles_meta_free(m);
    return rc;
}

void profiles_meta_free(profiles_meta *m)
{
    free(m->organism);
    free(m->profiles_kind);
    free(m->base_profiles);
    free(m->grouped_profiles);
    for (size_t i = 0; i < m->members_count; i++) free(m->members[i].name);
    free(m->members);
    yaml_value_free(m->extra);
    memset(m, 0, sizeof *m);
}

/* --- genes.yaml --------------------------------------------------------------------- */

int genes_meta_load(const char *yaml_path, genes_meta *m, mc_err *e)
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
    if (rc < 0) genes_meta_free(m);
    return rc;
}

void genes_meta_free(genes_meta *m)
{
    free(m->organism);
    yaml_value_free(m->extra);
    memset(m, 0, sizeof *m);
}

/* --- dumping ------------------------------------------------------------------------ */

typedef struct dumper {
    yaml_emitter_t em;
    int ok;
} dumper;

static void emit(dumper *d, yaml_event_t *ev)
{
    if (d->ok && !yaml_emitter_emit(&d->em, ev)) d->ok = 0;
}

static void emit_scalar(dumper *d, const char *s, int plain)
{
    yaml_event_t ev;
    yaml_scalar_style_t style = plain ? YAML_ANY_SCALAR_STYLE : YAML_SINGLE_QUOTED_SCALAR_STYLE;
    if (d->ok && yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s, (int)strlen(s), 1, 1, style))
        emit(d, &ev);
}

/* A string, quoted only where plain would read back as something else. */
static void emit_str(dumper *d, const char *s)
{
    emit_scalar(d, s, !plain_non_string(s));
}

static void emit_long(dumper *d, long v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%ld", v);
    emit_scalar(d, buf, 1);
}

static void emit_collection(dumper *d, int map, int start)
{
    yaml_event_t ev;
    int ok = start ? (map ? yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE)
                          : yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_SEQUENCE_STYLE))
                   : (map ? yaml_mapping_end_event_initialize(&ev) : yaml_sequence_end_event_initialize(&ev));
    if (ok) emit(d, &ev);
}

static void emit_value(dumper *d, const yaml_value *v)
{
    if (v->type == YV_SCALAR) {
        emit_scalar(d, v->scalar, v->plain);
        return;
    }
    emit_collection(d, v->type == YV_MAP, 1);
    for (size_t i = 0; i < v->n; i++) {
        if (v->type == YV_MAP) emit_str(d, v->keys[i]);
        emit_value(d, v->items[i]);
    }
    emit_collection(d, v->type == YV_MAP, 0);
}

static void emit_extra(dumper *d, const yaml_value *extra)
{
    for (size_t i = 0; extra && i < extra->n; i++) {
        emit_str(d, extra->keys[i]);
        emit_value(d, extra->items[i]);
    }
}

static int dump_begin(dumper *d, FILE *f)
{
    yaml_event_t ev;
    memset(d, 0, sizeof *d);
    if (!yaml_emitter_initialize(&d->em)) return -1;
    d->ok = 1;
    yaml_emitter_set_output_file(&d->em, f);
    yaml_emitter_set_unicode(&d->em, 1);
    yaml_emitter_set_width(&d->em, -1);
    if (yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING)) emit(d, &ev);
    if (yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1)) emit(d, &ev);
    emit_collection(d, 1, 1);
    return 0;
}

/* Create PATH and open its top-level mapping. */
static int dump_open(dumper *d, FILE **f, const char *path, mc_err *e)
{
    if (!(*f = fopen(path, "wb"))) return mc_fail_errno(e, path, "cannot create");
    if (dump_begin(d, *f) == 0) return 0;
    fclose(*f);
    return mc_fail(e, "%s: out of memory", path);
}

static int dump_end(dumper *d, FILE *f, const char *path, mc_err *e)
{
    yaml_event_t ev;
    emit_collection(d, 1, 0);
    if (yaml_document_end_event_initialize(&ev, 1)) emit(d, &ev);
    if (yaml_stream_end_event_initialize(&ev)) emit(d, &ev);
    int ok = d->ok && yaml_emitter_flush(&d->em);
    yaml_emitter_delete(&d->em);
    int bad = ferror(f) | fclose(f);
    if (!ok) return mc_fail(e, "%s: cannot write YAML", path);
    if (bad) return mc_fail_errno(e, path, "cannot write");
    return 0;
}

static void emit_key_str(dumper *d, const char *k, const char *v)
{
    emit_str(d, k);
    emit_str(d, v);
}

static void emit_key_long(dumper *d, const char *k, long v)
{
    emit_str(d, k);
    emit_long(d, v);
}

int profiles_meta_dump(const char *yaml_path, const profiles_meta *m, mc_err *e)
{
    FILE *f;
    dumper d;
    if (dump_open(&d, &f, yaml_path, e) < 0) return -1;
    emit_key_str(&d, "uuid", m->uuid);
    emit_key_str(&d, "organism", m->organism);
    emit_key_str(&d, "profiles_kind", m->profiles_kind);
    emit_key_long(&d, "profiles_count", m->profiles_count);
    emit_key_long(&d, "genes_count", m->genes_count);
    emit_key_str(&d, "genes_uuid", m->genes_uuid);
    if (m->kind == KIND_VIEW) {
        emit_key_str(&d, "base_profiles", m->base_profiles);
        emit_key_str(&d, "base_uuid", m->base_uuid);
    } else if (m->kind == KIND_GROUPS) {
        emit_key_str(&d, "grouped_profiles", m->grouped_profiles);
        emit_key_str(&d, "grouped_uuid", m->grouped_uuid);
    } else if (m->kind == KIND_COLLECTION) {
        emit_str(&d, "combined_profiles");
        emit_collection(&d, 0, 1);
        for (size_t i = 0; i < m->members_count; i++) {
            emit_collection(&d, 1, 1);
            emit_key_str(&d, "name", m->members[i].name);
            emit_key_str(&d, "uuid", m->members[i].uuid);
            emit_key_long(&d, "profiles_count", m->members[i].profiles_count);
            emit_collection(&d, 1, 0);
        }
        emit_collection(&d, 0, 0);
    }
    emit_extra(&d, m->extra);
    return dump_end(&d, f, yaml_path, e);
}

int genes_meta_dump(const char *yaml_path, const genes_meta *m, mc_err *e)
{
    FILE *f;
    dumper d;
    if (dump_open(&d, &f, yaml_path, e) < 0) return -1;
    emit_key_str(&d, "uuid", m->uuid);
    emit_key_str(&d, "organism", m->organism);
    emit_key_long(&d, "genes_count", m->genes_count);
    emit_extra(&d, m->extra);
    return dump_end(&d, f, yaml_path, e);
}
