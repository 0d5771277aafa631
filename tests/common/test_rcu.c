/* SPDX-License-Identifier: BSD-3-Clause
 *
 * test_rcu.c - the fake worker that reads under RCU (test_rcu.h).
 */
#include <errno.h>
#include <string.h>

#include <rte_lcore.h>
#include <rte_malloc.h>

#include "tests/common/test_rcu.h"

struct rte_rcu_qsbr *
nfv_test_qsbr_new(unsigned int max_threads)
{
	struct rte_rcu_qsbr *v;

	v = rte_zmalloc("nfv_test_qsbr", rte_rcu_qsbr_get_memsize(max_threads),
			RTE_CACHE_LINE_SIZE);
	if (v == NULL)
		return NULL;
	if (rte_rcu_qsbr_init(v, max_threads) != 0) {
		rte_free(v);
		return NULL;
	}
	return v;
}

static void *
nfv_test_reader_main(void *arg)
{
	struct nfv_test_reader *r = arg;
	int rc = 0;

	if (rte_thread_register() != 0) {
		r->err = -ENOSPC; /* no lcore id left */
		return NULL;
	}
	rte_rcu_qsbr_thread_register(r->v, r->id);
	rte_rcu_qsbr_thread_online(r->v, r->id);
	while (!atomic_load(&r->stop)) {
		rc = r->fn(r->arg);
		if (rc != 0)
			break;
		atomic_fetch_add(&r->loops, 1);
		rte_rcu_qsbr_quiescent(r->v, r->id);
	}
	rte_rcu_qsbr_thread_offline(r->v, r->id);
	rte_rcu_qsbr_thread_unregister(r->v, r->id);
	rte_thread_unregister();
	r->err = rc;
	return NULL;
}

int
nfv_test_reader_start(struct nfv_test_reader *r, struct rte_rcu_qsbr *v,
		      unsigned int id, nfv_test_reader_fn *fn, void *arg)
{
	int rc;

	memset(r, 0, sizeof(*r));
	r->v = v;
	r->id = id;
	r->fn = fn;
	r->arg = arg;
	atomic_init(&r->stop, false);
	atomic_init(&r->loops, 0);
	rc = pthread_create(&r->tid, NULL, nfv_test_reader_main, r);
	return -rc;
}

int
nfv_test_reader_stop(struct nfv_test_reader *r)
{
	int rc;

	atomic_store(&r->stop, true);
	rc = pthread_join(r->tid, NULL);
	if (rc != 0)
		return -rc;
	return r->err;
}
