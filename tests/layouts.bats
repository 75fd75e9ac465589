#!/usr/bin/env bats
# Raw directories recognised by their files (SPEC 4): every plain/.gz mix of a 10x
# directory, without --format, by the tools and by pipelines/mc.mk; an HCA-barcoded
# Matrix Market directory giving the lanes and batch uuids of its HDF5 file; a
# relative --format NAME found among the shipped formats from anywhere.
load test_helper

V2_H5="$DATA10X/1.2.0/filtered_gene_bc_matrices_h5.h5"
V2_DIR="$DATA10X/1.2.0/filtered_gene_bc_matrices/hg19_chr21"
V3_H5="$DATA10X/3.0.0/filtered_feature_bc_matrix.h5"
V3_DIR="$DATA10X/3.0.0/filtered_feature_bc_matrix"


# The batch of an HDF5 file through the text route (mc-import-hca), genes from itself.
h5_batch() {
    mc-import-hca "$1" "$2/std"
    mc-make-genes --organism human "$2/std" "$2/genes"
    mc-write-matrix --genes "$2/genes" "$2/std" "$2/cells"
}

# DIR with the files of $1, each compressed or not as the bits of MASK say
# (1: matrix, 2: genes/features, 4: barcodes).
mix() {
    local src=$1 mask=$2 dir=$3 i=0 f
    mkdir -p "$dir"
    for f in matrix.mtx features.tsv barcodes.tsv; do
        [ $f = features.tsv ] && [ -e "$src/genes.tsv" ] && f=genes.tsv
        if [ -e "$src/$f.gz" ]; then gzip -dc "$src/$f.gz" >"$dir/$f"; else cp "$src/$f" "$dir/$f"; fi
        if [ $(((mask >> i) & 1)) = 1 ]; then gzip -n "$dir/$f"; fi
        i=$((i + 1))
    done
}

@test "every plain/.gz mix of 10x v2 and v3 directories: no --format, the HDF5 file's batch uuid and barcodes" {
    for v in v2 v3; do
        if [ $v = v2 ]; then h5=$V2_H5 src=$V2_DIR; else h5=$V3_H5 src=$V3_DIR; fi
        h5_batch "$h5" $v/h5
        want=$(uuid_of $v/h5/cells)
        [ -n "$want" ]
        for mask in 0 1 2 3 4 5 6 7; do
            d=$v/raw$mask
            mix "$src" $mask $d
            [ "$(ls $d | grep -c '\.gz$')" = "$(((mask & 1) + (mask >> 1 & 1) + (mask >> 2 & 1)))" ]
            mc-make-genes --organism human $d $d.genes
            cmp $d.genes/g.name.txt $v/h5/genes/g.name.txt
            mc-write-matrix --genes $d.genes $d $d.cells
            assert_equal "$(uuid_of $d.cells)" "$want"
            cmp $d.cells/p.barcode.txt $v/h5/cells/p.barcode.txt
            mc-delane $d $d.delaned
            assert_equal "$(cat $d.delaned/lanes.txt)" all
        done
    done
}

@test "an HCA-barcoded Matrix Market directory gives the lanes, batch uuids and collection uuid of its HDF5 file" {
    gen-hca --seed 7 --donors 2 --lanes 2 --cells 300 --genes 400 --mean-genes 40 hca.h5
    # The directory as DropletUtils' write10xCounts makes it from the same counts:
    # barcodes as in the file, scipy's Matrix Market, some files compressed.
    "$PY" - hca.h5 raw/hca <<'PY'
import gzip, os, sys, h5py, scipy.io, scipy.sparse as sp
f = h5py.File(sys.argv[1], "r")["GRCh38"]
out = sys.argv[2]
os.makedirs(out)
m = sp.csc_matrix((f["data"][:], f["indices"][:], f["indptr"][:]), shape=tuple(f["shape"][:]))
scipy.io.mmwrite(os.path.join(out, "matrix.mtx"), m.astype("int64"))
with gzip.open(os.path.join(out, "genes.tsv.gz"), "wt") as g:
    for i, n in zip(f["genes"][:], f["gene_names"][:]):
        g.write("%s\t%s\n" % (i.decode(), n.decode()))
with open(os.path.join(out, "barcodes.tsv"), "w") as b:
    for x in f["barcodes"][:]:
        b.write(x.decode() + "\n")
PY
    mc-make-genes --organism human hca.h5 genes
    mc-import-cells --genes genes hca.h5 h5cells
    mc-delane raw/hca delaned
    assert_equal "$(cat delaned/lanes.txt)" "MantonBM1_HiSeq_1
MantonBM1_HiSeq_2
MantonBM2_HiSeq_1
MantonBM2_HiSeq_2"
    assert_equal "$(sed -n 's/^- name: //p' h5cells/profiles.yaml)" "$(cat delaned/lanes.txt)"
    set --
    for l in $(cat delaned/lanes.txt); do
        mc-write-matrix --genes genes delaned/$l dircells/$l
        assert_equal "$(uuid_of dircells/$l)" "$(uuid_of h5cells/$l)"
        cmp dircells/$l/p.barcode.txt h5cells/$l/p.barcode.txt
        cmp dircells/$l/p.batch.txt h5cells/$l/p.batch.txt
        set -- "$@" "$l=dircells/$l"
    done
    mc-collect dircells "$@"
    assert_equal "$(uuid_of dircells)" "$(uuid_of h5cells)"
    # Straight to one batch as well: the same per-profile lanes as the HDF5 route.
    mc-write-matrix --genes genes raw/hca whole
    cat h5cells/*/p.lane.txt | sort >want
    sort whole/p.lane.txt | cmp - want
}

@test "a relative --format NAME is also looked for among the shipped formats, from any directory" {
    mkdir elsewhere && cd elsewhere
    mix "$V3_DIR" 7 raw
    mv raw/features.tsv.gz raw/feats.gz
    run mc-delane raw d
    assert_failure 1
    assert_output "mc-delane: raw: no format.yaml, and not a 10x (features.tsv, genes.tsv) or MOCA (gene_count.txt) directory; give --format"
    mv raw/feats.gz raw/features.tsv.gz
    for name in 10x-v3-aggr.yaml formats/10x-v3-aggr.yaml "$MC_ROOT/formats/10x-v3-aggr.yaml"; do
        mc-delane --force --format "$name" raw d
        assert_equal "$(cat d/lanes.txt)" 1
    done
    run mc-delane --format no-such.yaml raw d2
    assert_failure 1
    assert_output "mc-delane: no-such.yaml: no such format file (nor among the shipped formats)"
    # A file of that name in the current directory comes first.
    sed 's/suffix_after: "-"/prefix_before: "-"/' "$MC_ROOT/formats/10x-v3-aggr.yaml" >10x-v3-aggr.yaml
    mc-delane --force --format 10x-v3-aggr.yaml raw d
    assert_equal "$(head -1 d/lanes.txt)" "$(gzip -dc raw/barcodes.tsv.gz | head -1 | cut -d- -f1)"
}

@test "pipelines/mc.mk recognises plain, mixed and compressed 10x directories" {
    # One gene set per data root: a root of v3 samples, a root of v2 samples.
    mix "$V3_DIR" 0 v3/raw/plain
    mix "$V3_DIR" 5 v3/raw/mixed
    mix "$V2_DIR" 7 v2/raw/gz
    mix "$V2_DIR" 2 v2/raw/mixed
    for v in v3 v2; do
        run make -C $v -f "$MC_ROOT/pipelines/Makefile" -j2
        assert_success
        for s in $(ls $v/raw); do
            [ "$(cat $v/delaned/$s/lanes.txt)" = all ]
            mc-info --verify $v/views/$s
        done
        [ -n "$(uuid_of $v/cells/mixed/all)" ]
    done
    assert_equal "$(uuid_of v3/cells/plain/all)" "$(uuid_of v3/cells/mixed/all)"
    assert_equal "$(uuid_of v2/cells/gz/all)" "$(uuid_of v2/cells/mixed/all)"
    mkdir v3/raw/unknown && touch v3/raw/unknown/data.txt
    run make -C v3 -f "$MC_ROOT/pipelines/Makefile"
    assert_failure
    assert_line "mc-delane: raw/unknown: no format.yaml, and not a 10x (features.tsv, genes.tsv) or MOCA (gene_count.txt) directory; give --format"
}
