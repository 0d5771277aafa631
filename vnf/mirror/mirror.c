/* SPDX-License-Identifier: BSD-3-Clause
 *
 * mirror.c - port mirroring (SPAN) as a VNF.
 *
 * Three ifaces: frames that come in by `in` leave by `out` and the other
 * way round, untouched; copies of the frames of the configured direction
 * (in, out or both), cut to `snaplen` bytes and sampled 1 in `sample`,
 * leave by `span`, where an analyzer (a pcap port, a VM running tcpdump or
 * an IDS) is linked.  Frames that come in by `span` are dropped: an
 * analyzer does not inject into the mirrored path.
 *
 * This VNF is also the example of a VNF that is one folder: its config
 * reader (config.c), its fast path, counters and verbs (this file), and
 * nothing elsewhere but one line in vnf/meson.build.  docs/mirror.md.
 *
 * Every input frame is counted once by its fate: "forwarded" or the drop
 * "from-span"; "mirrored" and "mirror-copy-failed" count copies.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "vnf/mirror/config.h"
#include "vnf/vnf.h"

#define MIR_COUNTERS(_)                                                       \
	_(MIR_FORWARDED, "forwarded", VNF_CK_PASS)                            \
	_(MIR_COPIES, "mirrored", VNF_CK_INFO)                                \
	_(MIR_COPY_FAILED, "mirror-copy-failed", VNF_CK_LOST)                 \
	_(MIR_DROP_FROM_SPAN, "from-span", VNF_CK_DROP)

enum { MIR_COUNTERS(VNF_COUNTER_ENUM) MIR_N_COUNTERS };

static const struct vnf_counter_desc mir_counters[MIR_N_COUNTERS] = {
	MIR_COUNTERS(VNF_COUNTER_DESC)};

/* Read-only after create(): workers read it without synchronisation. */
struct mir {
	enum mir_direction dir;
	uint32_t snaplen;	/* UINT32_MAX: whole frames */
	uint32_t sample;
};

/* Worker-owned. */
struct mir_wstate {
	uint32_t skip;		/* frames to let pass before the next copy */
};

static void
mir_copy(const struct mir *mr, struct vnf_wctx *w, struct mir_wstate *ws,
	 struct rte_mbuf *m)
{
	struct rte_mbuf *c;

	if (ws->skip != 0) {
		ws->skip--;
		return;
	}
	ws->skip = mr->sample - 1;
	c = rte_pktmbuf_copy(m, w->pool, 0, mr->snaplen);
	if (unlikely(c == NULL)) {
		w->counters[MIR_COPY_FAILED]++;
		return;
	}
	if (unlikely(vnf_emit(w, c, MIR_IF_SPAN) != 0)) {
		rte_pktmbuf_free(c);
		w->counters[MIR_COPY_FAILED]++;
		return;
	}
	w->counters[MIR_COPIES]++;
}

static void
mir_process(struct vnf_instance *vi, struct vnf_wctx *w, struct vnf_burst *b)
{
	const struct mir *mr = vi->priv;
	struct mir_wstate *ws = w->state;
	uint16_t i, out;
	unsigned int dir;

	if (unlikely(b->in_iface == MIR_IF_SPAN)) {
		for (i = 0; i < b->n; i++)
			b->next[i] = VNF_DROP(MIR_DROP_FROM_SPAN);
		return;
	}
	/* The whole burst leaves by one iface: the runner hands it on
	 * without copying. */
	out = b->in_iface == MIR_IF_IN ? MIR_IF_OUT : MIR_IF_IN;
	for (i = 0; i < b->n; i++)
		b->next[i] = out;
	w->counters[MIR_FORWARDED] += b->n;
	dir = b->in_iface == MIR_IF_IN ? MIR_DIR_IN : MIR_DIR_OUT;
	if (!(mr->dir & dir))
		return;
	for (i = 0; i < b->n; i++)
		mir_copy(mr, w, ws, b->pkts[i]);
}

static int
mir_create(struct vnf_instance *vi, const struct ctl_vnf_config *cfg,
	   char *err, size_t errlen)
{
	const struct mir_config *mc = cfg->priv;
	struct mir *mr;

	if (mc == NULL || cfg->n_ifaces != MIR_N_IFACES) {
		snprintf(err, errlen, "vnf %s: no mirror config", cfg->name);
		return -EINVAL;
	}
	mr = rte_zmalloc("mirror", sizeof(*mr), RTE_CACHE_LINE_SIZE);
	if (mr == NULL) {
		snprintf(err, errlen, "vnf %s: out of memory", cfg->name);
		return -ENOMEM;
	}
	mr->dir = mc->direction;
	mr->snaplen = mc->snaplen ? mc->snaplen : UINT32_MAX;
	mr->sample = mc->sample ? mc->sample : 1;
	vi->priv = mr;
	return 0;
}

static void
mir_destroy(struct vnf_instance *vi)
{
	rte_free(vi->priv);
	vi->priv = NULL;
}

static json_t *
mir_details(struct vnf_instance *vi)
{
	const struct mir *mr = vi->priv;

	return json_pack("{s:s, s:I, s:I}", "direction",
			 mir_direction_names[mr->dir], "snaplen",
			 (json_int_t)(mr->snaplen == UINT32_MAX ? 0 :
								  mr->snaplen),
			 "sample", (json_int_t)mr->sample);
}

/* show mirror: one row per mirror, its settings and copy counters. */
static int
mir_show(struct vnf_instance *vi, json_t *args, json_t **reply)
{
	json_t *row = mir_details(vi);

	RTE_SET_USED(args);
	json_object_set_new(row, "vnf", json_string(vi->name));
	json_object_set_new(row, "forwarded",
			    json_integer((json_int_t)vnf_counter_sum(
				    vi, MIR_FORWARDED)));
	json_object_set_new(row, "mirrored",
			    json_integer((json_int_t)vnf_counter_sum(
				    vi, MIR_COPIES)));
	json_object_set_new(row, "copy_failed",
			    json_integer((json_int_t)vnf_counter_sum(
				    vi, MIR_COPY_FAILED)));
	*reply = json_pack("[o]", row);
	return 0;
}

static const struct vnf_verb mir_verbs[] = {
	{
		.name = "show mirror",
		.help = "mirrors: direction, snaplen, sample, copies made",
		.flags = VNF_VERB_SHOW,
		.handler = mir_show,
	},
};

static const struct vnf_ops mirror_ops = {
	.type = "mirror",
	.worker_size = sizeof(struct mir_wstate),
	.counters = mir_counters,
	.n_counters = MIR_N_COUNTERS,
	.create = mir_create,
	.destroy = mir_destroy,
	.process = mir_process,
	.verbs = mir_verbs,
	.n_verbs = RTE_DIM(mir_verbs),
	.details = mir_details,
};

VNF_REGISTER(mirror_ops);
