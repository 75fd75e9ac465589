"""The peer: what a scanpy/AnnData user does with an HCA file, in one process.

Usage: peer.py RAW.h5 GROUPS.tsv OUT.h5ad     (OUT "-": no .h5ad written)
Load the 10x/HCA HDF5 into a cells x genes scipy CSR matrix (as scanpy.read_10x_h5
does), compute per-cell and per-gene totals, sum the cells of each group (labels
from GROUPS.tsv, names as the file's barcodes), and write an .h5ad with anndata."""
import sys

import anndata
import h5py
import numpy as np
import pandas as pd
import scipy.sparse as sp

raw, groups_tsv, out = sys.argv[1:4]
with h5py.File(raw, "r") as f:
    g = f[list(f.keys())[0]]
    G, P = (int(x) for x in g["shape"][:])
    X = sp.csc_matrix((g["data"][:].astype(np.float32), g["indices"][:], g["indptr"][:]), shape=(G, P)).T.tocsr()
    barcodes = [b.decode() for b in g["barcodes"][:]]
    names = barcodes                         # cells are named by their barcode, as mc names them
    genes = [n.decode() for n in g["gene_names"][:]]
p_total = np.asarray(X.sum(axis=1)).ravel()
g_total = np.asarray(X.sum(axis=0)).ravel()
labels = pd.read_csv(groups_tsv, sep="\t", header=None, names=["name", "label"], dtype=str).set_index("name")["label"]
lab = pd.Series(names).map(labels)
codes, uniques = pd.factorize(lab)          # -1 for unlabelled cells (outliers)
keep = codes >= 0
onehot = sp.csr_matrix((np.ones(keep.sum(), dtype=np.float32), (codes[keep], np.nonzero(keep)[0])), shape=(len(uniques), P))
sums = onehot @ X
ad = anndata.AnnData(X=X, obs=pd.DataFrame({"total_umis": p_total}, index=names),
                     var=pd.DataFrame({"total_umis": g_total}, index=pd.Index(genes).astype(str)))
ad.var_names_make_unique()
if out != "-":
    ad.write_h5ad(out)
print("peer: %d cells x %d genes, %d entries, %d groups, total %d" % (P, G, X.nnz, len(uniques), int(p_total.sum())))
