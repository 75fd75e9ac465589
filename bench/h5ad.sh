#!/bin/sh
# .h5ad import: mc-import-cells of an AnnData file (CSR X, float32, gzip, as
# anndata.write_h5ad writes it) made from the generated HCA atlas, against
#   - mc-import-cells of the 10x HDF5 file it was made from (the same cells
#     and counts), per non-zero;
#   - anndata.read_h5ad of the same file into memory (the Python peer; timed
#     inside Python, its imports not counted), which only reads.
#   bench/h5ad.sh [CELLS]        (default 30000 cells, 33000 genes, ~1000 per cell)
#   BENCH_BEFORE=DIR bench/h5ad.sh   also DIR/mc-import-cells of the .h5ad, in the same rounds
# Every command runs BENCH_ROUNDS times (default 3), interleaved; medians.
set -eu
MC=$(cd "$(dirname "$0")/.." && pwd)
cells=${1:-30000}
rounds=${BENCH_ROUNDS:-3}
before=${BENCH_BEFORE:-}
. "$MC/bench/measure.sh"
bench_scratch h5ad
generate_atlas root "$cells" 2 2 >/dev/null
/usr/bin/python3 -W ignore - <<'PY'
import anndata, h5py, pandas as pd, scipy.sparse as sp
with h5py.File("root/raw/atlas.h5", "r") as f:
    g = f[next(iter(f))]
    shape = g["shape"][:]
    x = sp.csr_matrix((g["data"][:].astype("float32"), g["indices"][:], g["indptr"][:]),
                      shape=(shape[1], shape[0]))
    obs = pd.DataFrame(index=g["barcodes"][:].astype(str))
    var = pd.DataFrame({"gene_ids": g["genes"][:].astype(str)}, index=g["gene_names"][:].astype(str))
anndata.AnnData(X=x, obs=obs, var=var).write_h5ad("x.h5ad", compression="gzip")
PY
mc-make-genes --organism human root/raw/atlas.h5 genes >/dev/null
read -r _ nnz _ <<EOT
$(h5-read root/raw/atlas.h5)
EOT

for round in $(seq "$rounds"); do
    measure mc-import-cells --force --genes genes x.h5ad cells
    echo "$secs" >>h5ad.secs
    echo "$cpu" >>h5ad.cpu
    if [ -n "$before" ]; then
        measure "$before/mc-import-cells" --force --genes genes x.h5ad cells
        echo "$secs" >>before.secs
        echo "$cpu" >>before.cpu
    fi
    measure mc-import-cells --force --genes genes root/raw/atlas.h5 cells
    echo "$secs" >>10x.secs
    echo "$cpu" >>10x.cpu
    /usr/bin/python3 -W ignore -c '
import sys, time, anndata
t, c = time.perf_counter(), time.process_time()
a = anndata.read_h5ad("x.h5ad")
print("%.2f %.2f %d" % (time.perf_counter() - t, time.process_time() - c, a.X.nnz))' >peer.out
    read -r secs cpu peer_nnz <peer.out
    [ "$peer_nnz" = "$nnz" ] || { echo "bench/h5ad.sh: anndata read $peer_nnz non-zeros, expected $nnz" >&2; exit 1; }
    echo "$secs" >>peer.secs
    echo "$cpu" >>peer.cpu
done

row() { printf '  %-46s %8s %8s %10s %10s\n' "$@"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
mnnz() { awk -v n="$nnz" -v s="$1" 'BEGIN { printf "%.0f", n / s / 1e6 }'; }
h=$(median h5ad.secs) t=$(median 10x.secs) p=$(median peer.secs)
printf 'h5ad.sh: %d cells x 33000 genes, %d non-zeros, .h5ad %d MB, %d cores; medians of %d rounds\n' "$cells" \
    "$nnz" "$(du -m x.h5ad | cut -f1)" "$(nproc)" "$rounds"
row "" "wall s" "CPU s" "M nnz/s" "/ peer"
row "mc-import-cells x.h5ad" "$h" "$(median h5ad.cpu)" "$(mnnz "$h")" "$(ratio "$h" "$p")"
[ -z "$before" ] || row "before: mc-import-cells x.h5ad" "$(median before.secs)" "$(median before.cpu)" \
    "$(mnnz "$(median before.secs)")" "$(ratio "$(median before.secs)" "$p")"
row "mc-import-cells atlas.h5 (10x, same counts)" "$t" "$(median 10x.cpu)" "$(mnnz "$t")" \
    "$(ratio "$t" "$p")"
row "peer: anndata.read_h5ad x.h5ad (in Python)" "$p" "$(median peer.cpu)" "$(mnnz "$p")" "1.00"
printf '  (rounds, wall s) h5ad %s; 10x %s; peer %s\n' "$(tr '\n' ' ' <h5ad.secs)" "$(tr '\n' ' ' <10x.secs)" \
    "$(tr '\n' ' ' <peer.secs)"
