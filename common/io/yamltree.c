/* yamltree: a YAML file as a tree, and a YAML document written, through libyaml. */
#include "yamltree.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "path.h"

/* --- the tree ------------------------------------------------------------------------ */

void yamltree_free(ytree *v)
{
    if (!v) return;
    free(v->scalar);
    for (size_t i = 0; i < v->n; i++) {
        if (v->keys) free(v->keys[i]);
        yamltree_free(v->items[i]);
    }
    free(v->keys);
    free(v->lines);
    free(v->items);
    free(v);
}

const ytree *yamltree_get(const ytree *v, const char *key)
{
    if (!v || v->type != YT_MAP) return NULL;
    for (size_t i = 0; i < v->n; i++)
        if (!strcmp(v->keys[i], key)) return v->items[i];
    return NULL;
}

size_t yamltree_key_line(const ytree *v, const char *key)
{
    for (size_t i = 0; v && v->type == YT_MAP && i < v->n; i++)
        if (v->keys[i] && !strcmp(v->keys[i], key)) return v->lines[i];
    return 0;
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

static ytree *convert(conv *c, yaml_node_t *node, int depth);

ytree *yamltree_new(int type)
{
    ytree *v = calloc(1, sizeof *v);
    if (v) v->type = type;
    return v;
}

int yamltree_add(ytree *v, char *key, size_t line, ytree *item)
{
    if ((v->n & (v->n - 1)) == 0) {   /* capacity doubles at powers of two */
        size_t cap = v->n ? 2 * v->n : 1;
        ytree **items = mc_alloc_resize(v->items, cap, sizeof *items);
        if (!items) return -1;
        v->items = items;
        if (v->type == YT_MAP) {
            char **keys = mc_alloc_resize(v->keys, cap, sizeof *keys);
            if (!keys) return -1;
            v->keys = keys;
            size_t *lines = mc_alloc_resize(v->lines, cap, sizeof *lines);
            if (!lines) return -1;
            v->lines = lines;
        }
    }
    if (v->type == YT_MAP) v->keys[v->n] = key, v->lines[v->n] = line;
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

static ytree *convert_scalar(conv *c, yaml_node_t *node)
{
    if ((c->text += node->data.scalar.length) > YAML_MAX_TEXT) {
        mc_err_fail(c->e, "%s:%zu: YAML text over %u bytes with its aliases expanded", c->path,
                    node->start_mark.line + 1, YAML_MAX_TEXT);
        return NULL;
    }
    ytree *v = yamltree_new(YT_SCALAR);
    if (!v) return NULL;
    v->scalar = strndup((const char *)node->data.scalar.value, node->data.scalar.length);
    v->plain = bare_plain(node);
    if (!v->scalar) {
        free(v);
        v = NULL;
    }
    return v;
}

static ytree *convert_seq(conv *c, yaml_node_t *node, int depth)
{
    ytree *v = yamltree_new(YT_SEQ);
    if (!v) return NULL;
    for (yaml_node_item_t *it = node->data.sequence.items.start; it < node->data.sequence.items.top; it++) {
        ytree *item = convert(c, yaml_document_get_node(c->doc, *it), depth + 1);
        if (!item || yamltree_add(v, NULL, 0, item) < 0) {
            yamltree_free(item);
            yamltree_free(v);
            return NULL;
        }
    }
    return v;
}

static ytree *convert_map(conv *c, yaml_node_t *node, int depth)
{
    ytree *v = yamltree_new(YT_MAP);
    if (!v) return NULL;
    for (yaml_node_pair_t *p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
        if (k->type != YAML_SCALAR_NODE) {
            mc_err_fail(c->e, "%s:%zu: mapping keys must be plain strings", c->path, k->start_mark.line + 1);
            yamltree_free(v);
            return NULL;
        }
        char *key = strndup((const char *)k->data.scalar.value, k->data.scalar.length);
        ytree *item = key ? convert(c, yaml_document_get_node(c->doc, p->value), depth + 1) : NULL;
        if (!item || yamltree_add(v, key, k->start_mark.line + 1, item) < 0) {
            free(key);
            yamltree_free(item);
            yamltree_free(v);
            return NULL;
        }
    }
    return v;
}

static ytree *convert(conv *c, yaml_node_t *node, int depth)
{
    if (depth > 64) {
        mc_err_fail(c->e, "%s:%zu: YAML nested too deeply", c->path, node->start_mark.line + 1);
        return NULL;
    }
    if (++c->nodes > YAML_MAX_NODES) {
        mc_err_fail(c->e, "%s:%zu: YAML of more than %u nodes with its aliases expanded", c->path,
                node->start_mark.line + 1, YAML_MAX_NODES);
        return NULL;
    }
    ytree *v = NULL;
    switch (node->type) {
    case YAML_SCALAR_NODE: v = convert_scalar(c, node); break;
    case YAML_SEQUENCE_NODE: v = convert_seq(c, node, depth); break;
    case YAML_MAPPING_NODE: v = convert_map(c, node, depth); break;
    default: mc_err_fail(c->e, "%s:%zu: empty YAML node", c->path, node->start_mark.line + 1); return NULL;
    }
    if (!v && !c->e->msg[0]) mc_err_oom(c->e, c->path);
    return v;
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

int yamltree_load(const char *path, ytree **root, mc_err *e)
{
    *root = NULL;
    e->msg[0] = 0;
    FILE *f = path_fopen_file(path, e);
    if (!f) return -1;
    yaml_parser_t parser;
    yaml_document_t doc;
    int rc = -1;
    if (!yaml_parser_initialize(&parser)) {
        fclose(f);
        return mc_err_oom(e, path);
    }
    bounded in = {.f = f};
    yaml_parser_set_input(&parser, read_bounded, &in);
    if (!yaml_parser_load(&parser, &doc)) {
        if (in.over) mc_err_fail(e, "%s: larger than %u bytes, the limit for YAML", path, YAML_MAX_BYTES);
        else if (ferror(f)) mc_err_errno(e, path, "cannot read");
        else
            mc_err_fail(e, "%s:%zu: invalid YAML: %s", path, parser.problem_mark.line + 1,
                    parser.problem ? parser.problem : "syntax error");
    } else {
        yaml_node_t *top = yaml_document_get_root_node(&doc);
        conv c = {.doc = &doc, .path = path, .e = e};
        if (!top) mc_err_fail(e, "%s: empty YAML file", path);
        else if ((*root = convert(&c, top, 0))) rc = 0;
        yaml_document_delete(&doc);
    }
    yaml_parser_delete(&parser);
    fclose(f);
    return rc;
}

/* --- typed scalars ----------------------------------------------------------------- */

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
int yamltree_is_integer(const ytree *v, long *out)
{
    if (v->type != YT_SCALAR || !v->plain) return 0;
    const char *s = v->scalar, *d = s + (*s == '-');
    if (*d < '0' || *d > '9' || (d[0] == '0' && d[1])) return 0;
    char *end;
    errno = 0;
    long x = strtol(s, &end, 10);
    if (*end || errno) return 0;
    *out = x;
    return 1;
}

int yamltree_is_string(const ytree *v)
{
    return v->type == YT_SCALAR && !(v->plain && plain_non_string(v->scalar));
}


/* --- writing ----------------------------------------------------------------------- */

static void emit(yemit *y, yaml_event_t *ev)
{
    if (y->ok && !yaml_emitter_emit(&y->em, ev)) y->ok = 0;
}

void yamltree_emit_scalar(yemit *y, const char *s, yaml_scalar_style_t style)
{
    yaml_event_t ev;
    if (y->ok && yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s, (int)strlen(s), 1, 1, style))
        emit(y, &ev);
}

void yamltree_emit_str(yemit *y, const char *s)
{
    yamltree_emit_scalar(y, s, plain_non_string(s) ? YAML_SINGLE_QUOTED_SCALAR_STYLE : YAML_ANY_SCALAR_STYLE);
}

void yamltree_emit_long(yemit *y, long v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%ld", v);
    yamltree_emit_scalar(y, buf, YAML_ANY_SCALAR_STYLE);
}

void yamltree_emit_map_start(yemit *y, yaml_mapping_style_t style)
{
    yaml_event_t ev;
    if (yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, style)) emit(y, &ev);
}

void yamltree_emit_map_end(yemit *y)
{
    yaml_event_t ev;
    if (yaml_mapping_end_event_initialize(&ev)) emit(y, &ev);
}

void yamltree_emit_seq_start(yemit *y)
{
    yaml_event_t ev;
    if (yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_SEQUENCE_STYLE)) emit(y, &ev);
}

void yamltree_emit_seq_end(yemit *y)
{
    yaml_event_t ev;
    if (yaml_sequence_end_event_initialize(&ev)) emit(y, &ev);
}

void yamltree_emit_tree(yemit *y, const ytree *v)
{
    if (v->type == YT_SCALAR) {
        yamltree_emit_scalar(y, v->scalar, v->plain ? YAML_ANY_SCALAR_STYLE : YAML_SINGLE_QUOTED_SCALAR_STYLE);
        return;
    }
    if (v->type == YT_MAP) yamltree_emit_map_start(y, YAML_BLOCK_MAPPING_STYLE);
    else yamltree_emit_seq_start(y);
    for (size_t i = 0; i < v->n; i++) {
        if (v->type == YT_MAP) yamltree_emit_str(y, v->keys[i]);
        yamltree_emit_tree(y, v->items[i]);
    }
    if (v->type == YT_MAP) yamltree_emit_map_end(y);
    else yamltree_emit_seq_end(y);
}

int yamltree_emit_open(yemit *y, const char *path, mc_err *e)
{
    memset(y, 0, sizeof *y);
    FILE *f = fopen(path, "wb");
    if (!f) return mc_err_errno(e, path, "cannot create");
    return yamltree_emit_open_stream(y, f, path, e);
}

int yamltree_emit_open_stream(yemit *y, FILE *f, const char *shown, mc_err *e)
{
    yaml_event_t ev;
    memset(y, 0, sizeof *y);
    y->f = f;
    if (!yaml_emitter_initialize(&y->em)) {
        fclose(y->f);
        memset(y, 0, sizeof *y);   /* a failed open leaves nothing for yamltree_emit_close */
        return mc_err_oom(e, shown);
    }
    y->ok = 1;
    yaml_emitter_set_output_file(&y->em, y->f);
    yaml_emitter_set_unicode(&y->em, 1);
    yaml_emitter_set_width(&y->em, -1);
    if (yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING)) emit(y, &ev);
    if (yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1)) emit(y, &ev);
    yamltree_emit_map_start(y, YAML_BLOCK_MAPPING_STYLE);
    return 0;
}

int yamltree_emit_close(yemit *y, const char *path, mc_err *e)
{
    yaml_event_t ev;
    if (!y->f) return 0;   /* zeroed: never opened, its opening failed, or closed already */
    yamltree_emit_map_end(y);
    if (yaml_document_end_event_initialize(&ev, 1)) emit(y, &ev);
    if (yaml_stream_end_event_initialize(&ev)) emit(y, &ev);
    int ok = y->ok && yaml_emitter_flush(&y->em);
    yaml_emitter_delete(&y->em);
    int bad = ferror(y->f) | fclose(y->f);
    memset(y, 0, sizeof *y);
    if (!ok) return mc_err_fail(e, "%s: cannot write YAML", path);
    if (bad) return mc_err_errno(e, path, "cannot write");
    return 0;
}
