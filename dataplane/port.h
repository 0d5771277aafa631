/* SPDX-License-Identifier: BSD-3-Clause
 *
 * port.h - nfvd's ports: DPDK ethdevs made from the config's `ports:`.
 *
 * Every port type is a DPDK driver: vhost-user is net_vhost, virtio-user
 * net_virtio_user, pcap net_pcap, tap net_tap, af_packet and af_xdp their
 * PMDs, pci whatever EAL probed.  This file turns a port's config into the
 * driver's device arguments, configures queues (RX queues per the config,
 * one TX queue per worker where the driver has them), and watches the link.
 * Control thread only.
 */
#ifndef NFV_PORT_H
#define NFV_PORT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>
#include <rte_config.h>
#include <rte_spinlock.h>

#include "control/config.h"
#include "control/files.h"

/* A port is an ethdev with up to NFV_MAX_QUEUES RX queues and a TX queue
 * per worker. */
_Static_assert(NFV_MAX_PORTS <= RTE_MAX_ETHPORTS, "every port is an ethdev");
_Static_assert(NFV_MAX_QUEUES <= RTE_MAX_QUEUES_PER_PORT &&
		       NFV_MAX_WORKERS <= RTE_MAX_QUEUES_PER_PORT,
	       "queues of a port");

struct nl_sock;
struct rte_mempool;

struct nfv_port {
	char name[CTL_NAME_MAX];
	const struct ctl_port_config *cfg;
	uint16_t idx;		/* index in the config, and in the graph */
	uint16_t eth_port;	/* DPDK port id */
	uint16_t nb_rxq;
	uint16_t nb_txq;
	bool created;		/* a vdev we made (and must remove) */
	bool sock_made;		/* vhost-user server: the socket it made, */
	struct ctl_file_id sock_id; /* the only file at cfg->path that nfvd
				     * may remove */
	bool started;
	char devname[64];
	struct nl_sock *ns_sk;	/* tap in another netns: netlink there */
	bool kernel_link;	/* af_packet, af_xdp: link_fd asks the kernel */
	int link_fd;		/* for its interface's flags (SIOCGIFFLAGS) */
	/* af_xdp: the port's own mbuf pool, on which DPDK's driver builds its
	 * UMEM, and how many of its mbufs the driver posted to its fill rings
	 * when the queues were set up (they never come back: see
	 * nfv_port_xdp_pool()).  Left to the caller by nfv_port_destroy(). */
	struct rte_mempool *pool;
	unsigned int pool_fill;
	bool vhost_cb;		/* link-state callback registered (vhost_io.h) */
	bool vq_cb;		/* queue-state callback registered */
	bool vhost_direct;	/* workers call librte_vhost (vhost_io.h) */
	/* vhost-user, under vhost_lock: the link as the last event saw it,
	 * and the rings the frontend has enabled (nfv_port_fp.vq_on). */
	bool vq_link_up;
	uint32_t vq_on;
	uint8_t wake;		/* enum nfv_wake_kind of its RX queues */
	rte_spinlock_t vhost_lock; /* orders nfv_port_fp[idx].vid updates */
	rte_spinlock_t txq_lock[RTE_MAX_QUEUES_PER_PORT];
};

/*
 * Create and start the port.  In `idle` interrupt mode, RX interrupts are
 * asked for where nfvd can use them (p->wake).  Its RX queues take mbufs
 * from `mp`, except an af_xdp port's: it gets a pool of its own (p->pool)
 * of `xdp_mbufs` plus what its driver keeps in its fill rings.  0 or
 * -errno with a one-line reason.
 */
int nfv_port_create(struct nfv_port *p, uint16_t idx,
		    const struct ctl_port_config *cfg, unsigned int n_workers,
		    enum ctl_idle_mode idle, struct rte_mempool *mp,
		    unsigned int xdp_mbufs, char *err, size_t errlen);
/* Stop, close and remove the device (vhost-user server sockets are
 * unlinked by the driver).  No-op on a port never created.  An af_xdp
 * port's own pool stays in p->pool: the caller frees it once no VNF or
 * port can hold one of its mbufs. */
void nfv_port_destroy(struct nfv_port *p);
/* Mbufs of `mp` not in the pool (nor in a cache of it). */
unsigned int nfv_pool_in_use(const struct rte_mempool *mp);
/* Read the link state; log and publish (nfv_port_fp[idx].link_up) a
 * change.  Returns true when it changed. */
bool nfv_port_poll_link(struct nfv_port *p);

#endif /* NFV_PORT_H */
