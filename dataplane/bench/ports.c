/* SPDX-License-Identifier: BSD-3-Clause
 *
 * ports.c - the generator's ports: virtio-user devices on a device under
 * test's vhost-user sockets, or (self-test, test device) ethdevs made of
 * rings.  Main thread only; nfvb_test_dut_poll() runs inside the trial
 * loop on the same thread.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "dataplane/bench/bench.h"

static void
nfvb_mbuf_zero(struct rte_mempool *mp, void *arg, void *obj, unsigned int i)
{
	struct rte_mbuf *m = obj;

	RTE_SET_USED(mp);
	RTE_SET_USED(arg);
	RTE_SET_USED(i);
	memset(m->buf_addr, 0, m->buf_len);
}

/*
 * Templates keep only a frame's first bytes; the rest must be zero for
 * the L4 checksums to hold, so every buffer starts zeroed (see struct
 * nfvb_traffic).
 */
int
nfvb_pool_create(struct nfvb_ctx *c, unsigned int n_mbufs)
{
	c->pool = rte_pktmbuf_pool_create("nfvb_pool", n_mbufs, 256, 0,
					  RTE_MBUF_DEFAULT_BUF_SIZE,
					  (int)rte_socket_id());
	if (c->pool == NULL)
		return -rte_errno;
	rte_mempool_obj_iter(c->pool, nfvb_mbuf_zero, NULL);
	return 0;
}

int
nfvb_vdev_arg(const struct nfvb_opts *o, unsigned int i, char *buf,
	      size_t len)
{
	const struct nfvb_port_opts *p = &o->ports[i];
	uint8_t mac[6];
	int n;

	if (p->has_mac)
		memcpy(mac, p->mac, 6);
	else
		nfvb_default_mac(i, mac);
	n = snprintf(buf, len,
		     "net_virtio_user%u,path=%s,queues=%u,queue_size=%u,"
		     "mac=%02x:%02x:%02x:%02x:%02x:%02x%s",
		     i, p->path, o->queues, o->ring_size, mac[0], mac[1],
		     mac[2], mac[3], mac[4], mac[5],
		     p->server ? ",server=1" : "");
	return (n < 0 || (size_t)n >= len) ? -ENAMETOOLONG : 0;
}

static int
nfvb_port_start(struct nfvb_ctx *c, unsigned int i, char *err, size_t errlen)
{
	struct rte_eth_conf conf = {0};
	uint16_t eth = c->ports[i].eth, nrx, ntx, nq, q;
	int rc;

	nrx = ntx = (uint16_t)c->o->ring_size;
	nq = (uint16_t)c->o->queues;
	rc = rte_eth_dev_configure(eth, nq, nq, &conf);
	if (rc == 0)
		rc = rte_eth_dev_adjust_nb_rx_tx_desc(eth, &nrx, &ntx);
	for (q = 0; rc == 0 && q < nq; q++)
		rc = rte_eth_rx_queue_setup(
			eth, q, nrx, rte_eth_dev_socket_id(eth), NULL, c->pool);
	for (q = 0; rc == 0 && q < nq; q++)
		rc = rte_eth_tx_queue_setup(eth, q, ntx,
					    rte_eth_dev_socket_id(eth), NULL);
	if (rc == 0)
		rc = rte_eth_dev_start(eth);
	if (rc < 0) {
		snprintf(err, errlen, "port %u: cannot start: %s", i,
			 strerror(-rc));
		return rc;
	}
	return 0;
}

/* Virtio-user: the link is up once the device under test answered. */
static int
nfvb_port_wait_link(struct nfvb_ctx *c, unsigned int i, double seconds,
		    char *err, size_t errlen)
{
	uint64_t end = rte_get_timer_cycles() +
		       (uint64_t)(seconds * (double)rte_get_timer_hz());
	struct rte_eth_link link;

	do {
		memset(&link, 0, sizeof(link));
		if (rte_eth_link_get_nowait(c->ports[i].eth, &link) == 0 &&
		    link.link_status == RTE_ETH_LINK_UP)
			return 0;
		rte_delay_ms(10);
	} while (rte_get_timer_cycles() < end);
	snprintf(err, errlen, "port %u (%s): link still down after %.0f s",
		 i, c->o->ports[i].path, seconds);
	return -ETIMEDOUT;
}

static struct rte_ring *
nfvb_ring(struct nfvb_ctx *c, unsigned int idx)
{
	char name[RTE_RING_NAMESIZE];
	unsigned int size = 1;

	/* Room for everything in flight plus the rings' own slack. */
	while (size < c->o->inflight * c->o->burst + 2 * c->o->ring_size)
		size <<= 1;
	snprintf(name, sizeof(name), "nfvb_r%u", idx);
	c->rings[idx] = rte_ring_create(name, size, (int)rte_socket_id(),
					RING_F_SP_ENQ | RING_F_SC_DEQ);
	return c->rings[idx];
}

/*
 * Self-test: ring 0 carries port 0's TX to port 1's RX and ring 1 the
 * other way.  Test device: rings 0/1 are the ports' TX, rings 2/3 their
 * RX, and nfvb_test_dut_poll() moves frames 0 -> 3 and 1 -> 2.  With
 * --queues N (self-test only) queue q has rings 4q and 4q + 1 the same
 * way: what goes out on TX queue q arrives on the peer's RX queue q.
 */
static int
nfvb_ring_ports_open(struct nfvb_ctx *c, char *err, size_t errlen)
{
	unsigned int i, q, nq = c->o->queues, nr = c->test_dut ? 4 : 2;
	int rc;

	for (q = 0; q < nq; q++)
		for (i = 0; i < nr; i++)
			if (nfvb_ring(c, 4 * q + i) == NULL) {
				snprintf(err, errlen, "cannot create ring: %s",
					 rte_strerror(rte_errno));
				return -rte_errno;
			}
	for (i = 0; i < 2; i++) {
		struct rte_ring *rx[NFVB_MAX_QUEUES], *tx[NFVB_MAX_QUEUES];
		char name[32];

		for (q = 0; q < nq; q++) {
			rx[q] = c->test_dut ? c->rings[4 * q + 2 + i]
					    : c->rings[4 * q + (i ^ 1)];
			tx[q] = c->rings[4 * q + i];
		}
		snprintf(name, sizeof(name), "nfvb_ring%u", i);
		rc = rte_eth_from_rings(name, rx, nq, tx, nq, rte_socket_id());
		if (rc < 0) {
			snprintf(err, errlen, "cannot make ring port: %s",
				 rte_strerror(rte_errno));
			return -rte_errno;
		}
		c->ports[i].eth = (uint16_t)rc;
	}
	return 0;
}

int
nfvb_ports_open(struct nfvb_ctx *c, char *err, size_t errlen)
{
	const struct nfvb_opts *o = c->o;
	unsigned int i;
	int rc;

	c->n_ports = o->n_ports;
	c->test_dut = o->ports_kind == NFVB_PORTS_TEST_DUT;
	c->test_dut_pps = o->test_dut_pps;
	if (o->ports_kind != NFVB_PORTS_VIRTIO) {
		rc = nfvb_ring_ports_open(c, err, errlen);
		if (rc < 0)
			return rc;
	} else {
		for (i = 0; i < c->n_ports; i++) {
			char name[32];
			uint16_t eth;

			snprintf(name, sizeof(name), "net_virtio_user%u", i);
			if (rte_eth_dev_get_port_by_name(name, &eth) != 0) {
				snprintf(err, errlen,
					 "port %u: no device on %s (is the device under test running?)",
					 i, o->ports[i].path);
				return -ENODEV;
			}
			c->ports[i].eth = eth;
		}
	}
	for (i = 0; i < c->n_ports; i++) {
		struct nfvb_port *p = &c->ports[i];
		const struct nfvb_port_opts *po = &o->ports[i];
		unsigned int q = i ^ 1;

		p->peer = (uint16_t)q;
		if (po->has_mac)
			memcpy(p->mac, po->mac, 6);
		else
			nfvb_default_mac(i, p->mac);
		if (po->has_peer)
			memcpy(p->peer_mac, po->peer, 6);
		else if (o->ports[q].has_mac)
			memcpy(p->peer_mac, o->ports[q].mac, 6);
		else
			nfvb_default_mac(q, p->peer_mac);
		rc = nfvb_port_start(c, i, err, errlen);
		if (rc < 0)
			return rc;
		c->n_started = i + 1;
	}
	if (o->ports_kind == NFVB_PORTS_VIRTIO)
		for (i = 0; i < c->n_ports; i++) {
			rc = nfvb_port_wait_link(c, i,
						 o->ports[i].server ? 30 : 5,
						 err, errlen);
			if (rc < 0)
				return rc;
		}
	return 0;
}

void
nfvb_ports_close(struct nfvb_ctx *c)
{
	unsigned int i;

	for (i = 0; i < c->n_started; i++) {
		rte_eth_dev_stop(c->ports[i].eth);
		rte_eth_dev_close(c->ports[i].eth);
	}
	c->n_started = 0;
	for (i = 0; i < RTE_DIM(c->rings); i++) {
		if (c->rings[i] == NULL)
			continue;
		rte_ring_free(c->rings[i]);
		c->rings[i] = NULL;
	}
}

/*
 * The test device: a forwarder that polices each direction to
 * test_dut_pps with a bucket two bursts deep, and drops the rest.  A
 * generator offering less never sees a drop; one offering more loses
 * the excess.  That makes the zero-loss rate known in advance.
 */
void
nfvb_test_dut_poll(struct nfvb_ctx *c, uint64_t now)
{
	double depth = 2.0 * c->o->burst, add;
	struct rte_mbuf *m[NFVB_MAX_BURST];
	unsigned int d, n, pass, sent;

	if (c->dut_last == 0)
		c->dut_last = now;
	add = (double)(now - c->dut_last) * c->test_dut_pps / (double)c->hz;
	c->dut_last = now;
	for (d = 0; d < 2; d++) {
		c->dut_tokens[d] = RTE_MIN(c->dut_tokens[d] + add, depth);
		n = rte_ring_sc_dequeue_burst(c->rings[d], (void **)m,
					      NFVB_MAX_BURST, NULL);
		if (n == 0)
			continue;
		pass = RTE_MIN(n, (unsigned int)c->dut_tokens[d]);
		c->dut_tokens[d] -= pass;
		sent = rte_ring_sp_enqueue_burst(c->rings[2 + (d ^ 1)],
						 (void **)m, pass, NULL);
		if (sent < n) {
			c->dut_dropped += n - sent;
			rte_pktmbuf_free_bulk(&m[sent], n - sent);
		}
	}
}
