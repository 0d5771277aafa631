/* SPDX-License-Identifier: BSD-3-Clause
 *
 * test_bpf.c - the bpf VNF (vnf/bpf): its config keys; the loader's
 * refusals (a file that is not ELF, JMP32, maps, global variables,
 * BPF-to-BPF calls, kernel helpers, a loop, an out-of-bounds read that
 * rte_bpf's validator catches); each example of configs/bpf/ on golden
 * frames through process(); the JIT, the interpreter and a plain-C
 * reference agreeing on 100,000 random frames; frames that cannot be read
 * in place; the helpers; `bpf load` replacing the program while a worker
 * on another thread runs it, with nothing lost; `show bpf`.
 *
 * The programs are built by meson with clang (NFV_BPF_EXAMPLES,
 * NFV_BPF_PROGS); without clang the test skips (exit 77) unless
 * NFV_REQUIRE_CLANG=1.
 */
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <cmocka.h>
#include <jansson.h>
#include <rte_eal.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "control/config.h"
#include "tests/common/test_eal.h"
#include "tests/common/test_rcu.h"
#include "tests/unit/bpf/bpf_ref.h"
#include "vnf/bpf/config.h"
#include "vnf/bpf/nfv_bpf.h"
#include "vnf/bpf/prog.h"
#include "vnf/lib/rcu.h"
#include "vnf/vnf.h"

static struct rte_mempool *pool;
static struct vnf_emit emit;
static const char *ex_dir, *prog_dir;

/* A path under dir, in a static buffer of its own per slot. */
static const char *
path_of(const char *dir, const char *name)
{
	static char buf[4][512];
	static unsigned int k;
	char *p = buf[k++ % 4];

	snprintf(p, sizeof(buf[0]), "%s/%s", dir, name);
	return p;
}

#define TP(name) path_of(prog_dir, name ".o")

/* ---- frames ---- */

struct frame {
	uint8_t b[2048];
	uint32_t len;
};

struct fspec {
	bool vlan;
	uint16_t type; /* ethertype */
	uint8_t ihl;   /* IPv4: header words (5 normally) */
	uint16_t frag; /* IPv4: flags and offset field */
	uint8_t proto;
	uint16_t sport, dport;
	uint32_t payload;
};

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* An Ethernet frame as s says; addresses fixed, checksums left 0. */
static void
build(struct frame *f, const struct fspec *s)
{
	uint32_t l3 = 14, l4;
	uint8_t *b = f->b;

	memset(b, 0, sizeof(f->b));
	memcpy(b, "\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01", 12);
	if (s->vlan) {
		put16(b + 12, 0x8100);
		put16(b + 14, 100);
		l3 = 18;
	}
	put16(b + l3 - 2, s->type);
	if (s->type == 0x0800) {
		b[l3] = (uint8_t)(0x40 | (s->ihl & 0xf));
		put16(b + l3 + 6, s->frag);
		b[l3 + 8] = 64;
		b[l3 + 9] = s->proto;
		memcpy(b + l3 + 12, "\x0a\x00\x00\x01\xc0\x00\x02\x01", 8);
		l4 = l3 + (s->ihl & 0xfu) * 4;
	} else if (s->type == 0x86dd) {
		b[l3] = 0x60;
		b[l3 + 6] = s->proto;
		b[l3 + 7] = 64;
		b[l3 + 8] = 0x20;
		b[l3 + 9] = 0x01;
		b[l3 + 23] = 1;
		b[l3 + 24] = 0x20;
		b[l3 + 25] = 0x01;
		b[l3 + 39] = 2;
		l4 = l3 + 40;
	} else {
		f->len = l3 + s->payload;
		return;
	}
	put16(b + l4, s->sport);
	put16(b + l4 + 2, s->dport);
	f->len = l4 + 8 + s->payload;
	/* Lengths and the IPv4 checksum right, for the firewall's checks
	 * (tests of its bpf: action); a TCP header of 20 bytes. */
	if (s->proto == 17)
		put16(b + l4 + 4, (uint16_t)(8 + s->payload));
	if (s->proto == 6)
		b[l4 + 12] = 0x50;
	if (s->type == 0x0800) {
		uint32_t sum = 0, i;

		put16(b + l3 + 2, (uint16_t)(f->len - l3));
		for (i = 0; i < (s->ihl & 0xfu) * 4; i += 2)
			sum += (uint32_t)(b[l3 + i] << 8 | b[l3 + i + 1]);
		while (sum >> 16)
			sum = (sum & 0xffff) + (sum >> 16);
		put16(b + l3 + 10, (uint16_t)~sum);
	} else {
		put16(b + l3 + 4, (uint16_t)(f->len - l4));
	}
	if (f->len < 60)
		f->len = 60;
}

static struct fspec
udp4(uint16_t sport, uint16_t dport)
{
	return (struct fspec){.type = 0x0800,
			      .ihl = 5,
			      .proto = 17,
			      .sport = sport,
			      .dport = dport,
			      .payload = 32};
}

static struct fspec
tcp4(uint16_t dport)
{
	return (struct fspec){.type = 0x0800,
			      .ihl = 5,
			      .proto = 6,
			      .sport = 40000,
			      .dport = dport,
			      .payload = 20};
}

static struct fspec
ip6(uint8_t proto, uint16_t sport, uint16_t dport)
{
	return (struct fspec){.type = 0x86dd,
			      .proto = proto,
			      .sport = sport,
			      .dport = dport,
			      .payload = 16};
}

static struct rte_mbuf *
mbuf_of(const struct frame *f)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	char *p;

	assert_non_null(m);
	p = rte_pktmbuf_append(m, (uint16_t)f->len);
	assert_non_null(p);
	memcpy(p, f->b, f->len);
	return m;
}

struct example {
	const char *file, *section;
	const char *ifaces; /* YAML */
	uint16_t n_ifaces;
	ref_fn *ref;
};

static const struct example examples[] = {
	{"port_classifier", "nfvd/classifier",
	 "[{name: in}, {name: web}, {name: dns}, {name: other}]", 4,
	 ref_classifier},
	{"dns_filter", "nfvd/dns", "[{name: a}, {name: b}]", 2, ref_dns},
	{"rate_sampler", "nfvd/sampler", "[{name: in}, {name: sample}]", 2,
	 ref_sampler},
	{"l2_guard", "nfvd/l2-guard", "[{name: a}, {name: b}]", 2, ref_l2guard},
};

/* ---- the VNF ---- */

static struct ctl_config *
load_cfg(const char *yaml, char *err, size_t len)
{
	struct ctl_config *cfg = NULL;

	if (ctl_config_load_buffer("t.yaml", yaml, strlen(yaml), &cfg, err,
				   len) < 0)
		return NULL;
	return cfg;
}

/* A bpf VNF with `ifaces` running file (section may be NULL); NULL and
 * the message in err when create() fails. */
static struct vnf_instance *
vb_new(const char *ifaces, const char *file, const char *section,
       const char *extra, char *err, size_t errlen)
{
	struct vnf_instance *vi = NULL;
	struct ctl_config *cfg;
	char yaml[1024];

	snprintf(yaml, sizeof(yaml),
		 "vnfs:\n  - {name: f, type: bpf, ifaces: %s, program: %s%s%s"
		 "%s}\n",
		 ifaces, file, section ? ", section: " : "",
		 section ? section : "", extra ? extra : "");
	cfg = load_cfg(yaml, err, errlen);
	if (cfg == NULL)
		fail_msg("%s", err);
	if (vnf_instance_create(&cfg->vnfs[0], 0, 1, NULL, &vi, err, errlen) <
	    0)
		vi = NULL;
	ctl_config_free(cfg);
	return vi;
}

static const char *
ex_path(const struct example *e)
{
	char name[64];

	snprintf(name, sizeof(name), "%s.o", e->file);
	return path_of(ex_dir, name);
}

static struct vnf_instance *
ex_new(const struct example *e, bool jit)
{
	struct vnf_instance *vi;
	char err[512] = "";

	vi = vb_new(e->ifaces, ex_path(e), e->section,
		    jit ? NULL : ", jit: false", err, sizeof(err));
	if (vi == NULL)
		fail_msg("%s: %s", e->file, err);
	return vi;
}

/* process() of vi on n frames in by `in`; next[] out.  The mbufs are
 * freed (the runner would hand them on). */
static void
run(struct vnf_instance *vi, uint16_t in, struct rte_mbuf **pkts,
    unsigned int n, uint16_t *next)
{
	struct vnf_wctx w = {
		.state = vi->slots[0].state,
		.counters = vi->slots[0].counters,
		.emit = &emit,
		.pool = pool,
	};
	struct vnf_burst b = {
		.pkts = pkts,
		.next = next,
		.n = (uint16_t)n,
		.in_iface = in,
	};

	emit.n = 0;
	vi->ops->process(vi, &w, &b);
	assert_int_equal(emit.n, 0);
	rte_pktmbuf_free_bulk(pkts, n);
}

/* One frame through vi: its next[]. */
static uint16_t
run1(struct vnf_instance *vi, uint16_t in, const struct fspec *s)
{
	struct rte_mbuf *m;
	struct frame f;
	uint16_t next;

	build(&f, s);
	m = mbuf_of(&f);
	run(vi, in, &m, 1, &next);
	return next;
}

static uint64_t
ctr(struct vnf_instance *vi, const char *name)
{
	unsigned int i;

	for (i = 0; i < vi->ops->n_counters; i++)
		if (strcmp(vi->ops->counters[i].name, name) == 0)
			return vnf_counter_sum(vi, (uint16_t)i);
	fail_msg("no counter %s", name);
	return 0;
}

/* `show bpf` of vi: its one row (decref the row). */
static json_t *
show(struct vnf_instance *vi)
{
	json_t *reply = NULL, *row;

	assert_int_equal(vnf_verb_call(vi, "show bpf", NULL, &reply), 0);
	assert_true(json_is_array(reply));
	assert_int_equal(json_array_size(reply), 1);
	row = json_incref(json_array_get(reply, 0));
	json_decref(reply);
	return row;
}

/* Program counter i of vi, from `show bpf`. */
static uint64_t
pctr(struct vnf_instance *vi, unsigned int i)
{
	json_t *row = show(vi);
	uint64_t v;

	v = (uint64_t)json_integer_value(
		json_array_get(json_object_get(row, "counters"), i));
	json_decref(row);
	return v;
}

/* ---- config keys ---- */

static void
load_fails(const char *yaml, const char *want)
{
	struct ctl_config *cfg;
	char err[512] = "";

	cfg = load_cfg(yaml, err, sizeof(err));
	if (cfg != NULL) {
		ctl_config_free(cfg);
		fail_msg("loaded: %s", yaml);
	}
	if (!strstr(err, want))
		fail_msg("error \"%s\" lacks \"%s\"", err, want);
}

static void
test_config(void **state)
{
	const struct vnf_bpf_config *bc;
	struct ctl_config *cfg;
	char err[512] = "";

	(void)state;
	cfg = load_cfg("vnfs: [{name: f, type: bpf, ifaces: [{name: a}], "
		       "program: x.o}]\n",
		       err, sizeof(err));
	assert_non_null(cfg);
	bc = cfg->vnfs[0].priv;
	assert_string_equal(bc->program, "x.o");
	assert_null(bc->section);
	assert_true(bc->jit);
	ctl_config_free(cfg);

	cfg = load_cfg("vnfs: [{name: f, type: bpf, ifaces: [{name: a}], "
		       "program: /p/x.o, section: nfvd/x, jit: false}]\n",
		       err, sizeof(err));
	assert_non_null(cfg);
	bc = cfg->vnfs[0].priv;
	assert_string_equal(bc->section, "nfvd/x");
	assert_false(bc->jit);
	ctl_config_free(cfg);

	load_fails("vnfs: [{name: f, type: bpf, ifaces: [{name: a}]}]\n",
		   "t.yaml:1: vnfs[0].program: a bpf vnf needs its program");
	load_fails("vnfs: [{name: f, type: bpf, ifaces: [{name: a}], "
		   "program: x.o, jit: maybe}]\n",
		   "vnfs[0].jit: \"maybe\" is not one of: true, false");
	load_fails("vnfs: [{name: f, type: bpf, ifaces: [{name: a}], "
		   "program: x.o, section: \"\"}]\n",
		   "vnfs[0].section: must not be empty");
	load_fails("vnfs: [{name: f, type: bpf, ifaces: [], program: x.o}]\n",
		   "a bpf needs at least 1 iface");
	load_fails("vnfs: [{name: f, type: bpf, ifaces: [{name: a}], "
		   "program: x.o, snaplen: 3}]\n",
		   "vnfs[0].snaplen: not valid for a vnf of type bpf");

	/* An af_xdp port's XDP program of its own and busy-poll budget. */
	cfg = load_cfg("ports: [{name: u, type: af_xdp, ifname: eth1, "
		       "xdp_prog: /x/xdp.o, busy_budget: 0}]\n",
		       err, sizeof(err));
	if (cfg == NULL)
		fail_msg("%s", err);
	assert_string_equal(cfg->ports[0].xdp_prog, "/x/xdp.o");
	assert_true(cfg->ports[0].has_busy_budget);
	assert_int_equal(cfg->ports[0].busy_budget, 0);
	ctl_config_free(cfg);
	cfg = load_cfg("ports: [{name: u, type: af_xdp, ifname: eth1}]\n",
		       err, sizeof(err));
	assert_non_null(cfg);
	assert_null(cfg->ports[0].xdp_prog);
	assert_false(cfg->ports[0].has_busy_budget);
	ctl_config_free(cfg);
	load_fails("ports: [{name: u, type: af_packet, ifname: eth1, "
		   "xdp_prog: x.o}]\n",
		   "ports[0].xdp_prog: not valid for a port of type af_packet");
	load_fails("ports: [{name: u, type: af_xdp, ifname: eth1, "
		   "xdp_prog: \"x.o,queue_count=9\"}]\n",
		   "ports[0].xdp_prog:");
	load_fails("ports: [{name: u, type: af_xdp, ifname: eth1, "
		   "busy_budget: 70000}]\n",
		   "ports[0].busy_budget: 70000 is out of range 0..65535");
}

/* ---- refusals ---- */

static void
load_refused(const char *file, const char *section, const char *want)
{
	struct vnf_bpf_prog *p = NULL;
	char err[512] = "";

	if (vnf_bpf_prog_load(file, section, true, &p, err, sizeof(err)) == 0) {
		vnf_bpf_prog_free(p);
		fail_msg("%s loaded", file);
	}
	assert_null(p);
	if (!strstr(err, want))
		fail_msg("error \"%s\" lacks \"%s\"", err, want);
	print_message("    %s\n", err);
}

static void
test_refusals(void **state)
{
	char bad[] = "/tmp/nfvd-test-bpf-XXXXXX";
	int fd;

	(void)state;
	fd = mkstemp(bad);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "not an ELF\n", 11), 11);
	close(fd);
	load_refused(bad, NULL, "not a BPF ELF object libbpf can open");
	unlink(bad);
	load_refused("/nonexistent/x.o", NULL, "No such file or directory");
	/* Read like every file a request names: a FIFO (which would block
	 * the control thread) or a directory is refused, unopened. */
	load_refused("/tmp", NULL, "/tmp: not a regular file");
	assert_int_equal(mkfifo(bad, 0600), 0);
	load_refused(bad, NULL, "not a regular file (a FIFO");
	unlink(bad);
	load_refused(TP("jmp32"), NULL, "JMP32");
	load_refused(TP("map"), NULL, "maps are not supported (map 'hits')");
	load_refused(TP("global"), NULL, "global or static variables");
	load_refused(TP("subprog"), NULL, "BPF-to-BPF calls are not supported");
	load_refused(TP("helper"), NULL, "calls helper 6, which nfvd does not");
	load_refused(TP("loop"), NULL, "a loop: instruction");
	/* Not nfvd's check: rte_bpf's validator, whose words the error
	 * carries. */
	load_refused(TP("oob"), NULL, "memory boundary violation");
	load_refused(TP("two"), NULL, "5 programs (nfvd/one, nfvd/two");
	load_refused(TP("two"), "nfvd/three", "no program in section");
}

/* Picking a program by section or function name. */
static void
test_pick(void **state)
{
	struct vnf_bpf_prog *p = NULL;
	struct nfv_bpf_ctx *ctx;
	char err[512] = "";

	(void)state;
	ctx = calloc(1, sizeof(*ctx));
	assert_non_null(ctx);
	assert_int_equal(vnf_bpf_prog_load(TP("two"), "nfvd/two", true, &p, err,
					   sizeof(err)),
			 0);
	assert_string_equal(p->name, "to_two");
	assert_int_equal(vnf_bpf_prog_run(p, ctx), 2);
	vnf_bpf_prog_free(p);
	assert_int_equal(vnf_bpf_prog_load(TP("two"), "to_one", true, &p, err,
					   sizeof(err)),
			 0);
	assert_string_equal(p->section, "nfvd/one");
	assert_int_equal(vnf_bpf_prog_run(p, ctx), 1);
	vnf_bpf_prog_free(p);
	free(ctx);
}

/* A VNF whose program cannot be loaded is not created; the error names
 * the file and the reason. */
static void
test_create_errors(void **state)
{
	char err[512] = "";

	(void)state;
	assert_null(vb_new("[{name: a}]", TP("jmp32"), NULL, NULL, err,
			   sizeof(err)));
	assert_non_null(strstr(err, "vnf f: "));
	assert_non_null(strstr(err, "jmp32.o: instruction"));
	assert_null(vb_new("[{name: a}]", "/nonexistent.o", NULL, NULL, err,
			   sizeof(err)));
	assert_non_null(strstr(err, "/nonexistent.o: No such file"));
}

/* ---- the examples on golden frames ---- */

static void
test_golden_classifier(void **state)
{
	struct vnf_instance *vi = ex_new(&examples[0], true);
	struct fspec s;

	(void)state;
	s = tcp4(80);
	assert_int_equal(run1(vi, 0, &s), 1);
	s = tcp4(443);
	assert_int_equal(run1(vi, 0, &s), 1);
	s = tcp4(53);
	assert_int_equal(run1(vi, 0, &s), 2);
	s = udp4(1234, 53);
	assert_int_equal(run1(vi, 0, &s), 2);
	s = udp4(1234, 80); /* web is TCP only */
	assert_int_equal(run1(vi, 0, &s), 3);
	s = ip6(6, 1000, 443);
	assert_int_equal(run1(vi, 0, &s), 1);
	s = ip6(17, 1000, 53);
	assert_int_equal(run1(vi, 0, &s), 2);
	s = ip6(58, 0, 0); /* ICMPv6 */
	assert_int_equal(run1(vi, 0, &s), 3);
	s = tcp4(80);
	s.vlan = true;
	assert_int_equal(run1(vi, 0, &s), 1);
	s.frag = 0x0010; /* a later fragment: no ports */
	assert_int_equal(run1(vi, 0, &s), 3);
	s = (struct fspec){.type = 0x0806, .payload = 28};
	assert_int_equal(run1(vi, 0, &s), 3);
	/* Back from any other iface: out by `in`. */
	s = tcp4(80);
	assert_int_equal(run1(vi, 2, &s), 0);
	assert_int_equal(ctr(vi, "forwarded"), 12);
	/* TCP: 80, 443, 53, v6 443, vlan 80; UDP: 53, 80, v6 53. */
	assert_int_equal(pctr(vi, 0), 5);
	assert_int_equal(pctr(vi, 1), 3);
	vnf_instance_destroy(vi);
}

static void
test_golden_dns(void **state)
{
	struct vnf_instance *vi = ex_new(&examples[1], true);
	struct fspec s;

	(void)state;
	s = udp4(5353, 53);
	assert_int_equal(run1(vi, 0, &s), 1);
	s = udp4(53, 5353); /* the answer */
	assert_int_equal(run1(vi, 1, &s), 0);
	s = tcp4(53);
	assert_int_equal(run1(vi, 0, &s), 1);
	s = ip6(17, 40000, 53);
	s.vlan = true;
	assert_int_equal(run1(vi, 1, &s), 0);
	s = (struct fspec){.type = 0x0806, .payload = 28};
	assert_int_equal(run1(vi, 0, &s), 1);
	s = tcp4(80);
	assert_int_equal(run1(vi, 0, &s), VNF_DROP(1));
	s = udp4(1, 2);
	assert_int_equal(run1(vi, 1, &s), VNF_DROP(1));
	s = udp4(5353, 53);
	s.frag = 0x2000; /* more fragments, offset 0: still ports */
	assert_int_equal(run1(vi, 0, &s), 1);
	s.frag = 0x0001; /* offset 8: no ports */
	assert_int_equal(run1(vi, 0, &s), VNF_DROP(1));
	s = (struct fspec){.type = 0x88cc, .payload = 40}; /* LLDP */
	assert_int_equal(run1(vi, 0, &s), VNF_DROP(1));
	assert_int_equal(ctr(vi, "forwarded"), 6);
	assert_int_equal(pctr(vi, 0), 5);
	assert_int_equal(pctr(vi, 1), 4);
	vnf_instance_destroy(vi);
}

static void
test_golden_sampler(void **state)
{
	struct vnf_instance *vi = ex_new(&examples[2], true);
	struct rte_mbuf *pkts[VNF_BURST_MAX];
	uint16_t next[VNF_BURST_MAX];
	unsigned int i, k, sampled = 0;
	struct fspec s = udp4(1, 2);
	struct frame f;

	(void)state;
	build(&f, &s);
	/* 4 bursts of 32: frames 1, 65 (counted from 1) are sampled. */
	for (k = 0; k < 4; k++) {
		for (i = 0; i < VNF_BURST_MAX; i++)
			pkts[i] = mbuf_of(&f);
		run(vi, 0, pkts, VNF_BURST_MAX, next);
		for (i = 0; i < VNF_BURST_MAX; i++) {
			unsigned int seen = k * VNF_BURST_MAX + i + 1;

			if (seen % 64 == 1) {
				assert_int_equal(next[i], 1);
				sampled++;
			} else {
				assert_int_equal(next[i], VNF_DROP(1));
			}
		}
	}
	assert_int_equal(sampled, 2);
	/* From `sample`: dropped, not counted as seen. */
	assert_int_equal(run1(vi, 1, &s), VNF_DROP(1));
	assert_int_equal(ctr(vi, "forwarded"), 2);
	assert_int_equal(pctr(vi, 0), 128);
	assert_int_equal(pctr(vi, 1), 2);
	vnf_instance_destroy(vi);
}

/* One frame with the MACs dst and src through vi, in by `in`. */
static uint16_t
run_macs(struct vnf_instance *vi, uint16_t in, const char *dst, const char *src,
	 uint32_t len)
{
	struct fspec s = udp4(1, 2);
	struct rte_mbuf *m;
	struct frame f;
	uint16_t next;

	build(&f, &s);
	memcpy(f.b, dst, 6);
	memcpy(f.b + 6, src, 6);
	if (len)
		f.len = len;
	m = mbuf_of(&f);
	run(vi, in, &m, 1, &next);
	return next;
}

static void
test_golden_l2guard(void **state)
{
	struct vnf_instance *vi = ex_new(&examples[3], true);
	const char *host = "\x02\x00\x00\x00\x00\x01";
	const char *peer = "\x02\x00\x00\x00\x00\x02";
	char err[512] = "";
	struct fspec s;

	(void)state;
	/* Unicast, broadcast, multicast and the link-local group's
	 * neighbours pass, each way. */
	assert_int_equal(run_macs(vi, 0, peer, host, 0), 1);
	assert_int_equal(run_macs(vi, 1, host, peer, 0), 0);
	assert_int_equal(run_macs(vi, 0, "\xff\xff\xff\xff\xff\xff", host, 0),
			 1);
	assert_int_equal(run_macs(vi, 1, "\x01\x00\x5e\x00\x00\xfb", host, 0),
			 0);
	assert_int_equal(run_macs(vi, 0, "\x01\x80\xc2\x00\x00\x10", host, 0),
			 1);
	assert_int_equal(run_macs(vi, 0, "\x01\x80\xc2\x00\x01\x00", host, 0),
			 1);
	/* A source with the locally administered bit alone is unicast. */
	assert_int_equal(run_macs(vi, 0, peer, "\x02\x00\x00\x00\x00\x00", 0),
			 1);
	assert_int_equal(run_macs(vi, 0, peer, "\x00\x00\x00\x00\x00\x01", 0),
			 1);
	assert_int_equal(run_macs(vi, 0, peer, "\x00\x01\x00\x00\x00\x00", 0),
			 1);
	/* 802.1D link-local: STP, pause, LACP, LLDP (0x00, 0x01, 0x02,
	 * 0x0e), from either side. */
	assert_int_equal(run_macs(vi, 0, "\x01\x80\xc2\x00\x00\x00", host, 0),
			 VNF_DROP(1));
	assert_int_equal(run_macs(vi, 1, "\x01\x80\xc2\x00\x00\x01", host, 0),
			 VNF_DROP(1));
	assert_int_equal(run_macs(vi, 0, "\x01\x80\xc2\x00\x00\x02", host, 0),
			 VNF_DROP(1));
	assert_int_equal(run_macs(vi, 1, "\x01\x80\xc2\x00\x00\x0e", host, 0),
			 VNF_DROP(1));
	/* Sources no station has: a group address, zero. */
	assert_int_equal(run_macs(vi, 0, peer, "\x01\x00\x00\x00\x00\x01", 0),
			 VNF_DROP(1));
	assert_int_equal(run_macs(vi, 1, host, "\xff\xff\xff\xff\xff\xff", 0),
			 VNF_DROP(1));
	assert_int_equal(run_macs(vi, 0, peer, "\x00\x00\x00\x00\x00\x00", 0),
			 VNF_DROP(1));
	/* A runt. */
	assert_int_equal(run_macs(vi, 0, peer, host, 13), VNF_DROP(1));
	/* Any frame type passes: ARP, IPv6. */
	s = (struct fspec){.type = 0x0806, .payload = 28};
	assert_int_equal(run1(vi, 0, &s), 1);
	s = ip6(58, 0, 0);
	assert_int_equal(run1(vi, 1, &s), 0);
	assert_int_equal(ctr(vi, "forwarded"), 11);
	assert_int_equal(pctr(vi, 0), 4); /* link-local */
	assert_int_equal(pctr(vi, 1), 3); /* bad source */
	assert_int_equal(pctr(vi, 2), 1); /* runt */
	assert_int_equal(pctr(vi, 3), 0);
	vnf_instance_destroy(vi);
	/* A third iface: frames from it are dropped and counted. */
	vi = vb_new("[{name: a}, {name: b}, {name: c}]", ex_path(&examples[3]),
		    NULL, NULL, err, sizeof(err));
	if (vi == NULL)
		fail_msg("%s", err);
	assert_int_equal(run_macs(vi, 2, peer, host, 0), VNF_DROP(1));
	assert_int_equal(run_macs(vi, 1, host, peer, 0), 0);
	assert_int_equal(pctr(vi, 3), 1);
	vnf_instance_destroy(vi);
}

/* A verdict past the ifaces is a drop of its own. */
static void
test_bad_verdict(void **state)
{
	struct vnf_instance *vi;
	struct fspec s = udp4(1, 2);
	char err[512] = "";

	(void)state;
	vi = vb_new("[{name: a}, {name: b}]", TP("two"), "nfvd/bad", NULL, err,
		    sizeof(err));
	assert_non_null(vi);
	assert_int_equal(run1(vi, 0, &s), VNF_DROP(2));
	assert_int_equal(ctr(vi, "forwarded"), 0);
	vnf_instance_destroy(vi);
}

/* ---- JIT, interpreter and C on random frames ---- */

static uint64_t rnd_state = 0x9e3779b97f4a7c15ull;

static uint64_t
rnd(void)
{
	/* xorshift64*: the same frames on every run. */
	rnd_state ^= rnd_state >> 12;
	rnd_state ^= rnd_state << 25;
	rnd_state ^= rnd_state >> 27;
	return rnd_state * 0x2545f4914f6cdd1dull;
}

static uint16_t
rnd_port(void)
{
	static const uint16_t ports[] = {53, 80, 443, 5353, 0};
	uint64_t r = rnd();

	return r % 3 ? ports[(r >> 8) % RTE_DIM(ports)] : (uint16_t)(r >> 16);
}

/* A frame that is mostly a well-formed one of the kinds the examples
 * look at, sometimes cut short, sometimes bytes at random. */
static void
rnd_frame(struct frame *f, uint16_t *in, uint16_t n_ifaces)
{
	static const uint16_t types[] = {0x0800, 0x0800, 0x86dd,
					 0x86dd, 0x0806, 0x88cc};
	static const uint8_t protos[] = {6, 17, 6, 17, 1, 58, 132};
	struct fspec s = {0};
	uint64_t r = rnd();
	uint32_t i;

	s.vlan = r % 4 == 0;
	s.type = r % 16 == 1 ? (uint16_t)(r >> 8)
			     : types[(r >> 4) % RTE_DIM(types)];
	s.ihl = r % 8 == 2 ? (uint8_t)((r >> 12) & 0xf) : 5;
	s.frag = r % 8 == 3 ? (uint16_t)(r >> 20) : 0;
	s.proto = r % 16 == 4 ? (uint8_t)(r >> 28)
			      : protos[(r >> 36) % RTE_DIM(protos)];
	s.sport = rnd_port();
	s.dport = rnd_port();
	s.payload = (uint32_t)(rnd() % 64);
	if (r % 32 == 5)
		s.payload = 1400 + (uint32_t)(rnd() % 500);
	build(f, &s);
	/* Now and then the MACs l2_guard.c looks at: the 802.1D link-local
	 * group and its neighbours, group and zero sources. */
	r = rnd();
	if (r % 8 == 0) {
		memcpy(f->b, "\x01\x80\xc2\x00\x00", 5);
		f->b[5] = (uint8_t)(r >> 8) & 0x1f;
	} else if (r % 8 == 1)
		f->b[6] = (uint8_t)(r >> 8);
	else if (r % 8 == 2)
		memset(f->b + 6, 0, 6 - (r >> 8) % 2);
	r = rnd();
	if (r % 8 == 0)
		f->len = (uint32_t)(r >> 8) % (f->len + 1);
	if (r % 64 == 1)
		for (i = 0; i < f->len; i++)
			f->b[i] = (uint8_t)rnd();
	*in = (uint16_t)(rnd() % 8 == 0 ? rnd() % (n_ifaces + 1u) : 0);
}

static void
test_jit_interp_reference(void **state)
{
	enum { N = 100000 };
	struct nfv_bpf_ctx *ctx = rte_zmalloc("ctx", sizeof(*ctx), 64);
	struct vnf_bpf_prog *jit = NULL, *interp = NULL;
	struct frame *f = malloc(sizeof(*f));
	uint64_t ref_k[NFV_BPF_N_COUNTERS];
	unsigned int e, i, c, hist[5];
	char err[512] = "";

	(void)state;
	assert_non_null(ctx);
	assert_non_null(f);
	for (e = 0; e < RTE_DIM(examples); e++) {
		const struct example *x = &examples[e];

		assert_int_equal(vnf_bpf_prog_load(ex_path(x), x->section, true,
						   &jit, err, sizeof(err)),
				 0);
		assert_int_equal(vnf_bpf_prog_load(ex_path(x), x->section,
						   false, &interp, err,
						   sizeof(err)),
				 0);
		if (jit->jit == NULL)
			print_message("    no JIT here: interpreter twice\n");
		assert_null(interp->jit);
		memset(ref_k, 0, sizeof(ref_k));
		memset(hist, 0, sizeof(hist));
		rnd_state = 0x9e3779b97f4a7c15ull + e;
		for (i = 0; i < N; i++) {
			uint32_t vj, vi, vr, len;
			uint16_t in;

			rnd_frame(f, &in, x->n_ifaces);
			len = RTE_MIN(f->len, (uint32_t)NFV_BPF_WINDOW);
			memcpy(ctx->data, f->b, NFV_BPF_WINDOW);
			ctx->len = len;
			ctx->pkt_len = f->len;
			ctx->in_iface = in;
			ctx->n_ifaces = x->n_ifaces;
			vnf_bpf_prog_bind(jit, 0);
			vj = vnf_bpf_prog_run(jit, ctx);
			vnf_bpf_prog_bind(interp, 0);
			vi = vnf_bpf_prog_run(interp, ctx);
			vr = x->ref(f->b, len, in, ref_k);
			if (vj != vr || vi != vr)
				fail_msg("%s frame %u (len %u, in %u): jit %#x "
					 "interpreter %#x reference %#x",
					 x->file, i, len, in, vj, vi, vr);
			hist[vr < 4 ? vr : 4]++;
		}
		for (c = 0; c < NFV_BPF_N_COUNTERS; c++) {
			assert_int_equal(vnf_bpf_prog_counter(jit, c),
					 ref_k[c]);
			assert_int_equal(vnf_bpf_prog_counter(interp, c),
					 ref_k[c]);
		}
		print_message("    %s: %u frames agree; verdicts 0:%u 1:%u "
			      "2:%u 3:%u drop:%u\n",
			      x->file, N, hist[0], hist[1], hist[2], hist[3],
			      hist[4]);
		/* Every verdict of the program was seen. */
		for (c = e == 2 ? 1 : 0; c < x->n_ifaces; c++)
			assert_true(hist[c] > 0);
		assert_true(hist[4] > 0);
		vnf_bpf_prog_free(jit);
		vnf_bpf_prog_free(interp);
	}
	free(f);
	rte_free(ctx);
}

/* ---- frames that cannot be read in place ---- */

/* The same frames through the VNF, each in place and in each form that
 * takes the copy: a chain of segments, a shared (refcnt 2) mbuf, little
 * headroom, little tailroom. */
static void
test_copy_path(void **state)
{
	struct vnf_instance *vi = ex_new(&examples[0], true);
	uint64_t ref_k[NFV_BPF_N_COUNTERS] = {0};
	struct frame *f = malloc(sizeof(*f));
	struct rte_mbuf *m, *m2;
	unsigned int i, form;
	uint16_t next, in;
	uint32_t want;

	(void)state;
	assert_non_null(f);
	rnd_state = 42;
	for (i = 0; i < 2000; i++) {
		rnd_frame(f, &in, 4);
		/* Room after the data_off of form 4. */
		if (f->len > 1450)
			f->len = 1450;
		want = ref_classifier(f->b,
				      RTE_MIN(f->len, (uint32_t)NFV_BPF_WINDOW),
				      in, ref_k);
		/* Twice the counters: once per form below. */
		for (form = 0; form < 5; form++) {
			m = rte_pktmbuf_alloc(pool);
			assert_non_null(m);
			if (form == 3)
				m->data_off = 4; /* no room for the header */
			if (form == 4)
				m->data_off = 700; /* < WINDOW after it */
			if (form == 1 && f->len > 20) {
				memcpy(rte_pktmbuf_append(m, 20), f->b, 20);
				m2 = rte_pktmbuf_alloc(pool);
				assert_non_null(m2);
				memcpy(rte_pktmbuf_append(
					       m2, (uint16_t)(f->len - 20)),
				       f->b + 20, f->len - 20);
				assert_int_equal(rte_pktmbuf_chain(m, m2), 0);
			} else {
				memcpy(rte_pktmbuf_append(m, (uint16_t)f->len),
				       f->b, f->len);
			}
			if (form == 2)
				rte_mbuf_refcnt_update(m, 1);
			run(vi, in, &m, 1, &next);
			if (form == 2)
				rte_pktmbuf_free(m);
			if (want == NFV_BPF_DROP)
				assert_int_equal(next, VNF_DROP(1));
			else if (next != want)
				fail_msg("frame %u form %u: %u, want %u", i,
					 form, next, want);
		}
	}
	/* Each form counted what the reference counted once. */
	assert_int_equal(pctr(vi, 0), 5 * ref_k[0]);
	assert_int_equal(pctr(vi, 1), 5 * ref_k[1]);
	free(f);
	vnf_instance_destroy(vi);
}

/* ---- helpers ---- */

static void
test_helpers(void **state)
{
	struct nfv_bpf_ctx *ctx = rte_zmalloc("ctx", sizeof(*ctx), 64);
	struct vnf_bpf_prog *h = NULL, *c = NULL;
	struct fspec s = udp4(1000, 53), r = udp4(53, 1000);
	char err[512] = "";
	uint32_t a, b;
	struct frame f;
	unsigned int i;

	(void)state;
	assert_non_null(ctx);
	assert_int_equal(vnf_bpf_prog_load(TP("two"), "nfvd/hash", true, &h,
					   err, sizeof(err)),
			 0);
	build(&f, &s);
	memcpy(ctx->data, f.b, f.len);
	ctx->len = f.len;
	a = vnf_bpf_prog_run(h, ctx);
	assert_int_equal(a, vnf_bpf_hash_5tuple(ctx));
	assert_int_not_equal(a, 0);
	/* The other direction: addresses and ports swapped. */
	build(&f, &r);
	memcpy(f.b + 26, "\xc0\x00\x02\x01\x0a\x00\x00\x01", 8);
	memcpy(ctx->data, f.b, f.len);
	b = vnf_bpf_prog_run(h, ctx);
	assert_int_equal(a, b);
	/* Another flow, and not IP. */
	r = udp4(53, 1001);
	build(&f, &r);
	memcpy(ctx->data, f.b, f.len);
	assert_int_not_equal(vnf_bpf_prog_run(h, ctx), a);
	ctx->data[12] = 0x88;
	assert_int_equal(vnf_bpf_prog_run(h, ctx), 0);
	/* A length the program wrote past the window is clamped. */
	ctx->len = 0xffffffff;
	assert_int_equal(vnf_bpf_hash_5tuple(ctx), 0);
	vnf_bpf_prog_free(h);

	assert_int_equal(vnf_bpf_prog_load(TP("two"), "nfvd/clock", false, &c,
					   err, sizeof(err)),
			 0);
	ctx->len = 10;
	for (i = 1; i <= 3; i++) {
		vnf_bpf_prog_bind(c, 1);
		assert_int_equal(vnf_bpf_prog_run(c, ctx), 10 * i);
	}
	assert_int_equal(c->counters[1].c[3], 30);
	assert_int_equal(c->counters[0].c[3], 0);
	assert_int_equal(vnf_bpf_prog_counter(c, 3), 30);
	vnf_bpf_prog_free(c);
	rte_free(ctx);
}

/* ---- replacement under traffic ---- */

struct bg {
	struct nfv_test_reader rd;
	struct vnf_instance *vi;
	struct rte_mbuf *pkts[VNF_BURST_MAX];
	uint64_t frames, by[4], mixed;
};

/* The worker: one burst in by iface 0, every frame's fate checked; the
 * same mbufs again next time (the VNF does not keep them). */
static int
bg_loop(void *arg)
{
	struct bg *bg = arg;
	uint16_t next[VNF_BURST_MAX];
	struct vnf_wctx w = {
		.state = bg->vi->slots[0].state,
		.counters = bg->vi->slots[0].counters,
		.emit = &emit,
		.pool = pool,
	};
	struct vnf_burst b = {
		.pkts = bg->pkts,
		.next = next,
		.n = VNF_BURST_MAX,
		.in_iface = 0,
	};
	unsigned int i;

	bg->vi->ops->process(bg->vi, &w, &b);
	for (i = 0; i < VNF_BURST_MAX; i++) {
		if (next[i] != 1 && next[i] != 2)
			return -EPROTO;
		/* One program runs a whole burst. */
		if (next[i] != next[0])
			bg->mixed++;
		bg->by[next[i]]++;
	}
	bg->frames += VNF_BURST_MAX;
	return 0;
}

static void
test_replace_under_traffic(void **state)
{
	struct bg bg = {0};
	struct fspec s = udp4(1, 2);
	json_t *args, *reply = NULL, *row;
	char err[512] = "";
	struct frame f;
	unsigned int k, i;
	uint64_t base;
	int rc;

	(void)state;
	bg.vi = vb_new("[{name: a}, {name: b}, {name: c}]", TP("two"),
		       "nfvd/one", NULL, err, sizeof(err));
	assert_non_null(bg.vi);
	build(&f, &s);
	for (i = 0; i < VNF_BURST_MAX; i++)
		bg.pkts[i] = mbuf_of(&f);
	assert_int_equal(
		nfv_test_reader_start(&bg.rd, nfv_rcu(), 0, bg_loop, &bg), 0);
	for (k = 0; k < 200; k++) {
		base = atomic_load(&bg.rd.loops);
		args = json_pack("{s:s, s:s, s:s}", "vnf", "f", "file",
				 TP("two"), "section",
				 k % 2 ? "nfvd/one" : "nfvd/two");
		rc = vnf_verb_call(bg.vi, "bpf load", args, &reply);
		if (rc != 0)
			fail_msg("bpf load: %s", json_string_value(reply));
		json_decref(reply);
		json_decref(args);
		/* A failed load between two good ones changes nothing. */
		if (k % 50 == 0) {
			args = json_pack("{s:s}", "file", TP("jmp32"));
			assert_int_equal(
				vnf_verb_call(bg.vi, "bpf load", args, &reply),
				-ENOTSUP);
			assert_non_null(
				strstr(json_string_value(reply), "JMP32"));
			json_decref(reply);
			json_decref(args);
		}
		nfv_rcu_reclaim();
		/* Let the worker run a few bursts under each program,
		 * counted from this load on: on a CPU of its own it may
		 * have run far ahead before, and then be descheduled for
		 * all the loads that follow. */
		while (atomic_load(&bg.rd.loops) < base + 4u)
			usleep(100);
	}
	assert_int_equal(nfv_test_reader_stop(&bg.rd), 0);
	nfv_rcu_synchronize();
	nfv_rcu_reclaim();
	/* Nothing lost: every frame forwarded by one of the programs. */
	assert_int_equal(ctr(bg.vi, "forwarded"), bg.frames);
	assert_int_equal(ctr(bg.vi, "dropped") + ctr(bg.vi, "bad-verdict"), 0);
	assert_int_equal(bg.by[1] + bg.by[2], bg.frames);
	assert_int_equal(bg.mixed, 0);
	assert_true(bg.by[1] > 0 && bg.by[2] > 0);
	/* The last load (k = 199: nfvd/one) runs; 201 loads, 4 failed. */
	row = show(bg.vi);
	assert_string_equal(json_string_value(json_object_get(row, "section")),
			    "nfvd/one");
	assert_int_equal(json_integer_value(json_object_get(row, "loads")),
			 201);
	assert_int_equal(
		json_integer_value(json_object_get(row, "load_errors")), 4);
	json_decref(row);
	print_message("    %" PRIu64 " frames in %" PRIu64
		      " bursts under 200 replacements: %" PRIu64
		      " by program one, %" PRIu64 " by two, none lost\n",
		      bg.frames, bg.frames / VNF_BURST_MAX, bg.by[1], bg.by[2]);
	rte_pktmbuf_free_bulk(bg.pkts, VNF_BURST_MAX);
	vnf_instance_destroy(bg.vi);
}

/* ---- the firewall's bpf: action (vnf/firewall, the same loader) ---- */

static struct vnf_instance *
fw_new(const char *rules, char *err, size_t len)
{
	struct vnf_instance *vi = NULL;
	struct ctl_config *cfg;
	char yaml[2048];

	snprintf(yaml, sizeof(yaml),
		 "vnfs:\n  - {name: fw, type: firewall, default: allow, "
		 "ifaces: [{name: in}, {name: out}], rules: %s}\n",
		 rules);
	cfg = load_cfg(yaml, err, len);
	if (cfg == NULL)
		return NULL;
	if (vnf_instance_create(&cfg->vnfs[0], 0, 1, nfv_rcu(), &vi, err, len) <
	    0)
		vi = NULL;
	ctl_config_free(cfg);
	return vi;
}

static void
test_firewall_action(void **state)
{
	char rules[1024], err[512] = "";
	struct vnf_instance *vi;
	json_t *args, *reply = NULL, *row;
	struct fspec s;
	int drop;

	(void)state;
	/* UDP is judged by the DNS-only filter; IPv6 TCP by two.o's
	 * nfvd/two (2 from iface 0: no iface, a drop; 0 from iface 1); the
	 * rest by the default (allow). */
	snprintf(rules, sizeof(rules),
		 "[{proto: udp, bpf: %s}, {action: bpf, proto: tcp, "
		 "dst: \"2001::/16\", bpf: \"%s:nfvd/two\"}]",
		 ex_path(&examples[1]), TP("two"));
	vi = fw_new(rules, err, sizeof(err));
	if (vi == NULL)
		fail_msg("%s", err);
	for (drop = 0; drop < (int)vi->ops->n_counters; drop++)
		if (strcmp(vi->ops->counters[drop].name, "bpf-drop") == 0)
			break;
	s = udp4(5353, 53);
	assert_int_equal(run1(vi, 0, &s), 1);
	s = udp4(53, 5353);
	assert_int_equal(run1(vi, 1, &s), 0);
	s = udp4(1000, 2000);
	assert_int_equal(run1(vi, 0, &s), VNF_DROP(drop));
	s = tcp4(80); /* no rule: the default */
	assert_int_equal(run1(vi, 0, &s), 1);
	s = ip6(6, 1000, 80);
	assert_int_equal(run1(vi, 0, &s), VNF_DROP(drop));
	assert_int_equal(run1(vi, 1, &s), 0);
	assert_int_equal(ctr(vi, "bpf-allowed"), 3);
	assert_int_equal(ctr(vi, "default-allowed"), 1);

	/* show rules names the program in the action. */
	assert_int_equal(vnf_verb_call(vi, "show rules", NULL, &reply), 0);
	row = json_array_get(reply, 1);
	assert_non_null(strstr(
		json_string_value(json_object_get(row, "action")), "bpf /"));
	assert_non_null(
		strstr(json_string_value(json_object_get(row, "action")),
		       "two.o:nfvd/two"));
	json_decref(reply);

	/* rule add: a program that cannot be loaded is refused with the
	 * loader's reason; a good one goes first; rule del frees it after
	 * a grace period. */
	args = json_pack("{s:s, s:s}", "action", "bpf", "bpf", TP("jmp32"));
	assert_int_equal(vnf_verb_call(vi, "rule add", args, &reply), -ENOTSUP);
	assert_non_null(strstr(json_string_value(reply), "JMP32"));
	json_decref(reply);
	json_decref(args);
	args = json_pack("{s:i, s:s, s:s}", "index", 0, "bpf",
			 ex_path(&examples[2]), "proto", "tcp");
	assert_int_equal(vnf_verb_call(vi, "rule add", args, &reply), 0);
	json_decref(reply);
	json_decref(args);
	/* The sampler as a firewall rule: 1 (an iface) for the first TCP
	 * frame from iface 0, then drops. */
	s = tcp4(80);
	assert_int_equal(run1(vi, 0, &s), 1);
	assert_int_equal(run1(vi, 0, &s), VNF_DROP(drop));
	args = json_pack("{s:i}", "index", 0);
	assert_int_equal(vnf_verb_call(vi, "rule del", args, &reply), 0);
	json_decref(reply);
	json_decref(args);
	nfv_rcu_synchronize();
	nfv_rcu_reclaim();
	assert_int_equal(run1(vi, 0, &s), 1); /* the default again */
	vnf_instance_destroy(vi);

	/* The config's errors. */
	load_fails("vnfs: [{name: fw, type: firewall, ifaces: [{name: a}], "
		   "rules: [{action: drop, bpf: x.o}]}]\n",
		   "vnfs[0].rules[0].bpf: a rule with a program takes no "
		   "other action (action: drop)");
	load_fails("vnfs: [{name: fw, type: firewall, ifaces: [{name: a}], "
		   "rules: [{action: bpf}]}]\n",
		   "vnfs[0].rules[0].bpf: action bpf needs its program");
	assert_null(fw_new("[{action: allow}, {bpf: /nonexistent.o}]", err,
			   sizeof(err)));
	assert_non_null(strstr(err, "vnf fw: rules[1]: /nonexistent.o: No "
				    "such file"));
}

/* ---- verbs ---- */

static void
test_verbs(void **state)
{
	struct vnf_instance *vi = ex_new(&examples[1], false);
	json_t *row, *args, *reply = NULL;
	const struct vnf_verb *v;
	char usage[256];

	(void)state;
	row = show(vi);
	assert_string_equal(json_string_value(json_object_get(row, "vnf")),
			    "f");
	assert_non_null(
		strstr(json_string_value(json_object_get(row, "program")),
		       "dns_filter.o"));
	assert_string_equal(json_string_value(json_object_get(row, "function")),
			    "dns_only");
	assert_non_null(strstr(json_string_value(json_object_get(row, "run")),
			       "interpreter"));
	assert_int_equal(json_array_size(json_object_get(row, "counters")),
			 NFV_BPF_N_COUNTERS);
	json_decref(row);
	/* The usage nfvctl prints. */
	v = vnf_verb_find(vi->ops, "bpf load");
	assert_non_null(v);
	assert_int_equal(vnf_verb_usage(v, usage, sizeof(usage)), 0);
	assert_string_equal(usage, "bpf load VNF FILE [section S] [vnf NAME]");
	/* A request without file. */
	args = json_pack("{s:s}", "vnf", "f");
	assert_int_equal(vnf_verb_call(vi, "bpf load", args, &reply), -EINVAL);
	assert_non_null(strstr(json_string_value(reply), "file"));
	json_decref(reply);
	json_decref(args);
	/* A file of two programs, none named. */
	args = json_pack("{s:s}", "file", TP("two"));
	assert_int_equal(vnf_verb_call(vi, "bpf load", args, &reply), -ENOENT);
	assert_non_null(strstr(json_string_value(reply), "name one with "
							 "section"));
	json_decref(reply);
	json_decref(args);
	/* The old program still runs. */
	row = show(vi);
	assert_string_equal(json_string_value(json_object_get(row, "section")),
			    "nfvd/dns");
	json_decref(row);
	vnf_instance_destroy(vi);
}

int
main(int argc, char **argv)
{
#define T(f) cmocka_unit_test(f)
	const struct CMUnitTest tests[] = {
		T(test_config),
		T(test_refusals),
		T(test_pick),
		T(test_create_errors),
		T(test_golden_classifier),
		T(test_golden_dns),
		T(test_golden_sampler),
		T(test_golden_l2guard),
		T(test_bad_verdict),
		T(test_jit_interp_reference),
		T(test_copy_path),
		T(test_helpers),
		T(test_replace_under_traffic),
		T(test_verbs),
		T(test_firewall_action),
	};
#undef T
	const char *req = getenv("NFV_REQUIRE_CLANG");
	int rc;

	(void)argc;
	ex_dir = getenv("NFV_BPF_EXAMPLES");
	prog_dir = getenv("NFV_BPF_PROGS");
	if (ex_dir == NULL || prog_dir == NULL ||
	    strcmp(getenv("NFV_BPF_CLANG") ?: "0", "1") != 0) {
		fprintf(stderr, "test_bpf: no BPF programs (clang was not "
				"found when meson configured the build)\n");
		return req != NULL && strcmp(req, "1") == 0 ? 1 : 77;
	}
	if (nfv_test_eal_init(argv[0], "ut-bpf", 256) < 0)
		return 1;
	pool = rte_pktmbuf_pool_create("ut_bpf", 4096, 0, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE,
				       (int)rte_socket_id());
	if (pool == NULL || nfv_rcu_init(1) != 0) {
		fprintf(stderr, "test_bpf: no mbuf pool or RCU\n");
		nfv_test_eal_fini();
		return 1;
	}
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	nfv_rcu_fini();
	rte_mempool_free(pool);
	nfv_test_eal_fini();
	return rc;
}
