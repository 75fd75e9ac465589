"""The lines `make demo` must print, recomputed from its raw files with h5py.

Usage: demo_expect.py RAW.h5 LABELS.tsv MIN_UMIS  (prints the expected lines)"""
import sys

import h5py
import numpy as np

raw, labels_tsv, min_umis = sys.argv[1], sys.argv[2], int(sys.argv[3])
g = h5py.File(raw, "r")["GRCh38"]
barcodes = [b.decode() for b in g["barcodes"][:]]
indptr, data = g["indptr"][:], g["data"][:].astype(np.int64)
totals = np.array([data[indptr[i]:indptr[i + 1]].sum() for i in range(len(barcodes))])
names = barcodes                       # SPEC 7: a cell is named by its barcode as in the file
lane_of = [b.split("-", 1)[0] for b in barcodes]
lanes = []
for l in lane_of:
    if l not in lanes:
        lanes.append(l)
order = sorted(range(len(names)), key=lambda i: lanes.index(lane_of[i]))

print("== Lanes found: %d" % len(lanes))
for lane in lanes:
    print("   %-20s %6d cells x %d genes" % (lane, lane_of.count(lane), int(g["shape"][0])))
v = np.sort(totals)
N = len(v)
print("   cells %d  min %d  25%% %d  median %d  75%% %d  max %d  mean %.1f"
      % (N, v[0], v[int(N * .25)], v[int(N * .5)], v[int(N * .75)], v[-1], totals.mean()))
kept = [i for i in order if totals[i] >= min_umis]
print("   kept with at least %d UMIs: %d cells (view views/atlas)" % (min_umis, len(kept)))
label = dict(line.rstrip("\n").split("\t") for line in open(labels_tsv))
groups = []
for i in kept:
    if names[i] in label and label[names[i]] not in groups:
        groups.append(label[names[i]])
for lab in groups:
    members = [i for i in kept if label.get(names[i]) == lab]
    print("   %-14s %5d cells %10d UMIs" % (lab, len(members), totals[members].sum()))
print("   %d groups made" % len(groups))
print("   outliers: %d cells (view views/atlas/outliers)" % sum(names[i] not in label for i in kept))
