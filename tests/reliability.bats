#!/usr/bin/env bats
# Issue 11: inputs that once crashed, lied or grew without bound, each as its
# own test; the hard limits of doc/SPEC.md section 9.

load test_helper
bats_require_minimum_version 1.5.0

# A valid <i4 .npy of 3 zeros whose header dict text is replaced by DICT
# (padded so the data stays 64-byte aligned as numpy writes it).
npy_with_header() {
    "$PY" - "$1" "$2" <<'PY'
import sys
name, d = sys.argv[1], sys.argv[2]
h = d.encode()
h += b" " * ((64 - (10 + len(h) + 1) % 64) % 64) + b"\n"
open(name, "wb").write(b"\x93NUMPY\x01\x00" + len(h).to_bytes(2, "little") + h + bytes(12))
PY
}

@test "npy: a header numpy refuses or reads otherwise is refused (issue 11, item 7)" {
    npy_with_header trailing.npy "{'descr': '<i4', 'fortran_order': False, 'shape': (3,), }garbage"
    npy_with_header twice.npy "{'descr': '<i4', 'fortran_order': False, 'shape': (3,), 'shape': (2,), }"
    npy_with_header extra.npy "{'descr': '<i4', 'fortran_order': False, 'shape': (3,), 'x': 1, }"
    npy_with_header int.npy "{'descr': '<i4', 'fortran_order': False, 'shape': (3), }"
    npy_with_header ok.npy "{'descr': '<i4', 'fortran_order': False, 'shape': (3,), }"
    # numpy itself refuses the first, reads (2,) from the second, refuses the third and fourth
    run "$PY" -c "
import numpy as np
for f in ['trailing', 'twice', 'extra', 'int']:
    try: print(f, np.load(f + '.npy').shape)
    except Exception as e: print(f, 'refused')"
    assert_output "trailing refused
twice (2,)
extra refused
int refused"
    run lib-tool npy-read trailing.npy
    assert_failure 1
    assert_output "lib-tool: trailing.npy: bad .npy header (text after the dict)"
    run lib-tool npy-read twice.npy
    assert_failure 1
    assert_output "lib-tool: twice.npy: bad .npy header (key 'shape' twice)"
    run lib-tool npy-read extra.npy
    assert_output "lib-tool: extra.npy: bad .npy header (unknown key 'x')"
    run lib-tool npy-read int.npy
    assert_output "lib-tool: int.npy: bad .npy header (shape must be 1-D or 2-D)"
    run lib-tool npy-read ok.npy
    assert_success
    assert_output "<i4 (3,) 0
0
0
0"
}

@test "npy: a header larger than numpy's 10000-byte limit is refused before it is read" {
    "$PY" -c "
open('huge.npy', 'wb').write(b'\x93NUMPY\x02\x00' + (2**31).to_bytes(4, 'little') + b'{')"
    run lib-tool npy-read huge.npy
    assert_failure 1
    assert_output "lib-tool: huge.npy: .npy header of 2147483648 bytes (at most 10000)"
}
