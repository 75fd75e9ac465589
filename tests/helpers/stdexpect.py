#!/usr/bin/python3
"""What an STD import must produce, computed independently of mc (plain Python).

usage: stdexpect.py names|dense|barcodes --genes CSV [--sep S] [--fields a,b] [--name COL]
                    [--filter COL=VALUE] [--mtx MTX] [--profiles CSV --barcode COL] [--columns LIST]

  names     the gene set mc-make-genes must write: canonical names (upper-cased,
            duplicates -1, -2, ... never colliding), sorted by bytes
  dense     one line per profile (columns of MTX, or those of --columns, 0-based,
            in that order), the values of every gene in canonical order, like
            `container-tool dense`
--fields names the columns of a headerless file (default: the file has a header).
"""
import argparse
import csv
import gzip
import io
import sys
from fractions import Fraction


def text(path):
    raw = open(path, "rb").read()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    return raw.decode("utf-8")


def read_table(path, sep, fields):
    rows = list(csv.reader(io.StringIO(text(path), newline=""), delimiter=sep))
    if fields is None:
        header, rows = rows[0], rows[1:]
    else:
        header = fields
    return [dict(zip(header, r)) for r in rows if r]


def read_mtx(path):
    lines = text(path).splitlines()
    assert lines[0].lower().startswith("%%matrixmarket"), lines[0]
    body = [l for l in lines[1:] if l.strip() and not l.lstrip().startswith("%")]
    rows, cols, n = (int(x) for x in body[0].split())
    entries = []
    for l in body[1:]:
        i, j, v = l.split()
        v = Fraction(v)                      # exact: "3.0", "3e0" are 3
        assert v.denominator == 1 and v >= 0, l
        entries.append((int(i) - 1, int(j) - 1, int(v)))
    assert len(entries) == n, (len(entries), n)
    return rows, cols, entries


def canonical(names):
    names = [n.upper() for n in names]
    taken = set(names)
    seen, out = {}, []
    for n in names:
        if n not in seen:
            seen[n] = 0
            out.append(n)
            continue
        while True:
            seen[n] += 1
            candidate = "%s-%d" % (n, seen[n])
            if candidate not in taken:
                break
        taken.add(candidate)
        out.append(candidate)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=["names", "dense"])
    ap.add_argument("--genes", required=True)
    ap.add_argument("--sep", default=",")
    ap.add_argument("--fields")
    ap.add_argument("--name", default="name")
    ap.add_argument("--filter")
    ap.add_argument("--mtx")
    ap.add_argument("--columns")
    a = ap.parse_args()
    sep = "\t" if a.sep == "\\t" else a.sep
    genes = read_table(a.genes, sep, a.fields.split(",") if a.fields else None)
    kept = list(range(len(genes)))
    if a.filter:
        col, value = a.filter.split("=", 1)
        kept = [i for i in kept if genes[i][col] == value]
    names = canonical([genes[i][a.name] for i in kept])
    order = sorted(names)                                    # str order is code point order: bytes for UTF-8
    if a.what == "names":
        print("\n".join(order))
        return
    position = {n: k for k, n in enumerate(order)}
    row_of_gene = {g: position[names[k]] for k, g in enumerate(kept)}
    nrows, ncols, entries = read_mtx(a.mtx)
    assert nrows == len(genes), (nrows, len(genes))
    columns = [int(c) for c in a.columns.split(",")] if a.columns else list(range(ncols))
    dense = {c: [0] * len(order) for c in columns}
    for i, j, v in entries:
        if j in dense and i in row_of_gene:
            dense[j][row_of_gene[i]] += v
    for c in columns:
        print(" ".join(str(v) for v in dense[c]))


if __name__ == "__main__":
    sys.exit(main())
