/* SPDX-License-Identifier: BSD-3-Clause
 *
 * verb.c - the generic side of the VNFs' verb tables (struct vnf_verb in
 * vnf.h): find a verb, run it on one instance or on several, and describe
 * it for the daemon's `help` (its arguments and usage line), from which
 * nfvctl builds its commands.  Nothing here knows a verb by name.
 *
 * Control thread only (and the telemetry thread, under the control
 * server's lock, through dataplane/ctl_cmds.c).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "control/ctl_server.h"
#include "vnf/vnf.h"

const struct vnf_verb *
vnf_verb_find(const struct vnf_ops *ops, const char *name)
{
	unsigned int i;

	if (ops == NULL || name == NULL)
		return NULL;
	for (i = 0; i < ops->n_verbs; i++)
		if (strcmp(ops->verbs[i].name, name) == 0)
			return &ops->verbs[i];
	return NULL;
}

struct vnf_verb_first_ctx {
	const char *name;
	const struct vnf_verb *v;
};

static void
vnf_verb_first_one(const struct vnf_ops *ops, void *arg)
{
	struct vnf_verb_first_ctx *f = arg;

	if (f->v == NULL)
		f->v = vnf_verb_find(ops, f->name);
}

const struct vnf_verb *
vnf_verb_first(const char *name)
{
	struct vnf_verb_first_ctx f = {.name = name};

	vnf_foreach_type(vnf_verb_first_one, &f);
	return f.v;
}

int
vnf_verb_call(struct vnf_instance *vi, const char *name, json_t *args,
	      json_t **reply)
{
	const struct vnf_verb *v = vnf_verb_find(vi->ops, name);
	json_t *empty = NULL;
	int rc;

	*reply = NULL;
	if (v == NULL)
		return -ENOTSUP;
	if (args == NULL) {
		args = empty = json_object();
		if (args == NULL)
			return -ENOMEM;
	}
	rc = v->handler(vi, args, reply);
	json_decref(empty);
	return rc;
}

/* ---- dispatch over instances ---- */

static int vnf_verb_error(json_t **result, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* *result = the message (a JSON string), as handlers report errors. */
static int
vnf_verb_error(json_t **result, int rc, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	json_decref(*result);
	*result = json_string(msg);
	return rc;
}

/*
 * EACH: add the integer members of `r` to `sum`; other members are kept
 * from the first reply that has them.
 */
static int
vnf_verb_sum(json_t *sum, json_t *r)
{
	const char *k;
	json_t *v, *cur;

	if (!json_is_object(r))
		return 0;
	json_object_foreach(r, k, v) {
		cur = json_object_get(sum, k);
		if (cur != NULL && json_is_integer(cur) && json_is_integer(v))
			v = json_integer(json_integer_value(cur) +
					 json_integer_value(v));
		else if (cur == NULL)
			json_incref(v);
		else
			continue;
		if (v == NULL || json_object_set_new(sum, k, v) < 0)
			return -ENOMEM;
	}
	return 0;
}

int
vnf_verb_dispatch(struct vnf_instance *const *vis, unsigned int n,
		  const char *verb, json_t *req, json_t **result)
{
	const struct vnf_verb *v = NULL;
	struct vnf_instance *vi, *only = NULL;
	const char *name = NULL;
	unsigned int i, n_have = 0;
	json_t *all = NULL;
	int rc;

	*result = NULL;
	/* A "vnf" of another JSON type is an error naming the key, never
	 * "every VNF". */
	rc = ctl_req_str(req, "vnf", &name, result);
	if (rc < 0)
		return rc;
	if (name != NULL) {
		for (i = 0; i < n; i++)
			if (strcmp(vis[i]->name, name) == 0)
				break;
		if (i == n)
			return vnf_verb_error(result, -ENOENT,
					      "no vnf named %s", name);
		vi = vis[i];
		if (vnf_verb_find(vi->ops, verb) == NULL)
			return vnf_verb_error(result, -ENOTSUP,
					      "vnf %s (%s) has no \"%s\"", name,
					      vi->ops->type, verb);
		return vnf_verb_call(vi, verb, req, result);
	}

	for (i = 0; i < n; i++) {
		const struct vnf_verb *vv = vnf_verb_find(vis[i]->ops, verb);

		if (vv == NULL)
			continue;
		if (v == NULL)
			v = vv;
		only = vis[i];
		n_have++;
	}
	if (v == NULL)
		v = vnf_verb_first(verb);
	if (v != NULL && (v->flags & VNF_VERB_SHOW)) {
		all = json_array();
		if (all == NULL)
			return -ENOMEM;
	} else if (n_have == 0) {
		return vnf_verb_error(result, -ENOTSUP,
				      "no vnf supports \"%s\"", verb);
	} else if (v->flags & VNF_VERB_EACH) {
		all = json_object();
		if (all == NULL)
			return -ENOMEM;
	} else if (n_have > 1) {
		return vnf_verb_error(result, -EINVAL,
				      "several vnfs support \"%s\": name one "
				      "with \"vnf\"",
				      verb);
	} else {
		return vnf_verb_call(only, verb, req, result);
	}

	/* SHOW or EACH: every instance that has the verb, in config order. */
	for (i = 0; i < n; i++) {
		json_t *r = NULL;

		if (vnf_verb_find(vis[i]->ops, verb) == NULL)
			continue;
		rc = vnf_verb_call(vis[i], verb, req, &r);
		if (rc < 0) {
			json_decref(all);
			*result = r;
			return rc;
		}
		if (json_is_array(all)) {
			if (json_is_array(r))
				rc = json_array_extend(all, r);
			else if (r != NULL)
				rc = json_array_append(all, r);
		} else {
			rc = vnf_verb_sum(all, r);
		}
		json_decref(r);
		if (rc < 0) {
			json_decref(all);
			return -ENOMEM;
		}
	}
	*result = all;
	return 0;
}

/* ---- help: arguments and usage ---- */

static bool
vnf_arg_positional(const struct vnf_verb_arg *a)
{
	return a->word == NULL && a->choices == NULL &&
	       !(a->flags & VNF_ARG_FLAG);
}

static bool
vnf_verb_has_positional(const struct vnf_verb *v)
{
	unsigned int i;

	for (i = 0; i < VNF_VERB_ARGS_MAX && v->args[i].key != NULL; i++)
		if (vnf_arg_positional(&v->args[i]))
			return true;
	return false;
}

/* May a lone word name the instance ("show mac sw")?  For verbs that
 * work on every instance unless told otherwise, when no positional
 * argument could take the word. */
static bool
vnf_verb_bare_vnf(const struct vnf_verb *v)
{
	return (v->flags & (VNF_VERB_SHOW | VNF_VERB_EACH)) != 0 &&
	       !vnf_verb_has_positional(v);
}

/* Append to buf[*off..len); false once it no longer fits. */
static bool vnf_put(char *buf, size_t len, size_t *off, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static bool
vnf_put(char *buf, size_t len, size_t *off, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*off >= len)
		return false;
	va_start(ap, fmt);
	n = vsnprintf(buf + *off, len - *off, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= len - *off) {
		*off = len;
		return false;
	}
	*off += (size_t)n;
	return true;
}

/*
 * One argument as the usage line shows it: "PREFIX", "[via ADDR]",
 * "[blackhole|unreachable]", "action A", "[replace]".
 */
static bool
vnf_arg_usage(const struct vnf_verb_arg *a, char *buf, size_t len, size_t *off)
{
	const bool opt = !(a->flags & VNF_ARG_REQUIRED);
	const char *val = a->meta		     ? a->meta
			  : a->choices		     ? a->choices
			  : (a->flags & VNF_ARG_INT) ? "N"
						     : "VALUE";

	if (a->flags & VNF_ARG_FLAG)
		return vnf_put(buf, len, off, opt ? " [%s]" : " %s", a->word);
	if (a->word != NULL)
		return vnf_put(buf, len, off, opt ? " [%s %s]" : " %s %s",
			       a->word, val);
	if (a->choices != NULL)
		return vnf_put(buf, len, off, opt ? " [%s]" : " %s",
			       a->choices);
	return vnf_put(buf, len, off, opt ? " [%s]" : " %s",
		       a->meta ? a->meta : a->key);
}

int
vnf_verb_usage(const struct vnf_verb *v, char *buf, size_t len)
{
	const bool bare = vnf_verb_bare_vnf(v);
	size_t off = 0;
	unsigned int i;
	bool ok;

	if (len == 0)
		return -ENOSPC;
	buf[0] = '\0';
	ok = vnf_put(buf, len, &off, "%s%s", v->name, bare ? " [VNF]" : "");
	for (i = 0; ok && i < VNF_VERB_ARGS_MAX && v->args[i].key != NULL; i++)
		ok = vnf_arg_usage(&v->args[i], buf, len, &off);
	if (ok && !bare)
		ok = vnf_put(buf, len, &off, " [vnf NAME]");
	return ok ? 0 : -ENOSPC;
}

static json_t *
vnf_json_str(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

/* "a|b" -> ["a", "b"]; NULL -> null. */
static json_t *
vnf_json_choices(const char *choices)
{
	const char *p = choices, *bar;
	json_t *arr;

	if (choices == NULL)
		return json_null();
	arr = json_array();
	while (arr != NULL) {
		bar = strchr(p, '|');
		if (json_array_append_new(
			    arr, json_stringn(p, bar ? (size_t)(bar - p)
						     : strlen(p))) < 0) {
			json_decref(arr);
			return NULL;
		}
		if (bar == NULL)
			break;
		p = bar + 1;
	}
	return arr;
}

/* `bare`: a lone word may be this argument's value (only the daemon's
 * "vnf" of some verbs, see vnf_verb_bare_vnf()). */
static json_t *
vnf_arg_json(const struct vnf_verb_arg *a, bool bare)
{
	const bool num = (a->flags & (VNF_ARG_INT | VNF_ARG_RANGE)) != 0;

	/* clang-format off */
	return json_pack("{s:s, s:o, s:o, s:o, s:o, s:b, s:b, s:b, s:b, s:b, s:o}",
		"key", a->key,
		"word", vnf_json_str(a->word),
		"meta", vnf_json_str(a->meta),
		"choices", vnf_json_choices(a->choices),
		"alias", vnf_json_str(a->alias),
		"required", (a->flags & VNF_ARG_REQUIRED) != 0,
		"int", (a->flags & VNF_ARG_INT) != 0,
		"range", (a->flags & VNF_ARG_RANGE) != 0,
		"flag", (a->flags & VNF_ARG_FLAG) != 0,
		"bare", bare,
		"max", num ? json_integer(a->max ? a->max : INT32_MAX) : json_null());
	/* clang-format on */
}

struct vnf_verb_types_ctx {
	const char *name;
	json_t *types;
	int rc;
};

static void
vnf_verb_types_one(const struct vnf_ops *ops, void *arg)
{
	struct vnf_verb_types_ctx *t = arg;

	if (vnf_verb_find(ops, t->name) != NULL &&
	    json_array_append_new(t->types, json_string(ops->type)) < 0)
		t->rc = -ENOMEM;
}

json_t *
vnf_verb_describe(const char *name)
{
	static const struct vnf_verb_arg vnf_arg = {
		.key = "vnf",
		.word = "vnf",
		.meta = "NAME",
	};
	const struct vnf_verb *v = vnf_verb_first(name);
	struct vnf_verb_types_ctx t = {.name = name};
	json_t *o, *args;
	char usage[512];
	unsigned int i;

	if (v == NULL)
		return NULL;
	vnf_verb_usage(v, usage, sizeof(usage));
	t.types = json_array();
	args = json_array();
	o = json_pack("{s:s, s:b, s:b, s:o*, s:o*}", "usage", usage, "show",
		      (v->flags & VNF_VERB_SHOW) != 0, "each",
		      (v->flags & VNF_VERB_EACH) != 0, "types", t.types, "args",
		      args);
	if (o == NULL || t.types == NULL || args == NULL)
		goto err;
	vnf_foreach_type(vnf_verb_types_one, &t);
	for (i = 0; i < VNF_VERB_ARGS_MAX && v->args[i].key != NULL; i++)
		if (json_array_append_new(args,
					  vnf_arg_json(&v->args[i], false)) < 0)
			goto err;
	if (t.rc < 0 ||
	    json_array_append_new(
		    args, vnf_arg_json(&vnf_arg, vnf_verb_bare_vnf(v))) < 0)
		goto err;
	return o;
err:
	json_decref(o);
	return NULL;
}
