/* SPDX-License-Identifier: BSD-3-Clause
 *
 * rules.c - the firewall's rules: the control thread's list, the rte_acl
 * contexts built from it, and their publication as an RCU snapshot.
 *
 * Rules are matched first-match-wins: rule i gets the rte_acl priority
 * FW_MAX_RULES - i and the userdata i + 1.  Rules with an IPv4 address go
 * into the IPv4 context, with an IPv6 address into the IPv6 one, and rules
 * without an address into both.  Every change (create, rule add, rule del)
 * builds two new contexts next to the running ones and publishes them in a
 * new struct fw_rs with one release store; the old snapshot is freed by
 * nfv_rcu_defer() once every worker has passed a quiescent state.  Workers
 * never stop and no packet is lost.
 *
 * Hit counters live in the workers' state, indexed by a slot that a rule
 * keeps for its whole life (its index moves when rules are inserted or
 * deleted before it).  A deleted rule's slot is handed out again only after
 * a grace period, so no worker still counts into it.
 *
 * Control thread only, except fw_rs_classify_one().
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_acl.h>
#include <rte_byteorder.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "vnf/firewall/fw_priv.h"
#include "vnf/lib/rcu.h"

enum { F4_PROTO, F4_IFACE, F4_FLAGS, F4_SRC, F4_DST, F4_SPORT, F4_DPORT, F4_N };

enum {
	F6_PROTO,
	F6_IFACE,
	F6_FLAGS,
	F6_SRC,		     /* 4 fields of 32 bits */
	F6_DST = F6_SRC + 4, /* 4 fields of 32 bits */
	F6_SPORT = F6_DST + 4,
	F6_DPORT,
	F6_N
};

RTE_ACL_RULE_DEF(fw_acl4_rule, F4_N);
RTE_ACL_RULE_DEF(fw_acl6_rule, F6_N);

#define FW_DEF(t, sz, f, in, off)                                              \
	{                                                                      \
		.type = RTE_ACL_FIELD_TYPE_##t, .size = (sz),                  \
		.field_index = (f), .input_index = (in), .offset = (off),      \
	}

/* The first field is one byte; the others come in groups of 4 bytes, one
 * group per input index (rte_acl's requirement). */
static const struct rte_acl_field_def fw_defs4[F4_N] = {
	FW_DEF(BITMASK, 1, F4_PROTO, 0, offsetof(struct fw_acl4, proto)),
	FW_DEF(BITMASK, 2, F4_IFACE, 1, offsetof(struct fw_acl4, iface)),
	FW_DEF(BITMASK, 2, F4_FLAGS, 1, offsetof(struct fw_acl4, flags)),
	FW_DEF(MASK, 4, F4_SRC, 2, offsetof(struct fw_acl4, src)),
	FW_DEF(MASK, 4, F4_DST, 3, offsetof(struct fw_acl4, dst)),
	FW_DEF(RANGE, 2, F4_SPORT, 4, offsetof(struct fw_acl4, sport)),
	FW_DEF(RANGE, 2, F4_DPORT, 4, offsetof(struct fw_acl4, dport)),
};

static const struct rte_acl_field_def fw_defs6[F6_N] = {
	FW_DEF(BITMASK, 1, F6_PROTO, 0, offsetof(struct fw_acl6, proto)),
	FW_DEF(BITMASK, 2, F6_IFACE, 1, offsetof(struct fw_acl6, iface)),
	FW_DEF(BITMASK, 2, F6_FLAGS, 1, offsetof(struct fw_acl6, flags)),
	FW_DEF(MASK, 4, F6_SRC + 0, 2, offsetof(struct fw_acl6, src) + 0),
	FW_DEF(MASK, 4, F6_SRC + 1, 3, offsetof(struct fw_acl6, src) + 4),
	FW_DEF(MASK, 4, F6_SRC + 2, 4, offsetof(struct fw_acl6, src) + 8),
	FW_DEF(MASK, 4, F6_SRC + 3, 5, offsetof(struct fw_acl6, src) + 12),
	FW_DEF(MASK, 4, F6_DST + 0, 6, offsetof(struct fw_acl6, dst) + 0),
	FW_DEF(MASK, 4, F6_DST + 1, 7, offsetof(struct fw_acl6, dst) + 4),
	FW_DEF(MASK, 4, F6_DST + 2, 8, offsetof(struct fw_acl6, dst) + 8),
	FW_DEF(MASK, 4, F6_DST + 3, 9, offsetof(struct fw_acl6, dst) + 12),
	FW_DEF(RANGE, 2, F6_SPORT, 10, offsetof(struct fw_acl6, sport)),
	FW_DEF(RANGE, 2, F6_DPORT, 10, offsetof(struct fw_acl6, dport)),
};

/* The old rule set goes after every worker has passed a quiescent state. */
static void
fw_rs_retire(struct fw *fw, struct fw_rs *old)
{
	RTE_SET_USED(fw);
	nfv_rcu_defer(fw_rs_free, old);
}

/* ACL context names must be unique in the process (rte_acl keeps a
 * list); a sequence number over all instances and builds keeps them so. */
static uint64_t fw_acl_seq;

static bool
fw_rule_has_ports(const struct fw_rule_config *r)
{
	return r->sport_lo != 0 || r->sport_hi != 65535 || r->dport_lo != 0 ||
	       r->dport_hi != 65535;
}

static bool
fw_rule_in_family(const struct fw_rule_config *r, uint8_t family)
{
	if (r->has_src)
		return r->src.family == family;
	if (r->has_dst)
		return r->dst.family == family;
	return true;
}

/* The fields every rule has: protocol, ingress iface, fragment flag. */
static void
fw_rule_common(struct rte_acl_field *f, const struct fw_rule *ru)
{
	const struct fw_rule_config *r = &ru->cfg;

	f[0].value.u8 = r->proto;
	f[0].mask_range.u8 = r->proto != 0 ? 0xff : 0;
	f[1].value.u16 = ru->in_iface >= 0 ? (uint16_t)ru->in_iface : 0;
	f[1].mask_range.u16 = ru->in_iface >= 0 ? 0xffff : 0;
	/* A rule that names ports never matches a fragment without them
	 * (like iptables); other rules match every fragment. */
	f[2].value.u16 = 0;
	f[2].mask_range.u16 = fw_rule_has_ports(r) ? FW_KF_LATER_FRAG : 0;
}

/* An address prefix as 32-bit MASK fields (host byte order values). */
static void
fw_rule_prefix(struct rte_acl_field *f, unsigned int words, bool has,
	       const struct ctl_prefix *p)
{
	unsigned int j;

	for (j = 0; j < words; j++) {
		uint32_t v;
		int len = has ? (int)p->len - (int)(32 * j) : 0;

		memcpy(&v, has ? &p->addr[4 * j] : (const uint8_t *)"\0\0\0\0",
		       sizeof(v));
		f[j].value.u32 = rte_be_to_cpu_32(v);
		f[j].mask_range.u32 = (uint32_t)RTE_MAX(RTE_MIN(len, 32), 0);
	}
}

static void
fw_rule_ports(struct rte_acl_field *f, const struct fw_rule_config *r)
{
	f[0].value.u16 = r->sport_lo;
	f[0].mask_range.u16 = r->sport_hi;
	f[1].value.u16 = r->dport_lo;
	f[1].mask_range.u16 = r->dport_hi;
}

/*
 * Build the ACL context of one family from rules[0..n); NULL (and 0) when
 * no rule is of that family.  0 or -errno.
 */
static int
fw_acl_build(struct fw *fw, bool v6, struct rte_acl_ctx **out, uint32_t *cnt)
{
	const uint8_t family = v6 ? AF_INET6 : AF_INET;
	const unsigned int nf = v6 ? F6_N : F4_N;
	const size_t rsz = RTE_ACL_RULE_SZ(nf);
	struct rte_acl_param prm = {0};
	struct rte_acl_config cfg = {0};
	struct rte_acl_ctx *ctx;
	char name[RTE_ACL_NAMESIZE];
	uint8_t *rules;
	uint32_t i, n = 0;
	int rc;

	*out = NULL;
	*cnt = 0;
	for (i = 0; i < fw->n_rules; i++)
		n += fw_rule_in_family(&fw->rules[i].cfg, family);
	if (n == 0)
		return 0;

	rules = calloc(n, rsz);
	if (rules == NULL)
		return -ENOMEM;
	n = 0;
	for (i = 0; i < fw->n_rules; i++) {
		const struct fw_rule *ru = &fw->rules[i];
		struct rte_acl_rule *ar =
			(struct rte_acl_rule *)(rules + n * rsz);
		struct rte_acl_field *f = ar->field;

		if (!fw_rule_in_family(&ru->cfg, family))
			continue;
		n++;
		ar->data.category_mask = 1;
		ar->data.priority = (int32_t)(FW_MAX_RULES - i);
		ar->data.userdata = i + 1;
		fw_rule_common(f, ru);
		if (v6) {
			fw_rule_prefix(&f[F6_SRC], 4, ru->cfg.has_src,
				       &ru->cfg.src);
			fw_rule_prefix(&f[F6_DST], 4, ru->cfg.has_dst,
				       &ru->cfg.dst);
			fw_rule_ports(&f[F6_SPORT], &ru->cfg);
		} else {
			fw_rule_prefix(&f[F4_SRC], 1, ru->cfg.has_src,
				       &ru->cfg.src);
			fw_rule_prefix(&f[F4_DST], 1, ru->cfg.has_dst,
				       &ru->cfg.dst);
			fw_rule_ports(&f[F4_SPORT], &ru->cfg);
		}
	}

	snprintf(name, sizeof(name), "fw%u_%" PRIu64 "_%c",
		 (unsigned int)fw->vi->id, ++fw_acl_seq, v6 ? '6' : '4');
	prm.name = name;
	prm.socket_id = SOCKET_ID_ANY;
	prm.rule_size = (uint32_t)rsz;
	prm.max_rule_num = n;
	ctx = rte_acl_create(&prm);
	if (ctx == NULL) {
		rc = rte_errno ? -rte_errno : -ENOMEM;
		goto err_rules;
	}
	rc = rte_acl_add_rules(ctx, (const struct rte_acl_rule *)rules, n);
	if (rc < 0)
		goto err_ctx;
	cfg.num_categories = 1;
	cfg.num_fields = nf;
	memcpy(cfg.defs, v6 ? fw_defs6 : fw_defs4,
	       nf * sizeof(struct rte_acl_field_def));
	rc = rte_acl_build(ctx, &cfg);
	if (rc < 0)
		goto err_ctx;
	free(rules);
	*out = ctx;
	*cnt = n;
	return 0;

err_ctx:
	rte_acl_free(ctx);
err_rules:
	free(rules);
	return rc;
}

void
fw_rs_free(void *p)
{
	struct fw_rs *rs = p;

	if (rs == NULL)
		return;
	rte_acl_free(rs->acl4);
	rte_acl_free(rs->acl6);
	rte_free(rs);
}

/* Build a snapshot of the current rules and publish it.  0 or -errno; on
 * error the running snapshot stays. */
static int
fw_rs_publish(struct fw *fw)
{
	struct fw_rs *rs, *old;
	uint32_t i;
	int rc;

	rs = rte_zmalloc("fw_rs",
			 sizeof(*rs) + fw->n_rules * sizeof(rs->rule[0]),
			 RTE_CACHE_LINE_SIZE);
	if (rs == NULL)
		return -ENOMEM;
	rs->n_rules = fw->n_rules;
	for (i = 0; i < fw->n_rules; i++) {
		rs->rule[i].slot = fw->rules[i].slot;
		rs->rule[i].action = (uint8_t)fw->rules[i].cfg.action;
		rs->rule[i].prog = fw->rules[i].prog;
	}
	rc = fw_acl_build(fw, false, &rs->acl4, &rs->n4);
	if (rc == 0)
		rc = fw_acl_build(fw, true, &rs->acl6, &rs->n6);
	if (rc < 0) {
		fw_rs_free(rs);
		return rc;
	}
	/* Release: the contexts and rule table are complete before a
	 * worker's acquire load can see the pointer. */
	old = atomic_exchange_explicit(&fw->rs, rs, memory_order_acq_rel);
	fw->builds++;
	if (old != NULL)
		fw_rs_retire(fw, old);
	return 0;
}

uint32_t
fw_rs_classify_one(const struct fw_rs *rs, bool v6, const void *key)
{
	const struct rte_acl_ctx *ctx = v6 ? rs->acl6 : rs->acl4;
	const uint8_t *data[1] = {key};
	uint32_t res = 0;

	if (ctx != NULL)
		rte_acl_classify(ctx, data, &res, 1, 1);
	return res;
}

/* ---- hit counter slots ---- */

/* Move released slots whose grace period is over to the free stack,
 * zeroing their counters; with `wait`, wait for the oldest one. */
void
fw_slots_reclaim(struct fw *fw, bool wait)
{
	struct rte_rcu_qsbr *v = fw->vi->rcu;

	while (fw->pend_n > 0) {
		struct fw_slot_pend *sp = &fw->slot_pend[fw->pend_head];
		unsigned int w;

		if (v != NULL && rte_rcu_qsbr_check(v, sp->token, wait) != 1)
			return;
		wait = false;
		for (w = 0; w < fw->vi->n_workers; w++) {
			struct fw_wstate *ws = fw->vi->slots[w].state;

			fw->hits_gone += ws->hits[sp->slot];
			ws->hits[sp->slot] = 0;
		}
		fw->slot_free[fw->n_slot_free++] = sp->slot;
		fw->pend_head = (fw->pend_head + 1) % FW_MAX_SLOTS;
		fw->pend_n--;
	}
}

static int
fw_slot_alloc(struct fw *fw, uint32_t *slot)
{
	fw_slots_reclaim(fw, false);
	if (fw->n_slot_free == 0 && fw->slot_next < FW_MAX_SLOTS) {
		*slot = fw->slot_next++;
		return 0;
	}
	if (fw->n_slot_free == 0)
		fw_slots_reclaim(fw, true);
	if (fw->n_slot_free == 0)
		return -ENOSPC;
	*slot = fw->slot_free[--fw->n_slot_free];
	return 0;
}

/* The rule's slot goes back after the grace period that starts now (the
 * snapshot without the rule is already published). */
static void
fw_slot_release(struct fw *fw, uint32_t slot)
{
	struct fw_slot_pend *sp;

	sp = &fw->slot_pend[(fw->pend_head + fw->pend_n) % FW_MAX_SLOTS];
	sp->slot = slot;
	sp->token = fw->vi->rcu != NULL ? rte_rcu_qsbr_start(fw->vi->rcu) : 0;
	fw->pend_n++;
}

uint64_t
fw_rule_hits(const struct fw *fw, uint32_t index)
{
	uint32_t slot = fw->rules[index].slot;
	uint64_t sum = 0;
	unsigned int w;

	for (w = 0; w < fw->vi->n_workers; w++) {
		const struct fw_wstate *ws = fw->vi->slots[w].state;

		sum += ws->hits[slot];
	}
	return sum;
}

/* ---- the rule list ---- */

static int
fw_rule_check(struct fw *fw, const struct fw_rule_config *r, int *ifc,
	      char *err, size_t errlen)
{
	*ifc = -1;
	if (r->in_iface[0] != '\0') {
		*ifc = vnf_iface_index(fw->vi, r->in_iface);
		if (*ifc < 0) {
			snprintf(err, errlen, "vnf %s has no iface %s",
				 fw->vi->name, r->in_iface);
			return -ENOENT;
		}
	}
	if (r->action > FW_RULE_BPF) {
		snprintf(err, errlen, "bad action %d", (int)r->action);
		return -EINVAL;
	}
	return 0;
}

/*
 * A bpf rule's program, from its `bpf: FILE.o[:SECTION]` (the section
 * after the last ".o:", since sections have slashes and paths may have
 * colons): loaded with vnf/bpf's loader, NULL for other rules.  0 or
 * -errno with the loader's reason.
 */
static int
fw_rule_prog(const struct fw_rule_config *r, struct vnf_bpf_prog **out,
	     char *err, size_t errlen)
{
	char file[FW_BPF_SPEC_MAX];
	const char *sec = NULL, *p, *q;

	*out = NULL;
	if (r->action != FW_RULE_BPF)
		return 0;
	snprintf(file, sizeof(file), "%s", r->bpf);
	for (p = file; (q = strstr(p, ".o:")) != NULL; p = q + 1)
		sec = q + 3;
	if (sec != NULL)
		file[sec - 1 - file] = '\0';
	return vnf_bpf_prog_load(file, sec, true, out, err, errlen);
}

int
fw_rule_insert(struct fw *fw, uint32_t index, const struct fw_rule_config *r,
	       char *err, size_t errlen)
{
	struct vnf_bpf_prog *prog;
	struct fw_rule ru;
	uint32_t slot;
	int ifc, rc;

	if (index > fw->n_rules) {
		snprintf(err, errlen, "index %u is past the end (%u rules)",
			 index, fw->n_rules);
		return -ERANGE;
	}
	if (fw->n_rules >= FW_MAX_RULES) {
		snprintf(err, errlen,
			 "already %u rules, the most a firewall "
			 "takes",
			 fw->n_rules);
		return -ENOSPC;
	}
	rc = fw_rule_check(fw, r, &ifc, err, errlen);
	if (rc < 0)
		return rc;
	if (fw->n_rules == fw->cap_rules) {
		uint32_t cap = RTE_MAX(fw->cap_rules * 2, 16u);
		struct fw_rule *nr =
			rte_realloc(fw->rules, cap * sizeof(*nr), 0);

		if (nr == NULL)
			goto err_nomem;
		fw->rules = nr;
		fw->cap_rules = cap;
	}
	rc = fw_slot_alloc(fw, &slot);
	if (rc < 0) {
		snprintf(err, errlen, "no free hit counter");
		return rc;
	}
	rc = fw_rule_prog(r, &prog, err, errlen);
	if (rc < 0) {
		fw->slot_free[fw->n_slot_free++] = slot;
		return rc;
	}
	memset(&ru, 0, sizeof(ru));
	ru.cfg = *r;
	ru.slot = slot;
	ru.prog = prog;
	ru.in_iface = (int16_t)ifc;
	memmove(&fw->rules[index + 1], &fw->rules[index],
		(fw->n_rules - index) * sizeof(fw->rules[0]));
	fw->rules[index] = ru;
	fw->n_rules++;
	rc = fw_rs_publish(fw);
	if (rc < 0) {
		/* Put the list back; the slot was never counted into. */
		memmove(&fw->rules[index], &fw->rules[index + 1],
			(fw->n_rules - index - 1) * sizeof(fw->rules[0]));
		fw->n_rules--;
		fw->slot_free[fw->n_slot_free++] = slot;
		vnf_bpf_prog_free(prog); /* never published */
		snprintf(err, errlen, "building the ACL: %s", strerror(-rc));
		return rc;
	}
	return 0;

err_nomem:
	snprintf(err, errlen, "out of memory");
	return -ENOMEM;
}

int
fw_rule_delete(struct fw *fw, uint32_t index, uint32_t count, char *err,
	       size_t errlen)
{
	struct fw_rule *gone;
	uint32_t i;
	int rc;

	if (count == 0) {
		snprintf(err, errlen, "count: at least 1");
		return -EINVAL;
	}
	if (index >= fw->n_rules || count > fw->n_rules - index) {
		/* The last index in 64 bits: a count near 2^32 must not
		 * print a wrapped one. */
		snprintf(err, errlen, "no rules %u to %" PRIu64 " (%u rules)",
			 index, (uint64_t)index + count - 1, fw->n_rules);
		return -ENOENT;
	}
	gone = malloc(count * sizeof(*gone));
	if (gone == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	memcpy(gone, &fw->rules[index], count * sizeof(*gone));
	memmove(&fw->rules[index], &fw->rules[index + count],
		(fw->n_rules - index - count) * sizeof(fw->rules[0]));
	fw->n_rules -= count;
	/* One new rule set for all of them: an ACL build each would cost
	 * count times as much, and show the workers the sets between. */
	rc = fw_rs_publish(fw);
	if (rc < 0) {
		memmove(&fw->rules[index + count], &fw->rules[index],
			(fw->n_rules - index) * sizeof(fw->rules[0]));
		memcpy(&fw->rules[index], gone, count * sizeof(*gone));
		fw->n_rules += count;
		free(gone);
		snprintf(err, errlen, "building the ACL: %s", strerror(-rc));
		return rc;
	}
	for (i = 0; i < count; i++) {
		fw_slot_release(fw, gone[i].slot);
		/* Workers may still run it from the old snapshot. */
		if (gone[i].prog != NULL)
			nfv_rcu_defer(vnf_bpf_prog_free_cb, gone[i].prog);
	}
	free(gone);
	return 0;
}

int
fw_rules_init(struct fw *fw, const struct ctl_vnf_config *cfg, char *err,
	      size_t errlen)
{
	const struct fw_config *fc = cfg->priv;
	char why[512];
	unsigned int i;
	uint32_t slot;
	int ifc, rc;

	fw->slot_free = rte_malloc("fw_slot_free",
				   FW_MAX_SLOTS * sizeof(fw->slot_free[0]), 0);
	fw->slot_pend = rte_malloc("fw_slot_pend",
				   FW_MAX_SLOTS * sizeof(fw->slot_pend[0]), 0);
	if (fw->slot_free == NULL || fw->slot_pend == NULL)
		goto err_nomem;
	if (fc->n_rules > FW_MAX_RULES) {
		snprintf(err, errlen, "vnf %s: %u rules, at most %u", cfg->name,
			 fc->n_rules, FW_MAX_RULES);
		return -E2BIG;
	}
	fw->cap_rules = RTE_MAX(fc->n_rules, 16u);
	/* rte_malloc like the rest of the instance: a heap block pointed to
	 * only from DPDK memory, which LeakSanitizer does not scan, would
	 * look leaked to it. */
	fw->rules = rte_zmalloc("fw_rules",
				fw->cap_rules * sizeof(fw->rules[0]), 0);
	if (fw->rules == NULL)
		goto err_nomem;
	for (i = 0; i < fc->n_rules; i++) {
		rc = fw_rule_check(fw, &fc->rules[i], &ifc, err, errlen);
		if (rc < 0)
			return rc;
		rc = fw_slot_alloc(fw, &slot);
		if (rc < 0)
			goto err_nomem;
		fw->rules[i].cfg = fc->rules[i];
		fw->rules[i].slot = slot;
		fw->rules[i].in_iface = (int16_t)ifc;
		fw->n_rules = i + 1;
		rc = fw_rule_prog(&fc->rules[i], &fw->rules[i].prog, why,
				  sizeof(why));
		if (rc < 0) {
			snprintf(err, errlen, "vnf %s: rules[%u]: %s",
				 cfg->name, i, why);
			return rc;
		}
	}
	rc = fw_rs_publish(fw);
	if (rc < 0) {
		snprintf(err, errlen,
			 "vnf %s: building the ACL of %u rules: %s", cfg->name,
			 fc->n_rules, strerror(-rc));
		return rc;
	}
	return 0;

err_nomem:
	snprintf(err, errlen, "vnf %s: out of memory", cfg->name);
	return -ENOMEM;
}

void
fw_rules_fini(struct fw *fw)
{
	uint32_t i;

	/* Workers are stopped or past a grace period: free at once. */
	fw_rs_free(atomic_exchange(&fw->rs, NULL));
	for (i = 0; fw->rules != NULL && i < fw->n_rules; i++)
		vnf_bpf_prog_free(fw->rules[i].prog);
	rte_free(fw->rules);
	rte_free(fw->slot_free);
	rte_free(fw->slot_pend);
	fw->rules = NULL;
	fw->slot_free = NULL;
	fw->slot_pend = NULL;
}
