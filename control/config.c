/* SPDX-License-Identifier: BSD-3-Clause
 *
 * config.c - load and validate nfvd's YAML configuration.
 *
 * Three passes, all on the control thread, none of them touching DPDK:
 *
 *  1. libyaml composes the file into a node tree.  That catches syntax
 *     errors with their line, empty files and a top level that is not a
 *     mapping, and it is kept to find the line of any key path named in a
 *     later error (ld_find()).
 *  2. libcyaml loads the same text against the schema below into "raw"
 *     structs whose leaves are all strings.  It rejects unknown keys,
 *     duplicate keys and wrong shapes (a scalar where a list belongs); its
 *     log (with the backtrace) is captured and turned into a key path.
 *     Leaves are strings on purpose: then every value error comes from
 *     this file, with one wording ("X" is not one of: a, b), instead of
 *     libcyaml's ("Invalid ENUM value").
 *  3. The raw structs are converted into struct ctl_config, with defaults
 *     filled in and every semantic rule checked: type-specific keys,
 *     ranges, names, MACs, prefixes, link endpoints.
 *
 * Every error is one line "FILE:LINE: KEY.PATH: reason".  LINE is the
 * line of the key, or of the object that lacks a missing key; KEY.PATH is
 * left out for errors about the file as a whole.  docs/config.md lists
 * every key and rule.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <cyaml/cyaml.h>
#include <yaml.h>

#include "control/config.h"

#define CFG_FILE_MAX (16u << 20)	/* larger files are a mistake */
#define CFG_QUOTE "%.64s"		/* user values quoted in messages */

/* ---- raw schema: what libcyaml fills in; every leaf is a string ---- */

struct raw_dataplane {
	char *workers, *memory, *hugepages, *lcores, *file_prefix, *mbufs;
};

struct raw_control {
	char *socket;
};

struct raw_port {
	char *name, *type, *path, *mode, *queues, *ring_size, *ifname, *netns;
	char *rx, *tx, *address, *mac;
};

struct raw_iface {
	char *name, *mac, *mtu, *vlan;
	char **address;
	unsigned int address_count;
	char **trunk;
	unsigned int trunk_count;
};

struct raw_static_mac {
	char *mac, *vlan, *iface;
};

struct raw_nexthop {
	char *via, *iface;
};

struct raw_route {
	char *prefix, *via, *iface, *type;
	struct raw_nexthop *nexthops;
	unsigned int nexthops_count;
};

struct raw_neigh {
	char *iface, *ip, *mac;
};

struct raw_rule {
	char *action, *proto, *src, *dst, *sport, *dport, *iface;
};

struct raw_vnf {
	char *name, *type;
	struct raw_iface *ifaces;
	unsigned int ifaces_count;
	char *mac_table_size, *aging_time;
	struct raw_static_mac *static_macs;
	unsigned int static_macs_count;
	struct raw_route *routes;
	unsigned int routes_count;
	struct raw_neigh *neighbors;
	unsigned int neighbors_count;
	char *routes_file;
	char *default_action;
	struct raw_rule *rules;
	unsigned int rules_count;
	char *conn_table_size;
};

struct raw_top {
	struct raw_dataplane *dataplane;
	struct raw_control *control;
	struct raw_port *ports;
	unsigned int ports_count;
	struct raw_vnf *vnfs;
	unsigned int vnfs_count;
	char ***links;		/* each a char *[2] */
	unsigned int links_count;
};

#define OPT (CYAML_FLAG_OPTIONAL | CYAML_FLAG_POINTER)
#define STR(key, st, m) \
	CYAML_FIELD_STRING_PTR(key, OPT, st, m, 0, CYAML_UNLIMITED)
#define SEQ(key, st, m, entry, max) \
	CYAML_FIELD_SEQUENCE(key, OPT, st, m, entry, 0, max)

static const cyaml_schema_value_t str_schema = {
	CYAML_VALUE_STRING(CYAML_FLAG_POINTER, char, 0, CYAML_UNLIMITED),
};

static const cyaml_schema_field_t dataplane_fields[] = {
	STR("workers", struct raw_dataplane, workers),
	STR("memory", struct raw_dataplane, memory),
	STR("hugepages", struct raw_dataplane, hugepages),
	STR("lcores", struct raw_dataplane, lcores),
	STR("file_prefix", struct raw_dataplane, file_prefix),
	STR("mbufs", struct raw_dataplane, mbufs),
	CYAML_FIELD_END
};

static const cyaml_schema_field_t control_fields[] = {
	STR("socket", struct raw_control, socket),
	CYAML_FIELD_END
};

static const cyaml_schema_field_t port_fields[] = {
	STR("name", struct raw_port, name),
	STR("type", struct raw_port, type),
	STR("path", struct raw_port, path),
	STR("mode", struct raw_port, mode),
	STR("queues", struct raw_port, queues),
	STR("ring_size", struct raw_port, ring_size),
	STR("ifname", struct raw_port, ifname),
	STR("netns", struct raw_port, netns),
	STR("rx", struct raw_port, rx),
	STR("tx", struct raw_port, tx),
	STR("address", struct raw_port, address),
	STR("mac", struct raw_port, mac),
	CYAML_FIELD_END
};

static const cyaml_schema_value_t port_schema = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct raw_port, port_fields),
};

static const cyaml_schema_field_t iface_fields[] = {
	STR("name", struct raw_iface, name),
	STR("mac", struct raw_iface, mac),
	STR("mtu", struct raw_iface, mtu),
	SEQ("address", struct raw_iface, address, &str_schema, NFV_MAX_ADDRS),
	STR("vlan", struct raw_iface, vlan),
	SEQ("trunk", struct raw_iface, trunk, &str_schema, 4094),
	CYAML_FIELD_END
};

static const cyaml_schema_value_t iface_schema = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct raw_iface, iface_fields),
};

static const cyaml_schema_field_t static_mac_fields[] = {
	STR("mac", struct raw_static_mac, mac),
	STR("vlan", struct raw_static_mac, vlan),
	STR("iface", struct raw_static_mac, iface),
	CYAML_FIELD_END
};

static const cyaml_schema_value_t static_mac_schema = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct raw_static_mac,
			    static_mac_fields),
};

static const cyaml_schema_field_t nexthop_fields[] = {
	STR("via", struct raw_nexthop, via),
	STR("iface", struct raw_nexthop, iface),
	CYAML_FIELD_END
};

static const cyaml_schema_value_t nexthop_schema = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct raw_nexthop,
			    nexthop_fields),
};

static const cyaml_schema_field_t route_fields[] = {
	STR("prefix", struct raw_route, prefix),
	STR("via", struct raw_route, via),
	STR("iface", struct raw_route, iface),
	STR("type", struct raw_route, type),
	SEQ("nexthops", struct raw_route, nexthops, &nexthop_schema, NFV_MAX_NEXTHOPS),
	CYAML_FIELD_END
};

static const cyaml_schema_value_t route_schema = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct raw_route, route_fields),
};

static const cyaml_schema_field_t neigh_fields[] = {
	STR("iface", struct raw_neigh, iface),
	STR("ip", struct raw_neigh, ip),
	STR("mac", struct raw_neigh, mac),
	CYAML_FIELD_END
};

static const cyaml_schema_value_t neigh_schema = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct raw_neigh, neigh_fields),
};

static const cyaml_schema_field_t rule_fields[] = {
	STR("action", struct raw_rule, action),
	STR("proto", struct raw_rule, proto),
	STR("src", struct raw_rule, src),
	STR("dst", struct raw_rule, dst),
	STR("sport", struct raw_rule, sport),
	STR("dport", struct raw_rule, dport),
	STR("iface", struct raw_rule, iface),
	CYAML_FIELD_END
};

static const cyaml_schema_value_t rule_schema = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct raw_rule, rule_fields),
};

static const cyaml_schema_field_t vnf_fields[] = {
	STR("name", struct raw_vnf, name),
	STR("type", struct raw_vnf, type),
	SEQ("ifaces", struct raw_vnf, ifaces, &iface_schema, NFV_MAX_IFACES),
	STR("mac_table_size", struct raw_vnf, mac_table_size),
	STR("aging_time", struct raw_vnf, aging_time),
	SEQ("static_macs", struct raw_vnf, static_macs, &static_mac_schema, NFV_MAX_STATIC_MACS),
	SEQ("routes", struct raw_vnf, routes, &route_schema, NFV_MAX_ROUTES),
	SEQ("neighbors", struct raw_vnf, neighbors, &neigh_schema, NFV_MAX_NEIGHBORS),
	STR("routes_file", struct raw_vnf, routes_file),
	STR("default", struct raw_vnf, default_action),
	SEQ("rules", struct raw_vnf, rules, &rule_schema, NFV_MAX_RULES),
	STR("conn_table_size", struct raw_vnf, conn_table_size),
	CYAML_FIELD_END
};

static const cyaml_schema_value_t vnf_schema = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct raw_vnf, vnf_fields),
};

/* A link is a list of exactly two endpoint strings. */
static const cyaml_schema_value_t link_schema = {
	CYAML_VALUE_SEQUENCE_FIXED(CYAML_FLAG_POINTER, char *, &str_schema, 2),
};

static const cyaml_schema_field_t top_fields[] = {
	CYAML_FIELD_MAPPING_PTR("dataplane", OPT, struct raw_top, dataplane,
				dataplane_fields),
	CYAML_FIELD_MAPPING_PTR("control", OPT, struct raw_top, control,
				control_fields),
	SEQ("ports", struct raw_top, ports, &port_schema, NFV_MAX_PORTS),
	SEQ("vnfs", struct raw_top, vnfs, &vnf_schema, NFV_MAX_VNFS),
	SEQ("links", struct raw_top, links, &link_schema, NFV_MAX_LINKS),
	/* Validated by nfv-vmm's lab tool, not by nfvd. */
	CYAML_FIELD_IGNORE("guests", CYAML_FLAG_OPTIONAL),
	CYAML_FIELD_END
};

static const cyaml_schema_value_t top_schema = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_POINTER, struct raw_top, top_fields),
};

/* ---- the load context and error reporting ---- */

struct ld {
	const char *file;	/* as named by the caller, for messages */
	char *err;
	size_t errlen;
	yaml_document_t doc;
	bool have_doc;
	char cylog[4096];	/* libcyaml's error log, newline separated */
	size_t cylog_len;
};

/*
 * The node at `path` ("ports[1].mode") in the composed document, or NULL
 * when it is not there; *line (1-based) is the line of the path or of the
 * deepest part of it that exists, 0 when unknown.  The line of a key, not
 * of its value: in block style the value may start a line later.
 */
static yaml_node_t *ld_find(struct ld *ld, const char *path,
			    unsigned long *line)
{
	yaml_node_t *n;
	const char *p = path;

	*line = 0;
	if (!ld->have_doc)
		return NULL;
	n = yaml_document_get_root_node(&ld->doc);
	if (!n)
		return NULL;
	*line = n->start_mark.line + 1;
	while (*p) {
		if (*p == '.') {
			p++;
			continue;
		}
		if (*p == '[') {
			char *end;
			unsigned long idx = strtoul(p + 1, &end, 10);
			long cnt;

			if (*end != ']' || n->type != YAML_SEQUENCE_NODE)
				return NULL;
			p = end + 1;
			cnt = n->data.sequence.items.top -
			      n->data.sequence.items.start;
			if ((long)idx >= cnt)
				return NULL;
			n = yaml_document_get_node(&ld->doc,
					n->data.sequence.items.start[idx]);
			if (!n)
				return NULL;
			*line = n->start_mark.line + 1;
			continue;
		}

		size_t klen = strcspn(p, ".[");
		yaml_node_pair_t *pair;
		yaml_node_t *k = NULL;

		if (n->type != YAML_MAPPING_NODE)
			return NULL;
		for (pair = n->data.mapping.pairs.start;
		     pair < n->data.mapping.pairs.top; pair++) {
			k = yaml_document_get_node(&ld->doc, pair->key);
			if (k && k->type == YAML_SCALAR_NODE &&
			    k->data.scalar.length == klen &&
			    !memcmp(k->data.scalar.value, p, klen))
				break;
		}
		if (pair == n->data.mapping.pairs.top)
			return NULL;
		*line = k->start_mark.line + 1;
		p += klen;
		n = yaml_document_get_node(&ld->doc, pair->value);
		if (!n)
			return NULL;
		/* Inside the value, its own lines count. */
		if (*p)
			*line = n->start_mark.line + 1;
	}
	return n;
}

/*
 * Whether key `key` of the object at `at` is in the file.  libcyaml leaves
 * an empty list ("trunk: []") as NULL, the same as an absent key.
 */
static bool ld_given(struct ld *ld, const char *at, const char *key)
{
	char path[256];
	unsigned long line;

	snprintf(path, sizeof(path), "%s.%s", at, key);
	return ld_find(ld, path, &line) != NULL;
}

/* Keep the message on one line, whatever bytes the file held. */
static void ld_sanitize(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

/*
 * Write "FILE:LINE: AT.KEY: reason" into ld->err and return -EINVAL.  `at`
 * is the object's path ("" for the top level), `key` the key inside it
 * (NULL: the object itself).
 */
static int __attribute__((format(printf, 4, 5)))
ld_fail(struct ld *ld, const char *at, const char *key, const char *fmt, ...)
{
	char path[256], reason[512];
	unsigned long line;
	va_list ap;

	if (at && *at && key)
		snprintf(path, sizeof(path), "%s.%s", at, key);
	else
		snprintf(path, sizeof(path), "%s", key ? key : at ? at : "");
	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	ld_find(ld, path, &line);
	if (!ld->err || !ld->errlen)
		return -EINVAL;
	if (line && *path)
		snprintf(ld->err, ld->errlen, "%s:%lu: %s: %s", ld->file, line,
			 path, reason);
	else if (line)
		snprintf(ld->err, ld->errlen, "%s:%lu: %s", ld->file, line,
			 reason);
	else if (*path)
		snprintf(ld->err, ld->errlen, "%s: %s: %s", ld->file, path,
			 reason);
	else
		snprintf(ld->err, ld->errlen, "%s: %s", ld->file, reason);
	ld_sanitize(ld->err);
	return -EINVAL;
}

static int ld_oom(struct ld *ld)
{
	if (ld->err && ld->errlen)
		snprintf(ld->err, ld->errlen, "%s: out of memory", ld->file);
	return -ENOMEM;
}

/* ---- value parsers ---- */

/*
 * Strict unsigned decimal, optionally with a binary suffix (k, K, M, G)
 * when `suffix` is set.  -EINVAL for anything else, -ERANGE on overflow.
 */
static int parse_u64(const char *s, bool suffix, uint64_t *out)
{
	uint64_t v = 0, mul = 1;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	for (; isdigit((unsigned char)*s); s++) {
		if (v > (UINT64_MAX - 9) / 10)
			return -ERANGE;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	if (*s && suffix) {
		switch (*s++) {
		case 'k':
		case 'K':
			mul = 1ull << 10;
			break;
		case 'M':
			mul = 1ull << 20;
			break;
		case 'G':
			mul = 1ull << 30;
			break;
		default:
			return -EINVAL;
		}
	}
	if (*s)
		return -EINVAL;
	if (v > UINT64_MAX / mul)
		return -ERANGE;
	*out = v * mul;
	return 0;
}

static int get_uint(struct ld *ld, const char *at, const char *key,
		    const char *s, bool suffix, uint64_t min, uint64_t max,
		    uint64_t *out)
{
	uint64_t v;
	int rc;

	rc = parse_u64(s, suffix, &v);
	if (rc == -EINVAL)
		return ld_fail(ld, at, key, "\"" CFG_QUOTE "\" is not a %s", s,
			       suffix ? "number (suffixes: k, M, G)" :
					"number");
	if (rc || v < min || v > max)
		return ld_fail(ld, at, key,
			       CFG_QUOTE " is out of range %" PRIu64
			       "..%" PRIu64, s, min, max);
	*out = v;
	return 0;
}

/* A uint32/uint16 field with a default. */
#define GET_UINT(ld, at, key, s, suffix, min, max, def, dst) ({ \
	uint64_t v_ = (def); \
	int rc_ = (s) ? get_uint(ld, at, key, s, suffix, min, max, &v_) : 0; \
	if (!rc_) \
		(dst) = (__typeof__(dst))v_; \
	rc_; \
})

/* Index of `s` in the NULL-terminated `names`, else an error listing them. */
static int get_enum(struct ld *ld, const char *at, const char *key,
		    const char *s, const char *const *names)
{
	char list[256] = "";
	size_t off = 0;
	int i;

	for (i = 0; names[i]; i++)
		if (!strcmp(s, names[i]))
			return i;
	for (i = 0; names[i] && off < sizeof(list); i++)
		off += (size_t)snprintf(list + off, sizeof(list) - off, "%s%s",
					i ? ", " : "", names[i]);
	return ld_fail(ld, at, key, "\"" CFG_QUOTE "\" is not one of: %s", s,
		       list);
}

int ctl_parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int i;

	if (!s)
		return -EINVAL;
	for (i = 0; i < 6; i++) {
		if (!isxdigit((unsigned char)s[0]) ||
		    !isxdigit((unsigned char)s[1]))
			return -EINVAL;
		if (s[2] != (i == 5 ? '\0' : ':'))
			return -EINVAL;
		mac[i] = (uint8_t)strtoul((char[3]){ s[0], s[1], 0 }, NULL, 16);
		s += 3;
	}
	return 0;
}

int ctl_parse_prefix(const char *s, struct ctl_prefix *p)
{
	char buf[INET6_ADDRSTRLEN + 8];
	const char *slash;
	size_t alen;
	unsigned int max;

	if (!s || !p)
		return -EINVAL;
	slash = strchr(s, '/');
	alen = slash ? (size_t)(slash - s) : strlen(s);
	if (alen == 0 || alen >= INET6_ADDRSTRLEN)
		return -EINVAL;
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	memset(p, 0, sizeof(*p));
	if (inet_pton(AF_INET, buf, p->addr) == 1) {
		p->family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, buf, p->addr) == 1) {
		p->family = AF_INET6;
		max = 128;
	} else {
		return -EINVAL;
	}
	p->len = (uint8_t)max;
	if (slash) {
		uint64_t len;

		/* parse_u64 is strict: no sign, no spaces, no hex. */
		if (parse_u64(slash + 1, false, &len) || len > max ||
		    strlen(slash + 1) > 3)
			return -EINVAL;
		p->len = (uint8_t)len;
	}
	return 0;
}

const char *ctl_port_type_name(enum ctl_port_type t)
{
	switch (t) {
	case CTL_PORT_VHOST_USER:
		return "vhost-user";
	case CTL_PORT_VIRTIO_USER:
		return "virtio-user";
	case CTL_PORT_PCAP:
		return "pcap";
	case CTL_PORT_TAP:
		return "tap";
	case CTL_PORT_AF_PACKET:
		return "af_packet";
	case CTL_PORT_AF_XDP:
		return "af_xdp";
	case CTL_PORT_PCI:
		return "pci";
	}
	return "unknown";
}

static void prefix_str(const struct ctl_prefix *p, bool with_len, char *buf,
		       size_t len)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(p->family, p->addr, a, sizeof(a));
	if (with_len)
		snprintf(buf, len, "%s/%u", a, p->len);
	else
		snprintf(buf, len, "%s", a);
}

static bool prefix_host_bits(const struct ctl_prefix *p)
{
	unsigned int bytes = p->family == AF_INET ? 4 : 16, i;

	for (i = 0; i < bytes; i++) {
		unsigned int bit = i * 8;
		uint8_t mask;

		if (bit + 8 <= p->len)
			continue;
		mask = bit >= p->len ? 0xff : (uint8_t)(0xff >> (p->len - bit));
		if (p->addr[i] & mask)
			return true;
	}
	return false;
}

static const char *family_name(uint8_t family)
{
	return family == AF_INET ? "IPv4" : "IPv6";
}

/* An address with an optional length ("10.0.0.1/24"). */
static int get_prefix(struct ld *ld, const char *at, const char *key,
		      const char *s, struct ctl_prefix *p)
{
	if (ctl_parse_prefix(s, p))
		return ld_fail(ld, at, key,
			       "\"" CFG_QUOTE "\" is not an IPv4 or IPv6 "
			       "address with an optional /length", s);
	return 0;
}

/* A network: host bits must be clear, so "10.0.0.1/8" is a typo. */
static int get_network(struct ld *ld, const char *at, const char *key,
		       const char *s, struct ctl_prefix *p)
{
	char net[INET6_ADDRSTRLEN + 8];
	struct ctl_prefix m;
	unsigned int i;

	if (get_prefix(ld, at, key, s, p))
		return -EINVAL;
	if (!prefix_host_bits(p))
		return 0;
	m = *p;
	for (i = 0; i < 16; i++) {
		unsigned int bit = i * 8;

		if (bit >= m.len)
			m.addr[i] = 0;
		else if (bit + 8 > m.len)
			m.addr[i] &= (uint8_t)(0xff << (8 - (m.len - bit)));
	}
	prefix_str(&m, true, net, sizeof(net));
	return ld_fail(ld, at, key,
		       "\"" CFG_QUOTE "\" has host bits set (did you mean %s?)",
		       s, net);
}

/* A bare address: a gateway or a neighbor. */
static int get_addr(struct ld *ld, const char *at, const char *key,
		    const char *s, struct ctl_prefix *p)
{
	if (strchr(s, '/'))
		return ld_fail(ld, at, key,
			       "\"" CFG_QUOTE "\" must be an address without "
			       "a /length", s);
	if (ctl_parse_prefix(s, p))
		return ld_fail(ld, at, key,
			       "\"" CFG_QUOTE "\" is not an IPv4 or IPv6 "
			       "address", s);
	return 0;
}

static int get_mac(struct ld *ld, const char *at, const char *key,
		   const char *s, bool unicast, uint8_t mac[6])
{
	static const uint8_t zero[6];

	if (ctl_parse_mac(s, mac))
		return ld_fail(ld, at, key,
			       "\"" CFG_QUOTE "\" is not a MAC address "
			       "(like 02:00:00:00:00:01)", s);
	if (unicast && (mac[0] & 1))
		return ld_fail(ld, at, key,
			       "%s is a multicast MAC; an interface needs a "
			       "unicast one", s);
	if (unicast && !memcmp(mac, zero, 6))
		return ld_fail(ld, at, key, "the zero MAC is not valid here");
	return 0;
}

/* Names become endpoint parts ("vnf.iface") and appear in nfvctl output. */
static int get_name(struct ld *ld, const char *at, const char *key,
		    const char *s, char name[CTL_NAME_MAX])
{
	size_t i, len;

	if (!s)
		return ld_fail(ld, at, key, "missing (required)");
	len = strlen(s);
	if (!len)
		return ld_fail(ld, at, key, "must not be empty");
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' &&
		    s[i] != '-')
			break;
	if (i < len || len >= CTL_NAME_MAX || s[0] == '-')
		return ld_fail(ld, at, key,
			       "\"" CFG_QUOTE "\" is not a valid name: use "
			       "letters, digits, '_' and '-', at most %d", s,
			       CTL_NAME_MAX - 1);
	memcpy(name, s, len + 1);
	return 0;
}

static int dup_str(struct ld *ld, const char *s, char **out)
{
	*out = strdup(s);
	return *out ? 0 : ld_oom(ld);
}

/* A socket path must fit sockaddr_un.sun_path with its NUL. */
static int check_sock_path(struct ld *ld, const char *at, const char *key,
			   const char *s)
{
	struct sockaddr_un sun;

	if (!*s)
		return ld_fail(ld, at, key, "must not be empty");
	if (strlen(s) >= sizeof(sun.sun_path))
		return ld_fail(ld, at, key,
			       "socket path is %zu bytes, longer than the %zu "
			       "that fit a UNIX socket address", strlen(s),
			       sizeof(sun.sun_path) - 1);
	return 0;
}

/*
 * The first duplicate in file order among n elements: sort indices by key
 * (ties by index), then the equal neighbours with the smallest later index.
 * O(n log n), for lists that may hold a million routes.  0 and *first <
 * *second when found, -ENOENT when all keys differ, -ENOMEM.
 */
struct dup_ctx {
	const void *base;
	size_t size;
	int (*cmp)(const void *a, const void *b);
};

static int dup_cmp(const void *a, const void *b, void *arg)
{
	const struct dup_ctx *c = arg;
	unsigned int i = *(const unsigned int *)a, j = *(const unsigned int *)b;
	int r = c->cmp((const char *)c->base + i * c->size,
		       (const char *)c->base + j * c->size);

	return r ? r : i < j ? -1 : i > j;
}

static int find_dup(const void *base, unsigned int n, size_t size,
		    int (*cmp)(const void *, const void *),
		    unsigned int *first, unsigned int *second)
{
	struct dup_ctx c = { base, size, cmp };
	unsigned int *idx, i, best = UINT_MAX;

	if (n < 2)
		return -ENOENT;
	idx = malloc(n * sizeof(*idx));
	if (!idx)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		idx[i] = i;
	qsort_r(idx, n, sizeof(*idx), dup_cmp, &c);
	for (i = 1; i < n; i++)
		if (!cmp((const char *)base + idx[i - 1] * size,
			 (const char *)base + idx[i] * size) &&
		    idx[i] < best) {
			best = idx[i];
			*first = idx[i - 1];
		}
	free(idx);
	if (best == UINT_MAX)
		return -ENOENT;
	*second = best;
	return 0;
}

static int prefix_cmp(const struct ctl_prefix *a, const struct ctl_prefix *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	return memcmp(a->addr, b->addr, 16);
}

/* ---- dataplane and control ---- */

/* "1", "1-3", "1,3,5-7": core ids below 1024, ranges ascending. */
static bool lcores_valid(const char *s)
{
	for (;;) {
		char *end;
		unsigned long a, b;

		if (!isdigit((unsigned char)*s))
			return false;
		a = strtoul(s, &end, 10);
		b = a;
		if (*end == '-') {
			if (!isdigit((unsigned char)end[1]))
				return false;
			b = strtoul(end + 1, &end, 10);
		}
		if (a >= 1024 || b >= 1024 || b < a)
			return false;
		if (!*end)
			return true;
		if (*end != ',')
			return false;
		s = end + 1;
	}
}

static int memory_parse(const char *s, uint64_t *mib)
{
	static const struct {
		const char *suffix;
		uint64_t mul;
	} sfx[] = {
		{ "", 1 }, { "M", 1 }, { "MB", 1 }, { "MiB", 1 },
		{ "G", 1024 }, { "GB", 1024 }, { "GiB", 1024 },
	};
	char *end;
	unsigned long long v;
	size_t i;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -ERANGE;
	for (i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++)
		if (!strcmp(end, sfx[i].suffix)) {
			if (v > UINT32_MAX)
				return -ERANGE;
			*mib = v * sfx[i].mul;
			return 0;
		}
	return -EINVAL;
}

static int load_dataplane(struct ld *ld, const struct raw_dataplane *r,
			  struct ctl_config *cfg)
{
	static const char *const huge[] = { "auto", "on", "off", NULL };
	/* YAML 1.1 booleans, which users write for on/off. */
	static const char *const huge_alias[] = { "true", "yes", "false",
						  "no", NULL };
	const char *at = "dataplane";
	uint64_t mib;
	int rc;

	cfg->dataplane.workers = 1;
	cfg->dataplane.memory = 512;
	cfg->dataplane.hugepages = -1;
	if (!r)
		return 0;
	if (GET_UINT(ld, at, "workers", r->workers, false, 1, NFV_MAX_WORKERS,
		     1, cfg->dataplane.workers))
		return -EINVAL;
	if (r->memory) {
		rc = memory_parse(r->memory, &mib);
		if (rc == -EINVAL)
			return ld_fail(ld, at, "memory",
				       "\"" CFG_QUOTE "\" is not a size in MiB "
				       "(like 512, 512M or 2G)", r->memory);
		if (rc || mib < 64 || mib > (1u << 24))
			return ld_fail(ld, at, "memory",
				       CFG_QUOTE " is out of range 64..16777216 "
				       "MiB", r->memory);
		cfg->dataplane.memory = (unsigned int)mib;
	}
	if (r->hugepages) {
		for (rc = 0; huge_alias[rc]; rc++)
			if (!strcasecmp(r->hugepages, huge_alias[rc]))
				break;
		if (huge_alias[rc]) {
			cfg->dataplane.hugepages = rc < 2;
		} else {
			rc = get_enum(ld, at, "hugepages", r->hugepages, huge);
			if (rc < 0)
				return rc;
			cfg->dataplane.hugepages = rc == 0 ? -1 : rc == 1;
		}
	}
	if (r->lcores) {
		if (!lcores_valid(r->lcores))
			return ld_fail(ld, at, "lcores",
				       "\"" CFG_QUOTE "\" is not a core list "
				       "(like \"1\", \"1-2\" or \"1,3\")",
				       r->lcores);
		if (dup_str(ld, r->lcores, &cfg->dataplane.lcores))
			return -ENOMEM;
	}
	if (r->file_prefix) {
		const char *s = r->file_prefix;
		size_t i, len = strlen(s);

		for (i = 0; i < len; i++)
			if (!isalnum((unsigned char)s[i]) && !strchr("_-.", s[i]))
				break;
		if (!len || i < len || len > 64)
			return ld_fail(ld, at, "file_prefix",
				       "\"" CFG_QUOTE "\" is not a valid file "
				       "prefix: use letters, digits, '_', '-' "
				       "and '.', at most 64", s);
		if (dup_str(ld, s, &cfg->dataplane.file_prefix))
			return -ENOMEM;
	}
	if (GET_UINT(ld, at, "mbufs", r->mbufs, true, 512, 1u << 26, 0,
		     cfg->dataplane.mbufs))
		return -EINVAL;
	return 0;
}

static int load_control(struct ld *ld, const struct raw_control *r,
			struct ctl_config *cfg)
{
	const char *s = r && r->socket ? r->socket : "/run/nfvd/nfvd.sock";

	if (check_sock_path(ld, "control", "socket", s))
		return -EINVAL;
	return dup_str(ld, s, &cfg->control.socket);
}

/* ---- ports ---- */

enum {
	PK_PATH = 1 << 0,
	PK_MODE = 1 << 1,
	PK_QUEUES = 1 << 2,
	PK_RING = 1 << 3,
	PK_IFNAME = 1 << 4,
	PK_NETNS = 1 << 5,
	PK_RX = 1 << 6,
	PK_TX = 1 << 7,
	PK_ADDRESS = 1 << 8,
	PK_MAC = 1 << 9,
};

/* Indexed by enum ctl_port_type; the order of names[] below. */
static const unsigned int port_keys[] = {
	[CTL_PORT_VHOST_USER] = PK_PATH | PK_MODE | PK_QUEUES | PK_RING,
	[CTL_PORT_VIRTIO_USER] = PK_PATH | PK_QUEUES | PK_RING | PK_MAC,
	[CTL_PORT_PCAP] = PK_RX | PK_TX,
	[CTL_PORT_TAP] = PK_IFNAME | PK_NETNS | PK_MAC,
	[CTL_PORT_AF_PACKET] = PK_IFNAME | PK_QUEUES,
	[CTL_PORT_AF_XDP] = PK_IFNAME | PK_QUEUES,
	[CTL_PORT_PCI] = PK_ADDRESS | PK_QUEUES | PK_RING,
};

static const char *const port_type_names[] = {
	"vhost-user", "virtio-user", "pcap", "tap", "af_packet", "af_xdp",
	"pci", NULL,
};

/* "0000:01:00.0" or "01:00.0": normalized to the long form. */
static int pci_parse(const char *s, char out[16])
{
	unsigned int dom = 0, bus, dev, fn;
	int n = -1;

	if (strlen(s) > 12)
		return -EINVAL;
	for (const char *c = s; *c; c++)
		if (!isxdigit((unsigned char)*c) && *c != ':' && *c != '.')
			return -EINVAL;
	if (sscanf(s, "%4x:%2x:%2x.%1x%n", &dom, &bus, &dev, &fn, &n) != 4 ||
	    (size_t)n != strlen(s) || strlen(s) != 12) {
		dom = 0;
		n = -1;
		if (sscanf(s, "%2x:%2x.%1x%n", &bus, &dev, &fn, &n) != 3 ||
		    (size_t)n != strlen(s) || strlen(s) != 7)
			return -EINVAL;
	}
	if (dev > 0x1f || fn > 7)
		return -EINVAL;
	snprintf(out, 16, "%04x:%02x:%02x.%x", dom, bus, dev, fn);
	return 0;
}

static int load_port(struct ld *ld, const char *at, const struct raw_port *r,
		     struct ctl_port_config *p)
{
	const struct {
		const char *key;
		const char *val;
		unsigned int bit;
	} keys[] = {
		{ "path", r->path, PK_PATH },
		{ "mode", r->mode, PK_MODE },
		{ "queues", r->queues, PK_QUEUES },
		{ "ring_size", r->ring_size, PK_RING },
		{ "ifname", r->ifname, PK_IFNAME },
		{ "netns", r->netns, PK_NETNS },
		{ "rx", r->rx, PK_RX },
		{ "tx", r->tx, PK_TX },
		{ "address", r->address, PK_ADDRESS },
		{ "mac", r->mac, PK_MAC },
	};
	static const char *const modes[] = { "server", "client", NULL };
	unsigned int i, allowed;
	int t;

	if (get_name(ld, at, "name", r->name, p->name))
		return -EINVAL;
	if (!r->type)
		return ld_fail(ld, at, "type",
			       "missing (required): one of vhost-user, "
			       "virtio-user, pcap, tap, af_packet, af_xdp, pci");
	t = get_enum(ld, at, "type", r->type, port_type_names);
	if (t < 0)
		return t;
	p->type = (enum ctl_port_type)t;
	allowed = port_keys[t];
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (keys[i].val && !(allowed & keys[i].bit))
			return ld_fail(ld, at, keys[i].key,
				       "not valid for a port of type %s",
				       r->type);

	p->queues = 1;
	p->ring_size = 1024;
	if (GET_UINT(ld, at, "queues", r->queues, false, 1, NFV_MAX_QUEUES, 1,
		     p->queues))
		return -EINVAL;
	if (GET_UINT(ld, at, "ring_size", r->ring_size, false, 64, 4096, 1024,
		     p->ring_size))
		return -EINVAL;
	if (p->ring_size & (p->ring_size - 1))
		return ld_fail(ld, at, "ring_size",
			       "%u is not a power of two", p->ring_size);
	if (r->mode) {
		int m = get_enum(ld, at, "mode", r->mode, modes);

		if (m < 0)
			return m;
		p->client = m == 1;
	}
	if (r->mac && get_mac(ld, at, "mac", r->mac, true, p->mac))
		return -EINVAL;
	p->has_mac = r->mac != NULL;

	switch (p->type) {
	case CTL_PORT_VHOST_USER:
	case CTL_PORT_VIRTIO_USER:
		if (!r->path)
			return ld_fail(ld, at, "path",
				       "missing (required for a %s port)",
				       r->type);
		if (check_sock_path(ld, at, "path", r->path))
			return -EINVAL;
		if (dup_str(ld, r->path, &p->path))
			return -ENOMEM;
		break;
	case CTL_PORT_PCAP:
		if (!r->rx && !r->tx)
			return ld_fail(ld, at, NULL,
				       "a pcap port needs rx, tx or both");
		if (r->rx && !*r->rx)
			return ld_fail(ld, at, "rx", "must not be empty");
		if (r->tx && !*r->tx)
			return ld_fail(ld, at, "tx", "must not be empty");
		if (r->rx && dup_str(ld, r->rx, &p->rx))
			return -ENOMEM;
		if (r->tx && dup_str(ld, r->tx, &p->tx))
			return -ENOMEM;
		break;
	case CTL_PORT_TAP:
	case CTL_PORT_AF_PACKET:
	case CTL_PORT_AF_XDP: {
		const char *ifn = r->ifname;

		if (!ifn && p->type != CTL_PORT_TAP)
			return ld_fail(ld, at, "ifname",
				       "missing (required for a %s port)",
				       r->type);
		if (!ifn && strlen(p->name) >= IFNAMSIZ)
			return ld_fail(ld, at, "name",
				       "\"%s\" is too long for a kernel "
				       "interface name (at most %d); set ifname",
				       p->name, IFNAMSIZ - 1);
		if (!ifn)
			ifn = p->name;
		if (!*ifn || strlen(ifn) >= IFNAMSIZ || strchr(ifn, '/') ||
		    strpbrk(ifn, " \t:") || !strcmp(ifn, ".") ||
		    !strcmp(ifn, ".."))
			return ld_fail(ld, at, "ifname",
				       "\"" CFG_QUOTE "\" is not a valid "
				       "kernel interface name (1..%d "
				       "characters, no '/', ':' or spaces)",
				       ifn, IFNAMSIZ - 1);
		if (dup_str(ld, ifn, &p->ifname))
			return -ENOMEM;
		if (r->netns) {
			if (!*r->netns || strchr(r->netns, '/') ||
			    !strcmp(r->netns, ".") || !strcmp(r->netns, "..") ||
			    strlen(r->netns) > 64)
				return ld_fail(ld, at, "netns",
					       "\"" CFG_QUOTE "\" is not a "
					       "valid network namespace name",
					       r->netns);
			if (dup_str(ld, r->netns, &p->netns))
				return -ENOMEM;
		}
		break;
	}
	case CTL_PORT_PCI: {
		char bdf[16];

		if (!r->address)
			return ld_fail(ld, at, "address",
				       "missing (required for a pci port)");
		if (pci_parse(r->address, bdf))
			return ld_fail(ld, at, "address",
				       "\"" CFG_QUOTE "\" is not a PCI address "
				       "(like 0000:01:00.0)", r->address);
		if (dup_str(ld, bdf, &p->address))
			return -ENOMEM;
		break;
	}
	}
	return 0;
}

/* Socket paths, kernel interfaces and PCI devices can be used once. */
static int check_ports_unique(struct ld *ld, const struct ctl_config *cfg)
{
	unsigned int i, j;
	char at[32];

	for (i = 0; i < cfg->n_ports; i++) {
		const struct ctl_port_config *a = &cfg->ports[i];

		snprintf(at, sizeof(at), "ports[%u]", i);
		if (a->path && !strcmp(a->path, cfg->control.socket))
			return ld_fail(ld, at, "path",
				       "\"%s\" is also control.socket", a->path);
		for (j = 0; j < i; j++) {
			const struct ctl_port_config *b = &cfg->ports[j];

			if (a->path && b->path && !strcmp(a->path, b->path))
				return ld_fail(ld, at, "path",
					       "\"%s\" is already the path of "
					       "port %s", a->path, b->name);
			if (a->ifname && b->ifname &&
			    !strcmp(a->ifname, b->ifname) &&
			    !(a->netns || b->netns))
				return ld_fail(ld, at, "ifname",
					       "\"%s\" is already used by port "
					       "%s", a->ifname, b->name);
			if (a->address && b->address &&
			    !strcmp(a->address, b->address))
				return ld_fail(ld, at, "address",
					       "%s is already used by port %s",
					       a->address, b->name);
			if (a->tx && b->tx && !strcmp(a->tx, b->tx))
				return ld_fail(ld, at, "tx",
					       "\"%s\" is already written by "
					       "port %s", a->tx, b->name);
		}
	}
	return 0;
}

/* ---- VNFs ---- */

enum vnf_kind {
	VNF_L2SWITCH,
	VNF_ROUTER,
	VNF_FIREWALL,
};

static const char *const vnf_type_names[] = {
	"l2switch", "router", "firewall", NULL,
};

static int find_iface(const struct ctl_vnf_config *v, const char *name)
{
	unsigned int i;

	for (i = 0; i < v->n_ifaces; i++)
		if (!strcmp(v->ifaces[i].name, name))
			return (int)i;
	return -1;
}

/* An `iface:` key naming one of this VNF's ifaces. */
static int get_iface_ref(struct ld *ld, const char *at, const char *key,
			 const char *s, const struct ctl_vnf_config *v,
			 char name[CTL_NAME_MAX], int *idx)
{
	int i;

	if (!s)
		return ld_fail(ld, at, key, "missing (required)");
	i = find_iface(v, s);
	if (i < 0)
		return ld_fail(ld, at, key,
			       "vnf %s has no iface \"" CFG_QUOTE "\"", v->name,
			       s);
	snprintf(name, CTL_NAME_MAX, "%s", s);
	if (idx)
		*idx = i;
	return 0;
}

static int load_vlan(struct ld *ld, const char *at, const char *key,
		     const char *s, uint16_t *vlan)
{
	return GET_UINT(ld, at, key, s, false, 1, 4094, 0, *vlan);
}

static int load_iface(struct ld *ld, const char *at, enum vnf_kind kind,
		      const char *vtype, const struct raw_iface *r,
		      struct ctl_iface_config *f)
{
	bool l2 = kind == VNF_L2SWITCH, l3 = kind == VNF_ROUTER;
	bool trunk = ld_given(ld, at, "trunk");
	uint64_t seen[4096 / 64] = { 0 };
	unsigned int i, j;
	char key[32];

	if (get_name(ld, at, "name", r->name, f->name))
		return -EINVAL;
	if (r->mac && !l3)
		return ld_fail(ld, at, "mac", "not valid for an iface of a %s",
			       vtype);
	if (r->mtu && !l3)
		return ld_fail(ld, at, "mtu", "not valid for an iface of a %s",
			       vtype);
	if (ld_given(ld, at, "address") && !l3)
		return ld_fail(ld, at, "address",
			       "not valid for an iface of a %s", vtype);
	if (r->vlan && !l2)
		return ld_fail(ld, at, "vlan", "not valid for an iface of a %s",
			       vtype);
	if (trunk && !l2)
		return ld_fail(ld, at, "trunk",
			       "not valid for an iface of a %s", vtype);

	f->mtu = 1500;
	if (GET_UINT(ld, at, "mtu", r->mtu, false, 68, 9216, 1500, f->mtu))
		return -EINVAL;
	if (r->mac && get_mac(ld, at, "mac", r->mac, true, f->mac))
		return -EINVAL;
	f->has_mac = r->mac != NULL;

	if (r->address_count) {
		f->addrs = calloc(r->address_count, sizeof(*f->addrs));
		if (!f->addrs)
			return ld_oom(ld);
	}
	for (i = 0; i < r->address_count; i++) {
		struct ctl_prefix *p = &f->addrs[i];

		snprintf(key, sizeof(key), "address[%u]", i);
		if (get_prefix(ld, at, key, r->address[i], p))
			return -EINVAL;
		f->n_addrs = i + 1;
		for (j = 0; j < i; j++)
			if (!memcmp(f->addrs[j].addr, p->addr, 16) &&
			    f->addrs[j].family == p->family)
				return ld_fail(ld, at, key,
					       "\"" CFG_QUOTE "\" duplicates "
					       "address[%u]", r->address[i], j);
	}

	if (r->vlan && load_vlan(ld, at, "vlan", r->vlan, &f->vlan))
		return -EINVAL;
	f->vlan_mode = r->vlan ? CTL_VLAN_ACCESS : CTL_VLAN_NONE;
	if (trunk) {
		f->vlan_mode = CTL_VLAN_TRUNK;
		if (!r->trunk_count)
			return ld_fail(ld, at, "trunk",
				       "a trunk needs at least one VLAN");
		f->trunk = calloc(r->trunk_count, sizeof(*f->trunk));
		if (!f->trunk)
			return ld_oom(ld);
		for (i = 0; i < r->trunk_count; i++) {
			uint16_t vid;

			snprintf(key, sizeof(key), "trunk[%u]", i);
			if (load_vlan(ld, at, key, r->trunk[i], &f->trunk[i]))
				return -EINVAL;
			f->n_trunk = i + 1;
			vid = f->trunk[i];
			if (seen[vid / 64] & (1ull << (vid % 64)))
				return ld_fail(ld, at, key,
					       "VLAN %u is listed twice", vid);
			seen[vid / 64] |= 1ull << (vid % 64);
			if (f->trunk[i] == f->vlan)
				return ld_fail(ld, at, key,
					       "VLAN %u is already the native "
					       "VLAN (vlan)", f->vlan);
		}
	}
	return 0;
}

/* Does l2switch iface `f` carry VLAN `vlan`? */
static bool iface_has_vlan(const struct ctl_iface_config *f, uint16_t vlan)
{
	unsigned int i;

	if (f->vlan_mode == CTL_VLAN_NONE)
		return vlan == 0;
	/* A trunk without a native VLAN carries no untagged traffic. */
	if (f->vlan && f->vlan == vlan)
		return true;
	if (f->vlan_mode == CTL_VLAN_TRUNK)
		for (i = 0; i < f->n_trunk; i++)
			if (f->trunk[i] == vlan)
				return true;
	return false;
}

static int static_mac_cmp(const void *a, const void *b)
{
	const struct ctl_static_mac *x = a, *y = b;

	if (x->vlan != y->vlan)
		return x->vlan < y->vlan ? -1 : 1;
	return memcmp(x->mac, y->mac, 6);
}

static int load_l2switch(struct ld *ld, const char *at,
			 const struct raw_vnf *r, struct ctl_vnf_config *v)
{
	char sat[64];
	unsigned int i, j;
	int idx, rc;

	v->mac_table_size = 65536;
	v->aging_time = 300;
	if (GET_UINT(ld, at, "mac_table_size", r->mac_table_size, true, 16,
		     NFV_MAX_TABLE_SIZE, 65536, v->mac_table_size))
		return -EINVAL;
	if (GET_UINT(ld, at, "aging_time", r->aging_time, false, 0,
		     UINT32_MAX, 300, v->aging_time))
		return -EINVAL;
	if (r->static_macs_count) {
		v->static_macs = calloc(r->static_macs_count,
					sizeof(*v->static_macs));
		if (!v->static_macs)
			return ld_oom(ld);
	}
	for (i = 0; i < r->static_macs_count; i++) {
		const struct raw_static_mac *rs = &r->static_macs[i];
		struct ctl_static_mac *s = &v->static_macs[i];

		snprintf(sat, sizeof(sat), "%s.static_macs[%u]", at, i);
		v->n_static_macs = i + 1;
		if (!rs->mac)
			return ld_fail(ld, sat, "mac", "missing (required)");
		if (get_mac(ld, sat, "mac", rs->mac, false, s->mac))
			return -EINVAL;
		if (rs->vlan && GET_UINT(ld, sat, "vlan", rs->vlan, false, 0,
					 4094, 0, s->vlan))
			return -EINVAL;
		if (get_iface_ref(ld, sat, "iface", rs->iface, v, s->iface,
				  &idx))
			return -EINVAL;
		/* Left out, the VLAN is the iface's untagged one. */
		if (!rs->vlan)
			s->vlan = v->ifaces[idx].vlan;
		if (!rs->vlan && !iface_has_vlan(&v->ifaces[idx], s->vlan))
			return ld_fail(ld, sat, "vlan", "missing: iface %s is a "
				       "trunk without a native VLAN, so give "
				       "the VLAN", s->iface);
		if (!iface_has_vlan(&v->ifaces[idx], s->vlan))
			return ld_fail(ld, sat, "vlan",
				       "iface %s does not carry VLAN %u",
				       s->iface, s->vlan);
	}
	rc = find_dup(v->static_macs, v->n_static_macs, sizeof(*v->static_macs),
		      static_mac_cmp, &i, &j);
	if (rc == -ENOMEM)
		return ld_oom(ld);
	if (!rc) {
		snprintf(sat, sizeof(sat), "%s.static_macs[%u]", at, j);
		return ld_fail(ld, sat, "mac", "%s in VLAN %u is already in "
			       "static_macs[%u]", r->static_macs[j].mac,
			       v->static_macs[j].vlan, i);
	}
	return 0;
}

static int load_nexthop(struct ld *ld, const char *at, const char *via,
			const char *iface, const struct ctl_route_config *rt,
			const struct ctl_vnf_config *v, struct ctl_nexthop *nh)
{
	if (!via && !iface)
		return ld_fail(ld, at, NULL, "a next hop needs via, iface or "
			       "both");
	if (via) {
		char pfx[INET6_ADDRSTRLEN + 8];

		if (get_addr(ld, at, "via", via, &nh->via))
			return -EINVAL;
		nh->has_via = true;
		if (nh->via.family != rt->prefix.family) {
			prefix_str(&rt->prefix, true, pfx, sizeof(pfx));
			return ld_fail(ld, at, "via",
				       "%s is %s but the route's prefix %s is "
				       "%s", via, family_name(nh->via.family),
				       pfx, family_name(rt->prefix.family));
		}
	}
	if (iface && get_iface_ref(ld, at, "iface", iface, v, nh->iface, NULL))
		return -EINVAL;
	return 0;
}

static int load_route(struct ld *ld, const char *at, const struct raw_route *r,
		      const struct ctl_vnf_config *v,
		      struct ctl_route_config *rt)
{
	static const char *const types[] = {
		"unicast", "blackhole", "unreachable", NULL,
	};
	char nat[96];
	unsigned int i;
	bool nexthops;
	int t;

	if (!r->prefix)
		return ld_fail(ld, at, "prefix", "missing (required)");
	if (get_network(ld, at, "prefix", r->prefix, &rt->prefix))
		return -EINVAL;
	rt->type = CTL_ROUTE_UNICAST;
	if (r->type) {
		t = get_enum(ld, at, "type", r->type, types);
		if (t < 0)
			return t;
		rt->type = (enum ctl_route_type)t;
	}
	nexthops = ld_given(ld, at, "nexthops");
	if (rt->type != CTL_ROUTE_UNICAST) {
		const char *k = r->via ? "via" : r->iface ? "iface" :
				nexthops ? "nexthops" : NULL;

		if (k)
			return ld_fail(ld, at, k,
				       "not valid for a %s route", r->type);
		return 0;
	}
	if (nexthops && (r->via || r->iface))
		return ld_fail(ld, at, r->via ? "via" : "iface",
			       "give via/iface or nexthops, not both");
	if (nexthops && !r->nexthops_count)
		return ld_fail(ld, at, "nexthops", "must not be empty");
	if (!nexthops && !r->via && !r->iface)
		return ld_fail(ld, at, NULL,
			       "a unicast route needs via, iface or nexthops");
	rt->n_nh = nexthops ? r->nexthops_count : 1;
	rt->nh = calloc(rt->n_nh, sizeof(*rt->nh));
	if (!rt->nh) {
		rt->n_nh = 0;
		return ld_oom(ld);
	}
	if (!nexthops)
		return load_nexthop(ld, at, r->via, r->iface, rt, v, &rt->nh[0]);
	for (i = 0; i < rt->n_nh; i++) {
		snprintf(nat, sizeof(nat), "%s.nexthops[%u]", at, i);
		if (load_nexthop(ld, nat, r->nexthops[i].via,
				 r->nexthops[i].iface, rt, v, &rt->nh[i]))
			return -EINVAL;
	}
	return 0;
}

static int route_cmp(const void *a, const void *b)
{
	return prefix_cmp(&((const struct ctl_route_config *)a)->prefix,
			  &((const struct ctl_route_config *)b)->prefix);
}

static int neigh_cmp(const void *a, const void *b)
{
	const struct ctl_neigh_config *x = a, *y = b;
	int r = strcmp(x->iface, y->iface);

	return r ? r : prefix_cmp(&x->ip, &y->ip);
}

static int load_router(struct ld *ld, const char *at, const struct raw_vnf *r,
		       struct ctl_vnf_config *v)
{
	char rat[64], key[32];
	unsigned int i, j, k, l;
	int rc;

	/* The same address on two ifaces would make ARP/ND ambiguous. */
	for (i = 0; i < v->n_ifaces; i++)
		for (k = 0; k < v->ifaces[i].n_addrs; k++)
			for (j = 0; j < i; j++)
				for (l = 0; l < v->ifaces[j].n_addrs; l++) {
					const struct ctl_prefix *a, *b;
					char s[INET6_ADDRSTRLEN + 8];

					a = &v->ifaces[i].addrs[k];
					b = &v->ifaces[j].addrs[l];
					if (a->family != b->family ||
					    memcmp(a->addr, b->addr, 16))
						continue;
					snprintf(rat, sizeof(rat),
						 "%s.ifaces[%u]", at, i);
					snprintf(key, sizeof(key),
						 "address[%u]", k);
					prefix_str(a, false, s, sizeof(s));
					return ld_fail(ld, rat, key,
						       "%s is already on iface "
						       "%s", s,
						       v->ifaces[j].name);
				}

	if (r->routes_count) {
		v->routes = calloc(r->routes_count, sizeof(*v->routes));
		if (!v->routes)
			return ld_oom(ld);
	}
	for (i = 0; i < r->routes_count; i++) {
		struct ctl_route_config *rt = &v->routes[i];

		snprintf(rat, sizeof(rat), "%s.routes[%u]", at, i);
		v->n_routes = i + 1;
		if (load_route(ld, rat, &r->routes[i], v, rt))
			return -EINVAL;
	}
	rc = find_dup(v->routes, v->n_routes, sizeof(*v->routes), route_cmp,
		      &i, &j);
	if (rc == -ENOMEM)
		return ld_oom(ld);
	if (!rc) {
		snprintf(rat, sizeof(rat), "%s.routes[%u]", at, j);
		return ld_fail(ld, rat, "prefix", "%s is already routed by "
			       "routes[%u] (use nexthops for ECMP)",
			       r->routes[j].prefix, i);
	}

	if (r->neighbors_count) {
		v->neighbors = calloc(r->neighbors_count,
				      sizeof(*v->neighbors));
		if (!v->neighbors)
			return ld_oom(ld);
	}
	for (i = 0; i < r->neighbors_count; i++) {
		const struct raw_neigh *rn = &r->neighbors[i];
		struct ctl_neigh_config *n = &v->neighbors[i];

		snprintf(rat, sizeof(rat), "%s.neighbors[%u]", at, i);
		v->n_neighbors = i + 1;
		if (get_iface_ref(ld, rat, "iface", rn->iface, v, n->iface,
				  NULL))
			return -EINVAL;
		if (!rn->ip)
			return ld_fail(ld, rat, "ip", "missing (required)");
		if (get_addr(ld, rat, "ip", rn->ip, &n->ip))
			return -EINVAL;
		if (!rn->mac)
			return ld_fail(ld, rat, "mac", "missing (required)");
		if (get_mac(ld, rat, "mac", rn->mac, true, n->mac))
			return -EINVAL;
	}
	rc = find_dup(v->neighbors, v->n_neighbors, sizeof(*v->neighbors),
		      neigh_cmp, &i, &j);
	if (rc == -ENOMEM)
		return ld_oom(ld);
	if (!rc) {
		snprintf(rat, sizeof(rat), "%s.neighbors[%u]", at, j);
		return ld_fail(ld, rat, "ip", "%s on %s is already in "
			       "neighbors[%u]", r->neighbors[j].ip,
			       v->neighbors[j].iface, i);
	}

	/* Only the path is checked here: the file is read by the router when
	 * it is created (nfvd --check does not need it to exist), and its
	 * errors name FILE:LINE there. */
	if (r->routes_file) {
		if (!*r->routes_file)
			return ld_fail(ld, at, "routes_file",
				       "must not be empty");
		if (dup_str(ld, r->routes_file, &v->routes_file))
			return -ENOMEM;
	}
	return 0;
}

int ctl_parse_port_range(const char *s, uint16_t *lo, uint16_t *hi)
{
	const char *dash = strchr(s, '-');
	uint64_t a, b;
	char buf[16];

	if (!dash) {
		if (parse_u64(s, false, &a) || a > 65535)
			return -EINVAL;
		*lo = *hi = (uint16_t)a;
		return 0;
	}
	if ((size_t)(dash - s) >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, (size_t)(dash - s));
	buf[dash - s] = '\0';
	if (parse_u64(buf, false, &a) || parse_u64(dash + 1, false, &b) ||
	    a > 65535 || b > 65535)
		return -EINVAL;
	if (a > b)
		return -ERANGE;
	*lo = (uint16_t)a;
	*hi = (uint16_t)b;
	return 0;
}

static int get_port_range(struct ld *ld, const char *at, const char *key,
			  const char *s, uint16_t *lo, uint16_t *hi)
{
	int rc = ctl_parse_port_range(s, lo, hi);

	if (rc == -ERANGE)
		return ld_fail(ld, at, key,
			       "\"" CFG_QUOTE "\": the range is backwards", s);
	if (rc < 0)
		return ld_fail(ld, at, key,
			       "\"" CFG_QUOTE "\" is not a port (0..65535) or "
			       "a range \"LO-HI\"", s);
	return 0;
}

static int load_rule(struct ld *ld, const char *at, const struct raw_rule *r,
		     const struct ctl_vnf_config *v, struct ctl_rule_config *ru)
{
	static const char *const actions[] = {
		"allow", "allow-stateful", "drop", "reject", NULL,
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

	if (!r->action)
		return ld_fail(ld, at, "action",
			       "missing (required): one of allow, "
			       "allow-stateful, drop, reject");
	a = get_enum(ld, at, "action", r->action, actions);
	if (a < 0)
		return a;
	ru->action = (enum ctl_fw_action)a;

	ru->proto = 0;
	if (r->proto) {
		uint64_t n;

		for (i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
			if (!strcmp(r->proto, protos[i].name))
				break;
		if (i < sizeof(protos) / sizeof(protos[0])) {
			ru->proto = protos[i].proto;
		} else if (!parse_u64(r->proto, false, &n) && n <= 255) {
			ru->proto = (uint8_t)n;
		} else {
			return ld_fail(ld, at, "proto",
				       "\"" CFG_QUOTE "\" is not one of: tcp, "
				       "udp, icmp, icmpv6, any, or a protocol "
				       "number 0..255", r->proto);
		}
	}

	if (r->src) {
		if (get_network(ld, at, "src", r->src, &ru->src))
			return -EINVAL;
		ru->has_src = true;
		fam = ru->src.family;
	}
	if (r->dst) {
		if (get_network(ld, at, "dst", r->dst, &ru->dst))
			return -EINVAL;
		ru->has_dst = true;
		if (fam && fam != ru->dst.family)
			return ld_fail(ld, at, "dst",
				       "%s is %s but src %s is %s", r->dst,
				       family_name(ru->dst.family), r->src,
				       family_name(fam));
		fam = ru->dst.family;
	}
	if (fam && ((ru->proto == IPPROTO_ICMP && fam == AF_INET6) ||
		    (ru->proto == IPPROTO_ICMPV6 && fam == AF_INET)))
		return ld_fail(ld, at, "proto",
			       "%s does not match %s addresses", r->proto,
			       family_name(fam));

	ru->sport_lo = ru->dport_lo = 0;
	ru->sport_hi = ru->dport_hi = 65535;
	if ((r->sport || r->dport) && ru->proto != IPPROTO_TCP &&
	    ru->proto != IPPROTO_UDP && ru->proto != IPPROTO_SCTP)
		return ld_fail(ld, at, r->sport ? "sport" : "dport",
			       "ports need proto tcp or udp");
	if (r->sport && get_port_range(ld, at, "sport", r->sport,
				       &ru->sport_lo, &ru->sport_hi))
		return -EINVAL;
	if (r->dport && get_port_range(ld, at, "dport", r->dport,
				       &ru->dport_lo, &ru->dport_hi))
		return -EINVAL;
	if (r->iface && get_iface_ref(ld, at, "iface", r->iface, v,
				      ru->in_iface, NULL))
		return -EINVAL;
	return 0;
}

static int load_firewall(struct ld *ld, const char *at,
			 const struct raw_vnf *r, struct ctl_vnf_config *v)
{
	static const char *const defaults[] = { "allow", "drop", NULL };
	char rat[64];
	unsigned int i;

	v->default_action = CTL_FW_DROP;
	if (r->default_action) {
		int d = get_enum(ld, at, "default", r->default_action,
				 defaults);

		if (d < 0)
			return d;
		v->default_action = d == 0 ? CTL_FW_ALLOW : CTL_FW_DROP;
	}
	v->conn_table_size = 65536;
	if (GET_UINT(ld, at, "conn_table_size", r->conn_table_size, true, 16,
		     NFV_MAX_TABLE_SIZE, 65536, v->conn_table_size))
		return -EINVAL;
	if (r->rules_count) {
		v->rules = calloc(r->rules_count, sizeof(*v->rules));
		if (!v->rules)
			return ld_oom(ld);
	}
	for (i = 0; i < r->rules_count; i++) {
		snprintf(rat, sizeof(rat), "%s.rules[%u]", at, i);
		v->n_rules = i + 1;
		if (load_rule(ld, rat, &r->rules[i], v, &v->rules[i]))
			return -EINVAL;
	}
	return 0;
}

static int load_vnf(struct ld *ld, const char *at, const struct raw_vnf *r,
		    struct ctl_vnf_config *v)
{
	/* Keys that only some types take, with the type that takes them. */
	const struct {
		const char *key;
		bool given;
		enum vnf_kind kind;
	} keys[] = {
		{ "mac_table_size", r->mac_table_size, VNF_L2SWITCH },
		{ "aging_time", r->aging_time, VNF_L2SWITCH },
		{ "static_macs", ld_given(ld, at, "static_macs"),
		  VNF_L2SWITCH },
		{ "routes", ld_given(ld, at, "routes"), VNF_ROUTER },
		{ "neighbors", ld_given(ld, at, "neighbors"), VNF_ROUTER },
		{ "routes_file", r->routes_file, VNF_ROUTER },
		{ "default", r->default_action, VNF_FIREWALL },
		{ "rules", ld_given(ld, at, "rules"), VNF_FIREWALL },
		{ "conn_table_size", r->conn_table_size, VNF_FIREWALL },
	};
	char fat[64];
	unsigned int i, j, min;
	int kind;

	if (get_name(ld, at, "name", r->name, v->name))
		return -EINVAL;
	if (!r->type)
		return ld_fail(ld, at, "type", "missing (required): one of "
			       "l2switch, router, firewall");
	kind = get_enum(ld, at, "type", r->type, vnf_type_names);
	if (kind < 0)
		return kind;
	snprintf(v->type, sizeof(v->type), "%s", vnf_type_names[kind]);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (keys[i].given && keys[i].kind != (enum vnf_kind)kind)
			return ld_fail(ld, at, keys[i].key,
				       "not valid for a vnf of type %s",
				       v->type);

	min = kind == VNF_L2SWITCH ? 2 : 1;
	if (r->ifaces_count < min)
		return ld_fail(ld, at, "ifaces", "a %s needs at least %u "
			       "iface%s", v->type, min, min > 1 ? "s" : "");
	v->ifaces = calloc(r->ifaces_count, sizeof(*v->ifaces));
	if (!v->ifaces)
		return ld_oom(ld);
	for (i = 0; i < r->ifaces_count; i++) {
		snprintf(fat, sizeof(fat), "%s.ifaces[%u]", at, i);
		v->n_ifaces = i + 1;
		if (load_iface(ld, fat, (enum vnf_kind)kind, v->type,
			       &r->ifaces[i], &v->ifaces[i]))
			return -EINVAL;
		for (j = 0; j < i; j++)
			if (!strcmp(v->ifaces[j].name, v->ifaces[i].name))
				return ld_fail(ld, fat, "name",
					       "vnf %s already has an iface "
					       "named %s (ifaces[%u])", v->name,
					       v->ifaces[i].name, j);
	}

	switch ((enum vnf_kind)kind) {
	case VNF_L2SWITCH:
		return load_l2switch(ld, at, r, v);
	case VNF_ROUTER:
		return load_router(ld, at, r, v);
	case VNF_FIREWALL:
		return load_firewall(ld, at, r, v);
	}
	return 0;
}

/* Ports and VNFs share one namespace: an endpoint names either. */
static int check_names_unique(struct ld *ld, const struct ctl_config *cfg)
{
	unsigned int i, j;
	char at[32];

	for (i = 0; i < cfg->n_ports; i++)
		for (j = 0; j < i; j++)
			if (!strcmp(cfg->ports[i].name, cfg->ports[j].name)) {
				snprintf(at, sizeof(at), "ports[%u]", i);
				return ld_fail(ld, at, "name",
					       "\"%s\" is already the name of "
					       "ports[%u]", cfg->ports[i].name,
					       j);
			}
	for (i = 0; i < cfg->n_vnfs; i++) {
		snprintf(at, sizeof(at), "vnfs[%u]", i);
		for (j = 0; j < cfg->n_ports; j++)
			if (!strcmp(cfg->vnfs[i].name, cfg->ports[j].name))
				return ld_fail(ld, at, "name",
					       "\"%s\" is already the name of "
					       "ports[%u] (ports and vnfs share "
					       "names)", cfg->vnfs[i].name, j);
		for (j = 0; j < i; j++)
			if (!strcmp(cfg->vnfs[i].name, cfg->vnfs[j].name))
				return ld_fail(ld, at, "name",
					       "\"%s\" is already the name of "
					       "vnfs[%u]", cfg->vnfs[i].name, j);
	}
	return 0;
}

/* ---- links ---- */

static int find_port(const struct ctl_config *cfg, const char *name, size_t n)
{
	unsigned int i;

	for (i = 0; i < cfg->n_ports; i++)
		if (strlen(cfg->ports[i].name) == n &&
		    !strncmp(cfg->ports[i].name, name, n))
			return (int)i;
	return -1;
}

static int find_vnf(const struct ctl_config *cfg, const char *name, size_t n)
{
	unsigned int i;

	for (i = 0; i < cfg->n_vnfs; i++)
		if (strlen(cfg->vnfs[i].name) == n &&
		    !strncmp(cfg->vnfs[i].name, name, n))
			return (int)i;
	return -1;
}

static int resolve_endpoint(struct ld *ld, const char *at,
			    const struct ctl_config *cfg, const char *s,
			    struct ctl_endpoint *ep)
{
	const char *dot = strchr(s, '.');
	size_t n = dot ? (size_t)(dot - s) : strlen(s);
	int p, v, f;

	if (!*s)
		return ld_fail(ld, at, NULL, "empty endpoint: name a port or "
			       "VNF.IFACE");
	p = find_port(cfg, s, n);
	v = find_vnf(cfg, s, n);
	if (!dot) {
		if (p >= 0) {
			ep->is_port = true;
			ep->index = (unsigned int)p;
			return 0;
		}
		if (v >= 0)
			return ld_fail(ld, at, NULL,
				       "endpoint \"%s\": %s is a vnf; name one "
				       "of its ifaces as %s.IFACE", s, s, s);
		return ld_fail(ld, at, NULL,
			       "endpoint \"" CFG_QUOTE "\": no port or vnf "
			       "named " CFG_QUOTE, s, s);
	}
	if (p >= 0)
		return ld_fail(ld, at, NULL,
			       "endpoint \"%s\": %.*s is a port, which has no "
			       "ifaces", s, (int)n, s);
	if (v < 0)
		return ld_fail(ld, at, NULL,
			       "endpoint \"" CFG_QUOTE "\": no vnf named "
			       "%.*s", s, (int)(n > 64 ? 64 : n), s);
	f = find_iface(&cfg->vnfs[v], dot + 1);
	if (f < 0)
		return ld_fail(ld, at, NULL,
			       "endpoint \"" CFG_QUOTE "\": vnf %s has no "
			       "iface " CFG_QUOTE, s, cfg->vnfs[v].name,
			       dot + 1);
	ep->is_port = false;
	ep->index = (unsigned int)v;
	ep->iface = (unsigned int)f;
	return 0;
}

static bool endpoint_eq(const struct ctl_endpoint *a,
			const struct ctl_endpoint *b)
{
	return a->is_port == b->is_port && a->index == b->index &&
	       (a->is_port || a->iface == b->iface);
}

/*
 * Which link already uses an endpoint: one slot per port and per VNF iface
 * (ifaces of vnf v start at base[v]), holding link index + 1.
 */
struct link_use {
	unsigned int *slot;
	unsigned int *base;
	unsigned int n_ports;
};

static unsigned int *link_use_slot(struct link_use *u,
				   const struct ctl_endpoint *e)
{
	return e->is_port ? &u->slot[e->index] :
			    &u->slot[u->n_ports + u->base[e->index] + e->iface];
}

static int load_links(struct ld *ld, const struct raw_top *r,
		      struct ctl_config *cfg)
{
	struct link_use u = { .n_ports = cfg->n_ports };
	unsigned int i, e, n_slots = cfg->n_ports;
	char at[32];
	int rc = 0;

	if (!r->links_count)
		return 0;
	cfg->links = calloc(r->links_count, sizeof(*cfg->links));
	u.base = calloc(cfg->n_vnfs + 1, sizeof(*u.base));
	if (!cfg->links || !u.base) {
		rc = ld_oom(ld);
		goto out;
	}
	for (i = 0; i < cfg->n_vnfs; i++) {
		u.base[i] = n_slots - cfg->n_ports;
		n_slots += cfg->vnfs[i].n_ifaces;
	}
	u.slot = calloc(n_slots + 1, sizeof(*u.slot));
	if (!u.slot) {
		rc = ld_oom(ld);
		goto out;
	}
	for (i = 0; i < r->links_count; i++) {
		struct ctl_link_config *l = &cfg->links[i];
		struct ctl_endpoint *ep[2] = { &l->a, &l->b };

		snprintf(at, sizeof(at), "links[%u]", i);
		for (e = 0; e < 2; e++) {
			rc = resolve_endpoint(ld, at, cfg, r->links[i][e],
					      ep[e]);
			if (rc)
				goto out;
		}
		if (endpoint_eq(&l->a, &l->b)) {
			rc = ld_fail(ld, at, NULL,
				     "endpoint \"%s\" is linked to itself",
				     r->links[i][0]);
			goto out;
		}
		for (e = 0; e < 2; e++) {
			unsigned int *s = link_use_slot(&u, ep[e]);

			if (*s) {
				rc = ld_fail(ld, at, NULL,
					     "endpoint \"%s\" is already "
					     "linked by links[%u]",
					     r->links[i][e], *s - 1);
				goto out;
			}
			*s = i + 1;
		}
		cfg->n_links = i + 1;
	}
out:
	free(u.slot);
	free(u.base);
	return rc;
}

/* ---- libcyaml's log, turned into one line ---- */

/*
 * Collect libcyaml's error lines.  Each is cut to 200 bytes so that a long
 * key in the first line cannot push the backtrace out of the buffer.
 */
static void cy_log(cyaml_log_t level, void *ctx, const char *fmt,
		   va_list args)
{
	struct ld *ld = ctx;
	char line[200];
	size_t n;

	if (level < CYAML_LOG_ERROR)
		return;
	vsnprintf(line, sizeof(line), fmt, args);
	n = strlen(line);
	if (!n || ld->cylog_len + n + 2 > sizeof(ld->cylog))
		return;
	memcpy(ld->cylog + ld->cylog_len, line, n);
	ld->cylog_len += n;
	/* A cut line lost its newline; libcyaml's lines all have one. */
	if (line[n - 1] != '\n')
		ld->cylog[ld->cylog_len++] = '\n';
	ld->cylog[ld->cylog_len] = '\0';
}

/* libcyaml names types and events ("STRING", "SEQUENCE_START"). */
static const char *cy_kind_name(const char *ev)
{
	if (strstr(ev, "MAPPING"))
		return "mapping";
	if (strstr(ev, "SEQUENCE"))
		return "list";
	return "scalar";
}

/*
 * The keys the schema allows in the mapping at `path` ("vnfs[0].ifaces[1]"),
 * as "a, b, c", for the hint after "unknown key".
 */
static void cy_keys_at(const char *path, char *buf, size_t len)
{
	const cyaml_schema_value_t *v = &top_schema;
	const cyaml_schema_field_t *f;
	const char *p = path;
	size_t off = 0;

	*buf = '\0';
	while (*p) {
		size_t klen;

		if (*p == '.') {
			p++;
			continue;
		}
		if (*p == '[') {
			if (v->type != CYAML_SEQUENCE &&
			    v->type != CYAML_SEQUENCE_FIXED)
				return;
			v = v->sequence.entry;
			p += strcspn(p, "]");
			if (*p)
				p++;
			continue;
		}
		if (v->type != CYAML_MAPPING)
			return;
		klen = strcspn(p, ".[");
		for (f = v->mapping.fields; f->key; f++)
			if (strlen(f->key) == klen && !strncmp(f->key, p, klen))
				break;
		if (!f->key)
			return;
		v = &f->value;
		p += klen;
	}
	if (v->type != CYAML_MAPPING)
		return;
	for (f = v->mapping.fields; f->key && off < len; f++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
					off ? ", " : "", f->key);
}

/*
 * libcyaml logs "Load: <what>" and then "Load: Backtrace:" with one
 * "  in mapping field 'k' (line..)" / "  in sequence entry 'n' (line..)" /
 * "  in mapping (line..)" per level, innermost first.  A sequence entry's
 * number is the count of entries read so far, so the entry being read is
 * n - 1.  Rebuild "ports[1].mode" and a reason from that.
 */
static int cy_fail(struct ld *ld, cyaml_err_t rc)
{
	struct {
		enum { FR_MAPPING, FR_FIELD, FR_ENTRY } kind;
		unsigned int idx;
		char name[64];
	} fr[32];
	char *msg = NULL, *save, *l, *x;
	char path[256] = "", reason[300], key[128] = "";
	unsigned int nfr = 0, i, a, b, first = 0;
	bool key_msg, count_msg, empty = false;
	unsigned long line;
	size_t off = 0;

	for (l = strtok_r(ld->cylog, "\n", &save); l;
	     l = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(l, "Load: ", 6)) {
			if (strcmp(l, "Load: Backtrace:") && !msg)
				msg = l + 6;
			continue;
		}
		if (nfr == sizeof(fr) / sizeof(fr[0]))
			continue;
		if (sscanf(l, "  in mapping field '%63[^']'",
			   fr[nfr].name) == 1)
			fr[nfr++].kind = FR_FIELD;
		else if (sscanf(l, "  in sequence entry '%u'",
				&fr[nfr].idx) == 1)
			fr[nfr++].kind = FR_ENTRY;
		else if (!strncmp(l, "  in mapping (", 14))
			fr[nfr++].kind = FR_MAPPING;
	}

	/*
	 * For a key the innermost frame may be that same key's field; for a
	 * count the innermost frame is the sequence itself: drop them.
	 */
	key_msg = msg && (!strncmp(msg, "Unexpected key", 14) ||
			  !strncmp(msg, "Mapping field already", 21) ||
			  !strncmp(msg, "Missing required", 16));
	count_msg = msg && (!strncmp(msg, "Insufficient", 12) ||
			    !strncmp(msg, "Excessive", 9));
	if (nfr && ((key_msg && fr[0].kind == FR_FIELD) ||
		    (count_msg && fr[0].kind == FR_ENTRY)))
		first = 1;
	for (i = nfr; i-- > first;) {
		if (off >= sizeof(path))
			break;
		if (fr[i].kind == FR_MAPPING)
			continue;
		if (fr[i].kind == FR_ENTRY)
			off += (size_t)snprintf(path + off, sizeof(path) - off,
						"[%u]",
						fr[i].idx ? fr[i].idx - 1 : 0);
		else
			off += (size_t)snprintf(path + off, sizeof(path) - off,
						"%s%s", off ? "." : "",
						fr[i].name);
	}
	if (!count_msg && !key_msg) {
		yaml_node_t *n = ld_find(ld, path, &line);

		empty = n && n->type == YAML_SCALAR_NODE &&
			!n->data.scalar.length;
	}
	/* libcyaml's backtrace of an alias points before it: no path. */
	if (rc == CYAML_ERR_ALIAS)
		path[0] = '\0';

	if (rc == CYAML_ERR_ALIAS) {
		snprintf(reason, sizeof(reason),
			 "YAML aliases (*name) are not supported");
	} else if (!msg) {
		snprintf(reason, sizeof(reason), "%s", cyaml_strerror(rc));
	} else if (!strncmp(msg, "Unexpected key: ", 16)) {
		char keys[200];

		snprintf(key, sizeof(key), "%s", msg + 16);
		cy_keys_at(path, keys, sizeof(keys));
		snprintf(reason, sizeof(reason), "unknown key%s%s%s",
			 *key ? "" : " \"\"", *keys ? "; expected one of: " : "",
			 keys);
	} else if (sscanf(msg, "Mapping field already seen: %127[^\n]",
			  key) == 1) {
		snprintf(reason, sizeof(reason), "key given twice");
	} else if (sscanf(msg, "Missing required mapping field: %127[^\n]",
			  key) == 1) {
		snprintf(reason, sizeof(reason), "missing (required)");
	} else if (sscanf(msg, "Insufficient entries (%u of %u min)", &a,
			  &b) == 2) {
		snprintf(reason, sizeof(reason), "has %u entr%s, needs %u", a,
			 a == 1 ? "y" : "ies", b);
	} else if (sscanf(msg, "Excessive entries (%u max)", &a) == 1) {
		snprintf(reason, sizeof(reason), "has more than %u entries", a);
	} else if (!strncmp(msg, "Expecting ", 10) &&
		   (x = strstr(msg, ", got event: "))) {
		*x = '\0';
		snprintf(reason, sizeof(reason), "expected a %s, got a%s %s",
			 cy_kind_name(msg + 10), empty ? "n" : "",
			 empty ? "empty value" :
				 cy_kind_name(x + strlen(", got event: ")));
	} else {
		snprintf(reason, sizeof(reason), "%s", msg);
	}

	if (count_msg && !strncmp(path, "links[", 6) && !strchr(path, '.'))
		strncat(reason, " (a link joins exactly 2 endpoints)",
			sizeof(reason) - strlen(reason) - 1);
	return ld_fail(ld, path, *key ? key : NULL, "%s", reason);
}

/*
 * libcyaml's allocator.  libcyaml grows a sequence by one entry per
 * realloc; with an allocator that moves every time (ASan's does) loading
 * 100000 routes took minutes.  Keeping the capacity in a header and
 * doubling it on growth makes that linear everywhere.
 */
union cy_blk {
	size_t cap;
	max_align_t align;	/* the data after it stays aligned */
};

static void *cy_mem(void *ctx, void *ptr, size_t size)
{
	union cy_blk *b = ptr ? (union cy_blk *)ptr - 1 : NULL, *nb;
	size_t cap = size;

	(void)ctx;
	if (!size) {
		free(b);
		return NULL;
	}
	if (b && size <= b->cap)
		return ptr;
	if (b && b->cap * 2 > size)
		cap = b->cap * 2;
	if (cap > SIZE_MAX / 2 - sizeof(*b))
		return NULL;
	nb = realloc(b, sizeof(*b) + cap);
	if (!nb)
		return NULL;
	nb->cap = cap;
	return nb + 1;
}

/* ---- the whole file ---- */

static int ld_read(struct ld *ld, const char *path, char **buf, size_t *len)
{
	FILE *f;
	struct stat st;
	size_t n;
	int rc;

	f = fopen(path, "rb");
	if (!f) {
		rc = -errno;
		snprintf(ld->err, ld->errlen, "%s: %s", path, strerror(errno));
		ld_sanitize(ld->err);
		return rc ? rc : -EIO;
	}
	if (fstat(fileno(f), &st) || !S_ISREG(st.st_mode) ||
	    (uint64_t)st.st_size > CFG_FILE_MAX) {
		snprintf(ld->err, ld->errlen, "%s: not a regular file of at "
			 "most %u MiB", path, CFG_FILE_MAX >> 20);
		ld_sanitize(ld->err);
		fclose(f);
		return -EINVAL;
	}
	*buf = malloc((size_t)st.st_size + 1);
	if (!*buf) {
		fclose(f);
		return ld_oom(ld);
	}
	n = fread(*buf, 1, (size_t)st.st_size, f);
	fclose(f);
	(*buf)[n] = '\0';
	*len = n;
	return 0;
}

/*
 * A hint for the one syntax error users keep making: in flow style
 * ([...], {...}) a plain scalar cannot start with ':', so [::1] or
 * {prefix: ::/0} does not parse.
 */
static const char *ld_syntax_hint(const char *buf, size_t len, size_t line)
{
	const char *p = buf, *end = buf + len, *eol;

	for (; line && p < end; line--) {
		p = memchr(p, '\n', (size_t)(end - p));
		if (!p)
			return "";
		p++;
	}
	eol = memchr(p, '\n', (size_t)(end - p));
	if (!eol)
		eol = end;
	if (memmem(p, (size_t)(eol - p), "::", 2))
		return " (quote IPv6 addresses that start with \"::\" inside "
		       "[...] or {...}, like \"::/0\")";
	return "";
}

/* libyaml: syntax, emptiness, the top-level shape. */
static int ld_compose(struct ld *ld, const char *buf, size_t len)
{
	yaml_parser_t parser;
	yaml_document_t extra;
	yaml_node_t *root;
	int rc = 0;

	if (memchr(buf, '\0', len))
		return ld_fail(ld, NULL, NULL, "file holds a NUL byte: not a "
			       "YAML text file");
	if (!yaml_parser_initialize(&parser))
		return ld_oom(ld);
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	if (!yaml_parser_load(&parser, &ld->doc)) {
		if (ld->err && ld->errlen)
			snprintf(ld->err, ld->errlen,
				 "%s:%zu: YAML syntax error: %s%s%s%s",
				 ld->file, parser.problem_mark.line + 1,
				 parser.problem ? parser.problem : "unknown",
				 parser.context ? " " : "",
				 parser.context ? parser.context : "",
				 ld_syntax_hint(buf, len,
						parser.problem_mark.line));
		if (ld->err && ld->errlen)
			ld_sanitize(ld->err);
		rc = parser.error == YAML_MEMORY_ERROR ? -ENOMEM : -EINVAL;
		goto out;
	}
	ld->have_doc = true;
	root = yaml_document_get_root_node(&ld->doc);
	if (!root) {
		rc = ld_fail(ld, NULL, NULL, "empty file: expected a mapping "
			     "with dataplane, control, ports, vnfs, links");
		goto out;
	}
	if (root->type != YAML_MAPPING_NODE) {
		rc = ld_fail(ld, NULL, NULL, "the top level must be a mapping "
			     "(dataplane:, ports:, ...), not a %s",
			     root->type == YAML_SCALAR_NODE ? "scalar" : "list");
		goto out;
	}
	if (!yaml_parser_load(&parser, &extra)) {
		if (ld->err && ld->errlen)
			snprintf(ld->err, ld->errlen,
				 "%s:%zu: YAML syntax error: %s", ld->file,
				 parser.problem_mark.line + 1,
				 parser.problem ? parser.problem : "unknown");
		if (ld->err && ld->errlen)
			ld_sanitize(ld->err);
		rc = -EINVAL;
		goto out;
	}
	if (yaml_document_get_root_node(&extra)) {
		unsigned long line = extra.start_mark.line + 1;

		yaml_document_delete(&extra);
		if (ld->err && ld->errlen)
			snprintf(ld->err, ld->errlen, "%s:%lu: a second YAML "
				 "document: nfvd reads one", ld->file, line);
		rc = -EINVAL;
		goto out;
	}
	yaml_document_delete(&extra);
out:
	yaml_parser_delete(&parser);
	return rc;
}

void ctl_config_free(struct ctl_config *cfg)
{
	unsigned int i, j;

	if (!cfg)
		return;
	free(cfg->file);
	free(cfg->dataplane.lcores);
	free(cfg->dataplane.file_prefix);
	free(cfg->control.socket);
	for (i = 0; i < cfg->n_ports; i++) {
		struct ctl_port_config *p = &cfg->ports[i];

		free(p->path);
		free(p->ifname);
		free(p->netns);
		free(p->rx);
		free(p->tx);
		free(p->address);
	}
	free(cfg->ports);
	for (i = 0; i < cfg->n_vnfs; i++) {
		struct ctl_vnf_config *v = &cfg->vnfs[i];

		for (j = 0; j < v->n_ifaces; j++) {
			free(v->ifaces[j].addrs);
			free(v->ifaces[j].trunk);
		}
		free(v->ifaces);
		free(v->static_macs);
		for (j = 0; j < v->n_routes; j++)
			free(v->routes[j].nh);
		free(v->routes);
		free(v->neighbors);
		free(v->routes_file);
		free(v->rules);
	}
	free(cfg->vnfs);
	free(cfg->links);
	free(cfg);
}

static int ld_convert(struct ld *ld, const struct raw_top *r,
		      struct ctl_config *cfg)
{
	unsigned int i;
	char at[32];

	if (load_dataplane(ld, r->dataplane, cfg))
		return -EINVAL;
	if (load_control(ld, r->control, cfg))
		return -EINVAL;
	if (r->ports_count) {
		cfg->ports = calloc(r->ports_count, sizeof(*cfg->ports));
		if (!cfg->ports)
			return ld_oom(ld);
	}
	for (i = 0; i < r->ports_count; i++) {
		snprintf(at, sizeof(at), "ports[%u]", i);
		cfg->n_ports = i + 1;
		if (load_port(ld, at, &r->ports[i], &cfg->ports[i]))
			return -EINVAL;
	}
	if (check_ports_unique(ld, cfg))
		return -EINVAL;
	if (r->vnfs_count) {
		cfg->vnfs = calloc(r->vnfs_count, sizeof(*cfg->vnfs));
		if (!cfg->vnfs)
			return ld_oom(ld);
	}
	for (i = 0; i < r->vnfs_count; i++) {
		snprintf(at, sizeof(at), "vnfs[%u]", i);
		cfg->n_vnfs = i + 1;
		if (load_vnf(ld, at, &r->vnfs[i], &cfg->vnfs[i]))
			return -EINVAL;
	}
	if (check_names_unique(ld, cfg))
		return -EINVAL;
	return load_links(ld, r, cfg);
}

/*
 * Parse and validate a config held in buf (len bytes, need not be NUL
 * terminated).  `name` stands for the file in messages.  Takes buf over:
 * it is freed here.
 */
static int ctl_config_parse(const char *name, char *buf, size_t len,
			    struct ctl_config **out, char *err, size_t errlen)
{
	static char dummy[1];
	struct ld ld = {
		.file = name,
		.err = err && errlen ? err : dummy,
		.errlen = err && errlen ? errlen : sizeof(dummy),
	};
	cyaml_config_t cy = {
		.log_fn = cy_log,
		.log_ctx = &ld,
		.mem_fn = cy_mem,
		.log_level = CYAML_LOG_ERROR,
		/* Aliases are replayed by libcyaml: a few lines could expand
		 * into gigabytes ("billion laughs"). */
		.flags = CYAML_CFG_NO_ALIAS,
	};
	struct raw_top *raw = NULL;
	struct ctl_config *cfg = NULL;
	const char *path = name;
	cyaml_err_t cerr;
	int rc;

	*ld.err = '\0';
	rc = ld_compose(&ld, buf, len);
	if (rc)
		goto err_doc;

	cerr = cyaml_load_data((const uint8_t *)buf, len, &cy, &top_schema,
			       (cyaml_data_t **)&raw, NULL);
	if (cerr != CYAML_OK) {
		rc = cerr == CYAML_ERR_OOM ? ld_oom(&ld) : cy_fail(&ld, cerr);
		goto err_doc;
	}
	if (!raw) {
		rc = ld_fail(&ld, NULL, NULL, "empty file");
		goto err_doc;
	}

	cfg = calloc(1, sizeof(*cfg));
	if (!cfg) {
		rc = ld_oom(&ld);
		goto err_raw;
	}
	rc = dup_str(&ld, path, &cfg->file);
	if (!rc)
		rc = ld_convert(&ld, raw, cfg);
	if (rc)
		goto err_cfg;

	cyaml_free(&cy, &top_schema, raw, 0);
	yaml_document_delete(&ld.doc);
	free(buf);
	*out = cfg;
	return 0;

err_cfg:
	ctl_config_free(cfg);
err_raw:
	cyaml_free(&cy, &top_schema, raw, 0);
err_doc:
	if (ld.have_doc)
		yaml_document_delete(&ld.doc);
	free(buf);
	return rc;
}

int ctl_config_load(const char *path, struct ctl_config **out, char *err,
		    size_t errlen)
{
	static char dummy[1];
	struct ld ld = {
		.file = path,
		.err = err && errlen ? err : dummy,
		.errlen = err && errlen ? errlen : sizeof(dummy),
	};
	char *buf = NULL;
	size_t len = 0;
	int rc;

	if (!out)
		return -EINVAL;
	*out = NULL;
	*ld.err = '\0';
	if (!path)
		return ld_fail(&ld, NULL, NULL, "no config file given");
	rc = ld_read(&ld, path, &buf, &len);
	if (rc)
		return rc;
	return ctl_config_parse(path, buf, len, out, err, errlen);
}

int ctl_config_load_buffer(const char *name, const char *text, size_t len,
			   struct ctl_config **out, char *err, size_t errlen)
{
	char *buf;

	if (!out || !name || !text)
		return -EINVAL;
	*out = NULL;
	buf = malloc(len + 1);
	if (!buf) {
		if (err && errlen)
			snprintf(err, errlen, "%s: out of memory", name);
		return -ENOMEM;
	}
	memcpy(buf, text, len);
	buf[len] = '\0';
	return ctl_config_parse(name, buf, len, out, err, errlen);
}
