/* h5err: HDF5's own reason for a failure, to end our one-line messages with.
 *
 * HDF5's error printing is switched off while we read or write; when a call
 * fails, the most specific description on its error stack says why ("unable
 * to open file", "can't read data", a missing filter's name). */
#ifndef MC_H5ERR_H
#define MC_H5ERR_H

#define H5ERR_SIZE 256

/* That description into BUF ("" when the stack is empty); returns BUF.  Call
 * right after the failing call: the next API call clears the stack. */
const char *h5err_detail(char buf[H5ERR_SIZE]);

#endif
