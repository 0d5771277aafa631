/* SPDX-License-Identifier: BSD-3-Clause
 *
 * l2switch.c - a learning Ethernet switch with VLANs.
 *
 * Per burst: classify each frame's VLAN (only when some iface has VLAN
 * config), build the (VLAN, MAC) keys, look up the distinct ones in one
 * rte_hash bulk call, learn the sources, then pick each frame's iface:
 * a known unicast goes to its iface, everything else is flooded to every
 * other member of its VLAN (copies are emitted; the original takes the last
 * member).  Consecutive frames of one flow share one key, so a burst of one
 * flow costs two table lookups, not sixty-four.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>
#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_hash.h>
#include <rte_malloc.h>

#include "vnf/l2switch/config.h"
#include "vnf/l2switch/mac_table.h"
#include "vnf/vnf.h"

/*
 * Counters by kind (vnf.h).  Each frame the switch is handed ends in one
 * fate: forwarded (a known unicast), flooded as an unknown unicast or as
 * a broadcast/multicast (the original leaves by the last member), or a
 * drop reason.  The others count events; copy-failed and emit-full count
 * flood copies that could not be made or sent (the original still left).
 */
#define L2SW_COUNTERS(_)                                                       \
	_(L2_FWD, "forwarded", VNF_CK_PASS)                                    \
	_(L2_UNKNOWN, "unknown-unicast", VNF_CK_PASS)                          \
	_(L2_BCAST, "broadcast-multicast", VNF_CK_PASS)                        \
	_(L2_LEARNED, "learned", VNF_CK_INFO)                                  \
	_(L2_MOVED, "mac-moved", VNF_CK_INFO)                                  \
	_(L2_FLOOD_COPIES, "flood-copies", VNF_CK_INFO)                        \
	_(L2_TABLE_FULL, "table-full", VNF_CK_INFO)                            \
	_(L2_STATIC_MOVE, "static-mac-seen-elsewhere", VNF_CK_INFO)            \
	_(L2_DROP_COPY_FAIL, "copy-failed", VNF_CK_LOST)                       \
	_(L2_DROP_EMIT_FULL, "emit-full", VNF_CK_LOST)                         \
	_(L2_DROP_RUNT, "runt", VNF_CK_DROP)                                   \
	_(L2_DROP_SRC_MCAST, "src-multicast", VNF_CK_DROP)                     \
	_(L2_DROP_SAME_IFACE, "same-iface", VNF_CK_DROP)                       \
	_(L2_DROP_VLAN, "vlan-denied", VNF_CK_DROP)                            \
	_(L2_DROP_NO_TARGET, "flood-no-target", VNF_CK_DROP)                   \
	_(L2_DROP_NO_ROOM, "vlan-tag-no-room", VNF_CK_DROP)

enum { L2SW_COUNTERS(VNF_COUNTER_ENUM) L2_N_COUNTERS };

static const struct vnf_counter_desc l2sw_counters[L2_N_COUNTERS] = {
	L2SW_COUNTERS(VNF_COUNTER_DESC)};

#define L2_NO_KEY 0xff
#define L2_VLAN_MAX 4096
_Static_assert(VNF_MAX_IFACES <= 64, "l2sw.members[] has a bit per iface");

struct l2sw_iface {
	enum l2sw_vlan_mode mode;
	uint16_t vlan;		/* access VLAN, or trunk native VLAN (0: none) */
};

/*
 * A worker's verdict cache, one entry per ingress iface: the last uniform
 * burst's header and verdict, valid while the MAC table's generation is
 * unchanged and the source MAC's entry needs no refresh.  A burst that
 * hits it costs no table lookup at all.  The verdict is a known unicast's
 * iface, a drop, or a flood that needs no copy (one target: the other
 * port of a two-port switch, unknown unicast or broadcast); learning the
 * destination bumps the generation, so a cached flood never outlives it.
 */
struct l2sw_vcache {
	uint64_t w0, w1;	/* first 16 bytes of the frames */
	uint32_t gen;		/* mac_table_gen() when cached */
	uint32_t seen;		/* when the source entry was last stamped */
	uint16_t next;
	uint8_t ctr;		/* L2_FWD, L2_UNKNOWN or L2_BCAST */
	bool valid;
};

/*
 * A worker's exact-match cache of MAC table answers (like OVS's EMC), for
 * traffic of many MACs: a direct-mapped slot per key, valid while the
 * table's generation is the one it was filled under.  A hit costs a
 * multiply and a compare instead of an rte_hash probe (~60 cycles).
 */
#define L2_EMC_BITS 11
#define L2_EMC_SIZE (1u << L2_EMC_BITS)

struct l2sw_emc {
	uint64_t key;
	uint64_t val;		/* the entry word when cached */
	int32_t pos;
	uint32_t gen;
};

struct l2sw_wstate {
	struct l2sw_vcache vc[VNF_MAX_IFACES];
	struct l2sw_emc emc[L2_EMC_SIZE];
};

static inline struct l2sw_emc *
l2sw_emc_slot(struct l2sw_wstate *ws, uint64_t key)
{
	return &ws->emc[(key * UINT64_C(0x9e3779b97f4a7c15)) >>
			(64 - L2_EMC_BITS)];
}

/* Look keys up in the worker's cache, then the misses in the table. */
static inline void
l2sw_lookup(struct mac_table *mt, struct l2sw_wstate *ws, const uint64_t *keys,
	    unsigned int nk, uint64_t *vals, int32_t *pos)
{
	uint64_t mkeys[2 * VNF_BURST_MAX], mvals[2 * VNF_BURST_MAX];
	int32_t mpos[2 * VNF_BURST_MAX];
	uint8_t midx[2 * VNF_BURST_MAX];
	uint32_t gen = mac_table_gen(mt);
	unsigned int i, j, nm = 0;

	for (i = 0; i < nk; i++) {
		const struct l2sw_emc *e = l2sw_emc_slot(ws, keys[i]);

		if (e->key == keys[i] && e->gen == gen) {
			vals[i] = e->val;
			pos[i] = e->pos;
			continue;
		}
		mkeys[nm] = keys[i];
		midx[nm++] = (uint8_t)i;
	}
	if (nm == 0)
		return;
	mac_table_lookup_bulk(mt, mkeys, nm, mvals, mpos);
	for (j = 0; j < nm; j++) {
		struct l2sw_emc *e;

		i = midx[j];
		vals[i] = mvals[j];
		pos[i] = mpos[j];
		if (mvals[j] == 0)
			continue; /* misses are not cached: they get learned */
		/* The generation read before the lookup: a change since
		 * then makes this slot stale, as it should. */
		e = l2sw_emc_slot(ws, mkeys[j]);
		e->key = mkeys[j];
		e->val = mvals[j];
		e->pos = mpos[j];
		e->gen = gen;
	}
}

struct l2sw {
	struct mac_table mt;
	bool vlan_aware;
	uint32_t aging_time;
	struct l2sw_iface ifaces[VNF_MAX_IFACES];
	uint64_t members[L2_VLAN_MAX];	/* per VLAN: bit per member iface */
};

/*
 * Remove the 802.1Q tag of an untouched frame; 0 or -1.  The tag's priority
 * and DEI bits are kept in m->vlan_tci for the push on egress (mbufs come
 * from the PMDs with vlan_tci 0, and rte_pktmbuf_copy() copies it).
 */
static inline int
l2sw_vlan_pop(struct rte_mbuf *m)
{
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);

	if (m->data_len < sizeof(*eh) + sizeof(struct rte_vlan_hdr))
		return -1;
	m->vlan_tci = rte_be_to_cpu_16(((struct rte_vlan_hdr *)(eh + 1))->vlan_tci);
	memmove((char *)eh + sizeof(struct rte_vlan_hdr), eh,
		2 * RTE_ETHER_ADDR_LEN);
	rte_pktmbuf_adj(m, sizeof(struct rte_vlan_hdr));
	return 0;
}

static inline int
l2sw_vlan_push(struct rte_mbuf *m, uint16_t vid)
{
	struct rte_ether_hdr *eh;
	struct rte_vlan_hdr *vh;
	char *p = rte_pktmbuf_prepend(m, sizeof(struct rte_vlan_hdr));

	if (p == NULL)
		return -1;
	memmove(p, p + sizeof(struct rte_vlan_hdr), 2 * RTE_ETHER_ADDR_LEN);
	eh = (struct rte_ether_hdr *)p;
	vh = (struct rte_vlan_hdr *)(eh + 1);
	/* vh->eth_proto already holds the frame's ethertype: it did not move.
	 * (eh->ether_type now overlaps the old source MAC's last bytes.) */
	vh->vlan_tci = rte_cpu_to_be_16((m->vlan_tci & 0xf000) | vid);
	eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_VLAN);
	return 0;
}

/*
 * Ingress VLAN of a frame on iface `in`: its VLAN, or -1 when the iface
 * does not accept it.  A trunk's tag is removed here and put back on egress.
 */
static inline int
l2sw_vlan_in(const struct l2sw *sw, uint16_t in, struct rte_mbuf *m)
{
	const struct l2sw_iface *ifc = &sw->ifaces[in];
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	uint16_t vid;

	if (eh->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_VLAN)) {
		switch (ifc->mode) {
		case L2SW_VLAN_NONE:
			return 0;
		case L2SW_VLAN_ACCESS:
			return ifc->vlan;
		case L2SW_VLAN_TRUNK:
			return ifc->vlan != 0 ? ifc->vlan : -1;
		}
		return -1;
	}
	if (ifc->mode == L2SW_VLAN_NONE)
		return 0; /* VLAN-unaware iface: the tag is payload */
	if (m->data_len < sizeof(*eh) + sizeof(struct rte_vlan_hdr))
		return -1;
	vid = rte_be_to_cpu_16(((struct rte_vlan_hdr *)(eh + 1))->vlan_tci) &
	      0xfff;
	if (ifc->mode == L2SW_VLAN_ACCESS)
		return -1;
	if (vid == 0 || !(sw->members[vid] & (UINT64_C(1) << in)))
		return -1;
	if (l2sw_vlan_pop(m) != 0)
		return -1;
	return vid;
}

/* Egress: tag the frame for iface `out` if that iface wants a tag. */
static inline int
l2sw_vlan_out(const struct l2sw *sw, uint16_t out, struct rte_mbuf *m,
	      uint16_t vid)
{
	const struct l2sw_iface *ifc = &sw->ifaces[out];

	if (ifc->mode != L2SW_VLAN_TRUNK || vid == ifc->vlan)
		return 0;
	return l2sw_vlan_push(m, vid);
}

/* Flood pkt m (VLAN vid, arrived on `in`) to the other members of vid. */
static inline uint16_t
l2sw_flood(const struct l2sw *sw, struct vnf_wctx *w, struct rte_mbuf *m,
	   uint16_t in, uint16_t vid)
{
	uint64_t targets = sw->members[vid] & ~(UINT64_C(1) << in);
	uint16_t last;

	if (targets == 0)
		return VNF_DROP(L2_DROP_NO_TARGET);
	last = 63 - __builtin_clzll(targets);
	targets &= ~(UINT64_C(1) << last);
	while (targets != 0) {
		uint16_t t = __builtin_ctzll(targets);
		struct rte_mbuf *c;

		targets &= targets - 1;
		c = rte_pktmbuf_copy(m, w->pool, 0, UINT32_MAX);
		if (unlikely(c == NULL)) {
			w->counters[L2_DROP_COPY_FAIL]++;
			continue;
		}
		if (unlikely(sw->vlan_aware && l2sw_vlan_out(sw, t, c, vid))) {
			w->counters[L2_DROP_COPY_FAIL]++;
			rte_pktmbuf_free(c);
			continue;
		}
		if (unlikely(vnf_emit(w, c, t) != 0)) {
			w->counters[L2_DROP_EMIT_FULL]++;
			rte_pktmbuf_free(c);
			continue;
		}
		w->counters[L2_FLOOD_COPIES]++;
	}
	if (unlikely(sw->vlan_aware && l2sw_vlan_out(sw, last, m, vid)))
		return VNF_DROP(L2_DROP_NO_ROOM);
	return last;
}

/* Does a flood from iface `in` (VLAN-unaware) go to at most one iface?
 * Then it needs no copy, and its verdict holds for every frame alike. */
static inline bool
l2sw_flood_uncopied(const struct l2sw *sw, uint16_t in)
{
	uint64_t targets = sw->members[0] & ~(UINT64_C(1) << in);

	return (targets & (targets - 1)) == 0;
}

/*
 * The general path: any burst.  Keys with consecutive duplicates folded,
 * one bulk lookup, each distinct source learned once, then a verdict per
 * frame.  Returns a bit per frame that was flooded.
 */
static uint32_t
l2sw_process_frames(struct l2sw *sw, struct vnf_wctx *w,
		    struct rte_mbuf **pkts, uint16_t *next, uint16_t n,
		    uint16_t in, bool *src0_known)
{
	struct l2sw_wstate *ws = w->state;
	uint64_t keys[2 * VNF_BURST_MAX], vals[2 * VNF_BURST_MAX];
	int32_t pos[2 * VNF_BURST_MAX];
	uint8_t sidx[VNF_BURST_MAX], didx[VNF_BURST_MAX];
	uint16_t vid[VNF_BURST_MAX];
	uint64_t prev_s = UINT64_MAX, prev_d = UINT64_MAX;
	uint64_t learned = 0; /* bit per key index */
	const bool vlan_aware = sw->vlan_aware;
	uint8_t ps = L2_NO_KEY, pd = L2_NO_KEY;
	uint32_t flooded = 0, fwd = 0;
	unsigned int nk = 0;
	uint16_t i;

	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		struct rte_ether_hdr *eh;
		uint64_t sk, dk;
		int v = 0;

		sidx[i] = L2_NO_KEY;
		didx[i] = L2_NO_KEY;
		if (unlikely(m->data_len < RTE_ETHER_HDR_LEN)) {
			next[i] = VNF_DROP(L2_DROP_RUNT);
			continue;
		}
		if (unlikely(vlan_aware)) {
			v = l2sw_vlan_in(sw, in, m);
			if (v < 0) {
				next[i] = VNF_DROP(L2_DROP_VLAN);
				continue;
			}
		}
		vid[i] = (uint16_t)v;
		eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
		if (unlikely(rte_is_multicast_ether_addr(&eh->src_addr))) {
			next[i] = VNF_DROP(L2_DROP_SRC_MCAST);
			continue;
		}
		sk = mac_table_key(&eh->src_addr, vid[i]);
		if (sk != prev_s) {
			keys[nk] = sk;
			ps = nk++;
			prev_s = sk;
		}
		sidx[i] = ps;
		if (rte_is_multicast_ether_addr(&eh->dst_addr))
			continue;
		dk = mac_table_key(&eh->dst_addr, vid[i]);
		if (dk != prev_d) {
			keys[nk] = dk;
			pd = nk++;
			prev_d = dk;
		}
		didx[i] = pd;
	}
	if (nk != 0)
		l2sw_lookup(&sw->mt, ws, keys, nk, vals, pos);

	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		uint8_t s = sidx[i], d = didx[i];
		uint16_t out;

		if (s == L2_NO_KEY)
			continue; /* dropped above */
		if (!(learned & (UINT64_C(1) << s))) {
			int rc = mac_table_learn(&sw->mt, keys[s], pos[s],
						 vals[s], in, w->now);
			struct l2sw_emc *e = l2sw_emc_slot(ws, keys[s]);

			learned |= UINT64_C(1) << s;
			/* A refresh rewrote the word without a new generation:
			 * keep the cached copy current, or every later frame
			 * would retry the refresh from the old word. */
			if (e->key == keys[s] && pos[s] >= 0)
				e->val = atomic_load_explicit(
					&sw->mt.tab.words[pos[s]],
					memory_order_relaxed);
			if (i == 0 && src0_known != NULL)
				*src0_known = rc >= 0;
			if (unlikely(rc != 0)) {
				if (rc == 1)
					w->counters[L2_LEARNED]++;
				else if (rc == 2)
					w->counters[L2_MOVED]++;
				else if (rc == -ENOSPC)
					w->counters[L2_TABLE_FULL]++;
				else if (rc == -EPERM)
					w->counters[L2_STATIC_MOVE]++;
			}
		}
		if (d == L2_NO_KEY || vals[d] == 0) {
			flooded |= UINT32_C(1) << i;
			next[i] = l2sw_flood(sw, w, m, in, vid[i]);
			/* Counted once: flooded, or the drop it got. */
			if (!VNF_NEXT_IS_DROP(next[i]))
				w->counters[d == L2_NO_KEY ? L2_BCAST
							   : L2_UNKNOWN]++;
			continue;
		}
		out = mac_entry_iface(vals[d]);
		if (unlikely(out == in)) {
			next[i] = VNF_DROP(L2_DROP_SAME_IFACE);
			continue;
		}
		if (unlikely(vlan_aware) &&
		    unlikely(l2sw_vlan_out(sw, out, m, vid[i]) != 0)) {
			next[i] = VNF_DROP(L2_DROP_NO_ROOM);
			continue;
		}
		next[i] = out;
		fwd++;
	}
	w->counters[L2_FWD] += fwd;
	return flooded;
}

/*
 * True when every frame of the burst is at least 16 bytes long and starts
 * with the same 16 bytes (MACs, EtherType and two more) as the first,
 * whose bytes are returned in *a, *b.  Then, on a switch without VLANs,
 * they all take the first frame's verdict.  A burst of one flow is the
 * common case; this costs two loads and no branch per frame.
 */
static inline bool
l2sw_burst_uniform(struct rte_mbuf **pkts, uint16_t n, uint64_t *a,
		   uint64_t *b)
{
	const char *h = rte_pktmbuf_mtod(pkts[0], const char *);
	uint64_t diff = 0, a0, b0;
	uint16_t i, minlen = pkts[0]->data_len;

	memcpy(&a0, h, sizeof(a0));
	memcpy(&b0, h + 8, sizeof(b0));
	for (i = 1; i < n; i++) {
		const struct rte_mbuf *m = pkts[i];
		uint64_t x, y;

		h = rte_pktmbuf_mtod(m, const char *);
		memcpy(&x, h, sizeof(x));
		memcpy(&y, h + 8, sizeof(y));
		diff |= (x ^ a0) | (y ^ b0);
		minlen = RTE_MIN(minlen, m->data_len);
	}
	*a = a0;
	*b = b0;
	return diff == 0 && minlen >= 16;
}

static void
l2sw_process(struct vnf_instance *vi, struct vnf_wctx *w, struct vnf_burst *b)
{
	struct l2sw *sw = vi->priv;
	struct l2sw_wstate *wst = w->state;
	uint16_t i, n = b->n, in = b->in_iface, v;
	struct l2sw_vcache *ws = &wst->vc[in];
	uint32_t gen, flooded;
	uint64_t w0, w1;
	uint8_t ctr = L2_FWD;
	bool known = false;

	if (unlikely(sw->vlan_aware) || n < 2 ||
	    !l2sw_burst_uniform(b->pkts, n, &w0, &w1)) {
		l2sw_process_frames(sw, w, b->pkts, b->next, n, in, NULL);
		return;
	}

	gen = mac_table_gen(&sw->mt);
	if (ws->valid && ws->gen == gen && ws->w0 == w0 && ws->w1 == w1 &&
	    (uint32_t)(nfv_tick(w->now, NFV_TICK_SHIFT) - ws->seen) <
		    sw->mt.refresh_ticks) {
		v = ws->next;
		if (!VNF_NEXT_IS_DROP(v)) /* drops: the runner counts them */
			w->counters[ws->ctr] += n;
	} else {
		/* Decide for the first frame.  A flood to several ifaces
		 * needs copies of each frame, so it is not shared; a unicast,
		 * a drop or a flood to one iface is. */
		ws->valid = false;
		flooded = l2sw_process_frames(sw, w, b->pkts, b->next, 1, in,
					      &known);
		if (flooded != 0 && !l2sw_flood_uncopied(sw, in)) {
			l2sw_process_frames(sw, w, b->pkts + 1, b->next + 1,
					    n - 1, in, NULL);
			return;
		}
		if (flooded != 0) {
			const struct rte_ether_hdr *eh = rte_pktmbuf_mtod(
				b->pkts[0], const struct rte_ether_hdr *);

			ctr = rte_is_multicast_ether_addr(&eh->dst_addr)
				      ? L2_BCAST
				      : L2_UNKNOWN;
		}
		v = b->next[0];
		if (known) {
			ws->w0 = w0;
			ws->w1 = w1;
			ws->next = v;
			ws->ctr = ctr;
			ws->seen = nfv_tick(w->now, NFV_TICK_SHIFT);
			/* The generation read before the lookup: a change
			 * since then invalidates what we just cached. */
			ws->gen = gen;
			ws->valid = true;
		}
		/* The first frame was counted by its own verdict. */
		if (!VNF_NEXT_IS_DROP(v))
			w->counters[ctr] += n - 1;
	}
	for (i = 0; i < n; i++)
		b->next[i] = v;
}

static int
l2sw_create(struct vnf_instance *vi, const struct ctl_vnf_config *cfg,
	    char *err, size_t errlen)
{
	const struct l2sw_config *sc = cfg->priv;
	struct l2sw *sw;
	char hname[RTE_HASH_NAMESIZE];
	unsigned int i, j;
	int rc;

	if (sc == NULL) {
		snprintf(err, errlen, "vnf %s: no l2switch config", cfg->name);
		return -EINVAL;
	}
	sw = rte_zmalloc("l2sw", sizeof(*sw), RTE_CACHE_LINE_SIZE);
	if (sw == NULL) {
		snprintf(err, errlen, "vnf %s: out of memory", cfg->name);
		return -ENOMEM;
	}
	vi->priv = sw;
	sw->aging_time = sc->aging_time;
	snprintf(hname, sizeof(hname), "l2m%u_%.20s", (unsigned int)(vi->id % 1000), cfg->name);
	rc = mac_table_create(&sw->mt, hname, sc->mac_table_size,
			      sc->aging_time, vi->rcu);
	if (rc < 0) {
		snprintf(err, errlen, "vnf %s: MAC table of %u entries: %s",
			 cfg->name, sc->mac_table_size, strerror(-rc));
		return rc;
	}

	for (i = 0; i < cfg->n_ifaces; i++) {
		const struct l2sw_iface_config *ic = &sc->ifaces[i];
		uint64_t bit = UINT64_C(1) << i;

		sw->ifaces[i].mode = ic->vlan_mode;
		sw->ifaces[i].vlan = ic->vlan;
		switch (ic->vlan_mode) {
		case L2SW_VLAN_NONE:
			sw->members[0] |= bit;
			break;
		case L2SW_VLAN_ACCESS:
			sw->vlan_aware = true;
			sw->members[ic->vlan] |= bit;
			break;
		case L2SW_VLAN_TRUNK:
			sw->vlan_aware = true;
			if (ic->vlan != 0)
				sw->members[ic->vlan] |= bit;
			for (j = 0; j < ic->n_trunk; j++)
				sw->members[ic->trunk[j]] |= bit;
			break;
		}
	}

	for (i = 0; i < sc->n_static_macs; i++) {
		const struct l2sw_static_mac *sm = &sc->static_macs[i];
		struct rte_ether_addr a;
		int ifc = vnf_iface_index(vi, sm->iface);

		memcpy(a.addr_bytes, sm->mac, RTE_ETHER_ADDR_LEN);
		if (ifc < 0) {
			snprintf(err, errlen, "vnf %s: static_macs[%u]: no iface %s",
				 cfg->name, i, sm->iface);
			return -ENOENT;
		}
		rc = mac_table_add_static(&sw->mt, mac_table_key(&a, sm->vlan),
					  (uint16_t)ifc);
		if (rc < 0) {
			snprintf(err, errlen, "vnf %s: static_macs[%u]: %s",
				 cfg->name, i, strerror(-rc));
			return rc;
		}
	}
	return 0;
}

static void
l2sw_destroy(struct vnf_instance *vi)
{
	struct l2sw *sw = vi->priv;

	if (sw == NULL)
		return;
	mac_table_destroy(&sw->mt);
	rte_free(sw);
	vi->priv = NULL;
}

static void
l2sw_periodic(struct vnf_instance *vi, uint64_t now)
{
	struct l2sw *sw = vi->priv;

	/* A slice of the table per call: a full pass over the default 64K
	 * table every call, 16M entries in about half a minute. */
	mac_table_age(&sw->mt, now, 1u << 16);
}

struct l2sw_walk {
	struct vnf_instance *vi;
	json_t *arr;
	uint32_t now_ticks;
	uint64_t hz;
};

/* lf_table_walk() callback. */
static void
l2sw_show_one(const void *kp, uint64_t val, uint32_t stamp, void *arg)
{
	const uint64_t key = *(const uint64_t *)kp;
	struct l2sw_walk *wk = arg;
	uint16_t ifc = mac_entry_iface(val);
	char mac[RTE_ETHER_ADDR_FMT_SIZE];
	struct rte_ether_addr a;
	bool st = (val & MAC_E_STATIC) != 0;

	RTE_SET_USED(stamp);
	memcpy(a.addr_bytes, &key, RTE_ETHER_ADDR_LEN);
	rte_ether_format_addr(mac, sizeof(mac), &a);
	json_array_append_new(
		wk->arr,
		json_pack("{s:s, s:s, s:i, s:s, s:s, s:i}", "vnf", wk->vi->name,
			  "mac", mac, "vlan", (int)(key >> 48), "iface",
			  ifc < wk->vi->n_ifaces ? wk->vi->ifaces[ifc].name
						 : "?",
			  "type", st ? "static" : "dynamic", "age",
			  st ? 0
			     : (int)nfv_ticks_to_s(wk->now_ticks -
							   mac_entry_time(val),
						   wk->hz, NFV_TICK_SHIFT)));
}

/* show mac: every entry of the MAC table, one flat object each. */
static int
l2sw_show_mac(struct vnf_instance *vi, json_t *args, json_t **reply)
{
	struct l2sw *sw = vi->priv;
	struct l2sw_walk wk = {
		.vi = vi,
		.arr = json_array(),
		.now_ticks = nfv_tick(rte_rdtsc(), NFV_TICK_SHIFT),
		.hz = rte_get_tsc_hz(),
	};

	RTE_SET_USED(args);
	if (wk.arr == NULL)
		return -ENOMEM;
	lf_table_walk(&sw->mt.tab, l2sw_show_one, &wk);
	*reply = wk.arr;
	return 0;
}

/* mac flush: forget the learned entries (static ones stay). */
static int
l2sw_mac_flush(struct vnf_instance *vi, json_t *args, json_t **reply)
{
	struct l2sw *sw = vi->priv;

	RTE_SET_USED(args);
	*reply = json_pack("{s:i}", "flushed",
			   (int)mac_table_flush(&sw->mt, false));
	return 0;
}

static json_t *
l2sw_details(struct vnf_instance *vi)
{
	struct l2sw *sw = vi->priv;

	return json_pack("{s:i, s:i, s:i, s:b}", "mac_table_size",
			 (int)sw->mt.tab.limit, "mac_entries",
			 (int)atomic_load(&sw->mt.tab.count), "aging_time",
			 (int)sw->aging_time, "vlan_aware", sw->vlan_aware);
}

/* clang-format off */
static const struct vnf_verb l2sw_verbs[] = {
	{
		.name = "show mac",
		.help = "MAC tables: mac, vlan, iface, static or learned, age",
		.flags = VNF_VERB_SHOW,
		.handler = l2sw_show_mac,
	},
	{
		.name = "mac flush",
		.help = "forget learned MACs (static entries stay)",
		.flags = VNF_VERB_EACH,
		.handler = l2sw_mac_flush,
	},
};
/* clang-format on */

static const struct vnf_ops l2switch_ops = {
	.type = "l2switch",
	.worker_size = sizeof(struct l2sw_wstate),
	.counters = l2sw_counters,
	.n_counters = L2_N_COUNTERS,
	.create = l2sw_create,
	.destroy = l2sw_destroy,
	.process = l2sw_process,
	.periodic = l2sw_periodic,
	.verbs = l2sw_verbs,
	.n_verbs = RTE_DIM(l2sw_verbs),
	.details = l2sw_details,
};

VNF_REGISTER(l2switch_ops);
