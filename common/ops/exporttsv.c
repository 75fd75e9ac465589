/* exporttsv: arrays and matrices as TSV out of any container. */
#include "exporttsv.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "npy.h"
#include "sink.h"
#include "txt.h"

/* Value i of a numeric array as TSV text, in the shortest form that reads back exactly. */
static size_t format_number(char *out, size_t size, const npy_array *a, size_t i)
{
    if (a->dtype == NPY_B1) return (size_t)snprintf(out, size, "%s", npy_get_i64(a, i) ? "True" : "False");
    if (a->dtype == NPY_I4 || a->dtype == NPY_I8) return (size_t)snprintf(out, size, "%" PRId64, npy_get_i64(a, i));
    return txt_format_double(out, size, npy_get_f64(a, i), a->dtype == NPY_F4);
}

/* Move the gene set's array NAME from g->set into FR; 0 when it has none. */
static int take_set_array(export_labels *g, const char *name, export_frame *fr, mc_err *e)
{
    for (size_t i = 0; i < g->set.n; i++)
        if (!strcmp(g->set.v[i].name, name)) return export_frame_add(fr, name, &g->set.v[i].a, e) < 0 ? -1 : 1;
    return 0;
}

/* The g arrays of a TSV: the gene set's (ids, original names, genome, ...) and
 * the container's; NAMES (n > 0) chooses among both, the gene set's first. */
static int gene_frame(container *c, export_labels *g, char *const *names, size_t n, export_frame *fr,
                      const export_opts *o, mc_err *e)
{
    int rc = 0;
    if (!n) {
        for (size_t i = 0; rc >= 0 && i < g->set.n; i++) rc = take_set_array(g, g->set.v[i].name, fr, e);
        return rc < 0 ? -1 : export_frame_arrays(c, 'g', NULL, 0, fr, o, e);
    }
    for (size_t i = 0; rc >= 0 && i < n; i++)
        if ((rc = take_set_array(g, names[i], fr, e)) == 0) rc = export_frame_arrays(c, 'g', names + i, 1, fr, o, e);
    return rc < 0 ? -1 : 0;
}

int exporttsv_arrays(container *c, char kind, char *const *names, size_t n, const char *out, const export_opts *o,
                     mc_err *e)
{
    export_frame fr = {0};
    strvec rows = {0};
    export_labels g = {0};
    sink s;
    int rc = export_guard(c, &out, 1, o->force, e);
    if (rc < 0) return -1;
    if (kind == 'p') {
        rc = export_frame_arrays(c, kind, n ? names : NULL, n, &fr, o, e);
        if (rc == 0) rc = container_profile_names(c, &rows, e);
    } else {
        rc = export_labels_load(c, o->genes_dir, &g, e);
        if (rc == 0) rc = gene_frame(c, &g, names, n, &fr, o, e);
    }
    const strvec *labels = kind == 'p' ? &rows : &g.names;
    if (rc < 0 || sink_open(&s, out, o->force, e) < 0) {
        export_frame_free(&fr);
        strvec_free(&rows);
        export_labels_free(&g);
        return -1;
    }
    rc = sink_str(&s, "name", e);
    for (size_t j = 0; rc == 0 && j < fr.n; j++)
        if ((rc = sink_str(&s, "\t", e)) == 0) rc = sink_field(&s, fr.v[j].name, "array name", e);
    if (rc == 0) rc = sink_str(&s, "\n", e);
    for (size_t i = 0; rc == 0 && i < labels->count; i++) {
        rc = sink_field(&s, labels->v[i], kind == 'p' ? "profile name" : "gene name", e);
        for (size_t j = 0; rc == 0 && j < fr.n; j++) {
            const mc_array *a = &fr.v[j].a;
            char num[64], what[256];
            snprintf(what, sizeof what, "%c.%s", kind, fr.v[j].name);
            if ((rc = sink_str(&s, "\t", e)) < 0) break;
            if (a->is_text) rc = sink_field(&s, a->text.v[i], what, e);
            else rc = sink_put(&s, num, format_number(num, sizeof num, &a->num, i), e);
        }
        if (rc == 0) rc = sink_str(&s, "\n", e);
    }
    if (rc == 0) rc = sink_finish(&s, e);
    if (rc == 0) rc = sink_commit(&s, e);
    else sink_abort(&s);
    export_frame_free(&fr);
    strvec_free(&rows);
    export_labels_free(&g);
    return rc;
}

/* The names along AXIS: profile names, or the gene set's names (loaded into G once). */
static int axis_names(container *c, char axis, const export_opts *o, strvec *profiles, export_labels *g,
                      const strvec **out, mc_err *e)
{
    if (axis == 'g') {
        if (!g->names.count && c->genes_count && export_labels_load(c, o->genes_dir, g, e) < 0) return -1;
        *out = &g->names;
        return 0;
    }
    if (!profiles->count && c->profiles_count && container_profile_names(c, profiles, e) < 0) return -1;
    *out = profiles;
    return 0;
}

static int matrix_rows(sink *s, const npy_array *a, const strvec *rows, const strvec *cols, mc_err *e)
{
    int rc = sink_str(s, "name", e);
    for (size_t j = 0; rc == 0 && j < cols->count; j++)
        if ((rc = sink_str(s, "\t", e)) == 0) rc = sink_field(s, cols->v[j], "column name", e);
    if (rc == 0) rc = sink_str(s, "\n", e);
    for (size_t i = 0; rc == 0 && i < rows->count; i++) {
        rc = sink_field(s, rows->v[i], "row name", e);
        for (size_t j = 0; rc == 0 && j < cols->count; j++) {
            char num[64];
            if ((rc = sink_str(s, "\t", e)) == 0)
                rc = sink_put(s, num, format_number(num, sizeof num, a, i * cols->count + j), e);
        }
        if (rc == 0) rc = sink_str(s, "\n", e);
    }
    return rc;
}

int exporttsv_matrix(container *c, const data_kind *k, const char *name, const char *out, const export_opts *o,
                     mc_err *e)
{
    mc_array a;
    strvec profiles = {0};
    export_labels g = {0};
    const strvec *rows = NULL, *cols = NULL;
    sink s;
    if (export_guard(c, &out, 1, o->force, e) < 0 || export_datum(c, k, name, &a, e) < 0) return -1;
    int rc = axis_names(c, k->rows, o, &profiles, &g, &rows, e);
    if (rc == 0) rc = axis_names(c, k->cols, o, &profiles, &g, &cols, e);
    if (rc == 0) rc = sink_open(&s, out, o->force, e);
    if (rc == 0) {
        rc = matrix_rows(&s, &a.num, rows, cols, e);
        if (rc == 0) rc = sink_finish(&s, e);
        if (rc == 0) rc = sink_commit(&s, e);
        else sink_abort(&s);
    }
    strvec_free(&profiles);
    export_labels_free(&g);
    container_array_free(&a);
    return rc;
}
