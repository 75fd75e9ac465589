#!/usr/bin/env bats
# mc-collect, mc-make-view, mc-sum, mc-group on data written by an independent
# Python writer (tests/helpers/derived.py over mcfix.py); every result is
# recomputed with numpy, and every uuid per SPEC 3 from the files.

load test_helper
bats_require_minimum_version 1.5.0

H="$MC_ROOT/tests/helpers"

# Python on stdin with the fixture loaded as F (run in the data root).
fixture_py() {
    { printf 'import sys\nsys.path.insert(0, "%s")\nfrom derived import *\nF = Fixture(".")\n' "$H"; cat; } | "$PY" -
}

verify() {
    for c; do
        run mc-info --verify "$c"
        assert_success
        assert_output "$c: ok"
    done
}

# No temporary or set-aside outputs anywhere under the data root.
no_leftovers() {
    run leftovers
    assert_output ""
}

# --- mc-collect ----------------------------------------------------------------------

@test "mc-collect OUT alone collects its lane batches in name order, in place" {
    build_fixture
    run mc-collect cells/S
    assert_success
    assert_output ""
    fixture_py <<'PY'
m = read_yaml("cells/S/profiles.yaml")
assert [x["name"] for x in m["combined_profiles"]] == ["L1", "L2"], m
assert [x["profiles_count"] for x in m["combined_profiles"]] == ["6", "5"]
assert (m["profiles_count"], m["genes_count"], m["genes_uuid"], m["profiles_kind"], m["organism"]) == \
    ("11", "10", F.genes_uuid, "cells", "human"), m
assert m["uuid"] == mcfix.combine(mcfix.file_uuid("cells/S/L1/gp.umis.mmm"), mcfix.file_uuid("cells/S/L2/gp.umis.mmm"))
check_uuids("cells/S")
np.testing.assert_array_equal(dense("cells/S"), F.S)
assert names("cells/S") == F.S_names
PY
    run ls cells/S/L1
    assert_output "gp.umis.mmm
p.barcode.txt
p.lane.txt
profiles.yaml"
    verify cells/S
    no_leftovers
}

@test "mc-collect links members living elsewhere, named NAME= or by basename, in the order given" {
    build_fixture
    mc-collect cells/S
    run mc-collect all s=cells/S cells/T n=cells/N/
    assert_success
    fixture_py <<'PY'
m = read_yaml("all/profiles.yaml")
assert [x["name"] for x in m["combined_profiles"]] == ["s", "T", "n"], m
for name, base in (("s", "cells/S"), ("T", "cells/T"), ("n", "cells/N")):
    v = read_yaml("all/%s/profiles.yaml" % name)
    assert v["base_profiles"] == "../../" + base, v
    assert v["uuid"] == v["base_uuid"] == read_yaml(base + "/profiles.yaml")["uuid"], v
    assert sorted(os.listdir("all/" + name)) == ["profiles.yaml"]      # nothing copied
assert m["uuid"] == mcfix.combine(*[read_yaml(b + "/profiles.yaml")["uuid"] for b in ("cells/S", "cells/T", "cells/N")])
check_uuids("all")
np.testing.assert_array_equal(dense("all"), np.vstack([F.S, F["T"], F["N"]]))
assert F.S_names[0] == "L1:" + F["bc_L1"][0]
# Unique across members: no outer prefix; each member keeps its own names.
assert names("all") == F.S_names + list(F["bc_T"]) + ["0", "1", "2"]
assert names("all") == mcfix.collection_names([("s", F.S_names), ("T", list(F["bc_T"])), ("n", ["0", "1", "2"])])
PY
    # The same barcodes twice: every name gets its member's name, and only then.
    mc-collect twice a=cells/T b=cells/T
    run mc-sum twice
    assert_output "$(mc-sum cells/T | sed 's/^/a:/'; mc-sum cells/T | sed 's/^/b:/')"
    [ "$(mc-sum cells/T | cut -f1 | head -1)" = "$(sed -n 1p cells/T/p.barcode.txt)" ]
    verify all all/s all/T
    no_leftovers
}

@test "mc-collect refuses members with different gene sets, leaving nothing behind" {
    build_fixture
    gu=$(sed -n 's/^genes_uuid: //p' cells/T/profiles.yaml)
    ou=$(sed -n 's/^genes_uuid: //p' other/X/profiles.yaml)
    run mc-collect mixed cells/T other/X
    assert_failure 1
    assert_output "mc-collect: other/X/profiles.yaml: genes_uuid $ou (10 genes) differs from cells/T's $gu (10 genes): members of a collection must have the same genes"
    [ ! -e mixed ]
    mkdir mixed
    run mc-collect mixed cells/N cells/T other/X
    assert_failure 1
    run ls -A mixed
    assert_output ""
    no_leftovers
}

@test "mc-collect needs --force to replace a collection; rescanning skips OUT's own groups and outliers" {
    build_fixture
    mc-collect cells/S
    run mc-collect cells/S
    assert_failure 1
    assert_output "mc-collect: cells/S/profiles.yaml: already exists (use --force to replace it)"
    printf '0\n0\n1\n-1\n1\n0\n0\n1\n-1\n1\n1\n' | mc-group --groups - cells/S
    run mc-collect --force cells/S
    assert_success
    fixture_py <<'PY'
m = read_yaml("cells/S/profiles.yaml")
assert [x["name"] for x in m["combined_profiles"]] == ["L1", "L2"], m
PY
    verify cells/S cells/S/groups cells/S/outliers
}

@test "mc-collect member names must be unique subdirectory names" {
    build_fixture
    run mc-collect all x=cells/T x=cells/N
    assert_failure 1
    assert_output "mc-collect: cells/N: member name 'x' is also given to cells/T; name one with NAME="
    run mc-collect all .hidden=cells/T
    assert_failure 1
    assert_output "mc-collect: cells/T: '.hidden' is not a member name (a subdirectory name not starting with '.')"
    [ ! -e all ]
}

# --- mc-sum --------------------------------------------------------------------------

@test "mc-sum prints exact totals per profile and per gene for every kind" {
    build_fixture
    mc-collect cells/S
    printf '0\n1\n0\n-1\n' | mc-group --groups - cells/T
    echo 4 | mc-make-view --exclude-profiles - cells/S views/v
    for c in cells/T cells/N cells/S views/v cells/T/groups; do
        for by in profile gene; do
            expected=$(C=$c BY=$by fixture_py <<'PY'
c, by = os.environ["C"], os.environ["BY"]
T = F["T"]
m, n = {"cells/T": (T, ["%s" % b for b in F["bc_T"]]),
        "cells/N": (F["N"], ["0", "1", "2"]),
        "cells/S": (F.S, F.S_names),
        "views/v": (np.delete(F.S, 4, axis=0), [x for i, x in enumerate(F.S_names) if i != 4]),
        "cells/T/groups": (np.vstack([T[0] + T[2], T[1]]), ["0", "1"])}[c]
print(tsv(n, m.sum(axis=1)) if by == "profile" else tsv(GENES, m.sum(axis=0)), end="")
PY
)
            run mc-sum --by "$by" "$c"
            assert_success
            assert_output "$expected"
        done
    done
    verify cells/T cells/N cells/S views/v cells/T/groups
}

@test "mc-sum reads a matrix of MiBs a buffer at a time, and a profile larger than the buffer from its map" {
    # 780 cells of ~1,000 genes: 1.6 MB of pairs, read 1 MiB at a time, profiles across the buffer's end;
    # profile 5 holds 10 values of 16e6 (the import's limit is 2^24), 1.25 MB of (0, 255) pairs, more
    # than a buffer: decoded from the map
    gen-hca --seed 8 --donors 1 --lanes 1 --cells 780 --genes 33000 --mean-genes 1000 a.h5
    "$PY" - <<'PY'
import h5py
with h5py.File("a.h5", "r+") as f:
    g = f["GRCh38"]
    g["data"][g["indptr"][5]:g["indptr"][5] + 10] = 16000000
PY
    mc-make-genes --organism human a.h5 genes
    mc-import-cells --genes genes a.h5 cells
    [ "$(find cells -name gp.umis.mmm -exec stat -c %s {} +)" -gt 2500000 ]
    for by in profile gene; do
        mc-sum --force --threads 2 --by "$by" cells >sums.tsv
        "$PY" - "$by" "$H" <<'PY'
import sys, h5py, numpy as np
sys.path.insert(0, sys.argv[2])
from spec_genes import canonical_names
f = h5py.File("a.h5")["GRCh38"]
ip, ix, d = f["indptr"][:], f["indices"][:], f["data"][:].astype(np.int64)
got = [l.split("\t") for l in open("sums.tsv").read().split("\n")[:-1]]
if sys.argv[1] == "profile":
    want = np.add.reduceat(d, ip[:-1]) * (np.diff(ip) > 0)
    assert [l[0] for l in got] == [b.decode() for b in f["barcodes"][:]]
else:
    names = canonical_names([n.decode() for n in f["gene_names"][:]])
    order = {n: i for i, n in enumerate(open("genes/g.name.txt").read().split("\n")[:-1])}
    want = np.zeros(33000, dtype=np.int64)
    np.add.at(want, np.array([order[n] for n in names])[ix], d)
    assert [l[0] for l in got] == list(order)
assert want.max() >= 160000000 if sys.argv[1] == "profile" else want.max() >= 16000000
np.testing.assert_array_equal(np.array([int(l[1]) for l in got]), want)
PY
    done
}

@test "mc-sum caches totals with the uuid they were computed for, and recomputes when it changes" {
    build_fixture
    run mc-sum cells/T
    assert_success
    fixture_py <<'PY'
for f, axis in (("p", 1), ("g", 0)):
    a = load("cells/T/%s.total_umis.npy" % f)
    assert a.dtype == np.dtype("<f8") and a.shape == (F["T"].shape[1 - axis],)
    np.testing.assert_array_equal(a, F["T"].sum(axis=axis))
assert open("cells/T/total_umis.uuid").read() == stamp("cells/T")
np.save("cells/T/p.total_umis.npy", load("cells/T/p.total_umis.npy") + 1)   # a modified cache is not served
PY
    run mc-sum cells/T
    assert_line --index 0 --regexp $'^[ACGT]{8}-1\t1625$'
    run mc-sum --force cells/T
    assert_line --index 0 --regexp $'^[ACGT]{8}-1\t1625$'
    "$PY" -c 'import numpy as np; np.save("cells/T/p.total_umis.npy", np.load("cells/T/p.total_umis.npy") + 1)'
    fixture_py <<'PY'
# The batch is rewritten: a new uuid, so the stale cache must not be trusted.
F.t["T"][0, 0] += 1000
mcfix.write_batch("cells/T", F["T"], F.genes_uuid, list(F["bc_T"]))
open("expected", "w").write(tsv(F["bc_T"], F["T"].sum(axis=1)))
PY
    run mc-sum cells/T
    assert_success
    assert_output "$(cat expected)"
    assert_line --index 0 --regexp $'\t2625$'
    fixture_py <<'PY'
assert open("cells/T/total_umis.uuid").read() == stamp("cells/T")
PY
    verify cells/T
    no_leftovers
}

@test "a gene-slicing view does not see the base's p.total_umis; mc-sum on it sums only kept genes" {
    build_fixture
    mc-sum cells/T > /dev/null
    printf 'cd3e\nNKG7\nXist\n' | mc-make-view --keep-genes - cells/T views/g
    run container-tool array views/g p total_umis
    assert_output absent
    run container-tool array views/g g total_umis
    assert_output "$(fixture_py <<<'print("\n".join("%d" % v for v in F["T"].sum(axis=0)[[1, 6, 9]]))')"
    run mc-sum views/g
    assert_success
    assert_output "$(fixture_py <<<'print(tsv(F["bc_T"], F["T"][:, [1, 6, 9]].sum(axis=1)), end="")')"
    run mc-sum --by gene views/g
    assert_output "$(fixture_py <<<'print(tsv(["CD3E", "NKG7", "XIST"], F["T"][:, [1, 6, 9]].sum(axis=0)), end="")')"
    run container-tool array views/g p total_umis
    assert_output "$(fixture_py <<<'print("\n".join("%d" % v for v in F["T"][:, [1, 6, 9]].sum(axis=1)))')"
    # A profile slice may see the base's per-profile totals (they depend on genes only), not per-gene ones.
    echo 3 | mc-make-view --keep-profiles - cells/T views/p
    run container-tool array views/p p total_umis
    assert_output "$(fixture_py <<<'print(F["T"][3].sum())')"
    run container-tool array views/p g total_umis
    assert_output absent
    run mc-sum --by gene views/p
    assert_output "$(fixture_py <<<'print(tsv(GENES, F["T"][3]), end="")')"
    verify views/g views/p
}

@test "mc-sum output filtered by awk selects exactly the profiles with enough UMIs" {
    build_fixture
    mc-collect cells/S
    mc-sum cells/S --by profile | awk '$2 >= 800 {print $1}' | mc-make-view --keep-profiles - cells/S views/good
    fixture_py <<'PY'
sel = np.nonzero(F.S.sum(axis=1) >= 800)[0]
assert 0 < len(sel) < len(F.S)
idx = load("views/good/p.base_index.npy")
assert idx.dtype == np.dtype("<i4")
np.testing.assert_array_equal(idx, sel)
assert not os.path.exists("views/good/g.base_index.npy")
np.testing.assert_array_equal(dense("views/good"), F.S[sel])
assert names("views/good") == [F.S_names[i] for i in sel]
v = read_yaml("views/good/profiles.yaml")
assert v["base_profiles"] == "../../cells/S" and v["profiles_count"] == str(len(sel))
assert v["uuid"] == mcfix.combine(read_yaml("cells/S/profiles.yaml")["uuid"], mcfix.file_uuid("views/good/p.base_index.npy"))
check_uuids("views/good")
PY
    verify views/good
}

@test "mc-make-view --min-umis keeps the profiles with enough UMIs and writes the view with its totals" {
    build_fixture
    mc-collect cells/S
    run mc-make-view --min-umis 800 cells/S views/good
    assert_success
    assert_output ""
    # BASE is not written: its totals were summed, not cached
    run ls cells/S
    refute_output --partial total_umis
    fixture_py <<'PY'
sel = np.nonzero(F.S.sum(axis=1) >= 800)[0]
assert 0 < len(sel) < len(F.S)
np.testing.assert_array_equal(load("views/good/p.base_index.npy"), sel)
assert not os.path.exists("views/good/g.base_index.npy")
np.testing.assert_array_equal(dense("views/good"), F.S[sel])
v = read_yaml("views/good/profiles.yaml")
assert v["uuid"] == mcfix.combine(read_yaml("cells/S/profiles.yaml")["uuid"], mcfix.file_uuid("views/good/p.base_index.npy"))
check_uuids("views/good")
# the view's own totals cache, exact, stamped with its uuid
for a, want in (("p", F.S[sel].sum(axis=1)), ("g", F.S[sel].sum(axis=0))):
    got = load("views/good/%s.total_umis.npy" % a)
    assert got.dtype == np.dtype("<f8")
    np.testing.assert_array_equal(got, want)
assert open("views/good/total_umis.uuid").read() == stamp("views/good")
PY
    # the same selection as mc-sum | awk | mc-make-view --keep-profiles: the same view, uuid included
    mc-sum cells/S | awk '$2 >= 800 {print $1}' | mc-make-view --keep-profiles - cells/S views/awk
    cmp views/good/p.base_index.npy views/awk/p.base_index.npy
    assert_equal "$(grep '^uuid:' views/good/profiles.yaml)" "$(grep '^uuid:' views/awk/profiles.yaml)"
    # 0 keeps every profile (an index of all of them), N is inclusive, and a cached base is used
    mc-make-view --min-umis 0 cells/S views/all
    mc-make-view --min-umis "$(fixture_py <<<'print(F.S.sum(axis=1).max())')" cells/S views/top
    fixture_py <<'PY'
np.testing.assert_array_equal(load("views/all/p.base_index.npy"), np.arange(11))
for a, want in (("p", F.S.sum(axis=1)), ("g", F.S.sum(axis=0))):
    np.testing.assert_array_equal(load("views/all/%s.total_umis.npy" % a), want)
top = np.nonzero(F.S.sum(axis=1) == F.S.sum(axis=1).max())[0]
np.testing.assert_array_equal(load("views/top/p.base_index.npy"), top)
np.testing.assert_array_equal(load("views/top/g.total_umis.npy"), F.S[top].sum(axis=0))
PY
    verify views/good views/all views/top
    no_leftovers
}

@test "mc-make-view --min-umis with other selections: profiles intersected, a gene slice summed in the view" {
    build_fixture
    mc-collect cells/S
    mc-sum cells/S >/dev/null   # a valid cache in the base: the view's totals come from it
    printf '0\n1\n2\n3\n' | mc-make-view --min-umis 800 --exclude-profiles - cells/S views/x
    printf 'cd3e\nNKG7\nXist\n' | mc-make-view --min-umis 800 --keep-genes - cells/S views/g
    fixture_py <<'PY'
tot = F.S.sum(axis=1)
sel = np.array([i for i in range(11) if i > 3 and tot[i] >= 800])
assert 0 < len(sel)
np.testing.assert_array_equal(load("views/x/p.base_index.npy"), sel)
np.testing.assert_array_equal(load("views/x/p.total_umis.npy"), tot[sel])
np.testing.assert_array_equal(load("views/x/g.total_umis.npy"), F.S[sel].sum(axis=0))
assert open("views/x/total_umis.uuid").read() == stamp("views/x")
# selected by the base's totals over every gene, summed over the kept genes
sel = np.nonzero(tot >= 800)[0]
np.testing.assert_array_equal(load("views/g/p.base_index.npy"), sel)
np.testing.assert_array_equal(load("views/g/g.base_index.npy"), [1, 6, 9])
np.testing.assert_array_equal(load("views/g/p.total_umis.npy"), F.S[sel][:, [1, 6, 9]].sum(axis=1))
np.testing.assert_array_equal(load("views/g/g.total_umis.npy"), F.S[sel][:, [1, 6, 9]].sum(axis=0))
assert open("views/g/total_umis.uuid").read() == stamp("views/g")
PY
    run mc-sum --by gene views/g
    assert_output "$(fixture_py <<<'print(tsv(["CD3E", "NKG7", "XIST"], F.S[F.S.sum(axis=1) >= 800][:, [1, 6, 9]].sum(axis=0)), end="")')"
    verify views/x views/g
    run mc-make-view --min-umis 8e2 cells/S views/bad
    assert_usage_error "mc-make-view: --min-umis: expected a non-negative integer, got '8e2'"
    run mc-make-view --min-umis -1 cells/S views/bad
    assert_usage_error "mc-make-view: --min-umis: expected a non-negative integer, got '-1'"
    [ ! -e views/bad ]
    no_leftovers
}

@test "mc-sum of a view of some profiles decodes only what its base's proven totals do not give" {
    build_fixture
    mc-collect cells/S
    mc-sum cells/S >/dev/null
    # most kept (the dropped ones are subtracted from the base's), and few kept (summed)
    printf '3\n7\n' | mc-make-view --exclude-profiles - cells/S views/most
    printf '3\n7\n' | mc-make-view --keep-profiles - cells/S views/few
    for v in most few; do
        fixture_py <<PY >want.tsv
sel = [i for i in range(11) if (i in (3, 7)) == ("$v" == "few")]
print(tsv([F.S_names[i] for i in sel], F.S[sel].sum(axis=1)), end="")
PY
        run mc-sum views/$v
        assert_output "$(cat want.tsv)"
        run mc-sum --by gene views/$v
        assert_output "$(fixture_py <<PY
sel = [i for i in range(11) if (i in (3, 7)) == ("$v" == "few")]
print(tsv(GENES, F.S[sel].sum(axis=0)), end="")
PY
)"
        verify views/$v
    done
}

@test "mc-sum warns when the cache cannot be written and still prints the totals" {
    build_fixture
    mkdir cells/N/p.total_umis.npy
    run --separate-stderr mc-sum cells/N
    assert_success
    assert_output "$(fixture_py <<<'print(tsv(["0", "1", "2"], F["N"].sum(axis=1)), end="")')"
    [ "$stderr" = "mc-sum: warning: totals not cached: cells/N/p.total_umis.npy: cannot rename the output into place: Is a directory" ]
    [ ! -e cells/N/total_umis.uuid ]
    no_leftovers
}

# --- mc-make-view --------------------------------------------------------------------

@test "mc-make-view selects by index, full name, bare barcode and gene name, minus exclusions" {
    build_fixture
    mc-collect cells/S
    fixture_py <<'PY'
bc1, bc2 = F["bc_L1"], F["bc_L2"]
with open("p.txt", "w") as f:   # a full name, a unique bare barcode, an index, a blank line, extra fields, CRLF
    f.write("L2:%s\n%s\n0\n\n5\tignored\n%s\r\n" % (bc2[0], bc1[3], bc1[4]))
with open("xp.txt", "w") as f:
    f.write("L1:%s\n" % bc1[3])
with open("g.txt", "w") as f:
    f.write("ms4a1\r\n2\nActb\nnkg7\n")
PY
    echo CD79A | mc-make-view --keep-profiles p.txt --exclude-profiles xp.txt --keep-genes g.txt --exclude-genes - cells/S views/v
    fixture_py <<'PY'
p, g = [0, 4, 5, 6], [0, 5, 6]
np.testing.assert_array_equal(load("views/v/p.base_index.npy"), p)
np.testing.assert_array_equal(load("views/v/g.base_index.npy"), g)
assert load("views/v/g.base_index.npy").dtype == np.dtype("<i4")
np.testing.assert_array_equal(dense("views/v"), F.S[p][:, g])
assert names("views/v") == [F.S_names[i] for i in p]
v = read_yaml("views/v/profiles.yaml")
su = read_yaml("cells/S/profiles.yaml")["uuid"]
assert v["uuid"] == mcfix.combine(su, mcfix.file_uuid("views/v/p.base_index.npy"), mcfix.file_uuid("views/v/g.base_index.npy"))
assert v["genes_uuid"] == mcfix.combine(F.genes_uuid, mcfix.file_uuid("views/v/g.base_index.npy"))
assert (v["profiles_count"], v["genes_count"], v["base_uuid"]) == ("4", "3", su)
check_uuids("views/v")
PY
    run mc-sum --by gene views/v
    assert_output "$(fixture_py <<<'print(tsv(["ACTB", "MS4A1", "NKG7"], F.S[[0, 4, 5, 6]][:, [0, 5, 6]].sum(axis=0)), end="")')"
    verify views/v
    no_leftovers
}

@test "mc-make-view with no selection writes a link view with the base's uuid" {
    build_fixture
    run mc-make-view cells/T views/link
    assert_success
    fixture_py <<'PY'
assert sorted(os.listdir("views/link")) == ["profiles.yaml"]
v, t = read_yaml("views/link/profiles.yaml"), read_yaml("cells/T/profiles.yaml")
assert v["uuid"] == v["base_uuid"] == t["uuid"] and v["genes_uuid"] == t["genes_uuid"] and v["base_profiles"] == "../../cells/T"
np.testing.assert_array_equal(dense("views/link"), F["T"])
PY
    verify views/link
}

@test "views of views, of collections and of groups" {
    build_fixture
    mc-collect cells/S
    "$PY" -c 'import numpy as np; np.save("cells/S/p.group.npy", np.array([2, 0, 1, 0, -1, 2, 1, 1, -1, 0, 2], dtype="<i4"))'
    mc-group cells/S
    printf '0\n2\n4\n6\n8\n10\n' | mc-make-view --keep-profiles - --exclude-genes <(printf 'ACTB\nXIST\n') cells/S views/v1
    printf '1\n3\n' | mc-make-view --keep-profiles - --keep-genes <(printf 'LYZ\nnkg7\n') views/v1 views/v2
    echo 1 | mc-make-view --keep-profiles - cells/S/groups views/vg
    mc-make-view views/v2 views/link2
    fixture_py <<'PY'
S = F.S
np.testing.assert_array_equal(dense("views/v1"), S[[0, 2, 4, 6, 8, 10]][:, 1:9])
np.testing.assert_array_equal(dense("views/v2"), S[[2, 6]][:, [4, 6]])
np.testing.assert_array_equal(load("views/v2/g.base_index.npy"), [3, 5])   # in v1's gene space
assert names("views/v2") == [F.S_names[2], F.S_names[6]]
group = np.load("cells/S/p.group.npy")
np.testing.assert_array_equal(dense("views/vg"), S[group == 1].sum(axis=0, keepdims=True))
np.testing.assert_array_equal(dense("views/link2"), dense("views/v2"))
for v in ("views/v1", "views/v2", "views/vg", "views/link2"):
    check_uuids(v)
g1 = mcfix.combine(F.genes_uuid, mcfix.file_uuid("views/v1/g.base_index.npy"))
assert read_yaml("views/v2/profiles.yaml")["genes_uuid"] == mcfix.combine(g1, mcfix.file_uuid("views/v2/g.base_index.npy"))
assert read_yaml("views/vg/profiles.yaml")["profiles_kind"] == "metacells"
PY
    run mc-sum --by gene views/v2
    assert_output "$(fixture_py <<<'print(tsv(["LYZ", "NKG7"], F.S[[2, 6]][:, [4, 6]].sum(axis=0)), end="")')"
    verify views/v1 views/v2 views/vg views/link2
}

@test "mc-make-view errors name the file and line, and leave nothing behind" {
    build_fixture
    mc-collect cells/S
    run mc-make-view --keep-profiles <(echo 11) cells/S views/bad
    assert_failure 1
    assert_output --regexp '^mc-make-view: /dev/fd/[0-9]+:1: index 11 out of range \(cells/S has 11 profiles\)$'
    printf '0\n1\n-1\n' > p.txt
    run mc-make-view --keep-profiles p.txt cells/S views/bad
    assert_failure 1
    assert_output "mc-make-view: p.txt:3: index -1 out of range (cells/S has 11 profiles)"
    printf '0\nNOPE-1\n' > p.txt
    run mc-make-view --exclude-profiles p.txt cells/S views/bad
    assert_failure 1
    assert_output "mc-make-view: p.txt:2: no profile named 'NOPE-1' in cells/S"
    bc=$(sed -n 2p cells/S/L1/p.barcode.txt)   # also the 4th barcode of L2
    run mc-make-view --keep-profiles - cells/S views/bad <<< "$bc"
    assert_failure 1
    assert_output "mc-make-view: stdin:1: '$bc' names several profiles of cells/S; give the full name or the index"
    run mc-make-view --keep-genes - cells/S views/bad <<< "$(printf 'CD3E\nNOTAGENE')"
    assert_failure 1
    assert_output "mc-make-view: stdin:2: no gene named 'NOTAGENE' in cells/S"
    run mc-make-view --keep-genes - cells/S views/bad <<< 10
    assert_failure 1
    assert_output "mc-make-view: stdin:1: index 10 out of range (cells/S has 10 genes)"
    run mc-make-view --keep-genes - --genes other/genes cells/S views/bad <<< CD3E
    assert_failure 1
    assert_output --regexp "^mc-make-view: other/genes: gene set [0-9a-f-]{36}, but the container uses [0-9a-f-]{36}$"
    [ ! -e views ]
    run mc-make-view --keep-profiles - --keep-genes - cells/S views/bad
    assert_usage_error "mc-make-view: --keep-profiles and --keep-genes cannot both read stdin ('-')"
    no_leftovers
}

@test "mc-make-view needs --force to replace a view and never replaces its own base" {
    build_fixture
    echo 0 | mc-make-view --keep-profiles - cells/T views/v
    run mc-make-view --keep-profiles - cells/T views/v <<< 1
    assert_failure 1
    assert_output "mc-make-view: views/v: already exists (use --force to replace it)"
    run mc-make-view --force --keep-profiles - cells/T views/v <<< 1
    assert_success
    fixture_py <<<'np.testing.assert_array_equal(dense("views/v"), F["T"][[1]])'
    run mc-make-view --force cells/T cells
    assert_failure 1
    assert_output "mc-make-view: cells: contains the input cells/T; write elsewhere"
    verify cells/T views/v
    no_leftovers
}

@test "a base changed after the view was made is an error for every tool" {
    build_fixture
    echo 0 | mc-make-view --keep-profiles - cells/T views/v
    old=$(sed -n 's/^uuid: //p' cells/T/profiles.yaml)
    fixture_py <<<'F.t["T"][0, 0] += 1; mcfix.write_batch("cells/T", F["T"], F.genes_uuid, list(F["bc_T"]))'
    new=$(sed -n 's/^uuid: //p' cells/T/profiles.yaml)
    [ "$old" != "$new" ]
    msg="views/v/profiles.yaml: base_uuid $old does not match views/v/../../cells/T ($new): the base changed after the view was made"
    run mc-sum views/v
    assert_failure 1
    assert_output "mc-sum: $msg"
    run mc-make-view views/v views/w
    assert_failure 1
    assert_output "mc-make-view: $msg"
    run mc-group --groups - views/v <<< 0
    assert_failure 1
    assert_output "mc-group: $msg"
    run mc-collect all views/v
    assert_failure 1
    assert_output "mc-collect: $msg"
    [ ! -e views/w ]
    [ ! -e all ]
    [ ! -e views/v/groups ]
    [ ! -e views/v/p.group.npy ]
}

# --- mc-group ------------------------------------------------------------------------

@test "mc-group sums the groups of p.group.npy and writes an outliers view" {
    build_fixture
    "$PY" -c 'import numpy as np; np.save("cells/T/p.group.npy", np.array([1, -1, 0, 1], dtype="<i4"))'
    cp cells/T/p.group.npy before.npy
    run mc-group cells/T
    assert_success
    assert_output ""
    cmp before.npy cells/T/p.group.npy
    fixture_py <<'PY'
T = F["T"]
sums = np.vstack([T[2], T[0] + T[3]])
np.testing.assert_array_equal(mmm_dense("cells/T/groups/gp.umis.mmm"), sums)
np.testing.assert_array_equal(dense("cells/T/groups"), sums)
c = load("cells/T/groups/p.grouped_count.npy")
assert c.dtype == np.dtype("<i4")
np.testing.assert_array_equal(c, [1, 2])
g = read_yaml("cells/T/groups/profiles.yaml")
assert (g["profiles_kind"], g["grouped_profiles"], g["profiles_count"], g["genes_uuid"]) == ("metacells", "..", "2", F.genes_uuid), g
assert g["uuid"] == mcfix.file_uuid("cells/T/groups/gp.umis.mmm")
assert g["grouped_uuid"] == read_yaml("cells/T/profiles.yaml")["uuid"]
assert not os.path.exists("cells/T/groups/p.group_label.txt")
o = read_yaml("cells/T/outliers/profiles.yaml")
assert o["base_profiles"] == ".." and o["profiles_kind"] == "cells"
np.testing.assert_array_equal(load("cells/T/outliers/p.base_index.npy"), [1])
np.testing.assert_array_equal(dense("cells/T/outliers"), T[[1]])
assert names("cells/T/outliers") == [F["bc_T"][1]]
check_uuids("cells/T/groups")
check_uuids("cells/T/outliers")
PY
    verify cells/T/groups cells/T/outliers
    no_leftovers
}

@test "mc-group on a collection from stdin; groups of groups are 1_zones, then 2_zones" {
    build_fixture
    mc-collect cells/S
    printf '3\n0\n1\n-7\n2\n0\n1\n1\n-1\n0\n3\n' | mc-group --groups - cells/S
    printf '0\n1\n0\n1\n' | mc-group --groups - cells/S/groups
    printf '0\n0\n' | mc-group --groups - cells/S/groups/groups
    fixture_py <<'PY'
group = np.array([3, 0, 1, -1, 2, 0, 1, 1, -1, 0, 3])
saved = load("cells/S/p.group.npy")
assert saved.dtype == np.dtype("<i4")
np.testing.assert_array_equal(saved, group)
sums = np.vstack([F.S[group == k].sum(axis=0) for k in range(4)])
np.testing.assert_array_equal(mmm_dense("cells/S/groups/gp.umis.mmm"), sums)
np.testing.assert_array_equal(load("cells/S/groups/p.grouped_count.npy"), [3, 3, 1, 2])
zones = np.vstack([sums[0] + sums[2], sums[1] + sums[3]])
np.testing.assert_array_equal(mmm_dense("cells/S/groups/groups/gp.umis.mmm"), zones)
np.testing.assert_array_equal(dense("cells/S/groups/groups/groups"), zones.sum(axis=0, keepdims=True))
kinds = [read_yaml(d + "/profiles.yaml")["profiles_kind"] for d in ("cells/S/groups", "cells/S/groups/groups", "cells/S/groups/groups/groups")]
assert kinds == ["metacells", "1_zones", "2_zones"], kinds
np.testing.assert_array_equal(load("cells/S/outliers/p.base_index.npy"), [3, 8])
assert names("cells/S/outliers") == [F.S_names[3], F.S_names[8]]
assert load("cells/S/groups/outliers/p.base_index.npy").shape == (0,)
for d in ("cells/S/groups/groups/groups", "cells/S/outliers", "cells/S/groups/outliers"):
    check_uuids(d)
PY
    verify cells/S cells/S/groups/groups/groups cells/S/outliers cells/S/groups/outliers
    no_leftovers
}

@test "mc-group takes NAME<TAB>LABEL lines: labels in order of appearance, unlisted and -1 are outliers" {
    build_fixture
    mc-collect cells/S
    fixture_py <<'PY'
n = F.S_names
bare = F["bc_L2"][0]                  # unique, so accepted without its member prefix
with open("clusters.tsv", "w") as f:
    f.write("%s\tB cells\n%s\tT cells\n%s\tB cells\n%s\t\n%s\t-1\n%s\tT cells\n9\tNK\n" % (n[1], bare, n[2], n[0], n[4], n[10]))
PY
    run mc-group --groups clusters.tsv cells/S
    assert_success
    run cat cells/S/groups/p.group_label.txt
    assert_output "B cells
T cells
NK"
    fixture_py <<'PY'
group = np.full(11, -1)
group[[1, 2]] = 0
group[[6, 10]] = 1
group[9] = 2
np.testing.assert_array_equal(load("cells/S/p.group.npy"), group)
np.testing.assert_array_equal(mmm_dense("cells/S/groups/gp.umis.mmm"), np.vstack([F.S[group == k].sum(axis=0) for k in range(3)]))
np.testing.assert_array_equal(load("cells/S/groups/p.grouped_count.npy"), [2, 2, 1])
out = np.nonzero(group < 0)[0]
np.testing.assert_array_equal(load("cells/S/outliers/p.base_index.npy"), out)
np.testing.assert_array_equal(dense("cells/S/outliers"), F.S[out])
check_uuids("cells/S/groups")
check_uuids("cells/S/outliers")
PY
    verify cells/S/groups cells/S/outliers
    # Groups made from labels are named by them, everywhere profiles are named.
    fixture_py <<'PY' >want.tsv
group = np.full(11, -1)
group[[1, 2]] = 0
group[[6, 10]] = 1
group[9] = 2
for label, k in (("B cells", 0), ("T cells", 1), ("NK", 2)):
    print("%s\t%d" % (label, F.S[group == k].sum()))
PY
    run mc-sum cells/S/groups
    assert_output "$(cat want.tsv)"
    mc-export cells/S/groups --tsv p grouped_count -o p.tsv
    assert_equal "$(cat p.tsv)" "name	grouped_count
B cells	2
T cells	2
NK	1"
    mc-export cells/S/groups --mtx -o /dev/null --barcodes b.tsv
    mc-export cells/S/groups --10x g.h5 --genes genes
    mc-export cells/S/groups --h5ad g.h5ad --genes genes
    "$PY" -c 'import anndata, h5py; print("\n".join(anndata.read_h5ad("g.h5ad").obs_names)); print("\n".join(x.decode() for x in h5py.File("g.h5")["matrix/barcodes"][:]))' >names
    cat b.tsv b.tsv | cmp - names
    assert_equal "$(cat b.tsv)" "$(cut -f1 want.tsv)"
    # and selected by them.
    echo NK | mc-make-view --keep-profiles - cells/S/groups nk
    run mc-sum nk
    assert_output "$(sed -n 3p want.tsv)"
}

@test "mc-group --ignore-unknown skips the labels of profiles not in a view, as if they were not listed" {
    build_fixture
    mc-collect cells/S
    printf '0\n1\n5\n' | mc-make-view --exclude-profiles - cells/S views/v
    fixture_py <<'PY'
n = F.S_names
with open("all.tsv", "w") as f:   # a label for every profile of the base; "early" only on dropped ones
    for i in range(11):
        f.write("%s\t%s\n" % (n[i], "early" if i in (0, 1) else "-1" if i == 9 else "c%d" % (i % 2)))
with open("kept.tsv", "w") as f:  # the same, filtered to the view's profiles
    for line in open("all.tsv"):
        if line.split("\t")[0] not in (n[0], n[1], n[5]):
            f.write(line)
PY
    run mc-group --groups all.tsv views/v
    assert_failure 1
    assert_output "mc-group: all.tsv:1: no profile named '$(fixture_py <<<'print(F.S_names[0])')' in views/v (labels of other cells: --ignore-unknown)"
    run mc-group --ignore-unknown --groups all.tsv views/v
    assert_success
    assert_output ""
    run cat views/v/groups/p.group_label.txt
    assert_output "c0
c1"
    fixture_py <<'PY'
kept = [2, 3, 4, 6, 7, 8, 9, 10]
group = np.array([-1 if i == 9 else [0, 1][i % 2] for i in kept])   # c0 (profile 2) first, then c1
np.testing.assert_array_equal(load("views/v/p.group.npy"), group)
V = F.S[kept]
np.testing.assert_array_equal(mmm_dense("views/v/groups/gp.umis.mmm"), np.vstack([V[group == k].sum(axis=0) for k in range(2)]))
np.testing.assert_array_equal(load("views/v/outliers/p.base_index.npy"), np.nonzero(group < 0)[0])
PY
    # the very files the filtered labels give
    mc-make-view --force --exclude-profiles <(printf '0\n1\n5\n') cells/S views/w
    mc-group --groups kept.tsv views/w
    for f in p.group.npy groups/gp.umis.mmm groups/p.group_label.txt groups/p.grouped_count.npy groups/profiles.yaml \
        outliers/p.base_index.npy outliers/profiles.yaml; do
        cmp views/v/$f views/w/$f
    done
    verify views/v/groups views/v/outliers
    # names are skipped, not indices, and a name of several profiles is still an error
    printf '99\tx\n' >idx.tsv
    run mc-group --force --ignore-unknown --groups idx.tsv views/v
    assert_failure 1
    assert_output "mc-group: idx.tsv:1: index 99 out of range (views/v has 8 profiles)"
    no_leftovers
}

@test "mc-group: few groups summed in one pass and many by blocks give the exact sums" {
    # 33,000 genes: 3 groups fit the 4 MB of rows of the one pass, 200 and 257 are summed by blocks
    gen-hca --seed 8 --donors 1 --lanes 1 --cells 780 --genes 33000 --mean-genes 150 a.h5
    mc-make-genes --organism human a.h5 genes
    mc-import-cells --genes genes a.h5 cells
    for k in 3 200 257; do
        mc-make-view cells "v$k"
        awk -v k=$k '{print (NR % 13 == 0 ? -1 : NR % k)}' <(seq 780) >"g$k.txt"
        mc-group --threads 2 --groups "g$k.txt" "v$k"
        "$PY" - "$k" "$H" <<'PY'
import sys, h5py, numpy as np
sys.path.insert(0, sys.argv[2])
k = int(sys.argv[1])
f = h5py.File("a.h5")["GRCh38"]
from spec_genes import canonical_names
names = canonical_names([n.decode() for n in f["gene_names"][:]])
order = {n: i for i, n in enumerate(open("genes/g.name.txt").read().split("\n")[:-1])}
assert len(order) == len(set(names)) == 33000
col = np.array([order[n] for n in names])
ip, ix, d = f["indptr"][:], f["indices"][:], f["data"][:].astype(np.int64)
group = np.array([int(x) for x in open("g%d.txt" % k)])
want = np.zeros((k, 33000), dtype=np.int64)
for p in range(len(ip) - 1):
    if group[p] >= 0:
        np.add.at(want[group[p]], col[ix[ip[p]:ip[p + 1]]], d[ip[p]:ip[p + 1]])
from derived import mmm_dense
np.testing.assert_array_equal(mmm_dense("v%d/groups/gp.umis.mmm" % k), want)
PY
        run mc-info --verify "v$k/groups"
        assert_success
    done
}

@test "mc-group errors: a gap, wrong line counts, bad values and names; nothing is left behind" {
    build_fixture
    "$PY" -c 'import numpy as np; np.save("cells/T/p.group.npy", np.array([0, 2, 0, 2], dtype="<i4"))'
    run mc-group cells/T
    assert_failure 1
    assert_output "mc-group: cells/T/p.group.npy: group 1 has no profiles (groups must be numbered 0..2 without gaps)"
    rm cells/T/p.group.npy
    printf '0\n3\n1\n0\n' > g.txt
    run mc-group --groups g.txt cells/T
    assert_failure 1
    assert_output "mc-group: g.txt: group 2 has no profiles (groups must be numbered 0..3 without gaps)"
    printf '0\n1\n0\n' > g.txt
    run mc-group --groups g.txt cells/T
    assert_failure 1
    assert_output "mc-group: g.txt:4: expected 4 lines (one group per profile of cells/T), found 3"
    printf '0\n1\n0\n1\n1\n1\n' > g.txt
    run mc-group --groups g.txt cells/T
    assert_failure 1
    assert_output "mc-group: g.txt:5: expected 4 lines (one group per profile of cells/T), found more"
    run mc-group --groups - cells/T <<< "$(printf '0\nx\n0\n0')"
    assert_failure 1
    assert_output "mc-group: stdin:2: 'x' is not a group index (an integer; negative for an outlier)"
    bc=$(sed -n 1p cells/T/p.barcode.txt)
    run mc-group --groups - cells/T <<< "$(printf '%s\ta\nNOPE-1\tb' "$bc")"
    assert_failure 1
    assert_output "mc-group: stdin:2: no profile named 'NOPE-1' in cells/T"
    run mc-group --groups - cells/T <<< "$(printf '%s\ta\n1\tb\n%s\tb' "$bc" "$bc")"
    assert_failure 1
    assert_output "mc-group: stdin:3: profile '$bc' is listed twice (first at line 1)"
    run mc-group --groups - cells/T <<< "$(printf '%s\ta\nno label' "$bc")"
    assert_failure 1
    assert_output "mc-group: stdin:2: expected NAME<TAB>LABEL"
    run mc-group cells/N
    assert_failure 1
    assert_output "mc-group: cells/N/p.group.npy: not found; give the groups with --groups FILE"
    run ls cells/T cells/N
    assert_output "cells/N:
gp.umis.mmm
profiles.yaml

cells/T:
gp.umis.mmm
p.barcode.txt
profiles.yaml"
    no_leftovers
}

@test "mc-group needs --force to replace groups, outliers and a different p.group.npy" {
    build_fixture
    printf '0\n0\n1\n1\n' > g.txt
    "$PY" -c 'import numpy as np; np.save("cells/T/p.group.npy", np.array([0, 0, 1, 1], dtype="<i4"))'
    run mc-group --groups g.txt cells/T      # the same groups as p.group.npy already holds
    assert_success
    run mc-group --groups g.txt cells/T
    assert_failure 1
    assert_output "mc-group: cells/T/groups: already exists (use --force to replace it)"
    rm -r cells/T/groups cells/T/outliers
    printf '1\n0\n0\n1\n' > g.txt
    run mc-group --groups g.txt cells/T
    assert_failure 1
    assert_output "mc-group: cells/T/p.group.npy: already exists with other groups (use --force to replace it)"
    [ ! -e cells/T/groups ]
    [ ! -e cells/T/outliers ]
    run mc-group --force --groups g.txt cells/T
    assert_success
    fixture_py <<'PY'
T = F["T"]
np.testing.assert_array_equal(load("cells/T/p.group.npy"), [1, 0, 0, 1])
np.testing.assert_array_equal(dense("cells/T/groups"), np.vstack([T[1] + T[2], T[0] + T[3]]))
PY
    verify cells/T/groups cells/T/outliers
    no_leftovers
}

# --- conventions ---------------------------------------------------------------------

@test "every derived tool has --help with an example, --version and usage errors" {
    for t in mc-collect mc-make-view mc-sum mc-group; do
        run "$t" --help
        assert_success
        assert_output --partial "Example:"
        run "$t" --version
        assert_success
        assert_output --regexp "^$t [0-9]+\.[0-9]+\.[0-9]+$"
        run "$t" --no-such-option
        assert_usage_error "$t: unknown option '--no-such-option'"
    done
    run mc-sum
    assert_usage_error "mc-sum: expected one CONTAINER"
    run mc-sum --by cell x
    assert_usage_error "mc-sum: --by: expected profile or gene, got 'cell'"
    run mc-sum x --by
    assert_usage_error "mc-sum: --by needs a value"
    run mc-make-view onlyone
    assert_usage_error "mc-make-view: expected BASE and VIEW"
    run mc-make-view --profiles - a b
    assert_usage_error "mc-make-view: --profiles is now --keep-profiles"
    run mc-make-view --gene-set genes a b
    assert_usage_error "mc-make-view: --gene-set is now --genes"
    run mc-group a b
    assert_usage_error "mc-group: expected one CONTAINER"
    run mc-group --threads 300 a
    assert_usage_error "mc-group: --threads: expected an integer from 1 to 256, got '300'"
    run mc-collect
    assert_usage_error "mc-collect: expected OUT and the CONTAINERs to collect"
}

@test "mc-sum of a view of every profile takes its base's proven totals, and recomputes when they are not" {
    mc-make-genes --organism human "$DATA10X/3.0.0/filtered_feature_bc_matrix.h5" genes
    mc-import-cells --genes genes "$DATA10X/3.0.0/filtered_feature_bc_matrix.h5" cells
    mc-sum cells >want.tsv
    mc-sum --by gene cells >want_g.tsv
    n=$(wc -l <want.tsv)
    seq 0 $((n - 1)) | mc-make-view --keep-profiles - cells all
    run mc-sum all
    assert_success
    diff want.tsv <(echo "$output")
    diff want_g.tsv <(mc-sum --by gene all)
    verify all
    # a base cache that is not proven is not used: recomputed from the counts
    rm all/*total_umis*
    "$PY" -c 'import numpy as np; a = np.load("cells/p.total_umis.npy"); a[0] += 1; np.save("cells/p.total_umis.npy", a)'
    diff want.tsv <(mc-sum all)
    diff want.tsv <(mc-sum cells)
}

@test "a stale totals cache is never served: not by mc-export, not through a view, whatever its length" {
    v2="$DATA10X/1.2.0/filtered_gene_bc_matrices_h5.h5" v3="$DATA10X/3.0.0/filtered_feature_bc_matrix.h5"
    mc-make-genes --organism human --union "$v2" "$v3" genes
    mc-import-cells --genes genes "$v2" v2
    mc-import-cells --genes genes "$v3" v3
    mc-collect both a=v2/all b=v3/all
    mc-sum both >/dev/null
    cp both/p.total_umis.npy cached.npy
    # Same profiles, another order: the collection's cache is stale, and nothing else holds totals.
    mc-collect --force both b=v3/all a=v2/all
    mc-make-view both view
    mc-export both --h5ad both.h5ad
    mc-export view --h5ad view.h5ad
    cmp cached.npy both/p.total_umis.npy   # still on disk, not served
    py <<'PY'
import anndata
for f in ("both.h5ad", "view.h5ad"):
    assert "total_umis" not in anndata.read_h5ad(f).obs.columns and "barcode" in anndata.read_h5ad(f).obs.columns, f
PY
    mc-sum both >/dev/null
    mc-export --force both --h5ad both.h5ad
    mc-export --force view --h5ad view.h5ad
    py <<'PY'
import anndata, numpy as np
for f in ("both.h5ad", "view.h5ad"):
    a = anndata.read_h5ad(f)
    assert (a.obs["total_umis"].values == np.asarray(a.X.sum(axis=1)).ravel()).all(), f
PY
    # Fewer profiles than the stale cache holds: no error about its length, and it is not listed.
    mc-collect --force both b=v3/all
    run mc-export both --tsv p
    assert_success
    assert_line --index 0 "name	barcode	batch	lane	member"
    run mc-info both
    assert_success
    refute_output --partial "total_umis"
}
