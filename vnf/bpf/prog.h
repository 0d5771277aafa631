/* SPDX-License-Identifier: BSD-3-Clause
 *
 * prog.h - one eBPF program as nfvd runs it: opened with libbpf, checked,
 * loaded into rte_bpf (JIT where there is one), with its per-worker
 * counters.  Shared by the `bpf` VNF (bpf.c) and the firewall's `bpf:`
 * rule action (vnf/firewall/).
 *
 * Threads: vnf_bpf_prog_load() and vnf_bpf_prog_free() run on the control
 * thread (free only after a grace period when workers may still run it);
 * vnf_bpf_ctx_get(), vnf_bpf_prog_bind() and vnf_bpf_prog_run() on
 * workers.  A loaded program is read-only but for its counters, each
 * written by one worker only.
 */
#ifndef VNF_BPF_PROG_H
#define VNF_BPF_PROG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_bpf.h>
#include <rte_mbuf.h>
#include <rte_memcpy.h>
#include <rte_per_lcore.h>

#include "vnf/bpf/nfv_bpf.h"
#include "vnf/lib/limits.h"

/* Room for a program's path and section in `show bpf`. */
#define VNF_BPF_PATH_MAX 256
#define VNF_BPF_SECTION_MAX 64

/* One worker's counters of a program, on cache lines of their own. */
struct vnf_bpf_counters {
	uint64_t c[NFV_BPF_N_COUNTERS];
} __rte_cache_aligned;

struct vnf_bpf_prog {
	uint64_t (*jit)(void *ctx); /* native code; NULL: interpreter */
	struct rte_bpf *bpf;
	uint32_t n_insns;
	bool has_jit; /* a JIT was there (even if unused) */
	char file[VNF_BPF_PATH_MAX];
	char section[VNF_BPF_SECTION_MAX];
	char name[VNF_BPF_SECTION_MAX]; /* the function's name */
	struct vnf_bpf_counters counters[NFV_MAX_WORKERS];
};

/*
 * Control thread.  Open the ELF object `file` with libbpf, pick the
 * program of section (or function name) `section` (NULL: the object's
 * only program), check that rte_bpf can run it, load it and JIT it
 * unless `jit` is false.  0 and *out, or -errno and a one-line reason in
 * err naming what failed: a missing or bad file, maps, global variables,
 * BPF-to-BPF calls, JMP32 (-mcpu=v3) instructions, kernel helpers, loops
 * or what rte_bpf's validator rejected (an out-of-bounds access).
 */
int vnf_bpf_prog_load(const char *file, const char *section, bool jit,
		      struct vnf_bpf_prog **out, char *err, size_t errlen);
/* Control thread, once no worker may run it.  NULL: nothing. */
void vnf_bpf_prog_free(struct vnf_bpf_prog *p);
/* The RCU callback form of vnf_bpf_prog_free(). */
void vnf_bpf_prog_free_cb(void *p);
/* Sum of counter i over workers (any thread; a recent value). */
uint64_t vnf_bpf_prog_counter(const struct vnf_bpf_prog *p, unsigned int i);

/* What nfv_bpf_hash_5tuple() returns for ctx (any thread). */
uint32_t vnf_bpf_hash_5tuple(const struct nfv_bpf_ctx *ctx);

/* The calling worker's counters of the program it runs, for the
 * helpers (prog.c). */
RTE_DECLARE_PER_LCORE(struct vnf_bpf_counters *, vnf_bpf_cur);

/* Worker: the programs this thread runs next count into worker's row of
 * p's counters.  Once per burst, before vnf_bpf_prog_run(). */
static inline void
vnf_bpf_prog_bind(struct vnf_bpf_prog *p, unsigned int worker)
{
	RTE_PER_LCORE(vnf_bpf_cur) = &p->counters[worker];
}

/* Worker: run p on ctx; the verdict (nfv_bpf.h). */
static inline uint32_t
vnf_bpf_prog_run(const struct vnf_bpf_prog *p, struct nfv_bpf_ctx *ctx)
{
	if (likely(p->jit != NULL))
		return (uint32_t)p->jit(ctx);
	return (uint32_t)rte_bpf_exec(p->bpf, ctx);
}

/* The bytes of the header of struct nfv_bpf_ctx, before data[]. */
#define VNF_BPF_CTX_HDR offsetof(struct nfv_bpf_ctx, data)

/*
 * Worker: the context a program gets for frame m.  When the frame's
 * buffer has room (one segment, not shared, headroom for the header and
 * NFV_BPF_WINDOW bytes from its data on), the header is written into the
 * headroom just before the frame and the program reads the frame in
 * place; else the first NFV_BPF_WINDOW bytes of the frame are copied into
 * `scratch` (the worker's own).  Either way the program reads only
 * memory of the window.
 */
static inline struct nfv_bpf_ctx *
vnf_bpf_ctx_get(struct rte_mbuf *m, uint16_t in_iface, uint16_t n_ifaces,
		struct nfv_bpf_ctx *scratch)
{
	struct nfv_bpf_ctx *ctx;
	const void *src;
	uint32_t len = rte_pktmbuf_pkt_len(m);

	if (len > NFV_BPF_WINDOW)
		len = NFV_BPF_WINDOW;
	if (likely(m->nb_segs == 1 && RTE_MBUF_DIRECT(m) &&
		   rte_mbuf_refcnt_read(m) == 1 &&
		   m->data_off >= VNF_BPF_CTX_HDR &&
		   (uint32_t)m->data_off + NFV_BPF_WINDOW <= m->buf_len)) {
		ctx = (struct nfv_bpf_ctx *)rte_pktmbuf_mtod_offset(
			m, char *, -(int)VNF_BPF_CTX_HDR);
	} else {
		ctx = scratch;
		/* Copies across segments itself, else points into the first
		 * one; len <= pkt_len, so it never fails. */
		src = rte_pktmbuf_read(m, 0, len, ctx->data);
		if (src != ctx->data)
			rte_memcpy(ctx->data, src, len);
	}
	ctx->len = len;
	ctx->pkt_len = rte_pktmbuf_pkt_len(m);
	ctx->in_iface = in_iface;
	ctx->n_ifaces = n_ifaces;
	ctx->reserved = 0;
	return ctx;
}

#endif /* VNF_BPF_PROG_H */
