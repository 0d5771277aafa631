/* SPDX-License-Identifier: BSD-3-Clause
 *
 * nfv_bpf.h - what an eBPF program run by nfvd's `bpf` VNF (and by a
 * firewall rule's `bpf:` action) sees: its context, its verdicts and the
 * helpers it may call.  Included both by the programs (clang -target bpf)
 * and by nfvd (vnf/bpf/), so it depends on nothing but the compiler.
 *
 * A program is one function in a section of its own, compiled with
 *   clang -O2 -target bpf -mcpu=v2 -I<nfvd>/vnf/bpf -c prog.c -o prog.o
 * that takes a struct nfv_bpf_ctx * and returns a verdict:
 *
 *   NFV_BPF_PROG("nfvd/filter") uint64_t filter(struct nfv_bpf_ctx *ctx)
 *   {
 *           if (ctx->len < 14)
 *                   return NFV_BPF_DROP;
 *           return ctx->in_iface ^ 1;	// the other iface of two
 *   }
 *
 * nfvd runs it in user space with DPDK's rte_bpf (JIT on x86-64), not in
 * the kernel: there are no maps, no tail calls, no BPF-to-BPF calls, no
 * global variables and no kernel helpers; state lives in the per-program
 * counters below.  docs/bpf.md has the whole story.
 */
#ifndef NFV_BPF_H
#define NFV_BPF_H

#ifdef __bpf__
/* No libc for the BPF target: the fixed-width types from the compiler. */
typedef __UINT8_TYPE__ uint8_t;
typedef __UINT16_TYPE__ uint16_t;
typedef __UINT32_TYPE__ uint32_t;
typedef __UINT64_TYPE__ uint64_t;
#else
#include <stdint.h>
#endif

/* The bytes of a frame a program can read: data[0 .. NFV_BPF_WINDOW).  A
 * longer frame shows its first NFV_BPF_WINDOW bytes (ctx->len says how
 * many are the frame's); rte_bpf's validator rejects a program that may
 * read beyond the window. */
#define NFV_BPF_WINDOW 1536

/*
 * The program's argument.  The header is written by nfvd before each run;
 * a program should only read it.  data[] is the frame from its Ethernet
 * header on; bytes from data[len] to the end of the window are not the
 * frame's (reading them is safe, their value is unspecified), so a
 * program checks ctx->len before it reads a header.  Writes to data[]
 * are not guaranteed to reach the frame: treat it as read-only.
 */
struct nfv_bpf_ctx {
	uint32_t len;	   /* bytes of the frame in data[], <= WINDOW */
	uint32_t pkt_len;  /* the whole frame's length (all segments) */
	uint16_t in_iface; /* the iface the frame came in by */
	uint16_t n_ifaces; /* ifaces of the VNF: verdicts < n_ifaces */
	uint32_t reserved;
	uint8_t data[NFV_BPF_WINDOW];
};

/*
 * Verdicts (the low 32 bits of the return value are read):
 *  - an iface index below ctx->n_ifaces: the frame leaves by that iface;
 *  - NFV_BPF_DROP: the frame is dropped and counted as "dropped";
 *  - anything else is dropped too, counted as "bad-verdict" (a bug).
 * The firewall's `bpf:` action reads an iface index as a pass (by the
 * usual peer iface) and anything else as a drop (docs/firewall.md).
 */
#define NFV_BPF_DROP 0xffffffffu

/* Counters of a program, per worker: nfv_bpf_counter_add() indexes them
 * (index & (NFV_BPF_N_COUNTERS - 1)); `nfvctl show bpf` prints their
 * sums.  They start at 0 when a program is loaded. */
#define NFV_BPF_N_COUNTERS 16

/*
 * Helpers: rte_bpf's external functions, called by their index in nfvd's
 * table (vnf/bpf/prog.c) the way kernel helpers are called by number.
 * Index 0 is not used (a call through a null pointer would be undefined
 * in C).
 */
enum nfv_bpf_helper_id {
	NFV_BPF_HELPER_COUNTER_ADD = 1,
	NFV_BPF_HELPER_COUNTER_GET = 2,
	NFV_BPF_HELPER_HASH_5TUPLE = 3,
	NFV_BPF_HELPER_NOW_NS = 4,
	NFV_BPF_N_HELPERS
};

#ifdef __bpf__
/* Put a program in section s: `section s` of `bpf load` names it. */
#define NFV_BPF_PROG(s) __attribute__((section(s), used))

/* Add delta to this worker's counter idx; returns its new value. */
static uint64_t (*const nfv_bpf_counter_add)(uint32_t idx, uint64_t delta) =
	(void *)NFV_BPF_HELPER_COUNTER_ADD;
/* This worker's counter idx. */
static uint64_t (*const nfv_bpf_counter_get)(uint32_t idx) = (void *)
	NFV_BPF_HELPER_COUNTER_GET;
/* A hash of the frame's IPv4 or IPv6 5-tuple (addresses, protocol, TCP,
 * UDP or SCTP ports; an 802.1Q tag is skipped); the same for both
 * directions of a flow.  0 when the frame is not IP. */
static uint32_t (*const nfv_bpf_hash_5tuple)(const struct nfv_bpf_ctx *ctx) =
	(void *)NFV_BPF_HELPER_HASH_5TUPLE;
/* A monotonic clock in nanoseconds (the TSC). */
static uint64_t (*const nfv_bpf_now_ns)(void) = (void *)NFV_BPF_HELPER_NOW_NS;

/*
 * A pointer to data[off], for an offset known only at run time (an IPv4
 * header's length).  rte_bpf's validator follows a pointer through
 * `ptr += scalar` but not through `scalar += ptr`, and clang may emit
 * either; this pins the order.  off must have a bound the validator can
 * see (a mask, a sum of bounded values) that keeps off + the bytes read
 * inside the window.
 */
static inline __attribute__((always_inline)) const uint8_t *
nfv_bpf_at(const struct nfv_bpf_ctx *ctx, uint64_t off)
{
	const uint8_t *p = ctx->data;

	asm("%0 += %1" : "+r"(p) : "r"(off));
	return p;
}

/* Network to host byte order (the BPF target is little-endian on x86). */
#define nfv_bpf_ntohs(x) __builtin_bswap16(x)
#define nfv_bpf_ntohl(x) __builtin_bswap32(x)
/* A big-endian 16-bit field at p[off] (p from nfv_bpf_at() or
 * ctx->data, off a constant). */
#define nfv_bpf_be16(p, off)                                                   \
	((uint16_t)(((uint16_t)(p)[(off)] << 8) | (p)[(off) + 1]))
#endif /* __bpf__ */

#endif /* NFV_BPF_H */
