/* SPDX-License-Identifier: BSD-3-Clause
 *
 * encap.c - the vxlan VNF's snapshot of VTEPs and flood lists: building
 * a new one (the outer header template of each VTEP), publishing it, and
 * the address -> slot index that decapsulation uses to learn.
 *
 * Control thread only: workers read what is published here
 * (vxlan_priv.h).
 */
#include <errno.h>
#include <string.h>

#include <rte_malloc.h>

#include "vnf/lib/rcu.h"
#include "vnf/vxlan/vxlan_priv.h"

struct vx_snap *
vx_snap_new(const struct vx_snap *old)
{
	struct vx_snap *s =
		rte_zmalloc("vxlan_snap", sizeof(*s), RTE_CACHE_LINE_SIZE);

	if (s != NULL && old != NULL)
		memcpy(s, old, sizeof(*s));
	return s;
}

void
vx_snap_publish(struct vx *vx, struct vx_snap *s)
{
	/* Release: the snapshot's contents are visible to a worker that
	 * loads the pointer with acquire. */
	struct vx_snap *old =
		atomic_exchange_explicit(&vx->snap, s, memory_order_acq_rel);

	if (old == NULL)
		return;
	/* No worker holds `old` after every one passed a quiescent
	 * state (they load the pointer once per burst). */
	nfv_rcu_wait(vx->vi != NULL ? vx->vi->rcu : NULL);
	rte_free(old);
}

/* The outer headers towards t, but the per-packet fields; the VXLAN or
 * Geneve header by the instance's encap. */
static void
vx_hdr_build(const struct vx *vx, struct vx_vtep *t)
{
	struct rte_ether_hdr *eh = (void *)t->hdr;
	struct rte_udp_hdr *udp;
	struct rte_vxlan_hdr *vh;

	memset(t->hdr, 0, sizeof(t->hdr));
	memcpy(eh->dst_addr.addr_bytes, t->mac, RTE_ETHER_ADDR_LEN);
	memcpy(eh->src_addr.addr_bytes, vx->xc.mac, RTE_ETHER_ADDR_LEN);
	if (t->family == AF_INET) {
		struct rte_ipv4_hdr *ip = (void *)(eh + 1);

		eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
		ip->version_ihl = RTE_IPV4_VHL_DEF;
		ip->fragment_offset = RTE_BE16(RTE_IPV4_HDR_DF_FLAG);
		ip->time_to_live = 64;
		ip->next_proto_id = IPPROTO_UDP;
		memcpy(&ip->src_addr, vx->xc.local4, 4);
		memcpy(&ip->dst_addr, t->ip, 4);
		/* The sum of every word but total_length (0 here) and the
		 * checksum: vx_encap() adds the length and folds. */
		t->csum_base = rte_raw_cksum(ip, sizeof(*ip));
		udp = (void *)(ip + 1);
		t->hdr_len = VX_HDR4_LEN;
	} else {
		struct rte_ipv6_hdr *ip = (void *)(eh + 1);

		eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV6);
		ip->vtc_flow = RTE_BE32(0x60000000);
		ip->proto = IPPROTO_UDP;
		ip->hop_limits = 64;
		memcpy(ip->src_addr, vx->xc.local6, 16);
		memcpy(ip->dst_addr, t->ip, 16);
		udp = (void *)(ip + 1);
		t->hdr_len = VX_HDR6_LEN;
	}
	udp->dst_port = vx->port_be;
	vh = (void *)(udp + 1);
	if (vx->geneve) {
		/* Version 0, no options, O and C clear: only the VNI
		 * (the same bytes as VXLAN's) is written per packet. */
		uint8_t *g = (uint8_t *)vh;

		g[2] = VX_GENEVE_PROTO_TEB >> 8;
		g[3] = VX_GENEVE_PROTO_TEB & 0xff;
	} else {
		*(uint8_t *)&vh->vx_flags = VX_FLAG_I;
	}
}

/* Rebuild the address index of s from its slots. */
static void
vx_snap_rehash(struct vx_snap *s)
{
	unsigned int i, j;

	memset(s->vhash, 0, sizeof(s->vhash));
	for (i = 0; i < VX_MAX_VTEPS; i++) {
		const struct vx_vtep *t = &s->vteps[i];
		uint32_t h;

		if (t->family == 0)
			continue;
		h = vx_crc(t->ip, t->family == AF_INET ? 4 : 16, t->family);
		for (j = 0; j < VX_VHASH_SIZE; j++) {
			uint16_t *e = &s->vhash[(h + j) & (VX_VHASH_SIZE - 1)];

			if (*e == 0) {
				*e = (uint16_t)(i + 1);
				break;
			}
		}
	}
}

int
vx_snap_vtep_set(const struct vx *vx, struct vx_snap *s,
		 const struct ctl_prefix *ip, const uint8_t *mac)
{
	struct vx_vtep *t;
	int slot = vx_vtep_find(s, ip->family, ip->addr);
	int i;

	if (slot < 0) {
		if (mac == NULL && !vx->xc.has_nexthop_mac)
			return -EINVAL;
		for (i = 0; i < VX_MAX_VTEPS; i++)
			if (s->vteps[i].family == 0)
				break;
		if (i == VX_MAX_VTEPS)
			return -ENOSPC;
		slot = i;
		t = &s->vteps[slot];
		memset(t, 0, sizeof(*t));
		t->family = ip->family;
		memcpy(t->ip, ip->addr, ip->family == AF_INET ? 4 : 16);
		memcpy(t->mac, vx->xc.nexthop_mac, sizeof(t->mac));
	}
	t = &s->vteps[slot];
	if (mac != NULL) {
		memcpy(t->mac, mac, sizeof(t->mac));
		t->has_mac = true;
	}
	vx_hdr_build(vx, t);
	vx_snap_rehash(s);
	return slot;
}

void
vx_snap_flood_set(struct vx_snap *s, uint16_t iface, int slot, bool on)
{
	struct vx_flood *f = &s->flood[iface];
	uint64_t bit = UINT64_C(1) << (slot % 64);
	bool was = (f->bits[slot / 64] & bit) != 0;

	if (on && !was) {
		f->bits[slot / 64] |= bit;
		f->n++;
	} else if (!on && was) {
		f->bits[slot / 64] &= ~bit;
		f->n--;
	}
}

void
vx_snap_vtep_clear(struct vx_snap *s, int slot)
{
	unsigned int i;

	for (i = 0; i < VNF_MAX_IFACES; i++)
		vx_snap_flood_set(s, (uint16_t)i, slot, false);
	memset(&s->vteps[slot], 0, sizeof(s->vteps[slot]));
	vx_snap_rehash(s);
}
