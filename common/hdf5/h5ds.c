/* h5ds: dataset helpers shared by every HDF5 reader. */
#include "h5ds.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "h5err.h"
#include "h5guard.h"

int h5ds_exists(hid_t loc, const char *name)
{
    char path[512];
    const char *p = name;
    /* H5Lexists needs every intermediate link to exist. */
    while ((p = strchr(p + 1, '/'))) {
        snprintf(path, sizeof path, "%.*s", (int)(p - name), name);
        if (H5Lexists(loc, path, H5P_DEFAULT) <= 0) return 0;
    }
    return H5Lexists(loc, name, H5P_DEFAULT) > 0;
}

char *h5ds_attr_str(hid_t loc, const char *name)
{
    if (H5Aexists(loc, name) <= 0) return NULL;
    hid_t a = H5Aopen(loc, name, H5P_DEFAULT), t = a >= 0 ? H5Aget_type(a) : -1, mt = H5Tcopy(H5T_C_S1);
    char *out = NULL;
    if (t >= 0 && H5Tget_class(t) == H5T_STRING) {
        H5Tset_cset(mt, H5Tget_cset(t));   /* HDF5 converts no character set into another (h5py's are UTF-8) */
        if (H5Tis_variable_str(t) > 0) {
            char *s = NULL;
            H5Tset_size(mt, H5T_VARIABLE);
            if (H5Aread(a, mt, &s) >= 0 && s) {
                out = strdup(s);
                H5free_memory(s);
            }
        } else {
            size_t w = H5Tget_size(t) + 1;
            H5Tset_size(mt, w);
            H5Tset_strpad(mt, H5T_STR_NULLTERM);
            if ((out = mc_alloc_zeroed(w, 1)) && H5Aread(a, mt, out) < 0) {
                free(out);
                out = NULL;
            }
        }
    }
    H5Tclose(mt);
    if (t >= 0) H5Tclose(t);
    if (a >= 0) H5Aclose(a);
    return out;
}

int64_t h5ds_length(hid_t d)
{
    hid_t s = H5Dget_space(d);
    hsize_t n = 0;
    int nd = s >= 0 ? H5Sget_simple_extent_ndims(s) : -1;
    if (nd == 1) H5Sget_simple_extent_dims(s, &n, NULL);
    if (s >= 0) H5Sclose(s);
    return nd == 1 ? (int64_t)n : -1;
}

hid_t h5ds_xfer(hid_t ft, hid_t mt, size_t n)
{
    size_t w = ft >= 0 ? H5Tget_size(ft) : 0, mw = mt >= 0 ? H5Tget_size(mt) : 0;
    hid_t x = H5Pcreate(H5P_DATASET_XFER);
    if (mw > w) w = mw;
    if (w < 16) w = 16;   /* a variable-length string: 8 bytes in memory, 16 in the file */
    if (x >= 0 && n < (1u << 20) / w) H5Pset_buffer(x, (n ? n : 1) * w, NULL, NULL);
    return x;
}

/* h5ds_xfer for N values of D read as MEM. */
static hid_t xfer_for(hid_t d, hid_t mem, size_t n)
{
    hid_t t = H5Dget_type(d), x = h5ds_xfer(t, mem, n);
    if (t >= 0) H5Tclose(t);
    return x;
}

int h5ds_read(hid_t d, uint64_t at, size_t n, hid_t mem, void *buf)
{
    hsize_t start = at, count = n;
    hid_t fs = H5Dget_space(d), ms = H5Screate_simple(1, &count, NULL), x = xfer_for(d, mem, n);
    herr_t r = -1;
    if (fs >= 0 && ms >= 0 && x >= 0 && H5Sselect_hyperslab(fs, H5S_SELECT_SET, &start, NULL, &count, NULL) >= 0)
        r = H5Dread(d, mem, ms, fs, x, buf);
    if (x >= 0) H5Pclose(x);
    if (ms >= 0) H5Sclose(ms);
    if (fs >= 0) H5Sclose(fs);
    return r < 0 ? -1 : 0;
}

int h5ds_read_all(hid_t d, hid_t mem, size_t n, void *buf)
{
    if (!n) return 0;
    hid_t x = xfer_for(d, mem, n);
    herr_t r = x >= 0 ? H5Dread(d, mem, H5S_ALL, H5S_ALL, x, buf) : -1;
    if (x >= 0) H5Pclose(x);
    return r < 0 ? -1 : 0;
}

/* --- errors ------------------------------------------------------------------ */

int h5ds_fail(mc_err *e, const char *file, const char *shown, const char *what)
{
    char d[H5ERR_SIZE];
    h5err_detail(d);
    return mc_err_fail(e, "%s: %s: %s%s%s", file, shown, what, *d ? ": " : "", d);
}

const char *h5ds_missing_filter(hid_t d, char *buf, size_t size)
{
    hid_t p = H5Dget_create_plist(d);
    int n = p >= 0 ? H5Pget_nfilters(p) : 0;
    buf[0] = 0;
    for (int i = 0; i < n && !buf[0]; i++) {
        unsigned flags, conf;
        size_t nv = 0;
        char name[64] = "";
        H5Z_filter_t f = H5Pget_filter2(p, (unsigned)i, &flags, &nv, NULL, sizeof name, name, &conf);
        if (f >= 0 && H5Zfilter_avail(f) <= 0)
            snprintf(buf, size, " (compressed with filter %d '%s', which HDF5 lacks; rewrite it with gzip)", (int)f,
                     name);
    }
    if (p >= 0) H5Pclose(p);
    return buf;
}

int h5ds_fail_read(mc_err *e, const char *file, const char *shown, hid_t d)
{
    char why[160];
    return mc_err_fail(e, "%s: %s: cannot read%s", file, shown, d >= 0 ? h5ds_missing_filter(d, why, sizeof why) : "");
}

/* --- opening and reading whole datasets ----------------------------------------- */

hid_t h5ds_open_1d(hid_t loc, const char *name, const char *file, const char *shown, unsigned flags, uint64_t *len,
                   mc_err *e)
{
    htri_t there = H5Lexists(loc, name, H5P_DEFAULT);
    if (there <= 0) {
        if (there < 0) h5ds_fail(e, file, shown, "cannot look up");
        else mc_err_fail(e, "%s: %s: missing", file, shown);
        return -1;
    }
    hid_t d = h5guard_open(loc, name, H5P_DEFAULT, file, shown, flags, e);
    if (d < 0) return -1;
    int64_t n = h5ds_length(d);
    if (n < 0) {
        H5Dclose(d);
        mc_err_fail(e, "%s: %s: not one-dimensional", file, shown);
        return -1;
    }
    *len = (uint64_t)n;
    return d;
}

int h5ds_read_ints(hid_t loc, const char *name, const char *file, const char *shown, int64_t **out, uint64_t *len,
                   mc_err *e)
{
    hid_t d = h5ds_open_1d(loc, name, file, shown, H5GUARD_INTEGER, len, e);
    if (d < 0) return -1;
    int rc = -1;
    if (!(*out = mc_alloc_array(*len, sizeof **out))) mc_err_errno(e, file, shown);
    else if (h5ds_read_all(d, H5T_NATIVE_INT64, *len, *out) < 0) h5ds_fail(e, file, shown, "cannot read");
    else rc = 0;
    if (rc < 0) {
        free(*out);
        *out = NULL;
    }
    H5Dclose(d);
    return rc;
}

/* --- strings ------------------------------------------------------------------- */

/* Variable-length strings: copied out of HDF5's allocations into one buffer. */
static int read_vlen(hid_t d, hid_t ft, strvec *s, const char *file, const char *shown, mc_err *e)
{
    size_t n = s->count, total = 0;
    char **raw = mc_alloc_zeroed(n, sizeof *raw);
    hid_t mt = H5Tcopy(H5T_C_S1), sp = H5Dget_space(d);
    int rc = -1;
    if (!raw) {
        mc_err_errno(e, file, shown);
        goto out;
    }
    /* raw stays zeroed where the read did not fill it, so reclaiming is always safe. */
    H5Tset_size(mt, H5T_VARIABLE);
    H5Tset_cset(mt, H5Tget_cset(ft));
    if (h5ds_read_all(d, mt, n, raw) < 0) {
        h5ds_fail(e, file, shown, "cannot read");
        goto reclaim;
    }
    for (size_t i = 0; i < n; i++) total += (raw[i] ? strlen(raw[i]) : 0) + 1;
    if (!(s->buf = mc_alloc_array(total, 1))) {
        mc_err_errno(e, file, shown);
        goto reclaim;
    }
    char *p = s->buf;
    for (size_t i = 0; i < n; i++) {
        size_t l = raw[i] ? strlen(raw[i]) : 0;
        memcpy(p, raw[i] ? raw[i] : "", l + 1);
        s->v[i] = p;
        p += l + 1;
    }
    rc = 0;
reclaim:
#if H5_VERSION_GE(1, 12, 0)
    H5Treclaim(mt, sp, H5P_DEFAULT, raw);
#else
    H5Dvlen_reclaim(mt, sp, H5P_DEFAULT, raw);
#endif
out:
    free(raw);
    H5Sclose(sp);
    H5Tclose(mt);
    return rc;
}

/* Fixed-length strings (Cell Ranger's |S): read as width+1 NUL-terminated cells. */
static int read_fixed(hid_t d, hid_t ft, strvec *s, const char *file, const char *shown, mc_err *e)
{
    size_t n = s->count, w = H5Tget_size(ft) + 1;
    hid_t mt = H5Tcopy(H5T_C_S1);
    int rc = -1;
    H5Tset_size(mt, w);
    H5Tset_strpad(mt, H5T_STR_NULLTERM);
    H5Tset_cset(mt, H5Tget_cset(ft));
    if (!(s->buf = mc_alloc_array(n, w))) {
        mc_err_fail(e, "%s: %s: " MC_OOM " for %zu strings", file, shown, n);
        goto out;
    }
    if (h5ds_read_all(d, mt, n, s->buf) < 0) {
        h5ds_fail(e, file, shown, "cannot read");
        goto out;
    }
    for (size_t i = 0; i < n; i++) s->v[i] = s->buf + i * w;
    rc = 0;
out:
    H5Tclose(mt);
    return rc;
}

int h5ds_strings(hid_t d, size_t n, strvec *s, const char *file, const char *shown, mc_err *e)
{
    hid_t ft = H5Dget_type(d);
    int rc = -1;
    memset(s, 0, sizeof *s);
    if (ft < 0 || H5Tget_class(ft) != H5T_STRING) mc_err_fail(e, "%s: %s: not a string dataset", file, shown);
    else if (s->count = n, !(s->v = mc_alloc_zeroed(n, sizeof *s->v))) mc_err_errno(e, file, shown);
    else rc = (H5Tis_variable_str(ft) > 0 ? read_vlen : read_fixed)(d, ft, s, file, shown, e);
    if (rc < 0) strvec_free(s);
    if (ft >= 0) H5Tclose(ft);
    return rc;
}

int h5ds_check_lines(char *const *v, size_t n, const char *file, const char *shown, mc_err *e)
{
    for (size_t i = 0; i < n; i++)
        if (strpbrk(v[i], "\n\r")) return mc_err_fail(e, "%s: %s: value %zu contains a line break", file, shown, i);
    return 0;
}
