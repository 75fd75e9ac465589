#!/usr/bin/env bats
# mc-import-hca: HCA / 10x HDF5 to STD, checked against h5py's reading of the same files.
load test_helper

mkhca() { "$PY" "$MC_ROOT/tests/helpers/mkhca.py" "$@"; }
check_std_h5() { "$PY" "$MC_ROOT/tests/helpers/check_std_h5.py" "$@"; }

# The imported umis.mtx holds the same entries as a 10x Matrix Market file (any order).
same_entries() {
    py "$1" "$2" <<'PY'
import gzip, sys
def entries(path):
    with (gzip.open if path.endswith(".gz") else open)(path, "rt") as f:
        lines = [l for l in f if not l.startswith("%")]
    return lines[0].split(), sorted(tuple(int(x) for x in l.split()) for l in lines[1:])
(a_size, a), (b_size, b) = entries(sys.argv[1]), entries(sys.argv[2])
assert a_size == b_size, (a_size, b_size)
assert a == b, "entries differ"
print(len(a))
PY
}

# An import that failed: exit 1, exactly this message, no output nor temporary left.
assert_failed() {
    assert_failure 1
    assert_output "$1"
    [ ! -e std ]
    [ -z "$(ls -A | grep -v '\.h5$' | grep -v '^not-hdf5$')" ]
}

@test "10x 1.2.0 HDF5: genes, barcodes and matrix equal h5py's and the Matrix Market directory's" {
    h5="$DATA10X/1.2.0/filtered_gene_bc_matrices_h5.h5"
    mtx="$DATA10X/1.2.0/filtered_gene_bc_matrices/hg19_chr21"
    run mc-import-hca "$h5" std
    assert_success
    assert_output ""
    run check_std_h5 "$h5" std
    assert_output ok
    run same_entries std/umis.mtx "$mtx/matrix.mtx"
    assert_output 12
    # genes.tsv is "ensembl<TAB>name"; barcodes.tsv one per line: plain 10x, so lane and batch 'all'.
    # The genome is the v2 file's genome group.
    diff <(sed 's/$/\thg19_chr21/' "$mtx/genes.tsv" | tr '\t' ,) <(tail -n +2 std/genes.csv)
    [ "$(head -1 std/genes.csv)" = "ensembl,name,genome" ]
    diff <(sed 's/$/,all,all/' "$mtx/barcodes.tsv") <(tail -n +2 std/profiles.csv)
    [ "$(head -1 std/profiles.csv)" = "barcode,lane,batch" ]
}

@test "10x 3.0.0 HDF5: genes, barcodes and matrix equal h5py's and the Matrix Market directory's" {
    h5="$DATA10X/3.0.0/filtered_feature_bc_matrix.h5"
    mtx="$DATA10X/3.0.0/filtered_feature_bc_matrix"
    run mc-import-hca "$h5" std
    assert_success
    run check_std_h5 "$h5" std
    assert_output ok
    run same_entries std/umis.mtx "$mtx/matrix.mtx.gz"
    assert_output 23866
    diff <(gzip -dc "$mtx/features.tsv.gz" | cut -f1,2 | tr '\t' ,) <(tail -n +2 std/genes.csv | cut -d, -f1,2)
    # features/genome, each gene's (this file has one).
    diff <("$PY" -c 'import h5py, sys; print("\n".join(x.decode() for x in h5py.File(sys.argv[1])["matrix/features/genome"]))' "$h5") \
        <(tail -n +2 std/genes.csv | cut -d, -f3)
    diff <(gzip -dc "$mtx/barcodes.tsv.gz" | sed 's/$/,all,all/') <(tail -n +2 std/profiles.csv)
}

@test "HCA barcodes LANE-BARCODE-N are split into barcode, lane and batch" {
    mkhca lanes in.h5
    run mc-import-hca in.h5 std
    assert_success
    run cat std/profiles.csv
    # name keeps the file's whole barcode: the profile's name (SPEC 7).
    assert_output "name,barcode,lane,batch
MantonBM1_HiSeq_1-AAACCTGAGAAGGCCT-1,AAACCTGAGAAGGCCT-1,MantonBM1_HiSeq_1,MantonBM1
MantonBM1_HiSeq_1-AAACCTGAGACAGGCT-1,AAACCTGAGACAGGCT-1,MantonBM1_HiSeq_1,MantonBM1
MantonBM1_HiSeq_2-AAACCTGAGAAGGCCT-1,AAACCTGAGAAGGCCT-1,MantonBM1_HiSeq_2,MantonBM1
MantonBM2_HiSeq_1-AAACGGGAGTCGTACT-1,AAACGGGAGTCGTACT-1,MantonBM2_HiSeq_1,MantonBM2
MantonBM2_HiSeq_1-AAAGATGCATTGGTAC-1,AAAGATGCATTGGTAC-1,MantonBM2_HiSeq_1,MantonBM2
CB1-TTTGTCATCTTGTTTG-1,TTTGTCATCTTGTTTG-1,CB1,CB1"
    run check_std_h5 in.h5 std
    assert_output ok
    # Values above 255 and an empty profile came through.
    grep -qx '1 1 300' std/umis.mtx
    ! grep -q ' 2 [0-9]*$' std/umis.mtx
}

@test "the STD reads back through the STD reader (format.yaml, CSVs, matrix)" {
    mkhca lanes in.h5
    run mc-import-hca in.h5 std
    assert_success
    # std-tool prints 0-based "gene profile value"; umis.mtx is 1-based.
    diff <(std-tool entries std) <(grep -v '^%' std/umis.mtx | tail -n +2 | awk '{ print $1 - 1, $2 - 1, $3 }')
    run std-tool profiles std
    assert_line --index 5 "7	name:str=CB1-TTTGTCATCTTGTTTG-1	barcode:str=TTTGTCATCTTGTTTG-1	lane:str=CB1	batch:str=CB1"
    mkhca v3-antibody v3.h5
    run mc-import-hca --all-features v3.h5 all
    assert_success
    run std-tool genes all
    assert_line --index 1 "3	ensembl:str=AB1	name:str=CD1	genome:str=GRCh38	feature_type:str=Antibody Capture"
}

@test "plain 10x barcodes are kept whole with lane and batch 'all'" {
    mkhca plain in.h5
    run mc-import-hca in.h5 std
    assert_success
    run cut -d, -f2,3 std/profiles.csv
    assert_output "lane,batch
all,all
all,all
all,all
all,all"
    run check_std_h5 in.h5 std
    assert_output ok
}

@test "several genomes: an error listing them; --genome picks one" {
    mkhca two-genomes in.h5
    run mc-import-hca in.h5 std
    assert_failed "mc-import-hca: in.h5: several genomes (GRCh38, mm10); choose one with --genome"
    run mc-import-hca --genome hg19 in.h5 std
    assert_failed "mc-import-hca: in.h5: no genome 'hg19' (genomes: GRCh38, mm10)"
    run mc-import-hca --genome mm10 in.h5 std
    assert_success
    run check_std_h5 in.h5 std --genome mm10
    assert_output ok
    [ "$(wc -l <std/profiles.csv)" = 4 ]
    run mc-import-hca --force --genome GRCh38 in.h5 std
    assert_success
    run check_std_h5 in.h5 std --genome GRCh38
    assert_output ok
    [ "$(wc -l <std/profiles.csv)" = 7 ]
}

@test "a file without a genome group nor matrix/ is an error" {
    mkhca no-genome in.h5
    run mc-import-hca in.h5 std
    assert_failed "mc-import-hca: in.h5: no genome group (10x v2) and no matrix/features (10x v3)"
}

@test "v3: only Gene Expression by default, renumbered; --all-features keeps all" {
    mkhca v3-antibody in.h5
    run mc-import-hca in.h5 std
    assert_success
    run check_std_h5 in.h5 std
    assert_output ok
    run cat std/genes.csv
    assert_output "ensembl,name,genome
ENSG00000000001,Gene1,mm10
ENSG00000000003,Gene3,GRCh38
ENSG00000000004,Gene4,mm10
ENSG00000000006,Gene6,GRCh38"
    # The row numbers are the renumbered ones: none above 4.
    run awk '!/^%/ && n++ && $1 > 4' std/umis.mtx
    assert_output ""

    run mc-import-hca --all-features in.h5 all
    assert_success
    run check_std_h5 in.h5 all --all-features
    assert_output ok
    [ "$(wc -l <all/genes.csv)" = 7 ]
    # With every feature type, genes.csv says which is which.
    [ "$(head -1 all/genes.csv)" = "ensembl,name,genome,feature_type" ]
    grep -qx 'AB1,CD1,GRCh38,Antibody Capture' all/genes.csv
    grep -qx 'ENSG00000000003,Gene3,GRCh38,Gene Expression' all/genes.csv
}

@test "v3: --genome keeps the features of that genome" {
    mkhca v3-antibody in.h5
    run mc-import-hca --all-features --genome mm10 in.h5 std
    assert_success
    run check_std_h5 in.h5 std --all-features --genome mm10
    assert_output ok
    run cat std/genes.csv
    assert_output "ensembl,name,genome,feature_type
ENSG00000000001,Gene1,mm10,Gene Expression
ENSG00000000004,Gene4,mm10,Gene Expression"
    run mc-import-hca --genome GRCh37 in.h5 std2
    assert_failure 1
    assert_output "mc-import-hca: in.h5: no genome 'GRCh37' (genomes: mm10, GRCh38)"
}

@test "v3 with antibodies only is an error without --all-features" {
    mkhca v3-antibody-only in.h5
    run mc-import-hca in.h5 std
    assert_failed "mc-import-hca: in.h5: /matrix/features: no feature kept (only 'Gene Expression' without --all-features)"
    run mc-import-hca --all-features in.h5 std
    assert_success
    run check_std_h5 in.h5 std --all-features
    assert_output ok
}

@test "fixed and variable-length strings, float data with integral values, missing gene_names" {
    mkhca v3-fixed v3-fixed.h5 vlen-barcodes vlen-barcodes.h5 float float.h5 no-gene-names no-gene-names.h5
    for kind in v3-fixed vlen-barcodes float no-gene-names; do
        run mc-import-hca $kind.h5 $kind
        assert_success
        run check_std_h5 $kind.h5 $kind
        assert_output ok
    done
    # Without gene_names, the names are the ids.
    run awk -F, 'NR > 1 && $1 != $2' no-gene-names/genes.csv
    assert_output ""
}

@test "corrupt files: one exact line, exit 1, no output left" {
    local made="$BATS_FILE_TMPDIR/corrupt"   # (not here: nothing but .h5 files may be left here)
    mkdir "$made"
    mkhca $(sed "s/|.*//; s|.*|& $made/&.h5|" <<<"$corrupt")
    while IFS='|' read -r kind msg; do
        mv "$made/$kind.h5" in.h5
        run mc-import-hca in.h5 std
        echo "$kind: $output" >&2
        assert_failed "mc-import-hca: in.h5: $msg"
    done <<<"$corrupt"
    rmdir "$made"
}

# KIND|MESSAGE: mkhca.py's corrupt files and mc-import-hca's one line for each.
corrupt=$(cat <<'EOF'
indptr-decreasing|/GRCh38/indptr: decreases at index 3 (3 then 2)
indptr-start|/GRCh38/indptr: starts at 1, not 0
indptr-end|/GRCh38/indptr: ends at 16 but data has 15 values
index-out-of-range|/GRCh38/indices: entry 4: gene index 6 out of range (6 genes)
index-negative|/GRCh38/indices: entry 2: gene index -1 out of range (6 genes)
negative|/GRCh38/data: entry 5: negative value -3
fraction|/GRCh38/data: entry 1: value 1.5 is not an integer
shape-mismatch|/GRCh38/barcodes: 6 values, expected 7 for shape (6, 7)
genes-mismatch|/GRCh38/gene_names: 5 values, expected 6 for shape (6, 6)
indices-length|/GRCh38/indices: 14 values but data has 15
missing-data|/GRCh38/data: missing
string-data|/GRCh38/data: not a numeric dataset
newline-barcode|/GRCh38/barcodes: value 2 contains a line break
v3-index-out-of-range|/matrix/indices: entry 3: gene index 9 out of range (6 genes)
EOF
)

@test "not an HDF5 file, a missing file" {
    printf 'barcode\nAAAC-1\n' >not-hdf5
    run mc-import-hca not-hdf5 std
    assert_failed "mc-import-hca: not-hdf5: not an HDF5 file"
    run mc-import-hca missing.h5 std
    assert_failed "mc-import-hca: missing.h5: cannot open: No such file or directory"
}

@test "a truncated HDF5 file is an error, not a crash" {
    head -c 4000 "$DATA10X/3.0.0/filtered_feature_bc_matrix.h5" >in.h5
    run mc-import-hca in.h5 std
    assert_failure 1
    [ "${#lines[@]}" = 1 ]
    [[ "$output" == "mc-import-hca: in.h5: "* ]]
    [ ! -e std ]
}

@test "an existing STD is kept unless --force, and a directory of something else even with it" {
    mkhca plain in.h5
    mkdir std
    touch std/mine
    run mc-import-hca in.h5 std
    assert_failure 1
    assert_output "mc-import-hca: std: is a directory, not an STD directory: not replaced, even with --force (remove it yourself)"
    run mc-import-hca --force in.h5 std
    assert_failure 1
    assert_output "mc-import-hca: std: is a directory, not an STD directory: not replaced, even with --force (remove it yourself)"
    [ -e std/mine ]
    rm -r std
    mc-import-hca in.h5 std
    run mc-import-hca in.h5 std
    assert_failure 1
    assert_output "mc-import-hca: std: already exists (use --force to replace it)"
    run mc-import-hca --force in.h5 std
    assert_success
    run check_std_h5 in.h5 std
    assert_output ok
}

@test "usage errors exit 2; --help shows an example" {
    run mc-import-hca
    assert_usage_error "mc-import-hca: expected H5 and STD, got 0 arguments"
    run mc-import-hca in.h5
    assert_usage_error "mc-import-hca: expected H5 and STD, got 1 arguments"
    run mc-import-hca --bogus in.h5 std
    assert_usage_error "mc-import-hca: unknown option '--bogus'"
    run mc-import-hca --genome
    assert_usage_error "mc-import-hca: --genome needs a value"
    run mc-import-hca --all-features=1 in.h5 std
    assert_usage_error "mc-import-hca: --all-features takes no value"
    run mc-import-hca --help
    assert_success
    assert_line --partial "Example:"
    assert_line --partial "with lane and batch 'all'"
}

# uuid_of DIR: the uuid recorded (and verified) for a batch.

@test "each 10x version: the HDF5 file and the Matrix Market directory, imported each their own way, give the same batch uuid" {
    for v in 1.2.0 3.0.0; do
        if [ $v = 1.2.0 ]; then
            h5="$DATA10X/1.2.0/filtered_gene_bc_matrices_h5.h5" dir="$DATA10X/1.2.0/filtered_gene_bc_matrices/hg19_chr21"
            fmt="$MC_ROOT/formats/10x-v2.yaml"
        else
            h5="$DATA10X/3.0.0/filtered_feature_bc_matrix.h5" dir="$DATA10X/3.0.0/filtered_feature_bc_matrix"
            fmt="$MC_ROOT/formats/10x-v3.yaml"
        fi
        mc-import-hca "$h5" $v/h5/std
        mc-make-genes --organism human $v/h5/std $v/h5/genes
        mc-write-matrix --genes $v/h5/genes $v/h5/std $v/h5/cells
        mc-make-genes --organism human --format "$fmt" "$dir" $v/mtx/genes
        mc-write-matrix --genes $v/mtx/genes --format "$fmt" "$dir" $v/mtx/cells
        a=$(uuid_of $v/h5/cells) b=$(uuid_of $v/mtx/cells)
        [ -n "$a" ]
        assert_equal "$a" "$b"
        assert_equal "$(sed -n 's/^uuid: //p' $v/h5/genes/genes.yaml)" "$(sed -n 's/^uuid: //p' $v/mtx/genes/genes.yaml)"
        cmp $v/h5/cells/p.barcode.txt $v/mtx/cells/p.barcode.txt
    done
}

# long_h5 KIND OUT: three profiles, four genes; KIND lengthens a barcode, a gene name or a lane.
long_h5() {
    "$PY" - "$@" <<'PY'
import sys, h5py, numpy as np
kind, out = sys.argv[1], sys.argv[2]
bcs = [b"L1_A-AAAC-1", b"L1_A-AAAG-1", b"L2_B-AAAT-1"]
names = [b"G%d" % i for i in range(4)]
if kind.startswith("barcode"):   # plain 10x barcodes: the row is "BARCODE,all,all\n", 9 bytes more
    n = (1 << 20) - 9 + (kind == "barcode+1")
    bcs = [b"AAAC-1", b"C" * (n - 2) + b"-1", b"AAAT-1"]
if kind == "name+1": names[2] = b"N" * (1 << 20)   # ",GRCh38\n" and the ensembl id make it longer
if kind.startswith("lane"): bcs[2] = b"L" * (216 + (kind == "lane+1")) + b"-AAAT-1"
with h5py.File(out, "w") as f:
    g = f.create_group("GRCh38")
    g["barcodes"] = np.array(bcs)
    g["genes"] = np.array([b"ENSG%05d" % i for i in range(4)])
    g["gene_names"] = np.array(names)
    g["shape"] = np.array([4, 3], dtype=np.int32)
    g["indptr"] = np.array([0, 1, 2, 3])
    g["indices"] = np.array([0, 1, 2])
    g["data"] = np.array([1, 2, 3], dtype=np.int32)
PY
}

@test "rows of 1 MiB and lanes of 216 bytes go all the way; one byte more is refused by the importers" {
    for kind in barcode lane; do
        long_h5 $kind $kind.h5
        mc-import-hca $kind.h5 $kind/std
        mc-delane $kind/std $kind/delaned
        mc-make-genes --organism human $kind.h5 $kind/genes
        for lane in $(cat $kind/delaned/lanes.txt); do
            mc-write-matrix --genes $kind/genes $kind/delaned/$lane $kind/cells/$lane
        done
        mc-import-cells --genes $kind/genes $kind.h5 $kind/direct
        diff -r $kind/cells $kind/direct --exclude=profiles.yaml
    done
    [ "$(wc -c <barcode/std/profiles.csv)" -eq $((19 + 1048576 + 2 * 15)) ]   # the header, the 1 MiB row, two short ones
    cp -r barcode/genes genes
    for kind in barcode+1 name+1 lane+1; do
        long_h5 $kind $kind.h5
        case $kind in
            barcode+1) want="$kind.h5: /GRCh38/barcodes: row 2: 1048577 bytes as a row of profiles.csv, longer than"\
" the 1048576 an STD row may take" ;;
            name+1) want="$kind.h5: /GRCh38/gene_names: row 3: 1048594 bytes as a row of genes.csv, longer than"\
" the 1048576 an STD row may take" ;;
            lane+1) want="$kind.h5: /GRCh38/barcodes: row 3: lane name of 217 bytes, longer than the 216 a lane's"\
" directory may take" ;;
        esac
        run mc-import-hca $kind.h5 std
        assert_failure 1
        assert_output "mc-import-hca: $want"
        run mc-import-cells --genes genes $kind.h5 cells
        assert_failure 1
        assert_output "mc-import-cells: $want"
        run ls -A
        refute_output --regexp "(^|$'\n')\.?(std|cells)"
    done
    # An STD from elsewhere: mc-delane, the first tool to read it, refuses it the same way.
    cp -r lane/std long
    "$PY" - <<'PY'
p = "long/profiles.csv"
rows = open(p).read().split("\n")
rows[3] = rows[3].replace("L" * 216, "L" * 217)
open(p, "w").write("\n".join(rows))
PY
    run mc-delane long delaned
    assert_failure 1
    assert_output "mc-delane: long/profiles.csv:4: lane name of 217 bytes, longer than the 216 a lane's directory may take"
    [ ! -e delaned ]
}
