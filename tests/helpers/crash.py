#!/usr/bin/env python3
"""crash.py: what a power loss at any point of a run could leave, checked (tests/crash.bats, issue 17).

    crash.py [--allow REGEX]... [--together 'JUDGE PATH...']... [--rerun] ROOT -- CMD [ARG]...

runs CMD in ROOT (a data root) under the recorder of tests/fault/libfault.so
(MC_CRASH_LOG), then builds every state a power loss could leave and checks it.

The model of a power loss (the pessimistic one: nothing is kept that was not asked for):
  1. What ROOT held before CMD is durable (the test made it; the model starts there).
  2. A file's bytes survive only as they were when an fsync (or fdatasync) of it last
     returned; a file created by the run and never synced survives empty.  A file that
     existed before keeps its old bytes until synced (the tools never write one in place).
  3. A directory's entries (name -> file or directory) survive only as they were when an
     fsync of the directory last returned; one created by the run and never synced
     survives empty.  So a rename, a mkdir or a new file is lost until its directory is
     synced; a directory reached through a lost entry is lost with all it holds.
  4. A crash can come after any call; by 2 and 3 the surviving state changes only when an
     fsync returns, so the crash points are: before the first fsync, and after each one.
     All of them are built (an inode number created again is a new file: the recorder
     notes every creation).
  5. Model 2, for filesystems that keep every change of names in order but not the bytes
     (ext4 data=writeback, a rename journaled before the data): the names as they were at
     each crash point (after each fsync, and after the run) with the bytes of 2.  It shows
     what a rename before its file's fsync, or a temporary with unsynced files, leaves.

What is checked at every crash point (paths are relative to ROOT; a temporary is any
name ".NAME.tmp-*", ".NAME.old-*" or ".genes.new" and the tree under it: uncommitted by
name, which the tools sweep):
  A. Every file at a committed (non-temporary) path holds exactly the bytes it held before
     the run or after it: no committed output is missing bytes, none holds a mixture.
  B. Nothing uncommitted looks complete: a directory whose meta file (profiles.yaml,
     genes.yaml, format.yaml, lanes.txt) is present at a committed path holds every file
     it held when that meta file (those bytes) first appeared there, in model 2 below (or
     before the run): files added to it later (caches, data, p.group.npy) may be lost.
  C. After the last fsync (the run has ended) the committed tree is exactly the one the
     run left: every output is durable once its tool exits.
  E. Outputs that stand or fall together (--together 'JUDGE PATH...', files): whenever
     JUDGE (what make judges the set by) holds its new bytes, so does every PATH.
  F. With --rerun, at every distinct crash state of model 1, CMD run again (make: the
     pipeline resumed) on what the crash left, with its files' modification times,
     succeeds and leaves every committed file as the uninterrupted run did.
--allow REGEX exempts the paths it matches from A, B and C (the pipeline glue's own
files, not yet written durably: issue 17, finding 14).
  D. mc-info --verify, on every container and gene set present (committed ones and those
     in temporaries), exits 0 or 1 with only "mc-info: " lines (never crashes), and never
     passes one in a temporary holding a file whose bytes are not its final ones (a file
     synced too late, or never): the damaged containers a power loss makes are refused.
Every crash point of both models is checked (a state that repeats one already checked
once): the fixtures are small enough (tests/crash.bats: about 15 s of CPU in all).
"""
import bisect
import hashlib
import os
import re
import shutil
import stat
import subprocess
import sys

MC_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHIM = os.path.join(MC_ROOT, "tests", "fault", "libfault.so")
INFO = os.path.join(MC_ROOT, "bin", "mc-info")
TEMP = re.compile(r"(^|/)\.([^/]*\.(tmp|old)-[^/]*|genes\.new)(/|$)")
META = ("profiles.yaml", "genes.yaml", "format.yaml", "lanes.txt")
VERIFIED = ("profiles.yaml", "genes.yaml")


def is_temp(path):
    return TEMP.search(path) is not None


def sha(data):
    return hashlib.sha1(data).hexdigest()


def scan(root):
    """path -> ('d',) | ('f', sha) | ('l', target); the inode tree: ino -> {name: (type, ino, target)};
    ino -> path of each file; the names as the recorder lists them."""
    tree, dirs, files, names = {}, {}, {}, []
    for top, dnames, fnames in os.walk(root):
        rel = os.path.relpath(top, root)
        rel = "" if rel == "." else rel + "/"
        entries = dirs.setdefault(os.lstat(top).st_ino, {})
        for n in dnames + fnames:
            p = os.path.join(top, n)
            st = os.lstat(p)
            if stat.S_ISDIR(st.st_mode):
                tree[rel + n] = ("d",)
                entries[n] = ("d", st.st_ino, None, st.st_mtime_ns)
                names.append(f"d {st.st_ino} {st.st_mtime_ns} {rel}{n}")
            elif stat.S_ISLNK(st.st_mode):
                tree[rel + n] = ("l", os.readlink(p))
                entries[n] = ("l", st.st_ino, os.readlink(p), st.st_mtime_ns)
                names.append(f"l {st.st_ino} {st.st_mtime_ns} {rel}{n}\t{os.readlink(p)}")
            elif stat.S_ISREG(st.st_mode):
                with open(p, "rb") as f:
                    data = f.read()
                tree[rel + n] = ("f", sha(data))
                entries[n] = ("f", st.st_ino, None, st.st_mtime_ns)
                files[st.st_ino] = rel + n
                names.append(f"f {st.st_ino} {st.st_mtime_ns} {rel}{n}")
            else:
                entries[n] = ("o", st.st_ino, None, st.st_mtime_ns)
        dnames[:] = [d for d in dnames if not os.path.islink(os.path.join(top, d))]
    return tree, dirs, files, names


class Recording:
    """The recorder's log: syncs of files and directories, and creations, in order."""

    def __init__(self, logdir, dirs0, files0, t0copy):
        self.logdir, self.t0copy, self.files0 = logdir, t0copy, files0
        self.births = {}             # ino -> [event index of each creation]
        self.file_syncs = {}         # (ino, birth) -> [(index, blob)]
        self.dir_syncs = {}          # (ino, birth) -> [(index, {name: (type, ident, target)})]
        self.points = [-1]           # the crash points: before the first sync and after each
        self.dirs0 = {(ino, -1): {n: (t, (i, -1), tg, m) for n, (t, i, tg, m) in e.items()} for ino, e in dirs0.items()}
        self.hashes = {}
        self.listings = {}           # sync index -> the tree's names then ("TYPE INO PATH[\tTARGET]")
        log = os.path.join(logdir, "log")
        lines = []
        if os.path.exists(log):   # no record: the run synced nothing
            with open(log, encoding="utf-8", errors="surrogateescape") as f:
                lines = f.read().split("\n")
        i, index = 0, 0
        while i < len(lines) and lines[i]:
            kind, ino, rest = lines[i].split(" ", 2) if lines[i].count(" ") >= 2 else lines[i].split(" ") + [""]
            ino = int(ino)
            i += 1
            if kind == "L":   # the names at the sync just recorded
                self.listings[index - 1] = lines[i:i + ino]
                i += ino
                continue
            if kind == "B":
                self.births.setdefault(ino, []).append(index)
            elif kind == "F":
                size, blob, mtime = rest.split(" ")
                self.file_syncs.setdefault(self.ident(ino, index), []).append((index, (blob, int(mtime))))
                self.points.append(index)
            elif kind == "D":
                entries = {}
                for line in lines[i:i + int(rest)]:
                    t, eino, mtime, name = line.split(" ", 3)
                    target = None
                    if t == "l":
                        name, target = name.split("\t", 1)
                    entries[name] = (t, self.ident(int(eino), index), target, int(mtime))
                i += int(rest)
                self.dir_syncs.setdefault(self.ident(ino, index), []).append((index, entries))
                self.points.append(index)
            else:
                raise SystemExit(f"crash.py: bad record {lines[i - 1]!r}")
            index += 1

    def ident(self, ino, index):
        """The file an inode number named at INDEX: (ino, index of its creation, -1 if it existed before)."""
        b = self.births.get(ino, [])
        k = bisect.bisect_right(b, index) - 1
        return (ino, b[k] if k >= 0 else -1)

    @staticmethod
    def last(syncs, k):
        if not syncs:
            return None
        j = bisect.bisect_right([s[0] for s in syncs], k) - 1
        return syncs[j][1] if j >= 0 else None

    def content(self, ident, k, mtime):
        """A file's bytes after a crash at K, ('blob', NAME) | ('t0', PATH) | ('empty',), and its
        modification time: as synced, else as before the run, else MTIME (its name's)."""
        synced = self.last(self.file_syncs.get(ident), k)
        if synced is not None:
            return ("blob", synced[0]), synced[1]
        if ident[1] == -1 and ident[0] in self.files0:
            return ("t0", self.files0[ident[0]]), mtime
        return ("empty",), mtime

    def read(self, ref):
        if ref[0] == "blob":
            path = os.path.join(self.logdir, ref[1])
        elif ref[0] == "t0":
            path = os.path.join(self.t0copy, ref[1])
        else:
            return b""
        with open(path, "rb") as f:
            return f.read()

    def hash(self, ref):
        if ref not in self.hashes:
            self.hashes[ref] = sha(self.read(ref))
        return self.hashes[ref]

    def entries(self, ident, k):
        e = self.last(self.dir_syncs.get(ident), k)
        if e is not None:
            return e
        return self.dirs0.get(ident, {})

    def state(self, root_ident, k):
        """path -> ('d',) | ('f', sha, ref) | ('l', target) after a crash at K."""
        out = {}

        def walk(ident, prefix, depth):
            if depth > 64:
                raise SystemExit("crash.py: directories nested deeper than 64 (a loop?)")
            for name, (t, eid, target, mtime) in sorted(self.entries(ident, k).items()):
                p = prefix + name
                if t == "d":
                    out[p] = ("d",)
                    walk(eid, p + "/", depth + 1)
                elif t == "l":
                    out[p] = ("l", target)
                elif t == "f":
                    ref, mtime = self.content(eid, k, mtime)
                    out[p] = ("f", self.hash(ref), ref, mtime)
        walk(root_ident, "", 0)
        return out

    def names_state(self, lines, k):
        """The state after a crash at K keeping every name of LINES (and the bytes synced by K)."""
        out = {}
        for line in lines:
            t, ino, mtime, path = line.split(" ", 3)
            if t == "d":
                out[path] = ("d",)
            elif t == "l":
                path, target = path.split("\t", 1)
                out[path] = ("l", target)
            elif t == "f":
                ref, mtime = self.content(self.ident(int(ino), k), k, int(mtime))
                out[path] = ("f", self.hash(ref), ref, mtime)
        return out


def under(tree, u):
    """The part of TREE under directory U, keyed by path relative to U."""
    pre = u + "/"
    return {p[len(pre):]: v for p, v in tree.items() if p.startswith(pre)}


def files_of(tree):
    return {p: v[1] for p, v in tree.items() if v[0] == "f"}


def units(tree, names):
    """The directories of TREE holding one of NAMES."""
    return sorted(p.rsplit("/", 1)[0] for p, v in tree.items()
                  if v[0] == "f" and "/" in p and p.rsplit("/", 1)[1] in names)


def own(tree, u, all_units):
    """Files of unit U, without those of units nested in it."""
    nested = [v[len(u) + 1:] + "/" for v in all_units if v.startswith(u + "/")]
    return {p: h for p, h in files_of(under(tree, u)).items() if not any(p.startswith(n) for n in nested)}


class Checker:
    def __init__(self, t0, t1, allow):
        self.t0, self.t1, self.allow = t0, t1, allow
        self.problems = []

    def fail(self, where, msg):
        self.problems.append(f"{where}: {msg}")

    def check_bytes(self, k, vis):
        for p, v in vis.items():
            was, now = self.t0.get(p), self.t1.get(p)
            if v[0] == "f" and (was is None or v[1] != was[1]) and (now is None or v[1] != now[1]):
                what = "empty" if v[2] == ("empty",) else "bytes of neither"
                self.fail(k, f"{p}: {what} the old nor the new file" if what != "empty"
                          else f"{p}: empty (its bytes were never synced), yet committed")
            elif v[0] != "f" and not any(x is not None and x[0] == v[0] for x in (was, now)):
                self.fail(k, f"{p}: a {v[0]} where neither the old nor the new tree has one")

    def check_units(self, k, vis):
        all_units = set(units(vis, META)) | set(units(self.t0, META)) | set(units(self.t1, META))
        for u in units(vis, META):
            metas = [m for m in META if f"{u}/{m}" in vis]
            need = self.committed.get((u, metas[0], vis[f"{u}/{metas[0]}"][1]))
            if need is None:
                continue   # a meta file never committed: check_bytes says so
            missing = sorted(p for p in need - set(own(vis, u, all_units))
                             if not any(re.search(a, f"{u}/{p}") for a in self.allow))
            if missing:
                self.fail(k, f"{u}: looks complete ({metas[0]}) but lacks {', '.join(missing)}")

    def learn_commits(self, states):
        """What a unit held when each version of its meta file first appeared at a committed path
        (model 2's states in order, after the state before the run): a crash may lose files
        added to it later (caches, data, the glue's), never these."""
        self.committed = {}
        all_units = set(units(self.t0, META)) | set(units(self.t1, META))
        for tree in [self.t0] + states:
            for u in units(tree, META):
                if is_temp(u):
                    continue
                m = [m for m in META if f"{u}/{m}" in tree][0]
                self.committed.setdefault((u, m, tree[f"{u}/{m}"][1]), set(own(tree, u, all_units)))

    def check_together(self, k, vis):
        for judge, *others in self.together:
            if judge in vis and vis[judge][:2] == self.t1.get(judge) != self.t0.get(judge):
                stale = [p for p in others if vis.get(p, (None,))[:2] != self.t1.get(p)]
                if stale:
                    self.fail(k, f"{judge} is new, but not {', '.join(stale)}: make takes the set as done")

    def check_rerun(self, k, rec, state, cmd, work):
        dest = os.path.join(work, "rerun")
        materialize(rec, state, dest)
        env = dict(os.environ, MC_NO_FSYNC="1")
        r = subprocess.run(cmd, cwd=dest, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if r.returncode != 0:
            return self.fail(k, f"run again: exit {r.returncode}: {r.stderr.strip()}")
        after, _, _, _ = scan(dest)
        for p in sorted(set(after) | set(self.t1)):
            a, b = after.get(p), self.t1.get(p)
            if is_temp(p) or any(re.search(x, p) for x in self.allow) or (a and b and a == b):
                continue
            self.fail(k, f"run again: {p}: " + ("missing" if a is None else "left, though the run did not leave it"
                                                if b is None else "differs from the uninterrupted run's"))

    def check_final(self, k, vis):
        t1 = {p: v for p, v in self.t1.items() if not is_temp(p)}
        for p in sorted(set(t1) | set(vis)):
            if any(re.search(a, p) for a in self.allow):
                continue
            a, b = vis.get(p), t1.get(p)
            if a is None:
                self.fail(k, f"{p}: lost, though the run ended (never made durable)")
            elif b is None:
                self.fail(k, f"{p}: left after the run ended, though the run removed it")
            elif a[:2] != b[:2]:
                self.fail(k, f"{p}: differs from what the run left")


def materialize(rec, state, dest):
    shutil.rmtree(dest, ignore_errors=True)
    os.makedirs(dest)
    for p, v in sorted(state.items()):
        full = os.path.join(dest, p)
        if v[0] == "d":
            os.makedirs(full, exist_ok=True)
        elif v[0] == "l":
            os.symlink(v[1], full)
        else:
            with open(full, "wb") as f:
                f.write(rec.read(v[2]))
            os.utime(full, ns=(v[3], v[3]))


def verify(checker, rec, k, state, work, done):
    """D: mc-info --verify on every container and gene set in STATE."""
    vis_sig = sha(repr(sorted((p, v[:2]) for p, v in state.items() if not is_temp(p))).encode())
    todo = []
    for u in units(state, VERIFIED):
        sub = under(state, u)
        key = (u, vis_sig, sha(repr(sorted((p, v[:2]) for p, v in sub.items())).encode()))
        if key in done:
            continue
        done.add(key)
        damaged = []
        if is_temp(u) and not is_temp(u.rsplit("/", 1)[0] if "/" in u else ""):
            parent, name = u.rsplit("/", 1) if "/" in u else ("", u)
            final = re.sub(r"^\.(.*)\.(tmp|old)-.*$|^\.(genes)\.new$", r"\1\3", name)
            # what the temporary is on its way to be (new), or was (old, exchanged out by --force)
            refs = [under(t, f"{parent}/{final}" if parent else final) for t in (checker.t1, checker.t0)]
            damaged = [p for p, v in sub.items()   # (no final to compare with: not judged)
                       if v[0] == "f" and any(refs) and all(p not in r or r[p][:2] != v[:2] for r in refs)]
        elif is_temp(u):
            continue   # inside a temporary's temporary: nothing a tool reads
        todo.append((u, damaged))
    if not todo:
        return 0
    dest = os.path.join(work, "state")
    materialize(rec, state, dest)
    for u, damaged in todo:
        r = subprocess.run([INFO, "--verify", u], cwd=dest, capture_output=True, text=True, errors="replace")
        lines = r.stderr.splitlines()
        if r.returncode not in (0, 1) or (r.returncode == 1 and (not lines or any(
                not ln.startswith("mc-info: ") for ln in lines))):
            checker.fail(k, f"mc-info --verify {u}: exit {r.returncode}: {r.stderr.strip()}")
        elif r.returncode == 0 and damaged:
            checker.fail(k, f"mc-info --verify {u} passes, though {', '.join(sorted(damaged))} "
                            f"{'is' if len(damaged) == 1 else 'are'} not what was written")
    return len(todo)


def main(argv):
    allow, together, rerun = [], [], False
    while argv and argv[0] in ("--allow", "--together", "--rerun"):
        if argv[0] == "--rerun":
            rerun, argv = True, argv[1:]
        else:
            (allow if argv[0] == "--allow" else together).append(argv[1])
            argv = argv[2:]
    if len(argv) < 3 or argv[1] != "--":
        raise SystemExit(__doc__.split("\n\n")[0])
    root, cmd = os.path.realpath(argv[0]), argv[2:]
    work = root + ".crash"
    shutil.rmtree(work, ignore_errors=True)
    logdir = os.path.join(work, "log")
    os.makedirs(logdir)
    t0copy = os.path.join(work, "t0")
    subprocess.run(["cp", "-a", root, t0copy], check=True)
    t0, dirs0, files0, _ = scan(root)
    root_ino = os.lstat(root).st_ino
    # Under make sanitize the recorder is preloaded ahead of ASan's runtime, which ASan refuses unless told.
    asan = ":".join(filter(None, [os.environ.get("ASAN_OPTIONS"), "verify_asan_link_order=0"]))
    env = dict(os.environ, MC_CRASH_LOG=logdir, MC_CRASH_ROOT=root, LD_PRELOAD=SHIM, ASAN_OPTIONS=asan)
    env.pop("MC_NO_FSYNC", None)
    r = subprocess.run(cmd, cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        raise SystemExit(f"crash.py: {' '.join(cmd)}: exit {r.returncode}: {r.stderr.strip()}")
    t1, _, _, names1 = scan(root)
    rec = Recording(logdir, dirs0, files0, t0copy)
    checker = Checker(t0, t1, allow)
    checker.together = [t.split() for t in together]
    for p in (p for t in checker.together for p in t):
        if t1.get(p, (None,))[0] != "f":
            raise SystemExit(f"crash.py: --together: {p}: not a file the run left")
    end = rec.points[-1] + 1
    # (where, final?, state): model 1 (only synced names) and model 2 (every name kept)
    at = ["before any sync"] + [f"after sync {n}" for n in range(1, len(rec.points))]
    points = [(f"crash {w}", False, lambda k=k: rec.state((root_ino, -1), k)) for w, k in zip(at, rec.points)]
    points += [(f"crash {w}, every name kept", False, lambda k=k: rec.names_state(rec.listings[k], k))
               for w, k in zip(at[1:], rec.points[1:])]
    points += [("crash after the run", True, lambda: rec.state((root_ino, -1), end)),
               ("crash after the run, every name kept", True, lambda: rec.names_state(names1, end))]
    checker.learn_commits([rec.names_state(rec.listings[k], k) for k in rec.points[1:]] +
                          [rec.names_state(names1, end)])
    seen, done, verified, distinct, model1 = set(), set(), 0, 0, []
    for k, final, make in points:   # k: where the crash is
        state = make()
        sig = sha(repr(sorted((p, v[:2]) for p, v in state.items())).encode())
        if sig in seen and not final:
            continue
        seen.add(sig)
        distinct += 1
        if ", every name kept" not in k and not final:
            model1.append((k, state))
        vis = {p: v for p, v in state.items() if not is_temp(p) and not any(re.search(a, p) for a in allow)}
        checker.check_bytes(k, vis)
        checker.check_units(k, vis)
        checker.check_together(k, vis)
        if final:
            checker.check_final(k, vis)
        verified += verify(checker, rec, k, state, work, done)
    for k, state in model1 if rerun else []:
        checker.check_rerun(k, rec, state, cmd, work)
    for p in checker.problems[:20]:
        print(p, file=sys.stderr)
    print(f"{os.path.basename(cmd[0])}: {len(rec.points) - 1} syncs, {distinct} distinct crash states, "
          f"{verified} verifies, {len(model1) if rerun else 0} reruns, {len(checker.problems)} problems")
    if checker.problems:
        return 1
    shutil.rmtree(work)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
