"""mcstore: mc's containers from Python, over libmc (mc.h) through ctypes.

The seed's API: Genes.load, ProfilesContainer.load (a batch, view, collection or groups, the kind
detected, the gene set found as the tools find it), profile_names, available_data, has_array /
has_matrix, any_array / any_series, any_matrix / any_frame, total_umis and write(array, kind, name);
and umis(), a selection of the UMIs as a scipy.sparse.csr_matrix decoded on every core by libmc,
and to_anndata(), what anndata reads from mc-export --h5ad.  Every format is read and written by
libmc (the tools' own code); a failure is an mcstore.Error carrying mc's one-line message.
"""
import ctypes
import os

import numpy as np

from . import _lib
from ._lib import Error

__all__ = ["Error", "Genes", "MemoryMappedMatrix", "ProfilesContainer", "version"]

_NUMPY = {_lib.MC_BOOL: np.bool_, _lib.MC_INT32: np.int32, _lib.MC_INT64: np.int64,
          _lib.MC_FLOAT32: np.float32, _lib.MC_FLOAT64: np.float64}
_MC = {np.dtype(v): k for k, v in _NUMPY.items()}
_AXES = {"g": ("g",), "p": ("p",), "gg": ("g", "g"), "pp": ("p", "p"), "gp": ("g", "p")}


def version():
    return _lib.lib.mc_version().decode()


def _text(fill, *args):
    t = _lib._Text()
    try:
        _lib.call(fill, *args, ctypes.byref(t))
        return _lib.text(t)
    finally:
        _lib.lib.mc_text_free(ctypes.byref(t))


def _values(d):
    """An mc_data's values, copied into numpy (text: an array of str)."""
    if d.dtype == _lib.MC_TEXT:
        return np.array(_lib.text(d.text), dtype=object).astype(str) if d.rows else np.array([], dtype=str)
    dtype = np.dtype(_NUMPY[d.dtype])
    shape = (d.rows, d.cols) if d.cols else (d.rows,)
    n = int(np.prod(shape))
    if not n:
        return np.empty(shape, dtype)
    raw = (ctypes.c_char * (n * dtype.itemsize)).from_address(d.values)
    return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()


def _indices(selection, count, what, names=None):
    """A selection (None, integers, a boolean mask, or names when NAMES gives them) as contiguous
    int64 indices, or None."""
    if selection is None:
        return None
    a = np.asarray(selection)
    if a.dtype.kind in "UO" and names is not None:
        where = {n: i for i, n in enumerate(names())}
        missing = [str(n) for n in a.reshape(-1) if str(n) not in where]
        if missing:
            raise Error(f"no {what[:-1]} named '{missing[0]}'")
        a = np.array([where[str(n)] for n in a.reshape(-1)], dtype=np.int64)
    if a.dtype == np.bool_:
        if a.shape != (count,):
            raise Error(f"a mask of {what} has {a.size} values, not {count}")
        a = np.flatnonzero(a)
    return np.ascontiguousarray(a, dtype=np.int64).reshape(-1)


class _Handle:
    """A libmc handle in self._h, released by the C function named _release: at close(), at the end
    of a with block, or when collected."""

    _release = None

    def close(self):
        """Release the handle (the mapping, the files); later calls do nothing."""
        if getattr(self, "_h", None):
            getattr(_lib.lib, self._release)(self._h)
            self._h = None

    def __del__(self):
        self.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class Genes(_Handle):
    """A gene set directory (SPEC 5): its sorted, upper-case names."""

    _release = "mc_genes_close"

    def __init__(self, handle):
        self._h = handle
        lib = _lib.lib
        self.path = lib.mc_genes_path(handle).decode()
        self.uuid = lib.mc_genes_uuid(handle).decode()
        self.organism = lib.mc_genes_organism(handle).decode()
        self.count = lib.mc_genes_count(handle)
        self.names = np.array([lib.mc_genes_name(handle, i).decode() for i in range(self.count)], dtype=str)

    @staticmethod
    def load(path, organism=None):
        """Open the gene set directory PATH; ORGANISM, when given, must be its organism."""
        g = Genes(_lib.call("mc_genes_open", _lib.encode(path)))
        if organism is not None and organism != g.organism:
            raise Error(f"{g.path}: the genes of {g.organism}, not of {organism}")
        return g

    def available_data(self):
        """Sorted names of the set's per-gene arrays (g.NAME.txt or .npy): name, ensembl, original_name, ..."""
        return _text("mc_genes_available", self._h)

    def has_array(self, name):
        return name in self.available_data()

    def any_array(self, name):
        """The set's per-gene array NAME (numbers, or str), a value a gene in the set's order."""
        d = _lib._Data()
        try:
            if not _lib.call("mc_genes_data_load", self._h, name.encode(), ctypes.byref(d)):
                raise Error(f"{self.path}: g.{name}: no such data")
            return _values(d)
        finally:
            _lib.lib.mc_data_free(ctypes.byref(d))


class MemoryMappedMatrix(_Handle):
    """One MMM file (SPEC 6) by itself, the seed's read-only memory-mapped matrix of integer counts
    per profile and gene, mapped and decoded by libmc (its header and offsets checked on opening,
    every pair while decoding)."""

    _release = "mc_mmm_close"

    def __init__(self, path):
        self.path = os.fsdecode(path)
        self._h = _lib.call("mc_mmm_open", _lib.encode(path))
        self.profiles_count = _lib.lib.mc_mmm_profiles_count(self._h)
        self.genes_count = _lib.lib.mc_mmm_genes_count(self._h)

    def entries_count(self):
        """The number of non-zero entries (every profile decoded)."""
        n = ctypes.c_uint64()
        _lib.call("mc_mmm_entries_count", self._h, ctypes.byref(n))
        return n.value

    def profile_data(self, profile_index):
        """Profile PROFILE_INDEX's non-zero genes (ascending, uint32) and counts (uint64)."""
        genes = np.empty(max(self.genes_count, 1), np.uint32)
        counts = np.empty(max(self.genes_count, 1), np.uint64)
        n = ctypes.c_size_t()
        _lib.call("mc_mmm_profile_sparse", self._h, int(profile_index),
                  genes.ctypes.data_as(ctypes.POINTER(ctypes.c_uint32)),
                  counts.ctypes.data_as(ctypes.POINTER(ctypes.c_uint64)), len(genes), ctypes.byref(n))
        return genes[:n.value].copy(), counts[:n.value].copy()

    def add_profile_data(self, profile_index, array):
        """Add profile PROFILE_INDEX's counts into ARRAY (genes_count numbers: float32 as the seed, or
        any number type), in place; ARRAY is returned."""
        if not (isinstance(array, np.ndarray) and array.shape == (self.genes_count,) and array.dtype.kind in "iuf"):
            raise Error(f"{self.path}: a profile is added into a numeric array of {self.genes_count} values")
        if array.dtype == np.uint64 and array.flags.c_contiguous and array.flags.writeable:
            _lib.call("mc_mmm_profile_add", self._h, int(profile_index), array.ctypes.data_as(ctypes.c_void_p))
        else:
            genes, counts = self.profile_data(profile_index)
            array[genes] += counts.astype(array.dtype)   # genes unique: one addition each
        return array

    def to_numpy_matrix(self, dtype=np.float32):
        """The whole matrix dense: rows the genes, columns the profiles (as the seed), of DTYPE."""
        m = np.zeros((self.genes_count, self.profiles_count), dtype)
        for p in range(self.profiles_count):
            genes, counts = self.profile_data(p)
            m[genes, p] = counts
        return m

    @staticmethod
    def write(path, genes_count, data):
        """Write PATH, an MMM of GENES_COUNT genes: DATA holds a list per profile of (gene index,
        count) pairs, in any order, zeros and repeats allowed (summed), as the tools write it."""
        indptr = np.zeros(len(data) + 1, np.int64)
        indptr[1:] = np.cumsum([len(d) for d in data])
        pairs = np.array([pair for d in data for pair in d], dtype=np.int64).reshape(-1, 2)
        if (pairs < 0).any():
            raise Error(f"{os.fsdecode(path)}: a negative gene index or count")
        genes = np.ascontiguousarray(np.minimum(pairs[:, 0], 2**32 - 1), np.uint32)
        values = np.ascontiguousarray(pairs[:, 1], np.uint64)
        _lib.call("mc_mmm_write", _lib.encode(path), int(genes_count), len(data),
                  indptr.ctypes.data_as(ctypes.c_void_p), genes.ctypes.data_as(ctypes.c_void_p),
                  values.ctypes.data_as(ctypes.c_void_p))


class ProfilesContainer(_Handle):
    """A container of any kind, with its chain of bases and members."""

    _release = "mc_close"

    def __init__(self, handle):
        self._h = handle
        lib = _lib.lib
        self.path = lib.mc_path(handle).decode()
        self.kind = lib.mc_kind(handle).decode()
        self.uuid = lib.mc_container_uuid(handle).decode()
        self.genes_uuid = lib.mc_container_genes_uuid(handle).decode()
        self.organism = lib.mc_organism(handle).decode()
        self.profiles_kind = lib.mc_profiles_kind(handle).decode()
        self.profiles_count = lib.mc_profiles_count(handle)
        self.genes_count = lib.mc_container_genes_count(handle)
        self._profile_names = self._gene_names = None

    @staticmethod
    def load(path, genes=None):
        """Open PATH; GENES (a Genes or its directory) names its gene set, else the first genes/
        directory above PATH with its uuid, as the tools find it."""
        gdir = genes.path if isinstance(genes, Genes) else genes
        return ProfilesContainer(_lib.call("mc_open", _lib.encode(path), _lib.encode(gdir)))

    def __repr__(self):
        return (f"ProfilesContainer({self.path!r}: {self.kind}, {self.profiles_count} {self.profiles_kind} x "
                f"{self.genes_count} genes)")

    # --- names -------------------------------------------------------------------------------

    def profile_names(self):
        """The profile names (SPEC 7) as mc-sum and mc-export print them."""
        if self._profile_names is None:
            self._profile_names = np.array(_text("mc_profile_names", self._h), dtype=str)
        return self._profile_names

    def gene_names(self):
        """The container's own genes' canonical names, through its gene set."""
        if self._gene_names is None:
            self._gene_names = np.array(_text("mc_gene_names", self._h), dtype=str)
        return self._gene_names

    def profile_indices(self):
        return np.arange(self.profiles_count, dtype=np.int32)

    def _axis_names(self, axis):
        return self.gene_names() if axis == "g" else self.profile_names()

    # --- data --------------------------------------------------------------------------------

    def available_data(self, kind):
        """Sorted names of the data of KIND visible in this container, as mc-info lists them."""
        return _text("mc_available", self._h, kind.encode())

    def has_array(self, kind, name):
        return kind in ("g", "p") and name in self.available_data(kind)

    def has_matrix(self, kind, name):
        return kind in ("gg", "pp", "gp") and name in self.available_data(kind)

    def _load(self, kind, name):
        if kind not in _AXES:
            raise Error(f"'{kind}': a data kind is one of g, p, gp, gg, pp")
        d = _lib._Data()
        try:
            if not _lib.call("mc_data_load", self._h, f"{kind}.{name}".encode(), ctypes.byref(d)):
                raise Error(f"{self.path}: {kind}.{name}: no such data")
            return _values(d)
        finally:
            _lib.lib.mc_data_free(ctypes.byref(d))

    def any_array(self, kind, name):
        """A g or p array (numbers, or str), resolved through views and collections."""
        if kind not in ("g", "p"):
            raise Error(f"'{kind}': an array is of kind g or p")
        return self._load(kind, name)

    def any_series(self, kind, name):
        import pandas as pd
        return pd.Series(self.any_array(kind, name), index=self._axis_names(kind), name=name)

    def any_matrix(self, kind, name, profile_indices=None, gene_indices=None):
        """A gg, pp or gp matrix (gp: genes x profiles), optionally of some profiles and genes."""
        if kind not in ("gg", "pp", "gp"):
            raise Error(f"'{kind}': a matrix is of kind gg, pp or gp")
        if kind == "gp" and name == "umis":   # the sparse matrix itself, dense
            return self.umis(profile_indices, gene_indices, dtype=np.int64).T.toarray()
        m = self._load(kind, name)
        pick = [self._pick(axis, profile_indices, gene_indices) for axis in _AXES[kind]]
        if pick[0] is not None:
            m = m[pick[0], :]
        if pick[1] is not None:
            m = m[:, pick[1]]
        return m

    def _pick(self, axis, profile_indices, gene_indices):
        if axis == "g":
            return _indices(gene_indices, self.genes_count, "genes", self.gene_names)
        return _indices(profile_indices, self.profiles_count, "profiles", self.profile_names)

    def any_frame(self, kind, name, profile_indices=None, gene_indices=None):
        """any_matrix as a DataFrame: genes by name, profiles by integer index (as the seed)."""
        import pandas as pd
        m = self.any_matrix(kind, name, profile_indices, gene_indices)
        labels = []
        for axis in _AXES[kind]:
            pick = self._pick(axis, profile_indices, gene_indices)
            if axis == "g":
                labels.append(self.gene_names() if pick is None else self.gene_names()[pick])
            else:
                labels.append(np.arange(self.profiles_count) if pick is None else pick)
        return pd.DataFrame(m, index=labels[0], columns=labels[1])

    def write(self, array, kind, name, force=False):
        """Write ARRAY as KIND.NAME into this container's own directory, through mc-write-data's code:
        a g or p array (numbers, bools or str) or a gg, pp or gp matrix (gp: genes x profiles)."""
        ident = f"{kind}.{name}".encode()
        a = np.asarray(array)
        if a.dtype.kind in "USO":
            values = [str(v).encode() for v in a.reshape(-1)]
            arr = (ctypes.c_char_p * max(len(values), 1))(*values)
            _lib.call("mc_write_text", self._h, ident, arr, len(values), int(force))
        else:
            if a.dtype not in _MC:
                a = a.astype(np.int64 if a.dtype.kind in "iu" else np.float64)
            a = np.ascontiguousarray(a)
            rows = a.shape[0] if a.ndim else 1
            cols = a.shape[1] if a.ndim == 2 else 0
            _lib.call("mc_write_numbers", self._h, ident, _MC[a.dtype], rows, cols,
                      a.ctypes.data_as(ctypes.c_void_p), int(force))
        self._profile_names = None   # p.name may name the profiles

    # --- UMIs --------------------------------------------------------------------------------

    def total_umis(self, kind="p", profile_indices=None, threads=0):
        """Exact total UMIs per profile ('p') or gene ('g') as float64, from the proven cache (computed
        and cached as mc-sum does when stale); with PROFILE_INDICES, of those profiles."""
        p = np.zeros(self.profiles_count, np.uint64)
        g = np.zeros(self.genes_count, np.uint64)
        if kind == "g" and profile_indices is not None:
            return np.asarray(self.umis(profile_indices, dtype=np.int64, threads=threads).sum(axis=0),
                              dtype=np.float64).reshape(-1)
        if kind not in ("g", "p"):
            raise Error(f"'{kind}': totals are of kind g or p")
        _lib.call("mc_total_umis", self._h, p.ctypes.data_as(ctypes.c_void_p), g.ctypes.data_as(ctypes.c_void_p),
                  int(threads))
        out = (p if kind == "p" else g).astype(np.float64)
        if kind == "p" and profile_indices is not None:
            out = out[self._pick("p", profile_indices, None)]
        return out

    def umis(self, profile_indices=None, gene_indices=None, dtype=np.float32, threads=0):
        """The UMIs of the profiles (rows, in the order given) and genes (columns) selected (indices,
        names or a boolean mask), all when None, as a scipy.sparse.csr_matrix decoded once on THREADS threads
        (0: every core) straight into its arrays: int32 indices while the non-zeros allow, DTYPE data (float32
        as mc-export --h5ad)."""
        import scipy.sparse
        p = self._pick("p", profile_indices, None)
        g = self._pick("g", None, gene_indices)
        sel = _lib._Selection(None if p is None else p.ctypes.data, 0 if p is None else len(p),
                              None if g is None else g.ctypes.data, 0 if g is None else len(g))
        rows = self.profiles_count if p is None else len(p)
        cols = self.genes_count if g is None else len(g)
        dtype = np.dtype(dtype)
        if dtype not in _MC or dtype == np.bool_:
            raise Error(f"UMIs are int32, int64, float32 or float64, not {dtype}")
        # One decoding: arrays as long as the rows' stored pairs allow (pages never touched cost nothing), each
        # row decoded once into them and packed by libmc, which gives back the pages past the last non-zero.
        bound = np.empty(rows + 1, np.int64)
        _lib.call("mc_csr_bound", self._h, ctypes.byref(sel), bound.ctypes.data_as(ctypes.c_void_p))
        cap = int(bound[-1])
        itype = np.dtype(np.int32 if max(cap, cols) < 2**31 else np.int64)
        indptr = np.empty(rows + 1, itype)
        indices = np.empty(cap, itype)
        data = np.empty(cap, dtype)
        nnz = ctypes.c_int64()
        _lib.call("mc_csr_fill_once", self._h, ctypes.byref(sel), int(threads), bound.ctypes.data_as(ctypes.c_void_p),
                  _MC[itype], indptr.ctypes.data_as(ctypes.c_void_p), indices.ctypes.data_as(ctypes.c_void_p),
                  _MC[dtype], data.ctypes.data_as(ctypes.c_void_p), ctypes.byref(nnz))
        del bound
        nnz = nnz.value
        indices, data = indices[:nnz], data[:nnz]
        return scipy.sparse.csr_matrix((data, indices, indptr), shape=(rows, cols), copy=False)

    def profile_umis(self, profile):
        """One profile's non-zero genes (ascending) and counts, as two arrays."""
        genes = np.empty(max(self.genes_count, 1), np.uint32)
        counts = np.empty(max(self.genes_count, 1), np.uint64)
        n = ctypes.c_size_t()
        _lib.call("mc_profile_sparse", self._h, int(profile), genes.ctypes.data_as(ctypes.POINTER(ctypes.c_uint32)),
                  counts.ctypes.data_as(ctypes.POINTER(ctypes.c_uint64)), len(genes), ctypes.byref(n))
        return genes[:n.value].copy(), counts[:n.value].copy()

    def add_profile_data(self, profile, row):
        """Add one profile's UMIs into ROW, a uint64 array of genes_count values (the seed's
        add_profile_data), in place; ROW is returned."""
        if not (isinstance(row, np.ndarray) and row.dtype == np.uint64 and row.shape == (self.genes_count,)
                and row.flags.c_contiguous):
            raise Error(f"a row is a contiguous uint64 array of {self.genes_count} values")
        _lib.call("mc_profile_add", self._h, int(profile), row.ctypes.data_as(ctypes.c_void_p))
        return row

    # --- AnnData -----------------------------------------------------------------------------

    def frame(self, kind):
        """The obs ('p') or var ('g') table mc-export --h5ad writes, as a pandas DataFrame the way
        anndata reads it back (repeated text as categories)."""
        import pandas as pd
        f = _lib._Frame()
        try:
            _lib.call("mc_frame_load", self._h, kind.encode(), ctypes.byref(f))
            index = pd.Index(np.array(_lib.text(f.index), dtype=object))
            columns = {f.names[i].decode(): _column(f.columns[i]) for i in range(f.count)}
        finally:
            _lib.lib.mc_frame_free(ctypes.byref(f))
        return pd.DataFrame(columns, index=index)

    def to_anndata(self, dtype=np.float32, threads=0):
        """The whole container as an AnnData: X the UMIs (profiles x genes, CSR), obs and var as
        mc-export --h5ad writes them, so equal to anndata.read_h5ad of that file."""
        import anndata
        return anndata.AnnData(X=self.umis(dtype=dtype, threads=threads), obs=self.frame("p"),
                               var=self.frame("g"))


def _integer_text(s):
    d = s[1:] if s.startswith("-") else s
    return 0 < len(d) <= 18 and d.isascii() and d.isdigit() and (d[0] != "0" or len(d) == 1)


def _column(d):
    """A frame column as anndata reads it from mc-export's .h5ad: text with a repeated value as a
    categorical (categories in byte order, or by value when all integers; '' missing), other text
    as object strings, numbers and bools as stored."""
    import pandas as pd
    values = _values(d)
    if d.dtype != _lib.MC_TEXT:
        return values
    values = values.astype(object)
    if len(set(values)) == len(values):
        return values
    cats = {v for v in values if v}
    key = (lambda v: int(v)) if cats and all(_integer_text(v) for v in cats) else (lambda v: v.encode())
    ordered = sorted(cats, key=key)
    return pd.Categorical([v if v else np.nan for v in values], categories=pd.Index(ordered, dtype=object))
