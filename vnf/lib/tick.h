/* SPDX-License-Identifier: BSD-3-Clause
 *
 * tick.h - a coarse 32-bit clock made from the TSC, for the time stamps
 * that tables keep next to (or inside) an entry word: the l2switch's MAC
 * table, the router's neighbours, the firewall's connections.
 *
 * A tick is 2^shift TSC cycles; a table picks its shift once (a constant,
 * so the conversion is one shift).  32-bit stamps wrap, so two of them are
 * compared only through nfv_tick_diff(), which is right while they are
 * less than 2^31 ticks apart; a timeout is therefore kept below 2^31
 * ticks (nfv_ticks_of_ms()'s `max`).  Nothing here reads the clock: the
 * caller passes the TSC it has (a worker's loop start, the control
 * thread's rte_rdtsc()).  Any thread.
 */
#ifndef NFV_LIB_TICK_H
#define NFV_LIB_TICK_H

#include <stdint.h>

/* 2^20 cycles: 0.4 ms at 2.6 GHz; 2^32 ticks last 20 days there. */
#define NFV_TICK_SHIFT 20

/* The tick of TSC value `tsc`. */
static inline uint32_t
nfv_tick(uint64_t tsc, unsigned int shift)
{
	return (uint32_t)(tsc >> shift);
}

/* a - b in ticks, right across the 32-bit wrap. */
static inline int32_t
nfv_tick_diff(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b);
}

/* `ms` milliseconds of a TSC running at `hz`, in ticks, at most `max`.
 * Control thread (a division); 128 bits because hz * ms of a long
 * timeout does not fit 64. */
static inline uint32_t
nfv_ticks_of_ms(uint64_t hz, unsigned int shift, uint64_t ms, uint32_t max)
{
	unsigned __int128 t = ((unsigned __int128)hz * ms / 1000) >> shift;

	return t > max ? max : (uint32_t)t;
}

/* `ticks` (a count, or a signed difference) in seconds, for people. */
static inline double
nfv_ticks_to_s(int64_t ticks, uint64_t hz, unsigned int shift)
{
	return (double)ticks * (double)(UINT64_C(1) << shift) / (double)hz;
}

#endif /* NFV_LIB_TICK_H */
