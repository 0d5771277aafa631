/* SPDX-License-Identifier: BSD-3-Clause
 *
 * router_priv.h - the router VNF's internals, shared by its files:
 *   router.c  create/destroy/periodic and the fast path (process), with
 *             the general IPv4 and IPv6 paths
 *   fwd.h     the inline IPv4 and IPv6 forwarding fast paths, side by side
 *   fib.c     the double-buffered rte_fib / rte_fib6 tables
 *   nexthop.c the next-hop table the FIBs point into
 *   neigh.c   the ARP/ND neighbour table, resolution and its queues
 *   icmp.c    ICMP/ICMPv6 replies and errors, the rate limit
 *   rib.c     routes on the control side: config, route add/del, route
 *             files, connected routes; next hops resolved, FIBs updated
 *   ctl.c     control verbs as a table (show routes/neigh, route add/del)
 *             and details for show vnf
 *   kernel.c  the kernel mirror's side: ifaces changed at run time, the
 *             twins' punt wake-up and inject queue (poll), show mirror;
 *             kernel neighbours are neigh.c's
 *
 * Data the workers read and who writes it:
 *   - rt->ifaces[]: the MAC and link-local address are written once by
 *     create(); the addresses, the MTU and the link state change at run
 *     time (the kernel mirror) and are read by workers without a lock:
 *     see struct rt_iface.
 *   - the FIBs: rt_fib publishes a whole table with one release store; the
 *     table a worker may be reading is never modified (see fib.c).
 *   - rt->nh[]: an entry is written by the control thread before any FIB
 *     refers to it, and cleared only after no FIB refers to it and a grace
 *     period has passed (see nexthop.c).
 *   - rt->neigh: the neighbour table, written by workers (ARP/ND learning,
 *     resolution) and the control thread (static entries, ageing) with
 *     atomics only (see neigh.c).
 *   - struct rt_worker: one per worker, written by that worker only (the
 *     control thread touches it only when workers are stopped).
 */
#ifndef NFV_ROUTER_PRIV_H
#define NFV_ROUTER_PRIV_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>

#include "vnf/lib/lf_table.h"
#include "vnf/lib/tick.h"
#include "vnf/router/router.h"
#include "vnf/vnf.h"

struct rte_hash;
struct rte_ring;
struct rte_rcu_qsbr;
struct ctl_vnf_config;
struct rt_route_config;
struct ctl_prefix;
struct rt_rib; /* rib.c (R1) */

/*
 * Counters and drop reasons, by kind (vnf.h, docs/router.md "Counters").
 * Every packet the router is handed ends in exactly one PASS or DROP
 * counter, or is in held-for-resolution meanwhile: forwarded-ipv4/6 count
 * a packet when it leaves (a held one when it is released), never when it
 * is queued.  A PASS counter may be used with VNF_DROP(): the packet was
 * consumed (an ARP reply learned) and is counted under that name.  INFO
 * counters are events; LOST ones count packets the router made itself
 * (ARP/ND requests, ICMP errors, fragments) that could not be sent.
 */
#define RT_COUNTERS(_)                                                         \
	_(RT_C_FWD4, "forwarded-ipv4", VNF_CK_PASS)                            \
	_(RT_C_FWD6, "forwarded-ipv6", VNF_CK_PASS)                            \
	_(RT_C_MULTIPATH, "multipath-forwarded", VNF_CK_INFO)                  \
	_(RT_C_ECHO4, "echo-replies-ipv4", VNF_CK_PASS)                        \
	_(RT_C_ECHO6, "echo-replies-ipv6", VNF_CK_PASS)                        \
	_(RT_C_ARP_REPLIES, "arp-replies-sent", VNF_CK_PASS)                   \
	_(RT_C_ARP_REQUESTS, "arp-requests-sent", VNF_CK_INFO)                 \
	_(RT_C_ARP_IN, "arp-received", VNF_CK_PASS)                            \
	_(RT_C_NA_SENT, "nd-advertisements-sent", VNF_CK_PASS)                 \
	_(RT_C_NS_SENT, "nd-solicitations-sent", VNF_CK_INFO)                  \
	_(RT_C_ND_IN, "nd-received", VNF_CK_PASS)                              \
	_(RT_C_NEIGH_LEARNED, "neigh-learned", VNF_CK_INFO)                    \
	_(RT_C_NEIGH_UPDATED, "neigh-updated", VNF_CK_INFO)                    \
	_(RT_G_HELD, "held-for-resolution", VNF_CK_HELD)                       \
	_(RT_C_QUEUED, "queued-for-resolution", VNF_CK_INFO)                   \
	_(RT_C_RELEASED, "released-after-resolution", VNF_CK_INFO)             \
	_(RT_C_PUNTED, "punted", VNF_CK_PASS)                                  \
	_(RT_C_ICMP_ERRORS, "icmp-errors-sent", VNF_CK_INFO)                   \
	_(RT_C_ICMP_LIMITED, "icmp-errors-rate-limited", VNF_CK_INFO)          \
	_(RT_C_FRAGMENTS, "fragments-sent", VNF_CK_INFO)                       \
	_(RT_D_RUNT, "runt", VNF_CK_DROP)                                      \
	_(RT_D_NOT_FOR_US, "not-for-us", VNF_CK_DROP)                          \
	_(RT_D_ETHERTYPE, "unknown-ethertype", VNF_CK_DROP)                    \
	_(RT_D_V4_VERSION, "ipv4-bad-version", VNF_CK_DROP)                    \
	_(RT_D_V4_IHL, "ipv4-bad-ihl", VNF_CK_DROP)                            \
	_(RT_D_V4_LEN, "ipv4-bad-length", VNF_CK_DROP)                         \
	_(RT_D_V4_CKSUM, "ipv4-bad-checksum", VNF_CK_DROP)                     \
	_(RT_D_V6_VERSION, "ipv6-bad-version", VNF_CK_DROP)                    \
	_(RT_D_V6_LEN, "ipv6-bad-length", VNF_CK_DROP)                         \
	_(RT_D_V6_OFF, "ipv6-disabled", VNF_CK_DROP)                           \
	_(RT_D_MARTIAN, "martian-address", VNF_CK_DROP)                        \
	_(RT_D_LINKLOCAL, "link-local-scope", VNF_CK_DROP)                     \
	_(RT_D_MCAST, "multicast-not-routed", VNF_CK_DROP)                     \
	_(RT_D_TTL, "ttl-exceeded", VNF_CK_DROP)                               \
	_(RT_D_NO_ROUTE, "no-route", VNF_CK_DROP)                              \
	_(RT_D_BLACKHOLE, "blackhole", VNF_CK_DROP)                            \
	_(RT_D_UNREACH, "unreachable-route", VNF_CK_DROP)                      \
	_(RT_D_TOO_BIG, "too-big", VNF_CK_DROP)                                \
	_(RT_D_FRAG_FAIL, "fragmentation-failed", VNF_CK_DROP)                 \
	_(RT_D_ARP_BAD, "arp-malformed", VNF_CK_DROP)                          \
	_(RT_D_ARP_IGNORED, "arp-ignored", VNF_CK_DROP)                        \
	_(RT_D_ND_BAD, "nd-malformed", VNF_CK_DROP)                            \
	_(RT_D_ND_IGNORED, "nd-ignored", VNF_CK_DROP)                          \
	_(RT_D_ICMP_BAD, "icmp-malformed", VNF_CK_DROP)                        \
	_(RT_D_NEIGH_QFULL, "neigh-queue-full", VNF_CK_DROP)                   \
	_(RT_D_NEIGH_PENDING, "neigh-pending-table-full", VNF_CK_DROP)         \
	_(RT_D_NEIGH_TIMEOUT, "neigh-timeout", VNF_CK_DROP)                    \
	_(RT_D_NEIGH_FULL, "neigh-table-full", VNF_CK_DROP)                    \
	_(RT_D_NO_SRC, "no-source-address", VNF_CK_LOST)                       \
	_(RT_D_PUNT_FULL, "punt-queue-full", VNF_CK_DROP)                      \
	_(RT_D_NOMBUF, "mbuf-alloc-failed", VNF_CK_LOST)                       \
	_(RT_D_EMIT_FULL, "emit-full", VNF_CK_LOST)                            \
	_(RT_L_FRAG_LOST, "fragments-lost", VNF_CK_LOST)                       \
	/* R2: the kernel mirror (docs/router.md "Kernel twins") */            \
	_(RT_D_IFACE_DOWN, "iface-down", VNF_CK_DROP)                          \
	_(RT_L_IFACE_DOWN, "iface-down-lost", VNF_CK_LOST)                     \
	_(RT_C_INJECTED, "injected", VNF_CK_INFO)                              \
	_(RT_C_PUNT_WAKEUPS, "punt-wakeups", VNF_CK_INFO)                      \
	_(RT_D_NO_TWIN, "no-twin", VNF_CK_DROP)

enum { RT_COUNTERS(VNF_COUNTER_ENUM) RT_N_COUNTERS };

/* ICMP types and codes (rte_icmp.h of DPDK 22.11 has only echo). */
#define RT_ICMP_DEST_UNREACH 3
#define RT_ICMP_TIME_EXCEEDED 11
#define RT_ICMP_CODE_NET 0
#define RT_ICMP_CODE_HOST 1
#define RT_ICMP_CODE_FRAG_NEEDED 4
#define RT_ICMP6_DEST_UNREACH 1
#define RT_ICMP6_PACKET_TOO_BIG 2
#define RT_ICMP6_TIME_EXCEEDED 3
#define RT_ICMP6_CODE_NOROUTE 0
#define RT_ICMP6_CODE_ADDR 3

/* ---- sizes and timers ---------------------------------------------------- */

/* Addresses of one family on one iface: as many as the config allows of
 * both together, so that any config that loads fits. */
#define RT_ADDR_MAX NFV_MAX_ADDRS
#define RT_NH_MAX 32768		/* next-hop ids: 2-byte FIB entries, 15 bits */
#define RT_NH_GROUP_MAX NFV_MAX_NEXTHOPS /* members of a multipath group */
#define RT_NEIGH_DEFAULT 65536	/* neighbour table entries */
_Static_assert(RT_NEIGH_DEFAULT >= NFV_MAX_NEIGHBORS,
	       "every static neighbour of a config fits the table");
#define RT_PENDING_MAX 64	/* unresolved neighbours per worker */
#define RT_PENDING_QLEN 8	/* packets held per unresolved neighbour */
#define RT_PUNT_RING 1024	/* punt queue entries */
#define RT_INJECT_RING 1024	/* frames of the kernel twins, queued */
#define RT_SOLICIT_MAX 3	/* ARP/NS requests before a neighbour fails */
#define RT_RETRANS_MS 1000	/* between two ARP/NS requests */
#define RT_REACHABLE_S 30	/* REACHABLE -> STALE */
#define RT_STALE_GC_S 60	/* unused STALE entries are removed */
#define RT_FAILED_GC_S 10	/* FAILED entries are removed */
#define RT_ICMP_RATE 1000	/* ICMP errors per second per worker */
#define RT_ICMP_BURST 100
#define RT_TICK_SHIFT NFV_TICK_SHIFT /* vnf/lib/tick.h: ~0.4 ms */
#define RT_TTL 64		/* TTL / hop limit of what the router sends */

/* Marks a packet that process() consumed itself (queued, punted,
 * fragmented); the burst is compacted before it is returned. */
#define RT_NEXT_CONSUMED 0x7fffu

/* The router's stamps: vnf/lib/tick.h's clock at RT_TICK_SHIFT. */
static inline uint32_t
rt_ticks(uint64_t tsc)
{
	return nfv_tick(tsc, RT_TICK_SHIFT);
}

/* ---- ifaces --------------------------------------------------------------- */

struct rt_addr4 {
	rte_be32_t addr;
	rte_be32_t mask;
	uint8_t len;
};

struct rt_addr6 {
	uint8_t addr[16];
	uint8_t len;
};

/*
 * The addresses of one iface as workers read them: a snapshot that is
 * never changed once published.  The control thread builds a new one from
 * the iface's own copy (struct rt_iface), publishes it with one release
 * store and frees the old one after an RCU grace period (rt_addrs_set()),
 * so a worker sees a whole set, the old or the new, never a torn one.
 */
struct rt_addrs {
	uint8_t n4, n6;
	struct rt_addr4 v4[RT_ADDR_MAX];
	struct rt_addr6 v6[RT_ADDR_MAX];
};

/* An address of the config, as vnf_router_iface_config_addrs() gives it. */
struct rt_cfg_addr {
	uint8_t family;
	uint8_t len;
	uint8_t addr[16];
};

struct rt_iface {
	/* Written once by create(). */
	struct rte_ether_addr mac;
	uint64_t mac64;		/* mac in the first 6 bytes of a word */
	uint8_t ll[16];		/* fe80::/64 EUI-64 link-local */
	/* Control thread writes (vnf_router_link_set), workers read relaxed:
	 * a lone value each, nothing to order against. */
	_Atomic uint16_t mtu;
	atomic_bool down;	/* link down: output by it is dropped */
	/* What workers read of the addresses (acquire): never NULL after
	 * create(). */
	const struct rt_addrs *_Atomic addrs;
	/*
	 * R2: the control thread's own copy of the addresses, the one it
	 * changes; the snapshot above is made from it.  Control thread only
	 * (rib.c reads it for connected routes and gateways): a worker reads
	 * `addrs`, never these.
	 */
	uint8_t n4, n6;
	struct rt_addr4 v4[RT_ADDR_MAX];
	struct rt_addr6 v6[RT_ADDR_MAX];
	/* The config's addresses (vnf_router_iface_config_addrs()). */
	uint8_t n_cfg;
	struct rt_cfg_addr cfg[NFV_MAX_ADDRS];
	/* Written once by create(): `svi: NAME`, the iface's kernel side is
	 * a device of the mirror's netns, not a twin; "" for a twin.  Such
	 * an iface has nothing to punt to: the router answers on it. */
	char svi[16];
};

/* Worker or control thread: the iface's current address set. */
static inline const struct rt_addrs *
rt_iface_addrs(const struct rt_iface *ifc)
{
	return atomic_load_explicit(&ifc->addrs, memory_order_acquire);
}

static inline uint16_t
rt_iface_mtu(const struct rt_iface *ifc)
{
	return atomic_load_explicit(&ifc->mtu, memory_order_relaxed);
}

static inline bool
rt_iface_down(const struct rt_iface *ifc)
{
	return atomic_load_explicit(&ifc->down, memory_order_relaxed);
}

/* ---- FIB (fib.c) ---------------------------------------------------------- */

/*
 * One family's routes: two identical rte_fib (DIR-24-8) or rte_fib6 (trie)
 * tables.  Workers look up the active one; the control thread changes the
 * standby, publishes it, waits a grace period and applies the same change
 * to the other.  DPDK 22.11's tables free and immediately reuse tbl8
 * groups during a change, so a lookup running during a change of the same
 * table can return a wrong next hop; with two copies no lookup ever runs
 * on a table that is changing.  Tables grow (rebuilt larger) when full.
 */
/* What a worker needs of the active table. */
struct rt_fib_view {
	void *tbl;		/* struct rte_fib * or struct rte_fib6 * */
	const uint8_t *tbl24;	/* for prefetching; NULL: unknown layout */
	uint8_t nh_shift;	/* log2 of the entry size */
	/* The table holds RT_FIB_EARLY_ROUTES routes or more: process()
	 * requests the tbl24 lines before the parse (rt_fib4_prefetch_burst())
	 * instead of after it.  With a few routes the lines stay in cache and
	 * the pass before the parse only costs (chain.yaml, --no-huge: about
	 * 5 cycles per packet). */
	bool prefetch_early;
};

#define RT_FIB_EARLY_ROUTES 4096

struct rt_fib {
	int family;		/* AF_INET, AF_INET6 */
	char name[16];		/* base of the rte object names */
	struct rte_rcu_qsbr *rcu;
	void *tbl[2];		/* struct rte_fib * or struct rte_fib6 * */
	unsigned int act;	/* index of the active table (control) */
	struct rt_fib_view view[2];
	/* What workers read (acquire): &view[act]. */
	const struct rt_fib_view *_Atomic active;
	unsigned int seq;	/* uniquifies rte object names */
	uint32_t max_routes;
	uint32_t num_tbl8;
	uint8_t nh_bytes;	/* 2 or 4 */
	uint32_t n_routes;	/* prefixes in each table */
	uint32_t n_long; /* tbl8 groups they may take: rt_fib_tbl8_weight() */
	bool recounted;	 /* this rt_fib_apply() rebuilt at the same sizes */
};

/*
 * tbl8 groups a prefix may take in the worst case, as DPDK 22.11 reserves
 * them: IPv4 one for a prefix longer than /24; IPv6 one per 8-bit level
 * below /24 (a /48: three; rte_fib6 reserves them per prefix, shared or
 * not, less what a covering prefix longer than /24 reserved).
 */
static inline uint32_t
rt_fib_tbl8_weight(int family, uint8_t len)
{
	if (len <= 24)
		return 0;
	return family == AF_INET ? 1 : (uint32_t)(len - 24 + 7) / 8;
}

/* tbl8 groups to create a table of `routes` prefixes with (fib.c). */
uint32_t rt_fib_tbl8_for(int family, uint32_t routes);

/* A change to a FIB: add/replace (nh) or delete a prefix. */
struct rt_fib_op {
	uint8_t addr[16];	/* network order; IPv4 in addr[0..3] */
	uint8_t len;
	bool del;
	uint16_t nh;
};

/* ---- next hops (nexthop.c) ---------------------------------------------- */

enum rt_nh_type {
	RT_NH_FREE = 0,
	RT_NH_NOROUTE,		/* the FIBs' default: no route */
	RT_NH_BLACKHOLE,
	RT_NH_UNREACH,
	RT_NH_LOCAL,		/* an address of the router */
	RT_NH_BCAST,		/* a subnet broadcast address */
	RT_NH_MCAST,		/* IPv4 multicast */
	RT_NH_GW,		/* via a gateway (neigh is fixed) */
	RT_NH_CONNECTED,	/* on link: the neighbour is the destination */
	RT_NH_GROUP,		/* multipath: one member per flow */
};

/* Fixed ids of the special next hops; dynamic ids start above. */
enum {
	RT_NHID_NOROUTE = 0,
	RT_NHID_BLACKHOLE,
	RT_NHID_UNREACH,
	RT_NHID_LOCAL,
	RT_NHID_BCAST,
	RT_NHID_MCAST,
	RT_NHID_FIRST_DYN,
};

/* What the fast path reads comes first: one cache line per next hop in
 * the common case. */
struct rt_nh {
	uint8_t type;		/* enum rt_nh_type */
	uint8_t family;		/* AF_INET / AF_INET6 / 0 (specials) */
	uint16_t iface;
	int32_t neigh;		/* RT_NH_GW: neighbour table position */
	uint16_t mtu;		/* the iface's, copied (GW, CONNECTED) */
	struct rte_ether_addr smac; /* the iface's MAC, copied */
	uint8_t gw[16];		/* RT_NH_GW */
	uint32_t refs;		/* control thread: routes + groups using it */
	uint16_t n_members;	/* RT_NH_GROUP */
	uint16_t members[RT_NH_GROUP_MAX];
} __rte_aligned(64);

/* ---- neighbours (neigh.c) ------------------------------------------------- */

enum rt_neigh_state {
	RT_NS_NONE = 0,
	RT_NS_INCOMPLETE,	/* being resolved, no MAC */
	RT_NS_REACHABLE,	/* confirmed recently */
	RT_NS_STALE,		/* usable, to be re-confirmed on use */
	RT_NS_PROBE,		/* usable, unicast requests sent */
	RT_NS_FAILED,		/* no answer */
	RT_NS_STATIC,		/* from the config: never changes */
};

/*
 * Entry word: bits 0-47 the MAC (as it lies in memory), bits 48-51 the
 * state, bits 52-55 requests sent in this state.  Workers and the control
 * thread change it with compare-and-swap only, so a reader always sees a
 * MAC and a state that belong together.
 */
#define RT_NW_MAC_MASK ((UINT64_C(1) << 48) - 1)
#define RT_NW_STATE_SHIFT 48
#define RT_NW_PROBES_SHIFT 52

static inline unsigned int
rt_nw_state(uint64_t w)
{
	return (unsigned int)(w >> RT_NW_STATE_SHIFT) & 0xf;
}

static inline unsigned int
rt_nw_probes(uint64_t w)
{
	return (unsigned int)(w >> RT_NW_PROBES_SHIFT) & 0xf;
}

static inline uint64_t
rt_nw_make(uint64_t mac, unsigned int state, unsigned int probes)
{
	return (mac & RT_NW_MAC_MASK) | ((uint64_t)state << RT_NW_STATE_SHIFT) |
	       ((uint64_t)probes << RT_NW_PROBES_SHIFT);
}

/* A state whose MAC may be used to send. */
static inline bool
rt_nw_usable(uint64_t w)
{
	unsigned int s = rt_nw_state(w);

	return s == RT_NS_REACHABLE || s == RT_NS_STALE || s == RT_NS_PROBE ||
	       s == RT_NS_STATIC;
}

struct rt_neigh_key {
	uint8_t ip[16];		/* IPv4 in ip[0..3], the rest zero */
	uint16_t iface;
	uint8_t family;		/* AF_INET or AF_INET6 */
	uint8_t pad;
};

/* ---- per worker state ---------------------------------------------------- */

struct rt_pending {
	struct rt_neigh_key key;	/* family 0: free slot */
	uint16_t n;
	uint32_t deadline;		/* ticks: drop the packets after */
	struct rte_mbuf *pkts[RT_PENDING_QLEN];
};

struct rt_worker {
	uint32_t seen_gen;	/* rt->resolved_gen at the last scan */
	uint16_t n_pending;
	uint32_t next_scan;	/* ticks: next retransmit/timeout check */
	uint64_t icmp_tat;	/* ICMP bucket: theoretical arrival (TSC) */
	uint16_t ip_id;
	struct rt_pending pending[RT_PENDING_MAX];
};

/* ---- the instance ------------------------------------------------------- */

struct rt {
	struct vnf_instance *vi;
	uint16_t n_ifaces;
	/* IPv6 on: some iface has (or had) an IPv6 address.  Turned on at
	 * run time by the first IPv6 address (release store, after fib6 is
	 * built); never turned off while workers run. */
	atomic_bool v6;
	/* Tests: no fast lane (vnf_router_fast_lane_set()). */
	bool lane_off;
	struct rt_iface ifaces[VNF_MAX_IFACES];

	struct rt_fib fib4, fib6;

	struct rt_nh *nh;	/* [RT_NH_MAX] */
	struct rte_hash *nh_index;	/* control: nh descriptor -> id */
	uint32_t nh_used;
	uint16_t nh_hint;	/* where the search for a free id starts */

	/* The neighbour table (vnf/lib/lf_table.h): words[] the entry words
	 * (see above; 0: unused position), stamps[] the ticks of the last
	 * state change or request. */
	struct lf_table neigh;
	uint32_t *neigh_refs; /* control thread: next hops + static pin */
	/* Bumped (relaxed) whenever a neighbour becomes usable, so that
	 * workers holding packets for it look at their queues. */
	atomic_uint resolved_gen;

	struct rte_ring *punt;	/* MP/SC: workers put, the control side gets */
	atomic_bool punt_reader;	/* somebody reads the punt ring */
	uint64_t punt_discarded;	/* control: drained without a reader */

	uint64_t hz;
	uint32_t t_retrans, t_reachable, t_stale_gc, t_failed_gc; /* ticks */
	uint64_t icmp_interval;	/* TSC between two ICMP errors */
	uint64_t icmp_burst_tsc;

	/* rib.c (R1): every route of both families with its origin (the
	 * config's and the kernel's side by side); control thread only.
	 * Made on first use, freed by rt_nh_fini(). */
	struct rt_rib *rib;

	/* R2: the kernel mirror (router.h "the kernel mirror"). */
	unsigned int seq;	/* uniquifies rte object names (fib6 later) */
	bool has_mirror;
	struct vnf_router_mirror_config mirror;
	/*
	 * Twins attached (vnf_router_twin_attach): the fast path punts what
	 * the kernel answers instead of answering itself, and poll() drains
	 * `inject`.  Release store after wake_fd; workers read it relaxed
	 * (what they use with it, the rings, synchronize themselves).
	 */
	atomic_bool twin;
	/* Armed: the next punt writes 1 to wake_fd (and disarms). */
	atomic_bool punt_armed;
	/* The reader's eventfd or -1; changed only while detached, after
	 * a grace period. */
	int wake_fd;
	struct rte_ring *inject; /* SP/MC: the mirror puts, workers get;
				  * m->port holds the iface */
	/* Neighbours the kernel gave (vnf_router_kneigh_*), by position in
	 * the neighbour table; control thread only. */
	uint8_t *neigh_origin;	/* enum rt_neigh_origin */
	uint32_t *neigh_kgen;	/* generation of the last kneigh_set */
	uint32_t kneigh_gen;
	/* `show mirror`: the mirror's JSON (control thread). */
	json_t *(*mirror_fn)(void *arg);
	void *mirror_arg;
};

/* Where a neighbour entry comes from (rt->neigh_origin). */
enum rt_neigh_origin {
	RT_NO_LEARNED = 0,	/* ARP/ND, or made for resolution */
	RT_NO_CONFIG,		/* `neighbors:` of the config: static */
	RT_NO_KERNEL,		/* a kernel neighbour: usable, aged by us */
	RT_NO_KERNEL_PERM,	/* permanent in the kernel: static, pinned */
};

/* ---- fib.c ---------------------------------------------------------------- */

/* routes_hint: the prefixes expected (the config's, or the mirror's
 * max_routes): sizes the RIB and the tbl8 groups, so that a full table
 * loads without rebuilds; more fit, rebuilt larger on the way. */
int rt_fib_init(struct rt_fib *f, int family, const char *name,
		uint32_t routes_hint, struct rte_rcu_qsbr *rcu);
void rt_fib_fini(struct rt_fib *f);
/*
 * Control thread.  Apply ops[0..n) to both tables (see struct rt_fib).  A
 * delete of a missing prefix is not an error.  Returns 0, or -errno with
 * *done ops applied (to both tables) before the failing one.
 */
int rt_fib_apply(struct rt_fib *f, const struct rt_fib_op *ops, unsigned int n,
		 unsigned int *done);
/* Control thread: make room for `routes` more prefixes, `long_routes` of
 * them longer than /24, in one rebuild rather than several on the way. */
int rt_fib_reserve(struct rt_fib *f, uint32_t routes, uint32_t long_routes);
/* Control thread: the next hop of exactly addr/len; 0 or -ENOENT. */
int rt_fib_get(const struct rt_fib *f, const uint8_t *addr, uint8_t len,
	       uint16_t *nh);
/* Control thread: longest-prefix lookup of one address in the active table. */
uint16_t rt_fib_lookup_one(const struct rt_fib *f, const uint8_t *addr);
/* Control thread: call fn for every prefix (stops when fn returns != 0). */
void rt_fib_walk(const struct rt_fib *f,
		 int (*fn)(const uint8_t *addr, uint8_t len, uint16_t nh,
			   void *arg),
		 void *arg);
/* Bytes of DPDK memory both tables take (tbl24, tbl8, RIB). */
uint64_t rt_fib_memory(const struct rt_fib *f);

/*
 * Worker: the table to use for this burst.  The acquire load pairs with
 * the release store that published it: everything written to the table
 * and to the next hops it refers to before is visible.
 */
static inline const struct rt_fib_view *
rt_fib_view_get(const struct rt_fib *f)
{
	return atomic_load_explicit(&f->active, memory_order_acquire);
}

/* Worker: start loading the tbl24 entry of a16, so that the bulk lookup
 * a little later finds it in cache.  A hint only. */
static inline void
rt_fib6_prefetch(const struct rt_fib_view *v, const uint8_t *a)
{
	size_t i = (size_t)a[0] << 16 | (size_t)a[1] << 8 | a[2];

	if (likely(v->tbl24 != NULL))
		rte_prefetch0(v->tbl24 + (i << v->nh_shift));
}

/* Worker: rte_fib_lookup_bulk() on the view's table. */
void rt_fib4_lookup_bulk(const struct rt_fib_view *v, const uint32_t *ips,
			 uint64_t *nhs, unsigned int n);

/* Worker: the tbl24 entry of IPv4 address ip (host order) in a table of
 * known layout (v->tbl24 not NULL): next hop << 1, or bit 0 set when the
 * /24 has longer prefixes (a tbl8 group). */
static inline uint32_t
rt_fib4_tbl24_entry(const struct rt_fib_view *v, uint32_t ip)
{
	const uint8_t *p = v->tbl24 + ((size_t)(ip >> 8) << v->nh_shift);

	return v->nh_shift == 1 ? *(const uint16_t *)p : *(const uint32_t *)p;
}

/*
 * Worker: look up n (<= 32) IPv4 addresses (host order).  Inline where the
 * tbl24 layout is known (rt_fib_tbl24()): an entry holds next hop << 1,
 * bit 0 set when the /24 has longer prefixes (a tbl8 group), which goes to
 * DPDK's own lookup.  All n tbl24 lines are requested before the first is
 * read, so their misses overlap: with random destinations over a big table
 * that beats prefetching a few ahead (docs/router.md, Benchmarks).  With
 * prefetch false the caller requested them already (process() does, with
 * rt_fib4_prefetch_burst() before the parse); rt_fib4_lookup() requests
 * them here.
 */
static inline void
rt_fib4_lookup_read(const struct rt_fib_view *v, const uint32_t *ips,
		    uint64_t *nhs, unsigned int n, bool prefetch)
{
	const uint8_t *t = v->tbl24;
	const unsigned int sh = v->nh_shift;
	unsigned int i;
	uint32_t e;

	if (unlikely(t == NULL)) {
		rt_fib4_lookup_bulk(v, ips, nhs, n);
		return;
	}
	if (prefetch)
		for (i = 0; i < n; i++)
			rte_prefetch0(t + ((size_t)(ips[i] >> 8) << sh));
	for (i = 0; i < n; i++) {
		e = rt_fib4_tbl24_entry(v, ips[i]);
		if (likely((e & 1) == 0))
			nhs[i] = e >> 1;
		else
			rt_fib4_lookup_bulk(v, &ips[i], &nhs[i], 1);
	}
}

static inline void
rt_fib4_lookup(const struct rt_fib_view *v, const uint32_t *ips, uint64_t *nhs,
	       unsigned int n)
{
	rt_fib4_lookup_read(v, ips, nhs, n, true);
}

/*
 * Worker: request the tbl24 line of each IPv4 destination of a burst
 * before the burst is parsed, so that the parse runs while the misses are
 * in flight and rt_fib4_lookup() finds the lines arriving or there.  A
 * hint only: it reads nothing it has not checked lies in the frame, and a
 * frame the parse later drops costs one useless prefetch.
 */
static inline void
rt_fib4_prefetch_burst(const struct rt_fib_view *v,
		       struct rte_mbuf *const *pkts, unsigned int n)
{
	const uint8_t *t = v->tbl24;
	const unsigned int sh = v->nh_shift;
	unsigned int i;

	if (unlikely(t == NULL))
		return;
	for (i = 0; i < n; i++) {
		const struct rte_mbuf *m = pkts[i];
		const struct rte_ether_hdr *eh =
			rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
		const struct rte_ipv4_hdr *ip =
			(const struct rte_ipv4_hdr *)(eh + 1);

		if (likely(m->data_len >= RTE_ETHER_HDR_LEN + sizeof(*ip) &&
			   eh->ether_type ==
				   rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4)))
			rte_prefetch0(
				t +
				((size_t)(rte_be_to_cpu_32(ip->dst_addr) >> 8)
				 << sh));
	}
}

/* Worker: look up n IPv6 addresses. */
void rt_fib6_lookup(const struct rt_fib_view *v, uint8_t (*ips)[16],
		    uint64_t *nhs, unsigned int n);

/* ---- nexthop.c ------------------------------------------------------------ */

int rt_nh_init(struct rt *rt, const char *name);
void rt_nh_fini(struct rt *rt);
/* Control thread: find or create a next hop and take a reference. */
int rt_nh_get_gw(struct rt *rt, uint8_t family, uint16_t iface,
		 const uint8_t *gw, uint16_t *id);
int rt_nh_get_connected(struct rt *rt, uint8_t family, uint16_t iface,
			uint16_t *id);
int rt_nh_get_group(struct rt *rt, const uint16_t *members, unsigned int n,
		    uint16_t *id);
/* Control thread: take / drop a reference; the last put frees the id. The
 * caller guarantees that no FIB table refers to it any more and that a
 * grace period passed since the active one stopped doing so. */
void rt_nh_hold(struct rt *rt, uint16_t id);
void rt_nh_put(struct rt *rt, uint16_t id);

/* ---- neigh.c -------------------------------------------------------------- */

int rt_neigh_init(struct rt *rt, const char *name, uint32_t size,
		  struct rte_rcu_qsbr *rcu);
void rt_neigh_fini(struct rt *rt);
/* Control thread: position of key, created INCOMPLETE when missing, with a
 * reference held (next hops keep their gateway's entry alive). */
int rt_neigh_ref(struct rt *rt, const struct rt_neigh_key *k, int32_t *pos);
void rt_neigh_unref(struct rt *rt, int32_t pos);
/* Control thread: a static entry. */
int rt_neigh_add_static(struct rt *rt, const struct rt_neigh_key *k,
			const struct rte_ether_addr *mac);
/* Control thread: ageing, about every 100 ms. */
void rt_neigh_age(struct rt *rt, uint64_t now, uint32_t budget);
/* Control thread: call fn for every entry. */
void rt_neigh_walk(struct rt *rt,
		   void (*fn)(const struct rt_neigh_key *k, uint64_t word,
			      uint32_t stamp, void *arg),
		   void *arg);

/* Worker: position of key or -1. */
int32_t rt_neigh_lookup(struct rt *rt, const struct rt_neigh_key *k);
/*
 * Worker: the neighbour `k` (at pos, -1 if unknown) said its MAC is `mac`.
 * `solicited`: an answer to our request (ARP reply, NA with S); `create`:
 * make an entry if there is none (the sender of a request for us).
 */
void rt_neigh_learn(struct rt *rt, struct vnf_wctx *w, const struct rt_neigh_key *k,
		    const struct rte_ether_addr *mac, bool solicited, bool create,
		    bool override);
/*
 * Worker: send m (IP header already rewritten, Ethernet header still as
 * received) to the neighbour k via iface k->iface, resolving it first when
 * needed; `in` is where m came from (for an ICMP error if resolution
 * fails).  Returns the iface to send by (Ethernet header written), a
 * VNF_DROP(), or RT_NEXT_CONSUMED (m is held until resolution).
 */
uint16_t rt_neigh_output_slow(struct rt *rt, struct vnf_wctx *w,
			      struct rte_mbuf *m, const struct rt_neigh_key *k,
			      int32_t pos, uint16_t in);
/* Worker: a usable entry is being used: refresh it if it is stale. */
void rt_neigh_touch(struct rt *rt, struct vnf_wctx *w, const struct rt_neigh_key *k,
		    int32_t pos, uint64_t word);
/* Worker: release/expire held packets; cheap when there is nothing to do. */
void rt_neigh_pending_run(struct rt *rt, struct vnf_wctx *w);
/* Control thread, workers stopped: free every held packet. */
void rt_neigh_pending_flush(struct rt *rt, struct rt_worker *ws);

/* Worker: handle an ARP frame; returns the next (reply sent in place). */
uint16_t rt_arp_input(struct rt *rt, struct vnf_wctx *w, struct rte_mbuf *m,
		      uint16_t in);
/* Worker: handle NS (135) / NA (136); ip6 points into m. */
uint16_t rt_nd_input(struct rt *rt, struct vnf_wctx *w, struct rte_mbuf *m,
		     uint16_t in, struct rte_ipv6_hdr *ip6, uint32_t l4len);

/* ---- icmp.c --------------------------------------------------------------- */

/* Worker: an echo request to the router: turn m into the reply in place.
 * Returns the next. */
uint16_t rt_icmp4_local(struct rt *rt, struct vnf_wctx *w, struct rte_mbuf *m,
			uint16_t in, struct rte_ipv4_hdr *ip);
uint16_t rt_icmp6_local(struct rt *rt, struct vnf_wctx *w, struct rte_mbuf *m,
			uint16_t in, struct rte_ipv6_hdr *ip6);
/* Worker: send an ICMP error about m (which the caller then drops) back
 * by iface `in` to m's Ethernet source.  `info`: the MTU for "fragmentation
 * needed" / "packet too big", else 0. */
void rt_icmp4_error(struct rt *rt, struct vnf_wctx *w, struct rte_mbuf *m,
		    uint16_t in, uint8_t type, uint8_t code, uint32_t info);
void rt_icmp6_error(struct rt *rt, struct vnf_wctx *w, struct rte_mbuf *m,
		    uint16_t in, uint8_t type, uint8_t code, uint32_t info);
/* Worker: may one more ICMP error go out now? */
bool rt_icmp_allow(struct rt *rt, struct vnf_wctx *w);
/* The ICMPv6 checksum of l4[0..len) under ip6's addresses: the value to
 * store (with the checksum field zeroed), or 0 when verifying a correct
 * message (checksum field included). */
uint16_t rt_cksum_icmp6(const struct rte_ipv6_hdr *ip6, const void *l4,
			uint32_t len);
/* Worker: fragment m (Ethernet + IPv4, DF clear) for iface `out` whose
 * neighbour has MAC dmac, and emit the fragments; m is consumed.  0 or a
 * VNF_DROP() next for m (then not consumed). */
uint16_t rt_frag4_send(struct rt *rt, struct vnf_wctx *w, struct rte_mbuf *m,
		       uint16_t out, const struct rte_ether_addr *dmac);

/* ---- router.c --------------------------------------------------------------- */

/* Worker: hand m, which came in by iface `in`, to the punt queue
 * (consumed; m->port = in), waking the reader if it is armed. */
uint16_t rt_punt(struct rt *rt, struct vnf_wctx *w, struct rte_mbuf *m,
		 uint16_t in);
/* Worker: are the kernel twins attached (punt what the kernel answers)? */
static inline bool
rt_twin(const struct rt *rt)
{
	return atomic_load_explicit(&rt->twin, memory_order_relaxed);
}
/* Worker: does iface `in` have a twin to punt to (twins attached and the
 * iface not an `svi:` one)?  Where not, the router answers ARP/ND and
 * echo itself, as without a mirror. */
static inline bool
rt_twin_on(const struct rt *rt, uint16_t in)
{
	return rt_twin(rt) && rt->ifaces[in].svi[0] == '\0';
}
/* Worker: an address of iface `in` to send from (IPv4, network order) for
 * a packet to `dst`; 0 if the iface has none. */
rte_be32_t rt_iface_src4(const struct rt_iface *ifc, rte_be32_t dst);
/* IPv6: a global address of `in` (or of any iface), else its link-local;
 * NULL if IPv6 is off. */
const uint8_t *rt_iface_src6(const struct rt *rt, uint16_t in,
			     const uint8_t *dst);
/* Is addr one of iface `in`'s addresses (IPv6 incl. its link-local)? */
bool rt_iface_has4(const struct rt_iface *ifc, rte_be32_t addr);
bool rt_iface_has6(const struct rt_iface *ifc, const uint8_t *addr);
/* Worker: transmit a packet the router made by iface; lost and counted
 * when the iface is down ("iface-down-lost") or the burst full. */
void rt_emit(struct rt *rt, struct vnf_wctx *w, struct rte_mbuf *m,
	     uint16_t iface);

/* Control thread: free what the punt ring holds (counted discarded). */
void rt_punt_drain(struct rt *rt);

/* ---- kernel.c: the kernel mirror's side of the router ------------------------ */

/* Control thread: publish a snapshot of ifc's own address copy, free the
 * previous one after a grace period.  0 or -ENOMEM (nothing changed). */
int rt_addrs_publish(struct rt *rt, struct rt_iface *ifc);
/* Control thread: build the IPv6 FIB (at create, or at the first IPv6
 * address); rt->v6 is set by the caller. */
int rt_fib6_start(struct rt *rt, uint32_t routes_hint);
/* Control thread, no worker polling: free what the inject ring holds. */
void rt_inject_drain(struct rt *rt);
/* Worker: vnf_ops.poll, the frames of the twins. */
void rt_poll(struct vnf_instance *vi, struct vnf_wctx *w, struct vnf_burst *b);
/* Control thread: `show mirror`. */
int rt_show_mirror(struct vnf_instance *vi, json_t *args, json_t **reply);

/* ---- rib.c ---------------------------------------------------------------- */

/* Control thread: routes of the config or of a request. */
int rt_route_add(struct rt *rt, const struct rt_route_config *r, bool replace,
		 char *err, size_t errlen);
int rt_route_del(struct rt *rt, const struct ctl_prefix *p, char *err,
		 size_t errlen);
int rt_routes_load(struct rt *rt, const char *path, bool replace,
		   unsigned int *n_loaded, char *err, size_t errlen);
/* Install connected, local and broadcast routes of the ifaces. */
int rt_routes_connected(struct rt *rt, char *err, size_t errlen);
/* "a.b.c.d[/len]" or "x::y[/len]"; `net`: host bits must be zero (else
 * -EDOM).  0 or -errno. */
int rt_parse_prefix(const char *s, struct ctl_prefix *p, bool net);
void rt_addr_str(uint8_t family, const uint8_t *a, char *buf, size_t len);
void rt_prefix_str(uint8_t family, const uint8_t *a, uint8_t plen, char *buf,
		   size_t len);

/* rib.c (R1) -------------------------------------------------------------- */

/*
 * Where a route comes from.  A prefix holds at most one route of the
 * config side (CONFIG, CONNECTED, LOCAL: config file, route file, `route
 * add`, the ifaces' own routes) and one of the kernel (the mirror); the
 * config side's is forwarded on, the kernel's waits behind it.
 */
enum rt_origin {
	RT_ORIG_NONE = 0,
	RT_ORIG_CONFIG,	   /* config file, route file, route add */
	RT_ORIG_CONNECTED, /* an iface subnet of the config */
	RT_ORIG_LOCAL,	   /* an address, broadcast, multicast of the router */
	RT_ORIG_KERNEL,	   /* the mirror (proto: rtm_protocol) */
};

/* One row of rt_rib_walk(). */
struct rt_rib_route {
	uint8_t family;
	uint8_t len;
	uint8_t origin; /* enum rt_origin */
	uint8_t proto;	/* RT_ORIG_KERNEL: rtm_protocol */
	uint8_t ktype;	/* RT_ORIG_KERNEL: enum vnf_router_rtype */
	bool shadowed;	/* not forwarded: a kernel route behind a
			 * config-side one, or behind a kernel route of a
			 * lower metric */
	uint16_t nh;
	uint32_t metric; /* RT_ORIG_KERNEL: the kernel's metric */
	uint8_t addr[16];
};

/* Local route (/32 or /128, RT_NH_LOCAL) of an address, and for IPv4 its
 * subnet broadcast (RT_NH_BCAST) when len < 31; add or remove, one batch.
 * Removing also drops the config's connected route of the address's
 * subnet on iface (the kernel's, if any, takes over).  0 or -errno. */
int rt_rib_addr_routes(struct rt *rt, uint16_t iface, uint8_t family,
		       const uint8_t *addr, uint8_t len, bool add);
/* Link down: remove every kernel route whose next hops all leave by iface;
 * members by iface leave ECMP groups (a group of one becomes that member).
 * One batch.  *removed (may be NULL). */
int rt_rib_iface_down(struct rt *rt, uint16_t iface, unsigned int *removed);
/* MTU of iface changed: next hops that copied it (nh->mtu) get the new
 * value (workers read it relaxed).  nexthop.c.  0 while the iface is
 * down, so that the fast path's MTU check sends its packets to the
 * general path, which drops them ("iface-down"). */
void rt_nh_iface_mtu(struct rt *rt, uint16_t iface, uint16_t mtu);
/* Rows rt_rib_walk() gives: every prefix, plus a row per shadowed kernel
 * route. */
uint32_t rt_rib_rows(const struct rt *rt);
/* Prefixes the RIB's table holds before it must grow (0: none yet). */
uint32_t rt_rib_capacity(const struct rt *rt);
/* Call fn for every row, in no particular order. */
void rt_rib_walk(const struct rt *rt,
		 void (*fn)(const struct rt_rib_route *r, void *arg),
		 void *arg);
/* "config", "connected", "local", or for kernel routes the protocol's
 * name ("kernel", "boot", "static", "bgp", "ospf", ...) or its number. */
const char *rt_rib_origin_name(const struct rt_rib_route *r, char *buf,
			       size_t len);
/* Tests: does every prefix of the RIB have its route in the FIB and the
 * FIB nothing else?  0 or -EIO with the first difference in err. */
int rt_rib_check(struct rt *rt, char *err, size_t errlen);
/* Free the RIB (the next hops it held are gone with the table). */
void rt_rib_fini(struct rt *rt);

/* ---- ctl.c ---------------------------------------------------------------- */

/* The verb table (a different count in its definition does not compile)
 * and `show vnf`'s details. */
#define RT_N_VERBS 5
extern const struct vnf_verb rt_verbs[RT_N_VERBS];
json_t *rt_details(struct vnf_instance *vi);

static inline struct rt_fib *
rt_fib_of(struct rt *rt, int family)
{
	return family == AF_INET ? &rt->fib4 : &rt->fib6;
}

#endif /* NFV_ROUTER_PRIV_H */
