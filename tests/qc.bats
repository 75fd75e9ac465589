#!/usr/bin/env bats
# QC in one step (issue 16, 6): mc-qc's table against numpy's recomputation of
# scanpy's calculate_qc_metrics from the real 10x files read by h5py, through
# every container kind; mc-make-view by those metrics; mc-info's non-zeros.

load test_helper
bats_require_minimum_version 1.5.0

V2="$DATA10X/1.2.0/filtered_gene_bc_matrices_h5.h5"
V3="$DATA10X/3.0.0/filtered_feature_bc_matrix.h5"

# $1 (v2 or v3) imported as the collection $1/cells of one lane, on its own gene set.
import_sample() {
    local h5=$V3
    [ "$1" = v2 ] && h5=$V2
    mc-make-genes --organism human "$h5" "$1/genes"
    mc-import-cells --genes "$1/genes" "$h5" "$1/cells"
}

# Python with tests/helpers importable: pyq ARGS <<'PY' ... PY
pyq() { PYTHONPATH="$MC_ROOT/tests/helpers" "$PY" - "$@"; }

@test "mc-qc of the real 10x v2 and v3 files: counts exact, percentages numpy's float64, log1p columns" {
    for v in v2 v3; do
        import_sample $v
        h5=$V3
        [ $v = v2 ] && h5=$V2
        # a header, two names (any case) and an index
        mc-export $v/cells --tsv g | awk -F'\t' 'NR == 1 {print "name"} NR == 5 || NR == 9 {print tolower($1)} END {print 2}' >list.tsv
        mc-qc --pattern krt='krt*' --pattern nc='LINC*' --pattern nc='MIR*' --list x=list.tsv $v/cells >$v.tsv
        mc-qc --no-log1p --pattern krt='KRT*' $v/cells >$v.nolog.tsv
        run pyq "$h5" $v.tsv $v.nolog.tsv <<'PY'
import sys, numpy as np, qc_ref
h5, tsv, nolog = sys.argv[1:]
X, names, barcodes = qc_ref.read10x(h5)
up = np.char.upper(names.astype(str))
x = np.isin(up, [l.strip().upper() for l in open("list.tsv").readlines()[1:3]])
assert x.sum() == 2
x[np.argsort(up, kind="stable")[2]] = True   # index 2 of the gene set, sorted by name (SPEC 5)
lists = {"krt": np.char.startswith(up, "KRT"), "nc": np.char.startswith(up, "LINC") | np.char.startswith(up, "MIR"),
         "x": x}
assert all(m.any() for m in lists.values())
print(qc_ref.compare(tsv, barcodes, qc_ref.metrics(X, lists)))
print(qc_ref.compare(nolog, barcodes, qc_ref.metrics(X, {"krt": lists["krt"]}), log1p=False))
PY
        assert_output "ok
ok"
    done
    run head -1 v3.tsv
    assert_output "$(printf 'name\tn_genes_by_counts\tlog1p_n_genes_by_counts\ttotal_counts\tlog1p_total_counts')$(
        for n in krt nc x; do printf '\ttotal_counts_%s\tlog1p_total_counts_%s\tpct_counts_%s' $n $n $n; done)"
}

@test "mc-qc through a view slicing profiles and genes of a collection, and a link view: numpy's metrics" {
    import_sample v3
    ln -s v3/genes genes   # the gene set above the containers made here, as the tools look for it
    mc-collect both a=v3/cells b=v3/cells
    seq 0 3 2213 >profiles.txt                                  # every third profile of the 2 x 1107
    mc-export v3/cells --tsv g | awk -F'\t' 'NR > 1 && NR % 2 {print $1}' >genes.txt
    mc-make-view --keep-profiles profiles.txt --keep-genes genes.txt both view
    mc-make-view both link
    mc-qc --pattern rp='RP11-*' --list x=genes.txt view >view.tsv   # every gene of x in the view
    mc-qc --pattern rp='RP11-*' link >link.tsv
    mc-export both --tsv p >names.tsv
    run pyq "$V3" view.tsv link.tsv names.tsv genes.txt <<'PY'
import sys, numpy as np, pandas as pd, scipy.sparse as sp, qc_ref
h5, view, link, names, genes = sys.argv[1:]
X, gnames, barcodes = qc_ref.read10x(h5)
both = sp.vstack([X, X]).tocsr()
allnames = list(pd.read_csv(names, sep="\t", index_col=0).index)
assert allnames == ["a:" + b for b in barcodes] + ["b:" + b for b in barcodes]
up = np.char.upper(gnames.astype(str))
keep = np.isin(up, [l.strip().upper() for l in open(genes)])
rows = np.arange(0, 2214, 3)
sub = both[rows][:, keep]
lists = {"rp": np.char.startswith(up[keep], "RP11-"), "x": np.ones(keep.sum(), bool)}
print(qc_ref.compare(view, [allnames[i] for i in rows], qc_ref.metrics(sub, lists)))
print(qc_ref.compare(link, allnames, qc_ref.metrics(both, {"rp": np.char.startswith(up, "RP11-")})))
PY
    assert_output "ok
ok"
}

@test "mc-make-view --min-genes, --max-genes, --max-pct: numpy's selection, composed with the other selections" {
    import_sample v3
    ln -s v3/genes genes   # the gene set above the containers made here, as the tools look for it
    mc-make-view --pattern rp='RP11-*' --min-genes 20 --max-genes 40 --max-pct rp=4.5 v3/cells qc
    seq 0 2 1106 >even.txt
    mc-make-view --keep-profiles even.txt --min-umis 30 --pattern rp='RP11-*' --max-pct rp=10 --max-pct rp=5 \
        --min-genes 18 v3/cells qc2
    mc-qc --pattern rp='RP11-*' qc >qc.tsv
    run pyq "$V3" qc qc2 qc.tsv <<'PY'
import sys, numpy as np, qc_ref
h5, qc, qc2, tsv = sys.argv[1:]
X, names, barcodes = qc_ref.read10x(h5)
up = np.char.upper(names.astype(str))
m = qc_ref.metrics(X, {"rp": np.char.startswith(up, "RP11-")})
g, pct, tot = m["n_genes_by_counts"], m["pct_counts_rp"], m["total_counts"]
with np.errstate(invalid="ignore"):
    want = np.flatnonzero((g >= 20) & (g <= 40) & (pct <= 4.5))
    even = np.zeros(len(g), bool)
    even[::2] = True
    want2 = np.flatnonzero(even & (tot >= 30) & (pct <= 5) & (g >= 18))
got = np.load(qc + "/p.base_index.npy")
got2 = np.load(qc2 + "/p.base_index.npy")
assert 0 < len(want) < len(g) and 0 < len(want2) < len(want), (len(want), len(want2))
sub = X[want]
print(np.array_equal(got, want), np.array_equal(got2, want2),
      qc_ref.compare(tsv, [barcodes[i] for i in want], qc_ref.metrics(sub, {"rp": np.char.startswith(up, "RP11-")})))
PY
    assert_output "True True ok"
    run mc-info --verify qc2
    assert_output "qc2: ok"
    # the same view as --keep-profiles of mc-qc's lines that pass, uuid and all
    mc-qc --pattern rp='RP11-*' v3/cells | awk -F'\t' 'NR > 1 && $2 >= 20 && $2 <= 40 && $9 <= 4.5 {print $1}' |
        mc-make-view --keep-profiles - v3/cells byhand
    [ "$(uuid_of qc)" = "$(uuid_of byhand)" ]
    cmp qc/p.base_index.npy byhand/p.base_index.npy
    ls qc2 >files
    run cat files
    assert_output "g.total_umis.npy
p.base_index.npy
p.total_umis.npy
profiles.yaml
total_umis.uuid"
}

@test "mc-make-view by QC metrics obeys the output rules: never over its base, an existing view needs --force" {
    import_sample v3
    run mc-make-view --min-genes 10 v3/cells v3/cells/all
    assert_failure 1
    assert_output "mc-make-view: v3/cells/all: is in the chain of v3/cells; write elsewhere"
    mc-make-view --min-genes 10 v3/cells qc
    run mc-make-view --min-genes 20 v3/cells qc
    assert_failure 1
    assert_output "mc-make-view: qc: already exists (use --force to replace it)"
    mc-make-view --force --min-genes 20 v3/cells qc
    run pyq qc <<'PY'
import sys, numpy as np
print(len(np.load(sys.argv[1] + "/p.base_index.npy")))
PY
    assert_output "$(mc-qc v3/cells | awk -F'\t' 'NR > 1 && $2 >= 20' | wc -l)"
}

@test "mc-info counts the non-zeros of a batch, a collection and a view slicing genes" {
    import_sample v3
    run mc-info v3/cells
    assert_success
    assert_line "entries: 23866 non-zero"                # the 10x file's 23,866 (tests/data/10x/README.md)
    run mc-info v3/cells/all
    assert_line "entries: 23866 non-zero"
    mc-export v3/cells --tsv g | awk -F'\t' 'NR > 1 && NR % 2 {print $1}' >genes.txt
    mc-make-view --keep-genes genes.txt v3/cells view
    run pyq "$V3" genes.txt <<'PY'
import sys, numpy as np, qc_ref
X, names, _ = qc_ref.read10x(sys.argv[1])
keep = np.isin(np.char.upper(names.astype(str)), [l.strip().upper() for l in open(sys.argv[2])])
print("entries: %d non-zero" % X[:, keep].nnz)
PY
    want=$output
    run mc-info view
    assert_line "$want"
}

@test "bad inputs: an unknown gene or index in a list file, a bad option value: one line, exit 1 or 2, no table" {
    import_sample v3
    printf 'CBSL\nNO-SUCH-GENE\n' >bad.txt
    run mc-qc --list x=bad.txt v3/cells
    assert_failure 1
    assert_output "mc-qc: bad.txt:2: no gene named 'NO-SUCH-GENE' in v3/cells"
    printf 'CBSL\n507\n' >range.txt
    run mc-qc --list x=range.txt v3/cells
    assert_failure 1
    assert_output "mc-qc: range.txt:2: index 507 out of range (v3/cells has 507 genes)"
    run mc-qc --list x=missing.txt v3/cells
    assert_failure 1
    assert_output "mc-qc: missing.txt: cannot open: No such file or directory"
    run mc-make-view --list x=bad.txt --max-pct x=5 v3/cells qc
    assert_failure 1
    assert_output "mc-make-view: bad.txt:2: no gene named 'NO-SUCH-GENE' in v3/cells"
    [ ! -e qc ]
    run mc-qc --pattern mt v3/cells
    assert_usage_error "mc-qc: --pattern: expected NAME=PATTERN, got 'mt'"
    run mc-qc --list x= v3/cells
    assert_usage_error "mc-qc: --list: expected NAME=FILE, got 'x='"
    run mc-qc --pattern 'm-t=MT-*' v3/cells
    assert_usage_error "mc-qc: --pattern: 'm-t' is not a list name (at most 64 letters, digits and '_')"
    run mc-qc $(for i in $(seq 65); do printf -- '--pattern l%d=A* ' "$i"; done) v3/cells
    assert_usage_error "mc-qc: --list, --pattern: more than 64 gene lists"
    run mc-qc --list a=- --list b=- v3/cells
    assert_usage_error "mc-qc: --list: only one list can read stdin ('-')"
    run mc-make-view --keep-profiles - --list a=- --max-pct a=5 v3/cells qc
    assert_usage_error "mc-make-view: --keep-profiles and --list cannot both read stdin ('-')"
    run mc-make-view --max-pct mt=20 v3/cells qc
    assert_usage_error "mc-make-view: --max-pct: no gene list 'mt' (give its genes with --list or --pattern)"
    run mc-make-view --pattern mt='MT-*' --max-pct mt=101 v3/cells qc
    assert_usage_error "mc-make-view: --max-pct: expected NAME=PERCENT, a number from 0 to 100, got 'mt=101'"
    run mc-make-view --pattern mt='MT-*' --max-pct mt=nan v3/cells qc
    assert_usage_error "mc-make-view: --max-pct: expected NAME=PERCENT, a number from 0 to 100, got 'mt=nan'"
    run mc-make-view --min-genes 2x v3/cells qc
    assert_usage_error "mc-make-view: --min-genes: expected a non-negative integer, got '2x'"
    run mc-make-view --max-genes -1 v3/cells qc
    assert_usage_error "mc-make-view: --max-genes: expected a non-negative integer, got '-1'"
    [ ! -e qc ]
}

@test "a pattern matching no gene is a warning on stderr; the table has its zero columns" {
    import_sample v2
    run --separate-stderr mc-qc --no-log1p --pattern mt='MT-*' v2/cells
    assert_success
    [ "$stderr" = "mc-qc: warning: gene list 'mt' has no gene of v2/cells" ]
    assert_line --index 0 "$(printf 'name\tn_genes_by_counts\ttotal_counts\ttotal_counts_mt\tpct_counts_mt')"
    [ "$(printf '%s\n' "$output" | awk -F'\t' 'NR > 1 && ($4 != 0 || $5 != 0)' | wc -l)" = 0 ]
    [ "${#lines[@]}" = 13 ]
}

@test "mc-qc --write: the columns as p arrays of the view itself (numpy's values, exact), all or none, --force" {
    import_sample v3
    ln -s v3/genes genes   # the gene set above the containers made here, as the tools look for it
    seq 0 2 1106 >even.txt
    mc-make-view --keep-profiles even.txt v3/cells view
    before=$(ls -A v3/cells v3/cells/all | md5sum)
    mc-qc --write --pattern rp='RP11-*' view
    [ "$(ls -A v3/cells v3/cells/all | md5sum)" = "$before" ]      # nothing written into the base
    run pyq "$V3" view <<'PY'
import sys, numpy as np, qc_ref
h5, view = sys.argv[1:]
X, names, _ = qc_ref.read10x(h5)
up = np.char.upper(names.astype(str))
m = qc_ref.metrics(X[::2], {"rp": np.char.startswith(up, "RP11-")})
bad = []
for c, want in m.items():
    got = np.load("%s/p.%s.npy" % (view, c))
    dtype = "<f8" if c.startswith(("log1p_", "pct_")) else "<i8"
    close = np.abs(got - want) <= np.spacing(want) if c.startswith("log1p_") else got == want
    if got.dtype.str != dtype or not np.all(close | (np.isnan(got) & np.isnan(want))):
        bad.append(c)
print(sorted(m) == sorted(f[2:-4] for f in __import__("os").listdir(view) if f.endswith(".npy") and
                                      "base_index" not in f), bad)
PY
    assert_output "True []"
    rm view/p.pct_counts_rp.npy
    ls -A view >files
    run mc-qc --write --pattern rp='RP11-*' view
    assert_failure 1
    assert_output "mc-qc: view/p.n_genes_by_counts.npy: p.n_genes_by_counts exists; --force replaces it"
    run ls -A view
    assert_output "$(cat files)"                                  # all or none: pct_counts_rp not written
    mc-qc --write --force --pattern rp='RP11-*' view
    [ -f view/p.pct_counts_rp.npy ]
    run mc-qc --force view
    assert_usage_error "mc-qc: --force only goes with --write"
}

@test "mc-qc of a generated HCA sample in lanes: MT-* percentages exact, empty cells 'nan', names as mc gives them" {
    gen-hca --seed 3 --donors 2 --lanes 2 --cells 600 --genes 2000 --mean-genes 100 --empty 4 a.h5
    mc-make-genes --organism human a.h5 genes
    mc-import-cells --genes genes a.h5 cells
    mc-qc --pattern mt='MT-*' cells >qc.tsv
    [ "$(awk -F'\t' '$8 == "nan"' qc.tsv | wc -l)" = 4 ]
    run pyq a.h5 qc.tsv <<'PY'
import sys, numpy as np, pandas as pd, qc_ref
h5, tsv = sys.argv[1:]
X, names, barcodes = qc_ref.read10x(h5)
order = [barcodes.index(n) for n in pd.read_csv(tsv, sep="\t", index_col=0).index]   # by name
assert sorted(order) == list(range(len(barcodes)))
mt = np.char.startswith(np.char.upper(names.astype(str)), "MT-")
assert mt.sum() >= 2
print(qc_ref.compare(tsv, [barcodes[i] for i in order], qc_ref.metrics(X[order], {"mt": mt})))
PY
    assert_output ok
}

@test "mc-info's non-zeros and mc-qc's counts on every hand-built kind, and on a valid non-canonical pair stream" {
    build_chain
    pyq "$T/d" <<'PY'
import os, struct, sys, mcfix
d = sys.argv[1]
# gene 1 = 3 after a zero pair, gene 3 = 255 + 2 + 0; a profile of one zero; gene 0 = 1 + 1
profiles = [bytes((0, 0, 1, 0, 0, 3, 2, 255, 0, 2, 0, 0)), bytes((4, 0)), bytes((0, 1, 0, 1))]
body, offsets = b"", []
for p in profiles:
    offsets.append(56 + len(body))
    body += p
offsets.append(56 + len(body))
body += b"\0" * ((-len(body)) % 4)
os.makedirs(d + "/odd")
with open(d + "/odd/gp.umis.mmm", "wb") as f:
    f.write(mcfix.MAGIC + struct.pack("<II", 3, 5) + body + struct.pack("<4I", *offsets))
gu = [l.split(": ")[1].strip() for l in open(d + "/genes/genes.yaml") if l.startswith("uuid")][0]
mcfix.write_yaml(d + "/odd/profiles.yaml", mcfix.common_keys(mcfix.file_uuid(d + "/odd/gp.umis.mmm"), gu, 3, 5))
with open(d + "/expected/odd.dense", "w") as f:
    f.write("0 3 0 257 0\n0 0 0 0 0\n2 0 0 0 0\n")
PY
    run mc-info --verify d/odd
    assert_output "d/odd: ok"
    for c in cells/A vp vg link coll vv vvv cells/A/groups odd; do
        e=${c##*/}
        [ "$c" = cells/A/groups ] && e=groups
        want=$(awk '{for (i = 1; i <= NF; i++) n += $i != 0} END {print n + 0}' "d/expected/$e.dense")
        run mc-info "d/$c"
        assert_line "entries: $want non-zero"
        run bash -c "mc-qc --no-log1p d/$c | awk -F'\t' 'NR > 1 {print \$2, \$3}'"
        assert_output "$(awk '{n = 0; t = 0; for (i = 1; i <= NF; i++) {n += $i != 0; t += $i}; print n, t}' \
            "d/expected/$e.dense")"
    done
}
