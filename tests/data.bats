#!/usr/bin/env bats
# Any datum (p, g, gg, pp, dense gp) written with mc-write-data and read back
# with mc-export through every kind of container (common/store/datum.c), checked
# against numpy's slicing of the same arrays, on the hand-built chain of
# tests/helpers/build_chain.py: cells/A (3 profiles x 5 genes), vp (profiles
# 0 and 2), vg (genes 1, 3, 4), link, coll (A: a link to cells/A, B: 2
# profiles), vv (coll's profiles 1, 3, 4 and genes 0, 2, 4).

load test_helper

# The data written, and what every container must show, in Python.
write_inputs() {
    py <<'PY'
import numpy as np
rng = np.random.default_rng(16)
genes = ["ACTB", "CD3E", "GAPDH", "MS4A1", "NKG7"]
bc_a = ["AAAC-1", "AAAG-1", "AAAT-1"]
bc_b = ["CCCA-1", "CCCG-1"]
def tsv_array(path, keys, values, order):
    with open(path, "w") as f:
        for i in order:
            f.write("%s\t%s\n" % (keys[i], values[i]))
def tsv_matrix(path, rows, cols, m, rorder, corder):
    with open(path, "w") as f:
        f.write("key\t" + "\t".join(cols[j] for j in corder) + "\n")
        for i in rorder:
            f.write(rows[i] + "\t" + "\t".join(repr(float(m[i, j])) for j in corder) + "\n")
data = {}
for c, P, bc in (("A", 3, bc_a), ("B", 2, bc_b)):
    d = data[c] = {}
    d["p.score"] = rng.normal(size=P)
    d["p.label"] = np.array(["t", "b", "nk", "mono", "b"][:P])
    d["p.flag"] = np.array([True, False, True, True, False][:P])
    d["gp.expr"] = rng.normal(size=(5, P))
    d["gp.fold_in_group"] = rng.normal(size=(5, P))
    np.save(c + ".score.npy", d["p.score"])                                # float64, little-endian
    tsv_array(c + ".label.tsv", bc, d["p.label"], range(P)[::-1])           # text, by name, any order
    tsv_array(c + ".flag.tsv", [str(i) for i in range(P)], d["p.flag"], range(P))   # bool, by index
    np.save(c + ".expr.npy", d["gp.expr"])                                  # C order: stored fortran
    np.save(c + ".fold.npy", np.asfortranarray(d["gp.fold_in_group"]).astype(">f8"))
a = data["A"]
a["g.weight"] = rng.integers(-5, 5, size=5)
a["g.mean_fraction"] = rng.random(5)
a["gg.cov"] = rng.normal(size=(5, 5))
a["pp.sim"] = rng.integers(0, 100, size=(3, 3)).astype("<i4")
a["pp.correlation"] = rng.normal(size=(3, 3))
tsv_array("A.weight.tsv", [g.lower() for g in genes], a["g.weight"], [4, 0, 2, 1, 3])   # case-insensitive
np.save("A.mean_fraction.npy", a["g.mean_fraction"].astype("<f4"))
a["g.mean_fraction"] = a["g.mean_fraction"].astype("<f4")
tsv_matrix("A.cov.tsv", genes, genes, a["gg.cov"], [3, 1, 0, 4, 2], [2, 0, 4, 1, 3])
np.save("A.sim.npy", a["pp.sim"])
np.save("A.correlation.npy", a["pp.correlation"])
# The collection's own per-gene data and profile matrix.
k = data["coll"] = {}
k["g.weight"] = rng.random(5)
k["gg.cov"] = rng.normal(size=(5, 5))
k["pp.sim"] = rng.normal(size=(5, 5))
np.save("coll.weight.npy", k["g.weight"])
np.save("coll.cov.npy", k["gg.cov"])
names = bc_a + bc_b
tsv_matrix("coll.sim.tsv", names, names, k["pp.sim"], [4, 3, 2, 1, 0], range(5))
np.save("expected.npy", data, allow_pickle=True)
PY
}

# What CONTAINER shows of every datum, each as .npy in out/CONTAINER/ ("hidden" when mc-export says there is none).
read_all() {
    mkdir -p "out/$1"
    for d in p.score p.label p.flag g.weight g.mean_fraction gg.cov pp.sim pp.correlation gp.expr gp.fold_in_group; do
        run mc-export "d/$1" --npy "out/$1/$d.npy" "$d"
        if [ "$status" -ne 0 ]; then
            assert_failure 1
            assert_output "mc-export: d/$1: $d: no such data (mc-info lists what there is)"
            touch "out/$1/$d.hidden"
        fi
    done
}

@test "every kind written with mc-write-data reads back through a link, slicing views and a collection as numpy slices it" {
    build_chain
    write_inputs
    for c in A B; do
        dir=d/cells/A
        [ $c = B ] && dir=d/coll/B
        mc-write-data $dir p.score $c.score.npy
        mc-write-data $dir p.label - <$c.label.tsv
        mc-write-data $dir p.flag $c.flag.tsv
        mc-write-data $dir gp.expr $c.expr.npy
        mc-write-data $dir gp.fold_in_group $c.fold.npy
    done
    mc-write-data d/cells/A g.weight A.weight.tsv
    mc-write-data d/cells/A g.mean_fraction A.mean_fraction.npy
    mc-write-data d/cells/A gg.cov A.cov.tsv
    mc-write-data d/cells/A pp.sim A.sim.npy
    mc-write-data d/cells/A pp.correlation A.correlation.npy
    mc-write-data d/coll g.weight coll.weight.npy
    mc-write-data d/coll gg.cov coll.cov.npy
    mc-write-data d/coll pp.sim coll.sim.tsv
    for c in cells/A link vp vg coll vv; do read_all $c; done
    run py <<'PY'
import os
import numpy as np
data = np.load("expected.npy", allow_pickle=True).item()
a, b, k = data["A"], data["B"], data["coll"]
on_genes = {"g.mean_fraction", "p.total_umis", "pp.correlation"}
on_profiles = {"g.mean_fraction", "g.total_umis", "gp.fold_in_group", "pp.correlation"}
axes = {"p": "p", "g": "g", "gg": "gg", "pp": "pp", "gp": "gp"}
def sliced(name, m, pi, gi):
    kind = name.split(".")[0]
    if (pi is not None and name in on_profiles) or (gi is not None and name in on_genes):
        return None
    for axis, ax in enumerate(kind):
        index = pi if ax == "p" else gi
        if index is not None:
            m = np.take(m, index, axis=axis)
    return m
coll = {n: np.concatenate([a[n], b[n]], axis=-1) for n in b}   # p arrays and gp matrices side by side
coll.update(k)
want = {"cells/A": (a, None, None), "link": (a, None, None), "vp": (a, [0, 2], None),
        "vg": (a, None, [1, 3, 4]), "coll": (coll, None, None), "vv": (coll, [1, 3, 4], [0, 2, 4])}
bad, checked = [], 0
for c, (src, pi, gi) in want.items():
    for name in sorted(set(a) | set(k)):
        e = sliced(name, src[name], pi, gi) if name in src else None
        path = "out/%s/%s.npy" % (c, name)
        got = np.load(path) if os.path.exists(path) else None
        if e is None or got is None:
            if (e is None) != (got is None):
                bad.append("%s %s: expected %s, got %s" % (c, name, e, got))
            continue
        checked += 1
        if got.shape != e.shape or got.dtype.kind != e.dtype.kind or not np.array_equal(got, e):
            bad.append("%s %s: %s %s != %s %s" % (c, name, got.dtype, got.tolist(), e.dtype, e.tolist()))
print("\n".join(bad) or "ok %d" % checked)
PY
    assert_output "ok 50"
    # hidden: what depends on a sliced axis, nothing else
    for f in vp/g.mean_fraction vp/pp.correlation vp/gp.fold_in_group vg/g.mean_fraction vg/pp.correlation \
             coll/g.mean_fraction coll/pp.correlation vv/g.mean_fraction vv/pp.correlation vv/gp.fold_in_group; do
        [ -e "out/$f.hidden" ]
    done
    [ "$(ls out/*/*.hidden | wc -l)" -eq 10 ]
    # the stored forms: text as .txt lines, dense gp in fortran order, numbers as numpy wrote them
    assert_equal "$(cat d/cells/A/p.label.txt)" "t
b
nk"
    run py <<'PY'
import numpy as np
for f in ("d/cells/A/gp.expr.npy", "d/cells/A/gp.fold_in_group.npy", "d/cells/A/gg.cov.npy", "d/cells/A/p.flag.npy",
          "d/cells/A/g.weight.npy"):
    m = np.load(f)
    print(f, m.dtype.str, m.shape, m.flags.f_contiguous and not m.flags.c_contiguous)
PY
    assert_output "d/cells/A/gp.expr.npy <f8 (5, 3) True
d/cells/A/gp.fold_in_group.npy <f8 (5, 3) True
d/cells/A/gg.cov.npy <f8 (5, 5) False
d/cells/A/p.flag.npy |b1 (3,) False
d/cells/A/g.weight.npy <i8 (5,) False"
    run mc-info --verify d/vv
    assert_success
}

@test "a link view shares gg and pp with its base; mc-info lists them" {
    build_chain
    py <<'PY'
import numpy as np
np.save("pp.npy", np.arange(9.0).reshape(3, 3))
np.save("gg.npy", np.eye(5))
PY
    mc-write-data d/cells/A pp.knn pp.npy
    mc-write-data d/cells/A gg.eye gg.npy
    run mc-info d/link
    assert_line "  gg: eye"
    assert_line "  pp: knn"
    run mc-info d/vp
    assert_line "  pp: knn"
    run mc-export d/vp --tsv pp knn
    assert_output "name	AAAC-1	AAAT-1
AAAC-1	0	2
AAAT-1	6	8"
    run mc-export d/vg --tsv gg eye
    assert_output "name	CD3E	MS4A1	NKG7
CD3E	1	0	0
MS4A1	0	1	0
NKG7	0	0	1"
}

@test "a view keeps its own data: its base is never written, and the view's datum hides the base's" {
    build_chain
    printf 'AAAC-1\t1\nAAAG-1\t2\nAAAT-1\t3\n' >base.tsv
    printf 'AAAC-1\tx\nAAAT-1\ty\n' >view.tsv
    mc-write-data d/cells/A p.tag base.tsv
    before=$(cd d/cells/A && md5sum p.tag.npy)
    run mc-write-data d/vp p.tag view.tsv
    assert_failure 1
    assert_output "mc-write-data: d/vp: p.tag is its base's; --force writes the view's own, hiding it (a base is never written)"
    [ ! -e d/vp/p.tag.txt ]
    mc-write-data --force d/vp p.tag view.tsv
    assert_equal "$(cd d/cells/A && md5sum p.tag.npy)" "$before"
    run mc-export d/vp --tsv p tag
    assert_output "name	tag
AAAC-1	x
AAAT-1	y"
    run mc-export d/link --tsv p tag
    assert_output "name	tag
AAAC-1	1
AAAG-1	2
AAAT-1	3"
    # replacing its own: --force, and the other form (.txt for .npy) goes
    run mc-write-data d/vp p.tag base.tsv
    assert_failure 1
    assert_output "mc-write-data: d/vp/p.tag.txt: p.tag exists; --force replaces it"
    printf '0\t5\n1\t6\n' | mc-write-data --force d/vp p.tag
    (cd d/vp && assert_only p.base_index.npy p.tag.npy profiles.yaml)
    run mc-info --verify d/vp
    assert_success
}

@test "every .npy dtype numpy writes for the store is read; others are refused saying how to convert" {
    build_chain
    py <<'PY'
import numpy as np
v = [3, -1, 70000]
for t in ("<i4", "<i8", "<f4", "<f8", ">i4", ">i8", ">f4", ">f8"):
    np.save("t%s%s.npy" % (t[1:], "be" if t[0] == ">" else ""), np.array(v, dtype=t))
np.save("bool.npy", np.array([True, False, True]))
np.save("u.npy", np.array(["b", "é", "T cell"]))
np.save("ube.npy", np.array(["b", "é", "T cell"]).astype(">U6"))
np.save("u2.npy", np.array([3, 1, 7], dtype="<u4"))
PY
    for f in ti4 ti8 tf4 tf8 ti4be ti8be tf4be tf8be bool u ube; do
        mc-write-data d/cells/A p.$f $f.npy
    done
    run mc-export d/vp --tsv p ti4 ti8 tf4 tf8 ti4be ti8be tf4be tf8be bool u ube
    assert_output "name	ti4	ti8	tf4	tf8	ti4be	ti8be	tf4be	tf8be	bool	u	ube
AAAC-1	3	3	3	3	3	3	3	3	True	b	b
AAAT-1	70000	70000	70000	70000	70000	70000	70000	70000	True	T cell	T cell"
    run py <<'PY'
import numpy as np
print(" ".join(np.load("d/cells/A/p.%s.npy" % f).dtype.str for f in ("ti4", "ti8", "tf4", "tf8", "ti4be", "ti8be",
                                                                     "tf4be", "tf8be", "bool")))
PY
    assert_output "<i4 <i8 <f4 <f8 <i4 <i8 <f4 <f8 |b1"
    assert_equal "$(cat d/cells/A/p.u.txt)" "b
é
T cell"
    mc-export d/vp --npy u.out.npy p.u
    run "$PY" -c 'import numpy as np; a = np.load("u.out.npy"); print(a.dtype.str, a.tolist())'
    assert_output "<U6 ['b', 'T cell']"
    cat tf8be.npy | mc-write-data d/cells/A p.piped              # a .npy on stdin, known by its magic
    mc-write-data d/cells/A p.redirected <tf4.npy
    run bash -c 'head -c -1 tf8.npy | mc-write-data d/cells/A p.short'
    assert_failure 1
    assert_output "mc-write-data: stdin: truncated .npy data"
    [ ! -e d/cells/A/p.short.npy ]
    run mc-export d/link --tsv p piped redirected
    assert_output "name	piped	redirected
AAAC-1	3	3
AAAG-1	-1	-1
AAAT-1	70000	70000"
    run mc-write-data d/cells/A p.u2 u2.npy
    assert_failure 1
    assert_output "mc-write-data: u2.npy: unsupported .npy dtype '<u4' (mc reads int32, int64, float32, float64, bool \
and str; convert it, e.g. with a.astype('<i8') or a.astype('<f8'))"
    [ ! -e d/cells/A/p.u2.npy ]
}

@test "an array that cannot be read is left out of an export of every array, with a warning" {
    build_chain
    py <<'PY'
import numpy as np
np.save("d/cells/A/p.be.npy", np.array([1.5, 2, 3], dtype=">f8"))      # read now
np.save("d/cells/A/p.odd.npy", np.array([1, 2, 3], dtype="<u2"))       # not
PY
    run mc-export d/link --tsv p
    assert_success
    assert_line --index 0 "mc-export: warning: d/link/../cells/A/p.odd.npy: unsupported .npy dtype '<u2' (mc reads int32, \
int64, float32, float64, bool and str; convert it, e.g. with a.astype('<i8') or a.astype('<f8')) (left out)"
    assert_line --index 1 "name	barcode	be	group	lane	total_umis"
    assert_line --index 2 "AAAC-1	AAAC-1	1.5	0	L1	303"
    mc-export d/link --h5ad a.h5ad 2>err
    run "$PY" -c 'import anndata; a = anndata.read_h5ad("a.h5ad"); print(list(a.obs.columns), list(a.obs["be"]))'
    assert_output "['barcode', 'be', 'group', 'lane', 'total_umis'] [1.5, 2.0, 3.0]"
    run mc-export d/link --tsv p odd      # named: an error
    assert_failure 1
}

@test "bad input: one line naming file and line, exit 1, nothing written" {
    build_chain
    py <<'PY'
import numpy as np
np.save("wrong.npy", np.zeros((3, 5)))
np.save("short.npy", np.zeros(2))
PY
    snapshot() { (cd d && find cells/A vp coll -type f | LC_ALL=C sort | xargs md5sum); }
    before=$(snapshot)
    printf 'AAAC-1\t1\nAAAT-1\t2\n' >short.tsv
    run mc-write-data d/cells/A p.x short.tsv
    assert_failure 1
    assert_output "mc-write-data: short.tsv: values for 2 of the 3 profiles of d/cells/A; none for profile 1 'AAAG-1'"
    printf 'AAAC-1\t1\nAAAG-1\t2\nAAAT-1\t3\nZZZZ-1\t4\n' >unknown.tsv
    run mc-write-data d/cells/A p.x unknown.tsv
    assert_failure 1
    assert_output "mc-write-data: unknown.tsv:4: no profile named 'ZZZZ-1' in d/cells/A"
    printf 'AAAC-1\t1\nAAAG-1\t2\n0\t3\n' >dup.tsv
    run mc-write-data d/cells/A p.x dup.tsv
    assert_failure 1
    assert_output "mc-write-data: dup.tsv:3: profile '0' given twice (first on line 1)"
    printf 'x\tACTB\tCD3E\tGAPDH\tMS4A1\tACTB\n' >dupcol.tsv
    run mc-write-data d/cells/A gg.x dupcol.tsv
    assert_failure 1
    assert_output "mc-write-data: dupcol.tsv:1: gene 'ACTB' named twice in the header"
    printf 'x\tACTB\tCD3E\tGAPDH\tMS4A1\tNKG7\nACTB\t1\t2\t3\t4\n' >row.tsv
    run mc-write-data d/cells/A gg.x row.tsv
    assert_failure 1
    assert_output "mc-write-data: row.tsv:2: 4 values, the header names 5"
    run mc-write-data d/cells/A p.total_umis short.tsv
    assert_failure 1
    assert_output "mc-write-data: p.total_umis is reserved: the totals cache (mc-sum) writes it; choose another name"
    run mc-write-data d/cells/A gp.umis wrong.npy
    assert_failure 1
    assert_output "mc-write-data: gp.umis is reserved: the UMI matrix (mc-write-matrix) writes it; choose another name"
    run mc-write-data d/cells/A gg.x wrong.npy
    assert_failure 1
    assert_output "mc-write-data: wrong.npy: shape (3, 5), gg.NAME of d/cells/A is (5, 5)"
    run mc-write-data d/cells/A p.x short.npy
    assert_failure 1
    assert_output "mc-write-data: short.npy: shape (2,), p.NAME of d/cells/A holds 3 values"
    run mc-write-data d/vp p.lane short.tsv
    assert_failure 1
    assert_output "mc-write-data: p.lane is reserved: the import (mc-write-matrix) writes it; choose another name"
    assert_equal "$(snapshot)" "$before"
    printf 'AAAC-1\ta\nAAAG-1\tb\nAAAT-1\tc\n' | mc-write-data d/cells/A p.y
    before=$(snapshot)
    run mc-write-data d/vp p.y short.tsv      # into the base through the view
    assert_failure 1
    assert_output "mc-write-data: d/vp: p.y is its base's; --force writes the view's own, hiding it (a base is never written)"
    printf 'x\tCD3E\tMS4A1\tNKG7\nCD3E\t1\tnope\t2\nMS4A1\t1\t2\t3\nNKG7\t1\t2\t3\n' >text.tsv
    run mc-write-data d/vg gg.x text.tsv
    assert_failure 1
    assert_output "mc-write-data: text.tsv:2: 'nope' is not a number (a matrix holds numbers)"
    run mc-write-data d/cells/A q.x short.tsv
    assert_usage_error "mc-write-data: 'q.x': expected KIND.NAME, KIND one of g, p, gp, gg, pp"
    assert_equal "$(snapshot)" "$before"
    (cd d/vp && assert_only p.base_index.npy profiles.yaml)
}

@test "what mc-export --tsv and pandas' to_csv write reads back, header and all" {
    build_chain
    mc-export d/link --tsv p total_umis | mc-write-data d/cells/A p.umis_copy
    run mc-export d/vp --tsv p umis_copy
    assert_output "name	umis_copy
AAAC-1	303
AAAT-1	70264"
    py <<'PY'
import pandas as pd
pd.Series([0.5, 1.5, 2.5], index=["AAAC-1", "AAAG-1", "AAAT-1"], name="x").to_csv("s.tsv", sep="\t")
pd.Series(["a", "b", "c"], index=["AAAC-1", "AAAG-1", "AAAT-1"], name="x").rename_axis("name").to_csv("n.tsv", sep="\t")
PY
    assert_equal "$(head -1 s.tsv)" "	x"
    mc-write-data d/cells/A p.from_pandas s.tsv
    mc-write-data d/cells/A p.named n.tsv
    run mc-export d/vp --tsv p from_pandas named
    assert_output "name	from_pandas	named
AAAC-1	0.5	a
AAAT-1	2.5	c"
    printf 'name\tx\nname\t1\n' >twice.tsv     # a header once only
    run mc-write-data d/cells/A p.bad twice.tsv
    assert_failure 1
    assert_output "mc-write-data: twice.tsv:2: no profile named 'name' in d/cells/A"
}

@test "groups keep their own data: written and read back, their grouped container's not shown" {
    build_chain
    printf '0\t2.5\n' | mc-write-data d/cells/A/groups p.mean
    printf 'AAAC-1\t1\nAAAG-1\t2\nAAAT-1\t3\n' | mc-write-data d/cells/A p.only_cells
    run mc-export d/cells/A/groups --tsv p mean
    assert_output "name	mean
0	2.5"
    run mc-export d/cells/A/groups --npy x.npy p.only_cells
    assert_failure 1
    assert_output "mc-export: d/cells/A/groups: p.only_cells: no such data (mc-info lists what there is)"
    run mc-info --verify d/cells/A/groups
    assert_success
}
