#!/usr/bin/env bats
# gen-hca (tests/helpers/gen-hca.c): deterministic HCA / 10x HDF5 example data,
# checked with h5py against the Cell Ranger reference files in tests/data/10x.

load test_helper

SMALL=(--cells 300 --genes 3000 --mean-genes 300 --donors 3 --lanes 2)

@test "--help prints the usage with an example; --version the version" {
    run gen-hca --help
    assert_success
    assert_line --index 0 --regexp '^Usage: gen-hca '
    assert_line --regexp '^Example: gen-hca '
    run gen-hca --version
    assert_success
    assert_output --regexp '^gen-hca [0-9]+\.[0-9]+\.[0-9]+$'
}

@test "silent on success; --verbose prints one summary line that matches the file" {
    run gen-hca "${SMALL[@]}" a.h5
    assert_success
    assert_output ""
    run gen-hca --verbose "${SMALL[@]}" b.h5
    assert_success
    nnz=$(py b.h5 <<'PY'
import sys, h5py
print(len(h5py.File(sys.argv[1])["GRCh38/data"]))
PY
)
    assert_output --regexp "^gen-hca: wrote b\.h5 \(10x v2, genome GRCh38\): 300 cells in 6 lanes \(0 empty\), 3000 genes, $nnz entries, max value [0-9]+, [0-9]+ values > 255, 1 > 65535$"
}

@test "same seed gives identical datasets, a different seed different ones" {
    gen-hca --seed 5 "${SMALL[@]}" a.h5
    gen-hca --seed 5 "${SMALL[@]}" b.h5
    gen-hca --seed 6 "${SMALL[@]}" c.h5
    py <<'PY'
import h5py, numpy as np
a, b, c = (h5py.File(f)["GRCh38"] for f in ("a.h5", "b.h5", "c.h5"))
for k in ("data", "indices", "indptr", "barcodes", "genes", "gene_names", "shape"):
    assert a[k].dtype == b[k].dtype and np.array_equal(a[k][:], b[k][:]), k
for k in ("indptr", "barcodes", "genes", "gene_names"):
    assert not np.array_equal(a[k][:], c[k][:]), k
assert len(a["data"]) != len(c["data"]) or not np.array_equal(a["data"][:], c["data"][:])
PY
}

@test "v2 layout: one genome group with Cell Ranger 2's datasets, types, storage and attributes" {
    gen-hca "${SMALL[@]}" a.h5
    py "$DATA10X/1.2.0/filtered_gene_bc_matrices_h5.h5" <<'PY'
import sys, h5py, numpy as np
ref, f = h5py.File(sys.argv[1]), h5py.File("a.h5")
assert list(f) == ["GRCh38"], list(f)
r, g = ref["hg19_chr21"], f["GRCh38"]
assert sorted(r) == sorted(g) == ["barcodes", "data", "gene_names", "genes", "indices", "indptr", "shape"], sorted(g)
assert set(ref.attrs) == set(f.attrs), (set(ref.attrs), set(f.attrs))
assert dict(r.attrs) == dict(g.attrs)
for k in ("CLASS", "FILTERS", "PYTABLES_FORMAT_VERSION", "TITLE", "VERSION", "filetype", "chemistry_description"):
    assert f.attrs[k] == ref.attrs[k], k
for k in ref.attrs:
    a, b = ref.attrs.get_id(k).get_type(), f.attrs.get_id(k).get_type()
    assert a.get_class() == b.get_class(), k
    if isinstance(a, h5py.h5t.TypeStringID):
        assert (a.get_cset(), a.get_strpad(), a.is_variable_str()) == (b.get_cset(), b.get_strpad(), b.is_variable_str()), k
for k in r:
    a, b = r[k], g[k]
    assert a.dtype.kind == b.dtype.kind and (a.dtype.kind == "S" or a.dtype == b.dtype), (k, a.dtype, b.dtype)
    ta, tb = a.id.get_type(), b.id.get_type()
    if a.dtype.kind == "S":
        assert not tb.is_variable_str() and tb.get_strpad() == ta.get_strpad() and tb.get_cset() == ta.get_cset(), k
    assert (b.compression, b.compression_opts, b.shuffle) == ("gzip", 1, True), k
    assert b.chunks == (65536 // b.dtype.itemsize,), (k, b.chunks)
    assert b.maxshape == (max(len(b), b.chunks[0]),), (k, b.maxshape)
    assert dict(b.attrs).keys() == dict(a.attrs).keys() and b.attrs["CLASS"] == b"CARRAY", k
assert list(g["shape"][:]) == [3000, 300]
assert len(g["barcodes"]) == 300 and len(g["genes"]) == len(g["gene_names"]) == 3000
assert g["indptr"][-1] == len(g["data"]) == len(g["indices"])
assert list(f.attrs["library_ids"]) == [b"MantonBM%d_HiSeq_%d" % (d, l) for d in (1, 2, 3) for l in (1, 2)]
PY
}

@test "--genome names the genome group" {
    gen-hca --genome hg19 "${SMALL[@]}" a.h5
    py <<'PY'
import h5py
assert list(h5py.File("a.h5")) == ["hg19"]
PY
}

@test "CSC: indptr from 0, every cell has entries, sorted unique in-range genes, positive counts" {
    gen-hca --seed 11 "${SMALL[@]}" a.h5
    py <<'PY'
import h5py, numpy as np
g = h5py.File("a.h5")["GRCh38"]
ip, ix, d = g["indptr"][:], g["indices"][:], g["data"][:]
assert ip[0] == 0 and (np.diff(ip) > 0).all()
assert ix.min() >= 0 and ix.max() < 3000 and d.min() >= 1
for c in range(300):
    assert (np.diff(ix[ip[c]:ip[c + 1]]) > 0).all(), c
PY
}

@test "counts look like UMIs: detected genes near --mean-genes, mostly 1-3, some > 255 and > 65535" {
    gen-hca --seed 3 --cells 1200 --genes 3000 --mean-genes 300 a.h5
    py <<'PY'
import h5py, numpy as np
g = h5py.File("a.h5")["GRCh38"]
ip, ix, d = g["indptr"][:], g["indices"][:], g["data"][:]
n = np.diff(ip)
assert 0.9 * 300 < n.mean() < 1.1 * 300, n.mean()
assert n.min() < 150 and n.max() > 700, (n.min(), n.max())        # long-tailed
umis = np.add.reduceat(d.astype(np.int64), ip[:-1])
assert np.median(umis) > 1.2 * np.median(n)
assert ((d >= 1) & (d <= 3)).mean() > 0.8
assert (d > 255).sum() >= 2 and (d > 65535).sum() == 2, ((d > 255).sum(), (d > 65535).sum())  # one cell in 1000
popular = np.bincount(ix, minlength=3000)
assert popular.max() > 0.95 * 1200 and np.median(popular) < 0.1 * 1200   # skewed: a few genes in every cell
PY
}

@test "barcodes: LANE-BARCODE-1, donors x lanes lanes in contiguous blocks, sorted and unique within a lane" {
    gen-hca --seed 2 --cells 500 --genes 2000 --mean-genes 100 --donors 4 --lanes 3 a.h5
    py <<'PY'
import re, h5py, itertools
bc = [b.decode() for b in h5py.File("a.h5")["GRCh38/barcodes"][:]]
pat = re.compile(r"^(MantonBM(\d+)_HiSeq_(\d+))-([ACGT]{16})-1$")
ms = [pat.match(b) for b in bc]
assert all(ms), [b for b, m in zip(bc, ms) if not m][:3]
lanes = [m.group(1) for m in ms]
blocks = [k for k, _ in itertools.groupby(lanes)]
assert blocks == ["MantonBM%d_HiSeq_%d" % (d, l) for d in range(1, 5) for l in range(1, 4)], blocks
for lane, grp in itertools.groupby(ms, key=lambda m: m.group(1)):
    seq = [m.group(4) for m in grp]
    assert seq == sorted(set(seq)), lane
assert len(set(bc)) == 500
PY
}

@test "genes: unique ensembl ids, a few duplicated and lower-case symbols, mitochondrial genes last" {
    gen-hca --cells 100 --genes 3000 --mean-genes 100 --donors 1 --lanes 1 a.h5
    py <<'PY'
import re, h5py, collections
g = h5py.File("a.h5")["GRCh38"]
ids = [x.decode() for x in g["genes"][:]]
names = [x.decode() for x in g["gene_names"][:]]
assert all(re.fullmatch(r"ENSG\d{11}", i) for i in ids) and len(set(ids)) == 3000
dup = {k: v for k, v in collections.Counter(names).items() if v > 1}
assert 2 <= len(dup) <= 10 and max(dup.values()) == 3, dup
lower = [n for n in names if n[0].islower()]
assert lower == names[-13:] and names[-13] == "mt-Nd1" and names[-1] == "mt-Cytb", lower
upper = collections.Counter(n.upper() for n in names)
assert upper["MT-CO1"] == 2                       # a case-only twin
assert all(re.fullmatch(r"[A-Za-z0-9.-]+", n) for n in names)
PY
}

@test "--v3: matrix/ and matrix/features/ as Cell Ranger 3 writes them, same matrix as v2" {
    gen-hca --seed 4 --v3 --cells 300 --genes 3000 --mean-genes 300 a.h5
    gen-hca --seed 4 --cells 300 --genes 3000 --mean-genes 300 --donors 1 --lanes 1 b.h5
    py "$DATA10X/3.0.0/filtered_feature_bc_matrix.h5" <<'PY'
import re, sys, h5py, numpy as np
ref, f, v2 = h5py.File(sys.argv[1]), h5py.File("a.h5"), h5py.File("b.h5")["GRCh38"]
assert list(f) == ["matrix"] and set(ref.attrs) == set(f.attrs), (list(f), set(f.attrs))
assert f.attrs["version"] == 2 and f.attrs["filetype"] == "matrix"
def tree(g):
    out = []
    g.visit(out.append)
    return sorted(out)
assert tree(f["matrix"]) == tree(ref["matrix"]), tree(f["matrix"])
for k in tree(ref["matrix"]):
    a, b = ref["matrix"][k], f["matrix"][k]
    if isinstance(a, h5py.Group):
        continue
    assert a.dtype.kind == b.dtype.kind and (a.dtype.kind == "S" or a.dtype == b.dtype), k
    if a.dtype.kind == "S":
        assert b.id.get_type().get_strpad() == a.id.get_type().get_strpad(), k
    assert (b.chunks, b.compression, b.maxshape) == (a.chunks, a.compression, (None,) if a.chunks else b.shape), k
m = f["matrix"]
assert list(m["shape"][:]) == [3000, 300]
assert set(m["features/feature_type"][:]) == {b"Gene Expression"} and set(m["features/genome"][:]) == {b"GRCh38"}
assert list(m["features/_all_tag_keys"][:]) == [b"genome"]
assert all(re.fullmatch(rb"[ACGT]{16}-1", b) for b in m["barcodes"][:]) and len(set(m["barcodes"][:])) == 300
assert [b[-18:] for b in v2["barcodes"][:]] == list(m["barcodes"][:])
for k in ("data", "indices", "indptr"):
    assert np.array_equal(m[k][:], v2[k][:]), k
assert np.array_equal(m["features/id"][:], v2["genes"][:]) and np.array_equal(m["features/name"][:], v2["gene_names"][:])
PY
}

@test "--v3 with lanes: barcodes end in the lane number, like cellranger aggr" {
    gen-hca --v3 --donors 2 --lanes 2 --cells 40 --genes 500 --mean-genes 50 --genome mm10 a.h5
    py <<'PY'
import re, h5py
m = h5py.File("a.h5")["matrix"]
bc = [b.decode() for b in m["barcodes"][:]]
suffix = [int(re.fullmatch(r"[ACGT]{16}-(\d)", b).group(1)) for b in bc]
assert suffix == sorted(suffix) and set(suffix) == {1, 2, 3, 4}, suffix
assert set(m["features/genome"][:]) == {b"mm10"}
PY
}

@test "--empty K makes exactly K cells empty, spread over the file" {
    gen-hca --empty 4 --cells 100 --genes 500 --mean-genes 50 --donors 2 --lanes 2 a.h5
    py <<'PY'
import h5py, numpy as np
n = np.diff(h5py.File("a.h5")["GRCh38/indptr"][:])
assert list(np.flatnonzero(n == 0)) == [12, 37, 62, 87], np.flatnonzero(n == 0)
PY
    gen-hca --empty 5 --cells 5 --genes 50 --donors 1 --lanes 1 b.h5
    py <<'PY'
import h5py
g = h5py.File("b.h5")["GRCh38"]
assert list(g["indptr"][:]) == [0] * 6 and g["data"].shape == (0,) and list(g["shape"][:]) == [50, 5]
PY
}

@test "usage errors exit 2 with one line" {
    run gen-hca --cells abc a.h5
    assert_failure 2
    assert_output "gen-hca: --cells: expected an integer from 1 to 2147483647, got 'abc' (see gen-hca --help)"
    run gen-hca --cells 10 a.h5
    assert_failure 2
    assert_output "gen-hca: --cells 10 is fewer than donors * lanes = 64 (see gen-hca --help)"
    run gen-hca --bogus a.h5
    assert_failure 2
    assert_output "gen-hca: unknown option '--bogus' (see gen-hca --help)"
    run gen-hca --seed
    assert_failure 2
    assert_output "gen-hca: --seed needs a value (see gen-hca --help)"
    run gen-hca --cells 100
    assert_failure 2
    assert_output "gen-hca: no output FILE given (see gen-hca --help)"
    run gen-hca -o a.h5 b.h5
    assert_failure 2
    assert_output "gen-hca: more than one output given (see gen-hca --help)"
    run gen-hca --genome a/b a.h5
    assert_failure 2
    assert_output "gen-hca: --genome: 'a/b' is not a valid group name (see gen-hca --help)"
    run gen-hca --genes 100 --mean-genes 101 a.h5
    assert_failure 2
    assert_output "gen-hca: --mean-genes 101 is more than --genes 100 (see gen-hca --help)"
    run gen-hca --empty 101 --cells 100 a.h5
    assert_failure 2
    assert_output "gen-hca: --empty 101 is more than --cells 100 (see gen-hca --help)"
    run gen-hca --types 0 a.h5
    assert_failure 2
    assert_output "gen-hca: --types: expected an integer from 1 to 1000, got '0' (see gen-hca --help)"
    run gen-hca --labels a.h5 a.h5
    assert_failure 2
    assert_output "gen-hca: --labels: 'a.h5' is also the output (see gen-hca --help)"
    [ -z "$(ls -A)" ]
}

@test "an existing output is kept unless --force; an uncreatable one fails without leftovers" {
    echo keep > a.h5
    run gen-hca "${SMALL[@]}" a.h5
    assert_failure 1
    assert_output "gen-hca: a.h5: exists (use --force to overwrite)"
    [ "$(cat a.h5)" = keep ]
    run gen-hca --force "${SMALL[@]}" a.h5
    assert_success
    py <<'PY'
import h5py
assert list(h5py.File("a.h5")["GRCh38/shape"][:]) == [3000, 300]
PY
    run gen-hca "${SMALL[@]}" -o nodir/a.h5
    assert_failure 1
    assert_output "gen-hca: nodir/a.h5: cannot create (No such file or directory)"
    [ "$(ls -A)" = a.h5 ]
}

@test "memory does not grow with the number of cells" {
    # Under `make sanitize`, ASan's quarantine of freed blocks would be counted as ours.
    export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0"
    rss() { /usr/bin/time -f %M gen-hca --cells "$1" --genes 2000 --mean-genes 100 --donors 1 --lanes 1 "$2" 2>&1; }
    small=$(rss 2000 a.h5)
    big=$(rss 40000 b.h5)       # 4M entries: 48 MB if they were held in memory
    echo "peak RSS: $small KB for 2000 cells, $big KB for 40000" >&2
    [ "$big" -lt $((small + 10000)) ]
}

# ---- simulated cell types and --labels ----

# The labels of a file, as a python list, and the profile names mc gives its cells.
LABELS_PY='
import re, h5py, numpy as np
def labels(path):
    text = open(path, newline="").read()
    assert text.endswith("\n") and "\r" not in text
    rows = [line.split("\t") for line in text[:-1].split("\n")]
    assert all(len(r) == 2 and r[0] and r[1] for r in rows), [r for r in rows if len(r) != 2][:3]
    return [r[0] for r in rows], [r[1] for r in rows]
NAMES = ["T cell", "monocyte", "B cell", "erythroid", "NK cell", "HSC", "DC", "plasma cell"]
def cells_by_genes(g):
    G, N = g["shape"][:]
    X = np.zeros((N, G))
    X[np.repeat(np.arange(N), np.diff(g["indptr"][:])), g["indices"][:]] = g["data"][:]
    return X
'

@test "--labels: NAME<TAB>TYPE per cell, NAME = the file's LANE-BARCODE-1 in file order, named types" {
    run gen-hca "${SMALL[@]}" --labels l.tsv a.h5
    assert_success
    assert_output ""
    py <<PY
$LABELS_PY
names, types = labels("l.tsv")
bc = [b.decode() for b in h5py.File("a.h5")["GRCh38/barcodes"][:]]
assert len(names) == len(bc) == 300
assert all(re.fullmatch(r"MantonBM\d_HiSeq_\d-[ACGT]{16}-1", b) for b in bc), bc[:3]
assert names == bc, (names[:3], bc[:3])
assert names[0].startswith("MantonBM1_HiSeq_1-") and names[-1].startswith("MantonBM3_HiSeq_2-")
assert sorted(set(types)) == sorted(NAMES), sorted(set(types))
PY
}

@test "--v3 --labels: NAME is the barcode as it is in the file" {
    gen-hca --v3 --donors 2 --lanes 2 --cells 200 --genes 2000 --mean-genes 200 --labels l.tsv a.h5
    py <<PY
$LABELS_PY
names, types = labels("l.tsv")
bc = [b.decode() for b in h5py.File("a.h5")["matrix/barcodes"][:]]
assert names == bc and all(re.fullmatch(r"[ACGT]{16}-[1-4]", b) for b in bc), names[:3]
assert set(types) <= set(NAMES) and len(set(types)) >= 6, set(types)
PY
}

@test "types: uneven proportions, type t in about (t+1.5)^-1.5 of the cells; type9 and on past the names" {
    gen-hca --seed 9 --cells 4000 --genes 300 --mean-genes 30 --donors 1 --lanes 1 --labels l.tsv a.h5
    gen-hca --seed 9 --types 11 --cells 2000 --genes 300 --mean-genes 30 --donors 1 --lanes 1 --labels m.tsv b.h5
    py <<PY
$LABELS_PY
import collections
n = collections.Counter(labels("l.tsv")[1])
w = np.array([(t + 1.5) ** -1.5 for t in range(8)])
share = np.array([n[k] for k in NAMES]) / 4000
expect = w / w.sum()
assert np.all(np.abs(share - expect) < 4 * np.sqrt(expect * (1 - expect) / 4000)), (share, expect)
assert share[0] > 0.35 and share[1] > 0.15 and share[-1] < 0.05       # a couple abundant, some rare
m = collections.Counter(labels("m.tsv")[1])
assert set(m) == set(NAMES) | {"type9", "type10", "type11"}, set(m)
assert m["T cell"] > m["type9"] > 0 and m["type11"] > 0
PY
}

@test "types: each type's own 30-60 marker genes are 20-50x higher in its cells; detected genes as with --types 1" {
    gen-hca --seed 5 "${SMALL[@]}" --labels l.tsv a.h5
    gen-hca --seed 5 "${SMALL[@]}" --types 1 b.h5
    py <<PY
$LABELS_PY
g, one = h5py.File("a.h5")["GRCh38"], h5py.File("b.h5")["GRCh38"]
names, types = labels("l.tsv")
X, types = cells_by_genes(g), np.array(types)
genes = [x.decode() for x in g["gene_names"][:]]
keep = X.max(1) <= 65535                  # the damaged cell's spike would look like a marker
X, types = X[keep], types[keep]
seen = set()
for t in NAMES:
    inside, outside = X[types == t].mean(0), X[types != t].mean(0)
    # markers, found from the data: far higher in this type than in all the other cells
    markers = np.flatnonzero((inside >= 8 * outside) & (inside >= 1))
    assert 28 <= len(markers) <= 60, (t, len(markers))
    assert not seen & set(markers), t                                   # disjoint between types
    seen |= set(markers)
    assert not [genes[k] for k in markers if genes[k].upper().startswith(("MT-", "RPL", "RPS"))], t
    fold = inside[markers] / outside[markers]
    assert 15 < np.median(fold) < 60, (t, np.median(fold))
    assert 0.05 < outside[markers].mean() < 0.5, (t, outside[markers].mean())   # moderately expressed elsewhere
    for u in NAMES:                       # and higher than in each other type, not only on average
        if u != t:
            assert X[types == t][:, markers].mean() > 8 * X[types == u][:, markers].mean(), (t, u)
# what types must not change: detected genes per cell, the rare > 65535, every cell present
n8, n1 = np.diff(g["indptr"][:]), np.diff(one["indptr"][:])
assert abs(n8.mean() / n1.mean() - 1) < 0.03 and abs(np.median(n8) / np.median(n1) - 1) < 0.05, (n8.mean(), n1.mean())
d8, d1 = g["data"][:], one["data"][:]
assert (d8 > 65535).sum() == (d1 > 65535).sum() == 1
assert 0.5 < (d8 > 255).sum() / max((d1 > 255).sum(), 1) < 2.5, ((d8 > 255).sum(), (d1 > 255).sum())
assert not np.array_equal(d8, d1)
PY
}

@test "--types 1: every cell has the same label" {
    gen-hca --seed 5 "${SMALL[@]}" --types 1 --labels l.tsv a.h5
    py <<PY
$LABELS_PY
names, types = labels("l.tsv")
assert len(names) == 300 and set(types) == {"T cell"}, set(types)
PY
}

@test "types and labels are deterministic: same seed, same bytes; another seed, other labels" {
    gen-hca --seed 5 "${SMALL[@]}" --labels l1.tsv a1.h5
    gen-hca --seed 5 "${SMALL[@]}" --labels l2.tsv a2.h5
    gen-hca --seed 6 "${SMALL[@]}" --labels l3.tsv a3.h5
    cmp a1.h5 a2.h5
    cmp l1.tsv l2.tsv
    ! cmp -s l1.tsv l3.tsv
    [ "$(cut -f2 l1.tsv)" != "$(cut -f2 l3.tsv)" ]
    [ "$(ls -A | sort | tr '\n' ' ')" = "a1.h5 a2.h5 a3.h5 l1.tsv l2.tsv l3.tsv " ]
}

@test "--labels: an existing file needs --force; failures leave neither output nor temporaries" {
    echo keep > l.tsv
    run gen-hca "${SMALL[@]}" --labels l.tsv a.h5
    assert_failure 1
    assert_output "gen-hca: l.tsv: exists (use --force to overwrite)"
    [ "$(cat l.tsv)" = keep ] && [ "$(ls -A)" = l.tsv ]
    run gen-hca --force "${SMALL[@]}" --labels l.tsv a.h5
    assert_success
    [ "$(wc -l < l.tsv)" -eq 300 ]
    rm l.tsv a.h5
    run gen-hca "${SMALL[@]}" --labels nodir/l.tsv a.h5
    assert_failure 1
    assert_output "gen-hca: nodir/l.tsv: cannot create (No such file or directory)"
    run gen-hca "${SMALL[@]}" --labels l.tsv nodir/a.h5
    assert_failure 1
    assert_output "gen-hca: nodir/a.h5: cannot create (No such file or directory)"
    [ -z "$(ls -A)" ]
}
