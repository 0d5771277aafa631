// SPDX-License-Identifier: BSD-3-Clause
/* nfv-vmm's command line (main thread, before anything starts). */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

#define VMM_VERSION "0.1.0"
#define VMM_DEFAULT_MEM (256 * VMM_MIB)
#define VMM_DEFAULT_WAIT_S 10
#define VMM_MAX_MEM (1024 * VMM_GIB)

void vmm_usage(FILE *f)
{
	fprintf(f,
		"usage: nfv-vmm --kernel BZIMAGE [--initrd FILE] [--cmdline S] [--mem SIZE]\n"
		"               [--cpus N] [--net vhost-user=SOCK[,mac=M][,queues=N]...]...\n"
		"               [--console FILE] [--hugepages] [--timing] [-v|-q]\n"
		"       nfv-vmm --payload FILE[,real] ...   (flat test payload instead of a kernel)\n"
		"\n"
		"  --kernel FILE      64-bit Linux bzImage (boot protocol 2.12+)\n"
		"  --initrd FILE      initramfs (e.g. from vmm/guest/mkinitramfs.sh)\n"
		"  --cmdline S        kernel command line, after nfv-vmm's own defaults:\n"
		"                     console=ttyS0 reboot=k panic=-1 8250.nr_uarts=1\n"
		"                     i8042.noaux i8042.nomux i8042.nopnp i8042.dumbkbd nfv.halt=reboot\n"
		"  --no-default-cmdline  pass --cmdline alone\n"
		"  --mem SIZE         guest RAM: 256M (default), 1G, 512K...; plain numbers are MiB; min 32M\n"
		"  --cpus N           vCPUs, 1..%d (default 1)\n"
		"  --hugepages        back guest RAM with 2 MiB hugetlb pages (MFD_HUGETLB)\n"
		"  --net vhost-user=SOCK[,mac=M][,queues=N][,queue-size=N][,offload=on|off][,wait=S][,timeout=S]\n"
		"                     a virtio-net NIC served by the vhost-user backend listening\n"
		"                     on SOCK (nfvd vhost-user port, mode: server); repeatable, up to %d\n"
		"                       mac        guest MAC (default 02:4e:46 + hash of SOCK)\n"
		"                       queues     queue pairs 1..%d (default 1; >1 needs backend MQ)\n"
		"                       queue-size ring size, power of 2, 64..1024 (default 256)\n"
		"                       offload    offer checksum/TSO offloads (default off)\n"
		"                       wait       seconds to wait for the backend at start (default %d)\n"
		"                       timeout    seconds to wait for each backend reply (default 5)\n"
		"  --console FILE     guest serial console to FILE (default: stdout, input from stdin)\n"
		"  --payload FILE[,real]  load FILE at 1 MiB and enter it in long mode (or at\n"
		"                     1000:0000 in real mode); for tests and benchmarks\n"
		"  --timing           print start-up timings and memory use at exit\n"
		"  -v, --verbose      more messages (twice: vhost-user trace)\n"
		"  -q, --quiet        errors only\n"
		"\n"
		"Exit status: 0 guest reset/poweroff or SIGTERM, 1 setup error, 2 usage,\n"
		"3 triple fault, 4 KVM error; a payload may exit with any byte via port 0x501.\n",
		VMM_MAX_CPUS, VMM_MAX_NICS, VMM_MAX_QUEUE_PAIRS, VMM_DEFAULT_WAIT_S);
}

static int cli_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int cli_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

int vmm_parse_size(const char *s, uint64_t *out)
{
	unsigned long long v;
	uint64_t mult = VMM_MIB;
	char *end;

	if (!s || !*s || *s == '-')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -EINVAL;
	switch (*end) {
	case 'k': case 'K': mult = 1024; end++; break;
	case 'm': case 'M': mult = VMM_MIB; end++; break;
	case 'g': case 'G': mult = VMM_GIB; end++; break;
	case '\0': break;
	default: return -EINVAL;
	}
	if (*end == 'i' && end[1] == 'B')
		end += 2;
	else if (*end == 'B')
		end++;
	if (*end)
		return -EINVAL;
	if (v > UINT64_MAX / mult)
		return -ERANGE;
	*out = v * mult;
	return 0;
}

int vmm_parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int b[6], i;
	char tail;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3],
		   &b[4], &b[5], &tail) != 6 || strlen(s) != 17)
		return -EINVAL;
	for (i = 0; i < 6; i++)
		mac[i] = (uint8_t)b[i];
	if (mac[0] & 1)
		return -EINVAL;		/* multicast */
	if (!(mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]))
		return -EINVAL;
	return 0;
}

static int cli_uint(const char *s, unsigned long min, unsigned long max,
		    unsigned int *out)
{
	unsigned long v;
	char *end;

	if (!s || !*s || *s == '-')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -EINVAL;
	*out = (unsigned int)v;
	return 0;
}

/* A stable default MAC per socket path: 02:4e:46 ("NF") + FNV-1a. */
static void cli_default_mac(const char *path, unsigned int idx, uint8_t mac[6])
{
	uint32_t h = 2166136261u;

	for (; *path; path++)
		h = (h ^ (uint8_t)*path) * 16777619u;
	h += idx;
	mac[0] = 0x02;
	mac[1] = 0x4e;
	mac[2] = 0x46;
	mac[3] = (uint8_t)(h >> 16);
	mac[4] = (uint8_t)(h >> 8);
	mac[5] = (uint8_t)h;
}

static int cli_net(struct vmm_opts *o, const char *arg, char *err,
		   size_t errlen)
{
	struct vmm_net_config *c;
	char buf[512], *save = NULL, *tok;
	bool have_path = false, have_mac = false;
	unsigned int v;

	if (o->nr_nets == VMM_MAX_NICS)
		return cli_err(err, errlen, "--net: at most %d NICs", VMM_MAX_NICS);
	if (strlen(arg) >= sizeof(buf))
		return cli_err(err, errlen, "--net: argument too long");
	c = &o->nets[o->nr_nets];
	memset(c, 0, sizeof(*c));
	c->queue_pairs = 1;
	c->queue_size = 256;
	c->connect_ms = VMM_DEFAULT_WAIT_S * 1000;
	c->reply_ms = 5000;
	strcpy(buf, arg);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		char *val = strchr(tok, '=');

		if (!val)
			return cli_err(err, errlen, "--net %s: '%s' is not KEY=VALUE",
				       arg, tok);
		*val++ = '\0';
		if (!strcmp(tok, "vhost-user")) {
			if (!*val || strlen(val) >= sizeof(o->net_paths[0]))
				return cli_err(err, errlen,
					       "--net %s: socket path empty or longer than %zu bytes",
					       arg, sizeof(o->net_paths[0]) - 1);
			strcpy(o->net_paths[o->nr_nets], val);
			c->path = o->net_paths[o->nr_nets];
			have_path = true;
		} else if (!strcmp(tok, "mac")) {
			if (vmm_parse_mac(val, c->mac))
				return cli_err(err, errlen,
					       "--net %s: mac '%s' is not a unicast xx:xx:xx:xx:xx:xx",
					       arg, val);
			have_mac = true;
		} else if (!strcmp(tok, "queues")) {
			if (cli_uint(val, 1, VMM_MAX_QUEUE_PAIRS, &v))
				return cli_err(err, errlen,
					       "--net %s: queues must be 1..%d",
					       arg, VMM_MAX_QUEUE_PAIRS);
			c->queue_pairs = v;
		} else if (!strcmp(tok, "queue-size")) {
			if (cli_uint(val, 64, 1024, &v) || (v & (v - 1)))
				return cli_err(err, errlen,
					       "--net %s: queue-size must be a power of 2 in 64..1024",
					       arg);
			c->queue_size = (uint16_t)v;
		} else if (!strcmp(tok, "offload")) {
			if (strcmp(val, "on") && strcmp(val, "off"))
				return cli_err(err, errlen,
					       "--net %s: offload must be on or off",
					       arg);
			c->offload = !strcmp(val, "on");
		} else if (!strcmp(tok, "wait")) {
			if (cli_uint(val, 0, 3600, &v))
				return cli_err(err, errlen,
					       "--net %s: wait must be 0..3600 seconds",
					       arg);
			c->connect_ms = v * 1000;
		} else if (!strcmp(tok, "timeout")) {
			if (cli_uint(val, 1, 600, &v))
				return cli_err(err, errlen,
					       "--net %s: timeout must be 1..600 seconds",
					       arg);
			c->reply_ms = v * 1000;
		} else {
			return cli_err(err, errlen,
				       "--net %s: unknown key '%s' (vhost-user, mac, queues, queue-size, offload, wait, timeout)",
				       arg, tok);
		}
	}
	if (!have_path)
		return cli_err(err, errlen,
			       "--net %s: vhost-user=SOCK is required", arg);
	if (!have_mac)
		cli_default_mac(c->path, o->nr_nets, c->mac);
	o->nr_nets++;
	return 0;
}

static int cli_file(const char *opt, const char *path, char *err,
		    size_t errlen)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return cli_err(err, errlen, "%s %s: %s", opt, path,
			       strerror(errno));
	if (!S_ISREG(st.st_mode))
		return cli_err(err, errlen, "%s %s: not a regular file", opt,
			       path);
	return 0;
}

int vmm_opts_parse(struct vmm_opts *o, int argc, char **argv, char *err,
		   size_t errlen)
{
	enum { O_KERNEL = 256, O_INITRD, O_CMDLINE, O_MEM, O_CPUS, O_NET,
	       O_CONSOLE, O_HUGE, O_PAYLOAD, O_TIMING, O_NODEF, O_VERSION };
	static const struct option longopts[] = {
		{ "kernel", required_argument, NULL, O_KERNEL },
		{ "initrd", required_argument, NULL, O_INITRD },
		{ "cmdline", required_argument, NULL, O_CMDLINE },
		{ "mem", required_argument, NULL, O_MEM },
		{ "cpus", required_argument, NULL, O_CPUS },
		{ "net", required_argument, NULL, O_NET },
		{ "console", required_argument, NULL, O_CONSOLE },
		{ "hugepages", no_argument, NULL, O_HUGE },
		{ "payload", required_argument, NULL, O_PAYLOAD },
		{ "timing", no_argument, NULL, O_TIMING },
		{ "no-default-cmdline", no_argument, NULL, O_NODEF },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, O_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	static char payload_path[4096];
	int c, ret;

	memset(o, 0, sizeof(*o));
	o->mem = VMM_DEFAULT_MEM;
	o->cpus = 1;
	o->default_cmdline = true;
	o->log_level = VMM_LOG_INFO;
	o->payload_mode = VMM_BOOT_LONG;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":vqh", longopts, NULL)) != -1) {
		switch (c) {
		case O_KERNEL: o->kernel = optarg; break;
		case O_INITRD: o->initrd = optarg; break;
		case O_CMDLINE: o->cmdline = optarg; break;
		case O_CONSOLE: o->console = optarg; break;
		case O_HUGE: o->hugepages = true; break;
		case O_TIMING: o->timing = true; break;
		case O_NODEF: o->default_cmdline = false; break;
		case 'v': o->log_level++; break;
		case 'q': o->log_level = VMM_LOG_ERR; break;
		case 'h':
			vmm_usage(stdout);
			return 1;
		case O_VERSION:
			printf("nfv-vmm %s\n", VMM_VERSION);
			return 1;
		case O_MEM:
			ret = vmm_parse_size(optarg, &o->mem);
			if (ret)
				return cli_err(err, errlen,
					       "--mem %s: not a size (e.g. 256M, 1G)",
					       optarg);
			if (o->mem < VMM_MIN_MEM)
				return cli_err(err, errlen,
					       "--mem %s: too little memory, the minimum is %llu MiB",
					       optarg, VMM_MIN_MEM / VMM_MIB);
			if (o->mem > VMM_MAX_MEM)
				return cli_err(err, errlen,
					       "--mem %s: more than %llu GiB",
					       optarg, VMM_MAX_MEM / VMM_GIB);
			if (o->mem & 4095)
				return cli_err(err, errlen,
					       "--mem %s: not a multiple of 4 KiB",
					       optarg);
			break;
		case O_CPUS:
			if (cli_uint(optarg, 1, VMM_MAX_CPUS, &o->cpus))
				return cli_err(err, errlen,
					       "--cpus %s: must be 1..%d", optarg,
					       VMM_MAX_CPUS);
			break;
		case O_NET:
			ret = cli_net(o, optarg, err, errlen);
			if (ret)
				return ret;
			break;
		case O_PAYLOAD: {
			char *comma;

			snprintf(payload_path, sizeof(payload_path), "%s", optarg);
			comma = strchr(payload_path, ',');
			if (comma) {
				*comma++ = '\0';
				if (!strcmp(comma, "real"))
					o->payload_mode = VMM_BOOT_REAL;
				else if (!strcmp(comma, "long"))
					o->payload_mode = VMM_BOOT_LONG;
				else
					return cli_err(err, errlen,
						       "--payload %s: mode must be real or long",
						       optarg);
			}
			o->payload = payload_path;
			break;
		}
		case ':':
			return cli_err(err, errlen, "%s needs an argument",
				       argv[optind - 1]);
		default:
			if (optopt && optopt < 256)
				return cli_err(err, errlen, "unknown option -%c",
					       optopt);
			return cli_err(err, errlen, "unknown option %s",
				       argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_err(err, errlen, "unexpected argument '%s'",
			       argv[optind]);
	if (!o->kernel && !o->payload)
		return cli_err(err, errlen, "--kernel is required");
	if (o->kernel && o->payload)
		return cli_err(err, errlen, "--kernel and --payload exclude each other");
	if (o->initrd && !o->kernel)
		return cli_err(err, errlen, "--initrd needs --kernel");
	if (o->hugepages && (o->mem & (2 * VMM_MIB - 1)))
		return cli_err(err, errlen,
			       "--mem must be a multiple of 2 MiB with --hugepages");
	if (o->kernel && (ret = cli_file("--kernel", o->kernel, err, errlen)))
		return ret;
	if (o->initrd && (ret = cli_file("--initrd", o->initrd, err, errlen)))
		return ret;
	if (o->payload && (ret = cli_file("--payload", o->payload, err, errlen)))
		return ret;
	if (o->payload_mode == VMM_BOOT_REAL && o->cpus > 1)
		return cli_err(err, errlen, "real-mode payloads run on one vCPU");
	return 0;
}
