// SPDX-License-Identifier: BSD-3-Clause
/*
 * nfvctl lab: bring up nfvd and its guests from one file, and take them
 * down again (see lab.h).  Runs in the nfvctl process only; nfvd and the
 * nfv-vmm processes it starts are detached (own session, stdin from
 * /dev/null, output to log files) and outlive it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <yaml.h>

#include "control/config.h"
#include "control/lab.h"

#define LAB_MAX_GUESTS 64
#define LAB_MAX_NETS 8
#define LAB_DEFAULT_BASE "/run/nfv-lab"
#define LAB_NFVD_WAIT_S 60
#define LAB_VMM_WAIT_S 30
#define LAB_GUEST_STOP_S 10
#define LAB_NFVD_STOP_S 20

struct lab_net {
	char *port;
	char *mac;
	char *sock;		/* the port's vhost-user path */
	unsigned int queues;
};

struct lab_guest {
	char *name;
	char *kernel;
	char *payload;
	char *initrd;
	char *mem;
	char *cpus;
	char *cmdline;
	unsigned int n_net;
	struct lab_net net[LAB_MAX_NETS];
	int line;
	pid_t pid;
	char console[PATH_MAX];
	char log[PATH_MAX];
};

/* Paths under the state folder must fit PATH_MAX with a file name. */
#define LAB_DIR_MAX 2048

struct lab {
	char file[PATH_MAX];
	char dir[LAB_DIR_MAX];
	char state[PATH_MAX];
	char *ctl_socket;
	unsigned int n_guests;
	struct lab_guest guests[LAB_MAX_GUESTS];
	pid_t nfvd_pid;
	char nfvd_log[PATH_MAX];
};

static void lab_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void lab_err(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "nfvctl: lab: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* ---- the guests: section (libyaml document walk) ---- */

static const char *lab_scalar(yaml_document_t *d, yaml_node_t *n)
{
	(void)d;
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static int lab_str(struct lab *lab, yaml_document_t *d, yaml_node_t *v,
		   const char *where, const char *key, char **out)
{
	const char *s = lab_scalar(d, v);

	if (!s) {
		lab_err("%s:%lu: %s.%s: want a string", lab->file,
			(unsigned long)v->start_mark.line + 1, where, key);
		return -EINVAL;
	}
	*out = strdup(s);
	return *out ? 0 : -ENOMEM;
}

static int lab_parse_net(struct lab *lab, yaml_document_t *d,
			 yaml_node_t *seq, struct lab_guest *g,
			 const char *where)
{
	yaml_node_item_t *it;

	if (seq->type != YAML_SEQUENCE_NODE) {
		lab_err("%s:%lu: %s.net: want a list of {port, mac}", lab->file,
			(unsigned long)seq->start_mark.line + 1, where);
		return -EINVAL;
	}
	for (it = seq->data.sequence.items.start;
	     it < seq->data.sequence.items.top; it++) {
		yaml_node_t *m = yaml_document_get_node(d, *it);
		struct lab_net *n;
		yaml_node_pair_t *p;
		char w[128];

		if (g->n_net == LAB_MAX_NETS) {
			lab_err("%s: %s: more than %d NICs", lab->file, where,
				LAB_MAX_NETS);
			return -EINVAL;
		}
		n = &g->net[g->n_net];
		snprintf(w, sizeof(w), "%s.net[%u]", where, g->n_net);
		if (!m || m->type != YAML_MAPPING_NODE) {
			lab_err("%s: %s: want a mapping {port, mac}", lab->file, w);
			return -EINVAL;
		}
		for (p = m->data.mapping.pairs.start;
		     p < m->data.mapping.pairs.top; p++) {
			const char *k = lab_scalar(d, yaml_document_get_node(d, p->key));
			yaml_node_t *v = yaml_document_get_node(d, p->value);
			int ret;

			if (k && !strcmp(k, "port"))
				ret = lab_str(lab, d, v, w, k, &n->port);
			else if (k && !strcmp(k, "mac"))
				ret = lab_str(lab, d, v, w, k, &n->mac);
			else {
				lab_err("%s:%lu: %s: unknown key '%s' (port, mac)",
					lab->file,
					(unsigned long)v->start_mark.line + 1, w,
					k ? k : "?");
				return -EINVAL;
			}
			if (ret)
				return ret;
		}
		if (!n->port) {
			lab_err("%s: %s: 'port' is required", lab->file, w);
			return -EINVAL;
		}
		g->n_net++;
	}
	return 0;
}

static int lab_parse_guests(struct lab *lab)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root, *seq = NULL;
	yaml_node_pair_t *p;
	yaml_node_item_t *it;
	FILE *f;
	int ret = 0;

	f = fopen(lab->file, "r");
	if (!f) {
		lab_err("%s: %s", lab->file, strerror(errno));
		return -errno;
	}
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_file(&parser, f);
	if (!yaml_parser_load(&parser, &doc)) {
		lab_err("%s:%lu: %s", lab->file,
			(unsigned long)parser.problem_mark.line + 1,
			parser.problem ? parser.problem : "YAML error");
		yaml_parser_delete(&parser);
		fclose(f);
		return -EINVAL;
	}
	root = yaml_document_get_root_node(&doc);
	if (root && root->type == YAML_MAPPING_NODE) {
		for (p = root->data.mapping.pairs.start;
		     p < root->data.mapping.pairs.top; p++) {
			const char *k = lab_scalar(&doc, yaml_document_get_node(&doc, p->key));

			if (k && !strcmp(k, "guests"))
				seq = yaml_document_get_node(&doc, p->value);
		}
	}
	if (!seq) {
		lab_err("%s: no 'guests:' list (a lab file is an nfvd config plus guests)",
			lab->file);
		ret = -EINVAL;
		goto out;
	}
	if (seq->type != YAML_SEQUENCE_NODE) {
		lab_err("%s:%lu: guests: want a list", lab->file,
			(unsigned long)seq->start_mark.line + 1);
		ret = -EINVAL;
		goto out;
	}
	for (it = seq->data.sequence.items.start;
	     it < seq->data.sequence.items.top && !ret; it++) {
		yaml_node_t *m = yaml_document_get_node(&doc, *it);
		struct lab_guest *g;
		char where[64];

		if (lab->n_guests == LAB_MAX_GUESTS) {
			lab_err("%s: more than %d guests", lab->file, LAB_MAX_GUESTS);
			ret = -EINVAL;
			break;
		}
		g = &lab->guests[lab->n_guests];
		snprintf(where, sizeof(where), "guests[%u]", lab->n_guests);
		if (!m || m->type != YAML_MAPPING_NODE) {
			lab_err("%s: %s: want a mapping", lab->file, where);
			ret = -EINVAL;
			break;
		}
		g->line = (int)m->start_mark.line + 1;
		for (p = m->data.mapping.pairs.start;
		     p < m->data.mapping.pairs.top && !ret; p++) {
			const char *k = lab_scalar(&doc, yaml_document_get_node(&doc, p->key));
			yaml_node_t *v = yaml_document_get_node(&doc, p->value);

			if (!k)
				k = "?";
			if (!strcmp(k, "name"))
				ret = lab_str(lab, &doc, v, where, k, &g->name);
			else if (!strcmp(k, "kernel"))
				ret = lab_str(lab, &doc, v, where, k, &g->kernel);
			else if (!strcmp(k, "payload"))
				ret = lab_str(lab, &doc, v, where, k, &g->payload);
			else if (!strcmp(k, "initrd"))
				ret = lab_str(lab, &doc, v, where, k, &g->initrd);
			else if (!strcmp(k, "mem"))
				ret = lab_str(lab, &doc, v, where, k, &g->mem);
			else if (!strcmp(k, "cpus"))
				ret = lab_str(lab, &doc, v, where, k, &g->cpus);
			else if (!strcmp(k, "cmdline"))
				ret = lab_str(lab, &doc, v, where, k, &g->cmdline);
			else if (!strcmp(k, "net"))
				ret = lab_parse_net(lab, &doc, v, g, where);
			else {
				lab_err("%s:%lu: %s: unknown key '%s' (name, kernel, initrd, mem, cpus, cmdline, net, payload)",
					lab->file,
					(unsigned long)v->start_mark.line + 1,
					where, k);
				ret = -EINVAL;
			}
		}
		if (!ret)
			lab->n_guests++;
	}
out:
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	fclose(f);
	return ret;
}

/* Each guest: a unique, file-safe name; a kernel; ports that exist. */
static int lab_check(struct lab *lab, const struct ctl_config *cfg)
{
	unsigned int i, j, k;

	for (i = 0; i < lab->n_guests; i++) {
		struct lab_guest *g = &lab->guests[i];
		const char *c;

		if (!g->name || !*g->name) {
			lab_err("%s:%d: guests[%u]: 'name' is required", lab->file,
				g->line, i);
			return -EINVAL;
		}
		for (c = g->name; *c; c++)
			if (!(*c == '-' || *c == '_' || *c == '.' ||
			      (*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'z') ||
			      (*c >= 'A' && *c <= 'Z'))) {
				lab_err("%s:%d: guest '%s': names use letters, digits, - _ .",
					lab->file, g->line, g->name);
				return -EINVAL;
			}
		for (j = 0; j < i; j++)
			if (!strcmp(lab->guests[j].name, g->name)) {
				lab_err("%s:%d: guest '%s' declared twice", lab->file,
					g->line, g->name);
				return -EINVAL;
			}
		if (!g->kernel == !g->payload) {
			lab_err("%s:%d: guest '%s': give 'kernel' (or, for tests, 'payload')",
				lab->file, g->line, g->name);
			return -EINVAL;
		}
		for (j = 0; j < g->n_net; j++) {
			struct lab_net *n = &g->net[j];
			const struct ctl_port_config *pc = NULL;

			for (k = 0; k < cfg->n_ports; k++)
				if (!strcmp(cfg->ports[k].name, n->port))
					pc = &cfg->ports[k];
			if (!pc) {
				lab_err("%s:%d: guest '%s': net[%u].port '%s' is not a port of this file",
					lab->file, g->line, g->name, j, n->port);
				return -EINVAL;
			}
			if (pc->type != CTL_PORT_VHOST_USER) {
				lab_err("%s:%d: guest '%s': port '%s' is not a vhost-user port",
					lab->file, g->line, g->name, n->port);
				return -EINVAL;
			}
			if (pc->client) {
				lab_err("%s:%d: guest '%s': port '%s' has mode: client; nfv-vmm connects as a client, so the port needs mode: server",
					lab->file, g->line, g->name, n->port);
				return -EINVAL;
			}
			for (k = 0; k < i; k++) {
				unsigned int m;

				for (m = 0; m < lab->guests[k].n_net; m++)
					if (!strcmp(lab->guests[k].net[m].port, n->port)) {
						lab_err("%s:%d: port '%s' is already guest '%s''s",
							lab->file, g->line, n->port,
							lab->guests[k].name);
						return -EINVAL;
					}
			}
			n->sock = strdup(pc->path);
			n->queues = pc->queues ? pc->queues : 1;
			if (!n->sock)
				return -ENOMEM;
		}
	}
	return 0;
}

/* ---- binaries, processes ---- */

/* $ENV, next to nfvctl, in the build tree's folder, else the PATH. */
static int lab_find(const char *env, const char *name, const char *build_rel,
		    char *out, size_t len)
{
	char self[PATH_MAX], *dir;
	const char *e = getenv(env);
	ssize_t n;

	if (e && *e) {
		if (access(e, X_OK)) {
			lab_err("$%s=%s: %s", env, e, strerror(errno));
			return -ENOENT;
		}
		snprintf(out, len, "%s", e);
		return 0;
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = 0;
		dir = dirname(self);
		snprintf(out, len, "%s/%s", dir, name);
		if (!access(out, X_OK))
			return 0;
		snprintf(out, len, "%s/../%s", dir, build_rel);
		if (!access(out, X_OK))
			return 0;
	}
	snprintf(out, len, "%s", name);	/* execvp searches the PATH */
	return 0;
}

/* A detached child: own session, stdin /dev/null, output to log. */
static pid_t lab_spawn(char *const argv[], const char *log)
{
	pid_t pid;
	int fd;

	fflush(NULL);
	pid = fork();
	if (pid != 0)
		return pid;
	setsid();
	fd = open("/dev/null", O_RDONLY);
	if (fd >= 0)
		dup2(fd, 0);
	fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd >= 0) {
		dup2(fd, 1);
		dup2(fd, 2);
	}
	execvp(argv[0], argv);
	fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

/* Is pid (not necessarily our child) alive and running binary? */
static bool lab_alive(pid_t pid, const char *binary)
{
	char p[64], exe[PATH_MAX];
	ssize_t n;
	int st;

	if (pid <= 0)
		return false;
	/* Reap it if it is our child and has exited. */
	if (waitpid(pid, &st, WNOHANG) == pid)
		return false;
	snprintf(p, sizeof(p), "/proc/%d/exe", (int)pid);
	n = readlink(p, exe, sizeof(exe) - 1);
	if (n <= 0)
		return kill(pid, 0) == 0;
	exe[n] = 0;
	/* A zombie or a PID reused by something else is not ours. */
	return !binary || strstr(exe, binary) != NULL;
}

static void lab_tail(const char *log)
{
	char line[512];
	long lines = 0, skip;
	FILE *f = fopen(log, "r");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		lines++;
	rewind(f);
	skip = lines > 15 ? lines - 15 : 0;
	fprintf(stderr, "----- %s -----\n", log);
	while (fgets(line, sizeof(line), f))
		if (skip-- <= 0)
			fputs(line, stderr);
	fclose(f);
}

static bool lab_log_has(const char *log, const char *needle)
{
	char buf[16384];
	size_t n;
	FILE *f = fopen(log, "r");

	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	return strstr(buf, needle) != NULL;
}

static bool lab_socket_ready(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, ok;

	if (strlen(path) >= sizeof(sa.sun_path))
		return false;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(fd);
	return ok;
}

static void lab_sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* SIGTERM, wait up to secs, then SIGKILL. */
static int lab_stop_pid(pid_t pid, const char *binary, const char *what,
			int secs)
{
	int i;

	if (!lab_alive(pid, binary)) {
		printf("%s (pid %d): not running\n", what, (int)pid);
		return 0;
	}
	kill(pid, SIGTERM);
	for (i = 0; i < secs * 20; i++) {
		if (!lab_alive(pid, binary)) {
			printf("%s (pid %d): stopped\n", what, (int)pid);
			return 0;
		}
		lab_sleep_ms(50);
	}
	kill(pid, SIGKILL);
	for (i = 0; i < 40 && lab_alive(pid, binary); i++)
		lab_sleep_ms(50);
	printf("%s (pid %d): did not stop in %d s, killed\n", what, (int)pid, secs);
	return 1;
}

/* ---- state ---- */

static int lab_dirs(struct lab *lab, const char *file)
{
	const char *env = getenv("NFV_LAB_DIR");
	char base[256], full[PATH_MAX], *dot;

	if (file && !realpath(file, lab->file)) {
		lab_err("%s: %s", file, strerror(errno));
		return -errno;
	}
	if (env && *env) {
		snprintf(lab->dir, sizeof(lab->dir), "%.2000s", env);
	} else if (file) {
		snprintf(full, sizeof(full), "%s", lab->file);
		snprintf(base, sizeof(base), "%.200s", basename(full));
		dot = strrchr(base, '.');
		if (dot && (!strcmp(dot, ".yaml") || !strcmp(dot, ".yml")))
			*dot = 0;
		snprintf(lab->dir, sizeof(lab->dir), "%s/%s", LAB_DEFAULT_BASE, base);
	} else {
		/* lab down without a file: the one lab that is up. */
		DIR *d = opendir(LAB_DEFAULT_BASE);
		struct dirent *e;
		unsigned int n = 0;

		while (d && (e = readdir(d))) {
			char st[PATH_MAX];

			if (e->d_name[0] == '.')
				continue;
			snprintf(st, sizeof(st), "%s/%.255s/lab.state",
				 LAB_DEFAULT_BASE, e->d_name);
			if (access(st, R_OK))
				continue;
			if (n++ == 0)
				snprintf(lab->dir, sizeof(lab->dir), "%s/%.255s",
					 LAB_DEFAULT_BASE, e->d_name);
		}
		if (d)
			closedir(d);
		if (n > 1) {
			lab_err("%u labs are up under %s: name one (lab down FILE)",
				n, LAB_DEFAULT_BASE);
			return -ENOENT;
		}
		if (n == 0) {
			lab_err("no lab is up (no %s/*/lab.state)", LAB_DEFAULT_BASE);
			return -ENOENT;
		}
	}
	snprintf(lab->state, sizeof(lab->state), "%.2048s/lab.state", lab->dir);
	return 0;
}

static int lab_mkdirs(const char *dir)
{
	char p[PATH_MAX], *s;

	snprintf(p, sizeof(p), "%s", dir);
	for (s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = 0;
		if (mkdir(p, 0755) && errno != EEXIST)
			return -errno;
		*s = '/';
	}
	if (mkdir(p, 0755) && errno != EEXIST)
		return -errno;
	return 0;
}

/* "nfvd PID LOG" and "guest NAME PID CONSOLE LOG" lines. */
static int lab_state_read(struct lab *lab)
{
	char line[3 * PATH_MAX];
	FILE *f = fopen(lab->state, "r");

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char name[256], a[PATH_MAX], b[PATH_MAX];
		int pid;

		if (sscanf(line, "nfvd %d %4095s", &pid, a) == 2) {
			lab->nfvd_pid = pid;
			snprintf(lab->nfvd_log, sizeof(lab->nfvd_log), "%s", a);
		} else if (sscanf(line, "guest %255s %d %4095s %4095s", name, &pid, a, b) == 4 &&
			   lab->n_guests < LAB_MAX_GUESTS) {
			struct lab_guest *g = &lab->guests[lab->n_guests++];

			g->name = strdup(name);
			g->pid = pid;
			snprintf(g->console, sizeof(g->console), "%s", a);
			snprintf(g->log, sizeof(g->log), "%s", b);
		} else if (sscanf(line, "file %4095s", a) == 1 && !lab->file[0]) {
			snprintf(lab->file, sizeof(lab->file), "%s", a);
		}
	}
	fclose(f);
	return 0;
}

static int lab_state_write(struct lab *lab)
{
	char tmp[PATH_MAX + 8];
	unsigned int i;
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", lab->state);
	f = fopen(tmp, "w");
	if (!f)
		return -errno;
	fprintf(f, "# nfvctl lab state: stop with nfvctl lab down\n");
	fprintf(f, "file %s\n", lab->file);
	fprintf(f, "nfvd %d %s\n", (int)lab->nfvd_pid, lab->nfvd_log);
	for (i = 0; i < lab->n_guests; i++) {
		struct lab_guest *g = &lab->guests[i];

		if (g->pid > 0)
			fprintf(f, "guest %s %d %s %s\n", g->name, (int)g->pid,
				g->console, g->log);
	}
	if (fclose(f) || rename(tmp, lab->state))
		return -errno;
	return 0;
}

static int lab_down_state(struct lab *lab)
{
	unsigned int i;
	int fails = 0;
	char what[300];

	for (i = 0; i < lab->n_guests; i++) {
		snprintf(what, sizeof(what), "guest %s", lab->guests[i].name);
		fails += lab_stop_pid(lab->guests[i].pid, "nfv-vmm", what,
				      LAB_GUEST_STOP_S);
	}
	if (lab->nfvd_pid > 0)
		fails += lab_stop_pid(lab->nfvd_pid, "nfvd", "nfvd",
				      LAB_NFVD_STOP_S);
	return fails;
}

/* ---- up / down ---- */

static int lab_up(const char *file)
{
	static struct lab lab;
	struct ctl_config *cfg = NULL;
	char err[512], nfvd[PATH_MAX], vmm[PATH_MAX];
	unsigned int i, j;
	int ret, k;

	memset(&lab, 0, sizeof(lab));
	if (lab_dirs(&lab, file))
		return 1;
	ret = ctl_config_load(lab.file, &cfg, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "nfvctl: lab: %s\n", err);
		return 1;
	}
	if (lab_parse_guests(&lab) || lab_check(&lab, cfg))
		goto fail_cfg;
	lab.ctl_socket = strdup(cfg->control.socket ? cfg->control.socket :
						      "/run/nfvd/nfvd.sock");
	if (!access(lab.state, R_OK)) {
		static struct lab old;

		memset(&old, 0, sizeof(old));
		snprintf(old.state, sizeof(old.state), "%s", lab.state);
		lab_state_read(&old);
		if (lab_alive(old.nfvd_pid, "nfvd")) {
			lab_err("this lab is up already (nfvd pid %d, state %s): nfvctl lab down %s first",
				(int)old.nfvd_pid, lab.state, file);
			goto fail_cfg;
		}
	}
	if (lab_socket_ready(lab.ctl_socket)) {
		lab_err("something already answers on %s (another nfvd?)", lab.ctl_socket);
		goto fail_cfg;
	}
	if (lab_find("NFVD", "nfvd", "dataplane/nfvd", nfvd, sizeof(nfvd)) ||
	    lab_find("NFV_VMM", "nfv-vmm", "vmm/nfv-vmm", vmm, sizeof(vmm)))
		goto fail_cfg;
	ret = lab_mkdirs(lab.dir);
	if (ret) {
		lab_err("%s: %s", lab.dir, strerror(-ret));
		goto fail_cfg;
	}

	/* nfvd first; the guests need its vhost-user sockets. */
	snprintf(lab.nfvd_log, sizeof(lab.nfvd_log), "%.2048s/nfvd.log", lab.dir);
	{
		char *argv[] = { nfvd, "-c", lab.file, NULL };

		lab.nfvd_pid = lab_spawn(argv, lab.nfvd_log);
	}
	if (lab.nfvd_pid < 0) {
		lab_err("fork: %s", strerror(errno));
		goto fail_cfg;
	}
	lab_state_write(&lab);
	for (k = 0; k < LAB_NFVD_WAIT_S * 10; k++) {
		if (!lab_alive(lab.nfvd_pid, NULL)) {
			lab_err("nfvd exited before its control socket %s answered",
				lab.ctl_socket);
			lab_tail(lab.nfvd_log);
			goto fail_down;
		}
		if (lab_socket_ready(lab.ctl_socket))
			break;
		lab_sleep_ms(100);
	}
	if (k == LAB_NFVD_WAIT_S * 10) {
		lab_err("nfvd's control socket %s did not answer within %d s",
			lab.ctl_socket, LAB_NFVD_WAIT_S);
		lab_tail(lab.nfvd_log);
		goto fail_down;
	}
	printf("nfvd: pid %d, log %s, control %s\n", (int)lab.nfvd_pid,
	       lab.nfvd_log, lab.ctl_socket);

	for (i = 0; i < lab.n_guests; i++) {
		struct lab_guest *g = &lab.guests[i];
		char *argv[32 + 2 * LAB_MAX_NETS];
		char nets[LAB_MAX_NETS][PATH_MAX + 64];
		unsigned int a = 0;

		snprintf(g->console, sizeof(g->console), "%.2048s/%.255s.console",
			 lab.dir, g->name);
		snprintf(g->log, sizeof(g->log), "%.2048s/%.255s.log", lab.dir,
			 g->name);
		argv[a++] = vmm;
		argv[a++] = g->kernel ? "--kernel" : "--payload";
		argv[a++] = g->kernel ? g->kernel : g->payload;
		if (g->initrd) {
			argv[a++] = "--initrd";
			argv[a++] = g->initrd;
		}
		argv[a++] = "--mem";
		argv[a++] = g->mem ? g->mem : "256M";
		argv[a++] = "--cpus";
		argv[a++] = g->cpus ? g->cpus : "1";
		if (g->cmdline) {
			argv[a++] = "--cmdline";
			argv[a++] = g->cmdline;
		}
		argv[a++] = "--console";
		argv[a++] = g->console;
		for (j = 0; j < g->n_net; j++) {
			struct lab_net *n = &g->net[j];
			int l = snprintf(nets[j], sizeof(nets[j]), "vhost-user=%s", n->sock);

			if (n->mac)
				l += snprintf(nets[j] + l, sizeof(nets[j]) - (size_t)l,
					      ",mac=%s", n->mac);
			if (n->queues > 1)
				snprintf(nets[j] + l, sizeof(nets[j]) - (size_t)l,
					 ",queues=%u", n->queues);
			argv[a++] = "--net";
			argv[a++] = nets[j];
		}
		argv[a] = NULL;
		g->pid = lab_spawn(argv, g->log);
		if (g->pid < 0) {
			lab_err("fork: %s", strerror(errno));
			goto fail_down;
		}
		lab_state_write(&lab);
	}
	/* Each guest up: every NIC connected (the VMM logs "netN: SOCK"). */
	for (i = 0; i < lab.n_guests; i++) {
		struct lab_guest *g = &lab.guests[i];
		char want[32];

		snprintf(want, sizeof(want), "net%u: ", g->n_net ? g->n_net - 1 : 0);
		for (k = 0; k < LAB_VMM_WAIT_S * 10; k++) {
			if (!lab_alive(g->pid, NULL)) {
				lab_err("guest %s exited at start", g->name);
				lab_tail(g->log);
				goto fail_down;
			}
			if (!g->n_net || lab_log_has(g->log, want))
				break;
			lab_sleep_ms(100);
		}
		if (k == LAB_VMM_WAIT_S * 10) {
			lab_err("guest %s: its NICs did not connect within %d s",
				g->name, LAB_VMM_WAIT_S);
			lab_tail(g->log);
			goto fail_down;
		}
		printf("guest %s: pid %d, console %s, log %s\n", g->name,
		       (int)g->pid, g->console, g->log);
	}
	printf("lab up: %u guest(s); state %s; stop with: nfvctl lab down %s\n",
	       lab.n_guests, lab.state, file);
	ctl_config_free(cfg);
	return 0;

fail_down:
	lab_down_state(&lab);
	unlink(lab.state);
fail_cfg:
	ctl_config_free(cfg);
	return 1;
}

static int lab_down(const char *file)
{
	static struct lab lab;
	int fails, ret;

	memset(&lab, 0, sizeof(lab));
	if (lab_dirs(&lab, file))
		return 1;
	ret = lab_state_read(&lab);
	if (ret) {
		lab_err("%s: %s (is this lab up?)", lab.state, strerror(-ret));
		return 1;
	}
	fails = lab_down_state(&lab);
	if (unlink(lab.state))
		lab_err("%s: %s", lab.state, strerror(errno));
	printf("lab down: %s\n", fails ? "some processes had to be killed" : "all stopped");
	return fails ? 1 : 0;
}

int ctl_lab_main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	if (argc >= 3 && !strcmp(argv[1], "up"))
		return lab_up(argv[2]);
	if (argc >= 2 && !strcmp(argv[1], "down"))
		return lab_down(argc >= 3 ? argv[2] : NULL);
	fprintf(stderr, "usage: nfvctl lab up FILE | nfvctl lab down [FILE]\n");
	return 2;
}
