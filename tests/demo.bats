#!/usr/bin/env bats
# `make demo` from a clean clone: it builds, generates the example, runs the
# pipeline, and every number it prints is recomputed here from the raw files.
# The library's objects are copied in from this tree (compiling them is 15 s of
# CPU that every make of the suite tests already; not under make sanitize, whose
# objects want its flags); the rest, from the archives to the programs, the clone
# makes itself, so what the demo needs built it builds.

load test_helper

@test "make demo from a clean clone prints lanes, cells, totals and groups that are right" {
    if [ "$(git -C "$MC_ROOT" rev-parse --show-toplevel 2>/dev/null)" = "$MC_ROOT" ]; then
        git clone -q "$MC_ROOT" clone
        (cd "$MC_ROOT" && find common -name '*.o' -exec cp --parents -t "$T/clone" {} +)
    else   # e.g. the copied tree of make sanitize: the files, without what was built
        cp -a "$MC_ROOT" clone && make -s -C clone clean && rm -rf clone/demo clone/build
    fi
    [ ! -e clone/common/libmc.a ] && [ ! -e clone/bin/mc-info ]
    run make -s -C clone demo
    assert_success
    printf '%s\n' "$output" >demo.out
    "$PY" "$MC_ROOT/tests/helpers/demo_expect.py" clone/demo/raw/atlas.h5 clone/demo/raw/atlas.groups.tsv 500 >want
    [ "$(wc -l <want)" -ge 15 ]
    while IFS= read -r line; do assert_line "$line"; done <want
    assert_line "   all lanes              4000 cells x 33000 genes (collection cells/atlas)"
    assert_line "   Check any of them:  mc-info --verify $T/clone/demo/views/atlas/groups"
    # the way on it shows works as printed, in a fresh shell that has not got bin/ on PATH
    sed -n '/^== Continue in Python/,$p' demo.out | sed -n 's/^   //p' >hint.sh
    [ "$(wc -l <hint.sh)" -eq 3 ]
    run env -i HOME="$HOME" PATH=/usr/bin:/bin sh -e hint.sh
    assert_success
    assert_output --partial "AnnData object with n_obs × n_vars = $(sed -n 's/^   kept with at least 500 UMIs: \([0-9]*\) cells.*/\1/p' want) × 33000"
    # a second run reuses everything
    run make -s -C clone demo
    assert_success
    refute_output --partial "Generating"
}
