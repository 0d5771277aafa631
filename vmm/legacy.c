// SPDX-License-Identifier: BSD-3-Clause
/*
 * The rest of the PC a Linux guest looks for: the i8042 keyboard
 * controller (its reset line is how the guest reboots; nfv-vmm exits
 * then), the CMOS real-time clock and the POST port.  The PIC, IOAPIC,
 * PIT and local APICs are KVM's.  vCPU threads, under vm->lock.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vmm.h"

#define I8042_DATA 0x60
#define I8042_CMD 0x64
#define I8042_STR_OBF 0x01
#define I8042_STR_SYS 0x04
#define I8042_STR_CMD 0x08

struct vmm_legacy {
	struct vmm *vm;
	/* i8042 */
	uint8_t ctr;
	uint8_t status;
	uint8_t pending_cmd;
	uint8_t out[8];
	unsigned int out_head, out_count;
	/* CMOS */
	uint8_t cmos_index;
	uint8_t cmos[128];
};

static void i8042_push(struct vmm_legacy *l, uint8_t v)
{
	if (l->out_count < sizeof(l->out)) {
		l->out[(l->out_head + l->out_count) % sizeof(l->out)] = v;
		l->out_count++;
	}
}

static void i8042_reset(struct vmm_legacy *l)
{
	vmm_stop(l->vm, VMM_EXIT_OK, "guest reset (i8042)");
}

static void i8042_cmd(struct vmm_legacy *l, uint8_t c)
{
	switch (c) {
	case 0x20:	/* read the controller configuration byte */
		i8042_push(l, l->ctr);
		break;
	case 0x60:	/* write it: next data byte */
	case 0xd1:	/* write the output port: next data byte */
	case 0xd2:	/* write keyboard output buffer */
	case 0xd3:	/* write aux output buffer */
	case 0xd4:	/* write to the aux device */
		l->pending_cmd = c;
		break;
	case 0xa7:
		l->ctr |= 0x20;	/* aux disabled */
		break;
	case 0xa8:
		l->ctr &= (uint8_t)~0x20;
		break;
	case 0xa9:	/* aux interface test: none */
		i8042_push(l, 0xff);
		break;
	case 0xaa:	/* self test passed */
		i8042_push(l, 0x55);
		break;
	case 0xab:	/* keyboard interface test passed */
		i8042_push(l, 0x00);
		break;
	case 0xad:
		l->ctr |= 0x10;	/* keyboard disabled */
		break;
	case 0xae:
		l->ctr &= (uint8_t)~0x10;
		break;
	case 0xfe:	/* pulse the reset line */
		i8042_reset(l);
		break;
	default:
		break;
	}
}

static void i8042_data(struct vmm_legacy *l, uint8_t v)
{
	uint8_t c = l->pending_cmd;

	l->pending_cmd = 0;
	switch (c) {
	case 0x60:
		l->ctr = v;
		break;
	case 0xd1:
		if (!(v & 1))	/* the reset line is bit 0, active low */
			i8042_reset(l);
		break;
	case 0xd2:
	case 0xd3:
		i8042_push(l, v);
		break;
	case 0xd4:
		break;
	default:
		/* A keyboard command: acknowledge it. */
		i8042_push(l, 0xfa);
		break;
	}
}

static void i8042_io(void *opaque, uint64_t off, uint8_t *data, uint32_t len,
		     bool write)
{
	struct vmm_legacy *l = opaque;

	if (len != 1) {
		if (!write)
			memset(data, 0xff, len);
		return;
	}
	if (off == 0) {		/* 0x60 */
		if (write) {
			i8042_data(l, data[0]);
		} else if (l->out_count) {
			data[0] = l->out[l->out_head];
			l->out_head = (l->out_head + 1) % sizeof(l->out);
			l->out_count--;
		} else {
			data[0] = 0;
		}
	} else if (off == 4) {	/* 0x64 */
		if (write)
			i8042_cmd(l, data[0]);
		else
			data[0] = I8042_STR_SYS |
				  (l->out_count ? I8042_STR_OBF : 0);
	} else if (!write) {
		data[0] = 0xff;
	}
}

static uint8_t bcd(int v)
{
	return (uint8_t)(((v / 10) << 4) | (v % 10));
}

static void cmos_io(void *opaque, uint64_t off, uint8_t *data, uint32_t len,
		    bool write)
{
	struct vmm_legacy *l = opaque;
	uint8_t i = l->cmos_index;
	struct tm tm;
	time_t now;

	if (len != 1) {
		if (!write)
			memset(data, 0xff, len);
		return;
	}
	if (off == 0) {
		if (write)
			l->cmos_index = data[0] & 0x7f;	/* bit 7: NMI mask */
		else
			data[0] = 0xff;
		return;
	}
	if (write) {
		/* The clock itself is the host's; other bytes are RAM. */
		if (i > 9 && i != 0x0c && i != 0x0d)
			l->cmos[i] = data[0];
		return;
	}
	now = time(NULL);
	gmtime_r(&now, &tm);
	switch (i) {
	case 0x00: data[0] = bcd(tm.tm_sec); break;
	case 0x02: data[0] = bcd(tm.tm_min); break;
	case 0x04: data[0] = bcd(tm.tm_hour); break;
	case 0x06: data[0] = bcd(tm.tm_wday + 1); break;
	case 0x07: data[0] = bcd(tm.tm_mday); break;
	case 0x08: data[0] = bcd(tm.tm_mon + 1); break;
	case 0x09: data[0] = bcd(tm.tm_year % 100); break;
	case 0x0a: data[0] = l->cmos[i] & 0x7f; break;	/* never updating */
	case 0x0c: data[0] = 0; break;
	case 0x0d: data[0] = 0x80; break;		/* battery good */
	case 0x32: data[0] = bcd((tm.tm_year + 1900) / 100); break;
	default: data[0] = l->cmos[i]; break;
	}
}

static void post_io(void *opaque, uint64_t off, uint8_t *data, uint32_t len,
		    bool write)
{
	(void)opaque;
	(void)off;
	if (!write)
		memset(data, 0xff, len);
}

int vmm_legacy_create(struct vmm *vm)
{
	struct vmm_legacy *l;
	int ret;

	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	l->vm = vm;
	/* Keyboard interrupt on, translation on, aux disabled. */
	l->ctr = 0x65;
	l->cmos[0x0a] = 0x26;
	l->cmos[0x0b] = 0x02;	/* 24 hour, BCD */
	ret = vmm_io_bus_register(&vm->pio, I8042_DATA, 5, i8042_io, l);
	if (!ret)
		ret = vmm_io_bus_register(&vm->pio, 0x70, 2, cmos_io, l);
	if (!ret)
		ret = vmm_io_bus_register(&vm->pio, 0x80, 1, post_io, l);
	if (ret) {
		free(l);
		return ret;
	}
	vm->legacy = l;
	return 0;
}

void vmm_legacy_destroy(struct vmm *vm)
{
	free(vm->legacy);
	vm->legacy = NULL;
}
