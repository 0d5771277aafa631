/* SPDX-License-Identifier: BSD-3-Clause
 *
 * graph.c - the runner: moves bursts between ports and VNF instances.
 */
#include <errno.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_malloc.h>
#include <rte_prefetch.h>

#include "dataplane/graph.h"
#include "dataplane/idle.h"
#include "dataplane/vhost_io.h"
#include "vnf/lib/rcu.h"

const struct vnf_counter_desc nfv_port_drop_desc[NFV_PD_MAX] = {
	NFV_PORT_DROPS(VNF_COUNTER_DESC)};
const struct vnf_counter_desc nfv_vnf_drop_desc[NFV_VD_MAX] = {
	NFV_VNF_DROPS(VNF_COUNTER_DESC)};

struct nfv_graph *_Atomic nfv_graph_cur;
struct nfv_port_fp nfv_port_fp[NFV_MAX_PORTS];

static void nfv_graph_send(struct nfv_wctx *w, const struct nfv_graph *g,
			   struct nfv_ep ep, struct rte_mbuf **pkts, uint16_t n,
			   unsigned int depth);

/* Send n packets on the port's TX queue; what it refuses is freed and
 * counted. */
static void
nfv_tx_send(struct nfv_wctx *w, uint16_t port, struct rte_mbuf **pkts,
	    uint16_t n)
{
	struct nfv_txbuf *tb = &w->tx[port];
	uint16_t sent;

	if (tb->lock != NULL)
		rte_spinlock_lock(tb->lock);
	sent = nfv_port_tx(w, port, tb->queue, pkts, n);
	if (tb->lock != NULL)
		rte_spinlock_unlock(tb->lock);
	if (unlikely(sent < n)) {
		/* The peer's ring is full, or the port is down: no retry,
		 * like testpmd's io mode; the packets are counted drops. */
		bool up = atomic_load_explicit(&nfv_port_fp[port].link_up,
					       memory_order_relaxed);

		w->pstats[port].drops[up ? NFV_PD_TX_FULL : NFV_PD_PORT_DOWN] +=
			n - sent;
		rte_pktmbuf_free_bulk(&pkts[sent], n - sent);
	}
}

static void
nfv_txbuf_flush(struct nfv_wctx *w, uint16_t port)
{
	struct nfv_txbuf *tb = &w->tx[port];

	nfv_tx_send(w, port, tb->pkts, tb->n);
	tb->n = 0;
}

/*
 * Hand packets to a port.  A group of at least NFV_TX_DIRECT packets that
 * finds the port's buffer empty is sent at once, as testpmd's io mode does
 * (nothing buffered can be overtaken); smaller groups are gathered and
 * sent at the end of the loop iteration.
 */
static inline void
nfv_txbuf_add(struct nfv_wctx *w, uint16_t port, struct rte_mbuf **pkts,
	      uint16_t n)
{
	struct nfv_txbuf *tb = &w->tx[port];

	if (tb->n == 0 && n >= NFV_TX_DIRECT) {
		nfv_tx_send(w, port, pkts, n);
		return;
	}
	if (unlikely(tb->n + n > NFV_TXBUF))
		nfv_txbuf_flush(w, port);
	memcpy(&tb->pkts[tb->n], pkts, n * sizeof(pkts[0]));
	tb->n += n;
	w->tx_dirty |= UINT64_C(1) << port;
}

void
nfv_graph_flush(struct nfv_wctx *w)
{
	uint64_t dirty = w->tx_dirty;

	while (dirty != 0) {
		unsigned int port = __builtin_ctzll(dirty);

		dirty &= dirty - 1;
		nfv_txbuf_flush(w, port);
	}
	w->tx_dirty = 0;
}

void
nfv_graph_discard(struct nfv_wctx *w)
{
	uint64_t dirty = w->tx_dirty;

	while (dirty != 0) {
		unsigned int port = __builtin_ctzll(dirty);

		dirty &= dirty - 1;
		rte_pktmbuf_free_bulk(w->tx[port].pkts, w->tx[port].n);
		w->tx[port].n = 0;
	}
	w->tx_dirty = 0;
}

/* Hand one group of packets that left VNF `vi` by `next` onwards. */
static void
nfv_graph_group(struct nfv_wctx *w, const struct nfv_graph *g,
		struct vnf_instance *vi, uint16_t next, struct rte_mbuf **pkts,
		uint16_t n, unsigned int depth)
{
	struct vnf_worker_slot *slot = &vi->slots[w->id];

	if (VNF_NEXT_IS_DROP(next)) {
		uint16_t c = VNF_NEXT_COUNTER(next);

		if (likely(c < vi->ops->n_counters))
			slot->counters[c] += n;
		else
			w->vstats[vi->id].drops[NFV_VD_BAD_NEXT] += n;
		rte_pktmbuf_free_bulk(pkts, n);
		return;
	}
	if (unlikely(next >= vi->n_ifaces)) {
		w->vstats[vi->id].drops[NFV_VD_BAD_NEXT] += n;
		rte_pktmbuf_free_bulk(pkts, n);
		return;
	}
	if (unlikely(g->iface_peer[vi->id][next].kind == NFV_EP_NONE)) {
		w->vstats[vi->id].drops[NFV_VD_UNLINKED] += n;
		rte_pktmbuf_free_bulk(pkts, n);
		return;
	}
	nfv_graph_send(w, g, g->iface_peer[vi->id][next], pkts, n, depth);
}

/* Group pkts[] by next[] (not all the same) and hand each group on, one
 * destination at a time, in arrival order. */
static __rte_noinline void
nfv_graph_dispatch_mixed(struct nfv_wctx *w, const struct nfv_graph *g,
			 struct vnf_instance *vi, struct rte_mbuf **pkts,
			 const uint16_t *next, uint16_t n, unsigned int depth)
{
	struct rte_mbuf *grp[VNF_BURST_MAX];
	uint16_t i, k, cur;
	uint32_t left;

	left = (n == 32) ? UINT32_MAX : ((UINT32_C(1) << n) - 1);
	while (left != 0) {
		i = __builtin_ctz(left);
		cur = next[i];
		k = 0;
		for (; i < n; i++) {
			if ((left & (UINT32_C(1) << i)) && next[i] == cur) {
				grp[k++] = pkts[i];
				left &= ~(UINT32_C(1) << i);
			}
		}
		nfv_graph_group(w, g, vi, cur, grp, k, depth);
	}
}

/*
 * Hand pkts[] on by next[].  The common case, every packet going the same
 * way, passes the burst on as it is, without a call of its own.
 */
static __rte_always_inline void
nfv_graph_dispatch(struct nfv_wctx *w, const struct nfv_graph *g,
		   struct vnf_instance *vi, struct rte_mbuf **pkts,
		   const uint16_t *next, uint16_t n, unsigned int depth)
{
	uint16_t i, diff = 0, first = next[0];

	/* No early exit: the compiler turns this into a few vector ops.
	 * From 0, not 1: loads that line up with the VNF's (vector) stores of
	 * next[] take their data from the store buffer; shifted by one entry
	 * each spans two stores and waits for them to reach the cache. */
	for (i = 0; i < n; i++)
		diff |= next[i] ^ first;
	if (likely(diff == 0))
		nfv_graph_group(w, g, vi, first, pkts, n, depth);
	else
		nfv_graph_dispatch_mixed(w, g, vi, pkts, next, n, depth);
}

/* The context process() and poll() of instance vi get on worker w. */
static inline struct vnf_wctx
nfv_graph_wctx(struct nfv_wctx *w, struct vnf_worker_slot *slot)
{
	return (struct vnf_wctx){
		.state = slot->state,
		.counters = slot->counters,
		.emit = &w->emit,
		.pool = w->pool,
		.now = w->now,
		.worker = w->id,
	};
}

/* Dispatch the extra packets vi emitted, w->emit[base..top) (flood
 * copies, replies), then give the emit area back down to base.  Nested
 * VNFs use the area above `top` and leave e->n there.  scratch/next:
 * VNF_BURST_MAX entries the caller no longer needs. */
static void
nfv_graph_emitted(struct nfv_wctx *w, const struct nfv_graph *g,
		  struct vnf_instance *vi, uint16_t base, uint16_t top,
		  struct rte_mbuf **scratch, uint16_t *next, unsigned int depth)
{
	struct vnf_emit *e = &w->emit;
	uint16_t i;

	for (i = base; i < top; i += VNF_BURST_MAX) {
		uint16_t k = RTE_MIN(top - i, VNF_BURST_MAX);

		memcpy(next, &e->next[i], k * sizeof(next[0]));
		memcpy(scratch, &e->pkts[i], k * sizeof(scratch[0]));
		nfv_graph_dispatch(w, g, vi, scratch, next, k, depth);
	}
	e->n = base;
}

static void
nfv_graph_vnf(struct nfv_wctx *w, const struct nfv_graph *g, struct nfv_ep ep,
	      struct rte_mbuf **pkts, uint16_t n, unsigned int depth)
{
	struct vnf_instance *vi = g->vnfs[ep.idx];
	struct vnf_worker_slot *slot = &vi->slots[w->id];
	struct vnf_emit *e = &w->emit;
	uint16_t next[VNF_BURST_MAX];
	struct rte_mbuf *burst[VNF_BURST_MAX];	/* emitted packets */
	struct vnf_wctx wc = nfv_graph_wctx(w, slot);
	struct vnf_burst b = {
		.pkts = pkts,
		.next = next,
		.n = n,
		.in_iface = ep.iface,
	};
	uint16_t base = e->n, top;
	uint64_t t0 = 0;
	bool timed;

	/*
	 * The VNF works on the caller's array in place: the caller (the RX
	 * loop, or a group buffer being handed on) does not look at it again.
	 * One call in NFV_VNF_TIME_EVERY is timed; two TSC reads cost ~60
	 * cycles on some CPUs, too much to pay on every burst.
	 */
	timed = (slot->calls++ & (NFV_VNF_TIME_EVERY - 1)) == 0;
	if (timed)
		t0 = rte_rdtsc();
	vi->ops->process(vi, &wc, &b);
	if (timed) {
		slot->cycles += rte_rdtsc() - t0;
		slot->timed_pkts += n;
	}
	slot->pkts += n;

	top = e->n;
	if (b.n != 0)
		nfv_graph_dispatch(w, g, vi, pkts, next, b.n, depth + 1);
	if (unlikely(top != base))
		nfv_graph_emitted(w, g, vi, base, top, burst, next, depth + 1);
}

static void
nfv_graph_send(struct nfv_wctx *w, const struct nfv_graph *g, struct nfv_ep ep,
	       struct rte_mbuf **pkts, uint16_t n, unsigned int depth)
{
	if (n == 0)
		return;
	switch (ep.kind) {
	case NFV_EP_PORT:
		nfv_txbuf_add(w, ep.idx, pkts, n);
		return;
	case NFV_EP_VNF:
		if (unlikely(depth >= NFV_GRAPH_MAX_DEPTH)) {
			w->vstats[ep.idx].drops[NFV_VD_LOOP] += n;
			break;
		}
		nfv_graph_vnf(w, g, ep, pkts, n, depth);
		return;
	default:
		break;
	}
	rte_pktmbuf_free_bulk(pkts, n);
}

void
nfv_graph_input(struct nfv_wctx *w, const struct nfv_graph *g, uint16_t port,
		struct rte_mbuf **pkts, uint16_t n)
{
	struct nfv_ep ep = g->port_peer[port];

	if (unlikely(ep.kind == NFV_EP_NONE)) {
		w->pstats[port].drops[NFV_PD_UNLINKED] += n;
		rte_pktmbuf_free_bulk(pkts, n);
		return;
	}
	nfv_graph_send(w, g, ep, pkts, n, 0);
}

unsigned int
nfv_graph_poll(struct nfv_wctx *w, const struct nfv_graph *g)
{
	struct vnf_emit *e = &w->emit;
	struct rte_mbuf *pkts[VNF_BURST_MAX];
	uint16_t next[VNF_BURST_MAX];
	unsigned int i, total = 0;
	uint16_t base, top;

	for (i = 0; i < g->n_poll; i++) {
		struct vnf_instance *vi = g->vnfs[g->poll[i]];
		struct vnf_wctx wc = nfv_graph_wctx(w, &vi->slots[w->id]);
		struct vnf_burst b = {
			.pkts = pkts,
			.next = next,
			.n = VNF_BURST_MAX,
		};

		base = e->n;
		vi->ops->poll(vi, &wc, &b);
		top = e->n;
		if (likely(b.n == 0 && top == base))
			continue;
		total += b.n;
		if (b.n != 0)
			nfv_graph_dispatch(w, g, vi, pkts, next, b.n, 1);
		/* What poll() emitted besides, as after process(). */
		nfv_graph_emitted(w, g, vi, base, top, pkts, next, 1);
	}
	return total;
}

void
nfv_graph_poll_index(struct nfv_graph *g)
{
	uint16_t i;

	g->n_poll = 0;
	for (i = 0; i < g->n_vnfs; i++)
		if (g->vnfs[i] != NULL && g->vnfs[i]->ops->poll != NULL)
			g->poll[g->n_poll++] = i;
}

const struct nfv_graph *
nfv_graph_current(void)
{
	return atomic_load_explicit(&nfv_graph_cur, memory_order_acquire);
}

struct nfv_graph *
nfv_graph_alloc(void)
{
	return rte_zmalloc("nfv_graph", sizeof(struct nfv_graph),
			   RTE_CACHE_LINE_SIZE);
}

struct nfv_graph *
nfv_graph_clone(const struct nfv_graph *g)
{
	struct nfv_graph *c = nfv_graph_alloc();

	if (c == NULL)
		return NULL;
	memcpy(c, g, sizeof(*c));
	c->wrx = NULL;
	return c;
}

void
nfv_graph_free(void *p)
{
	struct nfv_graph *g = p;

	if (g == NULL)
		return;
	rte_free(g->wrx);
	rte_free(g);
}

void
nfv_graph_publish(struct nfv_graph *g)
{
	struct nfv_graph *old;

	/* Release: the snapshot is complete before any worker can see it. */
	old = atomic_exchange_explicit(&nfv_graph_cur, g, memory_order_acq_rel);
	/* A blocked worker waits on the queues of the old snapshot: wake it
	 * to take the new ones (interrupt mode; idle.h). */
	nfv_idle_wake_all();
	if (old != NULL)
		nfv_rcu_defer(nfv_graph_free, old);
}
