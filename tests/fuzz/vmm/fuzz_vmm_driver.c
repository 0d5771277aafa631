// SPDX-License-Identifier: BSD-3-Clause
/*
 * A plain driver for fuzz_vmm_device.c (no libFuzzer needed), for the
 * 'fuzz' suite:
 *
 *   fuzz_vmm_driver [ITERATIONS [SEED [SECONDS [CORPUS_DIR...]]]]
 *
 * Every file of the CORPUS_DIRs (the corpus a libFuzzer campaign kept,
 * docs/reliability.md) runs first, as it is; then
 * ITERATIONS (default 3000) inputs: random bytes, random bytes
 * behind a well-formed bring-up prefix, and mutants of earlier inputs.
 * A fixed seed (default 1) makes a failure reproducible; the run stops
 * early after SECONDS (default 60) so the suite stays bounded.  A crash
 * or a broken contract aborts.  Build with -Db_sanitize=address,undefined
 * to catch more.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tests/fuzz/common/fuzz_corpus.h"
#include "vmm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAXLEN 4096

static uint64_t rng_state;

static uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ull;
}

static void
replay_one(const uint8_t *data, size_t len, void *arg)
{
	unsigned long *n = arg;

	LLVMFuzzerTestOneInput(data, len);
	(*n)++;
}

int main(int argc, char **argv)
{
	unsigned long iters = argc > 1 ? strtoul(argv[1], NULL, 0) : 3000;
	uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 0) : 1;
	unsigned long secs = argc > 3 ? strtoul(argv[3], NULL, 0) : 60;
	static uint8_t prev[MAXLEN], buf[MAXLEN];
	size_t prev_len = 0, len, i;
	uint64_t end = vmm_now_ns() + secs * 1000000000ULL;
	unsigned long k, kept = 0;
	int a;

	for (a = 4; a < argc; a++)
		if (fz_corpus_each(argv[a], MAXLEN, replay_one, &kept) < 0)
			return 1;
	rng_state = seed ? seed : 1;
	for (k = 0; k < iters; k++) {
		unsigned int kind = (unsigned int)(rng() % 3);

		len = 16 + (size_t)(rng() % (MAXLEN - 16));
		for (i = 0; i < len; i++)
			buf[i] = (uint8_t)rng();
		if (kind == 1) {
			/* Bring up both NICs first (op 5 on nic 0 and 1). */
			buf[0] = 0; buf[1] = 5;
			buf[19] = 1; buf[20] = 5;
		} else if (kind == 2 && prev_len) {
			len = prev_len;
			memcpy(buf, prev, len);
			for (i = 0; i < 1 + rng() % 16; i++)
				buf[rng() % len] = (uint8_t)rng();
		}
		LLVMFuzzerTestOneInput(buf, len);
		memcpy(prev, buf, len);
		prev_len = len;
		if (vmm_now_ns() > end)
			break;
	}
	printf("fuzz_vmm: %lu kept inputs, %lu inputs, seed %llu, %llu guest "
	       "errors logged, no crash\n",
	       kept, k, (unsigned long long)seed,
	       (unsigned long long)vmm_log_guest_count());
	return 0;
}
