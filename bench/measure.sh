# Sourced by the benchmarks: measure COMMAND... runs it under GNU time and sets
# $rss (peak resident set, kB, of the command and its children), $secs (wall
# seconds) and $cpu (user + system seconds, children included); on failure it
# shows the command's output and exits.  Needs $tmp.
measure() {
    /usr/bin/time -f '%e %M %U %S' -o "$tmp/measure.time" "$@" >"$tmp/measure.log" 2>&1 ||
        { cat "$tmp/measure.log" >&2; exit 1; }
    read -r secs rss user sys <"$tmp/measure.time"
    cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
}

# bench_scratch NAME: $tmp, a scratch directory removed at exit (any disk_peak
# stopped first), mc's tools first on PATH, and the shell moved into it.  Needs $MC.
bench_scratch() {
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/mc-bench-$1.XXXXXX")
    trap 'touch "$tmp/disk.stop"; rm -rf "$tmp"' EXIT
    export PATH="$MC/bin:$MC/tests/helpers:$PATH"
    cd "$tmp"
}

# median FILE: the median of the numbers in FILE, one a line.
median() { sort -n "$1" | awk '{v[NR] = $1} END {print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

# disk_peak FILE PATH... : in the background, until FILE/../stop exists, the
# largest total size in bytes seen of PATHs (globs expanded at each look),
# sampled every 0.1 s, kept in FILE.  Start with `disk_peak F ... &`.
disk_peak() {
    out=$1
    shift
    echo 0 >"$out"
    while [ ! -e "$out.stop" ]; do
        now=$(du -sbc $* 2>/dev/null | tail -1 | cut -f1)
        [ "${now:-0}" -gt "$(cat "$out")" ] && echo "$now" >"$out"
        sleep 0.1
    done
}

# generate_atlas DIR CELLS DONORS LANES: DIR/raw/atlas.h5 and its labels
# DIR/raw/atlas.groups.tsv (33,000 genes, ~1,000 per cell, 8 cell types).
generate_atlas() {
    mkdir -p "$1/raw"
    gen-hca --seed 1 --donors "$3" --lanes "$4" --cells "$2" --genes 33000 --mean-genes 1000 --types 8 \
        --labels "$1/raw/atlas.groups.tsv" "$1/raw/atlas.h5"
}
