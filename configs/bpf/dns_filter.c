/* SPDX-License-Identifier: BSD-3-Clause
 *
 * dns_filter.c - a wire between ifaces 0 and 1 that lets only DNS through:
 * UDP or TCP from or to port 53 over IPv4 or IPv6 (one 802.1Q tag), and
 * ARP so that the hosts on either side find each other.  Everything else
 * is dropped.  Counters: 0 DNS frames passed, 1 frames dropped.
 *
 * Built by meson (configs/bpf/meson.build); docs/bpf.md.
 */
#include "nfv_bpf.h"

static __attribute__((always_inline)) uint64_t
drop(void)
{
	nfv_bpf_counter_add(1, 1);
	return NFV_BPF_DROP;
}

NFV_BPF_PROG("nfvd/dns") uint64_t dns_only(struct nfv_bpf_ctx *ctx)
{
	uint32_t l3 = 14, l4;
	uint16_t type, sport, dport;
	const uint8_t *ip;
	uint8_t proto;

	if (ctx->in_iface > 1 || ctx->len < 14)
		return drop();
	type = nfv_bpf_be16(ctx->data, 12);
	if (type == 0x8100) {
		if (ctx->len < 18)
			return drop();
		type = nfv_bpf_be16(ctx->data, 16);
		l3 = 18;
	}
	if (type == 0x0806)
		return ctx->in_iface ^ 1;
	ip = nfv_bpf_at(ctx, l3);
	if (type == 0x0800) {
		if (ctx->len < l3 + 20)
			return drop();
		proto = ip[9];
		l4 = l3 + (ip[0] & 0xf) * 4;
		if ((ip[6] & 0x1f) != 0 || ip[7] != 0)
			return drop();
	} else if (type == 0x86dd) {
		if (ctx->len < l3 + 40)
			return drop();
		proto = ip[6];
		l4 = l3 + 40;
	} else {
		return drop();
	}
	if ((proto != 6 && proto != 17) || ctx->len < l4 + 4)
		return drop();
	sport = nfv_bpf_be16(nfv_bpf_at(ctx, l4), 0);
	dport = nfv_bpf_be16(nfv_bpf_at(ctx, l4), 2);
	if (sport != 53 && dport != 53)
		return drop();
	nfv_bpf_counter_add(0, 1);
	return ctx->in_iface ^ 1;
}
