#!/usr/bin/python3
"""Check mcstore (python/mcstore over libmc.so) against the tools (tests/api.bats).

usage: check_mcstore.py CONTAINER...

For each container, everything read through mcstore must equal what the tools
give: the UMIs (any selection) mc-export --mtx's, every p and g array and
series mc-export --tsv's, every gg/pp/gp matrix mc-export --npy's, the profile
and gene names mc-export --barcodes/--features', total_umis mc-sum's, and
to_anndata() anndata's reading of mc-export --h5ad exactly.  Prints "ok" or raises.
"""
import os
import subprocess
import sys
import tempfile

import anndata
import numpy as np
import pandas as pd
import scipy.io
import scipy.sparse

import mcstore


# The tools run as they are: not with the sanitizer runtimes preloaded for this interpreter
# (tests/test_helper.bash's sanpy), which a tool not built with them must not get.
TOOL_ENV = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD"}


def tool(*args):
    return subprocess.run(args, check=True, capture_output=True, text=True, env=TOOL_ENV).stdout


def lines(text):
    return text.split("\n")[:-1]


def tsv_values(col, like):
    """A TSV column as the array LIKE is (mc-export --tsv: shortest exact numbers, nan, True/False)."""
    if like.dtype == np.bool_:
        assert set(col) <= {"True", "False"}, col
        return np.array([v == "True" for v in col])
    if like.dtype.kind in "if":
        return np.array([float(v) for v in col]).astype(like.dtype)
    return np.array(col, dtype=str)


def same(a, b, what):
    a, b = np.asarray(a), np.asarray(b)
    assert a.shape == b.shape, (what, a.shape, b.shape)
    if a.dtype.kind == "f":
        assert np.array_equal(a, b, equal_nan=True), (what, a, b)
    else:
        assert (a == b).all(), (what, a, b)


def check_umis(c, tmp):
    mtx = os.path.join(tmp, "m.mtx")
    tool("mc-export", c.path, "--mtx", "-o", mtx, "--barcodes", mtx + ".b", "--force")
    dense = scipy.io.mmread(mtx).toarray().T.astype(np.int64) if c.profiles_count and c.genes_count \
        else np.zeros((c.profiles_count, c.genes_count), np.int64)
    with open(mtx + ".b") as f:
        assert list(c.profile_names()) == lines(f.read())
    m = c.umis()
    assert isinstance(m, scipy.sparse.csr_matrix) and m.has_sorted_indices
    assert m.dtype == np.float32 and m.indices.dtype == np.int32 and m.indptr.dtype == np.int32
    same(m.toarray(), dense, "umis")
    for dtype in (np.int32, np.int64, np.float64):
        same(c.umis(dtype=dtype, threads=3).toarray(), dense, dtype)
    # Selections: profiles in any order with repeats, genes in any order; a mask.
    rng = np.random.default_rng(len(c.path))
    p = rng.integers(0, c.profiles_count, 2 * c.profiles_count) if c.profiles_count else []
    g = rng.permutation(c.genes_count)[: max(1, c.genes_count // 2)]
    s = c.umis(p, g, dtype=np.int64, threads=2)
    assert s.has_sorted_indices
    same(s.toarray(), dense[np.asarray(p, dtype=int)][:, g], "selection")
    same(c.umis(None, c.gene_names()[g]).toarray(), dense[:, g], "genes by name")
    if len(set(c.profile_names())) == c.profiles_count:
        same(c.umis(c.profile_names()[p]).toarray(), dense[np.asarray(p, dtype=int)], "profiles by name")
    mask = np.arange(c.profiles_count) % 2 == 0
    same(c.umis(mask).toarray(), dense[mask], "mask")
    for i in range(c.profiles_count):
        genes, counts = c.profile_umis(i)
        same(genes, np.flatnonzero(dense[i]), "profile genes")
        same(counts, dense[i][dense[i] != 0], "profile counts")
        row = np.ones(c.genes_count, np.uint64)
        c.add_profile_data(i, c.add_profile_data(i, row))
        same(row, 2 * dense[i] + 1, "add_profile_data")
    return dense


def check_totals(c, dense):
    sums = [line.split("\t") for line in lines(tool("mc-sum", c.path))]
    same(c.total_umis("p"), [float(t) for _, t in sums], "p totals")
    same(c.total_umis("p"), dense.sum(axis=1), "p totals")
    genes = [line.split("\t") for line in lines(tool("mc-sum", "--by", "gene", c.path))]
    assert list(c.gene_names()) == [n for n, _ in genes]
    same(c.total_umis("g"), [float(t) for _, t in genes], "g totals")
    pick = [i for i in range(c.profiles_count) if i % 2]
    same(c.total_umis("g", pick), dense[pick].sum(axis=0), "g totals of some")
    same(c.total_umis("p", pick), dense[pick].sum(axis=1), "p totals of some")


def check_arrays(c):
    for kind in ("p", "g"):
        avail = c.available_data(kind)
        shown = [line.split()[1:] for line in lines(tool("mc-info", c.path)) if line.startswith(f"  {kind}:")]
        assert shown == [avail], (kind, shown, avail)
        names = [n for n in avail if n != "base_index"]
        if not names:
            continue
        rows = [line.split("\t") for line in lines(tool("mc-export", c.path, "--tsv", kind, *names))]
        assert rows[0] == ["name"] + names, rows[0]
        keys = [r[0] for r in rows[1:]]
        for j, name in enumerate(names, 1):
            a = c.any_array(kind, name)
            assert c.has_array(kind, name) and not c.has_matrix(kind, name)
            same(a, tsv_values([r[j] for r in rows[1:]], a), f"{kind}.{name}")
            s = c.any_series(kind, name)
            assert list(s.index) == keys and s.name == name
            same(s.values, a, f"{kind}.{name} series")


def check_matrices(c, tmp, dense):
    npy = os.path.join(tmp, "m.npy")
    for kind in ("gg", "pp", "gp"):
        for name in c.available_data(kind):
            if kind == "gp" and name == "umis":
                want = dense.T
            else:
                tool("mc-export", c.path, "--npy", npy, f"{kind}.{name}", "--force")
                want = np.load(npy)
            m = c.any_matrix(kind, name)
            assert m.dtype == want.dtype and c.has_matrix(kind, name)
            same(m, want, f"{kind}.{name}")
            pi = [c.profiles_count - 1, 0] if c.profiles_count else []
            gi = [c.genes_count - 1, 0]
            rows = pi if kind[0] == "p" else gi
            cols = pi if kind[1] == "p" else gi
            same(c.any_matrix(kind, name, pi, gi), want[rows][:, cols], f"{kind}.{name} selected")
            f = c.any_frame(kind, name, pi, gi)
            gn = c.gene_names()
            assert list(f.index) == (rows if kind[0] == "p" else list(gn[rows]))
            assert list(f.columns) == (cols if kind[1] == "p" else list(gn[cols]))


def check_anndata(c, tmp):
    h5ad = os.path.join(tmp, "x.h5ad")
    tool("mc-export", c.path, "--h5ad", h5ad, "--force")
    want = anndata.read_h5ad(h5ad)
    got = c.to_anndata()
    assert got.shape == want.shape
    assert got.X.dtype == want.X.dtype and got.X.format == want.X.format
    same(got.X.indptr, want.X.indptr, "X.indptr")
    same(got.X.indices, want.X.indices, "X.indices")
    same(got.X.data, want.X.data, "X.data")
    for a, b in ((got.obs, want.obs), (got.var, want.var)):
        pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert list(got.obs_names) == list(want.obs_names) and list(got.var_names) == list(want.var_names)


def main():
    for path in sys.argv[1:]:
        with tempfile.TemporaryDirectory() as tmp, mcstore.ProfilesContainer.load(path) as c:
            assert (c.profiles_count, c.genes_count) == (len(c.profile_names()), len(c.gene_names()))
            info = lines(tool("mc-info", path))
            assert f"kind: {c.kind}" in info and f"uuid: {c.uuid}" in info, info
            dense = check_umis(c, tmp)
            check_arrays(c)
            check_matrices(c, tmp, dense)
            check_totals(c, dense)
            check_anndata(c, tmp)
    print("ok")


main()
