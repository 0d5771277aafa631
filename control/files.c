/* SPDX-License-Identifier: BSD-3-Clause
 *
 * files.c - the bounded file reader and the path checks of files.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "control/files.h"

#define CTL_SYMLINKS_MAX 40 /* the kernel's own limit (MAXSYMLINKS) */

static const char *
ctl_file_kind(mode_t m)
{
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISBLK(m))
		return "a block device";
	if (S_ISSOCK(m))
		return "a socket";
	if (S_ISLNK(m))
		return "a symbolic link";
	return "a regular file";
}

int
ctl_file_read(const char *path, size_t max, char **buf, size_t *len, char *why,
	      size_t whylen)
{
	struct stat st, fst;
	size_t cap, n = 0;
	char *b = NULL, *nb;
	ssize_t r;
	int fd, rc;

	*buf = NULL;
	*len = 0;
	/* stat() first: opening a device can have effects of its own. */
	if (stat(path, &st) < 0) {
		rc = -errno;
		snprintf(why, whylen, "%s", strerror(errno));
		return rc;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(why, whylen, "not a regular file (%s)",
			 ctl_file_kind(st.st_mode));
		return -EINVAL;
	}
	/* O_NONBLOCK: if a FIFO took the file's place since, neither the
	 * open nor a read waits for a writer. */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		snprintf(why, whylen, "%s", strerror(errno));
		return rc;
	}
	if (fstat(fd, &fst) < 0) {
		rc = -errno;
		snprintf(why, whylen, "%s", strerror(errno));
		goto err;
	}
	if (!S_ISREG(fst.st_mode) || fst.st_dev != st.st_dev ||
	    fst.st_ino != st.st_ino) {
		snprintf(why, whylen, "not a regular file (%s)",
			 ctl_file_kind(fst.st_mode));
		rc = -EINVAL;
		goto err;
	}
	if ((uint64_t)fst.st_size > max)
		goto too_big;
	/* The size is a hint: /proc files say 0, and a file may grow while
	 * it is read.  Read to the end, never more than max + 1 bytes. */
	cap = (size_t)fst.st_size + 2;
	if (cap < 4096)
		cap = 4096;
	if (cap > max + 2)
		cap = max + 2;
	b = malloc(cap);
	if (b == NULL) {
		rc = -ENOMEM;
		snprintf(why, whylen, "out of memory");
		goto err;
	}
	for (;;) {
		if (cap - n < 2) {
			size_t ncap = cap > (max + 2) / 2 ? max + 2 : cap * 2;

			if (cap >= max + 2)
				goto too_big;
			nb = realloc(b, ncap);
			if (nb == NULL) {
				rc = -ENOMEM;
				snprintf(why, whylen, "out of memory");
				goto err;
			}
			b = nb;
			cap = ncap;
		}
		r = read(fd, b + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = -errno;
			snprintf(why, whylen, "%s",
				 errno == EAGAIN ? "reading it would block"
						 : strerror(errno));
			goto err;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > max)
			goto too_big;
	}
	close(fd);
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;

too_big:
	if (max >= 1u << 20)
		snprintf(why, whylen, "larger than %zu MiB", max >> 20);
	else
		snprintf(why, whylen, "larger than %zu bytes", max);
	rc = -EFBIG;
err:
	free(b);
	close(fd);
	return rc;
}

int
ctl_devarg_check(const char *s, char *why, size_t whylen)
{
	size_t len = strlen(s), i;

	if (len == 0) {
		snprintf(why, whylen, "must not be empty");
		return -EINVAL;
	}
	if (len >= CTL_DEVARG_MAX) {
		snprintf(why, whylen,
			 "is %zu bytes, longer than the %d that "
			 "nfvd passes to a DPDK driver",
			 len, CTL_DEVARG_MAX - 1);
		return -EINVAL;
	}
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f) {
			snprintf(why, whylen, "holds a control character");
			return -EINVAL;
		}
		if (c == ',' || c == '=') {
			snprintf(why, whylen,
				 "holds '%c', which would give the "
				 "DPDK driver an option of its own (device "
				 "arguments are key=value,key=value)",
				 c);
			return -EINVAL;
		}
	}
	return 0;
}

/* ---- the path walk ---- */

static bool
ctl_owner_trusted(uid_t uid)
{
	return uid == 0 || uid == geteuid();
}

/*
 * A directory nfvd may rely on: only root or nfvd's user can add, remove
 * or rename entries in it, or everyone can add but only an entry's owner
 * can remove or rename it (the sticky bit).
 */
static int
ctl_dir_trusted(const char *dir, const struct stat *st, char *why,
		size_t whylen)
{
	if (!ctl_owner_trusted(st->st_uid)) {
		snprintf(why, whylen,
			 "%s: the directory belongs to uid %u, not "
			 "to root or nfvd's user (uid %u)",
			 *dir ? dir : "/", (unsigned int)st->st_uid,
			 (unsigned int)geteuid());
		return -EPERM;
	}
	if ((st->st_mode & S_IWOTH) && !(st->st_mode & S_ISVTX)) {
		snprintf(why, whylen,
			 "%s: the directory is writable by every "
			 "user and has no sticky bit",
			 *dir ? dir : "/");
		return -EPERM;
	}
	return 0;
}

struct ctl_walk {
	char cur[PATH_MAX]; /* resolved so far; "" is the root */
	struct stat st;	    /* the last component, when it exists */
	bool exists;
};

/* Is there another component after p ("a/b": yes, "a/", "a": no)? */
static bool
ctl_walk_last(const char *p)
{
	while (*p == '/')
		p++;
	return *p == '\0';
}

/*
 * Resolve `path` one component at a time, by hand, so that each
 * directory passed through and each symbolic link followed can be
 * checked (ctl_dir_trusted(), and a link's owner).  The last component is
 * followed when it is a link only if follow_last.  A missing component is
 * fine when it is the last one, or when missing_ok: then the rest is
 * appended as written and w->exists is false.
 */
static int
ctl_walk(const char *path, bool follow_last, bool missing_ok,
	 struct ctl_walk *w, char *why, size_t whylen)
{
	char todo[2 * PATH_MAX], next[2 * PATH_MAX], link[PATH_MAX];
	unsigned int links = 0;
	struct stat st;
	const char *p;
	size_t curlen, clen;
	int n, rc;

	w->cur[0] = '\0';
	w->exists = false;
	if (path[0] == '/') {
		n = snprintf(todo, sizeof(todo), "%s", path);
	} else {
		char cwd[PATH_MAX];

		if (getcwd(cwd, sizeof(cwd)) == NULL) {
			rc = -errno;
			snprintf(why, whylen, "the working directory: %s",
				 strerror(errno));
			return rc;
		}
		n = snprintf(todo, sizeof(todo), "%s/%s", cwd, path);
	}
	if (n < 0 || (size_t)n >= sizeof(todo))
		goto too_long;
	if (stat("/", &st) < 0) {
		rc = -errno;
		snprintf(why, whylen, "/: %s", strerror(errno));
		return rc;
	}
	rc = ctl_dir_trusted("", &st, why, whylen);
	if (rc < 0)
		return rc;

	p = todo;
	for (;;) {
		const char *comp;
		bool last;

		while (*p == '/')
			p++;
		if (*p == '\0')
			break;
		comp = p;
		clen = strcspn(p, "/");
		p += clen;
		if (clen == 1 && comp[0] == '.')
			continue;
		if (clen == 2 && comp[0] == '.' && comp[1] == '.') {
			char *s = strrchr(w->cur, '/');

			if (s != NULL)
				*s = '\0';
			continue;
		}
		last = ctl_walk_last(p);
		curlen = strlen(w->cur);
		if (curlen + 1 + clen >= sizeof(w->cur))
			goto too_long;
		w->cur[curlen] = '/';
		memcpy(w->cur + curlen + 1, comp, clen);
		w->cur[curlen + 1 + clen] = '\0';

		if (lstat(w->cur, &st) < 0) {
			rc = -errno;
			if (rc == -ENOENT && (last || missing_ok)) {
				if (strlen(w->cur) + strlen(p) >=
				    sizeof(w->cur))
					goto too_long;
				strcat(w->cur, p);
				return 0;
			}
			snprintf(why, whylen, "%s: %s", w->cur, strerror(-rc));
			return rc;
		}
		if (S_ISLNK(st.st_mode) && (!last || follow_last)) {
			ssize_t ln;

			if (!ctl_owner_trusted(st.st_uid)) {
				snprintf(why, whylen,
					 "%s: the symbolic link "
					 "belongs to uid %u, not to root or "
					 "nfvd's user (uid %u)",
					 w->cur, (unsigned int)st.st_uid,
					 (unsigned int)geteuid());
				return -EPERM;
			}
			if (++links > CTL_SYMLINKS_MAX) {
				snprintf(why, whylen, "%s: %s", path,
					 strerror(ELOOP));
				return -ELOOP;
			}
			ln = readlink(w->cur, link, sizeof(link) - 1);
			if (ln < 0) {
				rc = -errno;
				snprintf(why, whylen, "%s: %s", w->cur,
					 strerror(errno));
				return rc;
			}
			link[ln] = '\0';
			/* Go on from the link's directory (or the root) with
			 * its target in front of what was left. */
			n = snprintf(next, sizeof(next), "%s%s", link, p);
			if (n < 0 || (size_t)n >= sizeof(todo))
				goto too_long;
			w->cur[link[0] == '/' ? 0 : curlen] = '\0';
			memcpy(todo, next, (size_t)n + 1);
			p = todo;
			continue;
		}
		if (last) {
			w->st = st;
			w->exists = true;
			return 0;
		}
		if (!S_ISDIR(st.st_mode)) {
			snprintf(why, whylen, "%s: %s", w->cur,
				 strerror(ENOTDIR));
			return -ENOTDIR;
		}
		rc = ctl_dir_trusted(w->cur, &st, why, whylen);
		if (rc < 0)
			return rc;
	}
	/* The path ends with "/", "." or "..": it names a directory. */
	if (w->cur[0] == '\0')
		snprintf(w->cur, sizeof(w->cur), "/");
	if (stat(w->cur, &w->st) < 0) {
		rc = -errno;
		snprintf(why, whylen, "%s: %s", w->cur, strerror(errno));
		return rc;
	}
	w->exists = true;
	return 0;

too_long:
	snprintf(why, whylen, "%s", strerror(ENAMETOOLONG));
	return -ENAMETOOLONG;
}

/*
 * Kernel file systems whose files are not data: some block a reader
 * (/proc/kmsg), writing others changes the kernel (/proc/sys, /sys).
 * NULL for an ordinary file system.
 */
static const char *
ctl_pseudo_fs(const char *path)
{
	static const struct {
		unsigned long magic;
		const char *name;
	} fs[] = {
		{PROC_SUPER_MAGIC, "proc"},
		{SYSFS_MAGIC, "sysfs"},
		{CGROUP_SUPER_MAGIC, "cgroup"},
		{CGROUP2_SUPER_MAGIC, "cgroup2"},
		{DEBUGFS_MAGIC, "debugfs"},
		{TRACEFS_MAGIC, "tracefs"},
		{SECURITYFS_MAGIC, "securityfs"},
		{BPF_FS_MAGIC, "bpf"},
		{DEVPTS_SUPER_MAGIC, "devpts"},
		{HUGETLBFS_MAGIC, "hugetlbfs"},
		{EFIVARFS_MAGIC, "efivarfs"},
		{PSTOREFS_MAGIC, "pstore"},
		{0x62656570, "configfs"},
	};
	struct statfs sf;
	size_t i;

	if (statfs(path, &sf) < 0)
		return NULL;
	for (i = 0; i < sizeof(fs) / sizeof(fs[0]); i++)
		if ((unsigned long)sf.f_type == fs[i].magic)
			return fs[i].name;
	return NULL;
}

static int
ctl_path_read(const char *path, char *resolved, char *why, size_t whylen)
{
	const char *pfs;
	struct stat st;
	int rc;

	if (stat(path, &st) < 0) {
		rc = -errno;
		snprintf(why, whylen, "%s: %s", path, strerror(errno));
		return rc;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(why, whylen, "%s is not a regular file (%s)", path,
			 ctl_file_kind(st.st_mode));
		return -EINVAL;
	}
	pfs = ctl_pseudo_fs(path);
	if (pfs != NULL) {
		snprintf(why, whylen,
			 "%s is on the kernel's %s file system, "
			 "not a data file",
			 path, pfs);
		return -EINVAL;
	}
	if (resolved != NULL && realpath(path, resolved) == NULL)
		snprintf(resolved, PATH_MAX, "%s", path);
	return 0;
}

int
ctl_path_check(const char *path, enum ctl_path_use use, char *resolved,
	       char *why, size_t whylen)
{
	struct ctl_walk w;
	const char *pfs;
	int rc;

	if (path == NULL || *path == '\0') {
		snprintf(why, whylen, "must not be empty");
		return -EINVAL;
	}
	if (use == CTL_PATH_READ)
		return ctl_path_read(path, resolved, why, whylen);

	rc = ctl_walk(path, use == CTL_PATH_CONNECT, use != CTL_PATH_WRITE, &w,
		      why, whylen);
	if (rc < 0)
		return rc;
	if (resolved != NULL)
		snprintf(resolved, PATH_MAX, "%s", w.cur);

	switch (use) {
	case CTL_PATH_READ:
		break;
	case CTL_PATH_WRITE:
		if (w.exists && S_ISLNK(w.st.st_mode)) {
			snprintf(why, whylen,
				 "%s is a symbolic link: nfvd does "
				 "not write through one",
				 path);
			return -ELOOP;
		}
		if (w.exists && !S_ISREG(w.st.st_mode)) {
			snprintf(why, whylen,
				 "%s exists and is not a regular "
				 "file (%s)",
				 path, ctl_file_kind(w.st.st_mode));
			return -EINVAL;
		}
		if (w.exists && !ctl_owner_trusted(w.st.st_uid)) {
			snprintf(why, whylen,
				 "%s belongs to uid %u, not to root "
				 "or nfvd's user (uid %u)",
				 path, (unsigned int)w.st.st_uid,
				 (unsigned int)geteuid());
			return -EPERM;
		}
		if (w.exists) {
			pfs = ctl_pseudo_fs(w.cur);
		} else {
			char dir[PATH_MAX];
			char *s;

			snprintf(dir, sizeof(dir), "%s", w.cur);
			s = strrchr(dir, '/');
			if (s != NULL)
				*(s == dir ? s + 1 : s) = '\0';
			pfs = ctl_pseudo_fs(dir);
		}
		if (pfs != NULL) {
			snprintf(why, whylen,
				 "%s is on the kernel's %s file "
				 "system, not a place for a data file",
				 path, pfs);
			return -EINVAL;
		}
		break;
	case CTL_PATH_LISTEN:
		if (!w.exists)
			break;
		if (S_ISLNK(w.st.st_mode)) {
			snprintf(why, whylen,
				 "%s is a symbolic link, not a "
				 "socket nfvd may replace",
				 path);
			return -EEXIST;
		}
		if (!S_ISSOCK(w.st.st_mode)) {
			snprintf(why, whylen, "%s exists and is not a socket",
				 path);
			return -EEXIST;
		}
		if (!ctl_owner_trusted(w.st.st_uid)) {
			snprintf(why, whylen,
				 "%s is a socket of uid %u, not of "
				 "root or nfvd's user (uid %u)",
				 path, (unsigned int)w.st.st_uid,
				 (unsigned int)geteuid());
			return -EPERM;
		}
		break;
	case CTL_PATH_CONNECT:
		if (!w.exists)
			break;
		if (!S_ISSOCK(w.st.st_mode)) {
			snprintf(why, whylen, "%s is not a socket (%s)", path,
				 ctl_file_kind(w.st.st_mode));
			return -ENOTSOCK;
		}
		if (!ctl_owner_trusted(w.st.st_uid)) {
			snprintf(why, whylen,
				 "%s is a socket of uid %u, not of "
				 "root or nfvd's user (uid %u): nfvd does not "
				 "connect to it",
				 path, (unsigned int)w.st.st_uid,
				 (unsigned int)geteuid());
			return -EPERM;
		}
		break;
	}
	return 0;
}

int
ctl_path_mkdir_parents(const char *path)
{
	char dir[PATH_MAX];
	char *p;

	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir))
		return -ENAMETOOLONG;
	p = strrchr(dir, '/');
	if (p == NULL || p == dir)
		return 0;
	*p = '\0';
	for (p = dir + 1;; p++) {
		if (*p == '/' || *p == '\0') {
			char c = *p;

			*p = '\0';
			if (mkdir(dir, 0700) < 0 && errno != EEXIST)
				return -errno;
			*p = c;
			if (c == '\0')
				break;
		}
	}
	return 0;
}
