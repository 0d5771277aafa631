/* SPDX-License-Identifier: BSD-3-Clause
 *
 * rib_weak.c - stand-ins for the three RIB functions the kernel mirror's
 * iface changes call (router_priv.h, "the kernel mirror's side of the
 * routes"), while they are being written in rib.c and nexthop.c.  Weak:
 * the definitions there replace these at link time, and this file goes
 * once they are in.  They do the least that keeps an iface change
 * consistent: an address's local (and broadcast) route, next-hop MTUs.
 * Kernel routes do not exist without rib.c's, so a link going down has
 * none to remove.  Control thread.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "vnf/router/router_priv.h"

__attribute__((weak)) int
rt_rib_addr_routes(struct rt *rt, uint16_t iface, uint8_t family,
		   const uint8_t *addr, uint8_t len, bool add)
{
	struct rt_fib_op ops[2];
	unsigned int n = 0, done;

	RTE_SET_USED(iface);
	memset(ops, 0, sizeof(ops));
	if (family == AF_INET) {
		rte_be32_t a, mask, bc;

		memcpy(&a, addr, 4);
		mask = rte_cpu_to_be_32(len == 0 ? 0 : ~0u << (32 - len));
		memcpy(ops[n].addr, &a, 4);
		ops[n].len = 32;
		ops[n].nh = RT_NHID_LOCAL;
		ops[n++].del = !add;
		if (len <= 30) {
			bc = a | ~mask;
			memcpy(ops[n].addr, &bc, 4);
			ops[n].len = 32;
			ops[n].nh = RT_NHID_BCAST;
			ops[n++].del = !add;
		}
		return rt_fib_apply(&rt->fib4, ops, n, &done);
	}
	memcpy(ops[0].addr, addr, 16);
	ops[0].len = 128;
	ops[0].nh = RT_NHID_LOCAL;
	ops[0].del = !add;
	return rt_fib_apply(&rt->fib6, ops, 1, &done);
}

__attribute__((weak)) int
rt_rib_iface_down(struct rt *rt, uint16_t iface, unsigned int *removed)
{
	RTE_SET_USED(rt);
	RTE_SET_USED(iface);
	*removed = 0;
	return 0;
}

__attribute__((weak)) void
rt_nh_iface_mtu(struct rt *rt, uint16_t iface, uint16_t mtu)
{
	unsigned int id;

	for (id = RT_NHID_FIRST_DYN; id < RT_NH_MAX; id++) {
		struct rt_nh *nh = &rt->nh[id];

		if ((nh->type == RT_NH_GW || nh->type == RT_NH_CONNECTED) &&
		    nh->iface == iface)
			nh->mtu = mtu;
	}
}
