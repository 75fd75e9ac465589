/* exportmtx: Matrix Market and 10x's barcodes and features TSVs out of any container. */
#include "exportmtx.h"

#include "mtx.h"
#include "sink.h"

static int write_mtx_body(container *c, sink *s, const export_opts *o, mc_err *e)
{
    mc_entries es = {0};
    uint64_t nnz, max;
    int rc = export_scan(c, &es, &nnz, &max, o, e);
    char line[128];
    if (rc == 0) rc = sink_put(s, line, mtx_format_header(line, c->genes_count, c->profiles_count, nnz), e);
    for (size_t j = 0; rc == 0 && j < c->profiles_count; j++) {
        rc = container_profile_entries(c, j, &es, e);
        for (size_t i = 0; rc == 0 && i < es.n; i++) {
            char *end = mtx_format_entry(line, (uint64_t)es.v[i].gene + 1, (uint64_t)j + 1, es.v[i].value);
            rc = sink_put(s, line, (size_t)(end - line), e);
        }
        export_report(o, "writing", j + 1, c->profiles_count);
    }
    entries_free(&es);
    return rc;
}

static int write_names_tsv(sink *s, const strvec *names, const char *what, mc_err *e)
{
    for (size_t i = 0; i < names->count; i++)
        if (sink_field(s, names->v[i], what, e) < 0 || sink_str(s, "\n", e) < 0) return -1;
    return 0;
}

static int write_features_tsv(sink *s, const export_labels *g, mc_err *e)
{
    for (size_t i = 0; i < g->names.count; i++) {
        const char *id = (g->ids ? g->ids : g->shown)->v[i];
        if (sink_field(s, id, "ensembl id", e) < 0 || sink_str(s, "\t", e) < 0 ||
            sink_field(s, g->shown->v[i], "gene name", e) < 0 || sink_str(s, "\tGene Expression\n", e) < 0)
            return -1;
    }
    return 0;
}

int exportmtx_write(container *c, const char *out, const char *barcodes, const char *features, const export_opts *o,
                    mc_err *e)
{
    sink s[3] = {0};           /* matrix, barcodes, features: those not asked for stay zeroed */
    const char *paths[3] = {out, barcodes, features};
    int rc = 0;
    export_labels g = {0};
    strvec names = {0};
    if (export_guard(c, paths, 3, o->force, e) < 0) return -1;
    if (barcodes) rc = container_profile_names(c, &names, e);
    if (rc == 0 && features) rc = export_labels_load(c, o->genes_dir, &g, e);
    for (int i = 0; rc == 0 && i < 3; i++)
        if (i == 0 || paths[i]) rc = sink_open(&s[i], paths[i], o->force, e);
    if (rc == 0) rc = write_mtx_body(c, &s[0], o, e);
    if (rc == 0 && barcodes) rc = write_names_tsv(&s[1], &names, "profile name", e);
    if (rc == 0 && features) rc = write_features_tsv(&s[2], &g, e);
    for (int i = 0; rc == 0 && i < 3; i++)
        if (i == 0 || paths[i]) rc = sink_finish(&s[i], e);
    for (int i = 0; rc == 0 && i < 3; i++)
        if (i == 0 || paths[i]) rc = sink_commit(&s[i], e);
    for (int i = 0; i < 3; i++) sink_abort(&s[i]);   /* a committed or zeroed sink holds nothing */
    strvec_free(&names);
    export_labels_free(&g);
    return rc;
}
