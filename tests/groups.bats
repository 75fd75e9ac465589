#!/usr/bin/env bats
# mc-group at any number of groups (1, 8, 1,000, 20,000; random labels with
# outliers) on a generated collection of four lanes, and a view of 1 % of its
# profiles exported: sums equal numpy's exactly, and every output is
# byte-identical to what mc wrote before groups were summed by blocks and
# subsets read only their rows (md5 recorded from commit 3697fde).

load test_helper
bats_require_minimum_version 1.5.0

# 24,000 cells x 4,000 genes over 2 donors x 2 lanes: cells/ is a collection of
# four batches.  Before, 1,000 groups were summed in one pass (32 MB of rows)
# and 20,000 group by group; now both by blocks (MC_GROUP_BUDGET=0: group by group).
collection() {
    gen-hca --seed 18 --donors 2 --lanes 2 --cells 24000 --genes 4000 --mean-genes 20 a.h5
    mc-make-genes --organism human a.h5 genes
    mc-import-cells --genes genes a.h5 cells
}

# gK.txt: a group per profile from an integer hash (the same on every machine),
# about 6 % outliers (-1 or -5), and every group 0..K-1 given a profile.
labels() {
    "$PY" - "$@" <<'PY'
import sys
P = 24000
for k in map(int, sys.argv[1:]):
    g = []
    for p in range(P):
        x = (p * 2654435761 + 12345) % 2**32
        g.append(-1 - 4 * (x & 1) if x % 100 < 6 else (x >> 8) % k)
    for j in range(k):
        g[(j * 7) % P] = j
    open("g%d.txt" % k, "w").write("".join("%d\n" % v for v in g))
PY
}

# The groups of each vK/groups (K the arguments) equal numpy's sums of the
# generated matrix by gK.txt, in exact int64; counts and outliers too.
sums_match() {
    "$PY" - "$MC_ROOT/tests/helpers" "$@" <<'PY'
import sys, h5py, numpy as np
sys.path.insert(0, sys.argv[1])
from spec_genes import canonical_names
f = h5py.File("a.h5")["GRCh38"]
names = canonical_names([n.decode() for n in f["gene_names"][:]])
order = {n: i for i, n in enumerate(open("genes/g.name.txt").read().split("\n")[:-1])}
G = len(order)
col = np.array([order[n] for n in names])
ip, ix, d = f["indptr"][:], f["indices"][:], f["data"][:].astype(np.int64)
gene_of = col[ix]

def sparse(keys, values):   # exact int64 sums by key, keys sorted
    u, inv = np.unique(keys, return_inverse=True)
    s = np.zeros(len(u), dtype=np.int64)
    np.add.at(s, inv, values)
    return u, s

def decoded(path, k):   # an independent MMM decoder: (delta gene, value) byte pairs per profile
    b = np.frombuffer(open(path, "rb").read(), np.uint8)
    assert tuple(np.frombuffer(b[48:56].tobytes(), "<u4")) == (k, G)
    off = np.frombuffer(b[len(b) - 4 * (k + 1):].tobytes(), "<u4").astype(np.int64)
    pairs = b[off[0]:off[-1]].reshape(-1, 2).astype(np.int64)
    n = np.diff(off) // 2
    cum = np.cumsum(pairs[:, 0])
    gene = cum - np.repeat(np.concatenate(([0], cum))[np.cumsum(n) - n], n)
    u, s = sparse(np.repeat(np.arange(k), n) * G + gene, pairs[:, 1])
    return u[s != 0], s[s != 0]   # a value above 255 spans pairs, some of value 0

for k in map(int, sys.argv[2:]):
    group = np.array([int(x) for x in open("g%d.txt" % k)])
    row = np.repeat(group, np.diff(ip))
    keep = row >= 0
    want = sparse(row[keep] * G + gene_of[keep], d[keep])
    got = decoded("v%d/groups/gp.umis.mmm" % k, k)
    assert np.array_equal(got[0], want[0]) and np.array_equal(got[1], want[1]), k
    assert np.array_equal(np.load("v%d/groups/p.grouped_count.npy" % k), np.bincount(group[group >= 0], minlength=k))
    assert np.array_equal(np.load("v%d/outliers/p.base_index.npy" % k), np.flatnonzero(group < 0))
PY
}

# md5 of the files of mc-group's outputs in $1.
group_md5() {
    (cd "$1" && md5sum groups/gp.umis.mmm groups/p.grouped_count.npy groups/profiles.yaml outliers/p.base_index.npy \
        outliers/profiles.yaml p.group.npy)
}

# keep.txt: 1 % of the 24,000 profiles (240, unsorted: in the order of an integer hash).
subset() {
    "$PY" - <<'PY'
P = 24000
keep = sorted(range(P), key=lambda p: (p * 2246822519 + 3266489917) % 2**32)[:P // 100]
open("keep.txt", "w").write("".join("%d\n" % p for p in keep))
PY
}

# What the code of commit 3697fde wrote for view vK of cells grouped by gK.txt.
expected_groups() {
    case $1 in
    1) set -- 5c33bcb4b71bab12b2c09eb1d1cde510 cc3d3af6028d81f419c6dee421044f33 381214a434060aa9356d4005328d6ced \
        80bc2e34b4b2c92dbc89507ffd740c28 0b476d49a231d8c17ddde4486e88509b 79c54745b104a43bfc3f04723fc501f0 ;;
    8) set -- 855f7cc0a1b9a9fd1cb6855308e20cd4 f486b082c2a48088457cc0c05c027883 9bf7792b7a5fb05fafff4288d582d312 \
        80bc2e34b4b2c92dbc89507ffd740c28 0b476d49a231d8c17ddde4486e88509b eaa023b610d7ce8876cc0543a3cf96b4 ;;
    1000) set -- c61bddd7bfdbe923baf3af12a0bb2b97 995d785adda8b50d2f1ae8f06facec58 \
        ad94cc28f2000f76fb87ce4e14c87028 7bf33bec2f0a9480126c6240f754bdd6 23d029f298aa3bf313727c42c6e9bf2b \
        3ab465aa19d82fc70e020a462d705b13 ;;
    20000) set -- 4711a542664ee985f5bfcf5475ceb933 8e1a86e3781bae133037fd65cc7b7212 \
        a3c5e2e0af60a7dedb12e56f1ef83a28 2bd18771753731f9be162a91e3073a42 5ca2419195414f201cd29bec725a4911 \
        7b84c977f613dc53bdc6556e911e031b ;;
    esac
    printf '%s\n' "$@"
}

@test "mc-group at 1, 8, 1,000 and 20,000 groups: numpy's exact sums, and the bytes of before by every path" {
    collection
    labels 1 8 1000 20000
    for k in 1 8 1000 20000; do
        mc-make-view cells "v$k"
        # the default; group by group (no budget); blocks of 200 KB of pairs in chunks of 25 KB,
        # 8 groups then each larger than a chunk, summed over both threads
        for budget in "" 0 200000; do
            MC_GROUP_BUDGET=$budget mc-group --threads 2 --force --groups "g$k.txt" "v$k"
            run group_md5 "v$k"
            assert_output "$(paste -d ' ' <(expected_groups "$k") <(group_md5 "v$k" | cut -d ' ' -f 2-))"
        done
        run mc-info --verify "v$k/groups"
        assert_success
    done
    sums_match 1 8 1000 20000
}

@test "a view of 1 % of a collection's profiles exports the bytes of before (--h5ad, --10x, --mtx, --tsv; h5ad and tsv with the member column)" {
    collection
    subset
    mc-make-view --keep-profiles keep.txt cells sub
    mc-collect twice x=cells y=cells   # the same names twice: each gets its member's name
    mc-make-view --keep-profiles keep.txt twice tsub
    mc-export sub --h5ad sub.h5ad
    mc-export sub --10x sub.10x.h5
    mc-export sub --mtx -o sub.mtx --barcodes sub.barcodes.tsv --features sub.features.tsv
    mc-export sub --tsv p -o sub.p.tsv
    mc-export tsub --mtx -o tsub.mtx --barcodes tsub.barcodes.tsv
    mc-export tsub --h5ad tsub.h5ad
    run md5sum sub.* tsub.*
    assert_output "6faed6375f2df9dd054c3d8ab3015471  sub.10x.h5
e7af2a1e38c42899d8d31a1fcf90a7ba  sub.barcodes.tsv
286e896be25f10d398633555e61db5bc  sub.features.tsv
6ec21709139285cb3c210fa9c42e5dba  sub.h5ad
406dc0b0883f9135a1224a3333e609a2  sub.mtx
85611d3e1741a0996eeb291f7b0092a9  sub.p.tsv
89558e7abea80d588cd1f05375f26a92  tsub.barcodes.tsv
1aab86ad0655137247479d46ccd0cadc  tsub.h5ad
406dc0b0883f9135a1224a3333e609a2  tsub.mtx"
    run head -1 tsub.barcodes.tsv
    assert_output "x:$(sed -n 2p sub.p.tsv | cut -f 1)"
}

@test "a view of a few profiles reports members storing an array with different types first, as its base does" {
    gen-hca --seed 3 --donors 1 --lanes 3 --cells 60 --genes 50 --mean-genes 5 a.h5
    mc-make-genes --organism human a.h5 genes
    mc-import-cells --genes genes a.h5 cells
    printf '0\n5\n59\n' | mc-make-view --keep-profiles - cells v
    # lane 1: p.x.npy, lane 2: p.x.txt, lane 3: none (then p.x would not be visible at all)
    "$PY" -c "import numpy as np; np.save('cells/MantonBM1_HiSeq_1/p.x.npy', np.arange(
        sum(1 for _ in open('cells/MantonBM1_HiSeq_1/p.barcode.txt')), dtype=np.int32))"
    awk '{print NR}' cells/MantonBM1_HiSeq_2/p.barcode.txt >cells/MantonBM1_HiSeq_2/p.x.txt
    run mc-export cells --tsv p x
    assert_failure 1
    assert_output "mc-export: cells: p.x: members store it with different types; cannot concatenate"
    run mc-export v --tsv p x
    assert_failure 1
    assert_output "mc-export: v/../cells: p.x: members store it with different types; cannot concatenate"
}
