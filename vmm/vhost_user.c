// SPDX-License-Identifier: BSD-3-Clause
/*
 * vhost-user frontend messages over a Unix socket.  The VMM is the client:
 * nfvd's vhost-user ports (mode: server) and DPDK's net_vhost listen.
 * Each call sends one message and, where the message has a reply or
 * REPLY_ACK was negotiated, waits up to timeout_ms for it.  Callers hold
 * vm->lock (vCPU thread at DRIVER_OK, main thread when reconnecting).
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "vhost_user.h"

static const char *const vu_names[VHOST_USER_MAX_REQ] = {
	[VHOST_USER_GET_FEATURES] = "GET_FEATURES",
	[VHOST_USER_SET_FEATURES] = "SET_FEATURES",
	[VHOST_USER_SET_OWNER] = "SET_OWNER",
	[VHOST_USER_RESET_OWNER] = "RESET_OWNER",
	[VHOST_USER_SET_MEM_TABLE] = "SET_MEM_TABLE",
	[VHOST_USER_SET_LOG_BASE] = "SET_LOG_BASE",
	[VHOST_USER_SET_LOG_FD] = "SET_LOG_FD",
	[VHOST_USER_SET_VRING_NUM] = "SET_VRING_NUM",
	[VHOST_USER_SET_VRING_ADDR] = "SET_VRING_ADDR",
	[VHOST_USER_SET_VRING_BASE] = "SET_VRING_BASE",
	[VHOST_USER_GET_VRING_BASE] = "GET_VRING_BASE",
	[VHOST_USER_SET_VRING_KICK] = "SET_VRING_KICK",
	[VHOST_USER_SET_VRING_CALL] = "SET_VRING_CALL",
	[VHOST_USER_SET_VRING_ERR] = "SET_VRING_ERR",
	[VHOST_USER_GET_PROTOCOL_FEATURES] = "GET_PROTOCOL_FEATURES",
	[VHOST_USER_SET_PROTOCOL_FEATURES] = "SET_PROTOCOL_FEATURES",
	[VHOST_USER_GET_QUEUE_NUM] = "GET_QUEUE_NUM",
	[VHOST_USER_SET_VRING_ENABLE] = "SET_VRING_ENABLE",
};

const char *vmm_vhost_user_req_name(uint32_t req)
{
	return req < VHOST_USER_MAX_REQ && vu_names[req] ? vu_names[req] :
							   "UNKNOWN";
}

void vmm_vhost_user_init(struct vmm_vhost_user *vu, const char *path,
			 const char *name)
{
	memset(vu, 0, sizeof(*vu));
	snprintf(vu->path, sizeof(vu->path), "%s", path);
	vu->fd = -1;
	vu->timeout_ms = 5000;
	vu->name = name;
}

void vmm_vhost_user_close(struct vmm_vhost_user *vu)
{
	if (vu->fd >= 0)
		close(vu->fd);
	vu->fd = -1;
}

static bool vu_has_reply(uint32_t req)
{
	return req == VHOST_USER_GET_FEATURES ||
	       req == VHOST_USER_GET_PROTOCOL_FEATURES ||
	       req == VHOST_USER_GET_QUEUE_NUM ||
	       req == VHOST_USER_GET_VRING_BASE;
}

static int vu_send(struct vmm_vhost_user *vu, struct vmm_vhost_user_msg *m,
		   const int *fds, unsigned int nfds)
{
	char ctl[CMSG_SPACE(sizeof(int) * VHOST_USER_MAX_REGIONS)];
	struct iovec iov = {
		.iov_base = m,
		.iov_len = VHOST_USER_HDR_SIZE + m->size,
	};
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	if (vu->fd < 0)
		return -ENOTCONN;
	if (nfds) {
		struct cmsghdr *c;

		memset(ctl, 0, sizeof(ctl));
		mh.msg_control = ctl;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
	}
	do {
		n = sendmsg(vu->fd, &mh, MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if ((size_t)n != iov.iov_len)
		return -EIO;
	return 0;
}

/* Reads exactly len bytes, each wait bounded by the reply timeout. */
static int vu_recv_all(struct vmm_vhost_user *vu, void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len) {
		struct pollfd pfd = { .fd = vu->fd, .events = POLLIN };
		ssize_t n;
		int r;

		r = poll(&pfd, 1, (int)vu->timeout_ms);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -ETIMEDOUT;
		n = recv(vu->fd, p, len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -ECONNRESET;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int vu_recv_reply(struct vmm_vhost_user *vu, uint32_t req,
			 struct vmm_vhost_user_msg *r)
{
	int ret;

	ret = vu_recv_all(vu, r, VHOST_USER_HDR_SIZE);
	if (ret)
		return ret;
	if (r->request != req || !(r->flags & VHOST_USER_FLAG_REPLY) ||
	    (r->flags & 3) != VHOST_USER_VERSION ||
	    r->size > sizeof(r->payload)) {
		vmm_err("vhost-user %s: bad reply to %s (request %u, flags 0x%x, size %u)",
			vu->name, vmm_vhost_user_req_name(req), r->request,
			r->flags, r->size);
		return -EPROTO;
	}
	return vu_recv_all(vu, &r->payload, r->size);
}

/*
 * One request.  reply (may be NULL) gets the reply's u64 for requests
 * that have one.  Requests without a reply ask for an ack when the
 * backend supports REPLY_ACK, so that a failure shows up here.
 */
static int vu_request(struct vmm_vhost_user *vu, struct vmm_vhost_user_msg *m,
		      const int *fds, unsigned int nfds, uint64_t *reply)
{
	bool has_reply = vu_has_reply(m->request);
	bool ack = !has_reply && (vu->protocol_features &
				  (1ULL << VHOST_USER_PROTOCOL_F_REPLY_ACK));
	struct vmm_vhost_user_msg r;
	uint32_t req = m->request;
	int ret;

	m->flags = VHOST_USER_VERSION | (ack ? VHOST_USER_FLAG_NEED_REPLY : 0);
	vmm_dbg("vhost-user %s: %s", vu->name, vmm_vhost_user_req_name(req));
	ret = vu_send(vu, m, fds, nfds);
	if (ret)
		goto err;
	if (!has_reply && !ack)
		return 0;
	ret = vu_recv_reply(vu, req, &r);
	if (ret)
		goto err;
	if (r.size < sizeof(uint64_t) && req != VHOST_USER_GET_VRING_BASE) {
		ret = -EPROTO;
		goto err;
	}
	if (ack) {
		if (r.payload.u64) {
			vmm_err("vhost-user %s: backend refused %s (%llu)",
				vu->name, vmm_vhost_user_req_name(req),
				(unsigned long long)r.payload.u64);
			return -EIO;
		}
		return 0;
	}
	if (reply) {
		if (req == VHOST_USER_GET_VRING_BASE)
			*reply = r.payload.state.num;
		else
			*reply = r.payload.u64;
	}
	return 0;
err:
	if (ret == -ETIMEDOUT)
		vmm_err("vhost-user %s: %s: no reply from %s within %u ms",
			vu->name, vmm_vhost_user_req_name(req), vu->path,
			vu->timeout_ms);
	else
		vmm_dbg("vhost-user %s: %s: %s", vu->name,
			vmm_vhost_user_req_name(req), strerror(-ret));
	return ret;
}

static int vu_simple(struct vmm_vhost_user *vu, uint32_t req, uint64_t val,
		     bool has_val, uint64_t *reply)
{
	struct vmm_vhost_user_msg m = { .request = req };

	if (has_val) {
		m.size = sizeof(uint64_t);
		m.payload.u64 = val;
	}
	return vu_request(vu, &m, NULL, 0, reply);
}

static int vu_handshake(struct vmm_vhost_user *vu)
{
	uint64_t pf = 0, qn = 0;
	int ret;

	vu->protocol_features = 0;
	vu->max_queues = 0;
	ret = vu_simple(vu, VHOST_USER_GET_FEATURES, 0, false, &vu->features);
	if (ret)
		return ret;
	if (vu->features & (1ULL << VHOST_USER_F_PROTOCOL_FEATURES)) {
		ret = vu_simple(vu, VHOST_USER_GET_PROTOCOL_FEATURES, 0, false,
				&pf);
		if (ret)
			return ret;
		pf &= VMM_VHOST_USER_PROTOCOL_FEATURES;
		ret = vu_simple(vu, VHOST_USER_SET_PROTOCOL_FEATURES, pf, true,
				NULL);
		if (ret)
			return ret;
		/* Acks from here on, if negotiated. */
		vu->protocol_features = pf;
		if (pf & (1ULL << VHOST_USER_PROTOCOL_F_MQ)) {
			ret = vu_simple(vu, VHOST_USER_GET_QUEUE_NUM, 0, false,
					&qn);
			if (ret)
				return ret;
			vu->max_queues = (unsigned int)qn;
		}
	}
	return vu_simple(vu, VHOST_USER_SET_OWNER, 0, false, NULL);
}

int vmm_vhost_user_connect(struct vmm_vhost_user *vu, unsigned int wait_ms)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	uint64_t deadline = vmm_now_ns() + wait_ms * 1000000ULL;
	int err, ret;

	vmm_vhost_user_close(vu);
	if (strlen(vu->path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, vu->path, strlen(vu->path) + 1);
	for (;;) {
		vu->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (vu->fd < 0)
			return -errno;
		if (connect(vu->fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			break;
		err = errno;
		vmm_vhost_user_close(vu);
		if ((err != ENOENT && err != ECONNREFUSED && err != EAGAIN) ||
		    vmm_now_ns() >= deadline)
			return -err;
		nanosleep(&(struct timespec){ .tv_nsec = 50 * 1000000L }, NULL);
	}
	ret = vu_handshake(vu);
	if (ret)
		vmm_vhost_user_close(vu);
	return ret;
}

int vmm_vhost_user_set_features(struct vmm_vhost_user *vu, uint64_t f)
{
	if (vu->features & (1ULL << VHOST_USER_F_PROTOCOL_FEATURES))
		f |= 1ULL << VHOST_USER_F_PROTOCOL_FEATURES;
	return vu_simple(vu, VHOST_USER_SET_FEATURES, f, true, NULL);
}

int vmm_vhost_user_set_mem_table(struct vmm_vhost_user *vu,
				 const struct vmm_mem *mem)
{
	struct vmm_vhost_user_msg m = { .request = VHOST_USER_SET_MEM_TABLE };
	int fds[VHOST_USER_MAX_REGIONS];
	unsigned int i;

	m.payload.mem.nregions = mem->nr_regions;
	for (i = 0; i < mem->nr_regions; i++) {
		const struct vmm_mem_region *r = &mem->regions[i];

		m.payload.mem.regions[i] = (struct vmm_vhost_user_region){
			.gpa = r->gpa,
			.size = r->size,
			.uaddr = (uint64_t)(uintptr_t)r->hva,
			.mmap_offset = r->fd_offset,
		};
		fds[i] = mem->fd;
	}
	m.size = (uint32_t)(offsetof(struct vmm_vhost_user_memory, regions) +
			    mem->nr_regions * sizeof(struct vmm_vhost_user_region));
	return vu_request(vu, &m, fds, mem->nr_regions, NULL);
}

int vmm_vhost_user_set_vring(struct vmm_vhost_user *vu, uint32_t req,
			     uint32_t index, uint32_t num)
{
	struct vmm_vhost_user_msg m = {
		.request = req,
		.size = sizeof(struct vmm_vhost_user_vring_state),
		.payload.state = { .index = index, .num = num },
	};

	return vu_request(vu, &m, NULL, 0, NULL);
}

int vmm_vhost_user_set_vring_addr(struct vmm_vhost_user *vu, uint32_t index,
				  uint64_t desc, uint64_t used, uint64_t avail)
{
	struct vmm_vhost_user_msg m = {
		.request = VHOST_USER_SET_VRING_ADDR,
		.size = sizeof(struct vmm_vhost_user_vring_addr),
		.payload.addr = {
			.index = index, .desc = desc, .used = used,
			.avail = avail,
		},
	};

	return vu_request(vu, &m, NULL, 0, NULL);
}

int vmm_vhost_user_set_vring_fd(struct vmm_vhost_user *vu, uint32_t req,
				uint32_t index, int fd)
{
	struct vmm_vhost_user_msg m = {
		.request = req,
		.size = sizeof(uint64_t),
		/* Bit 8: no fd (polling mode); the VMM always sends one. */
		.payload.u64 = index & 0xff,
	};

	return vu_request(vu, &m, &fd, 1, NULL);
}

int vmm_vhost_user_get_vring_base(struct vmm_vhost_user *vu, uint32_t index,
				  uint32_t *base)
{
	struct vmm_vhost_user_msg m = {
		.request = VHOST_USER_GET_VRING_BASE,
		.size = sizeof(struct vmm_vhost_user_vring_state),
		.payload.state = { .index = index },
	};
	uint64_t v = 0;
	int ret;

	ret = vu_request(vu, &m, NULL, 0, &v);
	if (!ret && base)
		*base = (uint32_t)v;
	return ret;
}
