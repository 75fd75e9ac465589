"""pyz.py serve SOCKET: the fork server behind tests/helpers/pyz (the tests' $PY).

A python start-up that imports numpy, h5py, pandas and anndata costs 0.5 to 1.5 s of CPU,
and the suite starts hundreds: this process imports them once, and for each request of the
client (pyz.c) forks a worker that takes the client's stdin, stdout and stderr (passed over
the socket), working directory, umask, open-file limit, environment and arguments, runs the
program as `python3 -c CODE`, `python3 -m MODULE`, `python3 -` or `python3 SCRIPT` would, with a fresh __main__
and reseeded random states, and exits as python would (but for tearing down the imports);
the client exits with its status.

It lives as long as SOCKET's directory does (bats's run directory), or 10 idle minutes."""
import atexit
import gc
import os
import select
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
try:   # Snakemake, when the tests run it through here: its start-up (~1.5 s of CPU) is imports
    import snakemake  # noqa: F401
    import snakemake.dag  # noqa: F401
    import snakemake.executors  # noqa: F401
    import snakemake.persistence  # noqa: F401
    import snakemake.scheduler  # noqa: F401
    # What a run imports later: the Snakefile's include parses its path with smart_open, which
    # imports the S3 and Azure clients (0.55 of the 0.65 s of CPU of a run with the above
    # imported: make check runs 35, a SLURM job's own Snakemake among them), and the scheduler
    # its solver's module.
    import snakemake.workflow  # noqa: F401
    import smart_open  # noqa: F401
    import pulp  # noqa: F401
    import appdirs, configargparse, datrie, tabulate, toposort, throttler, stopit, retry, humanfriendly  # noqa: F401,E401
except ImportError:
    pass


def drop_teardowns():
    """What the imports left to run at exit only tears their own state down: numba's ~480
    finalizers (loompy's compiled functions: dropped, never run), HDF5's type conversions,
    numba's and llvmlite's shutdown.  A worker ends a moment later anyway, and running them was
    ~45 ms of CPU a worker here, every page they touch copied from the server.  What a program
    registers still runs, and so do logging's flush and multiprocessing's handler."""
    import weakref
    weakref.finalize._registry.clear()   # a worker's exit walks it (~2 ms); none would run
    for name, mod in list(sys.modules.items()):
        f = None
        if name.startswith("h5py.") and name.endswith("._conv"):
            f = getattr(mod, "unregister_converters", None)
        elif name in ("numba.core.utils", "llvmlite.binding.common"):
            f = getattr(mod, "_at_shutdown", None)
        if f is not None:
            atexit.unregister(f)


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
    # the client's environment as changes to the server's: each variable set anew was a page
    # copied from the server, and nearly all are the same (a test's own differ)
    for k in [k for k in os.environ if k not in env]:
        del os.environ[k]
    for k, v in env.items():
        if os.environ.get(k) != v:
            os.environ[k] = v
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    sys.dont_write_bytecode = bool(env.get("PYTHONDONTWRITEBYTECODE"))
    # PYTHONPATH's directories after the program's own, as python puts them (a module the
    # server imported already is the server's, wherever PYTHONPATH points: numpy and the like)
    sys.path[1:1] = [d for d in env.get("PYTHONPATH", "").split(os.pathsep) if d]
    std_streams(bool(env.get("PYTHONUNBUFFERED")))
    numpy.random.seed()   # (random's own is reseeded by its at-fork hook)
    main = types.ModuleType("__main__")
    sys.modules["__main__"] = main
    code = 0
    try:
        if argv[0] == "-c":
            sys.argv, sys.path[0] = ["-c"] + argv[2:], ""
            exec(compile(argv[1], "<string>", "exec"), main.__dict__)
        elif argv[0] == "-m":   # as python -m: the module's file as argv[0], the directory first on the path
            import runpy
            sys.argv, sys.path[0] = argv[1:], os.getcwd()
            runpy.run_module(argv[1], run_name="__main__", alter_sys=True)
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
    if "threading" in sys.modules:   # as python's exit: its threads joined, then atexit
        sys.modules["threading"]._shutdown()
    atexit._run_exitfuncs()
    for f in (sys.stdout, sys.stderr):
        try:
            f.flush()
        except Exception:
            code = code or 120
    os._exit(code)


def start_worker(conn, srv, wake):
    """Fork the worker of one client's request; its pid and the client's MC_PYZ_CPU, or None
    (no go-ahead sent: the client runs python itself)."""
    conn.setblocking(True)
    conn.settimeout(10)   # a client that connects and sends nothing must not stall the server
    try:
        request = recv_request(conn)
        conn.sendall(b"R")
    except (OSError, EOFError, ValueError, IndexError):
        return None
    conn.settimeout(None)
    pid = os.fork()
    if pid == 0:
        signal.set_wakeup_fd(-1)
        for s in (srv, conn):
            s.close()
        for fd in wake:
            os.close(fd)
        run_worker(*request)
    for fd in request[0]:
        os.close(fd)
    env, argv = request[-1], request[-2]
    what = "%s: %s" % (env.get("BATS_TEST_FILENAME", "").rsplit("/", 1)[-1] + ":" +
                       env.get("BATS_TEST_NUMBER", "?"), " ".join(argv)[:120].replace("\n", " "))
    return pid, env.get("MC_PYZ_CPU"), what


def report_exits(clients):
    """Each worker that has ended: its status (as a shell's: 128 + signal) to its client."""
    while clients:
        try:
            pid, status, usage = os.wait4(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        conn, cpu, what = clients.pop(pid, (None, None, None))
        if conn is None:
            continue
        code = os.waitstatus_to_exitcode(status)
        if cpu:   # the worker's CPU seconds, which the client cannot count, where it asks
            with open(cpu, "a") as f:
                f.write(f"{usage.ru_utime:.2f} {usage.ru_stime:.2f} worker {what}\n")
        try:
            conn.sendall((code if code >= 0 else 128 - code).to_bytes(4, "little"))
        except OSError:
            pass   # the client is gone (killed): nobody to tell
        conn.close()


def main(path):
    """Serve until SOCKET's directory goes or 10 minutes pass with no client.  The server forks
    each worker itself and reaps it (woken by SIGCHLD through a pipe): one fork a request,
    not a handler's fork and then the worker's (a fork and an exit of this ~200 MB process are
    ~50 ms of CPU here, page tables copied and torn down)."""
    fd = os.open(os.devnull, os.O_RDWR)
    for i in range(3):
        os.dup2(fd, i)
    os.closerange(3, 1 << 16)   # bats waits on what its children hold open
    wake = os.pipe()
    for w in wake:
        os.set_blocking(w, False)
    signal.set_wakeup_fd(wake[1])
    signal.signal(signal.SIGCHLD, lambda *_: None)   # only to write to the wake-up pipe
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path + ".new")
    srv.listen(64)
    os.rename(path + ".new", path)
    srv.setblocking(False)
    drop_teardowns()
    gc.collect()
    gc.freeze()   # the imports' objects out of the collector's sight: a worker copies fewer pages
    clients = {}   # a running worker's pid -> its client's connection and MC_PYZ_CPU
    idle = time.monotonic()
    while os.path.exists(path) and (clients or time.monotonic() - idle < 600):
        ready, _, _ = select.select([srv, wake[0]], [], [], 1)
        if wake[0] in ready:
            try:
                while os.read(wake[0], 512):
                    pass
            except BlockingIOError:
                pass
        report_exits(clients)
        if srv in ready:
            try:
                conn, _ = srv.accept()
            except (BlockingIOError, InterruptedError):
                continue
            idle = time.monotonic()
            worker = start_worker(conn, srv, wake)
            if worker is None:
                conn.close()
            else:
                clients[worker[0]] = (conn, worker[1], worker[2])
    if os.environ.get("MC_PYZ_CPU"):   # CPU seconds of the server itself
        t = os.times()
        with open(os.environ["MC_PYZ_CPU"], "a") as f:
            f.write(f"{t.user:.2f} {t.system:.2f} server\n")


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "serve":
        raise SystemExit("usage: pyz.py serve SOCKET")
    main(sys.argv[2])
