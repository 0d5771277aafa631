/* SPDX-License-Identifier: BSD-3-Clause
 *
 * ctl_server.c - nfvd's control socket: a command registry, the dispatcher
 * and a non-blocking UNIX stream server speaking newline-delimited JSON.
 *
 * Threads: the registry, the socket and every connection belong to the
 * control thread (nfvd's main loop calls ctl_server_poll()).  The only other
 * caller is DPDK's telemetry thread, which runs ctl_server_dispatch() under
 * ctl_server_lock() (control/telemetry.c); the socket path takes the same
 * lock around each dispatch, so handlers never run concurrently.
 *
 * A misbehaving client (garbage, an oversize line, a half-sent request, a
 * client that never reads its replies) costs only its own connection: input
 * is bounded per request, output is bounded by back-pressure (we stop
 * reading a client whose replies are not drained), and every socket call is
 * non-blocking.  Idle clients cannot lock others out: a connection that
 * makes no progress (no complete request, no reply bytes taken) for the
 * idle timeout is closed, and when every slot is taken a newcomer is
 * admitted by closing the connection that has been idle the longest (see
 * ctl_conn_evict()).  Peers are checked with SO_PEERCRED on accept: root
 * and nfvd's own user only.  Every connection the server closes on its own
 * initiative first gets a one-line JSON error saying why, so a client
 * prints that instead of "Broken pipe".
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <rte_log.h>

#include "control/ctl_server.h"
#include "control/files.h"

RTE_LOG_REGISTER(ctl_server_logtype, nfv.ctl, INFO);
#define CTL_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_##level, ctl_server_logtype, "ctl: " fmt "\n", \
		##__VA_ARGS__)

/* One request line, without its newline, may be at most this long. */
#define CTL_REQ_MAX (64 * 1024)
/* Stop reading a client while this much of its output is unsent.  The
 * libFuzzer harness (tests/fuzz/ctl) builds this file with a smaller one
 * and a small socket buffer (CTL_SNDBUF), so that its replies reach both
 * at a fraction of the cost. */
#ifndef CTL_OUT_HIGH
#define CTL_OUT_HIGH (1024 * 1024)
#endif
/* Read at most this much per client per poll, for fairness. */
#define CTL_READ_BUDGET (256 * 1024)
#define CTL_MAX_CLIENTS 64
#define CTL_LISTEN_BACKLOG 16
/* A connection without progress for this long is closed (0: never). */
#define CTL_IDLE_TIMEOUT_MS (30 * 1000)

struct ctl_cmd {
	char *name;
	ctl_cmd_fn *fn;
	void *arg;
	char *help;
	json_t *info; /* more members of its help entry, or NULL */
};

struct ctl_conn {
	int fd;
	char *in;		/* unparsed input; in_len bytes */
	size_t in_len, in_cap;
	char *out;		/* replies; out[out_off..out_len) unsent */
	size_t out_len, out_off, out_cap;
	bool eof;		/* peer closed its write side */
	bool closing;		/* close once out is flushed */
	/* Last progress: accepted, a complete request read, or reply bytes
	 * taken by the peer (ctl_now_ms() clock). */
	uint64_t last_ms;
};

static pthread_mutex_t ctl_mutex = PTHREAD_MUTEX_INITIALIZER;

static struct ctl_cmd *ctl_cmds;
static unsigned int ctl_n_cmds;

static int ctl_listen_fd = -1;
static char *ctl_path;
static struct ctl_file_id ctl_sock_id;
static struct ctl_conn *ctl_conns[CTL_MAX_CLIENTS];
static unsigned int ctl_n_conns;
static unsigned int ctl_idle_ms = CTL_IDLE_TIMEOUT_MS;

static uint64_t
ctl_clock_monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint64_t (*ctl_now_ms)(void) = ctl_clock_monotonic_ms;

/* Control thread, while no poll runs (tests set these before polling). */
void
ctl_server_set_idle_timeout(unsigned int ms)
{
	ctl_idle_ms = ms;
}

void
ctl_server_set_clock(uint64_t (*now_ms)(void))
{
	ctl_now_ms = now_ms != NULL ? now_ms : ctl_clock_monotonic_ms;
}

void ctl_server_lock(void)
{
	pthread_mutex_lock(&ctl_mutex);
}

void ctl_server_unlock(void)
{
	pthread_mutex_unlock(&ctl_mutex);
}

/* ---- registry and dispatch ---------------------------------------------- */

static struct ctl_cmd *ctl_cmd_find(const char *name)
{
	unsigned int i;

	for (i = 0; i < ctl_n_cmds; i++)
		if (strcmp(ctl_cmds[i].name, name) == 0)
			return &ctl_cmds[i];
	return NULL;
}

/* The built-in "help": [{"cmd": "help", "help": "..."}, ...] in
 * registration order. */
static int ctl_cmd_help(json_t *req, json_t **result, void *arg)
{
	json_t *list;
	unsigned int i;

	(void)req;
	(void)arg;
	list = json_array();
	if (list == NULL)
		return -ENOMEM;
	if (json_array_append_new(list, json_pack("{s:s,s:s}", "cmd", "help",
			"help", "list the commands this nfvd knows")) < 0)
		goto err_nomem;
	for (i = 0; i < ctl_n_cmds; i++) {
		json_t *e = json_pack("{s:s,s:s}", "cmd", ctl_cmds[i].name,
				      "help", ctl_cmds[i].help ? ctl_cmds[i].help : "");

		if (e != NULL && ctl_cmds[i].info != NULL &&
		    json_object_update_missing(e, ctl_cmds[i].info) < 0) {
			json_decref(e);
			e = NULL;
		}
		if (json_array_append_new(list, e) < 0)
			goto err_nomem;
	}
	*result = list;
	return 0;

err_nomem:
	json_decref(list);
	return -ENOMEM;
}

/*
 * Control thread, before ctl_server_open() (registering later is safe too:
 * the registry is guarded by the dispatch lock).  -EEXIST for a name that is
 * taken ("help" is built in), -EINVAL for an empty name or no handler.
 */
int ctl_server_register(const char *cmd, ctl_cmd_fn *fn, void *arg,
			const char *help)
{
	struct ctl_cmd *cmds, *c;
	int ret = 0;

	if (cmd == NULL || *cmd == '\0' || fn == NULL)
		return -EINVAL;
	ctl_server_lock();
	if (strcmp(cmd, "help") == 0 || ctl_cmd_find(cmd) != NULL) {
		ret = -EEXIST;
		goto out;
	}
	cmds = realloc(ctl_cmds, (ctl_n_cmds + 1) * sizeof(*cmds));
	if (cmds == NULL) {
		ret = -ENOMEM;
		goto out;
	}
	ctl_cmds = cmds;
	c = &ctl_cmds[ctl_n_cmds];
	c->name = strdup(cmd);
	c->help = strdup(help ? help : "");
	if (c->name == NULL || c->help == NULL) {
		free(c->name);
		free(c->help);
		ret = -ENOMEM;
		goto out;
	}
	c->fn = fn;
	c->arg = arg;
	c->info = NULL;
	ctl_n_cmds++;
out:
	ctl_server_unlock();
	return ret;
}

int
ctl_server_describe(const char *cmd, json_t *info)
{
	struct ctl_cmd *c;
	int ret = 0;

	if (cmd == NULL || !json_is_object(info)) {
		json_decref(info);
		return -EINVAL;
	}
	ctl_server_lock();
	c = ctl_cmd_find(cmd);
	if (c == NULL) {
		json_decref(info);
		ret = -ENOENT;
	} else {
		json_decref(c->info);
		c->info = info;
	}
	ctl_server_unlock();
	return ret;
}

/* vsnprintf() may cut a message inside a UTF-8 sequence, which jansson
 * would refuse; drop the incomplete tail. */
static void ctl_utf8_trim(char *s)
{
	size_t len = strlen(s), i, need;
	unsigned char c;

	if (len == 0)
		return;
	i = len - 1;
	while (i > 0 && ((unsigned char)s[i] & 0xc0) == 0x80)
		i--;
	c = (unsigned char)s[i];
	if (c < 0x80)
		return;
	need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
	if (len - i < need)
		s[i] = '\0';
}

/*
 * Sets *result to the error message (a JSON string) for the dispatcher and
 * returns err as a negative errno (callers may pass EINVAL or -EINVAL).
 */
int ctl_error(json_t **result, int err, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ctl_utf8_trim(msg);
	if (result != NULL) {
		json_decref(*result);
		*result = json_string(msg);
		if (*result == NULL) /* not UTF-8: keep the errno only */
			*result = json_string(strerror(err < 0 ? -err : err));
	}
	if (err == 0)
		return -EINVAL;
	return err < 0 ? err : -err;
}

/* ---- typed request arguments -------------------------------------------- */

/* "a string", "an integer", ... for "expected X (got Y)". */
static const char *
ctl_json_type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
		return "an integer";
	case JSON_REAL:
		return "a number with a fraction";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	case JSON_NULL:
		return "null";
	}
	return "something else";
}

/* The value of `key`, or NULL when absent (or req is not an object). */
static json_t *
ctl_req_get(json_t *req, const char *key)
{
	return json_is_object(req) ? json_object_get(req, key) : NULL;
}

static int
ctl_req_type_error(json_t **result, const char *key, const char *want,
		   const json_t *v)
{
	return ctl_error(result, -EINVAL, "%s: expected %s (got %s)", key, want,
			 ctl_json_type_name(v));
}

int
ctl_req_str(json_t *req, const char *key, const char **out, json_t **result)
{
	json_t *v = ctl_req_get(req, key);

	if (v == NULL)
		return 0;
	if (!json_is_string(v))
		return ctl_req_type_error(result, key, "a string", v);
	*out = json_string_value(v);
	return 1;
}

int
ctl_req_uint(json_t *req, const char *key, uint64_t min, uint64_t max,
	     uint64_t *out, json_t **result)
{
	json_t *v = ctl_req_get(req, key);
	json_int_t n;

	if (v == NULL)
		return 0;
	if (!json_is_integer(v)) {
		char want[64];

		snprintf(want, sizeof(want), "an integer %" PRIu64 "..%" PRIu64,
			 min, max);
		return ctl_req_type_error(result, key, want, v);
	}
	n = json_integer_value(v);
	if (n < 0 || (uint64_t)n < min || (uint64_t)n > max)
		return ctl_error(result, -EINVAL,
				 "%s: expected an integer %" PRIu64 "..%" PRIu64
				 " (got %" JSON_INTEGER_FORMAT ")",
				 key, min, max, n);
	*out = (uint64_t)n;
	return 1;
}

int
ctl_req_bool(json_t *req, const char *key, bool *out, json_t **result)
{
	json_t *v = ctl_req_get(req, key);

	if (v == NULL)
		return 0;
	if (!json_is_boolean(v))
		return ctl_req_type_error(result, key, "true or false", v);
	*out = json_is_true(v);
	return 1;
}

int
ctl_req_object(json_t *req, const char *key, json_t **out, json_t **result)
{
	json_t *v = ctl_req_get(req, key);

	if (v == NULL)
		return 0;
	if (!json_is_object(v))
		return ctl_req_type_error(result, key, "an object", v);
	*out = v;
	return 1;
}

int
ctl_req_array(json_t *req, const char *key, json_t **out, json_t **result)
{
	json_t *v = ctl_req_get(req, key);

	if (v == NULL)
		return 0;
	if (!json_is_array(v))
		return ctl_req_type_error(result, key, "an array", v);
	*out = v;
	return 1;
}

int
ctl_req_missing(json_t **result, const char *key)
{
	return ctl_error(result, -EINVAL, "%s: missing (required)", key);
}

static json_t *ctl_reply_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static json_t *ctl_reply_error(const char *fmt, ...)
{
	char msg[512];
	json_t *reply;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ctl_utf8_trim(msg);
	reply = json_pack("{s:b,s:s}", "ok", 0, "error", msg);
	if (reply == NULL) /* msg quoted invalid UTF-8 from a client */
		reply = json_pack("{s:b,s:s}", "ok", 0, "error",
				  "invalid request");
	return reply;
}

/*
 * Caller holds ctl_server_lock().  Never returns NULL unless out of memory.
 * Handlers get `req` borrowed; the reply takes over their result.
 */
json_t *ctl_server_dispatch(json_t *req)
{
	json_t *cmdv, *result = NULL, *reply;
	const struct ctl_cmd *c;
	const char *name;
	int ret;

	if (!json_is_object(req))
		return ctl_reply_error("request must be a JSON object");
	cmdv = json_object_get(req, "cmd");
	if (cmdv == NULL)
		return ctl_reply_error("request has no \"cmd\"");
	if (!json_is_string(cmdv))
		return ctl_reply_error("\"cmd\" must be a string");
	name = json_string_value(cmdv);

	if (strcmp(name, "help") == 0) {
		ret = ctl_cmd_help(req, &result, NULL);
	} else {
		c = ctl_cmd_find(name);
		if (c == NULL)
			return ctl_reply_error("unknown command '%.64s' (try 'help')",
					       name);
		ret = c->fn(req, &result, c->arg);
	}

	if (ret != 0) {
		if (json_is_string(result))
			reply = ctl_reply_error("%s", json_string_value(result));
		else
			reply = ctl_reply_error("%s", strerror(ret < 0 ? -ret : ret));
		json_decref(result);
		return reply;
	}
	reply = json_object();
	if (reply == NULL) {
		json_decref(result);
		return NULL;
	}
	json_object_set_new(reply, "ok", json_true());
	json_object_set_new(reply, "result", result ? result : json_null());
	return reply;
}

/* ---- connections -------------------------------------------------------- */

static void ctl_conn_free(struct ctl_conn *conn)
{
	if (conn == NULL)
		return;
	if (conn->fd >= 0)
		close(conn->fd);
	free(conn->in);
	free(conn->out);
	free(conn);
}

static int ctl_buf_reserve(char **buf, size_t *cap, size_t need)
{
	size_t ncap = *cap ? *cap : 4096;
	char *nbuf;

	if (need <= *cap)
		return 0;
	while (ncap < need)
		ncap *= 2;
	nbuf = realloc(*buf, ncap);
	if (nbuf == NULL)
		return -ENOMEM;
	*buf = nbuf;
	*cap = ncap;
	return 0;
}

/* Queue one reply (compact JSON and a newline).  Takes over `reply`. */
static int ctl_conn_queue(struct ctl_conn *conn, json_t *reply)
{
	size_t len;
	char *s;
	int ret;

	if (reply == NULL)
		return -ENOMEM;
	s = json_dumps(reply, JSON_COMPACT | JSON_ENCODE_ANY);
	json_decref(reply);
	if (s == NULL)
		return -ENOMEM;
	len = strlen(s);
	/* Compact the buffer first so it does not grow for ever. */
	if (conn->out_off > 0 && conn->out_off == conn->out_len)
		conn->out_off = conn->out_len = 0;
	ret = ctl_buf_reserve(&conn->out, &conn->out_cap,
			      conn->out_len + len + 1);
	if (ret == 0) {
		memcpy(conn->out + conn->out_len, s, len);
		conn->out[conn->out_len + len] = '\n';
		conn->out_len += len + 1;
	}
	free(s);
	return ret;
}

/* Write what we can.  0, or -errno when the connection is dead. */
static int ctl_conn_flush(struct ctl_conn *conn)
{
	while (conn->out_off < conn->out_len) {
		ssize_t n = send(conn->fd, conn->out + conn->out_off,
				 conn->out_len - conn->out_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			return -errno;
		}
		conn->out_off += n;
		conn->last_ms = ctl_now_ms();
	}
	conn->out_off = conn->out_len = 0;
	return 0;
}

/* One request line (no newline), parsed and dispatched; queues the reply. */
static int ctl_conn_request(struct ctl_conn *conn, const char *line, size_t len)
{
	json_error_t jerr;
	json_t *req, *reply;

	conn->last_ms = ctl_now_ms();
	req = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (req == NULL)
		return ctl_conn_queue(conn, ctl_reply_error("invalid JSON: %s (column %d)",
							    jerr.text, jerr.column));
	ctl_server_lock();
	reply = ctl_server_dispatch(req);
	ctl_server_unlock();
	json_decref(req);
	return ctl_conn_queue(conn, reply);
}

/*
 * Run the complete lines in conn->in, as long as the client drains its
 * replies.  At EOF a trailing line without a newline counts as a request
 * too (printf '{"cmd":"help"}' | socat - UNIX:...).
 */
static int ctl_conn_process(struct ctl_conn *conn)
{
	size_t off = 0;
	int ret = 0;

	while (off < conn->in_len && !conn->closing &&
	       conn->out_len - conn->out_off < CTL_OUT_HIGH) {
		char *nl = memchr(conn->in + off, '\n', conn->in_len - off);
		size_t len;

		if (nl == NULL) {
			if (!conn->eof)
				break;
			len = conn->in_len - off;
		} else {
			len = nl - (conn->in + off);
		}
		if (len > CTL_REQ_MAX) {
			ret = ctl_conn_queue(conn, ctl_reply_error(
				"request too long (over %d bytes)", CTL_REQ_MAX));
			conn->closing = true;
			break;
		}
		/* Tolerate CRLF and blank lines (an interactive socat). */
		if (len > 0 && conn->in[off + len - 1] == '\r')
			len--;
		if (len > 0)
			ret = ctl_conn_request(conn, conn->in + off, len);
		off += (nl ? (size_t)(nl - (conn->in + off)) + 1 : conn->in_len - off);
		if (ret < 0)
			break;
	}
	if (off > 0) {
		memmove(conn->in, conn->in + off, conn->in_len - off);
		conn->in_len -= off;
	}
	/* A partial line that is already too long will never be served. */
	if (!conn->closing && conn->in_len > CTL_REQ_MAX &&
	    memchr(conn->in, '\n', conn->in_len) == NULL) {
		ret = ctl_conn_queue(conn, ctl_reply_error(
			"request too long (over %d bytes)", CTL_REQ_MAX));
		conn->closing = true;
	}
	if (conn->closing)
		conn->in_len = 0;
	return ret;
}

static int ctl_conn_read(struct ctl_conn *conn)
{
	size_t budget = CTL_READ_BUDGET;

	while (budget > 0 && !conn->eof && !conn->closing) {
		ssize_t n;
		int ret;

		ret = ctl_buf_reserve(&conn->in, &conn->in_cap,
				      conn->in_len + 16384);
		if (ret < 0)
			return ret;
		n = recv(conn->fd, conn->in + conn->in_len,
			 conn->in_cap - conn->in_len, MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			return -errno;
		}
		if (n == 0) {
			conn->eof = true;
			break;
		}
		conn->in_len += n;
		budget -= (size_t)n < budget ? (size_t)n : budget;
		/* Serve as we go so that a long stream of requests does not
		 * pile up in memory. */
		ret = ctl_conn_process(conn);
		if (ret < 0)
			return ret;
		if (conn->out_len - conn->out_off >= CTL_OUT_HIGH)
			break;
	}
	return ctl_conn_process(conn);
}

/*
 * Closing a UNIX socket with unread input makes the peer's next read fail
 * with ECONNRESET instead of delivering our last reply and EOF; discard
 * what is pending (bounded) first.
 */
static void ctl_conn_discard_input(struct ctl_conn *conn)
{
	char junk[16384];
	int i;

	for (i = 0; i < 64; i++)
		if (recv(conn->fd, junk, sizeof(junk), MSG_DONTWAIT) <= 0)
			break;
}

static void ctl_conn_drop(unsigned int i)
{
	if (!ctl_conns[i]->eof)
		ctl_conn_discard_input(ctl_conns[i]);
	ctl_conn_free(ctl_conns[i]);
	ctl_conns[i] = ctl_conns[--ctl_n_conns];
	ctl_conns[ctl_n_conns] = NULL;
}

/*
 * Log about clients at most once a second, so that a flood of connections
 * (refused or evicting each other) cannot flood the log; what was left out
 * is counted in the next line.  Control thread.
 */
static bool
ctl_log_allowed(unsigned int *suppressed)
{
	static uint64_t last_ms;
	static unsigned int skipped;
	uint64_t now = ctl_now_ms();

	if (last_ms != 0 && now - last_ms < 1000) {
		skipped++;
		return false;
	}
	last_ms = now;
	*suppressed = skipped;
	skipped = 0;
	return true;
}

/*
 * Tell a peer why we close its connection, in the reply format, without
 * blocking: a connection we refuse or evict gets a line it can print.  Only
 * when nothing else is queued for it (a reply half sent would be corrupted).
 */
static void
ctl_send_goodbye(int fd, const char *msg)
{
	json_t *reply = ctl_reply_error("%s", msg);
	char *s = reply ? json_dumps(reply, JSON_COMPACT) : NULL;
	size_t len;

	json_decref(reply);
	if (s == NULL)
		return;
	len = strlen(s);
	s[len] = '\n'; /* json_dumps' NUL: the line's end */
	if (send(fd, s, len + 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
		CTL_LOG(DEBUG, "goodbye: %s", strerror(errno));
	free(s);
}

/* Say goodbye (if nothing is half sent) and close connection i now. */
static void
ctl_conn_kick(unsigned int i, const char *msg)
{
	struct ctl_conn *conn = ctl_conns[i];

	if (conn->out_off == conn->out_len)
		ctl_send_goodbye(conn->fd, msg);
	ctl_conn_drop(i);
}

/*
 * Every slot is taken and a client knocks: close the connection that has
 * been idle the longest to admit it.  Refusing the newcomer instead would
 * let 64 idle connections lock everyone out until they time out; a working
 * client (nfvctl, a monitoring loop) makes progress every few milliseconds,
 * so the longest-idle connection is the one least likely to be doing
 * anything useful.  Control thread.
 */
static void
ctl_conn_evict(uint64_t now)
{
	unsigned int i, victim = 0, more;

	for (i = 1; i < ctl_n_conns; i++)
		if (ctl_conns[i]->last_ms < ctl_conns[victim]->last_ms)
			victim = i;
	if (ctl_log_allowed(&more))
		CTL_LOG(NOTICE,
			"all %d connections taken: closing one idle for "
			"%" PRIu64 " ms for a new client (%u more not logged)",
			CTL_MAX_CLIENTS, now - ctl_conns[victim]->last_ms,
			more);
	ctl_conn_kick(victim, "closed: every connection slot was taken and "
			      "this one was idle the longest");
}

/*
 * May this peer talk to us?  The socket is 0600 in a 0700 directory, so
 * only root and nfvd's user can normally connect at all; the credentials
 * check keeps it so if the socket's permissions were widened by hand.  A
 * refusal explains itself in *why.
 */
static bool
ctl_peer_allowed(int fd, char *why, size_t len)
{
	struct ucred uc;
	socklen_t ul = sizeof(uc);
	uid_t me = geteuid();
	unsigned int more;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &ul) < 0) {
		snprintf(why, len,
			 "permission denied: cannot identify the "
			 "peer (%s)",
			 strerror(errno));
		return false;
	}
	if (uc.uid == 0 || uc.uid == me)
		return true;
	snprintf(why, len,
		 "permission denied: uid %u may not use this "
		 "socket (only root and uid %u, nfvd's user)",
		 (unsigned int)uc.uid, (unsigned int)me);
	if (ctl_log_allowed(&more))
		CTL_LOG(WARNING,
			"refused a client: pid %d uid %u (%u more not logged)",
			(int)uc.pid, (unsigned int)uc.uid, more);
	return false;
}

static void ctl_server_accept(void)
{
	for (;;) {
		struct ctl_conn *conn;
		char why[160];
		int fd;

		fd = accept4(ctl_listen_fd, NULL, NULL,
			     SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				CTL_LOG(WARNING, "accept: %s", strerror(errno));
			return;
		}
		if (!ctl_peer_allowed(fd, why, sizeof(why))) {
			ctl_send_goodbye(fd, why);
			close(fd);
			continue;
		}
		conn = calloc(1, sizeof(*conn));
		if (conn == NULL) {
			ctl_send_goodbye(fd, "out of memory");
			close(fd);
			continue;
		}
		conn->fd = fd;
		conn->last_ms = ctl_now_ms();
#ifdef CTL_SNDBUF
		/* The libFuzzer harness: a socket that fills after a few
		 * replies, as a slow client's would (CTL_OUT_HIGH above). */
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &(int){CTL_SNDBUF},
			   sizeof(int));
#endif
		if (ctl_n_conns == CTL_MAX_CLIENTS)
			ctl_conn_evict(conn->last_ms);
		ctl_conns[ctl_n_conns++] = conn;
	}
}

/*
 * Close connections without progress for the idle timeout.  One that has
 * nothing queued is told why; one whose replies are stuck (the peer does
 * not read) cannot be told and is just closed.  Returns the milliseconds
 * until the next one may expire (-1: none).  Control thread.
 */
static int
ctl_conns_expire(uint64_t now)
{
	uint64_t next = UINT64_MAX;
	unsigned int i;

	if (ctl_idle_ms == 0)
		return -1;
	for (i = 0; i < ctl_n_conns;) {
		struct ctl_conn *conn = ctl_conns[i];
		uint64_t idle = now - conn->last_ms;
		char msg[96];

		if (now < conn->last_ms || idle < ctl_idle_ms) {
			if (conn->last_ms + ctl_idle_ms < next)
				next = conn->last_ms + ctl_idle_ms;
			i++;
			continue;
		}
		snprintf(msg, sizeof(msg),
			 "closed: no complete request for %u s",
			 ctl_idle_ms / 1000);
		CTL_LOG(INFO, "closing a connection idle for %" PRIu64 " ms",
			idle);
		ctl_conn_kick(i, msg);
	}
	if (next == UINT64_MAX)
		return -1;
	return next - now > INT_MAX ? INT_MAX : (int)(next - now);
}

/*
 * Control thread.  One poll() of at most timeout_ms (negative: wait for an
 * event), then serve whatever is ready.  Without an open socket it just
 * sleeps, so nfvd's loop keeps its pace.
 */
void ctl_server_poll(int timeout_ms)
{
	struct pollfd pfd[CTL_MAX_CLIENTS + 1];
	struct ctl_conn *polled[CTL_MAX_CLIENTS];
	unsigned int i, n = 0, n_polled;
	int ret, idle_wait;

	/* Wake up in time for the next idle connection to expire. */
	idle_wait = ctl_conns_expire(ctl_now_ms());
	if (idle_wait >= 0 && (timeout_ms < 0 || idle_wait < timeout_ms))
		timeout_ms = idle_wait;
	if (ctl_listen_fd >= 0) {
		pfd[n].fd = ctl_listen_fd;
		pfd[n].events = POLLIN;
		n++;
	}
	for (i = 0; i < ctl_n_conns; i++) {
		struct ctl_conn *conn = ctl_conns[i];

		pfd[n].fd = conn->fd;
		pfd[n].events = 0;
		if (!conn->eof && !conn->closing &&
		    conn->out_len - conn->out_off < CTL_OUT_HIGH)
			pfd[n].events |= POLLIN;
		if (conn->out_off < conn->out_len)
			pfd[n].events |= POLLOUT;
		polled[n - (ctl_listen_fd >= 0)] = conn;
		n++;
	}
	n_polled = ctl_n_conns;
	ret = poll(pfd, n, timeout_ms);
	if (ret <= 0)
		return; /* timeout or EINTR: the caller loops */

	for (i = 0; i < n_polled; i++) {
		struct pollfd *p = &pfd[i + (ctl_listen_fd >= 0)];
		struct ctl_conn *conn = polled[i];

		if (p->revents & (POLLIN | POLLHUP | POLLERR))
			ret = ctl_conn_read(conn);
		else
			ret = 0;
		if (ret == 0)
			ret = ctl_conn_flush(conn);
		/* Output drained below the mark: run lines held back. */
		if (ret == 0 && conn->in_len > 0)
			ret = ctl_conn_process(conn);
		if (ret == 0)
			ret = ctl_conn_flush(conn);
		if (ret < 0 || (p->revents & POLLERR)) {
			/* Dead peer: nothing more can be delivered. */
			conn->closing = true;
			conn->out_off = conn->out_len = 0;
		}
	}
	/* Reap finished connections: dead, told to go, or done talking. */
	for (i = 0; i < ctl_n_conns;) {
		struct ctl_conn *conn = ctl_conns[i];
		bool pending = conn->out_off < conn->out_len;

		if (!pending && (conn->closing ||
				 (conn->eof && conn->in_len == 0)))
			ctl_conn_drop(i);
		else
			i++;
	}
	if (ctl_listen_fd >= 0 && (pfd[0].revents & POLLIN))
		ctl_server_accept();
}

/* ---- the listening socket ----------------------------------------------- */

/* Is someone accepting on `addr`?  1 yes, 0 no (stale), -errno unknown. */
static int ctl_sock_is_live(const struct sockaddr_un *addr)
{
	int fd, ret;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (const struct sockaddr *)addr, sizeof(*addr)) == 0)
		ret = 1;
	else if (errno == EAGAIN || errno == EINPROGRESS)
		ret = 1; /* a listener whose backlog is full */
	else if (errno == ECONNREFUSED || errno == ENOENT)
		ret = 0;
	else
		ret = -errno;
	close(fd);
	return ret;
}

/*
 * Control thread.  Socket mode 0600: chmod() runs between bind() and
 * listen(), when nobody can connect yet, so there is no window with wider
 * permissions (and no process-wide umask() games).
 */
int ctl_server_open(const char *path)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	struct stat st;
	int fd, ret;

	if (ctl_listen_fd >= 0)
		return -EALREADY;
	if (path == NULL || *path == '\0')
		return -EINVAL;
	if (strlen(path) >= sizeof(addr.sun_path))
		return -ENAMETOOLONG;
	memcpy(addr.sun_path, path, strlen(path) + 1);

	/* New levels get mode 0700: only nfvd's user reaches the socket. */
	ret = ctl_path_mkdir_parents(path);
	if (ret < 0) {
		CTL_LOG(ERR, "cannot create the directory of %s: %s", path,
			strerror(-ret));
		return ret;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;

	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		ret = -errno;
		if (ret != -EADDRINUSE)
			goto err_close;
		if (lstat(path, &st) < 0 || !S_ISSOCK(st.st_mode)) {
			/* Never unlink something that is not a socket. */
			ret = -EEXIST;
			CTL_LOG(ERR, "%s exists and is not a socket", path);
			goto err_close;
		}
		ret = ctl_sock_is_live(&addr);
		if (ret != 0) {
			if (ret > 0) {
				ret = -EADDRINUSE;
				CTL_LOG(ERR, "%s: another nfvd is listening", path);
			}
			goto err_close;
		}
		CTL_LOG(INFO, "replacing stale socket %s", path);
		if (unlink(path) < 0 && errno != ENOENT) {
			ret = -errno;
			goto err_close;
		}
		if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
			ret = -errno;
			goto err_close;
		}
	}
	if (chmod(path, 0600) < 0 || stat(path, &st) < 0) {
		ret = -errno;
		goto err_unlink;
	}
	if (listen(fd, CTL_LISTEN_BACKLOG) < 0) {
		ret = -errno;
		goto err_unlink;
	}
	ctl_path = strdup(path);
	if (ctl_path == NULL) {
		ret = -ENOMEM;
		goto err_unlink;
	}
	ctl_file_id_set(&ctl_sock_id, &st);
	ctl_listen_fd = fd;
	CTL_LOG(INFO, "control socket %s", path);
	return 0;

err_unlink:
	unlink(path);
err_close:
	close(fd);
	return ret;
}

/* Control thread.  Unlinks the socket only if it is still ours. */
void ctl_server_close(void)
{
	struct stat st;

	while (ctl_n_conns > 0)
		ctl_conn_drop(ctl_n_conns - 1);
	if (ctl_listen_fd < 0)
		return;
	close(ctl_listen_fd);
	ctl_listen_fd = -1;
	if (stat(ctl_path, &st) == 0 && ctl_file_id_same(&ctl_sock_id, &st))
		unlink(ctl_path);
	free(ctl_path);
	ctl_path = NULL;
}
