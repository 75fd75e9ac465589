#!/bin/sh
# make bench: every benchmark, each reporting figures as ratios against a peer or a
# smaller input measured in the same run.  Sizes can be lowered for a quick look:
#   BENCH_CELLS=20000 make bench
set -eu
cd "$(dirname "$0")/.."
for b in bench/import-hca.sh bench/import.sh; do
    [ -x "$b" ] && { echo "== $b"; "$b"; }
done
echo "== bench/fsync.sh"
bench/fsync.sh
echo "== bench/peer.sh"
bench/peer.sh "${BENCH_CELLS:-100000}"
