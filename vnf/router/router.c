/* SPDX-License-Identifier: BSD-3-Clause
 *
 * router.c - the router VNF: IPv4/IPv6 forwarding between its ifaces.
 *
 * Per burst (process(), worker):
 *   1. classify each frame: not for our MAC, ARP (answered in place or
 *      learned), IPv4/IPv6 header checks (counted drops), IPv6 multicast
 *      and link-local (ND, echo), everything else collects its destination
 *      address for the FIB;
 *   2. one rte_fib_lookup_bulk() for the IPv4 destinations, one
 *      rte_fib6_lookup_bulk() for the IPv6 ones;
 *   3. per packet, act on the next hop: a gateway or on-link neighbour
 *      with a MAC (TTL/hop limit, MTU, rewrite), local delivery (echo,
 *      punt), errors (ICMP, rate-limited), resolution (packet held);
 *   4. packets consumed here (held, punted, fragmented) leave the burst;
 *      held packets whose neighbour answered are emitted.
 * The common case, a gateway whose neighbour is REACHABLE, reads the FIB,
 * one next-hop line and one neighbour word, and writes 12 bytes of MACs,
 * the TTL and the checksum.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>
#include <rte_prefetch.h>
#include <rte_ring.h>

#include "vnf/router/config.h"
#include "vnf/router/router.h"
#include "vnf/router/fwd.h"
#include "vnf/router/router_priv.h"

static const struct vnf_counter_desc rt_counters[RT_N_COUNTERS] = {
	RT_COUNTERS(VNF_COUNTER_DESC)};

static atomic_uint rt_instance_seq;

/* ---- helpers shared with the other files ------------------------------------- */

void
rt_emit(struct rt *rt, struct vnf_wctx *w, struct rte_mbuf *m, uint16_t iface)
{
	/* The kernel sends nothing by a link that is down; nor does the
	 * router (its twin's link state, router.h "the kernel mirror"). */
	if (unlikely(rt_iface_down(&rt->ifaces[iface]))) {
		rte_pktmbuf_free(m);
		w->counters[RT_L_IFACE_DOWN]++;
		return;
	}
	if (unlikely(vnf_emit(w, m, iface) != 0)) {
		rte_pktmbuf_free(m);
		w->counters[RT_D_EMIT_FULL]++;
	}
}

/*
 * The wake-up: a reader that found the ring empty arms it and sleeps on
 * wake_fd; the first worker to punt afterwards disarms it (the exchange
 * picks exactly one) and writes the eventfd.  The cheap relaxed load
 * keeps the exchange's cache-line ownership off the common path, where
 * the reader is awake and the flag stays clear.
 */
static void
rt_punt_wake(struct rt *rt, struct vnf_wctx *w)
{
	const uint64_t one = 1;

	if (likely(!rt_twin(rt)))
		return;
	/* Pairs with the store in vnf_router_punt_arm(): the enqueue is
	 * visible before the flag is read, so an arming is never missed. */
	atomic_thread_fence(memory_order_seq_cst);
	if (!atomic_load_explicit(&rt->punt_armed, memory_order_relaxed))
		return;
	if (!atomic_exchange_explicit(&rt->punt_armed, false,
				      memory_order_acq_rel))
		return;
	/* An eventfd write of 8 bytes fails only when the counter would
	 * overflow: the reader is then awake anyway. */
	if (write(rt->wake_fd, &one, sizeof(one)) == sizeof(one))
		w->counters[RT_C_PUNT_WAKEUPS]++;
}

uint16_t
rt_punt(struct rt *rt, struct vnf_wctx *w, struct rte_mbuf *m, uint16_t in)
{
	/* Twins attached, but this iface has none (`svi:`): the kernel
	 * gets nothing of it, and the mirror has no tap to write it to. */
	if (unlikely(rt->ifaces[in].svi[0] != '\0' && rt_twin(rt)))
		return VNF_DROP(RT_D_NO_TWIN);
	m->port = in; /* router.h: the ingress iface, not a port id */
	if (rte_ring_mp_enqueue(rt->punt, m) != 0)
		return VNF_DROP(RT_D_PUNT_FULL);
	w->counters[RT_C_PUNTED]++;
	rt_punt_wake(rt, w);
	return RT_NEXT_CONSUMED;
}

bool
rt_iface_has4(const struct rt_iface *ifc, rte_be32_t addr)
{
	const struct rt_addrs *a = rt_iface_addrs(ifc);
	unsigned int i;

	for (i = 0; i < a->n4; i++)
		if (a->v4[i].addr == addr)
			return true;
	return false;
}

bool
rt_iface_has6(const struct rt_iface *ifc, const uint8_t *addr)
{
	const struct rt_addrs *a = rt_iface_addrs(ifc);
	unsigned int i;

	if (memcmp(ifc->ll, addr, 16) == 0 && ifc->ll[0] == 0xfe)
		return true;
	for (i = 0; i < a->n6; i++)
		if (memcmp(a->v6[i].addr, addr, 16) == 0)
			return true;
	return false;
}

rte_be32_t
rt_iface_src4(const struct rt_iface *ifc, rte_be32_t dst)
{
	const struct rt_addrs *a = rt_iface_addrs(ifc);
	unsigned int i;

	for (i = 0; i < a->n4; i++)
		if (((dst ^ a->v4[i].addr) & a->v4[i].mask) == 0)
			return a->v4[i].addr;
	return a->n4 != 0 ? a->v4[0].addr : 0;
}

static bool
rt_prefix6_match(const uint8_t *a, const uint8_t *b, unsigned int len)
{
	unsigned int full = len / 8, rem = len % 8;

	if (memcmp(a, b, full) != 0)
		return false;
	return rem == 0 ||
	       ((a[full] ^ b[full]) & (uint8_t)(0xff << (8 - rem))) == 0;
}

const uint8_t *
rt_iface_src6(const struct rt *rt, uint16_t in, const uint8_t *dst)
{
	const struct rt_iface *ifc = &rt->ifaces[in];
	const struct rt_addrs *a;
	unsigned int i;

	if (!atomic_load_explicit(&rt->v6, memory_order_relaxed))
		return NULL;
	if (dst == NULL || (dst[0] == 0xfe && (dst[1] & 0xc0) == 0x80) ||
	    (dst[0] == 0xff && (dst[1] & 0x0f) == 0x02))
		return ifc->ll;
	/* The address returned lies in a snapshot that stays valid until
	 * this worker's next quiescent state, after the packet is built. */
	a = rt_iface_addrs(ifc);
	for (i = 0; i < a->n6; i++)
		if (rt_prefix6_match(a->v6[i].addr, dst, a->v6[i].len))
			return a->v6[i].addr;
	if (a->n6 != 0)
		return a->v6[0].addr;
	for (i = 0; i < rt->n_ifaces; i++) {
		a = rt_iface_addrs(&rt->ifaces[i]);
		if (a->n6 != 0)
			return a->v6[0].addr;
	}
	return ifc->ll;
}

/* ---- forwarding ---------------------------------------------------------------- */

static inline uint32_t
rt_flow_hash4(const struct rte_ipv4_hdr *ip)
{
	uint32_t h = rte_hash_crc_4byte(ip->src_addr, ip->next_proto_id);

	h = rte_hash_crc_4byte(ip->dst_addr, h);
	if ((ip->next_proto_id == IPPROTO_TCP ||
	     ip->next_proto_id == IPPROTO_UDP) &&
	    !(ip->fragment_offset &
	      rte_cpu_to_be_16(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK))) {
		uint32_t ports; /* 2-byte aligned in the frame */

		memcpy(&ports, (const uint8_t *)ip + rte_ipv4_hdr_len(ip), 4);
		h = rte_hash_crc_4byte(ports, h);
	}
	return h;
}

static inline uint32_t
rt_flow_hash6(const struct rte_ipv6_hdr *ip6)
{
	uint32_t h = rte_hash_crc(ip6->src_addr, 32, ip6->proto);

	if (ip6->proto == IPPROTO_TCP || ip6->proto == IPPROTO_UDP) {
		uint32_t ports;

		memcpy(&ports, ip6 + 1, 4);
		h = rte_hash_crc_4byte(ports, h);
	}
	return h;
}

/* One member of a group for this flow. */
static inline const struct rt_nh *
rt_nh_pick(const struct rt *rt, const struct rt_nh *g, uint32_t h)
{
	return &rt->nh[g->members[((uint64_t)h * g->n_members) >> 32]];
}

/*
 * Is the IPv4 header's checksum right?  Its one's complement sum must be
 * 0xffff.  The 32-bit words summed in 64 bits are congruent to that sum
 * mod 0xffff (2^16 = 1 mod 0xffff), and the sum is 0 only for an all-zero
 * header: so the header is right when the plain sum is a nonzero multiple
 * of 0xffff, one multiply-shift instead of four folds.
 */
static inline bool
rt_ip4_cksum_ok(const struct rte_ipv4_hdr *ip, uint32_t ihl)
{
	const uint8_t *p = (const uint8_t *)ip;
	uint32_t a, b, c, d, e, i;
	uint64_t s;

	/* memcpy: no alignment assumed; compiles to plain loads */
	memcpy(&a, p, 4);
	memcpy(&b, p + 4, 4);
	memcpy(&c, p + 8, 4);
	memcpy(&d, p + 12, 4);
	memcpy(&e, p + 16, 4);
	s = (uint64_t)a + b + c + d + e;
	for (i = 20; unlikely(i < ihl); i += 4) {
		memcpy(&a, p + i, 4);
		s += a;
	}
	return s % 0xffff == 0 && s != 0;
}

/* Local delivery of an IPv4 packet (after the FIB said LOCAL/BCAST/MCAST). */
static uint16_t
rt_local4(struct rt *rt, struct vnf_wctx *w, struct rte_mbuf *m, uint16_t in,
	  struct rte_ipv4_hdr *ip, uint8_t type)
{
	if (type == RT_NH_LOCAL)
		return rt_icmp4_local(rt, w, m, in, ip);
	if (type == RT_NH_MCAST &&
	    (rte_be_to_cpu_32(ip->dst_addr) & 0xffffff00) != 0xe0000000)
		return VNF_DROP(RT_D_MCAST); /* not 224.0.0.0/24 */
	return rt_punt(rt, w, m, in);
}

uint16_t
rt_fwd4(struct rt *rt, struct vnf_wctx *w, struct rte_mbuf *m, uint16_t in,
	uint16_t nhid)
{
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eh + 1);
	const struct rt_nh *nh = &rt->nh[nhid];
	struct rt_neigh_key k;
	int32_t pos;
	uint64_t word;
	uint16_t out, mtu;

	if (unlikely(nh->type == RT_NH_GROUP)) {
		nh = rt_nh_pick(rt, nh, rt_flow_hash4(ip));
		w->counters[RT_C_MULTIPATH]++;
	}
	if (likely(nh->type == RT_NH_GW)) {
		pos = nh->neigh;
	} else if (nh->type == RT_NH_CONNECTED) {
		pos = -2; /* looked up below, once the checks passed */
	} else {
		switch (nh->type) {
		case RT_NH_LOCAL:
		case RT_NH_BCAST:
		case RT_NH_MCAST:
			return rt_local4(rt, w, m, in, ip, nh->type);
		case RT_NH_BLACKHOLE:
			return VNF_DROP(RT_D_BLACKHOLE);
		case RT_NH_UNREACH:
			rt_icmp4_error(rt, w, m, in, RT_ICMP_DEST_UNREACH,
				       RT_ICMP_CODE_HOST, 0);
			return VNF_DROP(RT_D_UNREACH);
		default:
			rt_icmp4_error(rt, w, m, in, RT_ICMP_DEST_UNREACH,
				       RT_ICMP_CODE_NET, 0);
			return VNF_DROP(RT_D_NO_ROUTE);
		}
	}
	out = nh->iface;
	/* A down iface's next hops have MTU 0: their packets come here. */
	if (unlikely(rt_iface_down(&rt->ifaces[out])))
		return VNF_DROP(RT_D_IFACE_DOWN);
	mtu = rt_iface_mtu(&rt->ifaces[out]);
	if (unlikely(ip->src_addr == 0))
		return VNF_DROP(RT_D_MARTIAN);
	if (unlikely(ip->time_to_live <= 1)) {
		rt_icmp4_error(rt, w, m, in, RT_ICMP_TIME_EXCEEDED, 0, 0);
		return VNF_DROP(RT_D_TTL);
	}
	if (unlikely(rte_be_to_cpu_16(ip->total_length) > mtu) &&
	    (ip->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG))) {
		rt_icmp4_error(rt, w, m, in, RT_ICMP_DEST_UNREACH,
			       RT_ICMP_CODE_FRAG_NEEDED, mtu);
		return VNF_DROP(RT_D_TOO_BIG);
	}

	rt_ip4_ttl_dec(ip);

	if (pos == -2) {
		rt_key4(&k, ip->dst_addr, out);
		pos = rt_neigh_lookup(rt, &k);
		word = pos >= 0 ? atomic_load_explicit(&rt->neigh.words[pos],
						       memory_order_relaxed)
				: 0;
	} else {
		word = atomic_load_explicit(&rt->neigh.words[pos],
					    memory_order_relaxed);
	}
	if (likely((rt_nw_state(word) == RT_NS_REACHABLE ||
		    rt_nw_state(word) == RT_NS_STATIC) &&
		   rte_be_to_cpu_16(ip->total_length) <= mtu)) {
		rt_eth_rewrite(eh, word, &rt->ifaces[out].mac);
		w->counters[RT_C_FWD4]++;
		return out;
	}
	/* Resolution, refresh, or fragmentation: counted as forwarded when
	 * it leaves (rt_neigh_send), held meanwhile. */
	if (nh->type != RT_NH_CONNECTED) {
		rte_be32_t gw;

		memcpy(&gw, nh->gw, 4);
		rt_key4(&k, gw, out);
	}
	return rt_neigh_output_slow(rt, w, m, &k, pos, in);
}

uint16_t
rt_fwd6(struct rt *rt, struct vnf_wctx *w, struct rte_mbuf *m, uint16_t in,
	uint16_t nhid)
{
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv6_hdr *ip6 = (struct rte_ipv6_hdr *)(eh + 1);
	const struct rt_nh *nh = &rt->nh[nhid];
	struct rt_neigh_key k;
	int32_t pos;
	uint64_t word;
	uint16_t out, mtu;
	uint32_t len;

	if (unlikely(nh->type == RT_NH_GROUP)) {
		nh = rt_nh_pick(rt, nh, rt_flow_hash6(ip6));
		w->counters[RT_C_MULTIPATH]++;
	}
	if (likely(nh->type == RT_NH_GW)) {
		pos = nh->neigh;
	} else if (nh->type == RT_NH_CONNECTED) {
		pos = -2;
	} else {
		switch (nh->type) {
		case RT_NH_LOCAL:
			return rt_icmp6_local(rt, w, m, in, ip6);
		case RT_NH_BLACKHOLE:
			return VNF_DROP(RT_D_BLACKHOLE);
		case RT_NH_UNREACH:
			rt_icmp6_error(rt, w, m, in, RT_ICMP6_DEST_UNREACH,
				       RT_ICMP6_CODE_NOROUTE, 0);
			return VNF_DROP(RT_D_UNREACH);
		default:
			rt_icmp6_error(rt, w, m, in, RT_ICMP6_DEST_UNREACH,
				       RT_ICMP6_CODE_NOROUTE, 0);
			return VNF_DROP(RT_D_NO_ROUTE);
		}
	}
	out = nh->iface;
	if (unlikely(rt_iface_down(&rt->ifaces[out])))
		return VNF_DROP(RT_D_IFACE_DOWN);
	mtu = rt_iface_mtu(&rt->ifaces[out]);
	/* RFC 4291 2.5.6: a link-local source never leaves its link. */
	if (unlikely(ip6->src_addr[0] == 0xfe && (ip6->src_addr[1] & 0xc0) == 0x80))
		return VNF_DROP(RT_D_LINKLOCAL);
	if (unlikely(ip6->hop_limits <= 1)) {
		rt_icmp6_error(rt, w, m, in, RT_ICMP6_TIME_EXCEEDED, 0, 0);
		return VNF_DROP(RT_D_TTL);
	}
	len = sizeof(*ip6) + rte_be_to_cpu_16(ip6->payload_len);
	if (unlikely(len > mtu)) {
		rt_icmp6_error(rt, w, m, in, RT_ICMP6_PACKET_TOO_BIG, 0, mtu);
		return VNF_DROP(RT_D_TOO_BIG);
	}
	ip6->hop_limits--;

	memset(&k, 0, sizeof(k));
	k.iface = out;
	k.family = AF_INET6;
	if (pos == -2) {
		memcpy(k.ip, ip6->dst_addr, 16);
		pos = rt_neigh_lookup(rt, &k);
		word = pos >= 0 ? atomic_load_explicit(&rt->neigh.words[pos],
						       memory_order_relaxed)
				: 0;
	} else {
		memcpy(k.ip, nh->gw, 16);
		word = atomic_load_explicit(&rt->neigh.words[pos],
					    memory_order_relaxed);
	}
	if (likely(rt_nw_state(word) == RT_NS_REACHABLE ||
		   rt_nw_state(word) == RT_NS_STATIC)) {
		rt_eth_rewrite(eh, word, &rt->ifaces[out].mac);
		w->counters[RT_C_FWD6]++;
		return out;
	}
	return rt_neigh_output_slow(rt, w, m, &k, pos, in);
}

/* IPv6 to a multicast group: the groups of every router on the link
 * (ff02::1, ff02::2, solicited-node ff02::1:ffXX:XXXX) are for us; with
 * the twins attached every link-local group (ff02::/16: OSPF, RIPng,
 * MLD, ...) goes to the kernel, which knows what it joined. */
static uint16_t
rt_mcast6(struct rt *rt, struct vnf_wctx *w, struct rte_mbuf *m, uint16_t in,
	  struct rte_ipv6_hdr *ip6)
{
	static const uint8_t ll_all[15] = {0xff, 0x02};
	static const uint8_t snm[13] = {0xff, 0x02, [11] = 1, [12] = 0xff};
	const uint8_t *d = ip6->dst_addr;

	if ((memcmp(d, ll_all, 15) == 0 && (d[15] == 1 || d[15] == 2)) ||
	    memcmp(d, snm, 13) == 0 || (d[1] == 0x02 && rt_twin_on(rt, in)))
		return rt_icmp6_local(rt, w, m, in, ip6);
	return VNF_DROP(RT_D_MCAST);
}

/*
 * Step 0, the IPv4 fast lane: while the burst's frames are plain IPv4
 * unicast to us (header of 20 bytes in the first segment, no Ethernet
 * padding, a right checksum, no martian source) whose tbl24 entry names a
 * gateway next hop that rt_nh_fast_ok() and rt_fwd4_one() accept, each is
 * forwarded at once: the checks of step 1, the lookup of step 2 and the
 * rewrite of step 3 in one pass, without the per-family lists.  The
 * first other frame ends the lane, untouched, and steps 1-4 take the rest
 * of the burst from it, so that what an ARP or a local packet changes is
 * seen by the frames after it, as without the lane.  Returns the index of
 * that frame (n: all taken).  Worker.
 */
static inline unsigned int
rt_fast_lane4(struct rt *rt, struct vnf_wctx *w, struct vnf_burst *b,
	      const struct rt_iface *ifc, const struct rt_fib_view *v)
{
	const struct rt_nh *nh = NULL;
	uint32_t last = UINT32_MAX, fwd = 0;
	uint64_t word = 0;
	unsigned int i;

	if (unlikely(v->tbl24 == NULL))
		return 0;
	for (i = 0; i < b->n; i++) {
		struct rte_mbuf *m = b->pkts[i];
		struct rte_ether_hdr *eh =
			rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eh + 1);
		uint32_t e;
		uint8_t s0;

		if (unlikely(m->data_len < RTE_ETHER_HDR_LEN + sizeof(*ip) ||
			     !rt_eth_dst_is(eh, ifc->mac64) ||
			     eh->ether_type !=
				     rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) ||
			     ip->version_ihl != RTE_IPV4_VHL_DEF ||
			     rte_be_to_cpu_16(ip->total_length) !=
				     m->pkt_len - RTE_ETHER_HDR_LEN ||
			     !rt_ip4_cksum_ok(ip, sizeof(*ip))))
			break;
		s0 = ((const uint8_t *)&ip->src_addr)[0];
		if (unlikely(s0 == 127 || s0 >= 224))
			break;
		e = rt_fib4_tbl24_entry(v, rte_be_to_cpu_32(ip->dst_addr));
		if (unlikely(e & 1))
			break;
		if (e != last) {
			nh = &rt->nh[(uint16_t)(e >> 1)];
			if (unlikely(!rt_nh_fast_ok(rt, nh, &word)))
				break;
			last = e;
		}
		if (unlikely(!rt_fwd4_one(ip, nh, word)))
			break;
		b->next[i] = nh->iface;
		fwd++;
	}
	w->counters[RT_C_FWD4] += fwd;
	return i;
}

/* The frames of a burst that step 1 passed, by family, for steps 2-3. */
struct rt_lists {
	unsigned int n4, n6;
	uint32_t ip4[VNF_BURST_MAX];
	struct rte_ipv4_hdr *hdr4[VNF_BURST_MAX];
	uint8_t idx4[VNF_BURST_MAX], idx6[VNF_BURST_MAX];
	uint8_t ip6[VNF_BURST_MAX][16];
};

/*
 * Steps 2-3 for the frames in l: look them up and forward them; then l is
 * empty.  Returns whether one was consumed (RT_NEXT_CONSUMED).  Step 1
 * calls it early, before a frame it handles itself (ARP, IPv6 multicast
 * and link-local: neighbour discovery), so that the frames before such a
 * frame do not see what it changes, as they would not had they come in
 * a burst of their own (and as the fast lane does not).  Worker.
 */
static inline bool
rt_lists_forward(struct rt *rt, struct vnf_wctx *w, struct vnf_burst *b,
		 const struct rt_fib_view *v4, const struct rt_fib_view *v6,
		 struct rt_lists *l)
{
	uint64_t nh[VNF_BURST_MAX];
	bool consumed = false;
	unsigned int k;

	if (l->n4 != 0) {
		rt_fib4_lookup_read(v4, l->ip4, nh, l->n4, !v4->prefetch_early);
		consumed |= rt_fwd4_burst(rt, w, b->pkts, b->next, l->hdr4,
					  l->idx4, nh, l->n4, b->in_iface);
	}
	if (l->n6 != 0) {
		uint32_t fwd = 0;

		rt_fib6_lookup(v6, l->ip6, nh, l->n6);
		for (k = 0; k < l->n6; k++) {
			uint16_t nx = rt_fwd6_fast(rt, w, b->pkts[l->idx6[k]],
						   b->in_iface,
						   (uint16_t)nh[k], &fwd);

			b->next[l->idx6[k]] = nx;
			consumed |= nx == RT_NEXT_CONSUMED;
		}
		w->counters[RT_C_FWD6] += fwd;
	}
	l->n4 = l->n6 = 0;
	return consumed;
}

static void
rt_process(struct vnf_instance *vi, struct vnf_wctx *w, struct vnf_burst *b)
{
	struct rt *rt = vi->priv;
	const uint16_t in = b->in_iface;
	const struct rt_iface *ifc = &rt->ifaces[in];
	const bool v6_on = atomic_load_explicit(&rt->v6, memory_order_acquire);
	const uint16_t n = b->n;
	struct rt_lists l;
	unsigned int i, k;
	bool consumed = false;
	/* One table per family for the whole burst. */
	const struct rt_fib_view *v4 = rt_fib_view_get(&rt->fib4);
	const struct rt_fib_view *v6 = v6_on ? rt_fib_view_get(&rt->fib6) :
					       NULL;

	/* A down iface takes nothing in, as the kernel's does not. */
	if (unlikely(rt_iface_down(ifc))) {
		for (i = 0; i < n; i++)
			b->next[i] = VNF_DROP(RT_D_IFACE_DOWN);
		return;
	}

	if (v4->prefetch_early)
		rt_fib4_prefetch_burst(v4, b->pkts, n);

	/* 0. The fast lane; 1. classify and check the rest. */
	l.n4 = l.n6 = 0;
	for (i = likely(!rt->lane_off) ? rt_fast_lane4(rt, w, b, ifc, v4) : 0;
	     i < n; i++) {
		struct rte_mbuf *m = b->pkts[i];
		struct rte_ether_hdr *eh;
		uint16_t et, nx;

		eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
		if (unlikely(m->data_len < RTE_ETHER_HDR_LEN)) {
			b->next[i] = VNF_DROP(RT_D_RUNT);
			continue;
		}
		if (unlikely(!rt_eth_dst_is(eh, ifc->mac64) &&
			     !rte_is_multicast_ether_addr(&eh->dst_addr))) {
			b->next[i] = VNF_DROP(RT_D_NOT_FOR_US);
			continue;
		}
		et = eh->ether_type;
		if (likely(et == rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4))) {
			struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eh + 1);
			uint32_t ihl, tot, plen = m->pkt_len - RTE_ETHER_HDR_LEN;
			uint8_t s0;

			if (unlikely(m->data_len < RTE_ETHER_HDR_LEN + sizeof(*ip))) {
				b->next[i] = VNF_DROP(RT_D_V4_LEN);
				continue;
			}
			if (unlikely(ip->version_ihl != RTE_IPV4_VHL_DEF)) {
				if ((ip->version_ihl >> 4) != 4) {
					b->next[i] = VNF_DROP(RT_D_V4_VERSION);
					continue;
				}
				ihl = rte_ipv4_hdr_len(ip);
				if (ihl < sizeof(*ip) ||
				    m->data_len < RTE_ETHER_HDR_LEN + ihl) {
					b->next[i] = VNF_DROP(RT_D_V4_IHL);
					continue;
				}
			} else {
				ihl = sizeof(*ip);
			}
			tot = rte_be_to_cpu_16(ip->total_length);
			if (unlikely(tot < ihl || tot > plen)) {
				b->next[i] = VNF_DROP(RT_D_V4_LEN);
				continue;
			}
			if (unlikely(!rt_ip4_cksum_ok(ip, ihl))) {
				b->next[i] = VNF_DROP(RT_D_V4_CKSUM);
				continue;
			}
			if (unlikely(tot < plen)) /* Ethernet padding */
				rte_pktmbuf_trim(m, (uint16_t)(plen - tot));
			s0 = ((const uint8_t *)&ip->src_addr)[0];
			if (unlikely(s0 == 127 || s0 >= 224)) {
				b->next[i] = VNF_DROP(RT_D_MARTIAN);
				continue;
			}
			l.ip4[l.n4] = rte_be_to_cpu_32(ip->dst_addr);
			l.hdr4[l.n4] = ip;
			l.idx4[l.n4++] = (uint8_t)i;
			continue;
		}
		if (et == rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6)) {
			struct rte_ipv6_hdr *h6 = (struct rte_ipv6_hdr *)(eh + 1);
			uint32_t plen = m->pkt_len - RTE_ETHER_HDR_LEN, len;

			if (unlikely(!v6_on)) {
				b->next[i] = VNF_DROP(RT_D_V6_OFF);
				continue;
			}
			if (unlikely(m->data_len < RTE_ETHER_HDR_LEN + sizeof(*h6))) {
				b->next[i] = VNF_DROP(RT_D_V6_LEN);
				continue;
			}
			if (unlikely((rte_be_to_cpu_32(h6->vtc_flow) >> 28) != 6)) {
				b->next[i] = VNF_DROP(RT_D_V6_VERSION);
				continue;
			}
			len = sizeof(*h6) + rte_be_to_cpu_16(h6->payload_len);
			if (unlikely(len > plen)) {
				b->next[i] = VNF_DROP(RT_D_V6_LEN);
				continue;
			}
			if (unlikely(len < plen))
				rte_pktmbuf_trim(m, (uint16_t)(plen - len));
			if (unlikely(h6->src_addr[0] == 0xff)) {
				b->next[i] = VNF_DROP(RT_D_MARTIAN);
				continue;
			}
			if (h6->dst_addr[0] == 0xff) {
				consumed |= rt_lists_forward(rt, w, b, v4, v6,
							     &l);
				nx = rt_mcast6(rt, w, m, in, h6);
				goto slow_next;
			}
			if (unlikely(h6->dst_addr[0] == 0xfe &&
				     (h6->dst_addr[1] & 0xc0) == 0x80)) {
				consumed |= rt_lists_forward(rt, w, b, v4, v6,
							     &l);
				/* Twins attached: every link-local
				 * destination is the kernel's to judge. */
				if (rt_twin_on(rt, in) ||
				    rt_iface_has6(ifc, h6->dst_addr))
					nx = rt_icmp6_local(rt, w, m, in, h6);
				else
					nx = VNF_DROP(RT_D_LINKLOCAL);
				goto slow_next;
			}
			memcpy(l.ip6[l.n6], h6->dst_addr, 16);
			rt_fib6_prefetch(v6, l.ip6[l.n6]);
			l.idx6[l.n6++] = (uint8_t)i;
			continue;
		}
		if (et == rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP)) {
			consumed |= rt_lists_forward(rt, w, b, v4, v6, &l);
			nx = rt_arp_input(rt, w, m, in);
			goto slow_next;
		}
		b->next[i] = VNF_DROP(RT_D_ETHERTYPE);
		continue;
slow_next:
		b->next[i] = nx;
		consumed |= nx == RT_NEXT_CONSUMED;
	}

	/* 2-3. Look up and forward. */
	consumed |= rt_lists_forward(rt, w, b, v4, v6, &l);

	/* 4. Drop what we kept from the burst; release what was resolved. */
	if (unlikely(consumed)) {
		for (i = 0, k = 0; i < n; i++) {
			if (b->next[i] == RT_NEXT_CONSUMED)
				continue;
			b->pkts[k] = b->pkts[i];
			b->next[k++] = b->next[i];
		}
		b->n = (uint16_t)k;
	}
	rt_neigh_pending_run(rt, w);
}

/* ---- life cycle -------------------------------------------------------------- */

static void
rt_mac_generate(const char *vnf, const char *iface, struct rte_ether_addr *a)
{
	uint32_t h = rte_hash_crc(vnf, strlen(vnf), 0x4e465644);

	h = rte_hash_crc(iface, strlen(iface), h);
	a->addr_bytes[0] = 0x02; /* locally administered, unicast */
	a->addr_bytes[1] = 0xfe;
	memcpy(&a->addr_bytes[2], &h, 4);
}

static void
rt_ll_make(const struct rte_ether_addr *mac, uint8_t *ll)
{
	memset(ll, 0, 16);
	ll[0] = 0xfe;
	ll[1] = 0x80;
	ll[8] = mac->addr_bytes[0] ^ 0x02;
	ll[9] = mac->addr_bytes[1];
	ll[10] = mac->addr_bytes[2];
	ll[11] = 0xff;
	ll[12] = 0xfe;
	ll[13] = mac->addr_bytes[3];
	ll[14] = mac->addr_bytes[4];
	ll[15] = mac->addr_bytes[5];
}

static int
rt_ifaces_setup(struct rt *rt, const struct ctl_vnf_config *cfg, char *err,
		size_t errlen)
{
	const struct rt_config *rc = cfg->priv;
	unsigned int i, j;
	int ret;

	rt->n_ifaces = (uint16_t)cfg->n_ifaces;
	for (i = 0; i < cfg->n_ifaces; i++) {
		const struct rt_iface_config *ic = &rc->ifaces[i];
		struct rt_iface *f = &rt->ifaces[i];

		snprintf(f->svi, sizeof(f->svi), "%s", ic->svi);
		if (ic->has_mac)
			memcpy(f->mac.addr_bytes, ic->mac, 6);
		else
			rt_mac_generate(cfg->name, cfg->ifaces[i].name, &f->mac);
		f->mac64 = 0;
		memcpy(&f->mac64, f->mac.addr_bytes, RTE_ETHER_ADDR_LEN);
		atomic_init(&f->mtu, ic->mtu != 0 ? ic->mtu : 1500);
		atomic_init(&f->down, false);
		/* Always: IPv6 may be turned on at run time, and the
		 * link-local address stays the EUI-64 one. */
		rt_ll_make(&f->mac, f->ll);
		for (j = 0; j < ic->n_addrs; j++) {
			const struct ctl_prefix *p = &ic->addrs[j];

			if (f->n_cfg < RTE_DIM(f->cfg)) {
				f->cfg[f->n_cfg].family = p->family;
				f->cfg[f->n_cfg].len = p->len;
				memcpy(f->cfg[f->n_cfg].addr, p->addr, 16);
				f->n_cfg++;
			}
			if (p->family == AF_INET) {
				if (f->n4 == RT_ADDR_MAX)
					goto err_many;
				memcpy(&f->v4[f->n4].addr, p->addr, 4);
				f->v4[f->n4].len = p->len;
				f->v4[f->n4].mask = rte_cpu_to_be_32(
					p->len == 0 ? 0 : ~0u << (32 - p->len));
				f->n4++;
			} else {
				if (f->n6 == RT_ADDR_MAX)
					goto err_many;
				memcpy(f->v6[f->n6].addr, p->addr, 16);
				f->v6[f->n6].len = p->len;
				f->n6++;
				atomic_init(&rt->v6, true);
			}
		}
		ret = rt_addrs_publish(rt, f);
		if (ret < 0) {
			snprintf(err, errlen, "vnf %s: out of memory",
				 cfg->name);
			return ret;
		}
	}
	return 0;
err_many:
	snprintf(err, errlen, "vnf %s: iface %s: more than %d addresses of a family",
		 cfg->name, cfg->ifaces[i].name, RT_ADDR_MAX);
	return -E2BIG;
}

static void rt_destroy(struct vnf_instance *vi);

static int
rt_create(struct vnf_instance *vi, const struct ctl_vnf_config *cfg, char *err,
	  size_t errlen)
{
	const struct rt_config *rc_cfg = cfg->priv;
	char name[16], rname[RTE_RING_NAMESIZE];
	uint32_t hint4 = 0, hint6 = 0;
	struct rt *rt;
	unsigned int i, seq;
	int rc;

	if (rc_cfg == NULL) {
		snprintf(err, errlen, "vnf %s: no router config", cfg->name);
		return -EINVAL;
	}
	rt = rte_zmalloc("rt", sizeof(*rt), RTE_CACHE_LINE_SIZE);
	if (rt == NULL) {
		snprintf(err, errlen, "vnf %s: out of memory", cfg->name);
		return -ENOMEM;
	}
	vi->priv = rt;
	rt->vi = vi;
	rt->hz = rte_get_tsc_hz();
	rt->t_retrans = (uint32_t)(rt->hz * RT_RETRANS_MS / 1000 >> RT_TICK_SHIFT);
	rt->t_reachable = (uint32_t)(rt->hz * RT_REACHABLE_S >> RT_TICK_SHIFT);
	rt->t_stale_gc = (uint32_t)(rt->hz * RT_STALE_GC_S >> RT_TICK_SHIFT);
	rt->t_failed_gc = (uint32_t)(rt->hz * RT_FAILED_GC_S >> RT_TICK_SHIFT);
	rt->icmp_interval = rt->hz / RT_ICMP_RATE;
	rt->icmp_burst_tsc = rt->icmp_interval * (RT_ICMP_BURST - 1);
	rt->wake_fd = -1;
	if (rc_cfg->mirror != NULL) {
		rt->mirror = *rc_cfg->mirror;
		rt->has_mirror = true;
	}

	rc = rt_ifaces_setup(rt, cfg, err, errlen);
	if (rc < 0)
		return rc;
	for (i = 0; i < rc_cfg->n_routes; i++) {
		if (rc_cfg->routes[i].prefix.family == AF_INET)
			hint4++;
		else
			hint6++;
	}
	if (hint6 != 0 && !rt->v6) {
		snprintf(err, errlen,
			 "vnf %s: IPv6 routes but no iface has an IPv6 address",
			 cfg->name);
		return -EINVAL;
	}

	/* rte object names must be unique in the process: a sequence. */
	seq = atomic_fetch_add(&rt_instance_seq, 1) % 10000;
	rt->seq = seq;
	snprintf(name, sizeof(name), "rt%u", seq);
	rc = rt_nh_init(rt, name);
	if (rc < 0)
		goto err_mem;
	rc = rt_neigh_init(rt, name, RT_NEIGH_DEFAULT, vi->rcu);
	if (rc < 0)
		goto err_mem;
	snprintf(name, sizeof(name), "rt%u4_", seq);
	rc = rt_fib_init(&rt->fib4, AF_INET, name, hint4 + 64, vi->rcu);
	if (rc < 0)
		goto err_fib;
	if (rt->v6) {
		rc = rt_fib6_start(rt, hint6 + 64);
		if (rc < 0)
			goto err_fib;
	}
	snprintf(rname, sizeof(rname), "rt%upunt", seq);
	rt->punt = rte_ring_create(rname, RT_PUNT_RING, SOCKET_ID_ANY,
				   RING_F_SC_DEQ);
	if (rt->punt == NULL) {
		rc = rte_errno ? -rte_errno : -ENOMEM;
		goto err_mem;
	}
	/* Frames of the kernel twins: one producer (the mirror's thread),
	 * the workers consume (vnf_ops.poll). */
	snprintf(rname, sizeof(rname), "rt%uinj", seq);
	rt->inject = rte_ring_create(rname, RT_INJECT_RING, SOCKET_ID_ANY,
				     RING_F_SP_ENQ);
	if (rt->inject == NULL) {
		rc = rte_errno ? -rte_errno : -ENOMEM;
		goto err_mem;
	}

	rc = rt_routes_connected(rt, err, errlen);
	if (rc < 0)
		return rc;
	for (i = 0; i < rc_cfg->n_neighbors; i++) {
		const struct rt_neigh_config *nc = &rc_cfg->neighbors[i];
		struct rt_neigh_key k;
		struct rte_ether_addr mac;
		int ifi = vnf_iface_index(vi, nc->iface);

		if (ifi < 0) {
			snprintf(err, errlen, "vnf %s: neighbors[%u]: no iface %s",
				 cfg->name, i, nc->iface);
			return -ENOENT;
		}
		if (nc->ip.family == AF_INET6 && !rt->v6) {
			snprintf(err, errlen,
				 "vnf %s: neighbors[%u]: IPv6 but no iface has an IPv6 address",
				 cfg->name, i);
			return -EINVAL;
		}
		memset(&k, 0, sizeof(k));
		memcpy(k.ip, nc->ip.addr, nc->ip.family == AF_INET ? 4 : 16);
		k.iface = (uint16_t)ifi;
		k.family = nc->ip.family;
		memcpy(mac.addr_bytes, nc->mac, 6);
		rc = rt_neigh_add_static(rt, &k, &mac);
		if (rc < 0) {
			snprintf(err, errlen, "vnf %s: neighbors[%u]: %s",
				 cfg->name, i, strerror(-rc));
			return rc;
		}
	}
	for (i = 0; i < rc_cfg->n_routes; i++) {
		char rerr[192];

		rc = rt_route_add(rt, &rc_cfg->routes[i], false, rerr, sizeof(rerr));
		if (rc < 0) {
			snprintf(err, errlen, "vnf %s: routes[%u]: %s", cfg->name,
				 i, rerr);
			return rc;
		}
	}
	/* After `routes`: a prefix in both is an error ("exists"), as for
	 * `route add` with a file.  One batch: the tables are sized for the
	 * file once, and it costs one grace period. */
	if (rc_cfg->routes_file != NULL) {
		char rerr[512];
		unsigned int n;

		rc = rt_routes_load(rt, rc_cfg->routes_file, false, &n, rerr,
				    sizeof(rerr));
		if (rc < 0) {
			snprintf(err, errlen, "vnf %s: routes_file: %s",
				 cfg->name, rerr);
			return rc;
		}
	}
	return 0;

err_fib:
	snprintf(err, errlen,
		 "vnf %s: route tables: %s (raise dataplane.memory: each family "
		 "takes about %u MiB)",
		 cfg->name, strerror(-rc), 70);
	return rc;
err_mem:
	snprintf(err, errlen, "vnf %s: %s", cfg->name, strerror(-rc));
	return rc;
}

void
rt_punt_drain(struct rt *rt)
{
	void *objs[64];
	unsigned int n, i;

	while ((n = rte_ring_sc_dequeue_burst(rt->punt, objs, RTE_DIM(objs),
					      NULL)) != 0) {
		for (i = 0; i < n; i++)
			rte_pktmbuf_free(objs[i]);
		rt->punt_discarded += n;
	}
}

static void
rt_destroy(struct vnf_instance *vi)
{
	struct rt *rt = vi->priv;
	unsigned int w;

	if (rt == NULL)
		return;
	/* Workers are stopped: their held packets go back to the pool. */
	if (vi->slots != NULL)
		for (w = 0; w < vi->n_workers; w++)
			if (vi->slots[w].state != NULL)
				rt_neigh_pending_flush(rt, vi->slots[w].state);
	if (rt->punt != NULL) {
		rt_punt_drain(rt);
		rte_ring_free(rt->punt);
	}
	if (rt->inject != NULL) {
		rt_inject_drain(rt);
		rte_ring_free(rt->inject);
	}
	/* Workers are stopped: no grace period to wait for. */
	for (w = 0; w < rt->n_ifaces; w++)
		rte_free((void *)(uintptr_t)atomic_load(&rt->ifaces[w].addrs));
	rt_fib_fini(&rt->fib4);
	if (rt->fib6.tbl[0] != NULL || rt->fib6.tbl[1] != NULL)
		rt_fib_fini(&rt->fib6);
	rt_neigh_fini(rt);
	rt_nh_fini(rt);
	rte_free(rt);
	vi->priv = NULL;
}

static void
rt_periodic(struct vnf_instance *vi, uint64_t now)
{
	struct rt *rt = vi->priv;

	rt_neigh_age(rt, now, 8192);
	/* Until a control plane reads the punt queue, keep it from holding
	 * mbufs for good. */
	if (!atomic_load_explicit(&rt->punt_reader, memory_order_relaxed))
		rt_punt_drain(rt);
}

/* ---- public API (router.h) --------------------------------------------------- */

static struct rt *
rt_of(struct vnf_instance *vi)
{
	return vi != NULL && vi->ops != NULL &&
			       strcmp(vi->ops->type, "router") == 0 ?
		       vi->priv :
		       NULL;
}

bool
vnf_router_is(const struct vnf_instance *vi)
{
	return rt_of((struct vnf_instance *)(uintptr_t)vi) != NULL;
}

void
vnf_router_fast_lane_set(struct vnf_instance *vi, bool on)
{
	struct rt *rt = rt_of(vi);

	if (rt != NULL)
		rt->lane_off = !on;
}

struct rte_ring *
vnf_router_punt_ring(struct vnf_instance *vi)
{
	struct rt *rt = rt_of(vi);

	if (rt == NULL)
		return NULL;
	atomic_store(&rt->punt_reader, true);
	return rt->punt;
}

int
vnf_router_route_add(struct vnf_instance *vi, const struct rt_route_config *r,
		     bool replace, char *err, size_t errlen)
{
	struct rt *rt = rt_of(vi);

	if (rt == NULL)
		return -EINVAL;
	return rt_route_add(rt, r, replace, err, errlen);
}

int
vnf_router_route_del(struct vnf_instance *vi, const struct ctl_prefix *p,
		     char *err, size_t errlen)
{
	struct rt *rt = rt_of(vi);

	if (rt == NULL)
		return -EINVAL;
	return rt_route_del(rt, p, err, errlen);
}

int
vnf_router_routes_load(struct vnf_instance *vi, const char *path, bool replace,
		       unsigned int *n_loaded, char *err, size_t errlen)
{
	struct rt *rt = rt_of(vi);

	if (rt == NULL)
		return -EINVAL;
	return rt_routes_load(rt, path, replace, n_loaded, err, errlen);
}

uint64_t
vnf_router_fib_memory(struct vnf_instance *vi)
{
	struct rt *rt = rt_of(vi);

	if (rt == NULL)
		return 0;
	return rt_fib_memory(&rt->fib4) + rt_fib_memory(&rt->fib6);
}

static const struct vnf_ops router_ops = {
	.type = "router",
	.worker_size = sizeof(struct rt_worker),
	.counters = rt_counters,
	.n_counters = RT_N_COUNTERS,
	.create = rt_create,
	.destroy = rt_destroy,
	.process = rt_process,
	.periodic = rt_periodic,
	.poll = rt_poll,
	.verbs = rt_verbs,
	.n_verbs = RT_N_VERBS,
	.details = rt_details,
};

VNF_REGISTER(router_ops);
