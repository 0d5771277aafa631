/* SPDX-License-Identifier: BSD-3-Clause
 *
 * test_ctl_socket.c - the control socket end to end, in one process: the
 * server polls on a thread of its own (as nfvd's control loop would) while
 * the test plays clients: several requests per connection, split lines,
 * garbage, oversize lines, abrupt disconnects, a large reply to a slow
 * reader, many clients at once, idle clients (closed after the idle
 * timeout, the longest idle one evicted when every slot is taken), peers
 * of another uid refused with a message; and the socket file's life:
 * parent directory 0700, mode 0600, stale socket replaced, live one
 * refused.  The idle timeout reads a fake clock the tests move, so no test
 * depends on how fast the machine is.
 * Sockets live in a mkdtemp() directory under /tmp, removed at the end.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "control/ctl_server.h"

#define BIG_ENTRIES 40000	/* ~2.5 MB of reply: well past socket buffers */

static char tmpdir[64];
static char sock_path[128];
static pthread_t server_thread;
static atomic_bool server_stop;
static _Atomic uint64_t fake_ms = 1000000;

/* The server's clock: moved by the tests only. */
static uint64_t
fake_now(void)
{
	return atomic_load(&fake_ms);
}

/* ---- handlers ----------------------------------------------------------- */

static int cmd_echo(json_t *req, json_t **result, void *arg)
{
	(void)arg;
	*result = json_incref(req);
	return 0;
}

static int cmd_big(json_t *req, json_t **result, void *arg)
{
	json_t *arr = json_array();
	int i;

	(void)req;
	(void)arg;
	for (i = 0; i < BIG_ENTRIES; i++)
		json_array_append_new(arr, json_pack("{s:s,s:s,s:i,s:s,s:s,s:i}",
			"vnf", "sw", "mac", "02:00:00:00:00:01", "vlan", i,
			"iface", "a", "type", "dynamic", "age", i));
	*result = arr;
	return 0;
}

static int cmd_fail(json_t *req, json_t **result, void *arg)
{
	(void)req;
	(void)arg;
	return ctl_error(result, ENOENT, "no such thing");
}

/* ---- the server thread -------------------------------------------------- */

static void *server_main(void *arg)
{
	(void)arg;
	while (!atomic_load(&server_stop))
		ctl_server_poll(10);
	return NULL;
}

static void server_start(void)
{
	atomic_store(&server_stop, false);
	assert_int_equal(pthread_create(&server_thread, NULL, server_main, NULL), 0);
}

static void server_stop_join(void)
{
	atomic_store(&server_stop, true);
	pthread_join(server_thread, NULL);
}

/* ---- a line-oriented test client ---------------------------------------- */

struct client {
	int fd;
	char buf[1 << 16];
	size_t len;
};

static int raw_connect(const char *path)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	struct timeval tv = {.tv_sec = 30};
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	strcpy(addr.sun_path, path);
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	/* A broken server fails the test in 30 s instead of hanging it (not
	 * less: five 2.5 MB replies under ASan on a loaded machine take more
	 * than 5 s before the next client is served). */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	return fd;
}

static struct client *client_new(void)
{
	struct client *c = calloc(1, sizeof(*c));

	assert_non_null(c);
	c->fd = raw_connect(sock_path);
	assert_true(c->fd >= 0);
	return c;
}

static void client_free(struct client *c)
{
	close(c->fd);
	free(c);
}

static void client_send(struct client *c, const void *data, size_t len)
{
	const char *p = data;

	while (len > 0) {
		ssize_t n = send(c->fd, p, len, MSG_NOSIGNAL);

		assert_true(n > 0);
		p += n;
		len -= n;
	}
}

static void client_sends(struct client *c, const char *s)
{
	client_send(c, s, strlen(s));
}

/* The next reply line, parsed; NULL at EOF.  Lines may be megabytes. */
static json_t *client_reply(struct client *c)
{
	size_t cap = 1 << 16, len = 0;
	char *line = malloc(cap);
	json_error_t jerr;
	json_t *j;

	assert_non_null(line);
	for (;;) {
		char *nl = memchr(c->buf, '\n', c->len);
		size_t take = nl ? (size_t)(nl - c->buf) + 1 : c->len;
		ssize_t n;

		if (len + take > cap) {
			while (len + take > cap)
				cap *= 2;
			line = realloc(line, cap);
			assert_non_null(line);
		}
		memcpy(line + len, c->buf, take);
		len += take;
		memmove(c->buf, c->buf + take, c->len - take);
		c->len -= take;
		if (nl != NULL)
			break;
		n = recv(c->fd, c->buf, sizeof(c->buf), 0);
		assert_true(n >= 0); /* < 0: the 30 s timeout hit */
		if (n == 0) {
			assert_int_equal(len, 0); /* no half line before EOF */
			free(line);
			return NULL;
		}
		c->len = n;
	}
	j = json_loadb(line, len - 1, 0, &jerr);
	if (j == NULL)
		fail_msg("reply is not JSON: %s", jerr.text);
	free(line);
	return j;
}

static void expect_ok_echo(struct client *c, int seq)
{
	json_t *r = client_reply(c);

	assert_non_null(r);
	assert_true(json_is_true(json_object_get(r, "ok")));
	assert_int_equal(json_integer_value(json_object_get(
		json_object_get(r, "result"), "seq")), seq);
	json_decref(r);
}

static void expect_error(struct client *c, const char *prefix)
{
	json_t *r = client_reply(c);
	const char *e;

	assert_non_null(r);
	assert_true(json_is_false(json_object_get(r, "ok")));
	e = json_string_value(json_object_get(r, "error"));
	assert_non_null(e);
	if (strncmp(e, prefix, strlen(prefix)) != 0)
		fail_msg("error '%s' does not start with '%s'", e, prefix);
	json_decref(r);
}

/* ---- fixtures ----------------------------------------------------------- */

static int rm_entry(const char *p, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static int group_setup(void **state)
{
	(void)state;
	signal(SIGPIPE, SIG_IGN);
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/nfv-ctl-test-XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	/* A directory that does not exist yet: open must create it. */
	snprintf(sock_path, sizeof(sock_path), "%s/run/nfvd/nfvd.sock", tmpdir);
	ctl_server_set_clock(fake_now);
	if (ctl_server_register("echo", cmd_echo, NULL, "echo") ||
	    ctl_server_register("big", cmd_big, NULL, "a large reply") ||
	    ctl_server_register("fail", cmd_fail, NULL, "fails"))
		return -1;
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	ctl_server_close();
	nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

/* Each test gets a freshly opened server and its poll thread. */
static int test_setup(void **state)
{
	(void)state;
	if (ctl_server_open(sock_path) != 0)
		return -1;
	server_start();
	return 0;
}

static int test_teardown(void **state)
{
	(void)state;
	server_stop_join();
	ctl_server_close();
	return 0;
}

/* ---- tests -------------------------------------------------------------- */

static void test_modes(void **state)
{
	char dir[160];
	struct stat st;

	(void)state;
	assert_int_equal(stat(sock_path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);
	snprintf(dir, sizeof(dir), "%s/run/nfvd", tmpdir);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	snprintf(dir, sizeof(dir), "%s/run", tmpdir);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	/* Opening twice is refused; the live socket is untouched. */
	assert_int_equal(ctl_server_open(sock_path), -EALREADY);
	assert_int_equal(stat(sock_path, &st), 0);
}

static void test_several_requests_per_connection(void **state)
{
	struct client *c = client_new();

	(void)state;
	client_sends(c, "{\"cmd\":\"echo\",\"seq\":1}\n{\"cmd\":\"echo\",\"seq\":2}\n"
			"{\"cmd\":\"fail\"}\n{\"cmd\":\"echo\",\"seq\":3}\n");
	expect_ok_echo(c, 1);
	expect_ok_echo(c, 2);
	expect_error(c, "no such thing");
	expect_ok_echo(c, 3);
	/* And later on the same connection. */
	client_sends(c, "{\"cmd\":\"help\"}\n");
	{
		json_t *r = client_reply(c);

		assert_true(json_is_true(json_object_get(r, "ok")));
		assert_int_equal(json_array_size(json_object_get(r, "result")), 4);
		json_decref(r);
	}
	client_free(c);
}

static void test_split_line(void **state)
{
	struct client *c = client_new();

	(void)state;
	client_sends(c, "{\"cmd\":\"ec");
	usleep(50 * 1000); /* the server sees the first half alone */
	client_sends(c, "ho\",\"se");
	usleep(50 * 1000);
	client_sends(c, "q\":7}\r\n\n\n{\"cmd\":\"echo\",\"seq\":8}\n");
	expect_ok_echo(c, 7);
	expect_ok_echo(c, 8);
	client_free(c);
}

static void test_garbage(void **state)
{
	static const char binary[] = "\x00\x01\xff\xfe{{\x80\n";
	struct client *c = client_new();

	(void)state;
	client_sends(c, "this is not json\n");
	expect_error(c, "invalid JSON");
	client_send(c, binary, sizeof(binary) - 1);
	expect_error(c, "invalid JSON");
	client_sends(c, "{\"cmd\":\"echo\",\"seq\":1} trailing\n");
	expect_error(c, "invalid JSON");
	client_sends(c, "{\"cmd\":\"\xff\"}\n"); /* not UTF-8 */
	expect_error(c, "invalid JSON");
	client_sends(c, "{\"cmd\":\"echo\",\"cmd\":\"fail\"}\n");
	expect_error(c, "invalid JSON"); /* duplicate keys are ambiguous */
	client_sends(c, "[\"echo\"]\n");
	expect_error(c, "request must be a JSON object");
	client_sends(c, "{\"cmd\":{}}\n");
	expect_error(c, "\"cmd\" must be a string");
	client_sends(c, "{\"cmd\":\"nope\"}\n");
	expect_error(c, "unknown command 'nope'");
	/* The connection still serves after all that. */
	client_sends(c, "{\"cmd\":\"echo\",\"seq\":9}\n");
	expect_ok_echo(c, 9);
	client_free(c);
}

static void test_oversize(void **state)
{
	size_t big = 70 * 1024;
	char *junk = malloc(big + 1);
	struct client *c, *d;
	int i;

	(void)state;
	assert_non_null(junk);
	/* Without a newline: refused as soon as it passes 64 KiB. */
	memset(junk, ' ', big);
	c = client_new();
	client_sends(c, "{\"cmd\":\"echo\",\"seq\":1}\n");
	client_send(c, junk, big);
	expect_ok_echo(c, 1);
	expect_error(c, "request too long");
	assert_null(client_reply(c)); /* and closed */
	client_free(c);

	/* A complete line over the cap, sent in one go. */
	junk[big] = '\n';
	d = client_new();
	client_send(d, junk, big + 1);
	expect_error(d, "request too long");
	assert_null(client_reply(d));
	client_free(d);

	/* Exactly at the cap is fine: spaces around a valid request. */
	memset(junk, ' ', 64 * 1024);
	memcpy(junk, "{\"cmd\":\"echo\",\"seq\":5}", 22);
	junk[64 * 1024] = '\n';
	c = client_new();
	client_send(c, junk, 64 * 1024 + 1);
	expect_ok_echo(c, 5);
	client_free(c);
	free(junk);

	/* The server is fine for others. */
	for (i = 0; i < 3; i++) {
		c = client_new();
		client_sends(c, "{\"cmd\":\"echo\",\"seq\":2}\n");
		expect_ok_echo(c, 2);
		client_free(c);
	}
}

static void test_abrupt_disconnects(void **state)
{
	struct client *good = client_new(), *c;
	int i;

	(void)state;
	for (i = 0; i < 5; i++) {
		/* Half a request, then gone. */
		c = client_new();
		client_sends(c, "{\"cmd\":\"echo\",\"se");
		client_free(c);
		/* A request whose reply has nowhere to go. */
		c = client_new();
		client_sends(c, "{\"cmd\":\"big\"}\n{\"cmd\":\"echo\",\"seq\":1}\n");
		client_free(c);
		/* Connected and gone without a word. */
		c = client_new();
		client_free(c);
	}
	/* An earlier client is still served, and new ones too. */
	client_sends(good, "{\"cmd\":\"echo\",\"seq\":11}\n");
	expect_ok_echo(good, 11);
	client_free(good);
	c = client_new();
	client_sends(c, "{\"cmd\":\"echo\",\"seq\":12}\n");
	expect_ok_echo(c, 12);
	client_free(c);
}

/* A request without a newline, then shutdown(SHUT_WR): still answered,
 * as `printf '{"cmd":"help"}' | socat - UNIX:...` expects. */
static void test_eof_terminates_request(void **state)
{
	struct client *c = client_new();

	(void)state;
	client_sends(c, "{\"cmd\":\"echo\",\"seq\":4}");
	shutdown(c->fd, SHUT_WR);
	expect_ok_echo(c, 4);
	assert_null(client_reply(c));
	client_free(c);
}

static void test_large_reply_slow_reader(void **state)
{
	struct client *slow = client_new(), *other;
	json_t *r;

	(void)state;
	client_sends(slow, "{\"cmd\":\"big\"}\n{\"cmd\":\"echo\",\"seq\":3}\n");
	/* While `slow` reads nothing, others are served at once. */
	usleep(100 * 1000);
	other = client_new();
	client_sends(other, "{\"cmd\":\"echo\",\"seq\":1}\n");
	expect_ok_echo(other, 1);
	client_free(other);

	r = client_reply(slow);
	assert_non_null(r);
	assert_true(json_is_true(json_object_get(r, "ok")));
	assert_int_equal(json_array_size(json_object_get(r, "result")),
			 BIG_ENTRIES);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(
		json_object_get(r, "result"), BIG_ENTRIES - 1), "age")),
		BIG_ENTRIES - 1);
	json_decref(r);
	expect_ok_echo(slow, 3);
	client_free(slow);
}

static void test_many_clients(void **state)
{
	enum { N = 40 };
	struct client *cs[N];
	char req[64];
	int i;

	(void)state;
	for (i = 0; i < N; i++)
		cs[i] = client_new();
	/* Interleave: everyone sends, then everyone reads. */
	for (i = N - 1; i >= 0; i--) {
		snprintf(req, sizeof(req), "{\"cmd\":\"echo\",\"seq\":%d}\n", i);
		client_sends(cs[i], req);
	}
	for (i = 0; i < N; i++) {
		expect_ok_echo(cs[i], i);
		client_free(cs[i]);
	}
}

/* Wait until the server thread has run a poll or two (each polls every
 * 10 ms): an echo round trip on a fresh connection proves it. */
static void
server_sync(void)
{
	struct client *c = client_new();

	client_sends(c, "{\"cmd\":\"echo\",\"seq\":0}\n");
	expect_ok_echo(c, 0);
	client_free(c);
}

/*
 * 64 idle connections must not lock anyone out (issue 11, defect 7): a
 * newcomer is served, and the connection idle the longest is closed with
 * a message saying why; the others go on.
 */
static void test_too_many_clients(void **state)
{
	enum { MAX = 64 };
	struct client *cs[MAX], *extra;
	int i;

	(void)state;
	for (i = 0; i < MAX; i++) {
		cs[i] = client_new();
		/* A reply proves the server has accepted it; the clock then
		 * moves, so cs[0] is the one idle the longest. */
		client_sends(cs[i], "{\"cmd\":\"echo\",\"seq\":1}\n");
		expect_ok_echo(cs[i], 1);
		atomic_fetch_add(&fake_ms, 10);
	}
	extra = client_new();
	client_sends(extra, "{\"cmd\":\"echo\",\"seq\":2}\n");
	expect_ok_echo(extra, 2);
	expect_error(cs[0], "closed: every connection slot was taken");
	assert_null(client_reply(cs[0]));
	client_sends(cs[1], "{\"cmd\":\"echo\",\"seq\":3}\n");
	expect_ok_echo(cs[1], 3);
	/* Full again: the next newcomer evicts cs[2], not the busy cs[1]. */
	atomic_fetch_add(&fake_ms, 10);
	client_free(extra);
	extra = client_new();
	client_sends(extra, "{\"cmd\":\"echo\",\"seq\":4}\n");
	expect_ok_echo(extra, 4);
	client_sends(cs[1], "{\"cmd\":\"echo\",\"seq\":5}\n");
	expect_ok_echo(cs[1], 5);
	for (i = 0; i < MAX; i++)
		client_free(cs[i]);
	client_free(extra);
}

/* Connections that never send a whole request are closed after the idle
 * timeout, with a message; one that keeps talking stays. */
static void
test_idle_timeout(void **state)
{
	struct client *idle = client_new(), *slow = client_new(),
		      *busy = client_new();
	int i;

	(void)state;
	client_sends(busy, "{\"cmd\":\"echo\",\"seq\":1}\n");
	expect_ok_echo(busy, 1);
	/* Half a request, and never the rest (slowloris). */
	client_sends(slow, "{\"cmd\":\"ec");
	for (i = 0; i < 6; i++) {
		atomic_fetch_add(&fake_ms, 5000);
		client_sends(busy, "{\"cmd\":\"echo\",\"seq\":2}\n");
		expect_ok_echo(busy, 2);
	}
	/* 30 s passed for idle and slow: both told, then EOF. */
	server_sync();
	expect_error(idle, "closed: no complete request for 30 s");
	assert_null(client_reply(idle));
	expect_error(slow, "closed: no complete request for 30 s");
	assert_null(client_reply(slow));
	client_sends(busy, "{\"cmd\":\"echo\",\"seq\":3}\n");
	expect_ok_echo(busy, 3);
	client_free(idle);
	client_free(slow);
	client_free(busy);
}

/*
 * A peer that is neither root nor nfvd's user is refused with a message,
 * even when the socket's permissions were widened.  Needs root (to be
 * another user in a child); skipped otherwise.
 */
static void
test_peer_credentials(void **state)
{
	char dir[160], *p;
	pid_t pid;
	int status;

	(void)state;
	if (geteuid() != 0) {
		printf("not root: cannot play another user; skipped\n");
		skip();
	}
	/* Widen every level so that uid 65534 can connect at all. */
	assert_int_equal(chmod(sock_path, 0666), 0);
	snprintf(dir, sizeof(dir), "%s", sock_path);
	while ((p = strrchr(dir, '/')) != NULL && p != dir) {
		*p = '\0';
		assert_int_equal(chmod(dir, 0755), 0);
		if (strcmp(dir, tmpdir) == 0)
			break;
	}
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char buf[512];
		ssize_t n, len = 0;
		int fd;

		if (setgid(65534) != 0 || setuid(65534) != 0)
			_exit(2);
		fd = raw_connect(sock_path);
		if (fd < 0)
			_exit(3);
		/* The request may fail to go out (the server closed): the
		 * answer is there to read all the same. */
		(void)send(fd, "{\"cmd\":\"echo\"}\n", 15, MSG_NOSIGNAL);
		while ((n = recv(fd, buf + len, sizeof(buf) - 1 - len, 0)) > 0)
			len += n;
		buf[len] = '\0';
		_exit(strstr(buf, "\"ok\":false") != NULL &&
				      strstr(buf,
					     "permission denied: uid 65534 "
					     "may not use this socket") != NULL
			      ? 0
			      : 4);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	/* root still may */
	server_sync();
}

static void test_stale_and_live(void **state)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	char other[160], file[160];
	struct client *c;
	struct stat st;
	int fd;

	(void)state;
	/* Ours is live: a second server on the same path is refused. */
	server_stop_join();
	ctl_server_close();
	assert_int_equal(stat(sock_path, &st), -1); /* close unlinked it */
	assert_int_equal(errno, ENOENT);

	/* A stale socket (bound, nobody listening) is replaced. */
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	strcpy(addr.sun_path, sock_path);
	assert_int_equal(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	close(fd);
	assert_int_equal(stat(sock_path, &st), 0);
	assert_int_equal(ctl_server_open(sock_path), 0);
	assert_int_equal(stat(sock_path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	server_start();
	c = client_new();
	client_sends(c, "{\"cmd\":\"echo\",\"seq\":1}\n");
	expect_ok_echo(c, 1);
	client_free(c);
	server_stop_join();
	ctl_server_close();

	/* A live listener that is not us: refused, and left alone. */
	snprintf(other, sizeof(other), "%s/live.sock", tmpdir);
	strcpy(addr.sun_path, other);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	assert_int_equal(listen(fd, 1), 0);
	assert_int_equal(ctl_server_open(other), -EADDRINUSE);
	assert_int_equal(stat(other, &st), 0);
	close(fd);
	unlink(other);

	/* Not a socket at all: never unlinked. */
	snprintf(file, sizeof(file), "%s/file.sock", tmpdir);
	fd = open(file, O_CREAT | O_WRONLY, 0644);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(ctl_server_open(file), -EEXIST);
	assert_int_equal(stat(file, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	unlink(file);

	/* Too long for sun_path. */
	{
		char longp[200];

		memset(longp, 'x', sizeof(longp) - 1);
		longp[0] = '/';
		longp[sizeof(longp) - 1] = '\0';
		assert_int_equal(ctl_server_open(longp), -ENAMETOOLONG);
	}

	/* Reopen for the teardown. */
	assert_int_equal(ctl_server_open(sock_path), 0);
	server_start();
}

static void test_close_unlinks(void **state)
{
	struct client *c = client_new();

	(void)state;
	/* Make sure it is accepted: a backlog connection would see a reset. */
	client_sends(c, "{\"cmd\":\"echo\",\"seq\":1}\n");
	expect_ok_echo(c, 1);
	server_stop_join();
	ctl_server_close();
	/* The connected client sees EOF; new clients find no socket. */
	assert_null(client_reply(c));
	client_free(c);
	assert_int_equal(raw_connect(sock_path), -1);
	assert_int_equal(errno, ENOENT);
	ctl_server_close(); /* no-op when closed */
	assert_int_equal(ctl_server_open(sock_path), 0);
	server_start();
}

/* Without events ctl_server_poll() returns after its timeout. */
static void test_poll_timeout(void **state)
{
	struct timespec a, b;
	long ms;

	(void)state;
	server_stop_join();
	clock_gettime(CLOCK_MONOTONIC, &a);
	ctl_server_poll(50);
	clock_gettime(CLOCK_MONOTONIC, &b);
	ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
	assert_true(ms >= 40 && ms < 1000);
	server_start();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_modes, test_setup,
						test_teardown),
		cmocka_unit_test_setup_teardown(
			test_several_requests_per_connection, test_setup,
			test_teardown),
		cmocka_unit_test_setup_teardown(test_split_line, test_setup,
						test_teardown),
		cmocka_unit_test_setup_teardown(test_garbage, test_setup,
						test_teardown),
		cmocka_unit_test_setup_teardown(test_oversize, test_setup,
						test_teardown),
		cmocka_unit_test_setup_teardown(test_abrupt_disconnects,
						test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_eof_terminates_request,
						test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_large_reply_slow_reader,
						test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_many_clients, test_setup,
						test_teardown),
		cmocka_unit_test_setup_teardown(test_too_many_clients,
						test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_idle_timeout, test_setup,
						test_teardown),
		cmocka_unit_test_setup_teardown(test_peer_credentials,
						test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_stale_and_live, test_setup,
						test_teardown),
		cmocka_unit_test_setup_teardown(test_close_unlinks, test_setup,
						test_teardown),
		cmocka_unit_test_setup_teardown(test_poll_timeout, test_setup,
						test_teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
