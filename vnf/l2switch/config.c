/* SPDX-License-Identifier: BSD-3-Clause
 *
 * config.c - read the l2switch's keys of a `vnfs:` entry.
 *
 *   - {name: sw, type: l2switch, mac_table_size: 64k, aging_time: 300,
 *      ifaces: [{name: a, vlan: 10}, {name: t, vlan: 1, trunk: [10, 20]}],
 *      static_macs: [{mac: "02:00:00:00:00:01", iface: a}]}
 *
 * Control thread; errors through the loader's context (control/config.h),
 * one line "FILE:LINE: KEY.PATH: reason".  docs/config.md lists the keys.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vnf/l2switch/config.h"

struct l2sw_raw_static {
	char *mac, *vlan, *iface;
};

struct l2sw_raw {
	char *mac_table_size, *aging_time;
	struct l2sw_raw_static *static_macs;
	unsigned int static_macs_count;
};

struct l2sw_raw_iface {
	char *vlan;
	char **trunk;
	unsigned int trunk_count;
};

static const cyaml_schema_field_t l2sw_static_fields[] = {
	CTL_CFG_STR("mac", struct l2sw_raw_static, mac),
	CTL_CFG_STR("vlan", struct l2sw_raw_static, vlan),
	CTL_CFG_STR("iface", struct l2sw_raw_static, iface),
	CYAML_FIELD_END
};

static const cyaml_schema_value_t l2sw_static_schema = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct l2sw_raw_static,
			    l2sw_static_fields),
};

static const cyaml_schema_field_t l2sw_fields[] = {
	CTL_CFG_STR("mac_table_size", struct l2sw_raw, mac_table_size),
	CTL_CFG_STR("aging_time", struct l2sw_raw, aging_time),
	CTL_CFG_SEQ("static_macs", struct l2sw_raw, static_macs,
		    &l2sw_static_schema, NFV_MAX_STATIC_MACS),
	CYAML_FIELD_END
};

static const cyaml_schema_field_t l2sw_iface_fields[] = {
	CTL_CFG_STR("vlan", struct l2sw_raw_iface, vlan),
	CTL_CFG_SEQ("trunk", struct l2sw_raw_iface, trunk, &ctl_cfg_str_schema,
		    4094),
	CYAML_FIELD_END
};

static int l2sw_vlan_parse(struct ctl_cfg *c, const char *at, const char *key,
			   const char *s, uint16_t *vlan)
{
	return CTL_CFG_UINT(c, at, key, s, false, 1, 4094, 0, *vlan);
}

static int l2sw_iface_parse(struct ctl_cfg *c, const char *at,
			    const struct l2sw_raw_iface *r,
			    struct l2sw_iface_config *f)
{
	bool trunk = ctl_cfg_given(c, at, "trunk");
	uint64_t seen[4096 / 64] = { 0 };
	unsigned int i;
	char key[32];

	if (r->vlan && l2sw_vlan_parse(c, at, "vlan", r->vlan, &f->vlan))
		return -EINVAL;
	f->vlan_mode = r->vlan ? L2SW_VLAN_ACCESS : L2SW_VLAN_NONE;
	if (!trunk)
		return 0;
	f->vlan_mode = L2SW_VLAN_TRUNK;
	if (!r->trunk_count)
		return ctl_cfg_fail(c, at, "trunk",
				    "a trunk needs at least one VLAN");
	f->trunk = calloc(r->trunk_count, sizeof(*f->trunk));
	if (!f->trunk)
		return ctl_cfg_oom(c);
	for (i = 0; i < r->trunk_count; i++) {
		uint16_t vid;

		snprintf(key, sizeof(key), "trunk[%u]", i);
		if (l2sw_vlan_parse(c, at, key, r->trunk[i], &f->trunk[i]))
			return -EINVAL;
		f->n_trunk = i + 1;
		vid = f->trunk[i];
		if (seen[vid / 64] & (1ull << (vid % 64)))
			return ctl_cfg_fail(c, at, key,
					    "VLAN %u is listed twice", vid);
		seen[vid / 64] |= 1ull << (vid % 64);
		if (f->trunk[i] == f->vlan)
			return ctl_cfg_fail(c, at, key,
					    "VLAN %u is already the native "
					    "VLAN (vlan)", f->vlan);
	}
	return 0;
}

/* Does iface `f` carry VLAN `vlan`? */
static bool l2sw_iface_has_vlan(const struct l2sw_iface_config *f,
				uint16_t vlan)
{
	unsigned int i;

	if (f->vlan_mode == L2SW_VLAN_NONE)
		return vlan == 0;
	/* A trunk without a native VLAN carries no untagged traffic. */
	if (f->vlan && f->vlan == vlan)
		return true;
	if (f->vlan_mode == L2SW_VLAN_TRUNK)
		for (i = 0; i < f->n_trunk; i++)
			if (f->trunk[i] == vlan)
				return true;
	return false;
}

static int l2sw_static_cmp(const void *a, const void *b)
{
	const struct l2sw_static_mac *x = a, *y = b;

	if (x->vlan != y->vlan)
		return x->vlan < y->vlan ? -1 : 1;
	return memcmp(x->mac, y->mac, 6);
}

static int l2sw_static_parse(struct ctl_cfg *c, const char *at,
			     const struct l2sw_raw_static *rs,
			     const struct ctl_vnf_config *v,
			     const struct l2sw_config *sw,
			     struct l2sw_static_mac *s)
{
	const struct l2sw_iface_config *f;
	int idx;

	if (!rs->mac)
		return ctl_cfg_fail(c, at, "mac", "missing (required)");
	if (ctl_cfg_mac(c, at, "mac", rs->mac, false, s->mac))
		return -EINVAL;
	if (rs->vlan && CTL_CFG_UINT(c, at, "vlan", rs->vlan, false, 0, 4094, 0,
				     s->vlan))
		return -EINVAL;
	if (ctl_cfg_iface_ref(c, at, "iface", rs->iface, v, s->iface, &idx))
		return -EINVAL;
	f = &sw->ifaces[idx];
	/* Left out, the VLAN is the iface's untagged one. */
	if (!rs->vlan)
		s->vlan = f->vlan;
	if (!rs->vlan && !l2sw_iface_has_vlan(f, s->vlan))
		return ctl_cfg_fail(c, at, "vlan",
				    "missing: iface %s is a trunk without a "
				    "native VLAN, so give the VLAN", s->iface);
	if (!l2sw_iface_has_vlan(f, s->vlan))
		return ctl_cfg_fail(c, at, "vlan",
				    "iface %s does not carry VLAN %u", s->iface,
				    s->vlan);
	return 0;
}

static void l2sw_config_free(struct ctl_vnf_config *v)
{
	struct l2sw_config *sw = v->priv;
	unsigned int i;

	if (!sw)
		return;
	for (i = 0; sw->ifaces && i < v->n_ifaces; i++)
		free(sw->ifaces[i].trunk);
	free(sw->ifaces);
	free(sw->static_macs);
	free(sw);
	v->priv = NULL;
}

static int l2sw_config_parse(struct ctl_cfg *c, const char *at,
			     const void *raw, const void *const *iface_raw,
			     struct ctl_vnf_config *v)
{
	const struct l2sw_raw *r = raw;
	struct l2sw_config *sw;
	char sat[64];
	unsigned int i, j;
	int rc;

	sw = calloc(1, sizeof(*sw));
	if (!sw)
		return ctl_cfg_oom(c);
	v->priv = sw;
	sw->ifaces = calloc(v->n_ifaces, sizeof(*sw->ifaces));
	if (!sw->ifaces)
		return ctl_cfg_oom(c);
	for (i = 0; i < v->n_ifaces; i++) {
		snprintf(sat, sizeof(sat), "%s.ifaces[%u]", at, i);
		if (l2sw_iface_parse(c, sat, iface_raw[i], &sw->ifaces[i]))
			return -EINVAL;
	}
	if (CTL_CFG_UINT(c, at, "mac_table_size", r->mac_table_size, true, 16,
			 NFV_MAX_TABLE_SIZE, 65536, sw->mac_table_size))
		return -EINVAL;
	if (CTL_CFG_UINT(c, at, "aging_time", r->aging_time, false, 0,
			 UINT32_MAX, 300, sw->aging_time))
		return -EINVAL;
	if (r->static_macs_count) {
		sw->static_macs = calloc(r->static_macs_count,
					 sizeof(*sw->static_macs));
		if (!sw->static_macs)
			return ctl_cfg_oom(c);
	}
	for (i = 0; i < r->static_macs_count; i++) {
		snprintf(sat, sizeof(sat), "%s.static_macs[%u]", at, i);
		sw->n_static_macs = i + 1;
		if (l2sw_static_parse(c, sat, &r->static_macs[i], v, sw,
				      &sw->static_macs[i]))
			return -EINVAL;
	}
	rc = ctl_cfg_find_dup(sw->static_macs, sw->n_static_macs,
			      sizeof(*sw->static_macs), l2sw_static_cmp, &i,
			      &j);
	if (rc == -ENOMEM)
		return ctl_cfg_oom(c);
	if (!rc) {
		snprintf(sat, sizeof(sat), "%s.static_macs[%u]", at, j);
		return ctl_cfg_fail(c, sat, "mac",
				    "%s in VLAN %u is already in "
				    "static_macs[%u]",
				    r->static_macs[j].mac,
				    sw->static_macs[j].vlan, i);
	}
	return 0;
}

static struct ctl_vnf_type l2sw_config_type = {
	.type = "l2switch",
	.min_ifaces = 2,
	.fields = l2sw_fields,
	.raw_size = sizeof(struct l2sw_raw),
	.iface_fields = l2sw_iface_fields,
	.iface_raw_size = sizeof(struct l2sw_raw_iface),
	.parse = l2sw_config_parse,
	.free = l2sw_config_free,
};

CTL_VNF_TYPE_REGISTER(l2sw_config_type)
