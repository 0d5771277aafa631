/* SPDX-License-Identifier: BSD-3-Clause
 *
 * smoke_thread.c - the mirror thread (control/mirror/) against the real
 * kernel, with a fake router: this program defines the router's side of
 * router.h ("the kernel mirror") itself, recording what the mirror tells
 * it, so the mirror is checked on its own, whatever the router does.
 *
 *   smoke_thread            (root; skipped, 77, otherwise)
 *
 * Checks, in a netns the mirror creates: the twins and their addresses,
 * the first dump (connected routes, fe80::/64 left out), `ip route` adds
 * (via, ECMP with weights, blackhole, IPv6), a delete, 20,000 routes from
 * `ip -batch` in few batches, a neighbour, an MTU change, a frame punted
 * to a twin and frames the kernel sends injected, `show mirror`'s JSON,
 * and a resync: a tiny receive buffer (NFVD_MIRROR_RCVBUF) and the lock
 * held while 5,000 routes change, after which the router holds exactly
 * the kernel's routes.  At the end the netns is gone.
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <linux/rtnetlink.h>

#include <jansson.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include "control/ctl_server.h"
#include "control/mirror/mirror.h"
#include "tests/common/test_eal.h"
#include "vnf/router/router.h"
#include "vnf/vnf.h"

#define SKIP 77

static char ns_name[64];
static int failures;

#define CHECK(cond, ...)                                                       \
	do {                                                                   \
		if (!(cond)) {                                                 \
			printf("FAIL %s:%d: ", __FILE__, __LINE__);            \
			printf(__VA_ARGS__);                                   \
			printf("\n");                                          \
			failures++;                                            \
		}                                                              \
	} while (0)

/* ---- the fake router ----------------------------------------------------- */

struct froute {
	struct froute *next;
	uint8_t family, len, type, proto, n_nh;
	uint8_t addr[16];
	uint8_t weight[VNF_ROUTER_NH_MAX];
	uint32_t gen;
};

#define FR_BUCKETS (1u << 16)

/* Everything below is written by the mirror thread under ctl_server_lock()
 * and read by the test under it. */
static struct {
	struct vnf_router_mirror_config mc;
	struct froute *rt[FR_BUCKETS];
	uint32_t n_routes, gen;
	unsigned int batches, apply_calls;
	unsigned int addrs_added, addrs_deleted;
	unsigned int neigh_set, neigh_permanent, neigh_del;
	int link_up[2];
	uint16_t link_mtu[2];
	struct rte_ring *punt;
	int wake_fd;
	atomic_bool armed;
	unsigned int injected[2];
	/* Router calls from a thread without an lcore id: the real router's
	 * rte_hash tables crash there. */
	unsigned int no_lcore;
	json_t *(*hook)(void *arg);
	void *hook_arg;
} fr;

static const char *const if_names[2] = {"mta", "mtb"};

static uint32_t
fr_hash(uint8_t family, uint8_t len, const uint8_t *addr)
{
	uint32_t h = 2166136261u ^ family ^ ((uint32_t)len << 8);
	unsigned int i;

	for (i = 0; i < 16; i++)
		h = (h ^ addr[i]) * 16777619u;
	return h & (FR_BUCKETS - 1);
}

static struct froute **
fr_find(uint8_t family, uint8_t len, const uint8_t *addr)
{
	struct froute **p = &fr.rt[fr_hash(family, len, addr)];

	for (; *p != NULL; p = &(*p)->next)
		if ((*p)->family == family && (*p)->len == len &&
		    memcmp((*p)->addr, addr, 16) == 0)
			break;
	return p;
}

static const struct froute *
fr_get(const char *prefix)
{
	char buf[64], *slash;
	uint8_t addr[16] = {0};
	int family;
	const struct froute *r;

	snprintf(buf, sizeof(buf), "%s", prefix);
	slash = strchr(buf, '/');
	*slash = '\0';
	family = strchr(buf, ':') ? AF_INET6 : AF_INET;
	inet_pton(family, buf, addr);
	ctl_server_lock();
	r = *fr_find((uint8_t)family, (uint8_t)atoi(slash + 1), addr);
	ctl_server_unlock();
	return r;
}

const struct vnf_router_mirror_config *
vnf_router_mirror_config(const struct vnf_instance *vi)
{
	(void)vi;
	return &fr.mc;
}

unsigned int
vnf_router_n_ifaces(const struct vnf_instance *vi)
{
	(void)vi;
	return 2;
}

const char *
vnf_router_iface_name(const struct vnf_instance *vi, uint16_t iface)
{
	(void)vi;
	return iface < 2 ? if_names[iface] : NULL;
}

void
vnf_router_iface_mac(const struct vnf_instance *vi, uint16_t iface,
		     uint8_t mac[6])
{
	static const uint8_t m[6] = {0x02, 0, 0, 0, 0x92, 0};

	(void)vi;
	memcpy(mac, m, 6);
	mac[5] = (uint8_t)(iface + 1);
}

uint16_t
vnf_router_iface_mtu(const struct vnf_instance *vi, uint16_t iface)
{
	(void)vi;
	return iface == 0 ? 1500 : 9000;
}

void
vnf_router_svi_neighs(struct vnf_instance *vi,
		      void (*fn)(uint16_t iface, uint8_t family,
				 const uint8_t *ip, const uint8_t mac[6],
				 void *arg),
		      void *arg)
{
	(void)vi;
	(void)fn;
	(void)arg; /* no svi ifaces here */
}

const char *
vnf_router_iface_svi(const struct vnf_instance *vi, uint16_t iface)
{
	(void)vi;
	(void)iface;
	return NULL; /* twins only */
}

void
vnf_router_iface_config_addrs(const struct vnf_instance *vi, uint16_t iface,
			      void (*fn)(uint8_t family, const uint8_t *addr,
					 uint8_t len, void *arg),
			      void *arg)
{
	uint8_t a[16];

	(void)vi;
	if (iface == 0) {
		inet_pton(AF_INET, "10.92.1.1", a);
		fn(AF_INET, a, 24, arg);
		inet_pton(AF_INET6, "2001:db8:92::1", a);
		fn(AF_INET6, a, 64, arg);
	} else {
		inet_pton(AF_INET, "10.92.2.1", a);
		fn(AF_INET, a, 24, arg);
	}
}

struct rte_ring *
vnf_router_twin_attach(struct vnf_instance *vi, int wake_fd)
{
	(void)vi;
	fr.wake_fd = wake_fd;
	return fr.punt;
}

void
vnf_router_twin_detach(struct vnf_instance *vi)
{
	(void)vi;
	fr.wake_fd = -1;
}

void
vnf_router_punt_arm(struct vnf_instance *vi)
{
	(void)vi;
	atomic_store(&fr.armed, true);
}

unsigned int
vnf_router_inject(struct vnf_instance *vi, struct rte_mbuf **m,
		  const uint16_t *iface, unsigned int n)
{
	unsigned int i;

	(void)vi;
	for (i = 0; i < n; i++) {
		if (iface[i] < 2)
			fr.injected[iface[i]]++;
		rte_pktmbuf_free(m[i]);
	}
	return n;
}

void
vnf_router_mirror_hook(struct vnf_instance *vi, json_t *(*fn)(void *arg),
		       void *arg)
{
	(void)vi;
	fr.hook = fn;
	fr.hook_arg = arg;
}

int
vnf_router_kroutes_apply(struct vnf_instance *vi,
			 const struct vnf_router_kroute *ops, unsigned int n,
			 unsigned int *failed, char *err, size_t errlen)
{
	unsigned int i, k;

	(void)vi;
	(void)err;
	(void)errlen;
	*failed = 0;
	if (rte_lcore_id() == LCORE_ID_ANY)
		fr.no_lcore++;
	fr.apply_calls++;
	fr.batches++;
	for (i = 0; i < n; i++) {
		const struct vnf_router_kroute *o = &ops[i];
		struct froute **p = fr_find(o->family, o->len, o->addr);
		struct froute *r = *p;

		if (o->del) {
			if (r != NULL) {
				*p = r->next;
				free(r);
				fr.n_routes--;
			}
			continue;
		}
		if (r == NULL) {
			r = calloc(1, sizeof(*r));
			r->family = o->family;
			r->len = o->len;
			memcpy(r->addr, o->addr, 16);
			*p = r;
			fr.n_routes++;
		}
		r->type = o->type;
		r->proto = o->proto;
		r->n_nh = o->n_nh;
		for (k = 0; k < o->n_nh; k++)
			r->weight[k] = o->nh[k].weight;
		r->gen = fr.gen;
	}
	return 0;
}

void
vnf_router_kroutes_mark(struct vnf_instance *vi)
{
	(void)vi;
	fr.gen++;
}

int
vnf_router_kroutes_sweep(struct vnf_instance *vi, unsigned int *removed)
{
	unsigned int b;

	(void)vi;
	*removed = 0;
	for (b = 0; b < FR_BUCKETS; b++) {
		struct froute **p = &fr.rt[b];

		while (*p != NULL) {
			struct froute *r = *p;

			if (r->gen != fr.gen) {
				*p = r->next;
				free(r);
				fr.n_routes--;
				(*removed)++;
			} else {
				p = &r->next;
			}
		}
	}
	return 0;
}

uint32_t
vnf_router_kroutes_count(const struct vnf_instance *vi)
{
	(void)vi;
	return fr.n_routes;
}

int
vnf_router_addr_add(struct vnf_instance *vi, uint16_t iface, uint8_t family,
		    const uint8_t *addr, uint8_t len)
{
	(void)vi;
	(void)iface;
	(void)family;
	(void)addr;
	(void)len;
	fr.addrs_added++;
	return 0;
}

int
vnf_router_addr_del(struct vnf_instance *vi, uint16_t iface, uint8_t family,
		    const uint8_t *addr, uint8_t len)
{
	(void)vi;
	(void)iface;
	(void)family;
	(void)addr;
	(void)len;
	fr.addrs_deleted++;
	return 0;
}

int
vnf_router_link_set(struct vnf_instance *vi, uint16_t iface, bool up,
		    uint16_t mtu)
{
	(void)vi;
	if (iface >= 2)
		return -EINVAL;
	fr.link_up[iface] = up;
	fr.link_mtu[iface] = mtu;
	return 0;
}

int
vnf_router_kneigh_set(struct vnf_instance *vi, uint16_t iface, uint8_t family,
		      const uint8_t *ip, const uint8_t mac[6], bool permanent)
{
	(void)vi;
	(void)iface;
	(void)family;
	(void)ip;
	(void)mac;
	fr.neigh_set++;
	fr.neigh_permanent += permanent;
	return 0;
}

int
vnf_router_kneigh_del(struct vnf_instance *vi, uint16_t iface, uint8_t family,
		      const uint8_t *ip)
{
	(void)vi;
	(void)iface;
	(void)family;
	(void)ip;
	fr.neigh_del++;
	return 0;
}

void
vnf_router_kneigh_mark(struct vnf_instance *vi)
{
	(void)vi;
}

int
vnf_router_kneigh_sweep(struct vnf_instance *vi, unsigned int *removed)
{
	(void)vi;
	*removed = 0;
	return 0;
}

/* ---- helpers ------------------------------------------------------------- */

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	rc = system(cmd);
	if (rc != 0)
		printf("command failed (%d): %s\n", rc, cmd);
	return rc;
}

/* `show mirror` through the hook, as the router would call it. */
static json_t *
show(void)
{
	json_t *o;

	ctl_server_lock();
	o = fr.hook != NULL ? fr.hook(fr.hook_arg) : NULL;
	ctl_server_unlock();
	return o;
}

static const char *
show_state(void)
{
	static char state[32];
	json_t *o = show();

	snprintf(state, sizeof(state), "%s",
		 o ? json_string_value(json_object_get(o, "state")) : "?");
	json_decref(o);
	return state;
}

static long long
show_counter(const char *key)
{
	json_t *o = show();
	long long v = -1;

	if (o != NULL)
		v = json_integer_value(
			json_object_get(json_object_get(o, "counters"), key));
	json_decref(o);
	return v;
}

/* Poll cond for up to `secs` seconds (an integration test: the kernel and
 * a thread are involved). */
#define WAIT_FOR(cond, secs)                                                   \
	({                                                                     \
		double t_end = now_s() + (secs);                               \
		bool ok_;                                                      \
		while (!(ok_ = (cond)) && now_s() < t_end)                     \
			usleep(2000);                                          \
		ok_;                                                           \
	})

static uint32_t
count_routes(void)
{
	uint32_t n;

	ctl_server_lock();
	n = fr.n_routes;
	ctl_server_unlock();
	return n;
}

/* Kernel routes of the main table the router should hold: every IPv4 one
 * and the IPv6 ones outside fe80::/64 (`ip route` prints one per line;
 * the local table is not shown). */
static long
kernel_routes(void)
{
	char cmd[256];
	long n4 = 0, n6 = 0;
	FILE *p;

	snprintf(cmd, sizeof(cmd),
		 "ip -n %s -4 route show table main | wc -l; "
		 "ip -n %s -6 route show table main | grep -vc '^fe80::/64'",
		 ns_name, ns_name);
	p = popen(cmd, "r");
	if (p == NULL || fscanf(p, "%ld %ld", &n4, &n6) != 2)
		n4 = -1000000;
	if (p != NULL)
		pclose(p);
	return n4 + n6;
}

static void
write_batch(const char *path, const char *verb, unsigned int first,
	    unsigned int n)
{
	FILE *f = fopen(path, "w");
	unsigned int i;

	for (i = first; i < first + n; i++)
		fprintf(f, "route %s 172.%u.%u.0/24 via 10.92.2.2\n", verb,
			16 + (i >> 8), i & 0xff);
	fclose(f);
}

/* ---- the test ------------------------------------------------------------ */

static void
phase_basic(struct vnf_instance *vi)
{
	struct ctl_mirror *m = NULL;
	char err[256] = "", path[128];
	const struct froute *r;
	struct rte_mbuf *pkt;
	struct rte_mempool *mp;
	json_t *o;
	double t0, t1;
	uint64_t one = 1;
	long want;
	int rc;

	rc = ctl_mirror_start(vi, &m, err, sizeof(err));
	CHECK(rc == 0, "ctl_mirror_start: %d %s", rc, err);
	if (rc < 0)
		return;
	snprintf(path, sizeof(path), "/run/netns/%s", ns_name);
	CHECK(access(path, F_OK) == 0, "netns %s not created", ns_name);
	CHECK(WAIT_FOR(strcmp(show_state(), "synced") == 0, 10),
	      "first sync: state %s", show_state());

	/* The twins, with the config's addresses; the first dump. */
	CHECK(sh("ip -n %s link show mta | grep -q 'UP.*mtu 1500'", ns_name) ==
		      0,
	      "twin mta");
	CHECK(sh("ip -n %s link show mtb | grep -q 'mtu 9000'", ns_name) == 0,
	      "twin mtb MTU");
	CHECK(sh("ip -n %s link show mta | grep -q '02:00:00:00:92:01'",
		 ns_name) == 0,
	      "twin mta MAC");
	CHECK(sh("ip -n %s addr show mta | grep -q 'inet 10.92.1.1/24'",
		 ns_name) == 0,
	      "twin mta IPv4 address");
	CHECK(sh("ip -n %s addr show mta | grep 'inet6 2001:db8:92::1/64' | "
		 "grep -vq tentative",
		 ns_name) == 0,
	      "twin mta IPv6 address (usable at once)");
	CHECK(fr.addrs_added >= 3, "addresses from the dump: %u",
	      fr.addrs_added);
	CHECK(fr.link_up[0] && fr.link_up[1], "links up: %d %d", fr.link_up[0],
	      fr.link_up[1]);
	CHECK(fr_get("10.92.1.0/24") != NULL, "connected 10.92.1.0/24");
	CHECK(fr_get("10.92.1.0/24") != NULL &&
		      fr_get("10.92.1.0/24")->proto == RTPROT_KERNEL,
	      "connected route proto kernel");
	CHECK(fr_get("2001:db8:92::/64") != NULL, "connected 2001:db8:92::/64");
	CHECK(fr_get("fe80::/64") == NULL, "fe80::/64 mirrored");
	CHECK(sh("test $(ip netns exec %s sysctl -n "
		 "net.ipv6.conf.all.forwarding) = 1",
		 ns_name) == 0,
	      "forwarding off in the created netns");

	/* Route changes. */
	sh("ip -n %s route add 10.92.50.0/24 via 10.92.2.2", ns_name);
	CHECK(WAIT_FOR(fr_get("10.92.50.0/24") != NULL, 2), "10.92.50.0/24");
	r = fr_get("10.92.50.0/24");
	CHECK(r && r->n_nh == 1 && r->proto == RTPROT_BOOT &&
		      r->type == VNF_RT_UNICAST,
	      "10.92.50.0/24 contents");
	sh("ip -n %s route add 10.92.60.0/24 nexthop via 10.92.1.2 "
	   "nexthop via 10.92.2.2 weight 3",
	   ns_name);
	CHECK(WAIT_FOR(fr_get("10.92.60.0/24") != NULL, 2), "ECMP route");
	r = fr_get("10.92.60.0/24");
	CHECK(r && r->n_nh == 2 && r->weight[0] == 1 && r->weight[1] == 3,
	      "ECMP members/weights: %u", r ? r->n_nh : 0);
	sh("ip -n %s route add blackhole 10.92.70.0/24 proto static", ns_name);
	CHECK(WAIT_FOR(fr_get("10.92.70.0/24") != NULL, 2), "blackhole");
	r = fr_get("10.92.70.0/24");
	CHECK(r && r->type == VNF_RT_BLACKHOLE && r->proto == RTPROT_STATIC,
	      "blackhole contents");
	sh("ip -n %s -6 route add 2001:db8:93::/48 via fe80::1 dev mtb",
	   ns_name);
	CHECK(WAIT_FOR(fr_get("2001:db8:93::/48") != NULL, 2),
	      "IPv6 via a link-local gateway");
	sh("ip -n %s route replace 10.92.50.0/24 via 10.92.1.3", ns_name);
	sh("ip -n %s route del 10.92.60.0/24", ns_name);
	CHECK(WAIT_FOR(fr_get("10.92.60.0/24") == NULL, 2), "delete");
	sh("ip -n %s route add 10.92.80.0/24 via 10.92.2.2 table 100", ns_name);

	/* 20,000 routes in one ip -batch. */
	write_batch("/tmp/nfv-mirror-smoke.batch", "add", 0, 20000);
	t0 = now_s();
	sh("ip -n %s -batch /tmp/nfv-mirror-smoke.batch", ns_name);
	t1 = now_s();
	/* Dumping the kernel's table takes the RTNL lock: once, not in a
	 * loop that would slow the kernel down. */
	want = kernel_routes();
	CHECK(WAIT_FOR(want == (long)count_routes(), 10),
	      "after ip -batch: router %u, kernel %ld", count_routes(), want);
	printf("20000 routes: ip -batch took %.0f ms, the router had them all "
	       "%.0f ms after it ended; %u batches so far\n",
	       (t1 - t0) * 1000, (now_s() - t1) * 1000, fr.batches);
	CHECK(fr_get("10.92.80.0/24") == NULL, "table 100 mirrored");
	unlink("/tmp/nfv-mirror-smoke.batch");

	/* Neighbours and links. */
	sh("ip -n %s neigh add 10.92.2.9 lladdr 02:00:00:00:00:99 dev mtb "
	   "nud permanent",
	   ns_name);
	CHECK(WAIT_FOR(fr.neigh_permanent >= 1, 2), "permanent neighbour");
	sh("ip -n %s link set mtb mtu 1400", ns_name);
	CHECK(WAIT_FOR(fr.link_mtu[1] == 1400, 2), "MTU change: %u",
	      fr.link_mtu[1]);

	/* Punt: a frame on the ring reaches the twin; inject: the kernel's
	 * ARP requests for 10.92.2.3 come out of mtb. */
	mp = rte_pktmbuf_pool_create("smoke_pkts", 63, 0, 0,
				     RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	pkt = mp ? rte_pktmbuf_alloc(mp) : NULL;
	CHECK(pkt != NULL, "test mbuf");
	if (pkt != NULL) {
		uint8_t *d;

		rte_pktmbuf_append(pkt, 60);
		d = rte_pktmbuf_mtod(pkt, uint8_t *);

		memset(d, 0, 60);
		memset(d, 0xff, 6); /* broadcast */
		d[6] = 0x02;
		d[11] = 0x77;
		d[12] = 0x88; /* an ethertype nobody handles */
		d[13] = 0xb5;
		pkt->port = 1;
		CHECK(atomic_load(&fr.armed), "punt ring not armed");
		rte_ring_enqueue(fr.punt, pkt);
		atomic_store(&fr.armed, false);
		CHECK(write(fr.wake_fd, &one, sizeof(one)) == sizeof(one),
		      "wake");
		CHECK(WAIT_FOR(show_counter("punted") == 1, 2), "punted: %lld",
		      show_counter("punted"));
		CHECK(WAIT_FOR(atomic_load(&fr.armed), 2), "re-armed");
	}
	sh("ip netns exec %s ping -c 1 -W 1 10.92.2.3 > /dev/null", ns_name);
	CHECK(WAIT_FOR(fr.injected[1] > 0, 2), "nothing injected from mtb");

	CHECK(fr.no_lcore == 0,
	      "%u route batches applied from a thread without an lcore id",
	      fr.no_lcore);
	o = show();
	CHECK(o != NULL, "show mirror");
	if (o != NULL) {
		char *s = json_dumps(o, JSON_COMPACT);

		printf("show mirror: %s\n", s);
		free(s);
		CHECK(json_integer_value(json_object_get(
			      json_object_get(o, "ignored"), "table")) >= 1,
		      "table-100 route not counted as ignored");
		CHECK(json_integer_value(json_object_get(
			      json_object_get(o, "lag_us"), "samples")) >= 1,
		      "no lag samples");
		json_decref(o);
	}

	ctl_mirror_stop(m);
	CHECK(access(path, F_OK) != 0, "netns %s left behind", ns_name);
	CHECK(fr.hook == NULL, "hook left behind");
	ctl_mirror_free(m);
	rte_mempool_free(mp);
}

/* Overrun: a tiny buffer and the mirror held on the lock while routes
 * change; after the resync the router holds exactly the kernel's routes. */
static void
phase_resync(struct vnf_instance *vi)
{
	struct ctl_mirror *m = NULL;
	char err[256] = "";
	double t0;
	long want;
	int rc;

	/* The netns exists this time: the mirror must keep it. */
	sh("ip netns add %s", ns_name);
	setenv(CTL_MIRROR_RCVBUF_ENV, "4096", 1);
	rc = ctl_mirror_start(vi, &m, err, sizeof(err));
	unsetenv(CTL_MIRROR_RCVBUF_ENV);
	CHECK(rc == 0, "ctl_mirror_start: %d %s", rc, err);
	if (rc < 0)
		goto out;
	CHECK(WAIT_FOR(strcmp(show_state(), "synced") == 0, 10),
	      "first sync: state %s", show_state());
	/* Routes the mirror must sweep: seen before, gone during the
	 * overrun. */
	write_batch("/tmp/nfv-mirror-smoke.batch", "add", 0, 1000);
	sh("ip -n %s -batch /tmp/nfv-mirror-smoke.batch", ns_name);
	want = kernel_routes();
	CHECK(WAIT_FOR(want == (long)count_routes(), 10),
	      "1000 routes: router %u kernel %ld", count_routes(), want);

	ctl_server_lock(); /* the mirror stalls at its next router call */
	write_batch("/tmp/nfv-mirror-smoke.batch", "del", 0, 1000);
	sh("ip -n %s -batch /tmp/nfv-mirror-smoke.batch", ns_name);
	write_batch("/tmp/nfv-mirror-smoke.batch", "add", 5000, 5000);
	sh("ip -n %s -batch /tmp/nfv-mirror-smoke.batch", ns_name);
	want = kernel_routes();
	t0 = now_s();
	ctl_server_unlock();
	CHECK(WAIT_FOR(show_counter("resyncs") >= 1 &&
			       strcmp(show_state(), "synced") == 0 &&
			       want == (long)count_routes(),
		       10),
	      "after the overrun: resyncs %lld, state %s, router %u, kernel "
	      "%ld",
	      show_counter("resyncs"), show_state(), count_routes(), want);
	printf("resync: router equal to the kernel (%u routes) %.0f ms after "
	       "the mirror resumed\n",
	       count_routes(), (now_s() - t0) * 1000);
	CHECK(fr_get("172.16.3.0/24") == NULL, "a deleted route survived");
	CHECK(fr_get("172.35.136.0/24") != NULL, "an added route is missing");
	unlink("/tmp/nfv-mirror-smoke.batch");
	ctl_mirror_free(m);
	CHECK(sh("test -e /run/netns/%s", ns_name) == 0,
	      "the mirror removed a netns it did not create");
out:
	sh("ip netns del %s", ns_name);
}

int
main(void)
{
	struct vnf_instance *vi;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (geteuid() != 0) {
		printf("SKIP: needs root (netns, taps)\n");
		return SKIP;
	}
	if (access("/dev/net/tun", R_OK | W_OK) != 0) {
		printf("SKIP: no /dev/net/tun\n");
		return SKIP;
	}
	if (system("ip netns add nfvit-probe-$$ && ip netns del "
		   "nfvit-probe-$$") != 0) {
		printf("SKIP: cannot create a network namespace here\n");
		return SKIP;
	}
	snprintf(ns_name, sizeof(ns_name), "nfvit-%d-mthr", (int)getpid());
	snprintf(fr.mc.netns, sizeof(fr.mc.netns), "%s", ns_name);
	fr.mc.table = RT_TABLE_MAIN;
	if (nfv_test_eal_init("smoke_thread", "nfv-smoke-mthr", 128) < 0)
		return 1;
	fr.punt = rte_ring_create("smoke_punt", 256, SOCKET_ID_ANY,
				  RING_F_SC_DEQ);
	vi = calloc(1, sizeof(*vi));
	snprintf(vi->name, sizeof(vi->name), "rtr");

	phase_basic(vi);
	phase_resync(vi);

	rte_ring_free(fr.punt);
	free(vi);
	nfv_test_eal_fini();
	printf("%s: %d failure(s)\n", failures ? "FAIL" : "PASS", failures);
	return failures ? 1 : 0;
}
