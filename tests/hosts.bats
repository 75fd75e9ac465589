#!/usr/bin/env bats
# Two "hosts" sharing one data root, as two machines on a shared filesystem or two
# containers on one volume would: each is a PID namespace of its own (its own PIDs, the
# writer PID 1 of it) with a host name of its own (a UTS namespace), and both see the same
# files.  They run the pipeline on one root at once, and the tools on the same outputs at
# once: both finish, the outputs are those of a single run, and nothing is left behind.

load test_helper

MK="$MC_ROOT/pipelines/Makefile"

# on_host NAME CMD...: CMD as PID 1 of a PID namespace of its own, on host NAME.
on_host() {
    local name=$1
    shift
    unshare --pid --fork --mount-proc --uts --map-root-user --kill-child -- \
        sh -c 'hostname "$0" && exec "$@"' "$name" "$@"
}

# The root's outputs as one make on one host makes them, in $T/want.
single_run() {
    mkdir one && cp -r raw one/
    (cd one && make -f "$MK" -j2 >/dev/null && root_uuids) >"$T/want"
}

# Wait for the background job $1 (named $2 in a failure, with its log $2.log).
finished() { wait "$1" || fail "$2 failed: $(cat "$2.log")"; }

@test "hosts: two hosts run make on one root at once, and on overlapping goals: one run's outputs, nothing left" {
    mixed_root
    single_run
    for goals in mc-all "views/v2/groups/profiles.yaml cells/chr21/profiles.yaml"; do
        rm -rf cells views genes delaned
        # shellcheck disable=SC2086
        on_host alpha make -f "$MK" -j2 >alpha.log 2>&1 &
        a=$!
        on_host beta make -f "$MK" -j2 $goals >beta.log 2>&1 &
        b=$!
        finished $a alpha
        finished $b beta
        # the recipes' lines and make's "nothing to be done", never another program's error
        run grep -hv "^mc-\|^touch '\|^    '\|^mc.mk: another make is running on this data root; waiting for it to finish$\|^make: Nothing to be done for\|^make: '.*' is up to date\.$" \
            alpha.log beta.log
        assert_output ""
        make -f "$MK" >/dev/null
        run make -f "$MK" -q
        assert_success
        root_uuids >got
        diff want got
        run leftovers
        assert_output ""
    done
}

@test "hosts: two hosts write the same outputs with --force at once, again and again: both finish, the same outputs" {
    mixed_root
    single_run
    cp -r one/genes genes
    flow='mc-make-genes --if-changed --organism human raw/v2.h5 genes &&
          mc-import-cells --force --totals --genes genes raw/v2.h5 cells/v2 &&
          mc-make-view --force --min-umis 0 cells/v2 views/v2 &&
          mc-group --force --ignore-unknown --groups raw/v2.groups.tsv views/v2'
    for i in 1 2 3 4; do
        rm -rf cells views
        on_host alpha sh -c "$flow" >alpha.log 2>&1 &
        a=$!
        on_host beta sh -c "$flow" >beta.log 2>&1 &
        b=$!
        finished $a alpha
        finished $b beta
        run leftovers
        assert_output ""
        root_uuids >got
        diff <(grep '^cells/v2[ /]\|^views/v2[ /]' want) got
        for c in cells/v2 views/v2 views/v2/groups views/v2/outliers; do
            run mc-info --verify "$c"
            assert_success
        done
    done
    diff -r one/genes genes
}

@test "hosts: a container replaced by one host waits for the output another host is writing inside it" {
    mixed_root
    single_run
    cp -r one/genes one/cells one/views .
    # alpha writes inside views/v2 and stops there: its barcodes go to a FIFO no one reads yet
    mkfifo names
    on_host alpha mc-export views/v2 --mtx -o views/v2/o.mtx --barcodes names >alpha.log 2>&1 &
    a=$!
    for i in $(seq 100); do compgen -G 'views/v2/.o.mtx.tmp-*' >/dev/null && break; sleep 0.05; done
    on_host beta mc-make-view --force --min-umis 0 cells/v2 views/v2 >beta.log 2>&1 &
    b=$!
    sleep 1
    kill -0 $b   # still waiting for alpha
    compgen -G 'views/v2/.o.mtx.tmp-*'
    cat names >/dev/null
    finished $a alpha
    finished $b beta
    # alpha's output went with the view it was written in; the new view is whole
    [ ! -e views/v2/o.mtx ]
    run mc-info --verify views/v2
    assert_success
    run leftovers
    assert_output ""
}
