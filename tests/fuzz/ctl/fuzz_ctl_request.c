/* SPDX-License-Identifier: BSD-3-Clause
 *
 * fuzz_ctl_request.c - libFuzzer entry for the control request path.
 * Built with clang only (-fsanitize=fuzzer); run e.g.
 *   fuzz_ctl_request -max_len=70000 -max_total_time=60 CORPUS_DIR
 */
#include <stdio.h>
#include <stdlib.h>

#include "tests/fuzz/ctl/ctl_fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_cleanup(void)
{
	ctl_fuzz_teardown();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (ctl_fuzz_setup() != 0) {
		fprintf(stderr, "fuzz_ctl_request: cannot open the control socket\n");
		exit(1);
	}
	atexit(fuzz_cleanup);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ctl_fuzz_one(data, size);
	return 0;
}
