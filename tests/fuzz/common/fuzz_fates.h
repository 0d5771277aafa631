/* SPDX-License-Identifier: BSD-3-Clause
 *
 * fuzz_fates.h - the accounting invariant every VNF fuzz harness checks
 * after each input: each packet the instance was handed is counted exactly
 * once by its fate (vnf.h, enum vnf_counter_kind):
 *   packets == passed + dropped + held
 * The harnesses drive the runner on one thread, so the counters are exact
 * whenever a burst is done.
 */
#ifndef NFV_FUZZ_FATES_H
#define NFV_FUZZ_FATES_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "vnf/vnf.h"

/* Abort (for libFuzzer and ASan to report) naming the counters when an
 * instance's fates do not add up. */
static inline void
fz_check_fates(const struct vnf_instance *vi, const char *harness)
{
	struct vnf_fates f;
	uint16_t c;

	vnf_fates_get(vi, &f);
	if (f.packets == f.passed + f.dropped + f.held)
		return;
	fprintf(stderr,
		"%s: %s: %" PRIu64 " packets in, but %" PRIu64
		" passed + %" PRIu64 " dropped + %" PRIu64 " held:",
		harness, vi->name, f.packets, f.passed, f.dropped, f.held);
	for (c = 0; c < vi->ops->n_counters; c++)
		if (vnf_counter_sum(vi, c) != 0)
			fprintf(stderr, " %s %" PRIu64,
				vi->ops->counters[c].name,
				vnf_counter_sum(vi, c));
	fprintf(stderr, "\n");
	abort();
}

#endif /* NFV_FUZZ_FATES_H */
