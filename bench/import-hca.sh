#!/bin/sh
# mc-import-hca's memory must not grow with the number of non-zeros (SPEC 8):
# import HCA-style files with the same genes and profiles but N and 10N entries
# and compare peak RSS (GNU time).  Fails if the larger run needs 20 % more.
#   bench/import-hca.sh [N]       N entries (default 2,000,000)
set -eu
cd "$(dirname "$0")/.."
n=${1:-2000000}
genes=30000
profiles=10000
per=$((n / profiles))
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mc-bench-hca.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

. bench/measure.sh

/usr/bin/python3 bench/gen-hca-h5.py "$tmp/small.h5" $genes $profiles $per
measure bin/mc-import-hca "$tmp/small.h5" "$tmp/small"
small=$rss small_t=$secs
rm -rf "$tmp/small" "$tmp/small.h5"

/usr/bin/python3 bench/gen-hca-h5.py "$tmp/large.h5" $genes $profiles $((per * 10))
measure bin/mc-import-hca "$tmp/large.h5" "$tmp/large"
large=$rss large_t=$secs

growth=$(awk -v a="$small" -v b="$large" 'BEGIN { printf "%.1f", 100 * (b - a) / a }')
printf 'mc-import-hca %d genes x %d profiles: %d entries %s kB %s s, %d entries %s kB %s s: growth %s %%\n' \
    $genes $profiles $((per * profiles)) "$small" "$small_t" $((per * 10 * profiles)) "$large" "$large_t" "$growth"
awk -v g="$growth" 'BEGIN { exit !(g < 20) }' || { echo "mc-import-hca: peak RSS grew ${growth} % (limit 20 %)" >&2; exit 1; }
