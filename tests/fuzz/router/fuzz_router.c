/* SPDX-License-Identifier: BSD-3-Clause
 *
 * fuzz_router.c - feed arbitrary frames and control actions through a
 * router instance via the real runner (dataplane/graph.c).
 *
 * Topology (port pN is graph port N): p0 - rtr.lan, p1 - rtr.wan,
 * p2 - rtr.dmz (MTU 576, so that packets are fragmented or too big);
 * p3 - twin.lan, p4 - twin.wan, p5 - twin.dmz.  twin is rtr again (the
 * same config) with its IPv4 fast lane off (vnf_router_fast_lane_set()):
 * every frame queued on rtr's port p is queued on p + 3 as well, in the
 * same bursts, and every control verb and housekeeping run goes to both,
 * so twin decides every frame by steps 1-4 where rtr's lane takes it.
 * Routes: defaults via unresolved gateways on wan (IPv4 and IPv6), a
 * prefix via a static neighbour on dmz, a multipath prefix over wan and
 * dmz, a blackhole and an unreachable prefix; hosts on the connected
 * subnets are unresolved.  So packets are forwarded, held for resolution
 * (and released when an ARP reply or a neighbour advertisement from the
 * input resolves their neighbour, or dropped when it times out), answered
 * (echo, ARP, ND), punted, fragmented, refused with ICMP errors.  Time
 * moves only when the input says so.
 *
 * The input is a little program, read byte by byte (missing bytes read as
 * 0).  Each op either builds a frame and queues it on an RX port (IPv4 or
 * IPv6 with a TTL of 0-64, ICMP echo, UDP, TCP or any protocol, of any
 * length up to 1500; ARP requests and replies; neighbour solicitations
 * and advertisements; raw bytes; addresses from pools that hit every kind
 * of route; then bytes overwritten near the headers, the frame cut short,
 * or split over two segments), lets a neighbour answer (a well-formed ARP
 * reply or neighbour advertisement), repeats the last frame up to 31 times,
 * submits the queued bursts, moves time and runs the router's
 * housekeeping, runs a control verb (show routes/neigh, details, route
 * add/del with random and wrongly typed arguments), or makes the ports
 * refuse part of what they are sent.
 *
 * Invariants (abort() on failure, so libFuzzer and ASan report it): every
 * frame the router sends leaves by a port whose iface MAC is its source,
 * and an IPv4 one has a valid header checksum and a TTL above 0; a
 * control verb either succeeds or fails with a message; every packet the
 * router was handed is counted exactly once by its fate (forwarded,
 * answered, consumed, dropped, or still held for resolution: vnf.h); after
 * every input the only mbufs not back in the pool are the held ones; and
 * rtr and twin sent the same frames, byte for byte, out of the same
 * ifaces, in the same order, with the ports taking the same ones.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <rte_arp.h>
#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "control/config.h"
#include "dataplane/graph.h"
#include "vnf/lib/rcu.h"
#include "vnf/router/router.h"
#include "vnf/vnf.h"
#include "fuzz_router.h"
#include "tests/common/test_eal.h"
#include "tests/common/test_wctx.h"
#include "tests/common/test_wiring.h"
#include "tests/fuzz/common/fuzz_env.h"
#include "tests/fuzz/common/fuzz_fates.h"
#include "tests/fuzz/common/fuzz_frame.h"
#include "tests/fuzz/common/fuzz_prog.h"
#include "tests/fuzz/common/fuzz_queue.h"
#include "tests/fuzz/common/fuzz_twin.h"
#include "tests/fuzz/common/fuzz_router_config.h"

#define FZ_IN_PORTS 3 /* the ports an input names: the twin's are rtr's */
#define FZ_TWIN 3 /* rtr's port p is the twin's p + FZ_TWIN */
#define FZ_PORTS 6
#define FZ_POOL 8191
#define FZ_FRAME_MAX 1600

#define FZ_CHECK(cond)                                                         \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "fuzz_router: %s:%d: %s\n", __FILE__,  \
				__LINE__, #cond);                              \
			abort();                                               \
		}                                                              \
	} while (0)

/* The router's iface MACs (the config below), by port. */
static const uint8_t fz_rmac[FZ_IN_PORTS][6] = {
	{2, 0, 0, 0, 1, 1}, {2, 0, 0, 0, 1, 2}, {2, 0, 0, 0, 1, 3}};

#define FZ_RT_REST                                                             \
	"      - {name: dmz, mac: \"02:00:00:00:01:03\", mtu: 576, address: "  \
	"[198.18.0.1/24, \"2001:db8:2::1/64\"]}\n"                             \
	"    routes:\n"                                                        \
	"      - {prefix: 0.0.0.0/0, via: 192.0.2.254}\n"                      \
	"      - {prefix: \"::/0\", via: \"2001:db8:1::fe\"}\n"                \
	"      - {prefix: 198.51.100.0/24, via: 198.18.0.254}\n"               \
	"      - {prefix: 100.64.0.0/10, nexthops: [{via: 192.0.2.253}, "      \
	"{via: 198.18.0.253}]}\n"                                              \
	"      - {prefix: \"2001:db8:300::/48\", via: \"2001:db8:2::fe\"}\n"   \
	"      - {prefix: 203.0.113.128/25, type: blackhole}\n"                \
	"      - {prefix: 203.0.113.64/26, type: unreachable}\n"               \
	"    neighbors:\n"                                                     \
	"      - {iface: dmz, ip: 198.18.0.254, mac: \"02:00:00:00:02:54\"}\n"

static const char fz_config[] = FZ_RT_CONFIG_HEAD FZ_RT_REST
	FZ_RT_VNF_HEAD("twin") FZ_RT_REST;

static struct rte_mempool *fz_pool;
static struct nfv_wctx *fz_w;
static struct nfv_graph *fz_g;
static struct ctl_config *fz_cfg;
static struct vnf_instance *fz_rt, *fz_twin;
static struct fz_queues fz_q;
static unsigned int fz_accept = UINT_MAX;
static uint64_t fz_hz, fz_sent, fz_refused;

/* What the VNF and its twin sent during an input. */
static struct fz_twin_log fz_tlog;

/* ---- checking what leaves ---- */

/* Worker: the ports' send hook.  Checks each frame and frees it. */
static uint16_t
fz_tx_burst(uint16_t port, uint16_t queue, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t take = n < fz_accept ? n : (uint16_t)fz_accept, i;
	const char *why = NULL;

	RTE_SET_USED(queue);
	FZ_CHECK(port < FZ_PORTS);
	for (i = 0; i < n; i++) {
		const struct rte_mbuf *m = pkts[i];
		const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);

		FZ_CHECK(rte_mbuf_check(m, 1, &why) == 0);
		FZ_CHECK(m->data_len >= RTE_ETHER_HDR_LEN);
		fz_twin_record(&fz_tlog, port >= FZ_TWIN,
			       (uint16_t)(port % FZ_TWIN), m, i < take);
		/* Whatever the router sends on a port comes from that
		 * port's iface. */
		FZ_CHECK(memcmp(p + 6, fz_rmac[port % FZ_TWIN], 6) == 0);
		if (p[12] == 0x08 && p[13] == 0x00 &&
		    m->data_len >= RTE_ETHER_HDR_LEN + 20) {
			const struct rte_ipv4_hdr *ip =
				(const struct rte_ipv4_hdr *)(p + 14);

			if (m->data_len >= 14 + rte_ipv4_hdr_len(ip))
				FZ_CHECK(rte_ipv4_cksum(ip) == 0);
			FZ_CHECK(ip->time_to_live > 0);
		}
	}
	rte_pktmbuf_free_bulk(pkts, take);
	fz_sent += take;
	fz_refused += n - take;
	return take;
}

/* ---- set-up ---- */

int
fz_init(const char *prog)
{
	char err[512] = "";
	unsigned int i;
	int rc;

	/* Two copies of each family's route table, ~70 MiB each, for each
	 * of the two routers. */
	rc = fz_env_init(prog, "fz-rt", 640, FZ_POOL, &fz_pool);
	if (rc < 0)
		return rc;
	fz_hz = rte_get_tsc_hz();
	/* Through the config loader, as nfvd makes it. */
	rc = ctl_config_load_buffer("fuzz_router", fz_config,
				    sizeof(fz_config) - 1, &fz_cfg, err,
				    sizeof(err));
	if (rc == 0)
		rc = vnf_instance_create(&fz_cfg->vnfs[0], 0, 1, nfv_rcu(),
					 &fz_rt, err, sizeof(err));
	if (rc == 0)
		rc = vnf_instance_create(&fz_cfg->vnfs[1], 1, 1, nfv_rcu(),
					 &fz_twin, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "fuzz_router: %s\n", err);
		return rc;
	}

	fz_g = nfv_graph_alloc();
	/* A fixed start, so that timers go the same way on every run. */
	fz_w = nfv_test_wctx_new(fz_pool, fz_tx_burst, UINT64_C(1) << 40);
	if (fz_g == NULL || fz_w == NULL)
		return -ENOMEM;
	vnf_router_fast_lane_set(fz_twin, false);
	nfv_test_graph_add(fz_g, fz_rt);
	nfv_test_graph_add(fz_g, fz_twin);
	for (i = 0; i < FZ_PORTS; i++)
		nfv_test_link_port(fz_g, (uint16_t)i, (uint16_t)(i / FZ_TWIN),
				   (uint16_t)(i % FZ_TWIN));
	fz_queue_init(&fz_q, fz_w, fz_g, FZ_PORTS);
	return 0;
}

int
fz_fini(void)
{
	/* Held packets go back to the pool with the instance. */
	vnf_instance_destroy(fz_rt);
	vnf_instance_destroy(fz_twin);
	ctl_config_free(fz_cfg);
	nfv_graph_free(fz_g);
	nfv_test_wctx_free(fz_w);
	return fz_env_fini(fz_pool);
}

/* ---- the input program ---- */

/* Addresses that reach every kind of route: the router's own, broadcast
 * and multicast, unresolved hosts on each subnet, the gateways, routed,
 * multipath, blackhole, unreachable, martians. */
static const char *const fz_addr4[] = {
	"10.0.0.1",	 "10.0.0.2",	 "10.0.0.77",	    "10.0.0.255",
	"192.0.2.1",	 "192.0.2.254",	 "192.0.2.253",	    "192.0.2.9",
	"198.18.0.1",	 "198.18.0.254", "198.18.0.253",    "198.18.0.7",
	"8.8.8.8",	 "198.51.100.5", "100.64.1.1",	    "100.65.7.9",
	"203.0.113.130", "203.0.113.70", "224.0.0.5",	    "239.1.1.1",
	"127.0.0.1",	 "0.0.0.0",	 "255.255.255.255", "240.0.0.1",
};
static const char *const fz_addr6[] = {
	"2001:db8::1",
	"2001:db8::2",
	"2001:db8:1::1",
	"2001:db8:1::fe",
	"2001:db8:2::1",
	"2001:db8:2::fe",
	"2001:db8:2::9",
	"2001:db8:9::1",
	"2001:db8:300::5",
	"fe80::1",
	"ff02::1",
	"ff02::2",
	"ff02::1:ff00:1",
	"ff02::1:ff00:fe",
	"ff05::1",
	"::",
	"::1",
	"fe80::ff:fe00:101",
	"2001:db8::77",
	"2001:db8:1::9",
};
/* MACs a neighbour may answer with (none multicast but the last). */
static const uint8_t fz_nmac[4][6] = {{2, 0, 0, 0, 2, 0xfe},
				      {2, 0, 0, 0, 2, 0xfd},
				      {2, 0, 0, 0, 0, 2},
				      {1, 0, 0x5e, 0, 0, 1}};

/* The last frame built, for op "repeat". */
static struct {
	uint8_t b[FZ_FRAME_MAX];
	uint16_t len, first, port;
	bool valid;
} fz_last;

/* Queue fz_last on its port and on the twin's: one segment, or two split
 * at `first`. */
static bool
fz_enqueue_last(void)
{
	struct rte_mbuf *m = fz_mbuf_make(fz_pool, fz_last.b, fz_last.len,
					  fz_last.first, -1);
	struct rte_mbuf *t = fz_mbuf_make(fz_pool, fz_last.b, fz_last.len,
					  fz_last.first, -1);

	if (m == NULL || t == NULL) {
		rte_pktmbuf_free(m);
		rte_pktmbuf_free(t);
		return false;
	}
	fz_queue_push(&fz_q, fz_last.port, m);
	fz_queue_push(&fz_q, (uint16_t)(fz_last.port + FZ_TWIN), t);
	return true;
}

/* v in network order at p. */
static void
fz_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* A checksum as DPDK computes it (the bytes to store, in memory order). */
static void
fz_put_cksum(uint8_t *p, uint16_t ck)
{
	memcpy(p, &ck, sizeof(ck));
}

/* IPv4 header + payload of `plen` bytes at b (checksums right). */
static uint16_t
fz_ip4(struct fz_in *in, uint8_t *b, uint16_t plen)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)b;
	uint8_t *l4 = b + 20, sel = fz_u8(in);
	static const uint8_t ttls[4] = {64, 1, 2, 0};
	static const uint8_t protos[4] = {IPPROTO_ICMP, IPPROTO_UDP,
					  IPPROTO_TCP, 47};
	uint8_t proto = protos[sel & 3];

	memset(ip, 0, 20);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(20 + plen));
	ip->packet_id = rte_cpu_to_be_16(fz_u16(in));
	if (sel & 0x04)
		ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
	ip->time_to_live = ttls[(sel >> 3) & 3];
	ip->next_proto_id = proto;
	inet_pton(AF_INET, fz_addr4[fz_u8(in) % RTE_DIM(fz_addr4)],
		  &ip->src_addr);
	inet_pton(AF_INET, fz_addr4[fz_u8(in) % RTE_DIM(fz_addr4)],
		  &ip->dst_addr);
	memset(l4, 0x5a, plen);
	if (proto == IPPROTO_ICMP && plen >= 8) {
		l4[0] = (sel & 0x20) ? 0 : 8; /* echo reply or request */
		l4[1] = 0;
		l4[2] = l4[3] = 0;
		fz_put_cksum(l4 + 2, (uint16_t)~rte_raw_cksum(l4, plen));
	} else if ((proto == IPPROTO_UDP || proto == IPPROTO_TCP) &&
		   plen >= 20) {
		fz_put16(l4, fz_u16(in));
		fz_put16(l4 + 2, fz_u16(in));
	}
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	if ((fz_u8(in) & 7) == 0) /* a bad one now and then */
		ip->hdr_checksum ^= 0x0101;
	return (uint16_t)(20 + plen);
}

/* IPv6 header + ICMPv6 (echo, NS, NA with an option) or UDP. */
static uint16_t
fz_ip6(struct fz_in *in, uint8_t *b, uint16_t plen, uint16_t port)
{
	struct rte_ipv6_hdr *ip6 = (struct rte_ipv6_hdr *)b;
	uint8_t *l4 = b + 40, sel = fz_u8(in), t;
	static const uint8_t hops[4] = {64, 255, 1, 0};

	memset(ip6, 0, 40);
	ip6->vtc_flow = rte_cpu_to_be_32(6u << 28);
	ip6->hop_limits = hops[sel & 3];
	inet_pton(AF_INET6, fz_addr6[fz_u8(in) % RTE_DIM(fz_addr6)],
		  ip6->src_addr);
	inet_pton(AF_INET6, fz_addr6[fz_u8(in) % RTE_DIM(fz_addr6)],
		  ip6->dst_addr);
	t = (sel >> 2) & 3;
	memset(l4, 0, plen);
	if (t == 3) {
		ip6->proto = IPPROTO_UDP;
	} else {
		ip6->proto = IPPROTO_ICMPV6;
		if (t == 0) {
			if (plen < 8)
				plen = 8;
			l4[0] = 128; /* echo request */
		} else {
			/* NS (t 1) or NA (t 2) about one of the pool's
			 * addresses, with a link-layer address option. */
			plen = 32;
			l4[0] = t == 1 ? 135 : 136;
			if (t == 2)
				l4[4] = (uint8_t)(fz_u8(in) & 0xe0);
			inet_pton(AF_INET6,
				  fz_addr6[fz_u8(in) % RTE_DIM(fz_addr6)],
				  l4 + 8);
			l4[24] = t == 1 ? 1 : 2;
			l4[25] = 1;
			memcpy(l4 + 26, fz_nmac[fz_u8(in) & 3], 6);
			if (sel & 0x10)
				ip6->hop_limits = 255;
		}
	}
	RTE_SET_USED(port);
	ip6->payload_len = rte_cpu_to_be_16(plen);
	if (ip6->proto == IPPROTO_ICMPV6)
		fz_put_cksum(l4 + 2, rte_ipv6_udptcp_cksum(ip6, l4));
	return (uint16_t)(40 + plen);
}

/* An ARP request or reply from a neighbour (or anyone). */
static uint16_t
fz_arp(struct fz_in *in, uint8_t *b, uint16_t port)
{
	uint8_t sel = fz_u8(in);
	const uint8_t *sha = fz_nmac[sel & 3];

	fz_put16(b, RTE_ARP_HRD_ETHER);
	fz_put16(b + 2, RTE_ETHER_TYPE_IPV4);
	b[4] = 6;
	b[5] = 4;
	fz_put16(b + 6, (sel & 4) ? RTE_ARP_OP_REPLY : RTE_ARP_OP_REQUEST);
	memcpy(b + 8, sha, 6);
	inet_pton(AF_INET, fz_addr4[fz_u8(in) % RTE_DIM(fz_addr4)], b + 14);
	memcpy(b + 18, (sel & 8) ? fz_rmac[port] : fz_nmac[1], 6);
	inet_pton(AF_INET, fz_addr4[fz_u8(in) % RTE_DIM(fz_addr4)], b + 24);
	return 28;
}

/* Build one frame from the input and queue it; false when out of mbufs. */
static bool
fz_frame(struct fz_in *in)
{
	uint8_t *f = fz_last.b, kind = fz_u8(in), sel = fz_u8(in), nmut, i;
	uint16_t port = (uint16_t)(fz_u8(in) % FZ_IN_PORTS), len, plen;

	/* Ethernet: mostly to the router's MAC. */
	switch (sel & 3) {
	case 0:
	case 1:
		memcpy(f, fz_rmac[port], 6);
		break;
	case 2:
		memset(f, 0xff, 6);
		break;
	default:
		memcpy(f, fz_nmac[fz_u8(in) & 3], 6);
		break;
	}
	memcpy(f + 6, fz_nmac[(sel >> 2) & 3], 6);
	plen = (uint16_t)(fz_u16(in) % 1500);
	if ((sel & 0x30) != 0x30)
		plen = (uint16_t)(plen % 128); /* short ones mostly */
	switch (kind % 8) {
	case 0:
	case 1:
	case 2:
		fz_put16(f + 12, RTE_ETHER_TYPE_IPV4);
		len = (uint16_t)(14 + fz_ip4(in, f + 14, plen));
		break;
	case 3:
	case 4:
		fz_put16(f + 12, RTE_ETHER_TYPE_IPV6);
		if (plen > FZ_FRAME_MAX - 14 - 40)
			plen = FZ_FRAME_MAX - 14 - 40;
		len = (uint16_t)(14 + fz_ip6(in, f + 14, plen, port));
		break;
	case 5:
	case 6:
		fz_put16(f + 12, RTE_ETHER_TYPE_ARP);
		len = (uint16_t)(14 + fz_arp(in, f + 14, port));
		if (sel & 0x40)
			len = 60; /* padded to the minimum frame */
		memset(f + 42, 0, len - 42);
		break;
	default:
		len = (uint16_t)(fz_u8(in) % 80);
		for (i = 12; i < len; i++)
			f[i] = fz_u8(in);
		break;
	}
	/* Damage, in one frame of four: a few bytes near the headers; in
	 * one of eight: a cut, or two segments. */
	nmut = ((kind >> 3) & 3) == 3 ? 1 + (fz_u8(in) & 1) : 0;
	fz_frame_damage(in, f, len, nmut, 80);
	if ((kind & 0xe0) == 0x20)
		len = fz_frame_cut(in, len);
	fz_last.len = len;
	fz_last.first = (kind & 0xe0) == 0x40 ? fz_frame_split0(in, len) : len;
	fz_last.port = port;
	fz_last.valid = true;
	return fz_enqueue_last();
}

/* Neighbours that may answer, each on its iface (port). */
static const struct {
	uint16_t port;
	const char *ip;
} fz_neigh[] = {
	{1, "192.0.2.254"},   {1, "192.0.2.253"},    {1, "192.0.2.9"},
	{0, "10.0.0.2"},      {0, "10.0.0.77"},	     {2, "198.18.0.253"},
	{2, "198.18.0.7"},    {1, "2001:db8:1::fe"}, {1, "2001:db8:1::9"},
	{0, "2001:db8::2"},   {0, "2001:db8::77"},   {2, "2001:db8:2::fe"},
	{2, "2001:db8:2::9"},
};
/* The router's first address of each family on each port. */
static const char *const fz_own4[FZ_IN_PORTS] = {"10.0.0.1", "192.0.2.1",
						 "198.18.0.1"};
static const char *const fz_own6[FZ_IN_PORTS] = {
	"2001:db8::1", "2001:db8:1::1", "2001:db8:2::1"};

/* A neighbour answers: a well-formed ARP reply or solicited neighbour
 * advertisement on its own iface, so that held packets get released. */
static bool
fz_answer(struct fz_in *in)
{
	uint8_t *f = fz_last.b, sel = fz_u8(in);
	unsigned int k = sel % RTE_DIM(fz_neigh);
	uint16_t port = fz_neigh[k].port;
	const uint8_t *mac = fz_nmac[(sel >> 4) % 3];

	memcpy(f, fz_rmac[port], 6);
	memcpy(f + 6, mac, 6);
	if (strchr(fz_neigh[k].ip, ':') == NULL) {
		uint8_t *a = f + 14;

		fz_put16(f + 12, RTE_ETHER_TYPE_ARP);
		fz_put16(a, RTE_ARP_HRD_ETHER);
		fz_put16(a + 2, RTE_ETHER_TYPE_IPV4);
		a[4] = 6;
		a[5] = 4;
		fz_put16(a + 6, RTE_ARP_OP_REPLY);
		memcpy(a + 8, mac, 6);
		inet_pton(AF_INET, fz_neigh[k].ip, a + 14);
		memcpy(a + 18, fz_rmac[port], 6);
		inet_pton(AF_INET, fz_own4[port], a + 24);
		fz_last.len = 14 + 28;
	} else {
		struct rte_ipv6_hdr *ip6 = (struct rte_ipv6_hdr *)(f + 14);
		uint8_t *l4 = f + 14 + 40;

		fz_put16(f + 12, RTE_ETHER_TYPE_IPV6);
		memset(ip6, 0, 40 + 32);
		ip6->vtc_flow = rte_cpu_to_be_32(6u << 28);
		ip6->payload_len = rte_cpu_to_be_16(32);
		ip6->proto = IPPROTO_ICMPV6;
		ip6->hop_limits = 255;
		inet_pton(AF_INET6, fz_neigh[k].ip, ip6->src_addr);
		inet_pton(AF_INET6, fz_own6[port], ip6->dst_addr);
		l4[0] = 136;
		l4[4] = 0x60; /* solicited, override */
		memcpy(l4 + 8, ip6->src_addr, 16);
		l4[24] = 2;
		l4[25] = 1;
		memcpy(l4 + 26, mac, 6);
		fz_put_cksum(l4 + 2, rte_ipv6_udptcp_cksum(ip6, l4));
		fz_last.len = 14 + 40 + 32;
	}
	fz_last.first = fz_last.len;
	fz_last.port = port;
	fz_last.valid = true;
	return fz_enqueue_last();
}

/* The instance's name out of a reply (every "vnf" key), and the ages
 * of neighbours ("age": from the clock of the moment), so that rtr's and
 * the twin's compare. */
static void
fz_json_unname(json_t *j)
{
	const char *k;
	json_t *v;
	size_t i;

	if (json_is_object(j)) {
		json_object_del(j, "vnf");
		json_object_del(j, "age");
		json_object_foreach(j, k, v)
			fz_json_unname(v);
	} else if (json_is_array(j)) {
		json_array_foreach(j, i, v)
			fz_json_unname(v);
	}
}

/* rtr's reply a and the twin's b say the same, names apart: a message
 * with "twin" where a has "rtr", or the same JSON but for "vnf" and "age"
 * keys. */
static bool
fz_same_reply(json_t *a, json_t *b)
{
	const char *p, *q;

	if (a == NULL || b == NULL)
		return a == b;
	if (json_is_string(a) && json_is_string(b)) {
		/* Walk both; "rtr" in a stands for "twin" in b. */
		for (p = json_string_value(a), q = json_string_value(b);
		     *p != '\0' && *q != '\0';) {
			if (strncmp(p, "rtr", 3) == 0 &&
			    strncmp(q, "twin", 4) == 0) {
				p += 3;
				q += 4;
			} else if (*p++ != *q++) {
				return false;
			}
		}
		return *p == *q;
	}
	fz_json_unname(a);
	fz_json_unname(b);
	return json_equal(a, b);
}

/* A control verb, with arguments that are often wrong. */
static void
fz_ctl(struct fz_in *in)
{
	static const char *const pfx[] = {
		"100.80.0.0/16", "10.9.0.0/16",	  "2001:db8:77::/48",
		"0.0.0.0/0",	 "100.64.0.0/10", "10.0.0.0/24",
		"2001:db8::/64", "1.2.3.4/33",
	};
	static const char *const via[] = {
		"192.0.2.254", "198.18.0.254", "2001:db8:1::fe", "10.0.0.9",
		"172.16.0.1",  "192.0.2.1",    "fe80::1",	 "nonsense",
	};
	uint8_t what = fz_u8(in), a = fz_u8(in), b = fz_u8(in);
	json_t *args = json_object(), *reply = NULL, *reply2 = NULL;
	const char *verb;
	int rc;

	switch (what % 8) {
	case 0:
		verb = "show routes";
		if (a & 1)
			json_object_set_new(args, "limit",
					    (a & 2) ? json_integer(b % 4)
						    : json_string("x"));
		break;
	case 1:
		verb = "show neigh";
		if (a & 1)
			json_object_set_new(args, "limit",
					    json_integer((int)b - 128));
		break;
	case 2:
		verb = "details";
		break;
	case 3:
	case 4:
		verb = "route add";
		json_object_set_new(args, "prefix",
				    json_string(pfx[a % RTE_DIM(pfx)]));
		if (a & 0x08)
			json_object_set_new(args, "type",
					    json_string((a & 0x10)
								? "blackhole"
								: "unicast"));
		if (a & 0x20)
			json_object_set_new(args, "via",
					    json_string(via[b % RTE_DIM(via)]));
		if (a & 0x40)
			json_object_set_new(args, "iface",
					    json_string((b & 8) ? "dmz" : "x"));
		if (a & 0x80)
			json_object_set_new(args, "replace",
					    (b & 0x10) ? json_true()
						       : json_string("yes"));
		break;
	case 5:
		verb = "route del";
		json_object_set_new(
			args, "prefix",
			(a & 0x80) ? json_integer(a)
				   : json_string(pfx[a % RTE_DIM(pfx)]));
		break;
	case 6:
		/* A wrongly typed argument is refused with a message. */
		verb = "route add";
		json_object_set_new(args, "prefix", json_pack("[s]", pfx[0]));
		break;
	default:
		verb = "no such verb";
		break;
	}
	rc = vnf_verb_call(fz_rt, verb, args, &reply);
	FZ_CHECK(rc == 0 || rc == -ENOTSUP || json_is_string(reply));
	FZ_CHECK(what % 8 != 6 || rc == -EINVAL);
	/* The twin the same, with the same answer. */
	FZ_CHECK(vnf_verb_call(fz_twin, verb, args, &reply2) == rc);
	FZ_CHECK(fz_same_reply(reply, reply2));
	json_decref(reply);
	json_decref(reply2);
	json_decref(args);
}

/* The mbufs not in the pool are the ones held for resolution: one or two
 * (a packet of two segments) per held packet.  fz_fini() checks that all
 * come back once the instance is gone. */
static void
fz_check_pool(void)
{
	unsigned int in_use = rte_mempool_in_use_count(fz_pool);
	struct vnf_fates f, t;

	vnf_fates_get(fz_rt, &f);
	vnf_fates_get(fz_twin, &t);
	FZ_CHECK(in_use >= f.held + t.held && in_use <= 2 * (f.held + t.held));
}

/* Ops 10-13 and 15 (fuzz_prog.h; 0-8 frames, 14 a neighbour's answer, 9
 * the last frame again). */
static void
fz_op(struct fz_in *in, uint8_t op, uint8_t arg)
{
	switch (op) {
	case 10:
	default:
		fz_queue_submit_all(&fz_q);
		break;
	case 11:
		fz_queue_submit_all(&fz_q);
		/* Up to ~20 s: past resolution timeouts, sometimes past
		 * REACHABLE and the stale garbage collection. */
		fz_w->now += (uint64_t)arg * arg * (fz_hz / 3000);
		fz_rt->ops->periodic(fz_rt, fz_w->now);
		fz_twin->ops->periodic(fz_twin, fz_w->now);
		nfv_rcu_reclaim();
		break;
	case 12:
		fz_queue_submit_all(&fz_q);
		fz_ctl(in);
		break;
	case 13:
		fz_accept = arg % 40; /* 32 and up: everything */
		break;
	}
}

static const struct fz_prog fz_prog = {
	.frame_ops = 0x1ff | 1u << 14,
	.repeat_op = 9,
	.last_valid = &fz_last.valid,
	.answer_ops = 1u << 14,
	.frame = fz_frame,
	.answer = fz_answer,
	.again = fz_enqueue_last,
	.op = fz_op,
};

unsigned int
fz_run(const uint8_t *data, size_t len)
{
	struct fz_in in = {.p = data, .n = len};
	unsigned int frames = 0;
	uint16_t c;

	/* Each input starts with ports taking everything; the neighbour
	 * table, held packets and routes of earlier inputs stay.  Time only
	 * moves forward. */
	fz_last.valid = false;
	fz_accept = UINT_MAX;
	frames = fz_prog_run(&fz_prog, &fz_q, &in);
	FZ_CHECK(fz_w->tx_dirty == 0);
	/* The punt queue has no reader: housekeeping empties it. */
	fz_rt->ops->periodic(fz_rt, fz_w->now);
	fz_twin->ops->periodic(fz_twin, fz_w->now);
	fz_check_fates(fz_rt, "fuzz_router");
	fz_check_fates(fz_twin, "fuzz_router");
	fz_check_pool();
	fz_twin_check(&fz_tlog, "fuzz_router");
	for (c = 0; c < fz_rt->ops->n_counters; c++)
		FZ_CHECK(vnf_counter_sum(fz_rt, c) ==
			 vnf_counter_sum(fz_twin, c));
	return frames;
}

void
fz_print_counters(FILE *f)
{
	struct vnf_fates fa;
	uint16_t c;

	vnf_fates_get(fz_rt, &fa);
	fprintf(f,
		"sent %" PRIu64 ", refused by the ports %" PRIu64 "; %" PRIu64
		" packets in: %" PRIu64 " passed, %" PRIu64 " dropped, %" PRIu64
		" held\n",
		fz_sent, fz_refused, fa.packets, fa.passed, fa.dropped,
		fa.held);
	fprintf(f, "%s:", fz_rt->name);
	for (c = 0; c < fz_rt->ops->n_counters; c++) {
		uint64_t n = vnf_counter_sum(fz_rt, c);

		if (n != 0)
			fprintf(f, " %s %" PRIu64, fz_rt->ops->counters[c].name,
				n);
	}
	fprintf(f, "\n");
}
