/* SPDX-License-Identifier: BSD-3-Clause
 *
 * rib.c - the router's routes on the control side (the RIB): the routes
 * of the config, of `route add/del` and of route files, the connected,
 * local and broadcast routes of the ifaces, and the kernel's routes that
 * the netlink mirror hands over in batches (router.h, "the kernel
 * mirror"); resolved to next hops and applied to the FIBs.  Control
 * thread only.
 *
 * A prefix holds up to two routes: one of the config side (config, route
 * file, `route add`, or the ifaces' own) and one of the kernel.  The
 * config side's is forwarded on; the kernel's is kept behind it and takes
 * over when it goes (docs/router.md, "Origins and precedence").  Kernel
 * routes of the same prefix with higher metrics than that one (rare: a
 * backup route, BIRD's own subnets) wait in a list of standby routes
 * beside it, lowest metric first, and the first takes over when it goes.
 *
 * A change is a batch: every route changed in the RIB, each holding a
 * reference on its next hop; the FIB ops that change what is forwarded
 * collected per family; then one rt_fib_apply() per family (room reserved
 * first: one table rebuild at most, one grace period); then the next hops
 * of what was replaced are dropped: after rt_fib_apply() no table refers
 * to them and no worker holds them (see nexthop.c).  When the FIB cannot
 * take part of a batch (out of memory), the RIB changes it did not take
 * are undone, so the RIB and the FIB never disagree.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_hash.h>
#include <rte_hash_crc.h>

#include "control/files.h"
#include "vnf/router/config.h"
#include "vnf/router/router.h"
#include "vnf/router/router_priv.h"

/* ---- addresses ----------------------------------------------------------- */

static void
rt_mask(uint8_t *addr, uint8_t len, unsigned int bytes)
{
	unsigned int i;

	for (i = 0; i < bytes; i++) {
		unsigned int bit = i * 8;

		if (bit >= len)
			addr[i] = 0;
		else if (len - bit < 8)
			addr[i] &= (uint8_t)(0xff << (8 - (len - bit)));
	}
}

/* "a.b.c.d[/len]" or "x::y[/len]" (the config's syntax); `net`: host bits
 * must be zero. */
int
rt_parse_prefix(const char *s, struct ctl_prefix *p, bool net)
{
	uint8_t chk[16];
	int rc = ctl_parse_prefix(s, p);

	if (rc < 0)
		return rc;
	if (net) {
		memcpy(chk, p->addr, 16);
		rt_mask(chk, p->len, 16);
		if (memcmp(chk, p->addr, 16) != 0)
			return -EDOM;
	}
	return 0;
}

void
rt_addr_str(uint8_t family, const uint8_t *a, char *buf, size_t len)
{
	inet_ntop(family, a, buf, (socklen_t)len);
}

void
rt_prefix_str(uint8_t family, const uint8_t *a, uint8_t plen, char *buf,
	      size_t len)
{
	char s[INET6_ADDRSTRLEN];

	rt_addr_str(family, a, s, sizeof(s));
	snprintf(buf, len, "%s/%u", s, plen);
}

/* The iface with a connected subnet holding gw, or -1. */
static int
rt_iface_for_gw(const struct rt *rt, uint8_t family, const uint8_t *gw)
{
	unsigned int i, j;

	for (i = 0; i < rt->n_ifaces; i++) {
		const struct rt_iface *f = &rt->ifaces[i];

		if (family == AF_INET) {
			rte_be32_t a;

			memcpy(&a, gw, 4);
			for (j = 0; j < f->n4; j++)
				if (((a ^ f->v4[j].addr) & f->v4[j].mask) == 0)
					return (int)i;
		} else {
			for (j = 0; j < f->n6; j++) {
				uint8_t x[16], y[16];

				memcpy(x, gw, 16);
				memcpy(y, f->v6[j].addr, 16);
				rt_mask(x, f->v6[j].len, 16);
				rt_mask(y, f->v6[j].len, 16);
				if (memcmp(x, y, 16) == 0)
					return (int)i;
			}
		}
	}
	return -1;
}

static bool
rt_is_own_addr(const struct rt *rt, uint8_t family, const uint8_t *a)
{
	unsigned int i;
	rte_be32_t v4;

	memcpy(&v4, a, 4);
	for (i = 0; i < rt->n_ifaces; i++)
		if (family == AF_INET ? rt_iface_has4(&rt->ifaces[i], v4) :
					rt_iface_has6(&rt->ifaces[i], a))
			return true;
	return false;
}

static bool
rt_is_iface_subnet(const struct rt *rt, uint8_t family, const uint8_t *addr,
		   uint8_t len)
{
	unsigned int i, j;

	for (i = 0; i < rt->n_ifaces; i++) {
		const struct rt_iface *f = &rt->ifaces[i];

		if (family == AF_INET) {
			rte_be32_t a;

			memcpy(&a, addr, 4);
			for (j = 0; j < f->n4; j++)
				if (f->v4[j].len == len &&
				    (f->v4[j].addr & f->v4[j].mask) == a)
					return true;
		} else {
			for (j = 0; j < f->n6; j++) {
				uint8_t y[16];

				memcpy(y, f->v6[j].addr, 16);
				rt_mask(y, f->v6[j].len, 16);
				if (f->v6[j].len == len && !memcmp(y, addr, 16))
					return true;
			}
		}
	}
	return false;
}

/* ---- the RIB --------------------------------------------------------------
 */

/*
 * Every prefix of both families, in an rte_hash (key: family, length,
 * address) whose key positions index ents[].  The hash has a fixed size:
 * before a batch that might not fit, it is rebuilt twice as large (a batch
 * keeps positions, so it never grows mid-batch).  About 100 bytes a prefix
 * (the hash in DPDK memory, ents[] in the process's).
 */
#define RT_RIB_MIN 1024u
#define RT_RIB_MAX (1u << 26)

struct rt_rib_key {
	uint8_t addr[16];
	uint8_t family;
	uint8_t len;
	uint8_t pad[2];
};

struct rt_rib_ent {
	uint8_t addr[16];
	uint8_t family; /* 0: position unused */
	uint8_t len;
	uint8_t c_origin; /* enum rt_origin; NONE: no config-side route */
	bool k_on;	  /* a kernel route */
	uint8_t k_proto;  /* rtm_protocol */
	uint8_t k_type;	  /* enum vnf_router_rtype */
	uint16_t c_nh;	  /* next hops, each route holding a reference */
	uint16_t k_nh;
	uint32_t k_gen; /* generation of the last add (mark/sweep) */
	uint32_t k_metric;
	uint32_t k_alt; /* standby kernel routes: first of a list in
			 * rib->alt, by metric; 0 none (only with k_on) */
	uint32_t cut;	/* rt_rib_commit(), when the FIB failed: 1 + the first
			 * change of the batch to undo; 0 otherwise */
};

struct rt_rib {
	struct rte_hash *h;
	struct rt_rib_ent *ents; /* by key position */
	uint32_t cap;		 /* prefixes the hash takes */
	uint32_t n;		 /* prefixes */
	uint32_t n_kernel;	 /* kernel routes */
	uint32_t n_shadowed;	 /* kernel routes behind a config one */
	uint32_t gen;		 /* current generation (mark) */
	bool sized[2];		 /* per family: sized for max_routes */
	/* Standby kernel routes (higher metrics), in lists from their
	 * prefix's entry; [0] unused, free ones chained by next from
	 * alt_free.  Each holds a reference on its next hop. */
	struct rt_rib_alt *alt;
	uint32_t alt_cap, alt_free, n_alt;
};

struct rt_rib_alt {
	uint32_t metric;
	uint32_t next; /* the next higher metric; 0 the end */
	uint32_t gen;
	uint16_t nh;
	uint8_t proto;
	uint8_t type;
};

static void
rt_rib_key_of(struct rt_rib_key *k, uint8_t family, const uint8_t *addr,
	      uint8_t len)
{
	memset(k, 0, sizeof(*k));
	memcpy(k->addr, addr, family == AF_INET ? 4 : 16);
	k->family = family;
	k->len = len;
}

static struct rte_hash *
rt_rib_hash_new(uint32_t cap)
{
	static atomic_uint seq;
	struct rte_hash_parameters hp = {0};
	char name[RTE_HASH_NAMESIZE];

	/* rte object names are global to the process. */
	snprintf(name, sizeof(name), "rtrib%u", atomic_fetch_add(&seq, 1));
	hp.name = name;
	hp.entries = cap;
	hp.key_len = sizeof(struct rt_rib_key);
	hp.hash_func = rte_hash_crc;
	hp.socket_id = SOCKET_ID_ANY;
	/* Adds never fail for a full bucket before the hash is full. */
	hp.extra_flag = RTE_HASH_EXTRA_FLAGS_EXT_TABLE;
	return rte_hash_create(&hp);
}

static struct rt_rib *
rt_rib_get(struct rt *rt)
{
	if (rt->rib == NULL)
		rt->rib = calloc(1, sizeof(*rt->rib));
	return rt->rib;
}

/* Room for `more` new prefixes: rebuild the hash larger when needed. */
static int
rt_rib_reserve(struct rt *rt, uint32_t more)
{
	struct rt_rib *rib = rt_rib_get(rt);
	struct rt_rib_ent *ents;
	struct rte_hash *h;
	const void *key;
	void *data;
	uint64_t need, cap;
	uint32_t it = 0;
	int32_t pos, np;

	if (rib == NULL)
		return -ENOMEM;
	need = (uint64_t)rib->n + more + 1;
	if (rib->h != NULL && need <= rib->cap)
		return 0;
	if (need > RT_RIB_MAX)
		return -E2BIG;
	cap = RTE_MAX(RT_RIB_MIN, rib->cap * 2ull);
	while (cap < need)
		cap *= 2;
	h = rt_rib_hash_new((uint32_t)cap);
	if (h == NULL)
		return -ENOMEM;
	ents = calloc((size_t)rte_hash_max_key_id(h) + 1, sizeof(*ents));
	if (ents == NULL) {
		rte_hash_free(h);
		return -ENOMEM;
	}
	if (rib->h != NULL) {
		while ((pos = rte_hash_iterate(rib->h, &key, &data, &it)) >=
		       0) {
			np = rte_hash_add_key(h, key);
			if (np < 0) { /* cannot be: it is larger */
				free(ents);
				rte_hash_free(h);
				return np;
			}
			ents[np] = rib->ents[pos];
		}
		rte_hash_free(rib->h);
		free(rib->ents);
	}
	rib->h = h;
	rib->ents = ents;
	rib->cap = (uint32_t)cap;
	return 0;
}

static struct rt_rib_ent *
rt_rib_find(const struct rt *rt, uint8_t family, const uint8_t *addr,
	    uint8_t len)
{
	struct rt_rib_key k;
	int32_t pos;

	if (rt->rib == NULL || rt->rib->h == NULL)
		return NULL;
	rt_rib_key_of(&k, family, addr, len);
	pos = rte_hash_lookup(rt->rib->h, &k);
	return pos < 0 ? NULL : &rt->rib->ents[pos];
}

/* What the FIB holds for e: the config side's route, else the kernel's. */
static bool
rt_rib_eff(const struct rt_rib_ent *e, uint16_t *nh)
{
	if (e->c_origin != RT_ORIG_NONE) {
		*nh = e->c_nh;
		return true;
	}
	if (e->k_on) {
		*nh = e->k_nh;
		return true;
	}
	*nh = RT_NHID_NOROUTE;
	return false;
}

/* ---- standby kernel routes -------------------------------------------------
 */

/* Insert a standby route into e's list, by metric (none of that metric
 * there).  0 or -ENOMEM; the list takes the reference on a->nh. */
static int
rt_alt_insert(struct rt_rib *rib, struct rt_rib_ent *e,
	      const struct rt_rib_alt *a)
{
	uint32_t i, *link = &e->k_alt;

	if (rib->alt_free == 0) {
		uint32_t nc = RTE_MAX(rib->alt_cap * 2, 64u), j;
		struct rt_rib_alt *q;

		if (nc > (1u << 26))
			return -ENOMEM;
		q = realloc(rib->alt, (size_t)nc * sizeof(*q));
		if (q == NULL)
			return -ENOMEM;
		/* Chain the new nodes as free; node 0 stays unused. */
		for (j = RTE_MAX(rib->alt_cap, 1u); j < nc; j++)
			q[j].next = j + 1 < nc ? j + 1 : 0;
		rib->alt_free = RTE_MAX(rib->alt_cap, 1u);
		rib->alt = q;
		rib->alt_cap = nc;
	}
	i = rib->alt_free;
	rib->alt_free = rib->alt[i].next;
	while (*link != 0 && rib->alt[*link].metric < a->metric)
		link = &rib->alt[*link].next;
	rib->alt[i] = *a;
	rib->alt[i].next = *link;
	*link = i;
	rib->n_alt++;
	return 0;
}

/* Take e's standby route of `metric` (metric UINT64_MAX: the first, the
 * lowest) out of its list into *out, with its reference.  false: none. */
static bool
rt_alt_take(struct rt_rib *rib, struct rt_rib_ent *e, uint64_t metric,
	    struct rt_rib_alt *out)
{
	uint32_t i, *link = &e->k_alt;

	while (*link != 0 && metric != UINT64_MAX &&
	       rib->alt[*link].metric != metric)
		link = &rib->alt[*link].next;
	i = *link;
	if (i == 0)
		return false;
	*out = rib->alt[i];
	*link = rib->alt[i].next;
	rib->alt[i].next = rib->alt_free;
	rib->alt_free = i;
	rib->n_alt--;
	return true;
}

static void
rt_rib_account(struct rt_rib *rib, const struct rt_rib_ent *e, int sign)
{
	rib->n_kernel += (uint32_t)(sign * e->k_on);
	rib->n_shadowed +=
		(uint32_t)(sign * (e->k_on && e->c_origin != RT_ORIG_NONE));
}

/* IPv6 routes possible: an iface has an IPv6 address and the table exists. */
static bool
rt_rib_v6(const struct rt *rt)
{
	return rt->v6 && rt->fib6.tbl[0] != NULL;
}

/* ---- batches ---------------------------------------------------------------
 */

/* One route change of a batch: what the prefix was before, to undo it. */
struct rt_rib_undo {
	struct rt_rib_ent old;
	uint32_t pos;
	uint16_t put; /* the replaced route's next hop: dropped after the FIB */
	uint16_t got; /* the new route's next hop (its reference) */
	uint8_t fam;  /* 0 IPv4, 1 IPv6 */
	bool undone;
	/* What the change did to the standby list besides, undone with it:
	 * RT_ALT_DEMOTED: the replaced route went into it (alt.metric);
	 * RT_ALT_PROMOTED: alt came out of it and is the new route. */
	uint8_t alt_act;
	struct rt_rib_alt alt;
};

enum { RT_ALT_NONE, RT_ALT_DEMOTED, RT_ALT_PROMOTED };

struct rt_rib_batch {
	struct rt *rt;
	struct rt_rib_undo *log;
	uint32_t n, cap;
	struct rt_fib_op *ops[2]; /* per family */
	uint32_t *seq[2];	  /* ops[f][i] comes from log[seq[f][i]] */
	uint32_t n_ops[2], cap_ops[2];
	uint32_t new_routes[2], new_long[2];
	uint32_t undone; /* changes the FIB could not take */
};

static int
rt_grow(void **p, uint32_t *cap, uint32_t need, size_t esz)
{
	uint32_t nc;
	void *q;

	if (need <= *cap)
		return 0;
	nc = RTE_MAX(*cap * 2, 64u);
	while (nc < need)
		nc *= 2;
	q = realloc(*p, (size_t)nc * esz);
	if (q == NULL)
		return -ENOMEM;
	*p = q;
	*cap = nc;
	return 0;
}

/* A batch of up to `more` new prefixes (more may add them one by one, but
 * then the hash is rebuilt before the batch, never during it). */
static int
rt_rib_batch_init(struct rt_rib_batch *b, struct rt *rt, uint32_t more)
{
	int rc;

	memset(b, 0, sizeof(*b));
	b->rt = rt;
	rc = rt_rib_reserve(rt, more);
	if (rc < 0)
		return rc;
	/* Big batches: one allocation rather than twenty doublings. */
	if (more > 64 &&
	    rt_grow((void **)&b->log, &b->cap, more, sizeof(*b->log)) < 0)
		return -ENOMEM;
	return 0;
}

static void
rt_rib_batch_fini(struct rt_rib_batch *b)
{
	free(b->log);
	free(b->ops[0]);
	free(b->ops[1]);
	free(b->seq[0]);
	free(b->seq[1]);
	memset(b, 0, sizeof(*b));
}

/*
 * Set (r->origin != NONE) or remove the config-side (kernel false) or
 * kernel route of r's prefix.  The reference on r->nh passes to the batch
 * when this returns 0; on an error the caller still holds it.  keep_gen:
 * a kernel route changed by nfvd itself (link down), not re-announced: it
 * keeps its generation.
 */
static int
rt_rib_set(struct rt_rib_batch *b, const struct rt_rib_route *r, bool kernel,
	   bool keep_gen)
{
	struct rt *rt = b->rt;
	struct rt_rib *rib = rt->rib;
	bool on = r->origin != RT_ORIG_NONE, was_on, is_on;
	unsigned int fam = r->family == AF_INET6;
	struct rt_fib_op *op;
	struct rt_rib_undo *u;
	struct rt_rib_ent *e;
	struct rt_rib_key k;
	uint16_t was_nh, is_nh;
	int32_t pos;

	if (rt_grow((void **)&b->log, &b->cap, b->n + 1, sizeof(*b->log)) < 0)
		return -ENOMEM;
	rt_rib_key_of(&k, r->family, r->addr, r->len);
	pos = rte_hash_lookup(rib->h, &k);
	if (pos < 0) {
		if (!on)
			return 0; /* nothing to remove */
		pos = rte_hash_add_key(rib->h, &k);
		if (pos < 0)
			return pos;
		e = &rib->ents[pos];
		memset(e, 0, sizeof(*e));
		memcpy(e->addr, k.addr, 16);
		e->family = r->family;
		e->len = r->len;
		rib->n++;
	}
	e = &rib->ents[pos];
	u = &b->log[b->n];
	u->old = *e;
	u->pos = (uint32_t)pos;
	u->fam = (uint8_t)fam;
	u->undone = false;
	u->alt_act = RT_ALT_NONE;
	u->got = on ? r->nh : RT_NHID_NOROUTE;

	was_on = rt_rib_eff(e, &was_nh);
	rt_rib_account(rib, e, -1);
	if (kernel) {
		u->put = e->k_on ? e->k_nh : RT_NHID_NOROUTE;
		e->k_on = on;
		e->k_nh = on ? r->nh : RT_NHID_NOROUTE;
		e->k_proto = r->proto;
		e->k_type = r->ktype;
		e->k_metric = on ? r->metric : 0;
		if (!keep_gen)
			e->k_gen = rib->gen;
	} else {
		u->put =
			e->c_origin != RT_ORIG_NONE ? e->c_nh : RT_NHID_NOROUTE;
		e->c_origin = r->origin;
		e->c_nh = on ? r->nh : RT_NHID_NOROUTE;
	}
	rt_rib_account(rib, e, +1);
	is_on = rt_rib_eff(e, &is_nh);

	if (was_on != is_on || was_nh != is_nh) {
		uint32_t i = b->n_ops[fam];

		if (i == b->cap_ops[fam]) {
			uint32_t nc = RTE_MAX(b->cap_ops[fam] * 2, 64u);
			void *q = realloc(b->ops[fam], nc * sizeof(*op));

			if (q == NULL)
				goto err_undo;
			b->ops[fam] = q;
			q = realloc(b->seq[fam], nc * sizeof(b->seq[fam][0]));
			if (q == NULL)
				goto err_undo;
			b->seq[fam] = q;
			b->cap_ops[fam] = nc;
		}
		op = &b->ops[fam][i];
		memset(op, 0, sizeof(*op));
		memcpy(op->addr, e->addr, 16);
		op->len = e->len;
		op->del = !is_on;
		op->nh = is_nh;
		b->seq[fam][i] = b->n;
		b->n_ops[fam]++;
		if (!was_on && is_on) {
			b->new_routes[fam]++;
			b->new_long[fam] +=
				rt_fib_tbl8_weight(e->family, e->len);
		}
	}
	b->n++;
	return 0;

err_undo:
	/* Logged as undone, so that the commit still looks at the prefix
	 * (a new one left empty goes); the caller keeps its reference. */
	rt_rib_account(rib, e, -1);
	*e = u->old;
	rt_rib_account(rib, e, +1);
	u->undone = true;
	u->put = u->got = RT_NHID_NOROUTE;
	b->n++;
	return -ENOMEM;
}

static void
rt_rib_undo(struct rt_rib_batch *b, struct rt_rib_undo *u)
{
	struct rt_rib *rib = b->rt->rib;
	struct rt_rib_ent *e = &rib->ents[u->pos];

	uint32_t cut = e->cut, alt = e->k_alt;
	struct rt_rib_alt a;

	rt_rib_account(rib, e, -1);
	*e = u->old;
	e->cut = cut;
	e->k_alt = alt; /* the list as it is; its change is undone below */
	rt_rib_account(rib, e, +1);
	if (u->alt_act == RT_ALT_DEMOTED &&
	    rt_alt_take(rib, e, u->alt.metric, &a))
		rt_nh_put(b->rt, a.nh);
	/* Back into the list, with the reference the change had taken. */
	if (u->alt_act == RT_ALT_PROMOTED && rt_alt_insert(rib, e, &u->alt) == 0)
		rt_nh_hold(b->rt, u->alt.nh);
	rt_nh_put(b->rt, u->got);
	u->undone = true;
	b->undone++;
}

/* A FIB op with the change that made it, for sorting. */
struct rt_rib_sop {
	struct rt_fib_op op;
	uint32_t seq;
};

static int
rt_rib_sop_cmp(const void *a, const void *b)
{
	const struct rt_rib_sop *x = a, *y = b;
	int c = memcmp(x->op.addr, y->op.addr, 16);

	if (c != 0)
		return c;
	if (x->op.len != y->op.len)
		return (int)x->op.len - (int)y->op.len;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/*
 * Sort a family's FIB ops by prefix, ops of one prefix in their order
 * (the later wins, as before).  rte_fib walks its RIB tree for every op:
 * in address order consecutive walks share most of their path in cache,
 * which makes a batch of random routes several times cheaper.  Without
 * memory for it the batch goes unsorted, which is as correct.
 */
static void
rt_rib_sort_ops(struct rt_rib_batch *b, unsigned int fam)
{
	uint32_t n = b->n_ops[fam], i;
	struct rt_rib_sop *s;

	if (n < 2)
		return;
	s = malloc((size_t)n * sizeof(*s));
	if (s == NULL)
		return;
	for (i = 0; i < n; i++) {
		s[i].op = b->ops[fam][i];
		s[i].seq = b->seq[fam][i];
	}
	qsort(s, n, sizeof(*s), rt_rib_sop_cmp);
	for (i = 0; i < n; i++) {
		b->ops[fam][i] = s[i].op;
		b->seq[fam][i] = s[i].seq;
	}
	free(s);
}

/*
 * Apply the batch to the FIBs, one rt_fib_apply() per family; then drop
 * the next hops of what was replaced and forget prefixes left without a
 * route.  What a FIB could not take is undone in the RIB (b->undone counts
 * it, *undone may take it) and its error returned; the rest stays
 * applied.  Frees the batch.
 */
static int
rt_rib_commit(struct rt_rib_batch *b, uint32_t *undone)
{
	struct rt *rt = b->rt;
	struct rt_rib *rib = rt->rib;
	unsigned int fam, done;
	uint32_t i, j;
	int rc = 0, r;

	for (fam = 0; fam < 2; fam++) {
		struct rt_fib *f = fam == 0 ? &rt->fib4 : &rt->fib6;
		uint32_t n = b->n_ops[fam];

		if (n == 0)
			continue;
		done = 0;
		rt_rib_sort_ops(b, fam);
		r = rt_fib_reserve(f, b->new_routes[fam], b->new_long[fam]);
		if (r == 0)
			r = rt_fib_apply(f, b->ops[fam], n, &done);
		/* done == n with an error: every op is in the active table,
		 * only the standby's rebuild failed (fib.c retries it). */
		if (done >= n)
			continue;
		if (r == 0)
			r = -EIO;
		if (rc == 0)
			rc = r;
		/* The FIB took ops[0..done).  A prefix's ops are in their
		 * order (sorted or not): undo, newest first, every change of a
		 * prefix from its first op the FIB did not take on. */
		for (j = done; j < n; j++) {
			struct rt_rib_ent *e =
				&rib->ents[b->log[b->seq[fam][j]].pos];

			if (e->cut == 0 || e->cut > b->seq[fam][j] + 1)
				e->cut = b->seq[fam][j] + 1;
		}
		for (i = b->n; i-- > 0;) {
			struct rt_rib_undo *u = &b->log[i];
			const struct rt_rib_ent *e = &rib->ents[u->pos];

			if (u->fam == fam && !u->undone && e->cut != 0 &&
			    i + 1 >= e->cut)
				rt_rib_undo(b, u);
		}
		for (j = done; j < n; j++)
			rib->ents[b->log[b->seq[fam][j]].pos].cut = 0;
	}
	for (i = 0; i < b->n; i++)
		if (!b->log[i].undone)
			rt_nh_put(rt, b->log[i].put);
	for (i = 0; i < b->n; i++) {
		struct rt_rib_ent *e = &rib->ents[b->log[i].pos];
		struct rt_rib_key k;

		if (e->family == 0 || e->c_origin != RT_ORIG_NONE || e->k_on)
			continue;
		rt_rib_key_of(&k, e->family, e->addr, e->len);
		rte_hash_del_key(rib->h, &k);
		e->family = 0;
		rib->n--;
	}
	if (undone != NULL)
		*undone = b->undone;
	rt_rib_batch_fini(b);
	return rc;
}

/* ---- routes -------------------------------------------------------------- */

/* The next-hop id of r (a reference taken). */
static int
rt_nh_of_route(struct rt *rt, const struct rt_route_config *r, uint16_t *id,
	       char *err, size_t errlen)
{
	uint16_t members[RT_NH_GROUP_MAX];
	uint8_t family = r->prefix.family;
	unsigned int i, j;
	char s[INET6_ADDRSTRLEN];
	int rc = 0, ifi;

	switch (r->type) {
	case RT_ROUTE_BLACKHOLE:
		*id = RT_NHID_BLACKHOLE;
		return 0;
	case RT_ROUTE_UNREACHABLE:
		*id = RT_NHID_UNREACH;
		return 0;
	default:
		break;
	}
	if (r->n_nh == 0 || r->n_nh > RT_NH_GROUP_MAX) {
		snprintf(err, errlen, "a route takes 1 to %d next hops",
			 RT_NH_GROUP_MAX);
		return -EINVAL;
	}
	for (i = 0; i < r->n_nh; i++) {
		const struct rt_nexthop_config *nh = &r->nh[i];

		if (nh->iface[0] != '\0') {
			ifi = vnf_iface_index(rt->vi, nh->iface);
			if (ifi < 0) {
				snprintf(err, errlen, "no iface %s", nh->iface);
				rc = -ENOENT;
				goto err_put;
			}
		} else if (nh->has_via) {
			ifi = rt_iface_for_gw(rt, family, nh->via.addr);
			if (ifi < 0) {
				rt_addr_str(family, nh->via.addr, s, sizeof(s));
				snprintf(err, errlen,
					 "gateway %s is not on a connected "
					 "subnet (give its iface)", s);
				rc = -ENETUNREACH;
				goto err_put;
			}
		} else {
			snprintf(err, errlen, "a next hop needs via or iface");
			rc = -EINVAL;
			goto err_put;
		}
		if (nh->has_via) {
			if (nh->via.family != family) {
				snprintf(err, errlen,
					 "gateway and prefix families differ");
				rc = -EINVAL;
				goto err_put;
			}
			if (rt_is_own_addr(rt, family, nh->via.addr)) {
				rt_addr_str(family, nh->via.addr, s, sizeof(s));
				snprintf(err, errlen,
					 "gateway %s is an address of the router",
					 s);
				rc = -EINVAL;
				goto err_put;
			}
			rc = rt_nh_get_gw(rt, family, (uint16_t)ifi,
					  nh->via.addr, &members[i]);
		} else {
			rc = rt_nh_get_connected(rt, family, (uint16_t)ifi,
						 &members[i]);
		}
		if (rc < 0) {
			snprintf(err, errlen, "next hops: %s", strerror(-rc));
			goto err_put;
		}
	}
	if (r->n_nh == 1) {
		*id = members[0];
		return 0;
	}
	rc = rt_nh_get_group(rt, members, r->n_nh, id);
	for (j = 0; j < r->n_nh; j++)
		rt_nh_put(rt, members[j]);
	if (rc < 0)
		snprintf(err, errlen, "multipath group: %s", strerror(-rc));
	return rc;

err_put:
	for (j = 0; j < i; j++)
		rt_nh_put(rt, members[j]);
	return rc;
}

static int
rt_family_check(struct rt *rt, uint8_t family, char *err, size_t errlen)
{
	if (family == AF_INET6 && !rt->v6) {
		snprintf(err, errlen, "IPv6 is off: no iface has an IPv6 address");
		return -EAFNOSUPPORT;
	}
	return 0;
}

/* The config side's route of a prefix, if any (e may be NULL). */
static bool
rt_rib_has_config(const struct rt_rib_ent *e)
{
	return e != NULL && e->c_origin != RT_ORIG_NONE;
}

/* May route add/del touch this config-side route?  Not an iface's own. */
static bool
rt_rib_is_own(const struct rt *rt, const struct rt_rib_ent *e)
{
	return e->c_origin != RT_ORIG_CONFIG ||
	       rt_is_iface_subnet(rt, e->family, e->addr, e->len);
}

int
rt_route_add(struct rt *rt, const struct rt_route_config *r, bool replace,
	     char *err, size_t errlen)
{
	const struct ctl_prefix *p = &r->prefix;
	struct rt_rib_route rr = {0};
	struct rt_rib_batch b;
	const struct rt_rib_ent *e;
	char ps[INET6_ADDRSTRLEN + 8];
	uint16_t id;
	int rc;

	rc = rt_family_check(rt, p->family, err, errlen);
	if (rc < 0)
		return rc;
	rt_prefix_str(p->family, p->addr, p->len, ps, sizeof(ps));
	rc = rt_rib_batch_init(&b, rt, 1);
	if (rc < 0)
		goto err_table;
	/* A kernel route of the prefix is no obstacle: it goes behind. */
	e = rt_rib_find(rt, p->family, p->addr, p->len);
	if (rt_rib_has_config(e) && rt_rib_is_own(rt, e)) {
		rt_rib_batch_fini(&b);
		snprintf(err, errlen, "%s is an iface's own route", ps);
		return -EPERM;
	}
	if (rt_rib_has_config(e) && !replace) {
		rt_rib_batch_fini(&b);
		snprintf(err, errlen, "%s exists (replace it with \"replace\")",
			 ps);
		return -EEXIST;
	}
	rc = rt_nh_of_route(rt, r, &id, err, errlen);
	if (rc < 0) {
		rt_rib_batch_fini(&b);
		return rc;
	}
	rr.family = p->family;
	rr.len = p->len;
	memcpy(rr.addr, p->addr, 16);
	rr.origin = RT_ORIG_CONFIG;
	rr.nh = id;
	rc = rt_rib_set(&b, &rr, false, false);
	if (rc < 0)
		rt_nh_put(rt, id);
	if (rc < 0 || (rc = rt_rib_commit(&b, NULL)) < 0)
		goto err_table;
	return 0;

err_table:
	if (b.rt != NULL)
		rt_rib_commit(&b, NULL);
	snprintf(err, errlen, "%s: route table: %s", ps, strerror(-rc));
	return rc;
}

int
rt_route_del(struct rt *rt, const struct ctl_prefix *p, char *err,
	     size_t errlen)
{
	struct rt_rib_route rr = {0};
	struct rt_rib_batch b;
	const struct rt_rib_ent *e;
	char ps[INET6_ADDRSTRLEN + 8];
	int rc;

	rc = rt_family_check(rt, p->family, err, errlen);
	if (rc < 0)
		return rc;
	rt_prefix_str(p->family, p->addr, p->len, ps, sizeof(ps));
	e = rt_rib_find(rt, p->family, p->addr, p->len);
	if (!rt_rib_has_config(e)) {
		if (e != NULL && e->k_on) {
			snprintf(err, errlen,
				 "%s is the kernel's route (delete it in the "
				 "mirror's netns)",
				 ps);
			return -EPERM;
		}
		snprintf(err, errlen, "no route %s", ps);
		return -ENOENT;
	}
	if (rt_rib_is_own(rt, e)) {
		snprintf(err, errlen, "%s is an iface's own route", ps);
		return -EPERM;
	}
	rc = rt_rib_batch_init(&b, rt, 0);
	if (rc == 0) {
		rr.family = p->family;
		rr.len = p->len;
		memcpy(rr.addr, p->addr, 16);
		rr.origin = RT_ORIG_NONE;
		rc = rt_rib_set(&b, &rr, false, false);
		if (rc == 0)
			rc = rt_rib_commit(&b, NULL);
		else
			rt_rib_commit(&b, NULL);
	}
	if (rc < 0) {
		snprintf(err, errlen, "%s: route table: %s", ps, strerror(-rc));
		return rc;
	}
	return 0;
}

static int
rt_op_add(struct rt_fib_op *ops, unsigned int *n, unsigned int max,
	  const uint8_t *addr, uint8_t len, uint16_t nh)
{
	if (*n == max)
		return -E2BIG;
	memset(&ops[*n], 0, sizeof(ops[0]));
	memcpy(ops[*n].addr, addr, 16);
	ops[*n].len = len;
	ops[*n].nh = nh;
	(*n)++;
	return 0;
}

static void
rt_ops_put(struct rt *rt, const struct rt_fib_op *ops, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		rt_nh_put(rt, ops[i].nh);
}

int
rt_routes_connected(struct rt *rt, char *err, size_t errlen)
{
	struct rt_fib_op ops4[VNF_MAX_IFACES * RT_ADDR_MAX * 3 + 2];
	struct rt_fib_op ops6[VNF_MAX_IFACES * RT_ADDR_MAX * 2];
	unsigned int n4 = 0, n6 = 0, i, j, fam;
	struct rt_rib_batch b;
	uint8_t a[16];
	uint16_t id;
	int rc;

	for (i = 0; i < rt->n_ifaces; i++) {
		const struct rt_iface *f = &rt->ifaces[i];

		for (j = 0; j < f->n4; j++) {
			const struct rt_addr4 *x = &f->v4[j];
			rte_be32_t net = x->addr & x->mask;

			memset(a, 0, sizeof(a));
			if (x->len < 32) {
				memcpy(a, &net, 4);
				rc = rt_nh_get_connected(rt, AF_INET,
							 (uint16_t)i, &id);
				if (rc < 0)
					goto err_put;
				rt_op_add(ops4, &n4, RTE_DIM(ops4), a, x->len, id);
			}
			memcpy(a, &x->addr, 4);
			rt_op_add(ops4, &n4, RTE_DIM(ops4), a, 32,
				  RT_NHID_LOCAL);
			if (x->len <= 30) {
				rte_be32_t bc = x->addr | ~x->mask;

				memcpy(a, &bc, 4);
				rt_op_add(ops4, &n4, RTE_DIM(ops4), a, 32,
					  RT_NHID_BCAST);
			}
		}
		for (j = 0; j < f->n6; j++) {
			const struct rt_addr6 *x = &f->v6[j];

			if (x->len < 128) {
				memcpy(a, x->addr, 16);
				rt_mask(a, x->len, 16);
				rc = rt_nh_get_connected(rt, AF_INET6,
							 (uint16_t)i, &id);
				if (rc < 0)
					goto err_put;
				rt_op_add(ops6, &n6, RTE_DIM(ops6), a, x->len,
					  id);
			}
			rt_op_add(ops6, &n6, RTE_DIM(ops6), x->addr, 128,
				  RT_NHID_LOCAL);
		}
	}
	memset(a, 0, sizeof(a));
	a[0] = 224;
	rt_op_add(ops4, &n4, RTE_DIM(ops4), a, 4, RT_NHID_MCAST);
	memset(a, 0xff, 4);
	rt_op_add(ops4, &n4, RTE_DIM(ops4), a, 32, RT_NHID_BCAST);

	/* Two ifaces on one subnet would make the second route replace the
	 * first one silently. */
	for (i = 0; i < n4; i++)
		for (j = 0; j < i; j++)
			if (ops4[i].len == ops4[j].len &&
			    !memcmp(ops4[i].addr, ops4[j].addr, 4)) {
				char s[INET6_ADDRSTRLEN + 8];

				rt_prefix_str(AF_INET, ops4[i].addr,
					      ops4[i].len, s, sizeof(s));
				snprintf(err, errlen,
					 "vnf %s: %s is on two ifaces (or is "
					 "reserved)", rt->vi->name, s);
				rt_ops_put(rt, ops4, n4);
				rt_ops_put(rt, ops6, n6);
				return -EINVAL;
			}
	for (i = 0; i < n6; i++)
		for (j = 0; j < i; j++)
			if (ops6[i].len == ops6[j].len &&
			    !memcmp(ops6[i].addr, ops6[j].addr, 16)) {
				char s[INET6_ADDRSTRLEN + 8];

				rt_prefix_str(AF_INET6, ops6[i].addr,
					      ops6[i].len, s, sizeof(s));
				snprintf(err, errlen, "vnf %s: %s is on two ifaces",
					 rt->vi->name, s);
				rt_ops_put(rt, ops4, n4);
				rt_ops_put(rt, ops6, n6);
				return -EINVAL;
			}
	rc = rt_rib_batch_init(&b, rt, n4 + n6);
	if (rc < 0)
		goto err_put;
	for (fam = 0; fam < 2; fam++) {
		const struct rt_fib_op *ops = fam == 0 ? ops4 : ops6;
		unsigned int n = fam == 0 ? n4 : n6;

		for (i = 0; i < n; i++) {
			struct rt_rib_route rr = {0};
			uint8_t t = rt->nh[ops[i].nh].type;

			rr.family = fam == 0 ? AF_INET : AF_INET6;
			rr.len = ops[i].len;
			memcpy(rr.addr, ops[i].addr, 16);
			rr.origin = t == RT_NH_CONNECTED ? RT_ORIG_CONNECTED
							 : RT_ORIG_LOCAL;
			rr.nh = ops[i].nh;
			rc = rt_rib_set(&b, &rr, false, false);
			if (rc < 0) {
				/* this one and the rest are still ours */
				rt_ops_put(rt, ops + i, n - i);
				if (fam == 0)
					rt_ops_put(rt, ops6, n6);
				rt_rib_commit(&b, NULL);
				goto err;
			}
		}
	}
	rc = rt_rib_commit(&b, NULL);
	if (rc < 0)
		goto err;
	return 0;
err_put:
	rt_ops_put(rt, ops4, n4);
	rt_ops_put(rt, ops6, n6);
err:
	snprintf(err, errlen, "vnf %s: connected routes: %s", rt->vi->name,
		 strerror(-rc));
	return rc;
}

/* ---- route files --------------------------------------------------------- */

struct rt_load_ent {
	struct ctl_prefix prefix;
	uint8_t type;		/* enum rt_route_type */
	uint8_t n_nh;
	uint32_t line;
	uint32_t nh_off;	/* into the shared next-hop array */
	uint16_t id;		/* the next hop, once resolved */
};

struct rt_load {
	struct rt_load_ent *e;
	size_t n, cap;
	struct rt_nexthop_config *nh;
	size_t n_nh, cap_nh;
};

static int
rt_load_grow(void **p, size_t *cap, size_t need, size_t esz)
{
	void *q;
	size_t nc;

	if (need <= *cap)
		return 0;
	nc = *cap ? *cap * 2 : 4096;
	while (nc < need)
		nc *= 2;
	q = realloc(*p, nc * esz);
	if (q == NULL)
		return -ENOMEM;
	*p = q;
	*cap = nc;
	return 0;
}

/*
 * One line of a route file:
 *   PREFIX via ADDR [dev IFACE] [via ADDR [dev IFACE]]...   (ECMP)
 *   PREFIX dev IFACE
 *   blackhole|unreachable PREFIX
 * Its words fill a raw route, which rt_route_parse() checks as it checks
 * a route of the config.  0, 1 (empty), or -errno with the error (FILE:LINE:
 * ...) reported through c.
 */
static int
rt_load_line(struct rt_load *L, struct ctl_cfg *c,
	     const struct ctl_vnf_config *v, char *line, uint32_t lineno)
{
	char *tok[2 + 4 * RT_NH_GROUP_MAX + 2], *save = NULL, *t, *hash;
	struct rt_raw_nexthop hops[RT_NH_GROUP_MAX], *cur = NULL;
	struct rt_raw_route raw = {0};
	struct rt_route_config r;
	struct rt_load_ent *e;
	unsigned int nt = 0, i = 0, n_nh = 0;
	int rc;

	hash = strchr(line, '#');
	if (hash != NULL)
		*hash = '\0';
	for (t = strtok_r(line, " \t\r\n", &save); t != NULL;
	     t = strtok_r(NULL, " \t\r\n", &save)) {
		if (nt == RTE_DIM(tok))
			return ctl_cfg_fail(c, NULL, NULL, "too many words");
		tok[nt++] = t;
	}
	if (nt == 0)
		return 1;
	ctl_cfg_line_set(c, lineno);
	if (strcmp(tok[0], "blackhole") == 0 || strcmp(tok[0], "unreachable") == 0) {
		if (nt != 2)
			return ctl_cfg_fail(c, NULL, NULL,
					    "usage: blackhole|unreachable PREFIX");
		raw.type = tok[0];
		i = 1;
	}
	raw.prefix = tok[i];
	/* Words come in pairs: KEYWORD VALUE.  A `dev` after a `via` is that
	 * gateway's iface; any other starts a next hop. */
	for (i++; i < nt; i += 2) {
		bool via = strcmp(tok[i], "via") == 0;

		if (!via && strcmp(tok[i], "dev") != 0)
			return ctl_cfg_fail(c, NULL, NULL,
					    "word %u is not via or dev", i + 1);
		if (i + 1 >= nt)
			return ctl_cfg_fail(c, NULL, NULL,
					    "word %u has no value after it", i + 1);
		if (via || cur == NULL || cur->iface != NULL) {
			if (n_nh == RT_NH_GROUP_MAX)
				return ctl_cfg_fail(c, NULL, NULL,
						    "more than %d next hops",
						    RT_NH_GROUP_MAX);
			cur = &hops[n_nh++];
			memset(cur, 0, sizeof(*cur));
		}
		if (via)
			cur->via = tok[i + 1];
		else
			cur->iface = tok[i + 1];
	}
	if (n_nh == 1) {
		raw.via = hops[0].via;
		raw.iface = hops[0].iface;
	} else if (n_nh > 1) {
		raw.nexthops = hops;
		raw.nexthops_count = n_nh;
	}
	rc = rt_route_parse(c, "", &raw, v, &r);
	if (rc == 0 && (rt_load_grow((void **)&L->e, &L->cap, L->n + 1,
				     sizeof(*L->e)) ||
			rt_load_grow((void **)&L->nh, &L->cap_nh,
				     L->n_nh + r.n_nh, sizeof(*L->nh))))
		rc = ctl_cfg_oom(c);
	if (rc < 0) {
		rt_route_config_clear(&r);
		return rc;
	}
	e = &L->e[L->n];
	memset(e, 0, sizeof(*e));
	e->prefix = r.prefix;
	e->type = (uint8_t)r.type;
	e->line = lineno;
	e->nh_off = (uint32_t)L->n_nh;
	e->n_nh = (uint8_t)r.n_nh;
	if (r.n_nh)
		memcpy(&L->nh[L->n_nh], r.nh, r.n_nh * sizeof(*r.nh));
	rt_route_config_clear(&r);
	L->n_nh += e->n_nh;
	L->n++;
	return 0;
}

static int
rt_load_cmp(const void *a, const void *b)
{
	const struct rt_load_ent *x = *(const struct rt_load_ent *const *)a;
	const struct rt_load_ent *y = *(const struct rt_load_ent *const *)b;
	int c;

	if (x->prefix.family != y->prefix.family)
		return (int)x->prefix.family - (int)y->prefix.family;
	c = memcmp(x->prefix.addr, y->prefix.addr, 16);
	if (c != 0)
		return c;
	if (x->prefix.len != y->prefix.len)
		return (int)x->prefix.len - (int)y->prefix.len;
	return x->line < y->line ? -1 : 1;
}

int
rt_routes_load(struct rt *rt, const char *path, bool replace,
	       unsigned int *n_loaded, char *err, size_t errlen)
{
	struct rt_load L = {0};
	struct rt_load_ent **sorted = NULL;
	struct rt_rib_batch b;
	struct ctl_vnf_config view;
	struct ctl_cfg *c = NULL;
	char *buf = NULL, *line, *next, lerr[160], ps[INET6_ADDRSTRLEN + 8];
	size_t len, i, resolved = 0;
	uint32_t lineno = 0, set, undone, total = 0;
	int rc = 0, rc2;

	*n_loaded = 0;
	if (vnf_config_view(rt->vi, &view) < 0) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	rc = ctl_cfg_line_open(path, 0, err, errlen, &c);
	if (rc < 0) {
		vnf_config_view_free(&view);
		return rc;
	}
	/* The one bounded reader (control/files.h): /dev/zero or a FIFO
	 * must not grow memory or block the control thread. */
	rc = ctl_file_read(path, CTL_FILE_ROUTES_MAX, &buf, &len, lerr,
			   sizeof(lerr));
	if (rc < 0) {
		snprintf(err, errlen, "%s: %s", path, lerr);
		goto out;
	}
	for (line = buf; line < buf + len; line = next) {
		char *nl = memchr(line, '\n', (size_t)(buf + len - line));

		next = nl != NULL ? nl + 1 : buf + len;
		if (nl != NULL)
			*nl = '\0';
		lineno++;
		rc = rt_load_line(&L, c, &view, line, lineno);
		if (rc < 0)
			break;
		if (rc == 0 && rt_family_check(rt, L.e[L.n - 1].prefix.family,
					       lerr, sizeof(lerr)) < 0) {
			snprintf(err, errlen, "%s:%u: %s", path, lineno, lerr);
			rc = -EAFNOSUPPORT;
			break;
		}
		rc = 0;
	}
	free(buf);
	buf = NULL;
	if (rc < 0)
		goto out;

	/* A prefix twice would make the result depend on the order. */
	sorted = malloc((L.n + 1) * sizeof(*sorted));
	if (sorted == NULL) {
		rc = -ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	for (i = 0; i < L.n; i++)
		sorted[i] = &L.e[i];
	qsort(sorted, L.n, sizeof(*sorted), rt_load_cmp);
	for (i = 1; i < L.n; i++)
		if (sorted[i - 1]->prefix.family == sorted[i]->prefix.family &&
		    sorted[i - 1]->prefix.len == sorted[i]->prefix.len &&
		    !memcmp(sorted[i - 1]->prefix.addr, sorted[i]->prefix.addr,
			    16)) {
			rc = -EINVAL;
			snprintf(err, errlen, "%s:%u: prefix given twice (line %u)",
				 path, sorted[i]->line, sorted[i - 1]->line);
			goto out;
		}

	/* What exists, and may it be replaced?  A kernel route of the prefix
	 * is no obstacle: it goes behind. */
	for (i = 0; i < L.n; i++) {
		struct rt_load_ent *e = &L.e[i];
		const struct rt_rib_ent *re = rt_rib_find(
			rt, e->prefix.family, e->prefix.addr, e->prefix.len);

		if (!rt_rib_has_config(re))
			continue;
		rt_prefix_str(e->prefix.family, e->prefix.addr, e->prefix.len,
			      ps, sizeof(ps));
		if (rt_rib_is_own(rt, re)) {
			rc = -EPERM;
			snprintf(err, errlen, "%s:%u: %s is an iface's own route",
				 path, e->line, ps);
			goto out;
		}
		if (!replace) {
			rc = -EEXIST;
			snprintf(err, errlen, "%s:%u: %s exists", path, e->line,
				 ps);
			goto out;
		}
	}

	/* Next hops (references taken). */
	for (i = 0; i < L.n; i++) {
		struct rt_load_ent *e = &L.e[i];
		struct rt_route_config r = {
			.prefix = e->prefix,
			.type = (enum rt_route_type)e->type,
			.nh = &L.nh[e->nh_off],
			.n_nh = e->n_nh,
		};

		rc = rt_nh_of_route(rt, &r, &e->id, lerr, sizeof(lerr));
		if (rc < 0) {
			snprintf(err, errlen, "%s:%u: %s", path, e->line, lerr);
			goto out;
		}
		resolved = i + 1;
	}

	/* Apply: one batch, one FIB change per family. */
	rc = rt_rib_batch_init(&b, rt, (uint32_t)L.n);
	if (rc < 0) {
		snprintf(err, errlen, "%s: route table: %s", path,
			 strerror(-rc));
		goto out;
	}
	for (i = 0; i < L.n; i++) {
		struct rt_load_ent *e = &L.e[i];
		struct rt_rib_route rr = {0};

		rr.family = e->prefix.family;
		rr.len = e->prefix.len;
		memcpy(rr.addr, e->prefix.addr, 16);
		rr.origin = RT_ORIG_CONFIG;
		rr.nh = e->id;
		rc = rt_rib_set(&b, &rr, false, false);
		if (rc < 0)
			break;
	}
	/* From i on the references are still ours: put at out. */
	set = (uint32_t)i;
	for (; i < L.n; i++)
		L.e[i - set].id = L.e[i].id;
	resolved = L.n - set;
	rc2 = rt_rib_commit(&b, &undone);
	total = set - undone;
	if (rc < 0 || rc2 < 0) {
		if (rc == 0)
			rc = rc2;
		snprintf(err, errlen, "%s: route table: %s (%u routes applied)",
			 path, strerror(-rc), total);
	}
out:
	for (i = 0; i < resolved; i++)
		rt_nh_put(rt, L.e[i].id);
	*n_loaded = total;
	free(sorted);
	free(L.e);
	free(L.nh);
	ctl_cfg_close(c, NULL, NULL);
	vnf_config_view_free(&view);
	return rc;
}

/* ---- kernel routes (router.h, "the kernel mirror") -------------------------
 */

static struct rt *
rt_from(const struct vnf_instance *vi)
{
	return vnf_router_is(vi) ? vi->priv : NULL;
}

/*
 * The next hop of a unicast kernel route (a reference taken).  No check
 * that a gateway is on a connected subnet: the kernel gives the iface.
 * Weights become repeated members of the group when their sum fits in a
 * group (RT_NH_GROUP_MAX), else every member counts once.
 */
static int
rt_kroute_nh(struct rt *rt, const struct vnf_router_kroute *k, const char *ps,
	     uint16_t *id, char *err, size_t errlen)
{
	uint16_t members[RT_NH_GROUP_MAX];
	unsigned int i, j, nm = 0, wsum = 0, reps;
	int rc = 0;

	if (k->n_nh == 0 || k->n_nh > VNF_ROUTER_NH_MAX) {
		snprintf(err, errlen, "%s: %u next hops (1 to %d)", ps, k->n_nh,
			 VNF_ROUTER_NH_MAX);
		return -EINVAL;
	}
	for (i = 0; i < k->n_nh; i++)
		wsum += RTE_MAX(k->nh[i].weight, 1);
	for (i = 0; i < k->n_nh; i++) {
		const struct vnf_router_nh *h = &k->nh[i];
		uint16_t one;

		if (h->iface >= rt->n_ifaces) {
			snprintf(err, errlen, "%s: iface %u out of range", ps,
				 h->iface);
			rc = -ENODEV;
			goto err_put;
		}
		/* A member by a down iface is left out, as link down takes
		 * it out of a group (rt_rib_iface_down()). */
		if (rt_iface_down(&rt->ifaces[h->iface]))
			continue;
		rc = h->has_gw ? rt_nh_get_gw(rt, k->family, h->iface, h->gw,
					      &one)
			       : rt_nh_get_connected(rt, k->family, h->iface,
						     &one);
		if (rc < 0) {
			snprintf(err, errlen, "%s: next hops: %s", ps,
				 strerror(-rc));
			goto err_put;
		}
		members[nm++] = one;
		reps = k->n_nh > 1 && wsum <= RT_NH_GROUP_MAX
			       ? RTE_MAX(h->weight, 1)
			       : 1;
		for (j = 1; j < reps; j++) {
			rt_nh_hold(rt, one);
			members[nm++] = one;
		}
	}
	if (nm == 0) {
		snprintf(err, errlen, "%s: iface %s is down", ps,
			 rt->vi->ifaces[k->nh[0].iface].name);
		return -ENETDOWN;
	}
	if (nm == 1) {
		*id = members[0];
		return 0;
	}
	rc = rt_nh_get_group(rt, members, nm, id);
	if (rc < 0)
		snprintf(err, errlen, "%s: multipath group: %s", ps,
			 strerror(-rc));
err_put:
	for (j = 0; j < nm; j++)
		rt_nh_put(rt, members[j]);
	return rc;
}

/*
 * Remove the forwarded kernel route of e (prefix in r): the lowest standby
 * route takes its place if there is one, keeping its own generation.
 * keep_gen as rt_rib_set().  0 or -errno.
 */
static int
rt_kroute_remove(struct rt *rt, struct rt_rib_batch *b, struct rt_rib_route *r,
		 struct rt_rib_ent *e, bool keep_gen)
{
	struct rt_rib_undo *u;
	struct rt_rib_alt a;
	int rc;

	if (e == NULL || !rt_alt_take(rt->rib, e, UINT64_MAX, &a)) {
		r->origin = RT_ORIG_NONE;
		return rt_rib_set(b, r, true, keep_gen);
	}
	r->origin = RT_ORIG_KERNEL;
	r->nh = a.nh;
	r->proto = a.proto;
	r->ktype = a.type;
	r->metric = a.metric;
	rc = rt_rib_set(b, r, true, true);
	if (rc < 0) {
		/* A node was freed just now: this cannot fail. */
		rt_alt_insert(rt->rib, e, &a);
		return rc;
	}
	e->k_gen = a.gen;
	u = &b->log[b->n - 1];
	u->alt_act = RT_ALT_PROMOTED;
	u->alt = a;
	return 0;
}

/* Drop e's standby routes that `drop` says go (a is one of them), with
 * their references.  How many. */
static unsigned int
rt_alt_drop(struct rt *rt, struct rt_rib_ent *e,
	    bool (*drop)(const struct rt_rib_alt *a, const void *arg),
	    const void *arg)
{
	struct rt_rib *rib = rt->rib;
	unsigned int n = 0;
	uint32_t i = e->k_alt;
	struct rt_rib_alt a;

	while (i != 0) {
		uint32_t next = rib->alt[i].next;

		if (drop(&rib->alt[i], arg) &&
		    rt_alt_take(rib, e, rib->alt[i].metric, &a)) {
			rt_nh_put(rt, a.nh);
			n++;
		}
		i = next;
	}
	return n;
}

/* One op of vnf_router_kroutes_apply() into the batch.  0 or -errno with
 * the reason in err. */
static int
rt_kroute_one(struct rt *rt, struct rt_rib_batch *b,
	      const struct vnf_router_kroute *k, char *err, size_t errlen)
{
	struct rt_rib_route r = {0};
	char ps[INET6_ADDRSTRLEN + 8];
	bool v6 = k->family == AF_INET6, demoting = false;
	struct rt_rib_alt demote;
	struct rt_rib_ent *e;
	int rc;

	if (k->family != AF_INET && !v6) {
		snprintf(err, errlen, "address family %u", k->family);
		return -EAFNOSUPPORT;
	}
	if (k->len > (v6 ? 128 : 32)) {
		snprintf(err, errlen, "prefix length %u", k->len);
		return -EINVAL;
	}
	r.family = k->family;
	r.len = k->len;
	memcpy(r.addr, k->addr, v6 ? 16 : 4);
	rt_mask(r.addr, r.len, 16);
	rt_prefix_str(r.family, r.addr, r.len, ps, sizeof(ps));
	if (v6 && !rt_rib_v6(rt)) {
		snprintf(err, errlen,
			 "%s: IPv6 is off: no iface has an IPv6 address", ps);
		return -EAFNOSUPPORT;
	}
	e = rt_rib_find(rt, r.family, r.addr, r.len);
	if (e != NULL && !e->k_on)
		e = NULL; /* only a config-side route: as if none */
	if (k->del) {
		if (e != NULL && e->k_metric != k->metric) {
			/* A standby route (or none) of that metric. */
			if (rt_alt_take(rt->rib, e, k->metric, &demote))
				rt_nh_put(rt, demote.nh);
			return 0;
		}
		rc = rt_kroute_remove(rt, b, &r, e, false);
		goto out;
	}
	r.origin = RT_ORIG_KERNEL;
	r.proto = k->proto;
	r.ktype = k->type;
	r.metric = k->metric;
	switch (k->type) {
	case VNF_RT_BLACKHOLE:
		r.nh = RT_NHID_BLACKHOLE;
		break;
	case VNF_RT_UNREACHABLE:
	case VNF_RT_PROHIBIT:
		/* docs/router.md: prohibit is forwarded as unreachable (ICMP
		 * host unreachable), and shown as prohibit. */
		r.nh = RT_NHID_UNREACH;
		break;
	case VNF_RT_UNICAST:
		rc = rt_kroute_nh(rt, k, ps, &r.nh, err, errlen);
		if (rc < 0)
			return rc;
		break;
	default:
		snprintf(err, errlen, "%s: route type %u", ps, k->type);
		return -EINVAL;
	}
	if (e != NULL && k->metric > e->k_metric) {
		/* Behind the forwarded route: a standby one, replacing the
		 * standby route of that metric. */
		struct rt_rib_alt a = {.metric = k->metric,
				       .gen = rt->rib->gen,
				       .nh = r.nh,
				       .proto = r.proto,
				       .type = r.ktype};

		if (rt_alt_take(rt->rib, e, k->metric, &demote))
			rt_nh_put(rt, demote.nh);
		rc = rt_alt_insert(rt->rib, e, &a);
		if (rc < 0)
			rt_nh_put(rt, r.nh);
		goto out;
	}
	if (e != NULL && k->metric < e->k_metric) {
		/* The forwarded route goes behind the new one. */
		demote = (struct rt_rib_alt){.metric = e->k_metric,
					     .gen = e->k_gen,
					     .nh = e->k_nh,
					     .proto = e->k_proto,
					     .type = e->k_type};
		demoting = true;
	}
	rc = rt_rib_set(b, &r, true, false);
	if (rc < 0) {
		rt_nh_put(rt, r.nh);
		goto out;
	}
	/* Out of memory for the list: the old route is forgotten rather
	 * than the new one refused (it comes back with the next resync). */
	if (demoting && rt_alt_insert(rt->rib, e, &demote) == 0) {
		struct rt_rib_undo *u = &b->log[b->n - 1];

		rt_nh_hold(rt, demote.nh);
		u->alt_act = RT_ALT_DEMOTED;
		u->alt = demote;
	}
out:
	if (rc < 0)
		snprintf(err, errlen, "%s: route table: %s", ps, strerror(-rc));
	return rc;
}

/*
 * Before the first kernel routes of a family: size its tables for
 * `mirror.max_routes` (IPv4 that many, IPv6 a fifth, the Internet's
 * ratio), so that a full table loads without rebuilding them on the way
 * (docs/router.md, "Memory").  Best effort: without the memory the
 * tables grow as routes come, as without the hint.
 */
static void
rt_rib_presize(struct rt *rt)
{
	const struct vnf_router_mirror_config *mc =
		vnf_router_mirror_config(rt->vi);
	struct rt_rib *rib = rt_rib_get(rt);
	uint64_t want_all;
	unsigned int fam;

	if (rib == NULL || mc == NULL || mc->max_routes == 0)
		return;
	for (fam = 0; fam < 2; fam++) {
		struct rt_fib *f = fam == 0 ? &rt->fib4 : &rt->fib6;
		uint32_t want = fam == 0 ? mc->max_routes : mc->max_routes / 5;
		uint64_t w8 = rt_fib_tbl8_for(fam == 0 ? AF_INET : AF_INET6,
					      want);

		if (rib->sized[fam] || f->tbl[0] == NULL)
			continue;
		rib->sized[fam] = true;
		if (want > f->n_routes)
			rt_fib_reserve(f, want - f->n_routes,
				       w8 > f->n_long ? (uint32_t)RTE_MIN(
								w8 - f->n_long,
								UINT32_MAX)
						      : 0);
	}
	/* The prefix table for all of them (it is called before every
	 * batch: ask for the total, not for that many more than there are
	 * — which doubled the table, seconds of work, at 900k routes). */
	want_all = (uint64_t)mc->max_routes + mc->max_routes / 5;
	if (want_all > rib->n)
		rt_rib_reserve(rt, (uint32_t)RTE_MIN(want_all - rib->n,
						     UINT32_MAX));
}

int
vnf_router_kroutes_apply(struct vnf_instance *vi,
			 const struct vnf_router_kroute *ops, unsigned int n,
			 unsigned int *failed, char *err, size_t errlen)
{
	struct rt *rt = rt_from(vi);
	struct rt_rib_batch b;
	char e1[192];
	uint32_t undone = 0;
	unsigned int i;
	int rc;

	*failed = 0;
	if (errlen != 0)
		err[0] = '\0';
	if (rt == NULL) {
		*failed = n;
		snprintf(err, errlen, "not a router");
		return -EINVAL;
	}
	rt_rib_presize(rt);
	rc = rt_rib_batch_init(&b, rt, n);
	if (rc < 0) {
		rt_rib_commit(&b, NULL);
		*failed = n;
		snprintf(err, errlen, "route table: %s", strerror(-rc));
		return rc;
	}
	for (i = 0; i < n; i++) {
		if (rt_kroute_one(rt, &b, &ops[i], e1, sizeof(e1)) == 0)
			continue;
		if ((*failed)++ == 0)
			snprintf(err, errlen, "%s", e1);
	}
	rc = rt_rib_commit(&b, &undone);
	if (undone != 0) {
		if (*failed == 0)
			snprintf(err, errlen,
				 "route table: %s (%u routes not "
				 "applied)",
				 strerror(-rc), undone);
		*failed += undone;
	}
	return rc;
}

void
vnf_router_kroutes_mark(struct vnf_instance *vi)
{
	struct rt *rt = rt_from(vi);
	struct rt_rib *rib = rt != NULL ? rt_rib_get(rt) : NULL;

	if (rib != NULL)
		rib->gen++;
}

static bool
rt_alt_stale(const struct rt_rib_alt *a, const void *gen)
{
	return a->gen != *(const uint32_t *)gen;
}

int
vnf_router_kroutes_sweep(struct vnf_instance *vi, unsigned int *removed)
{
	struct rt *rt = rt_from(vi);
	struct rt_rib_batch b;
	struct rt_rib *rib;
	const void *key;
	void *data;
	uint32_t it = 0, undone = 0, n = 0;
	int32_t pos;
	int rc;

	if (removed != NULL)
		*removed = 0;
	if (rt == NULL)
		return -EINVAL;
	rib = rt->rib;
	if (rib == NULL || rib->h == NULL || rib->n_kernel == 0)
		return 0;
	rc = rt_rib_batch_init(&b, rt, 0);
	if (rc < 0) {
		rt_rib_commit(&b, NULL);
		return rc;
	}
	/* Changes of existing prefixes only: the key set stays as it is
	 * while iterating (emptied prefixes go at the commit). */
	while ((pos = rte_hash_iterate(rib->h, &key, &data, &it)) >= 0) {
		struct rt_rib_ent *e = &rib->ents[pos];
		struct rt_rib_route r = {0};

		if (!e->k_on)
			continue;
		/* Standby routes not seen first: one of them may take over. */
		n += rt_alt_drop(rt, e, rt_alt_stale, &rib->gen);
		if (e->k_gen == rib->gen)
			continue;
		r.family = e->family;
		r.len = e->len;
		memcpy(r.addr, e->addr, 16);
		rc = rt_kroute_remove(rt, &b, &r, e, false);
		if (rc < 0)
			break;
		n++;
	}
	rc = rt_rib_commit(&b, &undone);
	if (removed != NULL)
		*removed = n - undone;
	return rc;
}

uint32_t
rt_rib_capacity(const struct rt *rt)
{
	return rt->rib != NULL && rt->rib->h != NULL ? rt->rib->cap : 0;
}

uint32_t
vnf_router_kroutes_count(const struct vnf_instance *vi)
{
	const struct rt *rt = rt_from(vi);

	return rt != NULL && rt->rib != NULL
		       ? rt->rib->n_kernel + rt->rib->n_alt
		       : 0;
}

/* ---- ifaces: addresses, link down ------------------------------------------
 */

/* Set (add) or clear the config-side route addr/len if it has origin o and
 * next hop nh (clear) -- or, for nh == RT_NHID_NOROUTE, a connected next
 * hop of iface. */
static int
rt_rib_own_route(struct rt_rib_batch *b, uint8_t family, const uint8_t *addr,
		 uint8_t len, uint8_t o, uint16_t nh, uint16_t iface, bool add)
{
	struct rt *rt = b->rt;
	struct rt_rib_route r = {0};
	const struct rt_rib_ent *e;

	r.family = family;
	r.len = len;
	memcpy(r.addr, addr, family == AF_INET ? 4 : 16);
	rt_mask(r.addr, len, 16);
	if (add) {
		r.origin = o;
		r.nh = nh;
		return rt_rib_set(b, &r, false, false);
	}
	e = rt_rib_find(rt, family, r.addr, len);
	if (e == NULL || e->c_origin != o)
		return 0;
	if (nh == RT_NHID_NOROUTE ? rt->nh[e->c_nh].type != RT_NH_CONNECTED ||
					    rt->nh[e->c_nh].iface != iface
				  : e->c_nh != nh)
		return 0;
	r.origin = RT_ORIG_NONE;
	return rt_rib_set(b, &r, false, false);
}

int
rt_rib_addr_routes(struct rt *rt, uint16_t iface, uint8_t family,
		   const uint8_t *addr, uint8_t len, bool add)
{
	unsigned int max = family == AF_INET ? 32 : 128;
	struct rt_rib_batch b;
	int rc;

	if (iface >= rt->n_ifaces ||
	    (family != AF_INET && family != AF_INET6) || len > max)
		return -EINVAL;
	if (family == AF_INET6 && rt->fib6.tbl[0] == NULL)
		return -EAFNOSUPPORT;
	rc = rt_rib_batch_init(&b, rt, 2);
	if (rc == 0)
		rc = rt_rib_own_route(&b, family, addr, (uint8_t)max,
				      RT_ORIG_LOCAL, RT_NHID_LOCAL, iface, add);
	if (rc == 0 && family == AF_INET && len < 31) {
		uint32_t a, m = ~0u << (32 - len);
		rte_be32_t bc;

		memcpy(&a, addr, 4);
		a = rte_be_to_cpu_32(a);
		bc = rte_cpu_to_be_32(a | ~m);
		rc = rt_rib_own_route(&b, family, (const uint8_t *)&bc, 32,
				      RT_ORIG_LOCAL, RT_NHID_BCAST, iface, add);
	}
	/* The subnet of an address of the config: its connected route goes
	 * with it (the kernel's, which the mirror keeps, takes over). */
	if (rc == 0 && !add && len < max)
		rc = rt_rib_own_route(&b, family, addr, len, RT_ORIG_CONNECTED,
				      RT_NHID_NOROUTE, iface, false);
	if (b.rt != NULL) {
		int rc2 = rt_rib_commit(&b, NULL);

		if (rc == 0)
			rc = rc2;
	}
	return rc;
}

/* What iface down does to next hop ids: 0 nothing, 1 all gone, 2 a group
 * that loses some members. */
enum { RT_DOWN_KEEP, RT_DOWN_GONE, RT_DOWN_SHRINK };

static bool
rt_alt_by_down(const struct rt_rib_alt *a, const void *how)
{
	return ((const uint8_t *)how)[a->nh] != RT_DOWN_KEEP;
}

int
rt_rib_iface_down(struct rt *rt, uint16_t iface, unsigned int *removed)
{
	struct rt_rib *rib = rt->rib;
	struct rt_rib_batch b;
	const void *key;
	uint8_t *how;
	void *data;
	uint32_t it = 0, undone = 0, n_removed = 0, i, j;
	bool any = false;
	int32_t pos;
	int rc = 0;

	if (removed != NULL)
		*removed = 0;
	if (rib == NULL || rib->h == NULL || rib->n_kernel == 0)
		return 0;
	how = calloc(RT_NH_MAX, 1);
	if (how == NULL)
		return -ENOMEM;
	for (i = RT_NHID_FIRST_DYN; i < RT_NH_MAX; i++) {
		const struct rt_nh *nh = &rt->nh[i];

		if ((nh->type == RT_NH_GW || nh->type == RT_NH_CONNECTED) &&
		    nh->iface == iface) {
			how[i] = RT_DOWN_GONE;
			any = true;
		}
	}
	for (i = RT_NHID_FIRST_DYN; any && i < RT_NH_MAX; i++) {
		const struct rt_nh *nh = &rt->nh[i];
		unsigned int gone = 0;

		if (nh->type != RT_NH_GROUP)
			continue;
		for (j = 0; j < nh->n_members; j++)
			gone += how[nh->members[j]] == RT_DOWN_GONE;
		if (gone != 0)
			how[i] = gone == nh->n_members ? RT_DOWN_GONE
						       : RT_DOWN_SHRINK;
	}
	if (!any)
		goto out;
	rc = rt_rib_batch_init(&b, rt, 0);
	if (rc < 0) {
		rt_rib_commit(&b, NULL);
		goto out;
	}
	while ((pos = rte_hash_iterate(rib->h, &key, &data, &it)) >= 0) {
		struct rt_rib_ent *e = &rib->ents[pos];
		struct rt_rib_route r = {0};
		uint16_t members[RT_NH_GROUP_MAX];
		unsigned int nm = 0;

		if (!e->k_on)
			continue;
		/* A standby route by the iface goes whole (the kernel sends
		 * it again when the link is back), before it could take over
		 * from a forwarded one that goes. */
		n_removed += rt_alt_drop(rt, e, rt_alt_by_down, how);
		if (how[e->k_nh] == RT_DOWN_KEEP)
			continue;
		r.family = e->family;
		r.len = e->len;
		memcpy(r.addr, e->addr, 16);
		if (how[e->k_nh] == RT_DOWN_GONE) {
			rc = rt_kroute_remove(rt, &b, &r, e, true);
			if (rc < 0)
				break;
			n_removed++;
			continue;
		}
		/* A smaller group: the members that stay (held while the
		 * group is found or made). */
		{
			const struct rt_nh *g = &rt->nh[e->k_nh];

			for (j = 0; j < g->n_members; j++) {
				if (how[g->members[j]] == RT_DOWN_GONE)
					continue;
				rt_nh_hold(rt, g->members[j]);
				members[nm++] = g->members[j];
			}
		}
		r.origin = RT_ORIG_KERNEL;
		r.proto = e->k_proto;
		r.ktype = e->k_type;
		r.metric = e->k_metric;
		if (nm == 1) {
			r.nh = members[0];
			rc = 0;
		} else {
			rc = rt_nh_get_group(rt, members, nm, &r.nh);
			for (j = 0; j < nm; j++)
				rt_nh_put(rt, members[j]);
		}
		if (rc == 0) {
			rc = rt_rib_set(&b, &r, true, true);
			if (rc < 0)
				rt_nh_put(rt, r.nh);
		}
		if (rc < 0)
			break;
	}
	{
		int rc2 = rt_rib_commit(&b, &undone);

		if (rc == 0)
			rc = rc2;
	}
	if (removed != NULL)
		*removed = n_removed > undone ? n_removed - undone : 0;
out:
	free(how);
	return rc;
}

/* ---- show, check, free
 * -------------------------------------------------------- */

uint32_t
rt_rib_rows(const struct rt *rt)
{
	return rt->rib != NULL
		       ? rt->rib->n + rt->rib->n_shadowed + rt->rib->n_alt
		       : 0;
}

void
rt_rib_walk(const struct rt *rt,
	    void (*fn)(const struct rt_rib_route *r, void *arg), void *arg)
{
	const struct rt_rib *rib = rt->rib;
	const void *key;
	void *data;
	uint32_t it = 0;
	int32_t pos;

	if (rib == NULL || rib->h == NULL)
		return;
	while ((pos = rte_hash_iterate(rib->h, &key, &data, &it)) >= 0) {
		const struct rt_rib_ent *e = &rib->ents[pos];
		struct rt_rib_route r = {0};

		r.family = e->family;
		r.len = e->len;
		memcpy(r.addr, e->addr, 16);
		if (e->c_origin != RT_ORIG_NONE) {
			r.origin = e->c_origin;
			r.nh = e->c_nh;
			fn(&r, arg);
		}
		if (e->k_on) {
			uint32_t i;

			r.origin = RT_ORIG_KERNEL;
			r.nh = e->k_nh;
			r.proto = e->k_proto;
			r.ktype = e->k_type;
			r.metric = e->k_metric;
			r.shadowed = e->c_origin != RT_ORIG_NONE;
			fn(&r, arg);
			r.shadowed = true;
			for (i = e->k_alt; i != 0; i = rib->alt[i].next) {
				r.nh = rib->alt[i].nh;
				r.proto = rib->alt[i].proto;
				r.ktype = rib->alt[i].type;
				r.metric = rib->alt[i].metric;
				fn(&r, arg);
			}
		}
	}
}

/* rtm_protocol names: iproute2's rt_protos and FRR's additions. */
static const char *const rt_proto_names[256] = {
	[0] = "unspec",	      [1] = "redirect",	 [2] = "kernel",
	[3] = "boot",	      [4] = "static",	 [8] = "gated",
	[9] = "ra",	      [10] = "mrt",	 [11] = "zebra",
	[12] = "bird",	      [13] = "dnrouted", [14] = "xorp",
	[15] = "ntk",	      [16] = "dhcp",	 [17] = "mrouted",
	[18] = "keepalived",  [42] = "babel",	 [99] = "openr",
	[186] = "bgp",	      [187] = "isis",	 [188] = "ospf",
	[189] = "rip",	      [192] = "eigrp",	 [193] = "ldp",
	[194] = "sharp",      [195] = "pbr",	 [196] = "static",
	[197] = "openfabric", [198] = "srte",
};

const char *
rt_rib_origin_name(const struct rt_rib_route *r, char *buf, size_t len)
{
	switch (r->origin) {
	case RT_ORIG_CONFIG:
		return "config";
	case RT_ORIG_CONNECTED:
		return "connected";
	case RT_ORIG_LOCAL:
		return "local";
	case RT_ORIG_KERNEL:
		if (rt_proto_names[r->proto] != NULL)
			return rt_proto_names[r->proto];
		snprintf(buf, len, "%u", r->proto);
		return buf;
	default:
		return "?";
	}
}

struct rt_rib_chk {
	struct rt *rt;
	uint32_t n[2];
	char *err;
	size_t errlen;
	int rc;
};

static void
rt_rib_chk_one(const struct rt_rib_route *r, void *arg)
{
	struct rt_rib_chk *c = arg;
	char ps[INET6_ADDRSTRLEN + 8];
	uint16_t nh;

	if (r->shadowed || c->rc < 0)
		return;
	c->n[r->family == AF_INET6]++;
	if (rt_fib_get(rt_fib_of(c->rt, r->family), r->addr, r->len, &nh) ==
		    0 &&
	    nh == r->nh)
		return;
	rt_prefix_str(r->family, r->addr, r->len, ps, sizeof(ps));
	snprintf(c->err, c->errlen, "%s: RIB next hop %u, FIB %s", ps, r->nh,
		 rt_fib_get(rt_fib_of(c->rt, r->family), r->addr, r->len,
			    &nh) == 0
			 ? "another"
			 : "none");
	c->rc = -EIO;
}

static int
rt_rib_chk_count(const uint8_t *addr, uint8_t len, uint16_t nh, void *arg)
{
	(void)addr;
	(void)len;
	(void)nh;
	(*(uint32_t *)arg)++;
	return 0;
}

int
rt_rib_check(struct rt *rt, char *err, size_t errlen)
{
	struct rt_rib_chk c = {.rt = rt, .err = err, .errlen = errlen};
	uint32_t n4 = 0, n6 = 0;

	rt_rib_walk(rt, rt_rib_chk_one, &c);
	if (c.rc < 0)
		return c.rc;
	rt_fib_walk(&rt->fib4, rt_rib_chk_count, &n4);
	if (rt->fib6.tbl[0] != NULL)
		rt_fib_walk(&rt->fib6, rt_rib_chk_count, &n6);
	if (n4 != c.n[0] || n6 != c.n[1] || n4 != rt->fib4.n_routes ||
	    (rt->fib6.tbl[0] != NULL && n6 != rt->fib6.n_routes)) {
		snprintf(err, errlen,
			 "RIB %u/%u routes, FIB %u/%u (counted %u/%u)", c.n[0],
			 c.n[1], n4, n6, rt->fib4.n_routes, rt->fib6.n_routes);
		return -EIO;
	}
	return 0;
}

void
rt_rib_fini(struct rt *rt)
{
	if (rt->rib == NULL)
		return;
	rte_hash_free(rt->rib->h);
	free(rt->rib->ents);
	free(rt->rib->alt);
	free(rt->rib);
	rt->rib = NULL;
}
