#!/usr/bin/env bats
# The harness itself (test_helper.bash): bats's failure reports are the same under its
# cheaper DEBUG trap as under bats's own, wherever a test fails.

load test_helper

# A test file failing in every place a report can point to: the test's line, a function of
# the file, a subshell, a command substitution, a pipeline, an assert, a helper of test_helper,
# a `run` whose status is checked, setup and teardown.  (`%test`: bats would take `@test` here
# for a test of this file.)
failing_files() {
    mkdir -p tests
    cp "$MC_ROOT/tests/test_helper.bash" tests/
    sed 's/^%/@/' >tests/a.bats <<'BATS'
load test_helper
deeper() { [ "$1" = 2 ]; }
middle() { deeper "$@"; }
%test "a line" {
    x=1
    false
}
%test "a function two calls down" {
    middle 1
}
%test "a subshell" {
    (cd / && false)
}
%test "a command substitution" {
    x=$(false)
}
%test "a pipeline" {
    true | false
}
%test "an assert" {
    run echo a
    assert_output b
}
%test "a helper of test_helper" {
    : >x
    assert_only y
}
%test "run, then its status" {
    run middle 1
    [ "$status" -eq 0 ]
}
%test "passes" {
    x=$(echo hi) && [ "$x" = hi ]
}
BATS
    sed 's/^%/@/' >tests/b.bats <<'BATS'
load test_helper
setup() { [ -n "$BATS_TEST_NUMBER" ] && false; }
%test "setup fails" { true; }
BATS
    sed 's/^%/@/' >tests/c.bats <<'BATS'
load test_helper
teardown() { false; }
%test "teardown fails" { true; }
BATS
}

# The reports the harness gives: each failure at its line, through the file's functions, and a
# helper's or a subshell's at the test's line.
reported_a() {
    cat <<'OUT'
1..9
not ok 1 a line
# (in test file tests/a.bats, line 6)
#   `false' failed
not ok 2 a function two calls down
# (from function `deeper' in file tests/a.bats, line 2,
#  from function `middle' in file tests/a.bats, line 3,
#  in test file tests/a.bats, line 9)
#   `middle 1' failed
not ok 3 a subshell
# (in test file tests/a.bats, line 12)
#   `(cd / && false)' failed
not ok 4 a command substitution
# (in test file tests/a.bats, line 15)
#   `x=$(false)' failed
not ok 5 a pipeline
# (in test file tests/a.bats, line 18)
#   `true | false' failed
not ok 6 an assert
# (in test file tests/a.bats, line 22)
#   `assert_output b' failed
#
# -- output differs --
# expected : b
# actual   : a
# --
#
not ok 7 a helper of test_helper
# (in test file tests/a.bats, line 26)
#   `assert_only y' failed
#
# -- output differs --
# expected : y
# actual   : x
# --
#
not ok 8 run, then its status
# (in test file tests/a.bats, line 30)
#   `[ "$status" -eq 0 ]' failed
ok 9 passes
OUT
}
reported_b() {
    cat <<'OUT'
1..1
not ok 1 setup fails
# (from function `setup' in test file tests/b.bats, line 2)
#   `setup() { [ -n "$BATS_TEST_NUMBER" ] && false; }' failed
OUT
}
reported_c() {
    cat <<'OUT'
1..1
not ok 1 teardown fails
# (from function `teardown' in test file tests/c.bats, line 2)
#   `teardown() { false; }' failed
OUT
}

# A report without the blocks of tests 3 and 7 (a.bats), where bats's own trap reports elsewhere.
but_3_and_7() { sed '/^not ok [37] /,/^not ok [48] /{/^not ok [48] /!d}' <<<"$1"; }

@test "harness: each failure reported at its line, a helper's and a subshell's at the test's line" {
    declare -f bats_debug_trap | grep -q BASH_SUBSHELL   # this run has it
    failing_files
    for f in a b c; do
        run env -u MC_BATS_DEBUG_TRAP bats "tests/$f.bats"
        assert_failure
        assert_output "$(reported_$f)"
    done
}

# The slow tier (make check-slow): the reports above are bats's own trap's, run again (2.5 s of CPU).
# bats test_tags=slow
@test "harness: the reports are those of bats's own trap, but for a helper's and a subshell's" {
    failing_files
    for f in a b c; do
        MC_BATS_DEBUG_TRAP= run bats "tests/$f.bats"
        assert_failure
        if [ $f = a ]; then
            assert_equal "$(but_3_and_7 "$output")" "$(but_3_and_7 "$(reported_a)")"
            # bats's own points into setup for the subshell, and into test_helper for the helper
            [ "$(grep -c "test_helper.bash, line" <<<"$output")" = 2 ]
            [ "$(grep -c "^not ok [37] " <<<"$output")" = 2 ]
        else
            assert_output "$(reported_$f)"
        fi
    done
}
