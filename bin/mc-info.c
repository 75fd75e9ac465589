/* mc-info: what a container is, what it is built on, and what data it holds. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "options.h"
#include "container.h"
#include "datakind.h"
#include "qc.h"
#include "verify.h"

static const char about[] =
    "Print a container's kind, uuid, organism, counts (profiles, genes and\n"
    "non-zero entries: MMM stores no count, so every profile is decoded once,\n"
    "on every core, as mc-sum does), its chain of bases,\n"
    "members and grouped containers, and the data available per kind.\n"
    "With --verify, CONTAINER may also be a gene set (its genes.yaml, names\n"
    "and g.* files are checked).\n";

static const char more[] =
    "Example:\n"
    "  mc-info cells/pbmc\n"
    "  mc-info --verify views/good/groups\n";

static void print_chain(const container *c, const char *role, int depth)
{
    printf("%*s%s%s (%s, %zu %s, %zu genes, uuid %s)\n", 2 + 2 * depth, "", role, c->path,
           meta_kind_name(c->kind), c->profiles_count, c->meta.profiles_kind, c->genes_count, c->meta.uuid);
    if (c->base) print_chain(c->base, "base: ", depth + 1);
    if (c->grouped) print_chain(c->grouped, "grouped: ", depth + 1);
    for (size_t i = 0; i < c->members_count; i++) print_chain(c->members[i], "member: ", depth + 1);
}

static int print_data(container *c, mc_err *e)
{
    printf("data:\n");
    for (size_t k = 0; k < DATA_KINDS; k++) {
        strvec names;
        if (container_available(c, datakind_table[k].name, &names, e) < 0) return -1;
        printf("  %s:", datakind_table[k].name);
        for (size_t i = 0; i < names.count; i++) printf(" %s", names.v[i]);
        printf("\n");
        strvec_free(&names);
    }
    return 0;
}

static int info(const char *dir, mc_err *e)
{
    container *c = container_open(dir, e);
    if (!c) return -1;
    printf("path: %s\nkind: %s\nuuid: %s\norganism: %s\n", dir, meta_kind_name(c->kind), c->meta.uuid,
           c->meta.organism);
    uint64_t entries;
    if (qc_entries_count(c, 0, &entries, e) < 0) {
        container_close(c);
        return -1;
    }
    printf("profiles: %zu %s\ngenes: %zu\nentries: %" PRIu64 " non-zero\ngenes_uuid: %s\nchain:\n", c->profiles_count,
           c->meta.profiles_kind, c->genes_count, entries, c->meta.genes_uuid);
    print_chain(c, "", 0);
    int rc = print_data(c, e);
    container_close(c);
    return rc;
}

static void report_problem(void *ctx, const char *problem)
{
    fprintf(stderr, "%s: %s\n", (const char *)ctx, problem);
}

int main(int argc, char **argv)
{
    cli c = {.tool = "mc-info", .operands = "CONTAINER", .about = about, .more = more};
    int verify = 0;
    const option_spec options[] = {
        OPT_FLAG("verify", &verify, "recompute every uuid in the chain and check every MMM, .npy\n"
                                    "shape and .txt line count; exit 0 only if all hold, else\n"
                                    "print one line per problem and exit 1"),
        OPT_END(),
    };
    char **args;
    if (options_parse(&c, options, argc, argv, &args) != 1) cli_usage_error(&c, "expected one CONTAINER");
    const char *dir = args[0];
    if (verify) {
        size_t problems = verify_container(dir, report_problem, (void *)c.tool);
        if (problems) return 1;
        printf("%s: ok\n", dir);
        return 0;
    }
    mc_err e;
    return info(dir, &e) < 0 ? cli_fail(&c, &e) : 0;
}
