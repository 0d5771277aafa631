/* SPDX-License-Identifier: BSD-3-Clause
 *
 * vxlan.c - a VXLAN tunnel endpoint (RFC 7348) as a VNF.
 *
 * Iface 0, `underlay`, carries the outer packets; every other iface is
 * the segment of one VNI, wired (like Linux's vxlan device enslaved to a
 * bridge) to an l2switch, which learns the remote MACs on that link.
 *
 * From a VNI iface: the destination MAC is looked up in the FDB
 * ((VNI, MAC) -> VTEP); a known unicast is encapsulated to its VTEP, and
 * a broadcast, multicast or unknown unicast is flooded by head-end
 * replication: copies, each encapsulated, go to every VTEP of the VNI's
 * flood list but the last, and the original to the last.
 * From the underlay: an IPv4/IPv6 UDP packet to a local VTEP address and
 * our port, with a known VNI, is decapsulated and leaves by that VNI's
 * iface, and the inner source MAC is learned behind the outer source
 * VTEP; an ARP request for the local IPv4 VTEP address and a Neighbour
 * Solicitation for the local IPv6 one are answered;
 * anything else is dropped by reason.
 *
 * This file is the fast path, create/destroy and ageing; encap.c the
 * VTEP snapshot; ctl.c the verbs; config.c the config keys.
 * docs/overlay.md.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>
#include <rte_malloc.h>

#include "vnf/vxlan/vxlan_priv.h"

static const struct vnf_counter_desc vx_counters[VX_N_COUNTERS] = {
	VX_COUNTERS(VNF_COUNTER_DESC)};

#define VX_NO_KEY 0xff

/* Worker.  The iface of `vni`, or -1.  A burst is mostly of one VNI. */
static inline int
vx_vni_iface(const struct vx *vx, struct vx_wstate *ws, uint32_t vni)
{
	uint16_t i;

	if (ws->last_iface != 0 && ws->last_vni == vni)
		return ws->last_iface;
	for (i = 1; i < vx->n_ifaces; i++)
		if (vx->vni[i] == vni) {
			ws->last_vni = vni;
			ws->last_iface = i;
			return i;
		}
	return -1;
}

/*
 * Worker.  Flood m (from VNI iface `in`) to the VNI's VTEPs: copies to
 * all but the last, encapsulated; the original, encapsulated, to the
 * last.  Returns the original's next.
 */
static uint16_t
vx_flood(const struct vx *vx, const struct vx_snap *s, struct vnf_wctx *w,
	 struct rte_mbuf *m, uint16_t in, rte_be16_t sport)
{
	const struct vx_flood *f = &s->flood[in];
	const rte_be32_t vni = vx->vni_word[in];
	const struct vx_vtep *lt;
	int last, i;

	if (f->n == 0)
		return VNF_DROP(VX_DROP_NO_VTEP);
	last = vx_flood_last(f);
	lt = &s->vteps[last];
	/* The original's size decides: no copies of a frame that is
	 * dropped as too big. */
	if (unlikely(vx_outer_ip_len(lt, rte_pktmbuf_pkt_len(m)) > vx->mtu))
		return VNF_DROP(VX_DROP_TOO_BIG);
	for (i = 0; i < VX_FLOOD_WORDS; i++) {
		uint64_t bits = f->bits[i];

		while (bits != 0) {
			int slot = i * 64 + __builtin_ctzll(bits);
			struct rte_mbuf *c;

			bits &= bits - 1;
			if (slot == last)
				continue;
			c = rte_pktmbuf_copy(m, w->pool, 0, UINT32_MAX);
			if (unlikely(c == NULL)) {
				w->counters[VX_LOST_COPY]++;
				continue;
			}
			if (unlikely(VNF_NEXT_IS_DROP(vx_encap(
				    vx, &s->vteps[slot], vni, sport, c)))) {
				/* An IPv6 VTEP among IPv4 ones: 20 bytes
				 * more of headers. */
				w->counters[VX_LOST_COPY_BIG]++;
				rte_pktmbuf_free(c);
				continue;
			}
			if (unlikely(vnf_emit(w, c, VX_IF_UNDERLAY) != 0)) {
				w->counters[VX_LOST_EMIT]++;
				rte_pktmbuf_free(c);
				continue;
			}
			w->counters[VX_FLOOD_COPIES]++;
		}
	}
	return vx_encap(vx, lt, vni, sport, m);
}

/*
 * Worker, `evpn:` only: the source MAC of a frame from a VNI iface is a
 * MAC of this host, which the EVPN mirror tells the kernel (zebra then
 * advertises it).  key/pos/val: its lookup.  A MAC the EVPN mirror put
 * behind a remote VTEP becomes local (a VM that moved here: the kernel
 * entry's move makes zebra advertise it with a higher sequence number);
 * a static entry of the config or a verb stays.  No lock, no syscall: a
 * new MAC takes rte_hash's writer path once, a known one a refresh at
 * most once a second (mac_table_learn()).
 */
static void
vx_local_record(struct vx *vx, struct vnf_wctx *w, uint64_t key, int32_t pos,
		uint64_t val)
{
	int rc;

	if (pos >= 0 && (val & MAC_E_STATIC)) {
		uint64_t nv = mac_entry_make(VX_SLOT_LOCAL, false,
					     nfv_tick(w->now, NFV_TICK_SHIFT));

		if (!(val & VX_E_EVPN)) {
			w->counters[VX_STATIC_MOVE]++;
			return;
		}
		/* A failed CAS: the control side changed it first; the
		 * next frame tries again. */
		if (atomic_compare_exchange_strong_explicit(
			    &vx->fdb.tab.words[pos], &val, nv,
			    memory_order_relaxed, memory_order_relaxed)) {
			mac_table_bump(&vx->fdb);
			w->counters[VX_LOCAL_MOVED]++;
		}
		return;
	}
	rc = mac_table_learn(&vx->fdb, key, pos, val, VX_SLOT_LOCAL, w->now);
	if (rc == 1)
		w->counters[VX_LOCAL_LEARNED]++;
	else if (rc == 2)
		w->counters[VX_LOCAL_MOVED]++;
	else if (rc == -ENOSPC)
		w->counters[VX_FDB_FULL]++;
}

_Static_assert(2 * VNF_BURST_MAX <= RTE_HASH_LOOKUP_BULK_MAX,
	       "destinations and sources in one bulk lookup");

/* Worker: frames from a VNI iface.  Keys of consecutive frames to one
 * MAC folded (and, with `evpn:`, of consecutive sources), one bulk FDB
 * lookup, then a verdict per frame. */
static void
vx_encap_burst(struct vx *vx, const struct vx_snap *s, struct vnf_wctx *w,
	       struct vnf_burst *b)
{
	uint64_t keys[2 * VNF_BURST_MAX], vals[2 * VNF_BURST_MAX];
	uint64_t skeys[VNF_BURST_MAX];
	int32_t pos[2 * VNF_BURST_MAX];
	uint8_t kidx[VNF_BURST_MAX];
	uint64_t prev = UINT64_MAX, sprev = UINT64_MAX;
	const uint16_t in = b->in_iface;
	const rte_be32_t vni = vx->vni_word[in];
	const bool local = vx->evpn;
	uint32_t encap = 0, flooded = 0;
	unsigned int nk = 0, ns = 0, j;
	uint16_t i;

	for (i = 0; i < b->n; i++) {
		struct rte_mbuf *m = b->pkts[i];
		const struct rte_ether_hdr *eh;
		uint64_t k;

		kidx[i] = VX_NO_KEY;
		if (unlikely(m->data_len < RTE_ETHER_HDR_LEN)) {
			b->next[i] = VNF_DROP(VX_DROP_RUNT);
			continue;
		}
		b->next[i] = 0;
		eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
		if (local && !rte_is_multicast_ether_addr(&eh->src_addr)) {
			k = mac_table_key(&eh->src_addr, in);
			if (k != sprev) {
				skeys[ns++] = k;
				sprev = k;
			}
		}
		if (rte_is_multicast_ether_addr(&eh->dst_addr))
			continue;
		k = mac_table_key(&eh->dst_addr, in);
		if (k != prev) {
			keys[nk++] = k;
			prev = k;
		}
		kidx[i] = (uint8_t)(nk - 1);
	}
	for (j = 0; j < ns; j++)
		keys[nk + j] = skeys[j];
	if (nk + ns != 0)
		mac_table_lookup_bulk(&vx->fdb, keys, nk + ns, vals, pos);
	for (j = nk; j < nk + ns; j++)
		vx_local_record(vx, w, keys[j], pos[j], vals[j]);

	for (i = 0; i < b->n; i++) {
		struct rte_mbuf *m = b->pkts[i];
		const struct vx_vtep *t = NULL;
		rte_be16_t sport;
		uint8_t k = kidx[i];

		if (VNF_NEXT_IS_DROP(b->next[i]))
			continue;
		sport = vx_sport(vx_flow_hash(m));
		/* A local MAC (VX_SLOT_LOCAL) that the switch did not know:
		 * flooded, as an unknown one. */
		if (k != VX_NO_KEY && vals[k] != 0 &&
		    mac_entry_iface(vals[k]) < VX_MAX_VTEPS) {
			t = &s->vteps[mac_entry_iface(vals[k])];
			/* A VTEP deleted while its FDB entries go:
			 * flood, as for an unknown MAC. */
			if (unlikely(t->family == 0))
				t = NULL;
		}
		if (t != NULL) {
			b->next[i] = vx_encap(vx, t, vni, sport, m);
			encap += !VNF_NEXT_IS_DROP(b->next[i]);
			continue;
		}
		b->next[i] = vx_flood(vx, s, w, m, in, sport);
		flooded += !VNF_NEXT_IS_DROP(b->next[i]);
	}
	w->counters[VX_ENCAP] += encap;
	w->counters[VX_FLOODED] += flooded;
}

/*
 * Worker: an ARP frame on the underlay.  A request for the local IPv4
 * VTEP address is turned into the reply in place (the underlay's next
 * hops resolve us); anything else is dropped.
 */
static uint16_t
vx_arp(const struct vx *vx, struct rte_mbuf *m)
{
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_arp_hdr *a = (struct rte_arp_hdr *)(eh + 1);
	struct rte_arp_ipv4 *d = &a->arp_data;
	rte_be32_t local;

	if (m->data_len < RTE_ETHER_HDR_LEN + sizeof(*a) || !vx->xc.has_local4)
		return VNF_DROP(VX_DROP_ARP_IGNORED);
	memcpy(&local, vx->xc.local4, 4);
	if (a->arp_hardware != RTE_BE16(RTE_ARP_HRD_ETHER) ||
	    a->arp_protocol != RTE_BE16(RTE_ETHER_TYPE_IPV4) ||
	    a->arp_hlen != RTE_ETHER_ADDR_LEN || a->arp_plen != 4 ||
	    a->arp_opcode != RTE_BE16(RTE_ARP_OP_REQUEST) ||
	    d->arp_tip != local)
		return VNF_DROP(VX_DROP_ARP_IGNORED);
	a->arp_opcode = RTE_BE16(RTE_ARP_OP_REPLY);
	d->arp_tha = d->arp_sha;
	d->arp_tip = d->arp_sip;
	memcpy(d->arp_sha.addr_bytes, vx->xc.mac, RTE_ETHER_ADDR_LEN);
	d->arp_sip = local;
	eh->dst_addr = eh->src_addr;
	memcpy(eh->src_addr.addr_bytes, vx->xc.mac, RTE_ETHER_ADDR_LEN);
	return VX_IF_UNDERLAY;
}

/*
 * Worker: an ICMPv6 packet on the underlay.  A Neighbour Solicitation for
 * the local IPv6 VTEP address (RFC 4861, not a DAD probe from ::) is
 * turned into the Neighbour Advertisement in place, with our MAC as the
 * target link-layer address; any other ICMPv6 is dropped (icmp6-ignored).
 */
static uint16_t
vx_nd(const struct vx *vx, struct rte_mbuf *m)
{
	static const uint8_t unspec[16];
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)(eh + 1);
	uint8_t *icmp = (uint8_t *)(ip + 1), *opt;
	const uint32_t na_len = 24 + 8; /* header, target, one option */

	if (m->data_len < RTE_ETHER_HDR_LEN + sizeof(*ip) + 24 ||
	    !vx->xc.has_local6 || ip->proto != IPPROTO_ICMPV6 ||
	    ip->hop_limits != 255 || icmp[0] != 135 || icmp[1] != 0 ||
	    memcmp(icmp + 8, vx->xc.local6, 16) != 0 ||
	    memcmp(ip->src_addr, unspec, 16) == 0 || m->nb_segs != 1)
		return VNF_DROP(VX_DROP_ICMP6_IGNORED);
	/* The frame becomes exactly the advertisement: header, target,
	 * our link-layer address option. */
	if (m->data_len < RTE_ETHER_HDR_LEN + sizeof(*ip) + na_len &&
	    rte_pktmbuf_append(m, (uint16_t)(RTE_ETHER_HDR_LEN + sizeof(*ip) +
					     na_len - m->data_len)) == NULL)
		return VNF_DROP(VX_DROP_ICMP6_IGNORED);
	if (m->data_len > RTE_ETHER_HDR_LEN + sizeof(*ip) + na_len)
		rte_pktmbuf_trim(
			m, (uint16_t)(m->data_len - (RTE_ETHER_HDR_LEN +
						     sizeof(*ip) + na_len)));
	eh->dst_addr = eh->src_addr;
	memcpy(eh->src_addr.addr_bytes, vx->xc.mac, RTE_ETHER_ADDR_LEN);
	memcpy(ip->dst_addr, ip->src_addr, 16);
	memcpy(ip->src_addr, vx->xc.local6, 16);
	ip->payload_len = rte_cpu_to_be_16((uint16_t)na_len);
	ip->vtc_flow = RTE_BE32(0x60000000);
	icmp[0] = 136;
	icmp[2] = icmp[3] = 0;
	icmp[4] = 0x60; /* solicited, override */
	icmp[5] = icmp[6] = icmp[7] = 0;
	opt = icmp + 24;
	opt[0] = 2; /* target link-layer address */
	opt[1] = 1;
	memcpy(opt + 2, vx->xc.mac, RTE_ETHER_ADDR_LEN);
	{
		uint16_t ck = rte_ipv6_udptcp_cksum(ip, icmp);

		memcpy(icmp + 2, &ck, sizeof(ck));
	}
	return VX_IF_UNDERLAY;
}

/* Worker: learn the distinct (VNI, source MAC) -> VTEP of a burst. */
static void
vx_learn(struct vx *vx, struct vnf_wctx *w, const uint64_t *keys,
	 const uint16_t *slots, unsigned int nk)
{
	uint64_t vals[VNF_BURST_MAX];
	int32_t pos[VNF_BURST_MAX];
	unsigned int i;

	mac_table_lookup_bulk(&vx->fdb, keys, nk, vals, pos);
	for (i = 0; i < nk; i++) {
		int rc = mac_table_learn(&vx->fdb, keys[i], pos[i], vals[i],
					 slots[i], w->now);

		if (likely(rc == 0))
			continue;
		if (rc == 1)
			w->counters[VX_LEARNED]++;
		else if (rc == 2)
			w->counters[VX_MOVED]++;
		else if (rc == -ENOSPC)
			w->counters[VX_FDB_FULL]++;
		else if (rc == -EPERM)
			w->counters[VX_STATIC_MOVE]++;
	}
}

/* Worker: frames from the underlay. */
static void
vx_decap_burst(struct vx *vx, const struct vx_snap *s, struct vnf_wctx *w,
	       struct vnf_burst *b)
{
	struct vx_wstate *ws = w->state;
	uint64_t keys[VNF_BURST_MAX], prev = UINT64_MAX;
	uint16_t slots[VNF_BURST_MAX];
	const uint8_t *psrc = NULL;
	uint8_t pfam = 0, psrc_ip[16];
	int pslot = -1;
	uint32_t decap = 0, arp = 0, nd = 0;
	unsigned int nk = 0;
	uint16_t i;

	for (i = 0; i < b->n; i++) {
		struct rte_mbuf *m = b->pkts[i];
		const struct rte_ether_hdr *eh;
		struct vx_decap d;
		int rc, ifc, slot;
		uint64_t k;

		if (unlikely(m->data_len < RTE_ETHER_HDR_LEN)) {
			b->next[i] = VNF_DROP(VX_DROP_RUNT);
			continue;
		}
		eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
		if (unlikely(eh->ether_type == RTE_BE16(RTE_ETHER_TYPE_ARP))) {
			b->next[i] = vx_arp(vx, m);
			arp += !VNF_NEXT_IS_DROP(b->next[i]);
			continue;
		}
		if (unlikely(eh->ether_type == RTE_BE16(RTE_ETHER_TYPE_IPV6)) &&
		    m->data_len >= RTE_ETHER_HDR_LEN + 40 &&
		    ((const struct rte_ipv6_hdr *)(eh + 1))->proto ==
			    IPPROTO_ICMPV6) {
			b->next[i] = vx_nd(vx, m);
			nd += !VNF_NEXT_IS_DROP(b->next[i]);
			continue;
		}
		rc = vx_decap_check(vx, m, &d);
		if (unlikely(rc != 0)) {
			b->next[i] = VNF_DROP(rc);
			continue;
		}
		ifc = vx_vni_iface(vx, ws, d.vni);
		if (unlikely(ifc < 0)) {
			b->next[i] = VNF_DROP(VX_DROP_UNKNOWN_VNI);
			continue;
		}
		/* The source VTEP's slot: the previous frame's, mostly. */
		if (psrc == NULL || pfam != d.family ||
		    memcmp(psrc_ip, d.src, d.family == AF_INET ? 4 : 16)) {
			pfam = d.family;
			memcpy(psrc_ip, d.src, d.family == AF_INET ? 4 : 16);
			psrc = psrc_ip;
			pslot = vx_vtep_find(s, d.family, d.src);
		}
		slot = pslot;
		rte_pktmbuf_adj(m, d.outer_len);
		/* Padding after the UDP payload (a short frame) goes. */
		if (rte_pktmbuf_pkt_len(m) > d.inner_len)
			rte_pktmbuf_trim(m,
					 rte_pktmbuf_pkt_len(m) - d.inner_len);
		/* What the underlay port found about the outer packet
		 * (checksums, type) is not true of the inner frame. */
		m->ol_flags &= ~(RTE_MBUF_F_RX_IP_CKSUM_MASK |
				 RTE_MBUF_F_RX_L4_CKSUM_MASK |
				 RTE_MBUF_F_RX_OUTER_L4_CKSUM_MASK |
				 RTE_MBUF_F_RX_OUTER_IP_CKSUM_BAD);
		m->packet_type = 0;
		/* The other way round from vx_encap(). */
		if ((m->ol_flags & RTE_MBUF_F_TX_L4_MASK) &&
		    m->l2_len >= d.outer_len)
			m->l2_len -= d.outer_len;
		b->next[i] = (uint16_t)ifc;
		decap++;
		/* The inner Ethernet header may straddle two segments (a
		 * chained frame cut after the outer headers): its source
		 * is not in the first one, so nothing is learned from it.
		 * The frame goes on; the next VNF reads it as it can. */
		eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
		if (unlikely(m->data_len < RTE_ETHER_HDR_LEN ||
			     rte_is_multicast_ether_addr(&eh->src_addr)))
			continue;
		if (unlikely(slot < 0)) {
			w->counters[VX_LEARN_NO_VTEP]++;
			continue;
		}
		k = mac_table_key(&eh->src_addr, (uint16_t)ifc);
		if (k == prev && slots[nk - 1] == slot)
			continue;
		prev = k;
		keys[nk] = k;
		slots[nk++] = (uint16_t)slot;
	}
	if (nk != 0)
		vx_learn(vx, w, keys, slots, nk);
	w->counters[VX_DECAP] += decap;
	w->counters[VX_ARP_REPLIED] += arp;
	w->counters[VX_ND_REPLIED] += nd;
}

static void
vx_process(struct vnf_instance *vi, struct vnf_wctx *w, struct vnf_burst *b)
{
	struct vx *vx = vi->priv;
	/* Acquire: the snapshot's contents as they were published
	 * (encap.c); held until this call returns. */
	const struct vx_snap *s =
		atomic_load_explicit(&vx->snap, memory_order_acquire);

	if (b->in_iface == VX_IF_UNDERLAY)
		vx_decap_burst(vx, s, w, b);
	else
		vx_encap_burst(vx, s, w, b);
}

static int
vx_create(struct vnf_instance *vi, const struct ctl_vnf_config *cfg, char *err,
	  size_t errlen)
{
	const struct vx_config *xc = cfg->priv;
	char hname[RTE_HASH_NAMESIZE];
	struct vx_snap *s;
	struct vx *vx;
	unsigned int i, j;
	int rc, slot;

	if (xc == NULL || cfg->n_ifaces < 2) {
		snprintf(err, errlen, "vnf %s: no vxlan config", cfg->name);
		return -EINVAL;
	}
	vx = rte_zmalloc("vxlan", sizeof(*vx), RTE_CACHE_LINE_SIZE);
	if (vx == NULL)
		goto err_nomem;
	vi->priv = vx;
	vx->vi = vi;
	vx->xc = *xc;
	vx->xc.vni = vx->vni;
	vx->xc.vteps = NULL;
	vx->xc.n_vteps = 0;
	vx->xc.fdb = NULL;
	vx->xc.n_fdb = 0;
	vx->n_ifaces = (uint16_t)cfg->n_ifaces;
	vx->port_be = rte_cpu_to_be_16(xc->udp_port);
	vx->geneve = xc->encap == VX_ENCAP_GENEVE;
	vx->mtu = xc->mtu;
	vx->evpn = xc->evpn_netns[0] != '\0';
	for (i = 1; i < cfg->n_ifaces; i++) {
		vx->vni[i] = xc->vni[i];
		vx->vni_word[i] = vx_vni_word(xc->vni[i]);
	}
	snprintf(hname, sizeof(hname), "vxf%u_%.20s",
		 (unsigned int)(vi->id % 1000), cfg->name);
	rc = mac_table_create(&vx->fdb, hname, xc->fdb_size, xc->aging_time,
			      vi->rcu);
	if (rc < 0) {
		snprintf(err, errlen, "vnf %s: FDB of %u entries: %s",
			 cfg->name, xc->fdb_size, strerror(-rc));
		return rc;
	}
	s = vx_snap_new(NULL);
	if (s == NULL)
		goto err_nomem;
	for (i = 0; i < xc->n_vteps; i++) {
		const struct vx_vtep_config *tc = &xc->vteps[i];

		slot = vx_snap_vtep_set(vx, s, &tc->ip,
					tc->has_mac ? tc->mac : NULL);
		if (slot < 0) {
			rte_free(s);
			snprintf(err, errlen, "vnf %s: vteps[%u]: %s",
				 cfg->name, i, strerror(-slot));
			return slot;
		}
		for (j = 0; j < tc->n_vnis; j++)
			vx_snap_flood_set(
				s,
				(uint16_t)vx_config_vni_iface(xc, cfg->n_ifaces,
							      tc->vnis[j]),
				slot, true);
	}
	for (i = 0; i < xc->n_fdb; i++) {
		const struct vx_fdb_config *f = &xc->fdb[i];
		struct rte_ether_addr a;
		int ifc = vx_config_vni_iface(xc, cfg->n_ifaces, f->vni);

		memcpy(a.addr_bytes, f->mac, RTE_ETHER_ADDR_LEN);
		slot = vx_vtep_find(s, f->vtep.family, f->vtep.addr);
		rc = slot < 0 ? -ENOENT
			      : vx_fdb_set_static(
					vx, mac_table_key(&a, (uint16_t)ifc),
					(uint16_t)slot, VX_E_CONFIG);
		if (rc < 0) {
			rte_free(s);
			snprintf(err, errlen, "vnf %s: fdb[%u]: %s", cfg->name,
				 i, strerror(-rc));
			return rc;
		}
	}
	vx_snap_publish(vx, s);
	return 0;

err_nomem:
	snprintf(err, errlen, "vnf %s: out of memory", cfg->name);
	return -ENOMEM;
}

static void
vx_destroy(struct vnf_instance *vi)
{
	struct vx *vx = vi->priv;

	if (vx == NULL)
		return;
	mac_table_destroy(&vx->fdb);
	/* After a grace period (vnf.h): no worker holds the snapshot. */
	rte_free(atomic_load(&vx->snap));
	rte_free(vx);
	vi->priv = NULL;
}

static void
vx_periodic(struct vnf_instance *vi, uint64_t now)
{
	struct vx *vx = vi->priv;

	mac_table_age(&vx->fdb, now, 1u << 16);
}

static const struct vnf_ops vxlan_ops = {
	.type = "vxlan",
	.worker_size = sizeof(struct vx_wstate),
	.counters = vx_counters,
	.n_counters = VX_N_COUNTERS,
	.create = vx_create,
	.destroy = vx_destroy,
	.process = vx_process,
	.periodic = vx_periodic,
	.verbs = vx_verbs,
	.n_verbs = VX_N_VERBS,
	.details = vx_details,
};

VNF_REGISTER(vxlan_ops);
