/* SPDX-License-Identifier: BSD-3-Clause
 *
 * fuzz_routefile.c - the router's route files under fuzzing: the input is
 * the file, loaded with `route add {"file": PATH}` as nfvctl asks for it
 * (vnf/router/rib.c: rt_routes_load(), its line reader rt_load_line() and
 * rt_route_parse(), the one parser of a route), into a router with three
 * ifaces (IPv4 and IPv6) and a few routes of its config.
 *
 * The first byte of the input says how the file is loaded (bit 0: with
 * "replace": true); the rest is the file.  After each input the routes it
 * added are deleted again and the config's routes restored, so that every
 * input starts from the same table.
 *
 * Invariants (abort() on failure, so libFuzzer and ASan report it): the
 * verb succeeds with the number of routes loaded, or fails with a message
 * of printable ASCII that quotes nothing of the file but its name and
 * line numbers (the file may be anybody's, e.g. /etc/shadow: issue 11);
 * a load either applies every route of the file or none (an error leaves
 * the table as it was); after the clean-up the route and next-hop counts
 * are back where they started (no reference is leaked).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <rte_mempool.h>

#include "control/config.h"
#include "tests/fuzz/common/fuzz_env.h"
#include "tests/fuzz/common/fuzz_router_config.h"
#include "tests/fuzz/common/fuzz_vnf.h"
#include "vnf/lib/rcu.h"
#include "vnf/vnf.h"

#define FZ_CHECK(cond, ...)                                                    \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr,                                        \
				"fuzz_routefile: %s:%d: %s: ", __FILE__,       \
				__LINE__, #cond);                              \
			fprintf(stderr, __VA_ARGS__);                          \
			fputc('\n', stderr);                                   \
			abort();                                               \
		}                                                              \
	} while (0)

static const char fz_config[] = FZ_RT_CONFIG_HEAD
	"      - {name: dmz, mac: \"02:00:00:00:01:03\", address: "
	"[198.18.0.1/24]}\n"
	"    routes:\n"
	"      - {prefix: 100.64.0.0/16, via: 192.0.2.254}\n"
	"      - {prefix: \"2001:db8:300::/48\", via: \"2001:db8:1::fe\"}\n"
	"      - {prefix: 198.51.100.0/24, via: 198.18.0.254}\n"
	"      - {prefix: 203.0.113.128/25, type: blackhole}\n";

/* The config's routes as a route file, to restore them after a replace.
 * No default route: a change of a short prefix rewrites much of the
 * FIB's tables, and restoring one after every input made runs slow. */
static const char fz_restore[] = "100.64.0.0/16 via 192.0.2.254\n"
				 "2001:db8:300::/48 via 2001:db8:1::fe\n"
				 "198.51.100.0/24 via 198.18.0.254\n"
				 "blackhole 203.0.113.128/25\n";

static struct rte_mempool *fz_pool;
static struct ctl_config *fz_cfg;
static struct vnf_instance *fz_rt;
static char fz_dir[64], fz_path[96];
static uint64_t fz_loads, fz_loaded, fz_errors;

/* The counts the clean-up must come back to. */
static struct {
	json_int_t v4, v6, nexthops, mem;
} fz_base;

/* ---- helpers ---- */

static json_t *
fz_verb(const char *verb, json_t *args, int *rc)
{
	json_t *reply = NULL;

	*rc = vnf_verb_call(fz_rt, verb, args, &reply);
	json_decref(args);
	return reply;
}

/* The table's counts, once what waited for a grace period is freed. */
static json_int_t fz_mem; /* FIB memory at the last fz_counts() */

static void
fz_counts(json_int_t *v4, json_int_t *v6, json_int_t *nh)
{
	json_t *d;

	nfv_rcu_reclaim();
	d = fz_rt->ops->details(fz_rt);

	FZ_CHECK(d != NULL, "no details");
	*v4 = json_integer_value(json_object_get(d, "routes_ipv4"));
	*v6 = json_integer_value(json_object_get(d, "routes_ipv6"));
	*nh = json_integer_value(json_object_get(d, "nexthops"));
	fz_mem = json_integer_value(json_object_get(d, "fib_memory_ipv4")) +
		 json_integer_value(json_object_get(d, "fib_memory_ipv6"));
	json_decref(d);
}

static void
fz_write(const void *data, size_t len)
{
	int fd = open(fz_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	FZ_CHECK(fd >= 0, "%s: %s", fz_path, strerror(errno));
	FZ_CHECK(len == 0 || write(fd, data, len) == (ssize_t)len, "write: %s",
		 strerror(errno));
	close(fd);
}

/* Load fz_path; the verb's rc, the reply checked. */
static int
fz_load(bool replace, json_int_t *loaded)
{
	json_t *reply;
	const char *msg;
	size_t i;
	int rc;

	reply = fz_verb(
		"route add",
		json_pack("{s:s,s:b}", "file", fz_path, "replace", replace),
		&rc);
	if (rc == 0) {
		FZ_CHECK(json_is_integer(json_object_get(reply, "loaded")),
			 "no count of the routes loaded");
		*loaded = json_integer_value(json_object_get(reply, "loaded"));
		json_decref(reply);
		return 0;
	}
	FZ_CHECK(json_is_string(reply), "error %d without a message", rc);
	msg = json_string_value(reply);
	FZ_CHECK(strncmp(msg, fz_path, strlen(fz_path)) == 0 ||
			 strncmp(msg, "vnf rtr: ", 9) == 0 ||
			 strstr(msg, fz_path) != NULL,
		 "message without the file's name: %s", msg);
	for (i = 0; msg[i] != '\0'; i++)
		FZ_CHECK((unsigned char)msg[i] >= 0x20 &&
				 (unsigned char)msg[i] <= 0x7e,
			 "byte 0x%02x in the message", (unsigned char)msg[i]);
	json_decref(reply);
	*loaded = 0;
	return rc;
}

/* Delete every config route that is not one of the config's. */
static void
fz_clean(void)
{
	static const char *const keep[] = {"100.64.0.0/16", "2001:db8:300::/48",
					   "198.51.100.0/24",
					   "203.0.113.128/25"};
	json_t *routes, *r;
	size_t i, k;
	int rc;

	routes = fz_verb("show routes",
			 json_pack("{s:I}", "limit", (json_int_t)UINT32_MAX),
			 &rc);
	FZ_CHECK(rc == 0 && json_is_array(routes), "show routes: %d", rc);
	json_array_foreach(routes, i, r) {
		const char *pfx =
			json_string_value(json_object_get(r, "prefix"));
		const char *origin =
			json_string_value(json_object_get(r, "origin"));
		bool kept = false;
		json_t *reply;

		if (pfx == NULL || origin == NULL || strcmp(origin, "config"))
			continue;
		for (k = 0; k < RTE_DIM(keep); k++)
			kept = kept || strcmp(pfx, keep[k]) == 0;
		if (kept)
			continue;
		reply = fz_verb("route del", json_pack("{s:s}", "prefix", pfx),
				&rc);
		FZ_CHECK(rc == 0, "route del %s: %s", pfx,
			 json_string_value(reply) ?: "?");
		json_decref(reply);
	}
	json_decref(routes);
}

/* ---- set-up ---- */

/* The file and its folder; also at exit: a libFuzzer target never calls
 * fz_fini(), and the folder is in tmpfs (memory) where there is one. */
static void
fz_dir_remove(void)
{
	if (fz_dir[0] == '\0')
		return;
	unlink(fz_path);
	rmdir(fz_dir);
	fz_dir[0] = '\0';
}

int
fz_init(const char *prog)
{
	char err[512] = "";
	int rc;

	/* Two copies of each family's route table: ~70 MiB each. */
	rc = fz_env_init(prog, "fz-rf", 320, 511, &fz_pool);
	if (rc < 0)
		return rc;
	rc = ctl_config_load_buffer("fuzz_routefile", fz_config,
				    sizeof(fz_config) - 1, &fz_cfg, err,
				    sizeof(err));
	if (rc == 0)
		rc = vnf_instance_create(&fz_cfg->vnfs[0], 0, 1, nfv_rcu(),
					 &fz_rt, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "fuzz_routefile: %s\n", err);
		return rc;
	}
	/*
	 * The file lives in tmpfs where there is one: on ext4, rewriting it
	 * with O_TRUNC before every input flushed it to disk at close()
	 * (auto_da_alloc), a third of the harness's time.  The verb still
	 * opens and reads a regular file by its path.
	 */
	snprintf(fz_dir, sizeof(fz_dir), "/dev/shm/nfv-fuzz-rf.XXXXXX");
	if (mkdtemp(fz_dir) == NULL) {
		snprintf(fz_dir, sizeof(fz_dir), "/tmp/nfv-fuzz-rf.XXXXXX");
		if (mkdtemp(fz_dir) == NULL)
			return -errno;
	}
	snprintf(fz_path, sizeof(fz_path), "%s/routes", fz_dir);
	atexit(fz_dir_remove);
	fz_counts(&fz_base.v4, &fz_base.v6, &fz_base.nexthops);
	fz_base.mem = fz_mem;
	return 0;
}

int
fz_fini(void)
{
	vnf_instance_destroy(fz_rt);
	ctl_config_free(fz_cfg);
	fz_dir_remove();
	return fz_env_fini(fz_pool);
}

/* ---- one input ---- */

unsigned int
fz_run(const uint8_t *data, size_t len)
{
	json_int_t v4, v6, nh, loaded = 0, w4, w6, wnh;
	bool replace = len > 0 && (data[0] & 1);
	unsigned int lines = 0;
	size_t i;
	int rc;

	if (len > 0) {
		data++;
		len--;
	}
	for (i = 0; i < len; i++)
		lines += data[i] == '\n';
	fz_write(data, len);
	fz_counts(&v4, &v6, &nh);
	rc = fz_load(replace, &loaded);
	fz_loads++;
	fz_counts(&w4, &w6, &wnh);
	if (rc < 0) {
		/* All or nothing: a refused file changed nothing. */
		fz_errors++;
		FZ_CHECK(w4 == v4 && w6 == v6 && wnh == nh,
			 "a refused file changed the table: %" PRId64
			 "/%" PRId64 "/%" PRId64 " -> %" PRId64 "/%" PRId64
			 "/%" PRId64,
			 (int64_t)v4, (int64_t)v6, (int64_t)nh, (int64_t)w4,
			 (int64_t)w6, (int64_t)wnh);
	} else {
		fz_loaded += (uint64_t)loaded;
		FZ_CHECK(loaded >= 0 && (size_t)loaded <= lines + 1,
			 "%" PRId64 " routes from %u lines", (int64_t)loaded,
			 lines + 1);
		/* New prefixes add to the table, replaced ones do not. */
		FZ_CHECK(w4 + w6 - v4 - v6 <= loaded,
			 "%" PRId64 " routes loaded, table grew by %" PRId64,
			 (int64_t)loaded, (int64_t)(w4 + w6 - v4 - v6));
	}
	fz_clean();
	if (replace) {
		fz_write(fz_restore, sizeof(fz_restore) - 1);
		FZ_CHECK(fz_load(true, &loaded) == 0 && loaded == 4,
			 "the config's routes not restored");
	}
	fz_counts(&v4, &v6, &nh);
	FZ_CHECK(v4 == fz_base.v4 && v6 == fz_base.v6 && nh == fz_base.nexthops,
		 "table not back: %" PRId64 "/%" PRId64 "/%" PRId64
		 " routes/routes/next hops, %" PRId64 "/%" PRId64 "/%" PRId64
		 " at the start",
		 (int64_t)v4, (int64_t)v6, (int64_t)nh, (int64_t)fz_base.v4,
		 (int64_t)fz_base.v6, (int64_t)fz_base.nexthops);
	/* A file holds at most a few hundred routes, fewer than the tables
	 * are made for: they never need to grow. */
	FZ_CHECK(fz_mem == fz_base.mem,
		 "FIB memory %" PRId64 " bytes, %" PRId64 " at the start",
		 (int64_t)fz_mem, (int64_t)fz_base.mem);
	return lines + 1;
}

void
fz_print_counters(FILE *f)
{
	fprintf(f,
		"%" PRIu64 " files loaded, %" PRIu64 " refused, %" PRIu64
		" routes applied\n",
		fz_loads, fz_errors, fz_loaded);
}
