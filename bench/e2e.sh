#!/bin/sh
# The whole pipeline end to end on a large generated HCA file (generation not
# counted): raw HDF5 to group sums with make -j2, reporting wall time, peak RSS
# (the largest single process) and peak disk (everything the pipeline writes,
# sampled every 0.1 s) against the final cells/.
#   BENCH_CELLS=1000000 make bench-e2e      (or bench/e2e.sh CELLS)
set -eu
MC=$(cd "$(dirname "$0")/.." && pwd)
cells=${1:-1000000}
. "$MC/bench/measure.sh"
bench_scratch e2e
generate_atlas root "$cells" 8 8
h5mb=$(du -m root/raw/atlas.h5 | cut -f1)
(cd root && disk_peak "$tmp/disk" genes cells views std delaned '.[!.]*' & )
measure sh -c "cd root && make -s -j2 -f '$MC/pipelines/Makefile'"
touch "$tmp/disk.stop"
sleep 0.3
printf 'e2e.sh: %d cells x 33000 genes, HDF5 %d MB, make -j2 on %d cores\n' "$cells" "$h5mb" "$(nproc)"
printf '  wall %s s, peak RSS %d MB, peak disk %d MB, final cells/ %d MB\n' "$secs" $((rss / 1024)) \
    $(($(cat "$tmp/disk") / 1048576)) $(($(du -sb root/cells | cut -f1) / 1048576))
