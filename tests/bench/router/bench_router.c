/* SPDX-License-Identifier: BSD-3-Clause
 *
 * bench_router.c - the router's scale and per-packet cost, in one process.
 *
 *   bench_router [-n ROUTES] [-f ROUTE_FILE] [-b BURSTS] [--no-huge]
 *   bench_router --kernel [-n ROUTES] [--v6 ROUTES6] [--no-huge]
 *
 * 1. Load: a route file of ROUTES IPv4 routes (default 1,000,000, written
 *    by a generator with the Internet table's prefix-length mix unless -f
 *    gives one) is loaded into a router instance with
 *    vnf_router_routes_load(): parse, checks, both FIB copies.  Prints the
 *    time, the FIB memory the router reports and what the DPDK heap lost.
 * 2. Lookup: random destinations inside random routes, looked up 32 at a
 *    time with the router's FIB lookup: cycles per address.
 * 3. Lookup + rewrite: bursts of 32 UDP frames to those destinations: the
 *    FIB lookup of the burst and the router's fast path (vnf/router/fwd.h:
 *    next hop, neighbour, TTL and checksum, MACs) for each frame.
 * 4. The same frames through the router's whole process(): header checks
 *    and classification added.
 *    In 3 and 4 the headers are reset between bursts outside the timed
 *    part.  Cycles per packet: median and 10th/90th percentiles of the
 *    bursts.
 *
 * With --kernel instead: kernel routes through the netlink mirror's API
 * (vnf_router_kroutes_apply(), router.h): ROUTES IPv4 routes of the same
 * mix and --v6 IPv6 routes (default 200,000) added in batches of 10,000
 * into tables that grow on the way, then in batches of 1,000 and 10,000
 * into tables sized first (what `mirror.max_routes` is for); a resync of
 * all of them (mark, add all again, sweep), one where 1 in 10 is gone,
 * and all deleted; routes per second of each.
 *
 * A benchmark, not a test: it prints numbers and fails only when
 * something does not work (a route that does not load, a packet that is
 * not forwarded).  Keep runs short on shared machines.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_random.h>
#include <rte_rcu_qsbr.h>

#include "dataplane/dataplane.h"
#include "vnf/router/config.h"
#include "vnf/router/fwd.h"
#include "vnf/router/router.h"
#include "vnf/router/router_priv.h"
#include "tests/common/test_rcu.h"
#include "tests/common/test_wctx.h"

#define N_GW 8
#define BURST 32
#define N_DST (1u << 20)

static const double mix[33] = {
	[8] = 0.002, [9] = 0.002, [10] = 0.005, [11] = 0.01, [12] = 0.03,
	[13] = 0.06, [14] = 0.12, [15] = 0.2,	[16] = 1.4,  [17] = 0.8,
	[18] = 1.4,  [19] = 2.6,  [20] = 4.3,	[21] = 4.6,  [22] = 10.5,
	[23] = 9.5,  [24] = 63.5, [25] = 0.15,	[26] = 0.1,  [27] = 0.05,
	[28] = 0.05, [29] = 0.04, [30] = 0.02,	[32] = 0.02,
};

struct route {
	uint32_t ip;
	uint8_t len;
};

static uint64_t
now_us(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (uint64_t)tv.tv_sec * 1000000 + (uint64_t)tv.tv_usec;
}

/* CPU time of this process (user + system), microseconds. */
static uint64_t
cpu_us(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000 +
	       (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static bool
reserved(uint32_t ip)
{
	uint8_t a = (uint8_t)(ip >> 24);

	return a == 0 || a == 10 || a == 127 || a >= 224 ||
	       (ip & 0xfffe0000) == 0xc6120000;
}

/* n unique routes with the mix, written to path. */
static struct route *
gen_routes(unsigned int n, const char *path)
{
	struct route *r = calloc(n, sizeof(*r));
	uint64_t *hash = calloc(4u * n, sizeof(uint64_t));
	unsigned int i = 0, len, hsize = 4u * n;
	double cum[33], tot = 0;
	FILE *f = fopen(path, "w");

	if (r == NULL || hash == NULL || f == NULL)
		return NULL;
	for (len = 0; len <= 32; len++) {
		tot += mix[len];
		cum[len] = tot;
	}
	while (i < n) {
		double x = (double)rte_rand() / 18446744073709551616.0 * tot;
		uint32_t ip, key, h;

		for (len = 0; len < 32 && cum[len] <= x; len++)
			;
		ip = (uint32_t)rte_rand() & (len ? ~0u << (32 - len) : 0);
		if (reserved(ip))
			continue;
		/* dedupe: open addressing on (ip, len) */
		key = ip ^ (len * 0x9e3779b9u);
		for (h = key % hsize;; h = (h + 1) % hsize) {
			uint64_t *e = hash + h;

			if (*e == 0) {
				*e = ((uint64_t)ip << 8 | len) + 1;
				break;
			}
			if (*e == (((uint64_t)ip << 8 | len) + 1))
				goto dup;
		}
		r[i].ip = ip;
		r[i].len = (uint8_t)len;
		fprintf(f, "%u.%u.%u.%u/%u via 10.1.0.%u\n", ip >> 24,
			(ip >> 16) & 255, (ip >> 8) & 255, ip & 255, len,
			2 + i % N_GW);
		i++;
dup:;
	}
	fclose(f);
	free(hash);
	return r;
}

static struct vnf_instance *
router_create(struct rte_rcu_qsbr *qsbr, bool v6)
{
	static struct ctl_prefix a4[2], b4[2];
	static struct ctl_iface_config ifcs[2];
	static struct rt_neigh_config nb[N_GW + 1];
	static struct ctl_vnf_config cfg;
	static struct rt_iface_config rifcs[2];
	static struct rt_config rcfg;
	struct vnf_instance *vi;
	char err[256];
	unsigned int i;

	snprintf(cfg.name, sizeof(cfg.name), "rtr");
	snprintf(cfg.type, sizeof(cfg.type), "router");
	cfg.priv = &rcfg;
	rcfg.ifaces = rifcs;
	snprintf(ifcs[0].name, CTL_NAME_MAX, "a");
	snprintf(ifcs[1].name, CTL_NAME_MAX, "b");
	rifcs[0].has_mac = rifcs[1].has_mac = true;
	memcpy(rifcs[0].mac, (uint8_t[]){2, 0, 0, 0, 0xaa, 1}, 6);
	memcpy(rifcs[1].mac, (uint8_t[]){2, 0, 0, 0, 0xbb, 1}, 6);
	rifcs[0].mtu = rifcs[1].mtu = 1500;
	a4[0].family = b4[0].family = AF_INET;
	a4[0].len = b4[0].len = 24;
	inet_pton(AF_INET, "10.0.0.1", a4[0].addr);
	inet_pton(AF_INET, "10.1.0.1", b4[0].addr);
	a4[1].family = b4[1].family = AF_INET6;
	a4[1].len = b4[1].len = 64;
	inet_pton(AF_INET6, "2001:db8::1", a4[1].addr);
	inet_pton(AF_INET6, "2001:db8:1::1", b4[1].addr);
	rifcs[0].addrs = a4;
	rifcs[0].n_addrs = v6 ? 2 : 1;
	rifcs[1].addrs = b4;
	rifcs[1].n_addrs = v6 ? 2 : 1;
	cfg.ifaces = ifcs;
	cfg.n_ifaces = 2;
	for (i = 0; i < N_GW; i++) {
		char ip[32];

		snprintf(nb[i].iface, CTL_NAME_MAX, "b");
		snprintf(ip, sizeof(ip), "10.1.0.%u", 2 + i);
		nb[i].ip.family = AF_INET;
		nb[i].ip.len = 32;
		inet_pton(AF_INET, ip, nb[i].ip.addr);
		memcpy(nb[i].mac, (uint8_t[]){2, 0, 0, 0, 0xee, (uint8_t)i}, 6);
	}
	rcfg.neighbors = nb;
	rcfg.n_neighbors = N_GW;
	if (vnf_instance_create(&cfg, 0, 1, qsbr, &vi, err, sizeof(err)) != 0) {
		fprintf(stderr, "bench_router: %s\n", err);
		return NULL;
	}
	return vi;
}

static void
frame_fill(struct rte_mbuf *m, uint32_t dst)
{
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(p + 14);

	memcpy(p, (uint8_t[]){2, 0, 0, 0, 0xaa, 1, 2, 0, 0, 0, 0xcc, 1, 8, 0},
	       14);
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(46);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = rte_cpu_to_be_32(0x0a000002);
	ip->dst_addr = rte_cpu_to_be_32(dst);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
}

/* ---- kernel routes through the mirror's API (--kernel) ------------------ */

/* n unique IPv6 prefixes like a provider-aggregated table: 8192 /32s
 * under 2a00::/16; per route 10% the /32 itself, 20% a /40../44 inside
 * one, 70% a /48 assigned sequentially inside one. */
static struct vnf_router_kroute *
gen_routes6(unsigned int n)
{
	struct vnf_router_kroute *r = calloc(n, sizeof(*r));
	uint64_t *hash = calloc(4u * n, sizeof(uint64_t));
	uint16_t *next48 = calloc(8192, sizeof(uint16_t));
	uint16_t *prov = calloc(8192, sizeof(uint16_t));
	unsigned int i = 0, k, hsize = 4u * n;

	if (r == NULL || hash == NULL || next48 == NULL || prov == NULL)
		return NULL;
	for (k = 0; k < 8192; k++)
		prov[k] = (uint16_t)rte_rand();
	while (i < n) {
		unsigned int p = (unsigned int)(rte_rand() % 8192), x;
		uint64_t key, h;
		uint8_t len;
		uint16_t sub;

		x = (unsigned int)(rte_rand() % 10);
		if (x == 0) {
			len = 32;
			sub = 0;
		} else if (x <= 2) {
			len = (uint8_t)(40 + rte_rand() % 5);
			sub = (uint16_t)(rte_rand() & (0xffffu << (48 - len)));
		} else {
			len = 48;
			sub = next48[p]++;
		}
		key = (uint64_t)prov[p] << 24 | (uint64_t)sub << 8 | len;
		for (h = (key * 0x9e3779b97f4a7c15ull) % hsize;;
		     h = (h + 1) % hsize) {
			if (hash[h] == 0) {
				hash[h] = key + 1;
				break;
			}
			if (hash[h] == key + 1)
				goto dup;
		}
		memset(&r[i], 0, sizeof(r[i]));
		r[i].family = AF_INET6;
		r[i].len = len;
		r[i].addr[0] = 0x2a;
		r[i].addr[2] = (uint8_t)(prov[p] >> 8);
		r[i].addr[3] = (uint8_t)prov[p];
		r[i].addr[4] = (uint8_t)(sub >> 8);
		r[i].addr[5] = (uint8_t)sub;
		i++;
	dup:;
	}
	free(hash);
	free(next48);
	free(prov);
	return r;
}

/* Fill the next hop of a unicast kernel route: gateway g of N_GW on b. */
static void
kroute_gw(struct vnf_router_kroute *k, unsigned int g)
{
	k->type = VNF_RT_UNICAST;
	k->proto = 186; /* bgp */
	k->n_nh = 1;
	k->nh[0].iface = 1;
	k->nh[0].has_gw = true;
	memset(k->nh[0].gw, 0, 16);
	if (k->family == AF_INET) {
		k->nh[0].gw[0] = 10;
		k->nh[0].gw[1] = 1;
		k->nh[0].gw[3] = (uint8_t)(2 + g);
	} else {
		inet_pton(AF_INET6, "2001:db8:1::2", k->nh[0].gw);
		k->nh[0].gw[15] = (uint8_t)(2 + g);
	}
}

/* Apply all[0..n) (del: as deletes; skip: leaving out every skip-th) in
 * batches; seconds taken. */
static double
kroutes_run(struct vnf_instance *vi, const struct vnf_router_kroute *all,
	    unsigned int n, unsigned int batch, bool del, unsigned int skip,
	    unsigned int *failed)
{
	struct vnf_router_kroute *ops = malloc(batch * sizeof(*ops));
	unsigned int i, f;
	char err[256];
	uint64_t t0;

	*failed = 0;
	if (ops == NULL)
		return -1;
	t0 = now_us();
	for (i = 0; i < n;) {
		unsigned int m = 0;

		for (; i < n && m < batch; i++) {
			if (skip != 0 && i % skip == 0)
				continue;
			/* only what a delete reads, like the mirror's parser */
			if (del) {
				ops[m].family = all[i].family;
				ops[m].len = all[i].len;
				memcpy(ops[m].addr, all[i].addr, 16);
				ops[m].del = true;
			} else {
				ops[m] = all[i];
			}
			m++;
		}
		if (vnf_router_kroutes_apply(vi, ops, m, &f, err, sizeof(err)) <
			    0 ||
		    f != 0) {
			fprintf(stderr,
				"bench_router: kroutes: %u failed: %s\n", f,
				err);
			*failed += f ? f : m;
		}
	}
	free(ops);
	return (double)(now_us() - t0) / 1e6;
}

static void
kroutes_print(const char *what, unsigned int n, double s, uint64_t cpu)
{
	printf("  %-38s %8u routes %7.2f s (%5.2f s CPU) %9.0f routes/s\n",
	       what, n, s, (double)cpu / 1e6, n / s);
}

/*
 * Kernel routes as the netlink mirror hands them over: n4 IPv4 (the
 * Internet mix) and n6 IPv6 routes added, a resync (mark, everything
 * added again, sweep), all deleted, with batches of each size in
 * `batches`.  A fresh router per batch size.
 */
/* One run of kernel_bench(): batch size, tables sized up front or not. */
struct kbench_run {
	unsigned int batch;
	bool presize;
};

static int
kernel_bench(struct rte_rcu_qsbr *qsbr, unsigned int n4, unsigned int n6,
	     const struct kbench_run *runs, unsigned int n_runs)
{
	struct vnf_router_kroute *all = calloc(n4 + n6, sizeof(*all));
	struct vnf_router_kroute *r6 = n6 ? gen_routes6(n6) : NULL;
	struct route *r4 = gen_routes(n4, "/dev/null");
	unsigned int b, i, failed, bad = 0, removed;
	uint64_t cpu;
	double t;

	if (all == NULL || r4 == NULL || (n6 && r6 == NULL))
		return 1;
	for (i = 0; i < n4; i++) {
		all[i].family = AF_INET;
		all[i].len = r4[i].len;
		all[i].addr[0] = (uint8_t)(r4[i].ip >> 24);
		all[i].addr[1] = (uint8_t)(r4[i].ip >> 16);
		all[i].addr[2] = (uint8_t)(r4[i].ip >> 8);
		all[i].addr[3] = (uint8_t)r4[i].ip;
		kroute_gw(&all[i], i % N_GW);
	}
	for (i = 0; i < n6; i++) {
		all[n4 + i] = r6[i];
		kroute_gw(&all[n4 + i], i % N_GW);
	}
	free(r4);
	free(r6);
	printf("kernel routes (vnf_router_kroutes_apply): %u IPv4 (Internet "
	       "mix), %u IPv6 (/32../48 under 8192 /32s)\n",
	       n4, n6);
	for (b = 0; b < n_runs; b++) {
		struct vnf_instance *vi = router_create(qsbr, n6 != 0);
		unsigned int batch = runs[b].batch;
		struct rt *rt;

		if (vi == NULL)
			return 1;
		rt = vi->priv;
		printf(" batches of %u, %s:\n", batch,
		       runs[b].presize ? "tables sized for the routes first "
					 "(as mirror.max_routes does)"
				       : "tables growing on the way");
		if (runs[b].presize) {
			uint32_t w4 = 0, w6 = 0;

			for (i = 0; i < n4 + n6; i++)
				*(i < n4 ? &w4 : &w6) += rt_fib_tbl8_weight(
					all[i].family, all[i].len);
			cpu = cpu_us();
			t = (double)now_us();
			if (rt_fib_reserve(&rt->fib4, n4, w4) < 0 ||
			    (n6 && rt_fib_reserve(&rt->fib6, n6, w6) < 0)) {
				fprintf(stderr, "bench_router: cannot size the "
						"tables (raise memory)\n");
				return 1;
			}
			t = ((double)now_us() - t) / 1e6;
			printf("  %-38s %8u routes %7.2f s (%5.2f s CPU)\n",
			       "size the tables", n4 + n6, t,
			       (double)(cpu_us() - cpu) / 1e6);
		}
		cpu = cpu_us();
		t = kroutes_run(vi, all, n4, batch, false, 0, &failed);
		kroutes_print("add IPv4", n4, t, cpu_us() - cpu);
		bad += failed;
		cpu = cpu_us();
		t = kroutes_run(vi, all + n4, n6, batch, false, 0, &failed);
		if (n6)
			kroutes_print("add IPv6", n6, t, cpu_us() - cpu);
		bad += failed;
		printf("  fib: %u + %u routes, %u + %u tbl8 groups, %.1f MiB "
		       "(both copies); kernel routes %u\n",
		       rt->fib4.n_routes, rt->fib6.n_routes, rt->fib4.num_tbl8,
		       rt->fib6.num_tbl8,
		       (double)vnf_router_fib_memory(vi) / 1048576.0,
		       vnf_router_kroutes_count(vi));
		if (vnf_router_kroutes_count(vi) != n4 + n6)
			bad++;
		/* Resync: everything again (unchanged), then the sweep. */
		cpu = cpu_us();
		t = (double)now_us();
		vnf_router_kroutes_mark(vi);
		kroutes_run(vi, all, n4 + n6, batch, false, 0, &failed);
		bad += failed;
		if (vnf_router_kroutes_sweep(vi, &removed) < 0 || removed != 0)
			bad++;
		t = ((double)now_us() - t) / 1e6;
		kroutes_print("resync (mark, add all, sweep)", n4 + n6, t,
			      cpu_us() - cpu);
		/* Resync where 1 in 10 routes is gone: the sweep removes them.
		 */
		cpu = cpu_us();
		t = (double)now_us();
		vnf_router_kroutes_mark(vi);
		kroutes_run(vi, all, n4 + n6, batch, false, 10, &failed);
		if (vnf_router_kroutes_sweep(vi, &removed) < 0)
			bad++;
		t = ((double)now_us() - t) / 1e6;
		printf("  resync, 1 in 10 gone: %u swept in %.2f s\n", removed,
		       t);
		/* back to all, then delete everything */
		kroutes_run(vi, all, n4 + n6, batch, false, 0, &failed);
		cpu = cpu_us();
		t = kroutes_run(vi, all, n4, batch, true, 0, &failed);
		kroutes_print("delete IPv4", n4, t, cpu_us() - cpu);
		bad += failed;
		cpu = cpu_us();
		t = kroutes_run(vi, all + n4, n6, batch, true, 0, &failed);
		if (n6)
			kroutes_print("delete IPv6", n6, t, cpu_us() - cpu);
		bad += failed;
		if (vnf_router_kroutes_count(vi) != 0 || rt->fib4.n_routes > 16)
			bad++;
		vnf_instance_destroy(vi);
	}
	free(all);
	if (bad != 0)
		fprintf(stderr,
			"bench_router: %u kernel route ops went wrong\n", bad);
	return bad != 0;
}

static void
usage(void)
{
	fprintf(stderr, "usage: bench_router [-n ROUTES] [-f ROUTE_FILE] "
			"[-b BURSTS] [--no-huge]\n"
			"       bench_router --kernel [-n IPV4_ROUTES] "
			"[--v6 IPV6_ROUTES] [--no-huge]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{"routes", required_argument, NULL, 'n'},
		{"file", required_argument, NULL, 'f'},
		{"bursts", required_argument, NULL, 'b'},
		{"no-huge", no_argument, NULL, 'H'},
		{"kernel", no_argument, NULL, 'k'},
		{"v6", required_argument, NULL, '6'},
		{NULL, 0, NULL, 0},
	};
	static const struct kbench_run kruns[] = {
		{10000, false},
		{1000, true},
		{10000, true},
	};
	unsigned int n6 = 200000;
	bool kernel = false;
	unsigned int n_routes = 1000000, bursts = 200000, i, k, loaded = 0;
	const char *file = NULL;
	char tmp[] = "/tmp/nfv-bench-router-XXXXXX", err[512], prefix[64];
	char rundir[PATH_MAX];
	char mem[16];
	bool nohuge = false;
	struct rte_malloc_socket_stats st0, st1;
	struct route *routes = NULL;
	struct rte_mempool *pool;
	struct rte_rcu_qsbr *qsbr;
	struct vnf_instance *vi;
	struct rt *rt;
	uint32_t *dsts;
	uint64_t t0, t1, c0, cpu0, *cyc, fwd_before;
	int c, rc;

	while ((c = getopt_long(argc, argv, "n:f:b:kh", lo, NULL)) != -1) {
		switch (c) {
		case 'n':
			n_routes = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'f':
			file = optarg;
			break;
		case 'b':
			bursts = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'H':
			nohuge = true;
			break;
		case 'k':
			kernel = true;
			break;
		case '6':
			n6 = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		default:
			usage();
		}
	}
	if (bursts == 0)
		usage();

	snprintf(prefix, sizeof(prefix), "nfv-bench-router-%d", getpid());
	{
		char *ea[16];
		int n = 0;

		ea[n++] = argv[0];
		ea[n++] = "-l";
		ea[n++] = "0";
		ea[n++] = "--no-pci";
		ea[n++] = "--file-prefix";
		ea[n++] = prefix;
		ea[n++] = "--no-telemetry";
		ea[n++] = "--log-level=*:error";
		/* About 850 bytes per route (two FIB copies), plus the rest;
		 * kernel routes: the RIB's hash, IPv6, rebuilds on the way. */
		snprintf(mem, sizeof(mem), "%u",
			 kernel ? 1000 + n_routes / 700 + n6 / 80
				: 200 + n_routes / 1150);
		ea[n++] = "-m";
		ea[n++] = mem;
		if (nohuge) {
			ea[n++] = "--no-huge";
			ea[n++] = "--no-shconf";
		} else {
			ea[n++] = "--in-memory";
		}
		if (rte_eal_init(n, ea) < 0) {
			fprintf(stderr, "bench_router: EAL init failed%s\n",
				nohuge ? "" : " (no free hugepages? try --no-huge)");
			return 1;
		}
	}
	printf("memory: %s\n", nohuge ? "4 KiB pages (--no-huge)" :
					 "2 MiB hugepages");
	pool = rte_pktmbuf_pool_create("bench_rt", 1023, 0, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	qsbr = nfv_test_qsbr_new(1);
	if (pool == NULL || qsbr == NULL)
		return 1;
	if (kernel) {
		rc = kernel_bench(qsbr, n_routes, n6, kruns, RTE_DIM(kruns));
		goto out;
	}
	vi = router_create(qsbr, false);
	if (vi == NULL)
		return 1;
	rt = vi->priv;

	/* 1. Load. */
	if (file == NULL) {
		int fd = mkstemp(tmp);

		if (fd < 0)
			return 1;
		close(fd);
		t0 = now_us();
		routes = gen_routes(n_routes, tmp);
		if (routes == NULL)
			return 1;
		printf("generated %u routes in %.2f s (%s)\n", n_routes,
		       (double)(now_us() - t0) / 1e6, tmp);
		file = tmp;
	}
	rte_malloc_get_socket_stats(0, &st0);
	cpu0 = cpu_us();
	t0 = now_us();
	rc = vnf_router_routes_load(vi, file, false, &loaded, err, sizeof(err));
	t1 = now_us();
	cpu0 = cpu_us() - cpu0;
	rte_malloc_get_socket_stats(0, &st1);
	if (file == tmp)
		unlink(tmp);
	if (rc < 0) {
		fprintf(stderr, "bench_router: %s\n", err);
		return 1;
	}
	printf("load: %u routes in %.2f s (%.2f s of CPU; %.0f routes/s): "
	       "parse, check, both FIB copies\n", loaded,
	       (double)(t1 - t0) / 1e6, (double)cpu0 / 1e6,
	       loaded / ((double)(t1 - t0) / 1e6));
	printf("fib: %u routes, tables sized for %u, %u tbl8 groups, %u-byte "
	       "next hops\n", rt->fib4.n_routes, rt->fib4.max_routes,
	       rt->fib4.num_tbl8, rt->fib4.nh_bytes);
	printf("fib memory: %.1f MiB as the router counts it (both copies); "
	       "DPDK heap grew by %.1f MiB during the load\n",
	       (double)vnf_router_fib_memory(vi) / 1048576.0,
	       ((double)st1.heap_allocsz_bytes - (double)st0.heap_allocsz_bytes) /
		       1048576.0);
	if (routes == NULL) {
		printf("(destinations: random addresses, the file's routes "
		       "unknown here)\n");
	}

	/* Destinations: a random address inside a random route. */
	dsts = malloc(N_DST * sizeof(*dsts));
	for (i = 0; i < N_DST; i++) {
		if (routes != NULL) {
			const struct route *r = &routes[rte_rand() % n_routes];
			uint32_t host = r->len == 32 ? 0 :
					(uint32_t)rte_rand() & (~0u >> r->len);

			dsts[i] = r->ip | host;
		} else {
			dsts[i] = (uint32_t)rte_rand();
		}
	}

	/* 2. Lookup alone. */
	{
		uint64_t nh[BURST], sum = 0;
		uint32_t ips[BURST];

		const struct rt_fib_view *v = rt_fib_view_get(&rt->fib4);

		c0 = rte_rdtsc();
		for (i = 0; i < N_DST; i += BURST) {
			memcpy(ips, &dsts[i], sizeof(ips));
			rt_fib4_lookup_bulk(v, ips, nh, BURST);
			sum += nh[0];
		}
		c0 = rte_rdtsc() - c0;
		printf("lookup: %.1f cycles per address, rte_fib_lookup_bulk "
		       "(%u random addresses, bursts of %u; checksum %lu)\n",
		       (double)c0 / N_DST, N_DST, BURST, (unsigned long)sum);
		c0 = rte_rdtsc();
		for (i = 0; i < N_DST; i += BURST) {
			memcpy(ips, &dsts[i], sizeof(ips));
			rt_fib4_lookup(v, ips, nh, BURST);
			sum += nh[0];
		}
		c0 = rte_rdtsc() - c0;
		printf("lookup: %.1f cycles per address, the router's inline "
		       "lookup (tbl24 %s)\n",
		       (double)c0 / N_DST, v->tbl24 ? "read directly" :
						      "unknown: DPDK's lookup");
	}

	/* 3. Lookup + rewrite; 4. the whole process(). */
	{
		struct rte_mbuf *ms[BURST], *burst[BURST];
		uint16_t next[BURST];
		struct vnf_emit emit;
		struct vnf_wctx wc;
		unsigned int d = 0, fwd_ok = 0, pass;

		nfv_test_vnf_wctx(&wc, vi, 0, &emit, pool, 0);
		cyc = malloc(bursts * sizeof(*cyc));
		for (i = 0; i < BURST; i++) {
			ms[i] = rte_pktmbuf_alloc(pool);
			rte_pktmbuf_append(ms[i], 60);
		}
		for (pass = 0; pass < 2; pass++) {
			fwd_before = vi->slots[0].counters[RT_C_FWD4];
			fwd_ok = 0;
			for (k = 0; k < bursts; k++) {
				struct vnf_burst b = {.pkts = burst, .next = next,
						      .n = BURST, .in_iface = 0};

				for (i = 0; i < BURST; i++) {
					frame_fill(ms[i], dsts[d]);
					d = (d + 1) & (N_DST - 1);
					burst[i] = ms[i];
				}
				wc.now = rte_rdtsc();
				if (pass == 0) {
					const struct rt_fib_view *v =
						rt_fib_view_get(&rt->fib4);
					struct rte_ipv4_hdr *h[BURST];
					uint32_t ips[BURST], fwd = 0;
					uint64_t nh[BURST];

					c0 = rte_rdtsc();
					for (i = 0; i < BURST; i++) {
						h[i] = rte_pktmbuf_mtod_offset(
							ms[i], struct rte_ipv4_hdr *,
							14);
						ips[i] = rte_be_to_cpu_32(h[i]->dst_addr);
					}
					rt_fib4_lookup(v, ips, nh, BURST);
					for (i = 0; i < BURST; i++)
						next[i] = rt_fwd4_fast(rt, &wc, &burst[i],
								       h[i], 0,
								       (uint16_t)nh[i],
								       &fwd);
					cyc[k] = rte_rdtsc() - c0;
					vi->slots[0].counters[RT_C_FWD4] += fwd;
				} else {
					c0 = rte_rdtsc();
					vi->ops->process(vi, &wc, &b);
					cyc[k] = rte_rdtsc() - c0;
				}
				for (i = 0; i < b.n; i++)
					fwd_ok += next[i] == 1;
				if (emit.n != 0) { /* ICMP errors etc.: free */
					for (i = 0; i < emit.n; i++)
						rte_pktmbuf_free(emit.pkts[i]);
					emit.n = 0;
				}
			}
			qsort(cyc, bursts, sizeof(*cyc), cmp_u64);
			printf("%s: median %.1f cycles per packet (p10 %.1f, "
			       "p90 %.1f), %u bursts of %u; %.1f%% forwarded by "
			       "a route, %lu by the router's counter\n",
			       pass == 0 ? "lookup+rewrite" :
					   "process (checks, lookup, rewrite)",
			       (double)cyc[bursts / 2] / BURST,
			       (double)cyc[bursts / 10] / BURST,
			       (double)cyc[bursts * 9 / 10] / BURST, bursts,
			       BURST, 100.0 * fwd_ok / ((double)bursts * BURST),
			       (unsigned long)(vi->slots[0].counters[RT_C_FWD4] -
					       fwd_before));
		}
		printf("TSC: %.2f GHz\n", (double)rte_get_tsc_hz() / 1e9);
		for (i = 0; i < BURST; i++)
			rte_pktmbuf_free(ms[i]);
		free(cyc);
	}
	free(dsts);
	free(routes);
	vnf_instance_destroy(vi);
	rc = 0;
out:
	rte_mempool_free(pool);
	rte_free(qsbr);
	snprintf(rundir, sizeof(rundir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	/* Leave nothing behind: our hugepage files and runtime directory. */
	nfv_eal_remove_hugefiles(prefix);
	nfv_eal_remove_runtime_dir(rundir);
	return rc != 0;
}
