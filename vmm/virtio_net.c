// SPDX-License-Identifier: BSD-3-Clause
/*
 * virtio-net device model: config space, control queue and the vhost-user
 * backend's life cycle.  Runs under vm->lock on vCPU threads (register
 * accesses, control queue kicks) and on the main thread (backend lost,
 * reconnect timer).
 *
 * The backend gets the data rings at DRIVER_OK: SET_FEATURES, the memory
 * table (the guest RAM memfd), then per ring NUM, BASE, ADDR, KICK, CALL,
 * and ENABLE for the active queue pairs.  When the backend goes away the
 * link goes down; a timer reconnects, re-sends all of it with each ring's
 * base taken from the guest's used index, and the link comes back up: the
 * guest keeps running.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "virtio_net.h"

#define VMM_NET_RECONNECT_MS 200

#define VIRTIO_NET_OK 0
#define VIRTIO_NET_ERR 1
#define VIRTIO_NET_CTRL_MQ 4
#define VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET 0

static void vmm_net_disconnect(struct vmm_net *n, const char *why);

static bool vmm_net_is_conn_error(int err)
{
	return err == -EPIPE || err == -ECONNRESET || err == -ENOTCONN ||
	       err == -ETIMEDOUT || err == -EPROTO;
}

/* ---- config space ---- */

static void vmm_net_config_rw(void *dev, uint32_t off, uint8_t *data,
			      uint32_t len, bool write)
{
	struct vmm_net *n = dev;
	uint8_t img[VMM_VIRTIO_DEVCFG_SIZE];
	uint16_t status = n->link_up ? VMM_NET_S_LINK_UP : 0;
	uint16_t pairs = (uint16_t)n->max_pairs;

	if (write) {
		/* All of virtio-net's config is read-only in virtio 1.x. */
		vmm_log_guest("%s: write to read-only config at 0x%x", n->name,
			      off);
		return;
	}
	memset(img, 0, sizeof(img));
	memcpy(img, n->mac, 6);
	memcpy(img + 6, &status, 2);
	memcpy(img + 8, &pairs, 2);
	memcpy(data, img + off, len);
}

/* ---- backend rings ---- */

static int vmm_net_enable_rings(struct vmm_net *n)
{
	unsigned int q;
	int ret;

	/* Without protocol features the rings start enabled. */
	if (!(n->vu.features & (1ULL << VHOST_USER_F_PROTOCOL_FEATURES)))
		return 0;
	for (q = 0; q < n->nr_data_queues; q++) {
		if (!n->vring_started[q])
			continue;
		ret = vmm_vhost_user_set_vring(&n->vu, VHOST_USER_SET_VRING_ENABLE,
					       q, q < 2 * n->cur_pairs);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * Hands the rings to the backend.  resume: after a reconnect, each ring
 * resumes at the guest's used index (what the old backend completed).
 */
static int vmm_net_backend_start(struct vmm_net *n, bool resume)
{
	struct vmm_mem *mem = &n->vm->mem;
	uint64_t one = 1;
	unsigned int q;
	int ret;

	ret = vmm_vhost_user_set_features(&n->vu, n->acked &
					  VMM_NET_DATAPATH_FEATURES);
	if (ret)
		return ret;
	ret = vmm_vhost_user_set_mem_table(&n->vu, mem);
	if (ret)
		return ret;
	for (q = 0; q < n->nr_data_queues; q++) {
		struct vmm_virtq *vq = &n->vp.vq[q];
		uint16_t base = 0;
		uint8_t *used;

		if (!vq->enabled)
			continue;
		used = vmm_mem_ptr(mem, vq->used, vmm_vring_used_bytes(vq->size));
		if (resume && used)
			memcpy(&base, used + 2, 2);
		n->vring_started[q] = true;
		ret = vmm_vhost_user_set_vring(&n->vu, VHOST_USER_SET_VRING_NUM,
					       q, vq->size);
		if (!ret)
			ret = vmm_vhost_user_set_vring(&n->vu,
						       VHOST_USER_SET_VRING_BASE,
						       q, base);
		if (!ret)
			ret = vmm_vhost_user_set_vring_addr(
				&n->vu, q,
				(uint64_t)(uintptr_t)vmm_mem_ptr(mem, vq->desc, 1),
				(uint64_t)(uintptr_t)used,
				(uint64_t)(uintptr_t)vmm_mem_ptr(mem, vq->avail, 1));
		if (!ret)
			ret = vmm_vhost_user_set_vring_fd(&n->vu,
							  VHOST_USER_SET_VRING_KICK,
							  q, n->kick_fd[q]);
		if (!ret)
			ret = vmm_vhost_user_set_vring_fd(&n->vu,
							  VHOST_USER_SET_VRING_CALL,
							  q, n->call_fd[q]);
		if (ret)
			return ret;
	}
	ret = vmm_net_enable_rings(n);
	if (ret)
		return ret;
	n->backend_live = true;
	/* Let the backend look at what the guest queued meanwhile. */
	for (q = 0; q < n->nr_data_queues; q++)
		if (n->vring_started[q] &&
		    write(n->kick_fd[q], &one, sizeof(one)) < 0)
			vmm_dbg("%s: kick %u: %s", n->name, q, strerror(errno));
	return 0;
}

static void vmm_net_backend_stop(struct vmm_net *n)
{
	unsigned int q;
	uint64_t v;

	if (n->backend_live && n->vu.fd >= 0) {
		bool acks = n->vu.features &
			    (1ULL << VHOST_USER_F_PROTOCOL_FEATURES);
		int ret = 0;

		for (q = 0; q < n->nr_data_queues && !ret; q++) {
			if (!n->vring_started[q])
				continue;
			if (acks)
				ret = vmm_vhost_user_set_vring(
					&n->vu, VHOST_USER_SET_VRING_ENABLE, q, 0);
			if (!ret)
				ret = vmm_vhost_user_get_vring_base(&n->vu, q,
								    NULL);
		}
		if (ret && vmm_net_is_conn_error(ret))
			vmm_net_disconnect(n, "lost while stopping the rings");
	}
	for (q = 0; q < n->nr_data_queues; q++) {
		n->vring_started[q] = false;
		/* Stale kicks and calls from before the reset. */
		while (read(n->kick_fd[q], &v, sizeof(v)) > 0)
			;
		while (read(n->call_fd[q], &v, sizeof(v)) > 0)
			;
	}
	n->backend_live = false;
}

/* ---- virtio ops ---- */

static int vmm_net_set_features(void *dev, uint64_t f)
{
	struct vmm_net *n = dev;

	n->acked = f;
	return 0;
}

static int vmm_net_check_ring(struct vmm_net *n, unsigned int q)
{
	struct vmm_virtq *vq = &n->vp.vq[q];
	struct vmm_vring r;
	const char *why = NULL;
	char msg[96];

	if (!vmm_vring_setup(&r, &n->vm->mem, vq->size, vq->desc, vq->avail,
			     vq->used, false, false, &why))
		return 0;
	snprintf(msg, sizeof(msg), "%s: queue %u: %s", n->name, q, why);
	vmm_log_guest("%s", msg);
	return -EINVAL;
}

static int vmm_net_start(void *dev)
{
	struct vmm_net *n = dev;
	unsigned int q;
	int ret;

	for (q = 0; q < n->vp.nr_queues; q++) {
		if (!n->vp.vq[q].enabled)
			continue;
		ret = vmm_net_check_ring(n, q);
		if (ret)
			return ret;
	}
	if (n->ctrl_queue != ~0u) {
		struct vmm_virtq *vq = &n->vp.vq[n->ctrl_queue];
		const char *why;

		memset(&n->ctrl, 0, sizeof(n->ctrl));
		if (vq->enabled &&
		    vmm_vring_setup(&n->ctrl, &n->vm->mem, vq->size, vq->desc,
				    vq->avail, vq->used,
				    vmm_virtio_pci_feature(&n->vp, VMM_F_RING_EVENT_IDX),
				    vmm_virtio_pci_feature(&n->vp, VMM_F_RING_INDIRECT_DESC),
				    &why)) {
			vmm_log_guest("%s: control queue: %s", n->name, why);
			return -EINVAL;
		}
	}
	if (!n->vp.vq[0].enabled)
		vmm_log_guest("%s: DRIVER_OK with queue 0 disabled", n->name);
	n->cur_pairs = 1;
	n->started = true;
	if (!n->has_backend || n->vu.fd < 0)
		return 0;	/* the reconnect hands over the rings */
	ret = vmm_net_backend_start(n, false);
	if (ret && vmm_net_is_conn_error(ret)) {
		vmm_net_disconnect(n, "lost while starting the rings");
		return 0;
	}
	if (ret) {
		vmm_net_backend_stop(n);
		n->started = false;
	}
	return ret;
}

static void vmm_net_reset(void *dev)
{
	struct vmm_net *n = dev;

	vmm_net_backend_stop(n);
	n->started = false;
	n->acked = 0;
	n->cur_pairs = 1;
	memset(&n->ctrl, 0, sizeof(n->ctrl));
}

static uint8_t vmm_net_ctrl_cmd(struct vmm_net *n, const uint8_t *req,
				size_t len)
{
	uint16_t pairs;
	unsigned int old;

	n->ctrl_cmds++;
	if (len < 2)
		return VIRTIO_NET_ERR;
	if (req[0] != VIRTIO_NET_CTRL_MQ ||
	    req[1] != VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET || len < 4) {
		vmm_log_guest("%s: control command %u.%u not supported",
			      n->name, req[0], req[1]);
		return VIRTIO_NET_ERR;
	}
	memcpy(&pairs, req + 2, 2);
	if (!pairs || pairs > n->max_pairs) {
		vmm_log_guest("%s: %u queue pairs asked, %u offered", n->name,
			      pairs, n->max_pairs);
		return VIRTIO_NET_ERR;
	}
	old = n->cur_pairs;
	n->cur_pairs = pairs;
	if (n->backend_live) {
		int ret = vmm_net_enable_rings(n);

		if (ret && vmm_net_is_conn_error(ret)) {
			/* The reconnect enables cur_pairs. */
			vmm_net_disconnect(n, "lost while enabling rings");
		} else if (ret) {
			n->cur_pairs = old;
			return VIRTIO_NET_ERR;
		}
	}
	vmm_dbg("%s: %u queue pairs", n->name, pairs);
	return VIRTIO_NET_OK;
}

/* The control queue: vCPU thread, from the notify register. */
static void vmm_net_ctrl_process(struct vmm_net *n)
{
	uint16_t old_used = n->ctrl.used_idx;
	struct vmm_vring_chain c;
	const char *why = NULL;
	bool pushed = false;
	int ret;

	while ((ret = vmm_vring_pop(&n->ctrl, &c, &why)) == 1) {
		uint8_t req[64];
		size_t rl = 0;
		uint8_t *ack = NULL;
		unsigned int i;

		for (i = 0; i < c.n; i++) {
			if (c.iov[i].write) {
				if (!ack && c.iov[i].len)
					ack = c.iov[i].p;
				continue;
			}
			if (rl < sizeof(req)) {
				size_t k = c.iov[i].len;

				if (k > sizeof(req) - rl)
					k = sizeof(req) - rl;
				memcpy(req + rl, c.iov[i].p, k);
				rl += k;
			}
		}
		if (!ack) {
			vmm_virtio_pci_fail(&n->vp, "control request without room for the ack");
			return;
		}
		*ack = vmm_net_ctrl_cmd(n, req, rl);
		if (!n->started)	/* failed meanwhile */
			return;
		vmm_vring_push(&n->ctrl, c.head, 1);
		pushed = true;
	}
	if (ret < 0) {
		char msg[96];

		snprintf(msg, sizeof(msg), "%s: control queue: %s", n->name, why);
		vmm_virtio_pci_fail(&n->vp, msg);
		return;
	}
	if (pushed && vmm_vring_should_notify(&n->ctrl, old_used))
		vmm_virtio_pci_queue_signal(&n->vp, n->ctrl_queue);
}

static void vmm_net_notify(void *dev, unsigned int q)
{
	struct vmm_net *n = dev;

	if (q == n->ctrl_queue && n->started && n->ctrl.size)
		vmm_net_ctrl_process(n);
}

static const struct vmm_virtio_ops vmm_net_ops = {
	.set_features = vmm_net_set_features,
	.config = vmm_net_config_rw,
	.start = vmm_net_start,
	.reset = vmm_net_reset,
	.notify = vmm_net_notify,
};

/* ---- backend connection: lost, reconnect ---- */

static void vmm_net_arm_timer(struct vmm_net *n, unsigned int ms)
{
	struct itimerspec its = {
		.it_value = { .tv_sec = ms / 1000,
			      .tv_nsec = (long)(ms % 1000) * 1000000L },
	};

	if (n->timer_fd >= 0)
		timerfd_settime(n->timer_fd, 0, &its, NULL);
}

static void vmm_net_set_link(struct vmm_net *n, bool up)
{
	if (n->link_up == up)
		return;
	n->link_up = up;
	if (vmm_virtio_pci_feature(&n->vp, VMM_NET_F_STATUS))
		vmm_virtio_pci_config_changed(&n->vp);
}

/* vm->lock held.  The backend is gone: link down, try again later. */
static void vmm_net_disconnect(struct vmm_net *n, const char *why)
{
	unsigned int q;

	if (n->vu.fd < 0)
		return;
	vmm_warn("%s: vhost-user backend %s %s; reconnecting", n->name,
		 n->vu.path, why);
	vmm_event_del(n->vm, &n->vu_ev);
	vmm_vhost_user_close(&n->vu);
	for (q = 0; q < n->nr_data_queues; q++)
		n->vring_started[q] = false;
	n->backend_live = false;
	n->t_lost_ns = vmm_now_ns();
	vmm_net_set_link(n, false);
	vmm_net_arm_timer(n, VMM_NET_RECONNECT_MS);
}

/* Main thread: the socket is readable or hung up. */
static void vmm_net_vu_event(void *opaque, uint32_t events)
{
	struct vmm_net *n = opaque;
	char c;
	ssize_t r;

	(void)events;
	pthread_mutex_lock(&n->vm->lock);
	if (n->vu.fd >= 0) {
		r = recv(n->vu.fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
		if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR))
			vmm_net_disconnect(n, "closed the connection");
		else if (r > 0)
			/* Nothing is owed to us on this channel. */
			vmm_net_disconnect(n, "sent an unexpected message");
	}
	pthread_mutex_unlock(&n->vm->lock);
}

static int vmm_net_watch(struct vmm_net *n)
{
	n->vu_ev.fn = vmm_net_vu_event;
	n->vu_ev.opaque = n;
	return vmm_event_add(n->vm, &n->vu_ev, n->vu.fd, EPOLLIN | EPOLLRDHUP);
}

/* Main thread: the reconnect timer. */
static void vmm_net_timer_event(void *opaque, uint32_t events)
{
	struct vmm_net *n = opaque;
	uint64_t expirations;
	uint64_t need;
	int ret;

	(void)events;
	if (read(n->timer_fd, &expirations, sizeof(expirations)) < 0)
		return;
	pthread_mutex_lock(&n->vm->lock);
	if (n->vu.fd >= 0)
		goto out;
	n->reconnect_attempts++;
	ret = vmm_vhost_user_connect(&n->vu, 0);
	if (ret) {
		vmm_dbg("%s: reconnect: %s", n->name, strerror(-ret));
		goto retry;
	}
	need = n->acked & VMM_NET_DATAPATH_FEATURES;
	if ((n->vu.features & need) != need) {
		vmm_err("%s: the new backend at %s lacks features the guest uses (0x%llx); staying disconnected",
			n->name, n->vu.path,
			(unsigned long long)(need & ~n->vu.features));
		vmm_vhost_user_close(&n->vu);
		goto retry;
	}
	ret = vmm_net_watch(n);
	if (ret)
		goto fail;
	if (n->started && !(n->vp.status & VMM_VIRTIO_S_NEEDS_RESET)) {
		ret = vmm_net_backend_start(n, true);
		if (ret)
			goto fail;
	}
	n->reconnects++;
	vmm_net_set_link(n, true);
	vmm_info("%s: reconnected to %s after %llu ms", n->name, n->vu.path,
		 (unsigned long long)((vmm_now_ns() - n->t_lost_ns) / 1000000));
	goto out;
fail:
	vmm_net_disconnect(n, "failed the setup");
	goto out;
retry:
	vmm_net_arm_timer(n, VMM_NET_RECONNECT_MS);
out:
	pthread_mutex_unlock(&n->vm->lock);
}

/* ---- create/destroy ---- */

int vmm_net_create(struct vmm *vm, const struct vmm_net_config *cfg,
		   struct vmm_net **out)
{
	uint64_t features;
	unsigned int q, nr_queues;
	struct vmm_net *n;
	int ret;

	if (vm->nr_nets >= VMM_MAX_NICS)
		return -ENOSPC;
	if (!cfg->queue_pairs || cfg->queue_pairs > VMM_MAX_QUEUE_PAIRS)
		return -EINVAL;
	n = calloc(1, sizeof(*n));
	if (!n)
		return -ENOMEM;
	n->vm = vm;
	n->index = vm->nr_nets;
	snprintf(n->name, sizeof(n->name), "net%u", n->index);
	memcpy(n->mac, cfg->mac, 6);
	n->max_pairs = cfg->queue_pairs;
	n->cur_pairs = 1;
	n->offload = cfg->offload;
	n->timer_fd = -1;
	n->vu_ev.fd = n->timer_ev.fd = -1;
	n->ctrl_queue = ~0u;
	for (q = 0; q < 2 * VMM_MAX_QUEUE_PAIRS; q++)
		n->kick_fd[q] = n->call_fd[q] = -1;
	vmm_vhost_user_init(&n->vu, cfg->path ? cfg->path : "", n->name);
	if (cfg->reply_ms)
		n->vu.timeout_ms = cfg->reply_ms;

	if (cfg->path) {
		n->has_backend = true;
		ret = vmm_vhost_user_connect(&n->vu, cfg->connect_ms);
		if (ret) {
			if (ret == -ETIMEDOUT)
				vmm_err("%s: vhost-user backend at %s accepted the connection but did not answer within %u ms",
					n->name, cfg->path, n->vu.timeout_ms);
			else
				vmm_err("%s: no vhost-user backend at %s within %u ms: %s",
					n->name, cfg->path, cfg->connect_ms,
					strerror(-ret));
			goto err;
		}
		features = n->vu.features;
		if (!(features & (1ULL << VMM_VIRTIO_F_VERSION_1))) {
			vmm_err("%s: backend %s lacks VIRTIO_F_VERSION_1", n->name,
				cfg->path);
			ret = -ENOTSUP;
			goto err;
		}
		/* GET_QUEUE_NUM counts queue pairs for net (QEMU and DPDK). */
		if (n->vu.max_queues && n->vu.max_queues < n->max_pairs) {
			vmm_err("%s: queues=%u asked, backend %s has %u queue pairs",
				n->name, n->max_pairs, cfg->path, n->vu.max_queues);
			ret = -EINVAL;
			goto err;
		}
		if (n->max_pairs > 1 &&
		    !(n->vu.protocol_features & (1ULL << VHOST_USER_PROTOCOL_F_MQ))) {
			vmm_err("%s: queues=%u but backend %s has no multiqueue",
				n->name, n->max_pairs, cfg->path);
			ret = -EINVAL;
			goto err;
		}
		n->link_up = true;
	} else {
		/* No backend (unit tests, fuzzing): a plausible one. */
		features = (1ULL << VMM_VIRTIO_F_VERSION_1) |
			   (1ULL << VMM_NET_F_MRG_RXBUF) |
			   (1ULL << VMM_F_RING_EVENT_IDX) |
			   (1ULL << VMM_F_RING_INDIRECT_DESC) |
			   VMM_NET_OFFLOAD_FEATURES;
		n->link_up = true;
	}
	features &= VMM_NET_DATAPATH_FEATURES;
	if (!n->offload)
		features &= ~VMM_NET_OFFLOAD_FEATURES;
	features |= (1ULL << VMM_NET_F_MAC) | (1ULL << VMM_NET_F_STATUS);
	n->nr_data_queues = 2 * n->max_pairs;
	nr_queues = n->nr_data_queues;
	if (n->max_pairs > 1) {
		features |= (1ULL << VMM_NET_F_CTRL_VQ) | (1ULL << VMM_NET_F_MQ);
		n->ctrl_queue = nr_queues++;
	}
	n->offered = features;

	for (q = 0; q < n->nr_data_queues; q++) {
		n->kick_fd[q] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		n->call_fd[q] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (n->kick_fd[q] < 0 || n->call_fd[q] < 0) {
			ret = -errno;
			goto err;
		}
	}
	n->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (n->timer_fd < 0) {
		ret = -errno;
		goto err;
	}
	ret = vmm_virtio_pci_init(&n->vp, vm, VIRTIO_ID_NET_, 0x0001,
				  0x020000, nr_queues,
				  cfg->queue_size ? cfg->queue_size : 256,
				  features, &vmm_net_ops, n);
	if (ret)
		goto err;
	for (q = 0; q < n->nr_data_queues; q++) {
		n->vp.vq[q].kick_fd = n->kick_fd[q];
		n->vp.vq[q].call_fd = n->call_fd[q];
	}
	ret = vmm_pci_dev_add(vm->pci, &n->vp.pci);
	if (ret)
		goto err;
	vmm_virtio_pci_rewire(&n->vp);
	if (n->has_backend) {
		ret = vmm_net_watch(n);
		if (ret)
			goto err_pci;
		n->timer_ev.fn = vmm_net_timer_event;
		n->timer_ev.opaque = n;
		ret = vmm_event_add(vm, &n->timer_ev, n->timer_fd, EPOLLIN);
		if (ret)
			goto err_pci;
	}
	vm->nets[vm->nr_nets++] = n;
	*out = n;
	return 0;

err_pci:
	vm->pci->devs[n->vp.pci.slot] = NULL;
	vmm_virtio_pci_destroy(&n->vp);
err:
	vmm_event_del(vm, &n->vu_ev);
	vmm_event_del(vm, &n->timer_ev);
	vmm_vhost_user_close(&n->vu);
	for (q = 0; q < 2 * VMM_MAX_QUEUE_PAIRS; q++) {
		if (n->kick_fd[q] >= 0)
			close(n->kick_fd[q]);
		if (n->call_fd[q] >= 0)
			close(n->call_fd[q]);
	}
	if (n->timer_fd >= 0)
		close(n->timer_fd);
	free(n);
	return ret;
}

void vmm_net_destroy(struct vmm_net *n)
{
	unsigned int q;

	if (!n)
		return;
	vmm_virtio_pci_destroy(&n->vp);
	vmm_event_del(n->vm, &n->vu_ev);
	vmm_event_del(n->vm, &n->timer_ev);
	vmm_vhost_user_close(&n->vu);
	for (q = 0; q < 2 * VMM_MAX_QUEUE_PAIRS; q++) {
		if (n->kick_fd[q] >= 0)
			close(n->kick_fd[q]);
		if (n->call_fd[q] >= 0)
			close(n->call_fd[q]);
	}
	if (n->timer_fd >= 0)
		close(n->timer_fd);
	free(n);
}
