/* SPDX-License-Identifier: BSD-3-Clause
 *
 * neigh.c - the neighbour table (ARP and IPv6 ND), resolution, and the
 * queues of packets that wait for it.
 *
 * Table.  A lock-free table (vnf/lib/lf_table.h) maps (family, iface, IP)
 * to a position; rt->neigh.words[position] is the entry: one 64-bit word
 * with the MAC, the state and a request count, changed only by
 * compare-and-swap; rt->neigh.stamps[position] its time stamp.  Lookups,
 * state changes and MAC updates take no lock.  Making an entry for an
 * address the table does not know yet goes through rte_hash's writer path
 * (its internal lock, once per new neighbour, never per packet), like the
 * l2switch's MAC learning.  Positions are reused only after an RCU grace
 * period, and a word is never CAS'ed from 0 except by the one who just
 * added the key (lf_table_add()): a worker that raced with a delete sees 0
 * and makes a new entry instead of reviving a position on its way back to
 * the free list.
 *
 * States (see enum rt_neigh_state):
 *   INCOMPLETE --reply--> REACHABLE --30 s--> STALE --use--> PROBE
 *   PROBE --reply--> REACHABLE;  PROBE/INCOMPLETE --3 requests--> FAILED
 *   FAILED --use after 1 s--> INCOMPLETE;  STATIC never changes.
 * Requests are sent by the worker that needs the neighbour, at most one per
 * second per entry (the stamp and a CAS on the word decide who sends;
 * two workers racing may both send one: harmless).  The control thread
 * ages entries (rt_neigh_age) and removes unused ones; next hops hold a
 * reference on their gateway's entry so that it stays.
 *
 * Held packets.  Each worker keeps its own bounded table of packets
 * waiting for a neighbour (struct rt_worker): RT_PENDING_MAX neighbours,
 * RT_PENDING_QLEN packets each; beyond that, counted drops.  A worker looks
 * at it when a neighbour became usable anywhere (rt->resolved_gen moved) or
 * when a retransmit or timeout is due, from its own process() calls: a
 * worker that receives nothing for the router holds its packets until it
 * does (they are freed on destroy).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_arp.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_icmp.h>
#include <rte_malloc.h>

#include "vnf/router/router_priv.h"

#define RT_ND_NS 135
#define RT_ND_NA 136
#define RT_ND_OPT_SLLA 1
#define RT_ND_OPT_TLLA 2
#define RT_NA_F_ROUTER 0x80
#define RT_NA_F_SOLICITED 0x40
#define RT_NA_F_OVERRIDE 0x20

static uint64_t
rt_mac_word(const struct rte_ether_addr *a)
{
	uint64_t v = 0;

	memcpy(&v, a->addr_bytes, RTE_ETHER_ADDR_LEN);
	return v;
}

static void
rt_word_mac(uint64_t w, struct rte_ether_addr *a)
{
	memcpy(a->addr_bytes, &w, RTE_ETHER_ADDR_LEN);
}

/* ---- table ---------------------------------------------------------------- */

int
rt_neigh_init(struct rt *rt, const char *name, uint32_t size,
	      struct rte_rcu_qsbr *rcu)
{
	char hname[RTE_HASH_NAMESIZE];
	const struct lf_table_params tp = {
		.name = hname,
		.key_len = sizeof(struct rt_neigh_key),
		.size = size,
		.min_entries = 64,
		.rcu = rcu,
		.stamps = true,
	};
	int ret;

	snprintf(hname, sizeof(hname), "%snb", name);
	ret = lf_table_create(&rt->neigh, &tp);
	if (ret < 0)
		return ret;
	rt->neigh_refs =
		rte_zmalloc("rt_neigh_refs",
			    (size_t)rt->neigh.n_pos * sizeof(rt->neigh_refs[0]),
			    RTE_CACHE_LINE_SIZE);
	/* Control thread only: where each entry came from (kneigh). */
	rt->neigh_origin = rte_zmalloc("rt_neigh_origin", rt->neigh.n_pos, 0);
	rt->neigh_kgen =
		rte_zmalloc("rt_neigh_kgen",
			    (size_t)rt->neigh.n_pos * sizeof(rt->neigh_kgen[0]),
			    0);
	if (rt->neigh_refs == NULL || rt->neigh_origin == NULL ||
	    rt->neigh_kgen == NULL) {
		rt_neigh_fini(rt);
		return -ENOMEM;
	}
	return 0;
}

void
rt_neigh_fini(struct rt *rt)
{
	lf_table_destroy(&rt->neigh);
	rte_free(rt->neigh_refs);
	rt->neigh_refs = NULL;
	rte_free(rt->neigh_origin);
	rt->neigh_origin = NULL;
	rte_free(rt->neigh_kgen);
	rt->neigh_kgen = NULL;
}

int32_t
rt_neigh_lookup(struct rt *rt, const struct rt_neigh_key *k)
{
	return lf_table_lookup(&rt->neigh, k);
}

/*
 * Worker or control thread: make an entry with word `init`.  Returns its
 * position (possibly made by somebody else first), -ENOSPC, or -EAGAIN
 * (a delete raced with it: try again).
 */
static int32_t
rt_neigh_create(struct rt *rt, const struct rt_neigh_key *k, uint64_t init,
		uint32_t now)
{
	int32_t p;
	int rc;

	rc = lf_table_add(&rt->neigh, k, init, now, &p);
	return rc < 0 ? rc : p;
}

/* Control thread: remove the entry at pos. */
static bool
rt_neigh_del_pos(struct rt *rt, uint32_t pos)
{
	if (!lf_table_del_pos(&rt->neigh, pos, 0))
		return false;
	rt->neigh_refs[pos] = 0;
	rt->neigh_origin[pos] = RT_NO_LEARNED;
	return true;
}

int
rt_neigh_ref(struct rt *rt, const struct rt_neigh_key *k, int32_t *pos)
{
	int32_t p;
	int tries;

	for (tries = 0; tries < 4; tries++) {
		p = rt_neigh_lookup(rt, k);
		if (p >= 0 && atomic_load_explicit(&rt->neigh.words[p],
						   memory_order_relaxed) == 0)
			p = -1; /* being deleted: make a new one */
		if (p < 0)
			p = rt_neigh_create(rt, k,
					    rt_nw_make(0, RT_NS_INCOMPLETE, 0),
					    rt_ticks(rte_rdtsc()));
		if (p == -EAGAIN)
			continue;
		if (p < 0)
			return p;
		rt->neigh_refs[p]++;
		*pos = p;
		return 0;
	}
	return -EAGAIN;
}

void
rt_neigh_unref(struct rt *rt, int32_t pos)
{
	if (pos >= 0 && rt->neigh_refs[pos] > 0)
		rt->neigh_refs[pos]--;
}

/* Control thread: publish a resolved word at position p (stamped now); a
 * position that was not usable before bumps resolved_gen, so that packets
 * held for it are sent. */
static void
rt_neigh_set_word(struct rt *rt, int32_t p, uint64_t nw)
{
	uint64_t old;

	old = atomic_exchange_explicit(&rt->neigh.words[p], nw,
				       memory_order_release);
	atomic_store_explicit(&rt->neigh.stamps[p], rt_ticks(rte_rdtsc()),
			      memory_order_relaxed);
	if (!rt_nw_usable(old))
		atomic_fetch_add_explicit(&rt->resolved_gen, 1,
					  memory_order_relaxed);
}

int
rt_neigh_add_static(struct rt *rt, const struct rt_neigh_key *k,
		    const struct rte_ether_addr *mac)
{
	int32_t p;
	int rc;

	rc = rt_neigh_ref(rt, k, &p);
	if (rc < 0)
		return rc;
	rt_neigh_set_word(rt, p, rt_nw_make(rt_mac_word(mac), RT_NS_STATIC, 0));
	rt->neigh_origin[p] = RT_NO_CONFIG;
	return 0;
}

void
rt_neigh_age(struct rt *rt, uint64_t now_tsc, uint32_t budget)
{
	struct lf_table *t = &rt->neigh;
	uint32_t now = rt_ticks(now_tsc), i;

	for (i = 0; i < budget && i < lf_table_used(t); i++) {
		uint32_t pos = lf_table_scan_next(t);
		uint64_t w = atomic_load_explicit(&t->words[pos],
						  memory_order_relaxed);
		uint32_t refs = rt->neigh_refs[pos];
		int32_t age;
		uint64_t nw = 0;

		if (w == 0)
			continue;
		age = nfv_tick_diff(now,
				    atomic_load_explicit(&t->stamps[pos],
							 memory_order_relaxed));
		switch (rt_nw_state(w)) {
		case RT_NS_REACHABLE:
			if (age > (int32_t)rt->t_reachable)
				nw = rt_nw_make(w, RT_NS_STALE, 0);
			break;
		case RT_NS_STALE:
			if (refs == 0 && age > (int32_t)rt->t_stale_gc)
				rt_neigh_del_pos(rt, pos);
			break;
		case RT_NS_INCOMPLETE:
		case RT_NS_PROBE:
			/* Nobody used it to send the remaining requests. */
			if (age > (int32_t)(rt->t_retrans * (RT_SOLICIT_MAX + 1)))
				nw = rt_nw_make(0, RT_NS_FAILED, 0);
			break;
		case RT_NS_FAILED:
			if (refs == 0 && age > (int32_t)rt->t_failed_gc)
				rt_neigh_del_pos(rt, pos);
			break;
		default:
			break;
		}
		if (nw != 0 &&
		    atomic_compare_exchange_strong_explicit(
			    &t->words[pos], &w, nw, memory_order_relaxed,
			    memory_order_relaxed))
			atomic_store_explicit(&t->stamps[pos], now,
					      memory_order_relaxed);
	}
}

/* ctl.c's callback takes the key typed. */
struct rt_neigh_walk_arg {
	void (*fn)(const struct rt_neigh_key *k, uint64_t word, uint32_t stamp,
		   void *arg);
	void *arg;
};

static void
rt_neigh_walk_one(const void *key, uint64_t word, uint32_t stamp, void *arg)
{
	const struct rt_neigh_walk_arg *a = arg;

	a->fn(key, word, stamp, a->arg);
}

void
rt_neigh_walk(struct rt *rt,
	      void (*fn)(const struct rt_neigh_key *k, uint64_t word,
			 uint32_t stamp, void *arg),
	      void *arg)
{
	struct rt_neigh_walk_arg a = {.fn = fn, .arg = arg};

	lf_table_walk(&rt->neigh, rt_neigh_walk_one, &a);
}

/* ---- requests ------------------------------------------------------------- */

/* An ARP packet from iface `ifi`: op, Ethernet destination, sender/target. */
static void
rt_arp_send(struct rt *rt, struct vnf_wctx *w, uint16_t ifi, uint16_t op,
	    const struct rte_ether_addr *eth_dst,
	    const struct rte_ether_addr *tha, rte_be32_t sip, rte_be32_t tip)
{
	const struct rt_iface *ifc = &rt->ifaces[ifi];
	struct rte_mbuf *m = rte_pktmbuf_alloc(w->pool);
	struct rte_ether_hdr *eh;
	struct rte_arp_hdr *ah;

	if (m == NULL) {
		w->counters[RT_D_NOMBUF]++;
		return;
	}
	eh = (struct rte_ether_hdr *)rte_pktmbuf_append(
		m, sizeof(*eh) + sizeof(*ah));
	ah = (struct rte_arp_hdr *)(eh + 1);
	rte_ether_addr_copy(eth_dst, &eh->dst_addr);
	rte_ether_addr_copy(&ifc->mac, &eh->src_addr);
	eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
	ah->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	ah->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ah->arp_hlen = RTE_ETHER_ADDR_LEN;
	ah->arp_plen = 4;
	ah->arp_opcode = rte_cpu_to_be_16(op);
	rte_ether_addr_copy(&ifc->mac, &ah->arp_data.arp_sha);
	ah->arp_data.arp_sip = sip;
	rte_ether_addr_copy(tha, &ah->arp_data.arp_tha);
	ah->arp_data.arp_tip = tip;
	rt_emit(rt, w, m, ifi);
	w->counters[RT_C_ARP_REQUESTS]++;
}

/* A neighbour solicitation for `target` from iface `ifi`; multicast to the
 * solicited-node group, or unicast to `dmac` when it is given (a probe). */
static void
rt_ns_send(struct rt *rt, struct vnf_wctx *w, uint16_t ifi,
	   const uint8_t *target, const struct rte_ether_addr *dmac)
{
	const struct rt_iface *ifc = &rt->ifaces[ifi];
	const uint8_t *src = rt_iface_src6(rt, ifi, target);
	struct rte_mbuf *m;
	struct rte_ether_hdr *eh;
	struct rte_ipv6_hdr *ip6;
	uint8_t *icmp;

	if (src == NULL) {
		w->counters[RT_D_NO_SRC]++;
		return;
	}
	m = rte_pktmbuf_alloc(w->pool);
	if (m == NULL) {
		w->counters[RT_D_NOMBUF]++;
		return;
	}
	eh = (struct rte_ether_hdr *)rte_pktmbuf_append(m, 14 + 40 + 32);
	ip6 = (struct rte_ipv6_hdr *)(eh + 1);
	icmp = (uint8_t *)(ip6 + 1);
	rte_ether_addr_copy(&ifc->mac, &eh->src_addr);
	eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6);
	ip6->vtc_flow = rte_cpu_to_be_32(6u << 28);
	ip6->payload_len = rte_cpu_to_be_16(32);
	ip6->proto = IPPROTO_ICMPV6;
	ip6->hop_limits = 255;
	memcpy(ip6->src_addr, src, 16);
	if (dmac != NULL) {
		rte_ether_addr_copy(dmac, &eh->dst_addr);
		memcpy(ip6->dst_addr, target, 16);
	} else {
		static const uint8_t snm[13] = {0xff, 0x02, 0, 0, 0, 0, 0, 0,
						0,    0,    0, 1, 0xff};

		memcpy(ip6->dst_addr, snm, 13);
		memcpy(ip6->dst_addr + 13, target + 13, 3);
		eh->dst_addr.addr_bytes[0] = 0x33;
		eh->dst_addr.addr_bytes[1] = 0x33;
		memcpy(&eh->dst_addr.addr_bytes[2], ip6->dst_addr + 12, 4);
	}
	memset(icmp, 0, 32);
	icmp[0] = RT_ND_NS;
	memcpy(icmp + 8, target, 16);
	icmp[24] = RT_ND_OPT_SLLA;
	icmp[25] = 1;
	memcpy(icmp + 26, ifc->mac.addr_bytes, 6);
	*(rte_be16_t *)(icmp + 2) = rt_cksum_icmp6(ip6, icmp, 32);
	rt_emit(rt, w, m, ifi);
	w->counters[RT_C_NS_SENT]++;
}

/* A request for k: broadcast (dmac NULL) or a unicast probe. */
static void
rt_neigh_request(struct rt *rt, struct vnf_wctx *w, const struct rt_neigh_key *k,
		 const struct rte_ether_addr *dmac)
{
	static const struct rte_ether_addr bcast = {
		.addr_bytes = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
	static const struct rte_ether_addr zero;
	rte_be32_t tip, sip;

	if (k->family == AF_INET6) {
		rt_ns_send(rt, w, k->iface, k->ip, dmac);
		return;
	}
	memcpy(&tip, k->ip, 4);
	sip = rt_iface_src4(&rt->ifaces[k->iface], tip);
	if (sip == 0) {
		w->counters[RT_D_NO_SRC]++;
		return;
	}
	rt_arp_send(rt, w, k->iface, RTE_ARP_OP_REQUEST,
		    dmac != NULL ? dmac : &bcast, dmac != NULL ? dmac : &zero,
		    sip, tip);
}

/*
 * Worker: entry `pos` is not usable; send a broadcast request if one is
 * due.  Returns false when the neighbour is known to have failed recently
 * (packets for it are dropped rather than held).
 */
static bool
rt_neigh_solicit(struct rt *rt, struct vnf_wctx *w, const struct rt_neigh_key *k,
		 int32_t pos)
{
	_Atomic uint64_t *ew = &rt->neigh.words[pos];
	_Atomic uint32_t *es = &rt->neigh.stamps[pos];
	uint32_t now = rt_ticks(w->now);
	uint64_t old = atomic_load_explicit(ew, memory_order_acquire);
	int32_t age = nfv_tick_diff(
		now, atomic_load_explicit(es, memory_order_relaxed));
	unsigned int st = rt_nw_state(old), pr = rt_nw_probes(old);
	uint64_t nw;

	if (st == RT_NS_INCOMPLETE) {
		if (pr != 0 && age < (int32_t)rt->t_retrans)
			return true;
		if (pr >= RT_SOLICIT_MAX) {
			nw = rt_nw_make(0, RT_NS_FAILED, 0);
			if (atomic_compare_exchange_strong_explicit(
				    ew, &old, nw, memory_order_relaxed,
				    memory_order_relaxed))
				atomic_store_explicit(es, now,
						      memory_order_relaxed);
			return false;
		}
		nw = rt_nw_make(0, RT_NS_INCOMPLETE, pr + 1);
	} else if (st == RT_NS_FAILED) {
		if (age < (int32_t)rt->t_retrans)
			return false;
		nw = rt_nw_make(0, RT_NS_INCOMPLETE, 1);
	} else {
		return true; /* usable by now, or gone: the caller retries */
	}
	if (atomic_compare_exchange_strong_explicit(
		    ew, &old, nw, memory_order_relaxed, memory_order_relaxed)) {
		atomic_store_explicit(es, now, memory_order_relaxed);
		rt_neigh_request(rt, w, k, NULL);
	}
	return true;
}

void
rt_neigh_touch(struct rt *rt, struct vnf_wctx *w, const struct rt_neigh_key *k,
	       int32_t pos, uint64_t word)
{
	_Atomic uint64_t *ew = &rt->neigh.words[pos];
	_Atomic uint32_t *es = &rt->neigh.stamps[pos];
	uint32_t now = rt_ticks(w->now);
	unsigned int st = rt_nw_state(word), pr = rt_nw_probes(word);
	struct rte_ether_addr mac;
	uint64_t nw;

	if (st == RT_NS_STALE) {
		nw = rt_nw_make(word, RT_NS_PROBE, 1);
	} else if (st == RT_NS_PROBE) {
		if (nfv_tick_diff(now, atomic_load_explicit(
					       es, memory_order_relaxed)) <
		    (int32_t)rt->t_retrans)
			return;
		nw = pr >= RT_SOLICIT_MAX ? rt_nw_make(0, RT_NS_FAILED, 0) :
					    rt_nw_make(word, RT_NS_PROBE, pr + 1);
	} else {
		return;
	}
	if (!atomic_compare_exchange_strong_explicit(
		    ew, &word, nw, memory_order_relaxed, memory_order_relaxed))
		return;
	atomic_store_explicit(es, now, memory_order_relaxed);
	if (rt_nw_state(nw) == RT_NS_PROBE) {
		rt_word_mac(word, &mac);
		rt_neigh_request(rt, w, k, &mac);
	}
}

void
rt_neigh_learn(struct rt *rt, struct vnf_wctx *w, const struct rt_neigh_key *k,
	       const struct rte_ether_addr *mac, bool solicited, bool create,
	       bool override)
{
	struct lf_table *t = &rt->neigh;
	uint32_t now = rt_ticks(w->now);
	uint64_t macw = rt_mac_word(mac), old, nw;
	unsigned int st, ns;
	int32_t p;
	int tries;

	if (rte_is_multicast_ether_addr(mac) || rte_is_zero_ether_addr(mac))
		return;
	for (tries = 0; tries < 4; tries++) {
		p = rt_neigh_lookup(rt, k);
		old = p >= 0 ? atomic_load_explicit(&t->words[p],
						    memory_order_acquire)
			     : 0;
		if (old == 0) {
			/* Unknown (or being deleted): only when asked. */
			if (!create)
				return;
			nw = rt_nw_make(macw, RT_NS_STALE, 0);
			p = rt_neigh_create(rt, k, nw, now);
			if (p == -EAGAIN)
				continue;
			if (p < 0) {
				w->counters[RT_D_NEIGH_FULL]++;
				return;
			}
			if (atomic_load_explicit(&t->words[p],
						 memory_order_relaxed) == nw) {
				w->counters[RT_C_NEIGH_LEARNED]++;
				atomic_fetch_add_explicit(&rt->resolved_gen, 1,
							  memory_order_relaxed);
				return;
			}
			continue; /* somebody else made it: update theirs */
		}
		st = rt_nw_state(old);
		if (st == RT_NS_STATIC)
			return;
		if (rt_nw_usable(old) && (old & RT_NW_MAC_MASK) != macw &&
		    !override)
			return;
		if (solicited)
			ns = RT_NS_REACHABLE;
		else if (rt_nw_usable(old) &&
			 (old & RT_NW_MAC_MASK) == macw)
			return; /* nothing new */
		else
			ns = RT_NS_STALE;
		nw = rt_nw_make(macw, ns, 0);
		if (nw == old)
			return;
		if (!atomic_compare_exchange_strong_explicit(
			    &t->words[p], &old, nw, memory_order_release,
			    memory_order_relaxed))
			continue;
		atomic_store_explicit(&t->stamps[p], now, memory_order_relaxed);
		if (!rt_nw_usable(old)) {
			w->counters[RT_C_NEIGH_LEARNED]++;
			atomic_fetch_add_explicit(&rt->resolved_gen, 1,
						  memory_order_relaxed);
		} else {
			w->counters[RT_C_NEIGH_UPDATED]++;
		}
		return;
	}
}

/* Worker: a solicited answer without a link-layer address: a usable,
 * learned entry is REACHABLE again.  False when there is none. */
static bool
rt_neigh_confirm(struct rt *rt, struct vnf_wctx *w, const struct rt_neigh_key *k)
{
	int32_t p = rt_neigh_lookup(rt, k);
	uint64_t old, nw;

	if (p < 0)
		return false;
	old = atomic_load_explicit(&rt->neigh.words[p], memory_order_acquire);
	if (!rt_nw_usable(old))
		return false;
	if (rt_nw_state(old) == RT_NS_STATIC)
		return true;
	nw = rt_nw_make(old, RT_NS_REACHABLE, 0);
	if (atomic_compare_exchange_strong_explicit(&rt->neigh.words[p], &old,
						    nw, memory_order_relaxed,
						    memory_order_relaxed))
		atomic_store_explicit(&rt->neigh.stamps[p], rt_ticks(w->now),
				      memory_order_relaxed);
	return true;
}

/* ---- held packets ------------------------------------------------------------ */

static struct rt_pending *
rt_pending_get(struct rt *rt, struct rt_worker *ws, const struct rt_neigh_key *k,
	       uint32_t now)
{
	struct rt_pending *free_slot = NULL;
	unsigned int i;

	for (i = 0; i < RT_PENDING_MAX; i++) {
		struct rt_pending *p = &ws->pending[i];

		if (p->key.family == 0) {
			if (free_slot == NULL)
				free_slot = p;
			continue;
		}
		if (memcmp(&p->key, k, sizeof(*k)) == 0)
			return p;
	}
	if (free_slot == NULL)
		return NULL;
	free_slot->key = *k;
	free_slot->n = 0;
	free_slot->deadline = now + rt->t_retrans * RT_SOLICIT_MAX;
	if (ws->n_pending == 0 ||
	    nfv_tick_diff(free_slot->deadline, ws->next_scan) < 0)
		ws->next_scan = now + rt->t_retrans;
	ws->n_pending++;
	return free_slot;
}

static void
rt_pending_free(struct rt_worker *ws, struct rt_pending *p)
{
	memset(&p->key, 0, sizeof(p->key));
	p->n = 0;
	ws->n_pending--;
}

/* Tell the sender of m (which the caller frees) that k did not answer. */
static void
rt_neigh_unreachable(struct rt *rt, struct vnf_wctx *w, struct rte_mbuf *m,
		     uint8_t family, uint16_t in)
{
	if (family == AF_INET)
		rt_icmp4_error(rt, w, m, in, RT_ICMP_DEST_UNREACH,
			       RT_ICMP_CODE_HOST, 0);
	else
		rt_icmp6_error(rt, w, m, in, RT_ICMP6_DEST_UNREACH,
			       RT_ICMP6_CODE_ADDR, 0);
}

/*
 * Send m to a neighbour whose entry word is usable: MACs written, or
 * fragmented when an IPv4 packet (DF clear, checked before) exceeds the
 * MTU.  Returns the iface, RT_NEXT_CONSUMED or a VNF_DROP().  A packet
 * that leaves (whole or in fragments) is counted as forwarded here, and
 * only here on the slow path: not when it is queued for resolution.
 */
static uint16_t
rt_neigh_send(struct rt *rt, struct vnf_wctx *w, struct rte_mbuf *m,
	      const struct rt_neigh_key *k, uint64_t word)
{
	const struct rt_iface *ifc = &rt->ifaces[k->iface];
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	const unsigned int fwd = k->family == AF_INET ? RT_C_FWD4 : RT_C_FWD6;
	struct rte_ether_addr mac;
	uint16_t nx;

	/* Held while the link went down. */
	if (unlikely(rt_iface_down(ifc)))
		return VNF_DROP(RT_D_IFACE_DOWN);
	rt_word_mac(word, &mac);
	if (k->family == AF_INET &&
	    m->pkt_len - RTE_ETHER_HDR_LEN > rt_iface_mtu(ifc)) {
		nx = rt_frag4_send(rt, w, m, k->iface, &mac);
		if (!VNF_NEXT_IS_DROP(nx))
			w->counters[fwd]++;
		return nx;
	}
	rte_ether_addr_copy(&mac, &eh->dst_addr);
	rte_ether_addr_copy(&ifc->mac, &eh->src_addr);
	w->counters[fwd]++;
	return k->iface;
}

uint16_t
rt_neigh_output_slow(struct rt *rt, struct vnf_wctx *w, struct rte_mbuf *m,
		     const struct rt_neigh_key *k, int32_t pos, uint16_t in)
{
	struct rt_worker *ws = w->state;
	uint32_t now = rt_ticks(w->now);
	struct rt_pending *p;
	uint64_t word;
	int tries;

	for (tries = 0; tries < 4; tries++) {
		if (pos < 0)
			pos = rt_neigh_lookup(rt, k);
		word = pos >= 0 ? atomic_load_explicit(&rt->neigh.words[pos],
						       memory_order_acquire)
				: 0;
		if (word == 0) {
			pos = rt_neigh_create(rt, k,
					      rt_nw_make(0, RT_NS_INCOMPLETE, 0),
					      now);
			if (pos == -EAGAIN) {
				pos = -1;
				continue;
			}
			if (pos < 0)
				return VNF_DROP(RT_D_NEIGH_FULL);
			continue;
		}
		if (rt_nw_usable(word)) {
			if (rt_nw_state(word) != RT_NS_REACHABLE &&
			    rt_nw_state(word) != RT_NS_STATIC)
				rt_neigh_touch(rt, w, k, pos, word);
			return rt_neigh_send(rt, w, m, k, word);
		}
		break;
	}
	if (pos < 0)
		return VNF_DROP(RT_D_NEIGH_FULL);
	if (!rt_neigh_solicit(rt, w, k, pos)) {
		rt_neigh_unreachable(rt, w, m, k->family, in);
		return VNF_DROP(RT_D_NEIGH_TIMEOUT);
	}
	p = rt_pending_get(rt, ws, k, now);
	if (p == NULL)
		return VNF_DROP(RT_D_NEIGH_PENDING);
	if (p->n >= RT_PENDING_QLEN)
		return VNF_DROP(RT_D_NEIGH_QFULL);
	/* Where it came from, for an ICMP error if resolution fails. */
	m->hash.usr = in;
	p->pkts[p->n++] = m;
	/* Held: its fate is counted when it leaves the queue. */
	w->counters[RT_G_HELD]++;
	w->counters[RT_C_QUEUED]++;
	return RT_NEXT_CONSUMED;
}

void
rt_neigh_pending_run(struct rt *rt, struct vnf_wctx *w)
{
	struct rt_worker *ws = w->state;
	uint32_t now, gen, next;
	unsigned int i, j, sent;

	if (likely(ws->n_pending == 0))
		return;
	now = rt_ticks(w->now);
	gen = atomic_load_explicit(&rt->resolved_gen, memory_order_relaxed);
	if (gen == ws->seen_gen && nfv_tick_diff(now, ws->next_scan) < 0)
		return;
	ws->seen_gen = gen;
	next = now + rt->t_retrans;

	for (i = 0; i < RT_PENDING_MAX && ws->n_pending != 0; i++) {
		struct rt_pending *p = &ws->pending[i];
		int32_t pos;
		uint64_t word;

		if (p->key.family == 0)
			continue;
		pos = rt_neigh_lookup(rt, &p->key);
		word = pos >= 0 ? atomic_load_explicit(&rt->neigh.words[pos],
						       memory_order_acquire)
				: 0;
		if (rt_nw_usable(word)) {
			for (sent = 0; sent < p->n; sent++) {
				struct rte_mbuf *m = p->pkts[sent];
				uint16_t nx;

				if (w->emit->n >= VNF_EMIT_MAX)
					break; /* the rest on the next call */
				/* Out of the queue: its fate is counted now
				 * (forwarded by rt_neigh_send, or a drop). */
				w->counters[RT_G_HELD]--;
				w->counters[RT_C_RELEASED]++;
				nx = rt_neigh_send(rt, w, m, &p->key, word);
				if (VNF_NEXT_IS_DROP(nx)) {
					w->counters[VNF_NEXT_COUNTER(nx)]++;
					rte_pktmbuf_free(m);
					continue;
				}
				/* Room was checked above; a fragmented
				 * packet was emitted already. */
				if (nx != RT_NEXT_CONSUMED &&
				    unlikely(vnf_emit(w, m, nx) != 0)) {
					rte_pktmbuf_free(m);
					w->counters[RT_D_EMIT_FULL]++;
				}
			}
			if (sent == p->n) {
				rt_pending_free(ws, p);
			} else {
				for (j = sent; j < p->n; j++)
					p->pkts[j - sent] = p->pkts[j];
				p->n = (uint16_t)(p->n - sent);
				ws->seen_gen = gen - 1; /* come back */
			}
			continue;
		}
		if (nfv_tick_diff(now, p->deadline) >= 0 || pos < 0 ||
		    rt_nw_state(word) == RT_NS_FAILED ||
		    (rt_nw_state(word) == RT_NS_INCOMPLETE &&
		     !rt_neigh_solicit(rt, w, &p->key, pos))) {
			for (j = 0; j < p->n; j++) {
				struct rte_mbuf *m = p->pkts[j];

				rt_neigh_unreachable(rt, w, m, p->key.family,
						     (uint16_t)m->hash.usr);
				rte_pktmbuf_free(m);
				w->counters[RT_G_HELD]--;
				w->counters[RT_D_NEIGH_TIMEOUT]++;
			}
			rt_pending_free(ws, p);
			continue;
		}
		if (nfv_tick_diff(p->deadline, next) < 0)
			next = p->deadline;
	}
	ws->next_scan = next;
}

void
rt_neigh_pending_flush(struct rt *rt, struct rt_worker *ws)
{
	unsigned int i, j;

	RTE_SET_USED(rt);
	for (i = 0; i < RT_PENDING_MAX; i++) {
		struct rt_pending *p = &ws->pending[i];

		if (p->key.family == 0)
			continue;
		for (j = 0; j < p->n; j++)
			rte_pktmbuf_free(p->pkts[j]);
		memset(&p->key, 0, sizeof(p->key));
		p->n = 0;
	}
	ws->n_pending = 0;
}

/* ---- ARP ------------------------------------------------------------------ */

/* Is addr in one of ifc's IPv4 subnets? */
static bool
rt_iface_onlink4(const struct rt_iface *ifc, rte_be32_t addr)
{
	const struct rt_addrs *a = rt_iface_addrs(ifc);
	unsigned int i;

	for (i = 0; i < a->n4; i++)
		if (((addr ^ a->v4[i].addr) & a->v4[i].mask) == 0)
			return true;
	return false;
}

uint16_t
rt_arp_input(struct rt *rt, struct vnf_wctx *w, struct rte_mbuf *m, uint16_t in)
{
	const struct rt_iface *ifc = &rt->ifaces[in];
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_arp_hdr *ah = (struct rte_arp_hdr *)(eh + 1);
	struct rte_arp_ipv4 *ad = &ah->arp_data;
	struct rt_neigh_key k;
	rte_be32_t sip, tip;
	uint16_t op;
	bool ours, garp;

	if (m->data_len < sizeof(*eh) + sizeof(*ah) ||
	    ah->arp_hardware != rte_cpu_to_be_16(RTE_ARP_HRD_ETHER) ||
	    ah->arp_protocol != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) ||
	    ah->arp_hlen != RTE_ETHER_ADDR_LEN || ah->arp_plen != 4)
		return VNF_DROP(RT_D_ARP_BAD);
	op = rte_be_to_cpu_16(ah->arp_opcode);
	sip = ad->arp_sip;
	tip = ad->arp_tip;
	if (rte_is_multicast_ether_addr(&ad->arp_sha))
		return VNF_DROP(RT_D_ARP_BAD);
	ours = rt_iface_has4(ifc, tip);
	garp = sip == tip && sip != 0;

	memset(&k, 0, sizeof(k));
	memcpy(k.ip, &sip, 4);
	k.iface = in;
	k.family = AF_INET;

	if (op == RTE_ARP_OP_REQUEST) {
		if (!ours) {
			if (garp && rt_iface_onlink4(ifc, sip))
				rt_neigh_learn(rt, w, &k, &ad->arp_sha, false,
					       false, true);
			return garp ? VNF_DROP(RT_C_ARP_IN) :
				      VNF_DROP(RT_D_ARP_IGNORED);
		}
		/* The requester will talk to us: remember it (STALE). */
		if (sip != 0 && rt_iface_onlink4(ifc, sip))
			rt_neigh_learn(rt, w, &k, &ad->arp_sha, false, true,
				       true);
		/* Twins attached: the kernel answers for its addresses. */
		if (rt_twin_on(rt, in))
			return rt_punt(rt, w, m, in);
		/* The reply, in place: 42 bytes like Linux sends. */
		ah->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REPLY);
		rte_ether_addr_copy(&ad->arp_sha, &ad->arp_tha);
		ad->arp_tip = sip;
		rte_ether_addr_copy(&ifc->mac, &ad->arp_sha);
		ad->arp_sip = tip;
		rte_ether_addr_copy(&eh->src_addr, &eh->dst_addr);
		rte_ether_addr_copy(&ifc->mac, &eh->src_addr);
		if (m->pkt_len > sizeof(*eh) + sizeof(*ah))
			rte_pktmbuf_trim(m, (uint16_t)(m->pkt_len - sizeof(*eh) -
						       sizeof(*ah)));
		w->counters[RT_C_ARP_REPLIES]++;
		return in;
	}
	if (op == RTE_ARP_OP_REPLY && (ours || garp) &&
	    rt_iface_onlink4(ifc, sip)) {
		rt_neigh_learn(rt, w, &k, &ad->arp_sha, ours && !garp, false,
			       true);
		/* Twins attached: the kernel gets the reply too, the frame
		 * itself: the router is done with it. */
		if (ours && rt_twin_on(rt, in))
			return rt_punt(rt, w, m, in);
		return VNF_DROP(RT_C_ARP_IN);
	}
	return VNF_DROP(RT_D_ARP_IGNORED);
}

/* ---- ND ------------------------------------------------------------------- */

/* The link-layer address option of type `type` in ND options, or NULL;
 * -1 in *bad when the options are malformed. */
static const uint8_t *
rt_nd_opt(const uint8_t *opt, uint32_t len, uint8_t type, bool *bad)
{
	const uint8_t *found = NULL;

	*bad = false;
	while (len >= 2) {
		uint32_t olen = (uint32_t)opt[1] * 8;

		if (olen == 0 || olen > len) {
			*bad = true;
			return NULL;
		}
		if (opt[0] == type && olen == 8 && found == NULL)
			found = opt + 2;
		opt += olen;
		len -= olen;
	}
	return found;
}

static bool
rt_ip6_is_unspec(const uint8_t *a)
{
	static const uint8_t z[16];

	return memcmp(a, z, 16) == 0;
}

uint16_t
rt_nd_input(struct rt *rt, struct vnf_wctx *w, struct rte_mbuf *m, uint16_t in,
	    struct rte_ipv6_hdr *ip6, uint32_t l4len)
{
	const struct rt_iface *ifc = &rt->ifaces[in];
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	uint8_t *icmp = (uint8_t *)(ip6 + 1);
	const uint8_t *target = icmp + 8, *lla;
	struct rt_neigh_key k;
	struct rte_ether_addr mac;
	bool bad, dad;
	uint8_t flags;

	/* RFC 4861 7.1.1/7.1.2: hop limit 255, code 0, length, checksum. */
	if (ip6->hop_limits != 255 || l4len < 24 || icmp[1] != 0 ||
	    rt_cksum_icmp6(ip6, icmp, l4len) != 0 || target[0] == 0xff)
		return VNF_DROP(RT_D_ND_BAD);
	memset(&k, 0, sizeof(k));
	k.iface = in;
	k.family = AF_INET6;

	if (icmp[0] == RT_ND_NS) {
		dad = rt_ip6_is_unspec(ip6->src_addr);
		lla = rt_nd_opt(icmp + 24, l4len - 24, RT_ND_OPT_SLLA, &bad);
		if (bad || (dad && lla != NULL))
			return VNF_DROP(RT_D_ND_BAD);
		if (!rt_iface_has6(ifc, target))
			return VNF_DROP(RT_D_ND_IGNORED);
		if (!dad && lla != NULL) {
			memcpy(k.ip, ip6->src_addr, 16);
			memcpy(mac.addr_bytes, lla, 6);
			rt_neigh_learn(rt, w, &k, &mac, false, true, true);
		}
		/* Twins attached: the kernel answers (DAD included). */
		if (rt_twin_on(rt, in))
			return rt_punt(rt, w, m, in);
		/* The advertisement, in place. */
		if (lla != NULL)
			memcpy(eh->dst_addr.addr_bytes, lla, 6);
		else
			rte_ether_addr_copy(&eh->src_addr, &eh->dst_addr);
		rte_ether_addr_copy(&ifc->mac, &eh->src_addr);
		if (dad) {
			static const uint8_t all_nodes[16] = {0xff, 0x02, [15] = 1};

			memcpy(ip6->dst_addr, all_nodes, 16);
			eh->dst_addr = (struct rte_ether_addr){
				.addr_bytes = {0x33, 0x33, 0, 0, 0, 1}};
		} else {
			memcpy(ip6->dst_addr, ip6->src_addr, 16);
		}
		memmove(ip6->src_addr, target, 16);
		ip6->vtc_flow = rte_cpu_to_be_32(6u << 28);
		ip6->payload_len = rte_cpu_to_be_16(32);
		ip6->hop_limits = 255;
		icmp[0] = RT_ND_NA;
		icmp[1] = 0;
		icmp[4] = RT_NA_F_ROUTER | (dad ? 0 : RT_NA_F_SOLICITED) |
			  RT_NA_F_OVERRIDE;
		icmp[5] = icmp[6] = icmp[7] = 0;
		icmp[24] = RT_ND_OPT_TLLA;
		icmp[25] = 1;
		memcpy(icmp + 26, ifc->mac.addr_bytes, 6);
		icmp[2] = icmp[3] = 0;
		*(rte_be16_t *)(icmp + 2) = rt_cksum_icmp6(ip6, icmp, 32);
		if (m->pkt_len > 14 + 40 + 32)
			rte_pktmbuf_trim(m, (uint16_t)(m->pkt_len - (14 + 40 + 32)));
		w->counters[RT_C_NA_SENT]++;
		return in;
	}
	if (icmp[0] == RT_ND_NA) {
		flags = icmp[4];
		if ((flags & RT_NA_F_SOLICITED) && ip6->dst_addr[0] == 0xff)
			return VNF_DROP(RT_D_ND_BAD);
		lla = rt_nd_opt(icmp + 24, l4len - 24, RT_ND_OPT_TLLA, &bad);
		if (bad)
			return VNF_DROP(RT_D_ND_BAD);
		memcpy(k.ip, target, 16);
		if (lla == NULL) {
			/* Linux answers a unicast NS (our probe) without the
			 * option: it confirms the MAC we have (RFC 4861
			 * 7.2.5). */
			if (!(flags & RT_NA_F_SOLICITED) ||
			    !rt_neigh_confirm(rt, w, &k))
				return VNF_DROP(RT_D_ND_IGNORED);
		} else {
			memcpy(mac.addr_bytes, lla, 6);
			rt_neigh_learn(rt, w, &k, &mac,
				       (flags & RT_NA_F_SOLICITED) != 0, false,
				       (flags & RT_NA_F_OVERRIDE) != 0);
		}
		/* Twins attached: learned from; the kernel gets it too. */
		if (rt_twin_on(rt, in))
			return rt_punt(rt, w, m, in);
		return VNF_DROP(RT_C_ND_IN);
	}
	return VNF_DROP(RT_D_ND_IGNORED);
}

/* ---- kernel neighbours (router.h, the kernel mirror) ------------------------ */

static struct rt *
rt_kneigh_rt(struct vnf_instance *vi)
{
	return vnf_router_is(vi) ? vi->priv : NULL;
}

static int
rt_kneigh_key(const struct rt *rt, uint16_t iface, uint8_t family,
	      const uint8_t *ip, struct rt_neigh_key *k)
{
	if (rt == NULL || iface >= rt->n_ifaces || ip == NULL ||
	    (family != AF_INET && family != AF_INET6))
		return -EINVAL;
	memset(k, 0, sizeof(*k));
	memcpy(k->ip, ip, family == AF_INET ? 4 : 16);
	k->iface = iface;
	k->family = family;
	return 0;
}

/*
 * Control thread: the kernel forgot the neighbour at pos.  A permanent
 * one loses its pin; an entry nobody refers to goes, one that next hops
 * use becomes INCOMPLETE (the router resolves it again on use).
 */
static void
rt_kneigh_forget(struct rt *rt, uint32_t pos)
{
	_Atomic uint64_t *ew = &rt->neigh.words[pos];
	uint64_t old;

	if (rt->neigh_origin[pos] == RT_NO_KERNEL_PERM)
		rt_neigh_unref(rt, (int32_t)pos);
	rt->neigh_origin[pos] = RT_NO_LEARNED;
	if (rt->neigh_refs[pos] == 0 && rt_neigh_del_pos(rt, pos))
		return;
	old = atomic_load_explicit(ew, memory_order_relaxed);
	while (old != 0 &&
	       !atomic_compare_exchange_weak_explicit(
		       ew, &old, rt_nw_make(0, RT_NS_INCOMPLETE, 0),
		       memory_order_relaxed, memory_order_relaxed))
		;
	atomic_store_explicit(&rt->neigh.stamps[pos], rt_ticks(rte_rdtsc()),
			      memory_order_relaxed);
}

int
vnf_router_kneigh_set(struct vnf_instance *vi, uint16_t iface, uint8_t family,
		      const uint8_t *ip, const uint8_t mac[6], bool permanent)
{
	struct rt *rt = rt_kneigh_rt(vi);
	struct rte_ether_addr a;
	struct rt_neigh_key k;
	uint64_t nw;
	bool pinned;
	int32_t p;
	int rc;

	rc = rt_kneigh_key(rt, iface, family, ip, &k);
	if (rc < 0)
		return rc;
	memcpy(a.addr_bytes, mac, 6);
	if (rte_is_multicast_ether_addr(&a) || rte_is_zero_ether_addr(&a))
		return -EINVAL;
	/* A reference while we work on it (made INCOMPLETE if new). */
	rc = rt_neigh_ref(rt, &k, &p);
	if (rc < 0)
		return rc;
	pinned = rt->neigh_origin[p] == RT_NO_KERNEL_PERM;
	if (rt->neigh_origin[p] == RT_NO_CONFIG) {
		/* The config's static entry wins over the kernel. */
		rt_neigh_unref(rt, p);
		return 0;
	}
	nw = rt_nw_make(rt_mac_word(&a), permanent ? RT_NS_STATIC :
						     RT_NS_REACHABLE, 0);
	rt_neigh_set_word(rt, p, nw);
	/* A permanent entry keeps one reference, its pin (so that nothing
	 * removes it); the others are aged like learned entries. */
	if (!permanent || pinned)
		rt_neigh_unref(rt, p); /* this call's */
	if (!permanent && pinned)
		rt_neigh_unref(rt, p); /* the old pin */
	rt->neigh_origin[p] = permanent ? RT_NO_KERNEL_PERM : RT_NO_KERNEL;
	rt->neigh_kgen[p] = rt->kneigh_gen;
	return 0;
}

int
vnf_router_kneigh_del(struct vnf_instance *vi, uint16_t iface, uint8_t family,
		      const uint8_t *ip)
{
	struct rt *rt = rt_kneigh_rt(vi);
	struct rt_neigh_key k;
	int32_t p;
	int rc;

	rc = rt_kneigh_key(rt, iface, family, ip, &k);
	if (rc < 0)
		return rc;
	p = rt_neigh_lookup(rt, &k);
	if (p < 0 || atomic_load_explicit(&rt->neigh.words[p],
					  memory_order_relaxed) == 0)
		return 0;
	if (rt->neigh_origin[p] == RT_NO_CONFIG)
		return 0;
	rt_kneigh_forget(rt, (uint32_t)p);
	return 0;
}

struct rt_svi_walk {
	struct rt *rt;
	void (*fn)(uint16_t iface, uint8_t family, const uint8_t *ip,
		   const uint8_t mac[6], void *arg);
	void *arg;
};

static void
rt_svi_neigh_one(const struct rt_neigh_key *k, uint64_t word, uint32_t stamp,
		 void *arg)
{
	const struct rt_svi_walk *a = arg;
	uint8_t mac[8];
	int32_t pos;

	(void)stamp;
	if (k->iface >= a->rt->n_ifaces ||
	    a->rt->ifaces[k->iface].svi[0] == '\0' || !rt_nw_usable(word) ||
	    rt_nw_state(word) == RT_NS_STATIC)
		return;
	pos = rt_neigh_lookup(a->rt, k);
	if (pos < 0 || a->rt->neigh_origin == NULL ||
	    a->rt->neigh_origin[pos] != RT_NO_LEARNED)
		return;
	memcpy(mac, &word, sizeof(mac)); /* the MAC as it lies in memory */
	a->fn(k->iface, k->family, k->ip, mac, a->arg);
}

void
vnf_router_svi_neighs(struct vnf_instance *vi,
		      void (*fn)(uint16_t iface, uint8_t family,
				 const uint8_t *ip, const uint8_t mac[6],
				 void *arg),
		      void *arg)
{
	struct rt_svi_walk a = {.rt = rt_kneigh_rt(vi), .fn = fn, .arg = arg};

	if (a.rt != NULL)
		rt_neigh_walk(a.rt, rt_svi_neigh_one, &a);
}

void
vnf_router_kneigh_mark(struct vnf_instance *vi)
{
	struct rt *rt = rt_kneigh_rt(vi);

	if (rt != NULL)
		rt->kneigh_gen++;
}

int
vnf_router_kneigh_sweep(struct vnf_instance *vi, unsigned int *removed)
{
	struct rt *rt = rt_kneigh_rt(vi);
	unsigned int n = 0;
	uint32_t pos, end;

	if (rt == NULL)
		return -EINVAL;
	end = lf_table_used(&rt->neigh);
	for (pos = 0; pos < end; pos++) {
		uint8_t o = rt->neigh_origin[pos];

		if ((o != RT_NO_KERNEL && o != RT_NO_KERNEL_PERM) ||
		    rt->neigh_kgen[pos] == rt->kneigh_gen)
			continue;
		rt_kneigh_forget(rt, pos);
		n++;
	}
	if (removed != NULL)
		*removed = n;
	return 0;
}
