/* SPDX-License-Identifier: BSD-3-Clause */
/* nfv-vmm's command line: parsed and checked before anything starts. */
#ifndef NFV_VMM_CLI_H
#define NFV_VMM_CLI_H

#include <stddef.h>
#include <stdio.h>

#include "virtio_net.h"

struct vmm_opts {
	const char *kernel;
	const char *initrd;
	const char *cmdline;
	const char *payload;
	enum vmm_boot_mode payload_mode;
	const char *console;	/* NULL: stdout */
	uint64_t mem;
	unsigned int cpus;
	bool hugepages;
	bool default_cmdline;
	bool timing;
	int log_level;
	unsigned int nr_nets;
	struct vmm_net_config nets[VMM_MAX_NICS];
	char net_paths[VMM_MAX_NICS][108];
};

/*
 * 0: run; 1: help or version printed, exit 0; -EINVAL: err holds the
 * message for the user.
 */
int vmm_opts_parse(struct vmm_opts *o, int argc, char **argv, char *err,
		   size_t errlen);
int vmm_parse_size(const char *s, uint64_t *out);
int vmm_parse_mac(const char *s, uint8_t mac[6]);
void vmm_usage(FILE *f);

#endif
