/* verify: prove a container unchanged and well-formed (mc-info --verify).
 *
 * Recomputes every uuid in the chain from the files, decodes every MMM
 * completely, checks every .npy header and shape and every .txt line count
 * against the axis lengths, then opens the container to check the links
 * (recorded uuids, counts, index ranges). */
#ifndef MC_VERIFY_H
#define MC_VERIFY_H

#include <stddef.h>

/* Called once per problem with a one-line description. */
typedef void (*verify_report)(void *ctx, const char *problem);

/* Verify the container at DIR and the gene set it uses (as genes_find finds
 * it), or DIR alone when it is a gene set.  Returns the number of problems
 * found (0 = everything holds). */
size_t verify_container(const char *dir, verify_report report, void *ctx);

#endif
