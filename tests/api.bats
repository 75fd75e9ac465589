#!/usr/bin/env bats
# The public interface (doc/api.md): libmc.so exports mc.h's functions and nothing else,
# a program built against an installed mc.h and libmc.so alone (pkg-config) gives
# what the tools give.
load test_helper
# make install runs in the one repository tree (build/man): one test at a time.
export BATS_NO_PARALLELIZE_WITHIN_FILE=true

@test "libmc.so exports exactly mc.h's functions, every one prefixed mc_" {
    nm -D --defined-only "$MC_ROOT/common/libmc.so" | awk '{print $3}' | LC_ALL=C sort >exported
    [ -s exported ]
    run grep -v '^mc_' exported
    assert_output ""
    # Every function mc.h declares is there, and nothing else is.
    sed -n 's/^MC_API .*[ *]\(mc_[a-z0-9_]*\)(.*/\1/p' "$MC_ROOT/common/api/mc.h" | LC_ALL=C sort >declared
    [ "$(wc -l <declared)" -ge 30 ]
    run diff declared exported
    assert_success
    # Its soname is versioned, and the tools link the static archive, not it.
    objdump -p "$MC_ROOT/common/libmc.so" | grep -q 'SONAME *libmc.so.0$'
    run bash -c "ldd '$MC_ROOT/bin/mc-sum' | grep libmc"
    assert_failure
}

# The file's installs (installed, test_helper), and doc/examples/profile-totals.c built once
# against the staged one through its pkg-config file alone.
F=$BATS_FILE_TMPDIR

# $T/stage: the staged install; $T/profile-totals: the example, linked with its libmc.so.
build_example() {
    if [ ! -x "$F/profile-totals" ]; then
        installed >/dev/null
        (export PKG_CONFIG_PATH="$F/stage/opt/mc/lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$F/stage"
         cc -std=c11 -Wall -Wextra -Werror -o "$F/profile-totals.new" "$MC_ROOT/doc/examples/profile-totals.c" \
             $(pkg-config --cflags --libs mc))
        mv "$F/profile-totals.new" "$F/profile-totals"
    fi
    ln -s "$F/stage" "$T/stage"
    ln -s "$F/profile-totals" "$T/profile-totals"
    export PKG_CONFIG_PATH="$T/stage/opt/mc/lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$T/stage"
    [ "$(pkg-config --cflags mc | xargs)" = "-I$T/stage/opt/mc/include" ]
    export LD_LIBRARY_PATH="$T/stage/opt/mc/lib"
    ldd "$T/profile-totals" | grep -q "libmc.so.0 => $T/stage/opt/mc/lib/libmc.so.0"
}

@test "make install: mc.h, libmc.so (soname link), libmc.a and mc.pc" {
    installed >/dev/null
    ln -s "$F/p" p
    cmp p/include/mc.h "$MC_ROOT/common/api/mc.h"
    cmp p/lib/libmc.a "$MC_ROOT/common/libmc-public.a"
    cmp p/lib/libmc.so.0 "$MC_ROOT/common/libmc.so.0"
    [ "$(readlink p/lib/libmc.so)" = libmc.so.0 ]
    PKG_CONFIG_PATH=p/lib/pkgconfig run pkg-config --modversion mc
    assert_output "$(sed -n 's/^#define MC_VERSION "\(.*\)"$/\1/p' "$MC_ROOT/common/api/mc.c")"
    PKG_CONFIG_PATH=p/lib/pkgconfig run bash -c 'pkg-config --cflags --libs mc | xargs'
    assert_output "-I$F/p/include -L$F/p/lib -lmc"
}

@test "the installed libmc.a: its only global names are mc.h's, so a program with a uuid_parse of its own links it" {
    installed >/dev/null
    ln -s "$F/p" p
    nm -g --defined-only p/lib/libmc.a | awk 'NF == 3 {print $3}' | LC_ALL=C sort >globals
    sed -n 's/^MC_API .*[ *]\(mc_[a-z0-9_]*\)(.*/\1/p' "$MC_ROOT/common/api/mc.h" | LC_ALL=C sort >declared
    run diff declared globals
    assert_success
    # libuuid's name, which the internal archive defines too (common/base/uuid.c): no clash.
    cp "$MC_ROOT/doc/examples/profile-totals.c" ex.c
    printf 'int uuid_parse(const char *in, unsigned char *uu);\nint uuid_parse(const char *in, unsigned char *uu) { (void)in; (void)uu; return 0; }\n' >>ex.c
    # under make sanitize the archive holds sanitized objects: their runtimes are linked in
    local san=${SAN_RT:+-fsanitize=address,undefined}
    cc -std=c11 -Wall -Wextra -Werror $san -Ip/include -o ex ex.c p/lib/libmc.a $(PKG_CONFIG_PATH=p/lib/pkgconfig pkg-config --libs-only-other --static mc) \
        $(pkg-config --libs yaml-0.1 hdf5 zlib libmd libdeflate) -lcsv -lm -lpthread
    run cc -std=c11 $san -Ip/include -o ex2 ex.c "$MC_ROOT/common/libmc.a" $(pkg-config --libs yaml-0.1 hdf5 zlib libmd libdeflate) -lcsv -lm -lpthread
    assert_failure
    assert_output --partial "multiple definition of \`uuid_parse'"
    build_chain
    mc-sum d/cells/A >sum
    run ./ex d/cells/A
    assert_success
    diff sum <(grep -v '^csr' <<<"$output")
}

@test "a program built on mc.h and libmc.so alone: every container kind's totals are mc-sum's" {
    build_example
    build_chain
    cd d
    printf 'AAAC-1\tx\nAAAT-1\tx\nCCCG-1\ty\n' | mc-group --groups - coll >/dev/null
    for c in cells/A vp vg link coll vv vvv coll/groups coll/outliers; do
        mc-sum "$c" >sum
        run san "$T/profile-totals" "$c"
        assert_success
        [ "$(grep -vc '^csr' <<<"$output")" = "$(wc -l <sum)" ]
        diff sum <(grep -v '^csr' <<<"$output")
        diff sum <(sed -n 's/^csr\t//p' <<<"$output")
    done
    # Groups: x = AAAC-1 + AAAT-1 of A, y = CCCG-1 of B (build_chain.py's matrices).
    run san "$T/profile-totals" coll/groups
    assert_output "$(printf 'x\t70567\ny\t5\ncsr\tx\t70567\ncsr\ty\t5')"
}

@test "the example's CSR of chosen genes, in the order given, equals numpy's sums" {
    build_example
    build_chain
    run san "$T/profile-totals" d/coll NKG7 ACTB
    assert_success
    # The columns NKG7 (4) and ACTB (0) of A stacked on B, summed per profile.
    assert_output --partial "$(printf 'csr\tAAAC-1\t3\ncsr\tAAAG-1\t0\ncsr\tAAAT-1\t8\ncsr\tCCCA-1\t9\ncsr\tCCCG-1\t4')"
    run san "$T/profile-totals" d/vg ACTB
    assert_failure 1
    assert_line "profile-totals: ACTB: no such gene"
}

@test "a program on libmc gets the tools' one-line errors" {
    build_example
    build_chain
    cd d
    # A changed base: the view's recorded uuid no longer holds.
    cp cells/A/profiles.yaml yaml
    sed -i "s/^uuid: .*/uuid: 00000000-0000-0000-0000-000000000000/" cells/A/profiles.yaml
    mc-sum vp 2>err || true
    grep -q 'the base changed after the view was made$' err
    run san "$T/profile-totals" vp
    assert_failure 1
    assert_output "profile-totals: open: $(sed 's/^mc-sum: //' err)"
    [ -n "$output" ] && [ "${#lines[@]}" = 1 ]
    # A corrupt matrix: the pairs of a profile cut short.
    cp yaml cells/A/profiles.yaml
    truncate -s 60 cells/A/gp.umis.mmm
    mc-sum cells/A 2>err || true
    grep -q 'gp.umis.mmm: truncated MMM file' err
    run san "$T/profile-totals" cells/A
    assert_failure 1
    assert_output "profile-totals: open: $(sed 's/^mc-sum: //' err)"
}

# --- python/mcstore over libmc.so --------------------------------------------------------

check_mcstore() { PYTHONPATH="$MC_ROOT/python" sanpy "$MC_ROOT/tests/helpers/check_mcstore.py" "$@"; }
mcpy() { PYTHONPATH="$MC_ROOT/python" sanpy - "$@"; }

# Data of every kind in the hand-built chain, written by mc-write-data: numbers, bools, text
# with repeats, empty values and integer labels, and gg, pp, gp matrices.
write_data() {
    "$PY" - <<'PY'
import numpy as np
np.save("gg.npy", np.arange(25, dtype="<f8").reshape(5, 5) / 7)
np.save("pp.npy", np.arange(9, dtype="<i8").reshape(3, 3) - 4)
np.save("gp.npy", (np.arange(15, dtype="<f4").reshape(5, 3) * 1.5))
np.save("g.npy", np.array([0.5, -1, np.nan, 3, 1e300]))
np.save("p.npy", np.array([True, False, True]))
PY
    mc-write-data d/cells/A gg.corr gg.npy
    mc-write-data d/cells/A pp.dist pp.npy
    mc-write-data d/cells/A gp.fold gp.npy
    mc-write-data d/cells/A g.score g.npy
    mc-write-data d/cells/A p.flag p.npy
    printf 'AAAC-1\t10\nAAAG-1\t2\nAAAT-1\t10\n' | mc-write-data d/cells/A p.cluster -
    printf '0\tx\n1\t\n2\tx\n' | mc-write-data d/cells/A p.label -
    printf '0\tb\n1\ta\n' | mc-write-data d/coll/B p.label -
    printf '0\tT1\n1\tT2\n2\tT3\n3\tT4\n4\tT5\n' | mc-write-data d/coll g.tag -
}

@test "mcstore reads every container kind, array and matrix as the tools export them" {
    build_chain
    write_data
    (cd d && printf 'AAAC-1\tx\nAAAT-1\tx\nCCCG-1\ty\n' | mc-group --groups - coll >/dev/null)
    cd d
    run check_mcstore cells/A vp vg link coll vv vvv cells/A/groups coll/groups coll/outliers
    assert_output ok
}

@test "mcstore's one-pass CSR: rows decoded in parts packed into place whatever the threads, the selection or the dtype" {
    # 1,300 profiles over lanes: up to 5 parts (256 rows a part at least), each packed down from its bound.
    gen-hca --seed 4 --donors 1 --lanes 3 --cells 1300 --genes 400 --mean-genes 60 --empty 9 a.h5
    mc-make-genes --organism human a.h5 genes
    mc-import-cells --genes genes a.h5 cells
    mc-export cells --mtx -o m.mtx
    run mcpy <<'PY'
import numpy as np, scipy.io, mcstore
c = mcstore.ProfilesContainer.load("cells")
want = scipy.io.mmread("m.mtx").tocsr()    # genes x profiles, as mc-export --mtx writes it
want = want.T.tocsr().astype(np.int64)
assert c.kind == "collection" and want.shape[0] == c.profiles_count >= 1300 - 9
rng = np.random.default_rng(1)
p = rng.integers(0, c.profiles_count, 2000)    # repeats, any order
g = rng.permutation(c.genes_count)[:150]
for threads in (1, 2, 3, 5, 64):
    m = c.umis(threads=threads, dtype=np.int64)
    assert m.nnz == want.nnz and (m != want).nnz == 0, threads
    assert m.indptr.dtype == np.int32 and m.has_sorted_indices and len(m.indices) == len(m.data) == m.nnz
    s = c.umis(p, g, threads=threads, dtype=np.float64)
    assert (s != want[p][:, g]).nnz == 0 and s.has_sorted_indices, threads
    assert (c.umis(p[::-1], threads=threads, dtype=np.int32) != want[p[::-1]]).nnz == 0, threads
print(want.nnz > 20000, "ok")
PY
    assert_output "True ok"
}

@test "mc_csr_fill_once: int64 indices, and profiles longer than one copy of pairs, decoded into their rows exactly" {
    # Three profiles of three counts of 16,000,000 (188,238 pairs, more than the 256 KiB of pairs a part copies
    # at once) between ordinary ones, against mc-export --mtx; int64 row pointers and indices, which umis() never asks for, through the C API itself.
    "$PY" - <<'PY'
import anndata, numpy as np, scipy.sparse as sp
rng = np.random.default_rng(3)
X = rng.integers(1, 600, (700, 300)) * (rng.random((700, 300)) < 0.1)
for p, g in ((5, 0), (5, 150), (5, 299), (400, 17), (400, 18), (400, 200), (699, 0), (699, 1), (699, 2)):
    X[p, g] = 16000000
anndata.AnnData(X=sp.csr_matrix(X.astype(np.float32)), dtype=np.float32).write_h5ad("big.h5ad")
PY
    mc-make-genes --organism mouse big.h5ad genes
    mc-import-cells --genes genes big.h5ad cells
    mc-export cells --mtx -o m.mtx
    run mcpy <<'PY'
import ctypes, numpy as np, scipy.io, scipy.sparse as sp, mcstore
from mcstore import _lib
c = mcstore.ProfilesContainer.load("cells")
want = scipy.io.mmread("m.mtx").T.tocsr().astype(np.int64)    # mc-export --mtx: genes x profiles
assert want.shape == (c.profiles_count, c.genes_count) and want.max() == 16000000
sel = _lib._Selection(None, 0, None, 0)
bound = np.empty(c.profiles_count + 1, np.int64)
_lib.call("mc_csr_bound", c._h, ctypes.byref(sel), bound.ctypes.data_as(ctypes.c_void_p))
room = np.diff(bound)
assert (room[[5, 400, 699]] == c.genes_count).all()    # the bound of a long profile: its genes, not its pairs
room[[5, 400, 699]] = 190000    # a bound beyond its pairs: the profile decoded straight into its row, from the map
wide = np.concatenate([[0], np.cumsum(room)])
ptr = lambda a: a.ctypes.data_as(ctypes.c_void_p)
for dtype, kind in ((np.int32, _lib.MC_INT32), (np.int64, _lib.MC_INT64), (np.float64, _lib.MC_FLOAT64)):
    for threads, bound in ((1, bound), (2, bound), (3, bound), (1, wide), (2, wide)):
        indptr, indices = np.empty(c.profiles_count + 1, np.int64), np.empty(bound[-1], np.int64)
        data, nnz = np.empty(bound[-1], dtype), ctypes.c_int64()
        _lib.call("mc_csr_fill_once", c._h, ctypes.byref(sel), threads, ptr(bound), _lib.MC_INT64, ptr(indptr),
                  ptr(indices), kind, ptr(data), ctypes.byref(nnz))
        m = sp.csr_matrix((data[:nnz.value], indices[:nnz.value], indptr), shape=want.shape)
        assert nnz.value == want.nnz and m.has_sorted_indices and (m != want).nnz == 0, (dtype, threads)
    assert (c.umis(dtype=dtype) != want).nnz == 0
print("ok")
PY
    assert_output ok
}

@test "mcstore reads a 10x import (ids, original names, genome) and a view of it as mc-export --h5ad" {
    mc-import-hca "$DATA10X/3.0.0/filtered_feature_bc_matrix.h5" r/std >/dev/null
    mc-make-genes --organism human r/std r/genes
    mc-write-matrix --genes r/genes r/std r/cells >/dev/null
    mc-export r/cells --tsv g -o - | awk -F'\t' 'NR > 1 && NR % 3 == 0 {print $1}' >genes
    mc-sum r/cells | awk '$2 >= 2000 {print $1}' >profiles
    mc-make-view --keep-genes genes --keep-profiles profiles r/cells r/view
    [ "$(mc-info r/view | sed -n 's/^genes: //p')" -gt 100 ]
    run check_mcstore r/cells r/view
    assert_output ok
}

@test "mcstore's Genes: the gene set's arrays as mc-export gives them, and mc's message for one it lacks" {
    mc-import-hca "$DATA10X/3.0.0/filtered_feature_bc_matrix.h5" r/std >/dev/null
    mc-make-genes --organism human r/std r/genes
    mc-write-matrix --genes r/genes r/std r/cells >/dev/null
    mc-export r/cells --tsv g -o genes.tsv
    run mcpy <<'PY'
import os, numpy as np, mcstore
g = mcstore.Genes.load("r/genes", organism="human")
files = sorted(f[2:-4] for f in os.listdir("r/genes") if f.startswith("g.") and f[-4:] in (".txt", ".npy"))
assert g.available_data() == files and "genome" in files and "ensembl" in files, (g.available_data(), files)
rows = [l.rstrip("\n").split("\t") for l in open("genes.tsv")]
for name in ("ensembl", "original_name", "genome"):
    assert g.has_array(name)
    col = [r[rows[0].index(name)] for r in rows[1:]]
    assert g.any_array(name).tolist() == col and len(col) == g.count, name
assert g.any_array("name").tolist() == g.names.tolist() == [r[0] for r in rows[1:]]
assert not g.has_array("total_umis")
for bad in ("total_umis", "../genes/g.name"):
    try:
        g.any_array(bad)
    except mcstore.Error as e:
        print(e)
try:
    mcstore.Genes.load("r/genes", organism="mouse")
except mcstore.Error as e:
    print(e)
PY
    assert_output "$(printf "r/genes: g.total_umis: no such data\nr/genes: '../genes/g.name' is not the name of a gene set's array\nr/genes: the genes of human, not of mouse")"
}

@test "mcstore's MemoryMappedMatrix: the seed's reads and writes of one MMM file, byte-exact, through libmc" {
    build_chain
    cd d
    cp cells/A/gp.umis.mmm good.mmm
    "$PY" -c "
b = bytearray(open('good.mmm', 'rb').read())
b[64] = 200   # a pair's gene delta beyond the 5 genes, in profile 2
open('bad.mmm', 'wb').write(bytes(b))"
    cp bad.mmm cells/A/gp.umis.mmm
    run mc-export cells/A --mtx
    mmm_msg=${output#mc-export: }
    cp good.mmm cells/A/gp.umis.mmm
    run mcpy "${mmm_msg//cells\/A\/gp.umis.mmm/bad.mmm}" <<'PY'
import filecmp, sys, numpy as np, mcstore
A = np.loadtxt("expected/A.dense", dtype=np.int64)    # profiles x genes, as build_chain.py wrote them
m = mcstore.MemoryMappedMatrix("good.mmm")
assert (m.profiles_count, m.genes_count) == A.shape and m.entries_count() == np.count_nonzero(A)
d = m.to_numpy_matrix()
assert d.dtype == np.float32 and d.shape == A.T.shape and (d == A.T).all()
assert (m.to_numpy_matrix(np.int64) == A.T).all()
row = np.full(5, 0.5, np.float32)
m.add_profile_data(2, m.add_profile_data(2, row))
assert (row == 0.5 + 2 * A[2]).all()
row = np.zeros(5, np.uint64)
assert (m.add_profile_data(0, row) == A[0]).all()
# Written back from its entries, then shuffled with zeros and repeats: the same bytes.
mcstore.MemoryMappedMatrix.write("same.mmm", 5, [[(g, int(v)) for g, v in enumerate(r) if v] for r in A])
mixed = [[(4, 2), (2, 100), (0, 0), (0, 1), (2, 200)], [(3, 0)], [(4, 1), (1, 256), (3, 69999), (0, 7), (3, 1)]]
mcstore.MemoryMappedMatrix.write("mixed.mmm", 5, mixed)
assert filecmp.cmp("same.mmm", "good.mmm", shallow=False) and filecmp.cmp("mixed.mmm", "good.mmm", shallow=False)
bad = mcstore.MemoryMappedMatrix("bad.mmm")
for f in (bad.entries_count, bad.to_numpy_matrix, lambda: bad.add_profile_data(2, np.zeros(5))):
    try:
        f()
        print("no error")
    except mcstore.Error as e:
        assert str(e) == sys.argv[1], (str(e), sys.argv[1])
for f in (lambda: mcstore.MemoryMappedMatrix("cells/A/profiles.yaml"),
          lambda: mcstore.MemoryMappedMatrix.write("x.mmm", 5, [[(5, 1)]]),
          lambda: m.add_profile_data(3, np.zeros(5))):
    try:
        f()
    except mcstore.Error as e:
        print(e)
print("ok")
PY
    assert_line --index 0 "cells/A/profiles.yaml: not an MMM file (bad magic)"
    assert_line --index 1 --regexp '^x\.mmm: .*gene 5'
    assert_line --index 2 "good.mmm: profile 3 out of range (it has 3)"
    assert_line --index 3 ok
    [ ! -e x.mmm ] && [ -n "$mmm_msg" ]
}

@test "mcstore writes through mc-write-data's code, and reads what it writes" {
    build_chain
    cd d
    printf '0\t1\n1\t2\n2\t3\n' | mc-write-data cells/A p.extra -
    run mcpy <<'PY'
import numpy as np, mcstore
c = mcstore.ProfilesContainer.load("vp")
c.write(np.array([1.25, -3.0]), "p", "score")
c.write(np.array(["a", "b"]), "p", "note")
c.write(np.array([[1, 2], [3, 4]], dtype=np.int32), "pp", "w")
c.write(np.arange(10, dtype=np.float32).reshape(5, 2), "gp", "fold")
for bad in ((np.zeros(3), "p", "x"), (np.zeros(2), "p", "extra"), (np.zeros(2), "p", "score"),
            (np.zeros(2), "p", "barcode")):
    try:
        c.write(*bad)
    except mcstore.Error as e:
        print(e)
print("ok")
PY
    assert_line --index 0 "p.x: shape (3,), p.NAME of vp holds 2 values"
    assert_line --index 1 "vp: p.extra is its base's; --force writes the view's own, hiding it (a base is never written)"
    assert_line --index 2 "vp/p.score.npy: p.score exists; --force replaces it"
    assert_line --index 3 "p.barcode is reserved: the import (mc-write-matrix) writes it; choose another name"
    assert_line --index 4 ok
    # mc-write-data says the same.
    run mc-write-data vp p.extra /dev/null
    assert_output "mc-write-data: vp: p.extra is its base's; --force writes the view's own, hiding it (a base is never written)"
    # The tools read what mcstore wrote ...
    run mc-export vp --tsv p score note
    assert_output "$(printf 'name\tscore\tnote\nAAAC-1\t1.25\ta\nAAAT-1\t-3\tb')"
    mc-info --verify vp
    mc-export vp --npy pp.npy pp.w
    mc-export vp --npy gp.npy gp.fold
    "$PY" -c "import numpy as np; a = np.load('pp.npy'); assert a.dtype == np.int32 and a.tolist() == [[1, 2], [3, 4]]
b = np.load('gp.npy'); assert b.dtype == np.float32 and (b == np.arange(10).reshape(5, 2)).all()"
    # ... the same bytes as mc-write-data writes from the same values ...
    printf 'AAAC-1\t1.25\nAAAT-1\t-3\n' | mc-write-data --force vp p.score -
    printf '0\ta\n1\tb\n' | mc-write-data vp p.again -
    cmp vp/p.again.txt vp/p.note.txt
    # ... and mcstore reads what the tools write.
    run mcpy <<'PY'
import mcstore
c = mcstore.ProfilesContainer.load("vp")
print(c.any_array("p", "score").tolist(), c.any_array("p", "again").tolist(), c.available_data("p"))
PY
    assert_output "[1.25, -3.0] ['a', 'b'] ['again', 'barcode', 'base_index', 'extra', 'group', 'lane', 'note', 'score', 'total_umis']"
}

@test "mcstore: a corrupt matrix, a changed base and a missing gene set raise mc's message" {
    build_chain
    cd d
    cp cells/A/profiles.yaml yaml
    sed -i "s/^uuid: .*/uuid: 00000000-0000-0000-0000-000000000000/" cells/A/profiles.yaml
    run mc-sum vp
    assert_failure 1
    base_msg=${output#mc-sum: }
    cp yaml cells/A/profiles.yaml
    mv genes elsewhere
    run mc-export vg --tsv g
    genes_msg=${output#mc-export: }
    mv elsewhere genes
    # A profile's pairs pointing past the genes: open succeeds, decoding fails.
    "$PY" - <<'PY'
import numpy as np
b = bytearray(open("cells/A/gp.umis.mmm", "rb").read())
b[64] = 200  # a pair's gene delta beyond the 5 genes (in profile 2, as the tools say)
open("bad.mmm", "wb").write(bytes(b))
PY
    cp cells/A/gp.umis.mmm good.mmm && cp bad.mmm cells/A/gp.umis.mmm
    run mc-export cells/A --mtx
    assert_failure 1
    mmm_msg=${output#mc-export: }
    cp good.mmm cells/A/gp.umis.mmm
    run mcpy "$base_msg" "$genes_msg" "$mmm_msg" <<'PY'
import os, shutil, sys, mcstore
def expect(msg, f):
    try:
        f()
    except mcstore.Error as e:
        assert str(e) == msg, (str(e), msg)
        return
    raise AssertionError("no error: " + msg)
base, genes, mmm = sys.argv[1:]
os.rename("cells/A/profiles.yaml", "keep.yaml")
with open("keep.yaml") as f, open("cells/A/profiles.yaml", "w") as g:
    lines = f.read().split("\n")
    g.write("\n".join("uuid: 00000000-0000-0000-0000-000000000000" if l.startswith("uuid:") else l for l in lines))
expect(base, lambda: mcstore.ProfilesContainer.load("vp"))
os.replace("keep.yaml", "cells/A/profiles.yaml")
os.rename("genes", "elsewhere")
c = mcstore.ProfilesContainer.load("vg")   # the gene set is looked for when names are needed
expect(genes, c.gene_names)
os.rename("elsewhere", "genes")
shutil.copy("bad.mmm", "cells/A/gp.umis.mmm")
c = mcstore.ProfilesContainer.load("cells/A")
expect(mmm, c.umis)
expect(mmm, lambda: c.profile_umis(2))
print(c.profile_umis(0))
print("ok")
PY
    assert_output "$(printf "(array([0, 2, 4], dtype=uint32), array([  1, 300,   2], dtype=uint64))\nok")"
    [ -n "$base_msg" ] && [ -n "$genes_msg" ] && [ -n "$mmm_msg" ]
}

@test "mcstore inside a Snakemake run: block: the pipeline's view read and written from Python, mc's message failing the rule" {
    mkdir -p sm/raw
    gen-hca --seed 2 --donors 1 --lanes 2 --cells 300 --genes 200 --mean-genes 30 sm/raw/s.h5
    cat >sm/Snakefile <<EOF
include: "$MC_ROOT/pipelines/Snakefile"

rule high:
    input: "views/{name}/p.total_umis.npy"
    output: "views/{name}/p.high.npy"
    run:
        import mcstore
        c = mcstore.ProfilesContainer.load(f"views/{wildcards.name}")
        c.write(c.total_umis("p") > 40, "p", "high")

rule picked:
    input: "views/{name}/p.high.npy"
    output: "{name}.picked.txt"
    run:
        import mcstore
        c = mcstore.ProfilesContainer.load(f"views/{wildcards.name}")
        x = c.umis(c.any_array("p", "high"), dtype="int64")
        with open(output[0], "w") as f:
            f.write(f"{x.shape[0]} {x.sum()}\n")
EOF
    PYTHONPATH="$MC_ROOT/python" ASAN_OPTIONS=detect_leaks=0 run san snakemake -d sm -s sm/Snakefile --cores 2 s.picked.txt
    assert_success
    cd sm
    # What the tools say: the view's totals, its cells above 40 and their UMIs.
    mc-sum views/s | awk '$2 > 40 {n++; s += $2} END {print n, s}' >want
    [ "$(cut -d' ' -f1 want)" -gt 10 ]
    diff want s.picked.txt
    diff <(mc-sum views/s | awk '{print $1 "\t" ($2 > 40 ? "True" : "False")}') \
        <(mc-export views/s --tsv p high -o - | sed 1d)
    # The view's base changed underneath (its mtime kept, so snakemake reruns only the rule, its output removed): the rule fails
    # with mc's message.
    cp -p cells/s/profiles.yaml keep.yaml
    sed -i "s/^uuid: .*/uuid: 00000000-0000-0000-0000-000000000000/" cells/s/profiles.yaml
    touch -r keep.yaml cells/s/profiles.yaml
    run mc-sum views/s
    assert_failure 1
    msg=${output#mc-sum: }
    rm s.picked.txt
    cd ..
    PYTHONPATH="$MC_ROOT/python" ASAN_OPTIONS=detect_leaks=0 run san snakemake -d sm -s sm/Snakefile --cores 2 s.picked.txt
    assert_failure
    assert_line "$msg"    # the RuleException: mc's line as it is
    assert_output --partial "in __rule_picked"
    [ -n "$msg" ] && [ ! -e sm/s.picked.txt ]
}

@test "make install: mcstore beside the tools, importable with the installed libmc.so alone" {
    build_example
    cp -a stage/opt/mc moved
    build_chain
    pkg=$(ls -d moved/lib/python3.*/dist-packages)
    [ -f "$pkg/mcstore/__init__.py" ] && [ -f "$pkg/mcstore/_lib.py" ]
    cd d
    PYTHONPATH="$T/$pkg" run sanpy -c "import mcstore, os
c = mcstore.ProfilesContainer.load('coll')
print(os.path.realpath(mcstore._lib.lib._name), mcstore.version(), c.kind, c.umis().sum(), list(c.total_umis()))"
    assert_output "$T/moved/lib/libmc.so.0 0.1 collection 70586.0 [303.0, 0.0, 70264.0, 14.0, 5.0]"
}
