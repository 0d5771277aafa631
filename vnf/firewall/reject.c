/* SPDX-License-Identifier: BSD-3-Clause
 *
 * reject.c - the answer to a packet that a `reject` rule refuses: a TCP
 * RST for TCP, an ICMP (ICMPv6) port unreachable for anything else, sent
 * back out of the iface the packet came in by, to its Ethernet source and
 * with its VLAN tags.  The firewall has no address of its own, so the
 * answer comes from the address the packet was sent to (like iptables'
 * REJECT on a bridge).
 *
 * Never answered (counted as reject-suppressed): ICMP errors, TCP RSTs,
 * non-first fragments, packets to a multicast or broadcast address or
 * from an unspecified, multicast or broadcast one.  Each worker sends at
 * most FW_REJECT_RATE answers per second with bursts of FW_REJECT_BURST
 * (Linux's icmp_msgs_per_sec / icmp_msgs_burst); the rest are counted as
 * reject-rate-limited.  Worker only.
 */
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "vnf/firewall/fw_priv.h"

#define FW_ICMP4_QUOTE_MAX (576 - 20 - 8)  /* RFC 1812 4.3.2.3 */
#define FW_ICMP6_QUOTE_MAX (1280 - 40 - 8) /* RFC 4443 2.4 (c) */

static bool
fw_reject_token(const struct fw *fw, struct fw_wstate *ws, uint64_t now)
{
	uint64_t add = (now - ws->rl_stamp) / fw->rl_period;

	if (add > 0) {
		ws->rl_tokens = (uint32_t)RTE_MIN(ws->rl_tokens + add,
						  (uint64_t)FW_REJECT_BURST);
		ws->rl_stamp += add * fw->rl_period;
	}
	/* A full bucket does not save up for later. */
	if (ws->rl_tokens == FW_REJECT_BURST)
		ws->rl_stamp = now;
	if (ws->rl_tokens == 0)
		return false;
	ws->rl_tokens--;
	return true;
}

/* May this packet be answered at all? */
static bool
fw_reject_allowed(const struct fw_pkt *pk, const uint8_t *h)
{
	const struct rte_ether_hdr *eh = (const struct rte_ether_hdr *)h;
	const uint8_t *ip = h + pk->l3off, *l4 = h + pk->l4off;

	if (pk->frag == FW_FRAG_LATER ||
	    rte_is_multicast_ether_addr(&eh->src_addr))
		return false;
	if (pk->proto == IPPROTO_TCP && (l4[13] & RTE_TCP_RST_FLAG))
		return false;
	if (pk->family == 4) {
		if (pk->proto == IPPROTO_ICMP &&
		    (pk->icmp_type == 3 || pk->icmp_type == 4 ||
		     pk->icmp_type == 5 || pk->icmp_type == 11 ||
		     pk->icmp_type == 12))
			return false;
		/* src 0.0.0.0/8 or multicast/broadcast; dst likewise. */
		if (ip[12] == 0 || ip[12] >= 224 || ip[16] >= 224)
			return false;
		return true;
	}
	if (pk->proto == IPPROTO_ICMPV6 && pk->icmp_type < 128)
		return false;
	if (ip[8] == 0xff || ip[24] == 0xff)
		return false;
	{
		static const uint8_t zero[16];

		if (memcmp(ip + 8, zero, 16) == 0)
			return false;
	}
	return true;
}

/* Ethernet header (and tags) of the answer: the packet's, MACs swapped. */
static void
fw_reject_l2(uint8_t *p, const uint8_t *h, uint8_t l3off)
{
	memcpy(p, h + 6, 6);
	memcpy(p + 6, h, 6);
	memcpy(p + 12, h + 12, l3off - 12u);
}

static void
fw_reject_ip4(uint8_t *p, const uint8_t *oip, uint16_t tot, uint8_t proto,
	      uint8_t tos)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)p;

	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->type_of_service = tos;
	ip->total_length = rte_cpu_to_be_16(tot);
	ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
	ip->time_to_live = 64;
	ip->next_proto_id = proto;
	memcpy(&ip->src_addr, oip + 16, 4);
	memcpy(&ip->dst_addr, oip + 12, 4);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
}

static void
fw_reject_ip6(uint8_t *p, const uint8_t *oip, uint16_t plen, uint8_t proto)
{
	struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)p;

	ip->vtc_flow = rte_cpu_to_be_32(UINT32_C(6) << 28);
	ip->payload_len = rte_cpu_to_be_16(plen);
	ip->proto = proto;
	ip->hop_limits = 64;
	memcpy(ip->src_addr, oip + 24, 16);
	memcpy(ip->dst_addr, oip + 8, 16);
}

/* A RST for TCP segment (at h, l4 at h + l4off) as RFC 793 says:
 * seq = its ACK if it has one, else ACK its sequence space. */
static int
fw_reject_tcp(struct rte_mbuf *r, const struct fw_pkt *pk, const uint8_t *h,
	      uint32_t l4len)
{
	const uint8_t *oip = h + pk->l3off;
	const struct rte_tcp_hdr *ot =
		(const struct rte_tcp_hdr *)(h + pk->l4off);
	uint32_t l3len = pk->family == 4 ? 20 : 40;
	uint32_t paylen = l4len - (uint32_t)(ot->data_off >> 4) * 4;
	struct rte_tcp_hdr *t;
	uint8_t *p;

	p = (uint8_t *)rte_pktmbuf_append(
		r, (uint16_t)(pk->l3off + l3len + sizeof(*t)));
	if (p == NULL)
		return -1;
	fw_reject_l2(p, h, pk->l3off);
	t = (struct rte_tcp_hdr *)(p + pk->l3off + l3len);
	memset(t, 0, sizeof(*t));
	t->src_port = ot->dst_port;
	t->dst_port = ot->src_port;
	t->data_off = 5 << 4;
	if (ot->tcp_flags & RTE_TCP_ACK_FLAG) {
		t->sent_seq = ot->recv_ack;
		t->tcp_flags = RTE_TCP_RST_FLAG;
	} else {
		uint32_t ack = rte_be_to_cpu_32(ot->sent_seq) + paylen +
			       ((ot->tcp_flags & RTE_TCP_SYN_FLAG) ? 1 : 0) +
			       ((ot->tcp_flags & RTE_TCP_FIN_FLAG) ? 1 : 0);

		t->recv_ack = rte_cpu_to_be_32(ack);
		t->tcp_flags = RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG;
	}
	if (pk->family == 4) {
		struct rte_ipv4_hdr *ip =
			(struct rte_ipv4_hdr *)(p + pk->l3off);

		fw_reject_ip4((uint8_t *)ip, oip, 40, IPPROTO_TCP, 0);
		t->cksum = rte_ipv4_udptcp_cksum(ip, t);
	} else {
		struct rte_ipv6_hdr *ip =
			(struct rte_ipv6_hdr *)(p + pk->l3off);

		fw_reject_ip6((uint8_t *)ip, oip, sizeof(*t), IPPROTO_TCP);
		t->cksum = rte_ipv6_udptcp_cksum(ip, t);
	}
	return 0;
}

/* An ICMP port unreachable quoting the packet m from its IP header on,
 * `iplen` bytes of IP packet at most. */
static int
fw_reject_icmp(struct rte_mbuf *r, const struct fw_pkt *pk, const uint8_t *h,
	       struct rte_mbuf *m, uint32_t iplen)
{
	const bool v4 = pk->family == 4;
	const uint32_t l3len = v4 ? 20 : 40;
	uint32_t quote = RTE_MIN(iplen, v4 ? (uint32_t)FW_ICMP4_QUOTE_MAX
					   : (uint32_t)FW_ICMP6_QUOTE_MAX);
	struct rte_icmp_hdr *ic;
	const void *q;
	uint8_t *p;

	p = (uint8_t *)rte_pktmbuf_append(
		r, (uint16_t)(pk->l3off + l3len + 8 + quote));
	if (p == NULL)
		return -1;
	fw_reject_l2(p, h, pk->l3off);
	ic = (struct rte_icmp_hdr *)(p + pk->l3off + l3len);
	memset(ic, 0, sizeof(*ic));
	q = rte_pktmbuf_read(m, pk->l3off, quote, ic + 1);
	if (q == NULL)
		return -1;
	if (q != (const void *)(ic + 1))
		memcpy(ic + 1, q, quote);
	if (v4) {
		ic->icmp_type = 3; /* destination unreachable */
		ic->icmp_code = 3; /* port unreachable */
		ic->icmp_cksum = (uint16_t)~rte_raw_cksum(ic, 8 + quote);
		fw_reject_ip4(p + pk->l3off, h + pk->l3off,
			      (uint16_t)(l3len + 8 + quote), IPPROTO_ICMP,
			      0xc0);
	} else {
		struct rte_ipv6_hdr *ip =
			(struct rte_ipv6_hdr *)(p + pk->l3off);

		ic->icmp_type = 1; /* destination unreachable */
		ic->icmp_code = 4; /* port unreachable */
		fw_reject_ip6((uint8_t *)ip, h + pk->l3off,
			      (uint16_t)(8 + quote), IPPROTO_ICMPV6);
		ic->icmp_cksum = rte_ipv6_udptcp_cksum(ip, ic);
	}
	return 0;
}

void
fw_reject(struct fw *fw, struct vnf_wctx *w, struct rte_mbuf *m,
	  const struct fw_pkt *pk, uint16_t in)
{
	struct fw_wstate *ws = w->state;
	uint32_t plen = rte_pktmbuf_pkt_len(m), len = RTE_MIN(plen, FW_HDR_MAX);
	uint8_t scratch[FW_HDR_MAX];
	const uint8_t *h = rte_pktmbuf_read(m, 0, len, scratch);
	const uint8_t *oip = h + pk->l3off;
	struct rte_mbuf *r;
	uint32_t iplen;
	uint16_t be;
	int rc;

	if (!fw_reject_allowed(pk, h)) {
		w->counters[FW_C_REJECT_SUPPRESSED]++;
		return;
	}
	if (!fw_reject_token(fw, ws, w->now)) {
		w->counters[FW_C_REJECT_LIMITED]++;
		return;
	}
	r = rte_pktmbuf_alloc(w->pool);
	if (r == NULL) {
		w->counters[FW_C_REJECT_FAILED]++;
		return;
	}
	/* The IP packet's length (without the frame's padding); the parser
	 * checked it fits the frame. */
	memcpy(&be, oip + (pk->family == 4 ? 2 : 4), sizeof(be));
	iplen = rte_be_to_cpu_16(be) + (pk->family == 4 ? 0u : 40u);
	if (pk->proto == IPPROTO_TCP)
		rc = fw_reject_tcp(r, pk, h,
				   iplen - (uint32_t)(pk->l4off - pk->l3off));
	else
		rc = fw_reject_icmp(r, pk, h, m, iplen);
	if (rc != 0 || vnf_emit(w, r, in) != 0) {
		rte_pktmbuf_free(r);
		w->counters[FW_C_REJECT_FAILED]++;
		return;
	}
	w->counters[FW_C_REJECT_SENT]++;
}
