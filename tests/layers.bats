#!/usr/bin/env bats
# The layers of common/ (common/README.md) as scripts/check-layers.sh enforces them:
# the tree keeps them, and each kind of breach is named on its own line.

load test_helper

# A copy of what the check reads, to break on purpose.
layers_copy() {
    mkdir -p "$BATS_TEST_TMPDIR/t"
    cp "$MC_ROOT/Makefile" "$BATS_TEST_TMPDIR/t/"
    (cd "$MC_ROOT" && tar cf - common/README.md common/*/*.h common/*/*.c) | tar xf - -C "$BATS_TEST_TMPDIR/t"
}

@test "layers: the tree keeps its layers" {
    run "$MC_ROOT/scripts/check-layers.sh" "$MC_ROOT"
    assert_success
    assert_output ""
}

@test "layers: an include of a higher layer is named with its file and line" {
    layers_copy
    printf '#include "container.h"\n' >>"$BATS_TEST_TMPDIR/t/common/io/npy.h"
    n=$(wc -l <"$BATS_TEST_TMPDIR/t/common/io/npy.h")
    run "$MC_ROOT/scripts/check-layers.sh" "$BATS_TEST_TMPDIR/t"
    assert_failure 1
    assert_output "common/io/npy.h:$n: layer io includes \"container.h\" of the higher layer store"
}

@test "layers: a module outside the layers, a folder not a layer, an unknown header, README out of order" {
    layers_copy
    cd "$BATS_TEST_TMPDIR/t"
    : >common/stray.c
    mkdir common/misc && printf '#include "nowhere.h"\n' >common/misc/x.c
    sed -i 's/^## io$/## iox/' common/README.md
    run "$MC_ROOT/scripts/check-layers.sh"
    assert_failure 1
    layers=$(sed -n 's/^LAYERS *:= *//p' Makefile)
    assert_line --index 0 "common/README.md: layers '${layers/io /iox }' differ from the Makefile's '$layers'"
    assert_line "common/stray.c: not in a layer folder"
    assert_line "common/misc: not a layer in the Makefile's LAYERS"
    assert_line "common/misc/x.c:1: includes \"nowhere.h\", which no layer has"
}
