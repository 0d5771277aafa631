/* SPDX-License-Identifier: BSD-3-Clause
 *
 * vnf.c - the registry of VNF types and the life cycle of instances.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <rte_malloc.h>

#include "control/config.h"
#include "vnf/vnf.h"

#define VNF_MAX_TYPES 16

void (*vnf_wake_workers)(void);

static const struct vnf_ops *vnf_types[VNF_MAX_TYPES];
static unsigned int vnf_n_types;

void
vnf_register(const struct vnf_ops *ops)
{
	/* Constructors run before main(): there is nobody to tell. */
	if (vnf_n_types < VNF_MAX_TYPES)
		vnf_types[vnf_n_types++] = ops;
}

const struct vnf_ops *
vnf_lookup(const char *type)
{
	unsigned int i;

	for (i = 0; i < vnf_n_types; i++)
		if (strcmp(vnf_types[i]->type, type) == 0)
			return vnf_types[i];
	return NULL;
}

void
vnf_foreach_type(void (*fn)(const struct vnf_ops *ops, void *arg), void *arg)
{
	unsigned int i;

	for (i = 0; i < vnf_n_types; i++)
		fn(vnf_types[i], arg);
}

int
vnf_iface_index(const struct vnf_instance *vi, const char *name)
{
	uint16_t i;

	for (i = 0; i < vi->n_ifaces; i++)
		if (strcmp(vi->ifaces[i].name, name) == 0)
			return i;
	return -ENOENT;
}

uint64_t
vnf_counter_sum(const struct vnf_instance *vi, uint16_t c)
{
	uint64_t sum = 0;
	unsigned int w;

	for (w = 0; w < vi->n_workers; w++)
		sum += vi->slots[w].counters[c];
	return sum;
}

void
vnf_fates_get(const struct vnf_instance *vi, struct vnf_fates *f)
{
	unsigned int w;
	uint16_t c;

	memset(f, 0, sizeof(*f));
	for (w = 0; w < vi->n_workers; w++)
		f->packets += vi->slots[w].pkts;
	for (c = 0; c < vi->ops->n_counters; c++) {
		switch (vi->ops->counters[c].kind) {
		case VNF_CK_PASS:
			f->passed += vnf_counter_sum(vi, c);
			break;
		case VNF_CK_DROP:
			f->dropped += vnf_counter_sum(vi, c);
			break;
		case VNF_CK_HELD:
			f->held += vnf_counter_sum(vi, c);
			break;
		default:
			break;
		}
	}
}

int
vnf_instance_create(const struct ctl_vnf_config *cfg, uint16_t id,
		    unsigned int n_workers, struct rte_rcu_qsbr *rcu,
		    struct vnf_instance **out, char *err, size_t errlen)
{
	const struct vnf_ops *ops = vnf_lookup(cfg->type);
	struct vnf_instance *vi;
	size_t csz;
	unsigned int w, i;
	int rc;

	if (ops == NULL) {
		snprintf(err, errlen, "vnf %s: unknown type %s", cfg->name,
			 cfg->type);
		return -ENOENT;
	}
	if (cfg->n_ifaces > VNF_MAX_IFACES) {
		snprintf(err, errlen, "vnf %s: more than %d ifaces", cfg->name,
			 VNF_MAX_IFACES);
		return -E2BIG;
	}
	vi = rte_zmalloc("vnf", sizeof(*vi), RTE_CACHE_LINE_SIZE);
	if (vi == NULL)
		goto err_nomem;
	snprintf(vi->name, sizeof(vi->name), "%s", cfg->name);
	vi->ops = ops;
	vi->id = id;
	vi->rcu = rcu;
	vi->n_workers = n_workers;
	vi->n_ifaces = cfg->n_ifaces;
	for (i = 0; i < cfg->n_ifaces; i++)
		snprintf(vi->ifaces[i].name, sizeof(vi->ifaces[i].name), "%s",
			 cfg->ifaces[i].name);

	vi->slots = rte_zmalloc("vnf_slots", n_workers * sizeof(vi->slots[0]),
				RTE_CACHE_LINE_SIZE);
	if (vi->slots == NULL)
		goto err_free;
	/* Counters and state of each worker on cache lines of their own. */
	csz = RTE_ALIGN_CEIL(RTE_MAX(ops->n_counters, 1) * sizeof(uint64_t),
			     RTE_CACHE_LINE_SIZE);
	for (w = 0; w < n_workers; w++) {
		vi->slots[w].counters =
			rte_zmalloc("vnf_ctr", csz, RTE_CACHE_LINE_SIZE);
		if (vi->slots[w].counters == NULL)
			goto err_free;
		if (ops->worker_size == 0)
			continue;
		vi->slots[w].state = rte_zmalloc("vnf_wstate", ops->worker_size,
						 RTE_CACHE_LINE_SIZE);
		if (vi->slots[w].state == NULL)
			goto err_free;
	}

	rc = ops->create(vi, cfg, err, errlen);
	if (rc < 0)
		goto err_create;
	*out = vi;
	return 0;

err_nomem:
	snprintf(err, errlen, "vnf %s: out of memory", cfg->name);
	return -ENOMEM;
err_free:
	snprintf(err, errlen, "vnf %s: out of memory", cfg->name);
	rc = -ENOMEM;
err_create:
	vnf_instance_destroy(vi);
	return rc;
}

void
vnf_instance_destroy(struct vnf_instance *vi)
{
	unsigned int w;

	if (vi == NULL)
		return;
	if (vi->ops->destroy != NULL)
		vi->ops->destroy(vi);
	if (vi->slots != NULL) {
		for (w = 0; w < vi->n_workers; w++) {
			rte_free(vi->slots[w].counters);
			rte_free(vi->slots[w].state);
		}
		rte_free(vi->slots);
	}
	rte_free(vi);
}

int
vnf_config_view(const struct vnf_instance *vi, struct ctl_vnf_config *v)
{
	uint16_t i;

	memset(v, 0, sizeof(*v));
	snprintf(v->name, sizeof(v->name), "%s", vi->name);
	snprintf(v->type, sizeof(v->type), "%s", vi->ops->type);
	v->ifaces = calloc(vi->n_ifaces + 1, sizeof(*v->ifaces));
	if (v->ifaces == NULL)
		return -ENOMEM;
	for (i = 0; i < vi->n_ifaces; i++)
		snprintf(v->ifaces[i].name, sizeof(v->ifaces[i].name), "%s",
			 vi->ifaces[i].name);
	v->n_ifaces = vi->n_ifaces;
	return 0;
}

void
vnf_config_view_free(struct ctl_vnf_config *v)
{
	free(v->ifaces);
	v->ifaces = NULL;
	v->n_ifaces = 0;
}

int
vnf_request_load(const char *verb, json_t *args, const char *const *extra,
		 const cyaml_schema_value_t *schema, void **raw,
		 struct ctl_cfg **c, char *err, size_t errlen)
{
	static const char *const common[] = {"cmd", "vnf", NULL};
	json_t *obj;
	char *text;
	size_t i;
	int rc;

	if (!json_is_object(args)) {
		snprintf(err, errlen, "%s: expected an object", verb);
		return -EINVAL;
	}
	obj = json_copy(args);
	if (obj == NULL)
		goto err_mem;
	for (i = 0; common[i] != NULL; i++)
		json_object_del(obj, common[i]);
	for (i = 0; extra != NULL && extra[i] != NULL; i++)
		json_object_del(obj, extra[i]);
	text = json_dumps(obj, JSON_COMPACT);
	json_decref(obj);
	if (text == NULL)
		goto err_mem;
	rc = ctl_cfg_object_load(verb, text, strlen(text), schema, raw, c, err,
				 errlen);
	free(text);
	return rc;
err_mem:
	snprintf(err, errlen, "%s: out of memory", verb);
	return -ENOMEM;
}
