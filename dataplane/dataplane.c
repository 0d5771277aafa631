/* SPDX-License-Identifier: BSD-3-Clause
 *
 * dataplane.c - build and tear down ports, VNF instances, the graph and
 * the workers from a config.  Control thread only.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "dataplane/dataplane.h"
#include "dataplane/rcu.h"

struct nfv_dataplane nfv_dp;

static struct nfv_ep
nfv_ep_from_config(const struct ctl_endpoint *e)
{
	struct nfv_ep ep = {0};

	ep.kind = e->is_port ? NFV_EP_PORT : NFV_EP_VNF;
	ep.idx = (uint16_t)e->index;
	ep.iface = (uint16_t)e->iface;
	return ep;
}

static void
nfv_graph_link(struct nfv_graph *g, struct nfv_ep from, struct nfv_ep to)
{
	if (from.kind == NFV_EP_PORT)
		g->port_peer[from.idx] = to;
	else
		g->iface_peer[from.idx][from.iface] = to;
}

static struct nfv_graph *
nfv_graph_build(const struct ctl_config *cfg)
{
	struct nfv_graph *g = nfv_graph_alloc();
	unsigned int i;

	if (g == NULL)
		return NULL;
	g->n_ports = (uint16_t)nfv_dp.n_ports;
	g->n_vnfs = (uint16_t)nfv_dp.n_vnfs;
	for (i = 0; i < nfv_dp.n_vnfs; i++)
		g->vnfs[i] = nfv_dp.vnfs[i];
	for (i = 0; i < cfg->n_links; i++) {
		struct nfv_ep a = nfv_ep_from_config(&cfg->links[i].a);
		struct nfv_ep b = nfv_ep_from_config(&cfg->links[i].b);

		nfv_graph_link(g, a, b);
		nfv_graph_link(g, b, a);
	}
	return g;
}

static unsigned int
nfv_pool_size(const struct ctl_config *cfg, unsigned int n_workers)
{
	unsigned int i, n = 0;

	if (cfg->dataplane.mbufs != 0)
		return cfg->dataplane.mbufs;
	for (i = 0; i < cfg->n_ports; i++)
		n += nfv_port_mbufs_needed(&cfg->ports[i], n_workers);
	/* Flood copies in flight, mempool caches, and headroom. */
	n += n_workers * (VNF_EMIT_MAX + 2 * RTE_MEMPOOL_CACHE_MAX_SIZE);
	n += 4096;
	return RTE_MAX(n, 8192u);
}

static int
nfv_workers_setup(char *err, size_t errlen)
{
	unsigned int lcore, w = 0, i, q, next = 0;

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
		w++;
	}
	if (w < nfv_dp.n_workers) {
		snprintf(err, errlen, "%u workers configured but EAL gave %u worker lcores",
			 nfv_dp.n_workers, w);
		return -EINVAL;
	}

	/* RX queues round-robin over the workers; each worker sends on its
	 * own TX queue of every port, sharing (under a lock) only when a
	 * port has fewer TX queues than there are workers. */
	for (i = 0; i < nfv_dp.n_ports; i++) {
		struct nfv_port *p = &nfv_dp.ports[i];

		for (q = 0; q < p->nb_rxq; q++) {
			struct nfv_worker *wk =
				&nfv_dp.workers[next++ % nfv_dp.n_workers];

			if (wk->n_rxq == RTE_DIM(wk->rxq)) {
				snprintf(err, errlen, "too many RX queues for %u workers",
					 nfv_dp.n_workers);
				return -E2BIG;
			}
			wk->rxq[wk->n_rxq].port = (uint16_t)i;
			wk->rxq[wk->n_rxq].eth_port = p->eth_port;
			wk->rxq[wk->n_rxq].queue = (uint16_t)q;
			wk->n_rxq++;
		}
		for (w = 0; w < nfv_dp.n_workers; w++) {
			struct nfv_txbuf *tb = &nfv_dp.workers[w].ctx->tx[i];

			tb->eth_port = p->eth_port;
			tb->queue = (uint16_t)(w % p->nb_txq);
			tb->lock = (nfv_dp.n_workers > p->nb_txq &&
				    p->cfg->type != CTL_PORT_VHOST_USER) ?
					   &p->txq_lock[tb->queue] :
					   NULL;
		}
	}
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

	n_mbufs = nfv_pool_size(cfg, nfv_dp.n_workers);
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
				     nfv_dp.pool, perr, sizeof(perr));
		if (rc < 0) {
			snprintf(err, errlen, "port %s: %s", cfg->ports[i].name,
				 perr);
			return rc;
		}
		nfv_dp.n_ports = i + 1;
		atomic_store(&nfv_port_link_up[i], nfv_dp.ports[i].link_up);
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
	g = nfv_graph_build(cfg);
	if (g == NULL) {
		snprintf(err, errlen, "out of memory for the graph");
		return -ENOMEM;
	}
	nfv_graph_publish(g);
	return 0;
}

void
nfv_dataplane_destroy(void)
{
	struct nfv_graph *g;
	unsigned int i, avail, size;

	/* Workers are stopped: nobody reads the graph any more. */
	g = atomic_exchange(&nfv_graph_cur, NULL);
	nfv_graph_free(g);
	for (i = 0; i < nfv_dp.n_workers; i++) {
		if (nfv_dp.workers[i].ctx != NULL)
			nfv_graph_discard(nfv_dp.workers[i].ctx);
	}
	for (i = 0; i < nfv_dp.n_ports; i++)
		nfv_port_destroy(&nfv_dp.ports[i]);
	nfv_dp.n_ports = 0;
	for (i = 0; i < nfv_dp.n_vnfs; i++)
		vnf_instance_destroy(nfv_dp.vnfs[i]);
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
	for (i = 0; i < nfv_dp.n_workers; i++) {
		rte_free(nfv_dp.workers[i].ctx);
		nfv_dp.workers[i].ctx = NULL;
	}
}

void
nfv_dataplane_periodic(void)
{
	uint64_t now = rte_rdtsc();
	unsigned int i;

	for (i = 0; i < nfv_dp.n_ports; i++)
		if (nfv_port_poll_link(&nfv_dp.ports[i]))
			atomic_store_explicit(&nfv_port_link_up[i],
					      nfv_dp.ports[i].link_up,
					      memory_order_relaxed);
	for (i = 0; i < nfv_dp.n_vnfs; i++)
		if (nfv_dp.vnfs[i]->ops->periodic != NULL)
			nfv_dp.vnfs[i]->ops->periodic(nfv_dp.vnfs[i], now);
	nfv_rcu_reclaim();
}
