/* SPDX-License-Identifier: BSD-3-Clause
 * A global variable: libbpf puts it in a .bss map, rte_bpf has none. */
#include "nfv_bpf.h"

uint64_t seen;

NFV_BPF_PROG("nfvd/test") uint64_t with_global(struct nfv_bpf_ctx *ctx)
{
	seen += ctx->len;
	return 0;
}
