/* SPDX-License-Identifier: BSD-3-Clause
 * A BPF-to-BPF call (a function kept out of line). */
#include "nfv_bpf.h"

static __attribute__((noinline)) uint64_t
half(uint64_t v)
{
	return v / 2;
}

NFV_BPF_PROG("nfvd/test") uint64_t caller(struct nfv_bpf_ctx *ctx)
{
	return half(ctx->len) & 1;
}
