/* SPDX-License-Identifier: BSD-3-Clause
 *
 * telemetry.c - /nfv/... rte_telemetry commands over the control handlers.
 *
 * Each command builds the same request nfvctl would send, runs it through
 * ctl_server_dispatch() under ctl_server_lock() and converts the JSON result
 * into rte_tel_data, so `dpdk-telemetry.py` and `nfvctl -j` show the same
 * figures.  The conversion is two steps: ctl_tel_shape() fits any JSON into
 * what DPDK 22.11's telemetry can represent (see telemetry.h; pure jansson,
 * unit-tested without EAL), then ctl_tel_emit() copies the shaped tree.
 *
 * Threads: the callbacks run on DPDK's telemetry thread (one per client
 * connection); the lock serialises them with the control socket.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_telemetry.h>

#include "control/ctl_server.h"
#include "control/telemetry.h"

/* ---- shaping (no DPDK) -------------------------------------------------- */

/* Room kept for the "_truncated" entry and the reply's {"cmd": } frame. */
#define CTL_TEL_REPLY_SLACK 64
#define CTL_TEL_TRUNCATED "_truncated"

/* A dict key as 22.11 accepts it: [A-Za-z0-9_/], at most 127 bytes. */
static void tel_name_append(char *out, size_t *len, const char *in)
{
	for (; *in != '\0' && *len < CTL_TEL_NAME_MAX; in++) {
		char c = *in;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '/'))
			c = '_';
		out[(*len)++] = c;
	}
	out[*len] = '\0';
}

/* `prefix/key` (or `key`), sanitised; out has CTL_TEL_NAME_MAX + 1 bytes. */
static void tel_name_join(char *out, const char *prefix, const char *key)
{
	size_t len = 0;

	out[0] = '\0';
	if (prefix != NULL && *prefix != '\0') {
		tel_name_append(out, &len, prefix);
		tel_name_append(out, &len, "/");
	}
	tel_name_append(out, &len, *key ? key : "_");
}

/*
 * A string value, as printable ASCII only: cut to 127 bytes, '"', '\' and
 * control characters replaced by '_', and each non-ASCII character (a
 * UTF-8 sequence, or any byte >= 0x80 of invalid UTF-8) by one '?'.
 * Early 22.11 releases write strings into their JSON reply unescaped, and
 * later ones escape with a signed char, so that 0xc3 0xa9 ("é") comes out
 * as the invalid escapes "\1\2" and dpdk-telemetry.py fails to parse the
 * reply; neither can go wrong with printable ASCII.  Everything a
 * telemetry reply echoes (names, error messages quoting a parameter)
 * passes here.
 */
static json_t *tel_string(const char *s)
{
	char buf[CTL_TEL_STRING_MAX + 1];
	size_t n = 0, i = 0;

	while (s[i] != '\0' && n < CTL_TEL_STRING_MAX) {
		unsigned char c = (unsigned char)s[i++];

		if (c >= 0x80) {
			/* One '?' for the lead byte and its continuations. */
			while (((unsigned char)s[i] & 0xc0) == 0x80)
				i++;
			buf[n++] = '?';
			continue;
		}
		buf[n++] = (c < 0x20 || c == 0x7f || c == '"' || c == '\\')
				   ? '_'
				   : (char)c;
	}
	buf[n] = '\0';
	return json_string(buf);
}

static bool tel_is_scalar(json_t *v)
{
	return !json_is_object(v) && !json_is_array(v);
}

/* A scalar as text: reals as "12.5", booleans as "true". */
static json_t *tel_scalar_string(json_t *v)
{
	char buf[64];
	double d;

	switch (json_typeof(v)) {
	case JSON_STRING:
		return tel_string(json_string_value(v));
	case JSON_INTEGER:
		snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT,
			 json_integer_value(v));
		break;
	case JSON_REAL:
		/* Three decimals, trailing zeros cut: 192.5, 0.125, 7. */
		d = json_real_value(v);
		if (d != 0 && d > -0.001 && d < 0.001) {
			snprintf(buf, sizeof(buf), "%g", d);
		} else {
			char *p;

			snprintf(buf, sizeof(buf), "%.3f", d);
			p = buf + strlen(buf) - 1;
			while (*p == '0')
				*p-- = '\0';
			if (*p == '.')
				*p = '\0';
		}
		break;
	case JSON_TRUE:
		return json_string("true");
	case JSON_FALSE:
		return json_string("false");
	default:
		return json_string("null");
	}
	return json_string(buf);
}

/* A dict value: integers that fit u64 or int stay numbers. */
static json_t *tel_scalar(json_t *v)
{
	if (json_is_integer(v) && json_integer_value(v) >= INT32_MIN)
		return json_integer(json_integer_value(v));
	return tel_scalar_string(v);
}

/* Flatten any value into `out` as "prefix/key/0/..." scalar entries. */
static int tel_flatten(json_t *out, const char *prefix, json_t *v)
{
	char name[CTL_TEL_NAME_MAX + 1], idx[24];
	const char *k;
	json_t *m;
	size_t i;

	if (json_is_object(v)) {
		json_object_foreach(v, k, m) {
			tel_name_join(name, prefix, k);
			if (tel_flatten(out, name, m) < 0)
				return -ENOMEM;
		}
		return 0;
	}
	if (json_is_array(v)) {
		json_array_foreach(v, i, m) {
			snprintf(idx, sizeof(idx), "%zu", i);
			tel_name_join(name, prefix, idx);
			if (tel_flatten(out, name, m) < 0)
				return -ENOMEM;
		}
		return 0;
	}
	return json_object_set_new(out, *prefix ? prefix : "value",
				   tel_scalar(v)) < 0 ? -ENOMEM : 0;
}

/* Keep the first `keep` entries of a dict and count the rest in
 * "_truncated" (which is itself one of the CTL_TEL_DICT_MAX entries). */
static json_t *tel_dict_cut(json_t *dict, size_t keep, size_t already)
{
	size_t size = json_object_size(dict), n = 0;
	json_t *out, *m;
	const char *k;

	if (size <= keep && already == 0)
		return dict;
	out = json_object();
	if (out == NULL)
		goto out;
	json_object_foreach(dict, k, m) {
		if (n++ == keep)
			break;
		json_object_set(out, k, m);
	}
	json_object_set_new(out, CTL_TEL_TRUNCATED,
			    json_integer(already + (size > keep ? size - keep : 0)));
out:
	json_decref(dict);
	return out;
}

/* A flat dict of at most CTL_TEL_DICT_MAX entries. */
static json_t *tel_flat_dict(json_t *v)
{
	json_t *out = json_object();

	if (out == NULL)
		return NULL;
	if (tel_flatten(out, "", v) < 0) {
		json_decref(out);
		return NULL;
	}
	if (json_object_size(out) > CTL_TEL_DICT_MAX)
		out = tel_dict_cut(out, CTL_TEL_DICT_MAX - 1, 0);
	return out;
}

/*
 * An array of scalars; one type throughout, as rte_tel_data arrays are:
 * all integers in u64 or in int range stay numbers, else all are strings.
 * Cut at CTL_TEL_ARRAY_MAX (an array has no room for a marker).
 */
static json_t *tel_scalar_array(json_t *v)
{
	bool all_u64 = true, all_int = true;
	json_t *out, *m;
	size_t i;

	json_array_foreach(v, i, m) {
		json_int_t x = json_integer_value(m);

		if (!json_is_integer(m) || x < 0)
			all_u64 = false;
		if (!json_is_integer(m) || x < INT32_MIN || x > INT32_MAX)
			all_int = false;
	}
	out = json_array();
	if (out == NULL)
		return NULL;
	json_array_foreach(v, i, m) {
		if (i == CTL_TEL_ARRAY_MAX)
			break;
		if (json_array_append_new(out, all_u64 || all_int ?
				json_integer(json_integer_value(m)) :
				tel_scalar_string(m)) < 0) {
			json_decref(out);
			return NULL;
		}
	}
	return out;
}

static bool tel_all_scalars(json_t *arr)
{
	json_t *m;
	size_t i;

	json_array_foreach(arr, i, m)
		if (!tel_is_scalar(m))
			return false;
	return true;
}

/* A value one level down (a dict member of the reply): a scalar, a flat
 * array of scalars, or a flat dict. */
static json_t *tel_level1(json_t *v)
{
	if (tel_is_scalar(v))
		return tel_scalar(v);
	if (json_is_array(v) && tel_all_scalars(v))
		return tel_scalar_array(v);
	return tel_flat_dict(v);
}

/* Bytes an entry adds to telemetry's reply: "name":value, */
static size_t tel_entry_size(const char *name, json_t *v)
{
	size_t len = json_dumpb(v, NULL, 0, JSON_COMPACT | JSON_ENCODE_ANY);

	return (name ? strlen(name) + 3 : 0) + len + 1;
}

json_t *ctl_tel_shape(const char *cmd, json_t *result)
{
	size_t budget, used, i, cut = 0;
	json_t *out, *m, *s;
	const char *k;

	/* {"<cmd>":<reply>} must fit telemetry's output buffer. */
	budget = CTL_TEL_REPLY_MAX - CTL_TEL_REPLY_SLACK -
		 (cmd ? strlen(cmd) : 0);
	used = 2;

	if (result == NULL || json_is_null(result))
		return json_object();
	if (tel_is_scalar(result)) {
		if (json_is_string(result) &&
		    strlen(json_string_value(result)) > CTL_TEL_STRING_MAX)
			return tel_string(json_string_value(result));
		return tel_scalar_string(result);
	}
	if (json_is_array(result) && tel_all_scalars(result)) {
		out = tel_scalar_array(result);
		/* Too long for the reply: drop from the end. */
		while (out != NULL && json_array_size(out) > 0 &&
		       tel_entry_size(NULL, out) > budget)
			json_array_remove(out, json_array_size(out) - 1);
		return out;
	}

	/* An object, or an array holding containers: 22.11 has no arrays of
	 * dicts, so such an array becomes a dict keyed "0", "1", ... */
	out = json_object();
	if (out == NULL)
		return NULL;
	if (json_is_object(result)) {
		json_object_foreach(result, k, m) {
			char name[CTL_TEL_NAME_MAX + 1];

			tel_name_join(name, NULL, k);
			s = tel_level1(m);
			if (s == NULL)
				goto err_nomem;
			if (used + tel_entry_size(name, s) > budget ||
			    json_object_size(out) == CTL_TEL_DICT_MAX - 1) {
				json_decref(s);
				cut++;
				continue;
			}
			used += tel_entry_size(name, s);
			json_object_set_new(out, name, s);
		}
	} else {
		json_array_foreach(result, i, m) {
			char name[24];

			snprintf(name, sizeof(name), "%zu", i);
			if (json_object_size(out) == CTL_TEL_DICT_MAX - 1) {
				cut += json_array_size(result) - i;
				break;
			}
			s = tel_level1(m);
			if (s == NULL)
				goto err_nomem;
			if (used + tel_entry_size(name, s) > budget) {
				json_decref(s);
				cut += json_array_size(result) - i;
				break;
			}
			used += tel_entry_size(name, s);
			json_object_set_new(out, name, s);
		}
	}
	if (cut > 0)
		json_object_set_new(out, CTL_TEL_TRUNCATED, json_integer(cut));
	return out;

err_nomem:
	json_decref(out);
	return NULL;
}

/* ---- emitting rte_tel_data ---------------------------------------------- */

/* The rte_tel_data type of a shaped scalar array. */
static enum rte_tel_value_type tel_array_type(json_t *arr)
{
	bool neg = false;
	json_t *m;
	size_t i;

	json_array_foreach(arr, i, m) {
		if (json_is_string(m))
			return RTE_TEL_STRING_VAL;
		if (json_integer_value(m) < 0)
			neg = true;
	}
	return neg ? RTE_TEL_INT_VAL : RTE_TEL_U64_VAL;
}

/* rte_tel_data_* return a positive E2BIG on truncation, which is fine. */
static int tel_emit_array(struct rte_tel_data *d, json_t *arr)
{
	enum rte_tel_value_type t = tel_array_type(arr);
	json_t *m;
	size_t i;
	int ret;

	ret = rte_tel_data_start_array(d, t);
	json_array_foreach(arr, i, m) {
		if (ret < 0)
			break;
		if (t == RTE_TEL_STRING_VAL)
			ret = rte_tel_data_add_array_string(d, json_string_value(m));
		else if (t == RTE_TEL_INT_VAL)
			ret = rte_tel_data_add_array_int(d, (int)json_integer_value(m));
		else
			ret = rte_tel_data_add_array_u64(d, json_integer_value(m));
	}
	return ret < 0 ? ret : 0;
}

static int tel_emit_scalar(struct rte_tel_data *d, const char *name, json_t *v)
{
	if (json_is_string(v))
		return rte_tel_data_add_dict_string(d, name, json_string_value(v));
	if (json_integer_value(v) < 0)
		return rte_tel_data_add_dict_int(d, name, (int)json_integer_value(v));
	return rte_tel_data_add_dict_u64(d, name, json_integer_value(v));
}

static int tel_emit_dict(struct rte_tel_data *d, json_t *obj, bool top)
{
	const char *k;
	json_t *m;
	int ret;

	ret = rte_tel_data_start_dict(d);
	json_object_foreach(obj, k, m) {
		struct rte_tel_data *c;

		if (ret < 0)
			break;
		if (tel_is_scalar(m)) {
			ret = tel_emit_scalar(d, k, m);
			continue;
		}
		if (!top)
			return -EINVAL; /* the shaper never does this */
		c = rte_tel_data_alloc();
		if (c == NULL)
			return -ENOMEM;
		ret = json_is_array(m) ? tel_emit_array(c, m) :
					 tel_emit_dict(c, m, false);
		if (ret >= 0)
			ret = rte_tel_data_add_dict_container(d, k, c, 0);
		if (ret < 0)
			rte_tel_data_free(c);
	}
	return ret < 0 ? ret : 0;
}

static int ctl_tel_emit(struct rte_tel_data *d, json_t *shaped)
{
	if (json_is_object(shaped))
		return tel_emit_dict(d, shaped, true);
	if (json_is_array(shaped))
		return tel_emit_array(d, shaped);
	if (json_is_string(shaped)) {
		int ret = rte_tel_data_string(d, json_string_value(shaped));

		return ret < 0 ? ret : 0;
	}
	return -EINVAL;
}

/* ---- the commands ------------------------------------------------------- */

struct ctl_tel_cmd {
	const char *path;
	const char *cmd;	/* the control command it runs */
	const char *param;	/* request key the parameter goes to, or NULL */
	bool param_required;
	const char *help;
};

static const struct ctl_tel_cmd ctl_tel_cmds[] = {
	{"/nfv/ports", "show ports", NULL, false,
	 "nfvd ports: link state, packet and byte counters, drops. No parameters"},
	{"/nfv/stats", "show stats", NULL, false,
	 "nfvd per-worker and per-VNF statistics. No parameters"},
	{"/nfv/vnf", "show vnf", "name", true,
	 "One nfvd VNF: ifaces, counters, drops, details. Parameter: VNF name"},
	{"/nfv/mac", "show mac", "vnf", false,
	 "nfvd MAC tables (first entries only). Parameter: VNF name (optional)"},
	{"/nfv/help", "help", NULL, false,
	 "nfvd control commands. No parameters"},
};

static int ctl_tel_error(struct rte_tel_data *d, const char *msg)
{
	json_t *e = json_pack("{s:s}", "error", msg);
	json_t *shaped = e ? ctl_tel_shape(NULL, e) : NULL;
	int ret = shaped ? ctl_tel_emit(d, shaped) : -ENOMEM;

	json_decref(shaped);
	json_decref(e);
	return ret;
}

/*
 * Telemetry thread.  An error reply from the handler becomes
 * {"error": "..."} rather than a bare null, so the user sees why.
 */
static int ctl_tel_cb(const char *path, const char *params,
		      struct rte_tel_data *d)
{
	const struct ctl_tel_cmd *tc = NULL;
	json_t *req, *reply, *result, *shaped;
	char param[128];
	unsigned int i;
	size_t len;
	int ret;

	for (i = 0; i < RTE_DIM(ctl_tel_cmds); i++)
		if (strcmp(path, ctl_tel_cmds[i].path) == 0)
			tc = &ctl_tel_cmds[i];
	if (tc == NULL)
		return -EINVAL;

	/* "/nfv/vnf,sw": params is "sw"; trim blanks. */
	while (params != NULL && (*params == ' ' || *params == '\t'))
		params++;
	snprintf(param, sizeof(param), "%s", params ? params : "");
	len = strlen(param);
	while (len > 0 && (param[len - 1] == ' ' || param[len - 1] == '\t' ||
			   param[len - 1] == '\n'))
		param[--len] = '\0';
	if (len > 0 && tc->param == NULL)
		return ctl_tel_error(d, "this command takes no parameter");
	if (len == 0 && tc->param_required)
		return ctl_tel_error(d, "missing parameter");
	/* Names (VNFs) are letters, digits, '_' and '-': anything outside
	 * printable ASCII cannot name one, and is not echoed back. */
	for (i = 0; i < len; i++)
		if ((unsigned char)param[i] < 0x20 ||
		    (unsigned char)param[i] > 0x7e)
			return ctl_tel_error(d, "parameter: only printable "
						"ASCII is accepted");

	req = json_pack("{s:s}", "cmd", tc->cmd);
	if (req == NULL)
		return -ENOMEM;
	if (len > 0 && json_object_set_new(req, tc->param, json_string(param)) < 0) {
		json_decref(req);
		return -ENOMEM;
	}
	ctl_server_lock();
	reply = ctl_server_dispatch(req);
	ctl_server_unlock();
	json_decref(req);
	if (reply == NULL)
		return -ENOMEM;
	if (!json_is_true(json_object_get(reply, "ok"))) {
		const char *msg = json_string_value(json_object_get(reply, "error"));

		ret = ctl_tel_error(d, msg ? msg : "error");
		json_decref(reply);
		return ret;
	}
	result = json_object_get(reply, "result");
	shaped = ctl_tel_shape(path, result);
	ret = shaped ? ctl_tel_emit(d, shaped) : -ENOMEM;
	json_decref(shaped);
	json_decref(reply);
	return ret;
}

/* Control thread, before or after rte_eal_init(). */
int ctl_telemetry_init(void)
{
	unsigned int i;
	int ret;

	for (i = 0; i < RTE_DIM(ctl_tel_cmds); i++) {
		ret = rte_telemetry_register_cmd(ctl_tel_cmds[i].path,
						 ctl_tel_cb, ctl_tel_cmds[i].help);
		if (ret < 0)
			return ret;
	}
	return 0;
}
