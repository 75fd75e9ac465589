#!/bin/sh
# The text route (issue 18, 4): mc-delane and mc-write-matrix as whole processes on a
# generated HCA-style STD (the Matrix Market of mc-import-hca, plain and gzip), in MB of
# MTX input per wall second, against the floors measured in the same run:
#   - reading the plain file (cat > /dev/null), and copying it with its fsync (dd conv=fsync:
#     what mc-delane, which writes as many bytes again, cannot beat);
#   - inflating the .gz alone: zlib's gzread as mc's reader calls it (mtx-tool inflate), and zcat.
# Every tool runs with its fsyncs (the default) and without (MC_NO_FSYNC=1), BENCH_ROUNDS
# times (default 5) interleaved; the table gives medians of wall and CPU (user + system).
# BENCH_BEFORE=DIR also runs DIR/mc-delane and DIR/mc-write-matrix (an older build) in
# the same rounds, for before/after ratios.
#   bench/text.sh [CELLS]      (default 4000 cells, 33000 genes, ~1000 per cell: ~50 MB of MTX)
# It runs under build/ on purpose: /tmp may be a tmpfs, where fsync costs nothing.
set -eu
MC=$(cd "$(dirname "$0")/.." && pwd)
cells=${1:-4000}
rounds=${BENCH_ROUNDS:-5}
before=${BENCH_BEFORE:-}
mkdir -p "$MC/build"
TMPDIR="$MC/build"
. "$MC/bench/measure.sh"
bench_scratch text

gen-hca --seed 1 --donors 2 --lanes 4 --cells "$cells" --genes 33000 --mean-genes 1000 raw.h5 >/dev/null
mc-import-hca raw.h5 std >/dev/null 2>&1
mkdir gz
cp std/genes.csv std/profiles.csv gz/
sed 's/umis.mtx}/umis.mtx.gz}/' std/format.yaml >gz/format.yaml
gzip -c std/umis.mtx >gz/umis.mtx.gz
mc-make-genes --organism human std genes >/dev/null
mb=$(awk -v b="$(stat -c %s std/umis.mtx)" 'BEGIN { printf "%.1f", b / 1e6 }')
gzmb=$(awk -v b="$(stat -c %s gz/umis.mtx.gz)" 'BEGIN { printf "%.1f", b / 1e6 }')

# run NAME COMMAND...: one timed run, its wall and CPU seconds appended to NAME.secs, NAME.cpu
run() {
    name=$1
    shift
    measure "$@"
    echo "$secs" >>"$name.secs"
    echo "$cpu" >>"$name.cpu"
}

tools="new"
[ -n "$before" ] && tools="new before"
for round in $(seq "$rounds"); do
    run cat sh -c 'cat std/umis.mtx >/dev/null'
    run copy dd if=std/umis.mtx of=copy bs=1M conv=fsync status=none
    rm copy
    run gzread mtx-tool inflate gz/umis.mtx.gz
    run zcat sh -c 'zcat gz/umis.mtx.gz >/dev/null'
    for t in $tools; do
        bin="$MC/bin"
        [ "$t" = before ] && bin=$before
        run "$t.delane" "$bin/mc-delane" --force std out
        run "$t.delane.nofsync" env MC_NO_FSYNC=1 "$bin/mc-delane" --force std out
        run "$t.delane.gz" "$bin/mc-delane" --force gz out
        rm -rf out
        run "$t.write" "$bin/mc-write-matrix" --force --genes genes std cells
        run "$t.write.nofsync" env MC_NO_FSYNC=1 "$bin/mc-write-matrix" --force --genes genes std cells
        run "$t.write.gz" "$bin/mc-write-matrix" --force --genes genes gz cells
        rm -rf cells
    done
done

load=$(cut -d' ' -f1-3 /proc/loadavg)
printf 'text.sh: %d cells, MTX %s MB (gzip %s MB), %d rounds interleaved, medians; load average %s\n' \
    "$cells" "$mb" "$gzmb" "$rounds" "$load"
printf '  %-44s %7s %7s %9s %9s\n' "" "wall s" "CPU s" "MB/s wall" "/ floor"
line() {   # line LABEL NAME [FLOOR]
    w=$(median "$2.secs") c=$(median "$2.cpu")
    f=""
    [ -n "${3:-}" ] && f=$(awk -v a="$w" -v b="$(median "$3.secs")" 'BEGIN { printf "%.2f", a / b }')
    printf '  %-44s %7s %7s %9s %9s\n' "$1" "$w" "$c" "$(awk -v m="$mb" -v s="$w" 'BEGIN { printf "%.0f", m / s }')" "$f"
}
line "floor: cat umis.mtx > /dev/null" cat
line "floor: copy it, fsync'd (dd conv=fsync)" copy
line "floor: inflate .gz, zlib gzread (mtx-tool)" gzread
line "floor: inflate .gz, zcat > /dev/null" zcat
for t in $tools; do
    line "$t: mc-delane" "$t.delane" copy
    line "$t: mc-delane, MC_NO_FSYNC=1" "$t.delane.nofsync" copy
    line "$t: mc-delane, .gz (/ gzread)" "$t.delane.gz" gzread
    line "$t: mc-delane, .gz (/ zcat)" "$t.delane.gz" zcat
    line "$t: mc-write-matrix" "$t.write" cat
    line "$t: mc-write-matrix, MC_NO_FSYNC=1" "$t.write.nofsync" cat
    line "$t: mc-write-matrix, .gz (/ gzread)" "$t.write.gz" gzread
    line "$t: mc-write-matrix, .gz (/ zcat)" "$t.write.gz" zcat
done
printf '  every round, wall s:'
for n in delane delane.gz write write.gz; do printf ' %s: %s;' "$n" "$(tr '\n' ' ' <new.$n.secs)"; done
echo
