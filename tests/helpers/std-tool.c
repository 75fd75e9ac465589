/* std-tool: expose the STD reader and writer (common/std/stdread.c, stdwrite.c) to the tests.
 *   std-tool genes DIR [FORMAT]      the kept gene rows: "LINE<TAB>field=value<TAB>..."
 *   std-tool profiles DIR [FORMAT]   the same for profiles (with lane and batch)
 *   std-tool entries DIR [FORMAT]    "gene profile value", 0-based, through the filters
 *   std-tool canon DIR OUT [FORMAT]  write DIR as a canonical STD into the existing directory OUT */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mtx.h"
#include "path.h"
#include "stdread.h"
#include "stdwrite.h"

static void print_table(const std_table *t)
{
    for (size_t i = 0; i < t->count; i++) {
        printf("%" PRIu64, t->line[i]);
        for (size_t c = 0; c < t->ncolumns; c++)
            printf("\t%s:%s=%s", t->columns[c].name, table_type_name(t->columns[c].type), table_value(t, c, i));
        printf("\n");
    }
}

static int entries(std_dir *s, mc_err *e)
{
    std_matrix *m = stdread_matrix_open(s, e);
    if (!m) return -1;
    uint32_t g, p;
    uint64_t v;
    int rc;
    while ((rc = stdread_matrix_next(m, &g, &p, &v, e)) == 1) printf("%u %u %" PRIu64 "\n", g, p, v);
    stdread_matrix_close(m);
    return rc;
}

static int canon(std_dir *s, const char *out, mc_err *e)
{
    if (stdwrite(out, &s->genes, &s->profiles, e) < 0) return -1;
    char *path = path_join(out, STD_MATRIX);
    std_matrix *m = stdread_matrix_open(s, e);
    mtx_writer *w = m ? mtx_writer_open(path, (uint32_t)s->genes.count, (uint32_t)s->profiles.count, -1, e) : NULL;
    free(path);
    uint32_t g, p;
    uint64_t v;
    int rc = w ? 0 : -1;
    while (rc == 0 && (rc = stdread_matrix_next(m, &g, &p, &v, e)) == 1) rc = mtx_writer_add(w, g, p, v, e);
    if (rc == 0) rc = mtx_writer_close(w, e);
    else mtx_writer_abort(w);
    stdread_matrix_close(m);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 3 || argc > 5) {
        fprintf(stderr, "usage: std-tool genes|profiles|entries DIR [FORMAT] | canon DIR OUT [FORMAT]\n");
        return 2;
    }
    const char *cmd = argv[1];
    int is_canon = !strcmp(cmd, "canon");
    const char *format = argc > 3 + is_canon ? argv[3 + is_canon] : NULL;
    std_dir s;
    mc_err e;
    int rc = stdread_open(&s, argv[2], format, &e);
    if (rc == 0 && strcmp(cmd, "profiles")) rc = stdread_load_genes(&s, &e);
    if (rc == 0 && strcmp(cmd, "genes")) rc = stdread_load_profiles(&s, &e);
    if (rc == 0) {
        if (!strcmp(cmd, "genes")) print_table(&s.genes);
        else if (!strcmp(cmd, "profiles")) print_table(&s.profiles);
        else if (!strcmp(cmd, "entries")) rc = entries(&s, &e);
        else if (is_canon && argc >= 4) rc = canon(&s, argv[3], &e);
        else {
            fprintf(stderr, "std-tool: unknown command %s\n", cmd);
            stdread_close(&s);
            return 2;
        }
    }
    stdread_close(&s);   /* stdread_open leaves S valid whatever happens */
    if (rc < 0) {
        fprintf(stderr, "std-tool: %s\n", e.msg);
        return 1;
    }
    return 0;
}
