/* SPDX-License-Identifier: BSD-3-Clause
 *
 * test_mirror_nl.c - control/mirror/nl.c: rtnetlink messages built with
 * libnl (nlmsg_alloc_simple, nla_put...) turned into router events, and
 * the reason for each one that is ignored.  No socket, no netns, no EAL.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include <cmocka.h>

#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

#include <netlink/attr.h>
#include <netlink/msg.h>

#include "control/mirror/nl.h"

/* Twins: iface 0 is ifindex 7, iface 1 is ifindex 9; table 254. */
static const struct mirror_nl_ctx ctx = {
	.table = RT_TABLE_MAIN,
	.n_ifaces = 2,
	.ifindex = {7, 9},
};

/* An svi iface (`svi: br4000`): iface 0 the twin ifindex 7, iface 1 the
 * device br4000, missing (svi_missing) or found as ifindex 12 (svi_ctx). */
static const struct mirror_nl_ctx svi_missing = {
	.table = RT_TABLE_MAIN,
	.n_ifaces = 2,
	.ifindex = {7, 0},
	.svi = {"", "br4000"},
};
static const struct mirror_nl_ctx svi_ctx = {
	.table = RT_TABLE_MAIN,
	.n_ifaces = 2,
	.ifindex = {7, 12},
	.svi = {"", "br4000"},
};

/* ---- builders ------------------------------------------------------------ */

static struct nl_msg *
route_msg(int type, int flags, uint8_t family, uint8_t rtype, uint8_t table,
	  uint8_t proto, const char *dst, uint8_t len)
{
	struct rtmsg rtm = {
		.rtm_family = family,
		.rtm_dst_len = len,
		.rtm_table = table,
		.rtm_protocol = proto,
		.rtm_scope = RT_SCOPE_UNIVERSE,
		.rtm_type = rtype,
	};
	struct nl_msg *msg = nlmsg_alloc_simple(type, flags);
	uint8_t a[16];

	assert_non_null(msg);
	assert_int_equal(nlmsg_append(msg, &rtm, sizeof(rtm), NLMSG_ALIGNTO),
			 0);
	if (dst != NULL) {
		assert_int_equal(inet_pton(family, dst, a), 1);
		assert_int_equal(
			nla_put(msg, RTA_DST, family == AF_INET ? 4 : 16, a),
			0);
	}
	return msg;
}

static void
put_gw(struct nl_msg *msg, uint8_t family, const char *gw)
{
	uint8_t a[16];

	assert_int_equal(inet_pton(family, gw, a), 1);
	assert_int_equal(
		nla_put(msg, RTA_GATEWAY, family == AF_INET ? 4 : 16, a), 0);
}

/* A plain unicast add of 10.1.0.0/16 via 192.0.2.1 dev ifindex 7. */
static struct nl_msg *
route_v4(void)
{
	struct nl_msg *msg =
		route_msg(RTM_NEWROUTE, NLM_F_CREATE, AF_INET, RTN_UNICAST,
			  RT_TABLE_MAIN, RTPROT_STATIC, "10.1.0.0", 16);

	put_gw(msg, AF_INET, "192.0.2.1");
	assert_int_equal(nla_put_u32(msg, RTA_OIF, 7), 0);
	return msg;
}

static enum mirror_nl_reason
parse_route(struct nl_msg *msg, struct vnf_router_kroute *r)
{
	enum mirror_nl_reason why;

	memset(r, 0xa5, sizeof(*r));
	why = mirror_nl_route(&ctx, nlmsg_hdr(msg), r);
	nlmsg_free(msg);
	return why;
}

struct mp_hop {
	int ifindex;
	uint8_t hops;
	uint8_t flags;
	const char *gw;
};

/* RTA_MULTIPATH with the given members. */
static void
put_multipath(struct nl_msg *msg, uint8_t family, const struct mp_hop *h,
	      unsigned int n)
{
	struct nlattr *mp = nla_nest_start(msg, RTA_MULTIPATH);
	unsigned int i;

	assert_non_null(mp);
	for (i = 0; i < n; i++) {
		struct rtnexthop *rtnh =
			nlmsg_reserve(msg, sizeof(*rtnh), NLMSG_ALIGNTO);
		void *start = rtnh;

		assert_non_null(rtnh);
		rtnh->rtnh_flags = h[i].flags;
		rtnh->rtnh_hops = h[i].hops;
		rtnh->rtnh_ifindex = h[i].ifindex;
		if (h[i].gw != NULL)
			put_gw(msg, family, h[i].gw);
		rtnh->rtnh_len =
			(unsigned short)((char *)nlmsg_tail(nlmsg_hdr(msg)) -
					 (char *)start);
	}
	nla_nest_end(msg, mp);
}

/* ---- routes -------------------------------------------------------------- */

static void
test_route_unicast_v4(void **state)
{
	struct vnf_router_kroute r;
	uint8_t gw[4] = {192, 0, 2, 1};
	uint8_t dst[4] = {10, 1, 0, 0};

	(void)state;
	assert_int_equal(parse_route(route_v4(), &r), MIRROR_NL_OK);
	assert_int_equal(r.family, AF_INET);
	assert_int_equal(r.len, 16);
	assert_memory_equal(r.addr, dst, 4);
	assert_int_equal(r.addr[4], 0);
	assert_int_equal(r.type, VNF_RT_UNICAST);
	assert_int_equal(r.proto, RTPROT_STATIC);
	assert_false(r.del);
	assert_int_equal(r.n_nh, 1);
	assert_int_equal(r.nh[0].iface, 0);
	assert_true(r.nh[0].has_gw);
	assert_int_equal(r.nh[0].weight, 1);
	assert_memory_equal(r.nh[0].gw, gw, 4);
}

/* Host bits are cleared (the router's key); a default route has no
 * RTA_DST. */
static void
test_route_mask_and_default(void **state)
{
	struct vnf_router_kroute r;
	struct nl_msg *msg;
	uint8_t dst[4] = {10, 0, 0, 0};
	uint8_t zero[16] = {0};

	(void)state;
	msg = route_msg(RTM_NEWROUTE, 0, AF_INET, RTN_UNICAST, RT_TABLE_MAIN,
			RTPROT_BOOT, "10.1.2.3", 9);
	assert_int_equal(nla_put_u32(msg, RTA_OIF, 9), 0);
	assert_int_equal(parse_route(msg, &r), MIRROR_NL_OK);
	assert_memory_equal(r.addr, dst, 4);
	assert_int_equal(r.nh[0].iface, 1);

	msg = route_msg(RTM_NEWROUTE, 0, AF_INET6, RTN_UNICAST, RT_TABLE_MAIN,
			RTPROT_BOOT, NULL, 0);
	put_gw(msg, AF_INET6, "2001:db8::fe");
	assert_int_equal(nla_put_u32(msg, RTA_OIF, 7), 0);
	assert_int_equal(parse_route(msg, &r), MIRROR_NL_OK);
	assert_int_equal(r.len, 0);
	assert_memory_equal(r.addr, zero, 16);
}

static void
test_route_types(void **state)
{
	static const struct {
		uint8_t rtn;
		int type;
	} ok[] = {
		{RTN_BLACKHOLE, VNF_RT_BLACKHOLE},
		{RTN_UNREACHABLE, VNF_RT_UNREACHABLE},
		{RTN_PROHIBIT, VNF_RT_PROHIBIT},
	};
	static const uint8_t ignored[] = {
		RTN_LOCAL, RTN_BROADCAST, RTN_ANYCAST, RTN_MULTICAST,
		RTN_THROW, RTN_NAT,	  RTN_XRESOLVE};
	struct vnf_router_kroute r;
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		/* No oif, no next hop: none needed. */
		assert_int_equal(parse_route(route_msg(RTM_NEWROUTE, 0, AF_INET,
						       ok[i].rtn, RT_TABLE_MAIN,
						       RTPROT_STATIC,
						       "198.51.100.0", 24),
					     &r),
				 MIRROR_NL_OK);
		assert_int_equal(r.type, ok[i].type);
		assert_int_equal(r.n_nh, 0);
		assert_false(r.del);
	}
	for (i = 0; i < sizeof(ignored); i++)
		assert_int_equal(
			parse_route(route_msg(RTM_NEWROUTE, 0, AF_INET,
					      ignored[i], RT_TABLE_MAIN,
					      RTPROT_STATIC, "198.51.100.0",
					      24),
				    &r),
			MIRROR_NL_RTYPE);
}

/* Only the configured table; RTA_TABLE wins over rtm_table (which holds
 * RT_TABLE_COMPAT for tables past 255); table 255 has its own reason. */
static void
test_route_table_filter(void **state)
{
	struct mirror_nl_ctx c1000 = ctx;
	struct vnf_router_kroute r;
	struct nl_msg *msg;

	(void)state;
	msg = route_msg(RTM_NEWROUTE, 0, AF_INET, RTN_UNICAST, 100,
			RTPROT_STATIC, "10.0.0.0", 8);
	assert_int_equal(nla_put_u32(msg, RTA_OIF, 7), 0);
	assert_int_equal(parse_route(msg, &r), MIRROR_NL_TABLE);

	msg = route_msg(RTM_NEWROUTE, 0, AF_INET, RTN_LOCAL, RT_TABLE_LOCAL,
			RTPROT_KERNEL, "10.0.0.1", 32);
	assert_int_equal(nla_put_u32(msg, RTA_OIF, 7), 0);
	assert_int_equal(parse_route(msg, &r), MIRROR_NL_LOCAL_TABLE);

	/* RTA_TABLE says main although rtm_table does not. */
	msg = route_msg(RTM_NEWROUTE, 0, AF_INET, RTN_UNICAST, RT_TABLE_COMPAT,
			RTPROT_STATIC, "10.0.0.0", 8);
	assert_int_equal(nla_put_u32(msg, RTA_TABLE, RT_TABLE_MAIN), 0);
	assert_int_equal(nla_put_u32(msg, RTA_OIF, 7), 0);
	assert_int_equal(parse_route(msg, &r), MIRROR_NL_OK);

	c1000.table = 1000;
	msg = route_msg(RTM_NEWROUTE, 0, AF_INET, RTN_UNICAST, RT_TABLE_COMPAT,
			RTPROT_STATIC, "10.0.0.0", 8);
	assert_int_equal(nla_put_u32(msg, RTA_TABLE, 1000), 0);
	assert_int_equal(nla_put_u32(msg, RTA_OIF, 9), 0);
	assert_int_equal(mirror_nl_route(&c1000, nlmsg_hdr(msg), &r),
			 MIRROR_NL_OK);
	assert_int_equal(mirror_nl_route(&ctx, nlmsg_hdr(msg), &r),
			 MIRROR_NL_TABLE);
	nlmsg_free(msg);
}

/* ECMP: weights from rtnh_hops, members on other ifaces and dead ones
 * left out, none left is a reason. */
static void
test_route_multipath(void **state)
{
	static const struct mp_hop hops[] = {
		{7, 0, 0, "192.0.2.1"},
		{3, 0, 0, "203.0.113.1"}, /* not a twin */
		{9, 2, 0, "198.51.100.1"},
		{7, 255, 0, "192.0.2.2"},
		{9, 0, RTNH_F_DEAD, "198.51.100.9"},
	};
	static const struct mp_hop others[] = {
		{3, 0, 0, "203.0.113.1"},
		{4, 0, 0, "203.0.113.2"},
	};
	struct vnf_router_kroute r;
	struct nl_msg *msg;
	uint8_t gw2[4] = {198, 51, 100, 1};

	(void)state;
	msg = route_msg(RTM_NEWROUTE, 0, AF_INET, RTN_UNICAST, RT_TABLE_MAIN,
			RTPROT_ZEBRA, "10.9.0.0", 16);
	put_multipath(msg, AF_INET, hops, 5);
	assert_int_equal(parse_route(msg, &r), MIRROR_NL_OK);
	assert_int_equal(r.n_nh, 3);
	assert_int_equal(r.nh[0].iface, 0);
	assert_int_equal(r.nh[0].weight, 1);
	assert_int_equal(r.nh[1].iface, 1);
	assert_int_equal(r.nh[1].weight, 3);
	assert_memory_equal(r.nh[1].gw, gw2, 4);
	assert_int_equal(r.nh[2].weight, 255); /* 256 clamped */
	assert_int_equal(r.proto, RTPROT_ZEBRA);

	msg = route_msg(RTM_NEWROUTE, 0, AF_INET, RTN_UNICAST, RT_TABLE_MAIN,
			RTPROT_ZEBRA, "10.9.0.0", 16);
	put_multipath(msg, AF_INET, others, 2);
	assert_int_equal(parse_route(msg, &r), MIRROR_NL_OIF);
}

static void
test_route_multipath_too_many(void **state)
{
	struct mp_hop hops[VNF_ROUTER_NH_MAX + 1];
	struct vnf_router_kroute r;
	struct nl_msg *msg;
	unsigned int i;

	(void)state;
	for (i = 0; i < VNF_ROUTER_NH_MAX + 1; i++)
		hops[i] = (struct mp_hop){7, 0, 0, "192.0.2.1"};
	msg = route_msg(RTM_NEWROUTE, 0, AF_INET, RTN_UNICAST, RT_TABLE_MAIN,
			RTPROT_ZEBRA, "10.9.0.0", 16);
	put_multipath(msg, AF_INET, hops, VNF_ROUTER_NH_MAX);
	assert_int_equal(parse_route(msg, &r), MIRROR_NL_OK);
	assert_int_equal(r.n_nh, VNF_ROUTER_NH_MAX);
	msg = route_msg(RTM_NEWROUTE, 0, AF_INET, RTN_UNICAST, RT_TABLE_MAIN,
			RTPROT_ZEBRA, "10.9.0.0", 16);
	put_multipath(msg, AF_INET, hops, VNF_ROUTER_NH_MAX + 1);
	assert_int_equal(parse_route(msg, &r), MIRROR_NL_NEXTHOPS);
}

/* NLM_F_REPLACE is an add like any other: the router replaces the kernel
 * route of the prefix either way. */
static void
test_route_replace(void **state)
{
	struct vnf_router_kroute a, b;
	struct nl_msg *msg;

	(void)state;
	assert_int_equal(parse_route(route_v4(), &a), MIRROR_NL_OK);
	msg = route_v4();
	nlmsg_hdr(msg)->nlmsg_flags |= NLM_F_REPLACE;
	assert_int_equal(parse_route(msg, &b), MIRROR_NL_OK);
	assert_false(b.del);
	assert_int_equal(b.n_nh, a.n_nh);
	assert_memory_equal(b.addr, a.addr, 16);
	assert_memory_equal(&b.nh[0], &a.nh[0], sizeof(a.nh[0]));
}

static void
test_route_delete(void **state)
{
	struct vnf_router_kroute r;
	struct nl_msg *msg;

	(void)state;
	msg = route_msg(RTM_DELROUTE, 0, AF_INET6, RTN_UNICAST, RT_TABLE_MAIN,
			RTPROT_STATIC, "2001:db8:1::", 48);
	/* A delete's next hop may name any iface: only the key counts. */
	assert_int_equal(nla_put_u32(msg, RTA_OIF, 42), 0);
	/* ... and its metric: the kernel keeps one route per metric */
	assert_int_equal(nla_put_u32(msg, RTA_PRIORITY, 1024), 0);
	assert_int_equal(parse_route(msg, &r), MIRROR_NL_OK);
	assert_true(r.del);
	assert_int_equal(r.metric, 1024);
	assert_int_equal(r.family, AF_INET6);
	assert_int_equal(r.len, 48);
	assert_int_equal(r.addr[0], 0x20);
	assert_int_equal(r.addr[6], 0);
}

/* IPv6 with a link-local gateway; fe80::/64 itself is not routed. */
static void
test_route_v6_linklocal(void **state)
{
	struct vnf_router_kroute r;
	struct nl_msg *msg;
	uint8_t gw[16];

	(void)state;
	msg = route_msg(RTM_NEWROUTE, 0, AF_INET6, RTN_UNICAST, RT_TABLE_MAIN,
			RTPROT_BGP, "2001:db8:5::", 64);
	put_gw(msg, AF_INET6, "fe80::1");
	assert_int_equal(nla_put_u32(msg, RTA_OIF, 9), 0);
	assert_int_equal(nla_put_u32(msg, RTA_PRIORITY, 20), 0);
	assert_int_equal(parse_route(msg, &r), MIRROR_NL_OK);
	assert_int_equal(r.metric, 20);
	assert_int_equal(inet_pton(AF_INET6, "fe80::1", gw), 1);
	assert_true(r.nh[0].has_gw);
	assert_memory_equal(r.nh[0].gw, gw, 16);
	assert_int_equal(r.nh[0].iface, 1);
	assert_int_equal(r.proto, RTPROT_BGP);

	msg = route_msg(RTM_NEWROUTE, 0, AF_INET6, RTN_UNICAST, RT_TABLE_MAIN,
			RTPROT_KERNEL, "fe80::", 64);
	assert_int_equal(nla_put_u32(msg, RTA_OIF, 9), 0);
	assert_int_equal(parse_route(msg, &r), MIRROR_NL_LINKLOCAL);
}

/* proto kernel: the connected route of an address, on link. */
static void
test_route_connected(void **state)
{
	struct vnf_router_kroute r;
	struct nl_msg *msg;

	(void)state;
	msg = route_msg(RTM_NEWROUTE, 0, AF_INET, RTN_UNICAST, RT_TABLE_MAIN,
			RTPROT_KERNEL, "10.0.0.0", 24);
	assert_int_equal(nla_put_u32(msg, RTA_OIF, 7), 0);
	assert_int_equal(parse_route(msg, &r), MIRROR_NL_OK);
	assert_int_equal(r.proto, RTPROT_KERNEL);
	assert_int_equal(r.n_nh, 1);
	assert_false(r.nh[0].has_gw);
}

static void
test_route_ignored(void **state)
{
	struct vnf_router_kroute r;
	struct nl_msg *msg;

	(void)state;
	msg = route_v4();
	((struct rtmsg *)nlmsg_data(nlmsg_hdr(msg)))->rtm_flags = RTM_F_CLONED;
	assert_int_equal(parse_route(msg, &r), MIRROR_NL_CLONED);

	msg = route_v4();
	((struct rtmsg *)nlmsg_data(nlmsg_hdr(msg)))->rtm_src_len = 8;
	assert_int_equal(parse_route(msg, &r), MIRROR_NL_SOURCE);

	msg = route_v4();
	((struct rtmsg *)nlmsg_data(nlmsg_hdr(msg)))->rtm_tos = 0x10;
	assert_int_equal(parse_route(msg, &r), MIRROR_NL_SOURCE);

	msg = route_v4();
	((struct rtmsg *)nlmsg_data(nlmsg_hdr(msg)))->rtm_family = AF_BRIDGE;
	assert_int_equal(parse_route(msg, &r), MIRROR_NL_FAMILY);

	/* oif not a twin */
	msg = route_msg(RTM_NEWROUTE, 0, AF_INET, RTN_UNICAST, RT_TABLE_MAIN,
			RTPROT_STATIC, "10.0.0.0", 8);
	assert_int_equal(nla_put_u32(msg, RTA_OIF, 1), 0);
	assert_int_equal(parse_route(msg, &r), MIRROR_NL_OIF);

	/* IPv4 via an IPv6 next hop (RFC 5549): not expressible */
	msg = route_msg(RTM_NEWROUTE, 0, AF_INET, RTN_UNICAST, RT_TABLE_MAIN,
			RTPROT_BGP, "10.0.0.0", 8);
	{
		uint8_t via[2 + 16] = {AF_INET6 & 0xff, 0, 0xfe, 0x80};

		assert_int_equal(nla_put(msg, RTA_VIA, sizeof(via), via), 0);
	}
	assert_int_equal(nla_put_u32(msg, RTA_OIF, 7), 0);
	assert_int_equal(parse_route(msg, &r), MIRROR_NL_VIA);

	/* a next-hop object the kernel did not expand */
	msg = route_msg(RTM_NEWROUTE, 0, AF_INET, RTN_UNICAST, RT_TABLE_MAIN,
			RTPROT_ZEBRA, "10.0.0.0", 8);
	assert_int_equal(nla_put_u32(msg, RTA_NH_ID, 12), 0);
	assert_int_equal(parse_route(msg, &r), MIRROR_NL_NH_ID);

	/* unicast without any next hop */
	msg = route_msg(RTM_NEWROUTE, 0, AF_INET, RTN_UNICAST, RT_TABLE_MAIN,
			RTPROT_STATIC, "10.0.0.0", 8);
	assert_int_equal(parse_route(msg, &r), MIRROR_NL_NEXTHOPS);

	/* not a route at all */
	msg = nlmsg_alloc_simple(RTM_NEWRULE, 0);
	assert_int_equal(parse_route(msg, &r), MIRROR_NL_MSGTYPE);
}

static void
test_route_malformed(void **state)
{
	struct vnf_router_kroute r;
	struct nl_msg *msg;
	uint8_t three[3] = {1, 2, 3};

	(void)state;
	/* RTA_DST of the wrong size */
	msg = route_msg(RTM_NEWROUTE, 0, AF_INET, RTN_UNICAST, RT_TABLE_MAIN,
			RTPROT_STATIC, NULL, 8);
	assert_int_equal(nla_put(msg, RTA_DST, 3, three), 0);
	assert_int_equal(nla_put_u32(msg, RTA_OIF, 7), 0);
	assert_int_equal(parse_route(msg, &r), MIRROR_NL_MALFORMED);

	/* RTA_GATEWAY of the wrong size */
	msg = route_msg(RTM_NEWROUTE, 0, AF_INET, RTN_UNICAST, RT_TABLE_MAIN,
			RTPROT_STATIC, "10.0.0.0", 8);
	assert_int_equal(nla_put(msg, RTA_GATEWAY, 3, three), 0);
	assert_int_equal(nla_put_u32(msg, RTA_OIF, 7), 0);
	assert_int_equal(parse_route(msg, &r), MIRROR_NL_MALFORMED);

	/* RTA_OIF too short for its policy */
	msg = route_msg(RTM_NEWROUTE, 0, AF_INET, RTN_UNICAST, RT_TABLE_MAIN,
			RTPROT_STATIC, "10.0.0.0", 8);
	assert_int_equal(nla_put_u16(msg, RTA_OIF, 7), 0);
	assert_int_equal(parse_route(msg, &r), MIRROR_NL_MALFORMED);

	/* a prefix length past the family's */
	msg = route_msg(RTM_NEWROUTE, 0, AF_INET, RTN_UNICAST, RT_TABLE_MAIN,
			RTPROT_STATIC, "10.0.0.0", 33);
	assert_int_equal(nla_put_u32(msg, RTA_OIF, 7), 0);
	assert_int_equal(parse_route(msg, &r), MIRROR_NL_MALFORMED);

	/* the rtmsg header cut short */
	msg = route_v4();
	nlmsg_hdr(msg)->nlmsg_len = NLMSG_HDRLEN + 4;
	assert_int_equal(parse_route(msg, &r), MIRROR_NL_MALFORMED);

	/* an attribute longer than the message */
	msg = route_v4();
	nlmsg_hdr(msg)->nlmsg_len -= 2;
	assert_int_equal(parse_route(msg, &r), MIRROR_NL_MALFORMED);
}

/* rtnexthop lengths that do not fit. */
static void
test_route_multipath_malformed(void **state)
{
	static const struct mp_hop one[] = {{7, 0, 0, "192.0.2.1"}};
	struct vnf_router_kroute r;
	struct rtnexthop *rtnh;
	struct nlattr *mp;
	struct nl_msg *msg;

	(void)state;
	msg = route_msg(RTM_NEWROUTE, 0, AF_INET, RTN_UNICAST, RT_TABLE_MAIN,
			RTPROT_ZEBRA, "10.9.0.0", 16);
	put_multipath(msg, AF_INET, one, 1);
	mp = nlmsg_find_attr(nlmsg_hdr(msg), sizeof(struct rtmsg),
			     RTA_MULTIPATH);
	assert_non_null(mp);
	rtnh = nla_data(mp);
	rtnh->rtnh_len = (unsigned short)(nla_len(mp) + 8);
	assert_int_equal(parse_route(msg, &r), MIRROR_NL_MALFORMED);

	msg = route_msg(RTM_NEWROUTE, 0, AF_INET, RTN_UNICAST, RT_TABLE_MAIN,
			RTPROT_ZEBRA, "10.9.0.0", 16);
	put_multipath(msg, AF_INET, one, 1);
	mp = nlmsg_find_attr(nlmsg_hdr(msg), sizeof(struct rtmsg),
			     RTA_MULTIPATH);
	rtnh = nla_data(mp);
	rtnh->rtnh_len = 4;
	assert_int_equal(parse_route(msg, &r), MIRROR_NL_MALFORMED);

	/* a member's gateway of the wrong size */
	msg = route_msg(RTM_NEWROUTE, 0, AF_INET6, RTN_UNICAST, RT_TABLE_MAIN,
			RTPROT_ZEBRA, "2001:db8::", 32);
	put_multipath(msg, AF_INET, one, 1); /* an IPv4 gateway in IPv6 */
	assert_int_equal(parse_route(msg, &r), MIRROR_NL_MALFORMED);
}

/* Every cut of a valid message: a reason or OK, never a crash (ASan). */
static void
test_route_truncations(void **state)
{
	static const struct mp_hop hops[] = {{7, 1, 0, "192.0.2.1"},
					     {9, 0, 0, "198.51.100.1"}};
	struct vnf_router_kroute r;
	struct nl_msg *msg;
	uint32_t full, len;

	(void)state;
	msg = route_msg(RTM_NEWROUTE, 0, AF_INET, RTN_UNICAST, RT_TABLE_MAIN,
			RTPROT_ZEBRA, "10.9.0.0", 16);
	assert_int_equal(nla_put_u32(msg, RTA_TABLE, RT_TABLE_MAIN), 0);
	put_multipath(msg, AF_INET, hops, 2);
	full = nlmsg_hdr(msg)->nlmsg_len;
	for (len = NLMSG_HDRLEN; len <= full; len++) {
		struct nlmsghdr *h = malloc(len);

		assert_non_null(h);
		memcpy(h, nlmsg_hdr(msg), len);
		h->nlmsg_len = len;
		(void)mirror_nl_route(&ctx, h, &r);
		free(h);
	}
	assert_int_equal(mirror_nl_route(&ctx, nlmsg_hdr(msg), &r),
			 MIRROR_NL_OK);
	assert_int_equal(r.n_nh, 2);
	nlmsg_free(msg);
}

/* ---- links, addresses, neighbours ---------------------------------------- */

static struct nl_msg *
link_msg(int type, int ifindex, unsigned int flags, uint32_t mtu)
{
	struct ifinfomsg ifi = {
		.ifi_family = AF_UNSPEC,
		.ifi_index = ifindex,
		.ifi_flags = flags,
	};
	struct nl_msg *msg = nlmsg_alloc_simple(type, 0);

	assert_non_null(msg);
	assert_int_equal(nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO),
			 0);
	assert_int_equal(nla_put_string(msg, IFLA_IFNAME, "lan"), 0);
	if (mtu != 0)
		assert_int_equal(nla_put_u32(msg, IFLA_MTU, mtu), 0);
	return msg;
}

static void
test_link(void **state)
{
	struct mirror_nl_link l;
	struct nl_msg *msg;

	(void)state;
	msg = link_msg(RTM_NEWLINK, 9, IFF_UP | IFF_LOWER_UP | IFF_RUNNING,
		       9000);
	assert_int_equal(mirror_nl_link(&ctx, nlmsg_hdr(msg), &l),
			 MIRROR_NL_OK);
	assert_int_equal(l.iface, 1);
	assert_true(l.up);
	assert_int_equal(l.mtu, 9000);
	nlmsg_free(msg);

	/* up, but no carrier */
	msg = link_msg(RTM_NEWLINK, 7, IFF_UP, 1500);
	assert_int_equal(mirror_nl_link(&ctx, nlmsg_hdr(msg), &l),
			 MIRROR_NL_OK);
	assert_false(l.up);
	nlmsg_free(msg);

	/* a deleted twin is down */
	msg = link_msg(RTM_DELLINK, 7, IFF_UP | IFF_LOWER_UP, 1500);
	assert_int_equal(mirror_nl_link(&ctx, nlmsg_hdr(msg), &l),
			 MIRROR_NL_OK);
	assert_false(l.up);
	nlmsg_free(msg);

	msg = link_msg(RTM_NEWLINK, 1, IFF_UP, 65536);
	assert_int_equal(mirror_nl_link(&ctx, nlmsg_hdr(msg), &l),
			 MIRROR_NL_NOT_TWIN);
	nlmsg_free(msg);

	/* cut inside the ifinfomsg */
	msg = link_msg(RTM_NEWLINK, 7, IFF_UP, 1500);
	nlmsg_hdr(msg)->nlmsg_len = NLMSG_HDRLEN + 4;
	assert_int_equal(mirror_nl_link(&ctx, nlmsg_hdr(msg), &l),
			 MIRROR_NL_MALFORMED);
	nlmsg_free(msg);
}

static struct nl_msg *
addr_msg(int type, uint8_t family, int ifindex, const char *ip, uint8_t len,
	 int attr)
{
	struct ifaddrmsg ifa = {
		.ifa_family = family,
		.ifa_prefixlen = len,
		.ifa_index = (uint32_t)ifindex,
	};
	struct nl_msg *msg = nlmsg_alloc_simple(type, 0);
	uint8_t a[16];

	assert_non_null(msg);
	assert_int_equal(nlmsg_append(msg, &ifa, sizeof(ifa), NLMSG_ALIGNTO),
			 0);
	assert_int_equal(inet_pton(family, ip, a), 1);
	assert_int_equal(nla_put(msg, attr, family == AF_INET ? 4 : 16, a), 0);
	return msg;
}

static void
test_addr(void **state)
{
	struct mirror_nl_addr a;
	struct nl_msg *msg;
	uint8_t v4[4] = {10, 0, 0, 1};
	uint8_t v6[16];

	(void)state;
	msg = addr_msg(RTM_NEWADDR, AF_INET, 7, "10.0.0.1", 24, IFA_LOCAL);
	assert_int_equal(mirror_nl_addr(&ctx, nlmsg_hdr(msg), &a),
			 MIRROR_NL_OK);
	assert_int_equal(a.iface, 0);
	assert_int_equal(a.family, AF_INET);
	assert_int_equal(a.len, 24);
	assert_false(a.del);
	assert_memory_equal(a.addr, v4, 4);
	nlmsg_free(msg);

	msg = addr_msg(RTM_DELADDR, AF_INET6, 9, "2001:db8::1", 64,
		       IFA_ADDRESS);
	assert_int_equal(mirror_nl_addr(&ctx, nlmsg_hdr(msg), &a),
			 MIRROR_NL_OK);
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::1", v6), 1);
	assert_true(a.del);
	assert_int_equal(a.iface, 1);
	assert_int_equal(a.len, 64);
	assert_memory_equal(a.addr, v6, 16);
	nlmsg_free(msg);

	msg = addr_msg(RTM_NEWADDR, AF_INET, 2, "127.0.0.1", 8, IFA_LOCAL);
	assert_int_equal(mirror_nl_addr(&ctx, nlmsg_hdr(msg), &a),
			 MIRROR_NL_NOT_TWIN);
	nlmsg_free(msg);

	/* a prefix length past 32 */
	msg = addr_msg(RTM_NEWADDR, AF_INET, 7, "10.0.0.1", 40, IFA_LOCAL);
	assert_int_equal(mirror_nl_addr(&ctx, nlmsg_hdr(msg), &a),
			 MIRROR_NL_MALFORMED);
	nlmsg_free(msg);

	/* no address at all */
	{
		struct ifaddrmsg ifa = {.ifa_family = AF_INET,
					.ifa_prefixlen = 24,
					.ifa_index = 7};

		msg = nlmsg_alloc_simple(RTM_NEWADDR, 0);
		assert_int_equal(
			nlmsg_append(msg, &ifa, sizeof(ifa), NLMSG_ALIGNTO), 0);
		assert_int_equal(mirror_nl_addr(&ctx, nlmsg_hdr(msg), &a),
				 MIRROR_NL_MALFORMED);
		nlmsg_free(msg);
	}
}

static struct nl_msg *
neigh_msg(int type, uint8_t family, int ifindex, const char *ip, uint16_t state,
	  uint8_t flags, bool lladdr)
{
	struct ndmsg nd = {
		.ndm_family = family,
		.ndm_ifindex = ifindex,
		.ndm_state = state,
		.ndm_flags = flags,
	};
	static const uint8_t mac[6] = {0x02, 0, 0, 0, 0x02, 0x01};
	struct nl_msg *msg = nlmsg_alloc_simple(type, 0);
	uint8_t a[16];

	assert_non_null(msg);
	assert_int_equal(nlmsg_append(msg, &nd, sizeof(nd), NLMSG_ALIGNTO), 0);
	assert_int_equal(inet_pton(family, ip, a), 1);
	assert_int_equal(nla_put(msg, NDA_DST, family == AF_INET ? 4 : 16, a),
			 0);
	if (lladdr)
		assert_int_equal(nla_put(msg, NDA_LLADDR, 6, mac), 0);
	return msg;
}

static enum mirror_nl_reason
parse_neigh(struct nl_msg *msg, struct mirror_nl_neigh *n)
{
	enum mirror_nl_reason why = mirror_nl_neigh(&ctx, nlmsg_hdr(msg), n);

	nlmsg_free(msg);
	return why;
}

static void
test_neigh(void **state)
{
	static const uint8_t mac[6] = {0x02, 0, 0, 0, 0x02, 0x01};
	static const uint16_t usable[] = {NUD_REACHABLE, NUD_STALE, NUD_DELAY,
					  NUD_PROBE};
	uint8_t ip[4] = {192, 0, 2, 254};
	struct mirror_nl_neigh n;
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(usable) / sizeof(usable[0]); i++) {
		assert_int_equal(parse_neigh(neigh_msg(RTM_NEWNEIGH, AF_INET, 9,
						       "192.0.2.254", usable[i],
						       0, true),
					     &n),
				 MIRROR_NL_OK);
		assert_false(n.del);
		assert_false(n.permanent);
		assert_int_equal(n.iface, 1);
		assert_int_equal(n.family, AF_INET);
		assert_memory_equal(n.ip, ip, 4);
		assert_memory_equal(n.mac, mac, 6);
	}
	assert_int_equal(
		parse_neigh(neigh_msg(RTM_NEWNEIGH, AF_INET6, 7, "fe80::1",
				      NUD_PERMANENT, 0, true),
			    &n),
		MIRROR_NL_OK);
	assert_true(n.permanent);
	assert_int_equal(n.family, AF_INET6);

	/* not usable: forgotten */
	assert_int_equal(
		parse_neigh(neigh_msg(RTM_NEWNEIGH, AF_INET, 9, "192.0.2.254",
				      NUD_FAILED, 0, false),
			    &n),
		MIRROR_NL_OK);
	assert_true(n.del);
	assert_int_equal(
		parse_neigh(neigh_msg(RTM_NEWNEIGH, AF_INET, 9, "192.0.2.254",
				      NUD_INCOMPLETE, 0, false),
			    &n),
		MIRROR_NL_OK);
	assert_true(n.del);
	assert_int_equal(
		parse_neigh(neigh_msg(RTM_DELNEIGH, AF_INET, 9, "192.0.2.254",
				      NUD_REACHABLE, 0, true),
			    &n),
		MIRROR_NL_OK);
	assert_true(n.del);

	assert_int_equal(
		parse_neigh(neigh_msg(RTM_NEWNEIGH, AF_INET, 9, "192.0.2.254",
				      NUD_REACHABLE, 0, false),
			    &n),
		MIRROR_NL_NO_LLADDR);
	assert_int_equal(
		parse_neigh(neigh_msg(RTM_NEWNEIGH, AF_INET, 9, "192.0.2.254",
				      NUD_PERMANENT, NTF_PROXY, false),
			    &n),
		MIRROR_NL_PROXY);
	assert_int_equal(
		parse_neigh(neigh_msg(RTM_NEWNEIGH, AF_INET, 3, "192.0.2.254",
				      NUD_REACHABLE, 0, true),
			    &n),
		MIRROR_NL_NOT_TWIN);
}

/* ---- svi ifaces (`svi: NAME`) and EVPN's messages ----------------------- */

static struct nl_msg *
link_named(int type, int ifindex, const char *name, const uint8_t *mac)
{
	struct ifinfomsg ifi = {
		.ifi_family = AF_UNSPEC,
		.ifi_index = ifindex,
		.ifi_flags = IFF_UP | IFF_LOWER_UP | IFF_RUNNING,
	};
	struct nl_msg *msg = nlmsg_alloc_simple(type, 0);

	assert_non_null(msg);
	assert_int_equal(nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO),
			 0);
	assert_int_equal(nla_put_string(msg, IFLA_IFNAME, name), 0);
	assert_int_equal(nla_put_u32(msg, IFLA_MTU, 1450), 0);
	if (mac != NULL)
		assert_int_equal(nla_put(msg, IFLA_ADDRESS, 6, mac), 0);
	return msg;
}

static enum mirror_nl_reason
parse_link(const struct mirror_nl_ctx *c, struct nl_msg *msg,
	   struct mirror_nl_link *l)
{
	enum mirror_nl_reason why;

	memset(l, 0xa5, sizeof(*l));
	why = mirror_nl_link(c, nlmsg_hdr(msg), l);
	nlmsg_free(msg);
	return why;
}

/* Found by its name (late: after the mirror started), made again with
 * another ifindex, deleted, renamed away; other devices are not ours. */
static void
test_svi_link(void **state)
{
	static const uint8_t mac[6] = {0x26, 0xda, 0x70, 0x3d, 0xbc, 0xe4};
	struct mirror_nl_link l;

	(void)state;
	assert_int_equal(parse_link(&svi_missing,
				    link_named(RTM_NEWLINK, 12, "br4000", mac),
				    &l),
			 MIRROR_NL_OK);
	assert_int_equal(l.iface, 1);
	assert_true(l.svi);
	assert_false(l.svi_gone);
	assert_int_equal(l.ifindex, 12);
	assert_true(l.up);
	assert_int_equal(l.mtu, 1450);
	assert_true(l.has_mac);
	assert_memory_equal(l.mac, mac, 6);

	/* without IFLA_ADDRESS: has_mac false (the mirror sets the MAC) */
	assert_int_equal(parse_link(&svi_missing,
				    link_named(RTM_NEWLINK, 12, "br4000", NULL),
				    &l),
			 MIRROR_NL_OK);
	assert_false(l.has_mac);

	/* another device, and a delete of a name we never had */
	assert_int_equal(parse_link(&svi_missing,
				    link_named(RTM_NEWLINK, 13, "br100", mac),
				    &l),
			 MIRROR_NL_NOT_TWIN);
	assert_int_equal(parse_link(&svi_missing,
				    link_named(RTM_DELLINK, 12, "br4000", mac),
				    &l),
			 MIRROR_NL_NOT_TWIN);

	/* known: an update, then gone by a delete or a rename */
	assert_int_equal(parse_link(&svi_ctx,
				    link_named(RTM_NEWLINK, 12, "br4000", mac),
				    &l),
			 MIRROR_NL_OK);
	assert_true(l.svi);
	assert_false(l.svi_gone);
	assert_int_equal(parse_link(&svi_ctx,
				    link_named(RTM_DELLINK, 12, "br4000", mac),
				    &l),
			 MIRROR_NL_OK);
	assert_true(l.svi && l.svi_gone);
	assert_false(l.up);
	assert_int_equal(parse_link(&svi_ctx,
				    link_named(RTM_NEWLINK, 12, "brX", mac),
				    &l),
			 MIRROR_NL_OK);
	assert_true(l.svi && l.svi_gone);
	assert_false(l.up);

	/* made again: a new ifindex under the name */
	assert_int_equal(parse_link(&svi_ctx,
				    link_named(RTM_NEWLINK, 20, "br4000", mac),
				    &l),
			 MIRROR_NL_OK);
	assert_true(l.svi);
	assert_false(l.svi_gone);
	assert_int_equal(l.ifindex, 20);
	assert_int_equal(l.iface, 1);

	/* a twin's message says nothing of svis */
	assert_int_equal(parse_link(&svi_ctx,
				    link_named(RTM_NEWLINK, 7, "lan", mac), &l),
			 MIRROR_NL_OK);
	assert_false(l.svi);
	assert_int_equal(l.iface, 0);
}

/* zebra's type-5 route: 10.2.0.0/24 via 10.0.2.2 dev br4000 proto bgp
 * onlink; on the svi iface once found, "oif" while it is missing. */
static void
test_svi_route_onlink(void **state)
{
	struct vnf_router_kroute r;
	uint8_t gw[4] = {10, 0, 2, 2};
	struct nl_msg *msg;

	(void)state;
	msg = route_msg(RTM_NEWROUTE, NLM_F_CREATE, AF_INET, RTN_UNICAST,
			RT_TABLE_MAIN, RTPROT_BGP, "10.2.0.0", 24);
	((struct rtmsg *)nlmsg_data(nlmsg_hdr(msg)))->rtm_flags = RTNH_F_ONLINK;
	put_gw(msg, AF_INET, "10.0.2.2");
	assert_int_equal(nla_put_u32(msg, RTA_OIF, 12), 0);
	assert_int_equal(nla_put_u32(msg, RTA_PRIORITY, 20), 0);
	assert_int_equal(mirror_nl_route(&svi_ctx, nlmsg_hdr(msg), &r),
			 MIRROR_NL_OK);
	assert_int_equal(r.n_nh, 1);
	assert_int_equal(r.nh[0].iface, 1);
	assert_true(r.nh[0].has_gw);
	assert_memory_equal(r.nh[0].gw, gw, 4);
	assert_int_equal(r.proto, RTPROT_BGP);
	assert_int_equal(r.metric, 20);
	assert_int_equal(mirror_nl_route(&svi_missing, nlmsg_hdr(msg), &r),
			 MIRROR_NL_OIF);
	nlmsg_free(msg);
}

static struct nl_msg *
neigh_mac(int type, int ifindex, const char *ip, uint16_t state, uint8_t flags,
	  const uint8_t *mac)
{
	struct nl_msg *msg =
		neigh_msg(type, AF_INET, ifindex, ip, state, flags, false);

	assert_int_equal(nla_put(msg, NDA_LLADDR, 6, mac), 0);
	return msg;
}

/* NUD_NOARP (zebra's RMAC of a remote VTEP, type-2 MAC+IP, `nud noarp`):
 * static on the svi and on twins; the kernel's NOARP entries of group
 * addresses are not next hops. */
static void
test_neigh_noarp(void **state)
{
	static const uint8_t rmac[6] = {0x02, 0, 0, 0x02, 0x0f, 0xa0};
	static const uint8_t mcast[6] = {0x01, 0, 0x5e, 0, 0, 0x16};
	uint8_t ip[4] = {10, 0, 2, 2};
	struct mirror_nl_neigh n;
	struct nl_msg *msg;

	(void)state;
	msg = neigh_mac(RTM_NEWNEIGH, 12, "10.0.2.2", NUD_NOARP,
			NTF_EXT_LEARNED, rmac);
	assert_int_equal(mirror_nl_neigh(&svi_ctx, nlmsg_hdr(msg), &n),
			 MIRROR_NL_OK);
	assert_false(n.del);
	assert_true(n.permanent);
	assert_int_equal(n.iface, 1);
	assert_memory_equal(n.ip, ip, 4);
	assert_memory_equal(n.mac, rmac, 6);
	/* the svi missing: not ours (yet) */
	assert_int_equal(mirror_nl_neigh(&svi_missing, nlmsg_hdr(msg), &n),
			 MIRROR_NL_NOT_TWIN);
	nlmsg_free(msg);

	msg = neigh_mac(RTM_DELNEIGH, 12, "10.0.2.2", NUD_NOARP,
			NTF_EXT_LEARNED, rmac);
	assert_int_equal(mirror_nl_neigh(&svi_ctx, nlmsg_hdr(msg), &n),
			 MIRROR_NL_OK);
	assert_true(n.del);
	assert_false(n.permanent);
	nlmsg_free(msg);

	/* on a twin too */
	msg = neigh_mac(RTM_NEWNEIGH, 7, "192.0.2.9", NUD_NOARP, 0, rmac);
	assert_int_equal(mirror_nl_neigh(&svi_ctx, nlmsg_hdr(msg), &n),
			 MIRROR_NL_OK);
	assert_true(n.permanent);
	assert_int_equal(n.iface, 0);
	nlmsg_free(msg);

	msg = neigh_mac(RTM_NEWNEIGH, 7, "224.0.0.22", NUD_NOARP, 0, mcast);
	assert_int_equal(mirror_nl_neigh(&svi_ctx, nlmsg_hdr(msg), &n),
			 MIRROR_NL_GROUP);
	nlmsg_free(msg);
	assert_string_equal(mirror_nl_reason_str(MIRROR_NL_GROUP),
			    "group-lladdr");
}

/* The dispatcher and the reason names. */
static void
test_parse_dispatch(void **state)
{
	struct vnf_router_kroute r;
	struct mirror_nl_event ev;
	struct nl_msg *msg;

	(void)state;
	msg = route_v4();
	mirror_nl_parse(&ctx, nlmsg_hdr(msg), &ev, &r);
	assert_int_equal(ev.kind, MIRROR_NL_ROUTE);
	mirror_nl_parse(&ctx, nlmsg_hdr(msg), &ev, NULL);
	assert_int_equal(ev.kind, MIRROR_NL_IGNORED);
	assert_int_equal(ev.why, MIRROR_NL_MSGTYPE);
	nlmsg_free(msg);

	msg = link_msg(RTM_NEWLINK, 7, IFF_UP | IFF_LOWER_UP, 1500);
	mirror_nl_parse(&ctx, nlmsg_hdr(msg), &ev, &r);
	assert_int_equal(ev.kind, MIRROR_NL_LINK);
	assert_true(ev.link.up);
	nlmsg_free(msg);

	msg = addr_msg(RTM_NEWADDR, AF_INET, 7, "10.0.0.1", 24, IFA_LOCAL);
	mirror_nl_parse(&ctx, nlmsg_hdr(msg), &ev, &r);
	assert_int_equal(ev.kind, MIRROR_NL_ADDR);
	nlmsg_free(msg);

	msg = neigh_msg(RTM_NEWNEIGH, AF_INET, 7, "10.0.0.2", NUD_STALE, 0,
			true);
	mirror_nl_parse(&ctx, nlmsg_hdr(msg), &ev, &r);
	assert_int_equal(ev.kind, MIRROR_NL_NEIGH);
	nlmsg_free(msg);

	msg = nlmsg_alloc_simple(NLMSG_DONE, 0);
	mirror_nl_parse(&ctx, nlmsg_hdr(msg), &ev, &r);
	assert_int_equal(ev.kind, MIRROR_NL_IGNORED);
	assert_int_equal(ev.why, MIRROR_NL_MSGTYPE);
	nlmsg_free(msg);

	assert_string_equal(mirror_nl_reason_str(MIRROR_NL_TABLE), "table");
	assert_string_equal(mirror_nl_reason_str(MIRROR_NL_LOCAL_TABLE),
			    "local-table");
	assert_string_equal(mirror_nl_reason_str(MIRROR_NL_N_REASONS), "?");
	assert_int_equal(mirror_nl_iface(&ctx, 9), 1);
	assert_int_equal(mirror_nl_iface(&ctx, 0), -1);
	assert_int_equal(mirror_nl_iface(&ctx, 8), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_route_unicast_v4),
		cmocka_unit_test(test_route_mask_and_default),
		cmocka_unit_test(test_route_types),
		cmocka_unit_test(test_route_table_filter),
		cmocka_unit_test(test_route_multipath),
		cmocka_unit_test(test_route_multipath_too_many),
		cmocka_unit_test(test_route_replace),
		cmocka_unit_test(test_route_delete),
		cmocka_unit_test(test_route_v6_linklocal),
		cmocka_unit_test(test_route_connected),
		cmocka_unit_test(test_route_ignored),
		cmocka_unit_test(test_route_malformed),
		cmocka_unit_test(test_route_multipath_malformed),
		cmocka_unit_test(test_route_truncations),
		cmocka_unit_test(test_link),
		cmocka_unit_test(test_addr),
		cmocka_unit_test(test_neigh),
		cmocka_unit_test(test_parse_dispatch),
		cmocka_unit_test(test_svi_link),
		cmocka_unit_test(test_svi_route_onlink),
		cmocka_unit_test(test_neigh_noarp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
