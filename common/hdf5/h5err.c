/* h5err: the most specific description on HDF5's error stack. */
#include "h5err.h"

#include <stdio.h>

#include <hdf5.h>

static herr_t first_desc(unsigned n, const H5E_error2_t *err, void *arg)
{
    if (n == 0 && err->desc) snprintf(arg, H5ERR_SIZE, "%s", err->desc);
    return 0;
}

const char *h5err_detail(char buf[H5ERR_SIZE])
{
    buf[0] = 0;
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, first_desc, buf);
    return buf;
}
