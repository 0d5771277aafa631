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
#include <pthread.h>
#include <semaphore.h>
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

/*
 * A kernel mirror's own thread (nfv-mirror, nfv-evpn).  It registers with
 * DPDK (the VNF tables it writes index per-lcore state by rte_lcore_id(),
 * LCORE_ID_ANY in a plain pthread), runs setup() (which enters the netns),
 * tells the starting control thread how that went, runs loop() until the
 * control thread writes stop_fd (loop() polls it), then teardown().
 * teardown() also runs after a failed setup().  The owner fills the fields
 * above `thread` and sets stop_fd to -1 before anything can fail.
 */
struct ctl_ns_thread {
	const char *what; /* "mirror", "evpn": errors, logs, "nfv-WHAT" */
	struct ctl_netns *ns;
	void *arg;
	int (*setup)(void *arg, char *err, size_t errlen);
	void (*loop)(void *arg);
	void (*teardown)(void *arg);

	pthread_t thread;
	sem_t started;
	bool running;
	int stop_fd; /* eventfd: the control thread asks the thread to end */
	int start_rc;
	char start_err[256];
};

/* Control thread: start t and wait for its setup.  0, or -errno and
 * "WHO: WHAT: reason" in err, with the thread gone and a netns it made
 * removed (stop_fd stays open until ctl_ns_thread_close()). */
int ctl_ns_thread_start(struct ctl_ns_thread *t, const char *who, char *err,
			size_t errlen);
/* Control thread: end a running thread, remove a netns it made.  No-op
 * when it is not running. */
void ctl_ns_thread_stop(struct ctl_ns_thread *t, const char *who);
/* Stop it, then close stop_fd. */
void ctl_ns_thread_close(struct ctl_ns_thread *t, const char *who);

#endif /* NFV_CTL_NETNS_H */
