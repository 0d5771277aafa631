/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * virtio-pci, modern (virtio 1.x) transport only, with MSI-X.
 *
 * BAR0 (16 KiB): common config at 0x0000, ISR at 0x1000, device config at
 * 0x2000, notifications at 0x3000 (4 bytes per queue).  BAR1 (4 KiB): the
 * MSI-X table at 0 and its PBA at 0x800.
 *
 * Queues whose device gives a kick eventfd get a KVM ioeventfd on their
 * notify address; queues with a call eventfd get a KVM irqfd on their
 * MSI-X vector's route.  When the vector is masked, or the driver runs
 * without MSI-X (INTx), the main loop polls the call eventfd instead and
 * injects the interrupt itself.  Callers hold vm->lock.
 */
#ifndef NFV_VMM_VIRTIO_PCI_H
#define NFV_VMM_VIRTIO_PCI_H

#include "pci.h"

#define VMM_VIRTIO_MAX_QUEUES (2 * VMM_MAX_QUEUE_PAIRS + 1)
#define VMM_VIRTIO_MAX_VECTORS (VMM_VIRTIO_MAX_QUEUES + 1)
#define VMM_VIRTIO_NO_VECTOR 0xffff

#define VMM_VIRTIO_BAR_SIZE 0x4000
#define VMM_VIRTIO_COMMON 0x0000
#define VMM_VIRTIO_COMMON_SIZE 0x38
#define VMM_VIRTIO_ISR 0x1000
#define VMM_VIRTIO_DEVCFG 0x2000
#define VMM_VIRTIO_DEVCFG_SIZE 0x100
#define VMM_VIRTIO_NOTIFY 0x3000
#define VMM_VIRTIO_NOTIFY_MULT 4
#define VMM_VIRTIO_MSIX_BAR_SIZE 0x1000
#define VMM_VIRTIO_PBA 0x800

/* Device status bits (virtio 1.2, 2.1). */
#define VMM_VIRTIO_S_ACKNOWLEDGE 1
#define VMM_VIRTIO_S_DRIVER 2
#define VMM_VIRTIO_S_DRIVER_OK 4
#define VMM_VIRTIO_S_FEATURES_OK 8
#define VMM_VIRTIO_S_NEEDS_RESET 0x40
#define VMM_VIRTIO_S_FAILED 0x80

#define VMM_VIRTIO_F_VERSION_1 32

struct vmm_virtio_pci;

struct vmm_virtio_ops {
	/* FEATURES_OK: accept the driver's features or refuse (-errno). */
	int (*set_features)(void *dev, uint64_t features);
	/* Device config space access (offset inside it). */
	void (*config)(void *dev, uint32_t off, uint8_t *data, uint32_t len,
		       bool write);
	/* DRIVER_OK: start the queues. */
	int (*start)(void *dev);
	/* Reset by the driver, or after a failure: stop the queues. */
	void (*reset)(void *dev);
	/* A notification that did not go through an ioeventfd. */
	void (*notify)(void *dev, unsigned int q);
};

struct vmm_virtq {
	struct vmm_virtio_pci *vp;
	unsigned int index;
	uint16_t size;
	uint16_t msix_vector;
	uint16_t enabled;
	uint64_t desc;
	uint64_t avail;
	uint64_t used;
	int kick_fd;		/* from the device; -1: notify() is called */
	int call_fd;		/* from the device; -1: device signals itself */
	/* Wiring state. */
	uint64_t ioeventfd_addr;	/* 0: none */
	bool irqfd_on;
	unsigned int irqfd_gsi;
	struct vmm_event call_ev;	/* polled call_fd */
};

struct vmm_msix_entry {
	uint32_t addr_lo;
	uint32_t addr_hi;
	uint32_t data;
	uint32_t ctrl;		/* bit 0: masked */
};

struct vmm_virtio_pci {
	struct vmm_pci_dev pci;
	struct vmm *vm;
	const struct vmm_virtio_ops *ops;
	void *dev;
	unsigned int nr_queues;
	uint16_t max_queue_size;
	uint64_t device_features;
	uint64_t driver_features;
	uint32_t dfselect;
	uint32_t gfselect;
	uint8_t status;
	uint8_t config_gen;
	uint8_t isr;
	bool intx_level;
	uint16_t config_vector;
	uint16_t queue_sel;
	struct vmm_virtq vq[VMM_VIRTIO_MAX_QUEUES];
	unsigned int nr_vectors;
	struct vmm_msix_entry msix[VMM_VIRTIO_MAX_VECTORS];
	uint64_t msix_pending;
	unsigned int gsi_base;
	uint8_t msix_cap;
	uint8_t cfg_cap;
	uint64_t guest_errors;
};

int vmm_virtio_pci_init(struct vmm_virtio_pci *vp, struct vmm *vm,
			uint16_t device_type, uint16_t subsys,
			uint32_t class_code, unsigned int nr_queues,
			uint16_t max_queue_size, uint64_t device_features,
			const struct vmm_virtio_ops *ops, void *dev);
void vmm_virtio_pci_destroy(struct vmm_virtio_pci *vp);
/* The device's kick/call eventfds changed: rewire. */
void vmm_virtio_pci_rewire(struct vmm_virtio_pci *vp);
/* Interrupt for queue q (a queue the device serves itself). */
void vmm_virtio_pci_queue_signal(struct vmm_virtio_pci *vp, unsigned int q);
/* The device config changed (e.g. link status). */
void vmm_virtio_pci_config_changed(struct vmm_virtio_pci *vp);
/* The device failed (bad rings, lost backend...): DEVICE_NEEDS_RESET. */
void vmm_virtio_pci_fail(struct vmm_virtio_pci *vp, const char *why);
bool vmm_virtio_pci_feature(const struct vmm_virtio_pci *vp, unsigned int bit);

#endif
