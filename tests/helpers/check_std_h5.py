#!/usr/bin/python3
"""Compare an STD directory written by mc-import-hca with h5py's reading of the HDF5 file.

usage: check_std_h5.py H5 STD [--genome NAME] [--all-features]

Recomputes, independently of mc: the genes kept (v3: Gene Expression only unless
--all-features; --genome filters v3 features by genome or picks the v2 group),
the barcode / lane / batch split, and the matrix entries in column order from
indptr/indices/data, then checks genes.csv, profiles.csv and umis.mtx (size line
and every entry, in order).  Prints what differs and exits 1, or prints "ok".
"""
import csv
import sys

import h5py
import numpy as np


def text(ds):
    return [v.decode() if isinstance(v, bytes) else v for v in ds[:]]


def expected(path, genome, all_features):
    f = h5py.File(path, "r")
    if "matrix" in f and "features" in f["matrix"]:
        g = f["matrix"]
        ft = g["features"]
        ids, names, types = text(ft["id"]), text(ft["name"]), text(ft["feature_type"])
        keep = [(all_features or t == "Gene Expression") for t in types]
        if genome:
            keep = [k and gn == genome for k, gn in zip(keep, text(ft["genome"]))]
    else:
        groups = [k for k in f if isinstance(f[k], h5py.Group) and "indptr" in f[k]]
        g = f[genome or groups[0]]
        ids = text(g["genes"])
        names = text(g["gene_names"]) if "gene_names" in g else ids
        keep = [True] * len(ids)
    new = np.cumsum(keep) - 1
    genes = [(i, n) for i, n, k in zip(ids, names, keep) if k]
    barcodes = text(g["barcodes"])
    if all(b.count("-") >= 2 for b in barcodes):
        profiles = [(b.split("-", 1)[1], b.split("-", 1)[0], b.split("-", 1)[0].split("_", 1)[0]) for b in barcodes]
    else:
        profiles = [(b, "all", "all") for b in barcodes]
    indptr, indices, data = g["indptr"][:], g["indices"][:], g["data"][:]
    entries = []
    for j in range(len(barcodes)):
        for k in range(indptr[j], indptr[j + 1]):
            if keep[indices[k]]:
                entries.append((int(new[indices[k]]), j, int(data[k])))
    return genes, profiles, entries


def read_csv(path, fields):
    with open(path, newline="") as f:
        return [tuple(row[k] for k in fields) for row in csv.DictReader(f)]


def read_mtx(path):
    with open(path) as f:
        lines = [l for l in f if not l.startswith("%")]
    size = tuple(int(x) for x in lines[0].split())
    entries = [tuple(int(x) for x in l.split()) for l in lines[1:]]
    return size, [(r - 1, c - 1, v) for r, c, v in entries]


def main():
    args = sys.argv[1:]
    genome = args[args.index("--genome") + 1] if "--genome" in args else None
    genes, profiles, entries = expected(args[0], genome, "--all-features" in args)
    std = args[1]
    bad = []
    got_genes = read_csv(std + "/genes.csv", ("ensembl", "name"))
    if got_genes != genes:
        bad.append("genes.csv: %r != %r" % (got_genes[:5], genes[:5]))
    got_profiles = read_csv(std + "/profiles.csv", ("barcode", "lane", "batch"))
    if got_profiles != profiles:
        bad.append("profiles.csv: %r != %r" % (got_profiles[:5], profiles[:5]))
    size, got = read_mtx(std + "/umis.mtx")
    if size != (len(genes), len(profiles), len(entries)):
        bad.append("umis.mtx: size %r != %r" % (size, (len(genes), len(profiles), len(entries))))
    if got != entries:
        diff = next((i for i, (a, b) in enumerate(zip(got, entries)) if a != b), min(len(got), len(entries)))
        bad.append("umis.mtx: entry %d: %r != %r" % (diff, got[diff:diff + 1], entries[diff:diff + 1]))
    print("\n".join(bad) or "ok")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
