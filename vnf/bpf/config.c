/* SPDX-License-Identifier: BSD-3-Clause
 *
 * config.c - read the bpf VNF's keys of a `vnfs:` entry.
 *
 *   - {name: cls, type: bpf, ifaces: [{name: in}, {name: web}],
 *      program: build/configs/bpf/port_classifier.o,
 *      section: nfvd/classifier, jit: true}
 *
 * Only the keys are checked here: the object is opened when the VNF is
 * created (nfvd --check and nfvctl need no file), and what it lacks is an
 * error there.  Control thread; errors through the loader's context
 * (control/config.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vnf/bpf/config.h"

struct vnf_bpf_raw {
	char *program, *section, *jit;
};

static const cyaml_schema_field_t vnf_bpf_fields[] = {
	CTL_CFG_STR("program", struct vnf_bpf_raw, program),
	CTL_CFG_STR("section", struct vnf_bpf_raw, section),
	CTL_CFG_STR("jit", struct vnf_bpf_raw, jit), CYAML_FIELD_END};

static void
vnf_bpf_config_free(struct ctl_vnf_config *v)
{
	struct vnf_bpf_config *bc = v->priv;

	if (bc) {
		free(bc->program);
		free(bc->section);
	}
	free(bc);
	v->priv = NULL;
}

static int
vnf_bpf_config_parse(struct ctl_cfg *c, const char *at, const void *raw,
		     const void *const *iface_raw, struct ctl_vnf_config *v)
{
	static const char *const bools[] = {"true", "false", NULL};
	const struct vnf_bpf_raw *r = raw;
	struct vnf_bpf_config *bc;
	int b;

	(void)iface_raw;
	if (!r->program || !*r->program)
		return ctl_cfg_fail(c, at, "program",
				    "a bpf vnf needs its program (an ELF "
				    "object built with clang -target bpf)");
	if (r->section && !*r->section)
		return ctl_cfg_fail(c, at, "section", "must not be empty");
	bc = calloc(1, sizeof(*bc));
	if (!bc)
		return ctl_cfg_oom(c);
	v->priv = bc;
	bc->jit = true;
	bc->program = strdup(r->program);
	if (!bc->program)
		return ctl_cfg_oom(c);
	if (r->section) {
		bc->section = strdup(r->section);
		if (!bc->section)
			return ctl_cfg_oom(c);
	}
	if (r->jit) {
		b = ctl_cfg_enum(c, at, "jit", r->jit, bools);
		if (b < 0)
			return b;
		bc->jit = b == 0;
	}
	return 0;
}

static struct ctl_vnf_type vnf_bpf_config_type = {
	.type = "bpf",
	.min_ifaces = 1,
	.fields = vnf_bpf_fields,
	.raw_size = sizeof(struct vnf_bpf_raw),
	.parse = vnf_bpf_config_parse,
	.free = vnf_bpf_config_free,
};

CTL_VNF_TYPE_REGISTER(vnf_bpf_config_type)
