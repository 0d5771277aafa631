/* SPDX-License-Identifier: BSD-3-Clause
 *
 * config.h - the firewall's part of a `vnfs:` entry, and the one parser of
 * a rule (vnf/firewall/config.c): the config's `rules:` and `rule add`
 * requests (JSON read as YAML against fw_rule_schema) both go through
 * fw_rule_parse().  Free of DPDK.
 */
#ifndef VNF_FIREWALL_CONFIG_H
#define VNF_FIREWALL_CONFIG_H

#include <stdint.h>

#include "control/config.h"


enum fw_rule_action {
	FW_RULE_ALLOW,
	FW_RULE_ALLOW_STATEFUL,
	FW_RULE_DROP,
	FW_RULE_REJECT,
	FW_RULE_BPF, /* an eBPF program decides (`bpf: FILE[:SECTION]`) */
};

/* Room for a rule's `bpf: FILE.o[:SECTION]` as written. */
#define FW_BPF_SPEC_MAX 320

struct fw_rule_config {
	enum fw_rule_action action;
	uint8_t proto;		/* IPPROTO_*, 0 = any */
	bool has_src, has_dst;
	struct ctl_prefix src, dst;
	uint16_t sport_lo, sport_hi;	/* 0..65535 when not given */
	uint16_t dport_lo, dport_hi;
	char in_iface[CTL_NAME_MAX];	/* "" = any */
	char bpf[FW_BPF_SPEC_MAX];	/* FW_RULE_BPF: FILE.o[:SECTION] */
};

struct fw_config {
	enum fw_rule_action default_action;	/* default drop */
	struct fw_rule_config *rules;
	unsigned int n_rules;
	uint32_t conn_table_size;	/* default 65536 */
};

/* A rule as read, every leaf a string (NULL: not given). */
struct fw_raw_rule {
	char *action, *proto, *src, *dst, *sport, *dport, *iface, *bpf;
};

/* One rule object: {action, proto, src, dst, sport, dport, iface, bpf}. */
extern const cyaml_schema_value_t fw_rule_schema;

/*
 * Check raw rule r of VNF v into *out; `at` is its key path ("" for a
 * request).  Control thread.  0, or -EINVAL with the error reported
 * through c.
 */
int fw_rule_parse(struct ctl_cfg *c, const char *at,
		  const struct fw_raw_rule *r, const struct ctl_vnf_config *v,
		  struct fw_rule_config *out);

#endif /* VNF_FIREWALL_CONFIG_H */
