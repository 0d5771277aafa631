/* SPDX-License-Identifier: BSD-3-Clause
 *
 * config.c - read the vxlan VNF's keys of a `vnfs:` entry.
 *
 *   - name: vx
 *     type: vxlan
 *     ifaces: [{name: underlay}, {name: red, vni: 100}, {name: blue, vni: 200}]
 *     local: [192.0.2.1, "2001:db8::1"]     # at most one per family
 *     mac: "02:00:00:00:0a:01"               # the underlay iface's MAC
 *     nexthop_mac: "02:00:00:00:0a:fe"       # VTEPs without their own mac
 *     encap: vxlan                           # or geneve (RFC 8926)
 *     udp_port: 4789                         # geneve: 6081
 *     mtu: 1500
 *     fdb_size: 64k
 *     aging_time: 300
 *     vteps: [{ip: 192.0.2.2, mac: "02:00:00:00:0b:01", vnis: [100, 200]}]
 *     fdb: [{mac: "02:00:00:00:00:42", vni: 100, vtep: 192.0.2.2}]
 *     evpn: {netns: evpn-ns}                 # BGP-EVPN through the kernel
 *
 * Control thread; errors through the loader's context (control/config.h),
 * one line "FILE:LINE: KEY.PATH: reason".  docs/config.md and
 * docs/overlay.md list the keys.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "vnf/vxlan/config.h"

struct vx_raw_evpn {
	char *netns;
};

struct vx_raw {
	char **local;
	unsigned int local_count;
	char *mac, *nexthop_mac, *encap, *udp_port, *mtu, *fdb_size,
		*aging_time;
	struct vx_raw_vtep *vteps;
	unsigned int vteps_count;
	struct vx_raw_fdb *fdb;
	unsigned int fdb_count;
	struct vx_raw_evpn *evpn;
};

struct vx_raw_iface {
	char *vni;
};

static const cyaml_schema_field_t vx_vtep_fields[] = {
	CTL_CFG_STR("ip", struct vx_raw_vtep, ip),
	CTL_CFG_STR("mac", struct vx_raw_vtep, mac),
	CTL_CFG_SEQ("vnis", struct vx_raw_vtep, vnis, &ctl_cfg_str_schema,
		    NFV_MAX_IFACES),
	CYAML_FIELD_END};

static const cyaml_schema_value_t vx_vtep_entry_schema = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct vx_raw_vtep,
			    vx_vtep_fields),
};

/* One object alone (a request's arguments): a pointer at the top. */
const cyaml_schema_value_t vx_vtep_schema = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_POINTER, struct vx_raw_vtep,
			    vx_vtep_fields),
};

static const cyaml_schema_field_t vx_fdb_fields[] = {
	CTL_CFG_STR("mac", struct vx_raw_fdb, mac),
	CTL_CFG_STR("vni", struct vx_raw_fdb, vni),
	CTL_CFG_STR("vtep", struct vx_raw_fdb, vtep), CYAML_FIELD_END};

static const cyaml_schema_value_t vx_fdb_entry_schema = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct vx_raw_fdb,
			    vx_fdb_fields),
};

const cyaml_schema_value_t vx_fdb_schema = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_POINTER, struct vx_raw_fdb,
			    vx_fdb_fields),
};

static const cyaml_schema_field_t vx_evpn_fields[] = {
	CTL_CFG_STR("netns", struct vx_raw_evpn, netns), CYAML_FIELD_END};

static const cyaml_schema_field_t vx_fields[] = {
	CTL_CFG_SEQ("local", struct vx_raw, local, &ctl_cfg_str_schema, 2),
	CTL_CFG_STR("mac", struct vx_raw, mac),
	CTL_CFG_STR("nexthop_mac", struct vx_raw, nexthop_mac),
	CTL_CFG_STR("encap", struct vx_raw, encap),
	CTL_CFG_STR("udp_port", struct vx_raw, udp_port),
	CTL_CFG_STR("mtu", struct vx_raw, mtu),
	CTL_CFG_STR("fdb_size", struct vx_raw, fdb_size),
	CTL_CFG_STR("aging_time", struct vx_raw, aging_time),
	CTL_CFG_SEQ("vteps", struct vx_raw, vteps, &vx_vtep_entry_schema,
		    VX_MAX_VTEPS),
	CTL_CFG_SEQ("fdb", struct vx_raw, fdb, &vx_fdb_entry_schema,
		    NFV_MAX_STATIC_MACS),
	CYAML_FIELD_MAPPING_PTR("evpn", CTL_CFG_OPT, struct vx_raw, evpn,
				vx_evpn_fields),
	CYAML_FIELD_END};

/* By enum vx_encap_kind. */
static const char *const vx_encap_names[] = {"vxlan", "geneve", NULL};

static const cyaml_schema_field_t vx_iface_fields[] = {
	CTL_CFG_STR("vni", struct vx_raw_iface, vni), CYAML_FIELD_END};

int
vx_config_vni_iface(const struct vx_config *xc, unsigned int n_ifaces,
		    uint32_t vni)
{
	unsigned int i;

	for (i = 1; i < n_ifaces; i++)
		if (xc->vni[i] == vni)
			return (int)i;
	return -1;
}

/* A VNI that one of the ifaces carries. */
static int
vx_vni_ref(struct ctl_cfg *c, const char *at, const char *key, const char *s,
	   const struct vx_config *xc, unsigned int n_ifaces, uint32_t *vni)
{
	if (CTL_CFG_UINT(c, at, key, s, false, 1, VX_VNI_MAX, 0, *vni))
		return -EINVAL;
	if (vx_config_vni_iface(xc, n_ifaces, *vni) < 0)
		return ctl_cfg_fail(c, at, key,
				    "VNI %u is not the vni of any iface",
				    (unsigned int)*vni);
	return 0;
}

/* A remote VTEP address: a family the instance has a local address of. */
static int
vx_vtep_addr(struct ctl_cfg *c, const char *at, const char *key, const char *s,
	     const struct vx_config *xc, struct ctl_prefix *p)
{
	if (!s)
		return ctl_cfg_fail(c, at, key, "missing (required)");
	if (ctl_cfg_addr(c, at, key, s, p))
		return -EINVAL;
	if (p->family == AF_INET ? !xc->has_local4 : !xc->has_local6)
		return ctl_cfg_fail(c, at, key,
				    "%s VTEP %s but no local %s address "
				    "(local)",
				    ctl_family_name(p->family), s,
				    ctl_family_name(p->family));
	if (p->family == AF_INET ? !memcmp(p->addr, xc->local4, 4)
				 : !memcmp(p->addr, xc->local6, 16))
		return ctl_cfg_fail(c, at, key,
				    "%s is this VTEP's own address (local)", s);
	return 0;
}

void
vx_vtep_config_clear(struct vx_vtep_config *t)
{
	free(t->vnis);
	t->vnis = NULL;
	t->n_vnis = 0;
}

int
vx_vtep_parse(struct ctl_cfg *c, const char *at, const struct vx_raw_vtep *r,
	      const struct vx_config *xc, unsigned int n_ifaces,
	      struct vx_vtep_config *t)
{
	unsigned int i, j;
	char key[32];

	if (vx_vtep_addr(c, at, "ip", r->ip, xc, &t->ip))
		return -EINVAL;
	if (r->mac) {
		if (ctl_cfg_mac(c, at, "mac", r->mac, true, t->mac))
			return -EINVAL;
		t->has_mac = true;
	}
	if (r->vnis_count) {
		t->vnis = calloc(r->vnis_count, sizeof(*t->vnis));
		if (!t->vnis)
			return ctl_cfg_oom(c);
	}
	for (i = 0; i < r->vnis_count; i++) {
		snprintf(key, sizeof(key), "vnis[%u]", i);
		if (vx_vni_ref(c, at, key, r->vnis[i], xc, n_ifaces,
			       &t->vnis[i]))
			return -EINVAL;
		t->n_vnis = i + 1;
		for (j = 0; j < i; j++)
			if (t->vnis[j] == t->vnis[i])
				return ctl_cfg_fail(c, at, key,
						    "VNI %u is listed twice",
						    (unsigned int)t->vnis[i]);
	}
	return 0;
}

int
vx_fdb_parse(struct ctl_cfg *c, const char *at, const struct vx_raw_fdb *r,
	     const struct vx_config *xc, unsigned int n_ifaces,
	     struct vx_fdb_config *f)
{
	if (!r->mac)
		return ctl_cfg_fail(c, at, "mac", "missing (required)");
	if (ctl_cfg_mac(c, at, "mac", r->mac, true, f->mac))
		return -EINVAL;
	if (!r->vni)
		return ctl_cfg_fail(c, at, "vni", "missing (required)");
	if (vx_vni_ref(c, at, "vni", r->vni, xc, n_ifaces, &f->vni))
		return -EINVAL;
	return vx_vtep_addr(c, at, "vtep", r->vtep, xc, &f->vtep);
}

static void
vx_config_free(struct ctl_vnf_config *v)
{
	struct vx_config *xc = v->priv;
	unsigned int i;

	if (!xc)
		return;
	for (i = 0; xc->vteps && i < xc->n_vteps; i++)
		vx_vtep_config_clear(&xc->vteps[i]);
	free(xc->vteps);
	free(xc->fdb);
	free(xc->vni);
	free(xc);
	v->priv = NULL;
}

static int
vx_ifaces_parse(struct ctl_cfg *c, const char *at, const void *const *iface_raw,
		struct ctl_vnf_config *v, struct vx_config *xc)
{
	unsigned int i, j;
	char sat[64];

	/* A fixed name says which iface is the underlay in any wiring. */
	if (strcmp(v->ifaces[0].name, "underlay"))
		return ctl_cfg_fail(c, at, "ifaces",
				    "a vxlan's first iface is its underlay "
				    "and is named underlay");
	for (i = 0; i < v->n_ifaces; i++) {
		const struct vx_raw_iface *ri = iface_raw[i];

		snprintf(sat, sizeof(sat), "%s.ifaces[%u]", at, i);
		if (i == 0) {
			if (ri->vni)
				return ctl_cfg_fail(c, sat, "vni",
						    "the underlay carries "
						    "every VNI; it has none "
						    "of its own");
			continue;
		}
		if (!ri->vni)
			return ctl_cfg_fail(c, sat, "vni",
					    "missing (required): each iface "
					    "but the underlay is one VNI's "
					    "segment");
		if (CTL_CFG_UINT(c, sat, "vni", ri->vni, false, 1, VX_VNI_MAX,
				 0, xc->vni[i]))
			return -EINVAL;
		for (j = 1; j < i; j++)
			if (xc->vni[j] == xc->vni[i])
				return ctl_cfg_fail(c, sat, "vni",
						    "VNI %u is already iface "
						    "%s's",
						    (unsigned int)xc->vni[i],
						    v->ifaces[j].name);
	}
	return 0;
}

static int
vx_local_parse(struct ctl_cfg *c, const char *at, const struct vx_raw *r,
	       struct vx_config *xc)
{
	struct ctl_prefix p;
	unsigned int i;
	char key[32];

	if (!r->local_count)
		return ctl_cfg_fail(c, at, "local",
				    "missing (required): the local VTEP "
				    "address, IPv4 or IPv6 or one of each");
	for (i = 0; i < r->local_count; i++) {
		snprintf(key, sizeof(key), "local[%u]", i);
		if (ctl_cfg_addr(c, at, key, r->local[i], &p))
			return -EINVAL;
		if (p.family == AF_INET ? xc->has_local4 : xc->has_local6)
			return ctl_cfg_fail(c, at, key,
					    "a second local %s address; one "
					    "of each family at most",
					    ctl_family_name(p.family));
		if (p.family == AF_INET) {
			memcpy(xc->local4, p.addr, 4);
			xc->has_local4 = true;
		} else {
			memcpy(xc->local6, p.addr, 16);
			xc->has_local6 = true;
		}
	}
	return 0;
}

/*
 * evpn: {netns: NAME}.  The name is what `ip netns` accepts (a file under
 * /run/netns): not empty, at most 63 bytes, no '/', not "." or "..".
 * Remote VTEPs come from the kernel then, without a MAC of their own:
 * nexthop_mac is their next hop.  The kernel devices are named after the
 * VNI (br<V>, vxlan<V>, nfv<V>): at most 13 characters, within IFNAMSIZ.
 */
static int
vx_evpn_parse_cfg(struct ctl_cfg *c, const char *at, const struct vx_raw *r,
		  struct vx_config *xc)
{
	char eat[64];
	size_t n;

	snprintf(eat, sizeof(eat), "%s.evpn", at);
	if (!r->evpn->netns)
		return ctl_cfg_fail(c, eat, "netns", "missing (required)");
	n = strlen(r->evpn->netns);
	if (n == 0 || n >= sizeof(xc->evpn_netns) ||
	    strchr(r->evpn->netns, '/') || !strcmp(r->evpn->netns, ".") ||
	    !strcmp(r->evpn->netns, ".."))
		return ctl_cfg_fail(c, eat, "netns",
				    "\"" CTL_CFG_QUOTE "\" is not a valid "
				    "network namespace name (1..%zu "
				    "characters, no '/', not . or ..)",
				    r->evpn->netns, sizeof(xc->evpn_netns) - 1);
	if (!xc->has_nexthop_mac)
		return ctl_cfg_fail(c, at, "nexthop_mac",
				    "missing: EVPN's remote VTEPs need the "
				    "underlay next hop's MAC (evpn)");
	memcpy(xc->evpn_netns, r->evpn->netns, n + 1);
	return 0;
}

static int
vx_vtep_cmp(const void *a, const void *b)
{
	return ctl_prefix_cmp(&((const struct vx_vtep_config *)a)->ip,
			      &((const struct vx_vtep_config *)b)->ip);
}

static int
vx_fdb_cmp(const void *a, const void *b)
{
	const struct vx_fdb_config *x = a, *y = b;

	if (x->vni != y->vni)
		return x->vni < y->vni ? -1 : 1;
	return memcmp(x->mac, y->mac, 6);
}

static int
vx_config_parse(struct ctl_cfg *c, const char *at, const void *raw,
		const void *const *iface_raw, struct ctl_vnf_config *v)
{
	const struct vx_raw *r = raw;
	struct vx_config *xc;
	unsigned int i, j, k;
	char sat[64];
	int rc;

	xc = calloc(1, sizeof(*xc));
	if (!xc)
		return ctl_cfg_oom(c);
	v->priv = xc;
	xc->vni = calloc(v->n_ifaces, sizeof(*xc->vni));
	if (!xc->vni)
		return ctl_cfg_oom(c);
	if (vx_ifaces_parse(c, at, iface_raw, v, xc))
		return -EINVAL;
	if (vx_local_parse(c, at, r, xc))
		return -EINVAL;
	if (!r->mac)
		return ctl_cfg_fail(c, at, "mac",
				    "missing (required): the underlay "
				    "iface's MAC");
	if (ctl_cfg_mac(c, at, "mac", r->mac, true, xc->mac))
		return -EINVAL;
	if (r->nexthop_mac) {
		if (ctl_cfg_mac(c, at, "nexthop_mac", r->nexthop_mac, true,
				xc->nexthop_mac))
			return -EINVAL;
		xc->has_nexthop_mac = true;
	}
	if (r->encap) {
		rc = ctl_cfg_enum(c, at, "encap", r->encap, vx_encap_names);
		if (rc < 0)
			return rc;
		xc->encap = (uint8_t)rc;
	}
	if (CTL_CFG_UINT(c, at, "udp_port", r->udp_port, false, 1, 65535,
			 xc->encap == VX_ENCAP_GENEVE ? VX_PORT_GENEVE
						      : VX_PORT_DEFAULT,
			 xc->udp_port))
		return -EINVAL;
	/* 68: the least an IPv4 link carries (RFC 791); an IPv6 underlay
	 * needs 1280, checked where the family is known: every frame is
	 * then dropped as too big, counted, which is what a small MTU
	 * asks for. */
	if (CTL_CFG_UINT(c, at, "mtu", r->mtu, false, 68, 65535, 1500, xc->mtu))
		return -EINVAL;
	if (CTL_CFG_UINT(c, at, "fdb_size", r->fdb_size, true, 16,
			 NFV_MAX_TABLE_SIZE, 65536, xc->fdb_size))
		return -EINVAL;
	if (CTL_CFG_UINT(c, at, "aging_time", r->aging_time, false, 0,
			 UINT32_MAX, 300, xc->aging_time))
		return -EINVAL;
	/* FRR's EVPN and the kernel devices the mirror makes (vxlan<V>)
	 * speak VXLAN only. */
	if (r->evpn && xc->encap == VX_ENCAP_GENEVE)
		return ctl_cfg_fail(c, at, "encap",
				    "geneve cannot be used with evpn: EVPN "
				    "(FRR) and the kernel devices nfvd makes "
				    "for it are VXLAN");
	if (r->evpn && vx_evpn_parse_cfg(c, at, r, xc))
		return -EINVAL;

	if (r->vteps_count) {
		xc->vteps = calloc(r->vteps_count, sizeof(*xc->vteps));
		if (!xc->vteps)
			return ctl_cfg_oom(c);
	}
	for (i = 0; i < r->vteps_count; i++) {
		snprintf(sat, sizeof(sat), "%s.vteps[%u]", at, i);
		xc->n_vteps = i + 1;
		if (vx_vtep_parse(c, sat, &r->vteps[i], xc, v->n_ifaces,
				  &xc->vteps[i]))
			return -EINVAL;
		/* Next hops come from the config (docs/overlay.md): a
		 * VTEP must have one. */
		if (!xc->vteps[i].has_mac && !xc->has_nexthop_mac)
			return ctl_cfg_fail(c, sat, "mac",
					    "missing: give the underlay next "
					    "hop's MAC here or as nexthop_mac");
	}
	rc = ctl_cfg_find_dup(xc->vteps, xc->n_vteps, sizeof(*xc->vteps),
			      vx_vtep_cmp, &i, &j);
	if (rc == -ENOMEM)
		return ctl_cfg_oom(c);
	if (!rc) {
		snprintf(sat, sizeof(sat), "%s.vteps[%u]", at, j);
		return ctl_cfg_fail(c, sat, "ip", "%s is already vteps[%u]",
				    r->vteps[j].ip, i);
	}

	if (r->fdb_count) {
		xc->fdb = calloc(r->fdb_count, sizeof(*xc->fdb));
		if (!xc->fdb)
			return ctl_cfg_oom(c);
	}
	for (i = 0; i < r->fdb_count; i++) {
		struct vx_fdb_config *f = &xc->fdb[i];

		snprintf(sat, sizeof(sat), "%s.fdb[%u]", at, i);
		xc->n_fdb = i + 1;
		if (vx_fdb_parse(c, sat, &r->fdb[i], xc, v->n_ifaces, f))
			return -EINVAL;
		for (k = 0; k < xc->n_vteps; k++)
			if (!ctl_prefix_cmp(&xc->vteps[k].ip, &f->vtep))
				break;
		if (k == xc->n_vteps)
			return ctl_cfg_fail(c, sat, "vtep",
					    "%s is not one of vteps",
					    r->fdb[i].vtep);
	}
	rc = ctl_cfg_find_dup(xc->fdb, xc->n_fdb, sizeof(*xc->fdb), vx_fdb_cmp,
			      &i, &j);
	if (rc == -ENOMEM)
		return ctl_cfg_oom(c);
	if (!rc) {
		snprintf(sat, sizeof(sat), "%s.fdb[%u]", at, j);
		return ctl_cfg_fail(
			c, sat, "mac", "%s in VNI %u is already fdb[%u]",
			r->fdb[j].mac, (unsigned int)xc->fdb[j].vni, i);
	}
	return 0;
}

static struct ctl_vnf_type vx_config_type = {
	.type = "vxlan",
	.min_ifaces = 2,
	.fields = vx_fields,
	.raw_size = sizeof(struct vx_raw),
	.iface_fields = vx_iface_fields,
	.iface_raw_size = sizeof(struct vx_raw_iface),
	.parse = vx_config_parse,
	.free = vx_config_free,
};

CTL_VNF_TYPE_REGISTER(vx_config_type)
