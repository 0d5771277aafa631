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
struct rte_mbuf;
typedef struct json_t json_t;

/* Is vi a router instance? */
bool vnf_router_is(const struct vnf_instance *vi);

/*
 * Tests: the IPv4 fast lane (docs/router.md) on (the default) or off: off,
 * steps 1-4 take every frame, so that a test can compare the two.  Before
 * the instance takes packets.
 */
void vnf_router_fast_lane_set(struct vnf_instance *vi, bool on);

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

/* ==== the kernel mirror (control/mirror/, docs/control-plane.md) =========== */

/*
 * `mirror: {netns: NAME, table: N}` of the router's config, or NULL when
 * the router has none.  netns is a valid `ip netns` name; table is
 * 1..2^32-1 except 255 (local), default 254 (main).
 */
struct vnf_router_mirror_config {
	char netns[64];
	uint32_t table;
	uint32_t max_routes;	/* `mirror.max_routes`: FIB sizing hint, 0: default */
};
const struct vnf_router_mirror_config *
vnf_router_mirror_config(const struct vnf_instance *vi);

/* The router's ifaces as the mirror needs them for the twins. */
unsigned int vnf_router_n_ifaces(const struct vnf_instance *vi);
const char *vnf_router_iface_name(const struct vnf_instance *vi, uint16_t iface);
void vnf_router_iface_mac(const struct vnf_instance *vi, uint16_t iface,
			  uint8_t mac[6]);
uint16_t vnf_router_iface_mtu(const struct vnf_instance *vi, uint16_t iface);
/* `svi: NAME` of the iface: the existing device of the mirror's netns that
 * is its kernel side instead of a twin tap; NULL for a twin. */
const char *vnf_router_iface_svi(const struct vnf_instance *vi, uint16_t iface);
/*
 * The addresses of the config on iface (both families): call fn for each
 * (family AF_INET/AF_INET6, address in network order, prefix length).
 */
void vnf_router_iface_config_addrs(const struct vnf_instance *vi,
				   uint16_t iface,
				   void (*fn)(uint8_t family, const uint8_t *addr,
					      uint8_t len, void *arg),
				   void *arg);

/* ---- punt and inject ------------------------------------------------------ */

/*
 * Attach the kernel twins.  From then on the fast path hands to the punt
 * ring (instead of answering or dropping itself): ARP requests and ND
 * solicitations for the router's addresses (after learning the sender, as
 * before; the kernel answers), a copy of ARP replies and ND advertisements
 * addressed to the router (the router learns from the original too),
 * every packet to the router's own addresses (ICMP echo included), IPv4
 * 224.0.0.0/24 and IPv6 ff02::/16 multicast and IPv6 link-local
 * destinations.  A punted mbuf has m->port set to the ingress iface index
 * (not a port id).  The fast path keeps forwarding, TTL/ICMP errors and
 * resolving its own next hops.
 *
 * wake_fd (an eventfd, or -1): a worker that puts a packet on the punt
 * ring while the ring is armed (vnf_router_punt_arm()) disarms it and
 * writes 1 to wake_fd, so the reader sleeps in epoll while nothing is
 * punted and workers make one syscall per wake-up, not per packet.
 *
 * Returns the punt ring (single consumer: the caller), NULL if vi is not
 * a router.  Detach (vnf_router_twin_detach) before the router is
 * destroyed: the fast path goes back to answering itself; packets left on
 * the rings are freed by the router.
 */
struct rte_ring *vnf_router_twin_attach(struct vnf_instance *vi, int wake_fd);
void vnf_router_twin_detach(struct vnf_instance *vi);
/* Arm the wake-up (see above).  Call after draining the ring, then drain
 * once more: a packet put between the two is not missed. */
void vnf_router_punt_arm(struct vnf_instance *vi);

/*
 * Frames the kernel sent on a twin: each m[i] (a whole Ethernet frame,
 * from any mempool) leaves by router iface iface[i] as it is.  Queued on
 * a ring that the workers drain (vnf_ops.poll), single producer.  Returns
 * how many were queued (the first ones); the caller frees and counts the
 * rest.  Lock not needed (a ring).
 */
unsigned int vnf_router_inject(struct vnf_instance *vi, struct rte_mbuf **m,
			       const uint16_t *iface, unsigned int n);

/* `show mirror`: the router serves the verb and calls fn (under the lock)
 * for its JSON object; fn NULL unhooks. */
void vnf_router_mirror_hook(struct vnf_instance *vi,
			    json_t *(*fn)(void *arg), void *arg);

/* ---- kernel state ------------------------------------------------------------ */

/* What a kernel route's type becomes (rtm_type). */
enum vnf_router_rtype {
	VNF_RT_UNICAST,		/* RTN_UNICAST */
	VNF_RT_BLACKHOLE,	/* RTN_BLACKHOLE: dropped silently */
	VNF_RT_UNREACHABLE,	/* RTN_UNREACHABLE: ICMP host unreachable */
	VNF_RT_PROHIBIT,	/* RTN_PROHIBIT: ICMP admin prohibited */
};

#define VNF_ROUTER_NH_MAX 16	/* == NFV_MAX_NEXTHOPS: members of an ECMP group */

struct vnf_router_nh {
	uint16_t iface;		/* router iface index (the twin's) */
	bool has_gw;		/* false: on link (a connected route) */
	uint8_t weight;		/* rtnh_hops + 1; 1 when not given */
	uint8_t gw[16];		/* network order, IPv4 in gw[0..3]; IPv6
				 * link-local gateways are fine (key: iface) */
};

/*
 * One route change from the kernel.  A prefix may have kernel routes of
 * several metrics (`ip route add P via G metric 100` beside the metric 0
 * one): the lowest is the one forwarded, the others are kept behind it as
 * standby routes, shown and taking over in metric order when it goes, as
 * in the kernel.  An add replaces the kernel route of the same prefix and
 * metric if there is one (plain adds and NLM_F_REPLACE alike: the kernel
 * already decided); a delete removes the route of that prefix and metric
 * (absent: not an error; only family/addr/len/metric are read).  proto
 * is rtm_protocol: RTPROT_KERNEL routes are shown as connected; `show
 * routes` names the others ("boot", "static", "bgp", "ospf", "zebra",
 * "bird", ... or the number).
 */
struct vnf_router_kroute {
	uint8_t family;		/* AF_INET, AF_INET6 */
	uint8_t len;
	uint8_t type;		/* enum vnf_router_rtype */
	uint8_t proto;
	bool del;
	uint8_t n_nh;		/* VNF_RT_UNICAST: 1..VNF_ROUTER_NH_MAX */
	uint32_t metric;	/* RTA_PRIORITY; 0 when absent */
	uint8_t addr[16];	/* network order, host bits zero */
	struct vnf_router_nh nh[VNF_ROUTER_NH_MAX];
};

/*
 * Apply ops[0..n) in order (a later op on a prefix wins) as one batch: one
 * FIB publish and one grace period per family touched, so that a batch of
 * thousands costs about what one route costs.
 *
 * Precedence (docs/control-plane.md): a prefix may have a config route
 * (config file, route file, `nfvctl route add`) and a kernel route at
 * once; the config route is the one forwarded on, the kernel route is
 * kept behind it and takes over when the config route is deleted.  The
 * ifaces' own local/broadcast routes are never replaced.
 *
 * An op that cannot be applied (iface index out of range or down, next
 * hops or table full, IPv6 off) is skipped: *failed counts them and err
 * gets the first reason; the others are applied.  Returns 0, or -errno
 * (-ENOMEM) when the batch could not be applied at all.
 */
int vnf_router_kroutes_apply(struct vnf_instance *vi,
			     const struct vnf_router_kroute *ops,
			     unsigned int n, unsigned int *failed, char *err,
			     size_t errlen);

/*
 * Resync.  mark: start a new generation; every kernel route added from
 * now on (an add of an unchanged route included, which costs no FIB
 * change) belongs to it.  sweep: delete, in one batch, every kernel route
 * not added since the last mark; *removed how many.  The same for kernel
 * neighbours (vnf_router_kneigh_*), which have their own mark/sweep.
 */
void vnf_router_kroutes_mark(struct vnf_instance *vi);
int vnf_router_kroutes_sweep(struct vnf_instance *vi, unsigned int *removed);

/* Number of kernel routes held (both families), shown and forwarded or not
 * (standby routes of other metrics included). */
uint32_t vnf_router_kroutes_count(const struct vnf_instance *vi);

/*
 * An address of a twin (RTM_NEWADDR/DELADDR): the iface gets or loses it
 * with its local route (and IPv4 broadcast), so the fast path answers ARP
 * and punts for it.  The connected subnet route is the kernel's (proto
 * kernel) and comes as a kroute.  Adding an address the iface has (the
 * config's, put on the twin at start) is not an error; deleting one of
 * the config's is allowed (the kernel is the truth once mirrored).
 * -ENOSPC when the iface has NFV_MAX_ADDRS already, -EINVAL on a bad
 * iface or family.
 */
int vnf_router_addr_add(struct vnf_instance *vi, uint16_t iface,
			uint8_t family, const uint8_t *addr, uint8_t len);
int vnf_router_addr_del(struct vnf_instance *vi, uint16_t iface,
			uint8_t family, const uint8_t *addr, uint8_t len);

/*
 * Link state of a twin (RTM_NEWLINK): up (IFF_UP and IFF_LOWER_UP/
 * running) and MTU.  Down: packets the router would send by the iface are
 * dropped (counted "iface-down") and every kernel route whose next hops
 * all leave by it is removed at once (the kernel does not announce those
 * deletions; members by it leave an ECMP group); routes come back when
 * the kernel sends them again after the link is up.  MTU: the fast path's
 * MTU checks and fragmentation use the new value at once.
 */
int vnf_router_link_set(struct vnf_instance *vi, uint16_t iface, bool up,
			uint16_t mtu);

/*
 * A neighbour of the kernel (RTM_NEWNEIGH on a twin) with a MAC:
 * permanent entries become static; reachable, stale, delay and probe ones
 * usable entries that the router then confirms and ages itself.  del (or
 * states incomplete/failed/none): forgotten unless the config made it
 * static.  Entries the router learned itself are updated, not duplicated.
 */
int vnf_router_kneigh_set(struct vnf_instance *vi, uint16_t iface,
			  uint8_t family, const uint8_t *ip,
			  const uint8_t mac[6], bool permanent);
int vnf_router_kneigh_del(struct vnf_instance *vi, uint16_t iface,
			  uint8_t family, const uint8_t *ip);
/*
 * The neighbours the router resolved itself (ARP/ND: not the config's,
 * not the kernel's) in a usable state on its `svi:` ifaces: fn for each
 * (family, ip in network order, MAC).  The mirror writes them back to the
 * svi device, so that zebra advertises them as type-2 MAC+IP routes.
 * Control thread (under ctl_server_lock()).
 */
void vnf_router_svi_neighs(struct vnf_instance *vi,
			   void (*fn)(uint16_t iface, uint8_t family,
				      const uint8_t *ip, const uint8_t mac[6],
				      void *arg),
			   void *arg);
void vnf_router_kneigh_mark(struct vnf_instance *vi);
int vnf_router_kneigh_sweep(struct vnf_instance *vi, unsigned int *removed);

#endif /* NFV_ROUTER_H */
