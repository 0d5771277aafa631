/* SPDX-License-Identifier: BSD-3-Clause
 *
 * fuzz_frame.h - what the packet-path harnesses (l2switch, router,
 * firewall, bpf, vxlan, chain) do to a frame they built before queueing
 * it: bytes overwritten near the headers, the frame cut short, or split
 * over two segments (fz_mbuf_make()).  Each harness decides from its own
 * flag bits whether to, and in which order; these read the bytes each
 * step needs from the input, always the same way, so the kept corpora
 * mean what they meant.
 *
 * The harness's thread only.
 */
#ifndef NFV_FUZZ_FRAME_H
#define NFV_FUZZ_FRAME_H

#include <stdint.h>

#include "tests/fuzz/common/fuzz_env.h"

/* Overwrite n bytes of the frame f of len bytes, each at an offset (one
 * input byte) within its first `window` bytes, with the next input byte.
 * Nothing when len is 0. */
static inline void
fz_frame_damage(struct fz_in *in, uint8_t *f, uint16_t len, unsigned int n,
		uint16_t window)
{
	uint16_t span = len < window ? len : window;
	unsigned int i;

	for (i = 0; i < n && len > 0; i++) {
		uint16_t at = (uint16_t)(fz_u8(in) % span);

		f[at] = fz_u8(in);
	}
}

/* A frame of len bytes cut short: 0..len-1 from one input byte (0 when
 * len is 0; nothing read then). */
static inline uint16_t
fz_frame_cut(struct fz_in *in, uint16_t len)
{
	return len > 0 ? (uint16_t)(fz_u8(in) % len) : 0;
}

/* The same from two input bytes. */
static inline uint16_t
fz_frame_cut16(struct fz_in *in, uint16_t len)
{
	return len > 0 ? (uint16_t)(fz_u16(in) % len) : 0;
}

/* Where a frame of len bytes splits into two segments: its first one
 * 1..len-1 bytes long (one input byte); len, one segment, when the frame
 * is shorter than 2 bytes (nothing read). */
static inline uint16_t
fz_frame_split(struct fz_in *in, uint16_t len)
{
	return len >= 2 ? (uint16_t)(1 + fz_u8(in) % (len - 1)) : len;
}

/* The same with a first segment that may be empty: 0..len-1. */
static inline uint16_t
fz_frame_split0(struct fz_in *in, uint16_t len)
{
	return len > 0 ? (uint16_t)(fz_u8(in) % len) : len;
}

#endif /* NFV_FUZZ_FRAME_H */
