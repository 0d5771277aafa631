/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A virtio-net driver that runs in the test process and works the VMM's
 * device model the way a guest would: configuration cycles through the
 * 0xcf8/0xcfc ports, register accesses on the MMIO bus at the BAR
 * addresses, rings and buffers in guest RAM.  No KVM: the VM is created
 * with use_kvm false, so a kick takes the MMIO slow path into the kick
 * eventfd, and the test can poll the call eventfds itself.
 */
#ifndef NFV_TEST_VMM_HOSTDRV_H
#define NFV_TEST_VMM_HOSTDRV_H

#include "virtio_net.h"

#define HD_MAX_Q 17

struct hd_queue {
	uint16_t size;
	uint64_t desc, avail, used;	/* guest physical */
	uint64_t bufs;			/* one 2 KiB buffer per descriptor */
	uint16_t avail_idx;
	uint16_t used_seen;
	uint16_t next_desc;
};

struct hostdrv {
	struct vmm *vm;
	unsigned int slot;
	uint64_t bar[6];
	uint64_t common, isr, devcfg, notify;
	uint32_t notify_mult;
	uint8_t msix_cap;
	uint64_t features;
	struct hd_queue q[HD_MAX_Q];
};

uint32_t hd_cfg_read(struct hostdrv *hd, uint32_t off, uint32_t len);
void hd_cfg_write(struct hostdrv *hd, uint32_t off, uint32_t len, uint32_t v);
uint64_t hd_read(struct hostdrv *hd, uint64_t addr, uint32_t len);
void hd_write(struct hostdrv *hd, uint64_t addr, uint32_t len, uint64_t v);
void *hd_gpa(struct hostdrv *hd, uint64_t gpa, uint64_t len);

/* Finds the virtio-net function at slot and its capabilities. */
int hostdrv_open(struct hostdrv *hd, struct vmm *vm, unsigned int slot);
/* Reset, ACK, DRIVER, features (want & offered), FEATURES_OK. */
int hostdrv_negotiate(struct hostdrv *hd, uint64_t want);
/* Rings for queue q at gpa (needs 0x20000 bytes: rings + buffers). */
int hostdrv_queue(struct hostdrv *hd, unsigned int q, uint16_t size,
		  uint64_t gpa);
uint8_t hostdrv_status(struct hostdrv *hd);
int hostdrv_driver_ok(struct hostdrv *hd);
void hostdrv_kick(struct hostdrv *hd, unsigned int q);
/* TX: a frame (the 12-byte virtio-net header is added); kicks. */
int hostdrv_tx(struct hostdrv *hd, unsigned int q, const void *frame,
	       uint32_t len);
/* RX: posts n empty buffers; kicks. */
int hostdrv_rx_post(struct hostdrv *hd, unsigned int q, unsigned int n);
/* A used buffer: 1 and the frame (header stripped), 0 if none. */
int hostdrv_used(struct hostdrv *hd, unsigned int q, void *frame,
		 uint32_t *len);
/* The used index the device has published. */
uint16_t hostdrv_used_idx(struct hostdrv *hd, unsigned int q);

#endif
