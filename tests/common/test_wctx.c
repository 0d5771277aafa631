/* SPDX-License-Identifier: BSD-3-Clause
 *
 * test_wctx.c - the runner's fake worker context (test_wctx.h).
 */
#include <stdatomic.h>
#include <stdbool.h>

#include <rte_common.h>
#include <rte_malloc.h>

#include "tests/common/test_wctx.h"

struct nfv_wctx *
nfv_test_wctx_new(struct rte_mempool *pool, nfv_test_tx_fn *tx_burst,
		  uint64_t now)
{
	struct nfv_wctx *w;
	unsigned int p;

	w = rte_zmalloc("nfv_test_wctx", sizeof(*w), RTE_CACHE_LINE_SIZE);
	if (w == NULL)
		return NULL;
	w->id = 0;
	w->pool = pool;
	w->tx_burst = tx_burst;
	w->now = now;
	for (p = 0; p < NFV_MAX_PORTS; p++) {
		w->tx[p].queue = 0;
		nfv_port_fp[p].eth_port = (uint16_t)p;
		atomic_store(&nfv_port_fp[p].link_up, true);
	}
	return w;
}

void
nfv_test_wctx_free(struct nfv_wctx *w)
{
	if (w == NULL)
		return;
	nfv_graph_discard(w);
	rte_free(w);
}
