// SPDX-License-Identifier: BSD-3-Clause
/*
 * nfv-vmm's vhost-user frontend against a real backend, with this test as
 * the guest's driver on the shared rings (no KVM needed).
 *
 * The backend is dpdk-testpmd, io-forwarding between a vhost-user port
 * (net_vhost, the socket the VMM connects to) and a pcap port: frames the
 * "guest" puts on its TX ring must come out in the pcap file, and frames
 * read from the input pcap must land in the guest's RX ring with an
 * interrupt (here the VMM-polled INTx path).  Then testpmd is stopped and
 * a new one started on the same socket: the VMM must see the link go
 * down, reconnect, re-send the whole setup with each ring's base at the
 * guest's used index, and traffic must flow again on the same rings, with
 * no reset of the guest's device.
 *
 * With arguments "nfvd PATH" the backend is nfvd instead: two NICs of the
 * same VM on two vhost-user ports joined by an l2switch swap frames; nfvd
 * is stopped and started again, and the frames flow again on the same
 * rings.
 *
 * Bounded (alarm), cleans up its processes (by PID) and files even when it
 * fails.  Exit 77 when dpdk-testpmd is missing or cannot start.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hostdrv.h"
#include "pci.h"

#define SKIP 77
#define NRX 4
#define NTX 5

static char dir[64];
static pid_t pmd_pid = -1;
static int pmd_in = -1;
static int pmd_gen;

static void cleanup(void)
{
	char cmd[128];

	if (pmd_pid > 0) {
		kill(pmd_pid, SIGKILL);
		waitpid(pmd_pid, NULL, 0);
		pmd_pid = -1;
	}
	if (dir[0] && !getenv("NFV_TEST_KEEP")) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s' /var/run/dpdk/nfv-vmm-vh-%d-*",
			 dir, (int)getpid());
		if (system(cmd) != 0)
			fprintf(stderr, "cleanup: %s failed\n", cmd);
	}
}

static void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
static void die(const char *fmt, ...)
{
	va_list ap;
	char logp[128], line[512];
	FILE *f;

	va_start(ap, fmt);
	fprintf(stdout, "FAIL: ");
	vfprintf(stdout, fmt, ap);
	fprintf(stdout, "\n");
	va_end(ap);
	if (pmd_pid > 0 && pmd_in >= 0 &&
	    write(pmd_in, "show port stats all\n", 20) == 20)
		usleep(500000);
	snprintf(logp, sizeof(logp), "%s/testpmd%d.log", dir, pmd_gen);
	f = fopen(logp, "r");
	if (f) {
		printf("----- %s -----\n", logp);
		while (fgets(line, sizeof(line), f))
			fputs(line, stdout);
		fclose(f);
	}
	fflush(stdout);
	cleanup();
	exit(1);
}

static void on_alarm(int sig)
{
	(void)sig;
	die("ran past its time budget");
}

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

/* ---- pcap files ---- */

static void pcap_write(const char *path, const uint8_t mac[6], char tag,
		       int n)
{
	uint32_t gh[6] = { 0xa1b2c3d4, 0x00040002, 0, 0, 65535, 1 };
	FILE *f = fopen(path, "wb");
	int i;

	if (!f)
		die("%s: %s", path, strerror(errno));
	fwrite(gh, sizeof(gh), 1, f);
	for (i = 0; i < n; i++) {
		uint8_t fr[64] = { 0 };
		uint32_t rh[4] = { 0, 0, sizeof(fr), sizeof(fr) };

		memcpy(fr, mac, 6);
		memcpy(fr + 6, "\x02\x00\x00\x00\x00\x99", 6);
		fr[12] = 0x88;
		fr[13] = 0xb5;
		fr[14] = (uint8_t)tag;
		fr[15] = (uint8_t)('0' + i);
		fwrite(rh, sizeof(rh), 1, f);
		fwrite(fr, sizeof(fr), 1, f);
	}
	fclose(f);
}

/* Frames in a pcap file whose payload starts with tag; -1: no file. */
static int pcap_count(const char *path, char tag)
{
	uint8_t buf[65536];
	uint32_t gh[6], rh[4];
	FILE *f = fopen(path, "rb");
	int n = 0;

	if (!f)
		return -1;
	if (fread(gh, sizeof(gh), 1, f) != 1) {
		fclose(f);
		return 0;
	}
	while (fread(rh, sizeof(rh), 1, f) == 1 && rh[2] <= sizeof(buf) &&
	       fread(buf, rh[2], 1, f) == 1)
		if (rh[2] >= 16 && buf[12] == 0x88 && buf[13] == 0xb5 &&
		    buf[14] == (uint8_t)tag)
			n++;
	fclose(f);
	return n;
}

/* ---- testpmd ---- */

static void pmd_start(const char *sock, const char *in, const char *out)
{
	char vdev1[256], vdev2[512], prefix[64], logp[128], lcores[32];
	int p[2], lfd, cpu = 0;
	cpu_set_t cs;

	pmd_gen++;
	snprintf(vdev1, sizeof(vdev1), "net_vhost0,iface=%s,queues=1", sock);
	snprintf(vdev2, sizeof(vdev2), "net_pcap0,rx_pcap=%s,tx_pcap=%s", in, out);
	snprintf(prefix, sizeof(prefix), "--file-prefix=nfv-vmm-vh-%d-%d",
		 (int)getpid(), pmd_gen);
	snprintf(logp, sizeof(logp), "%s/testpmd%d.log", dir, pmd_gen);
	if (sched_getaffinity(0, sizeof(cs), &cs) == 0)
		while (cpu < CPU_SETSIZE - 1 && !CPU_ISSET(cpu, &cs))
			cpu++;
	snprintf(lcores, sizeof(lcores), "0@%d,1@%d", cpu, cpu);
	if (pipe(p) < 0)
		die("pipe: %s", strerror(errno));
	lfd = open(logp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	pmd_pid = fork();
	if (pmd_pid < 0)
		die("fork: %s", strerror(errno));
	if (pmd_pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(p[0], 0);
		dup2(lfd, 1);
		dup2(lfd, 2);
		close(p[1]);
		/* Unbuffered, so that its log is whole when it dies. */
		execlp("stdbuf", "stdbuf", "-o0", "-e0", "dpdk-testpmd",
		       "--no-pci", "--no-huge",
		       "-m", "256", prefix, "--lcores", lcores,
		       "--log-level=lib.eal:error", "--vdev", vdev1, "--vdev",
		       vdev2, "--", "-i", "--nb-cores=1", "--forward-mode=io",
		       "--total-num-mbufs=4096", "--disable-link-check",
		       /* else "start" drains the pcap file's frames */
		       "--no-flush-rx",
		       (char *)NULL);
		_exit(127);
	}
	close(p[0]);
	close(lfd);
	pmd_in = p[1];
}

static void pmd_cmd(const char *c)
{
	if (write(pmd_in, c, strlen(c)) < 0)
		die("testpmd stdin: %s", strerror(errno));
}

static int pmd_quit(void)
{
	int st = 0, i;

	pmd_cmd("stop\nquit\n");
	for (i = 0; i < 200; i++) {
		if (waitpid(pmd_pid, &st, WNOHANG) == pmd_pid) {
			pmd_pid = -1;
			close(pmd_in);
			return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
		}
		usleep(50000);
	}
	die("testpmd did not quit");
}

/* testpmd's log shows its prompt: its ports are configured. */
static bool pmd_prompt(void)
{
	char logp[128], buf[8192];
	size_t n;
	FILE *f;

	snprintf(logp, sizeof(logp), "%s/testpmd%d.log", dir, pmd_gen);
	f = fopen(logp, "r");
	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	return strstr(buf, "testpmd> ") != NULL;
}

/* The socket, and testpmd at its prompt (its ports configured). */
static void wait_socket(const char *sock, int secs)
{
	struct stat st;
	int i;

	for (i = 0; i < secs * 20; i++) {
		if (stat(sock, &st) == 0 && S_ISSOCK(st.st_mode) && pmd_prompt())
			return;
		if (waitpid(pmd_pid, NULL, WNOHANG) == pmd_pid) {
			pmd_pid = -1;
			if (pmd_gen == 1) {
				printf("SKIP: dpdk-testpmd exited at start (see %s/testpmd1.log)\n", dir);
				cleanup();
				exit(SKIP);
			}
			die("testpmd exited");
		}
		usleep(50000);
	}
	die("no socket %s after %d s", sock, secs);
}

/* ---- the test ---- */

static void send_frames(struct hostdrv *hd, const uint8_t mac[6], char tag,
			int n)
{
	int i;

	for (i = 0; i < n; i++) {
		uint8_t fr[60] = { 0 };

		memset(fr, 0xff, 6);
		memcpy(fr + 6, mac, 6);
		fr[12] = 0x88;
		fr[13] = 0xb5;
		fr[14] = (uint8_t)tag;
		fr[15] = (uint8_t)('0' + i);
		if (hostdrv_tx(hd, 1, fr, sizeof(fr)))
			die("tx %c%d", tag, i);
	}
}

/*
 * Runs the VMM's main loop until testpmd's log says its vhost port's link
 * came up.  The vhost library enables a device's queues for the port only
 * after that (the new-device callback runs on its own thread): frames that
 * testpmd forwards to the port before it are dropped, which on a busy
 * machine lost the pcap frames read at `start`.
 */
static void wait_pmd_link(struct vmm *vm)
{
	char logp[128], line[512];
	int i;

	snprintf(logp, sizeof(logp), "%s/testpmd%d.log", dir, pmd_gen);
	for (i = 0; i < 200; i++) {
		FILE *f = fopen(logp, "r");
		bool up = false;

		while (f && !up && fgets(line, sizeof(line), f))
			up = strstr(line, "Port 0: link state change event");
		if (f)
			fclose(f);
		if (up)
			return;
		vmm_loop_run(vm, 50);
	}
	die("testpmd %d: its vhost port's link did not come up in 10 s",
	    pmd_gen);
}

/* Runs the VMM's main loop while waiting for RX frames tagged tag. */
static void wait_rx(struct vmm *vm, struct hostdrv *hd, char tag, int want)
{
	int got = 0, i;

	for (i = 0; i < 200 && got < want; i++) {
		uint8_t fr[2048];
		uint32_t len;
		int r;

		vmm_loop_run(vm, 50);
		while ((r = hostdrv_used(hd, 0, fr, &len)) == 1) {
			if (len >= 16 && fr[12] == 0x88 && fr[13] == 0xb5 &&
			    fr[14] == (uint8_t)tag)
				got++;
		}
		if (r < 0)
			die("RX used ring: bad entry");
	}
	if (got < want) {
		uint8_t *av = hd_gpa(hd, hd->q[0].avail, 4);
		uint16_t ai, ui = hostdrv_used_idx(hd, 0);

		memcpy(&ai, av + 2, 2);
		die("RX: %d of %d frames tagged %c arrived (avail %u, used %u)",
		    got, want, tag, ai, ui);
	}
	say("ok: %d frames tagged %c in the guest's RX ring", got, tag);
}

static void wait_out(const char *out, char tag, int want)
{
	int i, n = -1;

	for (i = 0; i < 100; i++) {
		n = pcap_count(out, tag);
		if (n >= want)
			break;
		usleep(50000);
	}
	if (n < want)
		die("%s: %d of %d frames tagged %c", out, n, want, tag);
	say("ok: %d frames tagged %c reached the other port (%s)", n, tag, out);
}

static bool link_up(struct hostdrv *hd)
{
	return hd_read(hd, hd->devcfg + 6, 2) & 1;
}

/* ---- the same against nfvd: two NICs on an l2switch ---- */

static pid_t nfvd_pid = -1;

static void nfvd_start(const char *nfvd, const char *cfg, int gen)
{
	char logp[128];
	int lfd;

	snprintf(logp, sizeof(logp), "%s/nfvd%d.log", dir, gen);
	lfd = open(logp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	nfvd_pid = fork();
	if (nfvd_pid < 0)
		die("fork: %s", strerror(errno));
	if (nfvd_pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(lfd, 1);
		dup2(lfd, 2);
		execl(nfvd, nfvd, "-c", cfg, (char *)NULL);
		_exit(127);
	}
	close(lfd);
	pmd_pid = nfvd_pid;	/* cleanup() kills it */
}

static bool file_has(const char *path, const char *needle)
{
	char buf[65536];
	size_t n;
	FILE *f = fopen(path, "r");

	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	return strstr(buf, needle) != NULL;
}

static void nfvd_wait_ready(int gen)
{
	char logp[128];
	int i;

	snprintf(logp, sizeof(logp), "%s/nfvd%d.log", dir, gen);
	for (i = 0; i < 600; i++) {
		if (file_has(logp, "ready:"))
			return;
		if (waitpid(nfvd_pid, NULL, WNOHANG) == nfvd_pid) {
			nfvd_pid = pmd_pid = -1;
			die("nfvd exited at start (%s)", logp);
		}
		usleep(50000);
	}
	die("nfvd not ready after 30 s (%s)", logp);
}

static void nfvd_stop(void)
{
	int i, st;

	kill(nfvd_pid, SIGTERM);
	for (i = 0; i < 300; i++) {
		if (waitpid(nfvd_pid, &st, WNOHANG) == nfvd_pid) {
			nfvd_pid = pmd_pid = -1;
			return;
		}
		usleep(50000);
	}
	die("nfvd ignored SIGTERM");
}

/* Frames tagged tag from a to b, through nfvd's switch. */
static void swap(struct vmm *vm, struct hostdrv *a, struct hostdrv *b,
		 const uint8_t mac[6], char tag)
{
	uint16_t before = hostdrv_used_idx(a, 1);
	int i;

	send_frames(a, mac, tag, NTX);
	wait_rx(vm, b, tag, NTX);
	for (i = 0; i < 100 && (uint16_t)(hostdrv_used_idx(a, 1) - before) < NTX; i++)
		vmm_loop_run(vm, 50);
}

static int run_nfvd(const char *nfvd)
{
	static struct vmm vm;
	struct vmm_net_config cfg = {
		.queue_pairs = 1, .queue_size = 256, .connect_ms = 20000,
		.reply_ms = 5000,
	};
	uint8_t mac1[6] = { 2, 0x4e, 0x46, 0, 0, 1 }, mac2[6] = { 2, 0x4e, 0x46, 0, 0, 2 };
	char conf[128], s1[128], s2[128], ctl[128];
	struct vmm_net *n1, *n2;
	struct hostdrv h1, h2;
	FILE *f;
	int i;

	snprintf(conf, sizeof(conf), "%s/nfvd.yaml", dir);
	snprintf(s1, sizeof(s1), "%s/vm1.sock", dir);
	snprintf(s2, sizeof(s2), "%s/vm2.sock", dir);
	snprintf(ctl, sizeof(ctl), "%s/ctl.sock", dir);
	f = fopen(conf, "w");
	if (!f)
		die("%s: %s", conf, strerror(errno));
	fprintf(f, "dataplane: {workers: 1, memory: 256, hugepages: off, file_prefix: nfv-vmm-vh-%d}\n"
		   "control: {socket: %s}\n"
		   "ports:\n"
		   "  - {name: vm1, type: vhost-user, path: %s, mode: server}\n"
		   "  - {name: vm2, type: vhost-user, path: %s, mode: server}\n"
		   "vnfs:\n"
		   "  - {name: sw, type: l2switch, ifaces: [{name: a}, {name: b}]}\n"
		   "links: [[vm1, sw.a], [vm2, sw.b]]\n",
		(int)getpid(), ctl, s1, s2);
	fclose(f);

	nfvd_start(nfvd, conf, 1);
	nfvd_wait_ready(1);
	say("nfvd 1 ready (pid %d)", (int)nfvd_pid);
	if (vmm_create(&vm, 256 * VMM_MIB, false, 1, false) || vmm_pci_create(&vm))
		die("vmm_create");
	cfg.path = s1;
	memcpy(cfg.mac, mac1, 6);
	if (vmm_net_create(&vm, &cfg, &n1))
		die("net0 to nfvd");
	cfg.path = s2;
	memcpy(cfg.mac, mac2, 6);
	if (vmm_net_create(&vm, &cfg, &n2))
		die("net1 to nfvd");
	if (hostdrv_open(&h1, &vm, n1->vp.pci.slot) || hostdrv_open(&h2, &vm, n2->vp.pci.slot))
		die("hostdrv_open");
	if (hostdrv_negotiate(&h1, (1ULL << 32) | (1ULL << 5) | (1ULL << 16)) ||
	    hostdrv_negotiate(&h2, (1ULL << 32) | (1ULL << 5) | (1ULL << 16)) ||
	    hostdrv_queue(&h1, 0, 256, 0x1000000) || hostdrv_queue(&h1, 1, 256, 0x1400000) ||
	    hostdrv_queue(&h2, 0, 256, 0x2000000) || hostdrv_queue(&h2, 1, 256, 0x2400000) ||
	    hostdrv_driver_ok(&h1) || hostdrv_driver_ok(&h2) ||
	    hostdrv_rx_post(&h1, 0, 64) || hostdrv_rx_post(&h2, 0, 64))
		die("driver bring-up");
	say("ok: both NICs running on nfvd");
	usleep(500000);
	swap(&vm, &h1, &h2, mac1, 'E');
	swap(&vm, &h2, &h1, mac2, 'F');

	/* nfvd restarts; the guest's devices stay as they are. */
	nfvd_stop();
	for (i = 0; i < 100 && (n1->vu.fd >= 0 || n2->vu.fd >= 0); i++)
		vmm_loop_run(&vm, 50);
	if (link_up(&h1) || link_up(&h2))
		die("links still up with nfvd gone");
	say("ok: nfvd stopped, both links down");
	nfvd_start(nfvd, conf, 2);
	nfvd_wait_ready(2);
	for (i = 0; i < 300 && !(link_up(&h1) && link_up(&h2)); i++)
		vmm_loop_run(&vm, 50);
	if (!link_up(&h1) || !link_up(&h2) || !n1->backend_live || !n2->backend_live)
		die("no reconnect to the new nfvd within 15 s");
	if (hostdrv_status(&h1) != 0x0f || hostdrv_status(&h2) != 0x0f)
		die("device status disturbed");
	say("ok: reconnected to nfvd 2, links up, devices untouched");
	usleep(500000);
	if (hostdrv_rx_post(&h1, 0, 16) || hostdrv_rx_post(&h2, 0, 16))
		die("rx post");
	swap(&vm, &h1, &h2, mac1, 'G');
	swap(&vm, &h2, &h1, mac2, 'H');
	nfvd_stop();
	for (i = 0; i < 100 && (n1->vu.fd >= 0 || n2->vu.fd >= 0); i++)
		vmm_loop_run(&vm, 50);
	vmm_net_destroy(n1);
	vmm_net_destroy(n2);
	vm.nr_nets = 0;
	vmm_pci_destroy(&vm);
	vmm_destroy(&vm);
	cleanup();
	say("PASS vmm-vhost-nfvd");
	return 0;
}

int main(int argc, char **argv)
{
	static struct vmm vm;
	struct vmm_net_config cfg = {
		.mac = { 0x02, 0x4e, 0x46, 0x00, 0x00, 0x01 },
		.queue_pairs = 1,
		.queue_size = 256,
		.connect_ms = 20000,
		.reply_ms = 5000,
	};
	char sock[128], in1[128], out1[128], in2[128], out2[128];
	struct vmm_net *n;
	struct hostdrv hd;
	uint64_t lines;
	int i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && !strcmp(argv[1], "nfvd")) {
		snprintf(dir, sizeof(dir), "/tmp/nfv-vmm-vh-XXXXXX");
		if (!mkdtemp(dir)) {
			dir[0] = 0;
			die("mkdtemp: %s", strerror(errno));
		}
		signal(SIGALRM, on_alarm);
		signal(SIGPIPE, SIG_IGN);
		alarm(150);
		return run_nfvd(argv[2]);
	}
	if (system("command -v dpdk-testpmd >/dev/null 2>&1") != 0) {
		printf("SKIP: dpdk-testpmd not installed (apt-get install dpdk)\n");
		return SKIP;
	}
	snprintf(dir, sizeof(dir), "/tmp/nfv-vmm-vh-XXXXXX");
	if (!mkdtemp(dir)) {
		dir[0] = 0;
		die("mkdtemp: %s", strerror(errno));
	}
	signal(SIGALRM, on_alarm);
	signal(SIGPIPE, SIG_IGN);
	alarm(150);
	snprintf(sock, sizeof(sock), "%s/vhost.sock", dir);
	snprintf(in1, sizeof(in1), "%s/in1.pcap", dir);
	snprintf(out1, sizeof(out1), "%s/out1.pcap", dir);
	snprintf(in2, sizeof(in2), "%s/in2.pcap", dir);
	snprintf(out2, sizeof(out2), "%s/out2.pcap", dir);
	pcap_write(in1, cfg.mac, 'A', NRX);
	pcap_write(in2, cfg.mac, 'C', NRX);

	pmd_start(sock, in1, out1);
	wait_socket(sock, 60);
	say("testpmd 1 up (pid %d)", (int)pmd_pid);

	cfg.path = sock;
	if (vmm_create(&vm, 256 * VMM_MIB, false, 1, false) || vmm_pci_create(&vm))
		die("vmm_create");
	if (vmm_net_create(&vm, &cfg, &n))
		die("vmm_net_create: no backend handshake");
	if (hostdrv_open(&hd, &vm, n->vp.pci.slot))
		die("hostdrv_open");
	if (hostdrv_negotiate(&hd, (1ULL << 32) | (1ULL << 5) | (1ULL << 16)))
		die("feature negotiation");
	if (hostdrv_queue(&hd, 0, 256, 0x1000000) ||
	    hostdrv_queue(&hd, 1, 256, 0x1400000))
		die("queue setup");
	if (hostdrv_driver_ok(&hd))
		die("DRIVER_OK: status 0x%x", hostdrv_status(&hd));
	if (hostdrv_rx_post(&hd, 0, 64))
		die("rx post");
	if (!n->backend_live)
		die("the backend did not get the rings");
	say("ok: DRIVER_OK, rings handed to testpmd, link %s",
	    link_up(&hd) ? "up" : "down");

	wait_pmd_link(&vm);
	pmd_cmd("start\n");
	usleep(300000);
	send_frames(&hd, cfg.mac, 'B', NTX);
	wait_rx(&vm, &hd, 'A', NRX);
	for (i = 0; i < 100 && hostdrv_used_idx(&hd, 1) < NTX; i++)
		vmm_loop_run(&vm, 50);
	if (hostdrv_used_idx(&hd, 1) < NTX)
		die("TX: the backend completed %u of %d", hostdrv_used_idx(&hd, 1), NTX);
	lines = vm.line_raise_count;
	if (!lines)
		die("no interrupt raised for the RX frames");
	say("ok: TX completed, %llu INTx interrupts raised",
	    (unsigned long long)lines);
	if (pmd_quit() != 0)
		die("testpmd 1 did not exit cleanly");
	wait_out(out1, 'B', NTX);

	/* The backend is gone: link down, then back with a new backend. */
	for (i = 0; i < 100 && n->vu.fd >= 0; i++)
		vmm_loop_run(&vm, 50);
	if (n->vu.fd >= 0 || link_up(&hd))
		die("the VMM did not notice the backend go away");
	say("ok: backend gone, link down (ISR 0x%x)",
	    (unsigned int)hd_read(&hd, hd.isr, 1));

	pmd_start(sock, in2, out2);
	wait_socket(sock, 60);
	for (i = 0; i < 300 && !link_up(&hd); i++)
		vmm_loop_run(&vm, 50);
	if (!link_up(&hd) || !n->backend_live)
		die("no reconnect within 15 s");
	say("ok: reconnected (%llu attempts), link up, device status 0x%x",
	    (unsigned long long)n->reconnect_attempts, hostdrv_status(&hd));
	if (hostdrv_status(&hd) != 0x0f)
		die("the guest's device was disturbed: status 0x%x", hostdrv_status(&hd));

	wait_pmd_link(&vm);
	pmd_cmd("start\n");
	usleep(300000);
	if (hostdrv_rx_post(&hd, 0, 16))
		die("rx post");
	send_frames(&hd, cfg.mac, 'D', NTX);
	wait_rx(&vm, &hd, 'C', NRX);
	for (i = 0; i < 100 && hostdrv_used_idx(&hd, 1) < 2 * NTX; i++)
		vmm_loop_run(&vm, 50);
	if (hostdrv_used_idx(&hd, 1) < 2 * NTX)
		die("TX after reconnect: used %u of %d", hostdrv_used_idx(&hd, 1), 2 * NTX);
	if (pmd_quit() != 0)
		die("testpmd 2 did not exit cleanly");
	wait_out(out2, 'D', NTX);
	if (pcap_count(out2, 'B') != 0)
		die("frames sent before the reconnect were sent again");

	for (i = 0; i < 100 && n->vu.fd >= 0; i++)
		vmm_loop_run(&vm, 50);
	vmm_net_destroy(n);
	vm.nr_nets = 0;
	vmm_pci_destroy(&vm);
	vmm_destroy(&vm);
	cleanup();
	say("PASS vmm-vhost");
	return 0;
}
