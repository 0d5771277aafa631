/* SPDX-License-Identifier: BSD-3-Clause
 *
 * router_test.h - the set-up that the router's unit tests (test_router.c,
 * test_router_mirror.c, test_router_rib.c) share: the instance and its
 * config, the mbuf pool and worker context, and one burst run the way the
 * graph runner runs it.
 *
 * Header only, like router_pkt.h: each test is its own executable with
 * its own copy of this state, and a test that does not drive packets
 * (test_router_rib.c) leaves the packet part unused.  Included after
 * cmocka.h and the router's headers, before router_pkt.h.
 */
#ifndef NFV_TEST_ROUTER_TEST_H
#define NFV_TEST_ROUTER_TEST_H

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "tests/common/test_eal.h"
#include "tests/common/test_rcu.h"
#include "tests/common/test_wctx.h"

#define LAN 0
#define WAN 1

static const uint8_t R_LAN[6] = {2, 0, 0, 0, 1, 1};
static const uint8_t R_WAN[6] = {2, 0, 0, 0, 1, 2};
static const uint8_t GW[6] = {2, 0, 0, 0, 2, 0xfe};

static struct rte_mempool *pool;
static struct rte_rcu_qsbr *qsbr;
static struct vnf_instance *vi;
static struct rt *rt;
static struct vnf_emit emit;
static struct vnf_wctx wc;
static uint64_t hz __rte_unused;

/* What one process() call produced, like the runner sees it. */
#define OUT_MAX 600
static struct rte_mbuf *out_m[OUT_MAX];
static uint16_t out_next[OUT_MAX];
static unsigned int n_out;

/* ---- config ------------------------------------------------------------ */

static struct ctl_prefix lan_addrs[2], wan_addrs[2];
static struct ctl_iface_config ifcs[2];
static struct rt_iface_config rifcs[2];
static struct rt_config rcfg;
static struct rt_route_config routes[4];
static struct rt_nexthop_config nhs[4];
static struct rt_neigh_config neighs[2];
static struct ctl_vnf_config cfg;

static void
pfx(struct ctl_prefix *p, const char *a, uint8_t len)
{
	memset(p, 0, sizeof(*p));
	p->family = strchr(a, ':') ? AF_INET6 : AF_INET;
	assert_int_equal(inet_pton(p->family, a, p->addr), 1);
	p->len = len;
}

/* A config with no routes: lan 10.0.0.1/24 2001:db8::1/64, wan
 * 192.0.2.1/24 2001:db8:1::1/64 (v6 false: the IPv4 addresses only). */
static void
cfg_ifaces(bool v6)
{
	memset(&cfg, 0, sizeof(cfg));
	memset(ifcs, 0, sizeof(ifcs));
	memset(&rcfg, 0, sizeof(rcfg));
	memset(rifcs, 0, sizeof(rifcs));
	rcfg.ifaces = rifcs;
	cfg.priv = &rcfg;
	snprintf(cfg.name, sizeof(cfg.name), "rtr");
	snprintf(cfg.type, sizeof(cfg.type), "router");
	snprintf(ifcs[0].name, sizeof(ifcs[0].name), "lan");
	snprintf(ifcs[1].name, sizeof(ifcs[1].name), "wan");
	rifcs[0].has_mac = rifcs[1].has_mac = true;
	memcpy(rifcs[0].mac, R_LAN, 6);
	memcpy(rifcs[1].mac, R_WAN, 6);
	rifcs[0].mtu = rifcs[1].mtu = 1500;
	pfx(&lan_addrs[0], "10.0.0.1", 24);
	pfx(&lan_addrs[1], "2001:db8::1", 64);
	pfx(&wan_addrs[0], "192.0.2.1", 24);
	pfx(&wan_addrs[1], "2001:db8:1::1", 64);
	rifcs[0].addrs = lan_addrs;
	rifcs[0].n_addrs = v6 ? 2 : 1;
	rifcs[1].addrs = wan_addrs;
	rifcs[1].n_addrs = v6 ? 2 : 1;
	cfg.ifaces = ifcs;
	cfg.n_ifaces = 2;
}

/* The first n (1 or 2) of: 198.51.100.0/24 via 192.0.2.254,
 * 2001:db8:100::/48 via 2001:db8:1::fe. */
static void
cfg_routes(unsigned int n)
{
	memset(routes, 0, sizeof(routes));
	memset(nhs, 0, sizeof(nhs));
	pfx(&routes[0].prefix, "198.51.100.0", 24);
	routes[0].nh = &nhs[0];
	routes[0].n_nh = 1;
	nhs[0].has_via = true;
	pfx(&nhs[0].via, "192.0.2.254", 32);
	pfx(&routes[1].prefix, "2001:db8:100::", 48);
	routes[1].nh = &nhs[1];
	routes[1].n_nh = 1;
	nhs[1].has_via = true;
	pfx(&nhs[1].via, "2001:db8:1::fe", 128);
	rcfg.routes = routes;
	rcfg.n_routes = n;
}

/* The first n (0, 1 or 2) of the static gateway entries: 192.0.2.254 and
 * 2001:db8:1::fe at GW on wan. */
static void __rte_unused
cfg_neighs(unsigned int n)
{
	memset(neighs, 0, sizeof(neighs));
	if (n == 0)
		return;
	snprintf(neighs[0].iface, CTL_NAME_MAX, "wan");
	pfx(&neighs[0].ip, "192.0.2.254", 32);
	memcpy(neighs[0].mac, GW, 6);
	snprintf(neighs[1].iface, CTL_NAME_MAX, "wan");
	pfx(&neighs[1].ip, "2001:db8:1::fe", 128);
	memcpy(neighs[1].mac, GW, 6);
	rcfg.neighbors = neighs;
	rcfg.n_neighbors = n;
}

/* ---- the instance ------------------------------------------------------ */

/* The instance from cfg: vi and rt. */
static void
router_create(void)
{
	char err[256] = "";
	int rc;

	rc = vnf_instance_create(&cfg, 0, 1, qsbr, &vi, err, sizeof(err));
	if (rc != 0)
		fail_msg("create: %s", err);
	rt = vi->priv;
}

/* The instance from cfg with a worker context on pool, no output yet. */
static void __rte_unused
router_start(void)
{
	router_create();
	nfv_test_vnf_wctx(&wc, vi, 0, &emit, pool, rte_rdtsc());
	n_out = 0;
}

static void __rte_unused
out_flush(void)
{
	unsigned int i;

	for (i = 0; i < n_out; i++)
		rte_pktmbuf_free(out_m[i]);
	n_out = 0;
}

/* A test's teardown: the instance destroyed (its twin detached first when
 * detach), then each packet it was handed counted once by its fate
 * (checked after the instance is gone, so that a failure leaks nothing)
 * and every mbuf back: held, punted, emitted and injected ones included. */
static int __rte_unused
router_stop(bool detach)
{
	struct vnf_fates f;

	vnf_fates_get(vi, &f);
	out_flush();
	if (detach)
		vnf_router_twin_detach(vi);
	vnf_instance_destroy(vi);
	vi = NULL;
	rt = NULL;
	if (f.packets != f.passed + f.dropped + f.held)
		fail_msg("%" PRIu64 " packets in, but %" PRIu64
			 " passed + %" PRIu64 " dropped + %" PRIu64 " held",
			 f.packets, f.passed, f.dropped, f.held);
	assert_int_equal(rte_mempool_in_use_count(pool), 0);
	return 0;
}

static uint64_t __rte_unused
ctr(unsigned int c)
{
	return vi->slots[0].counters[c];
}

/* Run one burst that arrived on iface `in`; outputs go to out_*. Drops are
 * counted and freed like the runner does. */
static void __rte_unused
run(uint16_t in, struct rte_mbuf **pkts, uint16_t n)
{
	struct rte_mbuf *burst[VNF_BURST_MAX];
	uint16_t next[VNF_BURST_MAX], i;
	struct vnf_burst b = {
		.pkts = burst, .next = next, .n = n, .in_iface = in};

	memcpy(burst, pkts, n * sizeof(pkts[0]));
	emit.n = 0;
	vi->slots[0].pkts += n; /* as the runner counts them */
	vi->ops->process(vi, &wc, &b);
	for (i = 0; i < b.n; i++) {
		assert_true(next[i] != RT_NEXT_CONSUMED);
		if (VNF_NEXT_IS_DROP(next[i])) {
			assert_true(VNF_NEXT_COUNTER(next[i]) < RT_N_COUNTERS);
			vi->slots[0].counters[VNF_NEXT_COUNTER(next[i])]++;
			rte_pktmbuf_free(burst[i]);
			continue;
		}
		assert_true(next[i] < vi->n_ifaces);
		assert_true(n_out < OUT_MAX);
		out_m[n_out] = burst[i];
		out_next[n_out++] = next[i];
	}
	for (i = 0; i < emit.n; i++) {
		assert_true(emit.next[i] < vi->n_ifaces);
		assert_true(n_out < OUT_MAX);
		out_m[n_out] = emit.pkts[i];
		out_next[n_out++] = emit.next[i];
	}
	emit.n = 0;
}

static void __rte_unused
run1(uint16_t in, struct rte_mbuf *m)
{
	run(in, &m, 1);
}

/* ---- the group ----------------------------------------------------------- */

/* EAL in memory (prefix names the run), RCU for one reader and, unless
 * pool_name is NULL, the mbuf pool.  0 or -1 (cmocka's group set-up). */
static int
router_eal_setup(const char *prog, const char *prefix, const char *pool_name)
{
	if (nfv_test_eal_init(prog, prefix, 256) < 0)
		return -1;
	hz = rte_get_tsc_hz();
	if (pool_name != NULL) {
		pool = rte_pktmbuf_pool_create(pool_name, 4095, 0, 0,
					       RTE_MBUF_DEFAULT_BUF_SIZE,
					       SOCKET_ID_ANY);
		if (pool == NULL)
			return -1;
	}
	qsbr = nfv_test_qsbr_new(1);
	return qsbr == NULL ? -1 : 0;
}

static int
router_eal_teardown(void **state)
{
	(void)state;
	rte_mempool_free(pool);
	rte_free(qsbr);
	nfv_test_eal_fini();
	return 0;
}

#endif /* NFV_TEST_ROUTER_TEST_H */
