/* SPDX-License-Identifier: BSD-3-Clause
 *
 * fuzz_mirror_nl.c - the fuzz target for control/mirror/nl.c.
 *
 * The input is what one recvmsg() of the mirror's event socket could
 * hold: netlink messages back to back.  Each whole one (nlmsg_ok()) goes
 * through mirror_nl_parse() like in the mirror thread, from a buffer of
 * exactly the input's size so that ASan sees any read past it.  Beyond
 * "no crash, no leak" it checks the parser's contract: an event names a
 * twin's iface, a route has a valid family, length, type and next-hop
 * count with its host bits clear, an ignored message has a reason.  A
 * broken contract aborts.
 *
 * Built as a libFuzzer binary with clang, and linked into fuzz_driver.c
 * (any compiler) for the bounded run in the 'fuzz' suite.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <netlink/msg.h>

#include "control/mirror/nl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Twins: ifindex 7 and 9; 1 (lo) and others are not.  Two svi ifaces:
 * br4000 found as ifindex 12, br100 missing (found by a link message of
 * that name). */
static const struct mirror_nl_ctx fz_ctx = {
	.table = 254,
	.n_ifaces = 4,
	.ifindex = {7, 9, 12, 0},
	.svi = {"", "", "br4000", "br100"},
};

static void
fz_check(int cond, const char *what)
{
	if (cond)
		return;
	fprintf(stderr, "fuzz_mirror_nl: contract broken: %s\n", what);
	abort();
}

static void
fz_check_route(const struct vnf_router_kroute *r)
{
	unsigned int alen = r->family == AF_INET ? 4 : 16, i;

	fz_check(r->family == AF_INET || r->family == AF_INET6, "family");
	fz_check(r->len <= 8 * alen, "prefix length");
	for (i = 0; i < 16; i++) {
		unsigned int bits = i >= alen		    ? 0
				    : r->len >= 8 * (i + 1) ? 8
				    : r->len > 8 * i	    ? r->len - 8 * i
							    : 0;

		fz_check((r->addr[i] & (uint8_t) ~(0xff00u >> bits)) == 0,
			 "host bits set");
	}
	fz_check(r->type <= VNF_RT_PROHIBIT, "type");
	if (r->del || r->type != VNF_RT_UNICAST)
		return;
	fz_check(r->n_nh >= 1 && r->n_nh <= VNF_ROUTER_NH_MAX, "next hops");
	for (i = 0; i < r->n_nh; i++) {
		fz_check(r->nh[i].iface < fz_ctx.n_ifaces, "next-hop iface");
		fz_check(r->nh[i].weight >= 1, "weight");
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vnf_router_kroute r;
	struct mirror_nl_event ev;
	struct nlmsghdr *h;
	uint8_t *buf;
	int left;

	if (size > 1 << 20)
		return 0;
	buf = malloc(size ? size : 1);
	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	left = (int)size;
	for (h = (struct nlmsghdr *)buf; nlmsg_ok(h, left);
	     h = nlmsg_next(h, &left)) {
		mirror_nl_parse(&fz_ctx, h, &ev, &r);
		switch (ev.kind) {
		case MIRROR_NL_IGNORED:
			fz_check(ev.why != MIRROR_NL_OK &&
					 ev.why < MIRROR_NL_N_REASONS,
				 "reason");
			break;
		case MIRROR_NL_ROUTE:
			fz_check(ev.why == MIRROR_NL_OK, "route reason");
			fz_check_route(&r);
			break;
		case MIRROR_NL_LINK:
			fz_check(ev.link.iface < fz_ctx.n_ifaces, "link iface");
			fz_check(!ev.link.svi ||
					 fz_ctx.svi[ev.link.iface][0] != '\0',
				 "svi event of a twin");
			fz_check(!(ev.link.svi_gone && ev.link.up),
				 "svi gone and up");
			break;
		case MIRROR_NL_ADDR:
			fz_check(ev.addr.iface < fz_ctx.n_ifaces, "addr iface");
			fz_check(ev.addr.family == AF_INET ||
					 ev.addr.family == AF_INET6,
				 "addr family");
			fz_check(ev.addr.len <=
					 (ev.addr.family == AF_INET ? 32 : 128),
				 "addr length");
			break;
		case MIRROR_NL_NEIGH:
			fz_check(ev.neigh.iface < fz_ctx.n_ifaces,
				 "neigh iface");
			fz_check(ev.neigh.family == AF_INET ||
					 ev.neigh.family == AF_INET6,
				 "neigh family");
			fz_check(!(ev.neigh.del && ev.neigh.permanent),
				 "neigh del and permanent");
			break;
		default:
			fz_check(0, "kind");
		}
	}
	free(buf);
	return 0;
}
