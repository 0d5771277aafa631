// SPDX-License-Identifier: BSD-3-Clause
/*
 * Intel MultiProcessor Specification 1.4 tables: how a guest without ACPI
 * learns its CPUs (so Linux starts the APs), the IOAPIC and which IOAPIC
 * pin each ISA IRQ and each PCI slot's INTA# is wired to.  Written once
 * by the main thread before the vCPUs start.
 */
#include <cpuid.h>
#include <errno.h>
#include <string.h>

#include "pci.h"

#define MP_APIC_VERSION 0x14
#define MP_IOAPIC_ADDR 0xfec00000u
#define MP_LAPIC_ADDR 0xfee00000u

struct mpf_intel {
	char signature[4];
	uint32_t physptr;
	uint8_t length;
	uint8_t specification;
	uint8_t checksum;
	uint8_t feature[5];
} __attribute__((packed));

struct mpc_table {
	char signature[4];
	uint16_t length;
	uint8_t spec;
	uint8_t checksum;
	char oem[8];
	char productid[12];
	uint32_t oemptr;
	uint16_t oemsize;
	uint16_t oemcount;
	uint32_t lapic;
	uint32_t reserved;
} __attribute__((packed));

struct mpc_cpu {
	uint8_t type;
	uint8_t apicid;
	uint8_t apicver;
	uint8_t cpuflag;
	uint32_t cpufeature;
	uint32_t featureflag;
	uint32_t reserved[2];
} __attribute__((packed));

struct mpc_bus {
	uint8_t type;
	uint8_t busid;
	char bustype[6];
} __attribute__((packed));

struct mpc_ioapic {
	uint8_t type;
	uint8_t apicid;
	uint8_t apicver;
	uint8_t flags;
	uint32_t apicaddr;
} __attribute__((packed));

struct mpc_intsrc {
	uint8_t type;
	uint8_t irqtype;
	uint16_t irqflag;
	uint8_t srcbus;
	uint8_t srcbusirq;
	uint8_t dstapic;
	uint8_t dstirq;
} __attribute__((packed));

enum { MP_PROCESSOR, MP_BUS, MP_IOAPIC, MP_INTSRC, MP_LINTSRC };
enum { MP_INT, MP_NMI, MP_SMI, MP_EXTINT };
#define MP_BUS_PCI 0
#define MP_BUS_ISA 1

static uint8_t mp_checksum(const uint8_t *p, size_t len)
{
	uint8_t sum = 0;

	while (len--)
		sum = (uint8_t)(sum + *p++);
	return (uint8_t)-sum;
}

int vmm_mptable_write(struct vmm *vm)
{
	const size_t room = 0x10000;
	uint8_t *base = vmm_mem_ptr(&vm->mem, VMM_BOOT_MPTABLE, room);
	struct mpf_intel *mpf = (struct mpf_intel *)base;
	struct mpc_table *mpc = (struct mpc_table *)(base + sizeof(*mpf));
	uint8_t *p = (uint8_t *)(mpc + 1);
	unsigned int eax = 0, ebx, ecx, edx = 0, i, count = 0;
	uint8_t ioapic_id = (uint8_t)vm->nr_vcpus;

	if (!base)
		return -ENOMEM;
	memset(base, 0, room);
	__get_cpuid(1, &eax, &ebx, &ecx, &edx);

	for (i = 0; i < vm->nr_vcpus; i++, count++) {
		struct mpc_cpu *c = (struct mpc_cpu *)p;

		c->type = MP_PROCESSOR;
		c->apicid = (uint8_t)i;
		c->apicver = MP_APIC_VERSION;
		c->cpuflag = 1 | (i == 0 ? 2 : 0);	/* enabled, BSP */
		c->cpufeature = eax;
		c->featureflag = edx;
		p += sizeof(*c);
	}
	{
		struct mpc_bus *b = (struct mpc_bus *)p;

		b[0] = (struct mpc_bus){ MP_BUS, MP_BUS_PCI, "PCI   " };
		b[1] = (struct mpc_bus){ MP_BUS, MP_BUS_ISA, "ISA   " };
		p += 2 * sizeof(*b);
		count += 2;
	}
	{
		struct mpc_ioapic *io = (struct mpc_ioapic *)p;

		*io = (struct mpc_ioapic){ MP_IOAPIC, ioapic_id, 0x11, 1,
					   MP_IOAPIC_ADDR };
		p += sizeof(*io);
		count++;
	}
	/* ISA IRQ n on IOAPIC pin n, as KVM's default routing has it. */
	for (i = 0; i < 16; i++, count++) {
		struct mpc_intsrc *s = (struct mpc_intsrc *)p;

		*s = (struct mpc_intsrc){ MP_INTSRC, MP_INT, 0, MP_BUS_ISA,
					  (uint8_t)i, ioapic_id, (uint8_t)i };
		p += sizeof(*s);
	}
	/* PCI INTA# of each slot (level, active low: the PCI default). */
	for (i = 1; vm->pci && i < VMM_PCI_MAX_SLOTS; i++) {
		const struct vmm_pci_dev *d = vm->pci->devs[i];
		struct mpc_intsrc *s = (struct mpc_intsrc *)p;

		if (!d)
			continue;
		*s = (struct mpc_intsrc){ MP_INTSRC, MP_INT, 0, MP_BUS_PCI,
					  (uint8_t)(d->slot << 2), ioapic_id,
					  (uint8_t)d->irq };
		p += sizeof(*s);
		count++;
	}
	{
		struct mpc_intsrc *s = (struct mpc_intsrc *)p;

		/* LINT0: the PIC's ExtINT; LINT1: NMI; on every APIC. */
		s[0] = (struct mpc_intsrc){ MP_LINTSRC, MP_EXTINT, 0,
					    MP_BUS_ISA, 0, 0xff, 0 };
		s[1] = (struct mpc_intsrc){ MP_LINTSRC, MP_NMI, 0, MP_BUS_ISA,
					    0, 0xff, 1 };
		p += 2 * sizeof(*s);
		count += 2;
	}

	memcpy(mpc->signature, "PCMP", 4);
	mpc->length = (uint16_t)(p - (uint8_t *)mpc);
	mpc->spec = 4;
	memcpy(mpc->oem, "NFVD    ", 8);
	memcpy(mpc->productid, "NFV-VMM     ", 12);
	mpc->oemcount = (uint16_t)count;
	mpc->lapic = MP_LAPIC_ADDR;
	mpc->checksum = mp_checksum((uint8_t *)mpc, mpc->length);

	memcpy(mpf->signature, "_MP_", 4);
	mpf->physptr = VMM_BOOT_MPTABLE + (uint32_t)sizeof(*mpf);
	mpf->length = 1;
	mpf->specification = 4;
	mpf->checksum = mp_checksum((uint8_t *)mpf, sizeof(*mpf));
	return 0;
}
