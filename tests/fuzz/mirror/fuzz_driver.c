/* SPDX-License-Identifier: BSD-3-Clause
 *
 * fuzz_driver.c - a plain (no libFuzzer) driver for fuzz_mirror_nl.c, so
 * the 'fuzz' suite fuzzes the netlink parsers with any compiler.
 *
 *   fuzz_mirror_nl_driver CORPUS_DIR [ITERATIONS [SEED]]
 *
 * Runs every file of CORPUS_DIR (netlink messages back to back: the
 * seeds made by make_corpus.py and the inputs the libFuzzer campaigns
 * kept, docs/reliability.md) as is, then ITERATIONS mutants (default 50000)
 * of randomly chosen seeds: bit flips, bytes set to values that sit on
 * the parsers' edges (0, 1, 0x7f, 0x80, 0xff, ...), little-endian 16/32-bit
 * lengths rewritten, ranges deleted or repeated, seeds spliced, cuts.  A
 * fixed seed makes a failure reproducible; a crash or a broken contract
 * aborts.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SEEDS_MAX 1024
#define INPUT_MAX 8192

struct seed {
	uint8_t *data;
	size_t len;
};

static uint64_t rng_state;

/* xorshift64*: the same sequence on every machine. */
static uint64_t
rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ull;
}

static size_t
rng_below(size_t n)
{
	return n ? (size_t)(rng() % n) : 0;
}

static const uint8_t edges[] = {0,  1,	2,  3,	4,  7,	 8,   9,   15,	16,
				17, 24, 32, 33, 64, 127, 128, 129, 254, 255};

static void
mutate(uint8_t *buf, size_t *len, const struct seed *seeds, size_t n_seeds)
{
	unsigned int k, n = 1 + (unsigned int)rng_below(6);

	for (k = 0; k < n; k++) {
		size_t l = *len, pos = rng_below(l + 1), cnt;

		switch (rng_below(8)) {
		case 0: /* flip a bit */
			if (l)
				buf[rng_below(l)] ^=
					(uint8_t)(1u << rng_below(8));
			break;
		case 1: /* an edge value */
			if (l)
				buf[rng_below(l)] =
					edges[rng_below(sizeof(edges))];
			break;
		case 2: { /* a 16-bit length (nla_len, rtnh_len) */
			uint16_t v = (uint16_t)(rng_below(2) ? rng_below(64)
							     : rng());

			if (l >= 2) {
				pos = rng_below(l - 1) & ~(size_t)1;
				memcpy(buf + pos, &v, 2);
			}
			break;
		}
		case 3: { /* a 32-bit length (nlmsg_len) or index */
			uint32_t v = (uint32_t)(rng_below(2) ? rng_below(256)
							     : rng());

			if (l >= 4) {
				pos = rng_below(l - 3) & ~(size_t)3;
				memcpy(buf + pos, &v, 4);
			}
			break;
		}
		case 4: /* delete a range */
			cnt = rng_below(l - pos + 1);
			if (cnt > 32)
				cnt = rng_below(32);
			memmove(buf + pos, buf + pos + cnt, l - pos - cnt);
			*len = l - cnt;
			break;
		case 5: { /* repeat a range */
			size_t from = rng_below(l + 1);

			cnt = rng_below(l - from + 1);
			if (l + cnt > INPUT_MAX || !cnt)
				break;
			memmove(buf + pos + cnt, buf + pos, l - pos);
			memmove(buf + pos,
				buf + (from < pos ? from : from + cnt), cnt);
			*len = l + cnt;
			break;
		}
		case 6: { /* splice in a range of another seed */
			const struct seed *s = &seeds[rng_below(n_seeds)];
			size_t from = rng_below(s->len + 1);

			cnt = rng_below(s->len - from + 1);
			if (l + cnt > INPUT_MAX)
				break;
			memmove(buf + pos + cnt, buf + pos, l - pos);
			memcpy(buf + pos, s->data + from, cnt);
			*len = l + cnt;
			break;
		}
		default: /* cut */
			*len = pos;
			break;
		}
	}
}

static size_t
load_seeds(const char *dir, struct seed *seeds)
{
	struct dirent **names;
	size_t n = 0;
	int i, cnt;

	/* Sorted, so a seed number means the same file everywhere. */
	cnt = scandir(dir, &names, NULL, alphasort);
	if (cnt < 0) {
		perror(dir);
		return 0;
	}
	for (i = 0; i < cnt; i++) {
		char path[4096];
		FILE *f = NULL;
		long len;

		if (n < SEEDS_MAX && names[i]->d_name[0] != '.' &&
		    names[i]->d_type != DT_DIR) {
			snprintf(path, sizeof(path), "%s/%s", dir,
				 names[i]->d_name);
			f = fopen(path, "rb");
		}
		if (f && !fseek(f, 0, SEEK_END) && (len = ftell(f)) >= 0 &&
		    len <= INPUT_MAX && !fseek(f, 0, SEEK_SET)) {
			seeds[n].data = malloc((size_t)len + 1);
			if (seeds[n].data &&
			    fread(seeds[n].data, 1, (size_t)len, f) ==
				    (size_t)len) {
				seeds[n].len = (size_t)len;
				n++;
			} else {
				free(seeds[n].data);
			}
		}
		if (f)
			fclose(f);
		free(names[i]);
	}
	free(names);
	return n;
}

int
main(int argc, char **argv)
{
	static struct seed seeds[SEEDS_MAX];
	unsigned long iters = 50000, i;
	size_t n, k, len;
	uint8_t *buf;
	clock_t t0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s CORPUS_DIR [ITERATIONS [SEED]]\n",
			argv[0]);
		return 2;
	}
	if (argc > 2)
		iters = strtoul(argv[2], NULL, 0);
	rng_state =
		argc > 3 ? strtoull(argv[3], NULL, 0) : 0x6e6c6d6972726f72ull;
	if (!rng_state)
		rng_state = 1;
	n = load_seeds(argv[1], seeds);
	if (!n) {
		fprintf(stderr, "%s: no seeds\n", argv[1]);
		return 1;
	}
	buf = malloc(INPUT_MAX);
	if (!buf)
		return 1;

	t0 = clock();
	for (k = 0; k < n; k++)
		LLVMFuzzerTestOneInput(seeds[k].data, seeds[k].len);
	for (i = 0; i < iters; i++) {
		const struct seed *s = &seeds[rng_below(n)];

		memcpy(buf, s->data, s->len);
		len = s->len;
		mutate(buf, &len, seeds, n);
		LLVMFuzzerTestOneInput(buf, len);
	}
	printf("fuzz_mirror_nl: %zu seeds and %lu mutants, no crash and no "
	       "broken contract, %.1f s\n",
	       n, iters, (double)(clock() - t0) / CLOCKS_PER_SEC);
	free(buf);
	for (k = 0; k < n; k++)
		free(seeds[k].data);
	return 0;
}
