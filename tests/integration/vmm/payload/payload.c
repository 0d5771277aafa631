// SPDX-License-Identifier: BSD-3-Clause
/*
 * Long-mode test payload for nfv-vmm (freestanding: no libc).  The kernel
 * command line picks the test ("test=NAME"); results go to the serial
 * port as "NFV-PAYLOAD: ..." lines and the exit status to port 0x501.
 *
 *   test=hello        print a line, exit 0
 *   test=pci          scan bus 0, find virtio-net, check its capabilities,
 *                     negotiate features, read the MAC
 *   test=loopback     as pci, then set up RX/TX queues, DRIVER_OK, send one
 *                     frame and wait for it to come back (a loopback
 *                     backend), exit 0 when it did
 *   test=l2 frames=N  DRIVER_OK, then broadcast tagged frames until N
 *                     frames from another MAC arrived (two guests on a
 *                     switch), exit 0
 *   test=badio        hostile accesses: BARs, config space, notify, rings
 *                     out of RAM; the VMM must survive; exit 0
 *   test=fault        ud2 with no IDT: triple fault
 *   test=reset        i8042 reset
 *   test=exit=N       exit with status N
 *   test=smp          every vCPU checks in; the BSP waits for cpus=N
 *   test=spin iters=N a counting loop (the speed probe), exit 0
 *   test=poweroff     "cli; hlt" on every vCPU, as Linux halts without
 *                     ACPI: the VMM must see a powered-off guest, exit 0
 */
#include <stdint.h>

#define EXIT_PORT 0x501
#define COM1 0x3f8

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;

int payload_main(u64 cpu, const u8 *zero_page);

static inline void outb(u16 port, u8 v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline u8 inb(u16 port)
{
	u8 v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void outl(u16 port, u32 v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline u32 inl(u16 port)
{
	u32 v;

	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline u8 mmio_r8(u64 a) { return *(volatile u8 *)a; }
static inline u16 mmio_r16(u64 a) { return *(volatile u16 *)a; }
static inline u32 mmio_r32(u64 a) { return *(volatile u32 *)a; }
static inline u64 mmio_r64(u64 a) { return *(volatile u64 *)a; }
static inline void mmio_w8(u64 a, u8 v) { *(volatile u8 *)a = v; }
static inline void mmio_w16(u64 a, u16 v) { *(volatile u16 *)a = v; }
static inline void mmio_w32(u64 a, u32 v) { *(volatile u32 *)a = v; }
static inline void mmio_w64(u64 a, u64 v) { *(volatile u64 *)a = v; }

static void putc_(char c)
{
	while (!(inb(COM1 + 5) & 0x20))
		;
	outb(COM1, (u8)c);
}

static void puts_(const char *s)
{
	while (*s)
		putc_(*s++);
}

static void puthex(u64 v, int digits)
{
	int i;

	for (i = digits - 1; i >= 0; i--)
		putc_("0123456789abcdef"[(v >> (4 * i)) & 15]);
}

static void putdec(u64 v)
{
	char b[24];
	int i = 0;

	do {
		b[i++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (i)
		putc_(b[--i]);
}

static void say(const char *s)
{
	puts_("NFV-PAYLOAD: ");
	puts_(s);
}

static void *memset_(void *d, int c, u64 n)
{
	u8 *p = d;

	while (n--)
		*p++ = (u8)c;
	return d;
}

/* gcc may emit calls to memset/memcpy even when freestanding. */
void *memset(void *d, int c, unsigned long n);
void *memset(void *d, int c, unsigned long n)
{
	return memset_(d, c, n);
}

void *memcpy(void *d, const void *s, unsigned long n);
void *memcpy(void *d, const void *s, unsigned long n)
{
	u8 *dp = d;
	const u8 *sp = s;

	while (n--)
		*dp++ = *sp++;
	return d;
}

/* ---- command line ---- */

static const char *cmdline;

/* Value of KEY= in the command line (last one wins), or 0. */
static const char *arg(const char *key)
{
	const char *p = cmdline, *found = 0;
	int kl = 0;

	while (key[kl])
		kl++;
	while (p && *p) {
		int i = 0;

		while (*p == ' ')
			p++;
		while (i < kl && p[i] == key[i])
			i++;
		if (i == kl && p[i] == '=')
			found = p + kl + 1;
		while (*p && *p != ' ')
			p++;
	}
	return found;
}

static int arg_is(const char *key, const char *val)
{
	const char *v = arg(key);
	int i = 0;

	if (!v)
		return 0;
	while (val[i] && v[i] == val[i])
		i++;
	return !val[i] && (!v[i] || v[i] == ' ' || v[i] == '=');
}

static u64 arg_num(const char *key, u64 def)
{
	const char *v = arg(key);
	u64 n = 0;

	if (!v || *v < '0' || *v > '9')
		return def;
	while (*v >= '0' && *v <= '9')
		n = n * 10 + (u64)(*v++ - '0');
	return n;
}

/* ---- PCI ---- */

static u32 pci_addr(u32 dev, u32 off)
{
	return 0x80000000u | dev << 11 | (off & 0xfc);
}

static u32 cfg_r32(u32 dev, u32 off)
{
	outl(0xcf8, pci_addr(dev, off));
	return inl(0xcfc);
}

static void cfg_w32(u32 dev, u32 off, u32 v)
{
	outl(0xcf8, pci_addr(dev, off));
	outl(0xcfc, v);
}

static u8 cfg_r8(u32 dev, u32 off)
{
	outl(0xcf8, pci_addr(dev, off));
	return inb((u16)(0xcfc + (off & 3)));
}

struct vdev {
	u32 dev;
	u64 bar[6];
	u64 common, isr, devcfg, notify;
	u32 notify_mult;
	u8 msix_cap;
};

static int find_virtio_net(struct vdev *v)
{
	u32 d, found = 0;

	for (d = 0; d < 32; d++) {
		u32 id = cfg_r32(d, 0), cls;

		if ((id & 0xffff) == 0xffff)
			continue;
		cls = cfg_r32(d, 8) >> 8;
		say("pci 00:");
		puthex(d, 2);
		puts_(".0 ");
		puthex(id & 0xffff, 4);
		putc_(':');
		puthex(id >> 16, 4);
		puts_(" class ");
		puthex(cls, 6);
		puts_("\n");
		if (id == 0x10411af4 && !found) {
			v->dev = d;
			found = 1;
		}
	}
	return found ? 0 : -1;
}

static int virtio_caps(struct vdev *v)
{
	u32 i, status = cfg_r32(v->dev, 4) >> 16;
	u8 c;
	int seen = 0;

	for (i = 0; i < 6; i++)
		v->bar[i] = cfg_r32(v->dev, 0x10 + 4 * i) & ~0xfu;
	if (!(status & 0x10))
		return -1;
	for (c = cfg_r8(v->dev, 0x34); c; c = cfg_r8(v->dev, c + 1u)) {
		u8 id = cfg_r8(v->dev, c);

		if (id == 0x11) {
			v->msix_cap = c;
			seen |= 32;
			continue;
		}
		if (id != 0x09)
			continue;
		{
			u8 type = cfg_r8(v->dev, c + 3u), bar = cfg_r8(v->dev, c + 4u);
			u32 off = cfg_r32(v->dev, c + 8u);
			u64 a = v->bar[bar] + off;

			switch (type) {
			case 1: v->common = a; seen |= 1; break;
			case 2:
				v->notify = a;
				v->notify_mult = cfg_r32(v->dev, c + 16u);
				seen |= 2;
				break;
			case 3: v->isr = a; seen |= 4; break;
			case 4: v->devcfg = a; seen |= 8; break;
			case 5: seen |= 16; break;
			}
		}
	}
	say("virtio caps 0x");
	puthex((u64)seen, 2);
	puts_(" bar0 0x");
	puthex(v->bar[0], 8);
	puts_("\n");
	return seen == 63 ? 0 : -1;
}

/* Common config registers. */
#define C_DFSEL 0x00
#define C_DF 0x04
#define C_GFSEL 0x08
#define C_GF 0x0c
#define C_MSIX 0x10
#define C_NUMQ 0x12
#define C_STATUS 0x14
#define C_QSEL 0x16
#define C_QSIZE 0x18
#define C_QMSIX 0x1a
#define C_QEN 0x1c
#define C_QNOFF 0x1e
#define C_QDESC 0x20
#define C_QAVAIL 0x28
#define C_QUSED 0x30

static int virtio_negotiate(struct vdev *v)
{
	u64 c = v->common;
	u32 lo, hi;
	u8 st;
	int i;

	mmio_w8(c + C_STATUS, 0);
	if (mmio_r8(c + C_STATUS) != 0)
		return -1;
	mmio_w8(c + C_STATUS, 1);
	mmio_w8(c + C_STATUS, 1 | 2);
	mmio_w32(c + C_DFSEL, 0);
	lo = mmio_r32(c + C_DF);
	mmio_w32(c + C_DFSEL, 1);
	hi = mmio_r32(c + C_DF);
	say("features 0x");
	puthex((u64)hi << 32 | lo, 16);
	puts_(" queues ");
	putdec(mmio_r16(c + C_NUMQ));
	puts_("\n");
	if (!(hi & 1) || !(lo & (1u << 5)))	/* VERSION_1, MAC */
		return -1;
	mmio_w32(c + C_GFSEL, 0);
	mmio_w32(c + C_GF, lo & ((1u << 5) | (1u << 16)));	/* MAC, STATUS */
	mmio_w32(c + C_GFSEL, 1);
	mmio_w32(c + C_GF, 1);
	mmio_w8(c + C_STATUS, 1 | 2 | 8);
	st = mmio_r8(c + C_STATUS);
	if (!(st & 8)) {
		say("FEATURES_OK refused\n");
		return -1;
	}
	say("mac ");
	for (i = 0; i < 6; i++) {
		puthex(mmio_r8(v->devcfg + (u32)i), 2);
		if (i < 5)
			putc_(':');
	}
	puts_(" status ");
	putdec(mmio_r16(v->devcfg + 6));
	puts_("\n");
	return 0;
}

/* ---- queues: split rings in guest memory at fixed addresses ---- */

#define QSIZE 64
#define RING_BASE 0x400000ULL
#define BUF_BASE 0x600000ULL

struct desc {
	u64 addr;
	u32 len;
	u16 flags;
	u16 next;
};

static u64 ring_desc(int q) { return RING_BASE + (u64)q * 0x10000; }
static u64 ring_avail(int q) { return ring_desc(q) + 16 * QSIZE; }
static u64 ring_used(int q) { return ring_desc(q) + 0x2000; }

static void queue_setup(struct vdev *v, int q)
{
	u64 c = v->common;

	memset_((void *)ring_desc(q), 0, 0x4000);
	mmio_w16(c + C_QSEL, (u16)q);
	mmio_w16(c + C_QSIZE, QSIZE);
	mmio_w16(c + C_QMSIX, 0xffff);
	mmio_w64(c + C_QDESC, ring_desc(q));
	mmio_w64(c + C_QAVAIL, ring_avail(q));
	mmio_w64(c + C_QUSED, ring_used(q));
	mmio_w16(c + C_QEN, 1);
}

static void queue_add(int q, u16 idx, u64 addr, u32 len, int writable)
{
	struct desc *d = (struct desc *)ring_desc(q);
	volatile u16 *avail = (volatile u16 *)ring_avail(q);
	u16 ai = avail[1];

	d[idx].addr = addr;
	d[idx].len = len;
	d[idx].flags = writable ? 2 : 0;
	d[idx].next = 0;
	avail[2 + (ai % QSIZE)] = idx;
	__asm__ volatile("mfence" ::: "memory");
	avail[1] = (u16)(ai + 1);
	__asm__ volatile("mfence" ::: "memory");
}

static void queue_kick(struct vdev *v, int q)
{
	mmio_w16(v->notify + (u64)q * v->notify_mult, (u16)q);
}

static u16 used_idx(int q)
{
	return ((volatile u16 *)ring_used(q))[1];
}

static int test_loopback(struct vdev *v)
{
	u8 *tx = (u8 *)BUF_BASE, *rx = (u8 *)(BUF_BASE + 0x10000);
	u64 c = v->common;
	u32 i, spins;
	u8 st;

	queue_setup(v, 0);
	queue_setup(v, 1);
	mmio_w8(c + C_STATUS, 1 | 2 | 8 | 4);
	st = mmio_r8(c + C_STATUS);
	say("DRIVER_OK status 0x");
	puthex(st, 2);
	puts_("\n");
	if (st & 0x40)
		return -1;
	/* RX buffers: virtio-net header (12 bytes, VERSION_1) + frame. */
	for (i = 0; i < 8; i++)
		queue_add(0, (u16)i, (u64)(rx + i * 2048), 2048, 1);
	queue_kick(v, 0);
	/* One frame: broadcast, ethertype 0x88b5 (local experimental). */
	memset_(tx, 0, 12 + 64);
	for (i = 0; i < 6; i++)
		tx[12 + i] = 0xff;
	for (i = 0; i < 6; i++)
		tx[12 + 6 + i] = mmio_r8(v->devcfg + i);
	tx[12 + 12] = 0x88;
	tx[12 + 13] = 0xb5;
	for (i = 0; i < 46; i++)
		tx[12 + 14 + i] = (u8)(0xa0 + i);
	queue_add(1, 0, (u64)tx, 12 + 60, 0);
	queue_kick(v, 1);
	say("sent one frame\n");
	for (spins = 0; spins < 200000000u; spins++) {
		if (used_idx(1) && used_idx(0))
			break;
		__asm__ volatile("pause");
	}
	say("tx used ");
	putdec(used_idx(1));
	puts_(" rx used ");
	putdec(used_idx(0));
	puts_("\n");
	if (!used_idx(0))
		return -1;
	{
		volatile u32 *ue = (volatile u32 *)(ring_used(0) + 4);
		u32 id = ue[0], len = ue[1];
		u8 *f = rx + id * 2048 + 12;

		say("rx len ");
		putdec(len);
		puts_("\n");
		if (len < 12 + 60 || f[12] != 0x88 || f[13] != 0xb5 ||
		    f[14] != 0xa0 || f[14 + 45] != 0xa0 + 45)
			return -1;
	}
	say("loopback ok\n");
	return 0;
}

/*
 * Two guests on a switch: broadcast a tagged frame now and then, until
 * want frames from another MAC have arrived.  Descriptors cycle through
 * the ring; the backend is done with one long before it comes round.
 */
static int test_l2(struct vdev *v)
{
	u8 *txb = (u8 *)BUF_BASE, *rx = (u8 *)(BUF_BASE + 0x10000);
	u64 c = v->common, want = arg_num("frames", 1), got = 0, spins;
	u16 seen = 0, sent = 0, linger = 0;
	u8 mac[6];
	u32 i;

	for (i = 0; i < 6; i++)
		mac[i] = mmio_r8(v->devcfg + i);
	queue_setup(v, 0);
	queue_setup(v, 1);
	mmio_w8(c + C_STATUS, 1 | 2 | 8 | 4);
	if (mmio_r8(c + C_STATUS) & 0x40)
		return -1;
	for (i = 0; i < 32; i++)
		queue_add(0, (u16)i, (u64)(rx + i * 2048), 2048, 1);
	queue_kick(v, 0);
	/* Done when want frames came in and a few more went out (the peer
	 * may have missed the first ones while it set up its rings). */
	for (spins = 0; (got < want || linger < 4) && spins < 4000000000ULL;
	     spins++) {
		if (spins % 20000 == 0 && sent < 1000) {
			if (got >= want)
				linger++;
			u8 *t = txb + (sent % QSIZE) * 128;

			memset_(t, 0, 12 + 60);
			for (i = 0; i < 6; i++) {
				t[12 + i] = 0xff;
				t[12 + 6 + i] = mac[i];
			}
			t[12 + 12] = 0x88;
			t[12 + 13] = 0xb5;
			t[12 + 14] = 'L';
			queue_add(1, (u16)(sent % QSIZE), (u64)t, 12 + 60, 0);
			queue_kick(v, 1);
			sent++;
		}
		while (seen != used_idx(0)) {
			volatile u32 *ue = (volatile u32 *)(ring_used(0) + 4 + 8 * (seen % QSIZE));
			u32 id = ue[0];
			u8 *f = rx + id * 2048 + 12;

			seen++;
			if (f[12] == 0x88 && f[13] == 0xb5 && f[14] == 'L' &&
			    (f[6] != mac[0] || f[7] != mac[1] || f[8] != mac[2] ||
			     f[9] != mac[3] || f[10] != mac[4] || f[11] != mac[5])) {
				got++;
				say("l2 got frame from ");
				for (i = 0; i < 6; i++) {
					puthex(f[6 + i], 2);
					if (i < 5)
						putc_(':');
				}
				puts_("\n");
			}
			/* Give the buffer back. */
			queue_add(0, (u16)id, (u64)(rx + id * 2048), 2048, 1);
			queue_kick(v, 0);
		}
	}
	say("l2 sent ");
	putdec(sent);
	puts_(" got ");
	putdec(got);
	puts_("\n");
	return got >= want ? 0 : -1;
}

static int test_badio(struct vdev *v)
{
	u64 b0 = v->bar[0], b1 = v->bar[1];
	u32 i;

	/* Config space: every dword of every slot, and beyond. */
	for (i = 0; i < 256; i += 4) {
		u32 old = cfg_r32(v->dev, i);

		if (i >= 0x10 && i < 0x28)
			continue;	/* keep the BARs */
		cfg_w32(v->dev, i, 0xffffffffu);
		cfg_w32(v->dev, i, old);
	}
	cfg_w32(31, 0x10, 0x12345678);
	outb(0xcfb, 1);
	(void)inl(0xcf8);
	/* Registers: odd sizes and offsets, past the ends. */
	for (i = 0; i < 0x4000; i += 0x3ff)
		mmio_w32(b0 + i, 0xdeadbeef);
	(void)mmio_r64(b0 + 0x30);
	mmio_w64(b0 + 0x30, 0xffffffffffffffffULL);
	(void)mmio_r32(b0 + 0x3ffe);
	mmio_w16(b1 + 3, 0xffff);
	(void)mmio_r8(b1 + 0x801);
	mmio_w32(b1 + 0xfff, 1);
	mmio_w32(0xc0000000ULL + 0x100000ULL, 7);	/* nothing there */
	/* Notify before DRIVER_OK, of a queue that does not exist. */
	mmio_w16(v->notify + 99 * 4, 99);
	/* A queue with rings out of RAM, then DRIVER_OK: the device must
	 * refuse (NEEDS_RESET), not touch the addresses. */
	mmio_w8(v->common + C_STATUS, 0);
	mmio_w8(v->common + C_STATUS, 1 | 2);
	mmio_w32(v->common + C_GFSEL, 1);
	mmio_w32(v->common + C_GF, 1);
	mmio_w8(v->common + C_STATUS, 1 | 2 | 8);
	mmio_w16(v->common + C_QSEL, 0);
	mmio_w16(v->common + C_QSIZE, 64);
	mmio_w64(v->common + C_QDESC, 0xfffffffffffff000ULL);
	mmio_w64(v->common + C_QAVAIL, 0x7ffffffff000ULL);
	mmio_w64(v->common + C_QUSED, 0xbffff000ULL);
	mmio_w16(v->common + C_QEN, 1);
	mmio_w8(v->common + C_STATUS, 1 | 2 | 8 | 4);
	i = mmio_r8(v->common + C_STATUS);
	say("status after bad rings 0x");
	puthex(i, 2);
	puts_("\n");
	if (!(i & 0x40))
		return -1;
	mmio_w8(v->common + C_STATUS, 0);
	if (mmio_r8(v->common + C_STATUS) != 0)
		return -1;
	say("survived\n");
	return 0;
}

static volatile u32 smp_count;

int payload_main(u64 cpu, const u8 *zero_page)
{
	struct vdev v;

	if (cpu != 0) {
		__atomic_add_fetch(&smp_count, 1, __ATOMIC_SEQ_CST);
		for (;;)
			__asm__ volatile("cli; hlt");
	}
	cmdline = (const char *)(u64) * (const u32 *)(zero_page + 0x228);
	__atomic_add_fetch(&smp_count, 1, __ATOMIC_SEQ_CST);

	if (arg_is("test", "hello") || !arg("test")) {
		say("hello from long mode\n");
		return 0;
	}
	if (arg_is("test", "spin")) {
		/* The speed probe: about 3 instructions per iteration. */
		u64 n = arg_num("iters", 1000000);

		__asm__ volatile("1: dec %0; jnz 1b" : "+r"(n));
		return 0;
	}
	if (arg_is("test", "exit"))
		return (int)arg_num("code", 7);
	if (arg_is("test", "fault")) {
		say("ud2\n");
		__asm__ volatile("ud2");
		return 99;
	}
	if (arg_is("test", "poweroff")) {
		say("cli; hlt\n");
		for (;;)
			__asm__ volatile("cli; hlt");
	}
	if (arg_is("test", "reset")) {
		say("i8042 reset\n");
		outb(0x64, 0xfe);
		for (;;)
			__asm__ volatile("pause");
	}
	if (arg_is("test", "smp")) {
		u64 want = arg_num("cpus", 1), spins;

		for (spins = 0; spins < 100000000u && smp_count < want; spins++)
			__asm__ volatile("pause");
		say("cpus ");
		putdec(smp_count);
		puts_("\n");
		return smp_count == want ? 0 : 1;
	}
	memset_(&v, 0, sizeof(v));
	if (find_virtio_net(&v)) {
		say("no virtio-net\n");
		return 10;
	}
	if (virtio_caps(&v))
		return 11;
	if (arg_is("test", "badio"))
		return test_badio(&v) ? 14 : 0;
	if (virtio_negotiate(&v))
		return 12;
	if (arg_is("test", "pci")) {
		say("pci ok\n");
		return 0;
	}
	if (arg_is("test", "loopback"))
		return test_loopback(&v) ? 13 : 0;
	if (arg_is("test", "l2"))
		return test_l2(&v) ? 15 : 0;
	say("unknown test\n");
	return 20;
}
