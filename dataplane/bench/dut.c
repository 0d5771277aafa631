/* SPDX-License-Identifier: BSD-3-Clause
 *
 * dut.c - --dut-socket: the device under test's own view of a trial, when
 * it is nfvd.  Before and after each trial nfv-bench asks nfvd's control
 * socket for `show stats` (one JSON request line, one reply line:
 * docs/operations.md) and keeps each worker's packets and busy cycles;
 * the difference is what the trial cost each worker, busy cycles per
 * packet as nfvd counts them.  So a run with `dataplane.workers: N` shows
 * how the work spread and what each core paid, which is how scaling is
 * read on a machine with cores to spare.  Main thread, outside the
 * measurement loop.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <jansson.h>

#include "dataplane/bench/bench.h"

/* A reply of show stats with a few workers and VNFs fits easily. */
#define NFVB_DUT_REPLY_MAX (1 << 20)
#define NFVB_DUT_TIMEOUT_MS 2000

/* Send one request line, read one reply line; the parsed reply or NULL. */
static json_t *
nfvb_dut_call(const char *path, const char *req)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	static char buf[NFVB_DUT_REPLY_MAX];
	size_t len = 0, rl = strlen(req);
	json_t *reply = NULL;
	struct pollfd pfd;
	ssize_t n;
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return NULL;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return NULL;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    write(fd, req, rl) != (ssize_t)rl)
		goto out;
	pfd = (struct pollfd){.fd = fd, .events = POLLIN};
	while (len < sizeof(buf) - 1) {
		if (poll(&pfd, 1, NFVB_DUT_TIMEOUT_MS) <= 0)
			goto out;
		n = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (n <= 0)
			goto out;
		len += (size_t)n;
		if (memchr(buf + len - (size_t)n, '\n', (size_t)n) != NULL)
			break;
	}
	buf[len] = '\0';
	reply = json_loads(buf, JSON_DISABLE_EOF_CHECK, NULL);
out:
	close(fd);
	return reply;
}

int
nfvb_dut_sample(const char *path, struct nfvb_dut *d)
{
	json_t *reply, *workers, *w;
	size_t i;

	memset(d, 0, sizeof(*d));
	reply = nfvb_dut_call(path, "{\"cmd\": \"show stats\"}\n");
	if (reply == NULL)
		return -EIO;
	workers = json_object_get(json_object_get(reply, "result"), "workers");
	if (!json_is_true(json_object_get(reply, "ok")) ||
	    !json_is_array(workers)) {
		json_decref(reply);
		return -EPROTO;
	}
	json_array_foreach(workers, i, w) {
		if (d->n == NFVB_DUT_MAX_WORKERS)
			break;
		d->pkts[d->n] = (uint64_t)json_integer_value(
			json_object_get(w, "packets"));
		d->busy[d->n] = (uint64_t)json_integer_value(
			json_object_get(w, "busy_cycles"));
		d->n++;
	}
	json_decref(reply);
	return 0;
}

void
nfvb_dut_diff(struct nfvb_dut *after, const struct nfvb_dut *before)
{
	unsigned int i;

	/* A restarted nfvd (fewer workers, counters from 0) gives nothing. */
	if (after->n != before->n) {
		after->n = 0;
		return;
	}
	for (i = 0; i < after->n; i++) {
		after->pkts[i] -= RTE_MIN(after->pkts[i], before->pkts[i]);
		after->busy[i] -= RTE_MIN(after->busy[i], before->busy[i]);
	}
}
