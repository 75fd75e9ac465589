#!/bin/sh
# check-layers.sh [ROOT]: common/ keeps its layers (common/README.md).  Every module
# lives in a layer folder named in the Makefile's LAYERS (lowest first) and described,
# in that order, by a "## LAYER" heading of common/README.md; a module includes only
# headers of its own layer or of a layer below.  Prints one line per breach; exit 1 if any.
root=${1:-.}
cd "$root" || exit 2
layers=$(sed -n 's/^LAYERS *:= *//p' Makefile)
[ -n "$layers" ] || { echo "Makefile: no LAYERS line"; exit 1; }
documented=$(sed -n 's/^## \([a-z0-9]*\).*/\1/p' common/README.md | tr '\n' ' ')
bad=0
if [ "$(echo $documented)" != "$(echo $layers)" ]; then
    echo "common/README.md: layers '$(echo $documented)' differ from the Makefile's '$(echo $layers)'"; bad=1
fi
for f in common/*.c common/*.h; do
    [ -e "$f" ] && { echo "$f: not in a layer folder"; bad=1; }
done
rank() { i=0; for l in $layers; do [ "$l" = "$1" ] && { echo $i; return; }; i=$((i + 1)); done; echo -1; }
for d in common/*/; do
    d=${d%/}; l=${d#common/}
    [ "$(rank "$l")" -ge 0 ] || { echo "$d: not a layer in the Makefile's LAYERS"; bad=1; }
done
for f in common/*/*.c common/*/*.h; do
    [ -e "$f" ] || continue
    l=$(basename "$(dirname "$f")"); r=$(rank "$l")
    grep -n '^#include "' "$f" | while IFS= read -r line; do
        n=${line%%:*}; h=$(echo "$line" | sed 's/.*#include "\([^"]*\)".*/\1/')
        set -- common/*/"$h"
        if [ ! -e "$1" ]; then echo "$f:$n: includes \"$h\", which no layer has"; continue; fi
        hl=$(basename "$(dirname "$1")")
        [ "$(rank "$hl")" -le "$r" ] || echo "$f:$n: layer $l includes \"$h\" of the higher layer $hl"
    done
done | grep . && bad=1
exit $bad
