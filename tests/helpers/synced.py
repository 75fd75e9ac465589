#!/usr/bin/env python3
"""synced.py LOG ROOT: check an `strace -f -Y -y -e trace=mkdir,mkdirat,rename,renameat,renameat2,fsync`
log of a pipeline run from the data root ROOT for what survives a power loss.

Every directory entry the run made must reach the disk: each successful
rename and mkdir is followed by an fsync of the directory it was made in, and
only mc's tools rename (a shell `mv` never syncs).  Prints one line per fault
(none: all durable) and exits 1 if there was any."""
import os
import re
import sys

log, root = sys.argv[1], sys.argv[2]
CALL = re.compile(r'^(\d+)<([^>]*)> (\w+)\((.*)\) += (-?\d+)')
FSYNC = re.compile(r'^\d+<[^>]*> f(?:data)?sync\(\d+<([^>]*)>\) += 0')
STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')

# strace splits a call another process interrupts: "NAME(ARGS <unfinished ...>", then "<... NAME resumed>REST".
lines, pending = [], {}
for line in open(log):
    line = line.rstrip("\n")
    pid = line.split("<", 1)[0]
    if line.endswith(" <unfinished ...>"):
        pending[pid] = line[: -len(" <unfinished ...>")]
        continue
    m = re.match(r"^\d+<[^>]*> <\.\.\. \w+ resumed>(.*)$", line)
    if m and pid in pending:
        line = pending.pop(pid) + m.group(1)
    lines.append(line)

made = []          # (index, program, what, the directory to be synced)
synced = []        # (index, directory)
for i, line in enumerate(lines):
    m = FSYNC.match(line)
    if m:
        synced.append((i, m.group(1)))
        continue
    m = CALL.match(line)
    if not m or m.group(5) != "0" or m.group(3) not in ("mkdir", "mkdirat", "rename", "renameat", "renameat2"):
        continue
    paths = STRING.findall(m.group(4))
    target = paths[-1] if m.group(3).startswith("rename") else paths[0]
    made.append((i, m.group(2), m.group(3) + " " + target, os.path.dirname(os.path.join(root, target))))

faults = []
for i, prog, what, parent in made:
    if what.startswith("rename") and not prog.startswith("mc-"):
        faults.append("%s: %s, not by an mc tool" % (prog, what))
    if not any(j > i and os.path.normpath(d) == os.path.normpath(parent) for j, d in synced):
        faults.append("%s: %s, its directory never synced after" % (prog, what))
print("\n".join(faults))
sys.exit(1 if faults or not made else 0)
