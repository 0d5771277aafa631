/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The device side of a split virtqueue, for the queues the VMM serves
 * itself (virtio-net's control queue; the data queues belong to the
 * vhost-user backend).  Every address and index the guest wrote is
 * checked before use: a bad ring is an error, never an access outside
 * guest RAM.  Callers hold vm->lock.
 */
#ifndef NFV_VMM_VIRTQUEUE_H
#define NFV_VMM_VIRTQUEUE_H

#include "vmm.h"

#define VMM_VRING_MAX_IOV 16

struct vmm_vring {
	const struct vmm_mem *mem;
	uint16_t size;
	uint16_t last_avail;
	uint16_t used_idx;
	bool event_idx;
	bool indirect;
	/* Host addresses, checked once when the ring is set up. */
	uint8_t *desc;
	uint8_t *avail;
	uint8_t *used;
};

struct vmm_vring_iov {
	uint8_t *p;
	uint32_t len;
	bool write;
};

struct vmm_vring_chain {
	uint16_t head;
	unsigned int n;
	struct vmm_vring_iov iov[VMM_VRING_MAX_IOV];
};

/* The ring bytes of a queue of this size, each part. */
uint64_t vmm_vring_desc_bytes(uint16_t size);
uint64_t vmm_vring_avail_bytes(uint16_t size);
uint64_t vmm_vring_used_bytes(uint16_t size);

/* 0, or -EINVAL with *why set when the ring is not wholly in RAM. */
int vmm_vring_setup(struct vmm_vring *r, const struct vmm_mem *mem,
		    uint16_t size, uint64_t desc, uint64_t avail,
		    uint64_t used, bool event_idx, bool indirect,
		    const char **why);
/* 1: a chain in *c; 0: ring empty; -EINVAL: the guest broke the ring. */
int vmm_vring_pop(struct vmm_vring *r, struct vmm_vring_chain *c,
		  const char **why);
void vmm_vring_push(struct vmm_vring *r, uint16_t head, uint32_t len);
/* After pushes: does the driver want an interrupt? */
bool vmm_vring_should_notify(struct vmm_vring *r, uint16_t old_used);

#endif
