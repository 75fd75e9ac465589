# Shared set-up for every bats file: `load test_helper` at the top.

# bats_load_library as bats does it, without its subshell and dirname per sourced file: each
# test is a process of its own that loads this, and those ~30 forks under bats's DEBUG trap were
# 0.2 s of CPU a test (a minute of make check).  A loader of another shape: bats's own way.
mc_load_library() {
    local load line
    find_in_bats_lib_path load "$1" || { bats_load_library "$1"; return; }
    while IFS= read -r line; do
        case $line in
        '' | '#'*) ;;
        'source "$(dirname "${BASH_SOURCE[0]}")/'*'"') line=${line#*)/} && source "${load%/*}/${line%\"}" ;;
        *) bats_load_library "$1"; return ;;
        esac
    done <"$load"
}
mc_load_library bats-support
mc_load_library bats-assert

# bats's DEBUG trap runs before every command and records a stack trace for the failure report.
# Below is bats 1.8's trap as it acts when not tracing (--trace), written to cost less, for it
# was a sixth of the CPU of a loop-heavy file (faults.bats: `faulty` a write point):
# - commands of bats's own files (`run`, the asserts) and of this file's helpers return first,
#   found in one pattern (bats finds them in its directories after a call: the same traces);
# - so do commands in a subshell (a command substitution, `run`'s, a pipeline's): what the
#   trap records there dies with the subshell, and bats reports a failure from the test's
#   own shell, never from a subshell.  Each such run copied arrays in a child that shares its
#   pages with the test's shell: a third of the page faults of a fork here, 30 us each;
# - the stack trace is taken in the trap's own frame (bats calls a function for it).
# tests/harness.bats checks the reports against bats's own.  Any other bats, or --trace, keeps
# its trap; made once a test file and exported to its tests, as MC_SAN_RT below.
if [ -z "${MC_BATS_DEBUG_TRAP+set}" ]; then
    MC_BATS_DEBUG_TRAP=$(declare -f bats_debug_trap)
    if [[ ${BATS_VERSION-} == 1.8.2 && ${BATS_TRACE_LEVEL:-0} == 0 &&
        $MC_BATS_DEBUG_TRAP == 'bats_debug_trap () '$'\n''{ '$'\n''    local NORMALIZED_INPUT;'* ]]; then
        MC_BATS_DEBUG_TRAP='bats_debug_trap () {
    ((BASH_SUBSHELL == 0)) || return 0
    [[ ${1%/*} == "$BATS_ROOT"/lib/* || ${1%/*} == "$BATS_ROOT"/libexec/* ||
        $1 == "$BATS_TEST_DIRNAME"/test_helper.bash ||
        ${BATS_INTERRUPTED-NOTSET}${BATS_TIMED_OUT-NOTSET} != NOTSETNOTSET ]] && return 0
    local i f
    for f in "${BATS_DEBUG_EXCLUDE_PATHS[@]}"; do [[ ${1%/*} != "$f"* ]] || return 0; done
    BATS_DEBUG_LASTLAST_STACK_TRACE=(${BATS_DEBUG_LAST_STACK_TRACE[@]+"${BATS_DEBUG_LAST_STACK_TRACE[@]}"})
    BATS_DEBUG_LAST_LINENO=(${BASH_LINENO[@]+"${BASH_LINENO[@]}"})
    BATS_DEBUG_LAST_SOURCE=(${BASH_SOURCE[@]+"${BASH_SOURCE[@]}"})
    BATS_DEBUG_LAST_STACK_TRACE=()
    for ((i = 1; i != ${#FUNCNAME[@]}; ++i)); do
        f=${FUNCNAME[i]}
        BATS_DEBUG_LAST_STACK_TRACE+=("${BASH_LINENO[i - 1]} $f ${BASH_SOURCE[i]:-$BATS_TEST_SOURCE}")
        case $f in
        "${BATS_TEST_NAME-}" | setup | teardown | setup_file | teardown_file | setup_suite | teardown_suite) break ;;
        esac
        [[ $f != source || ${BASH_SOURCE[i + 1]:-} != *bats-exec-file ]] || break
    done
}'
    else
        MC_BATS_DEBUG_TRAP=
    fi
    export MC_BATS_DEBUG_TRAP
fi
[ -z "$MC_BATS_DEBUG_TRAP" ] || eval "$MC_BATS_DEBUG_TRAP"
# bats starts each test's clock with a `date +%s%N` process; bash's own clock gives the same
# milliseconds without one (300 page faults a test, 14 % of an empty test's).
if [ -n "${EPOCHREALTIME-}" ]; then
    get_mills_since_epoch() {
        local t=${EPOCHREALTIME/[.,]/}
        printf '%d\n' "$((t / 1000))"
    }
fi

# bats made BATS_TEST_DIRNAME absolute and normalized (its directory's $PWD): its parent is
# the repository, without a subshell to cd there.
MC_ROOT=${BATS_TEST_DIRNAME%/*}
export PATH="$MC_ROOT/bin:$MC_ROOT/tests/helpers:$PATH"
# Under `make check` make's own variables would reach the makes the tests run (sub-make
# "Entering directory" lines, the caller's flags): the tests run as from a shell.
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES
# Debian's python3 has numpy/h5py/anndata; a pyenv python3 earlier on PATH does not.  (Under
# bats, $PY is that python through a fork server: below.)
PY=/usr/bin/python3
# numpy's OpenBLAS starts a thread per core at import, a third of a python's start-up here:
# the tests' numbers need none of them (and the test files run in parallel already).
export OPENBLAS_NUM_THREADS=1
DATA10X="$MC_ROOT/tests/data/10x"

# Every test gets its own scratch directory.
setup() {
    T="$BATS_TEST_TMPDIR"
    cd "$T"
}

# Run python on a here-document with numpy available: py <<'PY' ... PY
py() { "$PY" - "$@"; }

# corrupt_chunk FILE DATASET N: 16 bytes in the middle of chunk N of DATASET flipped where they are stored,
# so that its deflated stream no longer inflates.
corrupt_chunk() {
    py "$@" <<'PY'
import sys, h5py
path, name, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
with h5py.File(path, "r") as f:
    info = f[name].id.get_chunk_info(n)
with open(path, "r+b") as f:
    f.seek(info.byte_offset + info.size // 2)
    b = f.read(16)
    f.seek(info.byte_offset + info.size // 2)
    f.write(bytes(x ^ 0x5A for x in b))
PY
}

# The current directory holds exactly these names: no output, no temporary left.
assert_only() {
    run bash -c 'ls -A | LC_ALL=C sort'
    assert_output "$(if [ $# -gt 0 ]; then printf '%s\n' "$@" | LC_ALL=C sort; fi)"
}

# A usage error (after `run`): exit 2 and exactly the one line
# "TOOL: MESSAGE (see TOOL --help)"; the argument is "TOOL: MESSAGE".
assert_usage_error() {
    assert_failure 2
    assert_output "$1 (see ${1%%:*} --help)"
}

# fixture NAME CMD...: $T/d, a copy of what CMD... DIR writes, run once for the test
# file (into $BATS_FILE_TMPDIR).  Tests of a file may run at once: each builds
# aside and renames into place, the first rename wins.
fixture() {
    local cache="$BATS_FILE_TMPDIR/fixture-$1" tmp
    shift
    if [ ! -d "$cache" ]; then
        tmp=$(mktemp -d "$cache.XXXXXX")
        "$@" "$tmp/d"
        mv -T "$tmp/d" "$cache" 2>/dev/null || true
        rm -rf "$tmp"
    fi
    cp -a "$cache" "$T/d"
}

# The fixture of tests/helpers/derived.py (an independent Python writer) in $T/d, and cd there.
build_fixture() {
    fixture derived "$PY" "$MC_ROOT/tests/helpers/derived.py" build
    cd "$T/d"
}

# The hand-built chain of every container kind (tests/helpers/build_chain.py) in $T/d.
build_chain() { fixture chain "$PY" "$MC_ROOT/tests/helpers/build_chain.py"; }

# The uuid of container $1, once mc-info --verify has rechecked it.
uuid_of() { mc-info --verify "$1" >/dev/null && sed -n 's/^uuid: //p' "$1/profiles.yaml"; }

# The member names of collection $1, in order.
members_of() { sed -n 's/^- name: //p' "$1/profiles.yaml"; }

# Programs not built with the sanitizers that load libmc.so (doc/examples, python's mcstore):
# under make sanitize libmc.so needs their runtimes loaded first; CPython's memory left at
# exit is no leak of libmc's.  Outside make sanitize both run the command as it is.
# Found once a test file (exported from the file's own process to its tests': ldd and two pipes a test
# were 0.06 s of CPU each), again when the tree is another; ldd (a script of eight processes) only
# when libmc.so names a runtime.
if [ "${MC_SAN_RT_OF-}" != "$MC_ROOT" ]; then
    MC_SAN_RT=
    if grep -qa 'lib\(asan\|ubsan\)\.so' "$MC_ROOT/common/libmc.so" 2>/dev/null; then
        MC_SAN_RT=$(ldd "$MC_ROOT/common/libmc.so" 2>/dev/null | awk '/lib(asan|ubsan)\.so/ {print $3}' | paste -sd: -)
    fi
    export MC_SAN_RT MC_SAN_RT_OF=$MC_ROOT
fi
SAN_RT=$MC_SAN_RT
# Python through a fork server (tests/helpers/pyz.c and pyz.py): one python per bats run imports
# numpy, h5py, pandas and anndata, and forks a worker for each "$PY" call, which runs it as
# python would, on the caller's descriptors, directory and environment.  A start-up with those
# imports is 0.5 to 1.5 s of CPU, the suite has hundreds; a fork is a few ms.  Not under make
# sanitize (libmc.so wants its runtimes preloaded), nor with MC_PYZ=off.
if [ -z "$SAN_RT" ] && [ -x "$MC_ROOT/tests/helpers/pyz" ] && [ -n "${BATS_RUN_TMPDIR-}" ] &&
    [ "${MC_PYZ-}" != off ]; then
    export MC_PYZ="$BATS_RUN_TMPDIR/pyz.sock" MC_PYZ_SERVER="$MC_ROOT/tests/helpers/pyz.py" MC_PYZ_PYTHON=$PY
    PY="$MC_ROOT/tests/helpers/pyz"
fi
# Snakemake as /usr/bin/snakemake runs it, through $PY: the fork server has imported it.  Its
# jobs that are pythons of their own (a run: block's, a cluster job's: `sys.executable -m
# snakemake`, ~2 s of CPU each started afresh) go through $PY too.
snakemake() {
    "$PY" -c 'import sys; sys.executable = sys.argv.pop(1); from snakemake import main
sys.argv[0] = "snakemake"; sys.exit(main())' "$PY" "$@"
}
# bounded KB CMD...: CMD with its memory bounded to KB: an address space of KB
# (ulimit -v), or under make sanitize (hostile.bats, reliability.bats), where ASan maps terabytes of shadow
# memory, its peak resident set measured against KB instead.
bounded() {
    local kb=$1 rc=0 rss
    shift
    if [ -z "$SAN_RT" ]; then   # the tools are built as libmc.so is
        (ulimit -v "$kb" && exec "$@")
        return
    fi
    # ASan's quarantine holds freed blocks back (256 MB): the program's own peak without it
    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0" \
        /usr/bin/time -f %M -o "$BATS_TEST_TMPDIR/rss" "$@" || rc=$?
    rss=$(tail -1 "$BATS_TEST_TMPDIR/rss")
    [ "$rss" -lt "$kb" ] || { echo "$1: peak RSS $rss kB, more than $kb"; return 99; }
    return $rc
}
# faulty N CMD...: CMD with the fault shim (tests/fault/fault.c) at its write point N, the caller's
# MC_FAULT_* settings passed on (N fails, or with MC_FAULT_SIGNAL=S is signalled after); sets s, the
# exit status, and hit, the shim's "N CALL" (empty: CMD has fewer points); stdout in $T/out, stderr
# in $T/err.  ASan wants its runtime first among the libraries; the shim comes first here.
faulty() {
    local n=$1 line=
    shift
    : >"$T/flog"
    s=0
    MC_FAULT_AT=$n MC_FAULT_LOG="$T/flog" LD_PRELOAD="$MC_ROOT/tests/fault/libfault.so" \
        ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" "$@" >"$T/out" 2>"$T/err" || s=$?
    IFS= read -r line <"$T/flog" || true
    hit=
    [[ $line != "$n "* ]] || hit=$line
}
san() { if [ -n "$SAN_RT" ]; then LD_PRELOAD="$SAN_RT" "$@"; else "$@"; fi; }
sanpy() { if [ -n "$SAN_RT" ]; then LD_PRELOAD="$SAN_RT" ASAN_OPTIONS=detect_leaks=0 "$PY" "$@"; else "$PY" "$@"; fi; }

# make install in the repository tree, one at a time across test files too (install.bats,
# api.bats): each builds build/man, which two runs at once would race on.
make_install() {
    mkdir -p "$MC_ROOT/build"
    flock "$MC_ROOT/build/install.lock" make -s -C "$MC_ROOT" install "$@"
}

# The file's two installs, made once (a make install is ~0.8 s of CPU) and only read or
# copied by its tests: $BATS_FILE_TMPDIR/p (PREFIX) and $BATS_FILE_TMPDIR/stage/opt/mc
# (DESTDIR, PREFIX=/opt/mc).
installed() {
    local f=$BATS_FILE_TMPDIR
    [ -d "$f/stage" ] || { make_install PREFIX="$f/p" && make_install DESTDIR="$f/stage" PREFIX=/opt/mc; }
}

# A data root of both kinds: raw/v2.h5 and raw/chr21/, one 10x v2 sample (12 cells, 343
# genes) as HDF5 and as a directory; raw/v2.groups.tsv labels all but every 5th cell.
mixed_root() {
    mkdir -p raw
    cp "$DATA10X/1.2.0/filtered_gene_bc_matrices_h5.h5" raw/v2.h5
    cp -r "$DATA10X/1.2.0/filtered_gene_bc_matrices/hg19_chr21" raw/chr21
    awk -F'\t' 'NR % 5 { print $1 "\tc" NR % 2 }' raw/chr21/barcodes.tsv >raw/v2.groups.tsv
}

# "PATH UUID" of every container under a data root's cells/ and views/, sorted.
root_uuids() {
    find cells views -name profiles.yaml -exec grep -H '^uuid: ' {} + | sed 's|/profiles.yaml:uuid:||' | LC_ALL=C sort
}

# Temporaries or set-aside outputs anywhere under DIR (default: here), printed one a line
# and in left= (globs: no process a call, for the loops that run a tool hundreds of times).
leftovers() {
    shopt -s globstar dotglob nullglob
    left=("${1:-.}"/**/.*.tmp-* "${1:-.}"/**/.*.old-*)
    shopt -u globstar dotglob nullglob
    [ ${#left[@]} = 0 ] || printf '%s\n' "${left[@]}"
}
