#!/usr/bin/env bats
# Every input of every fuzz corpus (seeds and past crashers, tests/fuzz/corpus)
# runs once through its libFuzzer harness, under ASan and UBSan.

load test_helper

setup_file() {
    make -C "$MC_ROOT" -s fuzz-build >/dev/null
}

regress() {
    cd "$MC_ROOT"
    run tests/fuzz/run.sh regress 0 "$1"
    assert_success
    assert_output --regexp "^fuzz_$1: [0-9]+ inputs ok$"
}

@test "fuzz corpus: MMM reader and validator" { regress mmm; }
@test "fuzz corpus: .npy header and data" { regress npy; }
@test "fuzz corpus: YAML metadata and format.yaml" { regress yaml; }
@test "fuzz corpus: Matrix Market scanner" { regress mtx; }
@test "fuzz corpus: STD CSV reader" { regress csv; }
@test "fuzz corpus: 10x HDF5 reader" { regress h5; }
@test "fuzz corpus: selection and group files" { regress select; }
