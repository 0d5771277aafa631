/* SPDX-License-Identifier: BSD-3-Clause
 *
 * test_ctl_telemetry_eal.c - the /nfv/ telemetry commands through a real
 * DPDK telemetry socket: EAL in memory only (--no-huge --in-memory, a
 * file prefix of our own), fake control handlers, replies read as a client
 * (and by dpdk-telemetry.py when it is installed) and compared.
 * Exits 77 (skipped) when EAL cannot start here.
 */
#include <errno.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>
#include <rte_eal.h>
#include <rte_common.h>
#include <rte_errno.h>

#include "control/ctl_server.h"

static char prefix[64];
static char tel_path[108];	/* sizeof(sun_path) */
static char runtime_dir[256];

static int cmd_ports(json_t *req, json_t **result, void *arg)
{
	(void)req;
	(void)arg;
	*result = json_loads(
		"[{\"name\":\"vm1\",\"type\":\"vhost-user\",\"link\":\"up\","
		"\"rx_packets\":10,\"rx_bytes\":640,\"tx_packets\":9,\"tx_"
		"bytes\":576,"
		"\"drops\":{\"tx-full\":3,\"unlinked\":0}},"
		/* Non-ASCII in a result: printable ASCII in the reply. */
		"{\"name\":\"caf\u00e9\",\"type\":\"tap\\u0001\"}]",
		0, NULL);
	return 0;
}

static int cmd_vnf(json_t *req, json_t **result, void *arg)
{
	const char *name = json_string_value(json_object_get(req, "name"));

	(void)arg;
	if (name == NULL || strcmp(name, "sw") != 0)
		return ctl_error(result, ENOENT, "no VNF '%s'", name ? name : "");
	*result = json_loads("{\"name\":\"sw\",\"type\":\"l2switch\",\"packets\":5,"
		"\"cycles_per_packet\":42.5,\"ifaces\":[{\"name\":\"a\",\"peer\":\"vm1\"}],"
		"\"counters\":{\"flood\":2},\"drops\":{},\"details\":{\"aging\":300}}",
		0, NULL);
	return 0;
}

static int cmd_mac(json_t *req, json_t **result, void *arg)
{
	json_t *vnf = json_object_get(req, "vnf"), *arr = json_array();
	int i;

	(void)arg;
	for (i = 0; i < 1000; i++)
		json_array_append_new(arr, json_pack("{s:s,s:s,s:i,s:s,s:s,s:i}",
			"vnf", vnf ? json_string_value(vnf) : "all",
			"mac", "02:00:00:00:00:01", "vlan", 0, "iface", "a",
			"type", "dynamic", "age", i));
	*result = arr;
	return 0;
}

/* One request over the telemetry socket; the reply's value for `cmd`. */
static json_t *tel_query(const char *query, const char *cmd)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	static char buf[65536];
	json_error_t jerr;
	json_t *reply, *v;
	ssize_t n;
	int fd;

	fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	assert_true(fd >= 0);
	memcpy(addr.sun_path, tel_path, sizeof(tel_path));
	assert_int_equal(connect(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	n = recv(fd, buf, sizeof(buf) - 1, 0); /* the hello */
	assert_true(n > 0);
	assert_true(send(fd, query, strlen(query), 0) > 0);
	n = recv(fd, buf, sizeof(buf) - 1, 0);
	assert_true(n > 0);
	close(fd);
	reply = json_loadb(buf, n, 0, &jerr);
	if (reply == NULL)
		fail_msg("telemetry reply is not JSON (%s): %.*s", jerr.text,
			 (int)n, buf);
	assert_true(n <= 16384);
	v = json_incref(json_object_get(reply, cmd));
	json_decref(reply);
	assert_non_null(v);
	return v;
}

static void test_ports(void **state)
{
	json_t *v = tel_query("/nfv/ports", "/nfv/ports"), *p;

	(void)state;
	p = json_object_get(v, "0");
	assert_string_equal(json_string_value(json_object_get(p, "name")), "vm1");
	assert_int_equal(json_integer_value(json_object_get(p, "rx_packets")), 10);
	assert_int_equal(json_integer_value(json_object_get(p, "drops/tx_full")), 3);
	p = json_object_get(v, "1");
	assert_string_equal(json_string_value(json_object_get(p, "name")),
			    "caf?");
	assert_string_equal(json_string_value(json_object_get(p, "type")),
			    "tap_");
	json_decref(v);
}

static void test_vnf(void **state)
{
	json_t *v;

	(void)state;
	v = tel_query("/nfv/vnf,sw", "/nfv/vnf");
	assert_string_equal(json_string_value(json_object_get(v, "type")), "l2switch");
	assert_string_equal(json_string_value(json_object_get(v, "cycles_per_packet")),
			    "42.5");
	assert_string_equal(json_string_value(json_object_get(
		json_object_get(v, "ifaces"), "0/peer")), "vm1");
	assert_int_equal(json_integer_value(json_object_get(
		json_object_get(v, "counters"), "flood")), 2);
	assert_int_equal(json_integer_value(json_object_get(
		json_object_get(v, "details"), "aging")), 300);
	json_decref(v);

	v = tel_query("/nfv/vnf,fw", "/nfv/vnf");
	assert_string_equal(json_string_value(json_object_get(v, "error")),
			    "no VNF 'fw'");
	json_decref(v);
	v = tel_query("/nfv/vnf", "/nfv/vnf");
	assert_string_equal(json_string_value(json_object_get(v, "error")),
			    "missing parameter");
	json_decref(v);
	v = tel_query("/nfv/ports,x", "/nfv/ports");
	assert_non_null(json_object_get(v, "error"));
	json_decref(v);
}

/*
 * What nfvd echoes back (an unknown VNF's name in the error) must keep the
 * reply valid JSON, for any bytes in the parameter (issue 11, defect 9):
 * non-ASCII, control characters, quotes, backslashes.
 */
static void
test_non_ascii_parameter(void **state)
{
	static const char *const params[] = {
		"\xc3\xa9",			/* é, valid UTF-8 */
		"\xe2\x82\xac\xf0\x9f\x98\x80", /* € and an emoji */
		"\xff\xfe",			/* not UTF-8 at all */
		"a\"b\\c",			/* a quote and a backslash */
		"x\x01\x1fy\x7f",		/* control characters */
	};
	char q[64];
	unsigned int i;
	json_t *v;

	(void)state;
	for (i = 0; i < RTE_DIM(params); i++) {
		const char *e, *c;

		snprintf(q, sizeof(q), "/nfv/vnf,%s", params[i]);
		v = tel_query(q, "/nfv/vnf"); /* fails unless valid JSON */
		e = json_string_value(json_object_get(v, "error"));
		assert_non_null(e);
		/* Printable ASCII only: whatever the client's decoder. */
		for (c = e; *c != '\0'; c++)
			if (*c < 0x20 || *c > 0x7e)
				fail_msg("param %u: byte 0x%02x in \"%s\"", i,
					 (unsigned char)*c, e);
		json_decref(v);
	}
}

static void test_mac_truncated(void **state)
{
	json_t *v;
	size_t n;

	(void)state;
	v = tel_query("/nfv/mac,sw", "/nfv/mac");
	n = json_object_size(v) - 1;
	assert_true(n > 100);
	assert_int_equal(json_integer_value(json_object_get(v, "_truncated")),
			 1000 - n);
	assert_string_equal(json_string_value(json_object_get(
		json_object_get(v, "0"), "vnf")), "sw");
	json_decref(v);
}

static void test_help(void **state)
{
	json_t *v = tel_query("/nfv/help", "/nfv/help");

	(void)state;
	assert_string_equal(json_string_value(json_object_get(
		json_object_get(v, "0"), "cmd")), "help");
	json_decref(v);
	/* Telemetry's own /help knows our commands. */
	v = tel_query("/help,/nfv/vnf", "/help");
	assert_non_null(json_string_value(json_object_get(v, "/nfv/vnf")));
	json_decref(v);
}

/* The tool users have: dpdk-telemetry.py reads commands from stdin. */
static void test_dpdk_telemetry_py(void **state)
{
	char cmd[512], out[8192];
	size_t n;
	FILE *f;

	(void)state;
	if (system("command -v dpdk-telemetry.py >/dev/null 2>&1") != 0) {
		printf("dpdk-telemetry.py not installed: this check is skipped\n");
		skip();
	}
	snprintf(cmd, sizeof(cmd),
		 "echo /nfv/ports | timeout 20 dpdk-telemetry.py -f %s 2>&1", prefix);
	f = popen(cmd, "r");
	assert_non_null(f);
	n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = '\0';
	assert_int_equal(pclose(f), 0);
	if (strstr(out, "\"drops/tx_full\": 3") == NULL)
		fail_msg("unexpected dpdk-telemetry.py output: %s", out);

	/* Non-ASCII echoed back: the script decodes and parses it (it
	 * crashed on the invalid JSON 22.11 made of it, issue 11). */
	snprintf(cmd, sizeof(cmd),
		 "printf '/nfv/vnf,\\303\\251\\n' | timeout 20 "
		 "dpdk-telemetry.py -f %s 2>&1",
		 prefix);
	f = popen(cmd, "r");
	assert_non_null(f);
	n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = '\0';
	if (pclose(f) != 0 || strstr(out, "\"error\":") == NULL ||
	    strstr(out, "Traceback") != NULL)
		fail_msg("dpdk-telemetry.py on /nfv/vnf,\\xc3\\xa9: %s", out);
}

static int rm_entry(const char *p, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ports),
		cmocka_unit_test(test_vnf),
		cmocka_unit_test(test_mac_truncated),
		cmocka_unit_test(test_non_ascii_parameter),
		cmocka_unit_test(test_help),
		cmocka_unit_test(test_dpdk_telemetry_py),
	};
	char *eal_argv[16];
	int eal_argc = 0, ret;

	(void)argc;
	snprintf(prefix, sizeof(prefix), "nfv-ctltest-%d", (int)getpid());
	eal_argv[eal_argc++] = argv[0];
	eal_argv[eal_argc++] = "--no-huge";
	eal_argv[eal_argc++] = "--no-pci";
	eal_argv[eal_argc++] = "-m";
	eal_argv[eal_argc++] = "64";
	eal_argv[eal_argc++] = "-l";
	eal_argv[eal_argc++] = "0";
	eal_argv[eal_argc++] = "--file-prefix";
	eal_argv[eal_argc++] = prefix;
	eal_argv[eal_argc++] = "--log-level";
	eal_argv[eal_argc++] = "lib.eal:error";
	eal_argv[eal_argc++] = "--log-level";
	eal_argv[eal_argc++] = "lib.telemetry:error";
	eal_argv[eal_argc] = NULL;

	if (ctl_server_register("show ports", cmd_ports, NULL, "ports") ||
	    ctl_server_register("show vnf", cmd_vnf, NULL, "one VNF") ||
	    ctl_server_register("show mac", cmd_mac, NULL, "MAC table"))
		return 1;
	if (rte_eal_init(eal_argc, eal_argv) < 0) {
		printf("SKIP: EAL does not start here (%s)\n", strerror(rte_errno));
		return 77;
	}
	snprintf(runtime_dir, sizeof(runtime_dir), "%s", rte_eal_get_runtime_dir());
	if (strlen(runtime_dir) + sizeof("/dpdk_telemetry.v2") > sizeof(tel_path)) {
		printf("SKIP: runtime dir %s too long for a socket path\n", runtime_dir);
		rte_eal_cleanup();
		return 77;
	}
	strcpy(tel_path, runtime_dir);
	strcat(tel_path, "/dpdk_telemetry.v2");
	if (ctl_telemetry_init() != 0) {
		printf("ctl_telemetry_init failed\n");
		ret = 1;
	} else if (access(tel_path, F_OK) != 0) {
		printf("SKIP: no telemetry socket at %s\n", tel_path);
		ret = 77;
	} else {
		ret = cmocka_run_group_tests(tests, NULL, NULL);
	}
	rte_eal_cleanup();
	nftw(runtime_dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return ret;
}
