/* SPDX-License-Identifier: BSD-3-Clause
 *
 * conn.h - the firewall's connection table, worker side.
 *
 * A lock-free table (vnf/lib/lf_table.h) maps a canonical 5-tuple (struct
 * fw_conn_key) to a position; its word there holds the connection's state,
 * direction and last-seen time, which workers update with
 * compare-and-swap.  A lookup and a state change take no lock; inserting a
 * new connection goes through rte_hash's writer path (its internal lock,
 * once per connection, never per packet).  Positions of deleted keys are
 * reused only after an RCU grace period, so a worker holding a position
 * never sees it taken by another connection.
 *
 * The control thread ages entries out (conn.c): it first claims an expired
 * word by swapping it to 0, then deletes the key.  A worker that finds a
 * word 0 or expired treats the packet as not tracked.
 */
#ifndef NFV_FIREWALL_CONN_H
#define NFV_FIREWALL_CONN_H

#include <rte_tcp.h>

#include "vnf/firewall/fw_priv.h"

#define FW_W_FLAGS (FW_W_FIN_ORIG | FW_W_FIN_REPLY | FW_W_LASTFIN_REPLY)

/* What a packet does to a connection, by its TCP flags (PSH, URG, ECE and
 * CWR do not matter).  The valid combinations are Linux's. */
enum fw_tcp_ev {
	FW_TE_SYN,
	FW_TE_SYNACK,
	FW_TE_FIN,
	FW_TE_ACK,
	FW_TE_RST,
	FW_TE_INVALID,
};

static inline unsigned int
fw_tcp_event(uint8_t flags)
{
	switch (flags & (RTE_TCP_FIN_FLAG | RTE_TCP_SYN_FLAG |
			 RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG)) {
	case RTE_TCP_SYN_FLAG:
		return FW_TE_SYN;
	case RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG:
		return FW_TE_SYNACK;
	case RTE_TCP_RST_FLAG:
	case RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG:
		return FW_TE_RST;
	case RTE_TCP_FIN_FLAG | RTE_TCP_ACK_FLAG:
		return FW_TE_FIN;
	case RTE_TCP_ACK_FLAG:
		return FW_TE_ACK;
	default:
		return FW_TE_INVALID;
	}
}

/*
 * The TCP state machine: the state and flags after a packet with event ev
 * travelling in direction `reply` (false: from the originator).  Returns
 * false for a packet that does not fit the connection (it is dropped).  No
 * sequence numbers are checked; a packet that Linux would "ignore" (a
 * SYN on an established connection) passes and changes nothing.
 */
static inline bool
fw_tcp_step(uint8_t *st, uint64_t *fl, bool reply, unsigned int ev)
{
	uint64_t fin_me = reply ? FW_W_FIN_REPLY : FW_W_FIN_ORIG;
	uint64_t fin_other = reply ? FW_W_FIN_ORIG : FW_W_FIN_REPLY;
	uint8_t s = *st;

	switch (ev) {
	case FW_TE_RST:
		*st = FW_ST_CLOSE;
		return true;
	case FW_TE_SYN:
		if (reply) {
			/* Simultaneous open. */
			if (s != FW_ST_SYN_SENT)
				return false;
			*st = FW_ST_SYN_RECV;
			return true;
		}
		if (s == FW_ST_TIME_WAIT || s == FW_ST_CLOSE) {
			/* The originator reuses the ports: a new connection. */
			*st = FW_ST_SYN_SENT;
			*fl &= ~FW_W_FLAGS;
		}
		return true;
	case FW_TE_SYNACK:
		if (!reply)
			return s == FW_ST_SYN_RECV;
		if (s == FW_ST_SYN_SENT)
			*st = FW_ST_SYN_RECV;
		return s == FW_ST_SYN_SENT || s == FW_ST_SYN_RECV ||
		       s == FW_ST_ESTABLISHED;
	case FW_TE_FIN:
		switch (s) {
		case FW_ST_SYN_SENT:
			return false;
		case FW_ST_SYN_RECV:
		case FW_ST_ESTABLISHED:
			*st = FW_ST_FIN_WAIT;
			*fl |= fin_me;
			return true;
		case FW_ST_FIN_WAIT:
		case FW_ST_CLOSE_WAIT:
			if ((*fl & fin_other) && !(*fl & fin_me)) {
				*st = FW_ST_LAST_ACK;
				*fl |= fin_me;
				if (reply)
					*fl |= FW_W_LASTFIN_REPLY;
			}
			return true;
		default:
			return true;
		}
	case FW_TE_ACK:
		switch (s) {
		case FW_ST_SYN_SENT:
			return false;
		case FW_ST_SYN_RECV:
			if (reply)
				return false;
			*st = FW_ST_ESTABLISHED;
			return true;
		case FW_ST_FIN_WAIT:
			/* The other side acknowledges the first FIN. */
			if (!(*fl & fin_me))
				*st = FW_ST_CLOSE_WAIT;
			return true;
		case FW_ST_LAST_ACK:
			/* The last FIN acknowledged. */
			if (reply != ((*fl & FW_W_LASTFIN_REPLY) != 0))
				*st = FW_ST_TIME_WAIT;
			return true;
		default:
			return true;
		}
	default:
		return false;
	}
}

enum fw_ct_res {
	FW_CT_MISS,    /* not part of a tracked connection */
	FW_CT_PASS,    /* part of one: it passes */
	FW_CT_INVALID, /* part of one, but does not fit its TCP state */
};

static inline bool
fw_ct_expired(const struct fw_ct *ct, uint64_t w, uint32_t t)
{
	return nfv_tick_diff(t, fw_w_seen(w)) > (int32_t)ct->tmo[fw_w_state(w)];
}

/*
 * Worker: run packet pk, which came in by `in` at time t, against the
 * connection at position pos.  The entry must be valid and fresh, and the
 * packet must come in by the iface of its direction (the originator's
 * iface, or its peer for replies); then the state moves on.  The word is
 * written only when the state changes or its time stamp is more than
 * ct->refresh old, so a busy connection costs one load per packet.
 * On a pass, *kept is the word when the pass left it as it was, else 0: the
 * step is a function of the word, pk's parse, in, t and the connection
 * settings, so another packet that parses as pk, comes in by `in` at t
 * and finds that same word passes without a write too (fw_fast_lane()).
 */
static inline int
fw_ct_step_kept(const struct fw *fw, struct fw_ct *ct, int32_t pos,
		const struct fw_pkt *pk, uint16_t in, uint32_t t,
		uint64_t *kept)
{
	unsigned int tries;

	for (tries = 0; tries < 4; tries++) {
		uint64_t w = atomic_load_explicit(&ct->tab.words[pos],
						  memory_order_relaxed);
		uint64_t fl = w & FW_W_FLAGS, nw;
		uint8_t st, nst;
		uint16_t oif;
		bool reply;

		if (!(w & FW_W_VALID) || fw_ct_expired(ct, w, t))
			return FW_CT_MISS;
		st = fw_w_state(w);
		reply = pk->src_lo != ((w & FW_W_ORIG_LO) != 0);
		oif = fw_w_iface(w);
		if (in != (reply ? fw_peer(fw, oif) : oif))
			return FW_CT_MISS;
		if (pk->ct == FW_CTK_RELATED) {
			*kept = 0;
			return FW_CT_PASS;
		}
		nst = st;
		switch (pk->proto) {
		case IPPROTO_TCP:
			if (!fw_tcp_step(&nst, &fl, reply,
					 fw_tcp_event(pk->tcp_flags)))
				return FW_CT_INVALID;
			break;
		case IPPROTO_ICMP:
		case IPPROTO_ICMPV6: {
			/* Requests one way, replies the other. */
			bool v4 = pk->proto == IPPROTO_ICMP;
			uint8_t want = reply ? (v4 ? FW_ICMP4_ECHO_REPLY
						   : FW_ICMP6_ECHO_REPLY)
					     : (v4 ? FW_ICMP4_ECHO_REQUEST
						   : FW_ICMP6_ECHO_REQUEST);

			if (pk->icmp_type != want)
				return FW_CT_MISS;
			if (reply)
				nst = FW_ST_ICMP_REPLIED;
			break;
		}
		default:
			if (reply &&
			    (st == FW_ST_UDP_NEW || st == FW_ST_GEN_NEW))
				nst = st + 1; /* the *_REPLIED state */
			break;
		}
		if (nst == st && fl == (w & FW_W_FLAGS) &&
		    nfv_tick_diff(t, fw_w_seen(w)) < (int32_t)ct->refresh) {
			*kept = w;
			return FW_CT_PASS;
		}
		nw = (w & ~(UINT64_C(0xff) | FW_W_FLAGS | (UINT64_MAX << 32))) |
		     nst | fl | ((uint64_t)t << 32);
		/* Relaxed: the word is the whole state; nothing else is
		 * published with it. */
		if (atomic_compare_exchange_strong_explicit(
			    &ct->tab.words[pos], &w, nw, memory_order_relaxed,
			    memory_order_relaxed))
			break;
	}
	/* Written (or other workers keep changing it: the connection is
	 * alive). */
	*kept = 0;
	return FW_CT_PASS;
}

static inline int
fw_ct_step(const struct fw *fw, struct fw_ct *ct, int32_t pos,
	   const struct fw_pkt *pk, uint16_t in, uint32_t t)
{
	uint64_t kept;

	return fw_ct_step_kept(fw, ct, pos, pk, in, t, &kept);
}

/*
 * The workers' position caches (struct fw_emc).  A position is reused only
 * after its key's delete and a grace period; what a cache must never do is
 * hand out a position that has since gone to another key.  The control
 * thread makes fw_ct.gen odd before it deletes keys (ageing, flush: a rule
 * change does not delete connections) and even again after, with a
 * release; a worker loads it with acquire at the start of each burst, and
 * uses or fills its cache only while it is even, and only a slot filled
 * under that same value.  Why that is safe, for a slot (key K, position P,
 * generation g) and a delete of K:
 *  - the worker read g before the odd store became visible to it.  P goes
 *    back to rte_hash only after the grace period that rte_hash_del_key()
 *    starts (a release increment of the QSBR token) after the odd store.
 *    A worker's quiescent report loads that token with acquire, so once
 *    it has reported the new token every later load of gen sees at least
 *    the odd value and the slot is dead; before that report P cannot be
 *    reused.  P's word may be 0 or expired meanwhile: fw_ct_step() then
 *    says MISS, as for a delete that comes between a lookup and a step.
 *  - the worker read the even value stored after the delete: its acquire
 *    pairs with that release, so its lookup no longer finds K and nothing
 *    about K is filled under that value.
 * Adding keys changes no position, so it needs no generation.
 */
static inline struct fw_emc *
fw_emc_slot(struct fw_wstate *ws, const struct fw_conn_key *k)
{
	/* Both addresses, the ports, protocol and zone; the halves rotated
	 * so that lo and hi do not cancel out. */
	uint64_t h = k->w[0] ^ ((k->w[2] << 32) | (k->w[2] >> 32)) ^ k->w[4] ^
		     k->w[1] ^ ((k->w[3] << 16) | (k->w[3] >> 48));

	return &ws->emc[(h * UINT64_C(0x9e3779b97f4a7c15)) >>
			(64 - FW_EMC_BITS)];
}

/* Worker: pos[i] is the position of keys[i] or < 0, from the worker's
 * cache or else the table; nk <= VNF_BURST_MAX. */
static inline void
fw_ct_lookup(struct fw_ct *ct, struct fw_wstate *ws,
	     const struct fw_conn_key **keys, unsigned int nk, int32_t *pos)
{
	const struct fw_conn_key *mkeys[VNF_BURST_MAX];
	struct fw_emc *slot[VNF_BURST_MAX];
	int32_t mpos[VNF_BURST_MAX];
	uint8_t midx[VNF_BURST_MAX];
	/* Acquire: pairs with the release in fw_ct_del_end(). */
	uint32_t gen = atomic_load_explicit(&ct->gen, memory_order_acquire);
	unsigned int i, j, nm = 0;

	if (unlikely(gen & 1)) {
		/* Deletes under way: neither use nor fill the cache. */
		lf_table_lookup_bulk(&ct->tab, (const void **)keys, nk, pos);
		return;
	}
	for (i = 0; i < nk; i++) {
		struct fw_emc *e = fw_emc_slot(ws, keys[i]);

		if (e->gen == gen && fw_ck_equal(&e->key, keys[i])) {
			pos[i] = e->pos;
			continue;
		}
		slot[nm] = e;
		mkeys[nm] = keys[i];
		midx[nm++] = (uint8_t)i;
	}
	if (nm == 0)
		return;
	lf_table_lookup_bulk(&ct->tab, (const void **)mkeys, nm, mpos);
	for (j = 0; j < nm; j++) {
		pos[midx[j]] = mpos[j];
		if (mpos[j] < 0)
			continue; /* misses are not cached: they get entered */
		slot[j]->key = *mkeys[j];
		slot[j]->pos = mpos[j];
		slot[j]->gen = gen;
	}
}

/*
 * Worker: enter a new connection with word nw.  *pos is the key's position
 * from the lookup (< 0: not in the table) and is updated.  Returns 1 when
 * created, 0 when a live entry is there already (another packet or worker
 * was first: the caller runs fw_ct_step() on it), -ENOSPC when the table
 * is full.  (conn.c)
 */
int fw_ct_insert(struct fw_ct *ct, const struct fw_conn_key *k, int32_t *pos,
		 uint64_t nw, uint32_t t);

#endif /* NFV_FIREWALL_CONN_H */
