/* SPDX-License-Identifier: BSD-3-Clause
 * A BTF-defined map (built with -g so that libbpf reads it): rte_bpf has
 * no maps. */
#include "nfv_bpf.h"

struct {
	int (*type)[2]; /* BPF_MAP_TYPE_ARRAY */
	int (*max_entries)[4];
	uint32_t *key;
	uint64_t *value;
} hits __attribute__((section(".maps"), used));

NFV_BPF_PROG("nfvd/test") uint64_t with_map(struct nfv_bpf_ctx *ctx)
{
	return ctx->len & 1;
}
