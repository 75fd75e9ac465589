#!/usr/bin/env bats
# mc-export: Matrix Market, .h5ad, 10x v3 HDF5 and TSV out of every container kind,
# checked with independent Python (anndata, h5py, numpy) against hand-built
# containers (tests/helpers/build_chain.py) and the 10x test data.
load test_helper

H5V3="$DATA10X/3.0.0/filtered_feature_bc_matrix.h5"

# check_export CHECK ARGS... [-- CHECK ARGS...]: one python for every check (anndata's start-up is a second).
check_export() { "$PY" "$MC_ROOT/tests/helpers/check_export.py" "$@"; }

# A data root r/ from an HDF5 file: r/genes and the batch r/cells.
import_root() {
    mc-import-hca "$1" r/std
    mc-make-genes --organism human r/std r/genes
    mc-write-matrix --genes r/genes r/std r/cells
}


ALL_KINDS="cells/A vp vg link coll vv vvv cells/A/groups"
exp_name() { [ "$1" = cells/A ] && echo A || basename "$1"; }

# Gene names of each hand-built container: the gene set sliced by its views.
genes_of() {
    case "$1" in
    vg) echo CD3E,MS4A1,NKG7 ;;
    vv) echo ACTB,GAPDH,NKG7 ;;
    vvv) echo GAPDH,NKG7 ;;
    *) echo ACTB,CD3E,GAPDH,MS4A1,NKG7 ;;
    esac
}

@test "--mtx of every kind equals the independently computed matrix, genes x profiles, 1-based" {
    build_chain
    checks=()
    for c in $ALL_KINDS; do
        n=$(exp_name "$c")
        mc-export "d/$c" --mtx > "$n.mtx"
        checks+=(-- mtx "$n.mtx" "d/expected/$n.dense")
    done
    run check_export "${checks[@]:1}"
    assert_output ok
    run cat vg.mtx
    assert_output "%%MatrixMarket matrix coordinate integer general
3 3 4
3 1 2
1 3 256
2 3 70000
3 3 1"
}

@test "--mtx -o FILE with --barcodes and --features as 10x writes them" {
    build_chain
    run mc-export d/vv --mtx -o out/m.mtx --barcodes out/b.tsv --features out/f.tsv
    assert_success
    assert_output ""
    run check_export mtx out/m.mtx d/expected/vv.dense
    assert_output ok
    diff out/b.tsv d/expected/vv.names
    # No g.ensembl.txt in this gene set: the name stands for the id.
    run cat out/f.tsv
    assert_output "ACTB	ACTB	Gene Expression
GAPDH	GAPDH	Gene Expression
NKG7	NKG7	Gene Expression"
    # '-' is stdout.
    run mc-export d/vv --mtx -o -
    assert_output "$(cat out/m.mtx)"
}

@test "-o FILE.gz writes gzip; -o -, /dev/stdout, /dev/null and a FIFO are written directly" {
    build_chain
    mc-export d/vv --mtx -o m.mtx --barcodes b.tsv --features f.tsv
    run mc-export d/vv --mtx -o out/m.mtx.gz --barcodes out/b.tsv.gz --features out/f.tsv.gz
    assert_success
    for f in m.mtx b.tsv f.tsv; do
        [ "$(od -An -tx1 -N2 out/$f.gz)" = " 1f 8b" ]
        gzip -dc out/$f.gz | cmp - $f
    done
    mc-export d/vv --tsv p -o p.tsv.gz
    gzip -dc p.tsv.gz | cmp - <(mc-export d/vv --tsv p)
    # Already there: /dev/null is no "exists" error; nothing is left beside it.
    run mc-export d/vv --mtx -o /dev/null --barcodes /dev/null
    assert_success
    assert_output ""
    # /dev/stdout is the tool's stdout, appended to as the shell opened it.
    echo first > a.mtx
    mc-export d/vv --mtx -o /dev/stdout >> a.mtx
    cmp a.mtx <(echo first; cat m.mtx)
    # A FIFO that exists gets the bytes as they come (no temporary, no rename over it).
    mkfifo fifo
    cat fifo > from-fifo &
    mc-export d/vv --mtx -o fifo
    wait
    cmp from-fifo m.mtx
    [ -p fifo ]
    run mc-export d/vv --h5ad fifo
    assert_failure 1
    assert_output "mc-export: fifo: not a regular file; HDF5 output needs one (it is written by seeking)"
    # A regular file still needs --force.
    run mc-export d/vv --mtx -o m.mtx
    assert_failure 1
    assert_output "mc-export: m.mtx: already exists (use --force to replace it)"
    assert_only a.mtx b.tsv d f.tsv fifo from-fifo m.mtx out p.tsv.gz
}

@test "/dev/shm/ holds ordinary files: an output there is written atomically, .h5ad included, and needs --force" {
    build_chain
    mc-export d/vv --h5ad here.h5ad
    shm=$(mktemp -d /dev/shm/mc-export.XXXXXX)
    run mc-export d/vv --h5ad "$shm/x.h5ad"
    rc=$status out=$output
    run mc-export d/vv --mtx -o "$shm/m.mtx"
    run2=$status
    run mc-export d/vv --mtx -o "$shm/m.mtx"
    listing=$(ls -A "$shm")
    cp "$shm/x.h5ad" there.h5ad 2>/dev/null || true
    rm -rf "$shm"
    [ "$rc" = 0 ] || fail "$out"
    [ "$run2" = 0 ]
    assert_failure 1
    assert_output "mc-export: $shm/m.mtx: already exists (use --force to replace it)"
    [ "$listing" = "$(printf 'm.mtx\nx.h5ad')" ]
    h5diff here.h5ad there.h5ad
}

@test "--mtx of a batch imported from 10x HDF5 holds the original entries, ids and barcodes" {
    import_root "$H5V3"
    run mc-export r/cells --mtx -o m.mtx --barcodes b.tsv --features f.tsv
    assert_success
    run check_export mtx-10x m.mtx b.tsv f.tsv "$H5V3"
    assert_output ok
    [ "$(sed -n 2p m.mtx)" = "507 1107 23866" ]
}

@test "--h5ad of every kind: anndata reads X, obs and var names as computed independently" {
    build_chain
    checks=()
    for c in $ALL_KINDS; do
        n=$(exp_name "$c")
        run mc-export "d/$c" --h5ad "$n.h5ad"
        assert_success
        checks+=(-- h5ad "$n.h5ad" "d/expected/$n.dense" "d/expected/$n.names" "$(genes_of "$n")")
    done
    run check_export "${checks[@]:1}"
    assert_output ok
}

@test "--h5ad obs and var columns: every visible array, text categorical when values repeat" {
    build_chain
    "$PY" -c 'import numpy as np; np.save("d/cells/A/p.score.npy", np.array([0.5, np.nan, -2.25], dtype="<f4"))'
    mc-export d/cells/A --h5ad a.h5ad
    mc-export d/vg --h5ad vg.h5ad
    mc-export d/coll --h5ad coll.h5ad
    py <<'PY'
import anndata, numpy as np
a = anndata.read_h5ad("a.h5ad")
assert list(a.obs.columns) == ["barcode", "group", "lane", "score", "total_umis"], list(a.obs.columns)
assert list(a.obs["barcode"]) == ["AAAC-1", "AAAG-1", "AAAT-1"] and a.obs["barcode"].dtype == object
assert a.obs["group"].dtype == np.int32 and list(a.obs["group"]) == [0, -1, 0]
assert str(a.obs["lane"].dtype) == "category" and list(a.obs["lane"]) == ["L1"] * 3
assert a.obs["score"].dtype == np.float32 and np.isnan(a.obs["score"][1]) and a.obs["score"][2] == -2.25
assert a.obs["total_umis"].dtype == np.float64 and list(a.obs["total_umis"]) == [303, 0, 70264]
assert list(a.var.columns) == ["total_umis"] and list(a.var["total_umis"]) == [8, 256, 300, 70000, 3]
# A gene slice hides p.total_umis and slices g.total_umis; base_index is not exported.
v = anndata.read_h5ad("vg.h5ad")
assert "total_umis" not in v.obs.columns and "base_index" not in v.var.columns
assert list(v.var["total_umis"]) == [256, 70000, 3]
# A collection: per-profile data concatenated when every member has it, and each profile's member.
c = anndata.read_h5ad("coll.h5ad")
assert list(c.obs.columns) == ["barcode", "lane", "member"]
assert list(c.obs["member"]) == ["A", "A", "A", "B", "B"]
assert list(c.obs["lane"]) == ["L1", "L1", "L1", "L2", "L2"]
assert list(c.obs["lane"].cat.categories) == ["L1", "L2"]
print("ok")
PY
}

@test "--h5ad of a batch imported from 10x: X, gene_ids, names and obs match the original file" {
    import_root "$H5V3"
    run mc-export r/cells --h5ad x.h5ad
    assert_success
    run check_export h5ad-10x x.h5ad "$H5V3"
    assert_output ok
    # --tsv g: every gene array of the gene set, ids and the file's names and genomes included.
    mc-export r/cells --tsv g -o g.tsv
    [ "$(head -1 g.tsv)" = "name	ensembl	genome	original_name" ]
    py "$H5V3" <<'PY'
import sys, h5py
f = h5py.File(sys.argv[1], "r")["matrix/features"]
col = {k: [x.decode() for x in f[k][:]] for k in ("id", "name", "genome", "feature_type")}
want = sorted((n.upper(), i, g, n) for i, n, g, t in zip(col["id"], col["name"], col["genome"], col["feature_type"])
              if t == "Gene Expression")
rows = [tuple(l.rstrip("\n").split("\t")) for l in open("g.tsv")][1:]
assert rows == want, (rows[:3], want[:3])
PY
    run mc-export r/cells --tsv g ensembl
    assert_success
    assert_line --index 1 "$(sed -n 2p g.tsv | cut -f1,2)"
}

@test "--h5ad layout is the one anndata writes: read and rewrite with anndata, same objects and attributes" {
    import_root "$H5V3"
    mc-export r/cells --h5ad x.h5ad
    "$PY" -c 'import anndata; anndata.read_h5ad("x.h5ad").write_h5ad("y.h5ad")'
    diff <(h5dump -A -H x.h5ad | tail -n +2) <(h5dump -A -H y.h5ad | tail -n +2)
    # The encoding attributes themselves, as anndata 0.8 writes them.
    run h5dump -a /X/encoding-type -a /obs/lane/encoding-type -a /obs/lane/ordered x.h5ad
    assert_line --partial '(0): "csr_matrix"'
    assert_line --partial '(0): "categorical"'
    assert_line --partial '(0): FALSE'
}

@test "--h5ad: categories sorted; more than 127 take int16 codes; unique strings stay a string array" {
    py "$MC_ROOT/tests/helpers" <<'PY'
import sys
sys.path.insert(0, sys.argv[1])
import mcfix, numpy as np
gu = mcfix.write_genes("r/genes", ["A", "B"])
dense = np.arange(600).reshape(300, 2) % 7
mcfix.write_batch("r/cells", dense, gu, ["c%d" % i for i in range(300)])
mcfix.write_lines("r/cells/p.cluster.txt", ["k%03d" % (149 - i % 150) for i in range(300)])
PY
    run mc-export r/cells --h5ad x.h5ad
    assert_success
    py <<'PY'
import anndata, h5py, numpy as np
with h5py.File("x.h5ad", "r") as f:
    assert f["obs/cluster/codes"].dtype == np.int16, f["obs/cluster/codes"].dtype
    assert f["obs/barcode"].attrs["encoding-type"] == "string-array"
a = anndata.read_h5ad("x.h5ad")
assert list(a.obs["cluster"]) == ["k%03d" % (149 - i % 150) for i in range(300)]
assert list(a.obs["cluster"].cat.categories) == ["k%03d" % i for i in range(150)]   # sorted, as pandas
assert (a.X.toarray() == np.arange(600).reshape(300, 2) % 7).all()
print("ok")
PY
}

@test "--h5ad --dtype: float32 refuses a count it cannot hold exactly; int32 and float64 hold it" {
    py "$MC_ROOT/tests/helpers" <<'PY'
import sys
sys.path.insert(0, sys.argv[1])
import mcfix, numpy as np
gu = mcfix.write_genes("r/genes", ["A", "B"])
mcfix.write_batch("r/big", np.array([[16777217, 3]]), gu, ["x"])
PY
    run mc-export r/big --h5ad x.h5ad
    assert_failure 1
    assert_output "mc-export: r/big: a value of 16777217 does not fit X/data as float32 exactly; choose a wider --dtype"
    assert_only r
    for t in int32 float64; do
        run mc-export r/big --h5ad $t.h5ad --dtype $t
        assert_success
        "$PY" -c "import anndata, sys; a = anndata.read_h5ad('$t.h5ad'); assert str(a.X.dtype) == '$t', a.X.dtype; assert list(a.X.toarray()[0]) == [16777217, 3]"
    done
    run mc-export r/big --h5ad x.h5ad --dtype int8
    assert_usage_error "mc-export: --dtype: expected float32, float64, int32 or int64, got 'int8'"
}

@test "HDF5 exports are the same bytes every time (no timestamps)" {
    build_chain
    for f in h5ad 10x; do
        mc-export d/coll --$f a.$f
        sleep 1.1   # HDF5 timestamps have one-second resolution
        mc-export d/coll --$f b.$f
        cmp a.$f b.$f
    done
}

@test "--10x of every kind reads back with h5py as computed independently" {
    build_chain
    checks=()
    for c in $ALL_KINDS; do
        n=$(exp_name "$c")
        run mc-export "d/$c" --10x "$n.h5"
        assert_success
        checks+=(-- 10x "$n.h5" "d/expected/$n.dense" "d/expected/$n.names" "$(genes_of "$n")")
    done
    run check_export "${checks[@]:1}"
    assert_output ok
}

@test "--10x round trip: export, mc-import-hca, mc-make-genes, mc-write-matrix give the same batch" {
    import_root "$H5V3"
    run mc-export r/cells --10x out.h5
    assert_success
    mc-import-hca out.h5 back/std
    mc-make-genes --organism human back/std back/genes
    mc-write-matrix --genes back/genes back/std back/cells
    cmp r/cells/gp.umis.mmm back/cells/gp.umis.mmm
    cmp r/cells/p.barcode.txt back/cells/p.barcode.txt
    cmp r/genes/g.name.txt back/genes/g.name.txt
    cmp r/genes/g.ensembl.txt back/genes/g.ensembl.txt
    [ "$(sed -n 's/^uuid: //p' r/cells/profiles.yaml)" = "$(sed -n 's/^uuid: //p' back/cells/profiles.yaml)" ]
    # --genome names the genome; Cell Ranger's dtypes.
    mc-export r/cells --10x g.h5 --genome GRCh38
    "$PY" -c 'import h5py; f = h5py.File("g.h5"); g = f["matrix"]; assert set(g["features/genome"][:]) == {b"GRCh38"}; assert g["barcodes"].dtype.kind == "S"'
}

@test "--gzip: 10x compressed by default as Cell Ranger, .h5ad not as anndata; either on request, same data" {
    import_root "$H5V3"
    mc-export r/cells --10x z.h5
    mc-export r/cells --10x p.h5 --gzip 0
    mc-export r/cells --h5ad p.h5ad
    mc-export r/cells --h5ad z.h5ad --gzip 9
    py <<'PY'
import anndata, h5py, numpy as np
def filters(path, name):
    with h5py.File(path, "r") as f:
        d = f[name]
        return d.compression, d.compression_opts, d.shuffle
for name in ("matrix/data", "matrix/indices", "matrix/indptr"):
    assert filters("z.h5", name) == ("gzip", 4, True), filters("z.h5", name)
    assert filters("p.h5", name) == (None, None, False)
for name in ("X/data", "X/indices", "X/indptr"):
    assert filters("p.h5ad", name) == (None, None, False)
    assert filters("z.h5ad", name) == ("gzip", 9, True)
with h5py.File("z.h5", "r") as z, h5py.File("p.h5", "r") as p:
    for name in ("data", "indices", "indptr"):
        assert np.array_equal(z["matrix"][name][:], p["matrix"][name][:])
assert (anndata.read_h5ad("z.h5ad").X != anndata.read_h5ad("p.h5ad").X).nnz == 0
print("ok")
PY
    run mc-export r/cells --h5ad q.h5ad --gzip 10
    assert_usage_error "mc-export: --gzip: expected an integer from 0 to 9, got '10'"
    run mc-export r/cells --mtx --gzip 4
    assert_usage_error "mc-export: --gzip goes with --h5ad or --10x"
}

@test "a view slicing genes exports only its genes, with their names, in every format" {
    build_chain
    mc-export d/vg --mtx --features f.tsv > m.mtx
    run cut -f2 f.tsv
    assert_output "CD3E
MS4A1
NKG7"
    [ "$(sed -n 2p m.mtx)" = "3 3 4" ]
    mc-export d/vg --h5ad vg.h5ad
    "$PY" -c 'import anndata; a = anndata.read_h5ad("vg.h5ad"); assert list(a.var_names) == ["CD3E", "MS4A1", "NKG7"]; assert a.X[2].toarray().tolist() == [[256, 70000, 1]]'
    run mc-export d/vvv --tsv g
    assert_output "name
GAPDH
NKG7"
}

@test "--tsv p and g: a header, a row per profile or gene, numbers exact" {
    build_chain
    "$PY" -c 'import numpy as np; np.save("d/cells/A/p.score.npy", np.array([0.1, np.nan, 1e-05]))'
    run mc-export d/coll --tsv p
    assert_success
    assert_output "name	barcode	lane	member
AAAC-1	AAAC-1	L1	A
AAAG-1	AAAG-1	L1	A
AAAT-1	AAAT-1	L1	A
CCCA-1	CCCA-1	L2	B
CCCG-1	CCCG-1	L2	B"
    run mc-export d/cells/A --tsv p score total_umis group
    assert_output "name	score	total_umis	group
AAAC-1	0.1	303	0
AAAG-1	nan	0	-1
AAAT-1	1e-05	70264	0"
    mc-export d/cells/A --tsv p score -o s.tsv
    "$PY" -c 'import numpy as np; v = np.genfromtxt("s.tsv", skip_header=1, usecols=1); w = np.load("d/cells/A/p.score.npy"); assert np.array_equal(v, w, equal_nan=True)'
    run mc-export d/vg --tsv g total_umis
    assert_output "name	total_umis
CD3E	256
MS4A1	70000
NKG7	3"
}

@test "--tsv of an array that is not visible is an error" {
    build_chain
    run mc-export d/vg --tsv p total_umis
    assert_failure 1
    assert_output "mc-export: d/vg: p.total_umis: no such data"
    run mc-export d/cells/A --tsv p lane -o t.tsv
    assert_success
    run mc-export d/cells/A --tsv p nope -o u.tsv
    assert_failure 1
    [ ! -e u.tsv ]
}

@test "a container that does not exist: exact error, exit 1, no output" {
    run mc-export nope --h5ad x.h5ad
    assert_failure 1
    assert_output "mc-export: nope: not a container (no profiles.yaml)"
    assert_only
}

@test "an existing output is an error without --force and is replaced with it" {
    build_chain
    for mode in --h5ad --10x; do
        echo old > out
        run mc-export d/vp $mode out
        assert_failure 1
        assert_output "mc-export: out: already exists (use --force to replace it)"
        [ "$(cat out)" = old ]
        run mc-export d/vp $mode out --force
        assert_success
        [ "$(head -c 4 out | od -An -c | tr -d ' ')" = "211HDF" ]
    done
    # With --mtx, an existing companion file stops everything before anything is written.
    echo old > f.tsv
    run mc-export d/vp --mtx -o m.mtx --features f.tsv
    assert_failure 1
    assert_output "mc-export: f.tsv: already exists (use --force to replace it)"
    [ ! -e m.mtx ]
    [ "$(cat f.tsv)" = old ]
    assert_only d f.tsv out
}

@test "an unwritable output: exact error, exit 1, nothing left" {
    build_chain
    touch file
    run mc-export d/vp --h5ad file/x.h5ad
    assert_failure 1
    assert_output "mc-export: file: exists and is not a directory"
    run mc-export d/vp --mtx -o file/x.mtx
    assert_failure 1
    assert_output "mc-export: file: exists and is not a directory"
    run bash -c 'mc-export d/vp --tsv p > /dev/full'
    assert_failure 1
    assert_output "mc-export: stdout: cannot write: No space left on device"
    assert_only d file
}

@test "no gene set: the formats that need gene names say so; --genes names one" {
    build_chain
    mv d/genes g
    gu=$(sed -n 's/^uuid: //p' g/genes.yaml)
    run mc-export d/vg --h5ad x.h5ad
    assert_failure 1
    assert_output "mc-export: d/vg: no genes/ directory with uuid $gu above it; name the gene set directory (see --help)"
    run mc-export d/vg --mtx --features f.tsv -o m.mtx
    assert_failure 1
    assert_only d g
    # The matrix alone needs no gene names.
    run mc-export d/vg --mtx
    assert_success
    run mc-export d/vg --h5ad x.h5ad --genes g
    assert_success
    run check_export h5ad x.h5ad d/expected/vg.dense d/expected/vg.names CD3E,MS4A1,NKG7
    assert_output ok
}

@test "usage errors exit 2" {
    run mc-export d/x
    assert_usage_error "mc-export: choose one of --mtx, --h5ad, --10x, --tsv, --npy"
    run mc-export d/x --mtx --h5ad x.h5ad
    assert_usage_error "mc-export: choose one of --mtx, --h5ad, --10x, --tsv, --npy"
    run mc-export d/x --h5ad x.h5ad --barcodes b.tsv
    assert_usage_error "mc-export: --barcodes and --features go with --mtx"
    run mc-export d/x e/x --mtx
    assert_usage_error "mc-export: expected one CONTAINER"
    run mc-export d/x --tsv q
    assert_usage_error "mc-export: --tsv: expected p, g, gg, pp or gp, got 'q'"
    run mc-export d/x --tsv gg
    assert_usage_error "mc-export: --tsv gg takes one NAME"
    run mc-export d/x --npy x.npy p.a p.b
    assert_usage_error "mc-export: --npy takes one KIND.NAME"
    run mc-export d/x --npy x.npy pg.a
    assert_usage_error "mc-export: 'pg.a': expected KIND.NAME, KIND one of g, p, gp, gg, pp"
    run mc-export d/x --npy x.npy gp.umis
    assert_usage_error "mc-export: gp.umis is the UMI matrix: export it with --mtx, --h5ad or --10x"
    run mc-export d/x --h5ad -
    assert_usage_error "mc-export: HDF5 needs a file, not stdout"
    run mc-export d/x --10x
    assert_usage_error "mc-export: --10x needs a value"
    run mc-export d/x --10x --force
    assert_usage_error "mc-export: --10x needs a value"
    run mc-export d/x --mtx -q
    assert_usage_error "mc-export: unknown option '-q'"
    run mc-export --help
    assert_success
    assert_line --partial "Example:"
}

@test "--progress reports each pass on stderr" {
    build_chain
    run bash -c 'mc-export d/coll --progress --h5ad x.h5ad 2>&1 >/dev/null | tr "\r" "\n"'
    assert_success
    assert_line "mc-export: counting 5/5 (100%)"
    assert_line "mc-export: writing 5/5 (100%)"
}
