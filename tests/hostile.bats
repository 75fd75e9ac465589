#!/usr/bin/env bats
# Issue 17, findings 9 and 11: HDF5 inputs that declare more than they hold.
# The importers' memory is bounded by cells, genes and a fixed chunk budget
# whatever a file repeats or declares, or the file is refused at once in one
# line naming it; data outside the file (external storage, external links,
# virtual datasets) and float indices are refused (common/h5guard.c, SPEC 9).
# Every file is written small by tests/helpers/hostile_h5.py; the bound is
# the address space (ulimit -v), with one decoding thread so that it does not
# depend on the machine's cores.

load test_helper
bats_require_minimum_version 1.5.0

mk() { "$PY" "$MC_ROOT/tests/helpers/hostile_h5.py" "$@"; }

# The address space every import here must do with.
BOUND_MIB=256

# Both import routes of FILE, each refused with exactly MESSAGE (after
# "mc-import-TOOL: "), within the bound, leaving no output and no temporary.
refused_by_both() {
    local file=$1 message=$2
    run bounded $((BOUND_MIB << 10)) mc-import-hca --threads 1 "$file" std
    assert_failure 1
    assert_output "mc-import-hca: $message"
    run bounded $((BOUND_MIB << 10)) mc-import-cells --threads 1 --genes "$T/genes" "$file" cells
    assert_failure 1
    assert_output "mc-import-cells: $message"
    [ ! -e std ] && [ ! -e cells ]
    run find . -name '.*tmp*'
    assert_output ""
}

# A gene set for the direct route (the refusals come before it is read).
genes() {
    mk float:none ok.h5ad
    mc-make-genes --organism human ok.h5ad "$T/genes" >/dev/null
}

@test "hostile: a profile of 20 M duplicates of one gene imports within the bound, summed (10x, .h5ad CSR and CSC)" {
    for kind in 10x csr csc; do
        mk dup:$kind $kind.h5
        [ "$(stat -c %s $kind.h5)" -lt 400000 ]
        run bounded $((BOUND_MIB << 10)) mc-import-hca --threads 1 $kind.h5 std-$kind
        assert_success
        # 20,000,000 entries of values 1 0 0 0 ...: one entry, summed
        printf '%s\n' '%%MatrixMarket matrix coordinate integer general' '2 2 1' '1 1 5000000' >want.mtx
        cmp want.mtx std-$kind/umis.mtx
        mc-make-genes --organism human $kind.h5 genes-$kind >/dev/null
        run bounded $((BOUND_MIB << 10)) mc-import-cells --threads 1 --genes genes-$kind $kind.h5 cells-$kind
        assert_success
        run container-tool dense cells-$kind/all
        assert_output "$(printf '5000000 0\n0 0')"
        run mc-info --verify cells-$kind
        assert_output "cells-$kind: ok"
    done
}

@test "hostile: a deflated chunk declared far larger than its data is refused at once (.h5ad, 10x, Loom)" {
    genes
    mk bigchunk:h5ad big.h5ad
    mk bigchunk:10x big.h5
    mk bigchunk:loom big.loom
    [ "$(stat -c %s big.h5ad)" -lt 4000000 ]
    local too="chunks of 536870912 bytes as read, more than mc reads (16777216); rewrite it with smaller chunks"
    refused_by_both big.h5ad "big.h5ad: /X/data: $too"
    refused_by_both big.h5 "big.h5: /matrix/data: $too"
    refused_by_both big.loom "big.loom: /matrix: $too"
}

@test "hostile: cells declared but never stored (a 7 KB Loom of 2x10^7 or 2x10^8 cells, .h5ad, 10x) are refused at once" {
    genes
    mk declared:loom loom7.loom 20000000
    mk declared:loom loom8.loom 200000000
    mk declared:h5ad obs.h5ad 20000000
    mk declared:10x bc.h5 20000000
    [ "$(stat -c %s loom8.loom)" -lt 8000 ]
    local never="values declared but not all stored (chunks never written)"
    refused_by_both loom7.loom "loom7.loom: /col_attrs/CellID: 20000000 $never"
    refused_by_both loom8.loom "loom8.loom: /col_attrs/CellID: 200000000 $never"
    refused_by_both obs.h5ad "obs.h5ad: /obs/_index: 20000000 $never"
    refused_by_both bc.h5 "bc.h5: /matrix/barcodes: 20000000 $never"
}

@test "hostile: float indptr, indices and categorical codes are refused, not truncated (.h5ad 0.8 and 0.7, Loom)" {
    genes
    for kind in indptr indices codes codes07 loom; do mk float:$kind $kind.h5; done
    local float="not an integer dataset (floats, which would be truncated)"
    refused_by_both indptr.h5 "indptr.h5: /X/indptr: $float"
    refused_by_both indices.h5 "indices.h5: /X/indices: $float"
    refused_by_both codes.h5 "codes.h5: /obs/sample/codes: $float"
    refused_by_both codes07.h5 "codes07.h5: /obs/sample: $float"
    refused_by_both loom.h5 "loom.h5: /col_attrs/sample/codes: $float"
    # the same files with integer codes import (the fixture itself is sound)
    run mc-import-hca ok.h5ad std
    assert_success
}

@test "hostile: data in another file (external storage, an external link, a virtual dataset) is never read" {
    genes
    for kind in storage link virtual 10x-storage; do mk external:$kind $kind.h5; done
    local only="mc reads only the file it is given"
    refused_by_both storage.h5 "storage.h5: /obs/_index: stored in the external file 'secret.txt'; $only"
    refused_by_both 10x-storage.h5 "10x-storage.h5: /matrix/barcodes: stored in the external file 'secret.txt'; $only"
    refused_by_both link.h5 "link.h5: /obs/_index: an external link to other.h5:/names; $only"
    refused_by_both virtual.h5 "virtual.h5: /obs/_index: a virtual dataset (its data in other files); $only"
    # an external link anywhere refuses the file, even where mc would not look
    "$PY" - <<'PY'
import h5py
with h5py.File("ok.h5ad", "a") as f:
    f.create_group("uns")["elsewhere"] = h5py.ExternalLink("other.h5", "/names")
PY
    refused_by_both ok.h5ad "ok.h5ad: /uns/elsewhere: an external link to other.h5:/names; $only"
}
