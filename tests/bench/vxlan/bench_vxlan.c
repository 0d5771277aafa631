/* SPDX-License-Identifier: BSD-3-Clause
 *
 * bench_vxlan.c - what the vxlan VNF's process() costs, in TSC cycles per
 * packet, on bursts of 32 frames that stay in memory (no ports, no
 * runner).  Encapsulation prepends the outer headers and decapsulation
 * strips them; between two calls (outside the timing) the same mbufs are
 * put back as they were (adj / prepend: the bytes stay where they are),
 * so every round sees the same frames.  A report, not a test: it checks
 * only that the verdicts are the expected ones.  The median and the 10th
 * percentile over batches of 1024 packets are printed.
 *
 *   bench_vxlan [ROUNDS]     (default 20000 bursts per case)
 *
 * Cases (64-byte inner frames):
 *   encap-v4-1flow     a known unicast to an IPv4 VTEP, one flow
 *   encap-v4-32flows   the same, 32 flows per burst (source ports differ)
 *   encap-v6-1flow     to an IPv6 VTEP (with the UDP checksum)
 *   decap-v4-1flow     VXLAN over IPv4 from a known VTEP, one inner
 *                      source (the FDB entry refreshed, not re-learned)
 *   decap-v4-32macs    32 inner sources per burst
 *   flood-2vteps       broadcasts to a VNI of two VTEPs: a copy each
 *                      (rte_pktmbuf_copy), freed outside the timing
 *   encap-v4-1flow-evpn  encap-v4-1flow on an instance with `evpn:`:
 *                      the source MAC is looked up too and recorded
 *                      local (refreshed, not re-learned)
 *   encap-v4-1flow-geneve, decap-v4-1flow-geneve  the same as the VXLAN
 *                      ones on an instance with `encap: geneve` (its
 *                      header template; decap's checks of its first word)
 * Run on an idle core.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include "control/config.h"
#include "tests/common/test_eal.h"
#include "tests/common/test_wctx.h"
#include "vnf/vnf.h"
#include "vnf/vxlan/vxlan_priv.h"

#define BV_BURST 32
#define BV_BATCH 32 /* bursts per sample: 1024 packets */

static struct rte_mempool *bv_pool;
static struct vnf_emit bv_emit;

/* The instance, with `extra` keys (", key: value"). */
static struct vnf_instance *
bv_new(const char *extra)
{
	static const char base[] =
		"vnfs:\n  - {name: vx, type: vxlan, ifaces: [{name: underlay}, "
		"{name: red, vni: 100}, {name: blue, vni: 200}, {name: green, "
		"vni: 300}], local: [192.0.2.1, \"2001:db8::1\"], mac: "
		"\"02:00:00:00:0a:01\", nexthop_mac: \"02:00:00:00:0a:fe\", "
		"vteps: [{ip: 192.0.2.2, vnis: [100, 300]}, {ip: "
		"\"2001:db8::2\", vnis: [200]}, {ip: 192.0.2.3, vnis: [300]}], "
		"fdb: [{mac: \"02:00:00:00:00:22\", vni: 100, vtep: "
		"192.0.2.2}, {mac: \"02:00:00:00:00:22\", vni: 200, vtep: "
		"\"2001:db8::2\"}]";
	struct ctl_config *cfg = NULL;
	struct vnf_instance *vi = NULL;
	char err[512] = "", yaml[sizeof(base) + 64];

	snprintf(yaml, sizeof(yaml), "%s%s}\n", base, extra);
	if (ctl_config_load_buffer("bench", yaml, strlen(yaml), &cfg, err,
				   sizeof(err)) < 0 ||
	    vnf_instance_create(&cfg->vnfs[0], 0, 1, NULL, &vi, err,
				sizeof(err)) < 0) {
		fprintf(stderr, "bench_vxlan: %s\n", err);
		exit(1);
	}
	ctl_config_free(cfg);
	return vi;
}

/* A 64-byte inner IPv4/UDP frame to dst, from source MAC byte `s`, UDP
 * source port `sport`. */
static void
bv_inner(uint8_t *p, const uint8_t *dst, uint8_t s, uint16_t sport)
{
	memset(p, 0, 64);
	memcpy(p, dst, 6);
	memcpy(p + 6, "\x02\x00\x00\x00\x01", 5);
	p[11] = s;
	p[12] = 0x08;
	p[14] = 0x45;
	p[17] = 50;
	p[22] = 64;
	p[23] = 17;
	memcpy(p + 26, "\x0a\x00\x00\x01\x0a\x00\x00\x02", 8);
	p[34] = (uint8_t)(sport >> 8);
	p[35] = (uint8_t)sport;
	p[37] = 9;
}

/* A VXLAN (geneve: Geneve without options, to 6081) packet from
 * 192.0.2.2 for VNI 100 around a 64-byte inner. */
static void
bv_outer(uint8_t *p, uint8_t s, bool geneve)
{
	static const uint8_t us[6] = {2, 0, 0, 0, 0xa, 1};

	memset(p, 0, 50);
	memcpy(p, us, 6);
	memcpy(p + 6, "\x02\x00\x00\x00\x0b\x02", 6);
	p[12] = 0x08;
	p[14] = 0x45;
	p[17] = 100;
	p[22] = 64;
	p[23] = 17;
	memcpy(p + 26, "\xc0\x00\x02\x02\xc0\x00\x02\x01", 8);
	p[34] = 0xc3;
	p[36] = 0x12;
	p[37] = 0xb5;
	p[39] = 80;
	p[42] = 0x08;
	if (geneve) {
		p[36] = 0x17; /* 6081 */
		p[37] = 0xc1;
		p[42] = 0;
		p[44] = 0x65; /* Transparent Ethernet Bridging */
		p[45] = 0x58;
	}
	p[48] = 100;
	bv_inner(p + 50, (const uint8_t *)"\x02\x00\x00\x00\x00\x0a", s, 7);
}

static int
bv_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

enum bv_kind { BV_ENCAP, BV_DECAP, BV_FLOOD };

static void
bv_case(struct vnf_instance *vi, const char *name, enum bv_kind kind,
	uint16_t in, bool flows, bool macs, unsigned int rounds)
{
	static const uint8_t r[6] = {2, 0, 0, 0, 0, 0x22};
	static const uint8_t bc[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	struct rte_mbuf *pkts[BV_BURST];
	uint16_t next[BV_BURST], want, hl = 0;
	unsigned int n_samples = rounds / BV_BATCH, s, b, i;
	double *samples = calloc(n_samples ? n_samples : 1, sizeof(double));
	struct vnf_wctx w;

	for (i = 0; i < BV_BURST; i++) {
		uint8_t *p;

		pkts[i] = rte_pktmbuf_alloc(bv_pool);
		p = (uint8_t *)rte_pktmbuf_append(pkts[i],
						  kind == BV_DECAP ? 114 : 64);
		if (p == NULL || samples == NULL)
			exit(1);
		if (kind == BV_DECAP)
			bv_outer(p, macs ? (uint8_t)i : 0,
				 ((struct vx *)vi->priv)->geneve);
		else
			bv_inner(p, kind == BV_FLOOD ? bc : r, 0,
				 (uint16_t)(flows ? 1000 + i : 1000));
	}
	want = kind == BV_DECAP ? 1 : 0;
	for (s = 0; s < n_samples; s++) {
		uint64_t cyc = 0;

		for (b = 0; b < BV_BATCH; b++) {
			struct vnf_burst bu = {.pkts = pkts,
					       .next = next,
					       .n = BV_BURST,
					       .in_iface = in};
			uint64_t t0;

			nfv_test_vnf_wctx(&w, vi, 0, &bv_emit, bv_pool,
					  rte_rdtsc());
			t0 = rte_rdtsc();
			vi->ops->process(vi, &w, &bu);
			cyc += rte_rdtsc() - t0;
			for (i = 0; i < BV_BURST; i++) {
				if (next[i] != want) {
					fprintf(stderr,
						"bench_vxlan: %s: verdict %u\n",
						name, next[i]);
					exit(1);
				}
				if (kind == BV_DECAP) {
					/* The outer bytes are still there. */
					rte_pktmbuf_prepend(pkts[i], 50);
				} else {
					hl = (uint16_t)(rte_pktmbuf_pkt_len(
								pkts[i]) -
							64);
					rte_pktmbuf_adj(pkts[i], hl);
				}
			}
			rte_pktmbuf_free_bulk(bv_emit.pkts, bv_emit.n);
			bv_emit.n = 0;
		}
		samples[s] = (double)cyc / (BV_BATCH * BV_BURST);
	}
	qsort(samples, n_samples, sizeof(double), bv_cmp);
	printf("%-22s %8.1f %8.1f\n", name, samples[n_samples / 2],
	       samples[n_samples / 10]);
	rte_pktmbuf_free_bulk(pkts, BV_BURST);
	free(samples);
}

int
main(int argc, char **argv)
{
	unsigned int rounds = argc > 1 ? (unsigned int)atoi(argv[1]) : 20000;
	struct vnf_instance *vi;

	if (rounds < BV_BATCH * 10)
		rounds = BV_BATCH * 10;
	if (nfv_test_eal_init(argv[0], "bench-vxlan", 128) < 0)
		return 1;
	bv_pool = rte_pktmbuf_pool_create("bv", 4095, 0, 0,
					  RTE_MBUF_DEFAULT_BUF_SIZE,
					  (int)rte_socket_id());
	if (bv_pool == NULL)
		return 1;
	vi = bv_new("");
	printf("%-22s %8s %8s   (TSC %.2f GHz, cycles per packet)\n", "case",
	       "median", "p10", (double)rte_get_tsc_hz() / 1e9);
	bv_case(vi, "encap-v4-1flow", BV_ENCAP, 1, false, false, rounds);
	bv_case(vi, "encap-v4-32flows", BV_ENCAP, 1, true, false, rounds);
	bv_case(vi, "encap-v6-1flow", BV_ENCAP, 2, false, false, rounds);
	bv_case(vi, "decap-v4-1flow", BV_DECAP, 0, false, false, rounds);
	bv_case(vi, "decap-v4-32macs", BV_DECAP, 0, false, true, rounds);
	bv_case(vi, "flood-2vteps", BV_FLOOD, 3, false, false, rounds);
	vnf_instance_destroy(vi);
	vi = bv_new(", evpn: {netns: bench}");
	bv_case(vi, "encap-v4-1flow-evpn", BV_ENCAP, 1, false, false, rounds);
	vnf_instance_destroy(vi);
	vi = bv_new(", encap: geneve");
	bv_case(vi, "encap-v4-1flow-geneve", BV_ENCAP, 1, false, false, rounds);
	bv_case(vi, "decap-v4-1flow-geneve", BV_DECAP, 0, false, false,
		rounds);
	vnf_instance_destroy(vi);
	rte_mempool_free(bv_pool);
	nfv_test_eal_fini();
	return 0;
}
