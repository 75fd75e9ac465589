#!/bin/bash
# oom.sh DEST CMD...: out of memory at every allocation point of CMD's own
# (fault.c, MC_FAULT_ALLOC_AT=N for N = 1, 2, ... until CMD succeeds), on one
# core so that the points come in the same order each run.  Each failure must
# be one line of CMD saying "out of memory", exit status 1, and leave neither
# DEST ("-": none; DEST1,DEST2,...: each of a tool's outputs) nor a temporary
# beside one; a run that recovers (status 0) must print and write what a run
# without faults does.  Prints every point
# that is not so, then a count; exit status 1 if any.  (make fault-oom.)
set -u
shim="$(cd "$(dirname "$0")" && pwd)/libfault-alloc.so"
dests=()
[ "$1" = - ] || IFS=, read -ra dests <<<"$1"
shift
tool=${1##*/} bad=0 log=$(mktemp) err=$(mktemp)
parents=()
for d in "${dests[@]}"; do if [[ $d == */* ]]; then parents+=("${d%/*}"); else parents+=(.); fi; done
[ ${#dests[@]} != 0 ] || parents=(.)
shopt -s nullglob dotglob
# the run without faults: its stdout and DESTs
want=$(mktemp -d)
"$@" >"$want/stdout" 2>/dev/null || { echo "$tool: fails without faults"; exit 1; }
for i in "${!dests[@]}"; do mv "${dests[i]}" "$want/dest$i"; done
same_dests() {
    for i in "${!dests[@]}"; do diff -r "$want/dest$i" "${dests[i]}" >/dev/null || return 1; done
}
recovered=0
for ((n = 1; ; n++)); do
    : >"$log"
    s=0
    taskset -c 0 env MC_FAULT_ALLOC_AT=$n MC_FAULT_LOG="$log" LD_PRELOAD="$shim" "$@" >"$want/out" 2>"$err" || s=$?
    IFS= read -r hit <"$log" || hit=
    [[ $hit == "$n "* ]] || break
    if [ $s = 0 ] && cmp -s "$want/stdout" "$want/out" && same_dests; then
        recovered=$((recovered + 1))
        rm -rf "${dests[@]}"
        continue
    fi
    mapfile -t e <"$err"
    left=()
    for p in "${parents[@]}"; do left+=("$p"/*.tmp-* "$p"/*.old-*); done
    for d in "${dests[@]}"; do [ ! -e "$d" ] || left+=("$d"); done
    if [ $s != 1 ] || [ ${#e[@]} != 1 ] || [[ ${e[0]} != "$tool: "*"out of memory"* ]] || [ ${#left[@]} != 0 ]; then
        echo "$tool: allocation $hit: status $s: ${e[*]:-(no message)}${left[*]:+; left }${left[*]}"
        bad=$((bad + 1))
    fi
    rm -rf "${left[@]}"
done
[ "$s" = 0 ] || { echo "$tool: no allocation failed at $n, yet status $s: $(cat "$err")"; bad=$((bad + 1)); }
rm -rf "${dests[@]}" "$log" "$err" "$want"
echo "$tool: $((n - 1)) allocation points, $recovered recovered from, $bad failing otherwise than in one line of out of memory"
[ $bad = 0 ]
