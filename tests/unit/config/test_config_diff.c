/* SPDX-License-Identifier: BSD-3-Clause
 *
 * test_config_diff.c - control/config_diff.c: what a reload may apply and
 * what it must refuse.  A VNF written differently but meaning the same
 * is unchanged; a setting, a VNF added, removed or moved, a dataplane or
 * control key is a difference, and every one is named.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <setjmp.h>
#include <cmocka.h>

#include "control/config_diff.h"

struct loaded {
	struct ctl_config *cfg;
	struct ctl_config_digest *dg;
	char *text;
};

/* Load `yaml` through a file, as nfvd does at start and at a reload. */
static void
load(const char *yaml, struct loaded *l)
{
	char path[] = "/tmp/nfv-diff-test-XXXXXX.yaml", err[512];
	size_t n = strlen(yaml), len = 0;
	int fd = mkstemps(path, 5);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, yaml, n), (ssize_t)n);
	close(fd);
	if (ctl_config_load_text(path, &l->cfg, &l->text, &len, err,
				 sizeof(err)) < 0)
		fail_msg("%s", err);
	unlink(path);
	assert_int_equal(len, n);
	assert_int_equal(ctl_config_digest(l->text, len, &l->dg), 0);
}

static void
unload(struct loaded *l)
{
	ctl_config_digest_free(l->dg);
	ctl_config_free(l->cfg);
	free(l->text);
}

/* The restart differences between two configs; their count returned. */
static unsigned int
diff(const char *a, const char *b, char *out, size_t outlen)
{
	struct loaded x = {0}, y = {0};
	unsigned int n;

	load(a, &x);
	load(b, &y);
	out[0] = '\0';
	n = ctl_config_restart_diff(x.cfg, x.dg, y.cfg, y.dg, out, outlen);
	unload(&x);
	unload(&y);
	return n;
}

#define BASE                                                                   \
	"dataplane: {workers: 1, memory: 256, hugepages: off}\n"               \
	"vnfs:\n"                                                              \
	"  - name: sw\n"                                                       \
	"    type: l2switch\n"                                                 \
	"    ifaces: [{name: a}, {name: b}]\n"                                 \
	"  - name: fw\n"                                                       \
	"    type: firewall\n"                                                 \
	"    ifaces: [{name: in}, {name: out}]\n"                              \
	"    default: drop\n"                                                  \
	"    rules:\n"                                                         \
	"      - {action: allow, proto: tcp, dport: 80}\n"

static void
test_same_meaning_other_text(void **state)
{
	/* Flow instead of block style, keys in another order, quotes, a
	 * comment, ports and links that a reload applies anyway. */
	const char *other =
		"# the same VNFs, written otherwise\n"
		"vnfs:\n"
		"  - {type: l2switch, ifaces: [{name: a}, {name: b}], name: "
		"sw}\n"
		"  - name: \"fw\"\n"
		"    default: 'drop'\n"
		"    rules: [{dport: 80, proto: tcp, action: allow}]\n"
		"    type: firewall\n"
		"    ifaces:\n"
		"      - name: in\n"
		"      - name: out\n"
		"dataplane: {hugepages: off, memory: 256, workers: 1}\n"
		"ports:\n"
		"  - {name: t1, type: tap, ifname: nfvdifft1}\n"
		"links:\n"
		"  - [t1, sw.a]\n";
	char out[512];

	(void)state;
	assert_int_equal(diff(BASE, other, out, sizeof(out)), 0);
	assert_string_equal(out, "");
}

static void
test_setting_changed(void **state)
{
	char out[512], *b = strdup(BASE), *p = strstr(b, "dport: 80");

	(void)state;
	assert_non_null(p);
	memcpy(p, "dport: 81", 9);
	assert_int_equal(diff(BASE, b, out, sizeof(out)), 1);
	assert_string_equal(out, "vnf fw changed");
	free(b);
}

static void
test_everything_named(void **state)
{
	const char *b = "dataplane: {workers: 1, memory: 320, hugepages: off, "
			"idle: sleep}\n"
			"control: {socket: /tmp/nfv-diff-test-other.sock}\n"
			"vnfs:\n"
			"  - name: sw\n"
			"    type: l2switch\n"
			"    ifaces: [{name: a}, {name: b}, {name: c}]\n"
			"  - name: sw2\n"
			"    type: l2switch\n"
			"    ifaces: [{name: a}, {name: b}]\n";
	char out[512];

	(void)state;
	assert_int_equal(diff(BASE, b, out, sizeof(out)), 6);
	assert_string_equal(out, "dataplane.memory, dataplane.idle, "
				 "control.socket, vnf sw changed, "
				 "vnf fw removed, vnf sw2 added");
}

static void
test_vnf_order(void **state)
{
	const char *b = "dataplane: {workers: 1, memory: 256, hugepages: off}\n"
			"vnfs:\n"
			"  - name: fw\n"
			"    type: firewall\n"
			"    ifaces: [{name: in}, {name: out}]\n"
			"    default: drop\n"
			"    rules:\n"
			"      - {action: allow, proto: tcp, dport: 80}\n"
			"  - name: sw\n"
			"    type: l2switch\n"
			"    ifaces: [{name: a}, {name: b}]\n";
	char out[512];

	(void)state;
	assert_int_equal(diff(BASE, b, out, sizeof(out)), 1);
	assert_string_equal(out, "the order of vnfs");
}

/* A list longer than the buffer is cut, never overrun. */
static void
test_cut(void **state)
{
	char out[20];

	(void)state;
	memset(out, 0, sizeof(out));
	ctl_diff_append(out, sizeof(out), "dataplane.workers");
	ctl_diff_append(out, sizeof(out), "dataplane.memory");
	assert_true(strlen(out) < sizeof(out));
	assert_memory_equal(out, "dataplane.workers", 17);
}

static void
test_port_equal(void **state)
{
	struct loaded l = {0};
	struct ctl_port_config a, b;

	(void)state;
	load("dataplane: {workers: 1, memory: 256, hugepages: off}\n"
	     "ports:\n"
	     "  - {name: t1, type: tap, ifname: nfvdifft1}\n"
	     "  - {name: t2, type: tap, ifname: nfvdifft2, mac: "
	     "\"02:00:00:00:00:01\"}\n",
	     &l);
	a = l.cfg->ports[0];
	b = l.cfg->ports[0];
	assert_true(ctl_port_config_equal(&a, &b));
	b = l.cfg->ports[1];
	assert_false(ctl_port_config_equal(&a, &b));
	/* Only the name differs. */
	memcpy(b.name, "t1", 3);
	b.ifname = a.ifname;
	assert_false(ctl_port_config_equal(&a, &b)); /* the MAC */
	b.has_mac = false;
	assert_true(ctl_port_config_equal(&a, &b));
	b.ifname = "nfvdifft9";
	assert_false(ctl_port_config_equal(&a, &b));
	unload(&l);
}

static void
test_load_text_errors(void **state)
{
	struct ctl_config *cfg = (void *)1;
	char err[256], *text = (void *)1;
	size_t len;

	(void)state;
	assert_int_equal(ctl_config_load_text("/nonexistent/nfv\ncfg.yaml",
					      &cfg, &text, &len, err,
					      sizeof(err)),
			 -ENOENT);
	assert_null(cfg);
	assert_null(text);
	assert_null(strchr(err, '\n'));
	assert_int_equal(ctl_config_load_text("/dev/zero", &cfg, &text, &len,
					      err, sizeof(err)),
			 -EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_meaning_other_text),
		cmocka_unit_test(test_setting_changed),
		cmocka_unit_test(test_everything_named),
		cmocka_unit_test(test_vnf_order),
		cmocka_unit_test(test_cut),
		cmocka_unit_test(test_port_equal),
		cmocka_unit_test(test_load_text_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
