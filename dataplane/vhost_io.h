/* SPDX-License-Identifier: BSD-3-Clause
 *
 * vhost_io.h - a vhost-user port's packets straight through librte_vhost.
 *
 * A vhost-user port is a net_vhost ethdev, and stays one: the driver owns
 * the socket, the device's life cycle, reconnects, the link state and the
 * queues rte_pdump hooks into.  Its burst functions, though, add work to
 * every packet that nfvd does not need (a port stamp, VLAN and byte
 * counting, the size histogram of its xstats, on TX one rte_pktmbuf_free()
 * per packet): about 20 cycles a 64-byte packet on the benchmark machine
 * (docs/benchmarks.md).  So workers call rte_vhost_dequeue_burst() and
 * rte_vhost_enqueue_burst() on the device's vid themselves, as OVS-DPDK's
 * netdev-dpdk does, count packets and bytes in their own port counters,
 * and free what was sent in one bulk call.
 *
 * nfv_port_fp[p].vid is the vid + 1 of port p's device while it is ready,
 * 0 otherwise (not a vhost-user port, no frontend, or NFVD_VHOST_ETHDEV
 * set): then packets go through the ethdev as before.  port.c writes it from
 * net_vhost's link-state event, which the driver raises when a frontend's
 * device becomes ready and, when it goes, before librte_vhost frees it;
 * on the way down the event handler clears the slot and waits for an RCU
 * grace period before it returns, so no worker is inside the device when
 * it is freed.  Everything else (a queue disabled by the guest, a memory
 * table change) librte_vhost itself guards with its per-queue lock.
 *
 * A queue that rte_pdump (or anything else) has put an ethdev RX/TX
 * callback on goes through the ethdev, so a capture sees every packet.
 *
 * Workers only, except where a comment says otherwise.
 */
#ifndef NFV_VHOST_IO_H
#define NFV_VHOST_IO_H

#include <stdatomic.h>
#include <stdbool.h>

#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_net.h>
#include <rte_tcp.h>
#include <rte_udp.h>
#include <rte_vhost.h>

#include "dataplane/graph.h"

/* Ethdev queue q of a vhost-user port is virtqueue pair q: the guest's
 * RX ring 2q (what we send), its TX ring 2q + 1 (what we receive). */
#define NFV_VHOST_VQ_TX(q) ((uint16_t)((q) * 2))
#define NFV_VHOST_VQ_RX(q) ((uint16_t)((q) * 2 + 1))
/* librte_vhost's largest burst (MAX_PKT_BURST in 22.11). */
#define NFV_VHOST_BURST 32

_Static_assert(NFV_BURST <= NFV_VHOST_BURST, "one dequeue fills a burst");

/* The device to talk to for port p, or -1: use the ethdev. */
static inline int
nfv_vhost_vid(uint16_t port)
{
	/* Acquire (a plain load on x86): pairs with port.c's exchange, so
	 * what it stored before publishing the device (rx_csum) is seen with
	 * it.  librte_vhost publishes the device's own state, and RCU covers
	 * its end. */
	return atomic_load_explicit(&nfv_port_fp[port].vid,
				    memory_order_acquire) -
	       1;
}

/*
 * Free n (at least 1) packets librte_vhost has copied out and return
 * their bytes, in one pass.  The common packet (one segment, direct, not shared, of the
 * first packet's pool) is checked on the mbuf's first cache line only and
 * goes back in one rte_mempool_put_bulk(); any other takes
 * rte_pktmbuf_free().  Counting the bytes here saves a walk over the
 * burst (docs/benchmarks.md).
 */
static inline uint64_t
nfv_mbuf_free_counted(struct rte_mbuf *const *pkts, uint16_t n)
{
	struct rte_mempool *mp = pkts[0]->pool;
	void *put[NFV_VHOST_BURST];
	uint64_t b = 0;
	uint16_t i, k = 0;

	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];

		__rte_mbuf_sanity_check(m, 1);
		b += m->pkt_len;
		if (likely(m->pool == mp && m->nb_segs == 1 &&
			   rte_mbuf_refcnt_read(m) == 1 &&
			   (m->ol_flags & (RTE_MBUF_F_INDIRECT |
					   RTE_MBUF_F_EXTERNAL)) == 0))
			put[k++] = m;
		else
			rte_pktmbuf_free(m);
	}
	if (k != 0)
		rte_mempool_put_bulk(mp, put, k);
	return b;
}

/*
 * A guest's checksum offload (VIRTIO_NET_F_CSUM, which net_vhost offers):
 * the guest leaves its TCP/UDP checksum over the pseudo-header only, and
 * librte_vhost, in the compliant mode net_vhost asks for, hands the packet
 * on as RX_L4_CKSUM_NONE.  net_vhost's own RX burst completes such a
 * checksum in software when the application did not ask for checksum
 * offload (nfvd does not); the direct path must do the same, or the
 * partial checksum leaves by the next port and the receiver drops the
 * segment (TCP between two guests through the router).  Off the fast
 * path: only packets with that flag get here.
 */
static __rte_unused __rte_noinline void
nfv_vhost_csum_complete(struct rte_mbuf *m)
{
	struct rte_net_hdr_lens hl;
	uint32_t ptype, hdr_len, off;
	uint16_t csum = 0;

	ptype = rte_net_get_ptype(m, &hl, RTE_PTYPE_ALL_MASK);
	hdr_len = hl.l2_len + hl.l3_len;
	switch (ptype & RTE_PTYPE_L4_MASK) {
	case RTE_PTYPE_L4_TCP:
		off = hdr_len + offsetof(struct rte_tcp_hdr, cksum);
		break;
	case RTE_PTYPE_L4_UDP:
		off = hdr_len + offsetof(struct rte_udp_hdr, dgram_cksum);
		break;
	default:
		return; /* nothing the guest could have left to us */
	}
	if (off + 2 > rte_pktmbuf_data_len(m) ||
	    rte_raw_cksum_mbuf(m, hdr_len, rte_pktmbuf_pkt_len(m) - hdr_len,
			       &csum) < 0)
		return;
	csum = (uint16_t)~csum;
	if ((ptype & RTE_PTYPE_L4_MASK) == RTE_PTYPE_L4_UDP && csum == 0)
		csum = 0xffff; /* RFC 768: 0 means none */
	*rte_pktmbuf_mtod_offset(m, uint16_t *, off) = csum;
	m->ol_flags &= ~RTE_MBUF_F_RX_L4_CKSUM_MASK;
	m->ol_flags |= RTE_MBUF_F_RX_L4_CKSUM_GOOD;
}

/* Bytes of what a direct dequeue got, each guest checksum left to us
 * completed on the way (one pass over the burst).  `partial`: the device
 * negotiated an offload that lets the guest leave one (rx_csum); without
 * it the pass only counts. */
static inline uint64_t
nfv_vhost_rx_fixup(struct rte_mbuf *const *pkts, uint16_t n, bool partial)
{
	uint64_t b = 0;
	uint16_t i;

	if (likely(!partial)) {
		for (i = 0; i < n; i++)
			b += pkts[i]->pkt_len;
		return b;
	}
	for (i = 0; i < n; i++) {
		b += pkts[i]->pkt_len;
		if (unlikely((pkts[i]->ol_flags &
			      RTE_MBUF_F_RX_L4_CKSUM_MASK) ==
			     RTE_MBUF_F_RX_L4_CKSUM_NONE))
			nfv_vhost_csum_complete(pkts[i]);
	}
	return b;
}

/* Is an ethdev callback (rte_pdump's) on this queue, or are the queue's
 * fast-path ops not set up (port stopped)?  Then the ethdev must see the
 * burst. */
static inline bool
nfv_eth_queue_hooked(const struct rte_ethdev_qdata *qd, uint16_t q)
{
	return qd->clbk == NULL ||
	       __atomic_load_n(&qd->clbk[q], __ATOMIC_RELAXED) != NULL;
}

/* Receive up to n (<= NFV_VHOST_BURST) packets from RX queue q. */
static inline uint16_t
nfv_port_rx(struct nfv_wctx *w, const struct nfv_rxq *q,
	    struct rte_mbuf **pkts, uint16_t n)
{
	int vid = nfv_vhost_vid(q->port);
	uint16_t eth_port = nfv_port_fp[q->port].eth_port;
	struct nfv_port_wstats *st;
	uint16_t got;

	if (vid < 0 ||
	    nfv_eth_queue_hooked(&rte_eth_fp_ops[eth_port].rxq, q->queue))
		return rte_eth_rx_burst(eth_port, q->queue, pkts, n);
	/* A ring the frontend has not enabled (yet) is skipped: a ring it
	 * never set up would cost librte_vhost an error line per call. */
	if (unlikely(!(atomic_load_explicit(&nfv_port_fp[q->port].vq_on,
					    memory_order_relaxed) &
		       NFV_VQ_RX_ON(q->queue))))
		return 0;
	got = rte_vhost_dequeue_burst(vid, NFV_VHOST_VQ_RX(q->queue), w->pool,
				      pkts, n);
	if (got != 0) {
		st = &w->pstats[q->port];
		st->rx_pkts += got;
		st->rx_bytes += nfv_vhost_rx_fixup(
			pkts, got,
			atomic_load_explicit(&nfv_port_fp[q->port].rx_csum,
					     memory_order_relaxed));
	}
	return got;
}

/*
 * The TX queue to use instead of q when the frontend has not enabled q's
 * ring: one of those it has (`on`, a mask of TX queues, not 0), the
 * (q mod count)-th, so that workers stay spread over the rings there are.
 * The choice depends on q and `on` only: a worker's packets to a port
 * keep one ring, and with them the order of each of its flows.  Off the
 * fast path: only while the frontend has fewer queues than the port.
 */
static __rte_unused __rte_noinline uint16_t
nfv_vhost_txq_other(uint32_t on, uint16_t q)
{
	unsigned int k = q % (unsigned int)__builtin_popcount(on);

	while (k-- > 0)
		on &= on - 1;
	return (uint16_t)__builtin_ctz(on);
}

/* The TX queue of port `port` that stands for queue q (see above). */
static inline uint16_t
nfv_vhost_txq(uint16_t port, uint16_t q)
{
	uint32_t on = atomic_load_explicit(&nfv_port_fp[port].vq_on,
					   memory_order_relaxed) >>
		      NFV_MAX_QUEUES;

	/* 0: not vhost-user, or nothing enabled (the send fails). */
	if (likely(on == 0 || (on & (1u << q)) != 0))
		return q;
	return nfv_vhost_txq_other(on, q);
}

/*
 * Send n packets on TX queue q of port (graph index) port: how many went.
 * The sent ones are freed (librte_vhost copied them), the rest are the
 * caller's, as with rte_eth_tx_burst().
 */
static inline uint16_t
nfv_port_tx(struct nfv_wctx *w, uint16_t port, uint16_t q,
	    struct rte_mbuf **pkts, uint16_t n)
{
	int vid = nfv_vhost_vid(port);
	uint16_t eth_port = nfv_port_fp[port].eth_port;
	struct nfv_port_wstats *st;
	uint16_t sent = 0, k, chunk;

	q = nfv_vhost_txq(port, q);
	if (vid < 0 || nfv_eth_queue_hooked(&rte_eth_fp_ops[eth_port].txq, q))
		return w->tx_burst(eth_port, q, pkts, n);
	st = &w->pstats[port];
	while (sent < n) {
		chunk = (uint16_t)RTE_MIN(n - sent, NFV_VHOST_BURST);
		k = rte_vhost_enqueue_burst(vid, NFV_VHOST_VQ_TX(q),
					    pkts + sent, chunk);
		if (k != 0) {
			st->tx_pkts += k;
			st->tx_bytes += nfv_mbuf_free_counted(pkts + sent, k);
		}
		sent += k;
		if (k < chunk)
			break;
	}
	return sent;
}

#endif /* NFV_VHOST_IO_H */
