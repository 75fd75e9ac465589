/* h5write: HDF5 files written object by object, large arrays streamed. */
#include "h5write.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>

#include "alloc.h"
#include "h5ds.h"
#include "h5err.h"

struct h5w {
    hid_t file;
    char *shown;
    H5E_auto2_t old_func;       /* HDF5 error printing to restore at close */
    void *old_data;
};

struct h5w_stream {
    h5w *f;
    char *path;
    hid_t d;
    h5w_type t;
    size_t width;
    char *buf;
    size_t len;                 /* values buffered */
    hsize_t written;            /* values in the dataset */
};

size_t h5write_type_size(h5w_type t)
{
    static const size_t size[] = {1, 2, 4, 8, 4, 8};
    return size[t];
}

static hid_t file_type(h5w_type t)
{
    switch (t) {
    case H5W_I8: return H5T_STD_I8LE;
    case H5W_I16: return H5T_STD_I16LE;
    case H5W_I32: return H5T_STD_I32LE;
    case H5W_I64: return H5T_STD_I64LE;
    case H5W_F32: return H5T_IEEE_F32LE;
    case H5W_F64: break;
    }
    return H5T_IEEE_F64LE;
}

static hid_t memory_type(h5w_type t)
{
    switch (t) {
    case H5W_I8: return H5T_NATIVE_INT8;
    case H5W_I16: return H5T_NATIVE_INT16;
    case H5W_I32: return H5T_NATIVE_INT32;
    case H5W_I64: return H5T_NATIVE_INT64;
    case H5W_F32: return H5T_NATIVE_FLOAT;
    case H5W_F64: break;
    }
    return H5T_NATIVE_DOUBLE;
}

static hid_t bool_type(void);

/* --- errors ------------------------------------------------------------------ */

/* HDF5's reason on one line: a failed write's description spans several
 * lines ("file write failed: time = ...\n, filename = ..., errno = 28, ..."),
 * so keep its first clause and the system's own words for its errno. */
static void one_line(char *d, size_t cap)
{
    const char *en = strstr(d, "errno = ");
    int num;
    if (en && sscanf(en, "errno = %d", &num) == 1) {
        char *colon = strchr(d, ':');
        if (colon) *colon = 0;
        size_t n = strlen(d);
        snprintf(d + n, cap - n, ": %s", strerror(num));
    }
    for (char *p = d; *p; p++)
        if (*p == '\n' || *p == '\r') *p = ' ';
}

/* "SHOWN: OBJ: WHAT: HDF5's reason"; call right after the failing call. */
static int fail_h5(mc_err *e, const h5w *f, const char *obj, const char *what)
{
    char d[H5ERR_SIZE];
    h5err_detail(d);
    one_line(d, sizeof d);
    return mc_err_fail(e, "%s: %s: %s%s%s", f->shown, obj, what, *d ? ": " : "", d);
}

/* --- file -------------------------------------------------------------------- */

h5w *h5write_create(const char *path, const char *shown, mc_err *e)
{
    h5w *f = mc_alloc_zeroed(1, sizeof *f);
    if (!f || !(f->shown = strdup(shown))) {
        free(f);
        mc_err_oom(e, shown);
        return NULL;
    }
    /* A file whose close failed (a full disk) stays in HDF5's list of open
     * files, and its exit handler then crashes closing it again (1.10:
     * H5F__close_cb from H5_term_library).  The process frees it at exit. */
    H5dont_atexit();
    H5Eget_auto2(H5E_DEFAULT, &f->old_func, &f->old_data);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    /* Its own lock on the file would collide with the one the writer holds (outdir.h). */
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
#if H5_VERSION_GE(1, 10, 7)
    if (fapl >= 0) H5Pset_file_locking(fapl, 0, 1);
#endif
    f->file = fapl < 0 ? -1 : H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
    if (fapl >= 0) H5Pclose(fapl);
    if (f->file < 0) {
        fail_h5(e, f, "/", "cannot create");
        f->file = -1;
        h5write_abort(f);
        return NULL;
    }
    return f;
}

static void h5w_free(h5w *f)
{
    H5Eset_auto2(H5E_DEFAULT, f->old_func, f->old_data);
    free(f->shown);
    free(f);
}

int h5write_close(h5w *f, mc_err *e)
{
    int rc = 0;
    if (H5Fclose(f->file) < 0) rc = fail_h5(e, f, "/", "cannot close");
    h5w_free(f);
    return rc;
}

void h5write_abort(h5w *f)
{
    if (!f) return;
    if (f->file >= 0) H5Fclose(f->file);
    h5w_free(f);
}

int h5write_group(h5w *f, const char *path, mc_err *e)
{
    hid_t lcpl = H5Pcreate(H5P_LINK_CREATE), gcpl = H5Pcreate(H5P_GROUP_CREATE);
    hid_t g =
        lcpl < 0 || gcpl < 0 || H5Pset_create_intermediate_group(lcpl, 1) < 0 || H5Pset_obj_track_times(gcpl, 0) < 0
            ? -1
            : H5Gcreate2(f->file, path, lcpl, gcpl, H5P_DEFAULT);
    int rc = g < 0 ? fail_h5(e, f, path, "cannot create group") : 0;
    if (g >= 0 && H5Gclose(g) < 0 && rc == 0) rc = fail_h5(e, f, path, "cannot write group");
    if (gcpl >= 0) H5Pclose(gcpl);
    if (lcpl >= 0) H5Pclose(lcpl);
    return rc;
}

/* --- attributes ---------------------------------------------------------------- */

static hid_t vlen_utf8(void)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    if (t >= 0 && (H5Tset_size(t, H5T_VARIABLE) < 0 || H5Tset_cset(t, H5T_CSET_UTF8) < 0)) {
        H5Tclose(t);
        return -1;
    }
    return t;
}

/* Attribute NAME on OBJ of stored type FT and space SP, written from V as memory type MT. */
static int write_attr(h5w *f, const char *obj, const char *name, hid_t ft, hid_t mt, hid_t sp, const void *v,
                      mc_err *e)
{
    char where[512];
    snprintf(where, sizeof where, "%s (attribute %s)", obj, name);
    if (ft < 0 || mt < 0 || sp < 0) return fail_h5(e, f, where, "cannot make the type");
    hid_t o = H5Oopen(f->file, obj, H5P_DEFAULT);
    if (o < 0) return fail_h5(e, f, obj, "cannot open");
    hid_t a = H5Acreate2(o, name, ft, sp, H5P_DEFAULT, H5P_DEFAULT);
    int rc = a < 0 || H5Awrite(a, mt, v) < 0 ? fail_h5(e, f, where, "cannot write") : 0;
    if (a >= 0 && H5Aclose(a) < 0 && rc == 0) rc = fail_h5(e, f, where, "cannot write");
    if (H5Oclose(o) < 0 && rc == 0) rc = fail_h5(e, f, obj, "cannot write");
    return rc;
}

int h5write_attr_str(h5w *f, const char *obj, const char *name, const char *value, mc_err *e)
{
    hid_t t = vlen_utf8(), sp = H5Screate(H5S_SCALAR);
    int rc = write_attr(f, obj, name, t, t, sp, &value, e);
    if (t >= 0) H5Tclose(t);
    if (sp >= 0) H5Sclose(sp);
    return rc;
}

int h5write_attr_strs(h5w *f, const char *obj, const char *name, char *const *v, size_t n, mc_err *e)
{
    hsize_t dim = n;
    hid_t sp = H5Screate_simple(1, &dim, NULL), t = n ? vlen_utf8() : H5Tcopy(H5T_IEEE_F64LE);
    static const double none;
    int rc = write_attr(f, obj, name, t, n ? t : H5T_NATIVE_DOUBLE, sp, n ? (const void *)v : &none, e);
    if (t >= 0) H5Tclose(t);
    if (sp >= 0) H5Sclose(sp);
    return rc;
}

int h5write_attr_i64(h5w *f, const char *obj, const char *name, const int64_t *v, size_t n, int scalar, mc_err *e)
{
    hsize_t dim = n;
    hid_t sp = scalar ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &dim, NULL);
    int rc = write_attr(f, obj, name, H5T_STD_I64LE, H5T_NATIVE_INT64, sp, v, e);
    if (sp >= 0) H5Sclose(sp);
    return rc;
}

int h5write_attr_bool(h5w *f, const char *obj, const char *name, int value, mc_err *e)
{
    int8_t v = value ? 1 : 0;
    hid_t t = bool_type(), sp = H5Screate(H5S_SCALAR);
    int rc = write_attr(f, obj, name, t, t, sp, &v, e);
    if (t >= 0) H5Tclose(t);
    if (sp >= 0) H5Sclose(sp);
    return rc;
}

/* --- whole datasets ------------------------------------------------------------ */

static int write_dataset(h5w *f, const char *path, hid_t ft, hid_t mt, size_t n, const void *v, mc_err *e)
{
    hsize_t dim = n;
    hid_t sp = H5Screate_simple(1, &dim, NULL), lcpl = H5Pcreate(H5P_LINK_CREATE), dcpl = H5Pcreate(H5P_DATASET_CREATE);
    hid_t d = -1;
    if (ft >= 0 && sp >= 0 && lcpl >= 0 && dcpl >= 0 && H5Pset_create_intermediate_group(lcpl, 1) >= 0 &&
        H5Pset_obj_track_times(dcpl, 0) >= 0)
        d = H5Dcreate2(f->file, path, ft, sp, lcpl, dcpl, H5P_DEFAULT);
    int rc = d < 0 ? fail_h5(e, f, path, "cannot create") : 0;
    hid_t x = -1;
    if (rc == 0 && n && ((x = h5ds_xfer(ft, mt, n)) < 0 || H5Dwrite(d, mt, H5S_ALL, H5S_ALL, x, v) < 0))
        rc = fail_h5(e, f, path, "cannot write");
    if (x >= 0) H5Pclose(x);
    /* HDF5 may report a failed write only here (vlen strings: the global heap
     * is written at close); unchecked, the file holds empty strings. */
    if (d >= 0 && H5Dclose(d) < 0 && rc == 0) rc = fail_h5(e, f, path, "cannot write");
    if (dcpl >= 0) H5Pclose(dcpl);
    if (lcpl >= 0) H5Pclose(lcpl);
    if (sp >= 0) H5Sclose(sp);
    return rc;
}

int h5write_array(h5w *f, const char *path, h5w_type t, const void *v, size_t n, mc_err *e)
{
    return write_dataset(f, path, file_type(t), memory_type(t), n, v, e);
}

/* h5py's bool: an enum FALSE/TRUE of one byte. */
static hid_t bool_type(void)
{
    int8_t no = 0, yes = 1;
    hid_t t = H5Tenum_create(H5T_STD_I8LE);
    if (t >= 0 && (H5Tenum_insert(t, "FALSE", &no) < 0 || H5Tenum_insert(t, "TRUE", &yes) < 0)) {
        H5Tclose(t);
        t = -1;
    }
    return t;
}

int h5write_bools(h5w *f, const char *path, const unsigned char *v, size_t n, mc_err *e)
{
    int8_t *b = mc_alloc_array(n ? n : 1, 1);
    hid_t t = bool_type();
    if (!b) return mc_err_oom(e, path);
    for (size_t i = 0; i < n; i++) b[i] = v[i] != 0;
    int rc = write_dataset(f, path, t, t, n, b, e);
    if (t >= 0) H5Tclose(t);
    free(b);
    return rc;
}

int h5write_strings(h5w *f, const char *path, char *const *v, size_t n, int fixed, mc_err *e)
{
    if (!fixed) {
        hid_t t = vlen_utf8();
        int rc = write_dataset(f, path, t, t, n, v, e);
        if (t >= 0) H5Tclose(t);
        return rc;
    }
    size_t width = 1;
    for (size_t i = 0; i < n; i++)
        if (strlen(v[i]) > width) width = strlen(v[i]);
    char *buf = mc_alloc_zeroed(n, width);
    if (!buf) return mc_err_fail(e, "%s: %s: " MC_OOM, f->shown, path);
    for (size_t i = 0; i < n; i++) memcpy(buf + i * width, v[i], strlen(v[i]));
    hid_t t = H5Tcopy(H5T_C_S1);
    if (t >= 0 && (H5Tset_size(t, width) < 0 || H5Tset_strpad(t, H5T_STR_NULLPAD) < 0)) {
        H5Tclose(t);
        t = -1;
    }
    int rc = write_dataset(f, path, t, t, n, buf, e);
    if (t >= 0) H5Tclose(t);
    free(buf);
    return rc;
}

/* --- streams ------------------------------------------------------------------- */

h5w_stream *h5write_stream_open(h5w *f, const char *path, h5w_type t, int gzip, mc_err *e)
{
    h5w_stream *s = mc_alloc_zeroed(1, sizeof *s);
    if (!s || !(s->path = strdup(path)) || !(s->buf = mc_alloc_array(H5W_BUFFER, h5write_type_size(t)))) {
        if (s) free(s->path);
        free(s);
        mc_err_fail(e, "%s: %s: " MC_OOM, f->shown, path);
        return NULL;
    }
    s->f = f;
    s->t = t;
    s->width = h5write_type_size(t);
    hsize_t zero = 0, unlimited = H5S_UNLIMITED, chunk = H5W_CHUNK;
    hid_t sp = H5Screate_simple(1, &zero, &unlimited), dcpl = H5Pcreate(H5P_DATASET_CREATE),
          lcpl = H5Pcreate(H5P_LINK_CREATE);
    s->d = -1;
    if (sp >= 0 && dcpl >= 0 && lcpl >= 0 && H5Pset_chunk(dcpl, 1, &chunk) >= 0 &&
        H5Pset_obj_track_times(dcpl, 0) >= 0 &&
        (!gzip || (H5Pset_shuffle(dcpl) >= 0 && H5Pset_deflate(dcpl, (unsigned)gzip) >= 0)) &&
        H5Pset_create_intermediate_group(lcpl, 1) >= 0)
        s->d = H5Dcreate2(f->file, path, file_type(t), sp, lcpl, dcpl, H5P_DEFAULT);
    if (s->d < 0) fail_h5(e, f, path, "cannot create");
    if (lcpl >= 0) H5Pclose(lcpl);
    if (dcpl >= 0) H5Pclose(dcpl);
    if (sp >= 0) H5Sclose(sp);
    if (s->d < 0) {
        h5write_stream_abort(s);
        return NULL;
    }
    return s;
}

static int flush(h5w_stream *s, mc_err *e)
{
    if (!s->len) return 0;
    hsize_t start = s->written, n = s->len, size = s->written + s->len;
    int ok = H5Dset_extent(s->d, &size) >= 0;
    hid_t fs = ok ? H5Dget_space(s->d) : -1, ms = H5Screate_simple(1, &n, NULL);
    ok = fs >= 0 && ms >= 0 && H5Sselect_hyperslab(fs, H5S_SELECT_SET, &start, NULL, &n, NULL) >= 0 &&
         H5Dwrite(s->d, memory_type(s->t), ms, fs, H5P_DEFAULT, s->buf) >= 0;
    int rc = ok ? 0 : fail_h5(e, s->f, s->path, "cannot write");
    if (ms >= 0) H5Sclose(ms);
    if (fs >= 0) H5Sclose(fs);
    s->written = size;
    s->len = 0;
    return rc;
}

int h5write_stream_append(h5w_stream *s, const void *v, size_t n, mc_err *e)
{
    const char *p = v;
    while (n) {
        size_t k = H5W_BUFFER - s->len < n ? H5W_BUFFER - s->len : n;
        memcpy(s->buf + s->len * s->width, p, k * s->width);
        s->len += k;
        p += k * s->width;
        n -= k;
        if (s->len == H5W_BUFFER && flush(s, e) < 0) return -1;
    }
    return 0;
}

int h5write_stream_close(h5w_stream *s, mc_err *e)
{
    int rc = flush(s, e);
    if (H5Dclose(s->d) < 0 && rc == 0) rc = fail_h5(e, s->f, s->path, "cannot close");
    s->d = -1;
    h5write_stream_abort(s);
    return rc;
}

void h5write_stream_abort(h5w_stream *s)
{
    if (!s) return;
    if (s->d >= 0) H5Dclose(s->d);
    free(s->buf);
    free(s->path);
    free(s);
}
