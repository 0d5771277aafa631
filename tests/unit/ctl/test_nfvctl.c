/* SPDX-License-Identifier: BSD-3-Clause
 *
 * test_nfvctl.c - the nfvctl binary against a tiny fake server: which
 * request each command line sends, how replies are printed (tables and
 * -j), exit codes (0 ok, 1 error reply / unreachable / no reply, 2 usage),
 * the socket choice (-s, $NFVD_SOCKET, the default) and its messages.
 *
 * The VNF verbs are built from the server's `help` list: the fake server
 * answers it with fake_help, a copy of what nfvd describes (vnf/verb.c;
 * test_ctl_verbs checks the real tables' usage lines) plus a verb no nfvd
 * has, which nfvctl serves all the same.
 *
 * Usage: test_nfvctl PATH-TO-NFVCTL   (meson passes it)
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

static const char *nfvctl;
static char tmpdir[64];
static char sock_path[128];
static int listen_fd = -1;
/* The fake server refuses: it sends `reply` at once and closes without
 * reading the request, as nfvd does with a peer it will not serve. */
static bool refuse_now;

struct run {
	int status;		/* exit code */
	json_t *req;		/* the request the server got, or NULL */
	int n_help;		/* `help` requests answered with fake_help */
	char out[65536];
	char err[8192];
};

/* The server's `help` reply: fake_help_made (group_setup) unless a test
 * points it elsewhere for a while. */
static const char *fake_help;
static char *fake_help_made;

enum sock_mode { SOCK_OPT, SOCK_ENV, SOCK_NONE };

/* Read one line from fd (blocking, 5 s timeout set by the caller). */
static char *read_request(int fd)
{
	static char buf[65536];
	size_t len = 0;

	while (len < sizeof(buf) - 1) {
		ssize_t n = recv(fd, buf + len, sizeof(buf) - 1 - len, 0);

		if (n <= 0)
			return NULL;
		len += n;
		if (memchr(buf, '\n', len) != NULL)
			break;
	}
	buf[len] = '\0';
	return buf;
}

static void drain(int fd, char *buf, size_t cap)
{
	size_t len = 0;
	ssize_t n;

	while ((n = read(fd, buf + len, cap - 1 - len)) > 0)
		len += n;
	buf[len] = '\0';
}

/*
 * Run nfvctl with `args` (NULL-terminated).  The fake server answers every
 * `help` request with fake_help and the first other request with `reply`
 * (a line, newline added), or keeps that connection open without a word
 * when reply is NULL, until nfvctl exits.  r->req is that other request.
 */
static void run_nfvctl(struct run *r, enum sock_mode mode, const char *reply,
		       const char *const *args)
{
	const char *argv[64];
	int out[2], err[2], held = -1, n = 0, i, status;
	struct timespec t0, t;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	argv[n++] = nfvctl;
	if (mode == SOCK_OPT) {
		argv[n++] = "-s";
		argv[n++] = sock_path;
	}
	for (i = 0; args[i] != NULL; i++)
		argv[n++] = args[i];
	argv[n] = NULL;

	assert_int_equal(pipe(out), 0);
	assert_int_equal(pipe(err), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(out[1], 1);
		dup2(err[1], 2);
		close(out[0]);
		close(err[0]);
		if (mode == SOCK_ENV)
			setenv("NFVD_SOCKET", sock_path, 1);
		else
			unsetenv("NFVD_SOCKET");
		execv(nfvctl, (char *const *)argv);
		_exit(127);
	}
	close(out[1]);
	close(err[1]);

	/* Serve until the child exits (at most 10 s). */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct pollfd p = {.fd = listen_fd, .events = POLLIN};

		if (waitpid(pid, &status, WNOHANG) == pid)
			break;
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (t.tv_sec - t0.tv_sec > 10) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			fail_msg("nfvctl did not exit in 10 s");
		}
		if (poll(&p, 1, 20) == 1) {
			struct timeval tv = {.tv_sec = 5};
			const char *answer;
			json_t *req;
			char *line;
			int conn;

			conn = accept(listen_fd, NULL, NULL);
			assert_true(conn >= 0);
			if (refuse_now) {
				assert_true(send(conn, reply, strlen(reply),
						 MSG_NOSIGNAL) > 0);
				assert_true(send(conn, "\n", 1, MSG_NOSIGNAL) >
					    0);
				close(conn);
				continue;
			}
			setsockopt(conn, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
			line = read_request(conn);
			assert_non_null(line);
			assert_non_null(strchr(line, '\n'));
			req = json_loads(line, 0, NULL);
			assert_non_null(req);
			if (strcmp(json_string_value(
					   json_object_get(req, "cmd")),
				   "help") == 0) {
				r->n_help++;
				json_decref(req);
				answer = fake_help;
			} else {
				if (r->req != NULL)
					fail_msg("a second request: %s", line);
				r->req = req;
				answer = reply;
			}
			if (answer == NULL) {
				held = conn;
				continue;
			}
			if (*answer != '\0')
				assert_true(send(conn, answer, strlen(answer),
						 MSG_NOSIGNAL) > 0);
			assert_true(send(conn, "\n", 1, MSG_NOSIGNAL) > 0);
			close(conn);
		}
	}
	if (held >= 0)
		close(held);
	drain(out[0], r->out, sizeof(r->out));
	drain(err[0], r->err, sizeof(r->err));
	close(out[0]);
	close(err[0]);
	assert_true(WIFEXITED(status));
	r->status = WEXITSTATUS(status);
}

static void run_done(struct run *r)
{
	json_decref(r->req);
	r->req = NULL;
}

#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})

/* The request must equal `want` (JSON text). */
static void assert_req(struct run *r, const char *want)
{
	json_t *w = json_loads(want, 0, NULL);

	assert_non_null(w);
	if (r->req == NULL)
		fail_msg("no request sent; stderr: %s", r->err);
	if (!json_equal(r->req, w)) {
		char *g = json_dumps(r->req, JSON_COMPACT | JSON_SORT_KEYS);

		fail_msg("request\n  got  %s\n  want %s", g, want);
	}
	json_decref(w);
}

static void assert_out(struct run *r, const char *want)
{
	if (strcmp(r->out, want) != 0)
		fail_msg("stdout\n--- got\n%s--- want\n%s---", r->out, want);
}

static void assert_contains(const char *hay, const char *needle)
{
	if (strstr(hay, needle) == NULL)
		fail_msg("'%s' not in:\n%s", needle, hay);
}

/* A request/reply pair: exit 0, the request, stdout exact. */
static void check_ok(const char *const *args, const char *want_req,
		     const char *reply, const char *want_out)
{
	struct run r;

	run_nfvctl(&r, SOCK_OPT, reply, args);
	if (r.status != 0)
		fail_msg("exit %d; stderr: %s", r.status, r.err);
	assert_req(&r, want_req);
	if (want_out != NULL)
		assert_out(&r, want_out);
	assert_string_equal(r.err, "");
	run_done(&r);
}

/* A usage error: exit 2, nothing sent, usage on stderr. */
static void check_usage(const char *const *args, const char *msg)
{
	struct run r;

	run_nfvctl(&r, SOCK_OPT, "{\"ok\":true,\"result\":null}", args);
	if (r.status != 2)
		fail_msg("exit %d, want 2; stderr: %s", r.status, r.err);
	assert_null(r.req);
	assert_string_equal(r.out, "");
	assert_contains(r.err, "usage: nfvctl");
	if (msg != NULL)
		assert_contains(r.err, msg);
	run_done(&r);
}

static const char ports_reply[] =
	"{\"ok\":true,\"result\":["
	"{\"name\":\"vm1\",\"type\":\"vhost-user\",\"link\":\"up\",\"rx_packets\":1234,"
	"\"rx_bytes\":78976,\"tx_packets\":1200,\"tx_bytes\":76800,"
	"\"drops\":{\"tx-full\":12,\"unlinked\":0,\"no-mbuf\":3}},"
	"{\"name\":\"h1\",\"type\":\"tap\",\"link\":\"down\",\"rx_packets\":0,"
	"\"rx_bytes\":0,\"tx_packets\":0,\"tx_bytes\":0,\"drops\":{\"tx-full\":0}}]}";

static void test_show_ports(void **state)
{
	(void)state;
	check_ok(ARGS("show", "ports"), "{\"cmd\":\"show ports\"}", ports_reply,
		 "NAME  TYPE        LINK  RX-PKTS  RX-BYTES  TX-PKTS  TX-BYTES  DROPS\n"
		 "vm1   vhost-user  up       1234     78976     1200     76800  15 (tx-full 12, no-mbuf 3)\n"
		 "h1    tap         down        0         0        0         0  0\n");
}

static void test_json_output(void **state)
{
	(void)state;
	check_ok(ARGS("-j", "show", "ports"), "{\"cmd\":\"show ports\"}",
		 "{\"ok\":true,\"result\":[{\"name\":\"vm1\",\"drops\":{\"tx-full\":1}}]}",
		 "[\n  {\n    \"name\": \"vm1\",\n    \"drops\": {\n"
		 "      \"tx-full\": 1\n    }\n  }\n]\n");
	check_ok(ARGS("--json", "mac", "flush"), "{\"cmd\":\"mac flush\"}",
		 "{\"ok\":true,\"result\":{\"flushed\":3}}",
		 "{\n  \"flushed\": 3\n}\n");
	/* A null result prints as null. */
	check_ok(ARGS("-j", "route", "del", "10.0.0.0/8"),
		 "{\"cmd\":\"route del\",\"prefix\":\"10.0.0.0/8\"}",
		 "{\"ok\":true}", "null\n");
}

static void test_show_stats(void **state)
{
	(void)state;
	check_ok(ARGS("show", "stats"), "{\"cmd\":\"show stats\"}",
		 "{\"ok\":true,\"result\":{\"workers\":[{\"id\":0,\"lcore\":1,"
		 "\"loops\":1000,\"busy_loops\":10,\"packets\":320,\"busy_cycles\":64000,"
		 "\"cycles_per_packet\":200.0,\"idle_mode\":\"sleep\",\"state\":\"sleeping\","
		 "\"asleep_pct\":97.25,\"asleep_us\":9725,\"wakeups\":812,\"notified\":0}],"
		 "\"vnfs\":[{\"name\":\"sw\",\"type\":\"l2switch\","
		 "\"packets\":320,\"cycles_per_packet\":45.25,\"counters\":{\"flood\":2,"
		 "\"learned\":0},\"drops\":{\"no-dest\":1}},{\"name\":\"fw\",\"type\":\"firewall\","
		 "\"packets\":0,\"cycles_per_packet\":0,\"counters\":{},\"drops\":{}}]}}",
		 "WORKER  LCORE  LOOPS  BUSY-LOOPS  PACKETS  BUSY-CYCLES  CYCLES/PKT  IDLE   STATE     ASLEEP%  WAKEUPS\n"
		 "     0      1   1000          10      320        64000         200  sleep  sleeping     97.2      812\n"
		 "\n"
		 "VNF  TYPE      PACKETS  CYCLES/PKT  DROPS  COUNTERS\n"
		 "sw   l2switch      320       45.25      1  flood 2; drops: no-dest 1\n"
		 "fw   firewall        0           0      0  -\n");
}

static void test_show_vnf(void **state)
{
	(void)state;
	check_ok(ARGS("show", "vnf", "sw"),
		 "{\"cmd\":\"show vnf\",\"name\":\"sw\"}",
		 "{\"ok\":true,\"result\":{\"name\":\"sw\",\"type\":"
		 "\"l2switch\","
		 "\"ifaces\":[{\"name\":\"a\",\"peer\":\"vm1\"},{\"name\":"
		 "\"r\",\"peer\":\"rtr.lan\"}],"
		 "\"packets\":320,\"cycles_per_packet\":45.25,"
		 "\"fates\":{\"passed\":318,\"dropped\":1,\"held\":1},"
		 "\"counters\":{\"flood\":2,\"learned\":14},\"drops\":{\"no-"
		 "dest\":1},"
		 "\"details\":{\"aging_time\":300,\"mac_table\":{\"size\":"
		 "65536,\"used\":14},"
		 "\"vlans\":[1,2],\"ports\":[{\"iface\":\"a\",\"mode\":"
		 "\"access\"}]}}}",
		 "vnf sw (l2switch)\n"
		 "  packets 320, cycles/packet 45.25\n"
		 "  fates: passed 318, dropped 1, held 1\n"
		 "ifaces:\n"
		 "  IFACE  PEER\n"
		 "  a      vm1\n"
		 "  r      rtr.lan\n"
		 "counters:\n"
		 "  flood     2\n"
		 "  learned  14\n"
		 "drops:\n"
		 "  no-dest  1\n"
		 "details:\n"
		 "  aging_time: 300\n"
		 "  mac_table:\n"
		 "    size: 65536\n"
		 "    used: 14\n"
		 "  vlans: 1, 2\n"
		 "  ports:\n"
		 "    IFACE  MODE\n"
		 "    a      access\n");
}

static void test_show_mac(void **state)
{
	static const char reply[] =
		"{\"ok\":true,\"result\":[{\"vnf\":\"sw\",\"mac\":\"02:00:00:00:00:01\","
		"\"vlan\":0,\"iface\":\"a\",\"type\":\"dynamic\",\"age\":12},"
		"{\"vnf\":\"sw\",\"mac\":\"02:00:00:00:00:02\",\"vlan\":10,\"iface\":\"b\","
		"\"type\":\"static\",\"age\":null}]}";
	static const char table[] =
		"VNF  MAC                VLAN  IFACE  TYPE     AGE\n"
		"sw   02:00:00:00:00:01     0  a      dynamic   12\n"
		"sw   02:00:00:00:00:02    10  b      static     -\n";

	(void)state;
	check_ok(ARGS("show", "mac"), "{\"cmd\":\"show mac\"}", reply, table);
	check_ok(ARGS("show", "mac", "sw"), "{\"cmd\":\"show mac\",\"vnf\":\"sw\"}",
		 reply, table);
	check_ok(ARGS("mac", "flush", "sw"), "{\"cmd\":\"mac flush\",\"vnf\":\"sw\"}",
		 "{\"ok\":true,\"result\":{\"flushed\":3}}", "flushed 3 entries\n");
	check_ok(ARGS("mac", "flush"), "{\"cmd\":\"mac flush\"}",
		 "{\"ok\":true,\"result\":{\"flushed\":1}}", "flushed 1 entry\n");
}

/* show mirror: port mirrors as a table, a router's kernel mirror (nested
 * counters) as lines, one block each; named, the object alone. */
static void test_show_mirror(void **state)
{
	static const char both[] =
		"{\"ok\":true,\"result\":[{\"direction\":\"both\",\"snaplen\":128,"
		"\"vnf\":\"m\",\"mirrored\":5},{\"vnf\":\"rtr\",\"netns\":\"rtr-ns\","
		"\"state\":\"synced\",\"counters\":{\"messages\":12,"
		"\"resyncs\":1}}]}";
	static const char one[] =
		"{\"ok\":true,\"result\":{\"vnf\":\"rtr\",\"netns\":\"rtr-ns\","
		"\"state\":\"synced\",\"counters\":{\"messages\":12}}}";

	(void)state;
	check_ok(ARGS("show", "mirror"), "{\"cmd\":\"show mirror\"}", both,
		 "DIRECTION  SNAPLEN  VNF  MIRRORED\n"
		 "both           128  m           5\n"
		 "\n"
		 "vnf: rtr\n"
		 "netns: rtr-ns\n"
		 "state: synced\n"
		 "counters:\n"
		 "  messages: 12\n"
		 "  resyncs: 1\n");
	check_ok(ARGS("show", "mirror", "rtr"),
		 "{\"cmd\":\"show mirror\",\"vnf\":\"rtr\"}", one,
		 "vnf: rtr\n"
		 "netns: rtr-ns\n"
		 "state: synced\n"
		 "counters:\n"
		 "  messages: 12\n");
}

static void test_generic_tables(void **state)
{
	static const char routes[] =
		"{\"ok\":true,\"result\":[{\"vnf\":\"rtr\",\"prefix\":\"0.0.0.0/0\","
		"\"via\":\"192.0.2.254\",\"iface\":\"wan\",\"type\":\"unicast\"},"
		"{\"vnf\":\"rtr\",\"prefix\":\"10.0.0.0/24\",\"iface\":\"lan\","
		"\"type\":\"connected\",\"extra\":1}]}";

	(void)state;
	check_ok(ARGS("show", "routes", "rtr"),
		 "{\"cmd\":\"show routes\",\"vnf\":\"rtr\"}", routes,
		 "VNF  PREFIX       VIA          IFACE  TYPE\n"
		 "rtr  0.0.0.0/0    192.0.2.254  wan    unicast\n"
		 "rtr  10.0.0.0/24  -            lan    connected\n");
	check_ok(ARGS("show", "neigh"), "{\"cmd\":\"show neigh\"}",
		 "{\"ok\":true,\"result\":[{\"ip\":\"192.0.2.254\",\"mac\":\"02:00:00:00:02:01\","
		 "\"state\":\"static\",\"in_use\":true}]}",
		 "IP           MAC                STATE   IN-USE\n"
		 "192.0.2.254  02:00:00:00:02:01  static  true\n");
	check_ok(ARGS("show", "rules", "fw"), "{\"cmd\":\"show rules\",\"vnf\":\"fw\"}",
		 "{\"ok\":true,\"result\":[{\"index\":0,\"action\":\"allow\",\"hits\":5}]}",
		 "INDEX  ACTION  HITS\n"
		 "    0  allow      5\n");
	/* Nothing to show: nothing printed. */
	check_ok(ARGS("show", "conn"), "{\"cmd\":\"show conn\"}",
		 "{\"ok\":true,\"result\":[]}", "");
}

static void test_route_requests(void **state)
{
	(void)state;
	check_ok(ARGS("route", "add", "10.1.0.0/16", "via", "192.0.2.254", "dev",
		      "wan", "vnf", "rtr"),
		 "{\"cmd\":\"route add\",\"prefix\":\"10.1.0.0/16\",\"via\":\"192.0.2.254\","
		 "\"iface\":\"wan\",\"vnf\":\"rtr\"}", "{\"ok\":true,\"result\":null}", "");
	check_ok(ARGS("route", "add", "2001:db8::/32", "blackhole"),
		 "{\"cmd\":\"route add\",\"prefix\":\"2001:db8::/32\",\"type\":\"blackhole\"}",
		 "{\"ok\":true}", "");
	check_ok(ARGS("route", "add", "192.0.2.0/24", "unreachable", "vnf", "r2"),
		 "{\"cmd\":\"route add\",\"prefix\":\"192.0.2.0/24\",\"type\":\"unreachable\","
		 "\"vnf\":\"r2\"}", "{\"ok\":true}", "");
	check_ok(ARGS("route", "del", "10.1.0.0/16", "vnf", "rtr"),
		 "{\"cmd\":\"route del\",\"prefix\":\"10.1.0.0/16\",\"vnf\":\"rtr\"}",
		 "{\"ok\":true}", "");
	/* Keywords in any order, an alias, a flag. */
	check_ok(ARGS("route", "add", "replace", "iface", "lan", "10.2.0.0/16"),
		 "{\"cmd\":\"route "
		 "add\",\"prefix\":\"10.2.0.0/16\",\"iface\":\"lan\","
		 "\"replace\":true}",
		 "{\"ok\":true}", "");
	check_ok(ARGS("show", "routes", "limit", "2", "rtr"),
		 "{\"cmd\":\"show routes\",\"limit\":2,\"vnf\":\"rtr\"}",
		 "{\"ok\":true,\"result\":[]}", "");
}

static void test_rule_requests(void **state)
{
	(void)state;
	check_ok(ARGS("rule", "add", "vnf", "fw", "index", "3", "action",
		      "allow-stateful", "proto", "tcp", "src", "10.0.0.0/24", "dst",
		      "0.0.0.0/0", "sport", "1024-65535", "dport", "80", "iface", "in"),
		 "{\"cmd\":\"rule add\",\"vnf\":\"fw\",\"index\":3,\"action\":\"allow-stateful\","
		 "\"proto\":\"tcp\",\"src\":\"10.0.0.0/24\",\"dst\":\"0.0.0.0/0\","
		 "\"sport\":\"1024-65535\",\"dport\":80,\"iface\":\"in\"}",
		 "{\"ok\":true,\"result\":{\"index\":3}}", "index: 3\n");
	check_ok(ARGS("rule", "add", "action", "drop"),
		 "{\"cmd\":\"rule add\",\"action\":\"drop\"}", "{\"ok\":true}", "");
	check_ok(ARGS("rule", "del", "vnf", "fw", "3"),
		 "{\"cmd\":\"rule del\",\"vnf\":\"fw\",\"index\":3}", "{\"ok\":true}", "");
	check_ok(ARGS("rule", "del", "0"), "{\"cmd\":\"rule del\",\"index\":0}",
		 "{\"ok\":true}", "");
	check_ok(ARGS("rule", "del", "2", "count", "3"),
		 "{\"cmd\":\"rule del\",\"index\":2,\"count\":3}",
		 "{\"ok\":true,\"result\":{\"deleted\":2,\"count\":3}}",
		 "deleted: 2\ncount: 3\n");
	check_ok(ARGS("conn", "flush", "fw"),
		 "{\"cmd\":\"conn flush\",\"vnf\":\"fw\"}",
		 "{\"ok\":true,\"result\":{\"flushed\":2}}",
		 "flushed 2 entries\n");
	check_ok(ARGS("show", "conn", "fw", "limit", "5"),
		 "{\"cmd\":\"show conn\",\"vnf\":\"fw\",\"limit\":5}",
		 "{\"ok\":true,\"result\":[]}", "");
}

/* A verb nfvctl was never told about: built from the server's list alone,
 * printed generically. */
static void
test_unknown_vnf_verb(void **state)
{
	struct run r;

	(void)state;
	check_ok(ARGS("lamp", "dim", "hard", "40", "vnf", "l1"),
		 "{\"cmd\":\"lamp "
		 "dim\",\"level\":40,\"mode\":\"hard\",\"vnf\":\"l1\"}",
		 "{\"ok\":true,\"result\":[{\"lamp\":\"l1\",\"level\":40}]}",
		 "LAMP  LEVEL\n"
		 "l1       40\n");
	run_nfvctl(&r, SOCK_OPT, "{\"ok\":true}", ARGS("lamp", "dim", "101"));
	assert_int_equal(r.status, 2);
	assert_null(r.req);
	assert_int_equal(r.n_help, 1);
	assert_string_equal(
		r.err,
		"nfvctl: lamp dim: PCT: '101' is not a number from 0 to 100\n"
		"usage: nfvctl [-s SOCK] [-j] [-t SECONDS] lamp dim PCT "
		"[soft|hard] [vnf NAME]\n");
	run_done(&r);
	/* nfvd's own commands need no list. */
	run_nfvctl(&r, SOCK_OPT, "{\"ok\":true}", ARGS("port", "del", "x"));
	assert_int_equal(r.status, 0);
	assert_int_equal(r.n_help, 0);
	run_done(&r);
}

static void test_port_requests(void **state)
{
	(void)state;
	check_ok(ARGS("port", "add", "vm3", "type", "vhost-user", "path",
		      "/tmp/vm3.sock", "mode", "server", "queues", "2"),
		 "{\"cmd\":\"port add\",\"port\":{\"name\":\"vm3\",\"type\":\"vhost-user\","
		 "\"path\":\"/tmp/vm3.sock\",\"mode\":\"server\",\"queues\":2}}",
		 "{\"ok\":true}", "");
	check_ok(ARGS("port", "del", "vm3"), "{\"cmd\":\"port del\",\"name\":\"vm3\"}",
		 "{\"ok\":true}", "");
}

/* The completion script, run by bash: what it offers after what was typed. */
static void
test_completion(void **state)
{
	static const char stats[] =
		"{\"ok\":true,\"result\":{\"workers\":[],\"vnfs\":["
		"{\"name\":\"sw\",\"type\":\"l2switch\"},{\"name\":\"rtr\","
		"\"type\":\"router\"},"
		"{\"name\":\"fw1\",\"type\":\"firewall\"},{\"name\":\"fw2\","
		"\"type\":\"firewall\"},"
		"{\"name\":\"bad'name\",\"type\":\"router\"}]}}";
	static const struct {
		const char
			*words;	  /* COMP_WORDS, the last one being completed */
		const char *want; /* COMPREPLY, sorted */
	} cases[] = {
		{"nfvctl ''",
		 "completion conn help lab lamp mac port raw route rule show"},
		{"nfvctl sh", "show"},
		{"nfvctl -j show ''",
		 "conn mac mirror neigh ports routes rules stats vnf"},
		{"nfvctl -s /x -t 3 route ''", "add del"},
		{"nfvctl route add 10.0.0.0/8 ''",
		 "blackhole dev replace unreachable via vnf"},
		{"nfvctl route add 10.0.0.0/8 via 192.0.2.1 ''",
		 "blackhole dev replace unreachable vnf"},
		{"nfvctl route add 10.0.0.0/8 vnf ''", "rtr"},
		{"nfvctl rule add action a", "allow allow-stateful"},
		{"nfvctl rule add action drop ''",
		 "dport dst iface index proto sport src vnf"},
		{"nfvctl show conn ''", "fw1 fw2 limit vnf"},
		{"nfvctl show vnf ''", "fw1 fw2 rtr sw"},
		{"nfvctl mac flush ''", "sw vnf"},
		{"nfvctl lamp dim 5 ''", "hard soft vnf"},
		{"nfvctl completion ''", "bash"},
		{"nfvctl -''", "--help --json --socket --timeout -h -j -s -t"},
	};
	char script[160], test_sh[160], cmd[256], got[512];
	struct run r;
	unsigned int i;
	FILE *f;

	(void)state;
	run_nfvctl(&r, SOCK_OPT, stats, ARGS("completion", "bash"));
	if (r.status != 0)
		fail_msg("exit %d: %s", r.status, r.err);
	assert_req(&r, "{\"cmd\":\"show stats\"}");
	assert_int_equal(r.n_help, 1);
	/* A name the script could not quote safely is left out. */
	assert_null(strstr(r.out, "bad'name"));
	snprintf(script, sizeof(script), "%s/completion.sh", tmpdir);
	f = fopen(script, "w");
	assert_non_null(f);
	fputs(r.out, f);
	fclose(f);
	run_done(&r);
	/* One small script per case: the words hold quotes. */
	snprintf(test_sh, sizeof(test_sh), "%s/case.sh", tmpdir);
	snprintf(cmd, sizeof(cmd), "bash --norc --noprofile %s", test_sh);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len;

		f = fopen(test_sh, "w");
		assert_non_null(f);
		fprintf(f,
			"source %s\nCOMP_WORDS=(%s)\n"
			"COMP_CWORD=$((${#COMP_WORDS[@]} - 1))\n_nfvctl\n"
			"printf '%%s\\n' \"${COMPREPLY[@]}\" | LC_ALL=C sort | "
			"tr '\\n' ' '\n",
			script, cases[i].words);
		fclose(f);
		f = popen(cmd, "r");
		assert_non_null(f);
		len = fread(got, 1, sizeof(got) - 1, f);
		got[len] = '\0';
		assert_int_equal(pclose(f), 0);
		while (len > 0 && got[len - 1] == ' ')
			got[--len] = '\0';
		if (strcmp(got, cases[i].want) != 0)
			fail_msg("%s\n  got  '%s'\n  want '%s'", cases[i].words,
				 got, cases[i].want);
	}
	unlink(test_sh);
	unlink(script);
}

static void test_help_and_raw(void **state)
{
	const char *saved = fake_help;
	struct run r;

	(void)state;
	/* The daemon's commands with their usage lines: the daemon's for
	 * verbs, nfvctl's for nfvd's own; a long one on a line of its own. */
	fake_help = "{\"ok\":true,\"result\":[{\"cmd\":\"help\",\"help\":"
		    "\"list commands\"},"
		    "{\"cmd\":\"show ports\",\"help\":\"ports and counters\"},"
		    "{\"cmd\":\"show vnf\",\"help\":\"one VNF\"},"
		    "{\"cmd\":\"lamp dim\",\"help\":\"dim\",\"usage\":\"lamp "
		    "dim PCT\",\"args\":[]},"
		    "{\"cmd\":\"lamp on\",\"help\":\"light it\",\"usage\":"
		    "\"lamp on [colour red|green|blue|white] [vnf "
		    "NAME]\",\"args\":[]}]}";
	run_nfvctl(&r, SOCK_OPT, NULL, ARGS("help"));
	fake_help = saved;
	assert_int_equal(r.status, 0);
	assert_int_equal(r.n_help, 1);
	assert_out(&r, "COMMAND        DESCRIPTION\n"
		       "help           list commands\n"
		       "show ports     ports and counters\n"
		       "show vnf NAME  one VNF\n"
		       "lamp dim PCT   dim\n"
		       "lamp on [colour red|green|blue|white] [vnf NAME]\n"
		       "               light it\n");
	run_done(&r);
	check_ok(ARGS("raw", "{\"cmd\":\"debug thing\",\"level\":2}"),
		 "{\"cmd\":\"debug thing\",\"level\":2}",
		 "{\"ok\":true,\"result\":{\"a\":1,\"b\":\"x\"}}", "a: 1\nb: x\n");
}

static void test_error_reply(void **state)
{
	struct run r;

	(void)state;
	run_nfvctl(&r, SOCK_OPT, "{\"ok\":false,\"error\":\"no VNF 'x'\"}",
		   ARGS("show", "vnf", "x"));
	assert_int_equal(r.status, 1);
	assert_string_equal(r.out, "");
	assert_string_equal(r.err, "nfvctl: no VNF 'x'\n");
	run_done(&r);
	/* Same with -j: errors are never printed as JSON on stdout. */
	run_nfvctl(&r, SOCK_OPT, "{\"ok\":false,\"error\":\"unknown command 'show conn' (try 'help')\"}",
		   ARGS("-j", "show", "conn"));
	assert_int_equal(r.status, 1);
	assert_string_equal(r.out, "");
	assert_string_equal(r.err, "nfvctl: unknown command 'show conn' (try 'help')\n");
	run_done(&r);
}

/*
 * A server that refuses the connection (idle slots, another uid) says why
 * in one line and closes without reading: nfvctl must print that line,
 * not "Broken pipe" from the request it could not finish sending (a
 * request larger than the socket buffer makes sure the send fails).
 */
static void
test_refused_prints_server_message(void **state)
{
	static char big[4][100001];
	struct run r;
	int i;

	(void)state;
	for (i = 0; i < 4; i++) {
		memset(big[i], 'a' + i, sizeof(big[i]) - 1);
		big[i][sizeof(big[i]) - 1] = '\0';
	}
	refuse_now = true;
	run_nfvctl(&r, SOCK_OPT,
		   "{\"ok\":false,\"error\":\"permission denied: uid 1000 may "
		   "not use this socket\"}",
		   ARGS("port", "add", "p", "type", "tap", "k0", big[0], "k1",
			big[1], "k2", big[2], "k3", big[3]));
	refuse_now = false;
	assert_int_equal(r.status, 1);
	assert_string_equal(r.out, "");
	assert_string_equal(r.err, "nfvctl: permission denied: uid 1000 may "
				   "not use this socket\n");
	run_done(&r);
}

static void test_bad_replies(void **state)
{
	struct run r;

	(void)state;
	run_nfvctl(&r, SOCK_OPT, "this is not json", ARGS("show", "ports"));
	assert_int_equal(r.status, 1);
	assert_contains(r.err, "nfvctl: bad reply from nfvd");
	run_done(&r);
	run_nfvctl(&r, SOCK_OPT, "", ARGS("show", "ports"));
	assert_int_equal(r.status, 1);
	run_done(&r);
	/* No reply within -t 1: a timeout, not a hang. */
	run_nfvctl(&r, SOCK_OPT, NULL, ARGS("-t", "1", "show", "ports"));
	assert_int_equal(r.status, 1);
	assert_contains(r.err, "nfvctl: no reply from");
	assert_contains(r.err, "within 1 s");
	run_done(&r);
}

static void test_usage_errors(void **state)
{
	(void)state;
	check_usage(ARGS("bogus"), "unknown command 'bogus'");
	check_usage(ARGS("show", "nothing"), "unknown command 'show nothing'");
	check_usage(ARGS("show", "ports", "extra"), "takes no arguments");
	check_usage(ARGS("show", "vnf"), "show vnf NAME");
	check_usage(ARGS("show", "vnf", "a", "b"), "show vnf NAME");
	check_usage(ARGS("show", "mac", "a", "b"), "too many arguments");
	check_usage(ARGS("route", "add"), "route add PREFIX");
	check_usage(ARGS("route", "add", "10.0.0.0/8", "via"), "needs a value");
	check_usage(ARGS("route", "add", "10.0.0.0/8", "bogus"), "unknown keyword");
	check_usage(
		ARGS("route", "add", "10.0.0.0/8", "blackhole", "unreachable"),
		"'unreachable': only one of blackhole|unreachable");
	check_usage(ARGS("route", "add", "10.0.0.0/8", "replace", "replace"),
		    "'replace' given twice");
	check_usage(ARGS("route", "del"), "route del PREFIX");
	check_usage(ARGS("rule", "add", "proto", "tcp"), "action A");
	check_usage(ARGS("rule", "add", "proto", "tcp"),
		    "'action' is required");
	check_usage(ARGS("rule", "add", "action", "permit"),
		    "action: 'permit' is not one of "
		    "allow|allow-stateful|drop|reject");
	check_usage(ARGS("rule", "add", "action", "allow", "dport", "70000"),
		    "dport: '70000' is not a number from 0 to 65535");
	check_usage(ARGS("rule", "add", "action", "allow", "sport", "9-3"),
		    "sport: '9-3' is not a range LO-HI (LO <= HI <= 65535)");
	check_usage(ARGS("rule", "add", "action", "allow", "index", "x"),
		    "not a number");
	check_usage(ARGS("rule", "add", "action", "allow", "action", "drop"),
		    "given twice");
	check_usage(ARGS("rule", "del"), "rule del INDEX [count N] [vnf NAME]");
	check_usage(ARGS("rule", "del"), "missing INDEX");
	check_usage(ARGS("rule", "del", "vnf", "fw", "x"), "not a number");
	check_usage(ARGS("port", "add", "p1"), "port add NAME type T");
	check_usage(ARGS("port", "add", "p1", "path", "/x"), "'type' is required");
	check_usage(ARGS("port", "del"), "port del NAME");
	check_usage(ARGS("raw", "[1]"), "not a JSON object");
	check_usage(ARGS("-t", "0", "show", "ports"), "bad timeout");
	check_usage(ARGS("lab"), "lab up FILE");
	check_usage(ARGS("lab", "up"), "lab up FILE");
	check_usage(ARGS("completion"), "completion bash");
	check_usage(ARGS("completion", "zsh"), "completion bash");
}

static void test_no_command_and_help(void **state)
{
	struct run r;

	(void)state;
	run_nfvctl(&r, SOCK_OPT, NULL, (const char *const[]){NULL});
	assert_int_equal(r.status, 2);
	assert_contains(r.err, "usage: nfvctl");
	run_done(&r);
	/* With an nfvd: its VNFs' commands too. */
	run_nfvctl(&r, SOCK_OPT, NULL, ARGS("--help"));
	assert_int_equal(r.status, 0);
	assert_contains(r.out, "usage: nfvctl [-s SOCK] [-j]");
	assert_contains(r.out, "show vnf NAME");
	assert_contains(r.out, "commands of this nfvd's VNFs");
	assert_contains(
		r.out,
		"\n  rule del INDEX [count N] [vnf NAME]\n"
		"                                 delete a firewall rule\n");
	assert_null(r.req);
	assert_int_equal(r.n_help, 1);
	run_done(&r);
	/* Without: where they come from. */
	{
		char path[160];

		snprintf(path, sizeof(path), "%s/none.sock", tmpdir);
		run_nfvctl(&r, SOCK_NONE, NULL, ARGS("-h", "-s", path));
	}
	assert_int_equal(r.status, 0);
	assert_contains(r.out, "show vnf NAME");
	assert_contains(r.out,
			"The VNFs' own commands come from nfvd: with nfvd "
			"running, `nfvctl help`\nlists them with their usage");
	assert_string_equal(r.err, "");
	run_done(&r);
	run_nfvctl(&r, SOCK_OPT, NULL, ARGS("-x", "show", "ports"));
	assert_int_equal(r.status, 2);
	assert_contains(r.err, "usage: nfvctl");
	run_done(&r);
}

static void test_socket_choice(void **state)
{
	char want[256];
	struct run r;

	(void)state;
	/* $NFVD_SOCKET is the default when there is no -s. */
	run_nfvctl(&r, SOCK_ENV, ports_reply, ARGS("show", "ports"));
	assert_int_equal(r.status, 0);
	assert_req(&r, "{\"cmd\":\"show ports\"}");
	run_done(&r);

	/* Unreachable: one clear line, exit 1. */
	snprintf(want, sizeof(want), "nfvctl: cannot connect to %s/none.sock: "
		 "No such file or directory (is nfvd running?)\n", tmpdir);
	{
		char path[160];

		snprintf(path, sizeof(path), "%s/none.sock", tmpdir);
		run_nfvctl(&r, SOCK_NONE, NULL, ARGS("-s", path, "show", "ports"));
	}
	assert_int_equal(r.status, 1);
	assert_string_equal(r.err, want);
	assert_null(r.req);
	run_done(&r);

	/* The built-in default, unless a real nfvd happens to run here. */
	if (access("/run/nfvd/nfvd.sock", F_OK) == 0) {
		printf("/run/nfvd/nfvd.sock exists: default-path check skipped\n");
		return;
	}
	run_nfvctl(&r, SOCK_NONE, NULL, ARGS("show", "ports"));
	assert_int_equal(r.status, 1);
	assert_string_equal(r.err, "nfvctl: cannot connect to /run/nfvd/nfvd.sock: "
			    "No such file or directory (is nfvd running?)\n");
	run_done(&r);
}

/* ---- the fake server's `help` ---- */

enum { A_REQ = 1, A_INT = 2, A_RANGE = 4, A_FLAG = 8, A_BARE = 16 };

/* One argument as nfvd describes it (vnf/verb.c). */
static json_t *
fh_arg(const char *key, const char *word, const char *meta, const char *choices,
       const char *alias, unsigned int f, int max)
{
	json_t *ch = json_null();

	if (choices != NULL) {
		char buf[128], *save = NULL, *w;

		snprintf(buf, sizeof(buf), "%s", choices);
		json_decref(ch);
		ch = json_array();
		for (w = strtok_r(buf, "|", &save); w;
		     w = strtok_r(NULL, "|", &save))
			json_array_append_new(ch, json_string(w));
	}
	return json_pack("{s:s, s:s?, s:s?, s:o, s:s?, s:b, s:b, s:b, s:b, "
			 "s:b, s:o}",
			 "key", key, "word", word, "meta", meta, "choices", ch,
			 "alias", alias, "required", (f & A_REQ) != 0, "int",
			 (f & A_INT) != 0, "range", (f & A_RANGE) != 0, "flag",
			 (f & A_FLAG) != 0, "bare", (f & A_BARE) != 0, "max",
			 (f & (A_INT | A_RANGE))
				 ? json_integer(max ? max : INT32_MAX)
				 : json_null());
}

/* A verb: its own arguments (NULL-terminated), then nfvd's "vnf". */
static void
fh_verb(json_t *list, const char *cmd, const char *help, const char *usage,
	bool show, bool each, const char *type, int bare, ...)
{
	json_t *args = json_array(), *a;
	va_list ap;

	va_start(ap, bare);
	while ((a = va_arg(ap, json_t *)) != NULL)
		json_array_append_new(args, a);
	va_end(ap);
	json_array_append_new(args, fh_arg("vnf", "vnf", "NAME", NULL, NULL,
					   bare ? A_BARE : 0, 0));
	json_array_append_new(
		list, json_pack("{s:s, s:s, s:s, s:b, s:b, s:[s], s:o}", "cmd",
				cmd, "help", help, "usage", usage, "show", show,
				"each", each, "types", type, "args", args));
}

static char *
fake_help_make(void)
{
	json_t *list = json_pack(
		"[{s:s,s:s}, {s:s,s:s}, {s:s,s:s}, {s:s,s:s}, {s:s,s:s}, "
		"{s:s,s:s}]",
		"cmd", "help", "help", "list the commands this nfvd knows",
		"cmd", "show ports", "help",
		"ports: link, packets, bytes, drops", "cmd", "show stats",
		"help", "workers and VNFs", "cmd", "show vnf", "help",
		"one VNF (name)", "cmd", "port add", "help", "add a port",
		"cmd", "port del", "help", "remove a port (name)");
	char *text, *reply;

	fh_verb(list, "show mac", "MAC tables", "show mac [VNF]", true, false,
		"l2switch", true, NULL);
	fh_verb(list, "mac flush", "forget learned MACs", "mac flush [VNF]",
		false, true, "l2switch", true, NULL);
	fh_verb(list, "show routes", "routes", "show routes [VNF] [limit N]",
		true, false, "router", true,
		fh_arg("limit", "limit", "N", NULL, NULL, A_INT, 0), NULL);
	fh_verb(list, "show neigh", "neighbours", "show neigh [VNF] [limit N]",
		true, false, "router", true,
		fh_arg("limit", "limit", "N", NULL, NULL, A_INT, 0), NULL);
	fh_verb(list, "route add", "add a route",
		"route add PREFIX [via ADDR] [dev IFACE] "
		"[blackhole|unreachable] "
		"[replace] [vnf NAME]",
		false, false, "router", false,
		fh_arg("prefix", NULL, "PREFIX", NULL, NULL, A_REQ, 0),
		fh_arg("via", "via", "ADDR", NULL, NULL, 0, 0),
		fh_arg("iface", "dev", "IFACE", NULL, "iface", 0, 0),
		fh_arg("type", NULL, NULL, "blackhole|unreachable", NULL, 0, 0),
		fh_arg("replace", "replace", NULL, NULL, NULL, A_FLAG, 0),
		NULL);
	fh_verb(list, "route del", "delete a route",
		"route del PREFIX [vnf NAME]", false, false, "router", false,
		fh_arg("prefix", NULL, "PREFIX", NULL, NULL, A_REQ, 0), NULL);
	fh_verb(list, "show mirror", "mirrors", "show mirror [VNF]", true,
		false, "mirror", true, NULL);
	fh_verb(list, "show rules", "firewall rules", "show rules [VNF]", true,
		false, "firewall", true, NULL);
	fh_verb(list, "show conn", "connections", "show conn [VNF] [limit N]",
		true, false, "firewall", true,
		fh_arg("limit", "limit", "N", NULL, NULL, A_INT, 0), NULL);
	fh_verb(list, "rule add", "add a firewall rule",
		"rule add [index N] action A [proto P] [src PFX] [dst PFX] "
		"[sport N[-M]] [dport N[-M]] [iface I] [vnf NAME]",
		false, false, "firewall", false,
		fh_arg("index", "index", "N", NULL, NULL, A_INT, 0),
		fh_arg("action", "action", "A",
		       "allow|allow-stateful|drop|reject", NULL, A_REQ, 0),
		fh_arg("proto", "proto", "P", NULL, NULL, 0, 0),
		fh_arg("src", "src", "PFX", NULL, NULL, 0, 0),
		fh_arg("dst", "dst", "PFX", NULL, NULL, 0, 0),
		fh_arg("sport", "sport", "N[-M]", NULL, NULL, A_RANGE, 65535),
		fh_arg("dport", "dport", "N[-M]", NULL, NULL, A_RANGE, 65535),
		fh_arg("iface", "iface", "I", NULL, NULL, 0, 0), NULL);
	fh_verb(list, "rule del", "delete a firewall rule",
		"rule del INDEX [count N] [vnf NAME]", false, false,
		"firewall", false,
		fh_arg("index", NULL, "INDEX", NULL, NULL, A_REQ | A_INT, 0),
		fh_arg("count", "count", "N", NULL, NULL, A_INT, 0), NULL);
	fh_verb(list, "conn flush", "forget tracked connections",
		"conn flush [VNF]", false, true, "firewall", true, NULL);
	/* A verb of a VNF nfvctl has never heard of. */
	fh_verb(list, "lamp dim", "dim a lamp",
		"lamp dim PCT [soft|hard] [vnf NAME]", false, false, "lamp",
		false,
		fh_arg("level", NULL, "PCT", NULL, NULL, A_REQ | A_INT, 100),
		fh_arg("mode", NULL, NULL, "soft|hard", NULL, 0, 0), NULL);
	text = json_dumps(list, JSON_COMPACT);
	json_decref(list);
	if (text == NULL ||
	    asprintf(&reply, "{\"ok\":true,\"result\":%s}", text) < 0)
		reply = NULL;
	free(text);
	return reply;
}

static int group_setup(void **state)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};

	(void)state;
	signal(SIGPIPE, SIG_IGN);
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/nfv-ctl-nfvctl-XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	snprintf(sock_path, sizeof(sock_path), "%s/fake.sock", tmpdir);
	strcpy(addr.sun_path, sock_path);
	fake_help = fake_help_made = fake_help_make();
	listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fake_help == NULL || listen_fd < 0 ||
	    bind(listen_fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
	    listen(listen_fd, 4) < 0)
		return -1;
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	close(listen_fd);
	unlink(sock_path);
	rmdir(tmpdir);
	free(fake_help_made);
	return 0;
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_show_ports),
		cmocka_unit_test(test_json_output),
		cmocka_unit_test(test_show_stats),
		cmocka_unit_test(test_show_vnf),
		cmocka_unit_test(test_show_mac),
		cmocka_unit_test(test_show_mirror),
		cmocka_unit_test(test_generic_tables),
		cmocka_unit_test(test_route_requests),
		cmocka_unit_test(test_rule_requests),
		cmocka_unit_test(test_port_requests),
		cmocka_unit_test(test_unknown_vnf_verb),
		cmocka_unit_test(test_completion),
		cmocka_unit_test(test_help_and_raw),
		cmocka_unit_test(test_error_reply),
		cmocka_unit_test(test_bad_replies),
		cmocka_unit_test(test_refused_prints_server_message),
		cmocka_unit_test(test_usage_errors),
		cmocka_unit_test(test_no_command_and_help),
		cmocka_unit_test(test_socket_choice),
	};

	if (argc != 2) {
		fprintf(stderr, "usage: %s PATH-TO-NFVCTL\n", argv[0]);
		return 1;
	}
	nfvctl = argv[1];
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
