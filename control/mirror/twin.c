/* SPDX-License-Identifier: BSD-3-Clause
 *
 * twin.c - the kernel twins: one tap per router iface in the mirror's
 * netns, named after the iface, with its MAC and MTU, up, and the config's
 * addresses on it.  Mirror thread, inside the netns (a tap is created in
 * the netns of the thread that opens /dev/net/tun).
 *
 * The taps are not persistent: the mirror holds their file descriptors,
 * and a twin disappears with them, also when nfvd dies.
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/if_addr.h>
#include <linux/if_arp.h>
#include <linux/if_tun.h>

#include <netlink/netlink.h>
#include <netlink/route/addr.h>

#include "control/ctl_server.h"
#include "control/mirror/mirror_priv.h"
#include "vnf/router/router.h"

/* ifr_flags |= IFF_UP on ifname through the ioctl socket s. */
int
mirror_if_up(int s, const char *ifname)
{
	struct ifreq ifr = {0};

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		return -errno;
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
		return -errno;
	return 0;
}

/* Open the tap `name` with MAC, MTU, up; its fd (non-blocking) or -errno. */
int
mirror_tap_open(int s, const char *name, const uint8_t mac[6], uint16_t mtu,
		int *ifindex, char *err, size_t errlen)
{
	struct ifreq ifr = {0};
	const char *step;
	int fd, rc;

	if (if_nametoindex(name) != 0) {
		snprintf(err, errlen,
			 "twin %s: an interface of that name exists in the "
			 "netns",
			 name);
		return -EEXIST;
	}
	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "twin %s: /dev/net/tun: %s", name,
			 strerror(errno));
		return rc;
	}
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	step = "TUNSETIFF";
	if (ioctl(fd, TUNSETIFF, &ifr) < 0)
		goto err_ioctl;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	ifr.ifr_hwaddr.sa_family = ARPHRD_ETHER;
	memcpy(ifr.ifr_hwaddr.sa_data, mac, 6);
	step = "setting the MAC";
	if (ioctl(s, SIOCSIFHWADDR, &ifr) < 0)
		goto err_ioctl;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	ifr.ifr_mtu = mtu;
	step = "setting the MTU";
	if (mtu != 0 && ioctl(s, SIOCSIFMTU, &ifr) < 0)
		goto err_ioctl;
	step = "setting it up";
	rc = mirror_if_up(s, name);
	if (rc < 0) {
		errno = -rc;
		goto err_ioctl;
	}
	*ifindex = (int)if_nametoindex(name);
	if (*ifindex == 0) {
		step = "finding its index";
		goto err_ioctl;
	}
	return fd;

err_ioctl:
	rc = -errno;
	snprintf(err, errlen, "twin %s: %s: %s", name, step, strerror(errno));
	close(fd);
	return rc;
}

struct mirror_addr_arg {
	struct nl_sock *sk;
	int ifindex;
	const char *name;
	int rc;
	char *err;
	size_t errlen;
};

/* vnf_router_iface_config_addrs() callback: one address on the twin. */
static void
mirror_twin_addr(uint8_t family, const uint8_t *addr, uint8_t len, void *arg)
{
	struct mirror_addr_arg *a = arg;
	struct nl_addr *local = NULL;
	struct rtnl_addr *ra = NULL;
	int rc = -NLE_NOMEM;

	if (a->rc < 0)
		return;
	ra = rtnl_addr_alloc();
	local = nl_addr_build(family, addr, family == AF_INET ? 4 : 16);
	if (ra == NULL || local == NULL)
		goto out;
	nl_addr_set_prefixlen(local, len);
	rtnl_addr_set_ifindex(ra, a->ifindex);
	rtnl_addr_set_family(ra, family);
	rc = rtnl_addr_set_local(ra, local);
	if (rc < 0)
		goto out;
	rtnl_addr_set_prefixlen(ra, len);
	/* Usable at once: the router owns the address already. */
	if (family == AF_INET6)
		rtnl_addr_set_flags(ra, IFA_F_NODAD);
	rc = rtnl_addr_add(a->sk, ra, 0);
	if (rc == -NLE_EXIST)
		rc = 0;
out:
	if (rc < 0) {
		char buf[64] = "?";

		if (local != NULL)
			nl_addr2str(local, buf, sizeof(buf));
		snprintf(a->err, a->errlen, "twin %s: address %s: %s", a->name,
			 buf, nl_geterror(rc));
		a->rc = -EINVAL;
	}
	nl_addr_put(local);
	rtnl_addr_put(ra);
}

int
mirror_twins_open(struct ctl_mirror *m, char *err, size_t errlen)
{
	struct nl_sock *sk = NULL;
	unsigned int i, n;
	int s, rc;

	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0) {
		rc = -errno;
		snprintf(err, errlen, "netns %s: socket: %s", m->ns.name,
			 strerror(errno));
		return rc;
	}
	if (m->ns.created) {
		rc = mirror_if_up(s, "lo");
		if (rc < 0) {
			snprintf(err, errlen, "netns %s: lo up: %s", m->ns.name,
				 strerror(-rc));
			goto err_sock;
		}
	}
	sk = nl_socket_alloc();
	if (sk == NULL || nl_connect(sk, NETLINK_ROUTE) < 0) {
		snprintf(err, errlen, "netns %s: netlink socket", m->ns.name);
		rc = -ENOMEM;
		goto err_sock;
	}

	ctl_server_lock();
	n = vnf_router_n_ifaces(m->vi);
	ctl_server_unlock();
	if (n > NFV_MAX_IFACES) {
		snprintf(err, errlen, "%u ifaces: at most %d", n,
			 NFV_MAX_IFACES);
		rc = -E2BIG;
		goto err_sock;
	}
	m->nlc.table = m->table;
	for (i = 0; i < n; i++) {
		struct mirror_addr_arg aa = {0};
		uint8_t mac[6];
		const char *name;
		uint16_t mtu;
		int fd, ifindex = 0;

		const char *svi;

		ctl_server_lock();
		name = vnf_router_iface_name(m->vi, (uint16_t)i);
		if (name != NULL)
			snprintf(m->tap_name[i], sizeof(m->tap_name[i]), "%s",
				 name);
		vnf_router_iface_mac(m->vi, (uint16_t)i, mac);
		mtu = vnf_router_iface_mtu(m->vi, (uint16_t)i);
		svi = vnf_router_iface_svi(m->vi, (uint16_t)i);
		if (svi != NULL) {
			snprintf(m->nlc.svi[i], sizeof(m->nlc.svi[i]), "%s",
				 svi);
			snprintf(m->tap_name[i], sizeof(m->tap_name[i]), "%s",
				 svi);
		}
		ctl_server_unlock();
		if (svi != NULL) {
			/* No tap: the device is found by its name in the
			 * link dump or a later RTM_NEWLINK
			 * (mirror_svi_attach()). */
			m->tap_fd[i] = -1;
			m->nlc.ifindex[i] = 0;
			m->n_twins = (uint16_t)(i + 1);
			m->nlc.n_ifaces = m->n_twins;
			continue;
		}
		if (name == NULL || strlen(name) >= IFNAMSIZ) {
			snprintf(err, errlen,
				 "iface %s: a twin's name has at most %d "
				 "characters",
				 name ? name : "?", IFNAMSIZ - 1);
			rc = -ENAMETOOLONG;
			goto err_taps;
		}
		fd = mirror_tap_open(s, m->tap_name[i], mac, mtu, &ifindex, err,
				     errlen);
		if (fd < 0) {
			rc = fd;
			goto err_taps;
		}
		m->tap_fd[i] = fd;
		m->tap_mtu[i] = mtu;
		m->nlc.ifindex[i] = ifindex;
		m->n_twins = (uint16_t)(i + 1);
		m->nlc.n_ifaces = m->n_twins;

		aa = (struct mirror_addr_arg){.sk = sk,
					      .ifindex = ifindex,
					      .name = m->tap_name[i],
					      .err = err,
					      .errlen = errlen};
		ctl_server_lock();
		vnf_router_iface_config_addrs(m->vi, (uint16_t)i,
					      mirror_twin_addr, &aa);
		ctl_server_unlock();
		if (aa.rc < 0) {
			rc = aa.rc;
			goto err_taps;
		}
	}
	nl_socket_free(sk);
	close(s);
	return 0;

err_taps:
	mirror_twins_close(m);
err_sock:
	nl_socket_free(sk);
	close(s);
	return rc;
}

/*
 * The svi's MAC becomes mac.  An up device goes down for it and up again:
 * zebra (FRR 8.4) reads the L3 VNI's router MAC from the SVI but does not
 * re-advertise a change made while it is up (the other hosts keep the old
 * RMAC); a down/up makes the VNI go oper-down and come back with the new
 * one.  0 or -errno.
 */
static int
mirror_svi_set_mac(int s, const char *name, const uint8_t mac[6])
{
	struct ifreq ifr = {0};
	short flags;
	int rc = 0;

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		return -errno;
	flags = ifr.ifr_flags;
	if (flags & IFF_UP) {
		ifr.ifr_flags = (short)(flags & ~IFF_UP);
		if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
			return -errno;
	}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	ifr.ifr_hwaddr.sa_family = ARPHRD_ETHER;
	memcpy(ifr.ifr_hwaddr.sa_data, mac, 6);
	if (ioctl(s, SIOCSIFHWADDR, &ifr) < 0)
		rc = -errno;
	if (flags & IFF_UP) {
		int up = mirror_if_up(s, name);

		if (rc == 0)
			rc = up;
	}
	return rc;
}

int
mirror_svi_attach(struct ctl_mirror *m, uint16_t iface, int ifindex,
		  bool set_mac, bool addrs, char *err, size_t errlen)
{
	struct mirror_addr_arg aa;
	struct nl_sock *sk;
	uint8_t mac[6];
	int s, rc = 0;

	ctl_server_lock();
	vnf_router_iface_mac(m->vi, iface, mac);
	ctl_server_unlock();
	if (set_mac) {
		s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (s < 0) {
			rc = -errno;
			snprintf(err, errlen, "svi %s: socket: %s",
				 m->tap_name[iface], strerror(errno));
			return rc;
		}
		rc = mirror_svi_set_mac(s, m->nlc.svi[iface], mac);
		close(s);
		if (rc < 0) {
			snprintf(err, errlen, "svi %s: setting the MAC: %s",
				 m->tap_name[iface], strerror(-rc));
			return rc;
		}
	}
	if (!addrs)
		return 0;
	sk = nl_socket_alloc();
	if (sk == NULL || nl_connect(sk, NETLINK_ROUTE) < 0) {
		nl_socket_free(sk);
		snprintf(err, errlen, "svi %s: netlink socket",
			 m->tap_name[iface]);
		return -ENOMEM;
	}
	aa = (struct mirror_addr_arg){.sk = sk,
				      .ifindex = ifindex,
				      .name = m->tap_name[iface],
				      .err = err,
				      .errlen = errlen};
	ctl_server_lock();
	vnf_router_iface_config_addrs(m->vi, iface, mirror_twin_addr, &aa);
	ctl_server_unlock();
	nl_socket_free(sk);
	return aa.rc;
}

void
mirror_twins_close(struct ctl_mirror *m)
{
	unsigned int i;

	for (i = 0; i < m->n_twins; i++) {
		if (m->tap_fd[i] >= 0)
			close(m->tap_fd[i]);
		m->tap_fd[i] = -1;
		m->nlc.ifindex[i] = 0;
		m->nlc.svi[i][0] = '\0';
	}
	m->n_twins = 0;
	m->nlc.n_ifaces = 0;
}
