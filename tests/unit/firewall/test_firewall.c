/* SPDX-License-Identifier: BSD-3-Clause
 *
 * test_firewall.c - vnf/firewall driven through the real runner
 * (dataplane/graph.c): rule order, IPv4/IPv6, port ranges, ifaces, the
 * default action, non-IP frames, stateful TCP (handshake both ways, close,
 * invalid packets, unsolicited replies), UDP and ICMP echo
 * pseudo-connections, ICMP errors of a connection, timeouts and ageing
 * through w->now, a full table, reject (TCP RST, ICMP/ICMPv6 unreachable,
 * rate limit), rules added and deleted at run time through ctl(), header
 * validation, fragments, VLAN tags, chained mbufs, the control verbs.
 *
 * Each firewall iface i is linked to port i; the worker context's
 * tx_burst hook keeps what each port is sent (tests/common/test_tx.h).
 * Time moves only through w->now and the `now` of periodic().  Every test
 * ends with every mbuf back in the pool.  One thread plays the worker and
 * the control thread; no reader is online in the RCU variable, so a grace
 * period is always over at once.  The tests "under traffic" run a fake
 * worker on a thread of its own instead (tests/common/test_rcu.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <jansson.h>
#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_tcp.h>

#include "vnf/firewall/config.h"
#include "dataplane/graph.h"
#include "vnf/lib/rcu.h"
#include "vnf/vnf.h"
#include "fwt_pkt.h"
#include "tests/common/test_eal.h"
#include "tests/common/test_rcu.h"
#include "tests/common/test_tx.h"
#include "tests/common/test_wctx.h"
#include "tests/common/test_wiring.h"

#define UT_POOL_SIZE 8191
#define UT_CAP_MAX 2048
#define UT_MAX_IFACES 8
#define UT_MAX_RULES 16

/* ---- fixture ---- */

static struct rte_mempool *ut_pool;
/* What each port was sent (tests/common/test_tx.h). */
static struct nfv_test_txcap *const ut_cap = nfv_test_txcap;
static struct nfv_wctx *ut_w;
static struct nfv_graph *ut_g;
static struct vnf_instance *ut_fw;
static uint64_t ut_hz;

static void
ut_cap_free_all(void)
{
	nfv_test_txcap_free_all();
}

static int
ut_setup(void **state)
{
	RTE_SET_USED(state);
	return nfv_test_txcap_open(ut_pool, UT_CAP_MAX, rte_rdtsc(), &ut_w,
				   &ut_g);
}

static int
ut_teardown(void **state)
{
	RTE_SET_USED(state);
	vnf_instance_destroy(ut_fw);
	ut_fw = NULL;
	nfv_rcu_reclaim();
	nfv_test_txcap_close(&ut_w, &ut_g);
	assert_int_equal(rte_mempool_avail_count(ut_pool), ut_pool->size);
	return 0;
}

/* A rule in test shorthand: "any" fields left NULL/0. */
struct ut_rule {
	enum fw_rule_action action;
	uint8_t proto;
	const char *src, *dst;
	uint16_t sp_lo, sp_hi, dp_lo, dp_hi; /* 0,0: any */
	const char *iface;
};

struct ut_fw_cfg {
	unsigned int n_ifaces;	 /* 0: 2 (in, out) */
	enum fw_rule_action dflt; /* FW_RULE_ALLOW or FW_RULE_DROP */
	const struct ut_rule *rules;
	unsigned int n_rules;
	uint32_t conn_table_size; /* 0: 1024 */
};

static void
ut_prefix(const char *s, struct ctl_prefix *p)
{
	char buf[64];
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);

	memset(p, 0, sizeof(*p));
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	if (inet_pton(AF_INET, buf, p->addr) == 1) {
		p->family = AF_INET;
		p->len = 32;
	} else if (inet_pton(AF_INET6, buf, p->addr) == 1) {
		p->family = AF_INET6;
		p->len = 128;
	} else {
		fail_msg("bad prefix %s", s);
	}
	if (slash)
		p->len = (uint8_t)atoi(slash + 1);
}

static int
ut_fw_new_rc(const struct ut_fw_cfg *fc, char *err, size_t errlen)
{
	static const char *const names[] = {"in", "out", "c", "d",
					    "e",  "f",	 "g", "h"};
	struct ctl_iface_config ifc[UT_MAX_IFACES];
	struct fw_rule_config rules[UT_MAX_RULES];
	struct ctl_vnf_config cfg;
	struct fw_config fwc;
	unsigned int i, n = fc->n_ifaces ? fc->n_ifaces : 2;
	int rc;

	assert_true(n <= UT_MAX_IFACES && fc->n_rules <= UT_MAX_RULES);
	memset(&cfg, 0, sizeof(cfg));
	memset(ifc, 0, sizeof(ifc));
	memset(rules, 0, sizeof(rules));
	snprintf(cfg.name, sizeof(cfg.name), "fw");
	snprintf(cfg.type, sizeof(cfg.type), "firewall");
	for (i = 0; i < n; i++)
		snprintf(ifc[i].name, sizeof(ifc[i].name), "%s", names[i]);
	for (i = 0; i < fc->n_rules; i++) {
		const struct ut_rule *u = &fc->rules[i];
		struct fw_rule_config *r = &rules[i];

		r->action = u->action;
		r->proto = u->proto;
		if (u->src) {
			r->has_src = true;
			ut_prefix(u->src, &r->src);
		}
		if (u->dst) {
			r->has_dst = true;
			ut_prefix(u->dst, &r->dst);
		}
		r->sport_lo = u->sp_lo;
		r->sport_hi = (u->sp_lo || u->sp_hi) ? u->sp_hi : 65535;
		r->dport_lo = u->dp_lo;
		r->dport_hi = (u->dp_lo || u->dp_hi) ? u->dp_hi : 65535;
		if (u->iface)
			snprintf(r->in_iface, sizeof(r->in_iface), "%s",
				 u->iface);
	}
	cfg.ifaces = ifc;
	cfg.n_ifaces = n;
	memset(&fwc, 0, sizeof(fwc));
	fwc.default_action = fc->dflt;
	fwc.rules = rules;
	fwc.n_rules = fc->n_rules;
	fwc.conn_table_size = fc->conn_table_size ? fc->conn_table_size : 1024;
	cfg.priv = &fwc;
	rc = vnf_instance_create(&cfg, 0, 1, nfv_rcu(), &ut_fw, err, errlen);
	if (rc != 0)
		return rc;
	nfv_test_link_ifaces(ut_g, ut_fw);
	return 0;
}

static void
ut_fw_new(const struct ut_fw_cfg *fc)
{
	char err[256] = "";
	int rc = ut_fw_new_rc(fc, err, sizeof(err));

	if (rc != 0)
		fail_msg("vnf_instance_create: %d %s", rc, err);
}

/* The firewall's counter called `name`, summed over workers. */
static uint64_t
ut_ctr(const char *name)
{
	uint16_t c;

	for (c = 0; c < ut_fw->ops->n_counters; c++)
		if (strcmp(ut_fw->ops->counters[c].name, name) == 0)
			return vnf_counter_sum(ut_fw, c);
	fail_msg("no counter %s", name);
	return 0;
}

/* ---- frames in, frames out ---- */

static struct rte_mbuf *
ut_mbuf(const struct fwt_frame *f)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(ut_pool);

	assert_non_null(m);
	if (f->len > 0)
		assert_non_null(rte_pktmbuf_append(m, f->len));
	memcpy(rte_pktmbuf_mtod(m, void *), f->b, f->len);
	return m;
}

static void
ut_send_mbufs(uint16_t port, struct rte_mbuf **pkts, unsigned int n)
{
	nfv_graph_input(ut_w, ut_g, port, pkts, (uint16_t)n);
	nfv_graph_flush(ut_w);
}

static void
ut_send(uint16_t port, const struct fwt_frame *f, unsigned int n)
{
	struct rte_mbuf *pkts[VNF_BURST_MAX];
	unsigned int i;

	assert_true(n <= VNF_BURST_MAX);
	for (i = 0; i < n; i++)
		pkts[i] = ut_mbuf(&f[i]);
	ut_send_mbufs(port, pkts, n);
}

static struct fwt_frame
ut_frame(const struct fwt_spec *sp)
{
	struct fwt_frame f;

	assert_int_not_equal(fwt_build(&f, sp), 0);
	return f;
}

/* Send one frame into port `in`; returns the port it came out of,
 * unchanged, or -1 when it did not.  Anything else sent meanwhile must be
 * an answer out of `in` (reject), which the caller looks at. */
static int
ut_pass(uint16_t in, const struct fwt_spec *sp)
{
	struct fwt_frame f = ut_frame(sp);
	unsigned int before[UT_MAX_IFACES], p, k;
	int out = -1;

	for (p = 0; p < UT_MAX_IFACES; p++)
		before[p] = ut_cap[p].n;
	ut_send(in, &f, 1);
	for (p = 0; p < UT_MAX_IFACES; p++) {
		for (k = before[p]; k < ut_cap[p].n; k++) {
			struct rte_mbuf *m = ut_cap[p].pkts[k];
			bool same = m->pkt_len == f.len &&
				    memcmp(rte_pktmbuf_mtod(m, void *), f.b,
					   f.len) == 0;

			if (same) {
				assert_int_equal(out, -1);
				out = (int)p;
			} else if (p != in) {
				fail_msg("port %u got a frame it should not",
					 p);
			}
		}
	}
	return out;
}

/* Specs in shorthand. */
/* Burst f[0..n) into port `in`; out[k]: the port frame f[k] left by, or
 * -1 (the frames must differ). */
static void
ut_ports_in_burst(uint16_t in, const struct fwt_frame *f, unsigned int n,
		  int *out)
{
	unsigned int before[UT_MAX_IFACES], p, j, k;

	for (p = 0; p < UT_MAX_IFACES; p++)
		before[p] = ut_cap[p].n;
	ut_send(in, f, n);
	for (k = 0; k < n; k++)
		out[k] = -1;
	for (p = 0; p < UT_MAX_IFACES; p++)
		for (j = before[p]; j < ut_cap[p].n; j++) {
			const struct rte_mbuf *m = ut_cap[p].pkts[j];

			for (k = 0; k < n; k++)
				if (m->pkt_len == f[k].len &&
				    memcmp(rte_pktmbuf_mtod(m, const void *),
					   f[k].b, f[k].len) == 0) {
					assert_int_equal(out[k], -1);
					out[k] = (int)p;
				}
		}
}

static struct fwt_spec
ut_tcp(const char *src, uint16_t sp, const char *dst, uint16_t dp,
       uint8_t flags)
{
	return (struct fwt_spec){.src = src,
				 .dst = dst,
				 .proto = IPPROTO_TCP,
				 .sport = sp,
				 .dport = dp,
				 .flags = flags,
				 .seq = 1000,
				 .ack = flags & RTE_TCP_ACK_FLAG ? 5000 : 0,
				 .vlan = -1};
}

static struct fwt_spec
ut_udp(const char *src, uint16_t sp, const char *dst, uint16_t dp)
{
	return (struct fwt_spec){.src = src,
				 .dst = dst,
				 .proto = IPPROTO_UDP,
				 .sport = sp,
				 .dport = dp,
				 .payload = 10,
				 .vlan = -1};
}

static struct fwt_spec
ut_echo(const char *src, const char *dst, bool reply, uint16_t id)
{
	bool v6 = strchr(src, ':') != NULL;

	return (struct fwt_spec){.src = src,
				 .dst = dst,
				 .proto = v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP,
				 .type = v6 ? (reply ? 129 : 128)
					    : (reply ? 0 : 8),
				 .id = id,
				 .payload = 16,
				 .vlan = -1};
}

#define SYN RTE_TCP_SYN_FLAG
#define ACK RTE_TCP_ACK_FLAG
#define FIN RTE_TCP_FIN_FLAG
#define RST RTE_TCP_RST_FLAG
#define PSH RTE_TCP_PSH_FLAG

static void
ut_advance(double seconds)
{
	ut_w->now += (uint64_t)(seconds * (double)ut_hz);
}

/* ---- control verbs ---- */

static json_t *
ut_ctl_ok(const char *verb, json_t *args)
{
	json_t *reply = NULL;
	int rc = vnf_verb_call(ut_fw, verb, args, &reply);

	if (rc != 0)
		fail_msg("ctl %s: %d %s", verb, rc,
			 json_is_string(reply) ? json_string_value(reply) : "");
	json_decref(args);
	return reply;
}

/* `show vnf`'s details of the firewall. */
static json_t *
ut_details(void)
{
	json_t *d = ut_fw->ops->details(ut_fw);

	assert_non_null(d);
	return d;
}

static int
ut_ctl_err(const char *verb, const char *req, char *msg, size_t len)
{
	json_t *args = json_loads(req, 0, NULL), *reply = NULL;
	int rc;

	assert_non_null(args);
	rc = vnf_verb_call(ut_fw, verb, args, &reply);
	snprintf(msg, len, "%s",
		 json_is_string(reply) ? json_string_value(reply) : "");
	json_decref(reply);
	json_decref(args);
	return rc;
}

static void
ut_rule_add(const char *req)
{
	json_decref(ut_ctl_ok("rule add", json_loads(req, 0, NULL)));
}

static void
ut_rule_del(int index)
{
	json_decref(ut_ctl_ok("rule del", json_pack("{s:i}", "index", index)));
}

/* Hits of rule `index` from `show rules`. */
static json_int_t
ut_hits(unsigned int index)
{
	json_t *arr = ut_ctl_ok("show rules", json_object());
	json_t *r = json_array_get(arr, index);
	json_int_t h;

	assert_non_null(r);
	assert_int_equal(json_integer_value(json_object_get(r, "index")),
			 index);
	h = json_integer_value(json_object_get(r, "hits"));
	json_decref(arr);
	return h;
}

/* The one connection `show conn` lists: its state ("" if none). */
static void
ut_conn_state(char *state, size_t len)
{
	json_t *arr = ut_ctl_ok("show conn", json_object());

	state[0] = '\0';
	if (json_array_size(arr) > 0)
		snprintf(state, len, "%s",
			 json_string_value(json_object_get(
				 json_array_get(arr, 0), "state")));
	assert_true(json_array_size(arr) <= 1);
	json_decref(arr);
}

static void
ut_expect_state(const char *want)
{
	char st[32];

	ut_conn_state(st, sizeof(st));
	assert_string_equal(st, want);
}

/* ---- tests: rules ---- */

static void
test_first_match_wins(void **state)
{
	const struct ut_rule rules[] = {
		{FW_RULE_DROP, IPPROTO_TCP, "10.0.0.5/32", NULL, 0, 0, 80, 80,
		 NULL},
		{FW_RULE_ALLOW, IPPROTO_TCP, "10.0.0.0/24", NULL, 0, 0, 80, 80,
		 NULL},
		{FW_RULE_DROP, 0, "10.0.0.0/24", NULL, 0, 0, 0, 0, NULL},
		{FW_RULE_ALLOW, 0, NULL, NULL, 0, 0, 0, 0, NULL},
	};
	struct ut_fw_cfg fc = {
		.dflt = FW_RULE_DROP, .rules = rules, .n_rules = RTE_DIM(rules)};
	struct fwt_spec s;

	RTE_SET_USED(state);
	ut_fw_new(&fc);
	s = ut_tcp("10.0.0.5", 1234, "192.0.2.1", 80, SYN);
	assert_int_equal(ut_pass(0, &s), -1); /* rule 0 */
	s = ut_tcp("10.0.0.6", 1234, "192.0.2.1", 80, SYN);
	assert_int_equal(ut_pass(0, &s), 1); /* rule 1 */
	s = ut_tcp("10.0.0.6", 1234, "192.0.2.1", 81, SYN);
	assert_int_equal(ut_pass(0, &s), -1); /* rule 2 */
	s = ut_udp("10.0.0.6", 1234, "192.0.2.1", 80);
	assert_int_equal(ut_pass(0, &s), -1); /* rule 2 */
	s = ut_udp("10.0.1.6", 1234, "192.0.2.1", 80);
	assert_int_equal(ut_pass(0, &s), 1); /* rule 3 */
	/* Either way through the pair. */
	s = ut_udp("192.0.2.1", 1234, "10.0.1.6", 80);
	assert_int_equal(ut_pass(1, &s), 0); /* rule 3 */
	assert_int_equal(ut_hits(0), 1);
	assert_int_equal(ut_hits(1), 1);
	assert_int_equal(ut_hits(2), 2);
	assert_int_equal(ut_hits(3), 2);
	assert_int_equal(ut_ctr("rule-drop"), 3);
	assert_int_equal(ut_ctr("allowed"), 3);
	assert_int_equal(ut_ctr("default-drop"), 0);
}

static void
test_default_action_and_non_ip(void **state)
{
	struct ut_fw_cfg fc = {.dflt = FW_RULE_DROP};
	struct fwt_spec s = ut_udp("10.0.0.1", 1, "10.0.0.2", 2);
	struct fwt_frame arp;

	RTE_SET_USED(state);
	ut_fw_new(&fc);
	assert_int_equal(ut_pass(0, &s), -1);
	assert_int_equal(ut_ctr("default-drop"), 1);
	/* ARP (and any non-IP frame) passes, both ways. */
	memset(&arp, 0, sizeof(arp));
	memset(arp.b, 0xff, 6);
	memcpy(arp.b + 6, fwt_mac_a, 6);
	arp.b[12] = 0x08;
	arp.b[13] = 0x06;
	arp.len = 60;
	ut_send(0, &arp, 1);
	ut_send(1, &arp, 1);
	assert_int_equal(ut_cap[1].n, 1);
	assert_int_equal(ut_cap[0].n, 1);
	assert_int_equal(ut_ctr("non-ip"), 2);
	vnf_instance_destroy(ut_fw);
	ut_fw = NULL;

	fc.dflt = FW_RULE_ALLOW;
	ut_fw_new(&fc);
	assert_int_equal(ut_pass(0, &s), 1);
	assert_int_equal(ut_pass(1, &s), 0);
	assert_int_equal(ut_ctr("default-allowed"), 2);
}

static void
test_ipv6_rules(void **state)
{
	const struct ut_rule rules[] = {
		{FW_RULE_DROP, 0, "2001:db8:1::/48", NULL, 0, 0, 0, 0, NULL},
		{FW_RULE_ALLOW, IPPROTO_UDP, NULL, "2001:db8::/32", 0, 0, 53, 53,
		 NULL},
		{FW_RULE_ALLOW, IPPROTO_UDP, NULL, "10.0.0.0/8", 0, 0, 0, 0,
		 NULL},
		{FW_RULE_ALLOW, IPPROTO_ICMPV6, NULL, NULL, 0, 0, 0, 0, NULL},
	};
	struct ut_fw_cfg fc = {
		.dflt = FW_RULE_DROP, .rules = rules, .n_rules = RTE_DIM(rules)};
	struct fwt_spec s;

	RTE_SET_USED(state);
	ut_fw_new(&fc);
	s = ut_udp("2001:db8:1::5", 999, "2001:db8:2::1", 53);
	assert_int_equal(ut_pass(0, &s), -1);
	s = ut_udp("2001:db8:2::5", 999, "2001:db8:2::1", 53);
	assert_int_equal(ut_pass(0, &s), 1);
	s = ut_udp("2001:db8:2::5", 999, "2001:db9::1", 53);
	assert_int_equal(ut_pass(0, &s), -1);
	/* An IPv4 rule never matches IPv6 and the other way round. */
	s = ut_udp("10.1.1.1", 999, "10.2.2.2", 53);
	assert_int_equal(ut_pass(0, &s), 1);
	s = ut_udp("10.1.1.1", 999, "11.2.2.2", 53);
	assert_int_equal(ut_pass(0, &s), -1);
	s = ut_echo("2001:db8:3::1", "2001:db8:4::1", false, 7);
	assert_int_equal(ut_pass(0, &s), 1);
	/* The longest prefix is no longer than /128: a host. */
	assert_int_equal(ut_hits(0), 1);
	assert_int_equal(ut_hits(1), 1);
	assert_int_equal(ut_hits(2), 1);
	assert_int_equal(ut_hits(3), 1);
}

static void
test_port_ranges_and_iface(void **state)
{
	const struct ut_rule rules[] = {
		{FW_RULE_ALLOW, IPPROTO_TCP, NULL, NULL, 0, 0, 1000, 2000, NULL},
		{FW_RULE_ALLOW, IPPROTO_UDP, NULL, NULL, 5000, 5001, 0, 0, NULL},
		{FW_RULE_ALLOW, IPPROTO_UDP, NULL, NULL, 0, 0, 7, 7, "out"},
	};
	struct ut_fw_cfg fc = {
		.dflt = FW_RULE_DROP, .rules = rules, .n_rules = RTE_DIM(rules)};
	static const struct {
		uint16_t dp;
		int out;
	} tcp[] = {{999, -1},  {1000, 1}, {1500, 1},  {2000, 1},
		   {2001, -1}, {0, -1},	  {65535, -1}};
	struct fwt_spec s;
	unsigned int i;

	RTE_SET_USED(state);
	ut_fw_new(&fc);
	for (i = 0; i < RTE_DIM(tcp); i++) {
		s = ut_tcp("10.0.0.1", 40000, "10.0.0.2", tcp[i].dp, SYN);
		assert_int_equal(ut_pass(0, &s), tcp[i].out);
	}
	s = ut_udp("10.0.0.1", 4999, "10.0.0.2", 1);
	assert_int_equal(ut_pass(0, &s), -1);
	s = ut_udp("10.0.0.1", 5000, "10.0.0.2", 1);
	assert_int_equal(ut_pass(0, &s), 1);
	s = ut_udp("10.0.0.1", 5001, "10.0.0.2", 1);
	assert_int_equal(ut_pass(0, &s), 1);
	s = ut_udp("10.0.0.1", 5002, "10.0.0.2", 1);
	assert_int_equal(ut_pass(0, &s), -1);
	/* `iface: out` only matches packets coming in by out. */
	s = ut_udp("10.0.0.1", 1, "10.0.0.2", 7);
	assert_int_equal(ut_pass(0, &s), -1);
	assert_int_equal(ut_pass(1, &s), 0);
}

static void
test_iface_pairs(void **state)
{
	struct ut_fw_cfg fc = {.n_ifaces = 5, .dflt = FW_RULE_ALLOW};
	struct fwt_spec s = ut_udp("10.0.0.1", 1, "10.0.0.2", 2);
	json_t *d;

	RTE_SET_USED(state);
	ut_fw_new(&fc);
	assert_int_equal(ut_pass(0, &s), 1);
	assert_int_equal(ut_pass(1, &s), 0);
	assert_int_equal(ut_pass(2, &s), 3);
	assert_int_equal(ut_pass(3, &s), 2);
	/* The odd one out sends back out of itself. */
	assert_int_equal(ut_pass(4, &s), 4);
	d = ut_details();
	assert_int_equal(json_array_size(json_object_get(d, "iface_pairs")), 3);
	assert_string_equal(json_string_value(json_array_get(
				    json_object_get(d, "iface_pairs"), 2)),
			    "e<->e");
	json_decref(d);
}

/* ---- tests: connection tracking ---- */

static const struct ut_rule ut_ssh_out[] = {
	{FW_RULE_ALLOW_STATEFUL, IPPROTO_TCP, NULL, NULL, 0, 0, 22, 22, "in"},
};

static void
test_tcp_handshake_and_close(void **state)
{
	struct ut_fw_cfg fc = {
		.dflt = FW_RULE_DROP, .rules = ut_ssh_out, .n_rules = 1};
	const char *c = "10.0.0.1", *sv = "192.0.2.9";
	struct fwt_spec s;

	RTE_SET_USED(state);
	ut_fw_new(&fc);
	s = ut_tcp(c, 40000, sv, 22, SYN);
	assert_int_equal(ut_pass(0, &s), 1);
	ut_expect_state("syn-sent");
	assert_int_equal(ut_ctr("conn-created"), 1);
	s = ut_tcp(sv, 22, c, 40000, SYN | ACK);
	assert_int_equal(ut_pass(1, &s), 0);
	ut_expect_state("syn-recv");
	s = ut_tcp(c, 40000, sv, 22, ACK);
	assert_int_equal(ut_pass(0, &s), 1);
	ut_expect_state("established");
	s = ut_tcp(sv, 22, c, 40000, ACK | PSH);
	s.payload = 100;
	assert_int_equal(ut_pass(1, &s), 0);
	s = ut_tcp(c, 40000, sv, 22, ACK | PSH);
	s.payload = 1400;
	assert_int_equal(ut_pass(0, &s), 1);
	/* The server closes first. */
	s = ut_tcp(sv, 22, c, 40000, FIN | ACK);
	assert_int_equal(ut_pass(1, &s), 0);
	ut_expect_state("fin-wait");
	s = ut_tcp(c, 40000, sv, 22, ACK);
	assert_int_equal(ut_pass(0, &s), 1);
	ut_expect_state("close-wait");
	s = ut_tcp(c, 40000, sv, 22, FIN | ACK);
	assert_int_equal(ut_pass(0, &s), 1);
	ut_expect_state("last-ack");
	s = ut_tcp(sv, 22, c, 40000, ACK);
	assert_int_equal(ut_pass(1, &s), 0);
	ut_expect_state("time-wait");
	assert_int_equal(ut_ctr("conn-matched"), 8);
	/* The rule saw only the first packet. */
	assert_int_equal(ut_hits(0), 1);
	/* The client reuses the ports: a new connection on the same entry. */
	s = ut_tcp(c, 40000, sv, 22, SYN);
	assert_int_equal(ut_pass(0, &s), 1);
	ut_expect_state("syn-sent");
	/* RST closes. */
	s = ut_tcp(sv, 22, c, 40000, RST | ACK);
	assert_int_equal(ut_pass(1, &s), 0);
	ut_expect_state("close");
}

static void
test_tcp_both_directions(void **state)
{
	/* Connections may be opened from either side, each by its rule; a
	 * connection from outside is answered from inside. */
	const struct ut_rule rules[] = {
		{FW_RULE_ALLOW_STATEFUL, IPPROTO_TCP, NULL, NULL, 0, 0, 0, 0,
		 "in"},
		{FW_RULE_ALLOW_STATEFUL, IPPROTO_TCP, NULL, "10.0.0.80/32", 0, 0,
		 80, 80, "out"},
	};
	struct ut_fw_cfg fc = {
		.dflt = FW_RULE_DROP, .rules = rules, .n_rules = RTE_DIM(rules)};
	struct fwt_spec s;
	json_t *arr, *o;

	RTE_SET_USED(state);
	ut_fw_new(&fc);
	s = ut_tcp("198.51.100.7", 50000, "10.0.0.80", 80, SYN);
	assert_int_equal(ut_pass(1, &s), 0);
	s = ut_tcp("10.0.0.80", 80, "198.51.100.7", 50000, SYN | ACK);
	assert_int_equal(ut_pass(0, &s), 1);
	s = ut_tcp("198.51.100.7", 50000, "10.0.0.80", 80, ACK);
	assert_int_equal(ut_pass(1, &s), 0);
	s = ut_tcp("10.0.0.80", 80, "198.51.100.7", 50000, ACK | PSH);
	assert_int_equal(ut_pass(0, &s), 1);
	/* Not port 80: refused from outside. */
	s = ut_tcp("198.51.100.7", 50000, "10.0.0.80", 81, SYN);
	assert_int_equal(ut_pass(1, &s), -1);
	/* show conn tells the originator's side. */
	arr = ut_ctl_ok("show conn", json_object());
	assert_int_equal(json_array_size(arr), 1);
	o = json_array_get(arr, 0);
	assert_string_equal(json_string_value(json_object_get(o, "proto")),
			    "tcp");
	assert_string_equal(json_string_value(json_object_get(o, "src")),
			    "198.51.100.7");
	assert_int_equal(json_integer_value(json_object_get(o, "sport")),
			 50000);
	assert_string_equal(json_string_value(json_object_get(o, "dst")),
			    "10.0.0.80");
	assert_int_equal(json_integer_value(json_object_get(o, "dport")), 80);
	assert_string_equal(json_string_value(json_object_get(o, "iface")),
			    "out");
	assert_string_equal(json_string_value(json_object_get(o, "state")),
			    "established");
	assert_true(json_integer_value(json_object_get(o, "expires")) > 400000);
	json_decref(arr);
}

static void
test_tcp_unsolicited_and_invalid(void **state)
{
	struct ut_fw_cfg fc = {
		.dflt = FW_RULE_DROP, .rules = ut_ssh_out, .n_rules = 1};
	struct fwt_spec s;

	RTE_SET_USED(state);
	ut_fw_new(&fc);
	/* A reply nobody asked for. */
	s = ut_tcp("192.0.2.9", 22, "10.0.0.1", 40000, SYN | ACK);
	assert_int_equal(ut_pass(1, &s), -1);
	assert_int_equal(ut_ctr("default-drop"), 1);
	/* An ACK that the stateful rule matches but no connection has. */
	s = ut_tcp("10.0.0.1", 40000, "192.0.2.9", 22, ACK);
	assert_int_equal(ut_pass(0, &s), -1);
	assert_int_equal(ut_ctr("tcp-no-conn"), 1);
	/* SYN+FIN is not a SYN. */
	s = ut_tcp("10.0.0.1", 40000, "192.0.2.9", 22, SYN | FIN);
	assert_int_equal(ut_pass(0, &s), -1);
	assert_int_equal(ut_ctr("tcp-no-conn"), 2);

	s = ut_tcp("10.0.0.1", 40000, "192.0.2.9", 22, SYN);
	assert_int_equal(ut_pass(0, &s), 1);
	/* Before the SYN-ACK, the client has nothing to ACK... */
	s = ut_tcp("10.0.0.1", 40000, "192.0.2.9", 22, ACK);
	assert_int_equal(ut_pass(0, &s), -1);
	assert_int_equal(ut_ctr("tcp-invalid"), 1);
	/* ... and the server sends no data. */
	s = ut_tcp("192.0.2.9", 22, "10.0.0.1", 40000, ACK | PSH);
	assert_int_equal(ut_pass(1, &s), -1);
	assert_int_equal(ut_ctr("tcp-invalid"), 2);
	ut_expect_state("syn-sent");
	/* The reply coming in by the originator's iface is no reply. */
	s = ut_tcp("192.0.2.9", 22, "10.0.0.1", 40000, SYN | ACK);
	assert_int_equal(ut_pass(0, &s), -1);
	ut_expect_state("syn-sent");
	/* A retransmitted SYN is fine. */
	s = ut_tcp("10.0.0.1", 40000, "192.0.2.9", 22, SYN);
	assert_int_equal(ut_pass(0, &s), 1);
	s = ut_tcp("192.0.2.9", 22, "10.0.0.1", 40000, SYN | ACK);
	assert_int_equal(ut_pass(1, &s), 0);
	ut_expect_state("syn-recv");
}

static void
test_udp_pseudo_connection(void **state)
{
	const struct ut_rule rules[] = {
		{FW_RULE_ALLOW_STATEFUL, IPPROTO_UDP, NULL, NULL, 0, 0, 53, 53,
		 "in"},
	};
	struct ut_fw_cfg fc = {
		.dflt = FW_RULE_DROP, .rules = rules, .n_rules = 1};
	struct fwt_spec q = ut_udp("10.0.0.1", 33333, "192.0.2.53", 53);
	struct fwt_spec r = ut_udp("192.0.2.53", 53, "10.0.0.1", 33333);
	struct fwt_spec other = ut_udp("192.0.2.53", 53, "10.0.0.1", 33334);

	RTE_SET_USED(state);
	ut_fw_new(&fc);
	assert_int_equal(ut_pass(1, &r), -1); /* nothing asked yet */
	assert_int_equal(ut_pass(0, &q), 1);
	ut_expect_state("unreplied");
	assert_int_equal(ut_pass(1, &r), 0);
	ut_expect_state("replied");
	assert_int_equal(ut_pass(1, &other), -1);
	/* Replied: 120 s. */
	ut_advance(110);
	assert_int_equal(ut_pass(1, &r), 0);
	ut_advance(121);
	assert_int_equal(ut_pass(1, &r), -1);
	/* Unreplied: 30 s. */
	assert_int_equal(ut_pass(0, &q), 1);
	ut_expect_state("unreplied");
	ut_advance(31);
	assert_int_equal(ut_pass(1, &r), -1);
	assert_int_equal(ut_ctr("conn-created"), 2);
}

static void
test_icmp_echo(void **state)
{
	const struct ut_rule rules[] = {
		{FW_RULE_ALLOW_STATEFUL, IPPROTO_ICMP, NULL, NULL, 0, 0, 0, 0,
		 "in"},
		{FW_RULE_ALLOW_STATEFUL, IPPROTO_ICMPV6, NULL, NULL, 0, 0, 0, 0,
		 "in"},
	};
	struct ut_fw_cfg fc = {
		.dflt = FW_RULE_DROP, .rules = rules, .n_rules = RTE_DIM(rules)};
	struct fwt_spec s;

	RTE_SET_USED(state);
	ut_fw_new(&fc);
	s = ut_echo("10.0.0.1", "192.0.2.1", false, 77);
	assert_int_equal(ut_pass(0, &s), 1);
	ut_expect_state("unreplied");
	s = ut_echo("192.0.2.1", "10.0.0.1", true, 77);
	assert_int_equal(ut_pass(1, &s), 0);
	ut_expect_state("replied");
	/* Another id, or a request from outside with the same id: no. */
	s = ut_echo("192.0.2.1", "10.0.0.1", true, 78);
	assert_int_equal(ut_pass(1, &s), -1);
	s = ut_echo("192.0.2.1", "10.0.0.1", false, 77);
	assert_int_equal(ut_pass(1, &s), -1);
	/* An echo reply from inside matches the rule without state. */
	s = ut_echo("10.0.0.1", "192.0.2.1", true, 99);
	assert_int_equal(ut_pass(0, &s), 1);
	/* IPv6. */
	s = ut_echo("2001:db8::1", "2001:db8:1::1", false, 5);
	assert_int_equal(ut_pass(0, &s), 1);
	s = ut_echo("2001:db8:1::1", "2001:db8::1", true, 5);
	assert_int_equal(ut_pass(1, &s), 0);
	assert_int_equal(ut_ctr("conn-created"), 2);
	assert_int_equal(ut_ctr("conn-matched"), 2);
	/* 30 s. */
	ut_advance(31);
	assert_int_equal(ut_pass(1, &s), -1);
}

static void
test_icmp_error_related(void **state)
{
	struct ut_fw_cfg fc = {
		.dflt = FW_RULE_DROP, .rules = ut_ssh_out, .n_rules = 1};
	struct fwt_spec syn = ut_tcp("10.0.0.1", 40000, "192.0.2.9", 22, SYN);
	struct fwt_spec other = ut_tcp("10.0.0.1", 40001, "192.0.2.9", 22, SYN);
	struct fwt_frame fs = ut_frame(&syn), fo;
	struct fwt_spec e = {.src = "203.0.113.1",
			     .dst = "10.0.0.1",
			     .proto = IPPROTO_ICMP,
			     .type = 3,
			     .code = 4,
			     .quote = &fs,
			     .quote_len = 28,
			     .vlan = -1};

	RTE_SET_USED(state);
	ut_fw_new(&fc);
	/* Before the connection exists: dropped. */
	assert_int_equal(ut_pass(1, &e), -1);
	assert_int_equal(ut_pass(0, &syn), 1);
	/* "Fragmentation needed" from a router on the way: passes. */
	assert_int_equal(ut_pass(1, &e), 0);
	assert_int_equal(ut_ctr("related"), 1);
	/* ... but not when it comes in by the wrong side. */
	assert_int_equal(ut_pass(0, &e), -1);
	/* An error about another connection: dropped. */
	fo = ut_frame(&other);
	e.quote = &fo;
	assert_int_equal(ut_pass(1, &e), -1);
	assert_int_equal(ut_ctr("related"), 1);
	ut_expect_state("syn-sent");
}

static void
test_timeouts_and_ageing(void **state)
{
	struct ut_fw_cfg fc = {
		.dflt = FW_RULE_DROP, .rules = ut_ssh_out, .n_rules = 1};
	struct fwt_spec syn = ut_tcp("10.0.0.1", 40000, "192.0.2.9", 22, SYN);
	struct fwt_spec sa =
		ut_tcp("192.0.2.9", 22, "10.0.0.1", 40000, SYN | ACK);
	struct fwt_spec ack = ut_tcp("10.0.0.1", 40000, "192.0.2.9", 22, ACK);
	json_t *d;

	RTE_SET_USED(state);
	ut_fw_new(&fc);
	assert_int_equal(ut_pass(0, &syn), 1);
	/* syn-sent lasts 120 s. */
	ut_advance(100);
	ut_fw->ops->periodic(ut_fw, ut_w->now);
	assert_int_equal(ut_pass(1, &sa), 0);
	/* syn-recv: 60 s; ageing removes it after that. */
	ut_advance(61);
	ut_fw->ops->periodic(ut_fw, ut_w->now);
	d = ut_details();
	assert_int_equal(json_integer_value(json_object_get(d, "connections")),
			 0);
	assert_int_equal(json_integer_value(json_object_get(d, "conn_expired")),
			 1);
	json_decref(d);
	assert_int_equal(ut_pass(0, &ack), -1);
	/* An expired entry that ageing has not reached yet is not used
	 * either. */
	assert_int_equal(ut_pass(0, &syn), 1);
	assert_int_equal(ut_pass(1, &sa), 0);
	assert_int_equal(ut_pass(0, &ack), 1);
	ut_expect_state("established");
	ut_advance(432000 - 10);
	assert_int_equal(ut_pass(0, &ack), 1);
	ut_advance(432000 + 10);
	assert_int_equal(ut_pass(0, &ack), -1);
	/* A new SYN takes the expired entry over. */
	assert_int_equal(ut_pass(0, &syn), 1);
	ut_expect_state("syn-sent");
}

static void
test_table_full(void **state)
{
	const struct ut_rule rules[] = {
		{FW_RULE_ALLOW_STATEFUL, IPPROTO_UDP, NULL, NULL, 0, 0, 0, 0,
		 "in"},
	};
	struct ut_fw_cfg fc = {.dflt = FW_RULE_DROP,
			       .rules = rules,
			       .n_rules = 1,
			       .conn_table_size = 16};
	struct fwt_spec s;
	unsigned int i;

	RTE_SET_USED(state);
	ut_fw_new(&fc);
	for (i = 0; i < 16; i++) {
		s = ut_udp("10.0.0.1", (uint16_t)(1000 + i), "192.0.2.1", 53);
		assert_int_equal(ut_pass(0, &s), 1);
	}
	s = ut_udp("10.0.0.1", 2000, "192.0.2.1", 53);
	assert_int_equal(ut_pass(0, &s), -1);
	assert_int_equal(ut_ctr("conn-table-full"), 1);
	/* The connections that are in still work. */
	s = ut_udp("192.0.2.1", 53, "10.0.0.1", 1005);
	assert_int_equal(ut_pass(1, &s), 0);
	s = ut_udp("10.0.0.1", 1005, "192.0.2.1", 53);
	assert_int_equal(ut_pass(0, &s), 1);
	/* After ageing there is room again. */
	ut_advance(31);
	s = ut_udp("10.0.0.1", 1005, "192.0.2.1", 53);
	assert_int_equal(ut_pass(0, &s), 1); /* its replied entry lives */
	ut_fw->ops->periodic(ut_fw, ut_w->now);
	s = ut_udp("10.0.0.1", 2000, "192.0.2.1", 53);
	assert_int_equal(ut_pass(0, &s), 1);
	assert_int_equal(ut_ctr("conn-table-full"), 1);
}

/*
 * A burst that opens the last two connections a table has room for, the
 * frames of the first before and after the second's: the later ones were
 * looked up before their connection was made (step 2 folds only
 * consecutive frames of a flow), and must find it, not a full table.
 */
static void
test_table_full_in_burst(void **state)
{
	const struct ut_rule rules[] = {
		{FW_RULE_ALLOW_STATEFUL, IPPROTO_UDP, NULL, NULL, 0, 0, 0, 0,
		 "in"},
	};
	struct ut_fw_cfg fc = {.dflt = FW_RULE_DROP,
			       .rules = rules,
			       .n_rules = 1,
			       .conn_table_size = 16};
	static const uint16_t sport[] = {3000, 3000, 3001, 3000, 3000};
	struct fwt_frame f[RTE_DIM(sport)];
	struct fwt_spec s;
	unsigned int i;

	RTE_SET_USED(state);
	ut_fw_new(&fc);
	for (i = 0; i < 14; i++) {
		s = ut_udp("10.0.0.1", (uint16_t)(1000 + i), "192.0.2.1", 53);
		assert_int_equal(ut_pass(0, &s), 1);
	}
	for (i = 0; i < RTE_DIM(sport); i++) {
		s = ut_udp("10.0.0.1", sport[i], "192.0.2.1", 53);
		s.payload = (uint16_t)i; /* frames told apart */
		f[i] = ut_frame(&s);
	}
	ut_send(0, f, RTE_DIM(sport));
	assert_int_equal(ut_cap[1].n, 14 + RTE_DIM(sport));
	assert_int_equal(ut_ctr("conn-table-full"), 0);
	assert_int_equal(ut_ctr("conn-created"), 16);
	/* The third frame by its key index, the last two by looking their
	 * key up again. */
	assert_int_equal(ut_ctr("conn-matched"), 3);
}

/*
 * A burst decides each frame as if the frames came one by one: here a
 * connection's SYN, a frame of another flow, then the connection's RST
 * (which step 1 gives a key index of its own, looked up before the SYN
 * entered the connection).  Every frame's port and every counter must be
 * what the same frames get one per burst.
 */
static void
test_burst_as_single_frames(void **state)
{
	const struct ut_rule rules[] = {
		{FW_RULE_ALLOW_STATEFUL, 0, NULL, NULL, 0, 0, 0, 0, "in"},
	};
	struct ut_fw_cfg fc = {
		.dflt = FW_RULE_DROP, .rules = rules, .n_rules = 1};
	struct fwt_spec sp[4];
	struct fwt_frame f[4];
	uint64_t c[2][64];
	int out[2][4];
	unsigned int mode, i, k, n;

	RTE_SET_USED(state);
	sp[0] = ut_tcp("10.0.0.1", 4000, "192.0.2.1", 80, SYN);
	sp[1] = ut_udp("10.0.0.1", 4001, "192.0.2.1", 53);
	sp[2] = ut_tcp("10.0.0.1", 4000, "192.0.2.1", 80, RST);
	sp[3] = ut_tcp("10.0.0.1", 4002, "192.0.2.1", 80, SYN);
	for (i = 0; i < 4; i++)
		f[i] = ut_frame(&sp[i]);
	for (mode = 0; mode < 2; mode++) {
		ut_fw_new(&fc);
		if (mode == 0)
			ut_ports_in_burst(0, f, 4, out[0]);
		else
			for (i = 0; i < 4; i++)
				ut_ports_in_burst(0, &f[i], 1, &out[1][i]);
		n = ut_fw->ops->n_counters;
		assert_true(n <= 64);
		for (k = 0; k < n; k++)
			c[mode][k] = vnf_counter_sum(ut_fw, k);
		if (mode == 0) {
			vnf_instance_destroy(ut_fw);
			ut_fw = NULL;
			nfv_rcu_reclaim();
		}
	}
	for (i = 0; i < 4; i++)
		assert_int_equal(out[0][i], out[1][i]);
	assert_int_equal(out[0][2], 1); /* the RST of the connection */
	for (k = 0; k < n; k++)
		if (c[0][k] != c[1][k])
			fail_msg("counter %s: %" PRIu64 " in a burst, %" PRIu64
				 " one by one",
				 ut_fw->ops->counters[k].name, c[0][k], c[1][k]);
}

static void
test_burst_of_new_flow(void **state)
{
	/* One burst: a new flow's packets, then another flow's; the first
	 * packet enters the connection and the others use it. */
	const struct ut_rule rules[] = {
		{FW_RULE_ALLOW_STATEFUL, IPPROTO_UDP, NULL, NULL, 0, 0, 0, 0,
		 "in"},
	};
	struct ut_fw_cfg fc = {
		.dflt = FW_RULE_DROP, .rules = rules, .n_rules = 1};
	struct fwt_frame f[VNF_BURST_MAX];
	struct fwt_spec s;
	unsigned int i;
	json_t *arr;

	RTE_SET_USED(state);
	ut_fw_new(&fc);
	for (i = 0; i < VNF_BURST_MAX; i++) {
		s = ut_udp("10.0.0.1", i < 20 ? 1 : 2, "192.0.2.1", 53);
		s.payload = (uint16_t)i;
		f[i] = ut_frame(&s);
	}
	ut_send(0, f, VNF_BURST_MAX);
	assert_int_equal(ut_cap[1].n, VNF_BURST_MAX);
	for (i = 0; i < VNF_BURST_MAX; i++)
		assert_int_equal(ut_cap[1].pkts[i]->pkt_len, f[i].len);
	assert_int_equal(ut_ctr("conn-created"), 2);
	assert_int_equal(ut_ctr("conn-matched"), 30);
	assert_int_equal(ut_hits(0), 2);
	arr = ut_ctl_ok("show conn", json_object());
	assert_int_equal(json_array_size(arr), 2);
	json_decref(arr);
}

/*
 * The worker's cache of connection positions (struct fw_emc) must not
 * outlive a delete: a connection flushed (flush = true) or aged out, then
 * entered again, has a new position; the cached old one holds no entry
 * (its key is waiting for its grace period), and a reply looked up there
 * would be taken for a packet without a connection and dropped.
 */
static void
ut_conn_cache_after_delete(bool flush)
{
	const struct ut_rule rules[] = {
		{FW_RULE_ALLOW_STATEFUL, IPPROTO_UDP, NULL, NULL, 0, 0, 0, 0,
		 "in"},
	};
	struct ut_fw_cfg fc = {
		.dflt = FW_RULE_DROP, .rules = rules, .n_rules = 1};
	struct fwt_spec q = ut_udp("10.0.0.1", 40000, "192.0.2.1", 53);
	struct fwt_spec r = ut_udp("192.0.2.1", 53, "10.0.0.1", 40000);
	json_t *reply;

	ut_fw_new(&fc);
	assert_int_equal(ut_pass(0, &q), 1); /* entered */
	assert_int_equal(ut_pass(1, &r), 0); /* looked up: cached */
	assert_int_equal(ut_pass(0, &q), 1); /* served by the cache */
	if (flush) {
		reply = ut_ctl_ok("conn flush", json_object());
		assert_int_equal(
			json_integer_value(json_object_get(reply, "flushed")),
			1);
		json_decref(reply);
	} else {
		ut_advance(121);
		ut_fw->ops->periodic(ut_fw, ut_w->now);
		assert_int_equal(ut_ctr("conn-created"), 1);
	}
	assert_int_equal(ut_pass(1, &r), -1); /* gone */
	assert_int_equal(ut_pass(0, &q), 1);  /* entered again */
	assert_int_equal(ut_pass(1, &r), 0);
	assert_int_equal(ut_pass(0, &q), 1);
	assert_int_equal(ut_ctr("conn-created"), 2);
	assert_int_equal(ut_ctr("conn-matched"), 4);
	assert_int_equal(ut_ctr("default-drop"), 1);
}

static void
test_conn_cache_flushed(void **state)
{
	RTE_SET_USED(state);
	ut_conn_cache_after_delete(true);
}

static void
test_conn_cache_aged(void **state)
{
	RTE_SET_USED(state);
	ut_conn_cache_after_delete(false);
}

/* ---- the fast lane ---- */

enum ut_variant {
	UV_PLAIN,     /* as it comes */
	UV_REPLY,     /* the other way */
	UV_WRONG_IF,  /* by the other iface than its direction's */
	UV_PADDED,    /* 64 bytes: shorter IP packet than frame */
	UV_CUT,	      /* one byte shorter than its IP packet */
	UV_DF,	      /* IPv4: don't fragment */
	UV_VLAN,      /* one 802.1Q tag */
	UV_IHL6,      /* IHL 6: the ports read 4 bytes further on; IPv6:
		       * version 4 */
	UV_MF,	      /* a first fragment; IPv6: a hop-by-hop header */
	UV_LATER,     /* IPv4: a later fragment */
	UV_TOT_LONG,  /* total (payload) length past the frame */
	UV_TOT_SHORT, /* total (payload) length shorter than the transport
		       * header */
	UV_DOFF4,     /* TCP data offset 4 */
	UV_DOFF15,    /* TCP data offset past the packet */
	UV_SYN,	      /* TCP: SYN on an established connection */
	UV_FIN,	      /* TCP: FIN|ACK */
	UV_RST,	      /* TCP: RST from the reply side */
	UV_SYNACK,    /* TCP: SYN|ACK from the originator: invalid */
	UV_NOFLAGS,   /* TCP: no flags: invalid */
	UV_N,
};

/* Open connection `port` (TCP or UDP, 10.0.0.1:port -> 192.0.2.1:80 by
 * iface 0, or the same between 2001:db8::1 and 2001:db8::9): *o is its
 * originator's frame (by iface 0), *r its reply's (by iface 1), both
 * plain ACKs for TCP. */
static void
ut_fast_open(bool tcp, bool v6, uint16_t port, struct fwt_spec *o,
	     struct fwt_spec *r)
{
	const char *a = v6 ? "2001:db8::1" : "10.0.0.1";
	const char *z = v6 ? "2001:db8::9" : "192.0.2.1";

	*o = tcp ? ut_tcp(a, port, z, 80, ACK) : ut_udp(a, port, z, 80);
	*r = tcp ? ut_tcp(z, 80, a, port, ACK) : ut_udp(z, 80, a, port);
	if (tcp) {
		o->flags = SYN;
		assert_int_equal(ut_pass(0, o), 1);
		r->flags = SYN | ACK;
		assert_int_equal(ut_pass(1, r), 0);
		o->flags = ACK;
		r->flags = ACK;
	}
	assert_int_equal(ut_pass(0, o), 1);
	assert_int_equal(ut_pass(1, r), 0);
	assert_int_equal(ut_pass(0, o), 1);
}

/* The frame of `variant` of the connection of o and r (ut_fast_open()),
 * and in *in the iface it comes in by. */
static struct fwt_frame
ut_fast_variant(bool tcp, bool v6, const struct fwt_spec *o,
		const struct fwt_spec *r, enum ut_variant v, uint16_t *in)
{
	struct fwt_spec s = *o;
	const unsigned int l4 = v6 ? 14 + 40 : 14 + 20;
	struct fwt_frame f;

	RTE_SET_USED(tcp);
	*in = 0;
	switch (v) {
	case UV_REPLY:
		s = *r;
		*in = 1;
		break;
	case UV_WRONG_IF:
		*in = 1;
		break;
	case UV_VLAN:
		s.vlan = 5;
		break;
	case UV_SYN:
		s.flags = SYN;
		break;
	case UV_FIN:
		s.flags = FIN | ACK;
		break;
	case UV_RST:
		s = *r;
		s.flags = RST;
		*in = 1;
		break;
	case UV_SYNACK:
		s.flags = SYN | ACK;
		break;
	case UV_NOFLAGS:
		s.flags = 0;
		break;
	default:
		break;
	}
	f = ut_frame(&s);
	switch (v) {
	case UV_PADDED:
		f.len = (uint16_t)RTE_MAX(64, f.len + 10);
		break;
	case UV_CUT:
		f.len--;
		break;
	case UV_DF:
		f.b[20] = 0x40;
		break;
	case UV_IHL6:
		f.b[14] = v6 ? 0x40 : 0x46;
		break;
	case UV_MF:
		f.b[20] = v6 ? 0 : 0x20;
		break;
	case UV_LATER:
		f.b[21] = 0x10;
		break;
	case UV_TOT_LONG:
		f.b[v6 ? 18 : 16] = 0x05;
		break;
	case UV_TOT_SHORT:
		f.b[v6 ? 18 : 16] = 0;
		f.b[v6 ? 19 : 17] = v6 ? 10 : 30;
		break;
	case UV_DOFF4:
		f.b[l4 + 12] = 0x40;
		break;
	case UV_DOFF15:
		f.b[l4 + 12] = 0xf0;
		break;
	default:
		break;
	}
	return f;
}

/* A non-IP frame with f's MACs: every frame after it in a burst takes the
 * four steps. */
static struct fwt_frame
ut_arp_like(const struct fwt_frame *f)
{
	struct fwt_frame arp;

	memset(&arp, 0, sizeof(arp));
	memcpy(arp.b, f->b, 12);
	arp.b[12] = 0x08;
	arp.b[13] = 0x06;
	arp.len = 60;
	return arp;
}

/* Frame f with its IPv4 TTL or IPv6 hop limit (which the firewall does
 * not read) set to ttl, so that it can be told from its copies. */
static struct fwt_frame
ut_ttl(struct fwt_frame f, uint8_t ttl)
{
	unsigned int l3 = f.b[12] == 0x81 && f.b[13] == 0x00 ? 18 : 14;

	if (f.b[l3 - 2] == 0x86 && f.b[l3 - 1] == 0xdd)
		f.b[l3 + 7] = ttl;
	else
		f.b[l3 + 8] = ttl;
	return f;
}

/*
 * The fast lane (firewall.c, fw_fast_lane(): the established frames at
 * the head of a burst, decided at once) must decide every frame as the
 * four steps do.  Each variant of a connection's frame (ut_fast_variant()),
 * well-formed or not, goes `around` plain frames of its direction after
 * and as many before it, once at the head of its burst (where the fast
 * lane takes what it can) and once behind a non-IP frame (which sends
 * every frame through the four steps), each time on a connection of its
 * own (ports from `port` on): every frame's verdict, every counter's
 * change and the verdict of a reply after the burst (the state it left)
 * must be the same both ways.
 */
static void
ut_fast_lane_as_four_steps(unsigned int around, uint16_t port)
{
	const struct ut_rule rules[] = {
		{FW_RULE_ALLOW_STATEFUL, 0, NULL, NULL, 0, 0, 0, 0, "in"},
	};
	struct ut_fw_cfg fc = {
		.dflt = FW_RULE_DROP, .rules = rules, .n_rules = 1};
	static const char *const kinds[] = {"tcp", "udp", "tcp6", "udp6"};
	const unsigned int nf = 2 * around + 2; /* with the non-IP frame */
	uint64_t c0[64], d[2][64];
	unsigned int v, kind, mode, c, n, k;
	int out[2][VNF_BURST_MAX], probe[2];

	assert_true(nf <= VNF_BURST_MAX && around < 50);
	ut_fw_new(&fc);
	n = ut_fw->ops->n_counters;
	assert_true(n <= 64);
	for (kind = 0; kind < 4; kind++)
		for (v = 0; v < UV_N; v++) {
			bool tcp = kind % 2 == 0, v6 = kind >= 2;

			if (!tcp && v >= UV_DOFF4)
				break; /* TCP only */
			if (v6 && (v == UV_DF || v == UV_LATER))
				continue; /* IPv4 only */
			for (mode = 0; mode < 2; mode++) {
				struct fwt_frame f[VNF_BURST_MAX], plain;
				struct fwt_spec o, r;
				unsigned int at = mode == 0 ? 0 : 1;
				uint16_t in;

				for (c = 0; c < n; c++)
					c0[c] = vnf_counter_sum(ut_fw, c);
				ut_fast_open(tcp, v6, port++, &o, &r);
				f[at + around] = ut_ttl(
					ut_fast_variant(tcp, v6, &o, &r,
							(enum ut_variant)v,
							&in),
					200);
				plain = ut_frame(in == 0 ? &o : &r);
				for (k = 0; k < around; k++) {
					f[at + k] = ut_ttl(plain, (uint8_t)k);
					f[at + around + 1 + k] =
						ut_ttl(plain, (uint8_t)(100 + k));
				}
				f[mode == 0 ? nf - 1 : 0] = ut_arp_like(&plain);
				ut_ports_in_burst(in, f, nf, out[mode]);
				if (mode == 1) /* the IP frames first */
					memmove(out[1], out[1] + 1,
						(nf - 1) * sizeof(out[1][0]));
				probe[mode] = ut_pass(1, &r);
				for (c = 0; c < n; c++)
					d[mode][c] = vnf_counter_sum(ut_fw, c) -
						     c0[c];
			}
			for (k = 0; k < nf - 1; k++)
				if (out[0][k] != out[1][k])
					fail_msg("%s variant %u frame %u: fast "
						 "lane %d, four steps %d",
						 kinds[kind], v, k, out[0][k],
						 out[1][k]);
			if (probe[0] != probe[1])
				fail_msg("%s variant %u: reply after: fast "
					 "lane %d, four steps %d",
					 kinds[kind], v, probe[0], probe[1]);
			for (c = 0; c < n; c++)
				if (d[0][c] != d[1][c])
					fail_msg("%s variant %u: counter %s "
						 "+%" PRIu64 " against +%" PRIu64,
						 kinds[kind], v,
						 ut_fw->ops->counters[c].name,
						 d[0][c], d[1][c]);
		}
	/* Established frames took the lane and passed. */
	assert_true(ut_ctr("conn-matched") > 0);
}

/* Each variant alone at the head of its burst. */
static void
test_fast_lane_as_four_steps(void **state)
{
	RTE_SET_USED(state);
	ut_fast_lane_as_four_steps(0, 1000);
}

/*
 * Each variant between three plain frames of its connection and three
 * more: within a burst of one connection the lane passes the frames that
 * look like an earlier one that left the connection as it was on a
 * compare of their headers (firewall.c, fw_lane_tmpl()), and must stop
 * that at the variant.
 */
static void
test_fast_lane_runs_as_four_steps(void **state)
{
	RTE_SET_USED(state);
	ut_fast_lane_as_four_steps(3, 3000);
}

/*
 * A burst of one flow takes the first frame's parse for every frame whose
 * header bytes match it (firewall.c, struct fw_tmpl); frames that differ
 * in a byte the parser reads, or that are shorter than their IP header
 * says, must still be parsed and judged on their own, and every frame
 * counted once.
 */
static void
test_uniform_burst_odd_frames(void **state)
{
	struct ut_fw_cfg fc = {
		.dflt = FW_RULE_DROP, .rules = ut_ssh_out, .n_rules = 1};
	const char *c = "10.0.0.1", *sv = "192.0.2.9";
	struct rte_mbuf *pkts[VNF_BURST_MAX];
	struct fwt_frame f;
	struct fwt_spec s;
	uint64_t matched;
	unsigned int i;

	RTE_SET_USED(state);
	ut_fw_new(&fc);
	s = ut_tcp(c, 40000, sv, 22, SYN);
	assert_int_equal(ut_pass(0, &s), 1);
	s = ut_tcp(sv, 22, c, 40000, SYN | ACK);
	assert_int_equal(ut_pass(1, &s), 0);
	s = ut_tcp(c, 40000, sv, 22, ACK);
	assert_int_equal(ut_pass(0, &s), 1);
	ut_expect_state("established");
	matched = ut_ctr("conn-matched");
	for (i = 0; i < VNF_BURST_MAX; i++) {
		s = ut_tcp(c, 40000, sv, 22, ACK | PSH);
		s.seq = 1000 + 100 * i; /* not read by the parser */
		s.payload = 100;
		if (i == 9)
			s.sport = 40001; /* another flow: no connection */
		if (i == 20)
			s.flags = FIN | ACK; /* moves the state on */
		f = ut_frame(&s);
		pkts[i] = ut_mbuf(&f);
		/* The IPv4 id and TTL vary in a real flow. */
		rte_pktmbuf_mtod(pkts[i], uint8_t *)[18] = (uint8_t)i;
		rte_pktmbuf_mtod(pkts[i], uint8_t *)[22] = (uint8_t)(64 - i);
		if (i == 5) /* shorter than its IP header says */
			assert_int_equal(rte_pktmbuf_trim(pkts[i], 4), 0);
	}
	ut_send_mbufs(0, pkts, VNF_BURST_MAX);
	assert_int_equal(ut_cap[1].n, 2 + VNF_BURST_MAX - 2);
	assert_int_equal(ut_ctr("conn-matched"), matched + VNF_BURST_MAX - 2);
	assert_int_equal(ut_ctr("ipv4-truncated"), 1);
	assert_int_equal(ut_ctr("tcp-no-conn"), 1);
	/* The FIN was stepped (a copy of the first frame's parse would have
	 * left it established); the ACKs after it from the same side keep
	 * fin-wait. */
	ut_expect_state("fin-wait");
}

/* The same for IPv6 with VLAN tags. */
static void
test_uniform_burst_ipv6_vlan(void **state)
{
	const struct ut_rule rules[] = {
		{FW_RULE_ALLOW_STATEFUL, IPPROTO_UDP, NULL, NULL, 0, 0, 0, 0,
		 "in"},
	};
	struct ut_fw_cfg fc = {
		.dflt = FW_RULE_DROP, .rules = rules, .n_rules = 1};
	struct rte_mbuf *pkts[VNF_BURST_MAX];
	struct fwt_frame f;
	struct fwt_spec s;
	unsigned int i;

	RTE_SET_USED(state);
	ut_fw_new(&fc);
	for (i = 0; i < VNF_BURST_MAX; i++) {
		s = ut_udp("2001:db8::1", 5000, "2001:db8::2", 53);
		s.vlan = i == 7 ? 11 : 10; /* the tag is not judged */
		if (i == 12)
			s.dport = 54; /* another connection */
		f = ut_frame(&s);
		pkts[i] = ut_mbuf(&f);
		if (i == 25)
			assert_int_equal(rte_pktmbuf_trim(pkts[i], 2), 0);
	}
	ut_send_mbufs(0, pkts, VNF_BURST_MAX);
	assert_int_equal(ut_cap[1].n, VNF_BURST_MAX - 1);
	assert_int_equal(ut_ctr("conn-created"), 2);
	assert_int_equal(ut_ctr("conn-matched"), VNF_BURST_MAX - 3);
	assert_int_equal(ut_ctr("ipv6-truncated"), 1);
	/* Replies find both. */
	s = ut_udp("2001:db8::2", 53, "2001:db8::1", 5000);
	s.vlan = 10;
	assert_int_equal(ut_pass(1, &s), 0);
	s.sport = 54;
	assert_int_equal(ut_pass(1, &s), 0);
}

/* ---- tests: reject ---- */

static const struct ut_rule ut_rejects[] = {
	{FW_RULE_REJECT, IPPROTO_TCP, NULL, NULL, 0, 0, 23, 23, NULL},
	{FW_RULE_REJECT, IPPROTO_UDP, NULL, NULL, 0, 0, 0, 0, NULL},
	{FW_RULE_REJECT, IPPROTO_ICMP, NULL, NULL, 0, 0, 0, 0, NULL},
};

/* The answer sent out of port `port` as its k-th packet, as a frame. */
static const uint8_t *
ut_sent(uint16_t port, unsigned int k, uint32_t *len)
{
	struct rte_mbuf *m;

	assert_true(ut_cap[port].n > k);
	m = ut_cap[port].pkts[k];
	assert_int_equal(m->nb_segs, 1);
	*len = m->pkt_len;
	return rte_pktmbuf_mtod(m, const uint8_t *);
}

static void
test_reject_tcp_rst(void **state)
{
	struct ut_fw_cfg fc = {.dflt = FW_RULE_ALLOW,
			       .rules = ut_rejects,
			       .n_rules = RTE_DIM(ut_rejects)};
	struct fwt_spec s = ut_tcp("10.0.0.1", 40000, "192.0.2.9", 23, SYN);
	const struct rte_ipv4_hdr *ip;
	const struct rte_ipv6_hdr *ip6;
	const struct rte_tcp_hdr *t;
	const uint8_t *p;
	uint32_t len;

	RTE_SET_USED(state);
	ut_fw_new(&fc);
	s.seq = 0x11223344;
	s.vlan = 7;
	assert_int_equal(ut_pass(0, &s), -1);
	assert_int_equal(ut_ctr("rule-reject"), 1);
	assert_int_equal(ut_ctr("reject-sent"), 1);
	/* A SYN: RST+ACK acknowledging it, back out of `in`, tag kept. */
	p = ut_sent(0, 0, &len);
	assert_int_equal(len, 18 + 20 + 20);
	assert_memory_equal(p, fwt_mac_a, 6);
	assert_memory_equal(p + 6, fwt_mac_b, 6);
	assert_int_equal(p[12], 0x81);
	assert_int_equal(p[15], 7);
	ip = (const struct rte_ipv4_hdr *)(p + 18);
	t = (const struct rte_tcp_hdr *)(ip + 1);
	assert_int_equal(ip->src_addr, inet_addr("192.0.2.9"));
	assert_int_equal(ip->dst_addr, inet_addr("10.0.0.1"));
	assert_int_equal(ip->next_proto_id, IPPROTO_TCP);
	assert_int_equal(rte_ipv4_cksum(ip), 0); /* a valid header sums to 0 */
	assert_int_equal(rte_ipv4_udptcp_cksum_verify(ip, t), 0);
	assert_int_equal(rte_be_to_cpu_16(t->src_port), 23);
	assert_int_equal(rte_be_to_cpu_16(t->dst_port), 40000);
	assert_int_equal(t->tcp_flags, RST | ACK);
	assert_int_equal(t->sent_seq, 0);
	assert_int_equal(rte_be_to_cpu_32(t->recv_ack), 0x11223345);

	/* A segment with an ACK: RST with seq = its ack. */
	s = ut_tcp("2001:db8::1", 40000, "2001:db8:1::9", 23, ACK | PSH);
	s.ack = 0xabcdef01;
	s.payload = 10;
	assert_int_equal(ut_pass(0, &s), -1);
	p = ut_sent(0, 1, &len);
	assert_int_equal(len, 14 + 40 + 20);
	ip6 = (const struct rte_ipv6_hdr *)(p + 14);
	t = (const struct rte_tcp_hdr *)(ip6 + 1);
	assert_int_equal(ip6->proto, IPPROTO_TCP);
	assert_int_equal(rte_be_to_cpu_16(ip6->payload_len), 20);
	assert_int_equal(rte_ipv6_udptcp_cksum_verify(ip6, t), 0);
	assert_int_equal(t->tcp_flags, RST);
	assert_int_equal(rte_be_to_cpu_32(t->sent_seq), 0xabcdef01);

	/* Never a RST for a RST. */
	s = ut_tcp("10.0.0.1", 40000, "192.0.2.9", 23, RST);
	assert_int_equal(ut_pass(0, &s), -1);
	assert_int_equal(ut_ctr("reject-suppressed"), 1);
	assert_int_equal(ut_cap[0].n, 2);
	/* Replies come from the out side too. */
	s = ut_tcp("192.0.2.9", 40000, "10.0.0.1", 23, SYN);
	assert_int_equal(ut_pass(1, &s), -1);
	assert_int_equal(ut_cap[1].n, 1);
}

static void
test_reject_icmp_and_rate_limit(void **state)
{
	struct ut_fw_cfg fc = {.dflt = FW_RULE_ALLOW,
			       .rules = ut_rejects,
			       .n_rules = RTE_DIM(ut_rejects)};
	struct fwt_spec s = ut_udp("10.0.0.1", 5000, "192.0.2.9", 161);
	struct fwt_frame f = ut_frame(&s), burst[VNF_BURST_MAX];
	const struct rte_ipv4_hdr *ip;
	const uint8_t *p, *ic;
	uint32_t len;
	unsigned int i;

	RTE_SET_USED(state);
	ut_fw_new(&fc);
	assert_int_equal(ut_pass(0, &s), -1);
	p = ut_sent(0, 0, &len);
	assert_int_equal(len, 14 + 20 + 8 + (f.len - 14));
	ip = (const struct rte_ipv4_hdr *)(p + 14);
	ic = p + 34;
	assert_int_equal(ip->next_proto_id, IPPROTO_ICMP);
	assert_int_equal(ip->src_addr, inet_addr("192.0.2.9"));
	assert_int_equal(ip->dst_addr, inet_addr("10.0.0.1"));
	assert_int_equal(rte_ipv4_cksum(ip), 0);
	assert_int_equal(ic[0], 3);
	assert_int_equal(ic[1], 3);
	assert_int_equal(fwt_cksum_fold(rte_raw_cksum(ic, len - 34)), 0xffff);
	assert_memory_equal(ic + 8, f.b + 14, f.len - 14);

	/* IPv6: destination unreachable, port unreachable. */
	s = ut_udp("2001:db8::1", 5000, "2001:db8:1::9", 161);
	s.payload = 1400; /* the quote stops at 1280 bytes in all */
	assert_int_equal(ut_pass(0, &s), -1);
	p = ut_sent(0, 1, &len);
	assert_int_equal(len, 14 + 1280);
	assert_int_equal(p[14 + 6], IPPROTO_ICMPV6);
	assert_int_equal(p[54], 1);
	assert_int_equal(p[55], 4);
	assert_int_equal(rte_ipv6_udptcp_cksum_verify(
				 (const struct rte_ipv6_hdr *)(p + 14), p + 54),
			 0);

	/* No answer to an ICMP error, nor to a broadcast. */
	s = (struct fwt_spec){.src = "10.0.0.1",
			      .dst = "192.0.2.9",
			      .proto = IPPROTO_ICMP,
			      .type = 3,
			      .code = 1,
			      .quote = &f,
			      .vlan = -1};
	assert_int_equal(ut_pass(0, &s), -1);
	s = ut_udp("10.0.0.1", 5000, "255.255.255.255", 161);
	assert_int_equal(ut_pass(0, &s), -1);
	assert_int_equal(ut_ctr("reject-suppressed"), 2);
	/* An echo request is rejected with port unreachable. */
	s = ut_echo("10.0.0.1", "192.0.2.9", false, 1);
	assert_int_equal(ut_pass(0, &s), -1);
	assert_int_equal(ut_ctr("reject-sent"), 3);
	ut_cap_free_all();

	/* 50 at once, then one per ms. */
	for (i = 0; i < VNF_BURST_MAX; i++)
		burst[i] = f;
	ut_send(0, burst, VNF_BURST_MAX);
	ut_send(0, burst, VNF_BURST_MAX);
	assert_int_equal(ut_cap[0].n, 50 - 3);
	assert_int_equal(ut_ctr("reject-rate-limited"), 64 - 47);
	ut_advance(0.0105);
	ut_send(0, burst, VNF_BURST_MAX);
	assert_int_equal(ut_cap[0].n, 47 + 10);
	assert_int_equal(ut_ctr("rule-reject"), 5 + 3 * VNF_BURST_MAX);
}

/* ---- tests: rules changed at run time ---- */

static void
test_rule_add_del_runtime(void **state)
{
	const struct ut_rule rules[] = {
		{FW_RULE_ALLOW, IPPROTO_UDP, NULL, NULL, 0, 0, 53, 53, NULL},
	};
	struct ut_fw_cfg fc = {
		.dflt = FW_RULE_DROP, .rules = rules, .n_rules = 1};
	struct fwt_spec dns = ut_udp("10.0.0.1", 999, "192.0.2.1", 53);
	struct fwt_spec web = ut_tcp("10.0.0.1", 999, "192.0.2.1", 443, SYN);
	struct fwt_spec web6 =
		ut_tcp("2001:db8::1", 999, "2001:db8:1::1", 443, SYN);
	json_t *arr, *r;
	char msg[256];

	RTE_SET_USED(state);
	ut_fw_new(&fc);
	assert_int_equal(ut_pass(0, &dns), 1);
	assert_int_equal(ut_pass(0, &web), -1);
	/* Append an allow for 443 (v4 and v6). */
	ut_rule_add(
		"{\"action\": \"allow\", \"proto\": \"tcp\", \"dport\": 443}");
	assert_int_equal(ut_pass(0, &web), 1);
	assert_int_equal(ut_pass(0, &web6), 1);
	/* Insert a drop for one source before everything. */
	ut_rule_add(
		"{\"index\": 0, \"action\": \"drop\", \"src\": \"10.0.0.1/32\","
		" \"proto\": 6, \"sport\": \"900-1000\"}");
	assert_int_equal(ut_pass(0, &web), -1);
	assert_int_equal(ut_pass(0, &dns), 1); /* udp: not the drop */
	/* Hits stay with their rules while indexes move. */
	assert_int_equal(ut_hits(0), 1);
	assert_int_equal(ut_hits(1), 2);
	assert_int_equal(ut_hits(2), 2);
	arr = ut_ctl_ok("show rules", json_object());
	assert_int_equal(json_array_size(arr), 3);
	r = json_array_get(arr, 0);
	assert_string_equal(json_string_value(json_object_get(r, "action")),
			    "drop");
	assert_string_equal(json_string_value(json_object_get(r, "proto")),
			    "tcp");
	assert_string_equal(json_string_value(json_object_get(r, "src")),
			    "10.0.0.1/32");
	assert_string_equal(json_string_value(json_object_get(r, "dst")),
			    "any");
	assert_string_equal(json_string_value(json_object_get(r, "sport")),
			    "900-1000");
	assert_string_equal(json_string_value(json_object_get(r, "dport")),
			    "any");
	assert_string_equal(json_string_value(json_object_get(r, "iface")),
			    "any");
	json_decref(arr);
	/* Delete it again. */
	ut_rule_del(0);
	assert_int_equal(ut_pass(0, &web), 1);
	assert_int_equal(ut_hits(1), 3);
	/* Delete the dns rule: dns now meets the default. */
	ut_rule_del(0);
	assert_int_equal(ut_pass(0, &dns), -1);
	assert_int_equal(ut_hits(0), 3);
	/* A rule only for the out iface, at the end. */
	ut_rule_add(
		"{\"cmd\": \"rule add\", \"vnf\": \"fw\", \"action\": "
		"\"allow-stateful\", \"proto\": \"udp\", \"iface\": \"out\","
		" \"index\": 1}");
	dns = ut_udp("192.0.2.1", 53, "10.0.0.1", 999);
	assert_int_equal(ut_pass(1, &dns), 0);
	assert_int_equal(ut_pass(0, &dns), -1);
	/* Slots of deleted rules are reused (after the grace period). */
	ut_rule_add("{\"action\": \"drop\"}");
	assert_int_equal(ut_hits(2), 0);

	/* Bad requests. */
	assert_int_equal(ut_ctl_err("rule add", "{}", msg, sizeof(msg)),
			 -EINVAL);
	assert_non_null(strstr(msg, "action"));
	assert_int_equal(ut_ctl_err("rule add", "{\"action\": \"permit\"}", msg,
				    sizeof(msg)),
			 -EINVAL);
	assert_int_equal(
		ut_ctl_err("rule add",
			   "{\"action\": \"drop\", \"src\": \"10.0.0.1/8\"}",
			   msg, sizeof(msg)),
		-EINVAL);
	assert_non_null(strstr(msg, "host bits"));
	assert_int_equal(ut_ctl_err("rule add",
				    "{\"action\": \"drop\", \"dport\": 80}",
				    msg, sizeof(msg)),
			 -EINVAL);
	assert_non_null(strstr(msg, "ports need proto"));
	assert_int_equal(
		ut_ctl_err("rule add",
			   "{\"action\": \"drop\", \"proto\": \"udp\", "
			   "\"dport\": \"90-80\"}",
			   msg, sizeof(msg)),
		-EINVAL);
	assert_non_null(strstr(msg, "backwards"));
	assert_int_equal(
		ut_ctl_err("rule add",
			   "{\"action\": \"drop\", \"src\": \"10.0.0.0/8\", "
			   "\"dst\": \"2001:db8::/32\"}",
			   msg, sizeof(msg)),
		-EINVAL);
	assert_int_equal(
		ut_ctl_err("rule add",
			   "{\"action\": \"drop\", \"iface\": \"nope\"}", msg,
			   sizeof(msg)),
		-ENOENT);
	assert_int_equal(ut_ctl_err("rule add",
				    "{\"action\": \"drop\", \"index\": 99}",
				    msg, sizeof(msg)),
			 -ERANGE);
	assert_int_equal(ut_ctl_err("rule add",
				    "{\"action\": \"drop\", \"colour\": 1}",
				    msg, sizeof(msg)),
			 -EINVAL);
	assert_int_equal(
		ut_ctl_err("rule del", "{\"index\": 9}", msg, sizeof(msg)),
		-ENOENT);
	assert_int_equal(ut_ctl_err("rule del", "{}", msg, sizeof(msg)),
			 -EINVAL);
	/* Wrong types name the key (issue 11, defect 8): no default, no
	 * "missing" for a value that is there. */
	{
		static const char *const bad[][3] = {
			{"rule add", "{\"action\": [\"drop\"]}",
			 "action: expected a string (got an array)"},
			{"rule add", "{\"action\": \"drop\", \"src\": 10}",
			 /* JSON is read as YAML: a number is a scalar */
			 "src: \"10\" is not an IPv4 or IPv6 address with an "
			 "optional /length"},
			{"rule add", "{\"action\": \"drop\", \"dst\": {}}",
			 "dst: expected a string (got an object)"},
			{"rule add", "{\"action\": \"drop\", \"iface\": [1]}",
			 "iface: expected a string (got an array)"},
			{"rule add", "{\"action\": \"drop\", \"index\": -1}",
			 "index: expected an integer 0..4294967295 (got -1)"},
			{"rule add", "{\"action\": \"drop\", \"index\": \"1\"}",
			 "index: expected an integer 0..4294967295 (got a "
			 "string)"},
			{"rule del", "{\"index\": true}",
			 "index: expected an integer 0..4294967295 (got a "
			 "boolean)"},
			{"show conn", "{\"limit\": -1}",
			 "limit: expected an integer 1..4294967295 (got -1)"},
			{"show conn", "{\"limit\": \"x\"}",
			 "limit: expected an integer 1..4294967295 (got a "
			 "string)"},
		};
		unsigned int i;

		for (i = 0; i < RTE_DIM(bad); i++) {
			assert_int_equal(ut_ctl_err(bad[i][0], bad[i][1], msg,
						    sizeof(msg)),
					 -EINVAL);
			if (strcmp(msg, bad[i][2]) != 0)
				fail_msg("%s %s: \"%s\", want \"%s\"",
					 bad[i][0], bad[i][1], msg, bad[i][2]);
		}
	}
	arr = ut_ctl_ok("show rules", json_object());
	assert_int_equal(json_array_size(arr), 3);
	json_decref(arr);
}

static void
test_rule_change_keeps_connections(void **state)
{
	/* A connection outlives the rule that let it in (like conntrack);
	 * and a burst in flight sees one rule set or the other. */
	struct ut_fw_cfg fc = {
		.dflt = FW_RULE_DROP, .rules = ut_ssh_out, .n_rules = 1};
	struct fwt_spec syn = ut_tcp("10.0.0.1", 40000, "192.0.2.9", 22, SYN);
	struct fwt_spec sa =
		ut_tcp("192.0.2.9", 22, "10.0.0.1", 40000, SYN | ACK);

	RTE_SET_USED(state);
	ut_fw_new(&fc);
	assert_int_equal(ut_pass(0, &syn), 1);
	ut_rule_del(0);
	assert_int_equal(ut_pass(1, &sa), 0);
	syn.sport = 40001;
	assert_int_equal(ut_pass(0, &syn), -1);
}

/* Rule sets built so far (details). */
static json_int_t
ut_sets_built(void)
{
	json_t *d = ut_fw->ops->details(ut_fw);
	json_int_t n;

	assert_non_null(d);
	n = json_integer_value(json_object_get(d, "rule_sets_built"));
	json_decref(d);
	return n;
}

static void
test_rule_del_count(void **state)
{
	/* rule del INDEX count N: N rules in one rule set; a range that
	 * does not fit leaves the rules as they were. */
	struct ut_fw_cfg fc = {.dflt = FW_RULE_DROP};
	struct fwt_spec p5 = ut_tcp("10.0.0.1", 40000, "192.0.2.9", 5, SYN);
	struct fwt_spec p2 = ut_tcp("10.0.0.1", 40000, "192.0.2.9", 2, SYN);
	static const char *const left[] = {"1", "5"}; /* dports */
	char msg[256], req[128];
	json_int_t built;
	json_t *arr;
	int port;

	RTE_SET_USED(state);
	ut_fw_new(&fc);
	for (port = 1; port <= 5; port++) {
		snprintf(req, sizeof(req),
			 "{\"action\": \"allow\", \"proto\": \"tcp\", "
			 "\"dport\": %d}",
			 port);
		ut_rule_add(req);
	}
	assert_int_equal(ut_pass(0, &p2), 1);
	assert_int_equal(ut_ctl_err("rule del", "{\"index\": 3, \"count\": 3}",
				    msg, sizeof(msg)),
			 -ENOENT);
	assert_string_equal(msg, "no rules 3 to 5 (5 rules)");
	/* The last index of a huge count does not wrap around. */
	assert_int_equal(ut_ctl_err("rule del",
				    "{\"index\": 3, \"count\": 4294967295}",
				    msg, sizeof(msg)),
			 -ENOENT);
	assert_string_equal(msg, "no rules 3 to 4294967297 (5 rules)");
	assert_int_equal(ut_ctl_err("rule del", "{\"index\": 1, \"count\": 0}",
				    msg, sizeof(msg)),
			 -EINVAL);
	built = ut_sets_built();
	json_decref(ut_ctl_ok("rule del",
			      json_pack("{s:i, s:i}", "index", 1, "count", 3)));
	assert_int_equal(ut_sets_built(), built + 1);
	arr = ut_ctl_ok("show rules", json_object());
	assert_int_equal(json_array_size(arr), RTE_DIM(left));
	for (port = 0; port < (int)RTE_DIM(left); port++)
		assert_string_equal(json_string_value(json_object_get(
					    json_array_get(arr, port), "dport")),
				    left[port]);
	json_decref(arr);
	assert_int_equal(ut_pass(0, &p2), -1);
	assert_int_equal(ut_pass(0, &p5), 1);
	/* Hits went with the rule that stayed. */
	assert_int_equal(ut_hits(1), 1);
}

/* ---- tests: malformed packets, fragments, tags, chains ---- */

static void
test_header_validation(void **state)
{
	struct ut_fw_cfg fc = {.dflt = FW_RULE_ALLOW};
	struct fwt_spec t = ut_tcp("10.0.0.1", 1, "10.0.0.2", 2, SYN);
	struct fwt_spec u = ut_udp("10.0.0.1", 1, "10.0.0.2", 2);
	struct fwt_spec t6 = ut_tcp("2001:db8::1", 1, "2001:db8::2", 2, SYN);
	struct fwt_frame f, b[12];
	unsigned int n = 0;

	RTE_SET_USED(state);
	ut_fw_new(&fc);
	/* runt */
	memset(&b[n], 0, sizeof(b[n]));
	b[n++].len = 10;
	/* IPv4 header cut short */
	f = ut_frame(&t);
	f.len = 14 + 12;
	b[n++] = f;
	/* IPv4 version 5 */
	f = ut_frame(&t);
	f.b[14] = 0x55;
	b[n++] = f;
	/* IHL 4 */
	f = ut_frame(&t);
	f.b[14] = 0x44;
	b[n++] = f;
	/* total length past the frame */
	f = ut_frame(&t);
	f.b[16] = 0x05;
	b[n++] = f;
	/* TCP cut short: total length says 30 */
	f = ut_frame(&t);
	f.b[16] = 0;
	f.b[17] = 30;
	b[n++] = f;
	/* TCP data offset 4 */
	f = ut_frame(&t);
	f.b[14 + 20 + 12] = 0x40;
	b[n++] = f;
	/* UDP cut short */
	f = ut_frame(&u);
	f.b[16] = 0;
	f.b[17] = 24;
	b[n++] = f;
	/* IPv6 header cut short, and a payload length past the frame */
	f = ut_frame(&t6);
	f.len = 14 + 30;
	b[n++] = f;
	f = ut_frame(&t6);
	f.b[14 + 4] = 0x10;
	b[n++] = f;
	/* three VLAN tags */
	f = ut_frame(&t);
	memmove(f.b + 24, f.b + 12, f.len - 12);
	for (unsigned int k = 0; k < 3; k++) {
		f.b[12 + 4 * k] = 0x81;
		f.b[13 + 4 * k] = 0x00;
		f.b[14 + 4 * k] = 0;
		f.b[15 + 4 * k] = 5;
	}
	f.len += 12;
	b[n++] = f;
	/* and one good packet, padded to 64 bytes */
	f = ut_frame(&u);
	f.len = 64;
	b[n++] = f;
	ut_send(0, b, n);
	assert_int_equal(ut_cap[1].n, 1);
	assert_int_equal(ut_ctr("runt"), 1);
	assert_int_equal(ut_ctr("ipv4-truncated"), 2);
	assert_int_equal(ut_ctr("ipv4-bad-header"), 2);
	assert_int_equal(ut_ctr("l4-truncated"), 2);
	assert_int_equal(ut_ctr("tcp-bad-header"), 1);
	assert_int_equal(ut_ctr("ipv6-truncated"), 2);
	assert_int_equal(ut_ctr("too-many-vlan-tags"), 1);
	assert_int_equal(ut_ctr("default-allowed"), 1);
}

static void
test_ipv6_extension_headers(void **state)
{
	const struct ut_rule rules[] = {
		{FW_RULE_ALLOW, IPPROTO_UDP, NULL, NULL, 0, 0, 53, 53, NULL},
	};
	struct ut_fw_cfg fc = {
		.dflt = FW_RULE_DROP, .rules = rules, .n_rules = 1};
	struct fwt_spec u = ut_udp("2001:db8::1", 1, "2001:db8::2", 53);
	struct fwt_frame f = ut_frame(&u), g;
	unsigned int k;

	RTE_SET_USED(state);
	ut_fw_new(&fc);
	/* A hop-by-hop and a destination options header before UDP: the
	 * rule still sees port 53. */
	memset(&g, 0, sizeof(g));
	memcpy(g.b, f.b, 54);
	g.b[20] = IPPROTO_HOPOPTS;
	g.b[54] = IPPROTO_DSTOPTS; /* HBH: next, len 0 (8 bytes) */
	g.b[62] = IPPROTO_UDP;	   /* DST: next, len 0 */
	memcpy(g.b + 70, f.b + 54, f.len - 54);
	g.len = f.len + 16;
	g.b[19] = (uint8_t)(f.b[19] + 16);
	ut_send(0, &g, 1);
	assert_int_equal(ut_cap[1].n, 1);
	/* Nine extension headers: too many. */
	memset(&g, 0, sizeof(g));
	memcpy(g.b, f.b, 54);
	g.b[20] = IPPROTO_DSTOPTS;
	for (k = 0; k < 9; k++)
		g.b[54 + 8 * k] = k == 8 ? IPPROTO_UDP : IPPROTO_DSTOPTS;
	memcpy(g.b + 54 + 72, f.b + 54, f.len - 54);
	g.len = f.len + 72;
	g.b[19] = (uint8_t)(f.b[19] + 72);
	ut_send(0, &g, 1);
	assert_int_equal(ut_cap[1].n, 1);
	assert_int_equal(ut_ctr("ipv6-bad-header"), 1);
}

static void
test_fragments(void **state)
{
	const struct ut_rule rules[] = {
		{FW_RULE_ALLOW, IPPROTO_UDP, NULL, NULL, 0, 0, 53, 53, NULL},
		{FW_RULE_DROP, IPPROTO_UDP, NULL, NULL, 0, 0, 0, 0, NULL},
		{FW_RULE_ALLOW, IPPROTO_ICMP, NULL, NULL, 0, 0, 0, 0, NULL},
	};
	struct ut_fw_cfg fc = {
		.dflt = FW_RULE_DROP, .rules = rules, .n_rules = RTE_DIM(rules)};
	struct fwt_spec first = ut_udp("10.0.0.1", 999, "192.0.2.1", 53);
	struct fwt_spec later = first, s;

	RTE_SET_USED(state);
	ut_fw_new(&fc);
	first.frag = true;
	first.mf = true;
	first.frag_id = 0x1234;
	first.payload = 64;
	later.frag = true;
	later.frag_off = 9;
	later.frag_id = 0x1234;
	later.l4_none = true;
	later.payload = 40;
	/* A later fragment before its first one: no ports, so the port
	 * rules do not match it; rule 1 (no ports) drops it. */
	assert_int_equal(ut_pass(0, &later), -1);
	assert_int_equal(ut_hits(1), 1);
	/* The first fragment is judged by its ports... */
	assert_int_equal(ut_pass(0, &first), 1);
	assert_int_equal(ut_hits(0), 1);
	/* ... and the rest follow it. */
	assert_int_equal(ut_pass(0, &later), 1);
	assert_int_equal(ut_ctr("frag-followed"), 1);
	/* A dropped first fragment takes its fragments with it. */
	first.dport = later.dport = 54;
	first.frag_id = later.frag_id = 0x999;
	assert_int_equal(ut_pass(0, &first), -1);
	assert_int_equal(ut_pass(0, &later), -1);
	assert_int_equal(ut_ctr("fragment-of-dropped"), 1);
	/* The verdict is kept 30 s. */
	first.dport = later.dport = 53;
	first.frag_id = later.frag_id = 0x77;
	assert_int_equal(ut_pass(0, &first), 1);
	ut_advance(31);
	assert_int_equal(ut_pass(0, &later), -1);
	/* A first fragment too short for the UDP header. */
	s = first;
	s.l4_none = true;
	s.payload = 4;
	assert_int_equal(ut_pass(0, &s), -1);
	assert_int_equal(ut_ctr("bad-fragment"), 1);
	/* TCP at offset 8 bytes (RFC 1858). */
	s = ut_tcp("10.0.0.1", 1, "192.0.2.1", 2, ACK);
	s.frag = true;
	s.frag_off = 1;
	s.l4_none = true;
	s.payload = 20;
	assert_int_equal(ut_pass(0, &s), -1);
	assert_int_equal(ut_ctr("bad-fragment"), 2);

	/* IPv6 the same way. */
	first = ut_udp("2001:db8::1", 999, "2001:db8:1::1", 53);
	first.frag = true;
	first.mf = true;
	first.frag_id = 0xdeadbeef;
	first.payload = 64;
	later = first;
	later.mf = false;
	later.frag_off = 9;
	later.l4_none = true;
	assert_int_equal(ut_pass(0, &first), 1);
	assert_int_equal(ut_pass(0, &later), 1);
	assert_int_equal(ut_ctr("frag-followed"), 2);
	/* An atomic fragment (offset 0, no more) is a whole packet. */
	s = ut_udp("2001:db8::1", 999, "2001:db8:1::1", 53);
	s.frag = true;
	assert_int_equal(ut_pass(0, &s), 1);
}

/* A first fragment that a connection passes: its verdict is kept for the
 * fragments that follow, which have no ports for the rule to match (the
 * ACL key, built only for packets without a connection, is built for it
 * too: the record needs its addresses). */
static void
test_fragments_of_a_connection(void **state)
{
	const struct ut_rule rules[] = {
		{FW_RULE_ALLOW_STATEFUL, IPPROTO_UDP, NULL, NULL, 0, 0, 53, 53,
		 NULL},
	};
	struct ut_fw_cfg fc = {
		.dflt = FW_RULE_DROP, .rules = rules, .n_rules = 1};
	struct fwt_spec s = ut_udp("10.0.0.1", 999, "192.0.2.1", 53);
	struct fwt_spec first = s, later, o;

	RTE_SET_USED(state);
	ut_fw_new(&fc);
	assert_int_equal(ut_pass(0, &s), 1);
	assert_int_equal(ut_ctr("conn-created"), 1);
	first.frag = true;
	first.mf = true;
	first.frag_id = 0x4242;
	first.payload = 64;
	later = first;
	later.mf = false;
	later.frag_off = 9;
	later.l4_none = true;
	later.payload = 40;
	/* Another flow's packet first, judged by the rules, so that nothing
	 * of this flow's is left where the worker builds ACL keys. */
	o = ut_udp("10.9.9.9", 7, "203.0.113.9", 7);
	assert_int_equal(ut_pass(0, &o), -1);
	assert_int_equal(ut_pass(0, &first), 1);
	assert_int_equal(ut_ctr("conn-matched"), 1);
	assert_int_equal(ut_pass(0, &later), 1);
	assert_int_equal(ut_ctr("frag-followed"), 1);
	/* Without the first fragment's record: the default drops it. */
	later.frag_id = 0x4243;
	assert_int_equal(ut_pass(0, &later), -1);
}

static void
test_vlan_and_chained_mbufs(void **state)
{
	const struct ut_rule rules[] = {
		{FW_RULE_ALLOW, IPPROTO_TCP, NULL, "192.0.2.0/24", 0, 0, 443,
		 443, NULL},
	};
	struct ut_fw_cfg fc = {
		.dflt = FW_RULE_DROP, .rules = rules, .n_rules = 1};
	struct fwt_spec s = ut_tcp("10.0.0.1", 1, "192.0.2.1", 443, SYN);
	struct fwt_frame f;
	struct rte_mbuf *m, *m2;
	unsigned int split;

	RTE_SET_USED(state);
	ut_fw_new(&fc);
	s.vlan = 100;
	assert_int_equal(ut_pass(0, &s), 1);
	s.dport = 444;
	assert_int_equal(ut_pass(0, &s), -1);
	/* Headers cut across two segments at every byte. */
	s.vlan = -1;
	s.dport = 443;
	s.payload = 20;
	f = ut_frame(&s);
	for (split = 1; split < f.len; split++) {
		m = rte_pktmbuf_alloc(ut_pool);
		m2 = rte_pktmbuf_alloc(ut_pool);
		assert_non_null(m);
		assert_non_null(m2);
		memcpy(rte_pktmbuf_append(m, (uint16_t)split), f.b, split);
		memcpy(rte_pktmbuf_append(m2, (uint16_t)(f.len - split)),
		       f.b + split, f.len - split);
		assert_int_equal(rte_pktmbuf_chain(m, m2), 0);
		ut_send_mbufs(0, &m, 1);
	}
	assert_int_equal(ut_cap[1].n, 1 + f.len - 1);
	/* The cut at byte 1 leaves a first segment shorter than the
	 * Ethernet header: still parsed (the runt check is on the whole
	 * frame). */
	assert_int_equal(ut_ctr("runt"), 0);

	/* Two chained frames in one burst, the allowed one first: each
	 * gets its ACL key from its own headers, although both were read
	 * through the same scratch copy (the key is built on demand, after
	 * the connection lookup, except for copied headers). */
	{
		struct fwt_spec deny = s;
		struct fwt_frame fd;
		struct rte_mbuf *pk[2];
		unsigned int before = ut_cap[1].n, k;

		deny.dst = "198.51.100.1";
		fd = ut_frame(&deny);
		for (k = 0; k < 2; k++) {
			const struct fwt_frame *src = k == 0 ? &f : &fd;

			m = rte_pktmbuf_alloc(ut_pool);
			m2 = rte_pktmbuf_alloc(ut_pool);
			assert_non_null(m);
			assert_non_null(m2);
			memcpy(rte_pktmbuf_append(m, 20), src->b, 20);
			memcpy(rte_pktmbuf_append(m2,
						  (uint16_t)(src->len - 20)),
			       src->b + 20, src->len - 20);
			assert_int_equal(rte_pktmbuf_chain(m, m2), 0);
			pk[k] = m;
		}
		ut_send_mbufs(0, pk, 2);
		assert_int_equal(ut_cap[1].n, before + 1);
		assert_int_equal(ut_cap[1].pkts[before]->pkt_len, f.len);
		/* The allowed one (its destination address), and the other
		 * dropped by the default like dport 444 above. */
		assert_memory_equal(
			rte_pktmbuf_read(ut_cap[1].pkts[before], 30, 4, &k),
			f.b + 30, 4);
		assert_int_equal(ut_ctr("default-drop"), 2);
	}
}

static void
test_show_verbs_and_table(void **state)
{
	const struct ut_rule rules[] = {
		{FW_RULE_ALLOW_STATEFUL, IPPROTO_ICMP, NULL, NULL, 0, 0, 0, 0,
		 NULL},
	};
	struct ut_fw_cfg fc = {
		.dflt = FW_RULE_DROP, .rules = rules, .n_rules = 1};
	struct fwt_spec s;
	json_t *arr, *d, *reply = NULL;
	unsigned int i;

	RTE_SET_USED(state);
	ut_fw_new(&fc);
	for (i = 0; i < 5; i++) {
		s = ut_echo("10.0.0.1", "192.0.2.1", false, (uint16_t)i);
		assert_int_equal(ut_pass(0, &s), 1);
	}
	arr = ut_ctl_ok("show conn", json_pack("{s:i}", "limit", 3));
	assert_int_equal(json_array_size(arr), 4);
	assert_non_null(strstr(json_string_value(json_object_get(
				       json_array_get(arr, 3), "truncated")),
			       "2 more"));
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(arr, 0), "proto")),
			    "icmp");
	json_decref(arr);
	d = ut_details();
	assert_string_equal(json_string_value(json_object_get(d, "default")),
			    "drop");
	assert_int_equal(json_integer_value(json_object_get(d, "connections")),
			 5);
	assert_int_equal(json_integer_value(json_object_get(d, "rules_ipv4")),
			 1);
	assert_int_equal(json_integer_value(json_object_get(d, "rules_ipv6")),
			 1);
	json_decref(d);
	arr = ut_ctl_ok("conn flush", json_object());
	assert_int_equal(json_integer_value(json_object_get(arr, "flushed")),
			 5);
	json_decref(arr);
	arr = ut_ctl_ok("show conn", json_object());
	assert_int_equal(json_array_size(arr), 0);
	json_decref(arr);
	assert_non_null(vnf_verb_find(ut_fw->ops, "rule add"));
	assert_null(vnf_verb_find(ut_fw->ops, "show mac"));
	assert_int_equal(vnf_verb_call(ut_fw, "route add", NULL, &reply),
			 -ENOTSUP);
}

static void
test_create_errors(void **state)
{
	const struct ut_rule rules[] = {
		{FW_RULE_ALLOW, 0, NULL, NULL, 0, 0, 0, 0, "nope"},
	};
	struct ut_fw_cfg fc = {
		.dflt = FW_RULE_DROP, .rules = rules, .n_rules = 1};
	char err[256] = "";

	RTE_SET_USED(state);
	assert_int_equal(ut_fw_new_rc(&fc, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "nope"));
	ut_fw = NULL;
}

static void
test_every_packet_counted_once(void **state)
{
	/* The pass counters and the drop reasons add up to the packets. */
	static const char *const pass[] = {
		"allowed",	   "conn-created", "conn-matched",  "related",
		"default-allowed", "non-ip",	   "frag-followed",
	};
	const struct ut_rule rules[] = {
		{FW_RULE_ALLOW_STATEFUL, 0, NULL, NULL, 0, 0, 0, 0, "in"},
		{FW_RULE_REJECT, IPPROTO_TCP, NULL, NULL, 0, 0, 0, 0, NULL},
	};
	struct ut_fw_cfg fc = {
		.dflt = FW_RULE_DROP, .rules = rules, .n_rules = RTE_DIM(rules)};
	uint64_t sum = 0, pkts = 0;
	unsigned int i;
	uint16_t c;

	RTE_SET_USED(state);
	ut_fw_new(&fc);
	for (i = 0; i < 200; i++) {
		struct fwt_spec s = ut_tcp(i & 1 ? "10.0.0.1" : "192.0.2.1",
					   (uint16_t)(1000 + i % 7),
					   i & 1 ? "192.0.2.1" : "10.0.0.1",
					   (uint16_t)(80 + i % 3),
					   (uint8_t)((i * 37) & 0x3f));

		if (i % 5 == 0)
			s.proto = IPPROTO_UDP;
		ut_pass(i & 1 ? 0 : 1, &s);
	}
	for (c = 0; c < ut_fw->ops->n_counters; c++) {
		if (ut_fw->ops->counters[c].is_drop)
			sum += vnf_counter_sum(ut_fw, c);
	}
	for (i = 0; i < RTE_DIM(pass); i++)
		sum += ut_ctr(pass[i]);
	pkts = ut_fw->slots[0].pkts;
	assert_int_equal(pkts, 200);
	assert_int_equal(sum, pkts);
	/* The counters' kinds (vnf.h) say the same: the PASS ones are the
	 * list above, and nothing is held. */
	{
		struct vnf_fates f;
		uint64_t named = 0;

		vnf_fates_get(ut_fw, &f);
		for (i = 0; i < RTE_DIM(pass); i++)
			named += ut_ctr(pass[i]);
		assert_int_equal(f.packets, 200);
		assert_int_equal(f.passed, named);
		assert_int_equal(f.held, 0);
		assert_int_equal(f.passed + f.dropped, f.packets);
	}
}

/* ---- rules changed under traffic (a real RCU reader) ---- */

/* A worker on a thread of its own (tests/common/test_rcu.h), with its own
 * context; the test thread plays the control thread. */
struct ut_bg {
	struct nfv_test_reader rd;
	bool flows; /* UDP from 4096 source ports, not 2 flows */
	struct nfv_wctx *w;
	struct fwt_frame f[2];
	uint64_t in, bursts;
};

/* Frames the worker sent per port (tests/common/test_tx.h). */
static atomic_uint_fast64_t *const ut_bg_out = nfv_test_txcount;

/* One loop of the worker: a burst of UDP to ports 1000 and 2000 into
 * port 0; the reader then reports a quiescent state, as
 * dataplane/worker.c does. */
static int
ut_bg_loop(void *arg)
{
	struct ut_bg *bg = arg;
	const struct nfv_graph *g = ut_g;
	struct rte_mbuf *pkts[VNF_BURST_MAX];
	const struct fwt_frame *f;
	unsigned int i;

	for (i = 0; i < VNF_BURST_MAX; i++) {
		pkts[i] = rte_pktmbuf_alloc(ut_pool);
		if (pkts[i] == NULL) {
			rte_pktmbuf_free_bulk(pkts, i);
			return -ENOMEM;
		}
		f = &bg->f[i & 1];
		memcpy(rte_pktmbuf_append(pkts[i], f->len), f->b, f->len);
		if (bg->flows) {
			/* A new source port (UDP checksum left). */
			uint8_t *u = rte_pktmbuf_mtod(pkts[i], uint8_t *) + 34;
			uint16_t sp = (uint16_t)(1 + (bg->in + i) % 4096);

			u[0] = (uint8_t)(sp >> 8);
			u[1] = (uint8_t)sp;
		}
	}
	bg->w->now = rte_rdtsc();
	nfv_graph_input(bg->w, g, 0, pkts, VNF_BURST_MAX);
	nfv_graph_flush(bg->w);
	bg->in += VNF_BURST_MAX;
	bg->bursts++;
	return 0;
}

/* Start the worker: worker 0 of nfv_rcu(), sending through a context of
 * its own to the counting hook. */
static void
ut_bg_start(struct ut_bg *bg)
{
	struct fwt_spec s1 = ut_udp("10.0.0.1", 5, "192.0.2.1", 1000);
	struct fwt_spec s2 = ut_udp("10.0.0.1", 5, "192.0.2.1", 2000);

	assert_int_not_equal(fwt_build(&bg->f[0], &s1), 0);
	assert_int_not_equal(fwt_build(&bg->f[1], &s2), 0);
	nfv_test_txcount_reset();
	bg->w = nfv_test_wctx_new(ut_pool, nfv_test_txcount_burst, 0);
	assert_non_null(bg->w);
	assert_int_equal(
		nfv_test_reader_start(&bg->rd, nfv_rcu(), 0, ut_bg_loop, bg),
		0);
}

/* Stop the worker and free its context: 0, or the worker's error. */
static int
ut_bg_stop(struct ut_bg *bg)
{
	int rc = nfv_test_reader_stop(&bg->rd);

	nfv_test_wctx_free(bg->w);
	bg->w = NULL;
	return rc;
}

static void
test_rules_change_under_traffic(void **state)
{
	const struct ut_rule rules[] = {
		{FW_RULE_ALLOW, IPPROTO_UDP, NULL, NULL, 0, 0, 1000, 1000, NULL},
	};
	struct ut_fw_cfg fc = {
		.dflt = FW_RULE_DROP, .rules = rules, .n_rules = 1};
	struct ut_bg bg = {0};
	uint64_t dropped, seen;
	unsigned int k;

	RTE_SET_USED(state);
	ut_fw_new(&fc);
	ut_bg_start(&bg);
	/* Rules come and go while the worker runs; old rule sets are
	 * freed only after its quiescent states (ASan would see a
	 * use after free otherwise). */
	for (k = 0; k < 200; k++) {
		ut_rule_add("{\"index\": 0, \"action\": \"allow\", "
			    "\"proto\": \"udp\", \"dport\": 2000}");
		ut_rule_add("{\"action\": \"drop\", \"proto\": \"tcp\"}");
		ut_rule_del(2);
		ut_rule_del(0);
		nfv_rcu_reclaim();
		ut_fw->ops->periodic(ut_fw, rte_rdtsc());
	}
	assert_int_equal(ut_bg_stop(&bg), 0);
	nfv_rcu_synchronize();
	nfv_rcu_reclaim();
	assert_true(bg.bursts > 0);
	/* Nothing lost: every frame left by `out` or was dropped by the
	 * default (only port 2000 frames, when the allow was not there);
	 * every port 1000 frame passed. */
	dropped = ut_ctr("default-drop");
	seen = atomic_load(&ut_bg_out[1]);
	assert_int_equal(atomic_load(&ut_bg_out[0]), 0);
	assert_int_equal(seen + dropped, bg.in);
	assert_int_equal(ut_ctr("allowed"), seen);
	assert_true(seen >= bg.in / 2);
	/* The port 1000 rule kept its counter through all the changes. */
	assert_int_equal(ut_hits(0), bg.in / 2);
	print_message("    %" PRIu64 " bursts under %u rule changes: %" PRIu64
		      " passed, %" PRIu64 " dropped by the default\n",
		      bg.bursts, 4 * k, seen, dropped);
}

static void
test_conn_ageing_under_traffic(void **state)
{
	/* The worker enters connections (the table fills) while the control
	 * thread ages everything out: rte_hash positions are reused only
	 * after grace periods, and the count stays right. */
	const struct ut_rule rules[] = {
		{FW_RULE_ALLOW_STATEFUL, IPPROTO_UDP, NULL, NULL, 0, 0, 0, 0,
		 "in"},
	};
	struct ut_fw_cfg fc = {.dflt = FW_RULE_DROP,
			       .rules = rules,
			       .n_rules = 1,
			       .conn_table_size = 1024};
	struct ut_bg bg = {.flows = true};
	uint64_t sum;
	unsigned int k;
	json_t *arr, *d;

	RTE_SET_USED(state);
	ut_fw_new(&fc);
	ut_bg_start(&bg);
	for (k = 0; k < 300; k++) {
		/* An hour later: everything has expired. */
		ut_fw->ops->periodic(ut_fw, rte_rdtsc() + 3600 * ut_hz);
		nfv_rcu_reclaim();
		usleep(200);
	}
	assert_int_equal(ut_bg_stop(&bg), 0);
	sum = ut_ctr("conn-created") + ut_ctr("conn-matched") +
	      ut_ctr("conn-table-full") + ut_ctr("allowed");
	assert_int_equal(sum, bg.in);
	assert_int_equal(atomic_load(&ut_bg_out[1]) + ut_ctr("conn-table-full"),
			 bg.in);
	/* The count is the number of entries there are. */
	arr = ut_ctl_ok("show conn", json_pack("{s:i}", "limit", 100000));
	d = ut_details();
	assert_int_equal(json_integer_value(json_object_get(d, "connections")),
			 json_array_size(arr));
	assert_true(json_array_size(arr) <= 1024);
	print_message("    %" PRIu64 " packets: %" PRIu64
		      " connections entered, "
		      "%" PRIu64 " expired, %" PRIu64 " refused (full)\n",
		      bg.in, ut_ctr("conn-created"),
		      (uint64_t)json_integer_value(
			      json_object_get(d, "conn_expired")),
		      ut_ctr("conn-table-full"));
	json_decref(arr);
	json_decref(d);
}

int
main(int argc, char **argv)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, ut_setup, ut_teardown)
	const struct CMUnitTest tests[] = {
		T(test_first_match_wins),
		T(test_default_action_and_non_ip),
		T(test_ipv6_rules),
		T(test_port_ranges_and_iface),
		T(test_iface_pairs),
		T(test_tcp_handshake_and_close),
		T(test_tcp_both_directions),
		T(test_tcp_unsolicited_and_invalid),
		T(test_udp_pseudo_connection),
		T(test_icmp_echo),
		T(test_icmp_error_related),
		T(test_timeouts_and_ageing),
		T(test_table_full),
		T(test_table_full_in_burst),
		T(test_burst_as_single_frames),
		T(test_burst_of_new_flow),
		T(test_conn_cache_flushed),
		T(test_conn_cache_aged),
		T(test_fast_lane_as_four_steps),
		T(test_fast_lane_runs_as_four_steps),
		T(test_uniform_burst_odd_frames),
		T(test_uniform_burst_ipv6_vlan),
		T(test_reject_tcp_rst),
		T(test_reject_icmp_and_rate_limit),
		T(test_rule_add_del_runtime),
		T(test_rule_change_keeps_connections),
		T(test_rule_del_count),
		T(test_header_validation),
		T(test_ipv6_extension_headers),
		T(test_fragments),
		T(test_fragments_of_a_connection),
		T(test_vlan_and_chained_mbufs),
		T(test_show_verbs_and_table),
		T(test_create_errors),
		T(test_every_packet_counted_once),
		T(test_rules_change_under_traffic),
		T(test_conn_ageing_under_traffic),
	};
#undef T
	int rc;

	RTE_SET_USED(argc);
	if (nfv_test_eal_init(argv[0], "ut-fw", 256) < 0)
		return 1;
	ut_hz = rte_get_tsc_hz();
	/* No mempool cache: rte_mempool_avail_count() is then exact. */
	ut_pool = rte_pktmbuf_pool_create("ut_fw", UT_POOL_SIZE, 0, 0,
					  RTE_MBUF_DEFAULT_BUF_SIZE,
					  (int)rte_socket_id());
	if (ut_pool == NULL || nfv_rcu_init(1) != 0) {
		fprintf(stderr, "test_firewall: no mbuf pool or RCU\n");
		nfv_test_eal_fini();
		return 1;
	}
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	nfv_rcu_fini();
	rte_mempool_free(ut_pool);
	nfv_test_eal_fini();
	return rc;
}
