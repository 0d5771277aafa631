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
#include <sched.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cyaml/cyaml.h>
#include <yaml.h>

#include "control/config.h"
#include "control/files.h"

#define CFG_QUOTE CTL_CFG_QUOTE
/* No schema goes deeper than 8; a file nested 100000 levels deep made the
 * composer and libcyaml take minutes. */
#define CFG_DEPTH_MAX 32
/* DPDK's RTE_MAX_MEM_MB: EAL takes no more (the memseg lists). */
#define CFG_MEMORY_MAX (512u << 10)

/* ---- raw schema: what libcyaml fills in; every leaf is a string ---- */

struct raw_dataplane {
	char *workers, *memory, *hugepages, *lcores, *file_prefix, *mbufs;
	char *idle, *idle_sleep_max_us, *share_cpus;
};

struct raw_control {
	char *socket;
};

struct raw_port {
	char *name, *type, *path, *mode, *queues, *ring_size, *ifname, *netns;
	char *xdp_prog, *busy_budget;
	char *rx, *tx, *address, *mac;
};

/*
 * A vnfs[] entry and its ifaces: the common keys, then the VNF type's own
 * raw struct (ext), whose schema the type registers (struct ctl_vnf_type).
 * Each entry is loaded on its own, against the schema of its type.
 */
struct raw_iface {
	char *name;
	max_align_t ext[];
};

struct raw_vnf {
	char *name, *type;
	struct raw_iface *ifaces;	/* entries of vnf_schema's iface stride */
	unsigned int ifaces_count;
	max_align_t ext[];
};

struct raw_top {
	struct raw_dataplane *dataplane;
	struct raw_control *control;
	struct raw_port *ports;
	unsigned int ports_count;
	char ***links;		/* each a char *[2] */
	unsigned int links_count;
};

#define OPT CTL_CFG_OPT
#define STR CTL_CFG_STR
#define SEQ CTL_CFG_SEQ

const cyaml_schema_value_t ctl_cfg_str_schema = {
	CYAML_VALUE_STRING(CYAML_FLAG_POINTER, char, 0, CYAML_UNLIMITED),
};
#define str_schema ctl_cfg_str_schema

static const cyaml_schema_field_t dataplane_fields[] = {
	STR("workers", struct raw_dataplane, workers),
	STR("memory", struct raw_dataplane, memory),
	STR("hugepages", struct raw_dataplane, hugepages),
	STR("lcores", struct raw_dataplane, lcores),
	STR("file_prefix", struct raw_dataplane, file_prefix),
	STR("mbufs", struct raw_dataplane, mbufs),
	STR("idle", struct raw_dataplane, idle),
	STR("idle_sleep_max_us", struct raw_dataplane, idle_sleep_max_us),
	STR("share_cpus", struct raw_dataplane, share_cpus),
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
	STR("xdp_prog", struct raw_port, xdp_prog),
	STR("busy_budget", struct raw_port, busy_budget),
	CYAML_FIELD_END
};

static const cyaml_schema_value_t port_schema = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct raw_port, port_fields),
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
	/* Each entry is read against its type's schema: load_vnfs(). */
	CYAML_FIELD_IGNORE("vnfs", CYAML_FLAG_OPTIONAL),
	SEQ("links", struct raw_top, links, &link_schema, NFV_MAX_LINKS),
	/* Validated by nfvctl lab (control/lab_file.c), not by nfvd. */
	CYAML_FIELD_IGNORE("guests", CYAML_FLAG_OPTIONAL),
	CYAML_FIELD_IGNORE("lab", CYAML_FLAG_OPTIONAL),
	CYAML_FIELD_END
};

static const cyaml_schema_value_t top_schema = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_POINTER, struct raw_top, top_fields),
};

/* ---- the load context and error reporting ---- */

struct ctl_cfg {
	const char *file;	/* as named by the caller, for messages */
	char *err;
	size_t errlen;
	const char *buf;	/* the text the document was composed from */
	size_t buf_len;
	bool buf_ascii;		/* no byte above 0x7f: marks are offsets */
	yaml_document_t doc;
	bool have_doc;
	bool no_lines;		/* a request: "NAME: KEY: reason" */
	unsigned long line;	/* a route file's line: fixed, else 0 */
	unsigned long fail_line; /* the line of the last error, 0: none */
	bool redact;		/* a file nfvd was told to read: no values */
	char cylog[4096];	/* libcyaml's error log, newline separated */
	size_t cylog_len;
	/* The libcyaml load in progress: its schema and where it sits. */
	const cyaml_schema_value_t *cy_root;
	char cy_at[32];		/* "vnfs[3]" for an entry, "" for the file */
	const struct ctl_vnf_type *cy_type;
	char errbuf[1];		/* err when the caller gave none */
};

/*
 * The node at `path` ("ports[1].mode") in the composed document, or NULL
 * when it is not there; *line (1-based) is the line of the path or of the
 * deepest part of it that exists, 0 when unknown.  The line of a key, not
 * of its value: in block style the value may start a line later.
 */
static yaml_node_t *ld_find(struct ctl_cfg *ld, const char *path,
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
bool ctl_cfg_given(struct ctl_cfg *ld, const char *at, const char *key)
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
 * A file nfvd was told to read may be any file it can open (`route add`
 * with "file": "/etc/shadow"), so a message about it shows none of its
 * bytes.  Every value a parser echoes is quoted by the format itself
 * ("\"" CFG_QUOTE "\"" or "\"%s\""): each such conversion is rewritten to
 * print nothing, with "..." between the quotes.  (Blanking the quotes of
 * the formatted message instead let a value that holds a '"' through:
 * `a"secret` showed `"..."secret"`.)  Returns fmt rewritten into buf, or
 * fmt itself when it quotes nothing or does not fit.
 */
static const char *
redact_fmt(const char *fmt, char *buf, size_t size)
{
	static const char blank[] = "\"%.0s...\"";
	const char *p = fmt, *q;
	size_t o = 0;
	bool any = false;

	while (*p != '\0') {
		if (o + sizeof(blank) >= size)
			return fmt;
		if (p[0] == '"' && p[1] == '%') {
			/* Flags, width and precision; no '*' (an extra
			 * argument) is ever used in a quote. */
			for (q = p + 2;
			     *q != '\0' && strchr("-+ #.0123456789", *q); q++)
				;
			if (q[0] == 's' && q[1] == '"') {
				memcpy(buf + o, blank, sizeof(blank) - 1);
				o += sizeof(blank) - 1;
				p = q + 2;
				any = true;
				continue;
			}
		}
		buf[o++] = *p++;
	}
	buf[o] = '\0';
	return any ? buf : fmt;
}

/*
 * What a helper formatted before the message was made can still quote a
 * value: blank what the message quotes ("x" becomes "..."), and replace
 * what is not printable ASCII, so that the message is valid UTF-8 (a JSON
 * string) whatever the file held.
 */
static void redact_quoted(char *s)
{
	char *q, *end, *t;

	for (t = s; *t; t++)
		if ((unsigned char)*t > 0x7e)
			*t = '?';

	while ((q = strchr(s, '"')) && (end = strchr(q + 1, '"'))) {
		size_t n = (size_t)(end - q - 1);

		if (n < 3) {	/* never longer than it was */
			memset(q + 1, '.', n);
			s = end + 1;
			continue;
		}
		memcpy(q + 1, "...", 3);
		memmove(q + 4, end, strlen(end) + 1);
		s = q + 5;
	}
}

/*
 * Write "FILE:LINE: AT.KEY: reason" into ld->err and return -EINVAL.  `at`
 * is the object's path ("" for the top level), `key` the key inside it
 * (NULL: the object itself).
 */
int ctl_cfg_fail(struct ctl_cfg *ld, const char *at, const char *key, const char *fmt, ...)
{
	char path[256], reason[512], rfmt[512];
	unsigned long line;
	va_list ap;

	if (at && *at && key)
		snprintf(path, sizeof(path), "%s.%s", at, key);
	else
		snprintf(path, sizeof(path), "%s", key ? key : at ? at : "");
	if (ld->redact)
		fmt = redact_fmt(fmt, rfmt, sizeof(rfmt));
	va_start(ap, fmt);
	/* fmt is a caller's literal, or that literal redacted. */
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	if (ld->redact)
		redact_quoted(reason);
	ld_find(ld, path, &line);
	if (ld->line)
		line = ld->line;
	if (ld->no_lines)
		line = 0;
	ld->fail_line = line;
	if (!ld->err || !ld->errlen)
		return -EINVAL;
	/* A request's errors read like the control server's own ones:
	 * "KEY: reason" (ctl_req_*()). */
	if (ld->no_lines && *path)
		snprintf(ld->err, ld->errlen, "%s: %s", path, reason);
	else if (ld->no_lines)
		snprintf(ld->err, ld->errlen, "%s", reason);
	else if (line && *path)
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

int ctl_cfg_oom(struct ctl_cfg *ld)
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

int ctl_cfg_uint(struct ctl_cfg *ld, const char *at, const char *key,
		    const char *s, bool suffix, uint64_t min, uint64_t max,
		    uint64_t *out)
{
	uint64_t v;
	int rc;

	rc = parse_u64(s, suffix, &v);
	if (rc == -EINVAL)
		return ctl_cfg_fail(ld, at, key, "\"" CFG_QUOTE "\" is not a %s", s,
			       suffix ? "number (suffixes: k, M, G)" :
					"number");
	if (rc || v < min || v > max)
		return ctl_cfg_fail(ld, at, key,
			       CFG_QUOTE " is out of range %" PRIu64
			       "..%" PRIu64, s, min, max);
	*out = v;
	return 0;
}


/* Index of `s` in the NULL-terminated `names`, else an error listing them. */
int ctl_cfg_enum(struct ctl_cfg *ld, const char *at, const char *key,
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
	return ctl_cfg_fail(ld, at, key, "\"" CFG_QUOTE "\" is not one of: %s", s,
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

void ctl_prefix_str(const struct ctl_prefix *p, bool with_len, char *buf,
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

const char *ctl_family_name(uint8_t family)
{
	return family == AF_INET ? "IPv4" : "IPv6";
}

/* An address with an optional length ("10.0.0.1/24"). */
int ctl_cfg_prefix(struct ctl_cfg *ld, const char *at, const char *key,
		      const char *s, struct ctl_prefix *p)
{
	if (ctl_parse_prefix(s, p))
		return ctl_cfg_fail(ld, at, key,
			       "\"" CFG_QUOTE "\" is not an IPv4 or IPv6 "
			       "address with an optional /length", s);
	return 0;
}

/* A network: host bits must be clear, so "10.0.0.1/8" is a typo. */
int ctl_cfg_network(struct ctl_cfg *ld, const char *at, const char *key,
		       const char *s, struct ctl_prefix *p)
{
	char net[INET6_ADDRSTRLEN + 8];
	struct ctl_prefix m;
	unsigned int i;

	if (ctl_cfg_prefix(ld, at, key, s, p))
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
	ctl_prefix_str(&m, true, net, sizeof(net));
	return ctl_cfg_fail(ld, at, key,
		       "\"" CFG_QUOTE "\" has host bits set (did you mean %s?)",
		       s, net);
}

/* A bare address: a gateway or a neighbor. */
int ctl_cfg_addr(struct ctl_cfg *ld, const char *at, const char *key,
		    const char *s, struct ctl_prefix *p)
{
	if (strchr(s, '/'))
		return ctl_cfg_fail(ld, at, key,
			       "\"" CFG_QUOTE "\" must be an address without "
			       "a /length", s);
	if (ctl_parse_prefix(s, p))
		return ctl_cfg_fail(ld, at, key,
			       "\"" CFG_QUOTE "\" is not an IPv4 or IPv6 "
			       "address", s);
	return 0;
}

int ctl_cfg_mac(struct ctl_cfg *ld, const char *at, const char *key,
		   const char *s, bool unicast, uint8_t mac[6])
{
	static const uint8_t zero[6];

	if (ctl_parse_mac(s, mac))
		return ctl_cfg_fail(ld, at, key,
			       "\"" CFG_QUOTE "\" is not a MAC address "
			       "(like 02:00:00:00:00:01)", s);
	if (unicast && (mac[0] & 1))
		return ctl_cfg_fail(ld, at, key,
			       "%s is a multicast MAC; an interface needs a "
			       "unicast one", s);
	if (unicast && !memcmp(mac, zero, 6))
		return ctl_cfg_fail(ld, at, key, "the zero MAC is not valid here");
	return 0;
}

/* Names become endpoint parts ("vnf.iface") and appear in nfvctl output. */
int ctl_cfg_name(struct ctl_cfg *ld, const char *at, const char *key,
		    const char *s, char name[CTL_NAME_MAX])
{
	size_t i, len;

	if (!s)
		return ctl_cfg_fail(ld, at, key, "missing (required)");
	len = strlen(s);
	if (!len)
		return ctl_cfg_fail(ld, at, key, "must not be empty");
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' &&
		    s[i] != '-')
			break;
	if (i < len || len >= CTL_NAME_MAX || s[0] == '-')
		return ctl_cfg_fail(ld, at, key,
			       "\"" CFG_QUOTE "\" is not a valid name: use "
			       "letters, digits, '_' and '-', at most %d", s,
			       CTL_NAME_MAX - 1);
	memcpy(name, s, len + 1);
	return 0;
}

static int dup_str(struct ctl_cfg *ld, const char *s, char **out)
{
	*out = strdup(s);
	return *out ? 0 : ctl_cfg_oom(ld);
}

/* A socket path must fit sockaddr_un.sun_path with its NUL. */
static int check_sock_path(struct ctl_cfg *ld, const char *at, const char *key,
			   const char *s)
{
	struct sockaddr_un sun;

	if (!*s)
		return ctl_cfg_fail(ld, at, key, "must not be empty");
	if (strlen(s) >= sizeof(sun.sun_path))
		return ctl_cfg_fail(ld, at, key,
			       "socket path is %zu bytes, longer than the %zu "
			       "that fit a UNIX socket address", strlen(s),
			       sizeof(sun.sun_path) - 1);
	return 0;
}

/*
 * A path or name that nfvd passes inside DPDK device arguments: one with
 * a ',' would add driver options of its own ("x.pcap,infinite_rx=1"), and
 * a vhost-user "path" with one made the driver remove the file before the
 * comma.  Refused here and again where the arguments are built.
 */
static int
check_devarg(struct ctl_cfg *ld, const char *at, const char *key, const char *s)
{
	char why[160];

	if (ctl_devarg_check(s, why, sizeof(why)))
		return ctl_cfg_fail(ld, at, key, "\"" CFG_QUOTE "\" %s", s, why);
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

int ctl_cfg_find_dup(const void *base, unsigned int n, size_t size,
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

int ctl_prefix_cmp(const struct ctl_prefix *a, const struct ctl_prefix *b)
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

/* In enum ctl_idle_mode's order. */
static const char *const idle_modes[] = { "poll", "sleep", "interrupt", NULL };

const char *ctl_idle_mode_name(enum ctl_idle_mode m)
{
	return (unsigned int)m < sizeof(idle_modes) / sizeof(idle_modes[0]) - 1 ?
		       idle_modes[m] :
		       "?";
}

static int load_dataplane(struct ctl_cfg *ld, const struct raw_dataplane *r,
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
	cfg->dataplane.idle = CTL_IDLE_POLL;
	cfg->dataplane.idle_sleep_max_us = CTL_IDLE_SLEEP_MAX_DEFAULT;
	if (!r)
		return 0;
	if (CTL_CFG_UINT(ld, at, "workers", r->workers, false, 1,
			 NFV_MAX_WORKERS, 1, cfg->dataplane.workers))
		return -EINVAL;
	if (r->memory) {
		rc = memory_parse(r->memory, &mib);
		if (rc == -EINVAL)
			return ctl_cfg_fail(ld, at, "memory",
				       "\"" CFG_QUOTE "\" is not a size in MiB "
				       "(like 512, 512M or 2G)", r->memory);
		if (rc || mib < 64 || mib > CFG_MEMORY_MAX)
			return ctl_cfg_fail(ld, at, "memory",
				       CFG_QUOTE " is out of range 64..%u MiB",
				       r->memory, CFG_MEMORY_MAX);
		cfg->dataplane.memory = (unsigned int)mib;
	}
	if (r->hugepages) {
		for (rc = 0; huge_alias[rc]; rc++)
			if (!strcasecmp(r->hugepages, huge_alias[rc]))
				break;
		if (huge_alias[rc]) {
			cfg->dataplane.hugepages = rc < 2;
		} else {
			rc = ctl_cfg_enum(ld, at, "hugepages", r->hugepages, huge);
			if (rc < 0)
				return rc;
			cfg->dataplane.hugepages = rc == 0 ? -1 : rc == 1;
		}
	}
	if (r->lcores) {
		if (!lcores_valid(r->lcores))
			return ctl_cfg_fail(ld, at, "lcores",
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
			return ctl_cfg_fail(ld, at, "file_prefix",
				       "\"" CFG_QUOTE "\" is not a valid file "
				       "prefix: use letters, digits, '_', '-' "
				       "and '.', at most 64", s);
		if (dup_str(ld, s, &cfg->dataplane.file_prefix))
			return -ENOMEM;
	}
	if (CTL_CFG_UINT(ld, at, "mbufs", r->mbufs, true, 512, 1u << 26, 0,
		     cfg->dataplane.mbufs))
		return -EINVAL;
	if (r->idle) {
		rc = ctl_cfg_enum(ld, at, "idle", r->idle, idle_modes);
		if (rc < 0)
			return rc;
		cfg->dataplane.idle = (enum ctl_idle_mode)rc;
	}
	if (CTL_CFG_UINT(ld, at, "idle_sleep_max_us", r->idle_sleep_max_us,
			 false, 1, CTL_IDLE_SLEEP_MAX_LIMIT,
			 CTL_IDLE_SLEEP_MAX_DEFAULT,
			 cfg->dataplane.idle_sleep_max_us))
		return -EINVAL;
	if (r->share_cpus) {
		static const char *const bools[] = { "true", "false", NULL };

		rc = ctl_cfg_enum(ld, at, "share_cpus", r->share_cpus, bools);
		if (rc < 0)
			return rc;
		cfg->dataplane.share_cpus = rc == 0;
	}
	return 0;
}

static int load_control(struct ctl_cfg *ld, const struct raw_control *r,
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
	PK_XDP = 1 << 10, /* af_xdp: xdp_prog, busy_budget */
};

/* Indexed by enum ctl_port_type; the order of names[] below. */
static const unsigned int port_keys[] = {
	[CTL_PORT_VHOST_USER] = PK_PATH | PK_MODE | PK_QUEUES | PK_RING,
	[CTL_PORT_VIRTIO_USER] = PK_PATH | PK_QUEUES | PK_RING | PK_MAC,
	[CTL_PORT_PCAP] = PK_RX | PK_TX,
	[CTL_PORT_TAP] = PK_IFNAME | PK_NETNS | PK_MAC,
	[CTL_PORT_AF_PACKET] = PK_IFNAME | PK_QUEUES,
	[CTL_PORT_AF_XDP] = PK_IFNAME | PK_QUEUES | PK_XDP,
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

static int load_port(struct ctl_cfg *ld, const char *at, const struct raw_port *r,
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
		{ "xdp_prog", r->xdp_prog, PK_XDP },
		{ "busy_budget", r->busy_budget, PK_XDP },
	};
	static const char *const modes[] = { "server", "client", NULL };
	unsigned int i, allowed;
	int t;

	if (ctl_cfg_name(ld, at, "name", r->name, p->name))
		return -EINVAL;
	if (!r->type)
		return ctl_cfg_fail(ld, at, "type",
			       "missing (required): one of vhost-user, "
			       "virtio-user, pcap, tap, af_packet, af_xdp, pci");
	t = ctl_cfg_enum(ld, at, "type", r->type, port_type_names);
	if (t < 0)
		return t;
	p->type = (enum ctl_port_type)t;
	allowed = port_keys[t];
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (keys[i].val && !(allowed & keys[i].bit))
			return ctl_cfg_fail(ld, at, keys[i].key,
				       "not valid for a port of type %s",
				       r->type);

	p->queues = 1;
	p->ring_size = 1024;
	if (CTL_CFG_UINT(ld, at, "queues", r->queues, false, 1, NFV_MAX_QUEUES,
			 1, p->queues))
		return -EINVAL;
	if (CTL_CFG_UINT(ld, at, "ring_size", r->ring_size, false, 64, 4096, 1024,
		     p->ring_size))
		return -EINVAL;
	if (p->ring_size & (p->ring_size - 1))
		return ctl_cfg_fail(ld, at, "ring_size",
			       "%u is not a power of two", p->ring_size);
	if (r->mode) {
		int m = ctl_cfg_enum(ld, at, "mode", r->mode, modes);

		if (m < 0)
			return m;
		p->client = m == 1;
	}
	if (r->mac && ctl_cfg_mac(ld, at, "mac", r->mac, true, p->mac))
		return -EINVAL;
	p->has_mac = r->mac != NULL;

	switch (p->type) {
	case CTL_PORT_VHOST_USER:
	case CTL_PORT_VIRTIO_USER:
		if (!r->path)
			return ctl_cfg_fail(ld, at, "path",
				       "missing (required for a %s port)",
				       r->type);
		if (check_sock_path(ld, at, "path", r->path) ||
		    check_devarg(ld, at, "path", r->path))
			return -EINVAL;
		if (dup_str(ld, r->path, &p->path))
			return -ENOMEM;
		break;
	case CTL_PORT_PCAP:
		if (!r->rx && !r->tx)
			return ctl_cfg_fail(ld, at, NULL,
				       "a pcap port needs rx, tx or both");
		if (r->rx && !*r->rx)
			return ctl_cfg_fail(ld, at, "rx", "must not be empty");
		if (r->tx && !*r->tx)
			return ctl_cfg_fail(ld, at, "tx", "must not be empty");
		if (r->rx && check_devarg(ld, at, "rx", r->rx))
			return -EINVAL;
		if (r->tx && check_devarg(ld, at, "tx", r->tx))
			return -EINVAL;
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
			return ctl_cfg_fail(ld, at, "ifname",
				       "missing (required for a %s port)",
				       r->type);
		if (!ifn && strlen(p->name) >= IFNAMSIZ)
			return ctl_cfg_fail(ld, at, "name",
				       "\"%s\" is too long for a kernel "
				       "interface name (at most %d); set ifname",
				       p->name, IFNAMSIZ - 1);
		if (!ifn)
			ifn = p->name;
		/* ',' and '=' would add options to the driver's device
		 * arguments (iface=NAME,...). */
		if (!*ifn || strlen(ifn) >= IFNAMSIZ || strchr(ifn, '/') ||
		    strpbrk(ifn, " \t:,=") || !strcmp(ifn, ".") ||
		    !strcmp(ifn, "..") || ctl_devarg_check(ifn, NULL, 0))
			return ctl_cfg_fail(ld, at, "ifname",
				       "\"" CFG_QUOTE "\" is not a valid "
				       "kernel interface name (1..%d "
				       "characters, no '/', ':', ',', '=' or "
				       "spaces)",
				       ifn, IFNAMSIZ - 1);
		if (dup_str(ld, ifn, &p->ifname))
			return -ENOMEM;
		/* The XDP program is loaded by DPDK's af_xdp driver (its
		 * xdp_prog= argument): only the path is checked here. */
		if (r->xdp_prog) {
			char why[128];

			if (ctl_devarg_check(r->xdp_prog, why, sizeof(why)))
				return ctl_cfg_fail(ld, at, "xdp_prog",
					       "\"" CFG_QUOTE "\" %s",
					       r->xdp_prog, why);
			if (dup_str(ld, r->xdp_prog, &p->xdp_prog))
				return -ENOMEM;
		}
		if (CTL_CFG_UINT(ld, at, "busy_budget", r->busy_budget, false,
				 0, 65535, 0, p->busy_budget))
			return -EINVAL;
		p->has_busy_budget = r->busy_budget != NULL;
		if (r->netns) {
			if (!*r->netns || strchr(r->netns, '/') ||
			    !strcmp(r->netns, ".") || !strcmp(r->netns, "..") ||
			    strlen(r->netns) > 64)
				return ctl_cfg_fail(ld, at, "netns",
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
			return ctl_cfg_fail(ld, at, "address",
				       "missing (required for a pci port)");
		if (pci_parse(r->address, bdf))
			return ctl_cfg_fail(ld, at, "address",
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
static int check_ports_unique(struct ctl_cfg *ld, const struct ctl_config *cfg)
{
	unsigned int i, j;
	char at[32];

	for (i = 0; i < cfg->n_ports; i++) {
		const struct ctl_port_config *a = &cfg->ports[i];

		snprintf(at, sizeof(at), "ports[%u]", i);
		if (a->path && !strcmp(a->path, cfg->control.socket))
			return ctl_cfg_fail(ld, at, "path",
				       "\"%s\" is also control.socket", a->path);
		for (j = 0; j < i; j++) {
			const struct ctl_port_config *b = &cfg->ports[j];

			if (a->path && b->path && !strcmp(a->path, b->path))
				return ctl_cfg_fail(ld, at, "path",
					       "\"%s\" is already the path of "
					       "port %s", a->path, b->name);
			if (a->ifname && b->ifname &&
			    !strcmp(a->ifname, b->ifname) &&
			    !(a->netns || b->netns))
				return ctl_cfg_fail(ld, at, "ifname",
					       "\"%s\" is already used by port "
					       "%s", a->ifname, b->name);
			if (a->address && b->address &&
			    !strcmp(a->address, b->address))
				return ctl_cfg_fail(ld, at, "address",
					       "%s is already used by port %s",
					       a->address, b->name);
			if (a->tx && b->tx && !strcmp(a->tx, b->tx))
				return ctl_cfg_fail(ld, at, "tx",
					       "\"%s\" is already written by "
					       "port %s", a->tx, b->name);
		}
	}
	return 0;
}

/* ---- VNFs ---- */

/*
 * The registered VNF types, in registration order.  Written by
 * constructors before main(), read-only afterwards.
 */
static struct ctl_vnf_type *vnf_types, *vnf_types_tail;

void ctl_vnf_type_register(struct ctl_vnf_type *t)
{
	if (ctl_vnf_type_lookup(t->type))
		return;
	t->next = NULL;
	if (vnf_types_tail)
		vnf_types_tail->next = t;
	else
		vnf_types = t;
	vnf_types_tail = t;
}

const struct ctl_vnf_type *ctl_vnf_type_first(void)
{
	return vnf_types;
}

const struct ctl_vnf_type *ctl_vnf_type_lookup(const char *type)
{
	const struct ctl_vnf_type *t;

	for (t = vnf_types; t && type; t = t->next)
		if (!strcmp(t->type, type))
			return t;
	return NULL;
}

/* "l2switch, router, firewall": the types, for messages. */
static void vnf_type_list(char *buf, size_t len)
{
	const struct ctl_vnf_type *t;
	size_t off = 0;

	*buf = '\0';
	for (t = vnf_types; t && off < len; t = t->next)
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
					off ? ", " : "", t->type);
}

static bool fields_have(const cyaml_schema_field_t *f, const char *key)
{
	for (; f && f->key; f++)
		if (!strcmp(f->key, key))
			return true;
	return false;
}

/*
 * A key that `self` does not take but another type does, in the entry
 * (rel "") or in an iface (rel "ifaces[N]"): that type's name, else NULL.
 */
static const char *vnf_type_taking(const struct ctl_vnf_type *self,
				   const char *rel, const char *key)
{
	const struct ctl_vnf_type *t;
	bool iface;

	if (!self)
		return NULL;
	if (!*rel)
		iface = false;
	else if (!strncmp(rel, "ifaces[", 7) && !strchr(rel, '.'))
		iface = true;
	else
		return NULL;
	for (t = vnf_types; t; t = t->next)
		if (t != self &&
		    fields_have(iface ? t->iface_fields : t->fields, key))
			return self->type;
	return NULL;
}

static int find_iface(const struct ctl_vnf_config *v, const char *name)
{
	unsigned int i;

	for (i = 0; i < v->n_ifaces; i++)
		if (!strcmp(v->ifaces[i].name, name))
			return (int)i;
	return -1;
}

/* An `iface:` key naming one of this VNF's ifaces. */
int ctl_cfg_iface_ref(struct ctl_cfg *ld, const char *at, const char *key,
			 const char *s, const struct ctl_vnf_config *v,
			 char name[CTL_NAME_MAX], int *idx)
{
	int i;

	if (!s)
		return ctl_cfg_fail(ld, at, key, "missing (required)");
	i = find_iface(v, s);
	if (i < 0) {
		ctl_cfg_fail(ld, at, key, "vnf %s has no iface \"" CFG_QUOTE "\"",
			     v->name, s);
		return -ENOENT;
	}
	snprintf(name, CTL_NAME_MAX, "%s", s);
	if (idx)
		*idx = i;
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

int ctl_cfg_port_range(struct ctl_cfg *ld, const char *at, const char *key,
			  const char *s, uint16_t *lo, uint16_t *hi)
{
	int rc = ctl_parse_port_range(s, lo, hi);

	if (rc == -ERANGE)
		return ctl_cfg_fail(ld, at, key,
			       "\"" CFG_QUOTE "\": the range is backwards", s);
	if (rc < 0)
		return ctl_cfg_fail(ld, at, key,
			       "\"" CFG_QUOTE "\" is not a port (0..65535) or "
			       "a range \"LO-HI\"", s);
	return 0;
}

static int check_names_unique(struct ctl_cfg *ld, const struct ctl_config *cfg)
{
	unsigned int i, j;
	char at[32];

	for (i = 0; i < cfg->n_ports; i++)
		for (j = 0; j < i; j++)
			if (!strcmp(cfg->ports[i].name, cfg->ports[j].name)) {
				snprintf(at, sizeof(at), "ports[%u]", i);
				return ctl_cfg_fail(ld, at, "name",
					       "\"%s\" is already the name of "
					       "ports[%u]", cfg->ports[i].name,
					       j);
			}
	for (i = 0; i < cfg->n_vnfs; i++) {
		snprintf(at, sizeof(at), "vnfs[%u]", i);
		for (j = 0; j < cfg->n_ports; j++)
			if (!strcmp(cfg->vnfs[i].name, cfg->ports[j].name))
				return ctl_cfg_fail(ld, at, "name",
					       "\"%s\" is already the name of "
					       "ports[%u] (ports and vnfs share "
					       "names)", cfg->vnfs[i].name, j);
		for (j = 0; j < i; j++)
			if (!strcmp(cfg->vnfs[i].name, cfg->vnfs[j].name))
				return ctl_cfg_fail(ld, at, "name",
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

static int resolve_endpoint(struct ctl_cfg *ld, const char *at,
			    const struct ctl_config *cfg, const char *s,
			    struct ctl_endpoint *ep)
{
	const char *dot = strchr(s, '.');
	size_t n = dot ? (size_t)(dot - s) : strlen(s);
	int p, v, f;

	if (!*s)
		return ctl_cfg_fail(ld, at, NULL, "empty endpoint: name a port or "
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
			return ctl_cfg_fail(ld, at, NULL,
				       "endpoint \"%s\": %s is a vnf; name one "
				       "of its ifaces as %s.IFACE", s, s, s);
		return ctl_cfg_fail(ld, at, NULL,
			       "endpoint \"" CFG_QUOTE "\": no port or vnf "
			       "named " CFG_QUOTE, s, s);
	}
	if (p >= 0)
		return ctl_cfg_fail(ld, at, NULL,
			       "endpoint \"%s\": %.*s is a port, which has no "
			       "ifaces", s, (int)n, s);
	if (v < 0)
		return ctl_cfg_fail(ld, at, NULL,
			       "endpoint \"" CFG_QUOTE "\": no vnf named "
			       "%.*s", s, (int)(n > 64 ? 64 : n), s);
	f = find_iface(&cfg->vnfs[v], dot + 1);
	if (f < 0)
		return ctl_cfg_fail(ld, at, NULL,
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

static int load_links(struct ctl_cfg *ld, const struct raw_top *r,
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
		rc = ctl_cfg_oom(ld);
		goto out;
	}
	for (i = 0; i < cfg->n_vnfs; i++) {
		u.base[i] = n_slots - cfg->n_ports;
		n_slots += cfg->vnfs[i].n_ifaces;
	}
	u.slot = calloc(n_slots + 1, sizeof(*u.slot));
	if (!u.slot) {
		rc = ctl_cfg_oom(ld);
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
			rc = ctl_cfg_fail(ld, at, NULL,
				     "endpoint \"%s\" is linked to itself",
				     r->links[i][0]);
			goto out;
		}
		for (e = 0; e < 2; e++) {
			unsigned int *s = link_use_slot(&u, ep[e]);

			if (*s) {
				rc = ctl_cfg_fail(ld, at, NULL,
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

/* ---- the host: CPUs, memory, files and sockets ---- */

/*
 * These checks look at the machine, not only at the text, so that a
 * config that `nfvd -t` accepts also starts there (and one that would
 * stall or harm it is refused with its key).  They run last: a config
 * with a mistake in the text gets that message first.
 */

unsigned int
ctl_port_mbufs(const struct ctl_port_config *p, unsigned int n_workers)
{
	unsigned int q = p->queues > n_workers ? p->queues : n_workers;

	/* RX rings full, TX rings full, and each worker's TX buffer. */
	return 2 * q * p->ring_size + n_workers * CTL_MBUF_TXBUF;
}

unsigned int
ctl_config_mbufs_min(const struct ctl_config *cfg)
{
	unsigned int w = cfg->dataplane.workers, i, n = 0;

	for (i = 0; i < cfg->n_ports; i++)
		n += ctl_port_mbufs(&cfg->ports[i], w);
	/* Each worker's flood copies in flight, and what the mempool
	 * caches of the workers and of the main lcore can hold (a cache
	 * fills up to 1.5 times its size before it flushes). */
	return n + w * (CTL_MBUF_EMIT + 2 * CTL_MBUF_CACHE) +
	       2 * CTL_MBUF_CACHE;
}

/* "0-1,4" for the message: the CPUs in `set`. */
static void
cpus_str(const cpu_set_t *set, char *buf, size_t len)
{
	size_t off = 0;
	int c = 0, e;

	buf[0] = '\0';
	while (c < CPU_SETSIZE && off < len) {
		if (!CPU_ISSET(c, set)) {
			c++;
			continue;
		}
		for (e = c; e + 1 < CPU_SETSIZE && CPU_ISSET(e + 1, set); e++)
			;
		if (e == c)
			off += (size_t)snprintf(buf + off, len - off, "%s%d",
						off ? "," : "", c);
		else
			off += (size_t)snprintf(buf + off, len - off, "%s%d-%d",
						off ? "," : "", c, e);
		c = e + 1;
	}
}

/*
 * Workers are poll-mode threads: two on one CPU halve each other, and a
 * CPU that nfvd may not run on makes EAL print its whole usage.  Each
 * worker gets a CPU of its own, from lcores or else from the CPUs after
 * the main thread's (dataplane/eal.c).
 */
static int
check_cpus(struct ctl_cfg *ld, const struct ctl_config *cfg)
{
	unsigned int w = cfg->dataplane.workers, n = 0;
	char allowed[256];
	cpu_set_t set, listed;
	const char *s;
	int c, ncpu;

	if (sched_getaffinity(0, sizeof(set), &set) != 0)
		return 0; /* cannot tell: EAL will */
	ncpu = CPU_COUNT(&set);
	cpus_str(&set, allowed, sizeof(allowed));
	if (!cfg->dataplane.lcores) {
		unsigned int max = ncpu > 1 ? (unsigned int)ncpu - 1 : 1;

		/* share_cpus: workers go round the CPUs, the main thread's
		 * included (dataplane/eal.c); nfvd warns at start. */
		if (w > max && !cfg->dataplane.share_cpus)
			return ctl_cfg_fail(ld, "dataplane", "workers",
				       "%u workers need a CPU each besides the "
				       "main thread's, and nfvd may run on %d "
				       "(CPUs %s): at most %u (or "
				       "share_cpus: true, for tests only)",
				       w, ncpu, allowed, max);
		return 0;
	}
	/* The syntax was checked (lcores_valid()). */
	CPU_ZERO(&listed);
	for (s = cfg->dataplane.lcores; *s;) {
		char *end;
		unsigned long a = strtoul(s, &end, 10), b = a;

		if (*end == '-')
			b = strtoul(end + 1, &end, 10);
		for (; a <= b; a++) {
			c = (int)a;
			if (c >= CPU_SETSIZE || !CPU_ISSET(c, &set))
				return ctl_cfg_fail(
					ld, "dataplane", "lcores",
					"CPU %d is not one that nfvd may "
					"run on (CPUs %s)",
					c, allowed);
			if (!CPU_ISSET(c, &listed))
				n++;
			CPU_SET(c, &listed);
		}
		s = *end ? end + 1 : end;
	}
	if (w > n && !cfg->dataplane.share_cpus)
		return ctl_cfg_fail(ld, "dataplane", "workers",
			       "%u workers but lcores lists %u CPU%s: each "
			       "worker needs a CPU of its own (or "
			       "share_cpus: true, for tests only)",
			       w, n, n == 1 ? "" : "s");
	return 0;
}

static int
check_memory(struct ctl_cfg *ld, const struct ctl_config *cfg)
{
	long pages = sysconf(_SC_PHYS_PAGES), psz = sysconf(_SC_PAGESIZE);
	uint64_t mib;

	if (pages <= 0 || psz <= 0)
		return 0;
	mib = ((uint64_t)pages * (uint64_t)psz) >> 20;
	if (cfg->dataplane.memory > mib)
		return ctl_cfg_fail(ld, "dataplane", "memory",
			       "%u MiB is more than this machine's memory "
			       "(%" PRIu64 " MiB)",
			       cfg->dataplane.memory, mib);
	return 0;
}

/* Fewer mbufs than the rings and caches hold at once: the pool runs dry
 * and RX stalls for good (rx_nombuf grows, nothing moves). */
static int
check_mbufs(struct ctl_cfg *ld, const struct ctl_config *cfg)
{
	unsigned int min = ctl_config_mbufs_min(cfg);

	if (!cfg->dataplane.mbufs || cfg->dataplane.mbufs >= min)
		return 0;
	return ctl_cfg_fail(ld, "dataplane", "mbufs",
		       "%u is fewer than the %u mbufs that the ports' rings, "
		       "the workers and the mempool caches hold at once: at "
		       "least %u (or leave it out)",
		       cfg->dataplane.mbufs, min, min);
}

/* Where each port's files and sockets really are (symbolic links, "."
 * and ".." resolved), to find two names for one file. */
struct port_files {
	char sock[PATH_MAX], rx[PATH_MAX], tx[PATH_MAX];
};

static int
check_path(struct ctl_cfg *ld, const char *at, const char *key, const char *path,
	   enum ctl_path_use use, char *resolved)
{
	char why[PATH_MAX + 128];

	if (ctl_path_check(path, use, resolved, why, sizeof(why)))
		return ctl_cfg_fail(ld, at, key, "%s", why);
	return 0;
}

static int
check_port_files(struct ctl_cfg *ld, const struct ctl_config *cfg)
{
	struct port_files *pf;
	char ctl[PATH_MAX], at[32];
	unsigned int i, j;
	int rc = -EINVAL;

	/* nfvd creates and removes the control socket like a server port's. */
	if (check_path(ld, "control", "socket", cfg->control.socket,
		       CTL_PATH_LISTEN, ctl))
		return -EINVAL;
	pf = calloc(cfg->n_ports + 1, sizeof(*pf));
	if (!pf)
		return ctl_cfg_oom(ld);
	for (i = 0; i < cfg->n_ports; i++) {
		const struct ctl_port_config *p = &cfg->ports[i];

		snprintf(at, sizeof(at), "ports[%u]", i);
		if (p->path &&
		    check_path(ld, at, "path", p->path,
			       p->type == CTL_PORT_VHOST_USER && !p->client
				       ? CTL_PATH_LISTEN
				       : CTL_PATH_CONNECT,
			       pf[i].sock))
			goto out;
		if (p->rx &&
		    check_path(ld, at, "rx", p->rx, CTL_PATH_READ, pf[i].rx))
			goto out;
		if (p->tx &&
		    check_path(ld, at, "tx", p->tx, CTL_PATH_WRITE, pf[i].tx))
			goto out;
		if (p->path && !strcmp(pf[i].sock, ctl)) {
			ctl_cfg_fail(ld, at, "path", "\"%s\" is control.socket (%s)",
				p->path, ctl);
			goto out;
		}
		if (p->rx && p->tx && !strcmp(pf[i].rx, pf[i].tx)) {
			ctl_cfg_fail(ld, at, "tx",
				"\"%s\" is also the port's rx "
				"file (%s)",
				p->tx, pf[i].tx);
			goto out;
		}
		for (j = 0; j < i; j++) {
			const struct ctl_port_config *q = &cfg->ports[j];

			if (p->path && q->path &&
			    !strcmp(pf[i].sock, pf[j].sock)) {
				ctl_cfg_fail(ld, at, "path",
					"\"%s\" is the socket "
					"of port %s (%s)",
					p->path, q->name, pf[i].sock);
				goto out;
			}
			if (p->tx && q->tx && !strcmp(pf[i].tx, pf[j].tx)) {
				ctl_cfg_fail(ld, at, "tx",
					"\"%s\" is already "
					"written by port %s (%s)",
					p->tx, q->name, pf[i].tx);
				goto out;
			}
			if (p->tx && q->rx && !strcmp(pf[i].tx, pf[j].rx)) {
				ctl_cfg_fail(ld, at, "tx",
					"\"%s\" is read by port "
					"%s (%s)",
					p->tx, q->name, pf[i].tx);
				goto out;
			}
			if (p->rx && q->tx && !strcmp(pf[i].rx, pf[j].tx)) {
				ctl_cfg_fail(ld, at, "rx",
					"\"%s\" is written by "
					"port %s (%s)",
					p->rx, q->name, pf[i].rx);
				goto out;
			}
		}
	}
	rc = 0;
out:
	free(pf);
	return rc;
}

static int
check_host(struct ctl_cfg *ld, const struct ctl_config *cfg)
{
	if (check_cpus(ld, cfg) || check_memory(ld, cfg) ||
	    check_mbufs(ld, cfg))
		return -EINVAL;
	return check_port_files(ld, cfg);
}

/* ---- libcyaml's log, turned into one line ---- */

/*
 * Collect libcyaml's error lines.  Each is cut to 200 bytes so that a long
 * key in the first line cannot push the backtrace out of the buffer.
 */
static void cy_log(cyaml_log_t level, void *ctx, const char *fmt,
		   va_list args)
{
	struct ctl_cfg *ld = ctx;
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

/* A YAML kind (cy_kind_name()) as JSON calls it, with its article. */
static const char *cy_json_kind(const char *kind, bool wanted)
{
	if (!strcmp(kind, "mapping"))
		return "an object";
	if (!strcmp(kind, "list"))
		return "an array";
	return wanted ? "a string" : "a value";
}

/*
 * The keys the schema allows in the mapping at `path` ("vnfs[0].ifaces[1]"),
 * as "a, b, c", for the hint after "unknown key".
 */
static void cy_keys_at(const cyaml_schema_value_t *root, const char *path,
		       char *buf, size_t len)
{
	const cyaml_schema_value_t *v = root;
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
static int cy_fail(struct ctl_cfg *ld, cyaml_err_t rc)
{
	struct {
		enum { FR_MAPPING, FR_FIELD, FR_ENTRY } kind;
		unsigned int idx;
		char name[64];
	} fr[32];
	char *msg = NULL, *save, *l, *x;
	char path[256] = "", rel[256], reason[300], key[128] = "";
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
	/* The path so far is inside the load: the entry's own keys. */
	snprintf(rel, sizeof(rel), "%s", path);
	if (*ld->cy_at) {
		/* cy_at is short ("vnfs[255]"): the rest of path fits. */
		off = (size_t)snprintf(path, sizeof(path), "%s%s", ld->cy_at,
				       *rel ? "." : "");
		memcpy(path + off, rel,
		       strnlen(rel, sizeof(path) - off - 1));
		path[off + strnlen(rel, sizeof(path) - off - 1)] = '\0';
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

		const char *other;

		snprintf(key, sizeof(key), "%s", msg + 16);
		cy_keys_at(ld->cy_root, rel, keys, sizeof(keys));
		other = vnf_type_taking(ld->cy_type, rel, key);
		if (other)
			snprintf(reason, sizeof(reason), "not valid for %s %s",
				 *rel ? "an iface of a" : "a vnf of type",
				 other);
		else
			snprintf(reason, sizeof(reason), "unknown key%s%s%s",
				 *key ? "" : " \"\"",
				 *keys ? "; expected one of: " : "", keys);
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
		const char *want = cy_kind_name(msg + 10);
		const char *got = cy_kind_name(x + strlen(", got event: "));

		/* A request is JSON: say it in JSON's words, as the control
		 * server's accessors do. */
		if (ld->no_lines)
			snprintf(reason, sizeof(reason), "expected %s (got %s)",
				 cy_json_kind(want, true),
				 cy_json_kind(got, false));
		else
			snprintf(reason, sizeof(reason),
				 "expected a %s, got a%s %s", want,
				 empty ? "n" : "", empty ? "empty value" : got);
	} else {
		snprintf(reason, sizeof(reason), "%s", msg);
	}

	if (count_msg && !strncmp(path, "links[", 6) && !strchr(path, '.'))
		strncat(reason, " (a link joins exactly 2 endpoints)",
			sizeof(reason) - strlen(reason) - 1);
	return ctl_cfg_fail(ld, path, *key ? key : NULL, "%s", reason);
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

/* ---- vnfs[]: the common part here, the rest by the type ---- */

/*
 * The libcyaml schema of a vnfs[] entry: the common keys, then the keys of
 * its type, their offsets moved past the common part.  An entry whose type
 * is missing or unknown gets the keys of every type (each type's raw
 * struct after the other's), so that its shape is checked like any entry's
 * and the type error comes after the name's.  Built per load.
 */
struct vnf_schema {
	cyaml_schema_field_t *fields, *iface_fields;
	cyaml_schema_value_t entry, iface_entry;
	size_t iface_stride;
};

/* One vnfs[] entry between libcyaml's load and the conversion. */
struct vnf_entry {
	const struct ctl_vnf_type *t;	/* NULL: type missing or unknown */
	struct vnf_schema vs;
	struct raw_vnf *raw;
};

struct vnf_entries {
	struct vnf_entry *e;
	unsigned int n;
};

#define RAW_ALIGN(n) (((n) + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1))

static size_t fields_count(const cyaml_schema_field_t *f)
{
	size_t n = 0;

	while (f && f[n].key)
		n++;
	return n;
}

/*
 * Append src's fields to dst (n used, zeroed after), `base` bytes into the
 * struct; a key already there (another type's) is left to that one.
 */
static void fields_add(cyaml_schema_field_t *dst, size_t *n,
		       const cyaml_schema_field_t *src, size_t base)
{
	for (; src && src->key; src++) {
		if (fields_have(dst, src->key))
			continue;
		dst[*n] = *src;
		dst[*n].data_offset += (uint32_t)base;
		if (dst[*n].value.type == CYAML_SEQUENCE)
			dst[*n].count_offset += (uint32_t)base;
		(*n)++;
	}
}

static int vnf_schema_build(const struct ctl_vnf_type *only,
			    struct vnf_schema *vs)
{
	static const cyaml_schema_field_t common[] = {
		STR("name", struct raw_vnf, name),
		STR("type", struct raw_vnf, type),
		SEQ("ifaces", struct raw_vnf, ifaces, NULL, NFV_MAX_IFACES),
	};
	static const cyaml_schema_field_t iface_name[] = {
		STR("name", struct raw_iface, name),
	};
	size_t iext = offsetof(struct raw_iface, ext);
	size_t vext = offsetof(struct raw_vnf, ext);
	size_t nf = 3, ni = 1, vsize = 0, isize = 0;
	const struct ctl_vnf_type *t;

	memset(vs, 0, sizeof(*vs));
	for (t = only ? only : vnf_types; t; t = only ? NULL : t->next) {
		nf += fields_count(t->fields);
		ni += fields_count(t->iface_fields);
	}
	vs->fields = calloc(nf + 1, sizeof(*vs->fields));
	vs->iface_fields = calloc(ni + 1, sizeof(*vs->iface_fields));
	if (!vs->fields || !vs->iface_fields)
		return -ENOMEM;

	vs->iface_fields[0] = iface_name[0];
	ni = 1;
	for (t = only ? only : vnf_types; t; t = only ? NULL : t->next) {
		if (!t->iface_fields)
			continue;
		fields_add(vs->iface_fields, &ni, t->iface_fields, iext + isize);
		isize += RAW_ALIGN(t->iface_raw_size);
	}
	vs->iface_stride = iext + isize;
	vs->iface_entry = (cyaml_schema_value_t){
		CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct raw_iface,
				    vs->iface_fields),
	};
	vs->iface_entry.data_size = (uint32_t)vs->iface_stride;

	memcpy(vs->fields, common, sizeof(common));
	vs->fields[2].value.sequence.entry = &vs->iface_entry;
	vs->fields[2].value.data_size = (uint32_t)vs->iface_stride;
	nf = 3;
	for (t = only ? only : vnf_types; t; t = only ? NULL : t->next) {
		if (!t->fields)
			continue;
		fields_add(vs->fields, &nf, t->fields, vext + vsize);
		vsize += RAW_ALIGN(t->raw_size);
	}
	vs->entry = (cyaml_schema_value_t){
		CYAML_VALUE_MAPPING(CYAML_FLAG_POINTER, struct raw_vnf,
				    vs->fields),
	};
	vs->entry.data_size = (uint32_t)(vext + vsize);
	return 0;
}

static const char *node_kind(const yaml_node_t *n)
{
	if (n->type == YAML_SCALAR_NODE)
		return n->data.scalar.length ? "a scalar" : "an empty value";
	return n->type == YAML_SEQUENCE_NODE ? "a list" : "a mapping";
}

/*
 * The text of node n, as a document of its own: its bytes in the file,
 * after as many spaces as its first line was indented, so that the lines
 * of a block mapping keep their relative indentation.
 */
/*
 * The byte offset of character `idx` of the text: libyaml's marks count
 * characters, and a config may hold UTF-8 (comments, quoted strings).  A
 * UTF-8 byte order mark is skipped by libyaml without being counted.
 */
static size_t mark_byte(const struct ctl_cfg *ld, size_t idx)
{
	size_t i = 0;

	if (ld->buf_ascii)
		return idx < ld->buf_len ? idx : ld->buf_len;
	if (ld->buf_len >= 3 && !memcmp(ld->buf, "\xef\xbb\xbf", 3))
		i = 3;
	for (; i < ld->buf_len; i++) {
		if (((unsigned char)ld->buf[i] & 0xc0) == 0x80)
			continue;
		if (idx-- == 0)
			return i;
	}
	return ld->buf_len;
}

static char *node_text(struct ctl_cfg *ld, const yaml_node_t *n, size_t *len)
{
	size_t col = n->start_mark.column;
	size_t a = mark_byte(ld, n->start_mark.index);
	size_t b = mark_byte(ld, n->end_mark.index);
	char *t;

	if (b < a)
		b = a;
	t = malloc(col + (b - a) + 2);
	if (!t)
		return NULL;
	memset(t, ' ', col);
	memcpy(t + col, ld->buf + a, b - a);
	t[col + (b - a)] = '\n';
	t[col + (b - a) + 1] = '\0';
	*len = col + (b - a) + 1;
	return t;
}

/* The scalar value of key `key` in mapping n, or NULL. */
static const char *node_scalar(struct ctl_cfg *ld, const yaml_node_t *n,
			       const char *key)
{
	yaml_node_pair_t *pair;

	for (pair = n->data.mapping.pairs.start;
	     pair < n->data.mapping.pairs.top; pair++) {
		yaml_node_t *k = yaml_document_get_node(&ld->doc, pair->key);
		yaml_node_t *v = yaml_document_get_node(&ld->doc, pair->value);

		if (k && v && k->type == YAML_SCALAR_NODE &&
		    v->type == YAML_SCALAR_NODE &&
		    !strcmp((const char *)k->data.scalar.value, key))
			return (const char *)v->data.scalar.value;
	}
	return NULL;
}

/* libcyaml reads entry n (at `at`) against its type's schema. */
static int vnf_entry_load(struct ctl_cfg *ld, const char *at,
			  const yaml_node_t *n, const cyaml_config_t *cy,
			  struct vnf_entry *e)
{
	cyaml_err_t cerr;
	char *text;
	size_t len;
	int rc;

	if (n->type != YAML_MAPPING_NODE)
		return ctl_cfg_fail(ld, at, NULL, "expected a mapping, got %s",
				    node_kind(n));
	e->t = ctl_vnf_type_lookup(node_scalar(ld, n, "type"));
	if (vnf_schema_build(e->t, &e->vs))
		return ctl_cfg_oom(ld);
	text = node_text(ld, n, &len);
	if (!text)
		return ctl_cfg_oom(ld);
	ld->cylog_len = 0;
	ld->cylog[0] = '\0';
	ld->cy_root = &e->vs.entry;
	ld->cy_type = e->t;
	snprintf(ld->cy_at, sizeof(ld->cy_at), "%s", at);
	cerr = cyaml_load_data((const uint8_t *)text, len, cy, &e->vs.entry,
			       (cyaml_data_t **)&e->raw, NULL);
	free(text);
	rc = 0;
	if (cerr != CYAML_OK)
		rc = cerr == CYAML_ERR_OOM ? ctl_cfg_oom(ld) : cy_fail(ld, cerr);
	ld->cy_root = &top_schema;
	ld->cy_type = NULL;
	ld->cy_at[0] = '\0';
	return rc;
}

/* The common keys, then the type's own: vtype->parse(). */
static int vnf_entry_convert(struct ctl_cfg *ld, const char *at,
			     const struct vnf_entry *e,
			     struct ctl_vnf_config *v)
{
	const struct ctl_vnf_type *t = e->t;
	const struct raw_vnf *r = e->raw;
	const void **iface_raw;
	char fat[64], types[256];
	unsigned int i, j;
	int rc;

	vnf_type_list(types, sizeof(types));
	if (ctl_cfg_name(ld, at, "name", r->name, v->name))
		return -EINVAL;
	if (!r->type)
		return ctl_cfg_fail(ld, at, "type",
				    "missing (required): one of %s", types);
	if (!t)
		return ctl_cfg_fail(ld, at, "type",
				    "\"" CFG_QUOTE "\" is not one of: %s",
				    r->type, types);
	snprintf(v->type, sizeof(v->type), "%s", t->type);
	v->vtype = t;
	if (r->ifaces_count < t->min_ifaces)
		return ctl_cfg_fail(ld, at, "ifaces",
				    "a %s needs at least %u iface%s", t->type,
				    t->min_ifaces,
				    t->min_ifaces > 1 ? "s" : "");
	v->ifaces = calloc(r->ifaces_count + 1, sizeof(*v->ifaces));
	iface_raw = calloc(r->ifaces_count + 1, sizeof(*iface_raw));
	if (!v->ifaces || !iface_raw) {
		free(iface_raw);
		return ctl_cfg_oom(ld);
	}
	rc = -EINVAL;
	for (i = 0; i < r->ifaces_count; i++) {
		const struct raw_iface *ri = (const struct raw_iface *)
			((const char *)r->ifaces + i * e->vs.iface_stride);

		snprintf(fat, sizeof(fat), "%s.ifaces[%u]", at, i);
		v->n_ifaces = i + 1;
		if (ctl_cfg_name(ld, fat, "name", ri->name, v->ifaces[i].name))
			goto out;
		for (j = 0; j < i; j++)
			if (!strcmp(v->ifaces[j].name, v->ifaces[i].name)) {
				ctl_cfg_fail(ld, fat, "name",
					     "vnf %s already has an iface "
					     "named %s (ifaces[%u])", v->name,
					     v->ifaces[i].name, j);
				goto out;
			}
		iface_raw[i] = t->iface_fields ? ri->ext : NULL;
	}
	rc = t->parse ? t->parse(ld, at, r->ext, iface_raw, v) : 0;
out:
	free(iface_raw);
	return rc;
}

static void vnfs_free(const cyaml_config_t *cy, struct vnf_entries *ve)
{
	unsigned int i;

	for (i = 0; i < ve->n; i++) {
		cyaml_free(cy, &ve->e[i].vs.entry, ve->e[i].raw, 0);
		free(ve->e[i].vs.fields);
		free(ve->e[i].vs.iface_fields);
	}
	free(ve->e);
	ve->e = NULL;
	ve->n = 0;
}

/* Is there a second top-level `vnfs:` key?  Its line in *line. */
static bool vnfs_twice(struct ctl_cfg *ld, unsigned long *line)
{
	yaml_node_t *root = yaml_document_get_root_node(&ld->doc);
	yaml_node_pair_t *pair;
	unsigned int seen = 0;

	for (pair = root->data.mapping.pairs.start;
	     pair < root->data.mapping.pairs.top; pair++) {
		yaml_node_t *k = yaml_document_get_node(&ld->doc, pair->key);

		if (k && k->type == YAML_SCALAR_NODE &&
		    !strcmp((const char *)k->data.scalar.value, "vnfs") &&
		    ++seen == 2) {
			*line = k->start_mark.line + 1;
			return true;
		}
	}
	return false;
}

/* vnfs: a list of entries, each read by libcyaml against its type's schema. */
static int vnfs_load(struct ctl_cfg *ld, const cyaml_config_t *cy,
		     struct vnf_entries *ve)
{
	unsigned long line;
	yaml_node_t *n = ld_find(ld, "vnfs", &line), *e;
	unsigned int i, cnt;
	char at[32];

	if (!n)
		return 0;
	if (n->type != YAML_SEQUENCE_NODE)
		return ctl_cfg_fail(ld, "vnfs", NULL, "expected a list, got %s",
				    node_kind(n));
	cnt = (unsigned int)(n->data.sequence.items.top -
			     n->data.sequence.items.start);
	if (cnt > NFV_MAX_VNFS)
		return ctl_cfg_fail(ld, "vnfs", NULL,
				    "has more than %u entries", NFV_MAX_VNFS);
	ve->e = calloc(cnt + 1, sizeof(*ve->e));
	if (!ve->e)
		return ctl_cfg_oom(ld);
	for (i = 0; i < cnt; i++) {
		e = yaml_document_get_node(&ld->doc,
					   n->data.sequence.items.start[i]);
		snprintf(at, sizeof(at), "vnfs[%u]", i);
		ve->n = i + 1;
		if (!e)
			return ctl_cfg_fail(ld, at, NULL, "missing");
		if (vnf_entry_load(ld, at, e, cy, &ve->e[i]))
			return -EINVAL;
	}
	/* libcyaml ignores the key itself: say it as it would, where it
	 * would find it (at the second key, for which error comes first). */
	if (vnfs_twice(ld, &line)) {
		ctl_cfg_fail(ld, "vnfs", NULL, "key given twice");
		ld->fail_line = line;
		return -EINVAL;
	}
	return 0;
}

static int vnfs_convert(struct ctl_cfg *ld, const struct vnf_entries *ve,
			struct ctl_config *cfg)
{
	unsigned int i;
	char at[32];

	if (!ve->n)
		return 0;
	cfg->vnfs = calloc(ve->n, sizeof(*cfg->vnfs));
	if (!cfg->vnfs)
		return ctl_cfg_oom(ld);
	for (i = 0; i < ve->n; i++) {
		snprintf(at, sizeof(at), "vnfs[%u]", i);
		cfg->n_vnfs = i + 1;
		if (vnf_entry_convert(ld, at, &ve->e[i], &cfg->vnfs[i]))
			return -EINVAL;
	}
	return 0;
}

/* ---- the whole file ---- */

static bool text_has_high_bytes(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] & 0x80)
			return true;
	return false;
}

/* The whole file, through the one bounded reader (control/files.h). */
static int ld_read(struct ctl_cfg *ld, const char *path, char **buf, size_t *len)
{
	char why[128];
	int rc;

	rc = ctl_file_read(path, CTL_FILE_CONFIG_MAX, buf, len, why,
			   sizeof(why));
	if (rc < 0) {
		snprintf(ld->err, ld->errlen, "%s: %s", path, why);
		ld_sanitize(ld->err);
		return rc;
	}
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

/*
 * Refuse nesting deeper than CFG_DEPTH_MAX with one pass over libyaml's
 * events, which stops at the first level too many: composing the tree
 * first took over a minute for a 200 KB file nested 100000 levels deep.
 * A syntax error ends the pass quietly; ld_compose() reports it.
 */
static int
ld_depth(struct ctl_cfg *ld, const char *buf, size_t len)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	unsigned int depth = 0;
	int rc = 0;

	if (!yaml_parser_initialize(&parser))
		return ctl_cfg_oom(ld);
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	for (;;) {
		yaml_event_type_t type;

		if (!yaml_parser_parse(&parser, &ev))
			break;
		type = ev.type;
		if (type == YAML_MAPPING_START_EVENT ||
		    type == YAML_SEQUENCE_START_EVENT) {
			if (++depth > CFG_DEPTH_MAX) {
				unsigned long line = ev.start_mark.line + 1;

				yaml_event_delete(&ev);
				if (ld->err && ld->errlen)
					snprintf(ld->err, ld->errlen,
						 "%s:%lu: lists and mappings "
						 "nested deeper than %u levels",
						 ld->file, line, CFG_DEPTH_MAX);
				rc = -EINVAL;
				break;
			}
		} else if (type == YAML_MAPPING_END_EVENT ||
			   type == YAML_SEQUENCE_END_EVENT) {
			depth--;
		}
		yaml_event_delete(&ev);
		if (type == YAML_STREAM_END_EVENT)
			break;
	}
	yaml_parser_delete(&parser);
	return rc;
}

/* libyaml: syntax, emptiness, the top-level shape. */
static int ld_compose(struct ctl_cfg *ld, const char *buf, size_t len)
{
	yaml_parser_t parser;
	yaml_document_t extra;
	yaml_node_t *root;
	int rc = 0;

	if (memchr(buf, '\0', len))
		return ctl_cfg_fail(ld, NULL, NULL, "file holds a NUL byte: not a "
			       "YAML text file");
	rc = ld_depth(ld, buf, len);
	if (rc)
		return rc;
	if (!yaml_parser_initialize(&parser))
		return ctl_cfg_oom(ld);
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
	if (ld->no_lines && (!root || root->type != YAML_MAPPING_NODE)) {
		rc = ctl_cfg_fail(ld, NULL, NULL, "expected an object, got %s",
				  root ? node_kind(root) : "nothing");
		goto out;
	}
	if (!root) {
		rc = ctl_cfg_fail(ld, NULL, NULL, "empty file: expected a mapping "
			     "with dataplane, control, ports, vnfs, links");
		goto out;
	}
	if (root->type != YAML_MAPPING_NODE) {
		rc = ctl_cfg_fail(ld, NULL, NULL, "the top level must be a mapping "
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
	unsigned int i;

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
		free(p->xdp_prog);
		free(p->rx);
		free(p->tx);
		free(p->address);
	}
	free(cfg->ports);
	for (i = 0; i < cfg->n_vnfs; i++) {
		struct ctl_vnf_config *v = &cfg->vnfs[i];

		if (v->vtype && v->vtype->free)
			v->vtype->free(v);
		free(v->ifaces);
	}
	free(cfg->vnfs);
	free(cfg->links);
	free(cfg);
}

static int ld_convert(struct ctl_cfg *ld, const struct vnf_entries *ve,
		      const struct raw_top *r, struct ctl_config *cfg)
{
	unsigned int i;
	char at[32];
	int rc;

	if (load_dataplane(ld, r->dataplane, cfg))
		return -EINVAL;
	if (load_control(ld, r->control, cfg))
		return -EINVAL;
	if (r->ports_count) {
		cfg->ports = calloc(r->ports_count, sizeof(*cfg->ports));
		if (!cfg->ports)
			return ctl_cfg_oom(ld);
	}
	for (i = 0; i < r->ports_count; i++) {
		snprintf(at, sizeof(at), "ports[%u]", i);
		cfg->n_ports = i + 1;
		if (load_port(ld, at, &r->ports[i], &cfg->ports[i]))
			return -EINVAL;
	}
	if (check_ports_unique(ld, cfg))
		return -EINVAL;
	if (vnfs_convert(ld, ve, cfg))
		return -EINVAL;
	if (check_names_unique(ld, cfg))
		return -EINVAL;
	rc = load_links(ld, r, cfg);
	if (rc)
		return rc;
	return check_host(ld, cfg);
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
	struct ctl_cfg ld = {
		.file = name,
		.err = err && errlen ? err : dummy,
		.errlen = err && errlen ? errlen : sizeof(dummy),
		.buf = buf,
		.buf_len = len,
		.cy_root = &top_schema,
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
	struct vnf_entries ve = { 0 };
	const char *path = name;
	unsigned long vnfs_line = 0;
	char vnfs_err[512];
	cyaml_err_t cerr;
	int rc, rc_vnfs;

	*ld.err = '\0';
	ld.buf_ascii = !text_has_high_bytes(buf, len);
	rc = ld_compose(&ld, buf, len);
	if (rc)
		goto err_doc;

	/*
	 * libcyaml reads the file, vnfs[] entry by entry against their types'
	 * schemas: of a shape error in both, the first in the file is told,
	 * as one load of the whole file would.
	 */
	rc_vnfs = vnfs_load(&ld, &cy, &ve);
	if (rc_vnfs) {
		snprintf(vnfs_err, sizeof(vnfs_err), "%s", ld.err);
		vnfs_line = ld.fail_line;
	}
	ld.cylog_len = 0;
	ld.cylog[0] = '\0';
	cerr = cyaml_load_data((const uint8_t *)buf, len, &cy, &top_schema,
			       (cyaml_data_t **)&raw, NULL);
	if (cerr != CYAML_OK) {
		rc = cerr == CYAML_ERR_OOM ? ctl_cfg_oom(&ld) : cy_fail(&ld, cerr);
		if (rc_vnfs && rc != -ENOMEM && vnfs_line &&
		    vnfs_line < ld.fail_line)
			snprintf(ld.err, ld.errlen, "%s", vnfs_err);
		goto err_doc;
	}
	if (rc_vnfs) {
		rc = rc_vnfs;
		snprintf(ld.err, ld.errlen, "%s", vnfs_err);
		goto err_raw;
	}
	if (!raw) {
		rc = ctl_cfg_fail(&ld, NULL, NULL, "empty file");
		goto err_doc;
	}

	cfg = calloc(1, sizeof(*cfg));
	if (!cfg) {
		rc = ctl_cfg_oom(&ld);
		goto err_raw;
	}
	rc = dup_str(&ld, path, &cfg->file);
	if (!rc)
		rc = ld_convert(&ld, &ve, raw, cfg);
	if (rc)
		goto err_cfg;

	vnfs_free(&cy, &ve);
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
	vnfs_free(&cy, &ve);
	if (ld.have_doc)
		yaml_document_delete(&ld.doc);
	free(buf);
	return rc;
}

int ctl_config_load(const char *path, struct ctl_config **out, char *err,
		    size_t errlen)
{
	static char dummy[1];
	struct ctl_cfg ld = {
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
		return ctl_cfg_fail(&ld, NULL, NULL, "no config file given");
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

/* ---- one object: a control request or a route file's line ---- */

static const cyaml_config_t obj_cy = {
	.log_fn = cy_log,
	.mem_fn = cy_mem,
	.log_level = CYAML_LOG_ERROR,
	.flags = CYAML_CFG_NO_ALIAS,
};

static struct ctl_cfg *ctx_new(const char *name, char *err, size_t errlen)
{
	struct ctl_cfg *ld = calloc(1, sizeof(*ld));

	if (!ld) {
		if (err && errlen)
			snprintf(err, errlen, "%s: out of memory", name);
		return NULL;
	}
	ld->file = name;
	ld->err = err && errlen ? err : ld->errbuf;
	ld->errlen = err && errlen ? errlen : sizeof(ld->errbuf);
	*ld->err = '\0';
	return ld;
}

int ctl_cfg_object_load(const char *name, const char *text, size_t len,
			const cyaml_schema_value_t *schema, void **raw,
			struct ctl_cfg **out, char *err, size_t errlen)
{
	cyaml_config_t cy = obj_cy;
	struct ctl_cfg *ld;
	cyaml_err_t cerr;
	char *buf;
	int rc;

	*raw = NULL;
	*out = NULL;
	ld = ctx_new(name, err, errlen);
	if (!ld)
		return -ENOMEM;
	ld->no_lines = true;
	ld->cy_root = schema;
	buf = malloc(len + 1);
	if (!buf) {
		rc = ctl_cfg_oom(ld);
		goto err;
	}
	memcpy(buf, text, len);
	buf[len] = '\0';
	ld->buf = buf;
	ld->buf_len = len;
	ld->buf_ascii = !text_has_high_bytes(buf, len);
	rc = ld_compose(ld, buf, len);
	if (rc)
		goto err;
	cy.log_ctx = ld;
	cerr = cyaml_load_data((const uint8_t *)buf, len, &cy, schema,
			       (cyaml_data_t **)raw, NULL);
	if (cerr != CYAML_OK) {
		rc = cerr == CYAML_ERR_OOM ? ctl_cfg_oom(ld) : cy_fail(ld, cerr);
		goto err;
	}
	*out = ld;
	return 0;
err:
	ctl_cfg_close(ld, NULL, NULL);
	return rc;
}

int ctl_cfg_line_open(const char *name, unsigned long line, char *err,
		      size_t errlen, struct ctl_cfg **out)
{
	*out = ctx_new(name, err, errlen);
	if (!*out)
		return -ENOMEM;
	(*out)->line = line;
	(*out)->redact = true;
	return 0;
}

void ctl_cfg_line_set(struct ctl_cfg *c, unsigned long line)
{
	c->line = line;
}

void ctl_cfg_close(struct ctl_cfg *c, const cyaml_schema_value_t *schema,
		   void *raw)
{
	if (schema && raw)
		cyaml_free(&obj_cy, schema, raw, 0);
	if (!c)
		return;
	if (c->have_doc)
		yaml_document_delete(&c->doc);
	free((char *)c->buf);
	free(c);
}
