/* SPDX-License-Identifier: BSD-3-Clause
 *
 * fuzz_twin.h - what a VNF and its twin sent during an input, in order,
 * for the harnesses that run a twin which must behave the same (the
 * firewall's and the router's: a twin without the fast lane).  Each frame
 * is kept as a hash of its bytes, its length, the port in the VNF's own
 * numbering and whether the port took it; at the end of an input the two
 * lists must be equal.
 *
 * The harness's thread only (it plays the worker).
 */
#ifndef NFV_FUZZ_TWIN_H
#define NFV_FUZZ_TWIN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <rte_mbuf.h>

#define FZ_TWIN_LOG_MAX 4096

struct fz_twin_frame {
	uint64_t hash;
	uint32_t len;
	uint8_t port;
	bool taken;
};

/* [0]: the VNF, [1]: its twin.  off: more than FZ_TWIN_LOG_MAX frames
 * in an input; that input is not compared. */
struct fz_twin_log {
	struct fz_twin_frame f[2][FZ_TWIN_LOG_MAX];
	unsigned int n[2];
	bool off;
};

/* FNV-1a over a frame's bytes, segment by segment. */
static inline uint64_t
fz_twin_hash(const struct rte_mbuf *m)
{
	uint64_t h = UINT64_C(0xcbf29ce484222325);

	for (; m != NULL; m = m->next) {
		const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
		uint16_t i;

		for (i = 0; i < m->data_len; i++)
			h = (h ^ p[i]) * UINT64_C(0x100000001b3);
	}
	return h;
}

/* A frame that `side` (0 the VNF, 1 the twin) sent out of its port. */
static inline void
fz_twin_record(struct fz_twin_log *l, unsigned int side, uint16_t port,
	       const struct rte_mbuf *m, bool taken)
{
	if (l->n[side] == FZ_TWIN_LOG_MAX) {
		l->off = true;
		return;
	}
	l->f[side][l->n[side]++] = (struct fz_twin_frame){
		.hash = fz_twin_hash(m),
		.len = rte_pktmbuf_pkt_len(m),
		.port = (uint8_t)port,
		.taken = taken,
	};
}

static inline void
fz_twin_reset(struct fz_twin_log *l)
{
	l->n[0] = l->n[1] = 0;
	l->off = false;
}

/* Both sent the same (abort() if not, for libFuzzer and ASan to report);
 * then the log starts again. */
static inline void
fz_twin_check(struct fz_twin_log *l, const char *harness)
{
	unsigned int i;

	for (i = 0; !l->off && i < l->n[0] && i < l->n[1]; i++) {
		const struct fz_twin_frame *a = &l->f[0][i], *b = &l->f[1][i];

		if (a->hash != b->hash || a->len != b->len ||
		    a->port != b->port || a->taken != b->taken) {
			fprintf(stderr,
				"%s: frame %u differs from the twin's: %u "
				"bytes out of port %u (%s), the twin %u bytes "
				"out of %u (%s)\n",
				harness, i, a->len, a->port,
				a->taken ? "taken" : "refused", b->len,
				b->port, b->taken ? "taken" : "refused");
			abort();
		}
	}
	if (!l->off && l->n[0] != l->n[1]) {
		fprintf(stderr, "%s: %u frames sent, the twin %u\n", harness,
			l->n[0], l->n[1]);
		abort();
	}
	fz_twin_reset(l);
}

#endif /* NFV_FUZZ_TWIN_H */
