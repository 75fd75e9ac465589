#!/bin/sh
# make demo: generate an example HCA atlas, run the whole pipeline on it, and show
# what came out.  Re-running reuses what is up to date (it is make underneath).
set -eu
MC=$(cd "$(dirname "$0")/.." && pwd)
ROOT=${DEMO_ROOT:-$MC/demo}
export PATH="$MC/bin:$MC/tests/helpers:$PATH"
mkdir -p "$ROOT/raw"
cd "$ROOT"

say() { printf '%s\n' "$*"; }
if [ ! -e raw/atlas.h5 ]; then
    say "== Generating raw/atlas.h5: an HCA-style file, 2 donors x 2 lanes, 4000 cells, 33000 genes"
    gen-hca --seed 42 --donors 2 --lanes 2 --cells 4000 --genes 33000 --mean-genes 800 --types 8 \
        --labels raw/atlas.groups.tsv raw/atlas.h5
fi

say "== Running the pipeline (make -j2 -f pipelines/Makefile in $ROOT)"
make -s -j2 -f "$MC/pipelines/Makefile" MIN_UMIS=500

say ""
lanes=$(sed -n 's/^- name: //p' cells/atlas/profiles.yaml)   # the collection's members, in order
say "== Lanes found: $(echo "$lanes" | wc -l)"
for lane in $lanes; do
    mc-info "cells/atlas/$lane" | awk -v l="$lane" '/^profiles:/ {p=$2} /^genes:/ {g=$2} END {printf "   %-20s %6d cells x %d genes\n", l, p, g}'
done
mc-info cells/atlas | awk '/^profiles:/ {p=$2} /^genes:/ {g=$2} END {printf "   %-20s %6d cells x %d genes (collection cells/atlas)\n", "all lanes", p, g}'

say ""
say "== UMIs per cell (mc-sum cells/atlas):"
mc-sum cells/atlas --by profile | cut -f2 | sort -n | awk '
    {v[NR] = $1; s += $1}
    END {printf "   cells %d  min %d  25%% %d  median %d  75%% %d  max %d  mean %.1f\n",
         NR, v[1], v[int(NR * .25) + 1], v[int(NR * .5) + 1], v[int(NR * .75) + 1], v[NR], s / NR}'
say "   kept with at least 500 UMIs: $(mc-info views/atlas | awk '/^profiles:/ {print $2}') cells (view views/atlas)"

say ""
say "== Groups (mc-group views/atlas --groups raw/atlas.groups.tsv):"
mc-sum views/atlas/groups >/dev/null
mc-export views/atlas/groups --tsv p group_label grouped_count total_umis | awk -F'\t' '
    NR > 1 {printf "   %-14s %5d cells %10d UMIs\n", $2, $3, $4; n++}
    END {printf "   %d groups made\n", n}'
say "   outliers: $(mc-info views/atlas/outliers | awk '/^profiles:/ {print $2}') cells (view views/atlas/outliers)"

say ""
say "== Outputs, in $ROOT:"
say "   cells/atlas/LANE    one batch per lane        cells/atlas         their collection"
say "   views/atlas         cells with >= 500 UMIs    views/atlas/groups  group sums (metacells)"
say "   Check any of them:  mc-info --verify $ROOT/views/atlas/groups"
say ""
# The hint must work as printed in a fresh shell: the tools by their directory, and a
# python3 that has anndata (a pyenv python3 first on PATH may lack it).
py=python3
for p in python3 /usr/bin/python3; do
    if "$p" -c 'import importlib.util as u, sys; sys.exit(u.find_spec("anndata") is None)' 2>/dev/null; then py=$(command -v "$p"); break; fi
done
say "== Continue in Python (scanpy / anndata):"
say "   export PATH=\"$MC/bin:\$PATH\""
say "   mc-export $ROOT/views/atlas --h5ad atlas.h5ad"
say "   $py -c 'import anndata; print(anndata.read_h5ad(\"atlas.h5ad\"))'"
