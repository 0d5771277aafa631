/* SPDX-License-Identifier: BSD-3-Clause
 *
 * fuzz_l2switch.c - feed arbitrary frames and control actions through two
 * l2switch instances via the real runner (dataplane/graph.c).
 *
 * Topology (port pN is graph port N):
 *   p0 - sw.i0 access 10     p1 - sw.i1 access 20
 *   p2 - sw.i2 trunk [10, 20, 30]   p3 - sw.i3 trunk [10], native 20
 *   p4 - sw.i4 VLAN-unaware  sw.i5 access 30 - sw2.a (VLAN-unaware switch)
 *   p5 - sw2.b               p6 - sw2.c
 * sw has a 16-entry table (it fills) and ages after 1 s; time moves only
 * when the input says so.
 *
 * The input is a little program, read byte by byte (missing bytes read as
 * 0): each op either builds a frame (any length 0..2000, MACs from a small
 * pool or random, 0-3 tags with 802.1Q or 802.1ad TPIDs, optionally no
 * headroom or in two segments) and queues it on an RX port, repeats the
 * last frame up to 31 times (bursts of one flow), or submits the
 * queued bursts, moves time and runs ageing, runs a control verb, makes
 * the ports refuse part of what they are sent, or flips a port's link.
 *
 * Invariants checked (abort() on failure, so libFuzzer and ASan report
 * it): a frame never leaves by the port it came in by; a frame leaves at
 * least 14 bytes long and differs in length from what came in by 0 or 4
 * (one tag pushed or popped); after every input every mbuf is back in the
 * pool (its count, caches included, is exact: fuzz_env.h) and each
 * switch counted every frame it was handed exactly once, by its fate
 * (tests/fuzz/common/fuzz_fates.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ether.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "vnf/l2switch/config.h"
#include "dataplane/graph.h"
#include "vnf/lib/rcu.h"
#include "vnf/vnf.h"
#include "fuzz_l2switch.h"
#include "tests/common/test_eal.h"
#include "tests/common/test_wctx.h"
#include "tests/common/test_wiring.h"
#include "tests/fuzz/common/fuzz_env.h"
#include "tests/fuzz/common/fuzz_fates.h"
#include "tests/fuzz/common/fuzz_frame.h"
#include "tests/fuzz/common/fuzz_prog.h"
#include "tests/fuzz/common/fuzz_queue.h"

#define FZ_PORTS 7
#define FZ_POOL 8191
#define FZ_FRAME_MAX 2000

#define FZ_CHECK(cond)                                                        \
	do {                                                                  \
		if (!(cond)) {                                                \
			fprintf(stderr, "fuzz_l2switch: %s:%d: %s\n",         \
				__FILE__, __LINE__, #cond);                   \
			abort();                                              \
		}                                                             \
	} while (0)

static struct rte_mempool *fz_pool;
static struct nfv_wctx *fz_w;
static struct nfv_graph *fz_g;
static struct vnf_instance *fz_sw, *fz_sw2;
static struct fz_queues fz_q;
static unsigned int fz_accept = UINT_MAX;
static uint64_t fz_hz, fz_sent, fz_refused;

/* Worker: the ports' send hook.  Checks each frame and frees it. */
static uint16_t
fz_tx_burst(uint16_t port, uint16_t queue, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t take = n < fz_accept ? n : (uint16_t)fz_accept, i;
	const char *why = NULL;

	RTE_SET_USED(queue);
	FZ_CHECK(port < FZ_PORTS);
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		uint32_t in_len = m->hash.usr, len = rte_pktmbuf_pkt_len(m);

		FZ_CHECK(m->port != port);
		FZ_CHECK(len >= RTE_ETHER_HDR_LEN);
		FZ_CHECK(len == in_len || len == in_len + 4 || len + 4 == in_len);
		FZ_CHECK(rte_mbuf_check(m, 1, &why) == 0);
	}
	rte_pktmbuf_free_bulk(pkts, take);
	fz_sent += take;
	fz_refused += n - take;
	return take;
}

/* ---- set-up ---- */

static int
fz_vnf(const char *name, uint16_t id, struct ctl_iface_config *ifc,
       struct l2sw_iface_config *swifc, unsigned int n, uint32_t size,
       uint32_t aging, struct vnf_instance **out)
{
	struct ctl_vnf_config cfg;
	struct l2sw_config swc;
	char err[256] = "";
	int rc;

	memset(&cfg, 0, sizeof(cfg));
	memset(&swc, 0, sizeof(swc));
	cfg.priv = &swc;
	swc.ifaces = swifc;
	snprintf(cfg.name, sizeof(cfg.name), "%s", name);
	snprintf(cfg.type, sizeof(cfg.type), "l2switch");
	cfg.ifaces = ifc;
	cfg.n_ifaces = n;
	swc.mac_table_size = size;
	swc.aging_time = aging;
	rc = vnf_instance_create(&cfg, id, 1, nfv_rcu(), out, err, sizeof(err));
	if (rc < 0)
		fprintf(stderr, "fuzz_l2switch: %s\n", err);
	return rc;
}

int
fz_init(const char *prog)
{
	static uint16_t trunk2[] = {10, 20, 30}, trunk3[] = {10};
	struct ctl_iface_config ifc[6], ifc2[3];
	struct l2sw_iface_config swifc[6], swifc2[3];
	unsigned int i;
	int rc;

	rc = fz_env_init(prog, "fz-l2switch", 128, FZ_POOL, &fz_pool);
	if (rc < 0)
		return rc;
	fz_hz = rte_get_tsc_hz();

	memset(ifc, 0, sizeof(ifc));
	memset(swifc, 0, sizeof(swifc));
	memset(swifc2, 0, sizeof(swifc2));
	for (i = 0; i < 6; i++)
		snprintf(ifc[i].name, sizeof(ifc[i].name), "i%u", i);
	swifc[0].vlan_mode = L2SW_VLAN_ACCESS;
	swifc[0].vlan = 10;
	swifc[1].vlan_mode = L2SW_VLAN_ACCESS;
	swifc[1].vlan = 20;
	swifc[2].vlan_mode = L2SW_VLAN_TRUNK;
	swifc[2].trunk = trunk2;
	swifc[2].n_trunk = RTE_DIM(trunk2);
	swifc[3].vlan_mode = L2SW_VLAN_TRUNK;
	swifc[3].vlan = 20;
	swifc[3].trunk = trunk3;
	swifc[3].n_trunk = RTE_DIM(trunk3);
	swifc[5].vlan_mode = L2SW_VLAN_ACCESS;
	swifc[5].vlan = 30;
	memset(ifc2, 0, sizeof(ifc2));
	for (i = 0; i < 3; i++)
		snprintf(ifc2[i].name, sizeof(ifc2[i].name), "%c", 'a' + i);
	rc = fz_vnf("sw", 0, ifc, swifc, 6, 16, 1, &fz_sw);
	if (rc == 0)
		rc = fz_vnf("sw2", 1, ifc2, swifc2, 3, 1024, 300, &fz_sw2);
	if (rc < 0)
		return rc;

	fz_g = nfv_graph_alloc();
	/* A fixed start: ageing, which works in TSC >> 20 ticks, then goes
	 * the same way on every run. */
	fz_w = nfv_test_wctx_new(fz_pool, fz_tx_burst, UINT64_C(1) << 40);
	if (fz_g == NULL || fz_w == NULL)
		return -ENOMEM;
	nfv_test_graph_add(fz_g, fz_sw);
	nfv_test_graph_add(fz_g, fz_sw2);
	for (i = 0; i < 5; i++)
		nfv_test_link_port(fz_g, (uint16_t)i, 0, (uint16_t)i);
	nfv_test_link_vnf(fz_g, 0, 5, 1, 0);
	nfv_test_link_port(fz_g, 5, 1, 1);
	nfv_test_link_port(fz_g, 6, 1, 2);
	fz_queue_init(&fz_q, fz_w, fz_g, FZ_PORTS);
	return 0;
}

int
fz_fini(void)
{
	vnf_instance_destroy(fz_sw);
	vnf_instance_destroy(fz_sw2);
	nfv_graph_free(fz_g);
	nfv_test_wctx_free(fz_w);
	return fz_env_fini(fz_pool);
}

/* ---- the input program ---- */

static const uint8_t fz_macs[8][6] = {
	{0x02, 0, 0, 0, 0, 0x0a}, {0x02, 0, 0, 0, 0, 0x0b},
	{0x02, 0, 0, 0, 0, 0x0c}, {0x02, 0, 0, 0, 0, 0x0d},
	{0x02, 0, 0, 0, 0, 0x0e}, {0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
	{0x01, 0x00, 0x5e, 0x00, 0x00, 0x01}, {0x33, 0x33, 0, 0, 0, 0x01},
};

static void
fz_mac(struct fz_in *in, uint8_t *out)
{
	uint8_t sel = fz_u8(in);
	unsigned int i;

	if (sel < 0xc0) {
		memcpy(out, fz_macs[sel % 8], 6);
		return;
	}
	for (i = 0; i < 6; i++)
		out[i] = fz_u8(in);
}

/* The last frame built, for bursts of one flow (op 10). */
static struct {
	uint8_t buf[FZ_FRAME_MAX + 64];
	uint16_t len, first, port;
	uint8_t flags;
	bool valid;
} fz_last;

/* Queue fz_last once more; false when out of mbufs.  Flag 1: no
 * headroom, so that a push must fail. */
static bool
fz_enqueue_last(void)
{
	struct rte_mbuf *m =
		fz_mbuf_make(fz_pool, fz_last.buf, fz_last.len, fz_last.first,
			     (fz_last.flags & 1) ? 0 : -1);

	if (m == NULL)
		return false;
	m->port = fz_last.port;
	m->hash.usr = fz_last.len;
	fz_queue_push(&fz_q, fz_last.port, m);
	return true;
}

/* Build one frame from the input and queue it; false when out of mbufs. */
static bool
fz_frame(struct fz_in *in)
{
	static const uint16_t vids[] = {0, 10, 20, 30, 40, 4095};
	uint8_t *buf = fz_last.buf;
	uint16_t port = fz_u8(in) % FZ_PORTS;
	uint8_t flags = fz_u8(in), fill = fz_u8(in);
	uint16_t len = fz_u16(in) % (FZ_FRAME_MAX + 1);
	unsigned int off = 12, ntags, i;

	fz_mac(in, buf);
	fz_mac(in, buf + 6);
	ntags = fz_u8(in) % 4;
	for (i = 0; i < ntags; i++) {
		uint8_t sel = fz_u8(in);
		uint16_t tci = sel < 0xc0 ? vids[sel % RTE_DIM(vids)] : fz_u16(in);
		uint16_t tpid = (sel & 0x20) ? RTE_ETHER_TYPE_QINQ :
					       RTE_ETHER_TYPE_VLAN;

		buf[off++] = (uint8_t)(tpid >> 8);
		buf[off++] = (uint8_t)tpid;
		buf[off++] = (uint8_t)(tci >> 8);
		buf[off++] = (uint8_t)tci;
	}
	buf[off++] = 0x08;
	buf[off++] = 0x00;
	for (i = off; i < sizeof(fz_last.buf); i++)
		buf[i] = (uint8_t)(fill + i);
	fz_last.port = port;
	fz_last.flags = flags;
	fz_last.len = len;
	/* Two segments: the first one 1..len-1 bytes long. */
	fz_last.first = (flags & 2) ? fz_frame_split(in, len) : len;
	fz_last.valid = true;
	return fz_enqueue_last();
}

static void
fz_ctl(struct vnf_instance *vi, uint8_t what)
{
	static const char *const verbs[] = {"show mac", "mac flush", "details",
					    "no such verb"};
	const char *verb = verbs[what % RTE_DIM(verbs)];
	json_t *reply = NULL;
	int rc = 0;

	if (strcmp(verb, "details") == 0)
		FZ_CHECK((reply = vi->ops->details(vi)) != NULL);
	else
		rc = vnf_verb_call(vi, verb, NULL, &reply);
	FZ_CHECK(rc == 0 || (what % RTE_DIM(verbs)) == 3);
	json_decref(reply);
}

/* Ops 11-15 (fuzz_prog.h; 0-9 frames, 10 the last frame again). */
static void
fz_op(struct fz_in *in, uint8_t op, uint8_t arg)
{
	RTE_SET_USED(in);
	switch (op) {
	case 11:
		fz_queue_submit_all(&fz_q);
		break;
	case 12:
		fz_queue_submit_all(&fz_q);
		fz_w->now += (uint64_t)arg * (fz_hz / 20);
		fz_sw->ops->periodic(fz_sw, fz_w->now);
		fz_sw2->ops->periodic(fz_sw2, fz_w->now);
		break;
	case 13:
		fz_ctl((arg & 0x80) ? fz_sw2 : fz_sw, arg);
		break;
	case 14:
		fz_accept = arg % 40; /* 32 and up: everything */
		break;
	case 15:
		fz_prog_link_flip(arg, FZ_PORTS);
		break;
	}
}

static const struct fz_prog fz_prog = {
	.frame_ops = 0x3ff,
	.repeat_op = 10,
	.last_valid = &fz_last.valid,
	.frame = fz_frame,
	.again = fz_enqueue_last,
	.op = fz_op,
};

unsigned int
fz_run(const uint8_t *data, size_t len)
{
	struct fz_in in = {.p = data, .n = len};
	unsigned int frames;
	uint16_t p;

	/* Each input starts from the same state: empty tables, every port
	 * up and taking everything.  Time only moves forward. */
	fz_ctl(fz_sw, 1);
	fz_ctl(fz_sw2, 1);
	fz_last.valid = false;
	fz_accept = UINT_MAX;
	for (p = 0; p < FZ_PORTS; p++)
		atomic_store(&nfv_port_fp[p].link_up, true);

	frames = fz_prog_run(&fz_prog, &fz_q, &in);
	FZ_CHECK(fz_w->tx_dirty == 0);
	FZ_CHECK(rte_mempool_avail_count(fz_pool) == fz_pool->size);
	/* Each frame counted once, by its fate (vnf.h). */
	fz_check_fates(fz_sw, "fuzz_l2switch");
	fz_check_fates(fz_sw2, "fuzz_l2switch");
	return frames;
}

void
fz_print_counters(FILE *f)
{
	struct vnf_instance *v[2] = {fz_sw, fz_sw2};
	unsigned int i;
	uint16_t c;

	fprintf(f, "sent %" PRIu64 ", refused by the ports %" PRIu64 "\n",
		fz_sent, fz_refused);
	for (i = 0; i < 2; i++) {
		fprintf(f, "%s:", v[i]->name);
		for (c = 0; c < v[i]->ops->n_counters; c++) {
			uint64_t n = vnf_counter_sum(v[i], c);

			if (n != 0)
				fprintf(f, " %s %" PRIu64,
					v[i]->ops->counters[c].name, n);
		}
		fprintf(f, "\n");
	}
}
