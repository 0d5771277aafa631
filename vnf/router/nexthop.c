/* SPDX-License-Identifier: BSD-3-Clause
 *
 * nexthop.c - the next-hop table that FIB entries point into.
 *
 * A FIB entry holds a 15-bit next-hop id; rt->nh[id] says what to do: the
 * special ids (no route, blackhole, local, ...) are fixed; gateways,
 * on-link ifaces and multipath groups are allocated here, shared by every
 * route that uses the same one (an index hash finds them), and counted.
 *
 * Lifetime.  An entry is written before the FIB change that makes it
 * reachable (rt_fib_apply() publishes with a release store).  It is freed
 * when its last route goes, which rt_fib_apply() does only after both
 * tables stopped referring to it and a grace period passed, so no worker
 * can still hold the id.  Entries never change while in use: a gateway's
 * MAC lives in the neighbour entry the next hop points to.
 *
 * Control thread only.  The next hops copy their iface's MTU and MAC
 * (rt_nh_iface_mtu() follows MTU changes).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>

#include "vnf/router/router_priv.h"

/* What makes two next hops the same. */
struct rt_nh_desc {
	uint8_t type;
	uint8_t family;
	uint16_t iface;
	uint16_t n_members;
	uint16_t pad;
	uint8_t gw[16];
	uint16_t members[RT_NH_GROUP_MAX];
};

static void
rt_nh_desc_of(const struct rt_nh *nh, struct rt_nh_desc *d)
{
	memset(d, 0, sizeof(*d));
	d->type = nh->type;
	d->family = nh->family;
	d->iface = nh->iface;
	d->n_members = nh->n_members;
	memcpy(d->gw, nh->gw, 16);
	memcpy(d->members, nh->members, sizeof(d->members));
}

int
rt_nh_init(struct rt *rt, const char *name)
{
	struct rte_hash_parameters hp = {0};
	char hname[RTE_HASH_NAMESIZE];
	static const uint8_t specials[] = {
		[RT_NHID_NOROUTE] = RT_NH_NOROUTE,
		[RT_NHID_BLACKHOLE] = RT_NH_BLACKHOLE,
		[RT_NHID_UNREACH] = RT_NH_UNREACH,
		[RT_NHID_LOCAL] = RT_NH_LOCAL,
		[RT_NHID_BCAST] = RT_NH_BCAST,
		[RT_NHID_MCAST] = RT_NH_MCAST,
	};
	unsigned int i;

	rt->nh = rte_zmalloc("rt_nh", RT_NH_MAX * sizeof(rt->nh[0]),
			     RTE_CACHE_LINE_SIZE);
	if (rt->nh == NULL)
		return -ENOMEM;
	for (i = 0; i < RTE_DIM(specials); i++) {
		rt->nh[i].type = specials[i];
		rt->nh[i].neigh = -1;
		rt->nh[i].refs = 1; /* never freed */
	}
	rt->nh_used = RT_NHID_FIRST_DYN;
	rt->nh_hint = RT_NHID_FIRST_DYN;

	snprintf(hname, sizeof(hname), "%snh", name);
	hp.name = hname;
	hp.entries = RT_NH_MAX;
	hp.key_len = sizeof(struct rt_nh_desc);
	hp.hash_func = rte_hash_crc;
	hp.socket_id = SOCKET_ID_ANY;
	rt->nh_index = rte_hash_create(&hp);
	if (rt->nh_index == NULL)
		return rte_errno ? -rte_errno : -ENOMEM;
	return 0;
}

void
rt_nh_fini(struct rt *rt)
{
	/* The RIB's routes hold references on next hops: it goes with the
	 * table (rt_destroy() calls this once the workers are gone). */
	rt_rib_fini(rt);
	rte_hash_free(rt->nh_index);
	rt->nh_index = NULL;
	rte_free(rt->nh);
	rt->nh = NULL;
}

static int
rt_nh_alloc_id(struct rt *rt, uint16_t *id)
{
	unsigned int i, k;

	for (k = 0; k < RT_NH_MAX; k++) {
		i = (rt->nh_hint + k) % RT_NH_MAX;
		if (i < RT_NHID_FIRST_DYN)
			continue;
		if (rt->nh[i].type == RT_NH_FREE) {
			rt->nh_hint = (uint16_t)((i + 1) % RT_NH_MAX);
			*id = (uint16_t)i;
			return 0;
		}
	}
	return -ENOSPC;
}

/* Find `tmpl` or make it; a reference is taken either way.  On creation
 * *created is set and the caller's resources (neighbour, members) are
 * kept by the entry. */
static int
rt_nh_find_or_add(struct rt *rt, const struct rt_nh *tmpl, uint16_t *id,
		  bool *created)
{
	struct rt_nh_desc d;
	void *data;
	uint16_t nid;
	int rc;

	rt_nh_desc_of(tmpl, &d);
	*created = false;
	if (rte_hash_lookup_data(rt->nh_index, &d, &data) >= 0) {
		*id = (uint16_t)(uintptr_t)data;
		rt->nh[*id].refs++;
		return 0;
	}
	rc = rt_nh_alloc_id(rt, &nid);
	if (rc < 0)
		return rc;
	rc = rte_hash_add_key_data(rt->nh_index, &d, (void *)(uintptr_t)nid);
	if (rc < 0)
		return rc;
	rt->nh[nid] = *tmpl;
	rt->nh[nid].refs = 1;
	if (tmpl->type == RT_NH_GW || tmpl->type == RT_NH_CONNECTED) {
		/* The fast path reads them from the next hop's own cache
		 * line; the MAC is constant for the iface's life, the MTU
		 * follows the iface (rt_nh_iface_mtu()): 0 while it is down,
		 * so that its packets take the general path, which drops
		 * them. */
		const struct rt_iface *ifc = &rt->ifaces[tmpl->iface];

		rt->nh[nid].mtu = rt_iface_down(ifc) ? 0 : rt_iface_mtu(ifc);
		rt->nh[nid].smac = rt->ifaces[tmpl->iface].mac;
	}
	rt->nh_used++;
	*id = nid;
	*created = true;
	return 0;
}

int
rt_nh_get_gw(struct rt *rt, uint8_t family, uint16_t iface, const uint8_t *gw,
	     uint16_t *id)
{
	struct rt_nh t;
	struct rt_neigh_key k;
	bool created;
	int32_t pos;
	int rc;

	memset(&t, 0, sizeof(t));
	t.type = RT_NH_GW;
	t.family = family;
	t.iface = iface;
	memcpy(t.gw, gw, family == AF_INET ? 4 : 16);
	t.neigh = -1;
	/* Look up first so that an existing next hop costs no neighbour
	 * reference. */
	{
		struct rt_nh_desc d;
		void *data;

		rt_nh_desc_of(&t, &d);
		if (rte_hash_lookup_data(rt->nh_index, &d, &data) >= 0) {
			*id = (uint16_t)(uintptr_t)data;
			rt->nh[*id].refs++;
			return 0;
		}
	}
	memset(&k, 0, sizeof(k));
	memcpy(k.ip, t.gw, 16);
	k.iface = iface;
	k.family = family;
	rc = rt_neigh_ref(rt, &k, &pos);
	if (rc < 0)
		return rc;
	t.neigh = pos;
	rc = rt_nh_find_or_add(rt, &t, id, &created);
	if (rc < 0 || !created)
		rt_neigh_unref(rt, pos);
	return rc;
}

int
rt_nh_get_connected(struct rt *rt, uint8_t family, uint16_t iface, uint16_t *id)
{
	struct rt_nh t;
	bool created;

	memset(&t, 0, sizeof(t));
	t.type = RT_NH_CONNECTED;
	t.family = family;
	t.iface = iface;
	t.neigh = -1;
	return rt_nh_find_or_add(rt, &t, id, &created);
}

static int
rt_nh_cmp_u16(const void *a, const void *b)
{
	return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

int
rt_nh_get_group(struct rt *rt, const uint16_t *members, unsigned int n,
		uint16_t *id)
{
	struct rt_nh t;
	bool created;
	unsigned int i;
	int rc;

	if (n == 0 || n > RT_NH_GROUP_MAX)
		return -E2BIG;
	memset(&t, 0, sizeof(t));
	t.type = RT_NH_GROUP;
	t.family = rt->nh[members[0]].family;
	t.neigh = -1;
	t.n_members = (uint16_t)n;
	memcpy(t.members, members, n * sizeof(members[0]));
	/* The same set in another order is the same group. */
	qsort(t.members, n, sizeof(t.members[0]), rt_nh_cmp_u16);
	rc = rt_nh_find_or_add(rt, &t, id, &created);
	if (rc == 0 && created)
		for (i = 0; i < n; i++)
			rt_nh_hold(rt, t.members[i]);
	return rc;
}

void
rt_nh_hold(struct rt *rt, uint16_t id)
{
	rt->nh[id].refs++;
}

void
rt_nh_put(struct rt *rt, uint16_t id)
{
	struct rt_nh *nh = &rt->nh[id];
	struct rt_nh_desc d;
	unsigned int i;

	if (id < RT_NHID_FIRST_DYN || nh->type == RT_NH_FREE)
		return;
	if (--nh->refs != 0)
		return;
	rt_nh_desc_of(nh, &d);
	rte_hash_del_key(rt->nh_index, &d);
	if (nh->type == RT_NH_GW && nh->neigh >= 0)
		rt_neigh_unref(rt, nh->neigh);
	if (nh->type == RT_NH_GROUP)
		for (i = 0; i < nh->n_members; i++)
			rt_nh_put(rt, nh->members[i]);
	memset(nh, 0, sizeof(*nh));
	nh->neigh = -1;
	rt->nh_used--;
}

void
rt_nh_iface_mtu(struct rt *rt, uint16_t iface, uint16_t mtu)
{
	unsigned int i;

	/* Workers read nh->mtu with plain loads of an aligned 16-bit field:
	 * they see the old or the new value (0: the iface is down, which
	 * sends every packet to the general path). */
	for (i = RT_NHID_FIRST_DYN; i < RT_NH_MAX; i++) {
		struct rt_nh *nh = &rt->nh[i];

		if ((nh->type == RT_NH_GW || nh->type == RT_NH_CONNECTED) &&
		    nh->iface == iface)
			__atomic_store_n(&nh->mtu, mtu, __ATOMIC_RELAXED);
	}
}
