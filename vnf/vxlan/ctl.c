/* SPDX-License-Identifier: BSD-3-Clause
 *
 * ctl.c - the vxlan VNF's control verbs (vx_verbs) and its part of
 * `show vnf` (vx_details): the VTEPs with their flood lists, the FDB.
 *
 *   vtep add ADDR [mac MAC] [vni VNI]  a VTEP (its next hop), and into
 *                                      that VNI's flood list
 *   vtep del ADDR [vni VNI]            out of that VNI's flood list;
 *                                      without vni the VTEP and its FDB
 *                                      entries go
 *   fdb add MAC vni VNI vtep ADDR      a static FDB entry
 *   fdb del MAC vni VNI
 *   fdb flush                          forget the learned entries
 *   show vtep, show fdb, show evpn
 *
 * The EVPN mirror (evpn.c, control/mirror/evpn.c) calls vtep add/del and
 * fdb add/del too, with "origin": "evpn" in the request (a key of the
 * JSON only, not of nfvctl's words): what it adds is marked as its own,
 * and what it deletes is only its own.
 *
 * Objects are read with the config's parsers (config.c), so a request's
 * errors read like the config's.  Control thread only; a change of the
 * VTEPs publishes a new snapshot and waits for a grace period
 * (encap.c), a change of the FDB goes through the lock-free table.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <jansson.h>
#include <rte_cycles.h>
#include <rte_malloc.h>

#include "control/ctl_server.h"
#include "vnf/vxlan/evpn.h"
#include "vnf/vxlan/vxlan_priv.h"

static int
vx_ctl_error(json_t **reply, int rc, const char *msg)
{
	*reply = json_string(msg);
	return rc;
}

static void
vx_addr_str(uint8_t family, const uint8_t *ip, char *buf, size_t len)
{
	if (inet_ntop(family, ip, buf, (socklen_t)len) == NULL)
		snprintf(buf, len, "?");
}

/* Load one object of `schema` from the request and parse it with the
 * config's parser: fn(c, raw).  0 or -errno and err. */
static int
vx_request(struct vx *vx, const char *verb, json_t *args,
	   const char *const *extra, const cyaml_schema_value_t *schema,
	   int (*fn)(struct vx *vx, struct ctl_cfg *c, void *raw, void *out),
	   void *out, char *err, size_t errlen)
{
	struct ctl_cfg *c = NULL;
	void *raw = NULL;
	int rc;

	rc = vnf_request_load(verb, args, extra, schema, &raw, &c, err, errlen);
	if (rc == 0)
		rc = fn(vx, c, raw, out);
	ctl_cfg_close(c, schema, raw);
	return rc;
}

static int
vx_vtep_from_raw(struct vx *vx, struct ctl_cfg *c, void *raw, void *out)
{
	return vx_vtep_parse(c, "", raw, &vx->xc, vx->n_ifaces, out);
}

static int
vx_fdb_from_raw(struct vx *vx, struct ctl_cfg *c, void *raw, void *out)
{
	return vx_fdb_parse(c, "", raw, &vx->xc, vx->n_ifaces, out);
}

/* The optional "origin" of a request: "evpn" (true), or absent. */
static int
vx_req_evpn(json_t *args, bool *evpn, json_t **reply)
{
	const char *o = NULL;
	int rc = ctl_req_str(args, "origin", &o, reply);

	*evpn = false;
	if (rc <= 0)
		return rc;
	if (strcmp(o, "evpn") != 0)
		return ctl_error(reply, EINVAL, "origin: \"%.64s\" is not evpn",
				 o);
	*evpn = true;
	return 0;
}

int
vx_fdb_set_static(struct vx *vx, uint64_t key, uint16_t slot, uint64_t origin)
{
	uint64_t old;
	int32_t p;

	p = lf_table_set(&vx->fdb.tab, &key,
			 mac_entry_make(slot, true, 0) | origin, &old);
	if (p < 0)
		return p;
	mac_table_bump(&vx->fdb);
	return 0;
}

/* An optional "vni" of a request: 0 and *ifc (-1 when absent), or
 * -errno and *reply. */
static int
vx_req_vni(struct vx *vx, json_t *args, int *ifc, json_t **reply)
{
	uint64_t vni;
	int rc;

	*ifc = -1;
	rc = ctl_req_uint(args, "vni", 1, VX_VNI_MAX, &vni, reply);
	if (rc <= 0)
		return rc;
	*ifc = vx_config_vni_iface(&vx->xc, vx->n_ifaces, (uint32_t)vni);
	if (*ifc < 0)
		return ctl_error(reply, EINVAL,
				 "vni: VNI %u is not the vni of any iface",
				 (unsigned int)vni);
	return 0;
}

/* Control thread: remove every FDB entry of VTEP `slot`, static ones
 * too (the VTEP is gone). */
static unsigned int
vx_fdb_flush_slot(struct vx *vx, int slot)
{
	struct lf_table *t = &vx->fdb.tab;
	unsigned int removed = 0;
	uint32_t pos, end;

	end = lf_table_used(t);
	for (pos = 0; pos < end; pos++) {
		uint64_t v = atomic_load_explicit(&t->words[pos],
						  memory_order_relaxed);

		if (v == 0 || mac_entry_iface(v) != slot)
			continue;
		if (lf_table_del_pos(t, pos, 0))
			removed++;
	}
	if (removed)
		mac_table_bump(&vx->fdb);
	return removed;
}

/* vtep add ADDR [mac MAC] [vni VNI] */
static int
vx_verb_vtep_add(struct vnf_instance *vi, json_t *args, json_t **reply)
{
	static const char *const extra[] = {"vni", "origin", NULL};
	struct vx *vx = vi->priv;
	struct vx_vtep_config tc = {0};
	struct vx_snap *s;
	char err[256];
	bool evpn, fresh;
	int rc, ifc, slot;

	rc = vx_req_vni(vx, args, &ifc, reply);
	if (rc >= 0)
		rc = vx_req_evpn(args, &evpn, reply);
	if (rc < 0)
		return rc;
	rc = vx_request(vx, "vtep add", args, extra, &vx_vtep_schema,
			vx_vtep_from_raw, &tc, err, sizeof(err));
	vx_vtep_config_clear(&tc);
	if (rc < 0)
		return vx_ctl_error(reply, rc, err);
	/* Nothing to change (a control plane repeats itself): no new
	 * snapshot, no grace period. */
	slot = vx_vtep_find(atomic_load(&vx->snap), tc.ip.family, tc.ip.addr);
	if (slot >= 0 && !tc.has_mac &&
	    (ifc <= 0 || (atomic_load(&vx->snap)->flood[ifc].bits[slot / 64] &
			  (UINT64_C(1) << (slot % 64)))))
		return 0;
	fresh = slot < 0;
	s = vx_snap_new(atomic_load(&vx->snap));
	if (s == NULL)
		return vx_ctl_error(reply, -ENOMEM, "out of memory");
	slot = vx_snap_vtep_set(vx, s, &tc.ip, tc.has_mac ? tc.mac : NULL);
	if (slot < 0) {
		rte_free(s);
		if (slot == -EINVAL)
			return vx_ctl_error(reply, -EINVAL,
					    "mac: missing: a new VTEP needs "
					    "its next hop's MAC (there is no "
					    "nexthop_mac)");
		return ctl_error(reply, -slot, "all %u VTEP slots are taken",
				 VX_MAX_VTEPS);
	}
	if (fresh)
		s->vteps[slot].origin = evpn ? VX_ORIGIN_EVPN : VX_ORIGIN_VERB;
	if (ifc > 0)
		vx_snap_flood_set(s, (uint16_t)ifc, slot, true);
	vx_snap_publish(vx, s);
	return 0;
}

/* Does VTEP slot flood any VNI? */
static bool
vx_slot_floods(const struct vx *vx, const struct vx_snap *s, int slot)
{
	uint16_t i;

	for (i = 1; i < vx->n_ifaces; i++)
		if (s->flood[i].bits[slot / 64] & (UINT64_C(1) << (slot % 64)))
			return true;
	return false;
}

/* Control thread: VTEP slot goes, with its FDB entries.  0 or -ENOMEM. */
static int
vx_vtep_remove(struct vx *vx, int slot, unsigned int *flushed)
{
	struct vx_snap *s = vx_snap_new(atomic_load(&vx->snap));

	if (s == NULL)
		return -ENOMEM;
	vx_snap_vtep_clear(s, slot);
	/* First no worker sees the VTEP (so none learns on its slot any
	 * more), then its entries go, then one more grace period before
	 * the slot may be taken again: a worker that read an entry of it
	 * just before the flush finds a free slot and floods. */
	vx_snap_publish(vx, s);
	*flushed = vx_fdb_flush_slot(vx, slot);
	s = vx_snap_new(atomic_load(&vx->snap));
	if (s != NULL)
		vx_snap_publish(vx, s);
	return 0;
}

/* Control thread: does VTEP slot have an EVPN FDB entry? */
static bool
vx_slot_has_evpn_macs(struct vx *vx, int slot)
{
	struct lf_table *t = &vx->fdb.tab;
	uint32_t pos, end;

	end = lf_table_used(t);
	for (pos = 0; pos < end; pos++) {
		uint64_t v = atomic_load_explicit(&t->words[pos],
						  memory_order_relaxed);

		if ((v & VX_E_EVPN) && mac_entry_iface(v) == slot)
			return true;
	}
	return false;
}

/*
 * Control thread: a VTEP that EVPN made goes once EVPN has nothing of it
 * left (no flood list, no MAC): the host withdrew, and what nfvd learned
 * behind it goes too.  A VTEP of the config or a verb stays.
 */
static void
vx_vtep_gc(struct vx *vx, int slot)
{
	const struct vx_snap *s = atomic_load(&vx->snap);
	unsigned int flushed;

	if (slot < 0 || slot >= VX_MAX_VTEPS || s->vteps[slot].family == 0 ||
	    s->vteps[slot].origin != VX_ORIGIN_EVPN ||
	    vx_slot_floods(vx, s, slot) || vx_slot_has_evpn_macs(vx, slot))
		return;
	vx_vtep_remove(vx, slot, &flushed);
}

int
vx_evpn_flush(struct vnf_instance *vi)
{
	struct vx *vx = vi->priv;
	struct lf_table *t = &vx->fdb.tab;
	const struct vx_snap *s;
	unsigned int flushed;
	uint32_t pos, end;
	int slot, rc;

	end = lf_table_used(t);
	for (pos = 0; pos < end; pos++) {
		uint64_t v = atomic_load_explicit(&t->words[pos],
						  memory_order_relaxed);

		/* expect v: a local MAC a worker made of it meanwhile
		 * stays. */
		if ((v & VX_E_EVPN) && lf_table_del_pos(t, (uint32_t)pos, v))
			mac_table_bump(&vx->fdb);
	}
	for (slot = 0; slot < VX_MAX_VTEPS; slot++) {
		s = atomic_load(&vx->snap);
		if (s->vteps[slot].family == 0 ||
		    s->vteps[slot].origin != VX_ORIGIN_EVPN)
			continue;
		rc = vx_vtep_remove(vx, slot, &flushed);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* vtep del ADDR [vni VNI] */
static int
vx_verb_vtep_del(struct vnf_instance *vi, json_t *args, json_t **reply)
{
	struct vx *vx = vi->priv;
	struct ctl_prefix ip;
	struct vx_snap *s;
	const char *str = NULL;
	unsigned int flushed = 0;
	bool evpn;
	int rc, ifc, slot;

	rc = vx_req_vni(vx, args, &ifc, reply);
	if (rc >= 0)
		rc = vx_req_evpn(args, &evpn, reply);
	if (rc >= 0)
		rc = ctl_req_str(args, "ip", &str, reply);
	if (rc == 0)
		rc = ctl_req_missing(reply, "ip");
	if (rc < 0)
		return rc;
	if (ctl_parse_prefix(str, &ip) < 0 || strchr(str, '/') != NULL)
		return ctl_error(reply, EINVAL,
				 "ip: \"%.64s\" is not an IPv4 or IPv6 address",
				 str);
	slot = vx_vtep_find(atomic_load(&vx->snap), ip.family, ip.addr);
	if (slot < 0)
		return ctl_error(reply, ENOENT, "ip: no VTEP %.64s", str);
	if (ifc > 0) {
		s = vx_snap_new(atomic_load(&vx->snap));
		if (s == NULL)
			return vx_ctl_error(reply, -ENOMEM, "out of memory");
		vx_snap_flood_set(s, (uint16_t)ifc, slot, false);
		vx_snap_publish(vx, s);
		if (evpn)
			vx_vtep_gc(vx, slot);
		return 0;
	}
	rc = vx_vtep_remove(vx, slot, &flushed);
	if (rc < 0)
		return vx_ctl_error(reply, rc, "out of memory");
	*reply = json_pack("{s:i}", "fdb_flushed", (int)flushed);
	return 0;
}

/* fdb add MAC vni VNI vtep ADDR */
static int
vx_verb_fdb_add(struct vnf_instance *vi, json_t *args, json_t **reply)
{
	static const char *const extra[] = {"origin", NULL};
	struct vx *vx = vi->priv;
	struct vx_fdb_config f = {0};
	struct rte_ether_addr a;
	char err[256], ip[INET6_ADDRSTRLEN];
	uint64_t key, val;
	bool evpn;
	int32_t pos;
	int rc, slot, ifc;

	rc = vx_req_evpn(args, &evpn, reply);
	if (rc < 0)
		return rc;
	rc = vx_request(vx, "fdb add", args, extra, &vx_fdb_schema,
			vx_fdb_from_raw, &f, err, sizeof(err));
	if (rc < 0)
		return vx_ctl_error(reply, rc, err);
	slot = vx_vtep_find(atomic_load(&vx->snap), f.vtep.family, f.vtep.addr);
	if (slot < 0) {
		vx_addr_str(f.vtep.family, f.vtep.addr, ip, sizeof(ip));
		return ctl_error(reply, ENOENT,
				 "vtep: no VTEP %s (vtep add it first)", ip);
	}
	ifc = vx_config_vni_iface(&vx->xc, vx->n_ifaces, f.vni);
	memcpy(a.addr_bytes, f.mac, RTE_ETHER_ADDR_LEN);
	key = mac_table_key(&a, (uint16_t)ifc);
	/* EVPN replaces what it made, what was learned, and a local MAC
	 * (the VM moved away: zebra has the later sequence number), not
	 * a static entry of the config or a verb. */
	pos = evpn ? lf_table_lookup(&vx->fdb.tab, &key) : -1;
	val = pos >= 0 ? atomic_load(&vx->fdb.tab.words[pos]) : 0;
	if ((val & MAC_E_STATIC) && !(val & VX_E_EVPN))
		return ctl_error(
			reply, EEXIST,
			"mac: %.64s has a static entry (config or "
			"fdb add)",
			json_string_value(json_object_get(args, "mac")));
	rc = vx_fdb_set_static(vx, key, (uint16_t)slot, evpn ? VX_E_EVPN : 0);
	if (rc < 0)
		return ctl_error(reply, -rc, "fdb: %s", strerror(-rc));
	return 0;
}

/* fdb del MAC vni VNI */
static int
vx_verb_fdb_del(struct vnf_instance *vi, json_t *args, json_t **reply)
{
	struct vx *vx = vi->priv;
	struct rte_ether_addr a;
	const char *mac = NULL;
	uint64_t key, val;
	bool evpn;
	int32_t pos;
	int rc, ifc;

	rc = vx_req_vni(vx, args, &ifc, reply);
	if (rc >= 0 && ifc < 0)
		rc = ctl_req_missing(reply, "vni");
	if (rc >= 0)
		rc = vx_req_evpn(args, &evpn, reply);
	if (rc >= 0)
		rc = ctl_req_str(args, "mac", &mac, reply);
	if (rc == 0)
		rc = ctl_req_missing(reply, "mac");
	if (rc < 0)
		return rc;
	if (ctl_parse_mac(mac, a.addr_bytes) < 0)
		return ctl_error(reply, EINVAL,
				 "mac: \"%.64s\" is not a MAC address", mac);
	key = mac_table_key(&a, (uint16_t)ifc);
	pos = lf_table_lookup(&vx->fdb.tab, &key);
	/* EVPN deletes only its own entries: a MAC that became local
	 * (or was learned) meanwhile stays. */
	val = pos >= 0 ? atomic_load(&vx->fdb.tab.words[pos]) : 0;
	if (evpn && !(val & VX_E_EVPN))
		return ctl_error(reply, ENOENT, "mac: %.64s has no EVPN entry",
				 mac);
	if (pos < 0 ||
	    !lf_table_del_pos(&vx->fdb.tab, (uint32_t)pos, evpn ? val : 0))
		return ctl_error(reply, ENOENT, "mac: %.64s is not in the FDB",
				 mac);
	mac_table_bump(&vx->fdb);
	if (evpn)
		vx_vtep_gc(vx, mac_entry_iface(val));
	return 0;
}

/* fdb flush: forget the learned entries (static ones stay). */
static int
vx_verb_fdb_flush(struct vnf_instance *vi, json_t *args, json_t **reply)
{
	struct vx *vx = vi->priv;

	RTE_SET_USED(args);
	*reply = json_pack("{s:i}", "flushed",
			   (int)mac_table_flush(&vx->fdb, false));
	return 0;
}

/* The VNIs whose flood list has slot, "100,200". */
static void
vx_slot_vnis(const struct vx *vx, const struct vx_snap *s, int slot, char *buf,
	     size_t len)
{
	size_t o = 0;
	uint16_t i;

	buf[0] = '\0';
	for (i = 1; i < vx->n_ifaces; i++)
		if (s->flood[i].bits[slot / 64] & (UINT64_C(1) << (slot % 64)))
			o += (size_t)snprintf(buf + o, o < len ? len - o : 0,
					      "%s%u", o ? "," : "",
					      (unsigned int)vx->vni[i]);
}

static const char *const vx_origin_names[] = {
	[VX_ORIGIN_CONFIG] = "config",
	[VX_ORIGIN_VERB] = "verb",
	[VX_ORIGIN_EVPN] = "evpn",
};

/* Where an FDB entry came from: show fdb's origin. */
static const char *
vx_fdb_origin(uint64_t val)
{
	if (val & VX_E_CONFIG)
		return "config";
	if (val & VX_E_EVPN)
		return "evpn";
	if (val & MAC_E_STATIC)
		return "verb";
	return mac_entry_iface(val) == VX_SLOT_LOCAL ? "local" : "learned";
}

static json_t *
vx_vtep_row(const struct vx *vx, const struct vx_snap *s, int slot)
{
	const struct vx_vtep *t = &s->vteps[slot];
	char ip[INET6_ADDRSTRLEN], mac[RTE_ETHER_ADDR_FMT_SIZE], vnis[512];
	struct rte_ether_addr a;

	vx_addr_str(t->family, t->ip, ip, sizeof(ip));
	memcpy(a.addr_bytes, t->mac, RTE_ETHER_ADDR_LEN);
	rte_ether_format_addr(mac, sizeof(mac), &a);
	vx_slot_vnis(vx, s, slot, vnis, sizeof(vnis));
	return json_pack("{s:s, s:s, s:s, s:s, s:s}", "vtep", ip, "mac", mac,
			 "nexthop", t->has_mac ? "own" : "nexthop_mac", "vnis",
			 vnis, "origin", vx_origin_names[t->origin % 3]);
}

/* show vtep: one row per VTEP: its next hop and the VNIs it floods. */
static int
vx_show_vtep(struct vnf_instance *vi, json_t *args, json_t **reply)
{
	struct vx *vx = vi->priv;
	const struct vx_snap *s = atomic_load(&vx->snap);
	json_t *arr = json_array();
	int i;

	RTE_SET_USED(args);
	if (arr == NULL)
		return vx_ctl_error(reply, -ENOMEM, "out of memory");
	for (i = 0; i < VX_MAX_VTEPS; i++) {
		json_t *row;

		if (s->vteps[i].family == 0)
			continue;
		row = vx_vtep_row(vx, s, i);
		json_object_set_new(row, "vnf", json_string(vi->name));
		json_array_append_new(arr, row);
	}
	*reply = arr;
	return 0;
}

struct vx_walk {
	struct vnf_instance *vi;
	const struct vx_snap *s;
	json_t *arr;
	uint32_t now_ticks;
	uint64_t hz;
};

static void
vx_show_fdb_one(const void *kp, uint64_t val, uint32_t stamp, void *arg)
{
	const uint64_t key = *(const uint64_t *)kp;
	struct vx_walk *wk = arg;
	const struct vx *vx = wk->vi->priv;
	const uint16_t slot = mac_entry_iface(val);
	const struct vx_vtep *t =
		slot < VX_MAX_VTEPS ? &wk->s->vteps[slot] : NULL;
	uint16_t ifc = (uint16_t)(key >> 48);
	char mac[RTE_ETHER_ADDR_FMT_SIZE], ip[INET6_ADDRSTRLEN] = "-";
	struct rte_ether_addr a;
	bool st = (val & MAC_E_STATIC) != 0;

	RTE_SET_USED(stamp);
	memcpy(a.addr_bytes, &key, RTE_ETHER_ADDR_LEN);
	rte_ether_format_addr(mac, sizeof(mac), &a);
	if (slot == VX_SLOT_LOCAL)
		snprintf(ip, sizeof(ip), "local");
	else if (t != NULL && t->family != 0)
		vx_addr_str(t->family, t->ip, ip, sizeof(ip));
	json_array_append_new(
		wk->arr,
		json_pack("{s:s, s:i, s:s, s:s, s:s, s:s, s:i}", "vnf",
			  wk->vi->name, "vni",
			  ifc < vx->n_ifaces ? (int)vx->vni[ifc] : -1, "mac",
			  mac, "vtep", ip, "type", st ? "static" : "dynamic",
			  "origin", vx_fdb_origin(val), "age",
			  st ? 0
			     : (int)nfv_ticks_to_s(wk->now_ticks -
							   mac_entry_time(val),
						   wk->hz, NFV_TICK_SHIFT)));
}

/* show fdb: every FDB entry: VNI, MAC, VTEP, static or learned, age. */
static int
vx_show_fdb(struct vnf_instance *vi, json_t *args, json_t **reply)
{
	struct vx *vx = vi->priv;
	struct vx_walk wk = {
		.vi = vi,
		.s = atomic_load(&vx->snap),
		.arr = json_array(),
		.now_ticks = nfv_tick(rte_rdtsc(), NFV_TICK_SHIFT),
		.hz = rte_get_tsc_hz(),
	};

	RTE_SET_USED(args);
	if (wk.arr == NULL)
		return vx_ctl_error(reply, -ENOMEM, "out of memory");
	lf_table_walk(&vx->fdb.tab, vx_show_fdb_one, &wk);
	*reply = wk.arr;
	return 0;
}

/* show evpn: the EVPN mirror of each instance that has one. */
static int
vx_show_evpn(struct vnf_instance *vi, json_t *args, json_t **reply)
{
	struct vx *vx = vi->priv;
	json_t *arr = json_array(), *o;

	RTE_SET_USED(args);
	if (arr == NULL)
		return vx_ctl_error(reply, -ENOMEM, "out of memory");
	if (vx->evpn_show != NULL) {
		o = vx->evpn_show(vx->evpn_arg);
		if (o != NULL)
			json_array_append_new(arr, o);
	}
	*reply = arr;
	return 0;
}

json_t *
vx_details(struct vnf_instance *vi)
{
	struct vx *vx = vi->priv;
	const struct vx_snap *s = atomic_load(&vx->snap);
	char ip[INET6_ADDRSTRLEN], mac[RTE_ETHER_ADDR_FMT_SIZE];
	json_t *o, *local, *vnis, *vteps;
	struct rte_ether_addr a;
	uint16_t i;
	int k;

	local = json_array();
	if (vx->xc.has_local4) {
		vx_addr_str(AF_INET, vx->xc.local4, ip, sizeof(ip));
		json_array_append_new(local, json_string(ip));
	}
	if (vx->xc.has_local6) {
		vx_addr_str(AF_INET6, vx->xc.local6, ip, sizeof(ip));
		json_array_append_new(local, json_string(ip));
	}
	vnis = json_array();
	for (i = 1; i < vx->n_ifaces; i++) {
		json_t *fl = json_array();

		for (k = 0; k < VX_MAX_VTEPS; k++)
			if (s->flood[i].bits[k / 64] &
			    (UINT64_C(1) << (k % 64))) {
				vx_addr_str(s->vteps[k].family, s->vteps[k].ip,
					    ip, sizeof(ip));
				json_array_append_new(fl, json_string(ip));
			}
		json_array_append_new(vnis,
				      json_pack("{s:s, s:i, s:o}", "iface",
						vi->ifaces[i].name, "vni",
						(int)vx->vni[i], "flood", fl));
	}
	vteps = json_array();
	for (k = 0; k < VX_MAX_VTEPS; k++)
		if (s->vteps[k].family != 0)
			json_array_append_new(vteps, vx_vtep_row(vx, s, k));
	memcpy(a.addr_bytes, vx->xc.mac, RTE_ETHER_ADDR_LEN);
	rte_ether_format_addr(mac, sizeof(mac), &a);
	o = json_pack("{s:o, s:s, s:s, s:i, s:i, s:i, s:i, s:i, s:o, s:o}",
		      "local", local, "mac", mac, "encap",
		      vx->geneve ? "geneve" : "vxlan", "udp_port",
		      (int)vx->xc.udp_port, "mtu", (int)vx->mtu, "fdb_size",
		      (int)vx->fdb.tab.limit, "fdb_entries",
		      (int)atomic_load(&vx->fdb.tab.count), "aging_time",
		      (int)vx->xc.aging_time, "vnis", vnis, "vteps", vteps);
	if (o != NULL && vx->evpn)
		json_object_set_new(o, "evpn",
				    vx->evpn_show != NULL
					    ? vx->evpn_show(vx->evpn_arg)
					    : json_pack("{s:s, s:s}", "netns",
							vx->xc.evpn_netns,
							"state", "stopped"));
	return o;
}

/* clang-format off */
const struct vnf_verb vx_verbs[VX_N_VERBS] = {
	{
		.name = "show vtep",
		.help = "VXLAN remote VTEPs: next hop MAC, VNIs flooded to",
		.flags = VNF_VERB_SHOW,
		.handler = vx_show_vtep,
	},
	{
		.name = "show fdb",
		.help = "VXLAN FDB: vni, mac, vtep, static or learned, origin, age",
		.flags = VNF_VERB_SHOW,
		.handler = vx_show_fdb,
	},
	{
		.name = "show evpn",
		.help = "VXLAN EVPN mirror: netns, kernel devices, local MACs written back, counters",
		.flags = VNF_VERB_SHOW,
		.handler = vx_show_evpn,
	},
	{
		.name = "vtep add",
		.help = "add or change a remote VTEP; with vni, flood that VNI to it",
		.args = {
			{.key = "ip", .meta = "ADDR", .flags = VNF_ARG_REQUIRED},
			{.key = "mac", .word = "mac", .meta = "MAC"},
			{.key = "vni", .word = "vni", .meta = "VNI",
			 .flags = VNF_ARG_INT, .max = VX_VNI_MAX},
		},
		.handler = vx_verb_vtep_add,
	},
	{
		.name = "vtep del",
		.help = "stop flooding a VNI to a VTEP; without vni, remove the VTEP and its FDB entries",
		.args = {
			{.key = "ip", .meta = "ADDR", .flags = VNF_ARG_REQUIRED},
			{.key = "vni", .word = "vni", .meta = "VNI",
			 .flags = VNF_ARG_INT, .max = VX_VNI_MAX},
		},
		.handler = vx_verb_vtep_del,
	},
	{
		.name = "fdb add",
		.help = "a static VXLAN FDB entry: MAC of VNI behind VTEP",
		.args = {
			{.key = "mac", .meta = "MAC", .flags = VNF_ARG_REQUIRED},
			{.key = "vni", .word = "vni", .meta = "VNI",
			 .flags = VNF_ARG_REQUIRED | VNF_ARG_INT,
			 .max = VX_VNI_MAX},
			{.key = "vtep", .word = "vtep", .meta = "ADDR",
			 .flags = VNF_ARG_REQUIRED},
		},
		.handler = vx_verb_fdb_add,
	},
	{
		.name = "fdb del",
		.help = "remove a VXLAN FDB entry",
		.args = {
			{.key = "mac", .meta = "MAC", .flags = VNF_ARG_REQUIRED},
			{.key = "vni", .word = "vni", .meta = "VNI",
			 .flags = VNF_ARG_REQUIRED | VNF_ARG_INT,
			 .max = VX_VNI_MAX},
		},
		.handler = vx_verb_fdb_del,
	},
	{
		.name = "fdb flush",
		.help = "forget learned VXLAN FDB entries (static ones stay)",
		.flags = VNF_VERB_EACH,
		.handler = vx_verb_fdb_flush,
	},
};
/* clang-format on */
