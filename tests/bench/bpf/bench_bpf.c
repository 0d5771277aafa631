/* SPDX-License-Identifier: BSD-3-Clause
 *
 * bench_bpf.c - what the bpf VNF's programs cost, in TSC cycles per
 * packet: each example of configs/bpf/ (and a 3-instruction program, the
 * floor), JIT and interpreter, twice:
 *   prog    the program alone on a context in memory (vnf_bpf_prog_run())
 *   vnf     the VNF's process() on bursts of 32 mbufs that stay in memory
 *           (the context written into each frame's headroom, the verdicts)
 * A report, not a test.  Timed with the TSC around batches of 1024
 * packets; the median and the 10th percentile over the batches are
 * printed.  The frames: IPv4 UDP and TCP to the ports the programs look
 * for and others, 64 bytes.
 *
 *   bench_bpf [ROUNDS]      (default 2000 batches per measurement)
 *
 * Run on an idle core.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "control/config.h"
#include "tests/common/test_eal.h"
#include "vnf/bpf/config.h"
#include "vnf/bpf/prog.h"
#include "vnf/vnf.h"

#define BB_BATCH 1024
#define BB_BURST 32

static struct rte_mempool *bb_pool;
static struct vnf_emit bb_emit;

struct bb_prog {
	const char *file, *section;
	uint16_t n_ifaces;
};

static const struct bb_prog bb_progs[] = {
	{BB_EX_DIR "/port_classifier.o", NULL, 4},
	{BB_EX_DIR "/dns_filter.o", NULL, 2},
	{BB_EX_DIR "/rate_sampler.o", NULL, 2},
	{BB_EX_DIR "/l2_guard.o", NULL, 2},
	{BB_TEST_DIR "/two.o", "nfvd/one", 3},
};

/* A 64-byte IPv4 frame: UDP or TCP to dport. */
static void
bb_frame(uint8_t *b, unsigned int i)
{
	static const uint16_t dports[] = {53, 80, 443, 9, 1234, 53, 80, 5353};
	uint16_t dport = dports[i % 8];

	memset(b, 0, 64);
	memcpy(b, "\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00\x45", 15);
	b[23] = (i & 8) ? 6 : 17;
	b[26] = 10;
	b[30] = 192;
	b[36] = (uint8_t)(dport >> 8);
	b[37] = (uint8_t)dport;
}

static int
bb_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void
bb_report(const char *what, const char *file, double *s, unsigned int n)
{
	const char *base = strrchr(file, '/');

	qsort(s, n, sizeof(*s), bb_cmp);
	printf("%-20s %-6s %8.1f %8.1f\n", base ? base + 1 : file, what,
	       s[n / 2], s[n / 10]);
}

/* The program alone, on BB_BATCH contexts in memory. */
static void
bb_prog(const struct bb_prog *bp, bool jit, unsigned int rounds, double *s)
{
	struct nfv_bpf_ctx *ctx;
	struct vnf_bpf_prog *p;
	char err[512];
	unsigned int r, i;
	uint64_t t, sink = 0;

	if (vnf_bpf_prog_load(bp->file, bp->section, jit, &p, err,
			      sizeof(err)) < 0) {
		fprintf(stderr, "bench_bpf: %s\n", err);
		exit(1);
	}
	ctx = rte_zmalloc("bb_ctx", sizeof(*ctx) * 64, 64);
	if (ctx == NULL)
		exit(1);
	for (i = 0; i < 64; i++) {
		bb_frame(ctx[i].data, i);
		ctx[i].len = 64;
		ctx[i].pkt_len = 64;
		ctx[i].n_ifaces = bp->n_ifaces;
	}
	vnf_bpf_prog_bind(p, 0);
	for (r = 0; r < rounds; r++) {
		t = rte_rdtsc_precise();
		for (i = 0; i < BB_BATCH; i++)
			sink += vnf_bpf_prog_run(p, &ctx[i & 63]);
		s[r] = (double)(rte_rdtsc_precise() - t) / BB_BATCH;
	}
	if (sink == 1)
		printf("(sink)\n");
	bb_report(jit ? "prog-jit" : "prog-int", bp->file, s, rounds);
	rte_free(ctx);
	vnf_bpf_prog_free(p);
}

/* process() of a VNF on bursts of 32 mbufs. */
static void
bb_vnf(const struct bb_prog *bp, bool jit, unsigned int rounds, double *s)
{
	struct rte_mbuf *pkts[BB_BURST];
	struct ctl_iface_config ifc[4];
	uint16_t next[BB_BURST];
	struct vnf_bpf_config bc = {
		.program = (char *)(uintptr_t)bp->file,
		.section = (char *)(uintptr_t)bp->section,
		.jit = jit,
	};
	struct ctl_vnf_config cfg = {.priv = &bc};
	struct vnf_instance *vi;
	struct vnf_wctx w;
	struct vnf_burst b;
	char err[512];
	unsigned int r, i, k;
	uint64_t t;

	memset(ifc, 0, sizeof(ifc));
	for (i = 0; i < bp->n_ifaces; i++)
		snprintf(ifc[i].name, sizeof(ifc[i].name), "i%u", i);
	snprintf(cfg.name, sizeof(cfg.name), "b");
	snprintf(cfg.type, sizeof(cfg.type), "bpf");
	cfg.ifaces = ifc;
	cfg.n_ifaces = bp->n_ifaces;
	if (vnf_instance_create(&cfg, 0, 1, NULL, &vi, err, sizeof(err)) < 0) {
		fprintf(stderr, "bench_bpf: %s\n", err);
		exit(1);
	}
	for (i = 0; i < BB_BURST; i++) {
		pkts[i] = rte_pktmbuf_alloc(bb_pool);
		if (pkts[i] == NULL)
			exit(1);
		bb_frame((uint8_t *)rte_pktmbuf_append(pkts[i], 64), i);
	}
	w = (struct vnf_wctx){.state = vi->slots[0].state,
			      .counters = vi->slots[0].counters,
			      .emit = &bb_emit,
			      .pool = bb_pool};
	b = (struct vnf_burst){.pkts = pkts, .next = next, .n = BB_BURST};
	for (r = 0; r < rounds; r++) {
		t = rte_rdtsc_precise();
		for (k = 0; k < BB_BATCH / BB_BURST; k++)
			vi->ops->process(vi, &w, &b);
		s[r] = (double)(rte_rdtsc_precise() - t) / BB_BATCH;
	}
	bb_report(jit ? "vnf-jit" : "vnf-int", bp->file, s, rounds);
	rte_pktmbuf_free_bulk(pkts, BB_BURST);
	vnf_instance_destroy(vi);
}

int
main(int argc, char **argv)
{
	unsigned int rounds = argc > 1 ? (unsigned int)atoi(argv[1]) : 2000;
	unsigned int i;
	double *s;

	if (rounds < 10)
		rounds = 10;
	if (nfv_test_eal_init(argv[0], "bench-bpf", 128) < 0)
		return 1;
	bb_pool = rte_pktmbuf_pool_create("bb_pool", 1023, 0, 0,
					  RTE_MBUF_DEFAULT_BUF_SIZE,
					  (int)rte_socket_id());
	s = calloc(rounds, sizeof(*s));
	if (bb_pool == NULL || s == NULL)
		return 1;
	printf("TSC %.2f GHz; cycles per packet: median, 10th percentile\n",
	       (double)rte_get_tsc_hz() / 1e9);
	printf("%-20s %-6s %8s %8s\n", "program", "run", "median", "p10");
	for (i = 0; i < RTE_DIM(bb_progs); i++) {
		bb_prog(&bb_progs[i], true, rounds, s);
		bb_prog(&bb_progs[i], false, rounds, s);
		bb_vnf(&bb_progs[i], true, rounds, s);
		bb_vnf(&bb_progs[i], false, rounds, s);
	}
	free(s);
	rte_mempool_free(bb_pool);
	nfv_test_eal_fini();
	return 0;
}
