#!/usr/bin/env bats
# The tour in README.md runs as written (with /tmp/mc moved into the test's
# directory), so the documentation cannot drift from the tools.

load test_helper

@test "the README tour runs, every step succeeding, and what it makes verifies" {
    sed -n '/^export PATH=\$PWD\/bin:\$PATH$/,/^```$/p' "$MC_ROOT/README.md" | sed '1d;$d' \
        | sed "s|/tmp/mc|$T/mc|g" >tour.sh
    [ "$(grep -c '^mc-' tour.sh)" -ge 12 ]
    cd "$MC_ROOT"
    run bash -eu -o pipefail "$T/tour.sh"
    assert_success
    assert_output --partial "$T/mc/views/good/groups: ok"
    for c in cells/pbmc cells/pbmc/all views/good views/good/groups views/good/outliers views/qc; do
        run mc-info --verify "$T/mc/$c"
        assert_success
    done
    # the direct route gives the text route's collection
    [ "$(sed -n 's/^uuid: //p' "$T/mc/direct/pbmc/profiles.yaml")" = "$(sed -n 's/^uuid: //p' "$T/mc/cells/pbmc/profiles.yaml")" ]
    run "$PY" -c "import anndata; a = anndata.read_h5ad('$T/mc/good.h5ad'); print(a.n_vars)"
    assert_output 507
    # The Python tour too, once the tour's data is there.
    sed -n '/^import mcstore /,/^```$/p' "$MC_ROOT/README.md" | sed '$d' | sed "s|/tmp/mc|$T/mc|g" >"$T/tour.py"
    [ "$(wc -l <"$T/tour.py")" -ge 8 ]
    mc-sum "$T/mc/cells/pbmc" | awk '{print $1 "\t" ($2 > 40 ? "True" : "False")}' |
        mc-write-data "$T/mc/cells/pbmc/all" p.high -
    PYTHONPATH="$MC_ROOT/python" run sanpy "$T/tour.py"
    assert_success
    assert_output --regexp "^ProfilesContainer\('$T/mc/views/good': view, [0-9]+ cells x 507 genes\) [0-9]+ \([0-9]+, 2\) [0-9]+ \['barcode', 'base_index', 'batch', 'busy', 'group', 'high', 'lane', 'member', 'total_umis'\]$"
    run mc-export "$T/mc/views/good" --tsv p busy
    [ "$(grep -c True <<<"$output")" -gt 0 ]
}

@test "the README's two samples of different gene lists combine as it says" {
    sed -n '/^v2=tests/,/^```$/p' "$MC_ROOT/README.md" | sed '$d' | sed "s|/tmp/mc|$T/mc|g" >union.sh
    [ "$(grep -c '^mc-' union.sh)" -eq 4 ]
    cd "$MC_ROOT"
    bash -eu -o pipefail "$T/union.sh"
    run mc-info "$T/mc/u/both"
    assert_line "profiles: 1119 cells"
    assert_line "genes: 576"
}

@test "the README's datum written into a batch reads back through the tour's view" {
    sed -n '/^export PATH=\$PWD\/bin:\$PATH$/,/^```$/p' "$MC_ROOT/README.md" | sed '1d;$d' \
        | sed "s|/tmp/mc|$T/mc|g" >tour.sh
    sed -n '/^mc-sum \/tmp\/mc\/cells\/pbmc | awk/,/^```$/p' "$MC_ROOT/README.md" | sed '$d' \
        | sed "s|/tmp/mc|$T/mc|g" >data.sh
    [ "$(grep -c '^ *mc-' data.sh)" -eq 4 ]
    cd "$MC_ROOT"
    bash -eu -o pipefail "$T/tour.sh" >/dev/null 2>&1
    run bash -eu -o pipefail "$T/data.sh"
    assert_success
    assert_line --index 0 "name	high"
    # the view's cells' values, as numpy computes them from the batch's totals and the view's selection
    run "$PY" - "$T/mc" <<'PY'
import sys
import numpy as np
root = sys.argv[1]
keep = np.load(root + "/views/good/p.base_index.npy")
totals = np.load(root + "/cells/pbmc/p.total_umis.npy")
high = np.load(root + "/high.npy")
print(high.dtype.str, np.array_equal(high, totals[keep] > 40), high.sum() > 0, (~high).sum() > 0)
PY
    assert_output "|b1 True True True"
}
