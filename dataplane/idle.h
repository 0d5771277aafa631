/* SPDX-License-Identifier: BSD-3-Clause
 *
 * idle.h - what a worker does when its queues are empty (dataplane.idle).
 *
 * poll       spin, as a poll-mode driver does: the lowest latency, and a
 *            whole core at 100% whether packets come or not.
 * sleep      after NFV_IDLE_GRACE_US without a packet the worker sleeps,
 *            1 us at first, twice as long each empty round, at most
 *            idle_sleep_max_us; the first round that gets a packet puts it
 *            back to pure polling.  A burst waits at most one sleep.
 * interrupt  after the same grace the worker turns on the notifications of
 *            its RX queues (vhost-user guest kicks, ethdev RX interrupts),
 *            looks at the queues once more, and blocks in ppoll() until
 *            a notification fires, the control thread wakes it (a new
 *            graph, a vhost device that came or went) or the time runs
 *            out: idle_sleep_max_us when one of its queues cannot notify
 *            (see nfv_port_fp.wake), else NFV_IDLE_BLOCK_MAX_MS.
 *
 * A sleeping or blocked worker is offline in QSBR (rte_rcu_qsbr): grace
 * periods, and with them route, rule and port updates, complete without
 * it; it goes online before it touches a snapshot again.
 *
 * Packets a VNF's poll op produces (a control plane that injects packets)
 * wake a blocked worker when the injector calls vnf_wake_workers() (vnf.h;
 * the dataplane points it at nfv_idle_wake_all(); the router's
 * vnf_router_inject() does); in sleep mode they wait for the end of a
 * sleep (at most idle_sleep_max_us).  NFV_IDLE_BLOCK_POLL_MS still caps a
 * block while a poll op is in the graph, for an injector that does not.
 */
#ifndef NFV_IDLE_H
#define NFV_IDLE_H

#include <stdatomic.h>
#include <stdint.h>

#include <rte_common.h>

#include "control/config.h"

/* Polling without a packet this long before the first sleep or block:
 * under load a queue is never empty that long, so full speed is kept. */
#define NFV_IDLE_GRACE_US 20
/* The first sleep; each empty round doubles it up to idle_sleep_max_us. */
#define NFV_IDLE_SLEEP_MIN_US 1
/* Interrupt mode: the longest block when every queue can notify.  Only
 * what no notification announces waits this long (see above). */
#define NFV_IDLE_BLOCK_MAX_MS 1000
/* The same while the graph has a VNF instance with a poll op (the router:
 * frames the mirror thread injects), whose packets no notification
 * announces: they wait at most this long for a blocked worker. */
#define NFV_IDLE_BLOCK_POLL_MS 100

/* How a worker is spending its time now (nfvctl show stats). */
enum nfv_idle_state {
	NFV_IDLE_POLLING,
	NFV_IDLE_SLEEPING,
	NFV_IDLE_BLOCKED,
};

/*
 * A worker's idle state, in its struct nfv_worker.  The settings are
 * written by the control thread before the worker starts; the rest by the
 * worker only.  The control thread reads the counters and `state` without
 * locks: aligned 64-bit words, each a value that was true at some moment.
 */
struct nfv_idle {
	unsigned int worker;		/* worker index (QSBR thread id) */
	uint8_t mode;			/* enum ctl_idle_mode */
	uint32_t sleep_max_us;
	uint64_t grace_cycles;		/* NFV_IDLE_GRACE_US in TSC cycles */
	/* Worker only. */
	uint64_t last_busy;		/* TSC of the last round with packets */
	uint32_t sleep_us;		/* the next sleep */
	/* Worker writes, the control thread reads (relaxed). */
	_Atomic uint8_t state;		/* enum nfv_idle_state */
	uint64_t start;			/* TSC when the worker started */
	uint64_t asleep_cycles;		/* asleep or blocked, in total */
	uint64_t wakeups;		/* sleeps and blocks that ended */
	uint64_t notified;		/* blocks ended by a notification */
	/* Interrupt mode: graph index + 1 of a port whose queue could not
	 * notify at the last block (0: none), which made it a timed wait. */
	uint16_t capped_by;
};

/* Control thread, before the workers start: settings, and in interrupt
 * mode the eventfd that wakes worker `worker`.  0 or -errno. */
int nfv_idle_init(struct nfv_idle *id, unsigned int worker,
		  enum ctl_idle_mode mode, unsigned int sleep_max_us);
/* Control thread, after the workers stopped. */
void nfv_idle_fini(unsigned int id);
/* Any thread: end the block of worker `id` / of every worker (interrupt
 * mode; nothing otherwise).  Async-signal-safe: one write(). */
void nfv_idle_wake(unsigned int id);
void nfv_idle_wake_all(void);

/* Worker: before its first round. */
void nfv_idle_worker_start(struct nfv_idle *id);
/* Worker, out of line: sleep or block once (the slow path below). */
void nfv_idle_rest(struct nfv_idle *id);

/*
 * Worker, once per loop round after its quiescent report: `got` packets
 * came in this round, which began at TSC `now`.  Costs a compare and two
 * stores per round while there is traffic.
 */
static inline void
nfv_idle_after_round(struct nfv_idle *id, uint32_t got, uint64_t now)
{
	if (likely(got != 0)) {
		id->last_busy = now;
		id->sleep_us = NFV_IDLE_SLEEP_MIN_US;
		return;
	}
	if (id->mode == CTL_IDLE_POLL || now - id->last_busy < id->grace_cycles)
		return;
	nfv_idle_rest(id);
}

#endif /* NFV_IDLE_H */
