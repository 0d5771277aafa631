/* SPDX-License-Identifier: BSD-3-Clause
 *
 * lf_table.c - the lock-free table recipe.  See lf_table.h for the design.
 */
#include <errno.h>
#include <string.h>

#include <rte_common.h>
#include <rte_errno.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>

#include "vnf/lib/lf_table.h"

/* rte_hash hands out at most this many positions beyond `entries` (see
 * rte_cuckoo_hash.c: the per-lcore free-slot caches of multi-writer
 * mode). */
#define LF_TABLE_SLACK (RTE_MAX_LCORE * 64 + 2)

int
lf_table_create(struct lf_table *t, const struct lf_table_params *p)
{
	struct rte_hash_parameters hp = {0};
	struct rte_hash_rcu_config rc = {0};
	int ret;

	memset(t, 0, sizeof(*t));
	if (p->key_len == 0 || p->key_len > LF_TABLE_KEY_MAX)
		return -EINVAL;
	hp.name = p->name;
	hp.entries = RTE_MAX(p->size, p->min_entries);
	hp.key_len = p->key_len;
	hp.hash_func = rte_hash_crc;
	hp.socket_id = SOCKET_ID_ANY;
	hp.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF |
			RTE_HASH_EXTRA_FLAGS_MULTI_WRITER_ADD |
			RTE_HASH_EXTRA_FLAGS_EXT_TABLE;
	t->h = rte_hash_create(&hp);
	if (t->h == NULL)
		return rte_errno ? -rte_errno : -ENOMEM;
	if (p->rcu != NULL) {
		rc.v = p->rcu;
		rc.mode = RTE_HASH_QSBR_MODE_DQ;
		if (rte_hash_rcu_qsbr_add(t->h, &rc) != 0) {
			ret = rte_errno ? -rte_errno : -EINVAL;
			goto err;
		}
		t->deferred = true;
	}
	t->n_pos = hp.entries + LF_TABLE_SLACK;
	t->words =
		rte_zmalloc("lf_words", (size_t)t->n_pos * sizeof(t->words[0]),
			    RTE_CACHE_LINE_SIZE);
	if (t->words == NULL) {
		ret = -ENOMEM;
		goto err;
	}
	if (p->stamps) {
		t->stamps = rte_zmalloc("lf_stamps",
					(size_t)t->n_pos * sizeof(t->stamps[0]),
					RTE_CACHE_LINE_SIZE);
		if (t->stamps == NULL) {
			ret = -ENOMEM;
			goto err;
		}
	}
	t->limit = p->size;
	t->key_len = p->key_len;
	return 0;

err:
	lf_table_destroy(t);
	return ret;
}

void
lf_table_destroy(struct lf_table *t)
{
	if (t == NULL)
		return;
	rte_hash_free(t->h);
	rte_free(t->words);
	rte_free(t->stamps);
	t->h = NULL;
	t->words = NULL;
	t->stamps = NULL;
}

/* After the word at pos is stored: walks go as far as pos from now on. */
static void
lf_table_note_used(struct lf_table *t, uint32_t pos)
{
	uint32_t u = atomic_load_explicit(&t->used, memory_order_relaxed);

	while (u <= pos &&
	       !atomic_compare_exchange_weak_explicit(&t->used, &u, pos + 1,
						      memory_order_release,
						      memory_order_relaxed))
		;
}

int
lf_table_add(struct lf_table *t, const void *key, uint64_t word, uint32_t stamp,
	     int32_t *pos)
{
	uint64_t exp = 0;
	int32_t p;

	if (atomic_load_explicit(&t->count, memory_order_relaxed) >= t->limit) {
		/* Full, but a key that has an entry still has it: say so,
		 * as below the limit (a packet of a connection made since
		 * the caller's lookup is one of that connection). */
		p = rte_hash_lookup(t->h, key);
		if (p < 0 || atomic_load_explicit(&t->words[p],
						  memory_order_relaxed) == 0)
			return -ENOSPC;
		*pos = p;
		return 0;
	}
	/* The writer path (rte_hash's lock); it returns the key's position
	 * when the key is there already. */
	p = rte_hash_add_key(t->h, key);
	if (p < 0)
		return -ENOSPC;
	*pos = p;
	if (t->stamps != NULL)
		atomic_store_explicit(&t->stamps[p], stamp,
				      memory_order_relaxed);
	/* Release: the stamp is written before the entry can be seen. */
	if (!atomic_compare_exchange_strong_explicit(&t->words[p], &exp, word,
						     memory_order_release,
						     memory_order_relaxed))
		return 0;
	atomic_fetch_add_explicit(&t->count, 1, memory_order_relaxed);
	lf_table_note_used(t, (uint32_t)p);
	if (rte_hash_lookup(t->h, key) == p)
		return 1;
	/* Deleted between our add and our store (lf_table.h). */
	exp = word;
	if (atomic_compare_exchange_strong_explicit(&t->words[p], &exp, 0,
						    memory_order_relaxed,
						    memory_order_relaxed))
		atomic_fetch_sub_explicit(&t->count, 1, memory_order_relaxed);
	*pos = -1;
	return -EAGAIN;
}

int32_t
lf_table_set(struct lf_table *t, const void *key, uint64_t word, uint64_t *old)
{
	int32_t p = rte_hash_add_key(t->h, key);

	if (p < 0)
		return p;
	*old = atomic_exchange_explicit(&t->words[p], word,
					memory_order_release);
	if (*old == 0)
		atomic_fetch_add_explicit(&t->count, 1, memory_order_relaxed);
	lf_table_note_used(t, (uint32_t)p);
	return p;
}

bool
lf_table_del_pos(struct lf_table *t, uint32_t pos, uint64_t expect)
{
	_Alignas(16) uint8_t key[LF_TABLE_KEY_MAX]; /* owners cast it */
	int32_t p = -1;
	uint64_t old;
	void *kp;

	if (expect != 0) {
		if (!atomic_compare_exchange_strong_explicit(
			    &t->words[pos], &expect, 0, memory_order_relaxed,
			    memory_order_relaxed))
			return false;
		atomic_fetch_sub_explicit(&t->count, 1, memory_order_relaxed);
	}
	/* A copy: the key store slot is what rte_hash_del_key() releases. */
	if (rte_hash_get_key_with_position(t->h, (int32_t)pos, &kp) == 0) {
		memcpy(key, kp, t->key_len);
		p = rte_hash_del_key(t->h, key);
	}
	if (p < 0 && expect == 0)
		return false;
	/* No lookup returns the position any more: clear its word, so that
	 * it comes back empty when rte_hash reuses it.  Workers' CAS on the
	 * old word fail from here on. */
	old = atomic_exchange_explicit(&t->words[pos], 0, memory_order_relaxed);
	if (old != 0)
		atomic_fetch_sub_explicit(&t->count, 1, memory_order_relaxed);
	if (p >= 0 && !t->deferred)
		/* No worker can hold it: free it now. */
		rte_hash_free_key_with_position(t->h, p);
	return true;
}

void
lf_table_walk(struct lf_table *t,
	      void (*fn)(const void *key, uint64_t word, uint32_t stamp,
			 void *arg),
	      void *arg)
{
	_Alignas(16) uint8_t key[LF_TABLE_KEY_MAX]; /* owners cast it */
	uint32_t pos;
	uint32_t end = lf_table_used(t);
	void *kp;

	for (pos = 0; pos < end; pos++) {
		/* Acquire: pairs with the release in lf_table_add(). */
		uint64_t w = atomic_load_explicit(&t->words[pos],
						  memory_order_acquire);

		if (w == 0)
			continue;
		if (rte_hash_get_key_with_position(t->h, (int32_t)pos, &kp) !=
		    0)
			continue;
		memcpy(key, kp, t->key_len);
		fn(key, w,
		   t->stamps != NULL
			   ? atomic_load_explicit(&t->stamps[pos],
						  memory_order_relaxed)
			   : 0,
		   arg);
	}
}
