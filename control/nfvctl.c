/* SPDX-License-Identifier: BSD-3-Clause
 *
 * nfvctl.c - the command-line client of nfvd's control socket.
 *
 *   nfvctl [-s SOCK] [-j] [-t SECONDS] COMMAND...
 *
 * Each command becomes one JSON request line ({"cmd": "show ports", ...});
 * the reply line is {"ok": true, "result": ...} or {"ok": false, "error":
 * "..."}.  With -j the result is printed as JSON (indent 2), otherwise as
 * tables in the manner of `ip` and `ovs-appctl`.  The protocol and every
 * command are documented in docs/operations.md.
 *
 * Exit status: 0 ok; 1 error reply, nfvd unreachable, no reply in time;
 * 2 usage error.  Deliberately free of DPDK: jansson and libc only.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#if defined(NFVCTL_WITH_LAB) && __has_include("control/lab.h")
#include "control/lab.h"
#define NFVCTL_HAVE_LAB 1
#endif

#define NFVCTL_DEFAULT_SOCKET "/run/nfvd/nfvd.sock"
#define NFVCTL_DEFAULT_TIMEOUT 5

#define EXIT_ERROR 1
#define EXIT_USAGE 2

static const char *prog = "nfvctl";
static const char *sock_path;
static bool opt_json;
static int opt_timeout = NFVCTL_DEFAULT_TIMEOUT;

/* Alive while we may exit() from a helper; freed by an atexit() handler so
 * that leak checkers (ASan CI jobs) stay quiet on error paths too. */
static json_t *g_req, *g_reply;
static char *g_buf;

static void cleanup(void)
{
	json_decref(g_req);
	json_decref(g_reply);
	free(g_buf);
	g_req = g_reply = NULL;
	g_buf = NULL;
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: nfvctl [-s SOCK] [-j] [-t SECONDS] COMMAND...\n"
"\n"
"options:\n"
"  -s, --socket SOCK    nfvd's control socket (default $NFVD_SOCKET, else\n"
"                       " NFVCTL_DEFAULT_SOCKET ")\n"
"  -j, --json           print the result as JSON\n"
"  -t, --timeout SECS   wait at most SECS for a reply (default %d)\n"
"  -h, --help           this text\n"
"\n"
"commands:\n"
"  show ports                     ports with link state, counters, drops\n"
"  show stats                     per-worker and per-VNF statistics\n"
"  show vnf NAME                  one VNF: ifaces, counters, drops, details\n"
"  show mac [VNF]                 MAC tables of the l2switch VNFs\n"
"  mac flush [VNF]                forget learned MAC entries\n"
"  conn flush [VNF]               forget tracked connections (firewall)\n"
"  show routes [VNF]              router FIBs\n"
"  show neigh [VNF]               router neighbour (ARP/ND) tables\n"
"  show rules [VNF]               firewall rules\n"
"  show conn [VNF]                firewall connection tables\n"
"  route add PREFIX [via ADDR] [dev IFACE] [vnf NAME] [blackhole|unreachable]\n"
"  route del PREFIX [vnf NAME]\n"
"  rule add [vnf NAME] [index N] action A [proto P] [src PFX] [dst PFX]\n"
"           [sport N[-M]] [dport N[-M]] [iface I]\n"
"  rule del [vnf NAME] INDEX\n"
"  port add NAME type T [KEY VALUE]... [link VNF.IFACE]\n"
"                                 (path, mode, ifname, netns, ...)\n"
"  port del NAME\n"
"  lab up FILE | lab down [FILE]  start/stop a lab (nfvd + VMs)\n"
"  help                           the commands this nfvd serves\n"
"  raw JSON                       send one request object as is\n",
		NFVCTL_DEFAULT_TIMEOUT);
}

static void die_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die_usage(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\n", stderr);
	usage(stderr);
	exit(EXIT_USAGE);
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\n", stderr);
	exit(EXIT_ERROR);
}

/* ---- request building --------------------------------------------------- */

/* Every builder makes its request with this first, so g_req holds it. */
static json_t *req_new(const char *cmd)
{
	json_t *req = json_pack("{s:s}", "cmd", cmd);

	if (req == NULL)
		die("out of memory");
	json_decref(g_req);
	g_req = req;
	return req;
}

static void req_set_str(json_t *req, const char *key, const char *val)
{
	json_t *s = json_string(val);

	if (s == NULL)
		die_usage("'%s' is not valid UTF-8", key);
	json_object_set_new(req, key, s);
}

static bool parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > max)
		return false;
	*out = v;
	return true;
}

/* "80" → 80, "1000-2000" → "1000-2000" (checked). */
static json_t *parse_port_range(const char *what, const char *s)
{
	char buf[32], *dash;
	uint64_t lo, hi;

	snprintf(buf, sizeof(buf), "%s", s);
	dash = strchr(buf, '-');
	if (dash == NULL) {
		if (!parse_u64(buf, 65535, &lo))
			die_usage("%s: '%s' is not a port number", what, s);
		return json_integer(lo);
	}
	*dash = '\0';
	if (!parse_u64(buf, 65535, &lo) || !parse_u64(dash + 1, 65535, &hi) ||
	    lo > hi)
		die_usage("%s: '%s' is not a port range LO-HI", what, s);
	return json_string(s);
}

/* [VNF]: an optional last word. */
static json_t *build_opt_vnf(const char *cmd, int argc, char **argv)
{
	json_t *req = req_new(cmd);

	if (argc > 1)
		die_usage("%s: too many arguments", cmd);
	if (argc == 1)
		req_set_str(req, "vnf", argv[0]);
	return req;
}

static json_t *build_plain(const char *cmd, int argc, char **argv)
{
	(void)argv;
	if (argc > 0)
		die_usage("%s: takes no arguments", cmd);
	return req_new(cmd);
}

static json_t *build_show_vnf(const char *cmd, int argc, char **argv)
{
	json_t *req;

	if (argc != 1)
		die_usage("usage: show vnf NAME");
	req = req_new(cmd);
	req_set_str(req, "name", argv[0]);
	return req;
}

static const char *need_value(const char *cmd, int argc, char **argv, int i)
{
	if (i + 1 >= argc)
		die_usage("%s: '%s' needs a value", cmd, argv[i]);
	return argv[i + 1];
}

static json_t *build_route_add(const char *cmd, int argc, char **argv)
{
	json_t *req;
	int i;

	if (argc < 1 || strcmp(argv[0], "via") == 0 ||
	    strcmp(argv[0], "dev") == 0 || strcmp(argv[0], "vnf") == 0)
		die_usage("usage: route add PREFIX [via ADDR] [dev IFACE] "
			  "[vnf NAME] [blackhole|unreachable]");
	req = req_new(cmd);
	req_set_str(req, "prefix", argv[0]);
	for (i = 1; i < argc; i++) {
		const char *k = argv[i];

		if (strcmp(k, "via") == 0) {
			req_set_str(req, "via", need_value(cmd, argc, argv, i));
			i++;
		} else if (strcmp(k, "dev") == 0 || strcmp(k, "iface") == 0) {
			req_set_str(req, "iface", need_value(cmd, argc, argv, i));
			i++;
		} else if (strcmp(k, "vnf") == 0) {
			req_set_str(req, "vnf", need_value(cmd, argc, argv, i));
			i++;
		} else if (strcmp(k, "blackhole") == 0 ||
			   strcmp(k, "unreachable") == 0) {
			if (json_object_get(req, "type") != NULL)
				die_usage("%s: more than one route type", cmd);
			req_set_str(req, "type", k);
		} else {
			die_usage("%s: unknown keyword '%s'", cmd, k);
		}
	}
	return req;
}

static json_t *build_route_del(const char *cmd, int argc, char **argv)
{
	json_t *req;

	if (argc == 1 || (argc == 3 && strcmp(argv[1], "vnf") == 0)) {
		req = req_new(cmd);
		req_set_str(req, "prefix", argv[0]);
		if (argc == 3)
			req_set_str(req, "vnf", argv[2]);
		return req;
	}
	die_usage("usage: route del PREFIX [vnf NAME]");
}

static json_t *build_rule_add(const char *cmd, int argc, char **argv)
{
	static const char *const str_keys[] = {
		"vnf", "action", "proto", "src", "dst", "iface",
	};
	json_t *req = req_new(cmd);
	uint64_t idx;
	unsigned int k;
	int i;

	for (i = 0; i < argc; i += 2) {
		const char *key = argv[i];
		const char *val = need_value(cmd, argc, argv, i);

		if (json_object_get(req, key) != NULL)
			die_usage("%s: '%s' given twice", cmd, key);
		for (k = 0; k < sizeof(str_keys) / sizeof(str_keys[0]); k++)
			if (strcmp(key, str_keys[k]) == 0)
				break;
		if (k < sizeof(str_keys) / sizeof(str_keys[0])) {
			req_set_str(req, key, val);
		} else if (strcmp(key, "index") == 0) {
			if (!parse_u64(val, INT32_MAX, &idx))
				die_usage("%s: index '%s' is not a number", cmd, val);
			json_object_set_new(req, "index", json_integer(idx));
		} else if (strcmp(key, "sport") == 0 || strcmp(key, "dport") == 0) {
			json_object_set_new(req, key, parse_port_range(key, val));
		} else {
			die_usage("%s: unknown keyword '%s'", cmd, key);
		}
	}
	if (json_object_get(req, "action") == NULL)
		die_usage("usage: rule add [vnf NAME] [index N] action A [proto P] "
			  "[src PFX] [dst PFX] [sport N[-M]] [dport N[-M]] [iface I]");
	return req;
}

static json_t *build_rule_del(const char *cmd, int argc, char **argv)
{
	json_t *req;
	uint64_t idx;

	if (argc == 1 || (argc == 3 && strcmp(argv[0], "vnf") == 0)) {
		if (!parse_u64(argv[argc - 1], INT32_MAX, &idx))
			die_usage("%s: index '%s' is not a number", cmd,
				  argv[argc - 1]);
		req = req_new(cmd);
		if (argc == 3)
			req_set_str(req, "vnf", argv[1]);
		json_object_set_new(req, "index", json_integer(idx));
		return req;
	}
	die_usage("usage: rule del [vnf NAME] INDEX");
}

/* port add NAME type T [KEY VALUE]... [link ENDPOINT]: the pairs become the
 * port object, as in the config file's `ports:` (all-digit values become
 * numbers); `link` names what to wire the new port to (VNF.IFACE). */
static json_t *build_port_add(const char *cmd, int argc, char **argv)
{
	json_t *req, *port;
	uint64_t n;
	int i;

	if (argc < 3 || argc % 2 == 0)
		die_usage("usage: port add NAME type T [KEY VALUE]...");
	req = req_new(cmd);
	port = json_object();
	if (port == NULL || json_object_set_new(req, "port", port) < 0)
		die("out of memory");
	req_set_str(port, "name", argv[0]);
	for (i = 1; i < argc; i += 2) {
		if (strcmp(argv[i], "name") == 0 ||
		    json_object_get(port, argv[i]) != NULL ||
		    (strcmp(argv[i], "link") == 0 &&
		     json_object_get(req, "link") != NULL))
			die_usage("%s: '%s' given twice", cmd, argv[i]);
		if (strcmp(argv[i], "link") == 0) {
			req_set_str(req, "link", argv[i + 1]);
			continue;
		}
		if (parse_u64(argv[i + 1], INT64_MAX, &n))
			json_object_set_new(port, argv[i], json_integer(n));
		else
			req_set_str(port, argv[i], argv[i + 1]);
	}
	if (!json_is_string(json_object_get(port, "type")))
		die_usage("%s: 'type' is required", cmd);
	return req;
}

static json_t *build_port_del(const char *cmd, int argc, char **argv)
{
	json_t *req;

	if (argc != 1)
		die_usage("usage: port del NAME");
	req = req_new(cmd);
	req_set_str(req, "name", argv[0]);
	return req;
}

static json_t *build_raw(const char *cmd, int argc, char **argv)
{
	json_error_t jerr;
	json_t *req;

	if (argc != 1)
		die_usage("usage: raw '{\"cmd\": \"...\", ...}'");
	req = json_loads(argv[0], 0, &jerr);
	json_decref(g_req);
	g_req = req;
	if (!json_is_object(req))
		die_usage("%s: not a JSON object: %s", cmd,
			  req ? "wrong type" : jerr.text);
	return req;
}

/* ---- output ------------------------------------------------------------- */

/* A value as one table cell or one line; malloc'ed. */
static char *val_str(json_t *v)
{
	char *s = NULL;
	double d;

	switch (json_typeof(v)) {
	case JSON_STRING:
		s = strdup(json_string_value(v));
		break;
	case JSON_INTEGER:
		if (asprintf(&s, "%" JSON_INTEGER_FORMAT, json_integer_value(v)) < 0)
			s = NULL;
		break;
	case JSON_REAL:
		d = json_real_value(v);
		if (asprintf(&s, fabs(d) >= 1000 ? "%.0f" : "%.4g", d) < 0)
			s = NULL;
		break;
	case JSON_TRUE:
		s = strdup("true");
		break;
	case JSON_FALSE:
		s = strdup("false");
		break;
	case JSON_NULL:
		s = strdup("-");
		break;
	default:
		s = json_dumps(v, JSON_COMPACT);
		break;
	}
	if (s == NULL)
		die("out of memory");
	return s;
}

/* "a 1, b 2" of the nonzero members of a {name: count} object; NULL if none. */
static char *nonzero_list(json_t *obj)
{
	const char *k;
	json_t *v;
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	if (!json_is_object(obj))
		return NULL;
	f = open_memstream(&out, &len);
	if (f == NULL)
		die("out of memory");
	json_object_foreach(obj, k, v) {
		char *s;

		if (json_is_integer(v) && json_integer_value(v) == 0)
			continue;
		if (json_is_real(v) && json_real_value(v) == 0)
			continue;
		s = val_str(v);
		fprintf(f, "%s%s %s", len || ftell(f) ? ", " : "", k, s);
		free(s);
	}
	fclose(f);
	if (len == 0) {
		free(out);
		return NULL;
	}
	return out;
}

static json_int_t sum_counts(json_t *obj)
{
	json_int_t sum = 0;
	const char *k;
	json_t *v;

	json_object_foreach(obj, k, v)
		sum += json_integer_value(v);
	return sum;
}

/*
 * A table: a header row and rows of cells, printed with columns as wide as
 * their widest cell, two spaces apart; numeric columns right-aligned.
 */
struct table {
	unsigned int ncols;
	unsigned int nrows;	/* including the header */
	char **cells;
	bool *right;
};

static void table_init(struct table *t, unsigned int ncols)
{
	t->ncols = ncols;
	t->nrows = 0;
	t->cells = NULL;
	t->right = calloc(ncols, sizeof(*t->right));
	if (t->right == NULL)
		die("out of memory");
}

/* Takes over the ncols malloc'ed strings in cells. */
static void table_add(struct table *t, char **cells)
{
	t->cells = realloc(t->cells, (size_t)(t->nrows + 1) * t->ncols *
			   sizeof(*t->cells));
	if (t->cells == NULL)
		die("out of memory");
	memcpy(&t->cells[(size_t)t->nrows * t->ncols], cells,
	       t->ncols * sizeof(*cells));
	t->nrows++;
}

static void table_header(struct table *t, const char *const *names)
{
	char *cells[t->ncols];
	unsigned int i;

	for (i = 0; i < t->ncols; i++) {
		cells[i] = strdup(names[i]);
		if (cells[i] == NULL)
			die("out of memory");
	}
	table_add(t, cells);
}

static void table_print(struct table *t, const char *indent)
{
	size_t w[t->ncols];
	unsigned int r, c;

	memset(w, 0, sizeof(w));
	for (r = 0; r < t->nrows; r++)
		for (c = 0; c < t->ncols; c++) {
			size_t l = strlen(t->cells[r * t->ncols + c]);

			if (l > w[c])
				w[c] = l;
		}
	for (r = 0; r < t->nrows; r++) {
		fputs(indent, stdout);
		for (c = 0; c < t->ncols; c++) {
			const char *s = t->cells[r * t->ncols + c];
			bool last = c + 1 == t->ncols;

			if (t->right[c] && r > 0)
				printf("%*s", (int)w[c], s);
			else if (last)
				fputs(s, stdout);
			else
				printf("%-*s", (int)w[c], s);
			if (!last)
				fputs("  ", stdout);
		}
		fputs("\n", stdout);
	}
	for (r = 0; r < t->nrows * t->ncols; r++)
		free(t->cells[r]);
	free(t->cells);
	free(t->right);
}

/* A cell from obj[key]; right-aligns the column if it holds numbers. */
static char *cell(struct table *t, unsigned int col, json_t *obj,
		  const char *key)
{
	json_t *v = json_object_get(obj, key);

	if (json_is_number(v))
		t->right[col] = true;
	return val_str(v ? v : json_null());
}

static void print_generic(json_t *v, int depth);

/* An array of objects as a table; columns are the first object's keys. */
static void print_object_table(json_t *arr, const char *indent)
{
	json_t *first = json_array_get(arr, 0), *row, *v;
	struct table t;
	const char *k;
	size_t i;
	unsigned int n = 0, c;

	if (!json_is_object(first) || json_object_size(first) == 0)
		return;
	table_init(&t, json_object_size(first));
	{
		char *hdr[t.ncols];

		json_object_foreach(first, k, v) {
			char *h = strdup(k), *p;

			if (h == NULL)
				die("out of memory");
			for (p = h; *p; p++)
				*p = *p == '_' ? '-' : (char)toupper((unsigned char)*p);
			hdr[n++] = h;
		}
		table_add(&t, hdr);
	}
	json_array_foreach(arr, i, row) {
		char *cells[t.ncols];

		c = 0;
		json_object_foreach(first, k, v) {
			cells[c] = cell(&t, c, json_is_object(row) ? row : NULL, k);
			c++;
		}
		table_add(&t, cells);
	}
	table_print(&t, indent);
}

static bool is_object_array(json_t *v)
{
	return json_is_array(v) && json_array_size(v) > 0 &&
	       json_is_object(json_array_get(v, 0));
}

/* Anything, readably: objects as "key: value" lines, nested ones indented,
 * arrays of objects as tables. */
static void print_generic(json_t *v, int depth)
{
	char indent[64];
	const char *k;
	json_t *m;
	size_t i;

	snprintf(indent, sizeof(indent), "%*s", depth * 2, "");
	if (json_is_object(v)) {
		json_object_foreach(v, k, m) {
			if (json_is_object(m) || is_object_array(m)) {
				printf("%s%s:\n", indent, k);
				print_generic(m, depth + 1);
			} else {
				char *s;

				if (json_is_array(m)) {
					json_t *el;

					s = NULL;
					json_array_foreach(m, i, el) {
						char *e = val_str(el), *n;

						if (asprintf(&n, "%s%s%s", s ? s : "",
							     s ? ", " : "", e) < 0)
							die("out of memory");
						free(s);
						free(e);
						s = n;
					}
					if (s == NULL)
						s = strdup("-");
				} else {
					s = val_str(m);
				}
				printf("%s%s: %s\n", indent, k, s);
				free(s);
			}
		}
	} else if (is_object_array(v)) {
		print_object_table(v, indent);
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, m) {
			char *s = val_str(m);

			printf("%s%s\n", indent, s);
			free(s);
		}
	} else if (!json_is_null(v)) {
		char *s = val_str(v);

		printf("%s%s\n", indent, s);
		free(s);
	}
}

static void print_ports(json_t *res)
{
	static const char *const hdr[] = {
		"NAME", "TYPE", "LINK", "RX-PKTS", "RX-BYTES", "TX-PKTS",
		"TX-BYTES", "DROPS",
	};
	struct table t;
	json_t *p;
	size_t i;

	if (!json_is_array(res))
		return print_generic(res, 0);
	table_init(&t, 8);
	table_header(&t, hdr);
	json_array_foreach(res, i, p) {
		json_t *drops = json_object_get(p, "drops");
		char *cells[8], *why;

		cells[0] = cell(&t, 0, p, "name");
		cells[1] = cell(&t, 1, p, "type");
		cells[2] = cell(&t, 2, p, "link");
		cells[3] = cell(&t, 3, p, "rx_packets");
		cells[4] = cell(&t, 4, p, "rx_bytes");
		cells[5] = cell(&t, 5, p, "tx_packets");
		cells[6] = cell(&t, 6, p, "tx_bytes");
		why = nonzero_list(drops);
		if (asprintf(&cells[7], "%" JSON_INTEGER_FORMAT "%s%s%s",
			     json_is_object(drops) ? sum_counts(drops) :
			     json_integer_value(drops),
			     why ? " (" : "", why ? why : "", why ? ")" : "") < 0)
			die("out of memory");
		free(why);
		table_add(&t, cells);
	}
	table_print(&t, "");
}

static char *counts_cell(json_t *obj)
{
	char *s = nonzero_list(obj);

	return s ? s : strdup("-");
}

static void print_stats(json_t *res)
{
	static const char *const whdr[] = {
		"WORKER", "LCORE", "LOOPS", "BUSY-LOOPS", "PACKETS",
		"BUSY-CYCLES", "CYCLES/PKT",
	};
	static const char *const vhdr[] = {
		"VNF", "TYPE", "PACKETS", "CYCLES/PKT", "DROPS", "COUNTERS",
	};
	json_t *workers = json_object_get(res, "workers");
	json_t *vnfs = json_object_get(res, "vnfs");
	struct table t;
	json_t *e;
	size_t i;

	if (!json_is_array(workers) || !json_is_array(vnfs))
		return print_generic(res, 0);
	table_init(&t, 7);
	table_header(&t, whdr);
	json_array_foreach(workers, i, e) {
		char *cells[7];

		cells[0] = cell(&t, 0, e, "id");
		cells[1] = cell(&t, 1, e, "lcore");
		cells[2] = cell(&t, 2, e, "loops");
		cells[3] = cell(&t, 3, e, "busy_loops");
		cells[4] = cell(&t, 4, e, "packets");
		cells[5] = cell(&t, 5, e, "busy_cycles");
		cells[6] = cell(&t, 6, e, "cycles_per_packet");
		table_add(&t, cells);
	}
	table_print(&t, "");
	fputs("\n", stdout);

	table_init(&t, 6);
	table_header(&t, vhdr);
	t.right[4] = true;
	json_array_foreach(vnfs, i, e) {
		json_t *drops = json_object_get(e, "drops");
		char *cells[6], *why;

		cells[0] = cell(&t, 0, e, "name");
		cells[1] = cell(&t, 1, e, "type");
		cells[2] = cell(&t, 2, e, "packets");
		cells[3] = cell(&t, 3, e, "cycles_per_packet");
		if (asprintf(&cells[4], "%" JSON_INTEGER_FORMAT,
			     json_is_object(drops) ? sum_counts(drops) : 0) < 0)
			die("out of memory");
		why = nonzero_list(drops);
		cells[5] = counts_cell(json_object_get(e, "counters"));
		if (why != NULL) {
			char *both;

			if (asprintf(&both, "%s; drops: %s", cells[5], why) < 0)
				die("out of memory");
			free(cells[5]);
			cells[5] = both;
			free(why);
		}
		table_add(&t, cells);
	}
	table_print(&t, "");
}

/* "  name  value" lines of a {name: count} object, all of them, numbers
 * right-aligned. */
static void print_counts(const char *title, json_t *obj)
{
	size_t wk = 0, wv = 0, l;
	const char *k;
	json_t *v;

	if (!json_is_object(obj) || json_object_size(obj) == 0)
		return;
	printf("%s:\n", title);
	json_object_foreach(obj, k, v) {
		char *s = val_str(v);

		l = strlen(k);
		wk = l > wk ? l : wk;
		l = strlen(s);
		wv = l > wv ? l : wv;
		free(s);
	}
	json_object_foreach(obj, k, v) {
		char *s = val_str(v);

		printf("  %-*s  %*s\n", (int)wk, k, (int)wv, s);
		free(s);
	}
}

static void print_vnf(json_t *res)
{
	json_t *ifaces = json_object_get(res, "ifaces"), *details, *fates, *e;
	char *pk, *cpp;
	size_t i;

	if (!json_is_object(res))
		return print_generic(res, 0);
	printf("vnf %s (%s)\n", json_string_value(json_object_get(res, "name")) ?: "?",
	       json_string_value(json_object_get(res, "type")) ?: "?");
	pk = val_str(json_object_get(res, "packets") ?: json_null());
	cpp = val_str(json_object_get(res, "cycles_per_packet") ?: json_null());
	printf("  packets %s, cycles/packet %s\n", pk, cpp);
	free(pk);
	free(cpp);
	fates = json_object_get(res, "fates");
	if (json_is_object(fates)) {
		char *p = val_str(json_object_get(fates, "passed")
					  ?: json_null());
		char *d = val_str(json_object_get(fates, "dropped")
					  ?: json_null());
		char *h =
			val_str(json_object_get(fates, "held") ?: json_null());

		/* What became of the packets: each counted once. */
		printf("  fates: passed %s, dropped %s, held %s\n", p, d, h);
		free(p);
		free(d);
		free(h);
	}
	if (json_is_array(ifaces) && json_array_size(ifaces) > 0) {
		struct table t;

		printf("ifaces:\n");
		table_init(&t, 2);
		table_header(&t, (const char *const[]){"IFACE", "PEER"});
		json_array_foreach(ifaces, i, e) {
			char *cells[2];

			cells[0] = cell(&t, 0, e, "name");
			cells[1] = cell(&t, 1, e, "peer");
			table_add(&t, cells);
		}
		table_print(&t, "  ");
	}
	print_counts("counters", json_object_get(res, "counters"));
	print_counts("drops", json_object_get(res, "drops"));
	details = json_object_get(res, "details");
	if (details != NULL && !json_is_null(details) &&
	    !(json_is_object(details) && json_object_size(details) == 0)) {
		printf("details:\n");
		print_generic(details, 1);
	}
}

static void print_mac(json_t *res)
{
	static const char *const hdr[] = {
		"VNF", "MAC", "VLAN", "IFACE", "TYPE", "AGE",
	};
	static const char *const keys[] = {
		"vnf", "mac", "vlan", "iface", "type", "age",
	};
	struct table t;
	json_t *e;
	size_t i;
	unsigned int c;

	if (!json_is_array(res))
		return print_generic(res, 0);
	table_init(&t, 6);
	table_header(&t, hdr);
	json_array_foreach(res, i, e) {
		char *cells[6];

		for (c = 0; c < 6; c++)
			cells[c] = cell(&t, c, e, keys[c]);
		table_add(&t, cells);
	}
	table_print(&t, "");
}

static void print_flushed(json_t *res)
{
	json_t *n = json_object_get(res, "flushed");

	if (!json_is_integer(n))
		return print_generic(res, 0);
	printf("flushed %" JSON_INTEGER_FORMAT " entr%s\n", json_integer_value(n),
	       json_integer_value(n) == 1 ? "y" : "ies");
}

static void print_help(json_t *res)
{
	struct table t;
	json_t *e;
	size_t i;

	if (!is_object_array(res))
		return print_generic(res, 0);
	table_init(&t, 2);
	table_header(&t, (const char *const[]){"COMMAND", "DESCRIPTION"});
	json_array_foreach(res, i, e) {
		char *cells[2];

		cells[0] = cell(&t, 0, e, "cmd");
		cells[1] = cell(&t, 1, e, "help");
		table_add(&t, cells);
	}
	table_print(&t, "");
}

static void print_any(json_t *res)
{
	print_generic(res, 0);
}

static void print_table_or_generic(json_t *res)
{
	if (is_object_array(res))
		print_object_table(res, "");
	else
		print_generic(res, 0);
}

/* ---- the command table -------------------------------------------------- */

struct nfvctl_cmd {
	const char *words;	/* what the user types, and the "cmd" sent */
	json_t *(*build)(const char *cmd, int argc, char **argv);
	void (*print)(json_t *result);
};

static const struct nfvctl_cmd nfvctl_cmds[] = {
	{"show ports", build_plain, print_ports},
	{"show stats", build_plain, print_stats},
	{"show vnf", build_show_vnf, print_vnf},
	{"show mac", build_opt_vnf, print_mac},
	{"mac flush", build_opt_vnf, print_flushed},
	{"conn flush", build_opt_vnf, print_flushed},
	{"show routes", build_opt_vnf, print_table_or_generic},
	{"show neigh", build_opt_vnf, print_table_or_generic},
	{"show rules", build_opt_vnf, print_table_or_generic},
	{"show conn", build_opt_vnf, print_table_or_generic},
	{"route add", build_route_add, print_any},
	{"route del", build_route_del, print_any},
	{"rule add", build_rule_add, print_any},
	{"rule del", build_rule_del, print_any},
	{"port add", build_port_add, print_any},
	{"port del", build_port_del, print_any},
	{"help", build_plain, print_help},
	{"raw", build_raw, print_any},
};

/* How many leading argv words match `words` ("show ports" → 2), or 0. */
static int cmd_match(const char *words, int argc, char **argv)
{
	char buf[64], *save = NULL, *w;
	int n = 0;

	snprintf(buf, sizeof(buf), "%s", words);
	for (w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		if (n >= argc || strcmp(argv[n], w) != 0)
			return 0;
		n++;
	}
	return n;
}

/* ---- the socket --------------------------------------------------------- */

static int ctl_connect(const char *path)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	int fd;

	if (strlen(path) >= sizeof(addr.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(addr.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* 0, or -errno when the server is gone (it may have said why: the
 * caller reads its last line). */
static int
send_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EPIPE || errno == ECONNRESET)
				return -errno;
			die("cannot send to %s: %s", sock_path, strerror(errno));
		}
		buf += n;
		len -= n;
	}
	return 0;
}

/*
 * Read one reply line; the timeout restarts while data keeps coming, so a
 * large table is not cut off by a slow terminal.  `send_err`: the request
 * did not go out whole (-EPIPE...): without a line from the server (one
 * that refused or closed us says why), that is the error to report.
 */
static char *
recv_line(int fd, size_t *lenp, int send_err)
{
	size_t len = 0, cap = 65536;
	char *buf = malloc(cap);

	if (buf == NULL)
		die("out of memory");
	g_buf = buf;
	for (;;) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		char *nl;
		ssize_t n;
		int r;

		r = poll(&p, 1, opt_timeout * 1000);
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0)
			die("no reply from %s within %d s", sock_path, opt_timeout);
		if (len + 4096 > cap) {
			char *nbuf = realloc(buf, cap * 2);

			if (nbuf == NULL)
				die("out of memory");
			g_buf = buf = nbuf;
			cap *= 2;
		}
		n = recv(fd, buf + len, cap - len, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (send_err != 0 &&
			    (errno == ECONNRESET || errno == EPIPE))
				n = 0;
			else
				die("cannot read from %s: %s", sock_path,
				    strerror(errno));
		}
		if (n == 0 && send_err != 0)
			die("cannot send to %s: %s (nfvd closed the connection "
			    "without a word)",
			    sock_path, strerror(-send_err));
		if (n == 0)
			die("nfvd closed the connection without a reply");
		nl = memchr(buf + len, '\n', n);
		len += n;
		if (nl != NULL) {
			*lenp = nl - buf;
			return buf;
		}
	}
}

/* Send `req`, return the reply's "result" (new reference) or exit. */
static json_t *ctl_call(json_t *req)
{
	json_error_t jerr;
	json_t *reply, *result;
	size_t len;
	char *line, *rbuf;
	int fd, ret;

	line = json_dumps(req, JSON_COMPACT);
	if (line == NULL)
		die("out of memory");
	g_buf = line;
	fd = ctl_connect(sock_path);
	if (fd < 0)
		die("cannot connect to %s: %s (is nfvd running?)", sock_path,
		    strerror(errno));
	/* A server that refuses us sends one error line and closes: the send
	 * may then fail, but the line is there to read and to print. */
	ret = send_all(fd, line, strlen(line));
	if (ret == 0)
		ret = send_all(fd, "\n", 1);
	free(line);
	g_buf = NULL;
	rbuf = recv_line(fd, &len, ret);
	close(fd);
	reply = json_loadb(rbuf, len, 0, &jerr);
	free(rbuf);
	g_buf = NULL;
	g_reply = reply;
	if (!json_is_object(reply))
		die("bad reply from nfvd: %s", reply ? "not an object" : jerr.text);
	if (!json_is_true(json_object_get(reply, "ok"))) {
		const char *err = json_string_value(json_object_get(reply, "error"));

		fprintf(stderr, "%s: %s\n", prog, err ? err : "error (no message)");
		exit(EXIT_ERROR);
	}
	result = json_object_get(reply, "result");
	result = json_incref(result ? result : json_null());
	json_decref(reply);
	g_reply = NULL;
	return result;
}

static int run_lab(int argc, char **argv)
{
	if (argc < 2 || (strcmp(argv[1], "up") == 0 && argc != 3) ||
	    (strcmp(argv[1], "down") == 0 && argc > 3) ||
	    (strcmp(argv[1], "up") != 0 && strcmp(argv[1], "down") != 0))
		die_usage("usage: lab up FILE | lab down [FILE]");
#ifdef NFVCTL_HAVE_LAB
	/* The lab code talks to nfvd too: hand it the socket we were given. */
	setenv("NFVD_SOCKET", sock_path, 1);
	return ctl_lab_main(argc, argv);
#else
	fprintf(stderr, "%s: lab: not built\n", prog);
	return EXIT_ERROR;
#endif
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"socket", required_argument, NULL, 's'},
		{"json", no_argument, NULL, 'j'},
		{"timeout", required_argument, NULL, 't'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const struct nfvctl_cmd *cmd = NULL;
	json_t *req, *result;
	unsigned int i;
	uint64_t t;
	int opt, n = 0;

	atexit(cleanup);
	sock_path = getenv("NFVD_SOCKET");
	if (sock_path == NULL || *sock_path == '\0')
		sock_path = NFVCTL_DEFAULT_SOCKET;
	/* '+': stop at the command, whose words may look like options. */
	while ((opt = getopt_long(argc, argv, "+s:jt:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 's':
			sock_path = optarg;
			break;
		case 'j':
			opt_json = true;
			break;
		case 't':
			if (!parse_u64(optarg, 3600, &t) || t == 0)
				die_usage("bad timeout '%s'", optarg);
			opt_timeout = (int)t;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0)
		die_usage("no command given");
	if (strcmp(argv[0], "lab") == 0)
		return run_lab(argc, argv);

	for (i = 0; i < sizeof(nfvctl_cmds) / sizeof(nfvctl_cmds[0]); i++) {
		n = cmd_match(nfvctl_cmds[i].words, argc, argv);
		if (n > 0) {
			cmd = &nfvctl_cmds[i];
			break;
		}
	}
	if (cmd == NULL)
		die_usage("unknown command '%s%s%s'", argv[0], argc > 1 ? " " : "",
			  argc > 1 ? argv[1] : "");

	req = cmd->build(cmd->words, argc - n, argv + n);
	result = ctl_call(req);

	if (opt_json) {
		char *s = json_dumps(result, JSON_INDENT(2) | JSON_ENCODE_ANY);

		if (s == NULL)
			die("out of memory");
		puts(s);
		free(s);
	} else {
		cmd->print(result);
	}
	json_decref(result); /* req is g_req: cleanup() frees it */
	if (fflush(stdout) != 0 || ferror(stdout))
		die("cannot write output: %s", strerror(errno));
	return 0;
}
