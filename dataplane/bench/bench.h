/* SPDX-License-Identifier: BSD-3-Clause
 *
 * bench.h - nfv-bench: a traffic generator and RFC 2544 zero-loss search
 * over virtio-user ports into a device under test's vhost-user sockets.
 *
 * One thread does everything: it builds frames from templates, sends them
 * (closed loop: a fixed number of bursts circulates through the device;
 * open loop: a token bucket on the TSC), receives them, checks the
 * signature each frame carries in its payload and counts per direction
 * what was sent, delivered, lost and reordered, and the latency.  Ports
 * pair up: 0<->1, 2<->3; port p's frames are addressed to its peer p^1.
 *
 * Files: main.c (options, EAL, modes), traffic.c (templates, checksums,
 * the signature, pcap output), ports.c (virtio-user and ring ports, the
 * in-process test device), trial.c (one trial), search.c (measurement
 * and the RFC 2544 search), report.c (progress, table, JSON, plot),
 * vnfcost.c (per-function cost of nfvd's VNFs, no ports).
 */
#ifndef NFVB_BENCH_H
#define NFVB_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_mbuf.h>
#include <rte_memcpy.h>

struct rte_ring;
typedef struct json_t json_t;

#define NFVB_VERSION "0.1.0"
#define NFVB_SCHEMA 1
#define NFVB_MAX_PORTS 8
#define NFVB_MAX_SIZES 16
#define NFVB_MAX_CLASSES 3
#define NFVB_MAX_FLOWS (1u << 20) /* the signature's 20 bits */
#define NFVB_MAX_BURST 64
#define NFVB_MAX_QUEUES 8		/* --queues: queue pairs per port */
#define NFVB_DUT_MAX_WORKERS 64		/* --dut-socket: nfvd's workers kept */
#define NFVB_MAX_INFLIGHT 128		/* bursts per port, closed loop */
#define NFVB_PEND 8192			/* closed-loop resend queue, power of 2 */
/* Bytes kept per template, copied whole or half (nfvb_frame_fill()). */
#define NFVB_TMPL_SZ 128
#define NFVB_MIN_SIZE 64
#define NFVB_MAX_SIZE 1518
#define NFVB_SIZE_IMIX 0		/* in sizes[]: the IMIX mix */
#define NFVB_HIST_BUCKETS 896
#define NFVB_SIG_MAGIC 0x4e42u		/* "NB" in the first two bytes */

/* Usage errors exit with 2, runtime failures with 1. */
#define NFVB_EXIT_USAGE 2

/*
 * The signature each frame carries right after its L4 header.  Every
 * field sits at an even offset from the L4 header so that `fix` can keep
 * the L4 checksum valid without recomputing it: the template is summed
 * with seq = tsc = 0 and fix = 0xffff, and at send time fix is set so the
 * ones'-complement sum of seq, tsc and fix is 0xffff again.
 */
struct nfvb_sig {
	uint16_t magic;		/* NFVB_SIG_MAGIC, host order */
	uint8_t port;		/* the sending port (low 4 bits) and bits
				 * 16..19 of the flow (high 4 bits) */
	uint8_t meta;		/* size class << 6 | trial generation (6 bits) */
	uint16_t flow;		/* bits 0..15 of the flow, host order */
	uint16_t fix;		/* checksum compensation */
	uint32_t seq;		/* per sending port */
	uint32_t tsc;		/* low 32 bits of the TSC when sent */
} __rte_packed;

#define NFVB_SIG_LEN ((unsigned int)sizeof(struct nfvb_sig))
#define NFVB_META(cls, gen) ((uint8_t)(((cls) << 6) | ((gen) & 0x3f)))
#define NFVB_META_CLASS(m) ((unsigned int)(m) >> 6)
#define NFVB_META_GEN(m) ((unsigned int)(m) & 0x3f)
#define NFVB_SIG_PORT(s) ((unsigned int)(s)->port & 0x0f)
#define NFVB_SIG_FLOW(s)                                                       \
	((uint32_t)(s)->flow | (uint32_t)((s)->port >> 4) << 16)

_Static_assert(NFVB_MAX_PORTS <= 16, "a port fits the signature's 4 bits");

/* Flow fields that change from flow to flow (--vary). */
enum {
	NFVB_VARY_SRC_IP = 1u << 0,
	NFVB_VARY_DST_IP = 1u << 1,
	NFVB_VARY_SRC_PORT = 1u << 2,
	NFVB_VARY_DST_PORT = 1u << 3,
	NFVB_VARY_SRC_MAC = 1u << 4,
};

enum nfvb_rate_kind {
	NFVB_RATE_NONE = 0,	/* not given */
	NFVB_RATE_PPS,
	NFVB_RATE_BPS,		/* layer-1 bits per second */
	NFVB_RATE_PCT,		/* percent of --line-rate */
};

struct nfvb_rate {
	enum nfvb_rate_kind kind;
	double v;
};

enum nfvb_ports_kind {
	NFVB_PORTS_VIRTIO = 0,	/* --port: virtio-user to a vhost-user socket */
	NFVB_PORTS_SELF,	/* --self-test: rings joining port 0 and 1 */
	NFVB_PORTS_TEST_DUT,	/* --test-dut: rings through a policer */
};

enum nfvb_mode {
	NFVB_MODE_MEASURE = 0,	/* one trial per size */
	NFVB_MODE_RFC2544,	/* zero-loss search per size */
	NFVB_MODE_VNF_COST,	/* nfvd's VNFs on prepared bursts */
	NFVB_MODE_PCAP,		/* write the frames it would send, exit */
};

struct nfvb_port_opts {
	char *path;
	bool server;
	bool has_mac, has_peer;
	uint8_t mac[6];
	uint8_t peer[6];
};

struct nfvb_opts {
	bool help;			/* -h: print the usage, nothing else */
	enum nfvb_mode mode;
	enum nfvb_ports_kind ports_kind;
	unsigned int n_ports;
	struct nfvb_port_opts ports[NFVB_MAX_PORTS];
	double test_dut_pps;		/* --test-dut, per direction */

	unsigned int n_sizes;
	unsigned int sizes[NFVB_MAX_SIZES];	/* NFVB_SIZE_IMIX for imix */
	uint32_t flows;
	unsigned int vary;
	bool ipv6;
	bool tcp;
	bool has_src_ip, has_dst_ip;
	uint8_t src_ip[16], dst_ip[16];
	/* --src-range/--dst-range: src_ip/dst_ip hold the network, and the
	 * side's varied address is spread over it (see traffic.c) */
	bool src_spread, dst_spread;
	uint8_t src_plen, dst_plen;
	uint16_t src_port, dst_port;
	bool unidir;

	struct nfvb_rate rate;		/* NONE: closed loop */
	unsigned int inflight;
	unsigned int burst;
	double line_gbps;
	double duration;
	double warmup;

	struct nfvb_rate max_rate, min_rate, precision;
	double loss_tol;		/* percent */
	double trial_time;
	double verify_time;

	const char *json;
	const char *plot;
	const char *pcap;
	bool quiet;

	const char *vnf_cost_cfg;
	unsigned long iterations;

	int cpu;
	const char *file_prefix;
	unsigned int memory;
	bool no_huge;
	unsigned int ring_size;
	unsigned int queues;		/* --queues: flow f on TX queue f % queues */
	unsigned int drain_quiet_ms;	/* --drain-quiet */
	const char *dut_socket;		/* --dut-socket: nfvd's control socket */
	int eal_argc;			/* after `--` */
	char **eal_argv;
};

/* Options: parse argv; 0 (o->help: -h was given), or NFVB_EXIT_USAGE
 * after printing why. */
int nfvb_opts_parse(struct nfvb_opts *o, int argc, char **argv);
void nfvb_usage(FILE *f);
int nfvb_parse_rate(const char *s, struct nfvb_rate *r);
int nfvb_parse_mac(const char *s, uint8_t mac[6]);
void nfvb_default_mac(unsigned int port, uint8_t mac[6]);
/* Packets per second per port that `r` means for frames of mean size
 * `mean` bytes (FCS included). */
double nfvb_rate_pps(const struct nfvb_rate *r, double mean, double line_gbps);
const char *nfvb_size_name(unsigned int size, char *buf, size_t len);

/*
 * The frames of one trial.  A template per sending port and size class
 * holds the first NFVB_TMPL_SZ bytes of flow 0's frame (headers and the
 * signature with seq = tsc = 0); every byte of a frame beyond copy_len is
 * zero, on the wire and in the pool (see nfvb_pool_create()), so the L4
 * checksum computed here stays right for any frame length.  Flow f's
 * frame is the template with the fields that vary by flow written over
 * it (nfvb_frame_fill()): addresses, ports, source MAC, the signature's
 * flow, and the checksums completed from partial sums kept without those
 * fields, so a million flows cost no more memory (or cache) than one.
 */
struct nfvb_traffic {
	unsigned int size;		/* as in sizes[] */
	unsigned int n_classes;
	uint16_t len[NFVB_MAX_CLASSES];	/* frame length without FCS */
	unsigned int n_pattern;
	uint8_t pattern[12];		/* class of each frame, cyclic */
	double mean_size;		/* FCS included */
	uint32_t flows;
	unsigned int n_ports;
	uint16_t l4_off;
	uint16_t sig_off;
	uint16_t copy_len;		/* bytes copied from a template */
	bool has_sig;			/* the smallest class holds a signature */
	uint8_t gen;			/* trial generation, 6 bits */
	uint8_t *tmpl;			/* [port][class][NFVB_TMPL_SZ] */

	/* What varies by flow (traffic.c fills it from the options). */
	unsigned int vary; /* NFVB_VARY_* */
	bool ipv6, tcp;
	uint16_t ck_off; /* the L4 checksum field */
	/* The even side's source [0] and destination [1] address, as a
	 * host-order number (IPv4 in the low 32 bits); with a range, the
	 * network and the mask of the host bits the hash fills. */
	unsigned __int128 addr[2], spread_mask[2];
	bool spread[2];
	uint8_t spread_bits[2], spread_shift[2];
	uint16_t l4port[2];		/* even side's source, destination */
	uint32_t mac24[NFVB_MAX_PORTS]; /* bytes 2..4 of each port's MAC */
	/* Ones'-complement sums of the template without the words that
	 * vary (the addresses and the ports where --vary names them, the
	 * signature's port/meta/flow word, the checksum fields): the IPv4
	 * header's, and the L4 checksum's over the pseudo-header, the L4
	 * header and the signature. */
	uint32_t ip_sum[NFVB_MAX_PORTS][NFVB_MAX_CLASSES];
	uint32_t l4_sum[NFVB_MAX_PORTS][NFVB_MAX_CLASSES];
};

int nfvb_traffic_build(struct nfvb_traffic *t, const struct nfvb_opts *o,
		       unsigned int n_ports, unsigned int size, char *err,
		       size_t errlen);
void nfvb_traffic_free(struct nfvb_traffic *t);
/* Change the generation byte in every template (a new trial). */
void nfvb_traffic_set_gen(struct nfvb_traffic *t, uint8_t gen);

static inline uint8_t *
nfvb_tmpl(const struct nfvb_traffic *t, unsigned int port, unsigned int cls)
{
	return t->tmpl + ((size_t)port * t->n_classes + cls) * NFVB_TMPL_SZ;
}

/*
 * A permutation of the `bits`-wide numbers (0..32), for --src-range and
 * --dst-range: each step is a bijection modulo 2^bits (adding a constant,
 * multiplying by an odd one, x ^= x >> s with s >= 1), and the rounds mix
 * low bits into high ones and back.  So flows 0, 1, 2, ... land far apart
 * (on different routes of a large table, not on neighbouring addresses
 * of one /24), and while f < 2^bits no two flows share an address.
 * Deterministic: the same frames every run.
 */
static inline uint32_t
nfvb_spread_hash(uint32_t f, unsigned int bits, unsigned int side)
{
	/* A constant per side: the two addresses of a flow are unrelated
	 * (src ^ dst is not the same for every flow). */
	static const uint32_t salt[2] = {0x7f4a7c15u, 0x2545f491u};
	uint32_t mask = bits >= 32 ? UINT32_MAX : (1u << bits) - 1;
	unsigned int s = (bits + 1) / 2;
	uint32_t x = f & mask;

	x = (x * 0x9e3779b1u + salt[side]) & mask;
	x ^= x >> s;
	x = (x * 0x85ebca6bu) & mask;
	x ^= x >> s;
	x = (x * 0xc2b2ae35u) & mask;
	x ^= x >> s;
	return x;
}

/* The address fields and the port fields vary as units: when either of
 * a pair varies, nfvb_flow_write() writes both (mirrored on odd ports). */
#define NFVB_VARY_ADDRS (NFVB_VARY_SRC_IP | NFVB_VARY_DST_IP)
#define NFVB_VARY_PORTS (NFVB_VARY_SRC_PORT | NFVB_VARY_DST_PORT)

/* Flow f's even-side source (side 0) or destination (side 1) address:
 * counted up in the last 32 bits (wrapping there), or the range's host
 * bits just after the prefix (at most 32) taken from the hash. */
static inline unsigned __int128
nfvb_flow_addr(const struct nfvb_traffic *t, unsigned int side, uint32_t f)
{
	unsigned __int128 a = t->addr[side];

	if (!(t->vary & (side == 0 ? NFVB_VARY_SRC_IP : NFVB_VARY_DST_IP)))
		return a;
	if (t->spread[side])
		return (a & ~t->spread_mask[side]) |
		       ((unsigned __int128)nfvb_spread_hash(
				f, t->spread_bits[side], side)
			<< t->spread_shift[side]);
	return (a & ~(unsigned __int128)UINT32_MAX) |
	       (uint32_t)((uint32_t)a + f);
}

/* The same for IPv4, in 32 bits (the common case, per frame). */
static inline uint32_t
nfvb_flow_addr4(const struct nfvb_traffic *t, unsigned int side, uint32_t f)
{
	uint32_t a = (uint32_t)t->addr[side];

	if (!(t->vary & (side == 0 ? NFVB_VARY_SRC_IP : NFVB_VARY_DST_IP)))
		return a;
	if (t->spread[side])
		return (a & ~(uint32_t)t->spread_mask[side]) |
		       nfvb_spread_hash(f, t->spread_bits[side], side)
			       << t->spread_shift[side];
	return a + f;
}

/* Store IPv6 address a at p (network order); its 32-bit words' sum. */
static inline uint64_t
nfvb_addr6_store(unsigned __int128 a, uint8_t *p)
{
	uint64_t hi = rte_cpu_to_be_64((uint64_t)(a >> 64));
	uint64_t lo = rte_cpu_to_be_64((uint64_t)a);

	memcpy(p, &hi, 8);
	memcpy(p + 8, &lo, 8);
	return (hi >> 32) + (hi & UINT32_MAX) + (lo >> 32) + (lo & UINT32_MAX);
}

static inline uint16_t
nfvb_fold64(uint64_t s)
{
	s = (s >> 32) + (s & UINT32_MAX);
	s = (s >> 16) + (s & 0xffff);
	s = (s >> 16) + (s & 0xffff);
	s = (s >> 16) + (s & 0xffff);
	return (uint16_t)s;
}

/*
 * Write flow f's fields over a copy of port p's class-cls template at d:
 * what --vary changes (the addresses, the ports, the source MAC), the
 * signature's flow, and the checksums they are in, completed from the
 * template's sums without them (traffic.c writes flow 0's template the
 * same way).  Generator thread, per frame when flows > 1: a few dozen
 * instructions, no table per flow.  The 32-bit words summed are at even
 * offsets from the start of what their checksum covers, so native-order
 * sums are right on any host.
 */
static inline void
nfvb_flow_write(const struct nfvb_traffic *t, unsigned int p, unsigned int cls,
		uint32_t f, uint8_t *d)
{
	/* Everything is read and computed before the first store: a store
	 * through a byte pointer may alias *t, and would make the compiler
	 * load t's fields again after it. */
	const unsigned int side = p & 1, vary = t->vary;
	const bool v4 = !t->ipv6, sig = t->has_sig, udp = !t->tcp;
	const uint16_t l4_off = t->l4_off, sig_off = t->sig_off;
	const uint16_t ck_off = t->ck_off;
	const uint32_t mac = t->mac24[p] + f;
	uint64_t l4s = t->l4_sum[p][cls], ips = t->ip_sum[p][cls];
	uint32_t s4 = 0, d4 = 0, pw = 0, sw = 0;
	unsigned __int128 s6 = 0, d6 = 0;
	uint16_t ck, ipck = 0;

	if ((vary & NFVB_VARY_ADDRS) && v4) {
		s4 = rte_cpu_to_be_32(nfvb_flow_addr4(t, side, f));
		d4 = rte_cpu_to_be_32(nfvb_flow_addr4(t, side ^ 1, f));
		ips += (uint64_t)s4 + d4;
		l4s += (uint64_t)s4 + d4;
		ipck = (uint16_t)~nfvb_fold64(ips);
	} else if (vary & NFVB_VARY_ADDRS) {
		s6 = nfvb_flow_addr(t, side, f);
		d6 = nfvb_flow_addr(t, side ^ 1, f);
	}
	if (vary & NFVB_VARY_PORTS) {
		uint16_t sp = t->l4port[0], dp = t->l4port[1];
		struct {
			uint16_t sp, dp;
		} ports;

		if (vary & NFVB_VARY_SRC_PORT)
			sp = (uint16_t)(sp + f);
		if (vary & NFVB_VARY_DST_PORT)
			dp = (uint16_t)(dp + f);
		ports.sp = rte_cpu_to_be_16(side == 0 ? sp : dp);
		ports.dp = rte_cpu_to_be_16(side == 0 ? dp : sp);
		memcpy(&pw, &ports, 4);
		l4s += pw;
	}
	if (sig) {
		struct {
			uint8_t port, meta;
			uint16_t flow;
		} x = {(uint8_t)(p | (f >> 16) << 4), NFVB_META(cls, t->gen),
		       (uint16_t)f};

		memcpy(&sw, &x, 4);
		l4s += sw;
	}

	if (vary & NFVB_VARY_SRC_MAC) {
		d[8] = (uint8_t)(mac >> 16);
		d[9] = (uint8_t)(mac >> 8);
		d[10] = (uint8_t)mac;
	}
	if ((vary & NFVB_VARY_ADDRS) && v4) {
		memcpy(d + 14 + 12, &s4, 4);
		memcpy(d + 14 + 16, &d4, 4);
		memcpy(d + 14 + 10, &ipck, 2);
	} else if (vary & NFVB_VARY_ADDRS) {
		l4s += nfvb_addr6_store(s6, d + 14 + 8) +
		       nfvb_addr6_store(d6, d + 14 + 24);
	}
	if (vary & NFVB_VARY_PORTS)
		memcpy(d + l4_off, &pw, 4);
	if (sig)
		memcpy(d + sig_off + 2, &sw, 4);
	ck = (uint16_t)~nfvb_fold64(l4s);
	if (ck == 0 && udp)
		ck = 0xffff; /* UDP: 0 means "no checksum" */
	memcpy(d + ck_off, &ck, 2);
}

/* Flow f's frame from port p's class-cls template, headers only (the
 * rest of the buffer must be zero).  A fixed-size copy of 64 or 128 bytes
 * (a template is zero past copy_len, like the buffer: the bytes past the
 * headers stay zero) is cheaper than one of copy_len. */
static __rte_always_inline void
nfvb_frame_fill(const struct nfvb_traffic *t, unsigned int p, unsigned int cls,
		uint32_t f, void *d)
{
	if (t->copy_len <= 64)
		rte_mov64(d, nfvb_tmpl(t, p, cls));
	else
		rte_mov128(d, nfvb_tmpl(t, p, cls));
	if (t->flows > 1)
		nfvb_flow_write(t, p, cls, f, d);
}

/* Fill seq/tsc and the compensation word; the L4 checksum stays valid. */
static inline void
nfvb_sig_stamp(struct nfvb_sig *s, uint32_t seq, uint32_t tsc)
{
	uint32_t sum = (seq & 0xffff) + (seq >> 16) + (tsc & 0xffff) +
		       (tsc >> 16);

	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	/* Unaligned stores: the signature may sit at any even offset. */
	s->seq = seq;
	s->tsc = tsc;
	s->fix = (uint16_t)~sum;
}

/* Write the frames of t as a pcap file (up to `per_port` per port). */
int nfvb_pcap_write(const struct nfvb_traffic *t, const char *path,
		    unsigned int per_port);

/* Latency, in TSC cycles, as a log-linear histogram (about 3 %). */
struct nfvb_lat {
	uint64_t n;
	uint64_t sum;
	uint32_t min, max;
	uint32_t hist[NFVB_HIST_BUCKETS];
};

static inline unsigned int
nfvb_hist_bucket(uint32_t v)
{
	unsigned int e;

	if (v < 64)
		return v;
	e = 31 - (unsigned int)__builtin_clz(v);	/* 6..31 */
	return 64 + (e - 6) * 32 + ((v >> (e - 5)) & 31);
}

static inline void
nfvb_lat_add(struct nfvb_lat *l, uint32_t v)
{
	l->n++;
	l->sum += v;
	if (v < l->min)
		l->min = v;
	if (v > l->max)
		l->max = v;
	l->hist[nfvb_hist_bucket(v)]++;
}

/* Lower bound of a bucket; the q-quantile (0..1) in cycles. */
uint32_t nfvb_hist_low(unsigned int b);
double nfvb_lat_quantile(const struct nfvb_lat *l, double q);

/* Counters of one port in one trial's measurement window. */
struct nfvb_pstats {
	uint64_t tx_pkts, tx_bytes;	/* sent by this port (bytes with FCS) */
	uint64_t tx_refused;		/* open loop: the TX ring was full */
	uint64_t rx_pkts, rx_bytes;	/* window frames received on this port */
	uint64_t delivered;		/* this port's frames received anywhere */
	uint64_t reordered;		/* this port's frames older than one seen
					 * (of the same flow with --queues > 1) */
	uint64_t foreign;		/* received here without our signature */
	uint64_t stale;			/* ours, from an earlier trial */
	struct nfvb_lat lat;		/* this port's frames */
	uint64_t tx_q[NFVB_MAX_QUEUES];	/* window frames sent per TX queue */
	uint64_t rx_q[NFVB_MAX_QUEUES];	/* window frames received per RX queue */
};

/* nfvd's workers as its control socket counts them (dut.c): packets and
 * busy cycles per worker, a sample or a trial's difference. */
struct nfvb_dut {
	unsigned int n;
	uint64_t pkts[NFVB_DUT_MAX_WORKERS];
	uint64_t busy[NFVB_DUT_MAX_WORKERS];
};

/* 0, or -errno when nfvd did not answer show stats. */
int nfvb_dut_sample(const char *path, struct nfvb_dut *d);
/* after -= before, per worker (n 0 when the workers changed). */
void nfvb_dut_diff(struct nfvb_dut *after, const struct nfvb_dut *before);

/* What one trial produced. */
struct nfvb_trial {
	unsigned int index;
	const char *kind;		/* "measure", "search", "verify" */
	unsigned int size;
	bool closed_loop;
	double requested_pps;		/* per sending port; 0: closed loop */
	double duration;		/* measured seconds */
	bool has_pass;
	bool pass;
	bool gen_limited;		/* sent < 99 % of what was asked */
	double gen_busy_pct;		/* share of the window the generator's
					 * loop moved frames; near 100 % in a
					 * closed loop: it, not the device, may
					 * be the bottleneck */
	unsigned int n_ports;
	bool tx_on[NFVB_MAX_PORTS];
	struct nfvb_pstats ps[NFVB_MAX_PORTS];
	uint64_t tsc_hz;
	bool has_dut;			/* --dut-socket answered both times */
	struct nfvb_dut dut;		/* nfvd's workers over the trial */
};

/* Derived figures of a trial. */
double nfvb_trial_loss_pct(const struct nfvb_trial *t);
double nfvb_trial_offered_pps(const struct nfvb_trial *t); /* per sender */
double nfvb_trial_rx_pps(const struct nfvb_trial *t);	   /* per receiver */
double nfvb_trial_offered_bps(const struct nfvb_trial *t);
double nfvb_trial_rx_bps(const struct nfvb_trial *t);

/* The ports of this process. */
struct nfvb_port {
	uint16_t eth;
	uint16_t peer;			/* index of the paired port */
	uint8_t mac[6], peer_mac[6];
};

struct nfvb_ctx {
	const struct nfvb_opts *o;
	struct rte_mempool *pool;
	unsigned int n_ports;
	unsigned int n_started;		/* ports to stop and close */
	struct nfvb_port ports[NFVB_MAX_PORTS];
	uint64_t hz;
	/* ring modes: ring (4 * queue + i), see ports.c */
	struct rte_ring *rings[4 * NFVB_MAX_QUEUES];
	bool test_dut;
	double test_dut_pps;
	double dut_tokens[2];
	uint64_t dut_last;
	uint64_t dut_dropped;
	unsigned int trials;		/* trials run so far */
	uint8_t gen;
};

/* Ports (ports.c).  0 or -errno with a reason in err. */
int nfvb_pool_create(struct nfvb_ctx *c, unsigned int n_mbufs);
int nfvb_ports_open(struct nfvb_ctx *c, char *err, size_t errlen);
void nfvb_ports_close(struct nfvb_ctx *c);
/* The vdev arguments of --port i ("net_virtio_user0,path=...") */
int nfvb_vdev_arg(const struct nfvb_opts *o, unsigned int i, char *buf,
		  size_t len);
/* Test device: move frames between the rings, dropping above the rate. */
void nfvb_test_dut_poll(struct nfvb_ctx *c, uint64_t now);

/* Set by SIGINT/SIGTERM: the running trial ends early. */
extern volatile sig_atomic_t nfvb_interrupted;

/* One trial (trial.c).  rate_pps 0: closed loop. */
struct nfvb_trial_cfg {
	const char *kind;
	double rate_pps;
	double duration;
	double warmup;
};
int nfvb_trial_run(struct nfvb_ctx *c, struct nfvb_traffic *t,
		   const struct nfvb_trial_cfg *tc, struct nfvb_trial *r);

/* The result for one frame size (search.c). */
struct nfvb_result {
	unsigned int size;
	double mean_size;
	unsigned int n_trials;
	struct nfvb_trial *trials;	/* every trial, in order */
	int final;			/* index into trials; -1: none */
	bool found;			/* rfc2544: a passing rate */
	double throughput_pps;		/* per port: what the final trial sent
					 * (open loop) or received (closed) */
	double throughput_bps;		/* the same in layer-2 bits */
	bool gen_limited;		/* the final trial was */
};

int nfvb_run_size(struct nfvb_ctx *c, unsigned int size,
		  struct nfvb_result *res);
void nfvb_result_free(struct nfvb_result *res);

/* Output (report.c). */
void nfvb_report_trial(const struct nfvb_ctx *c, const struct nfvb_trial *t);
void nfvb_report_table(const struct nfvb_ctx *c, const struct nfvb_result *res,
		       unsigned int n);
int nfvb_report_json(const struct nfvb_ctx *c, const struct nfvb_result *res,
		     unsigned int n, json_t *extra, const char *path);
int nfvb_report_plot(const struct nfvb_ctx *c, const struct nfvb_result *res,
		     unsigned int n, const char *path);

/* EAL for this process (main.c): one core, --in-memory, the vdevs. */
int nfvb_eal_init(const struct nfvb_opts *o);
void nfvb_eal_cleanup(void);

/* Per-function cost (vnfcost.c): 0 or an exit code. */
int nfvb_vnf_cost(const struct nfvb_opts *o);

#endif /* NFVB_BENCH_H */
