/* SPDX-License-Identifier: BSD-3-Clause
 *
 * rate_sampler.c - feed an analyzer a fixed share of the traffic: of the
 * frames that come in by iface 0 (`in`), the first and then one in every
 * 64 leave by iface 1 (`sample`), the others are dropped; frames that
 * come in by `sample` are dropped (an analyzer does not inject).  Each
 * worker samples its own frames.  Counters: 0 frames seen, 1 sampled.
 *
 * Built by meson (configs/bpf/meson.build); docs/bpf.md.
 */
#include "nfv_bpf.h"

#define SAMPLE_EVERY 64 /* a power of two */

NFV_BPF_PROG("nfvd/sampler") uint64_t sample(struct nfv_bpf_ctx *ctx)
{
	uint64_t seen;

	if (ctx->in_iface != 0)
		return NFV_BPF_DROP;
	seen = nfv_bpf_counter_add(0, 1);
	if ((seen & (SAMPLE_EVERY - 1)) != 1)
		return NFV_BPF_DROP;
	nfv_bpf_counter_add(1, 1);
	return 1;
}
