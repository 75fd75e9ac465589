#!/bin/sh
# The NAME line of a tool's man page: the first sentence of its --help after the usage lines.
"$1" --help | awk '!started && (/^Usage/ || /^ /) {next}
    {started = 1} /^$/ {exit} {s = s (s ? " " : "") $0}
    END {sub(/[.:]( .*)?$/, "", s); print s}'
