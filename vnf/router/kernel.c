/* SPDX-License-Identifier: BSD-3-Clause
 *
 * kernel.c - the router's side of the kernel mirror (router.h "the kernel
 * mirror", docs/router.md "Kernel twins"): ifaces whose addresses, MTU
 * and link state change while workers run, the twins' punt wake-up and
 * inject queue, and `show mirror`.  The mirror itself (netns, taps,
 * netlink) is control/mirror/; it calls the functions here.
 *
 * Threads: everything here runs on the control thread, except rt_poll()
 * (workers).  What workers read, and how it is published:
 *   - an iface's addresses: a struct rt_addrs snapshot behind an atomic
 *     pointer (release store here, acquire load in rt_iface_addrs()); the
 *     old snapshot is freed after a grace period of the router's RCU;
 *   - an iface's MTU and link state: relaxed atomics, single values;
 *   - rt->v6: a release store after the IPv6 FIB is built;
 *   - rt->twin: a release store after wake_fd is set; the punt and inject
 *     rings synchronise their own contents.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <jansson.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "vnf/router/router.h"
#include "vnf/lib/rcu.h"
#include "vnf/router/router_priv.h"

static struct rt *
rt_get(const struct vnf_instance *vi)
{
	return vnf_router_is(vi) ? vi->priv : NULL;
}

/* Control thread: wait until no worker holds what was read before. */
static void
rt_grace(struct rt *rt)
{
	nfv_rcu_wait(rt->vi->rcu);
}

/* ---- ifaces ---------------------------------------------------------------- */

int
rt_addrs_publish(struct rt *rt, struct rt_iface *ifc)
{
	struct rt_addrs *a;
	const struct rt_addrs *old;

	a = rte_zmalloc("rt_addrs", sizeof(*a), RTE_CACHE_LINE_SIZE);
	if (a == NULL)
		return -ENOMEM;
	a->n4 = ifc->n4;
	a->n6 = ifc->n6;
	memcpy(a->v4, ifc->v4, sizeof(a->v4));
	memcpy(a->v6, ifc->v6, sizeof(a->v6));
	/* Release: the snapshot is whole before a worker can see it. */
	old = atomic_exchange_explicit(&ifc->addrs, a, memory_order_acq_rel);
	if (old != NULL) {
		rt_grace(rt);
		rte_free((void *)(uintptr_t)old);
	}
	return 0;
}

int
rt_fib6_start(struct rt *rt, uint32_t routes_hint)
{
	char name[16];

	snprintf(name, sizeof(name), "rt%u6_", rt->seq);
	return rt_fib_init(&rt->fib6, AF_INET6, name, routes_hint, rt->vi->rcu);
}

const struct vnf_router_mirror_config *
vnf_router_mirror_config(const struct vnf_instance *vi)
{
	const struct rt *rt = rt_get(vi);

	return rt != NULL && rt->has_mirror ? &rt->mirror : NULL;
}

unsigned int
vnf_router_n_ifaces(const struct vnf_instance *vi)
{
	const struct rt *rt = rt_get(vi);

	return rt != NULL ? rt->n_ifaces : 0;
}

const char *
vnf_router_iface_name(const struct vnf_instance *vi, uint16_t iface)
{
	const struct rt *rt = rt_get(vi);

	return rt != NULL && iface < rt->n_ifaces ? vi->ifaces[iface].name
						  : NULL;
}

void
vnf_router_iface_mac(const struct vnf_instance *vi, uint16_t iface,
		     uint8_t mac[6])
{
	const struct rt *rt = rt_get(vi);

	if (rt != NULL && iface < rt->n_ifaces)
		memcpy(mac, rt->ifaces[iface].mac.addr_bytes, 6);
	else
		memset(mac, 0, 6);
}

uint16_t
vnf_router_iface_mtu(const struct vnf_instance *vi, uint16_t iface)
{
	const struct rt *rt = rt_get(vi);

	return rt != NULL && iface < rt->n_ifaces
		       ? rt_iface_mtu(&rt->ifaces[iface])
		       : 0;
}

const char *
vnf_router_iface_svi(const struct vnf_instance *vi, uint16_t iface)
{
	const struct rt *rt = rt_get(vi);

	if (rt == NULL || iface >= rt->n_ifaces ||
	    rt->ifaces[iface].svi[0] == '\0')
		return NULL;
	return rt->ifaces[iface].svi;
}

void
vnf_router_iface_config_addrs(const struct vnf_instance *vi, uint16_t iface,
			      void (*fn)(uint8_t family, const uint8_t *addr,
					 uint8_t len, void *arg),
			      void *arg)
{
	const struct rt *rt = rt_get(vi);
	const struct rt_iface *f;
	unsigned int i;

	if (rt == NULL || iface >= rt->n_ifaces)
		return;
	f = &rt->ifaces[iface];
	for (i = 0; i < f->n_cfg; i++)
		fn(f->cfg[i].family, f->cfg[i].addr, f->cfg[i].len, arg);
}

static int
rt_addr_args(struct rt *rt, uint16_t iface, uint8_t family, const uint8_t *addr,
	     uint8_t len)
{
	if (rt == NULL || iface >= rt->n_ifaces || addr == NULL)
		return -EINVAL;
	if (family == AF_INET)
		return len <= 32 ? 0 : -EINVAL;
	if (family == AF_INET6)
		return len <= 128 ? 0 : -EINVAL;
	return -EINVAL;
}

static bool
rt_is_linklocal6(const uint8_t *a)
{
	return a[0] == 0xfe && (a[1] & 0xc0) == 0x80;
}

/* Position of addr in the iface's own copy, or -1. */
static int
rt_addr_find(const struct rt_iface *f, uint8_t family, const uint8_t *addr)
{
	unsigned int i;

	if (family == AF_INET) {
		for (i = 0; i < f->n4; i++)
			if (memcmp(&f->v4[i].addr, addr, 4) == 0)
				return (int)i;
	} else {
		for (i = 0; i < f->n6; i++)
			if (memcmp(f->v6[i].addr, addr, 16) == 0)
				return (int)i;
	}
	return -1;
}

/* The iface's own copy without entry i (the caller publishes). */
static void
rt_addr_remove(struct rt_iface *f, uint8_t family, unsigned int i)
{
	if (family == AF_INET) {
		memmove(&f->v4[i], &f->v4[i + 1],
			(f->n4 - i - 1) * sizeof(f->v4[0]));
		f->n4--;
	} else {
		memmove(&f->v6[i], &f->v6[i + 1],
			(f->n6 - i - 1) * sizeof(f->v6[0]));
		f->n6--;
	}
}

static void
rt_addr_append(struct rt_iface *f, uint8_t family, const uint8_t *addr,
	       uint8_t len)
{
	if (family == AF_INET) {
		struct rt_addr4 *x = &f->v4[f->n4++];

		memcpy(&x->addr, addr, 4);
		x->len = len;
		x->mask = rte_cpu_to_be_32(len == 0 ? 0 : ~0u << (32 - len));
	} else {
		struct rt_addr6 *x = &f->v6[f->n6++];

		memcpy(x->addr, addr, 16);
		x->len = len;
	}
}

/* IPv6 on, for the first IPv6 address: the FIB first, then the flag
 * (release) that lets workers look at it. */
static int
rt_v6_on(struct rt *rt)
{
	int rc;

	if (atomic_load_explicit(&rt->v6, memory_order_relaxed))
		return 0;
	if (rt->fib6.tbl[0] == NULL) {
		rc = rt_fib6_start(rt, 64);
		if (rc < 0)
			return rc;
	}
	atomic_store_explicit(&rt->v6, true, memory_order_release);
	return 0;
}

int
vnf_router_addr_add(struct vnf_instance *vi, uint16_t iface, uint8_t family,
		    const uint8_t *addr, uint8_t len)
{
	struct rt *rt = rt_get(vi);
	struct rt_iface *f;
	int rc, i;

	rc = rt_addr_args(rt, iface, family, addr, len);
	if (rc < 0)
		return rc;
	/* The link-local address stays the EUI-64 one the router answers
	 * for; the kernel's (made from the same MAC) is the same. */
	if (family == AF_INET6 && rt_is_linklocal6(addr))
		return 0;
	f = &rt->ifaces[iface];
	i = rt_addr_find(f, family, addr);
	if (i >= 0) {
		uint8_t old = family == AF_INET ? f->v4[i].len : f->v6[i].len;

		if (old == len)
			return 0; /* the config's, put on the twin at start */
		/* Another prefix length: the address again, anew. */
		rc = vnf_router_addr_del(vi, iface, family, addr, old);
		if (rc < 0)
			return rc;
	}
	if ((family == AF_INET ? f->n4 : f->n6) >= RT_ADDR_MAX)
		return -ENOSPC;
	if (family == AF_INET6) {
		rc = rt_v6_on(rt);
		if (rc < 0)
			return rc;
	}
	/* Workers see the address (ARP/ND answered) before the local route
	 * sends them packets for it. */
	rt_addr_append(f, family, addr, len);
	rc = rt_addrs_publish(rt, f);
	if (rc < 0)
		goto err_copy;
	rc = rt_rib_addr_routes(rt, iface, family, addr, len, true);
	if (rc < 0)
		goto err_routes;
	return 0;

err_routes:
	/* Best effort: out of memory here leaves workers answering ARP for
	 * an address without routes, which the next change repairs. */
	rt_addr_remove(f, family, (unsigned int)rt_addr_find(f, family, addr));
	rt_addrs_publish(rt, f);
	return rc;
err_copy:
	rt_addr_remove(f, family, (unsigned int)rt_addr_find(f, family, addr));
	return rc;
}

int
vnf_router_addr_del(struct vnf_instance *vi, uint16_t iface, uint8_t family,
		    const uint8_t *addr, uint8_t len)
{
	struct rt *rt = rt_get(vi);
	struct rt_iface *f;
	uint8_t had;
	int rc, i;

	rc = rt_addr_args(rt, iface, family, addr, len);
	if (rc < 0)
		return rc;
	if (family == AF_INET6 && rt_is_linklocal6(addr))
		return 0;
	f = &rt->ifaces[iface];
	i = rt_addr_find(f, family, addr);
	if (i < 0)
		return 0; /* gone already: a resync may say it twice */
	had = family == AF_INET ? f->v4[i].len : f->v6[i].len;
	/* The routes first: no packet is sent to an address that workers
	 * no longer know. */
	rc = rt_rib_addr_routes(rt, iface, family, addr, had, false);
	if (rc < 0)
		return rc;
	rt_addr_remove(f, family, (unsigned int)i);
	rc = rt_addrs_publish(rt, f);
	if (rc < 0) {
		/* Keep the copy equal to what workers see. */
		rt_addr_append(f, family, addr, had);
		return rc;
	}
	return 0;
}

int
vnf_router_link_set(struct vnf_instance *vi, uint16_t iface, bool up,
		    uint16_t mtu)
{
	struct rt *rt = rt_get(vi);
	struct rt_iface *f;
	unsigned int removed = 0;
	bool was_down;
	int rc = 0;

	if (rt == NULL || iface >= rt->n_ifaces)
		return -EINVAL;
	if (mtu != 0 && mtu < RTE_ETHER_MIN_MTU)
		return -EINVAL;
	f = &rt->ifaces[iface];
	was_down = rt_iface_down(f);
	if (mtu != 0 && mtu != rt_iface_mtu(f)) {
		atomic_store_explicit(&f->mtu, mtu, memory_order_relaxed);
		if (!was_down)
			rt_nh_iface_mtu(rt, iface, mtu);
	}
	if (!up && !was_down) {
		/* The flag first: the general path drops from now on; then
		 * MTU 0 on the next hops sends the fast path's packets
		 * there too. */
		atomic_store_explicit(&f->down, true, memory_order_relaxed);
		rt_nh_iface_mtu(rt, iface, 0);
		rc = rt_rib_iface_down(rt, iface, &removed);
	} else if (up && was_down) {
		rt_nh_iface_mtu(rt, iface, rt_iface_mtu(f));
		atomic_store_explicit(&f->down, false, memory_order_relaxed);
	}
	return rc;
}

/* ---- twins: punt and inject ------------------------------------------------ */

void
rt_inject_drain(struct rt *rt)
{
	void *objs[64];
	unsigned int n, i;

	while ((n = rte_ring_sc_dequeue_burst(rt->inject, objs, RTE_DIM(objs),
					      NULL)) != 0)
		for (i = 0; i < n; i++)
			rte_pktmbuf_free(objs[i]);
}

struct rte_ring *
vnf_router_twin_attach(struct vnf_instance *vi, int wake_fd)
{
	struct rt *rt = rt_get(vi);

	if (rt == NULL)
		return NULL;
	if (atomic_load_explicit(&rt->twin, memory_order_relaxed))
		return rt->punt; /* attached already: same fd, same ring */
	rt->wake_fd = wake_fd;
	atomic_store_explicit(&rt->punt_armed, false, memory_order_relaxed);
	atomic_store(&rt->punt_reader, true);
	/* Release: wake_fd is set before a worker acts on the flag. */
	atomic_store_explicit(&rt->twin, true, memory_order_release);
	return rt->punt;
}

void
vnf_router_twin_detach(struct vnf_instance *vi)
{
	struct rt *rt = rt_get(vi);

	if (rt == NULL ||
	    !atomic_load_explicit(&rt->twin, memory_order_relaxed))
		return;
	atomic_store_explicit(&rt->twin, false, memory_order_relaxed);
	atomic_store_explicit(&rt->punt_armed, false, memory_order_relaxed);
	/* After this, no worker is still writing wake_fd (the caller may
	 * close it) or taking from the inject ring. */
	rt_grace(rt);
	rt->wake_fd = -1;
	rt_inject_drain(rt);
	rt_punt_drain(rt);
	atomic_store(&rt->punt_reader, false);
}

void
vnf_router_punt_arm(struct vnf_instance *vi)
{
	struct rt *rt = rt_get(vi);

	if (rt == NULL ||
	    !atomic_load_explicit(&rt->twin, memory_order_relaxed))
		return;
	/*
	 * Sequentially consistent, like the fence in rt_punt_wake(): either
	 * the worker that enqueues next sees the flag set, or the reader's
	 * drain after this sees the packet.  Never neither.
	 */
	atomic_store_explicit(&rt->punt_armed, true, memory_order_seq_cst);
}

unsigned int
vnf_router_inject(struct vnf_instance *vi, struct rte_mbuf **m,
		  const uint16_t *iface, unsigned int n)
{
	struct rt *rt = rt_get(vi);
	unsigned int i;

	if (rt == NULL ||
	    !atomic_load_explicit(&rt->twin, memory_order_relaxed))
		return 0;
	/* The iface travels in m->port (an mbuf field the TX path does not
	 * read); the first bad one ends what is queued. */
	for (i = 0; i < n && iface[i] < rt->n_ifaces; i++)
		m[i]->port = iface[i];
	n = rte_ring_sp_enqueue_burst(rt->inject, (void **)m, i, NULL);
	/* A worker resting in interrupt mode has no queue that tells it. */
	if (n != 0 && vnf_wake_workers != NULL)
		vnf_wake_workers();
	return n;
}

void
rt_poll(struct vnf_instance *vi, struct vnf_wctx *w, struct vnf_burst *b)
{
	struct rt *rt = vi->priv;
	unsigned int n, i, k = 0;

	/* Without twins: one load and a branch per worker loop. */
	if (likely(!rt_twin(rt))) {
		b->n = 0;
		return;
	}
	n = rte_ring_mc_dequeue_burst(rt->inject, (void **)b->pkts, b->n, NULL);
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = b->pkts[i];
		uint16_t ifi = m->port;

		/* A frame the router makes itself (INFO "injected"): by a
		 * down iface it is lost, not a fate of a packet handed in. */
		if (unlikely(ifi >= rt->n_ifaces ||
			     rt_iface_down(&rt->ifaces[ifi]))) {
			rte_pktmbuf_free(m);
			w->counters[RT_L_IFACE_DOWN]++;
			continue;
		}
		b->pkts[k] = m;
		b->next[k++] = ifi;
	}
	w->counters[RT_C_INJECTED] += k;
	b->n = (uint16_t)k;
}

void
vnf_router_mirror_hook(struct vnf_instance *vi, json_t *(*fn)(void *arg),
		       void *arg)
{
	struct rt *rt = rt_get(vi);

	if (rt == NULL)
		return;
	rt->mirror_fn = fn;
	rt->mirror_arg = fn != NULL ? arg : NULL;
}

/*
 * show mirror: the mirror's object, with "vnf" first.  A router without a
 * mirror is an error when the request names it, and left out of the list
 * otherwise: `show mirror` alone also lists the port mirrors (vnf/mirror/),
 * which one router without twins must not turn into an error.
 */
int
rt_show_mirror(struct vnf_instance *vi, json_t *args, json_t **reply)
{
	struct rt *rt = vi->priv;
	json_t *o, *m;
	char msg[96];

	*reply = NULL;
	if (rt->mirror_fn == NULL) {
		if (json_object_get(args, "vnf") == NULL)
			return 0;
		snprintf(msg, sizeof(msg), "router %s has no mirror", vi->name);
		*reply = json_string(msg);
		return -ENOENT;
	}
	m = rt->mirror_fn(rt->mirror_arg);
	o = json_pack("{s:s}", "vnf", vi->name);
	if (m == NULL || o == NULL ||
	    (json_is_object(m) && json_object_update(o, m) < 0)) {
		json_decref(m);
		json_decref(o);
		*reply = json_string("out of memory");
		return -ENOMEM;
	}
	if (!json_is_object(m))
		json_object_set(o, "mirror", m);
	json_decref(m);
	*reply = o;
	return 0;
}
