#!/bin/sh
# The cost of durability (issue 11): the whole pipeline (pipelines/Makefile, one job at a time)
# on a generated HCA file of CELLS cells in 8 lanes, with every output's fsyncs
# (the default) and without them (MC_NO_FSYNC=1), REPS times each, alternating
# so both see the same page cache.  Two figures, since wall times on a shared
# machine are noisy:
#   - the fastest run of each, and the difference between them;
#   - the time the pipeline spends blocked in fsync (strace -f -w -c; one job at a
#     time, so that time adds to the wall time whole), against the fastest
#     run without: this one must stay under 5 %.
# It runs under build/ on purpose: /tmp may be a tmpfs, where fsync costs nothing.
#   bench/fsync.sh [CELLS] [REPS]      (default 40000 cells: 5000 a lane; 3 runs each)
set -eu
cd "$(dirname "$0")/.."
cells=${1:-40000}
reps=${2:-3}
mkdir -p build
tmp=$(mktemp -d "$PWD/build/mc-bench-fsync.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
. bench/measure.sh

mkdir -p "$tmp/raw"
tests/helpers/gen-hca --cells "$cells" --donors 2 --lanes 4 --mean-genes 1000 -o "$tmp/raw/bench.h5"
root=$PWD

# A fresh data root holding raw/.
fresh() {
    rm -rf "$tmp/root" && mkdir "$tmp/root" && ln -s ../raw "$tmp/root/raw"
    sync
}


with="" without=""
for i in $(seq "$reps"); do
    fresh && measure env MC_NO_FSYNC=0 make -s -C "$tmp/root" -f "$root/pipelines/Makefile" -j1 MIN_UMIS=100
    with="$with $secs"
    fresh && measure env MC_NO_FSYNC=1 make -s -C "$tmp/root" -f "$root/pipelines/Makefile" -j1 MIN_UMIS=100
    without="$without $secs"
done
fresh
strace -f -w -c -e trace=fsync,fdatasync -o "$tmp/strace" make -s -C "$tmp/root" -f "$root/pipelines/Makefile" -j1 MIN_UMIS=100
blocked=$(awk '$NF == "total" { print $2 }' "$tmp/strace")
calls=$(awk '$NF == "total" { print $4 }' "$tmp/strace")

fastest() { printf '%s\n' "$@" | sort -n | head -1; }
w=$(fastest $with)
wo=$(fastest $without)
files=$(find "$tmp/root/" -type f | wc -l)
pct() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b > 0 ? 100 * a / b : 0) }'; }
echo "pipeline, $cells cells in 8 lanes, $files files: fastest with fsync $w s (runs:$with), without $wo s (runs:$without): $(pct "$(awk -v a="$w" -v b="$wo" 'BEGIN { print a - b }')" "$wo") %"
echo "blocked in fsync: $blocked s in $calls calls, $(pct "$blocked" "$wo") % of the pipeline without"
awk -v a="$blocked" -v b="$wo" 'BEGIN { exit !(100 * a / b < 5) }' ||
    { echo "fsync costs $(pct "$blocked" "$wo") % of the pipeline (limit 5 %)" >&2; exit 1; }
