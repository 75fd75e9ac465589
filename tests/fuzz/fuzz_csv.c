/* fuzz_csv: the STD CSV reader (libcsv under field types, filters, lane and
 * batch derivation).  Input: one byte choosing a format, then the genes CSV,
 * a NUL byte, and the profiles CSV. */
#include "fuzz.h"
#include "stdread.h"

static const char *const formats[] = {
    /* canonical STD */
    "matrix: {path: umis.mtx}\n"
    "genes: {path: genes.csv, separator: ',', header: true, field_types: {ensembl: str, name: str}}\n"
    "profiles: {path: profiles.csv, separator: ',', header: true,\n"
    "  field_types: {barcode: str, lane: str, batch: str}}\n",
    /* 10x v3: headerless TSV, a filter, the lane from the barcode */
    "matrix: {path: umis.mtx}\n"
    "genes: {path: genes.csv, separator: \"\\t\", header: false, field_names: [ensembl, name, feature_type],\n"
    "  field_types: {ensembl: str, name: str}, filter: {feature_type: Gene Expression}}\n"
    "profiles: {path: profiles.csv, separator: \"\\t\", header: false, field_names: [barcode],\n"
    "  field_types: {barcode: str}, lane: {from: barcode, suffix_after: '-'}}\n",
    /* MOCA-like: renamed columns, numbers, HCA-style lane and batch */
    "matrix: {path: umis.mtx}\n"
    "genes: {path: genes.csv, separator: ',', header: true, field_types: {gene_short_name: str, n: int},\n"
    "  rename: {gene_short_name: name}}\n"
    "profiles: {path: profiles.csv, separator: ',', header: true, field_types: {sample: str, score: float},\n"
    "  rename: {sample: barcode}, lane: {from: barcode, prefix_before: '-'},\n"
    "  batch: {from: lane, prefix_before: '_'}}\n",
};
#define NFORMATS (sizeof formats / sizeof *formats)

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
    if (n < 1) return 0;
    const char *fmt = formats[d[0] % NFORMATS];
    const uint8_t *genes = d + 1, *sep = memchr(genes, 0, n - 1);
    size_t gn = sep ? (size_t)(sep - genes) : n - 1;
    const uint8_t *profiles = sep ? sep + 1 : d + n;
    fuzz_file("format.yaml", (const uint8_t *)fmt, strlen(fmt));
    fuzz_file("genes.csv", genes, gn);
    fuzz_file("profiles.csv", profiles, (size_t)(d + n - profiles));
    const char *dir = fuzz_path("");
    mc_err e = {{0}};
    std_dir s;
    if (stdread_open(&s, dir, NULL, &e) < 0) abort();   /* the formats above are valid */
    if (stdread_load_genes(&s, &e) < 0 || stdread_load_profiles(&s, &e) < 0) fuzz_one_line(&e);
    stdread_close(&s);
    return 0;
}
