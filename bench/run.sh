#!/bin/sh
# make bench: every benchmark, each reporting figures as ratios against a peer, a
# floor or a smaller input measured in the same run.
#   BENCH_CELLS=20000 make bench      (one size; default: 20000 and 100000)
#   BENCH_GROUP_CELLS=20000 make bench (bench/groups.sh's size; default 100000)
#   BENCH_MCSTORE_CELLS=20000 make bench (bench/mcstore.sh's size; default 100000)
#   BENCH_TEXT_CELLS=8000 make bench   (bench/text.sh's size; default 4000: ~50 MB of MTX)
#   BENCH_BPCELLS_CELLS=20000 make bench (bench/bpcells.sh's size; default 100000;
#                                         skipped with a message when R's BPCells is absent)
set -eu
cd "$(dirname "$0")/.."
for b in bench/import-hca.sh bench/import.sh; do
    [ -x "$b" ] && { echo "== $b"; "$b"; }
done
echo "== bench/fsync.sh"
bench/fsync.sh
for cells in ${BENCH_CELLS:-20000 100000}; do
    echo "== bench/flow.sh $cells"
    bench/flow.sh "$cells"
done
echo "== bench/groups.sh ${BENCH_GROUP_CELLS:-100000}"
bench/groups.sh "${BENCH_GROUP_CELLS:-100000}"
echo "== bench/h5ad.sh ${BENCH_H5AD_CELLS:-30000}"
bench/h5ad.sh "${BENCH_H5AD_CELLS:-30000}"
echo "== bench/text.sh ${BENCH_TEXT_CELLS:-4000}"
bench/text.sh "${BENCH_TEXT_CELLS:-4000}"
echo "== bench/mcstore.sh ${BENCH_MCSTORE_CELLS:-100000}"
bench/mcstore.sh "${BENCH_MCSTORE_CELLS:-100000}"
echo "== bench/bpcells.sh ${BENCH_BPCELLS_CELLS:-100000}"
bench/bpcells.sh "${BENCH_BPCELLS_CELLS:-100000}"
