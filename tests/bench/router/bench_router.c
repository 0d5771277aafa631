/* SPDX-License-Identifier: BSD-3-Clause
 *
 * bench_router.c - the router's scale and per-packet cost, in one process.
 *
 *   bench_router [-n ROUTES] [-f ROUTE_FILE] [-b BURSTS] [--no-huge]
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
router_create(struct rte_rcu_qsbr *qsbr)
{
	static struct ctl_prefix a4, b4;
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
	a4.family = b4.family = AF_INET;
	a4.len = b4.len = 24;
	inet_pton(AF_INET, "10.0.0.1", a4.addr);
	inet_pton(AF_INET, "10.1.0.1", b4.addr);
	rifcs[0].addrs = &a4;
	rifcs[0].n_addrs = 1;
	rifcs[1].addrs = &b4;
	rifcs[1].n_addrs = 1;
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

static void
usage(void)
{
	fprintf(stderr, "usage: bench_router [-n ROUTES] [-f ROUTE_FILE] "
			"[-b BURSTS] [--no-huge]\n");
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
		{NULL, 0, NULL, 0},
	};
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

	while ((c = getopt_long(argc, argv, "n:f:b:h", lo, NULL)) != -1) {
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
		/* About 850 bytes per route (two FIB copies), plus the rest. */
		snprintf(mem, sizeof(mem), "%u", 200 + n_routes / 1150);
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
	vi = router_create(qsbr);
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
	rte_mempool_free(pool);
	rte_free(qsbr);
	snprintf(rundir, sizeof(rundir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	/* Leave nothing behind: our hugepage files and runtime directory. */
	nfv_eal_remove_hugefiles(prefix);
	nfv_eal_remove_runtime_dir(rundir);
	return 0;
}
