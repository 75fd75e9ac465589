#!/bin/sh
# Metacell-scale grouping and small subsets on the generated HCA atlas
# (generation and the pipeline to views/atlas not counted):
#   - mc-group --groups at 8, 1,000 and 20,000 groups (random labels, ~5 %
#     outliers), wall and CPU, each count against 8 groups measured in the
#     same rounds; with the fsyncs (as users run it) and with MC_NO_FSYNC=1
#     (what the summing costs; the output grows with the groups: the fsync of
#     20,000 groups' sums is disk time);
#   - a view of 1 % of the profiles (random) and its mc-export --h5ad, --10x
#     and --mtx, against mc-export --h5ad of the whole view.
#   bench/groups.sh [CELLS]      (default 100000 cells, 33000 genes, ~1000 per cell)
# Every command runs BENCH_ROUNDS times (default 3), the counts interleaved;
# the tables give medians, and every round is printed.
set -eu
MC=$(cd "$(dirname "$0")/.." && pwd)
cells=${1:-100000}
rounds=${BENCH_ROUNDS:-3}
. "$MC/bench/measure.sh"
bench_scratch groups
generate_atlas root "$cells" 4 4 >/dev/null
(cd root && make -s -j2 -f "$MC/pipelines/Makefile" >/dev/null)
read -r profiles nnz _ <<EOT
$(h5-read root/raw/atlas.h5)
EOT
P=$(sed -n 's/^profiles_count: //p' root/views/atlas/profiles.yaml)
/usr/bin/python3 - "$P" <<'PY'
import sys, numpy as np
P = int(sys.argv[1])
rng = np.random.default_rng(18)
for k in (8, 1000, 20000):
    g = rng.integers(0, k, P)
    g[rng.random(P) < 0.05] = -1
    g[rng.permutation(P)[:k]] = np.arange(k)   # every group has a profile
    np.savetxt("g%d.txt" % k, g, fmt="%d")
np.savetxt("keep.txt", np.sort(rng.choice(P, P // 100, replace=False)), fmt="%d")
PY

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
row() { printf '  %-44s %9s %9s %9s %9s\n' "$@"; }

# time_into NAME COMMAND...: append wall and CPU seconds to NAME.secs, NAME.cpu.
time_into() {
    name=$1
    shift
    measure "$@"
    echo "$secs" >>"$name.secs"
    echo "$cpu" >>"$name.cpu"
}

for mode in fsync nofsync; do
    for round in $(seq "$rounds"); do
        for k in 8 1000 20000; do
            if [ $mode = fsync ]; then sync; fi
            time_into "$mode.$k" env MC_NO_FSYNC=$([ $mode = fsync ] && echo 0 || echo 1) \
                mc-group --force --groups "g$k.txt" root/views/atlas
        done
    done
done
outmb=$(du -m root/views/atlas/groups/gp.umis.mmm | cut -f1)

mc-make-view --keep-profiles keep.txt root/views/atlas root/views/sub
for round in $(seq "$rounds"); do
    rm -f sub.h5ad sub.10x.h5 sub.mtx
    time_into h5ad mc-export root/views/sub --h5ad sub.h5ad
    time_into 10x mc-export root/views/sub --10x sub.10x.h5
    time_into mtx mc-export root/views/sub --mtx -o sub.mtx
done
rm -f all.h5ad
time_into all mc-export root/views/atlas --h5ad all.h5ad
rm -f all.h5ad

printf 'groups.sh: %d cells x 33000 genes, %d non-zeros, %d cores; medians of %d rounds\n' "$profiles" "$nnz" \
    "$(nproc)" "$rounds"
printf '\nmc-group --groups, random labels (20,000 groups: %d MB of sums):\n' "$outmb"
row "" "wall s" "/ 8 groups" "CPU s" "/ 8 groups"
for mode in fsync nofsync; do
    for k in 8 1000 20000; do
        w=$(median "$mode.$k.secs") c=$(median "$mode.$k.cpu")
        w8=$(median "$mode.8.secs") c8=$(median "$mode.8.cpu")
        row "$k groups ($mode)" "$w" "$(ratio "$w" "$w8")" "$c" "$(ratio "$c" "$c8")"
    done
    printf '  rounds (%s): 8: %s; 1000: %s; 20000: %s\n' "$mode" "$(tr '\n' ' ' <"$mode.8.secs")" \
        "$(tr '\n' ' ' <"$mode.1000.secs")" "$(tr '\n' ' ' <"$mode.20000.secs")"
done

printf '\n1 %% of the profiles (%d) exported:\n' "$((P / 100))"
row "" "wall s" "/ whole" "CPU s" "/ whole"
wa=$(median all.secs) ca=$(median all.cpu)
for f in h5ad 10x mtx; do
    row "mc-export --$f of the 1 % view" "$(median $f.secs)" "$(ratio "$(median $f.secs)" "$wa")" \
        "$(median $f.cpu)" "$(ratio "$(median $f.cpu)" "$ca")"
done
row "mc-export --h5ad of the whole view (once)" "$wa" "1.00" "$ca" "1.00"
