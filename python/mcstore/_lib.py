"""libmc through ctypes: the structs and prototypes of mc.h, and its errors as exceptions.

Nothing here reads a format: every call is one of mc.h's."""
import ctypes
import os
from ctypes import POINTER, c_char, c_char_p, c_int, c_size_t, c_uint32, c_uint64, c_void_p

MC_BOOL, MC_INT32, MC_INT64, MC_FLOAT32, MC_FLOAT64, MC_TEXT = range(1, 7)


class Error(Exception):
    """A failure of libmc: its one-line message, as the tools print it after their name."""


class _Err(ctypes.Structure):
    _fields_ = [("msg", c_char * 1024)]


class _Text(ctypes.Structure):
    _fields_ = [("count", c_size_t), ("v", POINTER(c_char_p)), ("data", c_void_p), ("bytes", c_size_t)]


class _Data(ctypes.Structure):
    _fields_ = [("dtype", c_int), ("rows", c_size_t), ("cols", c_size_t), ("values", c_void_p), ("text", _Text),
                ("impl", c_void_p)]


class _Frame(ctypes.Structure):
    _fields_ = [("index", _Text), ("count", c_size_t), ("names", POINTER(c_char_p)), ("columns", POINTER(_Data)),
                ("impl", c_void_p)]


class _Selection(ctypes.Structure):
    _fields_ = [("profiles", c_void_p), ("profiles_count", c_size_t), ("genes", c_void_p), ("genes_count", c_size_t)]


def _candidates():
    """libmc.so.0: $MCSTORE_LIBMC, beside an installed package (PREFIX/lib/pythonX.Y/dist-packages/mcstore ->
    PREFIX/lib), in the source tree (python/mcstore -> common), then the loader's search path."""
    if os.environ.get("MCSTORE_LIBMC"):
        yield os.environ["MCSTORE_LIBMC"]
        return
    here = os.path.dirname(os.path.abspath(__file__))
    yield os.path.join(here, "..", "..", "..", "libmc.so.0")
    yield os.path.join(here, "..", "..", "common", "libmc.so.0")
    yield "libmc.so.0"


def _load():
    tried = []
    for path in _candidates():
        if os.sep in path and not os.path.exists(path):
            tried.append(path)
            continue
        try:
            return ctypes.CDLL(path)
        except OSError as e:
            tried.append(f"{path} ({e})")
    raise ImportError("mcstore: cannot load libmc.so.0; tried " + ", ".join(tried))


lib = _load()

_P = c_void_p
_E = POINTER(_Err)
_prototypes = {
    "mc_version": (c_char_p, []),
    "mc_genes_open": (_P, [c_char_p, _E]),
    "mc_genes_close": (None, [_P]),
    "mc_genes_count": (c_size_t, [_P]),
    "mc_genes_name": (c_char_p, [_P, c_size_t]),
    "mc_genes_uuid": (c_char_p, [_P]),
    "mc_genes_organism": (c_char_p, [_P]),
    "mc_genes_path": (c_char_p, [_P]),
    "mc_genes_available": (c_int, [_P, POINTER(_Text), _E]),
    "mc_genes_data_load": (c_int, [_P, c_char_p, POINTER(_Data), _E]),
    "mc_mmm_open": (_P, [c_char_p, _E]),
    "mc_mmm_close": (None, [_P]),
    "mc_mmm_profiles_count": (c_size_t, [_P]),
    "mc_mmm_genes_count": (c_size_t, [_P]),
    "mc_mmm_entries_count": (c_int, [_P, POINTER(c_uint64), _E]),
    "mc_mmm_profile_sparse": (c_int, [_P, c_size_t, POINTER(c_uint32), POINTER(c_uint64), c_size_t, POINTER(c_size_t),
                                      _E]),
    "mc_mmm_profile_add": (c_int, [_P, c_size_t, c_void_p, _E]),
    "mc_mmm_write": (c_int, [c_char_p, c_size_t, c_size_t, c_void_p, c_void_p, c_void_p, _E]),
    "mc_open": (_P, [c_char_p, c_char_p, _E]),
    "mc_close": (None, [_P]),
    "mc_path": (c_char_p, [_P]),
    "mc_kind": (c_char_p, [_P]),
    "mc_container_uuid": (c_char_p, [_P]),
    "mc_container_genes_uuid": (c_char_p, [_P]),
    "mc_organism": (c_char_p, [_P]),
    "mc_profiles_kind": (c_char_p, [_P]),
    "mc_profiles_count": (c_size_t, [_P]),
    "mc_container_genes_count": (c_size_t, [_P]),
    "mc_profile_names": (c_int, [_P, POINTER(_Text), _E]),
    "mc_gene_names": (c_int, [_P, POINTER(_Text), _E]),
    "mc_available": (c_int, [_P, c_char_p, POINTER(_Text), _E]),
    "mc_text_free": (None, [POINTER(_Text)]),
    "mc_data_load": (c_int, [_P, c_char_p, POINTER(_Data), _E]),
    "mc_data_free": (None, [POINTER(_Data)]),
    "mc_frame_load": (c_int, [_P, c_char_p, POINTER(_Frame), _E]),
    "mc_frame_free": (None, [POINTER(_Frame)]),
    "mc_write_numbers": (c_int, [_P, c_char_p, c_int, c_size_t, c_size_t, c_void_p, c_int, _E]),
    "mc_write_text": (c_int, [_P, c_char_p, POINTER(c_char_p), c_size_t, c_int, _E]),
    "mc_total_umis": (c_int, [_P, c_void_p, c_void_p, c_int, _E]),
    "mc_profile_sparse": (c_int, [_P, c_size_t, POINTER(c_uint32), POINTER(c_uint64), c_size_t, POINTER(c_size_t),
                                  _E]),
    "mc_profile_add": (c_int, [_P, c_size_t, c_void_p, _E]),
    "mc_csr_indptr": (c_int, [_P, POINTER(_Selection), c_int, c_void_p, _E]),
    "mc_csr_fill": (c_int, [_P, POINTER(_Selection), c_int, c_int, c_void_p, c_void_p, c_int, c_void_p, _E]),
    "mc_csr_bound": (c_int, [_P, POINTER(_Selection), c_void_p, _E]),
    "mc_csr_fill_once": (c_int, [_P, POINTER(_Selection), c_int, c_void_p, c_int, c_void_p, c_void_p, c_int, c_void_p,
                                 POINTER(ctypes.c_int64), _E]),
}
for _name, (_res, _args) in _prototypes.items():
    _f = getattr(lib, _name)
    _f.restype = _res
    _f.argtypes = _args
del _name, _res, _args, _f


def call(name, *args):
    """Call mc.h's NAME with ARGS and an mc_err: its result, or Error with its message."""
    f = getattr(lib, name)
    e = _Err()
    r = f(*args, ctypes.byref(e))
    if (r is None) if f.restype is _P else (r < 0):
        raise Error(e.msg.decode("utf-8", "replace"))
    return r


def text(t):
    """An mc_text's strings, as a list."""
    if not t.count:
        return []
    return ctypes.string_at(t.data, t.bytes).decode("utf-8", "surrogateescape").split("\0")[:-1]


def encode(s):
    return os.fsencode(s) if s is not None else None
