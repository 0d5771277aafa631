/* SPDX-License-Identifier: BSD-3-Clause
 *
 * test_ctl_telemetry_shape.c - ctl_tel_shape(): how control results are fit
 * into DPDK 22.11's rte_tel_data model (two levels, no arrays of dicts, no
 * floats, restricted key names, entry and size limits).  Pure JSON: no EAL.
 * test_ctl_telemetry_eal checks the same through a real telemetry socket.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "control/telemetry.h"

static json_t *parse(const char *text)
{
	json_error_t jerr;
	json_t *j = json_loads(text, JSON_DECODE_ANY, &jerr);

	if (j == NULL)
		fail_msg("bad test JSON: %s: %s", text, jerr.text);
	return j;
}

/* Shape `in` and compare with `want` (both JSON text). */
static void check(const char *in, const char *want)
{
	json_t *i = parse(in), *w = parse(want), *got;

	got = ctl_tel_shape("/nfv/test", i);
	assert_non_null(got);
	if (!json_equal(got, w)) {
		char *g = json_dumps(got, JSON_COMPACT | JSON_ENCODE_ANY);

		fail_msg("shape(%s)\n  got  %s\n  want %s", in, g, want);
	}
	json_decref(got);
	json_decref(w);
	json_decref(i);
}

/* Scalars only at the second level, and nothing below it. */
static void assert_two_levels(json_t *v)
{
	const char *k;
	json_t *m, *e;
	size_t i;

	if (json_is_object(v)) {
		json_object_foreach(v, k, m) {
			if (json_is_object(m))
				json_object_foreach(m, k, e)
					assert_true(json_is_string(e) || json_is_integer(e));
			if (json_is_array(m))
				json_array_foreach(m, i, e)
					assert_true(json_is_string(e) || json_is_integer(e));
		}
	}
}

static void test_ports(void **state)
{
	(void)state;
	check("[{\"name\":\"vm1\",\"type\":\"vhost-user\",\"link\":\"up\","
	      "\"rx_packets\":10,\"drops\":{\"tx-full\":3,\"unlinked\":0}},"
	      "{\"name\":\"vm2\",\"link\":\"down\",\"rx_packets\":0,\"drops\":{}}]",
	      "{\"0\":{\"name\":\"vm1\",\"type\":\"vhost-user\",\"link\":\"up\","
	      "\"rx_packets\":10,\"drops/tx_full\":3,\"drops/unlinked\":0},"
	      "\"1\":{\"name\":\"vm2\",\"link\":\"down\",\"rx_packets\":0}}");
}

static void test_stats(void **state)
{
	(void)state;
	check("{\"workers\":[{\"id\":0,\"lcore\":1,\"cycles_per_packet\":116.8834},"
	      "{\"id\":1,\"lcore\":2,\"cycles_per_packet\":7.0}],"
	      "\"vnfs\":[{\"name\":\"sw\",\"cycles_per_packet\":0.125,"
	      "\"counters\":{\"flood\":3},\"drops\":{\"no-dest\":1}}]}",
	      "{\"workers\":{\"0/id\":0,\"0/lcore\":1,\"0/cycles_per_packet\":\"116.883\","
	      "\"1/id\":1,\"1/lcore\":2,\"1/cycles_per_packet\":\"7\"},"
	      "\"vnfs\":{\"0/name\":\"sw\",\"0/cycles_per_packet\":\"0.125\","
	      "\"0/counters/flood\":3,\"0/drops/no_dest\":1}}");
}

static void test_scalars(void **state)
{
	(void)state;
	check("{\"u\":18446744073,\"neg\":-5,\"hugeneg\":-9000000000,\"r\":-2.5,"
	      "\"tiny\":0.0001,\"zero\":0.0,\"t\":true,\"f\":false,\"n\":null,"
	      "\"s\":\"a\\\"b\\\\c\\nd\"}",
	      "{\"u\":18446744073,\"neg\":-5,\"hugeneg\":\"-9000000000\",\"r\":\"-2.5\","
	      "\"tiny\":\"0.0001\",\"zero\":\"0\",\"t\":\"true\",\"f\":\"false\","
	      "\"n\":\"null\",\"s\":\"a_b_c_d\"}");
	/* The reply itself may be a scalar: a string. */
	check("42", "\"42\"");
	check("\"hello\"", "\"hello\"");
	check("1.5", "\"1.5\"");
	/* No result: an empty dict, not null. */
	check("null", "{}");
	{
		json_t *got = ctl_tel_shape("/nfv/x", NULL);

		assert_true(json_is_object(got) && json_object_size(got) == 0);
		json_decref(got);
	}
}

static void test_names(void **state)
{
	char in[400], want[400], longk[200];

	(void)state;
	check("{\"tx-full\":1,\"a.b c\":2,\"\":3,\"ok_/x\":4,\"\\u00e9\":5}",
	      "{\"tx_full\":1,\"a_b_c\":2,\"_\":3,\"ok_/x\":4,\"__\":5}");
	/* Keys are cut to 127 bytes. */
	memset(longk, 'k', 150);
	longk[150] = '\0';
	snprintf(in, sizeof(in), "{\"%s\":1}", longk);
	longk[127] = '\0';
	snprintf(want, sizeof(want), "{\"%s\":1}", longk);
	check(in, want);
}

static void test_long_strings(void **state)
{
	char in[400], want[400];
	char s[300];
	json_t *got, *j;

	(void)state;
	/* 126 ASCII then a 2-byte character: it is one '?', then the cut. */
	memset(s, 'a', 126);
	strcpy(s + 126, "\xc3\xa9zz");
	snprintf(in, sizeof(in), "{\"s\":\"%s\"}", s);
	strcpy(s + 126, "?");
	snprintf(want, sizeof(want), "{\"s\":\"%s\"}", s);
	check(in, want);

	/* The same inside a container, and as a top-level reply. */
	memset(s, 'b', 200);
	s[200] = '\0';
	j = json_string(s);
	got = ctl_tel_shape("/nfv/x", j);
	assert_int_equal(strlen(json_string_value(got)), 127);
	json_decref(got);
	json_decref(j);
}

/*
 * Strings come out as printable ASCII (issue 11, defect 9): DPDK 22.11's
 * telemetry turned "\xc3\xa9" into the invalid JSON escapes "\1\2".  One
 * '?' per non-ASCII character (or stray byte), '_' for quotes,
 * backslashes and control characters.
 */
static void
test_non_ascii_strings(void **state)
{
	static const char raw[] =
		"\xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 "
		"\xff\xfe \x01\x1f\x7f \"q\" \\ end";
	json_t *in, *got;

	(void)state;
	check("{\"vnf\":\"caf\u00e9\",\"e\":\"no vnf named \u00e9\u00e9\"}",
	      "{\"vnf\":\"caf?\",\"e\":\"no vnf named ??\"}");
	check("[\"\u20ac1\",\"\\u0007\"]", "[\"?1\",\"_\"]");
	/* Invalid UTF-8 too (a string that did not come from a JSON text). */
	in = json_stringn_nocheck(raw, sizeof(raw) - 1);
	got = ctl_tel_shape("/nfv/x", in);
	assert_string_equal(json_string_value(got), "?t? ? ? ?? ___ _q_ _ end");
	json_decref(got);
	json_decref(in);
}

static void test_scalar_arrays(void **state)
{
	json_t *in, *got;
	int i;

	(void)state;
	check("{\"a\":[1,2,3],\"b\":[1,-2,3],\"c\":[1,-9000000000],"
	      "\"d\":[1,\"x\",true,null,2.5],\"e\":[]}",
	      "{\"a\":[1,2,3],\"b\":[1,-2,3],\"c\":[\"1\",\"-9000000000\"],"
	      "\"d\":[\"1\",\"x\",\"true\",\"null\",\"2.5\"],\"e\":[]}");
	/* Top level too. */
	check("[\"sw\",\"rtr\"]", "[\"sw\",\"rtr\"]");
	/* Cut at 512 entries. */
	in = json_array();
	for (i = 0; i < 600; i++)
		json_array_append_new(in, json_integer(i));
	{
		json_t *o = json_pack("{s:O}", "a", in);

		got = ctl_tel_shape("/nfv/x", o);
		assert_int_equal(json_array_size(json_object_get(got, "a")), 512);
		assert_int_equal(json_integer_value(json_array_get(
			json_object_get(got, "a"), 511)), 511);
		json_decref(got);
		json_decref(o);
	}
	json_decref(in);
}

static void test_deep_nesting(void **state)
{
	(void)state;
	check("{\"a\":{\"b\":{\"c\":[{\"d\":1},{\"e\":[5,6]}]}},\"x\":[[1,2],[3]]}",
	      "{\"a\":{\"b/c/0/d\":1,\"b/c/1/e/0\":5,\"b/c/1/e/1\":6},"
	      "\"x\":{\"0/0\":1,\"0/1\":2,\"1/0\":3}}");
	/* An array of arrays at the top: a dict of arrays. */
	check("[[1,2],[\"a\"]]", "{\"0\":[1,2],\"1\":[\"a\"]}");
	/* A vnf detail view. */
	check("{\"name\":\"sw\",\"ifaces\":[{\"name\":\"a\",\"peer\":\"vm1\"}],"
	      "\"details\":{\"mac_table\":{\"size\":65536,\"used\":3}}}",
	      "{\"name\":\"sw\",\"ifaces\":{\"0/name\":\"a\",\"0/peer\":\"vm1\"},"
	      "\"details\":{\"mac_table/size\":65536,\"mac_table/used\":3}}");
}

static void test_dict_limits(void **state)
{
	json_t *in = json_object(), *inner = json_object(), *got;
	char k[16];
	int i;

	(void)state;
	for (i = 0; i < 300; i++) {
		snprintf(k, sizeof(k), "k%d", i);
		json_object_set_new(in, k, json_integer(i));
		json_object_set_new(inner, k, json_integer(i));
	}
	got = ctl_tel_shape("/nfv/x", in);
	assert_int_equal(json_object_size(got), 256);
	assert_int_equal(json_integer_value(json_object_get(got, "k254")), 254);
	assert_null(json_object_get(got, "k255"));
	assert_int_equal(json_integer_value(json_object_get(got, "_truncated")), 45);
	json_decref(got);

	/* Inside a container as well. */
	json_decref(in);
	in = json_pack("{s:o}", "inner", inner);
	got = ctl_tel_shape("/nfv/x", in);
	inner = json_object_get(got, "inner");
	assert_int_equal(json_object_size(inner), 256);
	assert_int_equal(json_integer_value(json_object_get(inner, "_truncated")), 45);
	json_decref(got);
	json_decref(in);
}

/* A big MAC table: as many entries as fit 16 KiB, the rest counted. */
static void test_reply_size(void **state)
{
	json_t *in = json_array(), *got;
	size_t len, n;
	char *s;
	int i;

	(void)state;
	for (i = 0; i < 1000; i++)
		json_array_append_new(in, json_pack("{s:s,s:s,s:i,s:s,s:s,s:i}",
			"vnf", "sw", "mac", "02:00:00:00:00:01", "vlan", 0,
			"iface", "a", "type", "dynamic", "age", i));
	got = ctl_tel_shape("/nfv/mac", in);
	assert_non_null(got);
	assert_two_levels(got);
	n = json_object_size(got) - 1;
	assert_true(n > 100 && n < 255);
	assert_int_equal(json_integer_value(json_object_get(got, "_truncated")),
			 1000 - n);
	/* Entries are kept in order from the first. */
	assert_int_equal(json_integer_value(json_object_get(
		json_object_get(got, "0"), "age")), 0);
	s = json_dumps(got, JSON_COMPACT);
	len = strlen(s) + strlen("{\"/nfv/mac\":}");
	assert_true(len <= CTL_TEL_REPLY_MAX);
	free(s);
	json_decref(got);

	/* Also a long scalar array at the top. */
	json_decref(in);
	in = json_array();
	for (i = 0; i < 500; i++)
		json_array_append_new(in, json_string(
			"a-rather-long-string-value-for-each-entry-of-the-array"));
	got = ctl_tel_shape("/nfv/x", in);
	s = json_dumps(got, JSON_COMPACT);
	assert_true(strlen(s) < CTL_TEL_REPLY_MAX);
	assert_true(json_array_size(got) > 200);
	free(s);
	json_decref(got);
	json_decref(in);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ports),
		cmocka_unit_test(test_stats),
		cmocka_unit_test(test_scalars),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_long_strings),
		cmocka_unit_test(test_non_ascii_strings),
		cmocka_unit_test(test_scalar_arrays),
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_dict_limits),
		cmocka_unit_test(test_reply_size),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
