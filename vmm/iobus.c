// SPDX-License-Identifier: BSD-3-Clause
/*
 * Port and MMIO dispatch: a short list of ranges, searched linearly (a
 * VM has a dozen of them).  Registration happens before the vCPUs start;
 * lookups run on vCPU threads under vm->lock.
 */
#include <errno.h>
#include <string.h>

#include "vmm.h"

int vmm_io_bus_register(struct vmm_io_bus *b, uint64_t base, uint64_t len,
			vmm_io_fn *fn, void *opaque)
{
	unsigned int i;

	if (!len || base + len < base)
		return -EINVAL;
	for (i = 0; i < b->nr; i++) {
		const struct vmm_io_range *r = &b->r[i];

		if (base < r->base + r->len && r->base < base + len)
			return -EEXIST;
	}
	if (b->nr == VMM_IO_MAX_RANGES)
		return -ENOSPC;
	b->r[b->nr++] = (struct vmm_io_range){
		.base = base, .len = len, .fn = fn, .opaque = opaque,
	};
	return 0;
}

bool vmm_io_bus_access(struct vmm_io_bus *b, uint64_t addr, uint8_t *data,
		       uint32_t len, bool write)
{
	unsigned int i;

	for (i = 0; i < b->nr; i++) {
		const struct vmm_io_range *r = &b->r[i];

		if (addr >= r->base && addr - r->base < r->len) {
			/* An access straddling the end is cut to the range. */
			uint64_t room = r->len - (addr - r->base);

			if (len > room) {
				if (!write)
					memset(data + room, 0xff, len - room);
				len = (uint32_t)room;
			}
			r->fn(r->opaque, addr - r->base, data, len, write);
			return true;
		}
	}
	b->unhandled++;
	if (!write)
		memset(data, 0xff, len);
	return false;
}
