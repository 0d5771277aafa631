/* SPDX-License-Identifier: BSD-3-Clause
 *
 * fuzz_firewall.c - feed arbitrary frames and control actions through two
 * firewall instances via the real runner (dataplane/graph.c).
 *
 * Topology (port pN is graph port N):
 *   p0 - fw.in   p1 - fw.out   p2 - fw.x (the odd iface: hairpin)
 *   p3 - fw2.a   p4 - fw2.b
 *   p5 - twin.in p6 - twin.out p7 - twin.x
 * fw: default drop, stateful and reject rules, a 16-entry connection table
 * (it fills); fw2: default allow, drop and reject rules, 1024 entries.
 * twin: fw's twin, which gets a copy of every frame fw gets, in bursts of
 * the same frames, and every control verb fw gets; the first frame of
 * each of its bursts comes in two segments (its first one byte long),
 * which keeps the fast lane (firewall.c, fw_fast_lane()) from taking any
 * frame of the burst: the twin decides every frame by the four steps,
 * and what it sends must be what fw sends.
 * Time moves only when the input says so.
 *
 * The input is a little program, read byte by byte (missing bytes read as
 * 0).  Each op either builds a frame and queues it on an RX port, repeats
 * the last frame up to 31 times (bursts of one flow), or submits the
 * queued bursts, moves time and runs ageing, runs a control verb (show,
 * rule add/del with random rules, conn flush), or makes the ports refuse
 * part of what they are sent.  Frames: IPv4/IPv6 TCP, UDP, SCTP, ICMP
 * echo, ICMP errors quoting earlier frames, any protocol number (so the
 * IPv6 extension-header walker sees arbitrary chains), fragments, 0-3
 * VLAN tags, ARP, raw bytes; addresses and ports from small pools so that
 * connections and rules match; then bytes overwritten near the headers,
 * the frame cut short, or split over two segments.
 *
 * Invariants (abort() on failure, so libFuzzer and ASan report it): a
 * frame that passes leaves unchanged by its ingress iface's peer; every
 * answer the firewall generates is a well-formed IPv4/IPv6 TCP RST or
 * ICMP error with valid checksums; every packet is counted exactly once
 * (pass counters plus drop reasons equal the packets in, vnf.h's fates);
 * after every
 * input every mbuf is back in the pool (its count is exact: fuzz_env.h);
 * fw and its twin send the same frames, byte for byte, out of the same
 * ifaces in the same order, and the ports take the same of them.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "vnf/firewall/config.h"
#include "dataplane/graph.h"
#include "vnf/lib/rcu.h"
#include "tests/unit/firewall/fwt_pkt.h"
#include "vnf/vnf.h"
#include "fuzz_firewall.h"
#include "tests/common/test_eal.h"
#include "tests/common/test_wctx.h"
#include "tests/common/test_wiring.h"
#include "tests/fuzz/common/fuzz_env.h"
#include "tests/fuzz/common/fuzz_fates.h"
#include "tests/fuzz/common/fuzz_frame.h"
#include "tests/fuzz/common/fuzz_prog.h"
#include "tests/fuzz/common/fuzz_queue.h"
#include "tests/fuzz/common/fuzz_twin.h"
#include "tests/fuzz/common/fuzz_rules.h"

#define FZ_IN_PORTS 5 /* the ports an input names: the twin's are fw's */
#define FZ_PORTS 8
#define FZ_TWIN 5 /* fw's port p is the twin's p + FZ_TWIN */
#define FZ_POOL 8191
#define FZ_PEER_NONE 0xff

#define FZ_CHECK(cond)                                                         \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "fuzz_firewall: %s:%d: %s\n",          \
				__FILE__, __LINE__, #cond);                    \
			abort();                                               \
		}                                                              \
	} while (0)

static const uint8_t fz_peer[FZ_PORTS] = {1, 0, 2, 4, 3, 6, 5, 7};

static struct rte_mempool *fz_pool;
static struct nfv_wctx *fz_w;
static struct nfv_graph *fz_g;
static struct vnf_instance *fz_fw, *fz_fw2, *fz_twin;
static struct fz_queues fz_q;
static unsigned int fz_accept = UINT_MAX;
static uint64_t fz_hz, fz_sent, fz_refused, fz_answers;

/* What the VNF and its twin sent during an input. */
static struct fz_twin_log fz_tlog;

/* ---- checking what leaves ---- */

static uint16_t
fz_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* An answer made by the firewall: well-formed, checksums right. */
static void
fz_check_answer(const struct rte_mbuf *m)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t len = rte_pktmbuf_pkt_len(m), off = 12;
	uint16_t et;

	FZ_CHECK(m->nb_segs == 1 && len >= 14);
	et = fz_be16(p + 12);
	while (et == RTE_ETHER_TYPE_VLAN || et == RTE_ETHER_TYPE_QINQ) {
		off += 4;
		FZ_CHECK(len >= off + 2);
		et = fz_be16(p + off);
	}
	off += 2;
	if (et == RTE_ETHER_TYPE_IPV4) {
		const struct rte_ipv4_hdr *ip =
			(const struct rte_ipv4_hdr *)(p + off);
		const uint8_t *l4 = p + off + 20;
		uint16_t tot;

		FZ_CHECK(len >= off + 20);
		tot = rte_be_to_cpu_16(ip->total_length);
		FZ_CHECK(ip->version_ihl == 0x45 && off + tot == len);
		FZ_CHECK(rte_ipv4_cksum(ip) == 0);
		if (ip->next_proto_id == IPPROTO_TCP) {
			FZ_CHECK(tot == 40);
			FZ_CHECK(rte_ipv4_udptcp_cksum_verify(ip, l4) == 0);
			FZ_CHECK(l4[13] & 0x04); /* RST */
		} else {
			FZ_CHECK(ip->next_proto_id == IPPROTO_ICMP);
			FZ_CHECK(tot >= 28 && tot <= 576);
			FZ_CHECK(l4[0] == 3 && l4[1] == 3);
			FZ_CHECK(fwt_cksum_fold(rte_raw_cksum(l4, tot - 20u)) ==
				 0xffff);
		}
	} else {
		const struct rte_ipv6_hdr *ip =
			(const struct rte_ipv6_hdr *)(p + off);
		const uint8_t *l4 = p + off + 40;
		uint16_t plen;

		FZ_CHECK(et == RTE_ETHER_TYPE_IPV6 && len >= off + 40);
		plen = rte_be_to_cpu_16(ip->payload_len);
		FZ_CHECK(off + 40 + plen == len && len - off <= 1280);
		FZ_CHECK(rte_ipv6_udptcp_cksum_verify(ip, l4) == 0);
		if (ip->proto == IPPROTO_TCP)
			FZ_CHECK(plen == 20 && (l4[13] & 0x04));
		else
			FZ_CHECK(ip->proto == IPPROTO_ICMPV6 && l4[0] == 1 &&
				 l4[1] == 4);
	}
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

		FZ_CHECK(rte_mbuf_check(m, 1, &why) == 0);
		if (port < 3 || port >= FZ_TWIN)
			fz_twin_record(&fz_tlog, port >= FZ_TWIN,
				       (uint16_t)(port % FZ_TWIN), m, i < take);
		if (m->port == RTE_MBUF_PORT_INVALID) {
			fz_check_answer(m);
			fz_answers++;
			continue;
		}
		/* Passed: unchanged, by the peer of its iface. */
		FZ_CHECK(m->port < FZ_PORTS && fz_peer[m->port] == port);
		FZ_CHECK(rte_pktmbuf_pkt_len(m) == m->hash.usr);
	}
	rte_pktmbuf_free_bulk(pkts, take);
	fz_sent += take;
	fz_refused += n - take;
	return take;
}

/* ---- set-up ---- */

static int
fz_vnf(const char *name, uint16_t id, const char *const *ifn, unsigned int n,
       enum fw_rule_action dflt, const struct fw_rule_config *rules,
       unsigned int n_rules, uint32_t size, struct vnf_instance **out)
{
	struct ctl_iface_config ifc[4];
	struct ctl_vnf_config cfg;
	struct fw_config fwc;
	char err[256] = "";
	unsigned int i;
	int rc;

	memset(&cfg, 0, sizeof(cfg));
	memset(ifc, 0, sizeof(ifc));
	for (i = 0; i < n; i++)
		snprintf(ifc[i].name, sizeof(ifc[i].name), "%s", ifn[i]);
	snprintf(cfg.name, sizeof(cfg.name), "%s", name);
	snprintf(cfg.type, sizeof(cfg.type), "firewall");
	cfg.ifaces = ifc;
	cfg.n_ifaces = n;
	memset(&fwc, 0, sizeof(fwc));
	fwc.default_action = dflt;
	fwc.rules = (struct fw_rule_config *)(uintptr_t)rules;
	fwc.n_rules = n_rules;
	fwc.conn_table_size = size;
	cfg.priv = &fwc;
	rc = vnf_instance_create(&cfg, id, 1, nfv_rcu(), out, err, sizeof(err));
	if (rc < 0)
		fprintf(stderr, "fuzz_firewall: %s\n", err);
	return rc;
}

static struct fw_rule_config
fz_rule(enum fw_rule_action a, uint8_t proto, uint16_t dlo, uint16_t dhi,
	const char *iface)
{
	struct fw_rule_config r;

	memset(&r, 0, sizeof(r));
	r.action = a;
	r.proto = proto;
	r.sport_hi = 65535;
	r.dport_lo = dlo;
	r.dport_hi = dhi;
	if (iface != NULL)
		snprintf(r.in_iface, sizeof(r.in_iface), "%s", iface);
	return r;
}

int
fz_init(const char *prog)
{
	static const char *const ifn[] = {"in", "out", "x"},
				 *ifn2[] = {"a", "b"};
	struct fw_rule_config r1[6], r2[3];
	uint16_t p;
	int rc;

	rc = fz_env_init(prog, "fz-fw", 256, FZ_POOL, &fz_pool);
	if (rc < 0)
		return rc;
	fz_hz = rte_get_tsc_hz();

	r1[0] = fz_rule(FW_RULE_ALLOW_STATEFUL, IPPROTO_TCP, 0, 65535, "in");
	r1[1] = fz_rule(FW_RULE_ALLOW_STATEFUL, IPPROTO_UDP, 53, 53, "in");
	r1[2] = fz_rule(FW_RULE_ALLOW_STATEFUL, 0, 0, 65535, "in");
	r1[3] = fz_rule(FW_RULE_REJECT, IPPROTO_TCP, 23, 23, NULL);
	r1[4] = fz_rule(FW_RULE_REJECT, IPPROTO_UDP, 0, 1000, NULL);
	r1[5] = fz_rule(FW_RULE_ALLOW, IPPROTO_ICMPV6, 0, 65535, NULL);
	r2[0] = fz_rule(FW_RULE_DROP, IPPROTO_TCP, 22, 22, NULL);
	r2[1] = fz_rule(FW_RULE_REJECT, 0, 0, 65535, "b");
	r2[2] = fz_rule(FW_RULE_ALLOW_STATEFUL, IPPROTO_UDP, 0, 65535, "a");
	rc = fz_vnf("fw", 0, ifn, 3, FW_RULE_DROP, r1, RTE_DIM(r1), 16, &fz_fw);
	if (rc == 0)
		rc = fz_vnf("fw2", 1, ifn2, 2, FW_RULE_ALLOW, r2, RTE_DIM(r2),
			    1024, &fz_fw2);
	if (rc == 0)
		rc = fz_vnf("twin", 2, ifn, 3, FW_RULE_DROP, r1, RTE_DIM(r1),
			    16, &fz_twin);
	if (rc < 0)
		return rc;

	fz_g = nfv_graph_alloc();
	/* A fixed start: timeouts, in TSC >> 22 ticks, then go the same way
	 * on every run. */
	fz_w = nfv_test_wctx_new(fz_pool, fz_tx_burst, UINT64_C(1) << 40);
	if (fz_g == NULL || fz_w == NULL)
		return -ENOMEM;
	nfv_test_graph_add(fz_g, fz_fw);
	nfv_test_graph_add(fz_g, fz_fw2);
	nfv_test_graph_add(fz_g, fz_twin);
	for (p = 0; p < 3; p++) {
		nfv_test_link_port(fz_g, p, 0, p);
		nfv_test_link_port(fz_g, (uint16_t)(p + FZ_TWIN), 2, p);
	}
	nfv_test_link_port(fz_g, 3, 1, 0);
	nfv_test_link_port(fz_g, 4, 1, 1);
	fz_queue_init(&fz_q, fz_w, fz_g, FZ_PORTS);
	return 0;
}

int
fz_fini(void)
{
	vnf_instance_destroy(fz_fw);
	vnf_instance_destroy(fz_fw2);
	vnf_instance_destroy(fz_twin);
	nfv_graph_free(fz_g);
	nfv_test_wctx_free(fz_w);
	return fz_env_fini(fz_pool);
}

/* ---- the input program ---- */

static const char *const fz_addr4[] = {
	"10.0.0.1",	   "10.0.0.2",	"192.0.2.1", "192.0.2.9",
	"255.255.255.255", "224.0.0.1", "0.0.0.0",   "10.0.0.2"};
static const char *const fz_addr6[] = {
	"2001:db8::1", "2001:db8::2", "2001:db8:1::1", "2001:db8:1::9",
	"ff02::1",     "::",	      "fe80::1",       "2001:db8::2"};
static const uint16_t fz_ports[] = {22, 23, 53, 80, 443, 1000, 40000, 0};
static const uint8_t fz_protos[] = {
	IPPROTO_TCP,	 IPPROTO_UDP,	  IPPROTO_ICMP,	   IPPROTO_ICMPV6,
	IPPROTO_SCTP,	 IPPROTO_HOPOPTS, IPPROTO_ROUTING, IPPROTO_FRAGMENT,
	IPPROTO_DSTOPTS, IPPROTO_AH,	  IPPROTO_NONE,	   IPPROTO_GRE,
};

/* The last frame built (op 10), and one kept for ICMP errors to quote. */
static struct {
	struct fwt_frame f;
	uint16_t first, port;
	bool valid;
} fz_last;
static struct fwt_frame fz_quoted;
static uint16_t fz_quoted_port;

static struct rte_mbuf *
fz_last_mbuf(uint16_t port, uint16_t first)
{
	struct rte_mbuf *m = fz_mbuf_make(fz_pool, fz_last.f.b, fz_last.f.len,
					  first, -1);

	if (m != NULL) {
		m->port = port;
		m->hash.usr = fz_last.f.len;
	}
	return m;
}

/* The last frame to its port, and a copy to the twin's when it is fw's:
 * the first of a twin's burst split after its first byte. */
static bool
fz_enqueue_last(void)
{
	uint16_t port = fz_last.port, tp = (uint16_t)(port + FZ_TWIN);
	struct rte_mbuf *m, *t = NULL;

	m = fz_last_mbuf(port, fz_last.first);
	if (m == NULL)
		return false;
	if (port < 3) {
		t = fz_last_mbuf(tp, fz_q.n[tp] == 0 && fz_last.f.len > 1
					     ? 1
					     : fz_last.first);
		if (t == NULL) {
			rte_pktmbuf_free(m);
			return false;
		}
	}
	fz_queue_push(&fz_q, port, m);
	if (t != NULL)
		fz_queue_push(&fz_q, tp, t);
	return true;
}

/* Build one frame from the input and queue it; false when out of mbufs. */
static bool
fz_frame(struct fz_in *in)
{
	struct fwt_frame *f = &fz_last.f;
	struct fwt_spec sp = {.vlan = -1};
	uint8_t kind = fz_u8(in), flags = fz_u8(in), sel = fz_u8(in);
	uint8_t shape = fz_u8(in);
	bool v6 = kind & 1;
	unsigned int i, ntags, nmut;

	fz_last.port = fz_u8(in) % FZ_IN_PORTS;
	sp.src = v6 ? fz_addr6[sel & 7] : fz_addr4[sel & 7];
	sp.dst = v6 ? fz_addr6[(sel >> 3) & 7] : fz_addr4[(sel >> 3) & 7];
	sel = fz_u8(in);
	sp.sport = (sel & 0x80) ? fz_u16(in) : fz_ports[sel & 7];
	sp.dport = (sel & 0x40) ? fz_u16(in) : fz_ports[(sel >> 3) & 7];
	sp.flags = fz_u8(in);
	sp.seq = fz_u16(in);
	sp.ack = fz_u16(in);
	sp.payload = fz_u8(in);
	switch ((kind >> 1) % 8) {
	case 0:
		sp.proto = IPPROTO_TCP;
		break;
	case 1:
		sp.proto = IPPROTO_UDP;
		break;
	case 2: /* echo request / reply or another ICMP type */
		sp.proto = v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
		sel = fz_u8(in);
		sp.type = (sel & 1)   ? (v6 ? 128 : 8)
			  : (sel & 2) ? (v6 ? 129 : 0)
				      : (uint8_t)(sel >> 2);
		sp.id = fz_ports[sel & 7];
		break;
	case 3: /* an ICMP error quoting an earlier frame */
		sp.proto = v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
		sp.type = v6 ? 1 : 3;
		sp.code = fz_u8(in) & 7;
		if (fz_quoted.len > 18) {
			uint16_t q = fz_quoted.b[12] == 0x81 ? 18 : 14;

			sp.quote = &fz_quoted;
			sp.quote_len =
				(uint16_t)(1 + fz_u8(in) % (fz_quoted.len - q));
			/* Mostly from where the quoted packet went. */
			if (sp.code != 7)
				fz_last.port = fz_peer[fz_quoted_port];
		}
		break;
	case 4: /* any protocol: extension headers, SCTP, GRE, ... */
		sp.proto = fz_protos[fz_u8(in) % RTE_DIM(fz_protos)];
		sp.l4_none = sp.proto != IPPROTO_SCTP;
		break;
	case 5: /* a fragment */
		sp.proto = (flags & 1) ? IPPROTO_TCP : IPPROTO_UDP;
		sp.frag = true;
		sp.mf = flags & 2;
		sp.frag_off = (flags & 4) ? (uint16_t)(fz_u8(in) & 3) : 0;
		sp.l4_none = sp.frag_off != 0;
		sp.frag_id = fz_u8(in) & 3;
		/* Few addresses, so that fragments meet their first one. */
		sp.src = v6 ? fz_addr6[0] : fz_addr4[0];
		sp.dst = v6 ? fz_addr6[2] : fz_addr4[2];
		break;
	case 6: /* ARP-like: not IP */
		memset(f, 0, sizeof(*f));
		memset(f->b, 0xff, 6);
		f->b[12] = 0x08;
		f->b[13] = 0x06;
		f->len = 60;
		goto built;
	default: /* raw bytes */
		memset(f, 0, sizeof(*f));
		f->len = fz_u8(in);
		for (i = 0; i < f->len; i++)
			f->b[i] = fz_u8(in);
		goto built;
	}
	if (fwt_build(f, &sp) == 0)
		return true;
	if (sp.proto == IPPROTO_TCP || sp.proto == IPPROTO_UDP) {
		fz_quoted = *f;
		fz_quoted_port = fz_last.port;
	}
	/* VLAN tags (802.1Q or 802.1ad); three (too many) rarely. */
	ntags = shape & 3;
	if (ntags == 3 && !(shape & 4))
		ntags = 1;
	for (i = 0; i < ntags && f->len + 4 <= FWT_FRAME_MAX; i++) {
		memmove(f->b + 16, f->b + 12, f->len - 12u);
		f->b[12] = (shape & 8) ? 0x88 : 0x81;
		f->b[13] = (shape & 8) ? 0xa8 : 0x00;
		f->b[14] = 0;
		f->b[15] = (uint8_t)i;
		f->len += 4;
	}
built:
	/* Bytes overwritten near the headers. */
	nmut = (shape & 0x80) ? fz_u8(in) % 5 : 0;
	fz_frame_damage(in, f->b, f->len, nmut, 120);
	/* Cut short (one frame in four). */
	if ((shape & 0x30) == 0x30)
		f->len = fz_frame_cut16(in, f->len);
	/* Two segments: the first one 1..len-1 bytes long. */
	fz_last.first = (shape & 0x40) ? fz_frame_split(in, f->len) : f->len;
	fz_last.valid = true;
	return fz_enqueue_last();
}

/* `rule add`s and `rule del`s an input may make.  Each builds both
 * families' ACLs (rte_acl_build(), DPDK's), and inputs at the length
 * limit made dozens: 60 % of a campaign's time.  What an input adds is
 * which rules and where the changes fall among its frames. */
#define FZ_RULE_VERBS_PER_INPUT 6
static unsigned int fz_rule_verbs;

static void
fz_ctl(struct vnf_instance *vi, struct fz_in *in)
{
	static const char *const actions[] = {"allow", "allow-stateful", "drop",
					      "reject", "bogus"};
	static const char *const protos[] = {"tcp",    "udp", "icmp",
					     "icmpv6", "any", "47"};
	static const char *const pfx[] = {"10.0.0.0/8",	   "10.0.0.1/32",
					  "2001:db8::/32", "0.0.0.0/0",
					  "192.0.2.1/24",  "::/0"};
	static const char *const ports[] = {"22",      "1-1000", "53",
					    "0-65535", "9-8",	 "x"};
	uint8_t what = fz_u8(in), a = fz_u8(in), b = fz_u8(in);
	json_t *args = json_object(), *reply = NULL;
	const char *verb;
	int rc;

	switch (what % 8) {
	case 0:
		verb = "show rules";
		break;
	case 1:
		verb = "show conn";
		json_object_set_new(args, "limit", json_integer(1 + a % 20));
		break;
	case 2:
		verb = "details";
		break;
	case 3:
		verb = "conn flush";
		break;
	case 4:
	case 5:
		verb = "rule add";
		json_object_set_new(args, "action",
				    json_string(actions[a % RTE_DIM(actions)]));
		if (a & 0x08)
			json_object_set_new(
				args, "proto",
				json_string(protos[b % RTE_DIM(protos)]));
		if (a & 0x10)
			json_object_set_new(args, "src",
					    json_string(pfx[b % RTE_DIM(pfx)]));
		if (a & 0x20)
			json_object_set_new(
				args, "dport",
				json_string(ports[(b >> 3) % RTE_DIM(ports)]));
		if (a & 0x40)
			json_object_set_new(
				args, "iface",
				json_string((b & 0x80) ? "out" : "in"));
		if (a & 0x80)
			json_object_set_new(args, "index", json_integer(b % 8));
		break;
	case 6:
		verb = "rule del";
		json_object_set_new(args, "index", json_integer(a % 10));
		if (b & 0x80) /* 0 too: an error */
			json_object_set_new(args, "count",
					    json_integer(b % 5));
		break;
	default:
		verb = "no such verb";
		break;
	}
	if (strncmp(verb, "rule", 4) == 0 &&
	    fz_rule_verbs++ >= FZ_RULE_VERBS_PER_INPUT) {
		rc = 0;
	} else if (strcmp(verb, "details") == 0) {
		reply = vi->ops->details(vi);
		rc = reply != NULL ? 0 : -ENOMEM;
	} else {
		rc = vnf_verb_call(vi, verb, args, &reply);
		if (vi == fz_fw) {
			/* The twin the same, with the same outcome. */
			json_t *r2 = NULL;

			FZ_CHECK(vnf_verb_call(fz_twin, verb, args, &r2) == rc);
			json_decref(r2);
		}
	}
	FZ_CHECK(rc == 0 || strncmp(verb, "rule", 4) == 0 ||
		 (rc == -ENOTSUP && what % 8 == 7));
	FZ_CHECK(rc == 0 || reply == NULL || json_is_string(reply));
	json_decref(reply);
	json_decref(args);
}

/* Every packet is counted once: the pass counters and the drops add up to
 * the packets that went in.  The counters' kinds (vnf.h) and the firewall's
 * list of pass counters must agree, too. */
static void
fz_check_counts(const struct vnf_instance *vi)
{
	static const char *const pass[] = {
		"allowed",	   "conn-created", "conn-matched",  "related",
		"default-allowed", "non-ip",	   "frag-followed",
	};
	struct vnf_fates f;
	uint64_t sum = 0;
	unsigned int i;
	uint16_t c;

	for (c = 0; c < vi->ops->n_counters; c++) {
		bool counted = vi->ops->counters[c].is_drop;

		for (i = 0; i < RTE_DIM(pass); i++)
			counted |=
				strcmp(vi->ops->counters[c].name, pass[i]) == 0;
		if (counted)
			sum += vnf_counter_sum(vi, c);
	}
	FZ_CHECK(sum == vi->slots[0].pkts);
	fz_check_fates(vi, "fuzz_firewall");
	vnf_fates_get(vi, &f);
	FZ_CHECK(f.passed + f.dropped == sum && f.held == 0);
}

/* Ops 11-15 (fuzz_prog.h; 0-9 frames, 10 the last frame again). */
static void
fz_op(struct fz_in *in, uint8_t op, uint8_t arg)
{
	switch (op) {
	case 11:
	case 15:
		fz_queue_submit_all(&fz_q);
		break;
	case 12:
		fz_queue_submit_all(&fz_q);
		/* Up to ~200 s: past every timeout but established. */
		fz_w->now += (uint64_t)arg * arg * (fz_hz / 300);
		fz_fw->ops->periodic(fz_fw, fz_w->now);
		fz_fw2->ops->periodic(fz_fw2, fz_w->now);
		fz_twin->ops->periodic(fz_twin, fz_w->now);
		nfv_rcu_reclaim();
		break;
	case 13:
		fz_queue_submit_all(&fz_q);
		fz_ctl((arg & 0x80) ? fz_fw2 : fz_fw, in);
		break;
	case 14:
		fz_accept = arg % 40; /* 32 and up: everything */
		break;
	}
}

static const struct fz_prog fz_prog = {
	.frame_ops = 0x3ff,
	.repeat_op = 10,
	.last_valid = &fz_last.valid,
	.frame = fz_frame,
	.again = fz_enqueue_last,
	.op = fz_op,
};

unsigned int
fz_run(const uint8_t *data, size_t len)
{
	struct fz_in in = {.p = data, .n = len};
	unsigned int frames = 0;
	json_t *reply = NULL;

	/* Each input starts with empty connection tables and ports taking
	 * everything; rules added by earlier inputs may stay.  Time only
	 * moves forward. */
	FZ_CHECK(vnf_verb_call(fz_fw, "conn flush", NULL, &reply) == 0);
	json_decref(reply);
	FZ_CHECK(vnf_verb_call(fz_fw2, "conn flush", NULL, &reply) == 0);
	json_decref(reply);
	FZ_CHECK(vnf_verb_call(fz_twin, "conn flush", NULL, &reply) == 0);
	json_decref(reply);
	fz_last.valid = false;
	fz_accept = UINT_MAX;
	fz_rule_verbs = 0;
	fz_trim_rules(fz_fw, 12, "fuzz_firewall");
	fz_trim_rules(fz_fw2, 12, "fuzz_firewall");
	fz_trim_rules(fz_twin, 12, "fuzz_firewall");
	fz_twin_reset(&fz_tlog);

	frames = fz_prog_run(&fz_prog, &fz_q, &in);
	FZ_CHECK(fz_w->tx_dirty == 0);
	FZ_CHECK(rte_mempool_avail_count(fz_pool) == fz_pool->size);
	fz_check_counts(fz_fw);
	fz_check_counts(fz_fw2);
	fz_check_counts(fz_twin);
	fz_twin_check(&fz_tlog, "fuzz_firewall");
	return frames;
}

void
fz_print_counters(FILE *f)
{
	struct vnf_instance *v[3] = {fz_fw, fz_fw2, fz_twin};
	unsigned int i;
	uint16_t c;

	fprintf(f,
		"sent %" PRIu64 ", refused by the ports %" PRIu64
		", answers made %" PRIu64 "\n",
		fz_sent, fz_refused, fz_answers);
	for (i = 0; i < RTE_DIM(v); i++) {
		fprintf(f, "%s:", v[i]->name);
		for (c = 0; c < v[i]->ops->n_counters; c++) {
			uint64_t n = vnf_counter_sum(v[i], c);

			if (n != 0)
				fprintf(f, " %s %" PRIu64,
					v[i]->ops->counters[c].name, n);
		}
		fprintf(f, "\n");
	}
}
