/* SPDX-License-Identifier: BSD-3-Clause
 *
 * bpf.c - the `bpf` VNF: an eBPF program chooses, per frame, the iface it
 * leaves by or drops it.
 *
 * The program (prog.c: opened with libbpf, run by rte_bpf, JIT on
 * x86-64) gets a struct nfv_bpf_ctx (nfv_bpf.h): the frame, its length
 * and the iface it came in by; it returns an iface index or NFV_BPF_DROP.
 * `bpf load VNF FILE [section S]` replaces the program while traffic
 * flows: the new one is loaded and checked next to the running one,
 * published with one release store, and the old one is freed after a
 * grace period (nfv_rcu_defer()), so no frame is lost and none sees a
 * freed program; when the new one fails, the old one stays.
 *
 * Every input frame is counted once by its fate: "forwarded", or the
 * drops "dropped" (the program said so) and "bad-verdict" (it returned
 * neither an iface of this VNF nor NFV_BPF_DROP).  The program's own
 * counters (nfv_bpf_counter_add()) are in `show bpf`.  docs/bpf.md.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>

#include "control/ctl_server.h"
#include "vnf/bpf/config.h"
#include "vnf/bpf/prog.h"
#include "vnf/lib/rcu.h"
#include "vnf/vnf.h"

#define VB_COUNTERS(_)                                                         \
	_(VB_FORWARDED, "forwarded", VNF_CK_PASS)                              \
	_(VB_DROPPED, "dropped", VNF_CK_DROP)                                  \
	_(VB_BAD_VERDICT, "bad-verdict", VNF_CK_DROP)

enum { VB_COUNTERS(VNF_COUNTER_ENUM) VB_N_COUNTERS };

static const struct vnf_counter_desc vb_counters[VB_N_COUNTERS] = {
	VB_COUNTERS(VNF_COUNTER_DESC)};

struct vb {
	/* The running program.  Written by the control thread with a
	 * release store (after the program is whole), read by workers with
	 * an acquire load once per burst; freed after a grace period. */
	struct vnf_bpf_prog *prog;
	/* Control thread only. */
	bool jit;
	uint64_t loads;	      /* programs loaded, the first included */
	uint64_t load_errors; /* `bpf load`s that failed */
};

/* Worker-owned: the context of a frame that cannot be read in place. */
struct vb_wstate {
	struct nfv_bpf_ctx scratch;
};

/*
 * Worker.  The loop is the VNF's whole per-frame cost besides the program
 * (tests/bench/bpf: about 7 cycles): what stays the same for the burst
 * (frames, verdicts, the program's entry point) is read once into locals
 * the compiler keeps in registers across the call into the program, and
 * the loop carries no counter: forwarded is the burst less its drops,
 * which are rare.
 */
static void
vb_process(struct vnf_instance *vi, struct vnf_wctx *w, struct vnf_burst *b)
{
	struct vb *vb = vi->priv;
	struct vb_wstate *ws = w->state;
	struct vnf_bpf_prog *p = __atomic_load_n(&vb->prog, __ATOMIC_ACQUIRE);
	uint64_t (*const jit)(void *ctx) = p->jit;
	struct rte_mbuf **const pkts = b->pkts;
	uint16_t *const next = b->next;
	const uint16_t n = b->n, in_iface = b->in_iface;
	const uint16_t n_ifaces = vi->n_ifaces;
	uint16_t i, drops = 0;
	uint32_t v;

	vnf_bpf_prog_bind(p, w->worker);
	for (i = 0; i < n; i++) {
		struct nfv_bpf_ctx *ctx;

		if (i + 1 < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1], void *));
		ctx = vnf_bpf_ctx_get(pkts[i], in_iface, n_ifaces,
				      &ws->scratch);
		/* vnf_bpf_prog_run() with the entry point in a register. */
		if (likely(jit != NULL))
			v = (uint32_t)jit(ctx);
		else
			v = (uint32_t)rte_bpf_exec(p->bpf, ctx);
		if (likely(v < n_ifaces)) {
			next[i] = (uint16_t)v;
			continue;
		}
		drops++;
		next[i] = v == NFV_BPF_DROP ? VNF_DROP(VB_DROPPED)
					    : VNF_DROP(VB_BAD_VERDICT);
	}
	w->counters[VB_FORWARDED] += (uint64_t)(n - drops);
}

static int
vb_create(struct vnf_instance *vi, const struct ctl_vnf_config *cfg, char *err,
	  size_t errlen)
{
	const struct vnf_bpf_config *bc = cfg->priv;
	char why[512];
	struct vb *vb;
	int rc;

	if (bc == NULL || bc->program == NULL) {
		snprintf(err, errlen, "vnf %s: no bpf config", cfg->name);
		return -EINVAL;
	}
	vb = rte_zmalloc("vnf_bpf", sizeof(*vb), RTE_CACHE_LINE_SIZE);
	if (vb == NULL) {
		snprintf(err, errlen, "vnf %s: out of memory", cfg->name);
		return -ENOMEM;
	}
	vi->priv = vb;
	vb->jit = bc->jit;
	rc = vnf_bpf_prog_load(bc->program, bc->section, bc->jit, &vb->prog,
			       why, sizeof(why));
	if (rc < 0) {
		snprintf(err, errlen, "vnf %s: %s", cfg->name, why);
		return rc; /* destroy() frees vb */
	}
	vb->loads = 1;
	return 0;
}

/* After the workers stopped or a grace period: nobody runs the program. */
static void
vb_destroy(struct vnf_instance *vi)
{
	struct vb *vb = vi->priv;

	if (vb == NULL)
		return;
	vnf_bpf_prog_free(vb->prog);
	rte_free(vb);
	vi->priv = NULL;
}

static json_t *
vb_counters_json(const struct vnf_bpf_prog *p)
{
	json_t *a = json_array();
	unsigned int i;

	for (i = 0; a != NULL && i < NFV_BPF_N_COUNTERS; i++)
		json_array_append_new(
			a,
			json_integer((json_int_t)vnf_bpf_prog_counter(p, i)));
	return a;
}

static json_t *
vb_details(struct vnf_instance *vi)
{
	const struct vb *vb = vi->priv;
	const struct vnf_bpf_prog *p = vb->prog;

	return json_pack("{s:s, s:s, s:s, s:i, s:s, s:I, s:I}", "program",
			 p->file, "section", p->section, "function", p->name,
			 "insns", (int)p->n_insns, "run",
			 p->jit != NULL ? "jit"
			 : p->has_jit	? "interpreter (jit: false)"
					: "interpreter (no JIT here)",
			 "loads", (json_int_t)vb->loads, "load_errors",
			 (json_int_t)vb->load_errors);
}

/* show bpf: one row per bpf VNF, its program and the program's counters. */
static int
vb_show(struct vnf_instance *vi, json_t *args, json_t **reply)
{
	const struct vb *vb = vi->priv;
	json_t *row = json_pack("{s:s}", "vnf", vi->name), *d = vb_details(vi);

	RTE_SET_USED(args);
	/* The instance first: nfvctl prints the columns in this order. */
	if (row == NULL || d == NULL || json_object_update(row, d) < 0) {
		json_decref(d);
		json_decref(row);
		goto err_oom;
	}
	json_decref(d);
	json_object_set_new(
		row, "forwarded",
		json_integer((json_int_t)vnf_counter_sum(vi, VB_FORWARDED)));
	json_object_set_new(
		row, "dropped",
		json_integer((json_int_t)vnf_counter_sum(vi, VB_DROPPED)));
	json_object_set_new(row, "counters", vb_counters_json(vb->prog));
	*reply = json_pack("[o]", row);
	if (*reply == NULL)
		goto err_oom;
	return 0;

err_oom:
	*reply = json_string("out of memory");
	return -ENOMEM;
}

/* bpf load VNF FILE [section S]: replace the program; on any error the
 * running one stays and the reply says what failed. */
static int
vb_load(struct vnf_instance *vi, json_t *args, json_t **reply)
{
	struct vb *vb = vi->priv;
	struct vnf_bpf_prog *np, *old;
	const char *file = NULL, *section = NULL;
	char err[512];
	int rc;

	rc = ctl_req_str(args, "file", &file, reply);
	if (rc == 0)
		return ctl_req_missing(reply, "file");
	if (rc > 0)
		rc = ctl_req_str(args, "section", &section, reply);
	if (rc < 0)
		return rc;
	rc = vnf_bpf_prog_load(file, section, vb->jit, &np, err, sizeof(err));
	if (rc < 0) {
		vb->load_errors++;
		*reply = json_string(err);
		return rc;
	}
	/* Release: a worker that sees np sees it whole. */
	old = __atomic_exchange_n(&vb->prog, np, __ATOMIC_RELEASE);
	nfv_rcu_defer(vnf_bpf_prog_free_cb, old);
	vb->loads++;
	*reply = vb_details(vi);
	return 0;
}

/* clang-format off */
static const struct vnf_verb vb_verbs[] = {
	{
		.name = "bpf load",
		.help = "replace a bpf vnf's program while traffic flows",
		.args = {
			{.key = "vnf", .meta = "VNF",
			 .flags = VNF_ARG_REQUIRED},
			{.key = "file", .meta = "FILE",
			 .flags = VNF_ARG_REQUIRED},
			{.key = "section", .word = "section", .meta = "S"},
		},
		.handler = vb_load,
	},
	{
		.name = "show bpf",
		.help = "bpf vnfs: program, how it runs, its counters",
		.flags = VNF_VERB_SHOW,
		.handler = vb_show,
	},
};
/* clang-format on */

static const struct vnf_ops bpf_ops = {
	.type = "bpf",
	.worker_size = sizeof(struct vb_wstate),
	.counters = vb_counters,
	.n_counters = VB_N_COUNTERS,
	.create = vb_create,
	.destroy = vb_destroy,
	.process = vb_process,
	.verbs = vb_verbs,
	.n_verbs = RTE_DIM(vb_verbs),
	.details = vb_details,
};

VNF_REGISTER(bpf_ops);
