#!/bin/bash
# slurm-down.sh DIR: stop the cluster slurm-up.sh DIR started. Jobs still
# queued or running are cancelled first (their processes outlive slurmd
# otherwise), then slurmd, slurmctld and munged are stopped by the pids in
# DIR/run, each only if that pid is still the daemon of that name, and waited
# for (SIGKILL after 15 s). Safe to run on a DIR that is already down or was
# never fully up. Exits 1 if a daemon could not be stopped.
set -uo pipefail

prog=slurm-down.sh
[ $# -eq 1 ] || { echo "usage: $prog DIR" >&2; exit 2; }
[ -d "$1" ] || exit 0
dir="$(cd "$1" && pwd)"
conf="$dir/etc/slurm.conf"

# The pid in DIR/run/NAME.pid if it is a live (not zombie) process named NAME.
daemon_pid() {
    local pid state
    pid="$(cat "$dir/run/$1.pid" 2>/dev/null)" || return 1
    [ -n "$pid" ] && state="$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" || return 1
    [ "$state" != Z ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$1" ] && echo "$pid"
}

gone() { ! daemon_pid "$1" >/dev/null; }

wait_gone() {  # wait_gone SECONDS NAME
    local end=$((SECONDS + $1))
    until gone "$2"; do
        [ $SECONDS -lt $end ] || return 1
        sleep 0.1
    done
}

cancel_jobs() {
    daemon_pid slurmctld >/dev/null && [ -f "$conf" ] || return 0
    export SLURM_CONF="$conf"
    local jobs end=$((SECONDS + 15))
    jobs="$(squeue -h -o %i 2>/dev/null)" || return 0
    [ -n "$jobs" ] || return 0
    # shellcheck disable=SC2086
    scancel $jobs 2>/dev/null
    while [ -n "$(squeue -h -o %i 2>/dev/null)" ] && [ $SECONDS -lt $end ]; do
        sleep 0.2
    done
}

stop() {
    local pid
    pid="$(daemon_pid "$1")" || return 0
    kill -TERM "$pid" 2>/dev/null
    wait_gone 15 "$1" && return 0
    echo "$prog: $1 ($pid) ignored SIGTERM; killing it" >&2
    kill -KILL "$pid" 2>/dev/null
    wait_gone 5 "$1"
}

status=0
cancel_jobs
for d in slurmd slurmctld munged; do
    stop "$d" || { echo "$prog: could not stop $d" >&2; status=1; }
done
exit $status
