#!/usr/bin/env bats
# Annotations (SPEC 2, 8): .h5ad obs / var columns and Loom attributes become
# p. / g. arrays of the batches and the gene set by both import routes,
# byte for byte alike; mc-export --h5ad writes every one back (anndata
# compares them, tests/helpers/mk_annot.py); a collection's exports name each
# profile's member.
load test_helper

annot() { "$PY" "$MC_ROOT/tests/helpers/mk_annot.py" "$@"; }

# both FILE [OPTION]: the STD route (mc-import-hca, mc-make-genes of the STD, mc-delane,
# mc-write-matrix) and the direct one (mc-make-genes of FILE, mc-import-cells)
# give the same gene set and batches, file for file.
both() {
    mc-import-hca "$@" std
    mc-make-genes --organism human std genes
    mc-make-genes --organism human "$@" genes2
    run diff -r genes genes2
    assert_success
    mc-import-cells --genes genes "$@" cells
    mc-delane std dl
    mc-write-matrix --genes genes dl/all tcells/all
    run diff -r tcells/all cells/all
    assert_success
}

@test "h5ad obs/var columns as anndata writes them: p./g. arrays by both routes, back by --h5ad, every column equal" {
    annot h5ad a.h5ad
    both a.h5ad
    run ls cells/all
    assert_output "gp.umis.mmm
p.barcode.txt
p.batch.txt
p.cell_type.txt
p.donor.txt
p.doublet.npy
p.lane.txt
p.leiden.txt
p.n_genes.npy
p.obs_batch.txt
p.pct_mt.npy
p.score.npy
profiles.yaml"
    run ls genes
    assert_output "g.ensembl.txt
g.feature_types.txt
g.highly_variable.npy
g.means.npy
g.module.txt
g.n_cells.npy
g.name.txt
g.original_name.txt
genes.yaml"
    assert_equal "$(sed -n 1p std/profiles.csv)" "barcode,lane,batch,obs_batch,cell_type,donor,doublet,leiden,n_genes,pct_mt,score"
    grep -q 'field_types: {barcode: str, lane: str, batch: str, obs_batch: str, cell_type: str, donor: str, doublet: bool, leiden: str, n_genes: int, pct_mt: float, score: float}' std/format.yaml
    # Values: text as text (a missing categorical value empty), numbers and bools as .npy.
    run annot arrays a.h5ad cells/all p
    assert_output "ok 8"
    run annot arrays a.h5ad genes g
    assert_output "ok 5"
    assert_equal "$(sed -n 6p cells/all/p.leiden.txt)" ""
    "$PY" -c 'import numpy as np; assert np.load("cells/all/p.doublet.npy").dtype == bool; assert np.load("cells/all/p.n_genes.npy").dtype == "<i8"'
    # Back: every obs and var column equal, categoricals with their categories (integers by value).
    mc-export cells --h5ad out.h5ad
    run annot roundtrip a.h5ad out.h5ad
    assert_output ok
    run mc-export cells --tsv p doublet leiden
    assert_line -n 1 "cell00	False	0"
    assert_line -n 6 "cell05	False	"
}

@test "h5ad of anndata 0.7: categoricals by reference into __categories, fixed-length strings" {
    annot h5ad-old a.h5ad
    both a.h5ad
    run annot arrays a.h5ad cells/all p
    assert_output "ok 8"
    run annot arrays a.h5ad genes g
    assert_output "ok 5"
    [ ! -e cells/all/p.__categories.txt ] && [ ! -e cells/all/p.index.txt ]
}

@test "Loom col/row attributes: p./g. arrays by both routes; 2-D attributes left out" {
    annot loom a.loom
    both a.loom
    run annot arrays a.loom cells/all p
    assert_output "ok 5"
    run annot arrays a.loom genes g
    assert_output "ok 3"
    [ ! -e cells/all/p._tsne.npy ] && [ ! -e cells/all/p.CellID.txt ] && [ ! -e genes/g.Accession.txt ]
}

@test "an annotation a .txt array cannot hold: one-line error, exit 1, nothing written" {
    py <<'PY'
import anndata, numpy as np, pandas as pd
obs = pd.DataFrame({"note": ["a", "b\nc", "d"]}, index=["x", "y", "z"])
anndata.AnnData(X=np.ones((3, 2), dtype=np.float32), obs=obs,
                var=pd.DataFrame(index=["G1", "G2"])).write_h5ad("bad.h5ad")
PY
    run mc-import-hca bad.h5ad std
    assert_failure 1
    assert_output "mc-import-hca: bad.h5ad: /obs/note: value 1 contains a line break"
    run mc-import-cells --genes nowhere bad.h5ad cells
    assert_failure 1
    assert_output "mc-import-cells: bad.h5ad: /obs/note: value 1 contains a line break"
    assert_only bad.h5ad
}

@test "two plain 10x samples collected: --h5ad and --tsv p give each cell's member; names unambiguous" {
    gen-hca --v3 --seed 1 --cells 30 --genes 50 --mean-genes 10 s1.h5
    gen-hca --v3 --seed 1 --cells 20 --genes 50 --mean-genes 10 s2.h5   # the same barcodes
    mc-make-genes --organism human s1.h5 s2.h5 genes
    for s in s1 s2; do mc-import-cells $s.h5 cells/$s; done
    seq 20 29 | mc-make-view --keep-profiles - cells/s1 cells/s3   # barcodes s2 lacks
    mc-collect same cells/s1 cells/s2
    mc-export same --h5ad same.h5ad
    mc-export same --tsv p member -o same.tsv
    py <<'PY'
import anndata, h5py
a = anndata.read_h5ad("same.h5ad")
assert list(a.obs["member"]) == ["s1"] * 30 + ["s2"] * 20, list(a.obs["member"])
assert a.obs_names.is_unique
bc = [h5py.File(s, "r")["matrix/barcodes"][:].astype(str).tolist() for s in ("s1.h5", "s2.h5")]
assert set(bc[0]) & set(bc[1])                   # some collide: every name is prefixed by its member
assert list(a.obs_names) == ["s1:" + b for b in bc[0]] + ["s2:" + b for b in bc[1]]
rows = [l.split("\t") for l in open("same.tsv").read().splitlines()]
assert rows[0] == ["name", "member"] and rows[1:] == [[n, m] for n, m in zip(a.obs_names, a.obs["member"])]
print("ok")
PY
    # Without a collision the names stay the input's; the member says where each came from.
    mc-collect other cells/s2 cells/s3
    run mc-export other --tsv p member
    assert_line -n 1 "$(sed -n 1p cells/s2/all/p.barcode.txt)	s2"
    assert_line -n 21 "$(sed -n 21p cells/s1/all/p.barcode.txt)	s3"
    # A member's own export (a collection of its lanes) names the lane it came from.
    run mc-export cells/s1 --tsv p member
    assert_line -n 1 "$(sed -n 1p cells/s1/all/p.barcode.txt)	all"
}

@test "10x v3 feature tags besides genome (features/_all_tag_keys) become g. arrays of the kept features" {
    gen-hca --v3 --seed 1 --cells 30 --genes 50 --mean-genes 10 a.h5
    py <<'PY'
import h5py, numpy as np
with h5py.File("a.h5", "r+") as f:
    ft = f["matrix/features"]
    n = len(ft["id"])
    types = [b"Antibody Capture" if i % 5 == 0 else b"Gene Expression" for i in range(n)]
    del ft["feature_type"]
    ft["feature_type"] = np.array(types)
    ft["pattern"] = np.array([b"^(BC)NN" if i % 5 == 0 else b"" for i in range(n)])
    ft["read"] = np.array([b"R2" if i % 5 == 0 else b"R%d" % (i % 3) for i in range(n)])
    if "_all_tag_keys" in ft:
        del ft["_all_tag_keys"]
    ft["_all_tag_keys"] = np.array([b"genome", b"pattern", b"read"])
PY
    for opt in "" --all-features; do
        rm -rf std genes genes2 cells dl tcells
        both a.h5 $opt
        py "$opt" <<'PY'
import h5py, sys
f = h5py.File("a.h5", "r")["matrix/features"]
keep = [sys.argv[1] == "--all-features" or t == b"Gene Expression" for t in f["feature_type"][:]]
name = [n.decode() for n, k in zip(f["name"][:], keep) if k]
for tag in ("pattern", "read"):
    want = dict(zip(name, [v.decode() for v, k in zip(f[tag][:], keep) if k]))
    got = open("genes/g.%s.txt" % tag).read().split("\n")[:-1]
    order = open("genes/g.original_name.txt").read().split("\n")[:-1]
    assert got == [want[n] for n in order], tag
print("ok")
PY
    done
}

@test "h5ad nullable arrays (anndata 0.10): integers with NaN where missing, bools, strings; back by --h5ad" {
    py <<'PY'
import anndata, h5py, numpy as np, pandas as pd
anndata.AnnData(X=np.ones((4, 2), dtype=np.float32), obs=pd.DataFrame(index=["a", "b", "c", "d"]),
                var=pd.DataFrame(index=["G1", "G2"])).write_h5ad("n.h5ad")
def nullable(g, name, enc, values, mask):
    c = g.create_group(name)
    c.attrs["encoding-type"], c.attrs["encoding-version"] = enc, "0.1.0"
    c["values"], c["mask"] = values, np.array(mask, dtype=bool)
with h5py.File("n.h5ad", "r+") as f:
    obs = f["obs"]
    nullable(obs, "count", "nullable-integer", np.array([3, 0, -7, 9], dtype=np.int64), [0, 1, 0, 0])
    nullable(obs, "count_full", "nullable-integer", np.array([3, 5, -7, 9], dtype=np.int64), [0, 0, 0, 0])
    nullable(obs, "flag", "nullable-boolean", np.array([True, False, True, False]), [0, 0, 1, 0])
    nullable(obs, "flag_full", "nullable-boolean", np.array([True, False, True, False]), [0, 0, 0, 0])
    nullable(obs, "label", "nullable-string-array", np.array(["x", "y", "", "w"], dtype=h5py.string_dtype()),
             [0, 0, 1, 0])
PY
    both n.h5ad
    run ls cells/all
    assert_output "gp.umis.mmm
p.barcode.txt
p.batch.txt
p.count.npy
p.count_full.npy
p.flag.txt
p.flag_full.npy
p.label.txt
p.lane.txt
profiles.yaml"
    py <<'PY'
import numpy as np
c = np.load("cells/all/p.count.npy")
assert c.dtype == "<f8" and np.array_equal(c, [3, np.nan, -7, 9], equal_nan=True)
assert np.load("cells/all/p.count_full.npy").tolist() == [3, 5, -7, 9]
assert np.load("cells/all/p.flag_full.npy").tolist() == [True, False, True, False]
assert open("cells/all/p.flag.txt").read() == "true\nfalse\n\nfalse\n"
assert open("cells/all/p.label.txt").read() == "x\ny\n\nw\n"
print("ok")
PY
    mc-export cells --h5ad out.h5ad
    py <<'PY'
import anndata, numpy as np
o = anndata.read_h5ad("out.h5ad").obs
assert np.array_equal(o["count"], [3, np.nan, -7, 9], equal_nan=True) and list(o["count_full"]) == [3, 5, -7, 9]
assert list(o["flag_full"]) == [True, False, True, False] and list(o["label"]) == ["x", "y", "", "w"]
print("ok")
PY
}
