# Shared set-up for every bats file: `load test_helper` at the top.
bats_load_library bats-support
bats_load_library bats-assert

MC_ROOT="$(cd "$BATS_TEST_DIRNAME/.." && pwd)"
export PATH="$MC_ROOT/bin:$MC_ROOT/tests/helpers:$PATH"
# Debian's python3 has numpy/h5py/anndata; a pyenv python3 earlier on PATH does not.
PY=/usr/bin/python3
DATA10X="$MC_ROOT/tests/data/10x"

# Every test gets its own scratch directory.
setup() {
    T="$BATS_TEST_TMPDIR"
    cd "$T"
}

# Run python on a here-document with numpy available: py <<'PY' ... PY
py() { "$PY" - "$@"; }
