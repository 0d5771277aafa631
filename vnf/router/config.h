/* SPDX-License-Identifier: BSD-3-Clause
 *
 * config.h - the router's part of a `vnfs:` entry, and the one parser of a
 * route and of a neighbour (vnf/router/config.c).
 *
 * A route is read by rt_route_parse() whatever it comes from: the config's
 * `routes:`, a line of a route file (rt_routes_load()) or a `route add`
 * request (JSON read as YAML against rt_route_schema).  Free of DPDK.
 */
#ifndef VNF_ROUTER_CONFIG_H
#define VNF_ROUTER_CONFIG_H

#include <stdint.h>

#include "control/config.h"
#include "vnf/router/router.h"


struct rt_iface_config {
	bool has_mac;
	uint8_t mac[6];
	uint16_t mtu;		/* default 1500 */
	struct ctl_prefix *addrs;
	unsigned int n_addrs;
	/* `svi: NAME` (only with `mirror:`): the iface's kernel side is the
	 * existing device NAME of the mirror's netns, not a twin tap; "" for
	 * a twin. */
	char svi[16];
};

enum rt_route_type {
	RT_ROUTE_UNICAST,
	RT_ROUTE_BLACKHOLE,
	RT_ROUTE_UNREACHABLE,
};

struct rt_nexthop_config {
	bool has_via;
	struct ctl_prefix via;	/* gateway (len = 32/128) */
	char iface[CTL_NAME_MAX];	/* "" when not given */
};

struct rt_route_config {
	struct ctl_prefix prefix;
	enum rt_route_type type;
	struct rt_nexthop_config *nh;	/* 1 for via/iface, N for nexthops */
	unsigned int n_nh;
};

struct rt_neigh_config {
	char iface[CTL_NAME_MAX];
	struct ctl_prefix ip;
	uint8_t mac[6];
};

struct rt_config {
	struct rt_iface_config *ifaces;	/* [n_ifaces] of the entry */
	struct rt_route_config *routes;
	unsigned int n_routes;
	struct rt_neigh_config *neighbors;
	unsigned int n_neighbors;
	char *routes_file;	/* route file loaded after `routes`, or NULL */
	/* `mirror:` (the kernel mirror), or NULL without one. */
	struct vnf_router_mirror_config *mirror;
};

/* A route as read, every leaf a string (NULL: not given). */
struct rt_raw_nexthop {
	char *via, *iface;
};

struct rt_raw_route {
	char *prefix, *via, *iface, *type;
	struct rt_raw_nexthop *nexthops;
	unsigned int nexthops_count;
};

/* One route object: {prefix, via, iface, type, nexthops: [{via, iface}]}. */
extern const cyaml_schema_value_t rt_route_schema;

/*
 * Check raw route r of VNF v (its name and ifaces) into *out; `at` is its
 * key path ("vnfs[1].routes[4]", "" for a request).  Control thread.  0,
 * or -EINVAL/-ENOMEM with the error reported through c.  Free out->nh
 * with rt_route_config_clear(), also after an error.
 */
int rt_route_parse(struct ctl_cfg *c, const char *at,
		   const struct rt_raw_route *r, const struct ctl_vnf_config *v,
		   struct rt_route_config *out);
void rt_route_config_clear(struct rt_route_config *r);

#endif /* VNF_ROUTER_CONFIG_H */
