#!/usr/bin/env bats
# Issue 17, findings 5-8 and 10: temporaries no one else can make a tool write
# through or share, swept by lock (not by PID), removed on Ctrl-C; --force that
# never makes an output vanish; mc-group's set of outputs crash-consistent; a
# FIFO where a container file belongs refused, not waited on (doc/SPEC.md 8).

load test_helper
bats_require_minimum_version 1.5.0

SHIM="$MC_ROOT/tests/fault/libfault.so"

root() {
    "$MC_ROOT/tests/fuzz/fixture.sh" "$T/r" >/dev/null 2>&1
    cd "$T/r"
}

# Run a command as PID 1 of a PID namespace of its own (as in a container);
# killing unshare kills it too.
as_pid1() { unshare --pid --fork --kill-child --map-root-user "$@"; }

# Wait until a file matching the glob $1 exists (up to 10 s).
await() {
    local i
    for i in $(seq 200); do compgen -G "$1" >/dev/null && return 0; sleep 0.05; done
    fail "nothing matches $1"
}

@test "temporaries: a symlink planted at the writer's temporary name is never written through (finding 5)" {
    root
    echo precious >victim
    # run as PID 1, the writer's temporaries under the PID scheme were .NAME.tmp-1: plant that and its neighbours
    rm views/good/p.total_umis.npy
    for n in $(seq 1 64); do
        ln -s "$T/r/victim" "views/good/.p.total_umis.npy.tmp-$n"
        ln -s "$T/r/victim" "views/good/.p.group.npy.tmp-$n"
        ln -s "$T/r/victim" ".out.mtx.tmp-$n"
    done
    run as_pid1 mc-sum views/good
    assert_success
    run as_pid1 mc-group --force --groups groups.tsv views/good
    assert_success
    run as_pid1 mc-export views/good --mtx -o out.mtx
    assert_success
    assert_equal "$(cat victim)" precious
    mc-export views/good --mtx >want.mtx
    cmp out.mtx want.mtx
    run mc-info --verify views/good
    assert_output "views/good: ok"
    # the planted links are not temporaries: left as they were, not followed, not removed
    [ "$(find . -lname "$T/r/victim" | wc -l)" = 192 ]
    # and no temporary of ours is left beside them
    run find . -name '.*.tmp-*' -not -type l
    assert_output ""
}

@test "temporaries: two writers with the same PID never share one (finding 6)" {
    root
    mc-export views/good --mtx >a.mtx
    mc-export cells/pbmc --mtx >b.mtx
    mkfifo names
    # A, PID 1 of its namespace, opens out.mtx's temporary, then waits on the FIFO it writes names to
    as_pid1 mc-export --force views/good --mtx -o out.mtx --barcodes names 2>a.err &
    a=$!
    await '.out.mtx.tmp-*'
    # B, PID 1 of another namespace, writes the same output meanwhile
    as_pid1 mc-export --force cells/pbmc --mtx -o out.mtx
    cmp out.mtx b.mtx
    cat names >/dev/null   # A goes on
    wait $a
    # out.mtx is all A's (it committed last), not B's header with A's tail or the reverse
    cmp out.mtx a.mtx
    run find . -name '.out.mtx.*'
    assert_output ""
}

@test "temporaries: the sweep goes by lock: a dead run's leftovers go, whatever their PID; a live writer's stay (finding 7)" {
    root
    mkdir out
    # what a killed run left as PID 1 of a container, and one whose PID now runs here (ours)
    mkdir out/.all.tmp-1 out/.all.tmp-$$ out/.all.old-1
    touch out/.all.tmp-1/p.barcode.txt out/.all.tmp-host-0123456789abcdef
    # a live writer on another host (no such PID here) holds its lock
    mkdir out/.all.tmp-otherhost-fedcba9876543210
    touch out/.all.tmp-otherhost-fedcba9876543210/p.barcode.txt
    (exec 9<out/.all.tmp-otherhost-fedcba9876543210 && flock -n 9 && exec sleep 1000) &
    live=$!
    sleep 0.2
    # run as PID 1 too: .all.tmp-1 is not this run's and does not stop it
    run as_pid1 mc-write-matrix --genes genes delaned/pbmc/all out/all
    kill $live
    assert_success
    run bash -c 'ls -A out | LC_ALL=C sort'
    assert_output ".all.tmp-otherhost-fedcba9876543210
all"
    [ -e out/.all.tmp-otherhost-fedcba9876543210/p.barcode.txt ]
    run mc-info --verify out/all
    assert_output "out/all: ok"
    # a killed writer's own temporary goes at the next run, and so does a killed PID 1's
    mkfifo names
    as_pid1 mc-export views/good --mtx -o o.mtx --barcodes names &
    w=$!
    await '.o.mtx.tmp-*'
    kill -9 "$(cat /proc/$w/task/$w/children)"   # the writer itself; unshare then ends
    wait $w || true
    compgen -G '.o.mtx.tmp-*'
    # its lock goes with its last descriptor: under load that was once after `wait` returned
    for i in $(seq 100); do flock -n .o.mtx.tmp-* true && break; sleep 0.1; done
    as_pid1 mc-export views/good --mtx -o o.mtx
    run compgen -G '.o.mtx.tmp-*'
    assert_failure
}

@test "temporaries: two runs on one output, again and again: one commits, the other fails cleanly" {
    root
    for i in 1 2 3 4 5; do
        mc-write-matrix --genes genes delaned/pbmc/all o$i/all 2>e1 &
        first=$!
        s2=0 s1=0
        mc-write-matrix --genes genes delaned/pbmc/all o$i/all 2>e2 || s2=$?
        wait $first || s1=$?
        [ $((s1 + s2)) = 1 ]
        assert_equal "$(cat e1 e2)" "mc-write-matrix: o$i/all: already exists (use --force to replace it)"
        run mc-info --verify o$i/all
        assert_success
        [ "$(ls -A o$i)" = all ]
    done
}

# Start CMD... in the background with SIG's default action (bash starts
# background jobs ignoring SIGINT), as a terminal's Ctrl-C would find it.
start_with_default() {
    local sig=$1
    shift
    env --default-signal="$sig" "$@" 2>"$T/stopped.err" &
    pid=$!
}

@test "temporaries: SIGINT, SIGTERM or SIGHUP mid-run leaves nothing behind (finding 7)" {
    root
    mkfifo names
    for sig in INT TERM HUP; do
        start_with_default $sig mc-export views/good --mtx -o o.mtx --barcodes names
        await '.o.mtx.tmp-*'
        kill -s $sig $pid
        s=0
        wait $pid || s=$?
        assert_equal "$s" "$((128 + $(kill -l $sig)))"
        run compgen -G '.o.mtx*'
        assert_failure
    done
    # a directory of directories: mc-import-cells stopped while writing its lanes
    gen-hca --seed 9 --donors 2 --lanes 2 --cells 20000 --genes 3000 --mean-genes 400 a.h5
    mc-make-genes --organism human a.h5 g2
    for sig in INT TERM; do
        start_with_default $sig mc-import-cells --threads 1 --genes g2 a.h5 cells2
        await '.cells2.tmp-*/*/gp.umis.mmm'
        kill -s $sig $pid
        s=0
        wait $pid || s=$?
        assert_equal "$s" "$((128 + $(kill -l $sig)))"
        run compgen -G '.cells2*'
        assert_failure
        [ ! -e cells2 ]
    done
    # started ignoring SIGHUP (nohup), a tool keeps ignoring it
    (trap '' HUP && exec mc-export views/good --mtx -o h.mtx --barcodes names) &
    pid=$!
    await '.h.mtx.tmp-*'
    kill -s HUP $pid
    cat names >/dev/null
    wait $pid
    cmp h.mtx <(mc-export views/good --mtx)
}

# CMD... with signal SIG raised right after its write point N (faulty, test_helper).
signalled_at() {
    local sig=$1
    shift
    MC_FAULT_SIGNAL=$sig faulty "$@"
}

@test "temporaries: a signal right after any write point, the temporary's creation among them, leaves nothing behind" {
    root
    local sig=$(kill -l INT) n cmd out
    # a file; a directory of directories of files, written by threads
    for cmd in "mc-export views/good --mtx -o o.mtx" "mc-import-cells --threads 2 --genes genes $DATA10X/3.0.0/filtered_feature_bc_matrix.h5 c2"; do
        out=${cmd##* }
        $cmd
        mv "$out" "$T/want"
        for ((n = 1; ; n++)); do
            signalled_at "$sig" $n $cmd
            [ -n "$hit" ] || break
            [ "$s" = $((128 + sig)) ] || fail "$cmd, signal after '$hit': exit status $s: $(cat "$T/err")"
            leftovers . >/dev/null
            [ ${#left[@]} = 0 ] || fail "$cmd, signal after '$hit': left ${left[*]}"
            # committed before the signal, or not at all
            [ ! -e "$out" ] || { diff -r "$T/want" "$out" && rm -rf "$out"; } || fail "$cmd, signal after '$hit': $out incomplete"
        done
        [ "$s" = 0 ] && [ $n -gt 3 ] || fail "$cmd: $n points, exit status $s"
        diff -r "$T/want" "$out"
        rm -rf "$out" "$T/want"
    done
    # --force over an output, exchanged with it in one rename or (a filesystem without
    # RENAME_EXCHANGE) moved aside first: the old one or the new one stays, whole, never neither
    mc-export views/good --mtx -o "$T/want"
    local how
    for how in "" NO_EXCHANGE; do
        for ((n = 1; ; n++)); do
            echo old >o.mtx
            MC_FAULT_NO_EXCHANGE=$how signalled_at "$sig" $n mc-export --force views/good --mtx -o o.mtx
            [ -n "$hit" ] || break
            [ "$s" = $((128 + sig)) ] || fail "--force $how, signal after '$hit': exit status $s: $(cat "$T/err")"
            leftovers . >/dev/null
            [ ${#left[@]} = 0 ] || fail "--force $how, signal after '$hit': left ${left[*]}"
            local first=
            read -r first <o.mtx || true
            [ "$first" = old ] || cmp -s "$T/want" o.mtx ||
                fail "--force $how, signal after '$hit': o.mtx neither old nor new"
        done
        ((n > 3)) || fail "--force $how: only $n points"
        cmp "$T/want" o.mtx
    done
}

@test "temporaries: a signal at any write point of mc-group --force leaves its three outputs as they were, exchanged or moved aside" {
    root
    local sig=$(kill -l INT) n how
    awk 'NR > 50 {print $1 "\t" (NR % 3 ? "a" : "b")}' groups.tsv >new.tsv
    cp -a views/good views/orig
    cp -a views/good views/want
    mc-group --force --ignore-unknown --groups new.tsv views/want
    ! diff -r views/orig views/want >/dev/null
    for how in "" NO_EXCHANGE; do
        rm -rf views/good && cp -a views/orig views/good
        for ((n = 1; ; n++)); do   # (views/good is views/orig again at each run: checked)
            MC_FAULT_NO_EXCHANGE=$how signalled_at "$sig" $n mc-group --force --ignore-unknown --groups new.tsv views/good
            [ -n "$hit" ] || break
            [ "$s" = $((128 + sig)) ] || fail "$how, signal after '$hit': exit status $s: $(cat "$T/err")"
            leftovers views >/dev/null
            [ ${#left[@]} = 0 ] || fail "$how, signal after '$hit': left ${left[*]}"
            diff -r views/orig views/good >/dev/null || fail "$how, signal after '$hit': not the outputs of before"
        done
        ((n > 10)) || fail "$how: only $n points"
        diff -r views/want views/good
    done
}

@test "temporaries: --force replaces an output without a moment where it is missing (finding 8)" {
    root
    mc-make-view --min-umis 30 cells/pbmc views/v
    for i in $(seq 40); do ls views/v/profiles.yaml >/dev/null 2>&1 || echo missing >>gaps; done &
    watcher=$!
    for i in 1 2 3 4 5 6 7 8; do mc-make-view --force --min-umis $((30 + i % 2)) cells/pbmc views/v; done
    wait $watcher
    [ ! -e gaps ]
    # each replacement exchanged the new output for the old in one rename
    # LeakSanitizer (make sanitize) cannot run under a tracer
    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" run strace -f -e trace=rename,renameat,renameat2 mc-make-view --force --min-umis 30 cells/pbmc views/v
    assert_success
    assert_output --partial '"views/v", RENAME_EXCHANGE) = 0'
    refute_output --partial 'rename("views/v"'
    run ls -A views
    assert_output "good
v"
}

@test "mc-group: a crash at any point leaves all three outputs new, or groups/ (make's target) not new (finding 8)" {
    root
    # new groups: other labels, and the first 50 profiles left out (outliers)
    awk 'NR > 50 {print $1 "\t" (NR % 3 ? "a" : "b")}' groups.tsv >new.tsv
    cp -a views/good views/orig
    cp -a views/good views/want
    mc-group --force --ignore-unknown --groups new.tsv views/want
    ! diff -r views/orig/outliers views/want/outliers >/dev/null
    ! cmp -s views/orig/p.group.npy views/want/p.group.npy
    local n crashes=0
    for ((n = 1; ; n++)); do
        rm -rf views/good && cp -a views/orig views/good
        rm -f flog
        s=0
        MC_FAULT_AT=$n MC_FAULT_KILL=1 MC_FAULT_LOG="$T/r/flog" LD_PRELOAD="$SHIM" \
            ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
            mc-group --force --ignore-unknown --groups new.tsv views/good 2>err || s=$?
        grep -q "^$n " flog || break
        [ "$s" = 137 ] || fail "point $n: exit status $s, not a kill: $(cat err)"
        crashes=$((crashes + 1))
        for o in groups outliers p.group.npy; do
            [ -e views/good/$o ] || fail "point $n ($(grep "^$n " flog)): views/good/$o vanished"
        done
        if diff -r views/want/groups views/good/groups >/dev/null; then
            diff -r views/want/outliers views/good/outliers >/dev/null ||
                fail "point $n ($(grep "^$n " flog)): groups/ new, outliers/ not"
            cmp -s views/want/p.group.npy views/good/p.group.npy ||
                fail "point $n ($(grep "^$n " flog)): groups/ new, p.group.npy not"
        else
            # make and Snakemake redo the set: groups/profiles.yaml is older than the groups file
            [ views/good/groups/profiles.yaml -ot new.tsv ] || fail "point $n: groups/ neither new nor older"
        fi
        # the next run completes the set and sweeps what the crash left
        mc-group --force --ignore-unknown --groups new.tsv views/good
        diff -r views/want views/good || fail "point $n: the run after the crash differs"
        run find views -name '.*.tmp-*' -o -name '.*.old-*'
        assert_output ""
    done
    [ "$s" = 0 ]
    [ $crashes -gt 10 ]
    echo "# mc-group: $crashes crash points" >&3
}

# A copy of cells/pbmc/all as c, with FILE a FIFO (fifo) or a symlink to /dev/stdin (stdin).
planted() {
    rm -rf c && cp -r cells/pbmc/all c
    mc-sum c >/dev/null
    rm c/$1
    if [ $2 = fifo ]; then mkfifo c/$1; else ln -s /dev/stdin c/$1; fi
}

@test "a FIFO or /dev/stdin where a container file belongs is refused in one line, never waited on (finding 10)" {
    root
    for how in fifo stdin; do
        for f in profiles.yaml gp.umis.mmm p.barcode.txt p.lane.txt p.total_umis.npy; do
            planted $f $how
            run timeout 10 mc-info --verify c </dev/null
            assert_failure 1
            # --verify lists every problem: the file, and the uuid it could not compute
            assert_line --index 0 "mc-info: c/$f: not a regular file"
            refute_output --partial "$f: cannot"
        done
        for f in profiles.yaml gp.umis.mmm p.barcode.txt; do
            planted $f $how
            run timeout 10 mc-sum c </dev/null
            assert_failure 1
            assert_output "mc-sum: c/$f: not a regular file"
        done
        for f in profiles.yaml gp.umis.mmm; do
            planted $f $how
            run timeout 10 mc-info c </dev/null
            assert_failure 1
            assert_output "mc-info: c/$f: not a regular file"
        done
        # a cache that is not a file is not read, and not written either: the totals are computed, with a warning
        planted p.total_umis.npy $how
        run --separate-stderr timeout 10 mc-sum c </dev/null
        assert_success
        assert_equal "$stderr" "mc-sum: warning: totals not cached: c/p.total_umis.npy: not a regular file"
        assert_equal "$output" "$(mc-sum cells/pbmc/all)"
    done
}
