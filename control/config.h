/* SPDX-License-Identifier: BSD-3-Clause
 *
 * config.h - nfvd's YAML configuration, loaded and validated in one step.
 *
 * ctl_config_load() parses the file (libcyaml), then checks everything that
 * a schema cannot: type-specific keys, unique names, link endpoints, MACs,
 * prefixes, paths.  On any error it returns -EINVAL and writes exactly one
 * line "FILE: KEY.PATH: reason" (e.g. "t.yaml: ports[1].mode: must be
 * server or client") into err; nothing else is started.  The result is
 * plain C data with every default filled in; the data plane never looks at
 * YAML.  Control thread only.  The schema is documented in docs/config.md.
 */
#ifndef NFV_CTL_CONFIG_H
#define NFV_CTL_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cyaml/cyaml.h>

#include "vnf/lib/limits.h"

/* The config's names are the data plane's: same size. */
#define CTL_NAME_MAX NFV_NAME_MAX
/* How a user value is quoted in a message: cut, so a line stays a line. */
#define CTL_CFG_QUOTE "%.64s"

/*
 * Upper bounds of the config's lists are vnf/lib/limits.h's NFV_MAX_*: a
 * longer list is a config error, and the data plane runs anything that
 * loads.
 */

enum ctl_port_type {
	CTL_PORT_VHOST_USER,
	CTL_PORT_VIRTIO_USER,
	CTL_PORT_PCAP,
	CTL_PORT_TAP,
	CTL_PORT_AF_PACKET,
	CTL_PORT_AF_XDP,
	CTL_PORT_PCI,
};

/* dataplane.idle: what a worker does when its queues are empty
 * (dataplane/idle.h). */
enum ctl_idle_mode {
	CTL_IDLE_POLL,		/* spin: the lowest latency, a whole core */
	CTL_IDLE_SLEEP,		/* short sleeps, growing to idle_sleep_max_us */
	CTL_IDLE_INTERRUPT,	/* block until a queue's notification fires */
};

/* An IPv4 or IPv6 address with an optional prefix length. */
struct ctl_prefix {
	uint8_t family;		/* AF_INET or AF_INET6 */
	uint8_t len;		/* prefix length; 32/128 when none was given */
	uint8_t addr[16];	/* network byte order; IPv4 in addr[0..3] */
};

struct ctl_port_config {
	char name[CTL_NAME_MAX];
	enum ctl_port_type type;
	char *path;		/* vhost-user / virtio-user socket */
	bool client;		/* vhost-user: mode client (default server) */
	uint16_t queues;	/* default 1 */
	uint16_t ring_size;	/* descriptors per queue, default 1024 */
	char *ifname;		/* tap, af_packet, af_xdp */
	char *netns;		/* tap: move the kernel side into this netns */
	char *xdp_prog;		/* af_xdp: an XDP program of one's own */
	uint32_t busy_budget;	/* af_xdp: busy-poll budget (0: off) */
	bool has_busy_budget;	/* af_xdp: busy_budget given */
	char *rx;		/* pcap: input file (may be NULL) */
	char *tx;		/* pcap: output file (may be NULL) */
	char *address;		/* pci: 0000:01:00.0 */
	bool has_mac;
	uint8_t mac[6];		/* tap, virtio-user: the port's MAC */
};

/*
 * The common part of a `vnfs:` entry.  Everything else in the entry belongs
 * to the VNF type: its folder (vnf/<type>/config.c) registers a struct
 * ctl_vnf_type that reads those keys into priv.
 */
struct ctl_iface_config {
	char name[CTL_NAME_MAX];
};

struct ctl_vnf_type;

struct ctl_vnf_config {
	char name[CTL_NAME_MAX];
	char type[CTL_NAME_MAX];
	const struct ctl_vnf_type *vtype;
	struct ctl_iface_config *ifaces;
	unsigned int n_ifaces;
	void *priv;		/* the type's own config, vtype->parse() */
};

/* One end of a link: a port, or VNF.IFACE. */
struct ctl_endpoint {
	bool is_port;
	unsigned int index;	/* into ports[] or vnfs[] */
	unsigned int iface;	/* iface index inside the VNF */
};

struct ctl_link_config {
	struct ctl_endpoint a, b;
};

struct ctl_config {
	char *file;		/* the path it was loaded from */
	struct {
		unsigned int workers;	/* default 1 */
		unsigned int memory;	/* MiB, default 512 */
		int hugepages;		/* -1 auto (default), 0 off, 1 on */
		char *lcores;		/* optional "1-2": worker cores */
		char *file_prefix;	/* optional EAL --file-prefix */
		unsigned int mbufs;	/* default: derived from ports */
		enum ctl_idle_mode idle; /* default poll */
		unsigned int idle_sleep_max_us; /* default 250 */
		/* Workers may share CPUs with the main thread and each
		 * other (tests, a 2-CPU machine): never for figures. */
		bool share_cpus;	/* default false */
	} dataplane;
	struct {
		char *socket;		/* default /run/nfvd/nfvd.sock */
	} control;
	struct ctl_port_config *ports;
	unsigned int n_ports;
	struct ctl_vnf_config *vnfs;
	unsigned int n_vnfs;
	struct ctl_link_config *links;
	unsigned int n_links;
};

/*
 * The mbufs that the data path holds at once, the floor of
 * dataplane.mbufs: every port's RX and TX rings full, each worker's TX
 * buffer per port, each worker's flood copies, and what the mempool
 * caches of the workers and the main lcore hold.  The data plane sizes
 * its default pool from the same numbers; dataplane/dataplane.c checks at
 * build time that they are NFV_TXBUF, VNF_EMIT_MAX and DPDK's
 * RTE_MEMPOOL_CACHE_MAX_SIZE.
 */
#define CTL_MBUF_TXBUF 64
#define CTL_MBUF_EMIT 512
#define CTL_MBUF_CACHE 512
unsigned int ctl_port_mbufs(const struct ctl_port_config *p,
			    unsigned int n_workers);
unsigned int ctl_config_mbufs_min(const struct ctl_config *cfg);

/*
 * Load and validate `path`.  0 and *out on success (free with
 * ctl_config_free()), or -errno and one line in err.  Besides the text it
 * checks the host the config is for: the CPUs and memory, and the files
 * and sockets the ports name (control/files.h), so that what loads here
 * also starts here.
 */
int ctl_config_load(const char *path, struct ctl_config **out, char *err,
		    size_t errlen);
/* The same for a config held in memory; `name` stands for the file in
 * messages (e.g. "port add").  Used for run-time changes. */
int ctl_config_load_buffer(const char *name, const char *text, size_t len,
			   struct ctl_config **out, char *err, size_t errlen);
void ctl_config_free(struct ctl_config *cfg);

/* Helpers shared with nfvctl and the VNFs. */
int ctl_parse_mac(const char *s, uint8_t mac[6]);
int ctl_parse_prefix(const char *s, struct ctl_prefix *p); /* "a/len" or "a" */
/* "80" or "1024-65535": 0, -EINVAL (not a port or range), -ERANGE (LO > HI). */
int ctl_parse_port_range(const char *s, uint16_t *lo, uint16_t *hi);
const char *ctl_port_type_name(enum ctl_port_type t);
const char *ctl_idle_mode_name(enum ctl_idle_mode m);
/* dataplane.idle_sleep_max_us: its default and range. */
#define CTL_IDLE_SLEEP_MAX_DEFAULT 250
#define CTL_IDLE_SLEEP_MAX_LIMIT 100000


/* ---- VNF types: the part of the config each VNF reads itself ---- */

/*
 * A parse in progress (opaque): where errors go and how a key path is
 * turned into FILE:LINE.  The VNF's parse functions report through it, so
 * an error reads the same whether the object came from the config file, a
 * route file or a control request.
 */
struct ctl_cfg;

/*
 * How a VNF type reads its keys.  Registered from a constructor with
 * CTL_VNF_TYPE_REGISTER() in vnf/<type>/config.c, which is free of DPDK
 * so that nfvctl (lab files) and the config fuzzer link it too.
 *
 * The loader reads a `vnfs:` entry with libcyaml against the common keys
 * (name, type, ifaces[].name) plus `fields`, and each iface against
 * `iface_fields`; every leaf is a string (char *), lists are sequences of
 * such structs.  Offsets in `fields` are into the type's raw struct of
 * `raw_size` bytes, in `iface_fields` into one of `iface_raw_size`.  A key
 * that another type takes is reported as "not valid for a vnf of type X".
 */
struct ctl_vnf_type {
	const char *type;		/* the config's `type:` */
	unsigned int min_ifaces;
	const cyaml_schema_field_t *fields;	/* may be NULL */
	size_t raw_size;
	const cyaml_schema_field_t *iface_fields; /* may be NULL */
	size_t iface_raw_size;
	/*
	 * Control thread.  Check the raw strings and build v->priv.  `at` is
	 * the entry's key path ("vnfs[2]"); iface_raw[i] is iface i's raw
	 * struct (NULL without iface_fields).  v's common part is filled in.
	 * 0, or -EINVAL/-ENOMEM after ctl_cfg_fail()/ctl_cfg_oom().
	 */
	int (*parse)(struct ctl_cfg *c, const char *at, const void *raw,
		     const void *const *iface_raw, struct ctl_vnf_config *v);
	/* Frees what parse() built (also a partly built one); may be NULL. */
	void (*free)(struct ctl_vnf_config *v);
	const struct ctl_vnf_type *next;	/* the registry's list */
};

void ctl_vnf_type_register(struct ctl_vnf_type *t);
const struct ctl_vnf_type *ctl_vnf_type_lookup(const char *type);
/* The registered types, in registration order (NULL ends the list). */
const struct ctl_vnf_type *ctl_vnf_type_first(void);

#define CTL_VNF_TYPE_REGISTER(t)                                               \
	static void __attribute__((constructor)) ctl_vnf_type_reg_##t(void)   \
	{                                                                      \
		ctl_vnf_type_register(&(t));                                   \
	}

/* Schema helpers for the raw structs: every leaf an optional string. */
#define CTL_CFG_OPT (CYAML_FLAG_OPTIONAL | CYAML_FLAG_POINTER)
#define CTL_CFG_STR(key, st, m)                                                \
	CYAML_FIELD_STRING_PTR(key, CTL_CFG_OPT, st, m, 0, CYAML_UNLIMITED)
#define CTL_CFG_SEQ(key, st, m, entry, max)                                    \
	CYAML_FIELD_SEQUENCE(key, CTL_CFG_OPT, st, m, entry, 0, max)
extern const cyaml_schema_value_t ctl_cfg_str_schema;

/*
 * Errors: "FILE:LINE: AT.KEY: reason" (key NULL: the object at `at`), one
 * line, into the caller's buffer.  Return -EINVAL (ctl_cfg_oom: -ENOMEM)
 * so that a parser can `return ctl_cfg_fail(...)`.
 */
int ctl_cfg_fail(struct ctl_cfg *c, const char *at, const char *key,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));
int ctl_cfg_oom(struct ctl_cfg *c);
/* Whether AT.KEY is in the source (an empty list is given; NULL is not). */
bool ctl_cfg_given(struct ctl_cfg *c, const char *at, const char *key);

/* Typed leaves: 0, or the error reported.  `s` is never NULL here. */
int ctl_cfg_uint(struct ctl_cfg *c, const char *at, const char *key,
		 const char *s, bool suffix, uint64_t min, uint64_t max,
		 uint64_t *out);
/* A uint field with a default: s NULL keeps def. */
#define CTL_CFG_UINT(c, at, key, s, suffix, min, max, def, dst) ({            \
	uint64_t v_ = (def);                                                   \
	int rc_ = (s) ? ctl_cfg_uint(c, at, key, s, suffix, min, max, &v_) : 0; \
	if (!rc_)                                                              \
		(dst) = (__typeof__(dst))v_;                                   \
	rc_;                                                                   \
})
/* Index of s in the NULL-terminated names, else -EINVAL listing them. */
int ctl_cfg_enum(struct ctl_cfg *c, const char *at, const char *key,
		 const char *s, const char *const *names);
int ctl_cfg_mac(struct ctl_cfg *c, const char *at, const char *key,
		const char *s, bool unicast, uint8_t mac[6]);
int ctl_cfg_name(struct ctl_cfg *c, const char *at, const char *key,
		 const char *s, char name[CTL_NAME_MAX]);
/* An address with an optional /length. */
int ctl_cfg_prefix(struct ctl_cfg *c, const char *at, const char *key,
		   const char *s, struct ctl_prefix *p);
/* A network: no host bits set. */
int ctl_cfg_network(struct ctl_cfg *c, const char *at, const char *key,
		    const char *s, struct ctl_prefix *p);
/* A bare address (no /length). */
int ctl_cfg_addr(struct ctl_cfg *c, const char *at, const char *key,
		 const char *s, struct ctl_prefix *p);
int ctl_cfg_port_range(struct ctl_cfg *c, const char *at, const char *key,
		       const char *s, uint16_t *lo, uint16_t *hi);
/* An `iface:` naming one of v's ifaces: its index in *idx (may be NULL);
 * -ENOENT (reported) when v has none of that name. */
int ctl_cfg_iface_ref(struct ctl_cfg *c, const char *at, const char *key,
		      const char *s, const struct ctl_vnf_config *v,
		      char name[CTL_NAME_MAX], int *idx);
/*
 * The first duplicate in list order among n elements of `size` bytes by
 * cmp: 0 with *first < *second, -ENOENT when none, -ENOMEM.
 */
int ctl_cfg_find_dup(const void *base, unsigned int n, size_t size,
		     int (*cmp)(const void *, const void *),
		     unsigned int *first, unsigned int *second);
int ctl_prefix_cmp(const struct ctl_prefix *a, const struct ctl_prefix *b);
void ctl_prefix_str(const struct ctl_prefix *p, bool with_len, char *buf,
		    size_t len);
const char *ctl_family_name(uint8_t family);

/*
 * One object outside a config file: a control request's JSON (JSON is
 * YAML) or a line of a route file, read with the same schema and parse
 * functions as the config.  ctl_cfg_object_load() loads `text` against
 * `schema` (a mapping) into *raw; errors read "NAME: KEY: reason".
 * ctl_cfg_line_open() makes a context for a parser fed by hand (raw
 * structs filled from a line's words): errors read "NAME:LINE: KEY:
 * reason", with every quoted value blanked ("..."): such a file may be
 * anything nfvd can read.  Free both with ctl_cfg_close(c, schema, raw) (schema and raw
 * may be NULL).  0 or -errno with err set.
 */
int ctl_cfg_object_load(const char *name, const char *text, size_t len,
			const cyaml_schema_value_t *schema, void **raw,
			struct ctl_cfg **c, char *err, size_t errlen);
int ctl_cfg_line_open(const char *name, unsigned long line, char *err,
		      size_t errlen, struct ctl_cfg **c);
void ctl_cfg_line_set(struct ctl_cfg *c, unsigned long line);
void ctl_cfg_close(struct ctl_cfg *c, const cyaml_schema_value_t *schema,
		   void *raw);

#endif /* NFV_CTL_CONFIG_H */
