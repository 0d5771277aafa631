/* SPDX-License-Identifier: BSD-3-Clause
 *
 * fuzz_queue.h - the RX side every VNF fuzz harness (tests/fuzz/<vnf>/)
 * shares: frames built from the input become mbufs (one segment, or two
 * split where the input says) and wait in a per-port queue until a burst
 * is full or the input program submits; then the runner
 * (dataplane/graph.c) takes each queue as one RX burst of its port.
 *
 * The harness's thread only (it plays the worker).
 */
#ifndef NFV_FUZZ_QUEUE_H
#define NFV_FUZZ_QUEUE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_mbuf.h>

#include "dataplane/graph.h"
#include "vnf/vnf.h"

#define FZ_QUEUE_PORTS_MAX 16

struct fz_queues {
	struct nfv_wctx *w;
	struct nfv_graph *g;
	uint16_t n_ports;
	uint16_t n[FZ_QUEUE_PORTS_MAX];
	struct rte_mbuf *m[FZ_QUEUE_PORTS_MAX][VNF_BURST_MAX];
};

/* Abort (for libFuzzer and ASan to report) with where and what. */
#define FZ_QUEUE_CHECK(cond)                                                   \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "fuzz: %s:%d: %s\n", __FILE__,         \
				__LINE__, #cond);                              \
			abort();                                               \
		}                                                              \
	} while (0)

static inline void
fz_queue_init(struct fz_queues *q, struct nfv_wctx *w, struct nfv_graph *g,
	      uint16_t n_ports)
{
	FZ_QUEUE_CHECK(n_ports <= FZ_QUEUE_PORTS_MAX);
	memset(q, 0, sizeof(*q));
	q->w = w;
	q->g = g;
	q->n_ports = n_ports;
}

/* Port `port`'s queue as one RX burst through the runner. */
static inline void
fz_queue_submit(struct fz_queues *q, uint16_t port)
{
	if (q->n[port] == 0)
		return;
	nfv_graph_input(q->w, q->g, port, q->m[port], q->n[port]);
	q->n[port] = 0;
}

/* Every queue, then the TX buffers flushed: nothing is left in flight
 * but what a VNF holds. */
static inline void
fz_queue_submit_all(struct fz_queues *q)
{
	uint16_t p;

	for (p = 0; p < q->n_ports; p++)
		fz_queue_submit(q, p);
	nfv_graph_flush(q->w);
	FZ_QUEUE_CHECK(q->w->emit.n == 0);
}

/* Queue m on `port`; a full queue goes in as a burst at once. */
static inline void
fz_queue_push(struct fz_queues *q, uint16_t port, struct rte_mbuf *m)
{
	FZ_QUEUE_CHECK(port < q->n_ports);
	q->m[port][q->n[port]++] = m;
	if (q->n[port] == VNF_BURST_MAX)
		fz_queue_submit(q, port);
}

/*
 * A frame of `len` bytes from b: one segment when first >= len, else the
 * first `first` bytes in one and the rest in a second.  data_off, when not
 * negative, moves the data of the first segment (0: no headroom).  NULL
 * when the pool is empty.
 */
static inline struct rte_mbuf *
fz_mbuf_make(struct rte_mempool *pool, const uint8_t *b, uint16_t len,
	     uint16_t first, int data_off)
{
	struct rte_mbuf *m, *m2 = NULL;

	m = rte_pktmbuf_alloc(pool);
	if (m == NULL)
		return NULL;
	if (data_off >= 0)
		m->data_off = (uint16_t)data_off;
	if (first < len) {
		m2 = rte_pktmbuf_alloc(pool);
		if (m2 == NULL) {
			rte_pktmbuf_free(m);
			return NULL;
		}
	}
	if (first > len)
		first = len;
	if (first > 0) {
		FZ_QUEUE_CHECK(rte_pktmbuf_append(m, first) != NULL);
		memcpy(rte_pktmbuf_mtod(m, void *), b, first);
	}
	if (m2 != NULL) {
		FZ_QUEUE_CHECK(rte_pktmbuf_append(
				       m2, (uint16_t)(len - first)) != NULL);
		memcpy(rte_pktmbuf_mtod(m2, void *), b + first, len - first);
		FZ_QUEUE_CHECK(rte_pktmbuf_chain(m, m2) == 0);
	}
	return m;
}

#endif /* NFV_FUZZ_QUEUE_H */
