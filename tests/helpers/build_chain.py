"""Build a small hand-made chain of containers for tests/container.bats.

Usage: build_chain.py OUT.  Writes OUT/expected/NAME.dense (one line per
profile, as `container-tool dense` prints) and OUT/expected/NAME.names,
computed here with numpy from the same matrices."""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mcfix  # noqa: E402

out = sys.argv[1]
exp = os.path.join(out, "expected")
os.makedirs(exp, exist_ok=True)


def expect(name, dense, names):
    with open(os.path.join(exp, name + ".dense"), "w") as f:
        for row in np.asarray(dense):
            f.write(" ".join(str(int(v)) for v in row) + "\n")
    mcfix.write_lines(os.path.join(exp, name + ".names"), names)


genes = ["ACTB", "CD3E", "GAPDH", "MS4A1", "NKG7"]
gu = mcfix.write_genes(os.path.join(out, "genes"), genes)
A = np.array([[1, 0, 300, 0, 2], [0, 0, 0, 0, 0], [7, 256, 0, 70000, 1]])
B = np.array([[0, 5, 0, 0, 9], [4, 0, 0, 1, 0]])
bc_a = ["AAAC-1", "AAAG-1", "AAAT-1"]
bc_b = ["CCCA-1", "CCCG-1"]
ua = mcfix.write_batch(os.path.join(out, "cells/A"), A, gu, bc_a)
np.save(os.path.join(out, "cells/A/p.total_umis.npy"), A.sum(axis=1).astype("<f8"))
np.save(os.path.join(out, "cells/A/g.total_umis.npy"), A.sum(axis=0).astype("<f8"))
mcfix.write_lines(os.path.join(out, "cells/A/p.lane.txt"), ["L1"] * 3)
expect("A", A, bc_a)

# Views of A: profiles, genes, link.
mcfix.write_view(os.path.join(out, "vp"), "../cells/A", ua, gu, 3, 5, p_index=[0, 2])
expect("vp", A[[0, 2]], [bc_a[0], bc_a[2]])
mcfix.write_view(os.path.join(out, "vg"), "../cells/A", ua, gu, 3, 5, g_index=[1, 3, 4])
expect("vg", A[:, [1, 3, 4]], bc_a)
mcfix.write_view(os.path.join(out, "link"), "../cells/A", ua, gu, 3, 5)
expect("link", A, bc_a)

# A collection: member A is a link view to cells/A, member B a batch in place.
coll = os.path.join(out, "coll")
ula, _ = mcfix.write_view(os.path.join(coll, "A"), "../../cells/A", ua, gu, 3, 5)
ub = mcfix.write_batch(os.path.join(coll, "B"), B, gu, bc_b)
mcfix.write_lines(os.path.join(coll, "B/p.lane.txt"), ["L2"] * 2)
uc = mcfix.write_collection(coll, [("A", ula, 3), ("B", ub, 2)], gu, 5)
AB = np.vstack([A, B])
names_ab = mcfix.collection_names([("A", bc_a), ("B", bc_b)])
assert names_ab == bc_a + bc_b       # unique: no member prefix
expect("coll", AB, names_ab)

# A view of the collection slicing both axes, and a view of that view.
uvv, guvv = mcfix.write_view(os.path.join(out, "vv"), "../coll", uc, gu, 5, 5, p_index=[1, 3, 4], g_index=[0, 2, 4])
expect("vv", AB[[1, 3, 4]][:, [0, 2, 4]], [names_ab[i] for i in (1, 3, 4)])
mcfix.write_view(os.path.join(out, "vvv"), "../vv", uvv, guvv, 3, 3, p_index=[0, 2], g_index=[1, 2])
expect("vvv", AB[[1, 4]][:, [2, 4]], [names_ab[i] for i in (1, 4)])

# Groups of A: profiles 0 and 2 in group 0, profile 1 an outlier.
np.save(os.path.join(out, "cells/A/p.group.npy"), np.array([0, -1, 0], dtype="<i4"))
sums = A[[0]] + A[[2]]
mcfix.write_groups(os.path.join(out, "cells/A/groups"), ua, gu, sums)
np.save(os.path.join(out, "cells/A/groups/p.grouped_count.npy"), np.array([2], dtype="<i4"))
expect("groups", sums, ["0"])
