/* SPDX-License-Identifier: BSD-3-Clause
 * Reads past the window (the context's end): rte_bpf's validator, not
 * nfvd's own checks, rejects it. */
#include "nfv_bpf.h"

NFV_BPF_PROG("nfvd/test") uint64_t oob(struct nfv_bpf_ctx *ctx)
{
	const uint8_t *p = (const uint8_t *)ctx;

	return p[sizeof(*ctx) + 64];
}
