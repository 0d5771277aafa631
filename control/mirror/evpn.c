/* SPDX-License-Identifier: BSD-3-Clause
 *
 * evpn.c - the EVPN mirror thread of a vxlan VNF (evpn.h,
 * docs/overlay.md "EVPN").
 *
 * One plain pthread per vxlan instance with `evpn:`, "nfv-evpn", inside
 * the netns of `evpn.netns` (entered, or made like `ip netns add`, by
 * netns.c).  At start it makes, for every VNI V of the instance:
 *   br<V>     a bridge, STP off, an ageing time far beyond nfvd's own
 *             (nfvd deletes what it wrote when its FDB ages the MAC out;
 *             ageing 0 would make the bridge a hub that keeps no entry)
 *   vxlan<V>  a vxlan device: id V, local L, dstport P, nolearning,
 *             master br<V>
 *   nfv<V>    a tap held by this thread (it vanishes with nfvd), master
 *             br<V>: the port behind which nfvd's local MACs are
 *             written, standing for nfvd's switch (frames the kernel
 *             sends there are read and dropped)
 * and puts L/32 (/128) on lo.  zebra (`advertise-all-vni`) then sees each
 * VNI with its VTEP address.  A device of one of those names that exists
 * already fails the start.  Everything it made goes at stop, also after a
 * start that failed half-way.
 *
 * It then sleeps in epoll_wait() on: the stop eventfd, a netlink socket
 * subscribed to RTNLGRP_LINK and RTNLGRP_NEIGH, and the taps, with a 50 ms
 * tick.  Netlink messages go through vx_evpn_parse()/vx_evpn_apply() (the
 * VNF's verbs, origin evpn) under ctl_server_lock(): FDB entries with a
 * remote end on the vxlan devices (00:00:00:00:00:00: a flood list; any
 * other MAC: a remote MAC).  At start, and after the socket failed
 * (ENOBUFS: events were lost), a (re)sync: a fresh socket, subscribed
 * before anything is dumped, the VNF's EVPN entries forgotten
 * (vx_evpn_flush()), then the links and the bridge FDB dumped and applied.
 * Each tick reads the local MACs that workers recorded (only when the
 * FDB changed) and writes the difference to the kernel: RTM_NEWNEIGH
 * (AF_BRIDGE, NTF_MASTER, NUD_REACHABLE: dynamic, so that zebra does not
 * make them sticky) or RTM_DELNEIGH on nfv<V>.
 */
#include <errno.h>
#include <inttypes.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

#include <jansson.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include <rte_common.h>
#include <rte_errno.h>
#include <rte_ether.h>
#include <rte_lcore.h>

#include "control/ctl_server.h"
#include "control/mirror/evpn.h"
#include "control/mirror/mirror_priv.h"
#include "control/mirror/netns.h"
#include "vnf/vnf.h"
#include "vnf/vxlan/evpn.h"

#define EVPN_LOG(level, fmt, ...)                                              \
	rte_log(RTE_LOG_##level, ctl_logtype_mirror, "nfvd: evpn: " fmt "\n",  \
		##__VA_ARGS__)

/* epoll data: which fd; taps are EVPN_EV_TAP + iface. */
enum {
	EVPN_EV_STOP,
	EVPN_EV_NL,
	EVPN_EV_TAP,
};

/* Local MACs reach the kernel within a tick (the contract: 100 ms). */
#define EVPN_TICK_MS 50
#define EVPN_RETRY_NS (1000ull * 1000 * 1000)
#define EVPN_RX_BUF (64u << 10)
#define EVPN_RCVBUF (8 << 20)
/* The bridges' ageing time (centiseconds, ~248 days): entries nfvd
 * writes are deleted by nfvd, never aged by the kernel. */
#define EVPN_BR_AGEING 0x7fffffffu

enum evpn_state {
	EVPN_SYNCING,
	EVPN_SYNCED,
	EVPN_RESYNC,
	EVPN_ERROR,
};

static const char *const evpn_state_names[] = {
	[EVPN_SYNCING] = "syncing",
	[EVPN_SYNCED] = "synced",
	[EVPN_RESYNC] = "resync",
	[EVPN_ERROR] = "error",
};

enum evpn_dump {
	EVPN_DUMP_LINK,
	EVPN_DUMP_NEIGH,
	EVPN_DUMP_NONE,
};

struct evpn_stats {
	uint64_t messages;
	uint64_t malformed;
	uint64_t ignored;
	uint64_t failed;
	uint64_t flood_added;
	uint64_t flood_removed;
	uint64_t macs_added;
	uint64_t macs_removed;
	uint64_t resyncs;
	uint64_t locals_added;
	uint64_t locals_removed;
	uint64_t locals_failed;
	uint64_t port_frames;
	uint64_t locals_own; /* local MACs not written: br<V>'s own (now) */
};

/* The devices of one VNI (iface i of the VNF). */
struct evpn_dev {
	uint32_t vni;
	char br[IFNAMSIZ], vx[IFNAMSIZ], port[IFNAMSIZ];
	int br_index, vx_index, port_index; /* 0: not made */
	int tap_fd;
	/* br<V>'s own address, from its RTM_NEWLINK (zeros: not seen).  A
	 * router's `svi: br<V>` gives the bridge the router's MAC, which is
	 * also a local MAC of the VNI: it is never written on nfv<V>. */
	uint8_t br_mac[6];
};

struct ctl_evpn {
	struct vnf_instance *vi;
	struct vx_evpn_info info;
	struct ctl_netns ns;

	struct ctl_ns_thread th; /* nfv-evpn, in ns */
	int ep;

	struct evpn_dev dev[NFV_MAX_IFACES]; /* by iface, [0]: none */
	bool lo_addr;			     /* the VTEP address is ours */
	struct vx_evpn e;		     /* ifindex -> VNI */

	struct nl_sock *req; /* requests, each acknowledged */
	struct nl_sock *sk;  /* events and dumps */
	uint8_t *rxbuf;
	enum evpn_dump dump;
	uint32_t dump_seq;
	uint64_t retry_at_ns;

	/* Local MACs written to the kernel (sorted keys), and a scratch
	 * array for what the FDB has now; both of `cap` entries. */
	uint64_t *pub, *cur, *next; /* written, read now, the merge's */
	unsigned int n_pub, cap;
	uint32_t fdb_gen;
	uint64_t locals_retry_ns; /* a write failed: read again then */

	/* Read by `show evpn` under ctl_server_lock(); written by the
	 * thread under it (counters: plain stores, only shown). */
	enum evpn_state state;
	struct evpn_stats st;
	char last_error[256];
};

static void evpn_set_error(struct ctl_evpn *ev, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void
evpn_set_error(struct ctl_evpn *ev, const char *fmt, ...)
{
	va_list ap;

	ctl_server_lock();
	va_start(ap, fmt);
	vsnprintf(ev->last_error, sizeof(ev->last_error), fmt, ap);
	va_end(ap);
	ctl_server_unlock();
}

/* libnl's error of a request as -errno. */
static int
evpn_errno(int nle)
{
	switch (-nle) {
	case NLE_EXIST:
		return -EEXIST;
	case NLE_OBJ_NOTFOUND:
	case NLE_NODEV:
		return -ENOENT;
	case NLE_PERM:
		return -EPERM;
	case NLE_NOMEM:
		return -ENOMEM;
	case NLE_INVAL:
		return -EINVAL;
	default:
		return -EIO;
	}
}

/* Send msg (freed) on the request socket and wait for its ack: 0 or a
 * libnl error. */
static int
evpn_request(struct ctl_evpn *ev, struct nl_msg *msg)
{
	int rc = nl_send_auto(ev->req, msg);

	nlmsg_free(msg);
	if (rc < 0)
		return rc;
	return nl_wait_for_ack(ev->req);
}

/* ---- the devices --------------------------------------------------------- */

static int
evpn_link_new(struct ctl_evpn *ev, const struct evpn_dev *d, bool vxlan,
	      int *ifindex, char *err, size_t errlen)
{
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC};
	const char *name = vxlan ? d->vx : d->br;
	struct nlattr *li, *data;
	struct nl_msg *msg;
	int rc = -NLE_NOMEM;

	msg = nlmsg_alloc_simple(RTM_NEWLINK,
				 NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK);
	if (msg == NULL)
		goto err;
	if (nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
	    nla_put_string(msg, IFLA_IFNAME, name) < 0 ||
	    (vxlan && nla_put_u32(msg, IFLA_MASTER, (uint32_t)d->br_index) < 0))
		goto err_msg;
	li = nla_nest_start(msg, IFLA_LINKINFO);
	if (li == NULL ||
	    nla_put_string(msg, IFLA_INFO_KIND, vxlan ? "vxlan" : "bridge") < 0)
		goto err_msg;
	data = nla_nest_start(msg, IFLA_INFO_DATA);
	if (data == NULL)
		goto err_msg;
	if (vxlan) {
		const struct ctl_prefix *l = &ev->info.local;

		if (nla_put_u32(msg, IFLA_VXLAN_ID, d->vni) < 0 ||
		    nla_put(msg,
			    l->family == AF_INET ? IFLA_VXLAN_LOCAL
						 : IFLA_VXLAN_LOCAL6,
			    l->family == AF_INET ? 4 : 16, l->addr) < 0 ||
		    nla_put_u16(msg, IFLA_VXLAN_PORT,
				htons(ev->info.udp_port)) < 0 ||
		    nla_put_u8(msg, IFLA_VXLAN_LEARNING, 0) < 0)
			goto err_msg;
	} else {
		if (nla_put_u32(msg, IFLA_BR_STP_STATE, 0) < 0 ||
		    nla_put_u32(msg, IFLA_BR_AGEING_TIME, EVPN_BR_AGEING) < 0)
			goto err_msg;
	}
	nla_nest_end(msg, data);
	nla_nest_end(msg, li);
	rc = evpn_request(ev, msg);
	if (rc < 0)
		goto err;
	*ifindex = (int)if_nametoindex(name);
	if (*ifindex == 0) {
		snprintf(err, errlen, "%s: made, but not found", name);
		return -ENOENT;
	}
	return 0;

err_msg:
	nlmsg_free(msg);
err:
	snprintf(err, errlen, "%s: %s", name, nl_geterror(rc));
	return evpn_errno(rc);
}

static int
evpn_link_master(struct ctl_evpn *ev, int ifindex, int master)
{
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC, .ifi_index = ifindex};
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_NEWLINK, NLM_F_ACK);

	if (msg == NULL)
		return -NLE_NOMEM;
	if (nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
	    nla_put_u32(msg, IFLA_MASTER, (uint32_t)master) < 0) {
		nlmsg_free(msg);
		return -NLE_NOMEM;
	}
	return evpn_request(ev, msg);
}

static void
evpn_link_del(struct ctl_evpn *ev, int ifindex, const char *name)
{
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC, .ifi_index = ifindex};
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_DELLINK, NLM_F_ACK);
	int rc = -NLE_NOMEM;

	if (msg != NULL) {
		if (nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0)
			nlmsg_free(msg);
		else
			rc = evpn_request(ev, msg);
	}
	/* Gone already (someone deleted it): nothing to do. */
	if (rc < 0 && evpn_errno(rc) != -ENOENT)
		EVPN_LOG(WARNING, "%s: netns %s: deleting %s: %s", ev->vi->name,
			 ev->ns.name, name, nl_geterror(rc));
}

/* The VTEP address on lo, added (del: removed). */
static int
evpn_lo_addr(struct ctl_evpn *ev, bool del)
{
	const struct ctl_prefix *l = &ev->info.local;
	struct ifaddrmsg ifa = {
		.ifa_family = l->family,
		.ifa_prefixlen = l->family == AF_INET ? 32 : 128,
		.ifa_flags = l->family == AF_INET6 ? IFA_F_NODAD : 0,
		.ifa_scope = RT_SCOPE_UNIVERSE,
		.ifa_index = if_nametoindex("lo"),
	};
	size_t n = l->family == AF_INET ? 4 : 16;
	struct nl_msg *msg = nlmsg_alloc_simple(
		del ? RTM_DELADDR : RTM_NEWADDR,
		NLM_F_ACK | (del ? 0 : NLM_F_CREATE | NLM_F_EXCL));

	if (msg == NULL)
		return -NLE_NOMEM;
	if (nlmsg_append(msg, &ifa, sizeof(ifa), NLMSG_ALIGNTO) < 0 ||
	    nla_put(msg, IFA_LOCAL, (int)n, l->addr) < 0 ||
	    nla_put(msg, IFA_ADDRESS, (int)n, l->addr) < 0) {
		nlmsg_free(msg);
		return -NLE_NOMEM;
	}
	return evpn_request(ev, msg);
}

/* The MAC of nfv<V>: locally administered, from the VNI. */
static void
evpn_port_mac(uint32_t vni, uint8_t mac[6])
{
	mac[0] = 0x02;
	mac[1] = 0x6e; /* 'n' */
	mac[2] = 0x66; /* 'f' */
	mac[3] = (uint8_t)(vni >> 16);
	mac[4] = (uint8_t)(vni >> 8);
	mac[5] = (uint8_t)vni;
}

/* EVPN thread, in the netns: every device of every VNI, and lo. */
static int
evpn_devices_make(struct ctl_evpn *ev, char *err, size_t errlen)
{
	char why[200];
	unsigned int i, k;
	int s, rc;

	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0) {
		rc = -errno;
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return rc;
	}
	rc = mirror_if_up(s, "lo");
	if (rc < 0) {
		snprintf(err, errlen, "lo up: %s", strerror(-rc));
		goto out;
	}
	/* Every name first: an existing one fails the start before
	 * anything is made. */
	for (i = 1; i < ev->info.n_ifaces; i++) {
		struct evpn_dev *d = &ev->dev[i];
		const char *names[3] = {d->br, d->vx, d->port};

		for (k = 0; k < 3; k++)
			if (if_nametoindex(names[k]) != 0) {
				snprintf(err, errlen,
					 "%s: an interface of that name exists "
					 "in the netns",
					 names[k]);
				rc = -EEXIST;
				goto out;
			}
	}
	for (i = 1; i < ev->info.n_ifaces; i++) {
		struct evpn_dev *d = &ev->dev[i];
		struct vx_evpn_ev link = {.kind = VX_EV_LINK};
		uint8_t mac[6];

		rc = evpn_link_new(ev, d, false, &d->br_index, err, errlen);
		if (rc == 0)
			rc = mirror_if_up(s, d->br) < 0 ? -errno : 0;
		if (rc < 0)
			goto out;
		rc = evpn_link_new(ev, d, true, &d->vx_index, err, errlen);
		if (rc == 0 && mirror_if_up(s, d->vx) < 0) {
			rc = -errno;
			snprintf(err, errlen, "%s up: %s", d->vx,
				 strerror(errno));
		}
		if (rc < 0)
			goto out;
		evpn_port_mac(d->vni, mac);
		rc = mirror_tap_open(s, d->port, mac, 0, &d->port_index, why,
				     sizeof(why));
		if (rc < 0) {
			snprintf(err, errlen, "%s", why);
			goto out;
		}
		d->tap_fd = rc;
		rc = evpn_link_master(ev, d->port_index, d->br_index);
		if (rc < 0) {
			snprintf(err, errlen, "%s: master %s: %s", d->port,
				 d->br, nl_geterror(rc));
			rc = evpn_errno(rc);
			goto out;
		}
		/* Ours from the start: events and the dump refresh it. */
		link.ifindex = d->vx_index;
		link.vni = d->vni;
		link.has_vni = true;
		ctl_server_lock();
		rc = vx_evpn_apply(&ev->e, &link, err, errlen);
		ctl_server_unlock();
		if (rc < 0)
			goto out;
	}
	rc = evpn_lo_addr(ev, false);
	if (rc == 0)
		ev->lo_addr = true;
	else if (evpn_errno(rc) != -EEXIST) {
		snprintf(err, errlen, "the VTEP address on lo: %s",
			 nl_geterror(rc));
		rc = evpn_errno(rc);
		goto out;
	}
	rc = 0;
out:
	close(s);
	return rc;
}

/* EVPN thread: remove what evpn_devices_make() made (any part of it). */
static void
evpn_devices_remove(struct ctl_evpn *ev)
{
	unsigned int i;
	int rc;

	for (i = 1; i < ev->info.n_ifaces; i++) {
		struct evpn_dev *d = &ev->dev[i];

		if (d->tap_fd >= 0)
			close(d->tap_fd);
		d->tap_fd = -1;
		d->port_index = 0;
		if (d->vx_index > 0)
			evpn_link_del(ev, d->vx_index, d->vx);
		d->vx_index = 0;
		if (d->br_index > 0)
			evpn_link_del(ev, d->br_index, d->br);
		d->br_index = 0;
	}
	if (ev->lo_addr) {
		rc = evpn_lo_addr(ev, true);
		if (rc < 0)
			EVPN_LOG(WARNING,
				 "%s: netns %s: the VTEP address on "
				 "lo: %s",
				 ev->vi->name, ev->ns.name, nl_geterror(rc));
		ev->lo_addr = false;
	}
}

/* ---- netlink: zebra's FDB into the VNF ----------------------------------- */

static int evpn_sync_start(struct ctl_evpn *ev);

/*
 * RTM_NEWLINK of a br<V>: its address now.  A change makes the next tick
 * read the local MACs again, so that one equal to it is taken back from
 * what is written (the kernel moved the bridge's entry away already) and
 * a former one is written again.
 */
static void
evpn_br_link(struct ctl_evpn *ev, const struct nlmsghdr *h)
{
	const struct ifinfomsg *ifi;
	struct nlattr *a;
	unsigned int i;

	if (h->nlmsg_type != RTM_NEWLINK ||
	    h->nlmsg_len < NLMSG_LENGTH(sizeof(*ifi)))
		return;
	ifi = NLMSG_DATA(h);
	for (i = 1; i < ev->info.n_ifaces; i++)
		if (ev->dev[i].br_index != 0 &&
		    ev->dev[i].br_index == ifi->ifi_index)
			break;
	if (i >= ev->info.n_ifaces)
		return;
	a = nlmsg_find_attr((struct nlmsghdr *)h, sizeof(*ifi), IFLA_ADDRESS);
	if (a == NULL || nla_len(a) != 6 ||
	    memcmp(nla_data(a), ev->dev[i].br_mac, 6) == 0)
		return;
	memcpy(ev->dev[i].br_mac, nla_data(a), 6);
	ctl_server_lock();
	ev->fdb_gen--; /* read again at the next tick */
	ctl_server_unlock();
}

/* Is key (a local MAC) its VNI's br<V> own address? */
static bool
evpn_is_own_mac(const struct ctl_evpn *ev, uint64_t key)
{
	uint16_t ifc = vx_evpn_key_iface(key);
	uint8_t mac[6];

	if (ifc == 0 || ifc >= ev->info.n_ifaces)
		return false;
	vx_evpn_key_mac(key, mac);
	return memcmp(mac, ev->dev[ifc].br_mac, 6) == 0;
}

static void
evpn_apply(struct ctl_evpn *ev, const struct nlmsghdr *h)
{
	struct vx_evpn_ev e;
	char err[256] = "";
	int rc;

	evpn_br_link(ev, h);
	if (vx_evpn_parse(h, h->nlmsg_len, &e) < 0) {
		ev->st.malformed++;
		return;
	}
	if (e.kind == VX_EV_NONE) {
		ev->st.ignored++;
		return;
	}
	ctl_server_lock();
	rc = vx_evpn_apply(&ev->e, &e, err, sizeof(err));
	if (rc < 0) {
		ev->st.failed++;
		snprintf(ev->last_error, sizeof(ev->last_error), "%s",
			 err[0] ? err : strerror(-rc));
	} else if (rc > 0) {
		ev->st.ignored++;
	} else if (e.kind == VX_EV_FLOOD) {
		if (e.del)
			ev->st.flood_removed++;
		else
			ev->st.flood_added++;
	} else if (e.kind == VX_EV_MAC) {
		if (e.del)
			ev->st.macs_removed++;
		else
			ev->st.macs_added++;
	}
	ctl_server_unlock();
	if (rc < 0)
		EVPN_LOG(WARNING, "%s: %s", ev->vi->name,
			 err[0] ? err : strerror(-rc));
}

/* Ask for the dump of `what` on the event socket; 0 or -errno. */
static int
evpn_dump_request(struct ctl_evpn *ev, enum evpn_dump what)
{
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC};
	struct ndmsg nd = {.ndm_family = AF_BRIDGE};
	struct nl_msg *msg;
	int rc;

	ev->dump = what;
	if (what == EVPN_DUMP_NONE)
		return 0;
	msg = nlmsg_alloc_simple(what == EVPN_DUMP_LINK ? RTM_GETLINK
							: RTM_GETNEIGH,
				 NLM_F_DUMP);
	if (msg == NULL)
		return -ENOMEM;
	rc = what == EVPN_DUMP_LINK
		     ? nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO)
		     : nlmsg_append(msg, &nd, sizeof(nd), NLMSG_ALIGNTO);
	if (rc == 0)
		rc = nl_send_auto(ev->sk, msg);
	ev->dump_seq = nlmsg_hdr(msg)->nlmsg_seq;
	nlmsg_free(msg);
	return rc < 0 ? -EIO : 0;
}

/* NLMSG_DONE / NLMSG_ERROR of our dump: the next one, or synced. */
static void
evpn_dump_reply(struct ctl_evpn *ev, const struct nlmsghdr *h)
{
	if (ev->dump == EVPN_DUMP_NONE || h->nlmsg_seq != ev->dump_seq)
		return;
	if (h->nlmsg_type == NLMSG_ERROR) {
		const struct nlmsgerr *e = nlmsg_data(h);

		if (h->nlmsg_len < (uint32_t)nlmsg_size(sizeof(*e)) ||
		    e->error == 0)
			return;
		evpn_set_error(ev, "dump: %s", strerror(-e->error));
		evpn_sync_start(ev);
		return;
	}
	if (ev->dump + 1 == EVPN_DUMP_NONE) {
		ev->dump = EVPN_DUMP_NONE;
		ctl_server_lock();
		ev->state = EVPN_SYNCED;
		ctl_server_unlock();
		EVPN_LOG(INFO, "%s: synced with netns %s", ev->vi->name,
			 ev->ns.name);
		return;
	}
	if (evpn_dump_request(ev, ev->dump + 1) < 0)
		evpn_sync_start(ev);
}

/* NLMSG_OK() with the signed length NLMSG_NEXT() needs (an unsigned one
 * would wrap when the last message's padding is cut off). */
static bool
evpn_nlmsg_ok(const struct nlmsghdr *h, int left)
{
	return left >= (int)sizeof(*h) && h->nlmsg_len >= sizeof(*h) &&
	       h->nlmsg_len <= (unsigned int)left;
}

/* The event socket is readable: what it has (a resync drops the rest). */
static void
evpn_nl_read(struct ctl_evpn *ev)
{
	struct nl_sock *sk = ev->sk;
	unsigned int rounds;

	for (rounds = 0; rounds < 64 && ev->sk == sk; rounds++) {
		struct nlmsghdr *h = (struct nlmsghdr *)ev->rxbuf;
		ssize_t n = recv(nl_socket_get_fd(sk), ev->rxbuf, EVPN_RX_BUF,
				 MSG_DONTWAIT);
		int left;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			if (n < 0 && errno == ENOBUFS)
				EVPN_LOG(WARNING,
					 "%s: kernel events lost (receive "
					 "buffer full); resync",
					 ev->vi->name);
			evpn_set_error(ev, "event socket: %s",
				       n < 0 ? strerror(errno) : "closed");
			evpn_sync_start(ev);
			return;
		}
		left = (int)n;
		for (; evpn_nlmsg_ok(h, left) && ev->sk == sk;
		     h = NLMSG_NEXT(h, left)) {
			ev->st.messages++;
			if (h->nlmsg_type == NLMSG_DONE ||
			    h->nlmsg_type == NLMSG_ERROR)
				evpn_dump_reply(ev, h);
			else
				evpn_apply(ev, h);
		}
	}
}

static int
evpn_socket_open(struct nl_sock **out)
{
	struct nl_sock *sk = nl_socket_alloc();
	int sz = EVPN_RCVBUF, fd;

	if (sk == NULL)
		return -ENOMEM;
	nl_socket_disable_seq_check(sk);
	if (nl_connect(sk, NETLINK_ROUTE) < 0 ||
	    nl_socket_set_nonblocking(sk) < 0 ||
	    nl_socket_add_memberships(sk, RTNLGRP_LINK, RTNLGRP_NEIGH, 0) < 0) {
		nl_socket_free(sk);
		return -EIO;
	}
	fd = nl_socket_get_fd(sk);
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	*out = sk;
	return 0;
}

/*
 * (Re)sync: a fresh socket (subscribed before the dumps, so no change
 * falls between), the VNF's EVPN entries forgotten, the link dump.  On
 * failure the state is "error" and the loop retries after a second.
 */
static int
evpn_sync_start(struct ctl_evpn *ev)
{
	struct epoll_event e = {.events = EPOLLIN, .data.u32 = EVPN_EV_NL};
	bool first = ev->state == EVPN_SYNCING && ev->sk == NULL;
	struct nl_sock *sk = NULL;
	int rc;

	ev->dump = EVPN_DUMP_NONE;
	if (ev->sk != NULL) {
		epoll_ctl(ev->ep, EPOLL_CTL_DEL, nl_socket_get_fd(ev->sk),
			  NULL);
		nl_socket_free(ev->sk);
		ev->sk = NULL;
	}
	rc = evpn_socket_open(&sk);
	if (rc == 0 &&
	    epoll_ctl(ev->ep, EPOLL_CTL_ADD, nl_socket_get_fd(sk), &e) < 0)
		rc = -errno;
	if (rc < 0)
		goto err;
	ev->sk = sk;
	ctl_server_lock();
	if (!first) {
		/* The dump that follows is the whole truth. */
		rc = vx_evpn_flush(ev->vi);
		ev->st.resyncs++;
		ev->state = EVPN_RESYNC;
	}
	ctl_server_unlock();
	if (rc == 0)
		rc = evpn_dump_request(ev, EVPN_DUMP_LINK);
	if (rc < 0)
		goto err;
	return 0;

err:
	if (sk != NULL) {
		if (ev->sk == sk)
			epoll_ctl(ev->ep, EPOLL_CTL_DEL, nl_socket_get_fd(sk),
				  NULL);
		nl_socket_free(sk);
		ev->sk = NULL;
	}
	ctl_server_lock();
	ev->state = EVPN_ERROR;
	snprintf(ev->last_error, sizeof(ev->last_error),
		 "netlink event socket: %s", strerror(-rc));
	ctl_server_unlock();
	ev->retry_at_ns = mirror_now_ns() + EVPN_RETRY_NS;
	return rc;
}

/* ---- nfvd's local MACs into the kernel ----------------------------------- */

/* Write (or delete) local MAC key on its VNI's nfv<V>.  0 or -errno. */
static int
evpn_local_write(struct ctl_evpn *ev, uint64_t key, bool del)
{
	uint16_t ifc = vx_evpn_key_iface(key);
	uint8_t buf[128], mac[6];
	struct nl_msg *msg;
	size_t n;
	int rc;

	if (ifc == 0 || ifc >= ev->info.n_ifaces ||
	    ev->dev[ifc].port_index == 0)
		return -ENOENT;
	vx_evpn_key_mac(key, mac);
	n = vx_evpn_local_msg(buf, sizeof(buf), ev->dev[ifc].port_index, mac,
			      del);
	msg = n != 0 ? nlmsg_convert((struct nlmsghdr *)buf) : NULL;
	if (msg == NULL)
		return -ENOMEM;
	rc = evpn_request(ev, msg);
	/* Deleted already: the kernel moved the entry to the vxlan device
	 * (zebra installed the MAC as remote), or the device went. */
	if (rc < 0 && del && evpn_errno(rc) == -ENOENT)
		rc = 0;
	if (rc < 0) {
		char m[RTE_ETHER_ADDR_FMT_SIZE];

		snprintf(m, sizeof(m), "%02x:%02x:%02x:%02x:%02x:%02x", mac[0],
			 mac[1], mac[2], mac[3], mac[4], mac[5]);
		evpn_set_error(ev, "%s %s on %s: %s",
			       del ? "deleting" : "adding", m,
			       ev->dev[ifc].port, nl_geterror(rc));
		return evpn_errno(rc);
	}
	return 0;
}

/*
 * A tick: the local MACs the FDB has now, against those written.  Read
 * under the lock (cheap when the FDB did not change: its generation),
 * written without it (one acknowledged request per change).
 */
static void
evpn_locals(struct ctl_evpn *ev)
{
	unsigned int n = 0, i = 0, j = 0, k = 0, added = 0, removed = 0,
		     failed = 0, own;
	uint64_t now = mirror_now_ns(), *t;
	int rc;

	ctl_server_lock();
	if (ev->locals_retry_ns != 0 && now >= ev->locals_retry_ns)
		ev->fdb_gen--; /* read again */
	rc = vx_evpn_locals(ev->vi, &ev->fdb_gen, ev->cur, ev->cap, &n);
	ctl_server_unlock();
	if (rc < 0)
		return;
	ev->locals_retry_ns = 0;
	n = RTE_MIN(n, ev->cap);
	/*
	 * br<V>'s own address is not written on nfv<V>: the kernel (6.x)
	 * accepts the NTF_MASTER replace and moves the bridge's local entry
	 * to the port, after which frames for the bridge's own MAC are sent
	 * out of nfv<V> (to nfvd) instead of being received by br<V>, and
	 * zebra sees its SVI MAC as a local host MAC.  Left out here, the
	 * merge deletes one written before the bridge took the address (a
	 * delete the kernel answers ENOENT: done).
	 */
	for (i = 0, k = 0; i < n; i++)
		if (!evpn_is_own_mac(ev, ev->cur[i]))
			ev->cur[k++] = ev->cur[i];
	own = n - k;
	n = k;
	i = 0;
	k = 0;
	/* Merge the two sorted lists into the next written one: the new
	 * ones written, the gone ones deleted.  An add that failed is left
	 * out and a delete that failed kept, so the next tick tries each
	 * again (a kept delete only while the rest of cur still fits). */
	while (i < n || j < ev->n_pub) {
		if (j == ev->n_pub || (i < n && ev->cur[i] < ev->pub[j])) {
			if (evpn_local_write(ev, ev->cur[i], false) == 0) {
				ev->next[k++] = ev->cur[i];
				added++;
			} else {
				failed++;
			}
			i++;
		} else if (i == n || ev->pub[j] < ev->cur[i]) {
			if (evpn_local_write(ev, ev->pub[j], true) == 0) {
				removed++;
			} else {
				failed++;
				if (k + (n - i) < ev->cap)
					ev->next[k++] = ev->pub[j];
			}
			j++;
		} else {
			ev->next[k++] = ev->cur[i];
			i++;
			j++;
		}
	}
	t = ev->pub;
	ev->pub = ev->next;
	ev->next = t;
	ev->n_pub = k;
	if (failed != 0)
		ev->locals_retry_ns = now + EVPN_RETRY_NS;
	ctl_server_lock();
	ev->st.locals_added += added;
	ev->st.locals_removed += removed;
	ev->st.locals_failed += failed;
	ev->st.locals_own = own;
	ctl_server_unlock();
}

/* Frames the kernel sent on nfv<V> (floods of the bridge): dropped. */
static void
evpn_tap_drain(struct ctl_evpn *ev, uint16_t ifc)
{
	uint8_t frame[2048];
	unsigned int n;

	for (n = 0; n < 64; n++) {
		if (read(ev->dev[ifc].tap_fd, frame, sizeof(frame)) <= 0)
			break;
		ev->st.port_frames++;
	}
}

/* ---- show evpn ----------------------------------------------------------- */

/* Under ctl_server_lock() (the VNF's `show evpn` calls it). */
static json_t *
evpn_show(void *arg)
{
	struct ctl_evpn *ev = arg;
	const struct evpn_stats *s = &ev->st;
	json_t *devs = json_array(), *c;
	unsigned int i;

	for (i = 1; i < ev->info.n_ifaces; i++) {
		const struct evpn_dev *d = &ev->dev[i];

		json_array_append_new(
			devs,
			json_pack("{s:s, s:i, s:s, s:s, s:s, s:i, s:i, s:i}",
				  "iface", ev->vi->ifaces[i].name, "vni",
				  (int)d->vni, "bridge", d->br, "vxlan", d->vx,
				  "port", d->port, "bridge_ifindex",
				  d->br_index, "vxlan_ifindex", d->vx_index,
				  "port_ifindex", d->port_index));
	}
	c = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I,"
		      " s:I, s:I, s:I, s:I}",
		      "messages", (json_int_t)s->messages, "malformed",
		      (json_int_t)s->malformed, "ignored",
		      (json_int_t)s->ignored, "failed", (json_int_t)s->failed,
		      "flood_added", (json_int_t)s->flood_added,
		      "flood_removed", (json_int_t)s->flood_removed,
		      "macs_added", (json_int_t)s->macs_added, "macs_removed",
		      (json_int_t)s->macs_removed, "resyncs",
		      (json_int_t)s->resyncs, "locals_added",
		      (json_int_t)s->locals_added, "locals_removed",
		      (json_int_t)s->locals_removed, "locals_failed",
		      (json_int_t)s->locals_failed, "port_frames",
		      (json_int_t)s->port_frames, "locals_own_mac",
		      (json_int_t)s->locals_own);
	return json_pack("{s:s, s:s, s:b, s:s, s:o, s:I, s:o, s:s?}", "vnf",
			 ev->vi->name, "netns", ev->ns.name, "netns_created",
			 ev->ns.created, "state", evpn_state_names[ev->state],
			 "devices", devs, "local_macs", (json_int_t)ev->n_pub,
			 "counters", c, "last_error",
			 ev->last_error[0] ? ev->last_error : NULL);
}

/* ---- the thread ---------------------------------------------------------- */

static int
evpn_ep_add(struct ctl_evpn *ev, int fd, uint32_t tag)
{
	struct epoll_event e = {.events = EPOLLIN, .data.u32 = tag};

	return epoll_ctl(ev->ep, EPOLL_CTL_ADD, fd, &e) < 0 ? -errno : 0;
}

/* EVPN thread: the netns, the devices, the first sync. */
static int
evpn_setup(void *arg, char *err, size_t errlen)
{
	struct ctl_evpn *ev = arg;
	char why[200] = "";
	unsigned int i;
	int rc;

	rc = ctl_netns_enter(&ev->ns, err, errlen);
	if (rc < 0)
		return rc;
	ev->req = nl_socket_alloc();
	if (ev->req == NULL || nl_connect(ev->req, NETLINK_ROUTE) < 0) {
		snprintf(err, errlen, "netns %s: netlink socket", ev->ns.name);
		return -ENOMEM;
	}
	rc = evpn_devices_make(ev, why, sizeof(why));
	if (rc < 0) {
		snprintf(err, errlen, "netns %s: %s", ev->ns.name, why);
		return rc;
	}
	rc = evpn_ep_add(ev, ev->th.stop_fd, EVPN_EV_STOP);
	for (i = 1; rc == 0 && i < ev->info.n_ifaces; i++)
		rc = evpn_ep_add(ev, ev->dev[i].tap_fd, EVPN_EV_TAP + i);
	if (rc < 0) {
		snprintf(err, errlen, "epoll: %s", strerror(-rc));
		return rc;
	}
	ctl_server_lock();
	vx_evpn_hook(ev->vi, evpn_show, ev);
	ctl_server_unlock();
	rc = evpn_sync_start(ev);
	if (rc < 0) {
		snprintf(err, errlen, "netns %s: netlink event socket: %s",
			 ev->ns.name, strerror(-rc));
		return rc;
	}
	return 0;
}

/* EVPN thread: undo evpn_setup() (any part of it). */
static void
evpn_teardown(void *arg)
{
	struct ctl_evpn *ev = arg;

	ctl_server_lock();
	vx_evpn_hook(ev->vi, NULL, NULL);
	ctl_server_unlock();
	if (ev->sk != NULL) {
		nl_socket_free(ev->sk);
		ev->sk = NULL;
	}
	if (ev->req != NULL) {
		evpn_devices_remove(ev);
		nl_socket_free(ev->req);
		ev->req = NULL;
	}
}

static void
evpn_loop(void *arg)
{
	struct ctl_evpn *ev = arg;
	struct epoll_event evs[16];
	bool stop = false;
	int n, i;

	while (!stop) {
		n = epoll_wait(ev->ep, evs, RTE_DIM(evs), EVPN_TICK_MS);
		if (n < 0 && errno != EINTR) {
			EVPN_LOG(ERR, "%s: epoll: %s", ev->vi->name,
				 strerror(errno));
			break;
		}
		for (i = 0; i < n && !stop; i++) {
			uint32_t tag = evs[i].data.u32;

			if (tag == EVPN_EV_STOP)
				stop = true;
			else if (tag == EVPN_EV_NL)
				evpn_nl_read(ev);
			else if (tag - EVPN_EV_TAP < ev->info.n_ifaces)
				evpn_tap_drain(ev,
					       (uint16_t)(tag - EVPN_EV_TAP));
		}
		if (stop)
			break;
		evpn_locals(ev);
		if (ev->state == EVPN_ERROR && ev->sk == NULL &&
		    mirror_now_ns() >= ev->retry_at_ns)
			evpn_sync_start(ev);
	}
}

/* ---- control thread ------------------------------------------------------ */

int
ctl_evpn_start(struct vnf_instance *vi, struct ctl_evpn **out, char *err,
	       size_t errlen)
{
	struct ctl_evpn *ev;
	unsigned int i;
	int rc;

	*out = NULL;
	ev = calloc(1, sizeof(*ev));
	if (ev == NULL)
		goto err_nomem;
	ev->vi = vi;
	ev->e.vi = vi;
	ev->th = (struct ctl_ns_thread){
		.what = "evpn",
		.ns = &ev->ns,
		.arg = ev,
		.setup = evpn_setup,
		.loop = evpn_loop,
		.teardown = evpn_teardown,
		.stop_fd = -1,
	};
	ev->ep = -1;
	ctl_server_lock();
	rc = vx_evpn_info(vi, &ev->info);
	ctl_server_unlock();
	if (rc < 0) {
		snprintf(err, errlen, "%s: no evpn configured", vi->name);
		free(ev);
		return rc;
	}
	snprintf(ev->ns.name, sizeof(ev->ns.name), "%s", ev->info.netns);
	for (i = 0; i < NFV_MAX_IFACES; i++)
		ev->dev[i].tap_fd = -1;
	for (i = 1; i < ev->info.n_ifaces; i++) {
		struct evpn_dev *d = &ev->dev[i];

		d->vni = ev->info.vni[i];
		snprintf(d->br, sizeof(d->br), "br%u", (unsigned int)d->vni);
		snprintf(d->vx, sizeof(d->vx), "vxlan%u", (unsigned int)d->vni);
		snprintf(d->port, sizeof(d->port), "nfv%u",
			 (unsigned int)d->vni);
	}
	/* The FDB's size, and its spare slots. */
	ev->cap = ev->info.fdb_size + 1024;
	ev->pub = calloc(ev->cap, sizeof(*ev->pub));
	ev->cur = calloc(ev->cap, sizeof(*ev->cur));
	ev->next = calloc(ev->cap, sizeof(*ev->next));
	ev->rxbuf = malloc(EVPN_RX_BUF);
	if (ev->pub == NULL || ev->cur == NULL || ev->next == NULL ||
	    ev->rxbuf == NULL)
		goto err_nomem_ev;
	ev->state = EVPN_SYNCING;
	ev->ep = epoll_create1(EPOLL_CLOEXEC);
	if (ev->ep < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: evpn: %s", vi->name,
			 strerror(errno));
		goto err_free;
	}
	rc = ctl_ns_thread_start(&ev->th, vi->name, err, errlen);
	if (rc < 0)
		goto err_free;
	EVPN_LOG(NOTICE, "%s: %u VNIs in netns %s%s", vi->name,
		 ev->info.n_ifaces - 1u, ev->ns.name,
		 ev->ns.created ? " (created)" : "");
	*out = ev;
	return 0;

err_nomem_ev:
	snprintf(err, errlen, "%s: evpn: out of memory", vi->name);
	rc = -ENOMEM;
	goto err_free;
err_free:
	ctl_evpn_free(ev);
	return rc;
err_nomem:
	snprintf(err, errlen, "%s: evpn: out of memory", vi->name);
	return -ENOMEM;
}

void
ctl_evpn_stop(struct ctl_evpn *ev)
{
	if (ev == NULL || !ev->th.running)
		return;
	ctl_ns_thread_stop(&ev->th, ev->vi->name);
	EVPN_LOG(INFO, "%s: evpn stopped", ev->vi->name);
}

void
ctl_evpn_free(struct ctl_evpn *ev)
{
	if (ev == NULL)
		return;
	ctl_evpn_stop(ev);
	ctl_ns_thread_close(&ev->th, ev->vi->name);
	if (ev->ep >= 0)
		close(ev->ep);
	free(ev->rxbuf);
	free(ev->pub);
	free(ev->cur);
	free(ev->next);
	free(ev);
}
