#!/usr/bin/env bats
# mc-import-cells, the direct HDF5 route: the same batches and collection, byte for
# byte, as the text route (mc-import-hca, mc-delane, mc-write-matrix, mc-collect);
# the parallel chunk decoder gives the same whatever the thread count and storage,
# and every bad input is one line with nothing left behind.

load test_helper

# text_route H5 OUT [IMPORT-OPTIONS...]: OUT/genes and OUT/cells the text way.
text_route() {
    local h5=$1 out=$2 lane
    shift 2
    mc-import-hca "$@" "$h5" "$out/std"
    mc-delane "$out/std" "$out/delaned"
    mc-make-genes --organism human $(sed "s|^|$out/delaned/|" "$out/delaned/lanes.txt") "$out/genes"
    for lane in $(cat "$out/delaned/lanes.txt"); do
        mc-write-matrix --genes "$out/genes" "$out/delaned/$lane" "$out/cells/$lane"
    done
    mc-collect "$out/cells" $(sed "s|.*|&=$out/cells/&|" "$out/delaned/lanes.txt")
}

# direct_route H5 OUT [IMPORT-OPTIONS...]: OUT/genes and OUT/cells the direct way.
direct_route() {
    local h5=$1 out=$2
    shift 2
    mc-make-genes --organism human "$@" "$h5" "$out/genes"
    mc-import-cells --genes "$out/genes" "$@" "$h5" "$out/cells"
}

same_both_ways() {
    text_route "$@"
    local h5=$1
    shift 2
    direct_route "$h5" direct "$@"
    diff -r text/genes direct/genes
    diff -r text/cells direct/cells
    run mc-info --verify direct/cells
    assert_success
}

@test "a multi-lane HCA file: genes, batches and collection byte-identical to the text route" {
    gen-hca --seed 3 --donors 2 --lanes 3 --cells 900 --genes 700 --mean-genes 80 --empty 5 a.h5
    same_both_ways a.h5 text
    [ "$(ls -d direct/cells/*/ | wc -l)" -eq 6 ]
    [ ! -e direct/cells/lanes.txt ]
}

@test "lanes interleaved in the file: the same lanes, order and batches as mc-delane" {
    "$PY" - <<'PY'
import h5py, numpy as np
rng = np.random.default_rng(2)
G, P = 50, 40
lanes = ["S2_L2", "S1_L1", "S2_L1", "S1/x"]   # '/' makes a safe directory name
bcs = [b"%s-AC%03dGT-1" % (lanes[(i * 7) % 4].encode(), i) for i in range(P)]
cols = [np.sort(rng.choice(G, size=rng.integers(0, 12), replace=False)) for _ in range(P)]
with h5py.File("a.h5", "w") as f:
    g = f.create_group("GRCh38")
    g["barcodes"] = np.array(bcs)
    g["genes"] = np.array([b"ENSG%05d" % i for i in range(G)])
    g["gene_names"] = np.array([b"g%d" % (i % 45) for i in range(G)])   # duplicates, lower case
    g["shape"] = np.array([G, P], dtype=np.int32)
    g["indptr"] = np.cumsum([0] + [len(c) for c in cols])
    g.create_dataset("indices", data=np.concatenate(cols), compression="gzip", shuffle=True, chunks=(64,))
    g.create_dataset("data", data=rng.integers(1, 700, size=sum(map(len, cols))).astype("i4"), compression="gzip", chunks=(100,))
PY
    same_both_ways a.h5 text
    diff text/delaned/lanes.txt <(sed -n 's/^- name: //p' direct/cells/profiles.yaml)
}

@test "the shipped 10x v2 and v3 files, and v3 with --all-features, give the text route's batches" {
    same_both_ways "$DATA10X/1.2.0/filtered_gene_bc_matrices_h5.h5" text
    rm -rf text direct
    same_both_ways "$DATA10X/3.0.0/filtered_feature_bc_matrix.h5" text
    rm -rf text direct
    "$PY" "$MC_ROOT/tests/helpers/mkhca.py" v3-antibody a.h5
    same_both_ways a.h5 text --all-features
}

@test "the same output whatever the thread count" {
    gen-hca --seed 4 --donors 1 --lanes 2 --cells 2000 --genes 3000 --mean-genes 200 a.h5
    mc-make-genes --organism human a.h5 genes
    for t in 1 2 3 7; do mc-import-cells --threads "$t" --genes genes a.h5 "c$t"; done
    diff -r c1 c2
    diff -r c1 c3
    diff -r c1 c7
}

@test "--totals: the collection's totals cache, summed while encoding, as mc-sum writes it, whatever the thread count" {
    gen-hca --seed 5 --donors 2 --lanes 2 --cells 1500 --genes 900 --mean-genes 120 --empty 7 a.h5
    mc-make-genes --organism human a.h5 genes
    mc-import-cells --genes genes a.h5 plain
    for t in 1 3; do mc-import-cells --totals --threads "$t" --genes genes a.h5 "t$t"; done
    # the same files otherwise, and the same cache either way
    diff -r -x p.total_umis.npy -x g.total_umis.npy -x total_umis.uuid plain t1
    diff -r t1 t3
    [ ! -e plain/p.total_umis.npy ] && [ ! -e t1/L1/p.total_umis.npy ]
    # the numbers, from the file with h5py (profiles lane after lane, genes in the gene set's order)
    "$PY" "$MC_ROOT/tests/helpers/pipeline_expect.py" a.h5 /dev/null want
    "$PY" -c 'import numpy as np; print("\n".join("%d" % v for v in np.load("t1/p.total_umis.npy")))' >totals.txt
    diff want/totals.txt totals.txt
    "$PY" -c 'import numpy as np; print("\n".join("%d" % v for v in np.load("t1/g.total_umis.npy")))' >gene_totals.txt
    diff want/gene_totals.txt gene_totals.txt
    # byte for byte what mc-sum writes (the stamp names the collection's uuid and the arrays'), and used by it
    cp -r plain summed
    mc-sum summed >/dev/null
    for f in p.total_umis.npy g.total_umis.npy total_umis.uuid; do cmp summed/$f t1/$f; done
    run mc-info --verify t1
    assert_success
    touch -d 2000-01-01 t1/total_umis.uuid   # served, not recomputed: the cache is not rewritten
    mc-sum t1 >/dev/null
    [ "$(stat -c %Y t1/total_umis.uuid)" = "$(date -d 2000-01-01 +%s)" ]
}

# layouts KIND: the same matrix stored every way the decoder must handle.
@test "every storage of indices and data: deflate, shuffle, none, contiguous, fletcher32, unwritten chunks, float, 2-byte ints" {
    "$PY" - <<'PY'
import h5py, numpy as np
rng = np.random.default_rng(5)
G, P = 500, 300
cols = [np.sort(rng.choice(G, size=rng.integers(0, 60), replace=False)) for _ in range(P)]
indptr = np.cumsum([0] + [len(c) for c in cols])
indices = np.concatenate(cols).astype(np.int64)
data = rng.integers(1, 400, size=len(indices))
variants = {
    "deflate_shuffle": dict(compression="gzip", shuffle=True, chunks=(1000,)),
    "deflate": dict(compression="gzip", chunks=(777,)),
    "shuffle_only": dict(shuffle=True, chunks=(512,)),
    "chunked_plain": dict(chunks=(300,)),
    "contiguous": dict(),
    "fletcher32": dict(compression="gzip", fletcher32=True, chunks=(1000,)),
}
for name, kw in variants.items():
    for dtype in ("i4", "f4", "u2", "i8"):
        with h5py.File(f"{name}_{dtype}.h5", "w") as f:
            g = f.create_group("GRCh38")
            g["barcodes"] = np.array([b"AAAC%04d-1" % i for i in range(P)])
            g["genes"] = np.array([b"ENSG%05d" % i for i in range(G)])
            g["gene_names"] = np.array([b"G%d" % i for i in range(G)])
            g["shape"] = np.array([G, P], dtype=np.int32)
            g["indptr"] = indptr
            g.create_dataset("indices", data=indices, **kw)
            g.create_dataset("data", data=data.astype(dtype), **kw)
# chunks never written: a dataset created larger, then only partly filled, is not
# possible for data that must end at indptr[-1]; instead leave trailing chunks of a
# zero-valued tail unwritten by writing only the non-zero part.
with h5py.File("unwritten.h5", "w") as f:
    g = f.create_group("GRCh38")
    n = len(indices)
    g["barcodes"] = np.array([b"AAAC%04d-1" % i for i in range(P + 1)])
    g["genes"] = np.array([b"ENSG%05d" % i for i in range(G)])
    g["gene_names"] = np.array([b"G%d" % i for i in range(G)])
    g["shape"] = np.array([G, P + 1], dtype=np.int32)
    g["indptr"] = np.concatenate([indptr, [n + 4000]])
    d = g.create_dataset("indices", shape=(n + 4000,), dtype="i8", chunks=(1000,), compression="gzip", fillvalue=0)
    d[:n] = indices
    v = g.create_dataset("data", shape=(n + 4000,), dtype="i4", chunks=(1000,), compression="gzip", fillvalue=0)
    v[:n] = data
PY
    mc-make-genes --organism human deflate_shuffle_i4.h5 genes
    mc-import-cells --genes genes deflate_shuffle_i4.h5 want
    for f in *_*.h5; do
        rm -rf got
        mc-import-cells --threads 2 --genes genes "$f" got
        diff -r want got || { echo "differs: $f"; false; }
    done
    # the unwritten tail (fill value 0 in gene 0) lands in one extra, empty profile
    mc-import-cells --genes genes unwritten.h5 tail
    run container-tool dense tail/all
    assert_success
    [ "$(container-tool dense want/all | md5sum)" = "$(container-tool dense tail/all | head -n 300 | md5sum)" ]
    [ "$(container-tool dense tail/all | sed -n 301p | tr -d ' 0\t')" = "" ]
}

@test "mc-make-genes reads HDF5 genes; an HDF5 file and an STD that disagree name the first difference" {
    gen-hca --seed 6 --donors 1 --lanes 1 --cells 50 --genes 40 --mean-genes 10 a.h5
    gen-hca --seed 6 --donors 1 --lanes 1 --cells 50 --genes 41 --mean-genes 10 b.h5
    mc-import-hca b.h5 b
    run mc-make-genes --organism human a.h5 b genes
    assert_failure 1
    assert_output "mc-make-genes: b/genes.csv:2: gene 1: ensembl id 'ENSG00000001174' differs from a.h5's 'ENSG00000001131' (--union combines different gene lists)"
    [ ! -e genes ]
}

@test "a corrupt compressed chunk: one line naming file, dataset and chunk; nothing left" {
    gen-hca --seed 7 --donors 1 --lanes 2 --cells 400 --genes 2000 --mean-genes 100 a.h5
    mc-make-genes --organism human a.h5 genes
    corrupt_chunk a.h5 GRCh38/data 1
    for t in 1 2; do
        run mc-import-cells --threads $t --genes genes a.h5 cells
        assert_failure 1
        assert_output "mc-import-cells: a.h5: /GRCh38/data: chunk 1: corrupt compressed data"
        [ ! -e cells ]
        run ls -A
        refute_output --partial ".cells.tmp"
    done
    run mc-import-hca a.h5 std
    assert_failure 1
    assert_output "mc-import-hca: a.h5: /GRCh38/data: chunk 1: corrupt compressed data"
}

@test "bad inputs: a gene the set lacks, a count beyond 2^24, an existing output, usage" {
    "$PY" "$MC_ROOT/tests/helpers/mkhca.py" lanes a.h5
    "$PY" "$MC_ROOT/tests/helpers/mkhca.py" plain b.h5
    mc-make-genes --organism human b.h5 genes
    "$PY" - <<'PY'
import h5py
with h5py.File("b.h5", "r+") as f:
    f["matrix/data" if "matrix" in f else "GRCh38/data"][3] = 1 << 25
PY
    run mc-import-cells --genes genes b.h5 cells
    assert_failure 1
    assert_output --regexp "^mc-import-cells: b.h5: /GRCh38/data: value 33554432 of profile [0-9]+ is not a plausible count \(more than 16777216\)$"
    [ ! -e cells ]
    mkdir other && "$PY" - <<'PY'
import h5py
with h5py.File("a.h5", "r+") as f:
    g = f["GRCh38"]
    names = g["gene_names"][:]
    names[2] = b"NOTG"
    del g["gene_names"]
    g["gene_names"] = names
PY
    run mc-import-cells --genes genes a.h5 cells
    assert_failure 1
    assert_output "mc-import-cells: a.h5: gene 3 'NOTG' is not in the gene set genes"
    mc-make-genes --organism human a.h5 genes2
    mc-import-cells --genes genes2 a.h5 cells
    run mc-import-cells --genes genes2 a.h5 cells
    assert_failure 1
    assert_output "mc-import-cells: cells: already exists (use --force to replace it)"
    mc-import-cells --force --genes genes2 a.h5 cells
    run mc-import-cells --organism mouse --force --genes genes2 a.h5 cells
    assert_failure 1
    assert_output "mc-import-cells: genes2: the gene set is of organism 'human', not 'mouse'"
    run mc-import-cells --threads 0 a.h5 cells
    assert_usage_error "mc-import-cells: --threads: expected an integer from 1 to 256, got '0'"
    run mc-import-cells a.h5
    assert_usage_error "mc-import-cells: expected H5 and CELLS, got 1 arguments"
    run mc-import-cells --help
    assert_success
    assert_output --partial "mc-import-cells --genes genes raw/bone_marrow.h5 cells/bone_marrow"
}

@test "negative counts in shuffled 1-, 2- and 4-byte data are found, whatever the width" {
    for dtype in i1 i2 i4; do
        "$PY" - "$dtype" <<'PY'
import sys, h5py, numpy as np
dtype = sys.argv[1]
G, P = 20, 30
rng = np.random.default_rng(8)
cols = [np.sort(rng.choice(G, size=5, replace=False)) for _ in range(P)]
data = rng.integers(1, 100, size=5 * P)
data[77] = -3
with h5py.File("neg.h5", "w") as f:
    g = f.create_group("GRCh38")
    g["barcodes"] = np.array([b"AAAC%04d-1" % i for i in range(P)])
    g["genes"] = np.array([b"ENSG%05d" % i for i in range(G)])
    g["shape"] = np.array([G, P], dtype=np.int32)
    g["indptr"] = np.arange(P + 1) * 5
    g.create_dataset("indices", data=np.concatenate(cols), compression="gzip", shuffle=True, chunks=(40,))
    g.create_dataset("data", data=data.astype(dtype), compression="gzip", shuffle=True, chunks=(40,))
PY
        mc-make-genes --force --organism human neg.h5 genes
        run mc-import-cells --genes genes neg.h5 cells
        assert_failure 1
        assert_output "mc-import-cells: neg.h5: /GRCh38/data: entry 77: negative value -3"
    done
}

@test "mc-import-cells killed midway leaves no cells; the next run completes and sweeps its leftovers" {
    gen-hca --seed 9 --donors 2 --lanes 2 --cells 20000 --genes 3000 --mean-genes 400 a.h5
    mc-make-genes --organism human a.h5 genes
    mc-import-cells --threads 1 --genes genes a.h5 want
    mc-import-cells --threads 1 --genes genes a.h5 cells &
    pid=$!
    for i in $(seq 200); do compgen -G ".cells.tmp-*/*/gp.umis.mmm" >/dev/null && break; sleep 0.02; done
    kill -9 "$pid"
    wait "$pid" || true
    [ ! -e cells ]
    compgen -G ".cells.tmp-*" >/dev/null   # what the killed run left
    mc-import-cells --genes genes a.h5 cells
    run compgen -G ".cells.tmp-*"
    assert_failure
    diff -r want cells
}

@test "600 lanes under ulimit -n 64: the same cells as without the limit; a failure leaves nothing" {
    gen-hca --seed 11 --donors 2 --lanes 300 --cells 2400 --genes 300 --mean-genes 20 --empty 3 a.h5
    mc-make-genes --organism human a.h5 genes
    mc-import-cells --totals --genes genes a.h5 want
    [ "$(ls -d want/*/ | wc -l)" -eq 600 ]
    run bash -c 'ulimit -n 64 && exec mc-import-cells --totals --genes genes a.h5 cells'
    assert_success
    diff -r want cells
    "$PY" - <<'PY'
import h5py
with h5py.File("a.h5", "r+") as f:
    f["GRCh38/data"][-1] = 1 << 25   # the last profile, once every lane's writer exists
PY
    run bash -c 'ulimit -n 64 && exec mc-import-cells --genes genes a.h5 bad'
    assert_failure 1
    assert_output "mc-import-cells: a.h5: /GRCh38/data: value 33554432 of profile 2400 is not a plausible count"\
" (more than 16777216)"
    [ ! -e bad ]
    run compgen -G ".bad.tmp-*"
    assert_failure
}

@test "implausible counts in several profiles of a block: the first is named, whatever the threads" {
    gen-hca --seed 12 --donors 1 --lanes 2 --cells 1500 --genes 300 --mean-genes 20 a.h5
    mc-make-genes --organism human a.h5 genes
    "$PY" - <<'PY'
import h5py
with h5py.File("a.h5", "r+") as f:
    indptr = f["GRCh38/indptr"][:]
    for p in (1400, 700, 40, 5):   # 1-based profiles, each in a block's runs of its own
        f["GRCh38/data"][indptr[p - 1]] = (1 << 25) + p
PY
    for t in 1 2 4 8 8 8; do
        run mc-import-cells --threads $t --genes genes a.h5 cells
        assert_failure 1
        assert_output "mc-import-cells: a.h5: /GRCh38/data: value 33554437 of profile 5 is not a plausible count (more than 16777216)"
    done
    [ ! -e cells ]
}

@test "union: the v2 and v3 pbmc files, of different gene lists, combine on a union gene set" {
    v2="$DATA10X/1.2.0/filtered_gene_bc_matrices_h5.h5" v3="$DATA10X/3.0.0/filtered_feature_bc_matrix.h5"
    run mc-make-genes --organism human "$v2" "$v3" genes
    assert_failure 1
    assert_output "mc-make-genes: $v3: gene 1: name 'CH507-9B2.2' differs from $v2's 'DSCAM' (--union combines different gene lists)"
    assert_only
    mc-make-genes --organism human --union "$v2" "$v3" genes
    mc-import-cells --genes genes "$v2" cells/v2
    mc-import-cells --genes genes "$v3" cells/v3
    mc-collect both cells/v2 cells/v3
    mc-export both --h5ad both.h5ad
    py "$v2" "$v3" <<'PY'
import sys, h5py, numpy as np, anndata
def read(path):
    """Per-cell {canonical gene name: count} of a 10x file, read with h5py alone."""
    with h5py.File(path, "r") as f:
        g = f["matrix"] if "matrix" in f else f[list(f)[0]]
        names = (g["features/name"] if "features" in g else g["gene_names"])[:].astype(str)
        data, ind, ptr = g["data"][:], g["indices"][:], g["indptr"][:]
        cells = [b.decode() for b in g["barcodes"][:]]
    canon = [n.upper() for n in names]
    assert len(set(canon)) == len(canon)   # no -1 suffixes to reproduce
    return canon, [dict(zip((canon[i] for i in ind[ptr[c]:ptr[c + 1]]), data[ptr[c]:ptr[c + 1]])) for c in range(len(cells))]
(n2, c2), (n3, c3) = read(sys.argv[1]), read(sys.argv[2])
want = sorted(set(n2) | set(n3), key=lambda s: s.encode())
assert len(want) < len(n2) + len(n3) and len(want) > max(len(n2), len(n3))
assert [l.rstrip("\n") for l in open("genes/g.name.txt")] == want
a = anndata.read_h5ad("both.h5ad")
assert [v.upper() for v in a.var_names] == want and a.n_obs == len(c2) + len(c3)
x = a.X.toarray()
for row, counts in zip(x, c2 + c3):
    assert all(row[j] == counts.get(g, 0) for j, g in enumerate(want))
lacks = [j for j, g in enumerate(want) if g not in set(n2)]
assert lacks and not x[:len(c2), lacks].any() and x[len(c2):, lacks].any()
PY
}

@test "h5-inflate, the import's floor in make bench: every chunk of indptr, indices and data inflated, 1 or 3 threads" {
    gen-hca --seed 5 --donors 2 --lanes 2 --cells 3000 --genes 2000 --mean-genes 300 a.h5
    run "$PY" - <<'PY'
import h5py
chunks = stored = plain = 0
with h5py.File("a.h5", "r") as f:
    for k in ("indptr", "indices", "data"):
        d = f["GRCh38/" + k]
        assert d.compression == "gzip", k
        n = -(-d.shape[0] // d.chunks[0])
        chunks += n
        plain += n * d.chunks[0] * d.dtype.itemsize
        stored += sum(d.id.get_chunk_info(i).size for i in range(n))
print(chunks, stored, plain)
PY
    want=$output
    for threads in 1 3; do
        run h5-inflate $threads a.h5
        assert_success
        [ "${output% *}" = "$want" ]
    done
    "$PY" -c 'import h5py; f = h5py.File("a.h5", "r+"); f["GRCh38/data"].id.write_direct_chunk((0,), b"not deflate")'
    run h5-inflate 2 a.h5
    assert_failure 1
    assert_output "h5-inflate: a.h5: a chunk could not be inflated"
}
