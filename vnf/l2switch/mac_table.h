/* SPDX-License-Identifier: BSD-3-Clause
 *
 * mac_table.h - the l2switch's MAC table: (VLAN, MAC) -> iface.
 *
 * An rte_hash with lock-free reader/writer concurrency maps a key to a
 * position; entries[position] holds the iface, flags and the time the MAC
 * was last seen, packed in one 64-bit word that workers read and update with
 * plain atomics.  Lookups, refreshes and MAC moves take no lock.  Inserting
 * a MAC the table does not know yet goes through rte_hash's writer path,
 * which serialises writers (workers learning, the control thread ageing)
 * on rte_hash's internal lock; it is taken once per new MAC, never per
 * packet.  Positions are reclaimed only after an RCU grace period
 * (rte_hash_rcu_qsbr_add), so a worker holding a position never sees it
 * reused for another MAC.
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

#include "vnf/lib/tick.h"

struct rte_hash;
struct rte_rcu_qsbr;

#define MAC_E_STATIC (UINT64_C(1) << 16)
#define MAC_E_VALID (UINT64_C(1) << 17)

struct mac_table {
	struct rte_hash *h;
	_Atomic uint64_t *entries;	/* [n_pos] */
	uint32_t n_pos;			/* positions rte_hash may return */
	uint32_t limit;			/* configured table size */
	atomic_uint count;		/* valid entries */
	uint32_t refresh_ticks;		/* re-stamp a MAC at most this often */
	uint32_t age_ticks;		/* 0: never age */
	uint32_t scan_pos;		/* where the ageing scan goes on */
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

/* Control thread: call fn for every valid entry. */
void mac_table_walk(struct mac_table *mt,
		    void (*fn)(uint64_t key, uint64_t val, void *arg), void *arg);

#endif /* NFV_L2SWITCH_MAC_TABLE_H */
