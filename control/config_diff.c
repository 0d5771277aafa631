/* SPDX-License-Identifier: BSD-3-Clause
 *
 * config_diff.c - what a reload cannot apply (config_diff.h).  Control
 * thread only; free of DPDK, so the unit tests and nfvctl may link it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "control/config_diff.h"
#include "control/files.h"

/* A growing byte string; a failed allocation sticks (oom) and is
 * reported once at the end. */
struct sbuf {
	char *p;
	size_t len, cap;
	bool oom;
};

static void
sbuf_add(struct sbuf *b, const void *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		char *p;

		while (cap < b->len + n + 1)
			cap *= 2;
		p = realloc(b->p, cap);
		if (p == NULL) {
			b->oom = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

/* A scalar as its length and bytes: no value can pass for markup. */
static void
sbuf_scalar(struct sbuf *b, const void *s, size_t n)
{
	char hdr[24];
	int k = snprintf(hdr, sizeof(hdr), "%zu'", n);

	sbuf_add(b, hdr, (size_t)k);
	sbuf_add(b, s, n);
}

static int
sbuf_cmp(const void *x, const void *y)
{
	const struct sbuf *a = x, *b = y;
	size_t n = a->len < b->len ? a->len : b->len;
	int c = memcmp(a->p, b->p, n);

	if (c != 0)
		return c;
	return a->len < b->len ? -1 : a->len > b->len;
}

/* The canonical form of node n: mappings with their pairs sorted.  The
 * loader capped the depth (32 levels), so the recursion is bounded. */
static void
canon(yaml_document_t *d, yaml_node_t *n, struct sbuf *b)
{
	if (n == NULL) {
		sbuf_add(b, "~", 1);
		return;
	}
	switch (n->type) {
	case YAML_SCALAR_NODE:
		sbuf_scalar(b, n->data.scalar.value, n->data.scalar.length);
		break;
	case YAML_SEQUENCE_NODE: {
		yaml_node_item_t *it;

		sbuf_add(b, "[", 1);
		for (it = n->data.sequence.items.start;
		     it < n->data.sequence.items.top; it++) {
			canon(d, yaml_document_get_node(d, *it), b);
			sbuf_add(b, ",", 1);
		}
		sbuf_add(b, "]", 1);
		break;
	}
	case YAML_MAPPING_NODE: {
		yaml_node_pair_t *pr;
		size_t np = (size_t)(n->data.mapping.pairs.top -
				     n->data.mapping.pairs.start);
		struct sbuf *pairs = calloc(np ? np : 1, sizeof(*pairs));
		size_t i = 0;

		if (pairs == NULL) {
			b->oom = true;
			return;
		}
		for (pr = n->data.mapping.pairs.start;
		     pr < n->data.mapping.pairs.top; pr++, i++) {
			canon(d, yaml_document_get_node(d, pr->key), &pairs[i]);
			sbuf_add(&pairs[i], ":", 1);
			canon(d, yaml_document_get_node(d, pr->value),
			      &pairs[i]);
			if (pairs[i].oom)
				b->oom = true;
		}
		if (!b->oom)
			qsort(pairs, np, sizeof(*pairs), sbuf_cmp);
		sbuf_add(b, "{", 1);
		for (i = 0; i < np; i++) {
			if (pairs[i].p != NULL)
				sbuf_add(b, pairs[i].p, pairs[i].len);
			sbuf_add(b, ",", 1);
			free(pairs[i].p);
		}
		sbuf_add(b, "}", 1);
		free(pairs);
		break;
	}
	default:
		sbuf_add(b, "?", 1);
	}
}

struct ctl_config_digest_vnf {
	char name[CTL_NAME_MAX];
	char *canon;
	size_t len;
};

struct ctl_config_digest {
	unsigned int n_vnfs;
	struct ctl_config_digest_vnf *vnfs;
};

/* The value of key `key` in mapping n, or NULL. */
static yaml_node_t *
map_get(yaml_document_t *d, yaml_node_t *n, const char *key)
{
	yaml_node_pair_t *pr;

	if (n == NULL || n->type != YAML_MAPPING_NODE)
		return NULL;
	for (pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top;
	     pr++) {
		yaml_node_t *k = yaml_document_get_node(d, pr->key);

		if (k != NULL && k->type == YAML_SCALAR_NODE &&
		    k->data.scalar.length == strlen(key) &&
		    memcmp(k->data.scalar.value, key, k->data.scalar.length) ==
			    0)
			return yaml_document_get_node(d, pr->value);
	}
	return NULL;
}

int
ctl_config_digest(const char *text, size_t len, struct ctl_config_digest **out)
{
	struct ctl_config_digest *dg;
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *vnfs;
	yaml_node_item_t *it;
	int rc = 0;

	*out = NULL;
	dg = calloc(1, sizeof(*dg));
	if (dg == NULL)
		return -ENOMEM;
	if (!yaml_parser_initialize(&parser)) {
		free(dg);
		return -ENOMEM;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		rc = -EINVAL;
		goto err_parser;
	}
	vnfs = map_get(&doc, yaml_document_get_root_node(&doc), "vnfs");
	if (vnfs != NULL && vnfs->type == YAML_SEQUENCE_NODE) {
		size_t n = (size_t)(vnfs->data.sequence.items.top -
				    vnfs->data.sequence.items.start);

		dg->vnfs = calloc(n ? n : 1, sizeof(*dg->vnfs));
		if (dg->vnfs == NULL) {
			rc = -ENOMEM;
			goto err_doc;
		}
		for (it = vnfs->data.sequence.items.start;
		     it < vnfs->data.sequence.items.top; it++) {
			struct ctl_config_digest_vnf *v =
				&dg->vnfs[dg->n_vnfs++];
			yaml_node_t *e = yaml_document_get_node(&doc, *it);
			yaml_node_t *nm = map_get(&doc, e, "name");
			struct sbuf b = {0};

			if (nm != NULL && nm->type == YAML_SCALAR_NODE)
				snprintf(v->name, sizeof(v->name), "%.*s",
					 (int)nm->data.scalar.length,
					 (const char *)nm->data.scalar.value);
			canon(&doc, e, &b);
			if (b.oom) {
				free(b.p);
				rc = -ENOMEM;
				goto err_doc;
			}
			v->canon = b.p;
			v->len = b.len;
		}
	}
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	*out = dg;
	return 0;

err_doc:
	yaml_document_delete(&doc);
err_parser:
	yaml_parser_delete(&parser);
	ctl_config_digest_free(dg);
	return rc;
}

void
ctl_config_digest_free(struct ctl_config_digest *d)
{
	unsigned int i;

	if (d == NULL)
		return;
	for (i = 0; i < d->n_vnfs; i++)
		free(d->vnfs[i].canon);
	free(d->vnfs);
	free(d);
}

void
ctl_diff_append(char *out, size_t outlen, const char *what)
{
	size_t n = strnlen(out, outlen);

	if (n + 1 >= outlen)
		return;
	snprintf(out + n, outlen - n, "%s%s", n ? ", " : "", what);
}

static const struct ctl_config_digest_vnf *
digest_find(const struct ctl_config_digest *d, const char *name)
{
	unsigned int i;

	for (i = 0; d != NULL && i < d->n_vnfs; i++)
		if (strcmp(d->vnfs[i].name, name) == 0)
			return &d->vnfs[i];
	return NULL;
}

static bool
str_eq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

unsigned int
ctl_config_restart_diff(const struct ctl_config *a,
			const struct ctl_config_digest *da,
			const struct ctl_config *b,
			const struct ctl_config_digest *db, char *out,
			size_t outlen)
{
	char what[CTL_NAME_MAX + 32];
	unsigned int n = 0, i;

#define DIFF(cond, name)                                                       \
	do {                                                                   \
		if (cond) {                                                    \
			ctl_diff_append(out, outlen, name);                    \
			n++;                                                   \
		}                                                              \
	} while (0)
	DIFF(a->dataplane.workers != b->dataplane.workers, "dataplane.workers");
	DIFF(a->dataplane.memory != b->dataplane.memory, "dataplane.memory");
	DIFF(a->dataplane.hugepages != b->dataplane.hugepages,
	     "dataplane.hugepages");
	DIFF(!str_eq(a->dataplane.lcores, b->dataplane.lcores),
	     "dataplane.lcores");
	DIFF(!str_eq(a->dataplane.file_prefix, b->dataplane.file_prefix),
	     "dataplane.file_prefix");
	DIFF(a->dataplane.mbufs != b->dataplane.mbufs, "dataplane.mbufs");
	DIFF(a->dataplane.idle != b->dataplane.idle, "dataplane.idle");
	DIFF(a->dataplane.idle_sleep_max_us != b->dataplane.idle_sleep_max_us,
	     "dataplane.idle_sleep_max_us");
	DIFF(a->dataplane.share_cpus != b->dataplane.share_cpus,
	     "dataplane.share_cpus");
	DIFF(!str_eq(a->control.socket, b->control.socket), "control.socket");
#undef DIFF
	for (i = 0; i < a->n_vnfs; i++) {
		const struct ctl_config_digest_vnf *x =
			digest_find(da, a->vnfs[i].name);
		const struct ctl_config_digest_vnf *y =
			digest_find(db, a->vnfs[i].name);

		if (y == NULL)
			snprintf(what, sizeof(what), "vnf %s removed",
				 a->vnfs[i].name);
		else if (x == NULL || x->len != y->len ||
			 memcmp(x->canon, y->canon, x->len) != 0)
			snprintf(what, sizeof(what), "vnf %s changed",
				 a->vnfs[i].name);
		else
			continue;
		ctl_diff_append(out, outlen, what);
		n++;
	}
	for (i = 0; i < b->n_vnfs; i++) {
		if (digest_find(da, b->vnfs[i].name) != NULL)
			continue;
		snprintf(what, sizeof(what), "vnf %s added", b->vnfs[i].name);
		ctl_diff_append(out, outlen, what);
		n++;
	}
	/* The same VNFs in another order number their instances otherwise. */
	if (n == 0 && a->n_vnfs == b->n_vnfs) {
		for (i = 0; i < a->n_vnfs; i++)
			if (strcmp(a->vnfs[i].name, b->vnfs[i].name) != 0)
				break;
		if (i < a->n_vnfs) {
			ctl_diff_append(out, outlen, "the order of vnfs");
			n++;
		}
	}
	return n;
}

bool
ctl_port_config_equal(const struct ctl_port_config *a,
		      const struct ctl_port_config *b)
{
	return strcmp(a->name, b->name) == 0 && a->type == b->type &&
	       str_eq(a->path, b->path) && a->client == b->client &&
	       a->queues == b->queues && a->ring_size == b->ring_size &&
	       str_eq(a->ifname, b->ifname) && str_eq(a->netns, b->netns) &&
	       str_eq(a->xdp_prog, b->xdp_prog) &&
	       a->busy_budget == b->busy_budget &&
	       a->has_busy_budget == b->has_busy_budget &&
	       str_eq(a->rx, b->rx) && str_eq(a->tx, b->tx) &&
	       str_eq(a->address, b->address) && a->has_mac == b->has_mac &&
	       (!a->has_mac || memcmp(a->mac, b->mac, sizeof(a->mac)) == 0);
}

int
ctl_config_load_text(const char *path, struct ctl_config **out, char **text,
		     size_t *len, char *err, size_t errlen)
{
	char why[128];
	char *buf = NULL;
	size_t n = 0;
	int rc;

	*out = NULL;
	*text = NULL;
	rc = ctl_file_read(path, CTL_FILE_CONFIG_MAX, &buf, &n, why,
			   sizeof(why));
	if (rc < 0) {
		char *c;

		snprintf(err, errlen, "%s: %s", path, why);
		/* One line, whatever the path holds. */
		for (c = err; *c != '\0'; c++)
			if ((unsigned char)*c < 0x20 || *c == 0x7f)
				*c = '?';
		return rc;
	}
	rc = ctl_config_load_buffer(path, buf, n, out, err, errlen);
	if (rc < 0) {
		free(buf);
		return rc;
	}
	*text = buf;
	*len = n;
	return 0;
}
