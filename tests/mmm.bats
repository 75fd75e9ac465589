#!/usr/bin/env bats
# MMM (SPEC 6): the writer's bytes against files laid out by hand here, and the
# readers against those files; corrupt files are refused with one line.

load test_helper

# le32 N: N as 4 little-endian bytes, in hex.
le32() { printf '%02x%02x%02x%02x' $(($1 & 255)) $(($1 >> 8 & 255)) $(($1 >> 16 & 255)) $(($1 >> 24 & 255)); }
# repeat N HEX
repeat() { local s; printf -v s '%*s' "$1" ''; printf %s "${s// /$2}"; }
# mmm_expected FILE GENES PROFILE_HEX...: the canonical file laid out by hand.
mmm_expected() {
    local out=$1 genes=$2 data="" offsets="" off=56 p
    shift 2
    for p in "$@"; do offsets+=$(le32 $off); data+=$p; off=$((off + ${#p} / 2)); done
    offsets+=$(le32 $off)
    local magic
    magic=$(printf 'METACELL SPARSE MEMORY MAPPED MATRIX VERSION 0' | od -An -tx1 | tr -d ' \n')0000
    local hex=$magic$(le32 $#)$(le32 "$genes")$data$(repeat $(((4 - off % 4) % 4)) 00)$offsets
    printf "$(sed 's/../\\x&/g' <<<"$hex")" >"$out"
}

@test "gaps of 255, 256, 300 and 600 genes" {
    printf '255:1\n256:1\n300:2\n600:3\n0:1 255:1 511:1\n' | lib-tool mmm-write got.mmm 601
    mmm_expected want.mmm 601 ff01 ff000101 ff002d02 ff00ff005a03 0001ff01ff000101
    cmp got.mmm want.mmm
    run lib-tool mmm-decode got.mmm
    assert_output "255:1
256:1
300:2
600:3
0:1 255:1 511:1"
}

@test "values of 255, 256, 600 and 70000" {
    printf '0:255\n1:256\n2:600\n3:70000\n' | lib-tool mmm-write got.mmm 4
    # 70000 = 274 * 255 + 130
    mmm_expected want.mmm 4 00ff 01ff0001 02ff00ff005a "03ff$(repeat 273 00ff)0082"
    cmp got.mmm want.mmm
    run lib-tool mmm-decode got.mmm
    assert_output "0:255
1:256
2:600
3:70000"
    run lib-tool mmm-dense got.mmm
    assert_line --index 3 "0 0 0 70000"
}

@test "a writer closed between appends (many lanes at once) writes the same bytes" {
    # 0 bytes at a time (the empty profile), one pair, and more than the buffer at once.
    printf '\n0:1\n0:1 1:2 2:3 3:4 4:5\n\n7:70000\n' >in.txt
    lib-tool mmm-write open.mmm 8 <in.txt
    for spill in 1 2 5 1000000; do
        MMM_SPILL=$spill lib-tool mmm-write closed.mmm 8 <in.txt
        cmp open.mmm closed.mmm
    done
    run lib-tool mmm-decode closed.mmm
    assert_output "
0:1
0:1 1:2 2:3 3:4 4:5

7:70000"
}

@test "duplicate genes are summed, zeros dropped, order canonicalized" {
    printf '5:1 2:0 5:2 1:3\n7:0\n' | lib-tool mmm-write got.mmm 8
    mmm_expected want.mmm 8 01030403 ""
    cmp got.mmm want.mmm
    lib-tool mmm-decode got.mmm >out
    printf '1:3 5:3\n\n' | cmp - out
}

@test "profiles of every size and gene spread are sorted and summed like a reference" {
    # Sizes around the insertion/radix switch; genes sharing low bytes, spanning
    # one to four bytes; duplicates summing to zero and to more than 255.
    py <<'PY' >in.txt
import random
r = random.Random(7)
for n in [0, 1, 2, 3, 47, 48, 49, 64, 500, 3000]:
    for spread in [[5], [256 * k for k in range(40)], range(300), range(70000), range(16_800_000)]:
        genes = [r.choice(spread) for _ in range(n)]
        print(" ".join(f"{g}:{r.choice([0, 0, 1, 2, 7, 300])}" for g in genes))
print("9:0 9:0 3:1 9:0 2:0 1:0")
PY
    lib-tool mmm-write got.mmm 16800000 <in.txt
    lib-tool mmm-decode got.mmm >out.txt
    py <<'PY' | cmp - out.txt
import sys
from collections import defaultdict
for line in open("in.txt"):
    total = defaultdict(int)
    for tok in line.split():
        g, v = map(int, tok.split(":"))
        total[g] += v
    print(" ".join(f"{g}:{v}" for g, v in sorted(total.items()) if v))
PY
}

@test "empty profiles between others, and padding to 4 bytes" {
    printf '\n0:1\n\n\n2:1 3:1\n' | lib-tool mmm-write got.mmm 4
    mmm_expected want.mmm 4 "" 0001 "" "" 02010101
    cmp got.mmm want.mmm
    run lib-tool mmm-count got.mmm
    assert_output 3
}

@test "zero profiles" {
    lib-tool mmm-write got.mmm 10 </dev/null
    mmm_expected want.mmm 10
    cmp got.mmm want.mmm
    [ "$(stat -c %s got.mmm)" -eq 60 ]
    run lib-tool mmm-decode got.mmm
    assert_success
    assert_output ""
}

@test "readers accept a valid non-canonical pair stream" {
    # gene 0 += 1 twice, a zero pair at gene 10, a skip of 255 to 265, then 3 at gene 267
    mmm_expected nc.mmm 300 "000100010a00ff000203"
    run lib-tool mmm-decode nc.mmm
    assert_output "0:2 267:3"
    run lib-tool mmm-count nc.mmm
    assert_output 2
}

@test "a gene out of range in a profile is an error naming file and profile" {
    mmm_expected bad.mmm 4 0001 0401
    run sh -c 'lib-tool mmm-decode bad.mmm >/dev/null'
    assert_failure 1
    assert_output "lib-tool: bad.mmm: profile 1: gene 4 out of range (4 genes)"
    run sh -c 'lib-tool mmm-dense bad.mmm >/dev/null'
    assert_failure 1
    assert_output "lib-tool: bad.mmm: profile 1: gene 4 out of range (4 genes)"
}

@test "corrupt headers and offsets are refused without reading out of bounds" {
    printf '0:1\n1:2 3:3\n' | lib-tool mmm-write good.mmm 4
    head -c 62 good.mmm >trunc.mmm
    run lib-tool mmm-decode trunc.mmm
    assert_failure 1
    assert_output "lib-tool: trunc.mmm: truncated MMM file (62 bytes for 2 profiles)"

    head -c 10 good.mmm >tiny.mmm
    run lib-tool mmm-decode tiny.mmm
    assert_output "lib-tool: tiny.mmm: truncated MMM file (10 bytes)"

    cp good.mmm magic.mmm
    printf 'X' | dd of=magic.mmm bs=1 seek=0 conv=notrunc status=none
    run lib-tool mmm-decode magic.mmm
    assert_output "lib-tool: magic.mmm: not an MMM file (bad magic)"

    # offsets: [56, 58, 64] at 64..75; make the middle one point past the data
    cp good.mmm range.mmm
    printf '\x50' | dd of=range.mmm bs=1 seek=68 conv=notrunc status=none
    run lib-tool mmm-decode range.mmm
    assert_output "lib-tool: range.mmm: profile 0: offset 80 outside the data"

    cp good.mmm down.mmm
    printf '\x38\x00\x00\x00\x3c' | dd of=down.mmm bs=1 seek=68 conv=notrunc status=none
    # now [56, 56, 60]: fine; then make the last decrease below the middle
    printf '\x3a\x00\x00\x00\x38' | dd of=down.mmm bs=1 seek=68 conv=notrunc status=none
    run lib-tool mmm-decode down.mmm
    assert_output "lib-tool: down.mmm: profile 1: offsets decrease (56 after 58)"

    cp good.mmm odd.mmm
    printf '\x39' | dd of=odd.mmm bs=1 seek=68 conv=notrunc status=none
    run lib-tool mmm-decode odd.mmm
    assert_output "lib-tool: odd.mmm: profile 0: odd data length 1"

    # a profiles count so large the index would start before the data
    cp good.mmm count.mmm
    printf '\xff\xff\xff\x0f' | dd of=count.mmm bs=1 seek=48 conv=notrunc status=none
    run lib-tool mmm-decode count.mmm
    assert_output "lib-tool: count.mmm: truncated MMM file (76 bytes for 268435455 profiles)"
}

@test "a matrix whose offsets would not fit in 32 bits is refused and not left behind" {
    # The limit is lowered to 60 bytes so the test need not write 4 GiB; 56 + 2 + 2 + 2 > 60.
    run sh -c 'printf "0:1\n0:1\n0:1\n" | lib-tool mmm-write big.mmm 4 60'
    assert_failure 1
    assert_output "lib-tool: big.mmm: the matrix would exceed 4 GiB, beyond the 32-bit offsets of the format; split it (by lane)"
    [ ! -e big.mmm ]
    printf "0:1\n0:1\n" | lib-tool mmm-write ok.mmm 4 60
    run lib-tool mmm-count ok.mmm
    assert_output 2
}

@test "a value too large for the format fails at once instead of writing gigabytes" {
    run sh -c 'printf "0:18446744073709551615\n" | lib-tool mmm-write huge.mmm 4'
    assert_failure 1
    assert_output "lib-tool: huge.mmm: the matrix would exceed 4 GiB, beyond the 32-bit offsets of the format; split it (by lane)"
    [ ! -e huge.mmm ]
}
