// SPDX-License-Identifier: BSD-3-Clause
/*
 * Booting: the 64-bit Linux boot protocol (Documentation/x86/boot.rst:
 * zero page with the setup header, e820 map, command line, initrd) and
 * flat test payloads in long or real mode.  Everything here runs on the
 * main thread before the vCPUs start.
 *
 * Low guest memory while booting:
 *   0x00500  GDT                    0x07000  zero page (boot_params)
 *   0x08ff0  boot stack top         0x09000  PML4, 0xa000 PDPT,
 *   0x0b000  4 page directories: the first 4 GiB identity mapped, 2 MiB pages
 *   0x20000  command line           0xf0000  MP table (reserved in e820)
 *   kernel at its preferred address (16 MiB for Debian's), initrd at the
 *   top of low RAM.
 */
#include <asm/bootparam.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vmm.h"

#define VMM_BOOT_CS 0x10
#define VMM_BOOT_DS 0x18
#define VMM_BOOT_TSS 0x20
#define VMM_PAYLOAD_STACKS 0x60000	/* one page per vCPU for payloads */

#define HDR_MAGIC 0x53726448	/* "HdrS" */

struct vmm_boot_info {
	uint64_t pm_off;	/* protected-mode kernel in the file */
	uint64_t pm_size;
	uint64_t init_size;	/* memory it needs from its load address */
	uint64_t load;
};

#define MSR_IA32_SYSENTER_CS 0x174
#define MSR_IA32_SYSENTER_ESP 0x175
#define MSR_IA32_SYSENTER_EIP 0x176
#define MSR_IA32_MISC_ENABLE 0x1a0
#define MSR_MTRR_DEF_TYPE 0x2ff
#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_CSTAR 0xc0000083
#define MSR_SYSCALL_MASK 0xc0000084
#define MSR_KERNEL_GS_BASE 0xc0000102

static int vmm_pread_all(int fd, void *buf, size_t len, off_t off)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t n = pread(fd, p, len, off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EIO;
		p += n;
		len -= (size_t)n;
		off += n;
	}
	return 0;
}

/* The low-RAM end: RAM below the PCI hole. */
static uint64_t vmm_boot_low_end(const struct vmm *vm)
{
	return vm->mem.regions[0].size;
}

static void vmm_boot_e820(struct vmm *vm, struct boot_params *bp)
{
	struct boot_e820_entry *e = bp->e820_table;
	unsigned int n = 0;

	e[n++] = (struct boot_e820_entry){ 0, VMM_BOOT_EBDA, 1 };
	e[n++] = (struct boot_e820_entry){ VMM_BOOT_EBDA,
					   0xa0000 - VMM_BOOT_EBDA, 2 };
	e[n++] = (struct boot_e820_entry){ 0xf0000, 0x10000, 2 };
	e[n++] = (struct boot_e820_entry){ 0x100000,
					   vmm_boot_low_end(vm) - 0x100000, 1 };
	if (vm->mem.nr_regions > 1)
		e[n++] = (struct boot_e820_entry){ vm->mem.regions[1].gpa,
						   vm->mem.regions[1].size, 1 };
	bp->e820_entries = (uint8_t)n;
}

static int vmm_boot_cmdline(struct vmm *vm, struct boot_params *bp,
			    const char *cmdline, size_t max)
{
	size_t len = cmdline ? strlen(cmdline) : 0;
	char *dst = vmm_mem_ptr(&vm->mem, VMM_BOOT_CMDLINE, VMM_BOOT_CMDLINE_MAX);

	if (max > VMM_BOOT_CMDLINE_MAX)
		max = VMM_BOOT_CMDLINE_MAX;
	if (len + 1 > max) {
		vmm_err("kernel command line is %zu bytes; this kernel takes at most %zu",
			len, max - 1);
		return -E2BIG;
	}
	memcpy(dst, cmdline ? cmdline : "", len + 1);
	bp->hdr.cmd_line_ptr = VMM_BOOT_CMDLINE;
	bp->hdr.cmdline_size = (uint32_t)(max - 1);
	return 0;
}

/* Identity map the first 4 GiB with 2 MiB pages, and a flat GDT. */
static void vmm_boot_tables(struct vmm *vm)
{
	uint64_t *pml4 = vmm_mem_ptr(&vm->mem, VMM_BOOT_PML4, 4096);
	uint64_t *pdpt = vmm_mem_ptr(&vm->mem, VMM_BOOT_PDPT, 4096);
	uint64_t *pd = vmm_mem_ptr(&vm->mem, VMM_BOOT_PD, 4 * 4096);
	uint64_t *gdt = vmm_mem_ptr(&vm->mem, VMM_BOOT_GDT, 6 * 8);
	unsigned int i;

	memset(pml4, 0, 4096);
	memset(pdpt, 0, 4096);
	pml4[0] = VMM_BOOT_PDPT | 0x3;
	for (i = 0; i < 4; i++)
		pdpt[i] = (VMM_BOOT_PD + i * 4096ULL) | 0x3;
	for (i = 0; i < 4 * 512; i++)
		pd[i] = ((uint64_t)i << 21) | 0x83;	/* present, rw, 2M */

	gdt[0] = 0;
	gdt[1] = 0;
	gdt[2] = 0x00af9b000000ffffULL;	/* 0x10: 64-bit code */
	gdt[3] = 0x00cf93000000ffffULL;	/* 0x18: data */
	gdt[4] = 0x00008b0000000fffULL;	/* 0x20: TSS (64-bit, busy) */
	gdt[5] = 0;
}

/*
 * Checks that kernel is a 64-bit bzImage and works out where it loads.
 * Logs what is wrong.  Needs no VM: main() calls it before creating one,
 * so that a wrong file fails at once.
 */
static int vmm_boot_header(const char *kernel, int fd, uint8_t *head,
			   size_t head_len, struct vmm_boot_info *info)
{
	struct setup_header *hdr;
	unsigned int setup_sects;
	struct stat st;

	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		vmm_err("--kernel %s: not a regular file", kernel);
		return -EINVAL;
	}
	if (st.st_size < (off_t)head_len ||
	    vmm_pread_all(fd, head, head_len, 0)) {
		vmm_err("--kernel %s: not a bzImage (too short)", kernel);
		return -ENOEXEC;
	}
	hdr = (struct setup_header *)(head + 0x1f1);
	if (hdr->boot_flag != 0xaa55 || hdr->header != HDR_MAGIC) {
		vmm_err("--kernel %s: not a bzImage (no Linux boot header; an ELF vmlinux will not do)",
			kernel);
		return -ENOEXEC;
	}
	if (hdr->version < 0x020c || !(hdr->xloadflags & XLF_KERNEL_64)) {
		vmm_err("--kernel %s: boot protocol %u.%02u without a 64-bit entry point (need 2.12+, a 64-bit kernel)",
			kernel, hdr->version >> 8, hdr->version & 0xff);
		return -ENOEXEC;
	}
	setup_sects = hdr->setup_sects ? hdr->setup_sects : 4;
	info->pm_off = (setup_sects + 1) * 512ULL;
	if ((uint64_t)st.st_size <= info->pm_off) {
		vmm_err("--kernel %s: truncated bzImage", kernel);
		return -ENOEXEC;
	}
	info->pm_size = (uint64_t)st.st_size - info->pm_off;
	info->init_size = hdr->init_size > info->pm_size ? hdr->init_size :
							    info->pm_size;
	info->load = hdr->pref_address >= 0x100000 ? hdr->pref_address :
						      0x1000000;
	if (hdr->kernel_alignment > 1)
		info->load = VMM_ALIGN_UP(info->load, hdr->kernel_alignment);
	return 0;
}

int vmm_boot_probe_linux(const char *kernel, const char *initrd,
			 uint64_t *min_mem)
{
	struct vmm_boot_info info;
	uint8_t head[0x400];
	struct stat st;
	int fd, ret;

	fd = open(kernel, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		vmm_err("--kernel %s: %s", kernel, strerror(errno));
		return ret;
	}
	ret = vmm_boot_header(kernel, fd, head, sizeof(head), &info);
	close(fd);
	if (ret)
		return ret;
	*min_mem = info.load + info.init_size;
	if (initrd) {
		if (stat(initrd, &st) < 0) {
			ret = -errno;
			vmm_err("--initrd %s: %s", initrd, strerror(errno));
			return ret;
		}
		*min_mem += VMM_ALIGN_UP((uint64_t)st.st_size, 4096);
	}
	return 0;
}

int vmm_boot_load_linux(struct vmm *vm, const char *kernel,
			const char *initrd, const char *cmdline,
			struct vmm_boot *b)
{
	uint8_t head[0x400];
	struct boot_params *bp;
	struct setup_header *hdr;
	struct vmm_boot_info info;
	uint64_t load, pm_size, low_end, kend;
	unsigned int hdr_end;
	int fd, ret;

	memset(b, 0, sizeof(*b));
	fd = open(kernel, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		vmm_err("--kernel %s: %s", kernel, strerror(errno));
		return ret;
	}
	ret = vmm_boot_header(kernel, fd, head, sizeof(head), &info);
	if (ret)
		goto out;
	hdr = (struct setup_header *)(head + 0x1f1);
	load = info.load;
	pm_size = info.pm_size;
	low_end = vmm_boot_low_end(vm);
	kend = load + info.init_size;
	if (kend > low_end) {
		vmm_err("--mem %llu MiB is too little for this kernel: it needs %llu MiB below 3 GiB before the initrd",
			(unsigned long long)(vm->mem.size / VMM_MIB),
			(unsigned long long)((kend + VMM_MIB - 1) / VMM_MIB));
		ret = -ENOMEM;
		goto out;
	}
	ret = vmm_pread_all(fd, vmm_mem_ptr(&vm->mem, load, pm_size), pm_size,
			    (off_t)info.pm_off);
	if (ret) {
		vmm_err("--kernel %s: read: %s", kernel, strerror(-ret));
		goto out;
	}

	bp = vmm_mem_ptr(&vm->mem, VMM_BOOT_ZERO_PAGE, sizeof(*bp));
	memset(bp, 0, sizeof(*bp));
	/* The setup header runs from 0x1f1 to 0x202 + the byte at 0x201. */
	hdr_end = 0x202 + head[0x201];
	if (hdr_end > 0x1f1 + sizeof(*hdr))
		hdr_end = 0x1f1 + sizeof(*hdr);
	memcpy(&bp->hdr, head + 0x1f1, hdr_end - 0x1f1);
	bp->hdr.type_of_loader = 0xff;
	bp->hdr.loadflags |= CAN_USE_HEAP;
	bp->hdr.heap_end_ptr = 0xfe00;
	bp->hdr.code32_start = (uint32_t)load;
	bp->hdr.vid_mode = 0xffff;
	ret = vmm_boot_cmdline(vm, bp, cmdline,
			       hdr->cmdline_size ? hdr->cmdline_size + 1ULL :
						   256);
	if (ret)
		goto out;

	if (initrd) {
		uint64_t top = low_end, addr;
		struct stat ist;
		int ifd;

		if (hdr->initrd_addr_max && top > hdr->initrd_addr_max + 1ULL)
			top = hdr->initrd_addr_max + 1ULL;
		ifd = open(initrd, O_RDONLY | O_CLOEXEC);
		if (ifd < 0) {
			ret = -errno;
			vmm_err("--initrd %s: %s", initrd, strerror(errno));
			goto out;
		}
		if (fstat(ifd, &ist) < 0 || !S_ISREG(ist.st_mode) ||
		    ist.st_size == 0) {
			vmm_err("--initrd %s: not a regular, non-empty file",
				initrd);
			close(ifd);
			ret = -EINVAL;
			goto out;
		}
		addr = (top - (uint64_t)ist.st_size) & ~0xfffULL;
		if ((uint64_t)ist.st_size > top || addr < kend) {
			vmm_err("--mem %llu MiB is too little: kernel (%llu MiB) and initrd (%llu MiB) do not fit below 3 GiB",
				(unsigned long long)(vm->mem.size / VMM_MIB),
				(unsigned long long)(kend / VMM_MIB),
				(unsigned long long)(ist.st_size / (off_t)VMM_MIB));
			close(ifd);
			ret = -ENOMEM;
			goto out;
		}
		ret = vmm_pread_all(ifd, vmm_mem_ptr(&vm->mem, addr, (uint64_t)ist.st_size),
				    (size_t)ist.st_size, 0);
		close(ifd);
		if (ret) {
			vmm_err("--initrd %s: read: %s", initrd, strerror(-ret));
			goto out;
		}
		bp->hdr.ramdisk_image = (uint32_t)addr;
		bp->hdr.ramdisk_size = (uint32_t)ist.st_size;
		b->initrd_addr = addr;
		b->initrd_size = (uint64_t)ist.st_size;
	}
	vmm_boot_e820(vm, bp);
	vmm_boot_tables(vm);

	b->mode = VMM_BOOT_LINUX;
	b->kernel_addr = load;
	b->kernel_size = pm_size;
	b->entry = load + 0x200;
	ret = 0;
out:
	close(fd);
	return ret;
}

int vmm_boot_load_payload(struct vmm *vm, const char *file,
			  enum vmm_boot_mode mode, const char *cmdline,
			  struct vmm_boot *b)
{
	uint64_t addr = mode == VMM_BOOT_REAL ? VMM_BOOT_REAL_SEG * 16ULL :
						VMM_BOOT_PAYLOAD;
	uint64_t max = mode == VMM_BOOT_REAL ? 0xf000 : 16 * VMM_MIB;
	struct boot_params *bp;
	struct stat st;
	int fd, ret;

	memset(b, 0, sizeof(*b));
	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		vmm_err("--payload %s: %s", file, strerror(errno));
		return ret;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size == 0 ||
	    (uint64_t)st.st_size > max) {
		vmm_err("--payload %s: want a regular file of 1..%llu bytes",
			file, (unsigned long long)max);
		close(fd);
		return -EINVAL;
	}
	ret = vmm_pread_all(fd, vmm_mem_ptr(&vm->mem, addr, (uint64_t)st.st_size),
			    (size_t)st.st_size, 0);
	close(fd);
	if (ret) {
		vmm_err("--payload %s: read: %s", file, strerror(-ret));
		return ret;
	}
	/* Payloads get a zero page too: the command line selects tests. */
	bp = vmm_mem_ptr(&vm->mem, VMM_BOOT_ZERO_PAGE, sizeof(*bp));
	memset(bp, 0, sizeof(*bp));
	ret = vmm_boot_cmdline(vm, bp, cmdline, VMM_BOOT_CMDLINE_MAX);
	if (ret)
		return ret;
	vmm_boot_e820(vm, bp);
	vmm_boot_tables(vm);
	b->mode = mode;
	b->kernel_addr = addr;
	b->kernel_size = (uint64_t)st.st_size;
	b->entry = mode == VMM_BOOT_REAL ? 0 : addr;
	return 0;
}

static void vmm_seg(struct kvm_segment *s, uint16_t sel, uint8_t type,
		    bool code64)
{
	*s = (struct kvm_segment){
		.base = 0,
		.limit = 0xffffffff,
		.selector = sel,
		.type = type,
		.present = 1,
		.dpl = 0,
		.db = code64 ? 0 : 1,
		.s = 1,
		.l = code64 ? 1 : 0,
		.g = 1,
	};
}

static int vmm_vcpu_set_msrs(struct vmm_vcpu *v)
{
	static const uint32_t idx[] = {
		MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP,
		MSR_IA32_SYSENTER_EIP, MSR_STAR, MSR_LSTAR, MSR_CSTAR,
		MSR_SYSCALL_MASK, MSR_KERNEL_GS_BASE, MSR_IA32_MISC_ENABLE,
		MSR_MTRR_DEF_TYPE,
	};
	union {
		struct kvm_msrs h;
		uint8_t buf[sizeof(struct kvm_msrs) +
			    VMM_ARRAY_SIZE(idx) * sizeof(struct kvm_msr_entry)];
	} m;
	unsigned int i;
	int n;

	memset(&m, 0, sizeof(m));
	m.h.nmsrs = VMM_ARRAY_SIZE(idx);
	for (i = 0; i < VMM_ARRAY_SIZE(idx); i++) {
		m.h.entries[i].index = idx[i];
		if (idx[i] == MSR_IA32_MISC_ENABLE)
			m.h.entries[i].data = 1;	/* fast string operations */
		else if (idx[i] == MSR_MTRR_DEF_TYPE)
			m.h.entries[i].data = (1 << 11) | 6;	/* MTRRs on, WB */
	}
	n = ioctl(v->fd, KVM_SET_MSRS, &m);
	if (n < 0)
		return -errno;
	if (n != (int)VMM_ARRAY_SIZE(idx))
		vmm_dbg("vcpu %u: KVM_SET_MSRS set %d of %zu", v->id, n,
			VMM_ARRAY_SIZE(idx));
	return 0;
}

/* LINT0 delivers the PIC's ExtINT, LINT1 NMIs, as a BIOS leaves them. */
static int vmm_vcpu_set_lint(struct vmm_vcpu *v)
{
	struct kvm_lapic_state l;
	uint32_t *lvt0 = (uint32_t *)(l.regs + 0x350);
	uint32_t *lvt1 = (uint32_t *)(l.regs + 0x360);

	if (ioctl(v->fd, KVM_GET_LAPIC, &l) < 0)
		return -errno;
	*lvt0 = (*lvt0 & ~0x700u) | (7u << 8);
	*lvt1 = (*lvt1 & ~0x700u) | (4u << 8);
	if (ioctl(v->fd, KVM_SET_LAPIC, &l) < 0)
		return -errno;
	return 0;
}

int vmm_boot_setup_vcpu(struct vmm_vcpu *v, const struct vmm_boot *b)
{
	struct kvm_fpu fpu = { .fcw = 0x37f, .mxcsr = 0x1f80 };
	struct kvm_sregs s;
	struct kvm_regs r;
	int ret;

	if (ioctl(v->fd, KVM_SET_FPU, &fpu) < 0)
		return -errno;
	ret = vmm_vcpu_set_msrs(v);
	if (ret)
		return ret;
	ret = vmm_vcpu_set_lint(v);
	if (ret)
		return ret;
	/* Linux starts its APs itself (INIT/SIPI); so do real-mode ones. */
	if (v->id != 0 && b->mode != VMM_BOOT_LONG)
		return 0;

	if (ioctl(v->fd, KVM_GET_SREGS, &s) < 0)
		return -errno;
	memset(&r, 0, sizeof(r));
	r.rflags = 2;
	if (b->mode == VMM_BOOT_REAL) {
		struct kvm_segment seg = {
			.base = VMM_BOOT_REAL_SEG * 16ULL,
			.limit = 0xffff,
			.selector = VMM_BOOT_REAL_SEG,
			.type = 3,
			.present = 1,
			.s = 1,
		};

		s.ds = s.es = s.fs = s.gs = s.ss = seg;
		seg.type = 11;
		s.cs = seg;
		r.rip = 0;
		r.rsp = 0xfff0;
	} else {
		vmm_seg(&s.cs, VMM_BOOT_CS, 11, true);
		vmm_seg(&s.ds, VMM_BOOT_DS, 3, false);
		s.es = s.fs = s.gs = s.ss = s.ds;
		s.tr = (struct kvm_segment){
			.base = 0, .limit = 0xfff, .selector = VMM_BOOT_TSS,
			.type = 11, .present = 1,
		};
		s.gdt.base = VMM_BOOT_GDT;
		s.gdt.limit = 6 * 8 - 1;
		/* An empty IDT: any exception before the guest sets its
		 * own ends in a triple fault, which the VMM reports. */
		s.idt.base = 0;
		s.idt.limit = 0;
		s.cr0 = 0x80000011;	/* PG | ET | PE */
		s.cr3 = VMM_BOOT_PML4;
		s.cr4 = 0x20;		/* PAE */
		s.efer = 0x500;		/* LMA | LME */
		r.rip = b->entry;
		r.rsi = VMM_BOOT_ZERO_PAGE;
		if (b->mode == VMM_BOOT_LONG) {
			r.rsp = VMM_PAYLOAD_STACKS + (v->id + 1) * 0x1000ULL - 16;
			r.rdi = v->id;
		} else {
			r.rsp = VMM_BOOT_STACK;
		}
		r.rbp = r.rsp;
	}
	if (ioctl(v->fd, KVM_SET_SREGS, &s) < 0 ||
	    ioctl(v->fd, KVM_SET_REGS, &r) < 0)
		return -errno;
	if (v->id != 0) {
		struct kvm_mp_state mp = { .mp_state = KVM_MP_STATE_RUNNABLE };

		if (ioctl(v->fd, KVM_SET_MP_STATE, &mp) < 0)
			return -errno;
	}
	return 0;
}
