"""scanpy's calculate_qc_metrics recomputed with numpy from a 10x HDF5 file read
by h5py, independently of mc, and compared with an mc-qc table read by pandas
(tests/qc.bats)."""
import h5py
import numpy as np
import pandas as pd
import scipy.sparse as sp


def read10x(path):
    """(X profiles x genes CSR int64, gene names upper-cased, barcodes) of a v2 or v3 file."""
    f = h5py.File(path, "r")
    g = f["matrix"] if "matrix" in f else f[next(iter(f.keys()))]
    genes = g["features/name"] if "features" in g else g["gene_names"]
    names = np.array([n.decode().upper() for n in genes[:]])
    barcodes = [b.decode() for b in g["barcodes"][:]]
    shape = tuple(int(x) for x in g["shape"][:])   # genes, cells
    X = sp.csc_matrix((g["data"][:].astype(np.int64), g["indices"][:], g["indptr"][:]), shape=shape).T.tocsr()
    return X, names, barcodes


def metrics(X, lists):
    """scanpy's obs metrics (log1p=True) of X for LISTS: name -> bool mask over X's genes, in name order."""
    X = sp.csr_matrix(X)
    total = np.asarray(X.sum(axis=1)).ravel()
    genes = np.asarray((X != 0).sum(axis=1)).ravel()
    cols = {
        "n_genes_by_counts": genes,
        "log1p_n_genes_by_counts": np.log1p(genes.astype(np.float64)),
        "total_counts": total,
        "log1p_total_counts": np.log1p(total.astype(np.float64)),
    }
    for name in sorted(lists):
        t = np.asarray(X[:, lists[name]].sum(axis=1)).ravel()
        cols["total_counts_" + name] = t
        cols["log1p_total_counts_" + name] = np.log1p(t.astype(np.float64))
        with np.errstate(invalid="ignore", divide="ignore"):
            cols["pct_counts_" + name] = t.astype(np.float64) / total.astype(np.float64) * 100
    return cols


def compare(tsv, names, cols, log1p=True):
    """'ok', or what differs between the table TSV and the expected NAMES (index) and COLS."""
    # round_trip: pandas' default parser may be one unit in the last place off on 17-digit values
    df = pd.read_csv(tsv, sep="\t", index_col=0, float_precision="round_trip")
    want = [c for c in cols if log1p or not c.startswith("log1p_")]
    if list(df.columns) != want:
        return "columns %s, expected %s" % (list(df.columns), want)
    if df.index.name != "name" or list(df.index) != list(names):
        return "profile names differ"
    for c in want:
        got, exp = df[c].to_numpy(), np.asarray(cols[c])
        if c.startswith("log1p_"):   # numpy may use its own SIMD log1p: within one unit in the last place
            if not np.all(np.abs(got - exp) <= np.spacing(exp)):
                return "%s differs" % c
        elif c.startswith("pct_"):
            if not np.array_equal(got.astype(np.float64), exp, equal_nan=True):
                return "%s differs: %s" % (c, [(g, e) for g, e in zip(got, exp) if not (g == e or g != g and e != e)][:3])
        elif got.dtype.kind != "i" or not np.array_equal(got, exp):
            return "%s differs (%s)" % (c, got.dtype)
    return "ok"
