/* SPDX-License-Identifier: BSD-3-Clause
 *
 * mac_table.h - the l2switch's MAC table: (VLAN, MAC) -> iface.
 *
 * A lock-free table (vnf/lib/lf_table.h) maps a key to a position; its
 * word at that position holds the iface, flags and the time the MAC was
 * last seen, which workers read and update with plain atomics.  Lookups,
 * refreshes and MAC moves take no lock.  Learning a MAC the table does not
 * know yet goes through rte_hash's writer path (its lock, once per new
 * MAC, never per packet); positions are reused only after an RCU grace
 * period.
 *
 * Entry word: bits 0-15 iface, bit 16 static, bit 17 valid, bits 32-63 the
 * last-seen time in ticks (vnf/lib/tick.h, NFV_TICK_SHIFT).  0 means "no
 * entry".
 */
#ifndef NFV_L2SWITCH_MAC_TABLE_H
#define NFV_L2SWITCH_MAC_TABLE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_ether.h>

#include "vnf/lib/lf_table.h"
#include "vnf/lib/tick.h"

struct rte_rcu_qsbr;

#define MAC_E_STATIC (UINT64_C(1) << 16)
#define MAC_E_VALID (UINT64_C(1) << 17)

struct mac_table {
	struct lf_table tab;		/* limit: the configured table size */
	uint32_t refresh_ticks;		/* re-stamp a MAC at most this often */
	uint32_t age_ticks;		/* 0: never age */
	/* Bumped (relaxed) by every change that can alter a lookup's answer:
	 * a MAC learned, moved or removed.  Workers' verdict caches compare
	 * it; seeing a change a little late equals a lookup racing the
	 * change, which the table allows anyway. */
	atomic_uint gen;
};

static inline uint32_t
mac_table_gen(struct mac_table *mt)
{
	return atomic_load_explicit(&mt->gen, memory_order_relaxed);
}

static inline void
mac_table_bump(struct mac_table *mt)
{
	atomic_fetch_add_explicit(&mt->gen, 1, memory_order_relaxed);
}

/*
 * The hash key: MAC in the low 48 bits (in wire order, as a little-endian
 * load sees it), VLAN above.  Built from a 4-byte and a 2-byte load in
 * registers: a 6-byte memcpy into a stack word followed by an 8-byte load
 * stalls store-to-load forwarding, which cost ~35 cycles per frame.
 */
static inline uint64_t
mac_table_key(const struct rte_ether_addr *a, uint16_t vlan)
{
	uint32_t lo;
	uint16_t hi;

	memcpy(&lo, &a->addr_bytes[0], sizeof(lo));
	memcpy(&hi, &a->addr_bytes[4], sizeof(hi));
	return (uint64_t)lo | ((uint64_t)hi << 32) | ((uint64_t)vlan << 48);
}

static inline uint16_t
mac_entry_iface(uint64_t e)
{
	return (uint16_t)e;
}

static inline uint32_t
mac_entry_time(uint64_t e)
{
	return (uint32_t)(e >> 32);
}

static inline uint64_t
mac_entry_make(uint16_t iface, bool is_static, uint32_t ticks)
{
	return (uint64_t)iface | MAC_E_VALID |
	       (is_static ? MAC_E_STATIC : 0) | ((uint64_t)ticks << 32);
}

/* Control thread.  `size` entries at most; `aging_s` seconds (0: never). */
int mac_table_create(struct mac_table *mt, const char *name, uint32_t size,
		     uint32_t aging_s, struct rte_rcu_qsbr *rcu);
void mac_table_destroy(struct mac_table *mt);

/* Worker.  Look up n (<= 64) keys; vals[i] is the entry word (0: miss) and
 * pos[i] its position (< 0: miss). */
void mac_table_lookup_bulk(struct mac_table *mt, const uint64_t *keys,
			   unsigned int n, uint64_t *vals, int32_t *pos);

/*
 * Worker.  Learn that `key` was seen on `iface` at `now` (TSC), given what
 * a lookup returned (pos/val; pos < 0 for a miss).  Returns
 *   0 nothing to do / refreshed, 1 a new MAC learned, 2 the MAC moved,
 *   -ENOSPC the table is full, -EPERM a static MAC seen elsewhere.
 */
int mac_table_learn(struct mac_table *mt, uint64_t key, int32_t pos,
		    uint64_t val, uint16_t iface, uint64_t now);

/* Control thread.  Static entries are never aged or moved. */
int mac_table_add_static(struct mac_table *mt, uint64_t key, uint16_t iface);
/* Control thread: remove entries older than the ageing time; scans at most
 * `budget` positions per call and returns how many were removed. */
unsigned int mac_table_age(struct mac_table *mt, uint64_t now,
			   uint32_t budget);
/* Control thread: remove every dynamic entry (and static ones too when
 * `all`); returns how many. */
unsigned int mac_table_flush(struct mac_table *mt, bool all);
/* Control thread: remove entries pointing at `iface` (link down). */
unsigned int mac_table_flush_iface(struct mac_table *mt, uint16_t iface);

/* Control thread: lf_table_walk(&mt->tab, ...) calls fn for every valid
 * entry with the key (a uint64_t: mac_table_key()) and the entry word. */

#endif /* NFV_L2SWITCH_MAC_TABLE_H */
