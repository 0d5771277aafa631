/* SPDX-License-Identifier: BSD-3-Clause
 *
 * fuzz_firewall.h - the firewall fuzz harness shared by the libFuzzer
 * target (clang) and the bounded random driver (any compiler).
 */
#ifndef NFV_FUZZ_FIREWALL_H
#define NFV_FUZZ_FIREWALL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Start EAL, make the pool, the firewalls and the graph.  0 or -errno. */
int fz_init(const char *prog);
/* Interpret `data` as a program of frames and control actions and run it
 * through the runner; aborts on a broken invariant.  Returns the number
 * of frames it fed in. */
unsigned int fz_run(const uint8_t *data, size_t len);
/* What the firewalls counted and the ports took, for a summary. */
void fz_print_counters(FILE *f);
/* Tear everything down; 0 when every mbuf came back. */
int fz_fini(void);

#endif /* NFV_FUZZ_FIREWALL_H */
