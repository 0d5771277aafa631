/* SPDX-License-Identifier: BSD-3-Clause
 *
 * libfuzzer.c - the router as a libFuzzer target (clang only):
 *   fuzz_router_libfuzzer [-runs=N] [-max_total_time=S] [CORPUS...]
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_router.h"

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
