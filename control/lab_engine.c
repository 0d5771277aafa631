// SPDX-License-Identifier: BSD-3-Clause
/*
 * The engines that run a lab's guests: nfv-vmm (KVM only) and QEMU (KVM
 * when it runs guests at hardware speed, TCG otherwise), and the speed
 * probe that `vmm: auto` and QEMU's accelerator follow.  nfvctl process
 * only.
 *
 * Why a probe and not just "is /dev/kvm there": some build machines and
 * nested cloud VMs have a /dev/kvm that emulates its guests instruction
 * by instruction at 1-2 million instructions per second; a Linux boot
 * under it does not finish in useful time, while QEMU's TCG boots the
 * same guest in 10-20 s.  Hardware virtualization runs the probe's loop at
 * hundreds to thousands of MIPS.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "control/lab_priv.h"

/* Below this the probe's KVM is not hardware virtualization. */
#define LAB_PROBE_MIN_MIPS 200.0
/* 2 instructions per iteration: 500k instructions, under a millisecond
 * on hardware, a quarter of a second on an emulating KVM. */
#define LAB_PROBE_ITERS 250000u
#define LAB_PROBE_LIMIT_S 5
#define LAB_PROBE_CODE 0x1000

static void
lab_probe_alarm(int sig)
{
	(void)sig; /* only to make KVM_RUN return EINTR */
}

double
lab_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * A real-mode loop in a fresh VM: mov ecx, N; 1: dec ecx; jnz 1b; hlt.
 * Returns 0 with *secs the time KVM_RUN took, or -errno with why filled.
 */
static int
lab_probe_kvm(double *secs, char *why, size_t len)
{
	/* clang-format off */
	const unsigned char code[] = {
		0x66, 0xb9, LAB_PROBE_ITERS & 0xff, (LAB_PROBE_ITERS >> 8) & 0xff,
		(LAB_PROBE_ITERS >> 16) & 0xff, LAB_PROBE_ITERS >> 24, /* mov ecx, N */
		0x66, 0x49,	/* dec ecx */
		0x75, 0xfc,	/* jnz -4 */
		0xf4,		/* hlt */
	};
	/* clang-format on */
	struct itimerval it = {.it_value.tv_sec = LAB_PROBE_LIMIT_S}, off = {0};
	struct sigaction sa = {.sa_handler = lab_probe_alarm}, old_sa;
	struct kvm_userspace_memory_region region = {0};
	struct kvm_sregs sregs;
	struct kvm_regs regs = {.rip = LAB_PROBE_CODE, .rflags = 2};
	struct kvm_run *run = MAP_FAILED;
	int kvm, vm = -1, cpu = -1, ret;
	void *mem = MAP_FAILED;
	long run_size;
	double t0;

	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0) {
		ret = -errno;
		snprintf(why, len, "/dev/kvm: %s", strerror(errno));
		return ret;
	}
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0) {
		ret = -errno;
		snprintf(why, len, "KVM_CREATE_VM: %s", strerror(errno));
		goto err_kvm;
	}
	mem = mmap(NULL, 0x2000, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED) {
		ret = -errno;
		snprintf(why, len, "mmap: %s", strerror(errno));
		goto err_vm;
	}
	memcpy((char *)mem + LAB_PROBE_CODE, code, sizeof(code));
	region.memory_size = 0x2000;
	region.userspace_addr = (unsigned long)mem;
	cpu = -1;
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0 ||
	    (cpu = ioctl(vm, KVM_CREATE_VCPU, 0)) < 0) {
		ret = -errno;
		snprintf(why, len, "KVM set-up: %s", strerror(errno));
		goto err_mem;
	}
	run_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (run_size > 0)
		run = mmap(NULL, (size_t)run_size, PROT_READ | PROT_WRITE,
			   MAP_SHARED, cpu, 0);
	if (run == MAP_FAILED || ioctl(cpu, KVM_GET_SREGS, &sregs) < 0) {
		ret = -errno;
		snprintf(why, len, "KVM vCPU: %s", strerror(errno));
		goto err_cpu;
	}
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	if (ioctl(cpu, KVM_SET_SREGS, &sregs) < 0 ||
	    ioctl(cpu, KVM_SET_REGS, &regs) < 0) {
		ret = -errno;
		snprintf(why, len, "KVM registers: %s", strerror(errno));
		goto err_run;
	}
	sigaction(SIGALRM, &sa, &old_sa);
	setitimer(ITIMER_REAL, &it, NULL);
	t0 = lab_now();
	ret = ioctl(cpu, KVM_RUN, 0);
	*secs = lab_now() - t0;
	setitimer(ITIMER_REAL, &off, NULL);
	sigaction(SIGALRM, &old_sa, NULL);
	if (ret < 0) {
		ret = -errno;
		if (ret == -EINTR)
			snprintf(why, len,
				 "KVM did not run 500k guest instructions "
				 "within %d s",
				 LAB_PROBE_LIMIT_S);
		else
			snprintf(why, len, "KVM_RUN: %s", strerror(-ret));
	} else if (run->exit_reason != KVM_EXIT_HLT) {
		ret = -EIO;
		snprintf(why, len,
			 "the probe's guest stopped with KVM exit %u, not hlt",
			 run->exit_reason);
	}
err_run:
	munmap(run, (size_t)run_size);
err_cpu:
	if (cpu >= 0)
		close(cpu);
err_mem:
	munmap(mem, 0x2000);
err_vm:
	close(vm);
err_kvm:
	close(kvm);
	return ret < 0 ? ret : 0;
}

void
lab_probe_run(struct lab_probe *p)
{
	const char *env = getenv("NFV_LAB_AUTO");
	double secs = 0;

	memset(p, 0, sizeof(*p));
	if (env && (!strcmp(env, "nfv-vmm") || !strcmp(env, "qemu"))) {
		p->hw = !strcmp(env, "nfv-vmm");
		snprintf(p->why, sizeof(p->why), "NFV_LAB_AUTO=%s", env);
		return;
	}
	if (lab_probe_kvm(&secs, p->why, sizeof(p->why)))
		return;
	p->mips = 2.0 * LAB_PROBE_ITERS / (secs > 1e-9 ? secs : 1e-9) / 1e6;
	p->hw = p->mips >= LAB_PROBE_MIN_MIPS;
	if (p->hw)
		snprintf(
			p->why, sizeof(p->why),
			"KVM runs guests at %.0f MIPS: hardware virtualization",
			p->mips);
	else
		snprintf(p->why, sizeof(p->why),
			 "KVM here runs guests at %.1f MIPS (500k instructions "
			 "in %.3f s), below the %.0f MIPS of hardware "
			 "virtualization",
			 p->mips, secs, LAB_PROBE_MIN_MIPS);
}

/* Each guest's engine; the probe runs once, only when something needs it. */
int
lab_resolve_engines(struct lab *lab, struct lab_probe *p)
{
	bool probed = false;
	unsigned int i;

	for (i = 0; i < lab->n_guests; i++) {
		struct lab_guest *g = &lab->guests[i];

		if (g->payload || g->vmm == LAB_VMM_NFV_VMM) {
			g->engine = LAB_VMM_NFV_VMM;
			continue;
		}
		if (!probed) {
			lab_probe_run(p);
			probed = true;
		}
		if (g->vmm == LAB_VMM_AUTO && p->hw) {
			g->engine = LAB_VMM_NFV_VMM;
			continue;
		}
		g->engine = LAB_VMM_QEMU;
		g->kvm = p->hw;
	}
	return 0;
}

const char *
lab_engine_binary(enum lab_vmm engine)
{
	return engine == LAB_VMM_QEMU ? "qemu-system" : "nfv-vmm";
}

#define LAB_ARG(s)                                                             \
	do {                                                                   \
		if (a + 1 >= max)                                              \
			return -E2BIG;                                         \
		argv[a++] = (char *)(s);                                       \
	} while (0)

/* A formatted argument kept in store[]. */
#define LAB_ARGF(...)                                                          \
	do {                                                                   \
		if (st == n_store)                                             \
			return -E2BIG;                                         \
		snprintf(store[st], sizeof(store[st]), __VA_ARGS__);           \
		LAB_ARG(store[st]);                                            \
		st++;                                                          \
	} while (0)

/*
 * nfv-vmm: its own default command line (console=ttyS0, one UART, ...)
 * goes before the guest's.  QEMU: the recipe that works with vhost-user
 * (docs/labs.md): guest RAM a shared memfd, virtio-net-pci on a
 * vhost-user netdev whose socket reconnects when nfvd restarts, INTx
 * under TCG (QEMU 7.2's TCG crashes with MSI-X there), the console on
 * ttyS0 into the same file, the command channel on ttyS1.
 */
int
lab_guest_argv(const struct lab_guest *g, const char *bin, char **argv,
	       size_t max, char store[][PATH_MAX + 256], size_t n_store)
{
	const char *mem = g->mem ? g->mem : "256M";
	unsigned long long bytes = 256ULL << 20;
	size_t a = 0, st = 0;
	unsigned int j;

	LAB_ARG(bin);
	if (g->engine == LAB_VMM_NFV_VMM) {
		LAB_ARG(g->kernel ? "--kernel" : "--payload");
		LAB_ARG(g->kernel ? g->kernel : g->payload);
		if (g->initrd) {
			LAB_ARG("--initrd");
			LAB_ARG(g->initrd);
		}
		LAB_ARG("--mem");
		LAB_ARG(mem);
		LAB_ARG("--cpus");
		LAB_ARG(g->cpus ? g->cpus : "1");
		if (g->cmdline) {
			LAB_ARG("--cmdline");
			LAB_ARG(g->cmdline);
		}
		LAB_ARG("--console");
		LAB_ARG(g->console);
		for (j = 0; j < g->n_net; j++) {
			const struct lab_net *n = &g->net[j];

			LAB_ARG("--net");
			if (n->queues > 1)
				LAB_ARGF("vhost-user=%s%s%s,queues=%u", n->sock,
					 n->mac ? ",mac=" : "",
					 n->mac ? n->mac : "", n->queues);
			else
				LAB_ARGF("vhost-user=%s%s%s", n->sock,
					 n->mac ? ",mac=" : "",
					 n->mac ? n->mac : "");
		}
		argv[a] = NULL;
		return 0;
	}

	if (lab_mem_parse(mem, &bytes))
		return -EINVAL;
	LAB_ARG("-name");
	LAB_ARG(g->name);
	LAB_ARG("-machine");
	LAB_ARGF("pc,memory-backend=mem,accel=%s", g->kvm ? "kvm" : "tcg");
	if (g->kvm) {
		LAB_ARG("-cpu");
		LAB_ARG("host");
	}
	LAB_ARG("-smp");
	LAB_ARG(g->cpus ? g->cpus : "1");
	LAB_ARG("-m");
	LAB_ARGF("%lluM", bytes >> 20);
	LAB_ARG("-object");
	LAB_ARGF("memory-backend-memfd,id=mem,size=%llu,share=on", bytes);
	LAB_ARG("-nodefaults");
	LAB_ARG("-no-user-config");
	LAB_ARG("-display");
	LAB_ARG("none");
	LAB_ARG("-monitor");
	LAB_ARG("none");
	/* A guest's reboot ends it, as under nfv-vmm. */
	LAB_ARG("-no-reboot");
	LAB_ARG("-kernel");
	LAB_ARG(g->kernel);
	if (g->initrd) {
		LAB_ARG("-initrd");
		LAB_ARG(g->initrd);
	}
	LAB_ARG("-append");
	LAB_ARGF("console=ttyS0 panic=-1%s%s%s",
		 g->cmdsock[0] ? " nfv.cmd=ttyS1" : "", g->cmdline ? " " : "",
		 g->cmdline ? g->cmdline : "");
	LAB_ARG("-serial");
	LAB_ARGF("file:%s", g->console);
	if (g->cmdsock[0]) {
		LAB_ARG("-chardev");
		LAB_ARGF("socket,id=cmd,path=%s,server=on,wait=off",
			 g->cmdsock);
		LAB_ARG("-serial");
		LAB_ARG("chardev:cmd");
	}
	for (j = 0; j < g->n_net; j++) {
		const struct lab_net *n = &g->net[j];

		LAB_ARG("-chardev");
		LAB_ARGF("socket,id=c%u,path=%s,reconnect=1", j, n->sock);
		LAB_ARG("-netdev");
		if (n->queues > 1)
			LAB_ARGF("vhost-user,id=n%u,chardev=c%u,queues=%u", j,
				 j, n->queues);
		else
			LAB_ARGF("vhost-user,id=n%u,chardev=c%u", j, j);
		LAB_ARG("-device");
		LAB_ARGF("virtio-net-pci,netdev=n%u%s%s%s%s", j,
			 n->mac ? ",mac=" : "", n->mac ? n->mac : "",
			 n->queues > 1 ? ",mq=on" : "",
			 g->kvm ? "" : ",vectors=0");
	}
	argv[a] = NULL;
	return 0;
}
