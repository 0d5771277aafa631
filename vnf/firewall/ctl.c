/* SPDX-License-Identifier: BSD-3-Clause
 *
 * ctl.c - the firewall's control verbs (control thread):
 *   show rules   one flat object per rule, with its hits summed over workers
 *   show conn    one flat object per tracked connection ("limit" rows)
 *   rule add     {action, index?, proto?, src?, dst?, sport?, dport?, iface?}
 *   rule del     {index}
 *   conn flush   forget every connection
 *   details      for `show vnf`
 * Request shapes are nfvctl's (docs/operations.md); a rule is checked like
 * the config loader checks one (docs/config.md), with the same limits.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <rte_cycles.h>

#include "vnf/firewall/fw_priv.h"

static const char *const fw_action_names[] = {
	[CTL_FW_ALLOW] = "allow",
	[CTL_FW_ALLOW_STATEFUL] = "allow-stateful",
	[CTL_FW_DROP] = "drop",
	[CTL_FW_REJECT] = "reject",
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

/* ---- parsing a rule from a request ---- */

/* Strict decimal, no sign or spaces; false when not a number <= max. */
static bool
fw_parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	if (s == NULL || *s < '0' || *s > '9' || strlen(s) > 10)
		return false;
	errno = 0;
	*out = strtoul(s, &end, 10);
	return errno == 0 && *end == '\0' && *out <= max;
}

/* "A" or "A/LEN", IPv4 or IPv6, in the config's syntax
 * (ctl_parse_prefix); host bits must be clear, as in the config. */
static int
fw_parse_prefix(const char *key, const char *s, struct ctl_prefix *p, char *err,
		size_t errlen)
{
	unsigned int i, max;

	if (ctl_parse_prefix(s, p) != 0) {
		snprintf(err, errlen,
			 "%s: \"%s\" is not an IPv4 or IPv6 address with an "
			 "optional /length",
			 key, s);
		return -EINVAL;
	}
	max = p->family == AF_INET ? 32 : 128;
	for (i = p->len; i < max; i++)
		if (p->addr[i / 8] & (0x80 >> (i % 8)))
			break;
	if (i < max) {
		uint8_t net[16];
		char a[INET6_ADDRSTRLEN];

		memcpy(net, p->addr, sizeof(net));
		for (i = p->len; i < max; i++)
			net[i / 8] &= (uint8_t) ~(0x80 >> (i % 8));
		inet_ntop(p->family, net, a, sizeof(a));
		snprintf(err, errlen,
			 "%s: \"%s\" has host bits set (did you mean %s/%u?)",
			 key, s, a, p->len);
		return -EINVAL;
	}
	return 0;
}

/* 80, "80" or "1024-65535". */
static int
fw_parse_ports(const char *key, json_t *v, uint16_t *lo, uint16_t *hi,
	       char *err, size_t errlen)
{
	const char *s = json_string_value(v);
	int rc = -EINVAL;

	if (json_is_integer(v)) {
		json_int_t n = json_integer_value(v);

		if (n >= 0 && n <= 65535) {
			*lo = *hi = (uint16_t)n;
			return 0;
		}
	} else if (s != NULL) {
		rc = ctl_parse_port_range(s, lo, hi);
		if (rc == 0)
			return 0;
	}
	if (rc == -ERANGE)
		snprintf(err, errlen, "%s: \"%s\": the range is backwards",
			 key, s);
	else
		snprintf(err, errlen,
			 "%s: not a port (0..65535) or a range \"LO-HI\"", key);
	return -EINVAL;
}

static int
fw_rule_from_json(struct fw *fw, json_t *a, struct ctl_rule_config *r,
		  char *err, size_t errlen)
{
	static const char *const keys[] = {
		"cmd", "vnf", "index", "action", "proto",
		"src", "dst", "sport", "dport",	 "iface",
	};
	const char *k, *s;
	json_t *v;
	void *it;
	unsigned int i;
	uint8_t fam = 0;
	int rc;

	memset(r, 0, sizeof(*r));
	r->sport_hi = r->dport_hi = 65535;
	for (it = json_object_iter(a); it != NULL;
	     it = json_object_iter_next(a, it)) {
		k = json_object_iter_key(it);
		for (i = 0; i < RTE_DIM(keys); i++)
			if (strcmp(k, keys[i]) == 0)
				break;
		if (i == RTE_DIM(keys)) {
			snprintf(err, errlen,
				 "unknown key \"%s\"; expected action, index, "
				 "proto, src, dst, sport, dport, iface",
				 k);
			return -EINVAL;
		}
	}

	s = json_string_value(json_object_get(a, "action"));
	if (s == NULL) {
		snprintf(err, errlen,
			 "action: missing (required): one of "
			 "allow, allow-stateful, drop, reject");
		return -EINVAL;
	}
	for (i = 0; i < RTE_DIM(fw_action_names); i++)
		if (strcmp(s, fw_action_names[i]) == 0)
			break;
	if (i == RTE_DIM(fw_action_names)) {
		snprintf(err, errlen,
			 "action: \"%s\" is not one of: allow, "
			 "allow-stateful, drop, reject",
			 s);
		return -EINVAL;
	}
	r->action = (enum ctl_fw_action)i;

	v = json_object_get(a, "proto");
	if (v != NULL) {
		unsigned long n;

		s = json_string_value(v);
		for (i = 0; s != NULL && i < RTE_DIM(fw_protos); i++)
			if (strcmp(s, fw_protos[i].name) == 0)
				break;
		if (s != NULL && i < RTE_DIM(fw_protos)) {
			r->proto = fw_protos[i].proto;
		} else if (json_is_integer(v) && json_integer_value(v) >= 0 &&
			   json_integer_value(v) <= 255) {
			r->proto = (uint8_t)json_integer_value(v);
		} else if (fw_parse_uint(s, 255, &n)) {
			r->proto = (uint8_t)n;
		} else {
			snprintf(err, errlen,
				 "proto: not one of: tcp, udp, "
				 "icmp, icmpv6, any, or a protocol number "
				 "0..255");
			return -EINVAL;
		}
	}

	if ((v = json_object_get(a, "src")) != NULL) {
		if (json_string_value(v) == NULL) {
			snprintf(err, errlen, "src: not a string");
			return -EINVAL;
		}
		rc = fw_parse_prefix("src", json_string_value(v), &r->src, err,
				     errlen);
		if (rc < 0)
			return rc;
		r->has_src = true;
		fam = r->src.family;
	}
	if ((v = json_object_get(a, "dst")) != NULL) {
		if (json_string_value(v) == NULL) {
			snprintf(err, errlen, "dst: not a string");
			return -EINVAL;
		}
		rc = fw_parse_prefix("dst", json_string_value(v), &r->dst, err,
				     errlen);
		if (rc < 0)
			return rc;
		r->has_dst = true;
		if (fam != 0 && fam != r->dst.family) {
			snprintf(err, errlen,
				 "dst: src and dst are of "
				 "different families");
			return -EINVAL;
		}
		fam = r->dst.family;
	}
	if (fam != 0 && ((r->proto == IPPROTO_ICMP && fam == AF_INET6) ||
			 (r->proto == IPPROTO_ICMPV6 && fam == AF_INET))) {
		snprintf(err, errlen, "proto: does not match the %s addresses",
			 fam == AF_INET ? "IPv4" : "IPv6");
		return -EINVAL;
	}

	if ((json_object_get(a, "sport") != NULL ||
	     json_object_get(a, "dport") != NULL) &&
	    r->proto != IPPROTO_TCP && r->proto != IPPROTO_UDP &&
	    r->proto != IPPROTO_SCTP) {
		snprintf(err, errlen, "%s: ports need proto tcp or udp",
			 json_object_get(a, "sport") != NULL ? "sport"
							     : "dport");
		return -EINVAL;
	}
	if ((v = json_object_get(a, "sport")) != NULL &&
	    (rc = fw_parse_ports("sport", v, &r->sport_lo, &r->sport_hi, err,
				 errlen)) < 0)
		return rc;
	if ((v = json_object_get(a, "dport")) != NULL &&
	    (rc = fw_parse_ports("dport", v, &r->dport_lo, &r->dport_hi, err,
				 errlen)) < 0)
		return rc;

	if ((v = json_object_get(a, "iface")) != NULL) {
		s = json_string_value(v);
		if (s == NULL || vnf_iface_index(fw->vi, s) < 0) {
			snprintf(err, errlen, "iface: vnf %s has no iface %s",
				 fw->vi->name,
				 s != NULL ? s : "(not a string)");
			return -ENOENT;
		}
		snprintf(r->in_iface, sizeof(r->in_iface), "%s", s);
	}
	return 0;
}

/* "index": a non-negative integer. */
static int
fw_index_from_json(json_t *a, bool required, uint32_t dflt, uint32_t *out,
		   char *err, size_t errlen)
{
	json_t *v = json_object_get(a, "index");

	if (v == NULL && !required) {
		*out = dflt;
		return 0;
	}
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    json_integer_value(v) > UINT32_MAX) {
		snprintf(err, errlen, "index: %s",
			 v == NULL ? "missing (required)"
				   : "not a non-negative integer");
		return -EINVAL;
	}
	*out = (uint32_t)json_integer_value(v);
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
	const struct ctl_rule_config *r = &fw->rules[i].cfg;
	char src[64], dst[64], sp[16], dp[16], pb[8];

	fw_prefix_str(r->has_src, &r->src, src, sizeof(src));
	fw_prefix_str(r->has_dst, &r->dst, dst, sizeof(dst));
	fw_ports_str(r->sport_lo, r->sport_hi, sp, sizeof(sp));
	fw_ports_str(r->dport_lo, r->dport_hi, dp, sizeof(dp));
	return json_pack("{s:s, s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I}",
			 "vnf", fw->vi->name, "index", (int)i, "action",
			 fw_action_name((uint8_t)r->action), "proto",
			 fw_proto_name(r->proto, pb, sizeof(pb)), "src", src,
			 "dst", dst, "sport", sp, "dport", dp, "iface",
			 r->in_iface[0] != '\0' ? r->in_iface : "any", "hits",
			 (json_int_t)fw_rule_hits(fw, i));
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

static unsigned int
fw_show_limit(json_t *args)
{
	json_t *l = json_object_get(args, "limit");

	if (json_is_integer(l) && json_integer_value(l) > 0)
		return (unsigned int)RTE_MIN(json_integer_value(l),
					     (json_int_t)UINT32_MAX);
	return FW_SHOW_LIMIT;
}

int
fw_ctl(struct vnf_instance *vi, const char *verb, json_t *args, json_t **reply)
{
	struct fw *fw = vi->priv;
	char err[256];
	uint32_t i;
	int rc;

	if (strcmp(verb, "knows") == 0) {
		const char *v = json_string_value(args);

		return v != NULL && (strcmp(v, "show rules") == 0 ||
				     strcmp(v, "show conn") == 0 ||
				     strcmp(v, "rule add") == 0 ||
				     strcmp(v, "rule del") == 0 ||
				     strcmp(v, "conn flush") == 0)
			       ? 0
			       : -ENOTSUP;
	}
	if (strcmp(verb, "show rules") == 0) {
		json_t *arr = json_array();

		for (i = 0; i < fw->n_rules; i++)
			json_array_append_new(arr, fw_rule_json(fw, i));
		*reply = arr;
		return 0;
	}
	if (strcmp(verb, "show conn") == 0) {
		struct fw_show s = {
			.fw = fw,
			.arr = json_array(),
			.limit = fw_show_limit(args),
			.now = fw_ticks(rte_rdtsc()),
		};
		char buf[96];

		lf_table_walk(&fw->ct.tab, fw_show_conn_one, &s);
		if (s.more != 0) {
			snprintf(buf, sizeof(buf),
				 "%u more connections (ask with \"limit\")",
				 s.more);
			json_array_append_new(
				s.arr, json_pack("{s:s, s:s}", "vnf", vi->name,
						 "truncated", buf));
		}
		*reply = s.arr;
		return 0;
	}
	if (strcmp(verb, "rule add") == 0) {
		struct ctl_rule_config r;

		rc = fw_rule_from_json(fw, args, &r, err, sizeof(err));
		if (rc == 0)
			rc = fw_index_from_json(args, false, fw->n_rules, &i,
						err, sizeof(err));
		if (rc == 0)
			rc = fw_rule_insert(fw, i, &r, err, sizeof(err));
		if (rc < 0)
			return fw_ctl_error(reply, rc, err);
		*reply = json_pack("{s:i}", "index", (int)i);
		return 0;
	}
	if (strcmp(verb, "rule del") == 0) {
		rc = fw_index_from_json(args, true, 0, &i, err, sizeof(err));
		if (rc == 0)
			rc = fw_rule_delete(fw, i, err, sizeof(err));
		if (rc < 0)
			return fw_ctl_error(reply, rc, err);
		*reply = json_pack("{s:i}", "deleted", (int)i);
		return 0;
	}
	if (strcmp(verb, "conn flush") == 0) {
		*reply = json_pack("{s:i}", "flushed",
				   (int)fw_ct_flush(&fw->ct));
		return 0;
	}
	if (strcmp(verb, "details") == 0) {
		const struct fw_rs *rs = atomic_load(&fw->rs);
		json_t *pairs = json_array();
		char buf[2 * VNF_NAME_MAX + 8];
		uint16_t p;

		for (i = 0; i < vi->n_ifaces; i += 2) {
			p = fw_peer(fw, (uint16_t)i);
			snprintf(buf, sizeof(buf), "%s<->%s",
				 vi->ifaces[i].name, vi->ifaces[p].name);
			json_array_append_new(pairs, json_string(buf));
		}
		*reply = json_pack(
			"{s:s, s:i, s:i, s:i, s:i, s:i, s:I, s:I, s:I, s:o}",
			"default", fw_action_name(fw->default_action), "rules",
			(int)fw->n_rules, "rules_ipv4", (int)rs->n4,
			"rules_ipv6", (int)rs->n6, "conn_table_size",
			(int)fw->ct.tab.limit, "connections",
			(int)atomic_load(&fw->ct.tab.count), "conn_expired",
			(json_int_t)fw->ct.expired, "rule_sets_built",
			(json_int_t)fw->builds, "hits_of_deleted_rules",
			(json_int_t)fw->hits_gone, "iface_pairs", pairs);
		return 0;
	}
	return -ENOTSUP;
}
