/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * PCI: one bus behind a host bridge, configuration mechanism #1 (ports
 * 0xcf8/0xcfc), 32-bit memory BARs placed by the VMM the way firmware
 * would, in the hole below 4 GiB.  Callers hold vm->lock.
 */
#ifndef NFV_VMM_PCI_H
#define NFV_VMM_PCI_H

#include "vmm.h"

#define VMM_PCI_MAX_SLOTS 32
#define VMM_PCI_NR_BARS 6
#define VMM_PCI_CFG_SIZE 256

#define VMM_PCI_COMMAND 0x04
#define VMM_PCI_COMMAND_MEMORY 0x2
#define VMM_PCI_COMMAND_MASTER 0x4
#define VMM_PCI_COMMAND_INTX_DISABLE 0x400
#define VMM_PCI_STATUS 0x06
#define VMM_PCI_STATUS_CAP_LIST 0x10
#define VMM_PCI_BAR0 0x10
#define VMM_PCI_CAP_PTR 0x34
#define VMM_PCI_INTERRUPT_LINE 0x3c
#define VMM_PCI_INTERRUPT_PIN 0x3d

struct vmm_pci_dev;

struct vmm_pci_dev_ops {
	/* An access inside BAR bar (off from its start). */
	void (*bar_access)(struct vmm_pci_dev *d, unsigned int bar,
			   uint64_t off, uint8_t *data, uint32_t len,
			   bool write);
	/* Before a config read of [off, off + len): refresh fields. */
	void (*cfg_read)(struct vmm_pci_dev *d, uint32_t off, uint32_t len);
	/* After a config write of [off, off + len) was applied. */
	void (*cfg_written)(struct vmm_pci_dev *d, uint32_t off, uint32_t len);
	/* A BAR moved, or memory decoding was switched on or off. */
	void (*bars_changed)(struct vmm_pci_dev *d);
};

struct vmm_pci_dev {
	uint8_t cfg[VMM_PCI_CFG_SIZE];
	uint8_t wmask[VMM_PCI_CFG_SIZE];	/* writable bits */
	uint32_t bar_size[VMM_PCI_NR_BARS];
	/* Decoded address of each BAR; 0 while not decoded. */
	uint64_t bar_active[VMM_PCI_NR_BARS];
	const struct vmm_pci_dev_ops *ops;
	void *opaque;
	unsigned int slot;
	unsigned int irq;	/* INTx GSI */
	uint8_t cap_next;	/* where the next capability goes */
	uint8_t cap_last;	/* the last capability's offset, 0: none */
};

struct vmm_pci {
	struct vmm *vm;
	uint32_t cf8;
	uint32_t mmio_next;
	struct vmm_pci_dev host;
	struct vmm_pci_dev *devs[VMM_PCI_MAX_SLOTS];
};

int vmm_pci_create(struct vmm *vm);
void vmm_pci_destroy(struct vmm *vm);
void vmm_pci_dev_init(struct vmm_pci_dev *d, uint16_t vendor,
		      uint16_t device, uint32_t class_code, uint16_t subsys,
		      const struct vmm_pci_dev_ops *ops, void *opaque);
int vmm_pci_dev_add_bar(struct vmm_pci_dev *d, unsigned int bar,
			uint32_t size);
/* Appends a capability of len bytes with this id; returns its offset. */
uint8_t vmm_pci_dev_add_cap(struct vmm_pci_dev *d, uint8_t id, uint8_t len);
/* Plugs d into the next free slot and places its BARs. */
int vmm_pci_dev_add(struct vmm_pci *pci, struct vmm_pci_dev *d);

/* A configuration access as mechanism #1 would make it. */
void vmm_pci_cfg_access(struct vmm_pci *pci, unsigned int bus,
			unsigned int devfn, uint32_t off, uint8_t *data,
			uint32_t len, bool write);

static inline uint16_t vmm_pci_cfg16(const struct vmm_pci_dev *d,
				     uint32_t off)
{
	return (uint16_t)(d->cfg[off] | d->cfg[off + 1] << 8);
}

static inline uint32_t vmm_pci_cfg32(const struct vmm_pci_dev *d,
				     uint32_t off)
{
	return (uint32_t)d->cfg[off] | (uint32_t)d->cfg[off + 1] << 8 |
	       (uint32_t)d->cfg[off + 2] << 16 | (uint32_t)d->cfg[off + 3] << 24;
}

static inline void vmm_pci_set16(struct vmm_pci_dev *d, uint32_t off,
				 uint16_t v)
{
	d->cfg[off] = (uint8_t)v;
	d->cfg[off + 1] = (uint8_t)(v >> 8);
}

static inline void vmm_pci_set32(struct vmm_pci_dev *d, uint32_t off,
				 uint32_t v)
{
	unsigned int i;

	for (i = 0; i < 4; i++)
		d->cfg[off + i] = (uint8_t)(v >> (8 * i));
}

#endif
