/* hca: the HCA barcode rule. */
#include "hca.h"

#include <string.h>

int hca_is_barcode(const char *b)
{
    const char *d = strchr(b, '-');
    return d && strchr(d + 1, '-');
}

size_t hca_lane_len(const char *barcode)
{
    return strcspn(barcode, "-");
}

size_t hca_batch_len(const char *lane, size_t lane_len)
{
    size_t b = strcspn(lane, "_");
    return b < lane_len ? b : lane_len;
}
