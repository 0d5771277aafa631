/* SPDX-License-Identifier: BSD-3-Clause
 *
 * conn.c - the firewall's connection table: creation, insertion (worker),
 * ageing and walking (control thread).  See conn.h for the design.
 */
#include <errno.h>
#include <string.h>

#include <rte_cycles.h>

#include "vnf/firewall/conn.h"

#define FW_ST_NAME(sym, str, tmo) [sym] = (str),
#define FW_ST_TMO(sym, str, tmo) [sym] = (tmo),
const char *const fw_state_names[FW_ST_N] = {FW_CT_STATES(FW_ST_NAME)};
const uint32_t fw_state_timeout_s[FW_ST_N] = {FW_CT_STATES(FW_ST_TMO)};

int
fw_ct_create(struct fw_ct *ct, const char *name, uint32_t size,
	     struct rte_rcu_qsbr *rcu)
{
	const struct lf_table_params tp = {
		.name = name,
		.key_len = sizeof(struct fw_conn_key),
		.size = size,
		.min_entries = 16,
		.rcu = rcu,
		.stamps = true, /* creation times, for show conn */
	};
	uint64_t hz = rte_get_tsc_hz();
	unsigned int s;
	int ret;

	memset(ct, 0, sizeof(*ct));
	ret = lf_table_create(&ct->tab, &tp);
	if (ret < 0)
		return ret;
	/* Even, and not the 0 of a never-filled cache slot. */
	atomic_store_explicit(&ct->gen, 2, memory_order_relaxed);
	/* Compared as signed differences (fw_ct_expired()). */
	for (s = 0; s < FW_ST_N; s++)
		ct->tmo[s] = nfv_ticks_of_ms(
			hz, FW_TICK_SHIFT,
			fw_state_timeout_s[s] * UINT64_C(1000), INT32_MAX);
	ct->refresh = RTE_MAX(
		nfv_ticks_of_ms(hz, FW_TICK_SHIFT, 1000, INT32_MAX), 1u);
	return 0;
}

void
fw_ct_destroy(struct fw_ct *ct)
{
	if (ct == NULL)
		return;
	lf_table_destroy(&ct->tab);
}

int
fw_ct_insert(struct fw_ct *ct, const struct fw_conn_key *k, int32_t *pos,
	     uint64_t nw, uint32_t t)
{
	struct lf_table *tb = &ct->tab;
	unsigned int tries;
	int32_t p;
	int rc;

	for (tries = 0; tries < 4; tries++) {
		p = *pos;
		if (p >= 0) {
			uint64_t old = atomic_load_explicit(
				&tb->words[p], memory_order_relaxed);

			while (old != 0) {
				if ((old & FW_W_VALID) &&
				    !fw_ct_expired(ct, old, t))
					return 0;
				/* An expired entry of the same connection:
				 * take it over.  Release: `stamps` (the
				 * creation time) is written before the walk
				 * (show conn) can see the new entry. */
				atomic_store_explicit(&tb->stamps[p], t,
						      memory_order_relaxed);
				if (atomic_compare_exchange_weak_explicit(
					    &tb->words[p], &old, nw,
					    memory_order_release,
					    memory_order_relaxed))
					return 1;
			}
		}
		/* Not in the table, or its word is 0 (being deleted). */
		rc = lf_table_add(tb, k, nw, t, &p);
		if (rc == -ENOSPC)
			return rc;
		/* 1: made.  0: another packet or worker was first: look at
		 * its entry.  -EAGAIN: the ager deleted the key meanwhile:
		 * add it again (p is -1). */
		*pos = p;
		if (rc == 1)
			return 1;
	}
	return -ENOSPC;
}

/*
 * Control thread: around deletes, the generation is odd (conn.h, "The
 * workers' position caches").  The odd store needs no order of its own:
 * rte_hash_del_key() starts the grace period of the position with a
 * release (rte_rcu_qsbr_start()), which publishes it; the even store is
 * a release so that a worker that sees it also sees the keys gone.
 */
static void
fw_ct_del_begin(struct fw_ct *ct)
{
	uint32_t g = atomic_load_explicit(&ct->gen, memory_order_relaxed);

	atomic_store_explicit(&ct->gen, g | 1, memory_order_relaxed);
}

static void
fw_ct_del_end(struct fw_ct *ct)
{
	uint32_t g = atomic_load_explicit(&ct->gen, memory_order_relaxed);

	/* Skips 0, the never-filled slot's generation, when it wraps. */
	g = (g | 1) + 1;
	atomic_store_explicit(&ct->gen, g != 0 ? g : 2, memory_order_release);
}

unsigned int
fw_ct_age(struct fw_ct *ct, uint64_t now, uint32_t budget)
{
	uint32_t t = fw_ticks(now), i;
	unsigned int removed = 0;
	bool deleting = false;

	for (i = 0; i < budget && i < lf_table_used(&ct->tab); i++) {
		uint32_t pos = lf_table_scan_next(&ct->tab);
		uint64_t w = atomic_load_explicit(&ct->tab.words[pos],
						  memory_order_relaxed);

		if (w == 0 || !fw_ct_expired(ct, w, t))
			continue;
		if (!deleting) {
			fw_ct_del_begin(ct);
			deleting = true;
		}
		/* Claimed first: a worker that refreshed it since we read it
		 * wins, and the connection stays. */
		if (lf_table_del_pos(&ct->tab, pos, w))
			removed++;
	}
	if (deleting)
		fw_ct_del_end(ct);
	ct->expired += removed;
	return removed;
}

unsigned int
fw_ct_flush(struct fw_ct *ct)
{
	unsigned int removed = 0;
	uint32_t pos, end;

	fw_ct_del_begin(ct);
	end = lf_table_used(&ct->tab);
	for (pos = 0; pos < end; pos++) {
		uint64_t w = atomic_load_explicit(&ct->tab.words[pos],
						  memory_order_relaxed);

		if (w != 0 && lf_table_del_pos(&ct->tab, pos, w))
			removed++;
	}
	fw_ct_del_end(ct);
	return removed;
}
