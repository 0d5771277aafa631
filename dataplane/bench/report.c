/* SPDX-License-Identifier: BSD-3-Clause
 *
 * report.c - what nfv-bench prints and writes: a line per trial while it
 * runs, a table at the end, JSON (schema in docs/benchmarks.md) and a
 * gnuplot PNG of throughput against frame size.  Main thread only.
 *
 * Units: Mpps = 10^6 frames per second; Gbps = 10^9 bits per second of
 * frames including their FCS (layer 2; add 20 bytes per frame for layer
 * 1); latency in microseconds from the TX timestamp in the frame to its
 * arrival (closed loop: it includes the time spent queued behind the
 * other frames in flight).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "dataplane/bench/bench.h"

uint32_t
nfvb_hist_low(unsigned int b)
{
	unsigned int e;

	if (b < 64)
		return b;
	e = (b - 64) / 32 + 6;
	return (32 + (b - 64) % 32) << (e - 5);
}

double
nfvb_lat_quantile(const struct nfvb_lat *l, double q)
{
	uint64_t want, seen = 0;
	unsigned int b;

	if (l->n == 0)
		return 0;
	want = (uint64_t)(q * (double)l->n);
	if (want >= l->n)
		want = l->n - 1;
	for (b = 0; b < NFVB_HIST_BUCKETS; b++) {
		seen += l->hist[b];
		if (seen > want) {
			/* Middle of the bucket, inside the true range. */
			double lo = nfvb_hist_low(b);
			double hi = b + 1 < NFVB_HIST_BUCKETS ?
					    nfvb_hist_low(b + 1) :
					    lo;
			double mid = (lo + hi) / 2;

			if (mid < l->min)
				mid = l->min;
			if (mid > l->max)
				mid = l->max;
			return mid;
		}
	}
	return l->max;
}

static double
nfvb_us(const struct nfvb_ctx *c, double cycles)
{
	return cycles * 1e6 / (double)c->hz;
}

static double
nfvb_mpps(uint64_t pkts, double dur)
{
	return dur > 0 ? (double)pkts / dur / 1e6 : 0;
}

static double
nfvb_gbps(uint64_t bytes, double dur)
{
	return dur > 0 ? (double)bytes * 8 / dur / 1e9 : 0;
}

/* Latency over every sending port of a trial. */
static void
nfvb_trial_lat(const struct nfvb_trial *t, struct nfvb_lat *out)
{
	unsigned int p, b;

	memset(out, 0, sizeof(*out));
	out->min = UINT32_MAX;
	for (p = 0; p < t->n_ports; p++) {
		const struct nfvb_lat *l = &t->ps[p].lat;

		if (l->n == 0)
			continue;
		out->n += l->n;
		out->sum += l->sum;
		out->min = RTE_MIN(out->min, l->min);
		out->max = RTE_MAX(out->max, l->max);
		for (b = 0; b < NFVB_HIST_BUCKETS; b++)
			out->hist[b] += l->hist[b];
	}
}

void
nfvb_report_trial(const struct nfvb_ctx *c, const struct nfvb_trial *t)
{
	static struct nfvb_lat lat;
	char sz[16], asked[48], latb[64] = "";

	nfvb_trial_lat(t, &lat);
	if (t->closed_loop)
		snprintf(asked, sizeof(asked), "closed loop %ux%u",
			 c->o->inflight, c->o->burst);
	else
		snprintf(asked, sizeof(asked), "asked %.3f Mpps",
			 t->requested_pps / 1e6);
	if (lat.n > 0)
		snprintf(latb, sizeof(latb), "  lat p50 %.1f p99 %.1f us",
			 nfvb_us(c, nfvb_lat_quantile(&lat, 0.5)),
			 nfvb_us(c, nfvb_lat_quantile(&lat, 0.99)));
	printf("nfv-bench: [%u] %-7s %4s B  %s  sent %.3f  recv %.3f Mpps/port  loss %.4f%%%s  gen busy %.0f%%%s%s\n",
	       t->index, t->kind, nfvb_size_name(t->size, sz, sizeof(sz)),
	       asked, nfvb_trial_offered_pps(t) / 1e6,
	       nfvb_trial_rx_pps(t) / 1e6, nfvb_trial_loss_pct(t), latb,
	       t->gen_busy_pct,
	       t->has_pass ? (t->pass ? "  PASS" : "  FAIL") : "",
	       t->gen_limited ? "  (generator-limited)" : "");
	fflush(stdout);
}

/* --queues > 1: what each queue of a port carried in the window, so that
 * a queue that carried nothing shows. */
static void
nfvb_report_queues(const struct nfvb_ctx *c, const struct nfvb_pstats *ps)
{
	unsigned int q;

	printf("          queues sent");
	for (q = 0; q < c->o->queues; q++)
		printf(" %u:%llu", q, (unsigned long long)ps->tx_q[q]);
	printf(", received");
	for (q = 0; q < c->o->queues; q++)
		printf(" %u:%llu", q, (unsigned long long)ps->rx_q[q]);
	printf(" (reordered counts per flow)\n");
}

/* --dut-socket: what each of nfvd's workers paid in the trial. */
static void
nfvb_report_dut(const struct nfvb_trial *t)
{
	unsigned int w;

	if (!t->has_dut)
		return;
	for (w = 0; w < t->dut.n; w++)
		printf("  nfvd worker %u: %llu packets, %.1f busy "
		       "cycles/packet\n",
		       w, (unsigned long long)t->dut.pkts[w],
		       t->dut.pkts[w] == 0 ? 0.0
					   : (double)t->dut.busy[w] /
						     (double)t->dut.pkts[w]);
}

void
nfvb_report_table(const struct nfvb_ctx *c, const struct nfvb_result *res,
		  unsigned int n)
{
	bool any_limited = false;
	unsigned int i, p;
	char sz[16];

	printf("\n%-6s %-8s %10s %10s %9s %s\n", "size", "result",
	       "Mpps/port", "Gbps/port", "loss %",
	       "latency us: min / mean / p50 / p99 / max");
	for (i = 0; i < n; i++) {
		const struct nfvb_result *r = &res[i];
		const struct nfvb_trial *t;
		static struct nfvb_lat lat;

		nfvb_size_name(r->size, sz, sizeof(sz));
		if (r->final < 0) {
			printf("%-6s %-8s %10s\n", sz, "none", "-");
			continue;
		}
		t = &r->trials[r->final];
		nfvb_trial_lat(t, &lat);
		if (r->gen_limited)
			any_limited = true;
		printf("%-6s %-8s %10.3f %10.3f %9.4f ", sz,
		       t->closed_loop ? "loop" :
		       c->o->mode == NFVB_MODE_RFC2544 ?
				       (r->found ? (r->gen_limited ? "zeroloss*" : "zeroloss") :
						   "none") :
				       (r->gen_limited ? "rate*" : "rate"),
		       r->throughput_pps / 1e6, r->throughput_bps / 1e9,
		       nfvb_trial_loss_pct(t));
		if (lat.n > 0)
			printf("%.1f / %.1f / %.1f / %.1f / %.1f\n",
			       nfvb_us(c, lat.min),
			       nfvb_us(c, (double)lat.sum / (double)lat.n),
			       nfvb_us(c, nfvb_lat_quantile(&lat, 0.5)),
			       nfvb_us(c, nfvb_lat_quantile(&lat, 0.99)),
			       nfvb_us(c, lat.max));
		else
			printf("-\n");
		for (p = 0; p < t->n_ports; p++) {
			const struct nfvb_pstats *ps = &t->ps[p];

			printf("  port %u: sent %.3f Mpps %.3f Gbps, received %.3f Mpps %.3f Gbps, lost %llu, refused %llu, reordered %llu\n",
			       p, nfvb_mpps(ps->tx_pkts, t->duration),
			       nfvb_gbps(ps->tx_bytes, t->duration),
			       nfvb_mpps(ps->rx_pkts, t->duration),
			       nfvb_gbps(ps->rx_bytes, t->duration),
			       (unsigned long long)(ps->tx_pkts > ps->delivered ?
				       ps->tx_pkts - ps->delivered : 0),
			       (unsigned long long)ps->tx_refused,
			       (unsigned long long)ps->reordered);
			if (c->o->queues > 1)
				nfvb_report_queues(c, ps);
		}
		nfvb_report_dut(t);
	}
	if (any_limited)
		printf("* generator-limited: it sent under 99%% of the rate asked (a busy core?)\n");
	fflush(stdout);
}

static json_t *
nfvb_json_queues(const struct nfvb_ctx *c, const uint64_t *per_q)
{
	json_t *a = json_array();
	unsigned int q;

	for (q = 0; q < c->o->queues; q++)
		json_array_append_new(a, json_integer((json_int_t)per_q[q]));
	return a;
}

static json_t *
nfvb_json_lat(const struct nfvb_ctx *c, const struct nfvb_lat *l)
{
	if (l->n == 0)
		return json_null();
	return json_pack("{s:f, s:f, s:f, s:f, s:f, s:I}", "min",
			 nfvb_us(c, l->min), "mean",
			 nfvb_us(c, (double)l->sum / (double)l->n), "p50",
			 nfvb_us(c, nfvb_lat_quantile(l, 0.5)), "p99",
			 nfvb_us(c, nfvb_lat_quantile(l, 0.99)), "max",
			 nfvb_us(c, l->max), "samples", (json_int_t)l->n);
}

static json_t *
nfvb_json_size(unsigned int size)
{
	return size == NFVB_SIZE_IMIX ? json_string("imix") :
					json_integer(size);
}

static json_t *
nfvb_json_trial(const struct nfvb_ctx *c, const struct nfvb_trial *t)
{
	static struct nfvb_lat lat;
	json_t *ports = json_array(), *o;
	unsigned int p;

	for (p = 0; p < t->n_ports; p++) {
		const struct nfvb_pstats *ps = &t->ps[p];
		uint64_t lost = ps->tx_pkts > ps->delivered ?
					ps->tx_pkts - ps->delivered : 0;

		json_array_append_new(
			ports,
			json_pack("{s:i, s:b, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:f, s:f, s:f, s:f, s:f, s:o}",
				  "port", (int)p, "sending", t->tx_on[p],
				  "tx_packets", (json_int_t)ps->tx_pkts,
				  "tx_bytes", (json_int_t)ps->tx_bytes,
				  "tx_refused", (json_int_t)ps->tx_refused,
				  "rx_packets", (json_int_t)ps->rx_pkts,
				  "rx_bytes", (json_int_t)ps->rx_bytes,
				  "delivered", (json_int_t)ps->delivered,
				  "lost", (json_int_t)lost,
				  "reordered", (json_int_t)ps->reordered,
				  "foreign", (json_int_t)ps->foreign,
				  "stale", (json_int_t)ps->stale,
				  "offered_mpps", nfvb_mpps(ps->tx_pkts, t->duration),
				  "offered_gbps", nfvb_gbps(ps->tx_bytes, t->duration),
				  "received_mpps", nfvb_mpps(ps->rx_pkts, t->duration),
				  "received_gbps", nfvb_gbps(ps->rx_bytes, t->duration),
				  "loss_pct",
				  (ps->tx_pkts + ps->tx_refused) == 0 ? 0.0 :
				  100.0 * (double)(lost + ps->tx_refused) /
					  (double)(ps->tx_pkts + ps->tx_refused),
				  "latency_us", nfvb_json_lat(c, &ps->lat)));
		if (c->o->queues > 1) {
			json_t *po = json_array_get(ports, p);

			json_object_set_new(po, "tx_queue_packets",
					    nfvb_json_queues(c, ps->tx_q));
			json_object_set_new(po, "rx_queue_packets",
					    nfvb_json_queues(c, ps->rx_q));
		}
	}
	nfvb_trial_lat(t, &lat);
	o = json_pack("{s:i, s:s, s:o, s:b, s:o, s:f, s:o, s:b, s:f, s:f, s:f, s:f, s:o, s:o}",
		      "index", (int)t->index, "kind", t->kind, "size",
		      nfvb_json_size(t->size), "closed_loop", t->closed_loop,
		      "requested_pps",
		      t->closed_loop ? json_null() : json_real(t->requested_pps),
		      "duration_s", t->duration, "pass",
		      t->has_pass ? json_boolean(t->pass) : json_null(),
		      "generator_limited", t->gen_limited, "generator_busy_pct",
		      t->gen_busy_pct, "offered_mpps",
		      nfvb_trial_offered_pps(t) / 1e6, "received_mpps",
		      nfvb_trial_rx_pps(t) / 1e6, "loss_pct",
		      nfvb_trial_loss_pct(t), "latency_us",
		      nfvb_json_lat(c, &lat), "ports", ports);
	if (t->has_dut) {
		json_t *dw = json_array();
		unsigned int w;

		for (w = 0; w < t->dut.n; w++)
			json_array_append_new(
				dw,
				json_pack("{s:i, s:I, s:I, s:f}", "id", (int)w,
					  "packets", (json_int_t)t->dut.pkts[w],
					  "busy_cycles",
					  (json_int_t)t->dut.busy[w],
					  "cycles_per_packet",
					  t->dut.pkts[w] == 0
						  ? 0.0
						  : (double)t->dut.busy[w] /
							    (double)t->dut
								    .pkts[w]));
		json_object_set_new(o, "dut_workers", dw);
	}
	return o;
}

static const char *
nfvb_mode_name(enum nfvb_mode m, const struct nfvb_opts *o)
{
	switch (m) {
	case NFVB_MODE_RFC2544:
		return "rfc2544";
	case NFVB_MODE_VNF_COST:
		return "vnf-cost";
	default:
		return o->rate.kind == NFVB_RATE_NONE ? "closed-loop" : "rate";
	}
}

static json_t *
nfvb_json_config(const struct nfvb_ctx *c)
{
	const struct nfvb_opts *o = c->o;
	static const char *const kinds[] = {"virtio-user", "self-test",
					    "test-dut"};
	json_t *ports = json_array(), *sizes = json_array(), *cfg;
	unsigned int i;

	for (i = 0; i < c->n_ports; i++) {
		char mac[18], peer[18];
		const uint8_t *a = c->ports[i].mac, *b = c->ports[i].peer_mac;

		snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x",
			 a[0], a[1], a[2], a[3], a[4], a[5]);
		snprintf(peer, sizeof(peer), "%02x:%02x:%02x:%02x:%02x:%02x",
			 b[0], b[1], b[2], b[3], b[4], b[5]);
		json_array_append_new(
			ports,
			json_pack("{s:i, s:o, s:s, s:s, s:i}", "port", (int)i,
				  "path",
				  o->ports_kind == NFVB_PORTS_VIRTIO ?
					  json_string(o->ports[i].path) :
					  json_null(),
				  "mac", mac, "peer_mac", peer, "peer",
				  (int)(i ^ 1)));
	}
	for (i = 0; i < o->n_sizes; i++)
		json_array_append_new(sizes, nfvb_json_size(o->sizes[i]));
	cfg = json_pack("{s:s, s:s, s:o, s:o, s:I, s:s, s:s, s:b, s:i, s:i, s:f, s:f, s:f}",
			"mode", nfvb_mode_name(o->mode, o), "ports_kind",
			kinds[o->ports_kind], "ports", ports, "sizes", sizes,
			"flows", (json_int_t)o->flows, "l3",
			o->ipv6 ? "ipv6" : "ipv4", "l4", o->tcp ? "tcp" : "udp",
			"bidirectional", !o->unidir, "burst", (int)o->burst,
			"inflight", (int)o->inflight, "line_rate_gbps",
			o->line_gbps, "duration_s", o->duration, "warmup_s",
			o->warmup);
	if (o->mode == NFVB_MODE_RFC2544)
		json_object_set_new(
			cfg, "rfc2544",
			json_pack("{s:f, s:f, s:f}", "loss_tolerance_pct",
				  o->loss_tol, "trial_s", o->trial_time,
				  "verify_s", o->verify_time));
	if (o->ports_kind == NFVB_PORTS_TEST_DUT)
		json_object_set_new(cfg, "test_dut_mpps",
				    json_real(o->test_dut_pps / 1e6));
	/* With queues, "reordered" counts per flow (trial.c). */
	json_object_set_new(cfg, "queues", json_integer((json_int_t)o->queues));
	return cfg;
}

int
nfvb_report_json(const struct nfvb_ctx *c, const struct nfvb_result *res,
		 unsigned int n, json_t *extra, const char *path)
{
	json_t *root, *results = json_array();
	char when[32];
	time_t now = time(NULL);
	unsigned int i, k;
	int rc;

	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	for (i = 0; i < n; i++) {
		const struct nfvb_result *r = &res[i];
		json_t *trials = json_array();

		for (k = 0; k < r->n_trials; k++)
			json_array_append_new(trials,
					      nfvb_json_trial(c, &r->trials[k]));
		json_array_append_new(
			results,
			json_pack("{s:o, s:f, s:b, s:b, s:o, s:f, s:f, s:o}", "size",
				  nfvb_json_size(r->size), "mean_frame_bytes",
				  r->mean_size, "found", r->found,
				  "generator_limited", r->gen_limited,
				  "final_trial",
				  r->final >= 0 ? json_integer(r->final) :
						  json_null(),
				  "throughput_mpps", r->throughput_pps / 1e6,
				  "throughput_gbps", r->throughput_bps / 1e9,
				  "trials", trials));
	}
	root = json_pack("{s:s, s:s, s:i, s:s, s:I, s:o, s:o}", "tool",
			 "nfv-bench", "version", NFVB_VERSION, "schema",
			 NFVB_SCHEMA, "started", when, "tsc_hz",
			 (json_int_t)c->hz, "config", nfvb_json_config(c),
			 "results", results);
	if (root == NULL)
		return -ENOMEM;
	if (extra != NULL)
		json_object_update(root, extra);
	rc = json_dump_file(root, path, JSON_INDENT(2) | JSON_REAL_PRECISION(9));
	json_decref(root);
	return rc == 0 ? 0 : -EIO;
}

static bool
nfvb_have_gnuplot(void)
{
	const char *path = getenv("PATH");
	char *dup, *dir, *save = NULL, buf[4096];
	bool found = false;

	if (path == NULL)
		path = "/usr/bin:/bin";
	dup = strdup(path);
	if (dup == NULL)
		return false;
	for (dir = strtok_r(dup, ":", &save); dir != NULL && !found;
	     dir = strtok_r(NULL, ":", &save)) {
		snprintf(buf, sizeof(buf), "%s/gnuplot", dir);
		found = access(buf, X_OK) == 0;
	}
	free(dup);
	return found;
}

int
nfvb_report_plot(const struct nfvb_ctx *c, const struct nfvb_result *res,
		 unsigned int n, const char *path)
{
	char data[] = "/tmp/nfv-bench-plot-XXXXXX";
	char script[] = "/tmp/nfv-bench-gp-XXXXXX";
	char sz[16];
	unsigned int i;
	FILE *f = NULL, *g = NULL;
	int fd, gd = -1, st, rc = -EIO;
	pid_t pid;

	RTE_SET_USED(c);
	if (!nfvb_have_gnuplot()) {
		fprintf(stderr,
			"nfv-bench: --plot: gnuplot not found (apt-get install gnuplot-nox); no plot written\n");
		return -ENOENT;
	}
	fd = mkstemp(data);
	if (fd < 0)
		return -errno;
	gd = mkstemp(script);
	if (gd < 0)
		goto out;
	f = fdopen(fd, "w");
	g = fdopen(gd, "w");
	if (f == NULL || g == NULL)
		goto out;
	for (i = 0; i < n; i++)
		fprintf(f, "%.1f %.6f %.6f %s\n", res[i].mean_size,
			res[i].throughput_pps / 1e6, res[i].throughput_bps / 1e9,
			nfvb_size_name(res[i].size, sz, sizeof(sz)));
	/* gnuplot takes a script file; -e with several lines it does not. */
	fprintf(g,
		"set terminal pngcairo size 900,560 noenhanced\n"
		"set output '%s'\n"
		"set title 'nfv-bench: throughput per port by frame size'\n"
		"set xlabel 'frame size (bytes, FCS included; imix at its mean)'\n"
		"set ylabel 'Mpps'\nset y2label 'Gbit/s (layer 2)'\n"
		"set ytics nomirror\nset y2tics\nset grid\n"
		"set yrange [0:*]\nset y2range [0:*]\nset key top center\n"
		"plot '%s' using 1:2 with linespoints lw 2 title 'Mpps', "
		"'' using 1:3 axes x1y2 with linespoints lw 2 title 'Gbit/s', "
		"'' using 1:2:4 with labels offset 0,1 notitle\n",
		path, data);
	fclose(f);
	fclose(g);
	f = g = NULL;
	fd = gd = -1;
	pid = fork();
	if (pid < 0)
		goto out;
	if (pid == 0) {
		execlp("gnuplot", "gnuplot", script, (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) < 0)
		st = -1;
	if (st == 0 && access(path, R_OK) == 0)
		rc = 0;
	else
		fprintf(stderr, "nfv-bench: --plot: gnuplot failed; no plot written\n");
out:
	if (f != NULL)
		fclose(f);
	else if (fd >= 0)
		close(fd);
	if (g != NULL)
		fclose(g);
	else if (gd >= 0)
		close(gd);
	unlink(data);
	unlink(script);
	return rc;
}
