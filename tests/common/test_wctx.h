/* SPDX-License-Identifier: BSD-3-Clause
 *
 * test_wctx.h - fake worker contexts for the test programs that run the
 * runner or a VNF's process() in their own threads (unit tests, fuzz
 * harnesses, microbenchmarks): what dataplane/worker.c sets up for a
 * worker, without ports or lcores.
 */
#ifndef NFV_TEST_WCTX_H
#define NFV_TEST_WCTX_H

#include <stdint.h>

#include <rte_mbuf.h>

#include "dataplane/graph.h"
#include "vnf/vnf.h"

/* A tx_burst hook (struct nfv_wctx): rte_eth_tx_burst()'s shape. */
typedef uint16_t nfv_test_tx_fn(uint16_t port, uint16_t queue,
				struct rte_mbuf **pkts, uint16_t n);

/*
 * The runner's context of worker 0, zeroed and cache-aligned: mbufs from
 * `pool`, packets sent through `tx_burst`, TX buffer i on ethdev port i
 * queue 0, the clock at `now`.  Every port's link is marked up, as on a
 * running data plane.  NULL when out of memory.  Control thread, before
 * the worker uses it.
 */
struct nfv_wctx *nfv_test_wctx_new(struct rte_mempool *pool,
				   nfv_test_tx_fn *tx_burst, uint64_t now);
/* Free what is still in the TX buffers (nfv_graph_discard()), then the
 * context.  NULL: nothing. */
void nfv_test_wctx_free(struct nfv_wctx *w);

/*
 * What the runner hands process() of `vi` on worker `worker`: that
 * worker's state and counters, `emit` (emptied) for the packets the VNF
 * makes, copies from `pool`, the clock at `now`.  For programs that call
 * process() themselves.  Inline so that they need not link the runner
 * (dataplane/graph.c) for it.
 */
static inline void
nfv_test_vnf_wctx(struct vnf_wctx *wc, struct vnf_instance *vi,
		  unsigned int worker, struct vnf_emit *emit,
		  struct rte_mempool *pool, uint64_t now)
{
	emit->n = 0;
	*wc = (struct vnf_wctx){
		.state = vi->slots[worker].state,
		.counters = vi->slots[worker].counters,
		.emit = emit,
		.pool = pool,
		.now = now,
		.worker = worker,
	};
}

#endif /* NFV_TEST_WCTX_H */
