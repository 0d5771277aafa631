/* SPDX-License-Identifier: BSD-3-Clause
 *
 * test_eal.c - the EAL of the test programs (test_eal.h).
 *
 * --in-memory is refused with --no-huge by DPDK 22.11 (--no-huge implies
 * legacy memory); --no-shconf keeps the run just as free of shared files
 * and leaves only an empty runtime directory, which nfv_test_eal_fini()
 * removes.
 *
 * -l 0 pins the calling thread to CPU 0.  The CPUs it had before are given
 * back once EAL is up: test and fuzz processes that run side by side would
 * otherwise all share CPU 0 while the other CPUs idle (two fuzz campaigns
 * did, at half speed each).
 */
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_eal.h>

#include "tests/common/test_eal.h"

static char test_eal_rundir[PATH_MAX];

int
nfv_test_eal_init(const char *prog, const char *prefix, unsigned int mem_mb)
{
	char mem[16];
	cpu_set_t cpus;
	bool restore = sched_getaffinity(0, sizeof(cpus), &cpus) == 0;
	char *argv[] = {
		(char *)(uintptr_t)prog,
		"-l",
		"0",
		"--no-huge",
		"--no-pci",
		"--no-shconf",
		"-m",
		mem,
		"--file-prefix",
		(char *)(uintptr_t)prefix,
		"--no-telemetry",
		"--log-level=*:error",
		NULL,
	};

	snprintf(mem, sizeof(mem), "%u", mem_mb);
	if (rte_eal_init((int)RTE_DIM(argv) - 1, argv) < 0) {
		fprintf(stderr, "%s: EAL init failed\n", prog);
		return -1;
	}
	snprintf(test_eal_rundir, sizeof(test_eal_rundir), "%s",
		 rte_eal_get_runtime_dir());
	if (restore && sched_setaffinity(0, sizeof(cpus), &cpus) < 0)
		fprintf(stderr, "%s: keeping CPU 0 only: %s\n", prog,
			strerror(errno));
	return 0;
}

void
nfv_test_eal_fini(void)
{
	rte_eal_cleanup();
	if (test_eal_rundir[0] != '\0')
		rmdir(test_eal_rundir);
	test_eal_rundir[0] = '\0';
}
