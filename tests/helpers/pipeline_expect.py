"""Independent expectations for a pipeline data root, from the raw HDF5 with h5py.

Usage: pipeline_expect.py RAW.h5 GROUPS.tsv OUTDIR [MIN_UMIS]
Writes OUTDIR/lanes.txt (lanes in order of first appearance), OUTDIR/names.txt
(profile names as mc gives them in views/NAME: the file's LANE-BARCODE-N, of the
profiles with at least MIN_UMIS UMIs, default 0), OUTDIR/totals.txt
(per-profile UMI totals, in that order), OUTDIR/gene_totals.txt (per-gene totals of
those profiles) and OUTDIR/groups.dense (group sums, one
line per group, genes in the gene set's order: upper-cased names sorted by bytes,
duplicates made unique as SPEC 5 says)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from spec_genes import canonical_names  # noqa: E402

import h5py
import numpy as np

raw, groups_tsv, out = sys.argv[1:4]
min_umis = int(sys.argv[4]) if len(sys.argv) > 4 else 0
os.makedirs(out, exist_ok=True)
f = h5py.File(raw, "r")
g = f[[k for k in f.keys()][0]]
barcodes = [b.decode() for b in g["barcodes"][:]]
indptr, indices, data = g["indptr"][:], g["indices"][:], g["data"][:].astype(np.int64)
G, P = (int(x) for x in g["shape"][:])
dense = np.zeros((P, G), dtype=np.int64)
for p in range(P):
    np.add.at(dense[p], indices[indptr[p]:indptr[p + 1]], data[indptr[p]:indptr[p + 1]])

lanes, lane_of = [], []
for b in barcodes:
    lane_of.append(b.split("-", 1)[0])
    if lane_of[-1] not in lanes:
        lanes.append(lane_of[-1])
names = barcodes           # SPEC 7: the file's barcodes; unique, so no lane prefix
# mc orders profiles by lane (first appearance), keeping the file order within a lane.
order = sorted(range(P), key=lambda i: lanes.index(lane_of[i]))
names = [names[i] for i in order]
dense = dense[order]

# The gene set's order (SPEC 5).
canon = canonical_names([n.decode() for n in g["gene_names"][:]])
gene_order = sorted(range(G), key=lambda i: canon[i].encode())
dense = dense[:, gene_order]

keep = dense.sum(axis=1) >= min_umis     # the view: profiles with at least MIN_UMIS UMIs
names = [n for n, k in zip(names, keep) if k]
dense = dense[keep]

with open(os.path.join(out, "lanes.txt"), "w") as fo:
    fo.writelines(l + "\n" for l in lanes)
with open(os.path.join(out, "names.txt"), "w") as fo:
    fo.writelines(n + "\n" for n in names)
with open(os.path.join(out, "totals.txt"), "w") as fo:
    fo.writelines("%d\n" % t for t in dense.sum(axis=1))
with open(os.path.join(out, "gene_totals.txt"), "w") as fo:
    fo.writelines("%d\n" % t for t in dense.sum(axis=0))

labels = {}
for line in open(groups_tsv):
    name, label = line.rstrip("\n").split("\t")
    labels[name] = label
order_labels = []
for n in names:
    if n in labels and labels[n] not in order_labels:
        order_labels.append(labels[n])
with open(os.path.join(out, "groups.dense"), "w") as fo:
    for lab in order_labels:
        s = sum(dense[i] for i, n in enumerate(names) if labels.get(n) == lab)
        fo.write(" ".join(str(int(v)) for v in s) + "\n")
