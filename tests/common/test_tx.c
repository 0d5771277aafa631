/* SPDX-License-Identifier: BSD-3-Clause
 *
 * test_tx.c - the tx_burst hooks of the test programs (test_tx.h).
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <rte_common.h>
#include <rte_debug.h>

#include "tests/common/test_tx.h"
#include "tests/common/test_wctx.h"

struct nfv_test_txcap nfv_test_txcap[NFV_MAX_PORTS];
atomic_uint_fast64_t nfv_test_txcount[NFV_MAX_PORTS];

/* What a port may keep before the test fails. */
static unsigned int nfv_test_txcap_max = NFV_TEST_TX_MAX;

void
nfv_test_txcap_reset(unsigned int max)
{
	unsigned int p;

	memset(nfv_test_txcap, 0, sizeof(nfv_test_txcap));
	for (p = 0; p < NFV_MAX_PORTS; p++)
		nfv_test_txcap[p].accept = UINT_MAX;
	nfv_test_txcap_max = RTE_MIN(max, (unsigned int)NFV_TEST_TX_MAX);
}

uint16_t
nfv_test_txcap_burst(uint16_t port, uint16_t queue, struct rte_mbuf **pkts,
		     uint16_t n)
{
	struct nfv_test_txcap *c;
	uint16_t take = n, i;

	assert_true(port < NFV_MAX_PORTS);
	assert_int_equal(queue, 0);
	c = &nfv_test_txcap[port];
	c->calls++;
	if (take > c->accept)
		take = (uint16_t)c->accept;
	assert_true(c->n + take <= nfv_test_txcap_max);
	for (i = 0; i < take; i++)
		c->pkts[c->n++] = pkts[i];
	return take;
}

void
nfv_test_txcap_free_all(void)
{
	unsigned int p;

	for (p = 0; p < NFV_MAX_PORTS; p++) {
		rte_pktmbuf_free_bulk(nfv_test_txcap[p].pkts,
				      nfv_test_txcap[p].n);
		nfv_test_txcap[p].n = 0;
	}
}

int
nfv_test_txcap_open(struct rte_mempool *pool, unsigned int max, uint64_t now,
		    struct nfv_wctx **w, struct nfv_graph **g)
{
	nfv_test_txcap_reset(max);
	*w = nfv_test_wctx_new(pool, nfv_test_txcap_burst, now);
	*g = nfv_graph_alloc();
	if (*w == NULL || *g == NULL) {
		nfv_test_txcap_close(w, g);
		return -ENOMEM;
	}
	return 0;
}

void
nfv_test_txcap_close(struct nfv_wctx **w, struct nfv_graph **g)
{
	nfv_test_wctx_free(*w);
	*w = NULL;
	nfv_test_txcap_free_all();
	nfv_graph_free(*g);
	*g = NULL;
}

void
nfv_test_txcount_reset(void)
{
	unsigned int p;

	for (p = 0; p < NFV_MAX_PORTS; p++)
		atomic_store(&nfv_test_txcount[p], 0);
}

uint16_t
nfv_test_txcount_burst(uint16_t port, uint16_t queue, struct rte_mbuf **pkts,
		       uint16_t n)
{
	RTE_SET_USED(queue);
	/* Any thread: no cmocka assertion (it jumps to the test's thread). */
	RTE_VERIFY(port < NFV_MAX_PORTS);
	atomic_fetch_add(&nfv_test_txcount[port], n);
	rte_pktmbuf_free_bulk(pkts, n);
	return n;
}
