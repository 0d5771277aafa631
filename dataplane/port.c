/* SPDX-License-Identifier: BSD-3-Clause
 *
 * port.c - ports as DPDK ethdevs.  Control thread only.
 */
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/un.h>
#include <unistd.h>
#include <net/if.h>
#include <linux/virtio_net.h>

#include <netlink/netlink.h>
#include <netlink/route/link.h>

#include <rte_bus_vdev.h>
#include <rte_cycles.h>
#include <rte_dev.h>
#include <rte_eth_vhost.h>
#include <rte_ethdev.h>
#include <rte_errno.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_pause.h>

#include "control/files.h"
#include "dataplane/graph.h"
#include "dataplane/idle.h"
#include "dataplane/nfv.h"
#include "dataplane/port.h"
#include "dataplane/vhost_io.h"
#include "vnf/lib/rcu.h"

static void
nfv_port_mac_arg(char *buf, size_t len, const struct ctl_port_config *c)
{
	const uint8_t *m = c->mac;

	if (!c->has_mac) {
		buf[0] = '\0';
		return;
	}
	snprintf(buf, len, ",mac=%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1],
		 m[2], m[3], m[4], m[5]);
}

/* The bpf file system's magic (linux/magic.h's BPF_FS_MAGIC). */
#define NFV_BPF_FS_MAGIC 0xcafe4a11
#define NFV_BPF_FS "/sys/fs/bpf"

/*
 * Control thread, before an af_xdp port is made: mount the bpf file system
 * where libbpf and libxdp look for it when nothing is mounted there.
 * Without it the af_xdp driver's default program (libxdp's dispatcher,
 * which pins itself there) fails half-way and the port comes up but
 * receives nothing.  Best effort: a failure is logged, the port is still
 * tried (an own xdp_prog needs no bpffs).
 */
static void
nfv_port_bpffs(void)
{
	struct statfs sf;

	if (statfs(NFV_BPF_FS, &sf) == 0 &&
	    (unsigned long)sf.f_type == NFV_BPF_FS_MAGIC)
		return;
	if (mount("bpffs", NFV_BPF_FS, "bpf", 0, "mode=0700") < 0) {
		NFV_LOG(WARNING, port,
			"cannot mount the bpf file system on " NFV_BPF_FS
			": %s; an af_xdp port without xdp_prog may receive "
			"nothing",
			strerror(errno));
		return;
	}
	NFV_LOG(INFO, port, "mounted the bpf file system on " NFV_BPF_FS);
}

unsigned int
nfv_pool_in_use(const struct rte_mempool *mp)
{
	return mp->size - rte_mempool_avail_count(mp);
}

/*
 * What DPDK 22.11's af_xdp driver posts to each RX queue's fill ring when
 * the queue is set up (its ETH_AF_XDP_DFLT_NUM_DESCS).  It only sizes the
 * port's pool: the accounting at the end uses what was really taken.
 */
#define NFV_XDP_FILL_PER_QUEUE 2048
/* How long a closing af_xdp port waits for the kernel's TX completions. */
#define NFV_XDP_DRAIN_MS 100

/*
 * Control thread: the own mbuf pool of af_xdp port `c`.
 *
 * DPDK 22.11's net_af_xdp (zero-copy between UMEM and mbuf) registers
 * the memory of the mempool an RX queue is set up with as the socket's
 * UMEM, takes 2048 mbufs from it and posts their addresses to the fill
 * ring; every frame it receives is one of those mbufs, replaced by a new
 * one.  Its dev_close deletes the socket and the UMEM and never frees the
 * mbufs still posted (the ring is shared with the kernel, which may hold
 * some of them in its own free list; 23.11 does the same).  So a port
 * keeps exactly what it posted, and the pool is the only thing that can
 * give that memory back: a pool per port, freed after the port, makes
 * that exact and keeps the shared pool's audit clean.  It also limits
 * what the kernel pins to this port's mbufs.
 *
 * The driver's UMEM spans the pool's first memory chunk for the whole
 * pool: a pool in several chunks would put mbufs outside it, so that is
 * refused.
 */
static int
nfv_port_xdp_pool(struct nfv_port *p, const struct ctl_port_config *c,
		  unsigned int n_mbufs, char *err, size_t errlen)
{
	static unsigned int gen; /* names stay unique after `port del` */
	char name[RTE_MEMPOOL_NAMESIZE];

	snprintf(name, sizeof(name), "nfv_xdp_%u_%u", p->idx, gen++);
	n_mbufs += c->queues * NFV_XDP_FILL_PER_QUEUE;
	p->pool = rte_pktmbuf_pool_create(
		name, n_mbufs, RTE_MEMPOOL_CACHE_MAX_SIZE, 0,
		RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	if (p->pool == NULL) {
		snprintf(err, errlen,
			 "cannot allocate the port's %u mbufs: %s (raise "
			 "dataplane.memory)",
			 n_mbufs, rte_strerror(rte_errno));
		return -ENOMEM;
	}
	if (p->pool->nb_mem_chunks != 1) {
		snprintf(err, errlen,
			 "the port's %u mbufs are in %u pieces of memory; the "
			 "af_xdp driver needs them in one (raise "
			 "dataplane.memory, or use hugepages)",
			 n_mbufs, p->pool->nb_mem_chunks);
		rte_mempool_free(p->pool);
		p->pool = NULL;
		return -ENOMEM;
	}
	return 0;
}

/*
 * Control thread, no worker on the port any more: the mbufs an af_xdp
 * port sent come back to its pool only when the driver reads its
 * completion ring, which it does in a TX burst.  Empty bursts until only
 * the fill rings hold mbufs of the pool, for at most NFV_XDP_DRAIN_MS
 * (mbufs of the pool that a VNF holds come back later, when it goes).
 */
static void
nfv_port_xdp_drain(struct nfv_port *p)
{
	struct rte_mbuf *none[1];
	unsigned int ms;
	uint16_t q;

	for (ms = 0; ms < NFV_XDP_DRAIN_MS; ms++) {
		for (q = 0; q < p->nb_txq; q++)
			rte_eth_tx_burst(p->eth_port, q, none, 0);
		if (nfv_pool_in_use(p->pool) <= p->pool_fill)
			return;
		rte_delay_us_sleep(1000);
	}
}

/*
 * A vhost-user server socket left behind by a process that died: nobody
 * accepts on it, and the driver's bind() would fail.  Remove it; refuse a
 * live one.  ctl_path_check(LISTEN) made sure that what is there is a
 * socket of root or nfvd's user in a directory no one else can change: a
 * file that is not a socket is never removed (the vhost driver would
 * remove it when its bind() fails).
 */
static int
nfv_port_clear_stale_socket(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct stat st;
	int fd, rc;

	if (lstat(path, &st) != 0)
		return 0;
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "%s exists and is not a socket", path);
		return -EEXIST;
	}
	/* Non-blocking: a listener with a full backlog must not hold up the
	 * control thread; it is live. */
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 ? 0 : errno;
	close(fd);
	if (rc == ENOENT)
		return 0; /* gone meanwhile: nothing to replace */
	if (rc != ECONNREFUSED) {
		snprintf(err, errlen, "%s is in use by another process", path);
		return -EADDRINUSE;
	}
	NFV_LOG(INFO, port, "replacing stale socket %s", path);
	if (unlink(path) != 0 && errno != ENOENT)
		return -errno;
	return 0;
}

/*
 * The files and sockets of a port, checked where they are used (the
 * config loader checked them too, but time has passed since, and
 * `nfvd -t` may have run elsewhere): see control/files.h.  A pcap tx file
 * is created here with O_NOFOLLOW, so the driver's fopen() later finds a
 * regular file of ours, in a directory no one else can change.
 */
static int
nfv_port_prepare_files(const struct ctl_port_config *c, char *err,
		       size_t errlen)
{
	char why[PATH_MAX + 128];
	struct stat st;
	int fd, rc;

	switch (c->type) {
	case CTL_PORT_VHOST_USER:
		if (c->client) {
			rc = ctl_path_check(c->path, CTL_PATH_CONNECT, NULL,
					    why, sizeof(why));
			break;
		}
		rc = ctl_path_check(c->path, CTL_PATH_LISTEN, NULL, why,
				    sizeof(why));
		if (rc < 0)
			break;
		rc = ctl_path_mkdir_parents(c->path);
		if (rc < 0) {
			snprintf(why, sizeof(why),
				 "creating the directory of %s: %s", c->path,
				 strerror(-rc));
			break;
		}
		return nfv_port_clear_stale_socket(c->path, err, errlen);
	case CTL_PORT_VIRTIO_USER:
		rc = ctl_path_check(c->path, CTL_PATH_CONNECT, NULL, why,
				    sizeof(why));
		break;
	case CTL_PORT_PCAP:
		rc = 0;
		if (c->rx != NULL)
			rc = ctl_path_check(c->rx, CTL_PATH_READ, NULL, why,
					    sizeof(why));
		if (rc < 0 || c->tx == NULL)
			break;
		rc = ctl_path_check(c->tx, CTL_PATH_WRITE, NULL, why,
				    sizeof(why));
		if (rc < 0)
			break;
		fd = open(c->tx,
			  O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK |
				  O_NOCTTY | O_CLOEXEC,
			  0644);
		if (fd < 0) {
			rc = -errno;
			snprintf(why, sizeof(why), "%s: %s", c->tx,
				 strerror(errno));
			break;
		}
		if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
			rc = -EINVAL;
			snprintf(why, sizeof(why), "%s is not a regular file",
				 c->tx);
		}
		close(fd);
		break;
	default:
		return 0;
	}
	if (rc < 0)
		snprintf(err, errlen, "%s", why);
	return rc;
}

/*
 * Secondary processes (dpdk-proc-info, dpdk-dumpcap) probe each of our
 * vdevs again.  DPDK 22.11's net_pcap does that from the first 63 bytes
 * of our device arguments (ETH_PCAP_ARG_MAXLEN) and opens the files
 * itself: it truncates the port's tx capture, a path cut at byte 63 names
 * some other file, and its close at exit marks the port's link down for
 * good (and then crashes the tool, which closes the port twice).  This
 * filler comes first, and the cut ends inside its seventh key ("phy"),
 * which the secondary's parse rejects: it never attaches to the port.
 * phy_mac=0 is the driver's default and only applies to iface= ports, so
 * nfvd's own probe does not change.
 */
#define NFV_PCAP_SECONDARY_GUARD                                               \
	"phy_mac=0,phy_mac=0,phy_mac=0,phy_mac=0,phy_mac=0,phy_mac=0,"         \
	"phy_mac=0,"
_Static_assert(sizeof(NFV_PCAP_SECONDARY_GUARD) - 1 > 64,
	       "the filler must be longer than ETH_PCAP_ARG_MAXLEN");

/*
 * The driver's device arguments.  Every string from the config goes in
 * checked (control/files.h: no ',', '=' or control characters), and
 * arguments that do not fit are refused, never cut: a cut path names
 * another file.
 */
static int
nfv_port_devargs(struct nfv_port *p, const struct ctl_port_config *c,
		 char *args, size_t alen, char *err, size_t errlen)
{
	const char *str[2] = {NULL, NULL};
	char mac[32], why[160];
	unsigned int i;
	int n;

	switch (c->type) {
	case CTL_PORT_VHOST_USER:
	case CTL_PORT_VIRTIO_USER:
		str[0] = c->path;
		break;
	case CTL_PORT_PCAP:
		str[0] = c->rx;
		str[1] = c->tx;
		break;
	case CTL_PORT_TAP:
		str[0] = c->ifname ? c->ifname : c->name;
		break;
	case CTL_PORT_AF_PACKET:
	case CTL_PORT_AF_XDP:
		str[0] = c->ifname;
		break;
	case CTL_PORT_PCI:
		break;
	}
	for (i = 0; i < RTE_DIM(str); i++) {
		if (str[i] != NULL &&
		    ctl_devarg_check(str[i], why, sizeof(why)) < 0) {
			snprintf(err, errlen, "\"%.64s\" %s", str[i], why);
			return -EINVAL;
		}
	}

	nfv_port_mac_arg(mac, sizeof(mac), c);
	switch (c->type) {
	case CTL_PORT_VHOST_USER:
		snprintf(p->devname, sizeof(p->devname), "net_vhost_%s",
			 c->name);
		n = snprintf(args, alen, "iface=%s,queues=%u,client=%d",
			     c->path, c->queues, c->client ? 1 : 0);
		break;
	case CTL_PORT_VIRTIO_USER:
		snprintf(p->devname, sizeof(p->devname), "net_virtio_user_%s",
			 c->name);
		n = snprintf(args, alen, "path=%s,queues=%u,queue_size=%u%s",
			     c->path, c->queues, c->ring_size, mac);
		break;
	case CTL_PORT_PCAP:
		snprintf(p->devname, sizeof(p->devname), "net_pcap_%s", c->name);
		/* Without rx_pcap, net_pcap's RX is a dummy returning
		 * nothing; without tx_pcap we write to /dev/null. */
		n = snprintf(args, alen, "%s%s%s%stx_pcap=%s",
			     NFV_PCAP_SECONDARY_GUARD, c->rx ? "rx_pcap=" : "",
			     c->rx ? c->rx : "", c->rx ? "," : "",
			     c->tx ? c->tx : "/dev/null");
		break;
	case CTL_PORT_TAP:
		snprintf(p->devname, sizeof(p->devname), "net_tap_%s", c->name);
		n = snprintf(args, alen, "iface=%s%s", str[0], mac);
		break;
	case CTL_PORT_AF_PACKET:
		snprintf(p->devname, sizeof(p->devname), "net_af_packet_%s",
			 c->name);
		n = snprintf(args, alen, "iface=%s,qpairs=%u", c->ifname,
			     c->queues);
		break;
	case CTL_PORT_AF_XDP:
		snprintf(p->devname, sizeof(p->devname), "net_af_xdp_%s",
			 c->name);
		/* xdp_prog: DPDK loads the program (it must have an XSKMAP
		 * named xsks_map) instead of its own; busy_budget: 0 turns
		 * preferred busy polling off. */
		n = snprintf(args, alen,
			     "iface=%s,start_queue=0,queue_count=%u%s%s",
			     c->ifname, c->queues,
			     c->xdp_prog != NULL ? ",xdp_prog=" : "",
			     c->xdp_prog != NULL ? c->xdp_prog : "");
		if (n >= 0 && (size_t)n < alen && c->has_busy_budget)
			n += snprintf(args + n, alen - (size_t)n,
				      ",busy_budget=%u", c->busy_budget);
		break;
	case CTL_PORT_PCI:
		snprintf(p->devname, sizeof(p->devname), "%s", c->address);
		args[0] = '\0';
		return 0;
	default:
		snprintf(err, errlen, "unknown port type");
		return -EINVAL;
	}
	if (n < 0 || (size_t)n >= alen) {
		snprintf(err, errlen,
			 "device arguments of %d bytes, more than "
			 "the %zu nfvd passes",
			 n, alen - 1);
		return -E2BIG;
	}
	return 0;
}

/* The device arguments as the log shows them: without the filler. */
static const char *
nfv_port_args_shown(const struct ctl_port_config *c, const char *args)
{
	size_t g = sizeof(NFV_PCAP_SECONDARY_GUARD) - 1;

	if (c->type == CTL_PORT_PCAP &&
	    strncmp(args, NFV_PCAP_SECONDARY_GUARD, g) == 0)
		return args + g;
	return args;
}

/* Open a netlink route socket inside network namespace `ns`. */
static struct nl_sock *
nfv_netns_nl_socket(int nsfd)
{
	struct nl_sock *sk = NULL;
	int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);

	if (self < 0)
		return NULL;
	if (setns(nsfd, CLONE_NEWNET) != 0)
		goto out;
	sk = nl_socket_alloc();
	if (sk != NULL && nl_connect(sk, NETLINK_ROUTE) != 0) {
		nl_socket_free(sk);
		sk = NULL;
	}
	if (setns(self, CLONE_NEWNET) != 0) {
		/* We could not come back: this thread would do everything
		 * after this in the wrong namespace. */
		NFV_LOG(CRIT, port, "cannot return to our network namespace");
		abort();
	}
out:
	close(self);
	return sk;
}

/*
 * Move a tap's kernel side into netns `ns` and set it up there.  On success
 * *ns_sk is a netlink socket inside that netns, kept to read the link
 * state: the tap driver asks by ioctl in our own netns, where the
 * interface no longer is.
 */
static int
nfv_port_tap_to_netns(const char *ifname, const char *ns,
		      struct nl_sock **ns_sk, char *err, size_t errlen)
{
	struct rtnl_link *link = NULL, *chg = NULL;
	struct nl_sock *sk = NULL, *nsk = NULL;
	char path[PATH_MAX];
	int nsfd, rc;

	snprintf(path, sizeof(path), "/var/run/netns/%s", ns);
	nsfd = open(path, O_RDONLY | O_CLOEXEC);
	if (nsfd < 0) {
		snprintf(err, errlen, "netns %s: %s (create it with `ip netns add %s`)",
			 ns, strerror(errno), ns);
		return -errno;
	}
	rc = -ENOMEM;
	sk = nl_socket_alloc();
	chg = rtnl_link_alloc();
	if (sk == NULL || chg == NULL)
		goto out;
	rc = nl_connect(sk, NETLINK_ROUTE);
	if (rc == 0)
		rc = rtnl_link_get_kernel(sk, 0, ifname, &link);
	if (rc == 0) {
		rtnl_link_set_ns_fd(chg, nsfd);
		rc = rtnl_link_change(sk, link, chg, 0);
	}
	if (rc < 0) {
		snprintf(err, errlen, "moving %s to netns %s: %s", ifname, ns,
			 nl_geterror(rc));
		rc = -EIO;
		goto out;
	}
	/* Moving a device takes it down; bring it up on the other side. */
	nsk = nfv_netns_nl_socket(nsfd);
	rtnl_link_put(link);
	link = NULL;
	if (nsk == NULL || rtnl_link_get_kernel(nsk, 0, ifname, &link) != 0) {
		snprintf(err, errlen, "netns %s: cannot find %s after the move",
			 ns, ifname);
		rc = -EIO;
		goto out;
	}
	rtnl_link_put(chg);
	chg = rtnl_link_alloc();
	if (chg == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	rtnl_link_set_flags(chg, IFF_UP);
	rc = rtnl_link_change(nsk, link, chg, 0);
	if (rc < 0) {
		snprintf(err, errlen, "netns %s: setting %s up: %s", ns, ifname,
			 nl_geterror(rc));
		rc = -EIO;
	}
out:
	if (link != NULL)
		rtnl_link_put(link);
	if (chg != NULL)
		rtnl_link_put(chg);
	if (rc == 0) {
		*ns_sk = nsk;
		nsk = NULL;
	}
	if (nsk != NULL)
		nl_socket_free(nsk);
	if (sk != NULL)
		nl_socket_free(sk);
	close(nsfd);
	return rc;
}

/* NFVD_VHOST_ETHDEV set (and not "0"): vhost-user ports stay on the
 * ethdev's burst functions, nothing is published (vhost_io.h). */
static bool
nfv_port_vhost_via_ethdev(void)
{
	const char *e = getenv("NFVD_VHOST_ETHDEV");

	return e != NULL && *e != '\0' && strcmp(e, "0") != 0;
}

/*
 * The rings of a vhost-user port's frontend, under p->vhost_lock: apply
 * the queue events net_vhost has queued up (rte_eth_vhost_get_queue_event()
 * hands each change out once; nfvd is its only reader) and publish the
 * result for the workers (nfv_port_fp.vq_on).  A frontend enables queue
 * pair 0 before the device is ready and the others later (a guest's
 * driver when it turns multi-queue on, virtio-user at its start) or
 * never.  Returns the rings enabled now that were not before.
 */
static uint32_t
nfv_port_vq_apply(struct nfv_port *p)
{
	struct rte_eth_vhost_queue_event ev;
	uint32_t before = p->vq_on, bit;

	while (rte_eth_vhost_get_queue_event(p->eth_port, &ev) == 0) {
		/* Rings past our queues: nobody polls or sends on them. */
		if (ev.queue_id >= p->nb_rxq && ev.queue_id >= p->nb_txq)
			continue;
		if (ev.queue_id >= NFV_MAX_QUEUES)
			continue;
		bit = ev.rx ? NFV_VQ_RX_ON(ev.queue_id)
			    : NFV_VQ_TX_ON(ev.queue_id);
		if (ev.enable)
			p->vq_on |= bit;
		else
			p->vq_on &= ~bit;
	}
	atomic_store_explicit(&nfv_port_fp[p->idx].vq_on, p->vq_on,
			      memory_order_relaxed);
	return p->vq_on & ~before;
}

/*
 * net_vhost's queue-state event (RTE_ETH_EVENT_QUEUE_STATE), on its
 * vhost-user thread, which holds the device's queue locks: only the masks
 * change here, nothing that waits for a worker (a worker may be waiting on
 * one of those locks).
 */
static int
nfv_port_vq_event(uint16_t eth_port, enum rte_eth_event_type ev, void *arg,
		  void *ret)
{
	struct nfv_port *p = arg;
	uint32_t added, before, now;

	RTE_SET_USED(eth_port);
	RTE_SET_USED(ev);
	RTE_SET_USED(ret);
	rte_spinlock_lock(&p->vhost_lock);
	before = p->vq_on;
	added = nfv_port_vq_apply(p);
	now = p->vq_on;
	rte_spinlock_unlock(&p->vhost_lock);
	if (now != before)
		NFV_LOG(INFO, port,
			"port %s: frontend rings enabled: rx queues 0x%x, tx "
			"queues 0x%x",
			p->name, now & (NFV_VQ_RX_ON(NFV_MAX_QUEUES) - 1),
			now >> NFV_MAX_QUEUES);
	/* A blocked worker arms the rings it finds enabled (idle.h). */
	if (added != 0)
		nfv_idle_wake_all();
	return 0;
}

/*
 * Link-state side of the masks, under p->vhost_lock: when a device goes,
 * net_vhost forgets its rings without a queue event, so nfvd does too;
 * the next device's rings come as events of their own.  Only on the way
 * down: the events of a device's rings come before the device is ready.
 */
static void
nfv_port_vq_link(struct nfv_port *p, bool up)
{
	if (p->vq_link_up && !up)
		p->vq_on = 0;
	p->vq_link_up = up;
	nfv_port_vq_apply(p);
}

/* The offloads with which librte_vhost may hand over a packet whose L4
 * checksum the guest left partial (its dequeue reads the virtio-net
 * header's flags only with one of them). */
#define NFV_VHOST_HOST_OFFLOADS                                              \
	((1ULL << VIRTIO_NET_F_CSUM) | (1ULL << VIRTIO_NET_F_HOST_ECN) |     \
	 (1ULL << VIRTIO_NET_F_HOST_TSO4) | (1ULL << VIRTIO_NET_F_HOST_TSO6) | \
	 (1ULL << VIRTIO_NET_F_HOST_UFO))

/* Does device vid need the workers' checksum pass (nfv_port_fp.rx_csum)?
 * When its features cannot be read, yes. */
static bool
nfv_port_vhost_partial(int vid)
{
	uint64_t f;

	return rte_vhost_get_negotiated_features(vid, &f) != 0 ||
	       (f & NFV_VHOST_HOST_OFFLOADS) != 0;
}

/*
 * Publish the vhost-user device workers may call librte_vhost on
 * (vhost_io.h): its vid while the link is up, else none.  When a device
 * goes, wait until no worker can still be inside it.  Runs on net_vhost's
 * thread (link-state event) and on the control thread.
 */
static void
nfv_port_vhost_sync(struct nfv_port *p)
{
	struct rte_eth_link link;
	int vid = -1, old;
	bool up, partial = false;

	rte_spinlock_lock(&p->vhost_lock);
	up = rte_eth_link_get_nowait(p->eth_port, &link) == 0 &&
	     link.link_status == RTE_ETH_LINK_UP;
	if (p->vq_cb)
		nfv_port_vq_link(p, up);
	if (up && p->vhost_direct)
		vid = rte_eth_vhost_get_vid_from_port_id(p->eth_port);
	if (vid < 0)
		vid = -1;
	/* The checksum pass is on before a device that needs it is
	 * published (the exchange orders the store before it). */
	if (vid >= 0)
		partial = nfv_port_vhost_partial(vid);
	if (partial)
		atomic_store_explicit(&nfv_port_fp[p->idx].rx_csum, true,
				      memory_order_relaxed);
	/* Workers load it with acquire, for rx_csum; librte_vhost publishes
	 * the device's own state, and the RCU wait below covers its end. */
	old = atomic_exchange(&nfv_port_fp[p->idx].vid, vid + 1);
	rte_spinlock_unlock(&p->vhost_lock);
	if (old == vid + 1)
		return;
	/* A blocked worker arms the devices it finds published: a new one
	 * must reach it (interrupt mode; idle.h). */
	nfv_idle_wake_all();
	if (old != 0)
		nfv_rcu_synchronize();
	/* ... and off only once no worker is in a device that needed it. */
	if (vid >= 0 && !partial)
		atomic_store_explicit(&nfv_port_fp[p->idx].rx_csum, false,
				      memory_order_relaxed);
	/* Whether librte_vhost counts too (vhost_stats.c): it has
	 * per-queue statistics to name only when they are on. */
	if (vid >= 0)
		NFV_LOG(INFO, port, "port %s: vhost device %d: direct RX/TX, "
			"librte_vhost statistics %s, guest checksum offload %s",
			p->name, vid,
			rte_vhost_vring_stats_get_names(vid, 0, NULL, 0) >= 0
				? "on"
				: "off",
			partial ? "on (partial checksums completed)" : "off");
	else
		NFV_LOG(INFO, port, "port %s: vhost device %d gone, no worker "
			"inside it", p->name, old - 1);
}

static int
nfv_port_vhost_event(uint16_t eth_port, enum rte_eth_event_type ev,
		     void *arg, void *ret)
{
	RTE_SET_USED(eth_port);
	RTE_SET_USED(ev);
	RTE_SET_USED(ret);
	nfv_port_vhost_sync(arg);
	return 0;
}

/* Stop publishing the port's device; the caller makes sure no worker
 * polls or sends on the port any more. */
static void
nfv_port_vhost_stop(struct nfv_port *p)
{
	/* -EAGAIN: the callback is running right now; it is short. */
	while (p->vq_cb && rte_eth_dev_callback_unregister(
				   p->eth_port, RTE_ETH_EVENT_QUEUE_STATE,
				   nfv_port_vq_event, p) == -EAGAIN)
		rte_pause();
	p->vq_cb = false;
	if (!p->vhost_cb)
		return;
	while (rte_eth_dev_callback_unregister(p->eth_port,
					       RTE_ETH_EVENT_INTR_LSC,
					       nfv_port_vhost_event,
					       p) == -EAGAIN)
		rte_pause();
	p->vhost_cb = false;
	p->vhost_direct = false;
	/* The caller's grace period (no worker uses the port any more)
	 * covers these stores. */
	atomic_store(&nfv_port_fp[p->idx].vid, 0);
	atomic_store(&nfv_port_fp[p->idx].vq_on, 0);
}

/*
 * af_packet and af_xdp ports: their DPDK 22.11 drivers say "up" from
 * start to stop whatever the interface does (their link_update does
 * nothing), so nfvd asks the kernel.  Control thread.
 */
static int
nfv_port_kernel_link_open(struct nfv_port *p, char *err, size_t errlen)
{
	p->link_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (p->link_fd < 0) {
		snprintf(err, errlen, "socket for the link state: %s",
			 strerror(errno));
		return -errno;
	}
	p->kernel_link = true;
	return 0;
}

/* The interface is up and has a carrier (a veth whose peer is down has
 * none); gone or unreadable counts as down. */
static bool
nfv_port_kernel_link_up(const struct nfv_port *p)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", p->cfg->ifname);
	if (ioctl(p->link_fd, SIOCGIFFLAGS, &ifr) < 0)
		return false;
	return (ifr.ifr_flags & (IFF_UP | IFF_RUNNING)) ==
	       (IFF_UP | IFF_RUNNING);
}

/*
 * Configure the port's queues, with RX interrupts (`intr`) or without.
 * Also the way back when a driver refuses interrupts: the port is stopped
 * and may be configured again.
 */
static int
nfv_port_setup_queues(struct nfv_port *p, const struct ctl_port_config *c,
		      bool intr, struct rte_mempool *mp, char *err,
		      size_t errlen)
{
	struct rte_eth_conf conf = {0};
	uint16_t nb_rxd = c->ring_size, nb_txd = c->ring_size, q;
	struct stat st;
	int rc, sock;

	conf.intr_conf.rxq = intr ? 1 : 0;
	rc = rte_eth_dev_configure(p->eth_port, p->nb_rxq, p->nb_txq, &conf);
	if (rc < 0) {
		snprintf(err, errlen, "configure: %s", strerror(-rc));
		return rc;
	}
	/* net_vhost binds its server socket in its first configure: the
	 * socket the driver made, the one nfvd may remove later. */
	if (c->type == CTL_PORT_VHOST_USER && !c->client && !p->sock_made &&
	    lstat(c->path, &st) == 0 && S_ISSOCK(st.st_mode)) {
		p->sock_made = true;
		ctl_file_id_set(&p->sock_id, &st);
	}
	rte_eth_dev_adjust_nb_rx_tx_desc(p->eth_port, &nb_rxd, &nb_txd);
	sock = rte_eth_dev_socket_id(p->eth_port);
	if (sock < 0)
		sock = (int)rte_socket_id();
	for (q = 0; q < p->nb_rxq; q++) {
		rc = rte_eth_rx_queue_setup(p->eth_port, q, nb_rxd, sock, NULL,
					    mp);
		if (rc < 0) {
			snprintf(err, errlen, "rx queue %u: %s", q,
				 strerror(-rc));
			return rc;
		}
	}
	for (q = 0; q < p->nb_txq; q++) {
		rc = rte_eth_tx_queue_setup(p->eth_port, q, nb_txd, sock, NULL);
		if (rc < 0) {
			snprintf(err, errlen, "tx queue %u: %s", q,
				 strerror(-rc));
			return rc;
		}
	}
	return 0;
}

/*
 * Does the driver give RX interrupts nfvd can wait on (idle.h)?  net_tap
 * does (the queue's own fd), and NICs with VFIO MSI-X do.  net_af_packet,
 * net_af_xdp and net_pcap have none in DPDK 22.11; net_virtio_user's are
 * not tried (their fds are the callfds of a vhost-user backend, untested
 * here).  vhost-user needs no ethdev interrupt: workers use the guest's
 * kicks directly.
 */
static bool
nfv_port_wants_rx_intr(const struct ctl_port_config *c, enum ctl_idle_mode idle)
{
	return idle == CTL_IDLE_INTERRUPT &&
	       (c->type == CTL_PORT_TAP || c->type == CTL_PORT_PCI);
}

int
nfv_port_create(struct nfv_port *p, uint16_t idx,
		const struct ctl_port_config *c, unsigned int n_workers,
		enum ctl_idle_mode idle, struct rte_mempool *mp,
		unsigned int xdp_mbufs, char *err, size_t errlen)
{
	bool intr = nfv_port_wants_rx_intr(c, idle);
	struct rte_eth_dev_info info;
	char args[2 * CTL_DEVARG_MAX + 256];
	uint16_t q;
	int rc;

	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", c->name);
	p->cfg = c;
	p->idx = idx;
	/* A new port starts down.  No snapshot names slot idx yet, so no
	 * worker reads it. */
	atomic_store_explicit(&nfv_port_fp[idx].link_up, false,
			      memory_order_relaxed);
	for (q = 0; q < RTE_MAX_QUEUES_PER_PORT; q++)
		rte_spinlock_init(&p->txq_lock[q]);
	rte_spinlock_init(&p->vhost_lock);

	rc = nfv_port_devargs(p, c, args, sizeof(args), err, errlen);
	if (rc == 0)
		rc = nfv_port_prepare_files(c, err, errlen);
	if (rc < 0)
		return rc;
	if (c->type == CTL_PORT_AF_XDP) {
		nfv_port_bpffs();
		rc = nfv_port_xdp_pool(p, c, xdp_mbufs, err, errlen);
		if (rc < 0)
			return rc;
		mp = p->pool;
	}
	if ((c->type == CTL_PORT_AF_PACKET || c->type == CTL_PORT_AF_XDP) &&
	    if_nametoindex(c->ifname) == 0) {
		snprintf(err, errlen,
			 "no network interface \"%s\" in nfvd's network namespace",
			 c->ifname);
		rc = -ENODEV;
		goto err_pool;
	}
	if (c->type != CTL_PORT_PCI) {
		rc = rte_vdev_init(p->devname, args);
		if (rc < 0) {
			/* net_af_packet's PACKET_FANOUT group is getpid() ^
			 * ifindex, per network namespace: another process's
			 * af_packet port can hold it (docs/operations.md). */
			snprintf(err, errlen, "cannot create %s (%s): %s%s",
				 p->devname, nfv_port_args_shown(c, args),
				 strerror(-rc),
				 c->type == CTL_PORT_AF_PACKET ?
					 " (if DPDK said \"could not set PACKET_FANOUT\":"
					 " another process's af_packet port in this"
					 " network namespace took its fanout group;"
					 " start nfvd again)" : "");
			goto err_pool;
		}
		p->created = true;
	}
	rc = rte_eth_dev_get_port_by_name(p->devname, &p->eth_port);
	if (rc < 0) {
		snprintf(err, errlen, "no DPDK port %s%s", p->devname,
			 c->type == CTL_PORT_PCI ?
				 " (is it bound to vfio-pci or uio?)" : "");
		goto err_dev;
	}
	rc = rte_eth_dev_info_get(p->eth_port, &info);
	if (rc < 0) {
		snprintf(err, errlen, "device info: %s", strerror(-rc));
		goto err_dev;
	}

	p->nb_rxq = RTE_MIN(c->queues, info.max_rx_queues);
	if (c->type == CTL_PORT_VHOST_USER)
		p->nb_txq = RTE_MIN(c->queues, info.max_tx_queues);
	else
		p->nb_txq = RTE_MIN(RTE_MAX(c->queues, n_workers),
				    info.max_tx_queues);
	if (p->nb_rxq == 0 || p->nb_txq == 0) {
		snprintf(err, errlen, "device has no queues");
		rc = -EINVAL;
		goto err_dev;
	}
	rc = nfv_port_setup_queues(p, c, intr, mp, err, errlen);
	if (rc < 0 && intr) {
		NFV_LOG(WARNING, port,
			"port %s: no RX interrupts (%s): a "
			"blocked worker checks it every idle_sleep_max_us",
			c->name, err);
		intr = false;
		rc = nfv_port_setup_queues(p, c, intr, mp, err, errlen);
	}
	if (rc < 0)
		goto err_dev;
	/* Nothing else has taken an mbuf of the new pool yet. */
	if (p->pool != NULL)
		p->pool_fill = nfv_pool_in_use(p->pool);
	if (c->type == CTL_PORT_VHOST_USER) {
		/* The rings the frontend enables, on either path: the TX
		 * side picks an enabled one (vhost_io.h). */
		rc = rte_eth_dev_callback_register(p->eth_port,
						   RTE_ETH_EVENT_QUEUE_STATE,
						   nfv_port_vq_event, p);
		if (rc < 0) {
			snprintf(err, errlen, "queue-state callback: %s",
				 strerror(-rc));
			goto err_dev;
		}
		p->vq_cb = true;
		p->vhost_direct = !nfv_port_vhost_via_ethdev();
		rc = rte_eth_dev_callback_register(p->eth_port,
						   RTE_ETH_EVENT_INTR_LSC,
						   nfv_port_vhost_event, p);
		if (rc < 0) {
			snprintf(err, errlen, "link-state callback: %s",
				 strerror(-rc));
			goto err_dev;
		}
		p->vhost_cb = true;
	}
	rc = rte_eth_dev_start(p->eth_port);
	if (rc < 0 && intr) {
		/* Some drivers refuse RX interrupts only when they start. */
		NFV_LOG(WARNING, port,
			"port %s: no RX interrupts (start: %s): "
			"a blocked worker checks it every idle_sleep_max_us",
			c->name, strerror(-rc));
		intr = false;
		rc = nfv_port_setup_queues(p, c, intr, mp, err, errlen);
		if (rc < 0)
			goto err_dev;
		rc = rte_eth_dev_start(p->eth_port);
	}
	if (rc < 0) {
		snprintf(err, errlen, "start: %s", strerror(-rc));
		goto err_dev;
	}
	p->started = true;
	if (p->vhost_direct)
		p->wake = NFV_WAKE_VHOST;
	else if (intr)
		p->wake = NFV_WAKE_RX_INTR;
	else
		p->wake = NFV_WAKE_NONE;
	/* A frontend that came before the start raised its event while the
	 * queues did not exist yet. */
	if (p->vhost_cb)
		nfv_port_vhost_sync(p);
	/* A switch port must see every MAC; drivers without the notion say
	 * -ENOTSUP, which is fine. */
	rte_eth_promiscuous_enable(p->eth_port);

	if (c->type == CTL_PORT_TAP && c->netns != NULL) {
		rc = nfv_port_tap_to_netns(c->ifname ? c->ifname : c->name,
					   c->netns, &p->ns_sk, err, errlen);
		if (rc < 0)
			goto err_dev;
	}
	if (c->type == CTL_PORT_AF_PACKET || c->type == CTL_PORT_AF_XDP) {
		rc = nfv_port_kernel_link_open(p, err, errlen);
		if (rc < 0)
			goto err_dev;
	}
	nfv_port_poll_link(p);
	NFV_LOG(INFO, port, "port %s: %s %s, %u rx / %u tx queues", p->name,
		ctl_port_type_name(c->type), nfv_port_args_shown(c, args),
		p->nb_rxq, p->nb_txq);
	return 0;

err_dev:
	nfv_port_destroy(p);
err_pool:
	/* Closed, or never made: no UMEM is on the pool any more. */
	rte_mempool_free(p->pool);
	p->pool = NULL;
	return rc < 0 ? rc : -EINVAL;
}

/*
 * DPDK's vhost driver unlinks its server socket's path when it closes the
 * port (rte_vhost_driver_unregister()), whatever the path holds by then.
 * If our socket was removed and another program bound one there since,
 * that is not ours to remove: give the file a second name in the same
 * directory before the close, and the path back to it after.  Its inode,
 * and a listener bound to it, live on; only for the moment of the close
 * has the path no name.  Control thread.  Fills keep (the second name)
 * and returns true when there is a file to give back.
 */
static bool
nfv_port_sock_keep(const struct nfv_port *p, char *keep, size_t keeplen)
{
	const char *path = p->cfg->path;
	const char *slash;
	struct stat st;
	int n;

	if (p->cfg->type != CTL_PORT_VHOST_USER || p->cfg->client ||
	    !p->created || lstat(path, &st) != 0 ||
	    (p->sock_made && S_ISSOCK(st.st_mode) &&
	     ctl_file_id_same(&p->sock_id, &st)))
		return false;
	slash = strrchr(path, '/');
	n = snprintf(keep, keeplen, "%.*s.nfvd-keep-%d-%u",
		     slash != NULL ? (int)(slash - path + 1) : 0, path,
		     (int)getpid(), p->idx);
	if (n < 0 || (size_t)n >= keeplen || link(path, keep) != 0) {
		NFV_LOG(WARNING, port,
			"port %s: %s is not the socket nfvd made, and the vhost "
			"driver removes it when it closes the port: %s",
			p->name, path, strerror(errno));
		return false;
	}
	return true;
}

void
nfv_port_destroy(struct nfv_port *p)
{
	char keep[PATH_MAX];
	bool kept;

	if (p == NULL || p->cfg == NULL)
		return;
	if (p->ns_sk != NULL) {
		nl_socket_free(p->ns_sk);
		p->ns_sk = NULL;
	}
	if (p->kernel_link) {
		close(p->link_fd);
		p->kernel_link = false;
	}
	nfv_port_vhost_stop(p);
	if (p->started && p->pool != NULL)
		nfv_port_xdp_drain(p);
	if (p->started) {
		rte_eth_dev_stop(p->eth_port);
		p->started = false;
	}
	kept = nfv_port_sock_keep(p, keep, sizeof(keep));
	if (p->created) {
		rte_eth_dev_close(p->eth_port);
		rte_vdev_uninit(p->devname);
		p->created = false;
	}
	/* The vhost driver unlinks its server socket; make sure, but only
	 * of the socket it made, never of what took its name since. */
	if (p->sock_made) {
		struct stat st;

		if (lstat(p->cfg->path, &st) == 0 && S_ISSOCK(st.st_mode) &&
		    ctl_file_id_same(&p->sock_id, &st))
			unlink(p->cfg->path);
		p->sock_made = false;
	}
	/* On failure the file lives on under the second name: say where. */
	if (kept && rename(keep, p->cfg->path) != 0)
		NFV_LOG(WARNING, port, "port %s: cannot move %s back to %s: %s",
			p->name, keep, p->cfg->path, strerror(errno));
}

bool
nfv_port_poll_link(struct nfv_port *p)
{
	struct nfv_port_fp *fp = &nfv_port_fp[p->idx];
	struct rte_eth_link link;
	bool up;

	if (!p->started)
		return false;
	if (p->ns_sk != NULL) {
		/* A tap in another netns: its kernel side, up and running. */
		struct rtnl_link *l = NULL;
		const char *ifn = p->cfg->ifname ? p->cfg->ifname : p->cfg->name;

		if (rtnl_link_get_kernel(p->ns_sk, 0, ifn, &l) != 0)
			up = false;
		else
			up = (rtnl_link_get_flags(l) & (IFF_UP | IFF_RUNNING)) ==
			     (IFF_UP | IFF_RUNNING);
		if (l != NULL)
			rtnl_link_put(l);
	} else if (p->kernel_link) {
		up = nfv_port_kernel_link_up(p);
	} else {
		if (rte_eth_link_get_nowait(p->eth_port, &link) != 0)
			return false;
		up = link.link_status == RTE_ETH_LINK_UP;
	}
	/* The control thread is the only writer: it may read its own
	 * store.  Relaxed: workers only name a TX drop with it. */
	if (up == atomic_load_explicit(&fp->link_up, memory_order_relaxed))
		return false;
	atomic_store_explicit(&fp->link_up, up, memory_order_relaxed);
	NFV_LOG(NOTICE, port, "port %s: link %s", p->name, up ? "up" : "down");
	return true;
}
