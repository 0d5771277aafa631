/* SPDX-License-Identifier: BSD-3-Clause
 *
 * firewall.c - a stateful firewall between pairs of ifaces.
 *
 * Per burst (all from one iface):
 *  0. the fast lane: while the frames are plain IPv4/IPv6 TCP/UDP of
 *     connections the worker's position cache knows, and their connection
 *     passes them, decide them one by one right away (fw_fast_lane());
 *     the rest of the burst, from the first other frame on, goes through:
 *  1. parse each frame (up to two VLAN tags, IPv4 / IPv6 with extension
 *     headers, TCP/UDP/SCTP ports, ICMP echo ids, the packet quoted in an
 *     ICMP error) into a connection key; malformed frames get their drop
 *     reason here, non-IP frames pass;
 *  2. look the distinct connection keys up in one rte_hash bulk call;
 *  3. build the ACL keys of the packets that have no connection (only
 *     those: an established flow never needs one) and classify them with
 *     one rte_acl call per family;
 *  4. decide in arrival order: a packet of a tracked connection passes (and
 *     moves its TCP state on); else the first matching rule's action, or
 *     the default.  allow-stateful enters a new connection; reject answers
 *     with a TCP RST or an ICMP unreachable.
 * A packet that passes leaves by the peer iface (0<->1, 2<->3, ...).
 *
 * process() runs on workers: no locks (rte_hash's writer lock aside, taken
 * once per new connection), no heap allocation, no logging.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>
#include <rte_acl.h>
#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_hash.h>
#include <rte_malloc.h>
#include <rte_prefetch.h>

#include "vnf/firewall/conn.h"
#include "vnf/firewall/fw_priv.h"

static const struct vnf_counter_desc fw_counters[FW_N_COUNTERS] = {
	FW_COUNTERS(VNF_COUNTER_DESC)};

#define FW_NO_KEY 0xff
#define FW_RES_NONE UINT32_MAX /* not classified in the bulk step */

static inline uint16_t
fw_rd16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint64_t
fw_rd64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint32_t
fw_rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline void
fw_done(struct fw_pkt *pk, uint16_t next)
{
	pk->kind = FW_PK_DONE;
	pk->next = next;
}

/* Words built in registers, so that each key word is written by one
 * store; see struct fw_acl4.  The tail of a connection key: the layout
 * of struct fw_conn_key's last used word. */
static inline uint64_t
fw_ck_tail(uint16_t lo_port, uint16_t hi_port, uint8_t proto, uint16_t in,
	   uint8_t family)
{
#if RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN
	/* What the memcpy() below makes, without the stack copy. */
	return (uint64_t)lo_port | (uint64_t)hi_port << 16 |
	       (uint64_t)proto << 32 | (uint64_t)(uint8_t)(in >> 1) << 40 |
	       (uint64_t)family << 48;
#else
	const struct {
		uint16_t lp, hp;
		uint8_t proto, zone, family, pad;
	} t = {lo_port, hi_port, proto, (uint8_t)(in >> 1), family, 0};
	uint64_t w;

	memcpy(&w, &t, sizeof(w));
	return w;
#endif
}

static inline uint32_t
fw_w32_halves(uint16_t a, uint16_t b)
{
	const uint16_t h[2] = {a, b};
	uint32_t w;

	memcpy(&w, h, sizeof(w));
	return w;
}

static inline uint32_t
fw_w32_byte(uint8_t b0)
{
	const uint8_t b[4] = {b0, 0, 0, 0};
	uint32_t w;

	memcpy(&w, b, sizeof(w));
	return w;
}

/*
 * The connection key of a packet from (src, sport) to (dst, dport): the
 * lower endpoint first.  `related`: the addresses are those of the packet
 * quoted in an ICMP error, which travelled the other way.
 */
static inline void
fw_ck_set4(struct fw_pkt *pk, const uint8_t *src, const uint8_t *dst,
	   uint16_t sport, uint16_t dport, uint8_t proto, uint16_t in,
	   bool related)
{
	struct fw_conn_key *k = &pk->ck;
	uint32_t s = fw_rd32(src), d = fw_rd32(dst);
	uint32_t hs = rte_be_to_cpu_32(s), hd = rte_be_to_cpu_32(d);
	uint64_t ws = 0, wd = 0;
	bool lo = hs < hd || (hs == hd && rte_be_to_cpu_16(sport) <=
						  rte_be_to_cpu_16(dport));

	memcpy(&ws, &s, sizeof(s));
	memcpy(&wd, &d, sizeof(d));
	k->w[0] = lo ? ws : wd;
	k->w[1] = 0;
	k->w[2] = lo ? wd : ws;
	k->w[3] = 0;
	k->w[4] = fw_ck_tail(lo ? sport : dport, lo ? dport : sport, proto,
			     in, 4);
	k->w[5] = 0;
	pk->src_lo = related ? !lo : lo;
}

static inline void
fw_ck_set6(struct fw_pkt *pk, const uint8_t *src, const uint8_t *dst,
	   uint16_t sport, uint16_t dport, uint8_t proto, uint16_t in,
	   bool related)
{
	struct fw_conn_key *k = &pk->ck;
	uint64_t s[2], d[2];
	int c;
	bool lo;

	memcpy(s, src, sizeof(s));
	memcpy(d, dst, sizeof(d));
	if (s[0] != d[0])
		c = rte_be_to_cpu_64(s[0]) < rte_be_to_cpu_64(d[0]) ? -1 : 1;
	else if (s[1] != d[1])
		c = rte_be_to_cpu_64(s[1]) < rte_be_to_cpu_64(d[1]) ? -1 : 1;
	else
		c = (int)rte_be_to_cpu_16(sport) - (int)rte_be_to_cpu_16(dport);
	lo = c <= 0;
	k->w[0] = lo ? s[0] : d[0];
	k->w[1] = lo ? s[1] : d[1];
	k->w[2] = lo ? d[0] : s[0];
	k->w[3] = lo ? d[1] : s[1];
	k->w[4] = fw_ck_tail(lo ? sport : dport, lo ? dport : sport, proto,
			     in, 6);
	k->w[5] = 0;
	pk->src_lo = related ? !lo : lo;
}

static inline void
fw_ck_set(struct fw_pkt *pk, const uint8_t *src, const uint8_t *dst, bool v6,
	  uint16_t sport, uint16_t dport, uint8_t proto, uint16_t in,
	  bool related)
{
	if (v6)
		fw_ck_set6(pk, src, dst, sport, dport, proto, in, related);
	else
		fw_ck_set4(pk, src, dst, sport, dport, proto, in, related);
}

static inline bool
fw_icmp_is_error(bool v6, uint8_t type)
{
	if (v6)
		return type < 128; /* RFC 4443: errors are 0..127 */
	return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
}

static inline bool
fw_has_ports(uint8_t proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP ||
	       proto == IPPROTO_SCTP;
}

/*
 * Walk IPv6 extension headers: `nh` is the next header at p + *off; p holds
 * `avail` bytes and the packet `total`.  On return *nh is the upper-layer
 * protocol at *off, and *frag / *fid describe a fragment header.  0, or
 * FW_D_IP6_TRUNC (the chain runs past the packet) or FW_D_IP6_BAD (too many
 * headers, or a chain longer than the parser looks at).  A non-first
 * fragment stops the walk: what follows it is not a header.
 */
static inline int
fw_ip6_ext(const uint8_t *p, uint32_t avail, uint32_t total, uint8_t *nh,
	   uint32_t *off, uint8_t *frag, uint32_t *fid)
{
	unsigned int n;

	for (n = 0; n <= FW_MAX_EXT; n++) {
		uint32_t o = *off, hl;
		uint16_t fo;

		switch (*nh) {
		case IPPROTO_HOPOPTS:
		case IPPROTO_ROUTING:
		case IPPROTO_DSTOPTS:
		case IPPROTO_AH:
			if (o + 2 > total)
				return FW_D_IP6_TRUNC;
			if (o + 2 > avail)
				return FW_D_IP6_BAD;
			hl = *nh == IPPROTO_AH ? ((uint32_t)p[o + 1] + 2) * 4
					       : ((uint32_t)p[o + 1] + 1) * 8;
			break;
		case IPPROTO_FRAGMENT:
			if (o + 8 > total)
				return FW_D_IP6_TRUNC;
			if (o + 8 > avail)
				return FW_D_IP6_BAD;
			fo = rte_be_to_cpu_16(fw_rd16(p + o + 2));
			*fid = fw_rd32(p + o + 4);
			*nh = p[o];
			*off = o + 8;
			if ((fo & 0xfff8) != 0) {
				*frag = FW_FRAG_LATER;
				return 0;
			}
			if (fo & 1)
				*frag = FW_FRAG_FIRST;
			continue; /* an atomic fragment is a whole packet */
		default:
			return 0;
		}
		if (o + hl > total)
			return FW_D_IP6_TRUNC;
		*nh = p[o];
		*off = o + hl;
	}
	return FW_D_IP6_BAD;
}

/*
 * The connection an ICMP error is about: parse the packet it quotes (IP
 * header and the first 8 bytes of its payload) and set pk->ck to that
 * packet's connection.  False when the quote is not usable (then the
 * error is judged by the rules like any packet).
 */
static bool
fw_parse_quote(struct fw_pkt *pk, const uint8_t *q, uint32_t qlen, bool v6,
	       uint16_t in)
{
	const uint8_t *src, *dst, *l4;
	uint16_t sp = 0, dp = 0;
	uint8_t proto, frag = FW_FRAG_NONE;
	uint32_t fid = 0, off;

	if (!v6) {
		uint32_t hl;

		if (qlen < 20 || (q[0] >> 4) != 4)
			return false;
		hl = (uint32_t)(q[0] & 0xf) * 4;
		if (hl < 20 || qlen < hl + 8 ||
		    (rte_be_to_cpu_16(fw_rd16(q + 6)) & 0x1fff) != 0)
			return false;
		proto = q[9];
		src = q + 12;
		dst = q + 16;
		off = hl;
	} else {
		if (qlen < 40 || (q[0] >> 4) != 6)
			return false;
		proto = q[6];
		off = 40;
		if (fw_ip6_ext(q, qlen, qlen, &proto, &off, &frag, &fid) != 0 ||
		    frag == FW_FRAG_LATER || qlen < off + 8)
			return false;
		src = q + 8;
		dst = q + 24;
	}
	l4 = q + off;
	if (fw_has_ports(proto)) {
		sp = fw_rd16(l4);
		dp = fw_rd16(l4 + 2);
	} else if (proto == (v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP)) {
		if (l4[0] != (v6 ? FW_ICMP6_ECHO_REQUEST
				 : FW_ICMP4_ECHO_REQUEST) &&
		    l4[0] != (v6 ? FW_ICMP6_ECHO_REPLY : FW_ICMP4_ECHO_REPLY))
			return false;
		sp = dp = fw_rd16(l4 + 4);
	}
	fw_ck_set(pk, src, dst, v6, sp, dp, proto, in, true);
	return true;
}

/*
 * The transport header at l4 (`have` bytes of it readable, `len` in the
 * packet): ports (both in pk->ports, as the ACL key's last word), TCP
 * flags, ICMP type.  Sets the connection key, or a drop verdict in pk.
 */
static inline void
fw_parse_l4(struct fw_pkt *pk, const uint8_t *l4, uint32_t have, uint32_t len,
	    const uint8_t *src, const uint8_t *dst, bool v6, uint16_t in)
{
	const uint16_t trunc = VNF_DROP(
		pk->frag == FW_FRAG_FIRST ? FW_D_BAD_FRAG : FW_D_L4_TRUNC);
	uint8_t proto = pk->proto;
	uint16_t sp, dp;
	uint32_t need;

	have = RTE_MIN(have, len);
	pk->ct = FW_CTK_TRACK;
	switch (proto) {
	case IPPROTO_TCP:
		if (have < 20) {
			fw_done(pk, trunc);
			return;
		}
		need = (uint32_t)(l4[12] >> 4) * 4;
		if (need < 20) {
			fw_done(pk, VNF_DROP(FW_D_TCP_BAD));
			return;
		}
		if (need > len) {
			fw_done(pk, trunc);
			return;
		}
		pk->tcp_flags = l4[13];
		break;
	case IPPROTO_UDP:
		if (have < 8) {
			fw_done(pk, trunc);
			return;
		}
		break;
	case IPPROTO_SCTP:
		if (have < 12) {
			fw_done(pk, trunc);
			return;
		}
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		if (proto != (v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP))
			goto generic;
		if (have < 8) {
			fw_done(pk, trunc);
			return;
		}
		pk->icmp_type = l4[0];
		if (l4[0] == (v6 ? FW_ICMP6_ECHO_REQUEST
				 : FW_ICMP4_ECHO_REQUEST) ||
		    l4[0] == (v6 ? FW_ICMP6_ECHO_REPLY : FW_ICMP4_ECHO_REPLY)) {
			uint16_t id = fw_rd16(l4 + 4);

			fw_ck_set(pk, src, dst, v6, id, id, proto, in, false);
			return;
		}
		pk->ct = FW_CTK_NONE;
		if (fw_icmp_is_error(v6, l4[0]) &&
		    fw_parse_quote(pk, l4 + 8, have - 8, v6, in))
			pk->ct = FW_CTK_RELATED;
		return;
	default:
	generic:
		fw_ck_set(pk, src, dst, v6, 0, 0, proto, in, false);
		return;
	}
	sp = fw_rd16(l4);
	dp = fw_rd16(l4 + 2);
	pk->ports = fw_w32_halves(sp, dp);
	fw_ck_set(pk, src, dst, v6, sp, dp, proto, in, false);
}

/* IPv4 at p: `avail` bytes readable, `total` bytes in the frame. */
static inline void
fw_parse_ip4(struct fw_pkt *pk, const uint8_t *p, uint32_t avail,
	     uint32_t total, uint16_t in)
{
	uint32_t hl, tot;
	uint16_t fo;

	if (unlikely(avail < 20)) {
		fw_done(pk, VNF_DROP(FW_D_IP4_TRUNC));
		return;
	}
	hl = (uint32_t)(p[0] & 0xf) * 4;
	tot = rte_be_to_cpu_16(fw_rd16(p + 2));
	if (unlikely((p[0] >> 4) != 4 || hl < 20 || tot < hl)) {
		fw_done(pk, VNF_DROP(FW_D_IP4_BAD));
		return;
	}
	if (unlikely(tot > total || hl > avail)) {
		fw_done(pk, VNF_DROP(FW_D_IP4_TRUNC));
		return;
	}
	pk->kind = FW_PK_IP;
	pk->family = 4;
	pk->proto = p[9];
	pk->l4off = (uint16_t)(pk->l3off + hl);

	fo = rte_be_to_cpu_16(fw_rd16(p + 6));
	if (unlikely(fo & 0x3fff)) {
		pk->frag_id = fw_rd16(p + 4);
		if (fo & 0x1fff) {
			/* RFC 1858: an offset of 8 bytes can only serve to
			 * overwrite the TCP header's flags. */
			if ((fo & 0x1fff) == 1 && pk->proto == IPPROTO_TCP) {
				fw_done(pk, VNF_DROP(FW_D_BAD_FRAG));
				return;
			}
			pk->frag = FW_FRAG_LATER;
			return;
		}
		pk->frag = FW_FRAG_FIRST;
	}
	fw_parse_l4(pk, p + hl, RTE_MIN(avail, tot) - hl, tot - hl, p + 12,
		    p + 16, false, in);
}

static inline void
fw_parse_ip6(struct fw_pkt *pk, const uint8_t *p, uint32_t avail,
	     uint32_t total, uint16_t in)
{
	uint32_t tot, off = 40, fid = 0;
	uint8_t nh, frag = FW_FRAG_NONE;
	int rc;

	if (unlikely(avail < 40)) {
		fw_done(pk, VNF_DROP(FW_D_IP6_TRUNC));
		return;
	}
	tot = 40 + (uint32_t)rte_be_to_cpu_16(fw_rd16(p + 4));
	if (unlikely((p[0] >> 4) != 6)) {
		fw_done(pk, VNF_DROP(FW_D_IP6_BAD));
		return;
	}
	if (unlikely(tot > total)) {
		fw_done(pk, VNF_DROP(FW_D_IP6_TRUNC));
		return;
	}
	nh = p[6];
	rc = fw_ip6_ext(p, RTE_MIN(avail, tot), tot, &nh, &off, &frag, &fid);
	if (unlikely(rc != 0)) {
		fw_done(pk, VNF_DROP(rc));
		return;
	}
	pk->kind = FW_PK_IP;
	pk->family = 6;
	pk->proto = nh;
	pk->frag = frag;
	pk->frag_id = fid;
	pk->l4off = (uint16_t)(pk->l3off + off);
	if (frag == FW_FRAG_LATER)
		return;
	fw_parse_l4(pk, p + off, RTE_MIN(avail, tot) - off, tot - off, p + 8,
		    p + 24, true, in);
}

/*
 * The ACL key of an IP packet pk (parsed, kind FW_PK_IP) that came in by
 * `in`, from its header at pk->l3; once (a no-op when built).  Worker.
 * Built on demand because most packets of a busy firewall belong to a
 * connection and never meet the rules.
 */
static inline void
fw_acl_key(struct fw_pkt *pk, uint16_t in)
{
	const uint8_t *p = pk->l3;
	uint32_t w1;

	if (p == NULL)
		return;
	pk->l3 = NULL;
	w1 = fw_w32_halves(rte_cpu_to_be_16(in),
			   pk->frag == FW_FRAG_LATER
				   ? rte_cpu_to_be_16(FW_KF_LATER_FRAG)
				   : 0);
	if (pk->family == 4) {
		struct fw_acl4 *a = &pk->k.a4;

		a->w[0] = fw_w32_byte(pk->proto);
		a->w[1] = w1;
		a->w[2] = fw_rd32(p + 12);
		a->w[3] = fw_rd32(p + 16);
		a->w[4] = pk->ports;
	} else {
		struct fw_acl6 *a = &pk->k.a6;

		a->w[0] = fw_w32_byte(pk->proto);
		a->w[1] = w1;
		memcpy(a->src, p + 8, 16);
		memcpy(a->dst, p + 24, 16);
		a->w[10] = pk->ports;
	}
}

/* Parse frame m that came in by `in` into pk. */
static inline void
fw_parse(const struct fw *fw, struct vnf_wctx *w, struct rte_mbuf *m,
	 uint16_t in, struct fw_pkt *pk, uint8_t *scratch)
{
	uint32_t plen = rte_pktmbuf_pkt_len(m), len = RTE_MIN(plen, FW_HDR_MAX);
	uint32_t off = RTE_ETHER_HDR_LEN;
	const uint8_t *p;
	unsigned int tags = 0;
	uint16_t et;

	bool in_place;

	pk->ct = FW_CTK_NONE;
	pk->frag = FW_FRAG_NONE;
	pk->tcp_flags = 0;
	pk->icmp_type = 0;
	pk->ports = 0;
	if (unlikely(plen < RTE_ETHER_HDR_LEN)) {
		fw_done(pk, VNF_DROP(FW_D_RUNT));
		return;
	}
	/* Headers in one piece: in place, else copied (chained mbufs). */
	in_place = likely(len <= m->data_len);
	p = in_place ? rte_pktmbuf_mtod(m, const uint8_t *)
		     : rte_pktmbuf_read(m, 0, len, scratch);
	et = fw_rd16(p + 12);
	while (et == rte_cpu_to_be_16(RTE_ETHER_TYPE_VLAN) ||
	       et == rte_cpu_to_be_16(RTE_ETHER_TYPE_QINQ)) {
		if (tags++ == FW_MAX_VLANS) {
			fw_done(pk, VNF_DROP(FW_D_VLAN_DEPTH));
			return;
		}
		if (len < off + 4) {
			fw_done(pk, VNF_DROP(FW_D_RUNT));
			return;
		}
		et = fw_rd16(p + off + 2);
		off += 4;
	}
	pk->l3off = (uint8_t)off;
	pk->l3 = p + off;
	if (et == rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4)) {
		fw_parse_ip4(pk, p + off, len - off, plen - off, in);
	} else if (et == rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6)) {
		fw_parse_ip6(pk, p + off, len - off, plen - off, in);
	} else {
		w->counters[FW_C_NON_IP]++;
		fw_done(pk, fw_peer(fw, in));
		return;
	}
	/* The scratch copy holds the next packet's headers soon. */
	if (unlikely(!in_place) && pk->kind == FW_PK_IP)
		fw_acl_key(pk, in);
}

/* ---- bursts of one flow ---- */

#define FW_TMPL_WORDS 16 /* header bytes compared: 128 at most */

/*
 * What fw_parse() read of a burst's first frame: the bytes its verdict
 * depends on (mask) and their values (ref), as 64-bit words from the
 * frame's start, and the length the IP header claims (l3off + total).
 * Another frame whose masked words are equal, whose first nw words are in
 * its first segment and that is at least min_plen long parses to the same
 * fw_pkt (its own l3 aside): the checks that read the frame's length
 * (truncation, the readable part's end) come out the same for any length
 * of at least min_plen (fw_tmpl_make()).  Varying bytes that the parse
 * never reads (MACs, IPv4 id, TTL and checksum, TCP sequence numbers,
 * payload) are left out of the mask.
 */
struct fw_tmpl {
	uint64_t ref[FW_TMPL_WORDS], mask[FW_TMPL_WORDS];
	uint32_t nw;
	uint32_t min_dlen; /* nw * 8 */
	uint32_t min_plen;
};

/*
 * The mask of the template of a frame parsed into pk, a plain tracked
 * packet (see fw_tmpl_make()): t's mask, nw and min_dlen.  False when it
 * would be longer than FW_TMPL_WORDS words.
 */
static bool
fw_tmpl_mask(struct fw_tmpl *t, const struct fw_pkt *pk)
{
	uint8_t mb[FW_TMPL_WORDS * 8];
	uint32_t l4len, end;

	switch (pk->proto) {
	case IPPROTO_TCP:
		l4len = 14; /* ports, data offset, flags */
		break;
	case IPPROTO_UDP:
	case IPPROTO_SCTP:
		l4len = 4; /* ports */
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		l4len = 6; /* echo: type, identifier */
		break;
	default:
		l4len = 0;
		break;
	}
	end = (uint32_t)pk->l4off + l4len;
	t->nw = (end + 7) / 8;
	t->min_dlen = t->nw * 8;
	if (t->nw > FW_TMPL_WORDS)
		return false;
	memset(mb, 0, sizeof(mb));
	/* EtherTypes and VLAN tags. */
	memset(mb + 12, 0xff, pk->l3off - 12u);
	if (pk->family == 4) {
		/* Version and length, total length, fragment field,
		 * protocol, addresses. */
		mb[pk->l3off] = 0xff;
		memset(mb + pk->l3off + 2, 0xff, 2);
		memset(mb + pk->l3off + 6, 0xff, 2);
		mb[pk->l3off + 9] = 0xff;
		memset(mb + pk->l3off + 12, 0xff, 8);
	} else {
		/* Version, payload length, next header, addresses,
		 * extension headers. */
		mb[pk->l3off] = 0xf0;
		memset(mb + pk->l3off + 4, 0xff, 3);
		memset(mb + pk->l3off + 8, 0xff, pk->l4off - pk->l3off - 8u);
	}
	if (pk->proto == IPPROTO_TCP) {
		memset(mb + pk->l4off, 0xff, 4);
		memset(mb + pk->l4off + 12, 0xff, 2);
	} else if (pk->proto == IPPROTO_ICMP || pk->proto == IPPROTO_ICMPV6) {
		mb[pk->l4off] = 0xff;
		memset(mb + pk->l4off + 4, 0xff, 2);
	} else {
		memset(mb + pk->l4off, 0xff, l4len);
	}
	memcpy(t->mask, mb, t->nw * 8);
	return true;
}

/* The rest of the template of frame m (headers h), parsed into pk, under
 * the mask `mask` of nw words: t's ref and min_plen. */
static inline void
fw_tmpl_ref(struct fw_tmpl *t, const uint64_t *mask, uint32_t nw,
	    const uint8_t *h, const struct fw_pkt *pk)
{
	const uint8_t *p = h + pk->l3off;
	uint32_t w;

	if (pk->family == 4)
		t->min_plen =
			pk->l3off + (uint32_t)rte_be_to_cpu_16(fw_rd16(p + 2));
	else
		t->min_plen =
			pk->l3off + 40u + rte_be_to_cpu_16(fw_rd16(p + 4));
	for (w = 0; w < nw; w++) {
		uint64_t x;

		memcpy(&x, h + 8 * w, 8);
		t->ref[w] = x & mask[w];
	}
}

/* Is frame `next` of the flow of the frame parsed into pk (headers h)?
 * Not worth a template otherwise: 8 bytes of the addresses or the ports
 * differ (or are not in place). */
static inline bool
fw_tmpl_worth(const uint8_t *h, const struct fw_pkt *pk,
	      const struct rte_mbuf *next)
{
	const uint8_t *nh = rte_pktmbuf_mtod(next, const uint8_t *);

	return next->data_len >= pk->l4off + 4u &&
	       fw_rd64(h + pk->l3off + 12) == fw_rd64(nh + pk->l3off + 12) &&
	       (!fw_has_ports(pk->proto) ||
		fw_rd32(h + pk->l4off) == fw_rd32(nh + pk->l4off));
}

/*
 * Worker: the template of frame m, parsed into pk; false when the frame
 * is not one the template can stand for: anything but a plain tracked
 * packet (a fragment, an ICMP error, a verdict of the parser), headers
 * not in place (a chained mbuf copied into the scratch buffer) or longer
 * than FW_TMPL_WORDS words; or when frame `next` is of another flow.
 */
static bool
fw_tmpl_make(struct fw_tmpl *t, const struct rte_mbuf *m,
	     const struct fw_pkt *pk, const struct rte_mbuf *next)
{
	const uint8_t *h = rte_pktmbuf_mtod(m, const uint8_t *);

	if (pk->kind != FW_PK_IP || pk->ct != FW_CTK_TRACK ||
	    pk->frag != FW_FRAG_NONE || pk->l3 == NULL ||
	    !fw_tmpl_worth(h, pk, next) || !fw_tmpl_mask(t, pk) ||
	    m->data_len < t->min_dlen)
		return false;
	fw_tmpl_ref(t, t->mask, t->nw, h, pk);
	return true;
}

/* The masked differences of header words 1..nw-1 of h from ref; word 0
 * holds MACs only and is never compared.  Inlined with a constant nw,
 * the loop unrolls. */
static __rte_always_inline uint64_t
fw_tmpl_diff(const uint64_t *mask, const uint64_t *ref, const uint8_t *h,
	     uint32_t nw)
{
	uint64_t diff = 0;
	uint32_t w;

	for (w = 1; w < nw; w++) {
		uint64_t x;

		memcpy(&x, h + 8 * w, 8);
		diff |= (x & mask[w]) ^ ref[w];
	}
	return diff;
}

/* Worker: frame m parses like the template's frame (see struct fw_tmpl);
 * t's mask is `mask`, of nw words (min_dlen bytes). */
static __rte_always_inline bool
fw_tmpl_match_n(const struct fw_tmpl *t, const uint64_t *mask,
		const struct rte_mbuf *m, uint32_t nw, uint32_t min_dlen)
{
	const uint8_t *h = rte_pktmbuf_mtod(m, const uint8_t *);

	if (unlikely(m->data_len < min_dlen || m->pkt_len < t->min_plen))
		return false;
	return fw_tmpl_diff(mask, t->ref, h, nw) == 0;
}

static inline bool
fw_tmpl_match(const struct fw_tmpl *t, const struct rte_mbuf *m)
{
	return fw_tmpl_match_n(t, t->mask, m, t->nw, t->min_dlen);
}

/* ---- first-fragment verdicts (per worker) ---- */

static inline struct fw_frag_ent *
fw_frag_slot(struct fw_wstate *ws, const struct fw_pkt *pk, const uint8_t **src,
	     const uint8_t **dst)
{
	uint32_t h;

	if (pk->family == 4) {
		*src = (const uint8_t *)&pk->k.a4.src;
		*dst = (const uint8_t *)&pk->k.a4.dst;
		h = pk->k.a4.src ^ pk->k.a4.dst;
	} else {
		*src = pk->k.a6.src;
		*dst = pk->k.a6.dst;
		h = fw_rd32(pk->k.a6.src + 12) ^ fw_rd32(pk->k.a6.dst + 12);
	}
	h ^= pk->frag_id * 2654435761u;
	h = (h ^ pk->proto) * 2654435761u;
	return &ws->frag[h >> 24];
}

static inline void
fw_frag_record(struct fw_wstate *ws, const struct fw_pkt *pk, uint16_t v,
	       uint32_t t)
{
	const uint8_t *src, *dst;
	struct fw_frag_ent *e = fw_frag_slot(ws, pk, &src, &dst);
	unsigned int alen = pk->family == 4 ? 4 : 16;

	memset(e, 0, sizeof(*e));
	memcpy(e->src, src, alen);
	memcpy(e->dst, dst, alen);
	e->id = pk->frag_id;
	e->stamp = t;
	e->next = v;
	e->family = pk->family;
	e->proto = pk->proto;
}

static inline const struct fw_frag_ent *
fw_frag_find(const struct fw *fw, struct fw_wstate *ws, const struct fw_pkt *pk,
	     uint32_t t)
{
	const uint8_t *src, *dst;
	const struct fw_frag_ent *e = fw_frag_slot(ws, pk, &src, &dst);
	unsigned int alen = pk->family == 4 ? 4 : 16;

	if (e->family != pk->family || e->proto != pk->proto ||
	    e->id != pk->frag_id || memcmp(e->src, src, alen) != 0 ||
	    memcmp(e->dst, dst, alen) != 0 ||
	    nfv_tick_diff(t, e->stamp) > (int32_t)fw->frag_ticks)
		return NULL;
	return e;
}

/* ---- verdicts ---- */

/* allow-stateful matched a packet without a connection: enter one. */
static inline uint16_t
fw_stateful_new(struct fw *fw, struct vnf_wctx *w, const struct fw_pkt *pk,
		int32_t *pos, uint16_t in, uint16_t out, uint32_t t)
{
	uint8_t st;
	int rc;

	if (pk->ct != FW_CTK_TRACK || pk->frag == FW_FRAG_LATER || pos == NULL)
		goto stateless;
	switch (pk->proto) {
	case IPPROTO_TCP:
		if (fw_tcp_event(pk->tcp_flags) != FW_TE_SYN)
			return VNF_DROP(FW_D_TCP_NOT_SYN);
		st = FW_ST_SYN_SENT;
		break;
	case IPPROTO_UDP:
		st = FW_ST_UDP_NEW;
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		if (pk->icmp_type != FW_ICMP4_ECHO_REQUEST &&
		    pk->icmp_type != FW_ICMP6_ECHO_REQUEST)
			goto stateless;
		st = FW_ST_ICMP_NEW;
		break;
	default:
		st = FW_ST_GEN_NEW;
		break;
	}
	rc = fw_ct_insert(&fw->ct, &pk->ck, pos,
			  fw_w_make(st, pk->src_lo ? FW_W_ORIG_LO : 0, in, t),
			  t);
	if (rc == 1) {
		w->counters[FW_C_CONN_NEW]++;
		return out;
	}
	if (rc < 0)
		return VNF_DROP(FW_D_TABLE_FULL);
	/* Someone entered it first: it is a packet of that connection. */
	w->counters[FW_C_CONN_EXISTS]++;
	switch (fw_ct_step(fw, &fw->ct, *pos, pk, in, t)) {
	case FW_CT_PASS:
		w->counters[FW_C_CONN_PASS]++;
		return out;
	case FW_CT_INVALID:
		return VNF_DROP(FW_D_TCP_INVALID);
	default:
		break;
	}
stateless:
	/* Allowed, but nothing to track (ICMP that is no echo request, a
	 * later fragment, an entry that does not fit it). */
	w->counters[FW_C_ALLOWED]++;
	return out;
}

static inline uint16_t
fw_judge(struct fw *fw, const struct fw_rs *rs, struct vnf_wctx *w,
	 struct fw_wstate *ws, struct rte_mbuf *m, struct fw_pkt *pk,
	 int32_t *pos, uint32_t res, uint16_t in, uint16_t out, uint32_t t)
{
	const struct fw_rs_rule *r;
	uint16_t v;

	if (pos != NULL && *pos >= 0) {
		switch (fw_ct_step(fw, &fw->ct, *pos, pk, in, t)) {
		case FW_CT_PASS:
			w->counters[pk->ct == FW_CTK_RELATED
					    ? FW_C_RELATED
					    : FW_C_CONN_PASS]++;
			v = out;
			goto done;
		case FW_CT_INVALID:
			v = VNF_DROP(FW_D_TCP_INVALID);
			goto done;
		default:
			break;
		}
	}
	if (unlikely(pk->frag == FW_FRAG_LATER)) {
		const struct fw_frag_ent *e;

		fw_acl_key(pk, in);
		e = fw_frag_find(fw, ws, pk, t);

		if (e != NULL) {
			if (VNF_NEXT_IS_DROP(e->next))
				return VNF_DROP(FW_D_FRAG_DROPPED);
			w->counters[FW_C_FRAG_FOLLOW]++;
			return out;
		}
	}
	if (res == FW_RES_NONE) {
		/* A connection that did not take the packet (it expired). */
		fw_acl_key(pk, in);
		res = fw_rs_classify_one(rs, pk->family == 6, &pk->k);
	}
	if (res == 0 || res > rs->n_rules) {
		if (fw->default_action == FW_A_ALLOW) {
			w->counters[FW_C_DEFAULT_ALLOW]++;
			v = out;
		} else {
			v = VNF_DROP(FW_D_DEFAULT);
		}
		goto done;
	}
	r = &rs->rule[res - 1];
	ws->hits[r->slot]++;
	switch (r->action) {
	case FW_A_ALLOW:
		w->counters[FW_C_ALLOWED]++;
		v = out;
		break;
	case FW_A_STATEFUL:
		v = fw_stateful_new(fw, w, pk, pos, in, out, t);
		break;
	case FW_A_REJECT:
		fw_reject(fw, w, m, pk, in);
		v = VNF_DROP(FW_D_RULE_REJECT);
		break;
	case FW_A_BPF:
		/* An iface index is a pass (by the usual peer), anything
		 * else a drop: docs/firewall.md. */
		vnf_bpf_prog_bind(r->prog, w->worker);
		if (vnf_bpf_prog_run(r->prog,
				     vnf_bpf_ctx_get(m, in, fw->n_ifaces,
						     &ws->bpf_ctx)) <
		    fw->n_ifaces) {
			w->counters[FW_C_BPF_ALLOWED]++;
			v = out;
		} else {
			v = VNF_DROP(FW_D_BPF_DROP);
		}
		break;
	default:
		v = VNF_DROP(FW_D_RULE_DROP);
		break;
	}
done:
	if (unlikely(pk->frag == FW_FRAG_FIRST)) {
		fw_acl_key(pk, in); /* its addresses: a connection's first
				     * fragment has no key yet */
		fw_frag_record(ws, pk, v, t);
	}
	return v;
}

/* ---- the fast lane ---- */

/*
 * The fast lane's parse of a transport header at l4, `have` bytes of it
 * readable, in an IP packet whose payload is `l4len` bytes: TCP or UDP
 * whole (fw_parse_l4()'s tests), else false.  Sets pk's fields but the
 * key.
 */
static inline bool
fw_parse_fast_l4(struct fw_pkt *pk, const uint8_t *l4, uint32_t have,
		 uint32_t l4len, uint8_t proto)
{
	uint32_t doff;

	if (proto == IPPROTO_UDP) {
		if (have < 8)
			return false;
		pk->tcp_flags = 0;
	} else if (proto == IPPROTO_TCP) {
		doff = (uint32_t)(l4[12] >> 4) * 4;
		if (have < 20 || doff < 20 || doff > l4len)
			return false;
		pk->tcp_flags = l4[13];
	} else {
		return false;
	}
	pk->ct = FW_CTK_TRACK;
	pk->frag = FW_FRAG_NONE;
	pk->frag_id = 0;
	pk->icmp_type = 0;
	pk->kind = FW_PK_IP;
	pk->proto = proto;
	pk->l3off = RTE_ETHER_HDR_LEN;
	pk->ports = fw_rd32(l4);
	return true;
}

/*
 * Worker: frame m, which came in by `in`, parsed into pk when it is of
 * the kind most of a busy firewall's frames are: untagged IPv4 without
 * options or fragmentation (fw_parse_fast4()) or IPv6 without extension
 * headers (fw_parse_fast6()), TCP or UDP, the headers in place and whole.
 * pk is then what fw_parse() makes of the frame (each test here is one of
 * fw_parse()'s, passed); false for any other frame (pk partly written),
 * which fw_parse() takes.  One function per family, not one with the
 * family as a constant argument: that one, always inlined, took the
 * IPv4 lane from 183 to 197 instructions per packet (cachegrind).
 */
static inline bool
fw_parse_fast4(const struct rte_mbuf *m, uint16_t in, struct fw_pkt *pk)
{
	const uint32_t l3 = RTE_ETHER_HDR_LEN, l4 = l3 + 20;
	const uint32_t plen = rte_pktmbuf_pkt_len(m);
	const uint32_t len = RTE_MIN(plen, FW_HDR_MAX);
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t tot;

	if (len > m->data_len || len < l4 ||
	    fw_rd16(p + 12) != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) ||
	    p[l3] != 0x45)
		return false;
	tot = rte_be_to_cpu_16(fw_rd16(p + l3 + 2));
	if (tot < 20 || tot > plen - l3 ||
	    (fw_rd16(p + l3 + 6) & rte_cpu_to_be_16(0x3fff)) != 0 ||
	    !fw_parse_fast_l4(pk, p + l4, RTE_MIN(len - l3, tot) - 20,
			      tot - 20, p[l3 + 9]))
		return false;
	pk->family = 4;
	pk->l4off = (uint16_t)l4;
	pk->l3 = p + l3;
	fw_ck_set4(pk, p + l3 + 12, p + l3 + 16, fw_rd16(p + l4),
		   fw_rd16(p + l4 + 2), pk->proto, in, false);
	return true;
}

static inline bool
fw_parse_fast6(const struct rte_mbuf *m, uint16_t in, struct fw_pkt *pk)
{
	const uint32_t l3 = RTE_ETHER_HDR_LEN, l4 = l3 + 40;
	const uint32_t plen = rte_pktmbuf_pkt_len(m);
	const uint32_t len = RTE_MIN(plen, FW_HDR_MAX);
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t tot;

	if (len > m->data_len || len < l4 ||
	    fw_rd16(p + 12) != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6) ||
	    (p[l3] >> 4) != 6)
		return false;
	tot = 40 + (uint32_t)rte_be_to_cpu_16(fw_rd16(p + l3 + 4));
	/* Next header TCP or UDP: no extension headers. */
	if (tot > plen - l3 ||
	    !fw_parse_fast_l4(pk, p + l4, RTE_MIN(len - l3, tot) - 40,
			      tot - 40, p[l3 + 6]))
		return false;
	pk->family = 6;
	pk->l4off = (uint16_t)l4;
	pk->l3 = p + l3;
	fw_ck_set6(pk, p + l3 + 8, p + l3 + 24, fw_rd16(p + l4),
		   fw_rd16(p + l4 + 2), pk->proto, in, false);
	return true;
}

/*
 * The masks of the fast lane's templates (fw_tmpl_mask() of its kinds of
 * frame: untagged, the IP header without options or extension headers):
 * IPv4 UDP, IPv4 TCP, IPv6 UDP, IPv6 TCP.  Made once, before any worker
 * runs.
 */
static struct fw_tmpl fw_lane_masks[4];

RTE_INIT(fw_lane_masks_init)
{
	unsigned int k;

	for (k = 0; k < RTE_DIM(fw_lane_masks); k++) {
		const struct fw_pkt pk = {
			.family = k < 2 ? 4 : 6,
			.proto = k % 2 ? IPPROTO_TCP : IPPROTO_UDP,
			.l3off = RTE_ETHER_HDR_LEN,
			.l4off = RTE_ETHER_HDR_LEN + (k < 2 ? 20 : 40),
		};
		bool ok = fw_tmpl_mask(&fw_lane_masks[k], &pk);

		RTE_VERIFY(ok);
	}
}

/* The frames of burst b from i on that match template tm (mask lm), each
 * while the connection's word is still `kept`: next[] set to out, returns
 * the index of the first other frame. */
static __rte_always_inline uint16_t
fw_lane_run_n(const struct fw_tmpl *tm, const struct fw_tmpl *lm,
	      const struct vnf_burst *b, uint16_t i,
	      const _Atomic uint64_t *word, uint64_t kept, uint16_t out,
	      uint32_t nw)
{
	/* In locals: the stores to next[] could otherwise alias them. */
	struct rte_mbuf *const *pkts = b->pkts;
	uint16_t *next = b->next, n = b->n;

	for (; i < n; i++) {
		if (!fw_tmpl_match_n(tm, lm->mask, pkts[i], nw, nw * 8) ||
		    atomic_load_explicit(word, memory_order_relaxed) != kept)
			break;
		next[i] = out;
	}
	return i;
}

/*
 * Frame b->pkts[i - 1], an IPv4 or IPv6 (family) TCP or UDP (proto) frame
 * that fw_parse_fast4() or fw_parse_fast6() took and that left its
 * connection's word at `kept`: its template, and fw_lane_run_n() with it
 * from frame i on; i when it makes none (frame i is of another flow).
 * Out of line, and given the two fields rather than the parse, so that
 * the lane's parse can stay in registers.  The loops unrolled for the
 * lengths of the lane's frames: IPv4 UDP and TCP (5 and 6 words), IPv6
 * UDP and TCP (8 and 9).
 */
static __rte_noinline uint16_t
fw_lane_tmpl(const struct vnf_burst *b, uint16_t i, uint8_t family,
	     uint8_t proto, const _Atomic uint64_t *word, uint64_t kept,
	     uint16_t out)
{
	const struct rte_mbuf *m = b->pkts[i - 1];
	const uint8_t *h = rte_pktmbuf_mtod(m, const uint8_t *);
	const struct fw_tmpl *lm =
		&fw_lane_masks[(family == 6) * 2 + (proto == IPPROTO_TCP)];
	const struct fw_pkt pk = {
		.family = family,
		.proto = proto,
		.l3off = RTE_ETHER_HDR_LEN,
		.l4off = RTE_ETHER_HDR_LEN + (family == 4 ? 20 : 40),
	};
	struct fw_tmpl tm;

	if (m->data_len < lm->min_dlen || !fw_tmpl_worth(h, &pk, b->pkts[i]))
		return i;
	fw_tmpl_ref(&tm, lm->mask, lm->nw, h, &pk);
	switch (lm->nw) {
	case 5:
		return fw_lane_run_n(&tm, lm, b, i, word, kept, out, 5);
	case 6:
		return fw_lane_run_n(&tm, lm, b, i, word, kept, out, 6);
	case 8:
		return fw_lane_run_n(&tm, lm, b, i, word, kept, out, 8);
	case 9:
		return fw_lane_run_n(&tm, lm, b, i, word, kept, out, 9);
	default:
		return fw_lane_run_n(&tm, lm, b, i, word, kept, out, lm->nw);
	}
}

/*
 * Worker: decide the leading frames of burst b that the fast lane can:
 * each parsed by fw_parse_fast4() or fw_parse_fast6(), of a connection
 * that the worker's position cache holds (or the previous frame's), and
 * passed by fw_ct_step().  Stops at the first frame that is not such and returns
 * how many it decided, in order (their next[] set): the rest of the burst
 * goes through fw_process()'s four steps as if the decided frames had
 * come in a burst of their own before it, so every frame gets the verdict
 * and the state change it would get there.  For an established flow this
 * is one short parse, at most one cache probe and one load of the
 * connection's word per frame.
 *
 * A burst of one flow (what testpmd sends) costs less still.  Once a frame
 * of the previous frame's connection has passed and left the connection's
 * word as it was, its template (struct fw_tmpl) stands for the frames
 * after it (fw_lane_tmpl()): one that matches it parses as it did, and if
 * it also finds the same word it passes without a write too
 * (fw_ct_step_kept()), so it is passed on a compare of its header words
 * and one load.  The first frame that does not match, or that finds the
 * word moved (a refresh, another worker's write), goes on as before; a
 * burst makes a new template only after one that served a frame, so that
 * two kinds of frame of one connection taking turns cost one template.
 */
static inline uint16_t
fw_fast_lane(struct fw *fw, struct vnf_wctx *w, struct fw_wstate *ws,
	     const struct vnf_burst *b, uint16_t in, uint16_t out, uint32_t t)
{
	/* Acquire: pairs with the release in fw_ct_del_end(), as in
	 * fw_ct_lookup(). */
	uint32_t gen = atomic_load_explicit(&fw->ct.gen, memory_order_acquire);
	uint64_t k[5] = {0}; /* the previous frame's key */
	int32_t pos = -1;
	bool tmpl_ok = true; /* may this burst make a template? */
	uint16_t i, j;

	if (unlikely(gen & 1))
		return 0; /* deletes under way: the cache is not used */
	for (i = 0; i < b->n; i++) {
		struct rte_mbuf *m = b->pkts[i];
		struct fw_pkt pk;
		uint64_t kept;
		bool same;

		if (i + 1 < b->n)
			rte_prefetch0(rte_pktmbuf_mtod(b->pkts[i + 1], void *));
		/* Of the previous frame's connection?  A key's word 4 holds
		 * the family, word 5 is 0 (TCP, UDP) and so are an IPv4
		 * key's words 1 and 3. */
		if (fw_parse_fast4(m, in, &pk))
			same = ((pk.ck.w[0] ^ k[0]) | (pk.ck.w[2] ^ k[2]) |
				(pk.ck.w[4] ^ k[4])) == 0;
		else if (fw_parse_fast6(m, in, &pk))
			same = ((pk.ck.w[0] ^ k[0]) | (pk.ck.w[1] ^ k[1]) |
				(pk.ck.w[2] ^ k[2]) | (pk.ck.w[3] ^ k[3]) |
				(pk.ck.w[4] ^ k[4])) == 0;
		else
			break;
		if (pos < 0 || !same) {
			const struct fw_emc *e = fw_emc_slot(ws, &pk.ck);

			if (e->gen != gen || !fw_ck_equal(&e->key, &pk.ck))
				break;
			pos = e->pos;
			memcpy(k, pk.ck.w, sizeof(k));
		}
		if (fw_ct_step_kept(fw, &fw->ct, pos, &pk, in, t, &kept) !=
		    FW_CT_PASS)
			break;
		b->next[i] = out;
		/* The second frame in a row of a connection, unchanged by
		 * it: the frames after it that look like it.  (Trying the
		 * first frame of each burst too saved a frame's parse for one
		 * flow, but cost 6 to 20 instructions per packet with many.) */
		if (unlikely(same && kept != 0 && tmpl_ok) && i + 1 < b->n) {
			j = fw_lane_tmpl(b, i + 1, pk.family, pk.proto,
					 &fw->ct.tab.words[pos], kept, out);
			tmpl_ok = j > i + 1;
			i = j - 1;
		}
	}
	w->counters[FW_C_CONN_PASS] += i;
	return i;
}

static void
fw_process(struct vnf_instance *vi, struct vnf_wctx *w, struct vnf_burst *b)
{
	struct fw *fw = vi->priv;
	struct fw_wstate *ws = w->state;
	/* Acquire: pairs with the release in fw_rs_publish(). */
	const struct fw_rs *rs =
		atomic_load_explicit(&fw->rs, memory_order_acquire);
	struct fw_pkt pk[VNF_BURST_MAX];
	const struct fw_conn_key *keys[VNF_BURST_MAX];
	int32_t kpos[VNF_BURST_MAX];
	uint8_t kidx[VNF_BURST_MAX];
	const uint8_t *d4[VNF_BURST_MAX], *d6[VNF_BURST_MAX];
	uint32_t r4[VNF_BURST_MAX], r6[VNF_BURST_MAX], res[VNF_BURST_MAX];
	uint8_t i4[VNF_BURST_MAX], i6[VNF_BURST_MAX];
	uint8_t scratch[FW_HDR_MAX];
	uint16_t n, in = b->in_iface, out = fw_peer(fw, in), i, done;
	struct rte_mbuf **pkts;
	uint16_t *next;
	uint32_t t = fw_ticks(w->now), n4 = 0, n6 = 0, j;
	unsigned int nk = 0;
	struct fw_tmpl tm;
	unsigned int same = 0, odd = 0;
	bool uniform = false;
	uint64_t made;

	/* 0. Established flows' frames at the head of the burst. */
	done = fw_fast_lane(fw, w, ws, b, in, out, t);
	if (done == b->n)
		return;
	pkts = b->pkts + done;
	next = b->next + done;
	n = (uint16_t)(b->n - done);

	tm.nw = 0; /* set when `uniform`: for the compiler's sake */
	tm.min_dlen = 0;
	tm.min_plen = 0;

	/* 1. Parse; fold consecutive equal connection keys (a burst of one
	 * flow needs one lookup).  A frame whose headers match the first
	 * frame's template takes a copy of its parse (each is still judged,
	 * stepped and counted on its own in 4.); the template is made only
	 * when the second frame looks like the first. */
	for (i = 0; i < n; i++) {
		if (i + 1 < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1], void *));
		if (i == 1)
			uniform = fw_tmpl_make(&tm, pkts[0], &pk[0],
					       pkts[1]);
		if (uniform && fw_tmpl_match(&tm, pkts[i])) {
			pk[i] = pk[0];
			pk[i].l3 =
				rte_pktmbuf_mtod(pkts[i], const uint8_t *) +
				pk[0].l3off;
			kidx[i] = kidx[0];
			same++;
			continue;
		}
		/* More frames of other flows than of the first: a burst of
		 * many flows, stop comparing. */
		if (uniform && ++odd > same)
			uniform = false;
		fw_parse(fw, w, pkts[i], in, &pk[i], scratch);
		kidx[i] = FW_NO_KEY;
		if (pk[i].kind != FW_PK_IP || pk[i].ct == FW_CTK_NONE)
			continue;
		if (nk == 0 || !fw_ck_equal(&pk[i].ck, keys[nk - 1]))
			keys[nk++] = &pk[i].ck;
		kidx[i] = (uint8_t)(nk - 1);
	}
	/* 2. The connections.  An empty table needs no lookup (a stateless
	 * rule set never fills it); a connection entered by another worker
	 * meanwhile is missed as if the lookup had come a moment earlier. */
	if (nk != 0) {
		if (atomic_load_explicit(&fw->ct.tab.count,
					 memory_order_relaxed) != 0)
			fw_ct_lookup(&fw->ct, ws, keys, nk, kpos);
		else
			for (j = 0; j < nk; j++)
				kpos[j] = -ENOENT;
	}
	/* 3. The rules, for packets without a connection. */
	for (i = 0; i < n; i++) {
		res[i] = FW_RES_NONE;
		if (pk[i].kind != FW_PK_IP ||
		    (kidx[i] != FW_NO_KEY && kpos[kidx[i]] >= 0))
			continue;
		fw_acl_key(&pk[i], in);
		if (pk[i].family == 4) {
			d4[n4] = (const uint8_t *)&pk[i].k.a4;
			i4[n4++] = (uint8_t)i;
		} else {
			d6[n6] = (const uint8_t *)&pk[i].k.a6;
			i6[n6++] = (uint8_t)i;
		}
	}
	if (n4 != 0) {
		if (rs->acl4 != NULL)
			rte_acl_classify(rs->acl4, d4, r4, n4, 1);
		else
			memset(r4, 0, n4 * sizeof(r4[0]));
		for (j = 0; j < n4; j++)
			res[i4[j]] = r4[j];
	}
	if (n6 != 0) {
		if (rs->acl6 != NULL)
			rte_acl_classify(rs->acl6, d6, r6, n6, 1);
		else
			memset(r6, 0, n6 * sizeof(r6[0]));
		for (j = 0; j < n6; j++)
			res[i6[j]] = r6[j];
	}
	/* 4. Verdicts, in order: a connection entered by one packet serves
	 * the next ones of the burst: those of its key index through kpos,
	 * and the others of its flow too.  Step 1 folds only consecutive
	 * frames of a flow, so in a burst A, B, A the second A has a key
	 * index of its own, looked up before the first A entered the
	 * connection: once the burst has entered one, a frame that found
	 * none looks its key up again. */
	made = w->counters[FW_C_CONN_NEW];
	for (i = 0; i < n; i++) {
		int32_t *pos = kidx[i] != FW_NO_KEY ? &kpos[kidx[i]] : NULL;

		if (pk[i].kind != FW_PK_IP) {
			next[i] = pk[i].next;
			continue;
		}
		if (unlikely(w->counters[FW_C_CONN_NEW] != made) &&
		    pos != NULL && *pos < 0)
			*pos = lf_table_lookup(&fw->ct.tab, keys[kidx[i]]);
		next[i] = fw_judge(fw, rs, w, ws, pkts[i], &pk[i], pos, res[i],
				   in, out, t);
	}
}

/* ---- life cycle (control thread) ---- */

static void
fw_destroy(struct vnf_instance *vi)
{
	struct fw *fw = vi->priv;

	if (fw == NULL)
		return;
	fw_rules_fini(fw);
	fw_ct_destroy(&fw->ct);
	rte_free(fw);
	vi->priv = NULL;
}

static int
fw_create(struct vnf_instance *vi, const struct ctl_vnf_config *cfg, char *err,
	  size_t errlen)
{
	const struct fw_config *fc = cfg->priv;
	char hname[RTE_HASH_NAMESIZE];
	struct fw *fw;
	int rc;

	if (fc == NULL) {
		snprintf(err, errlen, "vnf %s: no firewall config", cfg->name);
		return -EINVAL;
	}
	if (cfg->n_ifaces > 255) {
		snprintf(err, errlen, "vnf %s: at most 255 ifaces", cfg->name);
		return -E2BIG;
	}
	fw = rte_zmalloc("fw", sizeof(*fw), RTE_CACHE_LINE_SIZE);
	if (fw == NULL) {
		snprintf(err, errlen, "vnf %s: out of memory", cfg->name);
		return -ENOMEM;
	}
	vi->priv = fw;
	fw->vi = vi;
	fw->n_ifaces = vi->n_ifaces;
	fw->default_action =
		fc->default_action == FW_RULE_ALLOW ? FW_A_ALLOW : FW_A_DROP;
	fw->hz = rte_get_tsc_hz();
	fw->rl_period = RTE_MAX(fw->hz / FW_REJECT_RATE, UINT64_C(1));
	fw->frag_ticks =
		(uint32_t)RTE_MIN((fw->hz * FW_FRAG_TIMEOUT_S) >> FW_TICK_SHIFT,
				  (uint64_t)INT32_MAX);

	snprintf(hname, sizeof(hname), "fwc%u_%.20s",
		 (unsigned int)(vi->id % 1000), cfg->name);
	rc = fw_ct_create(&fw->ct, hname, fc->conn_table_size, vi->rcu);
	if (rc < 0) {
		snprintf(err, errlen,
			 "vnf %s: connection table of %u entries: %s",
			 cfg->name, fc->conn_table_size, strerror(-rc));
		return rc;
	}
	return fw_rules_init(fw, cfg, err, errlen);
}

static void
fw_periodic(struct vnf_instance *vi, uint64_t now)
{
	struct fw *fw = vi->priv;

	/* A slice of the table per call (about every 100 ms): the default
	 * table is scanned whole each call, 16M positions in ~25 s. */
	fw_ct_age(&fw->ct, now, 1u << 16);
	fw_slots_reclaim(fw, false);
}

static const struct vnf_ops firewall_ops = {
	.type = "firewall",
	.worker_size = sizeof(struct fw_wstate),
	.counters = fw_counters,
	.n_counters = FW_N_COUNTERS,
	.create = fw_create,
	.destroy = fw_destroy,
	.process = fw_process,
	.periodic = fw_periodic,
	.verbs = fw_verbs,
	.n_verbs = FW_N_VERBS,
	.details = fw_details,
};

VNF_REGISTER(firewall_ops);
