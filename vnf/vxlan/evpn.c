/* SPDX-License-Identifier: BSD-3-Clause
 *
 * evpn.c - EVPN's kernel state (zebra's bridge FDB and vxlan devices) to
 * the vxlan VNF, and nfvd's local MACs back: see evpn.h.  Control thread.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <jansson.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include "vnf/vnf.h"
#include "vnf/vxlan/evpn.h"
#include "vnf/vxlan/vxlan_priv.h"

bool
vx_evpn_is(const struct vnf_instance *vi)
{
	const struct vx *vx;

	if (vi == NULL || vi->ops == NULL || strcmp(vi->ops->type, "vxlan"))
		return false;
	vx = vi->priv;
	return vx != NULL && vx->evpn;
}

int
vx_evpn_info(const struct vnf_instance *vi, struct vx_evpn_info *out)
{
	const struct vx *vx;

	if (!vx_evpn_is(vi))
		return -ENOENT;
	vx = vi->priv;
	memset(out, 0, sizeof(*out));
	snprintf(out->netns, sizeof(out->netns), "%s", vx->xc.evpn_netns);
	out->udp_port = vx->xc.udp_port;
	out->n_ifaces = vx->n_ifaces;
	out->aging_time = vx->xc.aging_time;
	out->fdb_size = vx->fdb.tab.limit;
	memcpy(out->vni, vx->vni, sizeof(uint32_t) * vx->n_ifaces);
	if (vx->xc.has_local4) {
		out->local.family = AF_INET;
		out->local.len = 32;
		memcpy(out->local.addr, vx->xc.local4, 4);
	} else {
		out->local.family = AF_INET6;
		out->local.len = 128;
		memcpy(out->local.addr, vx->xc.local6, 16);
	}
	return 0;
}

void
vx_evpn_hook(struct vnf_instance *vi, json_t *(*fn)(void *arg), void *arg)
{
	struct vx *vx = vi->priv;

	vx->evpn_show = fn;
	vx->evpn_arg = arg;
}

struct vx_locals_walk {
	uint64_t *keys;
	unsigned int cap, n;
};

static void
vx_locals_one(const void *kp, uint64_t val, uint32_t stamp, void *arg)
{
	struct vx_locals_walk *w = arg;

	RTE_SET_USED(stamp);
	if (mac_entry_iface(val) != VX_SLOT_LOCAL || (val & MAC_E_STATIC))
		return;
	if (w->n < w->cap)
		w->keys[w->n] = *(const uint64_t *)kp;
	w->n++;
}

static int
vx_key_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int
vx_evpn_locals(struct vnf_instance *vi, uint32_t *gen, uint64_t *keys,
	       unsigned int cap, unsigned int *n)
{
	struct vx *vx = vi->priv;
	struct vx_locals_walk w = {.keys = keys, .cap = cap};
	/* Read before the walk: a change during it bumps it again, and
	 * the next call walks once more. */
	uint32_t g = mac_table_gen(&vx->fdb);

	if (g == *gen)
		return -EALREADY;
	lf_table_walk(&vx->fdb.tab, vx_locals_one, &w);
	*n = w.n;
	*gen = g;
	qsort(keys, RTE_MIN(w.n, cap), sizeof(*keys), vx_key_cmp);
	return 0;
}

/* The attributes of a message part: tb[type] or NULL. */
static int
vx_evpn_attrs(const struct rtattr *rta, size_t len, const struct rtattr **tb,
	      unsigned int max)
{
	/* Signed: RTA_NEXT() takes the aligned length off, which goes
	 * below 0 after an unpadded last attribute. */
	long rem = (long)len;

	memset(tb, 0, (max + 1) * sizeof(*tb));
	while (RTA_OK(rta, rem)) {
		unsigned int t = rta->rta_type & NLA_TYPE_MASK;

		if (t <= max)
			tb[t] = rta;
		rta = RTA_NEXT(rta, rem);
	}
	/* Bytes left that are no attribute: cut or garbage. */
	return rem > 0 ? -EINVAL : 0;
}

static int
vx_evpn_addr(const struct rtattr *a, struct ctl_prefix *p)
{
	size_t n = RTA_PAYLOAD(a);

	if (n != 4 && n != 16)
		return -EINVAL;
	memset(p, 0, sizeof(*p));
	p->family = n == 4 ? AF_INET : AF_INET6;
	p->len = (uint8_t)(n * 8);
	memcpy(p->addr, RTA_DATA(a), n);
	return 0;
}

static int
vx_evpn_link(const struct nlmsghdr *nh, struct vx_evpn_ev *ev)
{
	const struct ifinfomsg *ifi = NLMSG_DATA(nh);
	const struct rtattr *tb[IFLA_MAX + 1], *li[IFLA_INFO_MAX + 1];
	const struct rtattr *vx[IFLA_VXLAN_MAX + 1];

	if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(*ifi)) ||
	    vx_evpn_attrs(IFLA_RTA(ifi), IFLA_PAYLOAD(nh), tb, IFLA_MAX) < 0)
		return -EINVAL;
	if (tb[IFLA_LINKINFO] == NULL ||
	    vx_evpn_attrs(RTA_DATA(tb[IFLA_LINKINFO]),
			  RTA_PAYLOAD(tb[IFLA_LINKINFO]), li,
			  IFLA_INFO_MAX) < 0)
		return tb[IFLA_LINKINFO] == NULL ? 0 : -EINVAL;
	if (li[IFLA_INFO_KIND] == NULL ||
	    strncmp(RTA_DATA(li[IFLA_INFO_KIND]), "vxlan",
		    RTA_PAYLOAD(li[IFLA_INFO_KIND])) != 0 ||
	    li[IFLA_INFO_DATA] == NULL)
		return 0;
	if (vx_evpn_attrs(RTA_DATA(li[IFLA_INFO_DATA]),
			  RTA_PAYLOAD(li[IFLA_INFO_DATA]), vx,
			  IFLA_VXLAN_MAX) < 0 ||
	    vx[IFLA_VXLAN_ID] == NULL || RTA_PAYLOAD(vx[IFLA_VXLAN_ID]) != 4)
		return -EINVAL;
	ev->kind = VX_EV_LINK;
	ev->del = nh->nlmsg_type == RTM_DELLINK;
	ev->ifindex = ifi->ifi_index;
	memcpy(&ev->vni, RTA_DATA(vx[IFLA_VXLAN_ID]), 4);
	ev->has_vni = true;
	if (vx[IFLA_VXLAN_LOCAL] != NULL || vx[IFLA_VXLAN_LOCAL6] != NULL) {
		if (vx_evpn_addr(vx[IFLA_VXLAN_LOCAL] ?: vx[IFLA_VXLAN_LOCAL6],
				 &ev->addr) < 0)
			return -EINVAL;
		ev->has_addr = true;
	}
	return 0;
}

static int
vx_evpn_neigh(const struct nlmsghdr *nh, struct vx_evpn_ev *ev)
{
	static const uint8_t zero[6];
	const struct ndmsg *nd = NLMSG_DATA(nh);
	const struct rtattr *tb[NDA_MAX + 1];

	if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(*nd)) ||
	    vx_evpn_attrs((const struct rtattr *)((const char *)nd +
						  NLMSG_ALIGN(sizeof(*nd))),
			  nh->nlmsg_len - NLMSG_LENGTH(sizeof(*nd)), tb,
			  NDA_MAX) < 0)
		return -EINVAL;
	/* Only the bridge FDB entries of a device with a remote end: what
	 * zebra installs on vxlan devices (NTF_SELF). */
	if (nd->ndm_family != AF_BRIDGE || tb[NDA_DST] == NULL)
		return 0;
	if (tb[NDA_LLADDR] == NULL || RTA_PAYLOAD(tb[NDA_LLADDR]) != 6 ||
	    vx_evpn_addr(tb[NDA_DST], &ev->addr) < 0)
		return -EINVAL;
	ev->has_addr = true;
	memcpy(ev->mac, RTA_DATA(tb[NDA_LLADDR]), 6);
	/* A group MAC with a remote end is no EVPN route. */
	if ((ev->mac[0] & 1) != 0)
		return 0;
	ev->kind = memcmp(ev->mac, zero, 6) == 0 ? VX_EV_FLOOD : VX_EV_MAC;
	ev->del = nh->nlmsg_type == RTM_DELNEIGH;
	ev->ifindex = nd->ndm_ifindex;
	if (tb[NDA_VNI] != NULL) {
		if (RTA_PAYLOAD(tb[NDA_VNI]) != 4)
			return -EINVAL;
		memcpy(&ev->vni, RTA_DATA(tb[NDA_VNI]), 4);
		ev->has_vni = true;
	}
	return 0;
}

int
vx_evpn_parse(const void *msg, size_t len, struct vx_evpn_ev *ev)
{
	const struct nlmsghdr *nh = msg;

	memset(ev, 0, sizeof(*ev));
	if (len < sizeof(*nh) || nh->nlmsg_len < sizeof(*nh) ||
	    nh->nlmsg_len > len)
		return -EINVAL;
	switch (nh->nlmsg_type) {
	case RTM_NEWLINK:
	case RTM_DELLINK:
		return vx_evpn_link(nh, ev);
	case RTM_NEWNEIGH:
	case RTM_DELNEIGH:
		return vx_evpn_neigh(nh, ev);
	default:
		return 0;
	}
}

static int
vx_evpn_verb(struct vnf_instance *vi, const char *verb, json_t *args, char *err,
	     size_t errlen)
{
	json_t *reply = NULL;
	int rc = args ? vnf_verb_call(vi, verb, args, &reply) : -ENOMEM;

	if (rc < 0)
		snprintf(err, errlen, "%s: %s", verb,
			 json_is_string(reply) ? json_string_value(reply)
					       : strerror(-rc));
	json_decref(reply);
	json_decref(args);
	return rc;
}

/* Is vni the VNI of one of vi's ifaces? */
static bool
vx_evpn_has_vni(const struct vnf_instance *vi, uint32_t vni)
{
	const struct vx *vx = vi->priv;

	return vx_config_vni_iface(&vx->xc, vx->n_ifaces, vni) > 0;
}

int
vx_evpn_apply(struct vx_evpn *e, const struct vx_evpn_ev *ev, char *err,
	      size_t errlen)
{
	char ip[INET6_ADDRSTRLEN], mac[18];
	uint32_t vni = ev->vni;
	unsigned int i;
	int rc;

	if (ev->kind == VX_EV_NONE)
		return 1;
	if (ev->kind == VX_EV_LINK) {
		/* Another vxlan device of the netns, of a VNI that is
		 * not ours: not ours. */
		if (!ev->del && !vx_evpn_has_vni(e->vi, ev->vni))
			return 1;
		for (i = 0; i < e->n_links; i++)
			if (e->links[i].ifindex == ev->ifindex)
				break;
		if (ev->del) {
			if (i < e->n_links)
				e->links[i] = e->links[--e->n_links];
			return 0;
		}
		if (i == VX_EVPN_LINKS) {
			snprintf(err, errlen, "more than %u vxlan devices",
				 VX_EVPN_LINKS);
			return -ENOSPC;
		}
		e->links[i].ifindex = ev->ifindex;
		e->links[i].vni = ev->vni;
		if (i == e->n_links)
			e->n_links++;
		return 0;
	}
	if (!ev->has_vni) {
		for (i = 0; i < e->n_links; i++)
			if (e->links[i].ifindex == ev->ifindex)
				break;
		/* Not one of our vxlan devices. */
		if (i == e->n_links)
			return 1;
		vni = e->links[i].vni;
	} else if (!vx_evpn_has_vni(e->vi, vni)) {
		return 1;
	}
	inet_ntop(ev->addr.family, ev->addr.addr, ip, sizeof(ip));
	snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", ev->mac[0],
		 ev->mac[1], ev->mac[2], ev->mac[3], ev->mac[4], ev->mac[5]);
	if (ev->kind == VX_EV_FLOOD) {
		rc = vx_evpn_verb(e->vi, ev->del ? "vtep del" : "vtep add",
				  json_pack("{s:s, s:I, s:s}", "ip", ip, "vni",
					    (json_int_t)vni, "origin", "evpn"),
				  err, errlen);
		/* A VTEP already gone. */
		return ev->del && rc == -ENOENT ? 1 : rc;
	}
	if (ev->del) {
		rc = vx_evpn_verb(e->vi, "fdb del",
				  json_pack("{s:s, s:I, s:s}", "mac", mac,
					    "vni", (json_int_t)vni, "origin",
					    "evpn"),
				  err, errlen);
		/* Not EVPN's (a MAC that became local meanwhile), or
		 * gone with its VTEP. */
		return rc == -ENOENT ? 1 : rc;
	}
	/* A type-2 route may come before the VTEP's type 3: the VTEP is
	 * made (next hop nexthop_mac), without a flood list. */
	rc = vx_evpn_verb(e->vi, "vtep add",
			  json_pack("{s:s, s:s}", "ip", ip, "origin", "evpn"),
			  err, errlen);
	if (rc == 0)
		rc = vx_evpn_verb(e->vi, "fdb add",
				  json_pack("{s:s, s:I, s:s, s:s}", "mac", mac,
					    "vni", (json_int_t)vni, "vtep", ip,
					    "origin", "evpn"),
				  err, errlen);
	return rc;
}

size_t
vx_evpn_local_msg(void *buf, size_t cap, int ifindex, const uint8_t mac[6],
		  bool del)
{
	size_t len = NLMSG_LENGTH(sizeof(struct ndmsg)) + RTA_SPACE(6);
	struct nlmsghdr *nh = buf;
	struct ndmsg *nd;
	struct rtattr *rta;

	if (cap < len)
		return 0;
	memset(buf, 0, len);
	nh->nlmsg_len = (uint32_t)len;
	nh->nlmsg_type = del ? RTM_DELNEIGH : RTM_NEWNEIGH;
	nh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK |
			  (del ? 0 : NLM_F_CREATE | NLM_F_REPLACE);
	nd = NLMSG_DATA(nh);
	nd->ndm_family = AF_BRIDGE;
	nd->ndm_ifindex = ifindex;
	nd->ndm_state = NUD_REACHABLE;
	nd->ndm_flags = NTF_MASTER;
	rta = (struct rtattr *)((char *)nd + NLMSG_ALIGN(sizeof(*nd)));
	rta->rta_type = NDA_LLADDR;
	rta->rta_len = RTA_LENGTH(6);
	memcpy(RTA_DATA(rta), mac, 6);
	return len;
}
