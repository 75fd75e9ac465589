/* gen-hca: write a deterministic, realistic HCA / 10x HDF5 count matrix for tests,
 * demos and benchmarks (usage below).
 *
 * Layouts: Cell Ranger 2 / HCA (one genome group, PyTables CARRAY conventions) and
 * Cell Ranger 3 (--v3: matrix/ and matrix/features/), copied from tests/data/10x.
 *
 * Model: gene popularity is Zipf-like over a random ranking (mitochondrial and
 * ribosomal genes near the top); each cell draws a detected-gene target from a
 * lognormal, the library size that yields it on average, then Poisson counts per
 * gene (the head gene by gene, the tail as multinomial draws: same distribution).
 * One cell in every 1000 (at least one) is "damaged": a top gene gets > 65535 UMIs.
 *
 * Cell types: each cell draws a type (uneven proportions, type t weighted (t + 1.5)^-1.5).
 * A type has its own 30-60 marker genes, disjoint between types, taken from moderately
 * expressed genes (at most MARKER_TOP UMIs in a mean cell; not mitochondrial or ribosomal);
 * in cells of that type a marker's popularity is multiplied by 20-50. The extra counts
 * are separate Poisson draws, and each type has its own library size <-> detected genes
 * table, so detected genes per cell keep the same distribution whatever the type.
 *
 * Memory is O(genes + lanes + types * CALIB), independent of the cell count: every cell has its own
 * random stream, so a first pass counts the entries (datasets are created at their
 * final size, as Cell Ranger's are) and a second pass writes them in whole chunks. */
#ifndef _GNU_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <malloc.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hdf5.h>

#define VERSION "0.1.0"

static const char usage[] =
    "Usage: gen-hca [OPTIONS] -o FILE.h5    (or: gen-hca [OPTIONS] FILE.h5)\n"
    "Write a deterministic, realistic HCA / 10x HDF5 count matrix: CSC, one column per\n"
    "cell, entries of a cell sorted by gene. Same seed and options => identical data.\n"
    "\n"
    "  -o, --output FILE   output (written atomically; an existing FILE needs --force)\n"
    "      --seed N        random seed (default 1)\n"
    "      --cells N       total cells (default 1000)\n"
    "      --genes G       genes (default 33000)\n"
    "      --mean-genes M  mean detected genes per cell (default 1500, at most G/2)\n"
    "      --donors D      donors, named MantonBM1..D (default 8; 1 with --v3)\n"
    "      --lanes L       lanes per donor, named MantonBM<d>_HiSeq_1..L (default 8; 1 with --v3)\n"
    "      --empty K       make K cells (spread evenly) empty (default 0)\n"
    "      --types T       simulated cell types (default 8; 1: no type structure): type t\n"
    "                      in about (t+1.5)^-1.5 of the cells, with 30-60 marker genes of\n"
    "                      its own expressed 20-50 times higher (fewer if genes are few)\n"
    "      --labels FILE   also write FILE (atomically): NAME<TAB>TYPE per cell, NAME the\n"
    "                      barcode as in the file (as mc names the cell, LANE-BARCODE-1 or\n"
    "                      with --v3 BARCODE-N), TYPE one of T cell, monocyte, B cell, erythroid,\n"
    "                      NK cell, HSC, DC, plasma cell, then type9, type10...\n"
    "      --genome NAME   genome group (v2) or features/genome value (v3) (default GRCh38)\n"
    "      --v3            10x v3 layout (matrix/, matrix/features/); barcodes BARCODE-K,\n"
    "                      K = lane number 1..D*L (plain BARCODE-1 by default)\n"
    "      --force         overwrite FILE (and the --labels FILE)\n"
    "      --verbose       print a one-line summary on stderr\n"
    "      --help, --version\n"
    "\n"
    "v2 barcodes are LANE-BARCODE-1 (MantonBM1_HiSeq_1-AAACCTGAGAAGGCCT-1). Cells need\n"
    "cells >= donors * lanes; the same seed with more --cells is a different file.\n"
    "\n"
    "Example: gen-hca --seed 7 --donors 2 --lanes 2 --cells 500 --genes 3000 -o hca.h5\n";

enum { LINE = 48 };            /* fixed width of a name in memory (longest is ~35) */
enum { HEAD = 512 };           /* genes drawn one by one; the rest through an alias table */
enum { CALIB = 160 };          /* points of the library size <-> detected genes table */
#define TOTAL_MAX 2e6          /* largest library size of a cell (before the damage spike) */
#define ZIPF_S 1.1
#define ZIPF_Q 3.0
#define SIGMA 0.6              /* lognormal spread of detected genes per cell */
#define DAMAGED_EVERY 1000
#define MARKER_TOP 0.25        /* markers: genes with at most this many UMIs in a mean cell */
#define BOOST_MIN 20.0         /* a marker's popularity is multiplied by BOOST_MIN..BOOST_MAX */
#define BOOST_MAX 50.0
enum { MARKERS_MIN = 30, MARKERS_MAX = 60 }; /* markers per type */
#define TYPES_MAX 1000
#define SPACE 4294967296.0     /* 4^16 barcodes */

/* Independent random streams, so a value never depends on how many came before. */
enum { STREAM_GENES = 1, STREAM_LANES, STREAM_BARCODE, STREAM_CELL, STREAM_DAMAGED, STREAM_TYPE, STREAM_MARKERS };

typedef struct gerr { char msg[512]; } gerr;

static int fail(gerr *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(gerr *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    return -1;
}

/* ---- random numbers: xoshiro256** seeded through splitmix64 ---- */

typedef struct rng { uint64_t s[4]; } rng;

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

static void rng_init(rng *r, uint64_t seed, uint64_t stream, uint64_t index)
{
    uint64_t x = seed;
    x = splitmix64(&x) ^ stream;
    x = splitmix64(&x) ^ index;
    for (int k = 0; k < 4; k++) r->s[k] = splitmix64(&x);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t rng_next(rng *r)
{
    uint64_t *s = r->s, out = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return out;
}

static uint64_t rng_below(rng *r, uint64_t n) { return rng_next(r) % n; }

/* Uniform on (0, 1): never 0, so log() is safe. */
static double rng_open01(rng *r) { return ((double)(rng_next(r) >> 11) + 0.5) * 0x1.0p-53; }

static double rng_normal(rng *r)
{
    double u = rng_open01(r), v = rng_open01(r);
    return sqrt(-2 * log(u)) * cos(6.283185307179586 * v);
}

/* Poisson: multiplication for small means, PTRS (Hoermann 1993) otherwise. */
static uint64_t rng_poisson(rng *r, double lam)
{
    if (lam <= 0) return 0;
    if (lam < 10) {
        double limit = exp(-lam), prod = rng_open01(r);
        uint64_t k = 0;
        for (; prod > limit; k++) prod *= rng_open01(r);
        return k;
    }
    double slam = sqrt(lam), loglam = log(lam);
    double b = 0.931 + 2.53 * slam, a = -0.059 + 0.02483 * b;
    double invalpha = 1.1239 + 1.1328 / (b - 3.4), vr = 0.9277 - 3.6224 / (b - 2);
    for (;;) {
        double u = rng_open01(r) - 0.5, v = rng_open01(r), us = 0.5 - fabs(u);
        double k = floor((2 * a / us + b) * u + lam + 0.43);
        if (us >= 0.07 && v <= vr) return (uint64_t)k;
        if (k < 0 || (us < 0.013 && v > us)) continue;
        if (log(v) + log(invalpha) - log(a / (us * us) + b) <= -lam + k * loglam - lgamma(k + 1))
            return (uint64_t)k;
    }
}

/* ---- Walker / Vose alias table: O(1) draws from a fixed discrete distribution ---- */

typedef struct alias { uint32_t n; double *prob; uint32_t *other; } alias;

static void alias_free(alias *a)
{
    free(a->prob);
    free(a->other);
}

static int alias_build(alias *a, const double *w, uint32_t n, gerr *e)
{
    uint32_t *small = malloc(n * sizeof *small), *large = malloc(n * sizeof *large);
    a->n = n;
    a->prob = malloc(n * sizeof *a->prob);
    a->other = malloc(n * sizeof *a->other);
    if (!small || !large || !a->prob || !a->other) {
        free(small);
        free(large);
        alias_free(a);
        return fail(e, "out of memory");
    }
    double sum = 0;
    for (uint32_t i = 0; i < n; i++) sum += w[i];
    uint32_t ns = 0, nl = 0;
    for (uint32_t i = 0; i < n; i++) {
        a->prob[i] = w[i] * n / sum;
        if (a->prob[i] < 1) small[ns++] = i;
        else large[nl++] = i;
    }
    while (ns && nl) {
        uint32_t s = small[--ns], l = large[--nl];
        a->other[s] = l;
        a->prob[l] -= 1 - a->prob[s];
        if (a->prob[l] < 1) small[ns++] = l;
        else large[nl++] = l;
    }
    while (nl) { uint32_t l = large[--nl]; a->prob[l] = 1; a->other[l] = l; }
    while (ns) { uint32_t s = small[--ns]; a->prob[s] = 1; a->other[s] = s; }
    free(small);
    free(large);
    return 0;
}

static uint32_t alias_draw(const alias *a, rng *r)
{
    uint32_t i = (uint32_t)rng_below(r, a->n);
    return rng_open01(r) < a->prob[i] ? i : a->other[i];
}

/* ---- options ---- */

typedef struct opts {
    uint64_t seed, cells, empty;
    uint32_t genes, mean_genes, donors, lanes, types;
    const char *genome, *out, *labels;
    int v3, force, verbose;
} opts;

static void usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void usage_error(const char *fmt, ...)
{
    va_list ap;
    fputs("gen-hca: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs(" (see gen-hca --help)\n", stderr);
    exit(2);
}

static uint64_t number(const char *opt, const char *s, uint64_t min, uint64_t max)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (!*s || *end || *s == '-' || *s == '+' || errno || v < min || v > max)
        usage_error("--%s: expected an integer from %" PRIu64 " to %" PRIu64 ", got '%s'", opt, min, max, s);
    return v;
}

static void parse(opts *o, int argc, char **argv)
{
    enum { SEED = 256, CELLS, GENES, MEAN, DONORS, LANES, EMPTY, TYPES, LABELS, GENOME, V3, FORCE, VERBOSE, HELP,
           VERS };
    static const struct option longs[] = {
        {"output", required_argument, 0, 'o'}, {"seed", required_argument, 0, SEED},
        {"cells", required_argument, 0, CELLS}, {"genes", required_argument, 0, GENES},
        {"mean-genes", required_argument, 0, MEAN}, {"donors", required_argument, 0, DONORS},
        {"lanes", required_argument, 0, LANES}, {"empty", required_argument, 0, EMPTY},
        {"types", required_argument, 0, TYPES}, {"labels", required_argument, 0, LABELS},
        {"genome", required_argument, 0, GENOME}, {"v3", no_argument, 0, V3},
        {"force", no_argument, 0, FORCE}, {"verbose", no_argument, 0, VERBOSE},
        {"help", no_argument, 0, HELP}, {"version", no_argument, 0, VERS}, {0, 0, 0, 0}};
    int64_t donors = -1, lanes = -1, mean = -1;
    *o = (opts){.seed = 1, .cells = 1000, .genes = 33000, .types = 8, .genome = "GRCh38"};
    opterr = 0;
    for (int c; (c = getopt_long(argc, argv, ":o:", longs, NULL)) != -1;) {
        switch (c) {
        case 'o': o->out = optarg; break;
        case SEED: o->seed = number("seed", optarg, 0, UINT64_MAX); break;
        case CELLS: o->cells = number("cells", optarg, 1, INT32_MAX); break;
        case GENES: o->genes = (uint32_t)number("genes", optarg, 1, 1000000); break;
        case MEAN: mean = (int64_t)number("mean-genes", optarg, 1, 1000000); break;
        case DONORS: donors = (int64_t)number("donors", optarg, 1, 1000); break;
        case LANES: lanes = (int64_t)number("lanes", optarg, 1, 1000); break;
        case EMPTY: o->empty = number("empty", optarg, 0, INT32_MAX); break;
        case TYPES: o->types = (uint32_t)number("types", optarg, 1, TYPES_MAX); break;
        case LABELS: o->labels = optarg; break;
        case GENOME: o->genome = optarg; break;
        case V3: o->v3 = 1; break;
        case FORCE: o->force = 1; break;
        case VERBOSE: o->verbose = 1; break;
        case HELP: fputs(usage, stdout); exit(0);
        case VERS: puts("gen-hca " VERSION); exit(0);
        case ':': usage_error("%s needs a value", argv[optind - 1]);
        default: usage_error("unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc) {
        if (o->out || optind + 1 < argc) usage_error("more than one output given");
        o->out = argv[optind];
    }
    if (!o->out || !*o->out) usage_error("no output FILE given");
    if (o->labels && !*o->labels) usage_error("--labels: empty file name");
    if (o->labels && !strcmp(o->labels, o->out)) usage_error("--labels: '%s' is also the output", o->labels);
    if (!*o->genome || strchr(o->genome, '/') || strchr(o->genome, '.') == o->genome)
        usage_error("--genome: '%s' is not a valid group name", o->genome);
    o->donors = (uint32_t)(donors > 0 ? donors : o->v3 ? 1 : 8);
    o->lanes = (uint32_t)(lanes > 0 ? lanes : o->v3 ? 1 : 8);
    uint32_t half = o->genes / 2 ? o->genes / 2 : 1;
    o->mean_genes = (uint32_t)(mean > 0 ? mean : 1500 < half ? 1500 : half);
    if (o->mean_genes > o->genes)
        usage_error("--mean-genes %" PRIu32 " is more than --genes %" PRIu32, o->mean_genes, o->genes);
    if (o->cells < (uint64_t)o->donors * o->lanes)
        usage_error("--cells %" PRIu64 " is fewer than donors * lanes = %" PRIu64, o->cells,
                    (uint64_t)o->donors * o->lanes);
    if (o->empty > o->cells)
        usage_error("--empty %" PRIu64 " is more than --cells %" PRIu64, o->empty, o->cells);
}

/* ---- genes: ids, symbols and expression ranking ---- */

typedef struct genes {
    uint32_t n, n_mt;        /* genes; the mitochondrial ones are the last n_mt */
    size_t id_len, name_len; /* longest, for the fixed string types */
    char *id, *name;         /* n rows of LINE bytes */
    uint32_t *by_rank;       /* gene indices, most expressed first */
} genes;

static void genes_free(genes *g)
{
    free(g->id);
    free(g->name);
    free(g->by_rank);
}

static const char *const mito[] = {"mt-Nd1", "mt-Nd2", "mt-Co1", "mt-Co2", "mt-Atp8", "mt-Atp6", "mt-Co3",
                                   "mt-Nd3", "mt-Nd4l", "mt-Nd4", "mt-Nd5", "mt-Nd6", "mt-Cytb"};
enum { MITO = sizeof mito / sizeof *mito };

/* Symbol families: letters then a number, so distinct (family, number) pairs never collide. */
static const char *const family[] = {
    "ZNF", "SLC", "KRT", "OR", "RPL", "RPS", "CD", "IL", "TMEM", "FAM", "CCDC", "KIAA", "LINC", "MIR",
    "SNORD", "ANKRD", "KLHL", "PCDH", "ADAM", "COL", "CYP", "GPR", "HOXA", "LRRC", "MYO", "NUP", "PRR",
    "RAB", "RNF", "SEC", "SPATA", "TRIM", "USP", "WDR", "ZBTB", "ABCA", "ATP", "DNAJB", "EIF", "KCNJ",
    "MAP", "PPP", "SERPINB", "TBC", "UBE", "VPS", "ARHGAP", "DUSP", "GOLGA", "NLRP"};
enum { FAMILIES = sizeof family / sizeof *family, CLONE_AC = FAMILIES, CLONE_AL, RP11, ORF, KINDS };

/* Members of a family past the 60th get letters (SLC7A, KRT12B): bijective base 26,
 * so numbers stay small and (number, letters) stays unique. */
static const char *member(uint32_t k, char *out)
{
    char rev[8];
    int n = 0;
    for (; k && n < 7; k = (k - 1) / 26) rev[n++] = (char)('A' + (k - 1) % 26);
    for (int i = 0; i < n; i++) out[i] = rev[n - 1 - i];
    out[n] = 0;
    return out;
}

/* One realistic-looking symbol, unique by construction: each kind numbers its genes upwards. */
static void symbol(char *out, rng *r, uint32_t *next)
{
    char letters[8];
    double u = rng_open01(r);
    int kind = u < 0.58 ? (int)rng_below(r, FAMILIES) : u < 0.73 ? CLONE_AC : u < 0.80 ? CLONE_AL
             : u < 0.92 ? RP11 : ORF;
    uint32_t k = next[kind] += 1 + (uint32_t)rng_below(r, kind == CLONE_AC || kind == CLONE_AL ? 60 : 3);
    if (kind < FAMILIES && !strcmp(family[kind], "LINC"))
        snprintf(out, LINE, "LINC%05" PRIu32, k);
    else if (kind < FAMILIES)
        snprintf(out, LINE, "%s%" PRIu32 "%s", family[kind], 1 + k % 60, member(k / 60, letters));
    else if (kind == CLONE_AC || kind == CLONE_AL)
        snprintf(out, LINE, "%s%06" PRIu32 ".%d", kind == CLONE_AC ? "AC" : "AL", k, 1 + (int)rng_below(r, 3));
    else if (kind == RP11)
        snprintf(out, LINE, "RP11-%" PRIu32 "%c%d.%d", k, 'A' + (int)rng_below(r, 16), 1 + (int)rng_below(r, 24),
                 1 + (int)rng_below(r, 5));
    else
        snprintf(out, LINE, "C%dorf%" PRIu32, 1 + (int)rng_below(r, 22), k);
}

/* Distinct positions among the first n (none mitochondrial), drawn without repeats. */
static uint32_t fresh_position(rng *r, uint32_t n, const unsigned char *used)
{
    uint32_t g;
    do g = (uint32_t)rng_below(r, n);
    while (used[g]);
    return g;
}

/* A few duplicated symbols (one triplicate), and a case-only twin of a mitochondrial gene
 * ("MT-CO1" beside "mt-Co1"), as real references have: they exercise name de-duplication. */
static int duplicate_names(genes *g, uint32_t n_mt, rng *r, gerr *e)
{
    uint32_t n = g->n - n_mt, pairs = g->n >= 20 ? 1 + g->n / 1500 : 0;
    int triple = g->n >= 1000, twin = g->n >= 100 && n_mt >= 3;
    if (2 * pairs + (uint32_t)triple + (uint32_t)twin > n / 2) pairs = triple = twin = 0;
    unsigned char *used = calloc(n ? n : 1, 1);
    if (!used) return fail(e, "out of memory");
    uint32_t first = 0;
    for (uint32_t k = 0; k < pairs; k++) {
        uint32_t from = fresh_position(r, n, used);
        used[from] = 1;
        uint32_t to = fresh_position(r, n, used);
        used[to] = 1;
        memcpy(g->name + (size_t)to * LINE, g->name + (size_t)from * LINE, LINE);
        if (k == 0) first = from;
    }
    if (triple && pairs) {
        uint32_t to = fresh_position(r, n, used);
        used[to] = 1;
        memcpy(g->name + (size_t)to * LINE, g->name + (size_t)first * LINE, LINE);
    }
    if (twin) snprintf(g->name + (size_t)fresh_position(r, n, used) * LINE, LINE, "MT-CO1");
    free(used);
    return 0;
}

typedef struct keyed { double key; uint32_t gene; } keyed;

static int by_key(const void *a, const void *b)
{
    const keyed *x = a, *y = b;
    if (x->key != y->key) return x->key < y->key ? -1 : 1;
    return x->gene < y->gene ? -1 : x->gene > y->gene;
}

/* Genes in file order: random symbols, mitochondrial genes last (chrM sorts last in
 * Cell Ranger references). Ensembl ids are unique: a bijection of the gene index. */
static int genes_make(genes *g, const opts *o, gerr *e)
{
    uint32_t n = o->genes, n_mt = n / 8 < MITO ? n / 8 : MITO;
    rng r;
    rng_init(&r, o->seed, STREAM_GENES, 0);
    *g = (genes){.n = n, .n_mt = n_mt};
    g->id = calloc(n, LINE);
    g->name = calloc(n, LINE);
    g->by_rank = malloc(n * sizeof *g->by_rank);
    keyed *rank = malloc(n * sizeof *rank);
    if (!g->id || !g->name || !g->by_rank || !rank) {
        free(rank);
        genes_free(g);
        return fail(e, "out of memory");
    }
    uint32_t next[KINDS] = {0};
    for (int k = 0; k < KINDS; k++) next[k] = (uint32_t)rng_below(&r, k == CLONE_AC || k == CLONE_AL ? 5000 : 5);
    for (uint32_t i = 0; i < n - n_mt; i++) symbol(g->name + (size_t)i * LINE, &r, next);
    for (uint32_t k = 0; k < n_mt; k++) snprintf(g->name + (size_t)(n - n_mt + k) * LINE, LINE, "%s", mito[k]);
    if (duplicate_names(g, n_mt, &r, e) < 0) {
        free(rank);
        genes_free(g);
        return -1;
    }
    uint64_t space = 1;
    while (space < 4 * (uint64_t)n) space <<= 1;
    uint64_t stride = rng_next(&r) | 1, offset = rng_next(&r);
    for (uint32_t i = 0; i < n; i++) {
        const char *name = g->name + (size_t)i * LINE;
        snprintf(g->id + (size_t)i * LINE, LINE, "ENSG%011" PRIu64, 1000 + ((i * stride + offset) & (space - 1)));
        double u = rng_open01(&r);
        int ribosomal = !strncmp(name, "RPL", 3) || !strncmp(name, "RPS", 3);
        rank[i] = (keyed){i >= n - n_mt ? u * 0.002 : ribosomal ? u * 0.05 : u, i};
        size_t len = strlen(name);
        if (len > g->name_len) g->name_len = len;
    }
    g->id_len = strlen(g->id);
    qsort(rank, n, sizeof *rank, by_key);
    for (uint32_t i = 0; i < n; i++) g->by_rank[i] = rank[i].gene;
    free(rank);
    return 0;
}

/* ---- expression model ---- */

typedef struct model {
    uint32_t genes, n_head, mean_genes, n_types;
    const uint32_t *head;  /* the HEAD most expressed genes, drawn one by one */
    double *head_p;
    const uint32_t *tail;  /* the others, drawn through the alias table */
    alias tail_alias;
    double tail_p;         /* the tail's share of the library */
    double calib_total[CALIB], calib_detected[CALIB];
    double *type_cum;      /* cumulative type weights */
    uint32_t *marker_at;   /* markers of type t: [marker_at[t], marker_at[t + 1]) */
    uint32_t *marker_gene;
    double *marker_p;      /* the marker's popularity */
    double *marker_extra;  /* added to it in cells of its type: popularity * (boost - 1) */
    double *type_detected; /* calib_detected for each type: n_types rows of CALIB */
} model;

static void model_free(model *m)
{
    free(m->head_p);
    if (m->tail) alias_free(&m->tail_alias);
    free(m->type_cum);
    free(m->marker_at);
    free(m->marker_gene);
    free(m->marker_p);
    free(m->marker_extra);
    free(m->type_detected);
}

/* Expected detected genes for a library of `total` UMIs: sum over genes of P(count > 0). */
static double expected_detected(const double *p, uint32_t n, double total)
{
    double d = 0;
    for (uint32_t i = 0; i < n; i++) d += -expm1(-total * p[i]);
    return d;
}

/* The library size that detects `detected` genes on average (log-linear interpolation
 * in a CALIB-point table of expected detected genes). */
static double library_size(const model *m, const double *table, double detected)
{
    /* Past 95% of what the largest library detects, counts would only inflate (tiny gene sets). */
    if (detected > 0.95 * table[CALIB - 1]) detected = 0.95 * table[CALIB - 1];
    if (detected <= table[0]) return detected / table[0];
    int lo = 0, hi = CALIB - 1;
    while (hi - lo > 1) {
        int mid = (lo + hi) / 2;
        if (table[mid] <= detected) lo = mid;
        else hi = mid;
    }
    double f = (detected - table[lo]) / (table[hi] - table[lo]);
    return exp(log(m->calib_total[lo]) + f * (log(m->calib_total[hi]) - log(m->calib_total[lo])));
}

/* Real markers are neither mitochondrial nor ribosomal (nor the mitochondrial look-alike). */
static int may_be_marker(const genes *g, uint32_t gene)
{
    const char *name = g->name + (size_t)gene * LINE;
    return gene < g->n - g->n_mt && strncmp(name, "RPL", 3) && strncmp(name, "RPS", 3) && strncmp(name, "MT-", 3);
}

/* Markers: the first candidates (in rank order) expressed at most MARKER_TOP in a mean
 * cell, shuffled and dealt out to the types, 30-60 each (an equal share if too few). */
static int markers_make(model *m, const genes *g, const double *p, uint64_t seed, gerr *e)
{
    uint32_t t_n = m->n_types, n = m->genes, avail = 0, want = 0, first = 0;
    m->marker_at = calloc(t_n + 1, sizeof *m->marker_at);
    if (!m->marker_at) return fail(e, "out of memory");
    if (t_n == 1) return 0; /* no type structure */
    double mean_total = library_size(m, m->calib_detected, m->mean_genes);
    while (first < n && mean_total * p[first] > MARKER_TOP) first++;
    for (uint32_t r = first; r < n; r++) avail += may_be_marker(g, g->by_rank[r]);
    rng r;
    rng_init(&r, seed, STREAM_MARKERS, 0);
    for (uint32_t t = 0; t < t_n; t++) {
        uint32_t k = MARKERS_MIN + (uint32_t)rng_below(&r, MARKERS_MAX - MARKERS_MIN + 1);
        if (k > avail / t_n) k = avail / t_n;
        m->marker_at[t + 1] = want += k;
    }
    m->marker_gene = malloc((want ? want : 1) * sizeof *m->marker_gene);
    m->marker_p = malloc((want ? want : 1) * sizeof *m->marker_p);
    m->marker_extra = malloc((want ? want : 1) * sizeof *m->marker_extra);
    if (!m->marker_gene || !m->marker_p || !m->marker_extra) return fail(e, "out of memory");
    for (uint32_t rank = first, k = 0; k < want; rank++) {
        if (!may_be_marker(g, g->by_rank[rank])) continue;
        m->marker_gene[k] = g->by_rank[rank];
        m->marker_p[k++] = p[rank];
    }
    for (uint32_t k = want; k > 1; k--) { /* Fisher-Yates */
        uint32_t j = (uint32_t)rng_below(&r, k), gene = m->marker_gene[j];
        double pj = m->marker_p[j];
        m->marker_gene[j] = m->marker_gene[k - 1];
        m->marker_p[j] = m->marker_p[k - 1];
        m->marker_gene[k - 1] = gene;
        m->marker_p[k - 1] = pj;
    }
    for (uint32_t k = 0; k < want; k++)
        m->marker_extra[k] = m->marker_p[k] * (BOOST_MIN - 1 + (BOOST_MAX - BOOST_MIN) * rng_open01(&r));
    return 0;
}

/* Type proportions, and each type's detected genes table: the base one with its markers'
 * detection probabilities replaced by the boosted ones. */
static int types_make(model *m, gerr *e)
{
    uint32_t t_n = m->n_types;
    m->type_cum = malloc(t_n * sizeof *m->type_cum);
    m->type_detected = malloc((size_t)t_n * CALIB * sizeof *m->type_detected);
    if (!m->type_cum || !m->type_detected) return fail(e, "out of memory");
    double cum = 0;
    for (uint32_t t = 0; t < t_n; t++) {
        m->type_cum[t] = cum += pow(t + 1.5, -1.5);
        for (int k = 0; k < CALIB; k++) {
            double x = m->calib_total[k], d = m->calib_detected[k];
            for (uint32_t j = m->marker_at[t]; j < m->marker_at[t + 1]; j++)
                d += expm1(-x * m->marker_p[j]) - expm1(-x * (m->marker_p[j] + m->marker_extra[j]));
            m->type_detected[(size_t)t * CALIB + k] = d;
        }
    }
    return 0;
}

static int model_make(model *m, const genes *g, const opts *o, gerr *e)
{
    uint32_t n = g->n;
    double *p = malloc(n * sizeof *p), sum = 0;
    *m = (model){.genes = n, .n_head = n < HEAD ? n : HEAD, .mean_genes = o->mean_genes, .n_types = o->types,
                 .head = g->by_rank};
    m->head_p = malloc(m->n_head * sizeof *m->head_p);
    if (!p || !m->head_p) {
        free(p);
        model_free(m);
        return fail(e, "out of memory");
    }
    for (uint32_t i = 0; i < n; i++) sum += p[i] = pow(i + ZIPF_Q, -ZIPF_S);
    for (uint32_t i = 0; i < n; i++) p[i] /= sum;
    for (uint32_t i = 0; i < m->n_head; i++) m->head_p[i] = p[i];
    for (uint32_t i = m->n_head; i < n; i++) m->tail_p += p[i];
    if (n > m->n_head) {
        if (alias_build(&m->tail_alias, p + m->n_head, n - m->n_head, e) < 0) {
            free(p);
            model_free(m);
            return -1;
        }
        m->tail = g->by_rank + m->n_head;
    }
    for (int k = 0; k < CALIB; k++) {
        m->calib_total[k] = exp(log(TOTAL_MAX) * k / (CALIB - 1));
        m->calib_detected[k] = expected_detected(p, n, m->calib_total[k]);
    }
    int rc = markers_make(m, g, p, o->seed, e) < 0 || types_make(m, e) < 0 ? -1 : 0;
    free(p);
    if (rc < 0) model_free(m);
    return rc;
}

/* A cell's type: a draw from the type proportions, on its own stream. */
static uint32_t cell_type(const model *m, uint64_t seed, uint64_t i)
{
    rng r;
    rng_init(&r, seed, STREAM_TYPE, i);
    double u = rng_open01(&r) * m->type_cum[m->n_types - 1];
    uint32_t t = 0;
    while (t + 1 < m->n_types && m->type_cum[t] <= u) t++;
    return t;
}

static const char *const type_names[] = {"T cell", "monocyte", "B cell", "erythroid",
                                         "NK cell", "HSC", "DC", "plasma cell"};
enum { TYPE_NAMES = sizeof type_names / sizeof *type_names };

/* Readable type labels, in order of abundance: names, then type9, type10... */
static const char *type_label(uint32_t t, char out[16])
{
    if (t < TYPE_NAMES) return type_names[t];
    snprintf(out, 16, "type%" PRIu32, t + 1);
    return out;
}

/* One cell's entries, sorted by gene; scratch sized by the gene count. */
typedef struct cell {
    uint32_t n;
    uint32_t *count;    /* by gene; all zero between cells */
    uint64_t *seen;     /* bit per gene with a count: sorting for free */
    int64_t *index;
    int32_t *value;
} cell;

static void cell_free(cell *c)
{
    free(c->count);
    free(c->seen);
    free(c->index);
    free(c->value);
}

static int cell_init(cell *c, uint32_t genes, gerr *e)
{
    *c = (cell){0};
    c->count = calloc(genes, sizeof *c->count);
    c->seen = calloc(genes / 64 + 1, sizeof *c->seen);
    c->index = malloc(genes * sizeof *c->index);
    c->value = malloc(genes * sizeof *c->value);
    if (!c->count || !c->seen || !c->index || !c->value) {
        cell_free(c);
        return fail(e, "out of memory");
    }
    return 0;
}

static void cell_add(cell *c, uint32_t gene, uint64_t v)
{
    if (!v) return;
    if (!c->count[gene]) {
        c->n++;
        c->seen[gene / 64] |= (uint64_t)1 << (gene % 64);
    }
    c->count[gene] += (uint32_t)v;
}

/* Move the counts to index/value in gene order, leaving count[] and seen[] zero again. */
static void cell_sort(cell *c, uint32_t genes)
{
    uint32_t k = 0;
    for (uint32_t w = 0; w <= genes / 64 && k < c->n; w++) {
        for (uint64_t bits = c->seen[w]; bits; bits &= bits - 1) {
            uint32_t g = w * 64 + (uint32_t)__builtin_ctzll(bits);
            c->index[k] = g;
            c->value[k++] = (int32_t)c->count[g];
            c->count[g] = 0;
        }
        c->seen[w] = 0;
    }
}

static void cell_make(cell *c, const model *m, uint64_t seed, uint64_t i, uint32_t type, int empty, int damaged)
{
    c->n = 0;
    if (empty) return;
    rng r;
    rng_init(&r, seed, STREAM_CELL, i);
    double detected = m->mean_genes * exp(SIGMA * rng_normal(&r) - SIGMA * SIGMA / 2);
    double total = library_size(m, m->type_detected + (size_t)type * CALIB, detected < 1 ? 1 : detected);
    for (uint32_t k = 0; k < m->n_head; k++) cell_add(c, m->head[k], rng_poisson(&r, total * m->head_p[k]));
    if (m->tail)
        for (uint64_t k = rng_poisson(&r, total * m->tail_p); k > 0; k--)
            cell_add(c, m->tail[alias_draw(&m->tail_alias, &r)], 1);
    for (uint32_t j = m->marker_at[type]; j < m->marker_at[type + 1]; j++)
        cell_add(c, m->marker_gene[j], rng_poisson(&r, total * m->marker_extra[j]));
    if (damaged) cell_add(c, m->head[rng_below(&r, m->n_head < 4 ? m->n_head : 4)], 65536 + rng_below(&r, 150000));
    if (!c->n) cell_add(c, m->head[rng_below(&r, m->n_head < 16 ? m->n_head : 16)], 1);
    cell_sort(c, m->genes);
}

/* The k-th of K empty cells is cell floor((2k+1) N / 2K): spread evenly, strictly increasing. */
static uint64_t empty_cell(const opts *o, uint64_t k)
{
    return k < o->empty ? (2 * k + 1) * o->cells / (2 * o->empty) : UINT64_MAX;
}

/* Damaged cells: one in every DAMAGED_EVERY, at a seed-dependent phase; at least one. */
static uint64_t damaged_phase(const opts *o)
{
    rng r;
    rng_init(&r, o->seed, STREAM_DAMAGED, 0);
    return rng_below(&r, o->cells < DAMAGED_EVERY ? o->cells : DAMAGED_EVERY);
}

/* ---- lanes and barcodes ---- */

typedef struct lanes {
    uint32_t n;
    uint64_t *end;      /* one past the last cell of each lane */
    char *name;         /* n rows of LINE bytes */
    size_t name_len;
} lanes;

static void lanes_free(lanes *l)
{
    free(l->end);
    free(l->name);
}

/* Lanes donor by donor, sizes uneven (weights 0.5..1.5), every lane at least one cell. */
static int lanes_make(lanes *l, const opts *o, gerr *e)
{
    uint32_t n = o->donors * o->lanes;
    *l = (lanes){.n = n};
    l->end = malloc(n * sizeof *l->end);
    l->name = calloc(n, LINE);
    double *w = malloc(n * sizeof *w), sum = 0, cum = 0;
    if (!l->end || !l->name || !w) {
        free(w);
        lanes_free(l);
        return fail(e, "out of memory");
    }
    rng r;
    rng_init(&r, o->seed, STREAM_LANES, 0);
    for (uint32_t k = 0; k < n; k++) sum += w[k] = 0.5 + rng_open01(&r);
    uint64_t spare = o->cells - n;
    for (uint32_t k = 0; k < n; k++) {
        cum += w[k];
        l->end[k] = k + 1 + (k + 1 == n ? spare : (uint64_t)(spare * (cum / sum)));
        char *name = l->name + (size_t)k * LINE;
        snprintf(name, LINE, "MantonBM%" PRIu32 "_HiSeq_%" PRIu32, k / o->lanes + 1, k % o->lanes + 1);
        if (strlen(name) > l->name_len) l->name_len = strlen(name);
    }
    free(w);
    return 0;
}

/* Barcodes of a lane are sorted and unique: cell j of n takes a random point of stratum j. */
static void barcode(char *out, const opts *o, const lanes *l, uint32_t lane, uint64_t i)
{
    uint64_t start = lane ? l->end[lane - 1] : 0, size = l->end[lane] - start;
    uint64_t width = (uint64_t)(SPACE / (double)size);
    rng r;
    rng_init(&r, o->seed, STREAM_BARCODE, i);
    uint64_t v = (i - start) * width + rng_below(&r, width);
    char bases[17];
    for (int k = 0; k < 16; k++) bases[k] = "ACGT"[(v >> (2 * (15 - k))) & 3];
    bases[16] = 0;
    if (o->v3) snprintf(out, 2 * LINE, "%s-%" PRIu32, bases, lane + 1);
    else snprintf(out, 2 * LINE, "%s-%s-1", l->name + (size_t)lane * LINE, bases);
}

static size_t barcode_len(const opts *o, const lanes *l)
{
    char digits[16];
    if (o->v3) return 17 + (size_t)snprintf(digits, sizeof digits, "%" PRIu32, l->n);
    return l->name_len + 1 + 16 + 2;
}

/* ---- HDF5 output ---- */

enum kind { V2, V3_CHUNKED, V3_CONTIGUOUS };

/* A 1-D dataset written front to back through a buffer, in whole chunks. */
typedef struct column {
    const char *name;
    hid_t dset, type;
    size_t esize, cap, fill;
    hsize_t at, total;
    unsigned char *buf;
} column;

static hid_t string_type(size_t len, H5T_str_t pad, H5T_cset_t cset)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    if (t < 0) return -1;
    if (H5Tset_size(t, len ? len : 1) < 0 || H5Tset_strpad(t, pad) < 0 || H5Tset_cset(t, cset) < 0) {
        H5Tclose(t);
        return -1;
    }
    return t;
}

/* Fixed-length string attribute of exactly the string's length, as PyTables writes them;
 * n > 1 makes an array of n LINE-wide rows. */
static int attr_strings(hid_t loc, const char *name, const char *v, size_t n, size_t len, H5T_str_t pad,
                        H5T_cset_t cset, int null_space)
{
    hsize_t dim = n;
    hid_t t = string_type(len, pad, cset);
    hid_t s = null_space ? H5Screate(H5S_NULL) : n ? H5Screate_simple(1, &dim, NULL) : H5Screate(H5S_SCALAR);
    hid_t a = t < 0 || s < 0 ? -1 : H5Acreate2(loc, name, t, s, H5P_DEFAULT, H5P_DEFAULT);
    char *packed = calloc(n ? n : 1, len ? len : 1);
    int rc = a < 0 || !packed ? -1 : 0;
    for (size_t k = 0; rc == 0 && k < (n ? n : 1); k++) strncpy(packed + k * (len ? len : 1), v + k * LINE, len);
    if (rc == 0 && !null_space) rc = H5Awrite(a, t, packed) < 0 ? -1 : 0;
    free(packed);
    if (a >= 0) H5Aclose(a);
    if (s >= 0) H5Sclose(s);
    if (t >= 0) H5Tclose(t);
    return rc;
}

static int attr_str(hid_t loc, const char *name, const char *v, H5T_cset_t cset)
{
    char row[LINE] = {0};
    snprintf(row, sizeof row, "%s", v);
    return attr_strings(loc, name, row, 0, strlen(v), H5T_STR_NULLTERM, cset, 0);
}

static int attr_vlen_str(hid_t loc, const char *name, const char *v, H5T_cset_t cset)
{
    hid_t t = H5Tcopy(H5T_C_S1), s = H5Screate(H5S_SCALAR), a = -1;
    int rc = -1;
    if (t >= 0 && s >= 0 && H5Tset_size(t, H5T_VARIABLE) >= 0 && H5Tset_cset(t, cset) >= 0 &&
        (a = H5Acreate2(loc, name, t, s, H5P_DEFAULT, H5P_DEFAULT)) >= 0)
        rc = H5Awrite(a, t, &v) < 0 ? -1 : 0;
    if (a >= 0) H5Aclose(a);
    if (s >= 0) H5Sclose(s);
    if (t >= 0) H5Tclose(t);
    return rc;
}

/* Scalar (n == 0) or 1-D int64 attribute. */
static int attr_i64(hid_t loc, const char *name, const int64_t *v, size_t n)
{
    hsize_t dim = n;
    hid_t s = n ? H5Screate_simple(1, &dim, NULL) : H5Screate(H5S_SCALAR);
    hid_t a = s < 0 ? -1 : H5Acreate2(loc, name, H5T_STD_I64LE, s, H5P_DEFAULT, H5P_DEFAULT);
    int rc = a < 0 || H5Awrite(a, H5T_NATIVE_INT64, v) < 0 ? -1 : 0;
    if (a >= 0) H5Aclose(a);
    if (s >= 0) H5Sclose(s);
    return rc;
}

/* PyTables' node attributes (Cell Ranger 2 wrote its matrices with PyTables). */
static int pytables_group_attrs(hid_t g, int root)
{
    const int64_t filters = 65793; /* zlib level 1 with shuffle, PyTables' encoding */
    return attr_str(g, "CLASS", "GROUP", H5T_CSET_ASCII) < 0 || attr_i64(g, "FILTERS", &filters, 0) < 0 ||
                   (root && attr_str(g, "PYTABLES_FORMAT_VERSION", "2.1", H5T_CSET_ASCII) < 0) ||
                   attr_str(g, "TITLE", "", H5T_CSET_ASCII) < 0 || attr_str(g, "VERSION", "1.0", H5T_CSET_ASCII) < 0
               ? -1 : 0;
}

static int pytables_array_attrs(hid_t d)
{
    return attr_str(d, "CLASS", "CARRAY", H5T_CSET_ASCII) < 0 ||
                   attr_strings(d, "TITLE", "", 0, 1, H5T_STR_NULLTERM, H5T_CSET_ASCII, 1) < 0 ||
                   attr_str(d, "VERSION", "1.1", H5T_CSET_ASCII) < 0
               ? -1 : 0;
}

/* The file's root attributes: chemistry, file type, and one library per lane. */
static int root_attrs(hid_t f, const opts *o, const lanes *l)
{
    int64_t *groups = malloc(l->n * sizeof *groups), version = 2;
    if (!groups) return -1;
    for (uint32_t k = 0; k < l->n; k++) groups[k] = 1;
    int rc;
    if (o->v3)
        rc = attr_vlen_str(f, "chemistry_description", "Single Cell 3' v3", H5T_CSET_ASCII) < 0 ||
                     attr_vlen_str(f, "filetype", "matrix", H5T_CSET_UTF8) < 0 ||
                     attr_strings(f, "library_ids", l->name, l->n, l->name_len, H5T_STR_NULLPAD, H5T_CSET_ASCII, 0) <
                         0 ||
                     attr_i64(f, "original_gem_groups", groups, l->n) < 0 || attr_i64(f, "version", &version, 0) < 0
                 ? -1
                 : 0;
    else
        rc = pytables_group_attrs(f, 1) < 0 ||
                     attr_str(f, "chemistry_description", "Single Cell 3' v2", H5T_CSET_UTF8) < 0 ||
                     attr_str(f, "filetype", "matrix", H5T_CSET_ASCII) < 0 ||
                     attr_strings(f, "library_ids", l->name, l->n, l->name_len, H5T_STR_NULLTERM, H5T_CSET_ASCII, 0) <
                         0 ||
                     attr_i64(f, "original_gem_groups", groups, l->n) < 0
                 ? -1
                 : 0;
    free(groups);
    return rc;
}

/* Creation properties without timestamps, so equal options give equal files. */
static hid_t group_create(hid_t loc, const char *name)
{
    hid_t gcpl = H5Pcreate(H5P_GROUP_CREATE), g = -1;
    if (gcpl >= 0 && H5Pset_obj_track_times(gcpl, 0) >= 0)
        g = H5Gcreate2(loc, name, H5P_DEFAULT, gcpl, H5P_DEFAULT);
    if (gcpl >= 0) H5Pclose(gcpl);
    return g;
}

static int column_close(column *c, int ok, gerr *e);

/* Storage as in the reference files: v2 PyTables CARRAY (64 KiB chunks, gzip 1, shuffle,
 * maxshape max(size, chunk)); v3 numeric: 80000-element chunks, gzip 4, shuffle,
 * unlimited; v3 strings contiguous. */
static int column_create(column *c, hid_t loc, const char *name, hid_t type, hsize_t total, enum kind kind, gerr *e)
{
    *c = (column){.name = name, .dset = -1, .type = type, .total = total, .esize = H5Tget_size(type)};
    hsize_t chunk = kind == V2 ? (65536 / c->esize ? 65536 / c->esize : 1) : kind == V3_CHUNKED ? 80000 : 0;
    hsize_t max = kind == V3_CHUNKED ? H5S_UNLIMITED : kind == V2 && chunk > total ? chunk : total;
    hid_t space = H5Screate_simple(1, &total, &max), dcpl = H5Pcreate(H5P_DATASET_CREATE);
    int ok = space >= 0 && dcpl >= 0 && H5Pset_obj_track_times(dcpl, 0) >= 0;
    if (ok && chunk)
        ok = H5Pset_chunk(dcpl, 1, &chunk) >= 0 && H5Pset_shuffle(dcpl) >= 0 &&
             H5Pset_deflate(dcpl, kind == V2 ? 1 : 4) >= 0 && H5Pset_fill_time(dcpl, H5D_FILL_TIME_NEVER) >= 0;
    if (ok) ok = (c->dset = H5Dcreate2(loc, name, type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT)) >= 0;
    if (ok && kind == V2) ok = pytables_array_attrs(c->dset) >= 0;
    if (space >= 0) H5Sclose(space);
    if (dcpl >= 0) H5Pclose(dcpl);
    size_t per = chunk ? (size_t)chunk : 65536;
    c->cap = per * ((1u << 20) / (per * c->esize) ? (1u << 20) / (per * c->esize) : 1);
    if (ok && !(c->buf = malloc(c->cap * c->esize))) return column_close(c, 0, e), fail(e, "out of memory");
    if (!ok) return column_close(c, 0, e), fail(e, "cannot create dataset %s", name);
    return 0;
}

static int column_flush(column *c, gerr *e)
{
    if (!c->fill) return 0;
    hsize_t start = c->at, count = c->fill;
    if (start + count > c->total) return fail(e, "%s: more values than its size", c->name);
    hid_t fs = H5Dget_space(c->dset), ms = H5Screate_simple(1, &count, NULL);
    int ok = fs >= 0 && ms >= 0 && H5Sselect_hyperslab(fs, H5S_SELECT_SET, &start, NULL, &count, NULL) >= 0 &&
             H5Dwrite(c->dset, c->type, ms, fs, H5P_DEFAULT, c->buf) >= 0;
    if (fs >= 0) H5Sclose(fs);
    if (ms >= 0) H5Sclose(ms);
    if (!ok) return fail(e, "cannot write dataset %s", c->name);
    c->at += count;
    c->fill = 0;
    return 0;
}

/* Append n values; the buffer holds whole chunks, so every write but the last is aligned. */
static int column_put(column *c, const void *v, size_t n, gerr *e)
{
    const unsigned char *p = v;
    while (n) {
        size_t k = c->cap - c->fill < n ? c->cap - c->fill : n;
        memcpy(c->buf + c->fill * c->esize, p, k * c->esize);
        c->fill += k;
        p += k * c->esize;
        n -= k;
        if (c->fill == c->cap && column_flush(c, e) < 0) return -1;
    }
    return 0;
}

/* Write the rest and close; `ok` false only releases. */
static int column_close(column *c, int ok, gerr *e)
{
    int rc = ok ? column_flush(c, e) : -1;
    if (rc == 0 && c->at != c->total) rc = fail(e, "%s: fewer values than its size", c->name);
    if (c->dset >= 0 && H5Dclose(c->dset) < 0 && rc == 0) rc = fail(e, "cannot write dataset %s", c->name);
    free(c->buf);
    *c = (column){.dset = -1};
    return rc;
}

/* A whole dataset of fixed-width strings from LINE-wide rows. */
static int strings_dataset(hid_t loc, const char *name, const char *rows, size_t n, size_t len, H5T_str_t pad,
                           enum kind kind, gerr *e)
{
    hid_t t = string_type(len, pad, H5T_CSET_ASCII);
    if (t < 0) return fail(e, "cannot create dataset %s", name);
    column c;
    int rc = column_create(&c, loc, name, t, n, kind, e);
    char *packed = rc == 0 ? calloc(1, len) : NULL;
    if (rc == 0 && !packed) rc = fail(e, "out of memory");
    for (size_t i = 0; rc == 0 && i < n; i++) {
        strncpy(packed, rows + i * LINE, len);
        rc = column_put(&c, packed, 1, e);
    }
    free(packed);
    rc = column_close(&c, rc == 0, e) < 0 || rc < 0 ? -1 : 0;
    H5Tclose(t);
    return rc;
}

static int small_i32_dataset(hid_t loc, const char *name, const int32_t *v, size_t n, enum kind kind, gerr *e)
{
    column c;
    int rc = column_create(&c, loc, name, H5T_STD_I32LE, n, kind, e);
    if (rc == 0) rc = column_put(&c, v, n, e);
    return column_close(&c, rc == 0, e) < 0 || rc < 0 ? -1 : 0;
}

typedef struct stats { uint64_t entries, empty, over255, over65535; int32_t max; } stats;

/* Pass 1: the matrix's entry count and value summary, without writing. */
static int count_entries(const opts *o, const model *m, stats *st, gerr *e)
{
    cell c;
    if (cell_init(&c, m->genes, e) < 0) return -1;
    uint64_t phase = damaged_phase(o), next_empty = empty_cell(o, 0), k_empty = 0;
    *st = (stats){0};
    for (uint64_t i = 0; i < o->cells; i++) {
        int empty = i == next_empty;
        if (empty) next_empty = empty_cell(o, ++k_empty);
        cell_make(&c, m, o->seed, i, cell_type(m, o->seed, i), empty, i % DAMAGED_EVERY == phase);
        st->entries += c.n;
        st->empty += !c.n;
        for (uint32_t k = 0; k < c.n; k++) {
            st->over255 += c.value[k] > 255;
            st->over65535 += c.value[k] > 65535;
            if (c.value[k] > st->max) st->max = c.value[k];
        }
    }
    cell_free(&c);
    return 0;
}

/* One line of the labels file: the cell's name, its barcode as in the file (SPEC 7), a
 * tab, its type. Errors stay in ferror(). */
static void label_line(FILE *f, const char *bar, uint32_t type)
{
    char buf[16];
    fprintf(f, "%s\t%s\n", bar, type_label(type, buf));
}

/* Pass 2: barcodes, indptr, indices and data, cell by cell (and the labels, if asked). */
static int write_cells(hid_t loc, const opts *o, const model *m, const lanes *l, uint64_t entries, FILE *labels,
                       gerr *e)
{
    enum kind num = o->v3 ? V3_CHUNKED : V2;
    size_t blen = barcode_len(o, l);
    hid_t btype = string_type(blen, o->v3 ? H5T_STR_NULLPAD : H5T_STR_NULLTERM, H5T_CSET_ASCII);
    if (btype < 0) return fail(e, "cannot create dataset barcodes");
    column bc = {.dset = -1}, ptr = {.dset = -1}, idx = {.dset = -1}, val = {.dset = -1};
    cell c = {0};
    char *bar = calloc(1, 2 * LINE), *packed = calloc(1, blen);
    int rc = !bar || !packed ? fail(e, "out of memory") : 0;
    if (rc == 0) rc = column_create(&bc, loc, "barcodes", btype, o->cells, o->v3 ? V3_CONTIGUOUS : V2, e);
    if (rc == 0) rc = column_create(&ptr, loc, "indptr", H5T_STD_I64LE, o->cells + 1, num, e);
    if (rc == 0) rc = column_create(&idx, loc, "indices", H5T_STD_I64LE, entries, num, e);
    if (rc == 0) rc = column_create(&val, loc, "data", H5T_STD_I32LE, entries, num, e);
    if (rc == 0) rc = cell_init(&c, m->genes, e);
    uint64_t phase = damaged_phase(o), next_empty = empty_cell(o, 0), k_empty = 0;
    int64_t offset = 0;
    uint32_t lane = 0;
    if (rc == 0) rc = column_put(&ptr, &offset, 1, e);
    for (uint64_t i = 0; rc == 0 && i < o->cells; i++) {
        while (i >= l->end[lane]) lane++;
        barcode(bar, o, l, lane, i);
        strncpy(packed, bar, blen);
        int empty = i == next_empty;
        if (empty) next_empty = empty_cell(o, ++k_empty);
        uint32_t type = cell_type(m, o->seed, i);
        cell_make(&c, m, o->seed, i, type, empty, i % DAMAGED_EVERY == phase);
        if (labels) label_line(labels, bar, type);
        offset += c.n;
        rc = column_put(&bc, packed, 1, e) < 0 || column_put(&ptr, &offset, 1, e) < 0 ||
                     column_put(&idx, c.index, c.n, e) < 0 || column_put(&val, c.value, c.n, e) < 0
                 ? -1 : 0;
    }
    if (rc == 0 && (uint64_t)offset != entries) rc = fail(e, "internal error: entry count changed between passes");
    /* After a failure, closing only releases (ok = 0 keeps the first message). */
    if (column_close(&bc, rc == 0, e) < 0) rc = -1;
    if (column_close(&ptr, rc == 0, e) < 0) rc = -1;
    if (column_close(&idx, rc == 0, e) < 0) rc = -1;
    if (column_close(&val, rc == 0, e) < 0) rc = -1;
    cell_free(&c);
    free(bar);
    free(packed);
    H5Tclose(btype);
    return rc;
}

/* A dataset repeating one fixed-width string n times. */
static int repeated_dataset(hid_t loc, const char *name, const char *v, size_t n, gerr *e)
{
    hid_t t = string_type(strlen(v), H5T_STR_NULLPAD, H5T_CSET_ASCII);
    if (t < 0) return fail(e, "cannot create dataset %s", name);
    column c;
    int rc = column_create(&c, loc, name, t, n, V3_CONTIGUOUS, e);
    for (size_t i = 0; rc == 0 && i < n; i++) rc = column_put(&c, v, 1, e);
    if (rc == 0) rc = column_close(&c, 1, e);
    H5Tclose(t);
    return rc;
}

/* v3 matrix/features: id, name, feature_type, genome, _all_tag_keys. */
static int write_features(hid_t matrix, const opts *o, const genes *g, gerr *e)
{
    hid_t f = group_create(matrix, "features");
    if (f < 0) return fail(e, "cannot create group features");
    int rc = strings_dataset(f, "id", g->id, g->n, g->id_len, H5T_STR_NULLPAD, V3_CONTIGUOUS, e) < 0 ||
                     strings_dataset(f, "name", g->name, g->n, g->name_len, H5T_STR_NULLPAD, V3_CONTIGUOUS, e) < 0 ||
                     repeated_dataset(f, "feature_type", "Gene Expression", g->n, e) < 0 ||
                     repeated_dataset(f, "genome", o->genome, g->n, e) < 0 ||
                     repeated_dataset(f, "_all_tag_keys", "genome", 1, e) < 0
                 ? -1 : 0;
    if (H5Gclose(f) < 0 && rc == 0) rc = fail(e, "cannot write group features");
    return rc;
}

static int write_file(hid_t file, const opts *o, const genes *g, const model *m, const lanes *l, uint64_t entries,
                      FILE *labels, gerr *e)
{
    if (root_attrs(file, o, l) < 0) return fail(e, "cannot write the file attributes");
    hid_t grp = group_create(file, o->v3 ? "matrix" : o->genome);
    if (grp < 0) return fail(e, "cannot create group %s", o->v3 ? "matrix" : o->genome);
    int32_t shape[2] = {(int32_t)g->n, (int32_t)o->cells};
    int rc = o->v3 || pytables_group_attrs(grp, 0) == 0 ? 0 : fail(e, "cannot write the group attributes");
    if (rc == 0) rc = write_cells(grp, o, m, l, entries, labels, e);
    if (rc == 0 && o->v3) rc = write_features(grp, o, g, e);
    if (rc == 0 && !o->v3)
        rc = strings_dataset(grp, "genes", g->id, g->n, g->id_len, H5T_STR_NULLTERM, V2, e) < 0 ||
                     strings_dataset(grp, "gene_names", g->name, g->n, g->name_len, H5T_STR_NULLTERM, V2, e) < 0
                 ? -1 : 0;
    if (rc == 0) rc = small_i32_dataset(grp, "shape", shape, 2, o->v3 ? V3_CHUNKED : V2, e);
    if (H5Gclose(grp) < 0 && rc == 0) rc = fail(e, "cannot write group");
    return rc;
}

/* "FILE.PID.tmp": beside FILE, so the rename stays within one file system. */
static char *temp_name(const char *path)
{
    size_t len = strlen(path) + 32;
    char *tmp = malloc(len);
    if (tmp) snprintf(tmp, len, "%s.%ld.tmp", path, (long)getpid());
    return tmp;
}

static hid_t h5_create(const char *path)
{
    hid_t fcpl = H5Pcreate(H5P_FILE_CREATE);
    hid_t file =
        fcpl < 0 || H5Pset_obj_track_times(fcpl, 0) < 0 ? -1 : H5Fcreate(path, H5F_ACC_TRUNC, fcpl, H5P_DEFAULT);
    if (fcpl >= 0) H5Pclose(fcpl);
    return file;
}

/* Both outputs under temporary names, renamed into place (labels first) only when both
 * are complete; on any failure neither is left behind. */
static int write_outputs(const opts *o, const genes *g, const model *m, const lanes *l, uint64_t entries, gerr *e)
{
    char *tmp = temp_name(o->out), *ltmp = o->labels ? temp_name(o->labels) : NULL;
    FILE *lf = NULL;
    int rc = 0, made = 0, lmade = 0, placed = 0;
    if (!tmp || (o->labels && !ltmp)) rc = fail(e, "out of memory");
    if (rc == 0 && o->labels) {
        lmade = (lf = fopen(ltmp, "w")) != NULL;
        if (!lf) rc = fail(e, "%s: cannot create (%s)", o->labels, strerror(errno));
    }
    if (rc == 0) {
        errno = 0;
        hid_t file = h5_create(tmp);
        if (file < 0) {
            rc = errno ? fail(e, "%s: cannot create (%s)", o->out, strerror(errno))
                       : fail(e, "%s: cannot create", o->out);
        } else {
            made = 1;
            rc = write_file(file, o, g, m, l, entries, lf, e);
            if (H5Fclose(file) < 0 && rc == 0) rc = fail(e, "cannot write");
            if (rc < 0) {
                char what[sizeof e->msg];
                snprintf(what, sizeof what, "%s", e->msg);
                fail(e, "%s: %s", o->out, what);
            }
        }
    }
    if (lf) {
        int bad = ferror(lf);
        errno = 0;
        if ((fclose(lf) != 0 || bad) && rc == 0)
            rc = fail(e, "%s: cannot write (%s)", o->labels, errno ? strerror(errno) : "write error");
    }
    if (rc == 0 && o->labels) {
        if (rename(ltmp, o->labels) < 0)
            rc = fail(e, "%s: cannot rename %s into place (%s)", o->labels, ltmp, strerror(errno));
        else {
            lmade = 0;
            placed = 1;
        }
    }
    if (rc == 0) {
        if (rename(tmp, o->out) < 0) rc = fail(e, "%s: cannot rename %s into place (%s)", o->out, tmp, strerror(errno));
        else made = 0;
    }
    if (rc < 0 && placed) unlink(o->labels);
    if (made) unlink(tmp);
    if (lmade) unlink(ltmp);
    free(tmp);
    free(ltmp);
    return rc;
}

static int generate(const opts *o, stats *st, gerr *e)
{
    struct stat sb;
    if (!o->force && stat(o->out, &sb) == 0) return fail(e, "%s: exists (use --force to overwrite)", o->out);
    if (o->labels && !o->force && stat(o->labels, &sb) == 0)
        return fail(e, "%s: exists (use --force to overwrite)", o->labels);
    genes g;
    model m;
    lanes l;
    if (genes_make(&g, o, e) < 0) return -1;
    if (model_make(&m, &g, o, e) < 0) {
        genes_free(&g);
        return -1;
    }
    if (lanes_make(&l, o, e) < 0) {
        model_free(&m);
        genes_free(&g);
        return -1;
    }
    int rc = count_entries(o, &m, st, e);
    if (rc == 0) rc = write_outputs(o, &g, &m, &l, st->entries, e);
    lanes_free(&l);
    model_free(&m);
    genes_free(&g);
    return rc;
}

int main(int argc, char **argv)
{
    opts o;
    stats st = {0};
    gerr e = {{0}};
    parse(&o, argc, argv);
    /* HDF5 allocates and frees a chunk's buffers chunk after chunk: glibc gave the top of the
     * heap back at each free and faulted it in again (a third of this program's CPU) */
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
    mallopt(M_MMAP_THRESHOLD, 64 << 20);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    if (generate(&o, &st, &e) < 0) {
        fprintf(stderr, "gen-hca: %s\n", e.msg);
        return 1;
    }
    if (o.verbose)
        fprintf(stderr,
                "gen-hca: wrote %s (%s, genome %s): %" PRIu64 " cells in %" PRIu32 " lanes (%" PRIu64
                " empty), %" PRIu32 " genes, %" PRIu64 " entries, max value %" PRId32 ", %" PRIu64
                " values > 255, %" PRIu64 " > 65535\n",
                o.out, o.v3 ? "10x v3" : "10x v2", o.genome, o.cells, o.donors * o.lanes, st.empty, o.genes,
                st.entries, st.max, st.over255, st.over65535);
    return 0;
}
