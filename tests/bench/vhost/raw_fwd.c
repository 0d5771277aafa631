/* SPDX-License-Identifier: BSD-3-Clause
 *
 * raw_fwd.c - the limit of a vhost-user forwarder, as a benchmark row.
 *
 * Two vhost-user sockets (server mode); every frame the guest behind one
 * sends is dequeued (rte_vhost_dequeue_burst(): one copy out of the guest)
 * and enqueued to the other (rte_vhost_enqueue_burst(): one copy in), and
 * nothing else: no parsing, no table, no counters but its own.  Those two
 * copies are what every vhost-user switch pays, so what this reaches on a
 * core is the ceiling for nfvd's rows in tests/bench/compare.sh.
 *
 *   raw-fwd [EAL args] -- SOCK0 SOCK1
 *
 * Guest notifications are off (a poll-mode peer, as nfv-bench and nfvd
 * run them).  Busy cycles are counted as nfvd's workers count them: the
 * TSC cycles of loop rounds that moved at least one frame, over the frames
 * moved (both directions).  SIGUSR1 prints the figures so far on stdout,
 * one line:
 *   raw-fwd: packets N busy_cycles C cycles_per_packet X tsc_hz H
 * SIGTERM/SIGINT prints them once more and exits 0.
 *
 * RAW_FWD_FLAGS in the environment: librte_vhost's registration flags
 * (default 0).  0x200 (RTE_VHOST_USER_NET_STATS_ENABLE) turns on the
 * per-virtqueue statistics that DPDK 22.11's net_vhost always asks for:
 * the A/B that measures what they cost (docs/benchmarks.md).
 *
 * One lcore (the main one) polls; librte_vhost's own thread handles the
 * sockets.  A device that goes away is cleared here and waited out (the
 * poll loop passes a round) before the callback returns, so the loop is
 * never inside a freed device.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_mbuf.h>
#include <rte_pause.h>
#include <rte_vhost.h>

#define BURST 32
#define VQ_GUEST_RX 0 /* what we enqueue into */
#define VQ_GUEST_TX 1 /* what we dequeue from */

static const char *sock[2];
static atomic_int vid[2] = {-1, -1};
static atomic_uint_fast64_t rounds;
static volatile sig_atomic_t stop, report;
static uint64_t packets, busy;

static int
side_of(int v)
{
	char name[PATH_MAX];
	int i;

	if (rte_vhost_get_ifname(v, name, sizeof(name)) < 0)
		return -1;
	for (i = 0; i < 2; i++)
		if (strcmp(name, sock[i]) == 0)
			return i;
	return -1;
}

/* librte_vhost's thread: a guest's device is ready. */
static int
new_device(int v)
{
	int s = side_of(v);

	if (s < 0)
		return -1;
	rte_vhost_enable_guest_notification(v, VQ_GUEST_RX, 0);
	rte_vhost_enable_guest_notification(v, VQ_GUEST_TX, 0);
	atomic_store_explicit(&vid[s], v, memory_order_release);
	return 0;
}

/* librte_vhost's thread: the device goes; the loop must be out of it
 * before this returns. */
static void
destroy_device(int v)
{
	uint_fast64_t r;
	int i;

	for (i = 0; i < 2; i++) {
		int expect = v;

		if (!atomic_compare_exchange_strong(&vid[i], &expect, -1))
			continue;
		r = atomic_load(&rounds);
		while (!stop && atomic_load(&rounds) < r + 2)
			rte_pause();
	}
}

static const struct rte_vhost_device_ops ops = {
	.new_device = new_device,
	.destroy_device = destroy_device,
};

static void
on_signal(int sig)
{
	if (sig == SIGUSR1)
		report = 1;
	else
		stop = 1;
}

static void
print_figures(void)
{
	printf("raw-fwd: packets %" PRIu64 " busy_cycles %" PRIu64
	       " cycles_per_packet %.1f tsc_hz %" PRIu64 "\n",
	       packets, busy, packets ? (double)busy / (double)packets : 0.0,
	       rte_get_tsc_hz());
	fflush(stdout);
}

/* One direction: what `from`'s guest sent, to `to`'s guest.  Frames the
 * other guest has no room for are dropped, as a switch's would be. */
static unsigned int
forward(struct rte_mempool *pool, int from, int to)
{
	struct rte_mbuf *pkts[BURST];
	uint16_t n;

	if (from < 0)
		return 0;
	n = rte_vhost_dequeue_burst(from, VQ_GUEST_TX, pool, pkts, BURST);
	if (n == 0)
		return 0;
	if (to >= 0)
		rte_vhost_enqueue_burst(to, VQ_GUEST_RX, pkts, n);
	rte_pktmbuf_free_bulk(pkts, n);
	return n;
}

int
main(int argc, char **argv)
{
	struct rte_mempool *pool;
	uint64_t flags = 0;
	int used, i, rc = 1;

	used = rte_eal_init(argc, argv);
	if (used < 0) {
		fprintf(stderr, "raw-fwd: EAL: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	argc -= used;
	argv += used;
	if (argc != 3) {
		fprintf(stderr, "usage: raw-fwd [EAL args] -- SOCK0 SOCK1\n");
		goto out;
	}
	sock[0] = argv[1];
	sock[1] = argv[2];
	if (getenv("RAW_FWD_FLAGS") != NULL)
		flags = strtoull(getenv("RAW_FWD_FLAGS"), NULL, 0);
	pool = rte_pktmbuf_pool_create("raw_fwd", 8191, 256, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE,
				       (int)rte_socket_id());
	if (pool == NULL) {
		fprintf(stderr, "raw-fwd: mbuf pool: %s\n",
			rte_strerror(rte_errno));
		goto out;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	signal(SIGUSR1, on_signal);
	for (i = 0; i < 2; i++) {
		if (rte_vhost_driver_register(sock[i], flags) != 0 ||
		    rte_vhost_driver_callback_register(sock[i], &ops) != 0 ||
		    rte_vhost_driver_start(sock[i]) != 0) {
			fprintf(stderr, "raw-fwd: vhost-user socket %s failed\n",
				sock[i]);
			goto out_unregister;
		}
	}
	printf("raw-fwd: ready: %s %s\n", sock[0], sock[1]);
	fflush(stdout);
	while (!stop) {
		int a = atomic_load_explicit(&vid[0], memory_order_acquire);
		int b = atomic_load_explicit(&vid[1], memory_order_acquire);
		uint64_t t0 = rte_rdtsc();
		unsigned int n = forward(pool, a, b) + forward(pool, b, a);

		if (n != 0) {
			busy += rte_rdtsc() - t0;
			packets += n;
		}
		atomic_fetch_add_explicit(&rounds, 1, memory_order_release);
		if (report) {
			report = 0;
			print_figures();
		}
	}
	print_figures();
	rc = 0;
out_unregister:
	for (i = 0; i < 2; i++)
		rte_vhost_driver_unregister(sock[i]);
out:
	rte_eal_cleanup();
	return rc;
}
