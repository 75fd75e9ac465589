"""bench/mcstore.sh's measurements, in one Python process per figure set.

usage: mcstore-read.py select COLLECTION WHOLE.h5ad SUB_VIEW ROUNDS
       mcstore-read.py whole COLLECTION WHOLE.h5ad ROUNDS
       mcstore-read.py rss-mcstore COLLECTION | rss-anndata WHOLE.h5ad | rss-base

select: a 1 % selection (keep.txt, profile indices) into a CSR matrix, three ways:
mcstore's umis(idx), anndata.read_h5ad(backed="r")[idx].to_memory(), and mc-export --h5ad of the
1 % view followed by anndata.read_h5ad.  whole: the whole collection by mcstore and by
anndata.read_h5ad of the uncompressed .h5ad, and the floor: numpy writing arrays of the CSR's sizes once
(anndata twice a round, before mcstore and before the floor).  Each is timed ROUNDS times in turn (A, B, A, B, ...,
the page cache warm); printed as NAME SECONDS... lines of wall seconds and NAME-cpu SECONDS... of CPU
seconds (user + system, every thread and waited-for child).  rss-*: one read, printing the CSR's bytes
(the peak RSS is measured outside, by GNU time)."""
import os
import resource
import subprocess
import sys
import time

import numpy as np


def cpu():
    """CPU seconds of this process (every thread) and of the children it waited for."""
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime


CPU = {}


def timed(f, name=None):
    t, c = time.perf_counter(), cpu()
    r = f()
    if name:
        CPU.setdefault(name, []).append(cpu() - c)
    return time.perf_counter() - t, r


def report(times):
    for k, v in times.items():
        print(k, *("%.3f" % s for s in v))
    for k, v in CPU.items():
        print(k + "-cpu", *("%.3f" % s for s in v))


def csr_bytes(m):
    return m.data.nbytes + m.indices.nbytes + m.indptr.nbytes


def main():
    import anndata
    import mcstore
    what = sys.argv[1]
    if what == "select":
        coll, whole, sub, rounds = sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
        idx = np.loadtxt("keep.txt", dtype=np.int64)
        c = mcstore.ProfilesContainer.load(coll)
        times = {"mcstore": [], "backed": [], "export": []}
        for _ in range(rounds):
            t, m = timed(lambda: c.umis(idx), "mcstore")
            times["mcstore"].append(t)
            t, a = timed(lambda: anndata.read_h5ad(whole, backed="r")[idx].to_memory(), "backed")
            times["backed"].append(t)
            assert (a.X != m).nnz == 0, "not the same matrix"

            def export():
                if os.path.exists("sub.h5ad"):
                    os.remove("sub.h5ad")
                subprocess.run(["mc-export", sub, "--h5ad", "sub.h5ad"], check=True)
                return anndata.read_h5ad("sub.h5ad")
            t, b = timed(export, "export")
            times["export"].append(t)
            assert (b.X != m).nnz == 0, "not the same matrix"
        report(times)
    elif what == "whole":
        coll, whole, rounds = sys.argv[2], sys.argv[3], int(sys.argv[4])
        c = mcstore.ProfilesContainer.load(coll)
        nnz, rows = 0, c.profiles_count   # the floor's sizes: the CSR's, nnz from mcstore's first round
        times = {"mcstore": [], "anndata": [], "floor": []}

        def floor():
            """The CSR's arrays allocated and written once by numpy, nothing decoded: what fresh memory costs."""
            return np.full(rows + 1, 1, np.int32), np.full(nnz, 1, np.int32), np.full(nnz, 1, np.float32)
        # mcstore and the floor each after an anndata read, which leaves them memory in the same state.
        for _ in range(rounds):
            t, m = timed(lambda: c.umis(), "mcstore")
            times["mcstore"].append(t)
            nnz = m.nnz
            del m
            for f in ("anndata", "floor", "anndata"):
                t, a = timed(lambda: anndata.read_h5ad(whole) if f == "anndata" else floor(), f)
                times[f].append(t)
                del a
        report(times)
    elif what == "rss-mcstore":
        print(csr_bytes(mcstore.ProfilesContainer.load(sys.argv[2]).umis()))
    elif what == "rss-anndata":
        print(csr_bytes(anndata.read_h5ad(sys.argv[2]).X))
    elif what == "rss-base":   # the interpreter with numpy, scipy, anndata and libmc loaded
        import scipy.sparse  # noqa: F401
        print(0)


main()
