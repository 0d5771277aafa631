/* SPDX-License-Identifier: BSD-3-Clause
 *
 * rcu.h - quiescent-state RCU shared by every snapshot the control thread
 * publishes (the graph, VNF tables).
 *
 * Workers report a quiescent state once per loop iteration, after they have
 * dropped every pointer read from a snapshot.  The control thread publishes
 * a new snapshot with one release store, then hands the old one to
 * nfv_rcu_defer(): it is freed once every worker has passed a quiescent
 * state, by nfv_rcu_reclaim() which the control loop calls periodically.
 */
#ifndef NFV_RCU_H
#define NFV_RCU_H

#include <rte_rcu_qsbr.h>

/* Control thread, before workers start.  0 or -errno. */
int nfv_rcu_init(unsigned int n_workers);
void nfv_rcu_fini(void);
struct rte_rcu_qsbr *nfv_rcu(void);

/* Worker: register / unregister as a reader (thread id = worker index). */
void nfv_rcu_worker_online(unsigned int worker);
void nfv_rcu_worker_offline(unsigned int worker);

static inline void
nfv_rcu_quiescent(struct rte_rcu_qsbr *v, unsigned int worker)
{
	rte_rcu_qsbr_quiescent(v, worker);
}

/* Control thread: free `arg` with fn(arg) after a grace period.  Never
 * fails: when the queue is full it waits for a grace period in place. */
void nfv_rcu_defer(void (*fn)(void *), void *arg);
/* Control thread: run the frees whose grace period has passed. */
void nfv_rcu_reclaim(void);
/* Control thread: wait until every online worker passed a quiescent state. */
void nfv_rcu_synchronize(void);
/* The same for any QSBR variable v (NULL: no wait); spins briefly, then
 * sleeps between checks rather than taking a shared core. */
void nfv_rcu_wait(struct rte_rcu_qsbr *v);

#endif /* NFV_RCU_H */
