/* SPDX-License-Identifier: BSD-3-Clause
 *
 * fuzz_vnf.h - what a VNF fuzz harness (tests/fuzz/<vnf>/) provides to the
 * bounded driver (vnf_driver.c) and to its libFuzzer target.
 */
#ifndef NFV_FUZZ_VNF_H
#define NFV_FUZZ_VNF_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Start EAL, make the pool, the VNFs and the graph.  0 or -errno. */
int fz_init(const char *prog);
/* Interpret `data` as a program of frames and control actions and run it
 * through the runner; aborts on a broken invariant.  Returns the number
 * of frames it fed in. */
unsigned int fz_run(const uint8_t *data, size_t len);
/* What the VNFs counted and the ports took, for a summary. */
void fz_print_counters(FILE *f);
/* Tear everything down; 0 when every mbuf came back. */
int fz_fini(void);

#endif /* NFV_FUZZ_VNF_H */
