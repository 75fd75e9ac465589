#!/usr/bin/env bats
# The C unit tests (tests/unit/NAME.c, built by make): each checks one module's
# exact values (tests/unit/unit.h) in a scratch directory and prints one line.

load test_helper

# unit NAME: tests/unit/NAME passes every one of its checks.
unit() {
    run "$MC_ROOT/tests/unit/$1"
    assert_success
    assert_output --regexp "^$1: [0-9]+ checks ok$"
}

@test "unit: alloc (overflow-checked counts, zero elements, doubling growth)" { unit alloc; }
@test "unit: strvec (push, find, sort, strings over one buffer)" { unit strvec; }
@test "unit: strmap (insert once, look up, half full at most)" { unit strmap; }
@test "unit: npy (numpy.save's bytes, big-endian and text read back, bad headers refused)" { unit npy; }
@test "unit: mmm (SPEC 6 byte for byte through every encoder, a file and its readers, corrupt files)" { unit mmm; }
@test "unit: lines (integers, lines, CSV records and their errors)" { unit lines; }

@test "unit: a failed check names its file and line, and fails the program" {
    cat >t.c <<'C'
#include "unit.h"
int main(void)
{
    unit t = {0}, *u = &t;
    CHECK_INT(1 + 1, 2);
    CHECK_STR("a", "b");
    return unit_done(u, "t");
}
C
    cc -I"$MC_ROOT/tests/unit" -o t t.c
    run ./t
    assert_failure 1
    assert_output "t.c:6: check failed: \"a\" == \"b\"
  'a' != 'b'
t: 1 of 2 checks failed"
}
