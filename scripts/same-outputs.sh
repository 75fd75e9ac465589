#!/bin/sh
# same-outputs.sh OLD_MC NEW_MC: run the README tour and `make demo` with two built
# mc trees and compare what they print and every file they make, byte for byte.
# A refactor must leave this silent (exit 0); any difference is printed, exit 1.
# HDF5 files are compared by content (every object, attribute, type and value),
# since HDF5 wrote creation times into them before mc turned that off.
set -eu
[ $# -eq 2 ] || { echo "usage: same-outputs.sh OLD_MC NEW_MC" >&2; exit 2; }
WORK=$(mktemp -d)
[ -n "${KEEP:-}" ] && echo "kept $WORK" >&2 || trap 'rm -rf "$WORK"' EXIT

# The SHA-256 of an HDF5 file's objects, attributes, types and values, in name order.
h5_content() {
    /usr/bin/python3 - "$1" <<'PY'
import hashlib, sys, h5py, numpy as np
h = hashlib.sha256()
def add(name, obj):
    h.update(name.encode())
    for k in sorted(obj.attrs):
        h.update(k.encode() + repr(np.asarray(obj.attrs[k]).tolist()).encode())
    if isinstance(obj, h5py.Dataset):
        v = np.asarray(obj[()])
        data = repr(v.tolist()).encode() if v.dtype == object else np.ascontiguousarray(v).tobytes()
        h.update(str(obj.dtype).encode() + str(obj.shape).encode() + data)
with h5py.File(sys.argv[1], "r") as f:
    add("/", f)
    f.visit(lambda n: add(n, f[n]))
print(h.hexdigest())
PY
}

# outputs MC DIR: DIR/out (run directory) and DIR/manifest (what was printed, then
# each file's path and SHA-256), with DIR replaced by @ so two runs compare.
outputs() {
    mc=$(cd "$1" && pwd) dir=$2
    mkdir -p "$dir/out"
    sed -n '/^export PATH=\$PWD\/bin:\$PATH$/,/^```$/p' "$mc/README.md" | sed '1d;$d' \
        | sed "s|/tmp/mc|$dir/out/tour|g" >"$dir/tour.sh"
    (cd "$mc" && PATH="$mc/bin:$PATH" bash -eu -o pipefail "$dir/tour.sh") >"$dir/tour.log" 2>&1 || echo "tour failed: $?" >>"$dir/tour.log"
    DEMO_ROOT="$dir/out/demo" "$mc/scripts/demo.sh" >"$dir/demo.log" 2>&1 || echo "demo failed: $?" >>"$dir/demo.log"
    {
        echo "== tour"; cat "$dir/tour.log"
        echo "== demo"; cat "$dir/demo.log"
        echo "== files"
        (cd "$dir/out" && find . -type f -o -type l | LC_ALL=C sort | while read -r f; do
            if [ -L "$f" ]; then echo "$f -> $(readlink "$f")"
            else case $f in
                *.h5|*.h5ad) echo "$f content $(h5_content "$f")" ;;
                *) echo "$f $(sha256sum <"$f" | cut -c1-64)" ;;
            esac; fi
        done)
    } | sed "s|$dir|@|g; s|$mc|MC|g" >"$dir/manifest"
}

outputs "$1" "$WORK/old"
outputs "$2" "$WORK/new"
if diff -u "$WORK/old/manifest" "$WORK/new/manifest"; then
    echo "same: $(grep -c '' "$WORK/new/manifest") lines of output and files identical"
else
    exit 1
fi
