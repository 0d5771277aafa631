/* SPDX-License-Identifier: BSD-3-Clause
 *
 * nfv.h - shared definitions of the data plane core.
 */
#ifndef NFV_NFV_H
#define NFV_NFV_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <rte_log.h>

#include "vnf/lib/limits.h"

extern int nfv_logtype_main;
extern int nfv_logtype_port;
extern int nfv_logtype_graph;

#define NFV_LOG(level, type, fmt, ...)                                        \
	rte_log(RTE_LOG_##level, nfv_logtype_##type, "nfvd: " fmt "\n",       \
		##__VA_ARGS__)

_Static_assert(NFV_MAX_WORKERS < RTE_MAX_LCORE,
	       "the main lcore and every worker's lcore exist");

/* Set by the signal handler; read by the control loop and the workers. */
extern atomic_bool nfv_stopping;

#endif /* NFV_NFV_H */
