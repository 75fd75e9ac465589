#!/usr/bin/env bats
# The Matrix Market / STD import path: mc-delane, mc-make-genes, mc-write-matrix,
# checked against the matrices recomputed in plain Python (tests/helpers/stdexpect.py).

load test_helper

F="$MC_ROOT/formats"
expect() { "$PY" "$MC_ROOT/tests/helpers/stdexpect.py" "$@"; }
mkstd() { "$PY" "$MC_ROOT/tests/helpers/mkstd.py" "$@"; }
# mkstd.py's dups directory at $1, made once for the file and copied (17 pythons otherwise).
dups() {
    local made="$BATS_FILE_TMPDIR/dups"
    if [ ! -d "$made" ]; then
        mkstd dups "$made.$BATS_TEST_NUMBER"
        mv -T "$made.$BATS_TEST_NUMBER" "$made" 2>/dev/null || rm -rf "$made.$BATS_TEST_NUMBER"
    fi
    rm -rf "$1" && cp -a "$made" "$1"
}
V2="$DATA10X/1.2.0/filtered_gene_bc_matrices/hg19_chr21"
V3="$DATA10X/3.0.0/filtered_feature_bc_matrix"


# profiles.yaml of a batch: uuid is the md5 of gp.umis.mmm, genes_uuid that of the gene set.
check_batch_meta() {
    py "$1" "$2" "$3" "$4" <<'PY'
import hashlib, sys, uuid
batch, genes, profiles, organism = sys.argv[1:]
def md5(p): return str(uuid.UUID(bytes=hashlib.md5(open(p, "rb").read()).digest()))
meta = dict(l.split(": ", 1) for l in open(batch + "/profiles.yaml").read().splitlines())
want = {"uuid": md5(batch + "/gp.umis.mmm"), "genes_uuid": md5(genes + "/g.name.txt"), "organism": organism,
        "profiles_kind": "cells", "profiles_count": profiles,
        "genes_count": str(sum(1 for _ in open(genes + "/g.name.txt")))}
assert meta == want, (meta, want)
PY
}

@test "10x 1.2.0 Matrix Market directory: gene set and batch equal the matrix recomputed in Python" {
    run mc-make-genes --organism human --format "$F/10x-v2.yaml" "$V2" root/genes
    assert_success
    assert_output ""
    diff <(expect names --genes "$V2/genes.tsv" --sep '\t' --fields ensembl,name) root/genes/g.name.txt
    # The batch finds root/genes walking up from its parent.
    run mc-write-matrix --format "$F/10x-v2.yaml" "$V2" root/cells/pbmc
    assert_success
    assert_output ""
    diff <(expect dense --genes "$V2/genes.tsv" --sep '\t' --fields ensembl,name --mtx "$V2/matrix.mtx") \
        <(container-tool dense root/cells/pbmc)
    diff "$V2/barcodes.tsv" root/cells/pbmc/p.barcode.txt
    [ "$(sort -u root/cells/pbmc/p.lane.txt)" = all ]
    [ "$(sort -u root/cells/pbmc/p.batch.txt)" = all ]
    check_batch_meta root/cells/pbmc root/genes 12 human
    run mc-info --verify root/cells/pbmc
    assert_output "root/cells/pbmc: ok"
}

@test "the gene set's ensembl ids follow the sorted names" {
    run mc-make-genes --organism human --format "$F/10x-v3.yaml" "$V3" genes
    assert_success
    py "$V3/features.tsv.gz" <<'PY'
import csv, gzip, sys
rows = list(csv.reader(gzip.open(sys.argv[1], "rt"), delimiter="\t"))
names = [l.rstrip("\n") for l in open("genes/g.name.txt")]
ensembl = [l.rstrip("\n") for l in open("genes/g.ensembl.txt")]
by_name = {}
for e, n, _ in rows: by_name.setdefault(n.upper(), e)
assert len(names) == len(ensembl) == len(rows) == 507
assert all(by_name[n] == e for n, e in zip(names, ensembl) if "-" not in n[-3:])
PY
    grep -qx 'genes_count: 507' genes/genes.yaml
    grep -qx 'organism: human' genes/genes.yaml
}

@test "10x 3.0.0 .gz directory, plain copy and feature filter: the same batch, Gene Expression only" {
    # Three features become antibodies: the filter drops them and renumbers the rest.
    mkdir v3 plain
    cp "$V3"/* v3/
    gzip -dc "$V3/features.tsv.gz" | awk -F'\t' 'BEGIN { OFS = "\t" } NR == 1 || NR == 100 || NR == 507 { $3 = "Antibody Capture" } { print }' |
        gzip >v3/features.tsv.gz
    for f in v3/*.gz; do gzip -dc "$f" >"plain/$(basename "$f" .gz)"; done
    sed 's/\.gz//' "$F/10x-v3.yaml" >plain.yaml
    run mc-make-genes --organism human --format "$F/10x-v3.yaml" v3 genes
    assert_success
    [ "$(wc -l <genes/g.name.txt)" = 504 ]
    mc-write-matrix --format "$F/10x-v3.yaml" --genes genes v3 gz
    mc-write-matrix --format plain.yaml --genes genes plain cells
    cmp gz/gp.umis.mmm cells/gp.umis.mmm
    diff <(expect dense --genes v3/features.tsv.gz --sep '\t' --fields ensembl,name,type --filter 'type=Gene Expression' \
        --mtx v3/matrix.mtx.gz) <(container-tool dense cells)
    diff <(gzip -dc v3/barcodes.tsv.gz) cells/p.barcode.txt
    check_batch_meta cells genes 1107 human
    # Delaned, the filtered genes are gone from genes.csv and the matrix rows renumbered.
    mc-delane --format "$F/10x-v3.yaml" v3 delaned
    [ "$(wc -l <delaned/all/genes.csv)" = 505 ]
    [ "$(sed -n 2p delaned/all/umis.mtx)" = "504 1107 $(expect dense --genes v3/features.tsv.gz --sep '\t' --fields ensembl,name,type \
        --filter 'type=Gene Expression' --mtx v3/matrix.mtx.gz | tr ' ' '\n' | grep -cv '^0$')" ]
    mc-write-matrix --genes genes delaned/all fromdelaned
    cmp cells/gp.umis.mmm fromdelaned/gp.umis.mmm
}

@test "a gene-major matrix gives the same batch as the profile-sorted one, with every field type" {
    mkstd lanes sorted
    mkstd lanes genemajor --order gene
    ! cmp -s sorted/umis.mtx genemajor/umis.mtx
    mc-make-genes --organism mouse sorted genes
    run mc-write-matrix --genes genes genemajor gm
    assert_success
    mc-write-matrix --genes genes sorted s
    cmp gm/gp.umis.mmm s/gp.umis.mmm
    diff <(expect dense --genes sorted/genes.csv --mtx sorted/umis.mtx) <(container-tool dense gm)
    ls gm >files
    assert_equal "$(cat files | tr '\n' ' ')" "gp.umis.mmm p.barcode.txt p.batch.txt p.depth.npy p.lane.txt p.score.npy p.type.txt profiles.yaml "
    py <<'PY'
import csv, numpy as np
rows = list(csv.DictReader(open("sorted/profiles.csv")))
depth, score = np.load("gm/p.depth.npy"), np.load("gm/p.score.npy")
assert depth.dtype == np.dtype("<i8") and list(depth) == [int(r["depth"]) for r in rows]   # 7e9 needs 64 bits
assert score.dtype == np.dtype("<f8") and list(score) == [float(r["score"]) for r in rows]
assert open("gm/p.type.txt").read().splitlines() == [r["type"] for r in rows]
assert open("gm/p.lane.txt").read().splitlines() == [r["lane"] for r in rows]
PY
}

@test "duplicate gene names are made unique in input order, never colliding" {
    dups d
    mc-make-genes --organism mouse d genes
    run cat genes/g.name.txt
    assert_output "A
A-1
A-2
A-3
B
B-1
C"
    # Input B A a A-1 B a c: ensembl E0..E6 follow their canonical names.
    run cat genes/g.ensembl.txt
    assert_output "E1
E3
E2
E5
E0
E4
E6"
    mc-write-matrix --genes genes d b
    diff <(expect dense --genes d/genes.csv --mtx d/umis.mtx) <(container-tool dense b)
}

@test "headerless CSVs with field_names and another separator read like the canonical ones" {
    mkstd lanes std
    mkdir raw
    cp std/umis.mtx raw/m.mtx
    tail -n +2 std/genes.csv | tr , ';' >raw/g.txt
    tail -n +2 std/profiles.csv | sed 's/"cell, type \([0-9]\)"/cell type \1/' | tr , '\t' >raw/p.tsv
    cat >raw/format.yaml <<'EOF'
matrix: {path: m.mtx}
genes: {path: g.txt, separator: ";", header: false, field_names: [id, symbol], field_types: {symbol: str, id: str},
        rename: {symbol: name, id: ensembl}}
profiles: {path: p.tsv, separator: "\t", header: false, field_names: [barcode, lane, batch, depth],
           field_types: {barcode: str, lane: str, depth: int}}
EOF
    run std-tool profiles raw
    assert_success
    assert_line --index 1 "2	barcode:str=BC01	lane:str=a/b	depth:int=-2	batch:str=a/b"
    mc-make-genes --organism mouse std genes
    mc-make-genes --organism mouse raw genes2
    cmp genes/g.name.txt genes2/g.name.txt
    cmp genes/g.ensembl.txt genes2/g.ensembl.txt
    mc-write-matrix --genes genes raw b
    mc-write-matrix --genes genes std s
    cmp b/gp.umis.mmm s/gp.umis.mmm
    cmp b/p.depth.npy s/p.depth.npy
}

@test "mc-delane: one canonical STD per lane holding exactly its entries, renumbered" {
    mkstd lanes std --order gene
    run mc-delane std out
    assert_success
    assert_output ""
    run cat out/lanes.txt
    assert_output "L1
a_b
_x
L3"
    run cat out/a_b/format.yaml
    assert_output 'matrix: {path: umis.mtx}
genes: {path: genes.csv, separator: ",", header: true, field_types: {ensembl: str, name: str}}
profiles: {path: profiles.csv, separator: ",", header: true, field_types: {barcode: str, lane: str, batch: str, depth: int, score: float, type: str}}'
    py <<'PY'
import csv
def mtx(path):
    lines = [l for l in open(path) if not l.startswith("%")]
    return [int(x) for x in lines[0].split()], [tuple(int(x) for x in l.split()) for l in lines[1:]]
(rows, cols, n), entries = mtx("std/umis.mtx")
profiles = list(csv.reader(open("std/profiles.csv")))
header, profiles = profiles[0], profiles[1:]
lanes = {"L1": "L1", "a/b": "a_b", ".x": "_x", "L3": "L3"}
total = 0
for lane, d in lanes.items():
    mine = [j for j, p in enumerate(profiles) if p[1] == lane]
    got = list(csv.reader(open("out/%s/profiles.csv" % d)))
    assert got == [header] + [profiles[j] for j in mine], d
    assert open("out/%s/genes.csv" % d).read() == open("std/genes.csv").read()
    renumber = {j + 1: k + 1 for k, j in enumerate(mine)}
    want = [(i, renumber[j], v) for i, j, v in entries if j in renumber]    # input order kept
    (r, c, m), have = mtx("out/%s/umis.mtx" % d)
    assert (r, c, m) == (rows, len(mine), len(want)) and have == want, d
    total += m
assert total == n
PY
    # Each lane is itself a valid STD.
    run std-tool entries out/_x
    assert_success
}

@test "mc-delane then make-genes and write-matrix per lane equal the lanes' columns recomputed" {
    mkstd lanes std
    mc-delane std delaned
    run mc-make-genes --organism mouse delaned/L1 delaned/a_b delaned/_x delaned/L3 genes
    assert_success
    i=0
    for lane in $(cat delaned/lanes.txt); do
        mc-write-matrix delaned/$lane cells/$lane
        cols=$(awk -F, -v l="$(sed -n 2p delaned/$lane/profiles.csv | cut -d, -f2)" 'NR > 1 && $2 == l { printf "%s%d", s, NR - 2; s = "," }' std/profiles.csv)
        diff <(expect dense --genes std/genes.csv --mtx std/umis.mtx --columns "$cols") <(container-tool dense cells/$lane)
        i=$((i + 1))
    done
    [ $i = 4 ]
}

@test "MOCA directory: delaned by embryo, gene-major matrix, R-quoted CSVs and NA values" {
    mkstd moca moca
    run mc-delane --format "$F/moca.yaml" moca delaned
    assert_success
    run cat delaned/lanes.txt
    assert_output "3
17
42"
    run mc-make-genes --organism mouse delaned/3 delaned/17 delaned/42 genes
    assert_success
    diff <(expect names --genes moca/gene_annotate.csv --name gene_short_name) genes/g.name.txt
    grep -qx 'RGS20-1' genes/g.name.txt
    [ "$(head -1 genes/g.gene_type.txt)" = protein_coding ]
    for lane in 3 17 42; do
        run mc-write-matrix delaned/$lane cells/$lane
        assert_success
        cols=$(py $lane <<'PY'
import csv, sys
rows = list(csv.DictReader(open("moca/cell_annotate.csv")))
print(",".join(str(j) for j, r in enumerate(rows) if r["embryo_id"] == sys.argv[1]))
PY
)
        diff <(expect dense --genes moca/gene_annotate.csv --name gene_short_name --mtx moca/gene_count.txt --columns "$cols") \
            <(container-tool dense cells/$lane)
    done
    py <<'PY'
import csv, math, numpy as np
rows = [r for r in csv.DictReader(open("moca/cell_annotate.csv")) if r["embryo_id"] == "17"]
d = "cells/17/"
assert open(d + "p.barcode.txt").read().splitlines() == [r["sample"] for r in rows]
assert open(d + "p.lane.txt").read().splitlines() == ["17"] * len(rows)
assert open(d + "p.batch.txt").read().splitlines() == [r["nuclei_extraction_date"] for r in rows]
assert open(d + "p.Main_cell_type.txt").read().splitlines() == [r["Main_cell_type"] for r in rows]
t = np.load(d + "p.Total_mRNAs.npy")
assert t.dtype == np.dtype("<i4") and list(t) == [int(r["Total_mRNAs"]) for r in rows]
s = np.load(d + "p.doublet_score.npy")
assert s.dtype == np.dtype("<f8")
for got, r in zip(s, rows):
    assert math.isnan(got) if r["doublet_score"] == "NA" else got == float(r["doublet_score"])
assert any(r["doublet_score"] == "NA" for r in rows)
PY
}

@test "lanes and batches derived from HCA-style and 10x aggr barcodes" {
    mkdir hca aggr
    printf '%s\n' barcode MantonBM1_HiSeq_1-AAAC-1 MantonBM1_HiSeq_2-AAAC-1 CB1-TTTG-1 >hca/p.csv
    printf 'name\nG1\n' >hca/g.csv
    printf '%%%%MatrixMarket matrix coordinate integer general\n1 3 1\n1 3 4\n' >hca/m.mtx
    cat >hca/format.yaml <<'EOF'
matrix: {path: m.mtx}
genes: {path: g.csv, field_types: {name: str}}
profiles: {path: p.csv, field_types: {barcode: str},
           lane: {from: barcode, prefix_before: "-"}, batch: {from: lane, prefix_before: "_"}}
EOF
    run std-tool profiles hca
    # name keeps the whole barcode the lane was cut from (the profile's name).
    assert_output "2	barcode:str=AAAC-1	name:str=MantonBM1_HiSeq_1-AAAC-1	lane:str=MantonBM1_HiSeq_1	batch:str=MantonBM1
3	barcode:str=AAAC-1	name:str=MantonBM1_HiSeq_2-AAAC-1	lane:str=MantonBM1_HiSeq_2	batch:str=MantonBM1
4	barcode:str=TTTG-1	name:str=CB1-TTTG-1	lane:str=CB1	batch:str=CB1"
    # lane: hca is the same rule, applied only when every barcode has the HCA form.
    want=$output
    sed -i 's/lane: {from: barcode, prefix_before: "-"}, batch: {from: lane, prefix_before: "_"}/lane: hca/' hca/format.yaml
    run std-tool profiles hca
    assert_output "$want"
    echo AAAC-1 >>hca/p.csv
    sed -i 's/^1 3 1$/1 4 1/' hca/m.mtx
    run std-tool profiles hca
    assert_output "2	barcode:str=MantonBM1_HiSeq_1-AAAC-1	lane:str=all	batch:str=all
3	barcode:str=MantonBM1_HiSeq_2-AAAC-1	lane:str=all	batch:str=all
4	barcode:str=CB1-TTTG-1	lane:str=all	batch:str=all
5	barcode:str=AAAC-1	lane:str=all	batch:str=all"
    cp "$V2/genes.tsv" "$V2/matrix.mtx" aggr/
    sed '5,$s/-1$/-2/' "$V2/barcodes.tsv" >aggr/barcodes.tsv
    run mc-delane --format "$F/10x-v2-aggr.yaml" aggr out
    assert_success
    run cat out/lanes.txt
    assert_output "1
2"
    [ "$(wc -l <out/2/profiles.csv)" = 9 ]
    b=$(sed -n 5p "$V2/barcodes.tsv" | sed 's/-1$//')
    [ "$(sed -n 2p out/2/profiles.csv)" = "$b-2,$b,2,2" ]
    # A barcode without the separator is an error naming its line.
    sed -i '$s/.*/NOLANE/' aggr/barcodes.tsv
    run mc-delane --format "$F/10x-v2-aggr.yaml" aggr out2
    assert_failure 1
    assert_output "mc-delane: aggr/barcodes.tsv:12: barcode 'NOLANE' has no '-' to take the lane from"
}

@test "lanes that collide as directory names are an error, and nothing is written" {
    mkdir std
    printf 'name\nG\n' >std/genes.csv
    printf 'barcode,lane\nA,x/y\nB,x_y\n' >std/profiles.csv
    printf '%%%%MatrixMarket matrix coordinate integer general\n1 2 0\n' >std/umis.mtx
    printf 'matrix: {path: umis.mtx}\ngenes: {path: genes.csv, field_types: {name: str}}\nprofiles: {path: profiles.csv, field_types: {barcode: str, lane: str}}\n' >std/format.yaml
    run mc-delane std out
    assert_failure 1
    assert_output "mc-delane: std/profiles.csv:3: lanes 'x/y' and 'x_y' would both be the directory 'x_y'"
    assert_only std
}

@test "many lanes: more lane files than may stay open" {
    mkdir std
    n=1500
    printf 'name\nG1\nG2\n' >std/genes.csv
    { echo barcode,lane; seq $n | awk '{print "B" $1 ",lane" $1 % 700}'; } >std/profiles.csv
    { echo '%%MatrixMarket matrix coordinate integer general'; echo "2 $n $n"; seq $n | awk '{print $1 % 2 + 1, $1, $1}'; } >std/umis.mtx
    printf 'matrix: {path: umis.mtx}\ngenes: {path: genes.csv, field_types: {name: str}}\nprofiles: {path: profiles.csv, field_types: {barcode: str, lane: str}}\n' >std/format.yaml
    run bash -c 'ulimit -n 64 && mc-delane std out'
    assert_success
    [ "$(wc -l <out/lanes.txt)" = 700 ]
    run cat out/lane5/umis.mtx
    assert_output "%%MatrixMarket matrix coordinate integer general
2 3 3
2 1 5
2 2 705
2 3 1405"
}

# --- bad inputs: one line naming file and line, exit 1, no output -----------------

# A small good STD in bad/ and its gene set in genes/.
good() {
    dups bad
    mc-make-genes --organism mouse bad genes
}

# Replace line $1 of bad/$2 by $3.
edit() { sed -i "$1c\\$3" "bad/$2"; }

fails() {
    run mc-write-matrix --genes genes bad out
    assert_failure 1
    assert_output "mc-write-matrix: $1"
    assert_only bad genes
    run mc-delane bad out
    assert_failure 1
    assert_output "mc-delane: $1"
    assert_only bad genes
}

@test "bad: the size line disagrees with the genes, the profiles or the entries" {
    good
    n=$(sed -n 3p bad/umis.mtx | cut -d' ' -f3)
    edit 3 umis.mtx "8 5 $n"
    fails "bad/umis.mtx:3: the size line has 8 rows, but bad/genes.csv has 7 genes"
    edit 3 umis.mtx "7 4 $n"
    fails "bad/profiles.csv:6: more rows than the 4 of the size line of bad/umis.mtx"
    edit 3 umis.mtx "7 5 $((n + 1))"
    fails "bad/umis.mtx:$((n + 3)): file ends after $n of $((n + 1)) entries"
    edit 3 umis.mtx "7 5 $((n - 1))"
    fails "bad/umis.mtx:$((n + 3)): more entries than the $((n - 1)) of the size line"
}

@test "bad: an index out of range, a negative or non-integral value, garbage" {
    good
    edit 4 umis.mtx "8 1 1"
    fails "bad/umis.mtx:4: row index 8 out of range 1..7"
    edit 4 umis.mtx "1 0 1"
    fails "bad/umis.mtx:4: column index 0 (indices are 1-based)"
    edit 4 umis.mtx "1 1 -2"
    fails "bad/umis.mtx:4: negative value '-2'"
    edit 4 umis.mtx "1 1 2.5"
    fails "bad/umis.mtx:4: value is not an integer: '2.5'"
    edit 4 umis.mtx "1 1 1e-1"
    fails "bad/umis.mtx:4: value is not an integer: '1e-1'"
    edit 4 umis.mtx "1 one 1"
    fails "bad/umis.mtx:4: expected 'ROW COL VALUE', found 'one'"
    edit 4 umis.mtx "1 1"
    fails "bad/umis.mtx:4: incomplete entry (expected 'ROW COL VALUE')"
    edit 4 umis.mtx "1 1 99999999"
    run mc-write-matrix --genes genes bad out
    assert_output "mc-write-matrix: bad/umis.mtx:4: value 99999999 is not a plausible count (more than 16777216)"
    # real values that are integral are accepted
    edit 1 umis.mtx "%%MatrixMarket matrix coordinate real general"
    edit 4 umis.mtx "1 1 2.50e1"
    run mc-write-matrix --genes genes bad out
    assert_success
    container-tool entries out | grep -qx "0 4 25"    # STD gene 0, b, is B: the 5th of the set
}

@test "bad: truncated plain and gzip matrices" {
    good
    n=$(sed -n 3p bad/umis.mtx | cut -d' ' -f3)
    head -n -1 bad/umis.mtx >t && mv t bad/umis.mtx
    fails "bad/umis.mtx:$((n + 2)): file ends after $((n - 1)) of $n entries"
    dups bad
    gzip bad/umis.mtx
    head -c 60 bad/umis.mtx.gz >t && mv t bad/umis.mtx.gz
    sed -i 's/umis.mtx/umis.mtx.gz/' bad/format.yaml
    run mc-write-matrix --genes genes bad out
    assert_failure 1
    assert_output --regexp '^mc-write-matrix: bad/umis.mtx.gz:[0-9]+: truncated gzip data$'
    assert_only bad genes
}

@test "bad: banners that are not coordinate integer/real general" {
    good
    for b in "pattern general:pattern matrices have no values (need integer or real)" \
        "complex general:complex values are not supported (need integer or real)" \
        "integer symmetric:symmetric matrices are not supported (need general)"; do
        edit 1 umis.mtx "%%MatrixMarket matrix coordinate ${b%%:*}"
        fails "bad/umis.mtx:1: ${b#*:}"
    done
    edit 1 umis.mtx "%%MatrixMarket matrix array integer general"
    fails "bad/umis.mtx:1: array (dense) Matrix Market files are not supported, only coordinate"
    edit 1 umis.mtx "hello"
    fails "bad/umis.mtx:1: not a Matrix Market file (no %%MatrixMarket banner)"
}

@test "bad: a value of the wrong type, a missing column, a malformed format" {
    good
    sed -i 's/lane: str, batch: str/lane: str, batch: str, depth: int/' bad/format.yaml
    sed -i '1s/$/,depth/; 2,$s/$/,7/; 4s/,7$/,abc/' bad/profiles.csv
    fails "bad/profiles.csv:4: column 'depth': 'abc' is not an int"
    sed -i '4s/,abc$/,1.5/' bad/profiles.csv
    fails "bad/profiles.csv:4: column 'depth': '1.5' is not an int"
    sed -i 's/depth: int/depth: float/; 4s/,1.5$/,x1/' bad/profiles.csv bad/format.yaml
    fails "bad/profiles.csv:4: column 'depth': 'x1' is not a float"
    dups bad
    sed -i '1s/lane/lanes/' bad/profiles.csv
    fails "bad/profiles.csv:1: no column 'lane' (field_types lists it)"
    dups bad
    sed -i '3s/$/,extra/' bad/profiles.csv
    fails "bad/profiles.csv:3: 4 fields, but the header has 3"
    dups bad
    sed -i 's/ensembl: str, name: str/ensembl: str/' bad/format.yaml
    fails "bad/format.yaml: genes: needs the field 'name' in field_types (or rename)"
    dups bad
    sed -i 's/name: str}/name: text}/' bad/format.yaml
    fails "bad/format.yaml: genes.field_types.name: 'text' is not str, int, float or bool"
    dups bad
    sed -i 's/header: true/headers: true/' bad/format.yaml
    fails "bad/format.yaml: genes: unknown key 'headers'"
    sed -i 's/headers: true/header: false, field_names: [ensembl]/' bad/format.yaml
    fails "bad/format.yaml: genes.field_types: 'name' is not in field_names"
    dups bad
    sed -i '1s/batch/a\/b/; s/batch: str/a\/b: str/' bad/profiles.csv bad/format.yaml
    fails "bad/format.yaml: profiles: field 'a/b' cannot name a file (rename it)"
    rm bad/format.yaml
    fails "bad: no format.yaml, and not a 10x (features.tsv, genes.tsv) or MOCA (gene_count.txt) directory; give --format"
    # A quoted value may span lines in CSV, but not in a .txt array.
    dups bad
    sed -i '3s/^P1,/"P1\nx",/' bad/profiles.csv
    run std-tool profiles bad
    assert_line --index 1 "4	barcode:str=P1"
    run mc-write-matrix --genes genes bad out
    assert_failure 1
    assert_output "mc-write-matrix: bad/profiles.csv:4: the barcode value has a line break, which a .txt array cannot hold"
    assert_only bad genes
    sed -i '3s/^"P1/"P1"x/' bad/profiles.csv
    run mc-delane bad out
    assert_failure 1
    assert_output "mc-delane: bad/profiles.csv:3: malformed CSV: error parsing data while strict checking enabled"
}

@test "bad: gene lists that differ between STD directories name the first difference" {
    dups a
    dups b
    sed -i '4s/,a$/,Q/' b/genes.csv
    run mc-make-genes --organism mouse a b genes
    assert_failure 1
    assert_output "mc-make-genes: b/genes.csv:4: gene 3: name 'Q' differs from a/genes.csv:4's 'a' (--union combines different gene lists)"
    assert_only a b
    dups b
    sed -i '2s/E0,/E9,/' b/genes.csv
    run mc-make-genes --organism mouse a b genes
    assert_output "mc-make-genes: b/genes.csv:2: gene 1: ensembl id 'E9' differs from a/genes.csv:2's 'E0' (--union combines different gene lists)"
    dups b
    echo E7,d >>b/genes.csv
    run mc-make-genes --organism mouse a b genes
    assert_output "mc-make-genes: b/genes.csv:9: gene 8: 'd' is extra: a/genes.csv has only 7 genes (--union combines different gene lists)"
    assert_only a b
}

@test "write-matrix: a gene missing from the gene set, another organism, no gene set" {
    dups a
    mkstd lanes b
    run mc-write-matrix a out
    assert_failure 1
    assert_output --regexp "^mc-write-matrix: .*: no genes/ directory with uuid \(any\) above it; name the gene set directory \(see --help\)$"
    mc-make-genes --organism mouse a genes
    run mc-write-matrix --genes genes b out
    assert_failure 1
    assert_output "mc-write-matrix: b/genes.csv:2: gene 'GENE0' is not in the gene set genes"
    run mc-write-matrix --genes genes --organism human a out
    assert_output "mc-write-matrix: genes: the gene set is of organism 'mouse', not 'human'"
    assert_only a b genes
}

@test "outputs exist: refused without --force, replaced with it" {
    dups a
    mc-make-genes --organism mouse a genes
    mc-write-matrix a cells/a
    run mc-write-matrix a cells/a
    assert_failure 1
    assert_output "mc-write-matrix: cells/a: already exists (use --force to replace it)"
    run mc-write-matrix --force --profiles-kind metacells a cells/a
    assert_success
    grep -qx 'profiles_kind: metacells' cells/a/profiles.yaml
    run mc-make-genes --organism mouse a genes
    assert_output "mc-make-genes: genes: already exists (use --force to replace it)"
    mc-delane a d
    run mc-delane a d
    assert_output "mc-delane: d: already exists (use --force to replace it)"
    run mc-delane --force a d
    assert_success
}

@test "usage errors exit 2; --help shows an example" {
    run mc-delane onlyone
    assert_usage_error "mc-delane: expected STD and OUT"
    run mc-make-genes a genes
    assert_usage_error "mc-make-genes: --organism NAME is required"
    run mc-write-matrix --bogus a b
    assert_usage_error "mc-write-matrix: unknown option '--bogus'"
    run mc-write-matrix --profiles-kind= a b
    assert_usage_error "mc-write-matrix: --profiles-kind needs a name"
    for t in mc-delane mc-make-genes mc-write-matrix; do
        run $t --help
        assert_success
        assert_output --partial "Example:"
    done
}

# --- the Matrix Market reader and writer themselves ---------------------------------

@test "mtx reader: comments, blank lines, CRLF, tabs, integral reals" {
    printf '%%%%MatrixMarket matrix coordinate real general\r\n%% a comment\r\n\r\n  3 4 5\r\n1 1 3.0\r\n\t2 2\t3e0\r\n3 4 0.3e1 \r\n%% late comment\r\n\r\n1 4 300\r\n3 1 18446744073709551615' >a.mtx
    run mtx-tool read a.mtx
    assert_success
    assert_output "3 4 5 real
0 0 3
1 1 3
2 3 3
0 3 300
2 0 18446744073709551615"
    gzip -k a.mtx
    run mtx-tool read a.mtx.gz
    assert_output "$(mtx-tool read a.mtx)"
    printf '%%%%MatrixMarket matrix coordinate integer general\n1 1 1\n1 1 18446744073709551616\n' >b.mtx
    run mtx-tool read b.mtx
    assert_output --partial "b.mtx:3: value too large: '18446744073709551616'"
}

@test "mtx reader: megabytes read ahead (inflated and parsed on threads): every entry, errors at their line" {
    # 400,000 entries in lines of every form, comments among them, over many read chunks and entry batches
    py <<'PY'
import gzip, random
random.seed(7)
lines, want = [], []
for k in range(400000):
    i, j, v = random.randrange(1, 3001), random.randrange(1, 901), random.randrange(0, 70000)
    if k % 9973 == 0: lines.append("% a comment")
    if k % 50021 == 0: lines.append("")
    lines.append("%d\t%d  %d \r" % (i, j, v) if k % 7919 == 0 else "%d %d %d" % (i, j, v))
    want.append("%d %d %d" % (i - 1, j - 1, v))
text = "%%%%MatrixMarket matrix coordinate integer general\n3000 900 %d\n" % len(want) + "\n".join(lines) + "\n"
open("a.mtx", "w").write(text)
open("want", "w").write("3000 900 %d integer\n" % len(want) + "\n".join(want) + "\n")
PY
    gzip -k a.mtx
    mtx-tool read a.mtx >got
    cmp got want
    mtx-tool read a.mtx.gz >got
    cmp got want
    # an error deep in the file, plain and gzip: its line, the entries before it given
    awk 'NR == 300001 { $3 = "x" } { print }' a.mtx >b.mtx
    gzip -k b.mtx
    n=$(head -n 300000 b.mtx | tail -n +3 | grep -cv '^%\|^$')
    for f in b.mtx b.mtx.gz; do
        run sh -c "mtx-tool read $f >got"
        assert_failure 1
        assert_output "mtx-tool: $f:300001: value is not a number: 'x'"
        head -n $((1 + n)) want | cmp - got
    done
    # gzip cut in the middle: the line after the last whole one inflated
    head -c 1500000 a.mtx.gz >t.mtx.gz
    line=$(py <<'PY'
import zlib
d = zlib.decompressobj(31)
print(d.decompress(open("t.mtx.gz", "rb").read()).count(b"\n") + 1)
PY
)
    run mtx-tool scan t.mtx.gz
    assert_failure 1
    assert_output "mtx-tool: t.mtx.gz:$line: truncated gzip data"
    # a wrong CRC: zlib's refusal (at the start of the read it spoils), not an early end of file
    cp a.mtx.gz c.mtx.gz
    printf '\377\377\377\377' | dd of=c.mtx.gz bs=1 seek=$(($(stat -c %s a.mtx.gz) - 8)) conv=notrunc status=none
    run mtx-tool scan c.mtx.gz
    assert_failure 1
    assert_output --regexp '^mtx-tool: c\.mtx\.gz:[0-9]+: corrupt gzip data: c\.mtx\.gz: incorrect data check$'
}

@test "mc-write-matrix and mc-delane: a big matrix refused early, threads still reading, stops at once, leaves nothing" {
    mkdir s
    py <<'PY'
import random
random.seed(3)
rows = ["%%MatrixMarket matrix coordinate integer general", "200 3000 600000"]
for k in range(600000):
    rows.append("%d %d %d" % (random.randrange(1, 201), k // 200 + 1, 99999999 if k == 5 else 1))
open("s/umis.mtx", "w").write("\n".join(rows) + "\n")
open("s/genes.csv", "w").write("name\n" + "".join("g%d\n" % i for i in range(200)))
open("s/profiles.csv", "w").write("barcode\n" + "".join("c%d\n" % i for i in range(3000)))
PY
    gzip s/umis.mtx
    cat >s/format.yaml <<'EOT'
matrix: {path: umis.mtx.gz}
genes: {path: genes.csv, separator: ",", header: true, field_types: {name: str}}
profiles: {path: profiles.csv, separator: ",", header: true, field_types: {barcode: str}}
EOT
    mc-make-genes --organism mouse s genes
    run mc-write-matrix --genes genes s out
    assert_failure 1
    assert_output "mc-write-matrix: s/umis.mtx.gz:8: value 99999999 is not a plausible count (more than 16777216)"
    run mc-delane s d
    assert_failure 1
    assert_output "mc-delane: s/umis.mtx.gz:8: value 99999999 is not a plausible count (more than 16777216)"
    assert_only genes s
}

@test "mtx writer: known and unknown counts, checked count, abort leaves nothing" {
    printf '0 0 5\n1 2 300\n' | mtx-tool write k.mtx 2 3 2
    printf '0 0 5\n1 2 300\n' | mtx-tool write u.mtx 2 3 -
    cmp k.mtx u.mtx
    run cat k.mtx
    assert_output "%%MatrixMarket matrix coordinate integer general
2 3 2
1 1 5
2 3 300"
    # numbers from the writer's table (rows and values up to the row count) and past it
    printf '0 1 2\n1 1 1\n' | mtx-tool write t.mtx 2 3 2
    run tail -n 2 t.mtx
    assert_output "1 2 2
2 2 1"
    printf '1999999 0 7\n0 2 1048577\n' | mtx-tool write big.mtx 2000000 3 2
    run tail -n 2 big.mtx
    assert_output "2000000 1 7
1 3 1048577"
    rm t.mtx big.mtx
    printf '0 0 5\n' | mtx-tool abort x.mtx 2 3 -
    run bash -c "printf '0 0 5\n' | mtx-tool write y.mtx 2 3 2"
    assert_failure 1
    assert_output "mtx-tool: y.mtx: wrote 1 entries but the size line says 2"
    run bash -c "printf '2 0 5\n' | mtx-tool write z.mtx 2 3 -"
    assert_output "mtx-tool: z.mtx: entry (3, 1) outside the 2 x 3 matrix"
    assert_only k.mtx u.mtx
}

@test "mc-make-genes --union: matched by canonical name, the first input's values, a field some input lacks as text" {
    dups a
    cp -r a b
    printf 'ensembl,name,length\nE0,b,1\nE1,A,2\nE2,a,3\nE3,A-1,4\nE4,B,5\nE5,a,6\nE6,zz,7\n' >b/genes.csv
    sed -i 's/field_types: {ensembl: str, name: str}/field_types: {ensembl: str, name: str, length: int}/' b/format.yaml
    run mc-make-genes --organism mouse a b genes
    assert_output "mc-make-genes: b/genes.csv:8: gene 7: name 'zz' differs from a/genes.csv:8's 'c' (--union combines different gene lists)"
    mc-make-genes --organism mouse --union a b genes
    run bash -c 'cd genes && ls && paste g.name.txt g.original_name.txt g.ensembl.txt g.length.txt'
    assert_output "$(printf 'g.ensembl.txt\ng.length.txt\ng.name.txt\ng.original_name.txt\ngenes.yaml
A\tA\tE1\t\nA-1\tA-1\tE3\t\nA-2\ta\tE2\t\nA-3\ta\tE5\t\nB\tb\tE0\t\nB-1\tB\tE4\t\nC\tc\tE6\t\nZZ\tzz\tE6\t7')"
    grep -qx 'genes_count: 8' genes/genes.yaml
    # Each input's genes in their columns; the gene an input lacks is zero in its profiles.
    mc-write-matrix --genes genes a ca
    mc-write-matrix --genes genes b cb
    container-tool dense ca >da
    container-tool dense cb >db
    [ "$(cut -d' ' -f1-6 da)" = "$(cut -d' ' -f1-6 db)" ]
    [ "$(cut -d' ' -f7 da)" = "$(cut -d' ' -f8 db)" ] && [ -n "$(cut -d' ' -f7 da | tr -d '0\n')" ]
    [ -z "$(cut -d' ' -f8 da | tr -d '0\n')" ] && [ -z "$(cut -d' ' -f7 db | tr -d '0\n')" ]
}
