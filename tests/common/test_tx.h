/* SPDX-License-Identifier: BSD-3-Clause
 *
 * test_tx.h - tx_burst hooks for the runner's fake worker context
 * (test_wctx.h): what a graph run sent, per port.
 *
 * The capture keeps every packet sent, for a cmocka test to look at, and
 * can make a port take only part of a burst; it is the test thread's (the
 * thread that plays the worker).  The counter only counts and frees what
 * it is sent, from any thread: for a fake worker on a thread of its own.
 */
#ifndef NFV_TEST_TX_H
#define NFV_TEST_TX_H

#include <stdatomic.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "dataplane/graph.h"
#include "dataplane/nfv.h"

#define NFV_TEST_TX_MAX 4096 /* packets kept per port at most */

/* One port's capture. */
struct nfv_test_txcap {
	struct rte_mbuf *pkts[NFV_TEST_TX_MAX]; /* kept, in the order sent */
	unsigned int n;
	unsigned int calls;  /* tx_burst calls */
	unsigned int accept; /* packets taken per call; the rest is refused */
};

extern struct nfv_test_txcap nfv_test_txcap[NFV_MAX_PORTS];

/* Every port empty, no call seen, taking everything.  A port sent more
 * than `max` (at most NFV_TEST_TX_MAX) packets fails the running test. */
void nfv_test_txcap_reset(unsigned int max);
/* The tx_burst hook: keeps up to `accept` packets of the burst.  Fails the
 * running test on a port beyond NFV_MAX_PORTS or a queue other than 0. */
uint16_t nfv_test_txcap_burst(uint16_t port, uint16_t queue,
			      struct rte_mbuf **pkts, uint16_t n);
/* Free every packet kept, on every port (the call counts stay). */
void nfv_test_txcap_free_all(void);

/*
 * A cmocka test's set-up when one thread plays the worker and the control
 * thread: the capture reset to `max`, worker 0's context sending to it
 * (nfv_test_wctx_new(), mbufs from `pool`, the clock at `now`) and an
 * empty graph.  0, or -ENOMEM.
 */
int nfv_test_txcap_open(struct rte_mempool *pool, unsigned int max,
			uint64_t now, struct nfv_wctx **w,
			struct nfv_graph **g);
/* Its tear-down, after the test destroyed the graph's instances: free
 * what the ports kept and what is still buffered, the context and the
 * graph; both pointers become NULL. */
void nfv_test_txcap_close(struct nfv_wctx **w, struct nfv_graph **g);

/* Packets sent per port to nfv_test_txcount_burst(). */
extern atomic_uint_fast64_t nfv_test_txcount[NFV_MAX_PORTS];

/* Every count back to 0.  Not while a worker sends. */
void nfv_test_txcount_reset(void);
/* The tx_burst hook: counts the packets against the port and frees them;
 * takes them all. */
uint16_t nfv_test_txcount_burst(uint16_t port, uint16_t queue,
				struct rte_mbuf **pkts, uint16_t n);

#endif /* NFV_TEST_TX_H */
