/* SPDX-License-Identifier: BSD-3-Clause
 *
 * mac_table.c - the l2switch's MAC table.  See mac_table.h for the design.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>

#include "vnf/l2switch/mac_table.h"

int
mac_table_create(struct mac_table *mt, const char *name, uint32_t size,
		 uint32_t aging_s, struct rte_rcu_qsbr *rcu)
{
	const struct lf_table_params tp = {
		.name = name,
		.key_len = sizeof(uint64_t),
		.size = size,
		.min_entries = 16,
		.rcu = rcu,
	};
	uint64_t hz = rte_get_tsc_hz();
	int ret;

	memset(mt, 0, sizeof(*mt));
	ret = lf_table_create(&mt->tab, &tp);
	if (ret < 0)
		return ret;
	/* Caches start zeroed: generation 0 must never be current. */
	atomic_store(&mt->gen, 1);
	mt->refresh_ticks = RTE_MAX(
		nfv_ticks_of_ms(hz, NFV_TICK_SHIFT, 1000, INT32_MAX), 1u);
	/* Compared as a signed difference (mac_table_age()). */
	mt->age_ticks = nfv_ticks_of_ms(hz, NFV_TICK_SHIFT,
					(uint64_t)aging_s * 1000, INT32_MAX);
	return 0;
}

void
mac_table_destroy(struct mac_table *mt)
{
	if (mt == NULL)
		return;
	lf_table_destroy(&mt->tab);
}

void
mac_table_lookup_bulk(struct mac_table *mt, const uint64_t *keys,
		      unsigned int n, uint64_t *vals, int32_t *pos)
{
	const void *kp[RTE_HASH_LOOKUP_BULK_MAX];
	unsigned int i;

	for (i = 0; i < n; i++)
		kp[i] = &keys[i];
	lf_table_lookup_bulk(&mt->tab, kp, n, pos);
	for (i = 0; i < n; i++)
		vals[i] = pos[i] >= 0
				  ? atomic_load_explicit(&mt->tab.words[pos[i]],
							 memory_order_relaxed)
				  : 0;
}

int
mac_table_learn(struct mac_table *mt, uint64_t key, int32_t pos, uint64_t val,
		uint16_t iface, uint64_t now)
{
	uint32_t t = nfv_tick(now, NFV_TICK_SHIFT);
	uint64_t nv = mac_entry_make(iface, false, t);
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
				&mt->tab.words[pos], &val, nv,
				memory_order_relaxed, memory_order_relaxed);
			return 0;
		}
		if (val & MAC_E_STATIC)
			return -EPERM;
		if (atomic_compare_exchange_strong_explicit(
			    &mt->tab.words[pos], &val, nv, memory_order_relaxed,
			    memory_order_relaxed)) {
			mac_table_bump(mt);
			return 2;
		}
		return 0;
	}

	switch (lf_table_add(&mt->tab, &key, nv, 0, &p)) {
	case -ENOSPC:
		return -ENOSPC;
	case 0:
		return 0; /* another worker learned it first */
	default:
		/* Made, or made and undone because the ageing scan deleted
		 * the key meanwhile: learned either way, as a lookup racing
		 * the scan would have seen. */
		mac_table_bump(mt);
		return 1;
	}
}

int
mac_table_add_static(struct mac_table *mt, uint64_t key, uint16_t iface)
{
	uint64_t old;
	int32_t p;

	p = lf_table_set(&mt->tab, &key, mac_entry_make(iface, true, 0), &old);
	if (p < 0)
		return p;
	mac_table_bump(mt);
	return 0;
}

/* Control thread: delete the key at `pos`, whatever its word is. */
static bool
mac_table_del_pos(struct mac_table *mt, uint32_t pos)
{
	if (!lf_table_del_pos(&mt->tab, pos, 0))
		return false;
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
	for (i = 0; i < budget && i < lf_table_used(&mt->tab); i++) {
		uint32_t pos = lf_table_scan_next(&mt->tab);
		uint64_t v = atomic_load_explicit(&mt->tab.words[pos],
						  memory_order_relaxed);

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
	uint32_t pos, end;

	end = lf_table_used(&mt->tab);
	for (pos = 0; pos < end; pos++) {
		uint64_t v = atomic_load_explicit(&mt->tab.words[pos],
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
