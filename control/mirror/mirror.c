/* SPDX-License-Identifier: BSD-3-Clause
 *
 * mirror.c - the mirror thread (mirror.h, docs/control-plane.md).
 *
 * One plain pthread per mirrored router, "nfv-mirror", inside the
 * router's netns.  It sleeps in epoll_wait() on: the stop eventfd, the
 * punt wake-up eventfd, the twins' taps and the netlink event socket, and
 * does a bounded amount of work per ready fd per wake-up so that a flood
 * on one (a million routes) does not starve the others (punted BGP
 * keepalives).  No tick, except with svi ifaces (`svi: NAME`): a 50 ms
 * timerfd writes the router's own neighbours back to the svi devices
 * (zebra's local type-2 MAC+IP).  Otherwise, with nothing to do it does
 * not run.
 *
 * Netlink: one raw libnl socket, subscribed to links, addresses, routes
 * and neighbours, read with recvmmsg() (no per-message allocation) and
 * parsed by nl.c.  Consecutive route changes become one
 * vnf_router_kroutes_apply() batch, flushed before any other event so
 * that the order the kernel gave is kept.  At start, and after any socket
 * error (ENOBUFS: the kernel dropped events), a (re)sync: a fresh socket,
 * subscribed before anything is dumped, routes and neighbours marked,
 * links, addresses, routes and neighbours dumped one after the other on
 * that socket (events in between are applied in arrival order), then
 * what was not seen swept.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <linux/if_addr.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

#include <jansson.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <netlink/route/neighbour.h>

#include <rte_errno.h>
#include <rte_ether.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include "control/ctl_server.h"
#include "control/mirror/mirror_priv.h"
#include "vnf/router/router.h"
#include "vnf/vnf.h"

RTE_LOG_REGISTER(ctl_logtype_mirror, nfv.mirror, INFO);

/* epoll data: which fd; taps are MIRROR_EV_TAP + iface. */
enum {
	MIRROR_EV_STOP,
	MIRROR_EV_WAKE,
	MIRROR_EV_NL,
	MIRROR_EV_TICK, /* svi ifaces: the write-back timer */
	MIRROR_EV_TAP,
};

/* mbufs of the mirror's own pool: frames the kernel sends on the twins,
 * in flight between the tap and the router's inject ring / a port. */
#define MIRROR_POOL_SIZE 2047
#define MIRROR_RETRY_NS (1000ull * 1000 * 1000)

static const char *const mirror_state_names[] = {
	[MIRROR_SYNCING] = "syncing",
	[MIRROR_SYNCED] = "synced",
	[MIRROR_RESYNC] = "resync",
	[MIRROR_ERROR] = "error",
};

uint64_t
mirror_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Under ctl_server_lock(): the state and the last error `show mirror`
 * reads. */
static void mirror_set_error_locked(struct ctl_mirror *m, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void
mirror_set_error_locked(struct ctl_mirror *m, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(m->last_error, sizeof(m->last_error), fmt, ap);
	va_end(ap);
}

/* ---- punt and inject ----------------------------------------------------- */

/* One punted frame to the tap of its ingress iface; frees it. */
static void
mirror_punt_one(struct ctl_mirror *m, struct rte_mbuf *pkt)
{
	struct iovec iov[16];
	struct rte_mbuf *seg;
	unsigned int n = 0;

	/* An svi iface has no tap (the router does not punt there). */
	if (pkt->port >= m->n_twins || m->tap_fd[pkt->port] < 0 ||
	    pkt->nb_segs > RTE_DIM(iov)) {
		m->st.punt_drops++;
		rte_pktmbuf_free(pkt);
		return;
	}
	for (seg = pkt; seg != NULL; seg = seg->next) {
		iov[n].iov_base = rte_pktmbuf_mtod(seg, void *);
		iov[n].iov_len = seg->data_len;
		n++;
	}
	/* Non-blocking: a tap the kernel cannot take more on drops. */
	if (writev(m->tap_fd[pkt->port], iov, (int)n) < 0)
		m->st.punt_drops++;
	else
		m->st.punted++;
	rte_pktmbuf_free(pkt);
}

/* Up to `budget` frames off the punt ring; how many were taken. */
static unsigned int
mirror_punt_drain(struct ctl_mirror *m, unsigned int budget)
{
	struct rte_mbuf *pkts[32];
	unsigned int done = 0, n, i;

	while (done < budget) {
		n = rte_ring_sc_dequeue_burst(
			m->punt, (void **)pkts,
			RTE_MIN(RTE_DIM(pkts), budget - done), NULL);
		if (n == 0)
			break;
		for (i = 0; i < n; i++)
			mirror_punt_one(m, pkts[i]);
		done += n;
	}
	return done;
}

/*
 * The wake-up eventfd fired (or the last round ran out of budget): drain,
 * re-arm, drain once more (a frame put between the two is not missed).
 * When the budget runs out, the ring stays disarmed and punt_pending
 * makes the loop come back without sleeping.
 */
static void
mirror_punt(struct ctl_mirror *m)
{
	unsigned int done;

	done = mirror_punt_drain(m, MIRROR_PUNT_BUDGET);
	m->punt_pending = done == MIRROR_PUNT_BUDGET;
	if (m->punt_pending)
		return;
	vnf_router_punt_arm(m->vi);
	done += mirror_punt_drain(m, MIRROR_PUNT_BUDGET - done);
	m->punt_pending = done == MIRROR_PUNT_BUDGET;
}

/* Frames the kernel sent on twin `iface`: into the router's inject ring. */
static void
mirror_tap_read(struct ctl_mirror *m, uint16_t iface)
{
	struct rte_mbuf *pkts[MIRROR_TAP_BUDGET];
	uint16_t ifc[MIRROR_TAP_BUDGET];
	unsigned int n = 0, q, i;

	while (n < MIRROR_TAP_BUDGET) {
		struct rte_mbuf *pkt = rte_pktmbuf_alloc(m->pool);
		ssize_t len;

		if (pkt == NULL) {
			/* Pool empty: the frames stay in the tap's queue
			 * (the kernel drops them when it is full). */
			m->st.inject_drops++;
			break;
		}
		len = read(m->tap_fd[iface], rte_pktmbuf_mtod(pkt, void *),
			   m->buf_room);
		if (len <= 0) {
			rte_pktmbuf_free(pkt);
			break;
		}
		/* A frame that filled the buffer may have been cut. */
		if ((uint32_t)len >= m->buf_room) {
			m->st.inject_drops++;
			rte_pktmbuf_free(pkt);
			continue;
		}
		pkt->data_len = (uint16_t)len;
		pkt->pkt_len = (uint32_t)len;
		ifc[n] = iface;
		pkts[n++] = pkt;
	}
	if (n == 0)
		return;
	q = vnf_router_inject(m->vi, pkts, ifc, n);
	m->st.injected += q;
	for (i = q; i < n; i++) {
		m->st.inject_drops++;
		rte_pktmbuf_free(pkts[i]);
	}
}

/* ---- svi ifaces: the router's neighbours written back ------------------ */

static int
mirror_wb_cmp(const void *a, const void *b)
{
	return memcmp(a, b, offsetof(struct mirror_wb, mac));
}

/* vnf_router_svi_neighs() callback (under the lock): one into wb_cur. */
static void
mirror_wb_collect(uint16_t iface, uint8_t family, const uint8_t *ip,
		  const uint8_t mac[6], void *arg)
{
	struct ctl_mirror *m = arg;
	struct mirror_wb *w;

	if (m->n_wb_cur >= MIRROR_WB_MAX || iface >= m->n_twins ||
	    m->nlc.ifindex[iface] == 0)
		return;
	w = &m->wb_cur[m->n_wb_cur++];
	memset(w, 0, sizeof(*w));
	w->iface = iface;
	w->family = family;
	memcpy(w->ip, ip, family == AF_INET ? 4 : 16);
	memcpy(w->mac, mac, 6);
}

/* Write (or delete) w on its svi device: NUD_REACHABLE, as the kernel's
 * own ARP would have it, so that zebra advertises it.  0 or -errno. */
static int
mirror_wb_write(struct ctl_mirror *m, const struct mirror_wb *w, bool del)
{
	struct rtnl_neigh *n = rtnl_neigh_alloc();
	struct nl_addr *dst, *ll;
	int rc = -NLE_NOMEM;

	dst = nl_addr_build(w->family, w->ip, w->family == AF_INET ? 4 : 16);
	ll = nl_addr_build(AF_LLC, w->mac, 6);
	if (n == NULL || dst == NULL || ll == NULL)
		goto out;
	rtnl_neigh_set_ifindex(n, m->nlc.ifindex[w->iface]);
	rtnl_neigh_set_family(n, w->family);
	rc = rtnl_neigh_set_dst(n, dst);
	if (rc < 0)
		goto out;
	if (del) {
		rc = rtnl_neigh_delete(m->req, n, 0);
		if (rc == -NLE_OBJ_NOTFOUND)
			rc = 0; /* gone already (the kernel's GC, the device) */
	} else {
		rtnl_neigh_set_lladdr(n, ll);
		rtnl_neigh_set_state(n, NUD_REACHABLE);
		rc = rtnl_neigh_add(m->req, n, NLM_F_CREATE | NLM_F_REPLACE);
	}
out:
	nl_addr_put(dst);
	nl_addr_put(ll);
	rtnl_neigh_put(n);
	return rc < 0 ? -EIO : 0;
}

/*
 * A tick: the router's own neighbours on svi ifaces now, against those
 * written; the difference written.  An add that failed is left out and a
 * delete that failed kept, so the next tick tries each again.  Read under
 * the lock, written without it.
 */
static void
mirror_wb_tick(struct ctl_mirror *m)
{
	unsigned int i = 0, j = 0, k = 0, added = 0, removed = 0, failed = 0;
	struct mirror_wb *t;
	int c;

	m->n_wb_cur = 0;
	ctl_server_lock();
	vnf_router_svi_neighs(m->vi, mirror_wb_collect, m);
	ctl_server_unlock();
	qsort(m->wb_cur, m->n_wb_cur, sizeof(*m->wb_cur), mirror_wb_cmp);
	while (i < m->n_wb_cur || j < m->n_wb) {
		c = i == m->n_wb_cur ? 1
		    : j == m->n_wb   ? -1
				     : mirror_wb_cmp(&m->wb_cur[i], &m->wb[j]);
		if (c < 0 ||
		    (c == 0 && memcmp(m->wb_cur[i].mac, m->wb[j].mac, 6))) {
			if (mirror_wb_write(m, &m->wb_cur[i], false) == 0) {
				m->wb_next[k++] = m->wb_cur[i];
				added++;
			} else {
				failed++;
			}
			i++;
			j += c == 0;
		} else if (c > 0) {
			if (mirror_wb_write(m, &m->wb[j], true) == 0) {
				removed++;
			} else {
				failed++;
				if (k < MIRROR_WB_MAX)
					m->wb_next[k++] = m->wb[j];
			}
			j++;
		} else {
			m->wb_next[k++] = m->wb_cur[i];
			i++;
			j++;
		}
	}
	t = m->wb;
	m->wb = m->wb_next;
	m->wb_next = t;
	m->n_wb = k;
	if (added + removed + failed == 0)
		return;
	ctl_server_lock();
	m->st.wb_added += added;
	m->st.wb_removed += removed;
	m->st.wb_failed += failed;
	ctl_server_unlock();
}

/*
 * A neighbour message of an svi device that is not a static entry: the
 * kernel's dynamic entries there are the ones written back (the kernel
 * stack behind an svi does not resolve for the router), not news for the
 * router.  A delete of one written (the kernel's GC) is written again at
 * the next tick.  True when ev is done with.
 */
static bool
mirror_wb_echo(struct ctl_mirror *m, const struct mirror_nl_neigh *n)
{
	struct mirror_wb key;
	struct mirror_wb *w;

	if (n->iface >= m->n_twins || m->nlc.svi[n->iface][0] == '\0' ||
	    n->permanent)
		return false;
	if (!n->del)
		return true;
	memset(&key, 0, sizeof(key));
	key.iface = n->iface;
	key.family = n->family;
	memcpy(key.ip, n->ip, n->family == AF_INET ? 4 : 16);
	w = bsearch(&key, m->wb, m->n_wb, sizeof(*m->wb), mirror_wb_cmp);
	if (w == NULL)
		return false;
	memmove(w, w + 1, (size_t)(m->wb + m->n_wb - (w + 1)) * sizeof(*w));
	m->n_wb--;
	return true;
}

/* ---- netlink ------------------------------------------------------------- */

static int mirror_sync_start(struct ctl_mirror *m);

static void
mirror_lag_record_locked(struct ctl_mirror *m, uint64_t lag)
{
	m->lag_ns[m->n_lag % MIRROR_LAG_SAMPLES] = lag;
	m->n_lag++;
}

/* Apply the collected route ops as one batch. */
static void
mirror_flush(struct ctl_mirror *m)
{
	unsigned int i, n_del = 0, failed = 0;
	char err[256] = "";
	int rc;

	if (m->n_batch == 0)
		return;
	for (i = 0; i < m->n_batch; i++)
		n_del += m->batch[i].del;
	ctl_server_lock();
	rc = vnf_router_kroutes_apply(m->vi, m->batch, m->n_batch, &failed, err,
				      sizeof(err));
	mirror_lag_record_locked(m, mirror_now_ns() - m->batch_t0);
	m->st.batches++;
	if (rc < 0) {
		/* Nothing of the batch applied: the FIB is as before it,
		 * and only a resync can bring it back to the kernel's. */
		mirror_set_error_locked(m, "applying %u route changes: %s",
					m->n_batch,
					err[0] ? err : strerror(-rc));
		m->st.routes_failed += m->n_batch;
	} else {
		m->st.routes_added += m->n_batch - n_del;
		m->st.routes_removed += n_del;
		m->st.routes_failed += failed;
		if (failed != 0)
			mirror_set_error_locked(
				m, "%u route changes skipped: %s", failed, err);
	}
	ctl_server_unlock();
	m->n_batch = 0;
	if (rc < 0) {
		MIRROR_LOG(ERR, "%s: applying routes: %s; resync", m->vi->name,
			   err[0] ? err : strerror(-rc));
		mirror_sync_start(m);
	}
}

/*
 * An svi device (`svi: NAME`) found by its name, again, or gone.  Found
 * with a new ifindex: the iface follows that device from now on, whose
 * MAC becomes the iface's (zebra's router MAC) and which gets the
 * config's addresses; later changes of them are the kernel's (mirrored).  Gone: the iface is "svi missing" until a device of
 * that name comes back; a resync drops what was mirrored from it.
 * False when the link message is done with (gone).
 */
static bool
mirror_svi_link(struct ctl_mirror *m, const struct mirror_nl_link *l)
{
	uint16_t i = l->iface;
	uint8_t mac[6];
	char err[256] = "";
	bool found, set_mac;
	int rc;

	if (l->svi_gone) {
		m->nlc.ifindex[i] = 0;
		m->tap_up[i] = false;
		ctl_server_lock();
		m->st.svi_lost++;
		vnf_router_link_set(m->vi, i, false, 0);
		ctl_server_unlock();
		MIRROR_LOG(NOTICE, "%s: svi %s gone", m->vi->name,
			   m->tap_name[i]);
		if (m->state == MIRROR_SYNCED && m->dump == MIRROR_DUMP_NONE)
			mirror_sync_start(m);
		return false;
	}
	found = m->nlc.ifindex[i] != l->ifindex;
	if (!found)
		return true;
	/* Only when found: the link messages that the MAC change itself
	 * causes (down, new MAC, up) may come with the old MAC still. */
	ctl_server_lock();
	vnf_router_iface_mac(m->vi, i, mac);
	ctl_server_unlock();
	set_mac = !l->has_mac || memcmp(l->mac, mac, 6) != 0;
	m->nlc.ifindex[i] = l->ifindex;
	MIRROR_LOG(NOTICE, "%s: svi %s found (ifindex %d)", m->vi->name,
		   m->tap_name[i], l->ifindex);
	rc = mirror_svi_attach(m, i, l->ifindex, set_mac, true, err,
			       sizeof(err));
	ctl_server_lock();
	m->st.svi_found++;
	m->st.svi_macs += set_mac && rc == 0;
	if (rc < 0)
		mirror_set_error_locked(m, "%s", err);
	ctl_server_unlock();
	if (rc < 0)
		MIRROR_LOG(WARNING, "%s: %s", m->vi->name, err);
	return true;
}

static void
mirror_apply_link(struct ctl_mirror *m, const struct mirror_nl_link *l)
{
	/* A message without IFLA_MTU (the kernel always sends one) keeps
	 * the MTU the router has. */
	uint16_t mtu = l->mtu != 0 ? l->mtu : m->tap_mtu[l->iface];
	bool revived;
	int rc;

	if (l->svi && !mirror_svi_link(m, l))
		return;
	revived = l->up && !m->tap_up[l->iface] && m->state == MIRROR_SYNCED &&
		  m->dump == MIRROR_DUMP_NONE;
	m->tap_mtu[l->iface] = mtu;
	m->tap_up[l->iface] = l->up;
	ctl_server_lock();
	rc = vnf_router_link_set(m->vi, l->iface, l->up, mtu);
	m->st.links++;
	if (rc < 0)
		mirror_set_error_locked(m, "link %s: %s", m->tap_name[l->iface],
					strerror(-rc));
	ctl_server_unlock();
	/*
	 * At link up IPv4 revives the multipath members by the twin that
	 * went dead at link down (fib_sync_up) and announces none of it,
	 * just as it announced nothing at link down, when the router took
	 * those members out itself.  Only a dump tells what the routes are
	 * now: a resync (counted), which leaves unchanged routes alone.
	 */
	if (revived) {
		MIRROR_LOG(INFO, "%s: twin %s up: re-reading the routes",
			   m->vi->name, m->tap_name[l->iface]);
		mirror_sync_start(m);
	}
}

static void
mirror_apply_addr(struct ctl_mirror *m, const struct mirror_nl_addr *a)
{
	int rc;

	ctl_server_lock();
	if (a->del)
		rc = vnf_router_addr_del(m->vi, a->iface, a->family, a->addr,
					 a->len);
	else
		rc = vnf_router_addr_add(m->vi, a->iface, a->family, a->addr,
					 a->len);
	m->st.addresses++;
	if (rc < 0 && !(a->del && rc == -ENOENT))
		mirror_set_error_locked(m, "address on %s: %s",
					m->tap_name[a->iface], strerror(-rc));
	ctl_server_unlock();
}

static void
mirror_apply_neigh(struct ctl_mirror *m, const struct mirror_nl_neigh *n)
{
	int rc;

	ctl_server_lock();
	if (n->del)
		rc = vnf_router_kneigh_del(m->vi, n->iface, n->family, n->ip);
	else
		rc = vnf_router_kneigh_set(m->vi, n->iface, n->family, n->ip,
					   n->mac, n->permanent);
	m->st.neighbours++;
	if (rc < 0 && !(n->del && rc == -ENOENT))
		mirror_set_error_locked(m, "neighbour on %s: %s",
					m->tap_name[n->iface], strerror(-rc));
	ctl_server_unlock();
}

/* Ask for the dump of `what` on the event socket; 0 or -errno. */
static int
mirror_dump_request(struct ctl_mirror *m, enum mirror_dump what)
{
	static const struct {
		int type;
		size_t hdrlen;
	} req[] = {
		[MIRROR_DUMP_LINK] = {RTM_GETLINK, sizeof(struct ifinfomsg)},
		[MIRROR_DUMP_ADDR] = {RTM_GETADDR, sizeof(struct ifaddrmsg)},
		[MIRROR_DUMP_ROUTE] = {RTM_GETROUTE, sizeof(struct rtmsg)},
		[MIRROR_DUMP_NEIGH] = {RTM_GETNEIGH, sizeof(struct ndmsg)},
	};
	struct nl_msg *msg;
	int rc;

	m->dump = what;
	if (what == MIRROR_DUMP_NONE)
		return 0;
	msg = nlmsg_alloc_simple(req[what].type, NLM_F_DUMP);
	if (msg == NULL)
		return -ENOMEM;
	/* The family header, zero: AF_UNSPEC, every family. */
	if (nlmsg_reserve(msg, req[what].hdrlen, NLMSG_ALIGNTO) == NULL) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	rc = nl_send_auto(m->sk, msg);
	m->dump_seq = nlmsg_hdr(msg)->nlmsg_seq;
	nlmsg_free(msg);
	return rc < 0 ? -EIO : 0;
}

/* Every dump done: sweep what the kernel no longer has. */
static void
mirror_sync_done(struct ctl_mirror *m)
{
	unsigned int routes = 0, neighs = 0;
	uint32_t gen = m->gen;
	int rc1, rc2;

	mirror_flush(m);
	if (m->gen != gen)
		return; /* the flush failed and started over */
	if (m->dump_intr) {
		/* A dump may have skipped entries: sweeping now would
		 * remove routes the kernel has.  Start over instead. */
		mirror_sync_start(m);
		return;
	}
	ctl_server_lock();
	rc1 = vnf_router_kroutes_sweep(m->vi, &routes);
	rc2 = vnf_router_kneigh_sweep(m->vi, &neighs);
	m->st.swept_routes += routes;
	m->st.swept_neighbours += neighs;
	if (rc1 < 0 || rc2 < 0)
		mirror_set_error_locked(m, "sweep: %s",
					strerror(rc1 < 0 ? -rc1 : -rc2));
	else
		m->state = MIRROR_SYNCED;
	ctl_server_unlock();
	MIRROR_LOG(INFO,
		   "%s: synced with netns %s (%u routes, %u neighbours swept)",
		   m->vi->name, m->ns.name, routes, neighs);
	if (rc1 < 0 || rc2 < 0)
		mirror_sync_start(m);
}

/* NLMSG_DONE / NLMSG_ERROR of our dump request. */
static void
mirror_dump_reply(struct ctl_mirror *m, const struct nlmsghdr *h)
{
	uint32_t gen;
	int rc;

	if (m->dump == MIRROR_DUMP_NONE || h->nlmsg_seq != m->dump_seq)
		return;
	if (h->nlmsg_type == NLMSG_ERROR) {
		const struct nlmsgerr *e = nlmsg_data(h);

		if (h->nlmsg_len < (uint32_t)nlmsg_size(sizeof(*e)) ||
		    e->error == 0)
			return; /* an ack */
		ctl_server_lock();
		mirror_set_error_locked(m, "dump: %s", strerror(-e->error));
		ctl_server_unlock();
		mirror_sync_start(m);
		return;
	}
	if (m->dump + 1 == MIRROR_DUMP_NONE) {
		m->dump = MIRROR_DUMP_NONE;
		mirror_sync_done(m);
		return;
	}
	/* The kernel runs one dump per socket at a time. */
	gen = m->gen;
	mirror_flush(m);
	if (m->gen != gen)
		return;
	rc = mirror_dump_request(m, m->dump + 1);
	if (rc < 0)
		mirror_sync_start(m);
}

/* One message. Routes go into the batch; the rest flush it first. */
static void
mirror_msg(struct ctl_mirror *m, const struct nlmsghdr *h, uint64_t rx_ns)
{
	struct mirror_nl_event ev;
	enum mirror_nl_reason why;
	uint32_t gen;

	m->st.messages++;
	if (h->nlmsg_flags & NLM_F_DUMP_INTR)
		m->dump_intr = true;
	switch (h->nlmsg_type) {
	case NLMSG_DONE:
	case NLMSG_ERROR:
		mirror_dump_reply(m, h);
		return;
	case RTM_NEWROUTE:
	case RTM_DELROUTE:
		why = mirror_nl_route(&m->nlc, h, &m->batch[m->n_batch]);
		if (why != MIRROR_NL_OK) {
			m->st.ignored[why]++;
			return;
		}
		if (m->n_batch == 0)
			m->batch_t0 = rx_ns;
		if (++m->n_batch == MIRROR_BATCH_MAX)
			mirror_flush(m);
		return;
	default:
		break;
	}
	mirror_nl_parse(&m->nlc, h, &ev, NULL);
	if (ev.kind == MIRROR_NL_IGNORED) {
		m->st.ignored[ev.why]++;
		return;
	}
	gen = m->gen;
	mirror_flush(m);
	if (m->gen != gen)
		return; /* a resync began: this event is older than its dumps */
	switch (ev.kind) {
	case MIRROR_NL_LINK:
		mirror_apply_link(m, &ev.link);
		break;
	case MIRROR_NL_ADDR:
		mirror_apply_addr(m, &ev.addr);
		break;
	case MIRROR_NL_NEIGH:
		if (mirror_wb_echo(m, &ev.neigh)) {
			m->st.ignored[MIRROR_NL_WB]++;
			break;
		}
		mirror_apply_neigh(m, &ev.neigh);
		break;
	default:
		break;
	}
}

/*
 * The event socket failed (why: an errno): apply what was read before,
 * which is good, then start over from a full dump - unless applying it
 * already did.
 */
static void
mirror_restart(struct ctl_mirror *m, int why, const char *what)
{
	uint32_t gen = m->gen;

	mirror_flush(m);
	if (m->gen != gen)
		return;
	ctl_server_lock();
	mirror_set_error_locked(m, "event socket: %s",
				what ? what : strerror(why));
	ctl_server_unlock();
	if (why == ENOBUFS)
		MIRROR_LOG(
			WARNING,
			"%s: kernel events lost (receive buffer full); resync",
			m->vi->name);
	mirror_sync_start(m);
}

/* The event socket is readable: up to MIRROR_MSG_BUDGET messages. */
static void
mirror_nl_read(struct ctl_mirror *m)
{
	struct mmsghdr mm[MIRROR_RX_VLEN];
	struct iovec iov[MIRROR_RX_VLEN];
	unsigned int done = 0, i;
	uint32_t gen = m->gen;
	int fd, n;

	/* A resync (m->gen changes) drops the rest of what was read from
	 * the old socket: the dumps on the new one supersede it. */
	while (done < MIRROR_MSG_BUDGET && m->gen == gen) {
		uint64_t now;

		fd = nl_socket_get_fd(m->sk);
		for (i = 0; i < MIRROR_RX_VLEN; i++) {
			iov[i].iov_base = m->rxbuf + (size_t)i * MIRROR_RX_BUF;
			iov[i].iov_len = MIRROR_RX_BUF;
			mm[i].msg_hdr = (struct msghdr){.msg_iov = &iov[i],
							.msg_iovlen = 1};
		}
		n = recvmmsg(fd, mm, MIRROR_RX_VLEN, MSG_DONTWAIT, NULL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0) {
			mirror_restart(m, n < 0 ? errno : EPIPE, NULL);
			return;
		}
		now = mirror_now_ns();
		for (i = 0; i < (unsigned int)n && m->gen == gen; i++) {
			struct nlmsghdr *h = iov[i].iov_base;
			int left = (int)mm[i].msg_len;

			if (mm[i].msg_hdr.msg_flags & MSG_TRUNC) {
				mirror_restart(m, EMSGSIZE,
					       "datagram truncated");
				return;
			}
			for (; nlmsg_ok(h, left) && m->gen == gen;
			     h = nlmsg_next(h, &left)) {
				mirror_msg(m, h, now);
				done++;
			}
		}
		/* Fewer than asked for: the queue was empty a moment ago;
		 * epoll says when there is more (one syscall less per
		 * wake-up when events trickle in one by one). */
		if (n < MIRROR_RX_VLEN)
			break;
	}
	/* Bounded: what is left comes at the next wake-up, after the other
	 * fds had their turn; what was read is applied now. */
	if (m->gen == gen)
		mirror_flush(m);
}

/* A new event socket in the netns, subscribed, with the big buffer. */
static int
mirror_socket_open(struct ctl_mirror *m, struct nl_sock **out)
{
	struct nl_sock *sk;
	int rc, fd, sz;

	sk = nl_socket_alloc();
	if (sk == NULL)
		return -ENOMEM;
	nl_socket_disable_seq_check(sk);
	rc = nl_connect(sk, NETLINK_ROUTE);
	if (rc < 0)
		goto err_sk;
	rc = nl_socket_set_nonblocking(sk);
	if (rc < 0)
		goto err_sk;
	rc = nl_socket_add_memberships(sk, RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR,
				       RTNLGRP_IPV6_IFADDR, RTNLGRP_IPV4_ROUTE,
				       RTNLGRP_IPV6_ROUTE, RTNLGRP_NEIGH, 0);
	if (rc < 0)
		goto err_sk;
	fd = nl_socket_get_fd(sk);
	sz = m->rcvbuf > INT32_MAX ? INT32_MAX : (int)m->rcvbuf;
	/* FORCE: above net.core.rmem_max (root); else as much as allowed. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	*out = sk;
	return 0;

err_sk:
	nl_socket_free(sk);
	return -EIO;
}

/*
 * (Re)sync: a fresh socket (subscribed before the dumps, so no change
 * falls between), mark, the first dump.  On failure the state is "error"
 * and the loop retries after MIRROR_RETRY_NS.
 */
static int
mirror_sync_start(struct ctl_mirror *m)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.u32 = MIRROR_EV_NL};
	struct nl_sock *sk = NULL;
	bool first = m->state == MIRROR_SYNCING && m->sk == NULL;
	int rc;

	m->gen++;
	m->n_batch = 0;
	m->dump = MIRROR_DUMP_NONE;
	m->dump_intr = false;
	if (m->sk != NULL) {
		epoll_ctl(m->ep, EPOLL_CTL_DEL, nl_socket_get_fd(m->sk), NULL);
		nl_socket_free(m->sk);
		m->sk = NULL;
	}
	rc = mirror_socket_open(m, &sk);
	if (rc == 0 &&
	    epoll_ctl(m->ep, EPOLL_CTL_ADD, nl_socket_get_fd(sk), &ev) < 0)
		rc = -errno;
	if (rc < 0)
		goto err;
	m->sk = sk;
	ctl_server_lock();
	vnf_router_kroutes_mark(m->vi);
	vnf_router_kneigh_mark(m->vi);
	if (!first) {
		m->st.resyncs++;
		m->state = MIRROR_RESYNC;
	}
	ctl_server_unlock();
	rc = mirror_dump_request(m, MIRROR_DUMP_LINK);
	if (rc < 0)
		goto err;
	return 0;

err:
	if (sk != NULL) {
		if (m->sk == sk)
			epoll_ctl(m->ep, EPOLL_CTL_DEL, nl_socket_get_fd(sk),
				  NULL);
		nl_socket_free(sk);
		m->sk = NULL;
	}
	ctl_server_lock();
	m->state = MIRROR_ERROR;
	mirror_set_error_locked(m, "netlink event socket: %s", strerror(-rc));
	ctl_server_unlock();
	m->retry_at_ns = mirror_now_ns() + MIRROR_RETRY_NS;
	return rc;
}

/* ---- show mirror --------------------------------------------------------- */

static int
mirror_cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Under ctl_server_lock() (the router's `show mirror` calls it). */
static json_t *
mirror_show(void *arg)
{
	struct ctl_mirror *m = arg;
	const struct mirror_stats *s = &m->st;
	unsigned int n = RTE_MIN(m->n_lag, (unsigned int)MIRROR_LAG_SAMPLES);
	json_t *o, *c, *ign, *lag, *tw;
	uint64_t sorted[MIRROR_LAG_SAMPLES], ign_total = 0;
	unsigned int i;

	memcpy(sorted, m->lag_ns, n * sizeof(sorted[0]));
	qsort(sorted, n, sizeof(sorted[0]), mirror_cmp_u64);
	ign = json_object();
	for (i = 1; i < MIRROR_NL_N_REASONS; i++) {
		ign_total += s->ignored[i];
		if (s->ignored[i] != 0)
			json_object_set_new(
				ign, mirror_nl_reason_str(i),
				json_integer((json_int_t)s->ignored[i]));
	}
	c = json_pack(
		"{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I,"
		" s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
		"messages", (json_int_t)s->messages, "batches",
		(json_int_t)s->batches, "routes_added",
		(json_int_t)s->routes_added, "routes_removed",
		(json_int_t)s->routes_removed, "routes_failed",
		(json_int_t)s->routes_failed, "routes_swept",
		(json_int_t)s->swept_routes, "addresses",
		(json_int_t)s->addresses, "neighbours",
		(json_int_t)s->neighbours, "neighbours_swept",
		(json_int_t)s->swept_neighbours, "links", (json_int_t)s->links,
		"ignored", (json_int_t)ign_total, "resyncs",
		(json_int_t)s->resyncs, "punted", (json_int_t)s->punted,
		"punt_drops", (json_int_t)s->punt_drops, "injected",
		(json_int_t)s->injected, "inject_drops",
		(json_int_t)s->inject_drops, "svi_found",
		(json_int_t)s->svi_found, "svi_lost", (json_int_t)s->svi_lost,
		"svi_macs", (json_int_t)s->svi_macs, "neighbours_written",
		(json_int_t)s->wb_added, "neighbours_unwritten",
		(json_int_t)s->wb_removed, "neighbours_write_failed",
		(json_int_t)s->wb_failed);
	lag = json_pack("{s:I, s:I, s:I, s:I}", "samples", (json_int_t)n, "p50",
			(json_int_t)(n ? sorted[n / 2] / 1000 : 0), "p99",
			(json_int_t)(n ? sorted[(n * 99) / 100] / 1000 : 0),
			"max", (json_int_t)(n ? sorted[n - 1] / 1000 : 0));
	tw = json_array();
	for (i = 0; i < m->n_twins; i++) {
		json_t *t = json_pack("{s:s, s:i}", "name", m->tap_name[i],
				      "ifindex", m->nlc.ifindex[i]);

		/* An svi iface: its device, "svi missing" until found. */
		if (m->nlc.svi[i][0] != '\0') {
			json_object_set_new(t, "svi", json_true());
			json_object_set_new(
				t, "state",
				json_string(m->nlc.ifindex[i] != 0
						    ? "svi found"
						    : "svi missing"));
		}
		json_array_append_new(tw, t);
	}
	o = json_pack(
		"{s:s, s:s, s:I, s:s, s:b, s:I, s:I, s:o, s:o, s:o, s:o,"
		" s:s?}",
		"vnf", m->vi->name, "netns", m->ns.name, "table",
		(json_int_t)m->table, "state", mirror_state_names[m->state],
		"netns_created", m->ns.created, "rcvbuf", (json_int_t)m->rcvbuf,
		"kernel_routes", (json_int_t)vnf_router_kroutes_count(m->vi),
		"twins", tw, "counters", c, "ignored", ign, "lag_us", lag,
		"last_error", m->last_error[0] ? m->last_error : NULL);
	return o;
}

/* ---- the thread ---------------------------------------------------------- */

static int
mirror_ep_add(struct ctl_mirror *m, int fd, uint32_t tag)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.u32 = tag};

	return epoll_ctl(m->ep, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

/* Mirror thread: with svi ifaces, the write-back's timer, request socket
 * and arrays; nothing without.  0 or -errno. */
static int
mirror_wb_open(struct ctl_mirror *m)
{
	struct itimerspec its = {
		.it_interval = {.tv_nsec = MIRROR_WB_TICK_MS * 1000000L},
		.it_value = {.tv_nsec = MIRROR_WB_TICK_MS * 1000000L},
	};
	unsigned int i;
	bool svi = false;

	for (i = 0; i < m->n_twins; i++)
		svi |= m->nlc.svi[i][0] != '\0';
	if (!svi)
		return 0;
	m->wb = calloc(MIRROR_WB_MAX, sizeof(*m->wb));
	m->wb_cur = calloc(MIRROR_WB_MAX, sizeof(*m->wb_cur));
	m->wb_next = calloc(MIRROR_WB_MAX, sizeof(*m->wb_next));
	m->req = nl_socket_alloc();
	if (m->wb == NULL || m->wb_cur == NULL || m->wb_next == NULL ||
	    m->req == NULL)
		return -ENOMEM;
	if (nl_connect(m->req, NETLINK_ROUTE) < 0)
		return -EIO;
	m->tick_fd =
		timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (m->tick_fd < 0 || timerfd_settime(m->tick_fd, 0, &its, NULL) < 0)
		return -errno;
	return mirror_ep_add(m, m->tick_fd, MIRROR_EV_TICK);
}

/* Mirror thread: the netns, the twins, the attach, the first sync. */
static int
mirror_setup(void *arg, char *err, size_t errlen)
{
	struct ctl_mirror *m = arg;
	unsigned int i;
	int rc;

	rc = ctl_netns_enter(&m->ns, err, errlen);
	if (rc < 0)
		return rc;
	rc = mirror_twins_open(m, err, errlen);
	if (rc < 0)
		return rc;
	rc = mirror_ep_add(m, m->th.stop_fd, MIRROR_EV_STOP);
	if (rc == 0)
		rc = mirror_ep_add(m, m->wake_fd, MIRROR_EV_WAKE);
	for (i = 0; rc == 0 && i < m->n_twins; i++)
		if (m->tap_fd[i] >= 0)
			rc = mirror_ep_add(m, m->tap_fd[i], MIRROR_EV_TAP + i);
	if (rc == 0)
		rc = mirror_wb_open(m);
	if (rc < 0) {
		snprintf(err, errlen, "epoll: %s", strerror(-rc));
		return rc;
	}
	ctl_server_lock();
	m->punt = vnf_router_twin_attach(m->vi, m->wake_fd);
	if (m->punt != NULL)
		vnf_router_mirror_hook(m->vi, mirror_show, m);
	ctl_server_unlock();
	if (m->punt == NULL) {
		snprintf(err, errlen, "cannot attach the twins to the router");
		return -EINVAL;
	}
	/* Armed from the start: the first punted frame wakes us. */
	mirror_punt(m);
	rc = mirror_sync_start(m);
	if (rc < 0) {
		snprintf(err, errlen, "netns %s: netlink event socket: %s",
			 m->ns.name, strerror(-rc));
		return rc;
	}
	return 0;
}

/* Mirror thread: undo mirror_setup() (any part of it). */
static void
mirror_teardown(void *arg)
{
	struct ctl_mirror *m = arg;

	if (m->punt != NULL) {
		/* The router frees what is left on its rings: the punt
		 * ring is not ours to touch after this. */
		ctl_server_lock();
		vnf_router_mirror_hook(m->vi, NULL, NULL);
		vnf_router_twin_detach(m->vi);
		ctl_server_unlock();
		m->punt = NULL;
	}
	if (m->sk != NULL) {
		nl_socket_free(m->sk);
		m->sk = NULL;
	}
	/* What was written back goes with the devices or stays until the
	 * kernel ages it out (nfvd no longer resolves them). */
	if (m->tick_fd >= 0)
		close(m->tick_fd);
	m->tick_fd = -1;
	nl_socket_free(m->req);
	m->req = NULL;
	free(m->wb);
	free(m->wb_cur);
	free(m->wb_next);
	m->wb = m->wb_cur = m->wb_next = NULL;
	m->n_wb = 0;
	mirror_twins_close(m);
}

static void
mirror_loop(void *arg)
{
	struct ctl_mirror *m = arg;
	struct epoll_event evs[16];
	bool stop = false;
	uint64_t v;
	int n, i, timeout;

	while (!stop) {
		timeout = -1;
		if (m->punt_pending)
			timeout = 0;
		else if (m->state == MIRROR_ERROR) {
			uint64_t now = mirror_now_ns();

			timeout = now >= m->retry_at_ns
					  ? 0
					  : (int)((m->retry_at_ns - now) /
						  1000000) +
						    1;
		}
		n = epoll_wait(m->ep, evs, RTE_DIM(evs), timeout);
		if (n < 0 && errno != EINTR) {
			MIRROR_LOG(ERR, "%s: epoll: %s", m->vi->name,
				   strerror(errno));
			break;
		}
		for (i = 0; i < n && !stop; i++) {
			uint32_t tag = evs[i].data.u32;

			if (tag == MIRROR_EV_STOP) {
				stop = true;
			} else if (tag == MIRROR_EV_WAKE) {
				if (read(m->wake_fd, &v, sizeof(v)) < 0)
					v = 0;
				mirror_punt(m);
			} else if (tag == MIRROR_EV_NL) {
				mirror_nl_read(m);
			} else if (tag == MIRROR_EV_TICK) {
				if (read(m->tick_fd, &v, sizeof(v)) < 0)
					v = 0;
				mirror_wb_tick(m);
			} else if (tag - MIRROR_EV_TAP < m->n_twins) {
				mirror_tap_read(
					m, (uint16_t)(tag - MIRROR_EV_TAP));
			}
		}
		if (stop)
			break;
		if (m->punt_pending)
			mirror_punt(m);
		if (m->state == MIRROR_ERROR && m->sk == NULL &&
		    mirror_now_ns() >= m->retry_at_ns)
			mirror_sync_start(m);
	}
}

/* ---- control thread ------------------------------------------------------ */

static uint32_t
mirror_rcvbuf(void)
{
	const char *s = getenv(CTL_MIRROR_RCVBUF_ENV);
	unsigned long long v;
	char *end;

	if (s == NULL || *s == '\0')
		return CTL_MIRROR_RCVBUF_DEFAULT;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno != 0 || *end != '\0' || v < 4096 || v > INT32_MAX) {
		MIRROR_LOG(WARNING,
			   "%s=%s: not a byte count in 4096..%d; using %u",
			   CTL_MIRROR_RCVBUF_ENV, s, INT32_MAX,
			   CTL_MIRROR_RCVBUF_DEFAULT);
		return CTL_MIRROR_RCVBUF_DEFAULT;
	}
	return (uint32_t)v;
}

/* The largest frame a twin may send: its MTU and an Ethernet header with
 * a VLAN tag; at least what a default mbuf holds. */
static uint32_t
mirror_buf_room(struct vnf_instance *vi)
{
	uint32_t room = RTE_MBUF_DEFAULT_DATAROOM;
	unsigned int i, n = vnf_router_n_ifaces(vi);

	for (i = 0; i < n; i++)
		room = RTE_MAX(room,
			       (uint32_t)vnf_router_iface_mtu(vi, (uint16_t)i) +
				       RTE_ETHER_HDR_LEN + 4 + 1);
	return RTE_MIN(room, (uint32_t)UINT16_MAX - RTE_PKTMBUF_HEADROOM);
}

int
ctl_mirror_start(struct vnf_instance *vi, struct ctl_mirror **out, char *err,
		 size_t errlen)
{
	const struct vnf_router_mirror_config *mc;
	char name[RTE_MEMPOOL_NAMESIZE];
	struct ctl_mirror *m;
	unsigned int i;
	int rc;

	*out = NULL;
	ctl_server_lock();
	mc = vnf_router_mirror_config(vi);
	ctl_server_unlock();
	if (mc == NULL) {
		snprintf(err, errlen, "%s: no mirror configured", vi->name);
		return -EINVAL;
	}
	m = calloc(1, sizeof(*m));
	if (m == NULL)
		goto err_nomem;
	m->vi = vi;
	snprintf(m->ns.name, sizeof(m->ns.name), "%s", mc->netns);
	m->table = mc->table != 0 ? mc->table : RT_TABLE_MAIN;
	m->rcvbuf = mirror_rcvbuf();
	m->state = MIRROR_SYNCING;
	m->th = (struct ctl_ns_thread){
		.what = "mirror",
		.ns = &m->ns,
		.arg = m,
		.setup = mirror_setup,
		.loop = mirror_loop,
		.teardown = mirror_teardown,
		.stop_fd = -1,
	};
	m->wake_fd = m->ep = m->tick_fd = -1;
	for (i = 0; i < NFV_MAX_IFACES; i++)
		m->tap_fd[i] = -1;
	m->batch = calloc(MIRROR_BATCH_MAX, sizeof(*m->batch));
	m->rxbuf = malloc((size_t)MIRROR_RX_VLEN * MIRROR_RX_BUF);
	if (m->batch == NULL || m->rxbuf == NULL)
		goto err_nomem_m;
	ctl_server_lock();
	m->buf_room = mirror_buf_room(vi);
	ctl_server_unlock();
	snprintf(name, sizeof(name), "nfv_mirror_%u", vi->id);
	/* No cache: workers free these after TX, and the pool is small. */
	m->pool = rte_pktmbuf_pool_create(
		name, MIRROR_POOL_SIZE, 0, 0,
		(uint16_t)(m->buf_room + RTE_PKTMBUF_HEADROOM), SOCKET_ID_ANY);
	if (m->pool == NULL) {
		snprintf(err, errlen, "%s: mirror mbufs: %s", vi->name,
			 rte_strerror(rte_errno));
		rc = -ENOMEM;
		goto err_free;
	}
	m->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	m->ep = epoll_create1(EPOLL_CLOEXEC);
	if (m->wake_fd < 0 || m->ep < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: mirror: %s", vi->name,
			 strerror(errno));
		goto err_free;
	}
	rc = ctl_ns_thread_start(&m->th, vi->name, err, errlen);
	if (rc < 0)
		goto err_free;
	MIRROR_LOG(NOTICE, "%s: %u twins in netns %s%s, table %u", vi->name,
		   m->n_twins, m->ns.name, m->ns.created ? " (created)" : "",
		   m->table);
	*out = m;
	return 0;

err_nomem_m:
	snprintf(err, errlen, "%s: mirror: out of memory", vi->name);
	rc = -ENOMEM;
	goto err_free;
err_free:
	ctl_mirror_free(m);
	return rc;
err_nomem:
	snprintf(err, errlen, "%s: mirror: out of memory", vi->name);
	return -ENOMEM;
}

void
ctl_mirror_stop(struct ctl_mirror *m)
{
	if (m == NULL || !m->th.running)
		return;
	ctl_ns_thread_stop(&m->th, m->vi->name);
	MIRROR_LOG(INFO, "%s: mirror stopped", m->vi->name);
}

void
ctl_mirror_free(struct ctl_mirror *m)
{
	if (m == NULL)
		return;
	ctl_mirror_stop(m);
	ctl_ns_thread_close(&m->th, m->vi->name);
	if (m->pool != NULL) {
		unsigned int avail = rte_mempool_avail_count(m->pool);

		if (avail != m->pool->size)
			MIRROR_LOG(ERR,
				   "%s: %u of %u mirror mbufs not returned",
				   m->vi->name, m->pool->size - avail,
				   m->pool->size);
		rte_mempool_free(m->pool);
	}
	if (m->ep >= 0)
		close(m->ep);
	if (m->wake_fd >= 0)
		close(m->wake_fd);
	free(m->rxbuf);
	free(m->batch);
	free(m);
}
