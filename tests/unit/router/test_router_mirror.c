/* SPDX-License-Identifier: BSD-3-Clause
 *
 * test_router_mirror.c - the router's side of the kernel mirror
 * (router.h "the kernel mirror"), driven through its API and its
 * process()/poll() callbacks with frames built from byte arrays:
 *  - ifaces at run time: addresses added and deleted while a reader
 *    thread reads them (whole sets only, never freed under it), ARP and
 *    echo for a new address, IPv6 turned on by the first IPv6 address,
 *    link down ("iface-down"), a new MTU (too big, fragments);
 *  - twins: the punt policy frame by frame (m->port the ingress iface),
 *    the wake-up eventfd written once per arming, inject -> poll -> out
 *    by the right iface, detach;
 *  - kernel neighbours: set (usable / permanent), del, mark and sweep,
 *    the config's static entries kept;
 *  - the accessors for the twins, `show mirror`.
 * Time is the test's: wctx.now is set, never read from the clock.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <linux/rtnetlink.h>

#include <cmocka.h>
#include <jansson.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_pause.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "vnf/router/config.h"
#include "vnf/router/router.h"
#include "vnf/router/router_priv.h"
#include "tests/common/test_eal.h"
#include "tests/common/test_rcu.h"
#include "tests/common/test_wctx.h"

#include "router_test.h"

static const uint8_t H1[6] = {2, 0, 0, 0, 0, 2};
static const uint8_t H2[6] = {2, 0, 0, 0, 0, 3};
static const uint8_t GW2[6] = {2, 0, 0, 0, 2, 0xfd};
static const uint8_t BCAST[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
static const uint8_t ZERO6[6];

#include "router_pkt.h"

/* ---- config ------------------------------------------------------------ */

static struct vnf_router_mirror_config mcfg;

/* router_test.h's ifaces, gateway routes and (static_gw) neighbours;
 * v6 false: no IPv6 address, no IPv6 route. */
static void
cfg_default(bool static_gw, bool v6)
{
	cfg_ifaces(v6);
	cfg_routes(v6 ? 2 : 1);
	cfg_neighs(static_gw ? (v6 ? 2 : 1) : 0);
}

static int
setup_resolve(void **state)
{
	(void)state;
	cfg_default(false, true);
	router_start();
	return 0;
}

static int
setup_static(void **state)
{
	(void)state;
	cfg_default(true, true);
	router_start();
	return 0;
}

static int
setup_v4only(void **state)
{
	(void)state;
	cfg_default(true, false);
	router_start();
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	return router_stop(true);
}

static void
a4(uint8_t *a, const char *s)
{
	memset(a, 0, 16);
	assert_int_equal(inet_pton(AF_INET, s, a), 1);
}

static void
a6(uint8_t *a, const char *s)
{
	assert_int_equal(inet_pton(AF_INET6, s, a), 1);
}

/* A UDP/TCP-like IPv4 packet with protocol `proto`. */
static struct pkt
ip4p(const uint8_t *dmac, const char *src, const char *dst, uint8_t proto)
{
	struct pkt p;

	eth(&p, dmac, H1, 0x0800);
	ipv4(&p, src, dst, proto, 64, 20, 0);
	return p;
}

static struct pkt
ip6p(const uint8_t *dmac, const char *src, const char *dst, uint8_t proto)
{
	struct pkt p;

	eth(&p, dmac, H1, 0x86dd);
	ipv6(&p, src, dst, proto, 64, 20);
	return p;
}

/* ---- ifaces at run time ---------------------------------------------------- */

struct addr_reader {
	atomic_uint_fast64_t sets; /* snapshots looked at */
	atomic_int bad;		   /* 0, or what was wrong */
};

static struct addr_reader areader;

/*
 * The reader (a fake worker): every snapshot it sees must be whole: the
 * config's address first, then 172.16.K.1/(16 + K % 9) entries whose
 * length and mask belong together, no zero address.
 */
static int
addr_reader_fn(void *arg)
{
	struct addr_reader *r = arg;
	const struct rt_iface *ifc = &rt->ifaces[LAN];
	const struct rt_addrs *a = rt_iface_addrs(ifc);
	uint8_t want[16];
	unsigned int i;

	if (a->n4 == 0 || a->n4 > RT_ADDR_MAX)
		atomic_store(&r->bad, 1);
	a4(want, "10.0.0.1");
	if (memcmp(&a->v4[0].addr, want, 4) != 0 || a->v4[0].len != 24)
		atomic_store(&r->bad, 2);
	for (i = 1; i < a->n4; i++) {
		const uint8_t *b = (const uint8_t *)&a->v4[i].addr;
		uint8_t len = a->v4[i].len;

		if (b[0] != 172 || b[1] != 16 || b[3] != 1 ||
		    len != 16 + b[2] % 9 ||
		    a->v4[i].mask != rte_cpu_to_be_32(~0u << (32 - len)))
			atomic_store(&r->bad, 3);
	}
	if (!rt_iface_has4(ifc, a->v4[0].addr))
		atomic_store(&r->bad, 4);
	atomic_fetch_add(&r->sets, 1);
	return 0;
}

static void
test_addrs_while_reading(void **state)
{
	struct nfv_test_reader rd;
	uint8_t a[16];
	unsigned int i, k, n, changes = 0;
	int rc = 0, full = 0;
	char s[32];

	(void)state;
	memset(&areader, 0, sizeof(areader));
	assert_int_equal(
		nfv_test_reader_start(&rd, qsbr, 0, addr_reader_fn, &areader),
		0);
	/* Grace periods wait for it once it is online: after its first
	 * loop (an event, not a time). */
	while (atomic_load(&rd.loops) == 0)
		rte_pause();
	/* No assert while the reader runs: a failure would leave it reading
	 * a router that teardown destroys.  The first error stops it all. */
	for (i = 0; i < 12 && rc == 0; i++) {
		/* Fill the iface up, then empty it again in another order
		 * (k * 4 mod 15 goes through every k). */
		for (k = 0; k < RT_ADDR_MAX - 1 && rc == 0; k++) {
			n = (i * 7 + k) % 200;
			snprintf(s, sizeof(s), "172.16.%u.1", n);
			a4(a, s);
			rc = vnf_router_addr_add(vi, LAN, AF_INET, a,
						 (uint8_t)(16 + n % 9));
			changes++;
		}
		a4(a, "172.16.250.1");
		if (rc == 0 &&
		    vnf_router_addr_add(vi, LAN, AF_INET, a, 16) != -ENOSPC)
			full = 1;
		for (k = 0; k < RT_ADDR_MAX - 1 && rc == 0; k++) {
			n = (i * 7 + (k * 4) % (RT_ADDR_MAX - 1)) % 200;
			snprintf(s, sizeof(s), "172.16.%u.1", n);
			a4(a, s);
			rc = vnf_router_addr_del(vi, LAN, AF_INET, a,
						 (uint8_t)(16 + n % 9));
			changes++;
		}
		if (rc == 0 && rt->ifaces[LAN].n4 != 1)
			rc = -EEXIST;
	}
	assert_int_equal(nfv_test_reader_stop(&rd), 0);
	print_message("  %u changes, the reader looked at %lu sets\n", changes,
		      (unsigned long)atomic_load(&areader.sets));
	assert_int_equal(rc, 0);
	assert_int_equal(full, 0);
	assert_int_equal(atomic_load(&areader.bad), 0);
	/* Each change waited for a grace period, which the reader can end
	 * only by a quiescent state after a look: it ran meanwhile. */
	assert_true(atomic_load(&areader.sets) >= changes - 1);
}

static void
test_addr_args(void **state)
{
	uint8_t a[16];

	(void)state;
	a4(a, "10.9.9.9");
	assert_int_equal(vnf_router_addr_add(vi, 2, AF_INET, a, 24), -EINVAL);
	assert_int_equal(vnf_router_addr_add(vi, LAN, 99, a, 24), -EINVAL);
	assert_int_equal(vnf_router_addr_add(vi, LAN, AF_INET, a, 33), -EINVAL);
	assert_int_equal(vnf_router_addr_del(vi, 7, AF_INET, a, 24), -EINVAL);
	/* the config's address again: not an error, nothing changes */
	a4(a, "10.0.0.1");
	assert_int_equal(vnf_router_addr_add(vi, LAN, AF_INET, a, 24), 0);
	assert_int_equal(rt->ifaces[LAN].n4, 1);
	/* an address the iface does not have: nothing to delete */
	a4(a, "10.9.9.9");
	assert_int_equal(vnf_router_addr_del(vi, LAN, AF_INET, a, 24), 0);
	/* another length: replaced */
	a4(a, "10.0.0.1");
	assert_int_equal(vnf_router_addr_add(vi, LAN, AF_INET, a, 16), 0);
	assert_int_equal(rt->ifaces[LAN].n4, 1);
	assert_int_equal(rt->ifaces[LAN].v4[0].len, 16);
	assert_int_equal(rt_iface_addrs(&rt->ifaces[LAN])->v4[0].len, 16);
	/* not a router */
	assert_int_equal(vnf_router_addr_add(NULL, LAN, AF_INET, a, 16),
			 -EINVAL);
}

/* A new address is answered for (ARP, echo) when not attached, punted
 * when attached; a deleted one is not ours any more. */
static void
test_addr_arp_echo(void **state)
{
	struct pkt q = arp(BCAST, H1, 1, H1, "10.0.5.2", ZERO6, "10.0.5.1");
	struct pkt e = echo4("10.0.5.2", "10.0.5.1", 64, 1);
	struct rte_ring *ring;
	uint8_t a[16];
	void *obj = NULL;
	int efd;

	(void)state;
	run1(LAN, mbuf(&q));
	assert_int_equal(n_out, 0);
	assert_int_equal(ctr(RT_D_ARP_IGNORED), 1);

	a4(a, "10.0.5.1");
	assert_int_equal(vnf_router_addr_add(vi, LAN, AF_INET, a, 24), 0);
	run1(LAN, mbuf(&q));
	assert_int_equal(n_out, 1);
	assert_int_equal(out_next[0], LAN);
	assert_int_equal(get16(od(0) + 20), 2); /* reply */
	assert_ip4(od(0) + 28, "10.0.5.1");
	assert_memory_equal(od(0) + 22, R_LAN, 6);
	assert_int_equal(neigh_state("10.0.5.2", LAN, NULL), RT_NS_STALE);
	out_flush();
	run1(LAN, mbuf(&e));
	assert_int_equal(n_out, 1);
	assert_int_equal(ctr(RT_C_ECHO4), 1);
	assert_ip4(od(0) + 26, "10.0.5.1");
	out_flush();

	/* attached: the kernel answers */
	efd = eventfd(0, EFD_NONBLOCK);
	assert_true(efd >= 0);
	ring = vnf_router_twin_attach(vi, efd);
	assert_non_null(ring);
	run1(LAN, mbuf(&q));
	assert_int_equal(n_out, 0);
	assert_int_equal(rte_ring_count(ring), 1);
	assert_int_equal(rte_ring_sc_dequeue(ring, &obj), 0);
	assert_int_equal(((struct rte_mbuf *)obj)->port, LAN);
	rte_pktmbuf_free(obj);
	vnf_router_twin_detach(vi);
	close(efd);

	/* deleted: ignored, and no echo reply */
	assert_int_equal(vnf_router_addr_del(vi, LAN, AF_INET, a, 24), 0);
	run1(LAN, mbuf(&q));
	assert_int_equal(n_out, 0);
	assert_int_equal(ctr(RT_D_ARP_IGNORED), 2);
	run1(LAN, mbuf(&e));
	assert_int_equal(ctr(RT_C_ECHO4), 1);
	out_flush();
}

/* IPv6 comes on with the first IPv6 address; the link-local address is
 * the EUI-64 one and stays so. */
static void
test_v6_at_run_time(void **state)
{
	struct pkt e = echo6(R_LAN, "2001:db8:5::2", "2001:db8:5::1", 64);
	struct pkt ns = nd((const uint8_t[6]){0x33, 0x33, 0xff, 0, 0, 1}, H1,
			   135, "2001:db8:5::2", "ff02::1:ff00:1",
			   "2001:db8:5::1", 0, 255, true);
	struct pkt ell = echo6(R_LAN, "fe80::2", "fe80::ff:fe00:101", 64);
	uint8_t a[16];

	(void)state;
	assert_false(atomic_load(&rt->v6));
	run1(LAN, mbuf(&e));
	assert_int_equal(ctr(RT_D_V6_OFF), 1);

	a6(a, "fe80::99");
	assert_int_equal(vnf_router_addr_add(vi, LAN, AF_INET6, a, 64), 0);
	assert_false(atomic_load(&rt->v6)); /* link-local: ignored */

	a6(a, "2001:db8:5::1");
	assert_int_equal(vnf_router_addr_add(vi, LAN, AF_INET6, a, 64), 0);
	assert_true(atomic_load(&rt->v6));
	run1(LAN, mbuf(&e));
	assert_int_equal(n_out, 1);
	assert_int_equal(ctr(RT_C_ECHO6), 1);
	assert_ip6(od(0) + 22, "2001:db8:5::1");
	out_flush();
	run1(LAN, mbuf(&ns));
	assert_int_equal(n_out, 1);
	assert_int_equal(od(0)[54], 136);
	out_flush();
	/* fe80::ff:fe00:101: EUI-64 of 02:00:00:00:01:01 */
	run1(LAN, mbuf(&ell));
	assert_int_equal(n_out, 1);
	assert_int_equal(ctr(RT_C_ECHO6), 2);
	out_flush();
	/* the last one gone: IPv6 stays on (fib6 is there) */
	assert_int_equal(vnf_router_addr_del(vi, LAN, AF_INET6, a, 64), 0);
	assert_true(atomic_load(&rt->v6));
}

static void
test_link_down(void **state)
{
	struct pkt p = udp4(R_LAN, "10.0.0.2", "198.51.100.7", 64, 1, 2, 20, 0);
	struct pkt q = udp4(R_LAN, "10.0.0.2", "203.0.113.9", 64, 1, 2, 20, 0);
	struct rt_route_config r;
	struct rt_nexthop_config nh;
	uint8_t gw[16];
	char err[256];
	struct pkt p6 = echo6(R_LAN, "2001:db8::2", "2001:db8:100::7", 64);

	(void)state;
	run1(LAN, mbuf(&p));
	assert_int_equal(n_out, 1);
	assert_int_equal(out_next[0], WAN);
	out_flush();

	assert_int_equal(vnf_router_link_set(vi, WAN, false, 0), 0);
	assert_true(rt_iface_down(&rt->ifaces[WAN]));
	run1(LAN, mbuf(&p));
	run1(LAN, mbuf(&p6));
	assert_int_equal(n_out, 0);
	assert_int_equal(ctr(RT_D_IFACE_DOWN), 2);
	/* down twice: nothing new */
	assert_int_equal(vnf_router_link_set(vi, WAN, false, 0), 0);

	assert_int_equal(vnf_router_link_set(vi, WAN, true, 0), 0);
	run1(LAN, mbuf(&p));
	assert_int_equal(n_out, 1);
	assert_int_equal(out_next[0], WAN);
	assert_int_equal(ctr(RT_C_FWD4), 2);
	out_flush();

	/* A next hop made while the link is down (a route added then) is
	 * down too: the fast path must not forward by it. */
	assert_int_equal(vnf_router_link_set(vi, WAN, false, 0), 0);
	a4(gw, "192.0.2.253");
	assert_int_equal(vnf_router_kneigh_set(vi, WAN, AF_INET, gw, GW2, true),
			 0);
	memset(&r, 0, sizeof(r));
	memset(&nh, 0, sizeof(nh));
	pfx(&r.prefix, "203.0.113.0", 24);
	r.nh = &nh;
	r.n_nh = 1;
	nh.has_via = true;
	pfx(&nh.via, "192.0.2.253", 32);
	assert_int_equal(vnf_router_route_add(vi, &r, false, err, sizeof(err)),
			 0);
	run1(LAN, mbuf(&q));
	assert_int_equal(n_out, 0);
	assert_int_equal(ctr(RT_D_IFACE_DOWN), 3);
	assert_int_equal(vnf_router_link_set(vi, WAN, true, 0), 0);
	run1(LAN, mbuf(&q));
	assert_int_equal(n_out, 1);
	assert_memory_equal(od(0), GW2, 6);
	out_flush();

	assert_int_equal(vnf_router_link_set(vi, 9, true, 0), -EINVAL);
	assert_int_equal(vnf_router_link_set(vi, WAN, true, 40), -EINVAL);
}

/* A down iface takes nothing in (ARP for the router included) and the
 * router sends nothing by it, not even what it makes itself: the kernel's
 * twin does neither. */
static void
test_link_down_in_and_made(void **state)
{
	struct pkt p = udp4(R_WAN, "192.0.2.10", "10.0.0.2", 64, 1, 2, 20, 0);
	struct pkt t = udp4(R_WAN, "192.0.2.10", "10.0.0.2", 1, 1, 2, 20, 0);
	struct pkt q = arp(BCAST, GW, 1, GW, "192.0.2.254", ZERO6, "192.0.2.1");
	struct rte_mbuf *m;

	(void)state;
	assert_int_equal(vnf_router_link_set(vi, WAN, false, 0), 0);
	run1(WAN, mbuf(&p));
	run1(WAN, mbuf(&t)); /* no time exceeded back by it either */
	run1(WAN, mbuf(&q));
	assert_int_equal(n_out, 0);
	assert_int_equal(ctr(RT_D_IFACE_DOWN), 3);
	assert_int_equal(ctr(RT_C_ICMP_ERRORS), 0);
	/* a frame the router made, by the down iface: lost, counted */
	m = mbuf(&p);
	emit.n = 0;
	rt_emit(rt, &wc, m, WAN);
	assert_int_equal(emit.n, 0);
	assert_int_equal(ctr(RT_L_IFACE_DOWN), 1);
	/* up: the same frames go through */
	assert_int_equal(vnf_router_link_set(vi, WAN, true, 0), 0);
	run1(WAN, mbuf(&p));
	assert_int_equal(n_out, 1);
	assert_int_equal(out_next[0], LAN);
	out_flush();
}

static void
test_mtu_change(void **state)
{
	struct pkt df =
		udp4(R_LAN, "10.0.0.2", "198.51.100.7", 64, 1, 2, 1400, 0x4000);
	struct pkt nodf =
		udp4(R_LAN, "10.0.0.2", "198.51.100.7", 64, 1, 2, 2000, 0);
	struct pkt v6 = echo6(R_LAN, "2001:db8::2", "2001:db8:100::7", 64);
	unsigned int i, total = 0;
	uint8_t *ip6;

	(void)state;
	run1(LAN, mbuf(&df));
	assert_int_equal(n_out, 1);
	assert_int_equal(out_next[0], WAN); /* fits 1500 */
	out_flush();

	assert_int_equal(vnf_router_link_set(vi, WAN, true, 1280), 0);
	assert_int_equal(vnf_router_iface_mtu(vi, WAN), 1280);
	run1(LAN, mbuf(&df));
	assert_int_equal(n_out, 1);
	assert_int_equal(out_next[0], LAN); /* fragmentation needed */
	assert_int_equal(od(0)[34], 3);
	assert_int_equal(od(0)[35], 4);
	assert_int_equal(get16(od(0) + 40), 1280);
	assert_int_equal(ctr(RT_D_TOO_BIG), 1);
	out_flush();

	run1(LAN, mbuf(&nodf));
	assert_int_equal(n_out, 2);
	for (i = 0; i < n_out; i++) {
		assert_int_equal(out_next[i], WAN);
		assert_true(rte_pktmbuf_pkt_len(out_m[i]) - 14 <= 1280);
		total += rte_pktmbuf_pkt_len(out_m[i]) - 14 - 20;
	}
	assert_int_equal(total, 8 + 2000);
	out_flush();

	ip6 = v6.b + 14;
	put16(ip6 + 4, 1300);
	memset(ip6 + 40 + 64, 0xab, 1300 - 64);
	v6.len = 14 + 40 + 1300;
	icmp6_fix(ip6);
	run1(LAN, mbuf(&v6));
	assert_int_equal(n_out, 1);
	assert_int_equal(od(0)[54], 2);
	assert_int_equal(get16(od(0) + 60), 1280);
	out_flush();

	/* back to 1500: the fast path forwards it again */
	assert_int_equal(vnf_router_link_set(vi, WAN, true, 1500), 0);
	run1(LAN, mbuf(&df));
	assert_int_equal(n_out, 1);
	assert_int_equal(out_next[0], WAN);
	out_flush();
}

/* ---- twins ----------------------------------------------------------------- */

struct punt_case {
	const char *what;
	struct pkt p;
	uint16_t in;
	bool punted;  /* else it is not punted */
	uint16_t out; /* not punted: where it goes (0xffff: drop) */
};

static void
test_punt_policy(void **state)
{
	static const uint8_t M224_5[6] = {1, 0, 0x5e, 0, 0, 5};
	static const uint8_t M33_5[6] = {0x33, 0x33, 0, 0, 0, 5};
	static const uint8_t SNM1[6] = {0x33, 0x33, 0xff, 0, 0, 1};
	struct punt_case c[] = {
		{"arp request for us",
		 arp(BCAST, H1, 1, H1, "10.0.0.2", ZERO6, "10.0.0.1"), LAN,
		 true, 0},
		{"arp reply to us",
		 arp(R_WAN, GW2, 2, GW2, "192.0.2.9", R_WAN, "192.0.2.1"), WAN,
		 true, 0},
		{"arp request for another",
		 arp(BCAST, H1, 1, H1, "10.0.0.2", ZERO6, "10.0.0.77"), LAN,
		 false, 0xffff},
		{"ns for us",
		 nd(SNM1, H1, 135, "2001:db8::2", "ff02::1:ff00:1",
		    "2001:db8::1", 0, 255, true),
		 LAN, true, 0},
		{"na to us",
		 nd(R_LAN, H2, 136, "2001:db8::3", "2001:db8::1", "2001:db8::3",
		    0x60, 255, true),
		 LAN, true, 0},
		{"echo to us", echo4("10.0.0.2", "10.0.0.1", 64, 1), LAN, true,
		 0},
		{"echo6 to us", echo6(R_LAN, "2001:db8::2", "2001:db8::1", 64),
		 LAN, true, 0},
		{"tcp to us (wan addr)",
		 ip4p(R_LAN, "10.0.0.2", "192.0.2.1", 6), LAN, true, 0},
		{"tcp to us on wan", ip4p(R_WAN, "192.0.2.7", "192.0.2.1", 6),
		 WAN, true, 0},
		{"ospf 224.0.0.5", ip4p(M224_5, "10.0.0.2", "224.0.0.5", 89),
		 LAN, true, 0},
		{"ospf ff02::5", ip6p(M33_5, "fe80::2", "ff02::5", 89), LAN,
		 true, 0},
		{"fe80:: dst", ip6p(R_LAN, "fe80::2", "fe80::77", 17), LAN,
		 true, 0},
		{"bgp to link-local of ours",
		 ip6p(R_WAN, "fe80::9", "fe80::ff:fe00:102", 6), WAN, true, 0},
		{"transit v4",
		 udp4(R_LAN, "10.0.0.2", "198.51.100.7", 64, 1, 2, 20, 0), LAN,
		 false, WAN},
		{"transit v6",
		 echo6(R_LAN, "2001:db8::2", "2001:db8:100::7", 64), LAN, false,
		 WAN},
		{"224.1.1.1 not routed",
		 ip4p(M224_5, "10.0.0.2", "224.1.1.1", 17), LAN, false, 0xffff},
	};
	struct rte_ring *ring;
	uint64_t punted;
	unsigned int i;
	void *obj = NULL;
	int efd;

	(void)state;
	/* the neighbours of the replies, so that they are "ours" */
	efd = eventfd(0, EFD_NONBLOCK);
	assert_true(efd >= 0);
	ring = vnf_router_twin_attach(vi, efd);
	assert_non_null(ring);
	assert_ptr_equal(vnf_router_twin_attach(vi, efd), ring);
	for (i = 0; i < RTE_DIM(c); i++) {
		punted = ctr(RT_C_PUNTED);
		run1(c[i].in, mbuf(&c[i].p));
		print_message("  %-28s punted %lu, out %u\n", c[i].what,
			      (unsigned long)(ctr(RT_C_PUNTED) - punted),
			      n_out);
		if (c[i].punted) {
			if (ctr(RT_C_PUNTED) != punted + 1)
				fail_msg("%s: not punted", c[i].what);
			assert_int_equal(n_out, 0);
			assert_int_equal(rte_ring_sc_dequeue(ring, &obj), 0);
			assert_int_equal(((struct rte_mbuf *)obj)->port,
					 c[i].in);
			assert_int_equal(
				rte_pktmbuf_pkt_len((struct rte_mbuf *)obj),
				c[i].p.len);
			rte_pktmbuf_free(obj);
		} else {
			if (ctr(RT_C_PUNTED) != punted)
				fail_msg("%s: punted", c[i].what);
			assert_int_equal(n_out, c[i].out == 0xffff ? 0 : 1);
			if (c[i].out != 0xffff)
				assert_int_equal(out_next[0], c[i].out);
		}
		assert_int_equal(rte_ring_count(ring), 0);
		out_flush();
	}
	/* learned before punting: the ARP and ND senders */
	assert_int_equal(neigh_state("10.0.0.2", LAN, NULL), RT_NS_STALE);
	assert_int_equal(neigh_state("2001:db8::2", LAN, NULL), RT_NS_STALE);
	assert_int_equal(neigh_state("2001:db8::3", LAN, NULL), RT_NS_NONE);

	/* detached: answered here again, the fe80 one dropped */
	vnf_router_twin_detach(vi);
	close(efd);
	run1(LAN, mbuf(&c[0].p));
	assert_int_equal(n_out, 1);
	assert_int_equal(ctr(RT_C_ARP_REPLIES), 1);
	out_flush();
	punted = ctr(RT_C_PUNTED);
	run1(LAN, mbuf(&c[11].p));
	run1(LAN, mbuf(&c[10].p));
	assert_int_equal(ctr(RT_C_PUNTED), punted);
	assert_int_equal(ctr(RT_D_LINKLOCAL), 1);
	assert_int_equal(ctr(RT_D_MCAST), 2);
}

/* An ARP reply to the router's own request: learned REACHABLE (the held
 * packet leaves), and punted too. */
static void
test_punt_arp_reply_learned(void **state)
{
	struct pkt p = udp4(R_LAN, "10.0.0.2", "198.51.100.7", 64, 1, 2, 20, 0);
	struct pkt rep =
		arp(R_WAN, GW, 2, GW, "192.0.2.254", R_WAN, "192.0.2.1");
	struct rte_ring *ring;
	void *obj = NULL;

	(void)state;
	ring = vnf_router_twin_attach(vi, -1);
	/* the router resolves its own next hops, twins or not */
	run1(LAN, mbuf(&p));
	assert_int_equal(n_out, 1);
	assert_int_equal(out_next[0], WAN);
	assert_int_equal(get16(od(0) + 12), 0x0806);
	out_flush();
	run1(WAN, mbuf(&rep));
	assert_int_equal(neigh_state("192.0.2.254", WAN, NULL),
			 RT_NS_REACHABLE);
	assert_int_equal(n_out, 1); /* the held packet */
	assert_int_equal(out_next[0], WAN);
	out_flush();
	assert_int_equal(rte_ring_sc_dequeue(ring, &obj), 0);
	assert_int_equal(((struct rte_mbuf *)obj)->port, WAN);
	rte_pktmbuf_free(obj);
}

static void
test_wake_once_per_arming(void **state)
{
	struct pkt p = ip4p(R_LAN, "10.0.0.2", "10.0.0.1", 6);
	struct rte_ring *ring;
	uint64_t v = 0;
	int efd, i;

	(void)state;
	efd = eventfd(0, EFD_NONBLOCK);
	assert_true(efd >= 0);
	/* not attached: arming does nothing */
	vnf_router_punt_arm(vi);
	assert_false(atomic_load(&rt->punt_armed));
	ring = vnf_router_twin_attach(vi, efd);
	assert_non_null(ring);

	/* not armed: no write */
	run1(LAN, mbuf(&p));
	assert_int_equal(read(efd, &v, sizeof(v)), -1);
	assert_int_equal(errno, EAGAIN);

	vnf_router_punt_arm(vi);
	for (i = 0; i < 3; i++)
		run1(LAN, mbuf(&p));
	assert_int_equal(read(efd, &v, sizeof(v)), (ssize_t)sizeof(v));
	assert_int_equal(v, 1);
	assert_int_equal(read(efd, &v, sizeof(v)), -1);
	assert_int_equal(ctr(RT_C_PUNT_WAKEUPS), 1);

	vnf_router_punt_arm(vi);
	vnf_router_punt_arm(vi);
	run1(LAN, mbuf(&p));
	run1(LAN, mbuf(&p));
	assert_int_equal(read(efd, &v, sizeof(v)), (ssize_t)sizeof(v));
	assert_int_equal(v, 1);
	assert_int_equal(ctr(RT_C_PUNT_WAKEUPS), 2);
	assert_int_equal(rte_ring_count(ring), 6);

	/* detach frees what is left and stops writing the fd */
	vnf_router_punt_arm(vi);
	vnf_router_twin_detach(vi);
	assert_int_equal(rte_ring_count(ring), 0);
	assert_int_equal(rt->wake_fd, -1);
	close(efd);
	run1(LAN, mbuf(&p));
	assert_int_equal(ctr(RT_C_PUNT_WAKEUPS), 2);
}

static void
poll_once(struct rte_mbuf **pkts, uint16_t *next, uint16_t *n)
{
	struct vnf_burst b = {.pkts = pkts, .next = next, .n = VNF_BURST_MAX};

	vi->ops->poll(vi, &wc, &b);
	*n = b.n;
}

static void
test_inject_poll(void **state)
{
	struct rte_mbuf *m[4], *got[VNF_BURST_MAX];
	uint16_t ifs[4] = {WAN, LAN, WAN, 7}, next[VNF_BURST_MAX], n;
	struct pkt p = udp4(GW, "192.0.2.1", "192.0.2.254", 64, 1, 2, 20, 0);
	unsigned int i;

	(void)state;
	for (i = 0; i < 4; i++)
		m[i] = mbuf(&p);
	/* not attached: nothing queued, poll has nothing */
	assert_int_equal(vnf_router_inject(vi, m, ifs, 3), 0);
	poll_once(got, next, &n);
	assert_int_equal(n, 0);

	assert_non_null(vnf_router_twin_attach(vi, -1));
	/* the first bad iface ends what is queued */
	assert_int_equal(vnf_router_inject(vi, m, ifs, 4), 3);
	rte_pktmbuf_free(m[3]);
	poll_once(got, next, &n);
	assert_int_equal(n, 3);
	for (i = 0; i < 3; i++) {
		assert_ptr_equal(got[i], m[i]);
		assert_int_equal(next[i], ifs[i]);
		/* as the kernel sent it */
		assert_memory_equal(rte_pktmbuf_mtod(got[i], uint8_t *), GW, 6);
		rte_pktmbuf_free(got[i]);
	}
	assert_int_equal(ctr(RT_C_INJECTED), 3);
	poll_once(got, next, &n);
	assert_int_equal(n, 0);

	/* by a down iface: lost, counted */
	assert_int_equal(vnf_router_link_set(vi, WAN, false, 0), 0);
	for (i = 0; i < 3; i++)
		m[i] = mbuf(&p);
	assert_int_equal(vnf_router_inject(vi, m, ifs, 3), 3);
	poll_once(got, next, &n);
	assert_int_equal(n, 1);
	assert_int_equal(next[0], LAN);
	rte_pktmbuf_free(got[0]);
	assert_int_equal(ctr(RT_L_IFACE_DOWN), 2);
	assert_int_equal(ctr(RT_C_INJECTED), 4);

	/* left on the ring at detach: freed by the router */
	for (i = 0; i < 2; i++)
		m[i] = mbuf(&p);
	assert_int_equal(vnf_router_inject(vi, m, ifs + 1, 2), 2);
	vnf_router_twin_detach(vi);
	assert_int_equal(rte_ring_count(rt->inject), 0);
	poll_once(got, next, &n);
	assert_int_equal(n, 0);
}

/* ---- kernel neighbours ----------------------------------------------------- */

static void
test_kneigh(void **state)
{
	struct pkt p = udp4(R_LAN, "10.0.0.2", "198.51.100.7", 64, 1, 2, 20, 0);
	struct pkt q = arp(BCAST, H1, 1, H1, "10.0.0.2", ZERO6, "10.0.0.1");
	uint8_t a[16], mac[6];
	unsigned int removed = 99;
	uint32_t count;

	(void)state;
	/* usable at once: no ARP before forwarding */
	a4(a, "192.0.2.254");
	assert_int_equal(vnf_router_kneigh_set(vi, WAN, AF_INET, a, GW, false),
			 0);
	assert_int_equal(neigh_state("192.0.2.254", WAN, mac), RT_NS_REACHABLE);
	assert_memory_equal(mac, GW, 6);
	run1(LAN, mbuf(&p));
	assert_int_equal(n_out, 1);
	assert_memory_equal(od(0), GW, 6);
	out_flush();

	/* permanent: static, a new MAC */
	assert_int_equal(vnf_router_kneigh_set(vi, WAN, AF_INET, a, GW2, true),
			 0);
	assert_int_equal(neigh_state("192.0.2.254", WAN, mac), RT_NS_STATIC);
	assert_memory_equal(mac, GW2, 6);
	/* deleted: the route's next hop keeps the entry, to be resolved */
	assert_int_equal(vnf_router_kneigh_del(vi, WAN, AF_INET, a), 0);
	assert_int_equal(neigh_state("192.0.2.254", WAN, NULL),
			 RT_NS_INCOMPLETE);
	/* an address nobody uses goes entirely */
	a4(a, "192.0.2.77");
	assert_int_equal(vnf_router_kneigh_set(vi, WAN, AF_INET, a, GW, true),
			 0);
	assert_int_equal(vnf_router_kneigh_del(vi, WAN, AF_INET, a), 0);
	assert_int_equal(neigh_state("192.0.2.77", WAN, NULL), RT_NS_NONE);
	assert_int_equal(vnf_router_kneigh_del(vi, WAN, AF_INET, a), 0);

	/* learned by the router: updated, not duplicated */
	run1(LAN, mbuf(&q));
	out_flush();
	assert_int_equal(neigh_state("10.0.0.2", LAN, NULL), RT_NS_STALE);
	count = atomic_load(&rt->neigh.count);
	a4(a, "10.0.0.2");
	assert_int_equal(vnf_router_kneigh_set(vi, LAN, AF_INET, a, H2, false),
			 0);
	assert_int_equal(atomic_load(&rt->neigh.count), count);
	assert_int_equal(neigh_state("10.0.0.2", LAN, mac), RT_NS_REACHABLE);
	assert_memory_equal(mac, H2, 6);

	/* mark / sweep: what was not set again goes */
	a6(a, "2001:db8::9");
	assert_int_equal(vnf_router_kneigh_set(vi, LAN, AF_INET6, a, H1, true),
			 0);
	vnf_router_kneigh_mark(vi);
	a4(a, "10.0.0.2");
	assert_int_equal(vnf_router_kneigh_set(vi, LAN, AF_INET, a, H2, false),
			 0);
	assert_int_equal(vnf_router_kneigh_sweep(vi, &removed), 0);
	assert_int_equal(removed, 1);
	assert_int_equal(neigh_state("2001:db8::9", LAN, NULL), RT_NS_NONE);
	assert_int_equal(neigh_state("10.0.0.2", LAN, NULL), RT_NS_REACHABLE);
	/* the learned-then-forgotten next hop stays (incomplete, used) */
	assert_int_equal(neigh_state("192.0.2.254", WAN, NULL),
			 RT_NS_INCOMPLETE);
	assert_int_equal(vnf_router_kneigh_sweep(vi, &removed), 0);
	assert_int_equal(removed, 0);

	/* arguments */
	assert_int_equal(vnf_router_kneigh_set(vi, 5, AF_INET, a, H1, false),
			 -EINVAL);
	assert_int_equal(
		vnf_router_kneigh_set(vi, LAN, AF_INET, a, BCAST, false),
		-EINVAL);
	assert_int_equal(vnf_router_kneigh_del(vi, LAN, 3, a), -EINVAL);
}

/* The config's static entries win over the kernel's. */
static void
test_kneigh_config_static(void **state)
{
	uint8_t a[16], mac[6];
	unsigned int removed;

	(void)state;
	a4(a, "192.0.2.254");
	vnf_router_kneigh_mark(vi);
	assert_int_equal(vnf_router_kneigh_set(vi, WAN, AF_INET, a, GW2, false),
			 0);
	assert_int_equal(neigh_state("192.0.2.254", WAN, mac), RT_NS_STATIC);
	assert_memory_equal(mac, GW, 6);
	assert_int_equal(vnf_router_kneigh_del(vi, WAN, AF_INET, a), 0);
	vnf_router_kneigh_mark(vi);
	assert_int_equal(vnf_router_kneigh_sweep(vi, &removed), 0);
	assert_int_equal(removed, 0);
	assert_int_equal(neigh_state("192.0.2.254", WAN, mac), RT_NS_STATIC);
	assert_memory_equal(mac, GW, 6);
}

/* ---- accessors, show mirror ------------------------------------------------ */

struct addr_list {
	unsigned int n;
	char s[8][64];
};

static void
collect_addr(uint8_t family, const uint8_t *addr, uint8_t len, void *arg)
{
	struct addr_list *l = arg;
	char b[INET6_ADDRSTRLEN];

	assert_true(l->n < 8);
	inet_ntop(family, addr, b, sizeof(b));
	snprintf(l->s[l->n++], sizeof(l->s[0]), "%s/%u", b, len);
}

static void
test_accessors(void **state)
{
	struct addr_list l = {0};
	uint8_t mac[6], a[16];

	(void)state;
	assert_null(vnf_router_mirror_config(vi));
	assert_int_equal(vnf_router_n_ifaces(vi), 2);
	assert_string_equal(vnf_router_iface_name(vi, WAN), "wan");
	assert_null(vnf_router_iface_name(vi, 2));
	vnf_router_iface_mac(vi, WAN, mac);
	assert_memory_equal(mac, R_WAN, 6);
	assert_int_equal(vnf_router_iface_mtu(vi, LAN), 1500);
	/* the config's, not the current ones */
	a4(a, "10.0.7.1");
	assert_int_equal(vnf_router_addr_add(vi, LAN, AF_INET, a, 24), 0);
	vnf_router_iface_config_addrs(vi, LAN, collect_addr, &l);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.s[0], "10.0.0.1/24");
	assert_string_equal(l.s[1], "2001:db8::1/64");
	assert_int_equal(vnf_router_n_ifaces(NULL), 0);

	/* with mirror: in the config */
	vnf_router_twin_detach(vi);
	vnf_instance_destroy(vi);
	cfg_default(true, true);
	memset(&mcfg, 0, sizeof(mcfg));
	snprintf(mcfg.netns, sizeof(mcfg.netns), "rtr-ns");
	mcfg.table = 100;
	rcfg.mirror = &mcfg;
	router_start();
	assert_non_null(vnf_router_mirror_config(vi));
	assert_string_equal(vnf_router_mirror_config(vi)->netns, "rtr-ns");
	assert_int_equal(vnf_router_mirror_config(vi)->table, 100);
}

static json_t *
mirror_json(void *arg)
{
	return json_pack("{s:s, s:i}", "state", (const char *)arg, "resyncs",
			 2);
}

static void
test_show_mirror(void **state)
{
	json_t *args, *reply = NULL;

	(void)state;
	args = json_pack("{s:s}", "vnf", "rtr");
	assert_int_equal(vnf_verb_call(vi, "show mirror", args, &reply),
			 -ENOENT);
	assert_string_equal(json_string_value(reply),
			    "router rtr has no mirror");
	json_decref(reply);
	/* unnamed: left out of the list (port mirrors share the verb) */
	assert_int_equal(vnf_verb_call(vi, "show mirror", NULL, &reply), 0);
	assert_null(reply);

	vnf_router_mirror_hook(vi, mirror_json, "synced");
	assert_int_equal(vnf_verb_call(vi, "show mirror", args, &reply), 0);
	assert_string_equal(json_string_value(json_object_get(reply, "vnf")),
			    "rtr");
	assert_string_equal(json_string_value(json_object_get(reply, "state")),
			    "synced");
	assert_int_equal(json_integer_value(json_object_get(reply, "resyncs")),
			 2);
	json_decref(reply);
	vnf_router_mirror_hook(vi, NULL, NULL);
	assert_int_equal(vnf_verb_call(vi, "show mirror", args, &reply),
			 -ENOENT);
	json_decref(reply);
	json_decref(args);
}

static int
eal_setup(void **state)
{
	(void)state;
	return router_eal_setup("test_router_mirror", "ut-rtmirror", "ut_rtmirror");
}

/* ---- svi ifaces (`svi: NAME`, the EVPN SVI as an iface's kernel side) --- */

static const uint8_t RMAC[6] = {2, 0, 0, 2, 0x0f, 0xa0};

/* The contract's router: lan is gw100 (10.0.0.1/24, svi br100), wan is
 * l3 (no address, svi br4000); no routes, no neighbours. */
static int
setup_svi(void **state)
{
	(void)state;
	cfg_default(false, false);
	rcfg.n_routes = 0;
	rifcs[WAN].n_addrs = 0;
	snprintf(rifcs[LAN].svi, sizeof(rifcs[LAN].svi), "br100");
	snprintf(rifcs[WAN].svi, sizeof(rifcs[WAN].svi), "br4000");
	memset(&mcfg, 0, sizeof(mcfg));
	snprintf(mcfg.netns, sizeof(mcfg.netns), "h1-evpn");
	rcfg.mirror = &mcfg;
	router_start();
	return 0;
}

struct svi_seen {
	unsigned int n;
	uint16_t iface;
	uint8_t family;
	uint8_t ip[16];
	uint8_t mac[6];
};

static void
svi_seen_one(uint16_t iface, uint8_t family, const uint8_t *ip,
	     const uint8_t mac[6], void *arg)
{
	struct svi_seen *s = arg;

	s->n++;
	s->iface = iface;
	s->family = family;
	memcpy(s->ip, ip, family == AF_INET ? 4 : 16);
	memcpy(s->mac, mac, 6);
}

/* With the twins attached, an svi iface has none: the router answers
 * ARP and echo there itself and drops what it would punt ("no-twin"),
 * nothing is queued. */
static void
test_svi_punt_per_iface(void **state)
{
	struct pkt q = arp(BCAST, H1, 1, H1, "10.0.0.2", ZERO6, "10.0.0.1");
	struct pkt e = echo4("10.0.0.2", "10.0.0.1", 64, 1);
	struct pkt t = ip4p(R_LAN, "10.0.0.2", "10.0.0.1", 6);
	struct svi_seen seen = {0};
	struct rte_ring *ring;
	uint8_t a[16];
	int efd;

	(void)state;
	assert_string_equal(vnf_router_iface_svi(vi, LAN), "br100");
	assert_string_equal(vnf_router_iface_svi(vi, WAN), "br4000");
	efd = eventfd(0, EFD_NONBLOCK);
	assert_true(efd >= 0);
	ring = vnf_router_twin_attach(vi, efd);
	assert_non_null(ring);

	run1(LAN, mbuf(&q));
	assert_int_equal(n_out, 1);
	assert_int_equal(out_next[0], LAN);
	assert_int_equal(ctr(RT_C_ARP_REPLIES), 1);
	out_flush();
	/* the requester, learned on an svi iface: to be written back; a
	 * kernel (NOARP, static) neighbour is not */
	a4(a, "10.0.0.9");
	assert_int_equal(vnf_router_kneigh_set(vi, LAN, AF_INET, a, H2, true),
			 0);
	vnf_router_svi_neighs(vi, svi_seen_one, &seen);
	assert_int_equal(seen.n, 1);
	assert_int_equal(seen.iface, LAN);
	assert_int_equal(seen.family, AF_INET);
	a4(a, "10.0.0.2");
	assert_memory_equal(seen.ip, a, 4);
	assert_memory_equal(seen.mac, H1, 6);
	run1(LAN, mbuf(&e));
	assert_int_equal(n_out, 1);
	assert_int_equal(ctr(RT_C_ECHO4), 1);
	out_flush();
	run1(LAN, mbuf(&t));
	assert_int_equal(n_out, 0);
	assert_int_equal(ctr(RT_D_NO_TWIN), 1);
	assert_int_equal(ctr(RT_C_PUNTED), 0);
	assert_int_equal(rte_ring_count(ring), 0);
	vnf_router_twin_detach(vi);
	close(efd);
}

/* zebra's type-5 route: 10.2.0.0/24 via 10.0.2.2 onlink on the L3 VNI's
 * iface, which has no address, resolved by the remote VTEP's router MAC
 * (a NOARP neighbour: static).  Out with dst RMAC, src the iface's MAC,
 * TTL decremented; the route's delete is mirrored. */
static void
test_svi_onlink_route(void **state)
{
	struct pkt p = udp4(R_LAN, "10.0.0.2", "10.2.0.5", 64, 1, 2, 20, 0);
	struct vnf_router_kroute k = {
		.family = AF_INET,
		.len = 24,
		.type = VNF_RT_UNICAST,
		.proto = RTPROT_BGP,
		.n_nh = 1,
		.metric = 20,
		.addr = {10, 2, 0, 0},
		.nh = {{.iface = WAN,
			.has_gw = true,
			.weight = 1,
			.gw = {10, 0, 2, 2}}},
	};
	unsigned int failed = 9;
	char err[128] = "";
	uint8_t a[16], mac[6];
	const uint8_t *o;

	(void)state;
	assert_int_equal(
		vnf_router_kroutes_apply(vi, &k, 1, &failed, err, sizeof(err)),
		0);
	assert_int_equal(failed, 0);
	a4(a, "10.0.2.2");
	assert_int_equal(vnf_router_kneigh_set(vi, WAN, AF_INET, a, RMAC, true),
			 0);
	assert_int_equal(neigh_state("10.0.2.2", WAN, mac), RT_NS_STATIC);
	assert_memory_equal(mac, RMAC, 6);

	run1(LAN, mbuf(&p));
	assert_int_equal(n_out, 1);
	assert_int_equal(out_next[0], WAN);
	o = od(0);
	assert_memory_equal(o, RMAC, 6);
	assert_memory_equal(o + 6, R_WAN, 6);
	assert_int_equal(o[14 + 8], 63);
	out_flush();

	/* never aged: still static much later, after the housekeeping */
	wc.now += rte_get_tsc_hz() * 3600;
	for (unsigned int i = 0; i <= rt->neigh.n_pos / 8192 + 1; i++)
		vi->ops->periodic(vi, wc.now);
	run1(LAN, mbuf(&p));
	assert_int_equal(n_out, 1);
	assert_memory_equal(od(0), RMAC, 6);
	out_flush();
	assert_int_equal(neigh_state("10.0.2.2", WAN, NULL), RT_NS_STATIC);

	k.del = true;
	assert_int_equal(
		vnf_router_kroutes_apply(vi, &k, 1, &failed, err, sizeof(err)),
		0);
	run1(LAN, mbuf(&p));
	/* no route: at most the ICMP error back to the sender */
	assert_true(n_out == 0 || out_next[0] == LAN);
	assert_int_equal(ctr(RT_D_NO_ROUTE), 1);
	out_flush();
	assert_int_equal(vnf_router_kneigh_del(vi, WAN, AF_INET, a), 0);
	assert_int_equal(neigh_state("10.0.2.2", WAN, NULL), RT_NS_NONE);
}

int
main(void)
{
#define R(fn) cmocka_unit_test_setup_teardown(fn, setup_resolve, teardown)
#define S(fn) cmocka_unit_test_setup_teardown(fn, setup_static, teardown)
#define V4(fn) cmocka_unit_test_setup_teardown(fn, setup_v4only, teardown)
	const struct CMUnitTest tests[] = {
		S(test_addrs_while_reading),
		S(test_addr_args),
		R(test_addr_arp_echo),
		V4(test_v6_at_run_time),
		S(test_link_down),
		S(test_link_down_in_and_made),
		S(test_mtu_change),
		S(test_punt_policy),
		R(test_punt_arp_reply_learned),
		S(test_wake_once_per_arming),
		S(test_inject_poll),
		R(test_kneigh),
		S(test_kneigh_config_static),
		S(test_accessors),
		S(test_show_mirror),
		cmocka_unit_test_setup_teardown(test_svi_punt_per_iface,
						setup_svi, teardown),
		cmocka_unit_test_setup_teardown(test_svi_onlink_route,
						setup_svi, teardown),
	};

	return cmocka_run_group_tests(tests, eal_setup, router_eal_teardown);
}
