/* SPDX-License-Identifier: BSD-3-Clause
 *
 * trial.c - one trial: warm up, measure for a set time, drain.
 *
 * Closed loop: each sending port starts `inflight` bursts; every frame
 * that comes back is rebuilt from its template as the sending port's next
 * flow (so all flows take turns, not only the first inflight x burst),
 * gets a new sequence number and timestamp, and goes out again on the
 * port that first sent it (like testpmd's `start tx_first N` with mac
 * forwarding).
 * The device under test is then the bottleneck.  Open loop: a token
 * bucket on the TSC offers `rate_pps` per sending port; a frame the TX
 * ring refuses is freed and counted as refused (on vhost-user a full ring
 * means the device did not keep up, so it counts against the pass).
 *
 * The window: at the end of the warm-up each port's next sequence number
 * is noted (s0); at the end of the window again (s1).  Frames with a
 * sequence number in [s0, s1) are the window's: they are counted as
 * delivered whenever they arrive, also while draining.  Main thread only.
 *
 * Queues (--queues N): flow f always goes out on TX queue f mod N, as a
 * multi-queue NIC's RSS or a guest's XPS keeps a flow on one queue, and
 * every RX queue is polled.  A device that keeps order per queue then
 * keeps it per flow, not per port (queues are polled one after the
 * other), so the order check is per flow: a frame is reordered when it
 * is older than one of its own flow seen before.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_memcpy.h>

#include "dataplane/bench/bench.h"

volatile sig_atomic_t nfvb_interrupted;

enum nfvb_phase {
	NFVB_WARM,
	NFVB_MEASURE,
	NFVB_DRAIN,
};

/* Closed-loop frames waiting to go out again on one port. */
struct nfvb_pend {
	unsigned int head, n;
	struct rte_mbuf *m[NFVB_PEND];
};

struct nfvb_run {
	struct nfvb_ctx *c;
	struct nfvb_traffic *t;
	struct nfvb_trial *r;
	bool closed;
	double pps;
	enum nfvb_phase phase;
	uint32_t seq[NFVB_MAX_PORTS];
	uint32_t flow[NFVB_MAX_PORTS];
	unsigned int pat[NFVB_MAX_PORTS];
	double tokens[NFVB_MAX_PORTS];
	uint64_t last;
	uint32_t s0[NFVB_MAX_PORTS], s1[NFVB_MAX_PORTS];
	uint32_t max_seq[NFVB_MAX_PORTS];
	bool seen[NFVB_MAX_PORTS];
	uint64_t last_rx;
};

static struct nfvb_pend nfvb_pend[NFVB_MAX_PORTS];

/* --queues > 1: the newest sequence number seen per sending port and
 * flow in the window, + 1 (0: none yet); [port * flows + flow], allocated
 * for the trial (up to 32 MiB with a million flows and 8 ports). */
static uint32_t *nfvb_flow_next;

/* The TX queue of a frame: its flow's (see the top of the file).  Frames
 * too small for a signature name no flow: queue 0. */
static inline uint16_t
nfvb_txq(const struct nfvb_run *run, struct rte_mbuf *m)
{
	const struct nfvb_traffic *t = run->t;
	unsigned int nq = run->c->o->queues;

	if (nq == 1 || !t->has_sig)
		return 0;
	return (uint16_t)(NFVB_SIG_FLOW(rte_pktmbuf_mtod_offset(
				  m, struct nfvb_sig *, t->sig_off)) %
			  nq);
}

static inline void
nfvb_pend_push(struct nfvb_pend *q, struct rte_mbuf *m, struct rte_mbuf **drop,
	       unsigned int *nd)
{
	if (unlikely(q->n == NFVB_PEND)) {
		drop[(*nd)++] = m;
		return;
	}
	q->m[(q->head + q->n) & (NFVB_PEND - 1)] = m;
	q->n++;
}

static void
nfvb_pend_flush_all(void)
{
	unsigned int p;

	for (p = 0; p < NFVB_MAX_PORTS; p++) {
		struct nfvb_pend *q = &nfvb_pend[p];

		while (q->n > 0) {
			rte_pktmbuf_free(q->m[q->head]);
			q->head = (q->head + 1) & (NFVB_PEND - 1);
			q->n--;
		}
		q->head = 0;
	}
}

/* The next flow port p sends (cyclic). */
static inline uint32_t
nfvb_next_flow(struct nfvb_run *run, unsigned int p)
{
	uint32_t f = run->flow[p];

	if (++run->flow[p] == run->t->flows)
		run->flow[p] = 0;
	return f;
}

/* Fresh frames from the templates; seq and tsc are set when sent. */
static void
nfvb_build(struct nfvb_run *run, unsigned int p, struct rte_mbuf **m,
	   unsigned int n)
{
	const struct nfvb_traffic *t = run->t;
	unsigned int i;

	for (i = 0; i < n; i++) {
		unsigned int cls = t->pattern[run->pat[p]];
		uint32_t f = nfvb_next_flow(run, p);
		char *d = rte_pktmbuf_mtod(m[i], char *);

		if (++run->pat[p] == t->n_pattern)
			run->pat[p] = 0;
		nfvb_frame_fill(t, p, cls, f, d);
		m[i]->data_len = t->len[cls];
		m[i]->pkt_len = t->len[cls];
	}
}

/*
 * --queues > 1: send the stamped burst m[0..n) queue by queue, each frame
 * on its flow's queue, in order within each queue.  On return m[0..k)
 * are the frames the rings took and m[k..n) the rest (in their order):
 * the callers' contract of rte_eth_tx_burst().  The numbers of refused
 * frames are not used again (a later send stamps them anew): gaps in a
 * port's sequence are fine, the window counts frames, not numbers.
 */
static unsigned int
nfvb_send_queues(struct nfvb_run *run, unsigned int p, struct rte_mbuf **m,
		 unsigned int n)
{
	struct nfvb_pstats *ps = &run->r->ps[p];
	struct rte_mbuf *qm[NFVB_MAX_QUEUES][NFVB_MAX_BURST];
	struct rte_mbuf *left[NFVB_MAX_BURST];
	unsigned int nq = run->c->o->queues, cnt[NFVB_MAX_QUEUES] = {0};
	unsigned int i, q, k = 0, nl = 0, sent;

	for (i = 0; i < n; i++) {
		q = nfvb_txq(run, m[i]);
		qm[q][cnt[q]++] = m[i];
	}
	for (q = 0; q < nq; q++) {
		if (cnt[q] == 0)
			continue;
		sent = rte_eth_tx_burst(run->c->ports[p].eth, (uint16_t)q,
					qm[q], (uint16_t)cnt[q]);
		for (i = 0; i < sent; i++) {
			m[k++] = qm[q][i];
			if (run->phase == NFVB_MEASURE)
				ps->tx_bytes += qm[q][i]->pkt_len + 4;
		}
		for (i = sent; i < cnt[q]; i++)
			left[nl++] = qm[q][i];
		if (run->phase == NFVB_MEASURE) {
			ps->tx_pkts += sent;
			ps->tx_q[q] += sent;
		}
	}
	memcpy(&m[k], left, nl * sizeof(left[0]));
	run->seq[p] += n;
	return k;
}

/* Stamp and send; returns how many the TX ring took (the first ones). */
static unsigned int
nfvb_send(struct nfvb_run *run, unsigned int p, struct rte_mbuf **m,
	  unsigned int n, uint64_t now)
{
	const struct nfvb_traffic *t = run->t;
	struct nfvb_pstats *ps = &run->r->ps[p];
	uint32_t seq = run->seq[p];
	unsigned int i, k;

	if (t->has_sig)
		for (i = 0; i < n; i++)
			nfvb_sig_stamp(rte_pktmbuf_mtod_offset(
					       m[i], struct nfvb_sig *,
					       t->sig_off),
				       seq + i, (uint32_t)now);
	if (run->c->o->queues > 1)
		return nfvb_send_queues(run, p, m, n);
	k = rte_eth_tx_burst(run->c->ports[p].eth, 0, m, (uint16_t)n);
	run->seq[p] = seq + k;
	if (run->phase == NFVB_MEASURE) {
		ps->tx_pkts += k;
		ps->tx_q[0] += k;
		for (i = 0; i < k; i++)
			ps->tx_bytes += m[i]->pkt_len + 4;
	}
	return k;
}

static unsigned int
nfvb_tx_open(struct nfvb_run *run, unsigned int p, uint64_t now)
{
	struct nfvb_ctx *c = run->c;
	struct rte_mbuf *m[NFVB_MAX_BURST];
	unsigned int n, k;

	n = RTE_MIN((unsigned int)run->tokens[p], c->o->burst);
	if (n == 0)
		return 0;
	if (rte_pktmbuf_alloc_bulk(c->pool, m, n) != 0)
		return 0; /* the pool is empty: frames are still in flight */
	run->tokens[p] -= n;
	nfvb_build(run, p, m, n);
	k = nfvb_send(run, p, m, n, now);
	if (k < n) {
		if (run->phase == NFVB_MEASURE)
			run->r->ps[p].tx_refused += n - k;
		rte_pktmbuf_free_bulk(&m[k], n - k);
	}
	return k;
}

static unsigned int
nfvb_tx_closed(struct nfvb_run *run, unsigned int p, uint64_t now)
{
	struct nfvb_pend *q = &nfvb_pend[p];
	struct rte_mbuf *m[NFVB_MAX_BURST];
	unsigned int n, i, k;

	n = RTE_MIN(q->n, run->c->o->burst);
	if (n == 0)
		return 0;
	for (i = 0; i < n; i++)
		m[i] = q->m[(q->head + i) & (NFVB_PEND - 1)];
	k = nfvb_send(run, p, m, n, now);
	/* The rest stays queued: in flight stays constant.  With queues the
	 * refused ones are m[k..n), in slots of sent ones maybe. */
	for (i = k; i < n; i++)
		q->m[(q->head + i) & (NFVB_PEND - 1)] = m[i];
	q->head = (q->head + k) & (NFVB_PEND - 1);
	q->n -= k;
	return k;
}

/*
 * A frame that is not exactly as sent goes back to the pool zeroed: the
 * templates rely on every byte past copy_len being zero (struct
 * nfvb_traffic).
 */
static inline void
nfvb_zero(struct rte_mbuf *m)
{
	for (; m != NULL; m = m->next)
		memset(rte_pktmbuf_mtod(m, char *), 0, m->data_len);
}

static inline bool
nfvb_as_sent(const struct nfvb_traffic *t, const struct rte_mbuf *m,
	     uint8_t meta)
{
	unsigned int cls = NFVB_META_CLASS(meta);

	return m->nb_segs == 1 && cls < t->n_classes &&
	       m->data_len == t->len[cls];
}

/* Put a frame that came back into the shape its template gives flow
 * `flow` (headers restored: a device may rewrite MACs or the TTL). */
static inline bool
nfvb_restore(const struct nfvb_traffic *t, struct rte_mbuf *m,
	     unsigned int sp, unsigned int cls, uint32_t flow)
{
	char *d = rte_pktmbuf_mtod(m, char *);

	if (unlikely(cls >= t->n_classes || flow >= t->flows))
		return false;
	if (unlikely(m->data_len != t->len[cls] || m->nb_segs != 1)) {
		/* The device changed its length: keep the zero tail. */
		if (m->nb_segs != 1)
			return false;
		memset(d, 0, RTE_MAX(m->data_len, t->len[cls]));
		m->data_len = t->len[cls];
		m->pkt_len = t->len[cls];
	}
	nfvb_frame_fill(t, sp, cls, flow, d);
	return true;
}

/* Is this frame of port sp older than one of its flow seen before? */
static inline bool
nfvb_flow_reordered(struct nfvb_run *run, unsigned int sp,
		    const struct nfvb_sig *s)
{
	uint32_t *next, f = NFVB_SIG_FLOW(s);

	if (unlikely(f >= run->t->flows))
		return false;
	next = &nfvb_flow_next[(size_t)sp * run->t->flows + f];
	if (*next != 0 && (int32_t)(s->seq - (*next - 1)) < 0)
		return true;
	*next = s->seq + 1;
	if (*next == 0)
		*next = 1; /* wrapped onto "none": one check lost */
	return false;
}

static unsigned int
nfvb_rx_queue(struct nfvb_run *run, unsigned int q, uint16_t rq, uint64_t now)
{
	struct nfvb_ctx *c = run->c;
	const struct nfvb_traffic *t = run->t;
	struct nfvb_trial *r = run->r;
	struct rte_mbuf *m[NFVB_MAX_BURST], *drop[NFVB_MAX_BURST];
	bool resend = run->closed && run->phase != NFVB_DRAIN;
	bool per_flow = c->o->queues > 1;
	unsigned int n, i, nd = 0;

	n = rte_eth_rx_burst(c->ports[q].eth, rq, m, (uint16_t)c->o->burst);
	if (n == 0)
		return 0;
	if (run->phase != NFVB_WARM)
		r->ps[q].rx_q[rq] += n;
	/* The loop's `now` may predate the frames' own stamps. */
	now = rte_rdtsc();
	run->last_rx = now;
	for (i = 0; i < n; i++) {
		struct rte_mbuf *x = m[i];
		struct nfvb_sig *s;
		unsigned int sp;
		uint32_t hi;

		if (!t->has_sig) {
			/* Small frames: counted by port and time only. */
			unsigned int pp = q ^ 1;

			if (run->phase != NFVB_WARM) {
				r->ps[q].rx_pkts++;
				r->ps[q].rx_bytes += x->pkt_len + 4;
				r->ps[pp].delivered++;
			}
			if (resend) {
				struct rte_ether_hdr *eh = rte_pktmbuf_mtod(
					x, struct rte_ether_hdr *);

				memcpy(eh->dst_addr.addr_bytes,
				       c->ports[pp].peer_mac, 6);
				memcpy(eh->src_addr.addr_bytes,
				       c->ports[pp].mac, 6);
				nfvb_pend_push(&nfvb_pend[pp], x, drop, &nd);
			} else {
				drop[nd++] = x;
			}
			continue;
		}

		s = rte_pktmbuf_mtod_offset(x, struct nfvb_sig *, t->sig_off);
		if (unlikely(x->data_len < t->sig_off + NFVB_SIG_LEN ||
			     s->magic != NFVB_SIG_MAGIC ||
			     NFVB_SIG_PORT(s) >= c->n_ports)) {
			/* Not ours: zero it, the pool's buffers stay clean. */
			r->ps[q].foreign++;
			nfvb_zero(x);
			drop[nd++] = x;
			continue;
		}
		sp = NFVB_SIG_PORT(s);
		if (unlikely(NFVB_META_GEN(s->meta) != t->gen)) {
			r->ps[q].stale++;
			if (!nfvb_as_sent(t, x, s->meta))
				nfvb_zero(x);
			drop[nd++] = x;
			continue;
		}
		hi = run->phase == NFVB_DRAIN ? run->s1[sp] : run->seq[sp];
		if (run->phase != NFVB_WARM &&
		    (uint32_t)(s->seq - run->s0[sp]) <
			    (uint32_t)(hi - run->s0[sp])) {
			struct nfvb_pstats *ps = &r->ps[sp];

			ps->delivered++;
			r->ps[q].rx_pkts++;
			r->ps[q].rx_bytes += x->pkt_len + 4;
			nfvb_lat_add(&ps->lat, (uint32_t)now - s->tsc);
			if (per_flow) {
				if (nfvb_flow_reordered(run, sp, s))
					ps->reordered++;
			} else if (run->seen[sp] &&
				   (int32_t)(s->seq - run->max_seq[sp]) < 0) {
				ps->reordered++;
			} else {
				run->max_seq[sp] = s->seq;
				run->seen[sp] = true;
			}
		}
		if (resend && nfvb_restore(t, x, sp, NFVB_META_CLASS(s->meta),
					   nfvb_next_flow(run, sp))) {
			nfvb_pend_push(&nfvb_pend[sp], x, drop, &nd);
		} else {
			if (unlikely(!nfvb_as_sent(t, x, s->meta)))
				nfvb_zero(x);
			drop[nd++] = x;
		}
	}
	if (nd > 0)
		rte_pktmbuf_free_bulk(drop, nd);
	return n;
}

/* Receive on every queue of port q. */
static unsigned int
nfvb_rx(struct nfvb_run *run, unsigned int q, uint64_t now)
{
	unsigned int rq, n = 0;

	for (rq = 0; rq < run->c->o->queues; rq++)
		n += nfvb_rx_queue(run, q, (uint16_t)rq, now);
	return n;
}

static void
nfvb_window_open(struct nfvb_run *run)
{
	unsigned int p;

	for (p = 0; p < run->r->n_ports; p++) {
		memset(&run->r->ps[p], 0, sizeof(run->r->ps[p]));
		run->r->ps[p].lat.min = UINT32_MAX;
		run->s0[p] = run->seq[p];
		run->seen[p] = false;
		if (nfvb_flow_next != NULL)
			memset(&nfvb_flow_next[(size_t)p * run->t->flows], 0,
			       run->t->flows * sizeof(nfvb_flow_next[0]));
	}
	run->phase = NFVB_MEASURE;
}

static bool
nfvb_all_delivered(const struct nfvb_run *run)
{
	unsigned int p;

	if (!run->t->has_sig)
		return false;
	for (p = 0; p < run->r->n_ports; p++)
		if (run->r->ps[p].delivered < run->r->ps[p].tx_pkts)
			return false;
	return true;
}

/* Probe: receive and free everything; note which senders came back. */
static void
nfvb_probe_rx(struct nfvb_run *run, bool *got)
{
	struct nfvb_ctx *c = run->c;
	const struct nfvb_traffic *t = run->t;
	struct rte_mbuf *m[NFVB_MAX_BURST];
	unsigned int q, i, n;

	for (q = 0; q < c->n_ports * c->o->queues; q++) {
		n = rte_eth_rx_burst(c->ports[q % c->n_ports].eth,
				     (uint16_t)(q / c->n_ports), m,
				     NFVB_MAX_BURST);
		for (i = 0; i < n; i++) {
			struct nfvb_sig *s = rte_pktmbuf_mtod_offset(
				m[i], struct nfvb_sig *, t->sig_off);

			if (!t->has_sig) {
				if (got != NULL)
					got[(q % c->n_ports) ^ 1] = true;
			} else if (m[i]->data_len >=
					   t->sig_off + NFVB_SIG_LEN &&
				   s->magic == NFVB_SIG_MAGIC &&
				   NFVB_SIG_PORT(s) < c->n_ports) {
				if (got != NULL &&
				    NFVB_META_GEN(s->meta) == t->gen)
					got[NFVB_SIG_PORT(s)] = true;
			} else {
				/* Not ours: the pool's buffers stay zero. */
				nfvb_zero(m[i]);
				continue;
			}
			if (t->has_sig && !nfvb_as_sent(t, m[i], s->meta))
				nfvb_zero(m[i]);
		}
		if (n > 0)
			rte_pktmbuf_free_bulk(m, n);
	}
}

/*
 * Before a trial: one frame from each sending port must come back from
 * the device, so that a direction whose far side was not ready yet (the
 * device drops what it cannot deliver) does not start with its closed
 * loop already empty.  Also teaches learning switches both MACs.
 * 0, or -EHOSTUNREACH after `seconds` with the silent direction named.
 */
static int
nfvb_probe(struct nfvb_run *run, double seconds)
{
	struct nfvb_ctx *c = run->c;
	const struct nfvb_traffic *t = run->t;
	uint64_t now = rte_rdtsc(), end, next = 0, quiet;
	bool got[NFVB_MAX_PORTS] = {false}, all;
	struct rte_mbuf *m[1];
	unsigned int p;

	end = now + (uint64_t)(seconds * (double)c->hz);
	for (;;) {
		now = rte_rdtsc();
		all = true;
		for (p = 0; p < c->n_ports; p++)
			all &= !run->r->tx_on[p] || got[p];
		if (all)
			break;
		if (now > end) {
			for (p = 0; p < c->n_ports; p++)
				if (run->r->tx_on[p] && !got[p])
					break;
			fprintf(stderr,
				"nfv-bench: no frame sent on port %u came back on port %u within %.0f s: is the device forwarding, and to the right MAC?\n",
				p, p ^ 1, seconds);
			return -EHOSTUNREACH;
		}
		if (now >= next) {
			/* One frame per silent port, every 20 ms, always of
			 * flow 0: a stateful device (a firewall that lets
			 * only the even side open connections) passes the
			 * odd side's probe only as a reply of a flow the even
			 * side's probe opened, and the even side stops
			 * probing once its frame is back. */
			for (p = 0; p < c->n_ports; p++) {
				if (!run->r->tx_on[p] || got[p] ||
				    rte_pktmbuf_alloc_bulk(c->pool, m, 1) != 0)
					continue;
				run->flow[p] = 0;
				nfvb_build(run, p, m, 1);
				if (t->has_sig)
					nfvb_sig_stamp(rte_pktmbuf_mtod_offset(
							       m[0], struct nfvb_sig *,
							       t->sig_off),
						       0, (uint32_t)now);
				if (rte_eth_tx_burst(c->ports[p].eth,
						     nfvb_txq(run, m[0]), m,
						     1) != 1)
					rte_pktmbuf_free(m[0]);
			}
			next = now + c->hz / 50;
		}
		if (c->test_dut)
			nfvb_test_dut_poll(c, now);
		nfvb_probe_rx(run, got);
	}
	/* Let stragglers (repeated probes) arrive before the trial. */
	quiet = rte_rdtsc() + c->hz / 100;
	while (rte_rdtsc() < quiet) {
		if (c->test_dut)
			nfvb_test_dut_poll(c, rte_rdtsc());
		nfvb_probe_rx(run, NULL);
	}
	return 0;
}

int
nfvb_trial_run(struct nfvb_ctx *c, struct nfvb_traffic *t,
	       const struct nfvb_trial_cfg *tc, struct nfvb_trial *r)
{
	const struct nfvb_opts *o = c->o;
	static struct nfvb_run run;
	uint64_t t_meas, t_end = 0, t_win = 0, drain0 = 0, now;
	uint64_t quiet = c->hz / 1000 * o->drain_quiet_ms, drain_max = c->hz;
	uint64_t busy = 0, prev = 0;
	static struct nfvb_dut dut0;
	unsigned int p, i, work = 0;
	int rc = 0;

	memset(&run, 0, sizeof(run));
	memset(r, 0, sizeof(*r));
	run.c = c;
	run.t = t;
	run.r = r;
	run.closed = tc->rate_pps <= 0;
	run.pps = tc->rate_pps;
	r->index = c->trials++;
	r->kind = tc->kind;
	r->size = t->size;
	r->closed_loop = run.closed;
	r->requested_pps = run.closed ? 0 : tc->rate_pps;
	r->n_ports = c->n_ports;
	r->tsc_hz = c->hz;
	for (p = 0; p < c->n_ports; p++) {
		r->tx_on[p] = !o->unidir || (p & 1) == 0;
		r->ps[p].lat.min = UINT32_MAX;
	}

	if (o->queues > 1) {
		nfvb_flow_next = calloc((size_t)c->n_ports * t->flows,
					sizeof(*nfvb_flow_next));
		if (nfvb_flow_next == NULL)
			return -ENOMEM;
	}

	/* A new generation: frames of earlier trials are told apart. */
	c->gen = (uint8_t)((c->gen + 1) & 0x3f);
	nfvb_traffic_set_gen(t, c->gen);

	rc = nfvb_probe(&run, 5);
	if (rc < 0)
		goto out;
	if (run.closed) {
		for (p = 0; p < c->n_ports; p++) {
			struct rte_mbuf *m[NFVB_MAX_BURST];

			if (!r->tx_on[p])
				continue;
			for (i = 0; i < o->inflight; i++) {
				struct rte_mbuf *drop[NFVB_MAX_BURST];
				unsigned int k, nd = 0;

				if (rte_pktmbuf_alloc_bulk(c->pool, m,
							   o->burst) != 0) {
					rc = -ENOMEM;
					goto out;
				}
				nfvb_build(&run, p, m, o->burst);
				for (k = 0; k < o->burst; k++)
					nfvb_pend_push(&nfvb_pend[p], m[k],
						       drop, &nd);
				if (nd > 0)
					rte_pktmbuf_free_bulk(drop, nd);
			}
		}
	}

	/* nfvd's own counters: outside the loop, whose timing they would
	 * disturb; warm-up and drain are in, which changes no ratio. */
	if (o->dut_socket != NULL)
		r->has_dut = nfvb_dut_sample(o->dut_socket, &dut0) == 0;
	now = rte_rdtsc();
	run.last = now;
	run.last_rx = now;
	t_meas = now + (uint64_t)(tc->warmup * (double)c->hz);
	run.phase = NFVB_WARM;
	for (;;) {
		now = rte_rdtsc();
		/* Busy: the previous iteration moved frames. */
		if (work && run.phase == NFVB_MEASURE)
			busy += now - prev;
		prev = now;
		work = 0;
		if (run.phase == NFVB_WARM && now >= t_meas) {
			nfvb_window_open(&run);
			t_win = now;
			t_end = now + (uint64_t)(tc->duration * (double)c->hz);
		} else if (run.phase == NFVB_MEASURE &&
			   (now >= t_end || nfvb_interrupted)) {
			for (p = 0; p < c->n_ports; p++)
				run.s1[p] = run.seq[p];
			r->duration = (double)(now - t_win) / (double)c->hz;
			r->gen_busy_pct = now > t_win ? 100.0 * (double)busy /
								(double)(now - t_win) :
							0;
			run.phase = NFVB_DRAIN;
			drain0 = now;
			if (run.closed)
				nfvb_pend_flush_all();
		} else if (run.phase == NFVB_DRAIN) {
			if (nfvb_all_delivered(&run) ||
			    (now - run.last_rx > quiet && now - drain0 > quiet) ||
			    now - drain0 > drain_max)
				break;
		}

		if (run.phase != NFVB_DRAIN) {
			if (!run.closed) {
				double add = (double)(now - run.last) *
					     run.pps / (double)c->hz;

				run.last = now;
				for (p = 0; p < c->n_ports; p++) {
					if (!r->tx_on[p])
						continue;
					/* A stall must not turn into a burst
					 * the rate never asked for. */
					run.tokens[p] = RTE_MIN(
						run.tokens[p] + add,
						(double)o->burst);
					work |= nfvb_tx_open(&run, p, now);
				}
			} else {
				for (p = 0; p < c->n_ports; p++)
					if (r->tx_on[p])
						work |= nfvb_tx_closed(&run, p,
									now);
			}
		}
		if (c->test_dut)
			nfvb_test_dut_poll(c, now);
		for (p = 0; p < c->n_ports; p++)
			work |= nfvb_rx(&run, p, now);
	}

	if (!run.closed && r->duration > 0) {
		uint64_t asked = 0, tried = 0;

		for (p = 0; p < c->n_ports; p++) {
			if (!r->tx_on[p])
				continue;
			asked += (uint64_t)(run.pps * r->duration);
			tried += r->ps[p].tx_pkts + r->ps[p].tx_refused;
		}
		r->gen_limited = (double)tried < 0.99 * (double)asked;
	}
	if (r->has_dut) {
		r->has_dut = nfvb_dut_sample(o->dut_socket, &r->dut) == 0;
		nfvb_dut_diff(&r->dut, &dut0);
	}
	if (nfvb_interrupted)
		rc = -EINTR;
out:
	nfvb_pend_flush_all();
	free(nfvb_flow_next);
	nfvb_flow_next = NULL;
	return rc;
}

double
nfvb_trial_loss_pct(const struct nfvb_trial *t)
{
	uint64_t tried = 0, got = 0;
	unsigned int p;

	for (p = 0; p < t->n_ports; p++) {
		if (!t->tx_on[p])
			continue;
		tried += t->ps[p].tx_pkts + t->ps[p].tx_refused;
		got += t->ps[p].delivered;
	}
	if (tried == 0 || got >= tried)
		return tried == 0 ? 100.0 : 0.0;
	return 100.0 * (double)(tried - got) / (double)tried;
}

double
nfvb_trial_offered_pps(const struct nfvb_trial *t)
{
	uint64_t sum = 0;
	unsigned int p, n = 0;

	for (p = 0; p < t->n_ports; p++) {
		if (!t->tx_on[p])
			continue;
		sum += t->ps[p].tx_pkts;
		n++;
	}
	return (n == 0 || t->duration <= 0) ? 0 :
					      (double)sum / n / t->duration;
}

double
nfvb_trial_rx_pps(const struct nfvb_trial *t)
{
	uint64_t sum = 0;
	unsigned int p, n = 0;

	for (p = 0; p < t->n_ports; p++) {
		if (!t->tx_on[p ^ 1])
			continue;
		sum += t->ps[p].rx_pkts;
		n++;
	}
	return (n == 0 || t->duration <= 0) ? 0 :
					      (double)sum / n / t->duration;
}

double
nfvb_trial_offered_bps(const struct nfvb_trial *t)
{
	uint64_t sum = 0;
	unsigned int p, n = 0;

	for (p = 0; p < t->n_ports; p++) {
		if (!t->tx_on[p])
			continue;
		sum += t->ps[p].tx_bytes;
		n++;
	}
	return (n == 0 || t->duration <= 0) ? 0 :
					      8.0 * (double)sum / n / t->duration;
}

double
nfvb_trial_rx_bps(const struct nfvb_trial *t)
{
	uint64_t sum = 0;
	unsigned int p, n = 0;

	for (p = 0; p < t->n_ports; p++) {
		if (!t->tx_on[p ^ 1])
			continue;
		sum += t->ps[p].rx_bytes;
		n++;
	}
	return (n == 0 || t->duration <= 0) ? 0 :
					      8.0 * (double)sum / n / t->duration;
}
