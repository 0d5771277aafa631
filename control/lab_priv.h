/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nfvctl lab, inside: the lab file's guests (lab_file.c), the engines that
 * run them (lab_engine.c) and the verbs (lab.c).  Everything runs in the
 * nfvctl process, single-threaded.
 */
#ifndef NFV_CTL_LAB_PRIV_H
#define NFV_CTL_LAB_PRIV_H

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

struct ctl_config;

#define LAB_MAX_GUESTS 64
#define LAB_MAX_NETS 8
#define LAB_DEFAULT_BASE "/run/nfv-lab"
/* Paths under the state folder must fit PATH_MAX with a file name. */
#define LAB_DIR_MAX 2048
/* What the guest kit's init prints when it is configured (init.sh). */
#define LAB_READY_MARKER "NFV-GUEST: ready"
/* TCG boots a guest in 10-20 s alone; several on two shared cores take
 * longer. */
#define LAB_READY_TIMEOUT_S 300

enum lab_vmm {
	LAB_VMM_UNSET = 0,
	LAB_VMM_NFV_VMM,
	LAB_VMM_QEMU,
	LAB_VMM_AUTO,
};

struct lab_net {
	char *port;
	char *mac;
	char *sock; /* the port's vhost-user path */
	unsigned int queues;
};

struct lab_guest {
	char *name;
	enum lab_vmm vmm;    /* as written (guest, else lab-wide) */
	enum lab_vmm engine; /* resolved: NFV_VMM or QEMU */
	bool kvm;	     /* QEMU: -accel kvm (else tcg) */
	char *kernel;
	char *payload;
	char *initrd;
	char *mem;
	char *cpus;
	char *cmdline;
	unsigned int n_net;
	struct lab_net net[LAB_MAX_NETS];
	int line;
	pid_t pid;
	char console[PATH_MAX];
	char log[PATH_MAX];
	char cmdsock[PATH_MAX]; /* the command channel, "" if none */
};

/* Lab-wide defaults: the top-level `lab:` mapping. */
struct lab_defaults {
	enum lab_vmm vmm;
	char *kernel;
	char *initrd;
	char *mem;
	char *cpus;
	long ready_timeout; /* s; 0: do not wait; -1: not given */
};

struct lab {
	char file[PATH_MAX];
	char dir[LAB_DIR_MAX];
	char state[PATH_MAX];
	char *ctl_socket;
	struct lab_defaults def;
	unsigned int n_guests;
	struct lab_guest guests[LAB_MAX_GUESTS];
	pid_t nfvd_pid;
	char nfvd_log[PATH_MAX];
};

/* The speed probe's verdict (lab_engine.c). */
struct lab_probe {
	bool hw;     /* KVM runs guests at hardware speed */
	double mips; /* 0 when KVM could not run the probe */
	char why[256];
};

void lab_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* lab_file.c */
int lab_parse(struct lab *lab);
int lab_check(struct lab *lab, const struct ctl_config *cfg);
void lab_free(struct lab *lab);
const char *lab_vmm_name(enum lab_vmm v);
int lab_mem_parse(const char *s, unsigned long long *bytes);
int lab_state_read(struct lab *lab);
int lab_state_write(const struct lab *lab);

/* lab_engine.c */
void lab_probe_run(struct lab_probe *p);
int lab_resolve_engines(struct lab *lab, struct lab_probe *p);
/* argv (NULL-terminated, strings owned by store) to run guest g. */
int lab_guest_argv(const struct lab_guest *g, const char *vmm_bin, char **argv,
		   size_t max, char store[][PATH_MAX + 256], size_t n_store);
const char *lab_engine_binary(enum lab_vmm engine);
/* Seconds of the monotonic clock.  lab.c's waits end at deadlines on
 * it, not after a count of polls: on a slow host (a guest under
 * emulation, a loaded machine) a poll that forks takes far longer than
 * its sleep, and a count would stretch a 30 s wait to minutes. */
double lab_now(void);

#endif
