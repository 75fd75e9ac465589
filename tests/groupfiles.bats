#!/usr/bin/env bats
# Group and selection files as pandas writes them (a header line, CSV, the index
# column) give exactly what the plain files give; errors suggest the option.

load test_helper
bats_require_minimum_version 1.5.0

H="$MC_ROOT/tests/helpers"

# The derived.bats fixture, with its cells/S collected.
collected_fixture() {
    build_fixture
    mc-collect cells/S
}

# Python on stdin with the fixture loaded as F and pandas as pd (run in the data root).
fixture_py() {
    { printf 'import sys\nsys.path.insert(0, "%s")\nfrom derived import *\nimport pandas as pd\nF = Fixture(".")\n' \
        "$H"; cat; } | "$PY" -
}

GROUP_FILES="p.group.npy groups/gp.umis.mmm groups/p.group_label.txt groups/p.grouped_count.npy groups/profiles.yaml
outliers/p.base_index.npy outliers/profiles.yaml"

# mc-group FILE into views/v, then its outputs compared byte for byte with want/.
group_same() {
    run mc-group --force --groups "$@" views/v
    assert_success
    assert_output ""
    for f in $GROUP_FILES; do
        if [ -e "want/$f" ]; then cmp "want/$f" "views/v/$f"; else [ ! -e "views/v/$f" ]; fi
    done
}

@test "mc-group: labels as pandas writes them (TSV with its header, CSV, quoted) give the plain file's groups" {
    collected_fixture
    mc-make-view cells/S views/v
    fixture_py <<'PY'
n = list(F.S_names)
labels = (["B cells, naive", "T cells", "NK", ""] * 3)[:11]
quoted = [x.replace("T cells", 'T "helper"') for x in labels]   # pandas quotes it in TSV too: CSV only
for path, values in (("plain.tsv", labels), ("plain_q.tsv", quoted)):
    with open(path, "w") as f:
        for name, label in zip(n, values):
            f.write("%s\t%s\n" % (name, label))
pd.DataFrame({"cluster": quoted}, index=n).to_csv("quoted.csv")
df = pd.DataFrame({"cluster": labels}, index=n)
df.to_csv("unnamed.tsv", sep="\t")                       # "\tcluster" header
df.rename_axis("barcode").to_csv("named.tsv", sep="\t")  # "barcode\tcluster"
df.to_csv("labels.csv")                                   # ",cluster", quoted labels
df.rename_axis("barcode").to_csv("labels.txt")            # CSV by its first line
df.assign(score=1.5).to_csv("extra.tsv", sep="\t")        # more columns: the first is the label
pd.Series([0, 1, 0, -1] * 2 + [1, 0, 1], name="cluster").to_csv("ints.csv", index=False)
with open("ints.txt", "w") as f:
    f.write("".join("%d\n" % v for v in [0, 1, 0, -1] * 2 + [1, 0, 1]))
PY
    # the files really are what pandas writes
    assert_equal "$(head -2 unnamed.tsv | cut -f1 | head -1)" ""
    assert_equal "$(sed -n 2p labels.csv | cut -d, -f2-)" '"B cells, naive"'
    assert_equal "$(sed -n 3p quoted.csv | cut -d, -f2-)" '"T ""helper"""'
    mc-group --groups plain.tsv views/v
    mkdir want
    (cd views/v && cp --parents $GROUP_FILES ../../want)
    run cat want/groups/p.group_label.txt
    assert_output 'B cells, naive
T cells
NK'
    group_same unnamed.tsv
    group_same named.tsv
    group_same labels.csv
    group_same labels.txt
    group_same extra.tsv
    group_same - <labels.csv
    mc-group --force --groups plain_q.tsv views/v
    (cd views/v && cp --parents $GROUP_FILES ../../want)
    assert_equal "$(sed -n 2p want/groups/p.group_label.txt)" 'T "helper"'
    group_same quoted.csv
    # one integer a line, after pandas' header
    mc-group --force --groups ints.txt views/v
    rm -r want && mkdir want
    (cd views/v && cp --parents $(ls -d $GROUP_FILES 2>/dev/null) ../../want)
    [ ! -e want/groups/p.group_label.txt ]
    group_same ints.csv
    run mc-group --force --groups - views/v <<<"$(head -11 ints.csv)"
    assert_failure 1
    assert_output "mc-group: stdin:12: expected 11 lines (one group per profile of views/v), found 10"
}

@test "mc-make-view: selections as pandas writes them (header, CSV, index column) give the plain file's view" {
    collected_fixture
    fixture_py <<'PY'
n = list(F.S_names)
keep = [n[i] for i in (0, 3, 4, 9)]
genes = ["CD3E", "NKG7", "lyz"]
open("keep.txt", "w").write("".join(x + "\n" for x in keep))
open("genes.txt", "w").write("".join(x + "\n" for x in genes))
totals = pd.DataFrame({"total": [1, 2, 3, 4]}, index=pd.Index(keep, name="barcode"))
totals.to_csv("keep.tsv", sep="\t")                        # "barcode\ttotal": the index column is the name
totals.to_csv("keep.csv")                                  # and as CSV
pd.Series(keep, name="name").to_csv("keep1.csv", index=False)
pd.DataFrame({"gene": genes}).to_csv("genes.csv", index=False)
pd.DataFrame({"gene": genes}).to_csv("genes.tsv", sep="\t")    # index 0, 1, 2 first: the first column counts
PY
    mc-make-view --keep-profiles keep.txt --keep-genes genes.txt cells/S want
    mc-make-view --exclude-profiles keep.txt --exclude-genes genes.txt cells/S want_ex
    for k in keep.tsv keep.csv keep1.csv; do
        mc-make-view --force --keep-profiles "$k" --keep-genes genes.csv cells/S v
        for f in p.base_index.npy g.base_index.npy profiles.yaml; do cmp want/$f v/$f; done
        mc-make-view --force --exclude-profiles - --exclude-genes genes.csv cells/S v <"$k"
        for f in p.base_index.npy g.base_index.npy profiles.yaml; do cmp want_ex/$f v/$f; done
    done
    # pandas' default index (0, 1, 2) is the first column: indices, not the genes
    mc-make-view --force --keep-genes genes.tsv cells/S v
    run "$PY" -c 'import numpy as np; print(np.load("v/g.base_index.npy").tolist())'
    assert_output "[0, 1, 2]"
}

@test "group and selection files: a labels file of every cell names --ignore-unknown; bad CSV is one line" {
    collected_fixture
    printf '0\n1\n5\n' | mc-make-view --exclude-profiles - cells/S views/v
    fixture_py <<'PY'
n = F.S_names
pd.DataFrame({"cluster": ["c%d" % (i % 2) for i in range(11)]}, index=n).to_csv("all.csv")
with open("typo.tsv", "w") as f:
    f.write("%s\ta\nNOPE-1\tb\n" % n[2])
PY
    run mc-group --groups all.csv views/v
    assert_failure 1
    assert_output "mc-group: all.csv:2: no profile named '$(fixture_py <<<'print(F.S_names[0])')' in views/v (labels of other cells: --ignore-unknown)"
    run ls views/v
    assert_output "p.base_index.npy
profiles.yaml"
    mc-group --ignore-unknown --groups all.csv views/v
    # a name no base has: no hint
    run mc-group --force --groups typo.tsv views/v
    assert_failure 1
    assert_output "mc-group: typo.tsv:2: no profile named 'NOPE-1' in views/v"
    # a header is only ever the first line
    printf 'name\nCD3E\nname\n' >g.txt
    run mc-make-view --keep-genes g.txt cells/S w
    assert_failure 1
    assert_output "mc-make-view: g.txt:3: no gene named 'name' in cells/S"
    printf 'gene\nCD3E\n"NKG7\n' >g.csv
    run mc-make-view --keep-genes g.csv cells/S w
    assert_failure 1
    assert_output "mc-make-view: g.csv:3: malformed CSV (a quote not closed on its line, or a stray quote)"
    printf 'gene\nCD"3E\n' >g.csv
    run mc-make-view --keep-genes g.csv cells/S w
    assert_failure 1
    assert_output "mc-make-view: g.csv:2: malformed CSV (a quote not closed on its line, or a stray quote)"
    printf 'gene\n"CD\t3E"\n' >g.csv
    run mc-make-view --keep-genes g.csv cells/S w
    assert_failure 1
    assert_output "mc-make-view: g.csv:2: a CSV field holds a TAB"
    run ls
    refute_line w
}
