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
 * The thread nfv-evpn (control/mirror/evpn.c) reads these messages in the
 * netns of `evpn: {netns: NAME}` and hands them over; it also reads the
 * local MACs that workers record (vx_evpn_locals()) and writes them to
 * the kernel bridge (vx_evpn_local_msg()).  Raw <linux/rtnetlink.h>
 * parsing, no libnl: the messages are small and fixed.  Control thread
 * (or nfv-evpn under ctl_server_lock()) only.
 */
#ifndef VNF_VXLAN_EVPN_H
#define VNF_VXLAN_EVPN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "control/config.h"
#include "vnf/lib/limits.h"

struct vnf_instance;
typedef struct json_t json_t;

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

/* Is vi a vxlan instance with `evpn:`? */
bool vx_evpn_is(const struct vnf_instance *vi);

/* What the EVPN mirror needs of an instance to make its kernel devices:
 * the netns, the UDP port, the local VTEP address (IPv4 when there is
 * one), and the VNI of each iface (vni[0]: the underlay, none). */
struct vx_evpn_info {
	char netns[64];
	uint16_t udp_port;
	uint16_t n_ifaces;
	struct ctl_prefix local;
	uint32_t vni[NFV_MAX_IFACES];
	uint32_t aging_time;
	uint32_t fdb_size;
};
/* 0, or -ENOENT when vi is not a vxlan with `evpn:`. */
int vx_evpn_info(const struct vnf_instance *vi, struct vx_evpn_info *out);

/* `show evpn` and `show vnf`'s evpn part call fn(arg) (under
 * ctl_server_lock()); NULL: none. */
void vx_evpn_hook(struct vnf_instance *vi, json_t *(*fn)(void *arg), void *arg);

/* The key of a local MAC: the iface (vni[] index) above the MAC's 48
 * bits, as the FDB keeps it. */
static inline uint16_t
vx_evpn_key_iface(uint64_t key)
{
	return (uint16_t)(key >> 48);
}

static inline void
vx_evpn_key_mac(uint64_t key, uint8_t mac[6])
{
	unsigned int i;

	for (i = 0; i < 6; i++)
		mac[i] = (uint8_t)(key >> (8 * i));
}

/*
 * The local MACs of vi's FDB (recorded by workers), sorted, in keys[]
 * (cap at most; *n how many there are, which may be more than cap).
 * *gen: the FDB's generation when they were read last; when it did not
 * change, -EALREADY and nothing is read.
 */
int vx_evpn_locals(struct vnf_instance *vi, uint32_t *gen, uint64_t *keys,
		   unsigned int cap, unsigned int *n);

/* Forget what EVPN added: its FDB entries and the VTEPs it made (with
 * what was learned behind them), before a resync applies the kernel's
 * dump again.  0 or -ENOMEM. */
int vx_evpn_flush(struct vnf_instance *vi);

/* One netlink message (its header first, len bytes at most): 0 and *ev
 * (kind NONE for what is not used), or -EINVAL when it is malformed. */
int vx_evpn_parse(const void *msg, size_t len, struct vx_evpn_ev *ev);

/* Apply ev to e->vi through its verbs (vtep add/del, fdb add/del, with
 * origin evpn).  0 applied, 1 not ours (a device or VNI that is not the
 * instance's, a delete of what EVPN did not add), or -errno and a
 * one-line reason in err. */
int vx_evpn_apply(struct vx_evpn *e, const struct vx_evpn_ev *ev, char *err,
		  size_t errlen);

/* The message that adds (or deletes) `mac` as learned on bridge port
 * `ifindex` (NTF_MASTER, NUD_REACHABLE): zebra then advertises it as a
 * local MAC of the VNI.  Its length, or 0 when cap is too small. */
size_t vx_evpn_local_msg(void *buf, size_t cap, int ifindex,
			 const uint8_t mac[6], bool del);

#endif /* VNF_VXLAN_EVPN_H */
