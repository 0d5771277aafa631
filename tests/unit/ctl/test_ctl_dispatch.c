/* SPDX-License-Identifier: BSD-3-Clause
 *
 * test_ctl_dispatch.c - the command registry and ctl_server_dispatch():
 * ok replies, the built-in help (and what ctl_server_describe() adds to
 * it), unknown commands, malformed requests and handler errors.  No
 * socket, no EAL.  The VNF verbs on top: test_ctl_verbs.c.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "control/ctl_server.h"

static int n_echo_calls;

/* Returns {"echo": req, "arg": arg} so tests see what the handler got. */
static int cmd_echo(json_t *req, json_t **result, void *arg)
{
	n_echo_calls++;
	*result = json_pack("{s:O,s:s}", "echo", req, "arg", (const char *)arg);
	return 0;
}

static int cmd_noresult(json_t *req, json_t **result, void *arg)
{
	(void)req;
	(void)arg;
	(void)result;
	return 0;
}

static int cmd_fail(json_t *req, json_t **result, void *arg)
{
	json_t *name = json_object_get(req, "name");

	(void)arg;
	if (!json_is_string(name))
		return ctl_error(result, EINVAL, "missing \"name\"");
	return ctl_error(result, -ENOENT, "no VNF '%s'", json_string_value(name));
}

/* Fails with an errno only: the reply carries strerror(). */
static int cmd_fail_bare(json_t *req, json_t **result, void *arg)
{
	(void)req;
	(void)arg;
	(void)result;
	return -EBUSY;
}

/* Sets a result, then fails: the result must not leak into the reply. */
static int cmd_fail_after_result(json_t *req, json_t **result, void *arg)
{
	(void)req;
	(void)arg;
	*result = json_pack("{s:i}", "partial", 1);
	return -EIO;
}

static int setup(void **state)
{
	static bool done;

	(void)state;
	if (done)
		return 0;
	done = true;
	if (ctl_server_register("echo", cmd_echo, "the-arg", "echo the request") ||
	    ctl_server_register("noresult", cmd_noresult, NULL, NULL) ||
	    ctl_server_register("show vnf", cmd_fail, NULL, "one VNF") ||
	    ctl_server_register("bare", cmd_fail_bare, NULL, "fails") ||
	    ctl_server_register("partial", cmd_fail_after_result, NULL, "fails"))
		return -1;
	return 0;
}

/* Dispatch a request given as JSON text, under the lock as callers do. */
static json_t *call(const char *text)
{
	json_error_t jerr;
	json_t *req = json_loads(text, JSON_DECODE_ANY, &jerr), *reply;

	assert_non_null(req);
	ctl_server_lock();
	reply = ctl_server_dispatch(req);
	ctl_server_unlock();
	json_decref(req);
	assert_non_null(reply);
	return reply;
}

static void assert_error(json_t *reply, const char *want)
{
	assert_true(json_is_false(json_object_get(reply, "ok")));
	assert_null(json_object_get(reply, "result"));
	assert_string_equal(json_string_value(json_object_get(reply, "error")),
			    want);
	json_decref(reply);
}

static void test_ok(void **state)
{
	json_t *reply, *res;

	(void)state;
	n_echo_calls = 0;
	reply = call("{\"cmd\": \"echo\", \"x\": [1, 2]}");
	assert_true(json_is_true(json_object_get(reply, "ok")));
	assert_null(json_object_get(reply, "error"));
	res = json_object_get(reply, "result");
	assert_string_equal(json_string_value(json_object_get(res, "arg")),
			    "the-arg");
	assert_int_equal(json_integer_value(json_array_get(
		json_object_get(json_object_get(res, "echo"), "x"), 1)), 2);
	assert_int_equal(n_echo_calls, 1);
	json_decref(reply);
}

static void test_no_result_is_null(void **state)
{
	json_t *reply;

	(void)state;
	reply = call("{\"cmd\": \"noresult\"}");
	assert_true(json_is_true(json_object_get(reply, "ok")));
	assert_true(json_is_null(json_object_get(reply, "result")));
	json_decref(reply);
}

static void test_help_lists_commands(void **state)
{
	json_t *reply, *res, *e;
	bool seen_help = false, seen_vnf = false;
	size_t i;

	(void)state;
	reply = call("{\"cmd\": \"help\"}");
	assert_true(json_is_true(json_object_get(reply, "ok")));
	res = json_object_get(reply, "result");
	assert_true(json_is_array(res));
	assert_int_equal(json_array_size(res), 6); /* help + 5 registered */
	json_array_foreach(res, i, e) {
		const char *c = json_string_value(json_object_get(e, "cmd"));

		assert_non_null(c);
		assert_non_null(json_string_value(json_object_get(e, "help")));
		if (strcmp(c, "help") == 0)
			seen_help = true;
		if (strcmp(c, "show vnf") == 0) {
			seen_vnf = true;
			assert_string_equal(json_string_value(
				json_object_get(e, "help")), "one VNF");
		}
	}
	assert_true(seen_help && seen_vnf);
	json_decref(reply);
}

/* ctl_server_describe(): more members in a command's help entry; "cmd"
 * and "help" stay the registered ones. */
static void
test_describe(void **state)
{
	json_t *reply, *e;
	size_t i;
	bool seen = false;

	(void)state;
	assert_int_equal(
		ctl_server_describe("noresult",
				    json_pack("{s:s, s:s, s:[s]}", "usage",
					      "noresult [X]", "cmd", "evil",
					      "types", "t")),
		0);
	assert_int_equal(ctl_server_describe("nosuch", json_object()), -ENOENT);
	assert_int_equal(ctl_server_describe("noresult", json_integer(1)),
			 -EINVAL);
	assert_int_equal(ctl_server_describe(NULL, NULL), -EINVAL);
	reply = call("{\"cmd\": \"help\"}");
	json_array_foreach(json_object_get(reply, "result"), i, e) {
		const char *c = json_string_value(json_object_get(e, "cmd"));

		if (strcmp(c, "noresult") != 0) {
			assert_null(json_object_get(e, "usage"));
			continue;
		}
		seen = true;
		assert_string_equal(
			json_string_value(json_object_get(e, "usage")),
			"noresult [X]");
		assert_string_equal(
			json_string_value(json_object_get(e, "help")), "");
		assert_int_equal(json_array_size(json_object_get(e, "types")),
				 1);
	}
	assert_true(seen);
	json_decref(reply);
}

static void test_unknown_command(void **state)
{
	(void)state;
	assert_error(call("{\"cmd\": \"show nothing\"}"),
		     "unknown command 'show nothing' (try 'help')");
}

static void test_bad_requests(void **state)
{
	(void)state;
	assert_error(call("[1, 2]"), "request must be a JSON object");
	assert_error(call("\"show ports\""), "request must be a JSON object");
	assert_error(call("42"), "request must be a JSON object");
	assert_error(call("null"), "request must be a JSON object");
	assert_error(call("{}"), "request has no \"cmd\"");
	assert_error(call("{\"command\": \"help\"}"), "request has no \"cmd\"");
	assert_error(call("{\"cmd\": 5}"), "\"cmd\" must be a string");
	assert_error(call("{\"cmd\": null}"), "\"cmd\" must be a string");
	assert_error(call("{\"cmd\": [\"help\"]}"), "\"cmd\" must be a string");
	/* NULL is a bad request too, not a crash. */
	ctl_server_lock();
	assert_error(ctl_server_dispatch(NULL), "request must be a JSON object");
	ctl_server_unlock();
}

static void test_handler_errors(void **state)
{
	(void)state;
	assert_error(call("{\"cmd\": \"show vnf\", \"name\": \"fw\"}"),
		     "no VNF 'fw'");
	assert_error(call("{\"cmd\": \"show vnf\", \"name\": 3}"),
		     "missing \"name\"");
	assert_error(call("{\"cmd\": \"bare\"}"), strerror(EBUSY));
	assert_error(call("{\"cmd\": \"partial\"}"), strerror(EIO));
}

static void test_register_rules(void **state)
{
	(void)state;
	assert_int_equal(ctl_server_register("echo", cmd_echo, NULL, "x"), -EEXIST);
	assert_int_equal(ctl_server_register("help", cmd_echo, NULL, "x"), -EEXIST);
	assert_int_equal(ctl_server_register("", cmd_echo, NULL, "x"), -EINVAL);
	assert_int_equal(ctl_server_register(NULL, cmd_echo, NULL, "x"), -EINVAL);
	assert_int_equal(ctl_server_register("x", NULL, NULL, "x"), -EINVAL);
}

static void test_ctl_error(void **state)
{
	json_t *res = json_integer(1); /* replaced, not leaked (ASan) */
	char big[1000];

	(void)state;
	assert_int_equal(ctl_error(&res, EINVAL, "bad %d", 7), -EINVAL);
	assert_string_equal(json_string_value(res), "bad 7");
	assert_int_equal(ctl_error(&res, -ENOENT, "x"), -ENOENT);
	assert_int_equal(ctl_error(&res, 0, "zero"), -EINVAL);
	/* A long message is cut at a UTF-8 boundary, never invalid. */
	memset(big, 'a', sizeof(big));
	memcpy(big + 509, "\xc3\xa9\xc3\xa9", 4);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(ctl_error(&res, EINVAL, "%s", big), -EINVAL);
	assert_non_null(json_string_value(res));
	assert_true(strlen(json_string_value(res)) <= 511);
	assert_int_equal(ctl_error(NULL, EPERM, "no result"), -EPERM);
	json_decref(res);
}

/* The typed request accessors: present, absent, wrong type (named). */
static void
test_req_accessors(void **state)
{
	json_t *req = json_loads("{\"s\": \"x\", \"n\": 7, \"neg\": -1, "
				 "\"big\": 300, \"b\": true, \"o\": {}, "
				 "\"a\": [], \"null\": null, \"r\": 1.5}",
				 0, NULL);
	json_t *res = NULL, *v = NULL;
	const char *str = "dflt";
	uint64_t u = 42;
	bool b = false;

	(void)state;
	assert_non_null(req);
	assert_int_equal(ctl_req_str(req, "s", &str, &res), 1);
	assert_string_equal(str, "x");
	assert_null(res);
	str = "dflt";
	assert_int_equal(ctl_req_str(req, "none", &str, &res), 0);
	assert_string_equal(str, "dflt"); /* absent: the default stays */
	assert_int_equal(ctl_req_str(req, "o", &str, &res), -EINVAL);
	assert_string_equal(json_string_value(res),
			    "o: expected a string (got an object)");
	assert_int_equal(ctl_req_str(req, "a", &str, &res), -EINVAL);
	assert_string_equal(json_string_value(res),
			    "a: expected a string (got an array)");
	assert_int_equal(ctl_req_str(req, "null", &str, &res), -EINVAL);
	assert_string_equal(json_string_value(res),
			    "null: expected a string (got null)");
	assert_string_equal(str, "dflt");

	assert_int_equal(ctl_req_uint(req, "n", 0, 10, &u, &res), 1);
	assert_int_equal(u, 7);
	assert_int_equal(ctl_req_uint(req, "none", 0, 10, &u, &res), 0);
	assert_int_equal(u, 7);
	assert_int_equal(ctl_req_uint(req, "neg", 0, 10, &u, &res), -EINVAL);
	assert_string_equal(json_string_value(res),
			    "neg: expected an integer 0..10 (got -1)");
	assert_int_equal(ctl_req_uint(req, "big", 0, 255, &u, &res), -EINVAL);
	assert_string_equal(json_string_value(res),
			    "big: expected an integer 0..255 (got 300)");
	assert_int_equal(ctl_req_uint(req, "n", 8, 10, &u, &res), -EINVAL);
	assert_int_equal(ctl_req_uint(req, "s", 0, 10, &u, &res), -EINVAL);
	assert_string_equal(json_string_value(res),
			    "s: expected an integer 0..10 (got a string)");
	assert_int_equal(ctl_req_uint(req, "r", 0, 10, &u, &res), -EINVAL);
	assert_string_equal(json_string_value(res),
			    "r: expected an integer 0..10 (got a number with a "
			    "fraction)");
	assert_int_equal(u, 7);

	assert_int_equal(ctl_req_bool(req, "b", &b, &res), 1);
	assert_true(b);
	assert_int_equal(ctl_req_bool(req, "n", &b, &res), -EINVAL);
	assert_string_equal(json_string_value(res),
			    "n: expected true or false (got an integer)");
	assert_int_equal(ctl_req_object(req, "o", &v, &res), 1);
	assert_true(json_is_object(v));
	assert_int_equal(ctl_req_object(req, "a", &v, &res), -EINVAL);
	assert_int_equal(ctl_req_array(req, "a", &v, &res), 1);
	assert_true(json_is_array(v));
	assert_int_equal(ctl_req_array(req, "s", &v, &res), -EINVAL);
	assert_string_equal(json_string_value(res),
			    "s: expected an array (got a string)");
	assert_int_equal(ctl_req_missing(&res, "name"), -EINVAL);
	assert_string_equal(json_string_value(res), "name: missing (required)");
	json_decref(res);
	json_decref(req);

	/* A request that is not an object has no keys. */
	req = json_string("x");
	res = NULL;
	assert_int_equal(ctl_req_str(req, "s", &str, &res), 0);
	assert_int_equal(ctl_req_str(NULL, "s", &str, &res), 0);
	assert_null(res);
	json_decref(req);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ok),
		cmocka_unit_test(test_no_result_is_null),
		cmocka_unit_test(test_help_lists_commands),
		cmocka_unit_test(test_describe),
		cmocka_unit_test(test_unknown_command),
		cmocka_unit_test(test_bad_requests),
		cmocka_unit_test(test_handler_errors),
		cmocka_unit_test(test_register_rules),
		cmocka_unit_test(test_ctl_error),
		cmocka_unit_test(test_req_accessors),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
