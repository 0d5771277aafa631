/* SPDX-License-Identifier: BSD-3-Clause
 *
 * bench_firewall.c - what the firewall's process() costs, in TSC cycles
 * per packet, on bursts of 32 frames that stay in memory (no ports, no
 * runner: process() only writes verdicts, so the same mbufs serve every
 * round).  A report, not a test: it asserts only that the verdicts are
 * the expected ones.  Timed with the TSC around each call; the median and
 * the 10th percentile over batches of 1024 packets are printed.
 *
 *   bench_firewall [ROUNDS]     (default 20000 bursts per measurement)
 *
 * Cases:
 *   established-1flow    allow-stateful TCP, 32 segments of one connection
 *   established-32flows  the same, 32 connections per burst (of 1024)
 *   acl-0rules-default   no rule: conn lookup miss + default allow
 *   acl-1000rules-v4     1000 IPv4 rules (/32 sources, ports), stateless
 *                        allow by the last one; 32 flows per burst
 *   acl-1000rules-v6     the same with IPv6
 *   nonip                ARP frames (parse only)
 * and how long `rule add` takes with 100 and 1000 rules in place
 * (BF_REBUILD_MAX=N adds a run with N rules).
 * Run on an idle core.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "vnf/firewall/config.h"
#include "vnf/lib/rcu.h"
#include "tests/unit/firewall/fwt_pkt.h"
#include "vnf/vnf.h"
#include "tests/common/test_eal.h"
#include "tests/common/test_wctx.h"

#define BF_BURST 32
#define BF_FLOWS 1024
#define BF_RULES 1000

static struct rte_mempool *bf_pool;
static struct vnf_emit bf_emit;

static struct vnf_instance *
bf_fw(const struct fw_rule_config *rules, unsigned int n_rules,
      enum fw_rule_action dflt)
{
	struct ctl_iface_config ifc[2];
	struct fw_config fwc;
	struct ctl_vnf_config cfg;
	struct vnf_instance *vi;
	char err[256];

	memset(&cfg, 0, sizeof(cfg));
	memset(ifc, 0, sizeof(ifc));
	snprintf(ifc[0].name, sizeof(ifc[0].name), "in");
	snprintf(ifc[1].name, sizeof(ifc[1].name), "out");
	snprintf(cfg.name, sizeof(cfg.name), "fw");
	snprintf(cfg.type, sizeof(cfg.type), "firewall");
	cfg.ifaces = ifc;
	cfg.n_ifaces = 2;
	memset(&fwc, 0, sizeof(fwc));
	fwc.default_action = dflt;
	fwc.rules = (struct fw_rule_config *)(uintptr_t)rules;
	fwc.n_rules = n_rules;
	fwc.conn_table_size = 65536;
	cfg.priv = &fwc;
	if (vnf_instance_create(&cfg, 0, 1, nfv_rcu(), &vi, err, sizeof(err))) {
		fprintf(stderr, "bench_firewall: %s\n", err);
		exit(1);
	}
	return vi;
}

static struct rte_mbuf *
bf_mbuf(const struct fwt_spec *sp)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(bf_pool);
	struct fwt_frame f;

	if (m == NULL || fwt_build(&f, sp) == 0) {
		fprintf(stderr, "bench_firewall: no frame\n");
		exit(1);
	}
	memcpy(rte_pktmbuf_append(m, f.len), f.b, f.len);
	return m;
}

/* One process() call on a burst that came in by `in`; returns the
 * cycles it took.  All verdicts must be `want`. */
static uint64_t
bf_call(struct vnf_instance *vi, struct rte_mbuf **pkts, uint16_t n,
	uint16_t in, uint16_t want)
{
	struct vnf_burst b = {.pkts = pkts, .n = n, .in_iface = in};
	uint16_t next[BF_BURST], i;
	struct vnf_wctx w;
	uint64_t t0;

	b.next = next;
	nfv_test_vnf_wctx(&w, vi, 0, &bf_emit, bf_pool, rte_rdtsc());
	t0 = rte_rdtsc();
	vi->ops->process(vi, &w, &b);
	t0 = rte_rdtsc() - t0;
	for (i = 0; i < n; i++)
		if (next[i] != want) {
			fprintf(stderr,
				"bench_firewall: verdict %#x, not %#x\n",
				next[i], want);
			exit(1);
		}
	return t0;
}

static int
bf_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * Cycles per packet of `rounds` calls cycling through `sets` bursts, in
 * batches of `sets` calls: the median batch, and the 10th percentile one
 * (a shared machine preempts now and then; that only makes a batch slower,
 * so the low percentile is the cost undisturbed).
 */
struct bf_res {
	double median, p10;
};

static struct bf_res
bf_measure(struct vnf_instance *vi, struct rte_mbuf *(*bursts)[BF_BURST],
	   unsigned int sets, unsigned int rounds, uint16_t in, uint16_t want)
{
	unsigned int nb = RTE_MAX(rounds / sets, 10u), k, i;
	double *r = calloc(nb, sizeof(*r));
	struct bf_res res;

	if (r == NULL)
		exit(1);
	for (i = 0; i < sets * 4; i++) /* warm caches, tables */
		bf_call(vi, bursts[i % sets], BF_BURST, in, want);
	for (k = 0; k < nb; k++) {
		uint64_t cyc = 0;

		for (i = 0; i < sets; i++)
			cyc += bf_call(vi, bursts[i], BF_BURST, in, want);
		r[k] = (double)cyc / ((double)sets * BF_BURST);
	}
	qsort(r, nb, sizeof(r[0]), bf_cmp);
	res.median = r[nb / 2];
	res.p10 = r[nb / 10];
	free(r);
	return res;
}

static void
bf_free(struct rte_mbuf *(*bursts)[BF_BURST], unsigned int sets)
{
	unsigned int i;

	for (i = 0; i < sets; i++)
		rte_pktmbuf_free_bulk(bursts[i], BF_BURST);
}

static struct fwt_spec
bf_tcp(const char *src, uint16_t sp, const char *dst, uint16_t dp,
       uint8_t flags, uint16_t payload)
{
	return (struct fwt_spec){.src = src,
				 .dst = dst,
				 .proto = IPPROTO_TCP,
				 .sport = sp,
				 .dport = dp,
				 .flags = flags,
				 .seq = 1,
				 .ack = 1,
				 .payload = payload,
				 .vlan = -1};
}

static void
bf_report(const char *name, struct bf_res r)
{
	printf("%-22s %8.1f %8.1f\n", name, r.median, r.p10);
	fflush(stdout);
}

/* Open BF_FLOWS connections (SYN, SYN-ACK, ACK), then time bursts of
 * data segments: one flow per burst, or 32 flows per burst. */
static void
bf_established(unsigned int rounds)
{
	static struct rte_mbuf *bursts[BF_FLOWS / BF_BURST][BF_BURST];
	struct fw_rule_config r;
	struct vnf_instance *vi;
	struct rte_mbuf *m[BF_BURST];
	char src[32];
	unsigned int f, i;
	struct fwt_spec s;

	memset(&r, 0, sizeof(r));
	r.action = FW_RULE_ALLOW_STATEFUL;
	r.proto = IPPROTO_TCP;
	r.sport_hi = r.dport_hi = 65535;
	snprintf(r.in_iface, sizeof(r.in_iface), "in");
	vi = bf_fw(&r, 1, FW_RULE_DROP);
	for (f = 0; f < BF_FLOWS; f++) {
		static const uint8_t fl[3] = {
			RTE_TCP_SYN_FLAG, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG,
			RTE_TCP_ACK_FLAG};

		snprintf(src, sizeof(src), "10.0.%u.%u", f >> 8, f & 0xff);
		for (i = 0; i < 3; i++) {
			s = i == 1 ? bf_tcp("192.0.2.1", 80, src,
					    (uint16_t)(10000 + f), fl[i], 0)
				   : bf_tcp(src, (uint16_t)(10000 + f),
					    "192.0.2.1", 80, fl[i], 0);
			m[0] = bf_mbuf(&s);
			bf_call(vi, m, 1, i == 1 ? 1 : 0, i == 1 ? 0 : 1);
			rte_pktmbuf_free(m[0]);
		}
	}
	/* One flow per burst. */
	for (f = 0; f < BF_FLOWS / BF_BURST; f++) {
		snprintf(src, sizeof(src), "10.0.%u.%u", f >> 8, f & 0xff);
		s = bf_tcp(src, (uint16_t)(10000 + f), "192.0.2.1", 80,
			   RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG, 18);
		for (i = 0; i < BF_BURST; i++)
			bursts[f][i] = bf_mbuf(&s);
	}
	bf_report("established-1flow",
		  bf_measure(vi, bursts, BF_FLOWS / BF_BURST, rounds, 0, 1));
	bf_free(bursts, BF_FLOWS / BF_BURST);
	/* 32 flows per burst. */
	for (f = 0; f < BF_FLOWS; f++) {
		snprintf(src, sizeof(src), "10.0.%u.%u", f >> 8, f & 0xff);
		s = bf_tcp(src, (uint16_t)(10000 + f), "192.0.2.1", 80,
			   RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG, 18);
		bursts[f / BF_BURST][f % BF_BURST] = bf_mbuf(&s);
	}
	bf_report("established-32flows",
		  bf_measure(vi, bursts, BF_FLOWS / BF_BURST, rounds, 0, 1));
	bf_free(bursts, BF_FLOWS / BF_BURST);
	vnf_instance_destroy(vi);
}

/* BF_RULES rules: rule i drops TCP from host i to port 1000 + i; the last
 * one allows everything.  Packets: 32 flows per burst that no drop rule
 * matches (the right address with the wrong port), so every packet goes
 * through the whole ACL and meets the last rule. */
static void
bf_acl(unsigned int rounds, bool v6)
{
	static struct rte_mbuf *bursts[BF_FLOWS / BF_BURST][BF_BURST];
	static struct fw_rule_config r[BF_RULES];
	struct vnf_instance *vi;
	char src[64];
	unsigned int i;
	struct fwt_spec s;

	memset(r, 0, sizeof(r));
	for (i = 0; i < BF_RULES; i++) {
		r[i].action = i + 1 == BF_RULES ? FW_RULE_ALLOW : FW_RULE_DROP;
		r[i].sport_hi = r[i].dport_hi = 65535;
		if (i + 1 == BF_RULES)
			break;
		r[i].proto = IPPROTO_TCP;
		r[i].has_src = true;
		r[i].src.family = v6 ? AF_INET6 : AF_INET;
		r[i].src.len = v6 ? 128 : 32;
		if (v6)
			snprintf(src, sizeof(src), "2001:db8::%x", i);
		else
			snprintf(src, sizeof(src), "10.1.%u.%u", i >> 8,
				 i & 0xff);
		inet_pton(v6 ? AF_INET6 : AF_INET, src, r[i].src.addr);
		r[i].dport_lo = r[i].dport_hi = (uint16_t)(1000 + i);
	}
	vi = bf_fw(r, BF_RULES, FW_RULE_DROP);
	for (i = 0; i < BF_FLOWS; i++) {
		unsigned int h = i % (BF_RULES - 1);

		if (v6)
			snprintf(src, sizeof(src), "2001:db8::%x", h);
		else
			snprintf(src, sizeof(src), "10.1.%u.%u", h >> 8,
				 h & 0xff);
		s = bf_tcp(src, (uint16_t)(20000 + i),
			   v6 ? "2001:db8:1::1" : "192.0.2.1", 999,
			   RTE_TCP_ACK_FLAG, 18);
		bursts[i / BF_BURST][i % BF_BURST] = bf_mbuf(&s);
	}
	bf_report(v6 ? "acl-1000rules-v6" : "acl-1000rules-v4",
		  bf_measure(vi, bursts, BF_FLOWS / BF_BURST, rounds, 0, 1));
	bf_free(bursts, BF_FLOWS / BF_BURST);
	vnf_instance_destroy(vi);
}

static void
bf_simple(unsigned int rounds)
{
	static struct rte_mbuf *bursts[BF_FLOWS / BF_BURST][BF_BURST];
	struct vnf_instance *vi = bf_fw(NULL, 0, FW_RULE_ALLOW);
	struct fwt_frame arp;
	unsigned int i;
	struct fwt_spec s;

	for (i = 0; i < BF_FLOWS; i++) {
		s = bf_tcp("10.0.0.1", (uint16_t)(20000 + i), "192.0.2.1", 80,
			   RTE_TCP_ACK_FLAG, 18);
		bursts[i / BF_BURST][i % BF_BURST] = bf_mbuf(&s);
	}
	bf_report("acl-0rules-default",
		  bf_measure(vi, bursts, BF_FLOWS / BF_BURST, rounds, 0, 1));
	bf_free(bursts, BF_FLOWS / BF_BURST);
	memset(&arp, 0, sizeof(arp));
	memset(arp.b, 0xff, 6);
	arp.b[12] = 0x08;
	arp.b[13] = 0x06;
	arp.len = 60;
	for (i = 0; i < BF_BURST; i++) {
		bursts[0][i] = rte_pktmbuf_alloc(bf_pool);
		memcpy(rte_pktmbuf_append(bursts[0][i], arp.len), arp.b,
		       arp.len);
	}
	bf_report("nonip", bf_measure(vi, bursts, 1, rounds, 0, 1));
	bf_free(bursts, 1);
	vnf_instance_destroy(vi);
}

/* How long `rule add` takes with n rules in place: it rebuilds both ACL
 * contexts (n IPv4 rules of the bf_acl() kind) and publishes them. */
static void
bf_rebuild(unsigned int n)
{
	struct fw_rule_config *r = calloc(n, sizeof(*r));
	json_t *args, *reply = NULL;
	struct vnf_instance *vi;
	uint64_t t0, best = UINT64_MAX;
	unsigned int i;
	char src[32];

	if (r == NULL)
		exit(1);
	for (i = 0; i < n; i++) {
		r[i].action = FW_RULE_DROP;
		r[i].proto = IPPROTO_TCP;
		r[i].sport_hi = 65535;
		r[i].dport_lo = r[i].dport_hi = (uint16_t)(1000 + i % 50000);
		r[i].has_src = true;
		r[i].src.family = AF_INET;
		r[i].src.len = 32;
		snprintf(src, sizeof(src), "10.%u.%u.%u", i >> 16,
			 (i >> 8) & 0xff, i & 0xff);
		inet_pton(AF_INET, src, r[i].src.addr);
	}
	vi = bf_fw(r, n, FW_RULE_DROP);
	for (i = 0; i < (n > 10000 ? 1u : 3u); i++) {
		args = json_pack("{s:s, s:s, s:s}", "action", "allow", "proto",
				 "udp", "dst", "192.0.2.0/24");
		t0 = rte_rdtsc();
		if (vnf_verb_call(vi, "rule add", args, &reply) != 0) {
			fprintf(stderr, "bench_firewall: rule add failed\n");
			exit(1);
		}
		t0 = rte_rdtsc() - t0;
		best = RTE_MIN(best, t0);
		json_decref(reply);
		json_decref(args);
		nfv_rcu_reclaim();
	}
	printf("rule add with %5u rules: %8.1f ms (rebuild and publish)\n", n,
	       (double)best * 1e3 / (double)rte_get_tsc_hz());
	vnf_instance_destroy(vi);
	free(r);
}

int
main(int argc, char **argv)
{
	unsigned int rounds = argc > 1 ? (unsigned int)atoi(argv[1]) : 20000;

	if (nfv_test_eal_init(argv[0], "bench-fw", 256) < 0)
		return 1;
	bf_pool = rte_pktmbuf_pool_create("bf_pool", 4095, 0, 0,
					  RTE_MBUF_DEFAULT_BUF_SIZE,
					  (int)rte_socket_id());
	if (bf_pool == NULL || nfv_rcu_init(1) != 0) {
		fprintf(stderr, "bench_firewall: no pool or RCU\n");
		return 1;
	}
	printf("TSC %.2f GHz, bursts of %d, %u bursts per case; TSC cycles "
	       "per packet of process()\n",
	       (double)rte_get_tsc_hz() / 1e9, BF_BURST, rounds);
	printf("%-22s %8s %8s\n", "case", "median", "p10");
	bf_established(rounds);
	bf_simple(rounds);
	bf_acl(rounds, false);
	bf_acl(rounds, true);
	bf_rebuild(100);
	bf_rebuild(1000);
	if (getenv("BF_REBUILD_MAX") != NULL)
		bf_rebuild((unsigned int)atoi(getenv("BF_REBUILD_MAX")));
	nfv_rcu_fini();
	rte_mempool_free(bf_pool);
	nfv_test_eal_fini();
	return 0;
}
