/* SPDX-License-Identifier: BSD-3-Clause
 *
 * ctl_server.h - nfvd's control socket: JSON requests over a UNIX socket.
 *
 * Wire format (docs/operations.md): each request is one JSON object on one
 * line, {"cmd": "show ports", ...arguments}; each reply is one JSON object
 * on one line, {"ok": true, "result": ...} or {"ok": false, "error": "..."}.
 * A client may send several requests on one connection.  The server may
 * close a connection on its own (idle for 30 s, every slot taken and this
 * one idle the longest, a peer that is neither root nor nfvd's user); it
 * then sends one last {"ok": false, "error": "..."} line saying why.
 *
 * Commands are registered by the data plane (dataplane/ctl_cmds.c) before
 * ctl_server_open().  The same handlers back the rte_telemetry commands
 * under /nfv/ (control/telemetry.c), so both show the same figures.
 *
 * Threads: everything here runs on the control thread, except that
 * telemetry calls handlers from DPDK's telemetry thread; ctl_server_lock()
 * serialises the two.
 */
#ifndef NFV_CTL_SERVER_H
#define NFV_CTL_SERVER_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

/*
 * A command handler.  `req` is the whole request object (borrowed; read
 * arguments from it, e.g. json_object_get(req, "name")).  On success return
 * 0 and set *result to a new reference (or leave it NULL for no result).
 * On failure return ctl_error(result, -errno, "message", ...): the reply
 * becomes {"ok": false, "error": "message"} (a bare -errno without
 * ctl_error() gives strerror()'s text).  Runs under ctl_server_lock().
 */
typedef int ctl_cmd_fn(json_t *req, json_t **result, void *arg);

/* Register `cmd` (e.g. "show ports").  Control thread, before open. */
int ctl_server_register(const char *cmd, ctl_cmd_fn *fn, void *arg,
			const char *help);

/* Control thread.  Add the members of `info` (an object; the reference
 * is taken, also on error) to `cmd`'s entry in the `help` reply, e.g. the
 * arguments and usage line of a VNF verb.  "cmd" and "help" keep their
 * values.  0, -ENOENT (no such command) or -EINVAL. */
int ctl_server_describe(const char *cmd, json_t *info);

/* Run one request object through the dispatch table; returns the reply
 * object ({"ok":..}, a new reference; NULL only when out of memory).  Any
 * request, even NULL or a non-object, gets a reply.  The caller holds
 * ctl_server_lock().  Used by the socket, by telemetry and by tests.
 * "help" is built in: [{"cmd": ..., "help": ..., ...info}, ...]. */
json_t *ctl_server_dispatch(json_t *req);

/* Handlers report an error with this: sets *result to the message (a JSON
 * string, replacing any result already set) and returns err as a negative
 * errno (EINVAL and -EINVAL both give -EINVAL; 0 gives -EINVAL). */
int ctl_error(json_t **result, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Typed request arguments: the one way handlers (dataplane/ctl_cmds.c and
 * the VNFs' verbs) read what a request carries, so that a value of the
 * wrong type is an error that names its key instead of being taken for
 * "absent" ({"vnf": {"a": 1}} is not "every VNF").  Each looks `key` up in
 * `req` (a request that is not an object has no keys) and returns:
 *   1        present and of the type asked for: *out is set;
 *   0        absent: *out is left as it was (the caller's default);
 *   -EINVAL  present but of another type (null included) or out of range:
 *            *result (as ctl_error()) is "KEY: expected ... (got ...)".
 * Typical use:
 *   if ((rc = ctl_req_str(req, "vnf", &name, result)) < 0)
 *           return rc;
 * *out borrows from req.  Control or telemetry thread, like handlers.
 */
int ctl_req_str(json_t *req, const char *key, const char **out,
		json_t **result);
/* An integer in min..max (JSON numbers with a fraction or exponent and
 * strings of digits are not integers). */
int ctl_req_uint(json_t *req, const char *key, uint64_t min, uint64_t max,
		 uint64_t *out, json_t **result);
int ctl_req_bool(json_t *req, const char *key, bool *out, json_t **result);
int ctl_req_object(json_t *req, const char *key, json_t **out, json_t **result);
int ctl_req_array(json_t *req, const char *key, json_t **out, json_t **result);
/* For a required key the accessor said is absent: "KEY: missing
 * (required)", -EINVAL. */
int ctl_req_missing(json_t **result, const char *key);

/* Create the socket (mode 0600, missing parent directories created 0700,
 * a stale socket replaced, a live one refused with -EADDRINUSE, a
 * non-socket file left alone with -EEXIST, -EALREADY if open).  0 or
 * -errno. */
int ctl_server_open(const char *path);
/* Serve clients for up to timeout_ms (negative: until an event); returns
 * after at most that long.  Takes ctl_server_lock() around each dispatch,
 * so the caller must not hold it.  Without an open socket it just sleeps. */
void ctl_server_poll(int timeout_ms);
/* Close every connection and unlink the socket.  No-op if not open. */
void ctl_server_close(void);
/*
 * A connection without progress (no complete request read, no reply bytes
 * taken by the peer) for `ms` milliseconds is closed, with a one-line
 * error; 0 never closes one.  Default 30 s.  Control thread, between polls.
 */
void ctl_server_set_idle_timeout(unsigned int ms);
/* Tests: the monotonic millisecond clock the idle timeout reads (NULL:
 * the real one).  Control thread, between polls. */
void ctl_server_set_clock(uint64_t (*now_ms)(void));

void ctl_server_lock(void);
void ctl_server_unlock(void);

/* Register /nfv/... telemetry commands that forward to the handlers. */
int ctl_telemetry_init(void);

#endif /* NFV_CTL_SERVER_H */
