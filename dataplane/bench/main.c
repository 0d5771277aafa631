/* SPDX-License-Identifier: BSD-3-Clause
 *
 * main.c - nfv-bench: options, EAL, the ports, one result per frame size,
 * then the table, JSON and plot.  See bench.h for the design and
 * docs/benchmarks.md for how to run and read it.
 *
 * Exit status: 0 done; 1 a runtime failure (EAL, a port, a file); 2 a
 * usage error; 130 interrupted (what was measured is still reported).
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>

#include "dataplane/bench/bench.h"
#include "dataplane/dataplane.h"

#define NFVB_EAL_MAX_ARGS 96

static void
nfvb_on_signal(int sig)
{
	nfvb_interrupted = 1;
	/* A second signal ends the process the usual way. */
	signal(sig, SIG_DFL);
}

static bool
nfvb_user_has(const struct nfvb_opts *o, const char *opt)
{
	size_t len = strlen(opt);
	int i;

	for (i = 0; i < o->eal_argc; i++)
		if (strncmp(o->eal_argv[i], opt, len) == 0 &&
		    (o->eal_argv[i][len] == '\0' || o->eal_argv[i][len] == '='))
			return true;
	return false;
}

/*
 * EAL arguments: the generator on one core, its own file prefix, memory
 * in memfds (hugepages with --in-memory, or --no-huge: nothing is left in
 * /dev/hugepages, and vhost-user can still map it), one virtio-user vdev
 * per port.  Arguments after `--` are appended and win.  The runtime
 * directory EAL makes anyway is removed by nfvb_eal_cleanup().
 */
int
nfvb_eal_init(const struct nfvb_opts *o)
{
	static char *argv[NFVB_EAL_MAX_ARGS + 1];
	static char lcores[32], prefix[160], mem[16];
	static char vdev[NFVB_MAX_PORTS][256];
	unsigned int i;
	int argc = 0;
	bool huge = !o->no_huge && !nfvb_user_has(o, "--no-huge");

	if (huge && nfv_hugepages_free_mb() < o->memory) {
		fprintf(stderr,
			"nfv-bench: fewer than %u MiB of free hugepages: using --no-huge\n",
			o->memory);
		huge = false;
	}
	argv[argc++] = "nfv-bench";
	if (!nfvb_user_has(o, "-l") && !nfvb_user_has(o, "--lcores")) {
		snprintf(lcores, sizeof(lcores), "0@%d", o->cpu);
		argv[argc++] = "--lcores";
		argv[argc++] = lcores;
	}
	snprintf(prefix, sizeof(prefix), "--file-prefix=%s", o->file_prefix);
	argv[argc++] = prefix;
	argv[argc++] = "--no-pci";
	argv[argc++] = "--no-telemetry";
	snprintf(mem, sizeof(mem), "%u", o->memory);
	argv[argc++] = "-m";
	argv[argc++] = mem;
	if (huge) {
		argv[argc++] = "--in-memory";
		argv[argc++] = "--single-file-segments";
	} else {
		/* --no-huge memory is a memfd already; --in-memory would
		 * clash with the legacy memory mode --no-huge implies. */
		argv[argc++] = "--no-huge";
		argv[argc++] = "--no-shconf";
	}
	argv[argc++] = "--log-level=lib.*:notice";
	/* EAL warns on every run that no 1 GiB pages are free. */
	argv[argc++] = "--log-level=lib.eal:error";
	argv[argc++] = "--log-level=pmd.*:notice";
	if (o->ports_kind == NFVB_PORTS_VIRTIO && o->mode != NFVB_MODE_VNF_COST) {
		for (i = 0; i < o->n_ports; i++) {
			if (nfvb_vdev_arg(o, i, vdev[i], sizeof(vdev[i])) < 0) {
				fprintf(stderr, "nfv-bench: port %u: arguments too long\n",
					i);
				return -ENAMETOOLONG;
			}
			argv[argc++] = "--vdev";
			argv[argc++] = vdev[i];
		}
	}
	if (argc + o->eal_argc > NFVB_EAL_MAX_ARGS) {
		fprintf(stderr, "nfv-bench: too many EAL arguments\n");
		return -E2BIG;
	}
	for (i = 0; i < (unsigned int)o->eal_argc; i++)
		argv[argc++] = o->eal_argv[i];
	argv[argc] = NULL;
	if (rte_eal_init(argc, argv) < 0) {
		fprintf(stderr, "nfv-bench: DPDK EAL initialisation failed: %s\n",
			rte_strerror(rte_errno));
		return -rte_errno;
	}
	return 0;
}

void
nfvb_eal_cleanup(void)
{
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	/* EAL leaves its (empty, with --no-shconf) runtime directory. */
	nfv_eal_remove_runtime_dir(dir);
}

static int
nfvb_write_pcap(const struct nfvb_opts *o)
{
	struct nfvb_traffic t;
	char err[256];
	int rc;

	rc = nfvb_traffic_build(&t, o, o->n_ports, o->sizes[0], err,
				sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "nfv-bench: %s\n", err);
		return NFVB_EXIT_USAGE;
	}
	rc = nfvb_pcap_write(&t, o->pcap, RTE_MAX(64u, o->flows));
	nfvb_traffic_free(&t);
	if (rc < 0) {
		fprintf(stderr, "nfv-bench: %s: %s\n", o->pcap, strerror(-rc));
		return 1;
	}
	return 0;
}

/* Every size must make sense before anything starts. */
static int
nfvb_check_sizes(const struct nfvb_opts *o)
{
	struct nfvb_traffic t;
	char err[256];
	unsigned int i;

	for (i = 0; i < o->n_sizes; i++) {
		struct nfvb_opts one = *o;

		one.flows = 1;
		if (nfvb_traffic_build(&t, &one, o->n_ports, o->sizes[i], err,
				       sizeof(err)) < 0) {
			fprintf(stderr, "nfv-bench: --size: %s (try --help)\n",
				err);
			return NFVB_EXIT_USAGE;
		}
		nfvb_traffic_free(&t);
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static struct nfvb_opts o;
	static struct nfvb_ctx c;
	struct nfvb_result *res = NULL;
	unsigned int i, n_res = 0, n_mbufs;
	char err[512];
	int rc, ret = 1;

	rc = nfvb_opts_parse(&o, argc, argv);
	if (rc != 0)
		return rc;
	if (o.help) {
		nfvb_usage(stdout);
		return 0;
	}
	if (o.mode == NFVB_MODE_PCAP)
		return nfvb_write_pcap(&o);
	if (o.mode == NFVB_MODE_VNF_COST)
		return nfvb_vnf_cost(&o);
	rc = nfvb_check_sizes(&o);
	if (rc != 0)
		return rc;

	signal(SIGINT, nfvb_on_signal);
	signal(SIGTERM, nfvb_on_signal);
	if (nfvb_eal_init(&o) < 0)
		return 1;
	c.o = &o;
	c.hz = rte_get_tsc_hz();

	n_mbufs = o.n_ports * (3 * o.ring_size + o.inflight * o.burst +
			       4 * NFVB_MAX_BURST) + 8192;
	rc = nfvb_pool_create(&c, n_mbufs);
	if (rc < 0) {
		fprintf(stderr, "nfv-bench: cannot allocate %u mbufs: %s (raise --memory)\n",
			n_mbufs, rte_strerror(-rc));
		goto out_eal;
	}
	rc = nfvb_ports_open(&c, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "nfv-bench: %s\n", err);
		goto out_ports;
	}
	if (!o.quiet)
		printf("nfv-bench: %u ports, %s, TSC %.3f GHz\n", c.n_ports,
		       o.ports_kind == NFVB_PORTS_SELF ? "self-test (rings)" :
		       o.ports_kind == NFVB_PORTS_TEST_DUT ?
						      "test device (rings, policer)" :
						      "virtio-user",
		       (double)c.hz / 1e9);

	res = calloc(o.n_sizes, sizeof(*res));
	if (res == NULL)
		goto out_ports;
	ret = 0;
	for (i = 0; i < o.n_sizes && !nfvb_interrupted; i++) {
		rc = nfvb_run_size(&c, o.sizes[i], &res[i]);
		if (rc < 0 && rc != -EINTR) {
			ret = 1;
			break;
		}
		n_res = i + 1;
	}
	if (nfvb_interrupted)
		ret = 130;

	nfvb_report_table(&c, res, n_res);
	if (o.json != NULL && nfvb_report_json(&c, res, n_res, NULL, o.json) < 0) {
		fprintf(stderr, "nfv-bench: %s: cannot write JSON\n", o.json);
		ret = ret ? ret : 1;
	}
	if (o.plot != NULL && n_res > 0 &&
	    nfvb_report_plot(&c, res, n_res, o.plot) == -EIO)
		ret = ret ? ret : 1;
	for (i = 0; i < n_res; i++)
		nfvb_result_free(&res[i]);
	free(res);

out_ports:
	nfvb_ports_close(&c);
	rte_mempool_free(c.pool);
out_eal:
	nfvb_eal_cleanup();
	for (i = 0; i < o.n_ports; i++)
		free(o.ports[i].path);
	return ret;
}
