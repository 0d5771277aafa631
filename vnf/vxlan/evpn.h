/* SPDX-License-Identifier: BSD-3-Clause
 *
 * evpn.h - the vxlan VNF's side of BGP-EVPN through a kernel mirror
 * (issue 14, item 2; docs/overlay.md, "EVPN"): what FRR's zebra installs
 * in the mirror netns, read from rtnetlink messages, applied to a vxlan
 * instance with its own verbs; and the message that writes a MAC nfvd
 * learned back into the kernel bridge's FDB, for zebra to advertise.
 *
 *   RTM_NEWLINK, kind vxlan        IFLA_VXLAN_ID, IFLA_VXLAN_LOCAL(6):
 *                                  which device is which VNI
 *   RTM_NEWNEIGH AF_BRIDGE on a vxlan device, NDA_DST:
 *     00:00:00:00:00:00            a VTEP of the VNI's flood list (type 3)
 *     any other MAC                a remote MAC behind that VTEP (type 2)
 *   RTM_DELNEIGH                   the same, removed
 *
 * Not wired to a netlink socket yet: the mirror thread (control/mirror/)
 * would hand these messages over.  Raw <linux/rtnetlink.h> parsing, no
 * libnl: the messages are small and fixed.  Control thread only.
 */
#ifndef VNF_VXLAN_EVPN_H
#define VNF_VXLAN_EVPN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "control/config.h"

struct vnf_instance;

enum vx_evpn_kind {
	VX_EV_NONE,  /* a message this glue does not use */
	VX_EV_LINK,  /* a vxlan device: ifindex, vni, local */
	VX_EV_FLOOD, /* a VTEP into / out of a VNI's flood list */
	VX_EV_MAC,   /* a remote MAC behind a VTEP */
};

struct vx_evpn_ev {
	enum vx_evpn_kind kind;
	bool del;
	int ifindex;  /* the vxlan device */
	bool has_vni; /* NDA_VNI (a single, external device) */
	uint32_t vni;
	struct ctl_prefix addr; /* the remote VTEP, or LINK: the local one */
	bool has_addr;
	uint8_t mac[6];
};

/* The vxlan devices seen, ifindex -> VNI. */
#define VX_EVPN_LINKS 64
struct vx_evpn {
	struct vnf_instance *vi;
	unsigned int n_links;
	struct {
		int ifindex;
		uint32_t vni;
	} links[VX_EVPN_LINKS];
};

/* One netlink message (its header first, len bytes at most): 0 and *ev
 * (kind NONE for what is not used), or -EINVAL when it is malformed. */
int vx_evpn_parse(const void *msg, size_t len, struct vx_evpn_ev *ev);

/* Apply ev to e->vi through its verbs (vtep add/del, fdb add/del).  0,
 * or -errno and a one-line reason in err. */
int vx_evpn_apply(struct vx_evpn *e, const struct vx_evpn_ev *ev, char *err,
		  size_t errlen);

/* The message that adds (or deletes) `mac` as learned on bridge port
 * `ifindex` (NTF_MASTER, NUD_REACHABLE): zebra then advertises it as a
 * local MAC of the VNI.  Its length, or 0 when cap is too small. */
size_t vx_evpn_local_msg(void *buf, size_t cap, int ifindex,
			 const uint8_t mac[6], bool del);

#endif /* VNF_VXLAN_EVPN_H */
