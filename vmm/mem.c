// SPDX-License-Identifier: BSD-3-Clause
/*
 * Guest RAM: one memfd mapped shared, so that the vhost-user backend maps
 * the same pages (it gets the fd in SET_MEM_TABLE).  The mapping sits
 * between two inaccessible guard areas: a bug that reaches past guest RAM
 * faults at once instead of reading the VMM's own memory.
 */
#include <errno.h>
#include <linux/memfd.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vmm.h"

#define VMM_MEM_GUARD (2 * VMM_MIB)

int vmm_mem_create(struct vmm_mem *m, uint64_t size, bool hugetlb)
{
	unsigned int flags = MFD_CLOEXEC;
	uint64_t low;
	void *p;
	int ret;

	memset(m, 0, sizeof(*m));
	m->fd = -1;
	if (size < VMM_MIN_MEM)
		return -EINVAL;
	if (hugetlb) {
		flags |= MFD_HUGETLB | MFD_HUGE_2MB;
		if (size & (2 * VMM_MIB - 1))
			return -EINVAL;
	}
	m->fd = memfd_create("nfv-vmm-ram", flags);
	if (m->fd < 0)
		return -errno;
	if (ftruncate(m->fd, (off_t)size) < 0) {
		ret = -errno;
		goto err_fd;
	}
	m->map_size = size + 2 * VMM_MEM_GUARD;
	m->map = mmap(NULL, m->map_size, PROT_NONE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (m->map == MAP_FAILED) {
		ret = -errno;
		goto err_fd;
	}
	/* Hugetlb pages are reserved now (mmap fails if there are too
	 * few), not found missing when the guest first touches them. */
	p = mmap(m->map + VMM_MEM_GUARD, size, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_FIXED | (hugetlb ? 0 : MAP_NORESERVE), m->fd,
		 0);
	if (p == MAP_FAILED) {
		ret = -errno;
		goto err_map;
	}
	m->base = p;
	m->size = size;
	m->hugetlb = hugetlb;

	low = size < VMM_MEM_HOLE_START ? size : VMM_MEM_HOLE_START;
	m->regions[0] = (struct vmm_mem_region){
		.gpa = 0, .size = low, .hva = m->base, .fd_offset = 0,
	};
	m->nr_regions = 1;
	if (size > low) {
		m->regions[1] = (struct vmm_mem_region){
			.gpa = VMM_MEM_HIGH_START,
			.size = size - low,
			.hva = m->base + low,
			.fd_offset = low,
		};
		m->nr_regions = 2;
	}
	return 0;

err_map:
	munmap(m->map, m->map_size);
err_fd:
	close(m->fd);
	m->fd = -1;
	return ret;
}

void vmm_mem_destroy(struct vmm_mem *m)
{
	if (m->map)
		munmap(m->map, m->map_size);
	if (m->fd >= 0)
		close(m->fd);
	memset(m, 0, sizeof(*m));
	m->fd = -1;
}

void *vmm_mem_ptr(const struct vmm_mem *m, uint64_t gpa, uint64_t len)
{
	unsigned int i;

	for (i = 0; i < m->nr_regions; i++) {
		const struct vmm_mem_region *r = &m->regions[i];

		/* Written so that no sum can wrap. */
		if (gpa >= r->gpa && gpa - r->gpa <= r->size &&
		    len <= r->size - (gpa - r->gpa))
			return r->hva + (gpa - r->gpa);
	}
	return NULL;
}
