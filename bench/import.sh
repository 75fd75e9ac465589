#!/bin/sh
# mc-delane and mc-write-matrix must not grow with the number of non-zeros
# (SPEC 8): run both on generated STD directories with the same genes, profiles
# and lanes but N and 10N entries, and compare peak RSS (GNU time).  Fails if
# the larger run of either tool needs 20 % more memory.
#   bench/import.sh [N]      N entries (default 5,000,000: the 10N runs take ~10 s each)
set -eu
cd "$(dirname "$0")/.."
n=${1:-5000000}
genes=20000
profiles=20000
lanes=8
per=$((n / profiles))
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mc-bench-import.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# A canonical STD: profiles interleaved over the lanes, so every entry is routed.
make_std() {
    mkdir -p "$1"
    awk -v n=$genes 'BEGIN { print "ensembl,name"; for (i = 0; i < n; i++) printf "ENSG%08d,G%d\n", i, i }' >"$1/genes.csv"
    awk -v n=$profiles -v l=$lanes 'BEGIN { print "barcode,lane,batch"; for (i = 0; i < n; i++) printf "BC%07d,L%d,B%d\n", i, i % l, i % 2 }' >"$1/profiles.csv"
    cp formats/std.yaml "$1/format.yaml"
    tests/helpers/mtx-tool random "$1/umis.mtx" $genes $profiles "$2" 7
}

. bench/measure.sh

for size in small large; do
    p=$per
    [ $size = large ] && p=$((per * 10))
    make_std "$tmp/std" $p
    bin/mc-make-genes --organism bench "$tmp/std" "$tmp/genes"
    measure bin/mc-delane "$tmp/std" "$tmp/delaned"
    eval "delane_$size=$rss delane_${size}_t=$secs"
    rm -rf "$tmp/delaned"
    measure bin/mc-write-matrix --genes "$tmp/genes" "$tmp/std" "$tmp/batch"
    eval "write_$size=$rss write_${size}_t=$secs"
    rm -rf "$tmp/std" "$tmp/genes" "$tmp/batch"
done

status=0
report() {
    growth=$(awk -v a="$2" -v b="$4" 'BEGIN { printf "%.1f", 100 * (b - a) / a }')
    printf '%s %d genes x %d profiles, %d lanes: %d entries %s kB %s s, %d entries %s kB %s s: growth %s %%\n' \
        "$1" $genes $profiles $lanes $((per * profiles)) "$2" "$3" $((per * 10 * profiles)) "$4" "$5" "$growth"
    awk -v g="$growth" 'BEGIN { exit !(g < 20) }' || { echo "$1: peak RSS grew ${growth} % (limit 20 %)" >&2; status=1; }
}
report mc-delane "$delane_small" "$delane_small_t" "$delane_large" "$delane_large_t"
report mc-write-matrix "$write_small" "$write_small_t" "$write_large" "$write_large_t"
exit $status
