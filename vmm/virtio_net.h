/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * virtio-net over virtio-pci whose data queues are served by a vhost-user
 * backend.  The VMM keeps the config space (MAC, link status, queue
 * pairs), the control queue (multiqueue selection) and the backend
 * connection, including reconnects.
 */
#ifndef NFV_VMM_VIRTIO_NET_H
#define NFV_VMM_VIRTIO_NET_H

#include "vhost_user.h"
#include "virtio_pci.h"
#include "virtqueue.h"

#define VIRTIO_ID_NET_ 1

/* Feature bits (virtio 1.2, 5.1.3). */
#define VMM_NET_F_CSUM 0
#define VMM_NET_F_GUEST_CSUM 1
#define VMM_NET_F_MTU 3
#define VMM_NET_F_MAC 5
#define VMM_NET_F_GUEST_TSO4 7
#define VMM_NET_F_GUEST_TSO6 8
#define VMM_NET_F_GUEST_ECN 9
#define VMM_NET_F_GUEST_UFO 10
#define VMM_NET_F_HOST_TSO4 11
#define VMM_NET_F_HOST_TSO6 12
#define VMM_NET_F_HOST_ECN 13
#define VMM_NET_F_HOST_UFO 14
#define VMM_NET_F_MRG_RXBUF 15
#define VMM_NET_F_STATUS 16
#define VMM_NET_F_CTRL_VQ 17
#define VMM_NET_F_MQ 22
#define VMM_F_RING_INDIRECT_DESC 28
#define VMM_F_RING_EVENT_IDX 29

#define VMM_NET_OFFLOAD_FEATURES                                          \
	((1ULL << VMM_NET_F_CSUM) | (1ULL << VMM_NET_F_GUEST_CSUM) |      \
	 (1ULL << VMM_NET_F_GUEST_TSO4) | (1ULL << VMM_NET_F_GUEST_TSO6) | \
	 (1ULL << VMM_NET_F_GUEST_ECN) | (1ULL << VMM_NET_F_GUEST_UFO) |  \
	 (1ULL << VMM_NET_F_HOST_TSO4) | (1ULL << VMM_NET_F_HOST_TSO6) |  \
	 (1ULL << VMM_NET_F_HOST_ECN) | (1ULL << VMM_NET_F_HOST_UFO))
/* Data path features: the backend implements them. */
#define VMM_NET_DATAPATH_FEATURES                                         \
	(VMM_NET_OFFLOAD_FEATURES | (1ULL << VMM_NET_F_MRG_RXBUF) |       \
	 (1ULL << VMM_F_RING_INDIRECT_DESC) |                             \
	 (1ULL << VMM_F_RING_EVENT_IDX) | (1ULL << VMM_VIRTIO_F_VERSION_1))

#define VMM_NET_S_LINK_UP 1

struct vmm_net_config {
	const char *path;	/* vhost-user socket; NULL: no backend (tests) */
	uint8_t mac[6];
	unsigned int queue_pairs;
	uint16_t queue_size;
	bool offload;		/* offer checksum/TSO offloads */
	unsigned int connect_ms;	/* wait for the backend at start */
	unsigned int reply_ms;		/* per vhost-user reply */
};

struct vmm_net {
	struct vmm *vm;
	unsigned int index;
	char name[16];
	struct vmm_virtio_pci vp;
	struct vmm_vhost_user vu;
	bool has_backend;
	struct vmm_event vu_ev;
	struct vmm_event timer_ev;
	int timer_fd;

	uint8_t mac[6];
	unsigned int max_pairs;
	unsigned int cur_pairs;
	unsigned int nr_data_queues;
	unsigned int ctrl_queue;	/* index, or ~0u without one */
	bool offload;

	bool started;		/* the driver set DRIVER_OK and we accepted */
	bool backend_live;	/* the backend has the rings */
	bool link_up;
	uint64_t offered;
	uint64_t acked;
	bool vring_started[2 * VMM_MAX_QUEUE_PAIRS];
	int kick_fd[2 * VMM_MAX_QUEUE_PAIRS];
	int call_fd[2 * VMM_MAX_QUEUE_PAIRS];
	struct vmm_vring ctrl;

	uint64_t t_lost_ns;
	uint64_t reconnects;
	uint64_t reconnect_attempts;
	uint64_t ctrl_cmds;
};

/* Main thread, before the vCPUs start. */
int vmm_net_create(struct vmm *vm, const struct vmm_net_config *cfg,
		   struct vmm_net **out);
void vmm_net_destroy(struct vmm_net *n);

#endif
