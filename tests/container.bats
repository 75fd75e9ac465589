#!/usr/bin/env bats
# Containers resolved through views, collections and groups (common/store/container.c),
# against a chain built independently in Python (tests/helpers/build_chain.py).

load test_helper


@test "rows and names of every kind equal the independently computed ones" {
    build_chain
    for c in cells/A vp vg link coll vv vvv cells/A/groups; do
        name=$(basename "$c"); [ "$c" = cells/A ] && name=A
        run container-tool dense "d/$c"
        assert_success
        assert_output "$(cat "d/expected/$name.dense")"
        run container-tool names "d/$c"
        assert_success
        assert_output "$(cat "d/expected/$name.names")"
    done
}

@test "sparse entries of a gene-slicing view are renumbered and sorted" {
    build_chain
    run container-tool entries d/vg
    assert_success
    assert_output "0 2 2
2 0 256
2 1 70000
2 2 1"
}

@test "p.total_umis is visible through a profile slice and hidden through a gene slice" {
    build_chain
    run container-tool array d/vp p total_umis
    assert_output "303
70264"
    run container-tool array d/vg p total_umis
    assert_output absent
    run container-tool array d/link p total_umis
    assert_output "303
0
70264"
}

@test "g.total_umis is sliced through a gene slice and hidden through a profile slice" {
    build_chain
    run container-tool array d/vg g total_umis
    assert_output "256
70000
3"
    run container-tool array d/vp g total_umis
    assert_output absent
}

@test "a collection concatenates per-profile data only when every member has it" {
    build_chain
    run container-tool array d/coll p lane
    assert_output "L1
L1
L1
L2
L2"
    run container-tool array d/coll p total_umis
    assert_output absent
    run container-tool array d/vv p lane
    assert_output "L1
L2
L2"
    # A collection's p.member: each profile's member, sliced by a view like any array.
    run container-tool array d/coll p member
    assert_output "A
A
A
B
B"
    run container-tool array d/vv p member
    assert_output "A
B
B"
}

@test "base_index files are not inherited by a view of a view" {
    build_chain
    run container-tool available d/vvv p
    assert_output "barcode
base_index
lane
member"
    run container-tool available d/vv g
    assert_output "base_index"
}

@test "full gene index composes through views of views" {
    build_chain
    gu=$(head -1 d/genes/genes.yaml | cut -d' ' -f2)
    run container-tool full-genes d/vvv
    assert_output "$gu
2
4"
    run container-tool full-genes d/coll
    assert_output "$gu
identity"
}

@test "mc-info prints kind, counts, chain and data" {
    build_chain
    run mc-info d/vv
    assert_success
    assert_line "kind: view"
    assert_line "profiles: 3 cells"
    assert_line "genes: 3"
    assert_line --regexp '^    base: d/vv/../coll \(collection, 5 cells, 5 genes, uuid [0-9a-f-]{36}\)$'
    assert_line --regexp '^      member: d/vv/../coll/B \(batch, 2 cells, 5 genes'
    assert_line "  p: barcode base_index lane member"
    assert_line "  gp: umis"
    uuid=$(sed -n 's/^uuid: //p' d/vv/profiles.yaml)
    assert_line "uuid: $uuid"
}

@test "mc-info --verify passes on every hand-built container" {
    build_chain
    for c in cells/A vp vg link coll vv vvv cells/A/groups; do
        run mc-info --verify "d/$c"
        assert_success
        assert_output "d/$c: ok"
    done
}

@test "a base changed after the view was made is an error naming both uuids" {
    build_chain
    old=$(sed -n 's/^uuid: //p' d/cells/A/profiles.yaml)
    sed -i "s/^uuid: .*/uuid: 00000000-0000-0000-0000-000000000000/" d/cells/A/profiles.yaml
    run mc-info d/vp
    assert_failure 1
    assert_output "mc-info: d/vp/profiles.yaml: base_uuid $old does not match d/vp/../cells/A (00000000-0000-0000-0000-000000000000): the base changed after the view was made"
}

@test "--verify finds a changed matrix under a view and reports each problem once" {
    build_chain
    printf '\002' | dd of=d/cells/A/gp.umis.mmm bs=1 seek=57 conv=notrunc status=none   # was 1
    run mc-info --verify d/vp
    assert_failure 1
    assert_line --regexp '^mc-info: d/vp/../cells/A: uuid [0-9a-f-]{36} recorded, [0-9a-f-]{36} computed$'
    assert_equal "${#lines[@]}" 1
}

@test "--verify reports a .txt whose line count disagrees with the axis" {
    build_chain
    echo extra >> d/coll/B/p.lane.txt
    run mc-info --verify d/coll
    assert_failure 1
    assert_output "mc-info: d/coll/B/p.lane.txt: 3 lines but the container has 2"
}

@test "--verify reports a .npy whose shape disagrees with the axis" {
    build_chain
    "$PY" -c 'import numpy as np; np.save("d/cells/A/p.total_umis.npy", np.zeros(4))'
    run mc-info --verify d/cells/A
    assert_failure 1
    assert_output "mc-info: d/cells/A/p.total_umis.npy: shape (4,) but the container has 3 profiles"
}

@test "a member that changed makes its collection fail to open" {
    build_chain
    sed -i "s/^  profiles_count: 2$/  profiles_count: 3/" d/coll/profiles.yaml
    grep -q "^  profiles_count: 3$" d/coll/profiles.yaml
    run mc-info d/coll
    assert_failure 1
    assert_output "mc-info: d/coll/profiles.yaml: member 'B' has 2 profiles, not 3"
}

@test "a view index out of range is an error" {
    build_chain
    "$PY" -c 'import numpy as np; np.save("d/vp/p.base_index.npy", np.array([0, 3], dtype="<i4"))'
    run mc-info d/vp
    assert_failure 1
    assert_output "mc-info: d/vp/p.base_index.npy: entry 1: index 3 out of range (base has 3)"
}

@test "a view that is its own base is refused, not followed forever" {
    build_chain
    sed -i 's|^base_profiles: .*|base_profiles: .|; ' d/link/profiles.yaml
    uuid=$(sed -n 's/^uuid: //p' d/link/profiles.yaml)
    run mc-info d/link
    assert_failure 1
    assert_output "mc-info: $T/d/link: the chain of containers refers back to itself (or is deeper than 64)"
}

@test "not a container, and usage errors" {
    run mc-info "$T"
    assert_failure 1
    assert_output "mc-info: $T: not a container (no profiles.yaml)"
    run mc-info
    assert_usage_error "mc-info: expected one CONTAINER"
    run mc-info --progress --verify=yes x
    assert_usage_error "mc-info: --verify takes no value"
    run mc-info --help
    assert_success
    assert_output --partial "Example:"
}

@test "mc-info --verify checks the gene set, of a container or on its own" {
    mc-make-genes --organism human "$DATA10X/1.2.0/filtered_gene_bc_matrices_h5.h5" genes
    mc-import-cells "$DATA10X/1.2.0/filtered_gene_bc_matrices_h5.h5" cells
    run mc-info --verify genes
    assert_output "genes: ok"
    cp -r genes good
    head -171 good/g.name.txt >genes/g.name.txt
    run mc-info --verify cells
    assert_failure 1
    assert_output "mc-info: $T/genes/genes.yaml: genes_count 343 but g.name.txt has 171 lines"
    run mc-info --verify genes
    assert_failure 1
    assert_output "mc-info: genes/genes.yaml: genes_count 343 but g.name.txt has 171 lines"
    : >genes/g.name.txt
    run mc-info --verify cells/all
    assert_failure 1
    assert_output "mc-info: $T/genes/genes.yaml: genes_count 343 but g.name.txt has 0 lines"
    cp good/g.name.txt genes/
    head -1 good/genes.yaml >genes/genes.yaml
    run mc-info --verify cells
    assert_failure 1
    assert_output "mc-info: $T/genes/genes.yaml: missing required key 'organism'"
    cp good/genes.yaml genes/
    sed -i '2d' genes/g.ensembl.txt
    run mc-info --verify cells
    assert_failure 1
    assert_output "mc-info: $T/genes/g.ensembl.txt: 342 lines but the container has 343"
    cp good/* genes/
    # Names out of order: the uuid catches it; and a set re-recorded by hand, the order check.
    sed -i '1{h;d};2{G}' genes/g.name.txt
    run mc-info --verify genes
    assert_failure 1
    assert_output --regexp "^mc-info: genes/genes.yaml: uuid .* recorded, .* computed from g.name.txt: the gene set changed$"
    "$PY" - <<'PY'
import hashlib, uuid
u = str(uuid.UUID(bytes=hashlib.md5(open("genes/g.name.txt", "rb").read()).digest()))
y = open("genes/genes.yaml").read().split("\n")
open("genes/genes.yaml", "w").write("\n".join(["uuid: " + u] + y[1:]))
PY
    run mc-info --verify genes
    assert_failure 1
    assert_output "mc-info: genes/g.name.txt:2: '$(head -1 good/g.name.txt)' after '$(sed -n 2p good/g.name.txt)': the names must be sorted and unique"
    cp good/* genes/
    run mc-info --verify cells
    assert_output "cells: ok"
}
