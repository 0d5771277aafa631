/* SPDX-License-Identifier: BSD-3-Clause
 *
 * port_classifier.c - sort traffic by service: frames that come in by iface
 * 0 (`in`) leave by 1 (`web`: TCP to port 80 or 443), 2 (`dns`: UDP or
 * TCP to port 53) or 3 (`other`: the rest, not IP included); frames from
 * any other iface go back out by `in`.  IPv4 and IPv6, one 802.1Q tag.
 * Counters: 0 TCP frames, 1 UDP frames seen by the classifier.
 *
 * Built by meson (configs/bpf/meson.build) with
 *   clang -O2 -target bpf -mcpu=v2 -I vnf/bpf -c port_classifier.c
 * and used by configs/bpf.yaml.  docs/bpf.md.
 */
#include "nfv_bpf.h"

enum { IN, WEB, DNS, OTHER };

NFV_BPF_PROG("nfvd/classifier") uint64_t classify(struct nfv_bpf_ctx *ctx)
{
	uint32_t l3 = 14, l4;
	uint16_t type, dport;
	const uint8_t *ip;
	uint8_t proto;

	if (ctx->in_iface != IN)
		return IN;
	if (ctx->len < 14)
		return NFV_BPF_DROP;
	type = nfv_bpf_be16(ctx->data, 12);
	if (type == 0x8100) {
		if (ctx->len < 18)
			return OTHER;
		type = nfv_bpf_be16(ctx->data, 16);
		l3 = 18;
	}
	ip = nfv_bpf_at(ctx, l3);
	if (type == 0x0800) {
		if (ctx->len < l3 + 20)
			return OTHER;
		proto = ip[9];
		l4 = l3 + (ip[0] & 0xf) * 4;
		/* A later fragment has no ports. */
		if ((ip[6] & 0x1f) != 0 || ip[7] != 0)
			return OTHER;
	} else if (type == 0x86dd) {
		if (ctx->len < l3 + 40)
			return OTHER;
		proto = ip[6];
		l4 = l3 + 40;
	} else {
		return OTHER;
	}
	if (proto != 6 && proto != 17)
		return OTHER;
	if (ctx->len < l4 + 4)
		return OTHER;
	nfv_bpf_counter_add(proto == 6 ? 0 : 1, 1);
	dport = nfv_bpf_be16(nfv_bpf_at(ctx, l4), 2);
	if (dport == 53)
		return DNS;
	if (proto == 6 && (dport == 80 || dport == 443))
		return WEB;
	return OTHER;
}
