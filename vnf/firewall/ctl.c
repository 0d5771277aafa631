/* SPDX-License-Identifier: BSD-3-Clause
 *
 * ctl.c - the firewall's control verbs, as a table (fw_verbs, control
 * thread):
 *   show rules   one flat object per rule, with its hits summed over workers
 *   show conn    one flat object per tracked connection ("limit" rows)
 *   rule add     {action, index?, proto?, src?, dst?, sport?, dport?, iface?}
 *   rule del     {index}
 *   conn flush   forget every connection
 * and fw_details() for `show vnf`.  nfvctl builds these commands from the
 * table (docs/operations.md); a rule is checked like the config loader
 * checks one (docs/config.md), with the same limits.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <rte_cycles.h>

#include "control/ctl_server.h"
#include "vnf/firewall/fw_priv.h"

static const char *const fw_action_names[] = {
	[FW_RULE_ALLOW] = "allow",
	[FW_RULE_ALLOW_STATEFUL] = "allow-stateful",
	[FW_RULE_DROP] = "drop",
	[FW_RULE_REJECT] = "reject",
	[FW_RULE_BPF] = "bpf",
};

const char *
fw_action_name(uint8_t a)
{
	return a < RTE_DIM(fw_action_names) ? fw_action_names[a] : "?";
}

static const struct {
	const char *name;
	uint8_t proto;
} fw_protos[] = {
	/* clang-format off */
	{"any", 0},
	{"icmp", IPPROTO_ICMP},
	{"tcp", IPPROTO_TCP},
	{"udp", IPPROTO_UDP},
	{"icmpv6", IPPROTO_ICMPV6},
	/* clang-format on */
};

const char *
fw_proto_name(uint8_t proto, char *buf, size_t len)
{
	unsigned int i;

	for (i = 0; i < RTE_DIM(fw_protos); i++)
		if (fw_protos[i].proto == proto)
			return fw_protos[i].name;
	if (proto == IPPROTO_SCTP)
		return "sctp";
	snprintf(buf, len, "%u", proto);
	return buf;
}

static int
fw_ctl_error(json_t **reply, int rc, const char *msg)
{
	*reply = json_string(msg);
	return rc;
}

/* ---- a rule from a request ---- */

/*
 * The same schema and parser as a rule of the config ("JSON is YAML"):
 * fw_rule_parse() in config.c.  "index" is the request's, not the rule's.
 */
static int
fw_rule_from_json(struct fw *fw, json_t *a, struct fw_rule_config *r,
		  char *err, size_t errlen)
{
	static const char *const extra[] = {"index", NULL};
	struct ctl_vnf_config view;
	struct fw_raw_rule *raw = NULL;
	struct ctl_cfg *c = NULL;
	int rc;

	memset(r, 0, sizeof(*r));
	if (vnf_config_view(fw->vi, &view) < 0) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	rc = vnf_request_load("rule add", a, extra, &fw_rule_schema,
			      (void **)&raw, &c, err, errlen);
	if (rc == 0)
		rc = fw_rule_parse(c, "", raw, &view, r);
	ctl_cfg_close(c, &fw_rule_schema, raw);
	vnf_config_view_free(&view);
	return rc;
}

/* "index": 0..2^32-1; absent, dflt (or an error when required). */
static int
fw_index_from_json(json_t *a, bool required, uint32_t dflt, uint32_t *out,
		   json_t **reply)
{
	uint64_t v = dflt;
	int rc = ctl_req_uint(a, "index", 0, UINT32_MAX, &v, reply);

	if (rc == 0 && required)
		rc = ctl_req_missing(reply, "index");
	if (rc < 0)
		return rc;
	*out = (uint32_t)v;
	return 0;
}

/* ---- show rules ---- */

static void
fw_prefix_str(bool has, const struct ctl_prefix *p, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	if (!has) {
		snprintf(buf, len, "any");
		return;
	}
	inet_ntop(p->family, p->addr, a, sizeof(a));
	snprintf(buf, len, "%s/%u", a, p->len);
}

static void
fw_ports_str(uint16_t lo, uint16_t hi, char *buf, size_t len)
{
	if (lo == 0 && hi == 65535)
		snprintf(buf, len, "any");
	else if (lo == hi)
		snprintf(buf, len, "%u", lo);
	else
		snprintf(buf, len, "%u-%u", lo, hi);
}

static json_t *
fw_rule_json(const struct fw *fw, uint32_t i)
{
	const struct fw_rule_config *r = &fw->rules[i].cfg;
	char src[64], dst[64], sp[16], dp[16], pb[8];
	char act[FW_BPF_SPEC_MAX + 8];

	/* A bpf rule's action names its program (one column for all). */
	snprintf(act, sizeof(act), "%s%s%s", fw_action_name((uint8_t)r->action),
		 r->action == FW_RULE_BPF ? " " : "",
		 r->action == FW_RULE_BPF ? r->bpf : "");
	fw_prefix_str(r->has_src, &r->src, src, sizeof(src));
	fw_prefix_str(r->has_dst, &r->dst, dst, sizeof(dst));
	fw_ports_str(r->sport_lo, r->sport_hi, sp, sizeof(sp));
	fw_ports_str(r->dport_lo, r->dport_hi, dp, sizeof(dp));
	return json_pack("{s:s, s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I}",
			 "vnf", fw->vi->name, "index", (int)i, "action", act,
			 "proto", fw_proto_name(r->proto, pb, sizeof(pb)),
			 "src", src, "dst", dst, "sport", sp, "dport", dp,
			 "iface", r->in_iface[0] != '\0' ? r->in_iface : "any",
			 "hits", (json_int_t)fw_rule_hits(fw, i));
}

/* ---- show conn ---- */

struct fw_show {
	struct fw *fw;
	json_t *arr;
	unsigned int limit, more;
	uint32_t now;
};

/* lf_table_walk() callback: the stamp is the creation time. */
static void
fw_show_conn_one(const void *key, uint64_t w, uint32_t created, void *arg)
{
	const struct fw_conn_key *k = key;
	struct fw_show *s = arg;
	const bool lo = (w & FW_W_ORIG_LO) != 0;
	const int af = k->family == 4 ? AF_INET : AF_INET6;
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN], pb[8];
	uint8_t st = fw_w_state(w);
	uint16_t oif = fw_w_iface(w);
	int32_t left;

	if (json_array_size(s->arr) >= s->limit) {
		s->more++;
		return;
	}
	inet_ntop(af, lo ? k->lo : k->hi, src, sizeof(src));
	inet_ntop(af, lo ? k->hi : k->lo, dst, sizeof(dst));
	left = (int32_t)s->fw->ct.tmo[st < FW_ST_N ? st : 0] -
	       nfv_tick_diff(s->now, fw_w_seen(w));
	json_array_append_new(
		s->arr,
		json_pack(
			"{s:s, s:s, s:s, s:i, s:s, s:i, s:s, s:s, s:i, s:i}",
			"vnf", s->fw->vi->name, "proto",
			fw_proto_name(k->proto, pb, sizeof(pb)), "src", src,
			"sport",
			(int)rte_be_to_cpu_16(lo ? k->lo_port : k->hi_port),
			"dst", dst, "dport",
			(k->proto == IPPROTO_ICMP || k->proto == IPPROTO_ICMPV6)
				? 0
				: (int)rte_be_to_cpu_16(lo ? k->hi_port
							   : k->lo_port),
			"state", st < FW_ST_N ? fw_state_names[st] : "?",
			"iface",
			oif < s->fw->vi->n_ifaces ? s->fw->vi->ifaces[oif].name
						  : "?",
			"age",
			(int)nfv_ticks_to_s(nfv_tick_diff(s->now, created),
					    s->fw->hz, FW_TICK_SHIFT),
			"expires",
			left > 0 ? (int)nfv_ticks_to_s(left, s->fw->hz,
						       FW_TICK_SHIFT)
				 : 0));
}

/* "limit": rows to show, 1..2^32-1; a wrong type or value is an error. */
static int
fw_show_limit(json_t *args, unsigned int *limit, json_t **reply)
{
	uint64_t v = FW_SHOW_LIMIT;
	int rc = ctl_req_uint(args, "limit", 1, UINT32_MAX, &v, reply);

	*limit = (unsigned int)v;
	return rc < 0 ? rc : 0;
}

/* show rules: every rule with its hits, in evaluation order. */
static int
fw_show_rules(struct vnf_instance *vi, json_t *args, json_t **reply)
{
	struct fw *fw = vi->priv;
	json_t *arr = json_array();
	uint32_t i;

	RTE_SET_USED(args);
	if (arr == NULL)
		return -ENOMEM;
	for (i = 0; i < fw->n_rules; i++)
		json_array_append_new(arr, fw_rule_json(fw, i));
	*reply = arr;
	return 0;
}

/* show conn: the tracked connections, at most "limit" rows. */
static int
fw_show_conn(struct vnf_instance *vi, json_t *args, json_t **reply)
{
	struct fw *fw = vi->priv;
	struct fw_show s = {
		.fw = fw,
		.now = fw_ticks(rte_rdtsc()),
	};
	char buf[96];
	int rc;

	rc = fw_show_limit(args, &s.limit, reply);
	if (rc < 0)
		return rc;
	s.arr = json_array();
	if (s.arr == NULL)
		return -ENOMEM;
	lf_table_walk(&fw->ct.tab, fw_show_conn_one, &s);
	if (s.more != 0) {
		snprintf(buf, sizeof(buf),
			 "%u more connections (ask with \"limit\")", s.more);
		json_array_append_new(s.arr,
				      json_pack("{s:s, s:s}", "vnf", vi->name,
						"truncated", buf));
	}
	*reply = s.arr;
	return 0;
}

/* rule add: a rule checked like one of the config, inserted at "index"
 * (default: appended). */
static int
fw_rule_add(struct vnf_instance *vi, json_t *args, json_t **reply)
{
	struct fw *fw = vi->priv;
	struct fw_rule_config r;
	char err[256];
	uint32_t i = 0;
	int rc;

	rc = fw_index_from_json(args, false, fw->n_rules, &i, reply);
	if (rc < 0)
		return rc;
	rc = fw_rule_from_json(fw, args, &r, err, sizeof(err));
	if (rc == 0)
		rc = fw_rule_insert(fw, i, &r, err, sizeof(err));
	if (rc < 0)
		return fw_ctl_error(reply, rc, err);
	*reply = json_pack("{s:i}", "index", (int)i);
	return 0;
}

static int
fw_rule_del(struct vnf_instance *vi, json_t *args, json_t **reply)
{
	struct fw *fw = vi->priv;
	char err[256];
	uint32_t i = 0;
	uint64_t count = 1;
	int rc;

	rc = fw_index_from_json(args, true, 0, &i, reply);
	if (rc < 0)
		return rc;
	rc = ctl_req_uint(args, "count", 1, UINT32_MAX, &count, reply);
	if (rc < 0)
		return rc;
	rc = fw_rule_delete(fw, i, (uint32_t)count, err, sizeof(err));
	if (rc < 0)
		return fw_ctl_error(reply, rc, err);
	*reply = json_pack("{s:i, s:i}", "deleted", (int)i, "count",
			   (int)count);
	return 0;
}

static int
fw_conn_flush(struct vnf_instance *vi, json_t *args, json_t **reply)
{
	struct fw *fw = vi->priv;

	RTE_SET_USED(args);
	*reply = json_pack("{s:i}", "flushed", (int)fw_ct_flush(&fw->ct));
	return 0;
}

json_t *
fw_details(struct vnf_instance *vi)
{
	struct fw *fw = vi->priv;
	const struct fw_rs *rs = atomic_load(&fw->rs);
	json_t *pairs = json_array();
	char buf[2 * VNF_NAME_MAX + 8];
	uint16_t i, p;

	for (i = 0; i < vi->n_ifaces; i += 2) {
		p = fw_peer(fw, i);
		snprintf(buf, sizeof(buf), "%s<->%s", vi->ifaces[i].name,
			 vi->ifaces[p].name);
		json_array_append_new(pairs, json_string(buf));
	}
	return json_pack("{s:s, s:i, s:i, s:i, s:i, s:i, s:I, s:I, s:I, s:o}",
			 "default", fw_action_name(fw->default_action), "rules",
			 (int)fw->n_rules, "rules_ipv4", (int)rs->n4,
			 "rules_ipv6", (int)rs->n6, "conn_table_size",
			 (int)fw->ct.tab.limit, "connections",
			 (int)atomic_load(&fw->ct.tab.count), "conn_expired",
			 (json_int_t)fw->ct.expired, "rule_sets_built",
			 (json_int_t)fw->builds, "hits_of_deleted_rules",
			 (json_int_t)fw->hits_gone, "iface_pairs", pairs);
}

/* The keys are those of a rule in the config (config.c, docs/firewall.md)
 * plus the request's "index". */
/* clang-format off */
const struct vnf_verb fw_verbs[] = {
	{
		.name = "show rules",
		.help = "firewall rules with their hits",
		.flags = VNF_VERB_SHOW,
		.handler = fw_show_rules,
	},
	{
		.name = "show conn",
		.help = "tracked connections (at most 10000 rows, or limit)",
		.flags = VNF_VERB_SHOW,
		.args = {
			{.key = "limit", .word = "limit", .meta = "N",
			 .flags = VNF_ARG_INT},
		},
		.handler = fw_show_conn,
	},
	{
		.name = "rule add",
		.help = "add a firewall rule (before rule N with index N)",
		.args = {
			{.key = "index", .word = "index", .meta = "N",
			 .flags = VNF_ARG_INT},
			{.key = "action", .word = "action", .meta = "A",
			 .choices = "allow|allow-stateful|drop|reject|bpf",
			 .flags = VNF_ARG_REQUIRED},
			{.key = "proto", .word = "proto", .meta = "P"},
			{.key = "src", .word = "src", .meta = "PFX"},
			{.key = "dst", .word = "dst", .meta = "PFX"},
			{.key = "sport", .word = "sport", .meta = "N[-M]",
			 .flags = VNF_ARG_RANGE, .max = 65535},
			{.key = "dport", .word = "dport", .meta = "N[-M]",
			 .flags = VNF_ARG_RANGE, .max = 65535},
			{.key = "iface", .word = "iface", .meta = "I"},
			{.key = "bpf", .word = "bpf", .meta = "FILE[:S]"},
		},
		.handler = fw_rule_add,
	},
	{
		.name = "rule del",
		.help = "delete a firewall rule (count N: N rules from INDEX "
			"on, in one rule set)",
		.args = {
			{.key = "index", .meta = "INDEX",
			 .flags = VNF_ARG_REQUIRED | VNF_ARG_INT},
			{.key = "count", .word = "count", .meta = "N",
			 .flags = VNF_ARG_INT},
		},
		.handler = fw_rule_del,
	},
	{
		.name = "conn flush",
		.help = "forget tracked connections",
		.flags = VNF_VERB_EACH,
		.handler = fw_conn_flush,
	},
};
/* clang-format on */
