#!/bin/bash
# status.sh JOBID: Snakemake cluster-status command for SLURM without
# accounting (no sacct). Prints exactly one of running, success, failed.
#
# The state comes from slurmctld's memory (scontrol), which keeps a finished
# job for MinJobAge seconds (300 by default). A job it no longer knows
# finished long ago; its state is lost, so it is reported as success and
# Snakemake's own check of the job's outputs decides. When slurmctld cannot
# be reached (scontrol itself retries for some 20 s) it fails, exit 1, which
# stops Snakemake: better than polling a dead controller forever.
set -u

jobid="${1%%;*}"    # sbatch --parsable prints "ID" or "ID;CLUSTER"
case "$jobid" in
    ''|*[!0-9_]*) echo "status.sh: bad job id '${1:-}'" >&2; exit 2 ;;
esac

out="$(scontrol show job -o "$jobid" 2>&1)"
if [[ "$out" == *"Invalid job id"* ]]; then
    echo "status.sh: job $jobid unknown to slurmctld; taking it as finished" >&2
    state=
elif [[ "$out" =~ (^| )JobState=([A-Z_]+) ]]; then
    state="${BASH_REMATCH[2]}"
else
    echo "status.sh: job $jobid: ${out:-no answer from scontrol}" >&2
    exit 1
fi

case "$state" in
    COMPLETED|'')
        echo success ;;
    BOOT_FAIL|CANCELLED|DEADLINE|FAILED|NODE_FAIL|OUT_OF_MEMORY|PREEMPTED|REVOKED|TIMEOUT)
        echo failed ;;
    *)  # PENDING, RUNNING, COMPLETING, CONFIGURING, SUSPENDED, REQUEUED...
        echo running ;;
esac
