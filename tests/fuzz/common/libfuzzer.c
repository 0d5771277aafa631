/* SPDX-License-Identifier: BSD-3-Clause
 *
 * libfuzzer.c - a VNF fuzz harness (fuzz_vnf.h) as a libFuzzer target
 * (clang only), linked with the harness of tests/fuzz/<vnf>/:
 *   fuzz_<vnf>_libfuzzer [-runs=N] [-max_total_time=S] [CORPUS...]
 */
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
