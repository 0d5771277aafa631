/* SPDX-License-Identifier: BSD-3-Clause
 *
 * lf_table.h - the lock-free table recipe of every VNF table that workers
 * write: the l2switch's MAC table, the router's neighbours, the firewall's
 * connections.
 *
 * An rte_hash with lock-free reader/writer concurrency maps a key to a
 * position; words[position] is the entry: one 64-bit word whose meaning
 * is the owner's, read and changed with atomics only, 0 meaning "no entry
 * here".  A lookup, and any change of an entry word, take no lock.  Adding
 * a key goes through rte_hash's writer path, which serialises writers
 * (workers adding, the control thread deleting) on rte_hash's internal
 * lock: once per new key, never per packet.  An optional stamps[] array
 * holds a 32-bit time per position that the adder stores before it
 * publishes the word (the router's last-change time, the firewall's
 * creation time).
 *
 * Positions.  rte_hash hands out at most `entries` plus the per-lcore
 * free-slot caches of multi-writer mode (the spare slots, LF_TABLE_SLACK);
 * words[] has room for all of them, so every position it returns is in
 * range.  `limit`, the configured size, bounds the valid entries
 * (`count`): an add beyond it fails with -ENOSPC.  `used` is one past the
 * highest position that ever held a word: rte_hash hands positions out
 * from the bottom (and its per-lcore caches give freed ones back first),
 * so walks and scans stop there instead of going over every spare slot
 * (8,194 of them with RTE_MAX_LCORE 128, for a table of 16 as for one of
 * a million).  An adder raises it after it stores the word (release); a
 * walk that reads it (acquire) sees every word below it.
 *
 * Deferred free.  A deleted key's position goes back to rte_hash's free
 * list only after an RCU grace period (rte_hash_rcu_qsbr_add() in
 * defer-queue mode; rte_hash reclaims from its queue as it needs slots),
 * so a worker that looked a position up never sees it reused by another
 * key while it holds it.  Without an RCU variable (tests that run no
 * worker) the position is freed at once.
 *
 * The add race.  A delete (control thread) can come between a worker's
 * rte_hash_add_key() and its store of the word: the position is then on
 * its way back to the free list and must not keep a valid word.  The adder
 * looks the key up again after its store and undoes the store when the key
 * is gone (lf_table_add() returns -EAGAIN).
 *
 * Threads: lookups and lf_table_add() on workers or the control thread;
 * the rest on the control thread only.
 */
#ifndef NFV_LIB_LF_TABLE_H
#define NFV_LIB_LF_TABLE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <rte_hash.h>

struct rte_rcu_qsbr;

/* Bytes of a key at most. */
#define LF_TABLE_KEY_MAX 64

struct lf_table {
	struct rte_hash *h;	  /* key -> position */
	_Atomic uint64_t *words;  /* [n_pos] the entries; 0: none */
	_Atomic uint32_t *stamps; /* [n_pos] or NULL, see above */
	uint32_t n_pos;		  /* positions rte_hash may return */
	atomic_uint used;	  /* 1 + the highest position used, see above */
	uint32_t limit;		  /* valid entries at most */
	atomic_uint count;	  /* valid entries (words[] != 0) */
	uint32_t scan_pos;	  /* control thread: lf_table_scan_next() */
	uint32_t key_len;
	bool deferred; /* positions freed after a grace period */
};

struct lf_table_params {
	const char *name;	  /* rte_hash name, unique in the process */
	uint32_t key_len;	  /* at most LF_TABLE_KEY_MAX */
	uint32_t size;		  /* valid entries at most */
	uint32_t min_entries;	  /* rte_hash is made at least this big */
	struct rte_rcu_qsbr *rcu; /* the workers'; NULL: none run */
	bool stamps;		  /* keep stamps[] */
};

/* Control thread: 0 or -errno.  lf_table_destroy() accepts a table that
 * was never created (zeroed) or whose creation failed. */
int lf_table_create(struct lf_table *t, const struct lf_table_params *p);
void lf_table_destroy(struct lf_table *t);

/* Worker or control thread: the position of key, or -1. */
static inline int32_t
lf_table_lookup(const struct lf_table *t, const void *key)
{
	int32_t p = rte_hash_lookup(t->h, key);

	return p >= 0 ? p : -1;
}

/* Worker or control thread: pos[i] is the position of keys[i] or < 0;
 * n <= RTE_HASH_LOOKUP_BULK_MAX. */
static inline void
lf_table_lookup_bulk(const struct lf_table *t, const void **keys,
		     unsigned int n, int32_t *pos)
{
	rte_hash_lookup_bulk(t->h, keys, n, pos);
}

/*
 * Worker or control thread: make `word` (not 0) key's entry.  When the
 * table keeps stamps, stamps[pos] = stamp is stored first, and the word is
 * published with a release store after it.  Returns
 *    1        made: *pos is its position, count went up;
 *    0        the key has an entry already (another thread was first),
 *             whether or not count is at the limit: *pos is its
 *             position, its word is left as it was;
 *   -ENOSPC   a new entry would be one beyond the limit, or rte_hash is
 *             full;
 *   -EAGAIN   a delete came in between and the store was undone: nothing
 *             of it is left, try again.
 */
int lf_table_add(struct lf_table *t, const void *key, uint64_t word,
		 uint32_t stamp, int32_t *pos);

/*
 * Control thread: key's entry becomes `word` (not 0) whatever it was,
 * regardless of the limit (static entries).  The position or -errno;
 * *old is the word it replaced (0: a new entry, counted).
 */
int32_t lf_table_set(struct lf_table *t, const void *key, uint64_t word,
		     uint64_t *old);

/*
 * Control thread: remove the entry at pos: its key leaves rte_hash, its
 * word becomes 0, and the position is freed after a grace period.
 * expect == 0: whatever the word is (false when pos holds no key).
 * expect != 0: only while the word still is `expect`: it is claimed (set
 * to 0) first, so a worker that changed it since wins (false); an entry a
 * worker made again for the same key between the claim and the delete
 * goes with the key.
 */
bool lf_table_del_pos(struct lf_table *t, uint32_t pos, uint64_t expect);

/* Control thread: fn for every entry: its key (aligned for any key
 * type), its word and its stamp (0 when the table keeps none).  The word
 * is read with acquire: the stamp stored before it is visible. */
void lf_table_walk(struct lf_table *t,
		   void (*fn)(const void *key, uint64_t word, uint32_t stamp,
			      void *arg),
		   void *arg);

/* Control thread: positions from 0 up to this one (excluded) are all that
 * may hold an entry; walk no further. */
static inline uint32_t
lf_table_used(const struct lf_table *t)
{
	return atomic_load_explicit(&t->used, memory_order_acquire);
}

/* Control thread: the next position of a scan that goes round the used
 * positions a budget at a time (ageing). */
static inline uint32_t
lf_table_scan_next(struct lf_table *t)
{
	uint32_t end = lf_table_used(t);
	uint32_t pos = t->scan_pos < end ? t->scan_pos : 0;

	t->scan_pos = pos + 1 >= end ? 0 : pos + 1;
	return pos;
}

#endif /* NFV_LIB_LF_TABLE_H */
