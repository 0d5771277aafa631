/* SPDX-License-Identifier: BSD-3-Clause
 *
 * fwd.h - the router's IPv4 fast path, inline: a packet whose next hop is
 * a gateway with a usable MAC, TTL and MTU in order.  Used by process()
 * (router.c) and by the lookup+rewrite microbenchmark
 * (tests/bench/router/), so that the benchmark measures the very code that
 * forwards.  Worker only.
 */
#ifndef NFV_ROUTER_FWD_H
#define NFV_ROUTER_FWD_H

#include "vnf/router/router_priv.h"

/* Worker: the general IPv4 path (router.c), for everything else. */
uint16_t rt_fwd4(struct rt *rt, struct vnf_wctx *w, struct rte_mbuf *m,
		 uint16_t in, uint16_t nhid);

/*
 * RFC 1624 eqn. 3: the checksum after the 16-bit word old became new.
 * One's complement sums do not care about byte order (RFC 1071), so the
 * words are added as they lie in the packet, with no swapping.
 */
static inline rte_be16_t
rt_cksum_adjust(rte_be16_t ck, rte_be16_t oldw, rte_be16_t neww)
{
	uint32_t s = (uint16_t)~ck;

	s += (uint16_t)~oldw;
	s += neww;
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (rte_be16_t)~s;
}

/* The TTL/protocol word after TTL - 1, in network order. */
static inline rte_be16_t
rt_ttl_dec_word(rte_be16_t w)
{
	return rte_cpu_to_be_16((uint16_t)(rte_be_to_cpu_16(w) - 0x100));
}

static inline void
rt_eth_rewrite(struct rte_ether_hdr *eh, uint64_t word,
	       const struct rte_ether_addr *src)
{
	memcpy(&eh->dst_addr, &word, RTE_ETHER_ADDR_LEN);
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
 * The common case inline: a gateway whose neighbour is REACHABLE (or
 * static), TTL > 1, within the MTU.  Anything else, untouched, goes to
 * rt_fwd4(), which handles every case.
 */
static inline uint16_t
rt_fwd4_fast(struct rt *rt, struct vnf_wctx *w, struct rte_mbuf **mp,
	     struct rte_ipv4_hdr *ip, uint16_t in, uint16_t nhid,
	     uint32_t *fwd)
{
	struct rte_ether_hdr *eh = (struct rte_ether_hdr *)ip - 1;
	const struct rt_nh *nh = &rt->nh[nhid];
	uint64_t word;
	unsigned int st;
	rte_be16_t oldw, neww;

	if (likely(nh->type == RT_NH_GW)) {
		word = atomic_load_explicit(&rt->neigh.e[nh->neigh].word,
					    memory_order_relaxed);
		st = rt_nw_state(word);
		if (likely((st == RT_NS_REACHABLE || st == RT_NS_STATIC) &&
			   ip->time_to_live > 1 && ip->src_addr != 0 &&
			   rte_be_to_cpu_16(ip->total_length) <= nh->mtu)) {
			oldw = *(uint16_t *)&ip->time_to_live;
			neww = rt_ttl_dec_word(oldw);
			*(uint16_t *)&ip->time_to_live = neww;
			ip->hdr_checksum =
				rt_cksum_adjust(ip->hdr_checksum, oldw, neww);
			rt_eth_rewrite(eh, word, &nh->smac);
			(*fwd)++;
			return nh->iface;
		}
	}
	return rt_fwd4(rt, w, *mp, in, nhid);
}

#endif /* NFV_ROUTER_FWD_H */
