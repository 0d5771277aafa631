/* SPDX-License-Identifier: BSD-3-Clause
 *
 * config.h - the vxlan VNF's part of a `vnfs:` entry (vnf/vxlan/config.c),
 * and the one parser of its objects (a VTEP, an FDB entry) that both the
 * config file and the control verbs use.  Free of DPDK: nfvctl and the
 * config fuzzer link it too.  docs/overlay.md.
 */
#ifndef VNF_VXLAN_CONFIG_H
#define VNF_VXLAN_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "control/config.h"

/* Iface 0 is the underlay; every other iface is one VNI's segment. */
#define VX_IF_UNDERLAY 0
/* Remote VTEPs of one instance (flood lists are bitmaps of this size). */
#define VX_MAX_VTEPS 256
/* The largest VNI (24 bits). */
#define VX_VNI_MAX 0xffffffu
/* RFC 7348's port. */
#define VX_PORT_DEFAULT 4789
/* Geneve's (RFC 8926, IANA). */
#define VX_PORT_GENEVE 6081

/* The encapsulation of an instance (`encap:`, docs/overlay.md). */
enum vx_encap_kind {
	VX_ENCAP_VXLAN,	 /* RFC 7348 */
	VX_ENCAP_GENEVE, /* RFC 8926, without options */
};

struct vx_vtep_config {
	struct ctl_prefix ip; /* family AF_INET or AF_INET6, len full */
	bool has_mac;
	uint8_t mac[6]; /* the underlay next hop towards it */
	uint32_t *vnis; /* VNIs whose BUM frames it gets */
	unsigned int n_vnis;
};

struct vx_fdb_config {
	uint8_t mac[6];
	uint32_t vni;
	struct ctl_prefix vtep;
};

struct vx_config {
	uint32_t *vni; /* [n_ifaces]: iface i's VNI ([0]: unused) */
	bool has_local4, has_local6;
	uint8_t local4[4]; /* the local VTEP addresses, network order */
	uint8_t local6[16];
	uint8_t mac[6]; /* the underlay iface's own MAC */
	bool has_nexthop_mac;
	uint8_t nexthop_mac[6]; /* default next hop of VTEPs without `mac` */
	uint8_t encap;		/* enum vx_encap_kind, default vxlan */
	uint16_t udp_port;	/* default 4789, or 6081 for geneve */
	uint32_t mtu;		/* underlay IP MTU, default 1500 */
	uint32_t fdb_size;	/* default 65536 */
	uint32_t aging_time;	/* seconds, default 300; 0: never */
	/* evpn: {netns: NAME}: BGP-EVPN through a kernel mirror in that
	 * netns (control/mirror/evpn.c); "" when not set. */
	char evpn_netns[64];
	struct vx_vtep_config *vteps;
	unsigned int n_vteps;
	struct vx_fdb_config *fdb;
	unsigned int n_fdb;
};

/* The VNI of iface `iface` of `v`'s config; -1 when none has it. */
int vx_config_vni_iface(const struct vx_config *xc, unsigned int n_ifaces,
			uint32_t vni);

/*
 * One VTEP and one FDB entry, read from a request's arguments (the verbs
 * `vtep add`, `fdb add`) with the schema and checks of the config file:
 * errors read the same.  The raw structs are the schema's.
 */
struct vx_raw_vtep {
	char *ip, *mac;
	char **vnis;
	unsigned int vnis_count;
};

struct vx_raw_fdb {
	char *mac, *vni, *vtep;
};

extern const cyaml_schema_value_t vx_vtep_schema;
extern const cyaml_schema_value_t vx_fdb_schema;

int vx_vtep_parse(struct ctl_cfg *c, const char *at,
		  const struct vx_raw_vtep *r, const struct vx_config *xc,
		  unsigned int n_ifaces, struct vx_vtep_config *t);
void vx_vtep_config_clear(struct vx_vtep_config *t);
int vx_fdb_parse(struct ctl_cfg *c, const char *at, const struct vx_raw_fdb *r,
		 const struct vx_config *xc, unsigned int n_ifaces,
		 struct vx_fdb_config *f);

#endif /* VNF_VXLAN_CONFIG_H */
