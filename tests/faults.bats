#!/usr/bin/env bats
# Faults injected into every tool that writes (issue 11): the Nth write point
# (tests/fault/fault.c: opening for writing, mkdir, write, fsync, rename, ...)
# fails, for N = 1, 2, ... until the tool succeeds, so every write point fails
# once; and a real full disk (a small tmpfs) at every size up to the one that
# holds the output.  Each failure must be one line on stderr, exit status 1 (no
# signal) and leave nothing behind: the output absent or, when it replaces
# one (--force), exactly as it was, and no temporary beside it.

load test_helper

SHIM="$MC_ROOT/tests/fault/libfault.so"

setup() {
    T="$BATS_TEST_TMPDIR"
    "$MC_ROOT/tests/fuzz/fixture.sh" "$T/r" >/dev/null 2>&1
    cd "$T/r"
    mc-sum views/good >profiles.tsv
}

# Everything under DEST (names, sizes, contents) and any temporary beside it.
snapshot() {
    local dest=$1 parent
    parent=$(dirname "$dest")
    if [ -e "$dest" ]; then (cd "$dest" 2>/dev/null && find . -type f -exec md5sum {} + | LC_ALL=C sort) || md5sum "$dest"; fi
    [ -d "$parent" ] && ls -A "$parent" | grep -E '\.(tmp|old)-' || true
}

# Run CMD with write point N failing; sets s (exit status) and hit (the point, or empty).
faulty() {
    local n=$1
    shift
    rm -f "$T/flog"
    s=0
    # ASan wants its runtime first among the libraries; the shim comes first here
    MC_FAULT_AT=$n MC_FAULT_LOG="$T/flog" LD_PRELOAD="$SHIM" \
        ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" "$@" >"$T/out" 2>"$T/err" || s=$?
    hit=$(grep "^$n " "$T/flog" || true)
}

# One failed run: one line from TOOL, status 1, DEST as BEFORE.
check_failure() {
    local tool=$1 dest=$2 before=$3
    [ "$s" = 1 ] || fail "fault '$hit': exit status $s, not 1; stderr: $(cat "$T/err")"
    [ "$(wc -l <"$T/err")" = 1 ] || fail "fault '$hit': not one line: $(cat "$T/err")"
    grep -q "^$tool: ." "$T/err" || fail "fault '$hit': not an error of $tool: $(cat "$T/err")"
    [ "$(snapshot "$dest")" = "$before" ] || fail "fault '$hit': $dest changed or left a temporary: $(snapshot "$dest")"
}

# Are outputs A and B the same?  HDF5 files hold creation times, so for them
# the same objects, attributes and values.
same_output() {
    case $2 in
    *.h5 | *.h5ad) "$PY" - "$1" "$2" <<'PY'
import sys, h5py, numpy as np
def walk(f):
    out = {}
    f.visititems(lambda n, o: out.__setitem__(n, (dict(o.attrs), o[()] if isinstance(o, h5py.Dataset) else None)))
    return out
a, b = (walk(h5py.File(p, "r")) for p in sys.argv[1:])
assert a.keys() == b.keys(), (a.keys(), b.keys())
for k in a:
    assert str(a[k]) == str(b[k]), k
PY
        ;;
    *) diff -r "$1" "$2" >/dev/null ;;
    esac
}

# sweep DEST CMD...: every write point of CMD fails once; the last run succeeds.
# A failure the tool recovers from (HDF5 retries a failed open) must leave the
# same output as a run without faults.
sweep() {
    local dest=$1 before n=1 kept=()
    shift
    local tool
    tool=$(basename "$1")
    before=$(snapshot "$dest")
    for ((n = 1; ; n++)); do
        faulty $n "$@"
        [ -n "$hit" ] || break
        if [ "$s" = 0 ]; then
            cp -a "$dest" "$T/recovered-$n"
            kept+=("$T/recovered-$n")
            if [ -z "$before" ]; then rm -rf "$dest"; else before=$(snapshot "$dest"); fi
            continue
        fi
        check_failure "$tool" "$dest" "$before"
    done
    [ "$s" = 0 ] || fail "no fault at $n, yet exit status $s: $(cat "$T/err")"
    [ $n -gt 5 ] || fail "only $((n - 1)) write points: is the shim preloaded?"
    for k in "${kept[@]}"; do
        same_output "$k" "$dest" || fail "recovered from ${k##*-} but wrote another $dest"
    done
    echo "# $tool: $((n - 1)) write points, ${#kept[@]} recovered from" >&3
}

# Run CMD with its output on a SIZE KiB tmpfs mounted at o (in a mount namespace of
# its own), and print its status, stderr and what it left in o.
on_tmpfs() {
    local size=$1
    shift
    unshare -rm sh -c 'mkdir -p o && mount -t tmpfs -o size="$0"k tmpfs o && cp -a "$1" o/ 2>/dev/null; shift;
        "$@" 2>err >/dev/null; echo "status=$?"; cat err; find o -name "*.tmp-*" -o -name "*.old-*"' "$size" "${SEED:-/nonexistent}" "$@"
}

# full_disk CHECK CMD...: a disk of 8, 12, 16, ... KiB until CMD succeeds.
full_disk() {
    local tool k
    tool=$(basename "$1")
    for ((k = 8; k < 4096; k += 4)); do
        out=$(on_tmpfs $k "$@")
        case $out in
        status=0) echo "# $tool: a full disk at every size up to $k KiB" >&3; return 0 ;;
        status=1$'\n'"$tool: "*) [ "$(wc -l <<<"$out")" = 2 ] || fail "$k KiB: $out" ;;
        *) fail "$k KiB: $out" ;;
        esac
    done
    fail "$tool did not succeed with 4 MiB"
}

@test "faults: mc-import-hca" {
    sweep std2 mc-import-hca "$DATA10X/3.0.0/filtered_feature_bc_matrix.h5" std2
    full_disk mc-import-hca "$DATA10X/3.0.0/filtered_feature_bc_matrix.h5" o/std
}

@test "faults: mc-delane" {
    sweep d2 mc-delane std/pbmc d2
    full_disk mc-delane "$T/r/std/pbmc" o/d
}

@test "faults: mc-make-genes" {
    sweep g2 mc-make-genes --organism human delaned/pbmc/all g2
    sweep genes mc-make-genes --force --organism human std/pbmc genes
    full_disk mc-make-genes --organism human "$T/r/delaned/pbmc/all" o/g
}

@test "faults: mc-write-matrix" {
    sweep c2/all mc-write-matrix --genes genes delaned/pbmc/all c2/all
    mc-info --verify c2/all
    sweep cells/pbmc/all mc-write-matrix --force --genes genes delaned/pbmc/all cells/pbmc/all
    full_disk mc-write-matrix --genes "$T/r/genes" "$T/r/delaned/pbmc/all" o/c
}

@test "faults: mc-collect" {
    sweep c3 mc-collect c3 a=cells/pbmc/all b=views/good
    mc-info --verify c3
    sweep cells/pbmc mc-collect --force cells/pbmc
}

@test "faults: mc-make-view" {
    cut -f1 profiles.tsv | head -100 >some
    sweep v2 mc-make-view --keep-profiles some cells/pbmc v2
    mc-info --verify v2
    full_disk mc-make-view --keep-profiles "$T/r/some" "$T/r/cells/pbmc" o/v
}

@test "faults: mc-sum writing its cache" {
    # A cache that cannot be written is a warning; the totals still print, and
    # what is left must never be served as a cache.
    mc-sum --by gene views/good >want.g
    rm views/good/total_umis.uuid views/good/[pg].total_umis.npy
    for ((n = 1; ; n++)); do
        faulty $n mc-sum views/good
        [ "$s" = 0 ] || fail "fault '$hit': exit status $s: $(cat "$T/err")"
        diff -u profiles.tsv "$T/out"
        run mc-info --verify views/good
        assert_output "views/good: ok"
        [ -n "$hit" ] || break
        [ "$(wc -l <"$T/err")" = 1 ] && grep -q '^mc-sum: warning: ' "$T/err" || fail "fault '$hit': $(cat "$T/err")"
        run mc-sum --by gene views/good
        assert_output "$(cat want.g)"
        rm -f views/good/total_umis.uuid views/good/[pg].total_umis.npy
    done
    [ $n -gt 5 ]
}

@test "faults: mc-group" {
    sweep views/good mc-group --force --groups groups.tsv views/good
    mc-info --verify views/good/groups
    rm -r views/good/groups views/good/outliers views/good/p.group.npy
    sweep views/good mc-group --groups groups.tsv views/good
    mc-info --verify views/good/groups
}

@test "faults: mc-export, each format" {
    sweep x.mtx mc-export views/good --mtx -o x.mtx
    sweep x.h5ad mc-export views/good --h5ad x.h5ad
    sweep x.h5 mc-export views/good --10x x.h5
    sweep x.tsv mc-export views/good --tsv p -o x.tsv
    full_disk mc-export "$T/r/views/good" --h5ad o/x.h5ad
    full_disk mc-export "$T/r/views/good" --10x o/x.h5
    full_disk mc-export "$T/r/views/good" --mtx -o o/x.mtx
}

@test "faults: mc-write-data, and mc-export of one datum" {
    awk '{print $1 "\t" ($2 > 100)}' profiles.tsv >high.tsv
    sweep views/good/p.high.npy mc-write-data views/good p.high high.tsv
    mc-info --verify views/good
    sweep x.npy mc-export views/good --npy x.npy p.high
    full_disk mc-export "$T/r/views/good" --npy o/x.npy p.high
}

@test "faults: mc-qc --write, every array or none" {
    sweep views/good mc-qc --write --force --pattern a='A*' views/good
    [ -f views/good/p.pct_counts_a.npy ]
    mc-info --verify views/good
}
