// SPDX-License-Identifier: BSD-3-Clause
/* The test's virtio-net driver (see hostdrv.h).  Test thread only. */
#include <errno.h>
#include <string.h>

#include "hostdrv.h"

#define C_DFSEL 0x00
#define C_DF 0x04
#define C_GFSEL 0x08
#define C_GF 0x0c
#define C_STATUS 0x14
#define C_QSEL 0x16
#define C_QSIZE 0x18
#define C_QMSIX 0x1a
#define C_QEN 0x1c
#define C_QDESC 0x20
#define C_QAVAIL 0x28
#define C_QUSED 0x30

#define HD_BUF 2048
#define HD_HDR 12

static uint32_t hd_cfg_addr(struct hostdrv *hd, uint32_t off)
{
	return 0x80000000u | hd->slot << 11 | (off & 0xfc);
}

/* Port accesses as the vCPU loop makes them: under vm->lock. */
static void hd_pio(struct hostdrv *hd, uint16_t port, uint8_t *d,
		   uint32_t len, bool write)
{
	pthread_mutex_lock(&hd->vm->lock);
	vmm_io_bus_access(&hd->vm->pio, port, d, len, write);
	pthread_mutex_unlock(&hd->vm->lock);
}

uint32_t hd_cfg_read(struct hostdrv *hd, uint32_t off, uint32_t len)
{
	uint32_t a = hd_cfg_addr(hd, off), v = 0;

	hd_pio(hd, 0xcf8, (uint8_t *)&a, 4, true);
	hd_pio(hd, (uint16_t)(0xcfc + (off & 3)), (uint8_t *)&v, len, false);
	return v;
}

void hd_cfg_write(struct hostdrv *hd, uint32_t off, uint32_t len, uint32_t v)
{
	uint32_t a = hd_cfg_addr(hd, off);

	hd_pio(hd, 0xcf8, (uint8_t *)&a, 4, true);
	hd_pio(hd, (uint16_t)(0xcfc + (off & 3)), (uint8_t *)&v, len, true);
}

uint64_t hd_read(struct hostdrv *hd, uint64_t addr, uint32_t len)
{
	uint64_t v = 0;

	pthread_mutex_lock(&hd->vm->lock);
	vmm_io_bus_access(&hd->vm->mmio, addr, (uint8_t *)&v, len, false);
	pthread_mutex_unlock(&hd->vm->lock);
	return v;
}

void hd_write(struct hostdrv *hd, uint64_t addr, uint32_t len, uint64_t v)
{
	pthread_mutex_lock(&hd->vm->lock);
	vmm_io_bus_access(&hd->vm->mmio, addr, (uint8_t *)&v, len, true);
	pthread_mutex_unlock(&hd->vm->lock);
}

void *hd_gpa(struct hostdrv *hd, uint64_t gpa, uint64_t len)
{
	return vmm_mem_ptr(&hd->vm->mem, gpa, len);
}

int hostdrv_open(struct hostdrv *hd, struct vmm *vm, unsigned int slot)
{
	uint32_t c;
	int seen = 0, i;

	memset(hd, 0, sizeof(*hd));
	hd->vm = vm;
	hd->slot = slot;
	if (hd_cfg_read(hd, 0, 4) != 0x10411af4)
		return -ENODEV;
	for (i = 0; i < 6; i++)
		hd->bar[i] = hd_cfg_read(hd, 0x10 + 4 * (uint32_t)i, 4) & ~0xfu;
	for (c = hd_cfg_read(hd, 0x34, 1); c; c = hd_cfg_read(hd, c + 1, 1)) {
		uint32_t id = hd_cfg_read(hd, c, 1), type, bar, off;

		if (id == 0x11) {
			hd->msix_cap = (uint8_t)c;
			continue;
		}
		if (id != 0x09)
			continue;
		type = hd_cfg_read(hd, c + 3, 1);
		bar = hd_cfg_read(hd, c + 4, 1);
		off = hd_cfg_read(hd, c + 8, 4);
		if (bar > 5)
			return -EINVAL;
		switch (type) {
		case 1: hd->common = hd->bar[bar] + off; seen |= 1; break;
		case 2:
			hd->notify = hd->bar[bar] + off;
			hd->notify_mult = hd_cfg_read(hd, c + 16, 4);
			seen |= 2;
			break;
		case 3: hd->isr = hd->bar[bar] + off; seen |= 4; break;
		case 4: hd->devcfg = hd->bar[bar] + off; seen |= 8; break;
		}
	}
	return seen == 15 ? 0 : -EINVAL;
}

uint8_t hostdrv_status(struct hostdrv *hd)
{
	return (uint8_t)hd_read(hd, hd->common + C_STATUS, 1);
}

int hostdrv_negotiate(struct hostdrv *hd, uint64_t want)
{
	uint64_t offered;

	hd_write(hd, hd->common + C_STATUS, 1, 0);
	hd_write(hd, hd->common + C_STATUS, 1, 1);
	hd_write(hd, hd->common + C_STATUS, 1, 3);
	hd_write(hd, hd->common + C_DFSEL, 4, 0);
	offered = hd_read(hd, hd->common + C_DF, 4);
	hd_write(hd, hd->common + C_DFSEL, 4, 1);
	offered |= hd_read(hd, hd->common + C_DF, 4) << 32;
	hd->features = offered & want;
	hd_write(hd, hd->common + C_GFSEL, 4, 0);
	hd_write(hd, hd->common + C_GF, 4, (uint32_t)hd->features);
	hd_write(hd, hd->common + C_GFSEL, 4, 1);
	hd_write(hd, hd->common + C_GF, 4, (uint32_t)(hd->features >> 32));
	hd_write(hd, hd->common + C_STATUS, 1, 3 | 8);
	return (hostdrv_status(hd) & 8) ? 0 : -EPROTO;
}

int hostdrv_queue(struct hostdrv *hd, unsigned int q, uint16_t size,
		  uint64_t gpa)
{
	struct hd_queue *hq = &hd->q[q];
	void *p = hd_gpa(hd, gpa, 0x20000 + (uint64_t)size * HD_BUF);

	if (q >= HD_MAX_Q || !p)
		return -EINVAL;
	memset(p, 0, 0x20000);
	memset(hq, 0, sizeof(*hq));
	hq->size = size;
	hq->desc = gpa;
	hq->avail = gpa + 16ULL * size;
	hq->used = gpa + 0x10000;
	hq->bufs = gpa + 0x20000;
	hd_write(hd, hd->common + C_QSEL, 2, q);
	hd_write(hd, hd->common + C_QSIZE, 2, size);
	hd_write(hd, hd->common + C_QMSIX, 2, 0xffff);
	hd_write(hd, hd->common + C_QDESC, 8, hq->desc);
	hd_write(hd, hd->common + C_QAVAIL, 4, (uint32_t)hq->avail);
	hd_write(hd, hd->common + C_QAVAIL + 4, 4, (uint32_t)(hq->avail >> 32));
	hd_write(hd, hd->common + C_QUSED, 8, hq->used);
	hd_write(hd, hd->common + C_QEN, 2, 1);
	return 0;
}

int hostdrv_driver_ok(struct hostdrv *hd)
{
	hd_write(hd, hd->common + C_STATUS, 1, 3 | 8 | 4);
	return (hostdrv_status(hd) & 0x44) == 4 ? 0 : -EIO;
}

void hostdrv_kick(struct hostdrv *hd, unsigned int q)
{
	hd_write(hd, hd->notify + (uint64_t)q * hd->notify_mult, 2, q);
}

/*
 * Puts one descriptor on the avail ring; data (len bytes, may be NULL)
 * fills its buffer first: the index is published last.
 */
static int hd_add(struct hostdrv *hd, unsigned int q, uint32_t len,
		  bool writable, const uint8_t *data)
{
	struct hd_queue *hq = &hd->q[q];
	uint16_t d = hq->next_desc;
	uint8_t *desc = hd_gpa(hd, hq->desc + 16ULL * d, 16);
	uint8_t *avail = hd_gpa(hd, hq->avail, 4 + 2ULL * hq->size);
	uint64_t addr = hq->bufs + (uint64_t)d * HD_BUF;
	uint16_t flags = writable ? 2 : 0, zero = 0, idx;
	uint8_t *buf;

	if (!hq->size || !desc || !avail || len > HD_BUF)
		return -EINVAL;
	hq->next_desc = (uint16_t)((d + 1) % hq->size);
	memcpy(desc, &addr, 8);
	memcpy(desc + 8, &len, 4);
	memcpy(desc + 12, &flags, 2);
	memcpy(desc + 14, &zero, 2);
	buf = hd_gpa(hd, addr, HD_BUF);
	if (data)
		memcpy(buf, data, len);
	memcpy(avail + 4 + 2 * (hq->avail_idx % hq->size), &d, 2);
	idx = ++hq->avail_idx;
	__atomic_store_n((uint16_t *)(void *)(avail + 2), idx, __ATOMIC_RELEASE);
	return 0;
}

int hostdrv_tx(struct hostdrv *hd, unsigned int q, const void *frame,
	       uint32_t len)
{
	uint8_t buf[HD_BUF] = { 0 };
	int ret;

	if (len > HD_BUF - HD_HDR)
		return -EINVAL;
	memcpy(buf + HD_HDR, frame, len);
	ret = hd_add(hd, q, HD_HDR + len, false, buf);
	if (ret)
		return ret;
	hostdrv_kick(hd, q);
	return 0;
}

int hostdrv_rx_post(struct hostdrv *hd, unsigned int q, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		int ret = hd_add(hd, q, HD_BUF, true, NULL);

		if (ret)
			return ret;
	}
	hostdrv_kick(hd, q);
	return 0;
}

uint16_t hostdrv_used_idx(struct hostdrv *hd, unsigned int q)
{
	uint8_t *used = hd_gpa(hd, hd->q[q].used, 4);

	return __atomic_load_n((uint16_t *)(void *)(used + 2), __ATOMIC_ACQUIRE);
}

int hostdrv_used(struct hostdrv *hd, unsigned int q, void *frame,
		 uint32_t *len)
{
	struct hd_queue *hq = &hd->q[q];
	uint8_t *used = hd_gpa(hd, hq->used, 4 + 8ULL * hq->size);
	uint32_t id, l;

	if (hostdrv_used_idx(hd, q) == hq->used_seen)
		return 0;
	memcpy(&id, used + 4 + 8 * (hq->used_seen % hq->size), 4);
	memcpy(&l, used + 8 + 8 * (hq->used_seen % hq->size), 4);
	hq->used_seen++;
	if (id >= hq->size || l > HD_BUF)
		return -EPROTO;
	if (frame && len) {
		*len = l > HD_HDR ? l - HD_HDR : 0;
		memcpy(frame, (uint8_t *)hd_gpa(hd, hq->bufs + (uint64_t)id * HD_BUF, HD_BUF) + HD_HDR, *len);
	}
	return 1;
}
