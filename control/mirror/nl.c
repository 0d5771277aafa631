/* SPDX-License-Identifier: BSD-3-Clause
 *
 * nl.c - rtnetlink message -> router event (nl.h).  Pure functions, any
 * thread.
 *
 * Routes are parsed with nlmsg_parse()/nla_*() rather than nl_msg_parse()
 * and rtnl_route_*(): libnl's route parser allocates a route object, its
 * next hops and an nl_addr per address (five to ten mallocs per route),
 * which is most of the time budget of a million-route dump (docs/
 * control-plane.md, "Limits").  The attribute checks are libnl's
 * (nla_parse with a policy); the lengths of binary attributes are checked
 * here.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/if.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/neighbour.h>

#include "control/mirror/nl.h"

static const char *const mirror_nl_reason_names[] = {
#define MIRROR_NL_STR(n, s) [MIRROR_NL_##n] = s,
	MIRROR_NL_REASONS(MIRROR_NL_STR)
#undef MIRROR_NL_STR
};

const char *
mirror_nl_reason_str(enum mirror_nl_reason r)
{
	if ((unsigned int)r >= MIRROR_NL_N_REASONS)
		return "?";
	return mirror_nl_reason_names[r];
}

int
mirror_nl_iface(const struct mirror_nl_ctx *c, int ifindex)
{
	unsigned int i;

	if (ifindex <= 0)
		return -1;
	for (i = 0; i < c->n_ifaces && i < NFV_MAX_IFACES; i++)
		if (c->ifindex[i] == ifindex)
			return (int)i;
	return -1;
}

/* ---- routes -------------------------------------------------------------- */

static struct nla_policy mirror_route_policy[RTA_MAX + 1] = {
	[RTA_OIF] = {.type = NLA_U32},		[RTA_TABLE] = {.type = NLA_U32},
	[RTA_PRIORITY] = {.type = NLA_U32},	[RTA_NH_ID] = {.type = NLA_U32},
	[RTA_MULTIPATH] = {.type = NLA_UNSPEC},
};

static unsigned int
mirror_addr_len(uint8_t family)
{
	return family == AF_INET ? 4 : 16;
}

/* Zero the bits of addr past len: the key the router uses. */
static void
mirror_addr_mask(uint8_t *addr, unsigned int alen, unsigned int len)
{
	unsigned int i;

	for (i = 0; i < alen; i++) {
		if (len >= 8 * (i + 1))
			continue;
		if (len <= 8 * i)
			addr[i] = 0;
		else
			addr[i] &= (uint8_t)(0xff00u >> (len - 8 * i));
	}
}

/*
 * One next hop from its attributes (RTA_GATEWAY, RTA_VIA; the oif is the
 * caller's).  MIRROR_NL_OK, or why the whole route is ignored.
 */
static enum mirror_nl_reason
mirror_nl_gw(uint8_t family, struct nlattr **tb, struct vnf_router_nh *nh)
{
	unsigned int alen = mirror_addr_len(family);

	if (tb[RTA_VIA] != NULL)
		return MIRROR_NL_VIA;
	nh->has_gw = false;
	memset(nh->gw, 0, sizeof(nh->gw));
	if (tb[RTA_GATEWAY] == NULL)
		return MIRROR_NL_OK;
	if ((unsigned int)nla_len(tb[RTA_GATEWAY]) != alen)
		return MIRROR_NL_MALFORMED;
	memcpy(nh->gw, nla_data(tb[RTA_GATEWAY]), alen);
	nh->has_gw = true;
	return MIRROR_NL_OK;
}

/*
 * RTA_MULTIPATH: a packed array of struct rtnexthop, each followed by its
 * own attributes.  Members by other ifaces than twins, or dead ones, are
 * left out (counted by the caller as a route change); no member left is a
 * reason.
 */
static enum mirror_nl_reason
mirror_nl_multipath(const struct mirror_nl_ctx *c, uint8_t family,
		    const struct nlattr *mp, struct vnf_router_kroute *r)
{
	const uint8_t *p = nla_data(mp);
	int left = nla_len(mp);
	bool other_oif = false;

	r->n_nh = 0;
	while (left >= (int)sizeof(struct rtnexthop)) {
		const struct rtnexthop *rtnh = (const struct rtnexthop *)p;
		struct nlattr *tb[RTA_MAX + 1];
		struct vnf_router_nh nh = {0};
		enum mirror_nl_reason why;
		int iface, alen;

		if (rtnh->rtnh_len < sizeof(*rtnh) || rtnh->rtnh_len > left)
			return MIRROR_NL_MALFORMED;
		if (nla_parse(tb, RTA_MAX, (struct nlattr *)RTNH_DATA(rtnh),
			      rtnh->rtnh_len - (int)RTNH_LENGTH(0),
			      mirror_route_policy) < 0)
			return MIRROR_NL_MALFORMED;
		why = mirror_nl_gw(family, tb, &nh);
		if (why != MIRROR_NL_OK)
			return why;
		alen = RTNH_ALIGN(rtnh->rtnh_len);
		p += alen;
		left -= alen;
		if (rtnh->rtnh_flags & RTNH_F_DEAD)
			continue;
		iface = mirror_nl_iface(c, rtnh->rtnh_ifindex);
		if (iface < 0) {
			other_oif = true;
			continue;
		}
		if (r->n_nh == VNF_ROUTER_NH_MAX)
			return MIRROR_NL_NEXTHOPS;
		nh.iface = (uint16_t)iface;
		/* rtnh_hops is weight - 1; 256 does not fit the router's byte.
		 */
		nh.weight = rtnh->rtnh_hops == 255 ? 255 : rtnh->rtnh_hops + 1;
		r->nh[r->n_nh++] = nh;
	}
	if (r->n_nh == 0)
		return other_oif ? MIRROR_NL_OIF : MIRROR_NL_NEXTHOPS;
	return MIRROR_NL_OK;
}

/*
 * nla_parse() skips what follows the last whole attribute; a message the
 * kernel built has nothing there, so anything is a broken message.
 */
static bool
mirror_attrs_exact(const struct nlmsghdr *h, int hdrlen)
{
	struct nlattr *a;
	int rem;

	nla_for_each_attr(a, nlmsg_attrdata(h, hdrlen),
			  nlmsg_attrlen(h, hdrlen), rem);
	return rem == 0;
}

static bool
mirror_is_linklocal6(const uint8_t *addr, unsigned int len)
{
	return len >= 10 && addr[0] == 0xfe && (addr[1] & 0xc0) == 0x80;
}

enum mirror_nl_reason
mirror_nl_route(const struct mirror_nl_ctx *c, const struct nlmsghdr *h,
		struct vnf_router_kroute *r)
{
	struct nlattr *tb[RTA_MAX + 1];
	const struct rtmsg *rtm;
	unsigned int alen;
	uint32_t table;
	int iface;

	if (h->nlmsg_type != RTM_NEWROUTE && h->nlmsg_type != RTM_DELROUTE)
		return MIRROR_NL_MSGTYPE;
	if (nlmsg_parse((struct nlmsghdr *)h, sizeof(*rtm), tb, RTA_MAX,
			mirror_route_policy) < 0 ||
	    !mirror_attrs_exact(h, sizeof(*rtm)))
		return MIRROR_NL_MALFORMED;
	rtm = nlmsg_data(h);
	if (rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6)
		return MIRROR_NL_FAMILY;
	table = tb[RTA_TABLE] != NULL ? nla_get_u32(tb[RTA_TABLE])
				      : rtm->rtm_table;
	if (table == RT_TABLE_LOCAL)
		return MIRROR_NL_LOCAL_TABLE;
	if (table != c->table)
		return MIRROR_NL_TABLE;
	if (rtm->rtm_flags & RTM_F_CLONED)
		return MIRROR_NL_CLONED;

	/* Whole: next hops past n_nh are zero, not the last batch's. */
	memset(r, 0, sizeof(*r));
	r->family = rtm->rtm_family;
	alen = mirror_addr_len(r->family);
	if (rtm->rtm_dst_len > 8 * alen)
		return MIRROR_NL_MALFORMED;
	r->len = rtm->rtm_dst_len;
	if (tb[RTA_DST] != NULL) {
		if ((unsigned int)nla_len(tb[RTA_DST]) != alen)
			return MIRROR_NL_MALFORMED;
		memcpy(r->addr, nla_data(tb[RTA_DST]), alen);
	}
	mirror_addr_mask(r->addr, alen, r->len);
	/* One FIB per family, keyed by destination: a route that also
	 * matches on the source or the TOS is not one the router has. */
	if (rtm->rtm_src_len != 0 || rtm->rtm_tos != 0)
		return MIRROR_NL_SOURCE;
	if (r->family == AF_INET6 && mirror_is_linklocal6(r->addr, r->len))
		return MIRROR_NL_LINKLOCAL;
	switch (rtm->rtm_type) {
	case RTN_UNICAST:
		r->type = VNF_RT_UNICAST;
		break;
	case RTN_BLACKHOLE:
		r->type = VNF_RT_BLACKHOLE;
		break;
	case RTN_UNREACHABLE:
		r->type = VNF_RT_UNREACHABLE;
		break;
	case RTN_PROHIBIT:
		r->type = VNF_RT_PROHIBIT;
		break;
	default:
		return MIRROR_NL_RTYPE;
	}
	r->proto = rtm->rtm_protocol;
	/* The kernel keeps routes of one prefix apart by metric, and names
	 * the deleted one's (IPv4 leaves a metric of 0 out). */
	if (tb[RTA_PRIORITY] != NULL)
		r->metric = nla_get_u32(tb[RTA_PRIORITY]);
	if (h->nlmsg_type == RTM_DELROUTE) {
		/* Only family/addr/len/metric count for a delete. */
		r->del = true;
		return MIRROR_NL_OK;
	}
	if (r->type != VNF_RT_UNICAST)
		return MIRROR_NL_OK;

	if (tb[RTA_MULTIPATH] != NULL)
		return mirror_nl_multipath(c, r->family, tb[RTA_MULTIPATH], r);
	if (tb[RTA_OIF] == NULL) {
		/* A next-hop object that the kernel did not expand
		 * (net.ipv4.nexthop_compat_mode=0). */
		return tb[RTA_NH_ID] != NULL ? MIRROR_NL_NH_ID
					     : MIRROR_NL_NEXTHOPS;
	}
	iface = mirror_nl_iface(c, (int)nla_get_u32(tb[RTA_OIF]));
	if (iface < 0)
		return MIRROR_NL_OIF;
	r->n_nh = 1;
	r->nh[0].iface = (uint16_t)iface;
	r->nh[0].weight = 1;
	return mirror_nl_gw(r->family, tb, &r->nh[0]);
}

/* ---- links, addresses, neighbours: libnl's objects ----------------------- */

struct mirror_nl_obj {
	struct nl_object *obj;
};

static void
mirror_nl_obj_take(struct nl_object *obj, void *arg)
{
	struct mirror_nl_obj *o = arg;

	if (o->obj == NULL) {
		nl_object_get(obj);
		o->obj = obj;
	}
}

/*
 * Parse h with libnl's parser for its type (rtnl_link, rtnl_addr,
 * rtnl_neigh): a reference to the object, or NULL if libnl refused the
 * message.  One allocation for the copy, a few for the object: these
 * messages are few.
 */
static struct nl_object *
mirror_nl_object(const struct nlmsghdr *h)
{
	struct mirror_nl_obj o = {NULL};
	struct nl_msg *msg;

	msg = nlmsg_convert((struct nlmsghdr *)h);
	if (msg == NULL)
		return NULL;
	nlmsg_set_proto(msg, NETLINK_ROUTE);
	if (nl_msg_parse(msg, mirror_nl_obj_take, &o) < 0 && o.obj != NULL) {
		nl_object_put(o.obj);
		o.obj = NULL;
	}
	nlmsg_free(msg);
	return o.obj;
}

/* The iface whose svi is called name, or -1. */
static int
mirror_nl_svi_by_name(const struct mirror_nl_ctx *c, const char *name)
{
	unsigned int i;

	if (name == NULL)
		return -1;
	for (i = 0; i < c->n_ifaces && i < NFV_MAX_IFACES; i++)
		if (c->svi[i][0] != '\0' &&
		    strncmp(c->svi[i], name, sizeof(c->svi[i])) == 0)
			return (int)i;
	return -1;
}

enum mirror_nl_reason
mirror_nl_link(const struct mirror_nl_ctx *c, const struct nlmsghdr *h,
	       struct mirror_nl_link *l)
{
	struct rtnl_link *link;
	unsigned int flags, mtu;
	const char *name;
	struct nl_addr *ll;
	bool del = h->nlmsg_type == RTM_DELLINK;
	int iface, ifindex;

	if (h->nlmsg_type != RTM_NEWLINK && h->nlmsg_type != RTM_DELLINK)
		return MIRROR_NL_MSGTYPE;
	link = (struct rtnl_link *)mirror_nl_object(h);
	if (link == NULL)
		return MIRROR_NL_MALFORMED;
	memset(l, 0, sizeof(*l));
	ifindex = rtnl_link_get_ifindex(link);
	name = rtnl_link_get_name(link);
	iface = mirror_nl_iface(c, ifindex);
	if (iface >= 0 && c->svi[iface][0] != '\0') {
		/* The svi device we know: deleted, or renamed away. */
		l->svi = true;
		l->svi_gone = del || (name != NULL &&
				      strncmp(name, c->svi[iface],
					      sizeof(c->svi[iface])) != 0);
	} else if (iface < 0 && !del) {
		/* A device called like an svi: found (again). */
		iface = mirror_nl_svi_by_name(c, name);
		l->svi = iface >= 0;
	}
	flags = rtnl_link_get_flags(link);
	mtu = rtnl_link_get_mtu(link);
	ll = rtnl_link_get_addr(link);
	if (ll != NULL && nl_addr_get_len(ll) == 6) {
		memcpy(l->mac, nl_addr_get_binary_addr(ll), 6);
		l->has_mac = true;
	}
	rtnl_link_put(link);
	if (iface < 0)
		return MIRROR_NL_NOT_TWIN;
	l->iface = (uint16_t)iface;
	l->ifindex = ifindex;
	l->up = !del && !l->svi_gone && (flags & IFF_UP) &&
		(flags & (IFF_LOWER_UP | IFF_RUNNING));
	l->mtu = mtu > UINT16_MAX ? UINT16_MAX : (uint16_t)mtu;
	return MIRROR_NL_OK;
}

/* Copy an nl_addr of family into out; false if it does not fit. */
static bool
mirror_nl_addr_copy(struct nl_addr *a, uint8_t family, uint8_t *out)
{
	unsigned int alen = mirror_addr_len(family);

	if (a == NULL || nl_addr_get_len(a) != alen)
		return false;
	memcpy(out, nl_addr_get_binary_addr(a), alen);
	return true;
}

enum mirror_nl_reason
mirror_nl_addr(const struct mirror_nl_ctx *c, const struct nlmsghdr *h,
	       struct mirror_nl_addr *a)
{
	enum mirror_nl_reason why = MIRROR_NL_OK;
	struct rtnl_addr *ra;
	int family, iface;
	unsigned int len;

	if (h->nlmsg_type != RTM_NEWADDR && h->nlmsg_type != RTM_DELADDR)
		return MIRROR_NL_MSGTYPE;
	/* libnl makes up an address when the message has none. */
	if (nlmsg_find_attr((struct nlmsghdr *)h, sizeof(struct ifaddrmsg),
			    IFA_LOCAL) == NULL &&
	    nlmsg_find_attr((struct nlmsghdr *)h, sizeof(struct ifaddrmsg),
			    IFA_ADDRESS) == NULL)
		return MIRROR_NL_MALFORMED;
	ra = (struct rtnl_addr *)mirror_nl_object(h);
	if (ra == NULL)
		return MIRROR_NL_MALFORMED;
	family = rtnl_addr_get_family(ra);
	iface = mirror_nl_iface(c, rtnl_addr_get_ifindex(ra));
	len = (unsigned int)rtnl_addr_get_prefixlen(ra);
	memset(a, 0, sizeof(*a));
	if (family != AF_INET && family != AF_INET6)
		why = MIRROR_NL_FAMILY;
	else if (iface < 0)
		why = MIRROR_NL_NOT_TWIN;
	else if (len > 8 * mirror_addr_len((uint8_t)family) ||
		 !mirror_nl_addr_copy(rtnl_addr_get_local(ra), (uint8_t)family,
				      a->addr))
		why = MIRROR_NL_MALFORMED;
	rtnl_addr_put(ra);
	if (why != MIRROR_NL_OK)
		return why;
	a->iface = (uint16_t)iface;
	a->family = (uint8_t)family;
	a->len = (uint8_t)len;
	a->del = h->nlmsg_type == RTM_DELADDR;
	return MIRROR_NL_OK;
}

/* NUD_NOARP: entries nobody resolves - zebra's EVPN neighbours (remote
 * hosts, the remote VTEPs' router MACs), `ip neigh add ... nud noarp`. */
#define MIRROR_NUD_USABLE                                                      \
	(NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE | NUD_PERMANENT |   \
	 NUD_NOARP)
#define MIRROR_NUD_STATIC (NUD_PERMANENT | NUD_NOARP)

enum mirror_nl_reason
mirror_nl_neigh(const struct mirror_nl_ctx *c, const struct nlmsghdr *h,
		struct mirror_nl_neigh *n)
{
	enum mirror_nl_reason why = MIRROR_NL_OK;
	struct rtnl_neigh *ne;
	int family, iface, state;
	struct nl_addr *ll;

	if (h->nlmsg_type != RTM_NEWNEIGH && h->nlmsg_type != RTM_DELNEIGH)
		return MIRROR_NL_MSGTYPE;
	ne = (struct rtnl_neigh *)mirror_nl_object(h);
	if (ne == NULL)
		return MIRROR_NL_MALFORMED;
	family = rtnl_neigh_get_family(ne);
	iface = mirror_nl_iface(c, rtnl_neigh_get_ifindex(ne));
	state = rtnl_neigh_get_state(ne);
	if (state < 0)
		state = 0;
	memset(n, 0, sizeof(*n));
	n->del = h->nlmsg_type == RTM_DELNEIGH || !(state & MIRROR_NUD_USABLE);
	n->permanent = !n->del && (state & MIRROR_NUD_STATIC);
	ll = rtnl_neigh_get_lladdr(ne);
	if (family != AF_INET && family != AF_INET6)
		why = MIRROR_NL_FAMILY;
	else if (iface < 0)
		why = MIRROR_NL_NOT_TWIN;
	else if (rtnl_neigh_get_flags(ne) & NTF_PROXY)
		why = MIRROR_NL_PROXY;
	else if (!mirror_nl_addr_copy(rtnl_neigh_get_dst(ne), (uint8_t)family,
				      n->ip))
		why = MIRROR_NL_MALFORMED;
	else if (!n->del && (ll == NULL || nl_addr_get_len(ll) != 6))
		why = MIRROR_NL_NO_LLADDR;
	/* The kernel's own NOARP entries of multicast and broadcast
	 * destinations (01:00:5e:.., 33:33:.., ff:ff:..): not next hops. */
	else if (ll != NULL && nl_addr_get_len(ll) == 6 &&
		 (((const uint8_t *)nl_addr_get_binary_addr(ll))[0] & 1))
		why = MIRROR_NL_GROUP;
	else if (!n->del)
		memcpy(n->mac, nl_addr_get_binary_addr(ll), 6);
	rtnl_neigh_put(ne);
	if (why != MIRROR_NL_OK)
		return why;
	n->iface = (uint16_t)iface;
	n->family = (uint8_t)family;
	return MIRROR_NL_OK;
}

void
mirror_nl_parse(const struct mirror_nl_ctx *c, const struct nlmsghdr *h,
		struct mirror_nl_event *ev, struct vnf_router_kroute *r)
{
	enum mirror_nl_reason why;

	ev->kind = MIRROR_NL_IGNORED;
	switch (h->nlmsg_type) {
	case RTM_NEWROUTE:
	case RTM_DELROUTE:
		if (r == NULL) {
			why = MIRROR_NL_MSGTYPE;
			break;
		}
		why = mirror_nl_route(c, h, r);
		if (why == MIRROR_NL_OK)
			ev->kind = MIRROR_NL_ROUTE;
		break;
	case RTM_NEWLINK:
	case RTM_DELLINK:
		why = mirror_nl_link(c, h, &ev->link);
		if (why == MIRROR_NL_OK)
			ev->kind = MIRROR_NL_LINK;
		break;
	case RTM_NEWADDR:
	case RTM_DELADDR:
		why = mirror_nl_addr(c, h, &ev->addr);
		if (why == MIRROR_NL_OK)
			ev->kind = MIRROR_NL_ADDR;
		break;
	case RTM_NEWNEIGH:
	case RTM_DELNEIGH:
		why = mirror_nl_neigh(c, h, &ev->neigh);
		if (why == MIRROR_NL_OK)
			ev->kind = MIRROR_NL_NEIGH;
		break;
	default:
		why = MIRROR_NL_MSGTYPE;
		break;
	}
	ev->why = why;
}
