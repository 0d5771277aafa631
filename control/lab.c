// SPDX-License-Identifier: BSD-3-Clause
/*
 * nfvctl lab: bring up nfvd and its guests from one file, watch them, talk
 * to them, draw them and take them down again (see lab.h and
 * docs/labs.md).  Runs in the nfvctl process only; nfvd and the guests'
 * VMMs (nfv-vmm or QEMU) it starts are detached (own session, stdin from
 * /dev/null, output to log files) and outlive it.  Every verb after `up`
 * works from the lab's state file, so any shell can run it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
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

#include <jansson.h>

#include "control/config.h"
#include "control/lab.h"
#include "control/lab_priv.h"

#define LAB_NFVD_WAIT_S 60
#define LAB_VMM_WAIT_S 30
#define LAB_GUEST_STOP_S 10
#define LAB_NFVD_STOP_S 20
#define LAB_LINK_WAIT_S 30
#define LAB_EXEC_TIMEOUT_S 60
#define LAB_ARGV_MAX 96
#define LAB_ARGS_STORE 40

void
lab_err(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "nfvctl: lab: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
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
		if (access(e, X_OK) && strchr(e, '/')) {
			lab_err("$%s=%s: %s", env, e, strerror(errno));
			return -ENOENT;
		}
		snprintf(out, len, "%s", e);
		return 0;
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0 && build_rel) {
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

/* Is name runnable (a path, or found on the PATH)? */
static bool
lab_runnable(const char *name)
{
	const char *path = getenv("PATH");
	char p[PATH_MAX];

	if (strchr(name, '/'))
		return !access(name, X_OK);
	while (path && *path) {
		const char *c = strchr(path, ':');
		size_t l = c ? (size_t)(c - path) : strlen(path);

		snprintf(p, sizeof(p), "%.*s/%s", (int)l, path, name);
		if (!access(p, X_OK))
			return true;
		path = c ? c + 1 : NULL;
	}
	return false;
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
	char p[64], exe[PATH_MAX], p2[PATH_MAX], st_line[512];
	ssize_t n;
	FILE *f;
	int st;

	if (pid <= 0)
		return false;
	/* Reap it if it is our child and has exited. */
	if (waitpid(pid, &st, WNOHANG) == pid)
		return false;
	snprintf(p, sizeof(p), "/proc/%d/stat", (int)pid);
	f = fopen(p, "r");
	if (f) {
		char *c = fgets(st_line, sizeof(st_line), f)
				  ? strrchr(st_line, ')')
				  : NULL;

		fclose(f);
		/* A zombie of someone else's is gone all the same. */
		if (c && c[1] == ' ' && c[2] == 'Z')
			return false;
	}
	snprintf(p, sizeof(p), "/proc/%d/exe", (int)pid);
	n = readlink(p, exe, sizeof(exe) - 1);
	if (n <= 0)
		return kill(pid, 0) == 0;
	exe[n] = 0;
	/* A PID reused by something else is not ours. */
	if (!binary || strstr(exe, binary))
		return true;
	/* Our child between fork and exec still runs nfvctl. */
	n = readlink("/proc/self/exe", p2, sizeof(p2) - 1);
	if (n > 0) {
		p2[n] = 0;
		return !strcmp(exe, p2) && getppid() != pid;
	}
	return false;
}

static void
lab_tail(const char *log, int n)
{
	char line[512];
	long lines = 0, skip;
	FILE *f = fopen(log, "r");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		lines++;
	rewind(f);
	skip = lines > n ? lines - n : 0;
	fprintf(stderr, "----- %s (last %d lines) -----\n", log, n);
	while (fgets(line, sizeof(line), f))
		if (skip-- <= 0)
			fputs(line, stderr);
	fclose(f);
}

/* Does the file hold needle anywhere (read in overlapping chunks)? */
static bool
lab_file_has(const char *path, const char *needle)
{
	size_t nl = strlen(needle), have = 0, n;
	char buf[65536 + 1];
	bool found = false;
	FILE *f = fopen(path, "r");

	if (!f)
		return false;
	while (!found &&
	       (n = fread(buf + have, 1, sizeof(buf) - 1 - have, f)) > 0) {
		have += n;
		buf[have] = 0;
		/* Console bytes may hold NULs: search line by line. */
		for (char *s = buf; s < buf + have && !found;
		     s += strlen(s) + 1)
			found = strstr(s, needle) != NULL;
		if (have > nl) {
			memmove(buf, buf + have - nl, nl);
			have = nl;
		}
	}
	fclose(f);
	return found;
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

/* SIGTERM, wait up to secs, then SIGKILL.  Returns 1 if it had to kill. */
static int lab_stop_pid(pid_t pid, const char *binary, const char *what,
			int secs)
{
	double end;

	if (!lab_alive(pid, binary)) {
		printf("%s (pid %d): not running\n", what, (int)pid);
		return 0;
	}
	kill(pid, SIGTERM);
	for (end = lab_now() + secs; lab_now() < end;) {
		if (!lab_alive(pid, binary)) {
			printf("%s (pid %d): stopped\n", what, (int)pid);
			return 0;
		}
		lab_sleep_ms(50);
	}
	kill(pid, SIGKILL);
	for (end = lab_now() + 2; lab_now() < end && lab_alive(pid, binary);)
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
		int ret = -errno;

		lab_err("%s: %s", file, strerror(errno));
		return ret;
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
		/* A verb without a file: the one lab that is up. */
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
			lab_err("%u labs are up under %s: name one (nfvctl lab "
				"VERB FILE)",
				n, LAB_DEFAULT_BASE);
			return -ENOENT;
		}
		if (n == 0) {
			lab_err("no lab is up (no %s/*/lab.state; give the "
				"lab's FILE, and NFV_LAB_DIR if it was set at "
				"lab up)",
				LAB_DEFAULT_BASE);
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

/* The lab a verb names: its state file read, or a message and -errno. */
static int
lab_open(struct lab *lab, const char *file)
{
	int ret;

	memset(lab, 0, sizeof(*lab));
	ret = lab_dirs(lab, file);
	if (ret)
		return ret;
	ret = lab_state_read(lab);
	if (ret) {
		if (ret == -ENOENT)
			lab_err("this lab is not up (no %s): nfvctl lab up "
				"FILE",
				lab->state);
		else
			lab_err("%s: %s", lab->state, strerror(-ret));
	}
	return ret;
}

static struct lab_guest *
lab_guest_find(struct lab *lab, const char *name)
{
	unsigned int i;

	for (i = 0; i < lab->n_guests; i++)
		if (!strcmp(lab->guests[i].name, name))
			return &lab->guests[i];
	return NULL;
}

/* The nfvd sockets a killed nfvd may leave: its control socket and its
 * vhost-user server sockets (nfvd removes them when it exits cleanly). */
static void
lab_unlink_sockets(struct lab *lab)
{
	struct ctl_config *cfg = NULL;
	char err[512];
	unsigned int k;

	if (lab->ctl_socket && !lab_socket_ready(lab->ctl_socket))
		unlink(lab->ctl_socket);
	if (!lab->file[0] || ctl_config_load(lab->file, &cfg, err, sizeof(err)))
		return;
	for (k = 0; k < cfg->n_ports; k++) {
		const struct ctl_port_config *p = &cfg->ports[k];
		struct stat st;

		if (p->type == CTL_PORT_VHOST_USER && !p->client && p->path &&
		    !stat(p->path, &st) && S_ISSOCK(st.st_mode) &&
		    !lab_socket_ready(p->path))
			unlink(p->path);
	}
	ctl_config_free(cfg);
}

/* Guests first (they hold vhost-user connections), then nfvd. */
static int lab_down_state(struct lab *lab)
{
	unsigned int i;
	int fails = 0;
	char what[300];

	for (i = 0; i < lab->n_guests; i++) {
		struct lab_guest *g = &lab->guests[i];

		snprintf(what, sizeof(what), "guest %s", g->name);
		fails += lab_stop_pid(g->pid, lab_engine_binary(g->engine),
				      what, LAB_GUEST_STOP_S);
		if (g->cmdsock[0])
			unlink(g->cmdsock);
	}
	if (lab->nfvd_pid > 0)
		fails += lab_stop_pid(lab->nfvd_pid, "nfvd", "nfvd",
				      LAB_NFVD_STOP_S);
	lab_unlink_sockets(lab);
	return fails;
}

/* ---- nfvd ---- */

/* Run `nfvctl -s SOCK -j ARGS...` (this binary) and parse its output. */
static json_t *
lab_nfvctl_json(const char *sock, const char *a1, const char *a2)
{
	char self[PATH_MAX], buf[1 << 16];
	int pfd[2], st;
	size_t have = 0;
	ssize_t n;
	pid_t pid;

	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0 || pipe(pfd))
		return NULL;
	self[n] = 0;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return NULL;
	}
	if (pid == 0) {
		int nul = open("/dev/null", O_RDWR);

		dup2(pfd[1], 1);
		if (nul >= 0)
			dup2(nul, 2);
		close(pfd[0]);
		execl(self, self, "-s", sock, "-j", a1, a2, (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	while (have < sizeof(buf) - 1 &&
	       (n = read(pfd[0], buf + have, sizeof(buf) - 1 - have)) > 0)
		have += (size_t)n;
	close(pfd[0]);
	buf[have] = 0;
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
		return NULL;
	return json_loads(buf, 0, NULL);
}

static json_t *
lab_port_find(json_t *ports, const char *name)
{
	size_t i;
	json_t *p;

	json_array_foreach(ports, i, p) {
		const char *n = json_string_value(json_object_get(p, "name"));

		if (n && !strcmp(n, name))
			return p;
	}
	return NULL;
}

static int
lab_nfvd_start(struct lab *lab, const char *nfvd)
{
	char *argv[] = {(char *)nfvd, "-c", lab->file, NULL};
	double end;

	lab->nfvd_pid = lab_spawn(argv, lab->nfvd_log);
	if (lab->nfvd_pid < 0) {
		lab_err("fork: %s", strerror(errno));
		return -errno;
	}
	lab_state_write(lab);
	for (end = lab_now() + LAB_NFVD_WAIT_S; lab_now() < end;) {
		if (!lab_alive(lab->nfvd_pid, NULL)) {
			lab_err("nfvd exited before its control socket %s "
				"answered",
				lab->ctl_socket);
			lab_tail(lab->nfvd_log, 15);
			return -ECHILD;
		}
		if (lab_socket_ready(lab->ctl_socket))
			return 0;
		lab_sleep_ms(100);
	}
	lab_err("nfvd's control socket %s did not answer within %d s",
		lab->ctl_socket, LAB_NFVD_WAIT_S);
	lab_tail(lab->nfvd_log, 15);
	return -ETIMEDOUT;
}

static bool lab_is_kit_guest(const struct lab_guest *g);

/* Every guest NIC's port reports link up (the guest's driver is on);
 * kit_only: only the NICs of guests with the guest kit (which sets every
 * NIC up before it says ready). */
static int
lab_links_wait(struct lab *lab, int secs, bool kit_only)
{
	double end = lab_now() + secs;
	bool last = false;

	while (!last) {
		json_t *ports =
			lab_nfvctl_json(lab->ctl_socket, "show", "ports");
		unsigned int i, j, down = 0;

		last = lab_now() >= end;
		for (i = 0; i < lab->n_guests; i++) {
			struct lab_guest *g = &lab->guests[i];

			if ((kit_only && !lab_is_kit_guest(g)) ||
			    !lab_alive(g->pid, lab_engine_binary(g->engine)))
				continue;
			for (j = 0; j < g->n_net; j++) {
				json_t *p =
					lab_port_find(ports, g->net[j].port);
				const char *l = json_string_value(
					json_object_get(p, "link"));

				if (!l || strcmp(l, "up")) {
					down++;
					if (last)
						lab_err("guest %s: eth%u's "
							"port %s is %s in nfvd",
							g->name, j,
							g->net[j].port,
							l ? l : "not known");
				}
			}
		}
		json_decref(ports);
		if (!down)
			return 0;
		lab_sleep_ms(250);
	}
	return -ETIMEDOUT;
}

/* ---- up ---- */

static bool
lab_is_kit_guest(const struct lab_guest *g)
{
	return g->kernel != NULL;
}

/* Every (kernel) guest's init says ready on its console. */
static int
lab_ready_wait(struct lab *lab, long secs)
{
	bool ready[LAB_MAX_GUESTS] = {false};
	double t0 = lab_now(), end = t0 + (double)secs;
	unsigned int i, left;
	bool last = false;

	while (!last) {
		last = lab_now() >= end;
		left = 0;
		for (i = 0; i < lab->n_guests; i++) {
			struct lab_guest *g = &lab->guests[i];

			if (ready[i] || !lab_is_kit_guest(g))
				continue;
			if (lab_file_has(g->console, LAB_READY_MARKER)) {
				ready[i] = true;
				printf("guest %s: ready after %.1f s\n",
				       g->name, lab_now() - t0);
				continue;
			}
			if (!lab_alive(g->pid, lab_engine_binary(g->engine))) {
				lab_err("guest %s (%s, pid %d) exited before "
					"its init said ready",
					g->name, lab_vmm_name(g->engine),
					(int)g->pid);
				lab_tail(g->console, 20);
				lab_tail(g->log, 10);
				return -ECHILD;
			}
			left++;
		}
		if (!left)
			return 0;
		lab_sleep_ms(200);
	}
	for (i = 0; i < lab->n_guests; i++) {
		struct lab_guest *g = &lab->guests[i];

		if (ready[i] || !lab_is_kit_guest(g))
			continue;
		lab_err("guest %s: no \"%s\" on its console within %ld s "
			"(lab.ready_timeout; a guest without the guest kit's "
			"init never says it)",
			g->name, LAB_READY_MARKER, secs);
		lab_tail(g->console, 20);
	}
	return -ETIMEDOUT;
}

static int
lab_guest_start(struct lab *lab, struct lab_guest *g, const char *bin)
{
	static char store[LAB_ARGS_STORE][PATH_MAX + 256];
	char *argv[LAB_ARGV_MAX];
	int ret;

	snprintf(g->console, sizeof(g->console), "%.2048s/%.255s.console",
		 lab->dir, g->name);
	snprintf(g->log, sizeof(g->log), "%.2048s/%.255s.log", lab->dir,
		 g->name);
	g->cmdsock[0] = 0;
	if (g->engine == LAB_VMM_QEMU)
		snprintf(g->cmdsock, sizeof(g->cmdsock), "%.2048s/%.255s.cmd",
			 lab->dir, g->name);
	/* A console of an earlier run must not pass for this boot's. */
	unlink(g->console);
	if (g->cmdsock[0])
		unlink(g->cmdsock);
	ret = lab_guest_argv(g, bin, argv, LAB_ARGV_MAX, store, LAB_ARGS_STORE);
	if (ret) {
		lab_err("guest %s: its command line does not fit: %s", g->name,
			strerror(-ret));
		return ret;
	}
	g->pid = lab_spawn(argv, g->log);
	if (g->pid < 0) {
		ret = -errno;
		lab_err("fork: %s", strerror(errno));
		return ret;
	}
	return lab_state_write(lab);
}

/* A guest's VMM started: every NIC connected to nfvd. */
static int
lab_guest_started(struct lab_guest *g)
{
	char want[32];
	double end;

	snprintf(want, sizeof(want), "net%u: ", g->n_net ? g->n_net - 1 : 0);
	for (end = lab_now() + LAB_VMM_WAIT_S; lab_now() < end;) {
		if (!lab_alive(g->pid, NULL)) {
			lab_err("guest %s (%s) exited at start", g->name,
				lab_vmm_name(g->engine));
			lab_tail(g->log, 15);
			return -ECHILD;
		}
		/* QEMU connects its vhost-user NICs before it starts the
		 * guest; nfv-vmm logs "netN: SOCK" for each. */
		if (!g->n_net || g->engine == LAB_VMM_QEMU ||
		    lab_file_has(g->log, want))
			return 0;
		lab_sleep_ms(100);
	}
	lab_err("guest %s: its NICs did not connect within %d s", g->name,
		LAB_VMM_WAIT_S);
	lab_tail(g->log, 15);
	return -ETIMEDOUT;
}

/* Load and check a lab file: nfvd's part with nfvd's loader, then ours. */
static int
lab_load(struct lab *lab, const char *file, struct ctl_config **cfg)
{
	char err[512];
	int ret;

	memset(lab, 0, sizeof(*lab));
	ret = lab_dirs(lab, file);
	if (ret)
		return ret;
	ret = ctl_config_load(lab->file, cfg, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "nfvctl: lab: %s\n", err);
		return ret;
	}
	ret = lab_parse(lab);
	if (!ret)
		ret = lab_check(lab, *cfg);
	if (!ret) {
		lab->ctl_socket =
			strdup((*cfg)->control.socket ? (*cfg)->control.socket
						      : "/run/nfvd/nfvd.sock");
		if (!lab->ctl_socket)
			ret = -ENOMEM;
	}
	if (ret) {
		ctl_config_free(*cfg);
		*cfg = NULL;
	}
	return ret;
}

/* Is anything of an earlier `lab up` of this state folder still alive? */
static bool
lab_old_alive(const char *state, pid_t *pid, const char **what)
{
	static struct lab old;
	unsigned int i;
	bool alive = false;

	memset(&old, 0, sizeof(old));
	snprintf(old.state, sizeof(old.state), "%s", state);
	if (lab_state_read(&old))
		return false;
	if (lab_alive(old.nfvd_pid, "nfvd")) {
		*pid = old.nfvd_pid;
		*what = "nfvd";
		alive = true;
	}
	for (i = 0; i < old.n_guests && !alive; i++)
		if (lab_alive(old.guests[i].pid,
			      lab_engine_binary(old.guests[i].engine))) {
			*pid = old.guests[i].pid;
			*what = "a guest";
			alive = true;
		}
	lab_free(&old);
	return alive;
}

static int lab_up(const char *file)
{
	static struct lab lab;
	struct ctl_config *cfg = NULL;
	char nfvd[PATH_MAX], vmm[PATH_MAX], qemu[PATH_MAX];
	struct lab_probe probe = {0};
	const char *what = "";
	bool need_vmm = false, need_qemu = false;
	unsigned int i;
	pid_t old_pid = 0;
	long ready_s;
	int ret;

	if (lab_load(&lab, file, &cfg))
		return 1;
	if (!access(lab.state, R_OK)) {
		if (lab_old_alive(lab.state, &old_pid, &what)) {
			lab_err("this lab is up already (%s pid %d, state %s): "
				"nfvctl lab status %s, or nfvctl lab down %s "
				"first",
				what, (int)old_pid, lab.state, file, file);
			goto fail_cfg;
		}
		printf("lab: %s is left from a lab that is no longer running: "
		       "replaced\n",
		       lab.state);
		unlink(lab.state);
		lab_unlink_sockets(&lab);
	}
	if (lab_socket_ready(lab.ctl_socket)) {
		lab_err("something already answers on %s (another nfvd?)", lab.ctl_socket);
		goto fail_cfg;
	}
	lab_resolve_engines(&lab, &probe);
	for (i = 0; i < lab.n_guests; i++) {
		need_vmm |= lab.guests[i].engine == LAB_VMM_NFV_VMM;
		need_qemu |= lab.guests[i].engine == LAB_VMM_QEMU;
	}
	if (probe.why[0])
		printf("engines: %s: vmm: auto runs %s%s\n", probe.why,
		       probe.hw ? "nfv-vmm" : "QEMU with TCG",
		       probe.hw ? ""
				: " (nfv-vmm needs hardware virtualization to "
				  "boot Linux in useful time)");
	if (lab_find("NFVD", "nfvd", "dataplane/nfvd", nfvd, sizeof(nfvd)) ||
	    lab_find("NFV_VMM", "nfv-vmm", "vmm/nfv-vmm", vmm, sizeof(vmm)) ||
	    lab_find("QEMU", "qemu-system-x86_64", NULL, qemu, sizeof(qemu)))
		goto fail_cfg;
	if (need_qemu && !lab_runnable(qemu)) {
		lab_err("a guest runs under QEMU, and %s is not installed "
			"(apt-get install qemu-system-x86, or set $QEMU)",
			qemu);
		goto fail_cfg;
	}
	if (need_vmm && !lab_runnable(vmm)) {
		lab_err("a guest runs under nfv-vmm, and %s was not found (set "
			"$NFV_VMM)",
			vmm);
		goto fail_cfg;
	}
	ret = lab_mkdirs(lab.dir);
	if (ret) {
		lab_err("%s: %s", lab.dir, strerror(-ret));
		goto fail_cfg;
	}

	/* nfvd first; the guests need its vhost-user sockets. */
	snprintf(lab.nfvd_log, sizeof(lab.nfvd_log), "%.2048s/nfvd.log", lab.dir);
	if (lab_nfvd_start(&lab, nfvd))
		goto fail_down;
	printf("nfvd: pid %d, log %s, control %s\n", (int)lab.nfvd_pid,
	       lab.nfvd_log, lab.ctl_socket);

	for (i = 0; i < lab.n_guests; i++) {
		struct lab_guest *g = &lab.guests[i];

		if (lab_guest_start(&lab, g,
				    g->engine == LAB_VMM_QEMU ? qemu : vmm))
			goto fail_down;
	}
	for (i = 0; i < lab.n_guests; i++) {
		struct lab_guest *g = &lab.guests[i];

		if (lab_guest_started(g))
			goto fail_down;
		printf("guest %s: %s%s, pid %d, console %s\n", g->name,
		       lab_vmm_name(g->engine),
		       g->engine == LAB_VMM_QEMU
			       ? (g->kvm ? " (KVM)" : " (TCG)")
			       : "",
		       (int)g->pid, g->console);
	}
	ready_s = lab.def.ready_timeout >= 0 ? lab.def.ready_timeout
					     : LAB_READY_TIMEOUT_S;
	if (ready_s && lab_ready_wait(&lab, ready_s))
		goto fail_down;
	/* nfvd may see a NIC's queues start a moment after the guest said
	 * ready: up means every port is usable. */
	if (ready_s && lab_links_wait(&lab, LAB_LINK_WAIT_S, true)) {
		lab_err("the guests' NICs did not all come up in nfvd within "
			"%d s",
			LAB_LINK_WAIT_S);
		goto fail_down;
	}
	printf("lab up: %u guest(s); state %s; see nfvctl lab status %s; stop "
	       "with nfvctl lab down %s\n",
	       lab.n_guests, lab.state, file, file);
	ctl_config_free(cfg);
	lab_free(&lab);
	return 0;

fail_down:
	lab_err("lab up failed: stopping what it started");
	lab_down_state(&lab);
	unlink(lab.state);
fail_cfg:
	ctl_config_free(cfg);
	lab_free(&lab);
	return 1;
}

/* ---- down, restart ---- */

static int lab_down(const char *file)
{
	static struct lab lab;
	int fails, ret;

	ret = lab_open(&lab, file);
	if (ret)
		return 1;
	fails = lab_down_state(&lab);
	if (unlink(lab.state))
		lab_err("%s: %s", lab.state, strerror(errno));
	printf("lab down: %s\n", fails ? "some processes had to be killed" : "all stopped");
	lab_free(&lab);
	return fails ? 1 : 0;
}

/* nfvd stopped and started again under the running guests: their VMMs
 * reconnect their NICs (nfv-vmm re-sends its vhost-user set-up, QEMU's
 * sockets have reconnect=1), the guests do not notice but a pause. */
static int
lab_restart_nfvd(const char *file)
{
	static struct lab lab;
	char nfvd[PATH_MAX];
	int ret = 1;

	if (lab_open(&lab, file))
		return 1;
	if (!lab.ctl_socket) {
		struct ctl_config *cfg = NULL;
		char err[512];

		if (ctl_config_load(lab.file, &cfg, err, sizeof(err))) {
			lab_err("%s", err);
			goto out;
		}
		lab.ctl_socket =
			strdup(cfg->control.socket ? cfg->control.socket
						   : "/run/nfvd/nfvd.sock");
		ctl_config_free(cfg);
	}
	if (lab_find("NFVD", "nfvd", "dataplane/nfvd", nfvd, sizeof(nfvd)))
		goto out;
	lab_stop_pid(lab.nfvd_pid, "nfvd", "nfvd", LAB_NFVD_STOP_S);
	/* What an nfvd that had to be killed left behind. */
	lab_unlink_sockets(&lab);
	if (lab_nfvd_start(&lab, nfvd))
		goto out;
	printf("nfvd: pid %d, log %s\n", (int)lab.nfvd_pid, lab.nfvd_log);
	if (lab_links_wait(&lab, LAB_LINK_WAIT_S, false)) {
		lab_err("the guests' NICs did not all come back up within %d s "
			"(nfvctl lab status)",
			LAB_LINK_WAIT_S);
		goto out;
	}
	printf("lab restart: nfvd restarted, every guest NIC's link is up\n");
	ret = 0;
out:
	lab_free(&lab);
	return ret;
}

/* ---- status ---- */

static const char *
lab_guest_state(const struct lab_guest *g, bool *ok)
{
	if (!lab_alive(g->pid, lab_engine_binary(g->engine))) {
		*ok = false;
		return "exited";
	}
	/* Only guests with the guest kit say ready; a payload just runs. */
	if (g->console[0] && !lab_file_has(g->console, LAB_READY_MARKER) &&
	    lab_file_has(g->console, "NFV-GUEST: init start")) {
		*ok = false;
		return "booting";
	}
	return "running";
}

static int
lab_status(const char *file, bool as_json)
{
	static struct lab lab;
	json_t *ports = NULL, *out = NULL, *jg = NULL;
	bool nfvd_up, ok = true;
	unsigned int i, j;

	if (lab_open(&lab, file))
		return 1;
	nfvd_up = lab_alive(lab.nfvd_pid, "nfvd");
	if (nfvd_up && lab.ctl_socket)
		ports = lab_nfvctl_json(lab.ctl_socket, "show", "ports");
	ok = nfvd_up && ports;
	if (as_json) {
		out = json_pack("{s:s, s:s, s:{s:i, s:s, s:s, s:s?}}", "file",
				lab.file, "state", lab.state, "nfvd", "pid",
				(int)lab.nfvd_pid, "state",
				nfvd_up ? (ports ? "running" : "not answering")
					: "exited",
				"log", lab.nfvd_log, "control", lab.ctl_socket);
		jg = json_array();
		json_object_set_new(out, "guests", jg);
	} else {
		printf("lab %s (state %s)\n", lab.file, lab.dir);
		printf("nfvd: pid %d, %s, control %s\n", (int)lab.nfvd_pid,
		       nfvd_up ? (ports ? "running"
					: "running, not answering on its "
					  "control socket")
			       : "exited",
		       lab.ctl_socket ? lab.ctl_socket : "?");
		printf("%-12s %-8s %-4s %-8s %-8s %-5s %-10s %-17s %-5s %12s "
		       "%12s\n",
		       "GUEST", "ENGINE", "ACCEL", "PID", "STATE", "NIC",
		       "PORT", "MAC", "LINK", "RX-PACKETS", "TX-PACKETS");
	}
	for (i = 0; i < lab.n_guests; i++) {
		struct lab_guest *g = &lab.guests[i];
		bool gok = true;
		const char *st = lab_guest_state(g, &gok);
		const char *accel =
			g->engine == LAB_VMM_QEMU && !g->kvm ? "tcg" : "kvm";
		json_t *o = NULL, *nics = NULL;

		ok &= gok;
		if (as_json) {
			o = json_pack(
				"{s:s, s:s, s:s, s:i, s:s, s:s, s:s, s:b}",
				"name", g->name, "engine",
				lab_vmm_name(g->engine), "accel", accel, "pid",
				(int)g->pid, "state", st, "console", g->console,
				"log", g->log, "exec", g->cmdsock[0] != 0);
			nics = json_array();
			json_object_set_new(o, "nics", nics);
			json_array_append_new(jg, o);
		}
		for (j = 0; j < g->n_net || (!as_json && j == 0); j++) {
			json_t *p = j < g->n_net ? lab_port_find(ports,
								 g->net[j].port)
						 : NULL;
			const char *link =
				p ? json_string_value(
					    json_object_get(p, "link"))
				  : NULL;
			long long rx = p ? json_integer_value(json_object_get(
						   p, "rx_packets"))
					 : 0;
			long long tx = p ? json_integer_value(json_object_get(
						   p, "tx_packets"))
					 : 0;
			char nic[16];

			if (j < g->n_net && (!link || strcmp(link, "up")))
				ok = false;
			snprintf(nic, sizeof(nic), "eth%u", j);
			if (as_json) {
				json_t *n = json_pack("{s:s, s:s, s:s?, s:s}",
						      "nic", nic, "port",
						      g->net[j].port, "mac",
						      g->net[j].mac, "link",
						      link ? link : "unknown");

				if (p) {
					json_object_set(
						n, "rx_packets",
						json_object_get(p,
								"rx_packets"));
					json_object_set(
						n, "tx_packets",
						json_object_get(p,
								"tx_packets"));
					json_object_set(
						n, "rx_bytes",
						json_object_get(p, "rx_bytes"));
					json_object_set(
						n, "tx_bytes",
						json_object_get(p, "tx_bytes"));
				}
				json_array_append_new(nics, n);
				continue;
			}
			if (j == 0)
				printf("%-12s %-8s %-5s %-8d %-8s ", g->name,
				       lab_vmm_name(g->engine), accel,
				       (int)g->pid, st);
			else
				printf("%-12s %-8s %-5s %-8s %-8s ", "", "", "",
				       "", "");
			if (j < g->n_net)
				printf("%-5s %-10s %-17s %-5s %12lld %12lld\n",
				       nic, g->net[j].port,
				       g->net[j].mac ? g->net[j].mac : "-",
				       link ? link : "?", rx, tx);
			else
				printf("(no NICs)\n");
		}
	}
	if (as_json) {
		json_object_set_new(out, "ok", json_boolean(ok));
		json_dumpf(out, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(out);
	} else {
		printf("%s\n", ok ? "all running, every guest NIC up"
				  : "NOT all running and up (see above; "
				    "consoles and logs in the state folder)");
	}
	json_decref(ports);
	lab_free(&lab);
	return ok ? 0 : 1;
}

/* ---- console ---- */

static int
lab_console(const char *file, const char *name, bool follow)
{
	static struct lab lab;
	struct lab_guest *g;
	char buf[4096];
	int fd, idle = 0, ret = 1;
	ssize_t n;

	if (lab_open(&lab, file))
		return 1;
	g = lab_guest_find(&lab, name);
	if (!g) {
		lab_err("no guest '%s' in this lab", name);
		goto out;
	}
	fd = open(g->console, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		lab_err("%s: %s", g->console, strerror(errno));
		goto out;
	}
	setvbuf(stdout, NULL, _IONBF, 0);
	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n > 0) {
			fwrite(buf, 1, (size_t)n, stdout);
			idle = 0;
			continue;
		}
		if (!follow)
			break;
		/* Follows until the guest is gone and its last words read. */
		if (!lab_alive(g->pid, lab_engine_binary(g->engine)) &&
		    idle++ > 2) {
			fprintf(stderr, "[guest %s is not running]\n", g->name);
			break;
		}
		lab_sleep_ms(200);
	}
	close(fd);
	ret = 0;
out:
	lab_free(&lab);
	return ret;
}

/* ---- exec: the command channel on the guest's second UART ----
 *
 * The guest kit's init reads "ID COMMAND" lines on ttyS1 (nfv.cmd=ttyS1,
 * raw mode), runs each with sh -c and answers
 *   NFV-EXEC-BEGIN ID \n OUTPUT NFV-EXEC-END ID RC \n
 * The ID makes stale output of an earlier, abandoned command harmless.
 */
static int
lab_exec(const char *file, const char *name, int argc, char **argv,
	 int timeout_s)
{
	static struct lab lab;
	static char buf[1 << 20];
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char begin[64], end[64], *cmd = NULL, *s, *e;
	struct lab_guest *g;
	size_t have = 0, len = 0;
	int fd = -1, i, rc = 1, idle = 0;
	double until;
	unsigned long id;
	struct timespec ts;

	if (lab_open(&lab, file))
		return 1;
	g = lab_guest_find(&lab, name);
	if (!g) {
		lab_err("no guest '%s' in this lab", name);
		goto out;
	}
	if (!g->cmdsock[0]) {
		lab_err("guest %s runs under %s, which has one UART (its "
			"console) and no command channel: exec is not "
			"supported by this engine (use vmm: qemu, or nfvctl "
			"lab console)",
			g->name, lab_vmm_name(g->engine));
		goto out;
	}
	if (!lab_alive(g->pid, lab_engine_binary(g->engine))) {
		lab_err("guest %s (pid %d) is not running", g->name,
			(int)g->pid);
		goto out;
	}
	for (i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	cmd = calloc(1, len + 1);
	if (!cmd)
		goto out;
	for (i = 0; i < argc; i++) {
		strcat(cmd, argv[i]);
		if (i + 1 < argc)
			strcat(cmd, " ");
	}
	if (strchr(cmd, '\n')) {
		lab_err("exec: one line only");
		goto out;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	id = (unsigned long)getpid() * 1000003UL ^ (unsigned long)ts.tv_nsec;
	snprintf(begin, sizeof(begin), "NFV-EXEC-BEGIN %lx\n", id);
	snprintf(end, sizeof(end), "NFV-EXEC-END %lx ", id);
	if (strlen(g->cmdsock) >= sizeof(sa.sun_path))
		goto out;
	strcpy(sa.sun_path, g->cmdsock);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		lab_err("guest %s: command channel %s: %s", g->name, g->cmdsock,
			strerror(errno));
		goto out;
	}
	{
		char *line = NULL;
		int l = asprintf(&line, "%lx %s\n", id, cmd);

		if (l < 0 || write(fd, line, (size_t)l) != l) {
			lab_err("guest %s: command channel: %s", g->name,
				strerror(errno));
			free(line);
			goto out;
		}
		free(line);
	}
	for (until = lab_now() + timeout_s; lab_now() < until;) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		ssize_t n;

		if (poll(&pfd, 1, 100) <= 0) {
			if (++idle % 10 == 0 &&
			    !lab_alive(g->pid, lab_engine_binary(g->engine))) {
				lab_err("guest %s exited while running the "
					"command",
					g->name);
				goto out;
			}
			continue;
		}
		n = read(fd, buf + have, sizeof(buf) - 1 - have);
		if (n <= 0) {
			lab_err("guest %s: command channel closed", g->name);
			goto out;
		}
		have += (size_t)n;
		buf[have] = 0;
		s = strstr(buf, begin);
		e = s ? strstr(s, end) : NULL;
		if (e && strchr(e, '\n')) {
			s += strlen(begin);
			fwrite(s, 1, (size_t)(e - s), stdout);
			rc = atoi(e + strlen(end));
			goto out;
		}
		if (have == sizeof(buf) - 1) {
			lab_err("guest %s: more than %zu bytes of output",
				g->name, sizeof(buf) - 1);
			goto out;
		}
	}
	lab_err("guest %s: no answer within %d s (is the guest up? nfvctl lab "
		"console %s)",
		g->name, timeout_s, g->name);
	rc = 124;
out:
	if (fd >= 0)
		close(fd);
	free(cmd);
	lab_free(&lab);
	fflush(stdout);
	return rc > 255 ? 1 : rc;
}

/* ---- graph ---- */

static void
lab_dot_id(FILE *f, const char *kind, const char *name)
{
	fprintf(f, "\"%s:%s\"", kind, name);
}

static void
lab_dot_endpoint(FILE *f, const struct ctl_config *cfg,
		 const struct ctl_endpoint *e)
{
	if (e->is_port) {
		lab_dot_id(f, "port", cfg->ports[e->index].name);
		return;
	}
	lab_dot_id(f, "vnf", cfg->vnfs[e->index].name);
	fprintf(f, ":\"%s\"", cfg->vnfs[e->index].ifaces[e->iface].name);
}

static void
lab_dot(FILE *f, struct lab *lab, const struct ctl_config *cfg, struct lab *st)
{
	unsigned int i, j;

	fprintf(f, "// nfvctl lab graph %s\n", lab->file);
	fprintf(f, "digraph lab {\n\trankdir=LR;\n\tnode "
		   "[fontname=\"Helvetica\", fontsize=11];\n"
		   "\tedge [fontname=\"Helvetica\", fontsize=9, dir=both, "
		   "arrowhead=none, arrowtail=none];\n");
	/* No cluster around nfvd's nodes: it would pull its ports together
	 * and fold a chain that leaves nfvd for a guest and comes back. */
	fprintf(f,
		"\tlabel=\"%s: nfvd ports (yellow) and VNFs (orange), guests "
		"(blue)\";\n\tfontname=\"Helvetica\";\n\tfontsize=10;\n",
		strrchr(lab->file, '/') ? strrchr(lab->file, '/') + 1
					: lab->file);
	fprintf(f, "\t{\n");
	for (i = 0; i < cfg->n_ports; i++) {
		fprintf(f, "\t\t");
		lab_dot_id(f, "port", cfg->ports[i].name);
		fprintf(f,
			" [shape=box, style=filled, fillcolor=khaki, "
			"label=\"%s\\n%s\"];\n",
			cfg->ports[i].name,
			ctl_port_type_name(cfg->ports[i].type));
	}
	for (i = 0; i < cfg->n_vnfs; i++) {
		const struct ctl_vnf_config *v = &cfg->vnfs[i];

		fprintf(f, "\t\t");
		lab_dot_id(f, "vnf", v->name);
		fprintf(f,
			" [shape=record, style=\"rounded,filled\", "
			"fillcolor=lightsalmon, label=\"{%s\\n(%s)|{",
			v->name, v->type);
		for (j = 0; j < v->n_ifaces; j++)
			fprintf(f, "%s<%s> %s", j ? "|" : "", v->ifaces[j].name,
				v->ifaces[j].name);
		fprintf(f, "}}\"];\n");
	}
	for (i = 0; i < cfg->n_links; i++) {
		fprintf(f, "\t\t");
		lab_dot_endpoint(f, cfg, &cfg->links[i].a);
		fprintf(f, " -> ");
		lab_dot_endpoint(f, cfg, &cfg->links[i].b);
		fprintf(f, ";\n");
	}
	fprintf(f, "\t}\n");
	for (i = 0; i < lab->n_guests; i++) {
		const struct lab_guest *g = &lab->guests[i];
		const struct lab_guest *r =
			st ? lab_guest_find(st, g->name) : NULL;
		char engine[64];

		if (r)
			snprintf(engine, sizeof(engine), "%s%s, pid %d",
				 lab_vmm_name(r->engine),
				 r->engine == LAB_VMM_QEMU
					 ? (r->kvm ? "/kvm" : "/tcg")
					 : "",
				 (int)r->pid);
		else
			snprintf(engine, sizeof(engine), "vmm: %s",
				 lab_vmm_name(g->vmm));
		fprintf(f, "\t");
		lab_dot_id(f, "guest", g->name);
		fprintf(f,
			" [shape=box3d, style=filled, fillcolor=lightblue, "
			"label=\"%s\\n(guest, %s)\"];\n",
			g->name, engine);
		for (j = 0; j < g->n_net; j++) {
			/* Drawn in the links' direction, so that a chain reads
			 * left to right through its guests too. */
			bool into_guest = false;
			unsigned int k;

			for (k = 0; k < cfg->n_links; k++) {
				const struct ctl_endpoint *b = &cfg->links[k].b;

				if (b->is_port &&
				    !strcmp(cfg->ports[b->index].name,
					    g->net[j].port))
					into_guest = true;
			}
			fprintf(f, "\t");
			lab_dot_id(f, into_guest ? "port" : "guest",
				   into_guest ? g->net[j].port : g->name);
			fprintf(f, " -> ");
			lab_dot_id(f, into_guest ? "guest" : "port",
				   into_guest ? g->name : g->net[j].port);
			fprintf(f,
				" [label=\"eth%u%s%s\", style=bold, "
				"color=steelblue];\n",
				j, g->net[j].mac ? "\\n" : "",
				g->net[j].mac ? g->net[j].mac : "");
		}
	}
	fprintf(f, "}\n");
}

static int
lab_graph(const char *file, const char *png)
{
	static struct lab lab, st;
	struct ctl_config *cfg = NULL;
	bool have_st;
	int ret = 1, status;
	FILE *f;

	if (lab_load(&lab, file, &cfg))
		return 1;
	memset(&st, 0, sizeof(st));
	snprintf(st.state, sizeof(st.state), "%s", lab.state);
	have_st = !lab_state_read(&st);
	if (!png) {
		lab_dot(stdout, &lab, cfg, have_st ? &st : NULL);
		ret = fflush(stdout) ? 1 : 0;
		goto out;
	}
	if (!lab_runnable("dot")) {
		lab_err("--png needs graphviz's dot (apt-get install "
			"graphviz); without --png the DOT text goes to stdout");
		goto out;
	}
	{
		char *cmd = NULL;

		/* The file name goes through the shell: quote it. */
		if (strchr(png, '\'')) {
			lab_err("--png %s: a file name without quotes, please",
				png);
			goto out;
		}
		if (asprintf(&cmd, "dot -Tpng -o '%s'", png) < 0)
			goto out;
		f = popen(cmd, "w");
		free(cmd);
	}
	if (!f) {
		lab_err("dot: %s", strerror(errno));
		goto out;
	}
	lab_dot(f, &lab, cfg, have_st ? &st : NULL);
	status = pclose(f);
	if (status) {
		lab_err("dot failed (status %d)", status);
		goto out;
	}
	printf("%s\n", png);
	ret = 0;
out:
	ctl_config_free(cfg);
	lab_free(&lab);
	lab_free(&st);
	return ret;
}

/* ---- check, probe ---- */

/* The whole file checked, and what up would run, without running it. */
static int
lab_check_verb(const char *file)
{
	static struct lab lab;
	static char store[LAB_ARGS_STORE][PATH_MAX + 256];
	struct ctl_config *cfg = NULL;
	struct lab_probe probe = {0};
	char *argv[LAB_ARGV_MAX];
	unsigned int i;
	int a;

	if (lab_load(&lab, file, &cfg))
		return 1;
	lab_resolve_engines(&lab, &probe);
	printf("%s: OK: %u guest(s), state folder %s\n", lab.file, lab.n_guests,
	       lab.dir);
	if (probe.why[0])
		printf("probe: %s\n", probe.why);
	for (i = 0; i < lab.n_guests; i++) {
		struct lab_guest *g = &lab.guests[i];

		snprintf(g->console, sizeof(g->console),
			 "%.2048s/%.255s.console", lab.dir, g->name);
		if (g->engine == LAB_VMM_QEMU)
			snprintf(g->cmdsock, sizeof(g->cmdsock),
				 "%.2048s/%.255s.cmd", lab.dir, g->name);
		if (lab_guest_argv(g,
				   g->engine == LAB_VMM_QEMU
					   ? "qemu-system-x86_64"
					   : "nfv-vmm",
				   argv, LAB_ARGV_MAX, store, LAB_ARGS_STORE))
			continue;
		printf("guest %s (vmm: %s -> %s):", g->name,
		       lab_vmm_name(g->vmm), lab_vmm_name(g->engine));
		for (a = 0; argv[a]; a++)
			printf(" %s", argv[a]);
		printf("\n");
	}
	ctl_config_free(cfg);
	lab_free(&lab);
	return 0;
}

static int
lab_probe_verb(void)
{
	struct lab_probe p;

	lab_probe_run(&p);
	printf("%s: vmm: auto runs %s\n", p.why,
	       p.hw ? "nfv-vmm" : "QEMU with TCG");
	return p.hw ? 0 : 1;
}

static int
lab_usage(void)
{
	fprintf(stderr, "usage: nfvctl lab up FILE\n"
			"       nfvctl lab down [FILE]\n"
			"       nfvctl lab status [--json] [FILE]\n"
			"       nfvctl lab console [--no-follow] GUEST [FILE]\n"
			"       nfvctl lab exec [--timeout S] [--file FILE] "
			"GUEST CMD...\n"
			"       nfvctl lab graph [--png OUT.png] FILE\n"
			"       nfvctl lab restart-nfvd [FILE]\n"
			"       nfvctl lab check FILE\n"
			"       nfvctl lab probe\n");
	return 2;
}

int ctl_lab_main(int argc, char **argv)
{
	const char *verb = argc >= 2 ? argv[1] : "";
	bool flag = false;
	int i = 2;

	signal(SIGPIPE, SIG_IGN);
	if (!strcmp(verb, "up") && argc == 3)
		return lab_up(argv[2]);
	if (!strcmp(verb, "down") && argc <= 3)
		return lab_down(argc >= 3 ? argv[2] : NULL);
	if (!strcmp(verb, "restart-nfvd") && argc <= 3)
		return lab_restart_nfvd(argc >= 3 ? argv[2] : NULL);
	if (!strcmp(verb, "check") && argc == 3)
		return lab_check_verb(argv[2]);
	if (!strcmp(verb, "probe") && argc == 2)
		return lab_probe_verb();
	if (!strcmp(verb, "status")) {
		if (i < argc &&
		    (!strcmp(argv[i], "--json") || !strcmp(argv[i], "-j"))) {
			flag = true;
			i++;
		}
		if (argc - i <= 1)
			return lab_status(i < argc ? argv[i] : NULL, flag);
	}
	if (!strcmp(verb, "console")) {
		if (i < argc && !strcmp(argv[i], "--no-follow")) {
			flag = true;
			i++;
		}
		if (argc - i == 1 || argc - i == 2)
			return lab_console(argc - i == 2 ? argv[i + 1] : NULL,
					   argv[i], !flag);
	}
	if (!strcmp(verb, "exec")) {
		const char *file = NULL;
		int timeout = LAB_EXEC_TIMEOUT_S;

		for (; i + 1 < argc && argv[i][0] == '-'; i += 2) {
			if (!strcmp(argv[i], "--timeout"))
				timeout = atoi(argv[i + 1]);
			else if (!strcmp(argv[i], "--file"))
				file = argv[i + 1];
			else
				return lab_usage();
		}
		if (timeout <= 0)
			return lab_usage();
		if (argc - i >= 2)
			return lab_exec(file, argv[i], argc - i - 1,
					argv + i + 1, timeout);
	}
	if (!strcmp(verb, "graph")) {
		const char *png = NULL;

		if (i + 1 < argc && !strcmp(argv[i], "--png")) {
			png = argv[i + 1];
			i += 2;
		}
		if (argc - i == 1)
			return lab_graph(argv[i], png);
	}
	return lab_usage();
}
