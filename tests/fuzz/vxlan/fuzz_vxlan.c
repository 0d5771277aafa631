/* SPDX-License-Identifier: BSD-3-Clause
 *
 * fuzz_vxlan.c - feed arbitrary frames and control actions through three
 * vxlan instances via the real runner (dataplane/graph.c).
 *
 * Topology (port pN is graph port N):
 *   p0 - a.red (VNI 100)   p1 - a.blue (VNI 200)
 *   a.underlay - b.underlay          (two hosts back to back)
 *   p2 - b.red (VNI 100)   p3 - b.blue (VNI 200)
 *   p4 - c.underlay        p5 - c.red (VNI 100)
 *   p6 - d.underlay        p7 - d.red (VNI 100, Geneve)
 * a is 192.0.2.1 and 2001:db8::1, b 192.0.2.2 and 2001:db8::2, c
 * 192.0.2.1, d 192.0.2.1 with `encap: geneve`.  a floods VNI 100 to b and to
 * 192.0.2.9 (nobody: b drops it as not-local), VNI 200 to b over IPv4 and IPv6;
 * b floods both to a. So what a encapsulates b decapsulates and the other way
 * round; c takes raw underlay frames from p4, either random bytes or VXLAN
 * packets built field by field (dst, port, flags, VNI, lengths from small
 * sets), and d the same from p6 as Geneve packets (version, O and C bits,
 * protocol, 0..7 words of options). The FDBs have 16 entries (they fill) and
 * age after 1 s; time moves only when the input says so.
 *
 * The input is a little program, read byte by byte (missing bytes read as
 * 0): each op builds a frame (inner: any length 0..2000, MACs from a small
 * pool or random, optionally without headroom (flags 0x81) or in two segments;
 * or an outer VXLAN packet for p4) and queues it on an RX port, repeats the
 * last frame, submits the queued bursts, moves time and runs ageing, runs a
 * control verb (vtep add/del, fdb add/del/flush, shows) or an rtnetlink
 * message of the EVPN glue (vnf/vxlan/evpn.c), makes the ports
 * refuse part of what they are sent, or flips a port's link.
 *
 * Invariants checked (abort() on failure, so libFuzzer and ASan report
 * it): an inner frame that crossed the overlay leaves as long as it came
 * in (encapsulation and decapsulation undo each other); what leaves by p4
 * is an ARP reply or a well-formed VXLAN packet (IPv4 header checksum,
 * UDP port 4789 and length, the I flag, a VNI of c), by p6 an ARP reply
 * or a Geneve packet without options (port 6081, protocol 0x6558, VNI
 * 100); after every input
 * every mbuf is back in the pool and each instance counted every frame
 * it was handed exactly once, by its fate (tests/fuzz/common/fuzz_fates.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <jansson.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "control/config.h"
#include "dataplane/graph.h"
#include "tests/common/test_eal.h"
#include "tests/common/test_wctx.h"
#include "tests/common/test_wiring.h"
#include "tests/fuzz/common/fuzz_env.h"
#include "tests/fuzz/common/fuzz_fates.h"
#include "tests/fuzz/common/fuzz_frame.h"
#include "tests/fuzz/common/fuzz_prog.h"
#include "tests/fuzz/common/fuzz_queue.h"
#include "tests/fuzz/common/fuzz_vnf.h"
#include "vnf/lib/rcu.h"
#include "vnf/vnf.h"
#include "vnf/vxlan/config.h"
#include "vnf/vxlan/evpn.h"

#include <arpa/inet.h>
#include <linux/rtnetlink.h>

#define FZ_PORTS 8
#define FZ_POOL 8191
#define FZ_FRAME_MAX 2000
#define FZ_INST 4

#define FZ_CHECK(cond)                                                         \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "fuzz_vxlan: %s:%d: %s\n", __FILE__,   \
				__LINE__, #cond);                              \
			abort();                                               \
		}                                                              \
	} while (0)

static struct rte_mempool *fz_pool;
static struct nfv_wctx *fz_w;
static struct nfv_graph *fz_g;
static struct vnf_instance *fz_vi[FZ_INST];
static struct fz_queues fz_q;
static struct vx_evpn fz_ev; /* the EVPN glue's device table */
static unsigned int fz_accept = UINT_MAX;
static uint64_t fz_hz, fz_sent, fz_refused;

/* hash.usr of an inner frame: its length + 1 (0: an underlay frame). */

static uint16_t
be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* A frame that leaves by p4 (c's underlay) or p6 (d's): an ARP reply,
 * or VXLAN / Geneve. */
static void
fz_check_underlay(struct rte_mbuf *m, bool geneve)
{
	uint8_t b[14 + 40 + 16];
	const uint8_t *p;
	uint32_t len = rte_pktmbuf_pkt_len(m), l3;

	FZ_CHECK(len >= 14);
	p = rte_pktmbuf_read(m, 0, RTE_MIN(len, sizeof(b)), b);
	FZ_CHECK(p != NULL);
	if (be16(p + 12) == RTE_ETHER_TYPE_ARP) {
		FZ_CHECK(len >= 42 && be16(p + 20) == 2);
		return;
	}
	FZ_CHECK(be16(p + 12) == RTE_ETHER_TYPE_IPV4 && len >= 50);
	FZ_CHECK(rte_raw_cksum(p + 14, 20) == 0xffff);
	FZ_CHECK(be16(p + 16) == len - 14);
	l3 = 14 + 20;
	FZ_CHECK(be16(p + l3 + 2) == (geneve ? 6081 : 4789));
	FZ_CHECK(be16(p + l3 + 4) == len - l3);
	if (geneve)
		FZ_CHECK(p[l3 + 8] == 0 && p[l3 + 9] == 0 &&
			 be16(p + l3 + 10) == 0x6558);
	else
		FZ_CHECK(p[l3 + 8] == 0x08);
	FZ_CHECK(p[l3 + 12] == 0 && p[l3 + 13] == 0 && p[l3 + 14] == 100);
}

/* Worker: the ports' send hook.  Checks each frame and frees it. */
static uint16_t
fz_tx_burst(uint16_t port, uint16_t queue, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t take = n < fz_accept ? n : (uint16_t)fz_accept, i;
	const char *why = NULL;

	RTE_SET_USED(queue);
	FZ_CHECK(port < FZ_PORTS);
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		uint32_t len = rte_pktmbuf_pkt_len(m);

		FZ_CHECK(rte_mbuf_check(m, 1, &why) == 0);
		if (port == 4 || port == 6) {
			fz_check_underlay(m, port == 6);
			continue;
		}
		FZ_CHECK(len >= RTE_ETHER_HDR_LEN);
		/* Came in as an inner frame (not by p4): unchanged length. */
		if (m->hash.usr != 0)
			FZ_CHECK(len + 1 == m->hash.usr);
	}
	rte_pktmbuf_free_bulk(pkts, take);
	fz_sent += take;
	fz_refused += n - take;
	return take;
}

/* ---- set-up ---- */

static int
fz_vnf(const char *name, uint16_t id, const char *yaml,
       struct vnf_instance **out)
{
	struct ctl_config *cfg = NULL;
	char err[512] = "";
	int rc;

	rc = ctl_config_load_buffer(name, yaml, strlen(yaml), &cfg, err,
				    sizeof(err));
	if (rc == 0)
		rc = vnf_instance_create(&cfg->vnfs[0], id, 1, nfv_rcu(), out,
					 err, sizeof(err));
	if (rc < 0)
		fprintf(stderr, "fuzz_vxlan: %s\n", err);
	ctl_config_free(cfg);
	return rc;
}

#define FZ_VX(name, local, extra)                                              \
	"vnfs:\n  - {name: " name ", type: vxlan, ifaces: [{name: underlay}, " \
	"{name: red, vni: 100}, {name: blue, vni: 200}], local: " local ", "   \
	"mac: \"02:00:00:00:0a:01\", nexthop_mac: \"02:00:00:00:0a:fe\", "     \
	"fdb_size: 16, aging_time: 1" extra "}\n"

int
fz_init(const char *prog)
{
	unsigned int i;
	int rc;

	rc = fz_env_init(prog, "fz-vxlan", 128, FZ_POOL, &fz_pool);
	if (rc < 0)
		return rc;
	fz_hz = rte_get_tsc_hz();
	rc = fz_vnf("a", 0,
		    FZ_VX("a", "[192.0.2.1, \"2001:db8::1\"]",
			  ", vteps: [{ip: 192.0.2.2, vnis: [100, 200]}, "
			  "{ip: 192.0.2.9, vnis: [100]}, "
			  "{ip: \"2001:db8::2\", vnis: [200]}], "
			  /* Local MACs recorded (no thread runs). */
			  "evpn: {netns: fz-evpn}"),
		    &fz_vi[0]);
	if (rc == 0)
		rc = fz_vnf(
			"b", 1,
			FZ_VX("b", "[192.0.2.2, \"2001:db8::2\"]",
			      ", vteps: [{ip: 192.0.2.1, vnis: [100, 200]}]"),
			&fz_vi[1]);
	if (rc == 0)
		rc = fz_vnf("c", 2,
			    "vnfs:\n  - {name: c, type: vxlan, ifaces: [{name: "
			    "underlay}, {name: red, vni: 100}], local: "
			    "[192.0.2.1], mac: \"02:00:00:00:0a:01\", "
			    "nexthop_mac: \"02:00:00:00:0a:fe\", fdb_size: 16, "
			    "aging_time: 1, vteps: [{ip: 192.0.2.2, vnis: "
			    "[100]}, {ip: 192.0.2.3, vnis: [100]}]}\n",
			    &fz_vi[2]);
	if (rc == 0)
		rc = fz_vnf(
			"d", 3,
			"vnfs:\n  - {name: d, type: vxlan, encap: geneve, "
			"ifaces: [{name: underlay}, {name: red, vni: 100}], "
			"local: [192.0.2.1], mac: \"02:00:00:00:0a:01\", "
			"nexthop_mac: \"02:00:00:00:0a:fe\", fdb_size: 16, "
			"aging_time: 1, vteps: [{ip: 192.0.2.2, vnis: "
			"[100]}]}\n",
			&fz_vi[3]);
	if (rc < 0)
		return rc;

	fz_g = nfv_graph_alloc();
	fz_w = nfv_test_wctx_new(fz_pool, fz_tx_burst, UINT64_C(1) << 40);
	if (fz_g == NULL || fz_w == NULL)
		return -ENOMEM;
	for (i = 0; i < FZ_INST; i++)
		nfv_test_graph_add(fz_g, fz_vi[i]);
	nfv_test_link_port(fz_g, 0, 0, 1);
	nfv_test_link_port(fz_g, 1, 0, 2);
	nfv_test_link_vnf(fz_g, 0, 0, 1, 0);
	nfv_test_link_port(fz_g, 2, 1, 1);
	nfv_test_link_port(fz_g, 3, 1, 2);
	nfv_test_link_port(fz_g, 4, 2, 0);
	nfv_test_link_port(fz_g, 5, 2, 1);
	nfv_test_link_port(fz_g, 6, 3, 0);
	nfv_test_link_port(fz_g, 7, 3, 1);
	fz_queue_init(&fz_q, fz_w, fz_g, FZ_PORTS);
	return 0;
}

int
fz_fini(void)
{
	unsigned int i;

	for (i = 0; i < FZ_INST; i++)
		vnf_instance_destroy(fz_vi[i]);
	nfv_graph_free(fz_g);
	nfv_test_wctx_free(fz_w);
	return fz_env_fini(fz_pool);
}

/* ---- control ---- */

static const char *const fz_addrs[] = {
	"192.0.2.1",   "192.0.2.2",   "192.0.2.3",   "192.0.2.9",
	"2001:db8::1", "2001:db8::2", "2001:db8::9", "bogus",
};

static const uint8_t fz_macs[8][6] = {
	{0x02, 0, 0, 0, 0, 0x0a},
	{0x02, 0, 0, 0, 0, 0x0b},
	{0x02, 0, 0, 0, 0, 0x0c},
	{0x02, 0, 0, 0, 0, 0x0d},
	{0x02, 0, 0, 0, 0, 0x0e},
	{0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
	{0x01, 0x00, 0x5e, 0x00, 0x00, 0x01},
	{0x33, 0x33, 0, 0, 0, 0x01},
};

static int
fz_verb(struct vnf_instance *vi, const char *verb, json_t *args)
{
	json_t *reply = NULL;
	int rc = vnf_verb_call(vi, verb, args, &reply);

	json_decref(reply);
	json_decref(args);
	return rc;
}

/* A control action on instance vi from two input bytes.  Errors are
 * fine (a request may be wrong); crashes and leaks are not. */
static void
fz_ctl(struct vnf_instance *vi, uint8_t what, uint8_t arg)
{
	const char *addr = fz_addrs[arg % RTE_DIM(fz_addrs)];
	char mac[RTE_ETHER_ADDR_FMT_SIZE];
	json_t *reply;
	int vni = (arg & 0x10) ? 200 : (arg & 0x20) ? 300 : 100;

	rte_ether_format_addr(mac, sizeof(mac),
			      (const void *)fz_macs[(arg >> 3) % 8]);
	switch (what % 9) {
	case 0:
		fz_verb(vi, "vtep add",
			json_pack("{s:s, s:i}", "ip", addr, "vni", vni));
		break;
	case 1:
		fz_verb(vi, "vtep add",
			json_pack("{s:s, s:s}", "ip", addr, "mac",
				  "02:00:00:00:0b:09"));
		break;
	case 2:
		fz_verb(vi, "vtep del",
			json_pack("{s:s, s:i}", "ip", addr, "vni", vni));
		break;
	case 3:
		fz_verb(vi, "vtep del", json_pack("{s:s}", "ip", addr));
		break;
	case 4:
		fz_verb(vi, "fdb add",
			json_pack("{s:s, s:i, s:s}", "mac", mac, "vni", vni,
				  "vtep", addr));
		break;
	case 5:
		fz_verb(vi, "fdb del",
			json_pack("{s:s, s:i}", "mac", mac, "vni", vni));
		break;
	case 6:
		FZ_CHECK(fz_verb(vi, "fdb flush", NULL) == 0);
		break;
	case 7:
		FZ_CHECK(fz_verb(vi, "show fdb", NULL) == 0);
		FZ_CHECK(fz_verb(vi, "show vtep", NULL) == 0);
		break;
	case 8:
		FZ_CHECK((reply = vi->ops->details(vi)) != NULL);
		json_decref(reply);
		break;
	}
}

/*
 * An rtnetlink message for the EVPN glue (vnf/vxlan/evpn.c): a header
 * of one of its four types, then input bytes.  What parses is applied to
 * a, when its address is one fz_reset() cleans up (so that every input
 * starts from the same VTEPs).
 */
static void
fz_evpn(struct fz_in *in, uint8_t sel)
{
	static const uint16_t types[] = {RTM_NEWLINK, RTM_DELLINK, RTM_NEWNEIGH,
					 RTM_DELNEIGH};
	union {
		struct nlmsghdr nh;
		uint8_t b[160];
	} u;
	struct vx_evpn_ev ev;
	char err[256], ip[INET6_ADDRSTRLEN] = "";
	size_t len = NLMSG_HDRLEN + fz_u8(in) % (sizeof(u) - NLMSG_HDRLEN);
	unsigned int i;

	memset(&u, 0, sizeof(u));
	for (i = NLMSG_HDRLEN; i < len; i++)
		u.b[i] = fz_u8(in);
	u.nh.nlmsg_len = (uint32_t)len;
	u.nh.nlmsg_type = types[sel % 4];
	if (vx_evpn_parse(u.b, len, &ev) != 0 || ev.kind == VX_EV_NONE)
		return;
	if (ev.has_addr)
		inet_ntop(ev.addr.family, ev.addr.addr, ip, sizeof(ip));
	for (i = 0; i < RTE_DIM(fz_addrs); i++)
		if (strcmp(ip, fz_addrs[i]) == 0)
			break;
	if (ev.kind != VX_EV_LINK && i == RTE_DIM(fz_addrs))
		return;
	fz_ev.vi = fz_vi[0];
	(void)vx_evpn_apply(&fz_ev, &ev, err, sizeof(err));
}

/* Back to the configured VTEPs and an empty FDB: every input starts from
 * the same state. */
static void
fz_reset(void)
{
	static const char *const base[FZ_INST][3] = {
		{"192.0.2.2", "192.0.2.9", "2001:db8::2"},
		{"192.0.2.1", NULL, NULL},
		{"192.0.2.2", "192.0.2.3", NULL},
	};
	static const int vnis[FZ_INST][3][2] = {
		{{100, 200}, {100, 0}, {200, 0}},
		{{100, 200}, {0, 0}, {0, 0}},
		{{100, 0}, {100, 0}, {0, 0}},
	};
	unsigned int i, j, k;

	memset(&fz_ev, 0, sizeof(fz_ev));
	for (i = 0; i < FZ_INST; i++) {
		for (j = 0; j < RTE_DIM(fz_addrs); j++)
			fz_verb(fz_vi[i], "vtep del",
				json_pack("{s:s}", "ip", fz_addrs[j]));
		for (j = 0; j < 3 && base[i][j] != NULL; j++)
			for (k = 0; k < 2 && vnis[i][j][k] != 0; k++)
				FZ_CHECK(fz_verb(fz_vi[i], "vtep add",
						 json_pack("{s:s, s:i}", "ip",
							   base[i][j], "vni",
							   vnis[i][j][k])) ==
					 0);
		FZ_CHECK(fz_verb(fz_vi[i], "fdb flush", NULL) == 0);
	}
}

/* ---- the input program ---- */

static void
fz_mac(struct fz_in *in, uint8_t *out)
{
	uint8_t sel = fz_u8(in);
	unsigned int i;

	if (sel < 0xc0) {
		memcpy(out, fz_macs[sel % 8], 6);
		return;
	}
	for (i = 0; i < 6; i++)
		out[i] = fz_u8(in);
}

/* The last frame built, for bursts of one flow. */
static struct {
	uint8_t buf[FZ_FRAME_MAX + 128];
	uint16_t len, first, port;
	uint8_t flags;
	bool valid;
} fz_last;

static bool
fz_enqueue_last(void)
{
	struct rte_mbuf *m =
		fz_mbuf_make(fz_pool, fz_last.buf, fz_last.len, fz_last.first,
			     (fz_last.flags & 0x81) == 0x81 ? 0 : -1);

	if (m == NULL)
		return false;
	m->port = fz_last.port;
	m->hash.usr = fz_last.port == 4 || fz_last.port == 6
			      ? 0
			      : (uint32_t)fz_last.len + 1;
	fz_queue_push(&fz_q, fz_last.port, m);
	return true;
}

/* An inner frame: MACs, an EtherType from a small set, filler. */
static uint16_t
fz_inner(struct fz_in *in, uint8_t *buf, uint16_t max)
{
	static const uint16_t types[] = {0x0800, 0x86dd, 0x0806, 0x8100,
					 0x88b5};
	uint16_t len = fz_u16(in) % (max + 1);
	uint8_t fill = fz_u8(in), t = fz_u8(in);
	unsigned int i;

	fz_mac(in, buf);
	fz_mac(in, buf + 6);
	buf[12] = (uint8_t)(types[t % RTE_DIM(types)] >> 8);
	buf[13] = (uint8_t)types[t % RTE_DIM(types)];
	for (i = 14; i < max; i++)
		buf[i] = (uint8_t)(fill + i * (t | 1));
	if (t & 0x80) { /* an IPv4 header that looks right */
		buf[14] = 0x45;
		buf[23] = (uint8_t)(t & 0x40 ? 6 : 17);
		buf[20] = buf[21] = 0;
	}
	return len;
}

/* An underlay packet for c (VXLAN) or d (Geneve: a third byte gives the
 * version, the O and C bits, the protocol and 0..7 words of options),
 * field by field. */
static uint16_t
fz_outer(struct fz_in *in, uint8_t *buf, bool geneve)
{
	static const uint16_t ports[] = {4789, 4789, 4789, 8472, 0};
	static const uint16_t gports[] = {6081, 6081, 6081, 4789, 0};
	static const uint32_t vnis[] = {100, 100, 200, 0, 0xffffff};
	uint8_t sel = fz_u8(in), sel2 = fz_u8(in),
		sel3 = geneve ? fz_u8(in) : 0;
	uint16_t opt = (uint16_t)((sel3 & 7) * 4), i;
	uint16_t ilen = fz_inner(in, buf + 50 + opt, FZ_FRAME_MAX - 50 - opt);
	uint16_t len = (uint16_t)(50 + opt + ilen);
	uint16_t port = geneve ? gports[sel % 5] : ports[sel % 5];
	uint32_t vni = vnis[(sel >> 3) % 5];
	uint8_t src = (sel & 0x40) ? 3 : 2;

	memcpy(buf, fz_macs[0], 6);
	memcpy(buf + 6, fz_macs[1], 6);
	buf[12] = 0x08;
	buf[13] = 0x00;
	memset(buf + 14, 0, 36);
	buf[14] = (sel2 & 1) ? 0x46 : 0x45;
	buf[16] = (uint8_t)((len - 14 + (sel2 & 2 ? 7 : 0)) >> 8);
	buf[17] = (uint8_t)(len - 14 + (sel2 & 2 ? 7 : 0));
	buf[20] = (sel2 & 4) ? 0x20 : 0x40;
	buf[22] = 64;
	buf[23] = (sel2 & 8) ? 6 : 17;
	memcpy(buf + 26, "\xc0\x00\x02", 3);
	buf[29] = src;
	memcpy(buf + 30, "\xc0\x00\x02", 3);
	buf[33] = (sel2 & 16) ? 9 : 1;
	buf[34] = 0xc3;
	buf[36] = (uint8_t)(port >> 8);
	buf[37] = (uint8_t)port;
	buf[38] = (uint8_t)((len - 34 - (sel2 & 32 ? 40 : 0)) >> 8);
	buf[39] = (uint8_t)(len - 34 - (sel2 & 32 ? 40 : 0));
	buf[42] = (sel2 & 64) ? 0 : 0x08;
	if (geneve) {
		buf[42] = (uint8_t)((sel3 & 8 ? 0x40 : 0) | (sel3 & 7));
		buf[43] = (uint8_t)((sel3 & 0x10 ? 0x80 : 0) |
				    (sel3 & 0x20 ? 0x40 : 0));
		buf[44] = (sel3 & 0x40) ? 0x08 : 0x65;
		buf[45] = (sel3 & 0x40) ? 0x00 : 0x58;
		for (i = 0; i < opt; i++)
			buf[50 + i] = fz_u8(in);
	}
	buf[46] = (uint8_t)(vni >> 16);
	buf[47] = (uint8_t)(vni >> 8);
	buf[48] = (uint8_t)vni;
	/* Cut anywhere, sometimes. */
	if (sel2 & 128)
		len = (uint16_t)(fz_u8(in) % (len + 1));
	return len;
}

static bool
fz_frame(struct fz_in *in, bool outer)
{
	uint8_t flags = fz_u8(in);
	/* Outer packets go to c (p4), or with flag 0x20 to d (p6). */
	uint16_t port = outer ? ((flags & 0x20) ? 6 : 4)
			      : (uint16_t)(fz_u8(in) % FZ_PORTS);
	uint16_t len;

	if (outer)
		len = fz_outer(in, fz_last.buf, port == 6);
	else
		len = fz_inner(in, fz_last.buf, FZ_FRAME_MAX);
	fz_last.port = port;
	fz_last.flags = flags;
	fz_last.len = len;
	fz_last.first = (flags & 2) ? fz_frame_split(in, len) : len;
	fz_last.valid = true;
	return fz_enqueue_last();
}

/* Ops 0-6: an inner frame on a VNI port; 7-9: an outer packet on p4. */
static bool
fz_frame_inner(struct fz_in *in)
{
	return fz_frame(in, false);
}

static bool
fz_frame_outer(struct fz_in *in)
{
	return fz_frame(in, true);
}

/* Ops 11-15 (fuzz_prog.h; 10 the last frame again). */
static void
fz_op(struct fz_in *in, uint8_t op, uint8_t arg)
{
	unsigned int i;

	switch (op) {
	case 11:
		fz_queue_submit_all(&fz_q);
		break;
	case 12:
		fz_queue_submit_all(&fz_q);
		fz_w->now += (uint64_t)arg * (fz_hz / 20);
		for (i = 0; i < FZ_INST; i++)
			fz_vi[i]->ops->periodic(fz_vi[i], fz_w->now);
		break;
	case 13:
		/* Verbs between bursts, as the control thread runs them
		 * beside a worker. */
		fz_queue_submit_all(&fz_q);
		if (arg >= 0xf0)
			fz_evpn(in, arg);
		else
			fz_ctl(fz_vi[arg % FZ_INST], arg / FZ_INST, fz_u8(in));
		break;
	case 14:
		fz_accept = arg % 40; /* 32 and up: everything */
		break;
	case 15:
		fz_prog_link_flip(arg, FZ_PORTS);
		break;
	}
}

static const struct fz_prog fz_prog = {
	.frame_ops = 0x3ff,
	.answer_ops = 0x380,
	.repeat_op = 10,
	.last_valid = &fz_last.valid,
	.frame = fz_frame_inner,
	.answer = fz_frame_outer,
	.again = fz_enqueue_last,
	.op = fz_op,
};

unsigned int
fz_run(const uint8_t *data, size_t len)
{
	struct fz_in in = {.p = data, .n = len};
	unsigned int frames, i;
	uint16_t p;

	fz_reset();
	fz_last.valid = false;
	fz_accept = UINT_MAX;
	for (p = 0; p < FZ_PORTS; p++)
		atomic_store(&nfv_port_fp[p].link_up, true);

	frames = fz_prog_run(&fz_prog, &fz_q, &in);
	FZ_CHECK(fz_w->tx_dirty == 0);
	FZ_CHECK(rte_mempool_avail_count(fz_pool) == fz_pool->size);
	for (i = 0; i < FZ_INST; i++)
		fz_check_fates(fz_vi[i], "fuzz_vxlan");
	return frames;
}

void
fz_print_counters(FILE *f)
{
	unsigned int i;
	uint16_t c;

	fprintf(f, "sent %" PRIu64 ", refused by the ports %" PRIu64 "\n",
		fz_sent, fz_refused);
	for (i = 0; i < FZ_INST; i++) {
		fprintf(f, "%s:", fz_vi[i]->name);
		for (c = 0; c < fz_vi[i]->ops->n_counters; c++) {
			uint64_t n = vnf_counter_sum(fz_vi[i], c);

			if (n != 0)
				fprintf(f, " %s %" PRIu64,
					fz_vi[i]->ops->counters[c].name, n);
		}
		fprintf(f, "\n");
	}
}
