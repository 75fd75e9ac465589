"""Hostile HDF5 inputs (issue 17, findings 9 and 11), small on disk, written with h5py.

Usage: hostile_h5.py VARIANT OUT [N]   (variants below; every file is deterministic)

Large declared sizes cost nothing here: repeated chunks are deflated once and
written as they are stored (write_direct_chunk), and undeclared data is never
written at all."""
import sys
import zlib

import h5py
import numpy as np

STR = h5py.string_dtype()


def deflated(raw, repeat=1, level=9):
    """RAW * REPEAT deflated (zlib, as HDF5's gzip filter stores it), without holding it all."""
    z = zlib.compressobj(level)
    return b"".join([z.compress(raw) for _ in range(repeat)] + [z.flush()])


def chunked(g, name, values, chunk, total):
    """1-D dataset NAME of TOTAL values, every chunk of CHUNK the same VALUES (a pattern dividing CHUNK)."""
    d = g.create_dataset(name, shape=(total,), dtype=values.dtype, chunks=(chunk,), compression="gzip")
    blob = deflated(values.tobytes(), chunk // len(values))
    for at in range(0, total, chunk):
        d.id.write_direct_chunk((at,), blob)
    return d


def anndata_root(f):
    f.attrs["encoding-type"] = "anndata"
    f.attrs["encoding-version"] = "0.1.0"


def frame(f, name, index, **columns):
    g = f.create_group(name)
    g.attrs["encoding-type"] = "dataframe"
    g.attrs["encoding-version"] = "0.2.0"
    g.attrs["_index"] = "_index"
    g.attrs["column-order"] = np.array(list(columns), dtype=STR)
    if index is not None:
        g.create_dataset("_index", data=np.array(index, dtype=object), dtype=STR)
    for k, v in columns.items():
        g[k] = v
    return g


def csr(f, name, shape, indptr, indices, data):
    g = f.create_group(name)
    g.attrs["encoding-type"] = "csr_matrix"
    g.attrs["encoding-version"] = "0.1.0"
    g.attrs["shape"] = np.array(shape, dtype=np.int64)
    g["indptr"], g["indices"], g["data"] = indptr, indices, data
    return g


def small_h5ad(f, x_indptr=None, x_indices=None, obs_columns=None):
    """3 cells x 2 genes: counts [[1, 0], [0, 2], [3, 4]]."""
    anndata_root(f)
    frame(f, "obs", ["c0", "c1", "c2"], **(obs_columns or {}))
    frame(f, "var", ["g0", "g1"])
    indptr = np.array([0, 1, 2, 4]) if x_indptr is None else x_indptr
    indices = np.array([0, 1, 0, 1], dtype=np.int32) if x_indices is None else x_indices
    csr(f, "X", (3, 2), indptr, indices, np.array([1, 2, 3, 4], dtype=np.float32))


def tenx_v3(f, barcodes, genes=2):
    g = f.create_group("matrix")
    g["barcodes"] = np.array(barcodes)
    g["shape"] = np.array([genes, len(barcodes)], dtype=np.int64)
    ft = g.create_group("features")
    ft["id"] = np.array([b"ENSG%05d" % i for i in range(genes)])
    ft["name"] = np.array([b"G%d" % i for i in range(genes)])
    ft["feature_type"] = np.array([b"Gene Expression"] * genes)
    return g


DUPS = 20_000_000          # entries of gene 0 in profile 0, value 1 0 0 0 repeated: 5,000,000 UMIs
DUP_CHUNK = 1 << 20


def dup(out, kind):
    pattern = np.array([1, 0, 0, 0])
    with h5py.File(out, "w") as f:
        if kind == "10x":
            g = tenx_v3(f, [b"AAAC-1", b"AAAG-1"])
            g["indptr"] = np.array([0, DUPS, DUPS], dtype=np.int64)
            chunked(g, "indices", np.zeros(1, dtype=np.int64), DUP_CHUNK, DUPS)
            chunked(g, "data", pattern.astype(np.int32), DUP_CHUNK, DUPS)
            return
        anndata_root(f)
        frame(f, "obs", ["c0", "c1"])
        frame(f, "var", ["g0", "g1"])
        g = f.create_group("X")
        g.attrs["encoding-version"] = "0.1.0"
        g.attrs["shape"] = np.array([2, 2], dtype=np.int64)
        # CSR: profile 0 holds them; CSC: gene 0's column lists profile 0 again and again
        g.attrs["encoding-type"] = "csr_matrix" if kind == "csr" else "csc_matrix"
        g["indptr"] = np.array([0, DUPS, DUPS], dtype=np.int64)
        chunked(g, "indices", np.zeros(1, dtype=np.int32), DUP_CHUNK, DUPS)
        chunked(g, "data", pattern.astype(np.float32), DUP_CHUNK, DUPS)


BIG = 1 << 26              # values in one declared chunk: 512 MiB as read (8 bytes a value)


def bigchunk(out, kind):
    """One deflated chunk declared far larger than the data it holds (1,000 values)."""
    n = 1000
    blob8 = deflated(bytes(1 << 20), BIG * 8 >> 20, level=1)
    with h5py.File(out, "w") as f:
        if kind == "loom":
            d = f.create_dataset("matrix", shape=(2, n), maxshape=(2, None), dtype=np.float64, chunks=(1, BIG),
                                 compression="gzip")
            d.id.write_direct_chunk((0, 0), blob8)
            d.id.write_direct_chunk((1, 0), blob8)
            f.create_group("row_attrs")["Gene"] = np.array([b"g0", b"g1"])
            f.create_group("col_attrs")["CellID"] = np.array([b"c%d" % i for i in range(n)])
            f.create_group("layers")
            return
        if kind == "10x":
            g = tenx_v3(f, [b"C%04d-1" % i for i in range(n)])
        else:
            anndata_root(f)
            frame(f, "obs", ["c%d" % i for i in range(n)])
            frame(f, "var", ["g0", "g1"])
            g = f.create_group("X")
            g.attrs["encoding-type"] = "csr_matrix"
            g.attrs["encoding-version"] = "0.1.0"
            g.attrs["shape"] = np.array([n, 2], dtype=np.int64)
        g["indptr"] = np.arange(n + 1, dtype=np.int64)
        g["indices"] = np.zeros(n, dtype=np.int64)
        d = g.create_dataset("data", shape=(n,), maxshape=(None,), dtype=np.float64, chunks=(BIG,),
                             compression="gzip")
        d.id.write_direct_chunk((0,), blob8)


def declared(out, kind, n):
    """N cells declared, their names (and matrix) never written: a few kilobytes."""
    with h5py.File(out, "w") as f:
        if kind == "loom":
            f.create_dataset("matrix", shape=(2, n), dtype=np.float32, chunks=(2, 1 << 16))
            f.create_group("row_attrs")["Gene"] = np.array([b"g0", b"g1"])
            f.create_group("col_attrs").create_dataset("CellID", shape=(n,), dtype="S16", chunks=(1 << 16,))
            f.create_group("layers")
        elif kind == "h5ad":
            anndata_root(f)
            obs = frame(f, "obs", None)
            obs.create_dataset("_index", shape=(n,), dtype=STR, chunks=(1 << 16,))
            frame(f, "var", ["g0", "g1"])
            g = csr(f, "X", (n, 2), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int32), np.zeros(0))
            del g["indptr"]
            g.create_dataset("indptr", shape=(n + 1,), dtype=np.int64, chunks=(1 << 16,))
        else:
            g = tenx_v3(f, [])
            del g["barcodes"]
            g.create_dataset("barcodes", shape=(n,), dtype="S16", chunks=(1 << 16,))
            g["shape"][1] = n
            g.create_dataset("indptr", shape=(n + 1,), dtype=np.int64, chunks=(1 << 16,))
            g["indices"] = np.zeros(0, dtype=np.int64)
            g["data"] = np.zeros(0, dtype=np.int32)


def floats(out, kind):
    with h5py.File(out, "w") as f:
        if kind == "none":             # the sound file the others spoil
            small_h5ad(f)
        elif kind == "indptr":
            small_h5ad(f, x_indptr=np.array([0, 1.5, 2, 4]))
        elif kind == "indices":
            small_h5ad(f, x_indices=np.array([0, 1.7, 0, 1]))
        elif kind == "codes":          # anndata >= 0.8: a group {categories, codes}
            small_h5ad(f)
            g = f["obs"].create_group("sample")
            g.attrs["encoding-type"] = "categorical"
            g.attrs["encoding-version"] = "0.2.0"
            g.attrs["ordered"] = False
            g.create_dataset("categories", data=np.array(["A", "B"], dtype=object), dtype=STR)
            g["codes"] = np.array([0, 1.9, 1])
        elif kind == "codes07":        # anndata 0.7: codes whose attribute references the categories
            small_h5ad(f)
            cats = f["obs"].create_dataset("__categories/sample", data=np.array(["A", "B"], dtype=object), dtype=STR)
            f["obs"]["sample"] = np.array([0, 1.9, 1])
            f["obs"]["sample"].attrs["categories"] = cats.ref
        else:                          # Loom: a categorical column attribute
            f["matrix"] = np.array([[1, 0, 3], [0, 2, 4]], dtype=np.float32)
            f.create_group("row_attrs")["Gene"] = np.array([b"g0", b"g1"])
            c = f.create_group("col_attrs")
            c["CellID"] = np.array([b"c0", b"c1", b"c2"])
            g = c.create_group("sample")
            g["categories"] = np.array([b"A", b"B"])
            g["codes"] = np.array([0, 1.9, 1], dtype=np.float32)
            f.create_group("layers")


def external(out, kind):
    """obs/_index (or the 10x barcodes) read from another file."""
    with open("secret.txt", "wb") as s:
        s.write(b"AAAAAAAABBBBBBBBCCCCCCCC")
    with h5py.File(out, "w") as f:
        if kind == "10x-storage":
            g = tenx_v3(f, [b"x", b"y", b"z"])
            del g["barcodes"]
            g.create_dataset("barcodes", shape=(3,), dtype="S8", external=[("secret.txt", 0, 24)])
            g["indptr"] = np.array([0, 1, 2, 4], dtype=np.int64)
            g["indices"] = np.array([0, 1, 0, 1], dtype=np.int64)
            g["data"] = np.array([1, 2, 3, 4], dtype=np.int32)
            return
        small_h5ad(f)
        del f["obs"]["_index"]
        if kind == "storage":
            f["obs"].create_dataset("_index", shape=(3,), dtype="S8", external=[("secret.txt", 0, 24)])
        elif kind == "link":
            with h5py.File("other.h5", "w") as o:
                o["names"] = np.array([b"AAAAAAAA", b"BBBBBBBB", b"CCCCCCCC"])
            f["obs"]["_index"] = h5py.ExternalLink("other.h5", "/names")
        else:                          # a virtual dataset mapping other.h5's names
            with h5py.File("other.h5", "w") as o:
                o["names"] = np.array([b"AAAAAAAA", b"BBBBBBBB", b"CCCCCCCC"])
            layout = h5py.VirtualLayout(shape=(3,), dtype="S8")
            layout[:] = h5py.VirtualSource("other.h5", "names", shape=(3,))
            f["obs"].create_virtual_dataset("_index", layout)


def main():
    variant, out = sys.argv[1], sys.argv[2]
    kind, _, sub = variant.partition(":")
    if kind == "dup":
        dup(out, sub)
    elif kind == "bigchunk":
        bigchunk(out, sub)
    elif kind == "declared":
        declared(out, sub, int(sys.argv[3]))
    elif kind == "float":
        floats(out, sub)
    elif kind == "external":
        external(out, sub)
    else:
        sys.exit("unknown variant " + variant)


main()
