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
 * nfvctl knows nfvd's own commands (ports, stats, one VNF, help, raw) and
 * the lab.  The commands of the VNFs (their verbs) it learns from the
 * daemon: `help` lists each with its arguments (vnf/verb.c), and nfvctl
 * builds the request, the usage line, `nfvctl help` and the bash
 * completion from that list, so a new verb needs no change here.
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
static json_t *g_req, *g_reply, *g_help;
static char *g_buf;

static void cleanup(void)
{
	json_decref(g_req);
	json_decref(g_reply);
	json_decref(g_help);
	free(g_buf);
	g_req = g_reply = g_help = NULL;
	g_buf = NULL;
}

static void usage(FILE *f)
{
	/* clang-format off */
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
"  port add NAME type T [KEY VALUE]... [link VNF.IFACE]\n"
"                                 (path, mode, ifname, netns, ...)\n"
"  port del NAME\n"
"  reload [FILE]                  re-read the config (or FILE): add and remove\n"
"                                 ports; anything else is refused (restart)\n"
"  lab up FILE | lab down [FILE]  start/stop a lab (nfvd + VMs)\n"
"  lab status|console|exec|graph|restart-nfvd|check|probe  a lab's\n"
"                                 state, guests and picture (docs/labs.md)\n"
"  help                           the commands this nfvd serves, with usage\n"
"  completion bash                a bash completion script for this nfvd\n"
"  raw JSON                       send one request object as is\n",
		NFVCTL_DEFAULT_TIMEOUT);
	/* clang-format on */
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

/* reload [FILE]: nfvd reads FILE itself, from its own working directory:
 * a relative name is made absolute here. */
static json_t *
build_reload(const char *cmd, int argc, char **argv)
{
	char *abs;
	json_t *req;

	if (argc > 1)
		die_usage("usage: reload [FILE]");
	req = req_new(cmd);
	if (argc == 1) {
		abs = realpath(argv[0], NULL);
		if (abs == NULL)
			die("%s: %s", argv[0], strerror(errno));
		req_set_str(req, "file", abs);
		free(abs);
	}
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

/* ---- VNF verbs, from the daemon's list ---------------------------------- */

/*
 * One entry of the daemon's `help` for a VNF verb (vnf/verb.c):
 *   {"cmd": "route add", "help": "...", "usage": "route add PREFIX ...",
 *    "args": [{"key", "word", "meta", "choices", "alias", "required",
 *              "int", "range", "flag", "max"}, ...]}
 * An argument with a "word" is a keyword (a "flag" one takes no value);
 * one with "choices" and no word is one word of the set; any other is
 * positional.  A "bare" one (the "vnf" of show mac) also takes a lone
 * word that nothing else takes (show mac sw).
 */
static const char *
ent_str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static bool
ent_bool(json_t *o, const char *key)
{
	return json_is_true(json_object_get(o, key));
}

static bool
arg_positional(json_t *a)
{
	return ent_str(a, "word") == NULL &&
	       !json_is_array(json_object_get(a, "choices")) &&
	       !ent_bool(a, "flag");
}

static bool
in_choices(json_t *choices, const char *w)
{
	json_t *c;
	size_t i;

	json_array_foreach(choices, i, c)
		if (json_is_string(c) && strcmp(json_string_value(c), w) == 0)
			return true;
	return false;
}

/* "a|b|c" of a choices array, in buf (cut to fit). */
static const char *
choices_str(json_t *choices, char *buf, size_t len)
{
	size_t off = 0, i;
	json_t *c;

	buf[0] = '\0';
	json_array_foreach(choices, i, c) {
		int n = snprintf(buf + off, len - off, "%s%s", i ? "|" : "",
				 json_string_value(c) ?: "?");

		if (n < 0 || (size_t)n >= len - off)
			break;
		off += (size_t)n;
	}
	return buf;
}

/* A usage error of a verb: the reason and the verb's usage line. */
static void die_verb(json_t *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));
static void
die_verb(json_t *e, const char *fmt, ...)
{
	const char *cmd = ent_str(e, "cmd"), *u = ent_str(e, "usage");
	va_list ap;

	fprintf(stderr, "%s: %s: ", prog, cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nusage: %s [-s SOCK] [-j] [-t SECONDS] %s\n", prog,
		u ? u : cmd);
	exit(EXIT_USAGE);
}

/* The value `val` of argument `a`, checked as the table says. */
static json_t *
verb_value(json_t *e, json_t *a, const char *what, const char *val)
{
	json_t *choices = json_object_get(a, "choices");
	json_int_t m = json_integer_value(json_object_get(a, "max"));
	uint64_t max = m > 0 ? (uint64_t)m : INT32_MAX, lo, hi;
	char buf[256], *dash;
	json_t *v;

	if (json_is_array(choices) && !in_choices(choices, val))
		die_verb(e, "%s: '%s' is not one of %s", what, val,
			 choices_str(choices, buf, sizeof(buf)));
	if (ent_bool(a, "int")) {
		if (!parse_u64(val, max, &lo))
			die_verb(e,
				 "%s: '%s' is not a number from 0 to %" PRIu64,
				 what, val, max);
		return json_integer((json_int_t)lo);
	}
	if (ent_bool(a, "range")) {
		snprintf(buf, sizeof(buf), "%s", val);
		dash = strchr(buf, '-');
		if (dash == NULL) {
			if (!parse_u64(buf, max, &lo))
				die_verb(e,
					 "%s: '%s' is not a number from 0 "
					 "to %" PRIu64,
					 what, val, max);
			return json_integer((json_int_t)lo);
		}
		*dash = '\0';
		if (strlen(val) >= sizeof(buf) || !parse_u64(buf, max, &lo) ||
		    !parse_u64(dash + 1, max, &hi) || lo > hi)
			die_verb(e,
				 "%s: '%s' is not a range LO-HI "
				 "(LO <= HI <= %" PRIu64 ")",
				 what, val, max);
	}
	v = json_string(val);
	if (v == NULL)
		die_verb(e, "%s: '%s' is not valid UTF-8", what, val);
	return v;
}

/* The argument introduced by keyword w (its word or alias), or NULL. */
static json_t *
verb_keyword(json_t *args, const char *w)
{
	json_t *a;
	size_t i;

	json_array_foreach(args, i, a) {
		const char *word = ent_str(a, "word"),
			   *alias = ent_str(a, "alias");

		if ((word && strcmp(word, w) == 0) ||
		    (word && alias && strcmp(alias, w) == 0))
			return a;
	}
	return NULL;
}

/* The word-less argument whose choices hold w, or NULL. */
static json_t *
verb_choice(json_t *args, const char *w)
{
	json_t *a, *ch;
	size_t i;

	json_array_foreach(args, i, a) {
		ch = json_object_get(a, "choices");
		if (ent_str(a, "word") == NULL && json_is_array(ch) &&
		    in_choices(ch, w))
			return a;
	}
	return NULL;
}

/*
 * The request for verb entry `e` from the words after its name: keywords
 * in any order, each at most once, positional arguments in table order;
 * what the table requires must be there.  Exits 2 with the verb's usage
 * line on bad input, before anything is sent.
 */
static json_t *
build_verb(json_t *e, int argc, char **argv)
{
	const char *cmd = ent_str(e, "cmd");
	json_t *args = json_object_get(e, "args"), *req, *a, *bare = NULL;
	bool has_kw = false;
	char buf[256];
	size_t k;
	int i;

	req = req_new(cmd);
	if (!json_is_array(args)) {
		/* Listed without arguments (an nfvd newer than us). */
		if (argc > 0)
			die_usage("%s: nfvd lists no arguments for it (nfvctl "
				  "raw sends any request)",
				  cmd);
		return req;
	}
	json_array_foreach(args, k, a) {
		const char *key = ent_str(a, "key"), *word = ent_str(a, "word");

		if (key == NULL)
			die("bad reply from nfvd: an argument of '%s' has no "
			    "key",
			    cmd);
		if (ent_bool(a, "bare"))
			bare = a;
		if (word != NULL && strcmp(key, "vnf") != 0)
			has_kw = true;
	}
	for (i = 0; i < argc; i++) {
		const char *w = argv[i], *key, *what;

		a = verb_keyword(args, w);
		if (a != NULL) {
			key = ent_str(a, "key");
			if (json_object_get(req, key) != NULL)
				die_verb(e, "'%s' given twice", w);
			if (ent_bool(a, "flag")) {
				json_object_set_new(req, key, json_true());
				continue;
			}
			if (i + 1 >= argc)
				die_verb(e, "'%s' needs a value", w);
			json_object_set_new(req, key,
					    verb_value(e, a, w, argv[++i]));
			continue;
		}
		a = verb_choice(args, w);
		if (a != NULL) {
			key = ent_str(a, "key");
			if (json_object_get(req, key) != NULL)
				die_verb(e, "'%s': only one of %s", w,
					 choices_str(
						 json_object_get(a, "choices"),
						 buf, sizeof(buf)));
			req_set_str(req, key, w);
			continue;
		}
		/* The next positional argument not given yet, else a bare
		 * one (the instance). */
		a = NULL;
		json_array_foreach(args, k, a)
			if (arg_positional(a) &&
			    json_object_get(req, ent_str(a, "key")) == NULL)
				break;
		if (k == json_array_size(args))
			a = bare != NULL && json_object_get(
						    req, ent_str(bare,
								 "key")) == NULL
				    ? bare
				    : NULL;
		if (a == NULL) {
			if (has_kw)
				die_verb(e, "unknown keyword '%s'", w);
			die_verb(e, "too many arguments");
		}
		what = ent_str(a, "meta") ?: ent_str(a, "key");
		json_object_set_new(req, ent_str(a, "key"),
				    verb_value(e, a, what, w));
	}
	json_array_foreach(args, k, a) {
		const char *word = ent_str(a, "word");

		if (!ent_bool(a, "required") ||
		    json_object_get(req, ent_str(a, "key")) != NULL)
			continue;
		if (word != NULL)
			die_verb(e, "'%s' is required", word);
		die_verb(e, "missing %s",
			 ent_str(a, "meta") ?: ent_str(a, "key"));
	}
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
		"BUSY-CYCLES", "CYCLES/PKT", "IDLE", "STATE", "ASLEEP%",
		"WAKEUPS",
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
	table_init(&t, 11);
	table_header(&t, whdr);
	json_array_foreach(workers, i, e) {
		json_t *pct = json_object_get(e, "asleep_pct");
		char *cells[11];

		cells[0] = cell(&t, 0, e, "id");
		cells[1] = cell(&t, 1, e, "lcore");
		cells[2] = cell(&t, 2, e, "loops");
		cells[3] = cell(&t, 3, e, "busy_loops");
		cells[4] = cell(&t, 4, e, "packets");
		cells[5] = cell(&t, 5, e, "busy_cycles");
		cells[6] = cell(&t, 6, e, "cycles_per_packet");
		/* What the worker does with no packet (dataplane.idle). */
		cells[7] = cell(&t, 7, e, "idle_mode");
		cells[8] = cell(&t, 8, e, "state");
		if (json_is_number(pct)) {
			t.right[9] = true;
			if (asprintf(&cells[9], "%.1f", json_number_value(pct)) < 0)
				die("out of memory");
		} else {
			cells[9] = cell(&t, 9, e, "asleep_pct");
		}
		cells[10] = cell(&t, 10, e, "wakeups");
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
	e = json_object_get(res, "mbufs");
	if (json_is_object(e))
		printf("\nmbufs: %" JSON_INTEGER_FORMAT
		       " in use, %" JSON_INTEGER_FORMAT
		       " free of %" JSON_INTEGER_FORMAT "\n",
		       json_integer_value(json_object_get(e, "in_use")),
		       json_integer_value(json_object_get(e, "free")),
		       json_integer_value(json_object_get(e, "size")));
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

static const char *core_usage(const char *cmd);

/* `help`: every command of this nfvd with its usage line (the daemon's,
 * for VNF verbs; nfvctl's own for nfvd's core commands) and what it does.
 * A usage line too long for the first column puts its description on
 * the next line. */
#define HELP_COL 32
static void print_help(json_t *res)
{
	const char *u, *h;
	size_t i, w = strlen("COMMAND"), l;
	json_t *e;

	if (!is_object_array(res))
		return print_generic(res, 0);
	json_array_foreach(res, i, e) {
		u = ent_str(e, "usage") ?: core_usage(ent_str(e, "cmd") ?: "");
		l = strlen(u ?: ent_str(e, "cmd") ?: "?");
		if (l <= HELP_COL && l > w)
			w = l;
	}
	printf("%-*s  DESCRIPTION\n", (int)w, "COMMAND");
	json_array_foreach(res, i, e) {
		u = ent_str(e, "usage") ?: core_usage(ent_str(e, "cmd") ?: "");
		u = u ?: ent_str(e, "cmd") ?: "?";
		h = ent_str(e, "help") ?: "";
		if (strlen(u) > w)
			printf("%s\n%-*s  %s\n", u, (int)w, "", h);
		else
			printf("%-*s  %s\n", (int)w, u, h);
	}
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

/*
 * show mirror: two VNF types answer it.  Port mirrors (vnf/mirror/) are
 * flat rows, printed as one table; a router's kernel mirror (its netns,
 * state, counters, nested) is printed as "key: value" lines, one block per
 * router.  Named, the reply is that one object.
 */
static bool is_port_mirror_row(json_t *row)
{
	return json_is_object(row) && json_object_get(row, "direction") != NULL;
}

static void print_mirror(json_t *res)
{
	json_t *rows, *e;
	bool first = true;
	size_t i;

	if (!json_is_array(res)) {
		print_generic(res, 0);
		return;
	}
	rows = json_array();
	if (rows == NULL)
		die("out of memory");
	json_array_foreach(res, i, e)
		if (is_port_mirror_row(e))
			json_array_append(rows, e);
	if (json_array_size(rows) != 0) {
		print_object_table(rows, "");
		first = false;
	}
	json_decref(rows);
	json_array_foreach(res, i, e) {
		if (is_port_mirror_row(e))
			continue;
		if (!first)
			printf("\n");
		print_generic(e, 0);
		first = false;
	}
}

/* ---- the command table -------------------------------------------------- */

/* nfvd's own commands.  The VNFs' come from the daemon (run_verb). */
struct nfvctl_cmd {
	const char *words;	/* what the user types, and the "cmd" sent */
	const char *usage;
	json_t *(*build)(const char *cmd, int argc, char **argv);
	void (*print)(json_t *result);
};

static const struct nfvctl_cmd nfvctl_cmds[] = {
	{"show ports", "show ports", build_plain, print_ports},
	{"show stats", "show stats", build_plain, print_stats},
	{"show vnf", "show vnf NAME", build_show_vnf, print_vnf},
	{"port add", "port add NAME type T [KEY VALUE]... [link VNF.IFACE]",
	 build_port_add, print_any},
	{"port del", "port del NAME", build_port_del, print_any},
	{"reload", "reload [FILE]", build_reload, print_any},
	{"help", "help", build_plain, print_help},
	{"raw", "raw JSON", build_raw, print_any},
};

/* Printers of VNF verbs' results, by command name; any other verb's
 * result is printed as a table (an array of flat objects) or generically. */
static const struct {
	const char *cmd;
	void (*print)(json_t *result);
} nfvctl_printers[] = {
	{"show mac", print_mac},
	{"show mirror", print_mirror},
	{"mac flush", print_flushed},
	{"conn flush", print_flushed},
};

static const struct nfvctl_cmd *
core_cmd(const char *name)
{
	unsigned int i;

	for (i = 0; i < sizeof(nfvctl_cmds) / sizeof(nfvctl_cmds[0]); i++)
		if (strcmp(nfvctl_cmds[i].words, name) == 0)
			return &nfvctl_cmds[i];
	return NULL;
}

static const char *
core_usage(const char *cmd)
{
	const struct nfvctl_cmd *c = core_cmd(cmd);

	return c ? c->usage : NULL;
}

static void (*verb_printer(const char *cmd))(json_t *)
{
	unsigned int i;

	for (i = 0; i < sizeof(nfvctl_printers) / sizeof(nfvctl_printers[0]);
	     i++)
		if (strcmp(nfvctl_printers[i].cmd, cmd) == 0)
			return nfvctl_printers[i].print;
	return print_table_or_generic;
}

/* How many leading argv words match `words` ("show ports" → 2), or 0. */
static int cmd_match(const char *words, int argc, char **argv)
{
	char *buf = strdup(words), *save = NULL, *w;
	int n = 0;

	if (buf == NULL)
		die("out of memory");
	for (w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		if (n >= argc || strcmp(argv[n], w) != 0) {
			n = 0;
			break;
		}
		n++;
	}
	free(buf);
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

/* 0; -errno when the server is gone (EPIPE, ECONNRESET: it may have said
 * why, the caller reads its last line); else -1 and msg says why. */
static int
send_all(int fd, const char *buf, size_t len, char *msg, size_t mlen)
{
	while (len > 0) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EPIPE || errno == ECONNRESET)
				return -errno;
			snprintf(msg, mlen, "cannot send to %s: %s", sock_path,
				 strerror(errno));
			return -1;
		}
		buf += n;
		len -= n;
	}
	return 0;
}

/*
 * Read one reply line (in g_buf until the caller frees it), or NULL and
 * msg says why.  The timeout restarts while data keeps coming, so a large
 * table is not cut off by a slow terminal.  `send_err`: the request did
 * not go out whole (-EPIPE...): without a line from the server (one that
 * refused or closed us says why), that is the error to report.
 */
static char *
recv_line(int fd, size_t *lenp, int send_err, char *msg, size_t mlen)
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
		if (r == 0) {
			snprintf(msg, mlen, "no reply from %s within %d s",
				 sock_path, opt_timeout);
			break;
		}
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
			if (send_err == 0 ||
			    (errno != ECONNRESET && errno != EPIPE)) {
				snprintf(msg, mlen, "cannot read from %s: %s",
					 sock_path, strerror(errno));
				break;
			}
			n = 0;
		}
		if (n == 0 && send_err != 0) {
			snprintf(msg, mlen,
				 "cannot send to %s: %s (nfvd closed the "
				 "connection without a word)",
				 sock_path, strerror(-send_err));
			break;
		}
		if (n == 0) {
			snprintf(msg, mlen,
				 "nfvd closed the connection without a reply");
			break;
		}
		nl = memchr(buf + len, '\n', n);
		len += n;
		if (nl != NULL) {
			*lenp = nl - buf;
			return buf;
		}
	}
	free(buf);
	g_buf = NULL;
	return NULL;
}

/*
 * Send `req` on a new connection and read the reply object: 0 and *replyp
 * (a new reference), or -1 and msg says why (nfvd unreachable, no reply
 * in time, not a JSON object).
 */
static int
ctl_exchange(json_t *req, json_t **replyp, char *msg, size_t mlen)
{
	json_error_t jerr;
	json_t *reply;
	size_t len;
	char *line, *rbuf = NULL;
	int fd, rc;

	line = json_dumps(req, JSON_COMPACT);
	if (line == NULL)
		die("out of memory");
	g_buf = line;
	fd = ctl_connect(sock_path);
	if (fd < 0) {
		snprintf(msg, mlen,
			 "cannot connect to %s: %s (is nfvd running?)",
			 sock_path, strerror(errno));
		rc = -1;
	} else {
		/* A server that refuses us sends one error line and closes:
		 * the send may then fail, but the line is there to read. */
		rc = send_all(fd, line, strlen(line), msg, mlen);
		if (rc == 0)
			rc = send_all(fd, "\n", 1, msg, mlen);
	}
	free(line);
	g_buf = NULL;
	if (rc == 0 || rc == -EPIPE || rc == -ECONNRESET)
		rbuf = recv_line(fd, &len, rc, msg, mlen);
	if (fd >= 0)
		close(fd);
	if (rbuf == NULL)
		return -1;
	reply = json_loadb(rbuf, len, 0, &jerr);
	free(rbuf);
	g_buf = NULL;
	if (!json_is_object(reply)) {
		snprintf(msg, mlen, "bad reply from nfvd: %s",
			 reply ? "not an object" : jerr.text);
		json_decref(reply);
		return -1;
	}
	*replyp = reply;
	return 0;
}

/* Send `req`, return the reply's "result" (new reference) or exit. */
static json_t *
ctl_call(json_t *req)
{
	json_t *result;
	char msg[512];

	if (ctl_exchange(req, &g_reply, msg, sizeof(msg)) < 0)
		die("%s", msg);
	if (!json_is_true(json_object_get(g_reply, "ok"))) {
		const char *err = ent_str(g_reply, "error");

		fprintf(stderr, "%s: %s\n", prog, err ? err : "error (no message)");
		exit(EXIT_ERROR);
	}
	result = json_object_get(g_reply, "result");
	result = json_incref(result ? result : json_null());
	json_decref(g_reply);
	g_reply = NULL;
	return result;
}

/* {"cmd": cmd}'s result, or NULL whatever went wrong (never exits). */
static json_t *
ctl_try(const char *cmd)
{
	json_t *req = json_pack("{s:s}", "cmd", cmd), *reply = NULL,
	       *res = NULL;
	char msg[512];

	if (req == NULL)
		die("out of memory");
	if (ctl_exchange(req, &reply, msg, sizeof(msg)) == 0 &&
	    json_is_true(json_object_get(reply, "ok")))
		res = json_incref(json_object_get(reply, "result"));
	json_decref(reply);
	json_decref(req);
	return res;
}

/* The daemon's command list (its `help`), or exit. */
static json_t *
help_fetch(void)
{
	json_decref(g_help);
	g_help = ctl_call(req_new("help"));
	if (!json_is_array(g_help))
		die("bad reply from nfvd: help is not a list");
	return g_help;
}

/* -h: the VNF verbs too, if an nfvd answers. */
static void
usage_verbs(FILE *f)
{
	json_t *list = ctl_try("help"), *e;
	bool any = false;
	size_t i;

	json_array_foreach(list, i, e) {
		const char *u = ent_str(e, "usage");

		if (u == NULL || !json_is_array(json_object_get(e, "args")))
			continue;
		if (!any)
			fprintf(f, "\ncommands of this nfvd's VNFs (%s):\n",
				sock_path);
		any = true;
		if (strlen(u) > 30)
			fprintf(f, "  %s\n  %30s %s\n", u, "",
				ent_str(e, "help") ?: "");
		else
			fprintf(f, "  %-30s %s\n", u, ent_str(e, "help") ?: "");
	}
	if (!any)
		fprintf(f,
			"\nThe VNFs' own commands come from nfvd: with nfvd "
			"running, `nfvctl help`\nlists them with their usage "
			"(no nfvd answered on %s).\n",
			sock_path);
	json_decref(list);
}

/* Print a result: JSON with -j, else with `print`. */
static void
output(json_t *result, void (*print)(json_t *))
{
	if (opt_json) {
		char *s = json_dumps(result, JSON_INDENT(2) | JSON_ENCODE_ANY);

		if (s == NULL)
			die("out of memory");
		puts(s);
		free(s);
	} else {
		print(result);
	}
}

/*
 * A command that is not nfvd's own: a VNF verb.  One round trip for the
 * daemon's list (nothing is cached: the list is that nfvd's), one for the
 * request.  The longest listed name that starts the words wins.
 */
static void
run_verb(int argc, char **argv)
{
	json_t *list = help_fetch(), *e, *best = NULL, *req, *result;
	int n, n_best = 0;
	size_t i;

	json_array_foreach(list, i, e) {
		const char *c = ent_str(e, "cmd");

		if (c == NULL || core_cmd(c) != NULL)
			continue;
		n = cmd_match(c, argc, argv);
		if (n > n_best) {
			n_best = n;
			best = e;
		}
	}
	if (best == NULL)
		die_usage("unknown command '%s%s%s' (`nfvctl help` lists what "
			  "this nfvd serves)",
			  argv[0], argc > 1 ? " " : "",
			  argc > 1 ? argv[1] : "");
	req = build_verb(best, argc - n_best, argv + n_best);
	result = ctl_call(req);
	output(result, verb_printer(ent_str(best, "cmd")));
	json_decref(result);
}

/* ---- bash completion ---------------------------------------------------- */

/* A word the script may carry as it is: no quotes, no spaces, no globs. */
static bool
shell_word(const char *s)
{
	if (s == NULL || *s == '\0')
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) &&
		    strchr("_.:/@+=,-%", *s) == NULL)
			return false;
	return true;
}

/* A command name: shell words separated by single spaces. */
static bool
shell_cmd(const char *s)
{
	char *d = strdup(s ? s : ""), *save = NULL, *w;
	bool ok = s != NULL && *s != ' ' && strstr(s, "  ") == NULL;

	if (d == NULL)
		die("out of memory");
	for (w = strtok_r(d, " ", &save); ok && w;
	     w = strtok_r(NULL, " ", &save))
		ok = shell_word(w);
	free(d);
	return ok;
}

/* Append the safe words of a choices array to f. */
static void
put_choices(FILE *f, json_t *choices)
{
	json_t *c;
	size_t i;

	json_array_foreach(choices, i, c)
		if (shell_word(json_string_value(c)))
			fprintf(f, " %s", json_string_value(c));
}

/* The names of the instances (show stats) whose type serves `types`
 * (NULL: every instance), space-separated, into f. */
static void
put_names(FILE *f, json_t *vnfs, json_t *types)
{
	json_t *v, *t;
	size_t i, j;

	json_array_foreach(vnfs, i, v) {
		const char *name = ent_str(v, "name"),
			   *type = ent_str(v, "type");
		bool ok = types == NULL;

		json_array_foreach(types, j, t)
			ok |= type && json_is_string(t) &&
			      strcmp(json_string_value(t), type) == 0;
		if (ok && shell_word(name))
			fprintf(f, " %s", name);
	}
}

/* The generic part: what the typed words are, then the candidates. */
/* clang-format off */
static const char completion_fn[] =
"_nfvctl() {\n"
"	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}\n"
"	local i=1 c cmd= typed w vals=\n"
"	local -a cw\n"
"	local -A seen=()\n"
"	COMPREPLY=()\n"
"	case $prev in\n"
"	-s | --socket) COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n"
"	-t | --timeout) return ;;\n"
"	esac\n"
"	while ((i < COMP_CWORD)); do\n"
"		case ${COMP_WORDS[i]} in\n"
"		-s | --socket | -t | --timeout) ((i += 2)) ;;\n"
"		-*) ((i++)) ;;\n"
"		*) break ;;\n"
"		esac\n"
"	done\n"
"	if [[ $cur == -* ]] && ((i == COMP_CWORD)); then\n"
"		COMPREPLY=($(compgen -W '-s --socket -j --json -t --timeout -h --help' -- \"$cur\"))\n"
"		return\n"
"	fi\n"
"	typed=\"${COMP_WORDS[*]:i:COMP_CWORD-i}\"\n"
"	for c in \"${_nfvctl_cmds[@]}\"; do\n"
"		if [[ \"$typed \" == \"$c \"* ]] && ((${#c} > ${#cmd})); then\n"
"			cmd=$c\n"
"		fi\n"
"	done\n"
"	if [[ -z $cmd ]]; then\n"
"		for c in \"${_nfvctl_cmds[@]}\"; do\n"
"			if [[ -n $typed ]]; then\n"
"				[[ $c == \"$typed \"* ]] || continue\n"
"				c=${c#\"$typed \"}\n"
"			fi\n"
"			seen[${c%% *}]=1\n"
"		done\n"
"		COMPREPLY=($(compgen -W \"${!seen[*]}\" -- \"$cur\"))\n"
"		return\n"
"	fi\n"
"	cw=($cmd)\n"
"	if ((COMP_CWORD - i > ${#cw[@]})) && [[ ${_nfvctl_val[$cmd|$prev]+x} ]]; then\n"
"		vals=${_nfvctl_val[$cmd|$prev]}\n"
"	else\n"
"		for w in ${_nfvctl_bare[$cmd]} ${_nfvctl_kw[$cmd]}; do\n"
"			[[ \" $typed \" == *\" $w \"* ]] || vals+=\" $w\"\n"
"		done\n"
"	fi\n"
"	if [[ \" $vals \" == *\" @file \"* ]]; then\n"
"		COMPREPLY=($(compgen -f -- \"$cur\"))\n"
"	else\n"
"		COMPREPLY=($(compgen -W \"$vals\" -- \"$cur\"))\n"
"	fi\n"
"}\n"
"complete -F _nfvctl nfvctl\n";
/* clang-format on */

/*
 * `completion bash`: a script with this nfvd's commands as data and one
 * generic function.  Per command: _nfvctl_kw its keywords (offered once
 * each), _nfvctl_bare the words that may stand alone (choices, instance
 * names, @file), _nfvctl_val["CMD|KEYWORD"] what may follow a keyword.
 * Instance names come from `show stats` (one more round trip; without an
 * answer there are none).
 */
static int
run_completion(int argc, char **argv)
{
	json_t *list, *stats, *vnfs, *e, *a;
	size_t i, k;

	if (argc != 2 || strcmp(argv[1], "bash") != 0)
		die_usage("usage: completion bash");
	list = help_fetch();
	stats = ctl_try("show stats");
	vnfs = json_object_get(stats, "vnfs");

	printf("# bash completion for nfvctl, made by `nfvctl completion bash` "
	       "from the\n# commands of the nfvd at %s and the names of "
	       "its VNFs.\n# Use: source <(nfvctl completion bash)\n",
	       shell_word(sock_path) ? sock_path : "(its socket)");
	printf("_nfvctl_cmds=('lab up' 'lab down' 'lab status' 'lab console' "
	       "'lab exec' 'lab graph' 'lab restart-nfvd' 'lab check' "
	       "'lab probe' 'completion bash' 'raw'");
	json_array_foreach(list, i, e)
		if (shell_cmd(ent_str(e, "cmd")))
			printf(" '%s'", ent_str(e, "cmd"));
	printf(")\ndeclare -gA _nfvctl_kw=() _nfvctl_bare=() _nfvctl_val=()\n");
	printf("_nfvctl_bare['lab up']='@file'\n_nfvctl_bare['lab "
	       "down']='@file'\n");
	printf("_nfvctl_bare['lab status']='@file'\n_nfvctl_bare['lab "
	       "graph']='@file'\n_nfvctl_bare['lab check']='@file'\n"
	       "_nfvctl_bare['lab restart-nfvd']='@file'\n");
	printf("_nfvctl_bare['show vnf']='");
	put_names(stdout, vnfs, NULL);
	printf("'\n");
	json_array_foreach(list, i, e) {
		const char *cmd = ent_str(e, "cmd");
		json_t *args = json_object_get(e, "args"), *types;
		bool bare = false;

		if (!shell_cmd(cmd) || !json_is_array(args))
			continue;
		types = json_object_get(e, "types");
		printf("_nfvctl_kw['%s']='", cmd);
		json_array_foreach(args, k, a)
			if (shell_word(ent_str(a, "word")))
				printf(" %s", ent_str(a, "word"));
		printf("'\n_nfvctl_bare['%s']='", cmd);
		json_array_foreach(args, k, a) {
			bare |= ent_bool(a, "bare");
			if (ent_str(a, "word") == NULL)
				put_choices(stdout,
					    json_object_get(a, "choices"));
		}
		if (bare)
			put_names(stdout, vnfs,
				  json_is_array(types) ? types : NULL);
		printf("'\n");
		json_array_foreach(args, k, a) {
			const char *words[2] = {ent_str(a, "word"),
						ent_str(a, "alias")};
			unsigned int w;

			if (words[0] == NULL || ent_bool(a, "flag"))
				continue;
			for (w = 0; w < 2; w++) {
				if (!shell_word(words[w]))
					continue;
				printf("_nfvctl_val['%s|%s']='", cmd, words[w]);
				if (strcmp(ent_str(a, "key") ?: "", "vnf") == 0)
					put_names(stdout, vnfs,
						  json_is_array(types) ? types
								       : NULL);
				else
					put_choices(
						stdout,
						json_object_get(a, "choices"));
				printf("'\n");
			}
		}
	}
	fputs(completion_fn, stdout);
	json_decref(stats);
	if (fflush(stdout) != 0 || ferror(stdout))
		die("cannot write output: %s", strerror(errno));
	return 0;
}

static int run_lab(int argc, char **argv)
{
	if (argc < 2 || (strcmp(argv[1], "up") == 0 && argc != 3) ||
	    (strcmp(argv[1], "down") == 0 && argc > 3))
		die_usage("usage: lab up FILE | lab down [FILE] | lab "
			  "status|console|exec|graph|restart-nfvd|check|probe "
			  "...");
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
	bool want_help = false;
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
			want_help = true;
			break;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (want_help) {
		/* After the loop, so that -s counts wherever it is. */
		usage(stdout);
		usage_verbs(stdout);
		return 0;
	}
	argc -= optind;
	argv += optind;
	if (argc == 0)
		die_usage("no command given");
	if (strcmp(argv[0], "lab") == 0)
		return run_lab(argc, argv);
	if (strcmp(argv[0], "completion") == 0)
		return run_completion(argc, argv);

	for (i = 0; i < sizeof(nfvctl_cmds) / sizeof(nfvctl_cmds[0]); i++) {
		n = cmd_match(nfvctl_cmds[i].words, argc, argv);
		if (n > 0) {
			cmd = &nfvctl_cmds[i];
			break;
		}
	}
	if (cmd == NULL) {
		run_verb(argc, argv);
	} else {
		req = cmd->build(cmd->words, argc - n, argv + n);
		result = ctl_call(req);
		output(result, cmd->print);
		json_decref(result); /* req is g_req: cleanup() frees it */
	}
	if (fflush(stdout) != 0 || ferror(stdout))
		die("cannot write output: %s", strerror(errno));
	return 0;
}
