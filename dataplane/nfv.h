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

extern int nfv_logtype_main;
extern int nfv_logtype_port;
extern int nfv_logtype_graph;

#define NFV_LOG(level, type, fmt, ...)                                        \
	rte_log(RTE_LOG_##level, nfv_logtype_##type, "nfvd: " fmt "\n",       \
		##__VA_ARGS__)

#define NFV_MAX_PORTS 64
#define NFV_MAX_WORKERS 64
#define NFV_BURST 32

/* Set by the signal handler; read by the control loop and the workers. */
extern atomic_bool nfv_stopping;

#endif /* NFV_NFV_H */
