/* SPDX-License-Identifier: BSD-3-Clause
 *
 * conn.c - the firewall's connection table: creation, insertion (worker),
 * ageing and walking (control thread).  See conn.h for the design.
 */
#include <errno.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>

#include "vnf/firewall/conn.h"

/* rte_hash hands out at most this many positions beyond `entries` (see
 * rte_cuckoo_hash.c: the per-lcore free-slot caches of multi-writer
 * mode), as in vnf/l2switch/mac_table.c. */
#define FW_CT_SLACK (RTE_MAX_LCORE * 64 + 2)

#define FW_ST_NAME(sym, str, tmo) [sym] = (str),
#define FW_ST_TMO(sym, str, tmo) [sym] = (tmo),
const char *const fw_state_names[FW_ST_N] = {FW_CT_STATES(FW_ST_NAME)};
const uint32_t fw_state_timeout_s[FW_ST_N] = {FW_CT_STATES(FW_ST_TMO)};

int
fw_ct_create(struct fw_ct *ct, const char *name, uint32_t size,
	     struct rte_rcu_qsbr *rcu)
{
	struct rte_hash_parameters hp = {0};
	struct rte_hash_rcu_config rc = {0};
	uint64_t hz = rte_get_tsc_hz();
	unsigned int s;
	int ret;

	memset(ct, 0, sizeof(*ct));
	hp.name = name;
	hp.entries = RTE_MAX(size, 16u);
	hp.key_len = sizeof(struct fw_conn_key);
	hp.hash_func = rte_hash_crc;
	hp.socket_id = SOCKET_ID_ANY;
	hp.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF |
			RTE_HASH_EXTRA_FLAGS_MULTI_WRITER_ADD |
			RTE_HASH_EXTRA_FLAGS_EXT_TABLE;
	ct->h = rte_hash_create(&hp);
	if (ct->h == NULL)
		return rte_errno ? -rte_errno : -ENOMEM;
	if (rcu != NULL) {
		rc.v = rcu;
		rc.mode = RTE_HASH_QSBR_MODE_DQ;
		if (rte_hash_rcu_qsbr_add(ct->h, &rc) != 0) {
			ret = rte_errno ? -rte_errno : -EINVAL;
			goto err_hash;
		}
	}
	ct->n_pos = hp.entries + FW_CT_SLACK;
	ct->words = rte_zmalloc("fw_ct_words",
				(size_t)ct->n_pos * sizeof(ct->words[0]),
				RTE_CACHE_LINE_SIZE);
	ct->created = rte_zmalloc("fw_ct_created",
				  (size_t)ct->n_pos * sizeof(ct->created[0]),
				  RTE_CACHE_LINE_SIZE);
	if (ct->words == NULL || ct->created == NULL) {
		ret = -ENOMEM;
		goto err_mem;
	}
	ct->limit = size;
	/* Compared as signed differences (fw_ct_expired()). */
	for (s = 0; s < FW_ST_N; s++)
		ct->tmo[s] = nfv_ticks_of_ms(
			hz, FW_TICK_SHIFT,
			fw_state_timeout_s[s] * UINT64_C(1000), INT32_MAX);
	ct->refresh = RTE_MAX(
		nfv_ticks_of_ms(hz, FW_TICK_SHIFT, 1000, INT32_MAX), 1u);
	return 0;

err_mem:
	rte_free(ct->words);
	rte_free(ct->created);
	ct->words = NULL;
	ct->created = NULL;
err_hash:
	rte_hash_free(ct->h);
	ct->h = NULL;
	return ret;
}

void
fw_ct_destroy(struct fw_ct *ct)
{
	if (ct == NULL)
		return;
	rte_hash_free(ct->h);
	rte_free(ct->words);
	rte_free(ct->created);
	ct->h = NULL;
	ct->words = NULL;
	ct->created = NULL;
}

int
fw_ct_insert(struct fw_ct *ct, const struct fw_conn_key *k, int32_t *pos,
	     uint64_t nw, uint32_t t)
{
	unsigned int tries;

	for (tries = 0; tries < 2; tries++) {
		int32_t p = *pos;
		uint64_t old;

		if (p < 0) {
			if (atomic_load_explicit(&ct->count,
						 memory_order_relaxed) >=
			    ct->limit)
				return -ENOSPC;
			/* The writer path (rte_hash's lock); it returns the
			 * key's position when the key is there already. */
			p = rte_hash_add_key(ct->h, k);
			if (p < 0)
				return -ENOSPC;
			*pos = p;
		}
		old = atomic_load_explicit(&ct->words[p], memory_order_relaxed);
		for (;;) {
			if ((old & FW_W_VALID) && !fw_ct_expired(ct, old, t))
				return 0;
			if (old == 0 &&
			    atomic_load_explicit(&ct->count,
						 memory_order_relaxed) >=
				    ct->limit)
				return -ENOSPC;
			atomic_store_explicit(&ct->created[p], t,
					      memory_order_relaxed);
			/* Release: `created` is written before the entry
			 * becomes visible to the walk (show conn). */
			if (atomic_compare_exchange_weak_explicit(
				    &ct->words[p], &old, nw,
				    memory_order_release, memory_order_relaxed))
				break;
		}
		if (old != 0)
			return 1; /* an expired entry taken over */
		atomic_fetch_add_explicit(&ct->count, 1, memory_order_relaxed);
		/* The ager may have deleted this key between our add and our
		 * store: then the position is on its way back to the free
		 * list and must not keep a valid word.  Undo and retry. */
		if (rte_hash_lookup(ct->h, k) == p)
			return 1;
		old = nw;
		if (atomic_compare_exchange_strong_explicit(
			    &ct->words[p], &old, 0, memory_order_relaxed,
			    memory_order_relaxed))
			atomic_fetch_sub_explicit(&ct->count, 1,
						  memory_order_relaxed);
		*pos = -1;
	}
	return -ENOSPC;
}

/* Control thread: remove the connection at pos, whose word was w. */
static bool
fw_ct_del_pos(struct fw_ct *ct, uint32_t pos, uint64_t w)
{
	struct fw_conn_key key;
	uint64_t old;
	void *kp;

	/* Claim the word first: a worker that refreshed it since we read it
	 * wins, and the connection stays. */
	if (!atomic_compare_exchange_strong_explicit(&ct->words[pos], &w, 0,
						     memory_order_relaxed,
						     memory_order_relaxed))
		return false;
	atomic_fetch_sub_explicit(&ct->count, 1, memory_order_relaxed);
	if (rte_hash_get_key_with_position(ct->h, (int32_t)pos, &kp) == 0) {
		memcpy(&key, kp, sizeof(key));
		rte_hash_del_key(ct->h, &key);
	}
	/* A worker may have entered the same connection again between the
	 * claim and the delete; that entry goes with the key. */
	old = atomic_exchange_explicit(&ct->words[pos], 0,
				       memory_order_relaxed);
	if (old != 0)
		atomic_fetch_sub_explicit(&ct->count, 1, memory_order_relaxed);
	return true;
}

unsigned int
fw_ct_age(struct fw_ct *ct, uint64_t now, uint32_t budget)
{
	uint32_t t = fw_ticks(now), i;
	unsigned int removed = 0;

	for (i = 0; i < budget && i < ct->n_pos; i++) {
		uint32_t pos = ct->scan_pos;
		uint64_t w = atomic_load_explicit(&ct->words[pos],
						  memory_order_relaxed);

		ct->scan_pos = (pos + 1 == ct->n_pos) ? 0 : pos + 1;
		if (w == 0 || !fw_ct_expired(ct, w, t))
			continue;
		if (fw_ct_del_pos(ct, pos, w))
			removed++;
	}
	ct->expired += removed;
	return removed;
}

unsigned int
fw_ct_flush(struct fw_ct *ct)
{
	unsigned int removed = 0;
	uint32_t pos;

	for (pos = 0; pos < ct->n_pos; pos++) {
		uint64_t w = atomic_load_explicit(&ct->words[pos],
						  memory_order_relaxed);

		if (w != 0 && fw_ct_del_pos(ct, pos, w))
			removed++;
	}
	return removed;
}

void
fw_ct_walk(struct fw_ct *ct,
	   void (*fn)(const struct fw_conn_key *k, uint64_t word,
		      uint32_t created, void *arg),
	   void *arg)
{
	struct fw_conn_key key;
	uint32_t pos;
	void *kp;

	for (pos = 0; pos < ct->n_pos; pos++) {
		/* Acquire: pairs with the release in fw_ct_insert(). */
		uint64_t w = atomic_load_explicit(&ct->words[pos],
						  memory_order_acquire);

		if (w == 0)
			continue;
		if (rte_hash_get_key_with_position(ct->h, (int32_t)pos, &kp) !=
		    0)
			continue;
		memcpy(&key, kp, sizeof(key));
		fn(&key, w,
		   atomic_load_explicit(&ct->created[pos],
					memory_order_relaxed),
		   arg);
	}
}
