/* SPDX-License-Identifier: BSD-3-Clause
 *
 * config.c - read the mirror's keys of a `vnfs:` entry.
 *
 *   - {name: tap1, type: mirror, ifaces: [{name: in}, {name: out},
 *      {name: span}], direction: both, snaplen: 128, sample: 1}
 *
 * Control thread; errors through the loader's context (control/config.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vnf/mirror/config.h"

/* Indexed by enum mir_direction; [0] unused. */
const char *const mir_direction_names[] = {
	[0] = "", [MIR_DIR_IN] = "in", [MIR_DIR_OUT] = "out",
	[MIR_DIR_BOTH] = "both",
};

struct mir_raw {
	char *direction, *snaplen, *sample;
};

static const cyaml_schema_field_t mir_fields[] = {
	CTL_CFG_STR("direction", struct mir_raw, direction),
	CTL_CFG_STR("snaplen", struct mir_raw, snaplen),
	CTL_CFG_STR("sample", struct mir_raw, sample),
	CYAML_FIELD_END
};

static void mir_config_free(struct ctl_vnf_config *v)
{
	free(v->priv);
	v->priv = NULL;
}

static int mir_config_parse(struct ctl_cfg *c, const char *at, const void *raw,
			    const void *const *iface_raw,
			    struct ctl_vnf_config *v)
{
	static const char *const names[] = { "in", "out", "both", NULL };
	static const char *const ifnames[MIR_N_IFACES] = { "in", "out",
							    "span" };
	const struct mir_raw *r = raw;
	struct mir_config *mc;
	unsigned int i;
	int d;

	(void)iface_raw;
	/* Fixed names say which iface is which, in any wiring. */
	for (i = 0; i < MIR_N_IFACES; i++)
		if (i >= v->n_ifaces || strcmp(v->ifaces[i].name, ifnames[i]))
			return ctl_cfg_fail(c, at, "ifaces",
					    "a mirror has exactly the ifaces "
					    "[in, out, span], in that order");
	if (v->n_ifaces != MIR_N_IFACES)
		return ctl_cfg_fail(c, at, "ifaces",
				    "a mirror has exactly the ifaces "
				    "[in, out, span], in that order");
	mc = calloc(1, sizeof(*mc));
	if (!mc)
		return ctl_cfg_oom(c);
	v->priv = mc;
	mc->direction = MIR_DIR_IN;
	if (r->direction) {
		d = ctl_cfg_enum(c, at, "direction", r->direction, names);
		if (d < 0)
			return d;
		mc->direction = (enum mir_direction)(d + 1);
	}
	/* A copy shorter than an Ethernet header is no use to an analyzer. */
	if (CTL_CFG_UINT(c, at, "snaplen", r->snaplen, false, 14, 65535, 0,
			 mc->snaplen))
		return -EINVAL;
	if (CTL_CFG_UINT(c, at, "sample", r->sample, false, 1, 1u << 30, 1,
			 mc->sample))
		return -EINVAL;
	return 0;
}

static struct ctl_vnf_type mir_config_type = {
	.type = "mirror",
	.min_ifaces = MIR_N_IFACES,
	.fields = mir_fields,
	.raw_size = sizeof(struct mir_raw),
	.parse = mir_config_parse,
	.free = mir_config_free,
};

CTL_VNF_TYPE_REGISTER(mir_config_type)
