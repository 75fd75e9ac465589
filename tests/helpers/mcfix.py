"""Independent Python writers for mc containers, for the tests.

Written from SPEC.md alone (canonical MMM encoding, uuids, profiles.yaml), so
that what the C library reads is checked against a second implementation."""
import hashlib
import os
import struct
import uuid as uuidlib

import numpy as np

MAGIC = b"METACELL SPARSE MEMORY MAPPED MATRIX VERSION 0\x00\x00"


def mmm_bytes(dense):
    """dense: (profiles, genes) non-negative ints -> canonical MMM bytes."""
    dense = np.asarray(dense, dtype=np.int64)
    P, G = dense.shape
    body = bytearray()
    offsets = []
    for p in range(P):
        offsets.append(56 + len(body))
        current = 0
        for g in np.nonzero(dense[p])[0]:
            g, v, d = int(g), int(dense[p, g]), int(g) - current
            while d > 255:
                body += bytes((255, 0))
                d -= 255
            while v > 255:
                body += bytes((d, 255))
                d = 0
                v -= 255
            body += bytes((d, v))
            current = g
    offsets.append(56 + len(body))
    body += b"\0" * ((-len(body)) % 4)
    return MAGIC + struct.pack("<II", P, G) + bytes(body) + struct.pack("<%dI" % (P + 1), *offsets)


def file_uuid(path):
    with open(path, "rb") as f:
        return str(uuidlib.UUID(bytes=hashlib.md5(f.read()).digest()))


def combine(*uuids):
    return str(uuidlib.UUID(bytes=hashlib.md5(b"".join(uuidlib.UUID(u).bytes for u in uuids)).digest()))


def write_lines(path, values):
    with open(path, "w") as f:
        f.writelines("%s\n" % v for v in values)


def write_yaml(path, items):
    with open(path, "w") as f:
        for k, v in items:
            if isinstance(v, list):
                f.write("%s:\n" % k)
                for m in v:
                    first = True
                    for mk, mv in m:
                        f.write("%s %s: %s\n" % ("-" if first else " ", mk, mv))
                        first = False
            else:
                f.write("%s: %s\n" % (k, v))


def write_genes(d, names, organism="human"):
    os.makedirs(d, exist_ok=True)
    write_lines(os.path.join(d, "g.name.txt"), names)
    u = file_uuid(os.path.join(d, "g.name.txt"))
    write_yaml(os.path.join(d, "genes.yaml"), [("uuid", u), ("organism", organism), ("genes_count", len(names))])
    return u


def common_keys(u, genes_uuid, P, G, kind="cells"):
    return [("uuid", u), ("organism", "human"), ("profiles_kind", kind), ("profiles_count", P),
            ("genes_count", G), ("genes_uuid", genes_uuid)]


def write_batch(d, dense, genes_uuid, barcodes=None, kind="cells"):
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "gp.umis.mmm"), "wb") as f:
        f.write(mmm_bytes(dense))
    if barcodes is not None:
        write_lines(os.path.join(d, "p.barcode.txt"), barcodes)
    u = file_uuid(os.path.join(d, "gp.umis.mmm"))
    P, G = np.asarray(dense).shape
    write_yaml(os.path.join(d, "profiles.yaml"), common_keys(u, genes_uuid, P, G, kind))
    return u


def write_view(d, base_rel, base_uuid, base_genes_uuid, P, G, p_index=None, g_index=None, kind="cells"):
    os.makedirs(d, exist_ok=True)
    parts = [base_uuid]
    genes_uuid = base_genes_uuid
    if p_index is not None:
        np.save(os.path.join(d, "p.base_index.npy"), np.asarray(p_index, dtype="<i4"))
        parts.append(file_uuid(os.path.join(d, "p.base_index.npy")))
        P = len(p_index)
    if g_index is not None:
        np.save(os.path.join(d, "g.base_index.npy"), np.asarray(g_index, dtype="<i4"))
        gu = file_uuid(os.path.join(d, "g.base_index.npy"))
        parts.append(gu)
        genes_uuid = combine(base_genes_uuid, gu)
        G = len(g_index)
    u = base_uuid if len(parts) == 1 else combine(*parts)
    write_yaml(os.path.join(d, "profiles.yaml"),
               common_keys(u, genes_uuid, P, G, kind) + [("base_profiles", base_rel), ("base_uuid", base_uuid)])
    return u, genes_uuid


def collection_names(members):
    """SPEC 7: a collection's profile names are its members' [(member, names)] in order,
    each prefixed "MEMBER:" only when two of them would otherwise be the same."""
    flat = [n for _, names in members for n in names]
    if len(set(flat)) == len(flat):
        return flat
    return ["%s:%s" % (m, n) for m, names in members for n in names]


def write_collection(d, members, genes_uuid, G, kind="cells"):
    """members: list of (name, uuid, profiles_count); the subdirectories exist already."""
    u = combine(*[m[1] for m in members])
    P = sum(m[2] for m in members)
    write_yaml(os.path.join(d, "profiles.yaml"), common_keys(u, genes_uuid, P, G, kind) + [
        ("combined_profiles", [[("name", n), ("uuid", mu), ("profiles_count", mp)] for n, mu, mp in members])])
    return u


def write_groups(d, grouped_uuid, genes_uuid, sums, kind="metacells"):
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "gp.umis.mmm"), "wb") as f:
        f.write(mmm_bytes(sums))
    u = file_uuid(os.path.join(d, "gp.umis.mmm"))
    P, G = np.asarray(sums).shape
    write_yaml(os.path.join(d, "profiles.yaml"), common_keys(u, genes_uuid, P, G, kind) + [
        ("grouped_profiles", ".."), ("grouped_uuid", grouped_uuid)])
    return u
