/* SPDX-License-Identifier: BSD-3-Clause
 *
 * test_rcu.h - a fake worker on a thread of its own, reading what the
 * test (the control thread) publishes under RCU and reporting quiescent
 * states as dataplane/worker.c does once per loop iteration.  Grace
 * periods then really wait for a reader, and a snapshot freed too early is
 * a use after free that ASan reports.
 */
#ifndef NFV_TEST_RCU_H
#define NFV_TEST_RCU_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <rte_rcu_qsbr.h>

/* A QSBR variable for up to `max_threads` readers, for the tests that do
 * not use the data plane's (nfv_rcu()); NULL when out of memory.  Free it
 * with rte_free(). */
struct rte_rcu_qsbr *nfv_test_qsbr_new(unsigned int max_threads);

/* One loop iteration of the fake worker: 0, or -errno to stop with that
 * error.  Runs on the reader's thread. */
typedef int nfv_test_reader_fn(void *arg);

/* Owned by nfv_test_reader_start() / _stop(); the test reads `loops`. */
struct nfv_test_reader {
	pthread_t tid;
	struct rte_rcu_qsbr *v;
	unsigned int id; /* its thread id in v */
	nfv_test_reader_fn *fn;
	void *arg;
	atomic_bool stop;
	atomic_uint_fast64_t loops; /* iterations done */
	int err;		    /* the first error; read after _stop() */
};

/*
 * Start the reader: a thread that registers with EAL (so that per-lcore
 * caches such as rte_hash's work in it), registers as thread `id` of `v`
 * and goes online; then, until stopped, calls fn(arg) and reports a
 * quiescent state.  0 or -errno.  Control thread.
 */
int nfv_test_reader_start(struct nfv_test_reader *r, struct rte_rcu_qsbr *v,
			  unsigned int id, nfv_test_reader_fn *fn, void *arg);
/* Stop the reader and wait for it to go offline and end.  0, or the first
 * error of its set-up or of fn(). */
int nfv_test_reader_stop(struct nfv_test_reader *r);

#endif /* NFV_TEST_RCU_H */
