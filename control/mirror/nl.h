/* SPDX-License-Identifier: BSD-3-Clause
 *
 * nl.h - rtnetlink messages of the mirror's netns turned into what the
 * router is told (vnf/router/router.h, "the kernel mirror").
 *
 * Pure functions: a message's bytes in, a struct out, or the reason it is
 * ignored.  No socket, no router, no global state, so the unit tests
 * (tests/unit/mirror/test_mirror_nl.c) and the fuzzer (tests/fuzz/mirror)
 * drive them with bytes.  Any thread; the mirror thread in nfvd.
 *
 * Routes (RTM_NEWROUTE/DELROUTE, the bulk of the traffic: a million of
 * them at start) are parsed with nlmsg_parse()/nla_*() into the caller's
 * slot, without allocating; links, addresses and neighbours (a few) with
 * nl_msg_parse() and the rtnl_link/addr/neigh getters.  Neither uses
 * libnl's caches.
 */
#ifndef NFV_CTL_MIRROR_NL_H
#define NFV_CTL_MIRROR_NL_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/netlink.h>

#include "vnf/lib/limits.h"
#include "vnf/router/router.h"

/*
 * Why a message changes nothing in the router.  Each has a counter in
 * `show mirror` ("ignored" by reason); the strings are the JSON keys.
 */
#define MIRROR_NL_REASONS(X)                                                   \
	X(OK, "ok")                                                            \
	X(MSGTYPE, "msgtype")	      /* not a message the mirror reads */     \
	X(MALFORMED, "malformed")     /* truncated, bad attribute */           \
	X(FAMILY, "family")	      /* not IPv4/IPv6 */                      \
	X(TABLE, "table")	      /* another routing table */              \
	X(LOCAL_TABLE, "local-table") /* table 255 */                          \
	X(RTYPE, "route-type")	      /* local, broadcast, multicast, ... */   \
	X(CLONED, "cloned")	      /* route cache entries */                \
	X(SOURCE, "source-specific")  /* from-prefix or TOS routes */          \
	X(OIF, "oif")		      /* next hops not on a twin */            \
	X(NEXTHOPS, "nexthops")	      /* too many, none, or all dead */        \
	X(VIA, "via")		      /* RTA_VIA: other-family gateway */      \
	X(NH_ID, "nexthop-object")    /* RTA_NH_ID without details */          \
	X(LINKLOCAL, "link-local")    /* fe80::/64: punted, not routed */      \
	X(NOT_TWIN, "not-twin")	      /* link/addr/neigh of another iface */   \
	X(NO_LLADDR, "no-lladdr")     /* a neighbour without a MAC */          \
	X(PROXY, "proxy")	      /* proxy ARP/ND entries */               \
	X(GROUP, "group-lladdr")      /* NOARP entries of groups */            \
	X(WB, "written-back")	      /* svi: dynamic ones, nfvd's own */

enum mirror_nl_reason {
#define MIRROR_NL_ENUM(n, s) MIRROR_NL_##n,
	MIRROR_NL_REASONS(MIRROR_NL_ENUM)
#undef MIRROR_NL_ENUM
		MIRROR_NL_N_REASONS
};

/* "ok", "table", ... for a reason; "?" out of range. */
const char *mirror_nl_reason_str(enum mirror_nl_reason r);

/* What the parser needs to know: the mirrored table and which kernel
 * ifindex is the twin of which router iface.  An iface with `svi: NAME`
 * has svi[i] = NAME and the ifindex of that device once a link message
 * named it (0 while it is missing). */
struct mirror_nl_ctx {
	uint32_t table;
	uint16_t n_ifaces;
	int ifindex[NFV_MAX_IFACES];  /* twin (or svi) of iface i; 0: none */
	char svi[NFV_MAX_IFACES][16]; /* "": a twin tap */
};

/* The router iface whose twin is ifindex, or -1. */
int mirror_nl_iface(const struct mirror_nl_ctx *c, int ifindex);

/*
 * RTM_NEWLINK/DELLINK of a twin, or of an svi device.  A deleted twin is
 * a down one.  svi: the message is about the svi device of iface: found
 * by its name (ifindex: its index now, maybe another than ctx's after it
 * was made again), or gone (deleted, or renamed away from the name).
 */
struct mirror_nl_link {
	uint16_t iface;
	bool up;      /* IFF_UP and IFF_LOWER_UP (or IFF_RUNNING) */
	uint16_t mtu; /* 0: not in the message, keep the current one */
	bool svi;
	bool svi_gone;
	bool has_mac;
	int ifindex;
	uint8_t mac[6]; /* IFLA_ADDRESS when has_mac */
};

/* RTM_NEWADDR/DELADDR of a twin. */
struct mirror_nl_addr {
	uint16_t iface;
	uint8_t family;
	uint8_t len;
	bool del;
	uint8_t addr[16];
};

/* RTM_NEWNEIGH/DELNEIGH of a twin.  del: a delete, or a state that is not
 * usable (incomplete, failed, none) - the router forgets it.  permanent:
 * NUD_PERMANENT or NUD_NOARP (zebra's EVPN entries, `nud noarp`): a static
 * entry that the router never ages or probes. */
struct mirror_nl_neigh {
	uint16_t iface;
	uint8_t family;
	bool del;
	bool permanent;
	uint8_t ip[16];
	uint8_t mac[6];
};

enum mirror_nl_kind {
	MIRROR_NL_IGNORED,
	MIRROR_NL_ROUTE,
	MIRROR_NL_LINK,
	MIRROR_NL_ADDR,
	MIRROR_NL_NEIGH,
};

struct mirror_nl_event {
	enum mirror_nl_kind kind;
	enum mirror_nl_reason why; /* MIRROR_NL_IGNORED: the reason */
	union {
		struct mirror_nl_link link;
		struct mirror_nl_addr addr;
		struct mirror_nl_neigh neigh;
	};
};

/*
 * h: one whole message (h->nlmsg_len bytes readable; nlmsg_ok() checked
 * by the caller).  The route parser writes into *r (the caller's slot of
 * a batch) and returns MIRROR_NL_OK, or a reason and leaves *r undefined.
 */
enum mirror_nl_reason mirror_nl_route(const struct mirror_nl_ctx *c,
				      const struct nlmsghdr *h,
				      struct vnf_router_kroute *r);
enum mirror_nl_reason mirror_nl_link(const struct mirror_nl_ctx *c,
				     const struct nlmsghdr *h,
				     struct mirror_nl_link *l);
enum mirror_nl_reason mirror_nl_addr(const struct mirror_nl_ctx *c,
				     const struct nlmsghdr *h,
				     struct mirror_nl_addr *a);
enum mirror_nl_reason mirror_nl_neigh(const struct mirror_nl_ctx *c,
				      const struct nlmsghdr *h,
				      struct mirror_nl_neigh *n);

/*
 * Any message: dispatch on nlmsg_type.  Routes go to *r (r NULL: routes
 * are ignored as MIRROR_NL_MSGTYPE), the others to ev; ev->kind says
 * which (MIRROR_NL_IGNORED with ev->why otherwise).  Control messages
 * (NLMSG_DONE, NLMSG_ERROR, ...) are the caller's and come back as
 * MIRROR_NL_MSGTYPE.
 */
void mirror_nl_parse(const struct mirror_nl_ctx *c, const struct nlmsghdr *h,
		     struct mirror_nl_event *ev, struct vnf_router_kroute *r);

#endif /* NFV_CTL_MIRROR_NL_H */
