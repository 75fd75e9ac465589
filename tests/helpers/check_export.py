#!/usr/bin/python3
"""Check what mc-export wrote against independently known data (tests/export.bats).

usage:
  check_export.py mtx FILE DENSE                  Matrix Market vs a dense file
  check_export.py h5ad FILE DENSE NAMES GENE,...  anndata.read_h5ad vs dense, names, genes
  check_export.py 10x FILE DENSE NAMES GENE,...   h5py reading of a 10x v3 file, the same
  check_export.py mtx-10x FILE BARCODES FEATURES ORIGINAL.h5
  check_export.py h5ad-10x FILE ORIGINAL.h5       the export of a batch imported from ORIGINAL.h5

DENSE has a line per profile (values per gene, blank-separated), NAMES a
profile name per line: as tests/helpers/build_chain.py writes them.  The
10x comparisons key every non-zero by (gene id, barcode), so they hold
whatever order mc chose for genes.  Prints "ok" or raises.  Many checks,
one start-up: CHECK ARGS... -- CHECK ARGS... -- ...
"""
import gzip
import sys

import h5py
import numpy as np


def read_dense(path):
    with open(path) as f:
        rows = [[int(v) for v in line.split()] for line in f]
    return np.array(rows, dtype=np.int64).reshape(len(rows), -1)


def read_lines(path):
    with open(path) as f:
        return [line.rstrip("\n") for line in f]


def mtx_dense(path):
    """genes x profiles from a coordinate integer general file, checking the
    banner, 1-based indices, the count and the order (profile by profile, genes rising)."""
    with (gzip.open if path.endswith(".gz") else open)(path, "rt") as f:
        lines = f.read().split("\n")
    assert lines[0] == "%%MatrixMarket matrix coordinate integer general", lines[0]
    assert lines[-1] == "", "no final newline"
    rows, cols, n = (int(v) for v in lines[1].split())
    body = [tuple(int(v) for v in line.split()) for line in lines[2:-1]]
    assert len(body) == n, (len(body), n)
    m = np.zeros((rows, cols), dtype=np.int64)
    for i, j, v in body:
        assert 1 <= i <= rows and 1 <= j <= cols and v > 0, (i, j, v)
        m[i - 1, j - 1] = v
    assert [(j, i) for i, j, _ in body] == sorted((j, i) for i, j, _ in body), "not column-major"
    return m


def text(ds):
    return [v.decode() if isinstance(v, bytes) else v for v in ds[:]]


def csc_dense(g, genes, profiles):
    m = np.zeros((genes, profiles), dtype=np.int64)
    indptr, indices, data = g["indptr"][:], g["indices"][:], g["data"][:]
    for j in range(profiles):
        for k in range(indptr[j], indptr[j + 1]):
            m[indices[k], j] += data[k]
    return m


def original_10x(path):
    """{(gene id, barcode): value} of the Gene Expression features of a 10x v3 file."""
    with h5py.File(path, "r") as f:
        g = f["matrix"]
        ids, types, barcodes = text(g["features/id"]), text(g["features/feature_type"]), text(g["barcodes"])
        m = csc_dense(g, len(ids), len(barcodes))
    return {(ids[i], barcodes[j]): int(m[i, j]) for i, j in zip(*np.nonzero(m)) if types[i] == "Gene Expression"}


def keyed(m, ids, barcodes):
    """m: genes x profiles."""
    return {(ids[i], barcodes[j]): int(m[i, j]) for i, j in zip(*np.nonzero(m))}


def check(cmd, *a):
    if cmd == "mtx":
        got, want = mtx_dense(a[0]), read_dense(a[1]).T
        assert got.shape == want.shape and (got == want).all(), (got, want)
    elif cmd == "h5ad":
        import anndata
        x = anndata.read_h5ad(a[0])
        want, names, genes = read_dense(a[1]), read_lines(a[2]), a[3].split(",") if a[3] else []
        assert x.X.format == "csr" and x.X.dtype == np.float32, (x.X.format, x.X.dtype)
        assert x.shape == want.shape and (x.X.toarray() == want).all(), (x.X.toarray(), want)
        assert list(x.obs_names) == names, list(x.obs_names)
        assert list(x.var_names) == genes, list(x.var_names)
    elif cmd == "10x":
        want, names, genes = read_dense(a[1]), read_lines(a[2]), a[3].split(",") if a[3] else []
        with h5py.File(a[0], "r") as f:
            g = f["matrix"]
            assert f.attrs["filetype"] == "matrix" and f.attrs["version"] == 2
            assert list(g["shape"][:]) == [len(genes), len(names)]
            assert (g["data"].dtype, g["indices"].dtype, g["indptr"].dtype) == ("<i4", "<i8", "<i8")
            assert text(g["barcodes"]) == names and text(g["features/name"]) == genes
            assert text(g["features/id"]) == genes   # no g.ensembl.txt: the names stand in
            assert text(g["features/feature_type"]) == ["Gene Expression"] * len(genes)
            assert text(g["features/genome"]) == ["human"] * len(genes)
            assert text(g["features/_all_tag_keys"]) == ["genome"]
            got = csc_dense(g, len(genes), len(names))
        assert (got == want.T).all(), (got, want.T)
    elif cmd == "mtx-10x":
        m = mtx_dense(a[0])
        barcodes = read_lines(a[1])
        features = [line.split("\t") for line in read_lines(a[2])]
        assert all(len(f) == 3 and f[2] == "Gene Expression" for f in features)
        assert m.shape == (len(features), len(barcodes))
        assert keyed(m, [f[0] for f in features], barcodes) == original_10x(a[3])
    elif cmd == "h5ad-10x":
        import anndata
        x = anndata.read_h5ad(a[0])
        assert x.X.dtype == np.float32 and x.X.indices.dtype == np.int32 and x.X.indptr.dtype == np.int32
        got = keyed(x.X.toarray().T.astype(np.int64), list(x.var["gene_ids"]), list(x.obs_names))
        assert got == original_10x(a[1])
        with h5py.File(a[1], "r") as f:
            ids, names = text(f["matrix/features/id"]), text(f["matrix/features/name"])
        # The file's names, case kept, each with its own id, in the gene set's (upper-case) order.
        name_of = dict(zip(ids, names))
        assert list(x.var_names) == [name_of[i] for i in x.var["gene_ids"]]
        upper = [n.upper() for n in x.var_names]
        assert upper == sorted(upper) and list(x.var_names) != upper
        assert list(x.obs["barcode"]) == list(x.obs_names)
        assert list(x.obs.columns) == ["barcode", "batch", "lane"]
        assert str(x.obs["lane"].dtype) == "category" and list(x.obs["lane"].cat.categories) == ["all"]
    else:
        sys.exit("unknown command " + cmd)


def main(args):
    group = []
    for arg in args + ["--"]:
        if arg != "--":
            group.append(arg)
            continue
        try:
            check(*group)
        except AssertionError as e:
            raise AssertionError(" ".join(group) + ": " + str(e)[:2000]) from e
        group = []
    print("ok")


if __name__ == "__main__":
    main(sys.argv[1:])
