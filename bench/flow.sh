#!/bin/sh
# The whole flow and each of its stages, measured in one run against a peer or a
# floor on the same generated HCA file (generation not counted):
#   - raw HDF5 to group sums with make -j2 (pipelines/Makefile, the HDF5 route)
#     against bench/peer.py (h5py + scipy + anndata in one process, as scanpy users
#     do), wall time and peak RSS; then both again with an .h5ad written;
#   - the HDF5 matrix read (tests/helpers/h5-read) against h5py reading the same
#     datasets;
#   - the import (mc-import-cells) against its floor, every chunk inflated with
#     libdeflate on every core and nothing else (tests/helpers/h5-inflate);
#   - the Matrix Market scanner and writer (mtx-tool scan, and mc-import-hca's STD)
#     in MB per CPU second;
#   - decoding (mc-sum --force) in non-zeros per CPU second on one thread, and
#     wall with every core;
#   - the peak disk of the pipeline's intermediates (std/, delaned/, temporary
#     files) against the final cells/.
#   bench/flow.sh [CELLS]      (default 100000 cells, 33000 genes, ~1000 per cell)
# The whole flow and the peer run BENCH_ROUNDS times (default 5), one after the
# other, from scratch each time; the table gives the medians (wall and CPU) and
# their ratio, since one run on a shared machine is mostly noise.
# Peak RSS is GNU time's: the largest single process of the run.
set -eu
MC=$(cd "$(dirname "$0")/.." && pwd)
cells=${1:-100000}
cores=$(nproc)
. "$MC/bench/measure.sh"
bench_scratch flow
generate_atlas root "$cells" 4 4
h5mb=$(du -m root/raw/atlas.h5 | cut -f1)
read -r profiles nnz _ fast <<EOT
$(h5-read root/raw/atlas.h5)
EOT

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
row() { printf '  %-52s %9s %9s\n' "$@"; }
cpu() { awk -v u="$1" -v s="$2" 'BEGIN { printf "%.2f", u + s }'; }

# --- the whole flow -------------------------------------------------------------------
rounds=${BENCH_ROUNDS:-5}
: >mc.secs; : >mc.cpu; : >peer.secs; : >peer.cpu
for round in $(seq "$rounds"); do
    find root -mindepth 1 -maxdepth 1 ! -name raw -exec rm -rf {} +
    [ "$round" = 1 ] && (cd root && disk_peak "$tmp/disk" std delaned 'views/.[!.]*' 'cells/.[!.]*/*.mtx' & )
    measure sh -c "cd root && make -s -j2 -f '$MC/pipelines/Makefile'"
    [ "$round" = 1 ] && touch "$tmp/disk.stop" && sleep 0.3 && inter=$(cat "$tmp/disk")
    echo "$secs" >>mc.secs; echo "$cpu" >>mc.cpu; mc_mb=$((rss / 1024))
    measure /usr/bin/python3 "$MC/bench/peer.py" root/raw/atlas.h5 root/raw/atlas.groups.tsv -
    echo "$secs" >>peer.secs; echo "$cpu" >>peer.cpu; peer_mb=$((rss / 1024))
done
mc_s=$(median mc.secs) peer_s=$(median peer.secs) mc_cpu=$(median mc.cpu) peer_cpu=$(median peer.cpu)
cells_b=$(du -sb root/cells | cut -f1)
measure mc-export root/views/atlas --h5ad mc.h5ad
exp_s=$secs
measure /usr/bin/python3 "$MC/bench/peer.py" root/raw/atlas.h5 root/raw/atlas.groups.tsv peer.h5ad
peerx_s=$secs peerx_mb=$((rss / 1024))

printf 'flow.sh: %d cells x 33000 genes, %d non-zeros, HDF5 %d MB, %d cores\n' "$profiles" "$nnz" "$h5mb" "$cores"
printf '  medians of %d rounds; every round: %s (mc), %s (peer) wall s\n' "$rounds" "$(tr '\n' ' ' <mc.secs)" "$(tr '\n' ' ' <peer.secs)"
row "" seconds "peak MB"
row "mc: raw HDF5 to group sums (make -j2)" "$mc_s" "$mc_mb"
row "peer: the same in h5py + scipy (bench/peer.py)" "$peer_s" "$peer_mb"
row "ratio mc/peer" "$(ratio "$mc_s" "$peer_s")" "$(ratio "$mc_mb" "$peer_mb")"
row "CPU seconds (user + system): mc, peer, ratio" "$mc_cpu $peer_cpu" "$(ratio "$mc_cpu" "$peer_cpu")"
row "mc + mc-export --h5ad" "$(awk -v a="$mc_s" -v b="$exp_s" 'BEGIN {print a + b}')" "$mc_mb"
row "peer + write_h5ad" "$peerx_s" "$peerx_mb"
row "ratio mc/peer with .h5ad" "$(ratio "$(awk -v a="$mc_s" -v b="$exp_s" 'BEGIN {print a + b}')" "$peerx_s")" "$(ratio "$mc_mb" "$peerx_mb")"

# --- stages against their floors ----------------------------------------------------------
measure h5-read root/raw/atlas.h5
read_s=$secs read_mb=$((rss / 1024))
measure /usr/bin/python3 -c "
import h5py
with h5py.File('root/raw/atlas.h5', 'r') as f:
    g = f['GRCh38']
    for k in ('indptr', 'indices', 'data'): g[k][:]
"
h5py_s=$secs h5py_mb=$((rss / 1024))
printf '\nstages:\n'
row "HDF5 matrix read: mc (h5-read, $cores threads)" "$read_s" "$read_mb"
row "HDF5 matrix read: h5py reading the same datasets" "$h5py_s" "$h5py_mb"
row "speed-up over h5py (fast path: $fast)" "$(ratio "$h5py_s" "$read_s")x" ""

# The import against its floor (h5-inflate: every chunk of the matrix datasets read raw and
# inflated with libdeflate on every core, nothing else), interleaved, medians of the rounds.
: >floor.secs; : >floor.cpu; : >imp.secs; : >imp.cpu
for round in $(seq "$rounds"); do
    measure h5-inflate root/raw/atlas.h5
    echo "$secs" >>floor.secs; echo "$cpu" >>floor.cpu
    measure mc-import-cells --force --totals --genes root/genes root/raw/atlas.h5 imported
    echo "$secs" >>imp.secs; echo "$cpu" >>imp.cpu
done
rm -rf imported
fl_s=$(median floor.secs) fl_cpu=$(median floor.cpu) imp_s=$(median imp.secs) imp_cpu=$(median imp.cpu)
row "" "wall s" "CPU s"
row "HDF5 import floor: h5-inflate, $cores threads" "$fl_s" "$fl_cpu"
row "HDF5 import: mc-import-cells --totals" "$imp_s" "$imp_cpu"
row "ratio import/floor (target 1.5)" "$(ratio "$imp_s" "$fl_s")" "$(ratio "$imp_cpu" "$fl_cpu")"
row "  rounds, wall s: floor $(tr '\n' ' ' <floor.secs)" "" ""
row "  rounds, wall s: import $(tr '\n' ' ' <imp.secs)" "" ""

/usr/bin/time -f '%e %U %S' -o time.txt mc-import-hca root/raw/atlas.h5 std >/dev/null 2>&1
read -r w u s <time.txt
mtxmb=$(du -m std/umis.mtx | cut -f1)
/usr/bin/time -f '%e %U %S' -o time.txt mtx-tool scan std/umis.mtx >/dev/null
read -r w2 u2 s2 <time.txt
row "MTX writer: mc-import-hca, $mtxmb MB of STD (incl. HDF5 decode)" "$(cpu "$u" "$s")" "$(ratio "$mtxmb" "$(cpu "$u" "$s")") MB/s"
row "MTX scanner: mtx-tool scan of that STD" "$(cpu "$u2" "$s2")" "$(ratio "$mtxmb" "$(cpu "$u2" "$s2")") MB/s"
rm -rf std

/usr/bin/time -f '%e %U %S' -o time.txt mc-sum --force --threads 1 root/cells/atlas >/dev/null
read -r w u s <time.txt
row "decode: mc-sum --threads 1 (CPU s; M non-zeros per CPU s)" "$(cpu "$u" "$s")" "$(awk -v n="$nnz" -v c="$(cpu "$u" "$s")" 'BEGIN { printf "%.0f", n / c / 1e6 }')"
/usr/bin/time -f '%e %U %S' -o time.txt mc-sum --force root/cells/atlas >/dev/null
read -r w u s <time.txt
row "decode: mc-sum, $cores threads (wall s; M non-zeros per s)" "$w" "$(awk -v n="$nnz" -v c="$w" 'BEGIN { printf "%.0f", n / c / 1e6 }')"

printf '\ndisk:\n'
row "peak intermediates (std/, delaned/, temporaries)" "$((inter / 1048576)) MB" ""
row "final cells/" "$((cells_b / 1048576)) MB" ""
row "ratio intermediates/cells" "$(ratio "$inter" "$cells_b")" ""
