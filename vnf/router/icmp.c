/* SPDX-License-Identifier: BSD-3-Clause
 *
 * icmp.c - what the router answers itself: ICMP/ICMPv6 echo replies for its
 * addresses, ICMP errors (time exceeded, unreachable, fragmentation needed,
 * packet too big), and IPv4 fragmentation.  Workers only.
 *
 * Errors go back the way the offending packet came: out of the iface it
 * arrived on, to the Ethernet address it came from (the previous hop
 * routed it to us, so it can route the error back).  Their IPv4 header is
 * fixed (TOS 0xc0, ID 0, DF, TTL 64) so that captures are reproducible;
 * they quote as much of the packet as RFC 1812 / RFC 4443 allow (576 /
 * 1280 bytes in all).  Every error takes a token from this worker's bucket
 * (RT_ICMP_RATE per second, bursts of RT_ICMP_BURST); without one the
 * error is not sent and icmp-errors-rate-limited counts it.
 */
#include <errno.h>
#include <string.h>

#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_ip_frag.h>

#include "vnf/router/router_priv.h"

#define RT_ICMP4_QUOTE_MAX (576u - 20 - 8)
#define RT_ICMP6_QUOTE_MAX (1280u - 40 - 8)
#define RT_FRAG_MAX 64

uint16_t
rt_cksum_icmp6(const struct rte_ipv6_hdr *ip6, const void *l4, uint32_t len)
{
	struct {
		rte_be32_t len;
		rte_be32_t proto;
	} ph = {rte_cpu_to_be_32(len), rte_cpu_to_be_32(IPPROTO_ICMPV6)};
	uint32_t sum;

	sum = __rte_raw_cksum(ip6->src_addr, 32, 0);
	sum = __rte_raw_cksum(&ph, sizeof(ph), sum);
	sum = __rte_raw_cksum(l4, len, sum);
	return (uint16_t)~__rte_raw_cksum_reduce(sum);
}

static uint16_t
rt_cksum_raw(const void *p, uint32_t len)
{
	return (uint16_t)~rte_raw_cksum(p, len);
}

bool
rt_icmp_allow(struct rt *rt, struct vnf_wctx *w)
{
	struct rt_worker *ws = w->state;
	uint64_t tat = RTE_MAX(ws->icmp_tat, w->now);

	if (tat - w->now > rt->icmp_burst_tsc) {
		w->counters[RT_C_ICMP_LIMITED]++;
		return false;
	}
	ws->icmp_tat = tat + rt->icmp_interval;
	return true;
}

/* ---- local delivery --------------------------------------------------------- */

uint16_t
rt_icmp4_local(struct rt *rt, struct vnf_wctx *w, struct rte_mbuf *m,
	       uint16_t in, struct rte_ipv4_hdr *ip)
{
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	uint32_t ihl = rte_ipv4_hdr_len(ip);
	uint32_t tot = rte_be_to_cpu_16(ip->total_length);
	struct rte_icmp_hdr *ic = (struct rte_icmp_hdr *)((uint8_t *)ip + ihl);
	rte_be32_t a;

	/* Twins attached: everything for our addresses is the kernel's. */
	if (ip->next_proto_id != IPPROTO_ICMP || rt_twin_on(rt, in) ||
	    (ip->fragment_offset &
	     rte_cpu_to_be_16(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)) ||
	    m->data_len < sizeof(*eh) + tot)
		return rt_punt(rt, w, m, in); /* not ours to answer here */
	if (tot - ihl < sizeof(*ic))
		return VNF_DROP(RT_D_ICMP_BAD);
	if (ic->icmp_type != RTE_IP_ICMP_ECHO_REQUEST)
		return rt_punt(rt, w, m, in);
	if (rte_raw_cksum(ic, tot - ihl) != 0xffff)
		return VNF_DROP(RT_D_ICMP_BAD);

	rte_ether_addr_copy(&eh->src_addr, &eh->dst_addr);
	rte_ether_addr_copy(&rt->ifaces[in].mac, &eh->src_addr);
	a = ip->src_addr;
	ip->src_addr = ip->dst_addr;
	ip->dst_addr = a;
	ip->time_to_live = RT_TTL;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rt_cksum_raw(ip, ihl);
	ic->icmp_type = RTE_IP_ICMP_ECHO_REPLY;
	ic->icmp_cksum = 0;
	ic->icmp_cksum = rt_cksum_raw(ic, tot - ihl);
	w->counters[RT_C_ECHO4]++;
	return in;
}

uint16_t
rt_icmp6_local(struct rt *rt, struct vnf_wctx *w, struct rte_mbuf *m,
	       uint16_t in, struct rte_ipv6_hdr *ip6)
{
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	uint32_t len = rte_be_to_cpu_16(ip6->payload_len);
	uint8_t *ic = (uint8_t *)(ip6 + 1);
	bool mcast = ip6->dst_addr[0] == 0xff;
	uint8_t a[16];
	const uint8_t *src;

	/* Twins attached: ND is learned from first (rt_nd_input punts
	 * it after), the rest goes to the kernel, multicast included (only
	 * ff02::/16 gets here then). */
	const bool twin = rt_twin_on(rt, in);

	if (ip6->proto != IPPROTO_ICMPV6)
		return mcast && !twin ? VNF_DROP(RT_D_MCAST) :
					rt_punt(rt, w, m, in);
	if (m->data_len < sizeof(*eh) + sizeof(*ip6) + len)
		return mcast && !twin ? VNF_DROP(RT_D_MCAST) :
					rt_punt(rt, w, m, in);
	if (len < 4)
		return VNF_DROP(RT_D_ICMP_BAD);
	if (ic[0] == 135 || ic[0] == 136)
		return rt_nd_input(rt, w, m, in, ip6, len);
	if (ic[0] != 128 || twin) /* echo request */
		return rt_punt(rt, w, m, in);
	if (len < 8 || rt_cksum_icmp6(ip6, ic, len) != 0)
		return VNF_DROP(RT_D_ICMP_BAD);

	/* To a group: answer from an address of ours on this link. */
	src = mcast ? rt_iface_src6(rt, in, ip6->src_addr) : ip6->dst_addr;
	if (src == NULL) /* only without IPv6, which process() drops first */
		return VNF_DROP(RT_D_V6_OFF);
	memcpy(a, src, 16);
	rte_ether_addr_copy(&eh->src_addr, &eh->dst_addr);
	rte_ether_addr_copy(&rt->ifaces[in].mac, &eh->src_addr);
	memcpy(ip6->dst_addr, ip6->src_addr, 16);
	memcpy(ip6->src_addr, a, 16);
	ip6->hop_limits = RT_TTL;
	ic[0] = 129;
	ic[2] = ic[3] = 0;
	*(rte_be16_t *)(ic + 2) = rt_cksum_icmp6(ip6, ic, len);
	w->counters[RT_C_ECHO6]++;
	return in;
}

/* ---- errors ------------------------------------------------------------------ */

static rte_be32_t
rt_any_src4(const struct rt *rt)
{
	unsigned int i;

	for (i = 0; i < rt->n_ifaces; i++) {
		const struct rt_addrs *a = rt_iface_addrs(&rt->ifaces[i]);

		if (a->n4 != 0)
			return a->v4[0].addr;
	}
	return 0;
}

void
rt_icmp4_error(struct rt *rt, struct vnf_wctx *w, struct rte_mbuf *m,
	       uint16_t in, uint8_t type, uint8_t code, uint32_t info)
{
	const struct rte_ether_hdr *oeh =
		rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const struct rte_ipv4_hdr *oip = (const struct rte_ipv4_hdr *)(oeh + 1);
	uint32_t ihl = rte_ipv4_hdr_len(oip);
	uint32_t olen = rte_be_to_cpu_16(oip->total_length);
	uint8_t s0 = ((const uint8_t *)&oip->src_addr)[0];
	struct rte_ether_hdr *eh;
	struct rte_ipv4_hdr *ip;
	struct rte_icmp_hdr *ic;
	struct rte_mbuf *e;
	const void *q;
	rte_be32_t src;

	/* RFC 1812 4.3.2.7: never about a broadcast/multicast/martian
	 * source, a non-first fragment, or an ICMP error. */
	if (oip->src_addr == 0 || s0 == 127 || s0 >= 224 ||
	    (oip->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_OFFSET_MASK)))
		return;
	if (oip->next_proto_id == IPPROTO_ICMP &&
	    m->data_len >= sizeof(*oeh) + ihl + 1) {
		uint8_t t = ((const uint8_t *)oip)[ihl];

		if (t != RTE_IP_ICMP_ECHO_REPLY && t != RTE_IP_ICMP_ECHO_REQUEST &&
		    t != 13 && t != 14) /* errors and anything unknown */
			return;
	}
	if (!rt_icmp_allow(rt, w))
		return;
	src = rt_iface_src4(&rt->ifaces[in], oip->src_addr);
	if (src == 0)
		src = rt_any_src4(rt);
	if (src == 0) {
		w->counters[RT_D_NO_SRC]++;
		return;
	}
	olen = RTE_MIN(olen, RT_ICMP4_QUOTE_MAX);
	olen = RTE_MIN(olen, m->pkt_len - (uint32_t)sizeof(*oeh));
	e = rte_pktmbuf_alloc(w->pool);
	if (e == NULL) {
		w->counters[RT_D_NOMBUF]++;
		return;
	}
	eh = (struct rte_ether_hdr *)rte_pktmbuf_append(
		e, (uint16_t)(sizeof(*eh) + sizeof(*ip) + sizeof(*ic) + olen));
	if (eh == NULL) {
		rte_pktmbuf_free(e);
		w->counters[RT_D_NOMBUF]++;
		return;
	}
	ip = (struct rte_ipv4_hdr *)(eh + 1);
	ic = (struct rte_icmp_hdr *)(ip + 1);
	rte_ether_addr_copy(&oeh->src_addr, &eh->dst_addr);
	rte_ether_addr_copy(&rt->ifaces[in].mac, &eh->src_addr);
	eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->type_of_service = 0xc0; /* precedence: internetwork control */
	ip->total_length =
		rte_cpu_to_be_16((uint16_t)(sizeof(*ip) + sizeof(*ic) + olen));
	ip->packet_id = 0;
	ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
	ip->time_to_live = RT_TTL;
	ip->next_proto_id = IPPROTO_ICMP;
	ip->src_addr = src;
	ip->dst_addr = oip->src_addr;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rt_cksum_raw(ip, sizeof(*ip));
	ic->icmp_type = type;
	ic->icmp_code = code;
	ic->icmp_ident = 0;
	ic->icmp_seq_nb = rte_cpu_to_be_16((uint16_t)info);
	q = rte_pktmbuf_read(m, sizeof(*oeh), olen, ic + 1);
	if (q != (const void *)(ic + 1))
		memcpy(ic + 1, q, olen);
	ic->icmp_cksum = 0;
	ic->icmp_cksum = rt_cksum_raw(ic, (uint32_t)sizeof(*ic) + olen);
	rt_emit(rt, w, e, in);
	w->counters[RT_C_ICMP_ERRORS]++;
}

void
rt_icmp6_error(struct rt *rt, struct vnf_wctx *w, struct rte_mbuf *m,
	       uint16_t in, uint8_t type, uint8_t code, uint32_t info)
{
	const struct rte_ether_hdr *oeh =
		rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const struct rte_ipv6_hdr *oip = (const struct rte_ipv6_hdr *)(oeh + 1);
	static const uint8_t loop[16] = {[15] = 1}, unspec[16];
	uint32_t olen = sizeof(*oip) + rte_be_to_cpu_16(oip->payload_len);
	struct rte_ether_hdr *eh;
	struct rte_ipv6_hdr *ip6;
	const uint8_t *src;
	const void *q;
	uint8_t *ic;
	struct rte_mbuf *e;

	/* RFC 4443 2.4 (e): not about multicast/unspecified sources or
	 * ICMPv6 errors. */
	if (oip->src_addr[0] == 0xff || !memcmp(oip->src_addr, unspec, 16) ||
	    !memcmp(oip->src_addr, loop, 16))
		return;
	if (oip->proto == IPPROTO_ICMPV6 &&
	    m->data_len >= sizeof(*oeh) + sizeof(*oip) + 1 &&
	    ((const uint8_t *)(oip + 1))[0] < 128)
		return;
	if (!rt_icmp_allow(rt, w))
		return;
	src = rt_iface_src6(rt, in, oip->src_addr);
	if (src == NULL) {
		w->counters[RT_D_NO_SRC]++;
		return;
	}
	olen = RTE_MIN(olen, RT_ICMP6_QUOTE_MAX);
	olen = RTE_MIN(olen, m->pkt_len - (uint32_t)sizeof(*oeh));
	e = rte_pktmbuf_alloc(w->pool);
	if (e == NULL) {
		w->counters[RT_D_NOMBUF]++;
		return;
	}
	eh = (struct rte_ether_hdr *)rte_pktmbuf_append(
		e, (uint16_t)(sizeof(*eh) + sizeof(*ip6) + 8 + olen));
	if (eh == NULL) {
		rte_pktmbuf_free(e);
		w->counters[RT_D_NOMBUF]++;
		return;
	}
	ip6 = (struct rte_ipv6_hdr *)(eh + 1);
	ic = (uint8_t *)(ip6 + 1);
	rte_ether_addr_copy(&oeh->src_addr, &eh->dst_addr);
	rte_ether_addr_copy(&rt->ifaces[in].mac, &eh->src_addr);
	eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6);
	ip6->vtc_flow = rte_cpu_to_be_32(6u << 28);
	ip6->payload_len = rte_cpu_to_be_16((uint16_t)(8 + olen));
	ip6->proto = IPPROTO_ICMPV6;
	ip6->hop_limits = RT_TTL;
	memcpy(ip6->src_addr, src, 16);
	memcpy(ip6->dst_addr, oip->src_addr, 16);
	ic[0] = type;
	ic[1] = code;
	ic[2] = ic[3] = 0;
	info = rte_cpu_to_be_32(info);
	memcpy(ic + 4, &info, 4); /* ic + 4 is 2-byte aligned only */
	q = rte_pktmbuf_read(m, sizeof(*oeh), olen, ic + 8);
	if (q != ic + 8)
		memcpy(ic + 8, q, olen);
	*(rte_be16_t *)(ic + 2) = rt_cksum_icmp6(ip6, ic, 8 + olen);
	rt_emit(rt, w, e, in);
	w->counters[RT_C_ICMP_ERRORS]++;
}

/* ---- fragmentation ---------------------------------------------------------- */

uint16_t
rt_frag4_send(struct rt *rt, struct vnf_wctx *w, struct rte_mbuf *m,
	      uint16_t out, const struct rte_ether_addr *dmac)
{
	struct rte_mbuf *frags[RT_FRAG_MAX];
	struct rte_ether_hdr eh;
	int32_t n, i;

	memcpy(&eh, rte_pktmbuf_mtod(m, void *), sizeof(eh));
	rte_pktmbuf_adj(m, sizeof(eh));
	n = rte_ipv4_fragment_packet(m, frags, RT_FRAG_MAX,
				     rt_iface_mtu(&rt->ifaces[out]), w->pool,
				     w->pool);
	if (n < 0 || (uint32_t)n > (uint32_t)(VNF_EMIT_MAX - w->emit->n)) {
		if (n > 0)
			for (i = 0; i < n; i++)
				rte_pktmbuf_free(frags[i]);
		rte_pktmbuf_prepend(m, sizeof(eh));
		return VNF_DROP(RT_D_FRAG_FAIL);
	}
	for (i = 0; i < n; i++) {
		struct rte_mbuf *f = frags[i];
		struct rte_ipv4_hdr *ip =
			rte_pktmbuf_mtod(f, struct rte_ipv4_hdr *);
		struct rte_ether_hdr *feh;

		ip->hdr_checksum = 0;
		ip->hdr_checksum = rt_cksum_raw(ip, rte_ipv4_hdr_len(ip));
		feh = (struct rte_ether_hdr *)rte_pktmbuf_prepend(f, sizeof(eh));
		if (feh == NULL) {
			/* One fragment lost; the packet's fate is that it
			 * was forwarded (fragmented). */
			rte_pktmbuf_free(f);
			w->counters[RT_L_FRAG_LOST]++;
			continue;
		}
		rte_ether_addr_copy(dmac, &feh->dst_addr);
		rte_ether_addr_copy(&rt->ifaces[out].mac, &feh->src_addr);
		feh->ether_type = eh.ether_type;
		vnf_emit(w, f, out);
		w->counters[RT_C_FRAGMENTS]++;
	}
	/* The fragments hold references to m's data. */
	rte_pktmbuf_free(m);
	return RT_NEXT_CONSUMED;
}
