/* SPDX-License-Identifier: BSD-3-Clause
 *
 * opts.c - nfv-bench's command line.  Every bad argument is reported in
 * one line that names the option, followed by "try --help", and the
 * program exits with 2 before anything is started.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dataplane/bench/bench.h"

void
nfvb_usage(FILE *f)
{
	fprintf(f,
"usage: nfv-bench [OPTIONS] [-- EAL-ARGS]\n"
"\n"
"Ports (they pair up: 0<->1, 2<->3; port p sends to its peer p^1):\n"
"  -p, --port PATH[,mac=MAC][,peer=MAC][,server]\n"
"                        virtio-user port on the vhost-user socket PATH\n"
"                        (repeat); `server`: nfv-bench listens, the device\n"
"                        connects (OVS dpdkvhostuserclient)\n"
"      --self-test       no device: ports 0 and 1 joined by rings; reports\n"
"                        nfv-bench's own ceiling\n"
"      --test-dut MPPS   ports 0 and 1 through an in-process forwarder that\n"
"                        drops above MPPS per direction (for tests)\n"
"Traffic:\n"
"  -s, --size LIST       frame sizes 64..1518 with FCS, or `imix` (7:4:1 of\n"
"                        64/594/1518), comma separated: one result each [64]\n"
"  -f, --flows N         flows per direction, 1..1048576 [1]\n"
"      --vary FIELDS     what changes from flow to flow: src-ip, dst-ip,\n"
"                        src-port, dst-port, src-mac (comma list) [src-ip]\n"
"      --ipv6            IPv6 (default IPv4)\n"
"      --tcp             TCP (default UDP)\n"
"      --src-ip A        address of the even ports' side\n"
"                        [198.18.0.1 | 2001:2::1]\n"
"      --dst-ip A        address of the odd ports' side\n"
"                        [198.19.0.1 | 2001:2:0:1::1]\n"
"      --src-range A/LEN spread the even side's addresses over the network\n"
"                        A/LEN instead of counting from --src-ip: flow f\n"
"                        gets a fixed pseudo-random address (a hash of f;\n"
"                        distinct while f < 2^host bits) so flows hit many\n"
"                        routes of a table, not one /24 (varies src-ip)\n"
"      --dst-range A/LEN the same for the odd side (varies dst-ip), e.g.\n"
"                        --src-range 32.0.0.0/3 --dst-range 128.0.0.0/3\n"
"      --src-port N      [1024]   --dst-port N  [1024]\n"
"  -u, --unidirectional  only the even ports send\n"
"Load:\n"
"  -r, --rate RATE       open loop, per sending port: 5Mpps, 800kpps,\n"
"                        2.5Gbps (layer 1), 50%% (of --line-rate)\n"
"                        [closed loop: --inflight bursts circulate]\n"
"      --inflight N      closed loop: bursts in flight per port [8]\n"
"  -b, --burst N         frames per burst, 1..64 [32]\n"
"      --line-rate GBPS  what 100%% means [10]\n"
"  -d, --duration S      measured seconds per trial [10]\n"
"  -w, --warmup S        unmeasured seconds before each trial [1]\n"
"RFC 2544 zero-loss search (open loop):\n"
"      --rfc2544         binary search on the offered rate, per size\n"
"      --max-rate RATE   first and highest rate tried [100%%]\n"
"      --min-rate RATE   lowest rate tried [0]\n"
"      --precision RATE  stop when the bracket is this narrow [0.5%%]\n"
"      --loss-tolerance PCT  loss still counted as a pass [0]\n"
"      --trial-time S    seconds per search trial [2]\n"
"      --verify-time S   final verification trial, 0 = none [10]\n"
"Output:\n"
"  -j, --json FILE       results as JSON (schema: docs/benchmarks.md)\n"
"      --plot FILE.png   throughput against frame size (gnuplot)\n"
"      --write-pcap FILE write frames it would send and exit (no EAL)\n"
"  -q, --quiet           no line per trial\n"
"Per-function cost (no ports):\n"
"      --vnf-cost CONFIG run the VNFs of an nfvd config on prepared bursts\n"
"                        and print cycles per packet per VNF and chain\n"
"      --iterations N    bursts to time [200000]\n"
"Process:\n"
"      --cpu N           core of the generator thread [0]\n"
"      --file-prefix P   EAL file prefix [nfvbench]\n"
"      --memory MB       [256]\n"
"      --no-huge         anonymous memory instead of hugepages\n"
"      --ring-size N     virtio ring size [1024]\n"
"      --drain-quiet MS  a trial's drain ends after MS without a frame\n"
"                        (or all arrived, or 1 s) [10]; more where the\n"
"                        device shares a CPU and can stall that long\n"
"      --dut-socket PATH nfvd's control socket: before and after each\n"
"                        trial read its workers' packets and busy cycles\n"
"                        and print busy cycles per packet per worker\n"
"      --queues N        queue pairs per port, 1..8 [1]: flow f goes out on\n"
"                        TX queue f mod N (per-flow order is then checked\n"
"                        per flow, not per port); --port and --self-test\n"
"  -h, --help            this text\n");
}

enum {
	OPT_SELF_TEST = 256,
	OPT_TEST_DUT,
	OPT_VARY,
	OPT_IPV6,
	OPT_TCP,
	OPT_SRC_IP,
	OPT_DST_IP,
	OPT_SRC_RANGE,
	OPT_DST_RANGE,
	OPT_SRC_PORT,
	OPT_DST_PORT,
	OPT_INFLIGHT,
	OPT_LINE_RATE,
	OPT_RFC2544,
	OPT_MAX_RATE,
	OPT_MIN_RATE,
	OPT_PRECISION,
	OPT_LOSS_TOL,
	OPT_TRIAL_TIME,
	OPT_VERIFY_TIME,
	OPT_PLOT,
	OPT_PCAP,
	OPT_VNF_COST,
	OPT_ITERATIONS,
	OPT_CPU,
	OPT_FILE_PREFIX,
	OPT_MEMORY,
	OPT_NO_HUGE,
	OPT_RING_SIZE,
	OPT_QUEUES,
	OPT_DRAIN_QUIET,
	OPT_DUT_SOCKET,
};

static const struct option nfvb_long_opts[] = {
	{"port", required_argument, NULL, 'p'},
	{"self-test", no_argument, NULL, OPT_SELF_TEST},
	{"test-dut", required_argument, NULL, OPT_TEST_DUT},
	{"size", required_argument, NULL, 's'},
	{"flows", required_argument, NULL, 'f'},
	{"vary", required_argument, NULL, OPT_VARY},
	{"ipv6", no_argument, NULL, OPT_IPV6},
	{"tcp", no_argument, NULL, OPT_TCP},
	{"src-ip", required_argument, NULL, OPT_SRC_IP},
	{"dst-ip", required_argument, NULL, OPT_DST_IP},
	{"src-range", required_argument, NULL, OPT_SRC_RANGE},
	{"dst-range", required_argument, NULL, OPT_DST_RANGE},
	{"src-port", required_argument, NULL, OPT_SRC_PORT},
	{"dst-port", required_argument, NULL, OPT_DST_PORT},
	{"unidirectional", no_argument, NULL, 'u'},
	{"rate", required_argument, NULL, 'r'},
	{"inflight", required_argument, NULL, OPT_INFLIGHT},
	{"burst", required_argument, NULL, 'b'},
	{"line-rate", required_argument, NULL, OPT_LINE_RATE},
	{"duration", required_argument, NULL, 'd'},
	{"warmup", required_argument, NULL, 'w'},
	{"rfc2544", no_argument, NULL, OPT_RFC2544},
	{"max-rate", required_argument, NULL, OPT_MAX_RATE},
	{"min-rate", required_argument, NULL, OPT_MIN_RATE},
	{"precision", required_argument, NULL, OPT_PRECISION},
	{"loss-tolerance", required_argument, NULL, OPT_LOSS_TOL},
	{"trial-time", required_argument, NULL, OPT_TRIAL_TIME},
	{"verify-time", required_argument, NULL, OPT_VERIFY_TIME},
	{"json", required_argument, NULL, 'j'},
	{"plot", required_argument, NULL, OPT_PLOT},
	{"write-pcap", required_argument, NULL, OPT_PCAP},
	{"quiet", no_argument, NULL, 'q'},
	{"vnf-cost", required_argument, NULL, OPT_VNF_COST},
	{"iterations", required_argument, NULL, OPT_ITERATIONS},
	{"cpu", required_argument, NULL, OPT_CPU},
	{"file-prefix", required_argument, NULL, OPT_FILE_PREFIX},
	{"memory", required_argument, NULL, OPT_MEMORY},
	{"no-huge", no_argument, NULL, OPT_NO_HUGE},
	{"ring-size", required_argument, NULL, OPT_RING_SIZE},
	{"queues", required_argument, NULL, OPT_QUEUES},
	{"drain-quiet", required_argument, NULL, OPT_DRAIN_QUIET},
	{"dut-socket", required_argument, NULL, OPT_DUT_SOCKET},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

static int
nfvb_bad(const char *opt, const char *arg, const char *why)
{
	fprintf(stderr, "nfv-bench: --%s%s%s: %s (try --help)\n", opt,
		arg ? " " : "", arg ? arg : "", why);
	return NFVB_EXIT_USAGE;
}

int
nfvb_parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int b[6];
	char tail;
	int i;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x%c", &b[0], &b[1], &b[2], &b[3],
		   &b[4], &b[5], &tail) != 6)
		return -EINVAL;
	for (i = 0; i < 6; i++) {
		if (b[i] > 0xff)
			return -EINVAL;
		mac[i] = (uint8_t)b[i];
	}
	return 0;
}

/* A finite number with nothing after it except an optional suffix. */
static int
nfvb_parse_double(const char *s, double lo, double hi, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || *end != '\0' || errno != 0 || !isfinite(v) || v < lo ||
	    v > hi)
		return -EINVAL;
	*out = v;
	return 0;
}

static int
nfvb_parse_ulong(const char *s, unsigned long lo, unsigned long hi,
		 unsigned long *out)
{
	char *end;
	unsigned long v;

	if (*s == '-' || *s == '\0')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 0);
	if (*end != '\0' || errno != 0 || v < lo || v > hi)
		return -EINVAL;
	*out = v;
	return 0;
}

int
nfvb_parse_rate(const char *s, struct nfvb_rate *r)
{
	static const struct {
		const char *suffix;
		enum nfvb_rate_kind kind;
		double mul;
	} units[] = {
		{"%", NFVB_RATE_PCT, 1},      {"gpps", NFVB_RATE_PPS, 1e9},
		{"mpps", NFVB_RATE_PPS, 1e6}, {"kpps", NFVB_RATE_PPS, 1e3},
		{"pps", NFVB_RATE_PPS, 1},    {"gbps", NFVB_RATE_BPS, 1e9},
		{"mbps", NFVB_RATE_BPS, 1e6}, {"kbps", NFVB_RATE_BPS, 1e3},
		{"bps", NFVB_RATE_BPS, 1},
	};
	char num[64];
	size_t n = strlen(s), k;
	unsigned int i;
	double v;

	for (i = 0; i < RTE_DIM(units); i++) {
		k = strlen(units[i].suffix);
		if (n <= k || n - k >= sizeof(num) ||
		    strcasecmp(s + n - k, units[i].suffix) != 0)
			continue;
		memcpy(num, s, n - k);
		num[n - k] = '\0';
		if (nfvb_parse_double(num, 0, 1e12, &v) < 0)
			return -EINVAL;
		if (units[i].kind == NFVB_RATE_PCT && v > 100)
			return -ERANGE;
		r->kind = units[i].kind;
		r->v = v * units[i].mul;
		return 0;
	}
	return -EINVAL;
}

double
nfvb_rate_pps(const struct nfvb_rate *r, double mean, double line_gbps)
{
	/* Layer 1: a frame costs its bytes plus preamble, SFD and gap. */
	double l1_bits = (mean + 20) * 8;

	switch (r->kind) {
	case NFVB_RATE_PPS:
		return r->v;
	case NFVB_RATE_BPS:
		return r->v / l1_bits;
	case NFVB_RATE_PCT:
		return line_gbps * 1e9 * r->v / 100 / l1_bits;
	default:
		return 0;
	}
}

const char *
nfvb_size_name(unsigned int size, char *buf, size_t len)
{
	if (size == NFVB_SIZE_IMIX)
		snprintf(buf, len, "imix");
	else
		snprintf(buf, len, "%u", size);
	return buf;
}

/* PATH[,mac=MAC][,peer=MAC][,server] */
static int
nfvb_parse_port(struct nfvb_opts *o, const char *arg)
{
	struct nfvb_port_opts *p;
	char *dup, *tok, *save = NULL;

	if (o->n_ports == NFVB_MAX_PORTS)
		return nfvb_bad("port", arg, "too many ports (at most 8)");
	p = &o->ports[o->n_ports];
	dup = strdup(arg);
	if (dup == NULL)
		return nfvb_bad("port", arg, "out of memory");
	tok = strtok_r(dup, ",", &save);
	if (tok == NULL || *tok == '\0' || strchr(tok, '=') != NULL) {
		free(dup);
		return nfvb_bad("port", arg, "needs a socket path first");
	}
	if (strlen(tok) >= 108) {
		free(dup);
		return nfvb_bad("port", arg, "socket path too long");
	}
	p->path = strdup(tok);
	while ((tok = strtok_r(NULL, ",", &save)) != NULL) {
		if (strncmp(tok, "mac=", 4) == 0 &&
		    nfvb_parse_mac(tok + 4, p->mac) == 0) {
			p->has_mac = true;
		} else if (strncmp(tok, "peer=", 5) == 0 &&
			   nfvb_parse_mac(tok + 5, p->peer) == 0) {
			p->has_peer = true;
		} else if (strcmp(tok, "server") == 0 ||
			   strcmp(tok, "server=1") == 0) {
			p->server = true;
		} else {
			int rc = nfvb_bad("port", arg,
					  "options are mac=MAC, peer=MAC, server");

			free(dup);
			return rc;
		}
	}
	free(dup);
	o->n_ports++;
	return 0;
}

static int
nfvb_parse_sizes(struct nfvb_opts *o, const char *arg)
{
	char *dup = strdup(arg), *tok, *save = NULL;
	unsigned long v;
	int rc = 0;

	if (dup == NULL)
		return nfvb_bad("size", arg, "out of memory");
	o->n_sizes = 0;
	for (tok = strtok_r(dup, ",", &save); tok != NULL;
	     tok = strtok_r(NULL, ",", &save)) {
		if (o->n_sizes == NFVB_MAX_SIZES) {
			rc = nfvb_bad("size", arg, "at most 16 sizes");
			break;
		}
		if (strcasecmp(tok, "imix") == 0) {
			o->sizes[o->n_sizes++] = NFVB_SIZE_IMIX;
			continue;
		}
		if (nfvb_parse_ulong(tok, NFVB_MIN_SIZE, NFVB_MAX_SIZE, &v) <
		    0) {
			rc = nfvb_bad("size", arg,
				      "sizes are 64..1518 or imix");
			break;
		}
		o->sizes[o->n_sizes++] = (unsigned int)v;
	}
	if (rc == 0 && o->n_sizes == 0)
		rc = nfvb_bad("size", arg, "no size given");
	free(dup);
	return rc;
}

static int
nfvb_parse_vary(struct nfvb_opts *o, const char *arg)
{
	static const struct {
		const char *name;
		unsigned int bit;
	} f[] = {
		{"src-ip", NFVB_VARY_SRC_IP},	  {"dst-ip", NFVB_VARY_DST_IP},
		{"src-port", NFVB_VARY_SRC_PORT}, {"dst-port", NFVB_VARY_DST_PORT},
		{"src-mac", NFVB_VARY_SRC_MAC},
	};
	char *dup = strdup(arg), *tok, *save = NULL;
	unsigned int i;
	int rc = 0;

	if (dup == NULL)
		return nfvb_bad("vary", arg, "out of memory");
	o->vary = 0;
	for (tok = strtok_r(dup, ",", &save); tok != NULL && rc == 0;
	     tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < RTE_DIM(f); i++)
			if (strcmp(tok, f[i].name) == 0)
				break;
		if (i == RTE_DIM(f))
			rc = nfvb_bad("vary", arg,
				      "fields are src-ip, dst-ip, src-port, dst-port, src-mac");
		else
			o->vary |= f[i].bit;
	}
	free(dup);
	return rc;
}

/*
 * --src-range/--dst-range A/LEN (i: 0 src, 1 dst), once the family is
 * known: a network with at least one host bit, its host bits clear.
 */
static int
nfvb_parse_range(struct nfvb_opts *o, int i, const char *arg)
{
	const char *opt = i ? "dst-range" : "src-range";
	unsigned int alen = o->ipv6 ? 16 : 4, b;
	uint8_t *a = i ? o->dst_ip : o->src_ip;
	char buf[INET6_ADDRSTRLEN + 8], *slash;
	unsigned long len;

	if (strlen(arg) >= sizeof(buf))
		return nfvb_bad(opt, arg, "not a network A/LEN");
	snprintf(buf, sizeof(buf), "%s", arg);
	slash = strchr(buf, '/');
	if (slash == NULL)
		return nfvb_bad(opt, arg, "needs a prefix length: A/LEN");
	*slash = '\0';
	memset(a, 0, 16);
	if (inet_pton(o->ipv6 ? AF_INET6 : AF_INET, buf, a) != 1)
		return nfvb_bad(opt, arg,
				o->ipv6 ? "not an IPv6 network" :
					  "not an IPv4 network (IPv6 needs --ipv6)");
	if (nfvb_parse_ulong(slash + 1, 0, alen * 8 - 1, &len) < 0 ||
	    !isdigit((unsigned char)slash[1]))
		return nfvb_bad(opt, arg,
				o->ipv6 ? "a prefix length 0..127 (a range needs host bits)" :
					  "a prefix length 0..31 (a range needs host bits)");
	for (b = (unsigned int)len; b < alen * 8; b++)
		if (a[b / 8] & (0x80 >> (b % 8)))
			return nfvb_bad(opt, arg, "host bits set: give the network");
	if (i) {
		o->dst_spread = o->has_dst_ip = true;
		o->dst_plen = (uint8_t)len;
		o->vary |= NFVB_VARY_DST_IP;
	} else {
		o->src_spread = o->has_src_ip = true;
		o->src_plen = (uint8_t)len;
		o->vary |= NFVB_VARY_SRC_IP;
	}
	return 0;
}

static void
nfvb_opts_defaults(struct nfvb_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->n_sizes = 1;
	o->sizes[0] = 64;
	o->flows = 1;
	o->vary = NFVB_VARY_SRC_IP;
	o->src_port = 1024;
	o->dst_port = 1024;
	o->inflight = 8;
	o->burst = 32;
	o->line_gbps = 10;
	o->duration = 10;
	o->warmup = 1;
	o->max_rate.kind = NFVB_RATE_PCT;
	o->max_rate.v = 100;
	o->min_rate.kind = NFVB_RATE_PPS;
	o->min_rate.v = 0;
	o->precision.kind = NFVB_RATE_PCT;
	o->precision.v = 0.5;
	o->trial_time = 2;
	o->verify_time = 10;
	o->iterations = 200000;
	o->cpu = 0;
	o->file_prefix = "nfvbench";
	o->memory = 256;
	o->ring_size = 1024;
	o->queues = 1;
	o->drain_quiet_ms = 10;
}

int
nfvb_opts_parse(struct nfvb_opts *o, int argc, char **argv)
{
	bool self = false, rfc = false, addr_given[2] = {false, false};
	const char *addr_arg[2] = {NULL, NULL}, *range_arg[2] = {NULL, NULL};
	unsigned long v;
	double d;
	int opt, rc;

	nfvb_opts_defaults(o);
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+p:s:f:ur:b:d:w:j:qh",
				  nfvb_long_opts, NULL)) != -1) {
		rc = 0;
		switch (opt) {
		case 'p':
			rc = nfvb_parse_port(o, optarg);
			break;
		case OPT_SELF_TEST:
			self = true;
			break;
		case OPT_TEST_DUT:
			if (nfvb_parse_double(optarg, 1e-6, 1e4, &d) < 0)
				return nfvb_bad("test-dut", optarg,
						"a rate in Mpps, e.g. 1.5");
			o->test_dut_pps = d * 1e6;
			break;
		case 's':
			rc = nfvb_parse_sizes(o, optarg);
			break;
		case 'f':
			if (nfvb_parse_ulong(optarg, 1, NFVB_MAX_FLOWS, &v) < 0)
				return nfvb_bad("flows", optarg,
						"a number 1..65536");
			o->flows = (uint32_t)v;
			break;
		case OPT_VARY:
			rc = nfvb_parse_vary(o, optarg);
			break;
		case OPT_IPV6:
			o->ipv6 = true;
			break;
		case OPT_TCP:
			o->tcp = true;
			break;
		case OPT_SRC_IP:
		case OPT_DST_IP:
			addr_given[opt == OPT_DST_IP] = true;
			addr_arg[opt == OPT_DST_IP] = optarg;
			break;
		case OPT_SRC_RANGE:
		case OPT_DST_RANGE:
			range_arg[opt == OPT_DST_RANGE] = optarg;
			break;
		case OPT_SRC_PORT:
		case OPT_DST_PORT:
			if (nfvb_parse_ulong(optarg, 0, 65535, &v) < 0)
				return nfvb_bad(opt == OPT_SRC_PORT ? "src-port"
								     : "dst-port",
						optarg, "a port 0..65535");
			if (opt == OPT_SRC_PORT)
				o->src_port = (uint16_t)v;
			else
				o->dst_port = (uint16_t)v;
			break;
		case 'u':
			o->unidir = true;
			break;
		case 'r':
			if (nfvb_parse_rate(optarg, &o->rate) < 0 ||
			    o->rate.v <= 0)
				return nfvb_bad("rate", optarg,
						"a rate like 5Mpps, 800kpps, 2.5Gbps or 50%");
			break;
		case OPT_INFLIGHT:
			if (nfvb_parse_ulong(optarg, 1, NFVB_MAX_INFLIGHT, &v) <
			    0)
				return nfvb_bad("inflight", optarg,
						"bursts in flight, 1..128");
			o->inflight = (unsigned int)v;
			break;
		case 'b':
			if (nfvb_parse_ulong(optarg, 1, NFVB_MAX_BURST, &v) < 0)
				return nfvb_bad("burst", optarg,
						"frames per burst, 1..64");
			o->burst = (unsigned int)v;
			break;
		case OPT_LINE_RATE:
			if (nfvb_parse_double(optarg, 0.001, 1000, &d) < 0)
				return nfvb_bad("line-rate", optarg,
						"Gbit/s, e.g. 10 or 25");
			o->line_gbps = d;
			break;
		case 'd':
			if (nfvb_parse_double(optarg, 0.01, 86400, &d) < 0)
				return nfvb_bad("duration", optarg,
						"seconds, 0.01..86400");
			o->duration = d;
			break;
		case 'w':
			if (nfvb_parse_double(optarg, 0, 3600, &d) < 0)
				return nfvb_bad("warmup", optarg,
						"seconds, 0..3600");
			o->warmup = d;
			break;
		case OPT_RFC2544:
			rfc = true;
			break;
		case OPT_MAX_RATE:
		case OPT_MIN_RATE:
		case OPT_PRECISION: {
			struct nfvb_rate *r = opt == OPT_MAX_RATE ? &o->max_rate :
					      opt == OPT_MIN_RATE ? &o->min_rate :
								    &o->precision;
			const char *n = opt == OPT_MAX_RATE ? "max-rate" :
					opt == OPT_MIN_RATE ? "min-rate" :
							      "precision";

			if (nfvb_parse_rate(optarg, r) < 0 ||
			    (opt != OPT_MIN_RATE && r->v <= 0))
				return nfvb_bad(n, optarg,
						"a rate like 5Mpps, 800kpps, 2.5Gbps or 50%");
			break;
		}
		case OPT_LOSS_TOL:
			if (nfvb_parse_double(optarg, 0, 100, &d) < 0)
				return nfvb_bad("loss-tolerance", optarg,
						"percent, 0..100");
			o->loss_tol = d;
			break;
		case OPT_TRIAL_TIME:
			if (nfvb_parse_double(optarg, 0.01, 3600, &d) < 0)
				return nfvb_bad("trial-time", optarg,
						"seconds, 0.01..3600");
			o->trial_time = d;
			break;
		case OPT_VERIFY_TIME:
			if (nfvb_parse_double(optarg, 0, 86400, &d) < 0)
				return nfvb_bad("verify-time", optarg,
						"seconds, 0..86400");
			o->verify_time = d;
			break;
		case 'j':
			o->json = optarg;
			break;
		case OPT_PLOT:
			o->plot = optarg;
			break;
		case OPT_PCAP:
			o->pcap = optarg;
			break;
		case 'q':
			o->quiet = true;
			break;
		case OPT_VNF_COST:
			o->vnf_cost_cfg = optarg;
			break;
		case OPT_ITERATIONS:
			if (nfvb_parse_ulong(optarg, 1, 1000000000, &v) < 0)
				return nfvb_bad("iterations", optarg,
						"a number of bursts");
			o->iterations = v;
			break;
		case OPT_CPU:
			if (nfvb_parse_ulong(optarg, 0, 1023, &v) < 0)
				return nfvb_bad("cpu", optarg, "a CPU number");
			o->cpu = (int)v;
			break;
		case OPT_FILE_PREFIX:
			if (*optarg == '\0' || strchr(optarg, '/') != NULL)
				return nfvb_bad("file-prefix", optarg,
						"a name without '/'");
			o->file_prefix = optarg;
			break;
		case OPT_MEMORY:
			if (nfvb_parse_ulong(optarg, 64, 65536, &v) < 0)
				return nfvb_bad("memory", optarg,
						"MiB, 64..65536");
			o->memory = (unsigned int)v;
			break;
		case OPT_NO_HUGE:
			o->no_huge = true;
			break;
		case OPT_RING_SIZE:
			if (nfvb_parse_ulong(optarg, 64, 32768, &v) < 0 ||
			    (v & (v - 1)) != 0)
				return nfvb_bad("ring-size", optarg,
						"a power of two, 64..32768");
			o->ring_size = (unsigned int)v;
			break;
		case OPT_DUT_SOCKET:
			o->dut_socket = optarg;
			break;
		case OPT_DRAIN_QUIET:
			if (nfvb_parse_ulong(optarg, 1, 1000, &v) < 0)
				return nfvb_bad("drain-quiet", optarg,
						"milliseconds, 1..1000");
			o->drain_quiet_ms = (unsigned int)v;
			break;
		case OPT_QUEUES:
			if (nfvb_parse_ulong(optarg, 1, NFVB_MAX_QUEUES, &v) < 0)
				return nfvb_bad("queues", optarg, "a number 1..8");
			o->queues = (unsigned int)v;
			break;
		case 'h':
			o->help = true;
			return 0;
		case '?':
		default:
			if (optopt != 0 && optopt < 256)
				fprintf(stderr,
					"nfv-bench: -%c: unknown option or missing argument (try --help)\n",
					optopt);
			else
				fprintf(stderr,
					"nfv-bench: %s: unknown option or missing argument (try --help)\n",
					argv[optind - 1]);
			return NFVB_EXIT_USAGE;
		}
		if (rc != 0)
			return rc;
	}
	if (optind < argc && strcmp(argv[optind - 1], "--") != 0) {
		fprintf(stderr,
			"nfv-bench: %s: unexpected argument (EAL arguments go after --; try --help)\n",
			argv[optind]);
		return NFVB_EXIT_USAGE;
	}
	o->eal_argc = argc - optind;
	o->eal_argv = argv + optind;

	/* Addresses need the address family, known only now. */
	for (int i = 0; i < 2; i++) {
		uint8_t *dst = i ? o->dst_ip : o->src_ip;

		if (!addr_given[i])
			continue;
		if (inet_pton(o->ipv6 ? AF_INET6 : AF_INET, addr_arg[i], dst) !=
		    1)
			return nfvb_bad(i ? "dst-ip" : "src-ip", addr_arg[i],
					o->ipv6 ? "not an IPv6 address" :
						  "not an IPv4 address (IPv6 needs --ipv6)");
		if (i)
			o->has_dst_ip = true;
		else
			o->has_src_ip = true;
	}
	/* Ranges after --vary, whatever the order: a range varies its side. */
	for (int i = 0; i < 2; i++) {
		if (range_arg[i] == NULL)
			continue;
		if (addr_given[i])
			return nfvb_bad(i ? "dst-range" : "src-range", range_arg[i],
					i ? "give --dst-ip or --dst-range, not both" :
					    "give --src-ip or --src-range, not both");
		rc = nfvb_parse_range(o, i, range_arg[i]);
		if (rc != 0)
			return rc;
	}

	/* One mode, and ports that fit it. */
	if (o->vnf_cost_cfg != NULL) {
		if (self || o->test_dut_pps > 0 || rfc || o->pcap != NULL)
			return nfvb_bad("vnf-cost", o->vnf_cost_cfg,
					"runs alone: no --self-test, --test-dut, --rfc2544 or --write-pcap");
		o->mode = NFVB_MODE_VNF_COST;
		return 0;
	}
	if (self && o->test_dut_pps > 0)
		return nfvb_bad("self-test", NULL,
				"and --test-dut exclude each other");
	if ((self || o->test_dut_pps > 0) && o->n_ports > 0)
		return nfvb_bad(self ? "self-test" : "test-dut", NULL,
				"makes its own two ports: no --port");
	if (self)
		o->ports_kind = NFVB_PORTS_SELF;
	else if (o->test_dut_pps > 0)
		o->ports_kind = NFVB_PORTS_TEST_DUT;
	if (o->ports_kind != NFVB_PORTS_VIRTIO) {
		o->n_ports = 2;
	} else if (o->pcap == NULL) {
		if (o->n_ports == 0)
			return nfvb_bad("port", NULL,
					"no ports: give --port PATH twice, or --self-test");
		if (o->n_ports % 2 != 0)
			return nfvb_bad("port", NULL,
					"ports pair up (0<->1, 2<->3): give an even number");
	} else if (o->n_ports == 0) {
		o->n_ports = 2;
	}
	if (o->pcap != NULL) {
		o->mode = NFVB_MODE_PCAP;
		if (o->n_ports % 2 != 0)
			o->n_ports++;
		return 0;
	}
	if (rfc) {
		o->mode = NFVB_MODE_RFC2544;
		if (o->rate.kind != NFVB_RATE_NONE)
			return nfvb_bad("rate", NULL,
					"does not go with --rfc2544 (use --max-rate)");
	}
	if (o->ring_size < 2 * o->burst)
		return nfvb_bad("ring-size", NULL, "must hold two bursts");
	/* The test device polices queue 0 of each port only. */
	if (o->queues > 1 && o->ports_kind == NFVB_PORTS_TEST_DUT)
		return nfvb_bad("queues", NULL,
				"goes with --port and --self-test, not --test-dut");
	if (o->queues > o->flows)
		return nfvb_bad("queues", NULL,
				"needs at least as many --flows, or a queue "
				"carries nothing");
	if (o->plot != NULL && strlen(o->plot) < 5)
		return nfvb_bad("plot", o->plot, "a file name ending in .png");
	return 0;
}
