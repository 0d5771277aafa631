// SPDX-License-Identifier: BSD-3-Clause
/* Logging to stderr, and the rate limit for guest-triggered messages. */
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "vmm.h"

int vmm_log_level = VMM_LOG_INFO;

static const char *const vmm_log_names[] = {
	[VMM_LOG_ERR] = "error",
	[VMM_LOG_WARN] = "warning",
	[VMM_LOG_INFO] = "info",
	[VMM_LOG_DEBUG] = "debug",
};

uint64_t vmm_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void vmm_log_v(int level, const char *fmt, va_list ap)
{
	char buf[512];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	/* One write per line, so lines from several threads do not mix. */
	fprintf(stderr, "nfv-vmm: %s: %s\n", vmm_log_names[level], buf);
}

void vmm_log(int level, const char *fmt, ...)
{
	va_list ap;

	if (level > vmm_log_level)
		return;
	va_start(ap, fmt);
	vmm_log_v(level, fmt, ap);
	va_end(ap);
}

/*
 * Guarded by its own mutex: called from vCPU threads and the main thread
 * with or without vm->lock.
 */
static pthread_mutex_t vmm_log_guest_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t vmm_log_guest_window;
static unsigned int vmm_log_guest_in_window;
static uint64_t vmm_log_guest_suppressed;
static uint64_t vmm_log_guest_total;

#define VMM_LOG_GUEST_PER_SEC 10

void vmm_log_guest(const char *fmt, ...)
{
	uint64_t now = vmm_now_ns() / 1000000000ULL;
	uint64_t suppressed = 0;
	bool print;
	va_list ap;

	pthread_mutex_lock(&vmm_log_guest_lock);
	vmm_log_guest_total++;
	if (now != vmm_log_guest_window) {
		suppressed = vmm_log_guest_suppressed;
		vmm_log_guest_suppressed = 0;
		vmm_log_guest_window = now;
		vmm_log_guest_in_window = 0;
	}
	print = vmm_log_guest_in_window++ < VMM_LOG_GUEST_PER_SEC;
	if (!print)
		vmm_log_guest_suppressed++;
	pthread_mutex_unlock(&vmm_log_guest_lock);

	if (suppressed)
		vmm_log(VMM_LOG_WARN, "guest: %llu messages suppressed",
			(unsigned long long)suppressed);
	if (!print || vmm_log_level < VMM_LOG_WARN)
		return;
	va_start(ap, fmt);
	{
		char buf[480];

		vsnprintf(buf, sizeof(buf), fmt, ap);
		vmm_log(VMM_LOG_WARN, "guest: %s", buf);
	}
	va_end(ap);
}

uint64_t vmm_log_guest_count(void)
{
	uint64_t n;

	pthread_mutex_lock(&vmm_log_guest_lock);
	n = vmm_log_guest_total;
	pthread_mutex_unlock(&vmm_log_guest_lock);
	return n;
}
