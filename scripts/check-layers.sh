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
# One awk over every module (a process per include line took ~18 CPU s): the first
# file it reads maps each header to its layer folder, in glob order.
for h in common/*/*.h; do [ -e "$h" ] && echo "$h"; done | sed 's|^common/\([^/]*\)/\(.*\)$|\2 \1|' |
awk -v layers="$layers" '
BEGIN { n = split(layers, L, " "); for (i = 1; i <= n; i++) rank[L[i]] = i - 1 }
FNR == NR { if (!($1 in where)) where[$1] = $2; next }
/^#include "/ {
    h = $0; sub(/^#include "/, "", h); sub(/".*/, "", h)
    split(FILENAME, p, "/"); l = p[2]; r = (l in rank) ? rank[l] : -1
    if (!(h in where)) { print FILENAME ":" FNR ": includes \"" h "\", which no layer has"; next }
    if (rank[where[h]] > r) print FILENAME ":" FNR ": layer " l " includes \"" h "\" of the higher layer " where[h]
}' - $(for f in common/*/*.c common/*/*.h; do [ -e "$f" ] && echo "$f"; done) | grep . && bad=1
exit $bad
