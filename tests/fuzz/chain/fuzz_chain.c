/* SPDX-License-Identifier: BSD-3-Clause
 *
 * fuzz_chain.c - feed arbitrary frames and control actions through the
 * whole chain, five VNFs of every kind wired by the real runner
 * (dataplane/graph.c), as a config of nfvd wires them:
 *
 *   p0 - sw.a  p1 - sw.b   sw.r - rtr.lan        (l2switch, router)
 *   rtr.wan - fw.in        fw.out - cls.in       (firewall, bpf classifier)
 *   cls.web - tap.in       tap.out - p2  tap.span - p3   (mirror, SPAN)
 *   cls.dns - p4  cls.other - p5  rtr.dmz - p6
 *
 * Hosts on p0/p1 (LAN 10.0.0.0/24) talk through the switch, the router,
 * the stateful firewall and the classifier to the internet behind p2, p4
 * and p5; replies come back the same way (the classifier sends what comes
 * in by web, dns or other back out by in, the mirror copies both ways to
 * span).  The router's gateways are resolved only when the input has a
 * gateway answer, so packets are held, released and timed out.
 *
 * The input is a little program, read byte by byte (missing bytes read as
 * 0): each op builds a frame and queues it on an RX port (from a LAN host
 * or from the internet; IPv4 or IPv6 TCP, UDP, ICMP to the services the
 * firewall and the classifier look at, ARP, neighbour discovery, bytes at
 * random; damaged near the headers, cut short or in two segments),
 * repeats the last frame, lets a gateway answer, submits the queued
 * bursts, moves time and runs every VNF's housekeeping, or runs a control
 * verb of one of the VNFs.
 *
 * Invariants (abort() on failure, so libFuzzer and ASan report it), after
 * every input:
 *  - every VNF counted each packet it was handed exactly once, by its fate
 *    (tests/fuzz/common/fuzz_fates.h);
 *  - across the chain, each frame that came in or that a VNF made (a
 *    flood or SPAN copy, an ARP request, an ICMP error, a reject) is
 *    accounted for exactly once: it left by a port, or one VNF dropped
 *    it, holds it, or took it (the router's ARP, ND and punted packets);
 *  - every mbuf is back in its pool but those the router holds;
 *  - whatever leaves is a valid mbuf; what leaves by the switch's or the
 *    router's ports has at least an Ethernet header.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <rte_arp.h>
#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "control/config.h"
#include "dataplane/graph.h"
#include "fuzz_chain.h"
#include "tests/common/test_wctx.h"
#include "tests/common/test_wiring.h"
#include "tests/fuzz/common/fuzz_env.h"
#include "tests/fuzz/common/fuzz_fates.h"
#include "tests/fuzz/common/fuzz_frame.h"
#include "tests/fuzz/common/fuzz_prog.h"
#include "tests/fuzz/common/fuzz_queue.h"
#include "tests/fuzz/common/fuzz_rules.h"
#include "vnf/lib/rcu.h"
#include "vnf/vnf.h"

#define FZ_PORTS 7
#define FZ_POOL 4095
#define FZ_FRAME_MAX 1514

#define FZ_CHECK(cond)                                                         \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "fuzz_chain: %s:%d: %s\n", __FILE__,   \
				__LINE__, #cond);                              \
			abort();                                               \
		}                                                              \
	} while (0)

/* The instances, in the order of the config (their graph index). */
enum { FZ_SW, FZ_RTR, FZ_FW, FZ_CLS, FZ_TAP, FZ_N_VNFS };

static const char fz_config_fmt[] =
	"vnfs:\n"
	"  - name: sw\n"
	"    type: l2switch\n"
	"    ifaces: [{name: a}, {name: b}, {name: r}]\n"
	"    mac_table_size: 64\n"
	"  - name: rtr\n"
	"    type: router\n"
	"    ifaces:\n"
	"      - {name: lan, mac: \"02:00:00:00:01:01\", address: "
	"[10.0.0.1/24, \"2001:db8::1/64\"]}\n"
	"      - {name: wan, mac: \"02:00:00:00:01:02\", address: "
	"[192.0.2.1/24, \"2001:db8:1::1/64\"]}\n"
	"      - {name: dmz, mac: \"02:00:00:00:01:03\", address: "
	"[198.18.0.1/24]}\n"
	"    routes:\n"
	"      - {prefix: 0.0.0.0/0, via: 192.0.2.254}\n"
	"      - {prefix: \"::/0\", via: \"2001:db8:1::fe\"}\n"
	"      - {prefix: 198.51.100.0/24, via: 198.18.0.254}\n"
	"      - {prefix: 203.0.113.128/25, type: blackhole}\n"
	"  - name: fw\n"
	"    type: firewall\n"
	"    ifaces: [{name: in}, {name: out}]\n"
	"    default: drop\n"
	"    conn_table_size: 1024\n"
	"    rules:\n"
	"      - {action: allow, proto: icmpv6}\n"
	"      - {action: reject, proto: tcp, dport: 23}\n"
	"      - {action: reject, proto: udp, dport: \"161-162\"}\n"
	"      - {action: allow-stateful, iface: in}\n"
	"      - {action: allow-stateful, proto: tcp, dst: 10.0.0.80/32, "
	"dport: 80}\n"
	"      - {action: allow-stateful, proto: icmp, iface: out}\n"
	"  - name: cls\n"
	"    type: bpf\n"
	"    ifaces: [{name: in}, {name: web}, {name: dns}, {name: other}]\n"
	"    program: %s/port_classifier.o\n"
	"  - name: tap\n"
	"    type: mirror\n"
	"    ifaces: [{name: in}, {name: out}, {name: span}]\n"
	"    direction: both\n"
	"    snaplen: 96\n"
	"    sample: 2\n";

/* MACs: the router's ifaces, LAN hosts, the gateways. */
static const uint8_t fz_rmac[3][6] = {
	{2, 0, 0, 0, 1, 1}, {2, 0, 0, 0, 1, 2}, {2, 0, 0, 0, 1, 3}};
static const uint8_t fz_hmac[4][6] = {{2, 0, 0, 0, 0xa, 1},
				      {2, 0, 0, 0, 0xa, 2},
				      {2, 0, 0, 0, 0xa, 3},
				      {1, 0, 0x5e, 0, 0, 5}};
static const uint8_t fz_gwmac[2][6] = {{2, 0, 0, 0, 2, 0xfe},
				       {2, 0, 0, 0, 2, 0xfd}};

static const char *const fz_lan4[] = {"10.0.0.2", "10.0.0.3",	"10.0.0.80",
				      "10.0.0.1", "10.0.0.255", "10.0.0.9"};
static const char *const fz_net4[] = {
	"8.8.8.8",	"192.0.2.254", "198.51.100.7",	  "203.0.113.130",
	"192.0.2.1",	"224.0.0.5",   "255.255.255.255", "127.0.0.1",
	"198.18.0.254", "0.0.0.0",
};
static const char *const fz_lan6[] = {"2001:db8::2", "2001:db8::3",
				      "2001:db8::1", "fe80::2"};
static const char *const fz_net6[] = {"2001:db8:9::1",	"2001:db8:1::fe",
				      "2001:db8:1::1",	"ff02::1",
				      "ff02::1:ff00:1", "::1"};
static const uint16_t fz_l4ports[] = {80, 443, 53, 23, 161, 22, 40000, 0};
static const uint8_t fz_protos[] = {IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP, 47};

static struct rte_mempool *fz_pool;    /* the worker's: copies, made frames */
static struct rte_mempool *fz_in_pool; /* the frames the input makes */
static struct nfv_wctx *fz_w;
static struct nfv_graph *fz_g;
static struct ctl_config *fz_cfg;
static struct vnf_instance *fz_vi[FZ_N_VNFS];
static struct fz_queues fz_q;
static uint64_t fz_hz, fz_sent, fz_made, fz_in;

/* ---- what leaves ---- */

/* Worker: the ports' send hook.  Checks each frame, counts the input's
 * own frames apart from copies and made ones, and frees them. */
static uint16_t
fz_tx_burst(uint16_t port, uint16_t queue, struct rte_mbuf **pkts, uint16_t n)
{
	const char *why = NULL;
	uint16_t i;

	RTE_SET_USED(queue);
	FZ_CHECK(port < FZ_PORTS);
	for (i = 0; i < n; i++) {
		const struct rte_mbuf *m = pkts[i];

		FZ_CHECK(rte_mbuf_check(m, 1, &why) == 0);
		/* The switch and the router drop runts; the classifier and
		 * the mirror pass what the far side sent, runts included. */
		if (port <= 1 || port == 6)
			FZ_CHECK(rte_pktmbuf_pkt_len(m) >= RTE_ETHER_HDR_LEN);
		if (m->pool != fz_in_pool)
			fz_made++;
	}
	rte_pktmbuf_free_bulk(pkts, n);
	fz_sent += n;
	return n;
}

/* ---- set-up ---- */

static void fz_tally_find(void);

int
fz_init(const char *prog)
{
	char err[512] = "", *text = NULL;
	unsigned int v;
	int rc, len;

	/* The router's two copies of each family's table: ~70 MiB each. */
	rc = fz_env_init(prog, "fz-chain", 384, FZ_POOL, &fz_pool);
	if (rc < 0)
		return rc;
	fz_in_pool = rte_pktmbuf_pool_create(
		"fz-chain-in", FZ_POOL, FZ_POOL_CACHE, 0,
		RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	if (fz_in_pool == NULL)
		return -ENOMEM;
	fz_hz = rte_get_tsc_hz();
	len = asprintf(&text, fz_config_fmt, FZ_BPF_DIR);
	if (len < 0)
		return -ENOMEM;
	/* Through the config loader, as nfvd makes them. */
	rc = ctl_config_load_buffer("fuzz_chain", text, (size_t)len, &fz_cfg,
				    err, sizeof(err));
	free(text);
	if (rc == 0 && fz_cfg->n_vnfs != FZ_N_VNFS)
		rc = -EINVAL;
	for (v = 0; rc == 0 && v < FZ_N_VNFS; v++)
		rc = vnf_instance_create(&fz_cfg->vnfs[v], (uint16_t)v, 1,
					 nfv_rcu(), &fz_vi[v], err,
					 sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "fuzz_chain: %s\n", err);
		return rc;
	}
	fz_g = nfv_graph_alloc();
	/* A fixed start, so that timers go the same way on every run. */
	fz_w = nfv_test_wctx_new(fz_pool, fz_tx_burst, UINT64_C(1) << 40);
	if (fz_g == NULL || fz_w == NULL)
		return -ENOMEM;
	for (v = 0; v < FZ_N_VNFS; v++)
		nfv_test_graph_add(fz_g, fz_vi[v]);
	nfv_test_link_port(fz_g, 0, FZ_SW, 0);
	nfv_test_link_port(fz_g, 1, FZ_SW, 1);
	nfv_test_link_vnf(fz_g, FZ_SW, 2, FZ_RTR, 0);
	nfv_test_link_vnf(fz_g, FZ_RTR, 1, FZ_FW, 0);
	nfv_test_link_port(fz_g, 6, FZ_RTR, 2);
	nfv_test_link_vnf(fz_g, FZ_FW, 1, FZ_CLS, 0);
	nfv_test_link_vnf(fz_g, FZ_CLS, 1, FZ_TAP, 0);
	nfv_test_link_port(fz_g, 4, FZ_CLS, 2);
	nfv_test_link_port(fz_g, 5, FZ_CLS, 3);
	nfv_test_link_port(fz_g, 2, FZ_TAP, 1);
	nfv_test_link_port(fz_g, 3, FZ_TAP, 2);
	fz_queue_init(&fz_q, fz_w, fz_g, FZ_PORTS);
	fz_tally_find();
	return 0;
}

int
fz_fini(void)
{
	unsigned int v, avail = 0, size = 0;

	/* Held packets go back to the pool with the instances. */
	for (v = 0; v < FZ_N_VNFS; v++)
		vnf_instance_destroy(fz_vi[v]);
	ctl_config_free(fz_cfg);
	nfv_graph_free(fz_g);
	nfv_test_wctx_free(fz_w);
	if (fz_in_pool != NULL) {
		avail = rte_mempool_avail_count(fz_in_pool);
		size = fz_in_pool->size;
		rte_mempool_free(fz_in_pool);
	}
	if (fz_env_fini(fz_pool) < 0 || avail != size)
		return -1;
	return 0;
}

/* ---- the input program ---- */

/* The last frame built, for bursts of one flow. */
static struct {
	uint8_t b[FZ_FRAME_MAX];
	uint16_t len, first, port;
	bool valid;
} fz_last;

static bool
fz_enqueue_last(void)
{
	struct rte_mbuf *m = fz_mbuf_make(fz_in_pool, fz_last.b, fz_last.len,
					  fz_last.first, -1);

	if (m == NULL)
		return false;
	m->port = fz_last.port;
	fz_queue_push(&fz_q, fz_last.port, m);
	fz_in++;
	return true;
}

static void
fz_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
fz_put_cksum(uint8_t *p, uint16_t ck)
{
	memcpy(p, &ck, sizeof(ck));
}

/* IPv4 + L4 of `plen` bytes at b, from src to dst. */
static uint16_t
fz_ip4(struct fz_in *in, uint8_t *b, uint16_t plen, const char *src,
       const char *dst)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)b;
	uint8_t *l4 = b + 20, sel = fz_u8(in), proto = fz_protos[sel & 3];
	static const uint8_t ttls[4] = {64, 1, 2, 0};

	memset(ip, 0, 20);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(20 + plen));
	ip->packet_id = rte_cpu_to_be_16(fz_u16(in));
	if (sel & 0x04)
		ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
	ip->time_to_live = ttls[(sel >> 3) & 3];
	ip->next_proto_id = proto;
	inet_pton(AF_INET, src, &ip->src_addr);
	inet_pton(AF_INET, dst, &ip->dst_addr);
	memset(l4, 0, plen);
	if (proto == IPPROTO_ICMP && plen >= 8) {
		l4[0] = (sel & 0x20) ? 0 : 8; /* echo reply or request */
		fz_put_cksum(l4 + 2, (uint16_t)~rte_raw_cksum(l4, plen));
	} else if (proto == IPPROTO_TCP && plen >= 20) {
		fz_put16(l4, fz_l4ports[fz_u8(in) & 7]);
		fz_put16(l4 + 2, fz_l4ports[fz_u8(in) & 7]);
		l4[12] = 0x50;
		l4[13] = fz_u8(in) & 0x3f; /* flags: SYN, ACK, FIN, RST ... */
	} else if (proto == IPPROTO_UDP && plen >= 8) {
		fz_put16(l4, fz_l4ports[fz_u8(in) & 7]);
		fz_put16(l4 + 2, fz_l4ports[fz_u8(in) & 7]);
		fz_put16(l4 + 4, plen);
	}
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	if ((sel & 0xc0) == 0xc0) /* a bad one now and then */
		ip->hdr_checksum ^= 0x0101;
	return (uint16_t)(20 + plen);
}

/* IPv6 + ICMPv6 echo, NS or NA (with a link-layer option), UDP or TCP. */
static uint16_t
fz_ip6(struct fz_in *in, uint8_t *b, uint16_t plen, const char *src,
       const char *dst, const uint8_t *mac)
{
	struct rte_ipv6_hdr *ip6 = (struct rte_ipv6_hdr *)b;
	uint8_t *l4 = b + 40, sel = fz_u8(in), t = sel & 3;
	static const uint8_t hops[4] = {64, 255, 1, 0};

	memset(ip6, 0, 40);
	ip6->vtc_flow = rte_cpu_to_be_32(6u << 28);
	ip6->hop_limits = hops[(sel >> 2) & 3];
	inet_pton(AF_INET6, src, ip6->src_addr);
	inet_pton(AF_INET6, dst, ip6->dst_addr);
	if (plen < 32)
		plen = 32;
	memset(l4, 0, plen);
	if (t == 3) {
		ip6->proto = (sel & 0x10) ? IPPROTO_TCP : IPPROTO_UDP;
		fz_put16(l4, fz_l4ports[fz_u8(in) & 7]);
		fz_put16(l4 + 2, fz_l4ports[fz_u8(in) & 7]);
		if (ip6->proto == IPPROTO_TCP)
			l4[12] = 0x50, l4[13] = fz_u8(in) & 0x3f;
		else
			fz_put16(l4 + 4, plen);
	} else {
		ip6->proto = IPPROTO_ICMPV6;
		if (t == 0) {
			l4[0] = (sel & 0x20) ? 129 : 128;
		} else {
			/* NS (1) or NA (2) about the destination. */
			plen = 32;
			l4[0] = t == 1 ? 135 : 136;
			if (t == 2)
				l4[4] = 0x60;
			memcpy(l4 + 8, t == 1 ? ip6->dst_addr : ip6->src_addr,
			       16);
			l4[24] = t == 1 ? 1 : 2;
			l4[25] = 1;
			memcpy(l4 + 26, mac, 6);
			if (sel & 0x40)
				ip6->hop_limits = 255;
		}
	}
	ip6->payload_len = rte_cpu_to_be_16(plen);
	if (ip6->proto == IPPROTO_ICMPV6)
		fz_put_cksum(l4 + 2, rte_ipv6_udptcp_cksum(ip6, l4));
	return (uint16_t)(40 + plen);
}

/* ARP request or reply: sender sha/spa, target tpa. */
static uint16_t
fz_arp(uint8_t *b, bool reply, const uint8_t *sha, const char *spa,
       const uint8_t *tha, const char *tpa)
{
	fz_put16(b, RTE_ARP_HRD_ETHER);
	fz_put16(b + 2, RTE_ETHER_TYPE_IPV4);
	b[4] = 6;
	b[5] = 4;
	fz_put16(b + 6, reply ? RTE_ARP_OP_REPLY : RTE_ARP_OP_REQUEST);
	memcpy(b + 8, sha, 6);
	inet_pton(AF_INET, spa, b + 14);
	memcpy(b + 18, tha, 6);
	inet_pton(AF_INET, tpa, b + 24);
	return 28;
}

/* Ports the internet is behind (the far side of the classifier). */
static const uint16_t fz_wan_ports[4] = {2, 4, 5, 6};

/* Build one frame and queue it; false when out of mbufs. */
static bool
fz_frame(struct fz_in *in)
{
	uint8_t *f = fz_last.b, kind = fz_u8(in), sel = fz_u8(in), i, nmut;
	bool lan = !(kind & 0x80);
	uint16_t port, len, plen;
	const uint8_t *smac;
	const char *lan4 = fz_lan4[fz_u8(in) % RTE_DIM(fz_lan4)];
	const char *net4 = fz_net4[fz_u8(in) % RTE_DIM(fz_net4)];
	const char *lan6 = fz_lan6[sel % RTE_DIM(fz_lan6)];
	const char *net6 = fz_net6[(sel >> 2) % RTE_DIM(fz_net6)];

	/* From a LAN host to the router (or anyone), or from the internet
	 * to the router's wan (the dmz: its own iface). */
	if (lan) {
		port = sel & 1;
		smac = fz_hmac[(sel >> 1) & 3];
		memcpy(f,
		       (sel & 0x30) == 0x30 ? fz_hmac[(sel >> 6) & 3]
					    : fz_rmac[0],
		       6);
	} else {
		port = fz_wan_ports[sel & 3];
		smac = fz_gwmac[(sel >> 2) & 1];
		memcpy(f, port == 6 ? fz_rmac[2] : fz_rmac[1], 6);
	}
	if ((sel & 0xc0) == 0x80)
		memset(f, 0xff, 6);
	memcpy(f + 6, smac, 6);
	plen = (uint16_t)(fz_u16(in) % (FZ_FRAME_MAX - 14 - 40));
	if (!(kind & 0x40))
		plen = (uint16_t)(plen % 96); /* short ones mostly */
	switch (kind & 7) {
	case 0:
	case 1:
	case 2:
		fz_put16(f + 12, RTE_ETHER_TYPE_IPV4);
		len = (uint16_t)(14 +
				 (lan ? fz_ip4(in, f + 14, plen, lan4, net4)
				      : fz_ip4(in, f + 14, plen, net4, lan4)));
		break;
	case 3:
	case 4:
		fz_put16(f + 12, RTE_ETHER_TYPE_IPV6);
		len = (uint16_t)(14 + (lan ? fz_ip6(in, f + 14, plen, lan6,
						    net6, smac)
					   : fz_ip6(in, f + 14, plen, net6,
						    lan6, smac)));
		break;
	case 5:
		fz_put16(f + 12, RTE_ETHER_TYPE_ARP);
		len = (uint16_t)(14 + fz_arp(f + 14, sel & 0x20, smac,
					     lan ? lan4 : net4, fz_rmac[0],
					     lan ? "10.0.0.1" : "192.0.2.1"));
		break;
	default:
		len = (uint16_t)(fz_u8(in) % 80);
		for (i = 12; i < len; i++)
			f[i] = fz_u8(in);
		break;
	}
	/* Damage: a few bytes near the headers, a cut, two segments. */
	nmut = ((kind >> 3) & 3) == 3 ? 1 + (fz_u8(in) & 1) : 0;
	fz_frame_damage(in, f, len, nmut, 80);
	if ((kind & 0x38) == 0x10)
		len = fz_frame_cut(in, len);
	fz_last.len = len;
	fz_last.first = (kind & 0x38) == 0x08 ? fz_frame_split0(in, len) : len;
	fz_last.port = port;
	fz_last.valid = true;
	return fz_enqueue_last();
}

/* A gateway answers the router's resolution on wan (ARP reply or NA),
 * through the classifier and the firewall, so that held packets go. */
static bool
fz_answer(struct fz_in *in)
{
	uint8_t *f = fz_last.b, sel = fz_u8(in);
	const uint8_t *mac = fz_gwmac[sel & 1];

	memcpy(f, fz_rmac[1], 6);
	memcpy(f + 6, mac, 6);
	if (!(sel & 2)) {
		fz_put16(f + 12, RTE_ETHER_TYPE_ARP);
		fz_last.len =
			(uint16_t)(14 + fz_arp(f + 14, true, mac, "192.0.2.254",
					       fz_rmac[1], "192.0.2.1"));
	} else {
		struct fz_in none = {.p = NULL, .n = 0};
		/* sel 0x02 of the NA builder: an NA with hop limit 255. */
		static const uint8_t na_sel = 0x42;
		struct fz_in na = {.p = &na_sel, .n = 1};

		(void)none;
		fz_put16(f + 12, RTE_ETHER_TYPE_IPV6);
		fz_last.len = (uint16_t)(14 + fz_ip6(&na, f + 14, 32,
						     "2001:db8:1::fe",
						     "2001:db8:1::1", mac));
	}
	fz_last.first = fz_last.len;
	fz_last.port = fz_wan_ports[(sel >> 2) & 3];
	if (fz_last.port == 6)
		fz_last.port = 2;
	fz_last.valid = true;
	return fz_enqueue_last();
}

/* A control verb of one VNF, with arguments that are often wrong. */
static void
fz_ctl(struct fz_in *in)
{
	static const struct {
		unsigned int vnf;
		const char *verb;
	} verbs[] = {
		{FZ_SW, "show mac"},	 {FZ_SW, "mac flush"},
		{FZ_RTR, "show routes"}, {FZ_RTR, "show neigh"},
		{FZ_RTR, "route add"},	 {FZ_RTR, "route del"},
		{FZ_FW, "show conn"},	 {FZ_FW, "show rules"},
		{FZ_FW, "conn flush"},	 {FZ_FW, "rule add"},
		{FZ_CLS, "show bpf"},	 {FZ_TAP, "show mirror"},
		{FZ_RTR, "details"},	 {FZ_FW, "no such verb"},
	};
	uint8_t what = fz_u8(in), a = fz_u8(in), b = fz_u8(in);
	unsigned int k = what % RTE_DIM(verbs);
	json_t *args = json_object(), *reply = NULL;
	int rc;

	if (a & 1)
		json_object_set_new(args, "limit",
				    (a & 2) ? json_integer((int)b - 8)
					    : json_string("x"));
	if (k == 4 || k == 5) {
		json_object_set_new(args, "prefix",
				    json_string((b & 1) ? "100.80.0.0/16"
							: "2001:db8:77::/48"));
		if (k == 4 && (b & 2))
			json_object_set_new(args, "via",
					    json_string((b & 4) ? "192.0.2.253"
								: "10.0.0.2"));
	} else if (k == 9) {
		json_object_set_new(args, "action",
				    json_string((b & 1) ? "drop" : "allow"));
		if (b & 2)
			json_object_set_new(args, "dport",
					    json_integer((int)b * 3));
		json_object_set_new(args, "proto",
				    json_string((b & 4) ? "udp" : "tcp"));
	}
	rc = vnf_verb_call(fz_vi[verbs[k].vnf], verbs[k].verb, args, &reply);
	FZ_CHECK(rc == 0 || rc == -ENOTSUP || json_is_string(reply));
	json_decref(reply);
	json_decref(args);
}

/* Time moves: every VNF's housekeeping. */
static void
fz_tick(uint8_t arg)
{
	unsigned int v;

	fz_w->now += (uint64_t)arg * arg * (fz_hz / 3000);
	for (v = 0; v < FZ_N_VNFS; v++)
		if (fz_vi[v]->ops->periodic != NULL)
			fz_vi[v]->ops->periodic(fz_vi[v], fz_w->now);
	nfv_rcu_reclaim();
}

/* What the chain's VNFs did with the frames they were handed, and the
 * frames they made. */
struct fz_tally {
	uint64_t dropped, held, taken, made;
};

/* Counters (by VNF type) of packets a VNF took for itself, whose mbufs go
 * nowhere further (a reply, if any, is a new frame), and of frames a VNF
 * made: copies, requests, errors, answers. */
static const struct {
	const char *type, *name;
	bool made;
} fz_special[] = {
	{"router", "arp-received", false},
	{"router", "nd-received", false},
	{"router", "punted", false},
	{"router", "arp-requests-sent", true},
	{"router", "nd-solicitations-sent", true},
	{"router", "icmp-errors-sent", true},
	{"router", "fragments-sent", true},
	{"l2switch", "flood-copies", true},
	{"mirror", "mirrored", true},
	{"firewall", "reject-sent", true},
};

/* fz_special's counters, found once by name: looked up by name for each
 * input, the strcmp()s took a quarter of the harness's time. */
static struct {
	uint8_t v;
	uint16_t c;
	bool made;
} fz_tally_ctr[RTE_DIM(fz_special)];
static unsigned int fz_n_tally;

static void
fz_tally_find(void)
{
	unsigned int v, k;
	uint16_t c;

	for (v = 0; v < FZ_N_VNFS; v++) {
		const struct vnf_instance *vi = fz_vi[v];

		for (c = 0; c < vi->ops->n_counters; c++)
			for (k = 0; k < RTE_DIM(fz_special); k++) {
				if (strcmp(vi->ops->type, fz_special[k].type) ||
				    strcmp(vi->ops->counters[c].name,
					   fz_special[k].name))
					continue;
				FZ_CHECK(fz_n_tally < RTE_DIM(fz_tally_ctr));
				fz_tally_ctr[fz_n_tally].v = (uint8_t)v;
				fz_tally_ctr[fz_n_tally].c = c;
				fz_tally_ctr[fz_n_tally].made =
					fz_special[k].made;
				fz_n_tally++;
			}
	}
	/* Every counter of the list exists: a renamed one fails here, not
	 * silently in the sums. */
	FZ_CHECK(fz_n_tally == RTE_DIM(fz_special));
}

static void
fz_tally_get(struct fz_tally *t)
{
	unsigned int v, k;

	memset(t, 0, sizeof(*t));
	for (v = 0; v < FZ_N_VNFS; v++) {
		struct vnf_fates f;

		vnf_fates_get(fz_vi[v], &f);
		t->dropped += f.dropped;
		t->held += f.held;
	}
	for (k = 0; k < fz_n_tally; k++) {
		uint64_t n = vnf_counter_sum(fz_vi[fz_tally_ctr[k].v],
					     fz_tally_ctr[k].c);

		if (fz_tally_ctr[k].made)
			t->made += n;
		else
			t->taken += n;
	}
}

/* Ops 11-15 (fuzz_prog.h; 0-8 frames, 9 a gateway's answer, 10 the last
 * frame again). */
static void
fz_op(struct fz_in *in, uint8_t op, uint8_t arg)
{
	switch (op) {
	case 11:
		fz_queue_submit_all(&fz_q);
		fz_tick(arg);
		break;
	case 12:
		fz_queue_submit_all(&fz_q);
		fz_ctl(in);
		break;
	default:
		fz_queue_submit_all(&fz_q);
		break;
	}
}

static const struct fz_prog fz_prog = {
	.frame_ops = 0x3ff,
	.repeat_op = 10,
	.last_valid = &fz_last.valid,
	.answer_ops = 1u << 9,
	.frame = fz_frame,
	.answer = fz_answer,
	.again = fz_enqueue_last,
	.op = fz_op,
};

unsigned int
fz_run(const uint8_t *data, size_t len)
{
	struct fz_in in = {.p = data, .n = len};
	uint64_t in0 = fz_in, sent0 = fz_sent;
	struct fz_tally t0, t1;
	unsigned int frames = 0, v, in_use;

	/* Rules that earlier inputs added stay, at most 12. */
	fz_trim_rules(fz_vi[FZ_FW], 12, "fuzz_chain");
	fz_tally_get(&t0);
	fz_last.valid = false;
	frames = fz_prog_run(&fz_prog, &fz_q, &in);
	FZ_CHECK(fz_w->tx_dirty == 0);
	/* The punt queue has no reader: housekeeping empties it. */
	fz_tick(0);
	for (v = 0; v < FZ_N_VNFS; v++)
		fz_check_fates(fz_vi[v], "fuzz_chain");
	/* Each frame of this input or made by a VNF (and each released of
	 * an earlier one) went out, was dropped, is held or was taken:
	 * exactly once. */
	fz_tally_get(&t1);
	if ((fz_in - in0) + (t1.made - t0.made) !=
	    (fz_sent - sent0) + (t1.dropped - t0.dropped) +
		    (t1.held - t0.held) + (t1.taken - t0.taken)) {
		fprintf(stderr,
			"fuzz_chain: %" PRIu64 " frames in + %" PRIu64
			" made, but %" PRIu64 " out + %" PRIu64
			" dropped + %" PRId64 " held + %" PRIu64 " taken\n",
			fz_in - in0, t1.made - t0.made, fz_sent - sent0,
			t1.dropped - t0.dropped, (int64_t)(t1.held - t0.held),
			t1.taken - t0.taken);
		fz_print_counters(stderr);
		abort();
	}
	/* Only held packets keep mbufs: one or two (segments) each. */
	in_use = rte_mempool_in_use_count(fz_in_pool) +
		 rte_mempool_in_use_count(fz_pool);
	FZ_CHECK(in_use >= t1.held && in_use <= 2 * t1.held);
	return frames;
}

void
fz_print_counters(FILE *f)
{
	unsigned int v;
	uint16_t c;

	fprintf(f,
		"%" PRIu64 " frames in; sent %" PRIu64 " (%" PRIu64
		" of them made or copied by the VNFs)\n",
		fz_in, fz_sent, fz_made);
	for (v = 0; v < FZ_N_VNFS; v++) {
		const struct vnf_instance *vi = fz_vi[v];

		fprintf(f, "%s:", vi->name);
		for (c = 0; c < vi->ops->n_counters; c++) {
			uint64_t n = vnf_counter_sum(vi, c);

			if (n != 0)
				fprintf(f, " %s %" PRIu64,
					vi->ops->counters[c].name, n);
		}
		fprintf(f, "\n");
	}
}
