"""Compare an STD directory imported by mc from an .h5ad or Loom file with what
anndata or loompy read from the same file: every entry, names, ids and lanes.

Usage: check_h5x.py FILE STD [--layer NAME] [--lane-column COL] [-- FILE STD ...]
(prints "ok" when every STD matches its FILE; many pairs, one start-up)"""
import argparse
import csv
import os
import sys

import numpy as np
import scipy.io


def expected(path, layer, lane_column):
    """(counts genes x cells, cell names, gene names, gene ids or None, lanes or None)."""
    if path.endswith(".loom"):
        import loompy
        with loompy.connect(path, "r") as ds:
            m = ds.layers[layer][:, :] if layer else ds[:, :]
            ids = ds.ra["Accession"] if "Accession" in ds.ra else None
            lanes = ds.ca[lane_column] if lane_column else None
            return np.asarray(m), list(ds.ca["CellID"]), list(ds.ra["Gene"]), ids, lanes
    import anndata
    a = anndata.read_h5ad(path)
    if layer == "raw":
        x, var = a.raw.X, a.raw.var
    else:
        x, var = (a.layers[layer] if layer else a.X), a.var
    x = x.toarray() if hasattr(x, "toarray") else np.asarray(x)
    ids = list(var["gene_ids"]) if "gene_ids" in var else None
    lanes = list(a.obs[lane_column].astype(str)) if lane_column else None
    return x.T, list(a.obs_names), list(var.index), ids, lanes


def check(args):
    p = argparse.ArgumentParser()
    p.add_argument("file")
    p.add_argument("std")
    p.add_argument("--layer")
    p.add_argument("--lane-column")
    a = p.parse_args(args)
    m, cells, genes, ids, lanes = expected(a.file, a.layer, a.lane_column)
    got = scipy.io.mmread(os.path.join(a.std, "umis.mtx")).toarray()
    assert got.shape == m.shape, (a.std, got.shape, m.shape)
    assert (got == m).all(), a.std + ": counts differ"
    assert int(m.sum()) > 0
    with open(os.path.join(a.std, "profiles.csv")) as f:
        prof = list(csv.DictReader(f))
    with open(os.path.join(a.std, "genes.csv")) as f:
        gen = list(csv.DictReader(f))
    names = [r.get("name") or r["barcode"] for r in prof]
    assert names == [str(c) for c in cells], (a.std, names[:3], cells[:3])
    assert [r["name"] for r in gen] == [str(g) for g in genes], a.std
    if ids is None:
        assert "ensembl" not in gen[0], a.std
    else:
        assert [r["ensembl"] for r in gen] == [str(i) for i in ids], a.std
    if lanes is not None:
        assert [r["lane"] for r in prof] == [str(l) for l in lanes], a.std
        assert [r["barcode"] for r in prof] == [str(c) for c in cells], a.std


def main():
    group = []
    for arg in sys.argv[1:] + ["--"]:
        if arg != "--":
            group.append(arg)
            continue
        check(group)
        group = []
    print("ok")


if __name__ == "__main__":
    main()
