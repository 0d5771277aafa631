/* SPDX-License-Identifier: BSD-3-Clause
 *
 * fwd.h - the router's forwarding fast paths, IPv4 and IPv6 side by side,
 * inline: a packet whose next hop is a gateway with a usable MAC, TTL (hop
 * limit) and MTU in order.  Everything else goes to the general paths
 * rt_fwd4() / rt_fwd6() in router.c.  Used by process() (router.c) and by
 * the lookup+rewrite microbenchmark (tests/bench/router/), so that the
 * benchmark measures the very code that forwards.  Worker only.
 */
#ifndef NFV_ROUTER_FWD_H
#define NFV_ROUTER_FWD_H

#include "vnf/router/router_priv.h"

/* Worker: the general paths (router.c), for everything else. */
uint16_t rt_fwd4(struct rt *rt, struct vnf_wctx *w, struct rte_mbuf *m,
		 uint16_t in, uint16_t nhid);
uint16_t rt_fwd6(struct rt *rt, struct vnf_wctx *w, struct rte_mbuf *m,
		 uint16_t in, uint16_t nhid);

/*
 * TTL - 1 (the caller checked TTL > 1) with the header checksum updated
 * incrementally, as Linux's ip_decrease_ttl(): the TTL/protocol word drops
 * by 0x0100 in network order, so the one's complement checksum rises by
 * as much, with the end-around carry (RFC 1624).  Both are done on the
 * words as they lie in the packet: one's complement sums do not care
 * about byte order (RFC 1071), and TTL > 0 keeps the borrow inside the
 * TTL byte.  One 16-bit store for the TTL: a byte store followed by a
 * word load of the same bytes would stall on store forwarding.
 */
static inline void
rt_ip4_ttl_dec(struct rte_ipv4_hdr *ip)
{
	const uint16_t one = rte_cpu_to_be_16(0x0100);
	uint16_t *tp = (uint16_t *)&ip->time_to_live;
	uint32_t ck = (uint32_t)ip->hdr_checksum + one;

	*tp = (uint16_t)(*tp - one);
	ip->hdr_checksum = (rte_be16_t)(ck + (ck >= 0xffff));
}

/* Is the frame's destination the MAC whose bytes fill the low 6 bytes of
 * mac64 (rt_iface.mac64)?  One 8-byte load: the frame has 14. */
static inline bool
rt_eth_dst_is(const struct rte_ether_hdr *eh, uint64_t mac64)
{
	uint64_t w;

	memcpy(&w, eh, sizeof(w));
	return ((w ^ mac64) & rte_cpu_to_le_64(0xffffffffffffull)) == 0;
}

/* The MAC of a neighbour word (its low 6 bytes in memory order) as the
 * frame's destination, src as its source.  On little-endian the 6 bytes
 * go out as a 4- and a 2-byte store from the register: a 6-byte memcpy
 * of the word made the compiler spill it to the stack and read it back. */
static inline void
rt_eth_rewrite(struct rte_ether_hdr *eh, uint64_t word,
	       const struct rte_ether_addr *src)
{
#if RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN
	const uint32_t lo = (uint32_t)word;
	const uint16_t hi = (uint16_t)(word >> 32);

	memcpy(&eh->dst_addr.addr_bytes[0], &lo, sizeof(lo));
	memcpy(&eh->dst_addr.addr_bytes[4], &hi, sizeof(hi));
#else
	memcpy(&eh->dst_addr, &word, RTE_ETHER_ADDR_LEN);
#endif
	rte_ether_addr_copy(src, &eh->src_addr);
}

static inline void
rt_key4(struct rt_neigh_key *k, rte_be32_t ip, uint16_t iface)
{
	memset(k, 0, sizeof(*k));
	memcpy(k->ip, &ip, 4);
	k->iface = iface;
	k->family = AF_INET;
}

/*
 * Can packets to next hop nh take the fast path as far as the next hop
 * and its neighbour go (a gateway whose neighbour is REACHABLE or
 * static)?  *word: the neighbour's word, read once.
 */
static inline bool
rt_nh_fast_ok(const struct rt *rt, const struct rt_nh *nh, uint64_t *word)
{
	unsigned int st;

	if (unlikely(nh->type != RT_NH_GW))
		return false;
	*word = atomic_load_explicit(&rt->neigh.words[nh->neigh],
				     memory_order_relaxed);
	st = rt_nw_state(*word);
	return st == RT_NS_REACHABLE || st == RT_NS_STATIC;
}

/*
 * The per-packet part of the fast path, for a next hop that passed
 * rt_nh_fast_ok() with neighbour word `word`: TTL > 1, a source, within
 * the MTU.  Then the TTL goes down and the MACs are rewritten, and true;
 * else the packet is left untouched for rt_fwd4().
 */
static inline bool
rt_fwd4_one(struct rte_ipv4_hdr *ip, const struct rt_nh *nh, uint64_t word)
{
	if (unlikely(ip->time_to_live <= 1 || ip->src_addr == 0 ||
		     rte_be_to_cpu_16(ip->total_length) > nh->mtu))
		return false;
	rt_ip4_ttl_dec(ip);
	rt_eth_rewrite((struct rte_ether_hdr *)ip - 1, word, &nh->smac);
	return true;
}

/*
 * The common case inline for one packet: a gateway whose neighbour is
 * REACHABLE (or static), TTL > 1, within the MTU.  Anything else,
 * untouched, goes to rt_fwd4(), which handles every case.
 */
static inline uint16_t
rt_fwd4_fast(struct rt *rt, struct vnf_wctx *w, struct rte_mbuf **mp,
	     struct rte_ipv4_hdr *ip, uint16_t in, uint16_t nhid,
	     uint32_t *fwd)
{
	const struct rt_nh *nh = &rt->nh[nhid];
	uint64_t word;

	if (likely(rt_nh_fast_ok(rt, nh, &word) && rt_fwd4_one(ip, nh, word))) {
		(*fwd)++;
		return nh->iface;
	}
	return rt_fwd4(rt, w, *mp, in, nhid);
}

/*
 * Forward the n IPv4 packets of a burst whose next hops nhs[] the FIB
 * gave: pkts[idx[k]] with its IP header at hdr[k].  Packets of a burst
 * mostly share their next hop (one route, one gateway), so the next
 * hop's line and its neighbour's word are read once per run of packets
 * with the same next hop, not per packet; a neighbour that changes
 * state meanwhile is seen from the next run on, as it would be had the
 * burst come a little earlier.  Each packet's own checks (TTL, source,
 * MTU) stay per packet; whatever fails them goes to rt_fwd4(), which
 * reads everything again.  Sets next[idx[k]]; returns whether one was
 * consumed (RT_NEXT_CONSUMED).  Worker.
 */
static inline bool
rt_fwd4_burst(struct rt *rt, struct vnf_wctx *w, struct rte_mbuf **pkts,
	      uint16_t *next, struct rte_ipv4_hdr *const *hdr,
	      const uint8_t *idx, const uint64_t *nhs, unsigned int n,
	      uint16_t in)
{
	const struct rt_nh *nh = NULL;
	uint64_t last = UINT64_MAX, word = 0;
	bool ok = false, consumed = false;
	uint32_t fwd = 0;
	unsigned int k;

	for (k = 0; k < n; k++) {
		struct rte_ipv4_hdr *ip = hdr[k];
		uint16_t nx;

		if (nhs[k] != last) {
			last = nhs[k];
			nh = &rt->nh[(uint16_t)last];
			ok = rt_nh_fast_ok(rt, nh, &word);
		}
		if (likely(ok && rt_fwd4_one(ip, nh, word))) {
			fwd++;
			nx = nh->iface;
		} else {
			nx = rt_fwd4(rt, w, pkts[idx[k]], in, (uint16_t)last);
			consumed |= nx == RT_NEXT_CONSUMED;
		}
		next[idx[k]] = nx;
	}
	w->counters[RT_C_FWD4] += fwd;
	return consumed;
}

/*
 * The same for IPv6: a gateway whose neighbour is REACHABLE (or static),
 * hop limit > 1, a source that is not link-local, within the MTU.
 */
static inline uint16_t
rt_fwd6_fast(struct rt *rt, struct vnf_wctx *w, struct rte_mbuf *m,
	     uint16_t in, uint16_t nhid, uint32_t *fwd)
{
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv6_hdr *ip6 = (struct rte_ipv6_hdr *)(eh + 1);
	const struct rt_nh *nh = &rt->nh[nhid];
	uint64_t word;
	unsigned int st;

	if (likely(nh->type == RT_NH_GW)) {
		word = atomic_load_explicit(&rt->neigh.words[nh->neigh],
					    memory_order_relaxed);
		st = rt_nw_state(word);
		if (likely((st == RT_NS_REACHABLE || st == RT_NS_STATIC) &&
			   ip6->hop_limits > 1 &&
			   !(ip6->src_addr[0] == 0xfe &&
			     (ip6->src_addr[1] & 0xc0) == 0x80) &&
			   sizeof(*ip6) + rte_be_to_cpu_16(ip6->payload_len) <=
				   nh->mtu)) {
			ip6->hop_limits--;
			rt_eth_rewrite(eh, word, &nh->smac);
			(*fwd)++;
			return nh->iface;
		}
	}
	return rt_fwd6(rt, w, m, in, nhid);
}

#endif /* NFV_ROUTER_FWD_H */
