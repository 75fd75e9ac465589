/* hca: the HCA barcode rule, the one place it is written.
 *
 * An HCA barcode has the form LANE-BARCODE-N (MantonBM1_HiSeq_1-AAACCTGAGAAGGCCT-1):
 * at least two '-'.  When every barcode of a sample has it, the lane is the
 * part before the first '-' (cut off the barcode, which keeps the rest) and
 * the batch the lane up to its first '_' ("MantonBM1"; "CB1" stays "CB1");
 * otherwise barcodes stay whole in one lane "all".  The HDF5 import
 * (h5import.c) and the STD reader's "lane: hca" (lanerule.c) apply it. */
#ifndef MC_HCA_H
#define MC_HCA_H

#include <stddef.h>

int hca_is_barcode(const char *barcode);
/* The length of the lane at the start of an HCA BARCODE; the barcode proper
 * follows the '-' after it. */
size_t hca_lane_len(const char *barcode);
/* The length of the batch at the start of LANE (LANE_LEN bytes, which need
 * not end LANE: the lane may still be the start of its barcode). */
size_t hca_batch_len(const char *lane, size_t lane_len);

#endif
