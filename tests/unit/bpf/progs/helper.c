/* SPDX-License-Identifier: BSD-3-Clause
 * A kernel helper (bpf_trace_printk is helper 6): not one of nfvd's. */
#include "nfv_bpf.h"

static long (*const trace)(const char *fmt, uint32_t len) = (void *)6;

NFV_BPF_PROG("nfvd/test") uint64_t kernel_helper(struct nfv_bpf_ctx *ctx)
{
	char fmt[4] = "x\n";

	trace(fmt, sizeof(fmt));
	return ctx->len & 1;
}
