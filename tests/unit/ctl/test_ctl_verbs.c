/* SPDX-License-Identifier: BSD-3-Clause
 *
 * test_ctl_verbs.c - VNF verbs end to end, with a VNF type that exists only
 * here ("widget"): nfvd's registration (dataplane/ctl_cmds.c) serves its
 * verbs and describes them in `help` (vnf/verb.c), the generic dispatch
 * picks instances ("vnf", SHOW, EACH, exactly one), and the real nfvctl
 * binary, talking to the real control server, builds the widget's
 * requests, usage errors, help and bash completion from that description:
 * a new verb needs no change outside its VNF.  Also the usage lines of
 * the real VNFs' tables.  No EAL: instances are made by hand.
 *
 * Usage: test_ctl_verbs PATH-TO-NFVCTL   (meson passes it)
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "control/ctl_server.h"
#include "dataplane/dataplane.h"
#include "vnf/vnf.h"

/* nfvd's main.c defines these; ctl_cmds.c pulls in code that logs. */
RTE_LOG_REGISTER(nfv_logtype_main, nfv.main, INFO);
RTE_LOG_REGISTER(nfv_logtype_port, nfv.port, INFO);

/* ---- the widget: a VNF type of this test only ---- */

static json_t *last_poke; /* the args "widget poke" got; under the lock */

static int
widget_show(struct vnf_instance *vi, json_t *args, json_t **reply)
{
	(void)args;
	*reply = json_pack("[{s:s, s:i}]", "vnf", vi->name, "size",
			   (int)(uintptr_t)vi->priv);
	return 0;
}

static int
widget_poke(struct vnf_instance *vi, json_t *args, json_t **reply)
{
	json_decref(last_poke);
	last_poke = json_deep_copy(args);
	*reply = json_pack("{s:s}", "poked", vi->name);
	return 0;
}

static int
widget_reset(struct vnf_instance *vi, json_t *args, json_t **reply)
{
	(void)args;
	*reply = json_pack("{s:I, s:s}", "reset",
			   (json_int_t)(uintptr_t)vi->priv, "first", vi->name);
	return 0;
}

static int
widget_fail(struct vnf_instance *vi, json_t *args, json_t **reply)
{
	(void)args;
	if (strcmp(vi->name, "w2") == 0) {
		*reply = json_string("w2 is broken");
		return -EIO;
	}
	*reply = json_array();
	return 0;
}

static json_t *
widget_details(struct vnf_instance *vi)
{
	return json_pack("{s:s}", "colour", vi->name);
}

/* clang-format off */
static const struct vnf_verb widget_verbs[] = {
	{
		.name = "show widgets",
		.help = "widgets and their sizes",
		.flags = VNF_VERB_SHOW,
		.handler = widget_show,
	},
	{
		.name = "widget poke",
		.help = "poke one widget",
		.args = {
			{.key = "count", .meta = "N",
			 .flags = VNF_ARG_REQUIRED | VNF_ARG_INT, .max = 10},
			{.key = "colour", .word = "colour",
			 .choices = "red|green"},
			{.key = "loud", .word = "loud", .flags = VNF_ARG_FLAG},
			{.key = "span", .word = "span", .meta = "LO-HI",
			 .alias = "range", .flags = VNF_ARG_RANGE, .max = 99},
		},
		.handler = widget_poke,
	},
	{
		.name = "widget reset",
		.help = "reset every widget",
		.flags = VNF_VERB_EACH,
		.handler = widget_reset,
	},
	{
		.name = "widget fail",
		.help = "fails on w2",
		.flags = VNF_VERB_SHOW,
		.handler = widget_fail,
	},
};
/* clang-format on */

static const struct vnf_ops widget_ops = {
	.type = "widget",
	.verbs = widget_verbs,
	.n_verbs = RTE_DIM(widget_verbs),
	.details = widget_details,
};

VNF_REGISTER(widget_ops);

/* A type without verbs. */
static const struct vnf_ops gadget_ops = {
	.type = "gadget",
};

VNF_REGISTER(gadget_ops);

static struct vnf_instance w1 = {
	.name = "w1", .ops = &widget_ops, .priv = (void *)3};
static struct vnf_instance w2 = {
	.name = "w2", .ops = &widget_ops, .priv = (void *)4};
static struct vnf_instance g1 = {.name = "g1", .ops = &gadget_ops};

static void
instances(struct vnf_instance *a, struct vnf_instance *b,
	  struct vnf_instance *c)
{
	struct vnf_instance *v[] = {a, b, c};
	unsigned int i;

	nfv_dp.n_vnfs = 0;
	for (i = 0; i < 3; i++)
		if (v[i] != NULL)
			nfv_dp.vnfs[nfv_dp.n_vnfs++] = v[i];
}

/* ---- dispatch ---- */

static json_t *
call(const char *text)
{
	json_t *req = json_loads(text, 0, NULL), *reply;

	assert_non_null(req);
	ctl_server_lock();
	reply = ctl_server_dispatch(req);
	ctl_server_unlock();
	json_decref(req);
	assert_non_null(reply);
	return reply;
}

static void
assert_ok(json_t *reply, const char *want)
{
	json_t *w = json_loads(want, JSON_DECODE_ANY, NULL);
	json_t *got = json_object_get(reply, "result");

	assert_non_null(w);
	if (!json_is_true(json_object_get(reply, "ok")) ||
	    !json_equal(got, w)) {
		char *g = json_dumps(reply, JSON_COMPACT);

		fail_msg("reply %s, want result %s", g, want);
	}
	json_decref(w);
	json_decref(reply);
}

static void
assert_err(json_t *reply, const char *want)
{
	const char *e = json_string_value(json_object_get(reply, "error"));

	assert_true(json_is_false(json_object_get(reply, "ok")));
	if (e == NULL || strcmp(e, want) != 0)
		fail_msg("error '%s', want '%s'", e ? e : "(none)", want);
	json_decref(reply);
}

static void
test_dispatch_named(void **state)
{
	(void)state;
	instances(&w1, &w2, &g1);
	assert_ok(call("{\"cmd\":\"widget poke\",\"vnf\":\"w2\",\"count\":1}"),
		  "{\"poked\":\"w2\"}");
	assert_ok(call("{\"cmd\":\"show widgets\",\"vnf\":\"w1\"}"),
		  "[{\"vnf\":\"w1\",\"size\":3}]");
	assert_err(call("{\"cmd\":\"widget poke\",\"vnf\":\"nope\"}"),
		   "no vnf named nope");
	assert_err(call("{\"cmd\":\"widget poke\",\"vnf\":5}"),
		   "vnf: expected a string (got an integer)");
	assert_err(call("{\"cmd\":\"widget poke\",\"vnf\":\"g1\"}"),
		   "vnf g1 (gadget) has no \"widget poke\"");
	/* A verb of a type nobody runs, on an instance of another. */
	assert_err(call("{\"cmd\":\"show mac\",\"vnf\":\"w1\"}"),
		   "vnf w1 (widget) has no \"show mac\"");
}

static void
test_dispatch_exactly_one(void **state)
{
	(void)state;
	instances(&w1, &w2, &g1);
	assert_err(
		call("{\"cmd\":\"widget poke\",\"count\":1}"),
		"several vnfs support \"widget poke\": name one with \"vnf\"");
	instances(&g1, &w2, NULL);
	assert_ok(call("{\"cmd\":\"widget poke\",\"count\":1}"),
		  "{\"poked\":\"w2\"}");
	instances(&g1, NULL, NULL);
	assert_err(call("{\"cmd\":\"widget poke\",\"count\":1}"),
		   "no vnf supports \"widget poke\"");
	/* The real types' verbs are served too, with nobody to run them. */
	assert_err(call("{\"cmd\":\"route add\",\"prefix\":\"10.0.0.0/8\"}"),
		   "no vnf supports \"route add\"");
}

static void
test_dispatch_show_and_each(void **state)
{
	(void)state;
	instances(&w1, &g1, &w2);
	assert_ok(call("{\"cmd\":\"show widgets\"}"),
		  "[{\"vnf\":\"w1\",\"size\":3},{\"vnf\":\"w2\",\"size\":4}]");
	/* Integers summed, other members from the first reply. */
	assert_ok(call("{\"cmd\":\"widget reset\"}"),
		  "{\"reset\":7,\"first\":\"w1\"}");
	assert_err(call("{\"cmd\":\"widget fail\"}"), "w2 is broken");
	/* SHOW without an instance: an empty list; EACH: an error. */
	assert_ok(call("{\"cmd\":\"show mac\"}"), "[]");
	assert_err(call("{\"cmd\":\"mac flush\"}"),
		   "no vnf supports \"mac flush\"");
	instances(&g1, NULL, NULL);
	assert_ok(call("{\"cmd\":\"show widgets\"}"), "[]");
	assert_err(call("{\"cmd\":\"widget reset\"}"),
		   "no vnf supports \"widget reset\"");
}

static void
test_verb_call(void **state)
{
	json_t *r = NULL;

	(void)state;
	assert_int_equal(vnf_verb_call(&g1, "show widgets", NULL, &r),
			 -ENOTSUP);
	assert_null(r);
	/* NULL args: the handler gets an empty object. */
	assert_int_equal(vnf_verb_call(&w1, "widget poke", NULL, &r), 0);
	json_decref(r);
	ctl_server_lock();
	assert_true(json_is_object(last_poke));
	assert_int_equal(json_object_size(last_poke), 0);
	ctl_server_unlock();
	assert_ptr_equal(vnf_verb_first("widget poke"), &widget_verbs[1]);
	assert_null(vnf_verb_first("no such verb"));
}

/* ---- help ---- */

static json_t *
help_entry(json_t *list, const char *cmd)
{
	json_t *e;
	size_t i;

	json_array_foreach(list, i, e)
		if (strcmp(json_string_value(json_object_get(e, "cmd")), cmd) ==
		    0)
			return e;
	fail_msg("no %s in help", cmd);
	return NULL;
}

static const char *
usage_of(json_t *list, const char *cmd)
{
	return json_string_value(
		json_object_get(help_entry(list, cmd), "usage"));
}

static void
test_help_describes_verbs(void **state)
{
	json_t *reply = call("{\"cmd\":\"help\"}"), *list, *e, *want;

	(void)state;
	list = json_object_get(reply, "result");
	assert_true(json_is_array(list));

	e = help_entry(list, "widget poke");
	assert_string_equal(json_string_value(json_object_get(e, "help")),
			    "poke one widget");
	want = json_loads(
		"{\"cmd\":\"widget poke\",\"help\":\"poke one widget\","
		"\"usage\":\"widget poke N [colour red|green] [loud] [span "
		"LO-HI] [vnf NAME]\","
		"\"show\":false,\"each\":false,\"types\":[\"widget\"],\"args\":"
		"["
		"{\"key\":\"count\",\"word\":null,\"meta\":\"N\",\"choices\":"
		"null,"
		"\"alias\":null,\"required\":true,\"int\":true,\"range\":false,"
		"\"flag\":false,\"bare\":false,\"max\":10},"
		"{\"key\":\"colour\",\"word\":\"colour\",\"meta\":null,"
		"\"choices\":[\"red\",\"green\"],\"alias\":null,\"required\":"
		"false,"
		"\"int\":false,\"range\":false,\"flag\":false,\"bare\":false,"
		"\"max\":null},"
		"{\"key\":\"loud\",\"word\":\"loud\",\"meta\":null,\"choices\":"
		"null,"
		"\"alias\":null,\"required\":false,\"int\":false,\"range\":"
		"false,"
		"\"flag\":true,\"bare\":false,\"max\":null},"
		"{\"key\":\"span\",\"word\":\"span\",\"meta\":\"LO-HI\","
		"\"choices\":null,"
		"\"alias\":\"range\",\"required\":false,\"int\":false,"
		"\"range\":true,"
		"\"flag\":false,\"bare\":false,\"max\":99},"
		"{\"key\":\"vnf\",\"word\":\"vnf\",\"meta\":\"NAME\","
		"\"choices\":null,"
		"\"alias\":null,\"required\":false,\"int\":false,\"range\":"
		"false,"
		"\"flag\":false,\"bare\":false,\"max\":null}]}",
		0, NULL);
	assert_non_null(want);
	if (!json_equal(e, want))
		fail_msg("widget poke: %s", json_dumps(e, JSON_COMPACT));
	json_decref(want);

	/* SHOW/EACH verbs without positional arguments: a bare VNF. */
	e = help_entry(list, "show widgets");
	assert_string_equal(usage_of(list, "show widgets"),
			    "show widgets [VNF]");
	assert_true(json_is_true(json_object_get(e, "show")));
	assert_true(json_is_true(json_object_get(
		json_array_get(json_object_get(e, "args"), 0), "bare")));
	assert_true(json_is_true(
		json_object_get(help_entry(list, "widget reset"), "each")));

	/* The real VNFs' tables. */
	assert_string_equal(usage_of(list, "show mac"), "show mac [VNF]");
	assert_string_equal(usage_of(list, "mac flush"), "mac flush [VNF]");
	assert_string_equal(usage_of(list, "show routes"),
			    "show routes [VNF] [limit N]");
	assert_string_equal(usage_of(list, "route add"),
			    "route add PREFIX [via ADDR] [dev IFACE] "
			    "[blackhole|unreachable] [replace] [vnf NAME]");
	assert_string_equal(usage_of(list, "route del"),
			    "route del PREFIX [vnf NAME]");
	assert_string_equal(usage_of(list, "rule add"),
			    "rule add [index N] action A [proto P] [src PFX] "
			    "[dst PFX] [sport N[-M]] [dport N[-M]] [iface I] "
			    "[bpf FILE[:S]] [vnf NAME]");
	assert_string_equal(usage_of(list, "rule del"),
			    "rule del INDEX [count N] [vnf NAME]");
	assert_string_equal(usage_of(list, "show conn"),
			    "show conn [VNF] [limit N]");
	assert_string_equal(usage_of(list, "conn flush"), "conn flush [VNF]");
	assert_string_equal(
		json_string_value(json_array_get(
			json_object_get(help_entry(list, "route add"), "types"),
			0)),
		"router");

	/* nfvd's own commands: help text only. */
	e = help_entry(list, "show ports");
	assert_null(json_object_get(e, "usage"));
	assert_null(json_object_get(e, "args"));
	json_decref(reply);
}

/* ---- nfvctl against the real server ---- */

static const char *nfvctl;
static char tmpdir[64], sock[128];
static atomic_bool serving;
static pthread_t server;

static void *
serve(void *arg)
{
	(void)arg;
	while (atomic_load(&serving))
		ctl_server_poll(20);
	return NULL;
}

struct run {
	int status;
	char out[65536];
	char err[8192];
};

static void
slurp(int fd, char *buf, size_t cap)
{
	size_t len = 0;
	ssize_t n;

	while (len + 1 < cap && (n = read(fd, buf + len, cap - 1 - len)) > 0)
		len += (size_t)n;
	buf[len] = '\0';
}

static void
run_nfvctl(struct run *r, const char *const *args)
{
	const char *argv[32];
	int out[2], err[2], n = 0, status;
	pid_t pid;

	argv[n++] = nfvctl;
	argv[n++] = "-s";
	argv[n++] = sock;
	while (*args != NULL)
		argv[n++] = *args++;
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
		execv(nfvctl, (char *const *)argv);
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	/* stderr is short: it fits the pipe while stdout is read. */
	slurp(out[0], r->out, sizeof(r->out));
	slurp(err[0], r->err, sizeof(r->err));
	assert_int_equal(waitpid(pid, &status, 0), pid);
	close(out[0]);
	close(err[0]);
	assert_true(WIFEXITED(status));
	r->status = WEXITSTATUS(status);
}

#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})

static void
assert_contains(const char *hay, const char *needle)
{
	if (strstr(hay, needle) == NULL)
		fail_msg("'%s' not in:\n%s", needle, hay);
}

static void
test_nfvctl_builds_widget_requests(void **state)
{
	struct run r;
	json_t *want;

	(void)state;
	instances(&w1, &w2, &g1);
	run_nfvctl(&r, ARGS("widget", "poke", "vnf", "w1", "7", "loud",
			    "colour", "red", "range", "3-9"));
	if (r.status != 0)
		fail_msg("exit %d: %s", r.status, r.err);
	assert_string_equal(r.out, "poked: w1\n");
	want = json_loads("{\"cmd\":\"widget poke\",\"vnf\":\"w1\",\"count\":7,"
			  "\"loud\":true,\"colour\":\"red\",\"span\":\"3-9\"}",
			  0, NULL);
	ctl_server_lock();
	if (!json_equal(last_poke, want))
		fail_msg("handler got %s", json_dumps(last_poke, JSON_COMPACT));
	ctl_server_unlock();
	json_decref(want);

	/* A SHOW verb: a table, the instance as a bare word. */
	run_nfvctl(&r, ARGS("show", "widgets"));
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "VNF  SIZE\n"
				   "w1      3\n"
				   "w2      4\n");
	run_nfvctl(&r, ARGS("-j", "show", "widgets", "w2"));
	assert_int_equal(r.status, 0);
	assert_contains(r.out, "\"vnf\": \"w2\"");
	run_nfvctl(&r, ARGS("widget", "reset"));
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "reset: 7\nfirst: w1\n");
	/* The daemon's refusal: exit 1 with its message. */
	run_nfvctl(&r, ARGS("widget", "poke", "2"));
	assert_int_equal(r.status, 1);
	assert_string_equal(r.err, "nfvctl: several vnfs support \"widget "
				   "poke\": name one with \"vnf\"\n");
}

static void
test_nfvctl_widget_usage_errors(void **state)
{
	static const char usage[] =
		"usage: nfvctl [-s SOCK] [-j] [-t SECONDS] widget poke N "
		"[colour red|green] [loud] [span LO-HI] [vnf NAME]\n";
	const struct {
		const char *const *args;
		const char *msg;
	} bad[] = {
		{ARGS("widget", "poke"), "widget poke: missing N"},
		{ARGS("widget", "poke", "x"),
		 "widget poke: N: 'x' is not a number from 0 to 10"},
		{ARGS("widget", "poke", "11"), "not a number from 0 to 10"},
		{ARGS("widget", "poke", "1", "2"), "unknown keyword '2'"},
		{ARGS("widget", "poke", "1", "colour", "blue"),
		 "colour: 'blue' is not one of red|green"},
		{ARGS("widget", "poke", "1", "colour"),
		 "'colour' needs a value"},
		{ARGS("widget", "poke", "1", "loud", "loud"),
		 "'loud' given twice"},
		{ARGS("widget", "poke", "1", "span", "9-3"),
		 "span: '9-3' is not a range LO-HI (LO <= HI <= 99)"},
		{ARGS("widget", "poke", "1", "span", "100"),
		 "span: '100' is not a number from 0 to 99"},
		{ARGS("show", "widgets", "w1", "w2"), "too many arguments"},
	};
	struct run r;
	unsigned int i;

	(void)state;
	instances(&w1, &w2, &g1);
	ctl_server_lock();
	json_decref(last_poke);
	last_poke = NULL;
	ctl_server_unlock();
	for (i = 0; i < RTE_DIM(bad); i++) {
		run_nfvctl(&r, bad[i].args);
		if (r.status != 2)
			fail_msg("case %u: exit %d, want 2: %s", i, r.status,
				 r.err);
		assert_string_equal(r.out, "");
		assert_contains(r.err, bad[i].msg);
		if (strncmp(bad[i].args[0], "widget", 6) == 0)
			assert_contains(r.err, usage);
	}
	/* Nothing reached the handler. */
	ctl_server_lock();
	assert_null(last_poke);
	ctl_server_unlock();
	run_nfvctl(&r, ARGS("widget", "frob"));
	assert_int_equal(r.status, 2);
	assert_contains(r.err, "unknown command 'widget frob'");
}

static void
test_nfvctl_help_and_completion(void **state)
{
	struct run r;
	char want[256];
	size_t col;

	(void)state;
	instances(&w1, &w2, &g1);
	run_nfvctl(&r, ARGS("help"));
	assert_int_equal(r.status, 0);
	/* The first column is as wide as the longest usage line that fits
	 * (every linked VNF type's verbs count): read it from the header. */
	col = strspn(r.out + strlen("COMMAND"), " ") + strlen("COMMAND");
	assert_true(col >= strlen("show widgets [VNF]") + 2);
	/* Too long for the first column: the description below it. */
	snprintf(want, sizeof(want),
		 "\nwidget poke N [colour red|green] [loud] "
		 "[span LO-HI] [vnf NAME]\n%*s poke one widget\n",
		 (int)col - 1, "");
	assert_contains(r.out, want);
	snprintf(want, sizeof(want), "\n%-*swidgets and their sizes\n",
		 (int)col, "show widgets [VNF]");
	assert_contains(r.out, want);
	assert_contains(r.out, "show vnf NAME");
	run_nfvctl(&r, ARGS("-h"));
	assert_int_equal(r.status, 0);
	assert_contains(r.out, "commands of this nfvd's VNFs");
	assert_contains(r.out, "show widgets [VNF]");
	run_nfvctl(&r, ARGS("completion", "bash"));
	assert_int_equal(r.status, 0);
	assert_contains(r.out, "'widget poke'");
	assert_contains(r.out,
			"_nfvctl_val['widget poke|colour']=' red green'");
	assert_contains(r.out, "_nfvctl_val['widget poke|vnf']=' w1 w2'");
	assert_contains(r.out, "_nfvctl_bare['show widgets']=' w1 w2'");
	assert_contains(r.out, "_nfvctl_bare['show vnf']=' w1 w2 g1'");
	assert_contains(r.out, "complete -F _nfvctl nfvctl");
}

static int
group_setup(void **state)
{
	(void)state;
	signal(SIGPIPE, SIG_IGN);
	if (nfv_ctl_cmds_register() < 0)
		return -1;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/nfv-ctl-verbs-XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	snprintf(sock, sizeof(sock), "%s/nfvd.sock", tmpdir);
	if (ctl_server_open(sock) < 0)
		return -1;
	atomic_store(&serving, true);
	return pthread_create(&server, NULL, serve, NULL) == 0 ? 0 : -1;
}

static int
group_teardown(void **state)
{
	(void)state;
	atomic_store(&serving, false);
	pthread_join(server, NULL);
	ctl_server_close();
	rmdir(tmpdir);
	json_decref(last_poke);
	return 0;
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dispatch_named),
		cmocka_unit_test(test_dispatch_exactly_one),
		cmocka_unit_test(test_dispatch_show_and_each),
		cmocka_unit_test(test_verb_call),
		cmocka_unit_test(test_help_describes_verbs),
		cmocka_unit_test(test_nfvctl_builds_widget_requests),
		cmocka_unit_test(test_nfvctl_widget_usage_errors),
		cmocka_unit_test(test_nfvctl_help_and_completion),
	};

	if (argc != 2) {
		fprintf(stderr, "usage: %s PATH-TO-NFVCTL\n", argv[0]);
		return 1;
	}
	nfvctl = argv[1];
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
