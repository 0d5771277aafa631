// SPDX-License-Identifier: BSD-3-Clause
/*
 * nfv-vmm's device model and boot code without KVM: guest memory bounds,
 * the command line's parsers, the Linux boot protocol on a synthetic
 * bzImage, the MP table, PCI configuration semantics, the virtio-pci
 * registers and status machine, MSI-X, virtio-net's config and control
 * queue, split-ring checks, the 8250 and the i8042.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <asm/bootparam.h>
#include <cmocka.h>

#include "cli.h"
#include "hostdrv.h"
#include "pci.h"

static struct vmm vm;

static int vm_setup(void **state)
{
	(void)state;
	vmm_log_level = -1;
	if (vmm_create(&vm, 64 * VMM_MIB, false, 1, false) ||
	    vmm_pci_create(&vm) || vmm_serial_create(&vm, -1, -1) ||
	    vmm_legacy_create(&vm))
		return -1;
	return 0;
}

static int vm_teardown(void **state)
{
	unsigned int i;

	(void)state;
	for (i = 0; i < vm.nr_nets; i++)
		vmm_net_destroy(vm.nets[i]);
	vm.nr_nets = 0;
	vmm_pci_destroy(&vm);
	vmm_legacy_destroy(&vm);
	vmm_serial_destroy(&vm);
	vmm_destroy(&vm);
	return 0;
}

static struct vmm_net *add_net(unsigned int pairs)
{
	struct vmm_net_config cfg = {
		.mac = { 2, 0, 0, 0, 0, 7 },
		.queue_pairs = pairs,
		.queue_size = 256,
	};
	struct vmm_net *n = NULL;

	assert_int_equal(vmm_net_create(&vm, &cfg, &n), 0);
	return n;
}

/* ---- memory ---- */

static void test_mem_bounds(void **state)
{
	struct vmm_mem m;

	(void)state;
	assert_int_equal(vmm_mem_create(&m, 16 * VMM_MIB, false), -EINVAL);
	assert_int_equal(vmm_mem_create(&m, 64 * VMM_MIB, false), 0);
	assert_non_null(vmm_mem_ptr(&m, 0, 64 * VMM_MIB));
	assert_non_null(vmm_mem_ptr(&m, 64 * VMM_MIB - 1, 1));
	assert_non_null(vmm_mem_ptr(&m, 64 * VMM_MIB, 0));
	assert_null(vmm_mem_ptr(&m, 64 * VMM_MIB, 1));
	assert_null(vmm_mem_ptr(&m, 64 * VMM_MIB - 1, 2));
	assert_null(vmm_mem_ptr(&m, ~0ULL, 2));
	assert_null(vmm_mem_ptr(&m, 16, ~0ULL));
	assert_null(vmm_mem_ptr(&m, ~0ULL - 15, 32));
	assert_int_equal(m.nr_regions, 1);
	vmm_mem_destroy(&m);
}

static void test_mem_high(void **state)
{
	struct vmm_mem m;

	(void)state;
	/* 3 GiB + 64 MiB: the rest goes above 4 GiB, the hole is no RAM. */
	assert_int_equal(vmm_mem_create(&m, 3 * VMM_GIB + 64 * VMM_MIB, false), 0);
	assert_int_equal(m.nr_regions, 2);
	assert_int_equal(m.regions[1].gpa, VMM_MEM_HIGH_START);
	assert_int_equal(m.regions[1].size, 64 * VMM_MIB);
	assert_int_equal(m.regions[1].fd_offset, 3 * VMM_GIB);
	assert_null(vmm_mem_ptr(&m, VMM_MEM_HOLE_START, 1));
	assert_null(vmm_mem_ptr(&m, VMM_MEM_HOLE_START - 1, 2));
	assert_ptr_equal(vmm_mem_ptr(&m, VMM_MEM_HIGH_START, 8),
			 m.base + 3 * VMM_GIB);
	vmm_mem_destroy(&m);
}

/* ---- command line ---- */

static void test_parse_size_mac(void **state)
{
	uint64_t v;
	uint8_t mac[6];

	(void)state;
	assert_int_equal(vmm_parse_size("256M", &v), 0);
	assert_int_equal(v, 256 * VMM_MIB);
	assert_int_equal(vmm_parse_size("1G", &v), 0);
	assert_int_equal(v, VMM_GIB);
	assert_int_equal(vmm_parse_size("512", &v), 0);
	assert_int_equal(v, 512 * VMM_MIB);
	assert_int_equal(vmm_parse_size("2GiB", &v), 0);
	assert_int_equal(v, 2 * VMM_GIB);
	assert_int_equal(vmm_parse_size("64k", &v), 0);
	assert_int_equal(v, 64 * 1024);
	assert_int_not_equal(vmm_parse_size("", &v), 0);
	assert_int_not_equal(vmm_parse_size("-1M", &v), 0);
	assert_int_not_equal(vmm_parse_size("12Q", &v), 0);
	assert_int_not_equal(vmm_parse_size("99999999999999999999G", &v), 0);
	assert_int_equal(vmm_parse_mac("02:aa:bb:cc:dd:ee", mac), 0);
	assert_int_equal(mac[5], 0xee);
	assert_int_not_equal(vmm_parse_mac("03:aa:bb:cc:dd:ee", mac), 0);
	assert_int_not_equal(vmm_parse_mac("00:00:00:00:00:00", mac), 0);
	assert_int_not_equal(vmm_parse_mac("02:aa:bb:cc:dd", mac), 0);
	assert_int_not_equal(vmm_parse_mac("02:aa:bb:cc:dd:ee:ff", mac), 0);
}

static void test_opts(void **state)
{
	char *ok[] = { "nfv-vmm", "--kernel", "/proc/self/exe", "--mem", "1G",
		       "--cpus", "2", "--net",
		       "vhost-user=/tmp/a.sock,mac=02:00:00:00:00:09,queues=4,offload=on",
		       "--net", "vhost-user=/tmp/b.sock", NULL };
	char *dup_kp[] = { "nfv-vmm", "--kernel", "/proc/self/exe",
			   "--payload", "/proc/self/exe", NULL };
	struct vmm_opts o;
	char err[256];

	(void)state;
	assert_int_equal(vmm_opts_parse(&o, 11, ok, err, sizeof(err)), 0);
	assert_int_equal(o.mem, VMM_GIB);
	assert_int_equal(o.cpus, 2);
	assert_int_equal(o.nr_nets, 2);
	assert_int_equal(o.nets[0].queue_pairs, 4);
	assert_true(o.nets[0].offload);
	assert_int_equal(o.nets[0].mac[5], 9);
	assert_string_equal(o.nets[1].path, "/tmp/b.sock");
	/* A default MAC: locally administered, unicast, stable per path. */
	assert_int_equal(o.nets[1].mac[0], 0x02);
	assert_int_equal(vmm_opts_parse(&o, 5, dup_kp, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "exclude"));
}

/* ---- boot ---- */

/* A file shaped like a bzImage: a setup header and a payload. */
static void write_bzimage(const char *path, uint16_t version, uint64_t init_size)
{
	uint8_t img[0x2000];
	struct setup_header *h = (struct setup_header *)(img + 0x1f1);
	FILE *f = fopen(path, "wb");

	memset(img, 0x90, sizeof(img));
	memset(img + 0x1f1, 0, sizeof(*h));
	h->setup_sects = 1;
	h->boot_flag = 0xaa55;
	h->header = 0x53726448;
	h->version = version;
	h->xloadflags = 1;
	h->init_size = (uint32_t)init_size;
	h->pref_address = 0x1000000;
	h->kernel_alignment = 0x200000;
	h->cmdline_size = 2047;
	h->initrd_addr_max = 0x7fffffff;
	img[0x201] = 0x6a;	/* header length */
	assert_non_null(f);
	fwrite(img, sizeof(img), 1, f);
	fclose(f);
}

static void test_boot_linux(void **state)
{
	char kpath[] = "/tmp/nfv-vmm-unit-kXXXXXX", ipath[] = "/tmp/nfv-vmm-unit-iXXXXXX";
	struct boot_params *bp;
	struct vmm_boot b;
	uint64_t need;
	int fd;

	(void)state;
	fd = mkstemp(kpath);
	close(fd);
	fd = mkstemp(ipath);
	assert_int_equal(write(fd, "0707010000", 10), 10);
	close(fd);
	write_bzimage(kpath, 0x020f, 8 * VMM_MIB);

	assert_int_equal(vmm_boot_probe_linux(kpath, ipath, &need), 0);
	assert_int_equal(need, 0x1000000 + 8 * VMM_MIB + 4096);
	assert_int_equal(vmm_boot_load_linux(&vm, kpath, ipath, "console=ttyS0 nfv.x=1", &b), 0);
	assert_int_equal(b.entry, 0x1000000 + 0x200);
	bp = vmm_mem_ptr(&vm.mem, VMM_BOOT_ZERO_PAGE, sizeof(*bp));
	assert_int_equal(bp->hdr.type_of_loader, 0xff);
	assert_int_equal(bp->hdr.cmd_line_ptr, VMM_BOOT_CMDLINE);
	assert_string_equal((char *)vmm_mem_ptr(&vm.mem, VMM_BOOT_CMDLINE, 32),
			    "console=ttyS0 nfv.x=1");
	assert_int_equal(bp->hdr.ramdisk_size, 10);
	/* The initrd at the top of RAM, page aligned, above the kernel. */
	assert_int_equal(bp->hdr.ramdisk_image, (64 * VMM_MIB - 10) & ~0xfffULL);
	assert_true(bp->e820_entries >= 4);
	assert_int_equal(bp->e820_table[0].addr, 0);
	assert_int_equal(bp->e820_table[0].type, 1);
	assert_int_equal(bp->e820_table[3].addr, 0x100000);
	assert_int_equal(bp->e820_table[3].size, 64 * VMM_MIB - 0x100000);
	/* The kernel itself: the bytes after the setup sectors. */
	assert_int_equal(*(uint8_t *)vmm_mem_ptr(&vm.mem, 0x1000000, 1), 0x90);

	/* Too little memory for kernel + initrd. */
	write_bzimage(kpath, 0x020f, 60 * VMM_MIB);
	assert_int_equal(vmm_boot_load_linux(&vm, kpath, ipath, "", &b), -ENOMEM);
	/* A 32-bit only / too old boot protocol. */
	write_bzimage(kpath, 0x020a, VMM_MIB);
	assert_int_equal(vmm_boot_probe_linux(kpath, NULL, &need), -ENOEXEC);
	/* Not a kernel at all. */
	assert_int_equal(vmm_boot_probe_linux(ipath, NULL, &need), -ENOEXEC);
	unlink(kpath);
	unlink(ipath);
}

static void test_boot_cmdline_too_long(void **state)
{
	char kpath[] = "/tmp/nfv-vmm-unit-kXXXXXX", *cl;
	struct vmm_boot b;
	int fd;

	(void)state;
	fd = mkstemp(kpath);
	close(fd);
	write_bzimage(kpath, 0x020f, VMM_MIB);
	cl = malloc(3000);
	memset(cl, 'x', 2999);
	cl[2999] = 0;
	assert_int_equal(vmm_boot_load_linux(&vm, kpath, NULL, cl, &b), -E2BIG);
	free(cl);
	unlink(kpath);
}

static uint8_t sum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s = (uint8_t)(s + *p++);
	return s;
}

static void test_mptable(void **state)
{
	uint8_t *mpf, *mpc;
	uint16_t len;

	(void)state;
	add_net(1);
	vm.nr_vcpus = 2;
	assert_int_equal(vmm_mptable_write(&vm), 0);
	vm.nr_vcpus = 1;
	mpf = vmm_mem_ptr(&vm.mem, VMM_BOOT_MPTABLE, 16);
	assert_memory_equal(mpf, "_MP_", 4);
	assert_int_equal(sum(mpf, 16), 0);
	mpc = vmm_mem_ptr(&vm.mem, VMM_BOOT_MPTABLE + 16, 44);
	assert_memory_equal(mpc, "PCMP", 4);
	memcpy(&len, mpc + 4, 2);
	assert_int_equal(sum(mpc, len), 0);
	/* 2 CPUs, 2 buses, 1 IOAPIC, 16 ISA + 1 PCI interrupt, 2 local. */
	assert_int_equal(mpc[34] | mpc[35] << 8, 2 + 2 + 1 + 16 + 1 + 2);
	assert_int_equal(mpc[44], 0);		/* processor */
	assert_int_equal(mpc[44 + 3], 3);	/* enabled, BSP */
}

/* ---- PCI ---- */

static void test_pci_scan_bars(void **state)
{
	struct vmm_net *n;
	struct hostdrv hd;
	uint32_t bar;

	(void)state;
	n = add_net(1);
	/* The host bridge at 00:00.0, nothing at an empty slot. */
	hd.vm = &vm;
	hd.slot = 0;
	assert_int_equal(hd_cfg_read(&hd, 0, 4), 0x00081b36);
	assert_int_equal(hd_cfg_read(&hd, 0x0a, 2), 0x0600);
	hd.slot = 9;
	assert_int_equal(hd_cfg_read(&hd, 0, 4), 0xffffffff);
	assert_int_equal(hostdrv_open(&hd, &vm, n->vp.pci.slot), 0);
	assert_int_equal(hd_cfg_read(&hd, 0x0a, 2), 0x0200);
	assert_int_equal(hd.bar[0], VMM_PCI_MMIO_START);
	/* BAR sizing: all ones reads back the size mask. */
	bar = hd_cfg_read(&hd, 0x10, 4);
	hd_cfg_write(&hd, 0x10, 4, 0xffffffff);
	assert_int_equal(hd_cfg_read(&hd, 0x10, 4), ~(VMM_VIRTIO_BAR_SIZE - 1u));
	/* Not decoded while it points outside the hole. */
	assert_int_equal(n->vp.pci.bar_active[0], 0);
	hd_cfg_write(&hd, 0x10, 4, bar);
	assert_int_equal(n->vp.pci.bar_active[0], bar);
	/* Memory decoding off: no BAR decodes. */
	hd_cfg_write(&hd, 0x04, 2, 0);
	assert_int_equal(n->vp.pci.bar_active[0], 0);
	assert_int_equal(hd_read(&hd, bar, 4), 0xffffffff);
	hd_cfg_write(&hd, 0x04, 2, 6);
	assert_int_equal(n->vp.pci.bar_active[0], bar);
	/* Read-only fields stay. */
	hd_cfg_write(&hd, 0, 4, 0);
	assert_int_equal(hd_cfg_read(&hd, 0, 4), 0x10411af4);
	/* A byte write to 0xcfb does not move the address latch. */
	{
		uint8_t one = 1;
		uint32_t cf8;

		vmm_io_bus_access(&vm.pio, 0xcfb, &one, 1, true);
		vmm_io_bus_access(&vm.pio, 0xcf8, (uint8_t *)&cf8, 4, false);
		assert_int_equal(cf8 & 0x80000000u, 0x80000000u);
	}
}

static void test_virtio_features_status(void **state)
{
	struct vmm_net *n;
	struct hostdrv hd;

	(void)state;
	n = add_net(1);
	assert_int_equal(hostdrv_open(&hd, &vm, n->vp.pci.slot), 0);
	/* VERSION_1 | STATUS | MAC; offloads only with offload=on. */
	assert_int_equal(n->vp.device_features,
			 (1ULL << 32) | (1ULL << 16) | (1ULL << 5) | (1ULL << 15) |
				 (1ULL << 28) | (1ULL << 29));
	/* A feature not offered: FEATURES_OK refused. */
	hd_write(&hd, hd.common + 0x14, 1, 0);
	hd_write(&hd, hd.common + 0x14, 1, 3);
	hd_write(&hd, hd.common + 0x08, 4, 1);
	hd_write(&hd, hd.common + 0x0c, 4, 1 | (1u << 8));
	hd_write(&hd, hd.common + 0x14, 1, 11);
	assert_int_equal(hostdrv_status(&hd), 3);
	/* Status bits cleared without a reset: ignored. */
	assert_int_equal(hostdrv_negotiate(&hd, (1ULL << 32) | (1ULL << 5)), 0);
	hd_write(&hd, hd.common + 0x14, 1, 1);
	assert_int_equal(hostdrv_status(&hd), 11);
	hd_write(&hd, hd.common + 0x14, 1, 0);
	assert_int_equal(hostdrv_status(&hd), 0);
	/* Legacy drivers (no VERSION_1) are refused. */
	hd_write(&hd, hd.common + 0x14, 1, 3);
	hd_write(&hd, hd.common + 0x08, 4, 0);
	hd_write(&hd, hd.common + 0x0c, 4, 1u << 5);
	hd_write(&hd, hd.common + 0x14, 1, 11);
	assert_int_equal(hostdrv_status(&hd) & 8, 0);
	/* Config space: MAC, link up, one queue pair. */
	assert_int_equal(hd_read(&hd, hd.devcfg + 5, 1), 7);
	assert_int_equal(hd_read(&hd, hd.devcfg + 6, 2), 1);
	assert_int_equal(hd_read(&hd, hd.devcfg + 8, 2), 1);
	/* 64-bit register halves and sub-word accesses. */
	hd_write(&hd, hd.common + 0x16, 2, 0);
	hd_write(&hd, hd.common + 0x20, 4, 0x12345000);
	hd_write(&hd, hd.common + 0x24, 4, 0x1);
	assert_int_equal(hd_read(&hd, hd.common + 0x20, 8), 0x112345000ULL);
	assert_int_equal(hd_read(&hd, hd.common + 0x21, 1), 0x50);
	/* Queue size: power of 2 up to the maximum only. */
	hd_write(&hd, hd.common + 0x18, 2, 100);
	assert_int_equal(hd_read(&hd, hd.common + 0x18, 2), 256);
	hd_write(&hd, hd.common + 0x18, 2, 512);
	assert_int_equal(hd_read(&hd, hd.common + 0x18, 2), 256);
	hd_write(&hd, hd.common + 0x18, 2, 64);
	assert_int_equal(hd_read(&hd, hd.common + 0x18, 2), 64);
	/* A queue that does not exist reads size 0. */
	hd_write(&hd, hd.common + 0x16, 2, 7);
	assert_int_equal(hd_read(&hd, hd.common + 0x18, 2), 0);
	/* Vectors past the table read back NO_VECTOR. */
	hd_write(&hd, hd.common + 0x10, 2, 99);
	assert_int_equal(hd_read(&hd, hd.common + 0x10, 2), 0xffff);
}

static void test_virtio_bad_rings_reset(void **state)
{
	struct vmm_net *n;
	struct hostdrv hd;

	(void)state;
	n = add_net(1);
	assert_int_equal(hostdrv_open(&hd, &vm, n->vp.pci.slot), 0);
	assert_int_equal(hostdrv_negotiate(&hd, (1ULL << 32)), 0);
	assert_int_equal(hostdrv_queue(&hd, 0, 256, 0x100000), 0);
	/* TX ring straddles the end of RAM. */
	hd_write(&hd, hd.common + 0x16, 2, 1);
	hd_write(&hd, hd.common + 0x18, 2, 256);
	hd_write(&hd, hd.common + 0x20, 8, 64 * VMM_MIB - 0x800);
	hd_write(&hd, hd.common + 0x28, 8, 0x200000);
	hd_write(&hd, hd.common + 0x30, 8, 0x201000);
	hd_write(&hd, hd.common + 0x1c, 2, 1);
	assert_int_equal(hostdrv_driver_ok(&hd), -EIO);
	assert_int_equal(hostdrv_status(&hd) & 0x40, 0x40);
	assert_false(n->started);
	/* Kicks are refused, a reset clears NEEDS_RESET. */
	hostdrv_kick(&hd, 0);
	hd_write(&hd, hd.common + 0x14, 1, 0);
	assert_int_equal(hostdrv_status(&hd), 0);
	/* And a good bring-up works after it. */
	assert_int_equal(hostdrv_negotiate(&hd, (1ULL << 32)), 0);
	assert_int_equal(hostdrv_queue(&hd, 0, 256, 0x100000), 0);
	assert_int_equal(hostdrv_queue(&hd, 1, 256, 0x200000), 0);
	assert_int_equal(hostdrv_driver_ok(&hd), 0);
	assert_true(n->started);
}

static void test_msix(void **state)
{
	struct vmm_net *n;
	struct hostdrv hd;
	uint64_t msis;
	uint32_t ctrl;

	(void)state;
	n = add_net(2);
	assert_int_equal(hostdrv_open(&hd, &vm, n->vp.pci.slot), 0);
	ctrl = hd_cfg_read(&hd, hd.msix_cap + 2u, 2);
	assert_int_equal(ctrl & 0x7ff, n->vp.nr_queues);	/* N-1 = queues */
	assert_int_equal(hd_cfg_read(&hd, hd.msix_cap + 4u, 4), 1);
	assert_int_equal(hd_cfg_read(&hd, hd.msix_cap + 8u, 4), 0x801);
	/* Enable MSI-X, program vector 0 (config), unmasked. */
	hd_cfg_write(&hd, hd.msix_cap + 2u, 2, 0x8000);
	hd_write(&hd, hd.bar[1] + 0, 4, 0xfee00000);
	hd_write(&hd, hd.bar[1] + 4, 4, 0);
	hd_write(&hd, hd.bar[1] + 8, 4, 0x41);
	assert_int_equal(hd_read(&hd, hd.bar[1] + 12, 4), 1);	/* masked */
	hd_write(&hd, hd.bar[1] + 12, 4, 0xfffffffe);
	assert_int_equal(hd_read(&hd, hd.bar[1] + 12, 4), 0);
	assert_int_equal(hd_read(&hd, hd.bar[1] + 8, 4), 0x41);
	assert_int_equal(hostdrv_negotiate(&hd, (1ULL << 32) | (1ULL << 16) |
						     (1ULL << 17) | (1ULL << 22)), 0);
	hd_write(&hd, hd.common + 0x10, 2, 0);
	assert_int_equal(hd_read(&hd, hd.common + 0x10, 2), 0);
	assert_int_equal(hostdrv_queue(&hd, 0, 64, 0x100000), 0);
	assert_int_equal(hostdrv_driver_ok(&hd), 0);
	/* A config change fires vector 0; masked, it stays pending. */
	msis = vm.msi_count;
	pthread_mutex_lock(&vm.lock);
	vmm_virtio_pci_config_changed(&n->vp);
	pthread_mutex_unlock(&vm.lock);
	assert_int_equal(vm.msi_count, msis + 1);
	hd_write(&hd, hd.bar[1] + 12, 4, 1);
	pthread_mutex_lock(&vm.lock);
	vmm_virtio_pci_config_changed(&n->vp);
	pthread_mutex_unlock(&vm.lock);
	assert_int_equal(vm.msi_count, msis + 1);
	assert_int_equal(hd_read(&hd, hd.bar[1] + 0x800, 8) & 1, 1);
	hd_write(&hd, hd.bar[1] + 12, 4, 0);
	assert_int_equal(vm.msi_count, msis + 2);
	assert_int_equal(hd_read(&hd, hd.bar[1] + 0x800, 8) & 1, 0);
	/* Misaligned and odd-sized table accesses are refused. */
	hd_write(&hd, hd.bar[1] + 2, 2, 0xffff);
	assert_int_equal(hd_read(&hd, hd.bar[1] + 0, 4), 0xfee00000);
}

/* The control queue: set 2 queue pairs, then a request out of RAM. */
static void test_ctrl_queue(void **state)
{
	struct vmm_net *n;
	struct hostdrv hd;
	uint8_t *desc, *avail, *ack;
	uint64_t a;
	uint32_t l;
	uint16_t f, idx;
	unsigned int cq;

	(void)state;
	n = add_net(2);
	cq = n->ctrl_queue;
	assert_int_equal(cq, 4);
	assert_int_equal(hostdrv_open(&hd, &vm, n->vp.pci.slot), 0);
	assert_int_equal(hostdrv_negotiate(&hd, (1ULL << 32) | (1ULL << 17) |
						     (1ULL << 22)), 0);
	assert_int_equal(hostdrv_queue(&hd, 0, 64, 0x100000), 0);
	assert_int_equal(hostdrv_queue(&hd, cq, 64, 0x300000), 0);
	assert_int_equal(hostdrv_driver_ok(&hd), 0);
	assert_int_equal(n->cur_pairs, 1);

	desc = hd_gpa(&hd, hd.q[cq].desc, 16 * 3);
	avail = hd_gpa(&hd, hd.q[cq].avail, 8);
	memcpy(hd_gpa(&hd, 0x500000, 4), "\x04\x00\x02\x00", 4);
	a = 0x500000; l = 2; f = 1;
	memcpy(desc, &a, 8); memcpy(desc + 8, &l, 4); memcpy(desc + 12, &f, 2);
	memcpy(desc + 14, &(uint16_t){ 1 }, 2);
	a = 0x500002; l = 2; f = 1;
	memcpy(desc + 16, &a, 8); memcpy(desc + 24, &l, 4); memcpy(desc + 28, &f, 2);
	memcpy(desc + 30, &(uint16_t){ 2 }, 2);
	a = 0x500010; l = 1; f = 2;
	memcpy(desc + 32, &a, 8); memcpy(desc + 40, &l, 4); memcpy(desc + 44, &f, 2);
	ack = hd_gpa(&hd, 0x500010, 1);
	*ack = 0xee;
	memcpy(avail + 4, &(uint16_t){ 0 }, 2);
	idx = 1;
	memcpy(avail + 2, &idx, 2);
	hostdrv_kick(&hd, cq);
	assert_int_equal(*ack, 0);		/* VIRTIO_NET_OK */
	assert_int_equal(n->cur_pairs, 2);
	assert_int_equal(hostdrv_used_idx(&hd, cq), 1);

	/* Too many pairs: ERR, unchanged. */
	memcpy(hd_gpa(&hd, 0x500002, 2), "\x09\x00", 2);
	memcpy(avail + 6, &(uint16_t){ 0 }, 2);
	idx = 2;
	memcpy(avail + 2, &idx, 2);
	hostdrv_kick(&hd, cq);
	assert_int_equal(*ack, 1);
	assert_int_equal(n->cur_pairs, 2);

	/* A descriptor outside RAM: the device stops and asks for a reset. */
	a = 0xfffffffff000ULL;
	memcpy(desc + 16, &a, 8);
	memcpy(avail + 8, &(uint16_t){ 0 }, 2);
	idx = 3;
	memcpy(avail + 2, &idx, 2);
	hostdrv_kick(&hd, cq);
	assert_int_equal(hostdrv_status(&hd) & 0x40, 0x40);
	assert_false(n->started);
	assert_int_equal(hostdrv_used_idx(&hd, cq), 2);
}

/* ---- split rings ---- */

static void put_desc(uint8_t *table, unsigned int i, uint64_t a, uint32_t l,
		     uint16_t f, uint16_t nx)
{
	memcpy(table + 16 * i, &a, 8);
	memcpy(table + 16 * i + 8, &l, 4);
	memcpy(table + 16 * i + 12, &f, 2);
	memcpy(table + 16 * i + 14, &nx, 2);
}

static void test_vring(void **state)
{
	struct vmm_vring r;
	struct vmm_vring_chain c;
	const char *why = NULL;
	uint8_t *desc = vmm_mem_ptr(&vm.mem, 0x100000, 16 * 8);
	uint8_t *avail = vmm_mem_ptr(&vm.mem, 0x101000, 32);
	uint16_t idx = 1;

	(void)state;
	assert_int_equal(vmm_vring_setup(&r, &vm.mem, 8, 0x100000, 0x101000,
					 64 * VMM_MIB - 8, false, true, &why), -EINVAL);
	assert_int_equal(vmm_vring_setup(&r, &vm.mem, 6, 0x100000, 0x101000,
					 0x102000, false, true, &why), -EINVAL);
	assert_int_equal(vmm_vring_setup(&r, &vm.mem, 8, 0x100008, 0x101000,
					 0x102000, false, true, &why), -EINVAL);
	assert_int_equal(vmm_vring_setup(&r, &vm.mem, 8, 0x100000, 0x101000,
					 0x102000, false, true, &why), 0);
	assert_int_equal(vmm_vring_pop(&r, &c, &why), 0);

	/* A two-descriptor chain. */
	put_desc(desc, 3, 0x200000, 10, 1, 5);
	put_desc(desc, 5, 0x200100, 20, 2, 0);
	memcpy(avail + 4, &(uint16_t){ 3 }, 2);
	memcpy(avail + 2, &idx, 2);
	assert_int_equal(vmm_vring_pop(&r, &c, &why), 1);
	assert_int_equal(c.head, 3);
	assert_int_equal(c.n, 2);
	assert_int_equal(c.iov[1].len, 20);
	assert_true(c.iov[1].write);
	vmm_vring_push(&r, c.head, 20);
	assert_int_equal(*(uint16_t *)vmm_mem_ptr(&vm.mem, 0x102002, 2), 1);

	/* A loop: 0 -> 1 -> 0. */
	put_desc(desc, 0, 0x200000, 1, 1, 1);
	put_desc(desc, 1, 0x200000, 1, 1, 0);
	memcpy(avail + 6, &(uint16_t){ 0 }, 2);
	idx = 2;
	memcpy(avail + 2, &idx, 2);
	assert_int_equal(vmm_vring_pop(&r, &c, &why), -EINVAL);

	/* Outside RAM, next out of range, head out of range, idx jump. */
	r.last_avail = 2;
	put_desc(desc, 0, 64 * VMM_MIB - 4, 8, 0, 0);
	memcpy(avail + 8, &(uint16_t){ 0 }, 2);
	idx = 3;
	memcpy(avail + 2, &idx, 2);
	assert_int_equal(vmm_vring_pop(&r, &c, &why), -EINVAL);
	assert_string_equal(why, "descriptor buffer outside guest RAM");
	put_desc(desc, 0, 0x200000, 8, 1, 8);
	r.last_avail = 2;
	assert_int_equal(vmm_vring_pop(&r, &c, &why), -EINVAL);
	memcpy(avail + 8, &(uint16_t){ 9 }, 2);
	r.last_avail = 2;
	assert_int_equal(vmm_vring_pop(&r, &c, &why), -EINVAL);
	idx = 100;
	memcpy(avail + 2, &idx, 2);
	r.last_avail = 2;
	assert_int_equal(vmm_vring_pop(&r, &c, &why), -EINVAL);

	/* Indirect: a table of 2 in RAM; a nested indirect is refused. */
	put_desc(vmm_mem_ptr(&vm.mem, 0x300000, 32), 0, 0x200000, 4, 1, 1);
	put_desc(vmm_mem_ptr(&vm.mem, 0x300000, 32), 1, 0x200010, 1, 2, 0);
	put_desc(desc, 2, 0x300000, 32, 4, 0);
	memcpy(avail + 4 + 2 * (3 % 8), &(uint16_t){ 2 }, 2);
	r.last_avail = 3;
	idx = 4;
	memcpy(avail + 2, &idx, 2);
	assert_int_equal(vmm_vring_pop(&r, &c, &why), 1);
	assert_int_equal(c.n, 2);
	put_desc(vmm_mem_ptr(&vm.mem, 0x300000, 32), 1, 0x300000, 32, 4, 0);
	r.last_avail = 3;
	assert_int_equal(vmm_vring_pop(&r, &c, &why), -EINVAL);
}

/* ---- legacy devices ---- */

static uint8_t pio8(uint16_t port, int write, uint8_t v)
{
	vmm_io_bus_access(&vm.pio, port, &v, 1, write);
	return v;
}

static void test_serial(void **state)
{
	(void)state;
	/* Linux's probe: scratch register, then loopback MSR == 0x90. */
	pio8(0x3ff, 1, 0x5a);
	assert_int_equal(pio8(0x3ff, 0, 0), 0x5a);
	pio8(0x3fc, 1, 0x1a);
	assert_int_equal(pio8(0x3fe, 0, 0) & 0xf0, 0x90);
	pio8(0x3fc, 1, 0x08);
	/* FIFO enabled: IIR says so; THR empty. */
	pio8(0x3fa, 1, 0x01);
	assert_int_equal(pio8(0x3fa, 0, 0) & 0xc0, 0xc0);
	assert_int_equal(pio8(0x3fd, 0, 0) & 0x60, 0x60);
	/* THRI: enabling it with the THR empty raises it; IIR read clears. */
	pio8(0x3f9, 1, 0x02);
	assert_int_equal(pio8(0x3fa, 0, 0) & 0x0f, 0x02);
	assert_int_equal(pio8(0x3fa, 0, 0) & 0x0f, 0x01);
	pio8(0x3f8, 1, 'x');
	assert_int_equal(pio8(0x3fa, 0, 0) & 0x0f, 0x02);
	/* Divisor latch. */
	pio8(0x3fb, 1, 0x83);
	pio8(0x3f8, 1, 1);
	assert_int_equal(pio8(0x3f8, 0, 0), 1);
	pio8(0x3fb, 1, 0x03);
}

static void test_i8042_cmos(void **state)
{
	(void)state;
	pio8(0x64, 1, 0xaa);
	assert_int_equal(pio8(0x64, 0, 0) & 1, 1);
	assert_int_equal(pio8(0x60, 0, 0), 0x55);
	pio8(0x64, 1, 0x20);
	assert_int_equal(pio8(0x60, 0, 0), 0x65);
	assert_int_equal(atomic_load(&vm.stopping), 0);
	pio8(0x64, 1, 0xd1);
	pio8(0x60, 1, 0x01);	/* reset line high: nothing */
	assert_int_equal(atomic_load(&vm.stopping), 0);
	pio8(0x64, 1, 0xfe);
	assert_int_equal(atomic_load(&vm.stopping), 1);
	assert_non_null(strstr(vm.exit_reason, "i8042"));
	atomic_store(&vm.stopping, 0);
	/* CMOS: BCD clock, status registers. */
	pio8(0x70, 1, 0x0b);
	assert_int_equal(pio8(0x71, 0, 0), 0x02);
	pio8(0x70, 1, 0x0a);
	assert_int_equal(pio8(0x71, 0, 0) & 0x80, 0);
	pio8(0x70, 1, 0x09);
	assert_int_equal(pio8(0x71, 0, 0) & 0x0f, pio8(0x71, 0, 0) & 0x0f);
	assert_true((pio8(0x71, 0, 0) & 0x0f) <= 9);
}

/*
 * The power-off decision: a vCPU halted with IF clear (Linux's halt and
 * poweroff without ACPI) or an AP never started is off; an idle vCPU
 * (halted with IF set), a running one or an AP that got its SIPI is not.
 */
static void
test_vcpu_state_off(void **state)
{
	(void)state;
	assert_true(vmm_vcpu_state_off(KVM_MP_STATE_HALTED, 0x2));
	assert_true(vmm_vcpu_state_off(KVM_MP_STATE_HALTED, 0x46));
	assert_false(vmm_vcpu_state_off(KVM_MP_STATE_HALTED, 0x202));
	assert_false(vmm_vcpu_state_off(KVM_MP_STATE_RUNNABLE, 0x2));
	assert_false(vmm_vcpu_state_off(KVM_MP_STATE_RUNNABLE, 0x202));
	assert_true(vmm_vcpu_state_off(KVM_MP_STATE_UNINITIALIZED, 0x2));
	assert_true(vmm_vcpu_state_off(KVM_MP_STATE_INIT_RECEIVED, 0x2));
	assert_false(vmm_vcpu_state_off(KVM_MP_STATE_SIPI_RECEIVED, 0x2));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mem_bounds),
		cmocka_unit_test(test_mem_high),
		cmocka_unit_test(test_parse_size_mac),
		cmocka_unit_test(test_opts),
		cmocka_unit_test(test_vcpu_state_off),
		cmocka_unit_test_setup_teardown(test_boot_linux, vm_setup, vm_teardown),
		cmocka_unit_test_setup_teardown(test_boot_cmdline_too_long, vm_setup, vm_teardown),
		cmocka_unit_test_setup_teardown(test_mptable, vm_setup, vm_teardown),
		cmocka_unit_test_setup_teardown(test_pci_scan_bars, vm_setup, vm_teardown),
		cmocka_unit_test_setup_teardown(test_virtio_features_status, vm_setup, vm_teardown),
		cmocka_unit_test_setup_teardown(test_virtio_bad_rings_reset, vm_setup, vm_teardown),
		cmocka_unit_test_setup_teardown(test_msix, vm_setup, vm_teardown),
		cmocka_unit_test_setup_teardown(test_ctrl_queue, vm_setup, vm_teardown),
		cmocka_unit_test_setup_teardown(test_vring, vm_setup, vm_teardown),
		cmocka_unit_test_setup_teardown(test_serial, vm_setup, vm_teardown),
		cmocka_unit_test_setup_teardown(test_i8042_cmos, vm_setup, vm_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
