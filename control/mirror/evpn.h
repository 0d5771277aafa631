/* SPDX-License-Identifier: BSD-3-Clause
 *
 * evpn.h - the EVPN mirror of a vxlan VNF (docs/overlay.md, "EVPN"): a
 * thread "nfv-evpn" per vxlan instance with `evpn: {netns: NAME}`, which
 * lives in that netns, makes there for every VNI V of the instance the
 * devices FRR's zebra (`advertise-all-vni`) needs - a bridge br<V>, a
 * kernel vxlan device vxlan<V> and a port nfv<V> standing for nfvd's
 * local side - and the local VTEP address on lo; mirrors the bridge FDB
 * entries zebra installs on the vxlan devices into the VNF (flood lists,
 * remote MACs); and writes the MACs that nfvd's workers saw locally to
 * the bridge FDB on nfv<V>, for zebra to advertise.
 *
 * Threads: ctl_evpn_start/stop/free are called by the control thread;
 * everything else runs on the EVPN thread, which calls the VNF
 * (vnf/vxlan/evpn.h) only under ctl_server_lock().
 */
#ifndef NFV_CTL_EVPN_H
#define NFV_CTL_EVPN_H

#include <stddef.h>

struct ctl_evpn;
struct vnf_instance;

/*
 * Start the EVPN mirror of vxlan instance vi (vx_evpn_is(vi)): enter (or
 * create) the netns, make the devices, open the event socket and request
 * the first dump.  Returns once the devices exist, or fails with -errno
 * and a one-line reason in err, leaving nothing behind (no thread, no
 * device, no netns it created).  The caller must not hold
 * ctl_server_lock().
 */
int ctl_evpn_start(struct vnf_instance *vi, struct ctl_evpn **out, char *err,
		   size_t errlen);

/* Stop the thread, remove the devices and the address it made, and the
 * netns if start created it.  NULL or already stopped: no-op.  The VNF
 * must still exist.  The caller must not hold ctl_server_lock(). */
void ctl_evpn_stop(struct ctl_evpn *ev);
void ctl_evpn_free(struct ctl_evpn *ev);

#endif /* NFV_CTL_EVPN_H */
