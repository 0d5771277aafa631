/* SPDX-License-Identifier: BSD-3-Clause
 *
 * l2_guard.c - a wire between ifaces 0 and 1 (what comes in by one leaves
 * by the other) that keeps back the frames a bridge must not pass on:
 *  - frames to the IEEE 802.1D link-local group 01:80:c2:00:00:00-0f
 *    (STP BPDUs, pause frames, LACP, 802.1X, LLDP): they speak for the
 *    link they came in by, and a guest's BPDU or pause frame reaching
 *    the other side would act on the wrong link;
 *  - frames from a group (multicast) or all-zero source MAC: no station
 *    sends from those, so the frame is forged or corrupt;
 *  - runts, shorter than an Ethernet header;
 *  - frames from a third iface, when the VNF was given more than two.
 * The common path (a unicast source, a destination outside the link-local
 * group) calls no helper: the VNF's `forwarded` counter counts what
 * passes.  Counters: 0 link-local, 1 bad source, 2 runts, 3 from a third
 * iface (each a drop).
 *
 * Built by meson (configs/bpf/meson.build); configs/bpf-chain.yaml runs
 * it between two vhost-user ports; docs/bpf.md.
 */
#include "nfv_bpf.h"

/* data[] is 4-byte aligned (the context's header is 16 bytes): the
 * source MAC is tested for zero with one 16-bit and one 32-bit load. */
typedef uint16_t __attribute__((may_alias, aligned(2))) u16_aligned;
typedef uint32_t __attribute__((may_alias, aligned(4))) u32_aligned;

enum { LINK_LOCAL, BAD_SOURCE, RUNT, OTHER_IFACE };

static __attribute__((always_inline)) uint64_t
drop(uint32_t why)
{
	nfv_bpf_counter_add(why, 1);
	return NFV_BPF_DROP;
}

NFV_BPF_PROG("nfvd/l2-guard") uint64_t l2_guard(struct nfv_bpf_ctx *ctx)
{
	const uint8_t *d = ctx->data;

	if (ctx->in_iface > 1)
		return drop(OTHER_IFACE);
	if (ctx->len < 14)
		return drop(RUNT);
	/* 01:80:c2:00:00:0X; most frames leave at the first byte. */
	if (d[0] == 0x01 && d[1] == 0x80 && d[2] == 0xc2 && d[3] == 0 &&
	    d[4] == 0 && (d[5] & 0xf0) == 0)
		return drop(LINK_LOCAL);
	if ((d[6] & 1) != 0 || (*(const u16_aligned *)(d + 6) |
				*(const u32_aligned *)(d + 8)) == 0)
		return drop(BAD_SOURCE);
	return ctx->in_iface ^ 1;
}
