// SPDX-License-Identifier: BSD-3-Clause
/*
 * The PCI bus: host bridge at 00:00.0, devices at 00:01.0 onwards,
 * configuration mechanism #1 and MMIO dispatch to decoded BARs.  Linux
 * finds the bus by probing mechanism #1 (pci_sanity_check wants a host
 * bridge) and keeps the BAR addresses the VMM assigned, as it does with a
 * BIOS.  vCPU threads call in with vm->lock held.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pci.h"

#define VMM_PCI_HOST_VENDOR 0x1b36	/* Red Hat */
#define VMM_PCI_HOST_DEVICE 0x0008	/* PCIe host bridge */

void vmm_pci_dev_init(struct vmm_pci_dev *d, uint16_t vendor,
		      uint16_t device, uint32_t class_code, uint16_t subsys,
		      const struct vmm_pci_dev_ops *ops, void *opaque)
{
	memset(d, 0, sizeof(*d));
	vmm_pci_set16(d, 0x00, vendor);
	vmm_pci_set16(d, 0x02, device);
	d->cfg[0x08] = 1;			/* revision */
	d->cfg[0x09] = (uint8_t)class_code;
	d->cfg[0x0a] = (uint8_t)(class_code >> 8);
	d->cfg[0x0b] = (uint8_t)(class_code >> 16);
	vmm_pci_set16(d, 0x2c, vendor);		/* subsystem vendor */
	vmm_pci_set16(d, 0x2e, subsys);
	/* Writable: memory/bus-master/INTx-disable, cache line, latency,
	 * interrupt line. */
	d->wmask[VMM_PCI_COMMAND] = VMM_PCI_COMMAND_MEMORY |
				    VMM_PCI_COMMAND_MASTER;
	d->wmask[VMM_PCI_COMMAND + 1] = VMM_PCI_COMMAND_INTX_DISABLE >> 8;
	d->wmask[0x0c] = 0xff;
	d->wmask[0x0d] = 0xff;
	d->wmask[VMM_PCI_INTERRUPT_LINE] = 0xff;
	d->cap_next = 0x40;
	d->ops = ops;
	d->opaque = opaque;
}

int vmm_pci_dev_add_bar(struct vmm_pci_dev *d, unsigned int bar,
			uint32_t size)
{
	uint32_t mask;

	if (bar >= VMM_PCI_NR_BARS || size < 16 || (size & (size - 1)))
		return -EINVAL;
	d->bar_size[bar] = size;
	/* A 32-bit, non-prefetchable memory BAR: the low 4 bits read 0. */
	mask = ~(size - 1);
	vmm_pci_set32(d, VMM_PCI_BAR0 + 4 * bar, 0);
	d->wmask[VMM_PCI_BAR0 + 4 * bar] = (uint8_t)(mask & 0xf0);
	d->wmask[VMM_PCI_BAR0 + 4 * bar + 1] = (uint8_t)(mask >> 8);
	d->wmask[VMM_PCI_BAR0 + 4 * bar + 2] = (uint8_t)(mask >> 16);
	d->wmask[VMM_PCI_BAR0 + 4 * bar + 3] = (uint8_t)(mask >> 24);
	return 0;
}

uint8_t vmm_pci_dev_add_cap(struct vmm_pci_dev *d, uint8_t id, uint8_t len)
{
	uint8_t off = d->cap_next;

	if (!off || (unsigned int)off + len > VMM_PCI_CFG_SIZE)
		return 0;
	d->cfg[off] = id;
	d->cfg[off + 1] = 0;
	if (d->cap_last)
		d->cfg[d->cap_last + 1] = off;
	else
		d->cfg[VMM_PCI_CAP_PTR] = off;
	d->cfg[VMM_PCI_STATUS] |= VMM_PCI_STATUS_CAP_LIST;
	d->cap_last = off;
	d->cap_next = (uint8_t)VMM_ALIGN_UP((unsigned int)off + len, 4);
	if ((unsigned int)off + len >= VMM_PCI_CFG_SIZE - 4)
		d->cap_next = 0;
	return off;
}

/* Recomputes which BARs are decoded; tells the device if that changed. */
static void vmm_pci_dev_update_bars(struct vmm_pci_dev *d)
{
	bool mem = d->cfg[VMM_PCI_COMMAND] & VMM_PCI_COMMAND_MEMORY;
	bool changed = false;
	unsigned int i;

	for (i = 0; i < VMM_PCI_NR_BARS; i++) {
		uint64_t addr = vmm_pci_cfg32(d, VMM_PCI_BAR0 + 4 * i) & ~0xfULL;
		uint64_t active = 0;

		/* Decoded only when wholly inside the PCI hole: a BAR in
		 * the middle of sizing, or moved over RAM or the APICs,
		 * decodes nothing. */
		if (d->bar_size[i] && mem && addr >= VMM_PCI_MMIO_START &&
		    addr + d->bar_size[i] <= VMM_PCI_MMIO_END)
			active = addr;
		if (active != d->bar_active[i]) {
			d->bar_active[i] = active;
			changed = true;
		}
	}
	if (changed && d->ops && d->ops->bars_changed)
		d->ops->bars_changed(d);
}

static void vmm_pci_dev_cfg(struct vmm_pci_dev *d, uint32_t off,
			    uint8_t *data, uint32_t len, bool write)
{
	uint32_t i;

	if (off >= VMM_PCI_CFG_SIZE)
		len = 0;
	else if (len > VMM_PCI_CFG_SIZE - off)
		len = VMM_PCI_CFG_SIZE - off;
	if (!write) {
		if (d->ops && d->ops->cfg_read && len)
			d->ops->cfg_read(d, off, len);
		memcpy(data, d->cfg + off, len);
		return;
	}
	for (i = 0; i < len; i++) {
		uint8_t m = d->wmask[off + i];

		d->cfg[off + i] = (uint8_t)((d->cfg[off + i] & ~m) |
					    (data[i] & m));
	}
	if (!len)
		return;
	if (off < VMM_PCI_BAR0 + 4 * VMM_PCI_NR_BARS && off + len > VMM_PCI_COMMAND)
		vmm_pci_dev_update_bars(d);
	if (d->ops && d->ops->cfg_written)
		d->ops->cfg_written(d, off, len);
}

void vmm_pci_cfg_access(struct vmm_pci *pci, unsigned int bus,
			unsigned int devfn, uint32_t off, uint8_t *data,
			uint32_t len, bool write)
{
	struct vmm_pci_dev *d = NULL;

	if (bus == 0 && (devfn & 7) == 0)
		d = (devfn >> 3) == 0 ? &pci->host : pci->devs[devfn >> 3];
	if (!d) {
		if (!write)
			memset(data, 0xff, len);
		return;
	}
	vmm_pci_dev_cfg(d, off, data, len, write);
}

/* Ports 0xcf8..0xcff. */
static void vmm_pci_pio(void *opaque, uint64_t off, uint8_t *data,
			uint32_t len, bool write)
{
	struct vmm_pci *pci = opaque;

	if (off < 4) {
		/* Only whole-dword accesses reach the address latch; Linux
		 * probes mechanism #2 with a byte write to 0xcfb. */
		if (off != 0 || len != 4) {
			if (!write)
				memset(data, 0xff, len);
			return;
		}
		if (write)
			memcpy(&pci->cf8, data, 4);
		else
			memcpy(data, &pci->cf8, 4);
		return;
	}
	if (!(pci->cf8 & 0x80000000u)) {
		if (!write)
			memset(data, 0xff, len);
		return;
	}
	vmm_pci_cfg_access(pci, (pci->cf8 >> 16) & 0xff, (pci->cf8 >> 8) & 0xff,
			   (pci->cf8 & 0xfc) + ((uint32_t)off - 4), data, len,
			   write);
}

/* The whole PCI hole; each access goes to the BAR that decodes it. */
static void vmm_pci_mmio(void *opaque, uint64_t off, uint8_t *data,
			 uint32_t len, bool write)
{
	struct vmm_pci *pci = opaque;
	uint64_t addr = VMM_PCI_MMIO_START + off;
	unsigned int s, b;

	for (s = 1; s < VMM_PCI_MAX_SLOTS; s++) {
		struct vmm_pci_dev *d = pci->devs[s];

		if (!d)
			continue;
		for (b = 0; b < VMM_PCI_NR_BARS; b++) {
			uint64_t base = d->bar_active[b];

			if (!base || addr < base ||
			    addr - base >= d->bar_size[b])
				continue;
			if (addr - base + len > d->bar_size[b]) {
				if (!write)
					memset(data, 0xff, len);
				vmm_log_guest("pci %02x: access of %u bytes at 0x%llx crosses the end of BAR%u",
					      s, len, (unsigned long long)addr, b);
				return;
			}
			if (d->ops && d->ops->bar_access)
				d->ops->bar_access(d, b, addr - base, data, len,
						   write);
			return;
		}
	}
	if (!write)
		memset(data, 0xff, len);
}

int vmm_pci_create(struct vmm *vm)
{
	struct vmm_pci *pci;
	int ret;

	pci = calloc(1, sizeof(*pci));
	if (!pci)
		return -ENOMEM;
	pci->vm = vm;
	pci->mmio_next = (uint32_t)VMM_PCI_MMIO_START;
	vmm_pci_dev_init(&pci->host, VMM_PCI_HOST_VENDOR, VMM_PCI_HOST_DEVICE,
			 0x060000, 0x1100, NULL, NULL);
	pci->host.wmask[VMM_PCI_COMMAND] = 0;
	pci->host.wmask[VMM_PCI_COMMAND + 1] = 0;
	ret = vmm_io_bus_register(&vm->pio, 0xcf8, 8, vmm_pci_pio, pci);
	if (ret)
		goto err;
	ret = vmm_io_bus_register(&vm->mmio, VMM_PCI_MMIO_START,
				  VMM_PCI_MMIO_END - VMM_PCI_MMIO_START,
				  vmm_pci_mmio, pci);
	if (ret)
		goto err;
	vm->pci = pci;
	return 0;
err:
	free(pci);
	return ret;
}

void vmm_pci_destroy(struct vmm *vm)
{
	free(vm->pci);
	vm->pci = NULL;
}

int vmm_pci_dev_add(struct vmm_pci *pci, struct vmm_pci_dev *d)
{
	unsigned int s, b;

	for (s = 1; s < VMM_PCI_MAX_SLOTS; s++)
		if (!pci->devs[s])
			break;
	if (s == VMM_PCI_MAX_SLOTS)
		return -ENOSPC;
	/* Place the BARs, each aligned to its size, as firmware would. */
	for (b = 0; b < VMM_PCI_NR_BARS; b++) {
		uint64_t addr;

		if (!d->bar_size[b])
			continue;
		addr = VMM_ALIGN_UP(pci->mmio_next, d->bar_size[b]);
		if (addr + d->bar_size[b] > VMM_PCI_MMIO_END)
			return -ENOSPC;
		vmm_pci_set32(d, VMM_PCI_BAR0 + 4 * b, (uint32_t)addr);
		pci->mmio_next = (uint32_t)(addr + d->bar_size[b]);
	}
	d->slot = s;
	/* INTA# of slot s goes to IOAPIC pin 16 + s % 8 (the MP table
	 * says so too). */
	d->irq = 16 + (s & 7);
	d->cfg[VMM_PCI_INTERRUPT_LINE] = (uint8_t)d->irq;
	d->cfg[VMM_PCI_INTERRUPT_PIN] = 1;
	d->cfg[VMM_PCI_COMMAND] |= VMM_PCI_COMMAND_MEMORY;
	pci->devs[s] = d;
	vmm_pci_dev_update_bars(d);
	return 0;
}
