/* SPDX-License-Identifier: BSD-3-Clause
 *
 * rcu.c - the data plane's QSBR variable and deferred frees.
 */
#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include <rte_errno.h>
#include <rte_malloc.h>

#include "vnf/lib/rcu.h"

struct nfv_rcu_item {
	void (*fn)(void *);
	void *arg;
};

static struct rte_rcu_qsbr *nfv_qsbr;
static struct rte_rcu_qsbr_dq *nfv_dq;

static void
nfv_rcu_free_items(void *p, void *e, unsigned int n)
{
	struct nfv_rcu_item *it = e;
	unsigned int i;

	RTE_SET_USED(p);
	for (i = 0; i < n; i++)
		it[i].fn(it[i].arg);
}

int
nfv_rcu_init(unsigned int n_workers)
{
	struct rte_rcu_qsbr_dq_parameters params = {0};
	size_t sz;

	sz = rte_rcu_qsbr_get_memsize(n_workers);
	nfv_qsbr = rte_zmalloc("nfv_rcu", sz, RTE_CACHE_LINE_SIZE);
	if (nfv_qsbr == NULL)
		return -ENOMEM;
	if (rte_rcu_qsbr_init(nfv_qsbr, n_workers) != 0)
		goto err_free;

	params.name = "nfv_rcu_dq";
	params.size = 4096;
	params.esize = sizeof(struct nfv_rcu_item);
	params.trigger_reclaim_limit = 0;
	params.max_reclaim_size = 256;
	params.free_fn = nfv_rcu_free_items;
	params.v = nfv_qsbr;
	params.flags = RTE_RCU_QSBR_DQ_MT_UNSAFE; /* control thread only */
	nfv_dq = rte_rcu_qsbr_dq_create(&params);
	if (nfv_dq == NULL)
		goto err_free;
	return 0;

err_free:
	rte_free(nfv_qsbr);
	nfv_qsbr = NULL;
	return rte_errno ? -rte_errno : -EINVAL;
}

void
nfv_rcu_fini(void)
{
	if (nfv_dq != NULL) {
		/* Workers are gone: everything queued may be freed. */
		rte_rcu_qsbr_dq_delete(nfv_dq);
		nfv_dq = NULL;
	}
	rte_free(nfv_qsbr);
	nfv_qsbr = NULL;
}

struct rte_rcu_qsbr *
nfv_rcu(void)
{
	return nfv_qsbr;
}

void
nfv_rcu_worker_online(unsigned int worker)
{
	rte_rcu_qsbr_thread_register(nfv_qsbr, worker);
	rte_rcu_qsbr_thread_online(nfv_qsbr, worker);
}

void
nfv_rcu_worker_offline(unsigned int worker)
{
	rte_rcu_qsbr_thread_offline(nfv_qsbr, worker);
	rte_rcu_qsbr_thread_unregister(nfv_qsbr, worker);
}

void
nfv_rcu_defer(void (*fn)(void *), void *arg)
{
	struct nfv_rcu_item it = {.fn = fn, .arg = arg};

	if (nfv_dq == NULL) {
		fn(arg);
		return;
	}
	while (rte_rcu_qsbr_dq_enqueue(nfv_dq, &it) != 0) {
		/* Queue full: reclaim what a grace period allows, waiting. */
		nfv_rcu_wait(nfv_qsbr);
		nfv_rcu_reclaim();
	}
}

void
nfv_rcu_reclaim(void)
{
	unsigned int freed, pending, avail;

	if (nfv_dq != NULL)
		rte_rcu_qsbr_dq_reclaim(nfv_dq, 256, &freed, &pending, &avail);
}

/*
 * rte_rcu_qsbr_synchronize() spins until the grace period is over.  A
 * worker passes a quiescent state within microseconds when it has its
 * core, but where cores are shared (a small machine, `ip -batch` and the
 * netlink mirror beside a worker) it may be waiting for the CPU itself,
 * and a control thread spinning on another core only takes that core
 * from whatever would let the scheduler run the worker sooner: grace
 * periods of 100 ms and more were seen.  So: spin a little (the common,
 * quick case), then sleep between checks.
 */
#define NFV_RCU_SPINS 2000
#define NFV_RCU_NAP_NS 20000

void
nfv_rcu_wait(struct rte_rcu_qsbr *v)
{
	const struct timespec nap = {.tv_sec = 0, .tv_nsec = NFV_RCU_NAP_NS};
	uint64_t token;
	unsigned int i;

	if (v == NULL)
		return;
	token = rte_rcu_qsbr_start(v);
	for (i = 0; rte_rcu_qsbr_check(v, token, false) == 0; i++) {
		if (i < NFV_RCU_SPINS)
			rte_pause();
		else
			nanosleep(&nap, NULL);
	}
}

void
nfv_rcu_synchronize(void)
{
	nfv_rcu_wait(nfv_qsbr);
}
