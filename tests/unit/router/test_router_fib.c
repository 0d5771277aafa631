/* SPDX-License-Identifier: BSD-3-Clause
 *
 * test_router_fib.c - the router's route tables (vnf/router/fib.c):
 *  - longest-prefix match against a naive reference on random tables with
 *    /0, host routes, overlaps, for IPv4 and IPv6, through adds, replaces
 *    and deletes, and through the tables' growth;
 *  - both copies stay identical after every change;
 *  - a reader thread looking up addresses of routes that never change, while
 *    the control side adds and deletes routes around them (tbl8 groups
 *    freed and reused all the time), never sees a wrong next hop: the
 *    double-buffered publish with RCU at work; and the same through
 *    100,000 random /25../32 changes (issue 10 item 4).
 *
 * EAL runs inside the test without hugepages or shared files.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_fib.h>
#include <rte_fib6.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "vnf/router/router_priv.h"
#include "tests/common/test_eal.h"
#include "tests/common/test_rcu.h"

static struct rte_rcu_qsbr *qsbr;

/* xorshift: reproducible random numbers (seed printed on failure). */
static uint64_t rng_state = 88172645463325252ull;

static uint64_t
rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

struct ref_route {
	uint8_t addr[16];
	uint8_t len;
	uint16_t nh;
	bool live;
};

static void
mask_addr(uint8_t *a, unsigned int len, unsigned int bytes)
{
	unsigned int i;

	for (i = 0; i < bytes; i++) {
		unsigned int bit = i * 8;

		if (bit >= len)
			a[i] = 0;
		else if (len - bit < 8)
			a[i] &= (uint8_t)(0xff << (8 - (len - bit)));
	}
}

static bool
covers(const struct ref_route *r, const uint8_t *a, unsigned int bytes)
{
	uint8_t x[16];

	memcpy(x, a, bytes);
	mask_addr(x, r->len, bytes);
	return memcmp(x, r->addr, bytes) == 0;
}

/* The naive reference: scan everything, keep the longest match. */
static uint16_t
ref_lookup(const struct ref_route *rs, unsigned int n, const uint8_t *a,
	   unsigned int bytes)
{
	int best = -1;
	unsigned int i;

	for (i = 0; i < n; i++)
		if (rs[i].live && covers(&rs[i], a, bytes) &&
		    (best < 0 || rs[i].len > rs[best].len))
			best = (int)i;
	return best < 0 ? RT_NHID_NOROUTE : rs[best].nh;
}

/* A random prefix: lengths spread over 0..max with host routes, /0,
 * and children of earlier prefixes (overlaps). */
static void
random_prefix(struct ref_route *r, const struct ref_route *prev,
	      unsigned int n_prev, unsigned int bytes)
{
	unsigned int max = bytes * 8, i;
	uint64_t x = rnd();

	memset(r, 0, sizeof(*r));
	for (i = 0; i < bytes; i++)
		r->addr[i] = (uint8_t)rnd();
	switch (x % 8) {
	case 0:
		r->len = (uint8_t)max;
		break;
	case 1:
		r->len = (uint8_t)(rnd() % 4); /* near /0 */
		break;
	case 2:
	case 3:
		if (n_prev != 0) {
			/* A more specific of an earlier prefix. */
			const struct ref_route *p = &prev[rnd() % n_prev];

			for (i = 0; i < bytes; i++) {
				unsigned int bit = i * 8;
				uint8_t keep;

				if (bit >= p->len)
					break;
				keep = p->len - bit >= 8 ?
					       0xff :
					       (uint8_t)(0xff << (8 - (p->len - bit)));
				r->addr[i] = (uint8_t)((p->addr[i] & keep) |
						       (r->addr[i] & ~keep));
			}
			r->len = (uint8_t)(p->len + rnd() % (max - p->len + 1));
			break;
		}
		/* fall through */
	default:
		r->len = (uint8_t)(8 + rnd() % (max - 7));
		break;
	}
	mask_addr(r->addr, r->len, bytes);
	r->nh = (uint16_t)(RT_NHID_FIRST_DYN + rnd() % 2000);
	r->live = true;
}

static int
find_route(const struct ref_route *rs, unsigned int n, const uint8_t *a,
	   uint8_t len)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (rs[i].live && rs[i].len == len && !memcmp(rs[i].addr, a, 16))
			return (int)i;
	return -1;
}

/* An address to test: random, or inside / at the edges of a prefix. */
static void
random_addr(uint8_t *a, const struct ref_route *rs, unsigned int n,
	    unsigned int bytes)
{
	unsigned int i, k = rnd() % 4;

	for (i = 0; i < 16; i++)
		a[i] = i < bytes ? (uint8_t)rnd() : 0;
	if (k == 0 || n == 0)
		return;
	{
		const struct ref_route *r = &rs[rnd() % n];
		uint8_t host[16];

		memcpy(host, a, 16);
		memcpy(a, r->addr, bytes);
		for (i = 0; i < bytes; i++) {
			unsigned int bit = i * 8;
			uint8_t keep;

			if (bit + 8 <= r->len)
				continue;
			keep = bit >= r->len ? 0 :
					       (uint8_t)(0xff << (8 - (r->len - bit)));
			/* first / last address of the prefix, or inside */
			a[i] = (uint8_t)((a[i] & keep) |
					 ((k == 1 ? 0 : k == 2 ? 0xff : host[i]) &
					  ~keep));
		}
	}
}

static void
lookup(const struct rt_fib *f, const uint8_t *a, uint64_t *nh)
{
	if (f->family == AF_INET) {
		uint32_t ip = ((uint32_t)a[0] << 24) | ((uint32_t)a[1] << 16) |
			      ((uint32_t)a[2] << 8) | a[3];

		rt_fib4_lookup(rt_fib_view_get(f), &ip, nh, 1);
	} else {
		uint8_t ips[1][16];

		memcpy(ips[0], a, 16);
		rt_fib6_lookup(rt_fib_view_get(f), ips, nh, 1);
	}
}

static void
check_all(const struct rt_fib *f, const struct ref_route *rs, unsigned int n,
	  unsigned int probes)
{
	unsigned int bytes = f->family == AF_INET ? 4 : 16, i;
	uint8_t a[16];
	uint64_t got;
	uint16_t want;

	for (i = 0; i < probes; i++) {
		random_addr(a, rs, n, bytes);
		lookup(f, a, &got);
		want = ref_lookup(rs, n, a, bytes);
		if (got != want) {
			char s[64];

			inet_ntop(f->family, a, s, sizeof(s));
			fail_msg("lookup %s: FIB says %u, reference %u", s,
				 (unsigned int)got, want);
		}
	}
}

struct walk_acc {
	uint64_t sum;
	unsigned int n;
};

static int
walk_sum(const uint8_t *addr, uint8_t len, uint16_t nh, void *arg)
{
	struct walk_acc *w = arg;
	unsigned int i;

	for (i = 0; i < 16; i++)
		w->sum = w->sum * 131 + addr[i];
	w->sum = w->sum * 131 + len;
	w->sum = w->sum * 131 + nh;
	w->n++;
	return 0;
}

/* Both copies hold the same routes. */
static void
check_copies_equal(struct rt_fib *f)
{
	struct walk_acc a = {0}, b = {0};
	unsigned int act = f->act;

	rt_fib_walk(f, walk_sum, &a);
	f->act ^= 1;
	rt_fib_walk(f, walk_sum, &b);
	f->act = act;
	assert_int_equal(a.n, b.n);
	assert_true(a.sum == b.sum);
	assert_int_equal(a.n, f->n_routes);
}

static void
run_random(int family, unsigned int n_routes, unsigned int probes)
{
	unsigned int bytes = family == AF_INET ? 4 : 16, i, done, n = 0;
	struct ref_route *rs = calloc(n_routes, sizeof(*rs));
	struct rt_fib_op *ops = calloc(n_routes, sizeof(*ops));
	struct rt_fib f;
	int rc;

	assert_non_null(rs);
	assert_non_null(ops);
	assert_int_equal(rt_fib_init(&f, family, family == AF_INET ? "tr4_" :
								     "tr6_",
				     0, qsbr),
			 0);

	/* Empty: everything is "no route". */
	check_all(&f, rs, 0, 200);

	/* Adds, in batches of varying size; duplicates become replaces. */
	for (i = 0; i < n_routes;) {
		unsigned int batch = 1 + (unsigned int)(rnd() % 300), k, m = 0;

		for (k = 0; k < batch && i < n_routes; k++, i++) {
			struct ref_route r;
			int dup;

			random_prefix(&r, rs, n, bytes);
			dup = find_route(rs, n, r.addr, r.len);
			if (dup >= 0)
				rs[dup].nh = r.nh;
			else
				rs[n++] = r;
			memset(&ops[m], 0, sizeof(ops[m]));
			memcpy(ops[m].addr, r.addr, 16);
			ops[m].len = r.len;
			ops[m].nh = r.nh;
			m++;
		}
		rc = rt_fib_apply(&f, ops, m, &done);
		assert_int_equal(rc, 0);
		assert_int_equal(done, m);
	}
	/* Make sure /0 and a host route are there. */
	{
		struct ref_route r = {.len = 0, .nh = 7, .live = true};
		int dup = find_route(rs, n, r.addr, 0);

		if (dup >= 0)
			rs[dup].nh = 7;
		else
			rs[n++] = r;
		memset(&ops[0], 0, sizeof(ops[0]));
		ops[0].nh = 7;
		assert_int_equal(rt_fib_apply(&f, ops, 1, &done), 0);
	}
	check_all(&f, rs, n, probes);
	check_copies_equal(&f);

	/* Delete a third, replace a third. */
	for (i = 0; i < n; i++) {
		unsigned int m = 0;

		if (rnd() % 3 == 0) {
			memset(&ops[m], 0, sizeof(ops[m]));
			memcpy(ops[m].addr, rs[i].addr, 16);
			ops[m].len = rs[i].len;
			ops[m].del = true;
			rs[i].live = false;
			m++;
		} else if (rnd() % 2 == 0) {
			rs[i].nh = (uint16_t)(RT_NHID_FIRST_DYN + rnd() % 2000);
			memset(&ops[m], 0, sizeof(ops[m]));
			memcpy(ops[m].addr, rs[i].addr, 16);
			ops[m].len = rs[i].len;
			ops[m].nh = rs[i].nh;
			m++;
		}
		if (m != 0)
			assert_int_equal(rt_fib_apply(&f, ops, m, &done), 0);
	}
	check_all(&f, rs, n, probes);
	check_copies_equal(&f);

	/* Deleting what is not there is not an error. */
	memset(&ops[0], 0, sizeof(ops[0]));
	ops[0].addr[0] = 0xfe;
	ops[0].len = 31;
	ops[0].del = true;
	if (find_route(rs, n, ops[0].addr, 31) < 0) {
		assert_int_equal(rt_fib_apply(&f, ops, 1, &done), 0);
		check_copies_equal(&f);
	}
	rt_fib_fini(&f);
	free(rs);
	free(ops);
}

static void
test_fib4_random(void **state)
{
	(void)state;
	run_random(AF_INET, 3000, 20000);
}

static void
test_fib6_random(void **state)
{
	(void)state;
	run_random(AF_INET6, 2000, 10000);
}

/* Many /25../32 in distinct /24s exhaust the first tbl8 groups and RIB
 * nodes: the tables are rebuilt larger with nothing lost. */
static void
test_fib4_growth(void **state)
{
	unsigned int n = 6000, i, done;
	struct ref_route *rs = calloc(n, sizeof(*rs));
	struct rt_fib_op *ops = calloc(n, sizeof(*ops));
	struct rt_fib f;
	uint32_t tbl8_before, routes_before;

	(void)state;
	assert_int_equal(rt_fib_init(&f, AF_INET, "tg4_", 0, qsbr), 0);
	tbl8_before = f.num_tbl8;
	routes_before = f.max_routes;
	for (i = 0; i < n; i++) {
		uint32_t net = (uint32_t)i << 8 | 0x0a000000;

		rs[i].addr[0] = (uint8_t)(net >> 24);
		rs[i].addr[1] = (uint8_t)(net >> 16);
		rs[i].addr[2] = (uint8_t)(net >> 8);
		rs[i].addr[3] = (uint8_t)(rnd() & 0x80);
		rs[i].len = 25;
		rs[i].nh = (uint16_t)(RT_NHID_FIRST_DYN + i % 1000);
		rs[i].live = true;
		memcpy(ops[i].addr, rs[i].addr, 16);
		ops[i].len = 25;
		ops[i].nh = rs[i].nh;
	}
	/* Half one by one (growth in the middle of single changes), half in
	 * one batch (growth in the middle of a batch). */
	for (i = 0; i < n / 2; i++)
		assert_int_equal(rt_fib_apply(&f, &ops[i], 1, &done), 0);
	assert_int_equal(rt_fib_apply(&f, &ops[n / 2], n - n / 2, &done), 0);
	assert_int_equal(done, n - n / 2);
	assert_true(f.num_tbl8 > tbl8_before);
	assert_true(f.max_routes > routes_before);
	assert_int_equal(f.n_routes, n);
	check_all(&f, rs, n, 5000);
	check_copies_equal(&f);

	/* A reservation grows both copies up front. */
	assert_int_equal(rt_fib_reserve(&f, 100000, 0), 0);
	assert_true(f.max_routes >= n + 100000);
	check_all(&f, rs, n, 2000);
	check_copies_equal(&f);
	rt_fib_fini(&f);
	free(rs);
	free(ops);
}

/*
 * Past 32767 tbl8 groups the tables switch to 4-byte entries, which the
 * inline lookup (rt_fib4_lookup()) reads differently: 33000 /25s, each in
 * its own /24, under a /8 that covers the /24s' other halves.
 */
static void
test_fib4_wide_entries(void **state)
{
	unsigned int n = 33001, i, done;
	struct ref_route *rs = calloc(n, sizeof(*rs));
	struct rt_fib_op *ops = calloc(n, sizeof(*ops));
	struct rt_fib f;

	(void)state;
	assert_int_equal(rt_fib_init(&f, AF_INET, "tw4_", 0, qsbr), 0);
	assert_int_equal(f.nh_bytes, 2);
	for (i = 0; i < n; i++) {
		uint32_t net = (uint32_t)(i - 1) << 8 | 0x0b000000;

		if (i == 0) { /* 11.0.0.0/8 */
			rs[i].addr[0] = 11;
			rs[i].len = 8;
		} else {
			rs[i].addr[0] = (uint8_t)(net >> 24);
			rs[i].addr[1] = (uint8_t)(net >> 16);
			rs[i].addr[2] = (uint8_t)(net >> 8);
			rs[i].addr[3] = (uint8_t)(rnd() & 0x80);
			rs[i].len = 25;
		}
		rs[i].nh = (uint16_t)(RT_NHID_FIRST_DYN + i % 3000);
		rs[i].live = true;
		memcpy(ops[i].addr, rs[i].addr, 16);
		ops[i].len = rs[i].len;
		ops[i].nh = rs[i].nh;
	}
	assert_int_equal(rt_fib_apply(&f, ops, n, &done), 0);
	assert_int_equal(done, n);
	assert_int_equal(f.nh_bytes, 4);
	check_all(&f, rs, n, 5000);
	check_copies_equal(&f);
	rt_fib_fini(&f);
	free(rs);
	free(ops);
}

/*
 * DPDK 22.11 rewrites the whole table when a prefix holding the last
 * address (0/0, 128/1, ::/0) changes while a more specific one holding it
 * exists (its modify walk wraps around); fib.c works around it.  These are
 * the minimal cases, and the router's own 255.255.255.255/32 with a
 * default route.
 */
static void
apply_one(struct rt_fib *f, const char *pfx, uint8_t len, uint16_t nh,
	  bool del, struct ref_route *rs, unsigned int *n)
{
	struct rt_fib_op op;
	unsigned int done;
	int k;

	memset(&op, 0, sizeof(op));
	assert_int_equal(inet_pton(f->family, pfx, op.addr), 1);
	op.len = len;
	op.nh = nh;
	op.del = del;
	assert_int_equal(rt_fib_apply(f, &op, 1, &done), 0);
	k = find_route(rs, *n, op.addr, len);
	if (k < 0) {
		k = (int)(*n)++;
		memcpy(rs[k].addr, op.addr, 16);
		rs[k].len = len;
	}
	rs[k].nh = nh;
	rs[k].live = !del;
}

static void
check_addr(struct rt_fib *f, const char *a, const struct ref_route *rs,
	   unsigned int n)
{
	uint8_t ip[16] = {0};
	uint64_t got;

	assert_int_equal(inet_pton(f->family, a, ip), 1);
	lookup(f, ip, &got);
	assert_int_equal(got, ref_lookup(rs, n, ip, f->family == AF_INET ? 4 : 16));
}

/*
 * DPDK 22.11's DIR-24-8 counts a reserved tbl8 group when a prefix longer
 * than /24 is added as the first in its /24, except when its next hop is
 * its parent's (nothing to write), but always takes one back when such a
 * prefix goes: add + delete of that prefix wrapped the counter below zero,
 * every later /25../32 in a new /24 was -ENOSPC, and each rebuild doubled
 * the tables (found by the route-file fuzzer).
 */
static void
test_fib4_tbl8_count_same_nh(void **state)
{
	/* a dead row is not reused: one per add */
	static struct ref_route rs[4200];
	unsigned int n = 0, i;
	struct rt_fib f;
	uint32_t tbl8, routes;
	char a[32];

	(void)state;
	memset(rs, 0, sizeof(rs));
	assert_int_equal(rt_fib_init(&f, AF_INET, "tn4_", 0, qsbr), 0);
	apply_one(&f, "10.9.0.0", 24, RT_NHID_FIRST_DYN, false, rs, &n);
	tbl8 = f.num_tbl8;
	routes = f.max_routes;
	for (i = 0; i < 8; i++) {
		apply_one(&f, "10.9.0.128", 25, RT_NHID_FIRST_DYN, false, rs,
			  &n);
		apply_one(&f, "10.9.0.128", 25, RT_NHID_FIRST_DYN, true, rs,
			  &n);
	}
	for (i = 0; i < 20; i++) {
		snprintf(a, sizeof(a), "10.8.%u.128", i);
		apply_one(&f, a, 25, RT_NHID_FIRST_DYN + 1, false, rs, &n);
	}
	assert_int_equal(f.num_tbl8, tbl8);
	assert_int_equal(f.max_routes, routes);
	check_addr(&f, "10.8.3.200", rs, n);
	check_addr(&f, "10.9.0.200", rs, n);
	check_copies_equal(&f);
	rt_fib_fini(&f);

	/* The IPv6 trie: the same under a /32, two groups at a time; and
	 * 2000 adds and deletes with another next hop (counted on add, not
	 * taken back on delete: see rt_fib_grow_standby()). */
	n = 0;
	memset(rs, 0, sizeof(rs));
	assert_int_equal(rt_fib_init(&f, AF_INET6, "tn6_", 0, qsbr), 0);
	apply_one(&f, "2001:db8::", 32, RT_NHID_FIRST_DYN, false, rs, &n);
	tbl8 = f.num_tbl8;
	routes = f.max_routes;
	for (i = 0; i < 8; i++) {
		apply_one(&f, "2001:db8:1::", 48, RT_NHID_FIRST_DYN, false,
			  rs, &n);
		apply_one(&f, "2001:db8:1::", 48, RT_NHID_FIRST_DYN, true, rs,
			  &n);
	}
	for (i = 0; i < 2000; i++) {
		apply_one(&f, "2001:db8:2::", 48, RT_NHID_FIRST_DYN + 2, false,
			  rs, &n);
		apply_one(&f, "2001:db8:2::", 48, RT_NHID_FIRST_DYN + 2, true,
			  rs, &n);
	}
	for (i = 0; i < 20; i++) {
		snprintf(a, sizeof(a), "2001:db9:%x::", i);
		apply_one(&f, a, 48, RT_NHID_FIRST_DYN + 1, false, rs, &n);
	}
	assert_int_equal(f.num_tbl8, tbl8);
	assert_int_equal(f.max_routes, routes);
	check_addr(&f, "2001:db9:3::1", rs, n);
	check_addr(&f, "2001:db8:1::1", rs, n);
	check_copies_equal(&f);
	rt_fib_fini(&f);
}

static void
test_fib_top_prefixes(void **state)
{
	struct ref_route rs[16];
	struct rt_fib f4, f6;
	unsigned int n = 0;

	(void)state;
	memset(rs, 0, sizeof(rs));
	assert_int_equal(rt_fib_init(&f4, AF_INET, "tt4_", 0, qsbr), 0);
	apply_one(&f4, "224.0.0.0", 3, 11, false, rs, &n);
	apply_one(&f4, "192.0.0.0", 3, 12, false, rs, &n);
	apply_one(&f4, "10.0.0.0", 8, 13, false, rs, &n);
	apply_one(&f4, "128.0.0.0", 1, 14, false, rs, &n);
	check_addr(&f4, "224.0.0.1", rs, n);
	check_addr(&f4, "200.0.0.1", rs, n);
	check_addr(&f4, "10.1.2.3", rs, n);
	check_addr(&f4, "130.0.0.1", rs, n);
	apply_one(&f4, "255.255.255.255", 32, 15, false, rs, &n);
	apply_one(&f4, "0.0.0.0", 0, 16, false, rs, &n);	/* default route */
	check_addr(&f4, "10.1.2.3", rs, n);
	check_addr(&f4, "1.1.1.1", rs, n);
	check_addr(&f4, "255.255.255.255", rs, n);
	check_addr(&f4, "224.0.0.1", rs, n);
	apply_one(&f4, "0.0.0.0", 0, 17, false, rs, &n);	/* replaced */
	apply_one(&f4, "128.0.0.0", 1, 0, true, rs, &n);	/* deleted */
	check_addr(&f4, "10.1.2.3", rs, n);
	check_addr(&f4, "130.0.0.1", rs, n);
	check_addr(&f4, "224.0.0.1", rs, n);
	check_addr(&f4, "255.255.255.255", rs, n);
	check_copies_equal(&f4);
	rt_fib_fini(&f4);

	n = 0;
	memset(rs, 0, sizeof(rs));
	assert_int_equal(rt_fib_init(&f6, AF_INET6, "tt6_", 0, qsbr), 0);
	apply_one(&f6, "8000::", 2, 21, false, rs, &n);
	apply_one(&f6, "c000::", 2, 22, false, rs, &n);
	apply_one(&f6, "2001:db8::", 32, 23, false, rs, &n);
	apply_one(&f6, "::", 0, 24, false, rs, &n);
	check_addr(&f6, "8000::1", rs, n);
	check_addr(&f6, "ffff::1", rs, n);
	check_addr(&f6, "2001:db8::1", rs, n);
	check_addr(&f6, "2001:db9::1", rs, n);
	apply_one(&f6, "::", 0, 0, true, rs, &n);
	check_addr(&f6, "8000::1", rs, n);
	check_addr(&f6, "2001:db9::1", rs, n);
	check_copies_equal(&f6);
	rt_fib_fini(&f6);
}

/* ---- readers during updates -------------------------------------------- */

#define N_STABLE 256

struct reader {
	struct rt_fib *f;
	uint32_t ips[N_STABLE];
	uint16_t want[N_STABLE];
	atomic_ulong lookups;
	atomic_ulong wrong;
	uint32_t first_bad_ip;
	uint64_t first_bad_nh;
};

/* One loop of the reader thread (tests/common/test_rcu.h): every probe
 * looked up once; it then reports a quiescent state, like a worker
 * between two bursts. */
static int
reader_loop(void *arg)
{
	struct reader *r = arg;
	uint64_t nh[32];
	unsigned int i, k;

	for (i = 0; i < N_STABLE; i += 32) {
		rt_fib4_lookup(rt_fib_view_get(r->f), &r->ips[i], nh, 32);
		for (k = 0; k < 32; k++)
			if (nh[k] != r->want[i + k]) {
				if (atomic_fetch_add(&r->wrong, 1) == 0) {
					r->first_bad_ip = r->ips[i + k];
					r->first_bad_nh = nh[k];
				}
			}
	}
	atomic_fetch_add(&r->lookups, N_STABLE);
	return 0;
}

/*
 * Stable routes: a /24 with a /26 and a /28 inside, in many /24s.  Churn:
 * /27../32 routes added and deleted in the same /24s (their tbl8 groups
 * are allocated, recycled and reused all the time) and in others.  The
 * reader looks up addresses that only the stable routes cover.
 */
static void
test_fib4_readers_during_updates(void **state)
{
	struct reader rd;
	struct rt_fib f;
	struct rt_fib_op op;
	struct nfv_test_reader th;
	unsigned int i, done, rounds = 0;
	uint64_t t_end;

	(void)state;
	memset(&rd, 0, sizeof(rd));
	assert_int_equal(rt_fib_init(&f, AF_INET, "tc4_", 0, qsbr), 0);
	rd.f = &f;
	for (i = 0; i < N_STABLE; i++) {
		uint32_t net = 0x0b000000 | (i << 8);

		memset(&op, 0, sizeof(op));
		op.addr[0] = (uint8_t)(net >> 24);
		op.addr[1] = (uint8_t)(net >> 16);
		op.addr[2] = (uint8_t)(net >> 8);
		op.len = 24;
		op.nh = 100;
		assert_int_equal(rt_fib_apply(&f, &op, 1, &done), 0);
		op.addr[3] = 0x40;
		op.len = 26;
		op.nh = 101;
		assert_int_equal(rt_fib_apply(&f, &op, 1, &done), 0);
		op.addr[3] = 0x40;
		op.len = 28;
		op.nh = 102;
		assert_int_equal(rt_fib_apply(&f, &op, 1, &done), 0);
		/* Probe: in the /24 only, in the /26 only, in the /28. */
		switch (i % 3) {
		case 0:
			rd.ips[i] = net | 0x11;
			rd.want[i] = 100;
			break;
		case 1:
			rd.ips[i] = net | 0x7f;
			rd.want[i] = 101;
			break;
		default:
			rd.ips[i] = net | 0x45;
			rd.want[i] = 102;
			break;
		}
	}
	assert_int_equal(nfv_test_reader_start(&th, qsbr, 0, reader_loop, &rd),
			 0);
	t_end = rte_rdtsc() + rte_get_tsc_hz(); /* one second of churn */
	while (rte_rdtsc() < t_end) {
		uint32_t net = 0x0b000000 | ((unsigned int)(rnd() % N_STABLE) << 8);
		struct rt_fib_op ops[8];
		unsigned int k;

		/* Add then delete host/small routes away from the probes:
		 * 0x80..0xff is covered by the /24 only; probes sit below. */
		for (k = 0; k < 8; k++) {
			memset(&ops[k], 0, sizeof(ops[k]));
			ops[k].addr[0] = (uint8_t)(net >> 24);
			ops[k].addr[1] = (uint8_t)(net >> 16);
			ops[k].addr[2] = (uint8_t)(net >> 8);
			ops[k].addr[3] = (uint8_t)(0x80 | (rnd() & 0x7f));
			ops[k].len = (uint8_t)(27 + rnd() % 6);
			mask_addr(ops[k].addr, ops[k].len, 4);
			if ((ops[k].addr[3] & 0x80) == 0)
				ops[k].addr[3] |= 0x80;
			ops[k].nh = (uint16_t)(200 + k);
		}
		assert_int_equal(rt_fib_apply(&f, ops, 8, &done), 0);
		for (k = 0; k < 8; k++)
			ops[k].del = true;
		assert_int_equal(rt_fib_apply(&f, ops, 8, &done), 0);
		rounds++;
	}
	assert_int_equal(nfv_test_reader_stop(&th), 0);
	print_message("  %u update rounds, %lu lookups, %lu wrong\n", rounds,
		      (unsigned long)atomic_load(&rd.lookups),
		      (unsigned long)atomic_load(&rd.wrong));
	if (atomic_load(&rd.wrong) != 0)
		fail_msg("reader saw next hop %lu for %08x",
			 (unsigned long)rd.first_bad_nh, rd.first_bad_ip);
	assert_true(rounds > 2);
	assert_true(atomic_load(&rd.lookups) > 0);
	rt_fib_fini(&f);
}

/*
 * Issue 10 item 4, rapid churn: 100,000 random /25../32 routes added and
 * deleted in batches (a fixed count, not a time) while the reader looks
 * up addresses of routes that never change.  The churn shares /24s with
 * the probes: their tbl24 entries flip between a next hop and a tbl8
 * group, and groups freed in one /24 are handed to another at once (DPDK
 * 22.11 frees them immediately).  Half the stable /24s also hold a stable
 * /26 (the probe inside it: its group lives on while churn goes on around
 * it).  The double-buffered tables must never show the reader a wrong
 * next hop; at the end both copies are equal and match a reference.
 */
#define CHURN_OPS 100000
#define CHURN_BATCH 500
#define CHURN_POOL 2048

static void
test_fib4_churn_100k(void **state)
{
	struct ref_route *live = calloc(CHURN_POOL, sizeof(*live));
	struct ref_route stable[2 * N_STABLE];
	struct rt_fib_op ops[CHURN_BATCH];
	struct nfv_test_reader th;
	struct reader rd;
	struct rt_fib f;
	unsigned int i, k, n_ops = 0, done, n_stable = 0, batches = 0;

	(void)state;
	assert_non_null(live);
	memset(&rd, 0, sizeof(rd));
	assert_int_equal(rt_fib_init(&f, AF_INET, "tch_", 0, qsbr), 0);
	rd.f = &f;
	for (i = 0; i < N_STABLE; i++) {
		uint32_t net = 0x0c000000 | (i << 8);
		struct rt_fib_op op;

		memset(&op, 0, sizeof(op));
		op.addr[0] = (uint8_t)(net >> 24);
		op.addr[1] = (uint8_t)(net >> 16);
		op.addr[2] = (uint8_t)(net >> 8);
		op.len = 24;
		op.nh = (uint16_t)(100 + i % 8);
		assert_int_equal(rt_fib_apply(&f, &op, 1, &done), 0);
		memcpy(stable[n_stable].addr, op.addr, 16);
		stable[n_stable].len = op.len;
		stable[n_stable].nh = op.nh;
		stable[n_stable++].live = true;
		rd.ips[i] = net | 0x11;
		rd.want[i] = op.nh;
		if (i % 2) {
			op.addr[3] = 0x40;
			op.len = 26;
			op.nh = 120;
			assert_int_equal(rt_fib_apply(&f, &op, 1, &done), 0);
			memcpy(stable[n_stable].addr, op.addr, 16);
			stable[n_stable].len = op.len;
			stable[n_stable].nh = op.nh;
			stable[n_stable++].live = true;
			rd.ips[i] = net | 0x45;
			rd.want[i] = 120;
		}
	}
	assert_int_equal(nfv_test_reader_start(&th, qsbr, 0, reader_loop, &rd),
			 0);
	while (n_ops < CHURN_OPS) {
		for (k = 0; k < CHURN_BATCH; k++) {
			struct ref_route *r = &live[rnd() % CHURN_POOL];
			struct rt_fib_op *op = &ops[k];

			memset(op, 0, sizeof(*op));
			if (r->live) {
				memcpy(op->addr, r->addr, 16);
				op->len = r->len;
				op->del = true;
				r->live = false;
			} else {
				/* the upper half of a probe's /24 (no probe
				 * there), or a /24 of its own */
				uint32_t net =
					rnd() % 4 ? 0x0c000000 |
							    (uint32_t)(rnd() %
								       N_STABLE)
								    << 8
						  : 0x0d000000 |
							    (uint32_t)(rnd() %
								       4096)
								    << 8;

				memset(r, 0, sizeof(*r));
				r->addr[0] = (uint8_t)(net >> 24);
				r->addr[1] = (uint8_t)(net >> 16);
				r->addr[2] = (uint8_t)(net >> 8);
				r->addr[3] = (uint8_t)(0x80 | rnd());
				r->len = (uint8_t)(25 + rnd() % 8);
				mask_addr(r->addr, r->len, 4);
				r->addr[3] |= 0x80;
				r->nh = (uint16_t)(200 + rnd() % 50);
				/* one entry per prefix, for the reference */
				for (i = 0; i < CHURN_POOL; i++)
					if (live[i].live &&
					    live[i].len == r->len &&
					    !memcmp(live[i].addr, r->addr, 4))
						break;
				if (i < CHURN_POOL) {
					op->addr[0] = 0x0e; /* harmless */
					op->len = 8;
					op->del = true;
					continue;
				}
				r->live = true;
				memcpy(op->addr, r->addr, 16);
				op->len = r->len;
				op->nh = r->nh;
			}
		}
		/* one prefix twice in a batch: the later op wins, in the
		 * reference too (it is updated in the same order) */
		assert_int_equal(rt_fib_apply(&f, ops, CHURN_BATCH, &done), 0);
		assert_int_equal(done, CHURN_BATCH);
		n_ops += CHURN_BATCH;
		batches++;
	}
	assert_int_equal(nfv_test_reader_stop(&th), 0);
	print_message("  %u route changes in %u batches, %lu lookups, %lu "
		      "wrong, %u tbl8 groups\n",
		      n_ops, batches, (unsigned long)atomic_load(&rd.lookups),
		      (unsigned long)atomic_load(&rd.wrong), f.num_tbl8);
	if (atomic_load(&rd.wrong) != 0)
		fail_msg("reader saw next hop %lu for %08x",
			 (unsigned long)rd.first_bad_nh, rd.first_bad_ip);
	assert_true(atomic_load(&rd.lookups) > 0);
	check_copies_equal(&f);
	{
		/* the reference: stable routes + live churn routes */
		struct ref_route *all =
			calloc(CHURN_POOL + 2 * N_STABLE, sizeof(*all));
		unsigned int n = 0;

		assert_non_null(all);
		for (i = 0; i < n_stable; i++)
			all[n++] = stable[i];
		for (i = 0; i < CHURN_POOL; i++)
			if (live[i].live)
				all[n++] = live[i];
		check_all(&f, all, n, 20000);
		free(all);
	}
	rt_fib_fini(&f);
	free(live);
}

static int
eal_setup(void **state)
{
	(void)state;
	if (nfv_test_eal_init("test_router_fib", "ut-router-fib", 768) < 0)
		return -1;
	qsbr = nfv_test_qsbr_new(1);
	if (qsbr == NULL)
		return -1;
	return 0;
}

static int
eal_teardown(void **state)
{
	(void)state;
	rte_free(qsbr);
	nfv_test_eal_fini();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fib4_random),
		cmocka_unit_test(test_fib6_random),
		cmocka_unit_test(test_fib4_growth),
		cmocka_unit_test(test_fib4_tbl8_count_same_nh),
		cmocka_unit_test(test_fib4_wide_entries),
		cmocka_unit_test(test_fib_top_prefixes),
		cmocka_unit_test(test_fib4_readers_during_updates),
		cmocka_unit_test(test_fib4_churn_100k),
	};

	return cmocka_run_group_tests(tests, eal_setup, eal_teardown);
}
