/* SPDX-License-Identifier: BSD-3-Clause
 *
 * config.c - read the firewall's keys of a `vnfs:` entry, and rules.
 *
 *   - {name: fw, type: firewall, default: drop, conn_table_size: 64k,
 *      ifaces: [{name: in}, {name: out}],
 *      rules: [{action: allow-stateful, proto: tcp, dst: 10.0.0.0/24,
 *               dport: 80, iface: in}]}
 *
 * Control thread; errors through the loader's context (control/config.h).
 * docs/firewall.md lists the keys and what they mean.
 */
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vnf/firewall/config.h"

struct fw_raw {
	char *default_action, *conn_table_size;
	struct fw_raw_rule *rules;
	unsigned int rules_count;
};

static const cyaml_schema_field_t fw_rule_fields[] = {
	CTL_CFG_STR("action", struct fw_raw_rule, action),
	CTL_CFG_STR("proto", struct fw_raw_rule, proto),
	CTL_CFG_STR("src", struct fw_raw_rule, src),
	CTL_CFG_STR("dst", struct fw_raw_rule, dst),
	CTL_CFG_STR("sport", struct fw_raw_rule, sport),
	CTL_CFG_STR("dport", struct fw_raw_rule, dport),
	CTL_CFG_STR("iface", struct fw_raw_rule, iface),
	CTL_CFG_STR("bpf", struct fw_raw_rule, bpf),
	CYAML_FIELD_END
};

static const cyaml_schema_value_t fw_rule_entry = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct fw_raw_rule,
			    fw_rule_fields),
};

const cyaml_schema_value_t fw_rule_schema = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_POINTER, struct fw_raw_rule,
			    fw_rule_fields),
};

static const cyaml_schema_field_t fw_fields[] = {
	CTL_CFG_STR("default", struct fw_raw, default_action),
	CTL_CFG_SEQ("rules", struct fw_raw, rules, &fw_rule_entry,
		    NFV_MAX_RULES),
	CTL_CFG_STR("conn_table_size", struct fw_raw, conn_table_size),
	CYAML_FIELD_END
};

/* "6", "17": a protocol number 0..255, digits only. */
static bool fw_proto_number(const char *s, uint8_t *out)
{
	unsigned int v = 0;
	size_t i;

	for (i = 0; s[i]; i++) {
		if (!isdigit((unsigned char)s[i]) || i >= 3)
			return false;
		v = v * 10 + (unsigned int)(s[i] - '0');
	}
	if (!i || v > 255)
		return false;
	*out = (uint8_t)v;
	return true;
}

int fw_rule_parse(struct ctl_cfg *c, const char *at,
		  const struct fw_raw_rule *r, const struct ctl_vnf_config *v,
		  struct fw_rule_config *ru)
{
	static const char *const actions[] = {
		"allow", "allow-stateful", "drop", "reject", "bpf", NULL,
	};
	static const struct {
		const char *name;
		uint8_t proto;
	} protos[] = {
		{ "any", 0 }, { "icmp", IPPROTO_ICMP }, { "tcp", IPPROTO_TCP },
		{ "udp", IPPROTO_UDP }, { "icmpv6", IPPROTO_ICMPV6 },
	};
	uint8_t fam = 0;
	unsigned int i;
	int a;

	memset(ru, 0, sizeof(*ru));
	/* `bpf: FILE` is the action itself; `action: bpf` may say so too.
	 * The program is opened when the firewall takes the rule. */
	if (!r->action && !r->bpf)
		return ctl_cfg_fail(c, at, "action",
				    "missing (required): one of allow, "
				    "allow-stateful, drop, reject, or a "
				    "bpf: FILE[:SECTION]");
	a = FW_RULE_BPF;
	if (r->action) {
		a = ctl_cfg_enum(c, at, "action", r->action, actions);
		if (a < 0)
			return a;
	}
	ru->action = (enum fw_rule_action)a;
	if (r->bpf && a != FW_RULE_BPF)
		return ctl_cfg_fail(c, at, "bpf",
				    "a rule with a program takes no other "
				    "action (action: %s)",
				    r->action);
	if (a == FW_RULE_BPF) {
		if (!r->bpf || !*r->bpf)
			return ctl_cfg_fail(c, at, "bpf",
					    "action bpf needs its program: "
					    "bpf: FILE[:SECTION]");
		if (strlen(r->bpf) >= sizeof(ru->bpf))
			return ctl_cfg_fail(c, at, "bpf",
					    "longer than %zu bytes",
					    sizeof(ru->bpf) - 1);
		snprintf(ru->bpf, sizeof(ru->bpf), "%s", r->bpf);
	}

	if (r->proto) {
		for (i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
			if (!strcmp(r->proto, protos[i].name))
				break;
		if (i < sizeof(protos) / sizeof(protos[0]))
			ru->proto = protos[i].proto;
		else if (!fw_proto_number(r->proto, &ru->proto))
			return ctl_cfg_fail(c, at, "proto",
					    "\"" CTL_CFG_QUOTE "\" is not one "
					    "of: tcp, udp, icmp, icmpv6, any, "
					    "or a protocol number 0..255",
					    r->proto);
	}

	if (r->src) {
		if (ctl_cfg_network(c, at, "src", r->src, &ru->src))
			return -EINVAL;
		ru->has_src = true;
		fam = ru->src.family;
	}
	if (r->dst) {
		if (ctl_cfg_network(c, at, "dst", r->dst, &ru->dst))
			return -EINVAL;
		ru->has_dst = true;
		if (fam && fam != ru->dst.family)
			return ctl_cfg_fail(c, at, "dst",
					    "%s is %s but src %s is %s", r->dst,
					    ctl_family_name(ru->dst.family),
					    r->src, ctl_family_name(fam));
		fam = ru->dst.family;
	}
	if (fam && ((ru->proto == IPPROTO_ICMP && fam == AF_INET6) ||
		    (ru->proto == IPPROTO_ICMPV6 && fam == AF_INET)))
		return ctl_cfg_fail(c, at, "proto",
				    "%s does not match %s addresses", r->proto,
				    ctl_family_name(fam));

	ru->sport_hi = ru->dport_hi = 65535;
	if ((r->sport || r->dport) && ru->proto != IPPROTO_TCP &&
	    ru->proto != IPPROTO_UDP && ru->proto != IPPROTO_SCTP)
		return ctl_cfg_fail(c, at, r->sport ? "sport" : "dport",
				    "ports need proto tcp or udp");
	if (r->sport && ctl_cfg_port_range(c, at, "sport", r->sport,
					   &ru->sport_lo, &ru->sport_hi))
		return -EINVAL;
	if (r->dport && ctl_cfg_port_range(c, at, "dport", r->dport,
					   &ru->dport_lo, &ru->dport_hi))
		return -EINVAL;
	/* -ENOENT for a request naming no iface of the firewall. */
	if (r->iface)
		return ctl_cfg_iface_ref(c, at, "iface", r->iface, v,
					 ru->in_iface, NULL);
	return 0;
}

static void fw_config_free(struct ctl_vnf_config *v)
{
	struct fw_config *fc = v->priv;

	if (!fc)
		return;
	free(fc->rules);
	free(fc);
	v->priv = NULL;
}

static int fw_config_parse(struct ctl_cfg *c, const char *at, const void *raw,
			   const void *const *iface_raw,
			   struct ctl_vnf_config *v)
{
	static const char *const defaults[] = { "allow", "drop", NULL };
	const struct fw_raw *r = raw;
	struct fw_config *fc;
	char rat[64];
	unsigned int i;

	(void)iface_raw;
	fc = calloc(1, sizeof(*fc));
	if (!fc)
		return ctl_cfg_oom(c);
	v->priv = fc;
	fc->default_action = FW_RULE_DROP;
	if (r->default_action) {
		int d = ctl_cfg_enum(c, at, "default", r->default_action,
				     defaults);

		if (d < 0)
			return d;
		fc->default_action = d == 0 ? FW_RULE_ALLOW : FW_RULE_DROP;
	}
	if (CTL_CFG_UINT(c, at, "conn_table_size", r->conn_table_size, true,
			 16, NFV_MAX_TABLE_SIZE, 65536, fc->conn_table_size))
		return -EINVAL;
	if (r->rules_count) {
		fc->rules = calloc(r->rules_count, sizeof(*fc->rules));
		if (!fc->rules)
			return ctl_cfg_oom(c);
	}
	for (i = 0; i < r->rules_count; i++) {
		snprintf(rat, sizeof(rat), "%s.rules[%u]", at, i);
		fc->n_rules = i + 1;
		if (fw_rule_parse(c, rat, &r->rules[i], v, &fc->rules[i]))
			return -EINVAL;
	}
	return 0;
}

static struct ctl_vnf_type fw_config_type = {
	.type = "firewall",
	.min_ifaces = 1,
	.fields = fw_fields,
	.raw_size = sizeof(struct fw_raw),
	.parse = fw_config_parse,
	.free = fw_config_free,
};

CTL_VNF_TYPE_REGISTER(fw_config_type)
