/* exportnpy: one datum as .npy out of any container. */
#include "exportnpy.h"

#include <string.h>

#include "datum.h"
#include "npy.h"
#include "outdir.h"

int exportnpy_write(container *c, const data_kind *k, const char *name, const char *out, const export_opts *o,
                    mc_err *e)
{
    mc_array a;
    outfile of;
    if (export_guard(c, &out, 1, o->force, e) < 0 || export_datum(c, k, name, &a, e) < 0) return -1;
    int rc = outdir_file_begin(&of, strcmp(out, "-") ? out : "/dev/stdout", o->force, e);
    if (rc == 0) {
        rc = a.is_text ? npy_write_text(of.tmp, a.text.v, a.text.count, e) : datum_save(of.tmp, k, &a, e);
        if (rc == 0) rc = outdir_file_commit(&of, e);
        else outdir_file_abort(&of);
    }
    container_array_free(&a);
    return rc;
}
