/* SPDX-License-Identifier: BSD-3-Clause
 *
 * vnf_driver.c - a bounded, reproducible fuzz run of a harness for the
 * 'fuzz' suite: first every input of the corpus folders a libFuzzer
 * campaign kept (docs/reliability.md), then random programs from a
 * fixed-seed generator, fed to the same harness as the libFuzzer target,
 * until N frames (or whatever the harness counts) went in.  Shared by the
 * harnesses of fuzz_vnf.h (tests/fuzz/<vnf>, chain, telemetry,
 * routefile).
 *
 *   fuzz_<name>_driver [FRAMES [SEED [CORPUS_DIR...]]]   (200000, 1)
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <libgen.h>

#include "tests/fuzz/common/fuzz_corpus.h"
#include "tests/fuzz/common/fuzz_vnf.h"

#define FZ_CHUNK 4096
/* Kept inputs are cut where the campaigns' -max_len cut them (at most). */
#define FZ_REPLAY_MAX 65536

/* xorshift64*: small, fast, and the same everywhere. */
static uint64_t
fz_rand(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * UINT64_C(2685821657736338717);
}

/* One kept input, as libFuzzer would run it. */
static void
fz_replay_one(const uint8_t *data, size_t len, void *arg)
{
	unsigned long long *frames = arg;

	*frames += fz_run(data, len);
}

int
main(int argc, char **argv)
{
	unsigned long long want =
		argc > 1 ? strtoull(argv[1], NULL, 0) : 200000;
	uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 0) : 1;
	static uint8_t buf[FZ_CHUNK];
	unsigned long long frames = 0, inputs = 0;
	const char *prog = basename(argv[0]);
	struct timespec t0, t1;
	int rc, i;

	if (fz_init(argv[0]) < 0) {
		fprintf(stderr, "%s: set-up failed\n", prog);
		return 1;
	}
	seed = seed * UINT64_C(0x9e3779b97f4a7c15) + 1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 3; i < argc; i++) {
		unsigned long long before = frames;

		rc = fz_corpus_each(argv[i], FZ_REPLAY_MAX, fz_replay_one,
				    &frames);
		if (rc < 0) {
			fz_fini();
			return 1;
		}
		printf("%s: %s: %d inputs replayed, %llu frames\n", prog,
		       argv[i], rc, frames - before);
	}
	while (frames < want) {
		/* Inputs of varied size, so that some end mid-frame. */
		size_t len = 16 + fz_rand(&seed) % (FZ_CHUNK - 16), j;

		for (j = 0; j < len; j++)
			buf[j] = (uint8_t)(fz_rand(&seed) >> 56);
		frames += fz_run(buf, len);
		inputs++;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("%s: %llu frames in %llu inputs, %.2f s\n", prog, frames, inputs,
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
