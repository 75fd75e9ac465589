#!/usr/bin/env bats
# Issue 11: inputs that once crashed, lied or grew without bound, each as its
# own test; the hard limits of doc/SPEC.md section 9.

load test_helper
bats_require_minimum_version 1.5.0

# A valid <i4 .npy of 3 zeros whose header dict text is replaced by DICT
# (padded so the data stays 64-byte aligned as numpy writes it).
npy_with_header() {
    "$PY" - "$1" "$2" <<'PY'
import sys
name, d = sys.argv[1], sys.argv[2]
h = d.encode()
h += b" " * ((64 - (10 + len(h) + 1) % 64) % 64) + b"\n"
open(name, "wb").write(b"\x93NUMPY\x01\x00" + len(h).to_bytes(2, "little") + h + bytes(12))
PY
}

@test "npy: a header numpy refuses or reads otherwise is refused (issue 11, item 7)" {
    npy_with_header trailing.npy "{'descr': '<i4', 'fortran_order': False, 'shape': (3,), }garbage"
    npy_with_header twice.npy "{'descr': '<i4', 'fortran_order': False, 'shape': (3,), 'shape': (2,), }"
    npy_with_header extra.npy "{'descr': '<i4', 'fortran_order': False, 'shape': (3,), 'x': 1, }"
    npy_with_header int.npy "{'descr': '<i4', 'fortran_order': False, 'shape': (3), }"
    npy_with_header ok.npy "{'descr': '<i4', 'fortran_order': False, 'shape': (3,), }"
    # numpy itself refuses the first, reads (2,) from the second, refuses the third and fourth
    run "$PY" -c "
import numpy as np
for f in ['trailing', 'twice', 'extra', 'int']:
    try: print(f, np.load(f + '.npy').shape)
    except Exception as e: print(f, 'refused')"
    assert_output "trailing refused
twice (2,)
extra refused
int refused"
    run lib-tool npy-read trailing.npy
    assert_failure 1
    assert_output "lib-tool: trailing.npy: bad .npy header (text after the dict)"
    run lib-tool npy-read twice.npy
    assert_failure 1
    assert_output "lib-tool: twice.npy: bad .npy header (key 'shape' twice)"
    run lib-tool npy-read extra.npy
    assert_output "lib-tool: extra.npy: bad .npy header (unknown key 'x')"
    run lib-tool npy-read int.npy
    assert_output "lib-tool: int.npy: bad .npy header (shape must be 1-D or 2-D)"
    run lib-tool npy-read ok.npy
    assert_success
    assert_output "<i4 (3,) 0
0
0
0"
}

@test "npy: a header larger than numpy's 10000-byte limit is refused before it is read" {
    "$PY" -c "
open('huge.npy', 'wb').write(b'\x93NUMPY\x02\x00' + (2**31).to_bytes(4, 'little') + b'{')"
    run lib-tool npy-read huge.npy
    assert_failure 1
    assert_output "lib-tool: huge.npy: .npy header of 2147483648 bytes (at most 10000)"
}


# A small data root from the shipped 10x v3 example (the fuzz fixture's recipe):
# std/pbmc, delaned/pbmc/all, genes, cells/pbmc (collection of all), views/good (+ groups),
# built once for the file; root copies it to the test's own $T/r and goes there.
setup_file() { "$MC_ROOT/tests/fuzz/fixture.sh" "$BATS_FILE_TMPDIR/r" >/dev/null 2>&1; }
root() {
    cp -a "$BATS_FILE_TMPDIR/r" "$T/r"
    cd "$T/r"
}

# Nine levels of nine aliases: 9^9 nodes once expanded, in 300 bytes.
alias_bomb() {
    printf 'a0: &a0 [x, x, x, x, x, x, x, x, x]\n'
    for i in 1 2 3 4 5 6 7 8; do
        p=a$((i - 1))
        printf 'a%d: &a%d [*%s, *%s, *%s, *%s, *%s, *%s, *%s, *%s, *%s]\n' $i $i $p $p $p $p $p $p $p $p $p
    done
}

@test "yaml: an alias bomb in profiles.yaml, genes.yaml or format.yaml is refused within bounded memory (item 4)" {
    root
    for f in cells/pbmc/all/profiles.yaml genes/genes.yaml delaned/pbmc/all/format.yaml; do
        { alias_bomb; cat $f; } >bomb && mv bomb $f
    done
    [ "$(wc -c <genes/genes.yaml)" -lt 1000 ]
    # 1 GB of address space is far more than 10^6 nodes need and far less than 9^9
    run -1 bounded 1000000 mc-info cells/pbmc/all
    assert_output "mc-info: cells/pbmc/all/profiles.yaml:1: YAML of more than 1000000 nodes with its aliases expanded"
    run -1 bounded 1000000 mc-make-genes --organism human delaned/pbmc/all g2
    assert_output "mc-make-genes: delaned/pbmc/all/format.yaml:1: YAML of more than 1000000 nodes with its aliases expanded"
    run -1 bounded 1000000 mc-write-matrix --genes genes std/pbmc c2
    assert_output "mc-write-matrix: genes/genes.yaml:1: YAML of more than 1000000 nodes with its aliases expanded"
    [ ! -e g2 ] && [ ! -e c2 ]
}

@test "yaml: a metadata file over 4 MiB is refused as it is read (item 4)" {
    root
    { cat cells/pbmc/all/profiles.yaml; head -c 5000000 /dev/zero | tr '\0' '#'; echo; } >big && mv big cells/pbmc/all/profiles.yaml
    run -1 mc-info cells/pbmc/all
    assert_output "mc-info: cells/pbmc/all/profiles.yaml: larger than 4194304 bytes, the limit for YAML"
}

@test "yaml: 050, +40 and !!str 40 are not integers, as \"40\" is not (item 7)" {
    root
    cp cells/pbmc/all/profiles.yaml good.yaml
    n=$(sed -n 's/^genes_count: //p' good.yaml)
    for bad in "0$n" "+$n" "!!str $n" "'$n'"; do
        sed "s/^genes_count: .*/genes_count: $bad/" good.yaml >cells/pbmc/all/profiles.yaml
        run -1 mc-info cells/pbmc/all
        assert_output --regexp "^mc-info: cells/pbmc/all/profiles.yaml:[0-9]+: key 'genes_count' must be a non-negative integer$"
    done
    sed "s/^organism: .*/organism: !!str 40/" good.yaml >cells/pbmc/all/profiles.yaml
    run mc-info cells/pbmc/all
    assert_success
    assert_line "organism: 40"
}

@test "make-view: --keep-profiles /dev/zero is an error, never an empty view and exit 0 (item 2)" {
    root
    # 4 GB of address space: where getline's ENOMEM once read as the end of the file
    run -1 bounded 4000000 mc-make-view --keep-profiles /dev/zero cells/pbmc v
    assert_output "mc-make-view: /dev/zero:1: line longer than 1048576 bytes"
    [ ! -e v ]
    run -1 bounded 4000000 mc-make-view --exclude-genes - cells/pbmc v </dev/zero
    assert_output "mc-make-view: stdin:1: line longer than 1048576 bytes"
    [ ! -e v ]
}

@test "p.barcode.txt and --groups from /dev/zero stop at the line limit (item 4)" {
    root
    before=$(ls -la --time-style=full-iso views/good views/good/groups)
    run -1 bounded 1000000 mc-group --force --groups /dev/zero views/good
    assert_output "mc-group: /dev/zero:1: line longer than 1048576 bytes"
    # an endless stream of valid lines stops one past the profiles
    n=$(mc-sum views/good | wc -l)
    [ "$n" -gt 100 ]
    run -1 bash -c 'yes 0 | mc-group --force --groups - views/good'
    assert_output "mc-group: stdin:$((n + 1)): expected $n lines (one group per profile of views/good), found more"
    [ "$(ls -la --time-style=full-iso views/good views/good/groups)" = "$before" ]
    # where a container holds it, /dev/zero is not even read: not a regular file (issue 17, finding 10)
    ln -sf /dev/zero cells/pbmc/all/p.barcode.txt
    run -1 bounded 1000000 mc-sum cells/pbmc
    assert_output "mc-sum: cells/pbmc/all/p.barcode.txt: not a regular file"
}

@test "csv: /dev/zero as profiles.csv or genes.csv stops at the row limit (item 4)" {
    root
    cp -r std/pbmc s2
    ln -sf /dev/zero s2/profiles.csv
    run -1 bounded 1000000 mc-write-matrix --genes genes s2 c2
    assert_output "mc-write-matrix: s2/profiles.csv:1: a row longer than 1048576 bytes"
    ln -sf /dev/zero s2/genes.csv
    run -1 bounded 1000000 mc-delane s2 d2
    assert_output "mc-delane: s2/genes.csv:1: a row longer than 1048576 bytes"
    # a quoted field running over many lines is one row too
    rm s2/profiles.csv
    { echo 'barcode,lane,batch'; printf '"'; yes x | head -600000; } >s2/profiles.csv
    rm s2/genes.csv && cp std/pbmc/genes.csv s2/genes.csv
    run -1 mc-delane s2 d2
    assert_output "mc-delane: s2/profiles.csv:524289: a row longer than 1048576 bytes"
    [ ! -e c2 ] && [ ! -e d2 ]
}

@test "csv: rows beyond the size line's count are refused at the first one, not after the whole file (item 4)" {
    root
    cp -r std/pbmc s2
    n=$(sed -n 2p s2/umis.mtx | cut -d' ' -f2)
    rm s2/profiles.csv
    mkfifo s2/profiles.csv
    # an endless profiles.csv: refused all the same, in bounded memory
    { echo barcode,lane,batch; yes AAAC-1,all,all; } >s2/profiles.csv 2>/dev/null &
    run -1 bounded 1000000 mc-write-matrix --genes genes s2 c2
    assert_output "mc-write-matrix: s2/profiles.csv:$((n + 2)): more rows than the $n of the size line of s2/umis.mtx"
    [ ! -e c2 ]
}

@test "totals cache: a value overwritten in place is caught by --verify and recomputed by mc-sum (item 3)" {
    root
    mc-sum cells/pbmc >want
    run mc-info --verify cells/pbmc
    assert_success
    assert_output "cells/pbmc: ok"
    "$PY" -c '
import numpy as np
a = np.load("cells/pbmc/p.total_umis.npy"); a[0] += 1
np.save("cells/pbmc/p.total_umis.npy", a)'
    run mc-info --verify cells/pbmc
    assert_failure 1
    assert_output "mc-info: cells/pbmc/total_umis.uuid: the totals cache was modified after it was written"
    run mc-sum cells/pbmc
    assert_success
    assert_output "$(cat want)"
    run mc-info --verify cells/pbmc
    assert_output "cells/pbmc: ok"
    # a stamp copied from another container vouches for nothing
    cp views/good/total_umis.uuid cells/pbmc/total_umis.uuid
    run mc-info --verify cells/pbmc
    assert_failure 1
    assert_output "mc-info: cells/pbmc/total_umis.uuid: computed for another container than $(sed -n 's/^uuid: //p' cells/pbmc/profiles.yaml)"
    run mc-sum cells/pbmc
    assert_output "$(cat want)"
    # a stamp of mc before issue 11 (the uuid alone) is not trusted, and not a problem
    sed -n 1p views/good/total_umis.uuid >views/good/stamp && mv views/good/stamp views/good/total_umis.uuid
    run mc-info --verify views/good
    assert_output "views/good: ok"
}

# The shipped 10x v3 file with one change made by h5py, for each of WHAT... (big, dup,
# emptybc, emptyname): WHAT.h5, all in one python.
h5_with() {
    "$PY" - "$DATA10X/3.0.0/filtered_feature_bc_matrix.h5" "$@" <<'PY'
import h5py, shutil, sys
src = sys.argv[1]
for what in sys.argv[2:]:
    shutil.copy(src, what + ".h5")
    with h5py.File(what + ".h5", "r+") as h:
        m = h["matrix"]
        if what == "big":
            d = m["data"][:].astype("<i8"); d[5] = 2**40
            del m["data"]; m["data"] = d
        else:
            ds, i = {"dup": ("barcodes", 3), "emptybc": ("barcodes", 2), "emptyname": ("features/name", 4)}[what]
            v = m[ds][:]; v[i] = v[1] if what == "dup" else b""; m[ds][:] = v
PY
}

@test "import: a count of 2^40, a barcode twice or empty, an empty gene name refused by the first tool (item 6)" {
    h5_with big dup emptybc emptyname
    run -1 mc-import-hca big.h5 std
    assert_output "mc-import-hca: big.h5: /matrix/data: value 1099511627776 of profile 1 is not a plausible count (more than 16777216)"
    run -1 mc-import-hca dup.h5 std
    assert_output "mc-import-hca: dup.h5: /matrix/barcodes: row 4: barcode 'AAACGCTTCAGCCCAG-1' twice in lane 'all' (first at row 2)"
    run -1 mc-import-hca emptybc.h5 std
    assert_output "mc-import-hca: emptybc.h5: /matrix/barcodes: row 3: empty barcode"
    run -1 mc-import-hca emptyname.h5 std
    assert_output "mc-import-hca: emptyname.h5: /matrix/features/name: row 5: empty gene name"
    [ ! -e std ]
    # the direct route refuses the same, the same way
    mc-make-genes --organism human "$DATA10X/3.0.0/filtered_feature_bc_matrix.h5" genes
    for w in big dup emptybc emptyname; do
        run -1 mc-import-cells --genes genes $w.h5 cells
        want=$(mc-import-hca $w.h5 std 2>&1 | sed 's/^mc-import-hca/mc-import-cells/')
        assert_output "$want"
    done
    run -1 mc-make-genes --organism human emptyname.h5 g
    assert_output "mc-make-genes: emptyname.h5: /matrix/features/name: row 5: empty gene name"
    [ ! -e std ] && [ ! -e cells ] && [ ! -e g ]
    # the same in an STD: mc-delane refuses what mc-write-matrix would
    mc-import-hca "$DATA10X/3.0.0/filtered_feature_bc_matrix.h5" good
    cp -r good s && sed -i '3s/ [0-9]*$/ 1099511627776/' s/umis.mtx
    run -1 mc-delane s d
    assert_output "mc-delane: s/umis.mtx:3: value 1099511627776 is not a plausible count (more than 16777216)"
    cp good/umis.mtx s/ && sed -i '5s/^[^,]*,/AAACCCAAGGAGAGTA-1,/' s/profiles.csv
    run -1 mc-delane s d
    assert_output "mc-delane: s/profiles.csv:5: barcode 'AAACCCAAGGAGAGTA-1' twice in lane 'all' (first at line 2)"
    cp good/profiles.csv s/ && sed -i '4s/^[^,]*,/,/' s/profiles.csv
    run -1 mc-delane s d
    assert_output "mc-delane: s/profiles.csv:4: empty barcode"
    cp good/profiles.csv s/ && sed -i '3s/^\([^,]*\),[^,]*,/\1,,/' s/genes.csv   # ensembl,name,genome: the name
    run -1 mc-delane s d
    assert_output "mc-delane: s/genes.csv:3: empty gene name"
    run -1 mc-make-genes --organism human s g
    assert_output "mc-make-genes: s/genes.csv:3: empty gene name"
    [ ! -e d ] && [ ! -e g ]
    # the same barcode in two lanes is two profiles
    cp good/genes.csv s/ && sed -i '3s/^\([^,]*\),all,all/\1,two,two/; 4s/^[^,]*,all,all/'"$(sed -n '3s/,.*//p' good/profiles.csv)"',all,all/' s/profiles.csv
    run mc-delane s d
    assert_success
    assert_equal "$(cat d/lanes.txt)" "all
two"
    assert_equal "$(cut -d, -f1 d/two/profiles.csv | sed 1d)" "$(sed -n '3s/,.*//p' good/profiles.csv)"
    grep -q "^$(sed -n '3s/,.*//p' good/profiles.csv),all,all$" d/all/profiles.csv
}

@test "export: --h5ad and --10x to a full filesystem give one line and exit 1, no crash (item 1)" {
    root
    for f in "--h5ad o/x.h5ad" "--10x o/x.h5"; do
        # a 64 KiB tmpfs in a mount namespace of its own: a disk that fills up
        run unshare -rm sh -c "mkdir -p o && mount -t tmpfs -o size=64k tmpfs o && mc-export views/good $f; echo status=\$?; ls -A o"
        assert_success
        assert_output --regexp "^mc-export: o/x\.h5(ad)?: /(X|matrix)/[a-z]+: cannot close: file write failed: No space left on device
status=1$"
    done
}

@test "errors stay one line when what they quote holds a line break (fuzz_npy's first find)" {
    mkdir $'x\ny'
    run -1 mc-info $'x\ny'
    assert_output "mc-info: x y: not a container (no profiles.yaml)"
    "$PY" -c "
h = b\"{'descr': '<i4', 'fortran_order': False, 'shape': (3,), 'a\\nb': 1, }\"
h += b' ' * ((64 - (10 + len(h) + 1) % 64) % 64) + b'\\n'
open('k.npy', 'wb').write(b'\\x93NUMPY\\x01\\x00' + len(h).to_bytes(2, 'little') + h + bytes(12))"
    run -1 lib-tool npy-read k.npy
    assert_output "lib-tool: k.npy: bad .npy header (a key must be a quoted name)"
}
