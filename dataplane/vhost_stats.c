/* SPDX-License-Identifier: BSD-3-Clause
 *
 * vhost_stats.c - librte_vhost's per-virtqueue statistics off for nfvd's
 * vhost-user ports.
 *
 * DPDK 22.11's net_vhost registers every socket with
 * RTE_VHOST_USER_NET_STATS_ENABLE, and has no devarg to leave it out.  With
 * it, librte_vhost walks every burst it dequeues or enqueues once more to
 * count packets, bytes, a size histogram and multicast/broadcast per
 * virtqueue: 30-35 busy cycles per 64-byte packet through a two-port
 * forwarder on the benchmark machine (docs/benchmarks.md, "librte_vhost's
 * statistics"), more than nfvd's switch costs.  nfvd counts packets and
 * bytes per port itself (vhost_io.h) and shows nothing of those
 * statistics: they are only net_vhost's xstats.
 *
 * So nfvd defines rte_vhost_driver_register() itself, with the library's
 * symbol version, and exports it (dataplane/nfvd.map): net_vhost's call
 * binds to the executable's definition first, which clears the flag and
 * calls librte_vhost's.  NFVD_VHOST_STATS=1 in the environment keeps the
 * flag (the xstats of `dpdk-proc-info --xstats` or telemetry's
 * /ethdev/xstats then count again; without it they answer an error for a
 * vhost-user port).  port.c logs, per device, whether the statistics are
 * on, so a DPDK that binds the call elsewhere is seen.
 *
 * Any thread: net_vhost registers from the thread that configures the
 * port (nfvd's main or control thread).
 */
#include <dlfcn.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_vhost.h>

/* The version of the symbol in librte_vhost.so.23 (DPDK 22.11). */
#define NFV_VHOST_SYMVER "DPDK_23"

typedef int (*nfv_vhost_register_fn)(const char *path, uint64_t flags);

static bool
nfv_vhost_stats_wanted(void)
{
	const char *e = getenv("NFVD_VHOST_STATS");

	return e != NULL && *e != '\0' && strcmp(e, "0") != 0;
}

int
rte_vhost_driver_register(const char *path, uint64_t flags)
{
	nfv_vhost_register_fn real;

	real = (nfv_vhost_register_fn)dlvsym(RTLD_NEXT,
					     "rte_vhost_driver_register",
					     NFV_VHOST_SYMVER);
	if (real == NULL) {
		rte_errno = ENOSYS;
		return -1;
	}
	if (!nfv_vhost_stats_wanted())
		flags &= ~RTE_VHOST_USER_NET_STATS_ENABLE;
	return real(path, flags);
}
