#!/usr/bin/env bats
# The options layer (common/cli/options.c) as every program sees it: one line for
# every usage error, --help printed from the table, and one vocabulary (README).

load test_helper

TOOLS="mc-collect mc-delane mc-export mc-group mc-import-cells mc-import-hca mc-info mc-make-genes mc-make-view mc-qc mc-sum mc-write-data mc-write-matrix"

@test "every tool: --help from its table, -h, --version, and one line for each kind of usage error" {
    for t in $TOOLS; do
        run "$t" --help
        assert_success
        assert_line --index 0 --regexp "^Usage: $t \[OPTION\]\.\.\. "
        assert_line --regexp "^  --progress +report progress on stderr \(default: when a terminal\)$"
        assert_line --regexp "^  --help +print this help and exit$"
        assert_line --regexp "^  --version +print the version and exit$"
        assert_output --partial "Example:"
        help=$output
        run "$t" -h
        assert_output "$help"
        run "$t" --bogus --help       # help wins wherever it is
        assert_output "$help"
        run "$t" --version
        assert_output "$t 0.1.0"
        run "$t" --bogus a b
        assert_usage_error "$t: unknown option '--bogus'"
        run "$t" -Z a b
        assert_usage_error "$t: unknown option '-Z'"
        run "$t" --progress=yes a b
        assert_usage_error "$t: --progress takes no value"
    done
}

@test "values: --name=VALUE, --name VALUE, prefixes; a missing value is never the next option" {
    run mc-sum --by=cell x
    assert_usage_error "mc-sum: --by: expected profile or gene, got 'cell'"
    run mc-sum --b cell x
    assert_usage_error "mc-sum: --by: expected profile or gene, got 'cell'"
    run mc-sum x --by
    assert_usage_error "mc-sum: --by needs a value"
    run mc-sum --genes --force x
    assert_usage_error "mc-sum: --genes needs a value"
    run mc-sum --threads=2x x
    assert_usage_error "mc-sum: --threads: expected an integer from 1 to 256, got '2x'"
    run mc-sum --threads 99999999999999999999 x
    assert_usage_error "mc-sum: --threads: expected an integer from 1 to 256, got '99999999999999999999'"
    run mc-sum --force=no x
    assert_usage_error "mc-sum: --force takes no value"
    run mc-export x --h y.h5ad      # --h5ad or --help?
    assert_usage_error "mc-export: option '--h' is ambiguous"
    run mc-export x --tsv
    assert_usage_error "mc-export: --tsv needs a value"
    run mc-export -oout.tsv c --tsv p    # -oFILE is -o FILE
    assert_failure 1
    assert_output "mc-export: c: not a container (no profiles.yaml)"
}

@test "operands: anywhere among the options, '-' is an operand, '--' ends the options" {
    mkdir genes
    run mc-info -- --verify
    assert_failure 1
    assert_output "mc-info: --verify: not a container (no profiles.yaml)"
    run mc-info x --verify
    assert_failure 1
    assert_output "mc-info: x/profiles.yaml: cannot open: No such file or directory"
    run mc-make-view --keep-profiles - --exclude-profiles - a b
    assert_usage_error "mc-make-view: --keep-profiles and --exclude-profiles cannot both read stdin ('-')"
    run mc-collect
    assert_usage_error "mc-collect: expected OUT and the CONTAINERs to collect"
    run mc-make-view a b c
    assert_usage_error "mc-make-view: expected BASE and VIEW"
}

@test "the README's vocabulary lists every option of every tool, and every tool it names takes it" {
    for t in $TOOLS; do "$t" --help >"$t.help"; done
    run "$PY" - "$MC_ROOT/README.md" $TOOLS <<'PY'
import re, sys
readme, tools = sys.argv[1], sys.argv[2:]
text = open(readme).read()
table = text[text.index("### Options"):text.index("## Containers")]
vocab = {}   # option -> set of tools ("*": every tool)
for row in table.splitlines():
    cells = [c.strip() for c in row.replace("\\|", "/").strip("|").split("|")] if row.startswith("| `") else None
    if not cells:
        continue
    names = re.findall(r"`(-[-\w]+)", cells[0])
    who = {"*"} if "every tool" in cells[2] else {"mc-" + w.strip() for w in cells[2].split(",")}
    for n in names:
        vocab[n] = who
bad = []
for t in tools:
    help = open(t + ".help").read()
    given = {o for pair in re.findall(r"^  (?:(-\w), )?(--[\w-]+)", help, re.M) for o in pair if o}
    for o in given:
        if o not in vocab:
            bad.append("%s %s: not in the README" % (t, o))
        elif "*" not in vocab[o] and t not in vocab[o]:
            bad.append("%s %s: the README does not list %s" % (t, o, t))
    for o, who in vocab.items():
        if t in who and o not in given:
            bad.append("%s %s: the README says it takes it, --help does not" % (t, o))
print("\n".join(bad) or "ok")
PY
    assert_output ok
}
