"""Annotated .h5ad and Loom files for tests/annotations.bats, and the checks of what mc made of them.

Usage: mk_annot.py h5ad OUT          anndata's own writer: categorical (text and cluster numbers, one value
                                     missing), string, int64, float32, float64 and bool obs / var columns
       mk_annot.py h5ad-old OUT      anndata 0.7's encoding (written with h5py): a categorical as codes with a
                                     "categories" reference into obs/__categories, strings as fixed bytes
       mk_annot.py loom OUT          loompy: text, int, float and bool col / row attributes, a 2-D attribute
       mk_annot.py roundtrip IN OUT  every obs / var column of IN is in OUT with equal values (prints ok)
       mk_annot.py arrays IN DIR K   every obs (K p) or var (K g) column of IN (h5ad, h5ad-old or loom) equals
                                     DIR's K.* array (prints ok and their number)"""
import sys
import warnings

warnings.filterwarnings("ignore")   # the writers' own notes (implicit conversions) are not under test

import h5py
import numpy as np
import pandas as pd
import scipy.sparse as sp

CELLS, GENES = 40, 12
RESERVED_P = {"barcode", "lane", "batch", "name", "member", "base_index", "total_umis", "group", "grouped_count",
              "group_label"}
RESERVED_G = {"name", "original_name", "ensembl", "genome", "feature_type", "base_index", "total_umis"}


def matrix(seed=3):
    rng = np.random.default_rng(seed)
    return sp.csr_matrix(rng.poisson(1.5, (CELLS, GENES)).astype(np.float32))


def frames(seed=3):
    rng = np.random.default_rng(seed)
    obs = pd.DataFrame(index=["cell%02d" % i for i in range(CELLS)])
    types = np.array(["B cell", "NK", "T cell"])[np.arange(CELLS) % 3]
    obs["cell_type"] = pd.Categorical(types)                               # sorted categories, as pandas makes
    leiden = (np.arange(CELLS) * 7) % 12                                    # 0..11, every one used
    obs["leiden"] = pd.Categorical([str(v) for v in leiden], categories=[str(v) for v in range(12)])
    obs.loc["cell05", "leiden"] = np.nan                                    # a missing value
    obs["donor"] = ["donor %d, \"x\"" % i for i in range(CELLS)]            # unique strings, CSV-hostile
    obs["n_genes"] = rng.integers(-5, 3000000000, CELLS)                    # int64, some beyond int32
    obs["pct_mt"] = rng.random(CELLS).astype(np.float32)
    obs["score"] = rng.normal(size=CELLS)
    obs.loc["cell07", "score"] = np.nan
    obs["doublet"] = rng.random(CELLS) < 0.3
    obs["batch"] = pd.Categorical(np.array(["b1", "b2"])[np.arange(CELLS) % 2])   # mc's own name: obs_batch
    var = pd.DataFrame(index=["Gene%d" % j for j in range(GENES)])
    var["gene_ids"] = ["ENSG%05d" % j for j in range(GENES)]
    var["highly_variable"] = rng.random(GENES) < 0.5
    var["means"] = rng.random(GENES)
    var["n_cells"] = rng.integers(0, CELLS, GENES)
    var["module"] = pd.Categorical(np.array(["m1", "m2", "m3"])[np.arange(GENES) % 3])
    var["feature_types"] = ["Gene Expression"] * GENES
    return obs, var


def write_h5ad(out):
    import anndata
    obs, var = frames()
    anndata.AnnData(X=matrix(), obs=obs, var=var).write_h5ad(out)


def write_old(out):
    """obs / var as anndata 0.7 wrote them: no encoding on columns, categoricals by reference."""
    obs, var = frames()
    x = matrix()
    with h5py.File(out, "w") as f:
        g = f.create_group("X")
        g.attrs["h5sparse_format"] = "csr"
        g.attrs["h5sparse_shape"] = np.array(x.shape)
        g["data"], g["indices"], g["indptr"] = x.data, x.indices, x.indptr
        for name, frame in (("obs", obs), ("var", var)):
            d = f.create_group(name)
            d.attrs["_index"] = "index"
            d["index"] = np.array(frame.index, dtype="S")
            cats = d.create_group("__categories")
            for col in frame.columns:
                v = frame[col]
                if isinstance(v.dtype, pd.CategoricalDtype):
                    cats[col] = np.array(v.cat.categories, dtype="S")
                    d[col] = v.cat.codes.to_numpy().astype(np.int8)
                    d[col].attrs["categories"] = cats[col].ref
                elif v.dtype == object:
                    d[col] = np.array([s.encode() for s in v], dtype="S")
                else:
                    d[col] = v.to_numpy()
            d.attrs["column-order"] = np.array(list(frame.columns), dtype="S")


def write_loom(out):
    import loompy
    obs, var = frames()
    col = {"CellID": np.array(obs.index), "cell_type": np.array(obs["cell_type"].astype(str)),
           "n_genes": obs["n_genes"].to_numpy(), "pct_mt": obs["pct_mt"].to_numpy(),
           "doublet": obs["doublet"].to_numpy(), "batch": np.array(obs["batch"].astype(str)),
           "_tsne": np.zeros((CELLS, 2))}                                   # 2-D: left out
    row = {"Gene": np.array(var.index), "Accession": np.array(var["gene_ids"]),
           "means": var["means"].to_numpy(), "n_cells": var["n_cells"].to_numpy(),
           "highly_variable": var["highly_variable"].to_numpy()}
    loompy.create(out, matrix().T.toarray(), row, col)


def stored(kind, name):
    return ("obs_" if kind == "p" else "var_") + name if name in (RESERVED_P if kind == "p" else RESERVED_G) else name


def expected_columns(path):
    """(kind, name, values) of every annotation column of PATH, values as pandas reads them."""
    if path.endswith(".loom"):
        import loompy
        with loompy.connect(path, "r") as l:
            for k, attrs, skip in (("p", l.ca, {"CellID"}), ("g", l.ra, {"Gene", "Accession"})):
                for name in attrs.keys():
                    v = attrs[name]
                    if name not in skip and v.ndim == 1:
                        yield k, name, pd.Series(v)
        return
    import anndata
    with h5py.File(path, "r") as f:
        old = "__categories" in f["obs"]
    a = anndata.read_h5ad(path) if not old else None   # anndata 0.8 reads 0.7's categoricals as codes
    obs, var = frames() if old else (a.obs, a.var)
    for k, frame, skip in (("p", obs, set()), ("g", var, {"gene_ids"})):
        for name in frame.columns:
            if name not in skip:
                yield k, name, frame[name].reset_index(drop=True)


def same(name, want, got, exact_type):
    """Equal values: categoricals (as strings, missing as missing), strings, numbers (int64 and float32 as
    mc widens them), bools."""
    if isinstance(want.dtype, pd.CategoricalDtype):
        assert not exact_type or isinstance(got.dtype, pd.CategoricalDtype), (name, got.dtype)
        if exact_type:
            assert list(got.cat.categories) == list(want.cat.categories), (name, got.cat.categories)
        w, g = want.astype(object).where(want.notna(), None), got.astype(object).where(got.notna(), None)
        assert list(w) == list(g), (name, list(w), list(g))
    elif want.dtype == object or want.dtype.kind in "SU":
        w = [s.decode() if isinstance(s, bytes) else s for s in want]
        assert list(w) == [s.decode() if isinstance(s, bytes) else s for s in got], name
    elif want.dtype == bool:
        assert got.dtype == bool and list(want) == list(got), (name, got.dtype)
    else:
        assert got.dtype.kind == want.dtype.kind.replace("u", "i"), (name, want.dtype, got.dtype)
        assert np.array_equal(want.to_numpy().astype(np.float64 if want.dtype.kind == "f" else np.int64),
                              got.to_numpy(), equal_nan=want.dtype.kind == "f"), name


def roundtrip(src, out):
    import anndata
    a, b = anndata.read_h5ad(src), anndata.read_h5ad(out)
    assert list(a.obs_names) == list(b.obs_names) and sorted(a.var_names) == sorted(b.var_names)
    b = b[:, a.var_names]                   # the gene set's genes are in name order
    assert list(a.var["gene_ids"]) == list(b.var["gene_ids"])
    n = 0
    for kind, name, want in expected_columns(src):
        frame = b.obs if kind == "p" else b.var
        same(name, want, frame[stored(kind, name)].reset_index(drop=True), True)
        n += 1
    assert n == 13, n
    assert list(b.obs["member"]) == ["all"] * CELLS and list(b.obs["lane"]) == ["all"] * CELLS
    print("ok")


def arrays(src, d, only):
    """The gene set's genes are in name order: want is put in that order."""
    import os
    n = 0
    order = None
    if only == "g" and os.path.exists(os.path.join(d, "g.original_name.txt")):
        names = open(os.path.join(d, "g.original_name.txt")).read().split("\n")[:-1]
        order = [["Gene%d" % j for j in range(GENES)].index(x) for x in names]
    for kind, name, want in expected_columns(src):
        if kind != only:
            continue
        if order is not None:
            want = want.iloc[order].reset_index(drop=True)
        base = os.path.join(d, "%s.%s" % (kind, stored(kind, name)))
        if os.path.exists(base + ".txt"):
            got = pd.Series(open(base + ".txt", encoding="utf-8").read().split("\n")[:-1])
            if isinstance(want.dtype, pd.CategoricalDtype):
                want = want.astype(object).where(want.notna(), "")
        else:
            got = pd.Series(np.load(base + ".npy"))
        same(name, want, got, False)
        n += 1
    print("ok", n)


if __name__ == "__main__":
    what = sys.argv[1]
    {"h5ad": write_h5ad, "h5ad-old": write_old, "loom": write_loom}.get(what, lambda *a: None)(*sys.argv[2:3])
    if what == "roundtrip":
        roundtrip(*sys.argv[2:4])
    elif what == "arrays":
        arrays(*sys.argv[2:5])
