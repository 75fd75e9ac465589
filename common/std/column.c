/* colwrite: a table column as a .txt or .npy array. */
#include "column.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "npy.h"
#include "path.h"
#include "txt.h"

static int write_text_column(const char *path, const std_table *t, size_t c, const size_t *order, size_t n,
                             mc_err *e)
{
    char **lines = mc_alloc_array(n, sizeof *lines);
    if (!lines) return mc_err_oom(e, path);
    for (size_t i = 0; i < n; i++) {
        size_t row = order ? order[i] : i;
        lines[i] = (char *)table_value(t, c, row);
        if (strpbrk(lines[i], "\r\n")) {
            free(lines);
            if (t->line)
                return mc_err_fail(e, "%s:%llu: the %s value has a line break, which a .txt array cannot hold", t->path,
                               (unsigned long long)t->line[row], t->columns[c].name);
            return mc_err_fail(e, "%s: row %zu: %s has a line break, which a .txt array cannot hold", t->path, row + 1,
                           t->columns[c].name);
        }
    }
    int rc = txt_write(path, lines, n, e);
    free(lines);
    return rc;
}

static int write_bool_column(const char *path, const std_table *t, size_t c, const size_t *order, size_t n,
                             mc_err *e)
{
    unsigned char *data = mc_alloc_array(n ? n : 1, 1);
    if (!data) return mc_err_oom(e, path);
    for (size_t i = 0; i < n; i++) data[i] = table_field_bool(table_value(t, c, order ? order[i] : i)) == 1;
    int rc = npy_write(path, NPY_B1, 1, &n, 0, data, e);
    free(data);
    return rc;
}

static int write_number_column(const char *path, const std_table *t, size_t c, const size_t *order, size_t n,
                               mc_err *e)
{
    int is_int = t->columns[c].type == FIELD_INT, wide = 0;
    void *data = mc_alloc_array(n, 8);
    if (!data) return mc_err_oom(e, path);
    for (size_t i = 0; i < n; i++) {
        const char *s = table_value(t, c, order ? order[i] : i);
        if (is_int) {
            int64_t v = strtoll(s, NULL, 10);
            ((int64_t *)data)[i] = v;
            wide |= v < INT32_MIN || v > INT32_MAX;
        } else {
            ((double *)data)[i] = !*s || !strcmp(s, "NA") ? NAN : strtod(s, NULL);
        }
    }
    if (is_int && !wide) {
        int32_t *narrow = data;
        for (size_t i = 0; i < n; i++) narrow[i] = (int32_t)((int64_t *)data)[i];
    }
    int rc = npy_write(path, is_int ? (wide ? NPY_I8 : NPY_I4) : NPY_F8, 1, &n, 0, data, e);
    free(data);
    return rc;
}

int column_write(const char *dir, const char *kind, const std_table *t, size_t c, const size_t *order, size_t n,
                     mc_err *e)
{
    if (!order) n = t->count;
    const std_column *col = &t->columns[c];
    size_t len = strlen(kind) + strlen(col->name) + 8;
    char *file = malloc(len), *path;
    if (!file) return mc_err_oom(e, dir);
    snprintf(file, len, "%s.%s.%s", kind, col->name, col->type == FIELD_STR ? "txt" : "npy");
    path = path_join(dir, file);
    free(file);
    if (!path) return mc_err_oom(e, dir);
    int rc = col->type == FIELD_STR    ? write_text_column(path, t, c, order, n, e)
             : col->type == FIELD_BOOL ? write_bool_column(path, t, c, order, n, e)
                                       : write_number_column(path, t, c, order, n, e);
    free(path);
    return rc;
}

