#!/usr/bin/python3
"""Write small, deterministic HCA / 10x HDF5 files for the mc-import-hca tests.

usage: mkhca.py KIND OUT.h5

KIND is one of the names in KINDS below: well-formed layouts (several lanes,
plain 10x barcodes, two genomes, v3 with antibody features, float data,
variable-length strings, no gene_names) and corrupt ones (each with exactly
one defect, so the expected error is known).
"""
import sys

import h5py
import numpy as np

GENES = ["ENSG%011d" % (i + 1) for i in range(6)]
NAMES = ["Gene%d" % (i + 1) for i in range(6)]
HCA_BARCODES = ["MantonBM1_HiSeq_1-AAACCTGAGAAGGCCT-1", "MantonBM1_HiSeq_1-AAACCTGAGACAGGCT-1",
                "MantonBM1_HiSeq_2-AAACCTGAGAAGGCCT-1", "MantonBM2_HiSeq_1-AAACGGGAGTCGTACT-1",
                "MantonBM2_HiSeq_1-AAAGATGCATTGGTAC-1", "CB1-TTTGTCATCTTGTTTG-1"]
PLAIN_BARCODES = ["AAACCTGAGAAGGCCT-1", "AAACCTGAGACAGGCT-1", "AAACGGGAGTCGTACT-1", "AAAGATGCATTGGTAC-1"]


def dense(genes, profiles, seed):
    """A genes x profiles count matrix, mostly zeros, with one empty profile
    and values above 255 (to exercise every MMM encoding case downstream)."""
    rng = np.random.default_rng(seed)
    m = rng.integers(1, 6, size=(genes, profiles)) * (rng.random((genes, profiles)) < 0.6)
    m[:, 1] = 0
    m[0, 0] = 300
    return m


def csc(m):
    """indptr, indices, data of a dense matrix, column by column."""
    indptr, indices, data = [0], [], []
    for j in range(m.shape[1]):
        rows = np.nonzero(m[:, j])[0]
        indices.extend(rows.tolist())
        data.extend(m[rows, j].tolist())
        indptr.append(len(indices))
    return np.array(indptr, dtype=np.int64), np.array(indices, dtype=np.int64), np.array(data)


def fixed(strings):
    return np.array([s.encode() for s in strings])


def write_matrix(g, m, barcodes, data_dtype=np.int32):
    indptr, indices, data = csc(m)
    g.create_dataset("barcodes", data=fixed(barcodes))
    g.create_dataset("indptr", data=indptr)
    g.create_dataset("indices", data=indices)
    g.create_dataset("data", data=data.astype(data_dtype))
    g.create_dataset("shape", data=np.array(m.shape, dtype=np.int32))


def v2(f, name, barcodes, seed=1, genes=GENES, names=NAMES, data_dtype=np.int32, gene_names=True):
    g = f.create_group(name)
    write_matrix(g, dense(len(genes), len(barcodes), seed), barcodes, data_dtype)
    g.create_dataset("genes", data=fixed(genes))
    if gene_names:
        g.create_dataset("gene_names", data=fixed(names))
    return g


def v3(f, types, vlen=True):
    n = len(types)
    g = f.create_group("matrix")
    write_matrix(g, dense(n, len(PLAIN_BARCODES), 3), PLAIN_BARCODES)
    ft = g.create_group("features")
    text = (lambda v: np.array(v, dtype=h5py.string_dtype())) if vlen else fixed
    ft.create_dataset("id", data=text(["ENSG%011d" % (i + 1) if t == "Gene Expression" else "AB%d" % i
                                       for i, t in enumerate(types)]))
    ft.create_dataset("name", data=text(["Gene%d" % (i + 1) if t == "Gene Expression" else "CD%d" % i
                                         for i, t in enumerate(types)]))
    ft.create_dataset("feature_type", data=text(types))
    ft.create_dataset("genome", data=text(["GRCh38" if i % 3 else "mm10" for i in range(n)]))
    ft.create_dataset("_all_tag_keys", data=fixed(["genome"]))


def replace(g, name, value):
    del g[name]
    g.create_dataset(name, data=value)


def corrupt(f, fix):
    g = v2(f, "GRCh38", HCA_BARCODES)
    fix(g)


GE, AB = "Gene Expression", "Antibody Capture"

KINDS = {
    "lanes": lambda f: v2(f, "GRCh38", HCA_BARCODES),
    "plain": lambda f: v2(f, "GRCh38", PLAIN_BARCODES),
    "two-genomes": lambda f: (v2(f, "mm10", PLAIN_BARCODES[:3], seed=2), v2(f, "GRCh38", HCA_BARCODES)),
    "no-genome": lambda f: f.create_group("analysis").create_dataset("x", data=np.arange(3)),
    "v3-antibody": lambda f: v3(f, [GE, AB, GE, GE, AB, GE]),
    "v3-fixed": lambda f: v3(f, [GE, GE, GE, GE], vlen=False),
    "v3-antibody-only": lambda f: v3(f, [AB, AB]),
    "float": lambda f: v2(f, "GRCh38", HCA_BARCODES, data_dtype=np.float32),
    "no-gene-names": lambda f: v2(f, "GRCh38", PLAIN_BARCODES, gene_names=False),
    "vlen-barcodes": lambda f: replace(v2(f, "GRCh38", PLAIN_BARCODES), "barcodes",
                                       np.array(PLAIN_BARCODES, dtype=h5py.string_dtype())),
    # Corrupt files: one defect each (entry numbers are fixed by seed 1).
    "indptr-decreasing": lambda f: corrupt(f, lambda g: replace(g, "indptr", np.array([0, 3, 3, 2, 5, 7, g["indptr"][-1]]))),
    "indptr-start": lambda f: corrupt(f, lambda g: replace(g, "indptr", np.concatenate([[1], g["indptr"][1:]]))),
    "indptr-end": lambda f: corrupt(f, lambda g: replace(g, "indptr", np.concatenate([g["indptr"][:-1], [g["indptr"][-1] + 1]]))),
    "index-out-of-range": lambda f: corrupt(f, lambda g: replace(g, "indices", np.where(np.arange(len(g["indices"])) == 4, 6, g["indices"][:]))),
    "index-negative": lambda f: corrupt(f, lambda g: replace(g, "indices", np.where(np.arange(len(g["indices"])) == 2, -1, g["indices"][:]))),
    "negative": lambda f: corrupt(f, lambda g: replace(g, "data", np.where(np.arange(len(g["data"])) == 5, -3, g["data"][:]).astype(np.int32))),
    "fraction": lambda f: corrupt(f, lambda g: replace(g, "data", np.where(np.arange(len(g["data"])) == 1, 1.5, g["data"][:]))),
    "shape-mismatch": lambda f: corrupt(f, lambda g: replace(g, "shape", np.array([6, 7], dtype=np.int32))),
    "genes-mismatch": lambda f: corrupt(f, lambda g: replace(g, "gene_names", fixed(NAMES[:5]))),
    "indices-length": lambda f: corrupt(f, lambda g: replace(g, "indices", g["indices"][:-1])),
    "missing-data": lambda f: corrupt(f, lambda g: g.__delitem__("data")),
    "string-data": lambda f: corrupt(f, lambda g: replace(g, "data", fixed(["x"] * len(g["data"])))),
    # Out of range in a v3 file whose genes are filtered: found by the counting pass.
    "v3-index-out-of-range": lambda f: (v3(f, [GE, AB, GE, GE, AB, GE]), replace(f["matrix"], "indices", np.where(np.arange(len(f["matrix/indices"])) == 3, 9, f["matrix/indices"][:]))),
    "newline-barcode": lambda f: corrupt(f, lambda g: replace(g, "barcodes", fixed(HCA_BARCODES[:2] + ["A\nB-1"] + HCA_BARCODES[3:]))),
}


def main():
    """mkhca.py KIND OUT.h5 [KIND OUT.h5]...: one python for many files."""
    pairs = list(zip(sys.argv[1::2], sys.argv[2::2]))
    if len(sys.argv) < 3 or len(sys.argv) % 2 == 0 or any(k not in KINDS for k, _ in pairs):
        sys.exit("usage: mkhca.py KIND OUT.h5 [KIND OUT.h5]...\nKIND: " + " ".join(KINDS))
    for kind, out in pairs:
        with h5py.File(out, "w") as f:
            KINDS[kind](f)


if __name__ == "__main__":
    main()
