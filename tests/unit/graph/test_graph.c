/* SPDX-License-Identifier: BSD-3-Clause
 *
 * test_graph.c - dataplane/graph.c, the runner: grouping by next[], drops
 * by reason, unlinked ifaces and ports, the depth limit, emitted packets,
 * TX buffers and refused TX, publishing a snapshot under RCU, and the
 * direct vhost path's free-and-count of what it sent.
 *
 * A fake VNF type ("ut_fake") does what each packet tells it: every packet
 * carries a sequence number and, per VNF instance, a command (the next[]
 * value to write, and how many copies to emit to which iface).  Graphs are
 * built by hand (tests/common/test_wiring.h); the worker context's
 * tx_burst hook captures what the runner sends to each port
 * (tests/common/test_tx.h).  Every test ends with every mbuf back in the
 * pool.  One thread plays both the worker and the control thread.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <rte_eal.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "control/config.h"
#include "dataplane/graph.h"
#include "dataplane/vhost_io.h"
#include "vnf/lib/rcu.h"
#include "vnf/vnf.h"
#include "tests/common/test_eal.h"
#include "tests/common/test_tx.h"
#include "tests/common/test_wiring.h"

#define UT_POOL_SIZE 4095
#define UT_MAX_INST 4
#define UT_CAP_MAX 4096
#define UT_COPY_BIT 0x80000000u

/* ---- the fake VNF ---- */

/* What instance `id` does with a packet: at offset UT_CMD_OFF(id). */
struct ut_cmd {
	uint16_t next;		/* written to next[] as is */
	uint16_t copy_next;	/* where the copies go */
	uint8_t n_copies;
	uint8_t pad[3];
};

/* Packet layout: a 32-bit sequence number, then one command per instance. */
#define UT_SEQ_OFF 0
#define UT_CMD_OFF(id) (8 + (id) * sizeof(struct ut_cmd))
#define UT_PKT_LEN (UT_CMD_OFF(UT_MAX_INST))

enum { UT_C_SEEN, UT_C_DROP_A, UT_C_DROP_B, UT_C_COPY_FAIL, UT_N_COUNTERS };

static const struct vnf_counter_desc ut_counters[UT_N_COUNTERS] = {
	{.name = "seen", .is_drop = false},
	{.name = "drop-a", .is_drop = true},
	{.name = "drop-b", .is_drop = true},
	{.name = "copy-failed", .is_drop = true},
};

/* Per worker state: proves the runner hands process() the right slot. */
struct ut_fake_wstate {
	uint64_t calls;
	uint16_t last_in_iface;
	uint16_t max_burst;
};

static int
ut_fake_create(struct vnf_instance *vi, const struct ctl_vnf_config *cfg,
	       char *err, size_t errlen)
{
	RTE_SET_USED(vi);
	RTE_SET_USED(cfg);
	RTE_SET_USED(err);
	RTE_SET_USED(errlen);
	return 0;
}

static void
ut_fake_process(struct vnf_instance *vi, struct vnf_wctx *w,
		struct vnf_burst *b)
{
	struct ut_fake_wstate *st = w->state;
	uint16_t i;
	uint8_t k;

	st->calls++;
	st->last_in_iface = b->in_iface;
	if (b->n > st->max_burst)
		st->max_burst = b->n;
	for (i = 0; i < b->n; i++) {
		struct rte_mbuf *m = b->pkts[i];
		struct ut_cmd c;

		memcpy(&c, rte_pktmbuf_mtod_offset(m, char *, UT_CMD_OFF(vi->id)),
		       sizeof(c));
		w->counters[UT_C_SEEN]++;
		b->next[i] = c.next;
		for (k = 0; k < c.n_copies; k++) {
			struct rte_mbuf *cp =
				rte_pktmbuf_copy(m, w->pool, 0, UINT32_MAX);
			uint32_t seq;

			if (cp == NULL) {
				w->counters[UT_C_COPY_FAIL]++;
				continue;
			}
			seq = *rte_pktmbuf_mtod_offset(cp, uint32_t *, UT_SEQ_OFF);
			*rte_pktmbuf_mtod_offset(cp, uint32_t *, UT_SEQ_OFF) =
				seq | UT_COPY_BIT;
			if (vnf_emit(w, cp, c.copy_next) != 0) {
				w->counters[UT_C_COPY_FAIL]++;
				rte_pktmbuf_free(cp);
			}
		}
	}
}

static const struct vnf_ops ut_fake_ops = {
	.type = "ut_fake",
	.worker_size = sizeof(struct ut_fake_wstate),
	.counters = ut_counters,
	.n_counters = UT_N_COUNTERS,
	.create = ut_fake_create,
	.process = ut_fake_process,
};

VNF_REGISTER(ut_fake_ops);

/*
 * A fake with vnf_ops.poll ("ut_poller"): each poll() returns up to b->n
 * of the packets queued in ut_pq (with their next[]), and emits a copy of
 * the first to ut_pq_emit_next when that is set.  process() is the fake's.
 */
#define UT_PQ_MAX 100
static struct rte_mbuf *ut_pq[UT_PQ_MAX];
static uint16_t ut_pq_next[UT_PQ_MAX];
static unsigned int ut_pq_n, ut_pq_head, ut_poll_calls;
static int ut_pq_emit_next = -1;

static void
ut_poller_poll(struct vnf_instance *vi, struct vnf_wctx *w,
	       struct vnf_burst *b)
{
	uint16_t k = 0;

	RTE_SET_USED(vi);
	ut_poll_calls++;
	while (k < b->n && ut_pq_head < ut_pq_n) {
		b->pkts[k] = ut_pq[ut_pq_head];
		b->next[k++] = ut_pq_next[ut_pq_head++];
	}
	if (k != 0 && ut_pq_emit_next >= 0) {
		struct rte_mbuf *cp =
			rte_pktmbuf_copy(b->pkts[0], w->pool, 0, UINT32_MAX);

		assert_non_null(cp);
		assert_int_equal(vnf_emit(w, cp, (uint16_t)ut_pq_emit_next), 0);
	}
	b->n = k;
}

static const struct vnf_ops ut_poller_ops = {
	.type = "ut_poller",
	.worker_size = sizeof(struct ut_fake_wstate),
	.counters = ut_counters,
	.n_counters = UT_N_COUNTERS,
	.create = ut_fake_create,
	.process = ut_fake_process,
	.poll = ut_poller_poll,
};

VNF_REGISTER(ut_poller_ops);

/* ---- fixture ---- */

static struct rte_mempool *ut_pool;
/* What each port was sent (tests/common/test_tx.h). */
static struct nfv_test_txcap *const ut_cap = nfv_test_txcap;
static struct nfv_wctx *ut_w;
static struct nfv_graph *ut_g;
static struct vnf_instance *ut_vi[UT_MAX_INST];

static int
ut_setup(void **state)
{
	RTE_SET_USED(state);
	return nfv_test_txcap_open(ut_pool, UT_CAP_MAX, 0, &ut_w, &ut_g);
}

static int
ut_teardown(void **state)
{
	unsigned int i;

	RTE_SET_USED(state);
	for (i = 0; i < UT_MAX_INST; i++) {
		vnf_instance_destroy(ut_vi[i]);
		ut_vi[i] = NULL;
	}
	nfv_test_txcap_close(&ut_w, &ut_g);
	/* Every test must give back every mbuf it took. */
	assert_int_equal(rte_mempool_avail_count(ut_pool), ut_pool->size);
	return 0;
}

/* Create instance `id` of `type` with ifaces named a, b, c, ... */
static struct vnf_instance *
ut_inst_new(const char *type, uint16_t id, unsigned int n_ifaces)
{
	struct ctl_iface_config ifc[8];
	struct ctl_vnf_config cfg;
	char err[256] = "";
	unsigned int i;
	int rc;

	assert_true(id < UT_MAX_INST && n_ifaces <= 8);
	memset(&cfg, 0, sizeof(cfg));
	memset(ifc, 0, sizeof(ifc));
	snprintf(cfg.name, sizeof(cfg.name), "fake%u", id);
	snprintf(cfg.type, sizeof(cfg.type), "%s", type);
	for (i = 0; i < n_ifaces; i++)
		snprintf(ifc[i].name, sizeof(ifc[i].name), "%c", 'a' + i);
	cfg.ifaces = ifc;
	cfg.n_ifaces = n_ifaces;
	rc = vnf_instance_create(&cfg, id, 1, NULL, &ut_vi[id], err,
				 sizeof(err));
	if (rc != 0)
		fail_msg("vnf_instance_create: %d %s", rc, err);
	nfv_test_graph_add(ut_g, ut_vi[id]);
	return ut_vi[id];
}

static struct vnf_instance *
ut_fake_new(uint16_t id, unsigned int n_ifaces)
{
	return ut_inst_new("ut_fake", id, n_ifaces);
}

static struct rte_mbuf *
ut_pkt(uint32_t seq)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(ut_pool);
	char *d;

	assert_non_null(m);
	assert_non_null(rte_pktmbuf_append(m, UT_PKT_LEN));
	/* Through mtod: gcc 12 misreads append()'s pointer arithmetic. */
	d = rte_pktmbuf_mtod(m, char *);
	memset(d, 0, UT_PKT_LEN);
	memcpy(d + UT_SEQ_OFF, &seq, sizeof(seq));
	return m;
}

static void
ut_pkt_cmd(struct rte_mbuf *m, uint16_t id, uint16_t next, uint8_t n_copies,
	   uint16_t copy_next)
{
	struct ut_cmd c = {.next = next, .copy_next = copy_next,
			   .n_copies = n_copies};

	memcpy(rte_pktmbuf_mtod_offset(m, char *, UT_CMD_OFF(id)), &c,
	       sizeof(c));
}

static uint32_t
ut_seq(const struct rte_mbuf *m)
{
	return *rte_pktmbuf_mtod_offset(m, const uint32_t *, UT_SEQ_OFF);
}

static uint64_t
ut_ctr(uint16_t id, uint16_t c)
{
	return vnf_counter_sum(ut_vi[id], c);
}

static struct ut_fake_wstate *
ut_wstate(uint16_t id)
{
	return ut_vi[id]->slots[0].state;
}

/* ---- tests ---- */

/* One destination: the burst reaches the TX buffer whole, as the same
 * mbufs in the same order, and leaves in one tx_burst call. */
static void
test_single_destination_moves_whole(void **state)
{
	struct rte_mbuf *pkts[32], *orig[32];
	uint16_t i;

	RTE_SET_USED(state);
	ut_fake_new(0, 2);
	nfv_test_link_port(ut_g, 0, 0, 0);
	nfv_test_link_port(ut_g, 1, 0, 1);
	for (i = 0; i < 32; i++) {
		pkts[i] = ut_pkt(i);
		ut_pkt_cmd(pkts[i], 0, 1, 0, 0);
		orig[i] = pkts[i];
	}
	nfv_graph_input(ut_w, ut_g, 0, pkts, 32);

	/* A whole burst meeting an empty TX buffer is sent at once. */
	assert_int_equal(ut_w->tx[1].n, 0);
	assert_true(ut_w->tx_dirty == 0);
	assert_int_equal(ut_cap[1].calls, 1);
	assert_memory_equal(ut_cap[1].pkts, orig, sizeof(orig));
	nfv_graph_flush(ut_w);
	assert_int_equal(ut_w->tx[1].n, 0);
	assert_true(ut_w->tx_dirty == 0);
	assert_int_equal(ut_cap[1].calls, 1);
	assert_int_equal(ut_cap[1].n, 32);
	assert_memory_equal(ut_cap[1].pkts, orig, sizeof(orig));
	assert_int_equal(ut_cap[0].n, 0);

	assert_int_equal(ut_vi[0]->slots[0].pkts, 32);
	assert_int_equal(ut_vi[0]->slots[0].calls, 1);
	assert_int_equal(ut_ctr(0, UT_C_SEEN), 32);
	assert_int_equal(ut_wstate(0)->calls, 1);
	assert_int_equal(ut_wstate(0)->last_in_iface, 0);
	assert_int_equal(ut_wstate(0)->max_burst, 32);

	/* The other way, a short burst, entering by iface b. */
	for (i = 0; i < 5; i++) {
		pkts[i] = ut_pkt(100 + i);
		ut_pkt_cmd(pkts[i], 0, 0, 0, 0);
	}
	nfv_graph_input(ut_w, ut_g, 1, pkts, 5);
	nfv_graph_flush(ut_w);
	assert_int_equal(ut_wstate(0)->last_in_iface, 1);
	assert_int_equal(ut_cap[0].n, 5);
	for (i = 0; i < 5; i++)
		assert_int_equal(ut_seq(ut_cap[0].pkts[i]), 100 + i);
}

/* A fixed mixed pattern: each destination gets its packets in order. */
static void
test_mixed_burst_grouped_in_order(void **state)
{
	static const uint16_t pattern[] = {1, 2, 1, 3, 2, 1, VNF_DROP(UT_C_DROP_A),
					   3, 3, 1};
	const uint16_t n = RTE_DIM(pattern);
	struct rte_mbuf *pkts[RTE_DIM(pattern)];
	uint16_t i;

	RTE_SET_USED(state);
	ut_fake_new(0, 4);
	for (i = 0; i < 4; i++)
		nfv_test_link_port(ut_g, i, 0, i);
	for (i = 0; i < n; i++) {
		pkts[i] = ut_pkt(i);
		ut_pkt_cmd(pkts[i], 0, pattern[i], 0, 0);
	}
	nfv_graph_input(ut_w, ut_g, 0, pkts, n);
	nfv_graph_flush(ut_w);

	assert_int_equal(ut_cap[1].n, 4);
	assert_int_equal(ut_seq(ut_cap[1].pkts[0]), 0);
	assert_int_equal(ut_seq(ut_cap[1].pkts[1]), 2);
	assert_int_equal(ut_seq(ut_cap[1].pkts[2]), 5);
	assert_int_equal(ut_seq(ut_cap[1].pkts[3]), 9);
	assert_int_equal(ut_cap[2].n, 2);
	assert_int_equal(ut_seq(ut_cap[2].pkts[0]), 1);
	assert_int_equal(ut_seq(ut_cap[2].pkts[1]), 4);
	assert_int_equal(ut_cap[3].n, 3);
	assert_int_equal(ut_seq(ut_cap[3].pkts[0]), 3);
	assert_int_equal(ut_seq(ut_cap[3].pkts[1]), 7);
	assert_int_equal(ut_seq(ut_cap[3].pkts[2]), 8);
	assert_int_equal(ut_cap[0].n, 0);
	assert_int_equal(ut_ctr(0, UT_C_DROP_A), 1);
}

/* Many random bursts of random sizes: per destination, arrival order is
 * kept; drops are counted per reason; nothing is lost or duplicated. */
static void
test_mixed_bursts_random(void **state)
{
	static const uint16_t choice[] = {1, 2, 3, VNF_DROP(UT_C_DROP_A),
					  VNF_DROP(UT_C_DROP_B)};
	uint32_t expect[4][UT_CAP_MAX / 4], n_expect[4] = {0};
	uint64_t drops_a = 0, drops_b = 0;
	struct rte_mbuf *pkts[32];
	uint32_t seq = 0, rng = 12345;
	unsigned int round, p, k;
	uint16_t i, n;

	RTE_SET_USED(state);
	ut_fake_new(0, 4);
	for (i = 0; i < 4; i++)
		nfv_test_link_port(ut_g, i, 0, i);
	for (round = 0; round < 40; round++) {
		rng = rng * 1103515245u + 12345u;
		n = (uint16_t)(1 + (rng >> 16) % 32);
		for (i = 0; i < n; i++) {
			uint16_t nx;

			rng = rng * 1103515245u + 12345u;
			/* Some bursts all one way, to cover the fast path. */
			nx = choice[(round % 5 == 0) ? round % 3 :
						       (rng >> 16) % RTE_DIM(choice)];
			pkts[i] = ut_pkt(seq);
			ut_pkt_cmd(pkts[i], 0, nx, 0, 0);
			if (nx == VNF_DROP(UT_C_DROP_A))
				drops_a++;
			else if (nx == VNF_DROP(UT_C_DROP_B))
				drops_b++;
			else
				expect[nx][n_expect[nx]++] = seq;
			seq++;
		}
		nfv_graph_input(ut_w, ut_g, 0, pkts, n);
		if (round % 3 == 2)
			nfv_graph_flush(ut_w);
	}
	nfv_graph_flush(ut_w);
	for (p = 1; p < 4; p++) {
		assert_int_equal(ut_cap[p].n, n_expect[p]);
		for (k = 0; k < n_expect[p]; k++)
			assert_int_equal(ut_seq(ut_cap[p].pkts[k]), expect[p][k]);
	}
	assert_int_equal(ut_ctr(0, UT_C_DROP_A), drops_a);
	assert_int_equal(ut_ctr(0, UT_C_DROP_B), drops_b);
	assert_int_equal(ut_ctr(0, UT_C_SEEN), seq);
	assert_int_equal(ut_vi[0]->slots[0].calls, 40);
}

/* Drops are freed and counted by reason; a drop counter or an iface the
 * VNF does not have is a "bad-next", counted by the runner. */
static void
test_drops_counted_by_reason(void **state)
{
	static const uint16_t pattern[] = {
		VNF_DROP(UT_C_DROP_A), VNF_DROP(UT_C_DROP_B), VNF_DROP(UT_C_DROP_A),
		VNF_DROP(UT_N_COUNTERS + 3), 7, 1, VNF_DROP(UT_C_DROP_A),
		VNF_DROP(0x7fff),
	};
	const uint16_t n = RTE_DIM(pattern);
	struct rte_mbuf *pkts[RTE_DIM(pattern)];
	uint16_t i;

	RTE_SET_USED(state);
	ut_fake_new(0, 2);
	nfv_test_link_port(ut_g, 0, 0, 0);
	nfv_test_link_port(ut_g, 1, 0, 1);
	for (i = 0; i < n; i++) {
		pkts[i] = ut_pkt(i);
		ut_pkt_cmd(pkts[i], 0, pattern[i], 0, 0);
	}
	nfv_graph_input(ut_w, ut_g, 0, pkts, n);
	nfv_graph_flush(ut_w);
	assert_int_equal(ut_ctr(0, UT_C_DROP_A), 3);
	assert_int_equal(ut_ctr(0, UT_C_DROP_B), 1);
	assert_int_equal(ut_w->vstats[0].drops[NFV_VD_BAD_NEXT], 3);
	assert_int_equal(ut_cap[1].n, 1);
	assert_int_equal(ut_seq(ut_cap[1].pkts[0]), 5);
	nfv_test_txcap_free_all();
	/* Dropped mbufs went back to the pool straight away. */
	assert_int_equal(rte_mempool_avail_count(ut_pool), ut_pool->size);

	/* A whole burst dropped takes the one-destination path. */
	for (i = 0; i < n; i++) {
		pkts[i] = ut_pkt(i);
		ut_pkt_cmd(pkts[i], 0, VNF_DROP(UT_C_DROP_B), 0, 0);
	}
	nfv_graph_input(ut_w, ut_g, 0, pkts, n);
	assert_int_equal(ut_ctr(0, UT_C_DROP_B), 1 + n);
	assert_int_equal(rte_mempool_avail_count(ut_pool), ut_pool->size);
}

/* Packets to an iface with no link, or from a port with no link. */
static void
test_unlinked_iface_and_port(void **state)
{
	struct rte_mbuf *pkts[8];
	uint16_t i;

	RTE_SET_USED(state);
	ut_fake_new(0, 3);
	nfv_test_link_port(ut_g, 0, 0, 0);
	nfv_test_link_port(ut_g, 1, 0, 1);
	/* iface c (2) is not linked; port 2 is not linked. */
	for (i = 0; i < 8; i++) {
		pkts[i] = ut_pkt(i);
		ut_pkt_cmd(pkts[i], 0, (i & 1) ? 2 : 1, 0, 0);
	}
	nfv_graph_input(ut_w, ut_g, 0, pkts, 8);
	nfv_graph_flush(ut_w);
	assert_int_equal(ut_w->vstats[0].drops[NFV_VD_UNLINKED], 4);
	assert_int_equal(ut_cap[1].n, 4);

	for (i = 0; i < 6; i++)
		pkts[i] = ut_pkt(i);
	nfv_graph_input(ut_w, ut_g, 2, pkts, 6);
	assert_int_equal(ut_w->pstats[2].drops[NFV_PD_UNLINKED], 6);
	assert_int_equal(ut_vi[0]->slots[0].pkts, 8);
	assert_true(ut_w->tx_dirty == 0);
}

/* Two VNFs wired in a ring: a packet that goes round and round stops at
 * NFV_GRAPH_MAX_DEPTH VNF visits and is counted as a loop. */
static void
test_graph_loop_stops_at_depth(void **state)
{
	struct rte_mbuf *pkts[4];
	uint16_t i;

	RTE_SET_USED(state);
	ut_fake_new(0, 3);
	ut_fake_new(1, 2);
	nfv_test_link_port(ut_g, 0, 0, 0);
	/* fake0.b - fake1.a, fake1.b - fake0.c: fake0 -> fake1 -> fake0 ... */
	nfv_test_link_vnf(ut_g, 0, 1, 1, 0);
	nfv_test_link_vnf(ut_g, 1, 1, 0, 2);
	for (i = 0; i < 4; i++) {
		pkts[i] = ut_pkt(i);
		ut_pkt_cmd(pkts[i], 0, 1, 0, 0);
		ut_pkt_cmd(pkts[i], 1, 1, 0, 0);
	}
	nfv_graph_input(ut_w, ut_g, 0, pkts, 4);
	nfv_graph_flush(ut_w);

	assert_int_equal(ut_vi[0]->slots[0].calls + ut_vi[1]->slots[0].calls,
			 NFV_GRAPH_MAX_DEPTH);
	assert_int_equal(ut_vi[0]->slots[0].calls, NFV_GRAPH_MAX_DEPTH / 2);
	/* The packets were about to enter fake0 for the 9th time. */
	assert_int_equal(ut_w->vstats[0].drops[NFV_VD_LOOP], 4);
	assert_int_equal(ut_w->vstats[1].drops[NFV_VD_LOOP], 0);
	assert_int_equal(ut_wstate(0)->last_in_iface, 2);
	assert_int_equal(rte_mempool_avail_count(ut_pool), ut_pool->size);
}

/* A VNF wired to itself (iface b to its own iface c). */
static void
test_graph_self_loop(void **state)
{
	struct rte_mbuf *pkts[3];
	uint16_t i;

	RTE_SET_USED(state);
	ut_fake_new(0, 3);
	nfv_test_link_port(ut_g, 0, 0, 0);
	nfv_test_link_vnf(ut_g, 0, 1, 0, 2);
	for (i = 0; i < 3; i++) {
		pkts[i] = ut_pkt(i);
		ut_pkt_cmd(pkts[i], 0, 1, 0, 0);
	}
	nfv_graph_input(ut_w, ut_g, 0, pkts, 3);
	assert_int_equal(ut_vi[0]->slots[0].calls, NFV_GRAPH_MAX_DEPTH);
	assert_int_equal(ut_w->vstats[0].drops[NFV_VD_LOOP], 3);
	assert_int_equal(rte_mempool_avail_count(ut_pool), ut_pool->size);
}

/* A loop where every visit also emits a copy back into the loop: the
 * work stays bounded and every copy is freed. */
static void
test_graph_loop_with_copies(void **state)
{
	struct rte_mbuf *pkts[2];
	uint64_t loops;
	uint16_t i;

	RTE_SET_USED(state);
	ut_fake_new(0, 3);
	nfv_test_link_port(ut_g, 0, 0, 0);
	nfv_test_link_vnf(ut_g, 0, 1, 0, 2);
	for (i = 0; i < 2; i++) {
		pkts[i] = ut_pkt(i);
		ut_pkt_cmd(pkts[i], 0, 1, 1, 1);
	}
	nfv_graph_input(ut_w, ut_g, 0, pkts, 2);
	loops = ut_w->vstats[0].drops[NFV_VD_LOOP];
	/* Each visit at depth d doubles the packets: 2 * 2^16 reach the
	 * limit, none escapes. */
	assert_int_equal(loops, 2u << NFV_GRAPH_MAX_DEPTH);
	assert_int_equal(ut_ctr(0, UT_C_COPY_FAIL), 0);
	assert_int_equal(ut_w->emit.n, 0);
	assert_true(ut_w->tx_dirty == 0);
	assert_int_equal(rte_mempool_avail_count(ut_pool), ut_pool->size);
}

/* Emitted copies are dispatched after the burst, in emit order, in
 * chunks of a burst; a TX buffer that would overflow is flushed first. */
static void
test_emitted_packets_dispatched(void **state)
{
	struct rte_mbuf *pkts[32];
	unsigned int k;
	uint16_t i;

	RTE_SET_USED(state);
	ut_fake_new(0, 3);
	for (i = 0; i < 3; i++)
		nfv_test_link_port(ut_g, i, 0, i);
	for (i = 0; i < 32; i++) {
		pkts[i] = ut_pkt(i);
		ut_pkt_cmd(pkts[i], 0, 1, 3, 2);	/* 3 copies to c */
	}
	nfv_graph_input(ut_w, ut_g, 0, pkts, 32);
	assert_int_equal(ut_w->emit.n, 0);
	/* 96 copies, dispatched in groups of 32: each sent at once. */
	assert_int_equal(ut_cap[2].calls, 3);
	nfv_graph_flush(ut_w);
	assert_int_equal(ut_cap[1].n, 32);
	for (k = 0; k < 32; k++)
		assert_int_equal(ut_seq(ut_cap[1].pkts[k]), k);
	assert_int_equal(ut_cap[2].n, 96);
	for (k = 0; k < 96; k++)
		assert_int_equal(ut_seq(ut_cap[2].pkts[k]), (k / 3) | UT_COPY_BIT);
	assert_int_equal(ut_ctr(0, UT_C_SEEN), 32);
}

/* Copies emitted into another VNF which emits copies of its own: the
 * nested VNF's emit area sits above the outer one's and is given back. */
static void
test_nested_emit(void **state)
{
	struct rte_mbuf *pkts[10];
	unsigned int k;
	uint16_t i;

	RTE_SET_USED(state);
	ut_fake_new(0, 3);
	ut_fake_new(1, 3);
	nfv_test_link_port(ut_g, 0, 0, 0);
	nfv_test_link_port(ut_g, 1, 0, 1);
	nfv_test_link_vnf(ut_g, 0, 2, 1, 0); /* fake0.c - fake1.a */
	nfv_test_link_port(ut_g, 2, 1, 1);   /* fake1.b - port 2 */
	nfv_test_link_port(ut_g, 3, 1, 2);   /* fake1.c - port 3 */
	for (i = 0; i < 10; i++) {
		pkts[i] = ut_pkt(i);
		/* fake0: original to port 1, 2 copies into fake1. */
		ut_pkt_cmd(pkts[i], 0, 1, 2, 2);
		/* fake1: to port 2, 1 copy to port 3. */
		ut_pkt_cmd(pkts[i], 1, 1, 1, 2);
	}
	nfv_graph_input(ut_w, ut_g, 0, pkts, 10);
	assert_int_equal(ut_w->emit.n, 0);
	nfv_graph_flush(ut_w);
	assert_int_equal(ut_cap[1].n, 10);
	assert_int_equal(ut_cap[2].n, 20);
	assert_int_equal(ut_cap[3].n, 20);
	for (k = 0; k < 20; k++) {
		assert_int_equal(ut_seq(ut_cap[2].pkts[k]), (k / 2) | UT_COPY_BIT);
		assert_int_equal(ut_seq(ut_cap[3].pkts[k]), (k / 2) | UT_COPY_BIT);
	}
	assert_int_equal(ut_ctr(1, UT_C_SEEN), 20);
}

/* A port that takes only part of a burst: the rest is freed and counted
 * as tx-full, or port-down when the link is down. */
static void
test_tx_refused(void **state)
{
	struct rte_mbuf *pkts[32];
	unsigned int r;
	uint16_t i;

	RTE_SET_USED(state);
	ut_fake_new(0, 2);
	nfv_test_link_port(ut_g, 0, 0, 0);
	nfv_test_link_port(ut_g, 1, 0, 1);
	ut_cap[1].accept = 10;
	for (i = 0; i < 32; i++) {
		pkts[i] = ut_pkt(i);
		ut_pkt_cmd(pkts[i], 0, 1, 0, 0);
	}
	nfv_graph_input(ut_w, ut_g, 0, pkts, 32);
	nfv_graph_flush(ut_w);
	assert_int_equal(ut_cap[1].n, 10);
	for (i = 0; i < 10; i++)
		assert_int_equal(ut_seq(ut_cap[1].pkts[i]), i);
	assert_int_equal(ut_w->pstats[1].drops[NFV_PD_TX_FULL], 22);
	assert_int_equal(ut_w->pstats[1].drops[NFV_PD_PORT_DOWN], 0);
	nfv_test_txcap_free_all();
	assert_int_equal(rte_mempool_avail_count(ut_pool), ut_pool->size);

	/* Link down, nothing accepted. */
	atomic_store(&nfv_port_fp[1].link_up, false);
	ut_cap[1].accept = 0;
	for (i = 0; i < 32; i++) {
		pkts[i] = ut_pkt(i);
		ut_pkt_cmd(pkts[i], 0, 1, 0, 0);
	}
	nfv_graph_input(ut_w, ut_g, 0, pkts, 32);
	nfv_graph_flush(ut_w);
	assert_int_equal(ut_w->pstats[1].drops[NFV_PD_PORT_DOWN], 32);
	assert_int_equal(ut_w->pstats[1].drops[NFV_PD_TX_FULL], 22);
	assert_int_equal(rte_mempool_avail_count(ut_pool), ut_pool->size);

	/* Refused during the overflow flush inside the runner too: groups
	 * of 8 are buffered (below NFV_TX_DIRECT). */
	atomic_store(&nfv_port_fp[1].link_up, true);
	ut_cap[1].accept = 40;
	for (r = 0; r < 9; r++) {
		for (i = 0; i < 8; i++) {
			pkts[i] = ut_pkt(r * 8 + i);
			ut_pkt_cmd(pkts[i], 0, 1, 0, 0);
		}
		nfv_graph_input(ut_w, ut_g, 0, pkts, 8);
	}
	nfv_graph_flush(ut_w);
	/* 64 buffered, 40 taken; then 8, all taken. */
	assert_int_equal(ut_cap[1].n, 48);
	assert_int_equal(ut_w->pstats[1].drops[NFV_PD_TX_FULL], 22 + 24);
}

/* The TX queue each burst of test_tx_queue_enabled() went to. */
static uint16_t ut_txq_seen[8];
static unsigned int ut_txq_n;

static uint16_t
ut_txq_burst(uint16_t port, uint16_t queue, struct rte_mbuf **pkts, uint16_t n)
{
	RTE_SET_USED(port);
	if (ut_txq_n < RTE_DIM(ut_txq_seen))
		ut_txq_seen[ut_txq_n++] = queue;
	rte_pktmbuf_free_bulk(pkts, n);
	return n;
}

/* Send one burst of 32 from port 0 to port 1 on the worker's TX queue
 * `q`, with port 1's frontend rings `vq_on`: the queue it went to. */
static uint16_t
ut_txq_send(uint16_t q, uint32_t vq_on)
{
	struct rte_mbuf *pkts[32];
	uint16_t i;

	atomic_store(&nfv_port_fp[1].vq_on, vq_on);
	ut_w->tx[1].queue = q;
	for (i = 0; i < 32; i++) {
		pkts[i] = ut_pkt(i);
		ut_pkt_cmd(pkts[i], 0, 1, 0, 0);
	}
	ut_txq_n = 0;
	nfv_graph_input(ut_w, ut_g, 0, pkts, 32);
	nfv_graph_flush(ut_w);
	assert_int_equal(ut_txq_n, 1);
	return ut_txq_seen[0];
}

/*
 * A vhost-user port whose frontend has not enabled (yet, or ever) the ring
 * of a worker's TX queue: the worker sends on an enabled one instead, the
 * same one for every burst, and its packets are not refused.  Ports with
 * no mask (not vhost-user) and queues that are enabled are left alone.
 */
static void
test_tx_queue_enabled(void **state)
{
	RTE_SET_USED(state);
	ut_fake_new(0, 2);
	nfv_test_link_port(ut_g, 0, 0, 0);
	nfv_test_link_port(ut_g, 1, 0, 1);
	ut_w->tx_burst = ut_txq_burst;
	/* Not vhost-user, or nothing known: as configured. */
	assert_int_equal(ut_txq_send(1, 0), 1);
	/* Enabled: as configured. */
	assert_int_equal(ut_txq_send(1, NFV_VQ_TX_ON(0) | NFV_VQ_TX_ON(1)), 1);
	/* Only queue pair 0 (a guest without multi-queue): queue 0, every
	 * time; RX bits do not count. */
	assert_int_equal(ut_txq_send(1, NFV_VQ_TX_ON(0) | NFV_VQ_RX_ON(1)), 0);
	assert_int_equal(ut_txq_send(1, NFV_VQ_TX_ON(0) | NFV_VQ_RX_ON(1)), 0);
	assert_int_equal(ut_txq_send(3, NFV_VQ_TX_ON(0)), 0);
	/* Two of four: queue q takes the (q mod 2)-th of them. */
	assert_int_equal(ut_txq_send(1, NFV_VQ_TX_ON(0) | NFV_VQ_TX_ON(2)), 2);
	assert_int_equal(ut_txq_send(3, NFV_VQ_TX_ON(0) | NFV_VQ_TX_ON(2)), 2);
	assert_int_equal(ut_txq_send(1, NFV_VQ_TX_ON(2) | NFV_VQ_TX_ON(3)), 3);
	assert_int_equal(ut_w->pstats[1].drops[NFV_PD_TX_FULL], 0);
	atomic_store(&nfv_port_fp[1].vq_on, 0);
	ut_w->tx[1].queue = 0;
	ut_w->tx_burst = nfv_test_txcap_burst;
}

/* Groups below NFV_TX_DIRECT are gathered until the end of the loop; a
 * big group that finds packets buffered queues behind them, in order. */
static void
test_small_groups_gathered(void **state)
{
	struct rte_mbuf *pkts[32];
	unsigned int k;
	uint16_t i;

	RTE_SET_USED(state);
	ut_fake_new(0, 2);
	nfv_test_link_port(ut_g, 0, 0, 0);
	nfv_test_link_port(ut_g, 1, 0, 1);
	for (i = 0; i < 4; i++) {
		pkts[i] = ut_pkt(i);
		ut_pkt_cmd(pkts[i], 0, 1, 0, 0);
	}
	nfv_graph_input(ut_w, ut_g, 0, pkts, 4);
	assert_int_equal(ut_w->tx[1].n, 4);
	assert_int_equal(ut_cap[1].calls, 0);
	for (i = 0; i < 32; i++) {
		pkts[i] = ut_pkt(4 + i);
		ut_pkt_cmd(pkts[i], 0, 1, 0, 0);
	}
	nfv_graph_input(ut_w, ut_g, 0, pkts, 32);
	assert_int_equal(ut_w->tx[1].n, 36);
	assert_int_equal(ut_cap[1].calls, 0);
	nfv_graph_flush(ut_w);
	assert_int_equal(ut_cap[1].calls, 1);
	assert_int_equal(ut_cap[1].n, 36);
	for (k = 0; k < 36; k++)
		assert_int_equal(ut_seq(ut_cap[1].pkts[k]), k);
	nfv_test_txcap_free_all();
	assert_int_equal(rte_mempool_avail_count(ut_pool), ut_pool->size);
}

/* Packets buffered for TX and never flushed are freed by discard. */
static void
test_discard_frees_buffered(void **state)
{
	struct rte_mbuf *pkts[32];
	uint16_t i;

	RTE_SET_USED(state);
	ut_fake_new(0, 3);
	for (i = 0; i < 3; i++)
		nfv_test_link_port(ut_g, i, 0, i);
	/* 12 frames, 6 per port: small groups are buffered. */
	for (i = 0; i < 12; i++) {
		pkts[i] = ut_pkt(i);
		ut_pkt_cmd(pkts[i], 0, 1 + (i & 1), 0, 0);
	}
	nfv_graph_input(ut_w, ut_g, 0, pkts, 12);
	assert_int_equal(ut_w->tx[1].n + ut_w->tx[2].n, 12);
	assert_true(rte_mempool_avail_count(ut_pool) < ut_pool->size);
	nfv_graph_discard(ut_w);
	assert_true(ut_w->tx_dirty == 0);
	assert_int_equal(ut_w->tx[1].n, 0);
	assert_int_equal(ut_cap[1].calls + ut_cap[2].calls, 0);
	assert_int_equal(rte_mempool_avail_count(ut_pool), ut_pool->size);
}

/* Port to port through a chain of two VNFs, and a port linked straight to
 * a port (no VNF at all). */
static void
test_chain_and_port_to_port(void **state)
{
	struct rte_mbuf *pkts[16];
	uint16_t i;

	RTE_SET_USED(state);
	ut_fake_new(0, 2);
	ut_fake_new(1, 2);
	nfv_test_link_port(ut_g, 0, 0, 0);
	nfv_test_link_vnf(ut_g, 0, 1, 1, 0);
	nfv_test_link_port(ut_g, 1, 1, 1);
	ut_g->port_peer[2] = nfv_test_ep_port(3);
	ut_g->port_peer[3] = nfv_test_ep_port(2);
	for (i = 0; i < 16; i++) {
		pkts[i] = ut_pkt(i);
		ut_pkt_cmd(pkts[i], 0, 1, 0, 0);
		ut_pkt_cmd(pkts[i], 1, 1, 0, 0);
	}
	nfv_graph_input(ut_w, ut_g, 0, pkts, 8);
	nfv_graph_input(ut_w, ut_g, 2, pkts + 8, 8);
	nfv_graph_flush(ut_w);
	assert_int_equal(ut_cap[1].n, 8);
	assert_int_equal(ut_cap[3].n, 8);
	for (i = 0; i < 8; i++) {
		assert_int_equal(ut_seq(ut_cap[1].pkts[i]), i);
		assert_int_equal(ut_seq(ut_cap[3].pkts[i]), 8 + i);
	}
	assert_int_equal(ut_wstate(1)->last_in_iface, 0);
}

/* Bytes allocated on the rte_malloc heaps. */
static size_t
ut_heap_used(void)
{
	struct rte_malloc_socket_stats st;
	size_t total = 0;
	unsigned int s;

	for (s = 0; s < RTE_MAX_NUMA_NODES; s++)
		if (rte_malloc_get_socket_stats((int)s, &st) == 0)
			total += st.heap_allocsz_bytes;
	return total;
}

/*
 * nfv_graph_poll(): only instances whose type has poll() are visited (the
 * index nfv_graph_poll_index() builds); what poll() returns is handed on
 * like process() output: grouped by iface to ports and VNFs, drops counted
 * against the poller, unlinked ifaces counted by the runner, emitted
 * copies dispatched; bursts of at most 32; not counted as "packets".
 */
static void
test_poll_runner(void **state)
{
	static const uint16_t nx[] = {0, 1, 0, VNF_DROP(UT_C_DROP_B), 2, 1, 0};
	unsigned int i, got;

	RTE_SET_USED(state);
	ut_fake_new(0, 2);
	ut_inst_new("ut_poller", 1, 3);
	ut_fake_new(2, 2);
	nfv_test_link_port(ut_g, 0, 1, 0);	/* poller.a - port 0 */
	nfv_test_link_vnf(ut_g, 1, 1, 0, 0);	/* poller.b - fake0.a */
	nfv_test_link_port(ut_g, 1, 0, 1);	/* fake0.b - port 1 */
	/* poller.c unlinked */
	nfv_graph_poll_index(ut_g);
	assert_int_equal(ut_g->n_poll, 1);
	assert_int_equal(ut_g->poll[0], 1);

	ut_pq_n = ut_pq_head = ut_poll_calls = 0;
	ut_pq_emit_next = -1;
	/* nothing queued: poll() is called, nothing moves */
	assert_int_equal(nfv_graph_poll(ut_w, ut_g), 0);
	assert_int_equal(ut_poll_calls, 1);
	assert_int_equal(ut_wstate(0)->calls, 0);

	for (i = 0; i < RTE_DIM(nx); i++) {
		ut_pq[ut_pq_n] = ut_pkt(i);
		ut_pkt_cmd(ut_pq[ut_pq_n], 0, 1, 0, 0); /* fake0: out by b */
		ut_pq_next[ut_pq_n++] = nx[i];
	}
	got = nfv_graph_poll(ut_w, ut_g);
	assert_int_equal(got, RTE_DIM(nx));
	nfv_graph_flush(ut_w);
	assert_int_equal(ut_cap[0].n, 3);
	assert_int_equal(ut_seq(ut_cap[0].pkts[0]), 0);
	assert_int_equal(ut_seq(ut_cap[0].pkts[1]), 2);
	assert_int_equal(ut_seq(ut_cap[0].pkts[2]), 6);
	assert_int_equal(ut_cap[1].n, 2); /* through fake0, depth 2 */
	assert_int_equal(ut_seq(ut_cap[1].pkts[0]), 1);
	assert_int_equal(ut_seq(ut_cap[1].pkts[1]), 5);
	assert_int_equal(ut_ctr(1, UT_C_DROP_B), 1);
	assert_int_equal(ut_w->vstats[1].drops[NFV_VD_UNLINKED], 1);
	assert_int_equal(ut_vi[0]->slots[0].pkts, 2);
	assert_int_equal(ut_vi[1]->slots[0].pkts, 0); /* its own packets */
	assert_int_equal(ut_vi[2]->slots[0].pkts, 0);
	nfv_test_txcap_free_all();

	/* 40 queued: 32, then 8; the copy of each first one goes too */
	ut_pq_n = ut_pq_head = 0;
	ut_pq_emit_next = 0;
	for (i = 0; i < 40; i++) {
		ut_pq[ut_pq_n] = ut_pkt(100 + i);
		ut_pq_next[ut_pq_n++] = 0;
	}
	assert_int_equal(nfv_graph_poll(ut_w, ut_g), 32);
	assert_int_equal(nfv_graph_poll(ut_w, ut_g), 8);
	assert_int_equal(ut_w->emit.n, 0);
	nfv_graph_flush(ut_w);
	assert_int_equal(ut_cap[0].n, 42);
	assert_int_equal(ut_seq(ut_cap[0].pkts[0]), 100);
	assert_int_equal(ut_seq(ut_cap[0].pkts[32]), 100); /* the copy */
	assert_int_equal(ut_seq(ut_cap[0].pkts[33]), 132);
	assert_int_equal(ut_seq(ut_cap[0].pkts[41]), 132);
	ut_pq_emit_next = -1;

	/* a graph without pollers: poll() never called */
	ut_g->n_poll = 0;
	ut_poll_calls = 0;
	assert_int_equal(nfv_graph_poll(ut_w, ut_g), 0);
	assert_int_equal(ut_poll_calls, 0);
}

/* nfv_graph_publish(): the new snapshot is current at once; the old one
 * is freed only after the worker has reported a quiescent state. */
static void
test_rcu_publish(void **state)
{
	struct nfv_graph *g1, *g2, *g3;
	size_t before, with_old;

	RTE_SET_USED(state);
	/* Before RCU exists (unit tests, early start-up) the old snapshot
	 * is freed in place. */
	g1 = nfv_graph_alloc();
	g2 = nfv_graph_alloc();
	assert_non_null(g1);
	assert_non_null(g2);
	nfv_graph_publish(g1);
	assert_ptr_equal(nfv_graph_current(), g1);
	before = ut_heap_used();
	nfv_graph_publish(g2);
	assert_ptr_equal(nfv_graph_get(), g2);
	assert_true(ut_heap_used() + sizeof(struct nfv_graph) <= before);

	assert_int_equal(nfv_rcu_init(1), 0);
	assert_non_null(nfv_rcu());
	/* This thread plays worker 0: online, holding g2. */
	nfv_rcu_worker_online(0);
	assert_ptr_equal(nfv_graph_get(), g2);
	g3 = nfv_graph_alloc();
	assert_non_null(g3);
	with_old = ut_heap_used();
	nfv_graph_publish(g3);
	assert_ptr_equal(nfv_graph_current(), g3);
	/* No quiescent state yet: g2 must survive any number of reclaims. */
	nfv_rcu_reclaim();
	nfv_rcu_reclaim();
	assert_int_equal(ut_heap_used(), with_old);
	/* The worker finishes its loop iteration. */
	nfv_rcu_quiescent(nfv_rcu(), 0);
	nfv_rcu_reclaim();
	assert_true(ut_heap_used() + sizeof(struct nfv_graph) <= with_old);

	/* A worker that went offline does not hold up grace periods. */
	nfv_rcu_worker_offline(0);
	with_old = ut_heap_used();
	nfv_graph_publish(NULL);
	nfv_rcu_reclaim();
	assert_true(ut_heap_used() + sizeof(struct nfv_graph) <= with_old);
	assert_null(nfv_graph_current());
	nfv_rcu_fini();
	assert_null(nfv_rcu());
}

/* nfv_graph_clone() copies the wiring but not the workers' RX queue
 * lists; nfv_graph_free() frees a graph with its lists, and NULL. */
static void
test_graph_clone_and_free(void **state)
{
	struct nfv_graph *g, *c;
	size_t before = ut_heap_used();

	RTE_SET_USED(state);
	g = nfv_graph_alloc();
	assert_non_null(g);
	g->n_ports = 3;
	g->n_vnfs = 1;
	g->port_peer[2] = nfv_test_ep_vnf(0, 5);
	g->iface_peer[0][5] = nfv_test_ep_port(2);
	g->wrx = rte_zmalloc("ut_wrx", sizeof(*g->wrx), RTE_CACHE_LINE_SIZE);
	assert_non_null(g->wrx);
	g->wrx->n = 1;
	c = nfv_graph_clone(g);
	assert_non_null(c);
	assert_null(c->wrx);
	assert_int_equal(c->n_ports, 3);
	assert_int_equal(c->n_vnfs, 1);
	assert_memory_equal(c->port_peer, g->port_peer, sizeof(g->port_peer));
	assert_memory_equal(c->iface_peer, g->iface_peer, sizeof(g->iface_peer));
	nfv_graph_free(g);
	nfv_graph_free(c);
	nfv_graph_free(NULL);
	assert_int_equal(ut_heap_used(), before);
}

/*
 * nfv_mbuf_free_counted() (vhost_io.h): every kind of packet it may be
 * handed goes back to its pool (or keeps the reference someone else
 * holds), and the bytes of all are counted, plain packets and the
 * others mixed in one burst.
 */
static void
test_free_counted(void **state)
{
	struct rte_mempool *other;
	struct rte_mbuf *pkts[NFV_VHOST_BURST], *held, *seg, *clone, *stranger;
	uint64_t want = 0;
	unsigned int i, n = 0;

	RTE_SET_USED(state);
	other = rte_pktmbuf_pool_create("ut_graph_o", 63, 0, 0,
					RTE_MBUF_DEFAULT_BUF_SIZE,
					(int)rte_socket_id());
	assert_non_null(other);

	/* A packet someone else still holds (refcnt 2). */
	held = ut_pkt(1);
	rte_mbuf_refcnt_update(held, 1);
	/* Two segments. */
	seg = rte_pktmbuf_alloc(ut_pool);
	assert_non_null(seg);
	assert_non_null(rte_pktmbuf_append(seg, 100));
	/* An indirect mbuf: a clone of a packet kept here. */
	clone = rte_pktmbuf_clone(held, ut_pool);
	assert_non_null(clone);
	/* One of another pool. */
	stranger = rte_pktmbuf_alloc(other);
	assert_non_null(stranger);
	assert_non_null(rte_pktmbuf_append(stranger, 70));

	for (i = 0; i < NFV_VHOST_BURST; i++) {
		struct rte_mbuf *m;

		switch (i) {
		case 3:
			m = held;
			break;
		case 7:
			m = clone;
			break;
		case 8:
			m = stranger;
			break;
		case 20:
			m = ut_pkt(i);
			assert_int_equal(rte_pktmbuf_chain(m, seg), 0);
			break;
		default:
			m = ut_pkt(i);
			/* Lengths that differ, so a byte lost shows. */
			assert_non_null(rte_pktmbuf_append(m, (uint16_t)i));
		}
		want += rte_pktmbuf_pkt_len(m);
		pkts[n++] = m;
	}
	/* The first packet decides the bulk pool (a burst that starts with
	 * a stranger follows). */
	assert_int_equal(nfv_mbuf_free_counted(pkts, (uint16_t)n), want);
	/* The burst and the clone each let go of `held` once: the reference
	 * taken above is all that is left, and the data is intact. */
	assert_int_equal(rte_mbuf_refcnt_read(held), 1);
	assert_int_equal(ut_seq(held), 1);
	rte_pktmbuf_free(held);
	assert_int_equal(rte_mempool_avail_count(other), other->size);
	assert_int_equal(rte_mempool_avail_count(ut_pool), ut_pool->size);

	/* A burst whose first packet is of the other pool. */
	n = 0;
	want = 0;
	pkts[n] = rte_pktmbuf_alloc(other);
	assert_non_null(pkts[n]);
	assert_non_null(rte_pktmbuf_append(pkts[n], 60));
	want += 60;
	n++;
	for (i = 1; i < 5; i++) {
		pkts[n] = ut_pkt(i);
		want += rte_pktmbuf_pkt_len(pkts[n]);
		n++;
	}
	assert_int_equal(nfv_mbuf_free_counted(pkts, (uint16_t)n), want);
	assert_int_equal(rte_mempool_avail_count(other), other->size);
	assert_int_equal(rte_mempool_avail_count(ut_pool), ut_pool->size);
	rte_mempool_free(other);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_single_destination_moves_whole,
						ut_setup, ut_teardown),
		cmocka_unit_test_setup_teardown(test_mixed_burst_grouped_in_order,
						ut_setup, ut_teardown),
		cmocka_unit_test_setup_teardown(test_mixed_bursts_random,
						ut_setup, ut_teardown),
		cmocka_unit_test_setup_teardown(test_drops_counted_by_reason,
						ut_setup, ut_teardown),
		cmocka_unit_test_setup_teardown(test_unlinked_iface_and_port,
						ut_setup, ut_teardown),
		cmocka_unit_test_setup_teardown(test_graph_loop_stops_at_depth,
						ut_setup, ut_teardown),
		cmocka_unit_test_setup_teardown(test_graph_self_loop, ut_setup,
						ut_teardown),
		cmocka_unit_test_setup_teardown(test_graph_loop_with_copies,
						ut_setup, ut_teardown),
		cmocka_unit_test_setup_teardown(test_emitted_packets_dispatched,
						ut_setup, ut_teardown),
		cmocka_unit_test_setup_teardown(test_nested_emit, ut_setup,
						ut_teardown),
		cmocka_unit_test_setup_teardown(test_tx_queue_enabled, ut_setup,
						ut_teardown),
		cmocka_unit_test_setup_teardown(test_tx_refused, ut_setup,
						ut_teardown),
		cmocka_unit_test_setup_teardown(test_small_groups_gathered,
						ut_setup, ut_teardown),
		cmocka_unit_test_setup_teardown(test_discard_frees_buffered,
						ut_setup, ut_teardown),
		cmocka_unit_test_setup_teardown(test_chain_and_port_to_port,
						ut_setup, ut_teardown),
		cmocka_unit_test_setup_teardown(test_poll_runner, ut_setup,
						ut_teardown),
		cmocka_unit_test(test_rcu_publish),
		cmocka_unit_test(test_graph_clone_and_free),
		cmocka_unit_test(test_free_counted),
	};
	int rc;

	RTE_SET_USED(argc);
	if (nfv_test_eal_init(argv[0], "ut-graph", 128) < 0)
		return 1;
	/* No mempool cache: rte_mempool_avail_count() is then exact. */
	ut_pool = rte_pktmbuf_pool_create("ut_graph", UT_POOL_SIZE, 0, 0,
					  RTE_MBUF_DEFAULT_BUF_SIZE,
					  (int)rte_socket_id());
	if (ut_pool == NULL) {
		fprintf(stderr, "test_graph: no mbuf pool\n");
		nfv_test_eal_fini();
		return 1;
	}
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	rte_mempool_free(ut_pool);
	nfv_test_eal_fini();
	return rc;
}
