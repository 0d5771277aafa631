/* SPDX-License-Identifier: BSD-3-Clause
 *
 * fuzz_ctl_driver.c - a bounded random-mutation fuzzer for the control
 * request path, for compilers without libFuzzer (gcc) and for CI's 'fuzz'
 * suite.  Seeds are valid and invalid request streams; each round mutates
 * one (bit flips, byte edits, JSON tokens, newlines, splices, blow-ups past
 * the 64 KiB request cap) and runs it through ctl_fuzz_one(), which aborts
 * on a bad reply, a hang or a limit the telemetry shaper breaks.
 *
 *   fuzz_ctl_driver [ROUNDS [SECONDS [SEED [CORPUS_DIR...]]]]
 *                                          (defaults 4000, 20, time)
 *
 * Every file of the CORPUS_DIRs (the corpus a libFuzzer campaign kept,
 * docs/reliability.md) runs first, as it is.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tests/fuzz/common/fuzz_corpus.h"
#include "tests/fuzz/ctl/ctl_fuzz.h"

#define MAX_INPUT (80 * 1024)

static const char *const seeds[] = {
	"{\"cmd\":\"help\"}\n",
	"{\"cmd\":\"echo\",\"x\":[1,2,{\"a\":null,\"b\":-1.5e3}],\"s\":\"\\u00e9\"}\n",
	"{\"cmd\":\"echo\",\"deep\":{\"a\":{\"b\":{\"c\":[[1],[\"x\",true]]}}}}\n{\"cmd\":\"help\"}\n",
	"{\"cmd\":\"fail\",\"why\":\"because\"}\n{\"cmd\":\"nope\"}\n",
	"{\"cmd\":\"big\",\"n\":300}\n",
	"{\"cmd\":\"show vnf\",\"name\":\"sw\"}",
	"{\"cmd\":\"show vnf\",\"name\":5}\r\n\n\n",
	"[1,2]\n{}\n\"cmd\"\nnull\n{\"cmd\":null}\n",
	"{\"cmd\":\"echo\",\"k-e.y\":\"v\\\"q\\\\\",\"n\":18446744073709551615}\n",
	"\x00\x01\xff{\n",
};

static const char *const tokens[] = {
	"{", "}", "[", "]", ":", ",", "\"", "\"cmd\"", "\"echo\"", "\"big\"",
	"\"help\"", "null", "true", "false", "0", "-1", "1e999", "-0.0",
	"\"\\u0000\"", "\"\\ud800\"", "\\", "\xff", "\xc3", "\r\n", "\n", " ",
	"{\"cmd\":\"echo\",\"v\":", "\"n\":20000",
};

static uint64_t rng_state;

/* splitmix64: small, good enough, reproducible from the printed seed. */
static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static size_t rnd_below(size_t n)
{
	return n ? (size_t)(rnd() % n) : 0;
}

/* Insert n bytes from p (which may point into buf) at buf[at]. */
static size_t insert(uint8_t *buf, size_t len, size_t at, const void *p,
		     size_t n)
{
	static uint8_t tmp[MAX_INPUT];

	if (len + n > MAX_INPUT)
		n = MAX_INPUT - len;
	memcpy(tmp, p, n);
	memmove(buf + at + n, buf + at, len - at);
	memcpy(buf + at, tmp, n);
	return len + n;
}

static size_t mutate(uint8_t *buf, size_t len)
{
	int steps = 1 + (int)rnd_below(4);
	size_t at, n;

	while (steps-- > 0) {
		at = rnd_below(len + 1);
		switch (rnd_below(9)) {
		case 0: /* flip a bit */
			if (len)
				buf[rnd_below(len)] ^= 1u << rnd_below(8);
			break;
		case 1: /* set a byte */
			if (len)
				buf[rnd_below(len)] = (uint8_t)rnd();
			break;
		case 2: /* insert a token */
		{
			const char *t = tokens[rnd_below(sizeof(tokens) / sizeof(tokens[0]))];

			len = insert(buf, len, at, t, strlen(t));
			break;
		}
		case 3: /* delete a range */
			if (at < len) {
				n = 1 + rnd_below(len - at < 16 ? len - at : 16);
				memmove(buf + at, buf + at + n, len - at - n);
				len -= n;
			}
			break;
		case 4: /* duplicate a range */
			if (at < len) {
				n = 1 + rnd_below(len - at);
				len = insert(buf, len, rnd_below(len + 1), buf + at, n);
			}
			break;
		case 5: /* a newline: split a request */
			len = insert(buf, len, at, "\n", 1);
			break;
		case 6: /* splice in another seed */
		{
			const char *s = seeds[rnd_below(sizeof(seeds) / sizeof(seeds[0]))];

			len = insert(buf, len, at, s, strlen(s));
			break;
		}
		case 7: /* truncate: the client goes away mid-request */
			len = at;
			break;
		case 8: /* rarely, blow past the 64 KiB request cap */
			if (rnd_below(16) == 0) {
				while (len > 0 && len < 70000)
					len = insert(buf, len, len, buf,
						     len < 70000 - len ? len : 70000 - len);
			}
			break;
		}
	}
	return len;
}

static void
replay_one(const uint8_t *data, size_t len, void *arg)
{
	(void)arg;
	ctl_fuzz_one(data, len);
}

int main(int argc, char **argv)
{
	unsigned long rounds = argc > 1 ? strtoul(argv[1], NULL, 0) : 4000;
	unsigned long seconds = argc > 2 ? strtoul(argv[2], NULL, 0) : 20;
	uint64_t seed = argc > 3 ? strtoull(argv[3], NULL, 0) :
			(uint64_t)time(NULL) ^ ((uint64_t)clock() << 32);
	static uint8_t buf[MAX_INPUT];
	unsigned long i, big = 0, kept = 0;
	int a, rc;
	size_t len, n_seeds = sizeof(seeds) / sizeof(seeds[0]);
	time_t start = time(NULL);

	printf("fuzz_ctl_driver: %lu rounds, at most %lu s, seed %llu "
	       "(rerun: %s %lu %lu %llu)\n", rounds, seconds,
	       (unsigned long long)seed, argv[0], rounds, seconds,
	       (unsigned long long)seed);
	fflush(stdout);
	rng_state = seed;
	if (ctl_fuzz_setup() != 0) {
		fprintf(stderr, "fuzz_ctl_driver: cannot open the control socket\n");
		return 1;
	}
	/* The kept corpus, the seeds as they are, then mutants. */
	for (a = 4; a < argc; a++) {
		rc = fz_corpus_each(argv[a], MAX_INPUT, replay_one, NULL);
		if (rc < 0) {
			ctl_fuzz_teardown();
			return 1;
		}
		kept += (unsigned long)rc;
	}
	for (i = 0; i < n_seeds; i++)
		ctl_fuzz_one((const uint8_t *)seeds[i], strlen(seeds[i]));
	for (i = 0; i < rounds; i++) {
		const char *s = seeds[rnd_below(n_seeds)];

		if ((unsigned long)(time(NULL) - start) >= seconds)
			break;
		len = strlen(s);
		memcpy(buf, s, len);
		len = mutate(buf, len);
		big += len > 64 * 1024;
		ctl_fuzz_one(buf, len);
	}
	ctl_fuzz_teardown();
	printf("fuzz_ctl_driver: %lu kept inputs, %lu inputs (%lu over 64 KiB) "
	       "in %ld s, no failure\n",
	       kept, i + n_seeds, big, (long)(time(NULL) - start));
	return 0;
}
