/* SPDX-License-Identifier: BSD-3-Clause
 *
 * worker.c - the poll-mode loop.
 *
 * Each worker polls its RX queues in turn, runs what it received through
 * the graph, flushes its TX buffers, and reports a quiescent state; one
 * iteration never holds a graph pointer into the next.  No locks, no
 * logging, no allocation.  When the queues stay empty, dataplane.idle
 * decides whether the worker spins on, sleeps or blocks (idle.h).
 */
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>

#include "dataplane/dataplane.h"
#include "dataplane/vhost_io.h"
#include "vnf/lib/rcu.h"

atomic_bool nfv_stopping;

static int
nfv_worker_main(void *arg)
{
	struct nfv_worker *wk = arg;
	struct nfv_wctx *w = wk->ctx;
	struct rte_rcu_qsbr *rcu = nfv_rcu();
	struct rte_mbuf *pkts[NFV_BURST];
	unsigned int i;

	nfv_rcu_worker_online(w->id);
	nfv_idle_worker_start(&wk->idle);
	while (!atomic_load_explicit(&nfv_stopping, memory_order_relaxed)) {
		const struct nfv_graph *g = nfv_graph_get();
		const struct nfv_wrx *rx = &g->wrx[w->id];
		uint64_t t0 = rte_rdtsc();
		uint32_t got = 0;

		w->now = t0;
		for (i = 0; i < rx->n; i++) {
			const struct nfv_rxq *q = &rx->q[i];
			uint16_t n = nfv_port_rx(w, q, pkts, NFV_BURST);

			if (n == 0)
				continue;
			got += n;
			nfv_graph_input(w, g, q->port, pkts, n);
		}
		got += nfv_graph_poll(w, g);
		if (w->tx_dirty != 0)
			nfv_graph_flush(w);
		/* Nothing read from g is used after this point. */
		nfv_rcu_quiescent(rcu, w->id);
		wk->loops++;
		if (got != 0) {
			wk->busy_loops++;
			wk->pkts += got;
			wk->busy_cycles += rte_rdtsc() - t0;
		}
		/* Nothing came for a while: sleep or block (idle.h). */
		nfv_idle_after_round(&wk->idle, got, t0);
	}
	nfv_graph_flush(w);
	nfv_rcu_worker_offline(w->id);
	return 0;
}

int
nfv_workers_start(void)
{
	unsigned int i;
	int rc;

	for (i = 0; i < nfv_dp.n_workers; i++) {
		rc = rte_eal_remote_launch(nfv_worker_main, &nfv_dp.workers[i],
					   nfv_dp.workers[i].lcore);
		if (rc != 0)
			return rc;
	}
	return 0;
}

void
nfv_workers_stop(void)
{
	atomic_store(&nfv_stopping, true);
	/* A blocked worker would only see it at the end of its block. */
	nfv_idle_wake_all();
	rte_eal_mp_wait_lcore();
}
