/* h5guard: what an HDF5 input may hold, checked where it is opened. */
#include "h5guard.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"

/* --- the file's links ------------------------------------------------------------- */

typedef struct link_scan {
    const char *file;
    mc_err *e;
} link_scan;

/* An external link's target, "OTHER:/OBJECT", into BUF. */
static const char *link_target(hid_t f, const char *name, size_t size, char *buf, size_t cap)
{
    char *val = size ? mc_alloc_array(size, 1) : NULL;
    const char *other = NULL, *obj = NULL;
    unsigned flags;
    snprintf(buf, cap, "another file");
    if (val && H5Lget_val(f, name, val, size, H5P_DEFAULT) >= 0 &&
        H5Lunpack_elink_val(val, size, &flags, &other, &obj) >= 0 && other && obj)
        snprintf(buf, cap, "%.200s:%.200s", other, obj);
    free(val);
    return buf;
}

static herr_t check_link(hid_t f, const char *name, const H5L_info_t *info, void *arg)
{
    link_scan *s = arg;
    char to[420];
    if (info->type == H5L_TYPE_HARD || info->type == H5L_TYPE_SOFT) return 0;
    if (info->type == H5L_TYPE_EXTERNAL)
        mc_err_fail(s->e, "%s: /%s: an external link to %s; mc reads only the file it is given", s->file, name,
                link_target(f, name, info->u.val_size, to, sizeof to));
    else
        mc_err_fail(s->e, "%s: /%s: a link of user-defined class %d; mc reads only the file it is given", s->file, name,
                (int)info->type);
    return 1;   /* stop the visit */
}

int h5guard_file(hid_t f, const char *file, mc_err *e)
{
    link_scan s = {file, e};
    herr_t r = H5Lvisit(f, H5_INDEX_NAME, H5_ITER_INC, check_link, &s);
    if (r > 0) return -1;
    if (r < 0) return mc_err_fail(e, "%s: cannot list its links", file);
    return 0;
}

/* --- a dataset ------------------------------------------------------------------------- */

/* Where the data of a dataset of create list P lives, when not in the file. */
static int outside(hid_t p, const char *file, const char *shown, mc_err *e)
{
    if (H5Pget_layout(p) == H5D_VIRTUAL)
        return mc_err_fail(e, "%s: %s: a virtual dataset (its data in other files); mc reads only the file it is given",
                       file, shown);
    if (H5Pget_external_count(p) <= 0) return 0;
    char other[256] = "";
    off_t offset;
    hsize_t size;
    if (H5Pget_external(p, 0, sizeof other, other, &offset, &size) < 0) snprintf(other, sizeof other, "?");
    other[sizeof other - 1] = 0;
    return mc_err_fail(e, "%s: %s: stored in the external file '%s'; mc reads only the file it is given", file, shown,
                   other);
}

/* A chunk as read: its values at 8 bytes each (what mc converts numbers to) or at their own size. */
static int chunk_size(hid_t p, hid_t t, const char *file, const char *shown, mc_err *e)
{
    hsize_t dims[H5S_MAX_RANK];
    int rank = H5Pget_layout(p) == H5D_CHUNKED ? H5Pget_chunk(p, H5S_MAX_RANK, dims) : 0;
    size_t each = H5Tget_size(t) > 8 ? H5Tget_size(t) : 8;
    double bytes = (double)each;
    for (int i = 0; i < rank; i++) bytes *= (double)dims[i];
    if (rank <= 0 || bytes <= (double)H5GUARD_CHUNK_MAX) return 0;
    return mc_err_fail(e,
                       "%s: %s: chunks of %.0f bytes as read, more than mc reads (%zu); rewrite it with smaller chunks",
                       file, shown, bytes, H5GUARD_CHUNK_MAX);
}

static int type_ok(hid_t t, const char *file, const char *shown, unsigned flags, mc_err *e)
{
    H5T_class_t c = H5Tget_class(t);
    if (c == H5T_STRING && H5Tis_variable_str(t) <= 0 && H5Tget_size(t) > H5GUARD_STRING_MAX)
        return mc_err_fail(e, "%s: %s: strings of %zu bytes, more than mc reads (%zu)", file, shown, H5Tget_size(t),
                       H5GUARD_STRING_MAX);
    if (!(flags & H5GUARD_INTEGER) || c == H5T_INTEGER) return 0;
    return mc_err_fail(e, "%s: %s: not an integer dataset%s", file, shown,
                   c == H5T_FLOAT ? " (floats, which would be truncated)" : "");
}

/* Every value stored: no chunk (or contiguous block) left to the fill value.
 * (H5Dget_space_status says "partly" of every compressed dataset.) */
static int stored(hid_t d, const char *file, const char *shown, mc_err *e)
{
    hid_t s = H5Dget_space(d), p = H5Dget_create_plist(d);
    hsize_t dims[H5S_MAX_RANK], chunk[H5S_MAX_RANK], have = 0;
    int rank = s >= 0 ? H5Sget_simple_extent_dims(s, dims, NULL) : -1;
    hssize_t n = s >= 0 ? H5Sget_simple_extent_npoints(s) : -1;
    int ok = n == 0;
    if (!ok && n > 0 && p >= 0 && H5Pget_layout(p) == H5D_CHUNKED && H5Pget_chunk(p, rank, chunk) == rank &&
        H5Dget_num_chunks(d, s, &have) >= 0) {
        double want = 1;   /* chunks covering the extent */
        for (int i = 0; i < rank; i++) want *= chunk[i] ? (double)((dims[i] + chunk[i] - 1) / chunk[i]) : 0;
        ok = (double)have >= want;
    } else if (!ok && n > 0 && p >= 0 && H5Pget_layout(p) != H5D_CHUNKED) {
        H5D_space_status_t status;
        ok = H5Dget_space_status(d, &status) >= 0 && status == H5D_SPACE_STATUS_ALLOCATED;
    }
    if (s >= 0) H5Sclose(s);
    if (p >= 0) H5Pclose(p);
    if (ok) return 0;
    return mc_err_fail(e, "%s: %s: %lld values declared but not all stored (chunks never written)", file, shown,
                   (long long)n);
}

int h5guard_check(hid_t d, const char *file, const char *shown, unsigned flags, mc_err *e)
{
    hid_t p = H5Dget_create_plist(d), t = H5Dget_type(d);
    int rc = p < 0 || t < 0 ? mc_err_fail(e, "%s: %s: cannot read its storage", file, shown) : 0;
    if (rc == 0) rc = outside(p, file, shown, e);
    if (rc == 0) rc = type_ok(t, file, shown, flags, e);
    if (rc == 0) rc = chunk_size(p, t, file, shown, e);
    if (rc == 0 && (flags & H5GUARD_STORED)) rc = stored(d, file, shown, e);
    if (p >= 0) H5Pclose(p);
    if (t >= 0) H5Tclose(t);
    return rc;
}

hid_t h5guard_open(hid_t loc, const char *name, hid_t dapl, const char *file, const char *shown, unsigned flags,
                   mc_err *e)
{
    hid_t d = H5Dopen2(loc, name, dapl);
    if (d < 0) {
        mc_err_fail(e, "%s: %s: cannot open as a dataset", file, shown);
        return -1;
    }
    if (h5guard_check(d, file, shown, flags, e) == 0) return d;
    H5Dclose(d);
    return -1;
}
