/* SPDX-License-Identifier: BSD-3-Clause
 *
 * config.h - the bpf VNF's part of a `vnfs:` entry (vnf/bpf/config.c).
 * Free of DPDK.
 */
#ifndef VNF_BPF_CONFIG_H
#define VNF_BPF_CONFIG_H

#include <stdbool.h>

#include "control/config.h"

struct vnf_bpf_config {
	char *program; /* the ELF object, as written (a relative path is
			* nfvd's working directory's) */
	char *section; /* its section or function; NULL: its only one */
	bool jit;      /* false: always the interpreter (default true) */
};

#endif /* VNF_BPF_CONFIG_H */
