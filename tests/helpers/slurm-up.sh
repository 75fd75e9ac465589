#!/bin/bash
# slurm-up.sh DIR: start a throw-away single-node SLURM cluster whose every
# file (config, munge key and socket, state, spool, logs, pid files) lives in
# DIR, then wait for the node to be idle. On success prints one line,
#   SLURM_CONF=DIR/etc/slurm.conf
# for the caller to export; progress and errors go to stderr. Stop it with
# slurm-down.sh DIR. Nothing outside DIR is written, no system service or
# /etc file is touched, nothing is exported globally.
#
# Running it again on a DIR whose daemons are all alive only re-checks the
# node and prints the line again. A DIR with some daemons dead is refused:
# run slurm-down.sh DIR first. On any failure the daemons this run started
# are stopped again.
set -euo pipefail

prog=slurm-up.sh
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
[ $# -eq 1 ] || { echo "usage: $prog DIR" >&2; exit 2; }
mkdir -p "$1"
dir="$(cd "$1" && pwd)"
conf="$dir/etc/slurm.conf"
node="$(hostname -s)"
timeout=${SLURM_UP_TIMEOUT:-30}
daemons=(munged slurmctld slurmd)

die() { echo "$prog: $*" >&2; exit 1; }
pidfile() { echo "$dir/run/$1.pid"; }
logfile() { echo "$dir/log/$1.log"; }

# Alive and not a zombie (PID 1 in a container may never reap orphans).
alive() {
    local pid state
    pid="$(cat "$(pidfile "$1")" 2>/dev/null)" || return 1
    [ -n "$pid" ] && state="$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" || return 1
    [ "$state" != Z ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$1" ]
}

dump_logs() {
    local log
    for log in "${daemons[@]}" spawn; do
        log="$(logfile "$log")"
        echo "--- tail of $log" >&2
        tail -n 20 "$log" >&2 2>/dev/null || echo "(none)" >&2
    done
}

fail() {
    echo "$prog: $*" >&2
    dump_logs
    "$here/slurm-down.sh" "$dir" >&2 || true
    exit 1
}

# Run a daemon detached from the caller: no stdio and none of the caller's
# other descriptors (bats waits for its fd 3 to close, so a daemon holding it
# would hang the test run).
spawn() {
    (
        for fd in /proc/self/fd/*; do
            fd="${fd##*/}"
            if [ "$fd" -gt 2 ]; then eval "exec $fd>&-" 2>/dev/null || true; fi
        done
        exec "$@" </dev/null >>"$dir/log/spawn.log" 2>&1
    )
}

wait_for() {  # wait_for SECONDS CMD...: poll CMD until it succeeds
    local end=$((SECONDS + $1)); shift
    until "$@"; do
        [ $SECONDS -lt $end ] || return 1
        sleep 0.2
    done
}

node_idle() {
    [ "$(SLURM_CONF="$conf" sinfo -h -n "$node" -o %T 2>/dev/null)" = idle ]
}

# Two distinct free TCP ports, checked by binding them on all interfaces
# (slurmd listens on all of them).
free_ports() {
    /usr/bin/python3 - <<'PY'
import socket
socks = []
for _ in range(2):
    s = socket.socket()
    s.bind(("", 0))
    socks.append(s)
print(*(s.getsockname()[1] for s in socks))
PY
}

write_conf() {
    local user cpus mem ctld_port slurmd_port
    user="$(id -un)"
    cpus="$(nproc)"
    mem=$(( $(awk '/^MemTotal:/ {print $2}' /proc/meminfo) / 1024 ))
    read -r ctld_port slurmd_port < <(free_ports)
    : >"$dir/etc/plugstack.conf"
    cat >"$conf" <<EOF
# Throw-away single-node cluster written by tests/helpers/slurm-up.sh.
ClusterName=mctest
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=$user
SlurmdUser=$user
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool/%n
SlurmctldPidFile=$(pidfile slurmctld)
SlurmdPidFile=$(pidfile slurmd)
SlurmctldLogFile=$(logfile slurmctld)
SlurmdLogFile=$(logfile slurmd)
SlurmctldDebug=info
SlurmdDebug=info
PlugStackConfig=$dir/etc/plugstack.conf
MailProg=/bin/true
# No cgroups: plain /proc process tracking, no task binding or containment.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobContainerType=job_container/none
SwitchType=switch/none
MpiDefault=none
# No accounting daemon, so no sacct: job states come from slurmctld's memory,
# kept for an hour after a job ends (MinJobAge).
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MinJobAge=3600
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU_Memory
# A job that asks for no memory must not get the whole node.
DefMemPerCPU=256
JobRequeue=0
# Trust the node line below over what slurmd detects (containers, cpusets).
SlurmdParameters=config_overrides
ReturnToService=2
KillWait=5
NodeName=$node NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=main Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
}

start() {
    local running=() d
    for d in "${daemons[@]}"; do alive "$d" && running+=("$d"); done
    if [ ${#running[@]} -eq ${#daemons[@]} ]; then
        echo "$prog: already up in $dir" >&2
        return
    fi
    [ ${#running[@]} -eq 0 ] ||
        die "$dir: only ${running[*]} running; run slurm-down.sh $dir first"

    # munged and the slurm daemons refuse group/world-writable directories;
    # clients need to reach the munge socket.
    (umask 022 && mkdir -p "$dir/munge" "$dir/etc" "$dir/run" "$dir/log" \
        "$dir/state" "$dir/spool/$node")
    local sock="$dir/munge/munge.socket"
    [ ${#sock} -lt 100 ] || die "$sock: path too long for a unix socket; use a shorter DIR"
    [ -s "$dir/munge/munge.key" ] ||
        (umask 077 && head -c 1024 /dev/urandom >"$dir/munge/munge.key")
    write_conf

    # --force: take over a stale socket left by a munged that was killed, and
    # let munged's permission checks warn rather than refuse.
    spawn munged --force --socket="$sock" --key-file="$dir/munge/munge.key" \
        --pid-file="$(pidfile munged)" --log-file="$(logfile munged)" \
        --seed-file="$dir/munge/munged.seed" ||
        fail "munged did not start"
    wait_for 10 bash -c "munge -S '$sock' -n </dev/null | unmunge -S '$sock' >/dev/null 2>&1" ||
        fail "munged does not answer on $sock"

    spawn slurmctld -f "$conf" || fail "slurmctld did not start"
    spawn slurmd -f "$conf" -N "$node" || fail "slurmd did not start"
    wait_for 10 alive slurmctld || fail "slurmctld died"
    wait_for 10 alive slurmd || fail "slurmd died"
}

start
wait_for "$timeout" node_idle ||
    fail "node $node not idle after ${timeout}s: $(SLURM_CONF="$conf" sinfo -h -n "$node" -o '%T %E' 2>&1)"
echo "SLURM_CONF=$conf"
