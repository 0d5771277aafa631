/* SPDX-License-Identifier: BSD-3-Clause
 *
 * fwt_pkt.h - frames for the firewall's tests and benchmark: Ethernet
 * (optionally 802.1Q-tagged), IPv4 or IPv6 (optionally a fragment), TCP,
 * UDP, ICMP/ICMPv6 echo or error with a quoted packet, any other protocol;
 * checksums filled in.  Header-only, no cmocka.
 */
#ifndef NFV_TESTS_FWT_PKT_H
#define NFV_TESTS_FWT_PKT_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ip.h>

#define FWT_FRAME_MAX 2048

struct fwt_frame {
	uint8_t b[FWT_FRAME_MAX];
	uint16_t len;
};

struct fwt_spec {
	const char *src, *dst; /* IPv4 or IPv6 text; the family follows */
	uint8_t proto;	       /* IPPROTO_TCP/UDP/ICMP/ICMPV6/other */
	uint16_t sport, dport;
	uint8_t flags; /* TCP flags */
	uint32_t seq, ack;
	uint8_t type, code; /* ICMP */
	uint16_t id;	    /* ICMP echo identifier */
	uint16_t payload;   /* bytes after the L4 header */
	int vlan;	    /* >= 0: one 802.1Q tag */
	bool frag;	    /* a fragment (v4 flags / v6 fragment header) */
	uint16_t frag_off;  /* in 8-byte units */
	bool mf;	    /* more fragments */
	uint32_t frag_id;
	bool l4_none; /* a later fragment: no L4 header, payload only */
	const struct fwt_frame
		*quote;	    /* ICMP error: quote this frame's IP packet */
	uint16_t quote_len; /* ... this many bytes of it (0: all) */
	bool reverse_mac;   /* from MAC B to MAC A instead of A to B */
};

static const uint8_t fwt_mac_a[6] = {0x02, 0, 0, 0, 0, 0x0a};
static const uint8_t fwt_mac_b[6] = {0x02, 0, 0, 0, 0, 0x0b};

static inline void
fwt_put16(uint8_t *p, uint16_t v_be)
{
	memcpy(p, &v_be, sizeof(v_be));
}

static inline void
fwt_put32(uint8_t *p, uint32_t v_be)
{
	memcpy(p, &v_be, sizeof(v_be));
}

/* Ones' complement sum helper for checksums over the whole L4 part. */
static inline uint16_t
fwt_cksum_fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/* Build the frame described by sp.  Returns its length (0 on nonsense). */
static inline uint16_t
fwt_build(struct fwt_frame *f, const struct fwt_spec *sp)
{
	uint8_t a_src[16], a_dst[16], *p = f->b, *ip, *l4;
	bool v6 = strchr(sp->src, ':') != NULL;
	uint16_t off = 12, l4len = 0, iplen;
	unsigned int i;

	memset(f, 0, sizeof(*f));
	if (inet_pton(v6 ? AF_INET6 : AF_INET, sp->src, a_src) != 1 ||
	    inet_pton(v6 ? AF_INET6 : AF_INET, sp->dst, a_dst) != 1)
		return 0;
	memcpy(p, sp->reverse_mac ? fwt_mac_a : fwt_mac_b, 6);
	memcpy(p + 6, sp->reverse_mac ? fwt_mac_b : fwt_mac_a, 6);
	if (sp->vlan >= 0) {
		p[off++] = 0x81;
		p[off++] = 0x00;
		p[off++] = (uint8_t)(sp->vlan >> 8);
		p[off++] = (uint8_t)sp->vlan;
	}
	p[off++] = v6 ? 0x86 : 0x08;
	p[off++] = v6 ? 0xdd : 0x00;
	ip = p + off;
	l4 = ip + (v6 ? 40 + (sp->frag ? 8 : 0) : 20);

	/* The transport header and payload. */
	if (!sp->l4_none) {
		switch (sp->proto) {
		case IPPROTO_TCP:
			l4len = 20;
			l4[0] = (uint8_t)(sp->sport >> 8);
			l4[1] = (uint8_t)sp->sport;
			l4[2] = (uint8_t)(sp->dport >> 8);
			l4[3] = (uint8_t)sp->dport;
			fwt_put32(l4 + 4, rte_cpu_to_be_32(sp->seq));
			fwt_put32(l4 + 8, rte_cpu_to_be_32(sp->ack));
			l4[12] = 5 << 4;
			l4[13] = sp->flags;
			l4[14] = 0xff;
			l4[15] = 0xff;
			break;
		case IPPROTO_UDP:
		case IPPROTO_SCTP:
			l4len = sp->proto == IPPROTO_UDP ? 8 : 12;
			l4[0] = (uint8_t)(sp->sport >> 8);
			l4[1] = (uint8_t)sp->sport;
			l4[2] = (uint8_t)(sp->dport >> 8);
			l4[3] = (uint8_t)sp->dport;
			break;
		case IPPROTO_ICMP:
		case IPPROTO_ICMPV6:
			l4len = 8;
			l4[0] = sp->type;
			l4[1] = sp->code;
			l4[4] = (uint8_t)(sp->id >> 8);
			l4[5] = (uint8_t)sp->id;
			if (sp->quote != NULL) {
				const uint8_t *qb = sp->quote->b;
				uint16_t qoff = (qb[12] == 0x81) ? 18 : 14;
				uint16_t ql =
					sp->quote_len
						? sp->quote_len
						: (uint16_t)(sp->quote->len -
							     qoff);

				memcpy(l4 + 8, qb + qoff, ql);
				l4len += ql;
			}
			break;
		default:
			break;
		}
	}
	for (i = 0; i < sp->payload; i++)
		l4[l4len + i] = (uint8_t)(i * 7 + 1);
	l4len += sp->payload;
	if (sp->proto == IPPROTO_UDP && !sp->l4_none) {
		l4[4] = (uint8_t)(l4len >> 8);
		l4[5] = (uint8_t)l4len;
	}

	/* The IP header. */
	if (!v6) {
		struct rte_ipv4_hdr *h = (struct rte_ipv4_hdr *)ip;

		iplen = (uint16_t)(20 + l4len);
		h->version_ihl = 0x45;
		h->total_length = rte_cpu_to_be_16(iplen);
		h->packet_id = rte_cpu_to_be_16((uint16_t)sp->frag_id);
		h->fragment_offset = rte_cpu_to_be_16(
			(uint16_t)((sp->frag ? sp->frag_off : 0) |
				   (sp->mf ? RTE_IPV4_HDR_MF_FLAG : 0)));
		h->time_to_live = 64;
		h->next_proto_id = sp->proto;
		memcpy(&h->src_addr, a_src, 4);
		memcpy(&h->dst_addr, a_dst, 4);
		h->hdr_checksum = rte_ipv4_cksum(h);
		if (!sp->frag && !sp->l4_none) {
			if (sp->proto == IPPROTO_TCP ||
			    sp->proto == IPPROTO_UDP)
				fwt_put16(l4 + (sp->proto == IPPROTO_TCP ? 16
									 : 6),
					  rte_ipv4_udptcp_cksum(h, l4));
			else if (sp->proto == IPPROTO_ICMP)
				fwt_put16(l4 + 2,
					  (uint16_t)~fwt_cksum_fold(
						  rte_raw_cksum(l4, l4len)));
		}
	} else {
		struct rte_ipv6_hdr *h = (struct rte_ipv6_hdr *)ip;
		uint16_t plen = (uint16_t)(l4len + (sp->frag ? 8 : 0));

		iplen = (uint16_t)(40 + plen);
		h->vtc_flow = rte_cpu_to_be_32(UINT32_C(6) << 28);
		h->payload_len = rte_cpu_to_be_16(plen);
		h->proto = sp->frag ? IPPROTO_FRAGMENT : sp->proto;
		h->hop_limits = 64;
		memcpy(h->src_addr, a_src, 16);
		memcpy(h->dst_addr, a_dst, 16);
		if (sp->frag) {
			uint8_t *fh = ip + 40;
			uint16_t fo = (uint16_t)((sp->frag_off << 3) |
						 (sp->mf ? 1 : 0));

			fh[0] = sp->proto;
			fh[2] = (uint8_t)(fo >> 8);
			fh[3] = (uint8_t)fo;
			fwt_put32(fh + 4, rte_cpu_to_be_32(sp->frag_id));
		} else if (!sp->l4_none && (sp->proto == IPPROTO_TCP ||
					    sp->proto == IPPROTO_UDP ||
					    sp->proto == IPPROTO_ICMPV6)) {
			fwt_put16(l4 + (sp->proto == IPPROTO_TCP   ? 16
					: sp->proto == IPPROTO_UDP ? 6
								   : 2),
				  rte_ipv6_udptcp_cksum(h, l4));
		}
	}
	f->len = (uint16_t)(off + iplen);
	return f->len;
}

#endif /* NFV_TESTS_FWT_PKT_H */
