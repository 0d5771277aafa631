/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vhost-user frontend (QEMU's docs/interop/vhost-user.rst): the VMM
 * connects to the backend's socket, hands it the guest memory and each
 * ring's addresses and eventfds, and the backend moves the packets.
 * Blocking calls with a reply timeout; callers hold vm->lock.
 */
#ifndef NFV_VMM_VHOST_USER_H
#define NFV_VMM_VHOST_USER_H

#include "vmm.h"

enum vmm_vhost_user_req {
	VHOST_USER_GET_FEATURES = 1,
	VHOST_USER_SET_FEATURES = 2,
	VHOST_USER_SET_OWNER = 3,
	VHOST_USER_RESET_OWNER = 4,
	VHOST_USER_SET_MEM_TABLE = 5,
	VHOST_USER_SET_LOG_BASE = 6,
	VHOST_USER_SET_LOG_FD = 7,
	VHOST_USER_SET_VRING_NUM = 8,
	VHOST_USER_SET_VRING_ADDR = 9,
	VHOST_USER_SET_VRING_BASE = 10,
	VHOST_USER_GET_VRING_BASE = 11,
	VHOST_USER_SET_VRING_KICK = 12,
	VHOST_USER_SET_VRING_CALL = 13,
	VHOST_USER_SET_VRING_ERR = 14,
	VHOST_USER_GET_PROTOCOL_FEATURES = 15,
	VHOST_USER_SET_PROTOCOL_FEATURES = 16,
	VHOST_USER_GET_QUEUE_NUM = 17,
	VHOST_USER_SET_VRING_ENABLE = 18,
	VHOST_USER_MAX_REQ,
};

#define VHOST_USER_F_PROTOCOL_FEATURES 30
#define VHOST_USER_PROTOCOL_F_MQ 0
#define VHOST_USER_PROTOCOL_F_REPLY_ACK 3

#define VHOST_USER_VERSION 0x1
#define VHOST_USER_FLAG_REPLY 0x4
#define VHOST_USER_FLAG_NEED_REPLY 0x8
#define VHOST_USER_MAX_REGIONS 8

struct vmm_vhost_user_region {
	uint64_t gpa;
	uint64_t size;
	uint64_t uaddr;
	uint64_t mmap_offset;
};

struct vmm_vhost_user_memory {
	uint32_t nregions;
	uint32_t padding;
	struct vmm_vhost_user_region regions[VHOST_USER_MAX_REGIONS];
};

struct vmm_vhost_user_vring_state {
	uint32_t index;
	uint32_t num;
};

struct vmm_vhost_user_vring_addr {
	uint32_t index;
	uint32_t flags;
	uint64_t desc;
	uint64_t used;
	uint64_t avail;
	uint64_t log;
};

struct vmm_vhost_user_msg {
	uint32_t request;
	uint32_t flags;
	uint32_t size;
	union {
		uint64_t u64;
		struct vmm_vhost_user_vring_state state;
		struct vmm_vhost_user_vring_addr addr;
		struct vmm_vhost_user_memory mem;
	} payload;
} __attribute__((packed));

#define VHOST_USER_HDR_SIZE 12

/* Protocol features this frontend uses when the backend has them. */
#define VMM_VHOST_USER_PROTOCOL_FEATURES                                  \
	((1ULL << VHOST_USER_PROTOCOL_F_MQ) |                             \
	 (1ULL << VHOST_USER_PROTOCOL_F_REPLY_ACK))

struct vmm_vhost_user {
	char path[108];
	int fd;
	unsigned int timeout_ms;	/* per reply */
	uint64_t features;		/* the backend's */
	uint64_t protocol_features;	/* negotiated */
	unsigned int max_queues;	/* the backend's, 0: unknown */
	const char *name;		/* for messages: "net0" */
};

void vmm_vhost_user_init(struct vmm_vhost_user *vu, const char *path,
			 const char *name);
/*
 * Connects, retrying until wait_ms passes (0: once), then runs the
 * handshake (owner, features, protocol features, queue count).
 */
int vmm_vhost_user_connect(struct vmm_vhost_user *vu, unsigned int wait_ms);
void vmm_vhost_user_close(struct vmm_vhost_user *vu);
int vmm_vhost_user_set_features(struct vmm_vhost_user *vu, uint64_t f);
int vmm_vhost_user_set_mem_table(struct vmm_vhost_user *vu,
				 const struct vmm_mem *mem);
int vmm_vhost_user_set_vring(struct vmm_vhost_user *vu, uint32_t req,
			     uint32_t index, uint32_t num);
int vmm_vhost_user_set_vring_addr(struct vmm_vhost_user *vu, uint32_t index,
				  uint64_t desc, uint64_t used, uint64_t avail);
int vmm_vhost_user_set_vring_fd(struct vmm_vhost_user *vu, uint32_t req,
				uint32_t index, int fd);
int vmm_vhost_user_get_vring_base(struct vmm_vhost_user *vu, uint32_t index,
				  uint32_t *base);
const char *vmm_vhost_user_req_name(uint32_t req);

#endif
