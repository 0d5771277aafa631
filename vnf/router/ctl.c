/* SPDX-License-Identifier: BSD-3-Clause
 *
 * ctl.c - the router's control side: routes from the config, from nfvctl
 * (`route add/del`, `show routes`, `show neigh`, `show vnf`) and from route
 * files.  Control thread only.
 *
 * A route change: resolve its next hops (taking references), apply it to
 * the FIB (rt_fib_apply: both tables, one grace period), then drop the
 * references of what it replaced: after rt_fib_apply() no table refers to
 * the old next hop and no worker holds it (see nexthop.c).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <rte_cycles.h>
#include <rte_ring.h>

#include "control/config.h"
#include "control/ctl_server.h"
#include "vnf/router/router_priv.h"

#define RT_SHOW_LIMIT 10000

static const char *const rt_state_names[] = {
	[RT_NS_NONE] = "none",		 [RT_NS_INCOMPLETE] = "incomplete",
	[RT_NS_REACHABLE] = "reachable", [RT_NS_STALE] = "stale",
	[RT_NS_PROBE] = "probe",	 [RT_NS_FAILED] = "failed",
	[RT_NS_STATIC] = "permanent",
};

/* ---- addresses ------------------------------------------------------------ */

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
static int
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

static void
rt_addr_str(uint8_t family, const uint8_t *a, char *buf, size_t len)
{
	inet_ntop(family, a, buf, (socklen_t)len);
}

static void
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

/* Is addr/len an iface's own route (its subnet, address, broadcast) or a
 * system route, which route add/del must not touch? */
static bool
rt_is_system(const struct rt *rt, uint16_t nhid)
{
	uint8_t t = rt->nh[nhid].type;

	return t == RT_NH_LOCAL || t == RT_NH_BCAST || t == RT_NH_MCAST;
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

/* ---- routes ---------------------------------------------------------------- */

/* The next-hop id of r (a reference taken). */
static int
rt_nh_of_route(struct rt *rt, const struct ctl_route_config *r, uint16_t *id,
	       char *err, size_t errlen)
{
	uint16_t members[RT_NH_GROUP_MAX];
	uint8_t family = r->prefix.family;
	unsigned int i, j;
	char s[INET6_ADDRSTRLEN];
	int rc = 0, ifi;

	switch (r->type) {
	case CTL_ROUTE_BLACKHOLE:
		*id = RT_NHID_BLACKHOLE;
		return 0;
	case CTL_ROUTE_UNREACHABLE:
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
		const struct ctl_nexthop *nh = &r->nh[i];

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

int
rt_route_add(struct rt *rt, const struct ctl_route_config *r, bool replace,
	     char *err, size_t errlen)
{
	const struct ctl_prefix *p = &r->prefix;
	struct rt_fib *f = rt_fib_of(rt, p->family);
	struct rt_fib_op op;
	char ps[INET6_ADDRSTRLEN + 8];
	uint16_t old, id;
	unsigned int done;
	bool exists;
	int rc;

	rc = rt_family_check(rt, p->family, err, errlen);
	if (rc < 0)
		return rc;
	rt_prefix_str(p->family, p->addr, p->len, ps, sizeof(ps));
	exists = rt_fib_get(f, p->addr, p->len, &old) == 0;
	if (exists && (rt_is_system(rt, old) ||
		       rt_is_iface_subnet(rt, p->family, p->addr, p->len))) {
		snprintf(err, errlen, "%s is an iface's own route", ps);
		return -EPERM;
	}
	if (exists && !replace) {
		snprintf(err, errlen, "%s exists (replace it with \"replace\")",
			 ps);
		return -EEXIST;
	}
	rc = rt_nh_of_route(rt, r, &id, err, errlen);
	if (rc < 0)
		return rc;
	memset(&op, 0, sizeof(op));
	memcpy(op.addr, p->addr, 16);
	op.len = p->len;
	op.nh = id;
	rc = rt_fib_apply(f, &op, 1, &done);
	if (rc < 0 || done != 1) {
		rt_nh_put(rt, id);
		snprintf(err, errlen, "%s: route table: %s", ps,
			 strerror(rc < 0 ? -rc : EIO));
		return rc < 0 ? rc : -EIO;
	}
	if (exists)
		rt_nh_put(rt, old);
	return 0;
}

int
rt_route_del(struct rt *rt, const struct ctl_prefix *p, char *err,
	     size_t errlen)
{
	struct rt_fib *f = rt_fib_of(rt, p->family);
	struct rt_fib_op op;
	char ps[INET6_ADDRSTRLEN + 8];
	unsigned int done;
	uint16_t old;
	int rc;

	rc = rt_family_check(rt, p->family, err, errlen);
	if (rc < 0)
		return rc;
	rt_prefix_str(p->family, p->addr, p->len, ps, sizeof(ps));
	if (rt_fib_get(f, p->addr, p->len, &old) != 0) {
		snprintf(err, errlen, "no route %s", ps);
		return -ENOENT;
	}
	if (rt_is_system(rt, old) ||
	    rt_is_iface_subnet(rt, p->family, p->addr, p->len)) {
		snprintf(err, errlen, "%s is an iface's own route", ps);
		return -EPERM;
	}
	memset(&op, 0, sizeof(op));
	memcpy(op.addr, p->addr, 16);
	op.len = p->len;
	op.del = true;
	rc = rt_fib_apply(f, &op, 1, &done);
	if (rc < 0) {
		snprintf(err, errlen, "%s: route table: %s", ps, strerror(-rc));
		return rc;
	}
	rt_nh_put(rt, old);
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

int
rt_routes_connected(struct rt *rt, char *err, size_t errlen)
{
	struct rt_fib_op ops4[VNF_MAX_IFACES * RT_ADDR_MAX * 3 + 2];
	struct rt_fib_op ops6[VNF_MAX_IFACES * RT_ADDR_MAX * 2];
	unsigned int n4 = 0, n6 = 0, i, j, done;
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
					goto err;
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
					goto err;
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
				return -EINVAL;
			}
	rc = rt_fib_apply(&rt->fib4, ops4, n4, &done);
	if (rc == 0 && n6 != 0)
		rc = rt_fib_apply(&rt->fib6, ops6, n6, &done);
	if (rc < 0)
		goto err;
	return 0;
err:
	snprintf(err, errlen, "vnf %s: connected routes: %s", rt->vi->name,
		 strerror(-rc));
	return rc;
}

/* ---- route files ------------------------------------------------------------ */

struct rt_load_ent {
	struct ctl_prefix prefix;
	uint8_t type;		/* enum ctl_route_type */
	uint8_t n_nh;
	uint32_t line;
	uint32_t nh_off;	/* into the shared next-hop array */
	uint16_t id;		/* the next hop, once resolved */
	uint16_t old;		/* what it replaces */
	bool exists;
};

struct rt_load {
	struct rt_load_ent *e;
	size_t n, cap;
	struct ctl_nexthop *nh;
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

/* One line: 0, 1 (empty), or -errno with err set. */
static int
rt_load_line(struct rt *rt, struct rt_load *L, char *line, uint32_t lineno,
	     char *err, size_t errlen)
{
	char *tok[2 + 4 * RT_NH_GROUP_MAX + 2], *save = NULL, *t, *hash;
	struct rt_load_ent *e;
	struct ctl_nexthop *cur = NULL;
	unsigned int nt = 0, i = 0;
	int rc;

	hash = strchr(line, '#');
	if (hash != NULL)
		*hash = '\0';
	for (t = strtok_r(line, " \t\r\n", &save); t != NULL;
	     t = strtok_r(NULL, " \t\r\n", &save)) {
		if (nt == RTE_DIM(tok)) {
			snprintf(err, errlen, "too many words");
			return -EINVAL;
		}
		tok[nt++] = t;
	}
	if (nt == 0)
		return 1;
	if (rt_load_grow((void **)&L->e, &L->cap, L->n + 1, sizeof(*L->e)) ||
	    rt_load_grow((void **)&L->nh, &L->cap_nh,
			 L->n_nh + RT_NH_GROUP_MAX, sizeof(*L->nh))) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	e = &L->e[L->n];
	memset(e, 0, sizeof(*e));
	e->line = lineno;
	e->nh_off = (uint32_t)L->n_nh;
	e->type = CTL_ROUTE_UNICAST;
	if (strcmp(tok[0], "blackhole") == 0 || strcmp(tok[0], "unreachable") == 0) {
		e->type = tok[0][0] == 'b' ? CTL_ROUTE_BLACKHOLE :
					     CTL_ROUTE_UNREACHABLE;
		i = 1;
		if (nt != 2) {
			snprintf(err, errlen, "usage: %s PREFIX", tok[0]);
			return -EINVAL;
		}
	}
	if (i >= nt) {
		snprintf(err, errlen, "missing prefix");
		return -EINVAL;
	}
	rc = rt_parse_prefix(tok[i], &e->prefix, true);
	if (rc < 0) {
		snprintf(err, errlen, "\"%s\" is not a %s", tok[i],
			 rc == -EDOM ? "network (host bits set)" : "prefix");
		return -EINVAL;
	}
	/* Words come in pairs: KEYWORD VALUE. */
	for (i++; i < nt; i += 2) {
		if (i + 1 >= nt) {
			snprintf(err, errlen, "\"%s\" needs a value", tok[i]);
			return -EINVAL;
		}
		if (strcmp(tok[i], "via") == 0) {
			if (e->n_nh == RT_NH_GROUP_MAX) {
				snprintf(err, errlen, "more than %d next hops",
					 RT_NH_GROUP_MAX);
				return -EINVAL;
			}
			cur = &L->nh[L->n_nh + e->n_nh++];
			memset(cur, 0, sizeof(*cur));
			if (rt_parse_prefix(tok[i + 1], &cur->via, false) < 0 ||
			    cur->via.len != (cur->via.family == AF_INET ? 32 : 128)) {
				snprintf(err, errlen, "\"%s\" is not an address",
					 tok[i + 1]);
				return -EINVAL;
			}
			cur->has_via = true;
		} else if (strcmp(tok[i], "dev") == 0) {
			if (cur == NULL || cur->iface[0] != '\0') {
				if (e->n_nh == RT_NH_GROUP_MAX) {
					snprintf(err, errlen,
						 "more than %d next hops",
						 RT_NH_GROUP_MAX);
					return -EINVAL;
				}
				cur = &L->nh[L->n_nh + e->n_nh++];
				memset(cur, 0, sizeof(*cur));
			}
			if (vnf_iface_index(rt->vi, tok[i + 1]) < 0) {
				snprintf(err, errlen, "no iface %s", tok[i + 1]);
				return -ENOENT;
			}
			snprintf(cur->iface, sizeof(cur->iface), "%s", tok[i + 1]);
		} else {
			snprintf(err, errlen, "unknown word \"%s\"", tok[i]);
			return -EINVAL;
		}
	}
	if (e->type == CTL_ROUTE_UNICAST && e->n_nh == 0) {
		snprintf(err, errlen, "a route needs via or dev");
		return -EINVAL;
	}
	if (e->type != CTL_ROUTE_UNICAST && e->n_nh != 0) {
		snprintf(err, errlen, "a %s route has no next hop", tok[0]);
		return -EINVAL;
	}
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
	struct rt_fib_op *ops = NULL;
	char *line = NULL, lerr[160], ps[INET6_ADDRSTRLEN + 8];
	size_t lcap = 0, i, resolved = 0;
	unsigned int fam, n_ops, done, total = 0;
	uint32_t lineno = 0;
	FILE *fp;
	int rc = 0;

	*n_loaded = 0;
	fp = fopen(path, "r");
	if (fp == NULL) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return rc;
	}
	while (getline(&line, &lcap, fp) >= 0) {
		lineno++;
		rc = rt_load_line(rt, &L, line, lineno, lerr, sizeof(lerr));
		if (rc < 0)
			break;
		if (rc == 0 && rt_family_check(rt, L.e[L.n - 1].prefix.family,
					       lerr, sizeof(lerr)) < 0) {
			rc = -EAFNOSUPPORT;
			break;
		}
		rc = 0;
	}
	free(line);
	fclose(fp);
	if (rc < 0) {
		snprintf(err, errlen, "%s:%u: %s", path, lineno, lerr);
		goto out;
	}

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

	/* What exists, and may it be replaced? */
	for (i = 0; i < L.n; i++) {
		struct rt_load_ent *e = &L.e[i];

		e->exists = rt_fib_get(rt_fib_of(rt, e->prefix.family),
				       e->prefix.addr, e->prefix.len,
				       &e->old) == 0;
		if (!e->exists)
			continue;
		rt_prefix_str(e->prefix.family, e->prefix.addr, e->prefix.len,
			      ps, sizeof(ps));
		if (rt_is_system(rt, e->old) ||
		    rt_is_iface_subnet(rt, e->prefix.family, e->prefix.addr,
				       e->prefix.len)) {
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
		struct ctl_route_config r = {
			.prefix = e->prefix,
			.type = (enum ctl_route_type)e->type,
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

	/* Apply, one batch per family. */
	ops = malloc((L.n + 1) * sizeof(*ops));
	if (ops == NULL) {
		rc = -ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	for (fam = 0; fam < 2; fam++) {
		uint8_t family = fam == 0 ? AF_INET : AF_INET6;
		struct rt_fib *f = rt_fib_of(rt, family);
		uint32_t n_new = 0, n_long = 0;
		size_t k;

		n_ops = 0;
		for (i = 0; i < L.n; i++) {
			if (L.e[i].prefix.family != family)
				continue;
			memset(&ops[n_ops], 0, sizeof(ops[0]));
			memcpy(ops[n_ops].addr, L.e[i].prefix.addr, 16);
			ops[n_ops].len = L.e[i].prefix.len;
			ops[n_ops].nh = L.e[i].id;
			n_ops++;
			n_new += !L.e[i].exists;
			n_long += !L.e[i].exists && L.e[i].prefix.len > 24;
		}
		if (n_ops == 0)
			continue;
		rc = rt_fib_reserve(f, n_new, n_long);
		done = 0;
		if (rc == 0)
			rc = rt_fib_apply(f, ops, n_ops, &done);
		/* Settle references: replaced ones go, unapplied ones too. */
		for (i = 0, k = 0; i < L.n; i++) {
			struct rt_load_ent *e = &L.e[i];

			if (e->prefix.family != family)
				continue;
			if (k++ < done) {
				if (e->exists)
					rt_nh_put(rt, e->old);
			} else {
				rt_nh_put(rt, e->id);
			}
			e->id = RT_NHID_NOROUTE; /* settled */
		}
		total += done;
		if (rc < 0) {
			snprintf(err, errlen,
				 "%s: route table: %s (%u routes applied)", path,
				 strerror(-rc), total);
			break;
		}
	}
	resolved = 0; /* all settled above */
out:
	for (i = 0; i < resolved; i++)
		rt_nh_put(rt, L.e[i].id);
	*n_loaded = total;
	free(ops);
	free(sorted);
	free(L.e);
	free(L.nh);
	return rc;
}

/* ---- JSON ------------------------------------------------------------------ */

struct rt_show_row {
	uint8_t family;
	uint8_t len;
	uint16_t nh;
	uint8_t addr[16];
};

struct rt_show {
	struct rt *rt;
	uint8_t family;
	json_t *arr;
	unsigned int n, limit, more;
	struct rt_show_row *rows;	/* show routes: sorted before output */
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

static int
rt_show_route(const uint8_t *addr, uint8_t len, uint16_t nh, void *arg)
{
	struct rt_show *s = arg;
	struct rt_show_row *r;

	if (s->n >= s->limit) {
		s->more++;
		return 0;
	}
	r = &s->rows[s->n++];
	r->family = s->family;
	r->len = len;
	r->nh = nh;
	memcpy(r->addr, addr, 16);
	return 0;
}

/* Like `ip route`: by family, address, then length. */
static int
rt_show_row_cmp(const void *a, const void *b)
{
	const struct rt_show_row *x = a, *y = b;
	int c;

	if (x->family != y->family)
		return x->family == AF_INET ? -1 : 1;
	c = memcmp(x->addr, y->addr, 16);
	if (c != 0)
		return c;
	return (int)x->len - (int)y->len;
}

static void
rt_show_routes_emit(struct rt_show *s)
{
	char ps[INET6_ADDRSTRLEN + 8], via[256], ifs[256];
	const char *type;
	unsigned int i;

	qsort(s->rows, s->n, sizeof(s->rows[0]), rt_show_row_cmp);
	for (i = 0; i < s->n; i++) {
		const struct rt_show_row *r = &s->rows[i];

		rt_prefix_str(r->family, r->addr, r->len, ps, sizeof(ps));
		rt_nh_describe(s->rt, r->nh, r->family, via, sizeof(via), ifs,
			       sizeof(ifs), &type);
		json_array_append_new(
			s->arr, json_pack("{s:s, s:s, s:s, s:s, s:s}", "vnf",
					  s->rt->vi->name, "prefix", ps, "type",
					  type, "via", via, "iface", ifs));
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

/* "limit": how many rows at most (1..2^32-1), else RT_SHOW_LIMIT. */
static int
rt_show_limit(json_t *args, unsigned int *limit, json_t **reply)
{
	uint64_t v = RT_SHOW_LIMIT;
	int rc = ctl_req_uint(args, "limit", 1, UINT32_MAX, &v, reply);

	*limit = (unsigned int)v;
	return rc < 0 ? rc : 0;
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
	snprintf(buf, sizeof(buf), "%u more %s (raw request with \"limit\")",
		 s->more, what);
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

/* One next hop, {"via": ADDR, "iface": NAME} (either or both), from
 * object o; `at` names it in messages ("" or "nexthops[2]."). */
static int
rt_nexthop_from_json(json_t *o, const char *at,
		     const struct ctl_route_config *r, struct ctl_nexthop *nh,
		     json_t **reply)
{
	const char *via = NULL, *ifc = NULL;
	char key[48], ps[INET6_ADDRSTRLEN + 8];
	int rc;

	memset(nh, 0, sizeof(*nh));
	rc = ctl_req_str(o, "via", &via, reply);
	if (rc >= 0)
		rc = ctl_req_str(o, "iface", &ifc, reply);
	if (rc < 0) {
		/* Name the element too: "nexthops[2].via: expected ...". */
		char msg[256];

		snprintf(msg, sizeof(msg), "%s",
			 json_string_value(*reply) ? json_string_value(*reply)
						   : "");
		return ctl_error(reply, rc, "%s%s", at, msg);
	}
	if (via != NULL) {
		snprintf(key, sizeof(key), "%svia", at);
		if (rt_parse_prefix(via, &nh->via, false) < 0)
			return ctl_error(reply, -EINVAL,
					 "%s: \"%s\" is not an address", key,
					 via);
		if (nh->via.len != (nh->via.family == AF_INET ? 32 : 128))
			return ctl_error(reply, -EINVAL,
					 "%s: a gateway is an address, not a "
					 "prefix",
					 key);
		/* As the config loader says it (control/config.c). */
		if (nh->via.family != r->prefix.family) {
			rt_prefix_str(r->prefix.family, r->prefix.addr,
				      r->prefix.len, ps, sizeof(ps));
			return ctl_error(
				reply, -EINVAL,
				"%s: %s is %s but the route's prefix "
				"%s is %s",
				key, via,
				nh->via.family == AF_INET ? "IPv4" : "IPv6", ps,
				r->prefix.family == AF_INET ? "IPv4" : "IPv6");
		}
		nh->has_via = true;
	}
	if (ifc != NULL)
		snprintf(nh->iface, sizeof(nh->iface), "%s", ifc);
	return via != NULL || ifc != NULL;
}

/* A route from a request object; errors name the key. */
static int
rt_route_from_json(json_t *args, struct ctl_route_config *r,
		   struct ctl_nexthop *nhs, json_t **reply)
{
	const char *pfx = NULL, *type = NULL;
	json_t *arr = NULL, *o;
	char at[32];
	size_t i;
	int rc;

	memset(r, 0, sizeof(*r));
	rc = ctl_req_str(args, "prefix", &pfx, reply);
	if (rc == 0)
		rc = ctl_req_missing(reply, "prefix");
	if (rc < 0)
		return rc;
	rc = rt_parse_prefix(pfx, &r->prefix, true);
	if (rc < 0)
		return ctl_error(
			reply, -EINVAL, "prefix: \"%s\" is not a %s", pfx,
			rc == -EDOM ? "network (host bits set)" : "prefix");
	r->type = CTL_ROUTE_UNICAST;
	rc = ctl_req_str(args, "type", &type, reply);
	if (rc < 0)
		return rc;
	if (type != NULL) {
		if (strcmp(type, "blackhole") == 0)
			r->type = CTL_ROUTE_BLACKHOLE;
		else if (strcmp(type, "unreachable") == 0)
			r->type = CTL_ROUTE_UNREACHABLE;
		else if (strcmp(type, "unicast") != 0)
			return ctl_error(reply, -EINVAL,
					 "type: unknown route type \"%s\"",
					 type);
	}
	r->nh = nhs;
	rc = ctl_req_array(args, "nexthops", &arr, reply);
	if (rc < 0)
		return rc;
	if (arr != NULL) {
		if (json_object_get(args, "via") != NULL ||
		    json_object_get(args, "iface") != NULL)
			return ctl_error(reply, -EINVAL,
					 "nexthops: give either \"nexthops\" "
					 "or \"via\"/\"iface\", not both");
		if (json_array_size(arr) == 0 ||
		    json_array_size(arr) > RT_NH_GROUP_MAX)
			return ctl_error(reply, -EINVAL,
					 "nexthops: 1 to %d entries",
					 RT_NH_GROUP_MAX);
		json_array_foreach(arr, i, o) {
			snprintf(at, sizeof(at), "nexthops[%zu].", i);
			if (!json_is_object(o))
				return ctl_error(reply, -EINVAL,
						 "nexthops[%zu]: expected an "
						 "object {via, iface}",
						 i);
			rc = rt_nexthop_from_json(o, at, r, &nhs[i], reply);
			if (rc < 0)
				return rc;
			if (rc == 0)
				return ctl_error(reply, -EINVAL,
						 "nexthops[%zu]: a next hop "
						 "needs \"via\", \"iface\" "
						 "or both",
						 i);
		}
		r->n_nh = (unsigned int)json_array_size(arr);
	} else {
		rc = rt_nexthop_from_json(args, "", r, &nhs[0], reply);
		if (rc < 0)
			return rc;
		r->n_nh = (unsigned int)rc;
	}
	if (r->type != CTL_ROUTE_UNICAST && r->n_nh != 0)
		return ctl_error(reply, -EINVAL,
				 "type: a %s route takes no next hop", type);
	if (r->type == CTL_ROUTE_UNICAST && r->n_nh == 0)
		return ctl_error(reply, -EINVAL,
				 "a route needs \"via\" or \"iface\"");
	return 0;
}

int
rt_ctl(struct vnf_instance *vi, const char *verb, json_t *args, json_t **reply)
{
	struct rt *rt = vi->priv;
	char err[256];
	int rc;

	*reply = NULL; /* out only (vnf.h): ctl_error() replaces what is set */
	if (strcmp(verb, "knows") == 0) {
		const char *v = json_string_value(args);

		return v != NULL && (strcmp(v, "show routes") == 0 ||
				     strcmp(v, "show neigh") == 0 ||
				     strcmp(v, "route add") == 0 ||
				     strcmp(v, "route del") == 0) ?
			       0 :
			       -ENOTSUP;
	}
	if (strcmp(verb, "show routes") == 0) {
		struct rt_show s = {.rt = rt};

		rc = rt_show_limit(args, &s.limit, reply);
		if (rc < 0)
			return rc;
		s.arr = json_array();
		s.limit = RTE_MIN(s.limit, rt->fib4.n_routes + rt->fib6.n_routes);
		s.rows = malloc((s.limit + 1) * sizeof(s.rows[0]));
		if (s.rows == NULL) {
			json_decref(s.arr);
			return rt_ctl_error(reply, -ENOMEM, "out of memory");
		}
		s.family = AF_INET;
		rt_fib_walk(&rt->fib4, rt_show_route, &s);
		if (rt->v6) {
			s.family = AF_INET6;
			rt_fib_walk(&rt->fib6, rt_show_route, &s);
		}
		rt_show_routes_emit(&s);
		free(s.rows);
		{
			static const char *const cols[] = {"prefix", "type",
							   "via", "iface"};

			rt_show_more(&s, "routes", cols, RTE_DIM(cols));
		}
		*reply = s.arr;
		return 0;
	}
	if (strcmp(verb, "show neigh") == 0) {
		struct rt_show s = {.rt = rt};

		rc = rt_show_limit(args, &s.limit, reply);
		if (rc < 0)
			return rc;
		s.arr = json_array();
		rt_neigh_walk(rt, rt_show_neigh_one, &s);
		{
			static const char *const cols[] = {"ip", "iface", "mac",
							   "state"};

			rt_show_more(&s, "neighbours", cols, RTE_DIM(cols));
		}
		*reply = s.arr;
		return 0;
	}
	if (strcmp(verb, "route add") == 0 || strcmp(verb, "route del") == 0) {
		bool add = verb[6] == 'a';
		bool replace = false;
		const char *file = NULL, *pfx = NULL;
		struct ctl_nexthop nhs[RT_NH_GROUP_MAX];
		struct ctl_route_config r;
		unsigned int n;

		rc = ctl_req_bool(args, "replace", &replace, reply);
		if (rc >= 0)
			rc = ctl_req_str(args, "file", &file, reply);
		if (rc < 0)
			return rc;
		if (file != NULL) {
			if (!add)
				return rt_ctl_error(reply, -EINVAL,
						    "route del takes no \"file\"");
			rc = rt_routes_load(rt, file, replace, &n, err,
					    sizeof(err));
			if (rc < 0)
				return rt_ctl_error(reply, rc, err);
			*reply = json_pack("{s:i, s:I}", "loaded", (int)n,
					   "fib_memory",
					   (json_int_t)(rt_fib_memory(&rt->fib4) +
							rt_fib_memory(&rt->fib6)));
			return 0;
		}
		if (add) {
			rc = rt_route_from_json(args, &r, nhs, reply);
			if (rc < 0)
				return rc;
			rc = rt_route_add(rt, &r, replace, err, sizeof(err));
		} else {
			rc = ctl_req_str(args, "prefix", &pfx, reply);
			if (rc == 0)
				rc = ctl_req_missing(reply, "prefix");
			if (rc < 0)
				return rc;
			rc = rt_parse_prefix(pfx, &r.prefix, true);
			if (rc < 0)
				snprintf(err, sizeof(err),
					 "prefix: \"%s\" is not a network",
					 pfx);
			else
				rc = rt_route_del(rt, &r.prefix, err,
						  sizeof(err));
			if (rc == -EDOM)
				rc = -EINVAL;
		}
		if (rc < 0)
			return rt_ctl_error(reply, rc, err);
		*reply = NULL;
		return 0;
	}
	if (strcmp(verb, "details") == 0) {
		*reply = json_pack(
			"{s:i, s:i, s:I, s:I, s:i, s:i, s:i, s:i, s:I, s:b}",
			"routes_ipv4", (int)rt->fib4.n_routes, "routes_ipv6",
			(int)rt->fib6.n_routes, "fib_memory_ipv4",
			(json_int_t)rt_fib_memory(&rt->fib4), "fib_memory_ipv6",
			(json_int_t)rt_fib_memory(&rt->fib6), "nexthops",
			(int)rt->nh_used, "neighbors",
			(int)atomic_load(&rt->neigh.count), "neighbor_limit",
			(int)rt->neigh.limit, "punt_queued",
			(int)rte_ring_count(rt->punt), "punt_discarded",
			(json_int_t)rt->punt_discarded, "ipv6", rt->v6);
		return 0;
	}
	return -ENOTSUP;
}
