/* SPDX-License-Identifier: BSD-3-Clause
 *
 * netns.h - the network namespace of a kernel mirror (the router's
 * nfv-mirror, the vxlan VNF's nfv-evpn): entered by the mirror's own
 * thread, made like `ip netns add NAME` when it is missing, and removed at
 * stop only when nfvd made it.
 */
#ifndef NFV_CTL_NETNS_H
#define NFV_CTL_NETNS_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

struct ctl_netns {
	char name[64];	     /* set by the caller: an `ip netns` name */
	char path[PATH_MAX]; /* /run/netns/NAME, set by ctl_netns_enter() */
	bool created;	     /* ctl_netns_enter() made it */
};

/* The calling thread (only it) enters netns ns->name, creating it when
 * missing (ns->created then true; forwarding is switched on in a netns
 * nfvd makes, as routing daemons expect).  0 or -errno and a reason. */
int ctl_netns_enter(struct ctl_netns *ns, char *err, size_t errlen);
/* After the thread that entered it ended (any thread): remove the netns
 * if ctl_netns_enter() created it.  No-op otherwise. */
void ctl_netns_remove(struct ctl_netns *ns);

#endif /* NFV_CTL_NETNS_H */
