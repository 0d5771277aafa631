/* SPDX-License-Identifier: BSD-3-Clause
 *
 * dataplane.c - build and tear down ports, VNF instances, the graph and
 * the workers from a config.  Control thread only.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "dataplane/dataplane.h"
#include "vnf/lib/rcu.h"
#include "vnf/router/router.h"
#include "vnf/vxlan/evpn.h"

struct nfv_dataplane nfv_dp;

/*
 * Fill g->wrx: which RX queues each worker polls.  A queue keeps the worker
 * it had in `old` (two workers must never poll one queue, and during a
 * switch-over some workers still run the old snapshot); queues of port
 * `drop` are left out; queues not in `old` go to the least loaded worker.
 */
static int
nfv_graph_assign_rx(struct nfv_graph *g, const struct nfv_graph *old, int drop,
		    char *err, size_t errlen)
{
	unsigned int nw = nfv_dp.n_workers, i, w, q;

	g->wrx = rte_zmalloc("nfv_wrx", nw * sizeof(*g->wrx),
			     RTE_CACHE_LINE_SIZE);
	if (g->wrx == NULL) {
		snprintf(err, errlen, "out of memory for the RX queue lists");
		return -ENOMEM;
	}
	for (w = 0; old != NULL && old->wrx != NULL && w < nw; w++) {
		for (i = 0; i < old->wrx[w].n; i++) {
			if (old->wrx[w].q[i].port == drop)
				continue;
			g->wrx[w].q[g->wrx[w].n++] = old->wrx[w].q[i];
		}
	}
	for (i = 0; i < nfv_dp.n_ports; i++) {
		const struct nfv_port *p = &nfv_dp.ports[i];

		if (!nfv_port_in_use(p) || (int)i == drop)
			continue;
		if (old != NULL && old->wrx != NULL) {
			bool known = false;

			for (w = 0; w < nw && !known; w++)
				for (q = 0; q < old->wrx[w].n && !known; q++)
					known = old->wrx[w].q[q].port == i;
			if (known)
				continue;
		}
		for (q = 0; q < p->nb_rxq; q++) {
			struct nfv_wrx *rx = &g->wrx[0];

			for (w = 1; w < nw; w++)
				if (g->wrx[w].n < rx->n)
					rx = &g->wrx[w];
			if (rx->n == NFV_MAX_RXQ) {
				snprintf(err, errlen, "too many RX queues for %u workers",
					 nw);
				return -E2BIG;
			}
			rx->q[rx->n].port = (uint16_t)i;
			rx->q[rx->n].queue = (uint16_t)q;
			rx->n++;
		}
	}
	return 0;
}

static struct nfv_ep
nfv_ep_from_config(const struct ctl_endpoint *e)
{
	struct nfv_ep ep = {0};

	ep.kind = e->is_port ? NFV_EP_PORT : NFV_EP_VNF;
	ep.idx = (uint16_t)e->index;
	ep.iface = (uint16_t)e->iface;
	return ep;
}

static struct nfv_ep *
nfv_graph_peer(struct nfv_graph *g, struct nfv_ep at)
{
	return at.kind == NFV_EP_PORT ? &g->port_peer[at.idx]
				      : &g->iface_peer[at.idx][at.iface];
}

static void
nfv_graph_link(struct nfv_graph *g, struct nfv_ep a, struct nfv_ep b)
{
	*nfv_graph_peer(g, a) = b;
	*nfv_graph_peer(g, b) = a;
}

static struct nfv_graph *
nfv_graph_build(const struct ctl_config *cfg, char *err, size_t errlen)
{
	struct nfv_graph *g = nfv_graph_alloc();
	unsigned int i;

	if (g == NULL) {
		snprintf(err, errlen, "out of memory for the graph");
		return NULL;
	}
	g->n_ports = (uint16_t)nfv_dp.n_ports;
	g->n_vnfs = (uint16_t)nfv_dp.n_vnfs;
	for (i = 0; i < nfv_dp.n_vnfs; i++)
		g->vnfs[i] = nfv_dp.vnfs[i];
	for (i = 0; i < cfg->n_links; i++)
		nfv_graph_link(g, nfv_ep_from_config(&cfg->links[i].a),
			       nfv_ep_from_config(&cfg->links[i].b));
	nfv_graph_poll_index(g);
	if (nfv_graph_assign_rx(g, NULL, -1, err, errlen) < 0) {
		nfv_graph_free(g);
		return NULL;
	}
	return g;
}

/* The config loader's floor of dataplane.mbufs counts with these. */
_Static_assert(CTL_MBUF_TXBUF == NFV_TXBUF, "CTL_MBUF_TXBUF");
_Static_assert(CTL_MBUF_EMIT == VNF_EMIT_MAX, "CTL_MBUF_EMIT");
_Static_assert(CTL_MBUF_CACHE == RTE_MEMPOOL_CACHE_MAX_SIZE, "CTL_MBUF_CACHE");

static unsigned int
nfv_pool_size(const struct ctl_config *cfg)
{
	/* The loader refused fewer than ctl_config_mbufs_min(). */
	if (cfg->dataplane.mbufs != 0)
		return cfg->dataplane.mbufs;
	/* The floor and headroom for bursts between the rings. */
	return RTE_MAX(ctl_config_mbufs_min(cfg) + 3072, 8192u);
}

/*
 * The own mbuf pool of an af_xdp port that was destroyed (port.c's
 * nfv_port_xdp_pool() says why it has one): it can go once every mbuf
 * not kept by the driver's fill rings is back.  Control thread only.
 */
struct nfv_xdp_pool {
	struct nfv_xdp_pool *next;
	struct rte_mempool *mp;
	unsigned int fill;
	char port[CTL_NAME_MAX];
};

/*
 * Free the pool if every mbuf is accounted: back, or one of the `fill`
 * that DPDK 22.11's af_xdp driver posted to its fill rings and keeps when
 * the port closes.  `last`: nfvd is ending, nothing can give an mbuf back
 * any more; what is missing then is a leak, said as such, and the pool
 * goes anyway.  Returns true when the pool was freed.
 */
static bool
nfv_xdp_pool_release(struct nfv_xdp_pool *xp, bool last)
{
	unsigned int used = nfv_pool_in_use(xp->mp), size = xp->mp->size;

	if (used <= xp->fill) {
		NFV_LOG(INFO, main,
			"port %s: %u mbufs stayed in the af_xdp driver's fill "
			"ring (DPDK 22.11 keeps them when the port closes), "
			"freed with the port's own pool; its other %u came "
			"back",
			xp->port, used, size - used);
		nfv_dp.xdp_kept += used;
	} else if (last) {
		NFV_LOG(ERR, main,
			"port %s: %u of %u mbufs of its own pool not "
			"returned, besides the %u its af_xdp fill ring kept",
			xp->port, used - xp->fill, size, xp->fill);
		nfv_dp.xdp_kept += xp->fill;
		nfv_dp.xdp_lost += used - xp->fill;
	} else {
		return false;
	}
	rte_mempool_free(xp->mp);
	rte_free(xp);
	return true;
}

/* Free the retired af_xdp pools that can go (all of them when `last`). */
static void
nfv_xdp_pools_reap(bool last)
{
	struct nfv_xdp_pool **pp = &nfv_dp.xdp_pools, *xp;

	while ((xp = *pp) != NULL) {
		*pp = xp->next;
		if (!nfv_xdp_pool_release(xp, last)) {
			xp->next = *pp;
			*pp = xp;
			pp = &xp->next;
		}
	}
}

/*
 * Destroy port i and retire its own pool, if it has one.  Without the
 * memory for the record the pool is freed at once: its mbufs then are
 * counted as kept, unchecked (an allocation of a few bytes failed).
 */
static void
nfv_port_close(unsigned int i)
{
	struct nfv_port *p = &nfv_dp.ports[i];
	struct nfv_xdp_pool *xp;

	nfv_port_destroy(p);
	if (p->pool == NULL)
		return;
	xp = rte_zmalloc("nfv_xdp_pool", sizeof(*xp), 0);
	if (xp == NULL) {
		NFV_LOG(WARNING, main,
			"port %s: out of memory; its own mbuf pool is freed "
			"unchecked",
			p->name);
		nfv_dp.xdp_kept += nfv_pool_in_use(p->pool);
		rte_mempool_free(p->pool);
	} else {
		xp->mp = p->pool;
		xp->fill = p->pool_fill;
		snprintf(xp->port, sizeof(xp->port), "%s", p->name);
		xp->next = nfv_dp.xdp_pools;
		nfv_dp.xdp_pools = xp;
	}
	p->pool = NULL;
}

/* Before a snapshot names port i: its ethdev for the workers, and every
 * worker's TX buffer for it pointed at the port's TX queue.  The
 * snapshot's release store publishes all of it. */
static void
nfv_port_tx_setup(unsigned int i)
{
	struct nfv_port *p = &nfv_dp.ports[i];
	unsigned int w;

	nfv_port_fp[i].eth_port = p->eth_port;
	nfv_port_fp[i].wake = p->wake;
	for (w = 0; w < nfv_dp.n_workers; w++) {
		struct nfv_wctx *c = nfv_dp.workers[w].ctx;
		struct nfv_txbuf *tb = &c->tx[i];

		tb->n = 0;
		tb->queue = (uint16_t)(w % p->nb_txq);
		/* vhost-user queues have their own lock in the library. */
		tb->lock = (nfv_dp.n_workers > p->nb_txq &&
			    p->cfg->type != CTL_PORT_VHOST_USER) ?
				   &p->txq_lock[tb->queue] :
				   NULL;
		memset(&c->pstats[i], 0, sizeof(c->pstats[i]));
	}
}

/* At start: which RX queues each worker polls (a flow stays with the
 * worker of its queue; docs/architecture.md). */
static void
nfv_workers_log_rx(const struct nfv_graph *g)
{
	unsigned int w, i;

	for (w = 0; w < nfv_dp.n_workers; w++) {
		char list[512];
		size_t off = 0;

		list[0] = '\0';
		for (i = 0; i < g->wrx[w].n && off < sizeof(list); i++)
			off += (size_t)snprintf(
				list + off, sizeof(list) - off, "%s%s:%u",
				i ? ", " : "",
				nfv_dp.ports[g->wrx[w].q[i].port].name,
				g->wrx[w].q[i].queue);
		NFV_LOG(INFO, main, "worker %u (CPU %d) polls RX queues %s", w,
			rte_lcore_to_cpu_id((int)nfv_dp.workers[w].lcore),
			off ? list : "none");
	}
}

/*
 * dataplane.share_cpus: say once, at start, where every poller runs.  Two
 * pollers on one CPU take turns at the scheduler's pace (milliseconds),
 * so what such a run measures is the method, not the speed.
 */
static void
nfv_workers_warn_shared(void)
{
	char where[512];
	size_t off = 0;
	unsigned int w;

	where[0] = '\0';
	for (w = 0; w < nfv_dp.n_workers && off < sizeof(where); w++)
		off += (size_t)snprintf(
			where + off, sizeof(where) - off,
			"worker %u on CPU %d, ", w,
			rte_lcore_to_cpu_id((int)nfv_dp.workers[w].lcore));
	NFV_LOG(WARNING, main,
		"dataplane.share_cpus: %smain thread on CPU %d: workers may "
		"share CPUs with each other and the main thread; for tests "
		"only, figures measured so are not scaling figures",
		where, rte_lcore_to_cpu_id((int)rte_get_main_lcore()));
}

static int
nfv_workers_setup(char *err, size_t errlen)
{
	unsigned int lcore, w = 0, i;
	int rc;

	RTE_LCORE_FOREACH_WORKER(lcore) {
		if (w == nfv_dp.n_workers)
			break;
		nfv_dp.workers[w].lcore = lcore;
		nfv_dp.workers[w].ctx = rte_zmalloc_socket(
			"nfv_wctx", sizeof(struct nfv_wctx), RTE_CACHE_LINE_SIZE,
			(int)rte_lcore_to_socket_id(lcore));
		if (nfv_dp.workers[w].ctx == NULL) {
			snprintf(err, errlen, "out of memory for worker %u", w);
			return -ENOMEM;
		}
		nfv_dp.workers[w].ctx->id = w;
		nfv_dp.workers[w].ctx->pool = nfv_dp.pool;
		nfv_dp.workers[w].ctx->tx_burst = rte_eth_tx_burst;
		rc = nfv_idle_init(&nfv_dp.workers[w].idle, w,
				   nfv_dp.cfg->dataplane.idle,
				   nfv_dp.cfg->dataplane.idle_sleep_max_us);
		if (rc < 0) {
			snprintf(err, errlen, "worker %u: wake-up eventfd: %s",
				 w, strerror(-rc));
			return rc;
		}
		vnf_wake_workers = nfv_idle_wake_all;
		w++;
	}
	if (w < nfv_dp.n_workers) {
		snprintf(err, errlen, "%u workers configured but EAL gave %u worker lcores",
			 nfv_dp.n_workers, w);
		return -EINVAL;
	}

	for (i = 0; i < nfv_dp.n_ports; i++)
		nfv_port_tx_setup(i);
	if (nfv_dp.cfg->dataplane.share_cpus)
		nfv_workers_warn_shared();
	return 0;
}

int
nfv_dataplane_create(struct ctl_config *cfg, char *err, size_t errlen)
{
	unsigned int i, n_mbufs;
	struct nfv_graph *g;
	int rc;

	nfv_dp.cfg = cfg;
	nfv_dp.n_workers = cfg->dataplane.workers;
	if (cfg->n_ports > NFV_MAX_PORTS || cfg->n_vnfs > NFV_MAX_VNFS ||
	    nfv_dp.n_workers > NFV_MAX_WORKERS) {
		snprintf(err, errlen, "at most %d ports, %d vnfs, %d workers",
			 NFV_MAX_PORTS, NFV_MAX_VNFS, NFV_MAX_WORKERS);
		return -E2BIG;
	}
	rc = nfv_rcu_init(nfv_dp.n_workers);
	if (rc < 0) {
		snprintf(err, errlen, "RCU: %s", strerror(-rc));
		return rc;
	}

	n_mbufs = nfv_pool_size(cfg);
	nfv_dp.pool = rte_pktmbuf_pool_create("nfv_mbufs", n_mbufs,
					      RTE_MEMPOOL_CACHE_MAX_SIZE, 0,
					      RTE_MBUF_DEFAULT_BUF_SIZE,
					      (int)rte_socket_id());
	if (nfv_dp.pool == NULL) {
		snprintf(err, errlen,
			 "cannot allocate %u mbufs: %s (raise dataplane.memory)",
			 n_mbufs, rte_strerror(rte_errno));
		return -ENOMEM;
	}

	for (i = 0; i < cfg->n_ports; i++) {
		char perr[256];

		rc = nfv_port_create(&nfv_dp.ports[i], (uint16_t)i,
				     &cfg->ports[i], nfv_dp.n_workers,
				     cfg->dataplane.idle, nfv_dp.pool, n_mbufs,
				     perr, sizeof(perr));
		if (rc < 0) {
			snprintf(err, errlen, "port %s: %s", cfg->ports[i].name,
				 perr);
			return rc;
		}
		nfv_dp.n_ports = i + 1;
	}
	for (i = 0; i < cfg->n_vnfs; i++) {
		rc = vnf_instance_create(&cfg->vnfs[i], (uint16_t)i,
					 nfv_dp.n_workers, nfv_rcu(),
					 &nfv_dp.vnfs[i], err, errlen);
		if (rc < 0)
			return rc;
		nfv_dp.n_vnfs = i + 1;
	}
	rc = nfv_workers_setup(err, errlen);
	if (rc < 0)
		return rc;
	g = nfv_graph_build(cfg, err, errlen);
	if (g == NULL)
		return -ENOMEM;
	nfv_workers_log_rx(g);
	nfv_graph_publish(g);
	return 0;
}

int
nfv_mirrors_start(char *err, size_t errlen)
{
	unsigned int i;
	int rc;

	for (i = 0; i < nfv_dp.n_vnfs; i++) {
		struct vnf_instance *vi = nfv_dp.vnfs[i];

		if (vx_evpn_is(vi)) {
			rc = ctl_evpn_start(vi, &nfv_dp.evpns[i], err, errlen);
			if (rc < 0)
				return rc;
			continue;
		}
		if (!vnf_router_is(vi) || vnf_router_mirror_config(vi) == NULL)
			continue;
		rc = ctl_mirror_start(vi, &nfv_dp.mirrors[i], err, errlen);
		if (rc < 0)
			return rc;
	}
	return 0;
}

void
nfv_dataplane_destroy(void)
{
	struct nfv_graph *g;
	unsigned int i, avail = 0, size = 0;

	/* The twins go while their routers still exist; the mirrors' mbuf
	 * pools once no port or router can hold one of their mbufs. */
	for (i = 0; i < nfv_dp.n_vnfs; i++) {
		ctl_mirror_stop(nfv_dp.mirrors[i]);
		/* Its devices and the VNF's hook go while the VNF exists. */
		ctl_evpn_free(nfv_dp.evpns[i]);
		nfv_dp.evpns[i] = NULL;
	}
	/* Workers are stopped: nobody reads the graph any more. */
	g = atomic_exchange(&nfv_graph_cur, NULL);
	nfv_graph_free(g);
	for (i = 0; i < nfv_dp.n_workers; i++) {
		if (nfv_dp.workers[i].ctx != NULL)
			nfv_graph_discard(nfv_dp.workers[i].ctx);
	}
	for (i = 0; i < nfv_dp.n_ports; i++) {
		nfv_port_close(i);
		ctl_config_free(nfv_dp.port_cfg[i]);
		nfv_dp.port_cfg[i] = NULL;
	}
	nfv_dp.n_ports = 0;
	for (i = 0; i < nfv_dp.n_vnfs; i++)
		vnf_instance_destroy(nfv_dp.vnfs[i]);
	for (i = 0; i < nfv_dp.n_vnfs; i++) {
		ctl_mirror_free(nfv_dp.mirrors[i]);
		nfv_dp.mirrors[i] = NULL;
	}
	nfv_dp.n_vnfs = 0;
	nfv_rcu_fini();
	if (nfv_dp.pool != NULL) {
		avail = rte_mempool_avail_count(nfv_dp.pool);
		size = nfv_dp.pool->size;
		if (avail == size)
			NFV_LOG(INFO, main, "all %u mbufs back in their pool",
				size);
		else
			NFV_LOG(ERR, main, "%u of %u mbufs not returned",
				size - avail, size);
		rte_mempool_free(nfv_dp.pool);
		nfv_dp.pool = NULL;
	}
	/* No VNF or port is left to give an mbuf back. */
	nfv_xdp_pools_reap(true);
	if (nfv_dp.xdp_kept != 0 || nfv_dp.xdp_lost != 0) {
		if (avail == size && nfv_dp.xdp_lost == 0)
			NFV_LOG(INFO, main,
				"every mbuf accounted: %u stayed in af_xdp "
				"fill rings and were freed with their ports' "
				"pools, all others came back",
				nfv_dp.xdp_kept);
		else
			NFV_LOG(ERR, main,
				"not every mbuf accounted: %u of af_xdp ports' "
				"pools and %u of the shared pool not returned",
				nfv_dp.xdp_lost, size - avail);
	}
	nfv_dp.xdp_kept = 0;
	nfv_dp.xdp_lost = 0;
	for (i = 0; i < nfv_dp.n_workers; i++) {
		rte_free(nfv_dp.workers[i].ctx);
		nfv_dp.workers[i].ctx = NULL;
		nfv_idle_fini(i);
	}
}

void
nfv_dataplane_periodic(void)
{
	uint64_t now = rte_rdtsc();
	unsigned int i;

	/* A change is published in nfv_port_fp[i].link_up. */
	for (i = 0; i < nfv_dp.n_ports; i++)
		if (nfv_port_in_use(&nfv_dp.ports[i]))
			nfv_port_poll_link(&nfv_dp.ports[i]);
	nfv_dataplane_rebind();
	for (i = 0; i < nfv_dp.n_vnfs; i++)
		if (nfv_dp.vnfs[i]->ops->periodic != NULL)
			nfv_dp.vnfs[i]->ops->periodic(nfv_dp.vnfs[i], now);
	nfv_rcu_reclaim();
	nfv_xdp_pools_reap(false);
}

bool
nfv_dataplane_quiet(void)
{
	static uint64_t last_pkts = UINT64_MAX;
	uint64_t pkts = 0;
	unsigned int w;
	bool quiet;

	if (nfv_dp.cfg == NULL || nfv_dp.cfg->dataplane.idle == CTL_IDLE_POLL)
		return false;
	for (w = 0; w < nfv_dp.n_workers; w++)
		pkts += nfv_dp.workers[w].pkts;
	quiet = pkts == last_pkts;
	last_pkts = pkts;
	return quiet;
}

/* Find an endpoint by name: a port, or VNF.IFACE. */
static int
nfv_ep_lookup(const char *name, struct nfv_ep *ep)
{
	const char *dot = strchr(name, '.');
	unsigned int i;
	int ifc;

	for (i = 0; dot == NULL && i < nfv_dp.n_ports; i++) {
		if (nfv_port_in_use(&nfv_dp.ports[i]) &&
		    strcmp(nfv_dp.ports[i].name, name) == 0) {
			*ep = (struct nfv_ep){.kind = NFV_EP_PORT,
					      .idx = (uint16_t)i};
			return 0;
		}
	}
	for (i = 0; dot != NULL && i < nfv_dp.n_vnfs; i++) {
		const struct vnf_instance *vi = nfv_dp.vnfs[i];

		if (strlen(vi->name) != (size_t)(dot - name) ||
		    strncmp(vi->name, name, (size_t)(dot - name)) != 0)
			continue;
		ifc = vnf_iface_index(vi, dot + 1);
		if (ifc < 0)
			return -ENOENT;
		*ep = (struct nfv_ep){.kind = NFV_EP_VNF, .idx = (uint16_t)i,
				      .iface = (uint16_t)ifc};
		return 0;
	}
	return -ENOENT;
}

static bool
nfv_name_taken(const char *name)
{
	unsigned int i;

	for (i = 0; i < nfv_dp.n_ports; i++)
		if (nfv_port_in_use(&nfv_dp.ports[i]) &&
		    strcmp(nfv_dp.ports[i].name, name) == 0)
			return true;
	for (i = 0; i < nfv_dp.n_vnfs; i++)
		if (strcmp(nfv_dp.vnfs[i]->name, name) == 0)
			return true;
	return false;
}

static bool
nfv_path_taken(const char *path)
{
	unsigned int i;

	for (i = 0; path != NULL && i < nfv_dp.n_ports; i++) {
		const struct nfv_port *p = &nfv_dp.ports[i];

		if (nfv_port_in_use(p) && p->cfg->path != NULL &&
		    strcmp(p->cfg->path, path) == 0)
			return true;
	}
	return false;
}

/*
 * Is `path` nfvd's own control socket, under any name?  A port on it
 * would replace (and at its end remove) the socket nfvctl reaches nfvd by.
 * The loader of `port add` compares with the default control socket only.
 */
static bool
nfv_path_is_control_socket(const char *path)
{
	const char *ctl = nfv_dp.cfg != NULL ? nfv_dp.cfg->control.socket : NULL;
	struct stat a, b;

	if (path == NULL || ctl == NULL)
		return false;
	if (strcmp(path, ctl) == 0)
		return true;
	return stat(path, &a) == 0 && stat(ctl, &b) == 0 &&
	       a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

int
nfv_dataplane_port_add(struct ctl_config *cfg, const char *link, char *err,
		       size_t errlen)
{
	const struct nfv_graph *cur = nfv_graph_current();
	const struct ctl_port_config *pc = &cfg->ports[0];
	struct nfv_ep self, peer = {0};
	struct nfv_graph *g;
	char perr[256];
	unsigned int i;
	int rc;

	if (cfg->n_ports != 1) {
		snprintf(err, errlen, "port add: exactly one port");
		rc = -EINVAL;
		goto err_cfg;
	}
	if (nfv_name_taken(pc->name)) {
		snprintf(err, errlen, "port add: the name %s is taken", pc->name);
		rc = -EEXIST;
		goto err_cfg;
	}
	if (nfv_path_is_control_socket(pc->path)) {
		snprintf(err, errlen, "port add: %s is nfvd's control socket",
			 pc->path);
		rc = -EEXIST;
		goto err_cfg;
	}
	if (nfv_path_taken(pc->path)) {
		snprintf(err, errlen, "port add: %s is used by another port",
			 pc->path);
		rc = -EEXIST;
		goto err_cfg;
	}
	if (link != NULL) {
		if (nfv_ep_lookup(link, &peer) < 0) {
			snprintf(err, errlen, "port add: no port or VNF iface %s",
				 link);
			rc = -ENOENT;
			goto err_cfg;
		}
		if ((peer.kind == NFV_EP_PORT ? cur->port_peer[peer.idx]
					      : cur->iface_peer[peer.idx][peer.iface])
			    .kind != NFV_EP_NONE) {
			snprintf(err, errlen, "port add: %s is already linked",
				 link);
			rc = -EBUSY;
			goto err_cfg;
		}
	}
	for (i = 0; i < NFV_MAX_PORTS; i++)
		if (!nfv_port_in_use(&nfv_dp.ports[i]))
			break;
	if (i == NFV_MAX_PORTS) {
		snprintf(err, errlen, "port add: at most %d ports", NFV_MAX_PORTS);
		rc = -E2BIG;
		goto err_cfg;
	}

	rc = nfv_port_create(&nfv_dp.ports[i], (uint16_t)i, pc,
			     nfv_dp.n_workers, nfv_dp.cfg->dataplane.idle,
			     nfv_dp.pool, nfv_pool_size(nfv_dp.cfg), perr,
			     sizeof(perr));
	if (rc < 0) {
		snprintf(err, errlen, "port %s: %s", pc->name, perr);
		memset(&nfv_dp.ports[i], 0, sizeof(nfv_dp.ports[i]));
		goto err_cfg;
	}
	nfv_dp.port_cfg[i] = cfg;
	if (i >= nfv_dp.n_ports)
		nfv_dp.n_ports = i + 1;
	/* Workers do not touch slot i before a snapshot names the port. */
	nfv_port_tx_setup(i);

	g = nfv_graph_clone(cur);
	if (g == NULL) {
		rc = -ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto err_port;
	}
	g->n_ports = (uint16_t)nfv_dp.n_ports;
	self = (struct nfv_ep){.kind = NFV_EP_PORT, .idx = (uint16_t)i};
	g->port_peer[i] = (struct nfv_ep){0};
	if (link != NULL)
		nfv_graph_link(g, self, peer);
	rc = nfv_graph_assign_rx(g, cur, -1, err, errlen);
	if (rc < 0) {
		nfv_graph_free(g);
		goto err_port;
	}
	nfv_graph_publish(g);
	NFV_LOG(NOTICE, port, "port %s added%s%s", pc->name,
		link ? ", linked to " : "", link ? link : "");
	return 0;

err_port:
	nfv_port_close(i);
	nfv_xdp_pools_reap(false);
	memset(&nfv_dp.ports[i], 0, sizeof(nfv_dp.ports[i]));
	nfv_dp.port_cfg[i] = NULL;
err_cfg:
	ctl_config_free(cfg);
	return rc;
}

int
nfv_dataplane_port_del(const char *name, char *err, size_t errlen)
{
	const struct nfv_graph *cur = nfv_graph_current();
	struct nfv_ep ep;
	struct nfv_graph *g;
	unsigned int v, f, i;
	int rc;

	if (strchr(name, '.') != NULL || nfv_ep_lookup(name, &ep) < 0) {
		snprintf(err, errlen, "no port named %s", name);
		return -ENOENT;
	}
	g = nfv_graph_clone(cur);
	if (g == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	/* Unlink it from both sides. */
	g->port_peer[ep.idx] = (struct nfv_ep){0};
	for (i = 0; i < g->n_ports; i++)
		if (g->port_peer[i].kind == NFV_EP_PORT &&
		    g->port_peer[i].idx == ep.idx)
			g->port_peer[i] = (struct nfv_ep){0};
	for (v = 0; v < g->n_vnfs; v++)
		for (f = 0; f < VNF_MAX_IFACES; f++)
			if (g->iface_peer[v][f].kind == NFV_EP_PORT &&
			    g->iface_peer[v][f].idx == ep.idx)
				g->iface_peer[v][f] = (struct nfv_ep){0};
	rc = nfv_graph_assign_rx(g, cur, ep.idx, err, errlen);
	if (rc < 0) {
		nfv_graph_free(g);
		return rc;
	}
	nfv_graph_publish(g);
	/* Once every worker has passed a quiescent state no worker polls
	 * the port or holds a packet for it (TX buffers are flushed before
	 * each quiescent report): the device can go. */
	nfv_rcu_synchronize();
	nfv_port_close(ep.idx);
	/* Its own pool goes now if none of its mbufs is elsewhere (in a
	 * VNF's queue, another port's ring), else from the housekeeping. */
	nfv_xdp_pools_reap(false);
	memset(&nfv_dp.ports[ep.idx], 0, sizeof(nfv_dp.ports[ep.idx]));
	ctl_config_free(nfv_dp.port_cfg[ep.idx]);
	nfv_dp.port_cfg[ep.idx] = NULL;
	/* No snapshot names the slot any more (the grace period above):
	 * relaxed, like every store of it. */
	atomic_store_explicit(&nfv_port_fp[ep.idx].link_up, false,
			      memory_order_relaxed);
	NFV_LOG(NOTICE, port, "port %s removed", name);
	return 0;
}
