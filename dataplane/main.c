/* SPDX-License-Identifier: BSD-3-Clause
 *
 * main.c - nfvd: load the config, start EAL, ports, VNFs and workers, serve
 * the control socket until SIGINT/SIGTERM, then take everything down.
 * SIGHUP reloads the config (dataplane/reload.c), like `nfvctl reload`.
 *
 *   nfvd -c FILE [--log-level L] [-- EAL args]
 *
 * A bad config is reported in one line (file, key, reason) and nfvd exits
 * with 1 before anything is started.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_pdump.h>

#include "control/config.h"
#include "control/config_diff.h"
#include "control/ctl_server.h"
#include "dataplane/dataplane.h"

RTE_LOG_REGISTER(nfv_logtype_main, nfv.main, INFO);
RTE_LOG_REGISTER(nfv_logtype_port, nfv.port, INFO);
RTE_LOG_REGISTER(nfv_logtype_graph, nfv.graph, INFO);

#define NFV_PERIOD_MS 100

static void
nfv_usage(FILE *f)
{
	fprintf(f,
		"usage: nfvd -c FILE [--log-level LEVEL] [-- EAL-ARGS...]\n"
		"  -c, --config FILE     topology and settings (docs/config.md)\n"
		"  -l, --log-level LEVEL emerg..debug for nfvd's messages (info)\n"
		"  -t, --check           validate the config and exit\n"
		"  -h, --help            this text\n"
		"EAL arguments after `--` are passed to DPDK and win over the\n"
		"ones nfvd derives from the config.\n");
}

/* Set by SIGHUP, taken by the control loop: a reload runs on the control
 * thread, never in the handler. */
static atomic_bool nfv_reload_asked;

static void
nfv_on_signal(int sig)
{
	if (sig == SIGHUP)
		atomic_store(&nfv_reload_asked, true);
	else
		atomic_store(&nfv_stopping, true);
}

/* SIGHUP: the same as `nfvctl reload`, the outcome in the log. */
static void
nfv_reload_on_signal(void)
{
	static struct nfv_reload_report rep;
	char err[1536];

	ctl_server_lock();
	if (nfv_dataplane_reload(NULL, &rep, err, sizeof(err)) < 0)
		NFV_LOG(ERR, main, "SIGHUP: %s", err);
	ctl_server_unlock();
}

static uint64_t
nfv_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
nfv_control_loop(void)
{
	uint64_t next = nfv_now_ms() + NFV_PERIOD_MS;

	while (!atomic_load(&nfv_stopping)) {
		uint64_t now = nfv_now_ms();

		if (atomic_exchange(&nfv_reload_asked, false))
			nfv_reload_on_signal();

		if (now >= next) {
			ctl_server_lock();
			nfv_dataplane_periodic();
			ctl_server_unlock();
			/* Quiet workers that gave their core back: the
			 * housekeeping slows down too (dataplane/idle.h). */
			next = now + (nfv_dataplane_quiet() ? NFV_PERIOD_IDLE_MS
							    : NFV_PERIOD_MS);
			continue;
		}
		ctl_server_poll((int)(next - now));
	}
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"log-level", required_argument, NULL, 'l'},
		{"check", no_argument, NULL, 't'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *cfg_path = NULL, *log_level = NULL;
	char runtime_dir[PATH_MAX] = "";
	struct ctl_config *cfg = NULL;
	struct sigaction sa = {0};
	char err[512], **eal_argv, *cfg_text = NULL;
	size_t cfg_len = 0;
	int opt, eal_argc, rc, ret = 1;
	bool check_only = false;

	while ((opt = getopt_long(argc, argv, "+c:l:th", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			cfg_path = optarg;
			break;
		case 'l':
			log_level = optarg;
			break;
		case 't':
			check_only = true;
			break;
		case 'h':
			nfv_usage(stdout);
			return 0;
		default:
			nfv_usage(stderr);
			return 2;
		}
	}
	if (cfg_path == NULL) {
		fprintf(stderr, "nfvd: no config file (-c FILE)\n");
		nfv_usage(stderr);
		return 2;
	}

	/* The text is kept for reloads: they compare with what was loaded,
	 * not with what the file says later. */
	rc = ctl_config_load_text(cfg_path, &cfg, &cfg_text, &cfg_len, err,
				  sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "nfvd: %s\n", err);
		return 1;
	}
	rc = nfv_reload_baseline(cfg_text, cfg_len);
	free(cfg_text);
	if (rc < 0) {
		fprintf(stderr, "nfvd: %s: %s\n", cfg_path, strerror(-rc));
		goto out_cfg;
	}
	if (check_only) {
		printf("nfvd: %s: OK (%u ports, %u vnfs, %u links)\n", cfg_path,
		       cfg->n_ports, cfg->n_vnfs, cfg->n_links);
		nfv_reload_baseline_free();
		ctl_config_free(cfg);
		return 0;
	}
	rc = nfv_eal_args(cfg, argc - optind, argv + optind, log_level,
			  &eal_argv, &eal_argc, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "nfvd: %s\n", err);
		goto out_cfg;
	}
	if (rte_eal_init(eal_argc, eal_argv) < 0) {
		fprintf(stderr, "nfvd: DPDK EAL initialisation failed: %s\n",
			rte_strerror(rte_errno));
		goto out_cfg;
	}

	snprintf(runtime_dir, sizeof(runtime_dir), "%s",
		 rte_eal_get_runtime_dir());
	sa.sa_handler = nfv_on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	rc = nfv_dataplane_create(cfg, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "nfvd: %s\n", err);
		goto out_dp;
	}
	if (nfv_ctl_cmds_register() < 0) {
		fprintf(stderr, "nfvd: cannot register control commands\n");
		goto out_dp;
	}
	rc = ctl_server_open(cfg->control.socket);
	if (rc < 0) {
		fprintf(stderr, "nfvd: control socket %s: %s\n",
			cfg->control.socket, strerror(-rc));
		goto out_dp;
	}
	if (ctl_telemetry_init() < 0)
		NFV_LOG(WARNING, main, "telemetry commands not registered");
	/* Lets dpdk-dumpcap / dpdk-pdump capture from our ports. */
	if (rte_pdump_init() < 0)
		NFV_LOG(WARNING, main, "packet capture unavailable: %s",
			rte_strerror(rte_errno));

	/* Before the workers forward: punted packets reach the twins from
	 * the first one on. */
	rc = nfv_mirrors_start(err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "nfvd: %s\n", err);
		goto out_ctl;
	}
	if (nfv_workers_start() < 0) {
		fprintf(stderr, "nfvd: cannot launch the workers\n");
		goto out_ctl;
	}
	NFV_LOG(NOTICE, main,
		"ready: %u ports, %u vnfs, %u workers; control socket %s",
		nfv_dp.n_ports, nfv_dp.n_vnfs, nfv_dp.n_workers,
		cfg->control.socket);

	if (!atomic_load(&nfv_stopping))
		nfv_control_loop();
	NFV_LOG(NOTICE, main, "shutting down");
	ret = 0;

out_ctl:
	nfv_workers_stop();
	ctl_server_close();
	rte_pdump_uninit();
out_dp:
	nfv_workers_stop();
	nfv_dataplane_destroy();
	rte_eal_cleanup();
	/* The runtime directory is named after the file prefix, whether the
	 * config or a user's EAL argument chose it. */
	if (runtime_dir[0] != '\0') {
		nfv_eal_remove_hugefiles(strrchr(runtime_dir, '/') + 1);
		nfv_eal_remove_runtime_dir(runtime_dir);
	}
out_cfg:
	nfv_reload_baseline_free();
	ctl_config_free(cfg);
	return ret;
}
