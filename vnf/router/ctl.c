/* SPDX-License-Identifier: BSD-3-Clause
 *
 * ctl.c - the router's control verbs, as a table (rt_verbs): show routes,
 * show neigh, route add, route del, show mirror (kernel.c); and
 * rt_details() for `show vnf`.  The routes themselves are rib.c's.
 * Control thread only.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <rte_cycles.h>
#include <rte_ring.h>

#include "control/ctl_server.h"
#include "vnf/router/config.h"
#include "vnf/router/router.h"
#include "vnf/router/router_priv.h"

#define RT_SHOW_LIMIT 10000

static const char *const rt_state_names[] = {
	[RT_NS_NONE] = "none",		 [RT_NS_INCOMPLETE] = "incomplete",
	[RT_NS_REACHABLE] = "reachable", [RT_NS_STALE] = "stale",
	[RT_NS_PROBE] = "probe",	 [RT_NS_FAILED] = "failed",
	[RT_NS_STATIC] = "permanent",
};

/* ---- JSON ------------------------------------------------------------------ */

struct rt_show {
	struct rt *rt;
	uint8_t family;
	json_t *arr;
	unsigned int n, limit, more;
	struct rt_rib_route *rows; /* show routes: sorted before output */
};

static void
rt_nh_describe(const struct rt *rt, uint16_t id, uint8_t family, char *via,
	       size_t vlen, char *ifs, size_t ilen, const char **type)
{
	const struct rt_nh *nh = &rt->nh[id];
	char a[INET6_ADDRSTRLEN];
	unsigned int i;
	size_t vo = 0, io = 0;

	via[0] = ifs[0] = '\0';
	switch (nh->type) {
	case RT_NH_GW:
		*type = "unicast";
		rt_addr_str(family, nh->gw, via, vlen);
		snprintf(ifs, ilen, "%s", rt->vi->ifaces[nh->iface].name);
		return;
	case RT_NH_CONNECTED:
		*type = "connected";
		snprintf(ifs, ilen, "%s", rt->vi->ifaces[nh->iface].name);
		return;
	case RT_NH_GROUP:
		*type = "multipath";
		for (i = 0; i < nh->n_members; i++) {
			const struct rt_nh *m = &rt->nh[nh->members[i]];

			if (m->type == RT_NH_GW)
				rt_addr_str(family, m->gw, a, sizeof(a));
			else
				snprintf(a, sizeof(a), "-");
			vo += (size_t)snprintf(via + vo, vo < vlen ? vlen - vo : 0,
					       "%s%s", i ? ", " : "", a);
			io += (size_t)snprintf(ifs + io, io < ilen ? ilen - io : 0,
					       "%s%s", i ? ", " : "",
					       rt->vi->ifaces[m->iface].name);
		}
		return;
	case RT_NH_LOCAL:
		*type = "local";
		return;
	case RT_NH_BCAST:
		*type = "broadcast";
		return;
	case RT_NH_MCAST:
		*type = "multicast";
		return;
	case RT_NH_BLACKHOLE:
		*type = "blackhole";
		return;
	case RT_NH_UNREACH:
		*type = "unreachable";
		return;
	default:
		*type = "?";
		return;
	}
}

static void
rt_show_route(const struct rt_rib_route *r, void *arg)
{
	struct rt_show *s = arg;

	s->rows[s->n++] = *r;
}

/* Like `ip route`: by family, address, then length; a shadowed kernel
 * route after the route that hides it. */
static int
rt_show_row_cmp(const void *a, const void *b)
{
	const struct rt_rib_route *x = a, *y = b;
	int c;

	if (x->family != y->family)
		return x->family == AF_INET ? -1 : 1;
	c = memcmp(x->addr, y->addr, 16);
	if (c != 0)
		return c;
	if (x->len != y->len)
		return (int)x->len - (int)y->len;
	if (x->shadowed != y->shadowed)
		return (int)x->shadowed - (int)y->shadowed;
	/* standby kernel routes by metric, after a shadowed config one */
	return x->metric < y->metric ? -1 : x->metric > y->metric;
}

static void
rt_show_routes_emit(struct rt_show *s, unsigned int n)
{
	char ps[INET6_ADDRSTRLEN + 8], via[256], ifs[256], ob[8];
	const char *type;
	unsigned int i;
	json_t *row;

	for (i = 0; i < n; i++) {
		const struct rt_rib_route *r = &s->rows[i];

		rt_prefix_str(r->family, r->addr, r->len, ps, sizeof(ps));
		rt_nh_describe(s->rt, r->nh, r->family, via, sizeof(via), ifs,
			       sizeof(ifs), &type);
		if (r->origin == RT_ORIG_KERNEL && r->ktype == VNF_RT_PROHIBIT)
			type = "prohibit";
		row = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:b}", "vnf",
				s->rt->vi->name, "prefix", ps, "type", type,
				"via", via, "iface", ifs, "origin",
				rt_rib_origin_name(r, ob, sizeof(ob)),
				"shadowed", r->shadowed);
		/* The kernel's metric, as `ip route` shows it. */
		if (row != NULL && r->origin == RT_ORIG_KERNEL)
			json_object_set_new(row, "metric",
					    json_integer(r->metric));
		json_array_append_new(s->arr, row);
	}
}

static void
rt_show_neigh_one(const struct rt_neigh_key *k, uint64_t word, uint32_t stamp,
		  void *arg)
{
	struct rt_show *s = arg;
	char ip[INET6_ADDRSTRLEN], mac[RTE_ETHER_ADDR_FMT_SIZE] = "-";
	struct rte_ether_addr a;
	unsigned int st = rt_nw_state(word);
	double age;

	if (s->n >= s->limit) {
		s->more++;
		return;
	}
	s->n++;
	rt_addr_str(k->family, k->ip, ip, sizeof(ip));
	if (rt_nw_usable(word)) {
		memcpy(a.addr_bytes, &word, 6);
		rte_ether_format_addr(mac, sizeof(mac), &a);
	}
	age = (double)(uint32_t)(rt_ticks(rte_rdtsc()) - stamp) *
	      (double)(UINT64_C(1) << RT_TICK_SHIFT) / (double)s->rt->hz;
	json_array_append_new(
		s->arr,
		json_pack("{s:s, s:s, s:s, s:s, s:s, s:i}", "vnf",
			  s->rt->vi->name, "ip", ip, "iface",
			  s->rt->vi->ifaces[k->iface].name, "mac", mac, "state",
			  st < RTE_DIM(rt_state_names) ? rt_state_names[st] : "?",
			  "age", st == RT_NS_STATIC ? 0 : (int)age));
}

/*
 * A show verb's start: "limit" (rows, 1..2^32-1; a wrong type or value is
 * an error) and the reply's array.  0 or -errno with *reply set.
 */
static int
rt_show_start(struct rt_show *s, struct rt *rt, json_t *args, json_t **reply)
{
	uint64_t v = RT_SHOW_LIMIT;
	int rc = ctl_req_uint(args, "limit", 1, UINT32_MAX, &v, reply);

	if (rc < 0)
		return rc;
	memset(s, 0, sizeof(*s));
	s->rt = rt;
	s->limit = (unsigned int)v;
	s->arr = json_array();
	if (s->arr == NULL) {
		*reply = json_string("out of memory");
		return -ENOMEM;
	}
	return 0;
}

/*
 * A last row saying what was left out: the same keys as the others (so
 * nfvctl's table shows it) and "truncated": how many.  `cols`: the keys
 * after "vnf"; the first gets "...", the second the explanation.
 */
static void
rt_show_more(struct rt_show *s, const char *what, const char *const *cols,
	     unsigned int n_cols)
{
	json_t *o;
	char buf[96];
	unsigned int i;

	if (s->more == 0)
		return;
	snprintf(buf, sizeof(buf), "%u more %s (ask with \"limit\")", s->more,
		 what);
	o = json_pack("{s:s}", "vnf", s->rt->vi->name);
	for (i = 0; i < n_cols; i++)
		json_object_set_new(o, cols[i],
				    json_string(i == 0 ? "..." :
						i == 1 ? buf : ""));
	json_object_set_new(o, "truncated", json_integer(s->more));
	json_array_append_new(s->arr, o);
}

static int
rt_ctl_error(json_t **reply, int rc, const char *msg)
{
	*reply = json_string(msg);
	return rc;
}

/*
 * A route from a request object: the same schema and parser as a route of
 * the config ("JSON is YAML").  0 or -errno with err set; free r->nh with
 * rt_route_config_clear().
 */
static int
rt_route_from_json(struct rt *rt, json_t *args, struct rt_route_config *r,
		   char *err, size_t errlen)
{
	static const char *const extra[] = {"replace", "file", NULL};
	struct ctl_vnf_config view;
	struct rt_raw_route *raw = NULL;
	struct ctl_cfg *c = NULL;
	int rc;

	memset(r, 0, sizeof(*r));
	if (vnf_config_view(rt->vi, &view) < 0) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	rc = vnf_request_load("route add", args, extra, &rt_route_schema,
			      (void **)&raw, &c, err, errlen);
	if (rc == 0)
		rc = rt_route_parse(c, "", raw, &view, r);
	ctl_cfg_close(c, &rt_route_schema, raw);
	vnf_config_view_free(&view);
	return rc;
}

/*
 * show routes: the routes of both families sorted like `ip route`, at most
 * "limit" rows, each with its origin; a kernel route hidden behind a
 * config-side one is a row of its own ("shadowed": true).
 */
static int
rt_show_routes(struct vnf_instance *vi, json_t *args, json_t **reply)
{
	static const char *const cols[] = {"prefix", "type",   "via",
					   "iface",  "origin", "shadowed"};
	struct rt *rt = vi->priv;
	struct rt_show s;
	uint32_t total;
	int rc;

	rc = rt_show_start(&s, rt, args, reply);
	if (rc < 0)
		return rc;
	/* The RIB is a hash: every row is sorted, the first `limit` shown. */
	total = rt_rib_rows(rt);
	s.rows = malloc(((size_t)total + 1) * sizeof(s.rows[0]));
	if (s.rows == NULL) {
		json_decref(s.arr);
		return rt_ctl_error(reply, -ENOMEM, "out of memory");
	}
	rt_rib_walk(rt, rt_show_route, &s);
	qsort(s.rows, s.n, sizeof(s.rows[0]), rt_show_row_cmp);
	if (s.n > s.limit) {
		s.more = s.n - s.limit;
		s.n = s.limit;
	}
	rt_show_routes_emit(&s, s.n);
	free(s.rows);
	rt_show_more(&s, "routes", cols, RTE_DIM(cols));
	*reply = s.arr;
	return 0;
}

/* show neigh: the ARP/ND table, at most "limit" rows. */
static int
rt_show_neigh(struct vnf_instance *vi, json_t *args, json_t **reply)
{
	static const char *const cols[] = {"ip", "iface", "mac", "state"};
	struct rt_show s;
	int rc;

	rc = rt_show_start(&s, vi->priv, args, reply);
	if (rc < 0)
		return rc;
	rt_neigh_walk(s.rt, rt_show_neigh_one, &s);
	rt_show_more(&s, "neighbours", cols, RTE_DIM(cols));
	*reply = s.arr;
	return 0;
}

/*
 * route add: one route checked like one of the config ("replace": true
 * replaces an existing one), or {"file": PATH} a route file, applied as a
 * whole.
 */
static int
rt_verb_route_add(struct vnf_instance *vi, json_t *args, json_t **reply)
{
	struct rt *rt = vi->priv;
	struct rt_route_config r = {0};
	const char *file = NULL;
	bool replace = false;
	char err[256];
	unsigned int n;
	int rc;

	rc = ctl_req_bool(args, "replace", &replace, reply);
	if (rc >= 0)
		rc = ctl_req_str(args, "file", &file, reply);
	if (rc < 0)
		return rc;
	if (file != NULL) {
		rc = rt_routes_load(rt, file, replace, &n, err, sizeof(err));
		if (rc < 0)
			return rt_ctl_error(reply, rc, err);
		*reply = json_pack("{s:i, s:I}", "loaded", (int)n, "fib_memory",
				   (json_int_t)(rt_fib_memory(&rt->fib4) +
						rt_fib_memory(&rt->fib6)));
		return 0;
	}
	rc = rt_route_from_json(rt, args, &r, err, sizeof(err));
	if (rc == 0)
		rc = rt_route_add(rt, &r, replace, err, sizeof(err));
	rt_route_config_clear(&r);
	if (rc < 0)
		return rt_ctl_error(reply, rc, err);
	return 0;
}

static int
rt_verb_route_del(struct vnf_instance *vi, json_t *args, json_t **reply)
{
	struct rt *rt = vi->priv;
	const char *pfx = NULL;
	struct ctl_prefix p;
	char err[256];
	int rc;

	if (json_object_get(args, "file") != NULL)
		return rt_ctl_error(reply, -EINVAL,
				    "route del takes no \"file\"");
	rc = ctl_req_str(args, "prefix", &pfx, reply);
	if (rc == 0)
		rc = ctl_req_missing(reply, "prefix");
	if (rc < 0)
		return rc;
	rc = rt_parse_prefix(pfx, &p, true);
	if (rc < 0)
		snprintf(err, sizeof(err), "\"%s\" is not a network", pfx);
	else
		rc = rt_route_del(rt, &p, err, sizeof(err));
	if (rc == -EDOM)
		rc = -EINVAL;
	if (rc < 0)
		return rt_ctl_error(reply, rc, err);
	return 0;
}

json_t *
rt_details(struct vnf_instance *vi)
{
	struct rt *rt = vi->priv;

	return json_pack(
		"{s:i, s:i, s:i, s:I, s:I, s:I, s:i, s:i, s:i, s:i, s:I, s:b}",
		"routes_ipv4", (int)rt->fib4.n_routes, "routes_ipv6",
		(int)rt->fib6.n_routes, "kernel_routes",
		(int)vnf_router_kroutes_count(vi), "prefix_capacity",
		(json_int_t)rt_rib_capacity(rt), "fib_memory_ipv4",
		(json_int_t)rt_fib_memory(&rt->fib4), "fib_memory_ipv6",
		(json_int_t)rt_fib_memory(&rt->fib6), "nexthops",
		(int)rt->nh_used, "neighbors",
		(int)atomic_load(&rt->neigh.count), "neighbor_limit",
		(int)rt->neigh.limit, "punt_queued",
		(int)rte_ring_count(rt->punt), "punt_discarded",
		(json_int_t)rt->punt_discarded, "ipv6", rt->v6);
}

/*
 * The arguments nfvctl offers.  A request may carry more: "nexthops" (a
 * multipath route, as in the config) and "file" (a route file) go through
 * `nfvctl raw` (docs/router.md).
 */
/* clang-format off */
const struct vnf_verb rt_verbs[] = {
	{
		.name = "show routes",
		.help = "routes with their origin, sorted like ip route (at most 10000, or limit)",
		.flags = VNF_VERB_SHOW,
		.args = {
			{.key = "limit", .word = "limit", .meta = "N",
			 .flags = VNF_ARG_INT},
		},
		.handler = rt_show_routes,
	},
	{
		.name = "show neigh",
		.help = "neighbours (ARP/ND): ip, iface, mac, state, age",
		.flags = VNF_VERB_SHOW,
		.args = {
			{.key = "limit", .word = "limit", .meta = "N",
			 .flags = VNF_ARG_INT},
		},
		.handler = rt_show_neigh,
	},
	{
		.name = "route add",
		.help = "add a route (replace: replace an existing one)",
		.args = {
			{.key = "prefix", .meta = "PREFIX",
			 .flags = VNF_ARG_REQUIRED},
			{.key = "via", .word = "via", .meta = "ADDR"},
			{.key = "iface", .word = "dev", .meta = "IFACE",
			 .alias = "iface"},
			{.key = "type", .choices = "blackhole|unreachable"},
			{.key = "replace", .word = "replace",
			 .flags = VNF_ARG_FLAG},
		},
		.handler = rt_verb_route_add,
	},
	{
		.name = "route del",
		.help = "delete a route",
		.args = {
			{.key = "prefix", .meta = "PREFIX",
			 .flags = VNF_ARG_REQUIRED},
		},
		.handler = rt_verb_route_del,
	},
	{
		/* kernel.c; shares its name with the port mirror's verb
		 * (vnf/mirror/): both take no arguments. */
		.name = "show mirror",
		.help = "the kernel mirror of a router: state and counters",
		.flags = VNF_VERB_SHOW,
		.handler = rt_show_mirror,
	},
};
/* clang-format on */
