#!/usr/bin/env bats
# SPEC 8: no tool, with or without --force, replaces a directory that is, contains or
# lies in the chain of one of its inputs, nor an output of another kind than its own.

load test_helper

V2="$BATS_TEST_DIRNAME/data/10x/1.2.0/filtered_gene_bc_matrices_h5.h5"
V3="$BATS_TEST_DIRNAME/data/10x/3.0.0/filtered_feature_bc_matrix.h5"

# Two samples of the shipped pbmc files on their union gene set, and a view of one.
two_samples() {
    mc-make-genes --organism human --union "$V2" "$V3" genes
    mc-import-cells --genes genes "$V2" cells/v2
    mc-import-cells --genes genes "$V3" cells/v3
    mc-make-view --min-umis 300 cells/v2 views/good
    find cells genes -type f | LC_ALL=C sort | xargs md5sum >before
}

# Every file of cells/ and genes/ as two_samples left it.
unchanged() {
    find cells genes -type f | LC_ALL=C sort | xargs md5sum | diff before -
}

@test "mc-make-view --force with its operands swapped refuses, and the base keeps every byte" {
    two_samples
    run mc-make-view --min-umis 300 --force views/good cells/v2
    assert_failure 1
    assert_output "mc-make-view: cells/v2: is in the chain of views/good; write elsewhere"
    run mc-make-view --min-umis 300 --force views/good cells/v2/all
    assert_failure 1
    assert_output "mc-make-view: cells/v2/all: is in the chain of views/good; write elsewhere"
    run mc-make-view --force cells/v2 cells
    assert_failure 1
    assert_output "mc-make-view: cells: contains the input cells/v2; write elsewhere"
    run mc-make-view --force views/good views
    assert_failure 1
    assert_output "mc-make-view: views: contains the input views/good; write elsewhere"
    run mc-make-view --force cells/v2/all cells/v3
    assert_failure 1
    assert_output "mc-make-view: cells/v3: is a collection, not a view: not replaced, even with --force (remove it yourself)"
    unchanged
    mc-info --verify views/good >/dev/null
    # Through a symlink, the same directory.
    ln -s cells/v2 alias
    run mc-make-view --force views/good alias
    assert_failure 1
    assert_output "mc-make-view: alias: is in the chain of views/good; write elsewhere"
    unchanged
}

@test "mc-collect --force never replaces a member batch with a link view, nor makes a cycle" {
    two_samples
    run mc-collect --force cells/v2 all=cells/v3/all
    assert_failure 1
    assert_output "mc-collect: cells/v2/all: is a batch, not a view: not replaced, even with --force (remove it yourself)"
    run mc-collect --force cells/v2 cells/v2/all good=views/good
    assert_failure 1
    assert_output "mc-collect: cells/v2: is in the chain of views/good; write elsewhere"
    mc-make-view --force cells/v2/all views/good
    mc-collect --force cells/v2 cells/v2/all good=views/good   # the chain goes on to the member, not back
    [ "$(members_of cells/v2)" = "$(printf 'all\ngood')" ]
    find cells genes -type f | LC_ALL=C sort | xargs md5sum >before
    run mc-collect --force cells/v2/all x=cells/v3
    assert_failure 1
    assert_output "mc-collect: cells/v2/all: is a batch, not a collection: not replaced, even with --force (remove it yourself)"
    mc-collect both cells/v3 views/good
    run mc-collect --force cells/v3 x=both
    assert_failure 1
    assert_output "mc-collect: cells/v3: is in the chain of both; write elsewhere"
    unchanged
}

@test "a writer never replaces an output of another kind, nor a directory holding its input" {
    two_samples
    run mc-import-cells --force "$V2" genes
    assert_failure 1
    assert_output "mc-import-cells: genes: is a gene set, not a collection: not replaced, even with --force (remove it yourself)"
    cp -r genes cells/genes
    run mc-import-cells --force --genes cells/genes "$V2" cells
    assert_failure 1
    assert_output "mc-import-cells: cells: contains the input cells/genes; write elsewhere"
    rm -r cells/genes
    mkdir notes && echo keep >notes/a
    run mc-import-cells --force --genes genes "$V2" notes
    assert_failure 1
    assert_output "mc-import-cells: notes: is a directory, not a collection: not replaced, even with --force (remove it yourself)"
    [ "$(cat notes/a)" = keep ]
    run mc-make-genes --force --organism human "$V2" cells/v2
    assert_failure 1
    assert_output "mc-make-genes: cells/v2: is a collection, not a gene set: not replaced, even with --force (remove it yourself)"
    run mc-import-hca --force "$V2" views/good
    assert_failure 1
    assert_output "mc-import-hca: views/good: is a view, not an STD directory: not replaced, even with --force (remove it yourself)"
    mkdir raw && cp "$V2" raw/v2.h5
    run mc-import-hca --force raw/v2.h5 raw
    assert_failure 1
    assert_output "mc-import-hca: raw: contains the input raw/v2.h5; write elsewhere"
    mc-import-hca raw/v2.h5 std
    run mc-delane --force std genes
    assert_failure 1
    assert_output "mc-delane: genes: is a gene set, not a lanes directory: not replaced, even with --force (remove it yourself)"
    run mc-write-matrix --force --genes genes std genes
    assert_failure 1
    assert_output "mc-write-matrix: genes: is the input genes; write elsewhere"
    run mc-export --force cells/v2 --h5ad cells/v2/all
    assert_failure 1
    assert_output "mc-export: cells/v2/all: is in the chain of cells/v2; write elsewhere"
    run mc-export --force views/good --mtx -o cells/v3
    assert_failure 1
    assert_output "mc-export: cells/v3: is a collection, not a file: not replaced, even with --force (remove it yourself)"
    unchanged
    # Its own kind is replaced, and a file to stdout or /dev/null is no replacement at all.
    mc-import-cells --force --genes genes "$V3" cells/v3
    mc-export views/good --tsv p >/dev/null
    mc-export --force views/good --mtx -o /dev/null
    unchanged
}

@test "mc-group never writes its groups over its view's base, and a hand-made cycle is named" {
    two_samples
    mc-export views/good --tsv p | awk 'NR > 1 {print $1 "\t" (NR % 3)}' >labels.tsv
    mc-group --groups labels.tsv views/good
    mc-info --verify views/good/groups >/dev/null
    # A view whose base is itself, made by hand: refused by every reader with one line.
    sed -i 's|^base_profiles: .*|base_profiles: ../../views/good|' views/good/profiles.yaml
    run mc-info views/good
    assert_failure 1
    assert_output "mc-info: $(cd views/good && pwd -P): the chain of containers refers back to itself (or is deeper than 64)"
}
