// SPDX-License-Identifier: BSD-3-Clause
/*
 * A hostile guest against nfv-vmm's device model: PCI configuration
 * cycles, BAR and stray MMIO accesses of any size and offset, legacy
 * ports, MSI-X table writes, guest memory scribbled with descriptors that
 * point anywhere, control-queue requests built from the input, and well
 * formed driver bring-ups with input-chosen rings in between.
 *
 * Each input runs on a fresh VM without KVM (the same device code the
 * vCPU threads run) whose RAM sits between inaccessible guard areas, so
 * an access outside guest RAM faults; built with ASan and UBSan it also
 * catches any other out-of-bounds or undefined behaviour.  After every
 * operation the device's contract is checked: a device asking for a
 * reset is not running, status reads back as written or with
 * NEEDS_RESET, the VMM is still there.
 *
 * LLVMFuzzerTestOneInput is the libFuzzer entry; fuzz_vmm_driver.c runs
 * it without libFuzzer.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pci.h"
#include "virtio_net.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_MEM (32 * VMM_MIB)

struct fz {
	const uint8_t *p;
	size_t left;
	struct vmm *vm;
	struct vmm_net *net[2];
};

static uint64_t fz_take(struct fz *f, unsigned int bytes)
{
	uint64_t v = 0;
	unsigned int i;

	for (i = 0; i < bytes && f->left; i++, f->left--)
		v |= (uint64_t)*f->p++ << (8 * i);
	return v;
}

static void fz_abort(const char *what)
{
	fprintf(stderr, "fuzz_vmm: contract broken: %s\n", what);
	abort();
}

static void fz_pio(struct fz *f, uint16_t port, uint64_t *v, uint32_t len,
		   bool write)
{
	pthread_mutex_lock(&f->vm->lock);
	vmm_io_bus_access(&f->vm->pio, port, (uint8_t *)v, len, write);
	pthread_mutex_unlock(&f->vm->lock);
}

static void fz_mmio(struct fz *f, uint64_t addr, uint64_t *v, uint32_t len,
		    bool write)
{
	pthread_mutex_lock(&f->vm->lock);
	vmm_io_bus_access(&f->vm->mmio, addr, (uint8_t *)v, len, write);
	pthread_mutex_unlock(&f->vm->lock);
}

static void fz_cfg(struct fz *f, unsigned int slot, uint32_t off, uint64_t *v,
		   uint32_t len, bool write)
{
	uint64_t a = 0x80000000u | slot << 11 | (off & 0xfc);

	fz_pio(f, 0xcf8, &a, 4, true);
	fz_pio(f, (uint16_t)(0xcfc + (off & 3)), v, len, write);
}

static uint32_t fz_len(uint64_t sel)
{
	static const uint32_t lens[] = { 1, 2, 4, 8, 3 };

	return lens[sel % 5];
}

/* An address near one of the device's registers, or anywhere. */
static uint64_t fz_addr(struct fz *f, struct vmm_net *n)
{
	uint64_t sel = fz_take(f, 1), off = fz_take(f, 2);
	uint64_t b0 = n->vp.pci.bar_active[0], b1 = n->vp.pci.bar_active[1];

	switch (sel % 8) {
	case 0: return b0 + VMM_VIRTIO_COMMON + off % 0x40;
	case 1: return b0 + VMM_VIRTIO_ISR + off % 8;
	case 2: return b0 + VMM_VIRTIO_DEVCFG + off % 0x110;
	case 3: return b0 + VMM_VIRTIO_NOTIFY + off % 0x50;
	case 4: return b1 + off % 0x1000;
	case 5: return b0 + off % 0x4000;
	case 6: return VMM_PCI_MMIO_START + ((off << 12) | fz_take(f, 1));
	default: return fz_take(f, 5);
	}
}

/* Guest memory write; addresses inside RAM (the harness is the guest). */
static void fz_poke(struct fz *f, uint64_t gpa, uint64_t v, unsigned int len)
{
	uint8_t *p = vmm_mem_ptr(&f->vm->mem, gpa, len);

	if (p)
		memcpy(p, &v, len);
}

static void fz_common_w(struct fz *f, struct vmm_net *n, uint32_t off,
			uint64_t v, uint32_t len)
{
	fz_mmio(f, n->vp.pci.bar_active[0] + off, &v, len, true);
}

static uint64_t fz_common_r(struct fz *f, struct vmm_net *n, uint32_t off,
			    uint32_t len)
{
	uint64_t v = 0;

	fz_mmio(f, n->vp.pci.bar_active[0] + off, &v, len, false);
	return v;
}

/*
 * A well-formed bring-up with input-chosen features, queue sizes and ring
 * addresses (mostly in RAM, sometimes not), then DRIVER_OK.
 */
static void fz_bringup(struct fz *f, struct vmm_net *n)
{
	uint64_t feat = fz_take(f, 8) | 1ULL << 32;
	unsigned int q;

	if (!n->vp.pci.bar_active[0])
		return;
	fz_common_w(f, n, 0x14, 0, 1);
	fz_common_w(f, n, 0x14, 3, 1);
	fz_common_w(f, n, 0x08, 0, 4);
	fz_common_w(f, n, 0x0c, (uint32_t)feat, 4);
	fz_common_w(f, n, 0x08, 1, 4);
	fz_common_w(f, n, 0x0c, (uint32_t)(feat >> 32), 4);
	fz_common_w(f, n, 0x14, 11, 1);
	for (q = 0; q < n->vp.nr_queues; q++) {
		uint64_t base = (fz_take(f, 2) << 12) % (FZ_MEM + 0x100000);

		fz_common_w(f, n, 0x16, q, 2);
		fz_common_w(f, n, 0x18, 1u << (fz_take(f, 1) % 11), 2);
		fz_common_w(f, n, 0x1a, fz_take(f, 1) % 20, 2);
		fz_common_w(f, n, 0x20, base, 8);
		fz_common_w(f, n, 0x28, base + 0x4000, 8);
		fz_common_w(f, n, 0x30, base + 0x8000, 8);
		fz_common_w(f, n, 0x1c, 1, 2);
	}
	fz_common_w(f, n, 0x14, 15, 1);
}

/*
 * A control request on the control queue as the driver would post it,
 * from input bytes: descriptor addresses, lengths, flags and links, the
 * avail index, then a kick.
 */
static void fz_ctrl(struct fz *f, struct vmm_net *n)
{
	struct vmm_virtq *vq;
	unsigned int i, nd;
	uint16_t ai;

	if (n->ctrl_queue == ~0u || !n->vp.pci.bar_active[0])
		return;
	vq = &n->vp.vq[n->ctrl_queue];
	if (!vq->size || !vmm_mem_ptr(&f->vm->mem, vq->avail, 4))
		return;
	nd = 1 + (unsigned int)fz_take(f, 1) % 4;
	for (i = 0; i < nd; i++) {
		uint64_t d = vq->desc + 16ULL * (fz_take(f, 1) % (vq->size + 2u));
		uint64_t addr = fz_take(f, 1) & 1 ? fz_take(f, 8) :
						    0x10000 + fz_take(f, 2);

		fz_poke(f, d, addr, 8);
		fz_poke(f, d + 8, fz_take(f, 4), 4);
		fz_poke(f, d + 12, fz_take(f, 2), 2);
		fz_poke(f, d + 14, fz_take(f, 2), 2);
	}
	fz_poke(f, 0x10000, 0x00010004, 4);	/* MQ, VQ_PAIRS_SET, 1 */
	{
		uint8_t *a = vmm_mem_ptr(&f->vm->mem, vq->avail, 4);

		memcpy(&ai, a + 2, 2);
	}
	fz_poke(f, vq->avail + 4 + 2ULL * (ai % vq->size), fz_take(f, 2), 2);
	ai = (uint16_t)(ai + 1 + (fz_take(f, 1) == 0xff ? fz_take(f, 2) : 0));
	fz_poke(f, vq->avail + 2, ai, 2);
	fz_common_w(f, n, VMM_VIRTIO_NOTIFY + 4 * n->ctrl_queue, n->ctrl_queue, 2);
}

static void fz_check(struct fz *f)
{
	unsigned int i;

	for (i = 0; i < 2; i++) {
		struct vmm_net *n = f->net[i];
		uint8_t st = n->vp.status;

		if ((st & VMM_VIRTIO_S_NEEDS_RESET) && n->started &&
		    (st & VMM_VIRTIO_S_DRIVER_OK))
			fz_abort("device asks for a reset but still runs");
		if (n->started && !(st & VMM_VIRTIO_S_DRIVER_OK))
			fz_abort("device runs without DRIVER_OK");
		if (n->cur_pairs < 1 || n->cur_pairs > n->max_pairs)
			fz_abort("queue pairs out of range");
		if (n->vp.queue_sel < n->vp.nr_queues &&
		    n->vp.vq[n->vp.queue_sel].size > n->vp.max_queue_size)
			fz_abort("queue size above the maximum");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vmm vm;
	struct vmm_net_config cfg = {
		.mac = { 2, 0, 0, 0, 0, 1 },
		.queue_pairs = 1,
		.queue_size = 256,
	};
	struct fz f = { .p = data, .left = size, .vm = &vm };
	unsigned int i, ops = 0;

	vmm_log_level = -1;	/* guest errors are counted, not printed */
	if (vmm_create(&vm, FZ_MEM, false, 1, false) || vmm_pci_create(&vm) ||
	    vmm_serial_create(&vm, -1, -1) || vmm_legacy_create(&vm))
		fz_abort("VM setup");
	for (i = 0; i < 2; i++) {
		cfg.queue_pairs = i ? 2 : 1;
		if (vmm_net_create(&vm, &cfg, &f.net[i]))
			fz_abort("net setup");
	}

	while (f.left && ops++ < 2000) {
		struct vmm_net *n = f.net[fz_take(&f, 1) & 1];
		uint64_t op = fz_take(&f, 1), v;
		uint32_t len;

		switch (op % 12) {
		case 0:
		case 1: {
			unsigned int slot = (unsigned int)fz_take(&f, 1) % 4;
			uint32_t off = (uint32_t)fz_take(&f, 1);

			len = fz_len(fz_take(&f, 1));
			if (len > 4)
				len = 4;
			v = fz_take(&f, 4);
			fz_cfg(&f, slot, off, &v, len, op % 12 == 0);
			break;
		}
		case 2:
		case 3: {
			uint64_t a = fz_addr(&f, n);

			len = fz_len(fz_take(&f, 1));
			v = fz_take(&f, 8);
			fz_mmio(&f, a, &v, len, op % 12 == 2);
			break;
		}
		case 4:
			v = fz_take(&f, 3);
			fz_poke(&f, v * 2, fz_take(&f, 8), 8);
			break;
		case 5:
			fz_bringup(&f, n);
			break;
		case 6:
			fz_ctrl(&f, n);
			break;
		case 7: {
			static const uint16_t ports[] = {
				0x3f8, 0x3f9, 0x3fa, 0x3fb, 0x3fc, 0x3fd,
				0x3fe, 0x3ff, 0x60, 0x64, 0x70, 0x71, 0x80,
				0xcf8, 0xcfb, 0xcfc, 0xcfe, 0x2f8,
			};
			uint16_t port = ports[fz_take(&f, 1) % VMM_ARRAY_SIZE(ports)];

			len = fz_len(fz_take(&f, 1));
			if (len > 4)
				len = 4;
			v = fz_take(&f, 4);
			fz_pio(&f, port, &v, len, fz_take(&f, 1) & 1);
			break;
		}
		case 8:
			/* MSI-X: enable, then a table entry. */
			v = 0xc000 | fz_take(&f, 2);
			fz_cfg(&f, n->vp.pci.slot, n->vp.msix_cap + 2u, &v, 2, true);
			v = fz_take(&f, 8);
			fz_mmio(&f, n->vp.pci.bar_active[1] + (fz_take(&f, 1) & 0xfc),
				&v, 4, true);
			break;
		case 9:
			vmm_loop_run(&vm, 0);
			break;
		case 10:
			(void)fz_common_r(&f, n, VMM_VIRTIO_ISR, 1);
			(void)fz_common_r(&f, n, (uint32_t)(fz_take(&f, 1) % 0x38), 1);
			break;
		case 11:
			/* Reset, as a driver recovering from NEEDS_RESET. */
			if (n->vp.pci.bar_active[0])
				fz_common_w(&f, n, 0x14, 0, 1);
			break;
		}
		fz_check(&f);
	}

	for (i = 0; i < vm.nr_nets; i++)
		vmm_net_destroy(vm.nets[i]);
	vm.nr_nets = 0;
	vmm_pci_destroy(&vm);
	vmm_legacy_destroy(&vm);
	vmm_serial_destroy(&vm);
	vmm_destroy(&vm);
	return 0;
}
