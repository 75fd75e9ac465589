#!/usr/bin/python3
"""Small deterministic STD and MOCA directories for the import tests.

usage: mkstd.py KIND DIR [--order column|gene] [--seed N]

  lanes   canonical STD, 4 lanes (one is "a/b", one ".x"), extra profile fields
          of every type, entries column-major (--order gene: gene-major)
  dups    canonical STD whose gene names repeat after upper-casing
  moca    a MOCA download: gene_count.txt (R writeMM: "real", gene-major),
          cell_annotate.csv and gene_annotate.csv as R's write.csv quotes them
"""
import argparse
import csv
import os
import random


def write_mtx(path, nrows, ncols, entries, field="integer", order="column"):
    key = (lambda e: (e[1], e[0])) if order == "column" else (lambda e: (e[0], e[1]))
    entries = sorted(entries, key=key)
    with open(path, "w") as f:
        f.write("%%%%MatrixMarket matrix coordinate %s general\n%% made by mkstd.py\n" % field)
        f.write("%d %d %d\n" % (nrows, ncols, len(entries)))
        for i, j, v in entries:
            f.write("%d %d %d\n" % (i + 1, j + 1, v))


def random_entries(rng, nrows, ncols, density=0.3):
    out = []
    for j in range(ncols):
        for i in range(nrows):
            if rng.random() < density:
                out.append((i, j, rng.choice([1, 1, 1, 2, 3, 7, 255, 256, 300, 1000])))
    return out


def write_csv(path, header, rows):
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


FORMAT = """matrix:   {path: umis.mtx}
genes:    {path: genes.csv, separator: ",", header: true,
           field_types: {ensembl: str, name: str}}
profiles: {path: profiles.csv, separator: ",", header: true,
           field_types: {%s}}
"""


def lanes(d, rng, order):
    genes = [("ENSG%05d" % i, "Gene%d" % i) for i in range(12)]
    lane_names = ["L1", "a/b", "L1", ".x", "L3", "a/b", "L1", "L3", ".x", "L1", "a/b", "L3", "L1"]
    profiles = []
    for j, lane in enumerate(lane_names):
        batch = "B" + lane[-1]
        profiles.append(("BC%02d" % j, lane, batch, str(j * 1000000000 if j == 7 else j - 3),
                         "%.3f" % (j / 7), "cell, type %d" % (j % 3)))
    write_csv(os.path.join(d, "genes.csv"), ["ensembl", "name"], genes)
    write_csv(os.path.join(d, "profiles.csv"), ["barcode", "lane", "batch", "depth", "score", "type"], profiles)
    with open(os.path.join(d, "format.yaml"), "w") as f:
        f.write(FORMAT % "barcode: str, lane: str, batch: str, depth: int, score: float, type: str")
    entries = random_entries(rng, len(genes), len(profiles))
    entries.append((3, 12, 5))       # a duplicate of an entry (summed) if present, else new
    entries.append((3, 12, 0))       # an explicit zero
    write_mtx(os.path.join(d, "umis.mtx"), len(genes), len(profiles), entries, order=order)


def dups(d, rng, order):
    names = ["b", "A", "a", "A-1", "B", "a", "c"]
    write_csv(os.path.join(d, "genes.csv"), ["ensembl", "name"], [("E%d" % i, n) for i, n in enumerate(names)])
    write_csv(os.path.join(d, "profiles.csv"), ["barcode", "lane", "batch"], [("P%d" % j, "L", "B") for j in range(5)])
    with open(os.path.join(d, "format.yaml"), "w") as f:
        f.write(FORMAT % "barcode: str, lane: str, batch: str")
    write_mtx(os.path.join(d, "umis.mtx"), len(names), 5, random_entries(rng, len(names), 5, 0.5), order=order)


def r_quote(v):
    """write.csv: strings quoted, numbers, logicals and NA bare."""
    if v is None:
        return "NA"
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, (int, float)):
        return repr(v) if isinstance(v, float) else str(v)
    return '"' + v.replace('"', '""') + '"'


def moca(d, rng, order):
    gene_rows = [("ENSMUSG00000051951.5", "protein_coding", "Xkr4"),
                 ("ENSMUSG00000089699.1", "lincRNA", "Gm1992"),
                 ("ENSMUSG00000102343.1", "lincRNA", "Gm37381"),
                 ("ENSMUSG00000025900.11", "protein_coding", "Rp1"),
                 ("ENSMUSG00000025902.13", "protein_coding", "Sox17"),
                 ("ENSMUSG00000104328.1", "TEC", "Gm37323"),
                 ("ENSMUSG00000033845.13", "protein_coding", "Mrpl15"),
                 ("ENSMUSG00000025903.14", "protein_coding", "Lypla1"),
                 ("ENSMUSG00000104217.1", "TEC", "Gm37988"),
                 ("ENSMUSG00000033813.15", "protein_coding", "Tcea1"),
                 ("ENSMUSG00000002459.17", "protein_coding", "Rgs20"),
                 ("ENSMUSG00000085623.1", "antisense", "Gm16041"),
                 ("ENSMUSG00000033793.12", "protein_coding", "Atp6v1h"),
                 ("ENSMUSG00000090031.3", "processed_pseudogene", "Rgs20")]   # a repeated short name
    embryos = [("3", "M", 9.5, "2018-04-17"), ("17", "F", 11.5, "2018-04-17"), ("42", "F", 13.5, "2018-04-19")]
    types = [("5", "Excitatory neurons", "Neural tube, notochord"), ("2", "Chondrocytes & osteoblasts", "Mesenchymal"),
             (None, None, None)]
    ncells = 20
    entries = random_entries(rng, len(gene_rows), ncells, 0.35)
    total = [0] * ncells
    nnz = [0] * ncells
    for i, j, v in entries:
        total[j] += v
        nnz[j] += 1
    header = ["sample", "all_exon_count", "all_intron_count", "all_read_count", "intron_exon_ratio",
              "detected_doublet", "doublet_score", "doublet_cluster", "Total_mRNAs", "num_genes_expressed",
              "Size_Factor", "development_stage", "embryo_id", "embryo_sex", "nuclei_extraction_date",
              "Main_Cluster", "Main_cell_type", "Main_trajectory", "Main_trajectory_umap_1",
              "Main_trajectory_umap_2", "Sub_trajectory_name"]
    rows = []
    for j in range(ncells):
        e = embryos[j * 7 % 3]
        cluster, cell_type, trajectory = types[j % 3]
        barcode = "sci3-me-%03d.%s" % (1 + j % 4, "".join(rng.choice("ACGT") for _ in range(19)))
        exon, intron = rng.randint(500, 5000), rng.randint(500, 5000)
        rows.append([barcode, exon, intron, exon + intron + rng.randint(0, 300), round(intron / exon, 6),
                     j == 4, None if j % 5 == 0 else round(rng.random(), 6), None, total[j], nnz[j],
                     round(total[j] / 40, 6), e[2], e[0], e[1], e[3],
                     cluster, cell_type, trajectory, None if cluster is None else round(rng.uniform(-9, 9), 4),
                     None if cluster is None else round(rng.uniform(-9, 9), 4), None])
    with open(os.path.join(d, "cell_annotate.csv"), "w") as f:
        f.write(",".join(r_quote(h) for h in header) + "\n")
        for r in rows:
            f.write(",".join(r_quote(v) for v in r) + "\n")
    with open(os.path.join(d, "gene_annotate.csv"), "w") as f:
        f.write('"gene_id","gene_type","gene_short_name"\n')
        for r in gene_rows:
            f.write(",".join(r_quote(v) for v in r) + "\n")
    write_mtx(os.path.join(d, "gene_count.txt"), len(gene_rows), ncells, entries, field="real",
              order="gene" if order is None else order)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("kind", choices=["lanes", "dups", "moca"])
    ap.add_argument("dir")
    ap.add_argument("--order", choices=["column", "gene"])
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    os.makedirs(a.dir, exist_ok=True)
    rng = random.Random(a.seed)
    order = a.order or "column"
    {"lanes": lanes, "dups": dups, "moca": lambda d, r, o: moca(d, r, a.order)}[a.kind](a.dir, rng, order)


if __name__ == "__main__":
    main()
