#!/usr/bin/env bats
# .h5ad and Loom import (h5ad.c, loom.c behind h5.h): files written by the real
# writers (anndata, loompy; tests/helpers/mk_h5x.py), every entry, name, id and
# lane compared with what anndata / loompy read (tests/helpers/check_h5x.py);
# both import routes; the h5ad round trip; bad counts and options as one-line errors.
load test_helper

# Every variant of mk_h5x.py written once for the file, in one python (anndata's
# start-up is a second); mk VARIANT OUT copies one.
H5X_VARIANTS="csr csc dense csc-big layer raw hca fraction negative loom loom-big loom-layer"
setup_file() {
    local v args=()
    for v in $H5X_VARIANTS; do args+=("$v" "$BATS_FILE_TMPDIR/$v.$([[ $v == loom* ]] && echo loom || echo h5ad)"); done
    "$PY" "$MC_ROOT/tests/helpers/mk_h5x.py" "${args[@]}"
}
mk() { cp "$BATS_FILE_TMPDIR/$1".* "$2"; }
check_h5x() { "$PY" "$MC_ROOT/tests/helpers/check_h5x.py" "$@"; }

# import FILE OPTIONS...: the STD route (std.FILE) equals anndata/loompy's reading
# (queued for `checked`), and the direct route (mc-import-cells) gives the same
# batches as delane + write-matrix.
import_both() {
    local f=$1
    shift
    rm -rf genes cells dl tcells
    mc-import-hca "$@" "$f" "std.$f"
    CHECKS+=(-- "$f" "std.$f" "$@")
    mc-make-genes --organism mouse "$@" "$f" genes
    mc-import-cells --genes genes "$@" "$f" cells
    mc-delane "std.$f" dl
    assert_equal "$(members_of cells)" "$(cat dl/lanes.txt)"
    for l in $(cat dl/lanes.txt); do
        mc-write-matrix --genes genes dl/$l tcells/$l
        assert_equal "$(uuid_of tcells/$l)" "$(uuid_of cells/$l)"
    done
}

# Every STD queued (CHECKS: -- FILE STD OPTIONS...) against its file, in one python.
CHECKS=()
checked() {
    run check_h5x "${CHECKS[@]:1}"
    assert_output ok
    CHECKS=()
}

# A test that queued checks ran them.
teardown() { [ ${#CHECKS[@]} = 0 ] || fail "checks queued but not run: ${CHECKS[*]}"; }

@test "h5ad CSR (float32, gzip), CSC (int64), dense (int32): every entry, names, ids, categorical lanes" {
    for v in csr csc dense; do
        mk $v $v.h5ad
        import_both $v.h5ad --lane-column sample
        members_of cells >members.$v
    done
    checked
    # the members are the lane column's values in the order anndata meets them
    py csr csc dense <<'PY'
import anndata, sys
for v in sys.argv[1:]:
    want = list(dict.fromkeys(anndata.read_h5ad(v + ".h5ad").obs["sample"].astype(str)))
    assert open("members." + v).read().split("\n")[:-1] == want, (v, want)
PY
    # Gene names keep their case in the gene set; ids come from var/gene_ids.
    [ "$(grep -c . genes/g.original_name.txt)" = 40 ]
    grep -qx Itgb2l genes/g.original_name.txt
    grep -qx ITGB2L genes/g.name.txt
    grep -qx ENSMUSG00000000 genes/g.ensembl.txt
}

@test "h5ad CSC across blocks of profiles: 5000 cells, every entry" {
    mk csc-big big.h5ad
    mc-import-hca big.h5ad std
    run check_h5x big.h5ad std
    assert_output ok
}

@test "h5ad --layer: layers/NAME (CSC, compressed) and raw (raw/X with raw/var) when X is normalised" {
    mk layer layer.h5ad
    mk raw raw.h5ad
    import_both layer.h5ad --layer counts
    import_both raw.h5ad --layer raw
    checked
    run mc-import-hca layer.h5ad std2
    assert_failure 1
    assert_output "mc-import-hca: layer.h5ad: /X: entry 0 (profile 0, gene 0): 11.1563 is not an integer count (normalised data? choose the raw counts with --layer)"
    run mc-import-hca --layer spliced layer.h5ad std2
    assert_failure 1
    assert_output "mc-import-hca: layer.h5ad: no layer 'spliced' (--layer takes X, raw or a name under layers/)"
    [ ! -e std2 ]
}

@test "h5ad HCA barcodes give lanes as for 10x files; no lane column, no HCA: one lane all" {
    mk hca hca.h5ad
    import_both hca.h5ad
    assert_equal "$(members_of cells)" "$("$PY" -c 'import anndata, sys; print("\n".join(dict.fromkeys(n.split("-")[0] for n in anndata.read_h5ad(sys.argv[1]).obs_names)))' hca.h5ad)"
    [ "$(members_of cells | wc -l)" = 4 ]
    [[ "$(mc-sum cells | head -1 | cut -f1)" == MantonBM1_HiSeq_1-*-1 ]]
    mk csr plain.h5ad
    import_both plain.h5ad
    assert_equal "$(members_of cells)" all
    checked
}

@test "Loom (loompy 3): dense chunked /matrix in blocks of cells, Gene/Accession/CellID, a lane column, a layer" {
    mk loom a.loom
    import_both a.loom --lane-column sample
    mk loom-big big.loom
    mc-import-hca big.loom bigstd
    CHECKS+=(-- big.loom bigstd)
    mk loom-layer l.loom
    import_both l.loom --layer spliced
    checked
    run mc-import-hca l.loom std3
    assert_failure 1
    assert_output --regexp '^mc-import-hca: l\.loom: /matrix: profile 0, gene [0-9]+: [0-9.]+ is not an integer count \(normalised data\? choose the raw counts with --layer\)$'
}

@test "bad counts and options: one-line errors, exit 1, nothing written" {
    mk fraction f.h5ad
    mk negative n.h5ad
    mk csr c.h5ad
    run mc-import-hca f.h5ad std
    assert_failure 1
    assert_output "mc-import-hca: f.h5ad: /X: entry 2 (profile 1, gene 2): 0.5 is not an integer count (normalised data? choose the raw counts with --layer)"
    run mc-import-hca n.h5ad std
    assert_failure 1
    assert_output "mc-import-hca: n.h5ad: /X: profile 0, gene 1: -1 is negative, not a count"
    mc-make-genes --organism mouse n.h5ad genes
    run mc-import-cells --genes genes n.h5ad cells
    assert_failure 1
    assert_output "mc-import-cells: n.h5ad: /X: profile 0, gene 1: -1 is negative, not a count"
    run mc-import-hca --lane-column donor c.h5ad std
    assert_failure 1
    assert_output "mc-import-hca: c.h5ad: /obs: no column 'donor' (--lane-column)"
    run mc-import-hca --layer counts "$DATA10X/3.0.0/filtered_feature_bc_matrix.h5" std
    assert_failure 1
    assert_output "mc-import-hca: $DATA10X/3.0.0/filtered_feature_bc_matrix.h5: --layer and --lane-column are for .h5ad and Loom files"
    run ls
    assert_output "c.h5ad
f.h5ad
genes
n.h5ad"
}

@test "h5ad CSR in chunks of their own (indices 50, data 64 shuffled): every entry; a corrupt chunk named, nothing left" {
    mk csr c.h5ad
    py <<'PY'
import h5py
with h5py.File("c.h5ad", "r+") as f:
    for name, chunk, shuffle in (("indices", 50, False), ("data", 64, True)):
        v = f["X"][name][:]
        del f["X"][name]
        f["X"].create_dataset(name, data=v, chunks=(chunk,), compression="gzip", shuffle=shuffle)
    assert f["X/data"].id.get_num_chunks() > 2 and f["X/indices"].id.get_num_chunks() > 2
PY
    cp c.h5ad bad.h5ad
    import_both c.h5ad
    checked
    corrupt_chunk bad.h5ad X/data 2
    for t in 1 2; do
        run mc-import-cells --threads $t --genes genes bad.h5ad bad
        assert_failure 1
        assert_output "mc-import-cells: bad.h5ad: /X/data: chunk 2: corrupt compressed data"
        run mc-import-hca --threads $t bad.h5ad std.bad
        assert_failure 1
        assert_output "mc-import-hca: bad.h5ad: /X/data: chunk 2: corrupt compressed data"
        run ls -A
        assert_output "$(printf '%s\n' bad.h5ad c.h5ad cells dl genes std.c.h5ad tcells)"
    done
}

@test "h5ad round trip: import, export --h5ad, import, export: the same names, lanes, genes (case kept) and counts" {
    mk hca in.h5ad
    mc-make-genes --organism mouse in.h5ad g1
    mc-import-cells --genes g1 in.h5ad c1
    mc-export --genes g1 c1 --h5ad out1.h5ad
    mc-make-genes --organism mouse out1.h5ad g2
    mc-import-cells --genes g2 out1.h5ad c2
    mc-export --genes g2 c2 --h5ad out2.h5ad
    assert_equal "$(members_of c2)" "$(members_of c1)"
    cmp g1/g.name.txt g2/g.name.txt
    cmp g1/g.original_name.txt g2/g.original_name.txt
    for l in $(members_of c1); do cmp c1/$l/gp.umis.mmm c2/$l/gp.umis.mmm; done
    py in.h5ad out1.h5ad out2.h5ad <<'PY'
import sys, anndata, numpy as np
a, b, c = (anndata.read_h5ad(p) for p in sys.argv[1:])
for x in (b, c):
    # mc orders cells by lane; names, genes (case kept), ids and counts are the input's.
    assert sorted(x.obs_names) == sorted(a.obs_names)
    assert list(x.var_names) == sorted(a.var_names, key=str.upper)
    y = a[x.obs_names, x.var_names]
    assert (x.X.toarray() == y.X.toarray()).all()
    assert list(x.var["gene_ids"]) == list(y.var["gene_ids"])
    assert list(x.obs["lane"]) == [n.split("-")[0] for n in x.obs_names]
assert list(b.obs_names) == list(c.obs_names) and list(b.var_names) == list(c.var_names)
assert (b.X != c.X).nnz == 0
print("ok")
PY
    # The same through a lane column: the export's obs/lane.
    mk csr plain.h5ad
    mc-make-genes --organism mouse plain.h5ad g3
    mc-import-cells --genes g3 --lane-column sample plain.h5ad c3
    mc-export --genes g3 c3 --h5ad out3.h5ad
    mc-import-cells --genes g3 --lane-column lane out3.h5ad c4
    assert_equal "$(members_of c4)" "$(members_of c3)"
    assert_equal "$(mc-sum c4)" "$(mc-sum c3)"
}

@test "pipelines: raw/NAME.h5ad and raw/NAME.loom go the HDF5 way, make and snakemake alike" {
    mkdir -p mk/raw
    mk hca mk/raw/a.h5ad
    mk loom mk/raw/b.loom
    cp -r mk sm
    run make -C mk -f "$MC_ROOT/pipelines/Makefile" -j2 ORGANISM=mouse
    assert_success
    assert_line "mc-import-cells --force --totals --genes genes 'raw/a.h5ad' 'cells/a'"
    assert_line "mc-import-cells --force --totals --genes genes 'raw/b.loom' 'cells/b'"
    [ "$(members_of mk/cells/a | wc -l)" = 4 ]
    assert_equal "$(members_of mk/cells/b)" all
    mc-make-genes --organism mouse mk/raw/a.h5ad g
    mc-import-cells --genes g mk/raw/a.h5ad direct
    assert_equal "$(uuid_of mk/cells/a)" "$(uuid_of direct)"
    mc-info --verify mk/views/b
    run snakemake -d sm -s "$MC_ROOT/pipelines/Snakefile" --cores 2 --config organism=mouse
    assert_success
    for c in cells/a cells/b views/a views/b; do assert_equal "$(uuid_of sm/$c)" "$(uuid_of mk/$c)"; done
}
