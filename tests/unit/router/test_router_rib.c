/* SPDX-License-Identifier: BSD-3-Clause
 *
 * test_router_rib.c - the router's RIB (vnf/router/rib.c) as the netlink
 * mirror drives it (router.h, "the kernel mirror"):
 *  - kernel route batches: add, replace, delete, a later op on a prefix
 *    winning, next-hop references given back;
 *  - precedence both ways between config and kernel routes of a prefix,
 *    and `show routes` with origins and shadowed rows;
 *  - ECMP with weights, IPv6 link-local gateways, blackhole / unreachable /
 *    prohibit, bad ops skipped and counted;
 *  - mark/sweep generations, iface down with ECMP groups, address routes,
 *    MTU changes of next hops;
 *  - a batch the FIB cannot take (memory) undone in the RIB;
 *  - mirror.max_routes sizing the tables before the first kernel batch;
 *  - 100,000 random adds and deletes (kernel and config) against a
 *    reference model: the RIB, the FIB's exact entries and longest-prefix
 *    lookups of sampled addresses all agree with it.
 *
 * EAL runs inside the test without hugepages or shared files.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include <rte_eal.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "vnf/router/config.h"
#include "vnf/router/router.h"
#include "vnf/router/router_priv.h"
#include "tests/common/test_eal.h"
#include "tests/common/test_rcu.h"

#include "router_test.h"

/* ---- config: router_test.h's ifaces, 198.51.100.0/24 via 192.0.2.254
 * (config). ------------------------------------------------------------ */

static struct vnf_router_mirror_config mcfg;

static void
router_start_m(bool v6, uint32_t max_routes)
{
	cfg_ifaces(v6);
	cfg_routes(1);
	if (max_routes != 0) {
		memset(&mcfg, 0, sizeof(mcfg));
		snprintf(mcfg.netns, sizeof(mcfg.netns), "rib-ns");
		mcfg.table = 254;
		mcfg.max_routes = max_routes;
		rcfg.mirror = &mcfg;
	}
	router_create();
}

static int
setup(void **state)
{
	(void)state;
	router_start_m(true, 0);
	return 0;
}

static int
setup_v4only(void **state)
{
	(void)state;
	router_start_m(false, 0);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	vnf_instance_destroy(vi);
	vi = NULL;
	rt = NULL;
	return 0;
}

/* ---- helpers ---------------------------------------------------------------
 */

/* A kernel route: "PREFIX/LEN" with gateways "ADDR@IFACE[*WEIGHT]" (ADDR
 * "-": on link), or type != unicast without any. */
static struct vnf_router_kroute
kr(const char *prefix, uint8_t proto, uint8_t type, unsigned int n_nh, ...)
{
	struct vnf_router_kroute k;
	struct ctl_prefix p;
	char buf[64], *slash;
	va_list ap;
	unsigned int i;

	memset(&k, 0, sizeof(k));
	snprintf(buf, sizeof(buf), "%s", prefix);
	slash = strchr(buf, '/');
	assert_non_null(slash);
	*slash = '\0';
	pfx(&p, buf, (uint8_t)atoi(slash + 1));
	k.family = p.family;
	k.len = p.len;
	memcpy(k.addr, p.addr, 16);
	k.type = type;
	k.proto = proto;
	k.n_nh = (uint8_t)n_nh;
	va_start(ap, n_nh);
	for (i = 0; i < n_nh; i++) {
		const char *gw = va_arg(ap, const char *);
		unsigned int iface = va_arg(ap, unsigned int);
		unsigned int weight = va_arg(ap, unsigned int);

		k.nh[i].iface = (uint16_t)iface;
		k.nh[i].weight = (uint8_t)weight;
		if (strcmp(gw, "-") != 0) {
			k.nh[i].has_gw = true;
			assert_int_equal(inet_pton(k.family, gw, k.nh[i].gw),
					 1);
		}
	}
	va_end(ap);
	return k;
}

static struct vnf_router_kroute
kdel(const char *prefix)
{
	struct vnf_router_kroute k = kr(prefix, 0, 0, 0);

	k.del = true;
	return k;
}

/* Apply ops; failures must be exactly want_failed. */
static void
apply(const struct vnf_router_kroute *ops, unsigned int n,
      unsigned int want_failed)
{
	unsigned int failed = 99;
	char err[256] = "";

	assert_int_equal(
		vnf_router_kroutes_apply(vi, ops, n, &failed, err, sizeof(err)),
		0);
	if (failed != want_failed)
		fail_msg("%u failed (want %u): %s", failed, want_failed, err);
}

static void
apply1(struct vnf_router_kroute k)
{
	apply(&k, 1, 0);
}

static void
check_rib(void)
{
	char err[256] = "";

	if (rt_rib_check(rt, err, sizeof(err)) != 0)
		fail_msg("RIB and FIB differ: %s", err);
}

/* The FIB's next hop of exactly "PREFIX/LEN", or -1. */
static int
fib_exact(const char *prefix)
{
	struct vnf_router_kroute k = kr(prefix, 0, 0, 0);
	uint16_t nh;

	if (rt_fib_get(rt_fib_of(rt, k.family), k.addr, k.len, &nh) != 0)
		return -1;
	return nh;
}

/* The FIB's next hop for one address. */
static uint16_t
fib_lookup(const char *addr)
{
	uint8_t a[16] = {0};
	int family = strchr(addr, ':') ? AF_INET6 : AF_INET;

	assert_int_equal(inet_pton(family, addr, a), 1);
	return rt_fib_lookup_one(rt_fib_of(rt, family), a);
}

/* Is nh a gateway next hop to gw by iface? */
static bool
is_gw(int id, const char *gw, uint16_t iface)
{
	uint8_t a[16] = {0};
	int family = strchr(gw, ':') ? AF_INET6 : AF_INET;

	if (id < 0)
		return false;
	assert_int_equal(inet_pton(family, gw, a), 1);
	return rt->nh[id].type == RT_NH_GW && rt->nh[id].iface == iface &&
	       memcmp(rt->nh[id].gw, a, family == AF_INET ? 4 : 16) == 0;
}

/* show routes: the row of prefix (shadowed or not), or NULL. */
static json_t *
show_row(json_t *rows, const char *prefix, bool shadowed)
{
	size_t i;

	for (i = 0; i < json_array_size(rows); i++) {
		json_t *o = json_array_get(rows, i);
		const char *p = json_string_value(json_object_get(o, "prefix"));

		if (p != NULL && strcmp(p, prefix) == 0 &&
		    json_is_true(json_object_get(o, "shadowed")) == shadowed)
			return o;
	}
	return NULL;
}

static json_t *
show_routes(void)
{
	json_t *args = json_object(), *r = NULL;

	assert_int_equal(vnf_verb_call(vi, "show routes", args, &r), 0);
	json_decref(args);
	assert_true(json_is_array(r));
	return r;
}

static const char *
row_str(json_t *row, const char *key)
{
	assert_non_null(row);
	return json_string_value(json_object_get(row, key));
}

/* ---- batches
 * ------------------------------------------------------------------ */

static void
test_batch_add_replace_delete(void **state)
{
	uint32_t nh_before = rt->nh_used;
	struct vnf_router_kroute ops[6];

	(void)state;
	ops[0] = kr("203.0.113.0/24", 186, VNF_RT_UNICAST, 1, "192.0.2.10", WAN,
		    0);
	ops[1] = kr("100.64.0.0/10", 186, VNF_RT_UNICAST, 1, "-", LAN, 0);
	ops[2] = kr("2001:db8:100::/48", 186, VNF_RT_UNICAST, 1,
		    "2001:db8:1::10", WAN, 0);
	/* a later op on a prefix wins: add, replace, delete in one batch */
	ops[3] = kr("198.18.0.0/15", 186, VNF_RT_UNICAST, 1, "192.0.2.10", WAN,
		    0);
	ops[4] = kr("198.18.0.0/15", 186, VNF_RT_UNICAST, 1, "192.0.2.11", WAN,
		    0);
	ops[5] = kdel("198.18.0.0/15");
	apply(ops, 6, 0);
	assert_true(is_gw(fib_exact("203.0.113.0/24"), "192.0.2.10", WAN));
	assert_int_equal(rt->nh[fib_exact("100.64.0.0/10")].type,
			 RT_NH_CONNECTED);
	assert_true(
		is_gw(fib_exact("2001:db8:100::/48"), "2001:db8:1::10", WAN));
	assert_int_equal(fib_exact("198.18.0.0/15"), -1);
	assert_int_equal(vnf_router_kroutes_count(vi), 3);
	check_rib();

	/* replace (a plain add replaces the kernel's route) */
	apply1(kr("203.0.113.0/24", 186, VNF_RT_UNICAST, 1, "192.0.2.20", WAN,
		  0));
	assert_true(is_gw(fib_exact("203.0.113.0/24"), "192.0.2.20", WAN));
	assert_int_equal(fib_lookup("203.0.113.77"),
			 fib_exact("203.0.113.0/24"));
	assert_int_equal(vnf_router_kroutes_count(vi), 3);
	/* the same route again: no change, no extra reference */
	apply1(kr("203.0.113.0/24", 186, VNF_RT_UNICAST, 1, "192.0.2.20", WAN,
		  0));
	check_rib();

	/* delete everything, and something that is not there */
	ops[0] = kdel("203.0.113.0/24");
	ops[1] = kdel("100.64.0.0/10");
	ops[2] = kdel("2001:db8:100::/48");
	ops[3] = kdel("192.0.2.128/25");
	apply(ops, 4, 0);
	assert_int_equal(vnf_router_kroutes_count(vi), 0);
	assert_int_equal(fib_lookup("203.0.113.77"), RT_NHID_NOROUTE);
	check_rib();
	/* every next hop the kernel routes took is back */
	assert_int_equal(rt->nh_used, nh_before);
}

/* ---- precedence -------------------------------------------------------------
 */

static void
test_precedence(void **state)
{
	struct rt_route_config r;
	struct rt_nexthop_config nh;
	struct ctl_prefix p;
	char err[256];
	json_t *rows;
	int cfg_nh = fib_exact("198.51.100.0/24");

	(void)state;
	assert_true(is_gw(cfg_nh, "192.0.2.254", WAN));
	/* a kernel route under the config's: kept behind it */
	apply1(kr("198.51.100.0/24", 186, VNF_RT_UNICAST, 1, "192.0.2.30", WAN,
		  0));
	assert_int_equal(fib_exact("198.51.100.0/24"), cfg_nh);
	assert_int_equal(vnf_router_kroutes_count(vi), 1);
	check_rib();
	rows = show_routes();
	assert_string_equal(
		row_str(show_row(rows, "198.51.100.0/24", false), "origin"),
		"config");
	assert_string_equal(
		row_str(show_row(rows, "198.51.100.0/24", true), "origin"),
		"bgp");
	assert_string_equal(
		row_str(show_row(rows, "198.51.100.0/24", true), "via"),
		"192.0.2.30");
	json_decref(rows);

	/* the config route goes: the kernel's takes over */
	pfx(&p, "198.51.100.0", 24);
	assert_int_equal(vnf_router_route_del(vi, &p, err, sizeof(err)), 0);
	assert_true(is_gw(fib_exact("198.51.100.0/24"), "192.0.2.30", WAN));
	rows = show_routes();
	assert_string_equal(
		row_str(show_row(rows, "198.51.100.0/24", false), "origin"),
		"bgp");
	assert_null(show_row(rows, "198.51.100.0/24", true));
	json_decref(rows);
	/* route del cannot remove the kernel's route */
	assert_int_equal(vnf_router_route_del(vi, &p, err, sizeof(err)),
			 -EPERM);
	check_rib();

	/* a config route over the kernel's: no "exists", it wins */
	memset(&r, 0, sizeof(r));
	memset(&nh, 0, sizeof(nh));
	r.prefix = p;
	r.nh = &nh;
	r.n_nh = 1;
	nh.has_via = true;
	pfx(&nh.via, "192.0.2.254", 32);
	assert_int_equal(vnf_router_route_add(vi, &r, false, err, sizeof(err)),
			 0);
	assert_true(is_gw(fib_exact("198.51.100.0/24"), "192.0.2.254", WAN));
	/* ... and a second add is refused as before */
	assert_int_equal(vnf_router_route_add(vi, &r, false, err, sizeof(err)),
			 -EEXIST);
	/* the kernel's route changes behind it: nothing forwarded changes */
	apply1(kr("198.51.100.0/24", 188, VNF_RT_UNICAST, 1, "192.0.2.31", WAN,
		  0));
	assert_true(is_gw(fib_exact("198.51.100.0/24"), "192.0.2.254", WAN));
	/* the kernel's route goes: the config's stays */
	apply1(kdel("198.51.100.0/24"));
	assert_true(is_gw(fib_exact("198.51.100.0/24"), "192.0.2.254", WAN));
	assert_int_equal(vnf_router_kroutes_count(vi), 0);
	check_rib();

	/* the kernel's connected route of an iface subnet: shadowed, and
	 * the iface's own routes are never replaced */
	apply1(kr("10.0.0.0/24", 2, VNF_RT_UNICAST, 1, "-", LAN, 0));
	apply1(kr("10.0.0.1/32", 2, VNF_RT_UNICAST, 1, "-", WAN, 0));
	assert_int_equal(fib_exact("10.0.0.1/32"), RT_NHID_LOCAL);
	rows = show_routes();
	assert_string_equal(
		row_str(show_row(rows, "10.0.0.0/24", false), "origin"),
		"connected");
	assert_string_equal(
		row_str(show_row(rows, "10.0.0.0/24", true), "origin"),
		"kernel");
	assert_string_equal(
		row_str(show_row(rows, "10.0.0.1/32", false), "origin"),
		"local");
	json_decref(rows);
	check_rib();
}

/* ---- next hops -------------------------------------------------------------
 */

static unsigned int
members_to(int group, const char *gw, uint16_t iface)
{
	unsigned int i, n = 0;

	for (i = 0; i < rt->nh[group].n_members; i++)
		n += is_gw(rt->nh[group].members[i], gw, iface);
	return n;
}

static void
test_ecmp_weights(void **state)
{
	uint32_t nh_before = rt->nh_used;
	int g;

	(void)state;
	/* weights 1 and 3: the second gateway four times... three times */
	apply1(kr("203.0.113.0/24", 188, VNF_RT_UNICAST, 2, "192.0.2.10", WAN,
		  1, "10.0.0.10", LAN, 3));
	g = fib_exact("203.0.113.0/24");
	assert_int_equal(rt->nh[g].type, RT_NH_GROUP);
	assert_int_equal(rt->nh[g].n_members, 4);
	assert_int_equal(members_to(g, "192.0.2.10", WAN), 1);
	assert_int_equal(members_to(g, "10.0.0.10", LAN), 3);
	/* no weights: once each; the same set is the same group */
	apply1(kr("203.0.114.0/24", 188, VNF_RT_UNICAST, 2, "192.0.2.10", WAN,
		  0, "10.0.0.10", LAN, 0));
	apply1(kr("203.0.115.0/24", 188, VNF_RT_UNICAST, 2, "10.0.0.10", LAN, 0,
		  "192.0.2.10", WAN, 0));
	g = fib_exact("203.0.114.0/24");
	assert_int_equal(rt->nh[g].n_members, 2);
	assert_int_equal(fib_exact("203.0.115.0/24"), g);
	/* weights that do not fit in a group (sum > 16): once each */
	apply1(kr("203.0.116.0/24", 188, VNF_RT_UNICAST, 2, "192.0.2.10", WAN,
		  10, "10.0.0.10", LAN, 10));
	assert_int_equal(fib_exact("203.0.116.0/24"), g);
	check_rib();
	apply1(kdel("203.0.113.0/24"));
	apply1(kdel("203.0.114.0/24"));
	apply1(kdel("203.0.115.0/24"));
	apply1(kdel("203.0.116.0/24"));
	assert_int_equal(rt->nh_used, nh_before);
}

static void
test_ipv6_link_local_gateway(void **state)
{
	int a, b;

	(void)state;
	apply1(kr("2001:db8:200::/48", 188, VNF_RT_UNICAST, 1, "fe80::1", WAN,
		  0));
	apply1(kr("2001:db8:300::/48", 188, VNF_RT_UNICAST, 1, "fe80::1", LAN,
		  0));
	a = fib_exact("2001:db8:200::/48");
	b = fib_exact("2001:db8:300::/48");
	/* the same link-local address on two links: two next hops */
	assert_true(is_gw(a, "fe80::1", WAN));
	assert_true(is_gw(b, "fe80::1", LAN));
	assert_int_not_equal(a, b);
	assert_int_equal(fib_lookup("2001:db8:200::5"), a);
	/* its neighbour entry is keyed by the iface too */
	assert_int_not_equal(rt->nh[a].neigh, rt->nh[b].neigh);
	check_rib();
}

static void
test_special_types(void **state)
{
	struct vnf_router_kroute ops[3];
	json_t *rows;

	(void)state;
	ops[0] = kr("203.0.113.0/24", 4, VNF_RT_BLACKHOLE, 0);
	ops[1] = kr("203.0.114.0/24", 4, VNF_RT_UNREACHABLE, 0);
	ops[2] = kr("203.0.115.0/24", 4, VNF_RT_PROHIBIT, 0);
	apply(ops, 3, 0);
	assert_int_equal(fib_exact("203.0.113.0/24"), RT_NHID_BLACKHOLE);
	assert_int_equal(fib_exact("203.0.114.0/24"), RT_NHID_UNREACH);
	/* prohibit is forwarded as unreachable (docs/router.md) */
	assert_int_equal(fib_exact("203.0.115.0/24"), RT_NHID_UNREACH);
	rows = show_routes();
	assert_string_equal(
		row_str(show_row(rows, "203.0.113.0/24", false), "type"),
		"blackhole");
	assert_string_equal(
		row_str(show_row(rows, "203.0.114.0/24", false), "type"),
		"unreachable");
	assert_string_equal(
		row_str(show_row(rows, "203.0.115.0/24", false), "type"),
		"prohibit");
	assert_string_equal(
		row_str(show_row(rows, "203.0.115.0/24", false), "origin"),
		"static");
	json_decref(rows);
	/* unknown protocols by number */
	apply1(kr("203.0.116.0/24", 250, VNF_RT_BLACKHOLE, 0));
	rows = show_routes();
	assert_string_equal(
		row_str(show_row(rows, "203.0.116.0/24", false), "origin"),
		"250");
	json_decref(rows);
	check_rib();
}

static void
test_bad_ops_counted(void **state)
{
	struct vnf_router_kroute ops[5];
	unsigned int failed = 0;
	char err[256] = "";

	(void)state;
	ops[0] = kr("203.0.113.0/24", 186, VNF_RT_UNICAST, 1, "192.0.2.10", 7,
		    0);
	ops[1] = kr("203.0.114.0/24", 186, VNF_RT_UNICAST, 1, "192.0.2.10", WAN,
		    0);
	ops[2] = kr("2001:db8:100::/48", 186, VNF_RT_UNICAST, 1, "fe80::1", WAN,
		    0);
	ops[3] = kr("203.0.115.0/24", 186, VNF_RT_UNICAST, 0);
	ops[4] = kr("203.0.116.0/24", 186, 9, 0);
	assert_int_equal(
		vnf_router_kroutes_apply(vi, ops, 5, &failed, err, sizeof(err)),
		0);
	/* IPv6 is off on this router; iface 7 does not exist; no next hop;
	 * an unknown type */
	assert_int_equal(failed, 4);
	assert_non_null(strstr(err, "iface 7 out of range"));
	assert_true(is_gw(fib_exact("203.0.114.0/24"), "192.0.2.10", WAN));
	assert_int_equal(fib_exact("203.0.113.0/24"), -1);
	assert_int_equal(vnf_router_kroutes_count(vi), 1);
	check_rib();
	/* the IPv6 reason */
	assert_int_equal(vnf_router_kroutes_apply(vi, &ops[2], 1, &failed, err,
						  sizeof(err)),
			 0);
	assert_int_equal(failed, 1);
	assert_non_null(strstr(err, "IPv6 is off"));
}

/* ---- mark / sweep
 * ------------------------------------------------------------ */

static void
test_mark_sweep(void **state)
{
	struct vnf_router_kroute ops[4];
	unsigned int removed = 99;

	(void)state;
	ops[0] = kr("203.0.113.0/24", 186, VNF_RT_UNICAST, 1, "192.0.2.10", WAN,
		    0);
	ops[1] = kr("203.0.114.0/24", 186, VNF_RT_UNICAST, 1, "192.0.2.10", WAN,
		    0);
	ops[2] = kr("203.0.115.0/24", 186, VNF_RT_UNICAST, 1, "192.0.2.10", WAN,
		    0);
	ops[3] = kr("2001:db8:100::/48", 186, VNF_RT_BLACKHOLE, 0);
	apply(ops, 4, 0);
	/* nothing marked yet: a sweep keeps all */
	assert_int_equal(vnf_router_kroutes_sweep(vi, &removed), 0);
	assert_int_equal(removed, 0);
	vnf_router_kroutes_mark(vi);
	/* the dump: one unchanged, one changed, one new */
	ops[1] = kr("203.0.114.0/24", 186, VNF_RT_UNICAST, 1, "192.0.2.11", WAN,
		    0);
	ops[2] = kr("203.0.117.0/24", 186, VNF_RT_UNICAST, 1, "192.0.2.10", WAN,
		    0);
	apply(ops, 3, 0);
	assert_int_equal(vnf_router_kroutes_count(vi), 5);
	assert_int_equal(vnf_router_kroutes_sweep(vi, &removed), 0);
	assert_int_equal(removed, 2);
	assert_int_equal(vnf_router_kroutes_count(vi), 3);
	assert_int_equal(fib_exact("203.0.115.0/24"), -1);
	assert_int_equal(fib_exact("2001:db8:100::/48"), -1);
	assert_true(is_gw(fib_exact("203.0.114.0/24"), "192.0.2.11", WAN));
	assert_true(is_gw(fib_exact("203.0.117.0/24"), "192.0.2.10", WAN));
	/* config routes are not the mirror's: never swept */
	assert_true(is_gw(fib_exact("198.51.100.0/24"), "192.0.2.254", WAN));
	assert_int_equal(vnf_router_kroutes_sweep(vi, &removed), 0);
	assert_int_equal(removed, 0);
	/* a kernel route behind a config one is swept behind it */
	apply1(kr("198.51.100.0/24", 186, VNF_RT_UNICAST, 1, "192.0.2.10", WAN,
		  0));
	vnf_router_kroutes_mark(vi);
	assert_int_equal(vnf_router_kroutes_sweep(vi, &removed), 0);
	assert_int_equal(removed, 4);
	assert_int_equal(vnf_router_kroutes_count(vi), 0);
	assert_true(is_gw(fib_exact("198.51.100.0/24"), "192.0.2.254", WAN));
	check_rib();
}

/* ---- metrics: standby kernel routes ------------------------------------ */

static struct vnf_router_kroute
km(struct vnf_router_kroute k, uint32_t metric)
{
	k.metric = metric;
	return k;
}

struct rows {
	unsigned int n, shadowed;
	uint32_t metric[8];
};

static void
rows_of(const struct rt_rib_route *r, void *arg)
{
	struct rows *x = arg;
	char ps[64];

	rt_prefix_str(r->family, r->addr, r->len, ps, sizeof(ps));
	if (strcmp(ps, "203.0.113.0/24") != 0 || r->origin != RT_ORIG_KERNEL)
		return;
	if (x->n < 8)
		x->metric[x->n] = r->metric;
	x->n++;
	x->shadowed += r->shadowed;
}

/* Kernel routes of one prefix with different metrics: the lowest is
 * forwarded, the others stand by and take over in metric order; deletes
 * name their metric; next-hop references all come back. */
static void
test_metrics(void **state)
{
	uint32_t nh_before = rt->nh_used;
	struct rows x = {0};

	(void)state;
	apply1(km(kr("203.0.113.0/24", 4, VNF_RT_UNICAST, 1, "192.0.2.10",
		     WAN, 0),
		  100));
	/* a higher metric: standby, the FIB unchanged */
	apply1(km(kr("203.0.113.0/24", 12, VNF_RT_UNICAST, 1, "10.0.0.10",
		     LAN, 0),
		  200));
	assert_true(is_gw(fib_exact("203.0.113.0/24"), "192.0.2.10", WAN));
	/* a lower one: forwarded, the old one stands by */
	apply1(km(kr("203.0.113.0/24", 186, VNF_RT_UNICAST, 1, "192.0.2.11",
		     WAN, 0),
		  20));
	assert_true(is_gw(fib_exact("203.0.113.0/24"), "192.0.2.11", WAN));
	assert_int_equal(vnf_router_kroutes_count(vi), 3);
	rt_rib_walk(rt, rows_of, &x);
	assert_int_equal(x.n, 3);
	assert_int_equal(x.shadowed, 2);
	check_rib();
	/* the same metric replaces, standby or forwarded */
	apply1(km(kr("203.0.113.0/24", 12, VNF_RT_UNICAST, 1, "10.0.0.11",
		     LAN, 0),
		  200));
	assert_int_equal(vnf_router_kroutes_count(vi), 3);
	/* a delete of a metric nobody has changes nothing */
	apply1(km(kdel("203.0.113.0/24"), 150));
	assert_int_equal(vnf_router_kroutes_count(vi), 3);
	assert_true(is_gw(fib_exact("203.0.113.0/24"), "192.0.2.11", WAN));
	/* the forwarded one goes: metric 100 takes over, then 200 */
	apply1(km(kdel("203.0.113.0/24"), 20));
	assert_true(is_gw(fib_exact("203.0.113.0/24"), "192.0.2.10", WAN));
	apply1(km(kdel("203.0.113.0/24"), 100));
	assert_true(is_gw(fib_exact("203.0.113.0/24"), "10.0.0.11", LAN));
	assert_int_equal(vnf_router_kroutes_count(vi), 1);
	check_rib();
	/* a standby one deleted: the forwarded one stays */
	apply1(km(kr("203.0.113.0/24", 4, VNF_RT_BLACKHOLE, 0), 300));
	apply1(km(kdel("203.0.113.0/24"), 300));
	assert_true(is_gw(fib_exact("203.0.113.0/24"), "10.0.0.11", LAN));
	apply1(km(kdel("203.0.113.0/24"), 200));
	assert_int_equal(fib_exact("203.0.113.0/24"), -1);
	assert_int_equal(vnf_router_kroutes_count(vi), 0);
	assert_int_equal(rt->nh_used, nh_before);
	check_rib();
}

/* A resync sweeps standby routes not seen again, and a forwarded one not
 * seen gives way to the lowest standby one that was. */
static void
test_metrics_sweep(void **state)
{
	uint32_t nh_before = rt->nh_used;
	unsigned int removed = 0;

	(void)state;
	apply1(km(kr("203.0.113.0/24", 4, VNF_RT_UNICAST, 1, "192.0.2.10",
		     WAN, 0),
		  10));
	apply1(km(kr("203.0.113.0/24", 4, VNF_RT_UNICAST, 1, "192.0.2.11",
		     WAN, 0),
		  20));
	apply1(km(kr("203.0.113.0/24", 4, VNF_RT_UNICAST, 1, "10.0.0.10",
		     LAN, 0),
		  30));
	vnf_router_kroutes_mark(vi);
	/* the dump has metric 30 only */
	apply1(km(kr("203.0.113.0/24", 4, VNF_RT_UNICAST, 1, "10.0.0.10",
		     LAN, 0),
		  30));
	assert_int_equal(vnf_router_kroutes_sweep(vi, &removed), 0);
	assert_int_equal(removed, 2);
	assert_true(is_gw(fib_exact("203.0.113.0/24"), "10.0.0.10", LAN));
	assert_int_equal(vnf_router_kroutes_count(vi), 1);
	check_rib();
	vnf_router_kroutes_mark(vi);
	assert_int_equal(vnf_router_kroutes_sweep(vi, &removed), 0);
	assert_int_equal(removed, 1);
	assert_int_equal(rt->nh_used, nh_before);
	check_rib();
}

/* Link down: standby routes by it go; a forwarded route by it gives way
 * to a standby one by another iface. */
static void
test_metrics_iface_down(void **state)
{
	unsigned int removed = 0;

	(void)state;
	apply1(km(kr("203.0.113.0/24", 4, VNF_RT_UNICAST, 1, "192.0.2.10",
		     WAN, 0),
		  10));
	apply1(km(kr("203.0.113.0/24", 4, VNF_RT_UNICAST, 1, "192.0.2.11",
		     WAN, 0),
		  20));
	apply1(km(kr("203.0.113.0/24", 4, VNF_RT_UNICAST, 1, "10.0.0.10",
		     LAN, 0),
		  30));
	apply1(km(kr("203.0.114.0/24", 4, VNF_RT_UNICAST, 1, "10.0.0.10",
		     LAN, 0),
		  10));
	apply1(km(kr("203.0.114.0/24", 4, VNF_RT_UNICAST, 1, "192.0.2.10",
		     WAN, 0),
		  20));
	assert_int_equal(rt_rib_iface_down(rt, WAN, &removed), 0);
	assert_int_equal(removed, 3);
	assert_true(is_gw(fib_exact("203.0.113.0/24"), "10.0.0.10", LAN));
	assert_true(is_gw(fib_exact("203.0.114.0/24"), "10.0.0.10", LAN));
	assert_int_equal(vnf_router_kroutes_count(vi), 2);
	check_rib();
	apply1(km(kdel("203.0.113.0/24"), 30));
	apply1(km(kdel("203.0.114.0/24"), 10));
	assert_int_equal(vnf_router_kroutes_count(vi), 0);
}

/* ---- ifaces
 * ------------------------------------------------------------------ */

static void
test_iface_down(void **state)
{
	struct vnf_router_kroute ops[5];
	unsigned int removed = 0;
	int c;

	(void)state;
	ops[0] = kr("203.0.113.0/24", 186, VNF_RT_UNICAST, 1, "192.0.2.10", WAN,
		    0);
	ops[1] = kr("203.0.114.0/24", 186, VNF_RT_UNICAST, 1, "10.0.0.10", LAN,
		    0);
	ops[2] = kr("203.0.115.0/24", 186, VNF_RT_UNICAST, 2, "192.0.2.10", WAN,
		    0, "10.0.0.10", LAN, 0);
	ops[3] = kr("203.0.116.0/24", 186, VNF_RT_UNICAST, 2, "192.0.2.10", WAN,
		    0, "192.0.2.11", WAN, 0);
	ops[4] = kr("203.0.117.0/24", 186, VNF_RT_UNICAST, 3, "192.0.2.10", WAN,
		    0, "10.0.0.10", LAN, 0, "10.0.0.11", LAN, 0);
	apply(ops, 5, 0);
	vnf_router_kroutes_mark(vi);
	assert_int_equal(rt_rib_iface_down(rt, WAN, &removed), 0);
	assert_int_equal(removed, 2);
	assert_int_equal(fib_exact("203.0.113.0/24"), -1);
	assert_true(is_gw(fib_exact("203.0.114.0/24"), "10.0.0.10", LAN));
	/* a group of one becomes that member */
	assert_true(is_gw(fib_exact("203.0.115.0/24"), "10.0.0.10", LAN));
	assert_int_equal(fib_exact("203.0.116.0/24"), -1);
	c = fib_exact("203.0.117.0/24");
	assert_int_equal(rt->nh[c].type, RT_NH_GROUP);
	assert_int_equal(rt->nh[c].n_members, 2);
	assert_int_equal(members_to(c, "10.0.0.10", LAN), 1);
	assert_int_equal(members_to(c, "10.0.0.11", LAN), 1);
	/* config routes by the iface stay: the config is not the kernel's */
	assert_true(is_gw(fib_exact("198.51.100.0/24"), "192.0.2.254", WAN));
	assert_int_equal(vnf_router_kroutes_count(vi), 3);
	/* what nfvd changed itself keeps its generation: a resync that
	 * started before the link went down still sweeps it */
	assert_int_equal(vnf_router_kroutes_sweep(vi, &removed), 0);
	assert_int_equal(removed, 3);
	check_rib();
}

/* Kernel routes while a link is down (vnf_router_link_set()): a route
 * only by it is refused and counted, a multipath route leaves its
 * members by it out, and next hops made meanwhile send nothing (MTU 0). */
static void
test_kroute_via_down_iface(void **state)
{
	struct vnf_router_kroute ops[2];
	unsigned int failed = 0;
	char err[256] = "";
	int id;

	(void)state;
	assert_int_equal(vnf_router_link_set(vi, WAN, false, 0), 0);
	ops[0] = kr("203.0.113.0/24", 186, VNF_RT_UNICAST, 1, "192.0.2.10", WAN,
		    0);
	ops[1] = kr("203.0.114.0/24", 186, VNF_RT_UNICAST, 2, "192.0.2.10", WAN,
		    0, "10.0.0.10", LAN, 0);
	assert_int_equal(
		vnf_router_kroutes_apply(vi, ops, 2, &failed, err, sizeof(err)),
		0);
	assert_int_equal(failed, 1);
	assert_non_null(strstr(err, "iface wan is down"));
	assert_int_equal(fib_exact("203.0.113.0/24"), -1);
	assert_true(is_gw(fib_exact("203.0.114.0/24"), "10.0.0.10", LAN));
	/* an on-link next hop by it made now: MTU 0 until the link is up */
	{
		uint16_t c;

		assert_int_equal(rt_nh_get_connected(rt, AF_INET, LAN, &c), 0);
		assert_int_not_equal(rt->nh[c].mtu, 0);
		rt_nh_put(rt, c);
	}
	{
		uint16_t c;

		assert_int_equal(rt_nh_get_connected(rt, AF_INET6, WAN, &c), 0);
		assert_int_equal(rt->nh[c].mtu, 0);
		assert_int_equal(vnf_router_link_set(vi, WAN, true, 0), 0);
		assert_int_equal(rt->nh[c].mtu, 1500);
		rt_nh_put(rt, c);
	}
	/* up again: the kernel sends the route again, and it is taken */
	apply1(ops[0]);
	id = fib_exact("203.0.113.0/24");
	assert_true(is_gw(id, "192.0.2.10", WAN));
	check_rib();
}

static void
test_addr_routes(void **state)
{
	uint8_t a[16] = {0};

	(void)state;
	/* an address the mirror adds: its local and broadcast routes */
	inet_pton(AF_INET, "10.9.0.1", a);
	assert_int_equal(rt_rib_addr_routes(rt, LAN, AF_INET, a, 24, true), 0);
	assert_int_equal(fib_exact("10.9.0.1/32"), RT_NHID_LOCAL);
	assert_int_equal(fib_exact("10.9.0.255/32"), RT_NHID_BCAST);
	/* twice is fine */
	assert_int_equal(rt_rib_addr_routes(rt, LAN, AF_INET, a, 24, true), 0);
	check_rib();
	assert_int_equal(rt_rib_addr_routes(rt, LAN, AF_INET, a, 24, false), 0);
	assert_int_equal(fib_exact("10.9.0.1/32"), -1);
	assert_int_equal(fib_exact("10.9.0.255/32"), -1);
	/* /31: no broadcast */
	inet_pton(AF_INET, "10.9.1.0", a);
	assert_int_equal(rt_rib_addr_routes(rt, LAN, AF_INET, a, 31, true), 0);
	assert_int_equal(fib_exact("10.9.1.0/32"), RT_NHID_LOCAL);
	assert_int_equal(fib_exact("10.9.1.1/32"), -1);
	/* IPv6 */
	inet_pton(AF_INET6, "2001:db8:5::1", a);
	assert_int_equal(rt_rib_addr_routes(rt, WAN, AF_INET6, a, 64, true), 0);
	assert_int_equal(fib_exact("2001:db8:5::1/128"), RT_NHID_LOCAL);
	/* a config address deleted in the kernel: its routes go, and the
	 * kernel's connected route (still there) takes over the subnet */
	apply1(kr("10.0.0.0/24", 2, VNF_RT_UNICAST, 1, "-", LAN, 0));
	inet_pton(AF_INET, "10.0.0.1", a);
	assert_int_equal(rt_rib_addr_routes(rt, LAN, AF_INET, a, 24, false), 0);
	assert_int_equal(fib_exact("10.0.0.1/32"), -1);
	assert_int_equal(fib_exact("10.0.0.255/32"), -1);
	assert_int_equal(rt->nh[fib_exact("10.0.0.0/24")].type,
			 RT_NH_CONNECTED);
	assert_int_equal(vnf_router_kroutes_count(vi), 1);
	apply1(kdel("10.0.0.0/24"));
	assert_int_equal(fib_exact("10.0.0.0/24"), -1);
	/* bad arguments */
	assert_int_equal(rt_rib_addr_routes(rt, 9, AF_INET, a, 24, true),
			 -EINVAL);
	assert_int_equal(rt_rib_addr_routes(rt, LAN, AF_INET, a, 33, true),
			 -EINVAL);
	check_rib();
}

static void
test_nh_mtu(void **state)
{
	int w, l;

	(void)state;
	apply1(kr("203.0.113.0/24", 186, VNF_RT_UNICAST, 1, "192.0.2.10", WAN,
		  0));
	apply1(kr("203.0.114.0/24", 186, VNF_RT_UNICAST, 1, "-", WAN, 0));
	apply1(kr("203.0.115.0/24", 186, VNF_RT_UNICAST, 1, "10.0.0.10", LAN,
		  0));
	rt_nh_iface_mtu(rt, WAN, 9000);
	w = fib_exact("203.0.113.0/24");
	assert_int_equal(rt->nh[w].mtu, 9000);
	assert_int_equal(rt->nh[fib_exact("203.0.114.0/24")].mtu, 9000);
	assert_int_equal(rt->nh[fib_exact("198.51.100.0/24")].mtu, 9000);
	l = fib_exact("203.0.115.0/24");
	assert_int_equal(rt->nh[l].mtu, 1500);
}

/* ---- the FIB cannot take a batch ----------------------------------------- */

/*
 * 60,000 IPv6 /48s in one batch want ~200,000 tbl8 groups (1 KiB each,
 * per table copy): more than the test's 256 MiB of DPDK memory.  The
 * batch fails as a whole and is undone in the RIB: the routes shown are
 * the routes forwarded, next hops are given back, and the IPv4 part of
 * the same batch (another table) stays applied.
 */
#define BIG6 60000

static void
test_fib_full_undone(void **state)
{
	struct vnf_router_kroute *ops = calloc(BIG6 + 2, sizeof(*ops));
	uint32_t nh_before = rt->nh_used;
	unsigned int i, failed = 0;
	char err[256] = "";
	int rc;

	(void)state;
	assert_non_null(ops);
	apply1(kr("2001:db8:100::/48", 186, VNF_RT_UNICAST, 1, "fe80::1", WAN,
		  0));
	ops[0] = kr("203.0.113.0/24", 186, VNF_RT_UNICAST, 1, "192.0.2.10", WAN,
		    0);
	for (i = 0; i < BIG6; i++) {
		struct vnf_router_kroute *k = &ops[1 + i];

		k->family = AF_INET6;
		k->len = 48;
		k->addr[0] = 0x2a;
		k->addr[1] = (uint8_t)(i >> 16);
		k->addr[2] = (uint8_t)(i >> 8);
		k->addr[3] = (uint8_t)i;
		k->addr[5] = 1;
		k->type = i % 2 ? VNF_RT_BLACKHOLE : VNF_RT_UNICAST;
		k->proto = 186;
		k->n_nh = i % 2 ? 0 : 1;
		k->nh[0].iface = WAN;
		k->nh[0].has_gw = true;
		inet_pton(AF_INET6, "fe80::2", k->nh[0].gw);
	}
	/* and the one IPv6 route there was, changed in the same batch */
	ops[BIG6 + 1] = kdel("2001:db8:100::/48");
	rc = vnf_router_kroutes_apply(vi, ops, BIG6 + 2, &failed, err,
				      sizeof(err));
	print_message("  rc %d, %u failed: %s\n", rc, failed, err);
	assert_int_equal(rc, -ENOMEM);
	assert_int_equal(failed, BIG6 + 1);
	assert_non_null(strstr(err, "route table"));
	/* IPv4 applied, IPv6 as before */
	assert_true(is_gw(fib_exact("203.0.113.0/24"), "192.0.2.10", WAN));
	assert_true(is_gw(fib_exact("2001:db8:100::/48"), "fe80::1", WAN));
	assert_int_equal(vnf_router_kroutes_count(vi), 2);
	check_rib();
	apply1(kdel("203.0.113.0/24"));
	apply1(kdel("2001:db8:100::/48"));
	assert_int_equal(rt->nh_used, nh_before);
	free(ops);
}

/* ---- mirror.max_routes --------------------------------------------------- */

/* The first kernel batch sizes the tables for mirror.max_routes: IPv4
 * that many routes, IPv6 a fifth, tbl8 groups as rt_fib_init() would (4 per
 * IPv6 route). */
static void
test_max_routes_sizes_tables(void **state)
{
	(void)state;
	teardown(NULL);
	router_start_m(true, 25000);
	assert_true(rt->fib4.max_routes < 25000);
	apply1(kr("203.0.113.0/24", 186, VNF_RT_UNICAST, 1, "192.0.2.10", WAN,
		  0));
	assert_true(rt->fib4.max_routes >= 25000);
	assert_true(rt->fib4.num_tbl8 >= 25000 / 32);
	assert_true(rt->fib6.max_routes >= 5000);
	assert_true(rt->fib6.num_tbl8 >= 20000);
	/* once: a later batch does not size again */
	{
		uint32_t m4 = rt->fib4.max_routes;

		apply1(kdel("203.0.113.0/24"));
		assert_int_equal(rt->fib4.max_routes, m4);
	}
	check_rib();
}

/* Routes up to mirror.max_routes never grow the prefix table: the sizing
 * runs before every batch and once asked for max_routes more than there
 * were, doubling the table (seconds at a million routes) at ~40 % full. */
static void
test_max_routes_prefix_table_stays(void **state)
{
	struct vnf_router_kroute ops[1000];
	char p[32];
	uint32_t cap;
	unsigned int b, i, failed;
	char err[256];

	(void)state;
	teardown(NULL);
	router_start_m(false, 20000);
	apply1(kr("203.0.113.0/24", 186, VNF_RT_UNICAST, 1, "192.0.2.10", WAN,
		  0));
	cap = rt_rib_capacity(rt);
	assert_true(cap >= 20000 + 20000 / 5);
	for (b = 0; b < 18; b++) {
		for (i = 0; i < 1000; i++) {
			snprintf(p, sizeof(p), "10.%u.%u.%u/28", b, i / 16,
				 (i % 16) * 16);
			ops[i] = kr(p, 186, VNF_RT_UNICAST, 1, "192.0.2.10",
				    WAN, 0);
		}
		assert_int_equal(vnf_router_kroutes_apply(vi, ops, 1000,
							  &failed, err,
							  sizeof(err)),
				 0);
		assert_int_equal(failed, 0);
		assert_int_equal(rt_rib_capacity(rt), cap);
	}
	assert_int_equal(vnf_router_kroutes_count(vi), 18001);
	check_rib();
}

/* A /56-heavy IPv6 table (the prefix delegated to sites) of max_routes / 5
 * routes loads into the presized tables without a rebuild: DPDK 22.11's
 * trie reserves four tbl8 groups per /56 not under a longer prefix, and a
 * presize for 2.5 rebuilt both copies of a 200k-route table mid-load
 * (33.8 s on the development machine, docs/benchmarks.md). */
static void
test_max_routes_v6_56s_no_growth(void **state)
{
	struct vnf_router_kroute ops[500];
	uint32_t tbl8, routes;
	unsigned int b, i, failed;
	char p[64], err[256];

	(void)state;
	teardown(NULL);
	router_start_m(true, 20000);
	apply1(kr("203.0.113.0/24", 186, VNF_RT_UNICAST, 1, "192.0.2.10", WAN,
		  0));
	tbl8 = rt->fib6.num_tbl8;
	routes = rt->fib6.max_routes;
	/* 4000 /56s, each in a /24 of its own: no two share a group. */
	for (b = 0; b < 8; b++) {
		for (i = 0; i < 500; i++) {
			unsigned int n = b * 500 + i;

			snprintf(p, sizeof(p), "2%03x:%x00:%x00::/56", n >> 8,
				 n & 0xff, n & 0xff);
			ops[i] = kr(p, 186, VNF_RT_UNICAST, 1,
				    "2001:db8:1::10", WAN, 0);
		}
		assert_int_equal(vnf_router_kroutes_apply(vi, ops, 500,
							  &failed, err,
							  sizeof(err)),
				 0);
		assert_int_equal(failed, 0);
	}
	assert_int_equal(rt->fib6.num_tbl8, tbl8);
	assert_int_equal(rt->fib6.max_routes, routes);
	assert_int_equal(vnf_router_kroutes_count(vi), 4001);
	check_rib();
}

/* ---- random against a model
 * ---------------------------------------------------- */

#define M_PREFIXES 4096
#define M_OPS 100000
#define M_BATCH 1000
#define M_GWS 8
#define M_SAMPLES 4000

/* xorshift: reproducible. */
static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* What the model holds per prefix: 0 none, 1..M_GWS gateway 192.0.2.(10+g),
 * M_GWS+1 blackhole. */
struct model_pfx {
	uint32_t ip; /* host order */
	uint8_t len;
	uint8_t kernel;
	uint8_t config;
};

static uint32_t
mask_of(uint8_t len)
{
	return len == 0 ? 0 : ~0u << (32 - len);
}

static void
model_addr(const struct model_pfx *m, char *buf, size_t len)
{
	snprintf(buf, len, "%u.%u.%u.%u/%u", m->ip >> 24, (m->ip >> 16) & 255,
		 (m->ip >> 8) & 255, m->ip & 255, m->len);
}

/* Does FIB next hop id do what model value v says? */
static bool
model_nh_ok(int id, uint8_t v)
{
	char gw[32];

	if (v == 0)
		return id == -1 || id == RT_NHID_NOROUTE;
	if (v == M_GWS + 1)
		return id == RT_NHID_BLACKHOLE;
	snprintf(gw, sizeof(gw), "192.0.2.%u", 10 + v);
	return is_gw(id, gw, WAN);
}

static void
test_random_vs_model(void **state)
{
	struct model_pfx *m = calloc(M_PREFIXES, sizeof(*m));
	struct vnf_router_kroute *ops = calloc(M_BATCH, sizeof(*ops));
	uint32_t nh_before = rt->nh_used;
	unsigned int i, k, n_ops = 0, wrong = 0;
	char err[256];

	(void)state;
	assert_non_null(m);
	assert_non_null(ops);
	/* Prefixes in 100.0.0.0/8, lengths 8..32, nested in each other. */
	for (i = 0; i < M_PREFIXES; i++) {
		m[i].len = (uint8_t)(8 + rnd() % 25);
		if (i > 16 && rnd() % 2 && m[i / 2].len != 0) {
			/* inside an earlier one */
			const struct model_pfx *p = &m[rnd() % (i / 2) + i / 4];

			if (p->len == 0)
				p = &m[i / 2];

			m[i].ip = p->ip | ((uint32_t)rnd() & ~mask_of(p->len));
			if (m[i].len < p->len)
				m[i].len = p->len;
		} else {
			m[i].ip = 0x64000000u | ((uint32_t)rnd() & 0xffffff);
		}
		m[i].ip &= mask_of(m[i].len);
		for (k = 0; k < i; k++) /* one entry per prefix */
			if (m[k].ip == m[i].ip && m[k].len == m[i].len)
				break;
		if (k < i)
			m[i].len = 0; /* unused */
	}
	while (n_ops < M_OPS) {
		unsigned int n = 0;

		for (k = 0; k < M_BATCH; k++) {
			struct model_pfx *p = &m[rnd() % M_PREFIXES];
			struct vnf_router_kroute *o = &ops[n];
			uint8_t v = (uint8_t)(rnd() % (M_GWS + 2));

			if (p->len == 0)
				continue;
			/* one config op in 50, through route add/del */
			if (rnd() % 50 == 0) {
				struct rt_route_config r;
				struct rt_nexthop_config nh;
				struct ctl_prefix cp;
				char s[32];

				memset(&cp, 0, sizeof(cp));
				cp.family = AF_INET;
				cp.len = p->len;
				cp.addr[0] = (uint8_t)(p->ip >> 24);
				cp.addr[1] = (uint8_t)(p->ip >> 16);
				cp.addr[2] = (uint8_t)(p->ip >> 8);
				cp.addr[3] = (uint8_t)p->ip;
				/* the batch so far first: order matters */
				apply(ops, n, 0);
				n_ops += n;
				n = 0;
				if (v == 0 || v == M_GWS + 1) {
					if (vnf_router_route_del(vi, &cp, err,
								 sizeof(err)) ==
					    0)
						p->config = 0;
					else
						assert_int_equal(p->config, 0);
					continue;
				}
				memset(&r, 0, sizeof(r));
				memset(&nh, 0, sizeof(nh));
				r.prefix = cp;
				r.nh = &nh;
				r.n_nh = 1;
				nh.has_via = true;
				snprintf(s, sizeof(s), "192.0.2.%u", 10 + v);
				pfx(&nh.via, s, 32);
				if (vnf_router_route_add(vi, &r, true, err,
							 sizeof(err)) != 0)
					fail_msg("route add: %s", err);
				p->config = v;
				continue;
			}
			memset(o, 0, sizeof(*o));
			o->family = AF_INET;
			o->len = p->len;
			o->addr[0] = (uint8_t)(p->ip >> 24);
			o->addr[1] = (uint8_t)(p->ip >> 16);
			o->addr[2] = (uint8_t)(p->ip >> 8);
			o->addr[3] = (uint8_t)p->ip;
			o->proto = 186;
			if (v == 0) {
				o->del = true;
			} else if (v == M_GWS + 1) {
				o->type = VNF_RT_BLACKHOLE;
			} else {
				o->type = VNF_RT_UNICAST;
				o->n_nh = 1;
				o->nh[0].iface = WAN;
				o->nh[0].has_gw = true;
				o->nh[0].gw[0] = 192;
				o->nh[0].gw[2] = 2;
				o->nh[0].gw[3] = (uint8_t)(10 + v);
			}
			p->kernel = v;
			n++;
		}
		apply(ops, n, 0);
		n_ops += n;
	}
	check_rib();
	/* every prefix: the config's next hop, else the kernel's */
	for (i = 0, k = 0; i < M_PREFIXES; i++) {
		char s[32];
		uint8_t want;

		if (m[i].len == 0)
			continue;
		model_addr(&m[i], s, sizeof(s));
		want = m[i].config ? m[i].config : m[i].kernel;
		if (!model_nh_ok(fib_exact(s), want) && wrong++ == 0)
			print_message("  %s: FIB %d, model %u\n", s,
				      fib_exact(s), want);
		k += m[i].kernel != 0;
	}
	assert_int_equal(wrong, 0);
	assert_int_equal(vnf_router_kroutes_count(vi), k);
	/* longest-prefix lookups of sampled addresses */
	for (i = 0; i < M_SAMPLES; i++) {
		const struct model_pfx *p = &m[rnd() % M_PREFIXES];
		uint32_t a = p->ip | ((uint32_t)rnd() & ~mask_of(p->len));
		int best = -1;
		uint8_t addr[16] = {0}, want;

		if (p->len == 0)
			continue; /* unused */

		for (k = 0; k < M_PREFIXES; k++) {
			uint8_t v = m[k].config ? m[k].config : m[k].kernel;

			if (m[k].len == 0 || v == 0 ||
			    (a & mask_of(m[k].len)) != m[k].ip)
				continue;
			if (best < 0 || m[k].len > m[best].len)
				best = (int)k;
		}
		want = best < 0		? 0
		       : m[best].config ? m[best].config
					: m[best].kernel;
		addr[0] = (uint8_t)(a >> 24);
		addr[1] = (uint8_t)(a >> 16);
		addr[2] = (uint8_t)(a >> 8);
		addr[3] = (uint8_t)a;
		if (!model_nh_ok(rt_fib_lookup_one(&rt->fib4, addr), want) &&
		    wrong++ == 0)
			print_message("  lookup %08x: FIB %u, model %u\n", a,
				      rt_fib_lookup_one(&rt->fib4, addr), want);
	}
	assert_int_equal(wrong, 0);
	print_message("  %u kernel route ops, %u kernel routes at the end\n",
		      n_ops, vnf_router_kroutes_count(vi));
	/* a resync that sees nothing again removes every kernel route */
	vnf_router_kroutes_mark(vi);
	assert_int_equal(vnf_router_kroutes_sweep(vi, NULL), 0);
	assert_int_equal(vnf_router_kroutes_count(vi), 0);
	check_rib();
	for (i = 0; i < M_PREFIXES; i++)
		if (m[i].len != 0 && m[i].config != 0) {
			struct ctl_prefix cp;

			memset(&cp, 0, sizeof(cp));
			cp.family = AF_INET;
			cp.len = m[i].len;
			cp.addr[0] = (uint8_t)(m[i].ip >> 24);
			cp.addr[1] = (uint8_t)(m[i].ip >> 16);
			cp.addr[2] = (uint8_t)(m[i].ip >> 8);
			cp.addr[3] = (uint8_t)m[i].ip;
			assert_int_equal(
				vnf_router_route_del(vi, &cp, err, sizeof(err)),
				0);
		}
	assert_int_equal(rt->nh_used, nh_before);
	check_rib();
	free(ops);
	free(m);
}

static int
eal_setup(void **state)
{
	(void)state;
	return router_eal_setup("test_router_rib", "ut-router-rib", NULL);
}

int
main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_batch_add_replace_delete),
		T(test_precedence),
		T(test_ecmp_weights),
		T(test_ipv6_link_local_gateway),
		T(test_special_types),
		cmocka_unit_test_setup_teardown(test_bad_ops_counted,
						setup_v4only, teardown),
		T(test_mark_sweep),
		T(test_iface_down),
		T(test_kroute_via_down_iface),
		T(test_addr_routes),
		T(test_nh_mtu),
		T(test_fib_full_undone),
		T(test_max_routes_sizes_tables),
		T(test_max_routes_prefix_table_stays),
		T(test_max_routes_v6_56s_no_growth),
		T(test_metrics),
		T(test_metrics_sweep),
		T(test_metrics_iface_down),
		T(test_random_vs_model),
	};

	return cmocka_run_group_tests(tests, eal_setup, router_eal_teardown);
}
