// SPDX-License-Identifier: BSD-3-Clause
/*
 * The KVM VM: in-kernel irqchip (PIC, IOAPIC, local APICs) and PIT, guest
 * RAM slots, vCPU threads and their exit loop, GSI routing for MSI,
 * irqfd and ioeventfd.
 *
 * Without KVM (use_kvm false: unit tests and the fuzz harness) the same
 * object holds guest memory and the device model, and the interrupt calls
 * only count what they would have done.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "vmm.h"

#define VMM_TSS_ADDR 0xfffbd000ULL
#define VMM_IDENTITY_MAP_ADDR 0xfffbc000ULL

static int vmm_kvm_check_caps(struct vmm *vm)
{
	static const struct {
		int cap;
		const char *name;
	} need[] = {
		{ KVM_CAP_IRQCHIP, "IRQCHIP" },
		{ KVM_CAP_USER_MEMORY, "USER_MEMORY" },
		{ KVM_CAP_SET_TSS_ADDR, "SET_TSS_ADDR" },
		{ KVM_CAP_PIT2, "PIT2" },
		{ KVM_CAP_IRQFD, "IRQFD" },
		{ KVM_CAP_IOEVENTFD, "IOEVENTFD" },
		{ KVM_CAP_IRQ_ROUTING, "IRQ_ROUTING" },
		{ KVM_CAP_SIGNAL_MSI, "SIGNAL_MSI" },
		{ KVM_CAP_EXT_CPUID, "EXT_CPUID" },
		{ KVM_CAP_IMMEDIATE_EXIT, "IMMEDIATE_EXIT" },
	};
	unsigned int i;

	for (i = 0; i < VMM_ARRAY_SIZE(need); i++) {
		if (ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, need[i].cap) <= 0) {
			vmm_err("KVM lacks KVM_CAP_%s", need[i].name);
			return -ENOTSUP;
		}
	}
	vm->ioeventfd_any_len =
		ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION,
		      KVM_CAP_IOEVENTFD_ANY_LENGTH) > 0;
	return 0;
}

/* The routes KVM has by default, which KVM_SET_GSI_ROUTING replaces. */
static void vmm_irq_routes_default(struct vmm *vm)
{
	unsigned int i;

	vm->nr_routes = 0;
	for (i = 0; i < 16; i++) {
		struct kvm_irq_routing_entry *e;

		if (i == 2) /* the slave PIC's cascade */
			continue;
		e = &vm->routes[vm->nr_routes++];
		memset(e, 0, sizeof(*e));
		e->gsi = i;
		e->type = KVM_IRQ_ROUTING_IRQCHIP;
		e->u.irqchip.irqchip = i < 8 ? KVM_IRQCHIP_PIC_MASTER :
					       KVM_IRQCHIP_PIC_SLAVE;
		e->u.irqchip.pin = i & 7;
	}
	for (i = 0; i < 24; i++) {
		struct kvm_irq_routing_entry *e = &vm->routes[vm->nr_routes++];

		memset(e, 0, sizeof(*e));
		e->gsi = i;
		e->type = KVM_IRQ_ROUTING_IRQCHIP;
		e->u.irqchip.irqchip = KVM_IRQCHIP_IOAPIC;
		e->u.irqchip.pin = i;
	}
	vm->next_gsi = 24;
}

static int vmm_irq_routes_commit(struct vmm *vm)
{
	struct kvm_irq_routing *r;
	size_t sz;
	int ret = 0;

	if (vm->vm_fd < 0)
		return 0;
	sz = sizeof(*r) + vm->nr_routes * sizeof(r->entries[0]);
	r = calloc(1, sz);
	if (!r)
		return -ENOMEM;
	r->nr = vm->nr_routes;
	memcpy(r->entries, vm->routes, vm->nr_routes * sizeof(r->entries[0]));
	if (ioctl(vm->vm_fd, KVM_SET_GSI_ROUTING, r) < 0) {
		ret = -errno;
		vmm_err("KVM_SET_GSI_ROUTING (%u routes): %s", vm->nr_routes,
			strerror(errno));
	}
	free(r);
	return ret;
}

unsigned int vmm_irq_alloc_gsi(struct vmm *vm, unsigned int n)
{
	unsigned int gsi = vm->next_gsi;

	if (gsi + n > VMM_MAX_GSI)
		return 0;
	vm->next_gsi += n;
	return gsi;
}

int vmm_irq_route_msi(struct vmm *vm, unsigned int gsi, uint64_t addr,
		      uint32_t data, bool present)
{
	struct kvm_irq_routing_entry *e = NULL;
	unsigned int i;

	for (i = 0; i < vm->nr_routes; i++) {
		if (vm->routes[i].gsi == gsi &&
		    vm->routes[i].type == KVM_IRQ_ROUTING_MSI) {
			e = &vm->routes[i];
			break;
		}
	}
	if (!present) {
		if (!e)
			return 0;
		*e = vm->routes[--vm->nr_routes];
		return vmm_irq_routes_commit(vm);
	}
	if (e && e->u.msi.address_lo == (uint32_t)addr &&
	    e->u.msi.address_hi == (uint32_t)(addr >> 32) &&
	    e->u.msi.data == data)
		return 0;
	if (!e) {
		if (vm->nr_routes == VMM_MAX_ROUTES)
			return -ENOSPC;
		e = &vm->routes[vm->nr_routes++];
	}
	memset(e, 0, sizeof(*e));
	e->gsi = gsi;
	e->type = KVM_IRQ_ROUTING_MSI;
	e->u.msi.address_lo = (uint32_t)addr;
	e->u.msi.address_hi = (uint32_t)(addr >> 32);
	e->u.msi.data = data;
	return vmm_irq_routes_commit(vm);
}

int vmm_irq_line(struct vmm *vm, unsigned int gsi, int level)
{
	struct kvm_irq_level l = { .irq = gsi, .level = level };

	if (vm->vm_fd < 0) {
		if (level)
			vm->line_raise_count++;
		return 0;
	}
	if (ioctl(vm->vm_fd, KVM_IRQ_LINE, &l) < 0)
		return -errno;
	return 0;
}

int vmm_irq_msi(struct vmm *vm, uint64_t addr, uint32_t data)
{
	struct kvm_msi msi = {
		.address_lo = (uint32_t)addr,
		.address_hi = (uint32_t)(addr >> 32),
		.data = data,
	};

	vm->msi_count++;
	if (vm->vm_fd < 0)
		return 0;
	if (ioctl(vm->vm_fd, KVM_SIGNAL_MSI, &msi) < 0)
		return -errno;
	return 0;
}

int vmm_irqfd(struct vmm *vm, int fd, unsigned int gsi, bool assign)
{
	struct kvm_irqfd f = {
		.fd = (uint32_t)fd,
		.gsi = gsi,
		.flags = assign ? 0 : KVM_IRQFD_FLAG_DEASSIGN,
	};

	if (vm->vm_fd < 0)
		return 0;
	if (ioctl(vm->vm_fd, KVM_IRQFD, &f) < 0)
		return -errno;
	return 0;
}

int vmm_ioeventfd(struct vmm *vm, uint64_t addr, uint32_t len, int fd,
		  bool assign)
{
	struct kvm_ioeventfd e = {
		.addr = addr,
		.len = len,
		.fd = fd,
		.flags = assign ? 0 : KVM_IOEVENTFD_FLAG_DEASSIGN,
	};

	if (vm->vm_fd < 0)
		return 0;
	if (ioctl(vm->vm_fd, KVM_IOEVENTFD, &e) < 0)
		return -errno;
	return 0;
}

int vmm_event_add(struct vmm *vm, struct vmm_event *ev, int fd,
		  uint32_t events)
{
	struct epoll_event e = { .events = events, .data.ptr = ev };

	ev->fd = fd;
	if (epoll_ctl(vm->epoll_fd, EPOLL_CTL_ADD, fd, &e) < 0) {
		ev->fd = -1;
		return -errno;
	}
	return 0;
}

void vmm_event_del(struct vmm *vm, struct vmm_event *ev)
{
	if (ev->fd < 0)
		return;
	epoll_ctl(vm->epoll_fd, EPOLL_CTL_DEL, ev->fd, NULL);
	ev->fd = -1;
}

/*
 * The CPUID the guest sees: what KVM supports, with each vCPU's APIC ID
 * filled in.
 */
static int vmm_vcpu_set_cpuid(struct vmm *vm, struct vmm_vcpu *v)
{
	struct kvm_cpuid2 *c = NULL;
	unsigned int n = 64, i;
	int ret;

	for (;;) {
		free(c);
		c = calloc(1, sizeof(*c) + n * sizeof(c->entries[0]));
		if (!c)
			return -ENOMEM;
		c->nent = n;
		if (ioctl(vm->kvm_fd, KVM_GET_SUPPORTED_CPUID, c) == 0)
			break;
		if (errno != E2BIG || n >= 4096) {
			ret = -errno;
			vmm_err("KVM_GET_SUPPORTED_CPUID: %s", strerror(errno));
			goto out;
		}
		n *= 2;
	}
	for (i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];

		switch (e->function) {
		case 1:
			/* Initial APIC ID, and the hypervisor bit. */
			e->ebx = (e->ebx & 0x0000ffff) | (v->id << 24) |
				 (vm->nr_vcpus << 16);
			e->ecx |= 1u << 31;
			/* HTT: the logical processor count above is valid. */
			e->edx |= 1u << 28;
			break;
		case 0xb:
		case 0x1f:
			e->edx = v->id;
			break;
		case 6:
			/* No energy-performance bias MSR. */
			e->ecx &= ~(1u << 3);
			break;
		}
	}
	ret = 0;
	if (ioctl(v->fd, KVM_SET_CPUID2, c) < 0) {
		ret = -errno;
		vmm_err("KVM_SET_CPUID2: %s", strerror(errno));
	}
out:
	free(c);
	return ret;
}

static int vmm_vcpu_create(struct vmm *vm, unsigned int id)
{
	struct vmm_vcpu *v = &vm->vcpus[id];
	int ret;

	v->vm = vm;
	v->id = id;
	v->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, id);
	if (v->fd < 0) {
		ret = -errno;
		vmm_err("KVM_CREATE_VCPU %u: %s", id, strerror(errno));
		return ret;
	}
	v->run = mmap(NULL, (size_t)vm->run_size, PROT_READ | PROT_WRITE,
		      MAP_SHARED, v->fd, 0);
	if (v->run == MAP_FAILED) {
		ret = -errno;
		v->run = NULL;
		close(v->fd);
		v->fd = -1;
		return ret;
	}
	return vmm_vcpu_set_cpuid(vm, v);
}

static int vmm_kvm_open(struct vmm *vm)
{
	unsigned int i;
	int ret;

	vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0) {
		ret = -errno;
		vmm_err("/dev/kvm: %s", strerror(errno));
		return ret;
	}
	if (ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0) != KVM_API_VERSION) {
		vmm_err("/dev/kvm: unexpected API version");
		return -ENOTSUP;
	}
	ret = vmm_kvm_check_caps(vm);
	if (ret)
		return ret;
	vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0) {
		ret = -errno;
		vmm_err("KVM_CREATE_VM: %s", strerror(errno));
		return ret;
	}
	vm->run_size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (vm->run_size <= 0)
		return -ENOTSUP;
	if (ioctl(vm->vm_fd, KVM_SET_TSS_ADDR, VMM_TSS_ADDR) < 0 ||
	    ioctl(vm->vm_fd, KVM_SET_IDENTITY_MAP_ADDR,
		  &(uint64_t){ VMM_IDENTITY_MAP_ADDR }) < 0) {
		ret = -errno;
		vmm_err("KVM_SET_TSS_ADDR: %s", strerror(errno));
		return ret;
	}
	if (ioctl(vm->vm_fd, KVM_CREATE_IRQCHIP, 0) < 0) {
		ret = -errno;
		vmm_err("KVM_CREATE_IRQCHIP: %s", strerror(errno));
		return ret;
	}
	{
		struct kvm_pit_config pit = { .flags = 0 };

		if (ioctl(vm->vm_fd, KVM_CREATE_PIT2, &pit) < 0) {
			ret = -errno;
			vmm_err("KVM_CREATE_PIT2: %s", strerror(errno));
			return ret;
		}
	}
	for (i = 0; i < vm->mem.nr_regions; i++) {
		const struct vmm_mem_region *r = &vm->mem.regions[i];
		struct kvm_userspace_memory_region slot = {
			.slot = i,
			.guest_phys_addr = r->gpa,
			.memory_size = r->size,
			.userspace_addr = (uint64_t)(uintptr_t)r->hva,
		};

		if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &slot) < 0) {
			ret = -errno;
			vmm_err("KVM_SET_USER_MEMORY_REGION: %s",
				strerror(errno));
			return ret;
		}
	}
	for (i = 0; i < vm->nr_vcpus; i++) {
		ret = vmm_vcpu_create(vm, i);
		if (ret)
			return ret;
	}
	return 0;
}

static void vmm_wake_event(void *opaque, uint32_t events)
{
	struct vmm *vm = opaque;
	uint64_t v;

	(void)events;
	if (read(vm->wake_fd, &v, sizeof(v)) < 0)
		vmm_dbg("wake: %s", strerror(errno));
}

int vmm_create(struct vmm *vm, uint64_t mem_size, bool hugetlb,
	       unsigned int nr_vcpus, bool use_kvm)
{
	unsigned int i;
	int ret;

	memset(vm, 0, sizeof(*vm));
	vm->kvm_fd = vm->vm_fd = vm->epoll_fd = vm->wake_fd = -1;
	vm->off_timer_fd = vm->off_ev.fd = -1;
	for (i = 0; i < VMM_MAX_CPUS; i++)
		vm->vcpus[i].fd = -1;
	if (!nr_vcpus || nr_vcpus > VMM_MAX_CPUS)
		return -EINVAL;
	vm->nr_vcpus = nr_vcpus;
	pthread_mutex_init(&vm->lock, NULL);
	vm->routes = calloc(VMM_MAX_ROUTES, sizeof(*vm->routes));
	if (!vm->routes)
		return -ENOMEM;
	vmm_irq_routes_default(vm);

	vm->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	vm->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (vm->epoll_fd < 0 || vm->wake_fd < 0) {
		ret = -errno;
		goto err;
	}
	vm->wake_ev.fn = vmm_wake_event;
	vm->wake_ev.opaque = vm;
	ret = vmm_event_add(vm, &vm->wake_ev, vm->wake_fd, EPOLLIN);
	if (ret)
		goto err;
	ret = vmm_mem_create(&vm->mem, mem_size, hugetlb);
	if (ret) {
		vmm_err("guest memory (%llu MiB%s): %s%s",
			(unsigned long long)(mem_size / VMM_MIB),
			hugetlb ? ", hugetlb" : "", strerror(-ret),
			hugetlb ? " (are there enough free 2 MiB hugepages? see /proc/meminfo)" : "");
		goto err;
	}
	if (use_kvm) {
		ret = vmm_kvm_open(vm);
		if (ret)
			goto err;
	}
	return 0;
err:
	vmm_destroy(vm);
	return ret;
}

void vmm_destroy(struct vmm *vm)
{
	unsigned int i;

	for (i = 0; i < VMM_MAX_CPUS; i++) {
		struct vmm_vcpu *v = &vm->vcpus[i];

		if (v->run)
			munmap(v->run, (size_t)vm->run_size);
		if (v->fd >= 0)
			close(v->fd);
		v->run = NULL;
		v->fd = -1;
	}
	if (vm->off_timer_fd >= 0) {
		vmm_event_del(vm, &vm->off_ev);
		close(vm->off_timer_fd);
	}
	vm->off_timer_fd = -1;
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
	vmm_mem_destroy(&vm->mem);
	if (vm->epoll_fd >= 0)
		close(vm->epoll_fd);
	if (vm->wake_fd >= 0)
		close(vm->wake_fd);
	free(vm->routes);
	vm->routes = NULL;
	vm->vm_fd = vm->kvm_fd = vm->epoll_fd = vm->wake_fd = -1;
}

void vmm_stop(struct vmm *vm, int status, const char *fmt, ...)
{
	int expected = 0;
	unsigned int i;
	va_list ap;

	if (!atomic_compare_exchange_strong(&vm->stopping, &expected, 1))
		return;
	vm->exit_status = status;
	va_start(ap, fmt);
	vsnprintf(vm->exit_reason, sizeof(vm->exit_reason), fmt, ap);
	va_end(ap);
	/* immediate_exit first, so a vCPU about to enter KVM_RUN leaves. */
	for (i = 0; i < vm->nr_vcpus; i++) {
		struct vmm_vcpu *v = &vm->vcpus[i];

		if (v->run)
			__atomic_store_n(&v->run->immediate_exit, 1,
					 __ATOMIC_SEQ_CST);
		if (v->started && !pthread_equal(v->thread, pthread_self()))
			pthread_kill(v->thread, SIGUSR1);
	}
	if (vm->wake_fd >= 0) {
		uint64_t one = 1;

		if (write(vm->wake_fd, &one, sizeof(one)) < 0)
			vmm_dbg("wake: %s", strerror(errno));
	}
}

static void vmm_vcpu_dump(struct vmm_vcpu *v)
{
	struct kvm_regs r;
	struct kvm_sregs s;

	if (ioctl(v->fd, KVM_GET_REGS, &r) < 0 ||
	    ioctl(v->fd, KVM_GET_SREGS, &s) < 0)
		return;
	vmm_err("vcpu %u: rip %016llx rsp %016llx rflags %08llx cr0 %llx cr3 %llx cr4 %llx efer %llx cs %04x",
		v->id, r.rip, r.rsp, r.rflags, s.cr0, s.cr3, s.cr4, s.efer,
		s.cs.selector);
	vmm_err("vcpu %u: rax %llx rbx %llx rcx %llx rdx %llx rsi %llx rdi %llx",
		v->id, r.rax, r.rbx, r.rcx, r.rdx, r.rsi, r.rdi);
}

bool
vmm_vcpu_state_off(uint32_t mp_state, uint64_t rflags)
{
	switch (mp_state) {
	case KVM_MP_STATE_HALTED:
		/* Only an NMI, INIT or SMI wakes it, and Linux sends none to
		 * a CPU it has stopped. */
		return !(rflags & VMM_RFLAGS_IF);
	case KVM_MP_STATE_UNINITIALIZED:
	case KVM_MP_STATE_INIT_RECEIVED:
		/* An AP waiting for a SIPI that will not come. */
		return true;
	default:
		return false;
	}
}

/*
 * vCPU thread, kicked out of KVM_RUN by the main thread's probe: record
 * whether this vCPU is off; the last one to go off stops the VM.  A guest
 * without ACPI that powers off (Linux turns the poweroff into a halt when
 * nothing can cut the power) ends like this, with every CPU in "cli; hlt".
 */
static void
vmm_vcpu_check_off(struct vmm_vcpu *v)
{
	struct vmm *vm = v->vm;
	struct kvm_mp_state mp;
	struct kvm_regs r;
	unsigned int i;

	if (ioctl(v->fd, KVM_GET_MP_STATE, &mp) < 0 ||
	    ioctl(v->fd, KVM_GET_REGS, &r) < 0)
		return;
	if (!vmm_vcpu_state_off(mp.mp_state, r.rflags)) {
		atomic_store(&v->off, false);
		return;
	}
	atomic_store(&v->off, true);
	for (i = 0; i < vm->nr_vcpus; i++)
		if (!atomic_load(&vm->vcpus[i].off))
			return;
	vmm_stop(vm, VMM_EXIT_OK,
		 "guest powered off (all vCPUs halted, interrupts off)");
}

static void vmm_vcpu_pio(struct vmm_vcpu *v)
{
	struct vmm *vm = v->vm;
	struct kvm_run *run = v->run;
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	bool write = run->io.direction == KVM_EXIT_IO_OUT;
	uint32_t i;

	if (write && run->io.port == VMM_PORT_EXIT) {
		vmm_stop(vm, data[0], "guest wrote %u to the exit port",
			 data[0]);
		return;
	}
	pthread_mutex_lock(&vm->lock);
	for (i = 0; i < run->io.count; i++) {
		vmm_io_bus_access(&vm->pio, run->io.port, data, run->io.size,
				  write);
		data += run->io.size;
	}
	pthread_mutex_unlock(&vm->lock);
}

static void vmm_vcpu_mmio(struct vmm_vcpu *v)
{
	struct vmm *vm = v->vm;
	struct kvm_run *run = v->run;
	uint32_t len = run->mmio.len;

	if (len > sizeof(run->mmio.data))
		len = sizeof(run->mmio.data);
	pthread_mutex_lock(&vm->lock);
	vmm_io_bus_access(&vm->mmio, run->mmio.phys_addr, run->mmio.data, len,
			  run->mmio.is_write);
	pthread_mutex_unlock(&vm->lock);
}

static void vmm_vcpu_sigusr1(int sig)
{
	(void)sig;
}

static void *vmm_vcpu_thread(void *arg)
{
	struct vmm_vcpu *v = arg;
	struct vmm *vm = v->vm;
	sigset_t set;
	char name[16];

	snprintf(name, sizeof(name), "vcpu%u", v->id);
	pthread_setname_np(pthread_self(), name);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);

	while (!atomic_load(&vm->stopping)) {
		struct kvm_run *run = v->run;
		uint_fast64_t zero = 0;

		if (ioctl(v->fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN) {
				bool asked = false;

				if (atomic_exchange(&v->dump_req, 0)) {
					vmm_vcpu_dump(v);
					asked = true;
				}
				if (atomic_exchange(&v->off_req, 0)) {
					vmm_vcpu_check_off(v);
					asked = true;
				}
				if (asked && !atomic_load(&vm->stopping))
					__atomic_store_n(&run->immediate_exit,
							 0, __ATOMIC_SEQ_CST);
				continue;
			}
			vmm_stop(vm, VMM_EXIT_KVM_ERROR, "vcpu %u: KVM_RUN: %s",
				 v->id, strerror(errno));
			break;
		}
		atomic_compare_exchange_strong(&vm->t_first_exit_ns, &zero,
					       vmm_now_ns());
		/* It ran: whatever the last probe saw is over. */
		if (atomic_load_explicit(&v->off, memory_order_relaxed))
			atomic_store(&v->off, false);
		switch (run->exit_reason) {
		case KVM_EXIT_IO:
			vmm_vcpu_pio(v);
			break;
		case KVM_EXIT_MMIO:
			vmm_vcpu_mmio(v);
			break;
		case KVM_EXIT_INTR:
			break;
		case KVM_EXIT_HLT:
			vmm_stop(vm, VMM_EXIT_OK, "vcpu %u halted", v->id);
			break;
		case KVM_EXIT_SHUTDOWN:
			vmm_vcpu_dump(v);
			vmm_stop(vm, VMM_EXIT_TRIPLE_FAULT,
				 "vcpu %u: triple fault (shutdown)", v->id);
			break;
		case KVM_EXIT_SYSTEM_EVENT:
			vmm_stop(vm, VMM_EXIT_OK, "vcpu %u: system event %u",
				 v->id, run->system_event.type);
			break;
		case KVM_EXIT_FAIL_ENTRY:
			vmm_vcpu_dump(v);
			vmm_stop(vm, VMM_EXIT_KVM_ERROR,
				 "vcpu %u: entry failed, reason 0x%llx", v->id,
				 (unsigned long long)run->fail_entry
					 .hardware_entry_failure_reason);
			break;
		case KVM_EXIT_INTERNAL_ERROR:
			vmm_vcpu_dump(v);
			vmm_stop(vm, VMM_EXIT_KVM_ERROR,
				 "vcpu %u: KVM internal error, suberror %u",
				 v->id, run->internal.suberror);
			break;
		default:
			vmm_vcpu_dump(v);
			vmm_stop(vm, VMM_EXIT_KVM_ERROR,
				 "vcpu %u: unexpected exit reason %u", v->id,
				 run->exit_reason);
			break;
		}
	}
	return NULL;
}

/* Main thread, every VMM_OFF_PROBE_MS: ask each vCPU whether it is off. */
static void
vmm_off_probe(void *opaque, uint32_t events)
{
	struct vmm *vm = opaque;
	uint64_t ticks;
	unsigned int i;

	(void)events;
	if (read(vm->off_timer_fd, &ticks, sizeof(ticks)) < 0)
		return;
	for (i = 0; i < vm->nr_vcpus; i++) {
		struct vmm_vcpu *v = &vm->vcpus[i];

		if (!v->started)
			continue;
		atomic_store(&v->off_req, 1);
		__atomic_store_n(&v->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
		pthread_kill(v->thread, SIGUSR1);
	}
}

/*
 * The power-off watch.  With the in-kernel irqchip KVM handles HLT
 * itself, so a halted guest never exits to the VMM: a timer kicks the
 * vCPUs out of KVM_RUN now and then and each reads its own state.
 */
static int
vmm_off_watch_start(struct vmm *vm)
{
	struct itimerspec its = {
		.it_interval.tv_nsec = VMM_OFF_PROBE_MS * 1000000L,
		.it_value.tv_nsec = VMM_OFF_PROBE_MS * 1000000L,
	};
	int ret;

	vm->off_timer_fd =
		timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (vm->off_timer_fd < 0)
		return -errno;
	if (timerfd_settime(vm->off_timer_fd, 0, &its, NULL) < 0) {
		ret = -errno;
		goto err_close;
	}
	vm->off_ev.fn = vmm_off_probe;
	vm->off_ev.opaque = vm;
	ret = vmm_event_add(vm, &vm->off_ev, vm->off_timer_fd, EPOLLIN);
	if (ret)
		goto err_close;
	return 0;
err_close:
	close(vm->off_timer_fd);
	vm->off_timer_fd = -1;
	return ret;
}

int vmm_vcpus_start(struct vmm *vm)
{
	struct sigaction sa = { .sa_handler = vmm_vcpu_sigusr1 };
	unsigned int i;
	int ret;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	ret = vmm_off_watch_start(vm);
	if (ret) {
		vmm_err("power-off watch (timerfd): %s", strerror(-ret));
		vmm_stop(vm, VMM_EXIT_ERROR, "no power-off watch");
		return ret;
	}
	vm->t_setup_ns = vmm_now_ns();
	for (i = 0; i < vm->nr_vcpus; i++) {
		struct vmm_vcpu *v = &vm->vcpus[i];

		ret = pthread_create(&v->thread, NULL, vmm_vcpu_thread, v);
		if (ret) {
			vmm_err("vcpu %u thread: %s", i, strerror(ret));
			vmm_stop(vm, VMM_EXIT_ERROR, "no vcpu thread");
			return -ret;
		}
		v->started = true;
	}
	return 0;
}

void vmm_vcpus_dump(struct vmm *vm)
{
	unsigned int i;

	for (i = 0; i < vm->nr_vcpus; i++) {
		struct vmm_vcpu *v = &vm->vcpus[i];

		if (!v->started)
			continue;
		atomic_store(&v->dump_req, 1);
		__atomic_store_n(&v->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
		pthread_kill(v->thread, SIGUSR1);
	}
}

void vmm_vcpus_join(struct vmm *vm)
{
	unsigned int i;

	for (i = 0; i < vm->nr_vcpus; i++) {
		struct vmm_vcpu *v = &vm->vcpus[i];

		if (!v->started)
			continue;
		pthread_join(v->thread, NULL);
		v->started = false;
	}
}

int vmm_loop_run(struct vmm *vm, int timeout_ms)
{
	uint64_t end = timeout_ms >= 0 ?
			       vmm_now_ns() + (uint64_t)timeout_ms * 1000000ULL : 0;

	while (!atomic_load(&vm->stopping)) {
		struct epoll_event evs[16];
		int wait = -1, n, i;

		if (timeout_ms >= 0) {
			uint64_t now = vmm_now_ns();

			if (now >= end)
				return 0;
			wait = (int)((end - now) / 1000000ULL) + 1;
		}
		n = epoll_wait(vm->epoll_fd, evs, VMM_ARRAY_SIZE(evs), wait);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (i = 0; i < n; i++) {
			struct vmm_event *ev = evs[i].data.ptr;

			if (ev && ev->fn)
				ev->fn(ev->opaque, evs[i].events);
		}
	}
	return 0;
}
