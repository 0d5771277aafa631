// SPDX-License-Identifier: BSD-3-Clause
/*
 * Split virtqueue, device side (virtio 1.2, 2.7).  Guest memory is shared
 * with a running guest: each guest-written value is read once into a
 * local before it is checked and used.
 */
#include <errno.h>
#include <string.h>

#include "virtqueue.h"

#define VRING_DESC_F_NEXT 1
#define VRING_DESC_F_WRITE 2
#define VRING_DESC_F_INDIRECT 4
#define VRING_AVAIL_F_NO_INTERRUPT 1

struct vring_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

uint64_t vmm_vring_desc_bytes(uint16_t size)
{
	return 16ULL * size;
}

uint64_t vmm_vring_avail_bytes(uint16_t size)
{
	return 6ULL + 2ULL * size;
}

uint64_t vmm_vring_used_bytes(uint16_t size)
{
	return 6ULL + 8ULL * size;
}

static uint16_t vr_load16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	/* Acquire: what the driver wrote before it published this. */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	return v;
}

int vmm_vring_setup(struct vmm_vring *r, const struct vmm_mem *mem,
		    uint16_t size, uint64_t desc, uint64_t avail,
		    uint64_t used, bool event_idx, bool indirect,
		    const char **why)
{
	memset(r, 0, sizeof(*r));
	if (!size || (size & (size - 1))) {
		*why = "queue size not a power of 2";
		return -EINVAL;
	}
	if ((desc & 15) || (avail & 1) || (used & 3)) {
		*why = "ring parts misaligned";
		return -EINVAL;
	}
	r->mem = mem;
	r->size = size;
	r->event_idx = event_idx;
	r->indirect = indirect;
	r->desc = vmm_mem_ptr(mem, desc, vmm_vring_desc_bytes(size));
	r->avail = vmm_mem_ptr(mem, avail, vmm_vring_avail_bytes(size));
	r->used = vmm_mem_ptr(mem, used, vmm_vring_used_bytes(size));
	if (!r->desc || !r->avail || !r->used) {
		*why = "ring outside guest RAM";
		r->size = 0;
		return -EINVAL;
	}
	return 0;
}

static void vr_read_desc(const uint8_t *table, unsigned int i,
			 struct vring_desc *d)
{
	memcpy(d, table + 16 * (size_t)i, sizeof(*d));
}

int vmm_vring_pop(struct vmm_vring *r, struct vmm_vring_chain *c,
		  const char **why)
{
	const uint8_t *table;
	unsigned int table_size, i, count = 0;
	bool indirect = false, seen_write = false;
	uint16_t avail_idx, head;

	if (!r->size) {
		*why = "queue not set up";
		return -EINVAL;
	}
	avail_idx = vr_load16(r->avail + 2);
	if (avail_idx == r->last_avail)
		return 0;
	if ((uint16_t)(avail_idx - r->last_avail) > r->size) {
		*why = "avail index moved by more than the queue size";
		return -EINVAL;
	}
	head = vr_load16(r->avail + 4 + 2 * (r->last_avail & (r->size - 1)));
	if (head >= r->size) {
		*why = "avail ring entry out of range";
		return -EINVAL;
	}
	r->last_avail++;

	c->head = head;
	c->n = 0;
	table = r->desc;
	table_size = r->size;
	i = head;
	for (;;) {
		struct vring_desc d;
		uint8_t *p;

		vr_read_desc(table, i, &d);
		if (d.flags & VRING_DESC_F_INDIRECT) {
			if (!r->indirect || indirect) {
				*why = "indirect descriptor not allowed here";
				return -EINVAL;
			}
			if ((d.flags & VRING_DESC_F_NEXT) || !d.len ||
			    (d.len & 15) || d.len / 16 > 65536) {
				*why = "bad indirect descriptor";
				return -EINVAL;
			}
			table = vmm_mem_ptr(r->mem, d.addr, d.len);
			if (!table) {
				*why = "indirect table outside guest RAM";
				return -EINVAL;
			}
			table_size = d.len / 16;
			indirect = true;
			count = 0;
			i = 0;
			continue;
		}
		p = vmm_mem_ptr(r->mem, d.addr, d.len);
		if (!p) {
			*why = "descriptor buffer outside guest RAM";
			return -EINVAL;
		}
		if (d.flags & VRING_DESC_F_WRITE)
			seen_write = true;
		else if (seen_write) {
			*why = "device-readable descriptor after a writable one";
			return -EINVAL;
		}
		if (c->n == VMM_VRING_MAX_IOV) {
			*why = "descriptor chain too long";
			return -EINVAL;
		}
		c->iov[c->n++] = (struct vmm_vring_iov){
			.p = p, .len = d.len,
			.write = d.flags & VRING_DESC_F_WRITE,
		};
		if (++count > table_size) {
			*why = "descriptor chain loops";
			return -EINVAL;
		}
		if (!(d.flags & VRING_DESC_F_NEXT))
			break;
		i = d.next;
		if (i >= table_size) {
			*why = "descriptor next out of range";
			return -EINVAL;
		}
	}
	if (r->event_idx) {
		/* avail_event: notify us again after this index. */
		uint16_t ev = r->last_avail;

		__atomic_store_n((uint16_t *)(void *)(r->used + 4 + 8 * (size_t)r->size),
				 ev, __ATOMIC_RELEASE);
	}
	return 1;
}

void vmm_vring_push(struct vmm_vring *r, uint16_t head, uint32_t len)
{
	uint8_t *e = r->used + 4 + 8 * (size_t)(r->used_idx & (r->size - 1));
	uint32_t id = head;

	memcpy(e, &id, 4);
	memcpy(e + 4, &len, 4);
	r->used_idx++;
	/* Release: the element is visible before the index that shows it. */
	__atomic_store_n((uint16_t *)(void *)(r->used + 2), r->used_idx,
			 __ATOMIC_RELEASE);
}

bool vmm_vring_should_notify(struct vmm_vring *r, uint16_t old_used)
{
	uint16_t flags, used_event;

	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!r->event_idx) {
		flags = vr_load16(r->avail);
		return !(flags & VRING_AVAIL_F_NO_INTERRUPT);
	}
	used_event = vr_load16(r->avail + 4 + 2 * (size_t)r->size);
	/* vring_need_event() of the spec. */
	return (uint16_t)(r->used_idx - used_event - 1) <
	       (uint16_t)(r->used_idx - old_used);
}
