/* SPDX-License-Identifier: BSD-3-Clause
 *
 * config.c - read the router's keys of a `vnfs:` entry, and routes.
 *
 *   - {name: rtr, type: router,
 *      ifaces: [{name: lan, mac: "02:00:00:00:01:01", mtu: 1500,
 *                address: [10.0.0.1/24, "2001:db8::1/64"]}],
 *      routes: [{prefix: 0.0.0.0/0, via: 192.0.2.254},
 *               {prefix: 10.9.0.0/16, nexthops: [{via: ..}, {iface: ..}]},
 *               {prefix: 10.66.0.0/16, type: blackhole}],
 *      neighbors: [{iface: wan, ip: 192.0.2.254, mac: "02:00:00:00:02:01"}],
 *      routes_file: /etc/nfvd/routes.txt}
 *
 * Control thread; errors through the loader's context (control/config.h).
 * docs/config.md and docs/router.md list the keys.
 */
#include <errno.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vnf/router/config.h"

struct rt_raw_neigh {
	char *iface, *ip, *mac;
};

struct rt_raw_mirror {
	char *netns, *table, *max_routes;
};

struct rt_raw {
	struct rt_raw_route *routes;
	unsigned int routes_count;
	struct rt_raw_neigh *neighbors;
	unsigned int neighbors_count;
	char *routes_file;
	struct rt_raw_mirror *mirror;
};

struct rt_raw_iface {
	char *mac, *mtu, *svi;
	char **address;
	unsigned int address_count;
};

static const cyaml_schema_field_t rt_nexthop_fields[] = {
	CTL_CFG_STR("via", struct rt_raw_nexthop, via),
	CTL_CFG_STR("iface", struct rt_raw_nexthop, iface),
	CYAML_FIELD_END
};

static const cyaml_schema_value_t rt_nexthop_schema = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct rt_raw_nexthop,
			    rt_nexthop_fields),
};

static const cyaml_schema_field_t rt_route_fields[] = {
	CTL_CFG_STR("prefix", struct rt_raw_route, prefix),
	CTL_CFG_STR("via", struct rt_raw_route, via),
	CTL_CFG_STR("iface", struct rt_raw_route, iface),
	CTL_CFG_STR("type", struct rt_raw_route, type),
	CTL_CFG_SEQ("nexthops", struct rt_raw_route, nexthops,
		    &rt_nexthop_schema, NFV_MAX_NEXTHOPS),
	CYAML_FIELD_END
};

/* An entry of `routes:` (CYAML_FLAG_DEFAULT: inside the list's array). */
static const cyaml_schema_value_t rt_route_entry = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct rt_raw_route,
			    rt_route_fields),
};

/* A route on its own (a request): allocated by the loader. */
const cyaml_schema_value_t rt_route_schema = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_POINTER, struct rt_raw_route,
			    rt_route_fields),
};

static const cyaml_schema_field_t rt_neigh_fields[] = {
	CTL_CFG_STR("iface", struct rt_raw_neigh, iface),
	CTL_CFG_STR("ip", struct rt_raw_neigh, ip),
	CTL_CFG_STR("mac", struct rt_raw_neigh, mac),
	CYAML_FIELD_END
};

static const cyaml_schema_value_t rt_neigh_entry = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct rt_raw_neigh,
			    rt_neigh_fields),
};

static const cyaml_schema_field_t rt_mirror_fields[] = {
	CTL_CFG_STR("netns", struct rt_raw_mirror, netns),
	CTL_CFG_STR("table", struct rt_raw_mirror, table),
	CTL_CFG_STR("max_routes", struct rt_raw_mirror, max_routes),
	CYAML_FIELD_END
};

static const cyaml_schema_field_t rt_fields[] = {
	CTL_CFG_SEQ("routes", struct rt_raw, routes, &rt_route_entry,
		    NFV_MAX_ROUTES),
	CTL_CFG_SEQ("neighbors", struct rt_raw, neighbors, &rt_neigh_entry,
		    NFV_MAX_NEIGHBORS),
	CTL_CFG_STR("routes_file", struct rt_raw, routes_file),
	CYAML_FIELD_MAPPING_PTR("mirror", CTL_CFG_OPT, struct rt_raw, mirror,
				rt_mirror_fields),
	CYAML_FIELD_END
};

static const cyaml_schema_field_t rt_iface_fields[] = {
	CTL_CFG_STR("mac", struct rt_raw_iface, mac),
	CTL_CFG_STR("mtu", struct rt_raw_iface, mtu),
	CTL_CFG_STR("svi", struct rt_raw_iface, svi),
	CTL_CFG_SEQ("address", struct rt_raw_iface, address,
		    &ctl_cfg_str_schema, NFV_MAX_ADDRS),
	CYAML_FIELD_END
};

static int rt_iface_parse(struct ctl_cfg *c, const char *at,
			  const struct rt_raw_iface *r, struct rt_iface_config *f)
{
	unsigned int i, j;
	char key[32];

	if (CTL_CFG_UINT(c, at, "mtu", r->mtu, false, 68, 9216, 1500, f->mtu))
		return -EINVAL;
	if (r->mac && ctl_cfg_mac(c, at, "mac", r->mac, true, f->mac))
		return -EINVAL;
	f->has_mac = r->mac != NULL;
	if (r->svi) {
		size_t n = strlen(r->svi);

		/* What the kernel accepts as a name (dev_valid_name()). */
		if (n == 0 || n >= sizeof(f->svi) || !strcmp(r->svi, ".") ||
		    !strcmp(r->svi, "..") || strpbrk(r->svi, "/: \t\n\r\v\f"))
			return ctl_cfg_fail(c, at, "svi",
					    "\"" CTL_CFG_QUOTE "\" is not a valid "
					    "interface name (1..%zu characters, "
					    "no '/', ':' or space, not . or ..)",
					    r->svi, sizeof(f->svi) - 1);
		memcpy(f->svi, r->svi, n + 1);
	}
	if (r->address_count) {
		f->addrs = calloc(r->address_count, sizeof(*f->addrs));
		if (!f->addrs)
			return ctl_cfg_oom(c);
	}
	for (i = 0; i < r->address_count; i++) {
		struct ctl_prefix *p = &f->addrs[i];

		snprintf(key, sizeof(key), "address[%u]", i);
		if (ctl_cfg_prefix(c, at, key, r->address[i], p))
			return -EINVAL;
		f->n_addrs = i + 1;
		for (j = 0; j < i; j++)
			if (!memcmp(f->addrs[j].addr, p->addr, 16) &&
			    f->addrs[j].family == p->family)
				return ctl_cfg_fail(c, at, key,
						    "\"" CTL_CFG_QUOTE
						    "\" duplicates address[%u]",
						    r->address[i], j);
	}
	return 0;
}

/* The same address on two ifaces would make ARP/ND ambiguous. */
static int rt_addrs_unique(struct ctl_cfg *c, const char *at,
			   const struct ctl_vnf_config *v,
			   const struct rt_config *rc)
{
	char fat[64], key[32], s[INET6_ADDRSTRLEN + 8];
	unsigned int i, j, k, l;

	for (i = 0; i < v->n_ifaces; i++)
		for (k = 0; k < rc->ifaces[i].n_addrs; k++)
			for (j = 0; j < i; j++)
				for (l = 0; l < rc->ifaces[j].n_addrs; l++) {
					const struct ctl_prefix *a, *b;

					a = &rc->ifaces[i].addrs[k];
					b = &rc->ifaces[j].addrs[l];
					if (a->family != b->family ||
					    memcmp(a->addr, b->addr, 16))
						continue;
					snprintf(fat, sizeof(fat),
						 "%s.ifaces[%u]", at, i);
					snprintf(key, sizeof(key),
						 "address[%u]", k);
					ctl_prefix_str(a, false, s, sizeof(s));
					return ctl_cfg_fail(c, fat, key,
							    "%s is already on "
							    "iface %s", s,
							    v->ifaces[j].name);
				}
	return 0;
}

static int rt_nexthop_parse(struct ctl_cfg *c, const char *at, const char *via,
			    const char *iface, const struct rt_route_config *rt,
			    const struct ctl_vnf_config *v,
			    struct rt_nexthop_config *nh)
{
	char pfx[INET6_ADDRSTRLEN + 8];

	if (!via && !iface)
		return ctl_cfg_fail(c, at, NULL,
				    "a next hop needs via, iface or both");
	if (via) {
		if (ctl_cfg_addr(c, at, "via", via, &nh->via))
			return -EINVAL;
		nh->has_via = true;
		if (nh->via.family != rt->prefix.family) {
			ctl_prefix_str(&rt->prefix, true, pfx, sizeof(pfx));
			return ctl_cfg_fail(c, at, "via",
					    "%s is %s but the route's prefix %s "
					    "is %s", via,
					    ctl_family_name(nh->via.family), pfx,
					    ctl_family_name(rt->prefix.family));
		}
	}
	/* -ENOENT for a request naming no iface of the router. */
	if (iface)
		return ctl_cfg_iface_ref(c, at, "iface", iface, v, nh->iface,
					 NULL);
	return 0;
}

void rt_route_config_clear(struct rt_route_config *r)
{
	free(r->nh);
	r->nh = NULL;
	r->n_nh = 0;
}

int rt_route_parse(struct ctl_cfg *c, const char *at,
		   const struct rt_raw_route *r, const struct ctl_vnf_config *v,
		   struct rt_route_config *rt)
{
	static const char *const types[] = {
		"unicast", "blackhole", "unreachable", NULL,
	};
	char nat[96];
	unsigned int i;
	bool nexthops;
	int t, err;

	memset(rt, 0, sizeof(*rt));
	if (!r->prefix)
		return ctl_cfg_fail(c, at, "prefix", "missing (required)");
	if (ctl_cfg_network(c, at, "prefix", r->prefix, &rt->prefix))
		return -EINVAL;
	rt->type = RT_ROUTE_UNICAST;
	if (r->type) {
		t = ctl_cfg_enum(c, at, "type", r->type, types);
		if (t < 0)
			return t;
		rt->type = (enum rt_route_type)t;
	}
	/* "nexthops: []" is given (and wrong); a route file's words fill
	 * nexthops without a document to look in. */
	nexthops = r->nexthops_count || ctl_cfg_given(c, at, "nexthops");
	if (rt->type != RT_ROUTE_UNICAST) {
		const char *k = r->via ? "via" : r->iface ? "iface" :
				nexthops ? "nexthops" : NULL;

		if (k)
			return ctl_cfg_fail(c, at, k, "not valid for a %s route",
					    r->type);
		return 0;
	}
	if (nexthops && (r->via || r->iface))
		return ctl_cfg_fail(c, at, r->via ? "via" : "iface",
				    "give via/iface or nexthops, not both");
	if (nexthops && !r->nexthops_count)
		return ctl_cfg_fail(c, at, "nexthops", "must not be empty");
	if (!nexthops && !r->via && !r->iface)
		return ctl_cfg_fail(c, at, NULL,
				    "a unicast route needs via, iface or "
				    "nexthops");
	rt->n_nh = nexthops ? r->nexthops_count : 1;
	rt->nh = calloc(rt->n_nh, sizeof(*rt->nh));
	if (!rt->nh) {
		rt->n_nh = 0;
		return ctl_cfg_oom(c);
	}
	if (!nexthops)
		return rt_nexthop_parse(c, at, r->via, r->iface, rt, v,
					&rt->nh[0]);
	for (i = 0; i < rt->n_nh; i++) {
		snprintf(nat, sizeof(nat), "%s%snexthops[%u]", at,
			 *at ? "." : "", i);
		err = rt_nexthop_parse(c, nat, r->nexthops[i].via,
				       r->nexthops[i].iface, rt, v, &rt->nh[i]);
		if (err)
			return err;
	}
	return 0;
}

static int rt_neigh_parse(struct ctl_cfg *c, const char *at,
			  const struct rt_raw_neigh *rn,
			  const struct ctl_vnf_config *v,
			  struct rt_neigh_config *n)
{
	if (ctl_cfg_iface_ref(c, at, "iface", rn->iface, v, n->iface, NULL))
		return -EINVAL;
	if (!rn->ip)
		return ctl_cfg_fail(c, at, "ip", "missing (required)");
	if (ctl_cfg_addr(c, at, "ip", rn->ip, &n->ip))
		return -EINVAL;
	if (!rn->mac)
		return ctl_cfg_fail(c, at, "mac", "missing (required)");
	return ctl_cfg_mac(c, at, "mac", rn->mac, true, n->mac);
}

/*
 * mirror: {netns: NAME, table: N, max_routes: N}.  The name is what
 * `ip netns` accepts (a file under /run/netns): not empty, at most 63
 * bytes, no '/', not "." or "..".  Table 255 is the kernel's local table,
 * which the mirror never reads.
 */
static int rt_mirror_parse(struct ctl_cfg *c, const char *at,
			   const struct rt_raw_mirror *r,
			   struct vnf_router_mirror_config *m)
{
	char mat[64];
	size_t n;

	snprintf(mat, sizeof(mat), "%s.mirror", at);
	if (!r->netns)
		return ctl_cfg_fail(c, mat, "netns", "missing (required)");
	n = strlen(r->netns);
	if (n == 0 || n >= sizeof(m->netns) || strchr(r->netns, '/') ||
	    !strcmp(r->netns, ".") || !strcmp(r->netns, ".."))
		return ctl_cfg_fail(c, mat, "netns",
				    "\"" CTL_CFG_QUOTE "\" is not a valid "
				    "network namespace name (1..%zu "
				    "characters, no '/', not . or ..)",
				    r->netns, sizeof(m->netns) - 1);
	memcpy(m->netns, r->netns, n + 1);
	if (CTL_CFG_UINT(c, mat, "table", r->table, false, 1, UINT32_MAX, 254,
			 m->table))
		return -EINVAL;
	if (m->table == 255)
		return ctl_cfg_fail(c, mat, "table",
				    "255 is the kernel's local table, which "
				    "is not mirrored");
	return CTL_CFG_UINT(c, mat, "max_routes", r->max_routes, false, 1,
			    NFV_MAX_TABLE_SIZE, 0, m->max_routes);
}

/*
 * svi: only with a mirror (it names a device of the mirror's netns); one
 * device is the kernel side of one iface; and a twin (an iface without
 * svi) is a tap named after its iface, which the device must not be.
 */
static int rt_svi_check(struct ctl_cfg *c, const char *at,
			const struct ctl_vnf_config *v,
			const struct rt_config *rc)
{
	char fat[64];
	unsigned int i, j;

	for (i = 0; i < v->n_ifaces; i++) {
		const char *svi = rc->ifaces[i].svi;

		if (!svi[0])
			continue;
		snprintf(fat, sizeof(fat), "%s.ifaces[%u]", at, i);
		if (!rc->mirror)
			return ctl_cfg_fail(c, fat, "svi",
					    "needs the router's mirror: (the "
					    "device is in the mirror's netns)");
		for (j = 0; j < v->n_ifaces; j++) {
			if (j < i && !strcmp(rc->ifaces[j].svi, svi))
				return ctl_cfg_fail(c, fat, "svi",
						    "%s is already the svi of "
						    "iface %s", svi,
						    v->ifaces[j].name);
			if (!rc->ifaces[j].svi[0] &&
			    !strcmp(v->ifaces[j].name, svi))
				return ctl_cfg_fail(c, fat, "svi",
						    "%s is the name of iface "
						    "%s's twin tap", svi,
						    v->ifaces[j].name);
		}
	}
	return 0;
}

static int rt_route_cmp(const void *a, const void *b)
{
	return ctl_prefix_cmp(&((const struct rt_route_config *)a)->prefix,
			      &((const struct rt_route_config *)b)->prefix);
}

static int rt_neigh_cmp(const void *a, const void *b)
{
	const struct rt_neigh_config *x = a, *y = b;
	int r = strcmp(x->iface, y->iface);

	return r ? r : ctl_prefix_cmp(&x->ip, &y->ip);
}

static void rt_config_free(struct ctl_vnf_config *v)
{
	struct rt_config *rc = v->priv;
	unsigned int i;

	if (!rc)
		return;
	for (i = 0; rc->ifaces && i < v->n_ifaces; i++)
		free(rc->ifaces[i].addrs);
	free(rc->ifaces);
	for (i = 0; i < rc->n_routes; i++)
		rt_route_config_clear(&rc->routes[i]);
	free(rc->routes);
	free(rc->neighbors);
	free(rc->routes_file);
	free(rc->mirror);
	free(rc);
	v->priv = NULL;
}

static int rt_config_parse(struct ctl_cfg *c, const char *at, const void *raw,
			   const void *const *iface_raw,
			   struct ctl_vnf_config *v)
{
	const struct rt_raw *r = raw;
	struct rt_config *rc;
	char rat[64];
	unsigned int i, j;
	int err;

	rc = calloc(1, sizeof(*rc));
	if (!rc)
		return ctl_cfg_oom(c);
	v->priv = rc;
	rc->ifaces = calloc(v->n_ifaces, sizeof(*rc->ifaces));
	if (!rc->ifaces)
		return ctl_cfg_oom(c);
	for (i = 0; i < v->n_ifaces; i++) {
		snprintf(rat, sizeof(rat), "%s.ifaces[%u]", at, i);
		if (rt_iface_parse(c, rat, iface_raw[i], &rc->ifaces[i]))
			return -EINVAL;
	}
	if (rt_addrs_unique(c, at, v, rc))
		return -EINVAL;

	if (r->routes_count) {
		rc->routes = calloc(r->routes_count, sizeof(*rc->routes));
		if (!rc->routes)
			return ctl_cfg_oom(c);
	}
	for (i = 0; i < r->routes_count; i++) {
		snprintf(rat, sizeof(rat), "%s.routes[%u]", at, i);
		rc->n_routes = i + 1;
		if (rt_route_parse(c, rat, &r->routes[i], v, &rc->routes[i]))
			return -EINVAL;
	}
	err = ctl_cfg_find_dup(rc->routes, rc->n_routes, sizeof(*rc->routes),
			       rt_route_cmp, &i, &j);
	if (err == -ENOMEM)
		return ctl_cfg_oom(c);
	if (!err) {
		snprintf(rat, sizeof(rat), "%s.routes[%u]", at, j);
		return ctl_cfg_fail(c, rat, "prefix",
				    "%s is already routed by routes[%u] (use "
				    "nexthops for ECMP)",
				    r->routes[j].prefix, i);
	}

	if (r->neighbors_count) {
		rc->neighbors = calloc(r->neighbors_count,
				       sizeof(*rc->neighbors));
		if (!rc->neighbors)
			return ctl_cfg_oom(c);
	}
	for (i = 0; i < r->neighbors_count; i++) {
		snprintf(rat, sizeof(rat), "%s.neighbors[%u]", at, i);
		rc->n_neighbors = i + 1;
		if (rt_neigh_parse(c, rat, &r->neighbors[i], v,
				   &rc->neighbors[i]))
			return -EINVAL;
	}
	err = ctl_cfg_find_dup(rc->neighbors, rc->n_neighbors,
			       sizeof(*rc->neighbors), rt_neigh_cmp, &i, &j);
	if (err == -ENOMEM)
		return ctl_cfg_oom(c);
	if (!err) {
		snprintf(rat, sizeof(rat), "%s.neighbors[%u]", at, j);
		return ctl_cfg_fail(c, rat, "ip",
				    "%s on %s is already in neighbors[%u]",
				    r->neighbors[j].ip,
				    rc->neighbors[j].iface, i);
	}

	/* Only the path is checked here: the file is read by the router when
	 * it is created (nfvd --check does not need it to exist), and its
	 * errors name FILE:LINE there. */
	if (r->routes_file) {
		if (!*r->routes_file)
			return ctl_cfg_fail(c, at, "routes_file",
					    "must not be empty");
		rc->routes_file = strdup(r->routes_file);
		if (!rc->routes_file)
			return ctl_cfg_oom(c);
	}
	if (r->mirror) {
		rc->mirror = calloc(1, sizeof(*rc->mirror));
		if (!rc->mirror)
			return ctl_cfg_oom(c);
		if (rt_mirror_parse(c, at, r->mirror, rc->mirror))
			return -EINVAL;
	}
	return rt_svi_check(c, at, v, rc);
}

static struct ctl_vnf_type rt_config_type = {
	.type = "router",
	.min_ifaces = 1,
	.fields = rt_fields,
	.raw_size = sizeof(struct rt_raw),
	.iface_fields = rt_iface_fields,
	.iface_raw_size = sizeof(struct rt_raw_iface),
	.parse = rt_config_parse,
	.free = rt_config_free,
};

CTL_VNF_TYPE_REGISTER(rt_config_type)
