/* SPDX-License-Identifier: BSD-3-Clause
 *
 * test_lab_file.c - the lab file's own parts (control/lab_file.c,
 * control/lab_engine.c) through `nfvctl lab check FILE`, which loads and
 * checks a lab file and prints what `lab up` would run without running
 * it: engines (nfv-vmm, qemu, auto, the lab-wide default), kernels and
 * initrds (their own or the lab's, present), memory and CPUs, NICs (ports
 * of the file that are vhost-user servers, one guest per port, unicast and
 * unique MACs), unknown keys; and the command lines of both engines.
 * $NFV_LAB_AUTO=qemu stands in for the KVM speed probe.
 *
 * Usage: test_lab_file PATH-TO-NFVCTL   (meson passes it)
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

static const char *nfvctl;
static char dir[64], kernel[128], initrd[128], lab[128];

struct out {
	int status;
	char out[16384];
	char err[8192];
};

static void
slurp(int fd, char *buf, size_t cap)
{
	size_t len = 0;
	ssize_t n;

	while (len < cap - 1 && (n = read(fd, buf + len, cap - 1 - len)) > 0)
		len += (size_t)n;
	buf[len] = 0;
}

/* nfvctl lab check LAB with the nfvd part below and `rest` after it. */
static void
check_file(struct out *o, const char *rest)
{
	int po[2], pe[2], st;
	FILE *f = fopen(lab, "w");
	pid_t pid;

	assert_non_null(f);
	fprintf(f,
		"dataplane: {workers: 1, memory: 128, hugepages: \"off\"}\n"
		"control: {socket: %s/ctl.sock}\n"
		"ports:\n"
		"  - {name: vm1, type: vhost-user, path: %s/vm1.sock, mode: "
		"server}\n"
		"  - {name: vm2, type: vhost-user, path: %s/vm2.sock, mode: "
		"server}\n"
		"  - {name: vc, type: vhost-user, path: %s/vc.sock, mode: "
		"client}\n"
		"vnfs:\n"
		"  - {name: sw, type: l2switch, ifaces: [{name: a}, {name: b}, "
		"{name: c}]}\n"
		"links: [[vm1, sw.a], [vm2, sw.b], [vc, sw.c]]\n"
		"%s",
		dir, dir, dir, dir, rest);
	fclose(f);
	assert_int_equal(pipe(po), 0);
	assert_int_equal(pipe(pe), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(po[1], 1);
		dup2(pe[1], 2);
		close(po[0]);
		close(pe[0]);
		setenv("NFV_LAB_DIR", dir, 1);
		setenv("NFV_LAB_AUTO", "qemu", 1);
		execl(nfvctl, nfvctl, "lab", "check", lab, (char *)NULL);
		_exit(127);
	}
	close(po[1]);
	close(pe[1]);
	slurp(po[0], o->out, sizeof(o->out));
	slurp(pe[0], o->err, sizeof(o->err));
	close(po[0]);
	close(pe[0]);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	o->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void
expect_ok(const char *rest, const char *needle)
{
	static struct out o;

	check_file(&o, rest);
	if (o.status != 0 || (needle && !strstr(o.out, needle)))
		fail_msg("want OK with '%s'; got %d\nstdout: %s\nstderr: %s",
			 needle ? needle : "", o.status, o.out, o.err);
}

static void
expect_err(const char *rest, const char *needle)
{
	static struct out o;

	check_file(&o, rest);
	if (o.status != 1 || !strstr(o.err, needle))
		fail_msg(
			"want exit 1 with '%s'; got %d\nstdout: %s\nstderr: %s",
			needle, o.status, o.out, o.err);
}

static char *guest(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A file tail, with KERNEL and INITRD standing for the test's files. */
static char *
guest(const char *fmt, ...)
{
	static char buf[8][4096];
	static int i;
	char tmp[4096], *b = buf[i++ % 8], *s, *d;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	for (s = tmp, d = b; *s;) {
		if (!strncmp(s, "KERNEL", 6)) {
			d += sprintf(d, "%s", kernel);
			s += 6;
		} else if (!strncmp(s, "INITRD", 6)) {
			d += sprintf(d, "%s", initrd);
			s += 6;
		} else {
			*d++ = *s++;
		}
	}
	*d = 0;
	return b;
}

static void
test_engines(void **state)
{
	(void)state;
	/* QEMU: the vhost-user recipe, MACs, console, command channel. */
	expect_ok(guest("guests:\n"
			"  - {name: g1, vmm: qemu, kernel: KERNEL, initrd: "
			"INITRD, mem: 160M,\n"
			"     cmdline: \"nfv.ip=10.0.0.1/24\", net: [{port: "
			"vm1, mac: \"02:00:00:00:00:01\"}]}\n"),
		  "memory-backend-memfd,id=mem,size=167772160,share=on");
	expect_ok(guest("guests:\n"
			"  - {name: g1, vmm: qemu, kernel: KERNEL, net: "
			"[{port: vm1, mac: \"02:00:00:00:00:01\"}]}\n"),
		  "virtio-net-pci,netdev=n0,mac=02:00:00:00:00:01,vectors=0");
	expect_ok(guest("guests:\n"
			"  - {name: g1, vmm: qemu, kernel: KERNEL, cmdline: "
			"\"nfv.ip=10.0.0.1/24\", net: [{port: vm1}]}\n"),
		  "console=ttyS0 panic=-1 nfv.cmd=ttyS1 nfv.ip=10.0.0.1/24");
	expect_ok(guest("guests:\n"
			"  - {name: g1, vmm: qemu, kernel: KERNEL, net: "
			"[{port: vm1}]}\n"),
		  "socket,id=c0,path=");
	expect_ok(guest("guests:\n"
			"  - {name: g1, vmm: qemu, kernel: KERNEL, net: "
			"[{port: vm1}]}\n"),
		  "g1.cmd,server=on,wait=off -serial chardev:cmd");
	/* nfv-vmm: its own options. */
	expect_ok(
		guest("guests:\n"
		      "  - {name: g1, vmm: nfv-vmm, kernel: KERNEL, initrd: "
		      "INITRD, cpus: \"2\",\n"
		      "     net: [{port: vm1, mac: \"02:00:00:00:00:01\"}]}\n"),
		" --cpus 2 --console ");
	expect_ok(guest("guests:\n"
			"  - {name: g1, vmm: nfv-vmm, kernel: KERNEL, net: "
			"[{port: vm1, mac: \"02:00:00:00:00:01\"}]}\n"),
		  "vhost-user=");
	/* auto follows the probe ($NFV_LAB_AUTO here); the default is auto. */
	expect_ok(guest("guests:\n  - {name: g1, kernel: KERNEL, net: [{port: "
			"vm1}]}\n"),
		  "(vmm: auto -> qemu)");
	expect_ok(guest("guests:\n  - {name: g1, vmm: auto, kernel: KERNEL, "
			"net: [{port: vm1}]}\n"),
		  "probe: NFV_LAB_AUTO=qemu");
	/* A payload (tests) always runs under nfv-vmm. */
	expect_ok(guest("guests:\n  - {name: g1, payload: KERNEL, net: [{port: "
			"vm1}]}\n"),
		  "(vmm: auto -> nfv-vmm)");
	expect_err(
		guest("guests:\n  - {name: g1, vmm: qemu, payload: KERNEL}\n"),
		"a payload runs under nfv-vmm only");
	expect_err(
		guest("guests:\n  - {name: g1, vmm: kvm, kernel: KERNEL}\n"),
		"guests[0].vmm: 'kvm' is not an engine (nfv-vmm, qemu, auto)");
	expect_err(guest("lab: {vmm: [qemu]}\nguests:\n  - {name: g1, kernel: "
			 "KERNEL}\n"),
		   "lab.vmm: '?' is not an engine");
}

static void
test_defaults(void **state)
{
	(void)state;
	/* Lab-wide kernel, initrd, mem, engine; a guest's own wins. */
	expect_ok(guest("lab: {vmm: nfv-vmm, kernel: KERNEL, initrd: INITRD, "
			"mem: 192M}\n"
			"guests:\n  - {name: g1, net: [{port: vm1}]}\n"),
		  "(vmm: nfv-vmm -> nfv-vmm)");
	expect_ok(guest("lab: {vmm: nfv-vmm, kernel: KERNEL, initrd: INITRD, "
			"mem: 192M}\n"
			"guests:\n  - {name: g1, net: [{port: vm1}]}\n"),
		  " --mem 192M ");
	expect_ok(guest("lab: {vmm: nfv-vmm, kernel: KERNEL, mem: 192M}\n"
			"guests:\n  - {name: g1, vmm: qemu, mem: 1G, net: "
			"[{port: vm1}]}\n"),
		  "-m 1024M");
	expect_ok(guest("lab: {ready_timeout: 0}\nguests:\n  - {name: g1, "
			"kernel: KERNEL}\n"),
		  "OK");
	expect_err(guest("lab: {ready_timeout: -3}\nguests:\n  - {name: g1, "
			 "kernel: KERNEL}\n"),
		   "lab.ready_timeout: want seconds");
	expect_err(guest("lab: {engine: qemu}\nguests:\n  - {name: g1, kernel: "
			 "KERNEL}\n"),
		   "lab: unknown key 'engine'");
	expect_err(
		guest("lab: [qemu]\nguests:\n  - {name: g1, kernel: KERNEL}\n"),
		"lab: want a mapping");
}

static void
test_kernel_and_sizes(void **state)
{
	(void)state;
	expect_err("guests:\n  - {name: g1, net: [{port: vm1}]}\n",
		   "guest 'g1': no kernel: give 'kernel'");
	expect_err(guest("guests:\n  - {name: g1, kernel: KERNEL, payload: "
			 "KERNEL}\n"),
		   "give 'kernel' or 'payload', not both");
	expect_err("guests:\n  - {name: g1, kernel: /nonexistent/vmlinuz}\n",
		   "kernel /nonexistent/vmlinuz: No such file or directory");
	expect_err(guest("guests:\n  - {name: g1, kernel: KERNEL, initrd: "
			 "/nonexistent/i.gz}\n"),
		   "initrd /nonexistent/i.gz: No such file or directory");
	expect_err(guest("guests:\n  - {name: g1, kernel: KERNEL, mem: 12X}\n"),
		   "mem '12X': want a size 16M..64G");
	expect_err(guest("guests:\n  - {name: g1, kernel: KERNEL, mem: 1M}\n"),
		   "mem '1M'");
	expect_err(
		guest("guests:\n  - {name: g1, kernel: KERNEL, cpus: \"0\"}\n"),
		"cpus '0': want 1..64");
}

static void
test_names_and_keys(void **state)
{
	(void)state;
	expect_err(guest("guests:\n  - {kernel: KERNEL}\n"),
		   "guests[0]: 'name' is required");
	expect_err(guest("guests:\n  - {name: \"g 1\", kernel: KERNEL}\n"),
		   "names use letters, digits, - _ .");
	expect_err(guest("guests:\n  - {name: g1, kernel: KERNEL}\n  - {name: "
			 "g1, kernel: KERNEL}\n"),
		   "guest 'g1' declared twice");
	expect_err(guest("guests:\n  - {name: g1, kernel: KERNEL, disk: x}\n"),
		   "guests[0]: unknown key 'disk'");
	expect_err(guest("guests:\n  - {name: g1, kernel: KERNEL, net: [{port: "
			 "vm1, model: e1000}]}\n"),
		   "guests[0].net[0]: unknown key 'model'");
	expect_err(guest("guests:\n  - {name: g1, kernel: KERNEL, net: [{mac: "
			 "\"02:00:00:00:00:01\"}]}\n"),
		   "guests[0].net[0]: 'port' is required");
	expect_err(guest("guests:\n  - {name: g1, kernel: KERNEL, name: g2}\n"),
		   "guests[0].name given twice");
	expect_err("# no guests\n", "no 'guests:' list");
	expect_err("guests: {name: g1}\n", "guests: want a list");
}

static void
test_nics(void **state)
{
	(void)state;
	expect_err(guest("guests:\n  - {name: g1, kernel: KERNEL, net: [{port: "
			 "vm9}]}\n"),
		   "net[0].port 'vm9' is not a port of this file");
	expect_err(guest("guests:\n  - {name: g1, kernel: KERNEL, net: [{port: "
			 "vc}]}\n"),
		   "port 'vc' has mode: client");
	expect_err(
		guest("guests:\n  - {name: g1, kernel: KERNEL, net: [{port: "
		      "vm1}]}\n"
		      "  - {name: g2, kernel: KERNEL, net: [{port: vm1}]}\n"),
		"guest 'g2': port 'vm1' is already guest 'g1''s");
	expect_err(guest("guests:\n  - {name: g1, kernel: KERNEL, net: [{port: "
			 "vm1}, {port: vm1}]}\n"),
		   "guest 'g1': port 'vm1' is already guest 'g1''s");
	expect_err(guest("guests:\n"
			 "  - {name: g1, kernel: KERNEL, net: [{port: vm1, "
			 "mac: \"02:00:00:00:00:01\"}]}\n"
			 "  - {name: g2, kernel: KERNEL, net: [{port: vm2, "
			 "mac: \"02:00:00:00:00:01\"}]}\n"),
		   "MAC 02:00:00:00:00:01 is already guest 'g1''s");
	expect_err(guest("guests:\n  - {name: g1, kernel: KERNEL, net: [{port: "
			 "vm1, mac: \"02:00:00:00:00\"}]}\n"),
		   "net[0].mac '02:00:00:00:00': want a unicast MAC");
	expect_err(guest("guests:\n  - {name: g1, kernel: KERNEL, net: [{port: "
			 "vm1, mac: \"03:00:00:00:00:01\"}]}\n"),
		   "want a unicast MAC");
	expect_err(guest("guests:\n  - {name: g1, kernel: KERNEL, net: {port: "
			 "vm1}}\n"),
		   "guests[0].net: want a list of {port, mac}");
	/* Two NICs, each its own port and MAC: fine. */
	expect_ok(guest("guests:\n  - {name: r, vmm: qemu, kernel: KERNEL, "
			"net: [{port: vm1, mac: \"02:00:00:00:00:01\"},\n"
			"     {port: vm2, mac: \"02:00:00:00:00:02\"}]}\n"),
		  "-netdev vhost-user,id=n1,chardev=c1");
}

static int
group_setup(void **state)
{
	int fd;

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/test-lab-file.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(kernel, sizeof(kernel), "%s/vmlinuz", dir);
	snprintf(initrd, sizeof(initrd), "%s/initrd.gz", dir);
	snprintf(lab, sizeof(lab), "%s/lab.yaml", dir);
	fd = open(kernel, O_WRONLY | O_CREAT, 0644);
	close(fd);
	fd = open(initrd, O_WRONLY | O_CREAT, 0644);
	close(fd);
	return fd < 0 ? -1 : 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	unlink(kernel);
	unlink(initrd);
	unlink(lab);
	rmdir(dir);
	return 0;
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_engines),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_kernel_and_sizes),
		cmocka_unit_test(test_names_and_keys),
		cmocka_unit_test(test_nics),
	};

	if (argc != 2) {
		fprintf(stderr, "usage: %s PATH-TO-NFVCTL\n", argv[0]);
		return 1;
	}
	nfvctl = argv[1];
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
