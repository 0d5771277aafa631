/* SPDX-License-Identifier: BSD-3-Clause
 *
 * router.h - what the rest of nfvd (the control plane, the netlink mirror,
 * benchmarks) may call on a router VNF instance.  Control thread only.
 *
 * Routes changed here are published with RCU like `nfvctl route add`:
 * packets of routes that did not change are never lost or misrouted.
 */
#ifndef NFV_ROUTER_H
#define NFV_ROUTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vnf_instance;
struct rt_route_config;
struct ctl_prefix;
struct rte_ring;

/* Is vi a router instance? */
bool vnf_router_is(const struct vnf_instance *vi);

/*
 * The punt queue: packets for the router that its fast path does not
 * answer (TCP/UDP to its addresses, other ICMP types, broadcasts, IPv6
 * router solicitations, ...).  An rte_ring of struct rte_mbuf *, filled by
 * workers (multi-producer), read by one consumer (single-consumer
 * dequeue); the reader owns and frees what it takes.  Until this is first
 * called, the router itself discards punted packets every ~100 ms (they
 * are counted as "punted", and "punt_discarded" in `show vnf`).
 */
struct rte_ring *vnf_router_punt_ring(struct vnf_instance *vi);

/*
 * Add a route (`replace`: or replace an existing one), or delete one.
 * 0 or -errno with a one-line reason in err: -EEXIST, -ENOENT, -EPERM (an
 * iface's own connected/local route), -ENETUNREACH (gateway not on a
 * connected subnet), -EAFNOSUPPORT (IPv6 on a router without IPv6
 * addresses), -ENOSPC/-ENOMEM (tables or next hops full).
 */
int vnf_router_route_add(struct vnf_instance *vi,
			 const struct rt_route_config *r, bool replace,
			 char *err, size_t errlen);
int vnf_router_route_del(struct vnf_instance *vi, const struct ctl_prefix *p,
			 char *err, size_t errlen);

/*
 * Load a route file: one route per line, `ip route` style:
 *   PREFIX via ADDR [dev IFACE]
 *   PREFIX dev IFACE
 *   PREFIX via ADDR [dev IFACE] via ADDR [dev IFACE] ...   (multipath)
 *   blackhole PREFIX | unreachable PREFIX
 * '#' starts a comment.  The whole file is checked first (a bad line, or a
 * prefix given twice, fails it with "FILE:LINE: reason" and nothing
 * changes), then applied in one batch: one table rebuild per family at
 * most and one grace period.  *n_loaded: routes added or replaced.
 */
int vnf_router_routes_load(struct vnf_instance *vi, const char *path,
			   bool replace, unsigned int *n_loaded, char *err,
			   size_t errlen);

/* Bytes of DPDK memory the route tables of both families take. */
uint64_t vnf_router_fib_memory(struct vnf_instance *vi);

#endif /* NFV_ROUTER_H */
