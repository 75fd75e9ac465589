#!/usr/bin/env bats
# The whole flow (pipelines/mc.mk, pipelines/Snakefile) on generated HCA files and a
# 10x directory: outputs verified and recomputed independently, and make's rules
# checked for what a pipeline user relies on: no-op re-runs, exact rebuilds, -j2,
# and a killed run that resumes.

load test_helper

MK="$MC_ROOT/pipelines/Makefile"
SNAKEFILE="$MC_ROOT/pipelines/Snakefile"

# hca_sample NAME SEED CELLS: raw/NAME.h5 (2 donors x 2 lanes, 900 genes) and a
# raw/NAME.groups.tsv labelling every profile but every 7th (an outlier) by name.
hca_sample() {
    mkdir -p raw
    gen-hca --seed "$2" --donors 2 --lanes 2 --cells "$3" --genes 900 --mean-genes 60 "raw/$1.h5"
    "$PY" - "raw/$1.h5" "raw/$1.groups.tsv" <<'PY'
import sys, h5py
f = h5py.File(sys.argv[1], "r")
bcs = [b.decode() for b in f["GRCh38/barcodes"][:]]
with open(sys.argv[2], "w") as out:
    for i, b in enumerate(bcs):
        if i % 7:                           # named by the file's barcode (SPEC 7)
            out.write("%s\tcluster%d\n" % (b, (i * 5) % 3))
PY
}

# Every container under the root verifies.
verify_all() {
    local c
    for c in $(find cells views -name profiles.yaml -printf '%h\n' | sort); do
        run mc-info --verify "$c"
        assert_success
    done
}

# The member names of collection $1, in order.

# raw/NAME/: an HCA sample as an STD directory (4 lanes), read by the text route.
std_sample() {
    hca_sample "$1" "$2" "$3"
    mc-import-hca "raw/$1.h5" "raw/$1" && rm "raw/$1.h5"
}

# Outputs modified after the stamp file, sorted.
changed_since() { find std delaned genes cells views -newer "$1" -type f 2>/dev/null | grep -v '/\.checked$' | sort; }

@test "make: the whole flow on a multi-lane HCA file, every output verified and recomputed" {
    hca_sample bm 11 240
    run make -f "$MK" -j2
    assert_success
    "$PY" "$MC_ROOT/tests/helpers/pipeline_expect.py" raw/bm.h5 raw/bm.groups.tsv want
    members_of cells/bm >lanes.txt
    diff want/lanes.txt lanes.txt
    [ "$(ls -d cells/bm/*/ | wc -l)" -eq 4 ]
    # HDF5 goes straight to batches: no text on the way
    [ ! -e std ] && [ ! -e delaned ]
    verify_all
    run mc-info views/bm/groups
    assert_line "kind: groups"
    assert_line "profiles: 3 metacells"
    # profile names and totals through the collection and the view
    container-tool names views/bm >names.txt
    diff want/names.txt names.txt
    "$PY" -c 'import numpy as np; print("\n".join("%d" % v for v in np.load("views/bm/p.total_umis.npy")))' >totals.txt
    diff want/totals.txt totals.txt
    container-tool dense views/bm/groups >groups.dense
    diff want/groups.dense groups.dense
}

@test "make MIN_UMIS=N: the view keeps the profiles with at least N UMIs, its totals and groups recomputed" {
    hca_sample bm 14 240
    # the median cell's total: about half the cells are kept
    "$PY" -c 'import h5py, numpy as np; f = h5py.File("raw/bm.h5")["GRCh38"]; n = np.diff(f["indptr"][:]); t = np.bincount(np.repeat(np.arange(len(n)), n), weights=f["data"][:], minlength=len(n)); print(int(np.median(t)))' >min
    run make -f "$MK" -j2 MIN_UMIS="$(cat min)"
    assert_success
    "$PY" "$MC_ROOT/tests/helpers/pipeline_expect.py" raw/bm.h5 raw/bm.groups.tsv want "$(cat min)"
    [ "$(wc -l <want/names.txt)" -lt 240 ] && [ "$(wc -l <want/names.txt)" -ge 120 ]
    container-tool names views/bm >names.txt
    diff want/names.txt names.txt
    "$PY" -c 'import numpy as np; print("\n".join("%d" % v for v in np.load("views/bm/p.total_umis.npy")))' >totals.txt
    diff want/totals.txt totals.txt
    "$PY" -c 'import numpy as np; print("\n".join("%d" % v for v in np.load("views/bm/g.total_umis.npy")))' >gene_totals.txt
    diff want/gene_totals.txt gene_totals.txt
    container-tool dense views/bm/groups >groups.dense
    diff want/groups.dense groups.dense
    verify_all
    run make -f "$MK" -q MIN_UMIS="$(cat min)"
    assert_success
}

@test "make: a second run does nothing" {
    hca_sample bm 12 120
    make -f "$MK" -j2 >/dev/null
    touch stamp
    run make -f "$MK" -q
    assert_success
    run make -f "$MK"
    assert_success
    assert_output --partial "Nothing to be done"
    run changed_since stamp
    assert_output ""
}

@test "make: touching one input rebuilds exactly what depends on it" {
    hca_sample a 13 120
    hca_sample b 13 100
    make -f "$MK" -j2 >/dev/null
    sleep 1.1
    touch stamp
    touch raw/a.groups.tsv
    make -f "$MK" >/dev/null
    run changed_since stamp
    assert_output "$(cd views/a && find groups outliers p.group.npy -type f | sed 's|^|views/a/|' | sort)"

    sleep 1.1
    touch stamp
    touch raw/b.h5
    make -f "$MK" -j2 >/dev/null
    run changed_since stamp
    refute_output --partial "cells/a/"
    refute_output --partial "views/a/"
    refute_output --regexp "genes/g\."
    refute_output --partial "std/"
    refute_output --partial "delaned/"
    for lane in $(members_of cells/b); do assert_line "cells/b/$lane/gp.umis.mmm"; done
    assert_line "cells/b/profiles.yaml"
    assert_line "views/b/groups/gp.umis.mmm"
    run make -f "$MK" -q
    assert_success
    verify_all
}

# A bin/ of shims: the real tools, but mc-write-matrix logs its start and end
# around a pause (so two jobs overlap if they can), and for a lane whose
# hang-LANE file exists it leaves a temporary directory as a killed run would
# and hangs.
shims() {
    mkdir -p shim
    local t
    for t in "$MC_ROOT"/bin/mc-*; do
        case "$t" in *.c) ;; *) ln -sf "$t" "shim/$(basename "$t")" ;; esac
    done
    rm shim/mc-write-matrix
    cat >shim/mc-write-matrix <<SHIM
#!/bin/sh
for out; do :; done
lane=\$(basename "\$out")
echo "start \$lane" >>"$PWD/jobs.log"
if [ -e "$PWD/hang-\$lane" ]; then
    mkdir -p "\$(dirname "\$out")/.\$lane.tmp-999999" && touch "$PWD/hanging" && sleep 60
fi
sleep 1
"$MC_ROOT/bin/mc-write-matrix" "\$@"
rc=\$?
echo "end \$lane" >>"$PWD/jobs.log"
exit \$rc
SHIM
    chmod +x shim/mc-write-matrix
}

@test "make -j2 runs the lanes of a directory in parallel" {
    std_sample bm 14 120
    shims
    run make -f "$MK" -j2 MC_BIN="$PWD/shim"
    assert_success
    [ "$(grep -c '^start' jobs.log)" -eq 4 ]
    # the first two lanes both started before either ended
    run sed -n 2p jobs.log
    assert_output --regexp '^start '
    verify_all
}

@test "make: a run killed midway resumes and completes, leaving nothing partial" {
    std_sample bm 15 120
    shims
    make -f "$MK" -j1 delaned/bm/lanes.txt >/dev/null
    lane3=$(sed -n 3p delaned/bm/lanes.txt)
    touch "hang-$lane3"
    setsid make -f "$MK" -j1 MC_BIN="$PWD/shim" >make.log 2>&1 &
    pid=$!
    for i in $(seq 300); do [ -e hanging ] && break; sleep 0.1; done
    [ -e hanging ]
    kill -9 -- -"$pid"
    wait "$pid" || true
    [ ! -e "cells/bm/$lane3" ]
    [ -d "cells/bm/.$lane3.tmp-999999" ]
    run make -f "$MK" -q
    assert_failure
    run make -f "$MK" -j2
    assert_success
    run find . -name '.*.tmp-*'
    assert_output ""
    verify_all
    [ "$(ls -d cells/bm/*/ | wc -l)" -eq 4 ]
}

@test "make: a 10x v3 directory and its HDF5 file give batches with the same uuid" {
    mkdir -p raw h5/raw
    cp -r "$DATA10X/3.0.0/filtered_feature_bc_matrix" raw/pbmc
    cp "$DATA10X/3.0.0/filtered_feature_bc_matrix.h5" h5/raw/pbmc.h5
    run make -f "$MK" -j2
    assert_success
    (cd h5 && make -f "$MK" -j2 >/dev/null)
    verify_all
    [ "$(cat delaned/pbmc/lanes.txt)" = all ]
    a=$(sed -n 's/^uuid: //p' cells/pbmc/all/profiles.yaml)
    b=$(sed -n 's/^uuid: //p' h5/cells/pbmc/all/profiles.yaml)
    [ -n "$a" ] && [ "$a" = "$b" ]
    run mc-info cells/pbmc
    assert_line "profiles: 1107 cells"
}

@test "snakemake: the whole flow locally, the same uuids as make, and a re-run that does nothing" {
    hca_sample bm 16 160
    mkdir mk && cp -r raw mk/
    (cd mk && make -f "$MK" -j2 >/dev/null)
    run snakemake -s "$SNAKEFILE" --cores 2
    assert_success
    verify_all
    for c in $(cd mk && find cells views -name profiles.yaml | sort); do
        [ "$(sed -n 's/^uuid: //p' "$c")" = "$(sed -n 's/^uuid: //p' "mk/$c")" ]
    done
    run snakemake -s "$SNAKEFILE" --cores 2 -n
    assert_success
    assert_output --partial "Nothing to be done"
}

@test "snakemake: a 10x v2 directory, read in place with its format recognised" {
    mkdir -p raw
    cp -r "$DATA10X/1.2.0/filtered_gene_bc_matrices/hg19_chr21" raw/chr21
    run snakemake -s "$SNAKEFILE" --cores 2
    assert_success
    verify_all
    [ "$(cat delaned/chr21/lanes.txt)" = all ]
    run mc-info views/chr21
    assert_line "profiles: 12 cells"
    assert_line "genes: 343"
    run mc-sum --by gene cells/chr21
    assert_success
    [ "${#lines[@]}" -eq 343 ]
}

@test "make GENE_SET=union, snakemake gene_set=union: samples of different gene lists combine" {
    mkdir -p raw
    cp "$DATA10X/1.2.0/filtered_gene_bc_matrices_h5.h5" raw/v2.h5
    cp "$DATA10X/3.0.0/filtered_feature_bc_matrix.h5" raw/v3.h5
    mkdir sm && cp -r raw sm/
    run make -f "$MK" -j2
    assert_failure
    assert_output --partial "mc-make-genes: raw/v3.h5: gene 1: name 'CH507-9B2.2' differs from raw/v2.h5's 'DSCAM' (--union combines different gene lists)"
    [ ! -e genes ] && [ ! -e cells ]
    run make -f "$MK" -j2 GENE_SET=unite
    assert_failure
    assert_output --partial "GENE_SET=unite: expected same (every sample lists the same genes) or union.  Stop."
    make -f "$MK" -j2 GENE_SET=union >/dev/null
    verify_all
    run mc-info views/v2
    assert_line "genes: 576"
    (cd sm && snakemake -s "$SNAKEFILE" --cores 2 --config gene_set=union >/dev/null 2>&1)
    for c in $(find cells views -name profiles.yaml | sort); do
        [ "$(sed -n 's/^uuid: //p' "$c")" = "$(sed -n 's/^uuid: //p' "sm/$c")" ]
    done
    # Every cell's total is its input's; the genes v2 lacks are zero in its cells.
    mc-export cells/v2 --h5ad v2.h5ad
    py <<'PY'
import h5py, numpy as np, anndata
a = anndata.read_h5ad("v2.h5ad")
with h5py.File("raw/v2.h5", "r") as f:
    g = f["hg19_chr21"]
    want = np.add.reduceat(g["data"][:], g["indptr"][:-1])
    names = set(n.upper() for n in g["gene_names"][:].astype(str))
assert a.n_vars == 576 and (np.asarray(a.X.sum(axis=1)).ravel() == want).all()
lacks = [j for j, v in enumerate(a.var_names) if v.upper() not in names]
assert len(lacks) == 576 - 343 and not a.X[:, lacks].toarray().any()
PY
}

# Every container under the root verifies, whatever its name.
verify_named() {
    local c
    while IFS= read -r -d '' c; do
        run mc-info --verify "${c%/profiles.yaml}"
        assert_success
    done < <(find cells views -name profiles.yaml -print0)
}

@test "make: only the tools rename or make directories, each synced into its parent; stamps hold nothing (finding 14)" {
    mixed_root
    # LeakSanitizer (make sanitize) cannot run under a tracer
    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" run strace -f -qq -Y -y -o st.log -e trace=mkdir,mkdirat,rename,renameat,renameat2,fsync,fdatasync \
        make -f "$MK" -j2
    assert_success
    run "$PY" "$MC_ROOT/tests/helpers/synced.py" st.log "$PWD"
    assert_success
    assert_output ""
    [ -e genes/.checked ] && [ ! -s genes/.checked ]
    [ -e delaned/chr21/lanes.mk ] && [ ! -s delaned/chr21/lanes.mk ]
    verify_named
}

@test "make: a gene set re-checked the same is kept; an empty or cut lanes.mk newer than lanes.txt does no harm" {
    mixed_root
    make -f "$MK" -j2 >/dev/null
    before=$(stat -c '%i %y' genes genes/genes.yaml)
    sleep 0.01
    touch raw/v2.h5
    run make -f "$MK"
    assert_success
    assert_line --partial "mc-make-genes --if-changed"
    assert_equal "$(stat -c '%i %y' genes genes/genes.yaml)" "$before"
    refute_output --partial mc-write-matrix
    # what a power loss leaves of a lanes.mk written in place (as an older mc did), newer than lanes.txt
    for cut in '' 'LANES_chr21 += al'; do
        printf '%s' "$cut" >delaned/chr21/lanes.mk
        rm -r cells/chr21 views/chr21
        run make -f "$MK" -j2
        assert_success
        run make -f "$MK" -q
        assert_success
        verify_named
    done
}

@test "make: two runs at once on one root both succeed, the second waiting for the first; the outputs are one run's" {
    mixed_root
    mkdir one && cp -r raw one/ && (cd one && make -f "$MK" -j2 >/dev/null)
    (cd one && root_uuids) >want
    for i in 1 2 3; do
        rm -rf cells views genes delaned
        make -f "$MK" -j2 >a.log 2>&1 &
        a=$!
        make -f "$MK" -j2 >b.log 2>&1 || fail "second make failed: $(cat b.log)"
        wait $a || fail "first make failed: $(cat a.log)"
        # nothing but the recipes and make's own "Nothing to be done"
        run grep -hv "^mc-\|^touch '\|^    '\|^mc.mk: another make is running on this data root; waiting for it to finish$\|^make: Nothing to be done for 'mc-all'\.$" a.log b.log
        assert_output ""
        root_uuids >got
        diff want got
        run leftovers
        assert_output ""
    done
}

@test "make refuses up front a raw name it cannot take, naming it; the Snakefile takes it (finding 14)" {
    mkdir -p raw
    cp "$DATA10X/1.2.0/filtered_gene_bc_matrices_h5.h5" "raw/pbmc B.h5"
    run make -f "$MK"
    assert_failure 2
    cannot="which make cannot take (rename it, or run the Snakefile).  Stop."
    assert_output --regexp "^$MC_ROOT/pipelines/mc.mk:[0-9]+: \*\*\* raw/pbmc B.h5: a name with white space, "
    assert_output --partial "raw/pbmc B.h5: a name with white space, $cannot"
    [ "${#lines[@]}" = 1 ]
    mv "raw/pbmc B.h5" "raw/pbmc(1).h5"
    run make -f "$MK"
    assert_failure 2
    assert_output --partial "*** raw/pbmc(1).h5: a name with one of : # % ; = ( ) * ? [ ] \\ \$ ' \" \`, $cannot"
    mv "raw/pbmc(1).h5" "raw/pbmc B.h5"
    cp -r "$DATA10X/1.2.0/filtered_gene_bc_matrices/hg19_chr21" "raw/pbmc C"
    run make -f "$MK"
    assert_failure 2
    [ ! -e genes ] && [ ! -e cells ] && [ ! -e delaned ]
    run snakemake -s "$SNAKEFILE" --cores 2
    assert_success
    verify_named
    [ -d "cells/pbmc B/all" ] && [ -d "cells/pbmc C/all" ]
    assert_equal "$(sed -n 's/^uuid: //p' "cells/pbmc B/all/profiles.yaml")" \
        "$(sed -n 's/^uuid: //p' "cells/pbmc C/all/profiles.yaml")"
    run snakemake -s "$SNAKEFILE" --cores 2 -n
    assert_output --partial "Nothing to be done"
}

@test "snakemake on HDF5 files and a directory: a re-run does nothing, jobs run again replace their outputs (finding 14)" {
    mixed_root
    run snakemake -s "$SNAKEFILE" --cores 2
    assert_success
    root_uuids >want
    run snakemake -s "$SNAKEFILE" --cores 2 -n
    assert_success
    assert_output --partial "Nothing to be done"
    # Snakemake removes a job's declared outputs before running it: the tools must still replace the rest
    run snakemake -s "$SNAKEFILE" --cores 2 --forcerun import_cells write_matrix group
    assert_success
    root_uuids >got
    diff want got
    verify_named
    run leftovers
    assert_output ""
    run snakemake -s "$SNAKEFILE" --cores 2 -n
    assert_output --partial "Nothing to be done"
}
