/* SPDX-License-Identifier: BSD-3-Clause
 *
 * ctl_fuzz.c - one client's byte stream through nfvd's control server, in
 * one thread: the client socket is non-blocking and the server is polled
 * between sends and receives, so any input runs to completion (or aborts).
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "control/ctl_server.h"
#include "control/telemetry.h"
#include "tests/fuzz/ctl/ctl_fuzz.h"

static char fuzz_dir[64];
static char fuzz_sock[128];

#define FUZZ_CHECK(cond, ...)                                           \
	do {                                                            \
		if (!(cond)) {                                          \
			fprintf(stderr, "ctl_fuzz: check failed: %s: ", #cond); \
			fprintf(stderr, __VA_ARGS__);                   \
			fputc('\n', stderr);                            \
			abort();                                        \
		}                                                       \
	} while (0)

static int cmd_echo(json_t *req, json_t **result, void *arg)
{
	(void)arg;
	*result = json_incref(req);
	return 0;
}

static int cmd_fail(json_t *req, json_t **result, void *arg)
{
	(void)arg;
	return ctl_error(result, EINVAL, "failed: %s",
			 json_string_value(json_object_get(req, "why")) ?: "?");
}

/*
 * Entries of one "big" reply at most, about 37 bytes each.  Entries all
 * "big" replies of one input may hold: two replies of BIG_MAX (about 1.5
 * MB) pass the server's 1 MiB high-water mark (CTL_OUT_HIGH) plus what
 * the socket holds (about 200 KB), more only repeat the same paths.
 * Dumping the replies is most of a big input's time (json_dumps(), 70 %
 * before the cap); a request past the budget is refused like an n out of
 * range.  The libFuzzer build gives the server a 64 KiB mark and a 32 KiB
 * socket buffer, and this a BIG_MAX of 4000 (two replies: about 300 KB),
 * five times less to dump for the same paths (tests/fuzz/ctl/meson.build).
 */
#ifndef CTL_FUZZ_BIG_MAX
#define CTL_FUZZ_BIG_MAX 20000
#endif
#define BIG_MAX CTL_FUZZ_BIG_MAX
#define BIG_INPUT_MAX (2 * BIG_MAX)
static json_int_t big_left;

/*
 * The entries of "big" replies, made once (the same for every request)
 * and shared by reference: the server dumps the same bytes as when each
 * reply made its own, for far fewer allocations.
 */
static json_t *big_entries[BIG_MAX];

/* A reply as big as asked ("n", capped): exercises buffered writes. */
static int cmd_big(json_t *req, json_t **result, void *arg)
{
	json_int_t n = json_integer_value(json_object_get(req, "n")), i;
	json_t *arr;

	(void)arg;
	if (n < 0 || n > BIG_MAX)
		return ctl_error(result, ERANGE, "n out of range");
	if (n > big_left)
		return ctl_error(result, ENOSPC, "n past this input's budget");
	big_left -= n;
	arr = json_array();
	for (i = 0; i < n; i++) {
		if (big_entries[i] == NULL)
			big_entries[i] = json_pack("{s:I,s:s}", "i", i, "mac",
						   "02:00:00:00:00:01");
		json_array_append(arr, big_entries[i]);
	}
	*result = arr;
	return 0;
}

static int cmd_show_vnf(json_t *req, json_t **result, void *arg)
{
	json_t *name = json_object_get(req, "name");

	(void)arg;
	if (!json_is_string(name))
		return ctl_error(result, EINVAL, "\"name\" must be a string");
	*result = json_pack("{s:O,s:s,s:[{s:s}],s:{s:i}}", "name", name,
			    "type", "l2switch", "ifaces", "name", "a",
			    "counters", "flood", 1);
	return 0;
}

/*
 * libFuzzer leaves by _Exit() (time limit, crash), so no atexit() cleanup
 * runs: name the directory by pid, and sweep those of dead fuzzers here.
 */
static void ctl_fuzz_sweep(void)
{
	char name[64], path[96];
	struct dirent *e;
	DIR *d = opendir("/tmp");
	long pid;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (sscanf(e->d_name, "nfv-ctl-fuzz-%ld", &pid) != 1 || pid <= 0)
			continue;
		/* Exactly our own naming, and its process is gone. */
		snprintf(name, sizeof(name), "nfv-ctl-fuzz-%ld", pid);
		if (strcmp(name, e->d_name) != 0 ||
		    kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		snprintf(path, sizeof(path), "/tmp/%s/ctl.sock", name);
		unlink(path);
		snprintf(path, sizeof(path), "/tmp/%s", name);
		rmdir(path);
	}
	closedir(d);
}

int ctl_fuzz_setup(void)
{
	int ret;

	signal(SIGPIPE, SIG_IGN);
	ctl_fuzz_sweep();
	snprintf(fuzz_dir, sizeof(fuzz_dir), "/tmp/nfv-ctl-fuzz-%ld", (long)getpid());
	if (mkdir(fuzz_dir, 0700) < 0)
		return -errno;
	snprintf(fuzz_sock, sizeof(fuzz_sock), "%s/ctl.sock", fuzz_dir);
	if (ctl_server_register("echo", cmd_echo, NULL, "echo the request") ||
	    ctl_server_register("fail", cmd_fail, NULL, "always fails") ||
	    ctl_server_register("big", cmd_big, NULL, "n entries") ||
	    ctl_server_register("show vnf", cmd_show_vnf, NULL, "a VNF"))
		return -EEXIST;
	ret = ctl_server_open(fuzz_sock);
	return ret;
}

void ctl_fuzz_teardown(void)
{
	ctl_server_close();
	rmdir(fuzz_dir);
}

static bool tel_name_ok(const char *k)
{
	if (strlen(k) > CTL_TEL_NAME_MAX)
		return false;
	for (; *k; k++)
		if (!((*k >= 'a' && *k <= 'z') || (*k >= 'A' && *k <= 'Z') ||
		      (*k >= '0' && *k <= '9') || *k == '_' || *k == '/'))
			return false;
	return true;
}

static void tel_check_scalar(json_t *v)
{
	FUZZ_CHECK(json_is_string(v) || json_is_integer(v), "scalar type %d",
		   json_typeof(v));
	if (json_is_string(v)) {
		const char *s = json_string_value(v);

		FUZZ_CHECK(strlen(s) <= CTL_TEL_STRING_MAX, "string too long");
		FUZZ_CHECK(strpbrk(s, "\"\\") == NULL, "unescaped character");
	}
}

/* The shaper's output must be what 22.11's rte_tel_data can hold. */
static void tel_check(const char *cmd, json_t *result)
{
	json_t *s = ctl_tel_shape(cmd, result), *m, *e;
	const char *k, *k2;
	size_t i, len;

	FUZZ_CHECK(s != NULL, "shape failed");
	len = json_dumpb(s, NULL, 0, JSON_COMPACT | JSON_ENCODE_ANY);
	if (json_is_object(s)) {
		FUZZ_CHECK(json_object_size(s) <= CTL_TEL_DICT_MAX, "dict size");
		FUZZ_CHECK(len + strlen(cmd) + 8 <= CTL_TEL_REPLY_MAX,
			   "reply of %zu bytes", len);
		json_object_foreach(s, k, m) {
			FUZZ_CHECK(tel_name_ok(k), "name '%s'", k);
			if (json_is_object(m)) {
				FUZZ_CHECK(json_object_size(m) <= CTL_TEL_DICT_MAX,
					   "inner dict size");
				json_object_foreach(m, k2, e) {
					FUZZ_CHECK(tel_name_ok(k2), "name '%s'", k2);
					tel_check_scalar(e);
				}
			} else if (json_is_array(m)) {
				FUZZ_CHECK(json_array_size(m) <= CTL_TEL_ARRAY_MAX,
					   "inner array size");
				json_array_foreach(m, i, e)
					tel_check_scalar(e);
			} else {
				tel_check_scalar(m);
			}
		}
	} else if (json_is_array(s)) {
		FUZZ_CHECK(json_array_size(s) <= CTL_TEL_ARRAY_MAX, "array size");
		FUZZ_CHECK(len + strlen(cmd) + 8 <= CTL_TEL_REPLY_MAX, "reply size");
		json_array_foreach(s, i, e)
			tel_check_scalar(e);
	} else {
		FUZZ_CHECK(json_is_string(s), "top-level type");
	}
	json_decref(s);
}

/*
 * Long reply lines already found good: check_reply() is a function of the
 * line's bytes alone, so the same bytes again (the same "big" or "help"
 * reply, requested again) need not be parsed and shaped again.  A few
 * slots, replaced in turn; short lines are checked every time.
 */
#define GOOD_MIN 4096
#define GOOD_SLOTS 4

static struct {
	char *line;
	size_t len;
} good[GOOD_SLOTS];
static unsigned int good_next;

static bool
good_known(const char *line, size_t len)
{
	unsigned int i;

	for (i = 0; i < GOOD_SLOTS; i++)
		if (good[i].len == len && memcmp(good[i].line, line, len) == 0)
			return true;
	return false;
}

static void
good_add(const char *line, size_t len)
{
	char *copy = malloc(len);

	FUZZ_CHECK(copy != NULL, "malloc");
	memcpy(copy, line, len);
	free(good[good_next].line);
	good[good_next].line = copy;
	good[good_next].len = len;
	good_next = (good_next + 1) % GOOD_SLOTS;
}

static void check_reply(const char *line, size_t len)
{
	json_error_t jerr;
	json_t *r, *ok;

	if (len >= GOOD_MIN && good_known(line, len))
		return;
	r = json_loadb(line, len, 0, &jerr);

	FUZZ_CHECK(r != NULL, "reply is not JSON: %s: %.*s", jerr.text,
		   (int)(len > 200 ? 200 : len), line);
	FUZZ_CHECK(json_is_object(r), "reply is not an object");
	ok = json_object_get(r, "ok");
	FUZZ_CHECK(json_is_boolean(ok), "no boolean ok");
	if (json_is_false(ok))
		FUZZ_CHECK(json_is_string(json_object_get(r, "error")),
			   "error reply without a message");
	else
		tel_check("/nfv/fuzz", json_object_get(r, "result"));
	json_decref(r);
	if (len >= GOOD_MIN)
		good_add(line, len);
}

void ctl_fuzz_one(const uint8_t *data, size_t size)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	size_t sent = 0, len = 0, cap = 1 << 16, lines = 0, replies = 0, i;
	unsigned long rounds = 0;
	bool shut = false;
	char *buf;
	int fd;

	big_left = BIG_INPUT_MAX;
	for (i = 0; i < size; i++)
		lines += data[i] == '\n';
	buf = malloc(cap);
	FUZZ_CHECK(buf != NULL, "malloc");
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
	FUZZ_CHECK(fd >= 0, "socket: %s", strerror(errno));
	strcpy(addr.sun_path, fuzz_sock);
	FUZZ_CHECK(connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0,
		   "connect: %s", strerror(errno));

	for (;;) {
		ssize_t n;
		char *nl;

		FUZZ_CHECK(++rounds < 200000, "no progress after %lu rounds "
			   "(sent %zu of %zu)", rounds, sent, size);
		if (sent < size) {
			n = send(fd, data + sent, size - sent, MSG_NOSIGNAL);
			if (n > 0)
				sent += n;
			else if (n < 0 && errno != EAGAIN)
				sent = size; /* the server closed on us */
		} else if (!shut) {
			shutdown(fd, SHUT_WR);
			shut = true;
		}
		ctl_server_poll(0);
		if (len + 65536 > cap) {
			cap *= 2;
			buf = realloc(buf, cap);
			FUZZ_CHECK(buf != NULL, "realloc");
		}
		n = recv(fd, buf + len, cap - len, 0);
		if (n == 0)
			break;
		if (n < 0) {
			FUZZ_CHECK(errno == EAGAIN, "recv: %s", strerror(errno));
			continue;
		}
		len += n;
		/* Check complete lines as they come. */
		while ((nl = memchr(buf, '\n', len)) != NULL) {
			check_reply(buf, nl - buf);
			replies++;
			len -= nl - buf + 1;
			memmove(buf, nl + 1, len);
		}
	}
	FUZZ_CHECK(len == 0, "%zu bytes after the last reply line", len);
	/* At most one reply per line, plus one for a last unterminated line. */
	FUZZ_CHECK(replies <= lines + 1, "%zu replies to %zu lines", replies, lines);
	close(fd);
	free(buf);
	/* Let the server reap the connection. */
	ctl_server_poll(0);
}
