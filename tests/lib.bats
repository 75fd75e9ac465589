#!/usr/bin/env bats
# The small modules of common/: npy against numpy, uuids against md5sum, gene
# name canonicalization, relative paths, and YAML metadata errors.

load test_helper

@test "npy files are byte-identical to numpy.save and load with the right dtype and shape" {
    lib-tool npy-write i4.npy '<i4' 3 1 -2 2147483647
    lib-tool npy-write i8.npy '<i8' 2 -9000000000 5
    lib-tool npy-write f8.npy '<f8' 4 0.5 1e300 -3 0
    lib-tool npy-write f4.npy '<f4' 1 1.5
    lib-tool npy-write gp.npy '<i4' 2x3 1 2 3 4 5 6
    lib-tool npy-write empty.npy '<f8' 0
    py <<'PY'
import numpy as np
want = {
    "i4": np.array([1, -2, 2147483647], dtype="<i4"),
    "i8": np.array([-9000000000, 5], dtype="<i8"),
    "f8": np.array([0.5, 1e300, -3, 0], dtype="<f8"),
    "f4": np.array([1.5], dtype="<f4"),
    "gp": np.asfortranarray(np.array([[1, 3, 5], [2, 4, 6]], dtype="<i4")),
    "empty": np.zeros(0, dtype="<f8"),
}
for name, a in want.items():
    got = np.load(name + ".npy")
    assert got.dtype == a.dtype and got.shape == a.shape and (got == a).all(), name
    np.save(name + ".want.npy", a)
    assert open(name + ".npy", "rb").read() == open(name + ".want.npy", "rb").read(), name
assert np.load("gp.npy").flags.f_contiguous
PY
}

@test "npy files written by numpy read back, long shapes included" {
    py <<'PY'
import numpy as np
np.save("a.npy", np.arange(100000, dtype="<i8"))
np.save("b.npy", np.asfortranarray(np.arange(6, dtype="<f4").reshape(2, 3)))
PY
    run lib-tool npy-read a.npy
    assert_success
    assert_line --index 0 "<i8 (100000,) 0"
    assert_line --index 100000 "99999"
    run lib-tool npy-read b.npy
    assert_output "<f4 (2, 3) 1
0
3
1
4
2
5"
}

@test "npy with a bad header, dtype or size is refused with one line" {
    printf 'not numpy at all' >magic.npy
    run lib-tool npy-read magic.npy
    assert_failure 1
    assert_output "lib-tool: magic.npy: not a .npy file (bad magic)"
    py <<'PY'
import numpy as np
np.save("u2.npy", np.zeros(3, dtype="<u2"))
np.save("big.npy", np.zeros(3, dtype=">i4"))
np.save("ok.npy", np.zeros(3, dtype="<i4"))
np.save("cube.npy", np.zeros((1, 2, 3), dtype="<i4"))
b = open("ok.npy", "rb").read()
open("short.npy", "wb").write(b[:-1])
open("noshape.npy", "wb").write(b.replace(b"'shape'", b"'shapx'"))
PY
    run lib-tool npy-read u2.npy
    assert_output "lib-tool: u2.npy: unsupported .npy dtype '<u2' (mc reads <i4, <i8, <f4, <f8, |b1)"
    run lib-tool npy-read big.npy
    assert_output "lib-tool: big.npy: unsupported .npy dtype '>i4' (mc reads <i4, <i8, <f4, <f8, |b1)"
    run lib-tool npy-read short.npy
    assert_output "lib-tool: short.npy: .npy file is 139 bytes but its header says 140"
    run lib-tool npy-read noshape.npy
    assert_output "lib-tool: noshape.npy: bad .npy header (needs descr, fortran_order and shape)"
    run lib-tool npy-read cube.npy
    assert_output "lib-tool: cube.npy: bad .npy header (shape must be 1-D or 2-D)"
}

@test "file uuids equal md5sum and combine is the md5 of the concatenated bytes" {
    printf 'ACTB\nCD3E\n' >g.name.txt
    head -c 100000 /dev/urandom >blob
    run lib-tool uuid-file g.name.txt blob
    for f in g.name.txt blob; do
        h=$(md5sum $f | cut -c1-32)
        assert_line "${h:0:8}-${h:8:4}-${h:12:4}-${h:16:4}-${h:20:12}"
    done
    a=$(lib-tool uuid-file g.name.txt) b=$(lib-tool uuid-file blob)
    h=$(printf "$(printf %s "$a$b" | tr -d - | sed 's/../\\x&/g')" | md5sum | cut -c1-32)
    run lib-tool uuid-combine "$a" "$b"
    assert_output "${h:0:8}-${h:8:4}-${h:12:4}-${h:16:4}-${h:20:12}"
    run "$PY" -c "import uuid,hashlib; print(uuid.UUID(bytes=hashlib.md5(open('blob','rb').read()).digest()))"
    assert_output "$b"
}

@test "gene names: upper-cased, duplicates get -1, -2 in input order, never colliding" {
    run lib-tool unique Actb ACTB actb a-1 A A ACTB-1 x
    assert_output "ACTB
ACTB-2
ACTB-3
A-1
A
A-2
ACTB-1
X"
}

@test "relative paths between directories" {
    mkdir -p a/b/c a/d/e
    run lib-tool relpath a/b/c a/d/e
    assert_output "../../d/e"
    run lib-tool relpath a/b a/b/c
    assert_output "c"
    run lib-tool relpath a/b/c a/b
    assert_output ".."
    run lib-tool relpath a/b a/b
    assert_output "."
    run lib-tool relpath a/b a/bc
    assert_output "../bc"
    run lib-tool relpath a/d/new a/b/c
    assert_output "../../b/c"
}

# A batch built by the independent python writer, then a broken profiles.yaml.
batch() {
    "$PY" - <<'PY'
import sys, os
sys.path.insert(0, os.environ["MC_ROOT"] + "/tests/helpers")
import mcfix
gu = mcfix.write_genes("genes", ["A", "B"])
mcfix.write_batch("cells/x", [[1, 0], [0, 2]], gu, ["c1", "c2"])
PY
}

@test "profiles.yaml with a missing key, a wrong type, bad YAML, or a changed matrix" {
    export MC_ROOT
    batch
    cp cells/x/profiles.yaml good.yaml
    sed -i '/^organism:/d' cells/x/profiles.yaml
    run mc-info cells/x
    assert_failure 1
    assert_output "mc-info: cells/x/profiles.yaml: missing required key 'organism'"

    sed 's/^genes_count: 2/genes_count: two/' good.yaml >cells/x/profiles.yaml
    run mc-info cells/x
    assert_failure 1
    assert_output "mc-info: cells/x/profiles.yaml:5: key 'genes_count' must be a non-negative integer"

    sed 's/^genes_count: 2/genes_count: [2]/' good.yaml >cells/x/profiles.yaml
    run mc-info cells/x
    assert_output "mc-info: cells/x/profiles.yaml:5: key 'genes_count' must be a non-negative integer"

    sed 's/^organism: human/organism: 42/' good.yaml >cells/x/profiles.yaml
    run mc-info cells/x
    assert_output "mc-info: cells/x/profiles.yaml:2: key 'organism' must be a string"

    sed 's/^uuid: .*/uuid: nope/' good.yaml >cells/x/profiles.yaml
    run mc-info cells/x
    assert_output "mc-info: cells/x/profiles.yaml:1: key 'uuid' must be a uuid (8-4-4-4-12 hex digits)"

    printf 'uuid: [unclosed\n' >cells/x/profiles.yaml
    run mc-info cells/x
    assert_failure 1
    assert_output --regexp "^mc-info: cells/x/profiles.yaml:2: invalid YAML: .*$"

    cp good.yaml cells/x/profiles.yaml
    printf '0:1\n' | lib-tool mmm-write cells/x/gp.umis.mmm 2
    run mc-info cells/x
    assert_failure 1
    assert_output "mc-info: cells/x/profiles.yaml: 2 profiles x 2 genes but gp.umis.mmm holds 1 x 2"
}

@test "unknown keys in profiles.yaml are kept and ignored" {
    export MC_ROOT
    batch
    printf 'comment: made by hand\nextra:\n  nested: [1, 2]\n' >>cells/x/profiles.yaml
    run mc-info cells/x
    assert_success
    assert_line "kind: batch"
}

@test "mc-info on corrupt data files: MMM, npy, txt" {
    export MC_ROOT
    batch
    cp cells/x/gp.umis.mmm good.mmm
    head -c 60 good.mmm >cells/x/gp.umis.mmm
    run mc-info cells/x
    assert_failure 1
    assert_output "mc-info: cells/x/gp.umis.mmm: truncated MMM file (60 bytes for 2 profiles)"
    run mc-info --verify cells/x
    assert_failure 1
    assert_line "mc-info: cells/x/gp.umis.mmm: truncated MMM file (60 bytes for 2 profiles)"

    cp good.mmm cells/x/gp.umis.mmm
    printf 'junk' >cells/x/p.total_umis.npy
    run mc-info --verify cells/x
    assert_failure 1
    assert_output "mc-info: cells/x/p.total_umis.npy: not a .npy file (bad magic)"

    rm cells/x/p.total_umis.npy
    printf 'c1\nc2' >cells/x/p.barcode.txt
    run mc-info --verify cells/x
    assert_failure 1
    assert_output "mc-info: cells/x/p.barcode.txt:2: last line does not end with a newline"
}
