/* SPDX-License-Identifier: BSD-3-Clause
 *
 * test_harness.c - the fixtures of the in-process tests (tests/common):
 * the fake worker contexts, the tx_burst hooks, hand-built wiring, and
 * the fake worker reading under RCU: that it really holds a grace period
 * until it reports a quiescent state, and that its error stops it and
 * reaches the test.  No sleeps: the reader and the test hand over through
 * flags.
 */
#include <errno.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <rte_common.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_pause.h>

#include "dataplane/graph.h"
#include "vnf/vnf.h"
#include "tests/common/test_eal.h"
#include "tests/common/test_rcu.h"
#include "tests/common/test_tx.h"
#include "tests/common/test_wctx.h"
#include "tests/common/test_wiring.h"

#define UT_POOL_SIZE 255

static struct rte_mempool *ut_pool;

static uint16_t
ut_tx_none(uint16_t port, uint16_t queue, struct rte_mbuf **pkts, uint16_t n)
{
	RTE_SET_USED(port);
	RTE_SET_USED(queue);
	RTE_SET_USED(pkts);
	RTE_SET_USED(n);
	return 0;
}

static void
ut_alloc(struct rte_mbuf **m, unsigned int n)
{
	assert_int_equal(rte_pktmbuf_alloc_bulk(ut_pool, m, n), 0);
}

/* Worker 0's context as dataplane/worker.c makes it, without ports. */
static void
test_wctx_new(void **state)
{
	struct nfv_wctx *w;
	struct rte_mbuf *m[3];
	unsigned int p;

	RTE_SET_USED(state);
	for (p = 0; p < NFV_MAX_PORTS; p++)
		atomic_store(&nfv_port_fp[p].link_up, false);
	w = nfv_test_wctx_new(ut_pool, ut_tx_none, 12345);
	assert_non_null(w);
	assert_true(((uintptr_t)w & (RTE_CACHE_LINE_SIZE - 1)) == 0);
	assert_int_equal(w->id, 0);
	assert_ptr_equal(w->pool, ut_pool);
	assert_ptr_equal(w->tx_burst, ut_tx_none);
	assert_int_equal(w->now, 12345);
	assert_int_equal(w->tx_dirty, 0);
	for (p = 0; p < NFV_MAX_PORTS; p++) {
		assert_int_equal(nfv_port_fp[p].eth_port, p);
		assert_int_equal(w->tx[p].queue, 0);
		assert_int_equal(w->tx[p].n, 0);
		assert_true(atomic_load(&nfv_port_fp[p].link_up));
	}
	/* Packets still buffered are freed with the context. */
	ut_alloc(m, 3);
	memcpy(w->tx[5].pkts, m, sizeof(m));
	w->tx[5].n = 3;
	w->tx_dirty = UINT64_C(1) << 5;
	nfv_test_wctx_free(w);
	nfv_test_wctx_free(NULL);
	assert_int_equal(rte_mempool_avail_count(ut_pool), ut_pool->size);
}

/* A VNF's context for process(): that worker's slot. */
static void
test_vnf_wctx(void **state)
{
	struct vnf_worker_slot slots[2];
	struct vnf_instance vi;
	struct vnf_emit emit;
	struct vnf_wctx wc;
	uint64_t ctr[2][4];
	int st[2];

	RTE_SET_USED(state);
	memset(&vi, 0, sizeof(vi));
	memset(slots, 0, sizeof(slots));
	slots[0].state = &st[0];
	slots[0].counters = ctr[0];
	slots[1].state = &st[1];
	slots[1].counters = ctr[1];
	vi.slots = slots;
	vi.n_workers = 2;
	emit.n = 7;
	nfv_test_vnf_wctx(&wc, &vi, 1, &emit, ut_pool, 99);
	assert_ptr_equal(wc.state, &st[1]);
	assert_ptr_equal(wc.counters, ctr[1]);
	assert_ptr_equal(wc.emit, &emit);
	assert_int_equal(emit.n, 0);
	assert_ptr_equal(wc.pool, ut_pool);
	assert_int_equal(wc.now, 99);
	assert_int_equal(wc.worker, 1);
}

/* The capture keeps what a port takes, in order, up to its `accept`. */
static void
test_txcap(void **state)
{
	struct rte_mbuf *m[8];
	struct nfv_wctx *w;
	struct nfv_graph *g;

	RTE_SET_USED(state);
	assert_int_equal(nfv_test_txcap_open(ut_pool, 16, 7, &w, &g), 0);
	assert_ptr_equal(w->tx_burst, nfv_test_txcap_burst);
	assert_int_equal(w->now, 7);
	assert_int_equal(g->n_ports, 0);
	assert_int_equal(g->n_vnfs, 0);
	ut_alloc(m, 8);
	assert_int_equal(nfv_test_txcap_burst(3, 0, m, 5), 5);
	nfv_test_txcap[4].accept = 2;
	assert_int_equal(nfv_test_txcap_burst(4, 0, m + 5, 3), 2);
	assert_int_equal(nfv_test_txcap[3].n, 5);
	assert_int_equal(nfv_test_txcap[3].calls, 1);
	assert_memory_equal(nfv_test_txcap[3].pkts, m, 5 * sizeof(m[0]));
	assert_int_equal(nfv_test_txcap[4].n, 2);
	assert_ptr_equal(nfv_test_txcap[4].pkts[1], m[6]);
	rte_pktmbuf_free(m[7]); /* refused: the runner's to free */
	nfv_test_txcap_free_all();
	assert_int_equal(nfv_test_txcap[3].n, 0);
	assert_int_equal(nfv_test_txcap[3].calls, 1);
	assert_int_equal(rte_mempool_avail_count(ut_pool), ut_pool->size);
	/* Close frees what was kept since. */
	ut_alloc(m, 4);
	assert_int_equal(nfv_test_txcap_burst(0, 0, m, 4), 4);
	nfv_test_txcap_close(&w, &g);
	assert_null(w);
	assert_null(g);
	assert_int_equal(rte_mempool_avail_count(ut_pool), ut_pool->size);
	/* Reset: empty, no calls, everything taken again. */
	nfv_test_txcap_reset(16);
	assert_int_equal(nfv_test_txcap[4].calls, 0);
	assert_int_equal(nfv_test_txcap[4].accept, UINT_MAX);
}

/* The counting hook counts per port and frees. */
static void
test_txcount(void **state)
{
	struct rte_mbuf *m[6];

	RTE_SET_USED(state);
	nfv_test_txcount_reset();
	ut_alloc(m, 6);
	assert_int_equal(nfv_test_txcount_burst(1, 0, m, 4), 4);
	assert_int_equal(nfv_test_txcount_burst(9, 0, m + 4, 2), 2);
	assert_int_equal(atomic_load(&nfv_test_txcount[1]), 4);
	assert_int_equal(atomic_load(&nfv_test_txcount[9]), 2);
	assert_int_equal(atomic_load(&nfv_test_txcount[0]), 0);
	assert_int_equal(rte_mempool_avail_count(ut_pool), ut_pool->size);
	nfv_test_txcount_reset();
	assert_int_equal(atomic_load(&nfv_test_txcount[1]), 0);
}

/* Links both ways; the graph's counts grow to cover what is linked. */
static void
test_wiring(void **state)
{
	struct vnf_instance a, b;
	struct nfv_graph *g = nfv_graph_alloc();

	RTE_SET_USED(state);
	assert_non_null(g);
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.id = 0;
	a.n_ifaces = 3;
	b.id = 2;
	b.n_ifaces = 2;
	nfv_test_link_ifaces(g, &a);
	assert_ptr_equal(g->vnfs[0], &a);
	assert_int_equal(g->n_vnfs, 1);
	assert_int_equal(g->n_ports, 3);
	assert_int_equal(g->port_peer[2].kind, NFV_EP_VNF);
	assert_int_equal(g->port_peer[2].idx, 0);
	assert_int_equal(g->port_peer[2].iface, 2);
	assert_int_equal(g->iface_peer[0][2].kind, NFV_EP_PORT);
	assert_int_equal(g->iface_peer[0][2].idx, 2);

	nfv_test_graph_add(g, &b);
	assert_int_equal(g->n_vnfs, 3);
	assert_null(g->vnfs[1]);
	nfv_test_link_port(g, 7, 2, 1);
	assert_int_equal(g->n_ports, 8);
	assert_int_equal(g->iface_peer[2][1].idx, 7);
	/* A lower port does not shrink the count. */
	nfv_test_link_port(g, 1, 2, 0);
	assert_int_equal(g->n_ports, 8);
	nfv_test_link_vnf(g, 0, 1, 2, 0);
	assert_int_equal(g->iface_peer[0][1].kind, NFV_EP_VNF);
	assert_int_equal(g->iface_peer[0][1].idx, 2);
	assert_int_equal(g->iface_peer[0][1].iface, 0);
	assert_int_equal(g->iface_peer[2][0].idx, 0);
	assert_int_equal(g->iface_peer[2][0].iface, 1);
	nfv_graph_free(g);
}

/* The reader's state for the tests below. */
struct ut_rd {
	atomic_bool inside; /* in an iteration, waiting for `go` */
	atomic_bool go;
	atomic_bool failed;
	unsigned int calls, fail_at;
	bool registered; /* an EAL thread */
};

static int
ut_rd_hold(void *arg)
{
	struct ut_rd *r = arg;

	r->registered = rte_lcore_id() != LCORE_ID_ANY;
	atomic_store(&r->inside, true);
	while (!atomic_load(&r->go))
		rte_pause();
	return 0;
}

/* A grace period that starts while the reader is inside an iteration
 * ends only after that iteration (its quiescent state). */
static void
test_reader_holds_grace_period(void **state)
{
	struct rte_rcu_qsbr *v = nfv_test_qsbr_new(1);
	struct nfv_test_reader rd;
	struct ut_rd r = {0};
	uint64_t token;

	RTE_SET_USED(state);
	assert_non_null(v);
	assert_int_equal(nfv_test_reader_start(&rd, v, 0, ut_rd_hold, &r), 0);
	while (!atomic_load(&r.inside))
		rte_pause();
	token = rte_rcu_qsbr_start(v);
	assert_int_equal(rte_rcu_qsbr_check(v, token, false), 0);
	assert_int_equal(rte_rcu_qsbr_check(v, token, false), 0);
	atomic_store(&r.go, true);
	/* Waits for the quiescent state after the iteration. */
	assert_int_equal(rte_rcu_qsbr_check(v, token, true), 1);
	assert_int_equal(nfv_test_reader_stop(&rd), 0);
	assert_true(r.registered);
	assert_true(atomic_load(&rd.loops) >= 1);
	/* Offline once stopped: grace periods no longer wait for it. */
	token = rte_rcu_qsbr_start(v);
	assert_int_equal(rte_rcu_qsbr_check(v, token, false), 1);
	rte_free(v);
}

static int
ut_rd_fail(void *arg)
{
	struct ut_rd *r = arg;

	if (++r->calls < r->fail_at)
		return 0;
	atomic_store(&r->failed, true);
	return -EIO;
}

/* An iteration's error stops the reader and is what stop returns. */
static void
test_reader_error(void **state)
{
	struct rte_rcu_qsbr *v = nfv_test_qsbr_new(1);
	struct nfv_test_reader rd;
	struct ut_rd r = {.fail_at = 3};
	uint64_t token;

	RTE_SET_USED(state);
	assert_non_null(v);
	assert_int_equal(nfv_test_reader_start(&rd, v, 0, ut_rd_fail, &r), 0);
	/* Not stopped before the error: the reader ends on its own. */
	while (!atomic_load(&r.failed))
		rte_pause();
	assert_int_equal(nfv_test_reader_stop(&rd), -EIO);
	assert_int_equal(r.calls, 3);
	assert_int_equal(atomic_load(&rd.loops), 2);
	token = rte_rcu_qsbr_start(v);
	assert_int_equal(rte_rcu_qsbr_check(v, token, false), 1);
	rte_free(v);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wctx_new),
		cmocka_unit_test(test_vnf_wctx),
		cmocka_unit_test(test_txcap),
		cmocka_unit_test(test_txcount),
		cmocka_unit_test(test_wiring),
		cmocka_unit_test(test_reader_holds_grace_period),
		cmocka_unit_test(test_reader_error),
	};
	int rc;

	RTE_SET_USED(argc);
	if (nfv_test_eal_init(argv[0], "ut-harness", 64) < 0)
		return 1;
	/* No mempool cache: rte_mempool_avail_count() is then exact. */
	ut_pool = rte_pktmbuf_pool_create("ut_harness", UT_POOL_SIZE, 0, 0,
					  RTE_MBUF_DEFAULT_BUF_SIZE,
					  (int)rte_socket_id());
	if (ut_pool == NULL) {
		fprintf(stderr, "test_harness: no mbuf pool\n");
		nfv_test_eal_fini();
		return 1;
	}
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	rte_mempool_free(ut_pool);
	nfv_test_eal_fini();
	return rc;
}
