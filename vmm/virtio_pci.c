// SPDX-License-Identifier: BSD-3-Clause
/*
 * virtio-pci modern transport (virtio 1.2, section 4.1) with MSI-X.
 * Everything here runs with vm->lock held: on vCPU threads (config and
 * BAR accesses) or the main thread (polled call eventfds).
 *
 * A guest can write anything anywhere: every register write is checked,
 * a bad one is logged (rate limited) and ignored, and a queue setup that
 * cannot work makes the device ask for a reset (DEVICE_NEEDS_RESET).
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "virtio_pci.h"

#define VMM_PCI_VENDOR_VIRTIO 0x1af4
#define VMM_PCI_CAP_VNDR 0x09
#define VMM_PCI_CAP_MSIX 0x11

#define VMM_VIRTIO_CAP_COMMON 1
#define VMM_VIRTIO_CAP_NOTIFY 2
#define VMM_VIRTIO_CAP_ISR 3
#define VMM_VIRTIO_CAP_DEVICE 4
#define VMM_VIRTIO_CAP_PCI_CFG 5

#define VMM_MSIX_ENABLE 0x80	/* in the high byte of Message Control */
#define VMM_MSIX_MASKALL 0x40

static void vp_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void vp_put32(uint8_t *p, uint32_t v)
{
	vp_put16(p, (uint16_t)v);
	vp_put16(p + 2, (uint16_t)(v >> 16));
}

static void vp_put64(uint8_t *p, uint64_t v)
{
	vp_put32(p, (uint32_t)v);
	vp_put32(p + 4, (uint32_t)(v >> 32));
}

static uint16_t vp_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t vp_get32(const uint8_t *p)
{
	return vp_get16(p) | (uint32_t)vp_get16(p + 2) << 16;
}

static uint64_t vp_get64(const uint8_t *p)
{
	return vp_get32(p) | (uint64_t)vp_get32(p + 4) << 32;
}

/* Does the access [off, off + len) touch the field [foff, foff + flen)? */
static bool vp_touches(uint32_t off, uint32_t len, uint32_t foff,
		       uint32_t flen)
{
	return off < foff + flen && foff < off + len;
}

static void vp_guest_error(struct vmm_virtio_pci *vp, const char *what)
{
	vp->guest_errors++;
	vmm_log_guest("virtio-pci %02x: %s", vp->pci.slot, what);
}

bool vmm_virtio_pci_feature(const struct vmm_virtio_pci *vp, unsigned int bit)
{
	return bit < 64 && (vp->driver_features >> bit) & 1;
}

static bool vp_msix_enabled(const struct vmm_virtio_pci *vp)
{
	return vp->pci.cfg[vp->msix_cap + 3] & VMM_MSIX_ENABLE;
}

static bool vp_vector_masked(const struct vmm_virtio_pci *vp, uint16_t v)
{
	return (vp->pci.cfg[vp->msix_cap + 3] & VMM_MSIX_MASKALL) ||
	       (vp->msix[v].ctrl & 1);
}

static void vp_msix_fire(struct vmm_virtio_pci *vp, uint16_t v)
{
	const struct vmm_msix_entry *e = &vp->msix[v];
	int ret;

	ret = vmm_irq_msi(vp->vm, (uint64_t)e->addr_hi << 32 | e->addr_lo,
			  e->data);
	if (ret < 0)
		vmm_dbg("virtio-pci %02x: MSI vector %u: %s", vp->pci.slot, v,
			strerror(-ret));
}

static void vp_intx_update(struct vmm_virtio_pci *vp)
{
	bool level = vp->isr && !vp_msix_enabled(vp) &&
		     !(vp->pci.cfg[VMM_PCI_COMMAND + 1] &
		       (VMM_PCI_COMMAND_INTX_DISABLE >> 8));

	if (level == vp->intx_level)
		return;
	vp->intx_level = level;
	vmm_irq_line(vp->vm, vp->pci.irq, level);
}

/* Deliver an interrupt on vector v (MSI-X) or set ISR bits (INTx). */
static void vp_interrupt(struct vmm_virtio_pci *vp, uint16_t v, uint8_t isr)
{
	vp->isr |= isr;
	if (!vp_msix_enabled(vp)) {
		vp_intx_update(vp);
		return;
	}
	if (v == VMM_VIRTIO_NO_VECTOR || v >= vp->nr_vectors)
		return;
	if (vp_vector_masked(vp, v)) {
		vp->msix_pending |= 1ULL << v;
		return;
	}
	vp_msix_fire(vp, v);
}

void vmm_virtio_pci_queue_signal(struct vmm_virtio_pci *vp, unsigned int q)
{
	if (q < vp->nr_queues)
		vp_interrupt(vp, vp->vq[q].msix_vector, 1);
}

void vmm_virtio_pci_config_changed(struct vmm_virtio_pci *vp)
{
	vp->config_gen++;
	if (vp->status & VMM_VIRTIO_S_DRIVER_OK)
		vp_interrupt(vp, vp->config_vector, 2);
}

/* Main thread: a call eventfd that is not on an irqfd fired. */
static void vp_call_event(void *opaque, uint32_t events)
{
	struct vmm_virtq *q = opaque;
	struct vmm_virtio_pci *vp = q->vp;
	uint64_t n;

	(void)events;
	pthread_mutex_lock(&vp->vm->lock);
	if (q->call_fd >= 0 && read(q->call_fd, &n, sizeof(n)) == sizeof(n))
		vp_interrupt(vp, q->msix_vector, 1);
	pthread_mutex_unlock(&vp->vm->lock);
}

/*
 * Puts each queue's call eventfd where it belongs: on a KVM irqfd when its
 * MSI-X vector can take it, else polled by the main loop, or nowhere when
 * the queue is not running.
 */
static void vp_sync_irqfds(struct vmm_virtio_pci *vp)
{
	bool running = vp->status & VMM_VIRTIO_S_DRIVER_OK &&
		       !(vp->status & VMM_VIRTIO_S_NEEDS_RESET);
	unsigned int i;

	for (i = 0; i < vp->nr_queues; i++) {
		struct vmm_virtq *q = &vp->vq[i];
		uint16_t v = q->msix_vector;
		bool live = running && q->enabled && q->call_fd >= 0;
		bool want_irqfd = live && vp_msix_enabled(vp) &&
				  v < vp->nr_vectors && !vp_vector_masked(vp, v);
		bool want_poll = live && !want_irqfd;
		unsigned int gsi = vp->gsi_base + v;
		int ret;

		if (q->irqfd_on && (!want_irqfd || q->irqfd_gsi != gsi)) {
			vmm_irqfd(vp->vm, q->call_fd, q->irqfd_gsi, false);
			q->irqfd_on = false;
		}
		if (want_irqfd && !q->irqfd_on) {
			uint64_t n;

			ret = vmm_irqfd(vp->vm, q->call_fd, gsi, true);
			if (ret) {
				vmm_warn("virtio-pci %02x: irqfd for queue %u: %s; polling it",
					 vp->pci.slot, i, strerror(-ret));
				want_poll = true;
			} else {
				q->irqfd_on = true;
				q->irqfd_gsi = gsi;
				/* A signal that came while nobody listened. */
				if (vp->vm->vm_fd >= 0 &&
				    read(q->call_fd, &n, sizeof(n)) == sizeof(n))
					vp_interrupt(vp, v, 1);
			}
		}
		if (want_poll && q->call_ev.fd < 0) {
			q->call_ev.fn = vp_call_event;
			q->call_ev.opaque = q;
			ret = vmm_event_add(vp->vm, &q->call_ev, q->call_fd,
					    EPOLLIN);
			if (ret)
				vmm_err("virtio-pci %02x: polling queue %u: %s",
					vp->pci.slot, i, strerror(-ret));
		}
		if (!want_poll && q->call_ev.fd >= 0)
			vmm_event_del(vp->vm, &q->call_ev);
	}
}

/* Each kick eventfd on a KVM ioeventfd at its queue's notify address. */
static void vp_sync_ioeventfds(struct vmm_virtio_pci *vp)
{
	uint64_t bar = vp->pci.bar_active[0];
	uint32_t len = vp->vm->ioeventfd_any_len ? 0 : 2;
	unsigned int i;

	for (i = 0; i < vp->nr_queues; i++) {
		struct vmm_virtq *q = &vp->vq[i];
		uint64_t want = 0;
		int ret;

		if (q->kick_fd >= 0 && bar)
			want = bar + VMM_VIRTIO_NOTIFY +
			       (uint64_t)i * VMM_VIRTIO_NOTIFY_MULT;
		if (q->ioeventfd_addr == want)
			continue;
		if (q->ioeventfd_addr) {
			vmm_ioeventfd(vp->vm, q->ioeventfd_addr, len, q->kick_fd,
				      false);
			q->ioeventfd_addr = 0;
		}
		if (!want)
			continue;
		ret = vmm_ioeventfd(vp->vm, want, len, q->kick_fd, true);
		if (ret)
			vmm_warn("virtio-pci %02x: ioeventfd for queue %u: %s; kicks take the slow path",
				 vp->pci.slot, i, strerror(-ret));
		else
			q->ioeventfd_addr = want;
	}
}

void vmm_virtio_pci_rewire(struct vmm_virtio_pci *vp)
{
	unsigned int i;

	/* Drop the old wiring first: the fds may have been replaced. */
	for (i = 0; i < vp->nr_queues; i++) {
		struct vmm_virtq *q = &vp->vq[i];

		if (q->irqfd_on) {
			vmm_irqfd(vp->vm, q->call_fd, q->irqfd_gsi, false);
			q->irqfd_on = false;
		}
		vmm_event_del(vp->vm, &q->call_ev);
	}
	vp_sync_ioeventfds(vp);
	vp_sync_irqfds(vp);
}

static void vp_msix_update(struct vmm_virtio_pci *vp)
{
	bool on = vp_msix_enabled(vp);
	unsigned int v;

	for (v = 0; v < vp->nr_vectors; v++) {
		const struct vmm_msix_entry *e = &vp->msix[v];
		int ret;

		ret = vmm_irq_route_msi(vp->vm, vp->gsi_base + v,
					(uint64_t)e->addr_hi << 32 | e->addr_lo,
					e->data, on);
		if (ret)
			vmm_warn("virtio-pci %02x: MSI route for vector %u: %s",
				 vp->pci.slot, v, strerror(-ret));
	}
	vp_sync_irqfds(vp);
	for (v = 0; on && v < vp->nr_vectors; v++) {
		if ((vp->msix_pending >> v & 1) && !vp_vector_masked(vp, v)) {
			vp->msix_pending &= ~(1ULL << v);
			vp_msix_fire(vp, (uint16_t)v);
		}
	}
	vp_intx_update(vp);
}

static void vp_reset(struct vmm_virtio_pci *vp)
{
	unsigned int i;

	if (vp->ops->reset)
		vp->ops->reset(vp->dev);
	vp->driver_features = 0;
	vp->dfselect = vp->gfselect = 0;
	vp->status = 0;
	vp->isr = 0;
	vp->config_vector = VMM_VIRTIO_NO_VECTOR;
	vp->queue_sel = 0;
	vp->msix_pending = 0;
	for (i = 0; i < vp->nr_queues; i++) {
		struct vmm_virtq *q = &vp->vq[i];

		q->size = vp->max_queue_size;
		q->msix_vector = VMM_VIRTIO_NO_VECTOR;
		q->enabled = 0;
		q->desc = q->avail = q->used = 0;
	}
	vp_sync_irqfds(vp);
	vp_intx_update(vp);
}

void vmm_virtio_pci_fail(struct vmm_virtio_pci *vp, const char *why)
{
	vp_guest_error(vp, why);
	if (vp->status & VMM_VIRTIO_S_NEEDS_RESET)
		return;
	if ((vp->status & VMM_VIRTIO_S_DRIVER_OK) && vp->ops->reset)
		vp->ops->reset(vp->dev);
	vp->status |= VMM_VIRTIO_S_NEEDS_RESET;
	vp_sync_irqfds(vp);
	vmm_virtio_pci_config_changed(vp);
	vmm_warn("virtio-pci %02x: device stopped, needs a reset by the driver",
		 vp->pci.slot);
}

static void vp_set_status(struct vmm_virtio_pci *vp, uint8_t v)
{
	uint8_t old = vp->status, set = (uint8_t)(v & ~old);
	int ret;

	if (v == 0) {
		vp_reset(vp);
		return;
	}
	if (old & ~v & ~VMM_VIRTIO_S_NEEDS_RESET) {
		vp_guest_error(vp, "status bits cleared without a reset");
		return;
	}
	v &= (uint8_t)~VMM_VIRTIO_S_NEEDS_RESET;
	if (set & VMM_VIRTIO_S_FEATURES_OK) {
		if (vp->driver_features & ~vp->device_features) {
			vp_guest_error(vp, "driver accepted features the device does not offer");
			v &= (uint8_t)~VMM_VIRTIO_S_FEATURES_OK;
		} else if (!vmm_virtio_pci_feature(vp, VMM_VIRTIO_F_VERSION_1)) {
			vp_guest_error(vp, "driver did not accept VIRTIO_F_VERSION_1 (legacy drivers are not supported)");
			v &= (uint8_t)~VMM_VIRTIO_S_FEATURES_OK;
		} else if (vp->ops->set_features &&
			   vp->ops->set_features(vp->dev, vp->driver_features)) {
			v &= (uint8_t)~VMM_VIRTIO_S_FEATURES_OK;
		}
	}
	vp->status = (uint8_t)(v | (old & VMM_VIRTIO_S_NEEDS_RESET));
	if (set & VMM_VIRTIO_S_DRIVER_OK) {
		if (!(v & VMM_VIRTIO_S_FEATURES_OK)) {
			vmm_virtio_pci_fail(vp, "DRIVER_OK without FEATURES_OK");
			return;
		}
		if (vp->status & VMM_VIRTIO_S_NEEDS_RESET)
			return;
		ret = vp->ops->start ? vp->ops->start(vp->dev) : 0;
		if (ret) {
			/* start() stopped whatever it had begun. */
			vp->status |= VMM_VIRTIO_S_NEEDS_RESET;
			vmm_virtio_pci_config_changed(vp);
			vmm_warn("virtio-pci %02x: start failed (%s), device needs a reset",
				 vp->pci.slot, strerror(-ret));
		}
		vp_sync_irqfds(vp);
	}
	if (set & VMM_VIRTIO_S_FAILED)
		vmm_warn("virtio-pci %02x: the driver gave up on the device",
			 vp->pci.slot);
}

static struct vmm_virtq *vp_selected(struct vmm_virtio_pci *vp)
{
	return vp->queue_sel < vp->nr_queues ? &vp->vq[vp->queue_sel] : NULL;
}

static void vp_common_image(struct vmm_virtio_pci *vp, uint8_t *img)
{
	struct vmm_virtq *q = vp_selected(vp);

	memset(img, 0, VMM_VIRTIO_COMMON_SIZE);
	vp_put32(img + 0x00, vp->dfselect);
	vp_put32(img + 0x04, vp->dfselect < 2 ? (uint32_t)(vp->device_features >> (32 * vp->dfselect)) : 0);
	vp_put32(img + 0x08, vp->gfselect);
	vp_put32(img + 0x0c, vp->gfselect < 2 ? (uint32_t)(vp->driver_features >> (32 * vp->gfselect)) : 0);
	vp_put16(img + 0x10, vp->config_vector);
	vp_put16(img + 0x12, (uint16_t)vp->nr_queues);
	img[0x14] = vp->status;
	img[0x15] = vp->config_gen;
	vp_put16(img + 0x16, vp->queue_sel);
	if (!q)
		return;
	vp_put16(img + 0x18, q->size);
	vp_put16(img + 0x1a, q->msix_vector);
	vp_put16(img + 0x1c, q->enabled);
	vp_put16(img + 0x1e, (uint16_t)q->index);
	vp_put64(img + 0x20, q->desc);
	vp_put64(img + 0x28, q->avail);
	vp_put64(img + 0x30, q->used);
}

static uint16_t vp_check_vector(struct vmm_virtio_pci *vp, uint16_t v)
{
	/* A vector the device cannot map reads back as NO_VECTOR. */
	if (v != VMM_VIRTIO_NO_VECTOR && v >= vp->nr_vectors) {
		vp_guest_error(vp, "MSI-X vector out of range");
		return VMM_VIRTIO_NO_VECTOR;
	}
	return v;
}

static void vp_common_write(struct vmm_virtio_pci *vp, uint32_t off,
			    const uint8_t *data, uint32_t len)
{
	uint8_t img[VMM_VIRTIO_COMMON_SIZE];
	bool running = vp->status & VMM_VIRTIO_S_DRIVER_OK;
	struct vmm_virtq *q;

	vp_common_image(vp, img);
	memcpy(img + off, data, len);
	q = vp_selected(vp);

	if (vp_touches(off, len, 0x00, 4))
		vp->dfselect = vp_get32(img + 0x00);
	if (vp_touches(off, len, 0x08, 4))
		vp->gfselect = vp_get32(img + 0x08);
	if (vp_touches(off, len, 0x0c, 4)) {
		if (vp->status & VMM_VIRTIO_S_FEATURES_OK) {
			vp_guest_error(vp, "features written after FEATURES_OK");
		} else if (vp->gfselect < 2) {
			uint64_t mask = 0xffffffffULL << (32 * vp->gfselect);

			vp->driver_features = (vp->driver_features & ~mask) |
				((uint64_t)vp_get32(img + 0x0c) << (32 * vp->gfselect));
		}
	}
	if (vp_touches(off, len, 0x10, 2)) {
		vp->config_vector = vp_check_vector(vp, vp_get16(img + 0x10));
	}
	if (vp_touches(off, len, 0x16, 2))
		vp->queue_sel = vp_get16(img + 0x16);
	if (vp_touches(off, len, 0x18, 0x20) && !q) {
		vp_guest_error(vp, "queue register written for a queue that does not exist");
		q = NULL;
	}
	if (q && vp_touches(off, len, 0x18, 2)) {
		uint16_t n = vp_get16(img + 0x18);

		if (running || q->enabled)
			vp_guest_error(vp, "queue size written on a live queue");
		else if (!n || n > vp->max_queue_size || (n & (n - 1)))
			vp_guest_error(vp, "queue size not a power of 2 up to the maximum");
		else
			q->size = n;
	}
	if (q && vp_touches(off, len, 0x1a, 2)) {
		q->msix_vector = vp_check_vector(vp, vp_get16(img + 0x1a));
		vp_sync_irqfds(vp);
	}
	if (q && vp_touches(off, len, 0x1c, 2)) {
		uint16_t en = vp_get16(img + 0x1c);

		if (en == 1 && !running)
			q->enabled = 1;
		else if (en != q->enabled)
			vp_guest_error(vp, "queue_enable: only 1, before DRIVER_OK");
	}
	if (q && vp_touches(off, len, 0x20, 0x18)) {
		if (q->enabled || running) {
			vp_guest_error(vp, "ring address written on a live queue");
		} else {
			q->desc = vp_get64(img + 0x20);
			q->avail = vp_get64(img + 0x28);
			q->used = vp_get64(img + 0x30);
		}
	}
	/* Status last: a write that also touched other fields has set
	 * them first, as a driver writing them in order would have. */
	if (vp_touches(off, len, 0x14, 1))
		vp_set_status(vp, img[0x14]);
}

/* The slow path of a notification: no ioeventfd caught it. */
static void vp_kick(int fd)
{
	uint64_t one = 1;

	if (write(fd, &one, sizeof(one)) < 0)
		vmm_dbg("kick: %s", strerror(errno));
}

static void vp_bar0(struct vmm_virtio_pci *vp, uint64_t off, uint8_t *data,
		    uint32_t len, bool write)
{
	if (off < VMM_VIRTIO_COMMON + VMM_VIRTIO_COMMON_SIZE) {
		uint8_t img[VMM_VIRTIO_COMMON_SIZE];

		if (off + len > VMM_VIRTIO_COMMON_SIZE) {
			vp_guest_error(vp, "common config access past its end");
			goto bad;
		}
		if (write) {
			vp_common_write(vp, (uint32_t)off, data, len);
		} else {
			vp_common_image(vp, img);
			memcpy(data, img + off, len);
		}
		return;
	}
	if (off >= VMM_VIRTIO_ISR && off < VMM_VIRTIO_ISR + 4) {
		if (write)
			return;
		memset(data, 0, len);
		if (off == VMM_VIRTIO_ISR) {
			/* Reading ISR acknowledges it. */
			data[0] = vp->isr;
			vp->isr = 0;
			vp_intx_update(vp);
		}
		return;
	}
	if (off >= VMM_VIRTIO_DEVCFG &&
	    off < VMM_VIRTIO_DEVCFG + VMM_VIRTIO_DEVCFG_SIZE) {
		uint32_t o = (uint32_t)(off - VMM_VIRTIO_DEVCFG);

		if (o + len > VMM_VIRTIO_DEVCFG_SIZE)
			goto bad;
		if (vp->ops->config)
			vp->ops->config(vp->dev, o, data, len, write);
		else if (!write)
			memset(data, 0, len);
		return;
	}
	if (off >= VMM_VIRTIO_NOTIFY &&
	    off < VMM_VIRTIO_NOTIFY +
			  (uint64_t)vp->nr_queues * VMM_VIRTIO_NOTIFY_MULT) {
		unsigned int qi = (unsigned int)((off - VMM_VIRTIO_NOTIFY) /
						 VMM_VIRTIO_NOTIFY_MULT);
		struct vmm_virtq *q = &vp->vq[qi];
		if (!write) {
			memset(data, 0, len);
			return;
		}
		if (!(vp->status & VMM_VIRTIO_S_DRIVER_OK) ||
		    (vp->status & VMM_VIRTIO_S_NEEDS_RESET) || !q->enabled) {
			vp_guest_error(vp, "notify of a queue that is not running");
			return;
		}
		if (q->kick_fd >= 0) {
			vp_kick(q->kick_fd);
		} else if (vp->ops->notify) {
			vp->ops->notify(vp->dev, qi);
		}
		return;
	}
bad:
	if (!write)
		memset(data, 0xff, len);
	vp_guest_error(vp, "BAR0 access outside any register");
}

static void vp_bar1(struct vmm_virtio_pci *vp, uint64_t off, uint8_t *data,
		    uint32_t len, bool write)
{
	if ((len != 4 && len != 8) || (off & (len - 1))) {
		vp_guest_error(vp, "MSI-X access not 4 or 8 bytes, aligned");
		goto bad;
	}
	if (off < (uint64_t)vp->nr_vectors * 16) {
		uint32_t *e = (uint32_t *)&vp->msix[off / 16];
		unsigned int w = (unsigned int)(off % 16) / 4, i;

		for (i = 0; i < len / 4; i++, w++) {
			if (!write) {
				memcpy(data + 4 * i, &e[w], 4);
				continue;
			}
			memcpy(&e[w], data + 4 * i, 4);
			if (w == 3)
				e[w] &= 1;
		}
		if (write)
			vp_msix_update(vp);
		return;
	}
	if (off >= VMM_VIRTIO_PBA && off < VMM_VIRTIO_PBA + 8) {
		if (!write) {
			uint64_t p = vp->msix_pending;

			memcpy(data, (uint8_t *)&p + (off - VMM_VIRTIO_PBA),
			       len);
		}
		return;
	}
bad:
	if (!write)
		memset(data, 0xff, len);
	if (len == 4 || len == 8)
		vp_guest_error(vp, "BAR1 access outside the MSI-X table and PBA");
}

static void vp_bar_access(struct vmm_pci_dev *d, unsigned int bar,
			  uint64_t off, uint8_t *data, uint32_t len, bool write)
{
	struct vmm_virtio_pci *vp = d->opaque;

	if (bar == 0)
		vp_bar0(vp, off, data, len, write);
	else if (bar == 1)
		vp_bar1(vp, off, data, len, write);
	else if (!write)
		memset(data, 0xff, len);
}

/*
 * VIRTIO_PCI_CAP_PCI_CFG: a window into the BARs through config space,
 * for firmware that cannot map BARs.  cap + 4: bar, + 8: offset,
 * + 12: length, + 16: data.
 */
static bool vp_cfg_window(struct vmm_virtio_pci *vp, unsigned int *bar,
			  uint32_t *off, uint32_t *len)
{
	uint8_t c = vp->cfg_cap;

	*bar = vp->pci.cfg[c + 4];
	*off = vmm_pci_cfg32(&vp->pci, c + 8u);
	*len = vmm_pci_cfg32(&vp->pci, c + 12u);
	if (*bar >= VMM_PCI_NR_BARS || !vp->pci.bar_size[*bar] ||
	    (*len != 1 && *len != 2 && *len != 4) || (*off & (*len - 1)) ||
	    *off > vp->pci.bar_size[*bar] - *len) {
		vp_guest_error(vp, "bad VIRTIO_PCI_CAP_PCI_CFG window");
		return false;
	}
	return true;
}

static void vp_cfg_read(struct vmm_pci_dev *d, uint32_t off, uint32_t len)
{
	struct vmm_virtio_pci *vp = d->opaque;
	uint32_t boff, blen;
	unsigned int bar;

	if (!vp_touches(off, len, vp->cfg_cap + 16u, 4))
		return;
	memset(d->cfg + vp->cfg_cap + 16, 0, 4);
	if (vp_cfg_window(vp, &bar, &boff, &blen))
		vp_bar_access(d, bar, boff, d->cfg + vp->cfg_cap + 16, blen,
			      false);
}

static void vp_cfg_written(struct vmm_pci_dev *d, uint32_t off, uint32_t len)
{
	struct vmm_virtio_pci *vp = d->opaque;
	uint32_t boff, blen;
	unsigned int bar;

	if (vp_touches(off, len, vp->cfg_cap + 16u, 4) &&
	    vp_cfg_window(vp, &bar, &boff, &blen)) {
		uint8_t buf[4];

		memcpy(buf, d->cfg + vp->cfg_cap + 16, 4);
		vp_bar_access(d, bar, boff, buf, blen, true);
	}
	if (vp_touches(off, len, vp->msix_cap + 2u, 2) ||
	    vp_touches(off, len, VMM_PCI_COMMAND, 2))
		vp_msix_update(vp);
}

static void vp_bars_changed(struct vmm_pci_dev *d)
{
	vp_sync_ioeventfds(d->opaque);
}

static const struct vmm_pci_dev_ops vp_pci_ops = {
	.bar_access = vp_bar_access,
	.cfg_read = vp_cfg_read,
	.cfg_written = vp_cfg_written,
	.bars_changed = vp_bars_changed,
};

static uint8_t vp_add_vcap(struct vmm_virtio_pci *vp, uint8_t type,
			   uint8_t len, uint32_t off, uint32_t size)
{
	uint8_t c = vmm_pci_dev_add_cap(&vp->pci, VMM_PCI_CAP_VNDR, len);

	if (!c)
		return 0;
	vp->pci.cfg[c + 2] = len;
	vp->pci.cfg[c + 3] = type;
	vp->pci.cfg[c + 4] = 0;		/* BAR0 */
	vmm_pci_set32(&vp->pci, c + 8u, off);
	vmm_pci_set32(&vp->pci, c + 12u, size);
	return c;
}

int vmm_virtio_pci_init(struct vmm_virtio_pci *vp, struct vmm *vm,
			uint16_t device_type, uint16_t subsys,
			uint32_t class_code, unsigned int nr_queues,
			uint16_t max_queue_size, uint64_t device_features,
			const struct vmm_virtio_ops *ops, void *dev)
{
	unsigned int i;
	uint8_t c;
	int ret;

	if (!nr_queues || nr_queues > VMM_VIRTIO_MAX_QUEUES)
		return -EINVAL;
	memset(vp, 0, sizeof(*vp));
	vp->vm = vm;
	vp->ops = ops;
	vp->dev = dev;
	vp->nr_queues = nr_queues;
	vp->max_queue_size = max_queue_size;
	vp->device_features = device_features | 1ULL << VMM_VIRTIO_F_VERSION_1;
	vp->nr_vectors = nr_queues + 1;
	vp->gsi_base = vmm_irq_alloc_gsi(vm, vp->nr_vectors);
	if (!vp->gsi_base)
		return -ENOSPC;
	for (i = 0; i < nr_queues; i++) {
		vp->vq[i].vp = vp;
		vp->vq[i].index = i;
		vp->vq[i].kick_fd = -1;
		vp->vq[i].call_fd = -1;
		vp->vq[i].call_ev.fd = -1;
	}
	for (i = 0; i < vp->nr_vectors; i++)
		vp->msix[i].ctrl = 1;	/* masked at reset */

	vmm_pci_dev_init(&vp->pci, VMM_PCI_VENDOR_VIRTIO, 0x1040 + device_type,
			 class_code, subsys, &vp_pci_ops, vp);
	ret = vmm_pci_dev_add_bar(&vp->pci, 0, VMM_VIRTIO_BAR_SIZE);
	if (!ret)
		ret = vmm_pci_dev_add_bar(&vp->pci, 1, VMM_VIRTIO_MSIX_BAR_SIZE);
	if (ret)
		return ret;

	if (!vp_add_vcap(vp, VMM_VIRTIO_CAP_COMMON, 16, VMM_VIRTIO_COMMON,
			 VMM_VIRTIO_COMMON_SIZE))
		return -ENOSPC;
	c = vp_add_vcap(vp, VMM_VIRTIO_CAP_NOTIFY, 20, VMM_VIRTIO_NOTIFY,
			nr_queues * VMM_VIRTIO_NOTIFY_MULT);
	if (!c)
		return -ENOSPC;
	vmm_pci_set32(&vp->pci, c + 16u, VMM_VIRTIO_NOTIFY_MULT);
	if (!vp_add_vcap(vp, VMM_VIRTIO_CAP_ISR, 16, VMM_VIRTIO_ISR, 4) ||
	    !vp_add_vcap(vp, VMM_VIRTIO_CAP_DEVICE, 16, VMM_VIRTIO_DEVCFG,
			 VMM_VIRTIO_DEVCFG_SIZE))
		return -ENOSPC;
	c = vp_add_vcap(vp, VMM_VIRTIO_CAP_PCI_CFG, 20, 0, 0);
	if (!c)
		return -ENOSPC;
	vp->cfg_cap = c;
	vp->pci.wmask[c + 4] = 0xff;
	memset(vp->pci.wmask + c + 8, 0xff, 12);

	c = vmm_pci_dev_add_cap(&vp->pci, VMM_PCI_CAP_MSIX, 12);
	if (!c)
		return -ENOSPC;
	vp->msix_cap = c;
	vmm_pci_set16(&vp->pci, c + 2u, (uint16_t)(vp->nr_vectors - 1));
	vp->pci.wmask[c + 3] = VMM_MSIX_ENABLE | VMM_MSIX_MASKALL;
	vmm_pci_set32(&vp->pci, c + 4u, 0 | 1);			/* BAR1 + 0 */
	vmm_pci_set32(&vp->pci, c + 8u, VMM_VIRTIO_PBA | 1);	/* BAR1 + 0x800 */

	vp_reset(vp);
	return 0;
}

void vmm_virtio_pci_destroy(struct vmm_virtio_pci *vp)
{
	unsigned int i;

	for (i = 0; i < vp->nr_queues; i++) {
		struct vmm_virtq *q = &vp->vq[i];

		if (q->irqfd_on)
			vmm_irqfd(vp->vm, q->call_fd, q->irqfd_gsi, false);
		q->irqfd_on = false;
		vmm_event_del(vp->vm, &q->call_ev);
		if (q->ioeventfd_addr)
			vmm_ioeventfd(vp->vm, q->ioeventfd_addr,
				      vp->vm->ioeventfd_any_len ? 0 : 2,
				      q->kick_fd, false);
		q->ioeventfd_addr = 0;
	}
}
