#!/usr/bin/env bats
# Power loss at every point of every writing tool and of the pipeline (issue 17): each
# run is recorded (tests/fault/libfault.so, MC_CRASH_LOG: every fsync'd file's bytes and
# directory's entries) and every state a power loss could leave is built and checked by
# tests/helpers/crash.py, whose head states the model and the checks: no committed output
# missing bytes, nothing uncommitted that looks complete, every output durable once its
# tool exits, and mc-info --verify never crashing nor passing a damaged container.

load test_helper

setup_file() {
    "$MC_ROOT/tests/fuzz/fixture.sh" "$BATS_FILE_TMPDIR/fixture" >/dev/null 2>&1
}

setup() {
    T="$BATS_TEST_TMPDIR"
    cp -a "$BATS_FILE_TMPDIR/fixture" "$T/r"
    cd "$T/r"
}

H5="$DATA10X/3.0.0/filtered_feature_bc_matrix.h5"

# crash [--together 'JUDGE PATH...'] CMD...: CMD run in the fixture root under the
# recorder, every crash state checked.
crash() {
    local opts=()
    if [ "$1" = --together ]; then
        opts=("$1" "$2")
        shift 2
    fi
    run "$PY" "$MC_ROOT/tests/helpers/crash.py" "${opts[@]}" "$T/r" -- "$@"
    [ "$status" = 0 ] || fail "$output"
    [[ $output == *" 0 problems" ]] || fail "$output"
    echo "# $output" >&3
}

@test "crash model: an unsynced file, a rename before its fsync and an unsynced new directory are caught" {
    # the right way: bytes synced, renamed, the directory synced
    crash "$PY" -c 'import os
with open(".out.tmp-x", "w") as f: f.write("data\n"); f.flush(); os.fsync(f.fileno())
os.rename(".out.tmp-x", "out"); d = os.open(".", os.O_RDONLY); os.fsync(d)'
    # no fsync at all: the output is lost after the run
    run "$PY" "$MC_ROOT/tests/helpers/crash.py" "$T/r" -- "$PY" -c 'open("lost", "w").write("data\n")'
    assert_failure 1
    assert_line "crash after the run: lost: lost, though the run ended (never made durable)"
    # renamed before its bytes were synced: empty under a committed name
    run "$PY" "$MC_ROOT/tests/helpers/crash.py" "$T/r" -- "$PY" -c 'import os
open(".early.tmp-x", "w").write("data\n"); os.rename(".early.tmp-x", "early")
d = os.open(".", os.O_RDONLY); os.fsync(d)'
    assert_failure 1
    assert_line "crash after sync 1: early: empty (its bytes were never synced), yet committed"
    # a new directory synced, but not its parent: lost with what it holds
    run "$PY" "$MC_ROOT/tests/helpers/crash.py" "$T/r" -- "$PY" -c 'import os
os.mkdir("new"); open("new/f", "w").close(); d = os.open("new", os.O_RDONLY); os.fsync(d)'
    assert_failure 1
    assert_line "crash after the run: new: lost, though the run ended (never made durable)"
    # a view renamed into place before one of its files was synced: --verify refuses it in
    # its temporary (where the model leaves it empty), and the committed one is caught
    run "$PY" "$MC_ROOT/tests/helpers/crash.py" "$T/r" -- "$PY" -c 'import os, shutil
os.mkdir("views/.v.tmp-x")
def sync(p): f = os.open(p, os.O_RDONLY); os.fsync(f); os.close(f)
for n in sorted(os.listdir("views/good")):
    if os.path.isfile("views/good/" + n):
        shutil.copyfile("views/good/" + n, "views/.v.tmp-x/" + n)
        if n != "p.base_index.npy": sync("views/.v.tmp-x/" + n)
sync("views/.v.tmp-x"); os.rename("views/.v.tmp-x", "views/v"); sync("views")'
    assert_failure 1
    assert_line "crash after sync 7: views/v/p.base_index.npy: empty (its bytes were never synced), yet committed"
    refute_line --partial "passes, though"
    refute_line --partial "exit 2"
}

@test "crash: mc-import-hca, mc-import-cells (new directories above the output)" {
    crash mc-import-hca "$H5" new/std2
    crash mc-import-cells --totals --genes genes "$H5" cells2/pbmc
}

@test "crash: mc-delane, mc-make-genes" {
    crash mc-delane std/pbmc d/pbmc
    crash mc-make-genes --organism human delaned/pbmc/all g/genes
    crash mc-make-genes --force --organism human std/pbmc genes
}

@test "crash: mc-write-matrix, new and replacing a batch" {
    crash mc-write-matrix --genes genes delaned/pbmc/all c2/pbmc/all
    crash mc-write-matrix --force --genes genes delaned/pbmc/all cells/pbmc/all
}

@test "crash: mc-collect, mc-make-view, new and replaced" {
    crash mc-collect c3 a=cells/pbmc/all b=views/good
    crash mc-collect --force cells/pbmc
    # link views first, profiles.yaml (what make judges by) last
    crash --together 'c4/profiles.yaml c4/a/profiles.yaml c4/b/profiles.yaml' mc-collect c4 a=views/good b=views/good
    crash mc-make-view --min-umis 30 cells/pbmc views/v2
    crash mc-make-view --force --min-umis 30 cells/pbmc views/good
}

@test "crash: mc-group replacing its three outputs, mc-sum's caches, mc-write-data" {
    # other labels, so that all three outputs change; groups/ (what make judges by) renamed last
    mc-sum views/good | awk '{print $1 "\t" ($2 > 60 ? "high" : "low")}' >groups2.tsv
    crash --together 'views/good/groups/profiles.yaml views/good/outliers/profiles.yaml views/good/p.group.npy' \
        mc-group --force --groups groups2.tsv views/good
    crash mc-sum --by gene cells/pbmc/all
    mc-sum views/good | awk '{print $1 "\t" $2 * 2}' >score.tsv
    crash mc-write-data views/good p.score score.tsv
    awk '{print $1 "\t" 1}' score.tsv >ones.tsv
    crash mc-write-data --force views/good p.score ones.tsv
}

@test "crash: mc-export, every format" {
    crash mc-export views/good --h5ad out/x.h5ad
    crash mc-export views/good --10x x.h5
    crash mc-export views/good --mtx -o m/x.mtx --barcodes m/b.tsv --features m/f.tsv
    crash mc-export views/good --tsv p -o p.tsv.gz
    crash mc-export views/good --npy t.npy p.total_umis
}

@test "crash: the pipeline (pipelines/Makefile) on an HDF5 file and a 10x directory, resumed after each crash" {
    rm -rf "$T/r" && mkdir -p "$T/r/raw" && cd "$T/r"
    cp "$H5" raw/a.h5
    cp -r "$DATA10X/3.0.0/filtered_feature_bc_matrix" raw/b
    zcat raw/b/barcodes.tsv.gz | awk 'NR % 5 {print $1 "\t" (NR % 3 ? "x" : "y")}' >raw/a.groups.tsv
    # make's own writes are empty stamps (lanes.mk, genes/.checked), touched and never synced:
    # losing one only makes make redo its step.  make is rerun on model 1's states.
    run "$PY" "$MC_ROOT/tests/helpers/crash.py" --allow '(^|/)lanes\.mk$' --allow '^genes/\.checked$' --rerun \
        "$T/r" -- make -f "$MC_ROOT/pipelines/Makefile" -j1
    [ "$status" = 0 ] || fail "$output"
    [[ $output == *" 0 problems" ]] || fail "$output"
    echo "# $output" >&3
    [ -f views/a/groups/profiles.yaml ] && [ -f views/b/p.total_umis.npy ]
}
