/* SPDX-License-Identifier: BSD-3-Clause
 *
 * mirror.h - the kernel mirror of a router (docs/control-plane.md): a
 * thread "nfv-mirror" that lives in the router's netns, holds one tap (the
 * twin) per router iface, moves punted and injected frames between the
 * twins and the router, and mirrors the netns's links, addresses, routes
 * and neighbours into the router over rtnetlink.
 *
 * Threads: ctl_mirror_start/stop/free are called by the control thread;
 * everything else runs on the mirror's own thread, which calls the router
 * (vnf/router/router.h, "the kernel mirror") only under ctl_server_lock().
 */
#ifndef NFV_CTL_MIRROR_H
#define NFV_CTL_MIRROR_H

#include <stddef.h>

struct ctl_mirror;
struct vnf_instance;

/* Environment variable: the event socket's receive buffer in bytes
 * (SO_RCVBUFFORCE), default CTL_MIRROR_RCVBUF_DEFAULT. */
#define CTL_MIRROR_RCVBUF_ENV "NFVD_MIRROR_RCVBUF"
#define CTL_MIRROR_RCVBUF_DEFAULT (64u << 20)

/*
 * Start the mirror of router vi (vnf_router_mirror_config(vi) != NULL):
 * enter (or create) the netns, make the twins, attach them to the router,
 * open the event socket and request the first full dump.  Returns once the
 * twins exist, or fails with -errno and a one-line reason in err, leaving
 * nothing behind (no thread, no twin, no netns it created).  The first
 * dump is applied by the mirror thread afterwards (state "syncing").
 * The caller must not hold ctl_server_lock().
 */
int ctl_mirror_start(struct vnf_instance *vi, struct ctl_mirror **out,
		     char *err, size_t errlen);

/*
 * Stop the thread, detach the twins from the router (they vanish with
 * their file descriptors) and remove the netns if start created it.  The
 * router must still exist; ctl_mirror_free() comes after the ports and the
 * router are gone (injected mbufs of the mirror's pool may sit in TX
 * queues until then).  NULL or already stopped: no-op.  The caller must
 * not hold ctl_server_lock().
 */
void ctl_mirror_stop(struct ctl_mirror *m);
void ctl_mirror_free(struct ctl_mirror *m);

#endif /* NFV_CTL_MIRROR_H */
