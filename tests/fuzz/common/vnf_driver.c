/* SPDX-License-Identifier: BSD-3-Clause
 *
 * vnf_driver.c - a bounded, reproducible fuzz run of a VNF harness for the
 * 'fuzz' suite: random programs from a fixed-seed generator, fed to the
 * same harness as the libFuzzer target, until N frames went in.  Shared by
 * the VNF harnesses (tests/fuzz/l2switch, tests/fuzz/firewall).
 *
 *   fuzz_<vnf>_driver [FRAMES [SEED]]     (default 200000, 1)
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <libgen.h>

#include "tests/fuzz/common/fuzz_vnf.h"

#define FZ_CHUNK 4096

/* xorshift64*: small, fast, and the same everywhere. */
static uint64_t
fz_rand(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * UINT64_C(2685821657736338717);
}

int
main(int argc, char **argv)
{
	unsigned long long want = argc > 1 ? strtoull(argv[1], NULL, 0) : 200000;
	uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 0) : 1;
	static uint8_t buf[FZ_CHUNK];
	unsigned long long frames = 0, inputs = 0;
	const char *prog = basename(argv[0]);
	struct timespec t0, t1;
	int rc;

	if (fz_init(argv[0]) < 0) {
		fprintf(stderr, "%s: set-up failed\n", prog);
		return 1;
	}
	seed = seed * UINT64_C(0x9e3779b97f4a7c15) + 1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (frames < want) {
		/* Inputs of varied size, so that some end mid-frame. */
		size_t len = 16 + fz_rand(&seed) % (FZ_CHUNK - 16), i;

		for (i = 0; i < len; i++)
			buf[i] = (uint8_t)(fz_rand(&seed) >> 56);
		frames += fz_run(buf, len);
		inputs++;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("%s: %llu frames in %llu inputs, %.2f s\n", prog, frames,
	       inputs,
	       (double)(t1.tv_sec - t0.tv_sec) +
		       (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	fz_print_counters(stdout);
	rc = fz_fini();
	if (rc != 0) {
		fprintf(stderr, "%s: mbufs missing at the end\n", prog);
		return 1;
	}
	printf("every mbuf back in the pool\n");
	return 0;
}
