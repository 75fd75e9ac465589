#!/usr/bin/env bats
# The code keeps to .clang-format's limits.

load test_helper

@test "every C line is within .clang-format's column limit" {
    limit=$(sed -n 's/^ColumnLimit: *//p' "$MC_ROOT/.clang-format")
    [ "$limit" = 120 ]
    cd "$MC_ROOT"
    run awk -v max="$limit" 'length > max {print FILENAME ":" FNR ": " length " columns"}' \
        bin/*.c common/*/*.c common/*/*.h tests/helpers/*.c tests/fuzz/*.c tests/unit/*.[ch] tests/fault/*.c
    assert_output ""
}

@test ".clang-format is one clang-format reads" {
    cd "$MC_ROOT"
    run clang-format --style=file --dump-config
    assert_success
    assert_line "ColumnLimit:     120"
    assert_line "IndentWidth:     4"
}
