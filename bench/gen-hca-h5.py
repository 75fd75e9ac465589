#!/usr/bin/python3
"""Write a deterministic HCA-style HDF5 file of any size, in bounded memory.

usage: gen-hca-h5.py OUT.h5 GENES PROFILES PER_PROFILE

One genome group GRCh38 (10x v2 layout, gzip chunks of 80,000 like Cell Ranger),
barcodes LANE-BARCODE-1 over 4 lanes of 2 batches, PER_PROFILE entries in
every profile at evenly spaced genes (sorted, unique), values 1..5.  Written
1,000 profiles at a time so memory does not grow with the entry count.
"""
import sys

import h5py
import numpy as np

BLOCK = 1000


def barcode(j):
    acgt = "ACGT"
    seq = "".join(acgt[(j >> (2 * k)) & 3] for k in range(16))
    return "MantonBM%d_HiSeq_%d-%s-1" % (1 + j % 2, 1 + (j // 2) % 2, seq)


def main():
    out, genes, profiles, per = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    step = genes // per
    assert step >= 1, "PER_PROFILE must not exceed GENES"
    nnz = profiles * per
    with h5py.File(out, "w") as f:
        g = f.create_group("GRCh38")
        opts = dict(chunks=(max(1, min(80000, nnz)),), compression="gzip", compression_opts=4)
        indices = g.create_dataset("indices", (nnz,), dtype=np.int64, **opts)
        data = g.create_dataset("data", (nnz,), dtype=np.int32, **opts)
        for start in range(0, profiles, BLOCK):
            j = np.arange(start, min(start + BLOCK, profiles))
            idx = (j % step)[:, None] + np.arange(per)[None, :] * step
            indices[start * per:(start + len(j)) * per] = idx.ravel()
            data[start * per:(start + len(j)) * per] = (1 + (j[:, None] + idx) % 5).ravel()
        g.create_dataset("indptr", data=np.arange(profiles + 1, dtype=np.int64) * per)
        g.create_dataset("shape", data=np.array([genes, profiles], dtype=np.int32))
        g.create_dataset("barcodes", data=np.array([barcode(j).encode() for j in range(profiles)]))
        names = np.array([("ENSG%011d" % i).encode() for i in range(genes)])
        g.create_dataset("genes", data=names)
        g.create_dataset("gene_names", data=np.array([("GENE%d" % i).encode() for i in range(genes)]))


if __name__ == "__main__":
    main()
