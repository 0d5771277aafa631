/* SPDX-License-Identifier: BSD-3-Clause
 *
 * eal.c - EAL arguments from the config.
 *
 * nfvd picks the cores, memory and devices from the config so that users
 * never write EAL arguments; anything after `--` on nfvd's command line is
 * appended and wins.  Control thread, before rte_eal_init().
 */
#include <dirent.h>
#include <errno.h>
#include <mntent.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dataplane/dataplane.h"

#define NFV_EAL_MAX_ARGS 64

unsigned long
nfv_hugepages_free_mb(void)
{
	FILE *f;
	unsigned long pages = 0;
	struct mntent *me;
	bool mounted = false;

	f = setmntent("/proc/mounts", "r");
	if (f != NULL) {
		while ((me = getmntent(f)) != NULL)
			if (strcmp(me->mnt_type, "hugetlbfs") == 0)
				mounted = true;
		endmntent(f);
	}
	if (!mounted)
		return 0;
	f = fopen("/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages",
		  "r");
	if (f == NULL)
		return 0;
	if (fscanf(f, "%lu", &pages) != 1)
		pages = 0;
	fclose(f);
	return pages * 2;
}

/* Parse "1-3,5" into cpus[]; returns the count or -EINVAL. */
static int
nfv_parse_cpulist(const char *s, int *cpus, int max)
{
	int n = 0;

	while (*s != '\0') {
		char *end;
		long a = strtol(s, &end, 10), b;

		if (end == s || a < 0 || a >= CPU_SETSIZE)
			return -EINVAL;
		b = a;
		if (*end == '-') {
			s = end + 1;
			b = strtol(s, &end, 10);
			if (end == s || b < a || b >= CPU_SETSIZE)
				return -EINVAL;
		}
		for (; a <= b; a++) {
			if (n == max)
				return -E2BIG;
			cpus[n++] = (int)a;
		}
		s = end;
		if (*s == ',')
			s++;
		else if (*s != '\0')
			return -EINVAL;
	}
	return n;
}

static bool
nfv_user_has(int argc, char **argv, const char *opt)
{
	size_t len = strlen(opt);
	int i;

	for (i = 0; i < argc; i++)
		if (strncmp(argv[i], opt, len) == 0 &&
		    (argv[i][len] == '\0' || argv[i][len] == '='))
			return true;
	return false;
}

int
nfv_eal_args(const struct ctl_config *cfg, int user_argc, char **user_argv,
	     const char *log_level, char ***argv_out, int *argc_out, char *err,
	     size_t errlen)
{
	static char lcores[1024], mem[32], prefix[128], loglvl[1][96];
	static char *argv[NFV_EAL_MAX_ARGS + 1];
	int cpus[CPU_SETSIZE], workers[NFV_MAX_WORKERS];
	unsigned int nw = cfg->dataplane.workers, i;
	int argc = 0, ncpu = 0, main_cpu, c, nwc;
	bool huge, any_pci = false;
	cpu_set_t set;
	size_t off;

	if (sched_getaffinity(0, sizeof(set), &set) != 0)
		return -errno;
	for (c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &set))
			cpus[ncpu++] = c;

	/* Workers on the configured cores, else on the cores after the
	 * first; the main (control) lcore on the first core not used by a
	 * worker, or the first core when all are. */
	if (cfg->dataplane.lcores != NULL) {
		nwc = nfv_parse_cpulist(cfg->dataplane.lcores, workers,
					NFV_MAX_WORKERS);
		if (nwc <= 0) {
			snprintf(err, errlen, "%s: dataplane.lcores: bad CPU list \"%s\"",
				 cfg->file, cfg->dataplane.lcores);
			return -EINVAL;
		}
	} else if (cfg->dataplane.share_cpus && nw > (unsigned int)ncpu - 1) {
		/* More workers than CPUs besides the main thread's, allowed
		 * for tests: round all the CPUs, the main thread's last, so
		 * that two workers share a CPU only when every CPU has one
		 * (dataplane.share_cpus). */
		nwc = 0;
		for (i = 0; i < nw; i++)
			workers[nwc++] = cpus[(1 + i) % ncpu];
	} else {
		nwc = 0;
		for (i = 0; i < nw; i++)
			workers[nwc++] = cpus[ncpu > 1 ? 1 + i % (ncpu - 1) : 0];
	}
	main_cpu = cpus[0];
	for (c = 0; c < ncpu; c++) {
		bool used = false;
		int k;

		for (k = 0; k < nwc; k++)
			used |= workers[k] == cpus[c];
		if (!used) {
			main_cpu = cpus[c];
			break;
		}
	}
	off = (size_t)snprintf(lcores, sizeof(lcores), "0@%d", main_cpu);
	for (i = 0; i < nw && off < sizeof(lcores); i++)
		off += (size_t)snprintf(lcores + off, sizeof(lcores) - off,
					",%u@%d", i + 1, workers[i % nwc]);

	argv[argc++] = "nfvd";
	if (!nfv_user_has(user_argc, user_argv, "-l") &&
	    !nfv_user_has(user_argc, user_argv, "--lcores")) {
		argv[argc++] = "--lcores";
		argv[argc++] = lcores;
	}
	huge = cfg->dataplane.hugepages == 1 ||
	       (cfg->dataplane.hugepages == -1 &&
		nfv_hugepages_free_mb() >= cfg->dataplane.memory);
	if (nfv_user_has(user_argc, user_argv, "--no-huge"))
		huge = false;
	if (!nfv_user_has(user_argc, user_argv, "-m") &&
	    !nfv_user_has(user_argc, user_argv, "--socket-mem")) {
		snprintf(mem, sizeof(mem), "%u", cfg->dataplane.memory);
		argv[argc++] = "-m";
		argv[argc++] = mem;
	}
	if (!huge) {
		if (!nfv_user_has(user_argc, user_argv, "--no-huge"))
			argv[argc++] = "--no-huge";
	} else {
		/* One file per memseg list: vhost-user's memory table has
		 * at most 8 regions. */
		argv[argc++] = "--single-file-segments";
	}
	if (!nfv_user_has(user_argc, user_argv, "--file-prefix")) {
		snprintf(prefix, sizeof(prefix), "--file-prefix=%s",
			 cfg->dataplane.file_prefix ? cfg->dataplane.file_prefix
						    : "nfvd");
		argv[argc++] = prefix;
	}
	/* Only the NICs the config names: never grab a NIC by surprise. */
	for (i = 0; i < cfg->n_ports; i++) {
		if (cfg->ports[i].type != CTL_PORT_PCI)
			continue;
		if (argc + 2 > NFV_EAL_MAX_ARGS - 4)
			break;
		any_pci = true;
		argv[argc++] = "-a";
		argv[argc++] = cfg->ports[i].address;
	}
	if (!any_pci && !nfv_user_has(user_argc, user_argv, "-a"))
		argv[argc++] = "--no-pci";
	/* Libraries and drivers quiet (notice), our own messages at the
	 * asked level (info).  The global level is left alone: it filters
	 * before the per-type levels do. */
	snprintf(loglvl[0], sizeof(loglvl[0]), "--log-level=nfv.*:%s",
		 log_level ? log_level : "info");
	argv[argc++] = "--log-level=lib.*:notice";
	argv[argc++] = "--log-level=pmd.*:notice";
	argv[argc++] = loglvl[0];
	if (argc + user_argc > NFV_EAL_MAX_ARGS) {
		snprintf(err, errlen, "too many EAL arguments");
		return -E2BIG;
	}
	for (c = 0; c < user_argc; c++)
		argv[argc++] = user_argv[c];
	argv[argc] = NULL;
	*argv_out = argv;
	*argc_out = argc;
	return 0;
}

void
nfv_eal_remove_runtime_dir(const char *dir)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d;

	if (dir == NULL || dir[0] == '\0')
		return;
	d = opendir(dir);
	if (d == NULL)
		return;
	/* DPDK's files only: config, telemetry and multi-process sockets. */
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

void
nfv_eal_remove_hugefiles(const char *prefix)
{
	char name[256], path[PATH_MAX];
	struct mntent *me;
	struct dirent *de;
	FILE *f;
	DIR *d;

	snprintf(name, sizeof(name), "%smap_", prefix);
	f = setmntent("/proc/mounts", "r");
	if (f == NULL)
		return;
	while ((me = getmntent(f)) != NULL) {
		if (strcmp(me->mnt_type, "hugetlbfs") != 0)
			continue;
		d = opendir(me->mnt_dir);
		if (d == NULL)
			continue;
		while ((de = readdir(d)) != NULL) {
			if (strncmp(de->d_name, name, strlen(name)) != 0)
				continue;
			snprintf(path, sizeof(path), "%s/%s", me->mnt_dir,
				 de->d_name);
			unlink(path);
		}
		closedir(d);
	}
	endmntent(f);
}
