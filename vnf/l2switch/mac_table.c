/* SPDX-License-Identifier: BSD-3-Clause
 *
 * mac_table.c - the l2switch's MAC table.  See mac_table.h for the design.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>

#include "vnf/l2switch/mac_table.h"

/* rte_hash hands out at most this many positions (see rte_cuckoo_hash.c:
 * entries plus the per-lcore free-slot caches of multi-writer mode). */
#define MAC_TABLE_SLACK (RTE_MAX_LCORE * 64 + 2)

int
mac_table_create(struct mac_table *mt, const char *name, uint32_t size,
		 uint32_t aging_s, struct rte_rcu_qsbr *rcu)
{
	struct rte_hash_parameters hp = {0};
	struct rte_hash_rcu_config rc = {0};
	uint64_t hz = rte_get_tsc_hz();
	int ret;

	memset(mt, 0, sizeof(*mt));
	hp.name = name;
	hp.entries = RTE_MAX(size, 16u);
	hp.key_len = sizeof(uint64_t);
	hp.hash_func = rte_hash_crc;
	hp.socket_id = SOCKET_ID_ANY;
	hp.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF |
			RTE_HASH_EXTRA_FLAGS_MULTI_WRITER_ADD |
			RTE_HASH_EXTRA_FLAGS_EXT_TABLE;
	mt->h = rte_hash_create(&hp);
	if (mt->h == NULL)
		return rte_errno ? -rte_errno : -ENOMEM;

	if (rcu != NULL) {
		rc.v = rcu;
		rc.mode = RTE_HASH_QSBR_MODE_DQ;
		ret = rte_hash_rcu_qsbr_add(mt->h, &rc);
		if (ret != 0) {
			ret = rte_errno ? -rte_errno : -EINVAL;
			goto err_hash;
		}
	}

	mt->n_pos = hp.entries + MAC_TABLE_SLACK;
	mt->entries = rte_zmalloc("mac_entries",
				  (size_t)mt->n_pos * sizeof(mt->entries[0]),
				  RTE_CACHE_LINE_SIZE);
	if (mt->entries == NULL) {
		ret = -ENOMEM;
		goto err_hash;
	}
	mt->limit = size;
	/* Caches start zeroed: generation 0 must never be current. */
	atomic_store(&mt->gen, 1);
	mt->refresh_ticks = RTE_MAX(
		nfv_ticks_of_ms(hz, NFV_TICK_SHIFT, 1000, INT32_MAX), 1u);
	/* Compared as a signed difference (mac_table_age()). */
	mt->age_ticks = nfv_ticks_of_ms(hz, NFV_TICK_SHIFT,
					(uint64_t)aging_s * 1000, INT32_MAX);
	return 0;

err_hash:
	rte_hash_free(mt->h);
	mt->h = NULL;
	return ret;
}

void
mac_table_destroy(struct mac_table *mt)
{
	if (mt == NULL)
		return;
	rte_hash_free(mt->h);
	rte_free(mt->entries);
	mt->h = NULL;
	mt->entries = NULL;
}

void
mac_table_lookup_bulk(struct mac_table *mt, const uint64_t *keys,
		      unsigned int n, uint64_t *vals, int32_t *pos)
{
	const void *kp[RTE_HASH_LOOKUP_BULK_MAX];
	unsigned int i;

	for (i = 0; i < n; i++)
		kp[i] = &keys[i];
	rte_hash_lookup_bulk(mt->h, kp, n, pos);
	for (i = 0; i < n; i++)
		vals[i] = pos[i] >= 0 ? atomic_load_explicit(
						&mt->entries[pos[i]],
						memory_order_relaxed)
				      : 0;
}

int
mac_table_learn(struct mac_table *mt, uint64_t key, int32_t pos, uint64_t val,
		uint16_t iface, uint64_t now)
{
	uint32_t t = nfv_tick(now, NFV_TICK_SHIFT);
	uint64_t exp, nv = mac_entry_make(iface, false, t);
	int32_t p;

	if (pos >= 0 && val != 0) {
		if (mac_entry_iface(val) == iface) {
			if ((val & MAC_E_STATIC) ||
			    (uint32_t)(t - mac_entry_time(val)) <
				    mt->refresh_ticks)
				return 0;
			/* Refresh.  A failed CAS means another worker or the
			 * ageing scan changed it first: theirs stands. */
			atomic_compare_exchange_strong_explicit(
				&mt->entries[pos], &val, nv,
				memory_order_relaxed, memory_order_relaxed);
			return 0;
		}
		if (val & MAC_E_STATIC)
			return -EPERM;
		if (atomic_compare_exchange_strong_explicit(
			    &mt->entries[pos], &val, nv, memory_order_relaxed,
			    memory_order_relaxed)) {
			mac_table_bump(mt);
			return 2;
		}
		return 0;
	}

	if (atomic_load_explicit(&mt->count, memory_order_relaxed) >=
	    mt->limit)
		return -ENOSPC;
	p = rte_hash_add_key(mt->h, &key);
	if (p < 0)
		return -ENOSPC;
	exp = 0;
	if (!atomic_compare_exchange_strong_explicit(&mt->entries[p], &exp, nv,
						     memory_order_relaxed,
						     memory_order_relaxed))
		return 0; /* another worker learned it first */
	atomic_fetch_add_explicit(&mt->count, 1, memory_order_relaxed);
	mac_table_bump(mt);
	/* The ageing scan may have deleted this key between our add and our
	 * store; then the position is on its way back to the free list and
	 * must not keep a valid word. */
	if (rte_hash_lookup(mt->h, &key) != p) {
		exp = nv;
		if (atomic_compare_exchange_strong_explicit(
			    &mt->entries[p], &exp, 0, memory_order_relaxed,
			    memory_order_relaxed))
			atomic_fetch_sub_explicit(&mt->count, 1,
						  memory_order_relaxed);
	}
	return 1;
}

int
mac_table_add_static(struct mac_table *mt, uint64_t key, uint16_t iface)
{
	int32_t p = rte_hash_add_key(mt->h, &key);
	uint64_t old;

	if (p < 0)
		return p;
	old = atomic_exchange_explicit(&mt->entries[p],
				       mac_entry_make(iface, true, 0),
				       memory_order_relaxed);
	if (old == 0)
		atomic_fetch_add_explicit(&mt->count, 1, memory_order_relaxed);
	mac_table_bump(mt);
	return 0;
}

/* Control thread: delete the key at `pos` (whose word was `val`). */
static bool
mac_table_del_pos(struct mac_table *mt, uint32_t pos)
{
	void *kp;
	uint64_t key, old;
	int32_t p;

	if (rte_hash_get_key_with_position(mt->h, pos, &kp) != 0)
		return false;
	memcpy(&key, kp, sizeof(key));
	p = rte_hash_del_key(mt->h, &key);
	if (p < 0)
		return false;
	/* After the delete no lookup returns p; clear the word so that the
	 * position comes back empty when rte_hash reuses it after the grace
	 * period.  Workers' CAS on the old word fail from here on. */
	old = atomic_exchange_explicit(&mt->entries[p], 0,
				       memory_order_relaxed);
	if (old != 0)
		atomic_fetch_sub_explicit(&mt->count, 1, memory_order_relaxed);
	mac_table_bump(mt);
	return true;
}

unsigned int
mac_table_age(struct mac_table *mt, uint64_t now, uint32_t budget)
{
	uint32_t t = nfv_tick(now, NFV_TICK_SHIFT);
	unsigned int removed = 0;
	uint32_t i;

	if (mt->age_ticks == 0)
		return 0;
	for (i = 0; i < budget && i < mt->n_pos; i++) {
		uint32_t pos = mt->scan_pos;
		uint64_t v = atomic_load_explicit(&mt->entries[pos],
						  memory_order_relaxed);

		mt->scan_pos = (pos + 1 == mt->n_pos) ? 0 : pos + 1;
		if (v == 0 || (v & MAC_E_STATIC))
			continue;
		/* Signed: a worker whose loop began after our `now` may
		 * have stamped the entry a tick later; it is fresh, not
		 * 2^32 ticks old.  age_ticks <= INT32_MAX. */
		if (nfv_tick_diff(t, mac_entry_time(v)) <=
		    (int32_t)mt->age_ticks)
			continue;
		if (mac_table_del_pos(mt, pos))
			removed++;
	}
	return removed;
}

/* Control thread: remove the dynamic entries (static ones too when `all`)
 * of iface `iface`, or of every iface when iface < 0. */
static unsigned int
mac_table_flush_match(struct mac_table *mt, bool all, int iface)
{
	unsigned int removed = 0;
	uint32_t pos;

	for (pos = 0; pos < mt->n_pos; pos++) {
		uint64_t v = atomic_load_explicit(&mt->entries[pos],
						  memory_order_relaxed);

		if (v == 0 || ((v & MAC_E_STATIC) && !all) ||
		    (iface >= 0 && mac_entry_iface(v) != iface))
			continue;
		if (mac_table_del_pos(mt, pos))
			removed++;
	}
	return removed;
}

unsigned int
mac_table_flush(struct mac_table *mt, bool all)
{
	return mac_table_flush_match(mt, all, -1);
}

unsigned int
mac_table_flush_iface(struct mac_table *mt, uint16_t iface)
{
	return mac_table_flush_match(mt, false, iface);
}

void
mac_table_walk(struct mac_table *mt,
	       void (*fn)(uint64_t key, uint64_t val, void *arg), void *arg)
{
	uint32_t pos;
	void *kp;

	for (pos = 0; pos < mt->n_pos; pos++) {
		uint64_t v = atomic_load_explicit(&mt->entries[pos],
						  memory_order_relaxed);
		uint64_t key;

		if (v == 0)
			continue;
		if (rte_hash_get_key_with_position(mt->h, pos, &kp) != 0)
			continue;
		memcpy(&key, kp, sizeof(key));
		fn(key, v, arg);
	}
}
