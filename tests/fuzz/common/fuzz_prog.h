/* SPDX-License-Identifier: BSD-3-Clause
 *
 * fuzz_prog.h - the input program of the packet-path harnesses (l2switch,
 * router, firewall, bpf, vxlan, chain), read the same way by each: an op
 * byte (taken mod 16), then
 *   - a frame op (fz_prog.frame_ops): the harness reads a frame from the
 *     input and queues it on an RX port (frame(), or answer() for the
 *     ops of answer_ops); when the pool is empty, the queued bursts go in
 *     first and the frame is not made;
 *   - the repeat op: an argument byte, then the last frame again, up to
 *     arg % 32 times (bursts of one flow);
 *   - any other op: an argument byte, then whatever the harness does with
 *     it (it may read more).
 * Missing bytes read as 0 (fuzz_env.h).  At the end the queued bursts go
 * in and the TX buffers are flushed.
 *
 * The harness's thread only (it plays the worker).
 */
#ifndef NFV_FUZZ_PROG_H
#define NFV_FUZZ_PROG_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "tests/fuzz/common/fuzz_env.h"
#include "tests/fuzz/common/fuzz_queue.h"

struct fz_prog {
	/* Bit n set: op n builds a frame. */
	uint16_t frame_ops;
	/* The op that repeats the last frame. */
	uint8_t repeat_op;
	/* Bit n set: frame op n (in frame_ops) builds its frame with
	 * answer(): an answer to what a VNF sent (a neighbour's, a
	 * gateway's), or another kind of frame (vxlan: an underlay packet). */
	uint16_t answer_ops;
	/* Whether there is a last frame to repeat (this input made one). */
	const bool *last_valid;
	/* Build a frame from the input and queue it; false when the pool
	 * is empty.  answer: the same for answer_ops. */
	bool (*frame)(struct fz_in *in);
	bool (*answer)(struct fz_in *in);
	/* Queue the last frame again; false when the pool is empty. */
	bool (*again)(void);
	/* Any other op with its argument byte. */
	void (*op)(struct fz_in *in, uint8_t op, uint8_t arg);
};

/* Run the program of `in` through the harness p and the queues q; the
 * number of frames queued. */
static inline unsigned int
fz_prog_run(const struct fz_prog *p, struct fz_queues *q, struct fz_in *in)
{
	unsigned int frames = 0;

	while (in->n > 0) {
		uint8_t op = fz_u8(in) % 16, arg;

		if (p->frame_ops & (1u << op)) {
			bool made = p->answer_ops & (1u << op) ? p->answer(in)
							       : p->frame(in);

			if (!made)
				fz_queue_submit_all(q);
			else
				frames++;
			continue;
		}
		arg = fz_u8(in);
		if (op != p->repeat_op) {
			p->op(in, op, arg);
			continue;
		}
		for (arg %= 32; arg > 0 && *p->last_valid; arg--) {
			if (!p->again()) {
				fz_queue_submit_all(q);
				break;
			}
			frames++;
		}
	}
	fz_queue_submit_all(q);
	return frames;
}

/* The link of port `arg % n_ports` goes down if up, up if down (what the
 * runner's TX path checks before it sends). */
static inline void
fz_prog_link_flip(uint8_t arg, uint16_t n_ports)
{
	uint16_t p = arg % n_ports;

	atomic_store(&nfv_port_fp[p].link_up,
		     !atomic_load(&nfv_port_fp[p].link_up));
}

#endif /* NFV_FUZZ_PROG_H */
