/* SPDX-License-Identifier: BSD-3-Clause
 *
 * rib.c - the router's routes on the control side: the routes of the
 * config, of `route add/del` and of route files, resolved to next hops and
 * applied to the FIBs, and the connected, local and broadcast routes of
 * the ifaces.  Control thread only.
 *
 * A route change: resolve its next hops (taking references), apply it to
 * the FIB (rt_fib_apply: both tables, one grace period), then drop the
 * references of what it replaced: after rt_fib_apply() no table refers to
 * the old next hop and no worker holds it (see nexthop.c).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control/files.h"
#include "vnf/router/config.h"
#include "vnf/router/router_priv.h"

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

int
rt_route_add(struct rt *rt, const struct rt_route_config *r, bool replace,
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
	uint8_t type;		/* enum rt_route_type */
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
	struct rt_fib_op *ops = NULL;
	struct ctl_vnf_config view;
	struct ctl_cfg *c = NULL;
	char *buf = NULL, *line, *next, lerr[160], ps[INET6_ADDRSTRLEN + 8];
	size_t len, i, resolved = 0;
	unsigned int fam, n_ops, done, total = 0;
	uint32_t lineno = 0;
	int rc = 0;

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
	ctl_cfg_close(c, NULL, NULL);
	vnf_config_view_free(&view);
	return rc;
}
