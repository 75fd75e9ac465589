"""Fixture and independent checks for tests/derived.bats.

`derived.py build OUT` writes, with mcfix (an independent writer), a small data
root and the truth it was made from (OUT/truth.npz).  The tests then import
this module to recompute every expected result with numpy and to recompute
uuids per SPEC 3 from the files the tools wrote."""
import os
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mcfix  # noqa: E402

GENES = ["ACTB", "CD3E", "CD79A", "GAPDH", "LYZ", "MS4A1", "NKG7", "PTPRC", "S100A8", "XIST"]
OTHER_GENES = ["ACTB", "CD3E", "CD79A", "GAPDH", "LYZ", "MS4A1", "NKG7", "PTPRC", "S100A9", "XIST"]


def barcodes(rng, n, suffix):
    return ["".join(rng.choice(list("ACGT"), 8)) + suffix for _ in range(n)]


def matrix(rng, profiles):
    """Profiles x genes counts; totals spread around 800; some values need several MMM pairs."""
    scale = rng.uniform(0.2, 2.5, size=(profiles, 1))
    m = rng.poisson(110 * scale, size=(profiles, len(GENES))) * (rng.random((profiles, len(GENES))) < 0.7)
    m[0, 2] = 300
    m[-1, 9] = 70000
    return m.astype(np.int64)


def build(out):
    rng = np.random.default_rng(7)
    gu = mcfix.write_genes(os.path.join(out, "genes"), GENES)
    truth = {}
    for name, n, suffix in (("L1", 6, "-1"), ("L2", 5, "-2")):
        truth[name] = matrix(rng, n)
        truth["bc_" + name] = barcodes(rng, n, suffix)
    truth["bc_L2"][3] = truth["bc_L1"][1]              # same barcode in two lanes: ambiguous when bare
    truth["L2"][2] = 0                                  # an empty profile
    for lane in ("L1", "L2"):
        mcfix.write_batch(os.path.join(out, "cells/S", lane), truth[lane], gu, truth["bc_" + lane])
        mcfix.write_lines(os.path.join(out, "cells/S", lane, "p.lane.txt"), [lane] * len(truth[lane]))
    truth["T"] = matrix(rng, 4)
    truth["bc_T"] = barcodes(rng, 4, "-1")
    mcfix.write_batch(os.path.join(out, "cells/T"), truth["T"], gu, truth["bc_T"])
    truth["N"] = matrix(rng, 3)                         # no barcodes: names are indices
    mcfix.write_batch(os.path.join(out, "cells/N"), truth["N"], gu)
    ou = mcfix.write_genes(os.path.join(out, "other/genes"), OTHER_GENES)
    truth["X"] = matrix(rng, 2)
    mcfix.write_batch(os.path.join(out, "other/X"), truth["X"], ou, barcodes(rng, 2, "-1"))
    np.savez(os.path.join(out, "truth.npz"), **{k: np.asarray(v) for k, v in truth.items()})
    S = np.vstack([truth["L1"], truth["L2"]])
    totals = S.sum(axis=1)
    assert (totals >= 800).any() and (totals < 800).any(), totals


class Fixture:
    def __init__(self, root):
        self.root = root
        t = np.load(os.path.join(root, "truth.npz"))
        self.t = {k: t[k] for k in t.files}
        self.genes_uuid = mcfix.file_uuid(os.path.join(root, "genes/g.name.txt"))

    def __getitem__(self, k):
        return self.t[k]

    def path(self, *parts):
        return os.path.join(self.root, *parts)

    @property
    def S(self):
        return np.vstack([self.t["L1"], self.t["L2"]])

    @property
    def S_names(self):
        # bc_L2[3] is bc_L1[1]: the collision makes every name carry its lane.
        return mcfix.collection_names([("L1", list(self.t["bc_L1"])), ("L2", list(self.t["bc_L2"]))])


# --- reading what the tools wrote ----------------------------------------------------


def tool(*args):
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def dense(container):
    """Rows of container-tool dense (the C library's add-into decoding)."""
    lines = tool("container-tool", "dense", container).splitlines()
    return np.array([[int(v) for v in line.split()] for line in lines], dtype=np.int64).reshape(len(lines), -1)


def names(container):
    return tool("container-tool", "names", container).splitlines()


def mmm_dense(path):
    """An independent MMM reader: (profiles, genes) int64."""
    with open(path, "rb") as f:
        b = f.read()
    assert b[:48] == mcfix.MAGIC
    P, G = np.frombuffer(b, "<u4", 2, 48)
    offsets = np.frombuffer(b, "<u4", int(P) + 1, len(b) - 4 * (int(P) + 1))
    out = np.zeros((P, G), dtype=np.int64)
    for p in range(P):
        g = 0
        for i in range(int(offsets[p]), int(offsets[p + 1]), 2):
            g += b[i]
            out[p, g] += b[i + 1]
    return out


def unquote(s):
    if s.startswith("'") and s.endswith("'"):
        return s[1:-1].replace("''", "'")
    if s.startswith('"') and s.endswith('"'):
        return s[1:-1]
    return s


def read_yaml(path):
    """The block mappings mc writes: scalars, and one list of flat mappings."""
    top, seq, item = {}, None, None
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("---") or line.startswith("..."):
                continue
            if line.startswith("- ") or line.startswith("  "):
                if line.startswith("- "):
                    item = {}
                    seq.append(item)
                k, v = line[2:].split(":", 1)
                item[k.strip()] = unquote(v.strip())
                continue
            k, v = line.split(":", 1)
            v = v.strip()
            if v:
                top[k] = unquote(v)
            else:
                seq = top[k] = []
    return top


def load(path):
    return np.load(path)


# --- uuids per SPEC 3, from the files -------------------------------------------------


def uuid_of(d):
    """A container's uuid recomputed from its files and, recursively, those it is built on."""
    m = read_yaml(os.path.join(d, "profiles.yaml"))
    if "base_profiles" in m:
        base = uuid_of(os.path.join(d, m["base_profiles"]))
        assert m["base_uuid"] == base, (d, m["base_uuid"], base)
        parts = [base] + [mcfix.file_uuid(os.path.join(d, f)) for f in ("p.base_index.npy", "g.base_index.npy")
                          if os.path.exists(os.path.join(d, f))]
        u = base if len(parts) == 1 else mcfix.combine(*parts)
    elif "combined_profiles" in m:
        members = m["combined_profiles"]
        for x in members:
            assert x["uuid"] == uuid_of(os.path.join(d, x["name"])), (d, x)
        u = mcfix.combine(*[uuid_of(os.path.join(d, x["name"])) for x in members])
    else:
        if "grouped_profiles" in m:
            assert m["grouped_uuid"] == uuid_of(os.path.join(d, m["grouped_profiles"])), d
        u = mcfix.file_uuid(os.path.join(d, "gp.umis.mmm"))
    assert m["uuid"] == u, (d, m["uuid"], u)
    return u


def genes_uuid_of(d):
    m = read_yaml(os.path.join(d, "profiles.yaml"))
    if "base_profiles" in m:
        base = genes_uuid_of(os.path.join(d, m["base_profiles"]))
        g = os.path.join(d, "g.base_index.npy")
        u = mcfix.combine(base, mcfix.file_uuid(g)) if os.path.exists(g) else base
    elif "combined_profiles" in m:
        us = {genes_uuid_of(os.path.join(d, x["name"])) for x in m["combined_profiles"]}
        assert len(us) == 1, us
        u = us.pop()
    elif "grouped_profiles" in m:
        u = genes_uuid_of(os.path.join(d, m["grouped_profiles"]))
    else:
        u = m["genes_uuid"]
    assert m["genes_uuid"] == u, (d, m["genes_uuid"], u)
    return u


def check_uuids(d):
    uuid_of(d)
    genes_uuid_of(d)


def stamp(d):
    """total_umis.uuid of container D: its uuid, then the file uuid of each cache array."""
    arrays = ("p.total_umis.npy", "g.total_umis.npy")
    return read_yaml(os.path.join(d, "profiles.yaml"))["uuid"] + "\n" + "".join(
        "%s %s\n" % (a, mcfix.file_uuid(os.path.join(d, a))) for a in arrays)


def tsv(names_, values):
    return "".join("%s\t%d\n" % (n, v) for n, v in zip(names_, values))


if __name__ == "__main__":
    if sys.argv[1] == "build":
        build(sys.argv[2])
    else:
        sys.exit("usage: derived.py build OUT")
