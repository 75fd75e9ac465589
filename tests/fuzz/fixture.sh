#!/bin/sh
# fixture.sh OUT: the data root fuzz_select reads (and seeds are taken from):
# the shipped 10x v3 example imported, written, collected, viewed and grouped
# by the tools of bin/.  OUT/cells/pbmc is the collection the harness opens.
set -eu
out=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
export PATH="$root/bin:$PATH"
rm -rf "$out.tmp" && mkdir -p "$out.tmp"
cd "$out.tmp"
mc-import-hca "$root/tests/data/10x/3.0.0/filtered_feature_bc_matrix.h5" std/pbmc
mc-delane std/pbmc delaned/pbmc
mc-make-genes --organism human delaned/pbmc/all genes
mc-write-matrix delaned/pbmc/all cells/pbmc/all
mc-collect cells/pbmc
mc-sum cells/pbmc | awk '$2 >= 20 {print $1}' | mc-make-view --keep-profiles - cells/pbmc views/good
mc-sum --by gene views/good >/dev/null
mc-sum views/good | awk '{print $1 "\t" ($2 > 40 ? "high" : "low")}' >groups.tsv
mc-group --groups groups.tsv views/good
cd - >/dev/null
rm -rf "$out" && mv "$out.tmp" "$out"
