/* SPDX-License-Identifier: BSD-3-Clause
 *
 * config.h - the l2switch's part of a `vnfs:` entry (vnf/l2switch/config.c).
 *
 * Read by the config loader through the type's struct ctl_vnf_type; the
 * switch's create() finds it in ctl_vnf_config.priv.  Free of DPDK.
 */
#ifndef VNF_L2SWITCH_CONFIG_H
#define VNF_L2SWITCH_CONFIG_H

#include <stdint.h>

#include "control/config.h"


/* VLAN mode of an iface. */
enum l2sw_vlan_mode {
	L2SW_VLAN_NONE,		/* untagged, VLAN 0 */
	L2SW_VLAN_ACCESS,	/* untagged on the wire, `vlan: N` inside */
	L2SW_VLAN_TRUNK,	/* tagged on the wire, `trunk: [..]` allowed */
};

struct l2sw_iface_config {
	enum l2sw_vlan_mode vlan_mode;
	uint16_t vlan;		/* access VLAN, or trunk native VLAN (0: none) */
	uint16_t *trunk;	/* allowed VLANs on a trunk */
	unsigned int n_trunk;
};

struct l2sw_static_mac {
	uint8_t mac[6];
	uint16_t vlan;
	char iface[CTL_NAME_MAX];
};

struct l2sw_config {
	uint32_t mac_table_size;	/* default 65536 */
	uint32_t aging_time;		/* seconds, default 300; 0 = never */
	struct l2sw_iface_config *ifaces;	/* [n_ifaces] of the entry */
	struct l2sw_static_mac *static_macs;
	unsigned int n_static_macs;
};

#endif /* VNF_L2SWITCH_CONFIG_H */
