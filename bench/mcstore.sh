#!/bin/sh
# python/mcstore against anndata on the generated HCA atlas's collection (issue 20's targets;
# generation and the pipeline not counted):
#   - a 1 % selection (random profiles) into a CSR matrix: mcstore's umis(idx), against
#     anndata.read_h5ad(backed="r")[idx].to_memory() of the collection's .h5ad (mc-export --h5ad,
#     uncompressed) and against mc-export --h5ad of the 1 % view then anndata.read_h5ad;
#   - the whole collection into a CSR matrix: umis() against anndata.read_h5ad of that .h5ad
#     and against the floor, numpy writing arrays of the CSR's sizes once (fresh memory's cost),
#     and the peak RSS of each beyond the interpreter's, against the CSR's own bytes.
#   bench/mcstore.sh [CELLS]      (default 100000 cells, 33000 genes, ~1000 per cell)
# Every figure is timed BENCH_ROUNDS times (default 3) in one process, A and B interleaved, the
# page cache warm (each input read once first); the tables give medians of wall and CPU seconds
# (user + system, every thread; under load the CPU ratio is the steadier), and every round is printed.
set -eu
MC=$(cd "$(dirname "$0")/.." && pwd)
cells=${1:-100000}
rounds=${BENCH_ROUNDS:-3}
. "$MC/bench/measure.sh"
bench_scratch mcstore
export PYTHONPATH="$MC/python"
generate_atlas root "$cells" 4 4 >/dev/null
(cd root && make -s -j2 -f "$MC/pipelines/Makefile" >/dev/null)
coll=root/cells/atlas
read -r profiles nnz _ <<EOT
$(h5-read root/raw/atlas.h5)
EOT
P=$(sed -n 's/^profiles_count: //p' "$coll/profiles.yaml")
/usr/bin/python3 -c "
import numpy as np
P = $P
np.savetxt('keep.txt', np.sort(np.random.default_rng(20).choice(P, P // 100, replace=False)), fmt='%d')"
mc-make-view --keep-profiles keep.txt "$coll" root/views/sub
mc-export "$coll" --h5ad whole.h5ad
cat "$coll"/*/gp.umis.mmm whole.h5ad >/dev/null   # the page cache warm for both

py() { /usr/bin/python3 "$MC/bench/mcstore-read.py" "$@"; }
load=$(cut -d' ' -f1-3 /proc/loadavg)
py select "$coll" whole.h5ad root/views/sub "$rounds" >select.txt
py whole "$coll" whole.h5ad "$rounds" >whole.txt
measure /usr/bin/python3 "$MC/bench/mcstore-read.py" rss-base && base_rss=$rss
measure /usr/bin/python3 "$MC/bench/mcstore-read.py" rss-mcstore "$coll" && mc_rss=$rss
csr=$(cat "$tmp/measure.log")
measure /usr/bin/python3 "$MC/bench/mcstore-read.py" rss-anndata whole.h5ad && ad_rss=$rss

med() { grep "^$1 " "$2" | cut -d' ' -f2- | tr ' ' '\n' | sort -n | awk '{v[NR] = $1} END {print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'; }
row() { printf '  %-58s %8s %9s %8s %9s\n' "$@"; }
mb() { awk -v k="$1" 'BEGIN { printf "%.0f", k / 1024 }'; }
# figure NAME FILE LABEL: a row of NAME's medians, wall and CPU, and their ratios to mcstore's.
figure() {
    row "$3" "$(med "$1" "$2")" "$(ratio "$(med "$1" "$2")" "$(med mcstore "$2")")" "$(med "$1-cpu" "$2")" \
        "$(ratio "$(med "$1-cpu" "$2")" "$(med mcstore-cpu "$2")")"
}

printf 'mcstore.sh: %d cells x 33000 genes, %d non-zeros, %d cores, load average %s; the collection %s;\n' \
    "$profiles" "$nnz" "$(nproc)" "$load" "$coll"
printf 'medians of %d rounds, A and B interleaved in one process, the page cache warm\n' "$rounds"
printf '\n1 %% of the profiles (%d, random) into a CSR matrix:\n' "$((P / 100))"
row "" "wall s" "/ mcstore" "CPU s" "/ mcstore"
figure mcstore select.txt "mcstore umis(idx)"
figure backed select.txt "anndata.read_h5ad(backed='r')[idx].to_memory()"
figure export select.txt "mc-export --h5ad of the 1 % view + anndata.read_h5ad"
sed 's/^/  rounds: /' select.txt
printf '\nThe whole collection into a CSR matrix (%d MB of CSR):\n' "$((csr / 1048576))"
row "" "wall s" "/ mcstore" "CPU s" "/ mcstore"
figure mcstore whole.txt "mcstore umis()"
figure anndata whole.txt "anndata.read_h5ad (uncompressed .h5ad)"
figure floor whole.txt "floor: numpy writes the CSR's arrays once (np.full)"
sed 's/^/  rounds: /' whole.txt
printf '\nPeak RSS beyond the interpreter with its modules (%s MB), against the CSR (%d MB):\n' "$(mb "$base_rss")" \
    "$((csr / 1048576))"
printf '  %-58s %8s %9s\n' "" "MB" "/ CSR"
printf '  %-58s %8s %9s\n' "mcstore umis(), in its own process" "$(mb $((mc_rss - base_rss)))" \
    "$(ratio $(((mc_rss - base_rss) * 1024)) "$csr")"
printf '  %-58s %8s %9s\n' "anndata.read_h5ad, in its own process" "$(mb $((ad_rss - base_rss)))" \
    "$(ratio $(((ad_rss - base_rss) * 1024)) "$csr")"
printf '  (mcstore beyond the CSR: %d MB)\n' "$(( (mc_rss - base_rss) / 1024 - csr / 1048576 ))"
