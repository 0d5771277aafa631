/* SPDX-License-Identifier: BSD-3-Clause
 *
 * test_mirror.c - the mirror VNF (vnf/mirror): config keys with their
 * errors, then process() on bursts: forwarding both ways, copies to span
 * by direction, snaplen and sampling, frames from span dropped, copies
 * that cannot be made counted, and `show mirror`.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <rte_eal.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "control/config.h"
#include "tests/common/test_eal.h"
#include "vnf/mirror/config.h"
#include "vnf/vnf.h"

enum { IN, OUT, SPAN };

static struct rte_mempool *pool;
static struct vnf_emit emit;

#define HEAD "vnfs:\n  - {name: m, type: mirror, " \
	     "ifaces: [{name: in}, {name: out}, {name: span}]"

/* Load `yaml`; on success the config, else NULL and the message. */
static struct ctl_config *load(const char *yaml, char *err, size_t len)
{
	struct ctl_config *cfg = NULL;

	if (ctl_config_load_buffer("t.yaml", yaml, strlen(yaml), &cfg, err,
				   len) < 0)
		return NULL;
	return cfg;
}

static void load_fails(const char *yaml, const char *want)
{
	char err[512] = "";

	assert_null(load(yaml, err, sizeof(err)));
	if (!strstr(err, want))
		fail_msg("error \"%s\" lacks \"%s\"", err, want);
}

static void test_config(void **state)
{
	const struct mir_config *mc;
	struct ctl_config *cfg;
	char err[512];

	(void)state;
	cfg = load(HEAD "}\n", err, sizeof(err));
	assert_non_null(cfg);
	mc = cfg->vnfs[0].priv;
	assert_int_equal(mc->direction, MIR_DIR_IN);
	assert_int_equal(mc->snaplen, 0);
	assert_int_equal(mc->sample, 1);
	ctl_config_free(cfg);

	cfg = load(HEAD ", direction: both, snaplen: 64, sample: 10}\n", err,
		   sizeof(err));
	assert_non_null(cfg);
	mc = cfg->vnfs[0].priv;
	assert_int_equal(mc->direction, MIR_DIR_BOTH);
	assert_int_equal(mc->snaplen, 64);
	assert_int_equal(mc->sample, 10);
	ctl_config_free(cfg);

	load_fails(HEAD ", direction: up}\n",
		   "t.yaml:2: vnfs[0].direction: \"up\" is not one of: in, "
		   "out, both");
	load_fails(HEAD ", snaplen: 8}\n",
		   "vnfs[0].snaplen: 8 is out of range 14..65535");
	load_fails(HEAD ", sample: 0}\n",
		   "vnfs[0].sample: 0 is out of range 1..1073741824");
	load_fails("vnfs: [{name: m, type: mirror, ifaces: [{name: a}, "
		   "{name: b}, {name: c}]}]\n",
		   "vnfs[0].ifaces: a mirror has exactly the ifaces "
		   "[in, out, span], in that order");
	load_fails("vnfs: [{name: m, type: mirror, ifaces: [{name: in}, "
		   "{name: out}]}]\n", "a mirror needs at least 3 ifaces");
	/* Another type's key, and an iface key only a router takes. */
	load_fails(HEAD ", rules: []}\n",
		   "vnfs[0].rules: not valid for a vnf of type mirror");
	load_fails("vnfs: [{name: m, type: mirror, ifaces: [{name: in, "
		   "mtu: 9000}, {name: out}, {name: span}]}]\n",
		   "vnfs[0].ifaces[0].mtu: not valid for an iface of a mirror");
}

static struct vnf_instance *mirror_new(const char *keys)
{
	struct vnf_instance *vi = NULL;
	struct ctl_config *cfg;
	char yaml[256], err[512] = "";

	snprintf(yaml, sizeof(yaml), HEAD "%s}\n", keys);
	cfg = load(yaml, err, sizeof(err));
	if (!cfg)
		fail_msg("%s", err);
	if (vnf_instance_create(&cfg->vnfs[0], 0, 1, NULL, &vi, err,
				sizeof(err)) < 0)
		fail_msg("%s", err);
	ctl_config_free(cfg);
	return vi;
}

static struct rte_mbuf *frame(uint16_t len, uint8_t tag)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	char *p;

	assert_non_null(m);
	p = rte_pktmbuf_append(m, len);
	assert_non_null(p);
	memset(p, tag, len);
	return m;
}

/* One burst of n frames of len bytes in by `in`; next[] in next. */
static void run(struct vnf_instance *vi, uint16_t in, unsigned int n,
		uint16_t len, uint16_t *next)
{
	struct rte_mbuf *pkts[VNF_BURST_MAX];
	struct vnf_wctx w = {
		.state = vi->slots[0].state,
		.counters = vi->slots[0].counters,
		.emit = &emit,
		.pool = pool,
	};
	struct vnf_burst b = {
		.pkts = pkts, .next = next, .n = (uint16_t)n, .in_iface = in,
	};
	unsigned int i;

	for (i = 0; i < n; i++)
		pkts[i] = frame(len, (uint8_t)i);
	vi->ops->process(vi, &w, &b);
	rte_pktmbuf_free_bulk(pkts, n);
}

static uint64_t ctr(struct vnf_instance *vi, const char *name)
{
	uint16_t c;

	for (c = 0; c < vi->ops->n_counters; c++)
		if (!strcmp(vi->ops->counters[c].name, name))
			return vnf_counter_sum(vi, c);
	fail_msg("no counter %s", name);
	return 0;
}

static void emit_free(void)
{
	rte_pktmbuf_free_bulk(emit.pkts, emit.n);
	emit.n = 0;
}

static void test_forward_and_copy(void **state)
{
	struct vnf_instance *vi = mirror_new(", snaplen: 60");
	uint16_t next[VNF_BURST_MAX];
	unsigned int i;

	(void)state;
	run(vi, IN, 8, 200, next);
	for (i = 0; i < 8; i++)
		assert_int_equal(next[i], OUT);
	assert_int_equal(emit.n, 8);
	for (i = 0; i < 8; i++) {
		assert_int_equal(emit.next[i], SPAN);
		/* snaplen cuts the copy; the original keeps its length. */
		assert_int_equal(rte_pktmbuf_pkt_len(emit.pkts[i]), 60);
		assert_int_equal(*rte_pktmbuf_mtod(emit.pkts[i], uint8_t *),
				 i);
	}
	emit_free();
	/* direction in: frames of the other way pass uncopied. */
	run(vi, OUT, 5, 64, next);
	for (i = 0; i < 5; i++)
		assert_int_equal(next[i], IN);
	assert_int_equal(emit.n, 0);
	/* nothing comes in from the analyzer */
	run(vi, SPAN, 3, 64, next);
	for (i = 0; i < 3; i++) {
		assert_true(VNF_NEXT_IS_DROP(next[i]));
		/* the runner counts drops by the counter in next[] */
		assert_string_equal(
			vi->ops->counters[VNF_NEXT_COUNTER(next[i])].name,
			"from-span");
		assert_true(vi->ops->counters[VNF_NEXT_COUNTER(next[i])].is_drop);
	}
	assert_int_equal(emit.n, 0);
	/* each forwarded input counted once */
	assert_int_equal(ctr(vi, "forwarded"), 13);
	assert_int_equal(ctr(vi, "mirrored"), 8);
	assert_int_equal(ctr(vi, "mirror-copy-failed"), 0);
	vnf_instance_destroy(vi);
}

static void test_both_and_sample(void **state)
{
	struct vnf_instance *vi = mirror_new(", direction: both, sample: 3");
	uint16_t next[VNF_BURST_MAX];

	(void)state;
	/* 1 in 3 over both directions: frames 0, 3, 6 of 8, then 9 of the
	 * second burst's 0..3 is its index 1. */
	run(vi, IN, 8, 64, next);
	assert_int_equal(emit.n, 3);
	assert_int_equal(*rte_pktmbuf_mtod(emit.pkts[1], uint8_t *), 3);
	assert_int_equal(rte_pktmbuf_pkt_len(emit.pkts[0]), 64);
	emit_free();
	run(vi, OUT, 4, 64, next);
	assert_int_equal(emit.n, 1);
	assert_int_equal(*rte_pktmbuf_mtod(emit.pkts[0], uint8_t *), 1);
	emit_free();
	assert_int_equal(ctr(vi, "mirrored"), 4);
	vnf_instance_destroy(vi);
}

/* No mbuf for a copy: the frame is still forwarded, the copy counted. */
static void test_copy_fails(void **state)
{
	struct vnf_instance *vi = mirror_new("");
	struct rte_mbuf *hold[4096];
	uint16_t next[VNF_BURST_MAX];
	unsigned int n = 0, i;

	(void)state;
	run(vi, IN, 4, 64, next);	/* warm */
	emit_free();
	/* Leave room for the 4 frames of the burst and no more. */
	while (rte_mempool_avail_count(pool) > 4 && n < RTE_DIM(hold))
		hold[n++] = rte_pktmbuf_alloc(pool);
	run(vi, IN, 4, 64, next);
	for (i = 0; i < 4; i++)
		assert_int_equal(next[i], OUT);
	assert_int_equal(emit.n, 0);
	assert_int_equal(ctr(vi, "mirror-copy-failed"), 4);
	rte_pktmbuf_free_bulk(hold, n);
	vnf_instance_destroy(vi);
}

static void test_show(void **state)
{
	struct vnf_instance *vi = mirror_new(", direction: out, snaplen: 96");
	const struct vnf_verb *v = NULL;
	uint16_t next[VNF_BURST_MAX];
	json_t *reply = NULL, *row;
	unsigned int i;

	(void)state;
	run(vi, OUT, 6, 64, next);
	emit_free();
	for (i = 0; i < vi->ops->n_verbs; i++)
		if (!strcmp(vi->ops->verbs[i].name, "show mirror"))
			v = &vi->ops->verbs[i];
	assert_non_null(v);
	assert_true(v->flags & VNF_VERB_SHOW);
	assert_int_equal(v->handler(vi, NULL, &reply), 0);
	assert_true(json_is_array(reply));
	row = json_array_get(reply, 0);
	assert_string_equal(json_string_value(json_object_get(row, "vnf")),
			    "m");
	assert_string_equal(
		json_string_value(json_object_get(row, "direction")), "out");
	assert_int_equal(json_integer_value(json_object_get(row, "snaplen")),
			 96);
	assert_int_equal(json_integer_value(json_object_get(row, "mirrored")),
			 6);
	assert_int_equal(
		json_integer_value(json_object_get(row, "forwarded")), 6);
	json_decref(reply);
	vnf_instance_destroy(vi);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_forward_and_copy),
		cmocka_unit_test(test_both_and_sample),
		cmocka_unit_test(test_copy_fails),
		cmocka_unit_test(test_show),
	};
	int rc;

	(void)argc;
	if (nfv_test_eal_init(argv[0], "ut-mirror", 64) < 0)
		return 1;
	pool = rte_pktmbuf_pool_create("ut_mirror", 1023, 0, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE,
				       (int)rte_socket_id());
	if (pool == NULL)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	rte_mempool_free(pool);
	nfv_test_eal_fini();
	return rc;
}
