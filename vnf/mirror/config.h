/* SPDX-License-Identifier: BSD-3-Clause
 *
 * config.h - the mirror's part of a `vnfs:` entry (vnf/mirror/config.c).
 * Free of DPDK.
 */
#ifndef VNF_MIRROR_CONFIG_H
#define VNF_MIRROR_CONFIG_H

#include <stdint.h>

#include "control/config.h"

/* The ifaces, by position: config.c checks their names. */
enum { MIR_IF_IN, MIR_IF_OUT, MIR_IF_SPAN, MIR_N_IFACES };

/* Which frames are copied to span: those that came in by `in`, by
 * `out`, or both. */
enum mir_direction {
	MIR_DIR_IN = 1,
	MIR_DIR_OUT = 2,
	MIR_DIR_BOTH = 3,
};

struct mir_config {
	enum mir_direction direction;	/* default in */
	uint32_t snaplen;	/* bytes of a frame copied, 0: all (default) */
	uint32_t sample;	/* copy 1 frame in N (default 1: every one) */
};

extern const char *const mir_direction_names[];

#endif /* VNF_MIRROR_CONFIG_H */
