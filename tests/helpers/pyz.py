"""pyz.py serve SOCKET: the fork server behind tests/helpers/pyz (the tests' $PY).

A python start-up that imports numpy, h5py, pandas and anndata costs 0.5 to 1.5 s of CPU,
and the suite starts hundreds: this process imports them once, and for each request of the
client (pyz.c) forks a worker that takes the client's stdin, stdout and stderr (passed over
the socket), working directory, umask, open-file limit, environment and arguments, runs the
program as `python3 -c CODE`, `python3 -` or `python3 SCRIPT` would, with a fresh __main__
and reseeded random states, and exits as python would (but for tearing down the imports);
the client exits with its status.

It lives as long as SOCKET's directory does (bats's run directory), or 10 idle minutes."""
import atexit
import gc
import os
import signal
import socket
import sys
import time

import numpy  # noqa: F401  (what the requests import, imported once)
import h5py  # noqa: F401
import pandas  # noqa: F401
import scipy.sparse  # noqa: F401
import anndata  # noqa: F401
import loompy  # noqa: F401  (~1.5 s an import: the Loom writers and checks)


def recv_request(conn):
    """The client's three descriptors and its request: cwd, umask, nofile, argv, environ."""
    data, fds, _, _ = socket.recv_fds(conn, 1 << 16, 3)
    while len(data) < 4 or len(data) < 4 + int.from_bytes(data[:4], "little"):
        more = conn.recv(1 << 16)
        if not more:
            raise EOFError
        data += more
    fields = data[4:4 + int.from_bytes(data[:4], "little")].split(b"\0")
    cwd, umask, nofile, argc = fields[0], int(fields[1]), int(fields[2]), int(fields[3])
    argv = [os.fsdecode(a) for a in fields[4:4 + argc]]
    env = {}
    for e in fields[4 + argc:-1]:
        k, _, v = e.partition(b"=")
        env[os.fsdecode(k)] = os.fsdecode(v)
    return fds, cwd, umask, nofile, argv, env


def std_streams(unbuffered):
    """sys.stdin, stdout and stderr over the client's descriptors, buffered as python would
    buffer them for this client (PYTHONUNBUFFERED: python -u)."""
    import io

    def text(fd, mode, errors, line=False):
        raw = io.FileIO(fd, mode, closefd=False)
        if unbuffered and mode == "w":
            return io.TextIOWrapper(raw, encoding=enc, errors=errors, write_through=True)
        buf = io.BufferedReader(raw) if mode == "r" else io.BufferedWriter(raw)
        return io.TextIOWrapper(buf, encoding=enc, errors=errors, line_buffering=line or raw.isatty())

    enc = sys.stdout.encoding
    sys.stdin = sys.__stdin__ = text(0, "r", errors=sys.stdin.errors)
    sys.stdout = sys.__stdout__ = text(1, "w", errors=sys.stdout.errors)
    sys.stderr = sys.__stderr__ = text(2, "w", errors="backslashreplace", line=True)


def run_worker(fds, cwd, umask, nofile, argv, env):
    """In the forked worker: become the client's python, run the program, never return."""
    import random
    import resource
    import traceback
    import types

    for i, fd in enumerate(fds):
        os.dup2(fd, i)
        os.close(fd)
    os.chdir(cwd)
    os.umask(umask)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if nofile < soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, hard))
    os.environ.clear()
    os.environ.update(env)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    sys.dont_write_bytecode = bool(env.get("PYTHONDONTWRITEBYTECODE"))
    std_streams(bool(env.get("PYTHONUNBUFFERED")))
    random.seed()
    numpy.random.seed()
    main = types.ModuleType("__main__")
    sys.modules["__main__"] = main
    code = 0
    try:
        if argv[0] == "-c":
            sys.argv, sys.path[0] = ["-c"] + argv[2:], ""
            exec(compile(argv[1], "<string>", "exec"), main.__dict__)
        elif argv[0] == "-":
            sys.argv, sys.path[0] = argv, ""
            exec(compile(sys.stdin.read(), "<stdin>", "exec"), main.__dict__)
        else:
            path = os.path.abspath(argv[0])   # as python's __file__ of a script
            sys.argv, sys.path[0] = argv, os.path.dirname(os.path.realpath(path))
            with open(path, "rb") as f:
                source = f.read()
            main.__file__, main.__cached__ = path, None
            exec(compile(source, path, "exec"), main.__dict__)
    except SystemExit as e:
        if e.code is None:
            code = 0
        elif isinstance(e.code, int):
            code = e.code
        else:
            print(e.code, file=sys.stderr)
            code = 1
    except BaseException as e:   # as python reports it: the program's frames only
        tb = e.__traceback__
        while tb is not None and tb.tb_frame.f_code.co_filename == __file__:
            tb = tb.tb_next
        traceback.print_exception(type(e), e, tb)
        code = 1
    exit_worker(main, code)


def exit_worker(main, code):
    """Exit as python would, but for tearing down every module of the server's imports (a
    second of CPU a worker, each page of them copied to be freed): the program's globals
    dropped (files it left open closed), HDF5 files still open flushed, atexit handlers run,
    sys.stdout and sys.stderr flushed (120 when that fails, as python's status)."""
    main.__dict__.clear()
    gc.collect()
    try:
        for fid in h5py.h5f.get_obj_ids(types=h5py.h5f.OBJ_FILE):
            h5py.h5f.flush(fid)
    except Exception:
        pass
    atexit._run_exitfuncs()
    for f in (sys.stdout, sys.stderr):
        try:
            f.flush()
        except Exception:
            code = code or 120
    os._exit(code)


def serve_one(conn):
    """In the forked handler: the worker's status (as a shell's: 128 + signal) to the client."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    try:
        request = recv_request(conn)
    except (OSError, EOFError, ValueError, IndexError):
        os._exit(1)   # no go-ahead: the client runs python itself
    conn.sendall(b"R")
    pid = os.fork()
    if pid == 0:
        conn.close()
        run_worker(*request)
    for fd in request[0]:
        os.close(fd)
    _, status, usage = os.wait4(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    if os.environ.get("MC_PYZ_CPU"):   # the worker's CPU seconds, which the server cannot count
        with open(os.environ["MC_PYZ_CPU"], "a") as f:
            f.write(f"{usage.ru_utime:.2f} {usage.ru_stime:.2f} worker\n")
    conn.sendall((code if code >= 0 else 128 - code).to_bytes(4, "little"))
    os._exit(0)


def main(path):
    fd = os.open(os.devnull, os.O_RDWR)
    for i in range(3):
        os.dup2(fd, i)
    os.closerange(3, 1 << 16)   # bats waits on what its children hold open
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)   # handlers reaped by the kernel
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path + ".new")
    srv.listen(64)
    os.rename(path + ".new", path)
    srv.settimeout(1)
    gc.collect()
    gc.freeze()   # the imports' objects out of the collector's sight: a worker copies fewer pages
    idle = time.monotonic()
    while os.path.exists(path) and time.monotonic() - idle < 600:
        try:
            conn, _ = srv.accept()
        except socket.timeout:
            continue
        idle = time.monotonic()
        conn.settimeout(None)
        if os.fork() == 0:
            srv.close()
            serve_one(conn)   # (its worker leaves by sys.exit, through here: nothing to catch it)
        conn.close()
    if os.environ.get("MC_PYZ_CPU"):   # CPU seconds of the server itself (its handlers are not reaped)
        t = os.times()
        with open(os.environ["MC_PYZ_CPU"], "a") as f:
            f.write(f"{t.user:.2f} {t.system:.2f} server\n")


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "serve":
        raise SystemExit("usage: pyz.py serve SOCKET")
    main(sys.argv[2])
