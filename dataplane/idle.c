/* SPDX-License-Identifier: BSD-3-Clause
 *
 * idle.c - a worker's sleep and block when no packet comes (idle.h).
 *
 * The wake-up eventfds are the only state shared with other threads:
 * nfv_idle_efd[w] is worker w's fd + 1 (0: none), set by the control
 * thread before the workers start and cleared after they stopped; any
 * thread may write to the fd in between.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>

#include <rte_atomic.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_rcu_qsbr.h>
#include <rte_vhost.h>

#include "dataplane/graph.h"
#include "dataplane/idle.h"
#include "dataplane/vhost_io.h"
#include "vnf/lib/rcu.h"

/* The sleeps of sleep mode are a few microseconds long: the default
 * timer slack of 50 us would stretch every one of them to 50 us. */
#define NFV_IDLE_TIMERSLACK_NS 1000

static atomic_int nfv_idle_efd[NFV_MAX_WORKERS];

int
nfv_idle_init(struct nfv_idle *id, unsigned int worker, enum ctl_idle_mode mode,
	      unsigned int sleep_max_us)
{
	int fd;

	id->worker = worker;
	id->mode = (uint8_t)mode;
	id->sleep_max_us = sleep_max_us;
	id->grace_cycles = rte_get_tsc_hz() / 1000000 * NFV_IDLE_GRACE_US;
	id->sleep_us = NFV_IDLE_SLEEP_MIN_US;
	if (mode != CTL_IDLE_INTERRUPT || worker >= NFV_MAX_WORKERS)
		return 0;
	fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	atomic_store(&nfv_idle_efd[worker], fd + 1);
	return 0;
}

void
nfv_idle_fini(unsigned int worker)
{
	int fd;

	if (worker >= NFV_MAX_WORKERS)
		return;
	fd = atomic_exchange(&nfv_idle_efd[worker], 0) - 1;
	if (fd >= 0)
		close(fd);
}

void
nfv_idle_wake(unsigned int worker)
{
	uint64_t one = 1;
	int fd;

	if (worker >= NFV_MAX_WORKERS)
		return;
	fd = atomic_load_explicit(&nfv_idle_efd[worker], memory_order_relaxed) -
	     1;
	/* A full counter (never in practice) already wakes the worker. */
	if (fd >= 0 && write(fd, &one, sizeof(one)) < 0)
		return;
}

void
nfv_idle_wake_all(void)
{
	unsigned int w;

	for (w = 0; w < NFV_MAX_WORKERS; w++)
		nfv_idle_wake(w);
}

void
nfv_idle_worker_start(struct nfv_idle *id)
{
	id->start = rte_rdtsc();
	id->last_busy = id->start;
	if (id->mode != CTL_IDLE_POLL)
		prctl(PR_SET_TIMERSLACK, NFV_IDLE_TIMERSLACK_NS, 0, 0, 0);
}

static void
nfv_idle_offline(struct nfv_idle *id, enum nfv_idle_state st)
{
	/* From here on the worker holds no pointer into any snapshot: grace
	 * periods complete without it. */
	rte_rcu_qsbr_thread_offline(nfv_rcu(), id->worker);
	atomic_store_explicit(&id->state, st, memory_order_relaxed);
}

static void
nfv_idle_online(struct nfv_idle *id, uint64_t t0)
{
	/* Online before the next snapshot read (the loop's next round). */
	rte_rcu_qsbr_thread_online(nfv_rcu(), id->worker);
	atomic_store_explicit(&id->state, NFV_IDLE_POLLING,
			      memory_order_relaxed);
	id->asleep_cycles += rte_rdtsc() - t0;
	id->wakeups++;
}

static void
nfv_idle_sleep(struct nfv_idle *id)
{
	/* sleep_us <= CTL_IDLE_SLEEP_MAX_LIMIT: below a second. */
	struct timespec ts = {.tv_nsec = (long)id->sleep_us * 1000};
	uint64_t t0;

	nfv_idle_offline(id, NFV_IDLE_SLEEPING);
	t0 = rte_rdtsc();
	nanosleep(&ts, NULL);
	nfv_idle_online(id, t0);
	id->sleep_us = RTE_MIN(id->sleep_us * 2, id->sleep_max_us);
}

/* What a blocked worker waits on: a copy of each queue's notification fd
 * (the driver may close its own at any time once the worker is offline;
 * the copy keeps the number from naming some other file), and its wake-up
 * eventfd last. */
struct nfv_idle_wait {
	uint16_t capped_by; /* port index + 1 of a queue that cannot */
	unsigned int n;
	unsigned int n_copies;	     /* fds[0 .. n_copies - 1] are copies */
	bool capped;		     /* a queue cannot notify */
	bool pending;		     /* a queue had packets after arming */
	bool drain[NFV_MAX_RXQ + 1]; /* an eventfd: read it when it fires */
	struct pollfd fds[NFV_MAX_RXQ + 1];
};

static void
nfv_idle_cap(struct nfv_idle_wait *wt, const struct nfv_rxq *q)
{
	if (wt == NULL)
		return;
	wt->capped = true;
	wt->capped_by = (uint16_t)(q->port + 1);
}

static void
nfv_idle_add_fd(struct nfv_idle_wait *wt, const struct nfv_rxq *q, int fd,
		bool drain)
{
	int copy = fcntl(fd, F_DUPFD_CLOEXEC, 0);

	if (copy < 0) {
		nfv_idle_cap(wt, q);
		return;
	}
	wt->fds[wt->n] = (struct pollfd){.fd = copy, .events = POLLIN};
	wt->drain[wt->n] = drain;
	wt->n++;
	wt->n_copies = wt->n;
}

/* Turn notifications of one RX queue on (`on`) or off.  Arming also
 * records its fd and whether packets came in before notifications were
 * on (no notification would announce those). */
static void
nfv_idle_queue(const struct nfv_rxq *q, bool on, struct nfv_idle_wait *wt)
{
	const struct nfv_port_fp *fp = &nfv_port_fp[q->port];
	struct rte_vhost_vring vr;
	int vid, fd, rc;

	switch (fp->wake) {
	case NFV_WAKE_VHOST:
		vid = nfv_vhost_vid(q->port);
		/* No device, or a ring the frontend has not enabled:
		 * nothing can come in; a new device or ring is published
		 * with nfv_idle_wake_all(). */
		if (vid < 0 ||
		    !(atomic_load_explicit(&fp->vq_on, memory_order_relaxed) &
		      NFV_VQ_RX_ON(q->queue)))
			return;
		if (rte_vhost_enable_guest_notification(
			    vid, NFV_VHOST_VQ_RX(q->queue), on) != 0) {
			nfv_idle_cap(wt, q);
			return;
		}
		if (wt == NULL)
			return;
		if (rte_vhost_get_vhost_vring(vid, NFV_VHOST_VQ_RX(q->queue),
					      &vr) != 0 ||
		    vr.kickfd < 0) {
			nfv_idle_cap(wt, q);
			return;
		}
		nfv_idle_add_fd(wt, q, vr.kickfd, true);
		/* The guest reads the flag we just wrote only after it has
		 * published a buffer; order our store before our load of
		 * its index, or a buffer added in between goes unseen by
		 * both sides. */
		rte_atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (rte_vhost_rx_queue_count(vid, NFV_VHOST_VQ_RX(q->queue)) >
		    0)
			wt->pending = true;
		return;
	case NFV_WAKE_RX_INTR:
		if (!on) {
			rte_eth_dev_rx_intr_disable(fp->eth_port, q->queue);
			return;
		}
		fd = rte_eth_dev_rx_intr_ctl_q_get_fd(fp->eth_port, q->queue);
		/* net_tap has no enable op (-ENOTSUP): its fd is always
		 * armed. */
		rc = rte_eth_dev_rx_intr_enable(fp->eth_port, q->queue);
		if ((rc != 0 && rc != -ENOTSUP) || fd < 0) {
			nfv_idle_cap(wt, q);
			return;
		}
		/* The fd is the queue itself (tap): readable while packets
		 * wait, so none goes unseen; nothing to drain. */
		nfv_idle_add_fd(wt, q, fd, false);
		return;
	default:
		nfv_idle_cap(wt, q);
		return;
	}
}

/* The RX queues of this worker in the snapshot of now.  Online only. */
static const struct nfv_wrx *
nfv_idle_queues(const struct nfv_idle *id)
{
	const struct nfv_graph *g = nfv_graph_get();

	return g != NULL && g->wrx != NULL ? &g->wrx[id->worker] : NULL;
}

/* Eventfds count kicks: read the count, or the next block ends at once.
 * Only one that fired: a read of an empty one would block unless it is
 * non-blocking, and a guest's kick fd may not be. */
static void
nfv_idle_drain(int fd)
{
	uint64_t v;

	if (read(fd, &v, sizeof(v)) != sizeof(v))
		return; /* someone else read it: nothing left to clear */
}

static void
nfv_idle_disarm(const struct nfv_idle *id)
{
	const struct nfv_wrx *rx = nfv_idle_queues(id);
	unsigned int i;

	for (i = 0; rx != NULL && i < rx->n; i++)
		nfv_idle_queue(&rx->q[i], false, NULL);
}

static void
nfv_idle_block(struct nfv_idle *id)
{
	const struct nfv_graph *g = nfv_graph_get();
	const struct nfv_wrx *rx = nfv_idle_queues(id);
	/* An instance with a poll op (the router's inject ring, which the
	 * mirror thread fills) has packets no notification announces. */
	unsigned int max_ms = g != NULL && g->n_poll > 0
				      ? NFV_IDLE_BLOCK_POLL_MS
				      : NFV_IDLE_BLOCK_MAX_MS;
	struct nfv_idle_wait wt;
	struct timespec ts;
	unsigned int i;
	uint64_t t0;
	int efd, n;

	wt.n = 0;
	wt.n_copies = 0;
	wt.capped = false;
	wt.capped_by = 0;
	wt.pending = false;
	for (i = 0; rx != NULL && i < rx->n; i++)
		nfv_idle_queue(&rx->q[i], true, &wt);
	if (wt.pending) {
		nfv_idle_disarm(id);
		goto out;
	}
	efd = atomic_load_explicit(&nfv_idle_efd[id->worker],
				   memory_order_relaxed) -
	      1;
	if (efd >= 0) {
		wt.fds[wt.n] = (struct pollfd){.fd = efd, .events = POLLIN};
		wt.drain[wt.n] = true;
		wt.n++;
	}
	id->capped_by = wt.capped_by;
	if (wt.capped) {
		ts.tv_sec = id->sleep_max_us / 1000000;
		ts.tv_nsec = (long)(id->sleep_max_us % 1000000) * 1000;
	} else {
		ts.tv_sec = max_ms / 1000;
		ts.tv_nsec = (long)(max_ms % 1000) * 1000000;
	}
	nfv_idle_offline(id, NFV_IDLE_BLOCKED);
	t0 = rte_rdtsc();
	n = ppoll(wt.fds, wt.n, &ts, NULL);
	nfv_idle_online(id, t0);
	if (n > 0)
		id->notified++;
	for (i = 0; i < wt.n; i++)
		if (wt.drain[i] && (wt.fds[i].revents & POLLIN))
			nfv_idle_drain(wt.fds[i].fd);
	/* A snapshot read after going online: the queues of now, which
	 * may differ from those armed (a port that went is not touched). */
	nfv_idle_disarm(id);
out:
	for (i = 0; i < wt.n_copies; i++)
		close(wt.fds[i].fd);
}

void
nfv_idle_rest(struct nfv_idle *id)
{
	if (id->mode == CTL_IDLE_SLEEP)
		nfv_idle_sleep(id);
	else if (id->mode == CTL_IDLE_INTERRUPT)
		nfv_idle_block(id);
}
