/* fuzz_h5: the 10x / HCA HDF5 reader, on a file written from the fuzz input.
 *
 * libhdf5's own parsing of corrupt files is not ours to fix, so the input
 * does not become the file's bytes: it describes a well-formed HDF5 file
 * (layout v2 or v3, dtypes, shape, indptr, indices, data, strings, missing
 * datasets) that is written with the HDF5 API and then read by h5_open /
 * h5_count_entries / h5_next as mc-import-hca reads it.  The input is read
 * byte by byte; past its end every byte is 0. */
#include <hdf5.h>

#include "fuzz.h"
#include "h5.h"
#include "h5ds.h"

typedef struct input {
    const uint8_t *d;
    size_t n, at;
} input;

static unsigned take(input *in) { return in->at < in->n ? in->d[in->at++] : 0; }

static const hid_t *int_types(void)
{
    static hid_t t[4];
    t[0] = H5T_STD_I32LE, t[1] = H5T_STD_I64LE, t[2] = H5T_STD_U32LE, t[3] = H5T_STD_U16LE;
    return t;
}

/* A 1-D dataset of N int64 values stored as TYPE. */
static void put_ints(hid_t g, const char *name, hid_t type, const int64_t *v, size_t n)
{
    hsize_t dims = n;
    hid_t sp = H5Screate_simple(1, &dims, NULL);
    hid_t ds = H5Dcreate2(g, name, type, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (n) {
        hid_t x = h5ds_xfer(type, H5T_NATIVE_INT64, n);   /* HDF5's default: 1 MiB calloc'd a write */
        H5Dwrite(ds, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, x, v);
        H5Pclose(x);
    }
    H5Dclose(ds);
    H5Sclose(sp);
}

static void put_doubles(hid_t g, const char *name, hid_t type, const double *v, size_t n)
{
    hsize_t dims = n;
    hid_t sp = H5Screate_simple(1, &dims, NULL);
    hid_t ds = H5Dcreate2(g, name, type, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (n) {
        hid_t x = h5ds_xfer(type, H5T_NATIVE_DOUBLE, n);
        H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, x, v);
        H5Pclose(x);
    }
    H5Dclose(ds);
    H5Sclose(sp);
}

/* N strings, fixed-length (as Cell Ranger) or variable-length. */
static void put_strings(hid_t g, const char *name, char **v, size_t n, int fixed)
{
    hsize_t dims = n;
    size_t width = 1;
    for (size_t i = 0; i < n; i++)
        if (strlen(v[i]) + 1 > width) width = strlen(v[i]) + 1;
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, fixed ? width : H5T_VARIABLE);
    hid_t sp = H5Screate_simple(1, &dims, NULL);
    hid_t ds = H5Dcreate2(g, name, t, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    hid_t x = h5ds_xfer(t, t, n);
    if (n && fixed) {
        char *buf = calloc(n, width);
        for (size_t i = 0; i < n; i++) memcpy(buf + i * width, v[i], strlen(v[i]));
        H5Dwrite(ds, t, H5S_ALL, H5S_ALL, x, buf);
        free(buf);
    } else if (n)
        H5Dwrite(ds, t, H5S_ALL, H5S_ALL, x, v);
    H5Pclose(x);
    H5Dclose(ds);
    H5Sclose(sp);
    H5Tclose(t);
}

/* N short strings from the input: "X<byte>", sometimes empty, a duplicate or holding a line break. */
static char **make_strings(input *in, const char *prefix, size_t n)
{
    char **v = calloc(n + 1, sizeof *v);
    for (size_t i = 0; i < n; i++) {
        unsigned b = take(in);
        v[i] = malloc(32);
        if (b == 255) snprintf(v[i], 32, "%s", "");
        else if (b == 254) snprintf(v[i], 32, "%s\n%u", prefix, b);
        else snprintf(v[i], 32, "%s%u", prefix, b < 128 ? (unsigned)i : b);
    }
    return v;
}

static void free_strings(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++) free(v[i]);
    free(v);
}

/* Which datasets to leave out (bits of one input byte, mostly none). */
enum { MISS_BARCODES = 1, MISS_NAMES = 2, MISS_INDPTR = 4, MISS_SHAPE = 8, MISS_TYPES = 16 };

static void write_file(input *in, const char *path)
{
    unsigned flags = take(in), miss = take(in) < 224 ? 0 : take(in);
    int v3 = flags & 1, fixed = flags & 2;
    hid_t itype = int_types()[(flags >> 2) & 3];
    unsigned vkind = (flags >> 4) & 7;   /* data: i32 i64 u32 u16 f32 f64 f64 i8 */
    size_t genes = take(in) % 16, profiles = take(in) % 16, nnz = take(in) % 64;
    int64_t shape[2] = {(int64_t)genes, (int64_t)profiles};
    if (flags & 128) shape[take(in) & 1] += (int64_t)take(in) - 128;   /* a shape that disagrees */
    int64_t *indptr = calloc(profiles + 1, sizeof *indptr), *indices = calloc(nnz + 1, sizeof *indices);
    double *data = calloc(nnz + 1, sizeof *data);
    for (size_t j = 0; j <= profiles; j++) indptr[j] = j == profiles ? (int64_t)nnz : (int64_t)(take(in) % (nnz + 2));
    for (size_t k = 0; k < nnz; k++) indices[k] = (int64_t)take(in) % (int64_t)(genes + 2);
    for (size_t k = 0; k < nnz; k++) {
        unsigned b = take(in);
        data[k] = b == 255 ? -1 : b == 254 ? 1e12 : b == 253 ? 0.5 : b;
    }
    char **barcodes = make_strings(in, "B", profiles), **ids = make_strings(in, "ENSG", genes),
         **names = make_strings(in, "G", genes), **types = make_strings(in, "T", genes);
    for (size_t i = 0; i < genes; i++)
        if (strlen(types[i]) > 1 && (types[i][1] & 1)) snprintf(types[i], 32, "Gene Expression");

    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    hid_t g = H5Gcreate2(f, v3 ? "matrix" : "GRCh38", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (!(miss & MISS_SHAPE)) put_ints(g, "shape", H5T_STD_I32LE, shape, 2);
    if (!(miss & MISS_INDPTR)) put_ints(g, "indptr", itype, indptr, profiles + 1);
    put_ints(g, "indices", itype, indices, nnz);
    hid_t vt[8] = {H5T_STD_I32LE, H5T_STD_I64LE, H5T_STD_U32LE, H5T_STD_U16LE,
                   H5T_IEEE_F32LE, H5T_IEEE_F64LE, H5T_IEEE_F64BE, H5T_STD_I8LE};
    put_doubles(g, "data", vt[vkind], data, nnz);
    if (!(miss & MISS_BARCODES)) put_strings(g, "barcodes", barcodes, profiles, fixed);
    hid_t fg = v3 ? H5Gcreate2(g, "features", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT) : g;
    put_strings(fg, v3 ? "id" : "genes", ids, genes, fixed);
    if (!(miss & MISS_NAMES)) put_strings(fg, v3 ? "name" : "gene_names", names, genes, fixed);
    if (v3 && !(miss & MISS_TYPES)) put_strings(fg, "feature_type", types, genes, fixed);
    if (v3) H5Gclose(fg);
    H5Gclose(g);
    H5Fclose(f);
    free_strings(barcodes, profiles);
    free_strings(ids, genes);
    free_strings(names, genes);
    free_strings(types, genes);
    free(indptr);
    free(indices);
    free(data);
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
    input in = {d, n, 0};
    const char *path = fuzz_path("m.h5");
    write_file(&in, path);
    h5_opts o = {.all_features = take(&in) & 1};
    h5_matrix m;
    mc_err e = {{0}};
    if (h5_open(&m, path, &o, &e) < 0) {
        fuzz_one_line(&e);
        return 0;
    }
    uint64_t count, seen = 0;
    h5_entry x;
    int rc = h5_count_entries(&m, &count, &e);
    while (rc >= 0 && (rc = h5_next(&m, &x, &e)) == 1) {
        if (x.profile >= m.profiles_count || x.gene >= m.genes_count) abort();   /* promised in range */
        seen++;
    }
    if (rc < 0) fuzz_one_line(&e);
    else if (seen != count) abort();   /* h5_count_entries promised the number */
    h5_close(&m);
    return 0;
}
