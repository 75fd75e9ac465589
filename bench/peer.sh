#!/bin/sh
# mc against its peer (scanpy/AnnData-style Python, bench/peer.py) on the same
# generated HCA file, measured in the same run: wall time and peak RSS (GNU time)
# of the whole flow from raw HDF5 to totals, group sums and an .h5ad.
#   bench/peer.sh [CELLS] [MEAN_GENES]     (default 100000 cells, 1000 genes per cell)
set -eu
MC=$(cd "$(dirname "$0")/.." && pwd)
cells=${1:-100000}
mean=${2:-1000}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mc-bench-peer.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export PATH="$MC/bin:$MC/tests/helpers:$PATH"
cd "$tmp"
mkdir raw
gen-hca --seed 1 --donors 4 --lanes 4 --cells "$cells" --genes 33000 --mean-genes "$mean" --types 8 \
    --labels raw/atlas.groups.tsv raw/atlas.h5
size=$(du -m raw/atlas.h5 | cut -f1)

. "$MC/bench/measure.sh"

# mc: the pipeline (one lane at a time, so peak RSS is one tool's) then the h5ad export.
measure sh -c "make -s -j1 -f '$MC/pipelines/Makefile' && mc-export views/atlas --h5ad mc.h5ad"
mc_s=$secs mc_mb=$((rss / 1024))
measure /usr/bin/python3 "$MC/bench/peer.py" raw/atlas.h5 raw/atlas.groups.tsv peer.h5ad
peer_s=$secs peer_mb=$((rss / 1024))
entries=$(sed -n 's/.* \([0-9]*\) entries.*/\1/p' "$tmp/measure.log")

printf 'peer.sh: %d cells x 33000 genes, %s entries, HDF5 %s MB\n' "$cells" "$entries" "$size"
printf '  %-44s %8s %10s\n' "" seconds "peak MB"
printf '  %-44s %8s %10s\n' "mc (pipeline + h5ad export)" "$mc_s" "$mc_mb"
printf '  %-44s %8s %10s\n' "peer (h5py + scipy + anndata, bench/peer.py)" "$peer_s" "$peer_mb"
awk -v a="$mc_s" -v b="$peer_s" -v c="$mc_mb" -v d="$peer_mb" \
    'BEGIN {printf "  ratio mc/peer: time %.2f, peak memory %.2f\n", a / b, c / d}'
