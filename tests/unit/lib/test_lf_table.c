/* SPDX-License-Identifier: BSD-3-Clause
 *
 * test_lf_table.c - vnf/lib/lf_table.c, the lock-free table recipe the
 * l2switch, the router and the firewall share: adding up to the limit,
 * static entries past it, both kinds of delete, the walk and the scan,
 * and positions coming back after a delete with and without RCU.  EAL
 * runs in memory without hugepages; one thread plays worker and control
 * thread in turn.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <rte_common.h>

#include "tests/common/test_eal.h"
#include "vnf/lib/lf_table.h"
#include "vnf/lib/rcu.h"

struct ut_key {
	uint32_t a, b, c;
};

static struct ut_key
ut_key(uint32_t i)
{
	return (struct ut_key){.a = i, .b = ~i, .c = 0x5eed};
}

static void
ut_create(struct lf_table *t, const char *name, uint32_t size,
	  struct rte_rcu_qsbr *rcu, bool stamps)
{
	const struct lf_table_params p = {
		.name = name,
		.key_len = sizeof(struct ut_key),
		.size = size,
		.min_entries = 16,
		.rcu = rcu,
		.stamps = stamps,
	};

	assert_int_equal(lf_table_create(t, &p), 0);
}

/* Adds up to the limit, a second add of a key, lookups. */
static void
test_add_limit_lookup(void **state)
{
	struct lf_table t;
	struct ut_key k;
	int32_t pos[4], p;
	uint32_t i;

	RTE_SET_USED(state);
	ut_create(&t, "ut_lft1", 4, NULL, true);
	for (i = 0; i < 4; i++) {
		k = ut_key(i);
		assert_int_equal(
			lf_table_add(&t, &k, 0x100 + i, 7 + i, &pos[i]), 1);
		assert_true(pos[i] >= 0 && (uint32_t)pos[i] < t.n_pos);
		assert_int_equal(atomic_load(&t.words[pos[i]]), 0x100 + i);
		assert_int_equal(atomic_load(&t.stamps[pos[i]]), 7 + i);
		assert_int_equal(lf_table_lookup(&t, &k), pos[i]);
	}
	assert_int_equal(atomic_load(&t.count), 4);
	/* Full: a new key is refused, nothing changes. */
	k = ut_key(4);
	p = 99;
	assert_int_equal(lf_table_add(&t, &k, 0x200, 0, &p), -ENOSPC);
	assert_int_equal(lf_table_lookup(&t, &k), -1);
	assert_int_equal(atomic_load(&t.count), 4);
	/* Full: a key that has an entry keeps it and is found. */
	k = ut_key(3);
	p = 99;
	assert_int_equal(lf_table_add(&t, &k, 0x999, 0, &p), 0);
	assert_int_equal(p, pos[3]);
	assert_int_equal(atomic_load(&t.words[p]), 0x103);
	assert_int_equal(atomic_load(&t.count), 4);
	/* A key that has an entry keeps it (below the limit). */
	k = ut_key(2);
	assert_true(lf_table_del_pos(&t, (uint32_t)pos[0], 0));
	assert_int_equal(lf_table_add(&t, &k, 0x999, 0, &p), 0);
	assert_int_equal(p, pos[2]);
	assert_int_equal(atomic_load(&t.words[p]), 0x102);
	assert_int_equal(atomic_load(&t.count), 3);
	lf_table_destroy(&t);
	lf_table_destroy(NULL);
}

/* Static entries ignore the limit; setting a key again replaces it. */
static void
test_set(void **state)
{
	struct lf_table t;
	struct ut_key k;
	uint64_t old;
	int32_t p, q;

	RTE_SET_USED(state);
	ut_create(&t, "ut_lft2", 1, NULL, false);
	assert_null(t.stamps);
	k = ut_key(1);
	assert_int_equal(lf_table_add(&t, &k, 5, 0, &p), 1);
	k = ut_key(2);
	q = lf_table_set(&t, &k, 6, &old);
	assert_true(q >= 0 && q != p);
	assert_int_equal(old, 0);
	assert_int_equal(atomic_load(&t.count), 2);
	assert_int_equal(lf_table_set(&t, &k, 8, &old), q);
	assert_int_equal(old, 6);
	assert_int_equal(atomic_load(&t.words[q]), 8);
	assert_int_equal(atomic_load(&t.count), 2);
	lf_table_destroy(&t);
}

/* expect == 0 deletes whatever is there; expect != 0 only the word it
 * names (a worker that changed it since wins). */
static void
test_del_pos(void **state)
{
	struct lf_table t;
	struct ut_key k = ut_key(1);
	int32_t p;

	RTE_SET_USED(state);
	ut_create(&t, "ut_lft3", 16, NULL, false);
	assert_int_equal(lf_table_add(&t, &k, 5, 0, &p), 1);
	assert_false(lf_table_del_pos(&t, (uint32_t)p, 4));
	assert_int_equal(atomic_load(&t.words[p]), 5);
	assert_int_equal(lf_table_lookup(&t, &k), p);
	assert_true(lf_table_del_pos(&t, (uint32_t)p, 5));
	assert_int_equal(atomic_load(&t.words[p]), 0);
	assert_int_equal(lf_table_lookup(&t, &k), -1);
	assert_int_equal(atomic_load(&t.count), 0);
	/* Nothing there any more. */
	assert_false(lf_table_del_pos(&t, (uint32_t)p, 0));
	assert_int_equal(lf_table_add(&t, &k, 6, 0, &p), 1);
	assert_true(lf_table_del_pos(&t, (uint32_t)p, 0));
	assert_int_equal(lf_table_lookup(&t, &k), -1);
	assert_int_equal(atomic_load(&t.count), 0);
	lf_table_destroy(&t);
}

struct ut_walk {
	unsigned int n;
	uint64_t sum;
	const struct lf_table *t;
};

static void
ut_walk_fn(const void *key, uint64_t word, uint32_t stamp, void *arg)
{
	struct ut_walk *wk = arg;
	const struct ut_key *k = key;

	assert_true(lf_table_lookup(wk->t, k) >= 0);
	assert_int_equal(word, 0x100 + k->a);
	assert_int_equal(stamp, 0x200 + k->a);
	wk->n++;
	wk->sum += k->a;
}

/* The walk sees every entry once, with its key; a budgeted scan goes
 * round the whole table. */
static void
test_walk_and_scan(void **state)
{
	struct ut_walk wk = {0};
	struct lf_table t;
	struct ut_key k;
	uint32_t i, first, seen;
	int32_t p;

	RTE_SET_USED(state);
	ut_create(&t, "ut_lft4", 64, NULL, true);
	for (i = 0; i < 10; i++) {
		k = ut_key(i);
		assert_int_equal(lf_table_add(&t, &k, 0x100 + i, 0x200 + i, &p),
				 1);
	}
	wk.t = &t;
	lf_table_walk(&t, ut_walk_fn, &wk);
	assert_int_equal(wk.n, 10);
	assert_int_equal(wk.sum, 45);
	/* rte_hash hands positions out from the bottom: the walk and the
	 * scan go round the used ones, not over every spare slot. */
	assert_true(lf_table_used(&t) >= 10 && lf_table_used(&t) < t.n_pos);
	first = lf_table_scan_next(&t);
	for (seen = 1; lf_table_scan_next(&t) != first; seen++)
		assert_true(seen <= lf_table_used(&t));
	assert_int_equal(seen, lf_table_used(&t));
	lf_table_destroy(&t);
}

/*
 * Without RCU (no worker runs) a deleted key's position is freed at once:
 * many more adds and deletes than rte_hash has slots all succeed.  (Only
 * the router used to free them itself; the other tables leaked a slot per
 * delete when made without RCU.)
 */
static void
test_no_rcu_positions_reused(void **state)
{
	struct lf_table t;
	struct ut_key k;
	uint32_t i, n;
	int32_t p;

	RTE_SET_USED(state);
	ut_create(&t, "ut_lft5", 16, NULL, false);
	n = 4 * t.n_pos;
	for (i = 0; i < n; i++) {
		k = ut_key(i);
		assert_int_equal(lf_table_add(&t, &k, 1, 0, &p), 1);
		assert_true((uint32_t)p < lf_table_used(&t));
		assert_true(lf_table_del_pos(&t, (uint32_t)p, 0));
	}
	assert_int_equal(atomic_load(&t.count), 0);
	/* Freed positions come back first: churn does not push the walks'
	 * end up to n_pos. */
	printf("used %u of %u positions\n", lf_table_used(&t), t.n_pos);
	assert_true(lf_table_used(&t) < t.n_pos / 4);
	lf_table_destroy(&t);
}

/* With RCU, a deleted position is not handed out again while a reader
 * that may hold it has not reported a quiescent state. */
static void
test_rcu_defers_reuse(void **state)
{
	struct lf_table t;
	struct ut_key k;
	int32_t p, q;
	uint32_t i;

	RTE_SET_USED(state);
	assert_int_equal(nfv_rcu_init(1), 0);
	nfv_rcu_worker_online(0);
	ut_create(&t, "ut_lft6", 16, nfv_rcu(), false);
	k = ut_key(0);
	assert_int_equal(lf_table_add(&t, &k, 1, 0, &p), 1);
	assert_true(lf_table_del_pos(&t, (uint32_t)p, 0));
	for (i = 1; i <= 16; i++) {
		k = ut_key(i);
		assert_int_equal(lf_table_add(&t, &k, 1, 0, &q), 1);
		assert_int_not_equal(q, p);
		assert_true(lf_table_del_pos(&t, (uint32_t)q, 0));
	}
	nfv_rcu_quiescent(nfv_rcu(), 0);
	nfv_rcu_worker_offline(0);
	lf_table_destroy(&t);
	nfv_rcu_fini();
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_limit_lookup),
		cmocka_unit_test(test_set),
		cmocka_unit_test(test_del_pos),
		cmocka_unit_test(test_walk_and_scan),
		cmocka_unit_test(test_no_rcu_positions_reused),
		cmocka_unit_test(test_rcu_defers_reuse),
	};
	int rc;

	RTE_SET_USED(argc);
	if (nfv_test_eal_init(argv[0], "ut-lftable", 128) < 0)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	nfv_test_eal_fini();
	return rc;
}
