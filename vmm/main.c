// SPDX-License-Identifier: BSD-3-Clause
/*
 * nfv-vmm: parse the command line, build the VM (memory, kernel, devices,
 * vCPUs), run the main loop until the guest resets or powers off or a
 * signal arrives, tear down.  The only function here that exits.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"
#include "pci.h"

#define VMM_DEFAULT_CMDLINE                                               \
	"console=ttyS0 reboot=k panic=-1 8250.nr_uarts=1 i8042.noaux "    \
	"i8042.nomux i8042.nopnp i8042.dumbkbd nfv.halt=reboot"

struct vmm_main {
	struct vmm *vm;
	int sig_fd;
	struct vmm_event sig_ev;
	struct termios tio;
	bool tio_saved;
};

static void vmm_main_signal(void *opaque, uint32_t events)
{
	struct vmm_main *m = opaque;
	struct signalfd_siginfo si;

	(void)events;
	if (read(m->sig_fd, &si, sizeof(si)) != sizeof(si))
		return;
	if (si.ssi_signo == SIGUSR2) {
		vmm_vcpus_dump(m->vm);
		return;
	}
	vmm_stop(m->vm, VMM_EXIT_OK, "stopped by %s", strsignal((int)si.ssi_signo));
}

/* The guest's console wants raw keys; Ctrl-C still stops the VMM. */
static void vmm_main_tty_raw(struct vmm_main *m)
{
	struct termios t;

	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &m->tio) < 0)
		return;
	m->tio_saved = true;
	t = m->tio;
	t.c_lflag &= (tcflag_t) ~(ICANON | ECHO | ECHOE | ECHOK | ECHONL | IEXTEN);
	t.c_iflag &= (tcflag_t) ~(ICRNL | IXON);
	tcsetattr(STDIN_FILENO, TCSANOW, &t);
}

static void vmm_main_tty_restore(struct vmm_main *m)
{
	if (m->tio_saved)
		tcsetattr(STDIN_FILENO, TCSANOW, &m->tio);
}

static unsigned long vmm_status_kib(const char *key)
{
	char line[256];
	unsigned long v = 0;
	size_t kl = strlen(key);
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, kl) && line[kl] == ':') {
			v = strtoul(line + kl + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return v;
}

static void vmm_main_timing(struct vmm *vm)
{
	uint64_t first = atomic_load(&vm->t_first_exit_ns);
	unsigned long rss = vmm_status_kib("VmRSS");
	unsigned long shmem = vmm_status_kib("RssShmem");

	/* Guest RAM is the shared memfd: RssShmem.  The VMM's own memory
	 * is the rest of the RSS. */
	fprintf(stderr,
		"nfv-vmm: timing: setup_ms=%.3f first_exit_ms=%.3f rss_kib=%lu guest_shmem_kib=%lu vmm_kib=%lu anon_kib=%lu file_kib=%lu\n",
		(double)(vm->t_setup_ns - vm->t_start_ns) / 1e6,
		first ? (double)(first - vm->t_start_ns) / 1e6 : -1.0, rss,
		shmem, rss - shmem, vmm_status_kib("RssAnon"),
		vmm_status_kib("RssFile"));
}

static int vmm_main_console(const struct vmm_opts *o, int *out, int *in)
{
	if (!o->console || !strcmp(o->console, "-")) {
		*out = STDOUT_FILENO;
		*in = STDIN_FILENO;
		return 0;
	}
	*in = -1;
	if (!strcmp(o->console, "none")) {
		*out = -1;
		return 0;
	}
	*out = open(o->console, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (*out < 0) {
		vmm_err("--console %s: %s", o->console, strerror(errno));
		return -errno;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct vmm vm;
	uint64_t t0 = vmm_now_ns();
	struct vmm_main m = { .vm = &vm, .sig_fd = -1 };
	char err[512], cmdline[VMM_BOOT_CMDLINE_MAX];
	struct vmm_opts o;
	struct vmm_boot boot;
	int out_fd = -1, in_fd = -1, status = VMM_EXIT_ERROR, ret;
	unsigned int i;
	sigset_t set;

	ret = vmm_opts_parse(&o, argc, argv, err, sizeof(err));
	if (ret == 1)
		return 0;
	if (ret) {
		fprintf(stderr, "nfv-vmm: error: %s\n(nfv-vmm --help lists the options)\n",
			err);
		return VMM_EXIT_USAGE;
	}
	vmm_log_level = o.log_level;

	/* SIGINT/SIGTERM/SIGHUP go to the main loop; vCPU threads inherit
	 * the mask.  SIGPIPE: a vanished backend is an error return. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR2);	/* dump the vCPUs' registers */
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	/* A wrong kernel or too little memory fails before any VM exists. */
	if (o.kernel) {
		uint64_t need;

		if (vmm_boot_probe_linux(o.kernel, o.initrd, &need))
			return VMM_EXIT_ERROR;
		if (need > (o.mem < VMM_MEM_HOLE_START ? o.mem : VMM_MEM_HOLE_START)) {
			vmm_err("--mem %llu MiB is too little: this kernel%s needs %llu MiB",
				(unsigned long long)(o.mem / VMM_MIB),
				o.initrd ? " and initrd" : "",
				(unsigned long long)((need + VMM_MIB - 1) / VMM_MIB));
			return VMM_EXIT_ERROR;
		}
	}
	if (vmm_main_console(&o, &out_fd, &in_fd))
		return VMM_EXIT_ERROR;
	ret = vmm_create(&vm, o.mem, o.hugepages, o.cpus, true);
	if (ret) {
		if (ret == -ENOENT || ret == -EACCES)
			vmm_err("KVM is not available here (needs /dev/kvm, read-write)");
		goto out_console;
	}
	vm.t_start_ns = t0;

	snprintf(cmdline, sizeof(cmdline), "%s%s%s",
		 o.default_cmdline ? VMM_DEFAULT_CMDLINE : "",
		 o.default_cmdline && o.cmdline ? " " : "",
		 o.cmdline ? o.cmdline : "");
	if (o.kernel)
		ret = vmm_boot_load_linux(&vm, o.kernel, o.initrd, cmdline, &boot);
	else
		ret = vmm_boot_load_payload(&vm, o.payload, o.payload_mode,
					    cmdline, &boot);
	if (ret)
		goto out_vm;

	ret = vmm_serial_create(&vm, out_fd, in_fd);
	if (!ret)
		ret = vmm_legacy_create(&vm);
	if (!ret)
		ret = vmm_pci_create(&vm);
	if (ret) {
		vmm_err("devices: %s", strerror(-ret));
		goto out_devs;
	}
	for (i = 0; i < o.nr_nets; i++) {
		struct vmm_net *n;

		ret = vmm_net_create(&vm, &o.nets[i], &n);
		if (ret)
			goto out_devs;
		vmm_info("%s: %s, mac %02x:%02x:%02x:%02x:%02x:%02x, %u queue pair(s), pci 00:%02x.0",
			 n->name, o.nets[i].path, n->mac[0], n->mac[1],
			 n->mac[2], n->mac[3], n->mac[4], n->mac[5],
			 n->max_pairs, n->vp.pci.slot);
	}
	ret = vmm_mptable_write(&vm);
	for (i = 0; !ret && i < vm.nr_vcpus; i++)
		ret = vmm_boot_setup_vcpu(&vm.vcpus[i], &boot);
	if (ret) {
		vmm_err("vCPU setup: %s", strerror(-ret));
		goto out_devs;
	}

	m.sig_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	m.sig_ev.fn = vmm_main_signal;
	m.sig_ev.opaque = &m;
	if (m.sig_fd < 0 || vmm_event_add(&vm, &m.sig_ev, m.sig_fd, EPOLLIN)) {
		vmm_err("signalfd: %s", strerror(errno));
		goto out_devs;
	}
	if (in_fd == STDIN_FILENO)
		vmm_main_tty_raw(&m);

	ret = vmm_vcpus_start(&vm);
	if (!ret)
		vmm_loop_run(&vm, -1);
	vmm_vcpus_join(&vm);
	vmm_main_tty_restore(&m);
	if (o.timing)
		vmm_main_timing(&vm);
	status = vm.exit_status;
	if (vm.exit_reason[0])
		vmm_log(status == VMM_EXIT_OK ? VMM_LOG_INFO : VMM_LOG_ERR,
			"guest stopped: %s (exit %d)", vm.exit_reason, status);

out_devs:
	vmm_event_del(&vm, &m.sig_ev);
	if (m.sig_fd >= 0)
		close(m.sig_fd);
	for (i = 0; i < vm.nr_nets; i++)
		vmm_net_destroy(vm.nets[i]);
	vmm_pci_destroy(&vm);
	vmm_legacy_destroy(&vm);
	vmm_serial_destroy(&vm);
out_vm:
	vmm_destroy(&vm);
out_console:
	if (out_fd > STDERR_FILENO)
		close(out_fd);
	return status;
}
