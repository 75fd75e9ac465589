#!/bin/sh
# mc against BPCells (bit-packed on-disk matrices, C++ under R), issue 18, on
# the generated HCA atlas of bench/groups.sh (generation not counted):
#   import of the 10x HDF5 into each one's store, per-cell totals (a full
#   scan), 1 % of the cells by random barcodes to .h5ad, group sums at 8,
#   1,000 and 20,000 groups (random labels, ~5 % in no group).
#   bench/bpcells.sh [CELLS]     (default 100000 cells, 33000 genes, ~1000 per cell)
# mc's operations are whole processes (mc-import-cells, mc-sum --force,
# mc-make-view --keep-profiles + mc-export --h5ad, mc-group); BPCells'
# are timed inside one R process (bench/bpcells.R) that stays up through the
# run: R's start-up and library(BPCells) are not counted.  Every operation
# runs BENCH_ROUNDS times (default 3), mc and BPCells alternating operation by
# operation; the table gives medians, and every round is printed.
# Optional: without R and BPCells (not installed by make deps) it says so and
# exits 0.
set -eu
load0=$(cut -d' ' -f1-3 /proc/loadavg)
MC=$(cd "$(dirname "$0")/.." && pwd)
if ! Rscript -e 'suppressPackageStartupMessages(library(BPCells))' >/dev/null 2>&1; then
    echo "bench/bpcells.sh: BPCells not installed, skipped"
    exit 0
fi
cells=${1:-100000}
[ "$cells" -ge 20000 ] || { echo "bench/bpcells.sh: CELLS must be at least 20000 (20,000 groups)" >&2; exit 2; }
rounds=${BENCH_ROUNDS:-3}
. "$MC/bench/measure.sh"
bench_scratch bpcells
generate_atlas root "$cells" 4 4 >/dev/null
mc-make-genes --organism human root/raw/atlas.h5 root/genes >/dev/null
read -r profiles nnz _ <<EOT
$(h5-read root/raw/atlas.h5)
EOT
# Labels one integer a line in the file's cell order, which is mc's container
# order too (checked below against BPCells' column names and mc-sum's names).
/usr/bin/python3 - "$profiles" <<'PY'
import sys, h5py, numpy as np
P = int(sys.argv[1])
rng = np.random.default_rng(18)
for k in (8, 1000, 20000):
    g = rng.integers(0, k, P)
    g[rng.random(P) < 0.05] = -1
    g[rng.permutation(P)[:k]] = np.arange(k)   # every group has a cell
    np.savetxt("g%d.txt" % k, g, fmt="%d")
with h5py.File("root/raw/atlas.h5", "r") as f:
    barcodes = f["GRCh38/barcodes"][:].astype(str)
keep = np.sort(rng.choice(P, P // 100, replace=False))
open("keep.txt", "w").write("".join(b + "\n" for b in barcodes[keep]))
PY

# BPCells' R process: operations in on fd 3, answers back on fd 4.
mkfifo to-r from-r
Rscript "$MC/bench/bpcells.R" root/raw/atlas.h5 bpcells <to-r >from-r 2>r.log &
rpid=$!
exec 3>to-r 4<from-r
trap 'exec 3>&-; wait $rpid || true; touch "$tmp/disk.stop"; rm -rf "$tmp"' EXIT

# bp OP [K]: run OP in R; append its seconds to bp.OP[.K].secs and .cpu, and
# keep the grand total it saw in $check.  R answers: OP [K] WALL CPU CHECK.
bp() {
    kill -0 "$rpid" 2>/dev/null && echo "$*" >&3 && IFS= read -r answer <&4 ||
        { cat r.log >&2; echo "bench/bpcells.sh: BPCells failed on '$*'" >&2; exit 1; }
    set -- $answer
    while [ $# -gt 3 ]; do key=${key:+$key.}$1; shift; done
    echo "$1" >>"bp.$key.secs"
    echo "$2" >>"bp.$key.cpu"
    check=$3
    key=
}
key=
# mc NAME COMMAND...: time the whole process into mc.NAME.secs and .cpu.
mc() {
    name=$1
    shift
    measure "$@"
    echo "$secs" >>"mc.$name.secs"
    echo "$cpu" >>"mc.$name.cpu"
}
# same WHAT MC BPCELLS: stop unless both saw the same grand total.
same() { [ "$2" = "$3" ] || { echo "bench/bpcells.sh: $1: mc $2, BPCells $3" >&2; exit 1; }; }
# h5ad_cells FILE: the cells of an .h5ad (anndata's X shape, cells first).
h5ad_cells() { /usr/bin/python3 -c 'import sys, h5py; print(h5py.File(sys.argv[1])["X"].attrs["shape"][0])' "$1"; }

for round in $(seq "$rounds"); do
    mc import mc-import-cells --force --genes root/genes root/raw/atlas.h5 root/cells/atlas
    bp import
    if [ "$round" = 1 ]; then
        mc-make-view root/cells/atlas root/views/all
        echo "colnames bp.names" >&3 && read -r _ <&4
        mc-sum root/cells/atlas | cut -f1 | cmp -s - bp.names ||
            { echo "bench/bpcells.sh: mc and BPCells order the cells differently" >&2; exit 1; }
    fi
    mc sum sh -c 'mc-sum --force root/cells/atlas >sums.tsv'
    bp sum
    same "grand total" "$(awk '{ t += $2 } END { printf "%.0f", t }' sums.tsv)" "$check"
    mc subset sh -c 'mc-make-view --force --keep-profiles keep.txt root/cells/atlas root/views/sub &&
        mc-export --force root/views/sub --h5ad sub.h5ad'
    bp subset
    if [ "$round" = 1 ]; then same "1 % subset, cells" "$(h5ad_cells sub.h5ad)" "$(h5ad_cells bp-sub.h5ad)"; fi
    for k in 8 1000 20000; do
        mc "group.$k" mc-group --force --groups "g$k.txt" root/views/all
        [ $k = 20000 ] || bp pseudobulk $k
        bp multiply $k
        if [ "$round" = 1 ]; then
            total=$(mc-sum root/views/all/groups | awk '{ t += $2 } END { printf "%.0f", t }')
            same "$k groups, grand total" "$total" "$check"
        fi
    done
done
disk=$(du -sm root/cells/atlas | cut -f1) bpdisk=$(du -sm bpcells | cut -f1)

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
row() { printf '  %-34s %8s %8s %8s %8s %8s %8s\n' "$@"; }
rounds_of() { tr '\n' ' ' <"$1" | sed 's/ $//'; }
printf 'bpcells.sh: %d cells x 33000 genes, %d non-zeros, %d cores, load %s at the start, %s at the end;\n' \
    "$profiles" "$nnz" "$(nproc)" "$load0" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf 'medians of %d rounds, mc and BPCells alternating; BPCells timed inside R\n' "$rounds"
printf 'stores: mc cells/ %d MB, BPCells %d MB\n\n' "$disk" "$bpdisk"
row "" "mc wall" "BP wall" "mc/BP" "mc CPU" "BP CPU" "mc/BP"
# line LABEL MC BP: a row of medians and ratios, then every round.
line() {
    mw=$(median "mc.$2.secs") bw=$(median "bp.$3.secs") mcpu=$(median "mc.$2.cpu") bcpu=$(median "bp.$3.cpu")
    row "$1" "$mw" "$bw" "$(ratio "$mw" "$bw")" "$mcpu" "$bcpu" "$(ratio "$mcpu" "$bcpu")"
    printf '  %-34s mc %s; BPCells %s\n' "  (rounds, wall s)" "$(rounds_of "mc.$2.secs")" "$(rounds_of "bp.$3.secs")"
}
line "import 10x HDF5 -> store" import import
line "per-cell totals (full scan)" sum sum
line "1 % of cells by barcode -> .h5ad" subset subset
line "group sums, 8 (pseudobulk)" group.8 pseudobulk.8
line "group sums, 1,000 (pseudobulk)" group.1000 pseudobulk.1000
line "group sums, 8 (sparse product)" group.8 multiply.8
line "group sums, 1,000 (sparse product)" group.1000 multiply.1000
line "group sums, 20,000 (sparse product)" group.20000 multiply.20000
