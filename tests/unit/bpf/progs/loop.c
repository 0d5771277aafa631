/* SPDX-License-Identifier: BSD-3-Clause
 * A loop bounded by the frame's length: a backward jump, which rte_bpf
 * does not run. */
#include "nfv_bpf.h"

NFV_BPF_PROG("nfvd/test") uint64_t loop(struct nfv_bpf_ctx *ctx)
{
	uint64_t sum = 0;
	uint32_t i;

#pragma clang loop unroll(disable)
	for (i = 0; i < ctx->len; i++)
		sum += ctx->data[i & 1023];
	return sum & 1;
}
