/* SPDX-License-Identifier: BSD-3-Clause
 *
 * fuzz_env.h - what every VNF fuzz harness (tests/fuzz/<vnf>/) sets up the
 * same way: EAL, an mbuf pool whose counts are exact, RCU for one worker,
 * and the reader of the input program's bytes.
 */
#ifndef NFV_FUZZ_ENV_H
#define NFV_FUZZ_ENV_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "tests/common/test_eal.h"
#include "vnf/lib/rcu.h"

/* The pool's per-lcore cache.  rte_mempool_avail_count() counts what the
 * caches hold, and a harness runs on one lcore, so "every mbuf back" stays
 * exact; and an empty cache falls back to the ring, so the pool runs dry
 * after the same n mbufs.  Without a cache the ring hands the mbufs out
 * in turn (FIFO): each allocation touched an mbuf not used since the
 * pool's last round, cold in the CPU cache, and rte_pktmbuf_alloc() took
 * 30 % of the l2switch harness's time.  The cache hands the last mbuf
 * freed out first. */
#define FZ_POOL_CACHE 256u

/*
 * EAL with mem_mb MiB (prefix names the run), a pool of n mbufs (its cache
 * above), RCU for one worker.  0 or -errno.
 */
static inline int
fz_env_init(const char *prog, const char *prefix, unsigned int mem_mb,
	    unsigned int n, struct rte_mempool **pool)
{
	if (nfv_test_eal_init(prog, prefix, mem_mb) < 0)
		return -EINVAL;
	*pool = rte_pktmbuf_pool_create(
		prefix, n, RTE_MIN(n / 2, FZ_POOL_CACHE), 0,
		RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	if (*pool == NULL)
		return -ENOMEM;
	return nfv_rcu_init(1);
}

/* RCU off, the pool freed, EAL cleaned up: 0 when every mbuf was back.
 * After the VNFs are destroyed (held packets go back with them). */
static inline int
fz_env_fini(struct rte_mempool *pool)
{
	unsigned int avail = 0, size = 0;

	nfv_rcu_fini();
	if (pool != NULL) {
		avail = rte_mempool_avail_count(pool);
		size = pool->size;
		rte_mempool_free(pool);
	}
	nfv_test_eal_fini();
	return avail == size ? 0 : -1;
}

/* The input program: bytes read in order, zeros once they run out. */
struct fz_in {
	const uint8_t *p;
	size_t n;
};

static inline uint8_t
fz_u8(struct fz_in *in)
{
	if (in->n == 0)
		return 0;
	in->n--;
	return *in->p++;
}

static inline uint16_t
fz_u16(struct fz_in *in)
{
	uint16_t hi = fz_u8(in);

	return (uint16_t)(hi << 8 | fz_u8(in));
}

#endif /* NFV_FUZZ_ENV_H */
