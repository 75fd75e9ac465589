#!/usr/bin/env bats
# Names round trip (SPEC 7): what mc exports carries the input's barcodes, gene
# names (case kept), ids and genome; export -> import -> export gives identical
# names, lanes, genes and counts, through 10x HDF5 and 10x directories.  Every
# comparison is made by h5py/numpy on the files, against the input file.
load test_helper

V2_H5="$DATA10X/1.2.0/filtered_gene_bc_matrices_h5.h5"
V3_H5="$DATA10X/3.0.0/filtered_feature_bc_matrix.h5"

# import H5 ROOT: ROOT/genes and the collection ROOT/cells (one batch per lane).
import_h5() {
    mc-make-genes --organism human "$1" "$2/genes"
    mc-import-cells --genes "$2/genes" "$1" "$2/cells"
}


# same10x A B [genes-only]: two 10x files hold the same barcodes (in order),
# features (id, name, genome; as a set when their order may differ) and counts.
same10x() {
    py "$1" "$2" <<'PY'
import sys, h5py, numpy as np, scipy.sparse as sp
def load(path):
    f = h5py.File(path, "r")
    if "matrix" in f:
        g, ft = f["matrix"], f["matrix/features"]
        ids, names = ft["id"][:], ft["name"][:]
        genome = ft["genome"][:] if "genome" in ft else None
        keep = [t == b"Gene Expression" for t in ft["feature_type"][:]]
    else:                               # v2: one genome group
        (gname,) = list(f)
        g = f[gname]
        ids, names, genome = g["genes"][:], g["gene_names"][:], None
        genome = np.array([gname.encode()] * len(ids))
        keep = [True] * len(ids)
    m = sp.csc_matrix((g["data"][:], g["indices"][:], g["indptr"][:]), shape=tuple(g["shape"][:])).toarray()
    keep = np.array(keep)
    dec = lambda v: [x.decode() for x in v]
    feats = list(zip(dec(ids[keep]), dec(names[keep]), dec(genome[keep])))
    return dec(g["barcodes"][:]), feats, m[keep]
(ba, fa, ma), (bb, fb, mb) = load(sys.argv[1]), load(sys.argv[2])
assert ba == bb, (ba[:3], bb[:3])
assert sorted(fa) == sorted(fb), (sorted(fa)[:3], sorted(fb)[:3])
# rows in each file's own order: compare by feature id
ra = {f[0]: ma[i] for i, f in enumerate(fa)}
rb = {f[0]: mb[i] for i, f in enumerate(fb)}
assert all((ra[k] == rb[k]).all() for k in ra)
print(len(ba), len(fa), int(ma.sum()))
PY
}

@test "10x v3 and v2 HDF5: the export holds the input's barcodes, names, ids, genomes and counts; export-import-export is identical" {
    for h5 in "$V3_H5" "$V2_H5"; do
        rm -rf a b
        import_h5 "$h5" a
        assert_equal "$(members_of a/cells)" all
        mc-export a/cells --10x a.h5
        run same10x "$h5" a.h5
        assert_success
        import_h5 a.h5 b
        assert_equal "$(members_of b/cells)" all
        mc-export b/cells --10x b.h5 --force
        run same10x a.h5 b.h5
        assert_success
        cmp a/genes/g.name.txt b/genes/g.name.txt
        cmp a/genes/g.original_name.txt b/genes/g.original_name.txt
        for l in $(members_of a/cells); do cmp a/cells/$l/gp.umis.mmm b/cells/$l/gp.umis.mmm; done
        rm a.h5 b.h5
    done
    # The 3.0.0 names keep their case (some are not upper-case).
    import_h5 "$V3_H5" c
    [ "$(cat c/genes/g.original_name.txt)" != "$(tr a-z A-Z <c/genes/g.original_name.txt)" ]
}

@test "HCA barcodes: exported names are the file's barcodes, lanes survive export and re-import" {
    gen-hca --seed 5 --donors 2 --lanes 2 --cells 200 --genes 300 --mean-genes 30 hca.h5
    import_h5 hca.h5 a
    mc-export a/cells --10x a.h5
    # mc orders profiles by lane: the same barcodes, each with its own counts per gene id.
    "$PY" - hca.h5 a.h5 <<'PY'
import sys, h5py, scipy.sparse as sp
def cells(path):
    f = h5py.File(path, "r")
    g = f["matrix"] if "matrix" in f else f["GRCh38"]
    ids = [x.decode() for x in (g["features/id"] if "features" in g else g["genes"])[:]]
    m = sp.csc_matrix((g["data"][:], g["indices"][:], g["indptr"][:]), shape=tuple(g["shape"][:]))
    return {b.decode(): {ids[i]: int(v) for i, v in zip(m[:, j].indices, m[:, j].data) if v}
            for j, b in enumerate(g["barcodes"][:])}
a, b = cells(sys.argv[1]), cells(sys.argv[2])
assert len(a) == 200 and a == b
assert all(k.startswith("MantonBM") and k.count("-") == 2 for k in b)
PY
    assert_equal "$(members_of a/cells)" "MantonBM1_HiSeq_1
MantonBM1_HiSeq_2
MantonBM2_HiSeq_1
MantonBM2_HiSeq_2"
    import_h5 a.h5 b
    assert_equal "$(members_of b/cells)" "$(members_of a/cells)"
    mc-export b/cells --10x b.h5
    run same10x a.h5 b.h5
    assert_success
    assert_equal "$(mc-sum a/cells)" "$(mc-sum b/cells)"
    [ "$(mc-sum a/cells | head -1 | cut -f1)" = "$(head -1 a/cells/MantonBM1_HiSeq_1/p.name.txt)" ]
    [[ "$(head -1 a/cells/MantonBM1_HiSeq_1/p.name.txt)" == MantonBM1_HiSeq_1-*-1 ]]
}

@test "10x directory route: --mtx with .gz companions re-imports to the same names, lanes, genes and counts" {
    gen-hca --seed 6 --donors 2 --lanes 2 --cells 150 --genes 300 --mean-genes 30 hca.h5
    import_h5 hca.h5 a
    mkdir d1 d2
    mc-export a/cells --mtx -o d1/matrix.mtx.gz --barcodes d1/barcodes.tsv.gz --features d1/features.tsv.gz
    # The directory as any 10x reader sees it: the file's barcodes, names as written.
    gzip -dc d1/barcodes.tsv.gz | sort | cmp - <("$PY" -c 'import h5py; print("\n".join(sorted(b.decode() for b in h5py.File("hca.h5")["GRCh38/barcodes"])))')
    mc-delane d1 dl
    assert_equal "$(cat dl/lanes.txt)" "$(members_of a/cells)"
    mc-make-genes --organism human d1 b/genes
    cmp a/genes/g.name.txt b/genes/g.name.txt
    cmp a/genes/g.original_name.txt b/genes/g.original_name.txt
    set --
    for l in $(cat dl/lanes.txt); do
        mc-write-matrix --genes b/genes dl/$l b/cells/$l
        cmp a/cells/$l/gp.umis.mmm b/cells/$l/gp.umis.mmm
        set -- "$@" "$l=b/cells/$l"
    done
    mc-collect b/cells "$@"
    mc-export b/cells --mtx -o d2/matrix.mtx.gz --barcodes d2/barcodes.tsv.gz --features d2/features.tsv.gz
    for f in matrix.mtx barcodes.tsv features.tsv; do
        cmp <(gzip -dc d1/$f.gz) <(gzip -dc d2/$f.gz)
    done
}

@test "--10x writes each gene's genome from the input; --genome overrides; the organism when unknown" {
    import_h5 "$V2_H5" a
    mc-export a/cells --10x a.h5
    mc-export a/cells --10x b.h5 --genome GRCh38
    rm a/genes/g.genome.txt
    mc-export a/cells --10x c.h5 --genes a/genes
    run "$PY" -c 'import h5py; [print(sorted(set(x.decode() for x in h5py.File(f)["matrix/features/genome"]))) for f in ("a.h5", "b.h5", "c.h5")]'
    assert_output "['hg19_chr21']
['GRCh38']
['human']"
}
