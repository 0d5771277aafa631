/* SPDX-License-Identifier: BSD-3-Clause
 *
 * fuzz_telemetry.c - nfvd's telemetry commands (control/telemetry.c: the
 * /nfv/... handlers, their parameter parsing, the shaping of results into
 * what DPDK 22.11's telemetry can carry) under fuzzing, end to end: the
 * requests go over DPDK's telemetry socket, as dpdk-telemetry.py sends
 * them, and the replies come back as DPDK writes them.
 *
 * EAL runs with telemetry on; control handlers registered under the
 * commands' names answer with results built from the request, so that a
 * parameter becomes keys, values, and replies of any size: "show vnf"
 * echoes the name as keys and values at both levels, "show mac" answers
 * with four entries per byte of the name (past the 16 KiB reply),
 * "show ports" and "show stats" with fixed trees, "help" is the server's.
 *
 * The input is a list of up to 32 requests, read byte by byte (missing
 * bytes read as 0): a byte picks the command (one of /nfv/..., an unknown one,
 * or bytes at random), a byte how it is joined to its parameter (',', none,
 * ',,', or ', '), a byte the parameter's length (0-255), then the
 * parameter's bytes: any byte, NUL and non-ASCII included.
 *
 * Invariants (abort() on failure, so libFuzzer and ASan report it): every
 * request gets a reply within 30 s (on a loaded machine); the reply to a
 * command of plain ASCII is valid JSON, an object of one key (DPDK echoes
 * other commands unescaped: fz_expect()); a /nfv/ command's parameter with
 * a byte outside printable ASCII is refused with an error that does not
 * echo it; a handler only ever sees a parameter of printable ASCII,
 * without blanks at its ends, at most 127 bytes long.
 */
#include <errno.h>
#include <inttypes.h>
#include <malloc.h>
#include <poll.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <jansson.h>
#include <rte_common.h>
#include <rte_eal.h>

#include "control/ctl_server.h"
#include "tests/fuzz/common/fuzz_env.h"
#include "tests/fuzz/common/fuzz_vnf.h"

#define FZ_CHECK(cond, ...)                                                    \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr,                                        \
				"fuzz_telemetry: %s:%d: %s: ", __FILE__,       \
				__LINE__, #cond);                              \
			fprintf(stderr, __VA_ARGS__);                          \
			fputc('\n', stderr);                                   \
			abort();                                               \
		}                                                              \
	} while (0)

/* DPDK 22.11 reads a request into 1024 bytes and writes at most 16 KiB. */
#define FZ_REQ_MAX 1024
#define FZ_REPLY_MAX (64 * 1024)
/* Requests of one input at most (the rest of it is not read). */
#define FZ_BATCH 32
/* Requests sent before their replies are read (fz_run()). */
#define FZ_INFLIGHT 1

static int fz_sock = -1;
static char fz_rundir[PATH_MAX];
static struct sockaddr_un fz_sa = {.sun_family = AF_UNIX};
static uint64_t fz_requests, fz_errors, fz_refused_params, fz_handled;

/* ---- the handlers (telemetry thread, under ctl_server_lock()) ---- */

/* The parameter a handler gets: what ctl_tel_cb() promises. */
static const char *
fz_param(json_t *req, const char *key)
{
	const char *p = json_string_value(json_object_get(req, key));
	size_t len, i;

	fz_handled++;
	if (p == NULL)
		return NULL;
	len = strlen(p);
	FZ_CHECK(len > 0 && len <= 127, "parameter of %zu bytes", len);
	FZ_CHECK(p[0] != ' ' && p[0] != '\t' && p[len - 1] != ' ' &&
			 p[len - 1] != '\t' && p[len - 1] != '\n',
		 "blank at an end of \"%s\"", p);
	for (i = 0; i < len; i++)
		FZ_CHECK((unsigned char)p[i] >= 0x20 &&
				 (unsigned char)p[i] <= 0x7e,
			 "byte 0x%02x in the parameter", (unsigned char)p[i]);
	return p;
}

static int
fz_show_ports(json_t *req, json_t **result, void *arg)
{
	RTE_SET_USED(arg);
	fz_param(req, "none");
	*result = json_pack(
		"[{s:s,s:s,s:I,s:{s:I}},{s:s,s:s,s:I,s:{s:I}}]", "name", "vm1",
		"link", "up", "rx_packets", (json_int_t)1, "drops", "rx-nombuf",
		(json_int_t)0, "name", "up", "link", "down", "rx_packets",
		(json_int_t)INT64_MAX, "drops", "rx-missed", (json_int_t)-1);
	return *result != NULL ? 0 : -ENOMEM;
}

static int
fz_show_stats(json_t *req, json_t **result, void *arg)
{
	RTE_SET_USED(arg);
	fz_param(req, "none");
	*result = json_pack("{s:[{s:i,s:f,s:b}],s:{s:{s:[i,i]}},s:n}",
			    "workers", "id", 0, "busy", 0.5, "idle", 1, "vnfs",
			    "sw", "deep", 1, 2, "nothing");
	return *result != NULL ? 0 : -ENOMEM;
}

/* The name as keys and values, at both levels the reply has. */
static int
fz_show_vnf(json_t *req, json_t **result, void *arg)
{
	const char *name = fz_param(req, "name");

	RTE_SET_USED(arg);
	if (name == NULL)
		return ctl_error(result, EINVAL, "\"name\" missing");
	if (strcmp(name, "nope") == 0)
		return ctl_error(result, ENOENT, "no vnf named \"%s\"", name);
	*result = json_pack("{s:s,s:[{s:s}],s:{s:i,s:s},s:{s:{s:s}},s:[s,s]}",
			    "name", name, "ifaces", "name", name, "counters",
			    name, 1, "x", name, name, name, name, name,
			    "details", name, name);
	return *result != NULL ? 0 : -ENOMEM;
}

/* Four entries per byte of the name: past the reply's 16 KiB from 25. */
static int
fz_show_mac(json_t *req, json_t **result, void *arg)
{
	const char *vnf = fz_param(req, "vnf");
	size_t n = vnf != NULL ? 4 * strlen(vnf) : 3, i;
	json_t *arr = json_array();

	RTE_SET_USED(arg);
	if (arr == NULL)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		json_array_append_new(arr,
				      json_pack("{s:s,s:I,s:s}", "mac",
						"02:00:00:00:00:01", "vlan",
						(json_int_t)i, "vnf",
						vnf != NULL ? vnf : "-"));
	*result = arr;
	return 0;
}

/* ---- set-up ---- */

/* The runtime folder, empty once DPDK's socket is gone.  Also at exit:
 * a libFuzzer target never calls fz_fini(), and each run has a folder of
 * its own (its pid). */
static void
fz_rundir_remove(void)
{
	if (fz_rundir[0] == '\0')
		return;
	unlink(fz_sa.sun_path);
	rmdir(fz_rundir);
}

int
fz_init(const char *prog)
{
	static char prefix[32], lcores[32];
	char *argv[] = {
		(char *)(uintptr_t)prog,
		"--lcores",
		lcores,
		"--no-huge",
		"--no-pci",
		"--no-shconf",
		"-m",
		"64",
		"--file-prefix",
		prefix,
		"--log-level=*:error",
		NULL,
	};
	struct sockaddr_un *sa = &fz_sa;
	char buf[FZ_REQ_MAX];
	cpu_set_t one;
	int cpu, rc;

	/* DPDK's telemetry thread callocs a reply buffer of a few hundred
	 * KiB per request; with glibc's defaults each one grew its arena
	 * and was given back (sysmalloc, page faults, madvise: 40 % of the
	 * harness's time).  Keep that memory in the process instead. */
	mallopt(M_MMAP_THRESHOLD, 32 << 20);
	mallopt(M_TRIM_THRESHOLD, 256 << 20);
	/* A telemetry socket of our own: a campaign and the suite may run
	 * side by side. */
	snprintf(prefix, sizeof(prefix), "fz-tel-%ld", (long)getpid());

	rc = ctl_server_register("show ports", fz_show_ports, NULL, "ports");
	rc = rc ?: ctl_server_register("show stats", fz_show_stats, NULL, "s");
	rc = rc ?: ctl_server_register("show vnf", fz_show_vnf, NULL, "vnf");
	rc = rc ?: ctl_server_register("show mac", fz_show_mac, NULL, "mac");
	rc = rc ?: ctl_telemetry_init();
	if (rc < 0)
		return rc;
	/*
	 * Every request is a round trip to DPDK's telemetry thread.  EAL
	 * puts its control threads on the CPUs the process may use less the
	 * lcore's, so they ran on another CPU and each request waited for
	 * that CPU as well (on a loaded machine, most of the time).  Allowed
	 * one CPU only, EAL keeps them beside the main thread, and a request
	 * hands over directly.  Same socket, same code.  The CPU is the one
	 * this process started on, not CPU 0: another campaign may be
	 * pinned there already.
	 */
	cpu = sched_getcpu();
	if (cpu < 0 || cpu >= CPU_SETSIZE)
		cpu = 0;
	snprintf(lcores, sizeof(lcores), "0@%d", cpu);
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	if (sched_setaffinity(0, sizeof(one), &one) < 0)
		fprintf(stderr, "fuzz_telemetry: CPU %d only: %s (going on)\n",
			cpu, strerror(errno));
	if (rte_eal_init((int)RTE_DIM(argv) - 1, argv) < 0) {
		fprintf(stderr, "fuzz_telemetry: EAL init failed\n");
		return -EINVAL;
	}
	snprintf(fz_rundir, sizeof(fz_rundir), "%s", rte_eal_get_runtime_dir());
	atexit(fz_rundir_remove);
	if (strlen(fz_rundir) > 80)
		return -ENAMETOOLONG;
	snprintf(sa->sun_path, sizeof(sa->sun_path), "%.80s/dpdk_telemetry.v2",
		 fz_rundir);
	fz_sock = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	if (fz_sock < 0 ||
	    connect(fz_sock, (struct sockaddr *)sa, sizeof(*sa)) < 0) {
		fprintf(stderr, "fuzz_telemetry: %s: %s\n", sa->sun_path,
			strerror(errno));
		return -errno;
	}
	/* The greeting: {"version": ..., "pid": ..., "max_output_len": ...} */
	if (recv(fz_sock, buf, sizeof(buf), 0) <= 0)
		return -EIO;
	return 0;
}

int
fz_fini(void)
{
	if (fz_sock >= 0)
		close(fz_sock);
	fz_sock = -1;
	rte_eal_cleanup();
	/* DPDK removes its socket only at exit, after us. */
	fz_rundir_remove();
	return 0;
}

/* ---- the input program ---- */

static const char *const fz_cmds[] = {
	"/nfv/vnf",   "/nfv/vnf",   "/nfv/mac",	 "/nfv/mac",
	"/nfv/ports", "/nfv/stats", "/nfv/help", "/nfv/nope",
	"/info",      "/",	    "/help",
};

/*
 * What a request must get, worked out as DPDK 22.11 and telemetry.c read
 * it: the command is the bytes before the first ',' (leading ones
 * skipped) or the NUL, the parameter what follows that ',' up to a NUL;
 * telemetry.c skips blanks before it, keeps at most 127 bytes, trims
 * blanks after it.  Returns 1 when the reply must be an error, 0 when it
 * must be a result, -1 when no /nfv/ command is named but the command is
 * plain ASCII (the reply must still be JSON), -2 for a command of other
 * bytes: DPDK 22.11 echoes an unknown command into its reply unescaped
 * ({"<cmd>":null}), which nfvd cannot change (docs/reliability.md).
 */
static int
fz_expect(const char *req, size_t len)
{
	static const char *const no_param[] = {"/nfv/ports", "/nfv/stats",
					       "/nfv/help"};
	char buf[FZ_REQ_MAX + 1], win[128];
	const char *cmd, *param;
	size_t i, n;
	bool bad = false;

	memcpy(buf, req, len);
	buf[len] = '\0';
	for (cmd = buf; *cmd == ','; cmd++)
		;
	param = strchr(cmd, ',');
	n = param != NULL ? (size_t)(param - cmd) : strlen(cmd);
	if (param != NULL)
		param++;
	while (param != NULL && (*param == ' ' || *param == '\t'))
		param++;
	snprintf(win, sizeof(win), "%s", param != NULL ? param : "");
	i = strlen(win);
	while (i > 0 &&
	       (win[i - 1] == ' ' || win[i - 1] == '\t' || win[i - 1] == '\n'))
		win[--i] = '\0';
	for (i = 0; win[i] != '\0'; i++)
		if ((unsigned char)win[i] < 0x20 ||
		    (unsigned char)win[i] > 0x7e)
			bad = true;
	for (i = 0; i < n; i++)
		if ((unsigned char)cmd[i] < 0x20 ||
		    (unsigned char)cmd[i] > 0x7e || cmd[i] == '"' ||
		    cmd[i] == '\\')
			return -2;
	for (i = 0; i < RTE_DIM(no_param); i++)
		if (strlen(no_param[i]) == n && !strncmp(cmd, no_param[i], n))
			return win[0] != '\0';
	if (n == 8 && !strncmp(cmd, "/nfv/mac", n))
		return bad;
	if (n == 8 && !strncmp(cmd, "/nfv/vnf", n))
		return win[0] == '\0' || bad || !strcmp(win, "nope");
	return -1;
}

/* Read the reply to req (sent before) and check it. */
static void
fz_reply_check(const char *req, size_t len)
{
	static char reply[FZ_REPLY_MAX + 1];
	struct pollfd pfd = {.fd = fz_sock, .events = POLLIN};
	int expect = fz_expect(req, len);
	json_error_t jerr;
	json_t *j, *v;
	const char *key;
	ssize_t n;
	int rc;

	/* libFuzzer's timeout is a SIGALRM every few seconds: a wait it
	 * interrupts goes on (a failed wait read as "no reply" before). */
	do
		rc = poll(&pfd, 1, 30000);
	while (rc < 0 && errno == EINTR);
	FZ_CHECK(rc == 1, "no reply to \"%.*s\" in 30 s: %s", (int)len, req,
		 rc < 0 ? strerror(errno) : "timed out");
	do
		n = recv(fz_sock, reply, FZ_REPLY_MAX, 0);
	while (n < 0 && errno == EINTR);
	FZ_CHECK(n > 0, "recv: %s", n < 0 ? strerror(errno) : "closed");
	reply[n] = '\0';
	fz_requests++;
	if (expect == -2)
		return;
	j = json_loadb(reply, (size_t)n, JSON_REJECT_DUPLICATES, &jerr);
	FZ_CHECK(j != NULL, "reply is not JSON (%s): %s", jerr.text, reply);
	FZ_CHECK(json_is_object(j) && json_object_size(j) == 1,
		 "reply is not an object of one key: %s", reply);
	json_object_foreach(j, key, v) {
		bool err = json_is_string(json_object_get(v, "error"));

		fz_errors += err;
		if (expect < 0)
			continue;
		FZ_CHECK(json_is_object(v) || json_is_array(v) ||
				 json_is_string(v),
			 "no result for \"%.*s\": %s", (int)len, req, reply);
		FZ_CHECK(err == (expect == 1), "%s expected for \"%.*s\": %s",
			 expect ? "an error" : "a result", (int)len, req,
			 reply);
		if (err && expect == 1 && strstr(reply, "printable") != NULL)
			fz_refused_params++;
	}
	json_decref(j);
}

unsigned int
fz_run(const uint8_t *data, size_t len)
{
	/* One request at a time, its reply read before the next goes out:
	 * sending ahead (FZ_INFLIGHT > 1) made runs no faster. */
	static char reqs[FZ_BATCH][FZ_REQ_MAX];
	static size_t lens[FZ_BATCH];
	struct fz_in in = {.p = data, .n = len};
	unsigned int n = 0, k = 0;

	while (in.n > 0 && n < FZ_BATCH) {
		uint8_t c = fz_u8(&in), join = fz_u8(&in), plen = fz_u8(&in);
		char *req = reqs[n];
		size_t off, i;
		ssize_t sent;

		if (c < 0xe0) {
			off = (size_t)snprintf(req, FZ_REQ_MAX, "%s",
					       fz_cmds[c % RTE_DIM(fz_cmds)]);
		} else {
			/* A command of bytes at random. */
			for (off = 0; off < (size_t)(c & 0x1f) && in.n > 0;)
				req[off++] = (char)fz_u8(&in);
		}
		switch (join & 3) {
		case 0:
			req[off++] = ',';
			break;
		case 1:
			break;
		case 2:
			req[off++] = ',';
			req[off++] = ',';
			break;
		default:
			req[off++] = ',';
			req[off++] = ' ';
			break;
		}
		for (i = 0; i < plen && off < FZ_REQ_MAX - 1; i++)
			req[off++] = (char)fz_u8(&in);
		if (off == 0)
			req[off++] = '/';
		lens[n] = off;
		do
			sent = send(fz_sock, req, off, 0);
		while (sent < 0 && errno == EINTR);
		FZ_CHECK(sent == (ssize_t)off, "send: %s", strerror(errno));
		n++;
		if (n - k == FZ_INFLIGHT) {
			fz_reply_check(reqs[k], lens[k]);
			k++;
		}
	}
	for (; k < n; k++)
		fz_reply_check(reqs[k], lens[k]);
	return n;
}

void
fz_print_counters(FILE *f)
{
	fprintf(f,
		"%" PRIu64 " requests, %" PRIu64 " error replies, %" PRIu64
		" parameters refused, %" PRIu64 " handler calls\n",
		fz_requests, fz_errors, fz_refused_params, fz_handled);
}
