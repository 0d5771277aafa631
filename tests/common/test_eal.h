/* SPDX-License-Identifier: BSD-3-Clause
 *
 * test_eal.h - the EAL of the test programs that run VNFs or the runner in
 * one process (unit tests, fuzz harnesses, microbenchmarks).
 */
#ifndef NFV_TEST_EAL_H
#define NFV_TEST_EAL_H

/*
 * rte_eal_init() with one lcore (0), mem_mb MiB of ordinary memory, no PCI,
 * no shared files, no telemetry, errors only; prefix names the run.
 * 0, or -1 with a line on stderr naming prog.
 */
int nfv_test_eal_init(const char *prog, const char *prefix,
		      unsigned int mem_mb);
/* rte_eal_cleanup(), then remove the empty runtime directory the run
 * leaves behind. */
void nfv_test_eal_fini(void);

#endif /* NFV_TEST_EAL_H */
