/* SPDX-License-Identifier: BSD-3-Clause
 *
 * fuzz_l2switch.h - the l2switch fuzz harness shared by the libFuzzer
 * target (clang) and the bounded random driver (any compiler).
 */
#ifndef NFV_FUZZ_L2SWITCH_H
#define NFV_FUZZ_L2SWITCH_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Start EAL, make the pool, the switches and the graph.  0 or -errno. */
int fz_init(const char *prog);
/* Interpret `data` as a program of frames and control actions and run it
 * through the runner; aborts on a broken invariant (an mbuf not given
 * back, a frame sent back out of its ingress port, a bad length).
 * Returns the number of frames it fed in. */
unsigned int fz_run(const uint8_t *data, size_t len);
/* What the switches counted and the ports took, for a summary. */
void fz_print_counters(FILE *f);
/* Tear everything down; 0 when every mbuf came back. */
int fz_fini(void);

#endif /* NFV_FUZZ_L2SWITCH_H */
