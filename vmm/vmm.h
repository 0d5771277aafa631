/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nfv-vmm: a small KVM VMM whose virtio-net NICs are vhost-user ports.
 *
 * Threads: one thread per vCPU runs KVM_RUN and handles port and MMIO
 * exits; the main thread runs an epoll loop (signals, vhost-user
 * disconnects and reconnects, interrupts that cannot go through irqfd,
 * console input).  All device model state is guarded by vmm->lock, which
 * both kinds of thread take around every device access.  No packet passes
 * through the VMM: the vhost-user backend reads and writes the guest's
 * rings in the shared guest memory, KVM ioeventfds carry the guest's kicks
 * to it and KVM irqfds carry its interrupts to the guest.
 */
#ifndef NFV_VMM_H
#define NFV_VMM_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/kvm.h>

#define VMM_MAX_CPUS 32
#define VMM_MAX_NICS 8
#define VMM_MAX_QUEUE_PAIRS 8

#define VMM_MIB (1024ULL * 1024)
#define VMM_GIB (1024ULL * VMM_MIB)

/*
 * Exit status of nfv-vmm.  A test payload may exit with any status
 * 0..255 by writing it to VMM_PORT_EXIT.
 */
enum vmm_exit {
	VMM_EXIT_OK = 0,	/* guest reset or powered off */
	VMM_EXIT_ERROR = 1,	/* VMM setup failed */
	VMM_EXIT_USAGE = 2,	/* bad command line */
	VMM_EXIT_TRIPLE_FAULT = 3,
	VMM_EXIT_KVM_ERROR = 4,	/* internal error, failed entry, unknown exit */
};

/* A write of one byte here stops the VM with that byte as exit status. */
#define VMM_PORT_EXIT 0x501

/* ---- logging (log.c) ---- */
enum vmm_log_level {
	VMM_LOG_ERR,
	VMM_LOG_WARN,
	VMM_LOG_INFO,
	VMM_LOG_DEBUG,
};
extern int vmm_log_level;
void vmm_log(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/*
 * For errors a guest can cause at will: rate limited (10 per second),
 * so that a hostile guest cannot flood the log.  Any thread.
 */
void vmm_log_guest(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
uint64_t vmm_log_guest_count(void);

#define vmm_err(...) vmm_log(VMM_LOG_ERR, __VA_ARGS__)
#define vmm_warn(...) vmm_log(VMM_LOG_WARN, __VA_ARGS__)
#define vmm_info(...) vmm_log(VMM_LOG_INFO, __VA_ARGS__)
#define vmm_dbg(...)                                                     \
	do {                                                             \
		if (vmm_log_level >= VMM_LOG_DEBUG)                      \
			vmm_log(VMM_LOG_DEBUG, __VA_ARGS__);             \
	} while (0)

uint64_t vmm_now_ns(void);

/* ---- guest memory (mem.c) ---- */

/*
 * Guest physical layout: RAM from 0 up to the PCI hole at 3 GiB, the rest
 * of RAM from 4 GiB.  The hole holds the PCI BARs, the IOAPIC and the
 * local APIC.
 */
#define VMM_MEM_HOLE_START (3 * VMM_GIB)
#define VMM_MEM_HIGH_START (4 * VMM_GIB)
#define VMM_PCI_MMIO_START VMM_MEM_HOLE_START
#define VMM_PCI_MMIO_END 0xfec00000ULL
#define VMM_MIN_MEM (32 * VMM_MIB)

struct vmm_mem_region {
	uint64_t gpa;
	uint64_t size;
	uint8_t *hva;
	uint64_t fd_offset;
};

struct vmm_mem {
	int fd;			/* memfd backing all of RAM */
	uint8_t *base;		/* host mapping of the whole memfd */
	uint64_t size;		/* RAM size in bytes */
	uint64_t map_size;	/* mapping including guard pages */
	uint8_t *map;
	bool hugetlb;
	unsigned int nr_regions;
	struct vmm_mem_region regions[2];
};

int vmm_mem_create(struct vmm_mem *m, uint64_t size, bool hugetlb);
void vmm_mem_destroy(struct vmm_mem *m);
/*
 * Host address of [gpa, gpa + len) if the whole range is guest RAM in one
 * region, else NULL.  Every guest-supplied address goes through this.
 */
void *vmm_mem_ptr(const struct vmm_mem *m, uint64_t gpa, uint64_t len);

/* ---- port and MMIO dispatch (iobus.c) ---- */
typedef void vmm_io_fn(void *opaque, uint64_t off, uint8_t *data,
		       uint32_t len, bool write);

struct vmm_io_range {
	uint64_t base;
	uint64_t len;
	vmm_io_fn *fn;
	void *opaque;
};

#define VMM_IO_MAX_RANGES 32
struct vmm_io_bus {
	unsigned int nr;
	struct vmm_io_range r[VMM_IO_MAX_RANGES];
	uint64_t unhandled;
};

int vmm_io_bus_register(struct vmm_io_bus *b, uint64_t base, uint64_t len,
			vmm_io_fn *fn, void *opaque);
/* false: nobody decodes addr (reads then see all ones). */
bool vmm_io_bus_access(struct vmm_io_bus *b, uint64_t addr, uint8_t *data,
		       uint32_t len, bool write);

/* ---- the VM (kvm.c) ---- */
typedef void vmm_event_fn(void *opaque, uint32_t events);
struct vmm_event {
	vmm_event_fn *fn;
	void *opaque;
	int fd;
};

struct vmm_vcpu {
	struct vmm *vm;
	unsigned int id;
	int fd;
	struct kvm_run *run;
	pthread_t thread;
	bool started;
	atomic_int dump_req;	/* main thread asks for a register dump */
	atomic_int off_req;	/* main thread asks: powered off? */
	/* Set by this vCPU's thread: it was halted with interrupts disabled
	 * (or never started) when last asked; cleared by its next exit. */
	atomic_bool off;
};

struct vmm_pci;
struct vmm_serial;
struct vmm_legacy;
struct vmm_net;

#define VMM_MAX_GSI 1024
#define VMM_MAX_ROUTES 1024

struct vmm {
	int kvm_fd;
	int vm_fd;		/* < 0: no KVM (unit tests, fuzzing) */
	int run_size;
	struct vmm_mem mem;
	struct vmm_io_bus pio;
	struct vmm_io_bus mmio;
	/* The device model lock: every device access holds it. */
	pthread_mutex_t lock;

	unsigned int nr_vcpus;
	struct vmm_vcpu vcpus[VMM_MAX_CPUS];

	struct vmm_pci *pci;
	struct vmm_serial *serial;
	struct vmm_legacy *legacy;
	unsigned int nr_nets;
	struct vmm_net *nets[VMM_MAX_NICS];

	/* GSI routing: the default irqchip routes plus one MSI per vector. */
	unsigned int next_gsi;
	unsigned int nr_routes;
	struct kvm_irq_routing_entry *routes;
	/* Without KVM: MSIs and line changes are counted for tests. */
	uint64_t msi_count;
	uint64_t line_raise_count;

	int epoll_fd;
	int wake_fd;		/* eventfd: a vCPU thread stopped the VM */
	struct vmm_event wake_ev;
	/* timerfd: the main thread asks the vCPUs whether the guest powered
	 * off (every vCPU halted with interrupts disabled, see kvm.c). */
	int off_timer_fd;
	struct vmm_event off_ev;
	atomic_int stopping;
	int exit_status;
	char exit_reason[128];

	uint64_t t_start_ns;	/* process start, for --timing */
	uint64_t t_setup_ns;	/* vCPUs about to run */
	atomic_uint_fast64_t t_first_exit_ns;
	unsigned int ioeventfd_any_len : 1;
};

int vmm_create(struct vmm *vm, uint64_t mem_size, bool hugetlb,
	       unsigned int nr_vcpus, bool use_kvm);
void vmm_destroy(struct vmm *vm);
int vmm_vcpus_start(struct vmm *vm);
/* Stop the VM from any thread: status is the process exit status. */
void vmm_stop(struct vmm *vm, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void vmm_vcpus_join(struct vmm *vm);
/* Main thread: every vCPU logs its registers (SIGUSR2 on nfv-vmm). */
void vmm_vcpus_dump(struct vmm *vm);
#define VMM_RFLAGS_IF (1ULL << 9)
/* How often the main thread checks for a powered-off guest. */
#define VMM_OFF_PROBE_MS 250
/*
 * Is a vCPU with this KVM_GET_MP_STATE and RFLAGS off for good: halted
 * with interrupts disabled (what Linux's halt and poweroff leave without
 * ACPI), or an AP the guest never started?  Any thread; no KVM needed.
 */
bool vmm_vcpu_state_off(uint32_t mp_state, uint64_t rflags);

/* Interrupts (callers hold vm->lock or run before the vCPUs start). */
int vmm_irq_line(struct vmm *vm, unsigned int gsi, int level);
int vmm_irq_msi(struct vmm *vm, uint64_t addr, uint32_t data);
unsigned int vmm_irq_alloc_gsi(struct vmm *vm, unsigned int n);
int vmm_irq_route_msi(struct vmm *vm, unsigned int gsi, uint64_t addr,
		      uint32_t data, bool present);
int vmm_irqfd(struct vmm *vm, int fd, unsigned int gsi, bool assign);
int vmm_ioeventfd(struct vmm *vm, uint64_t addr, uint32_t len, int fd,
		  bool assign);

/* ---- main loop hooks (main thread) ---- */
int vmm_event_add(struct vmm *vm, struct vmm_event *ev, int fd,
		  uint32_t events);
void vmm_event_del(struct vmm *vm, struct vmm_event *ev);
/* Runs events until the VM stops or timeout_ms passes (-1: no limit). */
int vmm_loop_run(struct vmm *vm, int timeout_ms);

/* ---- boot (boot.c) ---- */
#define VMM_BOOT_GDT 0x500
#define VMM_BOOT_ZERO_PAGE 0x7000
#define VMM_BOOT_STACK 0x8ff0
#define VMM_BOOT_PML4 0x9000
#define VMM_BOOT_PDPT 0xa000
#define VMM_BOOT_PD 0xb000	/* four pages: 4 GiB of 2 MiB pages */
#define VMM_BOOT_CMDLINE 0x20000
#define VMM_BOOT_CMDLINE_MAX 4096
#define VMM_BOOT_EBDA 0x9fc00	/* low RAM ends here */
#define VMM_BOOT_MPTABLE 0xf0000	/* MP tables, in the BIOS area */
#define VMM_BOOT_PAYLOAD 0x100000
#define VMM_BOOT_REAL_SEG 0x1000

enum vmm_boot_mode {
	VMM_BOOT_LINUX,		/* 64-bit boot protocol */
	VMM_BOOT_LONG,		/* flat payload, long mode */
	VMM_BOOT_REAL,		/* flat payload, real mode at 1000:0000 */
};

struct vmm_boot {
	enum vmm_boot_mode mode;
	uint64_t entry;
	uint64_t kernel_addr;
	uint64_t kernel_size;
	uint64_t initrd_addr;
	uint64_t initrd_size;
};

/* Before any VM: is kernel a 64-bit bzImage; RAM it needs with initrd. */
int vmm_boot_probe_linux(const char *kernel, const char *initrd,
			 uint64_t *min_mem);
int vmm_boot_load_linux(struct vmm *vm, const char *kernel,
			const char *initrd, const char *cmdline,
			struct vmm_boot *b);
int vmm_boot_load_payload(struct vmm *vm, const char *file,
			  enum vmm_boot_mode mode, const char *cmdline,
			  struct vmm_boot *b);
int vmm_boot_setup_vcpu(struct vmm_vcpu *v, const struct vmm_boot *b);

/* ---- MP table (mptable.c) ---- */
int vmm_mptable_write(struct vmm *vm);

/* ---- legacy PC devices (serial.c, legacy.c) ---- */
int vmm_serial_create(struct vmm *vm, int out_fd, int in_fd);
void vmm_serial_destroy(struct vmm *vm);
int vmm_legacy_create(struct vmm *vm);
void vmm_legacy_destroy(struct vmm *vm);

#define VMM_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define VMM_ALIGN_UP(x, a) (((x) + (a) - 1) & ~((uint64_t)(a) - 1))

#endif
