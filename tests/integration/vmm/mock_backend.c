// SPDX-License-Identifier: BSD-3-Clause
/*
 * A small vhost-user backend for nfv-vmm's tests.  It listens on a socket,
 * logs every message it gets (one line each, to --log), and with
 * --loopback copies each frame the guest sends on TX queue 1 into the
 * next buffer of RX queue 0, so a payload can check a round trip through
 * shared memory, KVM ioeventfd and the call eventfd.
 *
 *   vmm-mock-backend --socket PATH [--log FILE] [--loopback] [--silent]
 *                    [--features HEX] [--no-protocol-features] [--timeout S]
 *
 * --silent accepts connections and never answers (the "socket that never
 * answers" case).  Exits after --timeout seconds (default 60) or on SIGTERM.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define MAX_REGIONS 8
#define MAX_VRINGS 32

struct region {
	uint64_t gpa, size, uaddr, off;
	uint8_t *map;
	uint64_t map_size;
};

struct vring {
	uint32_t num, base;
	uint64_t desc, used, avail;	/* frontend addresses */
	uint8_t *d, *u, *a;
	int kick, call;
	int enabled;
	uint16_t last_avail;
};

static struct region regions[MAX_REGIONS];
static unsigned int nregions;
static struct vring vrings[MAX_VRINGS];
static FILE *logf;
static int loopback, silent, no_pf;
static uint64_t features = (1ULL << 32) | (1ULL << 30);
static volatile sig_atomic_t stop;

static void logm(const char *fmt, ...)
{
	va_list ap;

	if (!logf)
		return;
	va_start(ap, fmt);
	vfprintf(logf, fmt, ap);
	va_end(ap);
	fputc('\n', logf);
	fflush(logf);
}

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static uint8_t *uva(uint64_t a, uint64_t len)
{
	unsigned int i;

	for (i = 0; i < nregions; i++) {
		struct region *r = &regions[i];

		if (a >= r->uaddr && a - r->uaddr + len <= r->size)
			return r->map + r->off + (a - r->uaddr);
	}
	return NULL;
}

static uint8_t *gpa(uint64_t a, uint64_t len)
{
	unsigned int i;

	for (i = 0; i < nregions; i++) {
		struct region *r = &regions[i];

		if (a >= r->gpa && a - r->gpa + len <= r->size)
			return r->map + r->off + (a - r->gpa);
	}
	return NULL;
}

static void unmap_all(void)
{
	unsigned int i;

	for (i = 0; i < nregions; i++)
		munmap(regions[i].map, regions[i].map_size);
	nregions = 0;
}

static void reset_vrings(void)
{
	unsigned int i;

	for (i = 0; i < MAX_VRINGS; i++) {
		if (vrings[i].kick >= 0)
			close(vrings[i].kick);
		if (vrings[i].call >= 0)
			close(vrings[i].call);
		memset(&vrings[i], 0, sizeof(vrings[i]));
		vrings[i].kick = vrings[i].call = -1;
	}
}

static const char *names[] = {
	"NONE", "GET_FEATURES", "SET_FEATURES", "SET_OWNER", "RESET_OWNER",
	"SET_MEM_TABLE", "SET_LOG_BASE", "SET_LOG_FD", "SET_VRING_NUM",
	"SET_VRING_ADDR", "SET_VRING_BASE", "GET_VRING_BASE",
	"SET_VRING_KICK", "SET_VRING_CALL", "SET_VRING_ERR",
	"GET_PROTOCOL_FEATURES", "SET_PROTOCOL_FEATURES", "GET_QUEUE_NUM",
	"SET_VRING_ENABLE",
};

struct msg {
	uint32_t req, flags, size;
	uint8_t payload[256];
} __attribute__((packed));

static int recv_msg(int fd, struct msg *m, int *fds, int *nfds)
{
	char ctl[CMSG_SPACE(sizeof(int) * MAX_REGIONS)];
	struct iovec iov = { m, 12 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = ctl, .msg_controllen = sizeof(ctl) };
	struct cmsghdr *c;
	ssize_t n;

	*nfds = 0;
	n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
	if (n <= 0)
		return -1;
	if (n != 12)
		return -1;
	for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			*nfds = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
			memcpy(fds, CMSG_DATA(c), sizeof(int) * (size_t)*nfds);
		}
	}
	if (m->size > sizeof(m->payload))
		return -1;
	if (m->size && recv(fd, m->payload, m->size, MSG_WAITALL) != (ssize_t)m->size)
		return -1;
	return 0;
}

static int reply(int fd, struct msg *m, const void *p, uint32_t size)
{
	m->flags = 1 | 4;
	m->size = size;
	memcpy(m->payload, p, size);
	return send(fd, m, 12 + size, MSG_NOSIGNAL) == (ssize_t)(12 + size) ? 0 : -1;
}

/* Copies TX (queue 1) frames into RX (queue 0) buffers. */
static void do_loopback(void)
{
	struct vring *tx = &vrings[1], *rx = &vrings[0];
	uint64_t one = 1;
	int moved = 0;

	if (!tx->d || !rx->d || !tx->num || !rx->num)
		return;
	for (;;) {
		uint16_t tavail = *(volatile uint16_t *)(tx->a + 2);
		uint16_t ravail = *(volatile uint16_t *)(rx->a + 2);
		uint16_t th, rh, tu, ru;
		uint64_t ta, ra;
		uint32_t tl, rl, len;
		uint8_t *tp, *rp;

		if (tx->last_avail == tavail || rx->last_avail == ravail)
			break;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		th = *(uint16_t *)(tx->a + 4 + 2 * (tx->last_avail % tx->num));
		rh = *(uint16_t *)(rx->a + 4 + 2 * (rx->last_avail % rx->num));
		memcpy(&ta, tx->d + 16 * th, 8);
		memcpy(&tl, tx->d + 16 * th + 8, 4);
		memcpy(&ra, rx->d + 16 * rh, 8);
		memcpy(&rl, rx->d + 16 * rh + 8, 4);
		tp = gpa(ta, tl);
		rp = gpa(ra, rl);
		len = tl < rl ? tl : rl;
		if (tp && rp) {
			memcpy(rp, tp, len);
			/* num_buffers = 1 in the RX header */
			if (len >= 12)
				rp[10] = 1, rp[11] = 0;
		}
		tx->last_avail++;
		rx->last_avail++;
		tu = *(uint16_t *)(tx->u + 2);
		ru = *(uint16_t *)(rx->u + 2);
		memcpy(tx->u + 4 + 8 * (tu % tx->num), &(uint32_t){ th }, 4);
		memcpy(tx->u + 8 + 8 * (tu % tx->num), &(uint32_t){ 0 }, 4);
		memcpy(rx->u + 4 + 8 * (ru % rx->num), &(uint32_t){ rh }, 4);
		memcpy(rx->u + 8 + 8 * (ru % rx->num), &len, 4);
		__atomic_thread_fence(__ATOMIC_RELEASE);
		*(volatile uint16_t *)(tx->u + 2) = (uint16_t)(tu + 1);
		*(volatile uint16_t *)(rx->u + 2) = (uint16_t)(ru + 1);
		moved++;
	}
	if (moved) {
		logm("LOOPBACK %d", moved);
		if (tx->call >= 0 && write(tx->call, &one, 8) < 0)
			logm("CALL-ERROR");
		if (rx->call >= 0 && write(rx->call, &one, 8) < 0)
			logm("CALL-ERROR");
	}
}

static void handle(int fd, struct msg *m, int *fds, int nfds)
{
	uint64_t u64 = 0;
	uint32_t idx, num;
	int need_reply = m->flags & 8, ack = 1;
	const char *name = m->req < sizeof(names) / sizeof(names[0]) ?
				   names[m->req] : "UNKNOWN";

	memcpy(&u64, m->payload, m->size >= 8 ? 8 : m->size);
	idx = (uint32_t)u64;
	memcpy(&num, m->payload + 4, 4);
	switch (m->req) {
	case 1:
		logm("%s", name);
		reply(fd, m, &features, 8);
		return;
	case 15: {
		uint64_t pf = (1ULL << 0) | (1ULL << 3);

		logm("%s", name);
		reply(fd, m, &pf, 8);
		return;
	}
	case 17: {
		uint64_t qn = 16;

		logm("%s", name);
		reply(fd, m, &qn, 8);
		return;
	}
	case 2:
	case 16:
		logm("%s 0x%llx", name, (unsigned long long)u64);
		break;
	case 5: {
		uint32_t n, i;

		memcpy(&n, m->payload, 4);
		unmap_all();
		for (i = 0; i < n && i < MAX_REGIONS && (int)i < nfds; i++) {
			struct region *r = &regions[i];
			uint8_t *p = m->payload + 8 + 32 * i;

			memcpy(&r->gpa, p, 8);
			memcpy(&r->size, p + 8, 8);
			memcpy(&r->uaddr, p + 16, 8);
			memcpy(&r->off, p + 24, 8);
			r->map_size = r->size + r->off;
			r->map = mmap(NULL, r->map_size, PROT_READ | PROT_WRITE,
				      MAP_SHARED, fds[i], 0);
			close(fds[i]);
			if (r->map == MAP_FAILED) {
				logm("MMAP-FAILED %s", strerror(errno));
				ack = 0;
				break;
			}
			nregions++;
		}
		logm("%s %u", name, n);
		break;
	}
	case 8:
	case 10:
	case 18:
		if (idx >= MAX_VRINGS) {
			ack = 0;
			break;
		}
		if (m->req == 8)
			vrings[idx].num = num;
		else if (m->req == 10)
			vrings[idx].base = vrings[idx].last_avail = (uint16_t)num;
		else
			vrings[idx].enabled = (int)num;
		logm("%s %u %u", name, idx, num);
		break;
	case 9: {
		struct vring *v;

		if (idx >= MAX_VRINGS) {
			ack = 0;
			break;
		}
		v = &vrings[idx];
		memcpy(&v->desc, m->payload + 8, 8);
		memcpy(&v->used, m->payload + 16, 8);
		memcpy(&v->avail, m->payload + 24, 8);
		v->d = uva(v->desc, 16ULL * v->num);
		v->u = uva(v->used, 6 + 8ULL * v->num);
		v->a = uva(v->avail, 6 + 2ULL * v->num);
		logm("%s %u %s", name, idx, v->d && v->u && v->a ? "mapped" : "UNMAPPED");
		if (!v->d || !v->u || !v->a)
			ack = 0;
		break;
	}
	case 11: {
		uint32_t st[2];

		idx &= 0xff;
		st[0] = idx;
		st[1] = idx < MAX_VRINGS ? vrings[idx].last_avail : 0;
		logm("%s %u", name, idx);
		if (idx < MAX_VRINGS) {
			if (vrings[idx].kick >= 0)
				close(vrings[idx].kick);
			vrings[idx].kick = -1;
			vrings[idx].d = NULL;
		}
		reply(fd, m, st, 8);
		return;
	}
	case 12:
	case 13:
		idx &= 0xff;
		if (idx >= MAX_VRINGS || nfds != 1) {
			logm("%s %u BAD", name, idx);
			ack = 0;
			break;
		}
		if (m->req == 12) {
			if (vrings[idx].kick >= 0)
				close(vrings[idx].kick);
			vrings[idx].kick = fds[0];
		} else {
			if (vrings[idx].call >= 0)
				close(vrings[idx].call);
			vrings[idx].call = fds[0];
		}
		logm("%s %u", name, idx);
		nfds = 0;
		break;
	default:
		logm("%s", name);
		break;
	}
	while (nfds > 0)
		close(fds[--nfds]);
	if (need_reply) {
		uint64_t r = ack ? 0 : 1;

		reply(fd, m, &r, 8);
	}
}

static void serve(int cfd)
{
	reset_vrings();
	for (;;) {
		struct pollfd p[1 + MAX_VRINGS];
		int n = 1, i;

		p[0] = (struct pollfd){ .fd = cfd, .events = POLLIN };
		for (i = 0; i < MAX_VRINGS; i++)
			if (vrings[i].kick >= 0)
				p[n++] = (struct pollfd){ .fd = vrings[i].kick,
							  .events = POLLIN };
		if (poll(p, (nfds_t)n, 200) < 0 && errno != EINTR)
			break;
		if (stop)
			break;
		for (i = 1; i < n; i++) {
			uint64_t v;
			int q;

			if (!(p[i].revents & POLLIN))
				continue;
			if (read(p[i].fd, &v, 8) != 8)
				continue;
			for (q = 0; q < MAX_VRINGS; q++)
				if (vrings[q].kick == p[i].fd)
					logm("KICK %d", q);
		}
		if (loopback)
			do_loopback();
		if (p[0].revents & (POLLIN | POLLHUP)) {
			struct msg m;
			int fds[MAX_REGIONS], nfds;

			if (silent) {
				char buf[256];

				if (recv(cfd, buf, sizeof(buf), 0) <= 0)
					break;
				continue;
			}
			if (recv_msg(cfd, &m, fds, &nfds)) {
				logm("DISCONNECT");
				break;
			}
			handle(cfd, &m, fds, nfds);
		}
	}
	reset_vrings();
	unmap_all();
	close(cfd);
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "log", required_argument, NULL, 'l' },
		{ "loopback", no_argument, NULL, 'L' },
		{ "silent", no_argument, NULL, 'S' },
		{ "features", required_argument, NULL, 'f' },
		{ "no-protocol-features", no_argument, NULL, 'P' },
		{ "timeout", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *path = NULL;
	int c, lfd, timeout = 60;
	time_t end;

	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 's': path = optarg; break;
		case 'l': logf = fopen(optarg, "a"); break;
		case 'L': loopback = 1; break;
		case 'S': silent = 1; break;
		case 'f': features = strtoull(optarg, NULL, 16); break;
		case 'P': no_pf = 1; break;
		case 't': timeout = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: %s --socket PATH [--log F] [--loopback] [--silent]\n",
				argv[0]);
			return 2;
		}
	}
	if (!path || strlen(path) >= sizeof(sa.sun_path))
		return 2;
	if (no_pf)
		features &= ~(1ULL << 30);
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	signal(SIGPIPE, SIG_IGN);
	alarm((unsigned int)timeout);
	reset_vrings();
	strcpy(sa.sun_path, path);
	unlink(path);
	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(lfd, 4)) {
		perror(path);
		return 1;
	}
	logm("LISTEN");
	end = time(NULL) + timeout;
	while (!stop && time(NULL) < end) {
		struct pollfd p = { .fd = lfd, .events = POLLIN };
		int cfd;

		if (poll(&p, 1, 200) <= 0)
			continue;
		cfd = accept(lfd, NULL, NULL);
		if (cfd < 0)
			continue;
		logm("CONNECT");
		serve(cfd);
	}
	close(lfd);
	unlink(path);
	return 0;
}
