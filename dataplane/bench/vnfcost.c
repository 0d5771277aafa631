/* SPDX-License-Identifier: BSD-3-Clause
 *
 * vnfcost.c - the per-function cost of nfvd's VNFs, like VPP's per-node
 * clocks: the VNFs and wiring of an nfvd config are built with no ports,
 * prepared bursts (the same templates the generator sends) go into the
 * graph runner at each port that is linked to something, and what the
 * runner hands to a port's TX is taken by a hook that counts and keeps
 * it (freed outside the timed part).  Printed: cycles per packet of each
 * VNF's process() (the runner times one call in NFV_VNF_TIME_EVERY, as
 * nfvd does, so the figure is the one `nfvctl show stats` shows live)
 * and of the whole chain (nfv_graph_input() + nfv_graph_flush(), runner
 * included).  Main thread only; it acts as worker 0.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_memcpy.h>

#include "control/config.h"
#include "dataplane/bench/bench.h"
#include "dataplane/graph.h"
#include "vnf/lib/rcu.h"
#include "vnf/vnf.h"

/* The runner and the VNFs log through these; nfvd's main defines them. */
RTE_LOG_REGISTER(nfv_logtype_main, nfv.main, NOTICE);
RTE_LOG_REGISTER(nfv_logtype_port, nfv.port, NOTICE);
RTE_LOG_REGISTER(nfv_logtype_graph, nfv.graph, NOTICE);

#define NFVB_SINK 8192
#define NFVB_COST_WARMUP 2000
#define NFVB_COST_ROUNDS 5

struct nfvb_sink {
	unsigned int n;
	uint64_t out[NFV_MAX_PORTS];
	uint64_t dropped;		/* the sink was full */
	struct rte_mbuf *m[NFVB_SINK];
};

static struct nfvb_sink nfvb_sink;

/* The TX hook: "send" = keep for freeing after the timed part. */
static uint16_t
nfvb_cost_tx(uint16_t port, uint16_t queue, struct rte_mbuf **pkts,
	     uint16_t n)
{
	struct nfvb_sink *s = &nfvb_sink;
	uint16_t k = (uint16_t)RTE_MIN((unsigned int)n, NFVB_SINK - s->n);

	RTE_SET_USED(queue);
	memcpy(&s->m[s->n], pkts, k * sizeof(pkts[0]));
	s->n += k;
	s->out[port] += n;
	if (k < n) {
		s->dropped += n - k;
		rte_pktmbuf_free_bulk(&pkts[k], n - k);
	}
	return n;
}

static struct nfv_graph *
nfvb_cost_graph(const struct ctl_config *cfg, struct vnf_instance **vnfs)
{
	struct nfv_graph *g = nfv_graph_alloc();
	unsigned int i;

	if (g == NULL)
		return NULL;
	g->n_ports = (uint16_t)cfg->n_ports;
	g->n_vnfs = (uint16_t)cfg->n_vnfs;
	for (i = 0; i < cfg->n_vnfs; i++)
		g->vnfs[i] = vnfs[i];
	for (i = 0; i < cfg->n_links; i++) {
		const struct ctl_endpoint *e[2] = {&cfg->links[i].a,
						   &cfg->links[i].b};
		struct nfv_ep ep[2];
		unsigned int k;

		for (k = 0; k < 2; k++) {
			ep[k].kind = e[k]->is_port ? NFV_EP_PORT : NFV_EP_VNF;
			ep[k].idx = (uint16_t)e[k]->index;
			ep[k].iface = (uint16_t)e[k]->iface;
		}
		for (k = 0; k < 2; k++) {
			if (ep[k].kind == NFV_EP_PORT)
				g->port_peer[ep[k].idx] = ep[k ^ 1];
			else
				g->iface_peer[ep[k].idx][ep[k].iface] =
					ep[k ^ 1];
		}
	}
	return g;
}

/* One burst from port p's templates, stamped like the generator's. */
static void
nfvb_cost_build(const struct nfvb_traffic *t, unsigned int p,
		struct rte_mbuf **m, unsigned int n, uint32_t *flow,
		unsigned int *pat, uint32_t *seq)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		unsigned int cls = t->pattern[*pat];
		char *d = rte_pktmbuf_mtod(m[i], char *);

		memset(d, 0, t->len[cls]);
		nfvb_frame_fill(t, p, cls, *flow, d);
		m[i]->data_len = t->len[cls];
		m[i]->pkt_len = t->len[cls];
		if (t->has_sig)
			nfvb_sig_stamp(rte_pktmbuf_mtod_offset(m[i],
							       struct nfvb_sig *,
							       t->sig_off),
				       (*seq)++, (uint32_t)rte_rdtsc());
		if (++*pat == t->n_pattern)
			*pat = 0;
		if (++*flow == t->flows)
			*flow = 0;
	}
}

static void
nfvb_cost_reset(struct vnf_instance **vnfs, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		vnfs[i]->slots[0].cycles = 0;
		vnfs[i]->slots[0].timed_pkts = 0;
		vnfs[i]->slots[0].pkts = 0;
		vnfs[i]->slots[0].calls = 0;
	}
	memset(nfvb_sink.out, 0, sizeof(nfvb_sink.out));
	nfvb_sink.dropped = 0;
}

static void
nfvb_sink_free(void)
{
	if (nfvb_sink.n > 0)
		rte_pktmbuf_free_bulk(nfvb_sink.m, nfvb_sink.n);
	nfvb_sink.n = 0;
}

/* What one timed burst needs. */
struct nfvb_cost_burst {
	const struct nfvb_traffic *t;
	struct nfv_wctx *w;
	const struct nfv_graph *g;
	struct rte_mempool *pool;
	unsigned int burst;
	uint32_t flow[NFV_MAX_PORTS], seq[NFV_MAX_PORTS];
	unsigned int pat[NFV_MAX_PORTS];
};

/* One burst into port p; the runner's time is added to *chain. */
static int
nfvb_cost_burst(struct nfvb_cost_burst *cb, uint16_t p, uint64_t *chain)
{
	struct rte_mbuf *m[NFVB_MAX_BURST];
	uint64_t t0;

	if (rte_pktmbuf_alloc_bulk(cb->pool, m, cb->burst) != 0) {
		fprintf(stderr, "nfv-bench: the pool ran dry: the graph keeps mbufs\n");
		return -ENOMEM;
	}
	nfvb_cost_build(cb->t, p, m, cb->burst, &cb->flow[p], &cb->pat[p],
			&cb->seq[p]);
	cb->w->now = rte_rdtsc();
	t0 = rte_rdtsc();
	nfv_graph_input(cb->w, cb->g, p, m, (uint16_t)cb->burst);
	nfv_graph_flush(cb->w);
	if (chain != NULL)
		*chain += rte_rdtsc() - t0;
	nfvb_sink_free();
	nfv_rcu_quiescent(nfv_rcu(), 0);
	return 0;
}

static int
nfvb_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double
nfvb_median(const double *v, unsigned int n)
{
	double tmp[NFVB_COST_ROUNDS];

	memcpy(tmp, v, n * sizeof(tmp[0]));
	qsort(tmp, n, sizeof(tmp[0]), nfvb_cmp_double);
	return (n & 1) ? tmp[n / 2] : (tmp[n / 2 - 1] + tmp[n / 2]) / 2;
}

int
nfvb_vnf_cost(const struct nfvb_opts *o)
{
	static struct vnf_instance *vnfs[NFV_MAX_VNFS];
	struct ctl_config *cfg = NULL;
	struct nfv_graph *g = NULL;
	struct nfv_wctx *w = NULL;
	struct rte_mempool *pool = NULL;
	struct nfvb_traffic t = {0};
	uint16_t inputs[NFV_MAX_PORTS];
	static double vnf_cpp[NFV_MAX_VNFS][NFVB_COST_ROUNDS];
	static double vnf_med[NFV_MAX_VNFS];
	double chain_cpp[NFVB_COST_ROUNDS], chain_med;
	struct nfvb_cost_burst cb;
	unsigned int n_in = 0, n_vnfs = 0, i, n_tports, r;
	uint64_t in_pkts = 0, hz, drops = 0, out = 0;
	unsigned long it, per_round;
	char err[512];
	int ret = 1, rc;

	rc = ctl_config_load(o->vnf_cost_cfg, &cfg, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "nfv-bench: %s\n", err);
		return 1;
	}
	if (cfg->n_ports > NFV_MAX_PORTS || cfg->n_ports > NFVB_MAX_PORTS ||
	    cfg->n_vnfs > NFV_MAX_VNFS) {
		fprintf(stderr, "nfv-bench: %s: at most %d ports and %d VNFs\n",
			o->vnf_cost_cfg, NFVB_MAX_PORTS, NFV_MAX_VNFS);
		goto out_cfg;
	}
	/* Ports pair up for the templates: 0 sends to 1 and back. */
	n_tports = RTE_MAX(2u, (cfg->n_ports + 1) & ~1u);
	rc = nfvb_traffic_build(&t, o, n_tports, o->sizes[0], err,
				sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "nfv-bench: --size: %s (try --help)\n", err);
		ret = NFVB_EXIT_USAGE;
		goto out_cfg;
	}
	if (nfvb_eal_init(o) < 0)
		goto out_traffic;
	hz = rte_get_tsc_hz();
	rc = nfv_rcu_init(1);
	if (rc < 0) {
		fprintf(stderr, "nfv-bench: RCU: %s\n", strerror(-rc));
		goto out_eal;
	}
	pool = rte_pktmbuf_pool_create("nfvb_cost", 16383, 256, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE,
				       (int)rte_socket_id());
	if (pool == NULL) {
		fprintf(stderr, "nfv-bench: no mbufs: %s\n",
			rte_strerror(rte_errno));
		goto out_rcu;
	}
	for (i = 0; i < cfg->n_vnfs; i++) {
		rc = vnf_instance_create(&cfg->vnfs[i], (uint16_t)i, 1,
					 nfv_rcu(), &vnfs[i], err, sizeof(err));
		if (rc < 0) {
			fprintf(stderr, "nfv-bench: %s\n", err);
			goto out_vnfs;
		}
		n_vnfs = i + 1;
	}
	g = nfvb_cost_graph(cfg, vnfs);
	w = rte_zmalloc("nfvb_wctx", sizeof(*w), RTE_CACHE_LINE_SIZE);
	if (g == NULL || w == NULL) {
		fprintf(stderr, "nfv-bench: out of memory\n");
		goto out_vnfs;
	}
	w->id = 0;
	w->pool = pool;
	w->tx_burst = nfvb_cost_tx;
	for (i = 0; i < cfg->n_ports; i++) {
		nfv_port_fp[i].eth_port = (uint16_t)i;
		if (g->port_peer[i].kind != NFV_EP_NONE)
			inputs[n_in++] = (uint16_t)i;
	}
	if (n_in == 0) {
		fprintf(stderr, "nfv-bench: %s: no port is linked to anything\n",
			o->vnf_cost_cfg);
		goto out_vnfs;
	}
	nfv_rcu_worker_online(0);
	memset(&cb, 0, sizeof(cb));
	cb.t = &t;
	cb.w = w;
	cb.g = g;
	cb.pool = pool;
	cb.burst = o->burst;

	/* Warm up (tables learn, caches fill), then time in rounds; the
	 * median round is reported, so a preemption on a busy machine
	 * spoils one round, not the figure. */
	for (it = 0; it < NFVB_COST_WARMUP; it++)
		if (nfvb_cost_burst(&cb, inputs[it % n_in], NULL) < 0)
			goto out_offline;
	nfvb_cost_reset(vnfs, n_vnfs);
	per_round = RTE_MAX(1ul, o->iterations / NFVB_COST_ROUNDS);
	for (r = 0; r < NFVB_COST_ROUNDS; r++) {
		uint64_t c0[NFV_MAX_VNFS], p0[NFV_MAX_VNFS], chain = 0;

		for (i = 0; i < n_vnfs; i++) {
			c0[i] = vnfs[i]->slots[0].cycles;
			p0[i] = vnfs[i]->slots[0].timed_pkts;
		}
		for (it = 0; it < per_round; it++)
			if (nfvb_cost_burst(&cb, inputs[it % n_in], &chain) < 0)
				goto out_offline;
		in_pkts += per_round * o->burst;
		chain_cpp[r] = (double)chain / (double)(per_round * o->burst);
		for (i = 0; i < n_vnfs; i++) {
			uint64_t dp = vnfs[i]->slots[0].timed_pkts - p0[i];

			vnf_cpp[i][r] = dp == 0 ? 0.0 :
				(double)(vnfs[i]->slots[0].cycles - c0[i]) /
					(double)dp;
		}
	}
	chain_med = nfvb_median(chain_cpp, NFVB_COST_ROUNDS);
	for (i = 0; i < n_vnfs; i++)
		vnf_med[i] = nfvb_median(vnf_cpp[i], NFVB_COST_ROUNDS);

	printf("nfv-bench: per-function cost, %s, %lu bursts of %u in %d rounds (median shown), %s B frames, %u flows, TSC %.3f GHz\n",
	       o->vnf_cost_cfg, per_round * NFVB_COST_ROUNDS, o->burst,
	       NFVB_COST_ROUNDS,
	       nfvb_size_name(o->sizes[0], err, sizeof(err)), o->flows,
	       (double)hz / 1e9);
	printf("%-16s %-10s %12s %10s %14s\n", "vnf", "type", "packets",
	       "calls", "cycles/packet");
	for (i = 0; i < n_vnfs; i++) {
		const struct vnf_worker_slot *s = &vnfs[i]->slots[0];

		printf("%-16s %-10s %12llu %10llu %14.1f\n", vnfs[i]->name,
		       vnfs[i]->ops->type, (unsigned long long)s->pkts,
		       (unsigned long long)s->calls, vnf_med[i]);
	}
	for (i = 0; i < cfg->n_ports; i++)
		out += nfvb_sink.out[i];
	for (i = 0; i < NFV_MAX_VNFS; i++) {
		unsigned int r;

		for (r = 0; r < NFV_VD_MAX; r++)
			drops += w->vstats[i].drops[r];
	}
	printf("%-16s %-10s %12llu %10s %14.1f   (runner included; %llu out, %llu runner drops)\n",
	       "chain", "-", (unsigned long long)in_pkts, "-", chain_med,
	       (unsigned long long)out, (unsigned long long)drops);

	if (o->json != NULL) {
		json_t *arr = json_array(), *root;

		for (i = 0; i < n_vnfs; i++) {
			const struct vnf_worker_slot *s = &vnfs[i]->slots[0];

			json_array_append_new(
				arr,
				json_pack("{s:s, s:s, s:I, s:I, s:f}", "name",
					  vnfs[i]->name, "type",
					  vnfs[i]->ops->type, "packets",
					  (json_int_t)s->pkts, "calls",
					  (json_int_t)s->calls,
					  "cycles_per_packet", vnf_med[i]));
		}
		root = json_pack("{s:s, s:s, s:i, s:s, s:I, s:{s:s, s:o, s:I, s:i, s:I}, s:o, s:{s:I, s:I, s:I, s:f}}",
				 "tool", "nfv-bench", "version", NFVB_VERSION,
				 "schema", NFVB_SCHEMA, "mode", "vnf-cost",
				 "tsc_hz", (json_int_t)hz, "config", "file",
				 o->vnf_cost_cfg, "size",
				 o->sizes[0] == NFVB_SIZE_IMIX ?
					 json_string("imix") :
					 json_integer(o->sizes[0]),
				 "flows", (json_int_t)o->flows, "burst",
				 (int)o->burst, "iterations",
				 (json_int_t)(per_round * NFVB_COST_ROUNDS),
				 "vnfs", arr,
				 "chain", "packets_in", (json_int_t)in_pkts,
				 "packets_out", (json_int_t)out, "runner_drops",
				 (json_int_t)drops, "cycles_per_packet",
				 chain_med);
		if (root == NULL ||
		    json_dump_file(root, o->json, JSON_INDENT(2)) != 0) {
			fprintf(stderr, "nfv-bench: %s: cannot write JSON\n",
				o->json);
			json_decref(root);
			goto out_offline;
		}
		json_decref(root);
	}
	ret = 0;

out_offline:
	nfv_graph_discard(w);
	nfvb_sink_free();
	nfv_rcu_worker_offline(0);
out_vnfs:
	rte_free(w);
	nfv_graph_free(g);
	for (i = 0; i < n_vnfs; i++)
		vnf_instance_destroy(vnfs[i]);
	if (pool != NULL && rte_mempool_avail_count(pool) != pool->size) {
		fprintf(stderr, "nfv-bench: %u mbufs not returned to the pool\n",
			pool->size - rte_mempool_avail_count(pool));
		ret = 1;
	}
	rte_mempool_free(pool);
out_rcu:
	nfv_rcu_fini();
out_eal:
	nfvb_eal_cleanup();
out_traffic:
	nfvb_traffic_free(&t);
out_cfg:
	ctl_config_free(cfg);
	return ret;
}
