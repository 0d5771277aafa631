/* SPDX-License-Identifier: BSD-3-Clause
 *
 * test_vxlan.c - the vxlan VNF (vnf/vxlan): config keys with their
 * errors; encapsulation over IPv4 and IPv6 checked byte by byte; the
 * inner flow hash behind the source port; head-end replication; the FDB
 * (static, learned, moved); decapsulation and each of its drop reasons;
 * the ARP answer for the local VTEP; and the verbs.  Geneve (encap:
 * geneve): its config, its header byte by byte, and its decap checks.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>
#include <jansson.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "control/config.h"
#include "tests/common/test_eal.h"
#include "vnf/vnf.h"
#include "vnf/vxlan/evpn.h"
#include "vnf/vxlan/vxlan_priv.h"

#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

enum { UNDER, RED, BLUE };

static struct rte_mempool *pool;
static struct vnf_emit emit;

static const uint8_t MAC_US[6] = {2, 0, 0, 0, 0xa, 1};
static const uint8_t MAC_T2[6] = {2, 0, 0, 0, 0xb, 2};
static const uint8_t MAC_T3[6] = {2, 0, 0, 0, 0xb, 3};
static const uint8_t MAC_NH[6] = {2, 0, 0, 0, 0xa, 0xfe};
static const uint8_t VM_A[6] = {2, 0, 0, 0, 0, 0xa};  /* local VM */
static const uint8_t VM_R[6] = {2, 0, 0, 0, 0, 0x22}; /* static, at .2 */
static const uint8_t VM_X[6] = {2, 0, 0, 0, 0, 0x99}; /* learned */
static const uint8_t BCAST[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

#define HEAD                                                                   \
	"vnfs:\n  - {name: vx, type: vxlan, ifaces: [{name: underlay}, "       \
	"{name: red, vni: 100}, {name: blue, vni: 200}], "                     \
	"local: [192.0.2.1, \"2001:db8::1\"], mac: \"02:00:00:00:0a:01\""

#define FULL                                                                   \
	", nexthop_mac: \"02:00:00:00:0a:fe\", "                               \
	"vteps: [{ip: 192.0.2.2, mac: \"02:00:00:00:0b:02\", "                 \
	"vnis: [100, 200]}, {ip: 192.0.2.3, mac: \"02:00:00:00:0b:03\", "      \
	"vnis: [100]}, {ip: \"2001:db8::2\", vnis: [200]}]"
#define FDB100                                                                 \
	", fdb: [{mac: \"02:00:00:00:00:22\", vni: 100, vtep: 192.0.2.2}]"

static struct ctl_config *
load(const char *yaml, char *err, size_t len)
{
	struct ctl_config *cfg = NULL;

	if (ctl_config_load_buffer("t.yaml", yaml, strlen(yaml), &cfg, err,
				   len) < 0)
		return NULL;
	return cfg;
}

static void
load_fails(const char *keys, const char *want)
{
	char yaml[1024], err[512] = "";

	snprintf(yaml, sizeof(yaml), HEAD "%s}\n", keys);
	assert_null(load(yaml, err, sizeof(err)));
	if (!strstr(err, want))
		fail_msg("error \"%s\" lacks \"%s\"", err, want);
}

static void
test_config(void **state)
{
	const struct vx_config *xc;
	struct ctl_config *cfg;
	char err[512] = "";

	(void)state;
	cfg = load(HEAD FULL FDB100 "}\n", err, sizeof(err));
	if (!cfg)
		fail_msg("%s", err);
	xc = cfg->vnfs[0].priv;
	assert_int_equal(xc->vni[RED], 100);
	assert_int_equal(xc->vni[BLUE], 200);
	assert_true(xc->has_local4 && xc->has_local6);
	assert_int_equal(xc->udp_port, 4789);
	assert_int_equal(xc->mtu, 1500);
	assert_int_equal(xc->fdb_size, 65536);
	assert_int_equal(xc->aging_time, 300);
	assert_int_equal(xc->n_vteps, 3);
	assert_int_equal(xc->vteps[0].n_vnis, 2);
	assert_false(xc->vteps[2].has_mac);
	assert_int_equal(xc->n_fdb, 1);
	ctl_config_free(cfg);

	load_fails(", udp_port: 0", "vnfs[0].udp_port: 0 is out of range");
	load_fails(", mtu: 20", "vnfs[0].mtu: 20 is out of range 68..65535");
	load_fails(", vteps: [{ip: 192.0.2.2}]",
		   "vnfs[0].vteps[0].mac: missing: give the underlay next hop");
	load_fails(", vteps: [{ip: 192.0.2.1, mac: \"02:00:00:00:00:01\"}]",
		   "vnfs[0].vteps[0].ip: 192.0.2.1 is this VTEP's own address");
	load_fails(", nexthop_mac: \"02:00:00:00:00:01\", vteps: [{ip: "
		   "192.0.2.2}, {ip: 192.0.2.2}]",
		   "vnfs[0].vteps[1].ip: 192.0.2.2 is already vteps[0]");
	load_fails(", nexthop_mac: \"02:00:00:00:00:01\", vteps: [{ip: "
		   "192.0.2.2, vnis: [100, 300]}]",
		   "vnfs[0].vteps[0].vnis[1]: VNI 300 is not the vni of any "
		   "iface");
	load_fails(", nexthop_mac: \"02:00:00:00:00:01\", vteps: [{ip: "
		   "192.0.2.2}], fdb: [{mac: \"02:00:00:00:00:22\", vni: 100, "
		   "vtep: 192.0.2.2}, {mac: \"02:00:00:00:00:22\", vni: 100, "
		   "vtep: 192.0.2.2}]",
		   "vnfs[0].fdb[1].mac: 02:00:00:00:00:22 in VNI 100 is "
		   "already fdb[0]");
	load_fails(", fdb: [{mac: \"02:00:00:00:00:22\", vni: 100, vtep: "
		   "192.0.2.9}]",
		   "vnfs[0].fdb[0].vtep: 192.0.2.9 is not one of vteps");
	load_fails(", fdb: [{mac: \"02:00:00:00:00:22\", vtep: 192.0.2.9}]",
		   "vnfs[0].fdb[0].vni: missing (required)");
	{
		char err2[512] = "";

		assert_null(load("vnfs: [{name: vx, type: vxlan, ifaces: "
				 "[{name: underlay}, {name: a, vni: 5}, "
				 "{name: b, vni: 5}], local: [192.0.2.1], "
				 "mac: \"02:00:00:00:0a:01\"}]\n",
				 err2, sizeof(err2)));
		assert_non_null(strstr(err2, "vnfs[0].ifaces[2].vni: VNI 5 "
					     "is already iface a's"));
		assert_null(load("vnfs: [{name: vx, type: vxlan, ifaces: "
				 "[{name: up}, {name: a, vni: 5}], local: "
				 "[192.0.2.1], mac: \"02:00:00:00:0a:01\"}]\n",
				 err2, sizeof(err2)));
		assert_non_null(strstr(err2, "first iface is its underlay"));
		assert_null(load("vnfs: [{name: vx, type: vxlan, ifaces: "
				 "[{name: underlay, vni: 3}, {name: a, vni: "
				 "5}], local: [192.0.2.1], mac: "
				 "\"02:00:00:00:0a:01\"}]\n",
				 err2, sizeof(err2)));
		assert_non_null(strstr(err2, "ifaces[0].vni: the underlay"));
		assert_null(load("vnfs: [{name: vx, type: vxlan, ifaces: "
				 "[{name: underlay}, {name: a, vni: 16777216}]"
				 ", local: [192.0.2.1], mac: "
				 "\"02:00:00:00:0a:01\"}]\n",
				 err2, sizeof(err2)));
		assert_non_null(strstr(err2, "ifaces[1].vni: 16777216 is out "
					     "of range 1..16777215"));
		assert_null(load("vnfs: [{name: vx, type: vxlan, ifaces: "
				 "[{name: underlay}, {name: a, vni: 5}], "
				 "mac: \"02:00:00:00:0a:01\"}]\n",
				 err2, sizeof(err2)));
		assert_non_null(strstr(err2, "vnfs[0].local: missing "
					     "(required)"));
		assert_null(load("vnfs: [{name: vx, type: vxlan, ifaces: "
				 "[{name: underlay}, {name: a, vni: 5}], "
				 "local: [10.0.0.1/24], "
				 "mac: \"02:00:00:00:0a:01\"}]\n",
				 err2, sizeof(err2)));
		assert_non_null(strstr(err2,
				       "vnfs[0].local[0]: \"10.0.0.1/24\" "
				       "must be an address"));
	}
}

static struct vnf_instance *
vx_new(const char *keys)
{
	struct vnf_instance *vi = NULL;
	struct ctl_config *cfg;
	char yaml[2048], err[512] = "";

	snprintf(yaml, sizeof(yaml), HEAD "%s}\n", keys);
	cfg = load(yaml, err, sizeof(err));
	if (!cfg)
		fail_msg("%s", err);
	if (vnf_instance_create(&cfg->vnfs[0], 0, 1, NULL, &vi, err,
				sizeof(err)) < 0)
		fail_msg("%s", err);
	ctl_config_free(cfg);
	return vi;
}

/* An inner frame: dst, src, then an IPv4/UDP packet of `len` bytes in
 * all with the given source port (len >= 42). */
static struct rte_mbuf *
inner(const uint8_t *dst, const uint8_t *src, uint16_t len, uint16_t sport)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	uint8_t *p;

	assert_non_null(m);
	p = (uint8_t *)rte_pktmbuf_append(m, len);
	if (p == NULL)
		fail_msg("no room for %u bytes", len);
	if (p == NULL)
		return m;
	memset(p, 0, len);
	memcpy(p, dst, 6);
	memcpy(p + 6, src, 6);
	p[12] = 0x08;
	if (len >= 42) {
		p[14] = 0x45;
		p[16] = (uint8_t)((len - 14) >> 8);
		p[17] = (uint8_t)(len - 14);
		p[22] = 64;
		p[23] = 17;
		memcpy(p + 26, "\x0a\x00\x00\x01\x0a\x00\x00\x02", 8);
		p[34] = (uint8_t)(sport >> 8);
		p[35] = (uint8_t)sport;
		p[36] = 0x13;
		p[37] = 0x89;
	}
	return m;
}

/* One burst into process(); next[] out.  The packets stay the caller's. */
static void
run(struct vnf_instance *vi, uint16_t in, struct rte_mbuf **pkts,
    unsigned int n, uint16_t *next)
{
	struct vnf_wctx w = {
		.state = vi->slots[0].state,
		.counters = vi->slots[0].counters,
		.emit = &emit,
		.pool = pool,
		.now = rte_rdtsc(),
	};
	struct vnf_burst b = {
		.pkts = pkts,
		.next = next,
		.n = (uint16_t)n,
		.in_iface = in,
	};

	vi->ops->process(vi, &w, &b);
}

static uint64_t
ctr(struct vnf_instance *vi, const char *name)
{
	uint16_t c;

	for (c = 0; c < vi->ops->n_counters; c++)
		if (!strcmp(vi->ops->counters[c].name, name))
			return vnf_counter_sum(vi, c);
	fail_msg("no counter %s", name);
	return 0;
}

static const char *
drop_name(struct vnf_instance *vi, uint16_t next)
{
	if (!VNF_NEXT_IS_DROP(next))
		return "(not dropped)";
	return vi->ops->counters[VNF_NEXT_COUNTER(next)].name;
}

static void
emit_free(void)
{
	rte_pktmbuf_free_bulk(emit.pkts, emit.n);
	emit.n = 0;
}

static uint16_t
be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Check an IPv4-encapsulated frame byte by byte; returns the inner. */
static const uint8_t *
check_outer4(struct rte_mbuf *m, const uint8_t *dmac, const char *dst,
	     uint32_t vni, uint16_t inner_len)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	uint8_t a[4];
	uint16_t sport;

	assert_int_equal(rte_pktmbuf_pkt_len(m), 50 + inner_len);
	assert_memory_equal(p, dmac, 6);
	assert_memory_equal(p + 6, MAC_US, 6);
	assert_int_equal(be16(p + 12), 0x0800);
	p += 14;
	assert_int_equal(p[0], 0x45);
	assert_int_equal(p[1], 0);
	assert_int_equal(be16(p + 2), 36 + inner_len);
	assert_int_equal(be16(p + 6), 0x4000); /* DF */
	assert_int_equal(p[8], 64);
	assert_int_equal(p[9], 17);
	assert_int_equal(rte_raw_cksum(p, 20), 0xffff); /* checksum right */
	inet_pton(AF_INET, "192.0.2.1", a);
	assert_memory_equal(p + 12, a, 4);
	inet_pton(AF_INET, dst, a);
	assert_memory_equal(p + 16, a, 4);
	p += 20;
	sport = be16(p);
	assert_true(sport >= 49152);
	assert_int_equal(be16(p + 2), 4789);
	assert_int_equal(be16(p + 4), 16 + inner_len);
	assert_int_equal(be16(p + 6), 0);
	p += 8;
	assert_int_equal(p[0], 0x08);
	assert_int_equal(p[1] | p[2] | p[3], 0);
	assert_int_equal((uint32_t)(p[4] << 16 | p[5] << 8 | p[6]), vni);
	assert_int_equal(p[7], 0);
	return p + 8;
}

static void
test_encap_ipv4(void **state)
{
	struct vnf_instance *vi = vx_new(FULL FDB100);
	struct rte_mbuf *m = inner(VM_R, VM_A, 100, 1000);
	uint8_t copy[100];
	uint16_t next[1];
	const uint8_t *in;
	uint16_t sport;

	(void)state;
	memcpy(copy, rte_pktmbuf_mtod(m, void *), 100);
	sport = rte_be_to_cpu_16(vx_sport(vx_flow_hash(m)));
	/* A UDP checksum left to the egress: its offsets follow. */
	m->ol_flags |= RTE_MBUF_F_TX_UDP_CKSUM | RTE_MBUF_F_TX_IPV4;
	m->l2_len = 14;
	m->l3_len = 20;
	run(vi, RED, &m, 1, next);
	assert_int_equal(next[0], UNDER);
	assert_int_equal(m->l2_len, 50 + 14);
	assert_int_equal(m->l3_len, 20);
	assert_int_equal(emit.n, 0);
	in = check_outer4(m, MAC_T2, "192.0.2.2", 100, 100);
	assert_memory_equal(in, copy, 100);
	assert_int_equal(be16(rte_pktmbuf_mtod(m, uint8_t *) + 34), sport);
	assert_int_equal(ctr(vi, "encapsulated"), 1);
	rte_pktmbuf_free(m);
	vnf_instance_destroy(vi);
}

static void
test_encap_ipv6(void **state)
{
	struct vnf_instance *vi =
		vx_new(FULL ", fdb: [{mac: \"02:00:00:00:00:22\", vni: 200, "
			    "vtep: \"2001:db8::2\"}]");
	struct rte_mbuf *m = inner(VM_R, VM_A, 80, 7);
	const uint8_t *p;
	uint8_t a[16];
	uint16_t next[1];

	(void)state;
	run(vi, BLUE, &m, 1, next);
	assert_int_equal(next[0], UNDER);
	p = rte_pktmbuf_mtod(m, const uint8_t *);
	assert_int_equal(rte_pktmbuf_pkt_len(m), 70 + 80);
	assert_memory_equal(p, MAC_NH, 6); /* the VTEP has no mac of its own */
	assert_int_equal(be16(p + 12), 0x86dd);
	assert_int_equal(p[14] >> 4, 6);
	assert_int_equal(be16(p + 18), 16 + 80); /* payload length */
	assert_int_equal(p[20], 17);
	assert_int_equal(p[21], 64);
	inet_pton(AF_INET6, "2001:db8::1", a);
	assert_memory_equal(p + 22, a, 16);
	inet_pton(AF_INET6, "2001:db8::2", a);
	assert_memory_equal(p + 38, a, 16);
	assert_int_equal(be16(p + 56), 4789);
	assert_int_equal(be16(p + 58), 16 + 80);
	assert_int_not_equal(be16(p + 60), 0); /* a UDP checksum... */
	assert_int_equal(rte_ipv6_udptcp_cksum_mbuf_verify(
				 m, (const void *)(p + 14), 54),
			 0); /* ...and a right one */
	assert_int_equal(p[62], 0x08);
	assert_int_equal((uint32_t)(p[66] << 16 | p[67] << 8 | p[68]), 200);
	rte_pktmbuf_free(m);
	vnf_instance_destroy(vi);
}

static void
test_flow_hash(void **state)
{
	struct rte_mbuf *a = inner(VM_R, VM_A, 64, 1000);
	struct rte_mbuf *b = inner(VM_R, VM_A, 64, 1000);
	struct rte_mbuf *c = inner(VM_R, VM_A, 64, 1001);
	struct rte_mbuf *d = inner(VM_R, VM_A, 20, 0); /* not IP */
	struct rte_mbuf *e = inner(VM_R, VM_X, 20, 0);
	unsigned int i, distinct = 0;
	uint16_t ports[64];

	(void)state;
	/* One flow, one port; the ports are what tell flows apart. */
	assert_int_equal(vx_flow_hash(a), vx_flow_hash(b));
	assert_int_not_equal(vx_flow_hash(a), vx_flow_hash(c));
	/* Not IP: the MACs. */
	assert_int_not_equal(vx_flow_hash(d), vx_flow_hash(e));
	/* Ports spread over the dynamic range. */
	for (i = 0; i < 64; i++) {
		uint8_t *p = rte_pktmbuf_mtod(a, uint8_t *);
		unsigned int j;

		p[34] = (uint8_t)(i >> 8);
		p[35] = (uint8_t)i;
		ports[i] = rte_be_to_cpu_16(vx_sport(vx_flow_hash(a)));
		assert_true(ports[i] >= 49152);
		for (j = 0; j < i && ports[j] != ports[i]; j++)
			;
		distinct += j == i;
	}
	assert_true(distinct >= 60);
	/* An IPv4 later fragment has no ports: its hash ignores them. */
	{
		uint8_t *p = rte_pktmbuf_mtod(b, uint8_t *);
		uint32_t h;

		p[20] = 0x00;
		p[21] = 0x10; /* fragment offset 16 */
		h = vx_flow_hash(b);
		p[34] ^= 0xff;
		assert_int_equal(h, vx_flow_hash(b));
	}
	rte_pktmbuf_free(a);
	rte_pktmbuf_free(b);
	rte_pktmbuf_free(c);
	rte_pktmbuf_free(d);
	rte_pktmbuf_free(e);
}

/* Head-end replication: a broadcast of VNI 100 goes to .2 and .3. */
static void
test_flood(void **state)
{
	struct vnf_instance *vi = vx_new(FULL);
	struct rte_mbuf *m[2] = {inner(BCAST, VM_A, 60, 1),
				 inner(VM_X, VM_A, 60, 1)};
	uint16_t next[2];
	bool seen2 = false, seen3 = false;
	unsigned int i;

	(void)state;
	run(vi, RED, m, 2, next);
	assert_int_equal(next[0], UNDER);
	assert_int_equal(next[1], UNDER);
	assert_int_equal(emit.n, 2);
	for (i = 0; i < 4; i++) {
		struct rte_mbuf *x = i < 2 ? m[i] : emit.pkts[i - 2];
		const uint8_t *p = rte_pktmbuf_mtod(x, const uint8_t *);

		if (i >= 2)
			assert_int_equal(emit.next[i - 2], UNDER);
		if (p[14 + 19] == 2) {
			check_outer4(x, MAC_T2, "192.0.2.2", 100, 60);
			seen2 = true;
		} else {
			check_outer4(x, MAC_T3, "192.0.2.3", 100, 60);
			seen3 = true;
		}
	}
	assert_true(seen2 && seen3);
	/* Counted once each: flooded; the copies are events. */
	assert_int_equal(ctr(vi, "flooded"), 2);
	assert_int_equal(ctr(vi, "flood-copies"), 2);
	assert_int_equal(ctr(vi, "encapsulated"), 0);
	emit_free();
	rte_pktmbuf_free_bulk(m, 2);

	/* VNI 200 floods to .2 and the IPv6 VTEP. */
	m[0] = inner(BCAST, VM_A, 60, 1);
	run(vi, BLUE, m, 1, next);
	assert_int_equal(next[0], UNDER);
	assert_int_equal(emit.n, 1);
	assert_int_not_equal(
		be16(rte_pktmbuf_mtod(m[0], uint8_t *) + 12),
		be16(rte_pktmbuf_mtod(emit.pkts[0], uint8_t *) + 12));
	emit_free();
	rte_pktmbuf_free(m[0]);
	vnf_instance_destroy(vi);

	/* No VTEP in the flood list: dropped, no-vtep. */
	vi = vx_new("");
	m[0] = inner(BCAST, VM_A, 60, 1);
	run(vi, RED, m, 1, next);
	assert_string_equal(drop_name(vi, next[0]), "no-vtep");
	rte_pktmbuf_free(m[0]);
	vnf_instance_destroy(vi);
}

/* The outer Ethernet, IPv4 and UDP headers of a tunnel packet of len
 * bytes from the VTEP `src` (next hop smac) to `dst`, at p; the rest 0. */
static void
outer4_udp(uint8_t *p, uint16_t len, const uint8_t *smac, const char *src,
	   const char *dst, uint16_t dport)
{
	memset(p, 0, len);
	memcpy(p, MAC_US, 6);
	memcpy(p + 6, smac, 6);
	p[12] = 0x08;
	p[14] = 0x45;
	p[16] = (uint8_t)((len - 14) >> 8);
	p[17] = (uint8_t)(len - 14);
	p[22] = 64;
	p[23] = 17;
	inet_pton(AF_INET, src, p + 26);
	inet_pton(AF_INET, dst, p + 30);
	p[34] = 0xc0;
	p[36] = (uint8_t)(dport >> 8);
	p[37] = (uint8_t)dport;
	p[38] = (uint8_t)((len - 34) >> 8);
	p[39] = (uint8_t)(len - 34);
}

/* A VXLAN packet from VTEP `src` to `dst` as a peer sends it. */
static struct rte_mbuf *
outer4(const char *src, const char *dst, uint16_t dport, uint8_t flags,
       uint32_t vni, const uint8_t *imac_src, uint16_t ilen)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	uint16_t len = (uint16_t)(50 + ilen);
	uint8_t *p;

	assert_non_null(m);
	p = (uint8_t *)rte_pktmbuf_append(m, len);
	if (p == NULL)
		fail_msg("no room for %u bytes", len);
	if (p == NULL)
		return m;
	outer4_udp(p, len, MAC_T2, src, dst, dport);
	p[42] = flags;
	p[46] = (uint8_t)(vni >> 16);
	p[47] = (uint8_t)(vni >> 8);
	p[48] = (uint8_t)vni;
	memcpy(p + 50, VM_A, 6);
	memcpy(p + 56, imac_src, 6);
	if (ilen >= 14)
		p[62] = 0x08;
	return m;
}

static void
test_decap_learn(void **state)
{
	struct vnf_instance *vi = vx_new(FULL FDB100);
	struct rte_mbuf *m[3];
	uint16_t next[3];
	const uint8_t *p;

	(void)state;
	m[0] = outer4("192.0.2.3", "192.0.2.1", 4789, 0x08, 100, VM_X, 64);
	m[1] = outer4("192.0.2.3", "192.0.2.1", 4789, 0x08, 200, VM_X, 64);
	/* Ethernet padding after a short packet is cut. */
	m[2] = outer4("192.0.2.3", "192.0.2.1", 4789, 0x08, 100, VM_X, 14);
	assert_non_null(rte_pktmbuf_append(m[2], 6));
	/* Checksum offload asked by the sender's guest: back to the inner
	 * offsets; the outer packet's RX checksum verdicts go. */
	m[0]->ol_flags |= RTE_MBUF_F_TX_UDP_CKSUM | RTE_MBUF_F_TX_IPV4 |
			  RTE_MBUF_F_RX_L4_CKSUM_GOOD;
	m[0]->l2_len = 64;
	run(vi, UNDER, m, 3, next);
	assert_int_equal(m[0]->l2_len, 14);
	assert_int_equal(m[0]->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK, 0);
	assert_int_equal(next[0], RED);
	assert_int_equal(next[1], BLUE);
	assert_int_equal(next[2], RED);
	assert_int_equal(rte_pktmbuf_pkt_len(m[0]), 64);
	assert_int_equal(rte_pktmbuf_pkt_len(m[2]), 14);
	p = rte_pktmbuf_mtod(m[0], const uint8_t *);
	assert_memory_equal(p, VM_A, 6);
	assert_memory_equal(p + 6, VM_X, 6);
	assert_int_equal(ctr(vi, "decapsulated"), 3);
	/* Learned once per VNI: (100, X) and (200, X), both at .3. */
	assert_int_equal(ctr(vi, "learned"), 2);
	rte_pktmbuf_free_bulk(m, 3);

	/* A frame to X in VNI 100 now goes to .3 only. */
	m[0] = inner(VM_X, VM_A, 60, 1);
	run(vi, RED, m, 1, next);
	assert_int_equal(next[0], UNDER);
	assert_int_equal(emit.n, 0);
	check_outer4(m[0], MAC_T3, "192.0.2.3", 100, 60);
	rte_pktmbuf_free(m[0]);

	/* X moves behind .2: the entry follows (mac-moved). */
	m[0] = outer4("192.0.2.2", "192.0.2.1", 4789, 0x08, 100, VM_X, 64);
	run(vi, UNDER, m, 1, next);
	assert_int_equal(next[0], RED);
	assert_int_equal(ctr(vi, "mac-moved"), 1);
	rte_pktmbuf_free(m[0]);
	m[0] = inner(VM_X, VM_A, 60, 1);
	run(vi, RED, m, 1, next);
	check_outer4(m[0], MAC_T2, "192.0.2.2", 100, 60);
	rte_pktmbuf_free(m[0]);

	/* A static entry does not move; a sender it does not know is not
	 * learned, but decapsulated. */
	m[0] = outer4("192.0.2.3", "192.0.2.1", 4789, 0x08, 100, VM_R, 64);
	m[1] = outer4("192.0.2.77", "192.0.2.1", 4789, 0x08, 100, VM_A, 64);
	run(vi, UNDER, m, 2, next);
	assert_int_equal(next[0], RED);
	assert_int_equal(next[1], RED);
	assert_int_equal(ctr(vi, "static-mac-seen-elsewhere"), 1);
	assert_int_equal(ctr(vi, "learn-unknown-vtep"), 1);
	rte_pktmbuf_free_bulk(m, 2);

	/* A chained frame whose first segment ends inside the inner
	 * Ethernet header (after its destination): decapsulated whole, and
	 * no source is learned from the bytes past the segment's end. */
	m[0] = outer4("192.0.2.3", "192.0.2.1", 4789, 0x08, 100, VM_X, 64);
	m[1] = rte_pktmbuf_alloc(pool);
	assert_non_null(m[1]);
	p = rte_pktmbuf_mtod(m[0], const uint8_t *);
	memcpy(rte_pktmbuf_append(m[1], 50 + 64 - 56), p + 56, 50 + 64 - 56);
	/* What lies in the buffer past the cut is no MAC of this frame. */
	memcpy(rte_pktmbuf_mtod_offset(m[0], uint8_t *, 56), VM_R, 6);
	rte_pktmbuf_trim(m[0], 50 + 64 - 56);
	assert_int_equal(rte_pktmbuf_chain(m[0], m[1]), 0);
	run(vi, UNDER, m, 1, next);
	assert_int_equal(next[0], RED);
	assert_int_equal(rte_pktmbuf_pkt_len(m[0]), 64);
	assert_int_equal(ctr(vi, "decapsulated"), 7);
	assert_int_equal(ctr(vi, "learned"), 2);
	assert_int_equal(ctr(vi, "static-mac-seen-elsewhere"), 1);
	rte_pktmbuf_free(m[0]);
	vnf_instance_destroy(vi);
}

/* Every drop reason, by the counter next[] names. */
static void
test_drops(void **state)
{
	struct vnf_instance *vi = vx_new(FULL FDB100 ", mtu: 200");
	struct rte_mbuf *m[12];
	uint16_t next[12];
	uint8_t *p;
	unsigned int i;

	(void)state;
	m[0] = rte_pktmbuf_alloc(pool);
	assert_non_null(rte_pktmbuf_append(m[0], 10));
	m[1] = inner(VM_A, VM_X, 60, 1); /* an IPv4 packet, not UDP 4789 */
	p = rte_pktmbuf_mtod(m[1], uint8_t *);
	p[12] = 0x88; /* not IP at all */
	m[2] = outer4("192.0.2.2", "192.0.2.1", 4789, 0x08, 100, VM_X, 64);
	rte_pktmbuf_trim(m[2], 40); /* shorter than its IP header says */
	m[3] = outer4("192.0.2.2", "192.0.2.9", 4789, 0x08, 100, VM_X, 64);
	m[4] = outer4("192.0.2.2", "192.0.2.1", 4789, 0x08, 100, VM_X, 64);
	rte_pktmbuf_mtod(m[4], uint8_t *)[20] = 0x20; /* MF */
	m[5] = outer4("192.0.2.2", "192.0.2.1", 4789, 0x08, 100, VM_X, 64);
	rte_pktmbuf_mtod(m[5], uint8_t *)[23] = 6;
	m[6] = outer4("192.0.2.2", "192.0.2.1", 8472, 0x08, 100, VM_X, 64);
	m[7] = outer4("192.0.2.2", "192.0.2.1", 4789, 0x00, 100, VM_X, 64);
	m[8] = outer4("192.0.2.2", "192.0.2.1", 4789, 0x08, 300, VM_X, 64);
	m[9] = outer4("192.0.2.2", "192.0.2.1", 4789, 0x08, 100, VM_X, 10);
	m[10] = outer4("192.0.2.2", "192.0.2.1", 4789, 0x08, 100, VM_X, 64);
	p = rte_pktmbuf_mtod(m[10], uint8_t *);
	memset(p, 0, 64);
	memcpy(p, BCAST, 6);
	p[12] = 0x08;
	p[13] = 0x06; /* an ARP reply: not ours to take */
	p[14 + 1] = 1;
	p[14 + 2] = 8;
	p[14 + 4] = 6;
	p[14 + 5] = 4;
	p[14 + 7] = 2;
	m[11] = outer4("192.0.2.2", "192.0.2.1", 4789, 0x08, 100, VM_X, 64);
	rte_pktmbuf_mtod(m[11], uint8_t *)[14] = 0x44; /* IHL < 5 */
	run(vi, UNDER, m, 12, next);
	{
		static const char *const want[] = {
			"runt",	       "not-ip",     "bad-outer",   "not-local",
			"fragment",    "not-udp",    "wrong-port",  "bad-vxlan",
			"unknown-vni", "inner-runt", "arp-ignored", "bad-outer",
		};

		for (i = 0; i < 12; i++)
			assert_string_equal(drop_name(vi, next[i]), want[i]);
	}
	rte_pktmbuf_free_bulk(m, 12);

	/* Encap side: runt, too big for the MTU (200: an inner frame of
	 * 164 bytes at most, 200 - 20 - 8 - 8 - 14 + 14). */
	m[0] = rte_pktmbuf_alloc(pool);
	assert_non_null(rte_pktmbuf_append(m[0], 13));
	m[1] = inner(VM_R, VM_A, 165, 1);
	m[2] = inner(VM_R, VM_A, 164, 1);
	m[3] = inner(BCAST, VM_A, 165, 1); /* no copies of it either */
	/* No headroom for the outer headers. */
	m[4] = inner(VM_R, VM_A, 60, 1);
	memmove(rte_pktmbuf_mtod(m[4], char *) - rte_pktmbuf_headroom(m[4]) +
			10,
		rte_pktmbuf_mtod(m[4], char *), 60);
	m[4]->data_off = 10;
	assert_true(rte_pktmbuf_headroom(m[4]) < 50);
	run(vi, RED, m, 5, next);
	assert_string_equal(drop_name(vi, next[0]), "runt");
	assert_string_equal(drop_name(vi, next[1]), "too-big");
	assert_int_equal(next[2], UNDER);
	assert_string_equal(drop_name(vi, next[3]), "too-big");
	assert_string_equal(drop_name(vi, next[4]), "no-headroom");
	assert_int_equal(emit.n, 0);
	rte_pktmbuf_free_bulk(m, 5);
	vnf_instance_destroy(vi);
}

/* Copies that cannot be made are LOST; the original still leaves. */
static void
test_copy_fails(void **state)
{
	struct vnf_instance *vi = vx_new(FULL);
	struct rte_mbuf *hold[4096], *m;
	uint16_t next[1];
	unsigned int n = 0;

	(void)state;
	m = inner(BCAST, VM_A, 60, 1);
	while (rte_mempool_avail_count(pool) > 0 && n < RTE_DIM(hold))
		hold[n++] = rte_pktmbuf_alloc(pool);
	run(vi, RED, &m, 1, next);
	assert_int_equal(next[0], UNDER);
	assert_int_equal(ctr(vi, "copy-failed"), 1);
	assert_int_equal(ctr(vi, "flooded"), 1);
	rte_pktmbuf_free_bulk(hold, n);
	rte_pktmbuf_free(m);
	vnf_instance_destroy(vi);
}

static void
test_arp(void **state)
{
	struct vnf_instance *vi = vx_new(FULL);
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	uint16_t next[1];
	uint8_t *p, ip1[4], ip2[4];

	(void)state;
	inet_pton(AF_INET, "192.0.2.1", ip1);
	inet_pton(AF_INET, "192.0.2.2", ip2);
	p = (uint8_t *)rte_pktmbuf_append(m, 60);
	if (p == NULL) {
		fail_msg("no room");
		return;
	}
	memset(p, 0, 60);
	memcpy(p, BCAST, 6);
	memcpy(p + 6, MAC_T2, 6);
	p[12] = 0x08;
	p[13] = 0x06;
	p[15] = 1;
	p[16] = 8;
	p[18] = 6;
	p[19] = 4;
	p[21] = 1; /* request */
	memcpy(p + 22, MAC_T2, 6);
	memcpy(p + 28, ip2, 4);
	memcpy(p + 38, ip1, 4);
	run(vi, UNDER, &m, 1, next);
	assert_int_equal(next[0], UNDER);
	assert_memory_equal(p, MAC_T2, 6);
	assert_memory_equal(p + 6, MAC_US, 6);
	assert_int_equal(p[21], 2); /* reply */
	assert_memory_equal(p + 22, MAC_US, 6);
	assert_memory_equal(p + 28, ip1, 4);
	assert_memory_equal(p + 32, MAC_T2, 6);
	assert_memory_equal(p + 38, ip2, 4);
	assert_int_equal(ctr(vi, "arp-replied"), 1);
	rte_pktmbuf_free(m);
	vnf_instance_destroy(vi);
}

static int
verb(struct vnf_instance *vi, const char *name, const char *json,
     json_t **reply)
{
	json_t *args = json_loads(json, 0, NULL);
	int rc;

	assert_non_null(args);
	*reply = NULL;
	rc = vnf_verb_call(vi, name, args, reply);
	json_decref(args);
	if (rc < 0 && getenv("VX_TEST_VERBOSE"))
		fprintf(stderr, "%s %s: %s\n", name, json,
			json_is_string(*reply) ? json_string_value(*reply)
					       : "?");
	return rc;
}

static void
verb_fails(struct vnf_instance *vi, const char *name, const char *json,
	   const char *want)
{
	json_t *reply;
	int rc = verb(vi, name, json, &reply);

	assert_true(rc < 0);
	if (!json_is_string(reply) || !strstr(json_string_value(reply), want))
		fail_msg("%s %s: \"%s\" lacks \"%s\"", name, json,
			 json_is_string(reply) ? json_string_value(reply) : "?",
			 want);
	json_decref(reply);
}

static void
test_verbs(void **state)
{
	struct vnf_instance *vi =
		vx_new(", nexthop_mac: \"02:00:00:00:0a:fe\"");
	struct rte_mbuf *m;
	uint16_t next[1];
	json_t *reply;

	(void)state;
	/* No VTEP: nothing to flood to. */
	m = inner(BCAST, VM_A, 60, 1);
	run(vi, RED, &m, 1, next);
	assert_string_equal(drop_name(vi, next[0]), "no-vtep");
	rte_pktmbuf_free(m);

	assert_int_equal(verb(vi, "vtep add",
			      "{\"ip\": \"192.0.2.3\", \"mac\": "
			      "\"02:00:00:00:0b:03\", \"vni\": 100}",
			      &reply),
			 0);
	json_decref(reply);
	m = inner(BCAST, VM_A, 60, 1);
	run(vi, RED, &m, 1, next);
	assert_int_equal(next[0], UNDER);
	check_outer4(m, MAC_T3, "192.0.2.3", 100, 60);
	rte_pktmbuf_free(m);

	/* A static entry, shown; then deleted. */
	assert_int_equal(verb(vi, "fdb add",
			      "{\"mac\": \"02:00:00:00:00:22\", \"vni\": 100, "
			      "\"vtep\": \"192.0.2.3\"}",
			      &reply),
			 0);
	json_decref(reply);
	assert_int_equal(verb(vi, "show fdb", "{}", &reply), 0);
	assert_int_equal(json_array_size(reply), 1);
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(reply, 0), "vtep")),
			    "192.0.2.3");
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(reply, 0), "type")),
			    "static");
	assert_int_equal(json_integer_value(json_object_get(
				 json_array_get(reply, 0), "vni")),
			 100);
	json_decref(reply);
	assert_int_equal(verb(vi, "show vtep", "{}", &reply), 0);
	assert_int_equal(json_array_size(reply), 1);
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(reply, 0), "vnis")),
			    "100");
	json_decref(reply);
	assert_int_equal(verb(vi, "fdb del",
			      "{\"mac\": \"02:00:00:00:00:22\", \"vni\": 100}",
			      &reply),
			 0);
	json_decref(reply);
	verb_fails(vi, "fdb del",
		   "{\"mac\": \"02:00:00:00:00:22\", \"vni\": 100}",
		   "not in the FDB");

	/* Errors read like the config's. */
	verb_fails(vi, "vtep add", "{\"ip\": \"192.0.2.1\"}",
		   "this VTEP's own address");
	verb_fails(vi, "vtep add", "{\"ip\": \"bogus\"}",
		   "is not an IPv4 or IPv6 address");
	verb_fails(vi, "vtep add", "{\"ip\": \"192.0.2.4\", \"vni\": 7}",
		   "VNI 7 is not the vni of any iface");
	verb_fails(vi, "fdb add",
		   "{\"mac\": \"02:00:00:00:00:22\", \"vni\": 100, "
		   "\"vtep\": \"192.0.2.8\"}",
		   "no VTEP 192.0.2.8");
	verb_fails(vi, "vtep del", "{\"ip\": \"192.0.2.8\"}", "no VTEP");

	/* A learned entry, then the VTEP goes with its entries. */
	m = outer4("192.0.2.3", "192.0.2.1", 4789, 0x08, 100, VM_X, 64);
	run(vi, UNDER, &m, 1, next);
	assert_int_equal(next[0], RED);
	rte_pktmbuf_free(m);
	assert_int_equal(verb(vi, "vtep del",
			      "{\"ip\": \"192.0.2.3\", "
			      "\"vni\": 100}",
			      &reply),
			 0);
	json_decref(reply);
	m = inner(BCAST, VM_A, 60, 1);
	run(vi, RED, &m, 1, next);
	assert_string_equal(drop_name(vi, next[0]), "no-vtep");
	rte_pktmbuf_free(m);
	/* Out of the flood list, but X is still known there. */
	m = inner(VM_X, VM_A, 60, 1);
	run(vi, RED, &m, 1, next);
	assert_int_equal(next[0], UNDER);
	rte_pktmbuf_free(m);
	assert_int_equal(
		verb(vi, "vtep del", "{\"ip\": \"192.0.2.3\"}", &reply), 0);
	assert_int_equal(
		json_integer_value(json_object_get(reply, "fdb_flushed")), 1);
	json_decref(reply);
	assert_int_equal(verb(vi, "show vtep", "{}", &reply), 0);
	assert_int_equal(json_array_size(reply), 0);
	json_decref(reply);
	reply = vi->ops->details(vi);
	assert_non_null(reply);
	assert_int_equal(json_integer_value(json_object_get(reply, "udp_port")),
			 4789);
	json_decref(reply);
	assert_int_equal(verb(vi, "fdb flush", "{}", &reply), 0);
	json_decref(reply);
	vnf_instance_destroy(vi);
}

/* A Neighbour Solicitation for the local IPv6 VTEP address is answered. */
static void
test_nd(void **state)
{
	struct vnf_instance *vi = vx_new(FULL);
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	uint16_t next[1];
	uint8_t *p, l6[16], r6[16];

	(void)state;
	inet_pton(AF_INET6, "2001:db8::1", l6);
	inet_pton(AF_INET6, "2001:db8::2", r6);
	p = (uint8_t *)rte_pktmbuf_append(m, 86);
	if (p == NULL) {
		fail_msg("no room");
		return;
	}
	memset(p, 0, 86);
	memcpy(p, "\x33\x33\xff\x00\x00\x01", 6);
	memcpy(p + 6, MAC_T2, 6);
	p[12] = 0x86;
	p[13] = 0xdd;
	p[14] = 0x60;
	p[19] = 32; /* payload length */
	p[20] = 58;
	p[21] = 255;
	memcpy(p + 22, r6, 16);
	inet_pton(AF_INET6, "ff02::1:ff00:1", p + 38);
	p[54] = 135;
	memcpy(p + 62, l6, 16);
	p[78] = 1; /* source link-layer address */
	p[79] = 1;
	memcpy(p + 80, MAC_T2, 6);
	run(vi, UNDER, &m, 1, next);
	assert_int_equal(next[0], UNDER);
	p = rte_pktmbuf_mtod(m, uint8_t *);
	assert_int_equal(rte_pktmbuf_pkt_len(m), 86);
	assert_memory_equal(p, MAC_T2, 6);
	assert_memory_equal(p + 6, MAC_US, 6);
	assert_memory_equal(p + 22, l6, 16);
	assert_memory_equal(p + 38, r6, 16);
	assert_int_equal(p[54], 136);
	assert_int_equal(p[58], 0x60); /* solicited, override */
	assert_memory_equal(p + 62, l6, 16);
	assert_int_equal(p[78], 2); /* target link-layer address */
	assert_memory_equal(p + 80, MAC_US, 6);
	assert_int_equal(
		rte_ipv6_udptcp_cksum_verify((const void *)(p + 14), p + 54),
		0);
	assert_int_equal(ctr(vi, "nd-replied"), 1);
	/* Not for our address, or a DAD probe: not answered. */
	p[62 + 15] = 9;
	p[54] = 135;
	run(vi, UNDER, &m, 1, next);
	assert_string_equal(drop_name(vi, next[0]), "icmp6-ignored");
	rte_pktmbuf_free(m);
	vnf_instance_destroy(vi);
}

/* ---- EVPN: rtnetlink messages as zebra's kernel state makes them ---- */

struct nlb {
	uint8_t buf[512] __attribute__((aligned(4)));
	size_t len;
	size_t nest[4];
	unsigned int depth;
};

static void
nlb_start(struct nlb *b, uint16_t type, const void *hdr, size_t hlen)
{
	struct nlmsghdr *nh = (void *)b->buf;

	memset(b, 0, sizeof(*b));
	nh->nlmsg_type = type;
	memcpy(b->buf + NLMSG_HDRLEN, hdr, hlen);
	b->len = NLMSG_HDRLEN + NLMSG_ALIGN(hlen);
}

static void
nlb_attr(struct nlb *b, uint16_t type, const void *d, size_t n)
{
	struct rtattr *a = (void *)(b->buf + b->len);

	a->rta_type = type;
	a->rta_len = (uint16_t)RTA_LENGTH(n);
	if (n)
		memcpy(RTA_DATA(a), d, n);
	b->len += RTA_ALIGN(a->rta_len);
}

static void
nlb_nest(struct nlb *b, uint16_t type)
{
	b->nest[b->depth++] = b->len;
	nlb_attr(b, type, NULL, 0);
}

static void
nlb_end(struct nlb *b)
{
	struct rtattr *a = (void *)(b->buf + b->nest[--b->depth]);

	a->rta_len = (uint16_t)(b->len - b->nest[b->depth]);
}

static size_t
nlb_done(struct nlb *b)
{
	((struct nlmsghdr *)(void *)b->buf)->nlmsg_len = (uint32_t)b->len;
	return b->len;
}

/* RTM_NEWLINK of a vxlan device with only its VNI (vni_len bytes of it:
 * 4, or fewer for a malformed one). */
static void
vxlan_link_msg(struct nlb *b, const struct ifinfomsg *ifi, uint32_t vni,
	       size_t vni_len)
{
	nlb_start(b, RTM_NEWLINK, ifi, sizeof(*ifi));
	nlb_nest(b, IFLA_LINKINFO);
	nlb_attr(b, IFLA_INFO_KIND, "vxlan", 6);
	nlb_nest(b, IFLA_INFO_DATA);
	nlb_attr(b, IFLA_VXLAN_ID, &vni, vni_len);
	nlb_end(b);
	nlb_end(b);
	nlb_done(b);
}

static void
fdb_msg(struct nlb *b, uint16_t type, int ifindex, const uint8_t *mac,
	const char *dst)
{
	struct ndmsg nd = {.ndm_family = AF_BRIDGE,
			   .ndm_ifindex = ifindex,
			   .ndm_flags = NTF_SELF | NTF_EXT_LEARNED};
	uint8_t a[16];
	int fam = strchr(dst, ':') ? AF_INET6 : AF_INET;

	nlb_start(b, type, &nd, sizeof(nd));
	nlb_attr(b, NDA_LLADDR, mac, 6);
	inet_pton(fam, dst, a);
	nlb_attr(b, NDA_DST, a, fam == AF_INET ? 4 : 16);
	nlb_done(b);
}

static void
test_evpn(void **state)
{
	static const uint8_t zero[6];
	struct vnf_instance *vi =
		vx_new(", nexthop_mac: \"02:00:00:00:0a:fe\"");
	struct vx_evpn e = {.vi = vi};
	struct vx_evpn_ev ev;
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC, .ifi_index = 7};
	struct nlb b;
	uint32_t vni = 100;
	uint8_t local[4], out[128];
	struct rte_mbuf *m;
	uint16_t next[1];
	json_t *reply;
	char err[256] = "";
	size_t n;

	(void)state;
	/* The vxlan device of VNI 100. */
	inet_pton(AF_INET, "192.0.2.1", local);
	nlb_start(&b, RTM_NEWLINK, &ifi, sizeof(ifi));
	nlb_attr(&b, IFLA_IFNAME, "vx100", 6);
	nlb_nest(&b, IFLA_LINKINFO);
	nlb_attr(&b, IFLA_INFO_KIND, "vxlan", 6);
	nlb_nest(&b, IFLA_INFO_DATA);
	nlb_attr(&b, IFLA_VXLAN_ID, &vni, 4);
	nlb_attr(&b, IFLA_VXLAN_LOCAL, local, 4);
	nlb_end(&b);
	nlb_end(&b);
	n = nlb_done(&b);
	assert_int_equal(vx_evpn_parse(b.buf, n, &ev), 0);
	assert_int_equal(ev.kind, VX_EV_LINK);
	assert_int_equal(ev.vni, 100);
	assert_int_equal(ev.ifindex, 7);
	assert_true(ev.has_addr && ev.addr.family == AF_INET);
	assert_int_equal(vx_evpn_apply(&e, &ev, err, sizeof(err)), 0);
	/* Cut short: malformed, whether the buffer or the message says so. */
	assert_int_equal(vx_evpn_parse(b.buf, n - 4, &ev), -EINVAL);
	((struct nlmsghdr *)(void *)b.buf)->nlmsg_len = (uint32_t)(n - 2);
	assert_int_equal(vx_evpn_parse(b.buf, n - 2, &ev), -EINVAL);

	/* Type 3: VTEP .3 floods VNI 100. */
	fdb_msg(&b, RTM_NEWNEIGH, 7, zero, "192.0.2.3");
	assert_int_equal(vx_evpn_parse(b.buf, b.len, &ev), 0);
	assert_int_equal(ev.kind, VX_EV_FLOOD);
	if (vx_evpn_apply(&e, &ev, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	m = inner(BCAST, VM_A, 60, 1);
	run(vi, RED, &m, 1, next);
	assert_int_equal(next[0], UNDER);
	check_outer4(m, MAC_NH, "192.0.2.3", 100, 60);
	rte_pktmbuf_free(m);

	/* Type 2: X behind .4, a VTEP not seen before. */
	fdb_msg(&b, RTM_NEWNEIGH, 7, VM_X, "192.0.2.4");
	assert_int_equal(vx_evpn_parse(b.buf, b.len, &ev), 0);
	assert_int_equal(ev.kind, VX_EV_MAC);
	if (vx_evpn_apply(&e, &ev, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	m = inner(VM_X, VM_A, 60, 1);
	run(vi, RED, &m, 1, next);
	check_outer4(m, MAC_NH, "192.0.2.4", 100, 60);
	rte_pktmbuf_free(m);
	assert_int_equal(verb(vi, "show fdb", "{}", &reply), 0);
	assert_int_equal(json_array_size(reply), 1);
	json_decref(reply);

	/* Withdrawn: gone from the FDB, and from the flood list. */
	fdb_msg(&b, RTM_DELNEIGH, 7, VM_X, "192.0.2.4");
	assert_int_equal(vx_evpn_parse(b.buf, b.len, &ev), 0);
	assert_int_equal(vx_evpn_apply(&e, &ev, err, sizeof(err)), 0);
	assert_int_equal(verb(vi, "show fdb", "{}", &reply), 0);
	assert_int_equal(json_array_size(reply), 0);
	json_decref(reply);
	fdb_msg(&b, RTM_DELNEIGH, 7, zero, "192.0.2.3");
	assert_int_equal(vx_evpn_parse(b.buf, b.len, &ev), 0);
	assert_int_equal(vx_evpn_apply(&e, &ev, err, sizeof(err)), 0);
	m = inner(BCAST, VM_A, 60, 1);
	run(vi, RED, &m, 1, next);
	assert_string_equal(drop_name(vi, next[0]), "no-vtep");
	rte_pktmbuf_free(m);

	/* On a device that is not a known vxlan device: not ours. */
	fdb_msg(&b, RTM_NEWNEIGH, 9, VM_X, "192.0.2.4");
	assert_int_equal(vx_evpn_parse(b.buf, b.len, &ev), 0);
	assert_int_equal(vx_evpn_apply(&e, &ev, err, sizeof(err)), 1);
	/* A neighbour of another family: not EVPN's. */
	{
		struct ndmsg nd = {.ndm_family = AF_INET, .ndm_ifindex = 7};

		nlb_start(&b, RTM_NEWNEIGH, &nd, sizeof(nd));
		nlb_attr(&b, NDA_LLADDR, VM_X, 6);
		nlb_done(&b);
		assert_int_equal(vx_evpn_parse(b.buf, b.len, &ev), 0);
		assert_int_equal(ev.kind, VX_EV_NONE);
	}

	/* The write-back of a local MAC. */
	n = vx_evpn_local_msg(out, sizeof(out), 12, VM_A, false);
	assert_int_equal(n, NLMSG_LENGTH(sizeof(struct ndmsg)) + RTA_SPACE(6));
	{
		const struct nlmsghdr *nh = (const void *)out;
		const struct ndmsg *nd = NLMSG_DATA(nh);
		const struct rtattr *a =
			(const void *)((const char *)nd +
				       NLMSG_ALIGN(sizeof(*nd)));

		assert_int_equal(nh->nlmsg_type, RTM_NEWNEIGH);
		assert_int_equal(nd->ndm_family, AF_BRIDGE);
		assert_int_equal(nd->ndm_ifindex, 12);
		assert_int_equal(nd->ndm_flags, NTF_MASTER);
		assert_int_equal(nd->ndm_state, NUD_REACHABLE);
		assert_int_equal(a->rta_type, NDA_LLADDR);
		assert_memory_equal(RTA_DATA(a), VM_A, 6);
	}
	assert_int_equal(vx_evpn_local_msg(out, 8, 12, VM_A, true), 0);
	vnf_instance_destroy(vi);
}

/* The row of show fdb for mac (lower-case text) in vni, or NULL. */
static json_t *
fdb_row(struct vnf_instance *vi, const char *mac, int vni)
{
	static json_t *last;
	json_t *reply, *row, *found = NULL;
	size_t i;

	json_decref(last);
	last = NULL;
	assert_int_equal(verb(vi, "show fdb", "{}", &reply), 0);
	json_array_foreach(reply, i, row) {
		const char *m = json_string_value(json_object_get(row, "mac"));

		if (m != NULL && !strcasecmp(m, mac) &&
		    json_integer_value(json_object_get(row, "vni")) == vni)
			found = row;
	}
	last = reply;
	return found;
}

static const char *
fdb_origin(struct vnf_instance *vi, const char *mac, int vni)
{
	json_t *row = fdb_row(vi, mac, vni);

	return row ? json_string_value(json_object_get(row, "origin"))
		   : "(none)";
}

/* Apply one netlink message to e; what vx_evpn_apply() returned. */
static int
evpn_feed(struct vx_evpn *e, const struct nlb *b)
{
	struct vx_evpn_ev ev;
	char err[256] = "";
	int rc;

	assert_int_equal(vx_evpn_parse(b->buf, b->len, &ev), 0);
	rc = vx_evpn_apply(e, &ev, err, sizeof(err));
	if (rc < 0)
		fail_msg("vx_evpn_apply: %d %s", rc, err);
	return rc;
}

static void
test_evpn_config(void **state)
{
	struct ctl_config *cfg;
	char err[512] = "";

	(void)state;
	cfg = load(HEAD ", nexthop_mac: \"02:00:00:00:0a:fe\", "
			"evpn: {netns: evpn-ns}}\n",
		   err, sizeof(err));
	if (!cfg)
		fail_msg("%s", err);
	assert_string_equal(
		((const struct vx_config *)cfg->vnfs[0].priv)->evpn_netns,
		"evpn-ns");
	ctl_config_free(cfg);
	cfg = load(HEAD "}\n", err, sizeof(err));
	assert_non_null(cfg);
	assert_string_equal(
		((const struct vx_config *)cfg->vnfs[0].priv)->evpn_netns, "");
	ctl_config_free(cfg);
	load_fails(", nexthop_mac: \"02:00:00:00:0a:fe\", evpn: {}",
		   "vnfs[0].evpn.netns: missing (required)");
	load_fails(", nexthop_mac: \"02:00:00:00:0a:fe\", evpn: {netns: a/b}",
		   "vnfs[0].evpn.netns: \"a/b\" is not a valid network "
		   "namespace name");
	load_fails(", nexthop_mac: \"02:00:00:00:0a:fe\", evpn: {netns: ..}",
		   "is not a valid network namespace name");
	load_fails(
		", nexthop_mac: \"02:00:00:00:0a:fe\", evpn: {netns: "
		"\"0123456789012345678901234567890123456789012345678901234567"
		"890123\"}",
		"is not a valid network namespace name (1..63 characters");
	load_fails(", evpn: {netns: evpn-ns}",
		   "vnfs[0].nexthop_mac: missing: EVPN's remote VTEPs need");
	load_fails(", nexthop_mac: \"02:00:00:00:0a:fe\", evpn: {netns: n, "
		   "table: 5}",
		   "table");
}

#define EVPN_VX                                                                \
	", nexthop_mac: \"02:00:00:00:0a:fe\", fdb_size: 1024, aging_time: "   \
	"1, "                                                                  \
	"evpn: {netns: evpn-ns}"

/* Local MACs: recorded by the worker path, read by vx_evpn_locals(), and
 * what makes them stop being local. */
static void
test_evpn_local(void **state)
{
	static const uint8_t zero[6];
	static const uint8_t VM_L[6] = {2, 0, 0, 0, 0, 0x1};
	struct vnf_instance *vi =
		vx_new(EVPN_VX ", vteps: [{ip: 192.0.2.2, mac: "
			       "\"02:00:00:00:0b:02\"}]" FDB100);
	struct vx_evpn e = {.vi = vi};
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC, .ifi_index = 7};
	uint64_t keys[8];
	uint8_t mac[6];
	uint32_t gen = 0, vni = 100;
	unsigned int n = 0;
	struct rte_mbuf *m[4];
	uint16_t next[4];
	struct nlb b;

	(void)state;
	assert_true(vx_evpn_is(vi));
	/* Two frames from L, one from a multicast source, one from A, one
	 * burst: L and A are local, once each. */
	m[0] = inner(BCAST, VM_L, 60, 1);
	m[1] = inner(BCAST, VM_L, 60, 2);
	m[2] = inner(BCAST, BCAST, 60, 3);
	m[3] = inner(VM_X, VM_A, 60, 4);
	run(vi, RED, m, 4, next);
	rte_pktmbuf_free_bulk(m, 4);
	emit_free();
	assert_int_equal(ctr(vi, "local-learned"), 2);
	assert_int_equal(vx_evpn_locals(vi, &gen, keys, 8, &n), 0);
	assert_int_equal(n, 2);
	assert_true(keys[0] < keys[1]);
	assert_int_equal(vx_evpn_key_iface(keys[0]), RED);
	vx_evpn_key_mac(keys[0], mac);
	assert_memory_equal(mac, VM_L, 6);
	/* Nothing changed: nothing read. */
	assert_int_equal(vx_evpn_locals(vi, &gen, keys, 8, &n), -EALREADY);
	assert_string_equal(fdb_origin(vi, "02:00:00:00:00:01", 100), "local");
	assert_string_equal(
		json_string_value(json_object_get(
			fdb_row(vi, "02:00:00:00:00:01", 100), "vtep")),
		"local");
	/* Seen again: refreshed, not learned again. */
	m[0] = inner(BCAST, VM_L, 60, 1);
	run(vi, RED, m, 1, next);
	rte_pktmbuf_free(m[0]);
	emit_free();
	assert_int_equal(ctr(vi, "local-learned"), 2);

	/* A frame to a local MAC (the switch forgot it): flooded, never
	 * sent to the VTEP of slot 0. */
	m[0] = inner(VM_L, VM_A, 60, 1);
	run(vi, RED, m, 1, next);
	assert_string_equal(drop_name(vi, next[0]), "no-vtep");
	rte_pktmbuf_free(m[0]);

	/* The static entry of the config (R at .2) seen locally: not
	 * local, counted. */
	m[0] = inner(BCAST, VM_R, 60, 1);
	run(vi, RED, m, 1, next);
	rte_pktmbuf_free(m[0]);
	assert_int_equal(ctr(vi, "static-mac-seen-elsewhere"), 1);
	assert_string_equal(fdb_origin(vi, "02:00:00:00:00:22", 100), "config");

	/* EVPN: the vxlan device, then X behind .3 (type 2). */
	vxlan_link_msg(&b, &ifi, vni, 4);
	assert_int_equal(evpn_feed(&e, &b), 0);
	fdb_msg(&b, RTM_NEWNEIGH, 7, VM_X, "192.0.2.3");
	assert_int_equal(evpn_feed(&e, &b), 0);
	assert_string_equal(fdb_origin(vi, "02:00:00:00:00:99", 100), "evpn");
	/* EVPN may not replace the config's static entry. */
	fdb_msg(&b, RTM_NEWNEIGH, 7, VM_R, "192.0.2.3");
	{
		struct vx_evpn_ev ev;
		char err[256] = "";

		assert_int_equal(vx_evpn_parse(b.buf, b.len, &ev), 0);
		assert_int_equal(vx_evpn_apply(&e, &ev, err, sizeof(err)),
				 -EEXIST);
		assert_non_null(strstr(err, "has a static entry"));
	}
	/* X moves here (a VM that moved): local, and EVPN's delete that
	 * follows does not remove it. */
	m[0] = inner(BCAST, VM_X, 60, 1);
	run(vi, RED, m, 1, next);
	rte_pktmbuf_free(m[0]);
	emit_free();
	assert_int_equal(ctr(vi, "local-moved"), 1);
	assert_string_equal(fdb_origin(vi, "02:00:00:00:00:99", 100), "local");
	fdb_msg(&b, RTM_DELNEIGH, 7, VM_X, "192.0.2.3");
	assert_int_equal(evpn_feed(&e, &b), 1);
	assert_string_equal(fdb_origin(vi, "02:00:00:00:00:99", 100), "local");
	assert_int_equal(vx_evpn_locals(vi, &gen, keys, 8, &n), 0);
	assert_int_equal(n, 3);
	/* Zebra installs X as remote again (it moved away: a later
	 * sequence number): EVPN's entry replaces the local one. */
	fdb_msg(&b, RTM_NEWNEIGH, 7, VM_X, "192.0.2.3");
	assert_int_equal(evpn_feed(&e, &b), 0);
	assert_string_equal(fdb_origin(vi, "02:00:00:00:00:99", 100), "evpn");

	/* L's frames come from .2 now (the VM moved away): remote. */
	m[0] = outer4("192.0.2.2", "192.0.2.1", 4789, 0x08, 100, VM_L, 64);
	run(vi, UNDER, m, 1, next);
	assert_int_equal(next[0], RED);
	rte_pktmbuf_free(m[0]);
	assert_string_equal(fdb_origin(vi, "02:00:00:00:00:01", 100),
			    "learned");
	assert_int_equal(vx_evpn_locals(vi, &gen, keys, 8, &n), 0);
	assert_int_equal(n, 1); /* A */
	vx_evpn_key_mac(keys[0], mac);
	assert_memory_equal(mac, VM_A, 6);

	/* A ages out (aging_time 1 s): no local MAC left. */
	vi->ops->periodic(vi, rte_rdtsc() + 5 * rte_get_tsc_hz());
	assert_int_equal(vx_evpn_locals(vi, &gen, keys, 8, &n), 0);
	assert_int_equal(n, 0);

	/* A resync's flush: EVPN's entries and VTEPs go, the config's
	 * stay. */
	fdb_msg(&b, RTM_NEWNEIGH, 7, zero, "192.0.2.4");
	assert_int_equal(evpn_feed(&e, &b), 0);
	assert_int_equal(vx_evpn_flush(vi), 0);
	assert_string_equal(fdb_origin(vi, "02:00:00:00:00:99", 100), "(none)");
	assert_string_equal(fdb_origin(vi, "02:00:00:00:00:22", 100), "config");
	{
		json_t *reply;

		assert_int_equal(verb(vi, "show vtep", "{}", &reply), 0);
		assert_int_equal(json_array_size(reply), 1);
		assert_string_equal(
			json_string_value(json_object_get(
				json_array_get(reply, 0), "origin")),
			"config");
		json_decref(reply);
	}
	fdb_row(vi, "", 0); /* frees the last reply */
	vnf_instance_destroy(vi);
}

/* Message kinds the glue must not take for EVPN routes, malformed ones,
 * and the VTEPs EVPN made going when nothing of them is left. */
static void
test_evpn_kinds(void **state)
{
	static const uint8_t zero[6];
	static const uint8_t GROUP[6] = {0x01, 0x00, 0x5e, 0, 0, 1};
	struct vnf_instance *vi =
		vx_new(", nexthop_mac: \"02:00:00:00:0a:fe\"");
	struct vx_evpn e = {.vi = vi};
	struct vx_evpn_ev ev;
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC, .ifi_index = 8};
	uint32_t vni = 300, v100 = 100;
	uint8_t out[128];
	json_t *reply;
	struct nlb b;
	size_t n;

	(void)state;
	/* A vxlan device of a VNI that is not ours: not ours. */
	vxlan_link_msg(&b, &ifi, vni, 4);
	assert_int_equal(evpn_feed(&e, &b), 1);
	assert_int_equal(e.n_links, 0);
	/* A bridge device: no EVPN. */
	nlb_start(&b, RTM_NEWLINK, &ifi, sizeof(ifi));
	nlb_nest(&b, IFLA_LINKINFO);
	nlb_attr(&b, IFLA_INFO_KIND, "bridge", 7);
	nlb_end(&b);
	nlb_done(&b);
	assert_int_equal(vx_evpn_parse(b.buf, b.len, &ev), 0);
	assert_int_equal(ev.kind, VX_EV_NONE);
	/* A vxlan device without its VNI: malformed. */
	vxlan_link_msg(&b, &ifi, vni, 2);
	assert_int_equal(vx_evpn_parse(b.buf, b.len, &ev), -EINVAL);

	/* nfvd's own write-back, as the kernel echoes it (no NDA_DST), and
	 * the bridge's own entries: not EVPN routes. */
	n = vx_evpn_local_msg(out, sizeof(out), 12, VM_A, false);
	assert_int_equal(vx_evpn_parse(out, n, &ev), 0);
	assert_int_equal(ev.kind, VX_EV_NONE);
	/* A group MAC with a remote end (a multicast default): none. */
	fdb_msg(&b, RTM_NEWNEIGH, 7, GROUP, "239.1.1.1");
	assert_int_equal(vx_evpn_parse(b.buf, b.len, &ev), 0);
	assert_int_equal(ev.kind, VX_EV_NONE);
	/* Malformed: a 5-byte address, a 4-byte MAC, a 2-byte VNI. */
	{
		struct ndmsg nd = {.ndm_family = AF_BRIDGE, .ndm_ifindex = 7};
		uint8_t a[5] = {192, 0, 2, 9, 9};

		nlb_start(&b, RTM_NEWNEIGH, &nd, sizeof(nd));
		nlb_attr(&b, NDA_LLADDR, VM_X, 6);
		nlb_attr(&b, NDA_DST, a, 5);
		nlb_done(&b);
		assert_int_equal(vx_evpn_parse(b.buf, b.len, &ev), -EINVAL);
		nlb_start(&b, RTM_NEWNEIGH, &nd, sizeof(nd));
		nlb_attr(&b, NDA_LLADDR, VM_X, 4);
		nlb_attr(&b, NDA_DST, a, 4);
		nlb_done(&b);
		assert_int_equal(vx_evpn_parse(b.buf, b.len, &ev), -EINVAL);
		nlb_start(&b, RTM_NEWNEIGH, &nd, sizeof(nd));
		nlb_attr(&b, NDA_LLADDR, VM_X, 6);
		nlb_attr(&b, NDA_DST, a, 4);
		nlb_attr(&b, NDA_VNI, &vni, 2);
		nlb_done(&b);
		assert_int_equal(vx_evpn_parse(b.buf, b.len, &ev), -EINVAL);
		/* NDA_VNI of a VNI that is not ours: not ours. */
		nlb_start(&b, RTM_NEWNEIGH, &nd, sizeof(nd));
		nlb_attr(&b, NDA_LLADDR, VM_X, 6);
		nlb_attr(&b, NDA_DST, a, 4);
		nlb_attr(&b, NDA_VNI, &vni, 4);
		nlb_done(&b);
		assert_int_equal(evpn_feed(&e, &b), 1);
		/* NDA_VNI 100 (one external device for every VNI): ours,
		 * whatever the device. */
		nlb_start(&b, RTM_NEWNEIGH, &nd, sizeof(nd));
		nlb_attr(&b, NDA_LLADDR, VM_X, 6);
		nlb_attr(&b, NDA_DST, a, 4);
		nlb_attr(&b, NDA_VNI, &v100, 4);
		nlb_done(&b);
		assert_int_equal(evpn_feed(&e, &b), 0);
		assert_string_equal(fdb_origin(vi, "02:00:00:00:00:99", 100),
				    "evpn");
		assert_string_equal(
			json_string_value(json_object_get(
				fdb_row(vi, "02:00:00:00:00:99", 100), "vtep")),
			"192.0.2.9");
	}

	/* The VTEP EVPN made for that MAC (.9) floods VNI 100 too; its
	 * type 3 withdrawn, it stays while the MAC is there; the MAC
	 * withdrawn, the VTEP goes. */
	{
		struct ndmsg nd = {.ndm_family = AF_BRIDGE, .ndm_ifindex = 7};
		uint8_t a[4] = {192, 0, 2, 9};
		const char *const kinds[2] = {"vtep", "mac"};
		unsigned int k;

		for (k = 0; k < 2; k++) {
			nlb_start(&b, k ? RTM_DELNEIGH : RTM_NEWNEIGH, &nd,
				  sizeof(nd));
			nlb_attr(&b, NDA_LLADDR, zero, 6);
			nlb_attr(&b, NDA_DST, a, 4);
			nlb_attr(&b, NDA_VNI, &v100, 4);
			nlb_done(&b);
			assert_int_equal(evpn_feed(&e, &b), 0);
		}
		assert_int_equal(verb(vi, "show vtep", "{}", &reply), 0);
		assert_int_equal(json_array_size(reply), 1);
		assert_string_equal(
			json_string_value(json_object_get(
				json_array_get(reply, 0), "origin")),
			"evpn");
		json_decref(reply);
		nlb_start(&b, RTM_DELNEIGH, &nd, sizeof(nd));
		nlb_attr(&b, NDA_LLADDR, VM_X, 6);
		nlb_attr(&b, NDA_DST, a, 4);
		nlb_attr(&b, NDA_VNI, &v100, 4);
		nlb_done(&b);
		assert_int_equal(evpn_feed(&e, &b), 0);
		assert_int_equal(verb(vi, "show vtep", "{}", &reply), 0);
		assert_int_equal(json_array_size(reply), 0);
		json_decref(reply);
		(void)kinds;
		/* A delete of what is gone: not ours, no error. */
		assert_int_equal(evpn_feed(&e, &b), 1);
	}
	/* A VTEP of a verb keeps its place when EVPN withdraws the VNI. */
	assert_int_equal(
		verb(vi, "vtep add", "{\"ip\": \"192.0.2.5\"}", &reply), 0);
	json_decref(reply);
	{
		struct ndmsg nd = {.ndm_family = AF_BRIDGE, .ndm_ifindex = 7};
		uint8_t a[4] = {192, 0, 2, 5};

		nlb_start(&b, RTM_NEWNEIGH, &nd, sizeof(nd));
		nlb_attr(&b, NDA_LLADDR, zero, 6);
		nlb_attr(&b, NDA_DST, a, 4);
		nlb_attr(&b, NDA_VNI, &v100, 4);
		nlb_done(&b);
		assert_int_equal(evpn_feed(&e, &b), 0);
		((struct nlmsghdr *)(void *)b.buf)->nlmsg_type = RTM_DELNEIGH;
		assert_int_equal(evpn_feed(&e, &b), 0);
	}
	assert_int_equal(verb(vi, "show vtep", "{}", &reply), 0);
	assert_int_equal(json_array_size(reply), 1);
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(reply, 0), "origin")),
			    "verb");
	json_decref(reply);
	/* origin is evpn or nothing. */
	verb_fails(vi, "fdb del",
		   "{\"mac\": \"02:00:00:00:00:99\", \"vni\": 100, "
		   "\"origin\": \"zebra\"}",
		   "origin: \"zebra\" is not evpn");
	fdb_row(vi, "", 0);
	vnf_instance_destroy(vi);
}

/* ---- Geneve (encap: geneve) -------------------------------------------- */

static void
test_geneve_config(void **state)
{
	const struct vx_config *xc;
	struct ctl_config *cfg;
	char err[512] = "";

	(void)state;
	cfg = load(HEAD ", encap: geneve}\n", err, sizeof(err));
	if (!cfg)
		fail_msg("%s", err);
	xc = cfg->vnfs[0].priv;
	assert_int_equal(xc->encap, VX_ENCAP_GENEVE);
	assert_int_equal(xc->udp_port, 6081);
	ctl_config_free(cfg);
	cfg = load(HEAD ", encap: geneve, udp_port: 7000}\n", err, sizeof(err));
	if (!cfg)
		fail_msg("%s", err);
	xc = cfg->vnfs[0].priv;
	assert_int_equal(xc->udp_port, 7000);
	ctl_config_free(cfg);
	cfg = load(HEAD ", encap: vxlan}\n", err, sizeof(err));
	if (!cfg)
		fail_msg("%s", err);
	xc = cfg->vnfs[0].priv;
	assert_int_equal(xc->encap, VX_ENCAP_VXLAN);
	assert_int_equal(xc->udp_port, 4789);
	ctl_config_free(cfg);
	load_fails(", encap: gre",
		   "vnfs[0].encap: \"gre\" is not one of: vxlan, geneve");
	load_fails(", encap: geneve, nexthop_mac: \"02:00:00:00:0a:fe\", "
		   "evpn: {netns: evpn-ns}",
		   "vnfs[0].encap: geneve cannot be used with evpn");
}

static void
test_geneve_encap(void **state)
{
	struct vnf_instance *vi = vx_new(FULL FDB100 ", encap: geneve");
	struct rte_mbuf *m = inner(VM_R, VM_A, 100, 1000);
	uint8_t copy[100];
	uint16_t next[1];
	const uint8_t *p;
	json_t *d;

	(void)state;
	memcpy(copy, rte_pktmbuf_mtod(m, void *), 100);
	run(vi, RED, &m, 1, next);
	assert_int_equal(next[0], UNDER);
	/* The same 50 bytes as VXLAN: Ethernet, IPv4 (its checksum), UDP. */
	assert_int_equal(rte_pktmbuf_pkt_len(m), 150);
	p = rte_pktmbuf_mtod(m, const uint8_t *);
	assert_memory_equal(p, MAC_T2, 6);
	assert_int_equal(be16(p + 12), 0x0800);
	assert_int_equal(be16(p + 14 + 2), 136);
	assert_int_equal(rte_raw_cksum(p + 14, 20), 0xffff);
	assert_true(be16(p + 34) >= 49152);
	assert_int_equal(be16(p + 36), 6081);
	assert_int_equal(be16(p + 38), 116);
	/* Ver 0, Opt Len 0, O and C clear, TEB, VNI 100, reserved 0. */
	{
		static const uint8_t want[8] = {0, 0, 0x65, 0x58, 0, 0, 100, 0};

		assert_memory_equal(p + 42, want, 8);
	}
	assert_memory_equal(p + 50, copy, 100);
	assert_int_equal(ctr(vi, "encapsulated"), 1);
	rte_pktmbuf_free(m);
	d = vx_details(vi);
	assert_non_null(d);
	assert_string_equal(json_string_value(json_object_get(d, "encap")),
			    "geneve");
	assert_int_equal(json_integer_value(json_object_get(d, "udp_port")),
			 6081);
	json_decref(d);
	vnf_instance_destroy(vi);
}

/*
 * A Geneve packet from VTEP 192.0.2.3 to us (VNI 100, port 6081): first
 * byte b0 (version and Opt Len), second b1 (O, C), protocol `proto`, then
 * b0's Opt Len words of options (a non-critical TLV each) and an inner
 * frame of ilen bytes from VM_X.
 */
static struct rte_mbuf *
geneve4(uint8_t b0, uint8_t b1, uint16_t proto, uint16_t ilen)
{
	uint16_t olen = (uint16_t)((b0 & 0x3f) * 4);
	uint16_t len = (uint16_t)(50 + olen + ilen);
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	uint8_t *p;
	unsigned int i;

	assert_non_null(m);
	p = (uint8_t *)rte_pktmbuf_append(m, len);
	if (p == NULL)
		fail_msg("no room for %u bytes", len);
	if (p == NULL)
		return m;
	outer4_udp(p, len, MAC_T3, "192.0.2.3", "192.0.2.1", 6081);
	p[42] = b0;
	p[43] = b1;
	p[44] = (uint8_t)(proto >> 8);
	p[45] = (uint8_t)proto;
	p[48] = 100;
	/* Options: class 0x0101, type 0x01 (critical bit 0x80 clear), one
	 * word of data each. */
	for (i = 0; i + 8 <= olen; i += 8) {
		p[50 + i] = 1;
		p[50 + i + 1] = 1;
		p[50 + i + 2] = 1;
		p[50 + i + 3] = 1;
		memset(p + 50 + i + 4, 0xee, 4);
	}
	p += 50 + olen;
	memcpy(p, VM_A, 6);
	memcpy(p + 6, VM_X, 6);
	p[12] = 0x08;
	for (i = 14; i < ilen; i++)
		p[i] = (uint8_t)i;
	return m;
}

/* Make the outer IPv4 and UDP lengths say what m holds now. */
static void
geneve_fix_len(struct rte_mbuf *m)
{
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
	uint16_t l = (uint16_t)rte_pktmbuf_pkt_len(m);

	p[16] = (uint8_t)((l - 14) >> 8);
	p[17] = (uint8_t)(l - 14);
	p[38] = (uint8_t)((l - 34) >> 8);
	p[39] = (uint8_t)(l - 34);
}

/*
 * Every option length (0..63 words) and every packet length from the
 * bare headers up, the IP and UDP lengths agreeing: the inner frame is
 * exactly what follows the options, or the packet is dropped as
 * bad-outer (options past the datagram) or inner-runt; never read past
 * the packet.
 */
static void
test_geneve_optlen(void **state)
{
	struct vnf_instance *vi = vx_new(FULL FDB100 ", encap: geneve");
	unsigned int words, cut;
	uint16_t next[1];

	(void)state;
	for (words = 0; words < 64; words++) {
		unsigned int hdr = 50 + words * 4;

		for (cut = 50; cut <= hdr + 20; cut++) {
			struct rte_mbuf *m =
				geneve4((uint8_t)words, 0, 0x6558, 20);

			rte_pktmbuf_trim(m, rte_pktmbuf_pkt_len(m) - cut);
			geneve_fix_len(m);
			run(vi, UNDER, &m, 1, next);
			if (cut < hdr)
				assert_string_equal(drop_name(vi, next[0]),
						    "bad-outer");
			else if (cut < hdr + 14)
				assert_string_equal(drop_name(vi, next[0]),
						    "inner-runt");
			else {
				assert_int_equal(next[0], RED);
				assert_int_equal(rte_pktmbuf_pkt_len(m),
						 cut - hdr);
				assert_memory_equal(
					rte_pktmbuf_mtod(m, uint8_t *), VM_A,
					6);
			}
			rte_pktmbuf_free(m);
		}
	}
	vnf_instance_destroy(vi);
}

static void
test_geneve_decap(void **state)
{
	struct vnf_instance *vi = vx_new(FULL FDB100 ", encap: geneve");
	struct rte_mbuf *m[8];
	uint16_t next[8];
	uint8_t want[64];
	unsigned int i;

	(void)state;
	m[0] = geneve4(0, 0, 0x6558, 64);
	m[1] = geneve4(2, 0, 0x6558, 64);    /* 2 words of options */
	m[2] = geneve4(2, 0x40, 0x6558, 64); /* C: a critical option */
	m[3] = geneve4(0x40, 0, 0x6558, 64); /* version 1 */
	m[4] = geneve4(0, 0, 0x0800, 64);    /* not Ethernet */
	m[5] = geneve4(0, 0x80, 0x6558, 64); /* O: a control packet */
	m[6] = geneve4(0x3f, 0, 0x6558, 64); /* 252 option bytes ... */
	/* ... of which the packet has 64 + 48: the UDP length says so too,
	 * the options would run past it. */
	rte_pktmbuf_trim(m[6], 252 - 48);
	geneve_fix_len(m[6]);
	/* A VXLAN packet to the Geneve port: no TEB protocol. */
	m[7] = outer4("192.0.2.3", "192.0.2.1", 6081, 0x08, 100, VM_X, 64);
	run(vi, UNDER, m, 8, next);
	memcpy(want, VM_A, 6);
	memcpy(want + 6, VM_X, 6);
	want[12] = 0x08;
	want[13] = 0;
	for (i = 14; i < 64; i++)
		want[i] = (uint8_t)i;
	for (i = 0; i < 2; i++) {
		assert_int_equal(next[i], RED);
		assert_int_equal(rte_pktmbuf_pkt_len(m[i]), 64);
		assert_memory_equal(rte_pktmbuf_mtod(m[i], uint8_t *), want,
				    64);
	}
	assert_string_equal(drop_name(vi, next[2]), "geneve-critical");
	assert_string_equal(drop_name(vi, next[3]), "bad-geneve");
	assert_string_equal(drop_name(vi, next[4]), "bad-geneve");
	assert_string_equal(drop_name(vi, next[5]), "geneve-oam");
	assert_string_equal(drop_name(vi, next[6]), "bad-outer");
	assert_string_equal(drop_name(vi, next[7]), "bad-geneve");
	/* Drops are counted from next[] by the graph (dataplane/graph.c),
	 * as here: each packet once, by one reason. */
	for (i = 0; i < 8; i++)
		if (VNF_NEXT_IS_DROP(next[i]))
			vi->slots[0].counters[VNF_NEXT_COUNTER(next[i])]++;
	assert_int_equal(ctr(vi, "geneve-critical"), 1);
	assert_int_equal(ctr(vi, "geneve-oam"), 1);
	assert_int_equal(ctr(vi, "bad-geneve"), 3);
	assert_int_equal(ctr(vi, "bad-outer"), 1);
	assert_int_equal(ctr(vi, "decapsulated"), 2);
	assert_int_equal(ctr(vi, "learned"), 1);
	rte_pktmbuf_free_bulk(m, 8);

	/* A VXLAN instance drops Geneve as bad-vxlan (no I flag). */
	vnf_instance_destroy(vi);
	vi = vx_new(FULL FDB100 ", udp_port: 6081");
	m[0] = geneve4(0, 0, 0x6558, 64);
	run(vi, UNDER, m, 1, next);
	assert_string_equal(drop_name(vi, next[0]), "bad-vxlan");
	rte_pktmbuf_free(m[0]);
	vnf_instance_destroy(vi);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_encap_ipv4),
		cmocka_unit_test(test_encap_ipv6),
		cmocka_unit_test(test_flow_hash),
		cmocka_unit_test(test_flood),
		cmocka_unit_test(test_decap_learn),
		cmocka_unit_test(test_drops),
		cmocka_unit_test(test_copy_fails),
		cmocka_unit_test(test_arp),
		cmocka_unit_test(test_nd),
		cmocka_unit_test(test_verbs),
		cmocka_unit_test(test_evpn),
		cmocka_unit_test(test_evpn_config),
		cmocka_unit_test(test_evpn_local),
		cmocka_unit_test(test_evpn_kinds),
		cmocka_unit_test(test_geneve_config),
		cmocka_unit_test(test_geneve_encap),
		cmocka_unit_test(test_geneve_decap),
		cmocka_unit_test(test_geneve_optlen),
	};
	int rc;

	(void)argc;
	if (nfv_test_eal_init(argv[0], "ut-vxlan", 64) < 0)
		return 1;
	pool = rte_pktmbuf_pool_create("ut_vxlan", 1023, 0, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE,
				       (int)rte_socket_id());
	if (pool == NULL)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	rte_mempool_free(pool);
	nfv_test_eal_fini();
	return rc;
}
