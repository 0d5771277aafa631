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

#include "vnf/lib/limits.h"

/* The config's names are the data plane's: same size. */
#define CTL_NAME_MAX NFV_NAME_MAX

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
	char *rx;		/* pcap: input file (may be NULL) */
	char *tx;		/* pcap: output file (may be NULL) */
	char *address;		/* pci: 0000:01:00.0 */
	bool has_mac;
	uint8_t mac[6];		/* tap, virtio-user: the port's MAC */
};

/* VLAN mode of an l2switch iface. */
enum ctl_vlan_mode {
	CTL_VLAN_NONE,		/* untagged, VLAN 0 */
	CTL_VLAN_ACCESS,	/* untagged on the wire, `vlan: N` inside */
	CTL_VLAN_TRUNK,		/* tagged on the wire, `trunk: [..]` allowed */
};

struct ctl_iface_config {
	char name[CTL_NAME_MAX];
	bool has_mac;
	uint8_t mac[6];
	uint16_t mtu;		/* default 1500 */
	struct ctl_prefix *addrs;	/* router: `address: [..]` */
	unsigned int n_addrs;
	enum ctl_vlan_mode vlan_mode;	/* l2switch */
	uint16_t vlan;			/* access VLAN, or trunk native VLAN (0: none) */
	uint16_t *trunk;		/* allowed VLANs on a trunk */
	unsigned int n_trunk;
};

enum ctl_route_type {
	CTL_ROUTE_UNICAST,
	CTL_ROUTE_BLACKHOLE,
	CTL_ROUTE_UNREACHABLE,
};

struct ctl_nexthop {
	bool has_via;
	struct ctl_prefix via;	/* gateway (len = 32/128) */
	char iface[CTL_NAME_MAX];	/* "" when not given */
};

struct ctl_route_config {
	struct ctl_prefix prefix;
	enum ctl_route_type type;
	struct ctl_nexthop *nh;	/* 1 for `via:`/`iface:`, N for `nexthops:` */
	unsigned int n_nh;
};

struct ctl_neigh_config {
	char iface[CTL_NAME_MAX];
	struct ctl_prefix ip;
	uint8_t mac[6];
};

struct ctl_static_mac {
	uint8_t mac[6];
	uint16_t vlan;
	char iface[CTL_NAME_MAX];
};

enum ctl_fw_action {
	CTL_FW_ALLOW,
	CTL_FW_ALLOW_STATEFUL,
	CTL_FW_DROP,
	CTL_FW_REJECT,
};

struct ctl_rule_config {
	enum ctl_fw_action action;
	uint8_t proto;		/* IPPROTO_*, 0 = any */
	bool has_src, has_dst;
	struct ctl_prefix src, dst;
	uint16_t sport_lo, sport_hi;	/* 0..65535 when not given */
	uint16_t dport_lo, dport_hi;
	char in_iface[CTL_NAME_MAX];	/* "" = any */
};

struct ctl_vnf_config {
	char name[CTL_NAME_MAX];
	char type[CTL_NAME_MAX];
	struct ctl_iface_config *ifaces;
	unsigned int n_ifaces;

	/* l2switch */
	uint32_t mac_table_size;	/* default 65536 */
	uint32_t aging_time;		/* seconds, default 300; 0 = never */
	struct ctl_static_mac *static_macs;
	unsigned int n_static_macs;

	/* router */
	struct ctl_route_config *routes;
	unsigned int n_routes;
	struct ctl_neigh_config *neighbors;
	unsigned int n_neighbors;
	char *routes_file;	/* route file loaded after `routes`, or NULL */

	/* firewall */
	enum ctl_fw_action default_action;	/* default drop */
	struct ctl_rule_config *rules;
	unsigned int n_rules;
	uint32_t conn_table_size;	/* default 65536 */
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
 * Load and validate `path`.  0 and *out on success (free with
 * ctl_config_free()), or -errno and one line in err.
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

#endif /* NFV_CTL_CONFIG_H */
