#!/usr/bin/env bats
# Snakemake workflows submitted to a real single-node SLURM cluster through
# pipelines/profiles/slurm. The cluster (munged, slurmctld, slurmd) lives in
# the file's temporary directory, started by tests/helpers/slurm-up.sh once
# for the file and stopped by slurm-down.sh whatever happens.

bats_require_minimum_version 1.5.0
load test_helper

PROFILE="$MC_ROOT/pipelines/profiles/slurm"
STATUS="$PROFILE/status.sh"

# A live process, not a zombie: PID 1 in a container may never reap the
# daemons, which outlive slurm-up.sh.
running() {
    local state
    state="$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" && [ "$state" != Z ]
}

setup_file() {
    export SLURM_DIR="$BATS_FILE_TMPDIR/slurm"
    local line
    line="$(slurm-up.sh "$SLURM_DIR")"
    [ "$line" = "SLURM_CONF=$SLURM_DIR/etc/slurm.conf" ]
    export "${line?}"
    SLURM_PIDS="$(cat "$SLURM_DIR"/run/{munged,slurmctld,slurmd}.pid | xargs)"
    export SLURM_PIDS
}

teardown_file() {
    slurm-down.sh "$SLURM_DIR"
    local pid
    # A daemon may still be exiting when slurm-down returns (seen under make sanitize's load).
    for pid in $SLURM_PIDS; do
        for _ in $(seq 100); do running "$pid" || break; sleep 0.1; done
        ! running "$pid" || { echo "daemon $pid still running: $(cat "/proc/$pid/comm" 2>/dev/null)" >&2; return 1; }
    done
}

teardown() {
    [ -z "${BYSTANDER:-}" ] || kill "$BYSTANDER" 2>/dev/null || true
    [ ! -d "$T/c" ] || slurm-down.sh "$T/c"
}

# Snakemake 7 polls cluster job states every 10 s, every 1 s when CI=true.
smk() { CI=true snakemake "$@"; }

# "SMKJOB EXTERNALID" for each job Snakemake submitted, from its log in $output.
submitted() {
    sed -n "s/^Submitted job \([0-9]*\) with external jobid '\([^']*\)'\.$/\1 \2/p" <<<"$output"
}

# Wait (10 s at most) until slurmctld has job $1 in a final state.
wait_done() {
    local i
    for i in $(seq 50); do
        [[ "$(scontrol show job -o "$1")" =~ JobState=(COMPLETED|FAILED|CANCELLED) ]] && return
        sleep 0.2
    done
    echo "job $1 not done: $(scontrol show job -o "$1")" >&2
    return 1
}

@test "slurm-up keeps the cluster in DIR and slurm-down stops exactly its daemons" {
    sleep 300 </dev/null >/dev/null 2>&1 3>&- &
    BYSTANDER=$!
    d="$T/c"
    run slurm-up.sh "$d"
    assert_success
    assert_output "SLURM_CONF=$d/etc/slurm.conf"
    export SLURM_CONF="$d/etc/slurm.conf"
    pids=()
    for n in munged slurmctld slurmd; do
        pid=$(cat "$d/run/$n.pid")
        running "$pid"
        [ "$(cat "/proc/$pid/comm")" = "$n" ]
        tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF "$d/"
        pids+=("$pid")
    done
    [ -S "$d/munge/munge.socket" ]
    # Every path in the configuration but MailProg is inside DIR.
    run grep -c "=$d/" "$SLURM_CONF"
    assert_output 8
    run bash -c "grep -o '=/[^ ,]*' '$SLURM_CONF' | grep -v '^=$d/'"
    assert_output "=/bin/true"
    run sinfo -h -o '%N %T %c'
    assert_output "$(hostname -s) idle $(nproc)"

    run slurm-up.sh "$d"
    assert_success
    assert_output "slurm-up.sh: already up in $d
SLURM_CONF=$d/etc/slurm.conf"
    [ "$(cat "$d"/run/{munged,slurmctld,slurmd}.pid | xargs)" = "${pids[*]}" ]

    # A running job is cancelled, its processes do not outlive the cluster.
    sbatch -o /dev/null --wrap "echo \$\$ >$T/job.pid; exec sleep 300"
    for i in $(seq 50); do [ -s "$T/job.pid" ] && break; sleep 0.2; done
    job=$(cat "$T/job.pid")
    running "$job"

    run slurm-down.sh "$d"
    assert_success
    assert_output ""
    for pid in "${pids[@]}" "$job"; do ! running "$pid"; done
    running "$BYSTANDER"
    run slurm-down.sh "$d"
    assert_success

    # Half a cluster is refused, not patched up.
    run slurm-up.sh "$d"
    assert_success
    pid=$(cat "$d/run/slurmd.pid")
    kill "$pid"
    for i in $(seq 100); do running "$pid" || break; sleep 0.1; done
    run slurm-up.sh "$d"
    assert_failure 1
    assert_output "slurm-up.sh: $d: only munged slurmctld running; run slurm-down.sh $d first"
    run slurm-down.sh "$d"
    assert_success
}

@test "every job of a fan-out workflow runs as a SLURM job with its resources" {
    cat >Snakefile <<'EOF'
LANES = ["L001", "L002", "L003"]

rule all:
    input: "merged.txt"

rule lane:
    output: "lanes/{lane}.txt"
    shell: "echo {wildcards.lane} $SLURM_JOB_ID $SLURM_CPUS_PER_TASK $SLURM_MEM_PER_NODE >{output}"

rule merge:
    input: expand("lanes/{lane}.txt", lane=LANES)
    output: "merged.txt"
    threads: 2
    resources: mem_mb=200
    shell: "cat {input} >{output}; echo merge $SLURM_JOB_ID $SLURM_CPUS_PER_TASK $SLURM_MEM_PER_NODE >>{output}"
EOF
    run smk --profile "$PROFILE"
    assert_success
    refute_output --partial "localrule lane"
    refute_output --partial "localrule merge"
    # Every job Snakemake ran outside localrules ("rule NAME:") was submitted.
    submitted >submitted.txt
    [ "$(wc -l <submitted.txt)" -eq 4 ]
    [ "$(grep -c '^rule [A-Za-z0-9_]*:$' <<<"$output")" -eq 4 ]
    ids=$(cut -d' ' -f2 submitted.txt | sort -n | xargs)
    [ "$(tr ' ' '\n' <<<"$ids" | sort -u | wc -l)" -eq 4 ]

    # Each output was written inside the SLURM job Snakemake says it submitted:
    # lanes got the profile's default resources, merge its own.
    run awk '{print $1, $3, $4}' merged.txt
    assert_output "L001 1 1000
L002 1 1000
L003 1 1000
merge 2 200"
    [ "$(awk '{print $2}' merged.txt | sort -n | xargs)" = "$ids" ]
    for id in $ids; do
        rule=$(awk -v id="$id" '$2 == id {print $1 == "merge" ? "merge" : "lane"}' merged.txt)
        [ -f "logs/slurm/$rule/$id.log" ]
        run scontrol show job -o "$id"
        assert_output --regexp " JobName=smk-$rule .* JobState=COMPLETED "
        run "$STATUS" "$id"
        assert_output success
    done
}

@test "the mc Snakefile runs every job, one per lane, through sbatch, and its outputs verify" {
    mkdir -p raw
    # bm: a directory (the text route, a job per lane); pb: an HDF5 file (one job for its lanes)
    gen-hca --seed 21 --donors 2 --lanes 2 --cells 160 --genes 900 --mean-genes 60 bm.h5
    mc-import-hca bm.h5 raw/bm
    gen-hca --seed 21 --donors 2 --lanes 2 --cells 100 --genes 900 --mean-genes 60 raw/pb.h5
    run smk -s "$MC_ROOT/pipelines/Snakefile" --profile "$PROFILE"
    assert_success
    # delane, genes, 4 lanes, collect, import_cells, 2 views (with their totals): all submitted, none local
    refute_output --regexp "^localrule (import_cells|delane|genes|write_matrix|collect|view):"
    submitted >submitted.txt
    [ "$(wc -l <submitted.txt)" -eq 10 ]
    [ "$(cut -d' ' -f2 submitted.txt | sort -u | wc -l)" -eq 10 ]
    lanes=0
    for id in $(cut -d' ' -f2 submitted.txt); do
        run scontrol show job -o "$id"
        assert_output --regexp " JobState=COMPLETED "
        [[ "$output" =~ " JobName=smk-write_matrix " ]] && lanes=$((lanes + 1))
    done
    [ "$lanes" -eq 4 ]
    [ "$(ls logs/slurm/write_matrix/*.log | wc -l)" -eq 4 ]
    for c in $(find cells views -name profiles.yaml -printf '%h\n' | sort); do
        run mc-info --verify "$c"
        assert_success
    done
    run mc-info cells/bm
    assert_line "profiles: 160 cells"
    run mc-info cells/pb
    assert_line "profiles: 100 cells"
    [ "$(ls -d cells/pb/*/ | wc -l)" -eq 4 ]
    [ "$(ls logs/slurm/import_cells/*.log | wc -l)" -eq 1 ]
}

@test "a failing SLURM job fails the workflow, profile given by a relative path" {
    cat >Snakefile <<'EOF'
rule boom:
    output: "boom.txt"
    shell: "echo partial >{output}; exit 3"
EOF
    run smk --profile "$(realpath --relative-to=. "$PROFILE")"
    assert_failure 1
    assert_output --partial "Error in rule boom:"
    refute_output --partial "Failed to obtain job status"
    id=$(submitted | cut -d' ' -f2)
    [ -n "$id" ]
    assert_output --partial "cluster_jobid: $id"
    [ ! -e boom.txt ]
    run scontrol show job -o "$id"
    assert_output --regexp " JobState=FAILED .* ExitCode=1:0 "
    # The job ran Snakemake, which saw the shell command fail.
    grep -q "^Error in rule boom:" "logs/slurm/boom/$id.log"
    run "$STATUS" "$id"
    assert_success
    assert_output failed
}

@test "status.sh reads real job states from slurmctld" {
    id=$(sbatch --parsable -o /dev/null --wrap 'sleep 300')
    run "$STATUS" "$id"
    assert_output running
    scancel "$id"
    wait_done "$id"
    run "$STATUS" "$id"
    assert_output failed

    id=$(sbatch --parsable -o /dev/null --wrap true)
    wait_done "$id"
    run "$STATUS" "$id"
    assert_output success
    run "$STATUS" "$id;mctest"
    assert_output success

    id=$(sbatch --parsable -o /dev/null --wrap 'exit 2')
    wait_done "$id"
    run "$STATUS" "$id"
    assert_output failed

    # Gone from slurmctld's memory: finished, outputs decide.
    run --separate-stderr "$STATUS" 999999
    assert_success
    assert_output success
    [ "$stderr" = "status.sh: job 999999 unknown to slurmctld; taking it as finished" ]

    run "$STATUS" 12x
    assert_failure 2
    assert_output "status.sh: bad job id '12x'"
}

@test "status.sh maps every SLURM job state and fails when slurmctld does not answer" {
    mkdir bin
    cat >bin/scontrol <<'EOF'
#!/bin/sh
[ -n "$FAKE_STATE" ] || { echo "slurm_load_jobs error: Unable to contact slurm controller (connect failure)" >&2; exit 1; }
echo "JobId=$4 JobName=smk-x UserId=root(0) JobState=$FAKE_STATE Reason=None ExitCode=0:0"
EOF
    chmod +x bin/scontrol
    while read -r state want; do
        FAKE_STATE=$state PATH="$T/bin:$PATH" run "$STATUS" 7
        assert_success
        assert_output "$want"
    done <<'EOF'
PENDING running
CONFIGURING running
RUNNING running
COMPLETING running
SUSPENDED running
REQUEUED running
COMPLETED success
FAILED failed
CANCELLED failed
TIMEOUT failed
OUT_OF_MEMORY failed
NODE_FAIL failed
BOOT_FAIL failed
DEADLINE failed
PREEMPTED failed
EOF
    FAKE_STATE='' PATH="$T/bin:$PATH" run "$STATUS" 7
    assert_failure 1
    assert_output "status.sh: job 7: slurm_load_jobs error: Unable to contact slurm controller (connect failure)"
}
