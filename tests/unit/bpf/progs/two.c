/* SPDX-License-Identifier: BSD-3-Clause
 * Two programs in one object: a load must name one (section or function
 * name).  Also the programs of the replacement and helper tests. */
#include "nfv_bpf.h"

NFV_BPF_PROG("nfvd/one") uint64_t to_one(struct nfv_bpf_ctx *ctx)
{
	return ctx->in_iface == 0 ? 1 : 0;
}

NFV_BPF_PROG("nfvd/two") uint64_t to_two(struct nfv_bpf_ctx *ctx)
{
	return ctx->in_iface == 0 ? 2 : 0;
}

/* The 5-tuple hash, as a verdict the test compares with nfvd's C. */
NFV_BPF_PROG("nfvd/hash") uint64_t hash(struct nfv_bpf_ctx *ctx)
{
	return nfv_bpf_hash_5tuple(ctx);
}

/* 1 when the clock moved forward between two reads, else 0. */
NFV_BPF_PROG("nfvd/clock") uint64_t clock(struct nfv_bpf_ctx *ctx)
{
	uint64_t a = nfv_bpf_now_ns(), b;

	nfv_bpf_counter_add(3, ctx->len);
	b = nfv_bpf_now_ns();
	return b >= a && a > 0 ? nfv_bpf_counter_get(3) : NFV_BPF_DROP;
}

/* A verdict past the ifaces: counted as bad-verdict. */
NFV_BPF_PROG("nfvd/bad") uint64_t bad_verdict(struct nfv_bpf_ctx *ctx)
{
	return 4000 + (ctx->len & 1);
}
