/* SPDX-License-Identifier: BSD-3-Clause
 *
 * fuzz_config.c - the fuzz target for control/config.c.
 *
 * LLVMFuzzerTestOneInput() writes the input into a memfd and loads it
 * through /proc/self/fd/N, the same path a user's file takes.  Beyond "no
 * crash, no leak" (the sanitizers' job) it checks the loader's contract:
 * success gives a config whose indices are all in range; failure gives no
 * config and exactly one line that starts with the file name.  A broken
 * contract aborts, so libFuzzer and the plain driver both report it.
 *
 * Built as a libFuzzer binary with clang, and linked into fuzz_driver.c
 * (any compiler) for the bounded run in the 'fuzz' test suite.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "control/config.h"
#include "vnf/router/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_check(int cond, const char *what, const char *err)
{
	if (cond)
		return;
	fprintf(stderr, "fuzz_config: contract broken: %s (err: %s)\n", what,
		err);
	abort();
}

static void fuzz_check_config(const struct ctl_config *cfg)
{
	unsigned int i, j;

	fuzz_check(cfg->control.socket != NULL, "control.socket set", "");
	fuzz_check(cfg->dataplane.workers >= 1 &&
		   cfg->dataplane.workers <= 64, "workers in range", "");
	for (i = 0; i < cfg->n_ports; i++) {
		const struct ctl_port_config *p = &cfg->ports[i];

		fuzz_check(p->name[0] != '\0', "port has a name", "");
		fuzz_check(p->queues >= 1 && p->queues <= 16, "queues", "");
		fuzz_check(p->ring_size >= 64 && p->ring_size <= 4096 &&
			   !(p->ring_size & (p->ring_size - 1)), "ring", "");
	}
	for (i = 0; i < cfg->n_vnfs; i++) {
		const struct ctl_vnf_config *v = &cfg->vnfs[i];

		fuzz_check(v->n_ifaces >= 1, "vnf has ifaces", "");
		fuzz_check(v->vtype != NULL && v->priv != NULL,
			   "vnf has its type's config", "");
		if (!strcmp(v->type, "router")) {
			const struct rt_config *rc = v->priv;

			for (j = 0; j < rc->n_routes; j++)
				fuzz_check(rc->routes[j].type !=
						   RT_ROUTE_UNICAST ||
					   rc->routes[j].n_nh >= 1,
				   "route nh", "");
		}
	}
	for (i = 0; i < cfg->n_links; i++) {
		const struct ctl_endpoint *e[2] = { &cfg->links[i].a,
						    &cfg->links[i].b };

		for (j = 0; j < 2; j++) {
			if (e[j]->is_port) {
				fuzz_check(e[j]->index < cfg->n_ports,
					   "port index", "");
				continue;
			}
			fuzz_check(e[j]->index < cfg->n_vnfs, "vnf index", "");
			fuzz_check(e[j]->iface <
				   cfg->vnfs[e[j]->index].n_ifaces,
				   "iface index", "");
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	struct ctl_config *cfg = (void *)1;
	char path[64], err[512];
	int rc;

	if (fd < 0) {
		fd = memfd_create("nfv-cfg-fuzz", MFD_CLOEXEC);
		if (fd < 0) {
			perror("memfd_create");
			abort();
		}
	}
	if (ftruncate(fd, 0) ||
	    (size && pwrite(fd, data, size, 0) != (ssize_t)size)) {
		perror("memfd write");
		abort();
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	err[0] = '\0';
	rc = ctl_config_load(path, &cfg, err, sizeof(err));
	if (rc == 0) {
		fuzz_check(cfg != NULL && cfg != (void *)1, "config on success",
			   err);
		fuzz_check_config(cfg);
		ctl_config_free(cfg);
		return 0;
	}
	fuzz_check(rc == -EINVAL || rc == -ENOMEM, "-EINVAL on bad input",
		   err);
	fuzz_check(cfg == NULL, "no config on failure", err);
	fuzz_check(!strncmp(err, path, strlen(path)), "message names file",
		   err);
	fuzz_check(strlen(err) > strlen(path) + 2, "message has a reason",
		   err);
	fuzz_check(strchr(err, '\n') == NULL, "message is one line", err);
	return 0;
}
