/* SPDX-License-Identifier: BSD-3-Clause
 * Built with -mcpu=v3: the 32-bit compare becomes a JMP32 instruction,
 * which rte_bpf does not run (test_bpf.c expects the load to say so). */
#include "nfv_bpf.h"

NFV_BPF_PROG("nfvd/test") uint64_t jmp32(struct nfv_bpf_ctx *ctx)
{
	if (ctx->len > 100)
		return 1;
	return 0;
}
