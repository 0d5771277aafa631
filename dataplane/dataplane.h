/* SPDX-License-Identifier: BSD-3-Clause
 *
 * dataplane.h - the state of one nfvd process: ports, VNF instances,
 * workers, and how the control thread builds and tears them down.
 */
#ifndef NFV_DATAPLANE_H
#define NFV_DATAPLANE_H

#include <limits.h>
#include <stdint.h>

#include "control/config.h"
#include "control/mirror/evpn.h"
#include "control/mirror/mirror.h"
#include "dataplane/graph.h"
#include "dataplane/idle.h"
#include "dataplane/nfv.h"
#include "dataplane/port.h"
#include "vnf/vnf.h"

/*
 * One poll-mode worker.  The counters are written by the worker only and
 * read, unlocked, by the control thread: 64-bit aligned loads and stores
 * are atomic on the CPUs DPDK supports, and a reader only needs a value
 * that was true at some point.
 */
struct nfv_xdp_pool;

struct nfv_worker {
	struct nfv_wctx *ctx;
	unsigned int lcore;
	uint64_t loops;
	uint64_t busy_loops;
	uint64_t pkts;
	uint64_t busy_cycles;
	struct nfv_idle idle;	/* dataplane.idle: sleep or block when idle */
} __rte_cache_aligned;

struct nfv_dataplane {
	struct ctl_config *cfg;
	unsigned int n_workers;
	struct rte_mempool *pool;
	unsigned int n_ports;		/* slots used so far; see nfv_port_in_use() */
	struct nfv_port ports[NFV_MAX_PORTS];
	struct ctl_config *port_cfg[NFV_MAX_PORTS]; /* added at run time: owner */
	unsigned int n_vnfs;
	struct vnf_instance *vnfs[NFV_MAX_VNFS];
	struct nfv_worker workers[NFV_MAX_WORKERS];
	/* The kernel mirror of router vnfs[i] (control/mirror/), or NULL. */
	struct ctl_mirror *mirrors[NFV_MAX_VNFS];
	/* The EVPN mirror of vxlan vnfs[i] (control/mirror/evpn.c), or NULL. */
	struct ctl_evpn *evpns[NFV_MAX_VNFS];
	/* Own pools of af_xdp ports that are gone, not freed yet because
	 * something may still hold one of their mbufs (nfv_xdp_pools_reap). */
	struct nfv_xdp_pool *xdp_pools;
	/* Mbufs of af_xdp ports' pools: kept by the driver's fill rings and
	 * freed with their pool; not returned beyond that (a leak). */
	unsigned int xdp_kept, xdp_lost;
};

extern struct nfv_dataplane nfv_dp;

/* Control thread: build everything the config names; 0 or -errno and a
 * one-line reason.  nfv_dataplane_destroy() undoes any part of it. */
int nfv_dataplane_create(struct ctl_config *cfg, char *err, size_t errlen);
void nfv_dataplane_destroy(void);
/*
 * Control thread, after nfv_dataplane_create() and before the workers
 * start: start the kernel mirror of every router whose config has
 * `mirror:` (docs/control-plane.md), and the EVPN mirror of every vxlan
 * whose config has `evpn:` (docs/overlay.md).  0 or -errno and a one-line
 * reason; mirrors already started are stopped by nfv_dataplane_destroy().
 */
int nfv_mirrors_start(char *err, size_t errlen);
/* Launch the workers on their lcores / stop and join them. */
int nfv_workers_start(void);
void nfv_workers_stop(void);
/* Control thread, every ~100 ms: links, VNF housekeeping, RCU frees. */
void nfv_dataplane_periodic(void);
/* Control thread, after nfv_dataplane_periodic(): true when the workers
 * rest when idle (dataplane.idle sleep or interrupt) and no packet came in
 * since the last call.  Then the housekeeping may wait
 * NFV_PERIOD_IDLE_MS: on a lab machine an idle nfvd's control thread
 * costs as much CPU as its blocked worker otherwise. */
#define NFV_PERIOD_IDLE_MS 1000
bool nfv_dataplane_quiet(void);

/* Control thread: add a port described by `cfg` (which it takes over) and
 * optionally link it to `link` (a free VNF iface "VNF.IFACE"); remove one.
 * Workers keep running; no packet of another port is lost. */
int nfv_dataplane_port_add(struct ctl_config *cfg, const char *link, char *err,
			   size_t errlen);
int nfv_dataplane_port_del(const char *name, char *err, size_t errlen);

/*
 * Control thread (dataplane/reload.c): read the config `path` (NULL: the
 * file nfvd started with) and apply what changed that can change at run
 * time: ports added and removed with their links, through
 * nfv_dataplane_port_add() and _del().  Anything else that differs is
 * refused, every difference named in err, and nothing changes.  0 with
 * what was done in *rep, or -errno and one line in err.
 */
struct nfv_reload_report {
	char file[PATH_MAX];
	unsigned int n_added, n_removed, n_kept;
	char added[NFV_MAX_PORTS][NFV_NAME_MAX];
	char removed[NFV_MAX_PORTS][NFV_NAME_MAX];
};
int nfv_dataplane_reload(const char *path, struct nfv_reload_report *rep,
			 char *err, size_t errlen);
/* Control thread, at start: the text of the config nfvd runs, which a
 * reload compares its VNFs with.  0 or -errno. */
int nfv_reload_baseline(const char *text, size_t len);
void nfv_reload_baseline_free(void);
/* Control thread: a copy of one port's config, as a config of its own
 * (what nfv_dataplane_port_add() takes over); NULL without memory. */
struct ctl_config *nfv_port_cfg_dup(const char *file,
				    const struct ctl_port_config *p);
/* Control thread, from nfv_dataplane_periodic(): make af_packet ports
 * again whose interface was deleted and made again (dataplane/reload.c). */
void nfv_dataplane_rebind(void);

static inline bool
nfv_port_in_use(const struct nfv_port *p)
{
	return p->cfg != NULL;
}

/* Control commands (dataplane/ctl_cmds.c). */
int nfv_ctl_cmds_register(void);

/* EAL arguments for a config (dataplane/eal.c). */
int nfv_eal_args(const struct ctl_config *cfg, int user_argc,
		 char **user_argv, const char *log_level, char ***argv_out,
		 int *argc_out, char *err, size_t errlen);
/* Free 2 MiB hugepages on a mounted hugetlbfs, in MiB; 0 when none. */
unsigned long nfv_hugepages_free_mb(void);
/* Remove this process's hugepage files and DPDK runtime directory
 * (/var/run/dpdk/PREFIX) after rte_eal_cleanup(). */
void nfv_eal_remove_hugefiles(const char *prefix);
void nfv_eal_remove_runtime_dir(const char *dir);

#endif /* NFV_DATAPLANE_H */
