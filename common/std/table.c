/* table: text columns in memory, a value arena per column. */
#include "table.h"

#include <stdlib.h>
#include <string.h>

#include "alloc.h"

const char *table_type_name(field_type t)
{
    static const char *const names[] = {"str", "int", "float", "bool"};
    return names[t];
}

int table_field_bool(const char *s)
{
    if (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "1")) return 1;
    if (!strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "0")) return 0;
    return -1;
}

long table_column_index(const std_table *t, const char *name)
{
    for (size_t c = 0; c < t->ncolumns; c++)
        if (!strcmp(t->columns[c].name, name)) return (long)c;
    return -1;
}

int table_add_column(std_table *t, const char *name, field_type type)
{
    std_column *cs = mc_alloc_resize(t->columns, t->ncolumns + 1, sizeof *cs);
    if (!cs) return -1;
    t->columns = cs;
    std_column *c = &cs[t->ncolumns];
    memset(c, 0, sizeof *c);
    c->type = type;
    if (!(c->name = strdup(name))) return -1;
    if (!(c->offset = mc_alloc_array(t->cap, sizeof *c->offset))) {
        free(c->name);
        return -1;
    }
    t->ncolumns++;
    return 0;
}

int table_reserve_row(std_table *t)
{
    if (t->count < t->cap) return 0;
    size_t cap = t->cap ? 2 * t->cap : 1024;
    for (size_t c = 0; c < t->ncolumns; c++) {
        size_t *o = mc_alloc_resize(t->columns[c].offset, cap, sizeof *o);
        if (!o) return -1;
        t->columns[c].offset = o;
    }
    if (t->line) {
        uint64_t *l = mc_alloc_resize(t->line, cap, sizeof *l);
        if (!l) return -1;
        t->line = l;
    }
    t->cap = cap;
    return 0;
}

int table_put(std_table *t, size_t c, size_t row, const char *s, size_t n)
{
    std_column *col = &t->columns[c];
    size_t need = col->len + n + 1;
    if (MC_GROW(col->text, need < 4096 ? 4096 : need, col->cap) < 0) return -1;   /* 4096 bytes at least */
    col->offset[row] = col->len;
    memcpy(col->text + col->len, s, n);
    col->text[col->len + n] = 0;
    col->len = need;
    return 0;
}

int table_init(std_table *t, const char *path, char *const *names, const field_type *types, size_t n, mc_err *e)
{
    memset(t, 0, sizeof *t);
    if (!(t->path = strdup(path))) return mc_err_oom(e, path);
    for (size_t i = 0; i < n; i++)
        if (table_add_column(t, names[i], types[i]) < 0) {
            table_free(t);
            return mc_err_oom(e, path);
        }
    return 0;
}

int table_add(std_table *t, const char *const *values, mc_err *e)
{
    if (table_reserve_row(t) < 0) return mc_err_oom(e, t->path);
    for (size_t c = 0; c < t->ncolumns; c++)
        if (table_put(t, c, t->count, values[c], strlen(values[c])) < 0) return mc_err_oom(e, t->path);
    t->count++;
    t->rows_total++;
    return 0;
}

void table_free(std_table *t)
{
    for (size_t c = 0; c < t->ncolumns; c++) {
        free(t->columns[c].name);
        free(t->columns[c].text);
        free(t->columns[c].offset);
    }
    free(t->columns);
    free(t->path);
    free(t->keep);
    free(t->line);
    memset(t, 0, sizeof *t);
}

void table_swap_values(std_table *t, size_t a, size_t b)
{
    std_column tmp = t->columns[a];
    t->columns[a] = t->columns[b];
    t->columns[b] = tmp;
    char *name = t->columns[a].name;
    t->columns[a].name = t->columns[b].name;
    t->columns[b].name = name;
}

void table_drop_last_column(std_table *t)
{
    std_column *c = &t->columns[--t->ncolumns];
    free(c->name);
    free(c->text);
    free(c->offset);
}
