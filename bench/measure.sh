# Sourced by the benchmarks: measure COMMAND... runs it under GNU time and sets
# $rss (peak resident set, kB, of the command and its children) and $secs (wall
# seconds); on failure it shows the command's output and exits.  Needs $tmp.
measure() {
    /usr/bin/time -f '%e %M' -o "$tmp/measure.time" "$@" >"$tmp/measure.log" 2>&1 ||
        { cat "$tmp/measure.log" >&2; exit 1; }
    read -r secs rss <"$tmp/measure.time"
}
