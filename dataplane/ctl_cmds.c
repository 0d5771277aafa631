/* SPDX-License-Identifier: BSD-3-Clause
 *
 * ctl_cmds.c - the control commands nfvd answers (nfvctl, telemetry).
 *
 * Handlers run on the control thread (or the telemetry thread, under
 * ctl_server_lock()).  They read worker counters without locks: each is a
 * 64-bit word written by one worker, so a reader sees a value that was
 * true at some moment; sums over workers are as exact as any snapshot of
 * running counters can be.
 */
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mempool.h>

#include "control/ctl_server.h"
#include "dataplane/dataplane.h"

static const char *
nfv_link_name(bool up)
{
	return up ? "up" : "down";
}

static json_t *
nfv_port_json(const struct nfv_port *p)
{
	struct rte_eth_stats st = {0};
	json_t *drops = json_object();
	uint64_t d[NFV_PD_MAX] = {0};
	unsigned int w, r;
	bool up = atomic_load_explicit(&nfv_port_fp[p->idx].link_up,
				       memory_order_relaxed);

	rte_eth_stats_get(p->eth_port, &st);
	for (w = 0; w < nfv_dp.n_workers; w++) {
		const struct nfv_port_wstats *ps =
			&nfv_dp.workers[w].ctx->pstats[p->idx];

		for (r = 0; r < NFV_PD_MAX; r++)
			d[r] += ps->drops[r];
		/* What went past the ethdev (vhost_io.h). */
		st.ipackets += ps->rx_pkts;
		st.ibytes += ps->rx_bytes;
		st.opackets += ps->tx_pkts;
		st.obytes += ps->tx_bytes;
	}
	for (r = 0; r < NFV_PD_MAX; r++)
		json_object_set_new(drops, nfv_port_drop_desc[r].name,
				    json_integer((json_int_t)d[r]));
	json_object_set_new(drops, "rx-missed", json_integer((json_int_t)st.imissed));
	json_object_set_new(drops, "rx-nombuf", json_integer((json_int_t)st.rx_nombuf));
	json_object_set_new(drops, "rx-errors", json_integer((json_int_t)st.ierrors));
	/* What the driver took and could not send (af_packet: the kernel
	 * refused it, e.g. the interface is down). */
	json_object_set_new(drops, "tx-errors",
			    json_integer((json_int_t)st.oerrors));
	return json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:o}", "name",
			 p->name, "type", ctl_port_type_name(p->cfg->type),
			 "link", nfv_link_name(up), "rx_packets",
			 (json_int_t)st.ipackets, "rx_bytes",
			 (json_int_t)st.ibytes, "tx_packets",
			 (json_int_t)st.opackets, "tx_bytes",
			 (json_int_t)st.obytes, "drops", drops);
}

static int
nfv_cmd_show_ports(json_t *req, json_t **result, void *arg)
{
	json_t *arr = json_array();
	unsigned int i;

	RTE_SET_USED(req);
	RTE_SET_USED(arg);
	for (i = 0; i < nfv_dp.n_ports; i++)
		if (nfv_port_in_use(&nfv_dp.ports[i]))
			json_array_append_new(arr,
					      nfv_port_json(&nfv_dp.ports[i]));
	*result = arr;
	return 0;
}

static double
nfv_ratio(uint64_t a, uint64_t b)
{
	return b == 0 ? 0.0 : (double)a / (double)b;
}

/* Counters, drops and cost of one VNF instance, summed over workers. */
static void
nfv_vnf_stats_json(const struct vnf_instance *vi, json_t *o)
{
	json_t *ctr = json_object(), *drops = json_object();
	uint64_t pkts = 0, cycles = 0, calls = 0, timed = 0;
	uint64_t rd[NFV_VD_MAX] = {0};
	struct vnf_fates f;
	unsigned int w, c;

	for (w = 0; w < vi->n_workers; w++) {
		pkts += vi->slots[w].pkts;
		cycles += vi->slots[w].cycles;
		calls += vi->slots[w].calls;
		timed += vi->slots[w].timed_pkts;
		for (c = 0; c < NFV_VD_MAX; c++)
			rd[c] += nfv_dp.workers[w].ctx->vstats[vi->id].drops[c];
	}
	for (c = 0; c < vi->ops->n_counters; c++) {
		const struct vnf_counter_desc *d = &vi->ops->counters[c];

		json_object_set_new(d->is_drop ? drops : ctr, d->name,
				    json_integer((json_int_t)vnf_counter_sum(vi, (uint16_t)c)));
	}
	for (c = 0; c < NFV_VD_MAX; c++)
		json_object_set_new(drops, nfv_vnf_drop_desc[c].name,
				    json_integer((json_int_t)rd[c]));
	json_object_set_new(o, "name", json_string(vi->name));
	json_object_set_new(o, "type", json_string(vi->ops->type));
	json_object_set_new(o, "packets", json_integer((json_int_t)pkts));
	json_object_set_new(o, "calls", json_integer((json_int_t)calls));
	json_object_set_new(o, "cycles_per_packet",
			    json_real(nfv_ratio(cycles, timed)));
	json_object_set_new(o, "counters", ctr);
	json_object_set_new(o, "drops", drops);
	/* Every packet counted once by its fate (vnf.h): when the workers are
	 * quiet, packets == passed + dropped + held.  The runner's own drops
	 * (iface-unlinked, graph-loop, bad-next) come after a fate and are
	 * not part of it. */
	vnf_fates_get(vi, &f);
	json_object_set_new(o, "fates",
			    json_pack("{s:I, s:I, s:I}", "passed",
				      (json_int_t)f.passed, "dropped",
				      (json_int_t)f.dropped, "held",
				      (json_int_t)f.held));
}

static const char *
nfv_idle_state_name(uint8_t st)
{
	switch (st) {
	case NFV_IDLE_SLEEPING:
		return "sleeping";
	case NFV_IDLE_BLOCKED:
		return "blocked";
	default:
		return "polling";
	}
}

/* A worker's idle figures (dataplane/idle.h): its mode, what it does now,
 * the share of its time asleep or blocked since it started, and how often
 * it woke up. */
static void
nfv_idle_json(const struct nfv_idle *id, json_t *o)
{
	uint64_t start = id->start, now = rte_rdtsc(), hz = rte_get_tsc_hz();
	uint64_t asleep = id->asleep_cycles;
	uint8_t st = atomic_load_explicit(&id->state, memory_order_relaxed);

	json_object_set_new(o, "idle_mode",
			    json_string(ctl_idle_mode_name(id->mode)));
	json_object_set_new(o, "state", json_string(nfv_idle_state_name(st)));
	json_object_set_new(
		o, "asleep_pct",
		json_real(start == 0 || now <= start
				  ? 0.0
				  : 100.0 * nfv_ratio(asleep, now - start)));
	json_object_set_new(o, "asleep_us",
			    json_integer((json_int_t)(asleep * 1000000 / hz)));
	json_object_set_new(o, "wakeups",
			    json_integer((json_int_t)id->wakeups));
	json_object_set_new(o, "notified",
			    json_integer((json_int_t)id->notified));
	/* Interrupt mode: a port whose queue cannot notify caps each block
	 * at idle_sleep_max_us; name it. */
	if (id->mode == CTL_IDLE_INTERRUPT) {
		unsigned int cb = id->capped_by;

		json_object_set_new(
			o, "capped_by",
			cb != 0 && cb <= nfv_dp.n_ports &&
					nfv_port_in_use(&nfv_dp.ports[cb - 1])
				? json_string(nfv_dp.ports[cb - 1].name)
				: json_null());
	}
}

static int
nfv_cmd_show_stats(json_t *req, json_t **result, void *arg)
{
	json_t *workers = json_array(), *vnfs = json_array();
	unsigned int i;

	RTE_SET_USED(req);
	RTE_SET_USED(arg);
	for (i = 0; i < nfv_dp.n_workers; i++) {
		const struct nfv_worker *wk = &nfv_dp.workers[i];
		json_t *o = json_pack(
			"{s:i, s:i, s:I, s:I, s:I, s:I, s:f}", "id", (int)i,
			"lcore", (int)wk->lcore, "loops", (json_int_t)wk->loops,
			"busy_loops", (json_int_t)wk->busy_loops, "packets",
			(json_int_t)wk->pkts, "busy_cycles",
			(json_int_t)wk->busy_cycles, "cycles_per_packet",
			nfv_ratio(wk->busy_cycles, wk->pkts));

		nfv_idle_json(&wk->idle, o);
		json_array_append_new(workers, o);
	}
	for (i = 0; i < nfv_dp.n_vnfs; i++) {
		json_t *o = json_object();

		nfv_vnf_stats_json(nfv_dp.vnfs[i], o);
		json_array_append_new(vnfs, o);
	}
	*result = json_pack("{s:o, s:o}", "workers", workers, "vnfs", vnfs);
	/* The packet pool: `free` counts what the mempool caches hold too,
	 * so `in_use` is what the rings, the workers and the VNFs hold.  At
	 * rest it returns to its value before any traffic (soak and fault
	 * tests check it). */
	if (nfv_dp.pool != NULL) {
		unsigned int sz = nfv_dp.pool->size;
		unsigned int avail = rte_mempool_avail_count(nfv_dp.pool);

		json_object_set_new(*result, "mbufs",
				    json_pack("{s:i, s:i, s:i}", "size",
					      (int)sz, "free", (int)avail,
					      "in_use", (int)(sz - avail)));
	}
	return 0;
}

static struct vnf_instance *
nfv_vnf_by_name(const char *name)
{
	unsigned int i;

	for (i = 0; i < nfv_dp.n_vnfs; i++)
		if (strcmp(nfv_dp.vnfs[i]->name, name) == 0)
			return nfv_dp.vnfs[i];
	return NULL;
}

static void
nfv_ep_name(const struct nfv_ep *ep, char *buf, size_t len)
{
	switch (ep->kind) {
	case NFV_EP_PORT:
		snprintf(buf, len, "%s", nfv_dp.ports[ep->idx].name);
		break;
	case NFV_EP_VNF:
		snprintf(buf, len, "%s.%s", nfv_dp.vnfs[ep->idx]->name,
			 nfv_dp.vnfs[ep->idx]->ifaces[ep->iface].name);
		break;
	default:
		snprintf(buf, len, "-");
	}
}

static int
nfv_cmd_show_vnf(json_t *req, json_t **result, void *arg)
{
	const struct nfv_graph *g = nfv_graph_current();
	const char *name = NULL;
	struct vnf_instance *vi;
	json_t *o, *ifaces, *details = NULL;
	char peer[80];
	uint16_t i;
	int rc;

	RTE_SET_USED(arg);
	rc = ctl_req_str(req, "name", &name, result);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return ctl_req_missing(result, "name");
	vi = nfv_vnf_by_name(name);
	if (vi == NULL)
		return ctl_error(result, -ENOENT, "no vnf named %s", name);
	o = json_object();
	nfv_vnf_stats_json(vi, o);
	ifaces = json_array();
	for (i = 0; i < vi->n_ifaces; i++) {
		nfv_ep_name(&g->iface_peer[vi->id][i], peer, sizeof(peer));
		json_array_append_new(ifaces,
				      json_pack("{s:s, s:s}", "name",
						vi->ifaces[i].name, "peer", peer));
	}
	json_object_set_new(o, "ifaces", ifaces);
	if (vi->ops->details != NULL)
		details = vi->ops->details(vi);
	if (details != NULL)
		json_object_set_new(o, "details", details);
	*result = o;
	return 0;
}

/*
 * A verb of the VNFs (`arg` is its name, from the first type's table):
 * vnf/verb.c runs it on the instance "vnf" names, or as the verb's flags
 * say on every instance that has it.
 */
static int
nfv_cmd_vnf_verb(json_t *req, json_t **result, void *arg)
{
	return vnf_verb_dispatch(nfv_dp.vnfs, nfv_dp.n_vnfs, arg, req, result);
}

/*
 * port add: {"port": {...as in the config's ports:...}, "link": "VNF.IFACE"}.
 * The port object goes through the config loader (JSON is YAML), so it is
 * checked exactly like a port in a config file.
 */
static int
nfv_cmd_port_add(json_t *req, json_t **result, void *arg)
{
	json_t *port = NULL;
	const char *link = NULL;
	struct ctl_config *cfg = NULL;
	char err[512], *js, *text = NULL;
	unsigned int i;
	int rc, len;

	RTE_SET_USED(arg);
	rc = ctl_req_object(req, "port", &port, result);
	if (rc == 0)
		rc = ctl_req_missing(result, "port");
	if (rc < 0)
		return rc;
	rc = ctl_req_str(req, "link", &link, result);
	if (rc < 0)
		return rc;
	js = json_dumps(port, JSON_COMPACT);
	if (js == NULL)
		return ctl_error(result, -ENOMEM, "out of memory");
	len = asprintf(&text, "ports:\n  - %s\n", js);
	free(js);
	if (len < 0)
		return ctl_error(result, -ENOMEM, "out of memory");
	rc = ctl_config_load_buffer("port add", text, (size_t)len, &cfg, err,
				    sizeof(err));
	free(text);
	if (rc < 0)
		return ctl_error(result, rc, "%s", err);
	rc = nfv_dataplane_port_add(cfg, link, err, sizeof(err));
	if (rc < 0)
		return ctl_error(result, rc, "%s", err);
	for (i = 0; i < nfv_dp.n_ports; i++)
		if (nfv_port_in_use(&nfv_dp.ports[i]) &&
		    nfv_dp.ports[i].cfg == &cfg->ports[0])
			*result = nfv_port_json(&nfv_dp.ports[i]);
	return 0;
}

static int
nfv_cmd_port_del(json_t *req, json_t **result, void *arg)
{
	const char *name = NULL;
	char err[256];
	int rc;

	RTE_SET_USED(arg);
	rc = ctl_req_str(req, "name", &name, result);
	if (rc == 0)
		rc = ctl_req_missing(result, "name");
	if (rc < 0)
		return rc;
	rc = nfv_dataplane_port_del(name, err, sizeof(err));
	if (rc < 0)
		return ctl_error(result, rc, "%s", err);
	*result = json_pack("{s:s}", "removed", name);
	return 0;
}

/*
 * reload: {"file": PATH} (optional; the file nfvd started with when left
 * out).  dataplane/reload.c applies ports added and removed, refuses
 * anything else and changes nothing then.
 */
static int
nfv_cmd_reload(json_t *req, json_t **result, void *arg)
{
	/* Static: a report is a few KiB, the control thread's stack small. */
	static struct nfv_reload_report rep;
	const char *file = NULL;
	json_t *added, *removed;
	char err[1536];
	unsigned int i;
	int rc;

	RTE_SET_USED(arg);
	rc = ctl_req_str(req, "file", &file, result);
	if (rc < 0)
		return rc;
	rc = nfv_dataplane_reload(file, &rep, err, sizeof(err));
	if (rc < 0)
		return ctl_error(result, rc, "%s", err);
	added = json_array();
	removed = json_array();
	for (i = 0; i < rep.n_added; i++)
		json_array_append_new(added, json_string(rep.added[i]));
	for (i = 0; i < rep.n_removed; i++)
		json_array_append_new(removed, json_string(rep.removed[i]));
	*result = json_pack("{s:s, s:o, s:o, s:i}", "file", rep.file, "added",
			    added, "removed", removed, "kept", (int)rep.n_kept);
	return 0;
}

/*
 * Every verb of every VNF type, once per name (the first type that
 * declares it describes it in `help`).  A name a core command already
 * has is refused: the type would shadow nfvd's own command.
 */
static void
nfv_verbs_register_type(const struct vnf_ops *ops, void *arg)
{
	int *rc = arg;
	unsigned int i;
	int ret;

	for (i = 0; i < ops->n_verbs; i++) {
		const struct vnf_verb *v = &ops->verbs[i];

		if (vnf_verb_first(v->name) != v) {
			if (vnf_verb_first(v->name)->flags != v->flags)
				NFV_LOG(WARNING, main,
					"vnf type %s: verb \"%s\" has "
					"other flags than the type that "
					"registered it first",
					ops->type, v->name);
			continue;
		}
		ret = ctl_server_register(v->name, nfv_cmd_vnf_verb,
					  (void *)(uintptr_t)v->name, v->help);
		if (ret == 0)
			ret = ctl_server_describe(v->name,
						  vnf_verb_describe(v->name));
		if (ret < 0) {
			NFV_LOG(ERR, main, "vnf type %s: verb \"%s\": %s",
				ops->type, v->name, strerror(-ret));
			*rc = ret;
		}
	}
}

int
nfv_ctl_cmds_register(void)
{
	int rc = 0;

	rc |= ctl_server_register("show ports", nfv_cmd_show_ports, NULL,
				  "ports: link, packets, bytes, drops");
	rc |= ctl_server_register("show stats", nfv_cmd_show_stats, NULL,
				  "workers and VNFs: counters, cycles per packet");
	rc |= ctl_server_register("show vnf", nfv_cmd_show_vnf, NULL,
				  "one VNF: ifaces, counters, details (name)");
	rc |= ctl_server_register("port add", nfv_cmd_port_add, NULL,
				  "add a port (port: {...}, link: VNF.IFACE)");
	rc |= ctl_server_register("port del", nfv_cmd_port_del, NULL,
				  "remove a port (name)");
	rc |= ctl_server_register("reload", nfv_cmd_reload, NULL,
				  "re-read the config (file: its path; default "
				  "the one nfvd started with): ports added and "
				  "removed, anything else refused");
	vnf_foreach_type(nfv_verbs_register_type, &rc);
	return rc < 0 ? -EINVAL : 0;
}
