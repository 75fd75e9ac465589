#!/bin/sh
# run.sh fuzz SECONDS NAME...   fuzz each harness for SECONDS, one at a time, at the lowest priority
# run.sh regress 0 NAME...      run each harness once over every input of its corpus
# Run from the repository's top (make fuzz / make fuzz-regress do).  A crash
# leaves build/fuzz/crashes/NAME-*: fix it, then add it to tests/fuzz/corpus/NAME.
set -eu
mode=$1 seconds=$2
shift 2
export MC_FUZZ_FIXTURE="$PWD/build/fuzz/fixture/cells/pbmc"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1
mkdir -p build/fuzz/crashes
for name; do
    seeds=tests/fuzz/corpus/$name
    if [ "$mode" = regress ]; then
        # Each file once: the harness exits non-zero on the first crash.
        find "$seeds" -type f -print0 | xargs -0 -r build/fuzz/fuzz_"$name" -rss_limit_mb=4096 2>build/fuzz/regress-$name.log \
            || { tail -40 build/fuzz/regress-$name.log >&2; echo "fuzz_$name: an input of $seeds fails" >&2; exit 1; }
        echo "fuzz_$name: $(find "$seeds" -type f | wc -l) inputs ok"
    else
        mkdir -p build/fuzz/corpus/$name
        nice -n 19 build/fuzz/fuzz_"$name" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
            -print_final_stats=1 -artifact_prefix=build/fuzz/crashes/$name- \
            build/fuzz/corpus/$name "$seeds" 2>&1 | tee build/fuzz/fuzz-$name.log | grep -E '^(#[0-9]+ +DONE|stat::number_of_executed_units|==[0-9]+==ERROR|SUMMARY)' || true
    fi
done
