#!/usr/bin/env bats
# Faults injected into every tool that writes (issue 11): the Nth write point
# (tests/fault/fault.c: opening for writing, mkdir, write, fsync, rename, ...)
# fails, for N = 1, 2, ... until the tool succeeds, so every write point fails
# once; and a real full disk (a small tmpfs) at every size up to the one that
# holds the output (the largest outputs' in the slow tier).  Each failure must
# be one line on stderr, exit status 1 (no signal) and leave nothing behind: the
# output absent or, when it replaces one (--force), exactly as it was, and no
# temporary beside it.

load test_helper

SHIM="$MC_ROOT/tests/fault/libfault.so"

# The data root (tests/fuzz/fixture.sh) built once for the file; each test works on its own copy.
setup_file() {
    "$MC_ROOT/tests/fuzz/fixture.sh" "$BATS_FILE_TMPDIR/r" >/dev/null 2>&1
    (cd "$BATS_FILE_TMPDIR/r" && mc-sum views/good >profiles.tsv)
}

setup() {
    T="$BATS_TEST_TMPDIR"
    cp -a "$BATS_FILE_TMPDIR/r" "$T/r"
    cd "$T/r"
}

# The loops below run a tool hundreds of times: their checks are bash builtins
# where they can be, so that a run costs the tool's process and not ten more.

# keep DEST: $T/before, a copy of DEST as it is (none when DEST is absent), for unchanged.
keep() {
    rm -rf "$T/before"
    [ ! -e "$1" ] || cp -a "$1" "$T/before"
}

# unchanged DEST: DEST as kept (absent, or the same names and bytes) and no temporary
# beside it; left= those temporaries.
unchanged() {
    local dest=$1 parent=.
    [[ $dest != */* ]] || parent=${dest%/*}
    shopt -s nullglob dotglob
    left=("$parent"/*.tmp-* "$parent"/*.old-*)
    shopt -u nullglob dotglob
    [ ${#left[@]} = 0 ] || return 1
    if [ -e "$T/before" ]; then diff -r "$T/before" "$dest" >/dev/null 2>&1; else [ ! -e "$dest" ]; fi
}

# One failed run: one line from TOOL, status 1, DEST as kept.
check_failure() {
    local tool=$1 dest=$2 err
    mapfile -t err <"$T/err"
    [ "$s" = 1 ] || fail "fault '$hit': exit status $s, not 1; stderr: $(cat "$T/err")"
    [ "${#err[@]}" = 1 ] || fail "fault '$hit': not one line: $(cat "$T/err")"
    [[ ${err[0]} == "$tool: "?* ]] || fail "fault '$hit': not an error of $tool: $(cat "$T/err")"
    unchanged "$dest" || fail "fault '$hit': $dest changed or left a temporary: ${left[*]}"
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
    local dest=$1 n=1 kept=()
    shift
    local tool=${1##*/}
    keep "$dest"
    for ((n = 1; ; n++)); do
        faulty $n "$@"
        [ -n "$hit" ] || break
        if [ "$s" = 0 ]; then
            cp -a "$dest" "$T/recovered-$n"
            kept+=("$T/recovered-$n")
            if [ ! -e "$T/before" ]; then rm -rf "$dest"; else keep "$dest"; fi
            continue
        fi
        check_failure "$tool" "$dest"
    done
    [ "$s" = 0 ] || fail "no fault at $n, yet exit status $s: $(cat "$T/err")"
    [ $n -gt 5 ] || fail "only $((n - 1)) write points: is the shim preloaded?"
    for k in "${kept[@]}"; do
        same_output "$k" "$dest" || fail "recovered from ${k##*-} but wrote another $dest"
    done
    echo "# $tool: $((n - 1)) write points, ${#kept[@]} recovered from" >&3
}

# full_disk CMD...: CMD with its output on a full disk, a tmpfs mounted at o in
# a mount namespace of its own, of 8, 12, 16, ... KiB until CMD succeeds (one
# namespace and one tmpfs for all the sizes, remounted larger each time).  Every
# run but the last must fail with one line of CMD, status 1 and nothing at all
# left on the disk; the last must succeed silently.
full_disk() {
    local out
    out=$(unshare -rm bash -c '
        tool=${1##*/}
        mkdir -p o
        mount -t tmpfs -o size=8k tmpfs o || exit 1
        shopt -s globstar dotglob nullglob
        for ((k = 8; k < 4096; k += 4)); do
            mount -o remount,size=${k}k o || exit 1
            s=0
            "$@" 2>err >/dev/null || s=$?
            mapfile -t e <err
            if [ $s = 0 ]; then left=(o/**/*.tmp-* o/**/*.old-*); else left=(o/*); fi
            case $s:${#e[@]}:${#left[@]} in
            0:0:0) echo "$tool: a full disk at every size up to $k KiB"; exit 0 ;;
            1:1:0) [[ ${e[0]} == "$tool: "?* ]] || { echo "$k KiB: status=1 ${e[0]}"; exit 1; } ;;
            *) echo "$k KiB: status=$s $(cat err) ${left[*]}"; exit 1 ;;
            esac
        done
        echo "$tool did not succeed with 4 MiB"
        exit 1' full_disk "$@") || fail "$out"
    echo "# $out" >&3
}

@test "faults: mc-import-hca" {
    sweep std2 mc-import-hca "$DATA10X/3.0.0/filtered_feature_bc_matrix.h5" std2
}

@test "faults: mc-delane" {
    sweep d2 mc-delane std/pbmc d2
}

# The slow tier (make check-slow): their STD outputs take 292 and 528 KiB, 203 full disks and
# 8 s of CPU, where the write points above are 41 runs.  (The smaller outputs' full disks,
# the container's among them, stay in make check.)
# bats test_tags=slow
@test "faults: mc-import-hca and mc-delane on a full disk at every size" {
    full_disk mc-import-hca "$DATA10X/3.0.0/filtered_feature_bc_matrix.h5" o/std
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
}

# The slow tier (make check-slow): an h5ad of views/good takes 964 KiB, and one of 100 of its
# profiles 864 (three chunked arrays of 256 KiB): 300 full disks in all, 25 s of CPU.
# bats test_tags=slow
@test "faults: mc-export on a full disk at every size, each format" {
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

# Out of memory at every allocation point of mc's own (tests/fault/oom.sh, as make fault-oom
# runs it): one line saying so, status 1, nothing left.  mc-import-hca is the cheapest sweep
# (118 points, ~7 s of CPU, 10 s in all: the slow tier, make check-slow); make fault-oom covers
# the other tools.
# bats test_tags=slow
@test "faults: mc-import-hca out of memory at each allocation point: one line 'out of memory', nothing left" {
    # the shim's malloc would stand in for AddressSanitizer's, whose free then refuses its blocks
    [ -z "$SAN_RT" ] || skip "not under make sanitize: the allocation shim and ASan both are the allocator"
    run "$MC_ROOT/tests/fault/oom.sh" s mc-import-hca "$DATA10X/1.2.0/filtered_gene_bc_matrices_h5.h5" s
    assert_success
    assert_output --regexp '^mc-import-hca: [0-9]+ allocation points, [0-9]+ recovered from, 0 failing'
    local points=${output#mc-import-hca: }
    ((${points%% *} > 100)) || fail "the shim failed too few points: $output"   # not a sweep of nothing
}

@test "faults: the shim fails exactly the Nth allocation of the program's own, none of its libraries'" {
    cat >alloc.c <<'C'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int main(void)
{
    FILE *f = fopen("/dev/null", "r");   /* libc allocates inside: not the program's */
    void *a = malloc(8), *b = calloc(2, 8), *c = realloc(NULL, 8);
    char *d = strdup("x"), *e = strndup("xy", 1);
    printf("%d%d%d%d%d %s\n", !!a, !!b, !!c, !!d, !!e, e ? e : "-");
    free(a), free(b), free(c), free(d), free(e), fclose(f);
    return 0;
}
C
    cc -O0 -fno-builtin -o alloc alloc.c
    for n in 1 2 3 4 5 6; do
        rm -f log
        MC_FAULT_ALLOC_AT=$n MC_FAULT_LOG="$PWD/log" LD_PRELOAD="${SHIM%.so}-alloc.so" ./alloc >>out
        paste -sd' ' log >>logs
    done
    run cat out
    assert_output "01111 x
10111 x
11011 x
11101 x
11110 -
11111 x"
    run cat logs
    assert_output "1 malloc calls 0 allocs 5
2 calloc calls 0 allocs 5
3 realloc calls 0 allocs 5
4 strdup calls 0 allocs 5
5 strndup calls 0 allocs 5
calls 0 allocs 5"
}
