/* SPDX-License-Identifier: BSD-3-Clause
 *
 * fuzz_driver.c - a plain (no libFuzzer) driver for fuzz_config.c, so the
 * 'fuzz' suite fuzzes the config loader with any compiler.
 *
 *   fuzz_config_driver CORPUS_DIR [ITERATIONS [SEED]]
 *
 * Runs every file of CORPUS_DIR as is (the seeds and the corpus kept by
 * the libFuzzer campaigns, docs/reliability.md), then ITERATIONS mutants
 * (default 20000) of randomly chosen seeds: bit flips, byte edits, deleted,
 * repeated or spliced ranges, and YAML/schema tokens inserted.  A fixed
 * seed makes a failure reproducible; a crash or a broken contract aborts.
 * Build with -Db_sanitize=address,undefined to catch leaks and UB too.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SEEDS_MAX 1024
#define INPUT_MAX (64 * 1024)

struct seed {
	uint8_t *data;
	size_t len;
};

static uint64_t rng_state;

/* xorshift64*: fast, and the same sequence on every machine. */
static uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ull;
}

static size_t rng_below(size_t n)
{
	return n ? (size_t)(rng() % n) : 0;
}

/* Tokens that steer mutants into the schema's corners. */
static const char *const tokens[] = {
	"\n", "\n  ", "\n    ", "- ", ": ", ", ", "[", "]", "{", "}", "\"",
	"'", "#", "&a ", "*a", "---\n", "~", "null", "!!str ", "? ", "|\n",
	"dataplane", "control", "ports", "vnfs", "links", "guests", "name",
	"type", "path", "mode", "queues", "ring_size", "ifname", "netns", "rx",
	"tx", "address", "mac", "workers", "memory", "hugepages", "lcores",
	"file_prefix", "mbufs", "socket", "ifaces", "mtu", "vlan", "trunk",
	"mac_table_size", "aging_time", "static_macs", "routes", "neighbors",
	"default", "rules", "conn_table_size", "prefix", "via", "iface",
	"nexthops", "ip", "action", "proto", "src", "dst", "sport", "dport",
	"vhost-user", "virtio-user", "pcap", "tap", "af_packet", "af_xdp",
	"pci", "l2switch", "router", "firewall", "server", "client",
	"blackhole", "unreachable", "allow-stateful", "reject", "icmpv6",
	"0", "1", "-1", "64", "4094", "4095", "65535", "65536", "16M",
	"4294967296", "18446744073709551616", "0.0.0.0/0", "10.0.0.1/24",
	"10.0.0.0/33", "::/0", "2001:db8::1/64", "fe80::1", "::ffff:1.2.3.4",
	"02:00:00:00:00:01", "01:00:5e:00:00:01", "0000:01:00.0", "1-2",
	"sw.a", "sw.", ".a", "a.b.c",
};

static void mutate(uint8_t *buf, size_t *len, const struct seed *seeds,
		   size_t n_seeds)
{
	unsigned int k, n = 1 + (unsigned int)rng_below(8);

	for (k = 0; k < n; k++) {
		size_t l = *len, pos = rng_below(l + 1), cnt;

		switch (rng_below(7)) {
		case 0: /* flip a bit */
			if (l)
				buf[rng_below(l)] ^= (uint8_t)(1u << rng_below(8));
			break;
		case 1: /* any byte */
			if (l)
				buf[rng_below(l)] = (uint8_t)rng();
			break;
		case 2: /* delete a range */
			cnt = rng_below(l - pos + 1);
			if (cnt > 64)
				cnt = rng_below(64);
			memmove(buf + pos, buf + pos + cnt, l - pos - cnt);
			*len = l - cnt;
			break;
		case 3: { /* insert a token */
			const char *t = tokens[rng_below(sizeof(tokens) /
						       sizeof(tokens[0]))];
			cnt = strlen(t);
			if (l + cnt > INPUT_MAX)
				break;
			memmove(buf + pos + cnt, buf + pos, l - pos);
			memcpy(buf + pos, t, cnt);
			*len = l + cnt;
			break;
		}
		case 4: { /* repeat a range of the input */
			size_t from = rng_below(l + 1);

			cnt = rng_below(l - from + 1);
			if (l + cnt > INPUT_MAX || !cnt)
				break;
			memmove(buf + pos + cnt, buf + pos, l - pos);
			memmove(buf + pos, buf + (from < pos ? from :
						  from + cnt), cnt);
			*len = l + cnt;
			break;
		}
		case 5: { /* splice in a range of another seed */
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
		default: /* truncate */
			*len = pos;
			break;
		}
	}
}

static size_t load_seeds(const char *dir, struct seed *seeds)
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
		FILE *f;
		long len;

		if (n < SEEDS_MAX && names[i]->d_name[0] != '.' &&
		    names[i]->d_type != DT_DIR) {
			snprintf(path, sizeof(path), "%s/%s", dir,
				 names[i]->d_name);
			f = fopen(path, "rb");
			if (f && !fseek(f, 0, SEEK_END) &&
			    (len = ftell(f)) >= 0 && len <= INPUT_MAX &&
			    !fseek(f, 0, SEEK_SET)) {
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
		}
		free(names[i]);
	}
	free(names);
	return n;
}

int main(int argc, char **argv)
{
	static struct seed seeds[SEEDS_MAX];
	unsigned long iters = 20000, i;
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
	rng_state = argc > 3 ? strtoull(argv[3], NULL, 0) : 0x6e66766463666721ull;
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
	printf("fuzz_config: %zu seeds and %lu mutants, no crash and no broken "
	       "contract, %.1f s\n", n, iters,
	       (double)(clock() - t0) / CLOCKS_PER_SEC);

	free(buf);
	for (k = 0; k < n; k++)
		free(seeds[k].data);
	return 0;
}
