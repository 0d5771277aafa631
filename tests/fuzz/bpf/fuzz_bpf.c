/* SPDX-License-Identifier: BSD-3-Clause
 *
 * fuzz_bpf.c - feed arbitrary frames and control actions through three bpf
 * VNFs, one per example of configs/bpf/, via the real runner
 * (dataplane/graph.c).
 *
 * Topology (port pN is graph port N):
 *   p0 - cls.in  p1 - cls.web  p2 - cls.dns  p3 - cls.other  (port_classifier)
 *   p4 - dns.a   p5 - dns.b                                  (dns_filter)
 *   p6 - smp.in  p7 - smp.sample                             (rate_sampler)
 *
 * The input is a little program, read byte by byte (missing bytes read as
 * 0).  Each op builds a frame and queues it on an RX port (IPv4 or IPv6,
 * TCP, UDP or any protocol, the ports the programs look for or any,
 * fragments, a VLAN tag, ARP, bytes at random, cut short; in one segment
 * or two, with no headroom or little tailroom so that the program reads a
 * copy), repeats the last frame, submits the queued bursts, replaces a
 * program with `bpf load` (the same example again, or a file that is no
 * BPF object, which must change nothing), runs the show verbs, or makes
 * the ports refuse part of what they are sent or go down.
 *
 * Invariants (abort() on failure, so libFuzzer and ASan report it): a
 * frame leaves by the port the C reference of its program (bpf_ref.h)
 * says, byte for byte as it came in; every packet is counted exactly once
 * (vnf.h's fates); after every input every mbuf is back in the pool.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "control/config.h"
#include "dataplane/graph.h"
#include "fuzz_bpf.h"
#include "tests/common/test_wctx.h"
#include "tests/common/test_wiring.h"
#include "tests/fuzz/common/fuzz_env.h"
#include "tests/fuzz/common/fuzz_fates.h"
#include "tests/fuzz/common/fuzz_frame.h"
#include "tests/fuzz/common/fuzz_prog.h"
#include "tests/fuzz/common/fuzz_queue.h"
#include "tests/unit/bpf/bpf_ref.h"
#include "vnf/bpf/config.h"
#include "vnf/lib/rcu.h"
#include "vnf/vnf.h"

#define FZ_PORTS 8
#define FZ_POOL 8191
#define FZ_FRAME_MAX 2000
#define FZ_DROP 0xff

#define FZ_CHECK(cond)                                                         \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "fuzz_bpf: %s:%d: %s\n", __FILE__,     \
				__LINE__, #cond);                              \
			abort();                                               \
		}                                                              \
	} while (0)

/* The VNFs: their examples, the first port of their ifaces, how many. */
enum { FZ_CLS, FZ_DNS, FZ_SMP, FZ_N_VNFS };
static const struct {
	const char *name, *file;
	uint16_t port0, n_ifaces;
	ref_fn *ref;
} fz_vnfs[FZ_N_VNFS] = {
	{"cls", "port_classifier.o", 0, 4, ref_classifier},
	{"dns", "dns_filter.o", 4, 2, ref_dns},
	{"smp", "rate_sampler.o", 6, 2, ref_sampler},
};

static struct rte_mempool *fz_pool;
static struct nfv_wctx *fz_w;
static struct nfv_graph *fz_g;
static struct vnf_instance *fz_vi[FZ_N_VNFS];
/* The reference's counters of each program, reset when it is replaced. */
static uint64_t fz_ref_k[FZ_N_VNFS][NFV_BPF_N_COUNTERS];
static struct fz_queues fz_q;
static unsigned int fz_accept = UINT_MAX;
static uint64_t fz_sent, fz_refused, fz_loads, fz_load_errors;
static const char *fz_self; /* an ELF that is not BPF: this program */

/* What a frame must look like when it leaves, in the mbuf's hash fields:
 * usr = its length | the port it must leave by << 16; fdir.hi = a hash of
 * its bytes: FNV-1a's step over 8-byte words (memcpy: frames start at any
 * address), each step a bijection of the word, so that any one changed
 * word changes the hash.  Byte by byte, the hash of the long frames a
 * campaign's inputs grow to was 45 % of the harness's time. */
static uint32_t
fz_crc(const struct rte_mbuf *m)
{
	uint8_t buf[FZ_FRAME_MAX];
	uint32_t len = rte_pktmbuf_pkt_len(m), i;
	const uint8_t *p = rte_pktmbuf_read(m, 0, len, buf);
	uint64_t h = UINT64_C(14695981039346656037) ^ len, w;

	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&w, p + i, 8);
		h = (h ^ w) * UINT64_C(1099511628211);
	}
	w = 0;
	memcpy(&w, p + i, len - i);
	h = (h ^ w) * UINT64_C(1099511628211);
	return (uint32_t)(h ^ h >> 32);
}

/* Worker: the ports' send hook.  Checks each frame and frees it. */
static uint16_t
fz_tx_burst(uint16_t port, uint16_t queue, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t take = n < fz_accept ? n : (uint16_t)fz_accept, i;
	const char *why = NULL;

	RTE_SET_USED(queue);
	FZ_CHECK(port < FZ_PORTS);
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];

		FZ_CHECK(rte_mbuf_check(m, 1, &why) == 0);
		FZ_CHECK((m->hash.usr >> 16) == port);
		FZ_CHECK((m->hash.usr & 0xffff) == rte_pktmbuf_pkt_len(m));
		FZ_CHECK(m->hash.fdir.hi == fz_crc(m));
	}
	rte_pktmbuf_free_bulk(pkts, take);
	fz_sent += take;
	fz_refused += n - take;
	return take;
}

/* ---- set-up ---- */

static int
fz_vnf(unsigned int v)
{
	struct ctl_vnf_config cfg;
	struct ctl_iface_config ifc[4];
	struct vnf_bpf_config bc;
	char err[512] = "", path[512];
	unsigned int i;
	int rc;

	memset(&cfg, 0, sizeof(cfg));
	memset(&bc, 0, sizeof(bc));
	memset(ifc, 0, sizeof(ifc));
	snprintf(path, sizeof(path), "%s/%s", FZ_BPF_DIR, fz_vnfs[v].file);
	bc.program = path;
	bc.jit = v != FZ_DNS; /* one interpreter */
	cfg.priv = &bc;
	snprintf(cfg.name, sizeof(cfg.name), "%s", fz_vnfs[v].name);
	snprintf(cfg.type, sizeof(cfg.type), "bpf");
	for (i = 0; i < fz_vnfs[v].n_ifaces; i++)
		snprintf(ifc[i].name, sizeof(ifc[i].name), "i%u", i);
	cfg.ifaces = ifc;
	cfg.n_ifaces = fz_vnfs[v].n_ifaces;
	rc = vnf_instance_create(&cfg, (uint16_t)v, 1, nfv_rcu(), &fz_vi[v],
				 err, sizeof(err));
	if (rc < 0)
		fprintf(stderr, "fuzz_bpf: %s\n", err);
	return rc;
}

int
fz_init(const char *prog)
{
	unsigned int v, i;
	int rc;

	fz_self = prog;
	rc = fz_env_init(prog, "fz-bpf", 128, FZ_POOL, &fz_pool);
	if (rc < 0)
		return rc;
	for (v = 0; v < FZ_N_VNFS && rc == 0; v++)
		rc = fz_vnf(v);
	if (rc < 0)
		return rc;
	fz_g = nfv_graph_alloc();
	fz_w = nfv_test_wctx_new(fz_pool, fz_tx_burst, UINT64_C(1) << 40);
	if (fz_g == NULL || fz_w == NULL)
		return -ENOMEM;
	for (v = 0; v < FZ_N_VNFS; v++) {
		nfv_test_graph_add(fz_g, fz_vi[v]);
		for (i = 0; i < fz_vnfs[v].n_ifaces; i++)
			nfv_test_link_port(fz_g,
					   (uint16_t)(fz_vnfs[v].port0 + i),
					   (uint16_t)v, (uint16_t)i);
	}
	fz_queue_init(&fz_q, fz_w, fz_g, FZ_PORTS);
	return 0;
}

int
fz_fini(void)
{
	unsigned int v;

	for (v = 0; v < FZ_N_VNFS; v++)
		vnf_instance_destroy(fz_vi[v]);
	nfv_graph_free(fz_g);
	nfv_test_wctx_free(fz_w);
	return fz_env_fini(fz_pool);
}

/* ---- the input program ---- */

/* The last frame built, for bursts of one flow. */
static struct {
	uint8_t buf[FZ_FRAME_MAX + 64];
	uint16_t len, first, port;
	uint8_t flags;
	bool valid;
} fz_last;

/* The VNF on port p and the iface p is linked to. */
static unsigned int
fz_vnf_of(uint16_t p, uint16_t *iface)
{
	unsigned int v;

	for (v = FZ_N_VNFS - 1; fz_vnfs[v].port0 > p; v--)
		;
	*iface = (uint16_t)(p - fz_vnfs[v].port0);
	return v;
}

/* Queue fz_last once more with the port it must leave by; false when out
 * of mbufs. */
static bool
fz_enqueue_last(void)
{
	struct rte_mbuf *m;
	uint16_t len = fz_last.len, port = fz_last.port;
	uint16_t in, out;
	unsigned int v;
	uint32_t verdict;
	int data_off = -1;

	/* No room for the context header, or less than the window after
	 * the data: the program reads a copy. */
	if (fz_last.flags & 1)
		data_off = 0;
	else if ((fz_last.flags & 4) && len <= 1400)
		data_off = 700;
	m = fz_mbuf_make(fz_pool, fz_last.buf, len, fz_last.first, data_off);
	if (m == NULL)
		return false;
	m->port = port;
	/* What the program will say, in the order it will run. */
	v = fz_vnf_of(port, &in);
	verdict = fz_vnfs[v].ref(
		fz_last.buf, RTE_MIN((uint32_t)len, (uint32_t)NFV_BPF_WINDOW),
		in, fz_ref_k[v]);
	out = verdict < fz_vnfs[v].n_ifaces
		      ? (uint16_t)(fz_vnfs[v].port0 + verdict)
		      : FZ_DROP;
	m->hash.usr = (uint32_t)len | (uint32_t)out << 16;
	m->hash.fdir.hi = fz_crc(m);
	fz_queue_push(&fz_q, port, m);
	return true;
}

static void
fz_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint16_t
fz_port_no(struct fz_in *in)
{
	static const uint16_t ports[] = {53, 80, 443, 5353};
	uint8_t sel = fz_u8(in);

	return sel < 0xc0 ? ports[sel % RTE_DIM(ports)] : fz_u16(in);
}

/* Build one frame from the input and queue it; false when out of mbufs.
 * Mostly frames the programs look into (IPv4 or IPv6 TCP/UDP to the ports
 * they know), so that every verdict is reached; one choice per byte. */
static bool
fz_frame(struct fz_in *in)
{
	static const uint16_t types[] = {0x0800, 0x0800, 0x0800, 0x86dd,
					 0x86dd, 0x86dd, 0x0806, 0x88cc};
	static const uint8_t protos[] = {6, 17, 6, 17, 1, 58};
	uint8_t *b = fz_last.buf;
	uint16_t port = fz_u8(in) % FZ_PORTS, type;
	uint8_t flags = fz_u8(in), tsel = fz_u8(in), psel = fz_u8(in);
	uint8_t ihl = fz_u8(in), fill = fz_u8(in), proto;
	uint16_t len = fz_u16(in) % (FZ_FRAME_MAX + 1);
	unsigned int l3 = 14, l4, i;

	for (i = 0; i < sizeof(fz_last.buf); i++)
		b[i] = (uint8_t)(fill + i * 7);
	memcpy(b, "\x02\x00\x00\x00\x00\x0b\x02\x00\x00\x00\x00\x0a", 12);
	if (flags & 0x80) {
		fz_put16(b + 12, 0x8100);
		fz_put16(b + 14, fz_u16(in) & 0x0fff);
		l3 = 18;
	}
	type = tsel >= 0xf0 ? fz_u16(in) : types[tsel % RTE_DIM(types)];
	fz_put16(b + l3 - 2, type);
	proto = psel >= 0xf0 ? fz_u8(in) : protos[psel % RTE_DIM(protos)];
	ihl = ihl >= 0xf0 ? ihl & 0xf : 5;
	if (type == 0x0800) {
		b[l3] = (uint8_t)(0x40 | ihl);
		fz_put16(b + l3 + 6, (flags & 0x40) ? fz_u16(in) : 0);
		b[l3 + 9] = proto;
		l4 = l3 + ihl * 4u;
	} else {
		b[l3] = 0x60;
		b[l3 + 6] = proto;
		l4 = l3 + 40;
	}
	fz_put16(b + l4, fz_port_no(in));
	fz_put16(b + l4 + 2, fz_port_no(in));
	/* Now and then a few bytes anywhere in the headers. */
	if (flags & 0x20)
		fz_frame_damage(in, b, 80, 1 + fz_u8(in) % 3u, 80);
	/* Mostly long enough for the headers. */
	if (!(flags & 0x10) && len < 64)
		len = (uint16_t)(64 + len);
	fz_last.port = port;
	fz_last.flags = flags;
	fz_last.len = len;
	fz_last.first = (flags & 2) ? fz_frame_split(in, len) : len;
	fz_last.valid = true;
	return fz_enqueue_last();
}

/* bpf load on VNF v: its example again (its counters start over), or a
 * file that is no BPF object (nothing changes). */
static void
fz_load(unsigned int v, bool bad)
{
	char path[512];
	json_t *args, *reply = NULL;
	int rc;

	/* The frames queued were judged by the running program. */
	fz_queue_submit_all(&fz_q);
	snprintf(path, sizeof(path), "%s/%s", FZ_BPF_DIR, fz_vnfs[v].file);
	/* Bad: not a file at all, or (1 in 16: reading it is not cheap)
	 * an ELF that is no BPF object, this program. */
	args = json_pack("{s:s}", "file",
			 bad ? (fz_load_errors % 16 ? "/dev/null" : fz_self)
			     : path);
	FZ_CHECK(args != NULL);
	rc = vnf_verb_call(fz_vi[v], "bpf load", args, &reply);
	json_decref(args);
	json_decref(reply);
	if (bad) {
		FZ_CHECK(rc < 0);
		fz_load_errors++;
		return;
	}
	FZ_CHECK(rc == 0);
	memset(fz_ref_k[v], 0, sizeof(fz_ref_k[v]));
	fz_loads++;
	nfv_rcu_reclaim();
}

/* Whether VNF v's reference state is a freshly loaded program's. */
static bool
fz_ref_fresh(unsigned int v)
{
	unsigned int k;

	for (k = 0; k < RTE_DIM(fz_ref_k[v]); k++)
		if (fz_ref_k[v][k] != 0)
			return false;
	return true;
}

static void
fz_ctl(struct vnf_instance *vi, uint8_t what)
{
	json_t *reply = NULL;

	if (what & 1) {
		FZ_CHECK((reply = vi->ops->details(vi)) != NULL);
	} else {
		FZ_CHECK(vnf_verb_call(vi, "show bpf", NULL, &reply) == 0);
		FZ_CHECK(json_array_size(reply) == 1);
	}
	json_decref(reply);
}

/* `bpf load`s an input may make.  The programs are the fixed examples,
 * so the loader and validator see nothing new after the first loads;
 * what an input adds is where the loads fall among its frames.  Inputs at
 * the length limit made dozens, 88 % of a campaign's time. */
#define FZ_LOADS_PER_INPUT 4
static unsigned int fz_input_loads;

/* Ops 11-15 (fuzz_prog.h; 0-9 frames, 10 the last frame again). */
static void
fz_op(struct fz_in *in, uint8_t op, uint8_t arg)
{
	RTE_SET_USED(in);
	switch (op) {
	case 11:
		fz_queue_submit_all(&fz_q);
		break;
	case 12:
		if (fz_input_loads++ < FZ_LOADS_PER_INPUT)
			fz_load(arg % FZ_N_VNFS, (arg & 0x80) != 0);
		break;
	case 13:
		fz_ctl(fz_vi[arg % FZ_N_VNFS], arg >> 7);
		break;
	case 14:
		fz_accept = arg % 40; /* 32 and up: everything */
		break;
	case 15:
		fz_prog_link_flip(arg, FZ_PORTS);
		break;
	}
}

static const struct fz_prog fz_prog = {
	.frame_ops = 0x3ff,
	.repeat_op = 10,
	.last_valid = &fz_last.valid,
	.frame = fz_frame,
	.again = fz_enqueue_last,
	.op = fz_op,
};

unsigned int
fz_run(const uint8_t *data, size_t len)
{
	struct fz_in in = {.p = data, .n = len};
	unsigned int frames = 0, v;
	uint16_t p;

	/* Each input starts from the same state: a fresh sampler (its count
	 * starts over; the other two keep no state), every port up and
	 * taking everything.  The sampler is loaded again only when it has
	 * counted a frame since its last load: its reference counts every
	 * frame as the program does, so all zeros is a fresh program's
	 * state.  A load maps, compiles and later unmaps the program; once
	 * per input it took 40 % of the harness's time. */
	if (!fz_ref_fresh(FZ_SMP))
		fz_load(FZ_SMP, false);
	FZ_CHECK(fz_ref_fresh(FZ_SMP));
	fz_last.valid = false;
	fz_accept = UINT_MAX;
	fz_input_loads = 0;
	for (p = 0; p < FZ_PORTS; p++)
		atomic_store(&nfv_port_fp[p].link_up, true);

	frames = fz_prog_run(&fz_prog, &fz_q, &in);
	FZ_CHECK(fz_w->tx_dirty == 0);
	FZ_CHECK(rte_mempool_avail_count(fz_pool) == fz_pool->size);
	for (v = 0; v < FZ_N_VNFS; v++)
		fz_check_fates(fz_vi[v], "fuzz_bpf");
	return frames;
}

void
fz_print_counters(FILE *f)
{
	unsigned int v;
	uint16_t c;

	fprintf(f,
		"sent %" PRIu64 ", refused by the ports %" PRIu64 ", %" PRIu64
		" loads, %" PRIu64 " refused\n",
		fz_sent, fz_refused, fz_loads, fz_load_errors);
	for (v = 0; v < FZ_N_VNFS; v++) {
		fprintf(f, "%s:", fz_vi[v]->name);
		for (c = 0; c < fz_vi[v]->ops->n_counters; c++) {
			uint64_t n = vnf_counter_sum(fz_vi[v], c);

			if (n != 0)
				fprintf(f, " %s %" PRIu64,
					fz_vi[v]->ops->counters[c].name, n);
		}
		fprintf(f, "\n");
	}
}
