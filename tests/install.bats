#!/usr/bin/env bats
# make install (PREFIX, DESTDIR): the tools, formats/, pipelines/ and a man page per
# tool; an installed mc runs the README tour and the pipelines from outside the
# repository, with the repository's tools off PATH, and finds its shipped formats.
load test_helper
# Its tests run make install in the one repository tree (build/man): one at a time.
export BATS_NO_PARALLELIZE_WITHIN_FILE=true

# PATH without the repository's bin/ and tests/helpers/.
clean_path() { echo "$1:/usr/local/bin:/usr/bin:/bin"; }

# The file's installs (installed, test_helper).
F=$BATS_FILE_TMPDIR

@test "make install PREFIX: tools, formats, pipelines and man pages where they belong" {
    run installed
    assert_success
    cd "$F"
    for b in "$MC_ROOT"/bin/mc-*.c; do
        t=$(basename "$b" .c)
        [ -x "p/bin/$t" ]
        cmp "p/bin/$t" "$MC_ROOT/bin/$t"
        # help2man's page: the tool's name, its description and every option of --help.
        grep -q "^\.TH ${t^^} \"1\"" "p/share/man/man1/$t.1"
        [ "$(sed -n '/^\.SH NAME/{n;p}' "p/share/man/man1/$t.1")" = "$t \\- $("$MC_ROOT/scripts/man-name.sh" "$MC_ROOT/bin/$t")" ]
        "$MC_ROOT/bin/$t" --help | grep -o -- '--[a-z0-9-]*' | sort -u >"$T/options"
        sed 's/-/\\-/g' "$T/options" >"$T/escaped"
        [ "$(grep -oFf "$T/escaped" "p/share/man/man1/$t.1" | sort -u | wc -l)" = "$(wc -l <"$T/options")" ] ||
            fail "$t.1 lacks an option of $t --help"
    done
    [ "$(ls p/bin | wc -l)" = "$(ls "$MC_ROOT"/bin/mc-*.c | wc -l)" ]
    diff -r "$MC_ROOT/formats" p/share/mc/formats
    diff -r "$MC_ROOT/pipelines" p/share/mc/pipelines
    [ -x p/share/mc/pipelines/profiles/slurm/status.sh ]
    # DESTDIR stages the same tree under another root
    # (but for the prefix pkg-config's mc.pc names).
    diff -r -x mc.pc p stage/opt/mc
    [ "$(sed 's|^prefix=.*|prefix=|' p/lib/pkgconfig/mc.pc)" = "$(sed 's|^prefix=.*|prefix=|' stage/opt/mc/lib/pkgconfig/mc.pc)" ]
    grep -qx "prefix=$F/p" p/lib/pkgconfig/mc.pc
    grep -qx "prefix=/opt/mc" stage/opt/mc/lib/pkgconfig/mc.pc
}

@test "an installed mc runs the README tour from outside the repository" {
    installed >/dev/null
    ln -s "$F/p" p
    mkdir -p outside/tests/data/10x/3.0.0
    cp "$DATA10X/3.0.0/filtered_feature_bc_matrix.h5" outside/tests/data/10x/3.0.0/
    sed -n '/^export PATH=\$PWD\/bin:\$PATH$/,/^```$/p' "$MC_ROOT/README.md" | sed '1d;$d' \
        | sed "s|/tmp/mc|$T/mc|g" >tour.sh
    [ "$(grep -c '^mc-' tour.sh)" -ge 12 ]
    cd outside
    PATH=$(clean_path "$T/p/bin") run bash -eu -o pipefail "$T/tour.sh"
    assert_success
    assert_output --partial "$T/mc/views/good/groups: ok"
    PATH=$(clean_path "$T/p/bin") run command -v mc-export
    assert_output "$T/p/bin/mc-export"
    run "$PY" -c "import anndata; a = anndata.read_h5ad('$T/mc/good.h5ad'); print(a.n_vars)"
    assert_output 507
}

@test "a staged and moved install finds its formats and runs its pipelines from a data root" {
    installed >/dev/null
    cp -a "$F/stage/opt/mc" moved
    export PATH=$(clean_path "$T/moved/bin")
    mkdir -p root/raw/pbmc
    cp "$DATA10X/3.0.0/filtered_feature_bc_matrix/"* root/raw/pbmc/
    gzip -d root/raw/pbmc/features.tsv.gz
    cp "$DATA10X/3.0.0/filtered_feature_bc_matrix.h5" root/raw/pbmc5.h5
    cp -r root sroot
    cd root
    run make -f "$T/moved/share/mc/pipelines/Makefile" -j2 MIN_UMIS=1000
    assert_success
    assert_line "mc-delane --force 'raw/pbmc' 'delaned/pbmc'"
    # The directory and the HDF5 file of the same data: the same batch.
    a=$(sed -n 's/^uuid: //p' cells/pbmc/all/profiles.yaml)
    [ -n "$a" ]
    assert_equal "$a" "$(sed -n 's/^uuid: //p' cells/pbmc5/all/profiles.yaml)"
    run mc-info --verify views/pbmc
    assert_success
    # A shipped format by its name alone.
    run mc-delane --format 10x-v3-aggr.yaml raw/pbmc aggr
    assert_success
    assert_equal "$(cat aggr/lanes.txt)" 1
    cd ../sroot
    run snakemake -s "$T/moved/share/mc/pipelines/Snakefile" --cores 2 --config min_umis=1000
    assert_success
    assert_equal "$(sed -n 's/^uuid: //p' views/pbmc/profiles.yaml)" "$(sed -n 's/^uuid: //p' ../root/views/pbmc/profiles.yaml)"
}
