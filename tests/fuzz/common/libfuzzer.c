/* SPDX-License-Identifier: BSD-3-Clause
 *
 * libfuzzer.c - a VNF fuzz harness (fuzz_vnf.h) as a libFuzzer target
 * (clang only), linked with the harness of tests/fuzz/<vnf>/:
 *   fuzz_<vnf>_libfuzzer [-runs=N] [-max_total_time=S] [CORPUS...]
 */
#include <malloc.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "tests/fuzz/common/fuzz_vnf.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	/* rte_acl_build() callocs 8 MiB of build memory per rule change.
	 * glibc's mmap threshold grows past that after the first free, and
	 * each calloc then memsets 8 MiB of heap: 61 % of the firewall
	 * harness's time.  A fixed threshold keeps them fresh, zero mmaps
	 * (2.5 times the executions per second). */
	mallopt(M_MMAP_THRESHOLD, 1 << 20);
	if (fz_init((*argv)[0]) < 0)
		abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_run(data, size);
	return 0;
}
