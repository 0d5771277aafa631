/* SPDX-License-Identifier: BSD-3-Clause
 *
 * fib.c - the router's route tables: rte_fib (DIR-24-8) for IPv4 and
 * rte_fib6 (trie) for IPv6, each kept twice.
 *
 * Why two copies.  DPDK 22.11's DIR-24-8 and trie change their tables in
 * place with plain stores, and free a tbl8 group (zeroing it) as soon as a
 * change makes it uniform; the very next allocation, even within the same
 * rte_fib_add(), may hand the group out again for another /24.  A lookup
 * that read the old tbl24 entry a moment before then reads a zero or a
 * foreign next hop: a packet of an unchanged route goes wrong.  (DPDK 24.11
 * added rte_fib_rcu_qsbr_add() for exactly this.)  So no lookup may ever
 * run on a table being changed:
 *
 *   1. apply the change to the standby table (no reader uses it);
 *   2. publish it: one release store of `active`;
 *   3. wait for a grace period (nfv_rcu_wait): from here on no
 *      worker is still inside the old table;
 *   4. apply the same change to the old table, which becomes the standby.
 *
 * Lookups never see a table mid-change and never block; a batch costs one
 * grace period.  Memory is twice the table (see rt_fib_memory()).
 *
 * Growth.  rte_fib's sizes (routes, tbl8 groups) are fixed at creation.
 * When a change fails for room (-ENOMEM: RIB nodes, -ENOSPC: tbl8 groups)
 * the standby is rebuilt larger from the active one and the change goes
 * on there; after the switch the old active is freed and rebuilt at the
 * new size too.  2-byte next hops limit tbl8 groups to 32767; beyond that
 * the tables switch to 4-byte entries (tbl24 doubles to 64 MiB).
 *
 * Control thread only, except rt_fib4_lookup()/rt_fib6_lookup() (workers).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_errno.h>
#include <rte_fib.h>
#include <rte_fib6.h>
#include <rte_mempool.h>
#include <rte_rcu_qsbr.h>
#include <rte_rib.h>
#include <rte_rib6.h>

#include "vnf/lib/rcu.h"
#include "vnf/router/router_priv.h"

#define RT_FIB_MIN_ROUTES 4096u
#define RT_FIB_MIN_TBL8 1024u
#define RT_FIB_TBL8_MAX_2B 32767u
#define RT_FIB_TBL8_MAX_4B (1u << 24)
/* sizeof(struct rte_rib_node) and rte_rib6_node in DPDK 22.11 (not in its
 * public headers); the RIB holds two per route (rte_fib_create()). */
#define RT_FIB_RIB_NODE4 40u
#define RT_FIB_RIB_NODE6 64u

static uint32_t
rt_fib_addr4(const uint8_t *a)
{
	return ((uint32_t)a[0] << 24) | ((uint32_t)a[1] << 16) |
	       ((uint32_t)a[2] << 8) | a[3];
}

static void
rt_fib_addr4_out(uint32_t ip, uint8_t *a)
{
	memset(a, 0, 16);
	a[0] = (uint8_t)(ip >> 24);
	a[1] = (uint8_t)(ip >> 16);
	a[2] = (uint8_t)(ip >> 8);
	a[3] = (uint8_t)ip;
}

static void *
rt_fib_create_table(struct rt_fib *f)
{
	char name[32];

	snprintf(name, sizeof(name), "%s%u", f->name, f->seq++);
	if (f->family == AF_INET) {
		struct rte_fib_conf c;

		memset(&c, 0, sizeof(c));
		c.type = RTE_FIB_DIR24_8;
		c.default_nh = RT_NHID_NOROUTE;
		c.max_routes = (int)f->max_routes;
		c.dir24_8.nh_sz = f->nh_bytes == 2 ? RTE_FIB_DIR24_8_2B :
						     RTE_FIB_DIR24_8_4B;
		c.dir24_8.num_tbl8 = f->num_tbl8;
		return rte_fib_create(name, SOCKET_ID_ANY, &c);
	} else {
		struct rte_fib6_conf c;

		memset(&c, 0, sizeof(c));
		c.type = RTE_FIB6_TRIE;
		c.default_nh = RT_NHID_NOROUTE;
		c.max_routes = (int)f->max_routes;
		c.trie.nh_sz = f->nh_bytes == 2 ? RTE_FIB6_TRIE_2B :
						  RTE_FIB6_TRIE_4B;
		c.trie.num_tbl8 = f->num_tbl8;
		return rte_fib6_create(name, SOCKET_ID_ANY, &c);
	}
}

static void
rt_fib_free_table(const struct rt_fib *f, void *t)
{
	if (t == NULL)
		return;
	if (f->family == AF_INET)
		rte_fib_free(t);
	else
		rte_fib6_free(t);
}

static void rt_fib_rsvd_unwrap(const struct rt_fib *f, void *t);

/* One change to table t, as DPDK does it; -ENOENT is swallowed for deletes. */
static int
rt_fib_modify_raw(const struct rt_fib *f, void *t, const struct rt_fib_op *op)
{
	int rc;

	if (f->family == AF_INET) {
		uint32_t ip = rt_fib_addr4(op->addr);

		rc = op->del ? rte_fib_delete(t, ip, op->len) :
			       rte_fib_add(t, ip, op->len, op->nh);
	} else {
		rc = op->del ? rte_fib6_delete(t, op->addr, op->len) :
			       rte_fib6_add(t, op->addr, op->len, op->nh);
	}
	if (rc == -ENOENT && op->del)
		rc = 0;
	else if (rc == 0 && op->del)
		rt_fib_rsvd_unwrap(f, t);
	return rc;
}

static bool rt_fib_has(const struct rt_fib *f, void *t, const uint8_t *addr,
		       uint8_t len, uint64_t *nh);

/* Are the first len bits of addr all ones (does the prefix hold the last
 * address of the space)? */
static bool
rt_fib_is_top(const uint8_t *addr, unsigned int len)
{
	unsigned int i;

	for (i = 0; i < len / 8; i++)
		if (addr[i] != 0xff)
			return false;
	return len % 8 == 0 ||
	       (addr[len / 8] | (uint8_t)(0xff >> (len % 8))) == 0xff;
}

/* The top prefix of length len. */
static void
rt_fib_top(uint8_t *addr, unsigned int len)
{
	memset(addr, 0, 16);
	memset(addr, 0xff, len / 8);
	if (len % 8)
		addr[len / 8] = (uint8_t)(0xff << (8 - len % 8));
}

/*
 * One change to table t.  Works around a DPDK 22.11 bug: changing a prefix
 * that holds the last address of the space (0/0, 128/1, ...) while a more
 * specific prefix also holding it exists makes dir24_8/trie's modify walk
 * wrap around to 0 and rewrite the whole table with the new next hop.  So
 * such more specific prefixes (at most one per length) are taken out
 * first, longest first, and put back after, shortest first: each step then
 * has no more specific "top" prefix.  Only ever done to a table no worker
 * reads (the standby), so the detour is invisible.
 */
static int
rt_fib_modify(const struct rt_fib *f, void *t, const struct rt_fib_op *op)
{
	unsigned int max = f->family == AF_INET ? 32 : 128, l, n = 0, i;
	struct rt_fib_op chain[129];
	uint64_t nh;
	int rc, rc2;

	if (!rt_fib_is_top(op->addr, op->len))
		return rt_fib_modify_raw(f, t, op);
	for (l = op->len + 1u; l <= max; l++) {
		struct rt_fib_op *c = &chain[n];

		memset(c, 0, sizeof(*c));
		rt_fib_top(c->addr, l);
		c->len = (uint8_t)l;
		if (rt_fib_has(f, t, c->addr, c->len, &nh)) {
			c->nh = (uint16_t)nh;
			n++;
		}
	}
	if (n == 0)
		return rt_fib_modify_raw(f, t, op);
	for (i = n; i-- > 0;) {
		chain[i].del = true;
		rc = rt_fib_modify_raw(f, t, &chain[i]);
		chain[i].del = false;
		if (rc < 0)
			return rc; /* cannot be: deletes need no room */
	}
	rc = rt_fib_modify_raw(f, t, op);
	for (i = 0; i < n; i++) {
		/* They held RIB nodes and tbl8 groups a moment ago. */
		rc2 = rt_fib_modify_raw(f, t, &chain[i]);
		if (rc2 < 0 && rc == 0)
			rc = rc2;
	}
	return rc;
}

/* Does table t hold addr/len? */
static bool
rt_fib_has(const struct rt_fib *f, void *t, const uint8_t *addr, uint8_t len,
	   uint64_t *nh)
{
	if (f->family == AF_INET) {
		struct rte_rib_node *n = rte_rib_lookup_exact(
			rte_fib_get_rib(t), rt_fib_addr4(addr), len);

		if (n != NULL && nh != NULL)
			rte_rib_get_nh(n, nh);
		return n != NULL;
	} else {
		struct rte_rib6_node *n =
			rte_rib6_lookup_exact(rte_fib6_get_rib(t), addr, len);

		if (n != NULL && nh != NULL)
			rte_rib6_get_nh(n, nh);
		return n != NULL;
	}
}

/* Visit every prefix of table t, the default route included. */
static void
rt_fib_walk_table(const struct rt_fib *f, void *t,
		  int (*fn)(const uint8_t *addr, uint8_t len, uint16_t nh,
			    void *arg),
		  void *arg)
{
	uint8_t a[16];
	uint64_t nh;

	if (f->family == AF_INET) {
		struct rte_rib *rib = rte_fib_get_rib(t);
		struct rte_rib_node *n;
		uint32_t ip;
		uint8_t d;

		/* rte_rib_get_nxt() returns only prefixes longer than the
		 * one it is given: 0/0 itself separately. */
		n = rte_rib_lookup_exact(rib, 0, 0);
		if (n != NULL) {
			rte_rib_get_nh(n, &nh);
			memset(a, 0, sizeof(a));
			if (fn(a, 0, (uint16_t)nh, arg) != 0)
				return;
		}
		n = NULL;
		while ((n = rte_rib_get_nxt(rib, 0, 0, n,
					    RTE_RIB_GET_NXT_ALL)) != NULL) {
			rte_rib_get_ip(n, &ip);
			rte_rib_get_depth(n, &d);
			rte_rib_get_nh(n, &nh);
			rt_fib_addr4_out(ip, a);
			if (fn(a, d, (uint16_t)nh, arg) != 0)
				return;
		}
	} else {
		struct rte_rib6 *rib = rte_fib6_get_rib(t);
		struct rte_rib6_node *n;
		uint8_t zero[16] = {0};
		uint8_t d;

		n = rte_rib6_lookup_exact(rib, zero, 0);
		if (n != NULL) {
			rte_rib6_get_nh(n, &nh);
			if (fn(zero, 0, (uint16_t)nh, arg) != 0)
				return;
		}
		n = NULL;
		while ((n = rte_rib6_get_nxt(rib, zero, 0, n,
					     RTE_RIB6_GET_NXT_ALL)) != NULL) {
			rte_rib6_get_ip(n, a);
			rte_rib6_get_depth(n, &d);
			rte_rib6_get_nh(n, &nh);
			if (fn(a, d, (uint16_t)nh, arg) != 0)
				return;
		}
	}
}

struct rt_fib_copy {
	const struct rt_fib *f;
	void *dst;
	int rc;
};

static int
rt_fib_copy_one(const uint8_t *addr, uint8_t len, uint16_t nh, void *arg)
{
	struct rt_fib_copy *c = arg;
	struct rt_fib_op op = {.len = len, .nh = nh};

	memcpy(op.addr, addr, 16);
	c->rc = rt_fib_modify(c->f, c->dst, &op);
	return c->rc;
}

/*
 * A new table at the current sizes holding what `src` holds.  -ENOMEM when
 * the memory for the table is not there; -EAGAIN (and the reason in *why)
 * when the sizes are too small for the content.
 */
static int
rt_fib_clone(struct rt_fib *f, void *src, void **out, int *why)
{
	struct rt_fib_copy c = {.f = f, .rc = 0};

	c.dst = rt_fib_create_table(f);
	if (c.dst == NULL)
		return -ENOMEM;
	rt_fib_walk_table(f, src, rt_fib_copy_one, &c);
	if (c.rc < 0) {
		rt_fib_free_table(f, c.dst);
		if (c.rc == -ENOMEM || c.rc == -ENOSPC) {
			*why = c.rc;
			return -EAGAIN;
		}
		return c.rc;
	}
	*out = c.dst;
	return 0;
}

/* Make the sizes bigger for a failure `why` (-ENOMEM/-ENOSPC); -E2BIG
 * when they cannot grow any more. */
static int
rt_fib_enlarge(struct rt_fib *f, int why, uint32_t want_routes)
{
	uint32_t tmax;

	if (why == 0)
		return 0; /* the caller set the sizes */
	if (want_routes > f->max_routes) {
		f->max_routes = want_routes;
		return 0;
	}
	if (why == -ENOSPC) {
		tmax = f->nh_bytes == 2 ? RT_FIB_TBL8_MAX_2B : RT_FIB_TBL8_MAX_4B;
		if (f->num_tbl8 >= tmax) {
			if (f->nh_bytes == 4)
				return -E2BIG;
			f->nh_bytes = 4;
		}
		f->num_tbl8 = RTE_MIN(f->num_tbl8 * 2,
				      f->nh_bytes == 2 ? RT_FIB_TBL8_MAX_2B :
							 RT_FIB_TBL8_MAX_4B);
		return 0;
	}
	if (f->max_routes >= (1u << 28))
		return -E2BIG;
	f->max_routes *= 2;
	return 0;
}

/*
 * Where a table's tbl24 starts, for prefetching only.  DPDK 22.11 keeps it
 * at the first cache line after the 64-byte head of struct dir24_8_tbl /
 * rte_trie_tbl (private headers), which rt_fib_layout_probe() checks once.
 * A prefetch never faults, so a wrong guess would cost speed, not
 * correctness.
 */
#define RT_FIB_TBL24_OFF 64
static int rt_fib_layout[2] = {-1, -1}; /* per family: -1 unknown, 0/1 */

static const uint8_t *
rt_fib_tbl24(const struct rt_fib *f, void *t)
{
	void *dp;

	if (rt_fib_layout[f->family == AF_INET6] != 1)
		return NULL;
	dp = f->family == AF_INET ? rte_fib_get_dp(t) : rte_fib6_get_dp(t);
	return (const uint8_t *)dp + RT_FIB_TBL24_OFF;
}

/* On an empty table no worker sees: put a route in, look where it lands,
 * take it out. */
static void
rt_fib_layout_probe(struct rt_fib *f, void *t)
{
	int *ok = &rt_fib_layout[f->family == AF_INET6];
	struct rt_fib_op op = {.addr = {0x01, 0x02, 0x03}, .len = 24,
			       .nh = 0x1234};
	const uint8_t *p;
	uint32_t v;

	if (*ok != -1)
		return;
	*ok = 0;
	if (rt_fib_modify_raw(f, t, &op) != 0)
		return;
	*ok = 1;
	p = rt_fib_tbl24(f, t) + ((size_t)0x010203 << (f->nh_bytes == 2 ? 1 : 2));
	v = f->nh_bytes == 2 ? *(const uint16_t *)p : *(const uint32_t *)p;
	/* An entry holds next hop << 1 (bit 0: extended). */
	*ok = v == (uint32_t)op.nh << 1;
	op.del = true;
	rt_fib_modify_raw(f, t, &op);
}

/*
 * DPDK 22.11's DIR-24-8 (dir24_8.c) does not count the tbl8 group of a new
 * prefix longer than /24 whose next hop is its parent's (it returns before
 * counting), but takes one back when that prefix is deleted: an add and a
 * delete wrap the unsigned count of reserved groups, after which every
 * prefix that needs a group is -ENOSPC and each rebuild doubled the tables
 * (unit test test_fib4_tbl8_count_same_nh; found by the route-file
 * fuzzer).  DIR-24-8 and the IPv6 trie both keep the number of groups at
 * offset 0 and the reserved count at offset 4 of their private struct
 * (the layout probe above checked the head's size).  After a delete, a
 * count above the number can only be that wrap: it is put back to 0.  A
 * count left too low without wrapping only lets DPDK try a group that is
 * not there, which fails cleanly (-ENOSPC: the tables are rebuilt, and a
 * new table counts afresh).  The trie's own miscount goes the other way:
 * see rt_fib_grow_standby().
 */
static void
rt_fib_rsvd_unwrap(const struct rt_fib *f, void *t)
{
	uint32_t *c;

	if (rt_fib_layout[f->family == AF_INET6] != 1)
		return;
	c = f->family == AF_INET ? rte_fib_get_dp(t) : rte_fib6_get_dp(t);
	if (c == NULL || c[0] == 0 || c[0] > RT_FIB_TBL8_MAX_4B)
		return; /* not the layout we know */
	if (c[1] > c[0])
		c[1] = 0;
}

/*
 * tbl8 groups for a table expected to hold `routes` prefixes.  IPv4: a
 * prefix longer than /24 takes a group for its /24; in Internet and IGP
 * tables a few percent are (1/32 here).  IPv6 (a trie of 8-bit levels
 * below a 24-bit head): DPDK 22.11 reserves rt_fib_tbl8_weight() groups
 * per prefix whether they are shared or not: three for a /48, four for a
 * /56 (the prefix most often delegated to a site, and what a table of
 * customer routes is made of), one less per level under a covering prefix
 * longer than /24.  Four per route, so that a /56-heavy table loads
 * without a rebuild on the way (docs/router.md, "Memory": about 4 KiB per
 * IPv6 route and table copy; a /64-heavy table grows once or twice).
 */
uint32_t
rt_fib_tbl8_for(int family, uint32_t routes)
{
	uint64_t n = family == AF_INET ? routes / 32 : (uint64_t)routes * 4;

	if (n <= RT_FIB_MIN_TBL8)
		return RT_FIB_MIN_TBL8;
	return (uint32_t)RTE_MIN(n, RT_FIB_TBL8_MAX_4B);
}

static void
rt_fib_publish(struct rt_fib *f, unsigned int idx)
{
	struct rt_fib_view *v = &f->view[idx];

	/* view[idx] is the standby's: no worker reads it until the store
	 * below.  Release: every store that built the table (and the next
	 * hops it points to) is visible to a worker that loads the view. */
	v->tbl = f->tbl[idx];
	v->tbl24 = rt_fib_tbl24(f, f->tbl[idx]);
	v->nh_shift = f->nh_bytes == 2 ? 1 : 2;
	v->prefetch_early = f->n_routes >= RT_FIB_EARLY_ROUTES;
	atomic_store_explicit(&f->active, v, memory_order_release);
	f->act = idx;
	nfv_rcu_wait(f->rcu);
}

int
rt_fib_init(struct rt_fib *f, int family, const char *name,
	    uint32_t routes_hint, struct rte_rcu_qsbr *rcu)
{
	int rc;

	memset(f, 0, sizeof(*f));
	f->family = family;
	f->rcu = rcu;
	snprintf(f->name, sizeof(f->name), "%s", name);
	f->max_routes = RTE_MAX(rte_align32pow2(routes_hint + routes_hint / 4),
				RT_FIB_MIN_ROUTES);
	f->num_tbl8 = rt_fib_tbl8_for(family, routes_hint);
	f->nh_bytes = f->num_tbl8 > RT_FIB_TBL8_MAX_2B ? 4 : 2;
	f->tbl[0] = rt_fib_create_table(f);
	if (f->tbl[0] == NULL)
		goto err;
	rt_fib_layout_probe(f, f->tbl[0]);
	f->tbl[1] = rt_fib_create_table(f);
	if (f->tbl[1] == NULL)
		goto err;
	f->act = 1;
	rt_fib_publish(f, 0);
	return 0;
err:
	rc = rte_errno ? -rte_errno : -ENOMEM;
	rt_fib_fini(f);
	return rc;
}

void
rt_fib_fini(struct rt_fib *f)
{
	rt_fib_free_table(f, f->tbl[0]);
	rt_fib_free_table(f, f->tbl[1]);
	f->tbl[0] = f->tbl[1] = NULL;
	atomic_store(&f->active, NULL);
}

/*
 * Replace the standby by a larger copy of the active table with ops[0..n)
 * applied (the ops that the old standby had already taken).
 *
 * A copy at the same sizes first, when DPDK says -ENOSPC while our own
 * worst-case count (n_long) says that at most half of the tbl8 groups can
 * be in use: DPDK 22.11's trie counts an IPv6 prefix's groups when it is
 * added but not when it is deleted (at the delete it finds the prefix
 * itself as its parent), so under churn a table runs "full" with its
 * groups free, and doubling it each time grew the tables without bound
 * (unit test test_fib4_tbl8_count_same_nh: 1024 -> 4096 groups for one
 * live route).  A new table counts only what it holds.
 */
static int
rt_fib_grow_standby(struct rt_fib *f, int why, uint32_t want_routes,
		    const struct rt_fib_op *ops, unsigned int n)
{
	unsigned int s = f->act ^ 1, i;
	bool recount = why == -ENOSPC && !f->recounted &&
		       f->n_long < f->num_tbl8 / 2;
	void *t;
	int rc;

	/* Once per rt_fib_apply(): a batch whose own prefixes fill the
	 * table grows it on the next -ENOSPC. */
	f->recounted |= recount;
	if (!recount) {
		rc = rt_fib_enlarge(f, why, want_routes);
		if (rc < 0)
			return rc;
	}
	rt_fib_free_table(f, f->tbl[s]);
	f->tbl[s] = NULL;
	for (;;) {
		rc = rt_fib_clone(f, f->tbl[f->act], &t, &why);
		if (rc == 0) {
			for (i = 0; i < n; i++) {
				rc = rt_fib_modify(f, t, &ops[i]);
				if (rc < 0)
					break;
			}
			if (rc == 0) {
				f->tbl[s] = t;
				return 0;
			}
			rt_fib_free_table(f, t);
			if (rc != -ENOMEM && rc != -ENOSPC)
				return rc;
			why = rc;
		} else if (rc != -EAGAIN) {
			return rc;
		}
		/* Really full (or out of RIB nodes): larger from here on. */
		rc = rt_fib_enlarge(f, why, recount ? want_routes : 0);
		recount = false;
		if (rc < 0)
			return rc;
	}
}

/* After a switch to a grown table: rebuild the old active at the new size. */
static int
rt_fib_rebuild_standby(struct rt_fib *f)
{
	unsigned int s = f->act ^ 1;
	void *t;
	int rc;

	int why;

	rt_fib_free_table(f, f->tbl[s]);
	f->tbl[s] = NULL;
	rc = rt_fib_clone(f, f->tbl[f->act], &t, &why);
	if (rc < 0)
		return rc == -EAGAIN ? -EIO : rc; /* same sizes: cannot be */
	f->tbl[s] = t;
	return 0;
}

int
rt_fib_apply(struct rt_fib *f, const struct rt_fib_op *ops, unsigned int n,
	     unsigned int *done)
{
	unsigned int s = f->act ^ 1, i, k;
	uint32_t old_routes = f->max_routes, old_tbl8 = f->num_tbl8;
	uint8_t old_bytes = f->nh_bytes;
	bool grown = false, had;
	int32_t delta = 0, delta_long = 0;
	int rc = 0, rc2;

	*done = 0;
	f->recounted = false;
	if (f->tbl[s] == NULL) {
		/* A previous rebuild failed for memory: try again now. */
		rc = rt_fib_rebuild_standby(f);
		if (rc < 0)
			return rc;
	}

	/* 1. The standby, growing it when it runs out of room. */
	for (i = 0; i < n; i++) {
		had = rt_fib_has(f, f->tbl[s], ops[i].addr, ops[i].len, NULL);
		rc = rt_fib_modify(f, f->tbl[s], &ops[i]);
		if (rc == -ENOMEM || rc == -ENOSPC) {
			rc = rt_fib_grow_standby(f, rc, 0, ops, i);
			if (rc < 0)
				break;
			grown = true;
			i--;
			continue;
		}
		if (rc < 0)
			break;
		if (ops[i].del && had) {
			delta--;
			delta_long -= (int32_t)rt_fib_tbl8_weight(f->family,
								  ops[i].len);
		} else if (!ops[i].del && !had) {
			delta++;
			delta_long += (int32_t)rt_fib_tbl8_weight(f->family,
								  ops[i].len);
		}
	}
	k = i;
	if (k == 0 && !grown)
		return rc;
	if (f->tbl[s] == NULL) {
		/* Growth failed before a standby existed again: nothing was
		 * published; back to the sizes of the active table. */
		f->max_routes = old_routes;
		f->num_tbl8 = old_tbl8;
		f->nh_bytes = old_bytes;
		return rc;
	}

	/* 2-3. Switch and wait until no worker is in the old table. */
	f->n_routes += delta;
	f->n_long += delta_long;
	rt_fib_publish(f, s);

	/* 4. The old table catches up. */
	if (grown) {
		rc2 = rt_fib_rebuild_standby(f);
	} else {
		rc2 = 0;
		for (i = 0; i < k; i++) {
			rc2 = rt_fib_modify(f, f->tbl[f->act ^ 1], &ops[i]);
			if (rc2 < 0)
				break;
		}
		if (rc2 < 0) /* should not happen: same sizes, same content */
			rc2 = rt_fib_rebuild_standby(f);
	}
	*done = k;
	if (rc2 < 0 && rc == 0)
		rc = rc2;
	return rc;
}

int
rt_fib_reserve(struct rt_fib *f, uint32_t routes, uint32_t long_routes)
{
	uint64_t want = (uint64_t)f->n_routes + routes;
	/* long_routes: rt_fib_tbl8_weight() of the new prefixes. */
	uint64_t want8 = (uint64_t)f->n_long + long_routes;
	uint32_t old_routes = f->max_routes, old_tbl8 = f->num_tbl8;
	uint8_t old_bytes = f->nh_bytes;
	int rc;

	/* rte_fib's RIB has two nodes per route: it holds max_routes. */
	if (want <= f->max_routes && want8 <= f->num_tbl8)
		return 0;
	/* Geometric steps: batches one after another (the netlink mirror)
	 * rebuild the tables O(log n) times rather than once per batch; one
	 * big batch (a route file) gets what it asks and a little more. */
	if (want > f->max_routes) {
		want = RTE_MAX(want + want / 16,
			       (uint64_t)f->max_routes * 3 / 2);
		if (want > (1u << 28))
			return -E2BIG;
	}
	if (want8 > f->num_tbl8) {
		want8 = RTE_MAX(want8 + want8 / 8,
				(uint64_t)f->num_tbl8 * 3 / 2);
		if (want8 > RT_FIB_TBL8_MAX_4B)
			return -E2BIG;
	}
	if (want > f->max_routes)
		f->max_routes = (uint32_t)want;
	if (want8 > f->num_tbl8) {
		if (want8 > RT_FIB_TBL8_MAX_2B)
			f->nh_bytes = 4;
		f->num_tbl8 = (uint32_t)want8;
	}
	/* Grown above; the growth itself only rebuilds. */
	rc = rt_fib_grow_standby(f, 0, 0, NULL, 0);
	if (rc < 0) {
		/* The sizes of the tables there are: the standby, freed on
		 * the way, is rebuilt at them by the next change, not at
		 * sizes that just failed (which would fail every change). */
		f->max_routes = old_routes;
		f->num_tbl8 = old_tbl8;
		f->nh_bytes = old_bytes;
		return rc;
	}
	rt_fib_publish(f, f->act ^ 1);
	return rt_fib_rebuild_standby(f);
}

int
rt_fib_get(const struct rt_fib *f, const uint8_t *addr, uint8_t len,
	   uint16_t *nh)
{
	uint64_t v;

	if (!rt_fib_has(f, f->tbl[f->act], addr, len, &v))
		return -ENOENT;
	*nh = (uint16_t)v;
	return 0;
}

uint16_t
rt_fib_lookup_one(const struct rt_fib *f, const uint8_t *addr)
{
	uint64_t nh = RT_NHID_NOROUTE;

	if (f->family == AF_INET) {
		uint32_t ip = rt_fib_addr4(addr);

		rte_fib_lookup_bulk(f->tbl[f->act], &ip, &nh, 1);
	} else {
		uint8_t ips[1][16];

		memcpy(ips[0], addr, 16);
		rte_fib6_lookup_bulk(f->tbl[f->act], ips, &nh, 1);
	}
	return (uint16_t)nh;
}

void
rt_fib_walk(const struct rt_fib *f,
	    int (*fn)(const uint8_t *addr, uint8_t len, uint16_t nh, void *arg),
	    void *arg)
{
	rt_fib_walk_table(f, f->tbl[f->act], fn, arg);
}

uint64_t
rt_fib_memory(const struct rt_fib *f)
{
	struct rte_mempool_objsz sz;
	uint64_t one;

	if (f->tbl[0] == NULL)
		return 0;
	/* A RIB node in its mempool: header and cache-line padding make
	 * 40 bytes take 192 (mempool spreads objects over channels). */
	rte_mempool_calc_obj_size(f->family == AF_INET ? RT_FIB_RIB_NODE4 :
							 RT_FIB_RIB_NODE6,
				  0, &sz);
	one = ((uint64_t)1 << 24) * f->nh_bytes +
	      ((uint64_t)f->num_tbl8 + 1) * 256 * f->nh_bytes +
	      (uint64_t)f->max_routes * 2 * sz.total_size;
	return 2 * one;
}

void
rt_fib4_lookup_bulk(const struct rt_fib_view *v, const uint32_t *ips,
		    uint64_t *nhs, unsigned int n)
{
	/* rte_fib_lookup_bulk() does not write ips */
	rte_fib_lookup_bulk(v->tbl, (uint32_t *)(uintptr_t)ips, nhs, (int)n);
}

void
rt_fib6_lookup(const struct rt_fib_view *v, uint8_t (*ips)[16], uint64_t *nhs,
	       unsigned int n)
{
	rte_fib6_lookup_bulk(v->tbl, ips, nhs, (int)n);
}
