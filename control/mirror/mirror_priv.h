/* SPDX-License-Identifier: BSD-3-Clause
 *
 * mirror_priv.h - the kernel mirror's internals, shared by its files:
 *   mirror.c  the thread: start/stop, the epoll loop, punt/inject, the
 *             netlink event socket, batches, resync, `show mirror`
 *   netns.c   entering a netns, or creating one like `ip netns add`
 *   twin.c    the taps and the addresses put on them
 *   nl.c      message bytes -> router events (nl.h)
 *
 * Who writes what: everything in struct ctl_mirror belongs to the mirror
 * thread once it runs, except that the control thread reads the start
 * result (ctl_ns_thread_start() in netns.h), and the `show mirror` hook
 * (under ctl_server_lock(), on the control or telemetry thread) reads the
 * counters, the state and the lag samples.  The mirror thread writes the
 * lag samples, the state, last_error and the route/neighbour/address/link
 * counters only under ctl_server_lock(); the I/O counters (messages,
 * ignored, punted, injected, drops) without it, as plain 64-bit stores
 * that a reader sees whole (they are only shown).
 */
#ifndef NFV_CTL_MIRROR_PRIV_H
#define NFV_CTL_MIRROR_PRIV_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include <rte_log.h>

#include "control/mirror/mirror.h"
#include "control/mirror/netns.h"
#include "control/mirror/nl.h"
#include "vnf/lib/limits.h"

extern int ctl_logtype_mirror;
#define MIRROR_LOG(level, fmt, ...)                                            \
	rte_log(RTE_LOG_##level, ctl_logtype_mirror,                           \
		"nfvd: mirror: " fmt "\n", ##__VA_ARGS__)

struct nl_sock;
struct rte_mempool;
struct rte_ring;

/* Route ops collected before one vnf_router_kroutes_apply() call. */
#define MIRROR_BATCH_MAX 4096
/* Messages read per wake-up before the other fds get their turn. */
#define MIRROR_MSG_BUDGET 4096
/* Datagrams per recvmmsg() and the size of each buffer: the kernel
 * builds dump datagrams of at most 32 KiB (netlink_dump()). */
#define MIRROR_RX_VLEN 64
#define MIRROR_RX_BUF (32u << 10)
/* Punted frames written, and frames read per tap, per wake-up. */
#define MIRROR_PUNT_BUDGET 256
#define MIRROR_TAP_BUDGET 64
/* Write-back of the router's own neighbours on svi ifaces: the period and
 * the most entries written. */
#define MIRROR_WB_TICK_MS 50
#define MIRROR_WB_MAX 4096
/* Batch lag samples kept for p50/p99/max. */
#define MIRROR_LAG_SAMPLES 1024

enum mirror_state {
	MIRROR_SYNCING, /* first dump */
	MIRROR_SYNCED,
	MIRROR_RESYNC, /* a later dump after an error */
	MIRROR_ERROR,  /* no event socket: retried every second */
};

/* The dumps of a (re)sync, in this order. */
enum mirror_dump {
	MIRROR_DUMP_LINK,
	MIRROR_DUMP_ADDR,
	MIRROR_DUMP_ROUTE,
	MIRROR_DUMP_NEIGH,
	MIRROR_DUMP_NONE,
};

struct mirror_stats {
	uint64_t messages;
	uint64_t batches;
	uint64_t routes_added;
	uint64_t routes_removed;
	uint64_t routes_failed;
	uint64_t addresses;
	uint64_t neighbours;
	uint64_t links;
	uint64_t ignored[MIRROR_NL_N_REASONS];
	uint64_t resyncs;
	uint64_t punted;
	uint64_t punt_drops;
	uint64_t injected;
	uint64_t inject_drops;
	uint64_t swept_routes;
	uint64_t swept_neighbours;
	uint64_t svi_found; /* an svi device found (again) by its name */
	uint64_t svi_lost;  /* ... deleted or renamed */
	uint64_t svi_macs;  /* its MAC set to the iface's */
	uint64_t wb_added;  /* router neighbours written to an svi device */
	uint64_t wb_removed;
	uint64_t wb_failed;
};

/* A neighbour of the router written back to an svi device; the key is
 * the bytes before mac (zeroed padding). */
struct mirror_wb {
	uint16_t iface;
	uint8_t family;
	uint8_t ip[16];
	uint8_t mac[6];
};

struct ctl_mirror {
	struct vnf_instance *vi;
	struct ctl_netns ns; /* ns.name: the router's mirror.netns */
	uint32_t table;
	uint32_t rcvbuf;

	struct ctl_ns_thread th; /* nfv-mirror, in ns */
	int wake_fd; /* eventfd: workers say the punt ring has packets */
	int ep;

	/* Twins: tap_fd[i] of router iface i, ifindex in nlc.  An `svi:`
	 * iface has tap_fd -1 and tap_name its device's name; n_twins
	 * counts every iface. */
	uint16_t n_twins;
	int tap_fd[NFV_MAX_IFACES];
	char tap_name[NFV_MAX_IFACES][16];
	uint16_t tap_mtu[NFV_MAX_IFACES]; /* last MTU told to the router */
	bool tap_up[NFV_MAX_IFACES];	  /* last link state told to it */
	struct mirror_nl_ctx nlc;
	struct rte_ring *punt;
	struct rte_mempool *pool;
	uint32_t buf_room; /* bytes a tap frame may have in one mbuf */
	bool punt_pending; /* the punt budget ran out: go on without a wake */

	/* Netlink: the event socket and its receive area. */
	struct nl_sock *sk;
	uint8_t *rxbuf;
	uint32_t gen; /* bumped by each (re)sync: older reads are stale */
	enum mirror_dump dump;
	uint32_t dump_seq;
	bool dump_intr;	      /* a dump said NLM_F_DUMP_INTR: sync again */
	uint64_t retry_at_ns; /* MIRROR_ERROR: when to try again */

	/* The batch being collected; t0: receive time of its first op. */
	struct vnf_router_kroute *batch;
	unsigned int n_batch;
	uint64_t batch_t0;

	/* svi ifaces only: the router's own neighbours written back to the
	 * svi devices (zebra's local type-2 MAC+IP), every
	 * MIRROR_WB_TICK_MS by tick_fd (a timerfd; -1 without svi ifaces),
	 * through req; wb[0..n_wb) what is written, sorted, wb_cur scratch. */
	int tick_fd;
	struct nl_sock *req;
	struct mirror_wb *wb, *wb_cur, *wb_next;
	unsigned int n_wb, n_wb_cur;

	/* Read by `show mirror` (see above). */
	enum mirror_state state;
	struct mirror_stats st;
	char last_error[256];
	uint64_t lag_ns[MIRROR_LAG_SAMPLES];
	unsigned int n_lag; /* samples taken; the ring index is n_lag % N */
};

/* twin.c: make the taps of every router iface and put the config's
 * addresses on them (mirror thread, inside the netns).  Undone by
 * mirror_twins_close(). */
int mirror_twins_open(struct ctl_mirror *m, char *err, size_t errlen);
void mirror_twins_close(struct ctl_mirror *m);
/* twin.c: the svi device of iface (`svi: NAME`, m->nlc.svi[iface]) was
 * found as ifindex: set its MAC to the iface's (set_mac) and put the
 * config's addresses on it (addrs), as on a twin.  Mirror thread, in the netns.
 * 0, or -errno and a reason. */
int mirror_svi_attach(struct ctl_mirror *m, uint16_t iface, int ifindex,
		      bool set_mac, bool addrs, char *err, size_t errlen);
/* twin.c, for the EVPN thread too (evpn.c), in the calling thread's
 * netns: IFF_UP on ifname through the ioctl socket s; a tap `name` (an
 * error when the name is taken) with mac, mtu (0: the default), up: its
 * fd, non-blocking, and *ifindex, or -errno and a reason. */
int mirror_if_up(int s, const char *ifname);
int mirror_tap_open(int s, const char *name, const uint8_t mac[6], uint16_t mtu,
		    int *ifindex, char *err, size_t errlen);

uint64_t mirror_now_ns(void);

#endif /* NFV_CTL_MIRROR_PRIV_H */
