/* SPDX-License-Identifier: BSD-3-Clause
 *
 * xdp_vxlan.c - the XDP program of an af_xdp port that should see only
 * VXLAN: IPv4 or IPv6 UDP to port 4789 (one 802.1Q tag skipped) goes to
 * nfvd's AF_XDP socket of the queue it came in on, everything else goes
 * on to the kernel's stack (XDP_PASS), so the host keeps its SSH, ARP,
 * routing and the rest on the same interface.
 *
 *   ports:
 *     - {name: u, type: af_xdp, ifname: eth1, queues: 1,
 *        xdp_prog: build/configs/bpf/xdp_vxlan.o}
 *
 * This one runs in the kernel (loaded by DPDK's af_xdp driver, which
 * finds the XSKMAP by its name, xsks_map), not in nfvd's rte_bpf: maps
 * and kernel helpers are fine here.  Built by meson (configs/bpf/
 * meson.build) with clang -O2 -g -target bpf.  docs/bpf.md.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define VXLAN_PORT 4789

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u32);
} xsks_map SEC(".maps");

static __always_inline __u16
be16(const __u8 *p)
{
	return (__u16)(p[0] << 8 | p[1]);
}

SEC("xdp")
int xdp_vxlan(struct xdp_md *ctx)
{
	const __u8 *d = (const __u8 *)(long)ctx->data;
	const __u8 *end = (const __u8 *)(long)ctx->data_end;
	__u32 l3 = 14, l4;
	__u16 type;

	if (d + 18 > end)
		return XDP_PASS;
	type = be16(d + 12);
	if (type == 0x8100) {
		type = be16(d + 16);
		l3 = 18;
	}
	if (type == 0x0800) {
		const __u8 *ip = d + l3;

		if (ip + 20 > end || ip[9] != 17 ||
		    (ip[6] & 0x1f) != 0 || ip[7] != 0)
			return XDP_PASS;
		l4 = l3 + (ip[0] & 0xf) * 4;
	} else if (type == 0x86dd) {
		if (d + l3 + 40 > end || d[l3 + 6] != 17)
			return XDP_PASS;
		l4 = l3 + 40;
	} else {
		return XDP_PASS;
	}
	if (l4 > 78 || d + l4 + 8 > end)
		return XDP_PASS;
	if (be16(d + l4 + 2) != VXLAN_PORT)
		return XDP_PASS;
	/* No socket on this queue: the kernel gets it (XDP_PASS). */
	return bpf_redirect_map(&xsks_map, ctx->rx_queue_index, XDP_PASS);
}

char _license[] SEC("license") = "Dual BSD/GPL";
