/* SPDX-License-Identifier: BSD-3-Clause
 *
 * graph.h - the wiring of ports and VNF instances, and the runner that
 * moves bursts along it.
 *
 * The wiring is an immutable snapshot (struct nfv_graph) published by the
 * control thread with one release store (nfv_graph_publish()) and read by
 * workers once per loop iteration; an old snapshot is freed after an RCU
 * grace period.  The runner (nfv_graph_input()) takes a received burst,
 * hands it to the VNF its port is linked to, groups the VNF's verdicts by
 * destination iface, and hands each group on: to the linked VNF (recursion,
 * bounded by NFV_GRAPH_MAX_DEPTH) or to the linked port's TX buffer.  A
 * burst whose packets all go one way is passed on as it is.  Drops are
 * freed and counted by reason.  Workers only; no locks.
 */
#ifndef NFV_GRAPH_H
#define NFV_GRAPH_H

#include <stdatomic.h>
#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_spinlock.h>

#include "dataplane/nfv.h"
#include "vnf/vnf.h"

#define NFV_GRAPH_MAX_DEPTH 16
#define NFV_TXBUF 64
#define NFV_TX_DIRECT 16	/* groups this big skip the TX buffer */
#define NFV_VNF_TIME_EVERY 8	/* time one process() call in 8 */

enum nfv_ep_kind {
	NFV_EP_NONE = 0,	/* not linked: packets sent here are dropped */
	NFV_EP_PORT,
	NFV_EP_VNF,
};

/* Where a link leads: a port, or an iface of a VNF instance. */
struct nfv_ep {
	uint8_t kind;
	uint16_t idx;		/* port index or VNF instance index */
	uint16_t iface;		/* VNF iface index */
};

#define NFV_MAX_RXQ (NFV_MAX_PORTS * NFV_MAX_QUEUES)
_Static_assert(NFV_MAX_PORTS <= 64, "nfv_wctx.tx_dirty has a bit per port");
_Static_assert(VNF_BURST_MAX <= 32,
	       "nfv_graph_dispatch() keeps a burst in a 32-bit mask");

/* An RX queue a worker polls; the ethdev is nfv_port_fp[port].eth_port. */
struct nfv_rxq {
	uint16_t port; /* port index */
	uint16_t queue;
};

/* The RX queues of one worker. */
struct nfv_wrx {
	uint16_t n;
	struct nfv_rxq q[NFV_MAX_RXQ];
};

struct nfv_graph {
	uint16_t n_ports;
	uint16_t n_vnfs;
	struct nfv_ep port_peer[NFV_MAX_PORTS];
	struct vnf_instance *vnfs[NFV_MAX_VNFS];
	struct nfv_ep iface_peer[NFV_MAX_VNFS][VNF_MAX_IFACES];
	/* The instances whose type has vnf_ops.poll (indexes into vnfs[]),
	 * so that the worker loop visits only those: nfv_graph_poll_index()
	 * fills them when a snapshot is built, clones copy them. */
	uint16_t n_poll;
	uint16_t poll[NFV_MAX_VNFS];
	/* [n_workers]: which RX queues each worker polls.  Part of the
	 * snapshot so that ports come and go while workers run; freed with
	 * the graph.  NULL in graphs that no worker loop reads (tests). */
	struct nfv_wrx *wrx;
};

/* Per worker, per port drop reasons counted by the runner. */
#define NFV_PORT_DROPS(_)                                                     \
	_(NFV_PD_TX_FULL, "tx-full", true)                                    \
	_(NFV_PD_UNLINKED, "unlinked", true)                                  \
	_(NFV_PD_PORT_DOWN, "port-down", true)

enum { NFV_PORT_DROPS(VNF_COUNTER_ENUM) NFV_PD_MAX };
extern const struct vnf_counter_desc nfv_port_drop_desc[NFV_PD_MAX];

/* Drops the runner counts against a VNF instance (not the VNF's own). */
#define NFV_VNF_DROPS(_)                                                      \
	_(NFV_VD_UNLINKED, "iface-unlinked", true)                            \
	_(NFV_VD_LOOP, "graph-loop", true)                                    \
	_(NFV_VD_BAD_NEXT, "bad-next", true)

enum { NFV_VNF_DROPS(VNF_COUNTER_ENUM) NFV_VD_MAX };
extern const struct vnf_counter_desc nfv_vnf_drop_desc[NFV_VD_MAX];

struct nfv_txbuf {
	uint16_t n;
	uint16_t queue;		/* of the ethdev nfv_port_fp[port].eth_port */
	rte_spinlock_t *lock;	/* non-NULL when workers share this queue */
	struct rte_mbuf *pkts[NFV_TXBUF];
};

struct nfv_port_wstats {
	uint64_t drops[NFV_PD_MAX];
	/* Packets that bypassed the ethdev (vhost_io.h); the ethdev's own
	 * counters have the rest. */
	uint64_t rx_pkts, rx_bytes, tx_pkts, tx_bytes;
} __rte_cache_aligned;

/* Runner-side drops per VNF instance, per worker. */
struct nfv_vnf_wstats {
	uint64_t drops[NFV_VD_MAX];
} __rte_cache_aligned;

/* Everything one worker owns; nobody else writes it. */
struct nfv_wctx {
	unsigned int id;		/* worker index */
	struct rte_mempool *pool;
	uint64_t now;			/* TSC at the start of this loop */
	uint64_t tx_dirty;		/* bit per port with buffered packets */
	struct nfv_txbuf tx[NFV_MAX_PORTS];
	struct nfv_port_wstats pstats[NFV_MAX_PORTS];
	struct nfv_vnf_wstats vstats[NFV_MAX_VNFS];
	struct vnf_emit emit;
	/* Send hook: rte_eth_tx_burst, replaced by unit tests. */
	uint16_t (*tx_burst)(uint16_t port, uint16_t queue,
			     struct rte_mbuf **pkts, uint16_t n);
} __rte_cache_aligned;

/* How a port's RX queues can end a blocked worker's wait (interrupt mode,
 * dataplane/idle.h). */
enum nfv_wake_kind {
	NFV_WAKE_NONE = 0,	/* cannot: the block lasts idle_sleep_max_us */
	NFV_WAKE_VHOST,		/* the guest's kicks, while a device is published */
	NFV_WAKE_RX_INTR,	/* the ethdev's RX interrupt (its event fd) */
};

/*
 * What workers read of a port, one cache line per port (graph port index):
 * its RX and TX calls read `vid` and `eth_port` of one line.  Each field
 * says who writes it and how it is published.  The control thread's own
 * view of the port is struct nfv_port (port.h).
 */
struct nfv_port_fp {
	/* vid + 1 of the vhost-user device workers may call librte_vhost on,
	 * 0 for none (vhost_io.h).  Written (atomic exchange) by port.c from
	 * net_vhost's link-state event and by the control thread; workers
	 * read it with acquire (rx_csum below).  A device that goes is
	 * unpublished, and the writer
	 * waits for an RCU grace period before the event returns, so no
	 * worker is still inside it when librte_vhost frees it. */
	atomic_int vid;
	/* Link state.  Written (relaxed) by the control thread when it sees
	 * a change (nfv_port_poll_link()), read relaxed by workers only to
	 * name a TX drop; the control thread also reads it to spot a change. */
	atomic_bool link_up;
	/* The ethdev.  Written by the control thread before any graph
	 * snapshot names the port: the snapshot's release store
	 * (nfv_graph_publish()) publishes it, and it does not change while a
	 * snapshot names the port. */
	uint16_t eth_port;
	/* enum nfv_wake_kind: written and published like eth_port. */
	uint8_t wake;
	/* vhost-user: the queue pairs the frontend has enabled
	 * (vring_state_changed), NFV_VQ_RX_ON(q) for our RX queue q (its TX
	 * ring), NFV_VQ_TX_ON(q) for our TX queue q (its RX ring); 0 for
	 * other ports.  A frontend enables queue pair 0 first and the others
	 * later, or never (a guest without multi-queue).  Written (relaxed)
	 * by port.c from net_vhost's queue-state and link-state events;
	 * workers read it relaxed: librte_vhost guards the ring itself (its
	 * per-queue lock), this only says which rings are worth a call. */
	atomic_uint vq_on;
	/* vhost-user: the published device negotiated a host offload
	 * (VIRTIO_NET_F_CSUM and kin), so librte_vhost may hand over packets
	 * whose L4 checksum the guest left partial (vhost_io.h).  Written
	 * (relaxed) by port.c: set before a device that needs it is published,
	 * cleared only after one that does not is; workers read it relaxed
	 * after their acquire load of `vid`.  A stale true costs a check,
	 * never a packet. */
	atomic_bool rx_csum;
} __rte_cache_aligned;

#define NFV_VQ_RX_ON(q) (1u << (q))
#define NFV_VQ_TX_ON(q) (1u << (NFV_MAX_QUEUES + (q)))
_Static_assert(2 * NFV_MAX_QUEUES <= 32, "nfv_port_fp.vq_on: a bit per ring");

_Static_assert(sizeof(struct nfv_port_fp) == RTE_CACHE_LINE_SIZE,
	       "one cache line per port");

extern struct nfv_port_fp nfv_port_fp[NFV_MAX_PORTS];

/* Worker: feed a burst received on port `port` into the graph. */
void nfv_graph_input(struct nfv_wctx *w, const struct nfv_graph *g,
		     uint16_t port, struct rte_mbuf **pkts, uint16_t n);
/*
 * Worker: once per loop, call vnf_ops.poll of every instance that has it
 * (g->poll[]) and hand what it returns on like process() output: grouped
 * by iface, to the linked VNF or port, drops counted against the
 * instance.  Those packets are the instance's own (frames a control
 * plane injects), not handed to it: they are not counted in its
 * "packets".  Returns how many it returned in all.
 */
unsigned int nfv_graph_poll(struct nfv_wctx *w, const struct nfv_graph *g);
/* Control thread: fill g->poll[] from g->vnfs[] (before publishing). */
void nfv_graph_poll_index(struct nfv_graph *g);
/* Worker: send every buffered packet; refused ones are freed and counted. */
void nfv_graph_flush(struct nfv_wctx *w);
/* Worker: drop everything buffered (shutdown). */
void nfv_graph_discard(struct nfv_wctx *w);

/* Control thread: the current snapshot, and replacing it.  The old one is
 * freed after a grace period (see vnf/lib/rcu.h). */
const struct nfv_graph *nfv_graph_current(void);
void nfv_graph_publish(struct nfv_graph *g);
struct nfv_graph *nfv_graph_alloc(void);
/* A copy of g's wiring (not its RX queue lists). */
struct nfv_graph *nfv_graph_clone(const struct nfv_graph *g);
void nfv_graph_free(void *g);

/* Worker: the snapshot to use for this loop iteration.  The acquire load
 * pairs with the release store in nfv_graph_publish(): every field of the
 * snapshot written before publishing is visible here. */
extern struct nfv_graph *_Atomic nfv_graph_cur;
static inline const struct nfv_graph *
nfv_graph_get(void)
{
	return atomic_load_explicit(&nfv_graph_cur, memory_order_acquire);
}

#endif /* NFV_GRAPH_H */
