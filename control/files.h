/* SPDX-License-Identifier: BSD-3-Clause
 *
 * files.h - the files and UNIX sockets that nfvd opens because a config
 * or a control request named them.
 *
 * A path from the config or from `nfvctl` is a user's word, and nfvd
 * often runs as root.  These helpers keep such a path from being turned
 * against nfvd:
 *
 *  - ctl_file_read() is the one way nfvd reads a whole file (the config,
 *    a router's route file): a regular file only, opened without blocking
 *    (a FIFO cannot stall the control thread), with a size limit;
 *  - ctl_devarg_check() keeps a path or name from adding its own options
 *    to a DPDK driver's device arguments ("key=value,key=value");
 *  - ctl_path_check() decides whether nfvd may write, create, remove or
 *    connect to a path: every directory on the way belongs to root or to
 *    nfvd's user and is not writable by everyone (unless sticky), every
 *    symbolic link on the way too, and what is there already is of the
 *    right kind and owner.
 *
 * docs/reliability.md ("Security model") says which paths nfvd trusts.
 * No DPDK here: the config loader, nfvctl and the data plane share it.
 * Any thread; nothing here keeps state.
 */
#ifndef NFV_CTL_FILES_H
#define NFV_CTL_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

/* Larger files are a mistake (or an attack): refused before reading. */
#define CTL_FILE_CONFIG_MAX (16u << 20)
#define CTL_FILE_ROUTES_MAX (256u << 20)

/* The longest string nfvd puts into one DPDK device argument. */
#define CTL_DEVARG_MAX 1024

/*
 * Which file a path held when nfvd made or saw it: device, inode and the
 * inode's change time.  The inode alone does not tell two files apart:
 * ext4 gives a freed inode number to the next file made, so a socket that
 * someone else binds at the same path right after ours went away often
 * has our old number.  The change time moves on every create, link,
 * chmod or chown, so a file with the same (device, inode, change time) is
 * the same file.  Take the id after the last chmod()/chown() nfvd does.
 */
struct ctl_file_id {
	dev_t dev;
	ino_t ino;
	struct timespec ctim;
};

static inline void
ctl_file_id_set(struct ctl_file_id *id, const struct stat *st)
{
	id->dev = st->st_dev;
	id->ino = st->st_ino;
	id->ctim = st->st_ctim;
}

static inline bool
ctl_file_id_same(const struct ctl_file_id *id, const struct stat *st)
{
	return id->dev == st->st_dev && id->ino == st->st_ino &&
	       id->ctim.tv_sec == st->st_ctim.tv_sec &&
	       id->ctim.tv_nsec == st->st_ctim.tv_nsec;
}

/*
 * Read the whole regular file `path`, at most `max` bytes, into a new
 * NUL-terminated buffer (*buf, free() it; *len without the NUL).  0, or
 * -errno with the reason (without the path) in why: -EINVAL not a regular
 * file, -EFBIG larger than max, -EAGAIN it would block, or open()'s and
 * read()'s errors.
 */
int ctl_file_read(const char *path, size_t max, char **buf, size_t *len,
		  char *why, size_t whylen);

/*
 * A string that goes into DPDK device arguments: no ',' (it would start
 * another argument), no '=', no control characters, 1..CTL_DEVARG_MAX - 1
 * bytes.  0 or -EINVAL with the reason in why.
 */
int ctl_devarg_check(const char *s, char *why, size_t whylen);

enum ctl_path_use {
	CTL_PATH_READ,	  /* a file nfvd reads (pcap rx) */
	CTL_PATH_WRITE,	  /* a file nfvd creates or overwrites (pcap tx) */
	CTL_PATH_LISTEN,  /* a UNIX socket nfvd creates and removes */
	CTL_PATH_CONNECT, /* a UNIX socket nfvd connects to */
};

/*
 * May nfvd use `path` for `use`?  0, or -errno with a one-line reason in
 * why.  When `resolved` is given (PATH_MAX bytes) it gets the path with
 * every symbolic link, "." and ".." resolved, to compare two paths (what
 * is missing of it is appended as written).
 *
 *  READ:    an existing regular file, not on a kernel pseudo file system
 *           (/proc, /sys: some of their files block a reader).
 *  WRITE:   a regular file owned by root or nfvd's user, or a new file in
 *           an existing directory; not a symbolic link itself; not on a
 *           pseudo file system.
 *  LISTEN:  nothing there yet, or a socket owned by root or nfvd's user
 *           (a stale one nfvd may replace); not a symbolic link.
 *           Missing directories are fine: nfvd creates them.
 *  CONNECT: nothing there yet (the peer comes later), or a socket owned by
 *           root or nfvd's user.
 *
 * For all but READ, every directory passed through must belong to root
 * or nfvd's user and must not be writable by everyone unless it has the
 * sticky bit (/tmp), and every symbolic link followed must belong to root
 * or nfvd's user: otherwise another user could swap what nfvd writes,
 * removes or talks to.  This is what OpenSSH's StrictModes checks.
 */
int ctl_path_check(const char *path, enum ctl_path_use use, char *resolved,
		   char *why, size_t whylen);

/*
 * Create the missing directories above `path` with mode 0700 (only nfvd's
 * user gets in; a peer of another user needs a directory made for it).
 * 0 or -errno.
 */
int ctl_path_mkdir_parents(const char *path);

#endif /* NFV_CTL_FILES_H */
