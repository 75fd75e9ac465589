"""Write .h5ad and Loom files with the real writers (anndata, loompy) for the tests.

Usage: mk_h5x.py VARIANT OUT [VARIANT OUT ...]   (variants below; many files, one start-up)"""
import sys
import warnings

warnings.filterwarnings("ignore")   # the writers' own notes (implicit conversions) are not under test

import numpy as np
import pandas as pd
import scipy.sparse as sp


def counts(cells, genes, density=0.2, seed=1):
    rng = np.random.default_rng(seed)
    m = sp.random(cells, genes, density=density, format="csr", random_state=seed, dtype=np.float64)
    m.data = np.ceil(m.data * rng.integers(1, 300, size=m.data.size))
    m[0, 0] = 70000                       # a count above 2^16 (and 255)
    return m.tocsr()


def frames(cells, genes, hca=False, seed=1):
    rng = np.random.default_rng(seed)
    if hca:
        lanes = ["MantonBM%d_HiSeq_%d" % (1 + i % 2, 1 + (i // 2) % 2) for i in range(cells)]
        names = ["%s-%s-1" % (l, "".join(rng.choice(list("ACGT"), 16))) for l in lanes]
    else:
        names = ["cell%05d" % i for i in range(cells)]
    obs = pd.DataFrame({"sample": pd.Categorical(rng.choice(["donorA", "donorB", "donorC"], cells)),
                        "depth": rng.integers(0, 1000, cells)}, index=names)
    gnames = ["Itgb2l", "CD3E", "Gapdh", "mt-Co1"] + ["Gene%d" % i for i in range(4, genes)]
    var = pd.DataFrame({"gene_ids": ["ENSMUSG%08d" % i for i in range(genes)]}, index=gnames[:genes])
    return obs, var


def adata(x, obs, var, **layers):
    import anndata
    a = anndata.AnnData(X=x, obs=obs, var=var)
    for k, v in layers.items():
        a.layers[k] = v
    return a


def write(a, out, compression=None):
    a.write_h5ad(out, compression=compression)


def main(variant, out):
    if variant.startswith("loom"):
        import loompy
        cells, genes = (5000, 1000) if variant == "loom-big" else (60, 40)
        m = counts(cells, genes, density=0.02 if variant == "loom-big" else 0.2)
        obs, var = frames(cells, genes, hca=variant == "loom-hca")
        layers = {"": m.T.toarray().astype(np.float32)}
        if variant == "loom-layer":
            layers = {"": np.log1p(m.T.toarray()).astype(np.float32), "spliced": m.T.toarray().astype(np.int32)}
        loompy.create(out, layers, {"Gene": np.array(var.index), "Accession": np.array(var["gene_ids"])},
                      {"CellID": np.array(obs.index), "sample": np.array(obs["sample"].astype(str))})
        return
    cells, genes = (5000, 300) if variant == "csc-big" else (60, 40)
    m = counts(cells, genes, density=0.05 if variant == "csc-big" else 0.2)
    obs, var = frames(cells, genes, hca=variant == "hca")
    if variant in ("csr", "hca"):
        write(adata(m.astype(np.float32), obs, var), out, "gzip")
    elif variant in ("csc", "csc-big"):
        write(adata(m.tocsc().astype(np.int64), obs, var), out)
    elif variant == "dense":
        write(adata(m.toarray().astype(np.int32), obs, var), out, "gzip")
    elif variant == "raw":                # X normalised, the counts in raw (var of raw)
        a = adata(m.astype(np.float32), obs, var)
        a.raw = a
        a.X = sp.csr_matrix(np.log1p(m.toarray())).astype(np.float32)
        write(a, out)
    elif variant == "layer":              # X normalised, the counts in layers/counts (CSC)
        write(adata(sp.csr_matrix(np.log1p(m.toarray())).astype(np.float32), obs, var, counts=m.tocsc()), out, "gzip")
    elif variant == "fraction":           # entry 2 (profile 1, gene 2) is 0.5
        x = sp.csr_matrix(np.array([[0, 1, 0], [2, 0, 0.5]], dtype=np.float32))
        o, v = frames(2, 3)
        write(adata(x, o, v), out)
    elif variant == "negative":           # profile 0, gene 1 is -1 (dense)
        o, v = frames(2, 3)
        write(adata(np.array([[0, -1, 0], [2, 0, 3]], dtype=np.int32), o, v), out)
    else:
        sys.exit("unknown variant " + variant)


if __name__ == "__main__":
    args = sys.argv[1:]
    if not args or len(args) % 2:
        sys.exit(__doc__)
    for i in range(0, len(args), 2):
        main(args[i], args[i + 1])
