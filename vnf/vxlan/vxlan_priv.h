/* SPDX-License-Identifier: BSD-3-Clause
 *
 * vxlan_priv.h - the vxlan VNF's own structures and its per-packet
 * helpers (inline, for the fast path in vxlan.c and for the unit tests):
 * the outer header templates, encapsulation, the underlay frame checks of
 * decapsulation, the inner flow hash that picks the UDP source port.
 *
 * Tables and who writes them:
 *  - struct vx: read-only after create(), but for the FDB, which workers
 *    write (learning) and the control thread writes (static entries,
 *    ageing, flushes): a lock-free MAC table (vnf/l2switch/mac_table.h)
 *    whose key is (iface of the VNI, MAC) and whose entry's "iface" field
 *    is a VTEP slot, or VX_SLOT_LOCAL for a MAC of this host (seen as the
 *    source of a frame from a VNI iface, recorded only with `evpn:`).
 *    Bits of the entry word the MAC table leaves free say where a static
 *    entry came from (VX_E_CONFIG, VX_E_EVPN; neither: a verb).
 *  - struct vx_snap: the VTEPs (address, next hop, header template) and
 *    each VNI's flood list.  The control thread builds a new one and
 *    publishes it with one release store (vx_snap_publish()); workers
 *    load it with acquire once per burst and never keep it past their
 *    quiescent state, so the old one is freed after a grace period.
 */
#ifndef VNF_VXLAN_PRIV_H
#define VNF_VXLAN_PRIV_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_arp.h>
#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_hash_crc.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_udp.h>
#include <rte_vxlan.h>

#include "vnf/l2switch/mac_table.h"
#include "vnf/vnf.h"
#include "vnf/vxlan/config.h"

/*
 * Counters by kind (vnf.h, "Counting packets").  Every frame handed to
 * process() ends in one fate: encapsulated to one VTEP, flooded (the
 * original went to the last VTEP of the VNI's flood list, copies to the
 * others), decapsulated, an ARP request for the local VTEP address
 * answered, or one drop reason.  Copies are counted as events
 * (flood-copies) or, when they could not be made or sent, as LOST.
 */
#define VX_COUNTERS(_)                                                         \
	_(VX_ENCAP, "encapsulated", VNF_CK_PASS)                               \
	_(VX_FLOODED, "flooded", VNF_CK_PASS)                                  \
	_(VX_DECAP, "decapsulated", VNF_CK_PASS)                               \
	_(VX_ARP_REPLIED, "arp-replied", VNF_CK_PASS)                          \
	_(VX_ND_REPLIED, "nd-replied", VNF_CK_PASS)                            \
	_(VX_FLOOD_COPIES, "flood-copies", VNF_CK_INFO)                        \
	_(VX_LEARNED, "learned", VNF_CK_INFO)                                  \
	_(VX_MOVED, "mac-moved", VNF_CK_INFO)                                  \
	_(VX_FDB_FULL, "fdb-full", VNF_CK_INFO)                                \
	_(VX_STATIC_MOVE, "static-mac-seen-elsewhere", VNF_CK_INFO)            \
	_(VX_LEARN_NO_VTEP, "learn-unknown-vtep", VNF_CK_INFO)                 \
	_(VX_LOCAL_LEARNED, "local-learned", VNF_CK_INFO)                      \
	_(VX_LOCAL_MOVED, "local-moved", VNF_CK_INFO)                          \
	_(VX_LOST_COPY, "copy-failed", VNF_CK_LOST)                            \
	_(VX_LOST_COPY_BIG, "copy-too-big", VNF_CK_LOST)                       \
	_(VX_LOST_EMIT, "emit-full", VNF_CK_LOST)                              \
	_(VX_DROP_RUNT, "runt", VNF_CK_DROP)                                   \
	_(VX_DROP_TOO_BIG, "too-big", VNF_CK_DROP)                             \
	_(VX_DROP_NO_HEADROOM, "no-headroom", VNF_CK_DROP)                     \
	_(VX_DROP_NO_VTEP, "no-vtep", VNF_CK_DROP)                             \
	_(VX_DROP_NOT_IP, "not-ip", VNF_CK_DROP)                               \
	_(VX_DROP_BAD_OUTER, "bad-outer", VNF_CK_DROP)                         \
	_(VX_DROP_NOT_LOCAL, "not-local", VNF_CK_DROP)                         \
	_(VX_DROP_FRAGMENT, "fragment", VNF_CK_DROP)                           \
	_(VX_DROP_NOT_UDP, "not-udp", VNF_CK_DROP)                             \
	_(VX_DROP_WRONG_PORT, "wrong-port", VNF_CK_DROP)                       \
	_(VX_DROP_BAD_VXLAN, "bad-vxlan", VNF_CK_DROP)                         \
	_(VX_DROP_BAD_GENEVE, "bad-geneve", VNF_CK_DROP)                       \
	_(VX_DROP_GENEVE_OAM, "geneve-oam", VNF_CK_DROP)                       \
	_(VX_DROP_GENEVE_CRITICAL, "geneve-critical", VNF_CK_DROP)             \
	_(VX_DROP_UNKNOWN_VNI, "unknown-vni", VNF_CK_DROP)                     \
	_(VX_DROP_INNER_RUNT, "inner-runt", VNF_CK_DROP)                       \
	_(VX_DROP_ARP_IGNORED, "arp-ignored", VNF_CK_DROP)                     \
	_(VX_DROP_ICMP6_IGNORED, "icmp6-ignored", VNF_CK_DROP)

enum { VX_COUNTERS(VNF_COUNTER_ENUM) VX_N_COUNTERS };

/* Outer headers: Ethernet + IPv4/IPv6 + UDP + VXLAN, or Geneve without
 * options: 8 bytes too, with the VNI in the same bytes 4-6. */
#define VX_HDR4_LEN                                                            \
	(RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv4_hdr) +                     \
	 sizeof(struct rte_udp_hdr) + sizeof(struct rte_vxlan_hdr))
#define VX_HDR6_LEN                                                            \
	(RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv6_hdr) +                     \
	 sizeof(struct rte_udp_hdr) + sizeof(struct rte_vxlan_hdr))
#define VX_HDR_MAX VX_HDR6_LEN
/* The I flag of the VXLAN header's first byte (RFC 7348): a valid VNI. */
#define VX_FLAG_I 0x08
/*
 * Geneve (RFC 8926): byte 0 Ver (2 bits) | Opt Len (6 bits, 4-byte
 * words); byte 1 O (control) | C (critical options) | reserved; bytes 2-3
 * Protocol Type; 4-6 VNI; 7 reserved.  We send Ver 0, no options, O and C
 * clear, Transparent Ethernet Bridging.
 */
#define VX_GENEVE_VER_SHIFT 6
#define VX_GENEVE_OPTLEN_MASK 0x3f
#define VX_GENEVE_O 0x80
#define VX_GENEVE_C 0x40
#define VX_GENEVE_PROTO_TEB 0x6558
/* Source ports: RFC 7348 recommends the dynamic range 49152-65535. */
#define VX_SPORT_BASE 49152u
#define VX_SPORT_MASK 0x3fffu
/* Open-addressing index address -> VTEP slot, a power of two > 2x slots. */
#define VX_VHASH_SIZE 1024u
#define VX_FLOOD_WORDS (VX_MAX_VTEPS / 64)

_Static_assert(VX_MAX_VTEPS < UINT16_MAX, "a VTEP slot is a MAC entry's iface");

/* The FDB entry of a MAC of this host (evpn: the kernel is told). */
#define VX_SLOT_LOCAL 0xffffu
/* A static entry's origin, in bits the MAC table does not use: the
 * config, or the EVPN mirror (which a local MAC may replace: a VM that
 * moved here); neither bit: a verb. */
#define VX_E_CONFIG (UINT64_C(1) << 18)
#define VX_E_EVPN (UINT64_C(1) << 19)

/* Where a VTEP came from (show vtep's origin). */
enum vx_origin {
	VX_ORIGIN_CONFIG,
	VX_ORIGIN_VERB,
	VX_ORIGIN_EVPN,
};
_Static_assert(VNF_MAX_IFACES <= 0xffff,
	       "the FDB key's VLAN bits hold an iface");

/* A remote VTEP: family 0 marks a free slot. */
struct vx_vtep {
	uint8_t family;	    /* AF_INET, AF_INET6, 0: free */
	uint8_t hdr_len;    /* VX_HDR4_LEN or VX_HDR6_LEN */
	uint8_t ip[16];	    /* network order; IPv4 in ip[0..3] */
	uint8_t mac[6];	    /* the underlay next hop */
	bool has_mac;	    /* mac given for it, not the nexthop_mac */
	uint8_t origin;	    /* enum vx_origin */
	uint32_t csum_base; /* IPv4: header sum without total_length */
	/* The outer headers but the per-packet fields (lengths, checksums,
	 * source port, VNI). */
	uint8_t hdr[VX_HDR_MAX] __rte_aligned(8);
};

/* The VTEPs whose BUM frames of one VNI go to, a bit per slot. */
struct vx_flood {
	uint64_t bits[VX_FLOOD_WORDS];
	uint16_t n;
};

struct vx_snap {
	struct vx_flood flood[VNF_MAX_IFACES]; /* by VNI iface */
	uint16_t vhash[VX_VHASH_SIZE];	       /* slot + 1, 0: empty */
	struct vx_vtep vteps[VX_MAX_VTEPS];
};

struct vx {
	struct mac_table fdb; /* (VNI iface, MAC) -> slot */
	_Atomic(struct vx_snap *) snap;
	struct vnf_instance *vi;
	/* The config's scalars, for the verbs' parsers too: vni points to
	 * vni[] below; vteps and fdb are not kept. */
	struct vx_config xc;
	uint32_t vni[VNF_MAX_IFACES];	     /* by iface, [0]: none */
	rte_be32_t vni_word[VNF_MAX_IFACES]; /* VXLAN header word of vni[] */
	rte_be16_t port_be;
	bool geneve; /* encap: geneve (the header's first word, decap) */
	uint16_t n_ifaces;
	uint32_t mtu;
	bool evpn; /* evpn: set: record local MACs (workers) */
	/* `show evpn`: the EVPN mirror's hook, set and called under
	 * ctl_server_lock() (control/mirror/evpn.c). */
	json_t *(*evpn_show)(void *arg);
	void *evpn_arg;
};

/* Worker-owned: which iface the last decapsulated VNI went to. */
struct vx_wstate {
	uint32_t last_vni;
	uint16_t last_iface;
};

/* ---- the inner flow hash --------------------------------------------- */

/*
 * CRC32C of len bytes at p from h, as rte_hash_crc() computes it, but
 * with loads that may be unaligned (memcpy): rte_hash_crc() loads words
 * through casts, which packet fields at odd offsets must not be.
 */
static inline uint32_t
vx_crc(const uint8_t *p, uint32_t len, uint32_t h)
{
	uint64_t q;
	uint32_t d;

	for (; len >= 8; len -= 8, p += 8) {
		memcpy(&q, p, sizeof(q));
		h = rte_hash_crc_8byte(q, h);
	}
	if (len >= 4) {
		memcpy(&d, p, sizeof(d));
		h = rte_hash_crc_4byte(d, h);
		len -= 4;
		p += 4;
	}
	for (; len > 0; len--, p++)
		h = rte_hash_crc_1byte(*p, h);
	return h;
}

/*
 * Worker.  A hash of the inner frame's flow, for the outer UDP source
 * port (ECMP in the underlay spreads flows, keeps each in order): the IP
 * addresses, the protocol and, for TCP/UDP/SCTP first fragments, the
 * ports; the MACs and EtherType of anything else.  One VLAN tag is
 * looked through.
 */
static inline uint32_t
vx_flow_hash(const struct rte_mbuf *m)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t len = m->data_len, off = RTE_ETHER_HDR_LEN, h, a;
	uint16_t type;
	uint8_t proto;

	if (len < RTE_ETHER_HDR_LEN)
		return 0;
	memcpy(&type, p + 12, sizeof(type));
	if (type == RTE_BE16(RTE_ETHER_TYPE_VLAN) && len >= off + 4) {
		memcpy(&type, p + 16, sizeof(type));
		off += 4;
	}
	if (type == RTE_BE16(RTE_ETHER_TYPE_IPV4) && len >= off + 20) {
		const struct rte_ipv4_hdr *ip = (const void *)(p + off);
		uint32_t ihl = (uint32_t)(ip->version_ihl & 0xf) * 4;

		proto = ip->next_proto_id;
		memcpy(&a, &p[off + 12], 4);
		h = rte_hash_crc_4byte(a, proto);
		memcpy(&a, &p[off + 16], 4);
		h = rte_hash_crc_4byte(a, h);
		if ((proto == IPPROTO_TCP || proto == IPPROTO_UDP ||
		     proto == IPPROTO_SCTP) &&
		    !(ip->fragment_offset &
		      RTE_BE16(RTE_IPV4_HDR_OFFSET_MASK)) &&
		    ihl >= 20 && len >= off + ihl + 4) {
			memcpy(&a, &p[off + ihl], 4);
			h = rte_hash_crc_4byte(a, h);
		}
		return h;
	}
	if (type == RTE_BE16(RTE_ETHER_TYPE_IPV6) && len >= off + 40) {
		proto = p[off + 6];
		h = vx_crc(&p[off + 8], 32, proto);
		if ((proto == IPPROTO_TCP || proto == IPPROTO_UDP ||
		     proto == IPPROTO_SCTP) &&
		    len >= off + 44) {
			memcpy(&a, &p[off + 40], 4);
			h = rte_hash_crc_4byte(a, h);
		}
		return h;
	}
	return vx_crc(p, 12, type);
}

/* Worker.  The outer UDP source port of a flow hash, network order. */
static inline rte_be16_t
vx_sport(uint32_t hash)
{
	return rte_cpu_to_be_16(
		(uint16_t)(VX_SPORT_BASE +
			   ((hash ^ (hash >> 16)) & VX_SPORT_MASK)));
}

/* The VXLAN (or Geneve) header's second word for `vni`. */
static inline rte_be32_t
vx_vni_word(uint32_t vni)
{
	return rte_cpu_to_be_32(vni << 8);
}

/* ---- encapsulation ----------------------------------------------------- */

/* The outer IP packet's length for an inner frame of `inner` bytes. */
static inline uint32_t
vx_outer_ip_len(const struct vx_vtep *t, uint32_t inner)
{
	return inner + t->hdr_len - RTE_ETHER_HDR_LEN;
}

/*
 * Worker.  Put the outer headers towards VTEP t in front of m (whose data
 * is the inner frame) with VNI word `vni` and source port `sport`.
 * Returns the iface it leaves by (the underlay), or VNF_DROP(reason):
 * too-big when the outer IP packet would exceed the underlay MTU (the
 * outer IPv4 header says DF: a VXLAN packet is never fragmented), or
 * no-headroom.  m is left as it was on a drop.
 */
static inline uint16_t
vx_encap(const struct vx *vx, const struct vx_vtep *t, rte_be32_t vni,
	 rte_be16_t sport, struct rte_mbuf *m)
{
	uint32_t ip_len = vx_outer_ip_len(t, rte_pktmbuf_pkt_len(m));
	struct rte_udp_hdr *udp;
	struct rte_vxlan_hdr *vh;
	uint8_t *p;

	if (unlikely(ip_len > vx->mtu))
		return VNF_DROP(VX_DROP_TOO_BIG);
	p = (uint8_t *)rte_pktmbuf_prepend(m, t->hdr_len);
	if (unlikely(p == NULL))
		return VNF_DROP(VX_DROP_NO_HEADROOM);
	/* A checksum left to the egress (a guest's checksum offload, which
	 * vhost-user hands on as csum_start = l2_len + l3_len): the inner
	 * L4 header moved back by the outer headers. */
	if (m->ol_flags & RTE_MBUF_F_TX_L4_MASK)
		m->l2_len += t->hdr_len;
	if (t->family == AF_INET) {
		struct rte_ipv4_hdr *ip = (void *)(p + RTE_ETHER_HDR_LEN);
		/* The template's sum plus the length as it lies in memory. */
		uint32_t s = t->csum_base + rte_cpu_to_be_16((uint16_t)ip_len);

		memcpy(p, t->hdr, VX_HDR4_LEN); /* constant: a few stores */

		ip->total_length = rte_cpu_to_be_16((uint16_t)ip_len);
		s = (s & 0xffff) + (s >> 16);
		s = (s & 0xffff) + (s >> 16);
		ip->hdr_checksum = (rte_be16_t)~s;
		udp = (void *)(ip + 1);
		udp->dgram_len = rte_cpu_to_be_16(
			(uint16_t)(ip_len - sizeof(struct rte_ipv4_hdr)));
		udp->src_port = sport;
		vh = (void *)(udp + 1);
		vh->vx_vni = vni;
	} else {
		struct rte_ipv6_hdr *ip = (void *)(p + RTE_ETHER_HDR_LEN);
		uint16_t ck;

		memcpy(p, t->hdr, VX_HDR6_LEN);
		ip->payload_len = rte_cpu_to_be_16(
			(uint16_t)(ip_len - sizeof(struct rte_ipv6_hdr)));
		udp = (void *)(ip + 1);
		udp->dgram_len = ip->payload_len;
		udp->src_port = sport;
		vh = (void *)(udp + 1);
		vh->vx_vni = vni;
		/* A UDP checksum over IPv6: Linux drops zero-checksum
		 * tunnel packets unless told otherwise (udp6zerocsumrx). */
		ck = rte_ipv6_udptcp_cksum_mbuf(
			m, ip, RTE_ETHER_HDR_LEN + sizeof(*ip));
		udp->dgram_cksum = ck;
	}
	return VX_IF_UNDERLAY;
}

/* ---- decapsulation ---------------------------------------------------- */

/* What the underlay checks found in a VXLAN or Geneve packet. */
struct vx_decap {
	uint32_t vni;
	uint16_t outer_len; /* bytes in front of the inner frame */
	uint16_t inner_len; /* the inner frame's length */
	uint8_t family;	    /* of the outer source */
	const uint8_t *src; /* the outer source address, in m */
};

/*
 * Worker.  Check an underlay IP frame m for this VTEP: an IPv4 or IPv6
 * packet to a local VTEP address, not a fragment, UDP to our port, a
 * VXLAN header with the I flag (or, encap: geneve, a Geneve header of
 * version 0, not a control packet, no critical option, carrying
 * Ethernet; its options skipped).  0 and *d, or the drop counter.  Every
 * header read is inside the first segment.  The VNI is not checked here.
 */
static inline int
vx_decap_check(const struct vx *vx, const struct rte_mbuf *m,
	       struct vx_decap *d)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	const struct rte_ether_hdr *eh = (const void *)p;
	const struct rte_udp_hdr *udp;
	const struct rte_vxlan_hdr *vh;
	uint32_t ip_len, l3, ulen, hlen;

	if (eh->ether_type == RTE_BE16(RTE_ETHER_TYPE_IPV4)) {
		const struct rte_ipv4_hdr *ip = (const void *)(eh + 1);
		uint32_t ihl;

		if (m->data_len < RTE_ETHER_HDR_LEN + sizeof(*ip))
			return VX_DROP_BAD_OUTER;
		ihl = (uint32_t)(ip->version_ihl & 0xf) * 4;
		ip_len = rte_be_to_cpu_16(ip->total_length);
		if ((ip->version_ihl >> 4) != 4 || ihl < sizeof(*ip) ||
		    ip_len < ihl || RTE_ETHER_HDR_LEN + ip_len > m->pkt_len)
			return VX_DROP_BAD_OUTER;
		if (!vx->xc.has_local4 ||
		    memcmp(&ip->dst_addr, vx->xc.local4, 4) != 0)
			return VX_DROP_NOT_LOCAL;
		if (ip->fragment_offset &
		    RTE_BE16(RTE_IPV4_HDR_OFFSET_MASK | RTE_IPV4_HDR_MF_FLAG))
			return VX_DROP_FRAGMENT;
		if (ip->next_proto_id != IPPROTO_UDP)
			return VX_DROP_NOT_UDP;
		l3 = ihl;
		ip_len -= ihl;
		d->family = AF_INET;
		d->src = (const uint8_t *)&ip->src_addr;
	} else if (eh->ether_type == RTE_BE16(RTE_ETHER_TYPE_IPV6)) {
		const struct rte_ipv6_hdr *ip = (const void *)(eh + 1);

		if (m->data_len < RTE_ETHER_HDR_LEN + sizeof(*ip))
			return VX_DROP_BAD_OUTER;
		ip_len = rte_be_to_cpu_16(ip->payload_len);
		if ((ip->vtc_flow & RTE_BE32(0xf0000000)) !=
			    RTE_BE32(0x60000000) ||
		    RTE_ETHER_HDR_LEN + sizeof(*ip) + ip_len > m->pkt_len)
			return VX_DROP_BAD_OUTER;
		if (!vx->xc.has_local6 ||
		    memcmp(ip->dst_addr, vx->xc.local6, 16) != 0)
			return VX_DROP_NOT_LOCAL;
		/* Extension headers are not walked: a fragment header
		 * or any other shows here as not UDP. */
		if (ip->proto == IPPROTO_FRAGMENT)
			return VX_DROP_FRAGMENT;
		if (ip->proto != IPPROTO_UDP)
			return VX_DROP_NOT_UDP;
		l3 = sizeof(*ip);
		d->family = AF_INET6;
		d->src = ip->src_addr;
	} else {
		return VX_DROP_NOT_IP;
	}
	if (ip_len < sizeof(*udp) + sizeof(*vh) ||
	    m->data_len < RTE_ETHER_HDR_LEN + l3 + sizeof(*udp) + sizeof(*vh))
		return VX_DROP_BAD_OUTER;
	udp = (const void *)(p + RTE_ETHER_HDR_LEN + l3);
	if (udp->dst_port != vx->port_be)
		return VX_DROP_WRONG_PORT;
	ulen = rte_be_to_cpu_16(udp->dgram_len);
	if (ulen < sizeof(*udp) + sizeof(*vh) || ulen > ip_len)
		return VX_DROP_BAD_OUTER;
	vh = (const void *)(udp + 1);
	hlen = sizeof(*udp) + sizeof(*vh);
	if (!vx->geneve) {
		if (!(*(const uint8_t *)&vh->vx_flags & VX_FLAG_I))
			return VX_DROP_BAD_VXLAN;
	} else {
		const uint8_t *g = (const uint8_t *)vh;

		/* Another version may mean anything past its first word;
		 * a control packet or a critical option we cannot obey
		 * must not be forwarded (RFC 8926 3.4, 3.5.1). */
		if ((g[0] >> VX_GENEVE_VER_SHIFT) != 0)
			return VX_DROP_BAD_GENEVE;
		if (g[1] & VX_GENEVE_O)
			return VX_DROP_GENEVE_OAM;
		if (g[1] & VX_GENEVE_C)
			return VX_DROP_GENEVE_CRITICAL;
		if (g[2] != (VX_GENEVE_PROTO_TEB >> 8) ||
		    g[3] != (VX_GENEVE_PROTO_TEB & 0xff))
			return VX_DROP_BAD_GENEVE;
		/* Non-critical options are skipped: inside the UDP
		 * datagram and the first segment. */
		hlen += (uint32_t)(g[0] & VX_GENEVE_OPTLEN_MASK) * 4;
		if (ulen < hlen || m->data_len < RTE_ETHER_HDR_LEN + l3 + hlen)
			return VX_DROP_BAD_OUTER;
	}
	d->vni = rte_be_to_cpu_32(vh->vx_vni) >> 8;
	d->outer_len = (uint16_t)(RTE_ETHER_HDR_LEN + l3 + hlen);
	d->inner_len = (uint16_t)(ulen - hlen);
	if (d->inner_len < RTE_ETHER_HDR_LEN)
		return VX_DROP_INNER_RUNT;
	return 0;
}

/* ---- VTEPs (encap.c) ------------------------------------------------- */

/* Worker or control thread: the slot of VTEP (family, ip), or -1. */
static inline int
vx_vtep_find(const struct vx_snap *s, uint8_t family, const uint8_t *ip)
{
	uint32_t alen = family == AF_INET ? 4 : 16;
	uint32_t h = vx_crc(ip, alen, family), i;

	for (i = 0; i < VX_VHASH_SIZE; i++) {
		uint16_t e = s->vhash[(h + i) & (VX_VHASH_SIZE - 1)];
		const struct vx_vtep *t;

		if (e == 0)
			return -1;
		t = &s->vteps[e - 1];
		if (t->family == family && memcmp(t->ip, ip, alen) == 0)
			return e - 1;
	}
	return -1;
}

/* Control thread.  A new snapshot, a copy of `old` (NULL: empty), or
 * NULL when out of memory. */
struct vx_snap *vx_snap_new(const struct vx_snap *old);
/* Control thread.  Make `s` the one workers see, and free the old one
 * after a grace period (waits for it). */
void vx_snap_publish(struct vx *vx, struct vx_snap *s);
/* Control thread.  Set VTEP `ip` in s (a new slot, or its slot when it
 * is there): its next hop `mac` (NULL: keep it, or nexthop_mac for a new
 * one).  The slot, or -ENOSPC (every slot taken) or -EINVAL (no MAC). */
int vx_snap_vtep_set(const struct vx *vx, struct vx_snap *s,
		     const struct ctl_prefix *ip, const uint8_t *mac);
/* Control thread.  Free `slot` of s and take it off every flood list. */
void vx_snap_vtep_clear(struct vx_snap *s, int slot);
/* Control thread.  Add slot to (or take it off) the flood list of iface. */
void vx_snap_flood_set(struct vx_snap *s, uint16_t iface, int slot, bool on);
/* The highest slot of a flood list (n > 0). */
static inline int
vx_flood_last(const struct vx_flood *f)
{
	int i;

	for (i = VX_FLOOD_WORDS - 1; i >= 0; i--)
		if (f->bits[i] != 0)
			return i * 64 + 63 - __builtin_clzll(f->bits[i]);
	return -1;
}

/* Control thread: key -> slot as a static entry of origin flags
 * (VX_E_CONFIG, VX_E_EVPN or 0: a verb); 0 or -errno. */
int vx_fdb_set_static(struct vx *vx, uint64_t key, uint16_t slot,
		      uint64_t origin);

/* Verbs and `show vnf` (ctl.c). */
#define VX_N_VERBS 8
extern const struct vnf_verb vx_verbs[VX_N_VERBS];
json_t *vx_details(struct vnf_instance *vi);

#endif /* VNF_VXLAN_PRIV_H */
